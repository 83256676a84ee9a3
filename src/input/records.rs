//! Events as records: deserialized event structs, or, from JavaScript, an array of objects
//! sorted into columns by type in one pass (`columnize` in `js/read.js`, see [`ObjectColumns`]). Rows
//! whose fields are not of the plain types are read one by one and arrive as
//! [`ObjectColumns::slow`], each already read into a [`RawEvent`] (or the error reading it).

use super::batch::{same, Batch, BatchBuilder, Policy};
use super::event::{EventParts, RawEvent, TimestampRef};
use crate::error::{ErrorCode, RapportError, Result};

/// Validates an array of records (already deserialized).
pub fn from_records(records: &[RawEvent], policy: Policy) -> Result<Batch> {
    let mut b = BatchBuilder::new(policy);
    for (i, r) in records.iter().enumerate() {
        b.push(i as u64 + 1, &r.parts(), &same)?;
    }
    b.finish()
}

/// The bits of [`ObjectColumns::flags`]: which optional fields a row has. `js/read.js`
/// receives these values from the bindings, so they are written only here.
pub mod flags {
    /// The timestamp is text (the next entry of `timestampTexts`), not epoch ms.
    pub const TIMESTAMP_TEXT: u8 = 1;
    /// `values[i]` holds the row's value.
    pub const VALUE: u8 = 2;
    /// `messages[i]` holds the row's message count.
    pub const MESSAGES: u8 = 4;
    /// `costs[i]` holds the row's cost.
    pub const COST: u8 = 8;
    /// The row says whether its ticket was reopened…
    pub const REOPENED_GIVEN: u8 = 16;
    /// …and it was.
    pub const REOPENED_TRUE: u8 = 32;
    /// The row has no timestamp.
    pub const NO_TIMESTAMP: u8 = 64;
    /// Every flag with its name, for the bindings to hand to JavaScript.
    pub const ALL: [(&str, u8); 7] = [
        ("TIMESTAMP_TEXT", TIMESTAMP_TEXT),
        ("VALUE", VALUE),
        ("MESSAGES", MESSAGES),
        ("COST", COST),
        ("REOPENED_GIVEN", REOPENED_GIVEN),
        ("REOPENED_TRUE", REOPENED_TRUE),
        ("NO_TIMESTAMP", NO_TIMESTAMP),
    ];
}

/// Index meaning "absent" in the dictionary indices of [`ObjectColumns`].
pub const ABSENT: u32 = u32::MAX;

/// An array of event objects sorted into columns: row `i` has its client id at
/// `client_ids[client_index[i]]`, its kind at `kinds[kind_index[i]]`, its feature at
/// `features[feature_index[i]]` ([`ABSENT`] for none), and its other fields as `flags[i]` says.
/// Text timestamps are joined by newlines in `timestamp_texts`, in row order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectColumns {
    pub client_ids: Vec<String>,
    pub client_index: Vec<u32>,
    pub kinds: Vec<String>,
    pub kind_index: Vec<u32>,
    pub features: Vec<String>,
    pub feature_index: Vec<u32>,
    pub timestamps: Vec<f64>,
    pub timestamp_texts: String,
    pub values: Vec<f64>,
    pub messages: Vec<f64>,
    pub costs: Vec<f64>,
    pub flags: Vec<u8>,
    /// Rows read one by one (ascending), with what reading each gave.
    pub slow: Vec<(u32, Result<RawEvent>)>,
}

fn pick(dict: &[String], ix: u32) -> Option<&str> {
    dict.get(ix as usize).map(String::as_str)
}

impl ObjectColumns {
    /// Checks that every column has one entry per row of an input of `rows` rows (an array
    /// changed while it was read would break that).
    pub fn check(&self, rows: usize) -> Result<()> {
        let n = self.flags.len();
        let lengths = [
            self.client_index.len(),
            self.kind_index.len(),
            self.feature_index.len(),
            self.timestamps.len(),
            self.values.len(),
            self.messages.len(),
            self.costs.len(),
        ];
        let slow_ok = self.slow.iter().all(|(i, _)| (*i as usize) < n)
            && self.slow.windows(2).all(|w| w[0].0 < w[1].0);
        if lengths.iter().any(|&l| l != n) || n != rows || !slow_ok {
            return Err(RapportError::new(
                ErrorCode::InvalidArgument,
                "events must be an array that does not change while it is read",
            )
            .with_field("events"));
        }
        Ok(())
    }

