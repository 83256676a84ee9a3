//! rapport against the Python package lifetimes 0.11.3 on the reference data. The fixture
//! data/reference/lifetimes-0.11.3.json is what scripts/lifetimes-reference.sh writes: lifetimes'
//! fitted parameters and its per-client predictions at them.
//!
//! Checked: at lifetimes' parameters, every client's P(alive), expected purchases and expected
//! spend agree to 1e-6 relative; our own fits land within 1e-3 relative of lifetimes' parameters
//! with a log-likelihood no worse (both evaluated with the same likelihood).

use rapport::models::api::{self, ModelData, ModelName, PredictOptions};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/lifetimes-0.11.3.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn csv(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(format!(
        "{}/data/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

fn cdnow() -> ModelData {
    let rows = csv("cdnow_customers_summary_with_transactions.csv");
    ModelData {
        frequency: rows.iter().map(|r| r[1]).collect(),
        recency: rows.iter().map(|r| r[2]).collect(),
        t: rows.iter().map(|r| r[3]).collect(),
        monetary: rows.iter().map(|r| r[4]).collect(),
        ..ModelData::default()
    }
}

fn donations() -> ModelData {
    let rows = csv("donations.csv");
    ModelData {
        frequency: rows.iter().map(|r| r[0]).collect(),
        recency: rows.iter().map(|r| r[1]).collect(),
        periods: rows.iter().map(|r| r[2]).collect(),
        weight: rows.iter().map(|r| r[3]).collect(),
        ..ModelData::default()
    }
}

fn params(v: &Value) -> Vec<(String, f64)> {
    v["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), x.as_f64().unwrap()))
        .collect()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn agree(ours: &[f64], theirs: &[f64], what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}");
    let mut worst = 0.0f64;
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let rel = (a - b).abs() / b.abs().max(1e-12);
        assert!(
            rel <= 1e-6 || (a - b).abs() < 1e-12,
            "{what}, row {}: rapport {a}, lifetimes {b}",
            i + 1
        );
        worst = worst.max(rel);
    }
    eprintln!(
        "{what}: {} rows, worst relative difference {worst:.2e}",
        ours.len()
    );
}

/// Fits agree to 1e-3 relative, and our log-likelihood is at least lifetimes' (same formula).
fn fits_as_well(
    model: ModelName,
    data: &ModelData,
    theirs: &[(String, f64)],
    ll: &dyn Fn(&[f64]) -> f64,
) {
    let fit = api::fit(model, data).unwrap();
    for (name, ours) in &fit.params {
        let want = theirs.iter().find(|p| &p.0 == name).unwrap().1;
        assert!(
            (ours - want).abs() <= 1e-3 * want.abs(),
            "{model:?} {name}: rapport {ours}, lifetimes {want}"
        );
    }
    let theirs_v: Vec<f64> = model
        .params()
        .iter()
        .map(|n| theirs.iter().find(|p| p.0 == *n).unwrap().1)
        .collect();
    let ours_v: Vec<f64> = fit.params.iter().map(|p| p.1).collect();
    let (a, b) = (ll(&ours_v), ll(&theirs_v));
    assert!(
        a >= b - 1e-6,
        "{model:?}: our log-likelihood {a} is worse than at lifetimes' parameters {b}"
    );
    eprintln!("{model:?}: log-likelihood {a:.6} (at lifetimes' parameters {b:.6})");
}

#[test]
fn purchase_models_agree_with_lifetimes_on_cdnow() {
    let fx = fixture();
    let horizon = fx["horizon"].as_f64().unwrap();
    let data = cdnow();
    let rows: Vec<rapport::models::SummaryRow> = (0..data.frequency.len())
        .map(|i| rapport::models::SummaryRow::new(data.frequency[i], data.recency[i], data.t[i]))
        .collect();
    for (key, model) in [
        ("bgnbd", ModelName::Bgnbd),
        ("mbgnbd", ModelName::Mbgnbd),
        ("pareto-nbd", ModelName::ParetoNbd),
    ] {
        let theirs = params(&fx[key]);
        let pred = api::predict(model, &theirs, &data, &PredictOptions { horizon }).unwrap();
        agree(
            &pred.p_alive.unwrap(),
            &numbers(&fx[key]["pAlive"]),
            &format!("{key} P(alive)"),
        );
        agree(
            &pred.expected_purchases.unwrap(),
            &numbers(&fx[key]["expected"]),
            &format!("{key} expected purchases in {horizon}"),
        );
        let ll = |p: &[f64]| match model {
            ModelName::Bgnbd => rapport::models::bg_nbd::BgNbd {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            }
            .log_likelihood(&rows),
            ModelName::Mbgnbd => rapport::models::mbg_nbd::MbgNbd {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            }
            .log_likelihood(&rows),
            _ => rapport::models::pareto_nbd::ParetoNbd {
                r: p[0],
                alpha: p[1],
                s: p[2],
                beta: p[3],
            }
            .log_likelihood(&rows),
        };
        fits_as_well(model, &data, &theirs, &ll);
    }
}

#[test]
fn gamma_gamma_agrees_with_lifetimes_on_cdnow() {
    let fx = fixture();
    let data = cdnow();
    let theirs = params(&fx["gamma-gamma"]);
    let pred = api::predict(
        ModelName::GammaGamma,
        &theirs,
        &data,
        &PredictOptions::default(),
    )
    .unwrap();
    agree(
        &pred.expected_spend.unwrap(),
        &numbers(&fx["gamma-gamma"]["expectedSpend"]),
        "gamma-gamma expected spend",
    );
    let ll = |p: &[f64]| {
        let g = rapport::models::gamma_gamma::GammaGamma {
            p: p[0],
            q: p[1],
            v: p[2],
        };
        (0..data.frequency.len())
            .filter(|&i| data.frequency[i] > 0.0)
            .map(|i| g.log_likelihood_one(data.frequency[i], data.monetary[i]))
            .sum()
    };
    fits_as_well(ModelName::GammaGamma, &data, &theirs, &ll);
}

#[test]
fn bg_bb_agrees_with_lifetimes_on_donations() {
    let fx = fixture();
    let data = donations();
    let theirs = params(&fx["bgbb"]);
    let pred = api::predict(
        ModelName::Bgbb,
        &theirs,
        &data,
        &PredictOptions { horizon: 5.0 },
    )
    .unwrap();
    agree(
        &pred.p_alive.unwrap(),
        &numbers(&fx["bgbb"]["pAlive"]),
        "bgbb P(alive at n+1)",
    );
    agree(
        &pred.expected_purchases.unwrap(),
        &numbers(&fx["bgbb"]["expected"]),
        "bgbb expected in the next 5",
    );
    let ll = |p: &[f64]| {
        let m = rapport::models::bg_bb::BgBb {
            alpha: p[0],
            beta: p[1],
            gamma: p[2],
            delta: p[3],
        };
        (0..data.frequency.len())
            .map(|i| {
                data.weight[i]
                    * m.log_likelihood_one(data.frequency[i], data.recency[i], data.periods[i])
            })
            .sum()
    };
    fits_as_well(ModelName::Bgbb, &data, &theirs, &ll);
}
