//! The matcher as bytes: build.rs writes the matcher of the default
//! gazetteer with [`Matcher::to_image`], the library reads it back with
//! [`Matcher::from_image`] (copies, no parsing, normalization or sorting),
//! so that a process with the default gazetteer does not build the tries.
//!
//! The layout, every integer little-endian: a magic and format version,
//! then each field of [`Matcher`] in declaration order; a vector is its
//! length (`u32`) and its items; a trie is a flag byte and, when present,
//! its length in bytes (`u32`) and [`Trie::serialize_to_vec`]'s bytes.
//! The fuzzy index is not in the image (the image is for runs without
//! `--fuzzy`).

use std::borrow::Cow;

use super::trie::Trie;

use super::{
    ENTRY_BYTES, Entry, Matcher, PatternEntries, StartFilter, U32s, WordFilter, nonword_first_bytes,
};
use crate::error::Error;

/// The first bytes of an image: a name and the format version.
const MAGIC: &[u8; 8] = b"alamimg2";

/// Writes the parts of an image (build.rs and the tests write images).
#[cfg_attr(not(test), allow(dead_code))]
struct Writer(Vec<u8>);

#[cfg_attr(not(test), allow(dead_code))]
impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn u32s(&mut self, items: impl ExactSizeIterator<Item = u32>) {
        self.len(items.len());
        for v in items {
            self.u32(v);
        }
    }

    fn filter(&mut self, f: &WordFilter) {
        self.u32(f.shift);
        self.len(f.words());
        self.0.extend_from_slice(&f.bits);
    }
}

/// Reads the parts of an image; every read checks the bytes are there.
struct Reader<'a>(&'a [u8]);

/// The error of a truncated or malformed image.
fn bad(what: &'static str) -> Error {
    Error::Build(crate::error::BuildError::MalformedImage(what))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.0.len() < n {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&mut self) -> Result<usize, Error> {
        Ok(self.u32()? as usize)
    }
}

impl Reader<'static> {
    /// A start filter, its table read where it lies.
    fn filter(&mut self) -> Result<WordFilter, Error> {
        let shift = self.u32()?;
        let n = self.len()?;
        let bits = self.take(n.checked_mul(8).ok_or_else(|| bad("length"))?)?;
        // A bit index is a hash shifted right by `shift`: the table holds
        // every index, or the filter would refuse words it holds.
        if shift >= 64 || (n as u64) << 6 != 1u64.checked_shl(64 - shift).unwrap_or(0) {
            return Err(bad("filter"));
        }
        Ok(WordFilter {
            bits: Cow::Borrowed(bits),
            shift,
        })
    }

    /// A length, then that many u32s, read where they lie.
    fn u32s_in_place(&mut self) -> Result<U32s, Error> {
        let n = self.len()?;
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| bad("length"))?)?;
        Ok(U32s(Cow::Borrowed(bytes)))
    }

    /// A trie, read where it lies (see `matcher/trie.rs`).
    fn trie(&mut self) -> Result<Option<Trie>, Error> {
        if self.take(1)?[0] == 0 {
            return Ok(None);
        }
        let n = self.len()?;
        let bytes = self.take(n)?;
        Trie::new(Cow::Borrowed(bytes))
            .map(Some)
            .ok_or_else(|| bad("trie length"))
    }
}

