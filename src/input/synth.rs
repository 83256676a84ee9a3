//! A deterministic synthetic event generator for tests, benchmarks and the demo: SaaS-like
//! clients with daily, weekly or monthly cadences, feature adoption, purchases and renewals,
//! support tickets, feedback, referrals, onboarding, and churn (some with an explicit
//! cancellation). The same seed and sizes give the same events on every platform.

use super::batch::NO_FEATURE;
use super::columns::Columns;
use super::event::{ClientIdInput, EventKind, RawEvent, TimestampInput};
use super::time::{self, MS_PER_DAY};
use crate::error::{ErrorCode, RapportError, Result};

/// Most events one call generates.
pub const MAX_EVENTS: usize = 20_000_000;

/// SplitMix64, written out here because a fixture generator needs one thing of its random
/// numbers: the same stream for the same seed forever. General-purpose crates reserve the right
/// to change their value streams between versions, which would silently change every fixture.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// Generated events in columnar form (the same shape as the columnar input path).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SynthEvents {
    pub client_ids: Vec<String>,
    pub client_index: Vec<u32>,
    pub timestamps: Vec<f64>,
    pub kinds: Vec<u8>,
    /// NaN where an event has no value.
    pub values: Vec<f64>,
    pub feature_names: Vec<String>,
    pub feature_index: Vec<u32>,
    pub messages: Vec<f64>,
    pub costs: Vec<f64>,
    pub reopened: Vec<u8>,
    /// The day the data ends (a natural `asOf`).
    pub end_day: i32,
}

const FEATURES: [&str; 12] = [
    "dashboard",
    "reports",
    "export",
    "search",
    "alerts",
    "api",
    "integrations",
    "billing",
    "sharing",
    "automation",
    "mobile",
    "admin",
];

/// A seed given as a number (JavaScript has no 64-bit integers): a whole number from 0 to 2⁵³.
pub fn seed(v: f64) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(RapportError::new(
            ErrorCode::InvalidArgument,
            format!("seed must be a whole number from 0 to 2^53, got {v}"),
        )
        .with_field("seed"))
    }
}

/// One generated client's plan: when it is active, how often, and how much.
struct Plan {
    start: i32,
    end: i32,
    cadence: f64,
    weight: f64,
    cancels: bool,
    adopt: usize,
}

/// (time ms, client, kind, value, feature, messages, cost, reopened)
type Row = (i64, u32, u8, f64, u32, f64, f64, u8);

/// The clients' plans: a start in the year, a daily, weekly or monthly cadence, and for about a
/// third an end before the year is out (half of those with a cancellation).
fn plans(rng: &mut SplitMix64, clients: usize, end_day: i32) -> Vec<Plan> {
    let span = 365;
    (0..clients)
        .map(|_| {
            let start = end_day - span + rng.below(span as u64) as i32;
            let cadence = match rng.below(10) {
                0..=3 => 1.0 + rng.unit(),
                4..=7 => 5.0 + 4.0 * rng.unit(),
                _ => 25.0 + 10.0 * rng.unit(),
            };
            let churns = rng.unit() < 0.35;
            let end = if churns {
                (start + 10 + rng.below((end_day - start).max(1) as u64) as i32).min(end_day)
            } else {
                end_day
            };
            let active_days = ((end - start) as f64 / cadence).max(1.0);
            let intensity = 1.0 + 4.0 * rng.unit();
            Plan {
                start,
                end,
                cadence,
                weight: active_days * intensity,
                cancels: churns && rng.unit() < 0.5,
                adopt: 1 + rng.below(FEATURES.len() as u64) as usize,
            }
        })
        .collect()
}

