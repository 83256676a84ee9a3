//! Recommended plays: a short ranked list per client of what to do next, each with its reason
//! and the signals behind it. Thresholds are `plays` options; every rule is below, in the
//! order of its base priority.
//!
//! - **renewal_upsell** (80 near a plan's limit, 70 near a renewal, 60 on growth): the client is
//!   not dormant or churned, and its usage in the last 30 days is at least `limitShare` (0.8) of
//!   its plan's limit (`usageLimits`, events per 30 days); or a renewal is due within
//!   `renewalWindowDays` (60) — a year (`renewalPeriodDays`) after its last renewal — with
//!   engagement at least `highEngagement` (60); or its activity grew by 20% or more over the
//!   engagement window with engagement at least `highEngagement`.
//! - **re_engagement** (75 at risk, 65 dormant): the client is at risk or dormant and its
//!   expected value for the next year (the long-term case's) is at least the median over the
//!   clients scored whose expected value is positive (where most of a book has lapsed, the
//!   median over everyone would be 0 and let every lapsed client through).
//! - **support_intervention** (70): high maintenance — the effective-customer cost component at
//!   or below `highMaintenanceCostScore` (30) — or at least `reopenedTickets` (2) reopened tickets.
//! - **advocacy_ask** (60): engagement at least `advocacyEngagement` (70), a mean feedback rating
//!   at least `positiveRating` (4; 9 for NPS), no reopened ticket, and an active, new or
//!   resurrected status.
//! - **onboarding_education** (55): tenure at most `earlyDays` (90) and feature adoption under
//!   `lowAdoption` (0.3) of the catalog.
//! - **feedback_request** (40): engagement at least `highEngagement` and no feedback or review
//!   ever given.
//!
//! Plays named in `disabled` are skipped; at most `maxPlays` (3) are listed, highest priority
//! first.

use serde::{Deserialize, Serialize};

use crate::activity::Status;
use crate::config::PlayOptions;

/// The plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum PlayKind {
    RenewalUpsell,
    AdvocacyAsk,
    ReEngagement,
    SupportIntervention,
    OnboardingEducation,
    FeedbackRequest,
}

impl PlayKind {
    pub const ALL: [PlayKind; 6] = [
        PlayKind::RenewalUpsell,
        PlayKind::AdvocacyAsk,
        PlayKind::ReEngagement,
        PlayKind::SupportIntervention,
        PlayKind::OnboardingEducation,
        PlayKind::FeedbackRequest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlayKind::RenewalUpsell => "renewal_upsell",
            PlayKind::AdvocacyAsk => "advocacy_ask",
            PlayKind::ReEngagement => "re_engagement",
            PlayKind::SupportIntervention => "support_intervention",
            PlayKind::OnboardingEducation => "onboarding_education",
            PlayKind::FeedbackRequest => "feedback_request",
        }
    }
}

/// A measured value behind a play.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Signal {
    pub name: String,
    pub value: f64,
}

/// One recommended play.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Play {
    pub play: PlayKind,
    /// 0–100; plays are listed highest first.
    pub priority: f64,
    pub reason: String,
    pub signals: Vec<Signal>,
}

/// What the play rules read about a client.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signals {
    pub status: Option<Status>,
    pub engagement: f64,
    /// Relative change of activity over the engagement window.
    pub trend: Option<f64>,
    /// Share of the feature catalog used.
    pub adoption: Option<f64>,
    pub tenure_days: u32,
    pub mean_rating: Option<f64>,
    pub reopened: u64,
    pub feedback_given: u64,
    pub cost_score: Option<f64>,
    /// Days until the next expected renewal (negative when overdue), if it has renewed.
    pub days_to_renewal: Option<i64>,
    /// Events in the last 30 days, and the plan's limit for that many days, if given.
    pub usage_30d: f64,
    pub usage_limit: Option<f64>,
    pub expected_value: f64,
    /// Median expected value over the clients scored whose expected value is positive.
    pub median_expected_value: f64,
}

fn sig(name: &str, value: f64) -> Signal {
    Signal {
        name: name.to_string(),
        value: (value * 1e4).round() / 1e4,
    }
}

