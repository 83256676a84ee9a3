//! The three ways events come in — records (JS objects or JSON), CSV text, and typed columns —
//! all validated into one [`Batch`] before anything touches a ledger. A batch either holds only
//! good events (strict mode: the first bad row is an error) or good events plus a report of the
//! rows it skipped (lenient mode). The ledger applies a batch whole, so a rejected batch never
//! leaves state half-changed.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{options_error, strip_position, Mode};
use crate::error::{ErrorCode, RapportError, Result};
use crate::event::{
    self, check_amount, check_count, check_text, CheckedValues, EventField, EventKind, EventParts,
    RawEvent, TimestampRef,
};
use crate::ledger::{intern, Index};
use crate::time;

/// Most events one batch may hold.
pub const MAX_BATCH_EVENTS: usize = 50_000_000;
/// Sentinel for "no feature" in [`BatchEvent::feature`] and in columnar feature indices.
pub const NO_FEATURE: u32 = u32::MAX;
const NONE_I64: i64 = i64::MIN;
const NONE_U32: u32 = u32::MAX;

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

    fn new(client: u32, feature: u32, v: CheckedValues) -> Self {
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
    /// 1-based position of the row in its batch (for CSV, the data row; the header is not counted).
    pub row: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// An error code, e.g. `INVALID_TIMESTAMP`.
    pub code: String,
    pub message: String,
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
    mode: Mode,
    max_issues: usize,
    batch: Batch,
    client_ix: Index,
    feature_ix: Index,
}

impl BatchBuilder {
    pub fn new(mode: Mode, max_issues: usize) -> Self {
        BatchBuilder {
            mode,
            max_issues,
            batch: Batch::default(),
            client_ix: Index::default(),
            feature_ix: Index::default(),
        }
    }

    /// Records a bad row: an error in strict mode, a skipped row in lenient mode.
    pub fn reject(&mut self, row: u64, err: RapportError) -> Result<()> {
        self.batch.rows += 1;
        match self.mode {
            Mode::Strict => Err(err.at_row(row)),
            Mode::Lenient => {
                self.batch.skipped += 1;
                if self.batch.issues.len() < self.max_issues {
                    self.batch.issues.push(RowIssue {
                        row,
                        field: err.field.clone(),
                        code: err.code.as_str().to_string(),
                        message: err.message,
                    });
                }
                Ok(())
            }
        }
    }

    fn check_size(&self) -> Result<()> {
        if self.batch.rows as usize >= MAX_BATCH_EVENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!("a batch may hold at most {MAX_BATCH_EVENTS} events; split the input"),
            ));
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
                let c = intern(&mut self.batch.clients, &mut self.client_ix, client).0;
                let f = match feature {
                    Some(f) => intern(&mut self.batch.features, &mut self.feature_ix, f).0,
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

    pub fn finish(self) -> Result<Batch> {
        if self.batch.rows == 0 {
            return Err(RapportError::new(
                ErrorCode::EmptyInput,
                "the batch holds no events",
            ));
        }
        Ok(self.batch)
    }
}

fn same(s: &str) -> String {
    s.to_string()
}

/// Validates an array of records (already deserialized).
pub fn from_records(records: &[RawEvent], mode: Mode, max_issues: usize) -> Result<Batch> {
    let mut b = BatchBuilder::new(mode, max_issues);
    for (i, r) in records.iter().enumerate() {
        b.push(i as u64 + 1, &r.parts(), &same)?;
    }
    b.finish()
}

