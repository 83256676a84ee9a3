//! The backtest on the CDNOW sample, against measures computed here independently from the
//! file: each client's recency and frequency as of 1997-09-30, whether it bought again by
//! 1998-06-30, and the AUC by counting every (buyer, non-buyer) pair.

use std::collections::BTreeMap;

use rapport::input::time::days_from_civil;
use rapport::report::backtest::BacktestOptions;
use rapport::report::{Scorer, ScorerOptions};

const CDNOW: &str = include_str!("../data/cdnow_sample_events.csv");

fn scorer() -> Scorer {
    let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
    let cols = rapport::input::CsvOptions::from_json(
        r#"{"columns": {"clientId": "customer_id", "timestamp": "date", "kind": "type", "value": "amount"}}"#,
    )
    .unwrap();
    s.ingest_csv(CDNOW, &cols).unwrap();
    s
}

/// Per customer: purchase days (days since 1970) from the file itself.
fn days() -> BTreeMap<String, Vec<i32>> {
    let mut out: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for line in CDNOW.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let d: Vec<i64> = f[1].split('-').map(|x| x.parse().unwrap()).collect();
        out.entry(f[0].to_string())
            .or_default()
            .push(days_from_civil(d[0], d[1] as u32, d[2] as u32) as i32);
    }
    out
}

/// The AUC by counting pairs: a buyer scored above a non-buyer counts 1, a tie one half.
fn pairwise_auc(scores: &[f64], outcome: &[bool]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (i, &si) in scores.iter().enumerate().filter(|(i, _)| outcome[*i]) {
        for (j, &sj) in scores.iter().enumerate().filter(|(j, _)| !outcome[*j]) {
            let _ = (i, j);
            pairs += 1.0;
            wins += if si > sj {
                1.0
            } else if si == sj {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / pairs
}

#[test]
fn cdnow_recency_and_frequency_rank_as_counted_from_the_file() {
    let as_of = days_from_civil(1997, 9, 30) as i32;
    let end = days_from_civil(1998, 6, 30) as i32;
    let (mut recency, mut frequency, mut outcome) = (vec![], vec![], vec![]);
    for d in days().values() {
        let before: Vec<i32> = d.iter().copied().filter(|&x| x <= as_of).collect();
        let mut distinct = before.clone();
        distinct.dedup();
        recency.push(-((as_of - before.iter().max().unwrap()) as f64));
        frequency.push(distinct.len() as f64);
        outcome.push(d.iter().any(|&x| x > as_of && x <= end));
    }
    let o: BacktestOptions =
        serde_json::from_str(r#"{"asOf":"1997-09-30","horizon":273}"#).unwrap();
    let b = scorer().backtest(&o).unwrap();
    assert_eq!((b.clients, b.outcome_end.as_str()), (2357, "1998-06-30"));
    assert_eq!(
        b.active_after,
        outcome.iter().filter(|&&x| x).count() as u64
    );
    let auc = |name: &str| {
        b.scores
            .iter()
            .find(|s| s.score == name)
            .unwrap()
            .measures
            .auc
            .unwrap()
    };
    let want_recency = pairwise_auc(&recency, &outcome);
    assert!((auc("recency") - want_recency).abs() < 1e-12);
    assert!((auc("frequency") - pairwise_auc(&frequency, &outcome)).abs() < 1e-12);
    // As measured through the CLI when the backtest was asked for: recency alone 0.771.
    assert!((want_recency - 0.771).abs() < 0.005, "{want_recency}");
    // Every score with a known value is measured; the effective-customer score has no
    // component on purchases alone, so it has no AUC here.
    for s in &b.scores {
        match s.measures.auc {
            Some(auc) => assert!((0.0..=1.0).contains(&auc), "{}: {auc}", s.score),
            None => assert_eq!((s.score.as_str(), s.measures.clients), ("effectiveness", 0)),
        }
    }
    assert!(auc("engagement") > 0.5 && auc("status") > 0.5);
}

#[test]
fn a_window_past_the_data_is_refused() {
    let o: BacktestOptions = serde_json::from_str(r#"{"asOf":"1998-06-01","horizon":90}"#).unwrap();
    let e = scorer().backtest(&o).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("horizon"));
    // Without asOf, the window ends on the latest event.
    let b = scorer().backtest(&BacktestOptions::default()).unwrap();
    assert_eq!(
        (b.as_of.as_str(), b.outcome_end.as_str()),
        ("1998-04-01", "1998-06-30")
    );
}

/// The holdout check of Fader, Hardie & Lee (2005): BG/NBD fitted to the 39 calibration weeks
/// of the CDNOW sample, its expected purchases in the 39 weeks after, by repeat purchases in
/// the calibration weeks. The clients per group and the purchases made are counted here from
/// the file; the expectation is the published parameters' (r 0.243, α 4.414, a 0.793,
/// b 2.426) on the paper's own summary of the sample.
#[test]
fn cdnow_holdout_purchases_against_the_published_model_and_the_file() {
    use rapport::models::bg_nbd::BgNbd;
    let o: BacktestOptions = serde_json::from_str(
        r#"{"asOf": "1997-09-30", "horizon": 273, "customerBase": {"model": "bgnbd"}}"#,
    )
    .unwrap();
    let b = scorer().backtest(&o).unwrap();
    let h = b.holdout.expect("a holdout check with customerBase");
    assert_eq!(h.clients, 2357);
    let as_of = days_from_civil(1997, 9, 30) as i32;
    let end = days_from_civil(1998, 6, 30) as i32;
    // From the file: per group (repeat purchase days before asOf, 7 or more together) the
    // clients and the purchase days in the window.
    let mut counted = [(0u64, 0u64); 8];
    for d in days().values() {
        let mut d = d.clone();
        d.sort();
        d.dedup();
        let before = d.iter().filter(|&&x| x <= as_of).count();
        let after = d.iter().filter(|&&x| x > as_of && x <= end).count();
        let g = (before - 1).min(7);
        counted[g].0 += 1;
        counted[g].1 += after as u64;
    }
    // The published model on the published summary (x, t_x, T in weeks).
    let m = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let mut published = [0.0f64; 8];
    let summary = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/cdnow_customers_summary_with_transactions.csv"
    ))
    .unwrap();
    for line in summary.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        published[(f[1] as usize).min(7)] += m.expected_purchases(39.0, f[1], f[2], f[3]);
    }
    assert_eq!(h.groups.len(), 8);
    for (g, group) in h.groups.iter().enumerate() {
        assert_eq!(group.repeat_purchases as usize, g);
        assert_eq!(group.and_more, g == 7);
        assert_eq!(
            group.clients, counted[g].0,
            "clients with {g} repeat purchases"
        );
        let actual = counted[g].1 as f64 / counted[g].0 as f64;
        assert!(
            (group.actual - actual).abs() < 1e-12,
            "group {g}: {} against {actual}",
            group.actual
        );
        let expected = published[g] / counted[g].0 as f64;
        assert!(
            (group.predicted - expected).abs() < 0.03 * expected.max(0.1),
            "group {g}: predicted {} against the published model's {expected}",
            group.predicted
        );
    }
    assert_eq!(h.actual, counted.iter().map(|c| c.1).sum::<u64>());
    let total: f64 = published.iter().sum();
    assert!(
        (h.predicted - total).abs() < 0.03 * total,
        "{} against {total}",
        h.predicted
    );
    // Without a customer-base model there is no holdout check.
    let plain: BacktestOptions =
        serde_json::from_str(r#"{"asOf": "1997-09-30", "horizon": 273}"#).unwrap();
    assert!(scorer().backtest(&plain).unwrap().holdout.is_none());
}
