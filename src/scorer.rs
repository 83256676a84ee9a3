//! The scorer: options, a ledger, and the report that joins activity and engagement.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::activity::{self, Activity, LifecyclePeriod, Reason, Status, Stickiness, Thresholds};
use crate::config::{BusinessModel, Config, Mode, Period, ScorerOptions};
use crate::effectiveness::{self, Effectiveness, Recorded};
use crate::engagement::{self, Breadth, Engagement};
use crate::error::{ErrorCode, RapportError, Result};
use crate::event::{EventKind, RawEvent};
use crate::ingest::{self, Batch, Columns, CsvOptions, IngestSummary, RowIssue};
use crate::ledger::{Ledger, Tally};
use crate::models::clients::{ClientValue, CustomerBase, CustomerBaseOptions};
use crate::plays::{self, Play};
use crate::relationship::{self, LoyaltyQuadrant, Relationship, RelationshipType};
use crate::rfm::{self, Rfm, RfmSegment};
use crate::time::{self, day_of};

/// One client's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    pub effectiveness: Effectiveness,
    pub relationship: Relationship,
    /// RFM scores and segment; absent for a client with no purchase.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm: Option<Rfm>,
    /// The customer-base models' figures, when `customerBase` was asked for and the client has
    /// a purchase.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ClientValue>,
    /// Recommended plays, highest priority first.
    pub plays: Vec<Play>,
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
    pub(crate) fn add(&mut self, s: Status) {
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
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Portfolio {
    /// Clients scored (active on or before `asOf`).
    pub clients: u64,
    /// Events in the ledger.
    pub events: u64,
    pub business_model: BusinessModel,
    pub status_counts: StatusCounts,
    pub engagement: EngagementSummary,
    /// Over the clients whose effective-customer score is known; absent when none is.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<EngagementSummary>,
    /// Clients per relationship type.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<RelationshipType, number>")
    )]
    pub relationships: BTreeMap<String, u64>,
    /// Clients per loyalty–profitability quadrant.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<LoyaltyQuadrant, number>")
    )]
    pub loyalty_quadrants: BTreeMap<String, u64>,
    /// Clients per RFM segment (clients with a purchase).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<RfmSegment, number>"))]
    pub rfm_segments: BTreeMap<String, u64>,
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
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The day scored as of, `YYYY-MM-DD`.
    pub as_of: String,
    /// Per-client results, sorted by client id.
    pub clients: Vec<ClientScore>,
    pub portfolio: Portfolio,
    /// The customer-base models used, when `customerBase` was asked for.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_base: Option<CustomerBase>,
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
    /// Adds P(alive), expected purchases and lifetime value per client from the customer-base
    /// models (the `rapport/full` build only).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub customer_base: Option<CustomerBaseOptions>,
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

    /// The day to score as of: `options.asOf`, the scorer's `asOf`, or the latest event.
    pub(crate) fn resolve_as_of(
        &self,
        as_of: &Option<crate::event::TimestampInput>,
    ) -> Result<i64> {
        let as_of_ms = match as_of {
            Some(_) => crate::config::instant_option(as_of, "asOf")?,
            None => self.config.as_of_ms,
        };
        as_of_ms
            .or_else(|| self.ledger.last_event_ms())
            .ok_or_else(|| {
                RapportError::new(
                    ErrorCode::EmptyInput,
                    "nothing to score: no events have been ingested",
                )
            })
    }

    /// Which ledger features are in the catalog, and the catalog's size.
    pub(crate) fn catalog(&self) -> (Vec<bool>, usize) {
        let cfg = &self.config;
        let feature_names = self.ledger.feature_names();
        if cfg.engagement.features.is_empty() {
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
        }
    }

    /// Activity, engagement and effectiveness of ledger client `i` as of day `as_of`; `None` if
    /// it has no activity by then.
    pub(crate) fn assess(&self, i: usize, as_of: i32, ctx: &Context) -> Option<Assessment> {
        let cfg = &self.config;
        let rec = self.ledger.record(i);
        let act = activity::classify(rec, as_of, &cfg.activity)?;
        let used = rec
            .features
            .iter()
            .filter(|&&f| ctx.in_catalog[f as usize])
            .count();
        let eng = engagement::score(
            rec,
            as_of,
            Breadth {
                used,
                catalog: ctx.catalog,
            },
            &cfg.engagement,
        )?;
        let adoption = (ctx.catalog > 0).then(|| used as f64 / ctx.catalog as f64);
        let facts = relationship::Facts::of(rec, as_of)?;
        let tally = rec.tally(as_of);
        let revenue = rec.revenue_until(as_of);
        let eff = effectiveness::score(
            &tally,
            revenue,
            adoption,
            facts.tenure_days as f64,
            &ctx.recorded,
            &cfg.effectiveness,
        );
        Some(Assessment {
            activity: act,
            engagement: eng,
            effectiveness: eff,
            adoption,
            facts,
            tally,
            revenue,
        })
    }

    /// Scores every client as of the configured date (or `options.asOf`).
    pub fn score(&self, options: &ScoreOptions) -> Result<Report> {
        let as_of_ms = self.resolve_as_of(&options.as_of)?;
        let as_of = day_of(as_of_ms);
        let cfg = &self.config;
        let base = self.customer_base(options, as_of_ms)?;
        let ctx = Context::new(self);
        let mut order: Vec<usize> = (0..self.ledger.len()).collect();
        order.sort_unstable_by(|&a, &b| self.ledger.client_id(a).cmp(self.ledger.client_id(b)));
        let (mut not_yet, mut later_events) = (0u64, 0u64);
        let mut assessed: Vec<(usize, Assessment)> = Vec::with_capacity(order.len());
        for i in order {
            let rec = self.ledger.record(i);
            let upto = activity::days_until(rec, as_of);
            later_events += rec.days[upto.len()..]
                .iter()
                .map(|d| d.events as u64)
                .sum::<u64>();
            match self.assess(i, as_of, &ctx) {
                Some(a) => assessed.push((i, a)),
                None => not_yet += 1,
            }
        }
        // RFM over the clients scored that have a purchase.
        let rfm_values: Vec<(usize, rfm::RfmValues)> = assessed
            .iter()
            .enumerate()
            .filter_map(|(k, (i, _))| {
                rfm::RfmValues::of(self.ledger.record(*i), as_of).map(|v| (k, v))
            })
            .collect();
        let mut rfms: Vec<Option<rfm::Rfm>> = vec![None; assessed.len()];
        let scored = rfm::score_all(
            &rfm_values.iter().map(|v| v.1).collect::<Vec<_>>(),
            cfg.rfm.bins,
        );
        for ((k, _), r) in rfm_values.iter().zip(scored) {
            rfms[*k] = Some(r);
        }
        // Relationship types and long-term cases.
        let views: Vec<Option<ClientValue>> = assessed
            .iter()
            .map(|(i, _)| base.as_ref().and_then(|b| b.values[*i]))
            .collect();
        // The model's value of a client's next year: its lifetime value with a spend model,
        // else its expected purchases over a year at its mean purchase so far.
        let model_view = |a: &Assessment, v: &Option<ClientValue>| {
            v.map(|v| relationship::ModelView {
                p_alive: v.p_alive,
                year_value: v.clv.or_else(|| {
                    let f = &a.facts;
                    (f.on_purchases && f.occasions > 0)
                        .then(|| v.year_purchases * a.revenue / f.occasions as f64)
                }),
            })
        };
        let mut kinds = Vec::with_capacity(assessed.len());
        let mut cases = Vec::with_capacity(assessed.len());
        for ((_, a), v) in assessed.iter().zip(&views) {
            let mv = model_view(a, v);
            let kind = relationship::classify(
                &a.facts,
                a.activity.status,
                mv,
                cfg.business_model,
                &cfg.relationship,
            );
            cases.push(relationship::long_term(
                &a.facts,
                kind.0,
                a.activity.status,
                a.revenue,
                a.effectiveness.cost_to_serve,
                mv,
                cfg.business_model,
                &cfg.relationship,
            ));
            kinds.push(kind);
        }
        let loyal_days = cfg.relationship.loyal_days.unwrap_or_else(|| {
            median(
                assessed
                    .iter()
                    .map(|a| a.1.facts.active_span_days as f64)
                    .collect(),
            )
        });
        let profitable = cfg.relationship.profitable_value.unwrap_or_else(|| {
            median(
                assessed
                    .iter()
                    .map(|a| a.1.effectiveness.net_value)
                    .collect(),
            )
        });
        let median_value = median(
            cases
                .iter()
                .map(|c| c.expected_value)
                .filter(|&v| v > 0.0)
                .collect(),
        );

        let mut counts = StatusCounts::default();
        let mut relationship_counts = zero_counts(RelationshipType::ALL.map(|t| t.name()));
        let mut quadrant_counts = zero_counts(LoyaltyQuadrant::ALL.map(|q| q.name()));
        let mut segment_counts = zero_counts(RfmSegment::ALL.map(|s| s.name()));
        let mut clients = Vec::with_capacity(assessed.len());
        for (((((i, a), (kind, healthy, reason)), case), r), v) in assessed
            .into_iter()
            .zip(kinds)
            .zip(cases)
            .zip(rfms)
            .zip(views)
        {
            let rec = self.ledger.record(i);
            let (quadrant, quadrant_reason) = relationship::quadrant(
                a.facts.active_span_days,
                a.effectiveness.net_value,
                loyal_days,
                profitable,
            );
            let signals = self.signals(i, as_of, &a, case.expected_value, median_value);
            let plays = plays::recommend(&signals, &cfg.plays);
            counts.add(a.activity.status);
            *relationship_counts
                .entry(kind.name().to_string())
                .or_default() += 1;
            *quadrant_counts
                .entry(quadrant.name().to_string())
                .or_default() += 1;
            if let Some(r) = &r {
                *segment_counts
                    .entry(r.segment.name().to_string())
                    .or_default() += 1;
            }
            let act = a.activity;
            clients.push(ClientScore {
                client_id: self.ledger.client_id(i).to_string(),
                status: act.status,
                status_reason: act.reason,
                first_active: time::format_day(act.first_active_day),
                last_active: time::format_day(act.last_active_day),
                days_since_last_activity: act.days_since_last,
                cadence_days: act.cadence_days,
                thresholds: act.thresholds,
                active_days: activity::days_until(rec, as_of).len() as u32,
                events: rec.kind_counts.iter().sum(),
                purchases: rec.count(EventKind::Purchase),
                revenue: rec.revenue_total(),
                support_tickets: rec.count(EventKind::Support),
                features_used: rec.features.len() as u32,
                engagement: a.engagement,
                effectiveness: a.effectiveness,
                relationship: Relationship {
                    kind,
                    healthy,
                    reason,
                    occasions: a.facts.occasions,
                    span_days: a.facts.span_days,
                    quadrant,
                    quadrant_reason,
                    long_term: case,
                },
                rfm: r,
                value: v,
                plays,
            });
        }
        let engagement = summary_of(clients.iter().map(|c| c.engagement.score).collect());
        let effectiveness = known_summary(
            clients
                .iter()
                .filter_map(|c| c.effectiveness.score)
                .collect(),
        );
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
        if let Some(note) = base.as_ref().and_then(|b| b.spend_note.clone()) {
            warnings.push(Warning {
                code: "NO_SPEND_MODEL".into(),
                message: format!("{note}; lifetime values are left out"),
                issues: vec![],
            });
        }
        Ok(Report {
            as_of: time::format_day(as_of),
            portfolio: Portfolio {
                clients: clients.len() as u64,
                events: self.ledger.event_count(),
                business_model: cfg.business_model,
                status_counts: counts,
                engagement,
                effectiveness,
                relationships: relationship_counts,
                loyalty_quadrants: quadrant_counts,
                rfm_segments: segment_counts,
                lifecycle: Lifecycle {
                    period: cfg.period,
                    periods: activity::lifecycle(&self.ledger, as_of, cfg.period, cfg.periods),
                },
                stickiness: activity::stickiness(&self.ledger, as_of),
            },
            clients,
            customer_base: base,
            warnings,
        })
    }

    /// The play rules' inputs for ledger client `i`.
    fn signals(
        &self,
        i: usize,
        as_of: i32,
        a: &Assessment,
        expected_value: f64,
        median_value: f64,
    ) -> plays::Signals {
        let rec = self.ledger.record(i);
        let id = self.ledger.client_id(i);
        let upto = activity::days_until(rec, as_of);
        let recent = &upto[upto.partition_point(|d| d.day <= as_of - 30)..];
        let tally = &a.tally;
        let p = &self.config.plays;
        plays::Signals {
            status: Some(a.activity.status),
            engagement: a.engagement.score,
            trend: a.engagement.components.trend.raw,
            adoption: a.adoption,
            tenure_days: a.facts.tenure_days,
            mean_rating: tally.mean_rating(),
            reopened: tally.reopened,
            feedback_given: tally.count(EventKind::Feedback) + tally.count(EventKind::Review),
            cost_score: a.effectiveness.components.cost_to_serve.score,
            days_to_renewal: rec
                .last_day_of(EventKind::Renewal, as_of)
                .map(|d| (d as i64 + p.renewal_period_days as i64) - as_of as i64),
            usage_30d: recent.iter().map(|d| d.events as f64).sum(),
            usage_limit: p.usage_limits.get(id).copied(),
            expected_value,
            median_expected_value: median_value,
        }
    }

    /// The customer-base models' values of the clients, when the options ask for them.
    #[cfg(feature = "models")]
    fn customer_base(&self, options: &ScoreOptions, as_of_ms: i64) -> Result<Option<CustomerBase>> {
        options
            .customer_base
            .as_ref()
            .map(|o| crate::models::clients::value_clients(&self.ledger, as_of_ms, o))
            .transpose()
    }

    /// Without the models (the small engine build), asking for them is an error.
    #[cfg(not(feature = "models"))]
    fn customer_base(
        &self,
        options: &ScoreOptions,
        _as_of_ms: i64,
    ) -> Result<Option<CustomerBase>> {
        match options.customer_base {
            Some(_) => Err(RapportError::new(
                ErrorCode::InvalidConfig,
                "customerBase needs the customer-base models: use the package's rapport/full build",
            )
            .with_field("customerBase")),
            None => Ok(None),
        }
    }
}

