//! The customer-base models' functions (the `full` build): `readModelTable`, `fitModel`,
//! `predictModel`.

use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use super::convert::{self, object, set, to_js};
use super::error::arg_error;
use crate::error::Result;
use crate::models::api::{self, ModelData, ModelName, PredictOptions};

type JsResult<T> = std::result::Result<T, JsValue>;

fn model_arg(model: &JsValue) -> Result<ModelName> {
    model
        .as_string()
        .and_then(|m| ModelName::parse(&m))
        .ok_or_else(|| arg_error("model", &format!("one of {}", ModelName::names())))
}

/// Reads model input: an object of columns, each a Float64Array (copied once) or an array of
/// numbers.
fn model_data(v: &JsValue) -> JsResult<ModelData> {
    let (keys, columns) = convert::model_columns(v)?;
    ModelData::check_names(keys.iter().map(String::as_str))?;
    let mut data = ModelData::default();
    for (key, col) in columns {
        if let Some(dest) = data.column_mut(&key) {
            *dest = col;
        }
    }
    Ok(data)
}

/// Reads a summary table from CSV text for `model`: client ids and the model's columns.
/// `options.columns` maps rapport's column names (id, frequency, recency, T, monetary, weight,
/// periods, survivors) to the file's.
#[wasm_bindgen(js_name = readModelTable, unchecked_return_type = "ModelTable")]
pub fn read_model_table(
    text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TableOptions")] options: JsValue,
) -> JsResult<JsValue> {
    let text = String::from_utf8(convert::text_arg(&text, "text", false)?).map_err(|_| {
        crate::error::RapportError::new(
            crate::error::ErrorCode::InvalidCsv,
            "the table holds text that is not well formed (a lone surrogate)",
        )
    })?;
    let model = model_arg(&model)?;
    let opts: api::TableOptions = convert::options(&options, "options")?;
    let columns: Vec<(String, String)> = opts.columns.into_iter().collect();
    let mut table = api::read_table(&text, model, &columns)?;
    // The columns the table has, as Float64Arrays: one copy each out of wasm memory, and what
    // fitModel and predictModel read fastest.
    let data = object();
    for key in ModelData::COLUMNS {
        if let Some(col) = table.data.column_mut(key).filter(|c| !c.is_empty()) {
            set(&data, key, &Float64Array::from(&col[..]));
        }
    }
    let out = object();
    set(&out, "ids", &to_js(&std::mem::take(&mut table.ids))?);
    set(&out, "data", &data);
    Ok(out)
}

/// Fits a customer-base model by maximum likelihood to columns of data (which columns each
/// model reads: see `ModelData`). Throws `FIT_FAILED` when the data cannot identify the model.
#[wasm_bindgen(js_name = fitModel, unchecked_return_type = "Fit")]
pub fn fit_model(
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelData")] data: JsValue,
) -> JsResult<JsValue> {
    let model = model_arg(&model)?;
    let data = model_data(&data)?;
    Ok(to_js(&api::fit(model, &data)?)?)
}

/// A model's predictions with given parameters (e.g. a fit's `params`) for every row of `data`.
#[wasm_bindgen(js_name = predictModel, unchecked_return_type = "Predictions")]
pub fn predict_model(
    #[wasm_bindgen(unchecked_param_type = "ModelName")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelData")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PredictOptions")] options: JsValue,
) -> JsResult<JsValue> {
    let model = model_arg(&model)?;
    let params: std::collections::BTreeMap<String, f64> = convert::options(&params, "params")?;
    let data = model_data(&data)?;
    let opts: PredictOptions = convert::options(&options, "options")?;
    let params: Vec<(String, f64)> = params.into_iter().collect();
    let p = api::predict(model, &params, &data, &opts)?;
    // Typed arrays: one copy out of wasm memory per column, rather than a JSON number per value.
    let o = object();
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