/// Reads a JSON array of event objects. A row that is not an object of the right shape is a
/// bad row (named by index and field), not a failure of the whole text.
pub fn from_json(text: &str, mode: Mode, max_issues: usize) -> Result<Batch> {
    // Fast path: one pass that borrows strings from the text. Any row of the wrong shape makes
    // it fail as a whole; the careful path below then finds and names that row.
    if let Ok(rows) = serde_json::from_str::<Vec<BorrowedEvent<'_>>>(text) {
        let mut b = BatchBuilder::new(mode, max_issues);
        for (i, r) in rows.iter().enumerate() {
            b.push(i as u64 + 1, &r.parts(), &same)?;
        }
        return b.finish();
    }
    // First split the array into raw elements (checks the syntax of the whole text at once),
    // then read each element on its own, so a bad row is named without building a JSON tree.
    let rows: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| {
        RapportError::new(
            ErrorCode::InvalidJson,
            format!("events must be a JSON array of objects: {e}"),
        )
    })?;
    let mut b = BatchBuilder::new(mode, max_issues);
    for (i, raw) in rows.into_iter().enumerate() {
        let row = i as u64 + 1;
        match record_from_json(raw.get()) {
            Ok(r) => b.push(row, &r.parts(), &same)?,
            Err(e) => b.reject(row, e)?,
        }
    }
    b.finish()
}

/// An event read from JSON text without copying its strings (escaped strings are unescaped
/// into owned ones). Same fields and meaning as [`RawEvent`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BorrowedEvent<'a> {
    #[serde(borrow, default, deserialize_with = "integral_id")]
    client_id: Option<TextOrNumber<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<TextOrNumber<'a>>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    feature: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    messages: Option<f64>,
    #[serde(default)]
    reopened: Option<bool>,
    #[serde(default)]
    cost: Option<f64>,
}

/// A JSON string or number, for client ids and timestamps.
enum TextOrNumber<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A client id given as an integer, as its decimal text.
    Integer(String),
}

impl<'de: 'a, 'a> Deserialize<'de> for TextOrNumber<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TextOrNumber<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Integer(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Integer(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A client id as text; a number must be a whole one (its decimal text), as in [`RawEvent`]. A
/// fractional one fails the fast path, so the careful path names it.
fn integral_id<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<TextOrNumber<'a>>, D::Error> {
    match Option::<TextOrNumber<'a>>::deserialize(d)? {
        Some(TextOrNumber::Number(v))
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 =>
        {
            Ok(Some(TextOrNumber::Integer((v as i64).to_string())))
        }
        Some(TextOrNumber::Number(v)) => Err(serde::de::Error::custom(format!(
            "client id {v} is not an integer"
        ))),
        other => Ok(other),
    }
}

impl BorrowedEvent<'_> {
    fn parts(&self) -> EventParts<'_> {
        EventParts {
            client_id: self.client_id.as_ref().map(|c| match c {
                TextOrNumber::Text(t) => t.as_ref(),
                TextOrNumber::Integer(t) => t.as_str(),
                TextOrNumber::Number(_) => "",
            }),
            timestamp: self.timestamp.as_ref().map(|t| match t {
                TextOrNumber::Text(t) => TimestampRef::Text(t),
                // An integer timestamp is epoch milliseconds, never YYYYMMDD text.
                TextOrNumber::Integer(t) => TimestampRef::EpochMs(t.parse().unwrap_or(f64::NAN)),
                TextOrNumber::Number(v) => TimestampRef::EpochMs(*v),
            }),
            kind: self.kind.as_deref(),
            feature: self.feature.as_deref(),
            value: self.value,
            messages: self.messages,
            reopened: self.reopened,
            cost: self.cost,
        }
    }
}

fn record_from_json(text: &str) -> Result<RawEvent> {
    if !text.starts_with('{') {
        return Err(RapportError::new(
            ErrorCode::InvalidField,
            "each event must be an object",
        ));
    }
    // Only reached when the fast path has failed, so a path-tracking read is affordable.
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| record_error(&e.path().to_string(), &e.into_inner().to_string()))
}

/// Turns a deserialization error of one record into a rapport error naming the field.
pub fn record_error(path: &str, message: &str) -> RapportError {
    let field = if path == "." || path.is_empty() {
        None
    } else {
        Some(path.to_string())
    };
    let mut e = RapportError::new(ErrorCode::InvalidField, strip_position(message));
    e.field = field;
    e
}

