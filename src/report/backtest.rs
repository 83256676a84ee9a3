//! Does a score predict anything? The backtest scores every client as of a past day from the
//! events up to it, looks at what happened next (any activity in the `horizon` days after),
//! and measures each score and the simple baselines against it (see [`super::measure`]).
//!
//! Measured: engagement, the effective-customer score, the activity status (active, then at
//! risk, dormant, churned), and with `customerBase` the model's P(alive) (a probability) and
//! expected purchases; the baselines are recency (fewer days since the last activity ranks
//! higher), frequency (active days) and the RFM code sum. With `customerBase`, the model's
//! expected purchases are over the outcome window (its `horizon` is set from the backtest's),
//! and [`super::holdout`] sets them beside the purchases made in it.

use serde::{Deserialize, Serialize};

use super::book::Book;
use super::measure::{measure, Measures};
use super::options::ScoreOptions;
use super::scorer::Scorer;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::time::{self, day_of};
use crate::input::TimestampInput;
use crate::models::clients::CustomerBaseOptions;
use crate::options;
use crate::scores::activity::Status;
use crate::scores::client::AsOf;
use crate::scores::engagement::{self, EngagementOptions, EngagementWeights};
use crate::scores::health::{Fixed, Model};
use crate::scores::logistic::Logistic;
use crate::text::round4;

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
    /// Measures the customer-base model's values too (the `rapportjs/full` build only), and
    /// checks its forecast of the outcome window (see `holdout` in the result). Its `horizon`
    /// is the backtest's, in the model's unit.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub customer_base: Option<crate::models::clients::CustomerBaseOptions>,
    /// Learns the weights of health and engagement from the events up to `asOf`, and measures
    /// them after it beside the defaults (see `fit` in the result).
    pub fit: bool,
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
    /// The book's profile as of `asOf`, with the health model measured.
    pub profile: super::profile::Profile,
    /// With `customerBase`: the model's expected purchases in the outcome window against the
    /// purchases made in it, by repeat purchases before `asOf`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holdout: Option<super::holdout::Holdout>,
    /// With `fit`: the weights learned from the events up to `asOf`, and how they did after it.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fitted>,
}

/// Weights learned from a book's own history, ready to pass back as options, each measured
/// out of time (after `asOf`, on outcomes the fit never saw) beside the default.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Fitted {
    pub health: FittedHealth,
    pub engagement: FittedEngagement,
}

/// The health model learned from the events up to `asOf` (what `health.weights` takes), and
/// the prior's weights beside it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FittedHealth {
    /// `learned`, or `prior` when the history was too short to learn from.
    pub source: crate::scores::health::Source,
    pub weights: crate::scores::health::HealthWeights,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<crate::scores::health::HealthWeights>,
    /// AUC after `asOf` of the learned model, and of the prior's fixed weights.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub auc: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub prior_auc: Option<f64>,
}

