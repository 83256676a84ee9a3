//! Customer-base models: the probabilistic models of repeat buying, spend and retention that
//! `lifetimes`, `CLVTools` and `BTYD` implement, fitted by maximum likelihood.

pub mod api;
pub mod bg_bb;
pub mod bg_nbd;
pub mod clients;
pub mod gamma_gamma;
pub mod mbg_nbd;
pub mod optimize;
pub mod pareto_nbd;
pub mod sbg;
pub mod special;
pub mod summary;
pub mod validation;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, RapportError, Result};

/// One client's (or, with a weight, a group of identical clients') repeat-purchase summary in
/// the models' terms: `frequency` repeat purchases, the last of them `recency` after the first,
/// observed for `t` (the literature's T) since the first.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub frequency: f64,
    pub recency: f64,
    #[serde(rename = "T")]
    pub t: f64,
    /// How many identical clients the row stands for.
    pub weight: f64,
}

impl SummaryRow {
    pub fn new(frequency: f64, recency: f64, t: f64) -> SummaryRow {
        SummaryRow {
            frequency,
            recency,
            t,
            weight: 1.0,
        }
    }

    /// Whether [`Self::check`] passes: a branch-light test for the common case, inlined into
    /// loops over millions of rows; the error is built only when it fails.
    #[inline]
    pub fn is_valid(&self) -> bool {
        let SummaryRow {
            frequency: x,
            recency: tx,
            t,
            weight,
        } = *self;
        x.is_finite()
            && x >= 0.0
            && x.fract() == 0.0
            && t.is_finite()
            && t >= 0.0
            && tx.is_finite()
            && tx >= 0.0
            && tx <= t * (1.0 + 1e-9) + 1e-12
            && (x != 0.0 || tx == 0.0)
            && weight.is_finite()
            && weight > 0.0
    }

    /// Checks 0 ≤ recency ≤ T, frequency a whole number ≥ 0 (0 repeats means recency 0), and a
    /// positive weight. `row` is 1-based, for the error.
    pub fn check(&self, row: u64) -> Result<()> {
        if self.is_valid() {
            return Ok(());
        }
        #[cold]
        fn bad(row: u64, field: &str, msg: String) -> Result<()> {
            Err(RapportError::new(ErrorCode::InvalidSummary, msg)
                .at_row(row)
                .with_field(field))
        }
        let bad = |field: &str, msg: String| bad(row, field, msg);
        let SummaryRow {
            frequency: x,
            recency: tx,
            t,
            weight,
        } = *self;
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return bad(
                "frequency",
                format!("frequency must be a whole number of repeat purchases, got {x}"),
            );
        }
        if !(t.is_finite() && t >= 0.0) {
            return bad(
                "T",
                format!("T must be a non-negative finite time, got {t}"),
            );
        }
        if !(tx.is_finite() && tx >= 0.0 && tx <= t * (1.0 + 1e-9) + 1e-12) {
            return bad(
                "recency",
                format!("recency must lie between 0 and T = {t}, got {tx}"),
            );
        }
        if x == 0.0 && tx != 0.0 {
            return bad(
                "recency",
                format!("a client with no repeat purchases has recency 0, got {tx}"),
            );
        }
        if !(weight.is_finite() && weight > 0.0) {
            return bad(
                "weight",
                format!("weight must be a positive number, got {weight}"),
            );
        }
        Ok(())
    }
}

/// What the repeat-purchase models (BG/NBD, MBG/NBD, Pareto/NBD) predict for a client with
/// `x` repeat purchases, the last at `t_x`, observed for `t`.
pub trait PurchaseModel {
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected purchases in the next `horizon` periods.
    fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected purchases in the next `horizon` periods of a client known to be alive: a
    /// function of x and T only, which [`PurchaseModel::expected_purchases`] multiplies by
    /// P(alive).
    fn expected_if_alive(&self, horizon: f64, x: f64, t: f64) -> f64;
}

macro_rules! purchase_model {
    ($($ty:ty),*) => {$(
        impl PurchaseModel for $ty {
            fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
                <$ty>::p_alive(self, x, t_x, t)
            }
            fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
                <$ty>::expected_purchases(self, horizon, x, t_x, t)
            }
            fn expected_if_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
                <$ty>::expected_if_alive(self, horizon, x, t)
            }
        }
    )*};
}

