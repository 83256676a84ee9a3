//! MBG/NBD: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation
//! and comparison of models for customer base analysis", IJRM 24(3), as `lifetimes`
//! implements it (`ModifiedBetaGeoFitter`). Like BG/NBD, but a client may also drop out right
//! after its first purchase, so clients with no repeat purchase need not be alive.
//!
//! # Formulas
//! - ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b) − (r+x) ln(α+T)
//!   + ln(1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)).
//! - P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)).
//! - Expected purchases in (T, T+t]: (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
//!   ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive).
//! - Expected purchases of a new client by t: b/(a−1) · [1 − (α/(α+t))ʳ ₂F₁(r, b+1; a+b; t/(α+t))].
//! - P(X(t) = x) = B(a, b+x+1)/B(a,b) · NB(x) + B(a+1, b+x)/B(a,b) · (1 − Σ_{j<x} NB(j)), with
//!   NB(j) the negative-binomial count of purchase opportunities by t (derived as in BG/NBD's
//!   eq. 8, with a drop-out chance also at time 0).

use serde::{Deserialize, Serialize};

use super::special::{alive_from_ln_dead_odds, ln_beta, ln_gamma, ln_hyp2f1, log_add_exp};
use super::{fit_positive, prepare, DeadOdds, Fit, SummaryRow};
use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MbgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl MbgNbd {
    pub const NAMES: [&'static str; 4] = ["r", "alpha", "a", "b"];

    pub(crate) fn from_slice(p: &[f64]) -> MbgNbd {
        MbgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
    }

    /// The odds that a client with x repeat purchases observed for T has dropped out, against
    /// being alive, as a function of t_x: a/(b+x) · ((α+T)/(α+t_x))^(r+x).
    pub fn dead_odds(&self, x: f64, t: f64) -> DeadOdds {
        DeadOdds {
            ln_front: self.a.ln() - (self.b + x).ln(),
            power: self.r + x,
            ln_alpha_t: (self.alpha + t).ln(),
        }
    }

    fn ln_dead_odds(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.dead_odds(x, t).ln_odds(self.alpha, t_x)
    }

    pub fn log_likelihood_one(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_beta(a, b + x + 1.0)
            - ln_beta(a, b)
            - (r + x) * (alpha + t).ln()
            + log_add_exp(self.ln_dead_odds(x, t_x, t), 0.0)
    }

    pub fn log_likelihood(&self, rows: &[SummaryRow]) -> f64 {
        rows.iter()
            .map(|s| s.weight * self.log_likelihood_one(s.frequency, s.recency, s.t))
            .sum()
    }

    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        alive_from_ln_dead_odds(self.ln_dead_odds(x, t_x, t))
    }

    /// Expected purchases in the next `horizon` periods: [`Self::expected_if_alive`] times
    /// P(alive).
    pub fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        self.expected_if_alive(horizon, x, t) * self.p_alive(x, t_x, t)
    }

    /// Expected purchases in the next `horizon` periods of a client known to be alive at T with
    /// x repeat purchases; it does not depend on t_x.
    pub fn expected_if_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        if horizon <= 0.0 {
            return 0.0;
        }
        let ln_power = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
        let bracket = -(ln_power
            + ln_hyp2f1(
                r + x,
                b + x + 1.0,
                a + b + x,
                horizon / (alpha + t + horizon),
            ))
        .exp_m1();
        ((a + b + x) / (a - 1.0) * bracket).max(0.0)
    }

    pub fn expected_purchases_new(&self, horizon: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        if horizon <= 0.0 {
            return 0.0;
        }
        let ln_power = r * (alpha.ln() - (alpha + horizon).ln());
        let bracket =
            -(ln_power + ln_hyp2f1(r, b + 1.0, a + b, horizon / (alpha + horizon))).exp_m1();
        (b / (a - 1.0) * bracket).max(0.0)
    }

    pub fn prob_purchases(&self, t: f64, n: u32) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let n = n as f64;
        let ln_p0 = r * (alpha.ln() - (alpha + t).ln());
        let ln_q = t.ln() - (alpha + t).ln();
        let ln_nb = |j: f64| ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0) + ln_p0 + j * ln_q;
        let partial: f64 = (0..n as u32).map(|j| ln_nb(j as f64).exp()).sum();
        (ln_beta(a, b + n + 1.0) - ln_beta(a, b) + ln_nb(n)).exp()
            + (ln_beta(a + 1.0, b + n) - ln_beta(a, b)).exp() * (1.0 - partial).max(0.0)
    }

    pub fn fit(rows: &[SummaryRow]) -> Result<(MbgNbd, Fit)> {
        let (rows, mean_t) = prepare("MBG/NBD", rows)?;
        let ll = |p: &[f64]| MbgNbd::from_slice(p).log_likelihood(&rows);
        let fit = fit_positive("mbgnbd", &MbgNbd::NAMES, &[1.0, mean_t, 1.0, 1.0], &ll)?;
        let p: Vec<f64> = fit.params.iter().map(|p| p.1).collect();
        Ok((MbgNbd::from_slice(&p), fit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_count_probabilities_sum_to_one() {
        let m = MbgNbd {
            r: 0.525,
            alpha: 6.183,
            a: 0.891,
            b: 1.614,
        };
        let total: f64 = (0..500).map(|n| m.prob_purchases(39.0, n)).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        // The expected count from the distribution equals the closed form.
        let mean: f64 = (0..3000)
            .map(|n| n as f64 * m.prob_purchases(10.0, n))
            .sum();
        assert!(
            (mean - m.expected_purchases_new(10.0)).abs() < 1e-6,
            "{mean} vs {}",
            m.expected_purchases_new(10.0)
        );
    }
}
