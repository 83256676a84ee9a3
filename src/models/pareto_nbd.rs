//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's "A Note
//! on Deriving the Pareto/NBD Model and Related Expressions" (2005), as `lifetimes` evaluates it.
//!
//! While alive a client buys as a Poisson process with rate λ ~ Gamma(r, α); its lifetime is
//! exponential with rate μ ~ Gamma(s, β).
//!
//! # Formulas
//! - L = Γ(r+x) αʳ βˢ / Γ(r) · [1 / ((α+T)^(r+x) (β+T)ˢ) + s/(r+s+x) · A₀], with, for α ≥ β,
//!   A₀ = ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x)
//!   − ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+T)) / (α+T)^(r+s+x),
//!   and for α < β the same with α and β swapped and r+x in place of s+1.
//! - P(alive) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)ˢ A₀).
//! - Expected purchases in (T, T+t]: (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive).
//! - Expected purchases of a new client by t: rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)].
//!
//! A₀ is a difference of two close terms, so it is formed in logarithms (ln(e^u − e^v) =
//! u + ln(−expm1(v − u))), and ₂F₁ is summed in logarithms too, so high frequencies (where
//! `lifetimes` users report NaN and overflow) stay finite.

use serde::{Deserialize, Serialize};

use super::special::{alive_from_ln_dead_odds, ln_gamma, ln_hyp2f1, log_add_exp, EulerSeries};
use super::{fit_positive, fit_positive_with_gradient, prepare, ByTime, Fit, SummaryRow};
use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

/// (1 − e^(k·ln q)) / k, tending to −ln q as k → 0.
fn one_minus_pow_over(k: f64, ln_q: f64) -> f64 {
    if k.abs() < 1e-12 {
        -ln_q
    } else {
        -(k * ln_q).exp_m1() / k
    }
}

