//! The portfolio: counts per status, type, quadrant and segment, score summaries, and the
//! views over time — the lifecycle (after PostHog's chart) and stickiness.
//!
//! # Lifecycle
//! For each week (Monday to Sunday, UTC) or calendar month, every client active in it is exactly
//! one of: `new` (first active period), `returning` (also active in the previous period),
//! `resurrecting` (not active in the previous period but active before). `dormant` counts the
//! clients active in the previous period but not in this one.
//!
//! # Stickiness
//! Over the 30 days ending at `asOf`: DAU is the mean number of clients active per day, WAU the
//! mean over those days of clients active in the 7 days ending that day, MAU the number of
//! clients active at least once; `dauMau = DAU / MAU`, `wauMau = WAU / MAU`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::input::time;
use crate::ledger::Ledger;
use crate::options;
use crate::scores::activity::{days_until, Status};
use crate::scores::BusinessModel;

/// Most periods a lifecycle or history covers.
pub const MAX_PERIODS: u32 = 520;

/// Period of the lifecycle view and of history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Week,
    Month,
}

/// A number of periods must be 1 to [`MAX_PERIODS`].
pub fn check_periods(key: &str, n: u32) -> Result<()> {
    options::within(key, n, 1, MAX_PERIODS)
}

/// Clients per status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub new: u64,
    pub active: u64,
    pub at_risk: u64,
    pub dormant: u64,
    pub churned: u64,
    pub resurrected: u64,
}

impl StatusCounts {
    pub fn add(&mut self, s: Status) {
        *match s {
            Status::New => &mut self.new,
            Status::Active => &mut self.active,
            Status::AtRisk => &mut self.at_risk,
            Status::Dormant => &mut self.dormant,
            Status::Churned => &mut self.churned,
            Status::Resurrected => &mut self.resurrected,
        } += 1;
    }
}

/// The lifecycle view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub period: Period,
    pub periods: Vec<LifecyclePeriod>,
}

/// A score across the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EngagementSummary {
    pub mean: f64,
    pub median: f64,
}

/// The whole portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Portfolio {
    /// Clients scored (active on or before `asOf`).
    pub clients: u64,
    /// Events in the ledger.
    pub events: u64,
    pub business_model: BusinessModel,
    pub status_counts: StatusCounts,
    pub engagement: EngagementSummary,
    /// Over the clients' health scores (absent in a history's portfolios, which have none).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<EngagementSummary>,
    /// Over the clients whose effective-customer score is known; absent when none is.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<EngagementSummary>,
    /// Clients per relationship type.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<RelationshipType, number>")
    )]
    pub relationships: BTreeMap<String, u64>,
    /// Clients per loyalty–profitability quadrant.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<LoyaltyQuadrant, number>")
    )]
    pub loyalty_quadrants: BTreeMap<String, u64>,
    /// Clients per RFM segment (clients with a purchase).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<RfmSegment, number>"))]
    pub rfm_segments: BTreeMap<String, u64>,
    pub lifecycle: Lifecycle,
    pub stickiness: Stickiness,
}

/// The median (0 for none).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Mean (one decimal) and median of scores.
pub fn summary_of(v: Vec<f64>) -> EngagementSummary {
    let n = v.len();
    EngagementSummary {
        mean: if n == 0 {
            0.0
        } else {
            crate::text::round1(v.iter().sum::<f64>() / n as f64)
        },
        median: median(v),
    }
}

/// [`summary_of`], or `None` for no scores.
pub fn known_summary(v: Vec<f64>) -> Option<EngagementSummary> {
    (!v.is_empty()).then(|| summary_of(v))
}

