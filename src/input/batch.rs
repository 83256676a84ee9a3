//! A batch: validated events with batch-local dictionaries of client ids and feature names,
//! built row by row under an ingest [`Policy`]. In strict mode the first bad row is an error; in
//! lenient mode bad rows are skipped and listed. The ledger applies a batch whole, so a
//! rejected batch never leaves state half-changed.

use serde::{Deserialize, Serialize};

use super::event::{CheckedValues, EventKind, EventParts};
use super::intern::Interner;
use crate::error::{ErrorCode, RapportError, Result};
use crate::options;

/// Most events one batch may hold: with the copies an ingest makes, about 2 GB of wasm's 4 GiB.
pub const MAX_BATCH_EVENTS: usize = 20_000_000;
/// Most skipped rows a batch lists (all are counted).
pub const MAX_ISSUES: u32 = 100_000;
/// Sentinel for "no feature" in [`BatchEvent::feature`] and in columnar feature indices.
pub const NO_FEATURE: u32 = u32::MAX;
const NONE_I64: i64 = i64::MIN;
const NONE_U32: u32 = u32::MAX;

/// How a batch with bad rows is treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The whole batch is rejected with an error naming the first bad row and field (default).
    #[default]
    Strict,
    /// Bad rows are skipped and reported; the rest is ingested.
    Lenient,
}

/// How one ingest call treats bad rows and numbers its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    /// Most skipped rows listed (lenient mode).
    pub max_issues: usize,
    /// Added to every row number, so that a caller feeding a file in parts gets file-wide
    /// row numbers.
    pub row_offset: u64,
}

impl Policy {
    pub fn new(mode: Mode, max_issues: usize) -> Policy {
        Policy {
            mode,
            max_issues,
            row_offset: 0,
        }
    }

    /// Checks the scorer-level ingest options (`mode` has no bad value; `maxIssues` does).
    pub fn check_max_issues(max_issues: u32) -> Result<()> {
        if max_issues > MAX_ISSUES {
            return Err(options::bad(
                "maxIssues",
                format!("must be at most {MAX_ISSUES}"),
            ));
        }
        Ok(())
    }
}

/// Options of one ingest call (`ingest`, `ingestJson`, `ingestColumns`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct IngestOptions {
    /// Added to the row numbers in errors and skipped-row issues: pass the rows already sent
    /// when one input is ingested in parts. Default 0.
    pub row_offset: u64,
}

/// A validated event inside a batch, compact: ids point into the batch's dictionaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchEvent {
    pub at_ms: i64,
    value_micros: i64,
    cost_micros: i64,
    pub client: u32,
    pub feature: u32,
    messages: u32,
    pub kind: EventKind,
    pub reopened: bool,
}

impl BatchEvent {
    /// A placeholder, for filling buffers before they are written.
    pub const EMPTY: BatchEvent = BatchEvent {
        at_ms: 0,
        value_micros: NONE_I64,
        cost_micros: NONE_I64,
        client: 0,
        feature: NO_FEATURE,
        messages: NONE_U32,
        kind: EventKind::Usage,
        reopened: false,
    };

    pub fn new(client: u32, feature: u32, v: CheckedValues) -> Self {
        BatchEvent {
            at_ms: v.at_ms,
            value_micros: v.value_micros.unwrap_or(NONE_I64),
            cost_micros: v.cost_micros.unwrap_or(NONE_I64),
            client,
            feature,
            messages: v.messages.unwrap_or(NONE_U32),
            kind: v.kind,
            reopened: v.reopened,
        }
    }
    pub fn value_micros(&self) -> Option<i64> {
        (self.value_micros != NONE_I64).then_some(self.value_micros)
    }
    pub fn cost_micros(&self) -> Option<i64> {
        (self.cost_micros != NONE_I64).then_some(self.cost_micros)
    }
    pub fn messages(&self) -> Option<u32> {
        (self.messages != NONE_U32).then_some(self.messages)
    }
}

/// A row a lenient batch skipped, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    /// 1-based position of the row in its input (for CSV, the data row; the header is not
    /// counted), plus the call's `rowOffset`.
    pub row: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The error's code, e.g. `INVALID_TIMESTAMP`.
    pub code: ErrorCode,
    pub message: String,
    /// In a report's warning: which ingest call (1 for the first) skipped the row.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<u32>,
}

/// What one ingest call did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct IngestSummary {
    /// Rows read.
    pub rows: u64,
    /// Events added to the ledger.
    pub accepted: u64,
    /// Rows skipped (lenient mode only; strict mode rejects the batch instead).
    pub skipped: u64,
    /// The skipped rows, up to `maxIssues` of them.
    pub issues: Vec<RowIssue>,
    /// Clients seen for the first time.
    pub new_clients: u64,
}

/// Validated events with batch-local dictionaries of client ids and feature names.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub clients: Vec<String>,
    pub features: Vec<String>,
    pub events: Vec<BatchEvent>,
    pub rows: u64,
    pub skipped: u64,
    pub issues: Vec<RowIssue>,
}

