//! Interning: each distinct client id or feature name is stored once and referred to by a
//! small integer, in batches and in the ledger alike.

/// Hash map for interning ids. FxHash (rustc's hasher) is several times faster than the
/// default SipHash on short keys; ids come from the caller's own data and batches are bounded,
/// so the default's flooding resistance buys nothing here.
pub type Index = rustc_hash::FxHashMap<String, u32>;

/// The id of `s` in `ids`, adding it if new; `true` when it was added.
pub fn intern(ids: &mut Vec<String>, index: &mut Index, s: &str) -> (u32, bool) {
    if let Some(&i) = index.get(s) {
        return (i, false);
    }
    let i = ids.len() as u32;
    ids.push(s.to_owned());
    index.insert(s.to_owned(), i);
    (i, true)
}

/// Interns the strings of one batch as it is read: ids from a small hash table of 4-byte
/// entries, the strings one after another in one buffer. A row's id costs one hash and one
/// comparison against that buffer, where a map of `String`s follows a pointer per probe to a
/// string elsewhere on the heap: for a batch of a million rows over tens of thousands of
/// clients, that is the difference between the table staying in cache and a miss per row.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    table: hashbrown::HashTable<u32>,
    /// String `i` is `bytes[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
    bytes: String,
}

fn hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(s)
}

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// String `i`.
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The id of `s`, adding it if new; `true` when it was added.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let h = hash(s);
        let Interner { table, ends, bytes } = self;
        let at = |i: u32| {
            let i = i as usize;
            &bytes[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]
        };
        if let Some(&i) = table.find(h, |&i| at(i) == s) {
            return (i, false);
        }
        let i = ends.len() as u32;
        bytes.push_str(s);
        ends.push(bytes.len());
        let (ends, bytes) = (&*ends, &*bytes);
        table.insert_unique(h, i, |&j| {
            let j = j as usize;
            hash(&bytes[if j == 0 { 0 } else { ends[j - 1] }..ends[j]])
        });
        (i, true)
    }

    /// The strings, in id order.
    pub fn into_strings(self) -> Vec<String> {
        (0..self.len() as u32)
            .map(|i| self.get(i).to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_stored_once() {
        let (mut ids, mut ix) = (Vec::new(), Index::default());
        assert_eq!(intern(&mut ids, &mut ix, "a"), (0, true));
        assert_eq!(intern(&mut ids, &mut ix, "b"), (1, true));
        assert_eq!(intern(&mut ids, &mut ix, "a"), (0, false));
        assert_eq!(ids, vec!["a", "b"]);
    }

    #[test]
    fn the_interner_gives_each_string_one_id() {
        let mut ix = Interner::default();
        let words: Vec<String> = (0..5000)
            .map(|i| format!("c{:05}", i * 7919 % 5000))
            .collect();
        for (k, w) in words.iter().enumerate() {
            assert_eq!(ix.intern(w), (k as u32, true));
        }
        for (k, w) in words.iter().enumerate().rev() {
            assert_eq!(ix.intern(w), (k as u32, false));
            assert_eq!(ix.get(k as u32), w);
        }
        assert_eq!(ix.intern(""), (5000, true));
        assert_eq!(ix.clone().into_strings().len(), 5001);
        assert_eq!(ix.into_strings()[..2], words[..2]);
    }
}