/// A count of 0 for each name.
pub fn zero_counts<const N: usize>(names: [&str; N]) -> BTreeMap<String, u64> {
    names.iter().map(|n| (n.to_string(), 0)).collect()
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

pub fn period_of(day: i32, p: Period) -> i32 {
    match p {
        // Monday day numbers are 3 short of a multiple of 7 (1970-01-05 is day 4).
        Period::Week => (time::week_start(day) + 3).div_euclid(7),
        Period::Month => time::month_index(day),
    }
}

pub fn period_start(idx: i32, p: Period) -> i32 {
    match p {
        Period::Week => idx * 7 - 3,
        Period::Month => time::month_start(idx),
    }
}

/// The lifecycle over the `count` periods ending with the one holding `as_of`. Each client's
/// days before the period ahead of the first are only asked whether there are any (a client
/// active before is resurrecting, not new), so the cost follows the recent days.
pub fn lifecycle(ledger: &Ledger, as_of: i32, period: Period, count: u32) -> Vec<LifecyclePeriod> {
    let last = period_of(as_of, period);
    let first = last - count as i32 + 1;
    let from = period_start(first - 1, period);
    let mut rows = vec![[0u64; 4]; count as usize];
    let mut slot = |p: i32, k: usize| {
        if p >= first && p <= last {
            rows[(p - first) as usize][k] += 1;
        }
    };
    let mut periods: Vec<i32> = Vec::new();
    for i in 0..ledger.len() {
        let days = days_until(ledger.record(i), as_of);
        let start = days.partition_point(|d| d.day < from);
        let active_before = start > 0;
        periods.clear();
        for d in &days[start..] {
            let p = period_of(d.day, period);
            if periods.last() != Some(&p) {
                periods.push(p);
            }
        }
        for (k, &p) in periods.iter().enumerate() {
            let kind = if k == 0 {
                // Nothing active in the period before (it is in the list when it was).
                if active_before {
                    2
                } else {
                    0
                }
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
    use crate::testing::{day, ledger_of};

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

    /// The lifecycle as defined, over every day of every client.
    fn lifecycle_by_definition(
        l: &Ledger,
        as_of: i32,
        period: Period,
        count: u32,
    ) -> Vec<[u64; 4]> {
        let last = period_of(as_of, period);
        let first = last - count as i32 + 1;
        let mut rows = vec![[0u64; 4]; count as usize];
        for i in 0..l.len() {
            let mut periods: Vec<i32> = days_until(l.record(i), as_of)
                .iter()
                .map(|d| period_of(d.day, period))
                .collect();
            periods.dedup();
            for p in first..=last {
                let row = &mut rows[(p - first) as usize];
                let (now, prev) = (periods.contains(&p), periods.contains(&(p - 1)));
                let earlier = periods.iter().any(|&q| q < p);
                match (now, prev, earlier) {
                    (true, _, false) => row[0] += 1,
                    (true, true, _) => row[1] += 1,
                    (true, false, true) => row[2] += 1,
                    (false, true, _) => row[3] += 1,
                    _ => {}
                }
            }
        }
        rows
    }

    #[test]
    fn lifecycle_agrees_with_its_definition_on_synthetic_clients() {
        let data = crate::input::synth::generate(9, 300, 12_000).unwrap();
        let mut l = Ledger::new();
        l.apply(
            &crate::input::columns::from_columns(
                &data.columns(),
                crate::input::batch::Policy::new(crate::input::batch::Mode::Strict, 1),
            )
            .unwrap(),
        )
        .unwrap();
        for (period, count) in [
            (Period::Week, 12),
            (Period::Week, 60),
            (Period::Month, 3),
            (Period::Month, 24),
        ] {
            for as_of in [day("2024-06-30"), day("2024-01-15"), day("2023-09-03")] {
                let got: Vec<[u64; 4]> = lifecycle(&l, as_of, period, count)
                    .iter()
                    .map(|r| [r.new, r.returning, r.resurrecting, r.dormant])
                    .collect();
                assert_eq!(
                    got,
                    lifecycle_by_definition(&l, as_of, period, count),
                    "{period:?} {count}"
                );
            }
        }
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