/// How to read CSV text: which column holds which field, and the delimiter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CsvOptions {
    /// Maps rapport's field names to the file's column names, e.g. `{ "clientId": "customer_id" }`.
    /// Unmapped fields are looked up by their own name (`clientId`, `timestamp`, `kind`, …),
    /// ignoring case and also as snake_case (`client_id`); `clientId` also matches `client`,
    /// `timestamp` also `time` and `date`.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Partial<Record<EventField, string>>")
    )]
    pub columns: BTreeMap<String, String>,
    /// Field delimiter, one ASCII character. Default `,`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub delimiter: Option<String>,
    /// The kind of every event, for files with no kind column (e.g. a table of transactions:
    /// `"purchase"`).
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "EventKind"))]
    pub kind: Option<String>,
}

impl CsvOptions {
    pub fn from_json(text: &str) -> Result<CsvOptions> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            options_error(
                &e.path().to_string(),
                &strip_position(&e.into_inner().to_string()),
            )
        })
    }
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Column positions of each field in a header.
struct CsvLayout {
    col: [Option<usize>; 8],
    names: [String; 8],
}

fn layout(headers: &csv::StringRecord, opts: &CsvOptions) -> Result<CsvLayout> {
    if let Some(k) = &opts.kind {
        if EventKind::parse(k).is_none() {
            return Err(RapportError {
                field: Some("kind".into()),
                ..event::unknown_kind(k)
            });
        }
    }
    for (ours, theirs) in &opts.columns {
        if EventField::from_name(ours).is_none() {
            return Err(RapportError::new(
                ErrorCode::UnknownConfigKey,
                format!("unknown field {ours:?} in the column mapping; fields are clientId, timestamp, kind, feature, value, messages, reopened, cost"),
            )
            .with_field(format!("columns.{ours}")));
        }
        if theirs.trim().is_empty() {
            return Err(
                RapportError::new(ErrorCode::InvalidConfig, "column name is empty")
                    .with_field(format!("columns.{ours}")),
            );
        }
    }
    let find = |name: &str| {
        headers.iter().position(|h| h.trim() == name).or_else(|| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        })
    };
    let mut col = [None; 8];
    let mut names: [String; 8] = Default::default();
    for (i, f) in EventField::ALL.into_iter().enumerate() {
        let (pos, name) = match opts.columns.get(f.name()) {
            Some(theirs) => match find(theirs) {
                Some(p) => (Some(p), theirs.clone()),
                None => {
                    return Err(RapportError::new(
                        ErrorCode::InvalidCsv,
                        format!(
                            "the header has no column {theirs:?} (mapped to {}); columns are: {}",
                            f.name(),
                            header_list(headers)
                        ),
                    )
                    .with_field(theirs.clone()))
                }
            },
            None => {
                let mut cands = vec![f.name().to_string(), snake(f.name())];
                match f {
                    EventField::ClientId => cands.extend(["client".to_string()]),
                    EventField::Timestamp => cands.extend(["time".to_string(), "date".to_string()]),
                    _ => {}
                }
                let hit = cands.iter().find_map(|c| find(c).map(|p| (p, c.clone())));
                match hit {
                    Some((p, _)) => (Some(p), headers[p].trim().to_string()),
                    None => (None, f.name().to_string()),
                }
            }
        };
        col[i] = pos;
        names[i] = name;
    }
    for f in [
        EventField::ClientId,
        EventField::Timestamp,
        EventField::Kind,
    ] {
        if col[f as usize].is_none() && !(f == EventField::Kind && opts.kind.is_some()) {
            return Err(RapportError::new(
                ErrorCode::InvalidCsv,
                format!(
                    "the header has no {} column; name one with the column mapping (e.g. {{\"columns\": {{\"{}\": \"your_column\"}}}}); columns are: {}",
                    f.name(),
                    f.name(),
                    header_list(headers)
                ),
            )
            .with_field(f.name()));
        }
    }
    Ok(CsvLayout { col, names })
}

