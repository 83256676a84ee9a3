//! The effective-customer score: 0–100 per client from four attributes of a productive
//! relationship and the cost of serving the client, each a component with its raw value, its
//! own 0–100 score and a reason, and the client's net value (revenue minus cost to serve).
//!
//! - **communication** (support tickets): raw = messages per ticket (over tickets that report
//!   them); clarity = 1 at or below `clearMessages`, 0 at or above `unclearMessages`, linear in
//!   between (1 when no ticket reports messages); score = `100 · clarity · (1 − reopened share)`.
//!   Unknown without tickets.
//! - **informed** (self-reliance): the mean of the shares that are known — the share of the
//!   feature catalog used, and self-service over self-service plus tickets
//!   (`self_service / (self_service + support)`); raw = that mean; score = `100 · raw`.
//! - **collaboration**: the mean of the known parts — onboarding completed
//!   (`min(1, onboarding events / onboardingSteps)`, known when the business records onboarding),
//!   information provided when asked (`min(1, response events)`, known when the business records
//!   responses), commitments kept (`renewals / (renewals + cancellations)`, known when the client
//!   has either); raw = that mean; score = `100 · raw`.
//! - **feedback**: raw = feedback and review events per 90 days of tenure; score =
//!   `100 · min(1, raw / feedbackPerQuarter)`. Ratings do not count: critical feedback is as
//!   constructive as praise. Known when the business records feedback or reviews.
//! - **costToServe**: cost = the tickets' reported costs plus `ticketCost` for each ticket
//!   without one; raw = cost / revenue; score = `100 · max(0, 1 − raw / maxCostShare)` (0 when
//!   there is cost and no revenue). Unknown with neither revenue nor tickets, and unknown when
//!   the business records no support tickets at all (nothing says what serving costs).
//!
//! Everything is counted up to the day scored (tickets, feedback, onboarding and revenue are
//! kept per day). "Known when the business records X" means some client in the ledger has an
//! event of that kind: where a business sends no onboarding events, no client is marked down
//! for having none.
//! The total is the weighted mean of the known components, so a component with no data is left
//! out, never counted as zero.

use serde::{Deserialize, Serialize};

use super::component::{band, weigh, weighted, Component, Part, Reason, Reasons};
use crate::error::Result;
use crate::input::event::{EventKind, MICROS};
use crate::ledger::{Ledger, Tally};
use crate::options;
use crate::text::{number, plural, round1, round2};

/// Relative weights of the effective-customer components (normalised over the known ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EffectivenessWeights {
    /// Weight of communication (clear, unreopened tickets).
    pub communication: f64,
    /// Weight of informed use (features used, self-service).
    pub informed: f64,
    /// Weight of collaboration (onboarding, information provided, commitments kept).
    pub collaboration: f64,
    /// Weight of constructive feedback.
    pub feedback: f64,
    /// Weight of the cost to serve against revenue.
    pub cost_to_serve: f64,
}

impl Default for EffectivenessWeights {
    fn default() -> Self {
        EffectivenessWeights {
            communication: 0.2,
            informed: 0.2,
            collaboration: 0.2,
            feedback: 0.15,
            cost_to_serve: 0.25,
        }
    }
}

impl EffectivenessWeights {
    /// Each weight with its key.
    pub fn members(&self) -> [(&'static str, f64); 5] {
        [
            ("communication", self.communication),
            ("informed", self.informed),
            ("collaboration", self.collaboration),
            ("feedback", self.feedback),
            ("costToServe", self.cost_to_serve),
        ]
    }
}

/// Effective-customer score settings (the `effectiveness` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EffectivenessOptions {
    /// Messages per ticket at or below which communication is fully clear.
    pub clear_messages: f64,
    /// Messages per ticket at or above which clarity scores 0 (more than `clearMessages`).
    pub unclear_messages: f64,
    /// Handling cost assumed for a support ticket that reports none.
    pub ticket_cost: f64,
    /// Onboarding steps a complete onboarding has; 0 means the most steps any client has
    /// completed.
    pub onboarding_steps: u32,
    /// Feedback or review events per 90 days of tenure that earn a full feedback score.
    pub feedback_per_quarter: f64,
    /// Cost to serve, as a share of revenue, at which the cost component scores 0.
    pub max_cost_share: f64,
    pub weights: EffectivenessWeights,
}

impl Default for EffectivenessOptions {
    fn default() -> Self {
        EffectivenessOptions {
            clear_messages: 3.0,
            unclear_messages: 12.0,
            ticket_cost: 25.0,
            onboarding_steps: 0,
            feedback_per_quarter: 1.0,
            max_cost_share: 0.5,
            weights: EffectivenessWeights::default(),
        }
    }
}

