//! The scorer: checked options, a ledger, and the rows lenient batches skipped. Ingest, merge
//! and snapshots live here; `score` and `history` in their own modules.

use std::cell::RefCell;
use std::sync::Arc;

use super::book::Book;
use super::options::{Config, ScorerOptions};
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::batch::{Batch, IngestOptions, IngestSummary, Policy, RowIssue};
use crate::input::csv::{CsvOptions, CsvReader};
use crate::input::event::{RawEvent, TimestampInput};
use crate::input::records::ObjectColumns;
use crate::input::{columns, json, records, time};
use crate::ledger::Ledger;
use crate::memory;

/// Options, a ledger, and the rows lenient batches skipped.
#[derive(Clone, Debug)]
pub struct Scorer {
    config: Config,
    ledger: Ledger,
    batches: u32,
    skipped: u64,
    issues: Vec<RowIssue>,
    /// Counts the changes to the ledger, so a kept book knows when it is stale.
    revision: u64,
    book: RefCell<Option<Arc<Book>>>,
}

impl Scorer {
    pub fn new(options: &ScorerOptions) -> Result<Scorer> {
        Ok(Scorer {
            config: options.resolve()?,
            ledger: Ledger::new(),
            batches: 0,
            skipped: 0,
            issues: Vec::new(),
            revision: 0,
            book: RefCell::new(None),
        })
    }

    /// Counts the changes to the ledger.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub(super) fn kept_book(&self) -> Option<Arc<Book>> {
        self.book.borrow().clone()
    }

    pub(super) fn keep_book(&self, book: Arc<Book>) {
        *self.book.borrow_mut() = Some(book);
    }

    /// After a change to the ledger: the kept book no longer holds.
    fn changed(&mut self) {
        self.revision += 1;
        *self.book.get_mut() = None;
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Rows skipped by lenient ingests so far, and the first `maxIssues` of them.
    pub fn skipped(&self) -> (u64, &[RowIssue]) {
        (self.skipped, &self.issues)
    }

    /// The scorer's policy with a call's row offset.
    pub fn policy(&self, o: &IngestOptions) -> Policy {
        Policy {
            row_offset: o.row_offset,
            ..self.config.policy()
        }
    }

    /// Applies a validated batch; on error nothing has changed.
    pub fn ingest_batch(&mut self, batch: Batch) -> Result<IngestSummary> {
        memory::ready()?;
        let stats = self.ledger.apply(&batch)?;
        self.changed();
        self.batches += 1;
        self.skipped += batch.skipped;
        let room = self
            .config
            .options
            .max_issues
            .saturating_sub(self.issues.len() as u32) as usize;
        let batch_no = self.batches;
        self.issues
            .extend(batch.issues.iter().take(room).cloned().map(|i| RowIssue {
                batch: Some(batch_no),
                ..i
            }));
        Ok(IngestSummary {
            rows: batch.rows,
            accepted: stats.accepted,
            skipped: batch.skipped,
            issues: batch.issues,
            new_clients: stats.new_clients,
        })
    }

    pub fn ingest_records(&mut self, records: &[RawEvent]) -> Result<IngestSummary> {
        let policy = self.config.policy();
        self.ingest_batch(memory::call(|| records::from_records(records, policy))?)
    }

    /// Ingests an array of `rows` objects sorted into columns (the JavaScript path).
    pub fn ingest_objects(
        &mut self,
        cols: &ObjectColumns,
        rows: usize,
        o: &IngestOptions,
    ) -> Result<IngestSummary> {
        let policy = self.policy(o);
        self.ingest_batch(memory::call(|| records::from_objects(cols, rows, policy))?)
    }

    pub fn ingest_json(&mut self, text: &str) -> Result<IngestSummary> {
        self.ingest_json_with(text.as_bytes(), &IngestOptions::default())
    }

    /// A JSON array of events given as UTF-8 (a string that is not valid UTF-8 is a bad row).
    pub fn ingest_json_with(&mut self, text: &[u8], o: &IngestOptions) -> Result<IngestSummary> {
        let policy = self.policy(o);
        self.ingest_batch(memory::call(|| json::from_json(text, policy))?)
    }

    pub fn ingest_csv(&mut self, text: &str, options: &CsvOptions) -> Result<IngestSummary> {
        self.ingest_csv_bytes(text.as_bytes(), options)
    }

    /// CSV given as UTF-8 bytes (a field that is not valid UTF-8 is a bad row).
    pub fn ingest_csv_bytes(
        &mut self,
        bytes: &[u8],
        options: &CsvOptions,
    ) -> Result<IngestSummary> {
        let mut reader = self.csv_reader(options)?;
        memory::call(|| reader.push(bytes))?;
        self.ingest_csv_reader(reader)
    }

    /// A reader for CSV events in chunks, under this scorer's mode; ingest what it read with
    /// [`Scorer::ingest_csv_reader`].
    pub fn csv_reader(&self, options: &CsvOptions) -> Result<CsvReader> {
        CsvReader::new(options, self.config.policy())
    }

    pub fn ingest_csv_reader(&mut self, reader: CsvReader) -> Result<IngestSummary> {
        self.ingest_batch(memory::call(|| reader.finish())?)
    }

    pub fn ingest_columns(&mut self, cols: &columns::Columns<'_>) -> Result<IngestSummary> {
        self.ingest_columns_with(cols, &IngestOptions::default())
    }

    pub fn ingest_columns_with(
        &mut self,
        cols: &columns::Columns<'_>,
        o: &IngestOptions,
    ) -> Result<IngestSummary> {
        let policy = self.policy(o);
        self.ingest_batch(memory::call(|| columns::from_columns(cols, policy))?)
    }

    /// Merges another scorer's ledger (e.g. from another shard or Worker) into this one.
    pub fn merge(&mut self, other: &Scorer) -> Result<()> {
        memory::ready()?;
        self.ledger.merge(&other.ledger)?;
        self.changed();
        Ok(())
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.ledger.to_snapshot()
    }

    /// A scorer with the given options over a ledger read from a snapshot.
    pub fn restore(bytes: &[u8], options: &ScorerOptions) -> Result<Scorer> {
        let mut s = Scorer::new(options)?;
        s.ledger = memory::call(|| Ledger::from_snapshot(bytes))?;
        Ok(s)
    }

    /// Merges a snapshot's ledger into this one.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<()> {
        let other = memory::call(|| Ledger::from_snapshot(bytes))?;
        self.ledger.merge(&other)?;
        self.changed();
        Ok(())
    }

    /// The instant to score as of: `as_of`, the scorer's `asOf`, or the latest event.
    pub fn resolve_as_of(&self, as_of: &Option<TimestampInput>) -> Result<i64> {
        let as_of_ms = match as_of {
            Some(_) => time::date_option(as_of, "asOf")?,
            None => self.config.as_of_ms,
        };
        as_of_ms
            .or_else(|| self.ledger.last_event_ms())
            .ok_or_else(|| {
                RapportError::new(
                    ErrorCode::EmptyInput,
                    "nothing to score: no events have been ingested",
                )
            })
    }
}
