//! The JavaScript binding layer: converts JS values to core types and back, and turns core
//! errors into JS `Error`s with a stable `code`. No scoring logic lives here.

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::{options_error, strip_position, ScorerOptions};
use crate::error::{ErrorCode, RapportError};
use crate::event::{EventParts, RawEvent, TimestampRef};
use crate::ingest::{self, BatchBuilder, Columns, CsvOptions};
use crate::scorer::{ScoreOptions, Scorer as CoreScorer};

#[wasm_bindgen(typescript_custom_section)]
const TS_APPENDIX: &'static str = r#"
/** Every error rapport throws: a real `Error` with a stable `code`, and the row and field of
 * the input that caused it when there is one. */
export interface RapportError extends Error {
  name: "RapportError";
  code: ErrorCode;
  /** 1-based row in the batch (CSV: data row, header not counted). */
  row?: number;
  /** The field, column or option key concerned. */
  field?: string;
}
"#;

/// Events as parallel typed arrays, copied into wasm memory once. Row `i` is event `i`.
#[derive(tsify::Tsify)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct ColumnarEvents {
    /// Dictionary of client ids.
    client_ids: Vec<String>,
    /// Per event, an index into `clientIds`.
    #[tsify(type = "Uint32Array")]
    client_index: (),
    /// Per event, epoch milliseconds.
    #[tsify(type = "Float64Array")]
    timestamps: (),
    /// Per event, an event kind code (see `eventKinds()`: 0 usage, 1 purchase, …).
    #[tsify(type = "Uint8Array")]
    kinds: (),
    /// Per event, the value (amount, rating, duration); NaN for none.
    #[tsify(optional, type = "Float64Array")]
    values: (),
    /// Dictionary of feature names.
    #[tsify(optional)]
    feature_names: Vec<String>,
    /// Per event, an index into `featureNames`; 4294967295 (0xFFFFFFFF) for none.
    #[tsify(optional, type = "Uint32Array")]
    feature_index: (),
    /// Per event, support messages exchanged; NaN for none.
    #[tsify(optional, type = "Float64Array")]
    messages: (),
    /// Per event, support handling cost; NaN for none.
    #[tsify(optional, type = "Float64Array")]
    costs: (),
    /// Per event, 1 if a support ticket was reopened, else 0.
    #[tsify(optional, type = "Uint8Array")]
    reopened: (),
}

fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), v);
}

/// A core error as a JS `Error` named `RapportError` with `code`, `row` and `field`.
pub fn to_js_error(e: RapportError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("RapportError");
    let v: JsValue = err.into();
    set(&v, "code", &JsValue::from_str(e.code.as_str()));
    if let Some(r) = e.row {
        set(&v, "row", &JsValue::from_f64(r as f64));
    }
    if let Some(f) = &e.field {
        set(&v, "field", &JsValue::from_str(f));
    }
    v
}

fn arg_error(what: &str, expected: &str) -> JsValue {
    to_js_error(
        RapportError::new(
            ErrorCode::InvalidArgument,
            format!("{what} must be {expected}"),
        )
        .with_field(what),
    )
}

/// Removes object keys whose value is `undefined` or `null`: in JavaScript `{ periods: undefined }`
/// means "no periods given", so such a key takes its default like a missing one.
fn drop_absent(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(drop_absent);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_absent),
        _ => {}
    }
}

/// Reads an options object (undefined or null means all defaults, as does an undefined or null
/// key), naming a bad key.
fn options_from_js<T: DeserializeOwned + Default>(v: &JsValue, what: &str) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(arg_error(what, "an object"));
    }
    // Through a JSON value: serde-wasm-bindgen reads only the fields a struct declares, so it
    // would never see (and so never reject) a misspelt key.
    let mut value: serde_json::Value = serde_wasm_bindgen::from_value(v.clone()).map_err(|e| {
        to_js_error(
            RapportError::new(ErrorCode::InvalidConfig, js_message(&e.to_string()))
                .with_field(what),
        )
    })?;
    drop_absent(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        to_js_error(options_error(
            &e.path().to_string(),
            &strip_position(&e.into_inner().to_string()),
        ))
    })
}

