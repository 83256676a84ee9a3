//! The two operations the ledger's per-day vectors need: coalescing equal keys after
//! out-of-order appends, and merging two sorted vectors.

/// Sorts nothing: folds runs of equal keys in an already sorted `v` into their first entry.
pub fn coalesce<T, K: PartialEq>(
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

/// Merges two vectors sorted by `key`, combining entries of equal key with `both`.
pub fn merge_sorted<T: Copy, K: Ord>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesce_and_merge() {
        let mut v = vec![(1, 1), (1, 2), (2, 5), (3, 1), (3, 1)];
        coalesce(&mut v, |x| x.0, |a, b| a.1 += b.1);
        assert_eq!(v, vec![(1, 3), (2, 5), (3, 2)]);
        let m = merge_sorted(
            &[(1, 1), (4, 1)],
            &[(1, 2), (2, 2)],
            |x| x.0,
            |a, b| (a.0, a.1 + b.1),
        );
        assert_eq!(m, vec![(1, 3), (2, 2), (4, 1)]);
    }
}
