//! Ledger snapshots: an 8-byte magic, a little-endian `u16` layout version, a CRC-32 of the
//! body, then the body in postcard encoding.
//!
//! Layout versions:
//! - **3** (written): per-kind counts are a list up to the last kind with events, so a build
//!   with more event kinds reads older snapshots (missing kinds count 0) and writes the same
//!   bytes for the same events, and a snapshot holding a kind this build does not know is
//!   refused with `UNSUPPORTED_SNAPSHOT_VERSION` rather than misread.
//! - **2** (read): per-kind counts were a fixed array of the 12 kinds of that release.
//! - 1 predates any release and is refused.
//!
//! `tests/snapshots.rs` holds a golden snapshot of each version read here, and checks that
//! today's code writes the current one byte for byte: a change of layout fails that test until
//! the version is bumped on purpose.

use serde::{Deserialize, Serialize};

use super::record::{ClientRecord, DayCount, DayInteractions, DayRevenue};
use super::{Ledger, MAX_CLIENTS, MAX_FEATURES};
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::event::{check_text, EventField, EventKind};
use crate::input::intern::Index;

const MAGIC: &[u8; 8] = b"RAPPORT\x1a";
/// Version of the snapshot layout this build writes.
pub const SNAPSHOT_VERSION: u16 = 3;
/// Oldest layout version this build reads.
pub const OLDEST_VERSION: u16 = 2;
const HEADER: usize = 8 + 2 + 4;
/// Event kinds in the version 2 layout.
const V2_KINDS: usize = 12;

/// One client's record as stored; `K` is how per-kind counts are written.
#[derive(Serialize, Deserialize)]
struct WireRecord<K> {
    first_ms: i64,
    last_ms: i64,
    days: Vec<DayCount>,
    kind_counts: K,
    features: Vec<u32>,
    revenue: Vec<DayRevenue>,
    interactions: Vec<DayInteractions>,
}

#[derive(Serialize, Deserialize)]
struct Body<K> {
    ids: Vec<String>,
    features: Vec<String>,
    records: Vec<WireRecord<K>>,
    events: u64,
}

fn corrupt(why: &str) -> RapportError {
    RapportError::new(
        ErrorCode::CorruptSnapshot,
        format!("the snapshot is damaged: {why}"),
    )
}

fn newer_kinds() -> RapportError {
    RapportError::new(
        ErrorCode::UnsupportedSnapshotVersion,
        format!(
            "the snapshot holds event kinds this build does not know (it knows {})",
            EventKind::COUNT
        ),
    )
}

/// Per-kind counts as written: up to the last kind with events, so that a build with more
/// kinds writes the same bytes for the same events.
fn written_counts(counts: &[u64]) -> Vec<u64> {
    let len = counts.iter().rposition(|&n| n > 0).map_or(0, |i| i + 1);
    counts[..len].to_vec()
}

/// Per-kind counts of any length as this build's array: missing kinds count 0, and a count
/// for a kind past this build's is refused.
fn kind_counts(stored: &[u64]) -> Result<[u64; EventKind::COUNT]> {
    let mut out = [0u64; EventKind::COUNT];
    for (k, &n) in stored.iter().enumerate() {
        match out.get_mut(k) {
            Some(slot) => *slot = n,
            None if n == 0 => {}
            None => return Err(newer_kinds()),
        }
    }
    Ok(out)
}

impl<K: AsRef<[u64]>> WireRecord<K> {
    fn into_record(self) -> Result<ClientRecord> {
        if self
            .interactions
            .iter()
            .any(|i| i.kind as usize >= EventKind::COUNT)
        {
            return Err(newer_kinds());
        }
        Ok(ClientRecord {
            first_ms: self.first_ms,
            last_ms: self.last_ms,
            days: self.days,
            kind_counts: kind_counts(self.kind_counts.as_ref())?,
            features: self.features,
            revenue: self.revenue,
            interactions: self.interactions,
        })
    }
}

