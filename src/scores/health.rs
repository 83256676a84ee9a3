//! The health score: per client, 0–100, the probability in percent that the client is active
//! (any event but a cancellation, purchases included) within the next `horizon` days.
//!
//! It is a discrete-time survival model. Time ahead is cut into steps of `step` days; for
//! each step, a logistic regression on the client's features gives the chance of some
//! activity in that step, given none before it. Staying quiet through the horizon is the
//! product of staying quiet in each step, the features moved on as a quiet client's would
//! move (days since the last activity and tenure grow, the recent window empties):
//!
//! `health = 100 · (1 − Π_{j<m} (1 − p(x(asOf + j·step)))^{e_j})`, with `m = ⌈horizon / step⌉`
//! and `e_j = 1` but for the last step, the fraction of a step left.
//!
//! The weights are learned from the book's own past (see `report::profile`): at cut days
//! `asOf − k·step` every client's features, and whether it was active in the step after.
//! Nothing after `asOf` is read. When the past is too short to learn from, fixed weights are
//! used (the **prior**, below), and the report says so.
//!
//! Features, each on the scale given (`ln` keeps the long tails of counts and days in reach
//! of one weight):
//! - `recency`: `ln(1 + days since the last active day)`;
//! - `overdue`: `ln(1 + days since the last active day / the client's mean gap)` (the book's
//!   typical cadence for a client with one active day);
//! - `lapse`: `n · ln((days since the first active day + g) / (days from the first to the last
//!   active day + g))`, `n` the active days and `g` the book's typical cadence: quiet for long
//!   against how often the client was active (the form of the BG/NBD's odds of having left);
//!   `lapseLog`: the same with `ln(1 + n)` for `n`, which the model learns with (on the grocery
//!   log, whose regular buyers come back after long breaks, `n` itself over-punishes quiet);
//!   `lapse` is there for given weights;
//! - `frequency`: `ln(active days)`;
//! - `tenure`: `ln(1 + days since the first active day)`;
//! - `oneTime`: 1 for a client with a single active day;
//! - `recent`: `ln(1 + active days in the last windowDays days)`;
//! - `pace`: `ln((a + 1) / (u + 1))`, `a` the active days in the last window and `u` those
//!   the client's own rate since its first day gives the window (falling usage);
//! - `trend`: `(r − b) / (r + b)` of the events in the last window (`r`) and the one before
//!   (`b`), 0 when both are empty;
//! - `intensity`: `ln(events per active day)`;
//! - `tickets`, `reopened`, `onboarding`: `ln(1 + count)` of support tickets, reopened
//!   tickets and onboarding steps;
//!
//! A feature enters the model only when the book has its signal (support, onboarding, usage)
//! and it varies. A client whose latest cancellation has no activity on a later day is not
//! read by the regression: its chance per step is the share of such clients in the book's past
//! who were active in the step after (`(active + 0.5) / (cut rows + 10)`, so 5% with none to
//! learn from), the same at every step.

use serde::{Deserialize, Serialize};

use super::client::AsOf;
use super::component::Reason;
use crate::error::Result;
use crate::input::event::EventKind;
use crate::ledger::DayCount;
use crate::options;
use crate::text::{number, plural, round1, round4};

/// The number of features.
pub const FEATURES: usize = 15;

/// The features, in the order of every array here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum Feature {
    Recency,
    Overdue,
    Lapse,
    LapseLog,
    Frequency,
    Tenure,
    OneTime,
    Recent,
    Pace,
    Trend,
    Intensity,
    Tickets,
    Reopened,
    Onboarding,
    Cancelled,
}

impl Feature {
    pub const ALL: [Feature; FEATURES] = [
        Feature::Recency,
        Feature::Overdue,
        Feature::Lapse,
        Feature::LapseLog,
        Feature::Frequency,
        Feature::Tenure,
        Feature::OneTime,
        Feature::Recent,
        Feature::Pace,
        Feature::Trend,
        Feature::Intensity,
        Feature::Tickets,
        Feature::Reopened,
        Feature::Onboarding,
        Feature::Cancelled,
    ];

