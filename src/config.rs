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

/// What the business sells, which decides whether a single purchase is a healthy relationship.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum BusinessModel {
    /// Subscriptions and repeat purchase: clients are expected to come back.
    #[default]
    Repeat,
    /// Once-in-a-lifetime purchases (a trip, a wedding, a house): one purchase is the norm.
    OneTime,
}

/// Relative weights of the effective-customer components (normalised over the known ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EffectivenessWeights {
    pub communication: f64,
    pub informed: f64,
    pub collaboration: f64,
    pub feedback: f64,
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

/// Effective-customer score settings; see `effectiveness` for each component's formula.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EffectivenessOptions {
    /// Messages per ticket at or below which communication is fully clear. Default 3.
    pub clear_messages: f64,
    /// Messages per ticket at or above which clarity scores 0. Default 12.
    pub unclear_messages: f64,
    /// Handling cost assumed for a support ticket that reports none. Default 25.
    pub ticket_cost: f64,
    /// Onboarding steps a complete onboarding has. Default 0: the most steps any client has
    /// completed.
    pub onboarding_steps: u32,
    /// Feedback or review events per 90 days of tenure that earn a full feedback score.
    /// Default 1.
    pub feedback_per_quarter: f64,
    /// Cost to serve, as a share of revenue, at which the cost component scores 0. Default 0.5.
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

/// Relationship-type and loyalty–profitability settings; see `relationship`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RelationshipOptions {
    /// Days from first to last purchase that make a relationship long. Default 365.
    pub long_days: u32,
    /// Purchase days a long relationship needs. Default 4.
    pub long_purchases: u32,
    /// With a fitted purchase model: P(alive) at or above which a long relationship is a
    /// marriage. Default 0.7.
    pub marriage_p_alive: f64,
    /// With a fitted purchase model: P(alive) below which a client is quiet. Default 0.5.
    pub quiet_p_alive: f64,
    /// Span of activity (days) a loyal client exceeds in the loyalty–profitability matrix.
    /// Default: the median over the clients scored.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub loyal_days: Option<f64>,
    /// Net value a profitable client exceeds. Default: the median over the clients scored.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub profitable_value: Option<f64>,
    /// Yearly cost of running a long-term relationship with one client (account management,
    /// loyalty benefits). Default 0.
    pub relationship_cost: f64,
}

impl Default for RelationshipOptions {
    fn default() -> Self {
        RelationshipOptions {
            long_days: 365,
            long_purchases: 4,
            marriage_p_alive: 0.7,
            quiet_p_alive: 0.5,
            loyal_days: None,
            profitable_value: None,
            relationship_cost: 0.0,
        }
    }
}

/// RFM settings; see `rfm`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RfmOptions {
    /// Number of score bins (quantiles), 2 to 9. Default 5.
    pub bins: u32,
}

impl Default for RfmOptions {
    fn default() -> Self {
        RfmOptions { bins: 5 }
    }
}

/// Recommended-play settings; see `plays`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PlayOptions {
    /// Most plays listed per client. Default 3.
    pub max_plays: u32,
    /// Engagement that counts as high. Default 60.
    pub high_engagement: f64,
    /// Engagement (with positive feedback) for an advocacy ask. Default 70.
    pub advocacy_engagement: f64,
    /// Mean feedback rating that counts as positive (use 9 for NPS). Default 4.
    pub positive_rating: f64,
    /// Days between renewals. Default 365.
    pub renewal_period_days: u32,
    /// Days before an expected renewal that count as near it. Default 60.
    pub renewal_window_days: u32,
    /// Usage limits of clients' plans: events per 30 days, by client id.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub usage_limits: std::collections::BTreeMap<String, f64>,
    /// Share of its plan's limit at which a client is near it. Default 0.8.
    pub limit_share: f64,
    /// Effective-customer cost component at or below which a client is high-maintenance.
    /// Default 30.
    pub high_maintenance_cost_score: f64,
    /// Reopened tickets that call for a support intervention. Default 2.
    pub reopened_tickets: u64,
    /// Tenure (days) that counts as early, for onboarding plays. Default 90.
    pub early_days: u32,
    /// Feature adoption share below which adoption is low. Default 0.3.
    pub low_adoption: f64,
    /// Plays switched off, by name.
    pub disabled: Vec<crate::plays::PlayKind>,
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
    /// `repeat` (default) or `one_time`.
    pub business_model: BusinessModel,
    pub effectiveness: EffectivenessOptions,
    pub relationship: RelationshipOptions,
    pub rfm: RfmOptions,
    pub plays: PlayOptions,
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
    pub business_model: BusinessModel,
    pub effectiveness: EffectivenessOptions,
    pub relationship: RelationshipOptions,
    pub rfm: RfmOptions,
    pub plays: PlayOptions,
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
            business_model: BusinessModel::Repeat,
            effectiveness: EffectivenessOptions::default(),
            relationship: RelationshipOptions::default(),
            rfm: RfmOptions::default(),
            plays: PlayOptions::default(),
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