/// A report as JSON text, written into a buffer sized up front: reports run to about a
/// kilobyte per client, and growing a buffer of tens of megabytes by doubling copies it again
/// and again.
fn report_json(report: &crate::scorer::Report) -> String {
    let mut buf = Vec::with_capacity(4096 + report.clients.len() * 1200);
    if serde_json::to_writer(&mut buf, report).is_err() {
        return String::new();
    }
    // serde_json writes only valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

/// serde-wasm-bindgen's errors print as `Error: …`; keep the sentence.
fn js_message(m: &str) -> String {
    m.strip_prefix("Error: ").unwrap_or(m).to_string()
}

fn to_js<T: Serialize>(v: &T) -> JsValue {
    // JSON text parsed by the engine builds large reports several times faster than creating
    // each object through the boundary; every value rapport returns is JSON-safe.
    match serde_json::to_string(v) {
        Ok(s) => js_sys::JSON::parse(&s).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

fn text_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| arg_error(what, "a string"))
}

fn bytes_arg(v: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(b).to_vec())
    } else {
        Err(arg_error(what, "a Uint8Array or an ArrayBuffer"))
    }
}

#[wasm_bindgen(module = "/js/columnize.js")]
extern "C" {
    /// Sorts an array of event objects into typed columns in plain JavaScript (see the file).
    fn columnize(events: &Array) -> JsValue;
}

/// What `columnize` returns, copied into wasm memory.
struct Columnized {
    client_ids: Vec<String>,
    client_index: Vec<u32>,
    kinds: Vec<String>,
    kind_index: Vec<u32>,
    features: Vec<String>,
    feature_index: Vec<u32>,
    timestamps: Vec<f64>,
    timestamp_texts: String,
    values: Vec<f64>,
    messages: Vec<f64>,
    costs: Vec<f64>,
    flags: Vec<u8>,
    slow: Vec<u32>,
}

/// Entry `ix` of a dictionary; `None` for the "absent" index.
fn pick(dict: &[String], ix: u32) -> Option<&str> {
    dict.get(ix as usize).map(String::as_str)
}