    /// The option key.
    pub fn key(self) -> &'static str {
        match self {
            Feature::Recency => "recency",
            Feature::Overdue => "overdue",
            Feature::Lapse => "lapse",
            Feature::LapseLog => "lapseLog",
            Feature::Frequency => "frequency",
            Feature::Tenure => "tenure",
            Feature::OneTime => "oneTime",
            Feature::Recent => "recent",
            Feature::Pace => "pace",
            Feature::Trend => "trend",
            Feature::Intensity => "intensity",
            Feature::Tickets => "tickets",
            Feature::Reopened => "reopened",
            Feature::Onboarding => "onboarding",
            Feature::Cancelled => "cancelled",
        }
    }
}

/// Weights of the health model on the features' own scales (see the module's list): what
/// `backtest({ fit: true })` returns, to pass back as `health.weights`. A feature left out
/// (or `null`) is not used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct HealthWeights {
    /// Days per step of the model (the chance each weight speaks of is per step).
    pub step_days: u32,
    /// The recent window of `recent` and `trend`, in days.
    pub window_days: u32,
    pub intercept: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recency: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse_log: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenure: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pace: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intensity: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickets: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onboarding: Option<f64>,
    /// Not a weight: the chance per step of activity of a client who cancelled and has not
    /// been active since (no feature of its own applies to it).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<f64>,
    /// The horizon's calibration, `σ(a + b·logit(p) + c·ln(horizon / step))` of the
    /// compounded chance `p`: `[a, b, c]` (none: `p` as it is).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<[f64; 3]>,
}

impl HealthWeights {
    /// Each feature's weight, in [`Feature::ALL`] order.
    pub fn by_feature(&self) -> [Option<f64>; FEATURES] {
        [
            self.recency,
            self.overdue,
            self.lapse,
            self.lapse_log,
            self.frequency,
            self.tenure,
            self.one_time,
            self.recent,
            self.pace,
            self.trend,
            self.intensity,
            self.tickets,
            self.reopened,
            self.onboarding,
            self.cancelled,
        ]
    }

    /// Weights from an array in [`Feature::ALL`] order.
    pub fn from_features(
        step_days: u32,
        window_days: u32,
        intercept: f64,
        w: [Option<f64>; FEATURES],
    ) -> HealthWeights {
        let [recency, overdue, lapse, lapse_log, frequency, tenure, one_time, recent, pace, trend, intensity, tickets, reopened, onboarding, cancelled] =
            w;
        HealthWeights {
            calibration: None,
            step_days,
            window_days,
            intercept,
            recency,
            overdue,
            lapse,
            lapse_log,
            frequency,
            tenure,
            one_time,
            recent,
            pace,
            trend,
            intensity,
            tickets,
            reopened,
            onboarding,
            cancelled,
        }
    }

    pub fn check(&self) -> Result<()> {
        options::within("stepDays", self.step_days, 1, 3660)?;
        options::within("windowDays", self.window_days, 1, 3650)?;
        // Bounded, so the log-odds of any client stay finite.
        options::within("intercept", self.intercept, -1e3, 1e3)?;
        for (f, w) in Feature::ALL.iter().zip(self.by_feature()) {
            match w {
                Some(w) if *f == Feature::Cancelled => options::probability(f.key(), w)?,
                Some(w) => options::within(f.key(), w, -1e3, 1e3)?,
                None => {}
            }
        }
        if let Some(c) = self.calibration {
            for v in c {
                options::within("calibration", v, -1e3, 1e3)?;
            }
        }
        Ok(())
    }
}

/// Health score settings (the `health` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct HealthOptions {
    /// Days ahead the health speaks of, 1 to 3,660. Default: from the book's profile, four
    /// times the typical cadence rounded up to a week, 14 to 364.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub horizon_days: Option<u32>,
    /// Days per step of the model, 1 to 3,660. Default: the typical cadence, 7 to 91, and at
    /// most the horizon; with `weights`, theirs.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub step_days: Option<u32>,
    /// The ridge penalty of the fit on standardised features (0 for none).
    pub penalty: f64,
    /// Fixed weights (from `backtest({ fit: true })`) instead of weights learned here.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub weights: Option<HealthWeights>,
}

