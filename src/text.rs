//! How numbers appear in reports and in the sentences that explain them.

/// A number of days or events for text: whole numbers without decimals, others to one decimal.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).to_string()
    } else {
        format!("{n:.1}")
    }
}

/// `1 day`, `3 days`, `2.5 days`.
pub fn plural(n: f64, one: &str, many: &str) -> String {
    if n == 1.0 {
        format!("1 {one}")
    } else {
        format!("{} {many}", number(n))
    }
}

/// `x.round()` (half away from zero), exactly, without a call: neither wasm nor baseline
/// x86-64 has an instruction for it (nor x86-64 for `trunc`), so `f64::round` is a software
/// routine there, and reports round millions of numbers. Below 2⁵² the truncation is an
/// integer conversion, and `x − t` is exact, so the comparison with one half is too; from 2⁵²
/// on every float is whole already (as are infinities, and NaN stays NaN).
pub fn round(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = (x as i64 as f64).copysign(x);
    if (x - t).abs() >= 0.5 {
        t + x.signum()
    } else {
        t
    }
}

/// Scores are reported to one decimal.
pub fn round1(x: f64) -> f64 {
    round(x * 10.0) / 10.0
}

/// Money is reported to cents.
pub fn round2(x: f64) -> f64 {
    round(x * 100.0) / 100.0
}

/// Ratios and weights are reported to four decimals: enough to explain a score, and it keeps
/// large reports small.
pub fn round4(x: f64) -> f64 {
    round(x * 1e4) / 1e4
}

/// At most `n` characters of `s`, with an ellipsis when cut (for quoting input in messages).
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_f64_round_exactly() {
        let edge = [
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
            4503599627370496.0,
            9007199254740993.0,
            1e300,
            -0.0,
            0.0,
            -0.3,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            2.675 * 100.0,
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let random = (0..200_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f64::from_bits(x)
        });
        for v in edge.into_iter().chain(random) {
            let (a, b) = (round(v), v.round());
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{v:e}"
            );
        }
        assert!(round(f64::NAN).is_nan());
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.25), "2.2");
        assert_eq!(plural(1.0, "day", "days"), "1 day");
        assert_eq!(plural(14.0, "day", "days"), "14 days");
        assert_eq!(
            (round1(2.26), round2(2.256), round4(0.123456)),
            (2.3, 2.26, 0.1235)
        );
    }
}
