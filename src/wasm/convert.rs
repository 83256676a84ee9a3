//! JavaScript values to core types and back.
//!
//! Nothing here calls into a caller's objects directly: `js/read.js` reads them (getters,
//! Proxies and all) in plain JavaScript and answers with plain values, or with what reading
//! threw, which becomes a coded error. So no exception ever unwinds through a wasm frame,
//! where it would leave a scorer borrowed for good.

use js_sys::{
    Array, Float32Array, Float64Array, Object, Reflect, Uint16Array, Uint32Array, Uint8Array,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::arg_error;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::json::record_from_json;
use crate::input::records::{flags, ObjectColumns};
use crate::report::table::{Column, Table};

type JsResult<T> = std::result::Result<T, JsValue>;

#[wasm_bindgen(module = "/js/read.js")]
extern "C" {
    /// Runs a reader of `js/read.js` on a caller's value; never throws.
    #[wasm_bindgen(catch, js_name = read)]
    fn read_js(what: &str, v: &JsValue, extra: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = isRapportError)]
    fn is_rapport_error_js(e: &JsValue) -> std::result::Result<bool, JsValue>;
}

pub fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), v);
}

/// A property of an object rapport made (never a caller's).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A new empty object.
pub fn object() -> JsValue {
    Object::new().into()
}

/// The coded error for a value whose reading threw: `INVALID_ARGUMENT` naming `what`, with
/// what was thrown as its `cause`.
fn caller_error(what: &str, message: &str, thrown: JsValue) -> JsValue {
    let e: JsValue = RapportError::new(
        ErrorCode::InvalidArgument,
        format!("{what} could not be read: {message}"),
    )
    .with_field(what)
    .into();
    set(&e, "cause", &thrown);
    e
}

/// Runs reader `reader` of `js/read.js` on the caller's value `v` (named `what` in errors).
fn read(reader: &str, what: &str, v: &JsValue, extra: &JsValue) -> JsResult<JsValue> {
    let r = read_js(reader, v, extra).map_err(|e| caller_error(what, "the reader failed", e))?;
    if get(&r, "ok").as_bool() == Some(true) {
        Ok(get(&r, "value"))
    } else {
        let message = get(&r, "message").as_string().unwrap_or_default();
        Err(caller_error(what, &message, get(&r, "thrown")))
    }
}

/// Removes object keys whose value is `null`: in JavaScript `{ periods: undefined }` means "no
/// periods given" (JSON drops it), and so does `null`: such a key takes its default.
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
/// key), naming a bad key. A cycle, a getter that throws or nesting deeper than JSON's 128
/// levels are coded errors.
pub fn options<T: DeserializeOwned + Default>(v: &JsValue, what: &str) -> JsResult<T> {
    match read("kindOf", what, v, &JsValue::UNDEFINED)?
        .as_string()
        .as_deref()
    {
        Some("absent") => return Ok(T::default()),
        Some("object") => {}
        _ => return Err(arg_error(what, "an object").into()),
    }
    let text = read("toJson", what, v, &JsValue::UNDEFINED)?
        .as_string()
        .unwrap_or_default();
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        RapportError::new(
            ErrorCode::InvalidConfig,
            format!(
                "{what} could not be read: {}",
                crate::options::strip_position(&e.to_string())
            ),
        )
        .with_field(what)
    })?;
    drop_absent(&mut value);
    Ok(crate::options::read(value)?)
}

/// A value as a JavaScript value, through JSON text: the engine's parser builds large reports
/// several times faster than creating each object through the boundary, and every value
/// rapport returns is JSON-safe.
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue> {
    json_to_js(&to_json(v)?)
}

/// A table: its columns as typed arrays (each copied out of wasm memory once), the rest
/// through JSON.
pub fn table_to_js(t: &Table) -> Result<JsValue> {
    let o = object();
    set(&o, "asOf", &JsValue::from_str(&t.as_of));
    set(&o, "clientIds", &to_js(&t.client_ids)?);
    let columns = object();
    for (name, c) in t.columns.each() {
        let v: JsValue = match c {
            Column::U8(v) => Uint8Array::from(v).into(),
            Column::U16(v) => Uint16Array::from(v).into(),
            Column::U32(v) => Uint32Array::from(v).into(),
            Column::F32(v) => Float32Array::from(v).into(),
            Column::F64(v) => Float64Array::from(v).into(),
        };
        set(&columns, name, &v);
    }
    set(&o, "columns", &columns);
    set(&o, "names", &to_js(&t.names)?);
    set(&o, "portfolio", &to_js(&t.portfolio)?);
    set(&o, "profile", &to_js(&t.profile)?);
    if let Some(b) = &t.customer_base {
        set(&o, "customerBase", &to_js(b)?);
    }
    set(&o, "warnings", &to_js(&t.warnings)?);
    Ok(o)
}

