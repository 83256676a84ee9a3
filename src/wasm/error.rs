//! Core errors as JavaScript `Error`s named `RapportError`, with `code`, `row` and `field`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::{ErrorCode, RapportError};

fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), v);
}

impl From<RapportError> for JsValue {
    fn from(e: RapportError) -> JsValue {
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
}

/// An `INVALID_ARGUMENT` error: argument `what` must be `expected`.
pub fn arg_error(what: &str, expected: &str) -> RapportError {
    RapportError::new(
        ErrorCode::InvalidArgument,
        format!("{what} must be {expected}"),
    )
    .with_field(what)
}
