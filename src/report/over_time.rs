//! Scores over time in one pass. A history scores every client at every period end; doing it
//! by scoring the whole book afresh at each date costs clients × dates assessments from
//! scratch, each re-reading the client's record from its first day, and sorts every client's
//! RFM values at each date. Here each client is stepped forward through the dates once
//! ([`Sweep`]), each step reading only the events since the date before, and the RFM
//! quantiles at every date come from counting trees kept up to date as purchases happen: a
//! date costs a few order statistics, not a sort.

use super::assess::Context;
use super::history::Point;
use super::portfolio::{EngagementSummary, StatusCounts};
use super::scorer::Scorer;
use crate::error::Result;
use crate::ledger::Ledger;
use crate::scores::client::Sweep;
use crate::scores::rfm::{Cuts, RfmCuts, RfmSegment};

/// Counts over `0..n` in a Fenwick tree, with the k-th smallest element.
struct Counts {
    tree: Vec<i64>,
}

impl Counts {
    fn new(n: usize) -> Counts {
        Counts {
            tree: vec![0; n + 1],
        }
    }

    fn add(&mut self, at: usize, delta: i64) {
        let mut i = at + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The element at 0-based position `k` in sorted order (there must be more than `k`).
    fn kth(&self, k: usize) -> usize {
        let (mut pos, mut rest) = (0usize, k as i64);
        let mut step = (self.tree.len()).next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= rest {
                pos = next;
                rest -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }
}

/// The RFM cuts at each of `dates` (ascending) among the clients with a purchase by then:
/// each client's values change only on its purchase days, so the three counting trees are
/// updated once per purchase day of the ledger, and each date asks them for a few ranks.
pub fn rfm_cuts(ledger: &Ledger, dates: &[i32], bins: u32) -> Result<Vec<RfmCuts>> {
    let mut events = Vec::new();
    let mut sums: Vec<i128> = Vec::new();
    let (mut min_day, mut max_day, mut max_freq) = (i32::MAX, i32::MIN, 0usize);
    // Where each client's running monetary sums start in `sums`.
    let mut start = crate::memory::vec_with_capacity(ledger.len() + 1)?;
    for i in 0..ledger.len() {
        start.push(sums.len());
        let mut total = 0i128;
        for (j, r) in ledger.record(i).revenue.iter().enumerate() {
            total += r.micros;
            sums.push(total);
            events.push((r.day, i as u32, j as u32));
            min_day = min_day.min(r.day);
            max_day = max_day.max(r.day);
            max_freq = max_freq.max(j + 1);
        }
        crate::memory::check()?;
    }
    start.push(sums.len());
    events.sort_unstable();
    let mut values = sums.clone();
    values.sort_unstable();
    values.dedup();
    let rank = |s: i128| values.partition_point(|&v| v < s);
    let ranks: Vec<usize> = sums.iter().map(|&s| rank(s)).collect();
    let days = if events.is_empty() {
        0
    } else {
        (max_day - min_day + 1) as usize
    };
    let (mut last, mut freq, mut money) = (
        Counts::new(days),
        Counts::new(max_freq + 1),
        Counts::new(values.len()),
    );
    let (mut n, mut next) = (0usize, 0usize);
    let mut out = Vec::with_capacity(dates.len());
    for &d in dates {
        while next < events.len() && events[next].0 <= d {
            let (day, i, j) = events[next];
            let (i, j) = (i as usize, j as usize);
            if j > 0 {
                let prev = ledger.record(i).revenue[j - 1].day;
                last.add((prev - min_day) as usize, -1);
                freq.add(j, -1);
                money.add(ranks[start[i] + j - 1], -1);
            } else {
                n += 1;
            }
            last.add((day - min_day) as usize, 1);
            freq.add(j + 1, 1);
            money.add(ranks[start[i] + j], 1);
            next += 1;
        }
        let at = Cuts::<i64>::ranks(n, bins);
        out.push(RfmCuts {
            // Negated recency: a last purchase on day `t` is `t − d` as of `d`.
            recency: Cuts::new(
                n,
                at.iter()
                    .map(|&k| (last.kth(k) as i32 + min_day - d) as i64)
                    .collect(),
            ),
            frequency: Cuts::new(n, at.iter().map(|&k| freq.kth(k) as u32).collect()),
            monetary: Cuts::new(n, at.iter().map(|&k| values[money.kth(k)]).collect()),
            bins,
        });
    }
    Ok(out)
}

/// One-decimal scores (0–100) counted in tenths, for a median without keeping the scores;
/// any score that is not such a number is kept as it is.
#[derive(Clone, Debug)]
struct Tenths {
    n: u64,
    sum: f64,
    counts: Vec<u32>,
    other: Vec<f64>,
}

impl Tenths {
    fn new() -> Tenths {
        Tenths {
            n: 0,
            // As `Iterator::sum` starts.
            sum: -0.0,
            counts: vec![0; 1001],
            other: Vec::new(),
        }
    }

    fn add(&mut self, v: f64) {
        self.n += 1;
        self.sum += v;
        // A non-negative tenth times ten is within a hair of its whole number of tenths.
        let k = (v * 10.0 + 0.5) as usize;
        if k <= 1000 && k as f64 / 10.0 == v && v.is_sign_positive() {
            self.counts[k] += 1;
        } else {
            self.other.push(v);
        }
    }

    /// The value at 0-based position `k` in sorted order.
    fn nth(&self, k: u64, sorted_other: &[f64]) -> f64 {
        // Merge the counted tenths with the others, in order.
        let (mut seen, mut o) = (0u64, 0usize);
        for (t, &c) in self.counts.iter().enumerate() {
            let v = t as f64 / 10.0;
            while o < sorted_other.len() && sorted_other[o].total_cmp(&v).is_lt() {
                if seen == k {
                    return sorted_other[o];
                }
                seen += 1;
                o += 1;
            }
            if k < seen + c as u64 {
                return v;
            }
            seen += c as u64;
        }
        sorted_other[o + (k - seen) as usize]
    }

    /// Mean (one decimal) and median, as `portfolio::summary_of` gives them; `None` for none.
    fn summary(&self) -> Option<EngagementSummary> {
        if self.n == 0 {
            return None;
        }
        let mut other = self.other.clone();
        other.sort_by(f64::total_cmp);
        let n = self.n;
        let median = if n % 2 == 1 {
            self.nth(n / 2, &other)
        } else {
            (self.nth(n / 2 - 1, &other) + self.nth(n / 2, &other)) / 2.0
        };
        Some(EngagementSummary {
            mean: crate::text::round1(self.sum / n as f64),
            median,
        })
    }
}

/// The portfolio at one date, added up client by client.
#[derive(Clone, Debug)]
pub struct Tally {
    pub status_counts: StatusCounts,
    engagement: Tenths,
    effectiveness: Tenths,
    pub segments: [u64; RfmSegment::ALL.len()],
}

impl Tally {
    fn new() -> Tally {
        Tally {
            status_counts: StatusCounts::default(),
            engagement: Tenths::new(),
            effectiveness: Tenths::new(),
            segments: [0; RfmSegment::ALL.len()],
        }
    }

    fn add(&mut self, p: &Point) {
        self.status_counts.add(p.status);
        self.engagement.add(p.engagement);
        if let Some(e) = p.effectiveness {
            self.effectiveness.add(e);
        }
        if let Some(s) = p.segment {
            self.segments[s as usize] += 1;
        }
    }

    pub fn clients(&self) -> u64 {
        self.engagement.n
    }

    pub fn engagement(&self) -> EngagementSummary {
        self.engagement.summary().unwrap_or(EngagementSummary {
            mean: 0.0,
            median: 0.0,
        })
    }

    pub fn effectiveness(&self) -> Option<EngagementSummary> {
        self.effectiveness.summary()
    }
}

/// Every client scored at every date.
pub struct Scored {
    /// The portfolio at each date.
    pub tallies: Vec<Tally>,
    /// Per client (ledger order), its points at the dates `kept` asks for, in date order.
    pub points: Vec<Option<Point>>,
}

impl Scorer {
    /// Scores every client at each of `dates` (ascending) in one pass: the portfolio at every
    /// date, and each client's points at the dates `keep` marks. Every date is scored with
    /// the windows and the health model of the book's profile as of `profile_day`, so the
    /// dates compare on one scale (and the last date's statuses are the report's at the
    /// profile's horizon).
    pub fn over_time(&self, dates: &[i32], keep: &[bool], profile_day: i32) -> Result<Scored> {
        let ledger = self.ledger();
        let cuts = rfm_cuts(ledger, dates, self.config().options.rfm.bins)?;
        let ctx = Context::new(self, profile_day, Some(None))?;
        let kept = keep.iter().filter(|&&k| k).count();
        let mut points = crate::memory::vec_with_capacity(ledger.len() * kept)?;
        let mut tallies = vec![Tally::new(); dates.len()];
        let mut sweep = Sweep::default();
        // Clients a block at a time: their points at every date first, then each date's tally
        // over the block, so a tally is visited once per block rather than once per client.
        const BLOCK: usize = 16;
        let mut block: Vec<Option<Point>> = Vec::with_capacity(BLOCK * dates.len());
        for from in (0..ledger.len()).step_by(BLOCK) {
            crate::memory::check()?;
            let to = (from + BLOCK).min(ledger.len());
            block.clear();
            for i in from..to {
                let rec = ledger.record(i);
                let first = rec.days.first().map_or(i32::MAX, |d| d.day);
                let breadth = ctx.breadth(rec);
                sweep.reset();
                for (k, &d) in dates.iter().enumerate() {
                    let point = (first <= d)
                        .then(|| self.scores_as_of(&sweep.at(rec, d), &ctx, breadth))
                        .flatten()
                        .map(|a| Point {
                            status: a.status,
                            engagement: a.engagement,
                            effectiveness: a.effectiveness,
                            segment: a.rfm.map(|v| cuts[k].segment(&v)),
                        });
                    if keep[k] {
                        points.push(point.clone());
                    }
                    block.push(point);
                }
            }
            for (k, t) in tallies.iter_mut().enumerate() {
                for b in 0..to - from {
                    if let Some(p) = &block[b * dates.len() + k] {
                        t.add(p);
                    }
                }
            }
        }
        Ok(Scored { tallies, points })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_trees_find_order_statistics() {
        let mut c = Counts::new(50);
        let mut v = vec![3usize, 3, 7, 0, 49, 12, 12, 12, 30];
        for &x in &v {
            c.add(x, 1);
        }
        c.add(12, -1);
        v.remove(5);
        v.sort_unstable();
        for (k, &x) in v.iter().enumerate() {
            assert_eq!(c.kth(k), x, "k {k}");
        }
    }

    #[test]
    fn tenths_summarise_as_sorting_does() {
        let mut x: u64 = 5;
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let mut t = Tenths::new();
            let mut all = Vec::new();
            for k in 0..n {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = if k % 17 == 3 {
                    (x >> 40) as f64 / 1e5 // not a tenth
                } else {
                    crate::text::round1((x >> 33) as f64 % 1000.0 / 10.0)
                };
                t.add(v);
                all.push(v);
            }
            assert_eq!(
                t.summary(),
                Some(super::super::portfolio::summary_of(all)),
                "n {n}"
            );
        }
        assert_eq!(Tenths::new().summary(), None);
    }
}
