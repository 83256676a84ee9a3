//! Events as CSV text with a header row, read by a push parser: the text may come whole or in
//! chunks of any size (a record may span chunks), and rows are numbered across all of them.
//!
//! The parsing is `csv-core`'s (rust-csv's engine: RFC 4180 quoting, `\n`, `\r\n` or `\r`
//! line ends, a UTF-8 byte-order mark stripped, empty lines skipped); [`CsvReader`] adds the
//! column mapping and the checks of each row.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::batch::{Batch, BatchBuilder, Policy};
use super::event::{self, EventField, EventKind, EventParts, TimestampRef};
use crate::error::{ErrorCode, RapportError, Result};
use crate::text::truncate;

/// Longest record accepted, in bytes: a row is a handful of short fields, so a longer one is
/// a runaway quote or not CSV at all.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

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
    /// Added to the row numbers in errors and skipped-row issues, for a file sent in parts.
    /// Default 0.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub row_offset: u64,
}

impl CsvOptions {
    pub fn from_json(text: &str) -> Result<CsvOptions> {
        crate::options::from_json(text)
    }

    /// The delimiter byte.
    pub fn delimiter_byte(&self) -> Result<u8> {
        match self.delimiter.as_deref() {
            None => Ok(b','),
            Some(d) if d.len() == 1 && d.is_ascii() => Ok(d.as_bytes()[0]),
            Some(d) => Err(RapportError::new(
                ErrorCode::InvalidConfig,
                format!("delimiter must be one ASCII character, got {d:?}"),
            )
            .with_field("delimiter")),
        }
    }

    /// Checks what can be checked before the header is seen.
    fn check(&self) -> Result<()> {
        self.delimiter_byte()?;
        if let Some(k) = &self.kind {
            if EventKind::parse(k).is_none() {
                return Err(RapportError {
                    field: Some("kind".into()),
                    ..event::unknown_kind(k)
                });
            }
        }
        for (ours, theirs) in &self.columns {
            if EventField::from_name(ours).is_none() {
                return Err(RapportError::new(
                    ErrorCode::UnknownConfigKey,
                    format!(
                        "unknown field {ours:?} in the column mapping; fields are {}",
                        EventField::ALL.map(EventField::name).join(", ")
                    ),
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
        Ok(())
    }
}

/// The fields of one record, as bytes: field `i` ends at `ends[i]`, and the next starts `gap`
/// bytes later (0 in csv-core's output, where fields are packed; 1 in a line read as it is,
/// where a delimiter separates them).
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    bytes: &'a [u8],
    ends: &'a [usize],
    gap: usize,
    /// The whole record as text, when its bytes are UTF-8: then every field is a slice of it
    /// (a delimiter is one ASCII byte, so fields split at character boundaries), and none
    /// needs checking on its own.
    text: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        Some(start..end)
    }

    /// Field `i`'s bytes.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        Some(&self.bytes[self.span(i)?])
    }

    /// Field `i` as text; `name` names it in the error when it is not UTF-8.
    pub fn text(&self, i: usize, name: &str) -> Result<Option<&'a str>> {
        if let (Some(t), Some(span)) = (self.text, self.span(i)) {
            return Ok(t.get(span));
        }
        match self.get(i) {
            None => Ok(None),
            Some(b) => std::str::from_utf8(b).map(Some).map_err(|_| {
                RapportError::new(ErrorCode::InvalidCsv, "the field is not valid UTF-8 text")
                    .with_field(name)
            }),
        }
    }

    /// A record of one blank field: a line of spaces, not a row.
    fn is_blank(&self) -> bool {
        self.len() == 1 && self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// What [`Records::read`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// A record is complete: [`Records::take`] gives it.
    Record,
    /// The input is used up in the middle of a record (or between records).
    NeedInput,
    /// The end of the data (only after an empty input).
    End,
}

/// A push parser of CSV records over `csv-core`.
pub struct Records {
    rdr: csv_core::Reader,
    out: Vec<u8>,
    nout: usize,
    ends: Vec<usize>,
    nends: usize,
}

impl Records {
    pub fn new(delimiter: u8) -> Records {
        Records {
            rdr: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            nout: 0,
            ends: vec![0; 32],
            nends: 0,
        }
    }

