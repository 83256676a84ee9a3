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

use super::client::AsOf;
use super::component::{band, weigh, weighted, Component, Part, Reason, Reasons};
use crate::error::Result;
use crate::ledger::DayCount;
use crate::options;
use crate::text::{plural, round1};

/// Relative weights of the engagement components. They need not sum to 1 (they are normalised)
/// but must be non-negative with a positive sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EngagementWeights {
    /// Weight of recency (days since the last active day).
    pub recency: f64,
    /// Weight of frequency (active days in the window).
    pub frequency: f64,
    /// Weight of breadth (share of the feature catalog used).
    pub breadth: f64,
    /// Weight of depth (intensity and share of days active).
    pub depth: f64,
    /// Weight of trend (change of activity against the window before).
    pub trend: f64,
}

impl Default for EngagementWeights {
    fn default() -> Self {
        EngagementWeights {
            recency: 0.25,
            frequency: 0.25,
            breadth: 0.2,
            depth: 0.15,
            trend: 0.15,
        }
    }
}

impl EngagementWeights {
    /// Each weight with its key.
    pub fn members(&self) -> [(&'static str, f64); 5] {
        [
            ("recency", self.recency),
            ("frequency", self.frequency),
            ("breadth", self.breadth),
            ("depth", self.depth),
            ("trend", self.trend),
        ]
    }
}

/// Engagement score settings (the `engagement` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EngagementOptions {
    /// Length of the recent window (frequency, depth, trend) in days, 1 to 3650. Default:
    /// from the book's profile, ten times the typical cadence, 28 to 365.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub window_days: Option<u32>,
    /// Days of silence that halve the recency score. Default: from the book's profile, three
    /// times the typical cadence, 7 to 180.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub recency_half_life_days: Option<f64>,
    /// Active days in the window that earn a full frequency score. Default: from the book's
    /// profile, 0.4 × `windowDays` / the typical cadence, at least 1.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub frequency_target_days: Option<f64>,
    /// Events per active day that earn full intensity.
    pub intensity_target: f64,
    /// Share of days active (in the window, or since first activity if shorter) that earns a
    /// full share score.
    pub active_share_target: f64,
    /// Feature catalog; when empty, the features seen across all clients.
    pub features: Vec<String>,
    pub weights: EngagementWeights,
}

impl Default for EngagementOptions {
    fn default() -> Self {
        EngagementOptions {
            window_days: None,
            recency_half_life_days: None,
            frequency_target_days: None,
            intensity_target: 5.0,
            active_share_target: 0.5,
            features: Vec::new(),
            weights: EngagementWeights::default(),
        }
    }
}

impl EngagementOptions {
    /// The window in days (30 when neither the options nor a profile set it).
    pub fn window(&self) -> u32 {
        self.window_days.unwrap_or(30)
    }

    /// The recency half-life in days (14 when neither the options nor a profile set it).
    pub fn half_life(&self) -> f64 {
        self.recency_half_life_days.unwrap_or(14.0)
    }

    /// The frequency target in active days (12 when neither the options nor a profile set it).
    pub fn frequency_target(&self) -> f64 {
        self.frequency_target_days.unwrap_or(12.0)
    }

    pub fn check(&self) -> Result<()> {
        if let Some(w) = self.window_days {
            options::within("windowDays", w, 1, 3650)?;
        }
        if let Some(h) = self.recency_half_life_days {
            options::positive("recencyHalfLifeDays", h)?;
        }
        if let Some(t) = self.frequency_target_days {
            options::positive("frequencyTargetDays", t)?;
        }
        options::positive("intensityTarget", self.intensity_target)?;
        options::positive("activeShareTarget", self.active_share_target)?;
        options::weights("weights", &self.weights.members())?;
        if self.features.iter().any(|f| f.trim().is_empty()) {
            return Err(options::bad("features", "feature names must not be empty"));
        }
        Ok(())
    }
}

