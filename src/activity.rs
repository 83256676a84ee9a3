//! Activity status per client, and the portfolio's lifecycle and stickiness.
//!
//! # Status rules
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
//!
//! # Lifecycle (the period view, after PostHog's lifecycle chart)
//! For each week (Monday to Sunday, UTC) or calendar month, every client active in it is exactly
//! one of: `new` (first active period), `returning` (also active in the previous period),
//! `resurrecting` (not active in the previous period but active before). `dormant` counts the
//! clients active in the previous period but not in this one.
//!
//! # Stickiness
//! Over the 30 days ending at `asOf`: DAU is the mean number of clients active per day, WAU the
//! mean over those days of clients active in the 7 days ending that day, MAU the number of
//! clients active at least once; `dauMau = DAU / MAU`, `wauMau = WAU / MAU`.

use serde::{Deserialize, Serialize};

use crate::config::{ActivityOptions, Period};
use crate::event::EventKind;
use crate::ledger::{ClientRecord, DayCount, Ledger};
use crate::time;

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

/// A machine code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Reason {
    pub code: String,
    pub text: String,
}

impl Reason {
    pub fn new(code: &str, text: impl Into<String>) -> Self {
        Reason {
            code: code.to_string(),
            text: text.into(),
        }
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
    pub reason: Reason,
    pub days_since_last: u32,
    pub cadence_days: f64,
    pub thresholds: Thresholds,
    pub first_active_day: i32,
    pub last_active_day: i32,
}

/// The active days on or before `as_of`.
pub fn days_until(rec: &ClientRecord, as_of: i32) -> &[DayCount] {
    &rec.days[..rec.days.partition_point(|d| d.day <= as_of)]
}

/// Median gap between consecutive active days, if there are at least two gaps.
pub fn cadence(days: &[DayCount]) -> Option<f64> {
    if days.len() < 3 {
        return None;
    }
    let mut gaps: Vec<i32> = days.windows(2).map(|w| w[1].day - w[0].day).collect();
    gaps.sort_unstable();
    let n = gaps.len();
    Some(if n % 2 == 1 {
        gaps[n / 2] as f64
    } else {
        (gaps[n / 2 - 1] + gaps[n / 2]) as f64 / 2.0
    })
}

/// Classifies one client; `None` if it has no activity on or before `as_of`.
pub fn classify(rec: &ClientRecord, as_of: i32, o: &ActivityOptions) -> Option<Activity> {
    let days = days_until(rec, as_of);
    let (first, last) = (days.first()?.day, days.last()?.day);
    let cad = cadence(days);
    let cadence_days = cad.unwrap_or(o.default_cadence_days);
    let th = Thresholds {
        at_risk_days: o.min_at_risk_days.max(o.at_risk_factor * cadence_days),
        dormant_days: o.min_dormant_days.max(o.dormant_factor * cadence_days),
        churn_days: o.min_churn_days.max(o.churn_factor * cadence_days),
    };
    let since = (as_of - last) as u32;
    let s = since as f64;
    let cadence_text = match cad {
        Some(c) => format!("usually active every {} days", crate::activity_fmt(c)),
        None => "too few active days for a cadence".to_string(),
    };
    let cancel_day = rec.last_day_of(EventKind::Cancellation, as_of);
    let (status, reason) = if let Some(c) = cancel_day.filter(|&c| last <= c) {
        (
            Status::Churned,
            Reason::new(
                "CANCELLED",
                format!(
                    "cancelled on {} with no activity since",
                    time::format_day(c)
                ),
            ),
        )
    } else if s > th.churn_days {
        (
            Status::Churned,
            Reason::new("SILENT_PAST_CHURN", format!("no activity for {since} days, past the churn threshold of {} days ({cadence_text})", crate::activity_fmt(th.churn_days))),
        )
    } else if as_of - first < o.new_days as i32 {
        (
            Status::New,
            Reason::new(
                "FIRST_SEEN_RECENTLY",
                format!("first active {} days ago", as_of - first),
            ),
        )
    } else if s > th.dormant_days {
        (
            Status::Dormant,
            Reason::new("SILENT_PAST_DORMANT", format!("no activity for {since} days, past the dormant threshold of {} days ({cadence_text})", crate::activity_fmt(th.dormant_days))),
        )
    } else if s > th.at_risk_days {
        (
            Status::AtRisk,
            Reason::new("SILENT_PAST_AT_RISK", format!("no activity for {since} days, past the at-risk threshold of {} days ({cadence_text})", crate::activity_fmt(th.at_risk_days))),
        )
    } else {
        let window_start = as_of - o.resurrected_days as i32;
        let i = days.partition_point(|d| d.day <= window_start);
        let gap = (i > 0 && i < days.len()).then(|| days[i].day - days[i - 1].day);
        match gap.filter(|&g| g as f64 > th.dormant_days) {
            Some(g) => (
                Status::Resurrected,
                Reason::new(
                    "RETURNED_AFTER_GAP",
                    format!(
                        "back on {} after {g} quiet days",
                        time::format_day(days[i].day)
                    ),
                ),
            ),
            None => (
                Status::Active,
                Reason::new(
                    "ACTIVE_ON_CADENCE",
                    format!(
                        "last active {since} days ago, within the at-risk threshold of {} days",
                        crate::activity_fmt(th.at_risk_days)
                    ),
                ),
            ),
        }
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

/// One period of the lifecycle view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LifecyclePeriod {
    /// First day of the period, `YYYY-MM-DD`.
    pub start: String,
    pub new: u64,
    pub returning: u64,
    pub resurrecting: u64,
    pub dormant: u64,
}

pub(crate) fn period_of(day: i32, p: Period) -> i32 {
    match p {
        // Monday day numbers are 3 short of a multiple of 7 (1970-01-05 is day 4).
        Period::Week => (time::week_start(day) + 3).div_euclid(7),
        Period::Month => time::month_index(day),
    }
}

pub(crate) fn period_start(idx: i32, p: Period) -> i32 {
    match p {
        Period::Week => idx * 7 - 3,
        Period::Month => time::month_start(idx),
    }
}

/// The lifecycle over the `count` periods ending with the one holding `as_of`.
pub fn lifecycle(ledger: &Ledger, as_of: i32, period: Period, count: u32) -> Vec<LifecyclePeriod> {
    let last = period_of(as_of, period);
    let first = last - count as i32 + 1;
    let mut rows = vec![[0u64; 4]; count as usize];
    let mut slot = |p: i32, k: usize| {
        if p >= first && p <= last {
            rows[(p - first) as usize][k] += 1;
        }
    };
    let mut periods: Vec<i32> = Vec::new();
    for i in 0..ledger.len() {
        periods.clear();
        for d in days_until(ledger.record(i), as_of) {
            let p = period_of(d.day, period);
            if periods.last() != Some(&p) {
                periods.push(p);
            }
        }
        for (k, &p) in periods.iter().enumerate() {
            let kind = if k == 0 {
                0
            } else if periods[k - 1] == p - 1 {
                1
            } else {
                2
            };
            slot(p, kind);
            if periods.get(k + 1) != Some(&(p + 1)) {
                slot(p + 1, 3);
            }
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, [n, r, s, d])| LifecyclePeriod {
            start: time::format_day(period_start(first + i as i32, period)),
            new: n,
            returning: r,
            resurrecting: s,
            dormant: d,
        })
        .collect()
}

/// DAU, WAU and MAU over the 30 days ending at `as_of`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Stickiness {
    pub dau: f64,
    pub wau: f64,
    pub mau: u64,
    pub dau_mau: f64,
    pub wau_mau: f64,
}

pub fn stickiness(ledger: &Ledger, as_of: i32) -> Stickiness {
    const MONTH: i32 = 30;
    const WEEK: i32 = 7;
    let start = as_of - MONTH + 1;
    let (mut daily, mut weekly, mut mau) = (0u64, 0u64, 0u64);
    let mut covered = [false; MONTH as usize];
    for i in 0..ledger.len() {
        let days = days_until(ledger.record(i), as_of);
        let from = days.partition_point(|d| d.day < start - WEEK + 1);
        let recent = &days[from..];
        if recent.is_empty() {
            continue;
        }
        covered.fill(false);
        let mut in_month = false;
        for d in recent {
            if d.day >= start {
                daily += 1;
                in_month = true;
            }
            // This active day counts toward the 7-day windows ending on days d..d+6.
            for e in d.day.max(start)..=(d.day + WEEK - 1).min(as_of) {
                covered[(e - start) as usize] = true;
            }
        }
        weekly += covered.iter().filter(|&&c| c).count() as u64;
        mau += in_month as u64;
    }
    let dau = daily as f64 / MONTH as f64;
    let wau = weekly as f64 / MONTH as f64;
    let ratio = |x: f64| if mau == 0 { 0.0 } else { x / mau as f64 };
    Stickiness {
        dau,
        wau,
        mau,
        dau_mau: ratio(dau),
        wau_mau: ratio(wau),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::ingest::from_json;
    use crate::time::days_from_civil;

    fn ledger_of(events: &[(&str, &str, &str)]) -> Ledger {
        let json: Vec<String> = events
            .iter()
            .map(|(c, t, k)| format!(r#"{{"clientId":"{c}","timestamp":"{t}","kind":"{k}"}}"#))
            .collect();
        let mut l = Ledger::new();
        l.apply(&from_json(&format!("[{}]", json.join(",")), Mode::Strict, 10).unwrap())
            .unwrap();
        l
    }

    fn day(s: &str) -> i32 {
        let (y, m, d) = (
            s[0..4].parse().unwrap(),
            s[5..7].parse().unwrap(),
            s[8..10].parse().unwrap(),
        );
        days_from_civil(y, m, d) as i32
    }

    fn status_of(events: &[(&str, &str, &str)], as_of: &str) -> Status {
        let l = ledger_of(events);
        classify(l.record(0), day(as_of), &ActivityOptions::default())
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
        assert!(classify(l.record(0), day("2024-06-30"), &ActivityOptions::default()).is_none());
    }

    #[test]
    fn lifecycle_matches_posthog_definitions() {
        // Weeks starting Mondays 2024-06-03, 06-10, 06-17, 06-24.
        let l = ledger_of(&[
            ("a", "2024-06-03", "usage"),
            ("a", "2024-06-11", "usage"),
            ("a", "2024-06-25", "usage"),
            ("b", "2024-06-12", "usage"),
            ("b", "2024-06-18", "usage"),
        ]);
        let rows = lifecycle(&l, day("2024-06-30"), Period::Week, 4);
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.start.as_str(),
                    r.new,
                    r.returning,
                    r.resurrecting,
                    r.dormant,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("2024-06-03", 1, 0, 0, 0),
                ("2024-06-10", 1, 1, 0, 0),
                ("2024-06-17", 0, 1, 0, 1),
                ("2024-06-24", 0, 0, 1, 1),
            ]
        );
        let months = lifecycle(&l, day("2024-06-30"), Period::Month, 2);
        assert_eq!(
            (months[1].start.as_str(), months[1].new, months[0].new),
            ("2024-06-01", 2, 0)
        );
    }

    #[test]
    fn stickiness_counts_daily_weekly_monthly() {
        // a: active every day of the 30; b: one day only (the last).
        let mut ev: Vec<(&str, String, &str)> = (0..30)
            .map(|i| ("a", time::format_day(day("2024-06-01") + i), "usage"))
            .collect();
        ev.push(("b", "2024-06-30".to_string(), "usage"));
        let refs: Vec<(&str, &str, &str)> =
            ev.iter().map(|(a, b, c)| (*a, b.as_str(), *c)).collect();
        let s = stickiness(&ledger_of(&refs), day("2024-06-30"));
        assert_eq!(s.mau, 2);
        assert!((s.dau - 31.0 / 30.0).abs() < 1e-12);
        assert!((s.wau - 31.0 / 30.0).abs() < 1e-12);
        assert!((s.dau_mau - 31.0 / 60.0).abs() < 1e-12);
    }
}
