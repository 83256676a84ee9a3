//! From purchases to the models' summary: per client `frequency` (repeat purchases), `recency`
//! (first to last purchase), `T` (first purchase to the end of observation) and the mean repeat
//! spend, with purchases on the same day collapsed into one, the way
//! `lifetimes.utils.summary_data_from_transaction_data` does with its default daily period.
//! Times are in days, or in weeks as days / 7 (the CDNOW summary's convention, `lifetimes`'
//! `freq_multiplier=7`).
//!
//! A calibration/holdout split summarises purchases up to a calibration end and counts each
//! client's purchase days after it, as `lifetimes.utils.calibration_and_holdout_data` does.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, RapportError, Result};
use crate::input::time::day_of;
use crate::ledger::{DayRevenue, Ledger};

/// The time unit of a summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    #[default]
    Days,
    Weeks,
}

impl TimeUnit {
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }
}

/// One client's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ClientSummary {
    pub id: String,
    pub frequency: f64,
    pub recency: f64,
    #[serde(rename = "T")]
    pub t: f64,
    /// Mean value of the repeat purchase days (0 with no repeat purchase).
    pub monetary_value: f64,
    /// With a calibration split: purchase days after the calibration end, and the holdout's length.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub frequency_holdout: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub duration_holdout: Option<f64>,
}

/// Options of a summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SummaryOptions {
    /// End of observation (ISO-8601 or epoch ms); default the latest event.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub end: Option<crate::input::event::TimestampInput>,
    /// End of the calibration period: summarise to it and count holdout purchases after it.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub calibration_end: Option<crate::input::event::TimestampInput>,
    /// `days` (default) or `weeks`.
    pub unit: TimeUnit,
}

/// The summary of a ledger with the given options.
pub fn summarize_ledger(ledger: &Ledger, opts: &SummaryOptions) -> Result<Vec<ClientSummary>> {
    let end = match crate::input::time::date_option(&opts.end, "end")? {
        Some(e) => e,
        None => ledger.last_event_ms().ok_or_else(|| {
            RapportError::new(ErrorCode::EmptyInput, "no events have been ingested")
        })?,
    };
    from_ledger(
        ledger,
        end,
        crate::input::time::date_option(&opts.calibration_end, "calibrationEnd")?,
        opts.unit,
    )
}

/// Summarises one client's purchase days (ascending, one entry a day) observed to `end`
/// (a day number, inclusive), or `None` if the first purchase is after `end`.
pub fn summarize(
    id: &str,
    purchases: &[DayRevenue],
    end: i32,
    unit: TimeUnit,
) -> Option<ClientSummary> {
    let upto = &purchases[..purchases.partition_point(|p| p.day <= end)];
    let first = upto.first()?;
    let last = upto.last()?;
    let repeats = &upto[1..];
    let monetary = if repeats.is_empty() {
        0.0
    } else {
        repeats
            .iter()
            .map(|p| p.micros as f64 / crate::input::event::MICROS)
            .sum::<f64>()
            / repeats.len() as f64
    };
    let u = unit.days();
    Some(ClientSummary {
        id: id.to_string(),
        frequency: repeats.len() as f64,
        recency: (last.day - first.day) as f64 / u,
        t: (end - first.day) as f64 / u,
        monetary_value: monetary,
        frequency_holdout: None,
        duration_holdout: None,
    })
}

/// The summary of every client in a ledger with a purchase (or renewal) on or before `end_ms`,
/// sorted by id; with `calibration_end_ms`, summarised to that date with holdout counts to `end_ms`.
pub fn from_ledger(
    ledger: &Ledger,
    end_ms: i64,
    calibration_end_ms: Option<i64>,
    unit: TimeUnit,
) -> Result<Vec<ClientSummary>> {
    let end = day_of(end_ms);
    let cal = calibration_end_ms.map(day_of);
    if let Some(c) = cal {
        if c >= end {
            return Err(RapportError::new(
                ErrorCode::InvalidConfig,
                "the calibration end must come before the observation end",
            )
            .with_field("calibrationEnd"));
        }
    }
    let mut out: Vec<ClientSummary> = (0..ledger.len())
        .filter_map(|i| {
            let rec = ledger.record(i);
            let mut s = summarize(ledger.client_id(i), &rec.revenue, cal.unwrap_or(end), unit)?;
            if let Some(c) = cal {
                let after = rec
                    .revenue
                    .iter()
                    .filter(|p| p.day > c && p.day <= end)
                    .count();
                s.frequency_holdout = Some(after as f64);
                s.duration_holdout = Some((end - c) as f64 / unit.days());
            }
            Some(s)
        })
        .collect();
    if out.is_empty() {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "no client has a purchase in the observation period",
        ));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