impl Default for HealthOptions {
    fn default() -> Self {
        HealthOptions {
            horizon_days: None,
            step_days: None,
            penalty: 100.0,
            weights: None,
        }
    }
}

impl HealthOptions {
    pub fn check(&self) -> Result<()> {
        if let Some(h) = self.horizon_days {
            options::within("horizonDays", h, 1, 3660)?;
        }
        if let Some(s) = self.step_days {
            options::within("stepDays", s, 1, 3660)?;
        }
        options::non_negative("penalty", self.penalty)?;
        if let Some(w) = &self.weights {
            options::prefixed("weights", w.check())?;
        }
        Ok(())
    }
}

/// What the features of a client are read with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// The recent window, in days.
    pub window: i32,
    /// The gap assumed for a client with a single active day.
    pub default_gap: f64,
}

/// What of a client does not change while it stays quiet.
#[derive(Clone, Copy, Debug)]
pub struct Fixed<'a> {
    days: &'a [DayCount],
    first: i32,
    last: i32,
    gap: f64,
    default_gap: f64,
    values: [f64; FEATURES],
    /// Days since the last active day as of the day read, and that day.
    as_of: i32,
}

fn events(s: &[DayCount]) -> f64 {
    s.iter().map(|d| d.events as f64).sum()
}

impl<'a> Fixed<'a> {
    /// A client as of its day; `None` without activity by then.
    pub fn of(c: &AsOf<'a>, r: Reading) -> Option<Fixed<'a>> {
        let days = c.days;
        let (first, last) = (days.first()?.day, days.last()?.day);
        let n = days.len() as f64;
        let gap = if days.len() >= 2 {
            ((last - first) as f64 / (n - 1.0)).max(1.0)
        } else {
            r.default_gap.max(1.0)
        };
        let t = &c.tally;
        let cancelled = c
            .last_day_of(EventKind::Cancellation)
            .is_some_and(|d| last <= d);
        let mut values = [0.0; FEATURES];
        values[Feature::Frequency as usize] = n.ln();
        values[Feature::OneTime as usize] = (days.len() == 1) as u8 as f64;
        values[Feature::Intensity as usize] = (events(days) / n).ln();
        values[Feature::Tickets as usize] = (t.count(EventKind::Support) as f64).ln_1p();
        values[Feature::Reopened as usize] = (t.reopened as f64).ln_1p();
        values[Feature::Onboarding as usize] = (t.count(EventKind::Onboarding) as f64).ln_1p();
        values[Feature::Cancelled as usize] = cancelled as u8 as f64;
        Some(Fixed {
            days,
            first,
            last,
            gap,
            default_gap: r.default_gap.max(1.0),
            values,
            as_of: c.day,
        })
    }

    /// Whether the client's latest cancellation has no activity after it.
    pub fn cancelled(&self) -> bool {
        self.values[Feature::Cancelled as usize] > 0.0
    }

    /// The features on day `d` (on or after the client's day), had it stayed quiet since.
    pub fn at(&self, d: i32, r: Reading) -> [f64; FEATURES] {
        let mut x = self.values;
        let since = (d - self.last) as f64;
        x[Feature::Recency as usize] = since.ln_1p();
        x[Feature::Overdue as usize] = (since / self.gap).ln_1p();
        let (life, seen) = ((d - self.first) as f64, (self.last - self.first) as f64);
        let lapse = ((life + self.default_gap) / (seen + self.default_gap)).ln();
        let n = self.days.len() as f64;
        x[Feature::Lapse as usize] = n * lapse;
        x[Feature::LapseLog as usize] = n.ln_1p() * lapse;
        x[Feature::Tenure as usize] = ((d - self.first) as f64).ln_1p();
        let w = r.window;
        // Only days up to the client's own day exist; later ones are quiet.
        let days = &self.days[..self.days.partition_point(|x| x.day <= self.as_of.min(d))];
        let from = days.partition_point(|x| x.day <= d - w);
        let before = days.partition_point(|x| x.day <= d - 2 * w);
        let recent = &days[from..];
        x[Feature::Recent as usize] = (recent.len() as f64).ln_1p();
        // Active days in the window against the client's own rate since its first day.
        let tenure = (d - self.first + 1) as f64;
        let usual = days.len() as f64 * (w as f64).min(tenure) / tenure;
        x[Feature::Pace as usize] = ((recent.len() as f64 + 1.0) / (usual + 1.0)).ln();
        let (rv, bv) = (events(recent), events(&days[before..from]));
        x[Feature::Trend as usize] = if rv + bv > 0.0 {
            (rv - bv) / (rv + bv)
        } else {
            0.0
        };
        x
    }

    /// The client's human-scale value of a feature on day `d`, for its explanation.
    fn shown(&self, f: Feature, x: &[f64; FEATURES], d: i32) -> f64 {
        let v = x[f as usize];
        match f {
            Feature::Recency => (d - self.last) as f64,
            Feature::Overdue => (d - self.last) as f64 / self.gap,
            Feature::Lapse | Feature::LapseLog => self.days.len() as f64,
            Feature::Tenure => (d - self.first) as f64,
            Feature::Frequency | Feature::Intensity => v.exp(),
            // The ratio itself (of active days plus one).
            Feature::Pace => v.exp(),
            Feature::Recent | Feature::Tickets | Feature::Reopened | Feature::Onboarding => {
                v.exp_m1()
            }
            _ => v,
        }
    }
}

/// How a model came to be, for the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Learned from the book's own past.
    Learned,
    /// Weights given in the options.
    Given,
    /// The prior: the past was too short to learn from.
    Prior,
}

