//! The `Scorer` and `CsvReader` classes.

use wasm_bindgen::prelude::*;

use super::convert::{self, to_js, ColumnsIn};
use super::error::arg_error;
use crate::error::RapportError;
use crate::input::batch::IngestOptions;
use crate::input::columns::Columns;
use crate::input::csv::{CsvOptions, CsvReader};
use crate::report::backtest::BacktestOptions;
use crate::report::{HistoryOptions, ScoreOptions, Scorer, ScorerOptions};

type JsResult<T> = Result<T, JsValue>;

/// Scores clients from their events. Create one with options, ingest batches of events any
/// number of times, and call `score()` whenever a report is wanted.
#[wasm_bindgen(js_name = Scorer)]
pub struct JsScorer {
    inner: Scorer,
}

/// Reads CSV events pushed in chunks (a record may span chunks; rows are numbered across all of
/// them). Make one with `scorer.csvReader(options)`, `push` the chunks, then hand it to
/// `scorer.ingestCsvReader(reader)`, which adds what it read as one batch.
#[wasm_bindgen(js_name = CsvReader)]
pub struct JsCsvReader {
    inner: Option<CsvReader>,
}

#[wasm_bindgen(js_class = CsvReader)]
impl JsCsvReader {
    /// Reads the rows a chunk (text, or UTF-8 bytes) completes. In strict mode the first bad
    /// row throws, and so does every later push.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] chunk: JsValue,
    ) -> JsResult<()> {
        let bytes = convert::text_arg(&chunk, "chunk", true)?;
        Ok(self.reader()?.push(&bytes)?)
    }

    /// Data rows read so far.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |r| r.rows() as f64)
    }
}

impl JsCsvReader {
    fn reader(&mut self) -> Result<&mut CsvReader, RapportError> {
        self.inner
            .as_mut()
            .ok_or_else(|| arg_error("reader", "a CsvReader not yet ingested"))
    }
}

fn columns_of(c: &ColumnsIn) -> Columns<'_> {
    Columns {
        client_ids: &c.client_ids,
        client_index: &c.client_index,
        timestamps: &c.timestamps,
        kinds: &c.kinds,
        values: c.values.as_deref(),
        feature_names: &c.feature_names,
        feature_index: c.feature_index.as_deref(),
        messages: c.messages.as_deref(),
        costs: c.costs.as_deref(),
        reopened: c.reopened.as_deref(),
    }
}

