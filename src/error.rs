//! The crate's error type. Every error carries a stable machine [`ErrorCode`], and, where it
//! comes from input, the 1-based row and the field it was found in, so a person can fix the
//! data and a program can branch on the code.

use std::fmt;

crate::codes! {
    /// Stable machine codes. The strings are part of the public API (JavaScript sees them as
    /// `error.code`); never change an existing one.
    #[non_exhaustive]
    pub enum ErrorCode {
        /// Input is not valid JSON (or not the JSON shape expected, e.g. not an array).
        InvalidJson = "INVALID_JSON",
        /// CSV text could not be read (bad quoting, ragged rows, missing header column).
        InvalidCsv = "INVALID_CSV",
        /// A required field is absent or empty.
        MissingField = "MISSING_FIELD",
        /// A field has the wrong type or cannot be parsed as its type.
        InvalidField = "INVALID_FIELD",
        /// A timestamp cannot be parsed.
        InvalidTimestamp = "INVALID_TIMESTAMP",
        /// A timestamp parses but lies outside the supported range (years 1900 to 2200).
        TimestampOutOfRange = "TIMESTAMP_OUT_OF_RANGE",
        /// A numeric field is NaN or infinite.
        NonFiniteValue = "NON_FINITE_VALUE",
        /// A numeric field is negative where only non-negative values make sense.
        NegativeValue = "NEGATIVE_VALUE",
        /// A numeric field is beyond the largest magnitude the ledger stores exactly.
        ValueTooLarge = "VALUE_TOO_LARGE",
        /// The event kind is not one rapport knows.
        UnknownKind = "UNKNOWN_KIND",
        /// A batch holds no events, or a score was asked of an empty ledger.
        EmptyInput = "EMPTY_INPUT",
        /// Input exceeds a size limit (too many rows, too long a string).
        TooLarge = "TOO_LARGE",
        /// Columnar input arrays disagree in length, reference missing dictionary entries, or
        /// name a column the call does not read.
        InvalidColumns = "INVALID_COLUMNS",
        /// An option has a bad value.
        InvalidConfig = "INVALID_CONFIG",
        /// An option key is not known.
        UnknownConfigKey = "UNKNOWN_CONFIG_KEY",
        /// A customer-base summary row is impossible (e.g. recency beyond T, negative frequency).
        InvalidSummary = "INVALID_SUMMARY",
        /// A model could not be fitted to the data (e.g. nobody repeats), or the fit diverged.
        FitFailed = "FIT_FAILED",
        /// A JavaScript argument has the wrong type (e.g. a number where text is expected).
        InvalidArgument = "INVALID_ARGUMENT",
        /// Bytes are not a rapport snapshot at all.
        NotASnapshot = "NOT_A_SNAPSHOT",
        /// A rapport snapshot whose bytes are damaged.
        CorruptSnapshot = "CORRUPT_SNAPSHOT",
        /// A snapshot written by a newer, incompatible version.
        UnsupportedSnapshotVersion = "UNSUPPORTED_SNAPSHOT_VERSION",
        /// `explain` was asked for a client that is not in the ledger, or not active by `asOf`.
        UnknownClient = "UNKNOWN_CLIENT",
        /// rapport could not build its own output: a bug, to be reported.
        Internal = "INTERNAL",
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
