//! What kind of relationship a client has, judged against the business model; where it sits
//! in the loyalty–profitability matrix of Reinartz & Kumar ("The Mismanagement of Customer
//! Loyalty", HBR 2002); and whether proposing a long-term relationship is worth its cost.
//!
//! **Occasions** are the client's purchase days (purchases and renewals, one a day) up to the
//! day scored; a client with no purchase at all is judged on its active days instead. The
//! relationship's **span** runs from the first to the last occasion.
//!
//! A client is **quiet** when its activity status is dormant or churned, or, with a fitted
//! purchase model, when P(alive) < `quietPAlive` (0.5). A relationship is **long** when its span
//! is at least `longDays` (365) with at least `longPurchases` (4) occasions. Then, in order:
//! 1. one occasion → `one_time`;
//! 2. quiet and long → `ended`; quiet and not long → `fling`;
//! 3. long, and (with a model) P(alive) ≥ `marriagePAlive` (0.7) → `marriage`;
//! 4. otherwise → `dating` (repeat activity, still building).
//!
//! `healthy` says whether the type is what the business model expects: a `one_time` client is
//! healthy in a `one_time` business and a missed relationship in a `repeat` one; `fling` is
//! healthy only in a `one_time` business; `ended` never is.
//!
//! **Loyalty–profitability**: loyal when the span of activity (first to last active day) is
//! longer than `loyalDays` (default: the median over the clients scored); profitable when the
//! net value (revenue − cost to serve) is more than `profitableValue` (default: the median).
//! Strictly more, so that where most clients tie at the median (say, one-time buyers with a span
//! of 0 days) the tied clients are not all counted loyal. Long and
//! profitable: `true_friend`; short and profitable: `butterfly`; long and unprofitable:
//! `barnacle`; short and unprofitable: `stranger`.
//!
//! **Long-term case**: the expected value of the next year against its expected cost. Value:
//! with a fitted model, its lifetime value (over `months`, 12) when spend is modelled, else its
//! expected purchases over a year times its mean purchase so far; without one, the client's
//! revenue per day of tenure over a year, times how likely it is to stay (1 active, new or resurrected; 0.5 at risk; 0.2 dormant; 0 churned), and
//! 0 for a one-time client of a one-time business. Cost: the client's cost to serve per day of
//! tenure over a year, plus `relationshipCost`. Worth proposing when value exceeds cost and the
//! relationship has not ended.

use serde::{Deserialize, Serialize};

use super::activity::Status;
use super::client::AsOf;
use super::component::{Named, Reason, Upper};
use crate::error::Result;
use crate::options;
use crate::text::{plural, round2};

/// What the business sells, which decides whether a single purchase is a healthy relationship
/// (the `businessModel` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum BusinessModel {
    /// Subscriptions and repeat purchase: clients are expected to come back.
    #[default]
    Repeat,
    /// Once-in-a-lifetime purchases (a trip, a wedding, a house): one purchase is the norm.
    OneTime,
}

/// Relationship-type and loyalty–profitability settings (the `relationship` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RelationshipOptions {
    /// Days from first to last purchase that make a relationship long.
    pub long_days: u32,
    /// Purchase days a long relationship needs (at least 2).
    pub long_purchases: u32,
    /// With a fitted purchase model: P(alive) at or above which a long relationship is a
    /// marriage.
    pub marriage_p_alive: f64,
    /// With a fitted purchase model: P(alive) below which a client is quiet.
    pub quiet_p_alive: f64,
    /// Span of activity (days) a loyal client exceeds in the loyalty–profitability matrix.
    /// Default: the median over the clients scored.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub loyal_days: Option<f64>,
    /// Net value a profitable client exceeds. Default: the median over the clients scored.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub profitable_value: Option<f64>,
    /// Yearly cost of running a long-term relationship with one client (account management,
    /// loyalty benefits).
    pub relationship_cost: f64,
}

impl Default for RelationshipOptions {
    fn default() -> Self {
        RelationshipOptions {
            long_days: 365,
            long_purchases: 4,
            marriage_p_alive: 0.7,
            quiet_p_alive: 0.5,
            loyal_days: None,
            profitable_value: None,
            relationship_cost: 0.0,
        }
    }
}