impl ParetoNbd {
    pub const NAMES: [&'static str; 4] = ["r", "alpha", "s", "beta"];

    pub(crate) fn from_slice(p: &[f64]) -> ParetoNbd {
        ParetoNbd {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
        }
    }

    /// max(α, β) and min(α, β).
    fn hi_lo(&self) -> (f64, f64) {
        (self.alpha.max(self.beta), self.alpha.min(self.beta))
    }

    /// ln A₀; −∞ when t_x = T (A₀ = 0).
    fn ln_a0(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let (hi, _) = self.hi_lo();
        self.ln_a0_with(x, t_x, t, (hi + t_x).ln(), (hi + t).ln())
    }

    /// [`Self::ln_a0`] given ln(max(α, β) + t_x) and ln(max(α, β) + T).
    fn ln_a0_with(&self, x: f64, t_x: f64, t: f64, ln_hi_tx: f64, ln_hi_t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (hi, lo) = self.hi_lo();
        let second = if alpha < beta { r + x } else { s + 1.0 };
        let rsx = r + s + x;
        let u = ln_hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + t_x)) - rsx * ln_hi_tx;
        let v = ln_hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + t)) - rsx * ln_hi_t;
        if v >= u {
            return f64::NEG_INFINITY;
        }
        u + (-(v - u).exp_m1()).ln()
    }

    /// Σ weight · ln L of compressed rows and its gradient in (r, α, s, β), in one pass.
    ///
    /// With h = max(α, β), l = min(α, β), a = r+s+x, b = r+x (α < β) or s+1, and for a time
    /// τ (t_x or T) z_τ = (h−l)/(h+τ): by Euler's transform ₂F₁(a, b; a+1; z_τ) =
    /// ((l+τ)/(h+τ))^(1−b) G(z_τ), with G the series of [`EulerSeries`], so
    /// A₀ = e^(ℓ₁) (G(z₁) − G(z₂) E), where ℓ_τ = (1−b) ln((l+τ)/(h+τ)) − a ln(h+τ) and
    /// E = e^(ℓ₂ − ℓ₁); the "alive" term is e^A with A = −(r+x) ln(α+T) − s ln(β+T), and the odds
    /// of the other, R = s/a · A₀ e^(−A), so ln L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + A +
    /// ln(1 + R): three transcendental functions a row.
    ///
    /// What depends on one of x, T or t_x only is computed once per evaluation: lnΓ(r+x) − lnΓ(r)
    /// and its derivative by recurrence, G's coefficients per frequency (rows arrive sorted by
    /// frequency, so each frequency's series is built once and then evaluated at every z with
    /// multiplications only, once per distinct time), and ln(α+τ), ln(β+τ), 1/(h+τ), 1/(l+τ) per distinct time.
    fn ll_and_gradient(&self, rows: &[SummaryRow], by: &ByTime, max_x: usize) -> (f64, [f64; 4]) {
        self.pass(rows, by, max_x, None)
    }

    /// [`Self::ll_and_gradient`], adding each row's Σ weight · ∇ln Lᵢ ∇ln Lᵢᵀ (BHHH's estimate
    /// of the information) to `opg` when given.
    fn pass(
        &self,
        rows: &[SummaryRow],
        by: &ByTime,
        max_x: usize,
        mut opg: Option<&mut [[f64; 4]; 4]>,
    ) -> (f64, [f64; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (mut lg, mut s_r) = (vec![0.0; max_x + 1], vec![0.0; max_x + 1]);
        for x in 1..=max_x {
            let k = (x - 1) as f64;
            lg[x] = lg[x - 1] + (r + k).ln();
            s_r[x] = s_r[x - 1] + 1.0 / (r + k);
        }
        let alpha_low = alpha < beta;
        let (at_t, at_tx) = (Times::new(&by.t, self), Times::new(&by.recency, self));
        let (ln_alpha, ln_beta, ln_s) = (alpha.ln(), beta.ln(), s.ln());
        let mut series = EulerSeries::default();
        let mut series_x = f64::NAN;
        // G at each distinct time, for the current frequency: rows with the same x often share
        // a T or a t_x (on CDNOW, 1,016 rows have 464 distinct (x, T) and 586 (x, t_x)). Each
        // entry is stamped with the frequency group it was computed for.
        let mut group = 0u32;
        let mut memo_t = vec![(0u32, [0.0; 4]); at_t.len()];
        let mut memo_tx = vec![(0u32, [0.0; 4]); at_tx.len()];
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        for ((row, &ti), &txi) in rows.iter().zip(&by.t.index).zip(&by.recency.index) {
            let (x, w) = (row.frequency, row.weight);
            let xi = x as usize;
            let (tt, tx) = (&at_t[ti as usize], &at_tx[txi as usize]);
            let a = r + s + x;
            let b = if alpha_low { r + x } else { s + 1.0 };
            if x != series_x {
                series.reset(a + 1.0 - b, a + 1.0);
                series_x = x;
                group += 1;
            }
            let mut g_at = |memo: &mut [(u32, [f64; 4])], i: u32, z: f64| {
                let m = &mut memo[i as usize];
                if m.0 != group {
                    *m = (group, series.sums(z));
                }
                m.1
            };
            let alive = -(r + x) * tt.ln_alpha - s * tt.ln_beta;
            // ℓ at t_x and T, their G's and the odds R = Δ e^X of "dead" to "alive".
            let (l1, l2) = (tx.ell(a, b), tt.ell(a, b));
            let (f1, f2) = (g_at(&mut memo_tx, txi, tx.z), g_at(&mut memo_t, ti, tt.z));
            let e = (l2 - l1).exp();
            let delta = f1[0] - f2[0] * e;
            let ln_sa = ln_s - a.ln();
            let big_x = ln_sa + l1 - alive;
            let (m, wd) = if delta.is_nan() || delta <= 0.0 {
                // t_x = T: A₀ = 0.
                (alive, 0.0)
            } else if big_x < 700.0 {
                let odds = delta * big_x.exp();
                (alive + odds.ln_1p(), odds / (1.0 + odds))
            } else {
                let ln_odds = big_x + delta.ln();
                let back = (-ln_odds).exp();
                (alive + ln_odds + back.ln_1p(), 1.0 / (1.0 + back))
            };
            let wa = 1.0 - wd;
            ll += w * (lg[xi] + r * ln_alpha + s * ln_beta + m);
            let mut gr = [
                s_r[xi] + ln_alpha - wa * tt.ln_alpha,
                r / alpha - wa * (r + x) / (alpha + row.t),
                ln_beta - wa * tt.ln_beta,
                s / beta - wa * s / (beta + row.t),
            ];
            if wd > 0.0 {
                // ∂ ln A₀ = (∂u − q ∂v) / (1 − q), u = ℓ₁ + ln G(z₁), v = ℓ₂ + ln G(z₂),
                // q = e^(v−u) = G(z₂) E / G(z₁); per parameter of G and ℓ: a, b, h, l.
                let (u, v) = (tx.partials(a, b, &f1), tt.partials(a, b, &f2));
                let q = f2[0] * e / f1[0];
                let scale = f1[0] / delta;
                let d = |i: usize| (u[i] - q * v[i]) * scale;
                let (da, db, dh, dl) = (d(0), d(1), d(2), d(3));
                let (d_alpha, d_beta) = if alpha_low { (dl, dh) } else { (dh, dl) };
                let (db_r, db_s) = if alpha_low { (db, 0.0) } else { (0.0, db) };
                let inv_a = 1.0 / a;
                // D = ln s − ln a + ln A₀.
                let dd = [
                    da + db_r - inv_a,
                    d_alpha,
                    1.0 / s + da + db_s - inv_a,
                    d_beta,
                ];
                for (gi, ddi) in gr.iter_mut().zip(dd) {
                    *gi += wd * ddi;
                }
            }
            for (gi, gri) in g.iter_mut().zip(gr) {
                *gi += w * gri;
            }
            if let Some(o) = opg.as_deref_mut() {
                for i in 0..4 {
                    for j in 0..4 {
                        o[i][j] += w * gr[i] * gr[j];
                    }
                }
            }
        }
        (ll, g)
    }

    pub fn log_likelihood_one(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let alive = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        a1 + log_add_exp(alive, s.ln() + self.ln_a0(x, t_x, t) - (r + s + x).ln())
    }

    pub fn log_likelihood(&self, rows: &[SummaryRow]) -> f64 {
        rows.iter()
            .map(|s| s.weight * self.log_likelihood_one(s.frequency, s.recency, s.t))
            .sum()
    }

    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let k = s.ln() - (r + s + x).ln()
            + (r + x) * (alpha + t).ln()
            + s * (beta + t).ln()
            + self.ln_a0(x, t_x, t);
        alive_from_ln_dead_odds(k)
    }

    /// Expected purchases in the next `horizon` periods: [`Self::expected_if_alive`] times
    /// P(alive).
    pub fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        self.expected_if_alive(horizon, x, t) * self.p_alive(x, t_x, t)
    }

    /// Expected purchases in the next `horizon` periods of a client known to be alive at T with
    /// x repeat purchases; it does not depend on t_x.
    pub fn expected_if_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        if horizon <= 0.0 {
            return 0.0;
        }
        let ln_q = (beta + t).ln() - (beta + t + horizon).ln();
        ((r + x) * (beta + t) / (alpha + t) * one_minus_pow_over(s - 1.0, ln_q)).max(0.0)
    }

    pub fn expected_purchases_new(&self, horizon: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        if horizon <= 0.0 {
            return 0.0;
        }
        (r * beta / alpha * one_minus_pow_over(s - 1.0, beta.ln() - (beta + horizon).ln())).max(0.0)
    }

    /// P(X(t) = n): the probability that a new client makes exactly `n` purchases by `t`
    /// (Fader & Hardie 2006, "Deriving an Expression for P(X(t) = x) Under the Pareto/NBD
    /// Model"):
    ///
    /// ```text
    /// Γ(r+n)/(Γ(r) n!) (α/(α+t))ʳ (t/(α+t))ⁿ (β/(β+t))ˢ
    ///   + αʳ βˢ B(r+n, s+1)/B(r, s) · [B₁ − Σ_{j=0}^{n} Γ(r+s+j)/(Γ(r+s) j!) tʲ B₂(j)]
    /// ```
    ///
    /// with, for α ≥ β, B₁ = ₂F₁(r+s, s+1; r+s+n+1; (α−β)/α) / α^(r+s) and
    /// B₂(j) = ₂F₁(r+s+j, s+1; r+s+n+1; (α−β)/(α+t)) / (α+t)^(r+s+j), and for α < β the same
    /// with β in place of α and r+n in place of s+1.
    pub fn prob_purchases(&self, t: f64, n: u32) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let n = n as f64;
        let first = (ln_gamma(r + n) - ln_gamma(r) - ln_gamma(n + 1.0)
            + r * (alpha.ln() - (alpha + t).ln())
            + n * (t.ln() - (alpha + t).ln())
            + s * (beta.ln() - (beta + t).ln()))
        .exp();
        let (hi, second) = if alpha >= beta {
            (alpha, s + 1.0)
        } else {
            (beta, r + n)
        };
        let gap = (alpha - beta).abs();
        let c = r + s + n + 1.0;
        let ln_front = r * alpha.ln() + s * beta.ln() + super::special::ln_beta(r + n, s + 1.0)
            - super::special::ln_beta(r, s);
        let b1 = (ln_hyp2f1(r + s, second, c, gap / hi) - (r + s) * hi.ln()).exp();
        let mut b2 = 0.0;
        for j in 0..=(n as u32) {
            let j = j as f64;
            let ln_coef = ln_gamma(r + s + j) - ln_gamma(r + s) - ln_gamma(j + 1.0)
                + if j > 0.0 { j * t.ln() } else { 0.0 };
            b2 += (ln_coef + ln_hyp2f1(r + s + j, second, c, gap / (hi + t))
                - (r + s + j) * (hi + t).ln())
            .exp();
        }
        (first + ln_front.exp() * (b1 - b2)).clamp(0.0, 1.0)
    }

    pub fn fit(rows: &[SummaryRow]) -> Result<(ParetoNbd, Fit)> {
        let (rows, mean_t) = prepare("Pareto/NBD", rows)?;
        let max_x = rows.iter().map(|r| r.frequency).fold(0.0, f64::max);
        let by = ByTime::new(&rows);
        let start = [1.0, mean_t, 1.0, mean_t];
        let fit = if max_x <= MAX_TABLE as f64 {
            let ll = |p: &[f64]| {
                ParetoNbd::from_slice(p)
                    .ll_and_gradient(&rows, &by, max_x as usize)
                    .0
            };
            let grad = |p: &[f64]| {
                let (v, g) = ParetoNbd::from_slice(p).ll_and_gradient(&rows, &by, max_x as usize);
                (v, g.to_vec())
            };
            let information = |p: &[f64]| {
                let mut o = [[0.0; 4]; 4];
                let (v, g) =
                    ParetoNbd::from_slice(p).pass(&rows, &by, max_x as usize, Some(&mut o));
                (v, g.to_vec(), o.iter().map(|row| row.to_vec()).collect())
            };
            fit_positive_with_gradient(
                "pareto-nbd",
                &ParetoNbd::NAMES,
                &start,
                &ll,
                Some(&grad),
                Some(&information),
            )?
        } else {
            let ll = |p: &[f64]| ParetoNbd::from_slice(p).log_likelihood(&rows);
            fit_positive("pareto-nbd", &ParetoNbd::NAMES, &start, &ll)?
        };
        let p: Vec<f64> = fit.params.iter().map(|p| p.1).collect();
        Ok((ParetoNbd::from_slice(&p), fit))
    }
}

