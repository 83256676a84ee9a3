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

/// Scores are reported to one decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Money is reported to cents.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Ratios and weights are reported to four decimals: enough to explain a score, and it keeps
/// large reports small.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
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
