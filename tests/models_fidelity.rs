//! Fitted parameters and log-likelihoods against the published values on the reference data
//! (data/reference, copies of the lifetimes package's data; values in shared/data/README.md).

use rapport::models::bg_nbd::BgNbd;
use rapport::models::SummaryRow;

fn cdnow() -> Vec<(SummaryRow, f64)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/reference/cdnow_customers_summary_with_transactions.csv"
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|v| v.trim().parse().unwrap()).collect();
            (SummaryRow::new(f[1], f[2], f[3]), f[4])
        })
        .collect()
}

/// `got` rounds to `want` at `want`'s stated number of decimals.
fn to_stated_precision(got: f64, want: f64, decimals: i32) {
    let scale = 10f64.powi(decimals);
    assert_eq!(
        (got * scale).round() / scale,
        want,
        "got {got}, published {want}"
    );
}

#[test]
fn bg_nbd_on_cdnow_matches_fader_hardie_lee_2005() {
    let rows: Vec<SummaryRow> = cdnow().into_iter().map(|r| r.0).collect();
    assert_eq!(rows.len(), 2357);
    let (p, fit) = BgNbd::fit(&rows).unwrap();
    assert!(fit.converged, "{fit:?}");
    to_stated_precision(p.r, 0.243, 3);
    to_stated_precision(p.alpha, 4.414, 3);
    to_stated_precision(p.a, 0.793, 3);
    to_stated_precision(p.b, 2.426, 3);
    to_stated_precision(fit.log_likelihood, -9582.4, 1);
    assert!(
        fit.standard_errors
            .iter()
            .all(|s| s.is_some_and(|v| v > 0.0 && v < 1.0)),
        "{:?}",
        fit.standard_errors
    );
}
