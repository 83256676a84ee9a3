//! rapport: turns a business's raw client events into classified, scored, explained clients.
//!
//! The core (every module but `wasm`) is plain Rust with no JavaScript types; the `wasm` module
//! is the only binding layer.

pub mod activity;
pub mod config;
pub mod error;
pub mod event;
pub mod ingest;
pub mod ledger;
pub mod time;

pub use error::{ErrorCode, RapportError, Result};