/// A value as JSON text.
pub fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| {
        RapportError::new(
            ErrorCode::Internal,
            format!("rapport could not write its result: {e}"),
        )
    })
}

/// Parses JSON text written by [`to_json`].
pub fn json_to_js(text: &str) -> Result<JsValue> {
    js_sys::JSON::parse(text).map_err(|_| {
        RapportError::new(
            ErrorCode::Internal,
            "rapport could not hand its result to JavaScript",
        )
    })
}

/// Text a caller passed: a string (its UTF-8; a string with lone surrogates arrives as bytes
/// that are not UTF-8, so that the core's checks name the row), or, where `bytes_too`, a
/// Uint8Array or ArrayBuffer of UTF-8.
pub fn text_arg(v: &JsValue, what: &str, bytes_too: bool) -> JsResult<Vec<u8>> {
    let r = read("text", what, v, &JsValue::UNDEFINED)?;
    if let Some(s) = r.as_string() {
        return Ok(s.into_bytes());
    }
    match r.dyn_ref::<Uint8Array>() {
        // A string with lone surrogates, as WTF-8; or bytes, where bytes are taken.
        Some(a) if v.is_string() || bytes_too => Ok(a.to_vec()),
        _ if bytes_too => Err(arg_error(what, "a string or a Uint8Array").into()),
        _ => Err(arg_error(what, "a string").into()),
    }
}

/// A string a caller passed.
pub fn string_arg(v: &JsValue, what: &str) -> JsResult<String> {
    v.as_string()
        .ok_or_else(|| arg_error(what, "a string").into())
}

/// An array of strings a caller passed.
pub fn strings_arg(v: &JsValue, what: &str) -> JsResult<Vec<String>> {
    let r = read("strings", what, v, &JsValue::UNDEFINED)?;
    if r.is_null() || r.is_undefined() {
        return Err(arg_error(what, "an array of strings").into());
    }
    strings(r, what, true)
}

/// Bytes a caller passed: a Uint8Array or an ArrayBuffer (a detached one reads as empty).
pub fn bytes_arg(v: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    let r = read("bytes", what, v, &JsValue::UNDEFINED)?;
    r.dyn_ref::<Uint8Array>()
        .map(|a| a.to_vec())
        .ok_or_else(|| arg_error(what, "a Uint8Array or an ArrayBuffer").into())
}

/// Another scorer's ledger as snapshot bytes, read through its own `snapshot()`: a scorer
/// merged with itself, freed, or not a scorer at all is a coded error.
pub fn snapshot_of(other: &JsValue) -> JsResult<Vec<u8>> {
    let r = read("snapshotOf", "other", other, &JsValue::UNDEFINED)?;
    r.dyn_ref::<Uint8Array>()
        .map(|a| a.to_vec())
        .ok_or_else(|| arg_error("other", "a Scorer").into())
}

/// Whether a thrown value is a RapportError.
pub fn is_rapport_error(e: &JsValue) -> bool {
    is_rapport_error_js(e).unwrap_or(false)
}

/// An array of strings from `read.js` (null entries were not well-formed strings).
fn strings(v: JsValue, what: &str, required: bool) -> JsResult<Vec<String>> {
    if v.is_undefined() && !required {
        return Ok(Vec::new());
    }
    let arr = v
        .dyn_into::<Array>()
        .map_err(|_| JsValue::from(arg_error(what, "an array of strings")))?;
    arr.iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_string().ok_or_else(|| {
                arg_error(&format!("{what}[{i}]"), "a string of well-formed text").into()
            })
        })
        .collect()
}

/// A typed array from `read.js`: `None` when absent (undefined) and not `required`.
fn typed<T: JsCast>(v: JsValue, what: &str, ty: &str, required: bool) -> JsResult<Option<T>> {
    if v.is_undefined() && !required {
        return Ok(None);
    }
    v.dyn_into::<T>()
        .map(Some)
        .map_err(|_| arg_error(what, &format!("a {ty}")).into())
}

/// Events as typed columns, copied once.
pub struct ColumnsIn {
    pub client_ids: Vec<String>,
    pub feature_names: Vec<String>,
    pub client_index: Vec<u32>,
    pub timestamps: Vec<f64>,
    pub kinds: Vec<u8>,
    pub values: Option<Vec<f64>>,
    pub messages: Option<Vec<f64>>,
    pub costs: Option<Vec<f64>>,
    pub feature_index: Option<Vec<u32>>,
    pub reopened: Option<Vec<u8>>,
}