/// A health model: weights on the raw features, and what explanations compare with.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub source: Source,
    pub step: i32,
    pub reading: Reading,
    pub intercept: f64,
    /// Per feature; 0 for one not used.
    pub weights: [f64; FEATURES],
    pub used: [bool; FEATURES],
    /// The features' means over the rows learned from (0 without any), the point
    /// explanations measure from.
    pub mean: [f64; FEATURES],
    /// The horizon's calibration `[a, b, c]` (see [`HealthWeights::calibration`]).
    pub calibration: Option<[f64; 3]>,
    /// The chance per step of a client who cancelled and has not been active since.
    pub cancelled: f64,
}

/// The chance per step of a cancelled client with none in the past to learn from.
pub const CANCELLED_PRIOR: f64 = 0.05;

/// The chance per step of a cancelled client, from the past's cancelled client-steps and how
/// many of them were active in the step after.
pub fn cancelled_chance(rows: u64, active: u64) -> f64 {
    (active as f64 + 0.5) / (rows as f64 + 10.0)
}

/// The prior's weights: used when the book's past is too short to learn from. They are the
/// means, rounded, of the weights learned on the whole of the CDNOW sample, the grocery log and
/// the synthetic SaaS book (`synth::saas`, seed 11, 3,000 clients) over six features of gaps
/// and counts (those below), each book's intercept brought to a 30-day step by subtracting `ln(step / 30)`; see
/// docs/scoring.md. A backtest measures them like any other weights (`fit.health.priorAuc`).
pub const PRIOR: [(Feature, f64); 6] = [
    (Feature::Overdue, -0.56),
    (Feature::LapseLog, -0.47),
    (Feature::Frequency, 0.62),
    (Feature::Tenure, -0.6),
    (Feature::OneTime, 0.37),
    (Feature::Recent, 0.81),
];

/// The prior's intercept for a 30-day step; a step of `s` days adds `ln(s / 30)`.
pub const PRIOR_INTERCEPT: f64 = 0.93;

impl Model {
    /// The chance of some activity in one step, for features `x`.
    fn step_chance(&self, x: &[f64; FEATURES]) -> f64 {
        let eta = self.intercept + x.iter().zip(&self.weights).map(|(a, w)| a * w).sum::<f64>();
        // NaN only from features no book gives; read as an even chance rather than spread.
        if eta.is_nan() {
            0.5
        } else {
            super::logistic::sigmoid(eta)
        }
    }

