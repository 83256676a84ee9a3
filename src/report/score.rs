//! One client's full result, and the report. [`Scorer::evaluate`] scores a client against its
//! [book](super::book): the same function behind `explain`, the table and the report, so all
//! three give the same numbers; its sentences are written only when asked for.

use super::assess::Assessment;
use super::book::{Book, LeftOut};
use super::options::ScoreOptions;
use super::portfolio::{self, known_summary, summary_of, Lifecycle, Portfolio, StatusCounts};
use super::scorer::Scorer;
use super::types::{ClientScore, Report, Warning, WarningCode};
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::event::EventKind;
use crate::input::time;
use crate::models::clients::{ClientValue, CustomerBase};
use crate::scores::activity::Status;
use crate::scores::component::{Reason, Upper};
use crate::scores::health::Health;
use crate::scores::plays::{self, Play};
use crate::scores::relationship::{
    self, Judged, LongTermCase, LoyaltyQuadrant, ModelView, Relationship, RelationshipReasonCode,
    RelationshipType,
};
use crate::scores::rfm::{Rfm, RfmSegment};

/// Most clients one `score` report lists.
pub const MAX_REPORT_CLIENTS: usize = 200_000;

/// A client's relationship type, whether it is healthy, why, and its long-term case.
pub struct Kind {
    pub kind: RelationshipType,
    pub healthy: bool,
    pub reason: Reason<RelationshipReasonCode>,
    pub case: LongTermCase,
}

/// One client scored against its book: everything its table row and its explanation hold.
pub struct Evaluated {
    /// The ledger index.
    pub index: usize,
    pub a: Assessment,
    pub kind: Kind,
    pub rfm: Option<Rfm>,
    pub value: Option<ClientValue>,
    pub quadrant: LoyaltyQuadrant,
    pub quadrant_reason: Reason<Upper<LoyaltyQuadrant>>,
    /// Highest priority first.
    pub plays: Vec<Play>,
}

/// Counts and scores over the clients, for the portfolio.
pub struct Tally {
    status_counts: StatusCounts,
    relationships: [u64; RelationshipType::ALL.len()],
    quadrants: [u64; LoyaltyQuadrant::ALL.len()],
    segments: [u64; RfmSegment::ALL.len()],
    engagement: Vec<f64>,
    health: Vec<f64>,
    effectiveness: Vec<f64>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            status_counts: StatusCounts::default(),
            relationships: [0; RelationshipType::ALL.len()],
            quadrants: [0; LoyaltyQuadrant::ALL.len()],
            segments: [0; RfmSegment::ALL.len()],
            engagement: Vec::new(),
            health: Vec::new(),
            effectiveness: Vec::new(),
        }
    }

    /// Counts one client.
    pub fn add(&mut self, c: Counted) {
        self.add_own(c.status, c.kind, c.engagement, c.health, c.effectiveness);
        self.add_compared(c.quadrant, c.segment);
    }

    /// Counts what a client is on its own.
    pub fn add_own(
        &mut self,
        status: Status,
        kind: RelationshipType,
        engagement: f64,
        health: Option<f64>,
        effectiveness: Option<f64>,
    ) {
        self.status_counts.add(status);
        self.relationships[kind as usize] += 1;
        self.engagement.push(engagement);
        self.health.extend(health);
        self.effectiveness.extend(effectiveness);
    }

    /// Counts what a client is against the others.
    pub fn add_compared(&mut self, quadrant: LoyaltyQuadrant, segment: Option<RfmSegment>) {
        self.quadrants[quadrant as usize] += 1;
        if let Some(s) = segment {
            self.segments[s as usize] += 1;
        }
    }
}

/// What the portfolio counts of a client.
pub struct Counted {
    pub status: Status,
    pub kind: RelationshipType,
    pub quadrant: LoyaltyQuadrant,
    pub segment: Option<RfmSegment>,
    pub engagement: f64,
    pub health: Option<f64>,
    pub effectiveness: Option<f64>,
}

