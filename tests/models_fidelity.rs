//! Fitted parameters and log-likelihoods against the published values on the reference data
//! (data/reference, copies of the lifetimes package's data; values in shared/data/README.md).

use rapport::models::bg_nbd::BgNbd;
use rapport::models::SummaryRow;

fn cdnow() -> Vec<(SummaryRow, f64)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/cdnow_customers_summary_with_transactions.csv"
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|v| v.trim().parse().unwrap()).collect();
            (SummaryRow::new(f[1], f[2], f[3]), f[4])
        })
        .collect()
}

/// `got` agrees with `want` to `want`'s stated number of decimals: within one unit of the last
/// stated digit (published values are sometimes rounded and sometimes truncated: the
/// Gamma-Gamma γ = 15.4477 is published as 15.44).
fn to_stated_precision(got: f64, want: f64, decimals: i32) {
    assert!(
        (got - want).abs() <= 10f64.powi(-decimals) * (1.0 + 1e-9),
        "got {got}, published {want}"
    );
}

#[test]
fn bg_nbd_on_cdnow_matches_fader_hardie_lee_2005() {
    let rows: Vec<SummaryRow> = cdnow().into_iter().map(|r| r.0).collect();
    assert_eq!(rows.len(), 2357);
    let (p, fit) = BgNbd::fit(&rows).unwrap();
    assert!(fit.converged, "{fit:?}");
    to_stated_precision(p.r, 0.243, 3);
    to_stated_precision(p.alpha, 4.414, 3);
    to_stated_precision(p.a, 0.793, 3);
    to_stated_precision(p.b, 2.426, 3);
    to_stated_precision(fit.log_likelihood, -9582.4, 1);
    assert!(
        fit.standard_errors
            .iter()
            .all(|s| s.1.is_some_and(|v| v > 0.0 && v < 1.0)),
        "{:?}",
        fit.standard_errors
    );
}

#[test]
fn mbg_nbd_on_cdnow_matches_lifetimes() {
    let rows: Vec<SummaryRow> = cdnow().into_iter().map(|r| r.0).collect();
    let (p, fit) = rapport::models::mbg_nbd::MbgNbd::fit(&rows).unwrap();
    assert!(fit.converged);
    to_stated_precision(p.r, 0.525, 3);
    to_stated_precision(p.alpha, 6.183, 3);
    to_stated_precision(p.a, 0.891, 3);
    to_stated_precision(p.b, 1.614, 3);
}

#[test]
fn pareto_nbd_on_cdnow_matches_fader_hardie() {
    let rows: Vec<SummaryRow> = cdnow().into_iter().map(|r| r.0).collect();
    let (p, fit) = rapport::models::pareto_nbd::ParetoNbd::fit(&rows).unwrap();
    assert!(fit.converged, "{fit:?}");
    to_stated_precision(p.r, 0.55, 2);
    to_stated_precision(p.alpha, 10.58, 2);
    to_stated_precision(p.s, 0.61, 2);
    to_stated_precision(p.beta, 11.67, 2);
    to_stated_precision(fit.log_likelihood, -9595.0, 1);
}

#[test]
fn gamma_gamma_on_cdnow_repeaters_matches_fader_hardie_lee() {
    use rapport::models::gamma_gamma::{GammaGamma, SpendRow};
    let rows: Vec<SpendRow> = cdnow()
        .into_iter()
        .map(|(s, zbar)| SpendRow {
            frequency: s.frequency,
            monetary: zbar,
            weight: 1.0,
        })
        .collect();
    let (g, fit) = GammaGamma::fit(&rows).unwrap();
    assert!(fit.converged);
    to_stated_precision(g.p, 6.25, 2);
    to_stated_precision(g.q, 3.74, 2);
    to_stated_precision(g.v, 15.44, 2);
}

#[test]
fn bg_bb_on_donations_matches_fader_hardie_shang() {
    use rapport::models::bg_bb::{BgBb, PatternRow};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/donations.csv"
    ))
    .unwrap();
    let rows: Vec<PatternRow> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|v| v.trim().parse().unwrap()).collect();
            PatternRow {
                frequency: f[0],
                recency: f[1],
                periods: f[2],
                weight: f[3],
            }
        })
        .collect();
    let (m, fit) = BgBb::fit(&rows).unwrap();
    assert!(fit.converged);
    to_stated_precision(m.alpha, 1.204, 3);
    to_stated_precision(m.beta, 0.750, 3);
    to_stated_precision(m.gamma, 0.657, 3);
    to_stated_precision(m.delta, 2.783, 3);
    for r in &rows {
        let pa = m.p_alive(r.frequency, r.recency, r.periods);
        assert!((0.0..=1.0).contains(&pa));
    }
}