impl EffectivenessOptions {
    pub fn check(&self) -> Result<()> {
        options::positive("clearMessages", self.clear_messages)?;
        options::positive("unclearMessages", self.unclear_messages)?;
        if self.unclear_messages <= self.clear_messages {
            return Err(options::bad(
                "unclearMessages",
                "must be greater than clearMessages",
            ));
        }
        options::non_negative("ticketCost", self.ticket_cost)?;
        options::positive("feedbackPerQuarter", self.feedback_per_quarter)?;
        options::positive("maxCostShare", self.max_cost_share)?;
        options::weights("weights", &self.weights.members())
    }
}

crate::codes! {
    /// Why a client's effective-customer score is what it is: one code per known component.
    pub enum EffectivenessReasonCode {
        /// Communication scores 30 or less: long or reopened tickets.
        CommunicationUnclear = "COMMUNICATION_UNCLEAR",
        /// Communication scores between 30 and 70.
        CommunicationFair = "COMMUNICATION_FAIR",
        /// Communication scores 70 or more.
        CommunicationClear = "COMMUNICATION_CLEAR",
        /// Informed use scores 30 or less.
        InformedLow = "INFORMED_LOW",
        /// Informed use scores between 30 and 70.
        InformedFair = "INFORMED_FAIR",
        /// Informed use scores 70 or more.
        InformedHigh = "INFORMED_HIGH",
        /// Collaboration scores 30 or less.
        CollaborationLow = "COLLABORATION_LOW",
        /// Collaboration scores between 30 and 70.
        CollaborationFair = "COLLABORATION_FAIR",
        /// Collaboration scores 70 or more.
        CollaborationHigh = "COLLABORATION_HIGH",
        /// Feedback scores 30 or less.
        FeedbackRare = "FEEDBACK_RARE",
        /// Feedback scores between 30 and 70.
        FeedbackSome = "FEEDBACK_SOME",
        /// Feedback scores 70 or more.
        FeedbackRegular = "FEEDBACK_REGULAR",
        /// Cost to serve scores 30 or less: expensive to serve for its revenue.
        HighMaintenance = "HIGH_MAINTENANCE",
        /// Cost to serve scores between 30 and 70.
        ModerateMaintenance = "MODERATE_MAINTENANCE",
        /// Cost to serve scores 70 or more.
        LowMaintenance = "LOW_MAINTENANCE",
    }
}

use EffectivenessReasonCode as Code;

/// The five components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EffectivenessComponents {
    pub communication: Component,
    pub informed: Component,
    pub collaboration: Component,
    pub feedback: Component,
    pub cost_to_serve: Component,
}

/// A client's effective-customer score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Effectiveness {
    /// 0–100, one decimal; absent when no component is known.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub components: EffectivenessComponents,
    /// Revenue minus cost to serve.
    pub net_value: f64,
    /// Cost to serve: reported ticket costs plus `ticketCost` per ticket without one.
    pub cost_to_serve: f64,
    /// One reason per known component, the most telling first.
    pub reasons: Vec<Reason<EffectivenessReasonCode>>,
}

/// What the business records at all: a kind no client has is not held against anyone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Recorded {
    pub support: bool,
    pub onboarding: bool,
    pub responses: bool,
    pub feedback: bool,
    /// The most onboarding events any client has.
    pub most_onboarding: u64,
}

impl Recorded {
    pub fn of(ledger: &Ledger) -> Recorded {
        let mut r = Recorded::default();
        for i in 0..ledger.len() {
            let rec = ledger.record(i);
            let on = rec.count(EventKind::Onboarding);
            r.most_onboarding = r.most_onboarding.max(on);
            r.onboarding |= on > 0;
            r.support |= rec.count(EventKind::Support) > 0;
            r.responses |= rec.count(EventKind::Response) > 0;
            r.feedback |= rec.count(EventKind::Feedback) + rec.count(EventKind::Review) > 0;
        }
        r
    }
}

/// Cost to serve a client: reported ticket costs plus `ticket_cost` for each ticket without one.
pub fn cost_to_serve(t: &Tally, ticket_cost: f64) -> f64 {
    let unreported = t.count(EventKind::Support).saturating_sub(t.with_cost);
    t.cost_micros as f64 / MICROS + unreported as f64 * ticket_cost
}