fn header_list(h: &csv::StringRecord) -> String {
    time::truncate(&h.iter().collect::<Vec<_>>().join(", "), 200)
}

fn parse_num(s: &str, f: EventField) -> Result<Option<f64>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>().map(Some).map_err(|_| {
        RapportError::new(
            ErrorCode::InvalidField,
            format!(
                "{} must be a number, got {:?}",
                f.name(),
                time::truncate(t, 40)
            ),
        )
        .with_field(f.name())
    })
}

fn parse_bool(s: &str) -> Result<Option<bool>> {
    let t = s.trim();
    Ok(match t.to_ascii_lowercase().as_str() {
        "" => None,
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => {
            return Err(RapportError::new(
                ErrorCode::InvalidField,
                format!(
                    "reopened must be true or false, got {:?}",
                    time::truncate(t, 40)
                ),
            )
            .with_field(EventField::Reopened.name()))
        }
    })
}

/// A strict CSV reader over `text` (rows must match the header's width) and its header row.
pub(crate) fn csv_reader(
    text: &str,
    delimiter: u8,
) -> Result<(csv::Reader<&[u8]>, csv::StringRecord)> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| {
            RapportError::new(
                ErrorCode::InvalidCsv,
                format!("cannot read the header row: {e}"),
            )
        })?
        .clone();
    Ok((rdr, headers))
}

/// The error for a CSV row the reader could not read (`INVALID_CSV`), saying how many fields a
/// row of the wrong width has.
pub(crate) fn csv_row_error(e: &csv::Error) -> RapportError {
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields but the header has {expected_len}"),
        _ => format!("cannot read the row: {e}"),
    };
    RapportError::new(ErrorCode::InvalidCsv, msg)
}

/// Reads CSV text with a header row.
pub fn from_csv(text: &str, opts: &CsvOptions, mode: Mode, max_issues: usize) -> Result<Batch> {
    let delimiter = match opts.delimiter.as_deref() {
        None => b',',
        Some(d) if d.len() == 1 && d.is_ascii() => d.as_bytes()[0],
        Some(d) => {
            return Err(RapportError::new(
                ErrorCode::InvalidConfig,
                format!("delimiter must be one ASCII character, got {d:?}"),
            )
            .with_field("delimiter"))
        }
    };
    let (mut rdr, headers) = csv_reader(text, delimiter)?;
    if headers.is_empty() || (headers.len() == 1 && headers[0].trim().is_empty()) {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "the CSV text is empty",
        ));
    }
    let lay = layout(&headers, opts)?;
    let rename = |ours: &str| {
        EventField::from_name(ours)
            .map(|f| lay.names[f as usize].clone())
            .unwrap_or_else(|| ours.to_string())
    };
    let mut b = BatchBuilder::new(mode, max_issues);
    let mut rec = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        row += 1;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                b.reject(row, csv_row_error(&e))?;
                if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    continue;
                }
                break;
            }
        }
        if rec.len() == 1 && rec[0].trim().is_empty() {
            // A blank line: not a row.
            row -= 1;
            continue;
        }
        let get = |f: EventField| lay.col[f as usize].and_then(|c| rec.get(c));
        let nonempty = |f: EventField| get(f).filter(|s| !s.trim().is_empty());
        let parsed = (|| -> Result<EventParts<'_>> {
            Ok(EventParts {
                client_id: nonempty(EventField::ClientId),
                timestamp: nonempty(EventField::Timestamp).map(TimestampRef::Text),
                kind: nonempty(EventField::Kind).or(opts.kind.as_deref()),
                feature: get(EventField::Feature),
                value: get(EventField::Value)
                    .map(|s| parse_num(s, EventField::Value))
                    .transpose()?
                    .flatten(),
                messages: get(EventField::Messages)
                    .map(|s| parse_num(s, EventField::Messages))
                    .transpose()?
                    .flatten(),
                reopened: get(EventField::Reopened)
                    .map(parse_bool)
                    .transpose()?
                    .flatten(),
                cost: get(EventField::Cost)
                    .map(|s| parse_num(s, EventField::Cost))
                    .transpose()?
                    .flatten(),
            })
        })();
        match parsed {
            Ok(parts) => b.push(row, &parts, &rename)?,
            Err(mut e) => {
                e.field = e.field.map(|f| rename(&f));
                b.reject(row, e)?
            }
        }
    }
    b.finish()
}

