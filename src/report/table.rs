//! The table: every client's results as columns, one entry per client sorted by id, with no
//! sentences — what a large book is scored into. Categorical results are small integer codes
//! into the lists in [`Names`] ([`NONE`] when a client has none), scores are `f32` (NaN when
//! unknown), money and counts `f64`. Each row holds the same numbers as the client's
//! explanation, since both come from [`Scorer::evaluate`].

use std::sync::Arc;

use serde::Serialize;

use super::book::{Book, Swept};
use super::options::ScoreOptions;
use super::portfolio::Portfolio;
use super::profile::Profile;
use super::score::Tally;
use super::scorer::Scorer;
use super::types::Warning;
use crate::error::Result;
use crate::input::event::EventKind;
use crate::input::time::{self, MS_PER_DAY};
use crate::models::clients::{ClientValue, CustomerBase};
use crate::scores::activity::{Status, StatusReasonCode};
use crate::scores::component::Component;
use crate::scores::plays::{self, PlayKind};
use crate::scores::relationship::{
    self, LongTermReasonCode, LoyaltyQuadrant, RelationshipReasonCode, RelationshipType,
};
use crate::scores::rfm::{Rfm, RfmSegment, RfmValues};

/// The code of a categorical column for a client that has no value (no RFM segment without a
/// purchase, no top play when no play fits).
pub const NONE: u8 = 255;

/// Codes into one of the lists of [`Names`] (`Uint8Array`).
pub type Codes = Vec<u8>;
/// 0 or 1 (`Uint8Array`).
pub type Flags = Vec<u8>;
/// 0–100 scores, NaN when unknown (`Float32Array`).
pub type Scores = Vec<f32>;
/// Money, counts, days and probabilities, NaN when unknown (`Float64Array`).
pub type Numbers = Vec<f64>;
/// Whole numbers of days or things (`Uint32Array`).
pub type Counts = Vec<u32>;
/// RFM codes such as 545 (recency, frequency and monetary scores as digits), 0 without a
/// purchase (`Uint16Array`).
pub type RfmCodes = Vec<u16>;

