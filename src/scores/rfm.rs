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

use super::activity::Status;
use super::client::AsOf;
use super::component::{Named, Reason, Upper};
use crate::error::Result;
use crate::input::event::MICROS;
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
    pub fn of(c: &AsOf) -> Option<RfmValues> {
        let last = c.bought.last()?;
        Some(RfmValues {
            recency_days: (c.day - last.day) as u32,
            frequency: c.bought.len() as u32,
            monetary_micros: c.revenue_micros,
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

/// Where each quantile score begins among `n` values: with these cuts, a value's score is one
/// more than the number of cuts it is above, the score `score_in` gives (`⌊bins · below /
/// (n − 1)⌋ ≥ k` exactly when at least `⌈k (n − 1) / bins⌉` values are below it). A few order
/// statistics stand for the whole sorted list, so a history can score every client at every
/// date without sorting them at each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cuts<T> {
    /// With at most one value, every score is the middle one.
    few: bool,
    cuts: Vec<T>,
}

impl<T: Ord + Copy> Cuts<T> {
    /// The 0-based positions, in the sorted values, of the cuts among `n` values.
    pub fn ranks(n: usize, bins: u32) -> Vec<usize> {
        if n <= 1 {
            return Vec::new();
        }
        let n1 = (n - 1) as u64;
        (1..bins as u64)
            .map(|k| ((k * n1).div_ceil(bins as u64) - 1) as usize)
            .collect()
    }

    /// The cuts, given the values at [`Cuts::ranks`] of `n` values (in that order).
    pub fn new(n: usize, at_ranks: Vec<T>) -> Cuts<T> {
        Cuts {
            few: n <= 1,
            cuts: at_ranks,
        }
    }

    /// The cuts of sorted values.
    pub fn of_sorted(sorted: &[T], bins: u32) -> Cuts<T> {
        let at = Self::ranks(sorted.len(), bins)
            .iter()
            .map(|&r| sorted[r])
            .collect();
        Cuts::new(sorted.len(), at)
    }

    pub fn score(&self, v: &T, bins: u32) -> u32 {
        if self.few {
            return bins.div_ceil(2);
        }
        1 + self.cuts.iter().filter(|c| v > c).count() as u32
    }
}

/// The cuts of all three RFM values among the clients as of one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RfmCuts {
    /// Negated recency days, frequencies, monetary values in millionths.
    pub recency: Cuts<i64>,
    pub frequency: Cuts<u32>,
    pub monetary: Cuts<i128>,
    pub bins: u32,
}

impl RfmCuts {
    /// The segment of a client's values.
    pub fn segment(&self, v: &RfmValues) -> RfmSegment {
        let bins = self.bins;
        let r = self.recency.score(&-(v.recency_days as i64), bins);
        let f = self.frequency.score(&v.frequency, bins);
        let m = self.monetary.score(&v.monetary_micros, bins);
        // `to_five` of each score 1..=9, looked up (bins is at most 9).
        let five = |s: u32| FIVE[bins as usize][s as usize];
        RfmSegment::of(five(r), (five(f) + five(m)).div_ceil(2))
    }
}

/// `to_five(s, bins)` for every `bins` and `s` up to 9 (0 where undefined).
const FIVE: [[u32; 10]; 10] = {
    let mut t = [[0u32; 10]; 10];
    let mut bins = 2;
    while bins < 10 {
        let mut s = 1;
        while s <= bins {
            // 1 + round((s − 1) · 4 / (bins − 1)): in whole numbers, half rounded up.
            t[bins as usize][s as usize] = 1 + ((s - 1) * 8 + (bins - 1)) / (2 * (bins - 1));
            s += 1;
        }
        bins += 1;
    }
    t
};

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

    /// The cuts of these values.
    pub fn cuts(&self) -> RfmCuts {
        RfmCuts {
            recency: Cuts::of_sorted(&self.recency, self.bins),
            frequency: Cuts::of_sorted(&self.frequency, self.bins),
            monetary: Cuts::of_sorted(&self.monetary, self.bins),
            bins: self.bins,
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

impl Rfm {
    /// When the segment and the activity status disagree (a segment of good, recent buyers,
    /// next to a status of at risk, dormant or churned), says so at the end of the reason.
    pub fn note_status(&mut self, status: Status, days_quiet: u32, cadence_days: f64) {
        let good = matches!(
            self.segment,
            RfmSegment::Champions | RfmSegment::Loyal | RfmSegment::PotentialLoyalist
        );
        let quiet = matches!(status, Status::AtRisk | Status::Dormant | Status::Churned);
        if good && quiet && !self.reason.text.is_empty() {
            self.reason.text.push_str(&format!(
                "; {} by spend and frequency against the other buyers, but {} by its own rhythm: no activity for {days_quiet} days where it was usually active every {} days",
                self.segment.name().replace('_', " "),
                status.name().replace('_', " "),
                crate::text::number(cadence_days)
            ));
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

    proptest::proptest! {
        /// Cuts score every value as the sorted list does, and give every segment the
        /// quantiles give.
        #[test]
        fn cuts_score_as_the_sorted_values_do(
            values in proptest::collection::vec(0i64..40, 0..120),
            bins in 2u32..10,
        ) {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let cuts = Cuts::of_sorted(&sorted, bins);
            for v in values.iter().chain(&[-1, 41]) {
                proptest::prop_assert_eq!(cuts.score(v, bins), score_in(&sorted, v, bins));
            }
            let rfm: Vec<RfmValues> = values.iter().enumerate().map(|(k, &v)| RfmValues {
                recency_days: v as u32,
                frequency: (k % 7) as u32 + 1,
                monetary_micros: (v * 31 % 17) as i128 * 1_000_000,
            }).collect();
            let q = Quantiles::of(&rfm, bins);
            let c = q.cuts();
            for v in &rfm {
                proptest::prop_assert_eq!(c.segment(v), q.score(v, false).segment);
            }
        }
    }

    #[test]
    fn the_table_of_five_point_scores_is_to_five() {
        for bins in 2..=9u32 {
            for s in 1..=bins {
                assert_eq!(
                    FIVE[bins as usize][s as usize],
                    to_five(s, bins),
                    "{s} of {bins}"
                );
            }
        }
    }

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