impl RelationshipOptions {
    pub fn check(&self) -> Result<()> {
        options::at_least("longDays", self.long_days as u64, 1)?;
        options::at_least("longPurchases", self.long_purchases as u64, 2)?;
        options::probability("marriagePAlive", self.marriage_p_alive)?;
        options::probability("quietPAlive", self.quiet_p_alive)?;
        if let Some(v) = self.loyal_days {
            options::non_negative("loyalDays", v)?;
        }
        if let Some(v) = self.profitable_value {
            options::finite("profitableValue", v)?;
        }
        options::non_negative("relationshipCost", self.relationship_cost)
    }
}

crate::codes! {
    /// Why a relationship has its type.
    pub enum RelationshipReasonCode {
        /// A single occasion, as a one-time business expects.
        OneTimeExpected = "ONE_TIME_EXPECTED",
        /// A single occasion: a repeat relationship that has not formed.
        OneTimeMissed = "ONE_TIME_MISSED",
        /// A long relationship, now quiet.
        Ended = "ENDED",
        /// A few occasions over a short span, now quiet.
        Fling = "FLING",
        /// A long relationship, still active.
        Marriage = "MARRIAGE",
        /// Repeat activity building, or long but not likely enough alive for a marriage.
        Dating = "DATING",
    }
}

crate::codes! {
    /// Whether a long-term relationship is worth proposing, and why.
    pub enum LongTermReasonCode {
        /// The relationship has ended.
        RelationshipEnded = "RELATIONSHIP_ENDED",
        /// Next year's expected value exceeds its cost.
        WorthProposing = "WORTH_PROPOSING",
        /// Next year's expected value does not exceed its cost.
        NotWorthProposing = "NOT_WORTH_PROPOSING",
    }
}

/// The relationship types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RelationshipType {
    Marriage,
    Dating,
    Fling,
    OneTime,
    Ended,
}

impl RelationshipType {
    pub const ALL: [RelationshipType; 5] = [
        RelationshipType::Marriage,
        RelationshipType::Dating,
        RelationshipType::Fling,
        RelationshipType::OneTime,
        RelationshipType::Ended,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RelationshipType::Marriage => "marriage",
            RelationshipType::Dating => "dating",
            RelationshipType::Fling => "fling",
            RelationshipType::OneTime => "one_time",
            RelationshipType::Ended => "ended",
        }
    }
}

/// Reinartz & Kumar's loyalty–profitability quadrants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyQuadrant {
    TrueFriend,
    Butterfly,
    Barnacle,
    Stranger,
}

impl LoyaltyQuadrant {
    pub const ALL: [LoyaltyQuadrant; 4] = [
        LoyaltyQuadrant::TrueFriend,
        LoyaltyQuadrant::Butterfly,
        LoyaltyQuadrant::Barnacle,
        LoyaltyQuadrant::Stranger,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LoyaltyQuadrant::TrueFriend => "true_friend",
            LoyaltyQuadrant::Butterfly => "butterfly",
            LoyaltyQuadrant::Barnacle => "barnacle",
            LoyaltyQuadrant::Stranger => "stranger",
        }
    }
}

impl Named for LoyaltyQuadrant {
    fn name(self) -> &'static str {
        LoyaltyQuadrant::name(self)
    }
}

/// Whether to propose a long-term relationship.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LongTermCase {
    pub worth_proposing: bool,
    /// Expected value of the next year.
    pub expected_value: f64,
    /// Expected cost of serving the client for a year, plus `relationshipCost`.
    pub expected_cost: f64,
    pub reason: Reason<LongTermReasonCode>,
}

