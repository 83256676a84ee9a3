//! The engagement score: 0–100 per client, a weighted mean of five components, each reported
//! with its raw value, its own 0–100 score and a reason.
//!
//! With `W` = `windowDays`, `D` = `asOf`, and active days counted on or before `D`:
//! - **recency**: raw = days since the last active day; score = `100 · 0.5^(raw / recencyHalfLifeDays)`.
//! - **frequency**: raw = active days in the last `W` days; score = `100 · min(1, raw / frequencyTargetDays)`.
//! - **breadth**: raw = share of the feature catalog the client has used (the caller's
//!   `features`, or else every feature seen across all clients); score = `100 · raw`. Unknown when
//!   there is no catalog.
//! - **depth**: raw = events per active day in the last `W` days (intensity) and the share of
//!   days active over the last `W` days or since first activity if that is shorter; score =
//!   `50 · min(1, share / activeShareTarget) + 50 · min(1, intensity / intensityTarget)`.
//! - **trend**: raw = relative change of events in the last `W` days against the `W` days
//!   before; score = `50 + 50 · clamp(raw, −1, 1)`. Unknown when the client was not yet active
//!   before the last `W` days and so has nothing to compare with, or had no events in either.
//!
//! The total is `Σ wᵢ·scoreᵢ / Σ wᵢ` over the known components, so a component with no data is
//! left out rather than counted as zero. Each component's `weight` in the output is its share
//! of that sum.

use serde::{Deserialize, Serialize};

use crate::activity::{days_until, Reason};
use crate::config::EngagementOptions;
use crate::ledger::ClientRecord;

/// One component of a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The measured value (see the component's definition); absent when unknown.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<f64>,
    /// 0–100; absent when unknown.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Share of the total this component carried (0 when unknown).
    pub weight: f64,
}

/// The five engagement components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EngagementComponents {
    pub recency: Component,
    pub frequency: Component,
    pub breadth: Component,
    pub depth: Component,
    pub trend: Component,
}

/// A client's engagement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    /// 0–100, one decimal.
    pub score: f64,
    pub components: EngagementComponents,
    /// One reason per known component, the most telling first.
    pub reasons: Vec<Reason>,
}

/// Weighs components given as (weight, raw value, score): returns, for each, the weighted mean
/// of the known scores (`None` when no score is known; the same for every entry) and the
/// component as reported, with its share of the weight. Unknown components are left out of the
/// mean rather than counted as zero.
pub(crate) fn weigh<const N: usize>(
    parts: [(f64, Option<f64>, Option<f64>); N],
) -> [(Option<f64>, Component); N] {
    let total_w: f64 = parts.iter().filter(|p| p.2.is_some()).map(|p| p.0).sum();
    let weighted: f64 = parts.iter().filter_map(|(w, _, s)| s.map(|s| w * s)).sum();
    let total = (total_w > 0.0).then(|| weighted / total_w);
    parts.map(|(w, raw, s)| {
        (
            total,
            Component {
                raw: raw.map(round4),
                score: s.map(round1),
                weight: if s.is_some() && total_w > 0.0 {
                    round4(w / total_w)
                } else {
                    0.0
                },
            },
        )
    })
}

/// How many catalog features a client used, and the catalog size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breadth {
    pub used: usize,
    pub catalog: usize,
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Money is reported to cents.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Ratios and weights are reported to four decimals: enough to explain a score, and it keeps
/// large reports small.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

pub(crate) fn band(
    score: f64,
    low: &'static str,
    mid: &'static str,
    high: &'static str,
) -> &'static str {
    if score >= 70.0 {
        high
    } else if score <= 30.0 {
        low
    } else {
        mid
    }
}

pub(crate) fn plural(n: f64, one: &str, many: &str) -> String {
    if n == 1.0 {
        format!("1 {one}")
    } else {
        format!("{} {many}", crate::activity_fmt(n))
    }
}

