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

use crate::activity::{days_until, Reason, Status};
use crate::config::{BusinessModel, RelationshipOptions};
use crate::engagement::{plural, round2};
use crate::ledger::ClientRecord;

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

/// Whether to propose a long-term relationship.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LongTermCase {
    pub worth_proposing: bool,
    /// Expected value of the next year.
    pub expected_value: f64,
    /// Expected cost of serving the client for a year, plus `relationshipCost`.
    pub expected_cost: f64,
    pub reason: Reason,
}

/// A client's relationship.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    #[serde(rename = "type")]
    pub kind: RelationshipType,
    /// Whether this type is what the business model expects of a healthy client.
    pub healthy: bool,
    pub reason: Reason,
    /// Purchase days (or active days, for a client with no purchase).
    pub occasions: u32,
    /// Days from the first to the last occasion.
    pub span_days: u32,
    pub quadrant: LoyaltyQuadrant,
    pub quadrant_reason: Reason,
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
    pub fn of(rec: &ClientRecord, as_of: i32) -> Option<Facts> {
        let days = days_until(rec, as_of);
        let (first, last) = (days.first()?.day, days.last()?.day);
        let bought = &rec.revenue[..rec.revenue.partition_point(|r| r.day <= as_of)];
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

/// The relationship type, whether it is healthy for the business model, and why.
pub fn classify(
    f: &Facts,
    status: Status,
    model: Option<ModelView>,
    business: BusinessModel,
    o: &RelationshipOptions,
) -> (RelationshipType, bool, Reason) {
    let unit = if f.on_purchases {
        "purchase"
    } else {
        "active day"
    };
    let units = if f.on_purchases {
        "purchases"
    } else {
        "active days"
    };
    let count = plural(f.occasions as f64, unit, units);
    let span = plural(f.span_days as f64, "day", "days");
    let quiet_by_model = model.is_some_and(|m| m.p_alive < o.quiet_p_alive);
    let quiet = matches!(status, Status::Dormant | Status::Churned) || quiet_by_model;
    let why_quiet = match model {
        Some(m) if quiet_by_model => format!("P(alive) {:.2}", m.p_alive),
        _ => format!("status {}", status.name()),
    };
    let long = f.span_days >= o.long_days && f.occasions >= o.long_purchases;
    let one_time_business = business == BusinessModel::OneTime;
    use RelationshipType::*;
    if f.occasions <= 1 {
        let (healthy, code, text) = if one_time_business {
            (
                true,
                "ONE_TIME_EXPECTED",
                format!("a single {unit}, as a one-time business expects"),
            )
        } else {
            (
                false,
                "ONE_TIME_MISSED",
                format!("a single {unit}: a repeat relationship that has not formed"),
            )
        };
        return (OneTime, healthy, Reason::new(code, text));
    }
    if quiet {
        return if long {
            (
                Ended,
                false,
                Reason::new(
                    "ENDED",
                    format!("{count} over {span}, now quiet ({why_quiet})"),
                ),
            )
        } else {
            (
                Fling,
                one_time_business,
                Reason::new(
                    "FLING",
                    format!("{count} over {span}, now quiet ({why_quiet})"),
                ),
            )
        };
    }
    let married = long
        && match model {
            Some(m) => m.p_alive >= o.marriage_p_alive,
            None => true,
        };
    if married {
        let alive = model.map_or(String::new(), |m| format!(", P(alive) {:.2}", m.p_alive));
        (
            Marriage,
            true,
            Reason::new(
                "MARRIAGE",
                format!("{count} over {span}, still active{alive}"),
            ),
        )
    } else {
        let text = if long {
            format!(
                "{count} over {span}, but P(alive) is below {:.2}",
                o.marriage_p_alive
            )
        } else {
            format!("{count} over {span}: repeat activity building")
        };
        (Dating, true, Reason::new("DATING", text))
    }
}

/// The loyalty–profitability quadrant, given the thresholds.
pub fn quadrant(
    active_span_days: u32,
    net_value: f64,
    loyal_days: f64,
    profitable: f64,
) -> (LoyaltyQuadrant, Reason) {
    let loyal = active_span_days as f64 > loyal_days;
    let profit = net_value > profitable;
    let q = match (loyal, profit) {
        (true, true) => LoyaltyQuadrant::TrueFriend,
        (false, true) => LoyaltyQuadrant::Butterfly,
        (true, false) => LoyaltyQuadrant::Barnacle,
        (false, false) => LoyaltyQuadrant::Stranger,
    };
    let text = format!(
        "{} of activity ({} {:.0}), net value {:.2} ({} {:.2})",
        plural(active_span_days as f64, "day", "days"),
        if loyal { "over" } else { "not over" },
        loyal_days,
        net_value,
        if profit { "over" } else { "not over" },
        profitable
    );
    (q, Reason::new(&q.name().to_ascii_uppercase(), text))
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

/// The long-term case for a client.
#[allow(clippy::too_many_arguments)]
pub fn long_term(
    f: &Facts,
    kind: RelationshipType,
    status: Status,
    revenue: f64,
    cost: f64,
    model: Option<ModelView>,
    business: BusinessModel,
    o: &RelationshipOptions,
) -> LongTermCase {
    let years = f.tenure_days.max(30) as f64 / 365.0;
    let value = match model.and_then(|m| m.year_value) {
        Some(v) => v,
        None if business == BusinessModel::OneTime && f.occasions <= 1 => 0.0,
        None => revenue / years * staying(status),
    };
    let cost = cost / years + o.relationship_cost;
    let (value, cost) = (round2(value.max(0.0)), round2(cost));
    let worth = kind != RelationshipType::Ended && value > cost;
    let source = if model.is_some_and(|m| m.year_value.is_some()) {
        "the model's value of the next year"
    } else {
        "a year at the client's pace so far"
    };
    let reason = if kind == RelationshipType::Ended {
        Reason::new(
            "RELATIONSHIP_ENDED",
            "the relationship has ended; win it back before proposing more",
        )
    } else if worth {
        Reason::new(
            "WORTH_PROPOSING",
            format!("{source} is worth {value:.2} against {cost:.2} to serve"),
        )
    } else {
        Reason::new(
            "NOT_WORTH_PROPOSING",
            format!("{source} is worth {value:.2}, not more than {cost:.2} to serve"),
        )
    };
    LongTermCase {
        worth_proposing: worth,
        expected_value: value,
        expected_cost: cost,
        reason,
    }
}
