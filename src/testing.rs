//! Helpers for the crate's own unit tests.

use crate::input::batch::{Mode, Policy};
use crate::input::json::from_json;
use crate::input::time::days_from_civil;
use crate::ledger::Ledger;

/// A ledger of `(client, timestamp, kind)` events.
pub fn ledger_of(events: &[(&str, &str, &str)]) -> Ledger {
    let json: Vec<String> = events
        .iter()
        .map(|(c, t, k)| format!(r#"{{"clientId":"{c}","timestamp":"{t}","kind":"{k}"}}"#))
        .collect();
    let mut l = Ledger::new();
    l.apply(
        &from_json(
            format!("[{}]", json.join(",")),
            Policy::new(Mode::Strict, 10),
        )
        .unwrap(),
    )
    .unwrap();
    l
}

/// The day number of `YYYY-MM-DD`.
pub fn day(s: &str) -> i32 {
    let (y, m, d) = (
        s[0..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..10].parse().unwrap(),
    );
    days_from_civil(y, m, d) as i32
}