    /// The compounded chance (0–1) of some activity within `horizon` days after the
    /// client's day, before the horizon's calibration.
    pub fn compounded(&self, f: &Fixed, horizon: u32) -> f64 {
        let step = self.step.max(1);
        if f.cancelled() {
            return 1.0 - (1.0 - self.cancelled).powf(horizon as f64 / step as f64);
        }
        let mut quiet = 1.0;
        let mut ahead = 0;
        while ahead < horizon as i32 {
            let part = (horizon as i32 - ahead).min(step) as f64 / step as f64;
            let p = self.step_chance(&f.at(f.as_of + ahead, self.reading));
            quiet *= (1.0 - p).powf(part);
            ahead += step;
        }
        1.0 - quiet
    }

    /// The compounded chance after each of the first `steps` whole steps.
    pub fn curve(&self, f: &Fixed, steps: usize) -> Vec<f64> {
        let mut quiet = 1.0;
        (0..steps)
            .map(|j| {
                let p = self.step_chance(&f.at(f.as_of + j as i32 * self.step, self.reading));
                quiet *= 1.0 - p;
                1.0 - quiet
            })
            .collect()
    }

    /// The probability (0–1) of some activity within `horizon` days after the client's day.
    pub fn probability(&self, f: &Fixed, horizon: u32) -> f64 {
        let p = self.compounded(f, horizon);
        if f.cancelled() {
            p
        } else {
            self.calibrated(p, horizon)
        }
    }

    /// Health as reported: the probability in percent, to one decimal.
    pub fn percent(&self, f: &Fixed, horizon: u32) -> f64 {
        round1(100.0 * self.probability(f, horizon))
    }

    /// The calibrated chance of the compounded chance `p` over `horizon` days.
    pub fn calibrated(&self, p: f64, horizon: u32) -> f64 {
        match self.calibration {
            Some([a, b, c]) => {
                let p = p.clamp(1e-9, 1.0 - 1e-9);
                let steps = horizon as f64 / self.step.max(1) as f64;
                super::logistic::sigmoid(a + b * (p / (1.0 - p)).ln() + c * steps.ln())
            }
            None => p,
        }
    }

    /// Weights as options (what `health.weights` takes).
    pub fn as_weights(&self) -> HealthWeights {
        let mut w: [Option<f64>; FEATURES] =
            std::array::from_fn(|k| self.used[k].then(|| round4(self.weights[k])));
        w[Feature::Cancelled as usize] = Some(round4(self.cancelled));
        HealthWeights {
            calibration: self.calibration.map(|c| c.map(round4)),
            ..HealthWeights::from_features(
                self.step as u32,
                self.reading.window as u32,
                round4(self.intercept),
                w,
            )
        }
    }

    /// A model with given weights.
    pub fn given(w: &HealthWeights, default_gap: f64, mean: [f64; FEATURES]) -> Model {
        let mut weights = [0.0; FEATURES];
        let mut used = [false; FEATURES];
        for (k, v) in w.by_feature().iter().enumerate() {
            if let (Some(v), false) = (v, k == Feature::Cancelled as usize) {
                weights[k] = *v;
                used[k] = true;
            }
        }
        Model {
            source: Source::Given,
            step: w.step_days as i32,
            reading: Reading {
                window: w.window_days as i32,
                default_gap,
            },
            intercept: w.intercept,
            weights,
            used,
            mean,
            calibration: w.calibration,
            cancelled: w.cancelled.unwrap_or(CANCELLED_PRIOR),
        }
    }

    /// The prior, per step of `step` days.
    pub fn prior(step: i32, reading: Reading, mean: [f64; FEATURES]) -> Model {
        let mut weights = [0.0; FEATURES];
        let mut used = [false; FEATURES];
        for (f, w) in PRIOR {
            weights[f as usize] = w;
            used[f as usize] = true;
        }
        Model {
            source: Source::Prior,
            step,
            reading,
            intercept: PRIOR_INTERCEPT + (step.max(1) as f64 / 30.0).ln(),
            weights,
            used,
            mean,
            calibration: None,
            cancelled: CANCELLED_PRIOR,
        }
    }
}