/// What one client's scores are built from.
pub(crate) struct Assessment {
    pub activity: Activity,
    pub engagement: Engagement,
    pub effectiveness: Effectiveness,
    pub adoption: Option<f64>,
    pub facts: relationship::Facts,
    /// Interactions and revenue up to the day scored.
    pub tally: Tally,
    pub revenue: f64,
}

/// What every client's assessment shares.
pub(crate) struct Context {
    pub in_catalog: Vec<bool>,
    pub catalog: usize,
    pub recorded: Recorded,
}

impl Context {
    pub fn new(s: &Scorer) -> Context {
        let (in_catalog, catalog) = s.catalog();
        Context {
            in_catalog,
            catalog,
            recorded: Recorded::of(&s.ledger),
        }
    }
}

/// The median (0 for none).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Mean (one decimal) and median of scores.
pub(crate) fn summary_of(v: Vec<f64>) -> EngagementSummary {
    let n = v.len();
    EngagementSummary {
        mean: if n == 0 {
            0.0
        } else {
            (v.iter().sum::<f64>() / n as f64 * 10.0).round() / 10.0
        },
        median: median(v),
    }
}

/// [`summary_of`], or `None` for no scores.
pub(crate) fn known_summary(v: Vec<f64>) -> Option<EngagementSummary> {
    (!v.is_empty()).then(|| summary_of(v))
}

fn zero_counts<const N: usize>(names: [&str; N]) -> BTreeMap<String, u64> {
    names.iter().map(|n| (n.to_string(), 0)).collect()
}
