//! Scorer options: one object with documented defaults, checked as a whole. Unknown keys and
//! bad values are errors naming the key (as a dotted path, e.g. `engagement.weights.trend`).

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, RapportError, Result};
use crate::event::TimestampInput;
use crate::time;

/// How a batch with bad rows is treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The whole batch is rejected with an error naming the first bad row and field (default).
    #[default]
    Strict,
    /// Bad rows are skipped and reported; the rest is ingested.
    Lenient,
}

/// Period of the portfolio lifecycle view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Week,
    Month,
}

/// Rules for activity status. A client's *cadence* is the median number of days between its
/// consecutive active days (with fewer than three active days, `defaultCadenceDays`). Each
/// threshold is `max(min…Days, …Factor × cadence)`, so a monthly buyer is judged on months and a
/// daily user on days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ActivityOptions {
    /// A client whose first activity is at most this many days before `asOf` is `new`. Default 14.
    pub new_days: u32,
    /// Cadence used for clients with fewer than three active days. Default 7.
    pub default_cadence_days: f64,
    /// Quiet longer than `max(minAtRiskDays, atRiskFactor × cadence)` days: `at_risk`. Defaults 7 and 2.
    pub min_at_risk_days: f64,
    pub at_risk_factor: f64,
    /// Quiet longer than `max(minDormantDays, dormantFactor × cadence)` days: `dormant`. Defaults 30 and 4.
    pub min_dormant_days: f64,
    pub dormant_factor: f64,
    /// Quiet longer than `max(minChurnDays, churnFactor × cadence)` days: `churned`. Defaults 90 and 8.
    pub min_churn_days: f64,
    pub churn_factor: f64,
    /// A client active again within this many days after a quiet spell longer than its dormant
    /// threshold is `resurrected`. Default 30.
    pub resurrected_days: u32,
}

impl Default for ActivityOptions {
    fn default() -> Self {
        ActivityOptions {
            new_days: 14,
            default_cadence_days: 7.0,
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

/// Relative weights of the engagement components. They need not sum to 1 (they are normalised)
/// but must be non-negative with a positive sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EngagementWeights {
    pub recency: f64,
    pub frequency: f64,
    pub breadth: f64,
    pub depth: f64,
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

/// Engagement score settings; see `engagement` for each component's formula.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EngagementOptions {
    /// Length of the recent window (frequency, depth, trend) in days. Default 30.
    pub window_days: u32,
    /// Days of silence that halve the recency score. Default 14.
    pub recency_half_life_days: f64,
    /// Active days in the window that earn a full frequency score. Default 12.
    pub frequency_target_days: f64,
    /// Events per active day that earn full intensity. Default 5.
    pub intensity_target: f64,
    /// Share of days active (in the window, or since first activity if shorter) that earns a
    /// full share score. Default 0.5.
    pub active_share_target: f64,
    /// Feature catalog; when empty, the features seen across all clients.
    pub features: Vec<String>,
    pub weights: EngagementWeights,
}

impl Default for EngagementOptions {
    fn default() -> Self {
        EngagementOptions {
            window_days: 30,
            recency_half_life_days: 14.0,
            frequency_target_days: 12.0,
            intensity_target: 5.0,
            active_share_target: 0.5,
            features: Vec::new(),
            weights: EngagementWeights::default(),
        }
    }
}

/// Everything a `Scorer` can be told. Every key is optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ScorerOptions {
    /// The date the scores are as of (ISO-8601 or epoch ms). Default: the day of the latest event.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<TimestampInput>,
    /// `strict` (default) or `lenient`.
    pub mode: Mode,
    /// Most skipped-row issues listed per batch in lenient mode (all are counted). Default 100.
    pub max_issues: u32,
    /// Period of the lifecycle view. Default `week`.
    pub period: Period,
    /// Number of most recent periods in the lifecycle view. Default 12.
    pub periods: u32,
    pub activity: ActivityOptions,
    pub engagement: EngagementOptions,
}

/// Options validated and resolved, as the scoring code uses them.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub as_of_ms: Option<i64>,
    pub mode: Mode,
    pub max_issues: usize,
    pub period: Period,
    pub periods: u32,
    pub activity: ActivityOptions,
    pub engagement: EngagementOptions,
}