/// Events as parallel typed arrays: the fast path for large data.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// Dictionary of client ids; `client_index[i]` points into it.
    pub client_ids: &'a [String],
    pub client_index: &'a [u32],
    /// Epoch milliseconds.
    pub timestamps: &'a [f64],
    /// [`EventKind`] codes.
    pub kinds: &'a [u8],
    /// Optional values; NaN means "no value" for that event.
    pub values: Option<&'a [f64]>,
    /// Dictionary of feature names; `feature_index[i]` points into it, `u32::MAX` means none.
    pub feature_names: &'a [String],
    pub feature_index: Option<&'a [u32]>,
    /// Optional support fields; NaN means none.
    pub messages: Option<&'a [f64]>,
    pub costs: Option<&'a [f64]>,
    /// Optional reopened flags (0 or 1).
    pub reopened: Option<&'a [u8]>,
}

/// Validates columns. Checks each dictionary entry once, then every event's numbers.
pub fn from_columns(c: &Columns<'_>, mode: Mode, max_issues: usize) -> Result<Batch> {
    let n = c.client_index.len();
    let len_err = |name: &str, len: usize| {
        RapportError::new(
            ErrorCode::InvalidColumns,
            format!("{name} has {len} entries but clientIndex has {n}"),
        )
        .with_field(name)
    };
    if c.timestamps.len() != n {
        return Err(len_err("timestamps", c.timestamps.len()));
    }
    if c.kinds.len() != n {
        return Err(len_err("kinds", c.kinds.len()));
    }
    for (name, len) in [
        ("values", c.values.map(<[f64]>::len)),
        ("featureIndex", c.feature_index.map(<[u32]>::len)),
        ("messages", c.messages.map(<[f64]>::len)),
        ("costs", c.costs.map(<[f64]>::len)),
        ("reopened", c.reopened.map(<[u8]>::len)),
    ] {
        if let Some(len) = len.filter(|&l| l != n) {
            return Err(len_err(name, len));
        }
    }
    if n == 0 {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "the batch holds no events",
        ));
    }
    if n > MAX_BATCH_EVENTS {
        return Err(RapportError::new(
            ErrorCode::TooLarge,
            format!("a batch may hold at most {MAX_BATCH_EVENTS} events; split the input"),
        ));
    }
    for (i, id) in c.client_ids.iter().enumerate() {
        check_text(id, EventField::ClientId).map_err(|e| RapportError {
            field: Some(format!("clientIds[{i}]")),
            ..e
        })?;
    }
    for (i, f) in c.feature_names.iter().enumerate() {
        check_text(f, EventField::Feature).map_err(|e| RapportError {
            field: Some(format!("featureNames[{i}]")),
            ..e
        })?;
    }
    let mut b = BatchBuilder::new(mode, max_issues);
    b.batch.clients = c.client_ids.iter().map(|s| s.trim().to_string()).collect();
    b.batch.features = c
        .feature_names
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    b.batch.events.reserve(n);
    let (nc, nf) = (c.client_ids.len() as u32, c.feature_names.len() as u32);
    for i in 0..n {
        match column_event(c, i, nc, nf) {
            Ok(ev) => {
                b.batch.rows += 1;
                b.batch.events.push(ev);
            }
            Err(e) => b.reject(i as u64 + 1, e)?,
        }
    }
    b.finish()
}