/// A client's relationship.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    #[serde(rename = "type")]
    pub kind: RelationshipType,
    /// Whether this type is what the business model expects of a healthy client.
    pub healthy: bool,
    pub reason: Reason<RelationshipReasonCode>,
    /// Purchase days (or active days, for a client with no purchase).
    pub occasions: u32,
    /// Days from the first to the last occasion.
    pub span_days: u32,
    pub quadrant: LoyaltyQuadrant,
    /// The quadrant's name in capitals (`TRUE_FRIEND`) and why.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Reason<Uppercase<LoyaltyQuadrant>>")
    )]
    pub quadrant_reason: Reason<Upper<LoyaltyQuadrant>>,
    pub long_term: LongTermCase,
}

/// The customer-base model's view of a client, when a model is fitted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelView {
    pub p_alive: f64,
    /// Expected value of the next 12 months, when a spend model gives one.
    pub year_value: Option<f64>,
}

/// The facts a relationship is judged on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Facts {
    pub occasions: u32,
    pub span_days: u32,
    /// Days from first to last activity.
    pub active_span_days: u32,
    /// Days from first activity to the day scored (at least 1).
    pub tenure_days: u32,
    pub on_purchases: bool,
}

impl Facts {
    pub fn of(c: &AsOf) -> Option<Facts> {
        let (days, as_of, bought) = (c.days, c.day, c.bought);
        let (first, last) = (days.first()?.day, days.last()?.day);
        let (occasions, span, on_purchases) = match (bought.first(), bought.last()) {
            (Some(a), Some(b)) => (bought.len() as u32, (b.day - a.day) as u32, true),
            _ => (days.len() as u32, (last - first) as u32, false),
        };
        Some(Facts {
            occasions,
            span_days: span,
            active_span_days: (last - first) as u32,
            tenure_days: ((as_of - first) as u32).max(1),
            on_purchases,
        })
    }
}

/// Everything a relationship is judged on: the facts, the activity status, the model's view
/// (when a model is fitted) and the business model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judged<'a> {
    pub facts: &'a Facts,
    pub status: Status,
    pub model: Option<ModelView>,
    pub business: BusinessModel,
}

impl Judged<'_> {
    fn quiet_by_model(&self, o: &RelationshipOptions) -> bool {
        self.model.is_some_and(|m| m.p_alive < o.quiet_p_alive)
    }

    fn is_long(&self, o: &RelationshipOptions) -> bool {
        self.facts.span_days >= o.long_days && self.facts.occasions >= o.long_purchases
    }
}

/// The relationship type, whether it is healthy for the business model, and why (the
/// sentence written when `texts`).
pub fn classify(
    j: &Judged,
    o: &RelationshipOptions,
    texts: bool,
) -> (RelationshipType, bool, Reason<RelationshipReasonCode>) {
    use RelationshipReasonCode as Code;
    let f = j.facts;
    let (unit, units) = if f.on_purchases {
        ("purchase", "purchases")
    } else {
        ("active day", "active days")
    };
    let history = || {
        format!(
            "{} over {}",
            plural(f.occasions as f64, unit, units),
            plural(f.span_days as f64, "day", "days")
        )
    };
    let (kind, healthy, code) = type_of(j, o);
    let text = || match code {
        Code::OneTimeExpected => format!("a single {unit}, as a one-time business expects"),
        Code::OneTimeMissed => {
            format!("a single {unit}: a repeat relationship that has not formed")
        }
        Code::Ended | Code::Fling => {
            let why = match j.model {
                Some(m) if j.quiet_by_model(o) => format!("P(alive) {:.2}", m.p_alive),
                _ => format!("status {}", j.status.name()),
            };
            format!("{}, now quiet ({why})", history())
        }
        Code::Marriage => {
            let alive = j
                .model
                .map_or(String::new(), |m| format!(", P(alive) {:.2}", m.p_alive));
            format!("{}, still active{alive}", history())
        }
        Code::Dating if j.is_long(o) => format!(
            "{}, but P(alive) is below {:.2}",
            history(),
            o.marriage_p_alive
        ),
        Code::Dating => format!("{}: repeat activity building", history()),
    };
    (kind, healthy, Reason::lazy(code, texts, text))
}

