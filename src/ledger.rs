//! The client ledger: one aggregate per client, built in one pass over events.
//!
//! Every field of a [`ClientRecord`] is a commutative, associative summary (minimum, maximum,
//! sorted sets, integer sums), and amounts are integer millionths, so ingesting batches in any
//! order — or merging ledgers built from disjoint events — gives exactly the same ledger.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, RapportError, Result};
use crate::event::EventKind;
use crate::ingest::{Batch, BatchEvent, NO_FEATURE};
use crate::time::day_of;

/// Most clients a ledger holds.
pub const MAX_CLIENTS: usize = 20_000_000;

/// Activity on one day: the number of activity events (every kind but cancellation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: i32,
    pub events: u32,
}

/// Revenue on one day: purchases and renewals, collapsed per day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRevenue {
    pub day: i32,
    pub count: u32,
    pub micros: i128,
}

/// The events of one kind on one day, for the kinds the effective-customer score reads (every
/// kind but usage and purchase), with a support ticket's details summed. Kept per day so that
/// scores as of an earlier date (and their history) see only what had happened by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInteractions {
    pub day: i32,
    /// [`EventKind`] code.
    pub kind: u8,
    pub count: u32,
    /// Support: messages over the tickets that reported them, and how many did.
    pub messages: u64,
    pub with_messages: u32,
    pub reopened: u32,
    /// Support: reported costs in millionths, and how many tickets reported one.
    pub cost_micros: i128,
    pub with_cost: u32,
    /// Feedback: ratings (values) in millionths, and how many feedback events gave one.
    pub rating_micros: i128,
    pub rated: u32,
}

impl DayInteractions {
    fn key(&self) -> (i32, u8) {
        (self.day, self.kind)
    }

    fn add(&mut self, o: &DayInteractions) {
        self.count = self.count.saturating_add(o.count);
        self.messages += o.messages;
        self.with_messages = self.with_messages.saturating_add(o.with_messages);
        self.reopened = self.reopened.saturating_add(o.reopened);
        self.cost_micros += o.cost_micros;
        self.with_cost = self.with_cost.saturating_add(o.with_cost);
        self.rating_micros += o.rating_micros;
        self.rated = self.rated.saturating_add(o.rated);
    }
}

/// Counts of a client's interactions up to a day (see [`ClientRecord::tally`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events per [`EventKind`] code (usage and purchase are not counted here).
    pub kinds: [u64; EventKind::COUNT],
    pub messages: u64,
    pub with_messages: u64,
    pub reopened: u64,
    pub cost_micros: i128,
    pub with_cost: u64,
    pub rating_micros: i128,
    pub rated: u64,
}

impl Tally {
    pub fn count(&self, k: EventKind) -> u64 {
        self.kinds[k as usize]
    }

    /// The mean feedback rating, if any feedback gave one.
    pub fn mean_rating(&self) -> Option<f64> {
        (self.rated > 0)
            .then(|| self.rating_micros as f64 / crate::event::MICROS / self.rated as f64)
    }
}

/// Everything rapport keeps about one client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    /// First and last event of any kind (epoch ms).
    pub first_ms: i64,
    pub last_ms: i64,
    /// Days with activity, ascending, one entry a day.
    pub days: Vec<DayCount>,
    /// Events per [`EventKind`] code.
    pub kind_counts: [u64; EventKind::COUNT],
    /// Features used (ledger feature ids), ascending.
    pub features: Vec<u32>,
    /// Days with revenue, ascending.
    pub revenue: Vec<DayRevenue>,
    /// Non-usage, non-purchase events per day and kind, ascending by (day, kind).
    pub interactions: Vec<DayInteractions>,
}

impl ClientRecord {
    fn empty() -> Self {
        ClientRecord {
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            days: Vec::new(),
            kind_counts: [0; EventKind::COUNT],
            features: Vec::new(),
            revenue: Vec::new(),
            interactions: Vec::new(),
        }
    }

    pub fn count(&self, k: EventKind) -> u64 {
        self.kind_counts[k as usize]
    }

    /// Total revenue in currency units.
    pub fn revenue_total(&self) -> f64 {
        self.revenue.iter().map(|r| r.micros).sum::<i128>() as f64 / crate::event::MICROS
    }

    /// Revenue in currency units from purchases and renewals on or before day `as_of`.
    pub fn revenue_until(&self, as_of: i32) -> f64 {
        self.revenue[..self.revenue.partition_point(|r| r.day <= as_of)]
            .iter()
            .map(|r| r.micros)
            .sum::<i128>() as f64
            / crate::event::MICROS
    }

