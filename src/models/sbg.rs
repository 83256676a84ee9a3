//! Shifted-beta-geometric model of contractual retention (Fader & Hardie 2007, "How to Project
//! Customer Retention", Journal of Interactive Marketing 21(1)).
//!
//! Each customer renews at the end of every period with its own probability 1 − θ, θ ~ Beta(α, β).
//!
//! # Formulas
//! - P(T = 1) = α / (α + β); P(T = t) = (β + t − 2) / (α + β + t − 1) · P(T = t − 1) (eq. 7).
//! - Survival S(t) = 1 − Σ_{i ≤ t} P(T = i); retention r(t) = S(t)/S(t−1) = (β + t − 1)/(α + β + t − 1).
//! - Log-likelihood of a cohort observed for n periods: Σₜ (churned in t) ln P(T = t) + (still
//!   active at n) ln S(n).
//! - Discounted expected lifetime DEL(d) = ₂F₁(1, β; α + β; 1/(1 + d)) and discounted expected
//!   residual lifetime of a customer who has renewed n − 1 times,
//!   DERL(d, n) = (β + n − 1)/(α + β + n − 1) · ₂F₁(1, β + n; α + β + n; 1/(1 + d))
//!   (Fader & Hardie 2010, "Customer-Base Valuation in a Contractual Setting").
//! - Expected lifetime E\[T\] = (α + β − 1)/(α − 1), finite only when α > 1.

use serde::{Deserialize, Serialize};

use super::special::hyp2f1;
use super::{fit_positive, Fit};
use crate::error::{ErrorCode, RapportError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftedBetaGeometric {
    pub alpha: f64,
    pub beta: f64,
}

impl ShiftedBetaGeometric {
    pub const NAMES: [&'static str; 2] = ["alpha", "beta"];

    /// P(T = t) for t = 1..=n.
    pub fn churn_probabilities(&self, n: usize) -> Vec<f64> {
        let ShiftedBetaGeometric { alpha, beta } = *self;
        let mut out = Vec::with_capacity(n);
        let mut p = alpha / (alpha + beta);
        for t in 1..=n {
            if t > 1 {
                let t = t as f64;
                p *= (beta + t - 2.0) / (alpha + beta + t - 1.0);
            }
            out.push(p);
        }
        out
    }

    /// S(t) for t = 0..=n (S(0) = 1).
    pub fn survival(&self, n: usize) -> Vec<f64> {
        let mut s = vec![1.0];
        for p in self.churn_probabilities(n) {
            let last = *s.last().unwrap_or(&1.0);
            s.push((last - p).max(0.0));
        }
        s
    }

    /// r(t) for t = 1..=n.
    pub fn retention(&self, n: usize) -> Vec<f64> {
        (1..=n)
            .map(|t| (self.beta + t as f64 - 1.0) / (self.alpha + self.beta + t as f64 - 1.0))
            .collect()
    }

    /// ln L of a cohort given the number still active at the end of each period 0..=n.
    pub fn log_likelihood(&self, active: &[f64]) -> f64 {
        let n = active.len().saturating_sub(1);
        let probs = self.churn_probabilities(n);
        let surv = self.survival(n);
        let mut ll = 0.0;
        for t in 1..=n {
            ll += (active[t - 1] - active[t]) * probs[t - 1].ln();
        }
        ll + active[n] * surv[n].ln()
    }

    pub fn expected_lifetime(&self) -> Option<f64> {
        (self.alpha > 1.0).then(|| (self.alpha + self.beta - 1.0) / (self.alpha - 1.0))
    }

    /// Discounted expected lifetime at per-period discount rate d > 0, counting the first period.
    pub fn discounted_expected_lifetime(&self, d: f64) -> f64 {
        hyp2f1(1.0, self.beta, self.alpha + self.beta, 1.0 / (1.0 + d))
    }

    /// Discounted expected residual lifetime of a customer who has renewed `renewals` times.
    pub fn discounted_expected_residual_lifetime(&self, d: f64, renewals: u32) -> f64 {
        let n = renewals as f64 + 1.0;
        let ShiftedBetaGeometric { alpha, beta } = *self;
        (beta + n - 1.0) / (alpha + beta + n - 1.0)
            * hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + d))
    }

    /// Fits a cohort: `active[t]` customers still active at the end of period t, `active[0]` the
    /// cohort's size.
    pub fn fit(active: &[f64]) -> Result<(ShiftedBetaGeometric, Fit)> {
        if active.len() < 3 {
            return Err(RapportError::new(
                ErrorCode::FitFailed,
                "the shifted-beta-geometric model needs at least two periods after the start",
            ));
        }
        for (t, w) in active.windows(2).enumerate() {
            if !(w[1].is_finite() && w[1] >= 0.0 && w[1] <= w[0]) {
                return Err(RapportError::new(
                    ErrorCode::InvalidSummary,
                    format!(
                        "survivors must not grow: period {} has {} after {}",
                        t + 1,
                        w[1],
                        w[0]
                    ),
                )
                .at_row(t as u64 + 2)
                .with_field("survivors"));
            }
        }
        if active[0].is_nan() || active[0] <= 0.0 {
            return Err(
                RapportError::new(ErrorCode::InvalidSummary, "the cohort is empty")
                    .at_row(1)
                    .with_field("survivors"),
            );
        }
        let ll = |p: &[f64]| {
            ShiftedBetaGeometric {
                alpha: p[0],
                beta: p[1],
            }
            .log_likelihood(active)
        };
        let fit = fit_positive("sbg", &ShiftedBetaGeometric::NAMES, &[1.0, 1.0], &ll)?;
        Ok((
            ShiftedBetaGeometric {
                alpha: fit.params[0].1,
                beta: fit.params[1].1,
            },
            fit,
        ))
    }
}