/// The odds that a client has died, against being alive, in BG/NBD and MBG/NBD:
/// e^(ln_front) · ((α+T)/(α+t_x))^power. Everything but t_x is fixed by (x, T), so once this is
/// known a client's P(alive) costs one logarithm and one exponential.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeadOdds {
    /// ln a − ln(b+x−1) (BG/NBD) or ln a − ln(b+x) (MBG/NBD).
    pub ln_front: f64,
    /// r + x.
    pub power: f64,
    /// ln(α+T).
    pub ln_alpha_t: f64,
}

impl DeadOdds {
    /// The log-odds at t_x.
    #[inline]
    pub fn ln_odds(&self, alpha: f64, t_x: f64) -> f64 {
        self.ln_front + self.power * (self.ln_alpha_t - (alpha + t_x).ln())
    }

    /// P(alive) at t_x: 1 / (1 + odds).
    #[inline]
    pub fn p_alive(&self, alpha: f64, t_x: f64) -> f64 {
        special::alive_from_ln_dead_odds(self.ln_odds(alpha, t_x))
    }
}
purchase_model!(bg_nbd::BgNbd, mbg_nbd::MbgNbd, pareto_nbd::ParetoNbd);

/// Rows with the same (frequency, recency, T) merged into one weighted row: the likelihood then
/// costs one term per distinct summary rather than per client.
pub fn compress(rows: &[SummaryRow]) -> Vec<SummaryRow> {
    // Sorted by (frequency, recency, T) through their bit patterns, which order non-negative
    // floats as numbers (checked rows have no negative values; + 0.0 turns −0 into 0).
    let key = |v: f64| (v + 0.0).to_bits();
    let mut keyed: Vec<([u64; 3], f64)> = rows
        .iter()
        .map(|r| ([key(r.frequency), key(r.recency), key(r.t)], r.weight))
        .collect();
    keyed.sort_unstable_by_key(|k| k.0);
    let mut out: Vec<SummaryRow> = Vec::with_capacity(keyed.len());
    let mut last_key = None;
    for (k, w) in keyed {
        match out.last_mut() {
            Some(last) if last_key == Some(k) => last.weight += w,
            _ => {
                out.push(SummaryRow {
                    frequency: f64::from_bits(k[0]),
                    recency: f64::from_bits(k[1]),
                    t: f64::from_bits(k[2]),
                    weight: w,
                });
                last_key = Some(k);
            }
        }
    }
    out
}

/// The distinct values of one column of a set of rows, and each row's index among them: data
/// measured in whole days (or weeks as days / 7) has few distinct T and t_x — on the CDNOW
/// sample 84 and 257 over 1,016 distinct summaries — so their logarithms are taken once each.
pub(crate) struct Distinct {
    pub values: Vec<f64>,
    pub index: Vec<u32>,
}

impl Distinct {
    pub fn new(rows: &[SummaryRow], column: impl Fn(&SummaryRow) -> f64) -> Distinct {
        let mut values: Vec<f64> = rows.iter().map(&column).collect();
        values.sort_unstable_by(f64::total_cmp);
        values.dedup();
        let index = rows
            .iter()
            .map(|r| values.partition_point(|v| *v < column(r)) as u32)
            .collect();
        Distinct { values, index }
    }
}

/// The rows' T, t_x and frequency columns as [`Distinct`] values.
pub(crate) struct ByValue {
    pub t: Distinct,
    pub recency: Distinct,
    pub frequency: Distinct,
}

impl ByValue {
    pub fn new(rows: &[SummaryRow]) -> ByValue {
        ByValue {
            t: Distinct::new(rows, |r| r.t),
            recency: Distinct::new(rows, |r| r.recency),
            frequency: Distinct::new(rows, |r| r.frequency),
        }
    }
}

impl ByValue {
    /// Each row with its indices among the distinct T, t_x and frequencies.
    pub fn rows<'a>(
        &'a self,
        rows: &'a [SummaryRow],
    ) -> impl Iterator<Item = (&'a SummaryRow, usize, usize, usize)> + 'a {
        rows.iter()
            .zip(&self.t.index)
            .zip(&self.recency.index)
            .zip(&self.frequency.index)
            .map(|(((row, &t), &tx), &x)| (row, t as usize, tx as usize, x as usize))
    }
}