/// What Pareto/NBD's likelihood needs of one distinct time τ (a T or a t_x), for given
/// parameters, with h = max(α, β) and l = min(α, β).
struct Times {
    ln_alpha: f64,
    ln_beta: f64,
    /// ln(h+τ) and ln((l+τ)/(h+τ)) = ln(1 − z).
    ln_h: f64,
    ln_1mz: f64,
    /// 1/(h+τ), 1/(l+τ) and ∂z/∂h = (l+τ)/(h+τ)².
    inv_h: f64,
    inv_l: f64,
    dz_dh: f64,
    z: f64,
}

impl Times {
    fn new(values: &super::Distinct, m: &ParetoNbd) -> Vec<Times> {
        let (hi, lo) = m.hi_lo();
        values
            .values
            .iter()
            .map(|&t| {
                let (ln_alpha, ln_beta) = ((m.alpha + t).ln(), (m.beta + t).ln());
                let (ln_h, ln_l) = if m.alpha < m.beta {
                    (ln_beta, ln_alpha)
                } else {
                    (ln_alpha, ln_beta)
                };
                let (inv_h, inv_l) = (1.0 / (hi + t), 1.0 / (lo + t));
                Times {
                    ln_alpha,
                    ln_beta,
                    ln_h,
                    ln_1mz: ln_l - ln_h,
                    inv_h,
                    inv_l,
                    dz_dh: (lo + t) * inv_h * inv_h,
                    z: (hi - lo) * inv_h,
                }
            })
            .collect()
    }

