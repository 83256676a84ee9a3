//! Ridge-regularised logistic regression by Newton's method, with standard errors: what the
//! health score learns its weights with, on the book's own past.
//!
//! Written here rather than taken from a crate: the crates that fit it (linfa-logistic,
//! smartcore) bring ndarray or their own matrix types and an optimiser, several times the
//! size of this file in the wasm binary, for a problem of a dozen columns that Newton's method
//! solves in a few steps.
//!
//! Columns are standardised (mean 0, standard deviation 1) before fitting, so the penalty
//! `λ/2 · Σ βⱼ²` (the intercept is not penalised) treats them alike; the fit is reported on
//! both scales. Standard errors are the square roots of the diagonal of the inverse of the
//! penalised Hessian at the optimum.

/// A fitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct Logistic {
    /// Per column: its mean and standard deviation in the training rows.
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    /// Intercept and coefficients on the standardised scale.
    pub intercept: f64,
    pub coef: Vec<f64>,
    /// Their standard errors (intercept first).
    pub se: Vec<f64>,
    /// Newton steps taken.
    pub iterations: u32,
}

/// `1 / (1 + e^{−z})`, without overflow.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Solves `a · x = b` for a symmetric positive-definite `a` (row-major, `n × n`) by Cholesky;
/// `None` when `a` is not positive-definite. Also returns the inverse's diagonal.
fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    let solve = |rhs: &[f64]| {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
            y[i] = (rhs[i] - s) / l[i * n + i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
            x[i] = (y[i] - s) / l[i * n + i];
        }
        x
    };
    let x = solve(b);
    let diag = (0..n)
        .map(|i| {
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            solve(&e)[i]
        })
        .collect();
    Some((x, diag))
}