    /// The client's interactions on or before day `as_of`.
    pub fn tally(&self, as_of: i32) -> Tally {
        let mut t = Tally::default();
        for i in &self.interactions[..self.interactions.partition_point(|i| i.day <= as_of)] {
            t.kinds[i.kind as usize] += i.count as u64;
            t.messages += i.messages;
            t.with_messages += i.with_messages as u64;
            t.reopened += i.reopened as u64;
            t.cost_micros += i.cost_micros;
            t.with_cost += i.with_cost as u64;
            t.rating_micros += i.rating_micros;
            t.rated += i.rated as u64;
        }
        t
    }

    /// The last day on or before `as_of` with an event of `kind` (not usage or purchase).
    pub fn last_day_of(&self, kind: EventKind, as_of: i32) -> Option<i32> {
        self.interactions[..self.interactions.partition_point(|i| i.day <= as_of)]
            .iter()
            .rev()
            .find(|i| i.kind == kind as u8)
            .map(|i| i.day)
    }

    /// Combines another record of the same client (feature ids already in this ledger's space).
    fn absorb(&mut self, o: &ClientRecord) {
        self.first_ms = self.first_ms.min(o.first_ms);
        self.last_ms = self.last_ms.max(o.last_ms);
        self.days = merge_sorted(
            &self.days,
            &o.days,
            |d| d.day,
            |a, b| DayCount {
                day: a.day,
                events: a.events.saturating_add(b.events),
            },
        );
        for (a, b) in self.kind_counts.iter_mut().zip(o.kind_counts) {
            *a += b;
        }
        self.features = merge_sorted(&self.features, &o.features, |f| *f, |a, _| *a);
        self.revenue = merge_sorted(
            &self.revenue,
            &o.revenue,
            |r| r.day,
            |a, b| DayRevenue {
                day: a.day,
                count: a.count.saturating_add(b.count),
                micros: a.micros + b.micros,
            },
        );
        self.interactions = merge_sorted(
            &self.interactions,
            &o.interactions,
            DayInteractions::key,
            |a, b| {
                let mut m = *a;
                m.add(b);
                m
            },
        );
    }

    /// Sorts and coalesces the per-day vectors after out-of-order appends.
    fn normalize(&mut self) {
        self.days.sort_unstable_by_key(|d| d.day);
        coalesce(
            &mut self.days,
            |d| d.day,
            |a, b| a.events = a.events.saturating_add(b.events),
        );
        self.revenue.sort_unstable_by_key(|r| r.day);
        coalesce(
            &mut self.revenue,
            |r| r.day,
            |a, b| {
                a.count = a.count.saturating_add(b.count);
                a.micros += b.micros;
            },
        );
        self.interactions.sort_unstable_by_key(DayInteractions::key);
        coalesce(&mut self.interactions, DayInteractions::key, |a, b| {
            a.add(b)
        });
    }

    fn is_valid(&self, n_features: usize) -> bool {
        let strictly_up = |v: &[i64]| v.windows(2).all(|w| w[0] < w[1]);
        self.first_ms <= self.last_ms
            && strictly_up(&self.days.iter().map(|d| d.day as i64).collect::<Vec<_>>())
            && strictly_up(
                &self
                    .revenue
                    .iter()
                    .map(|d| d.day as i64)
                    .collect::<Vec<_>>(),
            )
            && strictly_up(&self.features.iter().map(|&f| f as i64).collect::<Vec<_>>())
            && self
                .interactions
                .windows(2)
                .all(|w| w[0].key() < w[1].key())
            && self
                .interactions
                .iter()
                .all(|i| (i.kind as usize) < EventKind::COUNT)
            && self.features.iter().all(|&f| (f as usize) < n_features)
    }
}

fn coalesce<T, K: PartialEq>(
    v: &mut Vec<T>,
    key: impl Fn(&T) -> K,
    mut add: impl FnMut(&mut T, &T),
) {
    if v.len() < 2 {
        return;
    }
    let mut w = 0;
    for r in 1..v.len() {
        if key(&v[r]) == key(&v[w]) {
            let (a, b) = v.split_at_mut(r);
            add(&mut a[w], &b[0]);
        } else {
            w += 1;
            v.swap(w, r);
        }
    }
    v.truncate(w + 1);
}

