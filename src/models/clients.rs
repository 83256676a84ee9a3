//! The customer-base models applied to the engine's own clients: a repeat-purchase model
//! (fitted to the ledger's summary, or with given parameters) and, where spend allows, the
//! Gamma-Gamma spend model, giving each client P(alive), expected purchases and lifetime value
//! for the scorer's report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::api::{params_vec, ModelName};
use super::bg_nbd::BgNbd;
use super::gamma_gamma::{GammaGamma, SpendRow};
use super::mbg_nbd::MbgNbd;
use super::pareto_nbd::ParetoNbd;
use super::summary::{summarize, ClientSummary, TimeUnit};
use super::{Fit, PurchaseModel, SummaryRow};
use crate::error::{ErrorCode, RapportError, Result};
use crate::ledger::Ledger;

/// Which models to apply to the scored clients, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CustomerBaseOptions {
    /// The repeat-purchase model: `pareto-nbd` (the default), `mbgnbd` or `bgnbd`. BG/NBD gives
    /// every one-time buyer P(alive) = 1, however long ago the purchase; the other two do not.
    pub model: ModelName,
    /// The purchase model's parameters; fitted to the clients when absent.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, number>")
    )]
    pub params: Option<BTreeMap<String, f64>>,
    /// Gamma-Gamma parameters (`p, q, v`); fitted to the repeat buyers when absent.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, number>")
    )]
    pub spend_params: Option<BTreeMap<String, f64>>,
    /// Time unit of the models: `days` or `weeks`.
    pub unit: TimeUnit,
    /// Periods ahead for expected purchases. Default: a year (52 weeks or 365 days).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub horizon: Option<f64>,
    /// Months of lifetime value, at most 1200.
    pub months: u32,
    /// Monthly discount rate of lifetime value.
    pub discount_rate: f64,
}

impl Default for CustomerBaseOptions {
    fn default() -> Self {
        CustomerBaseOptions {
            model: ModelName::ParetoNbd,
            params: None,
            spend_params: None,
            unit: TimeUnit::Weeks,
            horizon: None,
            months: 12,
            discount_rate: 0.01,
        }
    }
}

/// One client's figures from the models.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ClientValue {
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Gamma-Gamma expected mean purchase value, when a spend model is available.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_spend: Option<f64>,
    /// Discounted lifetime value over `months`, when a spend model is available.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clv: Option<f64>,
    /// Expected purchases over the next year (for the relationship's long-term case).
    #[serde(skip)]
    pub year_purchases: f64,
}

/// The models behind the report's client values.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CustomerBase {
    pub model: ModelName,
    pub unit: TimeUnit,
    pub horizon: f64,
    pub months: u32,
    pub discount_rate: f64,
    /// The purchase model's parameters (fitted or given).
    #[serde(serialize_with = "super::as_object")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub params: Vec<(String, f64)>,
    /// The purchase model's fit, when it was fitted here.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
    /// Gamma-Gamma parameters, when spend could be modelled.
    #[serde(serialize_with = "super::as_object")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub spend_params: Vec<(String, f64)>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_fit: Option<Fit>,
    /// Why there is no spend model, when there is none.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_note: Option<String>,
    /// Per ledger client (by ledger index); `None` for clients with no purchase by the end.
    #[serde(skip)]
    pub values: Vec<Option<ClientValue>>,
}

