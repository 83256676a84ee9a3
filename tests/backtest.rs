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
