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

use super::special::{
    alive_from_ln_dead_odds, ln_gamma, ln_hyp2f1, ln_hyp2f1_c_a1, log_add_exp, EulerSeries,
};
use super::{
    fit_positive, fit_positive_newton, prepare, walk_frequencies, ByValue, Fit, SummaryRow, Walk,
};
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
        let u = ln_hyp2f1_c_a1(rsx, second, (hi - lo) / (hi + t_x)) - rsx * ln_hi_tx;
        let v = ln_hyp2f1_c_a1(rsx, second, (hi - lo) / (hi + t)) - rsx * ln_hi_t;
        if v >= u {
            return f64::NEG_INFINITY;
        }
        u + (-(v - u).exp_m1()).ln()
    }

    /// Σ weight · ln L of compressed rows, its gradient and its Hessian in (r, α, s, β), in one
    /// pass.
    ///
    /// With h = max(α, β), l = min(α, β), a = r+s+x, b = r+x (α < β) or s+1, and for a time
    /// τ (t_x or T) z_τ = (h−l)/(h+τ): by Euler's transform ₂F₁(a, b; a+1; z_τ) =
    /// ((l+τ)/(h+τ))^(1−b) G(z_τ), with G the series of [`EulerSeries`], so
    /// A₀ = e^u − e^v with u = ℓ(t_x) + ln G(z₁), v = ℓ(T) + ln G(z₂) and
    /// ℓ(τ) = (1−b) ln((l+τ)/(h+τ)) − a ln(h+τ). The "alive" term is e^A with
    /// A = −(r+x) ln(α+T) − s ln(β+T), the "dead" one e^D with D = ln s − ln a + ln A₀, and
    /// ln L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + A + ln(1 + R), R = e^(D−A): three
    /// transcendental functions a row. Derivatives go through u and v in (a, b, h, l) — G's
    /// in (e, c, z) from the series, ℓ's in closed form — then ln(e^u − e^v), then the linear
    /// map from (a, b, h, l) to (r, α, s, β), then ln(e^A + e^D) as for BG/NBD.
    ///
    /// What depends on one of x, T or t_x only is computed once per evaluation: lnΓ(r+x) − lnΓ(r)
    /// and its derivatives by recurrence, G's coefficients per frequency (rows arrive sorted by
    /// frequency, so each frequency's series is built once and then evaluated at every z with
    /// multiplications only, once per distinct time), and ln(α+τ), ln(β+τ), 1/(h+τ), 1/(l+τ) per
    /// distinct time.
    fn ll_derivatives(&self, rows: &[SummaryRow], by: &ByValue) -> (f64, [f64; 4], [[f64; 4]; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (lg, s_r, q_r) = gamma_ratio_terms(r, &by.frequency.values);
        let alpha_low = alpha < beta;
        let moves = if alpha_low {
            MOVES_ALPHA_LOW
        } else {
            MOVES_BETA_LOW
        };
        let (at_t, at_tx) = (Times::new(&by.t, self), Times::new(&by.recency, self));
        let (ln_alpha, ln_beta, ln_s) = (alpha.ln(), beta.ln(), s.ln());
        let mut series = EulerSeries::default();
        let mut series_x = f64::NAN;
        // G at each distinct time, for the current frequency: rows with the same x often share
        // a T or a t_x (on CDNOW, 1,016 rows have 464 distinct (x, T) and 586 (x, t_x)). Each
        // entry is stamped with the frequency group it was computed for.
        let mut group = 0u32;
        let mut memo_t = vec![(0u32, [0.0; 10]); at_t.len()];
        let mut memo_tx = vec![(0u32, [0.0; 10]); at_tx.len()];
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        let mut h = [[0.0; 4]; 4];
        for (row, ti, txi, xi) in by.rows(rows) {
            let (x, w) = (row.frequency, row.weight);
            let (tt, tx) = (&at_t[ti], &at_tx[txi]);
            let a = r + s + x;
            let b = if alpha_low { r + x } else { s + 1.0 };
            if x != series_x {
                series.reset(a + 1.0 - b, a + 1.0);
                series_x = x;
                group += 1;
            }
            let mut g_at = |memo: &mut [(u32, [f64; 10])], i: usize, z: f64| {
                let m = &mut memo[i];
                if m.0 != group {
                    *m = (group, series.sums(z));
                }
                m.1
            };
            let (f1, f2) = (g_at(&mut memo_tx, txi, tx.z), g_at(&mut memo_t, ti, tt.z));
            let (alive, grad_a, hess_a) = self.alive_terms(x, row.t, tt);
            // The odds R = Δ e^X of "dead" to "alive", Δ = G(z₁) − G(z₂) e^(ℓ₂−ℓ₁).
            let (l1, l2) = (tx.ell(a, b), tt.ell(a, b));
            let e = (l2 - l1).exp();
            let delta = f1[0] - f2[0] * e;
            let big_x = ln_s - a.ln() + l1 - alive;
            let (m, wd) = mixture(alive, delta, big_x);
            ll += w * (lg[xi] + r * ln_alpha + s * ln_beta + m);
            let (mut gr, mut hr) = (grad_a, hess_a);
            if wd > 0.0 {
                let (grad_d, hess_d) =
                    self.dead_terms(a, (tx, &f1), (tt, &f2), e, delta, b, &moves);
                (gr, hr) = blend(1.0 - wd, wd, (&grad_a, &hess_a), (&grad_d, &hess_d));
            }
            gr[0] += s_r[xi] + ln_alpha;
            gr[1] += r / alpha;
            gr[2] += ln_beta;
            gr[3] += s / beta;
            for i in 0..4 {
                g[i] += w * gr[i];
                for j in 0..4 {
                    h[i][j] += w * hr[i][j];
                }
            }
            // lnΓ(r+x) − lnΓ(r) + r ln α + s ln β.
            h[0][0] -= w * q_r[xi];
            h[0][1] += w / alpha;
            h[1][0] += w / alpha;
            h[1][1] -= w * r / (alpha * alpha);
            h[2][3] += w / beta;
            h[3][2] += w / beta;
            h[3][3] -= w * s / (beta * beta);
        }
        (ll, g, h)
    }

    /// A = −(r+x) ln(α+T) − s ln(β+T), the log-likelihood of staying alive to T, with its
    /// gradient and Hessian in (r, α, s, β).
    #[inline(always)]
    fn alive_terms(&self, x: f64, t: f64, tt: &Times) -> (f64, [f64; 4], [[f64; 4]; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let alive = -(r + x) * tt.ln_alpha - s * tt.ln_beta;
        let inv_at = 1.0 / (alpha + t);
        let inv_bt = 1.0 / (beta + t);
        let grad = [-tt.ln_alpha, -(r + x) * inv_at, -tt.ln_beta, -s * inv_bt];
        let mut hess = [[0.0; 4]; 4];
        (hess[1][0], hess[0][1]) = (-inv_at, -inv_at);
        hess[1][1] = (r + x) * inv_at * inv_at;
        (hess[3][2], hess[2][3]) = (-inv_bt, -inv_bt);
        hess[3][3] = s * inv_bt * inv_bt;
        (alive, grad, hess)
    }

    /// D = ln s − ln a + ln A₀, the log-likelihood of dying between t_x and T, with its
    /// gradient and Hessian in (r, α, s, β). `f1` and `f2` are the series at t_x and T.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn dead_terms(
        &self,
        a: f64,
        (tx, f1): (&Times, &[f64; 10]),
        (tt, f2): (&Times, &[f64; 10]),
        e: f64,
        delta: f64,
        b: f64,
        moves: &[[f64; 4]; 4],
    ) -> ([f64; 4], [[f64; 4]; 4]) {
        let s = self.s;
        // ln A₀ = ln(e^u − e^v) in (a, b, h, l), with q = e^(v−u) = G(z₂) E / G(z₁).
        let (du, hu) = tx.partials(a, b, f1);
        let (dv, hv) = tt.partials(a, b, f2);
        let q = f2[0] * e / f1[0];
        let scale = f1[0] / delta; // 1 / (1 − q)
        let df: [f64; 4] = std::array::from_fn(|i| (du[i] - q * dv[i]) * scale);
        let hf: [[f64; 4]; 4] = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                (hu[i][j] + du[i] * du[j] - q * (hv[i][j] + dv[i] * dv[j])) * scale - df[i] * df[j]
            })
        });
        let (mut grad, mut hess) = to_params(&df, &hf, moves);
        let inv_a = 1.0 / a;
        grad[0] -= inv_a;
        grad[2] += 1.0 / s - inv_a;
        // −ln a moves with r and s alike; ln s with s.
        for i in [0, 2] {
            for j in [0, 2] {
                hess[i][j] += inv_a * inv_a;
            }
        }
        hess[2][2] -= 1.0 / (s * s);
        (grad, hess)
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
        let by = ByValue::new(&rows);
        let start = [1.0, mean_t, 1.0, mean_t];
        let fit = if max_x <= MAX_TABLE as f64 {
            let derivs = |p: &[f64]| ParetoNbd::from_slice(p).ll_derivatives(&rows, &by);
            fit_positive_newton("pareto-nbd", &ParetoNbd::NAMES, &start, &derivs)?
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

    /// The gradient and Hessian in (a, b, h, l) of ℓ + ln G(z), given G's sums (see
    /// [`EulerSeries::sums`]) with e = a+1−b, c = a+1 and z = (h−l)/(h+τ).
    fn partials(&self, a: f64, b: f64, f: &[f64; 10]) -> ([f64; 4], [[f64; 4]; 4]) {
        let inv_g = 1.0 / f[0];
        // ln G's derivatives in (e, c, z): ∇G/G and ∇²G/G − (∇G/G)(∇G/G)ᵀ.
        let (de, dc, dz) = (f[1] * inv_g, f[2] * inv_g, f[3] * inv_g);
        let ee = f[4] * inv_g - de * de;
        let ec = f[5] * inv_g - de * dc;
        let cc = f[6] * inv_g - dc * dc;
        let ez = f[7] * inv_g - de * dz;
        let cz = f[8] * inv_g - dc * dz;
        let zz = f[9] * inv_g - dz * dz;
        // z's derivatives in h and l.
        let (z_h, z_l) = (self.dz_dh, -self.inv_h);
        let (z_hh, z_hl) = (-2.0 * self.dz_dh * self.inv_h, self.inv_h * self.inv_h);
        let (ih, il) = (self.inv_h, self.inv_l);
        let grad = [
            de + dc - self.ln_h,
            -self.ln_1mz - de,
            // ∂ℓ/∂h through ln(1−z) is −(1−b)/(h+τ), through ln(h+τ) −a/(h+τ).
            -(1.0 - b + a) * ih + dz * z_h,
            (1.0 - b) * il + dz * z_l,
        ];
        // e moves with a and against b, c with a; ℓ's second derivatives are 1/(·+τ) terms.
        let aa = ee + 2.0 * ec + cc;
        let ab = -(ee + ec);
        let ah = z_h * (ez + cz) - ih;
        let al = z_l * (ez + cz);
        let bb = ee;
        let bh = -z_h * ez + ih;
        let bl = -z_l * ez - il;
        let hh = z_h * z_h * zz + z_hh * dz + (1.0 - b + a) * ih * ih;
        let hl = z_h * z_l * zz + z_hl * dz;
        let ll = z_l * z_l * zz - (1.0 - b) * il * il;
        (
            grad,
            [
                [aa, ab, ah, al],
                [ab, bb, bh, bl],
                [ah, bh, hh, hl],
                [al, bl, hl, ll],
            ],
        )
    }
}

