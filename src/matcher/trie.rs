//! A [`crawdad::Trie`] read where its bytes lie: the serialized form
//! (`Trie::serialize_to_vec`) searched without building the trie's
//! vectors. The built-in matcher's two tries are 8 MB of the binary;
//! copying them into vectors at every start (`Trie::deserialize_from_slice`)
//! was 14M instructions and a third of the page faults of a run over one
//! small document. A trie built at run time is serialized once and read
//! the same way, so there is one search for both.
//!
//! The bytes, integers little-endian `u32`: the code table's length `m`
//! and `m` codes (a character's code is the entry at its scalar value;
//! `u32::MAX` for a character no key has), the alphabet size, the number
//! of nodes `n` and `n` nodes of two words, `base` and `check`. The low 31
//! bits of `base` are the offset of the node's children (a child's index
//! is `base ^ code`), or for a leaf (high bit set) the key's value; the
//! low 31 bits of `check` are the parent's index, and its high bit says
//! that a key ends at the node: its leaf is the child of code 0.
//!
//! Worked example: keys `ab` (value 0) and `abc` (value 1). A search of
//! `abcd` steps from the root along `a`, `b` (a key ends there: its leaf
//! gives 0), `c` (a leaf: 1, and a leaf has no children), and stops.

use std::borrow::Cow;

/// The low 31 bits of a node word.
const OFFSET_MASK: u32 = 0x7fff_ffff;
/// The code of the end of a key: a node's leaf is its child of this code.
const END_CODE: u32 = 0;
/// The code of a character no key has.
const INVALID_CODE: u32 = u32::MAX;

/// A trie's serialized bytes, searched in place.
#[derive(Clone)]
pub(crate) struct Trie {
    bytes: Cow<'static, [u8]>,
    /// Where the code table's entries start in `bytes`, and how many.
    codes_at: usize,
    codes: usize,
    /// Where the nodes start in `bytes` (they run to its end).
    nodes_at: usize,
}

