//! The crate's error type. Every error carries a stable machine [`ErrorCode`], and, where it
//! comes from input, the 1-based row and the field it was found in, so a person can fix the
//! data and a program can branch on the code.

use std::fmt;

/// Stable machine codes. The strings returned by [`ErrorCode::as_str`] are part of the public
/// API (JavaScript sees them as `error.code`); never change an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// Input is not valid JSON (or not the JSON shape expected, e.g. not an array).
    InvalidJson,
    /// CSV text could not be read (bad quoting, ragged rows, missing header column).
    InvalidCsv,
    /// A required field is absent or empty.
    MissingField,
    /// A field has the wrong type or cannot be parsed as its type.
    InvalidField,
    /// A timestamp cannot be parsed.
    InvalidTimestamp,
    /// A timestamp parses but lies outside the supported range (years 1900 to 2200).
    TimestampOutOfRange,
    /// A numeric field is NaN or infinite.
    NonFiniteValue,
    /// A numeric field is negative where only non-negative values make sense.
    NegativeValue,
    /// A numeric field is beyond the largest magnitude the ledger stores exactly.
    ValueTooLarge,
    /// The event kind is not one rapport knows.
    UnknownKind,
    /// A batch holds no events, or a score was asked of an empty ledger.
    EmptyInput,
    /// Input exceeds a size limit (too many rows, too long a string).
    TooLarge,
    /// Columnar input arrays disagree in length or reference missing dictionary entries.
    InvalidColumns,
    /// An option has a bad value.
    InvalidConfig,
    /// An option key is not known.
    UnknownConfigKey,
    /// A customer-base summary row is impossible (e.g. recency beyond T, negative frequency).
    InvalidSummary,
    /// A model could not be fitted to the data (e.g. nobody repeats), or the fit diverged.
    FitFailed,
    /// A JavaScript argument has the wrong type (e.g. a number where text is expected).
    InvalidArgument,
    /// Bytes are not a rapport snapshot at all.
    NotASnapshot,
    /// A rapport snapshot whose bytes are damaged.
    CorruptSnapshot,
    /// A snapshot written by a newer, incompatible version.
    UnsupportedSnapshotVersion,
}

impl ErrorCode {
    /// The stable code string, e.g. `"INVALID_TIMESTAMP"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "INVALID_JSON",
            ErrorCode::InvalidCsv => "INVALID_CSV",
            ErrorCode::MissingField => "MISSING_FIELD",
            ErrorCode::InvalidField => "INVALID_FIELD",
            ErrorCode::InvalidTimestamp => "INVALID_TIMESTAMP",
            ErrorCode::TimestampOutOfRange => "TIMESTAMP_OUT_OF_RANGE",
            ErrorCode::NonFiniteValue => "NON_FINITE_VALUE",
            ErrorCode::NegativeValue => "NEGATIVE_VALUE",
            ErrorCode::ValueTooLarge => "VALUE_TOO_LARGE",
            ErrorCode::UnknownKind => "UNKNOWN_KIND",
            ErrorCode::EmptyInput => "EMPTY_INPUT",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::InvalidColumns => "INVALID_COLUMNS",
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::UnknownConfigKey => "UNKNOWN_CONFIG_KEY",
            ErrorCode::InvalidSummary => "INVALID_SUMMARY",
            ErrorCode::FitFailed => "FIT_FAILED",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::NotASnapshot => "NOT_A_SNAPSHOT",
            ErrorCode::CorruptSnapshot => "CORRUPT_SNAPSHOT",
            ErrorCode::UnsupportedSnapshotVersion => "UNSUPPORTED_SNAPSHOT_VERSION",
        }
    }

    /// Every code, for documentation and the TypeScript union.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidCsv,
        ErrorCode::MissingField,
        ErrorCode::InvalidField,
        ErrorCode::InvalidTimestamp,
        ErrorCode::TimestampOutOfRange,
        ErrorCode::NonFiniteValue,
        ErrorCode::NegativeValue,
        ErrorCode::ValueTooLarge,
        ErrorCode::UnknownKind,
        ErrorCode::EmptyInput,
        ErrorCode::TooLarge,
        ErrorCode::InvalidColumns,
        ErrorCode::InvalidConfig,
        ErrorCode::UnknownConfigKey,
        ErrorCode::InvalidSummary,
        ErrorCode::FitFailed,
        ErrorCode::InvalidArgument,
        ErrorCode::NotASnapshot,
        ErrorCode::CorruptSnapshot,
        ErrorCode::UnsupportedSnapshotVersion,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from rapport: a code, a message for people, and where in the input it arose.
#[derive(Clone, Debug, PartialEq)]
pub struct RapportError {
    pub code: ErrorCode,
    /// 1-based row (event index in an array, data row in CSV, index in columns) if from input.
    pub row: Option<u64>,
    /// The field (or option key path) concerned, using the caller's name for it where known.
    pub field: Option<String>,
    pub message: String,
}

impl RapportError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        RapportError {
            code,
            row: None,
            field: None,
            message: message.into(),
        }
    }

    pub fn at_row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }
}

impl fmt::Display for RapportError {
    /// `row 12, field "timestamp": cannot parse "2024-13-01" as a date (INVALID_TIMESTAMP)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.field) {
            (Some(r), Some(k)) => write!(f, "row {r}, field \"{k}\": ")?,
            (Some(r), None) => write!(f, "row {r}: ")?,
            (None, Some(k)) => write!(f, "\"{k}\": ")?,
            (None, None) => {}
        }
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

impl std::error::Error for RapportError {}

pub type Result<T, E = RapportError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_upper_snake() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            // The TypeScript union comes from serde's names: they must be the same strings.
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{s}\""));
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'),
                "{s}"
            );
        }
    }

    #[test]
    fn display_names_row_field_and_code() {
        let e = RapportError::new(ErrorCode::NegativeValue, "amount must not be negative")
            .at_row(7)
            .with_field("value");
        assert_eq!(
            e.to_string(),
            "row 7, field \"value\": amount must not be negative (NEGATIVE_VALUE)"
        );
    }
}