impl Default for Config {
    fn default() -> Self {
        ScorerOptions::default()
            .resolve()
            .expect("defaults are valid")
    }
}

impl Default for ScorerOptions {
    fn default() -> Self {
        ScorerOptions {
            as_of: None,
            mode: Mode::Strict,
            max_issues: 100,
            period: Period::Week,
            periods: 12,
            activity: ActivityOptions::default(),
            engagement: EngagementOptions::default(),
        }
    }
}

fn bad(key: &str, msg: impl Into<String>) -> RapportError {
    RapportError::new(ErrorCode::InvalidConfig, msg).with_field(key)
}

fn positive(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(bad(key, format!("must be a positive number, got {v}")))
    }
}

/// Turns a serde error met while reading options into a rapport error naming the key.
pub fn options_error(path: &str, message: &str) -> RapportError {
    let path = if path == "." { "" } else { path };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or("");
        // serde_path_to_error's path already ends with the unknown key; other callers pass the parent.
        let full = if path.is_empty() {
            key.to_string()
        } else if path == key || path.ends_with(&format!(".{key}")) {
            path.to_string()
        } else {
            format!("{path}.{key}")
        };
        let expected = rest
            .split_once(", ")
            .map(|(_, e)| format!("; {e}"))
            .unwrap_or_default();
        RapportError::new(
            ErrorCode::UnknownConfigKey,
            format!("unknown option {full:?}{expected}"),
        )
        .with_field(full)
    } else {
        let key = if path.is_empty() {
            "options".to_string()
        } else {
            path.to_string()
        };
        RapportError::new(ErrorCode::InvalidConfig, message.to_string()).with_field(key)
    }
}

impl ScorerOptions {
    /// Reads options from JSON text.
    pub fn from_json(text: &str) -> Result<ScorerOptions> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                RapportError::new(
                    ErrorCode::InvalidJson,
                    format!("options are not valid JSON: {inner}"),
                )
            } else {
                options_error(&path, &strip_position(&inner.to_string()))
            }
        })
    }

    /// Checks every value and resolves `asOf`.
    pub fn resolve(&self) -> Result<Config> {
        let as_of_ms = match &self.as_of {
            None => None,
            Some(TimestampInput::Text(s)) => Some(time::parse_timestamp(s)),
            Some(TimestampInput::EpochMs(v)) => Some(time::from_epoch_ms(*v)),
        }
        .transpose()
        .map_err(|e| {
            RapportError {
                code: ErrorCode::InvalidConfig,
                ..e
            }
            .with_field("asOf")
        })?;
        if self.max_issues > 100_000 {
            return Err(bad("maxIssues", "must be at most 100000"));
        }
        if self.periods == 0 || self.periods > 520 {
            return Err(bad(
                "periods",
                format!("must be between 1 and 520, got {}", self.periods),
            ));
        }
        let a = &self.activity;
        if a.new_days == 0 {
            return Err(bad("activity.newDays", "must be at least 1"));
        }
        if a.resurrected_days == 0 {
            return Err(bad("activity.resurrectedDays", "must be at least 1"));
        }
        for (k, v) in [
            ("activity.defaultCadenceDays", a.default_cadence_days),
            ("activity.minAtRiskDays", a.min_at_risk_days),
            ("activity.atRiskFactor", a.at_risk_factor),
            ("activity.minDormantDays", a.min_dormant_days),
            ("activity.dormantFactor", a.dormant_factor),
            ("activity.minChurnDays", a.min_churn_days),
            ("activity.churnFactor", a.churn_factor),
        ] {
            positive(k, v)?;
        }
        if !(a.min_at_risk_days < a.min_dormant_days && a.min_dormant_days < a.min_churn_days) {
            return Err(bad(
                "activity.minDormantDays",
                "thresholds must rise: minAtRiskDays < minDormantDays < minChurnDays",
            ));
        }
        if !(a.at_risk_factor < a.dormant_factor && a.dormant_factor < a.churn_factor) {
            return Err(bad(
                "activity.dormantFactor",
                "factors must rise: atRiskFactor < dormantFactor < churnFactor",
            ));
        }
        let e = &self.engagement;
        if e.window_days == 0 || e.window_days > 3650 {
            return Err(bad(
                "engagement.windowDays",
                format!("must be between 1 and 3650, got {}", e.window_days),
            ));
        }
        positive("engagement.recencyHalfLifeDays", e.recency_half_life_days)?;
        positive("engagement.frequencyTargetDays", e.frequency_target_days)?;
        positive("engagement.intensityTarget", e.intensity_target)?;
        positive("engagement.activeShareTarget", e.active_share_target)?;
        let w = &e.weights;
        let mut sum = 0.0;
        for (k, v) in [
            ("engagement.weights.recency", w.recency),
            ("engagement.weights.frequency", w.frequency),
            ("engagement.weights.breadth", w.breadth),
            ("engagement.weights.depth", w.depth),
            ("engagement.weights.trend", w.trend),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(k, format!("must be a non-negative number, got {v}")));
            }
            sum += v;
        }
        if sum <= 0.0 {
            return Err(bad(
                "engagement.weights",
                "weights must sum to a positive number",
            ));
        }
        if e.features.iter().any(|f| f.trim().is_empty()) {
            return Err(bad(
                "engagement.features",
                "feature names must not be empty",
            ));
        }
        Ok(Config {
            as_of_ms,
            mode: self.mode,
            max_issues: self.max_issues as usize,
            period: self.period,
            periods: self.periods,
            activity: self.activity.clone(),
            engagement: self.engagement.clone(),
        })
    }
}

