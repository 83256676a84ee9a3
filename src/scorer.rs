//! The scorer: options, a ledger, and the report that joins activity and engagement.

use serde::{Deserialize, Serialize};

use crate::activity::{self, LifecyclePeriod, Reason, Status, Stickiness, Thresholds};
use crate::config::{Config, Mode, Period, ScorerOptions};
use crate::engagement::{self, Breadth, Engagement};
use crate::error::{ErrorCode, RapportError, Result};
use crate::event::{EventKind, RawEvent};
use crate::ingest::{self, Batch, Columns, CsvOptions, IngestSummary, RowIssue};
use crate::ledger::Ledger;
use crate::time::{self, day_of};

/// One client's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ClientScore {
    pub client_id: String,
    pub status: Status,
    /// Why the status: a code such as `SILENT_PAST_AT_RISK` and a sentence.
    pub status_reason: Reason,
    /// First and last active day, `YYYY-MM-DD`.
    pub first_active: String,
    pub last_active: String,
    pub days_since_last_activity: u32,
    /// Median days between active days (or the default cadence).
    pub cadence_days: f64,
    pub thresholds: Thresholds,
    pub active_days: u32,
    pub events: u64,
    pub purchases: u64,
    /// Sum of purchase and renewal values.
    pub revenue: f64,
    pub support_tickets: u64,
    pub features_used: u32,
    pub engagement: Engagement,
}

/// Clients per status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub new: u64,
    pub active: u64,
    pub at_risk: u64,
    pub dormant: u64,
    pub churned: u64,
    pub resurrected: u64,
}

impl StatusCounts {
    fn add(&mut self, s: Status) {
        *match s {
            Status::New => &mut self.new,
            Status::Active => &mut self.active,
            Status::AtRisk => &mut self.at_risk,
            Status::Dormant => &mut self.dormant,
            Status::Churned => &mut self.churned,
            Status::Resurrected => &mut self.resurrected,
        } += 1;
    }
}

/// The lifecycle view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub period: Period,
    pub periods: Vec<LifecyclePeriod>,
}

/// Engagement across the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EngagementSummary {
    pub mean: f64,
    pub median: f64,
}

/// The whole portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Portfolio {
    /// Clients scored (active on or before `asOf`).
    pub clients: u64,
    /// Events in the ledger.
    pub events: u64,
    pub status_counts: StatusCounts,
    pub engagement: EngagementSummary,
    pub lifecycle: Lifecycle,
    pub stickiness: Stickiness,
}

/// A note about the report as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: String,
    pub message: String,
    /// Skipped rows behind the warning, when it is about skipped input.
    pub issues: Vec<RowIssue>,
}

/// What `score` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The day scored as of, `YYYY-MM-DD`.
    pub as_of: String,
    /// Per-client results, sorted by client id.
    pub clients: Vec<ClientScore>,
    pub portfolio: Portfolio,
    pub warnings: Vec<Warning>,
}

/// Options for one `score` call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ScoreOptions {
    /// Overrides the scorer's `asOf` for this report.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<crate::event::TimestampInput>,
}

/// Options, a ledger, and the rows lenient batches skipped.
#[derive(Clone, Debug)]
pub struct Scorer {
    config: Config,
    ledger: Ledger,
    batches: u32,
    skipped: u64,
    issues: Vec<RowIssue>,
}

