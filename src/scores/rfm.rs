//! RFM: recency, frequency and monetary scores by quantiles of the client base, the combined
//! code, and the named segments.
//!
//! Over the clients with a purchase (or renewal) on or before the day scored:
//! - **recency** = days since the last purchase day (fewer is better);
//! - **frequency** = purchase days;
//! - **monetary** = revenue up to the day scored.
//!
//! With `n` clients and `bins` bins (default 5), a value's score is
//! `1 + min(bins − 1, ⌊bins · below / (n − 1)⌋)`, where `below` counts the clients with a
//! strictly worse value (a larger recency; a smaller frequency or monetary): the worst value
//! scores 1, the best `bins`, and the rest spread evenly by rank (a single client scores the
//! middle bin). Equal values always get equal scores — the score of the lowest rank they
//! share — and the scores do not depend on the order clients arrive in. The code is the three scores
//! written together, `R F M` (e.g. `"545"`).
//!
//! Segments read the recency score `R` and `FM`, the mean of the frequency and monetary scores
//! rounded half up, both first rescaled to 1–5 (`1 + round((s − 1) · 4 / (bins − 1))`):
//!
//! | segment | R | FM |
//! | --- | --- | --- |
//! | champions | 5 | 4–5 |
//! | loyal | 3–4 | 4–5 |
//! | potential_loyalist | 4–5 | 2–3 |
//! | new | 5 | 1 |
//! | promising | 4 | 1 |
//! | need_attention | 3 | 3 |
//! | about_to_sleep | 3 | 1–2 |
//! | cant_lose_them | 1–2 | 5 |
//! | at_risk | 1–2 | 3–4 |
//! | hibernating | 2 | 1–2 |
//! | lost | 1 | 1–2 |

use serde::{Deserialize, Serialize};

use super::component::{Named, Reason, Upper};
use crate::error::Result;
use crate::input::event::MICROS;
use crate::ledger::ClientRecord;
use crate::options;

/// RFM settings (the `rfm` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RfmOptions {
    /// Number of score bins (quantiles), 2 to 9.
    pub bins: u32,
}

impl Default for RfmOptions {
    fn default() -> Self {
        RfmOptions { bins: 5 }
    }
}

impl RfmOptions {
    pub fn check(&self) -> Result<()> {
        options::within("bins", self.bins, 2, 9)
    }
}

/// The named RFM segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    CantLoseThem,
    AtRisk,
    Hibernating,
    Lost,
}

impl RfmSegment {
    pub const ALL: [RfmSegment; 11] = [
        RfmSegment::Champions,
        RfmSegment::Loyal,
        RfmSegment::PotentialLoyalist,
        RfmSegment::New,
        RfmSegment::Promising,
        RfmSegment::NeedAttention,
        RfmSegment::AboutToSleep,
        RfmSegment::CantLoseThem,
        RfmSegment::AtRisk,
        RfmSegment::Hibernating,
        RfmSegment::Lost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::Loyal => "loyal",
            RfmSegment::PotentialLoyalist => "potential_loyalist",
            RfmSegment::New => "new",
            RfmSegment::Promising => "promising",
            RfmSegment::NeedAttention => "need_attention",
            RfmSegment::AboutToSleep => "about_to_sleep",
            RfmSegment::CantLoseThem => "cant_lose_them",
            RfmSegment::AtRisk => "at_risk",
            RfmSegment::Hibernating => "hibernating",
            RfmSegment::Lost => "lost",
        }
    }

    /// The segment of a recency score and a frequency–monetary score, both on 1–5.
    pub fn of(r: u32, fm: u32) -> RfmSegment {
        use RfmSegment::*;
        match r {
            5.. => match fm {
                4.. => Champions,
                2..=3 => PotentialLoyalist,
                _ => New,
            },
            4 => match fm {
                4.. => Loyal,
                2..=3 => PotentialLoyalist,
                _ => Promising,
            },
            3 => match fm {
                4.. => Loyal,
                3 => NeedAttention,
                _ => AboutToSleep,
            },
            _ => match fm {
                5.. => CantLoseThem,
                3..=4 => AtRisk,
                _ if r == 2 => Hibernating,
                _ => Lost,
            },
        }
    }
}

impl Named for RfmSegment {
    fn name(self) -> &'static str {
        RfmSegment::name(self)
    }
}

/// A client's RFM values, scores, code and segment.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Rfm {
    pub recency_days: u32,
    pub frequency: u32,
    pub monetary: f64,
    pub r: u32,
    pub f: u32,
    pub m: u32,
    pub code: String,
    pub segment: RfmSegment,
    /// The segment's name in capitals (`CHAMPIONS`) and the scores behind it.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Reason<Uppercase<RfmSegment>>"))]
    pub reason: Reason<Upper<RfmSegment>>,
}

/// One client's raw RFM values as of a day; `None` without a purchase by then.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RfmValues {
    pub recency_days: u32,
    pub frequency: u32,
    /// Revenue in millionths (exact, so ties are exact).
    pub monetary_micros: i128,
}

impl RfmValues {
    pub fn of(rec: &ClientRecord, as_of: i32) -> Option<RfmValues> {
        let bought = &rec.revenue[..rec.revenue.partition_point(|r| r.day <= as_of)];
        let last = bought.last()?;
        Some(RfmValues {
            recency_days: (as_of - last.day) as u32,
            frequency: bought.len() as u32,
            monetary_micros: bought.iter().map(|r| r.micros).sum(),
        })
    }
}

