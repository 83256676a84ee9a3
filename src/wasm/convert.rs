//! JavaScript values to core types and back.

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::arg_error;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::event::RawEvent;
use crate::input::json::record_error;
use crate::input::records::{flags, ObjectColumns};

pub fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), v);
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A new empty object.
pub fn object() -> JsValue {
    Object::new().into()
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

/// serde-wasm-bindgen's errors print as `Error: …`; keep the sentence.
fn js_message(m: &str) -> String {
    m.strip_prefix("Error: ").unwrap_or(m).to_string()
}

/// Reads an options object (undefined or null means all defaults, as does an undefined or null
/// key), naming a bad key.
pub fn options<T: DeserializeOwned + Default>(v: &JsValue, what: &str) -> Result<T> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(arg_error(what, "an object"));
    }
    // Through a JSON value: serde-wasm-bindgen reads only the fields a struct declares, so it
    // would never see (and so never reject) a misspelt key.
    let mut value: serde_json::Value = serde_wasm_bindgen::from_value(v.clone()).map_err(|e| {
        RapportError::new(ErrorCode::InvalidConfig, js_message(&e.to_string())).with_field(what)
    })?;
    drop_absent(&mut value);
    crate::options::read(value)
}

/// A value as a JavaScript value, through JSON text: the engine's parser builds large reports
/// several times faster than creating each object through the boundary, and every value
/// rapport returns is JSON-safe.
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue> {
    json_to_js(&to_json(v)?)
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

pub fn text_arg(v: &JsValue, what: &str) -> Result<String> {
    v.as_string().ok_or_else(|| arg_error(what, "a string"))
}

pub fn bytes_arg(v: &JsValue, what: &str) -> Result<Vec<u8>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(b).to_vec())
    } else {
        Err(arg_error(what, "a Uint8Array or an ArrayBuffer"))
    }
}

/// Text or bytes: a string as its UTF-8, a Uint8Array or ArrayBuffer as it is.
pub fn text_or_bytes(v: &JsValue, what: &str) -> Result<Vec<u8>> {
    match v.as_string() {
        Some(s) => Ok(s.into_bytes()),
        None => bytes_arg(v, what).map_err(|_| arg_error(what, "a string or a Uint8Array")),
    }
}

/// An array of strings; `required` says whether `undefined` is an error.
pub fn strings(v: JsValue, what: &str, required: bool) -> Result<Vec<String>> {
    if v.is_undefined() && !required {
        return Ok(Vec::new());
    }
    let arr = v
        .dyn_into::<Array>()
        .map_err(|_| arg_error(what, "an array of strings"))?;
    arr.iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_string()
                .ok_or_else(|| arg_error(&format!("{what}[{i}]"), "a string"))
        })
        .collect()
}

/// A typed array of type `T`, or `None` when absent and not `required`.
pub fn typed<T: JsCast>(v: JsValue, what: &str, ty: &str, required: bool) -> Result<Option<T>> {
    if v.is_undefined() && !required {
        return Ok(None);
    }
    v.dyn_into::<T>()
        .map(Some)
        .map_err(|_| arg_error(what, &format!("a {ty}")))
}

#[cfg(feature = "models")]
/// A column of numbers: a Float64Array (copied once) or an array of numbers; `None` when
/// absent.
pub fn numbers(v: JsValue, what: &str) -> Result<Option<Vec<f64>>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        return Ok(Some(a.to_vec()));
    }
    let arr = v
        .dyn_into::<Array>()
        .map_err(|_| arg_error(what, "a Float64Array or an array of numbers"))?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64()
                .ok_or_else(|| arg_error(&format!("{what}[{i}]"), "a number"))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

#[wasm_bindgen(module = "/js/columnize.js")]
extern "C" {
    /// Sorts an array of event objects into typed columns in plain JavaScript (see the file).
    fn columnize(events: &Array, flags: &JsValue) -> JsValue;
}

/// The flag values `columnize` writes, from [`flags::ALL`].
fn flag_values() -> JsValue {
    let o = object();
    for (name, bit) in flags::ALL {
        set(&o, name, &JsValue::from(bit));
    }
    o
}

/// Reads one event object field by field; an error names the field whose type is wrong.
fn read_event(v: JsValue) -> Result<RawEvent> {
    if !v.is_object() || Array::is_array(&v) {
        return Err(RapportError::new(
            ErrorCode::InvalidField,
            "each event must be an object",
        ));
    }
    serde_path_to_error::deserialize::<_, RawEvent>(serde_wasm_bindgen::Deserializer::from(v))
        .map_err(|e| {
            record_error(
                &e.path().to_string(),
                &js_message(&e.into_inner().to_string()),
            )
        })
}

/// An array of event objects as columns, the rows `columnize` could not sort by type read one
/// by one.
pub fn object_columns(events: &Array) -> ObjectColumns {
    let v = columnize(events, &flag_values());
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
    let slow = u32s("slow")
        .into_iter()
        .map(|i| (i, read_event(events.get(i))))
        .collect();
    ObjectColumns {
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
    }
}
