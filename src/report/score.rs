//! `score`: every client's results as of a day, and the portfolio. Each client is assessed on
//! its own; then come the parts that compare clients (RFM quantiles, the medians behind the
//! loyalty–profitability quadrants and the re-engagement play), then the client scores, the
//! portfolio and the warnings.

use super::assess::{Assessment, Context};
use super::options::ScoreOptions;
use super::portfolio::{
    self, known_summary, median, summary_of, zero_counts, Lifecycle, Portfolio, StatusCounts,
};
use super::scorer::Scorer;
use super::types::{ClientScore, Report, Warning, WarningCode};
use crate::error::{ErrorCode, RapportError, Result};

/// Most clients one `score` report lists.
pub const MAX_REPORT_CLIENTS: usize = 200_000;
use crate::input::event::EventKind;
use crate::input::time::{self, day_of};
use crate::models::clients::{ClientValue, CustomerBase};
use crate::scores::activity::{self, StatusReasonCode};
use crate::scores::component::Reason;
use crate::scores::plays::{self, Play};
use crate::scores::relationship::{
    self, Judged, LongTermCase, LoyaltyQuadrant, ModelView, Relationship, RelationshipReasonCode,
    RelationshipType,
};
use crate::scores::rfm::{self, Rfm, RfmSegment};

/// A client's relationship type, whether it is healthy, why, and its long-term case.
struct Kind {
    kind: RelationshipType,
    healthy: bool,
    reason: Reason<RelationshipReasonCode>,
    case: LongTermCase,
}

/// The thresholds that compare a client with the others.
struct Cuts {
    loyal_days: f64,
    profitable: f64,
    /// Median expected value over the clients whose expected value is positive.
    median_value: f64,
}

/// One assessed client with everything the report says about it, before it is written out.
struct Scored {
    index: usize,
    a: Assessment,
    kind: Kind,
    rfm: Option<Rfm>,
    value: Option<ClientValue>,
}

/// What was left out of a report, for its warnings.
#[derive(Default)]
struct LeftOut {
    clients: u64,
    events: u64,
}

