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
}
