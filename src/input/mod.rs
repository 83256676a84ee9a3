//! Input: events as callers send them, and the checks that turn them into a [`Batch`] the
//! ledger can apply whole.
//!
//! - [`event`]: the event kinds and fields, the loose input shape, and each field's check.
//! - [`time`]: ISO-8601 and epoch-millisecond timestamps, and calendar arithmetic.
//! - [`batch`]: a batch of validated events, the strict/lenient [`Policy`], row issues.
//! - [`records`], [`json`], [`csv`], [`columns`]: the four ways events arrive — records (or
//!   JavaScript objects sorted into columns), JSON text, CSV text in chunks, typed arrays.
//! - [`intern`]: one copy of each client id and feature name.
//! - [`synth`]: a seeded generator of SaaS-like events for tests, benchmarks and the demo.

pub mod batch;
pub mod columns;
pub mod csv;
pub mod event;
pub mod intern;
pub mod json;
mod json_plain;
pub mod records;
pub mod synth;
pub mod time;

pub use batch::{Batch, BatchEvent, IngestOptions, IngestSummary, Mode, Policy, RowIssue};
pub use columns::{from_columns, Columns};
pub use csv::{from_csv, CsvOptions, CsvReader};
pub use event::{EventField, EventKind, RawEvent, TimestampInput};
pub use json::from_json;
pub use records::{from_objects, from_records, ObjectColumns};
