//! The report layer: a [`Scorer`] holds checked options and a ledger, and composes the scores
//! into reports.
//!
//! - [`options`]: every rule's options under its key, checked as a whole.
//! - [`scorer`]: ingest, merge and snapshots.
//! - [`assess`]: one client's scores as of a day.
//! - [`score`]: the report — clients, portfolio, warnings.
//! - [`portfolio`]: counts, summaries, lifecycle and stickiness.
//! - [`history`]: scores over time, migrations, alerts and cohorts.
//! - [`types`]: what a report holds.

pub mod assess;
pub mod history;
pub mod options;
pub mod portfolio;
pub mod score;
pub mod scorer;
pub mod types;

pub use history::{History, HistoryOptions};
pub use options::{Config, ScoreOptions, ScorerOptions};
pub use portfolio::Period;
pub use scorer::Scorer;
pub use types::{ClientScore, Report, Warning, WarningCode};
