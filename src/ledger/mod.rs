//! The client ledger: one [`ClientRecord`] per client, built in one pass over events.
//!
//! Every part of a record is a commutative, associative summary and amounts are integer
//! millionths, so ingesting batches in any order — or merging ledgers built from disjoint
//! events — gives exactly the same ledger.
//!
//! - [`record`]: one client's record and how an event adds to it.
//! - [`snapshot`]: the ledger as versioned, checksummed bytes, and back.
//! - [`sorted`]: the sorted-vector helpers the records use.

pub mod record;
pub mod snapshot;
pub mod sorted;

pub use record::{ClientRecord, DayCount, DayInteractions, DayRevenue, Tally};
pub use snapshot::SNAPSHOT_VERSION;

use crate::error::{ErrorCode, RapportError, Result};
use crate::input::batch::{Batch, BatchEvent, NO_FEATURE};
use crate::input::intern::{intern, Index};

/// Most clients a ledger holds.
pub const MAX_CLIENTS: usize = 20_000_000;
/// Most distinct feature names a ledger holds. A product has tens or hundreds of features;
/// more than this says the column holds something else (ids, free text), and each client's
/// feature set would grow without bound.
pub const MAX_FEATURES: usize = 100_000;

/// All clients' records, with client ids and feature names interned.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    ids: Vec<String>,
    index: Index,
    records: Vec<ClientRecord>,
    features: Vec<String>,
    feature_index: Index,
    events: u64,
}

/// What applying a batch changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub accepted: u64,
    pub new_clients: u64,
}

impl Ledger {
    pub fn new() -> Self {
        Ledger::default()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Events ingested so far.
    pub fn event_count(&self) -> u64 {
        self.events
    }

    pub fn client_id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    pub fn record(&self, i: usize) -> &ClientRecord {
        &self.records[i]
    }

    /// The ledger index of client `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).map(|&i| i as usize)
    }

    pub fn find(&self, id: &str) -> Option<&ClientRecord> {
        self.position(id).map(|i| &self.records[i])
    }

    pub fn feature_names(&self) -> &[String] {
        &self.features
    }

    /// The latest event time in the ledger.
    pub fn last_event_ms(&self) -> Option<i64> {
        self.records.iter().map(|r| r.last_ms).max()
    }