impl Ledger {
    /// Serializes the ledger (see the module documentation for the layout).
    pub fn to_snapshot(&self) -> Vec<u8> {
        let body = Body {
            ids: self.ids.clone(),
            features: self.features.clone(),
            records: self
                .records
                .iter()
                .map(|r| WireRecord {
                    first_ms: r.first_ms,
                    last_ms: r.last_ms,
                    days: r.days.clone(),
                    kind_counts: written_counts(&r.kind_counts),
                    features: r.features.clone(),
                    revenue: r.revenue.clone(),
                    interactions: r.interactions.clone(),
                })
                .collect(),
            events: self.events,
        };
        // Serializing plain owned data into a Vec cannot fail.
        let payload = postcard::to_stdvec(&body).unwrap_or_default();
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads a snapshot written by [`Ledger::to_snapshot`] of this or an older build.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Ledger> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(RapportError::new(
                ErrorCode::NotASnapshot,
                "these bytes are not a rapport ledger snapshot",
            ));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if !(OLDEST_VERSION..=SNAPSHOT_VERSION).contains(&version) {
            return Err(RapportError::new(
                ErrorCode::UnsupportedSnapshotVersion,
                format!("snapshot version {version} is not supported by this build (it reads versions {OLDEST_VERSION} to {SNAPSHOT_VERSION})"),
            ));
        }
        let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
        let payload = &bytes[HEADER..];
        if crc32fast::hash(payload) != crc {
            return Err(corrupt("checksum mismatch"));
        }
        if version == 2 {
            decode::<[u64; V2_KINDS]>(payload)
        } else {
            decode::<Vec<u64>>(payload)
        }
    }
}

/// Decodes a body whose per-kind counts are written as `K`, and checks it.
fn decode<K>(payload: &[u8]) -> Result<Ledger>
where
    K: AsRef<[u64]> + for<'de> Deserialize<'de>,
{
    let body: Body<K> = postcard::from_bytes(payload).map_err(|e| corrupt(&e.to_string()))?;
    if body.ids.len() != body.records.len()
        || body.ids.len() > MAX_CLIENTS
        || body.features.len() > MAX_FEATURES
    {
        return Err(corrupt("client count mismatch"));
    }
    check_names(&body.ids, EventField::ClientId)?;
    check_names(&body.features, EventField::Feature)?;
    let index = index_of(&body.ids).ok_or_else(|| corrupt("duplicate client id"))?;
    let feature_index = index_of(&body.features).ok_or_else(|| corrupt("duplicate feature"))?;
    let records = body
        .records
        .into_iter()
        .map(WireRecord::into_record)
        .collect::<Result<Vec<_>>>()?;
    if !records.iter().all(|r| r.is_valid(body.features.len())) {
        return Err(corrupt("inconsistent client record"));
    }
    if records
        .iter()
        .map(|r| r.kind_counts.iter().sum::<u64>())
        .sum::<u64>()
        != body.events
    {
        return Err(corrupt("event count mismatch"));
    }
    Ok(Ledger {
        ids: body.ids,
        index,
        records,
        features: body.features,
        feature_index,
        events: body.events,
    })
}

/// Client ids and feature names must be what ingest accepts: trimmed, not empty, at most
/// 1024 bytes.
fn check_names(names: &[String], field: EventField) -> Result<()> {
    for n in names {
        if check_text(n, field).ok() != Some(n.as_str()) {
            return Err(corrupt(&format!(
                "a {} is not one ingest accepts",
                field.name()
            )));
        }
    }
    Ok(())
}

