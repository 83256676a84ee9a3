//! Special functions the models need: log-gamma and log-beta (from `libm`, the Rust project's
//! port of musl's maths), a log-sum-exp, and the Gaussian hypergeometric function ₂F₁, written
//! here because no small crate offers it for real arguments (see [`hyp2f1`]).

/// ln Γ(x) for x > 0.
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
#[inline]
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln(eᵃ + eᵇ) without overflow.
#[inline]
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// 1 / (1 + eᵏ): the probability of being alive when k is the log-odds of having died,
/// computed without overflow for either sign of k.
#[inline]
pub fn alive_from_ln_dead_odds(k: f64) -> f64 {
    if k > 0.0 {
        let e = (-k).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + k.exp())
    }
}

/// ₂F₁(a, b; c; z) for real a, b, c > 0 and 0 ≤ z < 1, by its power series
/// Σₖ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ, summed until terms stop mattering.
///
/// The customer-base models call it with positive parameters and z = t / (α + T + t) in
/// [0, 1), where every term is positive, so the series has no cancellation; near z = 1 it needs
/// more terms (about 40 / (1 − z)), which stays cheap for the horizons customer-base analysis
/// uses. Returns NaN outside its domain.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    ln_hyp2f1(a, b, c, z).exp()
}

/// ln ₂F₁(a, b; c; z), finite where ₂F₁ itself overflows (large a and b, as for clients with
/// thousands of purchases).
///
/// When c − a and c − b both exceed −1 and are smaller than a and b, it sums Euler's transform
/// ₂F₁(a, b; c; z) = (1 − z)^(c − a − b) ₂F₁(c − a, c − b; c; z). Its terms after the first all
/// have one sign (a Pochhammer symbol (s)ₖ with −1 < s changes sign at most once, at k = 1), and
/// the transformed value is bounded away from 0 (it tends to Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) as z → 1),
/// so there is no cancellation; and for a client with many purchases (a, b, c large, c − a and
/// c − b small, as in BG/NBD where c − b = a_model − 1) the terms fall from the first instead of
/// growing for dozens of terms first. Otherwise the direct series.
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if !(0.0..1.0).contains(&z) || c <= 0.0 {
        return f64::NAN;
    }
    let (ca, cb) = (c - a, c - b);
    if ca > -1.0 && cb > -1.0 && ca + cb < a + b {
        return (ca + cb - c) * (-z).ln_1p() + ln_hyp2f1_series(ca, cb, c, z);
    }
    ln_hyp2f1_series(a, b, c, z)
}

/// ln ₂F₁ by its power series, rescaled as it grows.
fn ln_hyp2f1_series(a: f64, b: f64, c: f64, z: f64) -> f64 {
    const BIG: f64 = 1e200;
    // Near z = 1 the series needs about 40 / (1 − z) terms; past a million, give up (NaN) rather
    // than stall: the models meet such z only at parameter values far from any fit.
    let (mut term, mut sum, mut scale) = (1.0f64, 1.0f64, 0.0f64);
    for k in 0..1_000_000u32 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if sum > BIG {
            sum /= BIG;
            term /= BIG;
            scale += BIG.ln();
        }
        if term.abs() <= sum.abs() * 1e-16 || !sum.is_finite() {
            return scale + sum.ln();
        }
    }
    f64::NAN
}

/// ln ₂F₁(a, b; a + 1; z) — the function in Pareto/NBD's likelihood — and its partial
/// derivatives in a, b and z, for a > 0, 0 < b < a + 1, 0 ≤ z < 1.
///
/// Through Euler's transform, ₂F₁(a, b; a+1; z) = (1 − z)^(1 − b) G(z) with G the series of
/// [`EulerSeries`].
pub fn ln_hyp2f1_c_a1_with_gradient(a: f64, b: f64, z: f64) -> (f64, [f64; 3]) {
    let mut series = EulerSeries::default();
    series.reset(a + 1.0 - b, a + 1.0);
    let [g, ge, gc, gz] = series.sums(z);
    let ln_1mz = (-z).ln_1p();
    let (de, dc) = (ge / g, gc / g);
    // ∂/∂a = ∂/∂e + ∂/∂c (both move with a); ∂/∂b = −∂/∂e.
    (
        (1.0 - b) * ln_1mz + g.ln(),
        [de + dc, -ln_1mz - de, -(1.0 - b) / (1.0 - z) + gz / g],
    )
}

/// G(z) = ₂F₁(1, e; c; z) = Σₖ (e)ₖ / (c)ₖ zᵏ for 0 < e < c and 0 ≤ z < 1, with its partial
/// derivatives in e, c and z: the series Euler's transform makes of Pareto/NBD's
/// ₂F₁(a, b; a+1; z) (e = a + 1 − b, c = a + 1).
///
/// Each term is at most z times the one before (e < c) and all are positive, so there is
/// neither overflow nor cancellation; the derivatives of a term's logarithm are running sums
/// (∂/∂e = Σ_{j<k} 1/(e+j), ∂/∂c = −Σ_{j<k} 1/(c+j), ∂/∂z = k/z). The coefficients, which cost
/// the divisions, are kept as they are computed: every client with the same frequency has the
/// same e and c, so the likelihood evaluates one series at many z with multiplications only.
#[derive(Default)]
pub struct EulerSeries {
    e: f64,
    c: f64,
    /// Per k ≥ 1: cₖ = (e)ₖ/(c)ₖ, cₖ·∂ln cₖ/∂e, cₖ·∂ln cₖ/∂c, k·cₖ, and cₖ(1 + |∂ln cₖ/∂e| +
    /// |∂ln cₖ/∂c|), the bound the stopping rule uses.
    terms: Vec<[f64; 5]>,
    se: f64,
    sc: f64,
}

