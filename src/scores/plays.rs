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

use super::activity::Status;
use crate::error::Result;
use crate::options;
use crate::text::round4;

/// Recommended-play settings (the `plays` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PlayOptions {
    /// Most plays listed per client, 1 to 6.
    pub max_plays: u32,
    /// Engagement that counts as high.
    pub high_engagement: f64,
    /// Engagement (with positive feedback) for an advocacy ask.
    pub advocacy_engagement: f64,
    /// Mean feedback rating that counts as positive (use 9 for NPS).
    pub positive_rating: f64,
    /// Days between renewals.
    pub renewal_period_days: u32,
    /// Days before an expected renewal that count as near it.
    pub renewal_window_days: u32,
    /// Usage limits of clients' plans: events per 30 days, by client id.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub usage_limits: std::collections::BTreeMap<String, f64>,
    /// Share of its plan's limit at which a client is near it.
    pub limit_share: f64,
    /// Effective-customer cost component at or below which a client is high-maintenance.
    pub high_maintenance_cost_score: f64,
    /// Reopened tickets that call for a support intervention.
    pub reopened_tickets: u64,
    /// Tenure (days) that counts as early, for onboarding plays.
    pub early_days: u32,
    /// Feature adoption share below which adoption is low.
    pub low_adoption: f64,
    /// Plays switched off, by name.
    pub disabled: Vec<PlayKind>,
}

impl Default for PlayOptions {
    fn default() -> Self {
        PlayOptions {
            max_plays: 3,
            high_engagement: 60.0,
            advocacy_engagement: 70.0,
            positive_rating: 4.0,
            renewal_period_days: 365,
            renewal_window_days: 60,
            usage_limits: Default::default(),
            limit_share: 0.8,
            high_maintenance_cost_score: 30.0,
            reopened_tickets: 2,
            early_days: 90,
            low_adoption: 0.3,
            disabled: Vec::new(),
        }
    }
}

impl PlayOptions {
    pub fn check(&self) -> Result<()> {
        options::within("maxPlays", self.max_plays, 1, PlayKind::ALL.len() as u32)?;
        for (k, v) in [
            ("highEngagement", self.high_engagement),
            ("advocacyEngagement", self.advocacy_engagement),
            ("highMaintenanceCostScore", self.high_maintenance_cost_score),
        ] {
            options::within(k, v, 0.0, 100.0)?;
        }
        options::finite("positiveRating", self.positive_rating)?;
        options::at_least("renewalPeriodDays", self.renewal_period_days as u64, 1)?;
        options::positive("limitShare", self.limit_share)?;
        options::within("lowAdoption", self.low_adoption, 0.0, 1.0)?;
        for (id, v) in &self.usage_limits {
            options::positive(&format!("usageLimits.{id}"), *v)?;
        }
        Ok(())
    }
}

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
    /// Write each play's reason and signals (an explanation), or only its kind and priority
    /// (a table).
    pub texts: bool,
}

fn sig(name: &str, value: f64) -> Signal {
    Signal {
        name: name.to_string(),
        value: round4(value),
    }
}

/// Renewal or upsell: near a plan's limit (80), near a renewal (70), or growing (60).
fn renewal_upsell(s: &Signals, o: &PlayOptions) -> Option<Play> {
    if matches!(s.status, Some(Status::Dormant) | Some(Status::Churned)) {
        return None;
    }
    let high = s.engagement >= o.high_engagement;
    if let Some(limit) = s.usage_limit.filter(|&l| s.usage_30d >= o.limit_share * l) {
        return Some(s.play(
            PlayKind::RenewalUpsell,
            80.0,
            || format!(
                "used {:.0} of its plan's {limit:.0} events in the last 30 days: offer the next plan",
                s.usage_30d
            ),
            || vec![sig("usage30d", s.usage_30d), sig("usageLimit", limit)],
        ));
    }
    let window = o.renewal_window_days as i64;
    if let Some(d) = s.days_to_renewal.filter(|&d| d >= 0 && d <= window && high) {
        return Some(s.play(
            PlayKind::RenewalUpsell,
            70.0,
            || {
                format!(
                    "renewal due in {d} days with engagement {:.0}: renew and upsell",
                    s.engagement
                )
            },
            || {
                vec![
                    sig("daysToRenewal", d as f64),
                    sig("engagement", s.engagement),
                ]
            },
        ));
    }
    let t = s.trend.filter(|&t| t >= 0.2 && high)?;
    Some(s.play(
        PlayKind::RenewalUpsell,
        60.0,
        || {
            format!(
                "activity up {:.0}% with engagement {:.0}: room to grow the account",
                100.0 * t,
                s.engagement
            )
        },
        || vec![sig("trend", t), sig("engagement", s.engagement)],
    ))
}

