//! Activity status per client.
//!
//! Everything is judged on *active days* (days with any event but a cancellation) on or before
//! `asOf`. A client's **cadence** is the median gap in days between its consecutive active days
//! (with fewer than three active days, `defaultCadenceDays`). From it come three thresholds,
//! each `max(min…Days, …Factor × cadence)`: at-risk, dormant and churn. With `d` the days since
//! the last active day, the first rule that holds gives the status:
//! 1. `churned` — the latest cancellation on or before `asOf` is not followed by activity on a
//!    later day, or `d` exceeds the churn threshold;
//! 2. `new` — the first active day is fewer than `newDays` days before `asOf`;
//! 3. `dormant` — `d` exceeds the dormant threshold;
//! 4. `at_risk` — `d` exceeds the at-risk threshold;
//! 5. `resurrected` — the first active day in the last `resurrectedDays` days came after a gap
//!    longer than the dormant threshold;
//! 6. `active` — otherwise.
//!
//! So a client who buys monthly (cadence 30) is at risk only after 60 quiet days, while a daily
//! user (cadence 1) is at risk after 7.

use serde::{Deserialize, Serialize};

use super::client::AsOf;
use super::component::Reason;
use crate::error::Result;
use crate::input::event::EventKind;
use crate::input::time;
use crate::ledger::{ClientRecord, DayCount};
use crate::options;
use crate::text::number;

/// Rules for activity status (the `activity` options). Each threshold is
/// `max(min…Days, …Factor × cadence)`, so a monthly buyer is judged on months and a daily user
/// on days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ActivityOptions {
    /// A client whose first activity is fewer than this many days before `asOf` is `new`.
    pub new_days: u32,
    /// Cadence used for clients with fewer than three active days. Default: from the book's
    /// profile, its typical cadence.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub default_cadence_days: Option<f64>,
    /// Quiet longer than `max(minAtRiskDays, atRiskFactor × cadence)` days: `at_risk`. The
    /// thresholds must rise: at-risk < dormant < churn.
    pub min_at_risk_days: f64,
    /// Times the cadence a client may be quiet before it is `at_risk` (at least
    /// `minAtRiskDays`); at-risk < dormant < churn factors.
    pub at_risk_factor: f64,
    /// Quiet longer than `max(minDormantDays, dormantFactor × cadence)` days: `dormant`.
    pub min_dormant_days: f64,
    /// Times the cadence a client may be quiet before it is `dormant` (at least
    /// `minDormantDays`).
    pub dormant_factor: f64,
    /// Quiet longer than `max(minChurnDays, churnFactor × cadence)` days: `churned`.
    pub min_churn_days: f64,
    /// Times the cadence a client may be quiet before it is `churned` (at least
    /// `minChurnDays`).
    pub churn_factor: f64,
    /// A client active again within this many days after a quiet spell longer than its dormant
    /// threshold is `resurrected`.
    pub resurrected_days: u32,
}

impl Default for ActivityOptions {
    fn default() -> Self {
        ActivityOptions {
            new_days: 14,
            default_cadence_days: None,
            min_at_risk_days: 7.0,
            at_risk_factor: 2.0,
            min_dormant_days: 30.0,
            dormant_factor: 4.0,
            min_churn_days: 90.0,
            churn_factor: 8.0,
            resurrected_days: 30,
        }
    }
}

impl ActivityOptions {
    /// Every value positive, and the thresholds and factors rising from at-risk to churn.
    pub fn check(&self) -> Result<()> {
        options::at_least("newDays", self.new_days as u64, 1)?;
        options::at_least("resurrectedDays", self.resurrected_days as u64, 1)?;
        if let Some(d) = self.default_cadence_days {
            options::positive("defaultCadenceDays", d)?;
        }
        for (k, v) in [
            ("minAtRiskDays", self.min_at_risk_days),
            ("atRiskFactor", self.at_risk_factor),
            ("minDormantDays", self.min_dormant_days),
            ("dormantFactor", self.dormant_factor),
            ("minChurnDays", self.min_churn_days),
            ("churnFactor", self.churn_factor),
        ] {
            options::positive(k, v)?;
        }
        if !(self.min_at_risk_days < self.min_dormant_days
            && self.min_dormant_days < self.min_churn_days)
        {
            return Err(options::bad(
                "minDormantDays",
                "thresholds must rise: minAtRiskDays < minDormantDays < minChurnDays",
            ));
        }
        if !(self.at_risk_factor < self.dormant_factor && self.dormant_factor < self.churn_factor) {
            return Err(options::bad(
                "dormantFactor",
                "factors must rise: atRiskFactor < dormantFactor < churnFactor",
            ));
        }
        Ok(())
    }

