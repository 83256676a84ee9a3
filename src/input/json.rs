//! Events as JSON text: an array of event objects. A row that is not an object of the right
//! shape is a bad row (named by index and field), not a failure of the whole text.

use std::borrow::Cow;

use serde::Deserialize;

use super::batch::{same, Batch, BatchBuilder, Policy};
use super::event::{EventParts, RawEvent, TimestampRef};
use crate::error::{ErrorCode, RapportError, Result};
use crate::options::strip_position;

/// Reads a JSON array of event objects. A row that is not an object of the right shape is a
/// bad row (named by index and field), not a failure of the whole text.
pub fn from_json(text: &str, policy: Policy) -> Result<Batch> {
    // Fast path: one pass that borrows strings from the text. Any row of the wrong shape makes
    // it fail as a whole; the careful path below then finds and names that row.
    if let Ok(rows) = serde_json::from_str::<Vec<BorrowedEvent<'_>>>(text) {
        let mut b = BatchBuilder::new(policy);
        for (i, r) in rows.iter().enumerate() {
            b.push(i as u64 + 1, &r.parts(), &same)?;
        }
        return b.finish();
    }
    // First split the array into raw elements (checks the syntax of the whole text at once),
    // then read each element on its own, so a bad row is named without building a JSON tree.
    let rows: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| {
        RapportError::new(
            ErrorCode::InvalidJson,
            format!("events must be a JSON array of objects: {e}"),
        )
    })?;
    let mut b = BatchBuilder::new(policy);
    for (i, raw) in rows.into_iter().enumerate() {
        let row = i as u64 + 1;
        match record_from_json(raw.get()) {
            Ok(r) => b.push(row, &r.parts(), &same)?,
            Err(e) => b.reject(row, e)?,
        }
    }
    b.finish()
}

/// An event read from JSON text without copying its strings (escaped strings are unescaped
/// into owned ones). Same fields and meaning as [`RawEvent`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BorrowedEvent<'a> {
    #[serde(borrow, default, deserialize_with = "integral_id")]
    client_id: Option<TextOrNumber<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<TextOrNumber<'a>>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    feature: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    messages: Option<f64>,
    #[serde(default)]
    reopened: Option<bool>,
    #[serde(default)]
    cost: Option<f64>,
}

/// A JSON string or number, for client ids and timestamps.
enum TextOrNumber<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A client id given as an integer, as its decimal text.
    Integer(String),
}

impl<'de: 'a, 'a> Deserialize<'de> for TextOrNumber<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TextOrNumber<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Integer(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Integer(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A client id as text; a number must be a whole one (its decimal text), as in [`RawEvent`]. A
/// fractional one fails the fast path, so the careful path names it.
fn integral_id<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<TextOrNumber<'a>>, D::Error> {
    match Option::<TextOrNumber<'a>>::deserialize(d)? {
        Some(TextOrNumber::Number(v))
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 =>
        {
            Ok(Some(TextOrNumber::Integer((v as i64).to_string())))
        }
        Some(TextOrNumber::Number(v)) => Err(serde::de::Error::custom(format!(
            "client id {v} is not an integer"
        ))),
        other => Ok(other),
    }
}

impl BorrowedEvent<'_> {
    fn parts(&self) -> EventParts<'_> {
        EventParts {
            client_id: self.client_id.as_ref().map(|c| match c {
                TextOrNumber::Text(t) => t.as_ref(),
                TextOrNumber::Integer(t) => t.as_str(),
                TextOrNumber::Number(_) => "",
            }),
            timestamp: self.timestamp.as_ref().map(|t| match t {
                TextOrNumber::Text(t) => TimestampRef::Text(t),
                // An integer timestamp is epoch milliseconds, never YYYYMMDD text.
                TextOrNumber::Integer(t) => TimestampRef::EpochMs(t.parse().unwrap_or(f64::NAN)),
                TextOrNumber::Number(v) => TimestampRef::EpochMs(*v),
            }),
            kind: self.kind.as_deref(),
            feature: self.feature.as_deref(),
            value: self.value,
            messages: self.messages,
            reopened: self.reopened,
            cost: self.cost,
        }
    }
}

fn record_from_json(text: &str) -> Result<RawEvent> {
    if !text.starts_with('{') {
        return Err(RapportError::new(
            ErrorCode::InvalidField,
            "each event must be an object",
        ));
    }
    // Only reached when the fast path has failed, so a path-tracking read is affordable.
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| record_error(&e.path().to_string(), &e.into_inner().to_string()))
}

/// Turns a deserialization error of one record into a rapport error naming the field.
pub fn record_error(path: &str, message: &str) -> RapportError {
    let field = if path == "." || path.is_empty() {
        None
    } else {
        Some(path.to_string())
    };
    let mut e = RapportError::new(ErrorCode::InvalidField, strip_position(message));
    e.field = field;
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::Mode;
    use crate::ErrorCode;

    #[test]
    fn json_fast_and_careful_paths_agree() {
        // Each text goes through the fast path when every row is well formed, or the careful
        // one otherwise (the last row below forces it): both must read rows alike.
        let rows = [
            r#"{"clientId":42,"timestamp":20240630,"kind":"usage"}"#,
            r#"{"clientId":"a\u00e9","timestamp":"2024-06-30T10:00:00+02:00","kind":"Login","feature":"x","value":1.5}"#,
            r#"{"clientId":7.0,"timestamp":1719705600000,"kind":"support","messages":3,"reopened":true,"cost":2}"#,
            r#"{"clientId":"b","timestamp":"20240630","kind":"purchase","value":null,"extra":[1,2]}"#,
        ];
        let fast = from_json(
            &format!("[{}]", rows.join(",")),
            Policy::new(Mode::Strict, 5),
        )
        .unwrap();
        let careful = from_json(
            &format!(
                "[{},{}]",
                rows.join(","),
                r#"{"clientId":1.5,"timestamp":0,"kind":"usage"}"#
            ),
            Policy::new(Mode::Lenient, 5),
        )
        .unwrap();
        assert_eq!(careful.skipped, 1);
        assert_eq!(careful.issues[0].field.as_deref(), Some("clientId"));
        assert_eq!(fast.clients, careful.clients);
        assert_eq!(fast.clients, vec!["42", "a\u{e9}", "7", "b"]);
        assert_eq!(fast.events, careful.events);
        assert_eq!(
            fast.events[0].at_ms, 20_240_630,
            "an integer timestamp is epoch ms"
        );
        assert_eq!(
            fast.events[3].at_ms, 1_719_705_600_000,
            "text of 8 digits is YYYYMMDD"
        );
    }

    #[test]
    fn json_rows_name_index_and_field() {
        let e = from_json(r#"[{"clientId":"a","timestamp":"2024-01-01","kind":"usage"},{"clientId":"b","timestamp":"2024-01-01","kind":"usage","value":"lots"}]"#, Policy::new(Mode::Strict, 5)).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidField, Some(2), Some("value"))
        );
        let e = from_json(r#"[1]"#, Policy::new(Mode::Strict, 5)).unwrap_err();
        assert_eq!((e.code, e.row), (ErrorCode::InvalidField, Some(1)));
        assert_eq!(
            from_json("{", Policy::new(Mode::Strict, 5))
                .unwrap_err()
                .code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            from_json("[]", Policy::new(Mode::Strict, 5))
                .unwrap_err()
                .code,
            ErrorCode::EmptyInput
        );
    }
}
