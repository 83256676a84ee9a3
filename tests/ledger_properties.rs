//! Properties of the ledger and scorer: order independence, merge = union, atomic batches,
//! identical results from the three input paths, snapshots, and no panics on garbage.

use proptest::prelude::*;
use rapport::input::synth::{self, SplitMix64};
use rapport::input::{self as ingest, CsvOptions};
use rapport::input::{Mode, Policy};
use rapport::ledger::Ledger;
use rapport::report::ScorerOptions;
use rapport::report::{ScoreOptions, Scorer};
use rapport::ErrorCode;

fn ledger_from(records: &[rapport::input::event::RawEvent], batches: &[usize]) -> Ledger {
    let mut l = Ledger::new();
    let mut start = 0;
    for &end in batches.iter().chain(std::iter::once(&records.len())) {
        let end = end.min(records.len());
        if end > start {
            l.apply(
                &ingest::from_records(&records[start..end], Policy::new(Mode::Strict, 0)).unwrap(),
            )
            .unwrap();
            start = end;
        }
    }
    l
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Any order of events, cut into any batches, gives the same ledger.
    #[test]
    fn order_and_batching_do_not_matter(seed in any::<u64>(), shuffle in any::<u64>(), mut cuts in prop::collection::vec(0usize..400, 0..6)) {
        let data = synth::generate(seed, 25, 400).unwrap();
        let records = data.records(seed % 2 == 0);
        let reference = ledger_from(&records, &[]);
        let mut shuffled = records.clone();
        let mut rng = SplitMix64::new(shuffle);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        cuts.sort_unstable();
        prop_assert!(ledger_from(&shuffled, &cuts) == reference);
    }

    /// Two ledgers of disjoint events merge into the ledger of their union, either way round.
    #[test]
    fn merge_equals_union(seed in any::<u64>(), split in 1usize..399) {
        let records = synth::generate(seed, 30, 400).unwrap().records(false);
        let union = ledger_from(&records, &[]);
        let (a, b) = (ledger_from(&records[..split], &[]), ledger_from(&records[split..], &[]));
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut ba = b.clone();
        ba.merge(&a).unwrap();
        prop_assert!(ab == union);
        prop_assert!(ba == union);
        // Scores agree too.
        let opts = ScorerOptions::default();
        let s_union = { let mut s = Scorer::new(&opts).unwrap(); s.ingest_records(&records).unwrap(); s };
        let mut s_a = Scorer::new(&opts).unwrap();
        s_a.ingest_records(&records[..split]).unwrap();
        s_a.merge_snapshot(&{ let mut s = Scorer::new(&opts).unwrap(); s.ingest_records(&records[split..]).unwrap(); s.snapshot() }).unwrap();
        prop_assert_eq!(s_a.score(&ScoreOptions::default()).unwrap(), s_union.score(&ScoreOptions::default()).unwrap());
    }

    /// Snapshots round-trip exactly.
    #[test]
    fn snapshot_round_trip(seed in any::<u64>()) {
        let l = ledger_from(&synth::generate(seed, 20, 200).unwrap().records(false), &[]);
        prop_assert!(Ledger::from_snapshot(&l.to_snapshot()).unwrap() == l);
    }

    /// No input text makes the CSV or JSON readers panic.
    #[test]
    fn garbage_text_never_panics(text in ".{0,300}") {
        let _ = ingest::from_csv(&text, &CsvOptions::default(), Policy::new(Mode::Lenient, 5));
        let _ = ingest::from_csv(&text, &CsvOptions::default(), Policy::new(Mode::Strict, 5));
        let _ = ingest::from_json(&text, Policy::new(Mode::Lenient, 5));
        let _ = rapport::input::time::parse_timestamp(&text);
        let _ = ScorerOptions::from_json(&text);
    }

    /// CSV-shaped garbage under a valid header never panics, and strict errors name a row.
    #[test]
    fn garbage_rows_never_panic(rows in prop::collection::vec("[a-z0-9 ,.:\"-]{0,40}", 1..20)) {
        let text = format!("clientId,timestamp,kind,value\n{}", rows.join("\n"));
        if let Err(e) = ingest::from_csv(&text, &CsvOptions::default(), Policy::new(Mode::Strict, 5)) {
            prop_assert!(e.row.is_some() || e.code == ErrorCode::EmptyInput, "{e}");
        }
    }

    /// No byte string makes snapshot reading panic, and damaged snapshots are refused.
    #[test]
    fn garbage_snapshots_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), flip in 14usize..400) {
        let _ = Ledger::from_snapshot(&bytes);
        let good = ledger_from(&synth::generate(3, 5, 40).unwrap().records(false), &[]).to_snapshot();
        let mut bad = good.clone();
        let i = flip % bad.len();
        bad[i] ^= 0x5a;
        if i >= 10 {
            prop_assert!(Ledger::from_snapshot(&bad).is_err());
        }
    }
}