impl Columnized {
    fn read(v: &JsValue) -> Columnized {
        let get = |k: &str| Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let strings = |k: &str| -> Vec<String> {
            get(k)
                .dyn_into::<Array>()
                .map(|a| {
                    a.iter()
                        .map(|s| s.as_string().unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default()
        };
        let u32s = |k: &str| {
            get(k)
                .dyn_into::<Uint32Array>()
                .map(|a| a.to_vec())
                .unwrap_or_default()
        };
        let f64s = |k: &str| {
            get(k)
                .dyn_into::<Float64Array>()
                .map(|a| a.to_vec())
                .unwrap_or_default()
        };
        Columnized {
            client_ids: strings("clientIds"),
            client_index: u32s("clientIndex"),
            kinds: strings("kinds"),
            kind_index: u32s("kindIndex"),
            features: strings("features"),
            feature_index: u32s("featureIndex"),
            timestamps: f64s("timestamps"),
            timestamp_texts: get("timestampTexts").as_string().unwrap_or_default(),
            values: f64s("values"),
            messages: f64s("messages"),
            costs: f64s("costs"),
            flags: get("flags")
                .dyn_into::<Uint8Array>()
                .map(|a| a.to_vec())
                .unwrap_or_default(),
            slow: u32s("slow"),
        }
    }
}

/// Reads one event object field by field; an error names the field whose type is wrong.
fn read_event(v: JsValue) -> Result<RawEvent, RapportError> {
    if !v.is_object() || Array::is_array(&v) {
        return Err(RapportError::new(
            ErrorCode::InvalidField,
            "each event must be an object",
        ));
    }
    serde_path_to_error::deserialize::<_, RawEvent>(serde_wasm_bindgen::Deserializer::from(v))
        .map_err(|e| {
            ingest::record_error(
                &e.path().to_string(),
                &js_message(&e.into_inner().to_string()),
            )
        })
}

/// Scores clients from their events. Create one with options, ingest batches of events any
/// number of times, and call `score()` whenever a report is wanted.
#[wasm_bindgen(js_name = Scorer)]
pub struct JsScorer {
    inner: CoreScorer,
}

#[wasm_bindgen(js_class = Scorer)]
impl JsScorer {
    /// Creates a scorer. Throws a RapportError (`UNKNOWN_CONFIG_KEY`, `INVALID_CONFIG`) naming
    /// the key of a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ScorerOptions")] options: JsValue,
    ) -> Result<JsScorer, JsValue> {
        let opts: ScorerOptions = options_from_js(&options, "options")?;
        Ok(JsScorer {
            inner: CoreScorer::new(&opts).map_err(to_js_error)?,
        })
    }

    /// Ingests an array of event objects. Strict mode rejects the whole batch on the first bad
    /// row; lenient mode skips bad rows and lists them in the summary.
    #[wasm_bindgen(unchecked_return_type = "IngestSummary")]
    pub fn ingest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RawEvent[]")] events: JsValue,
    ) -> Result<JsValue, JsValue> {
        let arr = events
            .dyn_into::<Array>()
            .map_err(|_| arg_error("events", "an array of event objects"))?;
        let cfg = self.inner.config();
        let mut b = BatchBuilder::new(cfg.mode, cfg.max_issues);
        let same = |s: &str| s.to_string();
        let cols = Columnized::read(&columnize(&arr));
        let mut texts = cols.timestamp_texts.split('\n');
        let mut slow = cols.slow.iter().copied().peekable();
        // Rows as columnize saw them; every column has that length (checked, so that an array
        // changed under us by a getter cannot make an index go out of bounds).
        let n = cols.flags.len();
        let lengths = [
            cols.client_index.len(),
            cols.kind_index.len(),
            cols.feature_index.len(),
            cols.timestamps.len(),
            cols.values.len(),
            cols.messages.len(),
            cols.costs.len(),
        ];
        if lengths.iter().any(|&l| l != n) || n != arr.length() as usize {
            return Err(arg_error(
                "events",
                "an array that does not change while it is read",
            ));
        }
        for i in 0..n {
            let row = i as u64 + 1;
            if slow.peek() == Some(&(i as u32)) {
                slow.next();
                let err = match read_event(arr.get(i as u32)) {
                    Ok(r) => {
                        b.push(row, &r.parts(), &same).map_err(to_js_error)?;
                        continue;
                    }
                    Err(e) => e,
                };
                b.reject(row, err).map_err(to_js_error)?;
                continue;
            }
            let flags = cols.flags[i];
            let parts = EventParts {
                client_id: pick(&cols.client_ids, cols.client_index[i]),
                timestamp: if flags & 64 != 0 {
                    None
                } else if flags & 1 != 0 {
                    texts.next().map(TimestampRef::Text)
                } else {
                    Some(TimestampRef::EpochMs(cols.timestamps[i]))
                },
                kind: pick(&cols.kinds, cols.kind_index[i]),
                feature: pick(&cols.features, cols.feature_index[i]),
                value: (flags & 2 != 0).then(|| cols.values[i]),
                messages: (flags & 4 != 0).then(|| cols.messages[i]),
                cost: (flags & 8 != 0).then(|| cols.costs[i]),
                reopened: (flags & 16 != 0).then_some(flags & 32 != 0),
            };
            b.push(row, &parts, &same).map_err(to_js_error)?;
        }
        let batch = b.finish().map_err(to_js_error)?;
        Ok(to_js(&self.inner.ingest_batch(batch).map_err(to_js_error)?))
    }

    /// Ingests a JSON array of event objects given as text.
    #[wasm_bindgen(js_name = ingestJson, unchecked_return_type = "IngestSummary")]
    pub fn ingest_json(&mut self, text: JsValue) -> Result<JsValue, JsValue> {
        let text = text_arg(&text, "text")?;
        Ok(to_js(&self.inner.ingest_json(&text).map_err(to_js_error)?))
    }

    /// Ingests CSV text with a header row; `options.columns` maps rapport's fields to the
    /// file's column names.
    #[wasm_bindgen(js_name = ingestCsv, unchecked_return_type = "IngestSummary")]
    pub fn ingest_csv(
        &mut self,
        text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = text_arg(&text, "text")?;
        let opts: CsvOptions = options_from_js(&options, "options")?;
        Ok(to_js(
            &self.inner.ingest_csv(&text, &opts).map_err(to_js_error)?,
        ))
    }

    /// Ingests events given as typed arrays: the fast path for large data.
    #[wasm_bindgen(js_name = ingestColumns, unchecked_return_type = "IngestSummary")]
    pub fn ingest_columns(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ColumnarEvents")] columns: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !columns.is_object() {
            return Err(arg_error("columns", "an object of typed arrays"));
        }
        let get =
            |k: &str| Reflect::get(&columns, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let strings = |k: &str, required: bool| -> Result<Vec<String>, JsValue> {
            let v = get(k);
            if v.is_undefined() && !required {
                return Ok(Vec::new());
            }
            let arr = v
                .dyn_into::<Array>()
                .map_err(|_| arg_error(k, "an array of strings"))?;
            arr.iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_string()
                        .ok_or_else(|| arg_error(&format!("{k}[{i}]"), "a string"))
                })
                .collect()
        };
        fn typed<T: JsCast>(
            v: JsValue,
            k: &str,
            ty: &str,
            required: bool,
        ) -> Result<Option<T>, JsValue> {
            if v.is_undefined() && !required {
                return Ok(None);
            }
            v.dyn_into::<T>()
                .map(Some)
                .map_err(|_| arg_error(k, &format!("a {ty}")))
        }
        let client_ids = strings("clientIds", true)?;
        let feature_names = strings("featureNames", false)?;
        let client_index =
            typed::<Uint32Array>(get("clientIndex"), "clientIndex", "Uint32Array", true)?
                .map(|a| a.to_vec())
                .unwrap_or_default();
        let timestamps =
            typed::<Float64Array>(get("timestamps"), "timestamps", "Float64Array", true)?
                .map(|a| a.to_vec())
                .unwrap_or_default();
        let kinds = typed::<Uint8Array>(get("kinds"), "kinds", "Uint8Array", true)?
            .map(|a| a.to_vec())
            .unwrap_or_default();
        let f64s = |k: &str| {
            typed::<Float64Array>(get(k), k, "Float64Array", false).map(|o| o.map(|a| a.to_vec()))
        };
        let values = f64s("values")?;
        let messages = f64s("messages")?;
        let costs = f64s("costs")?;
        let feature_index =
            typed::<Uint32Array>(get("featureIndex"), "featureIndex", "Uint32Array", false)?
                .map(|a| a.to_vec());
        let reopened = typed::<Uint8Array>(get("reopened"), "reopened", "Uint8Array", false)?
            .map(|a| a.to_vec());
        let cols = Columns {
            client_ids: &client_ids,
            client_index: &client_index,
            timestamps: &timestamps,
            kinds: &kinds,
            values: values.as_deref(),
            feature_names: &feature_names,
            feature_index: feature_index.as_deref(),
            messages: messages.as_deref(),
            costs: costs.as_deref(),
            reopened: reopened.as_deref(),
        };
        Ok(to_js(
            &self.inner.ingest_columns(&cols).map_err(to_js_error)?,
        ))
    }

    /// Scores every client and summarises the portfolio.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: ScoreOptions = options_from_js(&options, "options")?;
        let report = self.inner.score(&opts).map_err(to_js_error)?;
        Ok(js_sys::JSON::parse(&report_json(&report)).unwrap_or(JsValue::UNDEFINED))
    }

    /// The report as JSON text (skips building JS objects when the report goes straight out,
    /// e.g. as an HTTP response).
    #[wasm_bindgen(js_name = scoreJson)]
    pub fn score_json(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        let opts: ScoreOptions = options_from_js(&options, "options")?;
        let report = self.inner.score(&opts).map_err(to_js_error)?;
        Ok(report_json(&report))
    }

    /// Scores over time: per-period portfolio and client scores, segment and status
    /// migrations between two dates, alerts for clients whose scores fell, cohort retention.
    #[wasm_bindgen(unchecked_return_type = "History")]
    pub fn history(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "HistoryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: crate::monitoring::HistoryOptions = options_from_js(&options, "options")?;
        let h = self.inner.history(&opts).map_err(to_js_error)?;
        let text = serde_json::to_string(&h).unwrap_or_default();
        Ok(js_sys::JSON::parse(&text).unwrap_or(JsValue::UNDEFINED))
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
    ) -> Result<JsScorer, JsValue> {
        let bytes = bytes_arg(&bytes, "bytes")?;
        let opts: ScorerOptions = options_from_js(&options, "options")?;
        Ok(JsScorer {
            inner: CoreScorer::restore(&bytes, &opts).map_err(to_js_error)?,
        })
    }

    /// Merges another scorer's ledger into this one (events of both, as if ingested here).
    pub fn merge(&mut self, other: &JsScorer) -> Result<(), JsValue> {
        self.inner.merge(&other.inner).map_err(to_js_error)
    }

    /// Merges a ledger snapshot into this scorer.
    #[wasm_bindgen(js_name = mergeSnapshot)]
    pub fn merge_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "bytes")?;
        self.inner.merge_snapshot(&bytes).map_err(to_js_error)
    }

    /// The customer-base models' summary of every client with a purchase (or renewal):
    /// `frequency`, `recency`, `T`, `monetaryValue`, and holdout counts with a calibration end.
    #[cfg(feature = "models")]
    #[wasm_bindgen(unchecked_return_type = "ClientSummary[]")]
    pub fn summary(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: crate::models::summary::SummaryOptions = options_from_js(&options, "options")?;
        let rows = crate::models::summary::summarize_ledger(self.inner.ledger(), &opts)
            .map_err(to_js_error)?;
        Ok(to_js(&rows))
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

#[cfg(feature = "models")]
fn model_arg(model: &JsValue) -> Result<crate::models::api::ModelName, JsValue> {
    model
        .as_string()
        .and_then(|m| crate::models::api::ModelName::parse(&m))
        .ok_or_else(|| {
            arg_error(
                "model",
                "one of bgnbd, mbgnbd, pareto-nbd, gamma-gamma, bgbb, sbg",
            )
        })
}

/// Reads model input: an object of columns, each a Float64Array (copied once) or an array of
/// numbers. Unknown keys and non-numbers are errors naming the key (and the index).
#[cfg(feature = "models")]
fn model_data(v: &JsValue) -> Result<crate::models::api::ModelData, JsValue> {
    const KEYS: [&str; 7] = crate::models::api::ModelData::COLUMNS;
    if !v.is_object() || Array::is_array(v) {
        return Err(arg_error("data", "an object of columns"));
    }
    for key in Object::keys(v.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
    {
        if !KEYS.contains(&key.as_str()) {
            return Err(to_js_error(
                RapportError::new(
                    ErrorCode::UnknownConfigKey,
                    format!("unknown column {key:?}; columns are {}", KEYS.join(", ")),
                )
                .with_field(key),
            ));
        }
    }
    let col = |k: &str| -> Result<Vec<f64>, JsValue> {
        let c = Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        if c.is_undefined() || c.is_null() {
            return Ok(Vec::new());
        }
        if let Some(a) = c.dyn_ref::<Float64Array>() {
            return Ok(a.to_vec());
        }
        let arr = c
            .dyn_into::<Array>()
            .map_err(|_| arg_error(k, "a Float64Array or an array of numbers"))?;
        arr.iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64()
                    .ok_or_else(|| arg_error(&format!("{k}[{i}]"), "a number"))
            })
            .collect()
    };
    let mut data = crate::models::api::ModelData::default();
    for key in KEYS {
        if let Some(c) = data.column_mut(key) {
            *c = col(key)?;
        }
    }
    Ok(data)
}