impl Scorer {
    /// Scores every client as of the configured date (or `options.asOf`). Refused with
    /// `TOO_LARGE` past [`MAX_REPORT_CLIENTS`] clients.
    pub fn score(&self, options: &ScoreOptions) -> Result<Report> {
        if self.ledger().len() > MAX_REPORT_CLIENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!(
                    "a report lists at most {MAX_REPORT_CLIENTS} clients (about 2.4 KB of JSON each; a JavaScript string holds at most 512 MiB), and this ledger has {}",
                    self.ledger().len()
                ),
            ));
        }
        crate::memory::call(|| self.report(options))
    }

    fn report(&self, options: &ScoreOptions) -> Result<Report> {
        let as_of_ms = self.resolve_as_of(&options.as_of)?;
        let as_of = day_of(as_of_ms);
        let base = self.customer_base(options, as_of_ms)?;
        let (assessed, left_out) = self.assess_all(as_of)?;
        let mut rfms = self.rfm_scores(&assessed, as_of);
        let scored: Vec<Scored> = assessed
            .into_iter()
            .zip(rfms.drain(..))
            .map(|((index, a), rfm)| {
                let value = base.as_ref().and_then(|b| b.values[index]);
                let kind = self.kind_of(&a, value);
                Scored {
                    index,
                    a,
                    kind,
                    rfm,
                    value,
                }
            })
            .collect();
        let cuts = self.cuts(&scored);
        let clients: Vec<ClientScore> = scored
            .into_iter()
            .map(|s| self.client_score(s, as_of, &cuts))
            .collect();
        Ok(Report {
            as_of: time::format_day(as_of),
            portfolio: self.portfolio(&clients, as_of),
            warnings: self.warnings(&left_out, base.as_ref(), as_of),
            clients,
            customer_base: base,
        })
    }

    /// Every client active by `as_of`, sorted by id, and what was left out.
    fn assess_all(&self, as_of: i32) -> Result<(Vec<(usize, Assessment)>, LeftOut)> {
        let ledger = self.ledger();
        let ctx = Context::new(self);
        let mut order: Vec<usize> = (0..ledger.len()).collect();
        order.sort_unstable_by(|&a, &b| ledger.client_id(a).cmp(ledger.client_id(b)));
        let mut left_out = LeftOut::default();
        let mut assessed = crate::memory::vec_with_capacity(order.len())?;
        for i in order {
            crate::memory::check()?;
            let rec = ledger.record(i);
            let upto = activity::days_until(rec, as_of);
            left_out.events += rec.days[upto.len()..]
                .iter()
                .map(|d| d.events as u64)
                .sum::<u64>();
            match self.assess(i, as_of, &ctx) {
                Some(a) => assessed.push((i, a)),
                None => left_out.clients += 1,
            }
        }
        Ok((assessed, left_out))
    }

    /// RFM over the clients scored that have a purchase, in the order of `assessed`.
    fn rfm_scores(&self, assessed: &[(usize, Assessment)], as_of: i32) -> Vec<Option<Rfm>> {
        let values: Vec<(usize, rfm::RfmValues)> = assessed
            .iter()
            .enumerate()
            .filter_map(|(k, (i, _))| {
                rfm::RfmValues::of(self.ledger().record(*i), as_of).map(|v| (k, v))
            })
            .collect();
        let scored = rfm::score_all(
            &values.iter().map(|v| v.1).collect::<Vec<_>>(),
            self.config().options.rfm.bins,
        );
        let mut out = vec![None; assessed.len()];
        for ((k, _), r) in values.iter().zip(scored) {
            out[*k] = Some(r);
        }
        out
    }

    /// The relationship type and long-term case of an assessed client.
    fn kind_of(&self, a: &Assessment, value: Option<ClientValue>) -> Kind {
        let o = &self.config().options;
        // The model's value of a client's next year: its lifetime value with a spend model,
        // else its expected purchases over a year at its mean purchase so far.
        let model = value.map(|v| ModelView {
            p_alive: v.p_alive,
            year_value: v.clv.or_else(|| {
                let f = &a.facts;
                (f.on_purchases && f.occasions > 0)
                    .then(|| v.year_purchases * a.revenue / f.occasions as f64)
            }),
        });
        let judged = Judged {
            facts: &a.facts,
            status: a.activity.status,
            model,
            business: o.business_model,
        };
        let (kind, healthy, reason) = relationship::classify(&judged, &o.relationship);
        let case = relationship::long_term(
            &judged,
            kind,
            a.revenue,
            a.effectiveness.cost_to_serve,
            &o.relationship,
        );
        Kind {
            kind,
            healthy,
            reason,
            case,
        }
    }

    /// The quadrant thresholds (given or medians) and the median expected value.
    fn cuts(&self, scored: &[Scored]) -> Cuts {
        let r = &self.config().options.relationship;
        let of = |f: &dyn Fn(&Scored) -> f64| scored.iter().map(f).collect::<Vec<f64>>();
        Cuts {
            loyal_days: r
                .loyal_days
                .unwrap_or_else(|| median(of(&|s| s.a.facts.active_span_days as f64))),
            profitable: r
                .profitable_value
                .unwrap_or_else(|| median(of(&|s| s.a.effectiveness.net_value))),
            median_value: median(
                of(&|s| s.kind.case.expected_value)
                    .into_iter()
                    .filter(|&v| v > 0.0)
                    .collect(),
            ),
        }
    }

    /// A client's results as the report gives them.
    fn client_score(&self, s: Scored, as_of: i32, cuts: &Cuts) -> ClientScore {
        let rec = self.ledger().record(s.index);
        let (quadrant, quadrant_reason) = relationship::quadrant(
            s.a.facts.active_span_days,
            s.a.effectiveness.net_value,
            cuts.loyal_days,
            cuts.profitable,
        );
        let plays = self.plays_of(&s, as_of, cuts.median_value);
        let act = s.a.activity;
        let status_reason: Reason<StatusReasonCode> = act.reason;
        ClientScore {
            client_id: self.ledger().client_id(s.index).to_string(),
            status: act.status,
            status_reason,
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
            engagement: s.a.engagement,
            effectiveness: s.a.effectiveness,
            relationship: Relationship {
                kind: s.kind.kind,
                healthy: s.kind.healthy,
                reason: s.kind.reason,
                occasions: s.a.facts.occasions,
                span_days: s.a.facts.span_days,
                quadrant,
                quadrant_reason,
                long_term: s.kind.case,
            },
            rfm: s.rfm,
            value: s.value,
            plays,
        }
    }

    /// The plays of a scored client.
    fn plays_of(&self, s: &Scored, as_of: i32, median_value: f64) -> Vec<Play> {
        let rec = self.ledger().record(s.index);
        let id = self.ledger().client_id(s.index);
        let upto = activity::days_until(rec, as_of);
        let recent = &upto[upto.partition_point(|d| d.day <= as_of - 30)..];
        let (a, p) = (&s.a, &self.config().options.plays);
        let signals = plays::Signals {
            status: Some(a.activity.status),
            engagement: a.engagement.score,
            trend: a.engagement.components.trend.raw,
            adoption: a.adoption,
            tenure_days: a.facts.tenure_days,
            mean_rating: a.tally.mean_rating(),
            reopened: a.tally.reopened,
            feedback_given: a.tally.count(EventKind::Feedback) + a.tally.count(EventKind::Review),
            cost_score: a.effectiveness.components.cost_to_serve.score,
            days_to_renewal: rec
                .last_day_of(EventKind::Renewal, as_of)
                .map(|d| (d as i64 + p.renewal_period_days as i64) - as_of as i64),
            usage_30d: recent.iter().map(|d| d.events as f64).sum(),
            usage_limit: p.usage_limits.get(id).copied(),
            expected_value: s.kind.case.expected_value,
            median_expected_value: median_value,
        };
        plays::recommend(&signals, p)
    }

    /// Counts and summaries over the clients scored, and the views over time.
    fn portfolio(&self, clients: &[ClientScore], as_of: i32) -> Portfolio {
        let o = &self.config().options;
        let mut status_counts = StatusCounts::default();
        let mut relationships = zero_counts(RelationshipType::ALL.map(|t| t.name()));
        let mut loyalty_quadrants = zero_counts(LoyaltyQuadrant::ALL.map(|q| q.name()));
        let mut rfm_segments = zero_counts(RfmSegment::ALL.map(|s| s.name()));
        for c in clients {
            status_counts.add(c.status);
            *relationships
                .entry(c.relationship.kind.name().to_string())
                .or_default() += 1;
            *loyalty_quadrants
                .entry(c.relationship.quadrant.name().to_string())
                .or_default() += 1;
            if let Some(r) = &c.rfm {
                *rfm_segments
                    .entry(r.segment.name().to_string())
                    .or_default() += 1;
            }
        }
        Portfolio {
            clients: clients.len() as u64,
            events: self.ledger().event_count(),
            business_model: o.business_model,
            status_counts,
            engagement: summary_of(clients.iter().map(|c| c.engagement.score).collect()),
            effectiveness: known_summary(
                clients
                    .iter()
                    .filter_map(|c| c.effectiveness.score)
                    .collect(),
            ),
            relationships,
            loyalty_quadrants,
            rfm_segments,
            lifecycle: Lifecycle {
                period: o.period,
                periods: portfolio::lifecycle(self.ledger(), as_of, o.period, o.periods),
            },
            stickiness: portfolio::stickiness(self.ledger(), as_of),
        }
    }

    /// What the report should say about itself: skipped rows, clients and events past `asOf`,
    /// a missing spend model.
    fn warnings(&self, left: &LeftOut, base: Option<&CustomerBase>, as_of: i32) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let mut warn = |code, message: String, issues| {
            warnings.push(Warning {
                code,
                message,
                issues,
            })
        };
        let (skipped, issues) = self.skipped();
        let day = time::format_day(as_of);
        if skipped > 0 {
            let message = format!(
                "{skipped} rows were skipped in lenient mode; the first {} are listed",
                issues.len()
            );
            warn(WarningCode::RowsSkipped, message, issues.to_vec());
        }
        if left.clients > 0 {
            let message = format!(
                "{} clients have no activity on or before {day} and are not scored",
                left.clients
            );
            warn(WarningCode::ClientsAfterAsOf, message, vec![]);
        }
        if left.events > 0 {
            let message = format!(
                "{} activity events after {day} are left out of status and engagement",
                left.events
            );
            warn(WarningCode::EventsAfterAsOf, message, vec![]);
        }
        if let Some(note) = base.and_then(|b| b.spend_note.clone()) {
            let message = format!("{note}; lifetime values are left out");
            warn(WarningCode::NoSpendModel, message, vec![]);
        }
        warnings
    }

    /// The customer-base models' values of the clients, when the options ask for them.
    #[cfg(feature = "models")]
    fn customer_base(&self, options: &ScoreOptions, as_of_ms: i64) -> Result<Option<CustomerBase>> {
        options
            .customer_base
            .as_ref()
            .map(|o| crate::models::clients::value_clients(self.ledger(), as_of_ms, o))
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
                "customerBase needs the customer-base models: use the package's rapportjs/full build",
            )
            .with_field("customerBase")),
            None => Ok(None),
        }
    }
}