    /// The cadence of a client with fewer than three active days (7 when neither the options
    /// nor a profile set it).
    pub fn default_cadence(&self) -> f64 {
        self.default_cadence_days.unwrap_or(7.0)
    }

    /// The thresholds for a client of this cadence.
    pub fn thresholds(&self, cadence_days: f64) -> Thresholds {
        Thresholds {
            at_risk_days: self
                .min_at_risk_days
                .max(self.at_risk_factor * cadence_days),
            dormant_days: self
                .min_dormant_days
                .max(self.dormant_factor * cadence_days),
            churn_days: self.min_churn_days.max(self.churn_factor * cadence_days),
        }
    }
}

/// Activity status of a client as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Active,
    AtRisk,
    Dormant,
    Churned,
    Resurrected,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Active,
        Status::AtRisk,
        Status::Dormant,
        Status::Churned,
        Status::Resurrected,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Active => "active",
            Status::AtRisk => "at_risk",
            Status::Dormant => "dormant",
            Status::Churned => "churned",
            Status::Resurrected => "resurrected",
        }
    }
}

crate::codes! {
    /// Why a client has its status.
    pub enum StatusReasonCode {
        /// Cancelled, with no activity on a later day.
        Cancelled = "CANCELLED",
        /// Quiet past the churn threshold.
        SilentPastChurn = "SILENT_PAST_CHURN",
        /// First active fewer than `newDays` days ago.
        FirstSeenRecently = "FIRST_SEEN_RECENTLY",
        /// Quiet past the dormant threshold.
        SilentPastDormant = "SILENT_PAST_DORMANT",
        /// Quiet past the at-risk threshold.
        SilentPastAtRisk = "SILENT_PAST_AT_RISK",
        /// Back after a gap longer than the dormant threshold.
        ReturnedAfterGap = "RETURNED_AFTER_GAP",
        /// Active within the at-risk threshold.
        ActiveOnCadence = "ACTIVE_ON_CADENCE",
        /// Quiet past the churn (or dormant) threshold, but its health says it is likely to come
        /// back: dormant (or at risk).
        LikelyBack = "LIKELY_BACK",
    }
}

/// Days after which the client is at risk, dormant, churned.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    pub at_risk_days: f64,
    pub dormant_days: f64,
    pub churn_days: f64,
}

/// The activity view of one client.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    pub status: Status,
    pub reason: Reason<StatusReasonCode>,
    pub days_since_last: u32,
    pub cadence_days: f64,
    pub thresholds: Thresholds,
    pub first_active_day: i32,
    pub last_active_day: i32,
}

/// The active days on or before `as_of`.
pub fn days_until(rec: &ClientRecord, as_of: i32) -> &[DayCount] {
    match rec.days.last() {
        // The common case: scored as of a day after the last activity.
        Some(d) if d.day <= as_of => &rec.days,
        _ => &rec.days[..rec.days.partition_point(|d| d.day <= as_of)],
    }
}

pub use super::client::cadence;

