//! Scores: each rule in its own file, beside its options, their defaults and their checks.
//! Every score reads one client as of a day ([`client::AsOf`]); none reads another score's
//! options. The report composes them.
//!
//! - [`client`]: a client's record as of a day, read directly or stepped through a series.
//! - [`activity`]: the activity status (new, active, at risk, dormant, churned, resurrected).
//! - [`engagement`]: the engagement score and its five components.
//! - [`health`]: the health score, the chance of activity within a horizon, and its model;
//!   [`logistic`]: the regression it learns its weights with.
//! - [`effectiveness`]: the effective-customer score, cost to serve and net value.
//! - [`relationship`]: the relationship type against the business model, the
//!   loyalty–profitability quadrant, and the long-term case.
//! - [`rfm`]: RFM scores, codes and segments.
//! - [`plays`]: the recommended plays.
//! - [`component`]: what scores are made of: components, weights and reasons.

pub mod activity;
pub mod client;
pub mod component;
pub mod effectiveness;
pub mod engagement;
pub mod health;
pub mod logistic;
pub mod plays;
pub mod relationship;
pub mod rfm;

pub use activity::{ActivityOptions, Status};
pub use component::{Component, Reason};
pub use effectiveness::EffectivenessOptions;
pub use engagement::EngagementOptions;
pub use health::HealthOptions;
pub use plays::{PlayKind, PlayOptions};
pub use relationship::{BusinessModel, LoyaltyQuadrant, RelationshipOptions, RelationshipType};
pub use rfm::{RfmOptions, RfmSegment};
