//! One client as of a day: what every score reads. [`AsOf::of`] reads it off the ledger record
//! directly; [`Sweep`] steps it forward through a series of days, each step costing only the
//! events between two days, which is how a history scores every client at hundreds of dates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::input::event::{EventKind, MICROS};
use crate::ledger::{ClientRecord, DayCount, DayInteractions, DayRevenue, Tally};

/// A client's record as of day `day`: its per-day entries up to that day, and what they add up
/// to.
#[derive(Clone, Copy, Debug)]
pub struct AsOf<'a> {
    pub rec: &'a ClientRecord,
    pub day: i32,
    /// Active days on or before `day`.
    pub days: &'a [DayCount],
    /// Days with revenue on or before `day`.
    pub bought: &'a [DayRevenue],
    pub interactions: &'a [DayInteractions],
    /// Interactions on or before `day`.
    pub tally: Tally,
    /// Revenue on or before `day`, in millionths.
    pub revenue_micros: i128,
    /// Median days between consecutive active days, with at least three of them.
    pub cadence: Option<f64>,
}

fn upto<T>(v: &[T], day: i32, of: impl Fn(&T) -> i32) -> &[T] {
    match v.last() {
        // The common case: scored as of a day after the last entry.
        Some(x) if of(x) <= day => v,
        _ => &v[..v.partition_point(|x| of(x) <= day)],
    }
}

impl<'a> AsOf<'a> {
    pub fn of(rec: &'a ClientRecord, day: i32) -> AsOf<'a> {
        let days = upto(&rec.days, day, |d| d.day);
        let bought = upto(&rec.revenue, day, |r| r.day);
        let interactions = upto(&rec.interactions, day, |i| i.day);
        let mut tally = Tally::default();
        interactions.iter().for_each(|i| tally.add(i));
        AsOf {
            rec,
            day,
            days,
            bought,
            interactions,
            tally,
            revenue_micros: bought.iter().map(|r| r.micros).sum(),
            cadence: cadence(days),
        }
    }

    /// Revenue on or before the day, in currency units.
    pub fn revenue(&self) -> f64 {
        self.revenue_micros as f64 / MICROS
    }

    /// The last day on or before the day with an event of `kind` (not usage or purchase).
    pub fn last_day_of(&self, kind: EventKind) -> Option<i32> {
        if self.rec.kind_counts[kind as usize] == 0 {
            return None;
        }
        self.interactions
            .iter()
            .rev()
            .find(|i| i.kind == kind as u8)
            .map(|i| i.day)
    }
}

/// Median gap between consecutive active days, if there are at least two gaps.
pub fn cadence(days: &[DayCount]) -> Option<f64> {
    if days.len() < 3 {
        return None;
    }
    // The gaps on the stack for most clients (no allocation), and the median by selection.
    let mut stack = [0i32; 64];
    let mut heap = Vec::new();
    let n = days.len() - 1;
    let gaps: &mut [i32] = if n <= stack.len() {
        &mut stack[..n]
    } else {
        heap.resize(n, 0);
        &mut heap
    };
    for (g, w) in gaps.iter_mut().zip(days.windows(2)) {
        *g = w[1].day - w[0].day;
    }
    let (below, &mut mid, _) = gaps.select_nth_unstable(n / 2);
    Some(if n % 2 == 1 {
        mid as f64
    } else {
        let lower = below.iter().copied().max().unwrap_or(mid);
        (lower + mid) as f64 / 2.0
    })
}

/// The median of a growing multiset of gaps: the lower half in a max-heap, the upper half in a
/// min-heap, the lower never smaller than the upper.
#[derive(Clone, Debug, Default)]
struct RunningMedian {
    lower: BinaryHeap<i32>,
    upper: BinaryHeap<Reverse<i32>>,
}

impl RunningMedian {
    fn clear(&mut self) {
        self.lower.clear();
        self.upper.clear();
    }