impl Matcher {
    /// The matcher as bytes (see the module). Panics on a fuzzy matcher,
    /// whose index the image does not hold: only build.rs calls this, on a
    /// matcher it built without.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn to_image(&self) -> Vec<u8> {
        assert!(self.fuzzy.is_none(), "the image holds no fuzzy index");
        let mut w = Writer(MAGIC.to_vec());
        for trie in &self.tries {
            match trie {
                None => w.0.push(0),
                Some(t) => {
                    w.0.push(1);
                    let bytes = t.as_bytes();
                    w.len(bytes.len());
                    w.0.extend_from_slice(bytes);
                }
            }
        }
        w.u32s(self.lengths.iter());
        w.u32s(self.nonword_first.iter().map(|&c| c as u32));
        w.filter(&self.starts.first);
        w.filter(&self.starts.single);
        w.filter(&self.starts.pairs);
        // The entries: each pattern's end (see `PatternEntries`), then the
        // number of entries and their records.
        w.u32s(self.entries.ends.iter());
        w.len(self.entries.records.len() / ENTRY_BYTES);
        w.0.extend_from_slice(&self.entries.records);
        w.u32s(self.letters.iter());
        w.u32s(self.country_of.iter());
        w.len(self.longest);
        w.0
    }

    /// Reads back what [`Matcher::to_image`] wrote.
    pub(crate) fn from_image(image: &'static [u8]) -> Result<Matcher, Error> {
        let mut r = Reader(image);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(bad("not an image of this version"));
        }
        let tries = [r.trie()?, r.trie()?];
        let lengths = r.u32s_in_place()?;
        let nonword_first: Vec<char> = (r.u32s_in_place()?.iter())
            .map(|c| char::from_u32(c).ok_or_else(|| bad("character")))
            .collect::<Result<_, _>>()?;
        let starts = StartFilter {
            first: r.filter()?,
            single: r.filter()?,
            pairs: r.filter()?,
        };
        let ends = r.u32s_in_place()?;
        let patterns = ends.len();
        let n = r.len()?;
        let records = r.take(n.checked_mul(ENTRY_BYTES).ok_or_else(|| bad("length"))?)?;
        // Each pattern's entries end where the next one's start, the last
        // at the last entry.
        let mut end = 0;
        for e in ends.iter() {
            if e < end {
                return Err(bad("entries"));
            }
            end = e;
        }
        if end as usize != n {
            return Err(bad("entries"));
        }
        let entries = PatternEntries {
            records: Cow::Borrowed(records),
            ends,
        };
        let letters = r.u32s_in_place()?;
        let country_of = r.u32s_in_place()?;
        let longest = r.len()?;
        if !r.0.is_empty() || lengths.len() != patterns || letters.len() != patterns {
            return Err(bad("sizes"));
        }
        // Every form code is known, and every entity has its item of
        // `country_of` (rule 8 reads it there): one pass over the records.
        for b in records.chunks_exact(ENTRY_BYTES) {
            let e = Entry::from_record(b).ok_or_else(|| bad("form"))?;
            if e.entity as usize >= country_of.len() {
                return Err(bad("entity"));
            }
        }
        Ok(Matcher {
            tries,
            lengths,
            nonword_first_bytes: nonword_first_bytes(&nonword_first),
            nonword_first,
            starts,
            entries,
            letters,
            country_of,
            longest,
            fuzzy: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::MATCHER_IMAGE;
    use crate::gazetteer::{Entity, Form, Gazetteer};

    /// The image compiled in is what the runtime path builds from the same
    /// files, byte for byte, and reads back to the same bytes.
    #[test]
    fn the_compiled_image_is_a_fresh_build_of_the_builtin_gazetteer() {
        let fresh = Matcher::new(Gazetteer::builtin().entities(), false).map(|m| m.to_image());
        assert!(fresh.as_ref().is_ok_and(|f| f == MATCHER_IMAGE));
        let back = Matcher::from_image(MATCHER_IMAGE).map(|m| m.to_image());
        assert!(back.is_ok_and(|b| b == MATCHER_IMAGE));
    }

    /// A small matcher with every kind of entry (lam spellings, demonyms,
    /// caps-only acronyms, a country link, a pattern that starts with a
    /// non-word character) survives the round trip.
    #[test]
    fn a_small_matcher_round_trips() {
        let mut fr = Entity::new("country:FR", "country", "France");
        fr.name_ar = Some("الفرنسا".to_string());
        fr.demonyms = vec!["French".to_string(), "فرنسي".to_string()];
        let mut un = Entity::new("org:UN", "organization", "United Nations");
        un.aliases = vec!["UN".to_string(), "(UN)".to_string()];
        let mut paris = Entity::new("city:paris", "city", "Paris");
        paris.country = Some("country:FR".to_string());
        let entities = [fr, un, paris];
        let built = Matcher::new(&entities, false).map(|m| m.to_image());
        let Ok(image) = built else {
            panic!("the matcher builds")
        };
        let back = Matcher::from_image(leak(&image));
        assert!(back.as_ref().is_ok_and(|m| m.to_image() == image));
        let Ok(back) = back else { return };
        assert_eq!(
            back.country_of.iter().collect::<Vec<_>>(),
            [u32::MAX, u32::MAX, 0]
        );
        assert!(back.nonword_first.contains(&'('));
        assert!(back.entries.all().any(|e| e.lam));
        assert!(back.entries.all().any(|e| e.caps_only));
        assert!(back.entries.all().any(|e| e.form == Form::Demonym));
    }

    /// Truncated, extended or foreign bytes are an error, not a panic.
    #[test]
    fn a_malformed_image_is_an_error() {
        let Ok(image) =
            Matcher::new(&[Entity::new("c:x", "city", "Xanadu")], false).map(|m| m.to_image())
        else {
            panic!("the matcher builds")
        };
        let mut longer = image.clone();
        longer.push(0);
        let mut foreign = image.clone();
        foreign[0] = b'X';
        let cases: [(&str, &[u8]); 5] = [
            ("empty", &[]),
            ("magic only", &image[..MAGIC.len()]),
            ("one byte short", &image[..image.len() - 1]),
            ("one byte more", &longer),
            ("another magic", &foreign),
        ];
        for (what, bytes) in cases {
            let err = Matcher::from_image(leak(bytes)).err();
            assert!(
                matches!(
                    err,
                    Some(Error::Build(crate::error::BuildError::MalformedImage(_)))
                ),
                "{what}: {err:?}"
            );
            let message = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.starts_with(
                    "cannot build the matcher: the built-in matcher image is malformed ("
                ),
                "{what}: {message}"
            );
        }
        assert!(Matcher::from_image(leak(&image)).is_ok());
        // An entry naming an entity past the last one (rule 8 would read
        // past `country_of`), a start filter whose table does not hold
        // every bit index, an unknown form code, entries that end
        // before the pattern's before them, and a last end short of the
        // entries.
        type Change = fn(&mut Matcher);
        let changes: [(&str, Change, &str); 5] = [
            ("entity", |m| m.entries.records.to_mut()[0] = 1, "entity"),
            (
                "a filter smaller than its hashes reach",
                |m| m.starts.pairs.shift -= 1,
                "filter",
            ),
            ("form", |m| m.entries.records.to_mut()[4] = 0x0F, "form"),
            (
                "ends backwards",
                |m| m.entries.ends = U32s::from_items([2, 1]),
                "entries",
            ),
            (
                "ends short",
                |m| m.entries.ends = U32s::from_items([0]),
                "entries",
            ),
        ];
        let two = [
            Entity::new("c:x", "city", "Xanadu"),
            Entity::new("c:y", "city", "Ys"),
        ];
        for (what, change, reason) in changes {
            let Ok(mut m) = Matcher::new(&two[..1], false) else {
                panic!("the matcher builds")
            };
            change(&mut m);
            let err = Matcher::from_image(leak(&m.to_image())).err();
            assert!(
                matches!(
                    err,
                    Some(Error::Build(crate::error::BuildError::MalformedImage(r))) if r == reason
                ),
                "{what}: {err:?}"
            );
        }
        // Two patterns, their entries as made: read back.
        let Ok(m) = Matcher::new(&two, false) else {
            panic!("the matcher builds")
        };
        assert!(Matcher::from_image(leak(&m.to_image())).is_ok());
    }

    /// A copy of `bytes` that lives as long as the built-in images do.
    fn leak(bytes: &[u8]) -> &'static [u8] {
        Box::leak(bytes.to_vec().into_boxed_slice())
    }

    /// Only the built-in gazetteer as loaded takes the image: every change
    /// sends it down the build path.
    #[test]
    fn only_the_untouched_builtin_gazetteer_is_pristine() {
        type Change = fn(&mut Gazetteer);
        let cases: [(&str, Change, bool); 6] = [
            ("as loaded", |_| {}, true),
            (
                "push",
                |g| g.push(Entity::new("c:x", "city", "Xanadu")),
                false,
            ),
            (
                "add_csv",
                |g| g.add_csv("x.csv", &b"id,type,name\n"[..]),
                false,
            ),
            ("extend", |g| g.extend(Gazetteer::new()), false),
            ("start_layer", Gazetteer::start_layer, false),
            ("clone", |g| *g = g.clone(), true),
        ];
        for (what, change, pristine) in cases {
            let mut gaz = Gazetteer::builtin();
            change(&mut gaz);
            assert_eq!(gaz.is_pristine_builtin(), pristine, "{what}");
        }
        assert!(!Gazetteer::new().is_pristine_builtin());
        let layered = Gazetteer::layered(None, &[]);
        assert!(layered.is_ok_and(|g| g.is_pristine_builtin()));
    }
}