/// Events per client: one each, the rest in proportion to weight (largest remainder).
fn allocate(plans: &[Plan], events: usize) -> Vec<usize> {
    let total_w: f64 = plans.iter().map(|p| p.weight).sum();
    let extra = (events - plans.len()) as f64;
    let mut alloc: Vec<(usize, f64)> = plans
        .iter()
        .map(|p| {
            let share = extra * p.weight / total_w;
            (1 + share.floor() as usize, share.fract())
        })
        .collect();
    let given: usize = alloc.iter().map(|a| a.0).sum();
    let mut by_rem: Vec<usize> = (0..plans.len()).collect();
    by_rem.sort_by(|&a, &b| alloc[b].1.total_cmp(&alloc[a].1).then(a.cmp(&b)));
    for &i in by_rem.iter().take(events - given) {
        alloc[i].0 += 1;
    }
    alloc.into_iter().map(|a| a.0).collect()
}

/// A kind drawn by the generator's mix: mostly usage, then purchases, tickets, feedback…
fn draw_kind(rng: &mut SplitMix64) -> EventKind {
    match rng.below(100) {
        0..=77 => EventKind::Usage,
        78..=83 => EventKind::Purchase,
        84..=87 => EventKind::Support,
        88..=90 => EventKind::Feedback,
        91..=93 => EventKind::Onboarding,
        94 => EventKind::Referral,
        95 => EventKind::Review,
        96 => EventKind::SelfService,
        97 => EventKind::Response,
        _ => EventKind::Renewal,
    }
}

/// One event of kind `kind` for client `ci`.
fn event(rng: &mut SplitMix64, p: &Plan, ci: usize, kind: EventKind) -> Row {
    let life = (p.end - p.start).max(0) as f64;
    let day = match kind {
        EventKind::Signup => p.start,
        EventKind::Cancellation => p.end,
        EventKind::Onboarding => p.start + (rng.unit() * life.min(14.0)) as i32,
        _ => {
            // Activity clusters on the client's cadence.
            let slots = (life / p.cadence).floor().max(0.0);
            let slot = (rng.unit() * (slots + 1.0)).floor();
            (p.start + (slot * p.cadence) as i32).min(p.end)
        }
    };
    let ms = day as i64 * MS_PER_DAY + rng.below(MS_PER_DAY as u64) as i64;
    let (mut value, mut feature, mut messages, mut cost, mut reopened) =
        (f64::NAN, NO_FEATURE, f64::NAN, f64::NAN, 0u8);
    match kind {
        EventKind::Usage => feature = rng.below(p.adopt as u64) as u32,
        EventKind::Purchase => {
            value = ((5.0 + 195.0 * rng.unit() * rng.unit()) * 100.0).round() / 100.0
        }
        EventKind::Renewal => value = 49.0,
        EventKind::Support => {
            messages = (1 + rng.below(12)) as f64;
            reopened = (rng.unit() < 0.15) as u8;
            cost = ((5.0 + 3.0 * messages) * 100.0).round() / 100.0;
        }
        EventKind::Feedback => value = (1 + rng.below(10)) as f64,
        EventKind::Onboarding => feature = rng.below(FEATURES.len() as u64) as u32,
        _ => {}
    }
    (
        ms, ci as u32, kind as u8, value, feature, messages, cost, reopened,
    )
}

/// A count given as a number: a whole number from 0 to [`MAX_EVENTS`], named `field` in the error.
pub fn count(v: f64, field: &str) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_EVENTS as f64 {
        Ok(v as usize)
    } else {
        Err(RapportError::new(
            ErrorCode::InvalidArgument,
            format!("{field} must be a whole number from 0 to {MAX_EVENTS}, got {v}"),
        )
        .with_field(field))
    }
}

/// Generates exactly `events` events over `clients` clients (at least one event per client, so
/// `events` must be at least `clients`, and at most [`MAX_EVENTS`]), over the 365 days ending
/// 2024-06-30.
pub fn generate(seed: u64, clients: usize, events: usize) -> Result<SynthEvents> {
    if clients == 0 || events < clients || events > MAX_EVENTS {
        return Err(RapportError::new(
            ErrorCode::InvalidArgument,
            format!("need 1 <= clients <= events <= {MAX_EVENTS}, got {clients} clients and {events} events"),
        )
        .with_field(if clients == 0 { "clients" } else { "events" }));
    }
    let mut rng = SplitMix64::new(seed);
    let end_day = time::days_from_civil(2024, 6, 30) as i32;
    let plans = plans(&mut rng, clients, end_day);
    let alloc = allocate(&plans, events);
    let mut rows: Vec<Row> = Vec::with_capacity(events);
    for (ci, (p, &n)) in plans.iter().zip(&alloc).enumerate() {
        let mut specials = vec![EventKind::Signup];
        if p.cancels && n > 2 {
            specials.push(EventKind::Cancellation);
        }
        for k in 0..n {
            let kind = if k < specials.len() && n > 1 {
                specials[k]
            } else {
                draw_kind(&mut rng)
            };
            rows.push(event(&mut rng, p, ci, kind));
        }
    }
    Ok(columns_of(rows, "c", clients, end_day))
}