/// One client per entry, in the order of `Table.clientIds`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Columns {
    /// Activity status, into `names.status`.
    pub status: Codes,
    /// Why the status, into `names.statusReason`.
    pub status_reason: Codes,
    /// First active day, as epoch milliseconds (UTC midnight).
    pub first_active: Numbers,
    /// Last active day, as epoch milliseconds (UTC midnight).
    pub last_active: Numbers,
    /// Days from the last active day to `asOf`.
    pub days_since_last_activity: Counts,
    /// Median days between active days (or the default cadence).
    pub cadence_days: Numbers,
    /// Days with at least one activity event.
    pub active_days: Counts,
    /// Events of every kind.
    pub events: Numbers,
    /// Purchase events.
    pub purchases: Numbers,
    /// Sum of purchase and renewal values.
    pub revenue: Numbers,
    /// Support tickets.
    pub support_tickets: Numbers,
    /// Distinct features used.
    pub features_used: Counts,
    /// Engagement, 0–100.
    pub engagement: Scores,
    /// Engagement's recency component, 0–100.
    pub engagement_recency: Scores,
    /// Engagement's frequency component, 0–100.
    pub engagement_frequency: Scores,
    /// Engagement's breadth component, 0–100 (NaN without a feature catalog).
    pub engagement_breadth: Scores,
    /// Engagement's depth component, 0–100.
    pub engagement_depth: Scores,
    /// Engagement's trend component, 0–100 (NaN with nothing to compare with).
    pub engagement_trend: Scores,
    /// Health: the chance in percent of activity within the horizon (`profile.health`).
    pub health: Scores,
    /// The effective-customer score, 0–100 (NaN when no component is known).
    pub effectiveness: Scores,
    /// Its clear-communication component, 0–100.
    pub effectiveness_communication: Scores,
    /// Its informed-use component, 0–100.
    pub effectiveness_informed: Scores,
    /// Its collaboration component, 0–100.
    pub effectiveness_collaboration: Scores,
    /// Its constructive-feedback component, 0–100.
    pub effectiveness_feedback: Scores,
    /// Its cost-to-serve component, 0–100 (high when cheap to serve).
    pub effectiveness_cost_to_serve: Scores,
    /// Cost to serve, in money.
    pub cost_to_serve: Numbers,
    /// Revenue minus the cost to serve.
    pub net_value: Numbers,
    /// Relationship type, into `names.relationship`.
    pub relationship: Codes,
    /// Whether the relationship type is healthy for the business model (1) or not (0).
    pub healthy: Flags,
    /// Why the relationship type, into `names.relationshipReason`.
    pub relationship_reason: Codes,
    /// Loyalty–profitability quadrant, into `names.quadrant`.
    pub quadrant: Codes,
    /// The next year's expected value of a long-term relationship.
    pub expected_value: Numbers,
    /// The next year's expected cost to serve.
    pub expected_cost: Numbers,
    /// Whether a long-term relationship is worth proposing (1) or not (0).
    pub worth_proposing: Flags,
    /// Why, into `names.longTerm`.
    pub long_term: Codes,
    /// RFM code as a number (`435` is R 4, F 3, M 5); 0 without a purchase.
    pub rfm: RfmCodes,
    /// RFM segment, into `names.rfmSegment`; 255 (none) without a purchase.
    pub rfm_segment: Codes,
    /// The play of highest priority, into `names.topPlay`; 255 (none) when no play applies.
    pub top_play: Codes,
    /// Its priority (NaN for none).
    pub top_play_priority: Scores,
    /// With `customerBase`: P(alive) (NaN for a client with no purchase).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_alive: Option<Numbers>,
    /// With `customerBase`: expected purchases over the horizon.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_purchases: Option<Numbers>,
    /// With `customerBase` and a spend model: the expected mean purchase value.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_spend: Option<Numbers>,
    /// With `customerBase` and a spend model: lifetime value.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clv: Option<Numbers>,
}

/// A column's values, borrowed, as their type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Column<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    F32(&'a [f32]),
    F64(&'a [f64]),
}

