//! Gamma-Gamma model of monetary value (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value
//! Curves for Customer Base Analysis", and Fader & Hardie's note "The Gamma-Gamma Model of
//! Monetary Value").
//!
//! A client's transaction values are Gamma(p, ν) around its own mean; ν ~ Gamma(q, γ) across
//! clients (`lifetimes` calls γ `v`). Fitted on clients with at least one repeat purchase, from
//! their number of repeat purchases x and mean repeat value m.
//!
//! # Formulas
//! - Likelihood: L = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m^(px−1) x^(px) / (γ + m x)^(px+q).
//! - Expected mean spend: E[M | x, m] = p (γ + x m) / (p x + q − 1), a weighted mean of the
//!   population mean p γ / (q − 1) and the client's own m; for x = 0 the population mean.
//! - Lifetime value over `months` months at a monthly `discount_rate`, as `lifetimes` computes
//!   it: Σₖ E\[M\] · (E\[X(k·u)\] − E\[X((k−1)·u)\]) / (1 + d)^k, with u periods a month.

use serde::{Deserialize, Serialize};

use super::special::ln_gamma;
use super::{fit_positive, Fit};
use crate::error::{ErrorCode, RapportError, Result};

/// Gamma-Gamma parameters (`p`, `q`, `v` as `lifetimes` names them; v is the papers' γ).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub v: f64,
}

/// One client's spend summary: repeat purchases and their mean value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpendRow {
    pub frequency: f64,
    pub monetary: f64,
    pub weight: f64,
}

impl GammaGamma {
    pub const NAMES: [&'static str; 3] = ["p", "q", "v"];

    pub fn log_likelihood_one(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * v.ln()
            + (p * x - 1.0) * m.ln()
            + (p * x) * x.ln()
            - (p * x + q) * (v + m * x).ln()
    }

    /// E[M | x, m]: the client's expected mean transaction value.
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        if x <= 0.0 {
            return p * v / (q - 1.0);
        }
        p * (v + x * m) / (p * x + q - 1.0)
    }

    /// Lifetime value: `expected_spend` times the discounted expected purchases per month, as
    /// `lifetimes.GammaGammaFitter.customer_lifetime_value` computes it. `cumulative(t)` is a
    /// purchase model's expected purchases by t for this client; `periods_per_month` converts
    /// months into the data's unit (30 for days, 4.345 for weeks).
    pub fn lifetime_value(
        &self,
        x: f64,
        m: f64,
        cumulative: &dyn Fn(f64) -> f64,
        months: u32,
        discount_rate: f64,
        periods_per_month: f64,
    ) -> f64 {
        let spend = self.expected_spend(x, m);
        let mut total = 0.0;
        let mut before = 0.0;
        for k in 1..=months {
            let now = cumulative(k as f64 * periods_per_month);
            total += spend * (now - before) / (1.0 + discount_rate).powi(k as i32);
            before = now;
        }
        total
    }

    /// Fits on clients with x > 0 and m > 0 (others carry no spend information and are skipped).
    pub fn fit(rows: &[SpendRow]) -> Result<(GammaGamma, Fit)> {
        for (i, r) in rows.iter().enumerate() {
            if !(r.frequency.is_finite()
                && r.frequency >= 0.0
                && r.monetary.is_finite()
                && r.monetary >= 0.0
                && r.weight > 0.0)
            {
                return Err(RapportError::new(ErrorCode::InvalidSummary, "frequency and monetary value must be finite and non-negative, and weight positive")
                    .at_row(i as u64 + 1));
            }
        }
        let used: Vec<SpendRow> = rows
            .iter()
            .copied()
            .filter(|r| r.frequency > 0.0 && r.monetary > 0.0)
            .collect();
        if used.len() < 2 {
            return Err(RapportError::new(
                ErrorCode::FitFailed,
                "Gamma-Gamma needs at least two clients with repeat purchases and spend",
            ));
        }
        let ll = |p: &[f64]| {
            let g = GammaGamma {
                p: p[0],
                q: p[1],
                v: p[2],
            };
            used.iter()
                .map(|r| r.weight * g.log_likelihood_one(r.frequency, r.monetary))
                .sum()
        };
        let fit = fit_positive("gamma-gamma", &GammaGamma::NAMES, &[1.0, 1.0, 1.0], &ll)?;
        Ok((
            GammaGamma {
                p: fit.params[0].1,
                q: fit.params[1].1,
                v: fit.params[2].1,
            },
            fit,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_spend_matches_published_values() {
        // The CDNOW sample's first ten clients (x, zbar) and their expected mean spend.
        let g = GammaGamma {
            p: 6.2488,
            q: 3.7446,
            v: 15.4477,
        };
        let clients = [
            (2.0, 22.35),
            (1.0, 11.77),
            (0.0, 0.0),
            (0.0, 0.0),
            (0.0, 0.0),
            (7.0, 73.74),
            (1.0, 11.77),
            (0.0, 0.0),
            (2.0, 25.55),
            (0.0, 0.0),
        ];
        let want = [
            24.66, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17,
        ];
        for ((x, m), w) in clients.iter().zip(want) {
            assert_eq!(
                (g.expected_spend(*x, *m) * 100.0).round() / 100.0,
                w,
                "x = {x}, m = {m}"
            );
        }
    }
}