#[test]
fn shifted_beta_geometric_matches_fader_hardie_2007() {
    use rapport::models::sbg::ShiftedBetaGeometric;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/sbg_retention.csv"
    ))
    .unwrap();
    let table: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    for (col, (alpha, beta, ll)) in [(1, (0.704, 1.182, -1680.27)), (2, (0.668, 3.806, -1611.16))] {
        // The paper fits years 0..=7 and projects 8..=12.
        let active: Vec<f64> = table.iter().take(8).map(|r| r[col]).collect();
        let (m, fit) = ShiftedBetaGeometric::fit(&active).unwrap();
        to_stated_precision(m.alpha, alpha, 3);
        to_stated_precision(m.beta, beta, 3);
        to_stated_precision(fit.log_likelihood, ll, 2);
        // Projections past the fitted years stay close to what happened (the paper's point).
        let s = m.survival(12);
        for (t, row) in table.iter().enumerate().skip(8) {
            let actual = row[col] / row[col].max(1.0).max(table[0][col]);
            assert!(
                (s[t] - actual).abs() < 0.03,
                "year {t}: projected {} vs actual {actual}",
                s[t]
            );
        }
    }
}

#[test]
fn summary_from_cdnow_transactions_reproduces_the_published_summary() {
    use rapport::models::summary::{from_ledger, TimeUnit};
    let s = cdnow_scorer();
    let end = rapport::input::time::parse_timestamp("1997-09-30").unwrap();
    let summary = from_ledger(s.ledger(), end, None, TimeUnit::Weeks).unwrap();
    assert_eq!(summary.len(), 2357);
    let published = cdnow();
    let by_id: std::collections::HashMap<&str, &rapport::models::summary::ClientSummary> =
        summary.iter().map(|c| (c.id.as_str(), c)).collect();
    for (i, (row, zbar)) in published.iter().enumerate() {
        let ours = by_id[(i + 1).to_string().as_str()];
        assert_eq!(ours.frequency, row.frequency, "client {}", i + 1);
        let r2 = |v: f64| (v * 100.0).round() / 100.0;
        assert_eq!(r2(ours.recency), row.recency, "client {} recency", i + 1);
        assert_eq!(r2(ours.t), row.t, "client {} T", i + 1);
        assert!(
            (ours.monetary_value - zbar).abs() <= 0.005 + 1e-9,
            "client {} zbar {} vs {zbar}",
            i + 1,
            ours.monetary_value
        );
    }
}

#[test]
fn bg_nbd_predicts_the_cdnow_holdout() {
    // Calibrate on 1997-01-01..1997-09-30, predict the 39 weeks to 1998-06-30, compare with what
    // the customers actually bought (Fader, Hardie & Lee 2005, section 4 and fig. 3).
    use rapport::models::summary::{summarize_ledger, SummaryOptions};
    use rapport::models::validation::by_frequency;
    let s = cdnow_scorer();
    let opts: SummaryOptions = serde_json::from_str(
        r#"{"end": "1998-06-30", "calibrationEnd": "1997-09-30", "unit": "weeks"}"#,
    )
    .unwrap();
    let summary = summarize_ledger(s.ledger(), &opts).unwrap();
    assert_eq!(summary.len(), 2357);
    let rows: Vec<SummaryRow> = summary
        .iter()
        .map(|c| SummaryRow::new(c.frequency, c.recency, c.t))
        .collect();
    let (m, _) = BgNbd::fit(&rows).unwrap();
    let horizon = summary[0].duration_holdout.unwrap();
    assert!((horizon - 39.0).abs() < 0.2, "{horizon}");
    let predicted: Vec<f64> = summary
        .iter()
        .map(|c| m.expected_purchases(horizon, c.frequency, c.recency, c.t))
        .collect();
    let actual: Vec<f64> = summary
        .iter()
        .map(|c| c.frequency_holdout.unwrap())
        .collect();
    // The same procedure in lifetimes 0.11.3 (scripts/lifetimes_reference.py): 1,882 purchase
    // days in the holdout, 1,653.41 predicted; BG/NBD under-predicts this holdout by 12%.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/lifetimes-0.11.3.json"
    ))
    .unwrap();
    let lt: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (p, a): (f64, f64) = (predicted.iter().sum(), actual.iter().sum());
    assert_eq!(
        rows.iter().map(|r| r.frequency).sum::<f64>(),
        lt["holdout"]["calibrationRepeats"].as_f64().unwrap()
    );
    assert_eq!(a, lt["holdout"]["actual"].as_f64().unwrap());
    let lp = lt["holdout"]["predicted"].as_f64().unwrap();
    assert!((p - lp).abs() < 1e-5 * lp, "predicted {p}, lifetimes {lp}");
    let freq: Vec<f64> = summary.iter().map(|c| c.frequency).collect();
    let buckets = by_frequency(&freq, &predicted, &actual, 7).unwrap();
    assert_eq!(buckets.len(), 8);
    assert_eq!(buckets.iter().map(|b| b.clients).sum::<f64>(), 2357.0);
    // Frequent buyers are predicted to buy more, and so they did.
    for w in buckets.windows(2) {
        assert!(w[1].mean_predicted > w[0].mean_predicted, "{buckets:?}");
        assert!(w[1].mean_actual > w[0].mean_actual * 0.8, "{buckets:?}");
    }
}