/// serde_json appends " at line L column C"; options are named by key, so drop it.
pub fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> RapportError {
        ScorerOptions::from_json(json)
            .and_then(|o| o.resolve())
            .unwrap_err()
    }

    #[test]
    fn defaults_resolve_and_partial_options_keep_defaults() {
        let c =
            ScorerOptions::from_json(r#"{"asOf": "2024-06-30", "engagement": {"windowDays": 60}}"#)
                .unwrap()
                .resolve()
                .unwrap();
        assert_eq!(c.as_of_ms, Some(1_719_705_600_000));
        assert_eq!(c.engagement.window_days, 60);
        assert_eq!(c.engagement.recency_half_life_days, 14.0);
        assert_eq!(c.activity, ActivityOptions::default());
    }

    #[test]
    fn unknown_keys_are_named_with_their_path() {
        let e = err(r#"{"asof": "2024-06-30"}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownConfigKey, Some("asof"))
        );
        let e = err(r#"{"engagement": {"weights": {"recency": 1, "loyalty": 2}}}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (
                ErrorCode::UnknownConfigKey,
                Some("engagement.weights.loyalty")
            )
        );
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            (
                r#"{"engagement": {"windowDays": -5}}"#,
                "engagement.windowDays",
            ),
            (
                r#"{"engagement": {"weights": {"recency": 0, "frequency": 0, "breadth": 0, "depth": 0, "trend": 0}}}"#,
                "engagement.weights",
            ),
            (
                r#"{"engagement": {"weights": {"trend": -1}}}"#,
                "engagement.weights.trend",
            ),
            (r#"{"asOf": "last tuesday"}"#, "asOf"),
            (
                r#"{"activity": {"minAtRiskDays": 0}}"#,
                "activity.minAtRiskDays",
            ),
            (
                r#"{"activity": {"minDormantDays": 200}}"#,
                "activity.minDormantDays",
            ),
            (r#"{"mode": "relaxed"}"#, "mode"),
            (r#"{"periods": 0}"#, "periods"),
        ];
        for (json, key) in cases {
            let e = err(json);
            assert_eq!(
                (e.code, e.field.as_deref()),
                (ErrorCode::InvalidConfig, Some(key)),
                "{json}: {e}"
            );
        }
        assert_eq!(err("{nope").code, ErrorCode::InvalidJson);
    }
}