/// Re-engagement: at risk (75) or dormant (65) with an expected value at least the median.
fn re_engagement(s: &Signals) -> Option<Play> {
    let st @ (Status::AtRisk | Status::Dormant) = s.status? else {
        return None;
    };
    if !(s.expected_value > 0.0 && s.expected_value >= s.median_expected_value) {
        return None;
    }
    Some(s.play(
        PlayKind::ReEngagement,
        if st == Status::AtRisk { 75.0 } else { 65.0 },
        || {
            format!(
                "{} with an expected value of {:.2} (median {:.2}): reach out before it is lost",
                st.name().replace('_', " "),
                s.expected_value,
                s.median_expected_value
            )
        },
        || {
            vec![
                sig("expectedValue", s.expected_value),
                sig("medianExpectedValue", s.median_expected_value),
            ]
        },
    ))
}

/// Support intervention (70): high maintenance or repeatedly reopened tickets.
fn support_intervention(s: &Signals, o: &PlayOptions) -> Option<Play> {
    let costly = s.cost_score.filter(|&c| c <= o.high_maintenance_cost_score);
    let reopened = s.reopened >= o.reopened_tickets;
    if costly.is_none() && !reopened {
        return None;
    }
    let mut why = Vec::new();
    let mut signals = Vec::new();
    if let Some(c) = costly {
        why.push(format!("cost-to-serve score {c:.0}"));
        signals.push(sig("costToServeScore", c));
    }
    if reopened {
        why.push(format!("{} reopened tickets", s.reopened));
    }
    signals.push(sig("reopenedTickets", s.reopened as f64));
    Some(s.play(
        PlayKind::SupportIntervention,
        70.0,
        || format!("high maintenance ({}): find the root cause", why.join(", ")),
        || signals,
    ))
}

/// Advocacy (60): engaged, rating well, no open problems, and healthy.
fn advocacy_ask(s: &Signals, o: &PlayOptions) -> Option<Play> {
    let r = s.mean_rating?;
    let healthy = matches!(
        s.status,
        Some(Status::Active) | Some(Status::New) | Some(Status::Resurrected)
    );
    let fits = s.engagement >= o.advocacy_engagement
        && r >= o.positive_rating
        && s.reopened == 0
        && healthy;
    fits.then(|| {
        s.play(
            PlayKind::AdvocacyAsk,
            60.0,
            || format!(
                "engagement {:.0}, mean rating {r:.1}, no open problems: ask for a referral or review",
                s.engagement
            ),
            || vec![sig("engagement", s.engagement), sig("meanRating", r)],
        )
    })
}

/// Onboarding and education (55): early, and using little of the product.
fn onboarding_education(s: &Signals, o: &PlayOptions) -> Option<Play> {
    let a = s.adoption?;
    (s.tenure_days <= o.early_days && a < o.low_adoption).then(|| {
        s.play(
            PlayKind::OnboardingEducation,
            55.0,
            || {
                format!(
                    "{} days in and using {:.0}% of features: guide it to the rest",
                    s.tenure_days,
                    100.0 * a
                )
            },
            || vec![sig("tenureDays", s.tenure_days as f64), sig("adoption", a)],
        )
    })
}

/// Feedback request (40): engaged, and never asked for feedback.
fn feedback_request(s: &Signals, o: &PlayOptions) -> Option<Play> {
    (s.engagement >= o.high_engagement && s.feedback_given == 0).then(|| {
        s.play(
            PlayKind::FeedbackRequest,
            40.0,
            || {
                format!(
                    "engagement {:.0} but no feedback yet: ask what it thinks",
                    s.engagement
                )
            },
            || vec![sig("engagement", s.engagement), sig("feedbackGiven", 0.0)],
        )
    })
}

impl Signals {
    /// A play, its reason and signals written only when `texts`.
    fn play(
        &self,
        play: PlayKind,
        priority: f64,
        reason: impl FnOnce() -> String,
        signals: impl FnOnce() -> Vec<Signal>,
    ) -> Play {
        let (reason, signals) = match self.texts {
            true => (reason(), signals()),
            false => (String::new(), Vec::new()),
        };
        Play {
            play,
            priority,
            reason,
            signals,
        }
    }
}