impl Evaluated {
    pub fn counted(&self) -> Counted {
        Counted {
            status: self.a.activity.status,
            kind: self.kind.kind,
            quadrant: self.quadrant,
            segment: self.rfm.as_ref().map(|r| r.segment),
            engagement: self.a.engagement.score,
            health: self.a.health.as_ref().map(|h| h.score),
            effectiveness: self.a.effectiveness.score,
        }
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}

/// Counts per name, every name present.
fn named<T: Copy, const N: usize>(
    all: [T; N],
    counts: [u64; N],
    name: fn(T) -> &'static str,
) -> std::collections::BTreeMap<String, u64> {
    all.iter()
        .zip(counts)
        .map(|(&t, n)| (name(t).to_string(), n))
        .collect()
}

impl Scorer {
    /// Scores every client as of the configured date (or `options.asOf`), with every reason.
    /// Refused with `TOO_LARGE` past [`MAX_REPORT_CLIENTS`] clients: use the table and
    /// `explain` for a large book.
    pub fn score(&self, options: &ScoreOptions) -> Result<Report> {
        if self.ledger().len() > MAX_REPORT_CLIENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!(
                    "a report lists at most {MAX_REPORT_CLIENTS} clients (about 2.4 KB of JSON each; a JavaScript string holds at most 512 MiB), and this ledger has {}: use scoreTable, and explain for the clients you need",
                    self.ledger().len()
                ),
            ));
        }
        crate::memory::call(|| {
            let book = self.book(options)?;
            let mut tally = Tally::new();
            let mut clients = crate::memory::vec_with_capacity(book.order.len())?;
            for &i in &book.order {
                crate::memory::check()?;
                let e = self.evaluate(i as usize, &book, true);
                tally.add(e.counted());
                clients.push(self.client_score(e));
            }
            Ok(Report {
                as_of: time::format_day(book.as_of),
                portfolio: self.portfolio_of(tally, &book),
                warnings: self.warnings(&book),
                clients,
                profile: book.ctx.profile.clone(),
                customer_base: book.base.clone(),
            })
        })
    }

    /// The full results of one client, every component, reason and play included.
    pub fn explain(&self, client_id: &str, options: &ScoreOptions) -> Result<ClientScore> {
        crate::memory::call(|| {
            let book = self.book(options)?;
            let i = self.scored_index(&book, client_id)?;
            Ok(self.client_score(self.evaluate(i, &book, true)))
        })
    }

    /// The full results of several clients, in the order asked.
    pub fn explain_many(&self, ids: &[String], options: &ScoreOptions) -> Result<Vec<ClientScore>> {
        if ids.len() > MAX_REPORT_CLIENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!("explain at most {MAX_REPORT_CLIENTS} clients at a time"),
            )
            .with_field("clientIds"));
        }
        crate::memory::call(|| {
            let book = self.book(options)?;
            let index = ids
                .iter()
                .map(|id| self.scored_index(&book, id))
                .collect::<Result<Vec<usize>>>()?;
            index
                .into_iter()
                .map(|i| {
                    crate::memory::check()?;
                    Ok(self.client_score(self.evaluate(i, &book, true)))
                })
                .collect()
        })
    }

    /// The portfolio alone: counts and summaries over the clients, and the views over time.
    pub fn portfolio(&self, options: &ScoreOptions) -> Result<Portfolio> {
        Ok(self.score_table(options)?.portfolio)
    }

    /// Ledger client `i` scored against `book`, its sentences written when `texts`. The client
    /// must be one of the book's.
    pub fn evaluate(&self, i: usize, book: &Book, texts: bool) -> Evaluated {
        let a = self
            .assess(i, book.as_of, &book.ctx, texts)
            .expect("a book's client is active by its day");
        let value = book.value(i);
        let kind = self.kind_of(&a, value, texts);
        let rfm = a.rfm.map(|v| {
            let mut r = book.rfm.score(&v, texts);
            let act = &a.activity;
            r.note_status(act.status, act.days_since_last, act.cadence_days);
            r
        });
        let (quadrant, quadrant_reason) = relationship::quadrant(
            a.facts.active_span_days,
            a.effectiveness.net_value,
            book.cuts.loyal_days,
            book.cuts.profitable,
            texts,
        );
        let mut e = Evaluated {
            index: i,
            a,
            kind,
            rfm,
            value,
            quadrant,
            quadrant_reason,
            plays: Vec::new(),
        };
        let signals = self.signals(
            i,
            &e.a,
            e.kind.case.expected_value,
            book.as_of,
            book.cuts.median_value,
            texts,
        );
        e.plays = plays::recommend(&signals, &self.config().options.plays);
        e
    }

    /// The relationship type and long-term case of an assessed client.
    pub(super) fn kind_of(&self, a: &Assessment, value: Option<ClientValue>, texts: bool) -> Kind {
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
        let (kind, healthy, reason) = relationship::classify(&judged, &o.relationship, texts);
        let case = relationship::long_term(
            &judged,
            kind,
            a.revenue,
            a.effectiveness.cost_to_serve,
            &o.relationship,
            texts,
        );
        Kind {
            kind,
            healthy,
            reason,
            case,
        }
    }

    /// A client's results as the report gives them.
    pub fn client_score(&self, e: Evaluated) -> ClientScore {
        let rec = self.ledger().record(e.index);
        let act = e.a.activity;
        ClientScore {
            client_id: self.ledger().client_id(e.index).to_string(),
            status: act.status,
            status_reason: act.reason,
            first_active: time::format_day(act.first_active_day),
            last_active: time::format_day(act.last_active_day),
            days_since_last_activity: act.days_since_last,
            cadence_days: act.cadence_days,
            thresholds: act.thresholds,
            active_days: e.a.active_days,
            events: rec.kind_counts.iter().sum(),
            purchases: rec.count(EventKind::Purchase),
            revenue: rec.revenue_total(),
            support_tickets: rec.count(EventKind::Support),
            features_used: rec.features.len() as u32,
            engagement: e.a.engagement,
            health: e.a.health.unwrap_or_else(|| Health {
                score: 0.0,
                horizon_days: 0,
                components: Vec::new(),
                reasons: Vec::new(),
            }),
            effectiveness: e.a.effectiveness,
            relationship: Relationship {
                kind: e.kind.kind,
                healthy: e.kind.healthy,
                reason: e.kind.reason,
                occasions: e.a.facts.occasions,
                span_days: e.a.facts.span_days,
                quadrant: e.quadrant,
                quadrant_reason: e.quadrant_reason,
                long_term: e.kind.case,
            },
            rfm: e.rfm,
            value: e.value,
            plays: e.plays,
        }
    }

    /// What the play rules read about client `i` as of `as_of`, with its expected value and
    /// the median over the clients.
    pub(super) fn signals(
        &self,
        i: usize,
        a: &Assessment,
        expected_value: f64,
        as_of: i32,
        median_expected_value: f64,
        texts: bool,
    ) -> plays::Signals {
        let id = self.ledger().client_id(i);
        let p = &self.config().options.plays;
        plays::Signals {
            status: Some(a.activity.status),
            engagement: a.engagement.score,
            trend: a.engagement.components.trend.raw,
            adoption: a.adoption,
            tenure_days: a.facts.tenure_days,
            mean_rating: a.tally.mean_rating(),
            reopened: a.tally.reopened,
            feedback_given: a.tally.count(EventKind::Feedback) + a.tally.count(EventKind::Review),
            cost_score: a.effectiveness.components.cost_to_serve.score,
            days_to_renewal: a
                .last_renewal
                .map(|d| (d as i64 + p.renewal_period_days as i64) - as_of as i64),
            usage_30d: a.usage_30d,
            usage_limit: p.usage_limits.get(id).copied(),
            expected_value,
            median_expected_value,
            texts,
        }
    }

    /// The portfolio from the tally of its clients, and the views over time.
    pub fn portfolio_of(&self, t: Tally, book: &Book) -> Portfolio {
        let o = &self.config().options;
        Portfolio {
            clients: t.engagement.len() as u64,
            events: self.ledger().event_count(),
            business_model: o.business_model,
            status_counts: t.status_counts,
            engagement: summary_of(t.engagement),
            health: known_summary(t.health),
            effectiveness: known_summary(t.effectiveness),
            relationships: named(
                RelationshipType::ALL,
                t.relationships,
                RelationshipType::name,
            ),
            loyalty_quadrants: named(LoyaltyQuadrant::ALL, t.quadrants, LoyaltyQuadrant::name),
            rfm_segments: named(RfmSegment::ALL, t.segments, RfmSegment::name),
            lifecycle: Lifecycle {
                period: o.period,
                periods: portfolio::lifecycle(self.ledger(), book.as_of, o.period, o.periods),
            },
            stickiness: portfolio::stickiness(self.ledger(), book.as_of),
        }
    }

    /// What a result should say about itself: skipped rows, clients and events past `asOf`,
    /// a missing spend model.
    pub fn warnings(&self, book: &Book) -> Vec<Warning> {
        let left: &LeftOut = &book.left_out;
        let base: Option<&CustomerBase> = book.base.as_ref();
        let mut warnings = Vec::new();
        let mut warn = |code, message: String, issues| {
            warnings.push(Warning {
                code,
                message,
                issues,
            })
        };
        let (skipped, issues) = self.skipped();
        let day = time::format_day(book.as_of);
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
}
