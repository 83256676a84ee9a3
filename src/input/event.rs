//! Events: the kinds rapport understands, the loose input shape callers send, and the checks
//! that turn one into a validated event or an error naming its field.

use serde::{Deserialize, Deserializer, Serialize};

use super::time;
use crate::error::{ErrorCode, RapportError, Result};

/// Longest accepted client id or feature name, in bytes.
pub const MAX_TEXT_LEN: usize = 1024;
/// Largest accepted numeric value (amount, rating, duration, cost). Values are stored exactly
/// in millionths, so this bound keeps every sum inside 128-bit integers with room to spare.
pub const MAX_VALUE: f64 = 1e12;
/// Values are kept as integer millionths so that sums are exact and independent of the order
/// in which events and batches arrive (floating-point addition is not associative).
pub const MICROS: f64 = 1e6;

/// What happened. The numeric code is the one used by the columnar input path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum EventKind {
    /// A session, login or action in the product (code 0). Aliases: session, login, action.
    Usage = 0,
    /// A purchase; `value` is the amount (code 1). Aliases: order, transaction.
    Purchase = 1,
    /// A support ticket; `messages`, `reopened`, `cost` describe it (code 2). Alias: ticket.
    Support = 2,
    /// Feedback given; `value` may hold a rating (code 3). Aliases: survey, nps.
    Feedback = 3,
    /// A referral of another customer (code 4).
    Referral = 4,
    /// A public review (code 5).
    Review = 5,
    /// An onboarding step completed; `feature` may name the step (code 6). Alias: onboarding_step.
    Onboarding = 6,
    /// A renewal of a subscription; `value` is the amount (code 7).
    Renewal = 7,
    /// An explicit cancellation (code 8). Aliases: cancel, churn.
    Cancellation = 8,
    /// Sign-up or account creation (code 9). Alias: signup.
    Signup = 9,
    /// Self-service help used instead of a ticket: docs, help centre, knowledge base, FAQ
    /// (code 10). Aliases: docs, help, help_center, knowledge_base, faq.
    SelfService = 10,
    /// Information the client provided when asked: a requested document, a form or
    /// questionnaire returned, an answer to a question (code 11). Aliases: info_provided, form.
    Response = 11,
}

/// Every kind with its name and aliases, in code order. Adding a kind is a variant above and
/// a row here (ledgers and snapshots size their per-kind counts from this table).
const KINDS: [(EventKind, &str, &[&str]); 12] = [
    (EventKind::Usage, "usage", &["session", "login", "action"]),
    (EventKind::Purchase, "purchase", &["order", "transaction"]),
    (EventKind::Support, "support", &["ticket"]),
    (EventKind::Feedback, "feedback", &["survey", "nps"]),
    (EventKind::Referral, "referral", &[]),
    (EventKind::Review, "review", &[]),
    (EventKind::Onboarding, "onboarding", &["onboarding_step"]),
    (EventKind::Renewal, "renewal", &[]),
    (
        EventKind::Cancellation,
        "cancellation",
        &["cancel", "churn"],
    ),
    (EventKind::Signup, "signup", &["sign_up"]),
    (
        EventKind::SelfService,
        "self_service",
        &["docs", "help", "help_center", "knowledge_base", "faq"],
    ),
    (EventKind::Response, "response", &["info_provided", "form"]),
];

impl EventKind {
    pub const COUNT: usize = KINDS.len();
    pub const ALL: [EventKind; EventKind::COUNT] = {
        let mut all = [EventKind::Usage; EventKind::COUNT];
        let mut i = 0;
        while i < EventKind::COUNT {
            all[i] = KINDS[i].0;
            i += 1;
        }
        all
    };

    pub fn name(self) -> &'static str {
        KINDS[self as usize].1
    }

    pub fn from_code(code: u8) -> Option<EventKind> {
        EventKind::ALL.get(code as usize).copied()
    }

    /// Parses a kind name or alias, ignoring case and surrounding space.
    pub fn parse(s: &str) -> Option<EventKind> {
        // Most rows name their kind exactly: find it by a plain comparison first.
        if let Some(k) = KINDS.iter().find(|(_, name, _)| *name == s) {
            return Some(k.0);
        }
        let t = s.trim();
        KINDS
            .iter()
            .find(|(_, name, aliases)| {
                t.eq_ignore_ascii_case(name) || aliases.iter().any(|a| t.eq_ignore_ascii_case(a))
            })
            .map(|k| k.0)
    }

    /// The kind names, in code order.
    pub fn names() -> [&'static str; EventKind::COUNT] {
        EventKind::ALL.map(EventKind::name)
    }

    /// Whether the event shows the client doing something. Everything but a cancellation does.
    pub fn is_activity(self) -> bool {
        self != EventKind::Cancellation
    }

    /// Whether `value` is money the client paid.
    pub fn is_revenue(self) -> bool {
        matches!(self, EventKind::Purchase | EventKind::Renewal)
    }
}