/// Generated rows as columns, sorted by time then client; client `i` is `{prefix}{i:06}`.
fn columns_of(mut rows: Vec<Row>, prefix: &str, clients: usize, end_day: i32) -> SynthEvents {
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = SynthEvents {
        client_ids: (0..clients).map(|i| format!("{prefix}{i:06}")).collect(),
        feature_names: FEATURES.iter().map(|s| s.to_string()).collect(),
        end_day,
        ..Default::default()
    };
    for (ms, c, k, v, f, m, cost, r) in rows {
        out.timestamps.push(ms as f64);
        out.client_index.push(c);
        out.kinds.push(k);
        out.values.push(v);
        out.feature_index.push(f);
        out.messages.push(m);
        out.costs.push(cost);
        out.reopened.push(r);
    }
    out
}

/// What a SaaS book was generated from, per client (in `client_ids` order): the day it
/// churned, if it did by the end, and what its hazard is made of.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaasTruth {
    pub churned_on: Vec<Option<i32>>,
    pub start: Vec<i32>,
    /// The usage drift per year (usage is `e^(drift · years)` times its start).
    pub drift: Vec<f64>,
    pub skipped: Vec<u32>,
    /// The days a ticket was reopened.
    pub reopened_on: Vec<Vec<i32>>,
}

impl SaasTruth {
    /// Client `i`'s hazard of churn on day `day` (it must not have churned before).
    pub fn hazard(&self, i: usize, day: i32) -> f64 {
        let years = (day - self.start[i]) as f64 / 365.0;
        let reopened = self.reopened_on[i].iter().filter(|&&d| d < day).count() as u32;
        saas_hazard((-self.drift[i] * years).max(0.0), reopened, self.skipped[i])
    }
}

/// The per-day hazard of churn of a SaaS client: a base rate raised by its usage falling
/// below where it started (`decline` = ln of the ratio, 0 when not falling), by reopened
/// tickets and by skipped onboarding steps (of five).
pub fn saas_hazard(decline: f64, reopened: u32, skipped: u32) -> f64 {
    0.0008 * (1.6 * decline + 0.45 * reopened as f64 + 0.3 * skipped as f64).exp()
}