/// Reads a summary table from CSV text for `model`: client ids and the model's columns.
/// `options.columns` maps rapport's column names (id, frequency, recency, T, monetary, weight,
/// periods, survivors) to the file's.
#[cfg(feature = "models")]
#[wasm_bindgen(js_name = readModelTable, unchecked_return_type = "ModelTable")]
pub fn read_model_table(
    text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ columns?: Record<string, string> }")] options: JsValue,
) -> Result<JsValue, JsValue> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default, deny_unknown_fields)]
    struct TableOptions {
        columns: std::collections::BTreeMap<String, String>,
    }
    let text = text_arg(&text, "text")?;
    let model = model_arg(&model)?;
    let opts: TableOptions = options_from_js(&options, "options")?;
    let columns: Vec<(String, String)> = opts.columns.into_iter().collect();
    let mut table = crate::models::api::read_table(&text, model, &columns).map_err(to_js_error)?;
    // The columns the table has, as Float64Arrays: one copy each out of wasm memory, and what
    // fitModel and predictModel read fastest.
    let data: JsValue = Object::new().into();
    for key in crate::models::api::ModelData::COLUMNS {
        if let Some(col) = table.data.column_mut(key).filter(|c| !c.is_empty()) {
            set(&data, key, &Float64Array::from(&col[..]));
        }
    }
    let out: JsValue = Object::new().into();
    set(&out, "ids", &to_js(&std::mem::take(&mut table.ids)));
    set(&out, "data", &data);
    Ok(out)
}