    /// Reads from `input` until a record completes or the input is used up; an empty `input`
    /// means the end of the data. Returns what happened and the bytes consumed.
    pub fn read(&mut self, input: &[u8]) -> Result<(Read, usize)> {
        use csv_core::ReadRecordResult as R;
        let mut used = 0;
        loop {
            let (res, nin, nout, nend) = self.rdr.read_record(
                &input[used..],
                &mut self.out[self.nout..],
                &mut self.ends[self.nends..],
            );
            used += nin;
            self.nout += nout;
            self.nends += nend;
            match res {
                R::InputEmpty => return Ok((Read::NeedInput, used)),
                R::OutputFull => self.grow()?,
                R::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                R::Record => return Ok((Read::Record, used)),
                R::End => return Ok((Read::End, used)),
            }
        }
    }

    fn grow(&mut self) -> Result<()> {
        if self.out.len() >= MAX_RECORD_BYTES {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!("a record is longer than {MAX_RECORD_BYTES} bytes: an unclosed quote, or not CSV"),
            ));
        }
        self.out.resize(self.out.len() * 2, 0);
        Ok(())
    }

    /// The record [`Records::read`] completed; the next read starts a new one.
    pub fn take(&mut self) -> Fields<'_> {
        let (nout, nends) = (self.nout, self.nends);
        self.nout = 0;
        self.nends = 0;
        let bytes = &self.out[..nout];
        Fields {
            bytes,
            ends: &self.ends[..nends],
            gap: 0,
            text: std::str::from_utf8(bytes).ok(),
        }
    }
}