/// The little-endian `u32` at `at`.
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Trie {
    /// The trie of these serialized bytes (the whole of them), or `None`
    /// when their lengths do not add up.
    pub(crate) fn new(bytes: Cow<'static, [u8]>) -> Option<Trie> {
        let codes = u32_at(&bytes, 0)? as usize;
        let codes_at: usize = 4;
        let alphabet_at = codes_at.checked_add(codes.checked_mul(4)?)?;
        u32_at(&bytes, alphabet_at)?;
        let nodes = u32_at(&bytes, alphabet_at + 4)? as usize;
        let nodes_at = alphabet_at + 8;
        if nodes_at.checked_add(nodes.checked_mul(8)?)? != bytes.len() || nodes == 0 {
            return None;
        }
        Some(Trie {
            bytes,
            codes_at,
            codes,
            nodes_at,
        })
    }

    /// The trie of `records` (key, value), built by crawdad, keys in
    /// order; the error is crawdad's, or bytes that do not read back.
    pub(crate) fn from_records<'k>(
        records: impl IntoIterator<Item = (&'k str, u32)>,
    ) -> Result<Trie, String> {
        let built = crawdad::Trie::from_records(records).map_err(|e| e.to_string())?;
        // crawdad's own serialization: its layout is the one read here (a
        // test compares the searches on random keys).
        Trie::new(Cow::Owned(built.serialize_to_vec()))
            .ok_or_else(|| "the trie's bytes do not read back".to_string())
    }

    /// The serialized bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Calls `found` with the value of each key that `text` starts with,
    /// shortest first (what `crawdad::Trie::common_prefix_search` yields).
    #[inline]
    pub(crate) fn prefixes(&self, text: &str, mut found: impl FnMut(u32)) {
        let bytes: &[u8] = &self.bytes;
        // In bounds: `Trie::new` checked the lengths.
        let codes = &bytes[self.codes_at..self.codes_at + 4 * self.codes];
        let nodes = &bytes[self.nodes_at..];
        let node = |i: u32| -> Option<(u32, u32)> {
            let at = 8 * i as usize;
            let b: &[u8; 8] = nodes.get(at..at + 8)?.try_into().ok()?;
            Some((
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            ))
        };
        let mut parent = 0u32;
        let Some((mut base, _)) = node(parent) else {
            return;
        };
        for c in text.chars() {
            let at = 4 * c as usize;
            let Some(b) = codes.get(at..at + 4) else {
                return;
            };
            let code = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            // A character no key has; or a leaf, which has no children.
            if code == INVALID_CODE || base & !OFFSET_MASK != 0 {
                return;
            }
            let child = (base & OFFSET_MASK) ^ code;
            let Some((child_base, check)) = node(child) else {
                return;
            };
            if check & OFFSET_MASK != parent {
                return;
            }
            parent = child;
            base = child_base;
            if base & !OFFSET_MASK != 0 {
                found(base & OFFSET_MASK);
            } else if check & !OFFSET_MASK != 0
                && let Some((value, _)) = node((base & OFFSET_MASK) ^ END_CODE)
            {
                found(value & OFFSET_MASK);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The worked example of the module.
    #[test]
    fn the_worked_example() {
        let trie = Trie::from_records([("ab", 0), ("abc", 1)]).unwrap();
        let mut got = Vec::new();
        trie.prefixes("abcd", |v| got.push(v));
        assert_eq!(got, [0, 1]);
        got.clear();
        trie.prefixes("ax", |v| got.push(v));
        assert!(got.is_empty());
    }

    /// Bytes whose lengths do not add up are refused, not read.
    #[test]
    fn bad_bytes_are_refused() {
        let trie = Trie::from_records([("ab", 0), ("abc", 1)]).unwrap();
        let bytes = trie.as_bytes().to_vec();
        let mut longer = bytes.clone();
        longer.push(0);
        let mut huge = bytes.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        for bad in [
            &[][..],
            &bytes[..3],
            &bytes[..bytes.len() - 1],
            &longer,
            &huge,
        ] {
            assert!(
                Trie::new(Cow::Owned(bad.to_vec())).is_none(),
                "{}",
                bad.len()
            );
        }
        assert!(Trie::new(Cow::Owned(bytes)).is_some());
    }

    proptest! {
        /// On random keys over a small alphabet of Arabic, Latin and other
        /// letters, each search finds what crawdad's own search finds, at
        /// every start of random texts over the same letters and others.
        #[test]
        fn searches_as_crawdad_does(
            keys in proptest::collection::btree_set("[abاب٣ي é中]{1,6}", 1..40),
            texts in proptest::collection::vec("[abاب٣ي é中xن]{0,12}", 1..8),
        ) {
            let keys: Vec<String> = keys.into_iter().collect();
            let records = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32));
            let theirs = crawdad::Trie::from_records(records.clone()).unwrap();
            let ours = Trie::from_records(records).unwrap();
            let read = Trie::new(Cow::Owned(ours.as_bytes().to_vec())).unwrap();
            for text in &texts {
                for (start, _) in text.char_indices() {
                    let want: Vec<u32> =
                        theirs.common_prefix_search(text[start..].chars()).map(|(v, _)| v).collect();
                    let mut got = Vec::new();
                    read.prefixes(&text[start..], |v| got.push(v));
                    prop_assert_eq!(&got, &want, "{:?} at {}", text, start);
                    // And against the keys themselves.
                    let naive: Vec<u32> = (keys.iter().enumerate())
                        .filter(|(_, k)| text[start..].starts_with(k.as_str()))
                        .map(|(i, _)| i as u32)
                        .collect();
                    let mut sorted = got.clone();
                    sorted.sort_unstable();
                    prop_assert_eq!(sorted, naive);
                }
            }
        }
    }
}