/// What [`walk_frequencies`] reports.
pub(crate) enum Walk {
    /// Add the term for count k to the running sums.
    Step(f64),
    /// The sums now run to the j-th distinct frequency x, less one (only for x ≥ 1).
    Before(usize),
    /// The sums now run to the j-th distinct frequency x.
    At(usize),
}

/// Drives a recurrence over integer counts — lnΓ(r+x) − lnΓ(r) = Σ_{k<x} ln(r+k) and the like —
/// up to the largest of the sorted distinct frequencies `xs`, reporting when it reaches each:
/// the per-frequency tables then take one entry per distinct frequency (memory in proportion
/// to the data, not to the largest frequency), while the time is that of the recurrence.
pub(crate) fn walk_frequencies(xs: &[f64], mut visit: impl FnMut(Walk)) {
    let mut k = 0.0f64;
    for (j, &x) in xs.iter().enumerate() {
        if x >= 1.0 {
            while k + 1.0 < x {
                visit(Walk::Step(k));
                k += 1.0;
            }
            visit(Walk::Before(j));
            visit(Walk::Step(k));
            k += 1.0;
        }
        visit(Walk::At(j));
    }
}

/// Checks the rows of a repeat-purchase model, refuses data with no repeat purchase (the
/// likelihood then has no interior maximum), and returns them compressed with their mean T.
pub(crate) fn prepare(model: &str, rows: &[SummaryRow]) -> Result<(Vec<SummaryRow>, f64)> {
    for (i, r) in rows.iter().enumerate() {
        r.check(i as u64 + 1)?;
    }
    if rows.is_empty() {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "no clients to fit",
        ));
    }
    if rows.iter().all(|r| r.frequency == 0.0) {
        return Err(RapportError::new(
            ErrorCode::FitFailed,
            format!("{model} cannot be fitted when no client has a repeat purchase"),
        ));
    }
    let rows = compress(rows);
    let total_w: f64 = rows.iter().map(|r| r.weight).sum();
    let mean_t = rows.iter().map(|r| r.weight * r.t).sum::<f64>() / total_w;
    Ok((rows, mean_t.max(1e-3)))
}

/// A fitted model: named parameters as in the literature, the log-likelihood, and how the
/// optimiser fared.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Fit {
    pub model: String,
    /// Parameter names and values, in the literature's order (an object keyed by name).
    #[serde(serialize_with = "as_object")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub params: Vec<(String, f64)>,
    pub log_likelihood: f64,
    pub iterations: u32,
    pub converged: bool,
    /// Standard errors from the inverse Hessian of −ln L, keyed like `params`; null where the
    /// Hessian is not positive definite.
    #[serde(serialize_with = "as_object")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number | null>"))]
    pub standard_errors: Vec<(String, Option<f64>)>,
}

pub(crate) fn as_object<S: serde::Serializer, T: Serialize>(
    v: &[(String, T)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, x) in v {
        m.serialize_entry(k, x)?;
    }
    m.end()
}

impl Fit {
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.iter().find(|(n, _)| n == name).map(|p| p.1)
    }
}

/// A log-likelihood with its gradient and Hessian with respect to the four (natural)
/// parameters of BG/NBD or Pareto/NBD.
pub(crate) type Derivatives = (f64, [f64; 4], [[f64; 4]; 4]);