/// The fields of an event, used to name where an error is and to map CSV columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum EventField {
    ClientId,
    Timestamp,
    Kind,
    Feature,
    Value,
    Messages,
    Reopened,
    Cost,
}

impl EventField {
    pub const ALL: [EventField; 8] = [
        EventField::ClientId,
        EventField::Timestamp,
        EventField::Kind,
        EventField::Feature,
        EventField::Value,
        EventField::Messages,
        EventField::Reopened,
        EventField::Cost,
    ];

    /// The field's name in rapport's input shape (camelCase, as JavaScript writes it).
    pub fn name(self) -> &'static str {
        match self {
            EventField::ClientId => "clientId",
            EventField::Timestamp => "timestamp",
            EventField::Kind => "kind",
            EventField::Feature => "feature",
            EventField::Value => "value",
            EventField::Messages => "messages",
            EventField::Reopened => "reopened",
            EventField::Cost => "cost",
        }
    }

    pub fn from_name(s: &str) -> Option<EventField> {
        EventField::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// A timestamp as callers give it: ISO-8601 text or epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TimestampInput {
    Text(String),
    EpochMs(f64),
}

impl<'de> Deserialize<'de> for TimestampInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = TimestampInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an ISO-8601 string or a number of epoch milliseconds")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(TimestampInput::Text(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(
                self,
                v: String,
            ) -> std::result::Result<Self::Value, E> {
                Ok(TimestampInput::Text(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(TimestampInput::EpochMs(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(TimestampInput::EpochMs(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(TimestampInput::EpochMs(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A client id as callers give it: text, or an integer that is turned into its decimal text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ClientIdInput(pub String);

impl<'de> Deserialize<'de> for ClientIdInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ClientIdInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(ClientIdInput(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(
                self,
                v: String,
            ) -> std::result::Result<Self::Value, E> {
                Ok(ClientIdInput(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(ClientIdInput(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(ClientIdInput(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                    Ok(ClientIdInput((v as i64).to_string()))
                } else {
                    Err(E::custom(format!("client id {v} is not an integer")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One event as a caller sends it (a JavaScript object, a JSON object, or a CSV row). Every
/// field is optional here so that a missing one is reported by name rather than by a parser.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RawEvent {
    /// The client (customer, account) the event belongs to. Required.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | number"))]
    pub client_id: Option<ClientIdInput>,
    /// When it happened: ISO-8601 (`2024-06-30`, `2024-06-30T12:00:00+02:00`; no offset means
    /// UTC) or epoch milliseconds. Required.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | number"))]
    pub timestamp: Option<TimestampInput>,
    /// One of the [`EventKind`] names (or an alias). Required.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "EventKind | string"))]
    pub kind: Option<String>,
    /// Feature used (usage) or step completed (onboarding).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// Amount (purchase, renewal), rating (feedback) or duration (usage). Non-negative.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Support ticket: messages exchanged.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<f64>,
    /// Support ticket: whether it was reopened.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened: Option<bool>,
    /// Support ticket: cost of handling it, in the same currency as amounts.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// A validated event; text is still owned by the caller's batch (see `ingest`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedValues {
    pub at_ms: i64,
    pub kind: EventKind,
    /// Millionths of `value`, if given.
    pub value_micros: Option<i64>,
    pub messages: Option<u32>,
    pub reopened: bool,
    pub cost_micros: Option<i64>,
}

/// Checks a non-negative finite amount and returns it in millionths.
pub fn check_amount(v: f64, field: EventField) -> Result<i64> {
    let name = field.name();
    if !v.is_finite() {
        return Err(RapportError::new(
            ErrorCode::NonFiniteValue,
            format!("{name} must be a finite number, got {v}"),
        ));
    }
    if v < 0.0 {
        return Err(RapportError::new(
            ErrorCode::NegativeValue,
            format!("{name} must not be negative, got {v}"),
        ));
    }
    if v > MAX_VALUE {
        return Err(RapportError::new(
            ErrorCode::ValueTooLarge,
            format!("{name} {v} exceeds the largest accepted value 1e12"),
        ));
    }
    Ok(crate::text::round(v * MICROS) as i64)
}

/// Checks a count (messages on a ticket): a non-negative whole number.
pub fn check_count(v: f64, field: EventField) -> Result<u32> {
    check_amount(v, field)?;
    if v.fract() != 0.0 || v > u32::MAX as f64 {
        return Err(RapportError::new(
            ErrorCode::InvalidField,
            format!("{} must be a whole number, got {v}", field.name()),
        ));
    }
    Ok(v as u32)
}

/// Checks client id or feature text.
pub fn check_text(s: &str, field: EventField) -> Result<&str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(RapportError::new(
            ErrorCode::MissingField,
            format!("{} is empty", field.name()),
        ));
    }
    if t.len() > MAX_TEXT_LEN {
        return Err(RapportError::new(
            ErrorCode::TooLarge,
            format!(
                "{} is {} bytes long; the limit is {MAX_TEXT_LEN}",
                field.name(),
                t.len()
            ),
        ));
    }
    Ok(t)
}

fn missing(field: EventField) -> RapportError {
    RapportError::new(
        ErrorCode::MissingField,
        format!("{} is required", field.name()),
    )
    .with_field(field.name())
}

/// The fields of one event as borrowed text and numbers, however they arrived (object, CSV).
#[derive(Clone, Copy, Debug, Default)]
pub struct EventParts<'a> {
    pub client_id: Option<&'a str>,
    pub timestamp: Option<TimestampRef<'a>>,
    pub kind: Option<&'a str>,
    pub feature: Option<&'a str>,
    pub value: Option<f64>,
    pub messages: Option<f64>,
    pub reopened: Option<bool>,
    pub cost: Option<f64>,
}

/// A borrowed [`TimestampInput`].
#[derive(Clone, Copy, Debug)]
pub enum TimestampRef<'a> {
    Text(&'a str),
    EpochMs(f64),
}

impl<'a> EventParts<'a> {
    /// Validates every field. Errors carry the field (in rapport's naming; callers with their
    /// own column names rename it) but not the row. Returns the client id, the checked values
    /// and the feature, if any.
    pub fn check(&self) -> Result<(&'a str, CheckedValues, Option<&'a str>)> {
        let client = match self.client_id {
            None => return Err(missing(EventField::ClientId)),
            Some(c) => check_text(c, EventField::ClientId)
                .map_err(|e| e.with_field(EventField::ClientId.name()))?,
        };
        let at_ms = match self.timestamp {
            None => return Err(missing(EventField::Timestamp)),
            Some(TimestampRef::Text(s)) => time::parse_timestamp(s),
            Some(TimestampRef::EpochMs(v)) => time::from_epoch_ms(v),
        }
        .map_err(|e| e.with_field(EventField::Timestamp.name()))?;
        let kind = match self.kind {
            None => return Err(missing(EventField::Kind)),
            Some(k) if k.trim().is_empty() => return Err(missing(EventField::Kind)),
            Some(k) => EventKind::parse(k).ok_or_else(|| unknown_kind(k))?,
        };
        let feature = match self.feature {
            None => None,
            Some(f) if f.trim().is_empty() => None,
            Some(f) => Some(
                check_text(f, EventField::Feature)
                    .map_err(|e| e.with_field(EventField::Feature.name()))?,
            ),
        };
        let num = |v: Option<f64>, f: EventField| {
            v.map(|v| check_amount(v, f).map_err(|e| e.with_field(f.name())))
                .transpose()
        };
        let value_micros = num(self.value, EventField::Value)?;
        let cost_micros = num(self.cost, EventField::Cost)?;
        let messages = self
            .messages
            .map(|v| {
                check_count(v, EventField::Messages)
                    .map_err(|e| e.with_field(EventField::Messages.name()))
            })
            .transpose()?;
        Ok((
            client,
            CheckedValues {
                at_ms,
                kind,
                value_micros,
                messages,
                reopened: self.reopened.unwrap_or(false),
                cost_micros,
            },
            feature,
        ))
    }
}

impl RawEvent {
    pub fn parts(&self) -> EventParts<'_> {
        EventParts {
            client_id: self.client_id.as_ref().map(|c| c.0.as_str()),
            timestamp: self.timestamp.as_ref().map(|t| match t {
                TimestampInput::Text(s) => TimestampRef::Text(s),
                TimestampInput::EpochMs(v) => TimestampRef::EpochMs(*v),
            }),
            kind: self.kind.as_deref(),
            feature: self.feature.as_deref(),
            value: self.value,
            messages: self.messages,
            reopened: self.reopened,
            cost: self.cost,
        }
    }

    /// Validates the event; see [`EventParts::check`].
    pub fn check(&self) -> Result<(&str, CheckedValues, Option<&str>)> {
        self.parts().check()
    }
}

pub fn unknown_kind(k: &str) -> RapportError {
    RapportError::new(
        ErrorCode::UnknownKind,
        format!(
            "unknown event kind {:?}; expected one of {}",
            crate::text::truncate(k, 40),
            EventKind::names().join(", ")
        ),
    )
    .with_field(EventField::Kind.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(json: &str) -> RawEvent {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn kinds_round_trip_codes_and_names() {
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(k.0 as usize, i, "the table is in code order");
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_code(k as u8), Some(k));
            assert_eq!(EventKind::parse(k.name()), Some(k));
            assert_eq!(EventKind::parse(&k.name().to_uppercase()), Some(k));
        }
        assert_eq!(EventKind::from_code(12), None);
        assert_eq!(
            EventKind::parse("help_center"),
            Some(EventKind::SelfService)
        );
        assert_eq!(EventKind::parse("form"), Some(EventKind::Response));
        assert_eq!(EventKind::parse("login"), Some(EventKind::Usage));
        assert_eq!(EventKind::parse("refund"), None);
    }

    #[test]
    fn check_accepts_numbers_and_strings() {
        let e = ev(
            r#"{"clientId": 42, "timestamp": 1719705600000, "kind": "Purchase", "value": 12.5}"#,
        );
        let (c, v, f) = e.check().unwrap();
        assert_eq!(c, "42");
        assert_eq!(v.kind, EventKind::Purchase);
        assert_eq!(v.value_micros, Some(12_500_000));
        assert_eq!(f, None);
    }

    #[test]
    fn check_names_the_bad_field() {
        let cases = [
            (
                r#"{"timestamp": "2024-01-01", "kind": "usage"}"#,
                ErrorCode::MissingField,
                "clientId",
            ),
            (
                r#"{"clientId": "a", "kind": "usage"}"#,
                ErrorCode::MissingField,
                "timestamp",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01"}"#,
                ErrorCode::MissingField,
                "kind",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "dance"}"#,
                ErrorCode::UnknownKind,
                "kind",
            ),
            (
                r#"{"clientId": "a", "timestamp": "soon", "kind": "usage"}"#,
                ErrorCode::InvalidTimestamp,
                "timestamp",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "purchase", "value": -3}"#,
                ErrorCode::NegativeValue,
                "value",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "purchase", "value": 1e13}"#,
                ErrorCode::ValueTooLarge,
                "value",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "support", "messages": 2.5}"#,
                ErrorCode::InvalidField,
                "messages",
            ),
            (
                r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "support", "cost": -1}"#,
                ErrorCode::NegativeValue,
                "cost",
            ),
            (
                r#"{"clientId": " ", "timestamp": "2024-01-01", "kind": "usage"}"#,
                ErrorCode::MissingField,
                "clientId",
            ),
        ];
        for (json, code, field) in cases {
            let err = ev(json).check().unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                (code, Some(field)),
                "{json}"
            );
        }
        let nan = RawEvent {
            value: Some(f64::NAN),
            ..ev(r#"{"clientId": "a", "timestamp": "2024-01-01", "kind": "usage"}"#)
        };
        assert_eq!(nan.check().unwrap_err().code, ErrorCode::NonFiniteValue);
        let long = RawEvent {
            client_id: Some(ClientIdInput("x".repeat(2000))),
            ..nan
        };
        assert_eq!(long.check().unwrap_err().code, ErrorCode::TooLarge);
    }
}