/// Fits a customer-base model by maximum likelihood to columns of data (which columns each
/// model reads: see `ModelData`). Throws `FIT_FAILED` when the data cannot identify the model.
#[cfg(feature = "models")]
#[wasm_bindgen(js_name = fitModel, unchecked_return_type = "Fit")]
pub fn fit_model(
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelData")] data: JsValue,
) -> Result<JsValue, JsValue> {
    let model = model_arg(&model)?;
    let data = model_data(&data)?;
    Ok(to_js(
        &crate::models::api::fit(model, &data).map_err(to_js_error)?,
    ))
}

/// A model's predictions with given parameters (e.g. a fit's `params`) for every row of `data`.
#[cfg(feature = "models")]
#[wasm_bindgen(js_name = predictModel, unchecked_return_type = "Predictions")]
pub fn predict_model(
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelData")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PredictOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let model = model_arg(&model)?;
    let params: std::collections::BTreeMap<String, f64> = options_from_js(&params, "params")?;
    let data = model_data(&data)?;
    let opts: crate::models::api::PredictOptions = options_from_js(&options, "options")?;
    let params: Vec<(String, f64)> = params.into_iter().collect();
    let p = crate::models::api::predict(model, &params, &data, &opts).map_err(to_js_error)?;
    // Typed arrays: one copy out of wasm memory per column, rather than a JSON number per value.
    let o: JsValue = Object::new().into();
    for (key, col) in [
        ("pAlive", &p.p_alive),
        ("expectedPurchases", &p.expected_purchases),
        ("expectedSpend", &p.expected_spend),
        ("survival", &p.survival),
        ("retention", &p.retention),
    ] {
        if let Some(v) = col {
            set(&o, key, &Float64Array::from(&v[..]));
        }
    }
    Ok(o)
}

