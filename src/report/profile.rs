//! The book's profile, as of a day: which signals it has (usage, purchases, support,
//! feedback, onboarding, renewals, cancellations) and its typical cadence, the median gap
//! between a client's active days. The windows of the scores are set in proportion to the
//! cadence, unless the options set them, so engagement on purchase data is not "bought in the
//! last 30 days" and on daily-usage data still reacts within days:
//!
//! | setting | from the typical cadence `c` (days) |
//! | --- | --- |
//! | `engagement.windowDays` | `10·c`, 28 to 365 |
//! | `engagement.recencyHalfLifeDays` | `3·c`, 7 to 180 |
//! | `engagement.frequencyTargetDays` | `0.4 · windowDays / c`, at least 1 |
//! | `activity.defaultCadenceDays` | `c` |
//! | `health.horizonDays` | `4·c` rounded up to a week, 14 to 364 |
//! | `health.stepDays` | `c`, 7 to 91, at most the horizon |
//!
//! The health model's weights are learned here too, from the book's own past (see
//! [`crate::scores::health`]): at the cut days `asOf − k·step` (k = 1, 2, … while a step of
//! history remains before the cut, at most 24 cuts), each client active by then gives a row of
//! features and whether it was active in the step after. Rows are sampled evenly across
//! clients to at most 20,000. With fewer than 25 active and 25 quiet rows the prior is used.

use serde::Serialize;

use crate::error::Result;
use crate::input::event::EventKind;
use crate::ledger::Ledger;
use crate::scores::client::{AsOf, Sweep};
use crate::scores::health::{
    Feature, Fixed, HealthOptions, HealthWeights, Model, Reading, Source, FEATURES,
};
use crate::scores::logistic::Logistic;
use crate::scores::{ActivityOptions, EngagementOptions};
use crate::text::{round1, round4};

/// Most clients the profile looks at (evenly spaced over the ledger).
const PROFILE_SAMPLE: usize = 20_000;
/// Most rows the health model learns from.
const FIT_ROWS: usize = 20_000;
/// Most cut days.
const MAX_CUTS: i32 = 24;
/// Fewest active and quiet rows to learn from.
const MIN_CLASS: usize = 25;

/// Events of each signal, up to the day, among the clients looked at.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Signals {
    pub usage: u64,
    pub purchases: u64,
    pub support: u64,
    pub feedback: u64,
    pub onboarding: u64,
    pub renewals: u64,
    pub cancellations: u64,
}

/// How the health model came to be.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct HealthProfile {
    pub horizon_days: u32,
    pub step_days: u32,
    /// `learned` from the book's past, `given` in the options, or the `prior`.
    pub source: Source,
    /// Why the prior was used, when it was.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Cut days, rows and the rows active in the step after, of the past learned from.
    pub cuts: u32,
    pub rows: u64,
    pub active_rows: u64,
    /// The weights used, ready for `health.weights`.
    pub weights: HealthWeights,
    /// Standard errors of the learned weights.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<HealthWeights>,
}

/// What a report was scored with.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Clients looked at (all of them, or an even sample of 20,000).
    pub clients: u64,
    pub signals: Signals,
    /// The typical cadence: the median over clients with three or more active days of the
    /// median gap between them (with fewer such clients, of the mean gap of those with two; 30
    /// without any).
    pub cadence_days: f64,
    /// Clients the cadence is the median of.
    pub cadence_clients: u64,
    pub window_days: u32,
    pub recency_half_life_days: f64,
    pub frequency_target_days: f64,
    pub default_cadence_days: f64,
    pub health: HealthProfile,
}

/// Settings resolved from the options and the profile: what the scores are computed with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub engagement: EngagementOptions,
    pub activity: ActivityOptions,
    pub health: Option<(Model, u32)>,
    pub profile: Profile,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// FNV-1a of a client id: the same on every platform, whatever order the ledger holds its