/// The index of distinct names; `None` if a name repeats.
fn index_of(names: &[String]) -> Option<Index> {
    let mut index = Index::default();
    index.reserve(names.len());
    for (i, n) in names.iter().enumerate() {
        if index.insert(n.clone(), i as u32).is_some() {
            return None;
        }
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{batch, A};
    use super::*;

    #[test]
    fn snapshot_round_trips_and_detects_damage() {
        let mut l = Ledger::new();
        l.apply(&batch(A)).unwrap();
        let bytes = l.to_snapshot();
        assert_eq!(Ledger::from_snapshot(&bytes).unwrap(), l);
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert_eq!(
            Ledger::from_snapshot(&flipped).unwrap_err().code,
            ErrorCode::CorruptSnapshot
        );
        assert_eq!(
            Ledger::from_snapshot(b"PK\x03\x04 a zip file")
                .unwrap_err()
                .code,
            ErrorCode::NotASnapshot
        );
        assert_eq!(
            Ledger::from_snapshot(&[]).unwrap_err().code,
            ErrorCode::NotASnapshot
        );
        let mut future = bytes.clone();
        future[8] = 99;
        assert_eq!(
            Ledger::from_snapshot(&future).unwrap_err().code,
            ErrorCode::UnsupportedSnapshotVersion
        );
        let truncated = &bytes[..bytes.len() - 3];
        assert_eq!(
            Ledger::from_snapshot(truncated).unwrap_err().code,
            ErrorCode::CorruptSnapshot
        );
        // A valid checksum over garbage is still caught by decoding or the invariants.
        let mut forged = bytes[..HEADER].to_vec();
        let garbage = vec![0xff; 64];
        forged[10..14].copy_from_slice(&crc32fast::hash(&garbage).to_le_bytes());
        forged.extend_from_slice(&garbage);
        assert_eq!(
            Ledger::from_snapshot(&forged).unwrap_err().code,
            ErrorCode::CorruptSnapshot
        );
    }

    /// A snapshot of `body` with a valid checksum, as a forger would write it.
    fn forge(body: &Body<Vec<u64>>) -> Vec<u8> {
        let payload = postcard::to_stdvec(body).unwrap();
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    #[test]
    fn forgeries_with_a_valid_checksum_are_refused() {
        let mut l = Ledger::new();
        l.apply(&batch(A)).unwrap();
        let good =
            || -> Body<Vec<u64>> { postcard::from_bytes(&l.to_snapshot()[HEADER..]).unwrap() };
        assert!(
            Ledger::from_snapshot(&forge(&good())).is_ok(),
            "the honest body reads"
        );
        type Forge = Box<dyn Fn(&mut Body<Vec<u64>>)>;
        let cases: Vec<(&str, Forge)> = vec![
            ("an empty client id", Box::new(|b| b.ids[0] = String::new())),
            (
                "an untrimmed client id",
                Box::new(|b| b.ids[0] = " a".into()),
            ),
            (
                "a 100 KB client id",
                Box::new(|b| b.ids[0] = "x".repeat(100_000)),
            ),
            (
                "an empty feature",
                Box::new(|b| b.features[0] = String::new()),
            ),
            (
                "negative revenue",
                Box::new(|b| b.records[0].revenue[0].micros = -5),
            ),
            (
                "a last event at i64::MAX",
                Box::new(|b| b.records[0].last_ms = i64::MAX),
            ),
            (
                "a first event before 1900",
                Box::new(|b| b.records[0].first_ms = -3_000_000_000_000),
            ),
            (
                "a day outside first and last",
                Box::new(|b| b.records[0].days[0].day -= 400),
            ),
            (
                "a day with no events",
                Box::new(|b| b.records[0].days[0].events = 0),
            ),
            (
                "per-kind counts that disagree",
                Box::new(|b| b.records[0].kind_counts[0] += 1),
            ),
            (
                "an interaction of count 0",
                Box::new(|b| b.records[1].interactions[0].count = 0),
            ),
            (
                "more reopened tickets than tickets",
                Box::new(|b| b.records[1].interactions[0].reopened = 9),
            ),
            ("an event total that disagrees", Box::new(|b| b.events += 1)),
            (
                "a feature id past the names",
                Box::new(|b| b.records[0].features[0] = 99),
            ),
        ];
        for (what, forge_it) in cases {
            let mut body = good();
            forge_it(&mut body);
            let e = Ledger::from_snapshot(&forge(&body)).unwrap_err();
            assert_eq!(e.code, ErrorCode::CorruptSnapshot, "{what}: {e}");
        }
    }

    #[test]
    fn kind_counts_of_other_builds() {
        assert_eq!(kind_counts(&[1, 2]).unwrap()[..3], [1, 2, 0]);
        assert_eq!(written_counts(&[1, 0, 2, 0, 0]), vec![1, 0, 2]);
        assert_eq!(written_counts(&[0, 0]), Vec::<u64>::new());
        let mut more = vec![0; EventKind::COUNT + 1];
        assert!(kind_counts(&more).is_ok(), "an unknown kind with no events");
        more[EventKind::COUNT] = 3;
        assert_eq!(
            kind_counts(&more).unwrap_err().code,
            ErrorCode::UnsupportedSnapshotVersion
        );
    }
}
