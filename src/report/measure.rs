//! How well a score predicts an outcome: the measures a backtest reports.
//!
//! - **AUC**: the chance that a client who had the outcome scores above one who did not (ties
//!   count one half): 1 ranks perfectly, 0.5 is a coin toss, below 0.5 ranks backwards. The
//!   Mann–Whitney statistic over mid-ranks.
//! - **Lift in the top decile**: the share with the outcome among the tenth of clients scored
//!   highest, over the share among all. Clients tied at the cut count in proportion, as a
//!   random order among them would on average.
//! - **Brier score** (probabilities only): the mean of (p − outcome)²; 0 is perfect.
//! - **Calibration by decile** (probabilities only): clients in ten groups by their
//!   probability; per group the mean probability and the share with the outcome; the
//!   calibration error is the mean absolute difference over the groups.
//!
//! Unknown scores (NaN) are left out, and the count of clients measured is given.

use serde::Serialize;

/// One group of a calibration table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Bin {
    pub clients: u64,
    /// Mean predicted probability in the group.
    pub predicted: f64,
    /// Share of the group with the outcome.
    pub actual: f64,
}

/// What a score is measured to be worth.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Measures {
    /// Clients with a known score.
    pub clients: u64,
    /// `None` when all or none of them had the outcome.
    pub auc: Option<f64>,
    pub lift_top_decile: Option<f64>,
    /// For probabilities only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brier: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calibration: Vec<Bin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration_error: Option<f64>,
}

/// The known (score, outcome) pairs, sorted by score ascending.
fn known(scores: &[f64], outcomes: &[bool]) -> Vec<(f64, bool)> {
    let mut v: Vec<(f64, bool)> = scores
        .iter()
        .zip(outcomes)
        .filter(|(s, _)| !s.is_nan())
        .map(|(&s, &o)| (s, o))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Runs of equal scores in sorted pairs: (start, end) index ranges.
fn ties(v: &[(f64, bool)]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        (i < v.len()).then(|| {
            let start = i;
            while i < v.len() && v[i].0 == v[start].0 {
                i += 1;
            }
            (start, i)
        })
    })
}

/// The AUC of sorted pairs, by mid-ranks.
fn auc_of(v: &[(f64, bool)]) -> Option<f64> {
    let pos = v.iter().filter(|p| p.1).count() as f64;
    let neg = v.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let mut rank_sum = 0.0;
    for (start, end) in ties(v) {
        // Ranks start + 1 ..= end share their mean.
        let mid = (start + 1 + end) as f64 / 2.0;
        rank_sum += mid * v[start..end].iter().filter(|p| p.1).count() as f64;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// The lift of the top tenth of sorted pairs, ties at the cut counted in proportion.
fn lift_of(v: &[(f64, bool)]) -> Option<f64> {
    let n = v.len() as f64;
    let pos = v.iter().filter(|p| p.1).count() as f64;
    if n == 0.0 || pos == 0.0 {
        return None;
    }
    let want = n / 10.0;
    let (mut taken, mut hits) = (0.0, 0.0);
    let groups: Vec<(usize, usize)> = ties(v).collect();
    for &(start, end) in groups.iter().rev() {
        let size = (end - start) as f64;
        let share = ((want - taken) / size).min(1.0);
        if share <= 0.0 {
            break;
        }
        hits += share * v[start..end].iter().filter(|p| p.1).count() as f64;
        taken += share * size;
    }
    Some((hits / taken) / (pos / n))
}

/// Measures `scores` against `outcomes` (one per client); `probability` adds the Brier score
/// and the calibration table.
pub fn measure(scores: &[f64], outcomes: &[bool], probability: bool) -> Measures {
    let v = known(scores, outcomes);
    let mut m = Measures {
        clients: v.len() as u64,
        auc: auc_of(&v),
        lift_top_decile: lift_of(&v),
        brier: None,
        calibration: Vec::new(),
        calibration_error: None,
    };
    if probability && !v.is_empty() {
        let y = |o: bool| if o { 1.0 } else { 0.0 };
        m.brier = Some(v.iter().map(|&(p, o)| (p - y(o)).powi(2)).sum::<f64>() / v.len() as f64);
        let n = v.len();
        for d in 0..10 {
            let group = &v[d * n / 10..(d + 1) * n / 10];
            if group.is_empty() {
                continue;
            }
            let k = group.len() as f64;
            m.calibration.push(Bin {
                clients: group.len() as u64,
                predicted: group.iter().map(|p| p.0).sum::<f64>() / k,
                actual: group.iter().map(|p| y(p.1)).sum::<f64>() / k,
            });
        }
        let bins = m.calibration.len() as f64;
        m.calibration_error = Some(
            m.calibration
                .iter()
                .map(|b| (b.predicted - b.actual).abs())
                .sum::<f64>()
                / bins,
        );
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: [bool; 8] = [false, false, false, false, true, true, true, true];

    #[test]
    fn a_perfect_a_reversed_and_a_constant_score() {
        let perfect = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert_eq!(measure(&perfect, &OUT, false).auc, Some(1.0));
        let reversed: Vec<f64> = perfect.iter().map(|x| -x).collect();
        assert_eq!(measure(&reversed, &OUT, false).auc, Some(0.0));
        let constant = [3.0; 8];
        let m = measure(&constant, &OUT, false);
        assert_eq!(m.auc, Some(0.5));
        // The top tenth of a constant score is a random tenth: no lift.
        assert!((m.lift_top_decile.unwrap() - 1.0).abs() < 1e-12);
        // The top tenth of 8 perfect scores is 0.8 of the best client, who had the outcome:
        // a share of 1 against 1/2 overall.
        assert!((measure(&perfect, &OUT, false).lift_top_decile.unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn ties_count_one_half_and_unknown_scores_are_left_out() {
        // Pairs (positive, negative): 16 in all. Scores: negatives 1, 2, 3, 3; positives 3, 4, 5, 6.
        // The positive at 3 ties two negatives (2 × ½) and beats two (2): 3 of 4; the others
        // beat all four. AUC = (3 + 4 + 4 + 4) / 16.
        let s = [1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(measure(&s, &OUT, false).auc, Some(15.0 / 16.0));
        let mut with_nan = s.to_vec();
        with_nan.push(f64::NAN);
        let mut out = OUT.to_vec();
        out.push(true);
        let m = measure(&with_nan, &out, false);
        assert_eq!((m.clients, m.auc), (8, Some(15.0 / 16.0)));
        // All with the outcome: no AUC.
        assert_eq!(measure(&s, &[true; 8], false).auc, None);
    }

    #[test]
    fn brier_and_calibration_of_probabilities() {
        // Ten clients at p = 0.1 … 1.0, the outcome true for the top half.
        let p: Vec<f64> = (1..=10).map(|k| k as f64 / 10.0).collect();
        let out: Vec<bool> = (1..=10).map(|k| k > 5).collect();
        let m = measure(&p, &out, true);
        let brier: f64 = p
            .iter()
            .zip(&out)
            .map(|(p, &o)| (p - if o { 1.0 } else { 0.0 }).powi(2))
            .sum::<f64>()
            / 10.0;
        assert!((m.brier.unwrap() - brier).abs() < 1e-12);
        assert_eq!(m.calibration.len(), 10);
        // Group k holds p = k/10 alone; error = mean |p − y| = (0.1+…+0.5 + 0.4+…+0.0) / 10.
        let err = (0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.4 + 0.3 + 0.2 + 0.1 + 0.0) / 10.0;
        assert!((m.calibration_error.unwrap() - err).abs() < 1e-12);
        assert!(measure(&p, &out, false).brier.is_none());
    }
}