/// Largest frequency for which the fit uses the per-frequency recurrence and Newton's method
/// (the recurrence takes a step per count up to the largest frequency, every pass); beyond it,
/// lnΓ per row and BFGS on a numerical gradient.
const MAX_TABLE: usize = 5_000_000;

/// lnΓ(r+x) − lnΓ(r) and its first two derivatives in r, per distinct frequency.
fn gamma_ratio_terms(r: f64, frequencies: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = frequencies.len();
    let (mut lg, mut s_r, mut q_r) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut sum_lg, mut sum_s, mut sum_q) = (0.0, 0.0, 0.0);
    walk_frequencies(frequencies, |w| match w {
        Walk::Step(k) => {
            let inv = 1.0 / (r + k);
            sum_lg += (r + k).ln();
            sum_s += inv;
            sum_q += inv * inv;
        }
        Walk::Before(_) => {}
        Walk::At(j) => (lg[j], s_r[j], q_r[j]) = (sum_lg, sum_s, sum_q),
    });
    (lg, s_r, q_r)
}

/// ∂(a, b, h, l)/∂(r, α, s, β) when α < β: a = r+s+x, b = r+x, h = β, l = α.
const MOVES_ALPHA_LOW: [[f64; 4]; 4] = [
    [1.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
];

/// The same when α ≥ β: b = s+1, h = α, l = β.
const MOVES_BETA_LOW: [[f64; 4]; 4] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [1.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
];

/// A gradient and Hessian in (a, b, h, l) carried to (r, α, s, β) by the linear map `moves`:
/// M·g and M·H·Mᵀ.
#[inline(always)]
fn to_params(
    df: &[f64; 4],
    hf: &[[f64; 4]; 4],
    moves: &[[f64; 4]; 4],
) -> ([f64; 4], [[f64; 4]; 4]) {
    let mut grad = [0.0; 4];
    let mut hess = [[0.0; 4]; 4];
    let mut hm = [[0.0; 4]; 4];
    for p in 0..4 {
        for j in 0..4 {
            for q in 0..4 {
                hm[p][j] += hf[p][q] * moves[j][q];
            }
        }
    }
    for i in 0..4 {
        for p in 0..4 {
            grad[i] += moves[i][p] * df[p];
            for j in 0..4 {
                hess[i][j] += moves[i][p] * hm[p][j];
            }
        }
    }
    (grad, hess)
}

/// ln(e^A + e^D) from A and the odds' parts (Δ, X), and the posterior weight of "dead".
#[inline(always)]
fn mixture(alive: f64, delta: f64, big_x: f64) -> (f64, f64) {
    if delta.is_nan() || delta <= 0.0 {
        // t_x = T: A₀ = 0.
        (alive, 0.0)
    } else if big_x < 700.0 {
        let odds = delta * big_x.exp();
        (alive + odds.ln_1p(), odds / (1.0 + odds))
    } else {
        let ln_odds = big_x + delta.ln();
        let back = (-ln_odds).exp();
        (alive + ln_odds + back.ln_1p(), 1.0 / (1.0 + back))
    }
}

/// The derivatives of ln(e^A + e^D) from those of A and D, weighted by the posterior weights
/// `wa` and `wd`: wₐ∇A + w_d∇D, and wₐ∇²A + w_d∇²D + wₐw_d(∇A−∇D)(∇A−∇D)ᵀ.
#[inline(always)]
fn blend(
    wa: f64,
    wd: f64,
    (grad_a, hess_a): (&[f64; 4], &[[f64; 4]; 4]),
    (grad_d, hess_d): (&[f64; 4], &[[f64; 4]; 4]),
) -> ([f64; 4], [[f64; 4]; 4]) {
    let ww = wa * wd;
    let mut gr = [0.0; 4];
    let mut hr = [[0.0; 4]; 4];
    for i in 0..4 {
        gr[i] = wa * grad_a[i] + wd * grad_d[i];
        for j in 0..4 {
            hr[i][j] = wa * hess_a[i][j]
                + wd * hess_d[i][j]
                + ww * (grad_a[i] - grad_d[i]) * (grad_a[j] - grad_d[j]);
        }
    }
    (gr, hr)
}

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
    fn one_pass_likelihood_gradient_and_hessian_match_the_direct_forms() {
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
        let by = ByValue::new(&rows);
        // Also far apart α and β, where z = (h−l)/(h+τ) comes close to 1 and G needs hundreds
        // of terms.
        let far = ParetoNbd {
            r: 0.7,
            alpha: 300.0,
            s: 0.9,
            beta: 1.5,
        };
        for m in BOTH_BRANCHES.into_iter().chain([far]) {
            let (ll, g, h) = m.ll_derivatives(&rows, &by);
            let direct = m.log_likelihood(&rows);
            assert!(
                (ll - direct).abs() < 1e-10 * direct.abs(),
                "{ll} vs {direct}"
            );
            crate::models::optimize::assert_derivatives(
                &|v: &[f64]| ParetoNbd::from_slice(v).log_likelihood(&rows),
                &|v: &[f64]| {
                    ParetoNbd::from_slice(v)
                        .ll_derivatives(&rows, &by)
                        .1
                        .to_vec()
                },
                &[m.r, m.alpha, m.s, m.beta],
                &g,
                &h,
            );
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
