//! Native benchmark: ingest + score synthetic events through each input path.
//! Prints one JSON line per measurement; `benches/run.mjs` turns them into BENCHMARKS.md.
//! Usage: `cargo run --release --bin rapport-bench -- [events] [clients] [repeats]`

use std::time::Instant;

use rapport::input::synth;
use rapport::input::CsvOptions;
use rapport::report::ScorerOptions;
use rapport::report::{ScoreOptions, Scorer};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn best<F: FnMut() -> (f64, f64)>(repeats: usize, mut f: F) -> (f64, f64) {
    (0..repeats)
        .map(|_| f())
        .fold((f64::INFINITY, f64::INFINITY), |a, b| {
            (a.0.min(b.0), a.1.min(b.1))
        })
}

/// `history` over 100,000 clients (1,000,000 events) and 520 weekly periods, the portfolio at
/// each: once with the synthetic year of events, once with the same events spread over ten
/// years (so most clients are scored at most dates).
fn history(repeats: usize) {
    let options: rapport::report::HistoryOptions =
        serde_json::from_str(r#"{"periods":520,"clients":false}"#).expect("options");
    for spread in [1.0, 10.0] {
        let mut data = synth::generate(42, 100_000, 1_000_000).unwrap();
        let end = data.end_day as f64 * 86_400_000.0;
        for t in data.timestamps.iter_mut() {
            *t = end - (end - *t) * spread;
        }
        let mut s = Scorer::new(&ScorerOptions::default()).expect("default options");
        s.ingest_columns(&data.columns()).expect("columns");
        let (ms, _) = best(repeats, || {
            let t = Instant::now();
            let h = s.history(&options).expect("history");
            assert_eq!(h.portfolio.len(), 520);
            (t.elapsed().as_secs_f64() * 1e3, 0.0)
        });
        println!("{{\"host\":\"native\",\"history\":true,\"spreadYears\":{spread},\"clients\":100000,\"periods\":520,\"ms\":{ms:.1}}}");
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let events = args.first().copied().unwrap_or(1_000_000);
    let clients = args.get(1).copied().unwrap_or(50_000);
    let repeats = args.get(2).copied().unwrap_or(3);
    let data = synth::generate(42, clients, events).unwrap();
    let opts = ScorerOptions::default();
    let only = std::env::var("RAPPORT_BENCH_ONLY").ok();
    let skip = |name: &str| only.as_deref().is_some_and(|o| o != name);
    let run = |name: &str, ingest: &dyn Fn(&mut Scorer)| {
        let (ingest_s, score_s) = best(repeats, || {
            let mut s = Scorer::new(&opts).expect("default options");
            let t = Instant::now();
            ingest(&mut s);
            let ingest_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let table = s.score_table(&ScoreOptions::default()).expect("score");
            let score_s = t.elapsed().as_secs_f64();
            assert_eq!(table.client_ids.len(), clients);
            (ingest_s, score_s)
        });
        println!(
            "{{\"host\":\"native\",\"path\":\"{name}\",\"events\":{events},\"clients\":{clients},\"ingestMs\":{:.2},\"scoreMs\":{:.2},\"eventsPerSec\":{:.0}}}",
            ingest_s * 1e3,
            score_s * 1e3,
            events as f64 / (ingest_s + score_s)
        );
    };
    if !skip("columns") {
        run("columns", &|s| {
            s.ingest_columns(&data.columns()).expect("columns");
        });
    }
    if !skip("objects") {
        let records = data.records(false);
        run("objects", &|s| {
            s.ingest_records(&records).expect("records");
        });
    }
    if !skip("json") {
        let json = serde_json::to_string(&data.records(true)).unwrap_or_default();
        run("json", &|s| {
            s.ingest_json(&json).expect("json");
        });
    }
    if !skip("csv") {
        let csv = data.to_csv();
        run("csv", &|s| {
            s.ingest_csv(&csv, &CsvOptions::default()).expect("csv");
        });
    }
    let peak = peak_rss_mb();
    if !skip("history") {
        history(repeats.min(3));
    }
    println!("{{\"host\":\"native\",\"peakRssMb\":{peak:.1}}}");
}
