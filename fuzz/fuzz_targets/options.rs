//! Options as JSON text: any text gives options that check, or a coded error; checked options
//! score a small book.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::report::{HistoryOptions, ScoreOptions, Scorer, ScorerOptions};

const EVENTS: &str = r#"[{"clientId":"a","timestamp":"2024-06-01","kind":"usage","feature":"x"},
{"clientId":"a","timestamp":"2024-06-20","kind":"purchase","value":10},
{"clientId":"b","timestamp":"2024-05-01","kind":"support","messages":4,"cost":3}]"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(o) = ScorerOptions::from_json(text) {
        if let Ok(mut s) = Scorer::new(&o) {
            s.ingest_json(EVENTS).unwrap();
            let _ = s.score(&ScoreOptions::default());
        }
    }
    if let Ok(h) = rapport::options::from_json::<HistoryOptions>(text) {
        let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
        s.ingest_json(EVENTS).unwrap();
        let _ = s.history(&h);
    }
    if let Ok(o) = rapport::options::from_json::<ScoreOptions>(text) {
        let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
        s.ingest_json(EVENTS).unwrap();
        let _ = s.score(&o);
    }
});
