//! rapport: turns a business's raw client events into classified, scored, explained clients.
//!
//! The core (every module but `wasm`) is plain Rust with no JavaScript types; the `wasm` module
//! is the only binding layer.

pub mod activity;
pub mod config;
pub mod effectiveness;
pub mod engagement;
pub mod error;
pub mod event;
pub mod ingest;
pub mod ledger;
pub mod models;
pub mod monitoring;
pub mod plays;
pub mod relationship;
pub mod rfm;
pub mod scorer;
pub mod synth;
pub mod time;

pub use error::{ErrorCode, RapportError, Result};

/// A number of days or events for text: whole numbers without decimals.
pub(crate) fn activity_fmt(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).to_string()
    } else {
        format!("{n:.1}")
    }
}
#[cfg(target_arch = "wasm32")]
pub mod wasm;
