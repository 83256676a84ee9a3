//! Events as CSV in chunks: any bytes, cut anywhere, give what the whole text gives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::input::{CsvOptions, CsvReader, Mode, Policy};
use rapport::report::{ScoreOptions, Scorer, ScorerOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    // Every field's column, then the fuzzer's rows (an odd second byte drops the header, so
    // headers are fuzzed too).
    let mut text = b"clientId,timestamp,kind,feature,value,messages,reopened,cost\n".to_vec();
    if cut & 2 == 2 {
        text.clear();
    }
    text.extend_from_slice(rest);
    let text = &text[..];
    let policy = Policy::new(
        if cut & 1 == 0 {
            Mode::Strict
        } else {
            Mode::Lenient
        },
        5,
    );
    let opts = CsvOptions::default();
    let whole = {
        let mut r = CsvReader::new(&opts, policy).unwrap();
        r.push(text).and_then(|()| r.finish())
    };
    let chunked = {
        let mut r = CsvReader::new(&opts, policy).unwrap();
        let size = (cut as usize >> 2).max(1);
        text.chunks(size)
            .try_for_each(|c| r.push(c))
            .and_then(|()| r.finish())
    };
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => assert_eq!(
            (&a.clients, &a.events, a.rows),
            (&b.clients, &b.events, b.rows)
        ),
        (Err(a), Err(b)) => assert_eq!(a.code, b.code),
        _ => panic!("chunks changed the outcome: {whole:?} / {chunked:?}"),
    }
    if let Ok(batch) = whole {
        let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
        s.ingest_batch(batch).unwrap();
        let _ = s.score(&ScoreOptions::default());
    }
});