/// Reads an optional date option (ISO-8601 text or epoch ms) as epoch ms; a bad one is an
/// `INVALID_CONFIG` error naming `key`.
pub fn instant_option(v: &Option<TimestampInput>, key: &str) -> Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(TimestampInput::Text(s)) => time::parse_timestamp(s).map(Some),
        Some(TimestampInput::EpochMs(ms)) => time::from_epoch_ms(*ms).map(Some),
    }
    .map_err(|e| {
        RapportError {
            code: ErrorCode::InvalidConfig,
            ..e
        }
        .with_field(key)
    })
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
        let as_of_ms = instant_option(&self.as_of, "asOf")?;
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
        self.check_scores()?;
        Ok(Config {
            as_of_ms,
            mode: self.mode,
            max_issues: self.max_issues as usize,
            period: self.period,
            periods: self.periods,
            activity: self.activity.clone(),
            engagement: self.engagement.clone(),
            business_model: self.business_model,
            effectiveness: self.effectiveness.clone(),
            relationship: self.relationship.clone(),
            rfm: self.rfm.clone(),
            plays: self.plays.clone(),
        })
    }

    /// Checks the effectiveness, relationship, RFM and play settings.
    fn check_scores(&self) -> Result<()> {
        let e = &self.effectiveness;
        positive("effectiveness.clearMessages", e.clear_messages)?;
        positive("effectiveness.unclearMessages", e.unclear_messages)?;
        if e.unclear_messages <= e.clear_messages {
            return Err(bad(
                "effectiveness.unclearMessages",
                "must be greater than clearMessages",
            ));
        }
        non_negative("effectiveness.ticketCost", e.ticket_cost)?;
        positive("effectiveness.feedbackPerQuarter", e.feedback_per_quarter)?;
        positive("effectiveness.maxCostShare", e.max_cost_share)?;
        let w = &e.weights;
        let mut sum = 0.0;
        for (k, v) in [
            ("effectiveness.weights.communication", w.communication),
            ("effectiveness.weights.informed", w.informed),
            ("effectiveness.weights.collaboration", w.collaboration),
            ("effectiveness.weights.feedback", w.feedback),
            ("effectiveness.weights.costToServe", w.cost_to_serve),
        ] {
            non_negative(k, v)?;
            sum += v;
        }
        if sum <= 0.0 {
            return Err(bad(
                "effectiveness.weights",
                "weights must sum to a positive number",
            ));
        }
        let r = &self.relationship;
        if r.long_days == 0 {
            return Err(bad("relationship.longDays", "must be at least 1"));
        }
        if r.long_purchases < 2 {
            return Err(bad("relationship.longPurchases", "must be at least 2"));
        }
        for (k, v) in [
            ("relationship.marriagePAlive", r.marriage_p_alive),
            ("relationship.quietPAlive", r.quiet_p_alive),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(bad(k, format!("must be a probability (0 to 1), got {v}")));
            }
        }
        if let Some(v) = r.loyal_days {
            non_negative("relationship.loyalDays", v)?;
        }
        if let Some(v) = r.profitable_value {
            if !v.is_finite() {
                return Err(bad(
                    "relationship.profitableValue",
                    "must be a finite number",
                ));
            }
        }
        non_negative("relationship.relationshipCost", r.relationship_cost)?;
        if !(2..=9).contains(&self.rfm.bins) {
            return Err(bad(
                "rfm.bins",
                format!("must be between 2 and 9, got {}", self.rfm.bins),
            ));
        }
        let p = &self.plays;
        if p.max_plays == 0 || p.max_plays > 6 {
            return Err(bad("plays.maxPlays", "must be between 1 and 6"));
        }
        for (k, v) in [
            ("plays.highEngagement", p.high_engagement),
            ("plays.advocacyEngagement", p.advocacy_engagement),
            (
                "plays.highMaintenanceCostScore",
                p.high_maintenance_cost_score,
            ),
        ] {
            if !(0.0..=100.0).contains(&v) {
                return Err(bad(k, format!("must be between 0 and 100, got {v}")));
            }
        }
        if !p.positive_rating.is_finite() {
            return Err(bad("plays.positiveRating", "must be a finite number"));
        }
        if p.renewal_period_days == 0 {
            return Err(bad("plays.renewalPeriodDays", "must be at least 1"));
        }
        positive("plays.limitShare", p.limit_share)?;
        if !(0.0..=1.0).contains(&p.low_adoption) {
            return Err(bad("plays.lowAdoption", "must be between 0 and 1"));
        }
        for (id, v) in &p.usage_limits {
            positive(&format!("plays.usageLimits.{id}"), *v)?;
        }
        Ok(())
    }
}

fn non_negative(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(bad(key, format!("must be a non-negative number, got {v}")))
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
