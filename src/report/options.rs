//! Scorer options: every rule's options composed under its key, checked as a whole. Each
//! struct, its defaults and its checks live with its rule (`scores::activity`,
//! `scores::engagement`, …); this module only gives each its key and puts its errors under it.
//! Unknown keys and bad values are errors naming the key as a dotted path, e.g.
//! `engagement.weights.trend`.

use serde::{Deserialize, Serialize};

use super::portfolio::{self, Period};
use crate::error::Result;
use crate::input::batch::{Mode, Policy};
use crate::input::event::TimestampInput;
use crate::input::time;
use crate::options::prefixed;
use crate::scores::{
    ActivityOptions, BusinessModel, EffectivenessOptions, EngagementOptions, HealthOptions,
    PlayOptions, RelationshipOptions, RfmOptions,
};

/// Everything a `Scorer` can be told. Every key is optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ScorerOptions {
    /// The date the scores are as of (ISO-8601 or epoch ms). Default: the day of the latest event.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<TimestampInput>,
    /// `strict` (a bad row rejects its batch) or `lenient` (bad rows are skipped and listed).
    pub mode: Mode,
    /// Most skipped-row issues listed per batch in lenient mode (all are counted).
    pub max_issues: u32,
    /// Period of the lifecycle view: `week` or `month`.
    pub period: Period,
    /// Number of most recent periods in the lifecycle view, 1 to 520.
    pub periods: u32,
    pub activity: ActivityOptions,
    pub engagement: EngagementOptions,
    pub health: HealthOptions,
    /// `repeat` or `one_time`.
    pub business_model: BusinessModel,
    pub effectiveness: EffectivenessOptions,
    pub relationship: RelationshipOptions,
    pub rfm: RfmOptions,
    pub plays: PlayOptions,
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
            health: HealthOptions::default(),
            business_model: BusinessModel::Repeat,
            effectiveness: EffectivenessOptions::default(),
            relationship: RelationshipOptions::default(),
            rfm: RfmOptions::default(),
            plays: PlayOptions::default(),
        }
    }
}

/// Options checked, with `asOf` read, as the scorer keeps them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub as_of_ms: Option<i64>,
    pub options: ScorerOptions,
}

impl Config {
    /// How ingest calls treat bad rows.
    pub fn policy(&self) -> Policy {
        Policy::new(self.options.mode, self.options.max_issues as usize)
    }
}

impl ScorerOptions {
    /// Reads options from JSON text.
    pub fn from_json(text: &str) -> Result<ScorerOptions> {
        crate::options::from_json(text)
    }

    /// Checks every value and reads `asOf`.
    pub fn resolve(&self) -> Result<Config> {
        let as_of_ms = time::date_option(&self.as_of, "asOf")?;
        Policy::check_max_issues(self.max_issues)?;
        portfolio::check_periods("periods", self.periods)?;
        prefixed("activity", self.activity.check())?;
        prefixed("engagement", self.engagement.check())?;
        prefixed("health", self.health.check())?;
        prefixed("effectiveness", self.effectiveness.check())?;
        prefixed("relationship", self.relationship.check())?;
        prefixed("rfm", self.rfm.check())?;
        prefixed("plays", self.plays.check())?;
        Ok(Config {
            as_of_ms,
            options: self.clone(),
        })
    }
}

/// Options for one `score` call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ScoreOptions {
    /// Overrides the scorer's `asOf` for this report.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<TimestampInput>,
    /// Adds P(alive), expected purchases and lifetime value per client from the customer-base
    /// models (the `rapportjs/full` build only).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub customer_base: Option<crate::models::clients::CustomerBaseOptions>,
    /// Days ahead the health score speaks of, 1 to 3,660; overrides `health.horizonDays`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub horizon: Option<u32>,
}

impl ScoreOptions {
    pub fn check(&self) -> Result<()> {
        if let Some(h) = self.horizon {
            crate::options::within("horizon", h, 1, 3660)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, RapportError};

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
        assert_eq!(c.options.engagement.window_days, Some(60));
        // Left to the book's profile.
        assert_eq!(c.options.engagement.recency_half_life_days, None);
        assert_eq!(c.options.activity, ActivityOptions::default());
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
            (r#"{"rfm": {"bins": 12}}"#, "rfm.bins"),
            (r#"{"plays": {"maxPlays": 0}}"#, "plays.maxPlays"),
            (
                r#"{"effectiveness": {"unclearMessages": 2}}"#,
                "effectiveness.unclearMessages",
            ),
            (
                r#"{"relationship": {"quietPAlive": 2}}"#,
                "relationship.quietPAlive",
            ),
            (r#"{"maxIssues": 100001}"#, "maxIssues"),
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
