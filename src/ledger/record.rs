//! What the ledger keeps about one client, and how one event adds to it.
//!
//! Every field of a [`ClientRecord`] is a commutative, associative summary (minimum, maximum,
//! sorted sets, integer sums), and amounts are integer millionths, so ingesting events in any
//! order gives the same record.

use super::sorted::{coalesce, merge_sorted};
use crate::input::batch::{BatchEvent, NO_FEATURE};
use crate::input::event::{EventKind, MAX_VALUE, MICROS};
use crate::input::time::{day_of, MAX_MS, MIN_MS};

/// Activity on one day: the number of activity events (every kind but cancellation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayCount {
    pub day: i32,
    pub events: u32,
}

/// Revenue on one day: purchases and renewals, collapsed per day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayRevenue {
    pub day: i32,
    pub count: u32,
    pub micros: i128,
}

/// The events of one kind on one day, for the kinds the effective-customer score reads (every
/// kind but usage and purchase), with a support ticket's details summed. Kept per day so that
/// scores as of an earlier date (and their history) see only what had happened by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayInteractions {
    pub day: i32,
    /// [`EventKind`] code.
    pub kind: u8,
    pub count: u32,
    /// Support: messages over the tickets that reported them, and how many did.
    pub messages: u64,
    pub with_messages: u32,
    pub reopened: u32,
    /// Support: reported costs in millionths, and how many tickets reported one.
    pub cost_micros: i128,
    pub with_cost: u32,
    /// Feedback: ratings (values) in millionths, and how many feedback events gave one.
    pub rating_micros: i128,
    pub rated: u32,
}

impl DayInteractions {
    pub(crate) fn key(&self) -> (i32, u8) {
        (self.day, self.kind)
    }

    fn add(&mut self, o: &DayInteractions) {
        self.count = self.count.saturating_add(o.count);
        self.messages += o.messages;
        self.with_messages = self.with_messages.saturating_add(o.with_messages);
        self.reopened = self.reopened.saturating_add(o.reopened);
        self.cost_micros += o.cost_micros;
        self.with_cost = self.with_cost.saturating_add(o.with_cost);
        self.rating_micros += o.rating_micros;
        self.rated = self.rated.saturating_add(o.rated);
    }

    /// One event's contribution on `day` (support details for tickets, ratings for feedback).
    fn of(ev: &BatchEvent, day: i32) -> DayInteractions {
        let support = ev.kind == EventKind::Support;
        let feedback = ev.kind == EventKind::Feedback;
        let (messages, cost, rating) = (ev.messages(), ev.cost_micros(), ev.value_micros());
        DayInteractions {
            day,
            kind: ev.kind as u8,
            count: 1,
            messages: if support {
                messages.unwrap_or(0) as u64
            } else {
                0
            },
            with_messages: (support && messages.is_some()) as u32,
            reopened: (support && ev.reopened) as u32,
            cost_micros: if support {
                cost.unwrap_or(0) as i128
            } else {
                0
            },
            with_cost: (support && cost.is_some()) as u32,
            rating_micros: if feedback {
                rating.unwrap_or(0) as i128
            } else {
                0
            },
            rated: (feedback && rating.is_some()) as u32,
        }
    }
}

/// Counts of a client's interactions up to a day (see [`ClientRecord::tally`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events per [`EventKind`] code (usage and purchase are not counted here).
    pub kinds: [u64; EventKind::COUNT],
    pub messages: u64,
    pub with_messages: u64,
    pub reopened: u64,
    pub cost_micros: i128,
    pub with_cost: u64,
    pub rating_micros: i128,
    pub rated: u64,
}

impl Tally {
    pub fn count(&self, k: EventKind) -> u64 {
        self.kinds[k as usize]
    }

    /// Adds one day's interactions of one kind.
    pub fn add(&mut self, i: &DayInteractions) {
        self.kinds[i.kind as usize] += i.count as u64;
        self.messages += i.messages;
        self.with_messages += i.with_messages as u64;
        self.reopened += i.reopened as u64;
        self.cost_micros += i.cost_micros;
        self.with_cost += i.with_cost as u64;
        self.rating_micros += i.rating_micros;
        self.rated += i.rated as u64;
    }

    /// The mean feedback rating, if any feedback gave one.
    pub fn mean_rating(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.rating_micros as f64 / MICROS / self.rated as f64)
    }
}

/// Everything rapport keeps about one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRecord {
    /// First and last event of any kind (epoch ms).
    pub first_ms: i64,
    pub last_ms: i64,
    /// Days with activity, ascending, one entry a day.
    pub days: Vec<DayCount>,
    /// Events per [`EventKind`] code.
    pub kind_counts: [u64; EventKind::COUNT],
    /// Features used (ledger feature ids), ascending.
    pub features: Vec<u32>,
    /// Days with revenue, ascending.
    pub revenue: Vec<DayRevenue>,
    /// Non-usage, non-purchase events per day and kind, ascending by (day, kind).
    pub interactions: Vec<DayInteractions>,
}

