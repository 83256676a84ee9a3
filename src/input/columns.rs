//! Events as parallel typed arrays: the fast path for large data. Dictionary entries (client
//! ids, feature names) are checked once each, then every event's numbers.

use super::batch::{
    too_many, Batch, BatchBuilder, BatchEvent, Policy, MAX_BATCH_EVENTS, NO_FEATURE,
};
use super::event::{check_amount, check_count, check_text, CheckedValues, EventField, EventKind};
use super::time;
use crate::error::{ErrorCode, RapportError, Result};

/// Events as parallel typed arrays: the fast path for large data.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// Dictionary of client ids; `client_index[i]` points into it.
    pub client_ids: &'a [String],
    pub client_index: &'a [u32],
    /// Epoch milliseconds.
    pub timestamps: &'a [f64],
    /// [`EventKind`] codes.
    pub kinds: &'a [u8],
    /// Optional values; NaN means "no value" for that event.
    pub values: Option<&'a [f64]>,
    /// Dictionary of feature names; `feature_index[i]` points into it, `u32::MAX` means none.
    pub feature_names: &'a [String],
    pub feature_index: Option<&'a [u32]>,
    /// Optional support fields; NaN means none.
    pub messages: Option<&'a [f64]>,
    pub costs: Option<&'a [f64]>,
    /// Optional reopened flags (0 or 1).
    pub reopened: Option<&'a [u8]>,
}

/// Validates columns. Checks each dictionary entry once, then every event's numbers.
pub fn from_columns(c: &Columns<'_>, policy: Policy) -> Result<Batch> {
    let n = c.client_index.len();
    let len_err = |name: &str, len: usize| {
        RapportError::new(
            ErrorCode::InvalidColumns,
            format!("{name} has {len} entries but clientIndex has {n}"),
        )
        .with_field(name)
    };
    if c.timestamps.len() != n {
        return Err(len_err("timestamps", c.timestamps.len()));
    }
    if c.kinds.len() != n {
        return Err(len_err("kinds", c.kinds.len()));
    }
    for (name, len) in [
        ("values", c.values.map(<[f64]>::len)),
        ("featureIndex", c.feature_index.map(<[u32]>::len)),
        ("messages", c.messages.map(<[f64]>::len)),
        ("costs", c.costs.map(<[f64]>::len)),
        ("reopened", c.reopened.map(<[u8]>::len)),
    ] {
        if let Some(len) = len.filter(|&l| l != n) {
            return Err(len_err(name, len));
        }
    }
    if n == 0 {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "the batch holds no events",
        ));
    }
    if n > MAX_BATCH_EVENTS {
        return Err(too_many());
    }
    for (i, id) in c.client_ids.iter().enumerate() {
        check_text(id, EventField::ClientId).map_err(|e| RapportError {
            field: Some(format!("clientIds[{i}]")),
            ..e
        })?;
    }
    for (i, f) in c.feature_names.iter().enumerate() {
        check_text(f, EventField::Feature).map_err(|e| RapportError {
            field: Some(format!("featureNames[{i}]")),
            ..e
        })?;
    }
    let mut b = BatchBuilder::new(policy);
    b.with_dictionaries(
        c.client_ids.iter().map(|s| s.trim().to_string()).collect(),
        c.feature_names
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
        n,
    )?;
    let (nc, nf) = (c.client_ids.len() as u32, c.feature_names.len() as u32);
    for i in 0..n {
        match column_event(c, i, nc, nf) {
            Ok(ev) => b.push_checked(ev),
            Err(e) => b.reject(i as u64 + 1, e)?,
        }
    }
    b.finish()
}

