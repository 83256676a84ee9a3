//! rapport: turns a business's raw client events into classified, scored, explained clients.
//!
//! The modules follow the data, and each imports only those before it:
//!
//! 1. [`error`], [`codes`], [`memory`], [`options`], [`text`] — what every layer shares: coded
//!    errors, the code enums, running short of memory without dying, option checks that name
//!    their key, and how numbers read in reports.
//! 2. [`input`] — events as they arrive (objects, JSON, CSV, typed columns), checked into
//!    batches.
//! 3. [`ledger`] — one order-independent record per client, merges and snapshots.
//! 4. [`models`] — the customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB, sBG),
//!    fitted to summaries of the ledger or of a caller's table.
//! 5. [`scores`] — each score in its own file beside its options: activity, engagement,
//!    effectiveness, relationship, RFM, plays.
//! 6. [`report`] — the scorer: options composed, reports, history.
//! 7. `wasm` — the JavaScript bindings (wasm32 only): conversion of values and errors, nothing
//!    else.
//!
//! Everything but `wasm` is plain Rust with no JavaScript types, built and tested natively.

pub mod codes;
pub mod error;
pub mod input;
pub mod ledger;
pub mod memory;
pub mod models;
pub mod options;
pub mod report;
pub mod scores;
pub mod text;

#[cfg(test)]
mod testing;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{ErrorCode, RapportError, Result};