crate::codes! {
    /// Why a client's engagement is what it is: one code per known component.
    pub enum EngagementReasonCode {
        /// Recency scores 30 or less: long quiet.
        RecencyLow = "RECENCY_LOW",
        /// Recency scores between 30 and 70.
        RecencyFair = "RECENCY_FAIR",
        /// Recency scores 70 or more: active lately.
        RecencyHigh = "RECENCY_HIGH",
        /// Frequency scores 30 or less.
        FrequencyLow = "FREQUENCY_LOW",
        /// Frequency scores between 30 and 70.
        FrequencyFair = "FREQUENCY_FAIR",
        /// Frequency scores 70 or more.
        FrequencyHigh = "FREQUENCY_HIGH",
        /// Uses 30% of the feature catalog or less.
        FeatureAdoptionLow = "FEATURE_ADOPTION_LOW",
        /// Uses between 30% and 70% of the catalog.
        FeatureAdoptionFair = "FEATURE_ADOPTION_FAIR",
        /// Uses 70% of the catalog or more.
        FeatureAdoptionHigh = "FEATURE_ADOPTION_HIGH",
        /// Depth scores 30 or less.
        DepthLow = "DEPTH_LOW",
        /// Depth scores between 30 and 70.
        DepthFair = "DEPTH_FAIR",
        /// Depth scores 70 or more.
        DepthHigh = "DEPTH_HIGH",
        /// Activity fell by 10% or more against the previous window.
        ActivityDown = "ACTIVITY_DOWN",
        /// Activity rose by 10% or more.
        ActivityUp = "ACTIVITY_UP",
        /// Activity within 10% of the previous window.
        ActivitySteady = "ACTIVITY_STEADY",
    }
}

use EngagementReasonCode as Code;

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
    pub reasons: Vec<Reason<EngagementReasonCode>>,
}

/// How many catalog features a client used, and the catalog size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breadth {
    pub used: usize,
    pub catalog: usize,
}

/// A client's active days as the components read them.
struct Window<'a> {
    as_of: i32,
    w: i32,
    first: i32,
    last: i32,
    /// Active days in the last `w` days, and in the `w` days before.
    recent: &'a [DayCount],
    before: &'a [DayCount],
}