/// The rules of [`classify`]: the type, whether it is healthy, and the reason's code.
fn type_of(
    j: &Judged,
    o: &RelationshipOptions,
) -> (RelationshipType, bool, RelationshipReasonCode) {
    use RelationshipReasonCode as Code;
    use RelationshipType::*;
    let one_time_business = j.business == BusinessModel::OneTime;
    if j.facts.occasions <= 1 {
        return if one_time_business {
            (OneTime, true, Code::OneTimeExpected)
        } else {
            (OneTime, false, Code::OneTimeMissed)
        };
    }
    let long = j.is_long(o);
    if matches!(j.status, Status::Dormant | Status::Churned) || j.quiet_by_model(o) {
        return if long {
            (Ended, false, Code::Ended)
        } else {
            (Fling, one_time_business, Code::Fling)
        };
    }
    if long && j.model.is_none_or(|m| m.p_alive >= o.marriage_p_alive) {
        (Marriage, true, Code::Marriage)
    } else {
        (Dating, true, Code::Dating)
    }
}

/// The loyalty–profitability quadrant, given the thresholds (the sentence when `texts`).
pub fn quadrant(
    active_span_days: u32,
    net_value: f64,
    loyal_days: f64,
    profitable: f64,
    texts: bool,
) -> (LoyaltyQuadrant, Reason<Upper<LoyaltyQuadrant>>) {
    let loyal = active_span_days as f64 > loyal_days;
    let profit = net_value > profitable;
    let q = match (loyal, profit) {
        (true, true) => LoyaltyQuadrant::TrueFriend,
        (false, true) => LoyaltyQuadrant::Butterfly,
        (true, false) => LoyaltyQuadrant::Barnacle,
        (false, false) => LoyaltyQuadrant::Stranger,
    };
    let over = |yes: bool| if yes { "over" } else { "not over" };
    let text = || {
        format!(
            "{} of activity ({} {:.0}), net value {:.2} ({} {:.2})",
            plural(active_span_days as f64, "day", "days"),
            over(loyal),
            loyal_days,
            net_value,
            over(profit),
            profitable
        )
    };
    (q, Reason::lazy(Upper(q), texts, text))
}

/// Likelihood of staying a year, by status, for the rule-based value.
fn staying(status: Status) -> f64 {
    match status {
        Status::Active | Status::New | Status::Resurrected => 1.0,
        Status::AtRisk => 0.5,
        Status::Dormant => 0.2,
        Status::Churned => 0.0,
    }
}

/// The long-term case for a client of type `kind`, with its `revenue` and `cost` to serve so
/// far.
pub fn long_term(
    j: &Judged,
    kind: RelationshipType,
    revenue: f64,
    cost: f64,
    o: &RelationshipOptions,
    texts: bool,
) -> LongTermCase {
    use LongTermReasonCode as Code;
    let f = j.facts;
    let years = f.tenure_days.max(30) as f64 / 365.0;
    let value = match j.model.and_then(|m| m.year_value) {
        Some(v) => v,
        None if j.business == BusinessModel::OneTime && f.occasions <= 1 => 0.0,
        None => revenue / years * staying(j.status),
    };
    let cost = cost / years + o.relationship_cost;
    let (value, cost) = (round2(value.max(0.0)), round2(cost));
    let worth = kind != RelationshipType::Ended && value > cost;
    let source = if j.model.is_some_and(|m| m.year_value.is_some()) {
        "the model's value of the next year"
    } else {
        "a year at the client's pace so far"
    };
    let code = if kind == RelationshipType::Ended {
        Code::RelationshipEnded
    } else if worth {
        Code::WorthProposing
    } else {
        Code::NotWorthProposing
    };
    let reason = Reason::lazy(code, texts, || match code {
        Code::RelationshipEnded => {
            "the relationship has ended; win it back before proposing more".to_string()
        }
        Code::WorthProposing => format!("{source} is worth {value:.2} against {cost:.2} to serve"),
        Code::NotWorthProposing => {
            format!("{source} is worth {value:.2}, not more than {cost:.2} to serve")
        }
    });
    LongTermCase {
        worth_proposing: worth,
        expected_value: value,
        expected_cost: cost,
        reason,
    }
}