    /// ℓ = (1−b) ln(1−z) − a ln(h+τ): the logarithm of ₂F₁(a, b; a+1; z)/(h+τ)^a without G.
    fn ell(&self, a: f64, b: f64) -> f64 {
        (1.0 - b) * self.ln_1mz - a * self.ln_h
    }

    /// ∂/∂(a, b, h, l) of ℓ + ln G(z), given [G, ∂G/∂e, ∂G/∂c, ∂G/∂z] with e = a+1−b, c = a+1.
    fn partials(&self, a: f64, b: f64, f: &[f64; 4]) -> [f64; 4] {
        let inv_g = 1.0 / f[0];
        let (de, dc, dz) = (f[1] * inv_g, f[2] * inv_g, f[3] * inv_g);
        [
            de + dc - self.ln_h,
            -self.ln_1mz - de,
            // ∂ℓ/∂h through ln(1−z) is −(1−b)/(h+τ), through ln(h+τ) −a/(h+τ).
            -(1.0 - b + a) * self.inv_h + dz * self.dz_dh,
            (1.0 - b) * self.inv_l - dz * self.inv_h,
        ]
    }
}

/// Largest frequency for which the fit tabulates lnΓ(r+x) − lnΓ(r) and uses the analytic
/// gradient; beyond it, lnΓ per row and a numerical gradient.
const MAX_TABLE: usize = 5_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    const P: ParetoNbd = ParetoNbd {
        r: 0.5533,
        alpha: 10.5773,
        s: 0.6062,
        beta: 11.6689,
    };

    /// Parameters for both branches of the formulas: α < β (the CDNOW fit) and α ≥ β.
    const BOTH_BRANCHES: [ParetoNbd; 2] = [
        P,
        ParetoNbd {
            r: 0.8,
            alpha: 20.0,
            s: 1.4,
            beta: 5.0,
        },
    ];

    #[test]
    fn one_pass_likelihood_and_gradient_match_the_direct_likelihood() {
        let mut rows: Vec<SummaryRow> = (0..60)
            .map(|i| {
                let x = (i % 7) as f64;
                let t = 20.0 + (i % 5) as f64 * 3.5;
                SummaryRow {
                    frequency: x,
                    recency: if x > 0.0 {
                        t * (i % 3 + 1) as f64 / 3.0
                    } else {
                        0.0
                    },
                    t,
                    weight: 1.0 + (i % 4) as f64,
                }
            })
            .collect();
        // A frequent buyer, and one whose t_x is T.
        rows.push(SummaryRow::new(250.0, 30.0, 40.0));
        rows.push(SummaryRow::new(3.0, 40.0, 40.0));
        let by = ByTime::new(&rows);
        // Also far apart α and β, where z = (h−l)/(h+τ) comes close to 1 and G needs hundreds
        // of terms.
        let far = ParetoNbd {
            r: 0.7,
            alpha: 300.0,
            s: 0.9,
            beta: 1.5,
        };
        for m in BOTH_BRANCHES.into_iter().chain([far]) {
            let (ll, g) = m.ll_and_gradient(&rows, &by, 250);
            let direct = m.log_likelihood(&rows);
            assert!(
                (ll - direct).abs() < 1e-10 * direct.abs(),
                "{ll} vs {direct}"
            );
            let f = |v: &[f64]| ParetoNbd::from_slice(v).log_likelihood(&rows);
            let numeric = crate::models::optimize::gradient(&f, &[m.r, m.alpha, m.s, m.beta]);
            for (a, n) in g.iter().zip(&numeric) {
                assert!(
                    (a - n).abs() < 1e-5 * n.abs().max(1.0),
                    "analytic {g:?} vs numeric {numeric:?}"
                );
            }
        }
    }

    #[test]
    fn conditional_expectation_matches_published_value() {
        let e = P.expected_purchases(52.0, 26.0, 30.86, 31.0);
        assert!((e - 25.457).abs() < 5e-4, "{e}");
    }

    #[test]
    fn purchase_count_probabilities_sum_to_one_and_have_the_right_mean() {
        for m in BOTH_BRANCHES {
            for t in [1.0, 10.0, 39.0] {
                let probs: Vec<f64> = (0..200).map(|n| m.prob_purchases(t, n)).collect();
                let total: f64 = probs.iter().sum();
                assert!((total - 1.0).abs() < 1e-6, "t = {t}: {total}");
                let mean: f64 = probs.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
                let want = m.expected_purchases_new(t);
                assert!(
                    (mean - want).abs() < 1e-5 * want.max(1.0),
                    "t = {t}: {mean} vs {want}"
                );
            }
        }
    }

    #[test]
    fn stays_finite_at_high_frequency() {
        for &(x, tx, t) in &[
            (10_000.0, 9_000.0, 10_000.0),
            (10_000.0, 10_000.0, 10_000.0),
            (0.0, 0.0, 10_000.0),
            (300.0, 1.0, 400.0),
        ] {
            let pa = P.p_alive(x, tx, t);
            assert!((0.0..=1.0).contains(&pa), "{x} {tx} {t}: {pa}");
            assert!(P.log_likelihood_one(x, tx, t).is_finite(), "{x} {tx} {t}");
            assert!(P.expected_purchases(52.0, x, tx, t).is_finite());
        }
    }
}