fn given(map: &BTreeMap<String, f64>) -> Vec<(String, f64)> {
    map.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

fn field(e: RapportError, prefix: &str) -> RapportError {
    let f = e.field.clone().map(|f| format!("customerBase.{prefix}{f}"));
    RapportError { field: f, ..e }
}

impl CustomerBaseOptions {
    /// The horizon of expected purchases, after checking every option.
    fn check(&self) -> Result<f64> {
        let bad = |k: &str, m: String| {
            RapportError::new(ErrorCode::InvalidConfig, m).with_field(format!("customerBase.{k}"))
        };
        if !matches!(
            self.model,
            ModelName::Bgnbd | ModelName::Mbgnbd | ModelName::ParetoNbd
        ) {
            return Err(bad(
                "model",
                "must be a repeat-purchase model: bgnbd, mbgnbd or pareto-nbd".into(),
            ));
        }
        let horizon = self.horizon.unwrap_or(365.0 / self.unit.days());
        if !(horizon.is_finite() && horizon >= 0.0) {
            return Err(bad(
                "horizon",
                format!("must be a non-negative number, got {horizon}"),
            ));
        }
        if self.months > 1200 {
            return Err(bad("months", "must be at most 1200".into()));
        }
        if !(self.discount_rate.is_finite() && self.discount_rate >= 0.0) {
            return Err(bad(
                "discountRate",
                format!("must be a non-negative number, got {}", self.discount_rate),
            ));
        }
        Ok(horizon)
    }
}

/// The purchase model's parameters (given, or fitted to `rows`) and the fit, if fitted.
fn purchase_params(
    o: &CustomerBaseOptions,
    rows: &[SummaryRow],
) -> Result<(Vec<f64>, Option<Fit>)> {
    if let Some(p) = &o.params {
        return Ok((
            params_vec(o.model, &given(p)).map_err(|e| field(e, ""))?,
            None,
        ));
    }
    let fit = match o.model {
        ModelName::Mbgnbd => MbgNbd::fit(rows)?.1,
        ModelName::ParetoNbd => ParetoNbd::fit(rows)?.1,
        _ => BgNbd::fit(rows)?.1,
    };
    Ok((fit.params.iter().map(|p| p.1).collect(), Some(fit)))
}

/// The spend model: given, or fitted to the repeat buyers; when it cannot be fitted, why.
fn spend_model(
    o: &CustomerBaseOptions,
    summaries: &[Option<ClientSummary>],
) -> Result<(Option<GammaGamma>, Option<Fit>, Option<String>)> {
    if let Some(p) = &o.spend_params {
        let v = params_vec(ModelName::GammaGamma, &given(p)).map_err(|e| field(e, "spend"))?;
        let g = GammaGamma {
            p: v[0],
            q: v[1],
            v: v[2],
        };
        return Ok((Some(g), None, None));
    }
    let spend_rows: Vec<SpendRow> = summaries
        .iter()
        .flatten()
        .filter(|s| s.frequency > 0.0 && s.monetary_value > 0.0)
        .map(|s| SpendRow {
            frequency: s.frequency,
            monetary: s.monetary_value,
            weight: 1.0,
        })
        .collect();
    Ok(match GammaGamma::fit(&spend_rows) {
        Ok((g, f)) => (Some(g), Some(f), None),
        Err(e) => (None, None, Some(format!("no spend model: {}", e.message))),
    })
}

/// P(alive) by (x, t_x, T), computed once for the clients who share them: on a big book
/// measured in days most clients do, and P(alive) is the costly part of a client's values.
#[derive(Default)]
struct AliveMemo(rustc_hash::FxHashMap<[u64; 3], f64>);

impl AliveMemo {
    /// Entries kept at most; past it the memo starts again, so memory stays bounded.
    const MAX: usize = 1 << 18;

    fn get(&mut self, model: &dyn PurchaseModel, x: f64, t_x: f64, t: f64) -> f64 {
        let key = [x.to_bits(), t_x.to_bits(), t.to_bits()];
        if let Some(&p) = self.0.get(&key) {
            return p;
        }
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        let p = model.p_alive(x, t_x, t);
        self.0.insert(key, p);
        p
    }
}

/// One client's figures from the models.
fn client_value(
    s: &ClientSummary,
    alive: &mut AliveMemo,
    model: &dyn PurchaseModel,
    spend: Option<GammaGamma>,
    horizon: f64,
    o: &CustomerBaseOptions,
) -> ClientValue {
    let (x, tx, t) = (s.frequency, s.recency, s.t);
    let per_month = 30.0 / o.unit.days();
    // Every model's expectation is P(alive) times the expectation if alive: P(alive), the
    // costly part, once per client rather than once per month of lifetime value.
    let p_alive = alive.get(model, x, tx, t);
    let expected = |h: f64| model.expected_if_alive(h, x, t) * p_alive;
    let clv = spend.map(|g| {
        g.lifetime_value(
            x,
            s.monetary_value,
            &expected,
            o.months,
            o.discount_rate,
            per_month,
        )
    });
    ClientValue {
        p_alive,
        expected_purchases: expected(horizon),
        expected_spend: spend.map(|g| g.expected_spend(x, s.monetary_value)),
        clv,
        year_purchases: expected(365.0 / o.unit.days()),
    }
}

/// Applies the models to every client of `ledger` with a purchase by `end_ms`.
pub fn value_clients(
    ledger: &Ledger,
    end_ms: i64,
    o: &CustomerBaseOptions,
) -> Result<CustomerBase> {
    let horizon = o.check()?;
    let end = crate::input::time::day_of(end_ms);
    let summaries: Vec<Option<ClientSummary>> = (0..ledger.len())
        .map(|i| summarize(ledger.client_id(i), &ledger.record(i).revenue, end, o.unit))
        .collect();
    let rows: Vec<SummaryRow> = summaries
        .iter()
        .flatten()
        .map(|s| SummaryRow::new(s.frequency, s.recency, s.t))
        .collect();
    if rows.is_empty() {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "the customer-base models need clients with purchases; none has one",
        )
        .with_field("customerBase"));
    }
    let (params, fit) = purchase_params(o, &rows)?;
    let model: Box<dyn PurchaseModel> = match o.model {
        ModelName::Mbgnbd => Box::new(MbgNbd::from_slice(&params)),
        ModelName::ParetoNbd => Box::new(ParetoNbd::from_slice(&params)),
        _ => Box::new(BgNbd::from_slice(&params)),
    };
    let (spend, spend_fit, spend_note) = spend_model(o, &summaries)?;
    let mut alive = AliveMemo::default();
    let values = summaries
        .iter()
        .map(|s| {
            s.as_ref()
                .map(|s| client_value(s, &mut alive, model.as_ref(), spend, horizon, o))
        })
        .collect();
    let names = o.model.params().iter().map(|n| n.to_string());
    Ok(CustomerBase {
        model: o.model,
        unit: o.unit,
        horizon,
        months: o.months,
        discount_rate: o.discount_rate,
        params: names.zip(params.iter().copied()).collect(),
        fit,
        spend_params: spend
            .map(|g| {
                vec![
                    ("p".to_string(), g.p),
                    ("q".to_string(), g.q),
                    ("v".to_string(), g.v),
                ]
            })
            .unwrap_or_default(),
        spend_fit,
        spend_note,
        values,
    })
}
