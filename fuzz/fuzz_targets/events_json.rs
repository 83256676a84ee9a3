//! Events as JSON text: any bytes give a batch or a coded error, and a batch scores.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::input::{self, Mode, Policy};
use rapport::report::{ScoreOptions, Scorer, ScorerOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, text)) = data.split_first() else {
        return;
    };
    let mode = if mode & 1 == 0 {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    if let Ok(batch) = input::from_json(text, Policy::new(mode, 5)) {
        assert_eq!(batch.rows, batch.events.len() as u64 + batch.skipped);
        let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
        s.ingest_batch(batch).unwrap();
        let _ = s.score(&ScoreOptions::default());
    }
});
