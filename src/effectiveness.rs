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

use crate::activity::Reason;
use crate::config::EffectivenessOptions;
use crate::engagement::{band, plural, round1, round2, weigh, Component};
use crate::event::EventKind;
use crate::ledger::{Ledger, Tally};

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
    pub reasons: Vec<Reason>,
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
    t.cost_micros as f64 / crate::event::MICROS + unreported as f64 * ticket_cost
}

/// A reason ranked by how far its component's score is from neutral, weighted: the code is
/// the low, fair or high one of `codes` by the score's band.
fn banded(weight: f64, score: f64, codes: [&'static str; 3], text: String) -> (f64, Reason) {
    (
        weight * (score - 50.0).abs(),
        Reason::new(band(score, codes[0], codes[1], codes[2]), text),
    )
}

fn mean(parts: &[Option<f64>]) -> Option<f64> {
    let known: Vec<f64> = parts.iter().flatten().copied().collect();
    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
}

/// Scores one client from `t`, its interactions up to the day scored, and `revenue` up to that
/// day. `adoption` is the share of the feature catalog it used (None without a catalog);
/// `tenure_days` runs from its first activity to the day scored.
pub fn score(
    t: &Tally,
    revenue: f64,
    adoption: Option<f64>,
    tenure_days: f64,
    recorded: &Recorded,
    o: &EffectivenessOptions,
) -> Effectiveness {
    let w = &o.weights;
    let mut reasons: Vec<(f64, Reason)> = Vec::new();
    let tickets = t.count(EventKind::Support);

    // Communication.
    let (comm_raw, comm) = if tickets == 0 {
        (None, None)
    } else {
        let reopened = t.reopened.min(tickets) as f64 / tickets as f64;
        let per_ticket = (t.with_messages > 0).then(|| t.messages as f64 / t.with_messages as f64);
        let clarity = per_ticket.map_or(1.0, |m| {
            ((o.unclear_messages - m) / (o.unclear_messages - o.clear_messages)).clamp(0.0, 1.0)
        });
        let s = 100.0 * clarity * (1.0 - reopened);
        let text = match per_ticket {
            Some(m) => format!(
                "{:.1} messages per ticket, {:.0}% of {} reopened",
                m,
                100.0 * reopened,
                plural(tickets as f64, "ticket", "tickets")
            ),
            None => format!(
                "{:.0}% of {} reopened",
                100.0 * reopened,
                plural(tickets as f64, "ticket", "tickets")
            ),
        };
        reasons.push(banded(
            w.communication,
            s,
            [
                "COMMUNICATION_UNCLEAR",
                "COMMUNICATION_FAIR",
                "COMMUNICATION_CLEAR",
            ],
            text,
        ));
        (per_ticket.or(Some(0.0)), Some(s))
    };

    // Informed engagement.
    let self_service = t.count(EventKind::SelfService);
    let self_share =
        (self_service + tickets > 0).then(|| self_service as f64 / (self_service + tickets) as f64);
    let informed_raw = mean(&[adoption, self_share]);
    let informed = informed_raw.map(|r| 100.0 * r);
    if let Some(s) = informed {
        let mut bits = Vec::new();
        if let Some(a) = adoption {
            bits.push(format!("uses {:.0}% of features", 100.0 * a));
        }
        if self_share.is_some() {
            bits.push(format!(
                "{} self-service look-ups against {}",
                crate::activity_fmt(self_service as f64),
                plural(tickets as f64, "ticket", "tickets")
            ));
        }
        reasons.push(banded(
            w.informed,
            s,
            ["INFORMED_LOW", "INFORMED_FAIR", "INFORMED_HIGH"],
            bits.join(", "),
        ));
    }

    // Collaboration.
    let steps = if o.onboarding_steps > 0 {
        o.onboarding_steps as u64
    } else {
        recorded.most_onboarding
    };
    let onboarding = (recorded.onboarding && steps > 0)
        .then(|| (t.count(EventKind::Onboarding) as f64 / steps as f64).min(1.0));
    let responses = t.count(EventKind::Response);
    let provided = recorded.responses.then(|| (responses as f64).min(1.0));
    let (renewals, cancels) = (
        t.count(EventKind::Renewal),
        t.count(EventKind::Cancellation),
    );
    let kept = (renewals + cancels > 0).then(|| renewals as f64 / (renewals + cancels) as f64);
    let collab_raw = mean(&[onboarding, provided, kept]);
    let collab = collab_raw.map(|r| 100.0 * r);
    if let Some(s) = collab {
        let mut bits = Vec::new();
        if onboarding.is_some() {
            bits.push(format!(
                "{} of {} onboarding steps",
                t.count(EventKind::Onboarding).min(steps),
                steps
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
        reasons.push(banded(
            w.collaboration,
            s,
            [
                "COLLABORATION_LOW",
                "COLLABORATION_FAIR",
                "COLLABORATION_HIGH",
            ],
            bits.join(", "),
        ));
    }

    // Constructive feedback.
    let given = t.count(EventKind::Feedback) + t.count(EventKind::Review);
    let (fb_raw, fb) = if recorded.feedback {
        let per_quarter = given as f64 / (tenure_days.max(1.0) / 90.0).max(1.0);
        let s = 100.0 * (per_quarter / o.feedback_per_quarter).min(1.0);
        reasons.push(banded(
            w.feedback,
            s,
            ["FEEDBACK_RARE", "FEEDBACK_SOME", "FEEDBACK_REGULAR"],
            format!(
                "{} given ({:.1} a quarter)",
                plural(given as f64, "piece of feedback", "pieces of feedback"),
                per_quarter
            ),
        ));
        (Some(per_quarter), Some(s))
    } else {
        (None, None)
    };

    // Cost to serve.
    let cost = cost_to_serve(t, o.ticket_cost);
    let (cost_raw, cost_score) = if revenue > 0.0 && (recorded.support || o.ticket_cost == 0.0) {
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
    if let Some(s) = cost_score {
        let text = if revenue > 0.0 {
            format!(
                "serving costs {:.0}% of revenue ({:.2} of {:.2})",
                100.0 * cost / revenue,
                cost,
                revenue
            )
        } else {
            format!("serving cost {cost:.2} with no revenue")
        };
        reasons.push(banded(
            w.cost_to_serve,
            s,
            [
                "HIGH_MAINTENANCE",
                "MODERATE_MAINTENANCE",
                "LOW_MAINTENANCE",
            ],
            text,
        ));
    }

    let [communication, informed, collaboration, feedback, cost_to_serve] = weigh([
        (w.communication, comm_raw, comm),
        (w.informed, informed_raw, informed),
        (w.collaboration, collab_raw, collab),
        (w.feedback, fb_raw, fb),
        (w.cost_to_serve, cost_raw, cost_score),
    ]);
    reasons.sort_by(|a, b| b.0.total_cmp(&a.0));
    Effectiveness {
        score: communication.0.map(round1),
        components: EffectivenessComponents {
            communication: communication.1,
            informed: informed.1,
            collaboration: collaboration.1,
            feedback: feedback.1,
            cost_to_serve: cost_to_serve.1,
        },
        net_value: round2(revenue - cost),
        cost_to_serve: round2(cost),
        reasons: reasons.into_iter().map(|r| r.1).collect(),
    }
}
