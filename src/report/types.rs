//! What a report holds: one [`ClientScore`] per client, the [`Portfolio`], and warnings.

use serde::{Deserialize, Serialize};

use super::portfolio::Portfolio;
use super::profile::Profile;
use crate::input::batch::RowIssue;
use crate::models::clients::{ClientValue, CustomerBase};
use crate::scores::activity::{Status, StatusReasonCode, Thresholds};
use crate::scores::component::Reason;
use crate::scores::effectiveness::Effectiveness;
use crate::scores::engagement::Engagement;
use crate::scores::health::Health;
use crate::scores::plays::Play;
use crate::scores::relationship::Relationship;
use crate::scores::rfm::Rfm;

/// One client's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ClientScore {
    pub client_id: String,
    pub status: Status,
    /// Why the status: a code such as `SILENT_PAST_AT_RISK` and a sentence.
    pub status_reason: Reason<StatusReasonCode>,
    /// First and last active day, `YYYY-MM-DD`.
    pub first_active: String,
    pub last_active: String,
    pub days_since_last_activity: u32,
    /// Median days between active days (or the default cadence).
    pub cadence_days: f64,
    pub thresholds: Thresholds,
    pub active_days: u32,
    pub events: u64,
    pub purchases: u64,
    /// Sum of purchase and renewal values.
    pub revenue: f64,
    pub support_tickets: u64,
    pub features_used: u32,
    pub engagement: Engagement,
    /// The chance in percent of activity within the horizon, and why.
    pub health: Health,
    pub effectiveness: Effectiveness,
    pub relationship: Relationship,
    /// RFM scores and segment; absent for a client with no purchase.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm: Option<Rfm>,
    /// The customer-base models' figures, when `customerBase` was asked for and the client has
    /// a purchase.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ClientValue>,
    /// Recommended plays, highest priority first.
    pub plays: Vec<Play>,
}

crate::codes! {
    /// What a report's warning is about.
    pub enum WarningCode {
        /// Lenient ingests skipped rows (listed in `issues`).
        RowsSkipped = "ROWS_SKIPPED",
        /// Some clients have no activity on or before `asOf` and are not scored.
        ClientsAfterAsOf = "CLIENTS_AFTER_AS_OF",
        /// Activity after `asOf` is left out of status and engagement.
        EventsAfterAsOf = "EVENTS_AFTER_AS_OF",
        /// The spend model could not be fitted, so lifetime values are left out.
        NoSpendModel = "NO_SPEND_MODEL",
    }
}

/// A note about the report as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    /// Skipped rows behind the warning, when it is about skipped input.
    pub issues: Vec<RowIssue>,
}

/// What `score` returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The day scored as of, `YYYY-MM-DD`.
    pub as_of: String,
    /// Per-client results, sorted by client id.
    pub clients: Vec<ClientScore>,
    pub portfolio: Portfolio,
    /// The book's signals and cadence, the windows set from them, and the health model.
    pub profile: Profile,
    /// The customer-base models used, when `customerBase` was asked for.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_base: Option<CustomerBase>,
    pub warnings: Vec<Warning>,
}