#[wasm_bindgen(js_class = Scorer)]
impl JsScorer {
    /// Creates a scorer. Throws a RapportError (`UNKNOWN_CONFIG_KEY`, `INVALID_CONFIG`) naming
    /// the key of a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ScorerOptions")] options: JsValue,
    ) -> JsResult<JsScorer> {
        let opts: ScorerOptions = convert::options(&options, "options")?;
        Ok(JsScorer {
            inner: Scorer::new(&opts)?,
        })
    }

    /// Ingests an array of event objects. Strict mode rejects the whole batch on the first bad
    /// row; lenient mode skips bad rows and lists them in the summary.
    #[wasm_bindgen(unchecked_return_type = "IngestSummary")]
    pub fn ingest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RawEvent[]")] events: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IngestOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: IngestOptions = convert::options(&options, "options")?;
        let (cols, rows) = convert::object_columns(&events)?;
        Ok(to_js(&self.inner.ingest_objects(&cols, rows, &opts)?)?)
    }

    /// Ingests a JSON array of event objects given as text, or as its UTF-8 bytes (a request
    /// body read as bytes needs no decoding into a string first).
    #[wasm_bindgen(js_name = ingestJson, unchecked_return_type = "IngestSummary")]
    pub fn ingest_json(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IngestOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let text = convert::text_arg(&text, "text", true)?;
        let opts: IngestOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.ingest_json_with(&text, &opts)?)?)
    }

    /// Ingests CSV text with a header row, given as a string or as its UTF-8 bytes (a file read
    /// as bytes); `options.columns` maps rapport's fields to the file's column names.
    #[wasm_bindgen(js_name = ingestCsv, unchecked_return_type = "IngestSummary")]
    pub fn ingest_csv(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let text = convert::text_arg(&text, "text", true)?;
        let opts: CsvOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.ingest_csv_bytes(&text, &opts)?)?)
    }

    /// A reader for CSV events that arrive in chunks (a large file read piece by piece), under
    /// this scorer's mode.
    #[wasm_bindgen(js_name = csvReader)]
    pub fn csv_reader(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvOptions")] options: JsValue,
    ) -> JsResult<JsCsvReader> {
        let opts: CsvOptions = convert::options(&options, "options")?;
        Ok(JsCsvReader {
            inner: Some(self.inner.csv_reader(&opts)?),
        })
    }

    /// Ingests what a `CsvReader` read, as one batch; the reader is used up.
    #[wasm_bindgen(js_name = ingestCsvReader, unchecked_return_type = "IngestSummary")]
    pub fn ingest_csv_reader(&mut self, reader: JsCsvReader) -> JsResult<JsValue> {
        let r = reader
            .inner
            .ok_or_else(|| arg_error("reader", "a CsvReader not yet ingested"))?;
        Ok(to_js(&self.inner.ingest_csv_reader(r)?)?)
    }

    /// Ingests events given as typed arrays: the fast path for large data.
    #[wasm_bindgen(js_name = ingestColumns, unchecked_return_type = "IngestSummary")]
    pub fn ingest_columns(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ColumnarEvents")] columns: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IngestOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let cols = convert::columns_arg(&columns)?;
        let opts: IngestOptions = convert::options(&options, "options")?;
        Ok(to_js(
            &self.inner.ingest_columns_with(&columns_of(&cols), &opts)?,
        )?)
    }

    /// Scores every client and summarises the portfolio.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        Ok(convert::json_to_js(&self.score_json(options)?)?)
    }

    /// The report as JSON text (skips building JS objects when the report goes straight out,
    /// e.g. as an HTTP response).
    #[wasm_bindgen(js_name = scoreJson)]
    pub fn score_json(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<String> {
        let opts: ScoreOptions = convert::options(&options, "options")?;
        Ok(convert::to_json(&self.inner.score(&opts)?)?)
    }

    /// Every client's results as columns of typed arrays (one entry per client, sorted by id),
    /// and the portfolio: the way to score a book of any size. Categorical results are codes
    /// into `names`; `explain(clientId)` gives one client's every component, reason and play.
    #[wasm_bindgen(js_name = scoreTable, unchecked_return_type = "Table")]
    pub fn score_table(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: ScoreOptions = convert::options(&options, "options")?;
        Ok(convert::table_to_js(&self.inner.score_table(&opts)?)?)
    }

    /// One client's full results: every component, reason and play, the same numbers as its
    /// row of `scoreTable`. Throws `UNKNOWN_CLIENT` for a client not in the ledger or not
    /// active by `asOf`.
    #[wasm_bindgen(unchecked_return_type = "ClientScore")]
    pub fn explain(
        &self,
        #[wasm_bindgen(js_name = clientId, unchecked_param_type = "string")] client_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let id = convert::string_arg(&client_id, "clientId")?;
        let opts: ScoreOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.explain(&id, &opts)?)?)
    }

    /// Several clients' full results, in the order asked (at most 200,000 at a time).
    #[wasm_bindgen(js_name = explainMany, unchecked_return_type = "ClientScore[]")]
    pub fn explain_many(
        &self,
        #[wasm_bindgen(js_name = clientIds, unchecked_param_type = "string[]")] client_ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let ids = convert::strings_arg(&client_ids, "clientIds")?;
        let opts: ScoreOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.explain_many(&ids, &opts)?)?)
    }

    /// Does each score predict anything? Scores the book as of a past day from the events up
    /// to it and measures every score and the baselines (recency, frequency, RFM sum) against
    /// activity in the `horizon` days after: AUC, lift in the top decile, and for
    /// probabilities the Brier score and calibration by decile.
    #[wasm_bindgen(unchecked_return_type = "Backtest")]
    pub fn backtest(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BacktestOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: BacktestOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.backtest(&opts)?)?)
    }

    /// The portfolio alone: counts, summaries, lifecycle and stickiness.
    #[wasm_bindgen(unchecked_return_type = "Portfolio")]
    pub fn portfolio(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: ScoreOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.portfolio(&opts)?)?)
    }

    /// Scores over time: per-period portfolio and client scores, segment and status
    /// migrations between two dates, alerts for clients whose scores fell, cohort retention.
    #[wasm_bindgen(unchecked_return_type = "History")]
    pub fn history(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "HistoryOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: HistoryOptions = convert::options(&options, "options")?;
        Ok(to_js(&self.inner.history(&opts)?)?)
    }

    /// The ledger as versioned bytes, to keep in Workers KV, IndexedDB or a file.
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
    }

    /// A scorer over a ledger read from `snapshot()` bytes. Throws `NOT_A_SNAPSHOT`,
    /// `CORRUPT_SNAPSHOT` or `UNSUPPORTED_SNAPSHOT_VERSION` for bad bytes.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScorerOptions")] options: JsValue,
    ) -> JsResult<JsScorer> {
        let bytes = convert::bytes_arg(&bytes, "bytes")?;
        let opts: ScorerOptions = convert::options(&options, "options")?;
        Ok(JsScorer {
            inner: Scorer::restore(&bytes, &opts)?,
        })
    }

    /// Merges another scorer's ledger into this one (events of both, as if ingested here).
    /// A scorer merged with itself, a freed one, or something that is not a scorer is a coded
    /// error, and this scorer stays as it was.
    pub fn merge(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Scorer")] other: JsValue,
    ) -> JsResult<()> {
        let bytes = convert::snapshot_of(&other)?;
        Ok(self.inner.merge_snapshot(&bytes)?)
    }

    /// Merges a ledger snapshot into this scorer.
    #[wasm_bindgen(js_name = mergeSnapshot)]
    pub fn merge_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> JsResult<()> {
        let bytes = convert::bytes_arg(&bytes, "bytes")?;
        Ok(self.inner.merge_snapshot(&bytes)?)
    }

    /// The customer-base models' summary of every client with a purchase (or renewal):
    /// `frequency`, `recency`, `T`, `monetaryValue`, and holdout counts with a calibration end.
    #[cfg(feature = "models")]
    #[wasm_bindgen(unchecked_return_type = "ClientSummary[]")]
    pub fn summary(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let opts: crate::models::summary::SummaryOptions = convert::options(&options, "options")?;
        let rows = crate::models::summary::summarize_ledger(self.inner.ledger(), &opts)?;
        Ok(to_js(&rows)?)
    }

    /// Clients in the ledger.
    #[wasm_bindgen(getter, js_name = clientCount)]
    pub fn client_count(&self) -> u32 {
        self.inner.ledger().len() as u32
    }

    /// Events in the ledger.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> f64 {
        self.inner.ledger().event_count() as f64
    }
}
