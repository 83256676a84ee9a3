//! BG/BB: the beta-geometric/beta-Bernoulli model for discrete purchase opportunities (Fader,
//! Hardie & Shang 2010, "Customer-Base Analysis in a Discrete-Time Noncontractual Setting",
//! Marketing Science 29(6)).
//!
//! At each of n opportunities an alive client transacts with probability p ~ Beta(α, β) and,
//! after each opportunity, dies with probability θ ~ Beta(γ, δ). A client's pattern is x
//! transactions, the last at opportunity t_x, out of n.
//!
//! # Formulas (the paper's equations)
//! - Likelihood (eq. 5): L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
//!   + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ).
//! - P(alive at n + 1) (eq. 11): B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L.
//! - Expected transactions in the next n* opportunities (eq. 13):
//!   1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ)
//!   · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)].

use serde::{Deserialize, Serialize};

use super::special::{ln_beta, ln_gamma, log_add_exp};
use super::{fit_positive, Fit};
use crate::error::{ErrorCode, RapportError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgBb {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub delta: f64,
}

/// A transaction pattern with the number of clients who share it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternRow {
    pub frequency: f64,
    pub recency: f64,
    pub periods: f64,
    pub weight: f64,
}

/// Most purchase opportunities a row may have. The likelihood sums one term per opportunity
/// after the last transaction, and BG/BB is a model of a few dozen discrete occasions (years
/// of donations, annual events); a row with more is a mistake, refused rather than summed.
pub const MAX_OPPORTUNITIES: f64 = 10_000.0;

impl PatternRow {
    /// Checks every row: whole numbers 0 ≤ frequency ≤ recency ≤ periods ≤
    /// [`MAX_OPPORTUNITIES`], recency 0 when frequency is 0, and a positive weight.
    pub fn check_all(rows: &[PatternRow]) -> Result<()> {
        for (i, r) in rows.iter().enumerate() {
            let ok = r.periods.is_finite()
                && r.periods >= 1.0
                && r.periods.fract() == 0.0
                && r.frequency >= 0.0
                && r.frequency.fract() == 0.0
                && r.frequency <= r.recency.max(0.0)
                && r.recency <= r.periods
                && r.recency.fract() == 0.0
                && (r.frequency > 0.0 || r.recency == 0.0)
                && r.weight.is_finite()
                && r.weight > 0.0;
            if !ok {
                return Err(RapportError::new(
                    ErrorCode::InvalidSummary,
                    "a BG/BB row needs whole numbers 0 <= frequency <= recency <= periods (recency 0 when frequency is 0) and a positive weight",
                )
                .at_row(i as u64 + 1));
            }
            if r.periods > MAX_OPPORTUNITIES {
                return Err(RapportError::new(
                    ErrorCode::InvalidSummary,
                    format!("periods {} is more opportunities than BG/BB takes (at most {MAX_OPPORTUNITIES})", r.periods),
                )
                .at_row(i as u64 + 1)
                .with_field("periods"));
            }
        }
        Ok(())
    }
}

impl BgBb {
    pub const NAMES: [&'static str; 4] = ["alpha", "beta", "gamma", "delta"];

    fn from_slice(p: &[f64]) -> BgBb {
        BgBb {
            alpha: p[0],
            beta: p[1],
            gamma: p[2],
            delta: p[3],
        }
    }

    /// ln L (eq. 5).
    pub fn log_likelihood_one(&self, x: f64, t_x: f64, n: f64) -> f64 {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (ab, gd) = (ln_beta(alpha, beta), ln_beta(gamma, delta));
        let mut ll = ln_beta(alpha + x, beta + n - x) - ab + ln_beta(gamma, delta + n) - gd;
        let mut i = 0.0;
        while i < n - t_x {
            ll = log_add_exp(
                ll,
                ln_beta(alpha + x, beta + t_x - x + i) - ab + ln_beta(gamma + 1.0, delta + t_x + i)
                    - gd,
            );
            i += 1.0;
        }
        ll
    }

    /// P(alive at opportunity n + 1) (eq. 11).
    pub fn p_alive(&self, x: f64, t_x: f64, n: f64) -> f64 {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let num = ln_beta(alpha + x, beta + n - x) - ln_beta(alpha, beta)
            + ln_beta(gamma, delta + n + 1.0)
            - ln_beta(gamma, delta);
        (num - self.log_likelihood_one(x, t_x, n))
            .exp()
            .clamp(0.0, 1.0)
    }

    /// Expected transactions in the next `future` opportunities (eq. 13).
    pub fn expected_purchases(&self, future: f64, x: f64, t_x: f64, n: f64) -> f64 {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        if future <= 0.0 {
            return 0.0;
        }
        let ln_front = ln_beta(alpha + x + 1.0, beta + n - x)
            - ln_beta(alpha, beta)
            - self.log_likelihood_one(x, t_x, n)
            + ln_gamma(gamma + delta)
            - ln_gamma(1.0 + delta);
        let g1 = ln_gamma(1.0 + delta + n) - ln_gamma(gamma + delta + n);
        let g2 = ln_gamma(1.0 + delta + n + future) - ln_gamma(gamma + delta + n + future);
        // δ/(γ−1) · (e^g1 − e^g2), with the sign of (γ − 1) carried by the difference.
        let diff = g1.exp() - g2.exp();
        (ln_front.exp() * delta / (gamma - 1.0) * diff).max(0.0)
    }

    pub fn fit(rows: &[PatternRow]) -> Result<(BgBb, Fit)> {
        PatternRow::check_all(rows)?;
        if rows.iter().all(|r| r.frequency == 0.0) {
            return Err(RapportError::new(
                ErrorCode::FitFailed,
                "BG/BB cannot be fitted when nobody transacts",
            ));
        }
        let ll = |p: &[f64]| {
            let m = BgBb::from_slice(p);
            rows.iter()
                .map(|r| r.weight * m.log_likelihood_one(r.frequency, r.recency, r.periods))
                .sum()
        };
        let fit = fit_positive("bgbb", &BgBb::NAMES, &[1.0, 1.0, 1.0, 1.0], &ll)?;
        let p: Vec<f64> = fit.params.iter().map(|p| p.1).collect();
        Ok((BgBb::from_slice(&p), fit))
    }
}