/// Appends `item` to a vector kept sorted by `key`, folding it into the last entry when the
/// keys are equal; returns true when it landed out of order (the vector then needs sorting).
fn append<T, K: PartialOrd>(
    v: &mut Vec<T>,
    item: T,
    key: impl Fn(&T) -> K,
    add: impl Fn(&mut T, &T),
) -> bool {
    match v.last_mut() {
        Some(last) if key(last) == key(&item) => {
            add(last, &item);
            false
        }
        Some(last) => {
            let unsorted = key(last) > key(&item);
            v.push(item);
            unsorted
        }
        None => {
            v.push(item);
            false
        }
    }
}

impl ClientRecord {
    pub(crate) fn empty() -> Self {
        ClientRecord {
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            days: Vec::new(),
            kind_counts: [0; EventKind::COUNT],
            features: Vec::new(),
            revenue: Vec::new(),
            interactions: Vec::new(),
        }
    }

    pub fn count(&self, k: EventKind) -> u64 {
        self.kind_counts[k as usize]
    }

    /// Total revenue in currency units.
    pub fn revenue_total(&self) -> f64 {
        self.revenue.iter().map(|r| r.micros).sum::<i128>() as f64 / MICROS
    }

    /// Revenue in currency units from purchases and renewals on or before day `as_of`.
    pub fn revenue_until(&self, as_of: i32) -> f64 {
        self.revenue[..self.revenue.partition_point(|r| r.day <= as_of)]
            .iter()
            .map(|r| r.micros)
            .sum::<i128>() as f64
            / MICROS
    }

    /// The client's interactions on or before day `as_of`.
    pub fn tally(&self, as_of: i32) -> Tally {
        let mut t = Tally::default();
        for i in &self.interactions[..self.interactions.partition_point(|i| i.day <= as_of)] {
            t.add(i);
        }
        t
    }

    /// The last day on or before `as_of` with an event of `kind` (not usage or purchase).
    pub fn last_day_of(&self, kind: EventKind, as_of: i32) -> Option<i32> {
        if self.kind_counts[kind as usize] == 0 {
            return None;
        }
        self.interactions[..self.interactions.partition_point(|i| i.day <= as_of)]
            .iter()
            .rev()
            .find(|i| i.kind == kind as u8)
            .map(|i| i.day)
    }

    /// Adds one event, its feature id already in the ledger's space (`feature`, or
    /// [`NO_FEATURE`]). Returns true when a per-day vector needs sorting afterwards.
    #[inline(never)] // optimised apart from the loop that calls it (see `input::csv::data_row`)
    pub(crate) fn add(&mut self, ev: &BatchEvent, feature: u32) -> bool {
        self.first_ms = self.first_ms.min(ev.at_ms);
        self.last_ms = self.last_ms.max(ev.at_ms);
        self.kind_counts[ev.kind as usize] += 1;
        let day = day_of(ev.at_ms);
        let mut unsorted = false;
        if ev.kind.is_activity() {
            let item = DayCount { day, events: 1 };
            unsorted |= append(
                &mut self.days,
                item,
                |d| d.day,
                |a, b| a.events = a.events.saturating_add(b.events),
            );
        }
        if feature != NO_FEATURE {
            if let Err(pos) = self.features.binary_search(&feature) {
                self.features.insert(pos, feature);
            }
        }
        if !matches!(ev.kind, EventKind::Usage | EventKind::Purchase) {
            let item = DayInteractions::of(ev, day);
            unsorted |= append(
                &mut self.interactions,
                item,
                DayInteractions::key,
                DayInteractions::add,
            );
        }
        if ev.kind.is_revenue() {
            let micros = ev.value_micros().unwrap_or(0) as i128;
            let item = DayRevenue {
                day,
                count: 1,
                micros,
            };
            unsorted |= append(&mut self.revenue, item, |r| r.day, add_revenue);
        }
        unsorted
    }

    /// Combines another record of the same client (feature ids already in this ledger's space).
    pub(crate) fn absorb(&mut self, o: &ClientRecord) {
        self.first_ms = self.first_ms.min(o.first_ms);
        self.last_ms = self.last_ms.max(o.last_ms);
        self.days = merge_sorted(
            &self.days,
            &o.days,
            |d| d.day,
            |a, b| DayCount {
                day: a.day,
                events: a.events.saturating_add(b.events),
            },
        );
        for (a, b) in self.kind_counts.iter_mut().zip(o.kind_counts) {
            *a += b;
        }
        self.features = merge_sorted(&self.features, &o.features, |f| *f, |a, _| *a);
        self.revenue = merge_sorted(
            &self.revenue,
            &o.revenue,
            |r| r.day,
            |a, b| {
                let mut m = *a;
                add_revenue(&mut m, b);
                m
            },
        );
        self.interactions = merge_sorted(
            &self.interactions,
            &o.interactions,
            DayInteractions::key,
            |a, b| {
                let mut m = *a;
                m.add(b);
                m
            },
        );
    }

