//! The report layer: a [`Scorer`] holds checked options and a ledger, and composes the scores
//! into reports.
//!
//! - [`options`]: every rule's options under its key, checked as a whole.
//! - [`scorer`]: ingest, merge and snapshots.
//! - [`assess`]: one client's scores as of a day.
//! - [`profile`]: the book's signals and cadence, the windows set from them, and the health
//!   model learned from its past.
//! - [`book`]: what one client's scores need to know about the others, made once and kept.
//! - [`score`]: one client's full result (`explain`), the portfolio, the report.
//! - [`table`]: every client's results as columns.
//! - [`portfolio`]: counts, summaries, lifecycle and stickiness.
//! - [`history`]: scores over time, migrations, alerts and cohorts.
//! - [`over_time`]: every client scored at every date of a history, in one pass.
//! - [`backtest`]: each score measured against what happened after a past day, beside the
//!   baselines; [`measure`]: the measures (AUC, lift, Brier, calibration); [`holdout`]: the
//!   customer-base model's forecast of purchases against the purchases made.
//! - [`types`]: what a report holds.

pub mod assess;
pub mod backtest;
pub mod book;
pub mod history;
pub mod holdout;
pub mod measure;
pub mod options;
pub mod over_time;
pub mod portfolio;
pub mod profile;
pub mod score;
pub mod scorer;
pub mod table;
pub mod types;

pub use history::{History, HistoryOptions};
pub use options::{Config, ScoreOptions, ScorerOptions};
pub use portfolio::Period;
pub use scorer::Scorer;
pub use table::{Columns, Names, Table};
pub use types::{ClientScore, Report, Warning, WarningCode};