/// Fits positive parameters by Newton's method over their logarithms, from `start`, given
/// `ll_derivs` computing the log-likelihood with its gradient and Hessian in one pass. The
/// standard errors come from the same analytic Hessian at the maximum.
pub(crate) fn fit_positive_newton(
    model: &str,
    names: &[&str],
    start: &[f64],
    ll_derivs: &dyn Fn(&[f64]) -> Derivatives,
) -> Result<Fit> {
    // The last evaluation, kept: the line search's last point is the one accepted, so the
    // Hessian at the maximum usually needs no extra pass.
    let last: std::cell::RefCell<Option<(Vec<f64>, Derivatives)>> = Default::default();
    let neg = |logs: &[f64]| {
        let p: Vec<f64> = logs.iter().map(|v| v.exp()).collect();
        let (v, g, h) = ll_derivs(&p);
        // With θ = e^u: ∂(−ln L)/∂uᵢ = −θᵢ gᵢ, ∂²(−ln L)/∂uᵢ∂uⱼ = −θᵢθⱼ Hᵢⱼ − δᵢⱼ θᵢ gᵢ.
        let n = g.len();
        let gu: Vec<f64> = (0..n).map(|i| -p[i] * g[i]).collect();
        let hu: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| -p[i] * p[j] * h[i][j] + if i == j { gu[i] } else { 0.0 })
                    .collect()
            })
            .collect();
        *last.borrow_mut() = Some((p, (v, g, h)));
        (if v.is_finite() { -v } else { f64::INFINITY }, gu, hu)
    };
    let x0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let m = optimize::newton(&neg, &x0, 1000, 2.0);
    let params = checked_params(model, &m)?;
    let hess = match last.take() {
        Some((p, (_, _, h))) if p == params => h,
        _ => ll_derivs(&params).2,
    };
    let errors = optimize::errors_from_hessian(
        hess.iter()
            .map(|row| row.iter().map(|v| -v).collect())
            .collect(),
    );
    Ok(fit_of(model, names, &params, &m, errors))
}

/// The fit found at `m` (a minimum of −ln L over the parameters' logarithms), named.
fn fit_of(
    model: &str,
    names: &[&str],
    params: &[f64],
    m: &optimize::Minimum,
    errors: Vec<Option<f64>>,
) -> Fit {
    Fit {
        model: model.to_string(),
        params: names
            .iter()
            .map(|n| n.to_string())
            .zip(params.iter().copied())
            .collect(),
        log_likelihood: -m.value,
        iterations: m.iterations,
        converged: m.converged,
        standard_errors: names.iter().map(|n| n.to_string()).zip(errors).collect(),
    }
}

/// The natural parameters of a minimum over their logarithms, or FIT_FAILED when the
/// likelihood has no finite maximum.
fn checked_params(model: &str, m: &optimize::Minimum) -> Result<Vec<f64>> {
    let params: Vec<f64> = m.x.iter().map(|v| v.exp()).collect();
    if !m.value.is_finite()
        || params
            .iter()
            .any(|p| !p.is_finite() || *p <= 0.0 || *p > 1e12)
    {
        return Err(RapportError::new(
            ErrorCode::FitFailed,
            format!("the {model} model could not be fitted to this data (the likelihood has no finite maximum)"),
        ));
    }
    Ok(params)
}

/// Fits positive parameters by maximising `ll` over their logarithms from `start`, by BFGS on
/// numerical gradients, with standard errors from a finite-difference Hessian.
pub(crate) fn fit_positive(
    model: &str,
    names: &[&str],
    start: &[f64],
    ll: &dyn Fn(&[f64]) -> f64,
) -> Result<Fit> {
    let neg = |logs: &[f64]| {
        let p: Vec<f64> = logs.iter().map(|v| v.exp()).collect();
        let v = -ll(&p);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let x0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let m = optimize::bfgs(&neg, &x0, 1000, 2.0);
    let params = checked_params(model, &m)?;
    let errors = optimize::standard_errors(&|p: &[f64]| -ll(p), &params);
    Ok(fit_of(model, names, &params, &m, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_validity_test_agrees_with_the_check() {
        let values = [
            0.0,
            -0.0,
            1.0,
            2.5,
            3.0,
            -1.0,
            1e-13,
            f64::NAN,
            f64::INFINITY,
        ];
        for &x in &values {
            for &tx in &values {
                for &t in &values {
                    for &w in &[1.0, 0.0, -2.0, f64::NAN, 0.5] {
                        let r = SummaryRow {
                            frequency: x,
                            recency: tx,
                            t,
                            weight: w,
                        };
                        assert_eq!(r.is_valid(), r.check(1).is_ok(), "{r:?}");
                    }
                }
            }
        }
        // recency a hair above T passes, as T's rounding allows.
        assert!(SummaryRow::new(1.0, 10.0 + 1e-9, 10.0).is_valid());
        assert!(!SummaryRow::new(1.0, 10.1, 10.0).is_valid());
    }
}