/// What one client's score is computed from, up to the day scored.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Its interactions.
    pub tally: &'a Tally,
    /// Its revenue.
    pub revenue: f64,
    /// The share of the feature catalog it used (None without a catalog).
    pub adoption: Option<f64>,
    /// Days from its first activity to the day scored.
    pub tenure_days: f64,
    pub recorded: &'a Recorded,
    /// Write the reasons' sentences.
    pub texts: bool,
}

/// The mean of the known values (summed from −0, as `Iterator::sum` does).
fn mean(parts: &[Option<f64>]) -> Option<f64> {
    let (sum, n) = parts
        .iter()
        .flatten()
        .fold((-0.0, 0usize), |(s, n), &v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn tickets_text(n: u64) -> String {
    plural(n as f64, "ticket", "tickets")
}

/// Communication: clarity of tickets (messages per ticket) times the share not reopened.
fn communication(x: &Inputs, o: &EffectivenessOptions, reasons: &mut Reasons<Code>) -> Part {
    let t = x.tally;
    let tickets = t.count(EventKind::Support);
    let w = o.weights.communication;
    if tickets == 0 {
        return Part {
            weight: w,
            raw: None,
            score: None,
        };
    }
    let reopened = t.reopened.min(tickets) as f64 / tickets as f64;
    let per_ticket = (t.with_messages > 0).then(|| t.messages as f64 / t.with_messages as f64);
    let clarity = per_ticket.map_or(1.0, |m| {
        ((o.unclear_messages - m) / (o.unclear_messages - o.clear_messages)).clamp(0.0, 1.0)
    });
    let s = 100.0 * clarity * (1.0 - reopened);
    let text = || {
        let reopened_text = format!(
            "{:.0}% of {} reopened",
            100.0 * reopened,
            tickets_text(tickets)
        );
        match per_ticket {
            Some(m) => format!("{m:.1} messages per ticket, {reopened_text}"),
            None => reopened_text,
        }
    };
    let codes = [
        Code::CommunicationUnclear,
        Code::CommunicationFair,
        Code::CommunicationClear,
    ];
    reasons.push(w, s, band(s, codes), text);
    Part {
        weight: w,
        raw: per_ticket.or(Some(0.0)),
        score: Some(s),
    }
}

/// Informed engagement: the mean of the known shares of features used and of self-service.
fn informed(x: &Inputs, o: &EffectivenessOptions, reasons: &mut Reasons<Code>) -> Part {
    let tickets = x.tally.count(EventKind::Support);
    let self_service = x.tally.count(EventKind::SelfService);
    let self_share =
        (self_service + tickets > 0).then(|| self_service as f64 / (self_service + tickets) as f64);
    let raw = mean(&[x.adoption, self_share]);
    let score = raw.map(|r| 100.0 * r);
    if let Some(s) = score {
        let text = || {
            let mut bits = Vec::new();
            if let Some(a) = x.adoption {
                bits.push(format!("uses {:.0}% of features", 100.0 * a));
            }
            if self_share.is_some() {
                bits.push(format!(
                    "{} self-service look-ups against {}",
                    number(self_service as f64),
                    tickets_text(tickets)
                ));
            }
            bits.join(", ")
        };
        let codes = [Code::InformedLow, Code::InformedFair, Code::InformedHigh];
        reasons.push(o.weights.informed, s, band(s, codes), text);
    }
    Part {
        weight: o.weights.informed,
        raw,
        score,
    }
}

/// Collaboration: the mean of the known parts — onboarding done, information provided when
/// asked, commitments kept.
fn collaboration(x: &Inputs, o: &EffectivenessOptions, reasons: &mut Reasons<Code>) -> Part {
    let t = x.tally;
    let steps = if o.onboarding_steps > 0 {
        o.onboarding_steps as u64
    } else {
        x.recorded.most_onboarding
    };
    let onboarded = t.count(EventKind::Onboarding);
    let onboarding =
        (x.recorded.onboarding && steps > 0).then(|| (onboarded as f64 / steps as f64).min(1.0));
    let responses = t.count(EventKind::Response);
    let provided = x.recorded.responses.then(|| (responses as f64).min(1.0));
    let (renewals, cancels) = (
        t.count(EventKind::Renewal),
        t.count(EventKind::Cancellation),
    );
    let kept = (renewals + cancels > 0).then(|| renewals as f64 / (renewals + cancels) as f64);
    let raw = mean(&[onboarding, provided, kept]);
    let score = raw.map(|r| 100.0 * r);
    if let Some(s) = score {
        let text = || {
            let mut bits = Vec::new();
            if onboarding.is_some() {
                bits.push(format!(
                    "{} of {steps} onboarding steps",
                    onboarded.min(steps)
                ));
            }
            if provided.is_some() {
                bits.push(if responses > 0 {
                    format!(
                        "provided information {}",
                        plural(responses as f64, "time", "times")
                    )
                } else {
                    "never provided requested information".to_string()
                });
            }
            if kept.is_some() {
                bits.push(format!(
                    "{} against {}",
                    plural(renewals as f64, "renewal", "renewals"),
                    plural(cancels as f64, "cancellation", "cancellations")
                ));
            }
            bits.join(", ")
        };
        let codes = [
            Code::CollaborationLow,
            Code::CollaborationFair,
            Code::CollaborationHigh,
        ];
        reasons.push(o.weights.collaboration, s, band(s, codes), text);
    }
    Part {
        weight: o.weights.collaboration,
        raw,
        score,
    }
}

/// Constructive feedback: feedback and reviews per 90 days of tenure.
fn feedback(x: &Inputs, o: &EffectivenessOptions, reasons: &mut Reasons<Code>) -> Part {
    let w = o.weights.feedback;
    if !x.recorded.feedback {
        return Part {
            weight: w,
            raw: None,
            score: None,
        };
    }
    let given = x.tally.count(EventKind::Feedback) + x.tally.count(EventKind::Review);
    let per_quarter = given as f64 / (x.tenure_days.max(1.0) / 90.0).max(1.0);
    let s = 100.0 * (per_quarter / o.feedback_per_quarter).min(1.0);
    let text = || {
        format!(
            "{} given ({per_quarter:.1} a quarter)",
            plural(given as f64, "piece of feedback", "pieces of feedback"),
        )
    };
    let codes = [
        Code::FeedbackRare,
        Code::FeedbackSome,
        Code::FeedbackRegular,
    ];
    reasons.push(w, s, band(s, codes), text);
    Part {
        weight: w,
        raw: Some(per_quarter),
        score: Some(s),
    }
}

/// Cost to serve against revenue.
fn cost(x: &Inputs, cost: f64, o: &EffectivenessOptions, reasons: &mut Reasons<Code>) -> Part {
    let (revenue, tickets) = (x.revenue, x.tally.count(EventKind::Support));
    let (raw, score) = if revenue > 0.0 && (x.recorded.support || o.ticket_cost == 0.0) {
        let share = cost / revenue;
        (
            Some(share),
            Some(100.0 * (1.0 - share / o.max_cost_share).max(0.0)),
        )
    } else if tickets > 0 {
        (None, Some(if cost > 0.0 { 0.0 } else { 100.0 }))
    } else {
        (None, None)
    };
    if let Some(s) = score {
        let text = || {
            if revenue > 0.0 {
                format!(
                    "serving costs {:.0}% of revenue ({cost:.2} of {revenue:.2})",
                    100.0 * cost / revenue
                )
            } else {
                format!("serving cost {cost:.2} with no revenue")
            }
        };
        let codes = [
            Code::HighMaintenance,
            Code::ModerateMaintenance,
            Code::LowMaintenance,
        ];
        reasons.push(o.weights.cost_to_serve, s, band(s, codes), text);
    }
    Part {
        weight: o.weights.cost_to_serve,
        raw,
        score,
    }
}

fn parts(
    x: &Inputs,
    spent: f64,
    o: &EffectivenessOptions,
    reasons: &mut Reasons<Code>,
) -> [Part; 5] {
    [
        communication(x, o, reasons),
        informed(x, o, reasons),
        collaboration(x, o, reasons),
        feedback(x, o, reasons),
        cost(x, spent, o, reasons),
    ]
}

/// The effective-customer score alone (what [`score`] gives as `score`), for a history.
pub fn total(x: &Inputs, o: &EffectivenessOptions) -> Option<f64> {
    let spent = cost_to_serve(x.tally, o.ticket_cost);
    weighted(&parts(x, spent, o, &mut Reasons::new(false))).map(round1)
}

/// Scores one client.
pub fn score(x: &Inputs, o: &EffectivenessOptions) -> Effectiveness {
    let mut reasons = Reasons::new(x.texts);
    let spent = cost_to_serve(x.tally, o.ticket_cost);
    let parts = parts(x, spent, o, &mut reasons);
    let (total, [communication, informed, collaboration, feedback, cost_to_serve]) = weigh(parts);
    Effectiveness {
        score: total.map(round1),
        components: EffectivenessComponents {
            communication,
            informed,
            collaboration,
            feedback,
            cost_to_serve,
        },
        net_value: round2(x.revenue - spent),
        cost_to_serve: round2(spent),
        reasons: reasons.sorted(),
    }
}