crate::codes! {
    /// What raises or lowers a client's health, by group of features and the way the group
    /// pulls against the book's average client.
    pub enum HealthReasonCode {
        /// Active more lately than most (recency, gaps and lapse together).
        RecentlyActive = "RECENTLY_ACTIVE",
        /// Quiet for longer than most, for its rhythm.
        LongQuiet = "LONG_QUIET",
        /// More active days, overall and lately, than most.
        Busy = "BUSY",
        /// Fewer active days, overall or lately, than most.
        LittleActivity = "LITTLE_ACTIVITY",
        /// A client for longer than most.
        LongTenure = "LONG_TENURE",
        /// A client for a shorter time than most.
        ShortTenure = "SHORT_TENURE",
        /// Active on a single day so far.
        OneTime = "ONE_TIME",
        /// Fewer support tickets, or reopened ones, than most.
        FewTickets = "FEW_TICKETS",
        /// More support tickets, or reopened ones, than most.
        TicketTrouble = "TICKET_TROUBLE",
        /// More onboarding steps done than most.
        Onboarded = "ONBOARDED",
        /// Fewer onboarding steps done than most.
        OnboardingSkipped = "ONBOARDING_SKIPPED",
        /// Cancelled, with no activity since.
        Cancelled = "CANCELLED",
    }
}

use HealthReasonCode as Code;

/// One feature of a client's health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct HealthComponent {
    pub feature: Feature,
    /// The client's value on the feature's human scale: days for `recency` and `tenure`,
    /// gaps for `overdue`, counts for the counts, events per day for `intensity`.
    pub raw: f64,
    /// The model's weight (per unit of the feature's model scale, per step).
    pub weight: f64,
    /// The feature's pull on the log-odds of activity in the next step, against the book's
    /// average client: positive raises health.
    pub effect: f64,
}

/// A client's health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// 0–100, one decimal: the chance in percent of activity within `horizonDays`.
    pub score: f64,
    pub horizon_days: u32,
    /// The features the model uses, the strongest pull first.
    pub components: Vec<HealthComponent>,
    /// The three strongest pulls, in words.
    pub reasons: Vec<Reason<HealthReasonCode>>,
}

/// The groups of features a reason speaks of.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Group {
    Quiet,
    Activity,
    Tenure,
    Support,
    Onboarding,
}

fn group(f: Feature) -> Group {
    match f {
        Feature::Recency | Feature::Overdue | Feature::Lapse | Feature::LapseLog => Group::Quiet,
        Feature::Frequency
        | Feature::Recent
        | Feature::Pace
        | Feature::Trend
        | Feature::Intensity => Group::Activity,
        Feature::Tenure | Feature::OneTime => Group::Tenure,
        Feature::Tickets | Feature::Reopened | Feature::Cancelled => Group::Support,
        Feature::Onboarding => Group::Onboarding,
    }
}