/// The plays for one client, ranked.
pub fn recommend(s: &Signals, o: &PlayOptions) -> Vec<Play> {
    let mut out: Vec<Play> = Vec::new();
    let mut add = |play: PlayKind, priority: f64, reason: String, signals: Vec<Signal>| {
        if !o.disabled.contains(&play) {
            out.push(Play {
                play,
                priority,
                reason,
                signals,
            });
        }
    };
    let alive = !matches!(s.status, Some(Status::Dormant) | Some(Status::Churned));
    let high = s.engagement >= o.high_engagement;

    // Renewal or upsell.
    if alive {
        let near_limit = s.usage_limit.filter(|&l| s.usage_30d >= o.limit_share * l);
        let near_renewal = s
            .days_to_renewal
            .filter(|&d| d >= 0 && d <= o.renewal_window_days as i64 && high);
        let growing = s.trend.filter(|&t| t >= 0.2 && high);
        if let Some(limit) = near_limit {
            add(
                PlayKind::RenewalUpsell,
                80.0,
                format!(
                    "used {:.0} of its plan's {:.0} events in the last 30 days: offer the next plan",
                    s.usage_30d, limit
                ),
                vec![sig("usage30d", s.usage_30d), sig("usageLimit", limit)],
            );
        } else if let Some(d) = near_renewal {
            add(
                PlayKind::RenewalUpsell,
                70.0,
                format!(
                    "renewal due in {d} days with engagement {:.0}: renew and upsell",
                    s.engagement
                ),
                vec![
                    sig("daysToRenewal", d as f64),
                    sig("engagement", s.engagement),
                ],
            );
        } else if let Some(t) = growing {
            add(
                PlayKind::RenewalUpsell,
                60.0,
                format!(
                    "activity up {:.0}% with engagement {:.0}: room to grow the account",
                    100.0 * t,
                    s.engagement
                ),
                vec![sig("trend", t), sig("engagement", s.engagement)],
            );
        }
    }

    // Re-engagement.
    if let Some(st @ (Status::AtRisk | Status::Dormant)) = s.status {
        if s.expected_value > 0.0 && s.expected_value >= s.median_expected_value {
            add(
                PlayKind::ReEngagement,
                if st == Status::AtRisk { 75.0 } else { 65.0 },
                format!(
                    "{} with an expected value of {:.2} (median {:.2}): reach out before it is lost",
                    st.name().replace('_', " "),
                    s.expected_value,
                    s.median_expected_value
                ),
                vec![
                    sig("expectedValue", s.expected_value),
                    sig("medianExpectedValue", s.median_expected_value),
                ],
            );
        }
    }

    // Support intervention.
    let costly = s.cost_score.filter(|&c| c <= o.high_maintenance_cost_score);
    if costly.is_some() || s.reopened >= o.reopened_tickets {
        let mut why = Vec::new();
        let mut signals = Vec::new();
        if let Some(c) = costly {
            why.push(format!("cost-to-serve score {c:.0}"));
            signals.push(sig("costToServeScore", c));
        }
        if s.reopened >= o.reopened_tickets {
            why.push(format!("{} reopened tickets", s.reopened));
        }
        signals.push(sig("reopenedTickets", s.reopened as f64));
        add(
            PlayKind::SupportIntervention,
            70.0,
            format!("high maintenance ({}): find the root cause", why.join(", ")),
            signals,
        );
    }

    // Advocacy.
    if let Some(r) = s.mean_rating {
        let healthy = matches!(
            s.status,
            Some(Status::Active) | Some(Status::New) | Some(Status::Resurrected)
        );
        if s.engagement >= o.advocacy_engagement
            && r >= o.positive_rating
            && s.reopened == 0
            && healthy
        {
            add(
                PlayKind::AdvocacyAsk,
                60.0,
                format!(
                    "engagement {:.0}, mean rating {r:.1}, no open problems: ask for a referral or review",
                    s.engagement
                ),
                vec![sig("engagement", s.engagement), sig("meanRating", r)],
            );
        }
    }

    // Onboarding and education.
    if let Some(a) = s.adoption {
        if s.tenure_days <= o.early_days && a < o.low_adoption {
            add(
                PlayKind::OnboardingEducation,
                55.0,
                format!(
                    "{} days in and using {:.0}% of features: guide it to the rest",
                    s.tenure_days,
                    100.0 * a
                ),
                vec![sig("tenureDays", s.tenure_days as f64), sig("adoption", a)],
            );
        }
    }

    // Feedback request.
    if high && s.feedback_given == 0 {
        add(
            PlayKind::FeedbackRequest,
            40.0,
            format!(
                "engagement {:.0} but no feedback yet: ask what it thinks",
                s.engagement
            ),
            vec![sig("engagement", s.engagement), sig("feedbackGiven", 0.0)],
        );
    }

    out.sort_by(|a, b| b.priority.total_cmp(&a.priority));
    out.truncate(o.max_plays as usize);
    out
}