fn merge_sorted<T: Copy, K: Ord>(
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> K,
    both: impl Fn(&T, &T) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(both(&a[i], &b[j]));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

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

/// Hash map for interning ids. FxHash (rustc's hasher) is several times faster than the
/// default SipHash on short keys; ids come from the caller's own data and batches are bounded,
/// so the default's flooding resistance buys nothing here.
pub(crate) type Index = rustc_hash::FxHashMap<String, u32>;

/// The id of `s` in `ids`, adding it if new; `true` when it was added.
pub(crate) fn intern(ids: &mut Vec<String>, index: &mut Index, s: &str) -> (u32, bool) {
    if let Some(&i) = index.get(s) {
        return (i, false);
    }
    let i = ids.len() as u32;
    ids.push(s.to_owned());
    index.insert(s.to_owned(), i);
    (i, true)
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

    pub fn find(&self, id: &str) -> Option<&ClientRecord> {
        self.index.get(id).map(|&i| &self.records[i as usize])
    }

    pub fn feature_names(&self) -> &[String] {
        &self.features
    }

    /// The latest event time in the ledger.
    pub fn last_event_ms(&self) -> Option<i64> {
        self.records.iter().map(|r| r.last_ms).max()
    }

    /// Fails if adding these clients would grow the ledger past [`MAX_CLIENTS`].
    fn check_room(&self, ids: &[String]) -> Result<()> {
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
        Ok(())
    }

    /// Adds a validated batch. Fails, before changing anything, only if the ledger would grow
    /// past [`MAX_CLIENTS`].
    pub fn apply(&mut self, batch: &Batch) -> Result<ApplyStats> {
        self.check_room(&batch.clients)?;
        let mut new_clients = 0;
        let client_map: Vec<u32> = batch
            .clients
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
        let feature_map: Vec<u32> = batch
            .features
            .iter()
            .map(|f| intern(&mut self.features, &mut self.feature_index, f).0)
            .collect();
        // Apply events bucket by bucket of 256 neighbouring clients. The events are first copied
        // into bucket order (a stable counting sort; ~100 sequential write streams), so that the
        // records a bucket touches stay in cache while its events are applied. Applying a
        // time-ordered batch directly jumps to a random record at every event, and visiting events
        // in client order reads the batch at random instead: both are dominated by cache misses.
        const BUCKET_SHIFT: u32 = 8;
        let buckets = (self.records.len() >> BUCKET_SHIFT) + 1;
        let mut start = vec![0usize; buckets + 1];
        for ev in &batch.events {
            start[(client_map[ev.client as usize] >> BUCKET_SHIFT) as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut sorted = vec![BatchEvent::EMPTY; batch.events.len()];
        for ev in &batch.events {
            let ci = client_map[ev.client as usize];
            let slot = &mut start[(ci >> BUCKET_SHIFT) as usize];
            let mut moved = *ev;
            moved.client = ci;
            sorted[*slot] = moved;
            *slot += 1;
        }
        let mut dirty = Vec::new();
        for ev in &sorted {
            let ci = ev.client as usize;
            let r = &mut self.records[ci];
            r.first_ms = r.first_ms.min(ev.at_ms);
            r.last_ms = r.last_ms.max(ev.at_ms);
            r.kind_counts[ev.kind as usize] += 1;
            let day = day_of(ev.at_ms);
            let mut unsorted = false;
            if ev.kind.is_activity() {
                match r.days.last_mut() {
                    Some(last) if last.day == day => last.events = last.events.saturating_add(1),
                    Some(last) => {
                        unsorted |= last.day > day;
                        r.days.push(DayCount { day, events: 1 });
                    }
                    None => r.days.push(DayCount { day, events: 1 }),
                }
            }
            if ev.feature != NO_FEATURE {
                let f = feature_map[ev.feature as usize];
                if let Err(pos) = r.features.binary_search(&f) {
                    r.features.insert(pos, f);
                }
            }
            if !matches!(ev.kind, EventKind::Usage | EventKind::Purchase) {
                let messages = ev.messages();
                let cost = ev.cost_micros();
                let support = ev.kind == EventKind::Support;
                let feedback = ev.kind == EventKind::Feedback;
                let rating = ev.value_micros();
                let item = DayInteractions {
                    day,
                    kind: ev.kind as u8,
                    count: 1,
                    messages: if support {
                        messages.unwrap_or(0) as u64
                    } else {
                        0
                    },
                    with_messages: (support && messages.is_some()) as u32,
                    reopened: (support && ev.reopened) as u32,
                    cost_micros: if support {
                        cost.unwrap_or(0) as i128
                    } else {
                        0
                    },
                    with_cost: (support && cost.is_some()) as u32,
                    rating_micros: if feedback {
                        rating.unwrap_or(0) as i128
                    } else {
                        0
                    },
                    rated: (feedback && rating.is_some()) as u32,
                };
                match r.interactions.last_mut() {
                    Some(last) if last.key() == item.key() => last.add(&item),
                    Some(last) => {
                        unsorted |= last.key() > item.key();
                        r.interactions.push(item);
                    }
                    None => r.interactions.push(item),
                }
            }
            match ev.kind {
                EventKind::Purchase | EventKind::Renewal => {
                    let micros = ev.value_micros().unwrap_or(0) as i128;
                    match r.revenue.last_mut() {
                        Some(last) if last.day == day => {
                            last.count = last.count.saturating_add(1);
                            last.micros += micros;
                        }
                        Some(last) => {
                            unsorted |= last.day > day;
                            r.revenue.push(DayRevenue {
                                day,
                                count: 1,
                                micros,
                            });
                        }
                        None => r.revenue.push(DayRevenue {
                            day,
                            count: 1,
                            micros,
                        }),
                    }
                }
                _ => {}
            }
            if unsorted {
                dirty.push(ci as u32);
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
        self.check_room(&other.ids)?;
        let fmap: Vec<u32> = other
            .features
            .iter()
            .map(|f| intern(&mut self.features, &mut self.feature_index, f).0)
            .collect();
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

impl PartialEq for Ledger {
    /// Two ledgers are equal when they hold the same clients with the same aggregates,
    /// whatever order the clients and features were first seen in.
    fn eq(&self, other: &Self) -> bool {
        self.events == other.events && self.canonical() == other.canonical()
    }
}

// ---- Snapshots ----

const MAGIC: &[u8; 8] = b"RAPPORT\x1a";
/// Version of the snapshot layout this build writes and reads. Version 2 added two event kinds
/// and keeps interactions (tickets, feedback, onboarding, renewals…) per day; version 1
/// snapshots predate any release and are refused with `UNSUPPORTED_SNAPSHOT_VERSION`.
pub const SNAPSHOT_VERSION: u16 = 2;
const HEADER: usize = 8 + 2 + 4;

#[derive(Serialize, Deserialize)]
struct SnapshotBody {
    ids: Vec<String>,
    features: Vec<String>,
    records: Vec<ClientRecord>,
    events: u64,
}

impl Ledger {
    /// Serializes the ledger: an 8-byte magic, a little-endian `u16` version, a CRC-32 of the
    /// body, then the body in postcard encoding.
    pub fn to_snapshot(&self) -> Vec<u8> {
        let body = SnapshotBody {
            ids: self.ids.clone(),
            features: self.features.clone(),
            records: self.records.clone(),
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

    /// Reads a snapshot written by [`Ledger::to_snapshot`].
    pub fn from_snapshot(bytes: &[u8]) -> Result<Ledger> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(RapportError::new(
                ErrorCode::NotASnapshot,
                "these bytes are not a rapport ledger snapshot",
            ));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != SNAPSHOT_VERSION {
            return Err(RapportError::new(
                ErrorCode::UnsupportedSnapshotVersion,
                format!("snapshot version {version} is not supported by this build (it reads version {SNAPSHOT_VERSION})"),
            ));
        }
        let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
        let payload = &bytes[HEADER..];
        let corrupt = |why: &str| {
            RapportError::new(
                ErrorCode::CorruptSnapshot,
                format!("the snapshot is damaged: {why}"),
            )
        };
        if crc32fast::hash(payload) != crc {
            return Err(corrupt("checksum mismatch"));
        }
        let body: SnapshotBody =
            postcard::from_bytes(payload).map_err(|e| corrupt(&e.to_string()))?;
        if body.ids.len() != body.records.len() || body.ids.len() > MAX_CLIENTS {
            return Err(corrupt("client count mismatch"));
        }
        let mut index = Index::default();
        index.reserve(body.ids.len());
        for (i, id) in body.ids.iter().enumerate() {
            if index.insert(id.clone(), i as u32).is_some() {
                return Err(corrupt("duplicate client id"));
            }
        }
        let mut feature_index = Index::default();
        feature_index.reserve(body.features.len());
        for (i, f) in body.features.iter().enumerate() {
            if feature_index.insert(f.clone(), i as u32).is_some() {
                return Err(corrupt("duplicate feature"));
            }
        }
        if !body.records.iter().all(|r| r.is_valid(body.features.len())) {
            return Err(corrupt("inconsistent client record"));
        }
        Ok(Ledger {
            ids: body.ids,
            index,
            records: body.records,
            features: body.features,
            feature_index,
            events: body.events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::ingest::from_json;

    fn batch(json: &str) -> Batch {
        from_json(json, Mode::Strict, 10).unwrap()
    }

    const A: &str = r#"[
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
}