impl Column<'_> {
    pub fn len(&self) -> usize {
        match self {
            Column::U8(v) => v.len(),
            Column::U16(v) => v.len(),
            Column::U32(v) => v.len(),
            Column::F32(v) => v.len(),
            Column::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Columns {
    /// Every column with its name, in the order of the struct (the models' last, when present).
    pub fn each(&self) -> Vec<(&'static str, Column<'_>)> {
        use Column::*;
        let mut out = vec![
            ("status", U8(&self.status)),
            ("statusReason", U8(&self.status_reason)),
            ("firstActive", F64(&self.first_active)),
            ("lastActive", F64(&self.last_active)),
            ("daysSinceLastActivity", U32(&self.days_since_last_activity)),
            ("cadenceDays", F64(&self.cadence_days)),
            ("activeDays", U32(&self.active_days)),
            ("events", F64(&self.events)),
            ("purchases", F64(&self.purchases)),
            ("revenue", F64(&self.revenue)),
            ("supportTickets", F64(&self.support_tickets)),
            ("featuresUsed", U32(&self.features_used)),
            ("engagement", F32(&self.engagement)),
            ("engagementRecency", F32(&self.engagement_recency)),
            ("engagementFrequency", F32(&self.engagement_frequency)),
            ("engagementBreadth", F32(&self.engagement_breadth)),
            ("engagementDepth", F32(&self.engagement_depth)),
            ("engagementTrend", F32(&self.engagement_trend)),
            ("health", F32(&self.health)),
            ("effectiveness", F32(&self.effectiveness)),
            (
                "effectivenessCommunication",
                F32(&self.effectiveness_communication),
            ),
            ("effectivenessInformed", F32(&self.effectiveness_informed)),
            (
                "effectivenessCollaboration",
                F32(&self.effectiveness_collaboration),
            ),
            ("effectivenessFeedback", F32(&self.effectiveness_feedback)),
            (
                "effectivenessCostToServe",
                F32(&self.effectiveness_cost_to_serve),
            ),
            ("costToServe", F64(&self.cost_to_serve)),
            ("netValue", F64(&self.net_value)),
            ("relationship", U8(&self.relationship)),
            ("healthy", U8(&self.healthy)),
            ("relationshipReason", U8(&self.relationship_reason)),
            ("quadrant", U8(&self.quadrant)),
            ("expectedValue", F64(&self.expected_value)),
            ("expectedCost", F64(&self.expected_cost)),
            ("worthProposing", U8(&self.worth_proposing)),
            ("longTerm", U8(&self.long_term)),
            ("rfm", U16(&self.rfm)),
            ("rfmSegment", U8(&self.rfm_segment)),
            ("topPlay", U8(&self.top_play)),
            ("topPlayPriority", F32(&self.top_play_priority)),
        ];
        let models = [
            ("pAlive", &self.p_alive),
            ("expectedPurchases", &self.expected_purchases),
            ("expectedSpend", &self.expected_spend),
            ("clv", &self.clv),
        ];
        out.extend(
            models
                .into_iter()
                .filter_map(|(name, c)| c.as_deref().map(|v| (name, F64(v)))),
        );
        out
    }

    /// Room for `n` clients in every column (the models' when `models`), or `TOO_LARGE`.
    fn with_capacity(n: usize, models: bool) -> Result<Columns> {
        use crate::memory::vec_with_capacity as room;
        let model = |on: bool| -> Result<Option<Numbers>> { on.then(|| room(n)).transpose() };
        Ok(Columns {
            status: room(n)?,
            status_reason: room(n)?,
            first_active: room(n)?,
            last_active: room(n)?,
            days_since_last_activity: room(n)?,
            cadence_days: room(n)?,
            active_days: room(n)?,
            events: room(n)?,
            purchases: room(n)?,
            revenue: room(n)?,
            support_tickets: room(n)?,
            features_used: room(n)?,
            engagement: room(n)?,
            engagement_recency: room(n)?,
            engagement_frequency: room(n)?,
            engagement_breadth: room(n)?,
            engagement_depth: room(n)?,
            engagement_trend: room(n)?,
            health: room(n)?,
            effectiveness: room(n)?,
            effectiveness_communication: room(n)?,
            effectiveness_informed: room(n)?,
            effectiveness_collaboration: room(n)?,
            effectiveness_feedback: room(n)?,
            effectiveness_cost_to_serve: room(n)?,
            cost_to_serve: room(n)?,
            net_value: room(n)?,
            relationship: room(n)?,
            healthy: room(n)?,
            relationship_reason: room(n)?,
            quadrant: room(n)?,
            expected_value: room(n)?,
            expected_cost: room(n)?,
            worth_proposing: room(n)?,
            long_term: room(n)?,
            rfm: room(n)?,
            rfm_segment: room(n)?,
            top_play: room(n)?,
            top_play_priority: room(n)?,
            p_alive: model(models)?,
            expected_purchases: model(models)?,
            expected_spend: model(models)?,
            clv: model(models)?,
        })
    }

    /// Adds the row of a client met on the book's pass: every column but those that compare it
    /// with the others (RFM, quadrant, top play), which [`Columns::set_compared`] fills in.
    fn push_own(&mut self, s: &Scorer, c: &Swept) {
        let rec = s.ledger().record(c.index);
        let a = c.a;
        let act = &a.activity;
        let score = |c: &Component| c.score.map_or(f32::NAN, |v| v as f32);
        let day_ms = |d: i32| d as f64 * MS_PER_DAY as f64;
        self.status.push(act.status as u8);
        self.status_reason.push(act.reason.code as u8);
        self.first_active.push(day_ms(act.first_active_day));
        self.last_active.push(day_ms(act.last_active_day));
        self.days_since_last_activity.push(act.days_since_last);
        self.cadence_days.push(act.cadence_days);
        self.active_days.push(a.active_days);
        self.events.push(rec.kind_counts.iter().sum::<u64>() as f64);
        self.purchases.push(rec.count(EventKind::Purchase) as f64);
        self.revenue.push(rec.revenue_total());
        self.support_tickets
            .push(rec.count(EventKind::Support) as f64);
        self.features_used.push(rec.features.len() as u32);
        let g = &a.engagement;
        self.engagement.push(g.score as f32);
        self.engagement_recency.push(score(&g.components.recency));
        self.engagement_frequency
            .push(score(&g.components.frequency));
        self.engagement_breadth.push(score(&g.components.breadth));
        self.engagement_depth.push(score(&g.components.depth));
        self.engagement_trend.push(score(&g.components.trend));
        self.health
            .push(a.health.as_ref().map_or(f32::NAN, |h| h.score as f32));
        let f = &a.effectiveness;
        self.effectiveness
            .push(f.score.map_or(f32::NAN, |v| v as f32));
        self.effectiveness_communication
            .push(score(&f.components.communication));
        self.effectiveness_informed
            .push(score(&f.components.informed));
        self.effectiveness_collaboration
            .push(score(&f.components.collaboration));
        self.effectiveness_feedback
            .push(score(&f.components.feedback));
        self.effectiveness_cost_to_serve
            .push(score(&f.components.cost_to_serve));
        self.cost_to_serve.push(f.cost_to_serve);
        self.net_value.push(f.net_value);
        let k = c.kind;
        self.relationship.push(k.kind as u8);
        self.healthy.push(k.healthy as u8);
        self.relationship_reason.push(k.reason.code as u8);
        self.quadrant.push(NONE);
        self.expected_value.push(k.case.expected_value);
        self.expected_cost.push(k.case.expected_cost);
        self.worth_proposing.push(k.case.worth_proposing as u8);
        self.long_term.push(k.case.reason.code as u8);
        self.rfm.push(0);
        self.rfm_segment.push(NONE);
        self.top_play.push(NONE);
        self.top_play_priority.push(f32::NAN);
        let v = c.value;
        let model = |c: &mut Option<Numbers>, f: fn(&ClientValue) -> Option<f64>| {
            if let Some(c) = c {
                c.push(v.as_ref().and_then(f).unwrap_or(f64::NAN));
            }
        };
        model(&mut self.p_alive, |v| Some(v.p_alive));
        model(&mut self.expected_purchases, |v| Some(v.expected_purchases));
        model(&mut self.expected_spend, |v| v.expected_spend);
        model(&mut self.clv, |v| v.clv);
    }

    /// Fills in row `k`'s columns that compare its client with the others.
    fn set_compared(
        &mut self,
        k: usize,
        rfm: Option<&Rfm>,
        quadrant: LoyaltyQuadrant,
        top: Option<(PlayKind, f64)>,
    ) {
        if let Some(r) = rfm {
            self.rfm[k] = (r.r * 100 + r.f * 10 + r.m) as u16;
            self.rfm_segment[k] = r.segment as u8;
        }
        self.quadrant[k] = quadrant as u8;
        if let Some((play, priority)) = top {
            self.top_play[k] = play as u8;
            self.top_play_priority[k] = priority as f32;
        }
    }
}

/// The names the codes of each categorical column stand for: code `k` is `names.…[k]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Names {
    pub status: Vec<Status>,
    pub status_reason: Vec<StatusReasonCode>,
    pub relationship: Vec<RelationshipType>,
    pub relationship_reason: Vec<RelationshipReasonCode>,
    pub quadrant: Vec<LoyaltyQuadrant>,
    pub long_term: Vec<LongTermReasonCode>,
    pub rfm_segment: Vec<RfmSegment>,
    pub top_play: Vec<PlayKind>,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            status: Status::ALL.to_vec(),
            status_reason: StatusReasonCode::ALL.to_vec(),
            relationship: RelationshipType::ALL.to_vec(),
            relationship_reason: RelationshipReasonCode::ALL.to_vec(),
            quadrant: LoyaltyQuadrant::ALL.to_vec(),
            long_term: LongTermReasonCode::ALL.to_vec(),
            rfm_segment: RfmSegment::ALL.to_vec(),
            top_play: PlayKind::ALL.to_vec(),
        }
    }
}