impl Fixed<'_> {
    /// What a group's reason says of the client on day `d`, and its code by the way it pulls.
    fn fact(&self, g: Group, up: bool, d: i32, r: Reading) -> (Code, String) {
        let n = self.days.len();
        let since = (d - self.last) as f64;
        let t = |k: Feature| self.values[k as usize].exp_m1();
        match g {
            Group::Quiet => {
                let gaps = if n >= 2 {
                    format!(", {} of its usual gaps", number(round1(since / self.gap)))
                } else {
                    ", after its only active day".to_string()
                };
                let code = if up {
                    Code::RecentlyActive
                } else {
                    Code::LongQuiet
                };
                let text = if since == 0.0 {
                    "active today".to_string()
                } else {
                    format!("last active {} ago{gaps}", plural(since, "day", "days"))
                };
                (code, text)
            }
            Group::Activity => {
                let from = self.days.partition_point(|x| x.day <= d - r.window);
                let code = if up { Code::Busy } else { Code::LittleActivity };
                let recent = (n - from.min(n)) as f64;
                (
                    code,
                    format!(
                        "active on {}, {} of them in the last {} days",
                        plural(n as f64, "day", "days"),
                        number(recent),
                        r.window
                    ),
                )
            }
            Group::Tenure if n == 1 && !up => (
                Code::OneTime,
                format!(
                    "active on a single day, {} ago",
                    plural(since, "day", "days")
                ),
            ),
            Group::Tenure => {
                let code = if up {
                    Code::LongTenure
                } else {
                    Code::ShortTenure
                };
                let days = (d - self.first) as f64;
                (
                    code,
                    format!("a client for {}", plural(days, "day", "days")),
                )
            }
            Group::Support => {
                let code = if up {
                    Code::FewTickets
                } else {
                    Code::TicketTrouble
                };
                let (k, re) = (t(Feature::Tickets).round(), t(Feature::Reopened).round());
                (
                    code,
                    format!(
                        "{}, {} reopened",
                        plural(k, "support ticket", "support tickets"),
                        number(re)
                    ),
                )
            }
            Group::Onboarding => {
                let code = if up {
                    Code::Onboarded
                } else {
                    Code::OnboardingSkipped
                };
                let k = t(Feature::Onboarding).round();
                (
                    code,
                    format!("{} done", plural(k, "onboarding step", "onboarding steps")),
                )
            }
        }
    }
}