/// Whether a thrown value is a RapportError (an `Error` named `RapportError` with a `code`).
#[wasm_bindgen(js_name = isRapportError, unchecked_return_type = "e is RapportError")]
pub fn is_rapport_error(#[wasm_bindgen(unchecked_param_type = "unknown")] e: &JsValue) -> bool {
    e.dyn_ref::<js_sys::Error>()
        .is_some_and(|err| err.name() == "RapportError")
        && Reflect::get(e, &JsValue::from_str("code"))
            .ok()
            .is_some_and(|c| c.is_string())
}

/// The event kinds, in code order: `eventKinds()[code]` is the name of kind `code`.
#[wasm_bindgen(js_name = eventKinds, unchecked_return_type = "EventKind[]")]
pub fn event_kinds() -> JsValue {
    to_js(&ingest::kind_names())
}

/// The library version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Deterministic synthetic events (SaaS-like usage, purchases, tickets, feedback) as columns,
/// for demos and benchmarks: the same seed gives the same events.
#[wasm_bindgen(js_name = generateEvents, unchecked_return_type = "ColumnarEvents")]
pub fn generate_events(seed: f64, clients: u32, events: u32) -> Result<JsValue, JsValue> {
    if !(seed.is_finite() && seed >= 0.0) {
        return Err(arg_error("seed", "a non-negative number"));
    }
    if clients == 0 || events < clients || events > 20_000_000 {
        return Err(to_js_error(
            RapportError::new(
                ErrorCode::InvalidArgument,
                "need 1 <= clients <= events <= 20000000",
            )
            .with_field("events"),
        ));
    }
    let d = crate::synth::generate(seed as u64, clients as usize, events as usize);
    let o: JsValue = Object::new().into();
    let strs = |v: &[String]| v.iter().map(|s| JsValue::from_str(s)).collect::<Array>();
    set(&o, "clientIds", &strs(&d.client_ids));
    set(&o, "clientIndex", &Uint32Array::from(&d.client_index[..]));
    set(&o, "timestamps", &Float64Array::from(&d.timestamps[..]));
    set(&o, "kinds", &Uint8Array::from(&d.kinds[..]));
    set(&o, "values", &Float64Array::from(&d.values[..]));
    set(&o, "featureNames", &strs(&d.feature_names));
    set(&o, "featureIndex", &Uint32Array::from(&d.feature_index[..]));
    set(&o, "messages", &Float64Array::from(&d.messages[..]));
    set(&o, "costs", &Float64Array::from(&d.costs[..]));
    set(&o, "reopened", &Uint8Array::from(&d.reopened[..]));
    Ok(o)
}