    /// Sorts and coalesces the per-day vectors after out-of-order appends.
    pub(crate) fn normalize(&mut self) {
        self.days.sort_unstable_by_key(|d| d.day);
        coalesce(
            &mut self.days,
            |d| d.day,
            |a, b| a.events = a.events.saturating_add(b.events),
        );
        self.revenue.sort_unstable_by_key(|r| r.day);
        coalesce(&mut self.revenue, |r| r.day, add_revenue);
        self.interactions.sort_unstable_by_key(DayInteractions::key);
        coalesce(&mut self.interactions, DayInteractions::key, |a, b| {
            a.add(b)
        });
    }

    /// Whether the record is one ingest could have built: times in the accepted range and in
    /// order, vectors strictly ascending, every count positive and every sum in range, kinds
    /// and features known, and the per-kind counts equal to what the per-day entries hold.
    pub(crate) fn is_valid(&self, n_features: usize) -> bool {
        fn strictly_up<T, K: PartialOrd>(v: &[T], key: impl Fn(&T) -> K) -> bool {
            v.windows(2).all(|w| key(&w[0]) < key(&w[1]))
        }
        let times = (MIN_MS..=MAX_MS).contains(&self.first_ms)
            && (MIN_MS..=MAX_MS).contains(&self.last_ms)
            && self.first_ms <= self.last_ms;
        let (first, last) = (day_of(self.first_ms), day_of(self.last_ms));
        let within = |d: i32| d >= first && d <= last;
        times
            && strictly_up(&self.days, |d| d.day)
            && strictly_up(&self.revenue, |d| d.day)
            && strictly_up(&self.features, |&f| f)
            && strictly_up(&self.interactions, DayInteractions::key)
            && self.days.iter().all(|d| d.events > 0 && within(d.day))
            && self.revenue.iter().all(|r| {
                r.count > 0 && within(r.day) && r.micros >= 0 && r.micros <= max_micros(r.count)
            })
            && self
                .interactions
                .iter()
                .all(|i| within(i.day) && i.is_valid())
            && self.features.iter().all(|&f| (f as usize) < n_features)
            && self.counts_agree()
    }

    /// The per-kind counts equal what the per-day entries hold.
    fn counts_agree(&self) -> bool {
        let mut per_kind = [0u64; EventKind::COUNT];
        for i in &self.interactions {
            per_kind[i.kind as usize] += i.count as u64;
        }
        let active: u64 = self.days.iter().map(|d| d.events as u64).sum();
        let bought: u64 = self.revenue.iter().map(|r| r.count as u64).sum();
        let k = |kind: EventKind| self.kind_counts[kind as usize];
        let activity: u64 = EventKind::ALL
            .iter()
            .filter(|k| k.is_activity())
            .map(|&x| k(x))
            .sum();
        let interactions_agree = EventKind::ALL
            .iter()
            .filter(|k| !matches!(k, EventKind::Usage | EventKind::Purchase))
            .all(|&x| per_kind[x as usize] == k(x));
        active == activity
            && bought
                == EventKind::ALL
                    .iter()
                    .filter(|k| k.is_revenue())
                    .map(|&x| k(x))
                    .sum::<u64>()
            && interactions_agree
            && self.kind_counts.iter().sum::<u64>() > 0
    }
}

/// The largest sum of `count` amounts, in millionths.
fn max_micros(count: u32) -> i128 {
    count as i128 * (MAX_VALUE * MICROS) as i128
}

impl DayInteractions {
    /// Counts positive, details within the events counted, sums in range.
    fn is_valid(&self) -> bool {
        (self.kind as usize) < EventKind::COUNT
            && self.count > 0
            && self.with_messages <= self.count
            && self.reopened <= self.count
            && self.with_cost <= self.count
            && self.rated <= self.count
            && self.messages <= self.with_messages as u64 * u32::MAX as u64
            && self.cost_micros >= 0
            && self.cost_micros <= max_micros(self.with_cost)
            && self.rating_micros >= 0
            && self.rating_micros <= max_micros(self.rated)
    }
}

fn add_revenue(a: &mut DayRevenue, b: &DayRevenue) {
    a.count = a.count.saturating_add(b.count);
    a.micros += b.micros;
}
