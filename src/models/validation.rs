//! Checking a purchase model on a holdout period: predicted against actual purchases, per
//! client and by calibration frequency (the comparison of Fader, Hardie & Lee 2005, fig. 3).

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, RapportError, Result};

/// Predicted and actual holdout purchases of the clients with one calibration frequency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrequencyBucket {
    /// Calibration repeat purchases; the last bucket holds this many or more.
    pub frequency: u32,
    pub clients: f64,
    pub mean_predicted: f64,
    pub mean_actual: f64,
}

/// Groups clients by calibration frequency (0, 1, …, `top` or more) and averages predicted and
/// actual holdout purchases in each group. Buckets with no client are left out.
pub fn by_frequency(
    frequency: &[f64],
    predicted: &[f64],
    actual: &[f64],
    top: u32,
) -> Result<Vec<FrequencyBucket>> {
    if frequency.len() != predicted.len() || frequency.len() != actual.len() {
        return Err(RapportError::new(
            ErrorCode::InvalidColumns,
            "frequency, predicted and actual must have one value per client",
        ));
    }
    let mut sums = vec![(0.0f64, 0.0f64, 0.0f64); top as usize + 1];
    for i in 0..frequency.len() {
        let b = (frequency[i].max(0.0) as u32).min(top) as usize;
        sums[b].0 += 1.0;
        sums[b].1 += predicted[i];
        sums[b].2 += actual[i];
    }
    Ok(sums
        .into_iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0.0)
        .map(|(f, (n, p, a))| FrequencyBucket {
            frequency: f as u32,
            clients: n,
            mean_predicted: p / n,
            mean_actual: a / n,
        })
        .collect())
}