#[test]
fn the_report_carries_the_fitted_models_values_per_client() {
    use rapport::models::summary::{from_ledger, TimeUnit};
    use rapport::report::ScoreOptions;
    let s = cdnow_scorer();
    // As of the end of the 39-week calibration period the ledger's summary is the published
    // one, so the fit is the published BG/NBD fit.
    let opts: ScoreOptions = serde_json::from_str(
        r#"{"asOf": "1997-09-30", "customerBase": {"model": "bgnbd", "unit": "weeks", "horizon": 39}}"#,
    )
    .unwrap();
    let r = s.score(&opts).unwrap();
    let base = r.customer_base.as_ref().unwrap();
    let fit = base.fit.as_ref().unwrap();
    to_stated_precision(fit.param("r").unwrap(), 0.243, 3);
    to_stated_precision(fit.param("alpha").unwrap(), 4.414, 3);
    to_stated_precision(fit.log_likelihood, -9582.4, 1);
    assert!(base.spend_fit.is_some());
    let m = BgNbd {
        r: fit.param("r").unwrap(),
        alpha: fit.param("alpha").unwrap(),
        a: fit.param("a").unwrap(),
        b: fit.param("b").unwrap(),
    };
    let end = rapport::input::time::parse_timestamp("1997-09-30").unwrap();
    let summary = from_ledger(s.ledger(), end, None, TimeUnit::Weeks).unwrap();
    assert_eq!(r.clients.len(), 2357);
    let mut quiet_by_model = 0;
    for (c, sm) in r.clients.iter().zip(
        // Both sorted by id as strings.
        {
            let mut v = summary.clone();
            v.sort_by(|a, b| a.id.cmp(&b.id));
            v
        },
    ) {
        assert_eq!(c.client_id, sm.id);
        let v = c.value.unwrap();
        assert_eq!(v.p_alive, m.p_alive(sm.frequency, sm.recency, sm.t));
        assert_eq!(
            v.expected_purchases,
            m.expected_purchases(39.0, sm.frequency, sm.recency, sm.t)
        );
        assert!(v.clv.unwrap() >= 0.0 && v.expected_spend.unwrap() > 0.0);
        if c.relationship.reason.text.contains("P(alive)") {
            quiet_by_model += 1;
            assert!(
                v.p_alive < 0.5
                    || c.relationship.kind
                        == rapport::scores::relationship::RelationshipType::Marriage
                    || c.relationship.kind
                        == rapport::scores::relationship::RelationshipType::Dating
            );
        }
    }
    assert!(quiet_by_model > 0);
    // Given parameters skip the fit; an unsuitable model is an error naming the key.
    let opts: ScoreOptions = serde_json::from_str(
        r#"{"asOf": "1997-09-30", "customerBase": {"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, "spendParams": {"p": 6.25, "q": 3.74, "v": 15.44}}}"#,
    )
    .unwrap();
    let r = s.score(&opts).unwrap();
    assert!(r.customer_base.as_ref().unwrap().fit.is_none());
    let bad: ScoreOptions = serde_json::from_str(r#"{"customerBase": {"model": "sbg"}}"#).unwrap();
    assert_eq!(
        s.score(&bad).unwrap_err().field.as_deref(),
        Some("customerBase.model")
    );
    let bad: ScoreOptions =
        serde_json::from_str(r#"{"customerBase": {"params": {"r": 1}}}"#).unwrap();
    assert_eq!(
        s.score(&bad).unwrap_err().field.as_deref(),
        Some("customerBase.params.alpha")
    );
}

/// A scorer holding the CDNOW sample's transactions.
fn cdnow_scorer() -> rapport::report::Scorer {
    let events = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/cdnow_sample_events.csv"
    ))
    .unwrap();
    let mut s = rapport::report::Scorer::new(&rapport::report::ScorerOptions::default()).unwrap();
    let cols = rapport::input::CsvOptions::from_json(r#"{"columns": {"clientId": "customer_id", "timestamp": "date", "kind": "type", "value": "amount"}}"#).unwrap();
    s.ingest_csv(&events, &cols).unwrap();
    s
}