/// Reads a `ColumnarEvents` object.
pub fn columns_arg(columns: &JsValue) -> JsResult<ColumnsIn> {
    let c = read("columns", "columns", columns, &JsValue::UNDEFINED)?;
    if c.is_null() {
        return Err(arg_error("columns", "an object of typed arrays").into());
    }
    let g = |k: &str| get(&c, k);
    let f64s = |k: &str| {
        typed::<Float64Array>(g(k), k, "Float64Array", false).map(|o| o.map(|a| a.to_vec()))
    };
    let u32s = |k: &str, required| {
        typed::<Uint32Array>(g(k), k, "Uint32Array", required).map(|o| o.map(|a| a.to_vec()))
    };
    let u8s = |k: &str, required| {
        typed::<Uint8Array>(g(k), k, "Uint8Array", required).map(|o| o.map(|a| a.to_vec()))
    };
    Ok(ColumnsIn {
        client_ids: strings(g("clientIds"), "clientIds", true)?,
        feature_names: strings(g("featureNames"), "featureNames", false)?,
        client_index: u32s("clientIndex", true)?.unwrap_or_default(),
        timestamps: typed::<Float64Array>(g("timestamps"), "timestamps", "Float64Array", true)?
            .map_or_else(Vec::new, |a| a.to_vec()),
        kinds: u8s("kinds", true)?.unwrap_or_default(),
        values: f64s("values")?,
        messages: f64s("messages")?,
        costs: f64s("costs")?,
        feature_index: u32s("featureIndex", false)?,
        reopened: u8s("reopened", false)?,
    })
}

/// Named columns of numbers.
#[cfg(feature = "models")]
pub type NumberColumns = Vec<(String, Vec<f64>)>;

/// Model data from `read.js`: the keys given, and each column given as numbers.
#[cfg(feature = "models")]
pub fn model_columns(v: &JsValue) -> JsResult<(Vec<String>, NumberColumns)> {
    let r = read("modelColumns", "data", v, &JsValue::UNDEFINED)?;
    if r.is_null() {
        return Err(arg_error("data", "an object of columns").into());
    }
    let keys = strings(get(&r, "keys"), "data", true)?;
    let not_numbers = get(&r, "notNumbers");
    let columns = get(&r, "columns");
    let mut out = Vec::new();
    for k in &keys {
        if let Some(i) = get(&not_numbers, k).as_f64() {
            return Err(if i < 0.0 {
                arg_error(k, "a Float64Array or an array of numbers")
            } else {
                arg_error(&format!("{k}[{i}]"), "a number")
            }
            .into());
        }
        if let Some(a) = get(&columns, k).dyn_ref::<Float64Array>() {
            out.push((k.clone(), a.to_vec()));
        }
    }
    Ok((keys, out))
}

/// The flag values `columnize` writes, from [`flags::ALL`].
fn flag_values() -> JsValue {
    let o = object();
    for (name, bit) in flags::ALL {
        set(&o, name, &JsValue::from(bit));
    }
    o
}

/// An array of event objects as columns, and the number of rows it had.
pub fn object_columns(events: &JsValue) -> JsResult<(ObjectColumns, usize)> {
    let v = read("columnize", "events", events, &flag_values())?;
    if v.is_null() {
        return Err(arg_error("events", "an array of event objects").into());
    }
    let strs = |k: &str| strings(get(&v, k), k, false).unwrap_or_default();
    let u32s = |k: &str| {
        get(&v, k)
            .dyn_into::<Uint32Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default()
    };
    let f64s = |k: &str| {
        get(&v, k)
            .dyn_into::<Float64Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default()
    };
    let (json, threw) = (strs("slowJson"), strs("slowThrew"));
    let slow = u32s("slow")
        .into_iter()
        .enumerate()
        .map(|(k, i)| {
            let read = match threw.get(k).filter(|m| !m.is_empty()) {
                Some(m) => Err(RapportError::new(ErrorCode::InvalidField, m.clone())),
                None => record_from_json(json.get(k).map_or("", String::as_str)),
            };
            (i, read)
        })
        .collect();
    let rows = get(&v, "rows").as_f64().unwrap_or(0.0) as usize;
    let after = get(&v, "lengthAfter").as_f64().unwrap_or(0.0) as usize;
    let cols = ObjectColumns {
        client_ids: strs("clientIds"),
        client_index: u32s("clientIndex"),
        kinds: strs("kinds"),
        kind_index: u32s("kindIndex"),
        features: strs("features"),
        feature_index: u32s("featureIndex"),
        timestamps: f64s("timestamps"),
        timestamp_texts: get(&v, "timestampTexts").as_string().unwrap_or_default(),
        values: f64s("values"),
        messages: f64s("messages"),
        costs: f64s("costs"),
        flags: get(&v, "flags")
            .dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default(),
        slow,
    };
    // An array a getter changed while it was read has another length now, which the core
    // refuses; otherwise `after` is the rows counted.
    let _ = rows;
    Ok((cols, after))
}