/// A SaaS book with a known truth: `clients` clients signing up over the two years ending
/// 2024-06-30, each with a usage rate (daily, weekly or occasional users) that drifts up or
/// down, support tickets (more, and more often reopened, as usage falls), up to five
/// onboarding steps in its first two weeks, and feedback. Each day a client churns with the
/// probability [`saas_hazard`] gives; seven in ten churners send a cancellation on the day,
/// the rest just stop. Returns the events and the churn days.
pub fn saas(seed: u64, clients: usize) -> Result<(SynthEvents, SaasTruth)> {
    if clients == 0 || clients > MAX_EVENTS / 100 {
        return Err(RapportError::new(
            ErrorCode::InvalidArgument,
            format!("need 1 to {} clients, got {clients}", MAX_EVENTS / 100),
        )
        .with_field("clients"));
    }
    let mut rng = SplitMix64::new(seed);
    let end_day = time::days_from_civil(2024, 6, 30) as i32;
    let first_day = end_day - 729;
    let mut rows: Vec<Row> = Vec::new();
    let mut truth = SaasTruth::default();
    // A Poisson count by inversion (the rates here are small).
    let poisson = |rng: &mut SplitMix64, lambda: f64| {
        let (mut k, mut p, u) = (0u32, (-lambda).exp(), rng.unit());
        let mut cdf = p;
        while u > cdf && k < 50 {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
        }
        k
    };
    for ci in 0..clients {
        let start = first_day + rng.below(600) as i32;
        let base = match rng.below(10) {
            0..=3 => 0.6 + 0.8 * rng.unit(),
            4..=7 => 0.12 + 0.2 * rng.unit(),
            _ => 0.02 + 0.05 * rng.unit(),
        };
        // Usage drifts by a factor e^(drift · years): most steady, some falling, a few rising.
        let drift = match rng.below(10) {
            0..=5 => 0.3 * (rng.unit() - 0.5),
            6..=8 => -1.5 * rng.unit() - 0.3,
            _ => 0.8 * rng.unit(),
        };
        let keen = 0.15 + 0.85 * rng.unit();
        let adopt = 1 + rng.below(FEATURES.len() as u64) as usize;
        let intensity = 1.0 + 3.0 * rng.unit();
        let at = |rng: &mut SplitMix64, day: i32| {
            day as i64 * MS_PER_DAY + rng.below(MS_PER_DAY as u64) as i64
        };
        let none = (f64::NAN, NO_FEATURE, f64::NAN, f64::NAN, 0u8);
        let push = |rows: &mut Vec<Row>, ms: i64, kind: EventKind, v: (f64, u32, f64, f64, u8)| {
            rows.push((ms, ci as u32, kind as u8, v.0, v.1, v.2, v.3, v.4));
        };
        let ms = at(&mut rng, start);
        push(&mut rows, ms, EventKind::Signup, none);
        let mut onboarded = 0;
        for step in 0..5u32 {
            if rng.unit() < keen {
                onboarded += 1;
                let day = start + rng.below(14) as i32;
                let ms = at(&mut rng, day);
                push(
                    &mut rows,
                    ms,
                    EventKind::Onboarding,
                    (f64::NAN, step, f64::NAN, f64::NAN, 0),
                );
            }
        }
        let skipped = 5 - onboarded;
        let mut reopened = 0u32;
        let mut reopened_on = Vec::new();
        let mut churned = None;
        for day in start..=end_day {
            let years = (day - start) as f64 / 365.0;
            let rate = base * (drift * years).exp();
            let decline = (-drift * years).max(0.0);
            if rng.unit() < saas_hazard(decline, reopened, skipped) {
                churned = Some(day);
                if rng.unit() < 0.7 {
                    let ms = at(&mut rng, day);
                    push(&mut rows, ms, EventKind::Cancellation, none);
                }
                break;
            }
            if rng.unit() < 1.0 - (-rate).exp() {
                for _ in 0..1 + poisson(&mut rng, intensity - 1.0) {
                    let f = rng.below(adopt as u64) as u32;
                    let ms = at(&mut rng, day);
                    push(
                        &mut rows,
                        ms,
                        EventKind::Usage,
                        (f64::NAN, f, f64::NAN, f64::NAN, 0),
                    );
                }
            }
            // Tickets: more of them, and more often reopened, as usage falls.
            if rng.unit() < 0.004 * (1.0 + 2.0 * decline) {
                let messages = (1 + rng.below(10)) as f64;
                let again = rng.unit() < 0.15 + 0.3 * decline.min(1.0);
                reopened += again as u32;
                if again {
                    reopened_on.push(day);
                }
                let cost = ((5.0 + 3.0 * messages) * 100.0).round() / 100.0;
                let ms = at(&mut rng, day);
                push(
                    &mut rows,
                    ms,
                    EventKind::Support,
                    (f64::NAN, NO_FEATURE, messages, cost, again as u8),
                );
            }
            if rng.unit() < 0.002 {
                let ms = at(&mut rng, day);
                let score = (1 + rng.below(10)) as f64;
                push(
                    &mut rows,
                    ms,
                    EventKind::Feedback,
                    (score, NO_FEATURE, f64::NAN, f64::NAN, 0),
                );
            }
        }
        truth.churned_on.push(churned);
        truth.start.push(start);
        truth.drift.push(drift);
        truth.skipped.push(skipped);
        truth.reopened_on.push(reopened_on);
        if rows.len() > MAX_EVENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!(
                    "a SaaS book of {clients} clients would have more than {MAX_EVENTS} events"
                ),
            )
            .with_field("clients"));
        }
    }
    // Onboarding steps name the feature they introduce.
    let out = columns_of(rows, "s", clients, end_day);
    Ok((out, truth))
}