/// A value's quantile score among `sorted` (higher is better):
/// `1 + min(bins − 1, ⌊bins · below / (n − 1)⌋)`, where `below` counts the strictly worse.
fn score_in<T: Ord>(sorted: &[T], v: &T, bins: u32) -> u32 {
    let n = sorted.len() as u64;
    if n <= 1 {
        return bins.div_ceil(2);
    }
    let below = sorted.partition_point(|x| x < v) as u64;
    1 + (bins as u64 * below / (n - 1)).min(bins as u64 - 1) as u32
}

/// Quantile scores of `values` against each other.
#[cfg(test)]
fn scores<T: Ord + Copy>(values: &[T], bins: u32) -> Vec<u32> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    values.iter().map(|v| score_in(&sorted, v, bins)).collect()
}

fn to_five(s: u32, bins: u32) -> u32 {
    1 + crate::text::round((s - 1) as f64 * 4.0 / (bins - 1) as f64) as u32
}

/// The clients' RFM values, sorted, to score any one of them against the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quantiles {
    /// Negated recency days (fewer days is better), frequencies, monetary values: each sorted.
    recency: Vec<i64>,
    frequency: Vec<u32>,
    monetary: Vec<i128>,
    bins: u32,
}

impl Quantiles {
    pub fn of(values: &[RfmValues], bins: u32) -> Quantiles {
        Quantiles {
            recency: sorted(values.iter().map(|v| -(v.recency_days as i64)).collect()),
            frequency: sorted(values.iter().map(|v| v.frequency).collect()),
            monetary: sorted(values.iter().map(|v| v.monetary_micros).collect()),
            bins,
        }
    }

    /// One client's scores, code and segment (the reason's sentence when `texts`).
    pub fn score(&self, v: &RfmValues, texts: bool) -> Rfm {
        let bins = self.bins;
        let r = score_in(&self.recency, &-(v.recency_days as i64), bins);
        let f = score_in(&self.frequency, &v.frequency, bins);
        let m = score_in(&self.monetary, &v.monetary_micros, bins);
        let (r5, f5, m5) = (to_five(r, bins), to_five(f, bins), to_five(m, bins));
        let segment = RfmSegment::of(r5, (f5 + m5).div_ceil(2));
        let monetary = v.monetary_micros as f64 / MICROS;
        let text = || {
            format!(
                "recency {r} (last purchase {} days ago), frequency {f} ({} purchase days), monetary {m} ({monetary:.2}), of {bins}",
                v.recency_days, v.frequency
            )
        };
        Rfm {
            recency_days: v.recency_days,
            frequency: v.frequency,
            monetary,
            r,
            f,
            m,
            code: format!("{r}{f}{m}"),
            segment,
            reason: Reason::lazy(Upper(segment), texts, text),
        }
    }
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v
}

/// Scores every client of `values` against the others.
pub fn score_all(values: &[RfmValues], bins: u32) -> Vec<Rfm> {
    let q = Quantiles::of(values, bins);
    values.iter().map(|v| q.score(v, true)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_of_the_grid_has_the_documented_segment() {
        use RfmSegment::*;
        // Rows R = 5..1, columns FM = 1..5, as the table in the module docs reads.
        let grid = [
            [
                New,
                PotentialLoyalist,
                PotentialLoyalist,
                Champions,
                Champions,
            ],
            [
                Promising,
                PotentialLoyalist,
                PotentialLoyalist,
                Loyal,
                Loyal,
            ],
            [AboutToSleep, AboutToSleep, NeedAttention, Loyal, Loyal],
            [Hibernating, Hibernating, AtRisk, AtRisk, CantLoseThem],
            [Lost, Lost, AtRisk, AtRisk, CantLoseThem],
        ];
        for (row, r) in grid.iter().zip([5, 4, 3, 2, 1]) {
            for (seg, fm) in row.iter().zip(1..=5) {
                assert_eq!(RfmSegment::of(r, fm), *seg, "R {r} FM {fm}");
            }
        }
    }

    #[test]
    fn quantile_scores_tie_equal_values_and_span_the_bins() {
        assert_eq!(scores(&[10, 20, 30, 40, 50], 5), vec![1, 2, 3, 4, 5]);
        // Ties share the score of the lowest rank they hold; the best value scores the top.
        assert_eq!(scores(&[7, 7, 7, 9], 5), vec![1, 1, 1, 5]);
        assert_eq!(scores(&[4, 9], 5), vec![1, 5]);
        assert_eq!(scores(&[4], 5), vec![3]);
        assert_eq!(
            scores(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5),
            vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(scores(&[3, 1, 2], 2), vec![2, 1, 2]);
        assert_eq!(to_five(3, 3), 5);
        assert_eq!(to_five(2, 3), 3);
    }

    #[test]
    fn recency_scores_favour_recent_buyers() {
        let v = |days, f, m| RfmValues {
            recency_days: days,
            frequency: f,
            monetary_micros: m,
        };
        let out = score_all(&[v(1, 10, 1000), v(100, 1, 10), v(50, 5, 500)], 3);
        assert_eq!(out[0].code, "333");
        assert_eq!(out[1].code, "111");
        assert_eq!(out[2].code, "222");
        assert_eq!(out[0].segment, RfmSegment::Champions);
        assert_eq!(out[1].segment, RfmSegment::Lost);
        assert_eq!(out[2].segment, RfmSegment::NeedAttention);
    }
}
