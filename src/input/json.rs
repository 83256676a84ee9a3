//! Events as JSON text: an array of event objects. A row that is not an object of the right
//! shape is a bad row (named by index and field), not a failure of the whole text.

use std::borrow::Cow;

use serde::Deserialize;

use super::batch::{same, Batch, BatchBuilder, Policy};
use super::event::{EventParts, RawEvent, TimestampRef};
use crate::error::{ErrorCode, RapportError, Result};
use crate::options::strip_position;

/// Reads a JSON array of event objects given as UTF-8. A row that is not an object of the
/// right shape is a bad row (named by index and field), not a failure of the whole text.
///
/// The array is read element by element into the batch, so memory holds what the batch keeps
/// and no more, and a strict batch stops at its first bad row. Three readers, each taking
/// over when the one before cannot: the plain reader (`json_plain`) for arrays of
/// flat objects with plain values, most texts; serde into borrowed fields, for any other
/// well-formed text; and serde again, each element first as raw text, so a bad row is named.
pub fn from_json(text: impl AsRef<[u8]>, policy: Policy) -> Result<Batch> {
    let text = text.as_ref();
    if let Some(r) = super::json_plain::read(text, policy) {
        return r;
    }
    through_serde(text, policy)
}

/// Reads the text with serde: row by row into borrowed fields, and when that fails, row by
/// row again with each field checked, so that what is wrong is named.
pub(super) fn through_serde(text: &[u8], policy: Policy) -> Result<Batch> {
    let read = |careful| read_rows(serde_json::Deserializer::from_slice(text), policy, careful);
    match read(false) {
        Ok(b) => Ok(b),
        Err(Some(e)) => Err(e),
        // A row of the wrong shape, or text that is not JSON: read again, carefully.
        Err(None) => read(true).map_err(|e| {
            e.unwrap_or_else(|| {
                RapportError::new(
                    ErrorCode::InvalidJson,
                    "events must be a JSON array of objects",
                )
            })
        }),
    }
}

/// Reads the array into a batch. `Err(Some(e))` is the error to report; `Err(None)` (fast
/// path only) says the text needs the careful path.
fn read_rows<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    policy: Policy,
    careful: bool,
) -> std::result::Result<Batch, Option<RapportError>> {
    let mut b = BatchBuilder::new(policy);
    let mut rows = Rows {
        b: &mut b,
        careful,
        started: false,
        row: 0,
        stop: None,
    };
    let read = serde::Deserializer::deserialize_seq(&mut de, &mut rows);
    if let Some(e) = rows.stop.take() {
        return Err(Some(e));
    }
    let (started, row) = (rows.started, rows.row);
    let bad = |e: serde_json::Error, at: Option<u64>| {
        let err = RapportError::new(
            ErrorCode::InvalidJson,
            format!("events must be a JSON array of objects: {e}"),
        );
        Some(match at {
            Some(r) => err.at_row(r),
            None => err,
        })
    };
    match read {
        Err(_) if !careful => return Err(None),
        Err(e) => return Err(bad(e, started.then_some(row + 1))),
        Ok(()) => {}
    }
    if let Err(e) = de.end() {
        return Err(bad(e, None));
    }
    b.finish().map_err(Some)
}

/// Reads the elements of the array into the batch.
struct Rows<'b> {
    b: &'b mut BatchBuilder,
    careful: bool,
    /// Whether the array has begun (an error after that is in a row).
    started: bool,
    /// Rows read so far.
    row: u64,
    /// The error that ended a strict batch.
    stop: Option<RapportError>,
}

impl<'de> serde::de::Visitor<'de> for &mut Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of event objects")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        self.started = true;
        loop {
            let row = self.row + 1;
            let added = if self.careful {
                let Some(raw) = seq.next_element::<&'de serde_json::value::RawValue>()? else {
                    return Ok(());
                };
                self.row = row;
                match record_from_json(raw.get()) {
                    Ok(r) => self.b.push(row, &r.parts(), &same),
                    Err(e) => self.b.reject(row, e),
                }
            } else {
                let Some(ev) = seq.next_element::<BorrowedEvent<'de>>()? else {
                    return Ok(());
                };
                self.row = row;
                self.b.push(row, &ev.parts(), &same)
            };
            if let Err(e) = added {
                self.stop = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
    }
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
    kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    feature: Option<Text<'a>>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    messages: Option<f64>,
    #[serde(default)]
    reopened: Option<bool>,
    #[serde(default)]
    cost: Option<f64>,
}

/// A JSON string, borrowed from the text unless it had escapes. (`#[serde(borrow)]` borrows a
/// `Cow<str>` field, but not one inside an `Option`: that would allocate every kind.)
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON string or number, for client ids and timestamps.
enum TextOrNumber<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A whole number as JSON wrote it (no digits lost to a float).
    Whole(i128),
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
                Ok(TextOrNumber::Whole(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(TextOrNumber::Whole(v.into()))
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
        Some(TextOrNumber::Whole(v)) => Ok(Some(TextOrNumber::Integer(v.to_string()))),
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
                TextOrNumber::Number(_) | TextOrNumber::Whole(_) => "",
            }),
            timestamp: self.timestamp.as_ref().map(|t| match t {
                TextOrNumber::Text(t) => TimestampRef::Text(t),
                // An integer timestamp is epoch milliseconds, never YYYYMMDD text; the float
                // nearest it, as reading its digits as a float gives.
                TextOrNumber::Whole(v) => TimestampRef::EpochMs(*v as f64),
                TextOrNumber::Integer(t) => TimestampRef::EpochMs(t.parse().unwrap_or(f64::NAN)),
                TextOrNumber::Number(v) => TimestampRef::EpochMs(*v),
            }),
            kind: self.kind.as_ref().map(|t| t.0.as_ref()),
            feature: self.feature.as_ref().map(|t| t.0.as_ref()),
            value: self.value,
            messages: self.messages,
            reopened: self.reopened,
            cost: self.cost,
        }
    }
}

/// One event object read from its JSON text, each bad field named.
pub fn record_from_json(text: &str) -> Result<RawEvent> {
    let text = text.trim_start();
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
            format!("[{}]", rows.join(",")),
            Policy::new(Mode::Strict, 5),
        )
        .unwrap();
        let careful = from_json(
            format!(
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