    /// Row `i` as parts; `texts` yields the text timestamps in row order.
    fn parts<'a>(&'a self, i: usize, texts: &mut std::str::Split<'a, char>) -> EventParts<'a> {
        use flags::*;
        let f = self.flags[i];
        let has = |bit: u8| f & bit != 0;
        EventParts {
            client_id: pick(&self.client_ids, self.client_index[i]),
            timestamp: if has(NO_TIMESTAMP) {
                None
            } else if has(TIMESTAMP_TEXT) {
                texts.next().map(TimestampRef::Text)
            } else {
                Some(TimestampRef::EpochMs(self.timestamps[i]))
            },
            kind: pick(&self.kinds, self.kind_index[i]),
            feature: pick(&self.features, self.feature_index[i]),
            value: has(VALUE).then(|| self.values[i]),
            messages: has(MESSAGES).then(|| self.messages[i]),
            cost: has(COST).then(|| self.costs[i]),
            reopened: has(REOPENED_GIVEN).then_some(has(REOPENED_TRUE)),
        }
    }
}

/// Validates an array of objects given as columns.
pub fn from_objects(cols: &ObjectColumns, rows: usize, policy: Policy) -> Result<Batch> {
    cols.check(rows)?;
    let mut b = BatchBuilder::new(policy);
    let mut texts = cols.timestamp_texts.split('\n');
    let mut slow = cols.slow.iter().peekable();
    for i in 0..rows {
        let row = i as u64 + 1;
        match slow.next_if(|(s, _)| *s as usize == i) {
            Some((_, Ok(r))) => b.push(row, &r.parts(), &same)?,
            Some((_, Err(e))) => b.reject(row, e.clone())?,
            None => b.push(row, &cols.parts(i, &mut texts), &same)?,
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::Mode;

    fn cols(rows: usize) -> ObjectColumns {
        ObjectColumns {
            client_ids: vec!["a".into()],
            client_index: vec![0; rows],
            kinds: vec!["support".into()],
            kind_index: vec![0; rows],
            features: vec![],
            feature_index: vec![ABSENT; rows],
            timestamps: vec![1.7e12; rows],
            timestamp_texts: String::new(),
            values: vec![0.0; rows],
            messages: vec![0.0; rows],
            costs: vec![0.0; rows],
            flags: vec![0; rows],
            slow: vec![],
        }
    }

    #[test]
    fn every_flag_reads_its_field() {
        use flags::*;
        let mut c = cols(3);
        c.timestamp_texts = "2024-06-01".into();
        c.flags = vec![
            TIMESTAMP_TEXT | VALUE | MESSAGES | COST | REOPENED_GIVEN | REOPENED_TRUE,
            REOPENED_GIVEN,
            NO_TIMESTAMP,
        ];
        (c.values[0], c.messages[0], c.costs[0]) = (2.5, 3.0, 7.0);
        let mut texts = c.timestamp_texts.split('\n');
        let p = c.parts(0, &mut texts);
        assert!(matches!(
            p.timestamp,
            Some(TimestampRef::Text("2024-06-01"))
        ));
        assert_eq!(
            (p.value, p.messages, p.cost, p.reopened),
            (Some(2.5), Some(3.0), Some(7.0), Some(true))
        );
        let p = c.parts(1, &mut texts);
        assert!(matches!(p.timestamp, Some(TimestampRef::EpochMs(t)) if t == 1.7e12));
        assert_eq!((p.value, p.reopened), (None, Some(false)));
        assert!(c.parts(2, &mut texts).timestamp.is_none());
        // Each flag is its own bit.
        let bits: u8 = flags::ALL.iter().map(|f| f.1).fold(0, |a, b| {
            assert_eq!(a & b, 0);
            a | b
        });
        assert_eq!(bits, 127);
        // The row without a timestamp is rejected by name.
        let e = from_objects(&c, 3, Policy::new(Mode::Strict, 5)).unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::MissingField, Some(3), Some("timestamp"))
        );
    }

    #[test]
    fn slow_rows_and_a_changed_array() {
        let mut c = cols(2);
        c.slow = vec![(
            1,
            Err(RapportError::new(ErrorCode::InvalidField, "bad").with_field("value")),
        )];
        let b = from_objects(&c, 2, Policy::new(Mode::Lenient, 5)).unwrap();
        assert_eq!((b.events.len(), b.skipped, b.issues[0].row), (1, 1, 2));
        let e = from_objects(&c, 3, Policy::new(Mode::Strict, 5)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        let mut policy = Policy::new(Mode::Strict, 5);
        policy.row_offset = 100;
        assert_eq!(from_objects(&c, 2, policy).unwrap_err().row, Some(102));
    }
}