#[inline]
fn column_event(c: &Columns<'_>, i: usize, nc: u32, nf: u32) -> Result<BatchEvent> {
    let client = c.client_index[i];
    if client >= nc {
        return Err(RapportError::new(
            ErrorCode::InvalidColumns,
            format!("client index {client} is outside the dictionary of {nc} ids"),
        )
        .with_field("clientIndex"));
    }
    let at_ms = time::from_epoch_ms(c.timestamps[i]).map_err(|e| e.with_field("timestamps"))?;
    let code = c.kinds[i];
    let kind = EventKind::from_code(code).ok_or_else(|| {
        RapportError::new(
            ErrorCode::UnknownKind,
            format!(
                "unknown event kind code {code}; codes are 0 to {}",
                EventKind::COUNT - 1
            ),
        )
        .with_field("kinds")
    })?;
    let opt = |col: Option<&[f64]>, f: EventField, name: &str| -> Result<Option<f64>> {
        Ok(col.map(|a| a[i]).filter(|v| !v.is_nan())).and_then(|v| match v {
            Some(x) => check_amount(x, f)
                .map(|_| Some(x))
                .map_err(|e| e.with_field(name)),
            None => Ok(None),
        })
    };
    let value_micros = match c.values.map(|a| a[i]).filter(|v| !v.is_nan()) {
        Some(v) => Some(check_amount(v, EventField::Value).map_err(|e| e.with_field("values"))?),
        None => None,
    };
    let cost_micros = match opt(c.costs, EventField::Cost, "costs")? {
        Some(v) => Some(check_amount(v, EventField::Cost).map_err(|e| e.with_field("costs"))?),
        None => None,
    };
    let messages = match opt(c.messages, EventField::Messages, "messages")? {
        Some(v) => {
            Some(check_count(v, EventField::Messages).map_err(|e| e.with_field("messages"))?)
        }
        None => None,
    };
    let feature = match c.feature_index.map(|a| a[i]) {
        None | Some(NO_FEATURE) => NO_FEATURE,
        Some(f) if f < nf => f,
        Some(f) => {
            return Err(RapportError::new(
                ErrorCode::InvalidColumns,
                format!("feature index {f} is outside the dictionary of {nf} names"),
            )
            .with_field("featureIndex"))
        }
    };
    let reopened = match c.reopened.map(|a| a[i]) {
        None | Some(0) => false,
        Some(1) => true,
        Some(x) => {
            return Err(RapportError::new(
                ErrorCode::InvalidField,
                format!("reopened must be 0 or 1, got {x}"),
            )
            .with_field("reopened"))
        }
    };
    Ok(BatchEvent::new(
        client,
        feature,
        CheckedValues {
            at_ms,
            kind,
            value_micros,
            messages,
            reopened,
            cost_micros,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::Mode;

    #[test]
    fn columns_are_checked() {
        let ids = vec!["a".to_string(), "b".to_string()];
        let base = Columns {
            client_ids: &ids,
            client_index: &[0, 1, 1],
            timestamps: &[1.7e12, 1.7e12, 1.7e12 + 86.4e6],
            kinds: &[0, 1, 0],
            values: Some(&[f64::NAN, 10.0, f64::NAN]),
            feature_names: &[],
            feature_index: None,
            messages: None,
            costs: None,
            reopened: None,
        };
        let b = from_columns(&base, Policy::new(Mode::Strict, 5)).unwrap();
        assert_eq!(b.events.len(), 3);
        assert_eq!(b.events[1].value_micros(), Some(10_000_000));
        assert_eq!(b.events[0].value_micros(), None);
        let e = from_columns(
            &Columns {
                kinds: &[0, 1],
                ..base
            },
            Policy::new(Mode::Strict, 5),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidColumns, Some("kinds"))
        );
        let e = from_columns(
            &Columns {
                client_index: &[0, 2, 1],
                ..base
            },
            Policy::new(Mode::Strict, 5),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidColumns, Some(2), Some("clientIndex"))
        );
        let e = from_columns(
            &Columns {
                kinds: &[0, 1, 42],
                ..base
            },
            Policy::new(Mode::Strict, 5),
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::UnknownKind, Some(3)));
        let e = from_columns(
            &Columns {
                values: Some(&[f64::INFINITY, 1.0, 1.0]),
                ..base
            },
            Policy::new(Mode::Strict, 5),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::NonFiniteValue, Some(1), Some("values"))
        );
        let e = from_columns(
            &Columns {
                timestamps: &[1e20, 1.7e12, 1.7e12],
                ..base
            },
            Policy::new(Mode::Strict, 5),
        )
        .unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::TimestampOutOfRange, Some(1)));
        let b = from_columns(
            &Columns {
                timestamps: &[f64::NAN, 1.7e12, 1.7e12],
                ..base
            },
            Policy::new(Mode::Lenient, 5),
        )
        .unwrap();
        assert_eq!((b.events.len(), b.skipped), (2, 1));
    }
}