/// The order the plays are weighed in: of two plays of equal priority, the earlier comes first.
const ORDER: [PlayKind; 6] = [
    PlayKind::RenewalUpsell,
    PlayKind::ReEngagement,
    PlayKind::SupportIntervention,
    PlayKind::AdvocacyAsk,
    PlayKind::OnboardingEducation,
    PlayKind::FeedbackRequest,
];

fn rank(k: PlayKind) -> usize {
    ORDER.iter().position(|&o| o == k).unwrap_or(ORDER.len())
}

/// Whether play `a` (kind, priority) ranks before `b`: higher priority, or equal and earlier.
fn before(a: (PlayKind, f64), b: (PlayKind, f64)) -> bool {
    a.1 > b.1 || (a.1 == b.1 && rank(a.0) < rank(b.0))
}

/// The plays that depend on the client alone: all but re-engagement, which compares its
/// expected value with the other clients'.
fn own(s: &Signals, o: &PlayOptions) -> [Option<Play>; 5] {
    [
        renewal_upsell(s, o),
        support_intervention(s, o),
        advocacy_ask(s, o),
        onboarding_education(s, o),
        feedback_request(s, o),
    ]
}

/// The plays for one client, ranked.
pub fn recommend(s: &Signals, o: &PlayOptions) -> Vec<Play> {
    let [a, b, c, d, e] = own(s, o);
    let mut out: Vec<Play> = [a, re_engagement(s), b, c, d, e]
        .into_iter()
        .flatten()
        .filter(|p| !o.disabled.contains(&p.play))
        .collect();
    out.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then(rank(a.play).cmp(&rank(b.play)))
    });
    out.truncate(o.max_plays as usize);
    out
}

/// The top play among the client's own (all but re-engagement): its kind and priority. With
/// [`top`], the first play [`recommend`] lists, found without the other clients.
pub fn top_own(s: &Signals, o: &PlayOptions) -> Option<(PlayKind, f64)> {
    own(s, o)
        .into_iter()
        .flatten()
        .filter(|p| !o.disabled.contains(&p.play))
        .map(|p| (p.play, p.priority))
        .reduce(|a, b| if before(b, a) { b } else { a })
}

/// The top play, given the top of the client's own, its status and expected value, and the
/// median expected value of the clients (what re-engagement compares with).
pub fn top(
    own: Option<(PlayKind, f64)>,
    status: Status,
    expected_value: f64,
    median_expected_value: f64,
    o: &PlayOptions,
) -> Option<(PlayKind, f64)> {
    let s = Signals {
        status: Some(status),
        expected_value,
        median_expected_value,
        ..Signals::default()
    };
    let re = re_engagement(&s)
        .filter(|p| !o.disabled.contains(&p.play))
        .map(|p| (p.play, p.priority));
    match (own, re) {
        (Some(a), Some(b)) => Some(if before(b, a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The table's top play (own plays first, re-engagement after) is the first play
        /// `recommend` lists, ties and disabled plays included.
        #[test]
        fn the_top_play_is_the_first_recommended(
            status in 0usize..6, engagement in 0.0f64..100.0, trend in proptest::option::of(-1.0f64..2.0),
            adoption in proptest::option::of(0.0f64..1.0), tenure in 0u32..400,
            rating in proptest::option::of(0.0f64..10.0), reopened in 0u64..4, feedback in 0u64..3,
            cost in proptest::option::of(0.0f64..100.0), renewal in proptest::option::of(-30i64..400),
            usage in 0.0f64..200.0, limit in proptest::option::of(1.0f64..200.0),
            value in 0.0f64..500.0, median in 0.0f64..500.0, disabled in 0u8..64, max_plays in 1u32..7,
        ) {
            let s = Signals {
                status: Some(Status::ALL[status]),
                engagement, trend, adoption, tenure_days: tenure, mean_rating: rating, reopened,
                feedback_given: feedback, cost_score: cost, days_to_renewal: renewal,
                usage_30d: usage, usage_limit: limit, expected_value: value,
                median_expected_value: median, texts: false,
            };
            let o = PlayOptions {
                max_plays,
                disabled: PlayKind::ALL.iter().enumerate().filter(|(k, _)| disabled >> k & 1 == 1).map(|(_, p)| *p).collect(),
                ..PlayOptions::default()
            };
            let first = recommend(&s, &o).first().map(|p| (p.play, p.priority));
            let own = top_own(&Signals { median_expected_value: f64::NAN, ..s.clone() }, &o);
            prop_assert_eq!(top(own, s.status.unwrap(), value, median, &o), first);
        }
    }
}