#[inline]
fn column_event(c: &Columns<'_>, i: usize, nc: u32, nf: u32) -> Result<BatchEvent> {
    let client = c.client_index[i];
    if client >= nc {
        return Err(RapportError::new(
            ErrorCode::InvalidColumns,
            format!("client index {client} is outside the dictionary of {nc} ids"),
        )
        .with_field("clientIndex"));
    }
    let at_ms = time::from_epoch_ms(c.timestamps[i]).map_err(|e| e.with_field("timestamps"))?;
    let code = c.kinds[i];
    let kind = EventKind::from_code(code).ok_or_else(|| {
        RapportError::new(
            ErrorCode::UnknownKind,
            format!(
                "unknown event kind code {code}; codes are 0 to {}",
                EventKind::COUNT - 1
            ),
        )
        .with_field("kinds")
    })?;
    let opt = |col: Option<&[f64]>, f: EventField, name: &str| -> Result<Option<f64>> {
        Ok(col.map(|a| a[i]).filter(|v| !v.is_nan())).and_then(|v| match v {
            Some(x) => check_amount(x, f)
                .map(|_| Some(x))
                .map_err(|e| e.with_field(name)),
            None => Ok(None),
        })
    };
    let value_micros = match c.values.map(|a| a[i]).filter(|v| !v.is_nan()) {
        Some(v) => Some(check_amount(v, EventField::Value).map_err(|e| e.with_field("values"))?),
        None => None,
    };
    let cost_micros = match opt(c.costs, EventField::Cost, "costs")? {
        Some(v) => Some(check_amount(v, EventField::Cost).map_err(|e| e.with_field("costs"))?),
        None => None,
    };
    let messages = match opt(c.messages, EventField::Messages, "messages")? {
        Some(v) => {
            Some(check_count(v, EventField::Messages).map_err(|e| e.with_field("messages"))?)
        }
        None => None,
    };
    let feature = match c.feature_index.map(|a| a[i]) {
        None | Some(NO_FEATURE) => NO_FEATURE,
        Some(f) if f < nf => f,
        Some(f) => {
            return Err(RapportError::new(
                ErrorCode::InvalidColumns,
                format!("feature index {f} is outside the dictionary of {nf} names"),
            )
            .with_field("featureIndex"))
        }
    };
    let reopened = match c.reopened.map(|a| a[i]) {
        None | Some(0) => false,
        Some(1) => true,
        Some(x) => {
            return Err(RapportError::new(
                ErrorCode::InvalidField,
                format!("reopened must be 0 or 1, got {x}"),
            )
            .with_field("reopened"))
        }
    };
    Ok(BatchEvent::new(
        client,
        feature,
        CheckedValues {
            at_ms,
            kind,
            value_micros,
            messages,
            reopened,
            cost_micros,
        },
    ))
}