impl EulerSeries {
    /// Starts the series for new e and c, keeping the allocation.
    pub fn reset(&mut self, e: f64, c: f64) {
        self.e = e;
        self.c = c;
        self.terms.clear();
        self.se = 0.0;
        self.sc = 0.0;
    }

    /// Appends the next coefficient.
    fn extend(&mut self) {
        let k = self.terms.len() as f64;
        let prev = self.terms.last().map_or(1.0, |t| t[0]);
        let inv_c = 1.0 / (self.c + k);
        self.se += 1.0 / (self.e + k);
        self.sc += inv_c;
        let coef = prev * (self.e + k) * inv_c;
        self.terms.push([
            coef,
            coef * self.se,
            -coef * self.sc,
            coef * (k + 1.0),
            coef * (1.0 + self.se + self.sc),
        ]);
    }

    /// [G, ∂G/∂e, ∂G/∂c, ∂G/∂z] at z, summed until the next term changes none of them by more
    /// than 1e-17 of their total.
    pub fn sums(&mut self, z: f64) -> [f64; 4] {
        if z == 0.0 {
            return [1.0, 0.0, 0.0, self.e / self.c];
        }
        let (mut g, mut ge, mut gc, mut gz) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
        // zᵏ⁻¹ for the k-th term.
        let mut p = 1.0f64;
        for k in 0..100_000usize {
            if k == self.terms.len() {
                self.extend();
            }
            let [c0, c1, c2, c3, bound] = self.terms[k];
            let pz = p * z;
            g += c0 * pz;
            ge += c1 * pz;
            gc += c2 * pz;
            gz += c3 * p;
            if pz * bound + p * c3 <= 1e-17 * (g + ge - gc + gz) {
                break;
            }
            p = pz;
        }
        [g, ge, gc, gz]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_and_beta_match_known_values() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_beta(2.0, 3.0) - (1.0f64 / 12.0).ln()).abs() < 1e-14);
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
        for z in [0.1, 0.5, 0.9, 0.99] {
            let exact = -(1.0f64 - z).ln() / z;
            assert!(
                (hyp2f1(1.0, 1.0, 2.0, z) - exact).abs() < 1e-12 * exact,
                "z = {z}"
            );
        }
        // ₂F₁(a, b; b; z) = (1 − z)^(−a)
        assert!((hyp2f1(2.5, 3.0, 3.0, 0.7) - 0.3f64.powf(-2.5)).abs() < 1e-10);
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_nan());
        assert!((ln_hyp2f1(2.5, 3.0, 3.0, 0.7) - (-2.5 * 0.3f64.ln())).abs() < 1e-12);
        // Far past f64's range: (1 − z)^(−a) with a = 5000.
        assert!((ln_hyp2f1(5000.0, 3.0, 3.0, 0.5) - 5000.0 * 2f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn pareto_hypergeometric_value_and_gradient() {
        let f = |v: &[f64]| ln_hyp2f1_series(v[0], v[1], v[0] + 1.0, v[2]);
        for (a, b, z) in [
            (1.2, 0.8, 0.05),
            (27.5, 26.6, 0.09),
            (3.0, 1.6, 0.6),
            (0.9, 1.5, 0.93),
            (500.0, 2.0, 0.3),
        ] {
            let (v, g) = ln_hyp2f1_c_a1_with_gradient(a, b, z);
            let direct = f(&[a, b, z]);
            assert!(
                (v - direct).abs() <= 1e-13 * direct.abs().max(1.0),
                "{a} {b} {z}: {v} vs {direct}"
            );
            let numeric = crate::models::optimize::gradient(&f, &[a, b, z]);
            for (x, y) in g.iter().zip(&numeric) {
                assert!(
                    (x - y).abs() <= 1e-6 * y.abs().max(1.0),
                    "{a} {b} {z}: {g:?} vs {numeric:?}"
                );
            }
        }
        let (v, g) = ln_hyp2f1_c_a1_with_gradient(2.0, 1.5, 0.0);
        assert_eq!(v, 0.0);
        assert!((g[2] - 2.0 * 1.5 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn eulers_transform_agrees_with_the_direct_series() {
        for (a, b, c) in [
            (20.5, 22.5, 42.3),
            (200.2, 203.0, 403.1),
            (0.7, 2.5, 3.4),
            (3.0, 4.0, 9.0),
            // BG/NBD's: c − b = a − 1 < 0.
            (0.74, 23.4, 24.2),
            (10.24, 12.43, 12.2),
        ] {
            for z in [0.05, 0.3, 0.6, 0.9] {
                let (fast, direct) = (ln_hyp2f1(a, b, c, z), ln_hyp2f1_series(a, b, c, z));
                assert!(
                    (fast - direct).abs() <= 1e-13 * direct.abs().max(1.0),
                    "a {a} b {b} c {c} z {z}: {fast} vs {direct}"
                );
            }
        }
    }
}