    fn push(&mut self, g: i32) {
        match self.lower.peek() {
            Some(&top) if g > top => self.upper.push(Reverse(g)),
            _ => self.lower.push(g),
        }
        if self.lower.len() > self.upper.len() + 1 {
            let x = self.lower.pop().unwrap_or_default();
            self.upper.push(Reverse(x));
        } else if self.upper.len() > self.lower.len() {
            let Reverse(x) = self.upper.pop().unwrap_or_default();
            self.lower.push(x);
        }
    }

    /// The median of `n` gaps (`n` at least 2), as [`cadence`] gives it.
    fn median(&self) -> f64 {
        let lo = self.lower.peek().copied().unwrap_or_default();
        if self.lower.len() > self.upper.len() {
            lo as f64
        } else {
            let hi = self.upper.peek().map_or(lo, |r| r.0);
            (lo + hi) as f64 / 2.0
        }
    }
}

/// A client stepped forward through increasing days: [`Sweep::at`] gives the client as of each,
/// equal to [`AsOf::of`] on that day, for the cost of the entries since the day before.
#[derive(Clone, Debug, Default)]
pub struct Sweep {
    days: usize,
    bought: usize,
    interactions: usize,
    tally: Tally,
    revenue_micros: i128,
    gaps: RunningMedian,
}

impl Sweep {
    /// Starts over, for another client.
    pub fn reset(&mut self) {
        self.days = 0;
        self.bought = 0;
        self.interactions = 0;
        self.tally = Tally::default();
        self.revenue_micros = 0;
        self.gaps.clear();
    }

    /// `rec` as of `day`, which must not be before the day of the previous call since the
    /// last [`Sweep::reset`].
    pub fn at<'a>(&mut self, rec: &'a ClientRecord, day: i32) -> AsOf<'a> {
        while self.days < rec.days.len() && rec.days[self.days].day <= day {
            if self.days > 0 {
                self.gaps
                    .push(rec.days[self.days].day - rec.days[self.days - 1].day);
            }
            self.days += 1;
        }
        while self.bought < rec.revenue.len() && rec.revenue[self.bought].day <= day {
            self.revenue_micros += rec.revenue[self.bought].micros;
            self.bought += 1;
        }
        while self.interactions < rec.interactions.len()
            && rec.interactions[self.interactions].day <= day
        {
            self.tally.add(&rec.interactions[self.interactions]);
            self.interactions += 1;
        }
        AsOf {
            rec,
            day,
            days: &rec.days[..self.days],
            bought: &rec.revenue[..self.bought],
            interactions: &rec.interactions[..self.interactions],
            tally: self.tally,
            revenue_micros: self.revenue_micros,
            cadence: (self.days >= 3).then(|| self.gaps.median()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::{Mode, Policy};
    use crate::input::columns::from_columns;
    use crate::ledger::Ledger;

    #[test]
    fn a_sweep_gives_what_reading_the_record_gives_on_each_day() {
        let data = crate::input::synth::generate(3, 200, 20_000).unwrap();
        let mut l = Ledger::new();
        l.apply(&from_columns(&data.columns(), Policy::new(Mode::Strict, 1)).unwrap())
            .unwrap();
        let mut sweep = Sweep::default();
        let mut checked = 0;
        for i in 0..l.len() {
            let rec = l.record(i);
            sweep.reset();
            for day in (data.end_day - 400..=data.end_day + 3).step_by(5) {
                let (a, b) = (sweep.at(rec, day), AsOf::of(rec, day));
                assert_eq!(
                    (a.days, a.bought, a.interactions),
                    (b.days, b.bought, b.interactions)
                );
                assert_eq!(
                    (a.tally, a.revenue_micros, a.cadence),
                    (b.tally, b.revenue_micros, b.cadence)
                );
                checked += a.cadence.is_some() as usize;
            }
        }
        assert!(checked > 1000);
    }
}
