//! Does a score predict anything? The backtest scores every client as of a past day from the
//! events up to it, looks at what happened next (any activity in the `horizon` days after),
//! and measures each score and the simple baselines against it (see [`super::measure`]).
//!
//! Measured: engagement, the effective-customer score, the activity status (active, then at
//! risk, dormant, churned), and with `customerBase` the model's P(alive) (a probability) and
//! expected purchases; the baselines are recency (fewer days since the last activity ranks
//! higher), frequency (active days) and the RFM code sum.

use serde::{Deserialize, Serialize};

use super::measure::{measure, Measures};
use super::options::ScoreOptions;
use super::scorer::Scorer;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::time::{self, day_of};
use crate::input::TimestampInput;
use crate::options;
use crate::scores::activity::Status;

/// Options of a backtest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BacktestOptions {
    /// The day scored as of. Default: `horizon` days before the latest event.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<TimestampInput>,
    /// Days after `asOf` in which a client counts as active. Default 90; 1 to 3,660.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub horizon: Option<u32>,
    /// Measures the customer-base model's values too (the `rapportjs/full` build only).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub customer_base: Option<crate::models::clients::CustomerBaseOptions>,
}

/// Default days of the outcome window.
pub const DEFAULT_HORIZON: u32 = 90;

/// One score's measures.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ScoreBacktest {
    /// The score: `health` (as a probability), `engagement`, `effectiveness`, `status`,
    /// `pAlive`, `expectedPurchases`,
    /// or a baseline: `recency`, `frequency`, `rfmSum`.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "\"health\" | \"engagement\" | \"effectiveness\" | \"status\" | \"pAlive\" | \"expectedPurchases\" | \"recency\" | \"frequency\" | \"rfmSum\""
        )
    )]
    pub score: String,
    pub baseline: bool,
    #[serde(flatten)]
    pub measures: Measures,
}

/// What a backtest found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Backtest {
    /// The day scored as of, and the last day of the outcome window.
    pub as_of: String,
    pub outcome_end: String,
    pub horizon: u32,
    /// Clients scored (active by `asOf`), and those active in the window after.
    pub clients: u64,
    pub active_after: u64,
    /// `activeAfter / clients`.
    pub base_rate: f64,
    pub scores: Vec<ScoreBacktest>,
}

impl BacktestOptions {
    fn horizon(&self) -> Result<u32> {
        let h = self.horizon.unwrap_or(DEFAULT_HORIZON);
        options::within("horizon", h, 1, 3660)?;
        Ok(h)
    }
}

/// The status as a rank: active (new and resurrected clients are active too) highest.
fn status_rank(s: Status) -> f64 {
    match s {
        Status::Active | Status::New | Status::Resurrected => 3.0,
        Status::AtRisk => 2.0,
        Status::Dormant => 1.0,
        Status::Churned => 0.0,
    }
}

impl Scorer {
    /// Scores the book as of `asOf` and measures each score against activity in the
    /// `horizon` days after it.
    pub fn backtest(&self, o: &BacktestOptions) -> Result<Backtest> {
        let horizon = o.horizon()?;
        let Some(last) = self.ledger().last_event_ms().map(day_of) else {
            return Err(RapportError::new(
                ErrorCode::EmptyInput,
                "nothing to backtest: no events have been ingested",
            ));
        };
        let as_of = match &o.as_of {
            Some(_) => day_of(self.resolve_as_of(&o.as_of)?),
            None => last - horizon as i32,
        };
        let end = as_of + horizon as i32;
        if last < end {
            return Err(options::bad(
                "horizon",
                format!(
                    "the outcome window ends on {}, after the latest event ({}): what happened then is not known yet; choose an earlier asOf or a shorter horizon",
                    time::format_day(end),
                    time::format_day(last),
                ),
            ));
        }
        let score_options = ScoreOptions {
            as_of: Some(TimestampInput::EpochMs(
                (as_of as i64 * time::MS_PER_DAY) as f64,
            )),
            customer_base: o.customer_base.clone(),
            horizon: Some(horizon),
        };
        let book = self.book(&score_options)?;
        let table = self.score_table(&score_options)?;
        let ledger = self.ledger();
        let outcomes: Vec<bool> = book
            .order
            .iter()
            .map(|&i| {
                let days = &ledger.record(i as usize).days;
                let from = days.partition_point(|d| d.day <= as_of);
                days.get(from).is_some_and(|d| d.day <= end)
            })
            .collect();
        let c = &table.columns;
        let f32s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        let mut measured: Vec<(&str, bool, Vec<f64>, bool)> = vec![
            (
                "health",
                false,
                c.health.iter().map(|&h| h as f64 / 100.0).collect(),
                true,
            ),
            ("engagement", false, f32s(&c.engagement), false),
            ("effectiveness", false, f32s(&c.effectiveness), false),
            (
                "status",
                false,
                c.status
                    .iter()
                    .map(|&k| status_rank(table.names.status[k as usize]))
                    .collect(),
                false,
            ),
        ];
        if let Some(p) = &c.p_alive {
            measured.push(("pAlive", false, p.clone(), true));
        }
        if let Some(e) = &c.expected_purchases {
            measured.push(("expectedPurchases", false, e.clone(), false));
        }
        measured.push((
            "recency",
            true,
            c.days_since_last_activity
                .iter()
                .map(|&d| -(d as f64))
                .collect(),
            false,
        ));
        measured.push((
            "frequency",
            true,
            c.active_days.iter().map(|&d| d as f64).collect(),
            false,
        ));
        let digit_sum = |code: u16| {
            if code == 0 {
                f64::NAN
            } else {
                (code / 100 + code / 10 % 10 + code % 10) as f64
            }
        };
        measured.push((
            "rfmSum",
            true,
            c.rfm.iter().map(|&r| digit_sum(r)).collect(),
            false,
        ));
        let active_after = outcomes.iter().filter(|&&o| o).count() as u64;
        let clients = outcomes.len() as u64;
        Ok(Backtest {
            as_of: time::format_day(as_of),
            outcome_end: time::format_day(end),
            horizon,
            clients,
            active_after,
            base_rate: if clients > 0 {
                active_after as f64 / clients as f64
            } else {
                0.0
            },
            scores: measured
                .into_iter()
                .map(|(name, baseline, v, p)| ScoreBacktest {
                    score: name.to_string(),
                    baseline,
                    measures: measure(&v, &outcomes, p),
                })
                .collect(),
        })
    }
}
