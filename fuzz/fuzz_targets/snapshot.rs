//! Snapshot bytes: any bytes are refused with a code or read as a ledger that writes itself
//! back byte for byte and scores. The first byte picks whether the checksum is made valid, so
//! forgeries reach the decoder.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::ledger::Ledger;
use rapport::report::{ScoreOptions, Scorer, ScorerOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&forge, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if forge & 1 == 1 {
        // A valid header and checksum over whatever follows.
        let mut b = b"RAPPORT\x1a".to_vec();
        b.extend_from_slice(&3u16.to_le_bytes());
        b.extend_from_slice(&crc(rest).to_le_bytes());
        b.extend_from_slice(rest);
        bytes = b;
    }
    if let Ok(l) = Ledger::from_snapshot(&bytes) {
        let again = Ledger::from_snapshot(&l.to_snapshot()).unwrap();
        assert!(again == l);
        let s = Scorer::restore(&bytes, &ScorerOptions::default()).unwrap();
        if !l.is_empty() {
            s.score(&ScoreOptions::default()).unwrap();
        }
    }
});

fn crc(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}
