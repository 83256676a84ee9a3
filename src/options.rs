//! What every options struct shares: reading options from JSON with errors that name the key,
//! and the checks of single values (positive, a probability, in a range…), each naming the key
//! it failed on. Each rule's own options struct (in `input`, `scores`, `report` and `models`)
//! owns its defaults and calls these from its `check`; [`prefixed`] puts a struct's keys under
//! the key it is composed into (`windowDays` → `engagement.windowDays`).

use serde::de::DeserializeOwned;

use crate::error::{ErrorCode, RapportError, Result};

/// An `INVALID_CONFIG` error naming `key`.
pub fn bad(key: &str, msg: impl Into<String>) -> RapportError {
    RapportError::new(ErrorCode::InvalidConfig, msg).with_field(key)
}

/// `v` must be finite and greater than 0.
pub fn positive(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(bad(key, format!("must be a positive number, got {v}")))
    }
}

/// `v` must be finite and at least 0.
pub fn non_negative(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(bad(key, format!("must be a non-negative number, got {v}")))
    }
}

/// `v` must be finite.
pub fn finite(key: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(bad(key, "must be a finite number"))
    }
}

/// `v` must be a probability, 0 to 1.
pub fn probability(key: &str, v: f64) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(bad(key, format!("must be a probability (0 to 1), got {v}")))
    }
}

/// `v` must lie in `lo..=hi`; `what` is how the message names the range.
pub fn within<T: PartialOrd + std::fmt::Display>(key: &str, v: T, lo: T, hi: T) -> Result<()> {
    if v >= lo && v <= hi {
        Ok(())
    } else {
        Err(bad(key, format!("must be between {lo} and {hi}, got {v}")))
    }
}

/// A whole number must be at least `lo`.
pub fn at_least(key: &str, v: u64, lo: u64) -> Result<()> {
    if v >= lo {
        Ok(())
    } else {
        Err(bad(key, format!("must be at least {lo}")))
    }
}

/// Relative weights: each finite and non-negative, with a positive sum. `key` names the group
/// (`engagement.weights`), each pair a member.
pub fn weights(key: &str, members: &[(&str, f64)]) -> Result<()> {
    let mut sum = 0.0;
    for (name, v) in members {
        non_negative(&format!("{key}.{name}"), *v)?;
        sum += v;
    }
    if sum > 0.0 && sum.is_finite() {
        Ok(())
    } else {
        Err(bad(key, "weights must sum to a positive, finite number"))
    }
}

/// Puts the keys of a nested struct's errors under `prefix`.
pub fn prefixed<T>(prefix: &str, r: Result<T>) -> Result<T> {
    r.map_err(|mut e| {
        e.field = Some(match e.field.take() {
            Some(f) if !f.is_empty() => format!("{prefix}.{f}"),
            _ => prefix.to_string(),
        });
        e
    })
}

/// Turns a serde error met while reading options into a rapport error naming the key.
pub fn options_error(path: &str, message: &str) -> RapportError {
    let path = if path == "." { "" } else { path };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or("");
        // serde_path_to_error's path already ends with the unknown key; other callers pass the parent.
        let full = if path.is_empty() {
            key.to_string()
        } else if path == key || path.ends_with(&format!(".{key}")) {
            path.to_string()
        } else {
            format!("{path}.{key}")
        };
        let expected = rest
            .split_once(", ")
            .map(|(_, e)| format!("; {e}"))
            .unwrap_or_default();
        RapportError::new(
            ErrorCode::UnknownConfigKey,
            format!("unknown option {full:?}{expected}"),
        )
        .with_field(full)
    } else {
        let key = if path.is_empty() {
            "options".to_string()
        } else {
            path.to_string()
        };
        RapportError::new(ErrorCode::InvalidConfig, message.to_string()).with_field(key)
    }
}

/// serde_json appends " at line L column C"; options are named by key, so drop it.
pub fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Reads an options struct from any serde deserializer, naming the key of a bad or unknown
/// option.
pub fn read<'de, T: serde::Deserialize<'de>, D: serde::Deserializer<'de>>(de: D) -> Result<T>
where
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        options_error(&path, &strip_position(&e.into_inner().to_string()))
    })
}

/// Reads an options struct from JSON text; text that is not JSON is `INVALID_JSON`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            RapportError::new(
                ErrorCode::InvalidJson,
                format!("options are not valid JSON: {inner}"),
            )
        } else {
            options_error(&path, &strip_position(&inner.to_string()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_their_key() {
        assert_eq!(
            positive("a.b", 0.0).unwrap_err().field.as_deref(),
            Some("a.b")
        );
        assert!(positive("a", f64::NAN).is_err());
        assert!(non_negative("a", 0.0).is_ok());
        assert!(probability("p", 1.5).is_err());
        assert!(within("n", 3u32, 1, 9).is_ok());
        assert!(within("n", 0u32, 1, 9).is_err());
        let e = weights("w", &[("x", 0.0), ("y", 0.0)]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("w"));
        let e = weights("w", &[("x", 1.0), ("y", -1.0)]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("w.y"));
        let e = prefixed::<()>("engagement", Err(bad("windowDays", "no"))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("engagement.windowDays"));
    }
}