/// Classifies one client as of a day, writing its reason's sentence when `texts`; `None` if it
/// has no activity by then.
pub fn classify(c: &AsOf, o: &ActivityOptions, texts: bool) -> Option<Activity> {
    let (days, as_of) = (c.days, c.day);
    let (first, last) = (days.first()?.day, days.last()?.day);
    let cad = c.cadence;
    let cadence_days = cad.unwrap_or(o.default_cadence());
    let th = o.thresholds(cadence_days);
    let since = (as_of - last) as u32;
    let quiet = Quiet { since, cad, texts };
    let cancelled = c
        .last_day_of(EventKind::Cancellation)
        .filter(|&day| last <= day);
    let (status, reason) = if let Some(c) = cancelled {
        let text = || {
            format!(
                "cancelled on {} with no activity since",
                time::format_day(c)
            )
        };
        let reason = Reason::lazy(StatusReasonCode::Cancelled, texts, text);
        (Status::Churned, reason)
    } else if since as f64 > th.churn_days {
        quiet.past(
            Status::Churned,
            StatusReasonCode::SilentPastChurn,
            "churn",
            th.churn_days,
        )
    } else if as_of - first < o.new_days as i32 {
        let text = || format!("first active {} days ago", as_of - first);
        let reason = Reason::lazy(StatusReasonCode::FirstSeenRecently, texts, text);
        (Status::New, reason)
    } else if since as f64 > th.dormant_days {
        let code = StatusReasonCode::SilentPastDormant;
        quiet.past(Status::Dormant, code, "dormant", th.dormant_days)
    } else if since as f64 > th.at_risk_days {
        let code = StatusReasonCode::SilentPastAtRisk;
        quiet.past(Status::AtRisk, code, "at-risk", th.at_risk_days)
    } else {
        active_or_back(days, as_of, since, &th, o, texts)
    };
    Some(Activity {
        status,
        reason,
        days_since_last: since,
        cadence_days,
        thresholds: th,
        first_active_day: first,
        last_active_day: last,
    })
}

/// Health at or above which a client quiet past its churn threshold is dormant, not churned.
pub const CHURNED_HEALTH_BELOW: f64 = 30.0;
/// Health at or above which a client quiet past its dormant threshold is at risk, not dormant.
pub const DORMANT_HEALTH_BELOW: f64 = 70.0;

/// Makes the status agree with the health score, so the two tell one story: a client quiet
/// past its churn threshold whose health is [`CHURNED_HEALTH_BELOW`] or more is likely to come
/// back, so it is dormant; one quiet past its dormant (or churn) threshold with a health of
/// [`DORMANT_HEALTH_BELOW`] or more is at risk. A cancellation stays churned (its health reads
/// the cancellation).
pub fn agree(a: &mut Activity, health: f64, horizon: u32, texts: bool) {
    if !may_move(a) {
        return;
    }
    let (past, threshold) = match a.reason.code {
        StatusReasonCode::SilentPastChurn => ("churn", a.thresholds.churn_days),
        StatusReasonCode::SilentPastDormant => ("dormant", a.thresholds.dormant_days),
        _ => return,
    };
    let status = if health >= DORMANT_HEALTH_BELOW {
        Status::AtRisk
    } else if health >= CHURNED_HEALTH_BELOW && a.status == Status::Churned {
        Status::Dormant
    } else {
        return;
    };
    a.status = status;
    let since = a.days_since_last;
    a.reason = Reason::lazy(StatusReasonCode::LikelyBack, texts, || {
        format!(
            "no activity for {since} days, past the {past} threshold of {} days, but a health of {} (its chance of activity within {horizon} days) says clients like it often come back",
            number(threshold),
            number(health)
        )
    });
}

/// Whether [`agree`] may change the status: quiet past the dormant or churn threshold.
pub fn may_move(a: &Activity) -> bool {
    matches!(
        a.reason.code,
        StatusReasonCode::SilentPastChurn | StatusReasonCode::SilentPastDormant
    )
}

/// How long a client has been quiet, and its cadence.
struct Quiet {
    since: u32,
    cad: Option<f64>,
    texts: bool,
}

impl Quiet {
    fn past(
        &self,
        status: Status,
        code: StatusReasonCode,
        name: &str,
        threshold: f64,
    ) -> (Status, Reason<StatusReasonCode>) {
        let text = || {
            let cadence = match self.cad {
                Some(c) => format!("usually active every {} days", number(c)),
                None => "too few active days for a cadence".to_string(),
            };
            format!(
                "no activity for {} days, past the {name} threshold of {} days ({cadence})",
                self.since,
                number(threshold),
            )
        };
        (status, Reason::lazy(code, self.texts, text))
    }
}