/// The health of a client as of its day; with `texts`, its components and reasons too.
pub fn score(m: &Model, f: &Fixed, horizon: u32, texts: bool) -> Health {
    let mut components = Vec::new();
    let mut reasons = Vec::new();
    if texts && f.cancelled() {
        let logit = |p: f64| (p / (1.0 - p)).ln();
        components.push(HealthComponent {
            feature: Feature::Cancelled,
            raw: 1.0,
            weight: round4(m.cancelled),
            effect: round4(logit(m.cancelled.clamp(1e-6, 1.0 - 1e-6)) - logit(0.5)),
        });
        reasons.push(Reason::new(
            Code::Cancelled,
            format!(
                "cancelled, with no activity since: {}% of such clients in the past were active in a {}-day step after",
                number(round1(100.0 * m.cancelled)),
                m.step
            ),
        ));
    } else if texts {
        let x = f.at(f.as_of, m.reading);
        for (k, &feature) in Feature::ALL.iter().enumerate() {
            if m.used[k] {
                components.push(HealthComponent {
                    feature,
                    raw: round4(f.shown(feature, &x, f.as_of)),
                    weight: round4(m.weights[k]),
                    effect: round4(m.weights[k] * (x[k] - m.mean[k])),
                });
            }
        }
        components.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
        // A reason per group of features, by the group's summed pull.
        let mut pulls: Vec<(Group, f64)> = Vec::new();
        for c in &components {
            let g = group(c.feature);
            match pulls.iter_mut().find(|p| p.0 == g) {
                Some(p) => p.1 += c.effect,
                None => pulls.push((g, c.effect)),
            }
        }
        pulls.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        for (g, pull) in pulls.into_iter().filter(|p| p.1.abs() >= 0.05).take(3) {
            let up = pull > 0.0;
            let (code, fact) = f.fact(g, up, f.as_of, m.reading);
            let way = if up { "raises" } else { "lowers" };
            let text = format!("{fact}: {way} health against the book's average client");
            reasons.push(Reason::new(code, text));
        }
    }
    Health {
        score: m.percent(f, horizon),
        horizon_days: horizon,
        components,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{day, ledger_of};

    fn model(weights: &[(Feature, f64)], intercept: f64, step: i32) -> Model {
        let mut w = [0.0; FEATURES];
        let mut used = [false; FEATURES];
        for &(f, v) in weights {
            w[f as usize] = v;
            used[f as usize] = true;
        }
        Model {
            source: Source::Given,
            step,
            reading: Reading {
                window: 30,
                default_gap: 10.0,
            },
            intercept,
            weights: w,
            used,
            mean: [0.0; FEATURES],
            calibration: None,
            cancelled: CANCELLED_PRIOR,
        }
    }

    #[test]
    fn features_follow_their_definitions_and_move_as_a_quiet_clients_would() {
        let l = ledger_of(&[
            ("c", "2024-01-01", "usage"),
            ("c", "2024-01-11", "usage"),
            ("c", "2024-01-11", "usage"),
            ("c", "2024-01-31", "usage"),
            ("c", "2024-02-05", "support"),
            ("c", "2024-03-01", "usage"),
        ]);
        let r = Reading {
            window: 30,
            default_gap: 10.0,
        };
        // As of 2024-02-09 the March day is not known.
        let c = AsOf::of(l.record(0), day("2024-02-09"));
        let f = Fixed::of(&c, r).unwrap();
        let x = f.at(day("2024-02-09"), r);
        // The support ticket's day is an active day: four of them, the last on 2024-02-05.
        assert_eq!(x[Feature::Recency as usize], 4f64.ln_1p());
        assert_eq!(
            x[Feature::Overdue as usize],
            (4.0f64 / (35.0 / 3.0)).ln_1p()
        );
        assert_eq!(x[Feature::Frequency as usize], 4f64.ln());
        assert_eq!(x[Feature::Tenure as usize], 39f64.ln_1p());
        assert_eq!(x[Feature::OneTime as usize], 0.0);
        // The last 30 days (after 2024-01-10): three active days with 4 events; the 30 before:
        // 2024-01-01, with 1.
        assert_eq!(x[Feature::Recent as usize], 3f64.ln_1p());
        assert_eq!(x[Feature::Trend as usize], (4.0 - 1.0) / 5.0);
        assert_eq!(x[Feature::Tickets as usize], 1f64.ln_1p());
        assert_eq!(x[Feature::Intensity as usize], (5.0f64 / 4.0).ln());
        // Sixty quiet days on: recency and tenure grow, the window is empty.
        let later = f.at(day("2024-02-09") + 60, r);
        assert_eq!(later[Feature::Recency as usize], 64f64.ln_1p());
        assert_eq!(later[Feature::Recent as usize], 0.0);
        assert_eq!(later[Feature::Trend as usize], 0.0);
        assert_eq!(
            later[Feature::Frequency as usize],
            x[Feature::Frequency as usize]
        );
    }

    #[test]
    fn the_horizon_is_the_product_of_its_steps() {
        let l = ledger_of(&[("c", "2024-01-01", "usage"), ("c", "2024-02-01", "usage")]);
        let r = Reading {
            window: 30,
            default_gap: 10.0,
        };
        let f = Fixed::of(&AsOf::of(l.record(0), day("2024-03-01")), r).unwrap();
        // A constant chance per step: 1 − (1 − p)^(horizon / step).
        let m = model(&[], -1.0, 10);
        let p = super::super::logistic::sigmoid(-1.0);
        assert!((m.probability(&f, 30) - (1.0 - (1.0 - p).powi(3))).abs() < 1e-12);
        assert!((m.probability(&f, 25) - (1.0 - (1.0 - p).powf(2.5))).abs() < 1e-12);
        // Falling with recency: each step's chance is read at its own day.
        let m = model(&[(Feature::Recency, -0.5)], 1.0, 10);
        let since = (day("2024-03-01") - day("2024-02-01")) as f64;
        let expect = 1.0
            - (0..3)
                .map(|j| {
                    1.0 - super::super::logistic::sigmoid(
                        1.0 - 0.5 * (since + 10.0 * j as f64).ln_1p(),
                    )
                })
                .product::<f64>();
        assert!((m.probability(&f, 30) - expect).abs() < 1e-12);
        let h = score(&m, &f, 30, true);
        assert_eq!(h.score, round1(100.0 * expect));
        assert_eq!(h.components.len(), 1);
        assert_eq!(h.reasons[0].code, Code::LongQuiet);
        assert_eq!(
            h.reasons[0].text,
            "last active 29 days ago, 0.9 of its usual gaps: lowers health against the book's average client"
        );
    }
}