/// Kind names, for documentation and error messages.
pub fn kind_names() -> Vec<&'static str> {
    EventKind::ALL.iter().map(|k| k.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "customer_id,when,type,feature,amount\nc1,2024-06-01,usage,search,\nc2,2024-06-02,purchase,,19.99\nc1,2024-06-03T10:00:00Z,login,export,\n";

    fn mapped() -> CsvOptions {
        CsvOptions::from_json(r#"{"columns": {"clientId": "customer_id", "timestamp": "when", "kind": "type", "value": "amount"}}"#).unwrap()
    }

    #[test]
    fn csv_with_mapping_reads_rows() {
        let b = from_csv(CSV, &mapped(), Mode::Strict, 10).unwrap();
        assert_eq!(b.rows, 3);
        assert_eq!(b.clients, vec!["c1", "c2"]);
        assert_eq!(b.features, vec!["search", "export"]);
        assert_eq!(b.events[1].kind, EventKind::Purchase);
        assert_eq!(b.events[1].value_micros(), Some(19_990_000));
        assert_eq!(b.events[2].kind, EventKind::Usage);
    }

    #[test]
    fn csv_errors_name_row_and_their_column() {
        let text =
            "customer_id,when,type,amount\nc1,2024-06-01,usage,\nc2,2024-06-02,purchase,-5\n";
        let e = from_csv(text, &mapped(), Mode::Strict, 10).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::NegativeValue, Some(2), Some("amount"))
        );
        let text = "customer_id,when,type,amount\nc1,2024-06-01,usage,abc\n";
        let e = from_csv(text, &mapped(), Mode::Strict, 10).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidField, Some(1), Some("amount"))
        );
        let e = from_csv("a,b\n1,2\n", &CsvOptions::default(), Mode::Strict, 10).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidCsv, Some("clientId"))
        );
        let e = from_csv(
            "clientId,timestamp,kind\nc1,2024-01-01\n",
            &CsvOptions::default(),
            Mode::Strict,
            10,
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidCsv, Some(1)));
        let e = from_csv("", &CsvOptions::default(), Mode::Strict, 10).unwrap_err();
        assert_eq!(e.code, ErrorCode::EmptyInput);
        let e = from_csv(
            "clientId,timestamp,kind\n",
            &CsvOptions::default(),
            Mode::Strict,
            10,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::EmptyInput);
        let e = CsvOptions::from_json(r#"{"columns": {}, "sep": ";"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownConfigKey, Some("sep"))
        );
        let e = from_csv(
            CSV,
            &CsvOptions::from_json(r#"{"columns": {"customer": "customer_id"}}"#).unwrap(),
            Mode::Strict,
            10,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownConfigKey, Some("columns.customer"))
        );
    }

    #[test]
    fn a_default_kind_serves_files_without_a_kind_column() {
        let text = "id,date,amount\n1,1997-01-01,29.33\n1,1997-01-18,29.73\n";
        let opts = CsvOptions::from_json(r#"{"columns": {"clientId": "id", "timestamp": "date", "value": "amount"}, "kind": "purchase"}"#).unwrap();
        let b = from_csv(text, &opts, Mode::Strict, 5).unwrap();
        assert!(b.events.iter().all(|e| e.kind == EventKind::Purchase));
        let bad = CsvOptions {
            kind: Some("gift".into()),
            ..opts
        };
        let e = from_csv(text, &bad, Mode::Strict, 5).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownKind, Some("kind"))
        );
    }

    #[test]
    fn lenient_skips_and_reports_capped() {
        let mut text = String::from("clientId,timestamp,kind\n");
        for i in 0..10 {
            text.push_str(&format!(
                "c{i},2024-06-0{},{}\n",
                i % 9 + 1,
                if i % 2 == 0 { "usage" } else { "teleport" }
            ));
        }
        let b = from_csv(&text, &CsvOptions::default(), Mode::Lenient, 3).unwrap();
        assert_eq!(
            (b.rows, b.skipped, b.events.len(), b.issues.len()),
            (10, 5, 5, 3)
        );
        assert_eq!(b.issues[0].row, 2);
        assert_eq!(b.issues[0].code, "UNKNOWN_KIND");
        let e = from_csv(&text, &CsvOptions::default(), Mode::Strict, 3).unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::UnknownKind, Some(2)));
    }

    #[test]
    fn json_fast_and_careful_paths_agree() {
        // Each text goes through the fast path when every row is well formed, or the careful
        // one otherwise (the last row below forces it): both must read rows alike.
        let rows = [
            r#"{"clientId":42,"timestamp":20240630,"kind":"usage"}"#,
            r#"{"clientId":"a\u00e9","timestamp":"2024-06-30T10:00:00+02:00","kind":"Login","feature":"x","value":1.5}"#,
            r#"{"clientId":7.0,"timestamp":1719705600000,"kind":"support","messages":3,"reopened":true,"cost":2}"#,
            r#"{"clientId":"b","timestamp":"20240630","kind":"purchase","value":null,"extra":[1,2]}"#,
        ];
        let fast = from_json(&format!("[{}]", rows.join(",")), Mode::Strict, 5).unwrap();
        let careful = from_json(
            &format!(
                "[{},{}]",
                rows.join(","),
                r#"{"clientId":1.5,"timestamp":0,"kind":"usage"}"#
            ),
            Mode::Lenient,
            5,
        )
        .unwrap();
        assert_eq!(careful.skipped, 1);
        assert_eq!(careful.issues[0].field.as_deref(), Some("clientId"));
        assert_eq!(fast.clients, careful.clients);
        assert_eq!(fast.clients, vec!["42", "a\u{e9}", "7", "b"]);
        assert_eq!(fast.events, careful.events);
        assert_eq!(
            fast.events[0].at_ms, 20_240_630,
            "an integer timestamp is epoch ms"
        );
        assert_eq!(
            fast.events[3].at_ms, 1_719_705_600_000,
            "text of 8 digits is YYYYMMDD"
        );
    }

    #[test]
    fn json_rows_name_index_and_field() {
        let e = from_json(r#"[{"clientId":"a","timestamp":"2024-01-01","kind":"usage"},{"clientId":"b","timestamp":"2024-01-01","kind":"usage","value":"lots"}]"#, Mode::Strict, 5).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidField, Some(2), Some("value"))
        );
        let e = from_json(r#"[1]"#, Mode::Strict, 5).unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidField, Some(1)));
        assert_eq!(
            from_json("{", Mode::Strict, 5).unwrap_err().code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            from_json("[]", Mode::Strict, 5).unwrap_err().code,
            ErrorCode::EmptyInput
        );
    }

    #[test]
    fn columns_are_checked() {
        let ids = vec!["a".to_string(), "b".to_string()];
        let base = Columns {
            client_ids: &ids,
            client_index: &[0, 1, 1],
            timestamps: &[1.7e12, 1.7e12, 1.7e12 + 86.4e6],
            kinds: &[0, 1, 0],
            values: Some(&[f64::NAN, 10.0, f64::NAN]),
            feature_names: &[],
            feature_index: None,
            messages: None,
            costs: None,
            reopened: None,
        };
        let b = from_columns(&base, Mode::Strict, 5).unwrap();
        assert_eq!(b.events.len(), 3);
        assert_eq!(b.events[1].value_micros(), Some(10_000_000));
        assert_eq!(b.events[0].value_micros(), None);
        let e = from_columns(
            &Columns {
                kinds: &[0, 1],
                ..base
            },
            Mode::Strict,
            5,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidColumns, Some("kinds"))
        );
        let e = from_columns(
            &Columns {
                client_index: &[0, 2, 1],
                ..base
            },
            Mode::Strict,
            5,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidColumns, Some(2), Some("clientIndex"))
        );
        let e = from_columns(
            &Columns {
                kinds: &[0, 1, 42],
                ..base
            },
            Mode::Strict,
            5,
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::UnknownKind, Some(3)));
        let e = from_columns(
            &Columns {
                values: Some(&[f64::INFINITY, 1.0, 1.0]),
                ..base
            },
            Mode::Strict,
            5,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::NonFiniteValue, Some(1), Some("values"))
        );
        let e = from_columns(
            &Columns {
                timestamps: &[1e20, 1.7e12, 1.7e12],
                ..base
            },
            Mode::Strict,
            5,
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::TimestampOutOfRange, Some(1)));
        let b = from_columns(
            &Columns {
                timestamps: &[f64::NAN, 1.7e12, 1.7e12],
                ..base
            },
            Mode::Lenient,
            5,
        )
        .unwrap();
        assert_eq!((b.events.len(), b.skipped), (2, 1));
    }
}
