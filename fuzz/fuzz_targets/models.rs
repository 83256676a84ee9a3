//! Model inputs: columns of arbitrary numbers fit or predict, or give a coded error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::models::api::{fit, predict, ModelData, ModelName, PredictOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (model, _) = ModelName::ALL[pick as usize % ModelName::ALL.len()];
    // Numbers from the bytes: small integers and fractions, with a few special values.
    let nums: Vec<f64> = rest
        .iter()
        .map(|&b| match b {
            250 => f64::NAN,
            251 => f64::INFINITY,
            252 => -1.0,
            253 => 1e9,
            b => (b % 60) as f64 / if b > 200 { 7.0 } else { 1.0 },
        })
        .collect();
    let n = nums.len() / 4;
    if n == 0 || n > 64 {
        return;
    }
    let col = |k: usize| nums[k * n..(k + 1) * n].to_vec();
    let d = ModelData {
        frequency: col(0),
        recency: col(1),
        t: col(2),
        monetary: col(3),
        periods: col(2),
        survivors: col(0).iter().rev().cloned().collect(),
        weight: Vec::new(),
    };
    if let Ok(f) = fit(model, &d) {
        let _ = predict(model, &f.params, &d, &PredictOptions { horizon: 5.0 });
    }
    let guess: Vec<(String, f64)> = model
        .params()
        .iter()
        .map(|p| (p.to_string(), 1.5))
        .collect();
    let _ = predict(model, &guess, &d, &PredictOptions { horizon: col(1)[0] });
});