/// Builds a [`Batch`] row by row, applying the strict or lenient policy.
pub struct BatchBuilder {
    policy: Policy,
    batch: Batch,
    /// The batch's clients and features as read (row by row); the dictionaries given with
    /// [`BatchBuilder::with_dictionaries`] go straight into the batch instead.
    clients: Interner,
    features: Interner,
}

impl BatchBuilder {
    pub fn new(policy: Policy) -> Self {
        BatchBuilder {
            policy,
            batch: Batch::default(),
            clients: Interner::default(),
            features: Interner::default(),
        }
    }

    /// Records a bad row (`row` is 1-based in this input): an error in strict mode, a skipped
    /// row in lenient mode.
    pub fn reject(&mut self, row: u64, err: RapportError) -> Result<()> {
        self.batch.rows += 1;
        let row = row + self.policy.row_offset;
        match self.policy.mode {
            Mode::Strict => Err(err.at_row(row)),
            Mode::Lenient => {
                self.batch.skipped += 1;
                if self.batch.issues.len() < self.policy.max_issues {
                    self.batch.issues.push(RowIssue {
                        row,
                        field: err.field.clone(),
                        code: err.code,
                        message: err.message,
                        batch: None,
                    });
                }
                Ok(())
            }
        }
    }

    fn check_size(&mut self) -> Result<()> {
        if self.batch.rows as usize >= MAX_BATCH_EVENTS {
            return Err(too_many());
        }
        // Grow in steps the allocator may refuse, and stop when memory ran short.
        if self.batch.events.len() == self.batch.events.capacity() {
            crate::memory::check()?;
            let more = self.batch.events.len().clamp(1024, 1 << 22);
            crate::memory::reserve(&mut self.batch.events, more)?;
        }
        Ok(())
    }

    /// Adds one row given as parts. `rename` maps rapport's field names to the caller's.
    pub fn push(
        &mut self,
        row: u64,
        parts: &EventParts<'_>,
        rename: &dyn Fn(&str) -> String,
    ) -> Result<()> {
        self.check_size()?;
        match parts.check() {
            Ok((client, values, feature)) => {
                self.batch.rows += 1;
                let c = self.clients.intern(client).0;
                let f = match feature {
                    Some(f) => self.features.intern(f).0,
                    None => NO_FEATURE,
                };
                self.batch.events.push(BatchEvent::new(c, f, values));
                Ok(())
            }
            Err(mut e) => {
                e.field = e.field.map(|f| rename(&f));
                self.reject(row, e)
            }
        }
    }

    /// Adds an event already checked, whose ids point into dictionaries set with
    /// [`BatchBuilder::with_dictionaries`].
    pub fn push_checked(&mut self, ev: BatchEvent) {
        self.batch.rows += 1;
        self.batch.events.push(ev);
    }

    /// Starts the batch with given dictionaries (columnar input), reserving room for `events`.
    pub fn with_dictionaries(
        &mut self,
        clients: Vec<String>,
        features: Vec<String>,
        events: usize,
    ) -> Result<()> {
        self.batch.clients = clients;
        self.batch.features = features;
        crate::memory::reserve(&mut self.batch.events, events)
    }

    /// Rows read so far.
    pub fn rows(&self) -> u64 {
        self.batch.rows
    }

    pub fn finish(mut self) -> Result<Batch> {
        if self.batch.rows == 0 {
            return Err(RapportError::new(
                ErrorCode::EmptyInput,
                "the batch holds no events",
            ));
        }
        if !self.clients.is_empty() {
            self.batch.clients = self.clients.into_strings();
        }
        if !self.features.is_empty() {
            self.batch.features = self.features.into_strings();
        }
        Ok(self.batch)
    }
}

/// The error for a batch past [`MAX_BATCH_EVENTS`].
pub fn too_many() -> RapportError {
    RapportError::new(
        ErrorCode::TooLarge,
        format!("a batch may hold at most {MAX_BATCH_EVENTS} events; split the input"),
    )
}

/// Keeps a caller's field names as they are.
pub fn same(s: &str) -> String {
    s.to_string()
}

/// Whether two readings of one input agree: the same batch, or the same error (code, row,
/// field and message). The property tests hold each fast reader to its reference with it.
#[cfg(test)]
pub fn same_reading(a: &Result<Batch>, b: &Result<Batch>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => {
            (
                &x.clients,
                &x.features,
                &x.events,
                x.rows,
                x.skipped,
                &x.issues,
            ) == (
                &y.clients,
                &y.features,
                &y.events,
                y.rows,
                y.skipped,
                &y.issues,
            )
        }
        (Err(x), Err(y)) => {
            (x.code, x.row, &x.field, &x.message) == (y.code, y.row, &y.field, &y.message)
        }
        _ => false,
    }
}
