//! Maximum-likelihood fitting: Newton's method (for likelihoods with an analytic Hessian) and
//! BFGS on numerical gradients, sharing one backtracking line search, and standard errors from
//! an analytic or a finite-difference Hessian.
//!
//! Written here rather than taken from argmin: argmin 0.11 depends on `getrandom` 0.3, which on
//! wasm32-unknown-unknown only builds with a crate-wide `--cfg getrandom_backend` flag that every
//! user of rapport would have to set, and the models need only unconstrained minimisation over
//! 2–4 parameters (positivity is handled by optimising their logarithms).

/// Result of a minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Central-difference gradient.
pub fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        xp[i] = x[i] + h;
        let up = f(&xp);
        xp[i] = x[i] - h;
        let down = f(&xp);
        xp[i] = x[i];
        g[i] = (up - down) / (2.0 * h);
    }
    g
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` from `x0` with BFGS on central-difference gradients. `f` returns +∞ or NaN
/// where it is undefined; the line search backs off from such points. No coordinate moves by
/// more than `max_step` in one step (for parameters optimised as logarithms, a step of 2 is a
/// factor of e² ≈ 7.4), which keeps the first steps, taken before the curvature is known, out
/// of absurd regions.
pub fn bfgs(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], max_iter: u32, max_step: f64) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let (mut fx, mut g) = (f(&x), gradient(f, &x));
    let mut h = identity(n);
    let mut converged = false;
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let mut p: Vec<f64> = (0..n).map(|i| -dot(&h[i], &g)).collect();
        let mut slope = dot(&g, &p);
        if slope >= 0.0 || slope.is_nan() {
            h = identity(n);
            p = g.iter().map(|v| -v).collect();
            slope = dot(&g, &p);
        }
        let next = line_search(&x, &p, fx, slope, max_step, |xn| (f(xn), ()));
        let Some((xn, fxn, ())) = next else {
            // No decrease along the direction: at a minimum to working precision.
            converged = g.iter().all(|v| v.abs() < 1e-3);
            break;
        };
        let gn = gradient(f, &xn);
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let small_step = (fx - fxn).abs() <= 1e-12 * (1.0 + fx.abs());
        x = xn;
        fx = fxn;
        g = gn;
        if g.iter().all(|v| v.abs() < 1e-7 * (1.0 + fx.abs())) || small_step {
            converged = true;
            break;
        }
        let sy = dot(&s, &y);
        if sy > 1e-14 {
            // H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| dot(&h[i], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i][j] +=
                        rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
                }
            }
        }
    }
    Minimum {
        x,
        value: fx,
        iterations,
        converged,
    }
}

/// A value, its gradient and its Hessian.
pub type ValueGradientHessian = (f64, Vec<f64>, Vec<Vec<f64>>);

/// Minimises `fgh` (value, gradient and Hessian together) from `x0` by Newton's method with a
/// backtracking line search, for functions whose Hessian costs little more than their gradient.
///
/// The step solves (H + λI) p = −g: λ = 0 where H is positive definite, and otherwise the
/// smallest of 10⁻⁶·s, 10⁻⁵·s, … (s the largest |Hᵢᵢ|) that makes it so, which bends the step
/// toward steepest descent far from the minimum; near it, convergence is quadratic, so a fit
/// takes a handful of evaluations where BFGS takes twenty. Steps and stopping rules are those of
/// [`bfgs`].
pub fn newton(
    fgh: &dyn Fn(&[f64]) -> ValueGradientHessian,
    x0: &[f64],
    max_iter: u32,
    max_step: f64,
) -> Minimum {
    let mut x = x0.to_vec();
    let (mut fx, mut g, mut h) = fgh(&x);
    let mut converged = false;
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let Some(mut p) = newton_step(&h, &g) else {
            break;
        };
        let mut slope = dot(&g, &p);
        if slope >= 0.0 || slope.is_nan() {
            p = g.iter().map(|v| -v).collect();
            slope = dot(&g, &p);
        }
        let next = line_search(&x, &p, fx, slope, max_step, |xn| {
            let (f, g, h) = fgh(xn);
            (f, (g, h))
        });
        let Some((xn, fxn, (gn, hn))) = next else {
            converged = g.iter().all(|v| v.abs() < 1e-3);
            break;
        };
        let small_step = (fx - fxn).abs() <= 1e-12 * (1.0 + fx.abs());
        (x, fx, g, h) = (xn, fxn, gn, hn);
        if g.iter().all(|v| v.abs() < 1e-7 * (1.0 + fx.abs())) || small_step {
            converged = true;
            break;
        }
    }
    Minimum {
        x,
        value: fx,
        iterations,
        converged,
    }
}

/// −(H + λI)⁻¹ g with the smallest λ of 0, 10⁻⁶·s, 10⁻⁵·s, … that makes H + λI positive
/// definite; `None` if the numbers are not finite.
fn newton_step(h: &[Vec<f64>], g: &[f64]) -> Option<Vec<f64>> {
    let n = g.len();
    let scale = (0..n).fold(0.0f64, |m, i| m.max(h[i][i].abs())).max(1e-300);
    let mut lambda = 0.0f64;
    while lambda.is_finite() && lambda < 1e300 {
        let mut a = h.to_vec();
        for (i, row) in a.iter_mut().enumerate() {
            row[i] += lambda;
        }
        if let Some(l) = cholesky(&a) {
            // L Lᵀ p = −g: forward, then back substitution.
            let mut y = vec![0.0; n];
            for i in 0..n {
                y[i] = (-g[i] - dot(&l[i][..i], &y[..i])) / l[i][i];
            }
            let mut p = vec![0.0; n];
            for i in (0..n).rev() {
                let above: f64 = (i + 1..n).map(|k| l[k][i] * p[k]).sum();
                p[i] = (y[i] - above) / l[i][i];
            }
            return p.iter().all(|v| v.is_finite()).then_some(p);
        }
        lambda = if lambda == 0.0 {
            1e-6 * scale
        } else {
            lambda * 10.0
        };
    }
    None
}

/// The lower-triangular L with L Lᵀ = a, or `None` when a is not (numerically) positive definite.
#[allow(clippy::needless_range_loop)] // the factorisation reads most plainly with indices
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s = a[i][j] - dot(&l[i][..j], &l[j][..j]);
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// Backtracking (Armijo) line search along `p` from `x` (where f = `fx` and the slope along `p`
/// is `slope`), from a step no longer than `max_step` in any coordinate, halving until f has
/// decreased enough. Returns the point, its value and what else `eval` gave there; `None` when
/// no step of at least 1e-14 decreases f.
fn line_search<T>(
    x: &[f64],
    p: &[f64],
    fx: f64,
    slope: f64,
    max_step: f64,
    eval: impl Fn(&[f64]) -> (f64, T),
) -> Option<(Vec<f64>, f64, T)> {
    let longest = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut t = if longest > max_step {
        max_step / longest
    } else {
        1.0
    };
    while t > 1e-14 {
        let xn: Vec<f64> = x.iter().zip(p).map(|(xi, pi)| xi + t * pi).collect();
        let (fxn, rest) = eval(&xn);
        if fxn.is_finite() && fxn <= fx + 1e-4 * t * slope {
            return Some((xn, fxn, rest));
        }
        t *= 0.5;
    }
    None
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// Standard errors √diag(H⁻¹) from the finite-difference Hessian of the negative
/// log-likelihood `f` at `x` (natural parameters). `None` for a parameter when the Hessian is
/// not positive definite there.
pub fn standard_errors(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<Option<f64>> {
    let n = x.len();
    let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(1e-3)).collect();
    let mut hess = vec![vec![0.0; n]; n];
    let f0 = f(x);
    let mut xp = x.to_vec();
    for i in 0..n {
        for j in i..n {
            let val = if i == j {
                xp[i] = x[i] + h[i];
                let up = f(&xp);
                xp[i] = x[i] - h[i];
                let down = f(&xp);
                xp[i] = x[i];
                (up - 2.0 * f0 + down) / (h[i] * h[i])
            } else {
                let mut at = |di: f64, dj: f64| {
                    xp[i] = x[i] + di * h[i];
                    xp[j] = x[j] + dj * h[j];
                    let v = f(&xp);
                    xp[i] = x[i];
                    xp[j] = x[j];
                    v
                };
                (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0))
                    / (4.0 * h[i] * h[j])
            };
            hess[i][j] = val;
            hess[j][i] = val;
        }
    }
    errors_from_hessian(hess)
}

/// √diag(H⁻¹), `None` where that is not a positive finite number.
pub(crate) fn errors_from_hessian(hess: Vec<Vec<f64>>) -> Vec<Option<f64>> {
    let n = hess.len();
    match invert(hess) {
        Some(inv) => (0..n)
            .map(|i| (inv[i][i] > 0.0 && inv[i][i].is_finite()).then(|| inv[i][i].sqrt()))
            .collect(),
        None => vec![None; n],
    }
}

/// Gauss–Jordan inverse with partial pivoting.
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv = identity(n);
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let d = a[col][col];
        for k in 0..n {
            a[col][k] /= d;
            inv[col][k] /= d;
        }
        for row in 0..n {
            if row != col {
                let m = a[row][col];
                for k in 0..n {
                    a[row][k] -= m * a[col][k];
                    inv[row][k] -= m * inv[col][k];
                }
            }
        }
    }
    Some(inv)
}

/// Checks an analytic gradient `g` and Hessian `h` of `f` at `theta`: the gradient against
/// central differences of `f`, each Hessian column against central differences of `grad`.
#[cfg(test)]
pub(crate) fn assert_derivatives(
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    theta: &[f64],
    g: &[f64],
    h: &[[f64; 4]; 4],
) {
    let numeric = gradient(f, theta);
    for (a, n) in g.iter().zip(&numeric) {
        assert!(
            (a - n).abs() < 1e-5 * n.abs().max(1.0),
            "analytic {g:?} vs numeric {numeric:?}"
        );
    }
    for j in 0..theta.len() {
        let step = 1e-6 * theta[j];
        let at = |sign: f64| {
            let mut v = theta.to_vec();
            v[j] += sign * step;
            grad(&v)
        };
        let (up, down) = (at(1.0), at(-1.0));
        for i in 0..theta.len() {
            let numeric = (up[i] - down[i]) / (2.0 * step);
            assert!(
                (h[i][j] - numeric).abs() < 1e-5 * numeric.abs().max(1.0),
                "at {theta:?}: H[{i}][{j}] = {} vs {numeric}",
                h[i][j]
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfgs_finds_the_rosenbrock_minimum() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = bfgs(&f, &[-1.2, 1.0], 500, f64::INFINITY);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4,
            "{m:?}"
        );
    }

    #[test]
    fn newton_finds_the_rosenbrock_minimum_in_few_steps() {
        let fgh = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            (
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2),
                vec![
                    -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                    200.0 * (b - a * a),
                ],
                vec![
                    vec![2.0 - 400.0 * (b - 3.0 * a * a), -400.0 * a],
                    vec![-400.0 * a, 200.0],
                ],
            )
        };
        let m = newton(&fgh, &[-1.2, 1.0], 500, f64::INFINITY);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
        // BFGS needs about 35 iterations here; Newton about 20 (the valley bends).
        assert!(m.iterations < 30, "{m:?}");
        // A saddle's indefinite Hessian still gives a descent step.
        let saddle = |x: &[f64]| {
            (
                x[0] * x[0] - x[1] * x[1] + x[1].powi(4),
                vec![2.0 * x[0], -2.0 * x[1] + 4.0 * x[1].powi(3)],
                vec![vec![2.0, 0.0], vec![0.0, -2.0 + 12.0 * x[1] * x[1]]],
            )
        };
        let m = newton(&saddle, &[0.5, 0.1], 100, 1.0);
        assert!(m.converged, "{m:?}");
        assert!(
            m.x[0].abs() < 1e-6 && (m.x[1].abs() - 0.5f64.sqrt()).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn standard_errors_of_a_gaussian_likelihood() {
        // −ln L of n draws with known variance: SE of the mean is σ / √n.
        let (n, sigma) = (100.0, 2.0);
        let f = |x: &[f64]| n * (x[0] - 3.0).powi(2) / (2.0 * sigma * sigma);
        let se = standard_errors(&f, &[3.0]);
        assert!((se[0].unwrap() - sigma / f64::sqrt(n)).abs() < 1e-6);
        // From an exact Hessian.
        let exact = errors_from_hessian(vec![vec![n / (sigma * sigma)]]);
        assert!((exact[0].unwrap() - sigma / f64::sqrt(n)).abs() < 1e-12);
    }
}