/// What `scoreTable` returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Table {
    /// The day scored as of, `YYYY-MM-DD`.
    pub as_of: String,
    /// The clients scored, sorted by id: row `k` of every column is client `clientIds[k]`.
    pub client_ids: Vec<String>,
    pub columns: Columns,
    pub names: Names,
    pub portfolio: Portfolio,
    /// The book's signals and cadence, the windows set from them, and the health model.
    pub profile: Profile,
    /// The customer-base models used, when `customerBase` was asked for.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_base: Option<CustomerBase>,
    pub warnings: Vec<Warning>,
}

impl Scorer {
    /// Every client's results as columns, and the portfolio: see the module documentation.
    /// One pass over the clients makes the book and every row, a second fills in what
    /// compares each client with the others.
    pub fn score_table(&self, options: &ScoreOptions) -> Result<Table> {
        self.table_and_book(options).map(|(t, _)| t)
    }

    /// [`Scorer::score_table`] and the book it made, for a caller that needs both (the
    /// backtest), so the book (the profile, the health model, the customer-base model) is
    /// made once.
    pub(crate) fn table_and_book(&self, options: &ScoreOptions) -> Result<(Table, Arc<Book>)> {
        crate::memory::call(|| {
            let n = self.ledger().len();
            let plays = &self.config().options.plays;
            let mut columns = Columns::with_capacity(n, options.customer_base.is_some())?;
            let mut own_top = crate::memory::vec_with_capacity(n)?;
            let mut spans = crate::memory::vec_with_capacity(n)?;
            let mut rfm_values: Vec<Option<RfmValues>> = crate::memory::vec_with_capacity(n)?;
            let mut tally = Tally::new();
            let book = self.sweep(options, |c| {
                columns.push_own(self, c);
                let (a, value) = (c.a, c.kind.case.expected_value);
                let signals = self.signals(c.index, a, value, c.as_of, f64::NAN, false);
                own_top.push(plays::top_own(&signals, plays));
                spans.push(a.facts.active_span_days);
                rfm_values.push(a.rfm);
                tally.add_own(
                    a.activity.status,
                    c.kind.kind,
                    a.engagement.score,
                    a.health.as_ref().map(|h| h.score),
                    a.effectiveness.score,
                );
            })?;
            let cuts = book.cuts;
            let mut client_ids = crate::memory::vec_with_capacity(book.order.len())?;
            for (k, &i) in book.order.iter().enumerate() {
                crate::memory::check()?;
                let i = i as usize;
                let rfm = rfm_values[k].map(|v| book.rfm.score(&v, false));
                let (quadrant, _) = relationship::quadrant(
                    spans[k],
                    columns.net_value[k],
                    cuts.loyal_days,
                    cuts.profitable,
                    false,
                );
                let status = Status::ALL[columns.status[k] as usize];
                let value = columns.expected_value[k];
                let top = plays::top(own_top[k], status, value, cuts.median_value, plays);
                columns.set_compared(k, rfm.as_ref(), quadrant, top);
                tally.add_compared(quadrant, rfm.as_ref().map(|r| r.segment));
                client_ids.push(self.ledger().client_id(i).to_string());
            }
            let table = Table {
                as_of: time::format_day(book.as_of),
                client_ids,
                columns,
                names: Names::default(),
                portfolio: self.portfolio_of(tally, &book),
                profile: book.ctx.profile.clone(),
                customer_base: book.base.clone(),
                warnings: self.warnings(&book),
            };
            Ok((table, book))
        })
    }
}