impl<'a> Window<'a> {
    fn of(c: &AsOf<'a>, w: i32) -> Option<Window<'a>> {
        let (days, as_of) = (c.days, c.day);
        let (first, last) = (days.first()?.day, days.last()?.day);
        let recent = &days[days.partition_point(|d| d.day <= as_of - w)..];
        let before =
            &days[days.partition_point(|d| d.day <= as_of - 2 * w)..days.len() - recent.len()];
        Some(Window {
            as_of,
            w,
            first,
            last,
            recent,
            before,
        })
    }
}

fn events(s: &[DayCount]) -> f64 {
    s.iter().map(|d| d.events as f64).sum()
}

/// Recency: days since the last active day; `100 · 0.5^(raw / recencyHalfLifeDays)`.
fn recency(win: &Window, o: &EngagementOptions, reasons: &mut Reasons<Code>) -> Part {
    let since = (win.as_of - win.last) as f64;
    let s = 100.0 * 0.5f64.powf(since / o.half_life());
    let text = || {
        if since == 0.0 {
            "active today".to_string()
        } else {
            format!("last active {} ago", plural(since, "day", "days"))
        }
    };
    let codes = [Code::RecencyLow, Code::RecencyFair, Code::RecencyHigh];
    reasons.push(o.weights.recency, s, band(s, codes), text);
    Part {
        weight: o.weights.recency,
        raw: Some(since),
        score: Some(s),
    }
}

/// Frequency: active days in the window; `100 · min(1, raw / frequencyTargetDays)`.
fn frequency(win: &Window, o: &EngagementOptions, reasons: &mut Reasons<Code>) -> Part {
    let active = win.recent.len() as f64;
    let s = 100.0 * (active / o.frequency_target()).min(1.0);
    let codes = [Code::FrequencyLow, Code::FrequencyFair, Code::FrequencyHigh];
    let text = || format!("active on {active} of the last {} days", win.w);
    reasons.push(o.weights.frequency, s, band(s, codes), text);
    Part {
        weight: o.weights.frequency,
        raw: Some(active),
        score: Some(s),
    }
}

/// Breadth: the share of the catalog used; `100 · raw`. Unknown without a catalog.
fn breadth(b: Breadth, o: &EngagementOptions, reasons: &mut Reasons<Code>) -> Part {
    let share = (b.catalog > 0).then(|| b.used as f64 / b.catalog as f64);
    if let Some(r) = share {
        let codes = [
            Code::FeatureAdoptionLow,
            Code::FeatureAdoptionFair,
            Code::FeatureAdoptionHigh,
        ];
        let text = || format!("uses {} of {} features", b.used, b.catalog);
        reasons.push(o.weights.breadth, 100.0 * r, band(100.0 * r, codes), text);
    }
    Part {
        weight: o.weights.breadth,
        raw: share,
        score: share.map(|r| 100.0 * r),
    }
}

/// Depth: intensity (events per active day) and the share of days active, each half.
fn depth(win: &Window, o: &EngagementOptions, reasons: &mut Reasons<Code>) -> Part {
    let active = win.recent.len() as f64;
    let intensity = if active > 0.0 {
        events(win.recent) / active
    } else {
        0.0
    };
    let span = ((win.as_of - win.first + 1).min(win.w)) as f64;
    let share = active / span;
    let s = 50.0 * (share / o.active_share_target).min(1.0)
        + 50.0 * (intensity / o.intensity_target).min(1.0);
    let text = || {
        format!(
            "{:.0}% of days active, {:.1} events per active day",
            100.0 * share,
            intensity
        )
    };
    let codes = [Code::DepthLow, Code::DepthFair, Code::DepthHigh];
    reasons.push(o.weights.depth, s, band(s, codes), text);
    Part {
        weight: o.weights.depth,
        raw: Some(intensity),
        score: Some(s),
    }
}

/// Trend: the relative change of events against the window before; `50 + 50 · clamp(raw, −1,
/// 1)`. Unknown when the client has nothing to compare with.
fn trend(win: &Window, o: &EngagementOptions, reasons: &mut Reasons<Code>) -> Part {
    let (recent, before) = (events(win.recent), events(win.before));
    let existed_before = win.first <= win.as_of - win.w;
    let raw = if before > 0.0 {
        Some((recent - before) / before)
    } else if recent > 0.0 && existed_before {
        Some(1.0)
    } else {
        None
    };
    let score = raw.map(|t| 50.0 + 50.0 * t.clamp(-1.0, 1.0));
    if let (Some(t), Some(s)) = (raw, score) {
        let (pct, w) = (crate::text::round(100.0 * t), win.w);
        let code = if pct <= -10.0 {
            Code::ActivityDown
        } else if pct >= 10.0 {
            Code::ActivityUp
        } else {
            Code::ActivitySteady
        };
        reasons.push(o.weights.trend, s, code, || match code {
            Code::ActivityDown => format!("activity down {:.0}% vs previous {w} days", -pct),
            Code::ActivityUp => format!("activity up {pct:.0}% vs previous {w} days"),
            _ => format!("activity steady vs previous {w} days"),
        });
    }
    Part {
        weight: o.weights.trend,
        raw,
        score,
    }
}

/// The five components of one client as of a day; `None` if it has no activity by then.
fn parts(
    c: &AsOf,
    b: Breadth,
    o: &EngagementOptions,
    reasons: &mut Reasons<Code>,
) -> Option<[Part; 5]> {
    let win = Window::of(c, o.window() as i32)?;
    Some([
        recency(&win, o, reasons),
        frequency(&win, o, reasons),
        breadth(b, o, reasons),
        depth(&win, o, reasons),
        trend(&win, o, reasons),
    ])
}

/// The engagement score alone (what [`score`] gives as `score`), for a history.
pub fn total(c: &AsOf, b: Breadth, o: &EngagementOptions) -> Option<f64> {
    let parts = parts(c, b, o, &mut Reasons::new(false))?;
    Some(round1(weighted(&parts).unwrap_or(0.0)))
}

/// Scores one client as of day `as_of`, with its reasons' sentences when `texts`. `None` if it
/// has no activity by then.
pub fn score(c: &AsOf, b: Breadth, o: &EngagementOptions, texts: bool) -> Option<Engagement> {
    let mut reasons = Reasons::new(texts);
    let parts = parts(c, b, o, &mut reasons)?;
    let (total, [recency, frequency, breadth, depth, trend]) = weigh(parts);
    Some(Engagement {
        score: round1(total.unwrap_or(0.0)),
        components: EngagementComponents {
            recency,
            frequency,
            breadth,
            depth,
            trend,
        },
        reasons: reasons.sorted(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::{Mode, Policy};
    use crate::input::json::from_json;
    use crate::input::time::{days_from_civil, format_day};
    use crate::ledger::Ledger;
    use crate::text::{round1, round4};

    fn client(days: &[(i32, u32)]) -> crate::ledger::ClientRecord {
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
        l.apply(&from_json(format!("[{}]", ev.join(",")), Policy::new(Mode::Strict, 1)).unwrap())
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
            &AsOf::of(&client(&d), AS_OF),
            Breadth {
                used: 2,
                catalog: 9,
            },
            &o,
            true,
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
            &AsOf::of(&client(&[(85, 1), (89, 1)]), AS_OF),
            Breadth {
                used: 0,
                catalog: 0,
            },
            &EngagementOptions::default(),
            true,
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
            &AsOf::of(&client(&[(0, 1), (75, 1)]), AS_OF),
            Breadth {
                used: 0,
                catalog: 0,
            },
            &EngagementOptions::default(),
            true,
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