#[test]
fn three_input_paths_give_identical_reports() {
    let data = synth::generate(11, 300, 6_000).unwrap();
    let opts = ScorerOptions {
        as_of: None,
        ..ScorerOptions::default()
    };
    let mut by_records = Scorer::new(&opts).unwrap();
    by_records.ingest_records(&data.records(false)).unwrap();
    let mut by_json = Scorer::new(&opts).unwrap();
    by_json
        .ingest_json(&serde_json::to_string(&data.records(true)).unwrap())
        .unwrap();
    let mut by_csv = Scorer::new(&opts).unwrap();
    by_csv
        .ingest_csv(&data.to_csv(), &CsvOptions::default())
        .unwrap();
    let mut by_columns = Scorer::new(&opts).unwrap();
    by_columns.ingest_columns(&data.columns()).unwrap();
    let r = by_records.score(&ScoreOptions::default()).unwrap();
    assert_eq!(r.clients.len(), 300);
    assert_eq!(r, by_json.score(&ScoreOptions::default()).unwrap());
    assert_eq!(r, by_csv.score(&ScoreOptions::default()).unwrap());
    assert_eq!(r, by_columns.score(&ScoreOptions::default()).unwrap());
    assert!(by_records.ledger() == by_columns.ledger());
    // Every status is reachable on realistic data.
    let c = &r.portfolio.status_counts;
    assert!(
        c.new > 0 && c.active > 0 && c.at_risk > 0 && c.dormant > 0 && c.churned > 0,
        "{c:?}"
    );
}

#[test]
fn a_rejected_batch_leaves_state_exactly_as_it_was() {
    let data = synth::generate(5, 50, 1_000).unwrap();
    let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
    s.ingest_columns(&data.columns()).unwrap();
    let before_ledger = s.ledger().clone();
    let before = s.score(&ScoreOptions::default()).unwrap();
    // Good rows first, a bad one last: nothing of the batch may land.
    let mut csv = String::from("clientId,timestamp,kind,value\n");
    for i in 0..100 {
        csv.push_str(&format!("new{i},2024-06-01,purchase,5\n"));
    }
    csv.push_str("x,2024-06-01,purchase,-1\n");
    let e = s.ingest_csv(&csv, &CsvOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.row, e.field.as_deref()),
        (ErrorCode::NegativeValue, Some(101), Some("value"))
    );
    let e = s.ingest_json(r#"[{"clientId":"c000001","timestamp":"2024-06-01","kind":"usage"},{"clientId":"z","timestamp":"2024-06-01","kind":"nap"}]"#).unwrap_err();
    assert_eq!((e.code, e.row), (ErrorCode::UnknownKind, Some(2)));
    assert!(s.ledger() == &before_ledger);
    assert_eq!(s.score(&ScoreOptions::default()).unwrap(), before);
}

#[test]
fn lenient_mode_reports_skipped_rows_in_the_report() {
    let mut s =
        Scorer::new(&ScorerOptions::from_json(r#"{"mode": "lenient", "maxIssues": 2}"#).unwrap())
            .unwrap();
    let sum = s
        .ingest_csv("clientId,timestamp,kind\na,2024-06-01,usage\nb,not a date,usage\nc,2024-06-02,warp\nd,2024-06-03,usage\ne,,usage\n", &CsvOptions::default())
        .unwrap();
    assert_eq!(
        (sum.rows, sum.accepted, sum.skipped, sum.issues.len()),
        (5, 2, 3, 2)
    );
    assert_eq!(sum.issues[0].row, 2);
    assert_eq!(sum.issues[0].field.as_deref(), Some("timestamp"));
    let r = s.score(&ScoreOptions::default()).unwrap();
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "ROWS_SKIPPED")
        .unwrap();
    assert_eq!(w.issues.len(), 2);
    assert!(w.message.starts_with("3 rows were skipped"));
}

#[test]
fn scoring_nothing_is_an_error_not_a_panic() {
    let s = Scorer::new(&ScorerOptions::default()).unwrap();
    assert_eq!(
        s.score(&ScoreOptions::default()).unwrap_err().code,
        ErrorCode::EmptyInput
    );
}