/// clients in.
fn fnv(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// About `most` ledger indexes (all when there are no more), chosen by a hash of the client id
/// and sorted by id, so the rows learned from, and so the weights, do not depend on the order
/// events arrived in.
fn sample(ledger: &Ledger, most: usize) -> Vec<usize> {
    let n = ledger.len();
    let stride = n.div_ceil(most.max(1)).max(1) as u64;
    let mut picked: Vec<usize> = (0..n)
        .filter(|&i| stride == 1 || fnv(ledger.client_id(i)).is_multiple_of(stride))
        .collect();
    picked.sort_unstable_by(|&a, &b| ledger.client_id(a).cmp(ledger.client_id(b)));
    picked
}

/// The signals and the typical cadence as of `day`.
fn look(ledger: &Ledger, day: i32) -> (u64, Signals, f64, u64, Option<i32>) {
    let mut s = Signals::default();
    let (mut medians, mut means) = (Vec::new(), Vec::new());
    let mut clients = 0;
    let mut first: Option<i32> = None;
    for i in sample(ledger, PROFILE_SAMPLE) {
        let c = AsOf::of(ledger.record(i), day);
        let Some(f) = c.days.first() else { continue };
        clients += 1;
        first = Some(first.map_or(f.day, |d| d.min(f.day)));
        let t = &c.tally;
        let renewals = t.count(EventKind::Renewal);
        let bought: u64 = c.bought.iter().map(|b| b.count as u64).sum();
        let purchases = bought.saturating_sub(renewals);
        let others: u64 = t.kinds.iter().sum::<u64>() - t.count(EventKind::Cancellation);
        let all: u64 = c.days.iter().map(|d| d.events as u64).sum();
        s.usage += all.saturating_sub(purchases + others);
        s.purchases += purchases;
        s.support += t.count(EventKind::Support);
        s.feedback += t.count(EventKind::Feedback);
        s.onboarding += t.count(EventKind::Onboarding);
        s.renewals += renewals;
        s.cancellations += t.count(EventKind::Cancellation);
        if let Some(m) = c.cadence {
            medians.push(m);
        } else if c.days.len() == 2 {
            means.push((c.days[1].day - c.days[0].day) as f64);
        }
    }
    let (cadence, n) = if medians.len() >= 20 {
        let n = medians.len() as u64;
        (median(medians).unwrap_or(30.0), n)
    } else {
        means.extend(medians);
        let n = means.len() as u64;
        (median(means).unwrap_or(30.0), n)
    };
    (clients, s, cadence.max(1.0), n, first)
}

/// The features the book has the signals for (`lapse` is for given weights only; cancelled
/// clients have their own chance).
fn candidates(s: &Signals) -> [bool; FEATURES] {
    Feature::ALL.map(|f| match f {
        Feature::Recency
        | Feature::Overdue
        | Feature::LapseLog
        | Feature::Frequency
        | Feature::Tenure
        | Feature::OneTime
        | Feature::Recent
        | Feature::Pace
        | Feature::Trend => true,
        Feature::Intensity => s.usage > 0,
        Feature::Tickets | Feature::Reopened => s.support > 0,
        Feature::Onboarding => s.onboarding > 0,
        Feature::Lapse | Feature::Cancelled => false,
    })
}

/// Rows of features at the cut days and whether each client was active in the step after.
pub struct Rows {
    pub x: Vec<[f64; FEATURES]>,
    pub y: Vec<bool>,
    /// Per row: the ledger index and the cut (`k` of `day − k·step`).
    pub at: Vec<(u32, u32)>,
    pub cuts: u32,
}

/// The rows to learn from, as of `day`: cuts `day − k·step` while a step of history remains.
pub fn rows(ledger: &Ledger, day: i32, first: i32, step: i32, reading: Reading) -> Result<Rows> {
    let cuts = (1..=MAX_CUTS)
        .map(|k| day - k * step)
        .take_while(|&t| t >= first + step)
        .collect::<Vec<_>>();
    let most = FIT_ROWS / cuts.len().max(1);
    let (mut x, mut y, mut at) = (Vec::new(), Vec::new(), Vec::new());
    let mut sweep = Sweep::default();
    for i in sample(ledger, most) {
        crate::memory::check()?;
        let rec = ledger.record(i);
        // The cuts from the earliest, each step costing only the entries since the one before.
        sweep.reset();
        for (k, &t) in cuts.iter().enumerate().rev() {
            let c = sweep.at(rec, t);
            let Some(f) = Fixed::of(&c, reading) else {
                continue;
            };
            let next = c.days.len();
            x.push(f.at(t, reading));
            y.push(rec.days.get(next).is_some_and(|d| d.day <= t + step));
            at.push((i as u32, k as u32 + 1));
        }
    }
    Ok(Rows {
        x,
        y,
        at,
        cuts: cuts.len() as u32,
    })
}

fn means(rows: &Rows) -> [f64; FEATURES] {
    let mut m = [0.0; FEATURES];
    for r in &rows.x {
        for k in 0..FEATURES {
            m[k] += r[k];
        }
    }
    if !rows.x.is_empty() {
        m.iter_mut().for_each(|v| *v /= rows.x.len() as f64);
    }
    m
}

/// Learns the health model from `rows` over the features `allowed`; `None` when the rows are
/// too few.
pub fn learn(
    rows: &Rows,
    allowed: [bool; FEATURES],
    step: i32,
    reading: Reading,
    penalty: f64,
) -> std::result::Result<(Model, [f64; FEATURES]), String> {
    // Cancelled clients have their own chance (see `scores::health`); the rest are fitted.
    let cancelled = |r: &[f64; FEATURES]| r[Feature::Cancelled as usize] > 0.0;
    let (mut gone, mut back) = (0u64, 0u64);
    let mut keep = Vec::with_capacity(rows.y.len());
    for (r, &y) in rows.x.iter().zip(&rows.y) {
        if cancelled(r) {
            gone += 1;
            back += y as u64;
        }
        keep.push(!cancelled(r));
    }
    let rows = &Rows {
        x: rows
            .x
            .iter()
            .zip(&keep)
            .filter(|p| *p.1)
            .map(|p| *p.0)
            .collect(),
        y: rows
            .y
            .iter()
            .zip(&keep)
            .filter(|p| *p.1)
            .map(|p| *p.0)
            .collect(),
        at: rows
            .at
            .iter()
            .zip(&keep)
            .filter(|p| *p.1)
            .map(|p| *p.0)
            .collect(),
        cuts: rows.cuts,
    };
    let active = rows.y.iter().filter(|&&v| v).count();
    let quiet = rows.y.len() - active;
    if active < MIN_CLASS || quiet < MIN_CLASS {
        return Err(format!(
            "the past before the day scored gives {active} active and {quiet} quiet client-steps of {step} days; at least {MIN_CLASS} of each are needed to learn from"
        ));
    }
    let mean = means(rows);
    // Features with no spread in the rows tell nothing.
    let mut used = allowed;
    for k in 0..FEATURES {
        if used[k] {
            let spread = rows.x.iter().any(|r| (r[k] - rows.x[0][k]).abs() > 1e-9);
            used[k] = spread;
        }
    }
    let cols: Vec<usize> = (0..FEATURES).filter(|&k| used[k]).collect();
    if cols.is_empty() {
        return Err("no feature varies across the past's client-steps".to_string());
    }
    let mut flat = Vec::with_capacity(rows.x.len() * cols.len());
    for r in &rows.x {
        flat.extend(cols.iter().map(|&k| r[k]));
    }
    let fit = Logistic::fit(&flat, &rows.y, cols.len(), penalty)
        .ok_or_else(|| "the rows could not be fitted".to_string())?;
    let (intercept, raw) = fit.raw();
    let se = fit.raw_se();
    let mut weights = [0.0; FEATURES];
    let mut errors = [0.0; FEATURES];
    for (j, &k) in cols.iter().enumerate() {
        weights[k] = raw[j];
        errors[k] = se[j];
    }
    Ok((
        Model {
            source: Source::Learned,
            step,
            reading,
            intercept,
            weights,
            used,
            mean,
            calibration: None,
            cancelled: crate::scores::health::cancelled_chance(gone, back),
        },
        errors,
    ))
}

/// Most rows the horizon's calibration is fitted on.
const CALIBRATION_ROWS: usize = 2_000;
/// The horizons, in steps, the calibration compares at.
const CALIBRATION_STEPS: [u32; 9] = [1, 2, 3, 4, 6, 8, 12, 16, 24];

/// Calibrates the compounding of `m` on the book's past: for rows at cut `k`, the compounded
/// chance over `j ≤ k` steps against activity in those `j` steps, fitted as
/// `σ(a + b·logit(p) + c·ln j)`. `None` when the rows are too few.
pub fn calibrate(ledger: &Ledger, day: i32, rows: &Rows, m: &Model) -> Result<Option<[f64; 3]>> {
    let stride = rows.at.len().div_ceil(CALIBRATION_ROWS).max(1);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for &(i, k) in rows.at.iter().step_by(stride) {
        crate::memory::check()?;
        let rec = ledger.record(i as usize);
        let t = day - k as i32 * m.step;
        let c = AsOf::of(rec, t);
        let Some(f) = Fixed::of(&c, m.reading).filter(|f| !f.cancelled()) else {
            continue;
        };
        let next = rec.days.get(c.days.len()).map(|d| d.day);
        let curve = m.curve(&f, k as usize);
        for &j in CALIBRATION_STEPS.iter().filter(|&&j| j <= k) {
            let p = curve[j as usize - 1].clamp(1e-9, 1.0 - 1e-9);
            x.extend([
                (p / (1.0 - p)).ln(),
                (j as f64).ln(),
                (k * m.step as u32) as f64 / 365.0,
            ]);
            y.push(next.is_some_and(|d| d <= t + j as i32 * m.step));
        }
    }
    let active = y.iter().filter(|&&v| v).count();
    if active < MIN_CLASS || y.len() - active < MIN_CLASS {
        return Ok(None);
    }
    Ok(Logistic::fit(&x, &y, 3, 0.0).map(|l| {
        let (a, c) = l.raw();
        [a, c[0], c[1]]
    }))
}

/// Rounds a whole number of days into `lo..=hi`.
fn days(x: f64, lo: u32, hi: u32) -> u32 {
    (x.round().max(0.0) as u32).clamp(lo, hi)
}

/// The profile of `ledger` as of `day`, and the settings it gives with the options. The
/// health model is made (learned, given or the prior) when `health_horizon` is `Some`: the
/// horizon asked for, or `None` inside for the profile's own.
pub fn settings(
    ledger: &Ledger,
    day: i32,
    engagement: &EngagementOptions,
    activity: &ActivityOptions,
    health: &HealthOptions,
    health_horizon: Option<Option<u32>>,
) -> Result<Settings> {
    let (clients, signals, c, cadence_clients, first) = look(ledger, day);
    let mut e = engagement.clone();
    let window = *e.window_days.get_or_insert(days(10.0 * c, 28, 365));
    let half_life = *e
        .recency_half_life_days
        .get_or_insert(days(3.0 * c, 7, 180) as f64);
    let target = *e
        .frequency_target_days
        .get_or_insert(round1((0.4 * window as f64 / c).max(1.0)));
    let mut a = activity.clone();
    let default_cadence = *a.default_cadence_days.get_or_insert(round1(c));
    let horizon_default = days((4.0 * c / 7.0).ceil() * 7.0, 14, 364);
    let horizon = health_horizon
        .flatten()
        .or(health.horizon_days)
        .unwrap_or(horizon_default);
    // Given weights speak per their own step.
    let step = health
        .weights
        .as_ref()
        .map(|w| w.step_days)
        .or(health.step_days)
        .unwrap_or_else(|| days(c, 7, 91).min(horizon)) as i32;
    let reading = Reading {
        window: health
            .weights
            .as_ref()
            .map_or(window as i32, |w| w.window_days as i32),
        default_gap: c,
    };
    let mut hp = HealthProfile {
        horizon_days: horizon,
        step_days: step as u32,
        source: Source::Prior,
        note: None,
        cuts: 0,
        rows: 0,
        active_rows: 0,
        weights: HealthWeights::default(),
        standard_errors: None,
    };
    let model = match health_horizon {
        None => None,
        Some(_) => {
            let rows = match first {
                Some(first) => rows(ledger, day, first, step, reading)?,
                None => Rows {
                    x: Vec::new(),
                    y: Vec::new(),
                    at: Vec::new(),
                    cuts: 0,
                },
            };
            hp.cuts = rows.cuts;
            hp.rows = rows.y.len() as u64;
            hp.active_rows = rows.y.iter().filter(|&&v| v).count() as u64;
            let model = match &health.weights {
                Some(w) => Model::given(w, c, means(&rows)),
                None => match learn(&rows, candidates(&signals), step, reading, health.penalty) {
                    Ok((mut m, se)) => {
                        m.calibration = calibrate(ledger, day, &rows, &m)?;
                        let mut s = [None; FEATURES];
                        for k in 0..FEATURES {
                            if m.used[k] {
                                s[k] = Some(round4(se[k]));
                            }
                        }
                        hp.standard_errors = Some(HealthWeights::from_features(
                            step as u32,
                            reading.window as u32,
                            0.0,
                            s,
                        ));
                        m
                    }
                    Err(why) => {
                        hp.note = Some(why);
                        Model::prior(step, reading, means(&rows))
                    }
                },
            };
            hp.source = model.source.clone();
            hp.weights = model.as_weights();
            Some((model, horizon))
        }
    };
    Ok(Settings {
        engagement: e,
        activity: a,
        health: model,
        profile: Profile {
            clients,
            signals,
            cadence_days: round1(c),
            cadence_clients,
            window_days: window,
            recency_half_life_days: half_life,
            frequency_target_days: target,
            default_cadence_days: default_cadence,
            health: hp,
        },
    })
}