/// Scores one client as of day `as_of`. `None` if it has no activity by then.
pub fn score(
    rec: &ClientRecord,
    as_of: i32,
    breadth: Breadth,
    o: &EngagementOptions,
) -> Option<Engagement> {
    let days = days_until(rec, as_of);
    let (first, last) = (days.first()?.day, days.last()?.day);
    let w = o.window_days as i32;
    let in_window = &days[days.partition_point(|d| d.day <= as_of - w)..];
    let prev =
        &days[days.partition_point(|d| d.day <= as_of - 2 * w)..days.len() - in_window.len()];
    let events = |s: &[crate::ledger::DayCount]| s.iter().map(|d| d.events as f64).sum::<f64>();
    let mut reasons: Vec<(f64, Reason)> = Vec::new();
    let wt = &o.weights;

    // Recency.
    let since = (as_of - last) as f64;
    let rec_score = 100.0 * 0.5f64.powf(since / o.recency_half_life_days);
    let text = if since == 0.0 {
        "active today".to_string()
    } else {
        format!("last active {} ago", plural(since, "day", "days"))
    };
    reasons.push((
        wt.recency * (rec_score - 50.0).abs(),
        Reason::new(
            band(rec_score, "RECENCY_LOW", "RECENCY_FAIR", "RECENCY_HIGH"),
            text,
        ),
    ));

    // Frequency.
    let active = in_window.len() as f64;
    let freq_score = 100.0 * (active / o.frequency_target_days).min(1.0);
    reasons.push((
        wt.frequency * (freq_score - 50.0).abs(),
        Reason::new(
            band(
                freq_score,
                "FREQUENCY_LOW",
                "FREQUENCY_FAIR",
                "FREQUENCY_HIGH",
            ),
            format!("active on {active} of the last {w} days"),
        ),
    ));

    // Breadth.
    let (br_raw, br_score) = if breadth.catalog == 0 {
        (None, None)
    } else {
        let r = breadth.used as f64 / breadth.catalog as f64;
        reasons.push((
            wt.breadth * (100.0 * r - 50.0).abs(),
            Reason::new(
                band(
                    100.0 * r,
                    "FEATURE_ADOPTION_LOW",
                    "FEATURE_ADOPTION_FAIR",
                    "FEATURE_ADOPTION_HIGH",
                ),
                format!("uses {} of {} features", breadth.used, breadth.catalog),
            ),
        ));
        (Some(r), Some(100.0 * r))
    };

    // Depth.
    let intensity = if active > 0.0 {
        events(in_window) / active
    } else {
        0.0
    };
    let span = ((as_of - first + 1).min(w)) as f64;
    let share = active / span;
    let depth_score = 50.0 * (share / o.active_share_target).min(1.0)
        + 50.0 * (intensity / o.intensity_target).min(1.0);
    reasons.push((
        wt.depth * (depth_score - 50.0).abs(),
        Reason::new(
            band(depth_score, "DEPTH_LOW", "DEPTH_FAIR", "DEPTH_HIGH"),
            format!(
                "{:.0}% of days active, {:.1} events per active day",
                100.0 * share,
                intensity
            ),
        ),
    ));

    // Trend.
    let (recent, before) = (events(in_window), events(prev));
    let existed_before = first <= as_of - w;
    let trend = if before > 0.0 {
        Some((recent - before) / before)
    } else if recent > 0.0 && existed_before {
        Some(1.0)
    } else {
        None
    };
    let trend_score = trend.map(|t| 50.0 + 50.0 * t.clamp(-1.0, 1.0));
    if let (Some(t), Some(s)) = (trend, trend_score) {
        let pct = (100.0 * t).round();
        let (code, text) = if pct <= -10.0 {
            (
                "ACTIVITY_DOWN",
                format!("activity down {:.0}% vs previous {w} days", -pct),
            )
        } else if pct >= 10.0 {
            (
                "ACTIVITY_UP",
                format!("activity up {pct:.0}% vs previous {w} days"),
            )
        } else {
            (
                "ACTIVITY_STEADY",
                format!("activity steady vs previous {w} days"),
            )
        };
        reasons.push((wt.trend * (s - 50.0).abs(), Reason::new(code, text)));
    }

    let [recency, frequency, breadth, depth, trend] = weigh([
        (wt.recency, Some(since), Some(rec_score)),
        (wt.frequency, Some(active), Some(freq_score)),
        (wt.breadth, br_raw, br_score),
        (wt.depth, Some(intensity), Some(depth_score)),
        (wt.trend, trend, trend_score),
    ]);
    reasons.sort_by(|a, b| b.0.total_cmp(&a.0));
    Some(Engagement {
        score: round1(recency.0.unwrap_or(0.0)),
        components: EngagementComponents {
            recency: recency.1,
            frequency: frequency.1,
            breadth: breadth.1,
            depth: depth.1,
            trend: trend.1,
        },
        reasons: reasons.into_iter().map(|r| r.1).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::ingest::from_json;
    use crate::ledger::Ledger;
    use crate::time::{days_from_civil, format_day};

    fn client(days: &[(i32, u32)]) -> ClientRecord {
        let base = days_from_civil(2024, 1, 1) as i32;
        let mut ev = Vec::new();
        for &(d, n) in days {
            for _ in 0..n {
                ev.push(format!(
                    r#"{{"clientId":"c","timestamp":"{}","kind":"usage"}}"#,
                    format_day(base + d)
                ));
            }
        }
        let mut l = Ledger::new();
        l.apply(&from_json(&format!("[{}]", ev.join(",")), Mode::Strict, 1).unwrap())
            .unwrap();
        l.record(0).clone()
    }

    const AS_OF: i32 = 19_723 + 89; // 2024-03-30, day 89 after 2024-01-01

    #[test]
    fn components_follow_their_formulas() {
        // Active on days 30..=59 (4 events a day) and on 80..=89 (2 events a day).
        let mut d: Vec<(i32, u32)> = (30..60).map(|i| (i, 4)).collect();
        d.extend((80..90).map(|i| (i, 2)));
        let o = EngagementOptions::default();
        let e = score(
            &client(&d),
            AS_OF,
            Breadth {
                used: 2,
                catalog: 9,
            },
            &o,
        )
        .unwrap();
        let c = &e.components;
        assert_eq!(c.recency.raw, Some(0.0));
        assert_eq!(c.recency.score, Some(100.0));
        assert_eq!(c.frequency.raw, Some(10.0));
        assert_eq!(c.frequency.score, Some(round1(100.0 * 10.0 / 12.0)));
        assert_eq!(c.breadth.score, Some(round1(100.0 * 2.0 / 9.0)));
        assert_eq!(c.depth.raw, Some(2.0));
        assert_eq!(
            c.depth.score,
            Some(round1(50.0 * (10.0 / 30.0 / 0.5) + 50.0 * 2.0 / 5.0))
        );
        // Window days 60..=89 hold 20 events; 30..=59 hold 120: down 83%.
        assert_eq!(c.trend.raw, Some(round4((20.0 - 120.0) / 120.0)));
        assert!(e.reasons.iter().any(
            |r| r.code == "ACTIVITY_DOWN" && r.text == "activity down 83% vs previous 30 days"
        ));
        assert!(e.reasons.iter().any(|r| r.text == "uses 2 of 9 features"));
        let expect = 0.25 * 100.0
            + 0.25 * (100.0 * 10.0 / 12.0)
            + 0.2 * (100.0 * 2.0 / 9.0)
            + 0.15 * (50.0 * (10.0 / 30.0 / 0.5) + 20.0)
            + 0.15 * (50.0 + 50.0 * (-100.0 / 120.0));
        assert_eq!(e.score, round1(expect));
    }

    #[test]
    fn unknown_components_are_left_out_not_zeroed() {
        // New this window: no trend; no catalog: no breadth.
        let e = score(
            &client(&[(85, 1), (89, 1)]),
            AS_OF,
            Breadth {
                used: 0,
                catalog: 0,
            },
            &EngagementOptions::default(),
        )
        .unwrap();
        assert_eq!(e.components.trend.score, None);
        assert_eq!(e.components.breadth.score, None);
        assert_eq!(e.components.trend.weight, 0.0);
        let w: f64 = [
            &e.components.recency,
            &e.components.frequency,
            &e.components.depth,
        ]
        .iter()
        .map(|c| c.weight)
        .sum();
        assert!((w - 1.0).abs() < 2e-4);
        let c = &e.components;
        let expect = (0.25 * c.recency.score.unwrap()
            + 0.25 * c.frequency.score.unwrap()
            + 0.15 * c.depth.score.unwrap())
            / 0.65;
        assert!((e.score - expect).abs() <= 0.11, "{} vs {expect}", e.score);
        assert_eq!(e.reasons.len(), 3);
    }

    #[test]
    fn recency_halves_every_half_life() {
        let e = score(
            &client(&[(0, 1), (75, 1)]),
            AS_OF,
            Breadth {
                used: 0,
                catalog: 0,
            },
            &EngagementOptions::default(),
        )
        .unwrap();
        assert_eq!(e.components.recency.raw, Some(14.0));
        assert_eq!(e.components.recency.score, Some(50.0));
        assert!(e
            .reasons
            .iter()
            .any(|r| r.text == "last active 14 days ago"));
    }
}