impl Scorer {
    pub fn new(options: &ScorerOptions) -> Result<Scorer> {
        Ok(Scorer {
            config: options.resolve()?,
            ledger: Ledger::new(),
            batches: 0,
            skipped: 0,
            issues: Vec::new(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn mode(&self) -> (Mode, usize) {
        (self.config.mode, self.config.max_issues)
    }

    /// Applies a validated batch; on error nothing has changed.
    pub fn ingest_batch(&mut self, batch: Batch) -> Result<IngestSummary> {
        let stats = self.ledger.apply(&batch)?;
        self.batches += 1;
        self.skipped += batch.skipped;
        let room = self.config.max_issues.saturating_sub(self.issues.len());
        self.issues
            .extend(batch.issues.iter().take(room).cloned().map(|mut i| {
                i.message = format!("batch {}: {}", self.batches, i.message);
                i
            }));
        Ok(IngestSummary {
            rows: batch.rows,
            accepted: stats.accepted,
            skipped: batch.skipped,
            issues: batch.issues,
            new_clients: stats.new_clients,
        })
    }

    pub fn ingest_records(&mut self, records: &[RawEvent]) -> Result<IngestSummary> {
        let (m, k) = self.mode();
        self.ingest_batch(ingest::from_records(records, m, k)?)
    }

    pub fn ingest_json(&mut self, text: &str) -> Result<IngestSummary> {
        let (m, k) = self.mode();
        self.ingest_batch(ingest::from_json(text, m, k)?)
    }

    pub fn ingest_csv(&mut self, text: &str, options: &CsvOptions) -> Result<IngestSummary> {
        let (m, k) = self.mode();
        self.ingest_batch(ingest::from_csv(text, options, m, k)?)
    }

    pub fn ingest_columns(&mut self, columns: &Columns<'_>) -> Result<IngestSummary> {
        let (m, k) = self.mode();
        self.ingest_batch(ingest::from_columns(columns, m, k)?)
    }

    /// Merges another scorer's ledger (e.g. from another shard or Worker) into this one.
    pub fn merge(&mut self, other: &Scorer) -> Result<()> {
        self.ledger.merge(&other.ledger)?;
        Ok(())
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.ledger.to_snapshot()
    }

    /// A scorer with the given options over a ledger read from a snapshot.
    pub fn restore(bytes: &[u8], options: &ScorerOptions) -> Result<Scorer> {
        let mut s = Scorer::new(options)?;
        s.ledger = Ledger::from_snapshot(bytes)?;
        Ok(s)
    }

    /// Merges a snapshot's ledger into this one.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<()> {
        let other = Ledger::from_snapshot(bytes)?;
        self.ledger.merge(&other)?;
        Ok(())
    }

    /// Scores every client as of the configured date (or `options.asOf`).
    pub fn score(&self, options: &ScoreOptions) -> Result<Report> {
        let as_of_ms = match &options.as_of {
            Some(_) => {
                ScorerOptions {
                    as_of: options.as_of.clone(),
                    ..ScorerOptions::default()
                }
                .resolve()?
                .as_of_ms
            }
            None => self.config.as_of_ms,
        };
        let as_of_ms = match as_of_ms.or_else(|| self.ledger.last_event_ms()) {
            Some(ms) => ms,
            None => {
                return Err(RapportError::new(
                    ErrorCode::EmptyInput,
                    "nothing to score: no events have been ingested",
                ))
            }
        };
        let as_of = day_of(as_of_ms);
        let cfg = &self.config;
        let feature_names = self.ledger.feature_names();
        // Catalog: the caller's, or all features seen. Map ledger feature ids to catalog membership.
        let (in_catalog, catalog): (Vec<bool>, usize) = if cfg.engagement.features.is_empty() {
            (vec![true; feature_names.len()], feature_names.len())
        } else {
            let set: std::collections::HashSet<&str> =
                cfg.engagement.features.iter().map(|s| s.trim()).collect();
            (
                feature_names
                    .iter()
                    .map(|f| set.contains(f.as_str()))
                    .collect(),
                set.len(),
            )
        };
        let mut order: Vec<usize> = (0..self.ledger.len()).collect();
        order.sort_unstable_by(|&a, &b| self.ledger.client_id(a).cmp(self.ledger.client_id(b)));
        let mut clients = Vec::with_capacity(order.len());
        let mut counts = StatusCounts::default();
        let (mut not_yet, mut later_events) = (0u64, 0u64);
        for i in order {
            let rec = self.ledger.record(i);
            let upto = activity::days_until(rec, as_of);
            later_events += rec.days[upto.len()..]
                .iter()
                .map(|d| d.events as u64)
                .sum::<u64>();
            let Some(act) = activity::classify(rec, as_of, &cfg.activity) else {
                not_yet += 1;
                continue;
            };
            let used = rec
                .features
                .iter()
                .filter(|&&f| in_catalog[f as usize])
                .count();
            let Some(eng) =
                engagement::score(rec, as_of, Breadth { used, catalog }, &cfg.engagement)
            else {
                continue;
            };
            counts.add(act.status);
            clients.push(ClientScore {
                client_id: self.ledger.client_id(i).to_string(),
                status: act.status,
                status_reason: act.reason,
                first_active: time::format_day(act.first_active_day),
                last_active: time::format_day(act.last_active_day),
                days_since_last_activity: act.days_since_last,
                cadence_days: act.cadence_days,
                thresholds: act.thresholds,
                active_days: upto.len() as u32,
                events: rec.kind_counts.iter().sum(),
                purchases: rec.count(EventKind::Purchase),
                revenue: rec.revenue_total(),
                support_tickets: rec.count(EventKind::Support),
                features_used: rec.features.len() as u32,
                engagement: eng,
            });
        }
        let mut scores: Vec<f64> = clients.iter().map(|c| c.engagement.score).collect();
        scores.sort_by(f64::total_cmp);
        let n = scores.len();
        let engagement = EngagementSummary {
            mean: if n == 0 {
                0.0
            } else {
                (scores.iter().sum::<f64>() / n as f64 * 10.0).round() / 10.0
            },
            median: if n == 0 {
                0.0
            } else if n % 2 == 1 {
                scores[n / 2]
            } else {
                (scores[n / 2 - 1] + scores[n / 2]) / 2.0
            },
        };
        let mut warnings = Vec::new();
        if self.skipped > 0 {
            warnings.push(Warning {
                code: "ROWS_SKIPPED".into(),
                message: format!(
                    "{} rows were skipped in lenient mode; the first {} are listed",
                    self.skipped,
                    self.issues.len()
                ),
                issues: self.issues.clone(),
            });
        }
        if not_yet > 0 {
            warnings.push(Warning {
                code: "CLIENTS_AFTER_AS_OF".into(),
                message: format!(
                    "{not_yet} clients have no activity on or before {} and are not scored",
                    time::format_day(as_of)
                ),
                issues: vec![],
            });
        }
        if later_events > 0 {
            warnings.push(Warning {
                code: "EVENTS_AFTER_AS_OF".into(),
                message: format!(
                    "{later_events} activity events after {} are left out of status and engagement",
                    time::format_day(as_of)
                ),
                issues: vec![],
            });
        }
        Ok(Report {
            as_of: time::format_day(as_of),
            portfolio: Portfolio {
                clients: clients.len() as u64,
                events: self.ledger.event_count(),
                status_counts: counts,
                engagement,
                lifecycle: Lifecycle {
                    period: cfg.period,
                    periods: activity::lifecycle(&self.ledger, as_of, cfg.period, cfg.periods),
                },
                stickiness: activity::stickiness(&self.ledger, as_of),
            },
            clients,
            warnings,
        })
    }
}