/// A client within its at-risk threshold: resurrected if its first active day in the last
/// `resurrectedDays` came after a gap past the dormant threshold, else active.
fn active_or_back(
    days: &[DayCount],
    as_of: i32,
    since: u32,
    th: &Thresholds,
    o: &ActivityOptions,
    texts: bool,
) -> (Status, Reason<StatusReasonCode>) {
    let window_start = as_of - o.resurrected_days as i32;
    let i = days.partition_point(|d| d.day <= window_start);
    let gap = (i > 0 && i < days.len()).then(|| days[i].day - days[i - 1].day);
    match gap.filter(|&g| g as f64 > th.dormant_days) {
        Some(g) => {
            let text = || {
                format!(
                    "back on {} after {g} quiet days",
                    time::format_day(days[i].day)
                )
            };
            let reason = Reason::lazy(StatusReasonCode::ReturnedAfterGap, texts, text);
            (Status::Resurrected, reason)
        }
        None => {
            let text = || {
                format!(
                    "last active {since} days ago, within the at-risk threshold of {} days",
                    number(th.at_risk_days)
                )
            };
            let reason = Reason::lazy(StatusReasonCode::ActiveOnCadence, texts, text);
            (Status::Active, reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{day, ledger_of};

    fn status_of(events: &[(&str, &str, &str)], as_of: &str) -> Status {
        let l = ledger_of(events);
        classify(
            &AsOf::of(l.record(0), day(as_of)),
            &ActivityOptions::default(),
            true,
        )
        .unwrap()
        .status
    }

    /// Daily events from `from` for `n` days, every `step` days.
    fn series(from: &str, n: i32, step: i32) -> Vec<(&'static str, String, &'static str)> {
        (0..n)
            .map(|i| ("c", time::format_day(day(from) + i * step), "usage"))
            .collect()
    }

    fn st(v: &[(&'static str, String, &'static str)], as_of: &str) -> Status {
        let refs: Vec<(&str, &str, &str)> =
            v.iter().map(|(a, b, c)| (*a, b.as_str(), *c)).collect();
        status_of(&refs, as_of)
    }

    #[test]
    fn cadence_decides_risk_not_the_calendar() {
        // Monthly buyer, ten quiet days: active. Daily user, ten quiet days: at risk.
        let monthly = series("2024-01-01", 6, 30);
        assert_eq!(
            st(&monthly, &time::format_day(day("2024-01-01") + 150 + 10)),
            Status::Active
        );
        let daily = series("2024-05-01", 40, 1);
        assert_eq!(
            st(&daily, &time::format_day(day("2024-05-01") + 39 + 10)),
            Status::AtRisk
        );
        // Daily user: dormant after 30 quiet days, churned after 90.
        assert_eq!(
            st(&daily, &time::format_day(day("2024-05-01") + 39 + 31)),
            Status::Dormant
        );
        assert_eq!(
            st(&daily, &time::format_day(day("2024-05-01") + 39 + 91)),
            Status::Churned
        );
        // Monthly buyer: at risk past 60 days, dormant past 120, churned past 240.
        let last = day("2024-01-01") + 150;
        assert_eq!(st(&monthly, &time::format_day(last + 61)), Status::AtRisk);
        assert_eq!(st(&monthly, &time::format_day(last + 121)), Status::Dormant);
        assert_eq!(st(&monthly, &time::format_day(last + 241)), Status::Churned);
    }

    #[test]
    fn new_resurrected_and_cancelled() {
        assert_eq!(
            status_of(&[("c", "2024-06-25", "usage")], "2024-06-30"),
            Status::New
        );
        let back = [
            ("c", "2024-01-01", "usage"),
            ("c", "2024-01-02", "usage"),
            ("c", "2024-01-03", "usage"),
            ("c", "2024-06-28", "usage"),
        ];
        assert_eq!(status_of(&back, "2024-06-30"), Status::Resurrected);
        let cancelled = [
            ("c", "2024-06-01", "usage"),
            ("c", "2024-06-20", "usage"),
            ("c", "2024-06-21", "cancellation"),
        ];
        assert_eq!(status_of(&cancelled, "2024-06-30"), Status::Churned);
        // Cancellation after asOf is not yet known.
        assert_ne!(status_of(&cancelled, "2024-06-20"), Status::Churned);
        // Activity after a cancellation: the client came back.
        let came_back = [
            ("c", "2024-05-01", "usage"),
            ("c", "2024-06-01", "cancellation"),
            ("c", "2024-06-20", "usage"),
        ];
        assert_ne!(status_of(&came_back, "2024-06-30"), Status::Churned);
        let l = ledger_of(&[("c", "2024-07-01", "usage")]);
        let c = AsOf::of(l.record(0), day("2024-06-30"));
        assert!(classify(&c, &ActivityOptions::default(), true).is_none());
    }
}
