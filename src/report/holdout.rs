//! Does the customer-base model forecast purchases? In a backtest with `customerBase`, the
//! model fitted to the purchases up to `asOf` gives each client's expected purchases in the
//! outcome window; they are set beside the purchases made in it, client by client, and summed
//! by the repeat purchases made before `asOf` (0, 1, …, 6, and 7 or more). This is the
//! "conditional expectations" check of Fader, Hardie & Lee (2005), Figure 4, and of lifetimes'
//! `plot_calibration_purchases_vs_holdout_purchases`.
//!
//! Purchases are counted as the models count them: days with a purchase or a renewal.

use serde::Serialize;

use crate::ledger::Ledger;
use crate::models::api::ModelName;

/// Repeat purchases from which the groups are merged into one, "this many or more".
pub const GROUPS: u32 = 7;

/// Clients with the same repeat purchases before `asOf`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct HoldoutGroup {
    /// Repeat purchases before `asOf`; with `andMore`, this many or more.
    pub repeat_purchases: u32,
    pub and_more: bool,
    pub clients: u64,
    /// Mean expected purchases in the outcome window, and mean purchases made in it.
    pub predicted: f64,
    pub actual: f64,
}

/// The model's forecast of the outcome window against what happened in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Holdout {
    pub model: ModelName,
    /// Clients scored with a purchase by `asOf` (the ones the model speaks of) and a finite
    /// expectation.
    pub clients: u64,
    /// Expected purchases in the window, summed over the clients, and purchases made in it.
    pub predicted: f64,
    pub actual: u64,
    /// By repeat purchases before `asOf`; groups without clients are left out.
    pub groups: Vec<HoldoutGroup>,
}

/// The holdout check of `expected` (each client's expected purchases in `(as_of, end]`, NaN
/// for a client without a purchase by `as_of`) for the ledger's clients at `order`.
pub fn holdout(
    ledger: &Ledger,
    order: &[u32],
    expected: &[f64],
    as_of: i32,
    end: i32,
    model: ModelName,
) -> Holdout {
    let n = GROUPS as usize + 1;
    let (mut clients, mut predicted, mut actual) = (vec![0u64; n], vec![0.0; n], vec![0u64; n]);
    for (&i, &e) in order.iter().zip(expected) {
        if !e.is_finite() {
            continue;
        }
        let days = &ledger.record(i as usize).revenue;
        let before = days.partition_point(|d| d.day <= as_of);
        let Some(repeats) = before.checked_sub(1) else {
            continue;
        };
        let after = days.partition_point(|d| d.day <= end) - before;
        let g = repeats.min(GROUPS as usize);
        clients[g] += 1;
        predicted[g] += e;
        actual[g] += after as u64;
    }
    let groups = (0..n)
        .filter(|&g| clients[g] > 0)
        .map(|g| HoldoutGroup {
            repeat_purchases: g as u32,
            and_more: g == GROUPS as usize,
            clients: clients[g],
            predicted: predicted[g] / clients[g] as f64,
            actual: actual[g] as f64 / clients[g] as f64,
        })
        .collect();
    Holdout {
        model,
        clients: clients.iter().sum(),
        predicted: predicted.iter().sum(),
        actual: actual.iter().sum(),
        groups,
    }
}