impl SynthEvents {
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    pub fn columns(&self) -> Columns<'_> {
        Columns {
            client_ids: &self.client_ids,
            client_index: &self.client_index,
            timestamps: &self.timestamps,
            kinds: &self.kinds,
            values: Some(&self.values),
            feature_names: &self.feature_names,
            feature_index: Some(&self.feature_index),
            messages: Some(&self.messages),
            costs: Some(&self.costs),
            reopened: Some(&self.reopened),
        }
    }

    /// Event `i` as a record; timestamps as ISO text when `iso`, else epoch ms.
    pub fn record(&self, i: usize, iso: bool) -> RawEvent {
        let opt = |v: f64| (!v.is_nan()).then_some(v);
        let kind = EventKind::from_code(self.kinds[i]).unwrap_or(EventKind::Usage);
        RawEvent {
            client_id: Some(ClientIdInput(
                self.client_ids[self.client_index[i] as usize].clone(),
            )),
            timestamp: Some(if iso {
                TimestampInput::Text(time::format_ms(self.timestamps[i] as i64))
            } else {
                TimestampInput::EpochMs(self.timestamps[i])
            }),
            kind: Some(kind.name().to_string()),
            feature: (self.feature_index[i] != NO_FEATURE)
                .then(|| self.feature_names[self.feature_index[i] as usize].clone()),
            value: opt(self.values[i]),
            messages: opt(self.messages[i]),
            reopened: (kind == EventKind::Support).then_some(self.reopened[i] == 1),
            cost: opt(self.costs[i]),
        }
    }

    pub fn records(&self, iso: bool) -> Vec<RawEvent> {
        (0..self.len()).map(|i| self.record(i, iso)).collect()
    }

    /// CSV text with rapport's own column names and ISO timestamps.
    pub fn to_csv(&self) -> String {
        let mut s = String::with_capacity(self.len() * 64);
        s.push_str("clientId,timestamp,kind,feature,value,messages,reopened,cost\n");
        for i in 0..self.len() {
            let r = self.record(i, true);
            let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let ts = match r.timestamp {
                Some(TimestampInput::Text(t)) => t,
                _ => String::new(),
            };
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.client_id.map(|c| c.0).unwrap_or_default(),
                ts,
                r.kind.unwrap_or_default(),
                r.feature.unwrap_or_default(),
                num(r.value),
                num(r.messages),
                r.reopened.map(|b| b.to_string()).unwrap_or_default(),
                num(r.cost)
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_events_and_exact_sizes() {
        let a = generate(7, 200, 5_000).unwrap();
        // NaN marks missing values, so compare bit patterns rather than with `==`.
        let bits = |e: &SynthEvents| {
            (
                e.values
                    .iter()
                    .chain(&e.messages)
                    .chain(&e.costs)
                    .map(|v| v.to_bits())
                    .collect::<Vec<_>>(),
                e.to_csv(),
            )
        };
        assert!(bits(&a) == bits(&generate(7, 200, 5_000).unwrap()));
        assert_ne!(a.timestamps, generate(8, 200, 5_000).unwrap().timestamps);
        assert_eq!(a.len(), 5_000);
        let mut seen = [false; 200];
        for &c in &a.client_index {
            seen[c as usize] = true;
        }
        assert!(seen.iter().all(|&s| s), "every client has an event");
        assert!(
            a.timestamps.windows(2).all(|w| w[0] <= w[1]),
            "sorted by time"
        );
        let kinds: std::collections::HashSet<u8> = a.kinds.iter().copied().collect();
        assert_eq!(kinds.len(), EventKind::COUNT, "every kind appears");
    }
}
