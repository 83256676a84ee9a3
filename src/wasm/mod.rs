//! The JavaScript binding layer: converts JS values to core types and back, and turns core
//! errors into JS `Error`s with a stable `code`. No loops over rows, policies or checks live
//! here: each call converts its arguments, calls the core, and converts the result.
//!
//! - [`convert`]: JS values to core types and back.
//! - [`error`]: `From<RapportError> for JsValue`.
//! - [`scorer`]: the `Scorer` and `CsvReader` classes.
//! - `models` (the `full` build): `readModelTable`, `fitModel`, `predictModel`.

mod convert;
mod error;
#[cfg(feature = "models")]
mod models;
mod scorer;

use js_sys::{Float64Array, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::input::event::EventKind;
use crate::input::synth;
use convert::{object, set, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_APPENDIX: &'static str = r#"
/** Every error rapport throws: a real `Error` with a stable `code`, and the row and field of
 * the input that caused it when there is one. */
export interface RapportError extends Error {
  name: "RapportError";
  code: ErrorCode;
  /** 1-based row in the batch (CSV: data row, header not counted), plus any `rowOffset`. */
  row?: number;
  /** The field, column or option key concerned. */
  field?: string;
}

/** A table column of codes into one of `Table.names`' lists (255: none). */
export type Codes = Uint8Array;
/** A table column of 0 or 1. */
export type Flags = Uint8Array;
/** A table column of 0–100 scores, NaN when unknown. */
export type Scores = Float32Array;
/** A table column of money, counts, times and probabilities, NaN when unknown. */
export type Numbers = Float64Array;
/** A table column of whole numbers of days or things. */
export type Counts = Uint32Array;
/** A table column of RFM codes such as 545; 0 without a purchase. */
export type RfmCodes = Uint16Array;
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

/// Whether a thrown value is a RapportError (an `Error` named `RapportError` with a `code`).
#[wasm_bindgen(js_name = isRapportError, unchecked_return_type = "e is RapportError")]
pub fn is_rapport_error(#[wasm_bindgen(unchecked_param_type = "unknown")] e: &JsValue) -> bool {
    convert::is_rapport_error(e)
}

/// The event kinds, in code order: `eventKinds()[code]` is the name of kind `code`.
#[wasm_bindgen(js_name = eventKinds, unchecked_return_type = "EventKind[]")]
pub fn event_kinds() -> Result<JsValue, JsValue> {
    Ok(to_js(&EventKind::names())?)
}

/// The library version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Deterministic synthetic events (SaaS-like usage, purchases, tickets, feedback) as columns,
/// for demos and benchmarks: the same seed gives the same events.
#[wasm_bindgen(js_name = generateEvents, unchecked_return_type = "ColumnarEvents")]
pub fn generate_events(seed: f64, clients: f64, events: f64) -> Result<JsValue, JsValue> {
    let (clients, events) = (
        synth::count(clients, "clients")?,
        synth::count(events, "events")?,
    );
    let d = synth::generate(synth::seed(seed)?, clients, events)?;
    Ok(columns_of(&d))
}

/// A synthetic SaaS book with a known churn process (a hazard that rises with falling usage,
/// reopened tickets and skipped onboarding; most churners cancel): the events as columns, and
/// `churnedOn`, per client, the day it churned as epoch ms (NaN if it did not).
#[wasm_bindgen(
    js_name = generateSaasEvents,
    unchecked_return_type = "ColumnarEvents & { churnedOn: Float64Array }"
)]
pub fn generate_saas_events(seed: f64, clients: f64) -> Result<JsValue, JsValue> {
    let (d, truth) = synth::saas(synth::seed(seed)?, synth::count(clients, "clients")?)?;
    let o = columns_of(&d);
    let churned: Vec<f64> = truth
        .churned_on
        .iter()
        .map(|c| {
            c.map_or(f64::NAN, |day| {
                day as f64 * crate::input::time::MS_PER_DAY as f64
            })
        })
        .collect();
    set(&o, "churnedOn", &Float64Array::from(&churned[..]));
    Ok(o)
}

/// Generated events as a `ColumnarEvents` object.
fn columns_of(d: &synth::SynthEvents) -> JsValue {
    let o = object();
    let strs = |v: &[String]| {
        v.iter()
            .map(|s| JsValue::from_str(s))
            .collect::<js_sys::Array>()
    };
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
    o
}