    /// Fails if adding these clients and features would grow the ledger past [`MAX_CLIENTS`]
    /// or [`MAX_FEATURES`], or memory could not hold them; reserves room for them otherwise.
    fn check_room(&mut self, ids: &[String], features: &[String]) -> Result<()> {
        let fresh = ids
            .iter()
            .filter(|c| !self.index.contains_key(c.as_str()))
            .count();
        if self.records.len() + fresh > MAX_CLIENTS {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!("a ledger may hold at most {MAX_CLIENTS} clients"),
            ));
        }
        let fresh_features = features
            .iter()
            .filter(|f| !self.feature_index.contains_key(f.as_str()))
            .count();
        if self.features.len() + fresh_features > MAX_FEATURES {
            return Err(RapportError::new(
                ErrorCode::TooLarge,
                format!("a ledger may hold at most {MAX_FEATURES} distinct features; is the feature column holding ids?"),
            )
            .with_field("feature"));
        }
        let too_large =
            |_| RapportError::new(ErrorCode::TooLarge, "not enough memory for these clients");
        self.records.try_reserve(fresh).map_err(too_large)?;
        self.ids.try_reserve(fresh).map_err(too_large)?;
        self.index.try_reserve(fresh).map_err(too_large)?;
        crate::memory::check()
    }

    /// Ledger ids of a batch's clients (adding new ones), and how many were new.
    fn intern_clients(&mut self, clients: &[String]) -> (Vec<u32>, u64) {
        let mut new_clients = 0;
        let map = clients
            .iter()
            .map(|c| {
                let (i, new) = intern(&mut self.ids, &mut self.index, c);
                if new {
                    self.records.push(ClientRecord::empty());
                    new_clients += 1;
                }
                i
            })
            .collect();
        (map, new_clients)
    }

    fn intern_features(&mut self, features: &[String]) -> Vec<u32> {
        features
            .iter()
            .map(|f| intern(&mut self.features, &mut self.feature_index, f).0)
            .collect()
    }

    /// Adds a validated batch. Fails, before changing anything, only if the ledger would grow
    /// past [`MAX_CLIENTS`].
    pub fn apply(&mut self, batch: &Batch) -> Result<ApplyStats> {
        self.check_room(&batch.clients, &batch.features)?;
        let mut sorted = crate::memory::vec_with_capacity(batch.events.len())?;
        let (client_map, new_clients) = self.intern_clients(&batch.clients);
        let feature_map = self.intern_features(&batch.features);
        bucket_order(&batch.events, &client_map, self.records.len(), &mut sorted);
        let mut dirty = Vec::new();
        for ev in &sorted {
            let feature = match ev.feature {
                NO_FEATURE => NO_FEATURE,
                f => feature_map[f as usize],
            };
            if self.records[ev.client as usize].add(ev, feature) {
                dirty.push(ev.client);
            }
        }
        dirty.sort_unstable();
        dirty.dedup();
        for ci in dirty {
            self.records[ci as usize].normalize();
        }
        self.events += batch.events.len() as u64;
        Ok(ApplyStats {
            accepted: batch.events.len() as u64,
            new_clients,
        })
    }

    /// Merges another ledger into this one: the result is the ledger of both event sets.
    pub fn merge(&mut self, other: &Ledger) -> Result<ApplyStats> {
        self.check_room(&other.ids, &other.features)?;
        let fmap = self.intern_features(&other.features);
        let mut new_clients = 0;
        for (id, rec) in other.ids.iter().zip(&other.records) {
            let mut rec = rec.clone();
            rec.features = rec.features.iter().map(|&f| fmap[f as usize]).collect();
            rec.features.sort_unstable();
            let (i, new) = intern(&mut self.ids, &mut self.index, id);
            if new {
                self.records.push(rec);
                new_clients += 1;
            } else {
                self.records[i as usize].absorb(&rec);
            }
        }
        self.events += other.events;
        Ok(ApplyStats {
            accepted: other.events,
            new_clients,
        })
    }

    /// The ledger in a form independent of arrival order: clients by id, features by name.
    pub fn canonical(&self) -> Vec<(String, ClientRecord, Vec<String>)> {
        let mut out: Vec<_> = self
            .ids
            .iter()
            .zip(&self.records)
            .map(|(id, r)| {
                let mut names: Vec<String> = r
                    .features
                    .iter()
                    .map(|&f| self.features[f as usize].clone())
                    .collect();
                names.sort();
                let mut r = r.clone();
                r.features.clear();
                (id.clone(), r, names)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The batch's events with ledger client ids, in buckets of 256 neighbouring clients.
///
/// The events are copied into bucket order (a stable counting sort; ~100 sequential write
/// streams), so that the records a bucket touches stay in cache while its events are applied.
/// Applying a time-ordered batch directly jumps to a random record at every event, and visiting
/// events in client order reads the batch at random instead: both are dominated by cache misses.
fn bucket_order(
    events: &[BatchEvent],
    client_map: &[u32],
    clients: usize,
    sorted: &mut Vec<BatchEvent>,
) {
    const BUCKET_SHIFT: u32 = 8;
    let buckets = (clients >> BUCKET_SHIFT) + 1;
    let mut start = vec![0usize; buckets + 1];
    for ev in events {
        start[(client_map[ev.client as usize] >> BUCKET_SHIFT) as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    sorted.resize(events.len(), BatchEvent::EMPTY);
    for ev in events {
        let ci = client_map[ev.client as usize];
        let slot = &mut start[(ci >> BUCKET_SHIFT) as usize];
        let mut moved = *ev;
        moved.client = ci;
        sorted[*slot] = moved;
        *slot += 1;
    }
}

impl PartialEq for Ledger {
    /// Two ledgers are equal when they hold the same clients with the same aggregates,
    /// whatever order the clients and features were first seen in.
    fn eq(&self, other: &Self) -> bool {
        self.events == other.events && self.canonical() == other.canonical()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::{Mode, Policy};
    use crate::input::event::EventKind;
    use crate::input::json::from_json;

    pub(crate) fn batch(json: &str) -> Batch {
        from_json(json, Policy::new(Mode::Strict, 10)).unwrap()
    }

    pub(crate) const A: &str = r#"[
        {"clientId":"a","timestamp":"2024-06-03","kind":"usage","feature":"search"},
        {"clientId":"a","timestamp":"2024-06-01T08:00:00Z","kind":"usage","feature":"export"},
        {"clientId":"a","timestamp":"2024-06-01T09:00:00Z","kind":"purchase","value":10.5},
        {"clientId":"b","timestamp":"2024-06-02","kind":"support","messages":4,"reopened":true,"cost":12},
        {"clientId":"b","timestamp":"2024-06-05","kind":"cancellation"}
    ]"#;

    #[test]
    fn aggregates_one_pass() {
        let mut l = Ledger::new();
        let s = l.apply(&batch(A)).unwrap();
        assert_eq!(
            s,
            ApplyStats {
                accepted: 5,
                new_clients: 2
            }
        );
        let a = l.find("a").unwrap();
        assert_eq!(
            a.days.iter().map(|d| (d.day, d.events)).collect::<Vec<_>>(),
            vec![(19875, 2), (19877, 1)]
        );
        assert_eq!(a.features.len(), 2);
        assert_eq!(a.revenue_total(), 10.5);
        let b = l.find("b").unwrap();
        let t = b.tally(i32::MAX);
        assert_eq!(
            (
                t.count(EventKind::Support),
                t.messages,
                t.reopened,
                t.cost_micros
            ),
            (1, 4, 1, 12_000_000)
        );
        assert_eq!(b.days.len(), 1, "cancellation is not activity");
        assert!(b.last_day_of(EventKind::Cancellation, i32::MAX).is_some());
    }
}