/// The fields of the line at the start of `input` when it needs no quoting rules (no `"`, no
/// `\r` but before its `\n`, complete, not too long), their ends written to `ends`; then the
/// bytes of the line without its line end, and with it. `None` for any other line, which is
/// left to csv-core. A line in reach of this reads exactly as csv-core would read it, at a
/// fraction of the cost: one pass over its bytes, and the fields stay where they are.
#[inline(never)]
fn plain_line<'a>(
    input: &'a [u8],
    delimiter: u8,
    ends: &mut Vec<usize>,
) -> Option<(&'a [u8], usize)> {
    ends.clear();
    let mut i = 0;
    let n = input.len().min(MAX_RECORD_BYTES);
    while i < n {
        let b = input[i];
        if b == delimiter {
            ends.push(i);
        } else if b == b'\n' {
            let content = if i > 0 && input[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            ends.push(content);
            return Some((&input[..content], i + 1));
        } else if b == b'"' || (b == b'\r' && input.get(i + 1) != Some(&b'\n')) {
            return None;
        }
        i += 1;
    }
    None
}

/// Calls `each(row, fields)` for every record of `text`: row 0 is the header, data rows count
/// from 1 (blank lines are not rows).
pub fn for_each_record(
    text: &[u8],
    delimiter: u8,
    mut each: impl FnMut(u64, Fields<'_>) -> Result<()>,
) -> Result<()> {
    let mut records = Records::new(delimiter);
    let mut row = 0u64;
    let mut pos = 0;
    loop {
        // An empty input tells the parser the data has ended.
        let (read, used) = records.read(&text[pos..])?;
        pos += used;
        match read {
            Read::Record => {
                let fields = records.take();
                if row > 0 && fields.is_blank() {
                    continue;
                }
                each(row, fields)?;
                row += 1;
            }
            Read::NeedInput => {}
            Read::End => return Ok(()),
        }
    }
}

/// The error for a row whose width differs from the header's.
pub fn width_error(len: usize, expected: usize) -> RapportError {
    RapportError::new(
        ErrorCode::InvalidCsv,
        format!("the row has {len} fields but the header has {expected}"),
    )
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

/// Which column holds each field, and the name the caller knows it by.
struct Layout {
    width: usize,
    col: [Option<usize>; 8],
    names: [String; 8],
}

fn header_list(h: &[String]) -> String {
    truncate(&h.join(", "), 200)
}

impl Layout {
    fn of(headers: &[String], opts: &CsvOptions) -> Result<Layout> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
        };
        let mut col = [None; 8];
        let mut names: [String; 8] = Default::default();
        for (i, f) in EventField::ALL.into_iter().enumerate() {
            let (pos, name) = match opts.columns.get(f.name()) {
                Some(theirs) => match find(theirs.trim()) {
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
                None => Self::guess(f, &find, headers),
            };
            col[i] = pos;
            names[i] = name;
        }
        let lay = Layout {
            width: headers.len(),
            col,
            names,
        };
        lay.require(headers, opts)?;
        lay.unambiguous(headers)?;
        Ok(lay)
    }

    /// A field's column found by its own name and aliases.
    fn guess(
        f: EventField,
        find: &dyn Fn(&str) -> Option<usize>,
        headers: &[String],
    ) -> (Option<usize>, String) {
        let mut cands = vec![f.name().to_string(), snake(f.name())];
        match f {
            EventField::ClientId => cands.push("client".to_string()),
            EventField::Timestamp => cands.extend(["time".to_string(), "date".to_string()]),
            _ => {}
        }
        match cands.iter().find_map(|c| find(c)) {
            Some(p) => (Some(p), headers[p].clone()),
            None => (None, f.name().to_string()),
        }
    }

    /// The required fields must have a column (kind may be given for every row instead).
    fn require(&self, headers: &[String], opts: &CsvOptions) -> Result<()> {
        for f in [
            EventField::ClientId,
            EventField::Timestamp,
            EventField::Kind,
        ] {
            if self.col[f as usize].is_none() && !(f == EventField::Kind && opts.kind.is_some()) {
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
        Ok(())
    }

    /// A column read for a field must be the only one of its name: with two, which one holds
    /// the field is a guess.
    fn unambiguous(&self, headers: &[String]) -> Result<()> {
        for p in self.col.iter().flatten() {
            let name = &headers[*p];
            if headers
                .iter()
                .filter(|h| h.eq_ignore_ascii_case(name))
                .count()
                > 1
            {
                return Err(RapportError::new(
                    ErrorCode::InvalidCsv,
                    format!("the header has the column {name:?} more than once; rename one"),
                )
                .with_field(name.clone()));
            }
        }
        Ok(())
    }

    /// The caller's name for one of rapport's fields.
    fn rename(&self, ours: &str) -> String {
        EventField::from_name(ours)
            .map(|f| self.names[f as usize].clone())
            .unwrap_or_else(|| ours.to_string())
    }
}

fn parse_num(s: &str, f: EventField) -> Result<Option<f64>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>().map(Some).map_err(|_| {
        RapportError::new(
            ErrorCode::InvalidField,
            format!("{} must be a number, got {:?}", f.name(), truncate(t, 40)),
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
                format!("reopened must be true or false, got {:?}", truncate(t, 40)),
            )
            .with_field(EventField::Reopened.name()))
        }
    })
}

/// Reads CSV events into a batch, chunk by chunk: [`CsvReader::push`] as the bytes arrive,
/// then [`CsvReader::finish`].
pub struct CsvReader {
    opts: CsvOptions,
    records: Records,
    delimiter: u8,
    /// csv-core holds part of a record (or may): lines go to it until it completes one.
    in_record: bool,
    /// Read plain lines directly (off only to test that it changes nothing).
    plain: bool,
    line_ends: Vec<usize>,
    layout: Option<Layout>,
    builder: BatchBuilder,
    row: u64,
    failed: Option<RapportError>,
}

impl CsvReader {
    /// Checks the options; nothing is read yet.
    pub fn new(opts: &CsvOptions, mut policy: Policy) -> Result<CsvReader> {
        opts.check()?;
        policy.row_offset += opts.row_offset;
        Ok(CsvReader {
            records: Records::new(opts.delimiter_byte()?),
            delimiter: opts.delimiter_byte()?,
            in_record: false,
            plain: true,
            line_ends: Vec::new(),
            opts: opts.clone(),
            layout: None,
            builder: BatchBuilder::new(policy),
            row: 0,
            failed: None,
        })
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.row
    }

    /// Reads the records `bytes` completes. In strict mode the first bad row is an error, and
    /// the reader refuses everything after it.
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        crate::memory::call(|| self.push_unguarded(bytes))
    }

    fn push_unguarded(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut pos = 0;
        while pos < bytes.len() {
            if let (Some(lay), false, true) = (&self.layout, self.in_record, self.plain) {
                if let Some((line, used)) =
                    plain_line(&bytes[pos..], self.delimiter, &mut self.line_ends)
                {
                    pos += used;
                    if !line.is_empty() {
                        let fields = Fields {
                            bytes: line,
                            ends: &self.line_ends,
                            gap: 1,
                            text: std::str::from_utf8(line).ok(),
                        };
                        let kind = self.opts.kind.as_deref();
                        data_row(&mut self.builder, &mut self.row, lay, kind, &fields)
                            .inspect_err(|e| self.failed = Some(e.clone()))?;
                    }
                    continue;
                }
            }
            let (read, used) = self
                .records
                .read(&bytes[pos..])
                .inspect_err(|e| self.fail(e))?;
            pos += used;
            self.in_record = read == Read::NeedInput;
            if read == Read::Record {
                self.record().inspect_err(|e| self.fail(e))?;
            }
        }
        Ok(())
    }

    fn fail(&mut self, e: &RapportError) {
        self.failed = Some(e.clone());
    }

    /// Reads the last record (text need not end with a line break) and returns the batch.
    pub fn finish(mut self) -> Result<Batch> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        while self.records.read(&[])?.0 == Read::Record {
            self.record()?;
        }
        if self.layout.is_none() {
            return Err(RapportError::new(
                ErrorCode::EmptyInput,
                "the CSV text is empty",
            ));
        }
        self.builder.finish()
    }

    /// Handles the record just completed: the header, a blank line, or a data row.
    fn record(&mut self) -> Result<()> {
        let fields = self.records.take();
        let Some(lay) = &self.layout else {
            let mut headers = Vec::with_capacity(fields.len());
            for i in 0..fields.len() {
                let h = fields.text(i, "header").map_err(|e| RapportError {
                    message: "the header row is not valid UTF-8 text".into(),
                    ..e
                })?;
                headers.push(h.unwrap_or("").trim().to_string());
            }
            // csv-core strips a byte-order mark only when it arrives whole in one chunk.
            if let Some(h) = headers.first_mut() {
                if let Some(rest) = h.strip_prefix('\u{feff}') {
                    *h = rest.trim().to_string();
                }
            }
            if headers.len() == 1 && headers[0].is_empty() {
                return Err(RapportError::new(
                    ErrorCode::EmptyInput,
                    "the CSV text is empty",
                ));
            }
            self.layout = Some(Layout::of(&headers, &self.opts)?);
            return Ok(());
        };
        data_row(
            &mut self.builder,
            &mut self.row,
            lay,
            self.opts.kind.as_deref(),
            &fields,
        )
    }
}