/// Engagement weights learned by a ridge logistic regression of activity in a window on the
/// five components at its start, both before `asOf`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FittedEngagement {
    /// The window learned from: scored as of `from`, active by `to` (at most `asOf`).
    pub from: String,
    pub to: String,
    pub clients: u64,
    /// Per component, the change in log-odds per 100 points of its score, and its standard
    /// error (a component unknown for every client gets 0).
    pub coefficients: crate::scores::engagement::EngagementWeights,
    pub standard_errors: crate::scores::engagement::EngagementWeights,
    /// The coefficients as `engagement.weights` (negative ones at 0, summing to 1); the
    /// defaults when none is positive.
    pub weights: crate::scores::engagement::EngagementWeights,
    /// AUC after `asOf` of engagement with these weights, and with the scorer's own.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub auc: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub default_auc: Option<f64>,
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
            customer_base: o.customer_base.clone().map(|b| CustomerBaseOptions {
                horizon: Some(horizon as f64 / b.unit.days()),
                ..b
            }),
            horizon: Some(horizon),
        };
        let (table, book) = self.table_and_book(&score_options)?;
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
        let holdout = match (&table.customer_base, &c.expected_purchases) {
            (Some(b), Some(e)) => Some(super::holdout::holdout(
                ledger,
                &book.order,
                e,
                as_of,
                end,
                b.model,
            )),
            _ => None,
        };
        let fit = if o.fit {
            Some(self.fitted(&book, &outcomes, horizon, &c.health)?)
        } else {
            None
        };
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
            profile: book.ctx.profile.clone(),
            holdout,
            fit,
        })
    }

    /// The weights learned from the events up to the book's day, measured after it.
    fn fitted(
        &self,
        book: &Book,
        outcomes: &[bool],
        horizon: u32,
        health: &[f32],
    ) -> Result<Fitted> {
        let ledger = self.ledger();
        let ctx = &book.ctx;
        let clients: Vec<AsOf> = book
            .order
            .iter()
            .map(|&i| AsOf::of(ledger.record(i as usize), book.as_of))
            .collect();
        let auc = |v: Vec<f64>| measure(&v, outcomes, false).auc;
        // Health: the book's model as learned, against the prior's fixed weights.
        let health = match &ctx.health {
            Some((m, h)) => {
                let prior = Model::prior(m.step, m.reading, m.mean);
                // As the table gives health: in percent, to one decimal.
                let p = |m: &Model| {
                    clients
                        .iter()
                        .map(|c| {
                            Fixed::of(c, m.reading)
                                .map_or(f64::NAN, |f| m.percent(&f, *h) as f32 as f64)
                        })
                        .collect::<Vec<_>>()
                };
                FittedHealth {
                    source: m.source.clone(),
                    weights: m.as_weights(),
                    standard_errors: ctx.profile.health.standard_errors.clone(),
                    auc: auc(health.iter().map(|&x| x as f64).collect()),
                    prior_auc: auc(p(&prior)),
                }
            }
            None => return Err(RapportError::new(ErrorCode::EmptyInput, "no health model")),
        };
        // Engagement: components at `from`, activity in (from, to].
        let first = clients
            .iter()
            .filter_map(|c| c.days.first())
            .map(|d| d.day)
            .min();
        let span = first.map_or(0, |f| book.as_of - f);
        let window = (horizon as i32).min(span / 2).max(1);
        let (from, to) = (book.as_of - window, book.as_of);
        let o = &ctx.engagement;
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for &i in &book.order {
            crate::memory::check()?;
            let rec = ledger.record(i as usize);
            let c = AsOf::of(rec, from);
            // Breadth reads every feature a client ever used, after `from` too: left out.
            let none = engagement::Breadth {
                used: 0,
                catalog: 0,
            };
            let Some(e) = engagement::score(&c, none, o, false) else {
                continue;
            };
            let k = &e.components;
            for part in [&k.recency, &k.frequency, &k.breadth, &k.depth, &k.trend] {
                x.push(part.score.unwrap_or(50.0) / 100.0);
            }
            y.push(rec.days.get(c.days.len()).is_some_and(|d| d.day <= to));
        }
        let fit = Logistic::fit(&x, &y, 5, 1.0);
        let weights = |v: [f64; 5]| EngagementWeights {
            recency: v[0],
            frequency: v[1],
            breadth: v[2],
            depth: v[3],
            trend: v[4],
        };
        let (coef, se) = match &fit {
            Some(f) => {
                let (c, se) = (f.raw().1, f.raw_se());
                (
                    std::array::from_fn(|j| round4(c[j])),
                    std::array::from_fn(|j| round4(se[j])),
                )
            }
            None => ([0.0; 5], [0.0; 5]),
        };
        let positive: f64 = coef.iter().map(|c| c.max(0.0)).sum();
        let learned = if positive > 0.0 {
            weights(coef.map(|c| round4(c.max(0.0) / positive)))
        } else {
            o.weights.clone()
        };
        let with = |w: &EngagementWeights| {
            let o = EngagementOptions {
                weights: w.clone(),
                ..o.clone()
            };
            clients
                .iter()
                .zip(&book.order)
                .map(|(c, &i)| {
                    let b = ctx.breadth(ledger.record(i as usize)).0;
                    engagement::total(c, b, &o).unwrap_or(f64::NAN)
                })
                .collect::<Vec<_>>()
        };
        let engagement = FittedEngagement {
            from: time::format_day(from),
            to: time::format_day(to),
            clients: y.len() as u64,
            coefficients: weights(coef),
            standard_errors: weights(se),
            auc: auc(with(&learned)),
            default_auc: auc(with(&o.weights)),
            weights: learned,
        };
        Ok(Fitted { health, engagement })
    }
}