impl Logistic {
    /// Fits `y` on the columns of `x` (`rows × p`, row-major) with penalty `l2`. Columns with
    /// no spread are kept with a zero coefficient. `None` when the rows cannot be fitted (none,
    /// or a Hessian that is not positive-definite).
    pub fn fit(x: &[f64], y: &[bool], p: usize, l2: f64) -> Option<Logistic> {
        let n = y.len();
        if n == 0 || p == 0 || x.len() != n * p {
            return None;
        }
        let mut mean = vec![0.0; p];
        let mut sd = vec![0.0; p];
        for r in x.chunks_exact(p) {
            for j in 0..p {
                mean[j] += r[j];
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        for r in x.chunks_exact(p) {
            for j in 0..p {
                sd[j] += (r[j] - mean[j]).powi(2);
            }
        }
        sd.iter_mut()
            .for_each(|s| *s = (*s / n as f64).sqrt().max(0.0));
        // The standardised rows, each with a leading 1 for the intercept.
        let q = p + 1;
        let mut zx = Vec::with_capacity(n * q);
        for r in x.chunks_exact(p) {
            zx.push(1.0);
            for j in 0..p {
                zx.push(if sd[j] > 1e-12 {
                    (r[j] - mean[j]) / sd[j]
                } else {
                    0.0
                });
            }
        }
        let mut beta = vec![0.0; q];
        let positives = y.iter().filter(|&&v| v).count() as f64;
        let base = (positives / n as f64).clamp(1e-6, 1.0 - 1e-6);
        beta[0] = (base / (1.0 - base)).ln();
        let dot = |row: &[f64], beta: &[f64]| row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
        // One pass a step: the gradient, the Hessian and the penalised log-likelihood at `beta`.
        // A step that lowered the likelihood is taken back and halved.
        let mut diag = vec![0.0; q];
        let mut iterations = 0;
        let mut g = vec![0.0; q];
        let mut h = vec![0.0; q * q];
        let mut previous: Option<(Vec<f64>, f64, Vec<f64>)> = None;
        let mut shrink = 1.0;
        while iterations < 100 {
            iterations += 1;
            g.iter_mut().for_each(|v| *v = 0.0);
            h.iter_mut().for_each(|v| *v = 0.0);
            let mut ll = 0.0;
            for (row, &yi) in zx.chunks_exact(q).zip(y) {
                let eta = dot(row, &beta);
                let s = if yi { eta } else { -eta };
                ll -= if s > 0.0 {
                    (-s).exp().ln_1p()
                } else {
                    -s + s.exp().ln_1p()
                };
                let mu = sigmoid(eta);
                let w = (mu * (1.0 - mu)).max(1e-12);
                let resid = yi as u8 as f64 - mu;
                for a in 0..q {
                    g[a] += row[a] * resid;
                    let wa = w * row[a];
                    let ha = &mut h[a * q..a * q + a + 1];
                    for (hb, &rb) in ha.iter_mut().zip(&row[..=a]) {
                        *hb += wa * rb;
                    }
                }
            }
            let value = ll - 0.5 * l2 * beta[1..].iter().map(|b| b * b).sum::<f64>();
            if let Some((from, was, step)) = &previous {
                if value < was - 1e-9 && shrink > 1e-4 {
                    shrink /= 2.0;
                    beta = from.iter().zip(step).map(|(b, s)| b + shrink * s).collect();
                    continue;
                }
            }
            for a in 0..q {
                for b in 0..a {
                    h[b * q + a] = h[a * q + b];
                }
            }
            for j in 1..q {
                g[j] -= l2 * beta[j];
                h[j * q + j] += l2;
            }
            let (step, inv) = cholesky_solve(&h, &g, q)?;
            diag = inv;
            let moved = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
            if moved < 1e-4 {
                break;
            }
            let next = beta
                .iter()
                .zip(&step)
                .map(|(b, s)| b + s)
                .collect::<Vec<_>>();
            previous = Some((std::mem::replace(&mut beta, next), value, step));
            shrink = 1.0;
        }
        Some(Logistic {
            mean,
            sd,
            intercept: beta[0],
            coef: beta[1..].to_vec(),
            se: diag.iter().map(|d| d.max(0.0).sqrt()).collect(),
            iterations,
        })
    }

    /// The coefficients on the columns' own scale, and the intercept there.
    pub fn raw(&self) -> (f64, Vec<f64>) {
        let mut intercept = self.intercept;
        let coef = self
            .coef
            .iter()
            .zip(self.mean.iter().zip(&self.sd))
            .map(|(&b, (&m, &s))| {
                if s > 1e-12 {
                    intercept -= b * m / s;
                    b / s
                } else {
                    0.0
                }
            })
            .collect();
        (intercept, coef)
    }

    /// Standard errors of the raw-scale coefficients (the intercept's is left out: it
    /// depends on the others).
    pub fn raw_se(&self) -> Vec<f64> {
        self.se[1..]
            .iter()
            .zip(&self.sd)
            .map(|(&e, &s)| if s > 1e-12 { e / s } else { 0.0 })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of uniform numbers in (0, 1).
    fn uniforms(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
    }

    #[test]
    fn recovers_the_coefficients_that_generated_the_outcomes() {
        let mut u = uniforms(7);
        let (n, p) = (40_000, 2);
        let (b0, b1, b2) = (-0.5, 1.2, -0.8);
        let mut x = Vec::with_capacity(n * p);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let (a, b) = (u() * 4.0 - 2.0, u() * 10.0);
            x.extend([a, b]);
            y.push(u() < sigmoid(b0 + b1 * a + b2 * (b - 5.0) / 2.0));
        }
        let m = Logistic::fit(&x, &y, p, 1e-6).unwrap();
        let (i, c) = m.raw();
        let se = m.raw_se();
        // Within four standard errors of the truth, and the errors small.
        assert!((c[0] - b1).abs() < 4.0 * se[0], "{c:?} {se:?}");
        assert!((c[1] - b2 / 2.0).abs() < 4.0 * se[1], "{c:?} {se:?}");
        assert!((i - (b0 - b2 * 2.5)).abs() < 0.1, "{i}");
        assert!(se[0] < 0.03 && se[1] < 0.01, "{se:?}");
    }

    #[test]
    fn the_penalty_shrinks_and_a_constant_column_gets_nothing() {
        let mut u = uniforms(3);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..500 {
            let a = u();
            x.extend([a, 1.0]);
            y.push(u() < a);
        }
        let loose = Logistic::fit(&x, &y, 2, 1e-6).unwrap();
        let tight = Logistic::fit(&x, &y, 2, 1e4).unwrap();
        assert!(tight.coef[0].abs() < loose.coef[0].abs() / 10.0);
        assert_eq!((loose.coef[1], loose.raw().1[1]), (0.0, 0.0));
        // Perfectly separated rows still give finite coefficients under a penalty.
        let sep =
            Logistic::fit(&[0.0, 1.0, 2.0, 3.0], &[false, false, true, true], 1, 1.0).unwrap();
        assert!(sep.coef[0].is_finite() && sep.coef[0] > 0.0);
        assert!(Logistic::fit(&[], &[], 1, 1.0).is_none());
        assert!(Logistic::fit(&[], &[true, false], 0, 1.0).is_none());
    }
}