/// A data row (or a blank line, skipped), numbered after the rows before it.
///
/// Never inlined, nor is [`plain_line`]: a wasm engine starts every function in its baseline
/// compiler and optimises it once it has run enough, but a call already running stays in the
/// code it started with. One `push` reads a whole file, so its own loop stays baseline code;
/// the functions it calls per row are optimised after a few thousand rows and run as such.
#[inline(never)]
fn data_row(
    builder: &mut BatchBuilder,
    rows: &mut u64,
    lay: &Layout,
    kind: Option<&str>,
    fields: &Fields<'_>,
) -> Result<()> {
    if fields.is_blank() {
        return Ok(());
    }
    *rows += 1;
    let row = *rows;
    if fields.len() != lay.width {
        return builder.reject(row, width_error(fields.len(), lay.width));
    }
    match parts(fields, lay, kind) {
        Ok(p) => builder.push(row, &p, &|f| lay.rename(f)),
        Err(mut e) => {
            e.field = e.field.map(|f| lay.rename(&f));
            builder.reject(row, e)
        }
    }
}

/// One data row's fields, as parts of an event.
fn parts<'a>(fields: &Fields<'a>, lay: &Layout, kind: Option<&'a str>) -> Result<EventParts<'a>> {
    let get = |f: EventField| -> Result<Option<&'a str>> {
        match lay.col[f as usize] {
            Some(c) => fields.text(c, f.name()),
            None => Ok(None),
        }
    };
    let nonempty =
        |f: EventField| -> Result<Option<&'a str>> { Ok(get(f)?.filter(|s| !s.trim().is_empty())) };
    let num = |f: EventField| -> Result<Option<f64>> {
        Ok(get(f)?.map(|s| parse_num(s, f)).transpose()?.flatten())
    };
    Ok(EventParts {
        client_id: nonempty(EventField::ClientId)?,
        timestamp: nonempty(EventField::Timestamp)?.map(TimestampRef::Text),
        kind: nonempty(EventField::Kind)?.or(kind),
        feature: get(EventField::Feature)?,
        value: num(EventField::Value)?,
        messages: num(EventField::Messages)?,
        reopened: get(EventField::Reopened)?
            .map(parse_bool)
            .transpose()?
            .flatten(),
        cost: num(EventField::Cost)?,
    })
}

/// Reads CSV text with a header row.
pub fn from_csv(text: &str, opts: &CsvOptions, policy: Policy) -> Result<Batch> {
    let mut r = CsvReader::new(opts, policy)?;
    r.push(text.as_bytes())?;
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::Mode;

    const CSV: &str = "customer_id,when,type,feature,amount\nc1,2024-06-01,usage,search,\nc2,2024-06-02,purchase,,19.99\nc1,2024-06-03T10:00:00Z,login,export,\n";

    fn strict(n: usize) -> Policy {
        Policy::new(Mode::Strict, n)
    }

    fn mapped() -> CsvOptions {
        CsvOptions::from_json(r#"{"columns": {"clientId": "customer_id", "timestamp": "when", "kind": "type", "value": "amount"}}"#).unwrap()
    }

    #[test]
    fn csv_with_mapping_reads_rows() {
        let b = from_csv(CSV, &mapped(), strict(10)).unwrap();
        assert_eq!(b.rows, 3);
        assert_eq!(b.clients, vec!["c1", "c2"]);
        assert_eq!(b.features, vec!["search", "export"]);
        assert_eq!(b.events[1].kind, EventKind::Purchase);
        assert_eq!(b.events[1].value_micros(), Some(19_990_000));
        assert_eq!(b.events[2].kind, EventKind::Usage);
    }

    #[test]
    fn chunks_of_any_size_read_like_the_whole() {
        let text = "\u{feff}clientId,timestamp,kind,feature\r\n\"a, \"\"quoted\"\"\",2024-06-01,usage,\"x\ny\"\n\nb,2024-06-02,purchase,é\r\nc,2024-06-03,usage,z";
        let whole = from_csv(text, &CsvOptions::default(), strict(5)).unwrap();
        assert_eq!(whole.rows, 3);
        assert_eq!(whole.clients, vec!["a, \"quoted\"", "b", "c"]);
        assert_eq!(whole.features, vec!["x\ny", "é", "z"]);
        for size in 1..text.len() {
            let mut r = CsvReader::new(&CsvOptions::default(), strict(5)).unwrap();
            for chunk in text.as_bytes().chunks(size) {
                r.push(chunk).unwrap();
            }
            let b = r.finish().unwrap();
            assert_eq!(
                (b.clients, b.features, b.events),
                (
                    whole.clients.clone(),
                    whole.features.clone(),
                    whole.events.clone()
                ),
                "chunks of {size}"
            );
        }
    }

    mod plain_lines {
        use super::*;
        use proptest::prelude::*;

        fn read(
            text: &[u8],
            chunk: usize,
            plain: bool,
            mode: Mode,
        ) -> std::result::Result<Batch, RapportError> {
            let mut r = CsvReader::new(&CsvOptions::default(), Policy::new(mode, 50))?;
            r.plain = plain;
            for c in text.chunks(chunk.max(1)) {
                r.push(c)?;
            }
            r.finish()
        }

        use crate::input::batch::same_reading as same;

        const PIECES: &[&str] = &[
            "a",
            "b",
            "c1",
            " ",
            "\"q\"",
            "\"x\ny\"",
            "\"\"",
            "\"a,b\"",
            "2024-06-01",
            "2024-06-02T10:00:00Z",
            "usage",
            "purchase",
            "1.5",
            "",
            ",",
            ",",
            ",",
            "\n",
            "\n",
            "\r\n",
            "\r",
            "\"",
            "é",
            "x\"y",
            "\u{feff}",
            "  ",
            "\t",
        ];

        proptest! {
            /// Lines read directly give exactly what csv-core gives, whatever the text and
            /// the chunks: batches, skipped rows and errors alike.
            #[test]
            fn plain_lines_read_as_csv_core_reads_them(
                pieces in proptest::collection::vec(0..PIECES.len(), 0..80),
                rows in proptest::collection::vec((0usize..4, 0usize..2, 0usize..3, 0usize..3), 0..12),
                chunk in 1usize..40,
                lenient in any::<bool>(),
            ) {
                let mut text = String::from("clientId,timestamp,kind,value\n");
                let ids = ["a", "b", " c ", "\"d\""];
                let times = ["2024-06-01", "2024-06-02T10:00:00Z"];
                let kinds = ["usage", "purchase", "\"usage\""];
                let values = ["", "1.5", "x"];
                for (k, &(i, t, n, v)) in rows.iter().enumerate() {
                    text.push_str(&format!("{},{},{},{}", ids[i], times[t], kinds[n], values[v]));
                    text.push_str(if k % 3 == 2 { "\r\n" } else { "\n" });
                }
                for &p in &pieces {
                    text.push_str(PIECES[p]);
                }
                let mode = if lenient { Mode::Lenient } else { Mode::Strict };
                let bytes = text.as_bytes();
                let reference = read(bytes, bytes.len() + 1, false, mode);
                for size in [chunk, bytes.len() + 1] {
                    let direct = read(bytes, size, true, mode);
                    prop_assert!(same(&direct, &reference), "chunks of {}: {:?}\nvs {:?}\n{:?}", size, direct.as_ref().map(|b| (&b.clients, b.rows)), reference.as_ref().map(|b| (&b.clients, b.rows)), text);
                    let slow = read(bytes, size, false, mode);
                    prop_assert!(same(&slow, &reference));
                }
            }
        }
    }

    #[test]
    fn rows_are_numbered_across_chunks_and_offsets() {
        let mut r = CsvReader::new(&CsvOptions::default(), strict(5)).unwrap();
        r.push(b"clientId,timestamp,kind\na,2024-01-01,usage\nb,2024-")
            .unwrap();
        let e = r.push(b"13-01,usage\n").unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidTimestamp, Some(2)));
        assert_eq!(r.push(b"c,2024-01-01,usage\n").unwrap_err(), e);
        let opts = CsvOptions {
            row_offset: 1000,
            ..CsvOptions::default()
        };
        let e = from_csv(
            "clientId,timestamp,kind\na,2024-01-01,nap\n",
            &opts,
            strict(5),
        )
        .unwrap_err();
        assert_eq!(e.row, Some(1001));
    }

    #[test]
    fn csv_errors_name_row_and_their_column() {
        let text =
            "customer_id,when,type,amount\nc1,2024-06-01,usage,\nc2,2024-06-02,purchase,-5\n";
        let e = from_csv(text, &mapped(), strict(10)).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::NegativeValue, Some(2), Some("amount"))
        );
        let text = "customer_id,when,type,amount\nc1,2024-06-01,usage,abc\n";
        let e = from_csv(text, &mapped(), strict(10)).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidField, Some(1), Some("amount"))
        );
        let e = from_csv("a,b\n1,2\n", &CsvOptions::default(), strict(10)).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidCsv, Some("clientId"))
        );
        let e = from_csv(
            "clientId,timestamp,kind\nc1,2024-01-01\n",
            &CsvOptions::default(),
            strict(10),
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidCsv, Some(1)));
        let e = from_csv("", &CsvOptions::default(), strict(10)).unwrap_err();
        assert_eq!(e.code, ErrorCode::EmptyInput);
        let e = from_csv(
            "clientId,timestamp,kind\n",
            &CsvOptions::default(),
            strict(10),
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
            strict(10),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownConfigKey, Some("columns.customer"))
        );
        let e = from_csv(
            "clientId,timestamp,kind\n\"a,2024-01-01,usage\n",
            &CsvOptions::default(),
            strict(10),
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidCsv, Some(1)));
    }

    #[test]
    fn a_default_kind_serves_files_without_a_kind_column() {
        let text = "id,date,amount\n1,1997-01-01,29.33\n1,1997-01-18,29.73\n";
        let opts = CsvOptions::from_json(r#"{"columns": {"clientId": "id", "timestamp": "date", "value": "amount"}, "kind": "purchase"}"#).unwrap();
        let b = from_csv(text, &opts, strict(5)).unwrap();
        assert!(b.events.iter().all(|e| e.kind == EventKind::Purchase));
        let bad = CsvOptions {
            kind: Some("gift".into()),
            ..opts
        };
        let e = from_csv(text, &bad, strict(5)).unwrap_err();
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
        let b = from_csv(&text, &CsvOptions::default(), Policy::new(Mode::Lenient, 3)).unwrap();
        assert_eq!(
            (b.rows, b.skipped, b.events.len(), b.issues.len()),
            (10, 5, 5, 3)
        );
        assert_eq!(b.issues[0].row, 2);
        assert_eq!(b.issues[0].code, ErrorCode::UnknownKind);
        let e = from_csv(&text, &CsvOptions::default(), strict(3)).unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::UnknownKind, Some(2)));
        // Duplicate columns for a field are refused by name; a blank line of spaces is no row.
        let e = from_csv(
            "clientId,timestamp,kind,Kind\na,2024-06-01,usage,usage\n",
            &CsvOptions::default(),
            strict(3),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidCsv, Some("kind"))
        );
        let b = from_csv(
            "clientId,timestamp,kind,note,note\na,2024-06-01,usage,x,y\n   \n",
            &CsvOptions::default(),
            strict(3),
        )
        .unwrap();
        assert_eq!(b.rows, 1);
        // A row that is not UTF-8 is skipped by name, and reading goes on.
        let mut bytes = b"clientId,timestamp,kind\n".to_vec();
        bytes.extend_from_slice(b"\xff\xfe,2024-06-01,usage\nok,2024-06-01,usage\n");
        let mut r = CsvReader::new(&CsvOptions::default(), Policy::new(Mode::Lenient, 3)).unwrap();
        r.push(&bytes).unwrap();
        let b = r.finish().unwrap();
        assert_eq!((b.rows, b.skipped, b.events.len()), (2, 1, 1));
        assert_eq!(
            (b.issues[0].code, b.issues[0].field.as_deref()),
            (ErrorCode::InvalidCsv, Some("clientId"))
        );
    }
}
