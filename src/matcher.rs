//! Matching and resolution (SPEC section 4).
//!
//! The rules are documented on [`crate::Pipeline`], where `cargo doc` shows them.

use std::cmp::Reverse;
use std::ops::Range;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{BuildError, Error};
use crate::gazetteer::Entity;
use crate::normalize::{Normalized, OffsetCursor, is_word_char, normalize_str};
use trie::Trie;

// Paths spelled out: build.rs includes this file by `#[path]`.
#[path = "matcher/fuzzy.rs"]
pub(crate) mod fuzzy;
#[path = "matcher/image.rs"]
mod image;
#[path = "matcher/trie.rs"]
mod trie;
#[path = "matcher/words.rs"]
pub(crate) mod words;
pub(crate) use fuzzy::FuzzyTrace;
use fuzzy::{FuzzyIndex, is_arabic};
use words::WordBits;

pub use crate::gazetteer::Form;

/// Arabic suffixes a demonym ending in ي takes (normalized: ة is ه).
const DEMONYM_SUFFIXES_AR: &[&str] = &["ه", "ون", "ين", "ان", "ات", "تان", "تين"];

/// Prefixes after which an alias that began with ال is written with ل
/// (`ProcliticState::Lam`; this list is its definition in the tests).
#[cfg(test)]
const LAM_PREFIXES: &[&str] = &["ل", "ول", "فل"];

/// One way a pattern names an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    entity: u32,
    form: Form,
    /// Matches only text written in capitals.
    caps_only: bool,
    /// The ل-for-ال spelling; valid only after ل, ول or فل.
    lam: bool,
    /// May follow a prefix that holds the article (ال, لل): demonyms,
    /// and the strong forms of entities whose type is not one of
    /// [`NO_ARTICLE_KINDS`].
    article: bool,
}

/// The code of each form in an entry's record (its index here).
const FORMS: [Form; 7] = [
    Form::Name,
    Form::Alias,
    Form::Demonym,
    Form::Weak,
    Form::Fuzzy,
    Form::Discovered,
    Form::DiscoveredWeak,
];

/// The bytes of an [`Entry`] in [`PatternEntries`].
const ENTRY_BYTES: usize = 5;

impl Entry {
    /// Its record: the entity (`u32`, little-endian), then a byte of the
    /// form's code (the low 4 bits, see [`FORMS`]) and the flags
    /// `caps_only`, `lam` and `article` (bits 4, 5 and 6).
    fn record(&self) -> [u8; ENTRY_BYTES] {
        let form = FORMS.iter().position(|&f| f == self.form).unwrap_or(0) as u8;
        let [a, b, c, d] = self.entity.to_le_bytes();
        let code = form
            | u8::from(self.caps_only) << 4
            | u8::from(self.lam) << 5
            | u8::from(self.article) << 6;
        [a, b, c, d, code]
    }

    /// The entry of a record (`ENTRY_BYTES` bytes); `None` for an unknown
    /// form code.
    fn from_record(b: &[u8]) -> Option<Entry> {
        let code = b[4];
        Some(Entry {
            entity: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            form: *FORMS.get(usize::from(code & 0x0F))?,
            caps_only: code & 1 << 4 != 0,
            lam: code & 1 << 5 != 0,
            article: code & 1 << 6 != 0,
        })
    }
}

/// The entries of every pattern, as records of [`ENTRY_BYTES`] one after
/// another (built, or borrowed from the image compiled in, where it lies:
/// decoding the built-in matcher's 200,000 entries into a vector was a
/// third of the page faults of every start): pattern `id`'s are records
/// `ends[id - 1]..ends[id]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct PatternEntries {
    records: std::borrow::Cow<'static, [u8]>,
    ends: U32s,
}

/// The entries of one pattern (see [`PatternEntries::get`]).
#[derive(Clone, Copy)]
struct EntryList<'a>(&'a [u8]);

impl<'a> EntryList<'a> {
    /// The number of entries.
    fn len(&self) -> usize {
        self.0.len() / ENTRY_BYTES
    }

    /// Entry `k` (`k < len()`).
    fn at(&self, k: usize) -> Entry {
        let r = &self.0[k * ENTRY_BYTES..(k + 1) * ENTRY_BYTES];
        // Every record's form code was checked when the entries were
        // made or read.
        Entry::from_record(r).unwrap_or(Entry {
            entity: u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
            form: Form::Name,
            caps_only: false,
            lam: false,
            article: false,
        })
    }

    /// The entries, in order.
    fn iter(self) -> impl Iterator<Item = Entry> + 'a {
        (0..self.len()).map(move |k| self.at(k))
    }
}

impl PatternEntries {
    /// The entries of `lists[id]` for each pattern `id`.
    fn from_lists(lists: &[Vec<Entry>]) -> PatternEntries {
        let total: usize = lists.iter().map(Vec::len).sum();
        let mut records = Vec::with_capacity(total * ENTRY_BYTES);
        let ends = U32s::from_items(lists.iter().map(|list| {
            for e in list {
                records.extend_from_slice(&e.record());
            }
            // Entries are at most a few per alias: u32 holds them.
            u32::try_from(records.len() / ENTRY_BYTES).unwrap_or(u32::MAX)
        }));
        PatternEntries {
            records: records.into(),
            ends,
        }
    }

    /// The number of patterns.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The entries of pattern `id` (none for an id past the last).
    fn get(&self, id: usize) -> EntryList<'_> {
        if id >= self.ends.len() {
            return EntryList(&[]);
        }
        let start = if id == 0 { 0 } else { self.ends.at(id - 1) };
        let (start, end) = (start as usize, self.ends.at(id) as usize);
        EntryList(&self.records[start * ENTRY_BYTES..end * ENTRY_BYTES])
    }

    /// Every entry, in order.
    #[cfg(test)]
    fn all(&self) -> impl Iterator<Item = Entry> + '_ {
        EntryList(&self.records).iter()
    }
}

/// An array of `u32`s as little-endian bytes: built by [`Matcher::new`]
/// or borrowed from the image compiled in, where it lies (copying the
/// image's three arrays of one item per pattern or entity into vectors
/// was a third of the page faults of every start).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct U32s(std::borrow::Cow<'static, [u8]>);

impl U32s {
    /// The items of `items`, in order.
    fn from_items(items: impl IntoIterator<Item = u32>) -> U32s {
        U32s(items.into_iter().flat_map(u32::to_le_bytes).collect())
    }

    /// The number of items.
    fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// Item `i`; panics past the end, as indexing a slice does (the
    /// matcher's ids are checked against the lengths when it is made).
    fn at(&self, i: usize) -> u32 {
        let b = &self.0[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The items, in order.
    fn iter(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.0
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The item of [`Matcher`]'s `country_of` for an entity without a related
/// country.
const NO_COUNTRY: u32 = u32::MAX;

/// Entity types whose strong forms take the article only where the form
/// itself begins with it (السيول is not سيول, Seoul): places and people.
const NO_ARTICLE_KINDS: &[&str] = &["person", "country", "city", "region", "place", "location"];

/// Whether a form of an entity of type `kind` may follow a prefix that
/// holds the article.
fn takes_article(kind: &str, form: Form) -> bool {
    match form {
        Form::Demonym => true,
        Form::Weak | Form::DiscoveredWeak => false,
        Form::Name | Form::Alias | Form::Fuzzy | Form::Discovered => !NO_ARTICLE_KINDS
            .iter()
            .any(|k| kind.eq_ignore_ascii_case(k)),
    }
}

/// How many letters of a form must remain after a prefix that ends with
/// ك (ك، وك، فك): كمصر and كسرت are rarely "like Egypt" and "like Sirte"
/// (see the README).
const KAF_MIN_LETTERS: usize = 5;

/// A resolved match, in byte offsets of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// The matched name, proclitics excluded.
    pub span: Range<usize>,
    /// The proclitic prefix before the name (empty when none).
    pub prefix: Range<usize>,
    /// Index of the chosen entity in the gazetteer.
    pub entity: usize,
    /// The kind of form that matched.
    pub form: Form,
    /// Whether the choice among several entities fell back to the
    /// first-listed one.
    pub ambiguous: bool,
    /// The other entities the same form names, in gazetteer order.
    pub alternatives: Vec<usize>,
    /// For a fuzzy mention, the pattern it is one edit away from (see
    /// [`Matcher::written_form`]).
    pub matched: Option<u32>,
}

/// A set of word hashes that may answer yes for a word it does not hold
/// (a Bloom filter with one hash): a bit table with at least 16 bits per
/// word, so that about one word in 16 that is not there gets through.
/// Small enough to stay in cache, unlike a hash set of the words.
#[derive(Clone, Debug)]
struct WordFilter {
    /// The bit table, bit `k` in bit `k % 8` of byte `k / 8` (the bytes of
    /// little-endian `u64`s): built, or borrowed from the image compiled
    /// in, where it lies (copying the three filters was 90 page faults of
    /// every start).
    bits: std::borrow::Cow<'static, [u8]>,
    /// How far a hash is shifted right to give a bit index.
    shift: u32,
}

impl WordFilter {
    fn new(hashes: impl ExactSizeIterator<Item = u64>) -> WordFilter {
        let wanted = (hashes.len().max(1) * 16).next_power_of_two().max(64);
        let shift = 64 - wanted.trailing_zeros();
        let mut bits = vec![0u8; wanted / 8];
        for h in hashes {
            let at = (h >> shift) as usize;
            bits[at / 8] |= 1 << (at % 8);
        }
        WordFilter {
            bits: bits.into(),
            shift,
        }
    }

    #[inline(always)]
    fn may_contain(&self, hash: u64) -> bool {
        let at = (hash >> self.shift) as usize;
        self.bits
            .get(at / 8)
            .is_some_and(|b| b & (1 << (at % 8)) != 0)
    }

    /// The size of the table in `u64` words.
    fn words(&self) -> usize {
        self.bits.len() / 8
    }
}

/// The hash of a word, for [`StartFilter`].
pub(crate) fn hash_word(word: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = FxBuildHasher.build_hasher();
    h.write(word);
    h.finish()
}

/// The hash of two words' hashes, for [`StartFilter`].
fn hash_pair(first: u64, second: u64) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher.hash_one((first, second))
}

/// Where a walk of the trie may find a name, from the words of the text
/// (see [`Matcher::walk`]): the patterns' first words (their leading runs
/// of word characters), the first words of the patterns that have no
/// other word, and the first two words of those that do.
#[derive(Clone, Debug)]
struct StartFilter {
    first: WordFilter,
    single: WordFilter,
    pairs: WordFilter,
}

impl StartFilter {
    fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> StartFilter {
        let (mut first, mut single, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
        for p in patterns {
            let first_end = p.find(|c: char| !is_word_char(c)).unwrap_or(p.len());
            if first_end == 0 {
                // Walked from its first character (`nonword_first`).
                continue;
            }
            let h = hash_word(&p.as_bytes()[..first_end]);
            first.push(h);
            let rest = &p[first_end..];
            match rest.find(is_word_char) {
                Some(at) => {
                    let second = &rest[at..];
                    let end = second
                        .find(|c: char| !is_word_char(c))
                        .unwrap_or(second.len());
                    pairs.push(hash_pair(h, hash_word(&second.as_bytes()[..end])));
                }
                None => single.push(h),
            }
        }
        // Sized by the distinct words: many patterns share a first word
        // (24,167 first words and 111,266 pairs of the 140,454 patterns
        // of the default gazetteer), and a filter sized by the patterns
        // would be mostly empty and larger than the cache.
        let distinct = |mut hashes: Vec<u64>| {
            hashes.sort_unstable();
            hashes.dedup();
            WordFilter::new(hashes.into_iter())
        };
        StartFilter {
            first: distinct(first),
            single: distinct(single),
            pairs: distinct(pairs),
        }
    }

    /// Whether a name may start with the word `text[start..end]`; the
    /// text's words are `words`.
    #[inline(always)]
    fn may_start(&self, text: &[u8], words: &WordBits, start: usize, end: usize) -> bool {
        let first = hash_word(&text[start..end]);
        // Most words are no pattern's first word: that check stays inline.
        self.first.may_contain(first) && self.may_continue(first, text, words, end)
    }

    /// The rest of [`StartFilter::may_start`], for a first word that ends
    /// at `end`.
    #[inline(never)]
    fn may_continue(&self, first: u64, text: &[u8], words: &WordBits, end: usize) -> bool {
        if self.single.may_contain(first) {
            return true;
        }
        let Some(at) = words.next_word(end) else {
            return false;
        };
        let second = hash_word(&text[at..words.word_end(at)]);
        self.pairs.may_contain(hash_pair(first, second))
    }
}

/// Where a reading of the start of a word is in the proclitic grammar
/// `{و ف}? ( {ب ك ل}? ال? | لل )`, one letter at a time (the same
/// language as [`is_proclitic`], at most four letters long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProcliticState {
    /// Nothing read.
    Start,
    /// و or ف.
    Conjunction,
    /// The preposition ب (after an optional conjunction).
    Preposition,
    /// The preposition ك (after an optional conjunction).
    Kaf,
    /// The preposition ل (which may begin لل).
    Lam,
    /// The ا of the article.
    Alef,
    /// The whole article ال, or لل: nothing may follow.
    Article,
}

impl ProcliticState {
    /// The state after the two-byte character `lead second`, or `None`
    /// when no proclitic prefix goes on with it.
    #[inline(always)]
    fn after(self, lead: u8, second: u8) -> Option<ProcliticState> {
        use ProcliticState::*;
        // و ف ب ك ل ا, as UTF-8.
        let letter = match (lead, second) {
            (0xD9, 0x88) | (0xD9, 0x81) => 'و',
            (0xD8, 0xA8) => 'ب',
            (0xD9, 0x83) => 'ك',
            (0xD9, 0x84) => 'ل',
            (0xD8, 0xA7) => 'ا',
            _ => return None,
        };
        match (self, letter) {
            (Start, 'و') => Some(Conjunction),
            (Start | Conjunction, 'ب') => Some(Preposition),
            (Start | Conjunction, 'ك') => Some(Kaf),
            (Start | Conjunction, 'ل') => Some(Lam),
            (Start | Conjunction | Preposition | Kaf | Lam, 'ا') => Some(Alef),
            (Lam, 'ل') | (Alef, 'ل') => Some(Article),
            _ => None,
        }
    }

    /// Whether the prefix read so far is ل, ول or فل, after which an alias
    /// that began with ال is written with ل (للكويت).
    fn allows_lam(self) -> bool {
        self == ProcliticState::Lam
    }

    /// Whether the prefix read so far holds the article (ends with ال, or
    /// is ل + the article written لل).
    fn has_article(self) -> bool {
        self == ProcliticState::Article
    }

    /// Whether the prefix read so far ends with ك (ك, وك, فك): the form
    /// after it needs [`KAF_MIN_LETTERS`] letters.
    fn ends_with_kaf(self) -> bool {
        self == ProcliticState::Kaf
    }

    /// Whether what was read is a whole proclitic prefix.
    fn is_prefix(self) -> bool {
        !matches!(self, ProcliticState::Start | ProcliticState::Alef)
    }
}

/// Which of the two tries holds the patterns that begin with the byte `b`:
/// 0 for U+0600–U+06FF (lead bytes D8–DB), 1 for the rest. Two tries are
/// built at once, on two threads, in half the time of one.
fn trie_index(b: u8) -> usize {
    usize::from(!(0xD8..=0xDB).contains(&b))
}

/// Which bytes begin (in UTF-8) one of `chars`.
fn nonword_first_bytes(chars: &[char]) -> [bool; 256] {
    let mut bytes = [false; 256];
    for c in chars {
        let mut utf8 = [0; 4];
        bytes[usize::from(c.encode_utf8(&mut utf8).as_bytes()[0])] = true;
    }
    bytes
}

/// The compiled tries and what each pattern means.
pub(crate) struct Matcher {
    /// Every pattern, its id as value, in the trie [`trie_index`] gives
    /// for its first byte; `None` for a trie without patterns.
    tries: [Option<Trie>; 2],
    /// For each pattern id, its length in bytes.
    lengths: U32s,
    /// The non-word characters some pattern begins with (sorted): a walk
    /// starts at each of them too.
    nonword_first: Vec<char>,
    /// The first bytes of `nonword_first`'s characters in UTF-8.
    nonword_first_bytes: [bool; 256],
    /// Which words a name may start with, see [`Matcher::walk`].
    starts: StartFilter,
    /// For each pattern id, the entities it names.
    entries: PatternEntries,
    /// For each pattern id, its number of word characters.
    letters: U32s,
    /// For each entity, the index of its related country, or
    /// [`NO_COUNTRY`].
    country_of: U32s,
    /// The length in bytes of the longest pattern.
    longest: usize,
    /// The index of rule 9, when fuzzy matching is on.
    fuzzy: Option<FuzzyIndex>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("patterns", &self.entries.len())
            .field(
                "heap_bytes",
                &self
                    .tries
                    .iter()
                    .flatten()
                    .map(|t| t.as_bytes().len())
                    .sum::<usize>(),
            )
            .finish()
    }
}

/// A candidate occurrence in normalized byte offsets.
pub(crate) struct Candidate {
    /// Start of the word (the prefix start).
    word: usize,
    /// Start of the name.
    start: usize,
    end: usize,
    entries: Vec<Entry>,
    /// Original byte range of the name.
    orig: Range<usize>,
    /// Original byte start of the prefix.
    orig_word: usize,
    /// Length of the name in original characters.
    chars: usize,
    /// For a fuzzy candidate (rule 9), the pattern it is one edit from.
    fuzzy: Option<u32>,
}

/// The text a candidate is read in ([`Matcher::candidate`]): the original,
/// its normalized form, and two cursors over the offset map between them,
/// one for the names and one for their proclitic prefixes. The walk
/// visits names and prefixes each in increasing order of start, which a
/// cursor maps without a search (a range that goes back is searched for,
/// with the same result).
struct CandidateText<'a> {
    original: &'a str,
    norm: &'a Normalized,
    names: OffsetCursor<'a>,
    prefixes: OffsetCursor<'a>,
}

impl<'a> CandidateText<'a> {
    fn new(original: &'a str, norm: &'a Normalized) -> CandidateText<'a> {
        CandidateText {
            original,
            norm,
            names: norm.cursor(),
            prefixes: norm.cursor(),
        }
    }
}

/// The bytes of the mentions kept so far by rule 6, a bit each (from the
/// first byte a candidate covers to the last): a candidate overlaps a kept
/// mention exactly when one of its bytes is taken. For example, with
/// `10..20` taken, `15..25` and `19..20` overlap it and `20..30` does not.
/// (A `BTreeMap` of the kept ranges, searched for the last one starting
/// before a candidate's end, told the same; its search and insertion were
/// the larger part of rule 6.)
struct TakenBytes {
    /// The byte of bit 0.
    from: usize,
    bits: Vec<u64>,
}

impl TakenBytes {
    /// Nothing taken, with room for the bytes of `candidates`.
    fn for_candidates(candidates: &[Candidate]) -> TakenBytes {
        let from = candidates.iter().map(|c| c.word).min().unwrap_or(0);
        let to = candidates.iter().map(|c| c.end).max().unwrap_or(from);
        TakenBytes::new(from..to)
    }

    /// Nothing taken, with room for the bytes of `bytes`.
    fn new(bytes: Range<usize>) -> TakenBytes {
        TakenBytes {
            from: bytes.start,
            bits: vec![0; bytes.len().div_ceil(64)],
        }
    }

    /// Takes the bytes of `range` (of the candidates the set was made
    /// for) if none of them is taken; whether it did.
    fn take(&mut self, range: Range<usize>) -> bool {
        // A candidate is never empty: its pattern has a letter at least.
        debug_assert!(range.start < range.end);
        let (start, end) = (range.start - self.from, range.end - self.from);
        if start >= end {
            return true;
        }
        // The words of the range, each with the mask of its bits in it.
        let masks = || {
            (start / 64..=(end - 1) / 64).map(move |w| {
                let lo = if w == start / 64 { start % 64 } else { 0 };
                let hi = if w == (end - 1) / 64 {
                    (end - 1) % 64
                } else {
                    63
                };
                (w, (u64::MAX >> (63 - hi)) & (u64::MAX << lo))
            })
        };
        if masks().any(|(w, mask)| self.bits[w] & mask != 0) {
            return false;
        }
        for (w, mask) in masks() {
            self.bits[w] |= mask;
        }
        true
    }
}

impl Matcher {
    /// Compiles every form of every entity; with `fuzzy`, also the index
    /// of rule 9.
    pub fn new(entities: &[Entity], fuzzy: bool) -> Result<Matcher, Error> {
        let mut ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut entries: Vec<Vec<Entry>> = Vec::new();
        // For rule 9: the first strong form as written that gave each
        // pattern.
        let mut written: Vec<(u32, &str)> = Vec::new();
        let mut add = |pattern: String, entry: Entry| -> u32 {
            let id = match ids.get(pattern.as_str()) {
                Some(&id) => id,
                None => {
                    ids.insert(pattern.clone(), patterns.len());
                    patterns.push(pattern);
                    entries.push(Vec::new());
                    patterns.len() - 1
                }
            };
            let list = &mut entries[id];
            let same = |e: &&mut Entry| {
                e.entity == entry.entity
                    && e.lam == entry.lam
                    && e.caps_only == entry.caps_only
                    && e.article == entry.article
            };
            match list.iter_mut().find(|e| same(e)) {
                Some(e) => e.form = e.form.min(entry.form),
                None => list.push(entry),
            }
            id as u32
        };
        for (index, entity) in entities.iter().enumerate() {
            let entity_index =
                u32::try_from(index).map_err(|_| Error::Build(BuildError::TooManyEntities))?;
            for (form_text, form) in entity.forms() {
                let caps_only = is_caps_acronym(form_text);
                for pattern in expand(form_text, form) {
                    let lam = lam_variant(&pattern);
                    let entry = Entry {
                        entity: entity_index,
                        form,
                        caps_only,
                        lam: false,
                        article: takes_article(&entity.kind, form),
                    };
                    let id = add(pattern, entry);
                    // Demonyms are indexed too, to refuse the words one
                    // edit from them (inflected adjectives).
                    let strong =
                        matches!(form, Form::Name | Form::Alias | Form::Demonym) && !caps_only;
                    if fuzzy && strong {
                        written.push((id, form_text));
                    }
                    if let Some(lam) = lam {
                        let id = add(lam, Entry { lam: true, ..entry });
                        if fuzzy && strong {
                            written.push((id, form_text));
                        }
                    }
                }
            }
        }
        // Each trie takes its keys sorted; each keeps its id as its value.
        let first_byte = |id: u32| {
            patterns[id as usize]
                .as_bytes()
                .first()
                .copied()
                .unwrap_or(0)
        };
        let (arabic, other): (Vec<u32>, Vec<u32>) =
            (0..patterns.len() as u32).partition(|&id| trie_index(first_byte(id)) == 0);
        let build = |mut ids: Vec<u32>| -> Result<Option<Trie>, Error> {
            if ids.is_empty() {
                return Ok(None);
            }
            ids.sort_unstable_by(|&a, &b| patterns[a as usize].cmp(&patterns[b as usize]));
            let records = ids.iter().map(|&id| (patterns[id as usize].as_str(), id));
            Trie::from_records(records)
                .map(Some)
                .map_err(|e| Error::Build(BuildError::Trie(e)))
        };
        let (arabic, other) = std::thread::scope(|scope| {
            let arabic = scope.spawn(|| build(arabic));
            let other = build(other);
            let arabic = arabic
                .join()
                .unwrap_or_else(|_| Err(Error::Build(BuildError::TrieThread)));
            (arabic, other)
        });
        let tries = [arabic?, other?];
        let lengths = U32s::from_items(
            patterns
                .iter()
                .map(|p| u32::try_from(p.len()).unwrap_or(u32::MAX)),
        );
        let longest = lengths.iter().max().unwrap_or(0) as usize;
        let mut nonword_first: Vec<char> = patterns
            .iter()
            .filter_map(|p| p.chars().next())
            .filter(|&c| !is_word_char(c))
            .collect();
        nonword_first.sort_unstable();
        nonword_first.dedup();
        let letters = U32s::from_items(patterns.iter().map(|p| {
            let n = p.chars().filter(|&c| is_word_char(c)).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        }));
        let index: FxHashMap<&str, u32> = entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i as u32))
            .collect();
        let country_of = U32s::from_items(entities.iter().map(|e| {
            e.country
                .as_deref()
                .and_then(|c| index.get(c).copied())
                .unwrap_or(NO_COUNTRY)
        }));
        let starts = StartFilter::new(patterns.iter().map(String::as_str));
        let fuzzy = fuzzy.then(|| {
            // The strong one-word forms (every character a word
            // character); a pattern all of whose entries are the
            // ل-for-ال spelling counts its letters from after the ل.
            let one_word = written.into_iter().filter_map(|(id, form)| {
                let p = patterns[id as usize].as_str();
                let list = &entries[id as usize];
                let lam = list.iter().all(|e| e.lam);
                let demonym = list.iter().any(|e| e.form == Form::Demonym);
                p.chars()
                    .all(|c| is_word_char(c) && !c.is_ascii_digit())
                    .then_some((id, p, form, lam, demonym))
            });
            FuzzyIndex::new(one_word, patterns.len())
        });
        Ok(Matcher {
            tries,
            lengths,
            nonword_first_bytes: nonword_first_bytes(&nonword_first),
            nonword_first,
            starts,
            entries: PatternEntries::from_lists(&entries),
            letters,
            country_of,
            longest,
            fuzzy,
        })
    }

    /// Counts the raw trie matches in already-normalized text: the walks
    /// alone, with no rule but where they start (the floor of benchmarks).
    pub fn count_raw(&self, normalized: &str) -> usize {
        let mut count = 0;
        self.walk(normalized, &WordBits::new(normalized), |_, _, _, _| {
            count += 1
        });
        count
    }

    /// Walks the trie from every place a name can start, and calls
    /// `visit(word, start, pattern, prefix)` for every pattern found there,
    /// `prefix` being where `text[word..start]` left the proclitic grammar: at a
    /// word start (`word == start`), after a proclitic prefix of at most
    /// four letters at the start of the word `word`, and, for the patterns
    /// that begin with a non-word character, at that character.
    ///
    /// A name that starts at a place ends its first word where the text's
    /// word does (rule 3, or the non-word character that follows the first
    /// word of a longer name): so the rest of the text's word, from the
    /// place on, must be the first word of some pattern; and if no pattern
    /// is that word alone, the text's next word must be the second word of
    /// a pattern that begins with it (a name's inner words end where the
    /// text's do, for the same reason). That is checked first, by hashes
    /// (`starts`), and most walks are never made; a hash that collides only
    /// costs a walk.
    fn walk(
        &self,
        text: &str,
        words: &WordBits,
        mut visit: impl FnMut(usize, usize, u32, ProcliticState),
    ) {
        let bytes = text.as_bytes();
        let mut walk_from = |word: usize, start: usize, prefix: ProcliticState| {
            let Some(trie) = &self.tries[trie_index(bytes[start])] else {
                return;
            };
            trie.prefixes(&text[start..], |pattern| {
                visit(word, start, pattern, prefix)
            });
        };
        let mut i = 0;
        loop {
            let next = words.next_word(i);
            // The characters between the words that some pattern begins
            // with (rare: only their lead bytes are looked at first).
            if !self.nonword_first.is_empty() {
                let gap = &bytes[i..next.unwrap_or(bytes.len())];
                for (k, &b) in gap.iter().enumerate() {
                    // Rule 1 for them: not right after a word character
                    // (.net is not in asp.net); the gap starts right
                    // after the previous word.
                    if (k > 0 || i == 0)
                        && self.nonword_first_bytes[usize::from(b)]
                        && text[i + k..]
                            .chars()
                            .next()
                            .is_some_and(|c| self.nonword_first.binary_search(&c).is_ok())
                    {
                        walk_from(i + k, i + k, ProcliticState::Start);
                    }
                }
            }
            let Some(word) = next else {
                break;
            };
            let end = words.word_end(word);
            if self.starts.may_start(bytes, words, word, end) {
                walk_from(word, word, ProcliticState::Start);
            }
            // After each proclitic prefix the word starts with, if a word
            // character follows it.
            let mut state = ProcliticState::Start;
            let mut j = word;
            while j + 1 < end {
                let Some(next) = state.after(bytes[j], bytes[j + 1]) else {
                    break;
                };
                state = next;
                j += 2;
                if state.is_prefix() && j < end && self.starts.may_start(bytes, words, j, end) {
                    walk_from(word, j, state);
                }
            }
            i = end;
        }
    }

    /// Finds and resolves the mentions of one document.
    pub fn find(&self, original: &str, norm: &Normalized) -> Vec<Found> {
        let candidates = self.candidates(original, norm);
        let mut strong = Vec::new();
        strong_entities(&candidates, &mut strong);
        let kept = self.keep(candidates, &strong);
        let mut unambiguous = Vec::new();
        unambiguous_entities(&kept, &mut unambiguous);
        self.choose(kept, &unambiguous)
    }

    /// The first stage of [`Matcher::find`], which depends on nothing
    /// outside the text: the candidates of rules 1 to 4 and the first half
    /// of rule 5 (a strong full word hides the proclitic readings of its
    /// word). A document analyzed in pieces (see `crate::pipeline`) runs
    /// each stage on every piece, and gives the next stage what the
    /// document as a whole says: [`strong_entities`], then
    /// [`unambiguous_entities`].
    pub(crate) fn candidates(&self, original: &str, norm: &Normalized) -> Vec<Candidate> {
        let mut candidates = self.candidates_exact(original, norm);
        if self.fuzzy.is_some() {
            let found = self.fuzzy_candidates(original, norm, &candidates, None);
            candidates.extend(found);
        }
        candidates
    }

    /// [`Matcher::candidates`] without rule 9.
    pub(crate) fn candidates_exact(&self, original: &str, norm: &Normalized) -> Vec<Candidate> {
        let text = norm.as_str();
        let mut candidates = Vec::new();
        let mut at = CandidateText::new(original, norm);
        self.walk(text, norm.word_bits(), |word, start, pattern, prefix| {
            let end = start + self.lengths.at(pattern as usize) as usize;
            let pattern = pattern as usize;
            if let Some(c) = self.candidate(&mut at, pattern, prefix, word, start, end) {
                candidates.push(c);
            }
        });
        // Rule 5: full word first; a weak full word only where it counts.
        // First the strong full words hide the proclitic readings of
        // their words; the entities named strongly by what is left are
        // those whose weak forms count (rule 7); then the weak full words
        // that count hide the proclitic readings of theirs.
        let mut full_words: Vec<usize> = candidates
            .iter()
            .filter(|c| c.word == c.start && is_strong(c))
            .map(|c| c.word)
            .collect();
        full_words.sort_unstable();
        candidates.retain(|c| c.word == c.start || full_words.binary_search(&c.word).is_err());
        candidates
    }

    /// The letters of pattern `id` as the index of rule 9 holds them.
    pub(crate) fn pattern_letters(&self, id: u32) -> &[char] {
        self.fuzzy.as_ref().map_or(&[], |f| f.letters(id))
    }

    /// The entities pattern `id` names, each once.
    pub(crate) fn pattern_entities(&self, id: u32) -> impl Iterator<Item = usize> + '_ {
        let list = self.entries.get(id as usize);
        list.iter()
            .enumerate()
            .filter(move |(k, e)| (0..*k).all(|p| list.at(p).entity != e.entity))
            .map(|(_, e)| e.entity as usize)
    }

    /// The second stage of [`Matcher::find`]: the rest of rule 5, rules 6
    /// and 7, given the entities with a strong candidate anywhere in the
    /// document (sorted). The mentions kept, sorted by start.
    pub(crate) fn keep(&self, mut candidates: Vec<Candidate>, strong: &[u32]) -> Vec<Candidate> {
        let counts = |c: &Candidate| c.entries.iter().any(|e| entry_counts(e, strong));
        let mut weak_full_words: Vec<usize> = candidates
            .iter()
            .filter(|c| c.word == c.start && !is_strong(c) && counts(c))
            .map(|c| c.word)
            .collect();
        if !weak_full_words.is_empty() {
            weak_full_words.sort_unstable();
            candidates
                .retain(|c| c.word == c.start || weak_full_words.binary_search(&c.word).is_err());
        }
        // A weak form that does not count gives way to a candidate that
        // does on the same text, prefix included (rule 7): السوداني, a
        // weak form of a person, is ال + the demonym سوداني.
        if candidates.iter().any(|c| !counts(c)) {
            let mut counting: Vec<(usize, usize)> = candidates
                .iter()
                .filter(|c| counts(c))
                .map(|c| (c.word, c.end))
                .collect();
            counting.sort_unstable();
            candidates.retain(|c| counts(c) || counting.binary_search(&(c.word, c.end)).is_err());
        }
        // Rule 6: longest, then leftmost; no overlaps. The candidates are
        // offered in that order by their keys, sorted in place of the
        // candidates themselves (which are larger); (word, start, end)
        // tells candidates apart, so the order is the one there is. Those
        // kept stay in the order they came in: the mentions are sorted by
        // start below, and kept mentions never share a start.
        let mut order: Vec<(Reverse<usize>, usize, usize, usize, usize)> = (candidates.iter())
            .enumerate()
            .map(|(k, c)| (Reverse(c.chars), c.start, c.word, c.end, k))
            .collect();
        order.sort_unstable();
        let mut taken = TakenBytes::for_candidates(&candidates);
        let mut is_kept = vec![false; candidates.len()];
        for &(_, _, word, end, k) in &order {
            is_kept[k] = taken.take(word..end);
        }
        let mut flags = is_kept.into_iter();
        let mut kept = candidates;
        kept.retain(|_| flags.next().unwrap_or(false));
        // Rule 7: weak forms need a strong candidate of the same entity;
        // an unsupported weak form still covered its text above. Where a
        // text is a strong form of one entity, weak forms of others on it
        // do not count.
        for c in &mut kept {
            c.entries.retain(|e| entry_counts(e, strong));
            if c.entries.iter().any(|e| e.form != Form::Weak) {
                c.entries.retain(|e| e.form != Form::Weak);
            }
        }
        kept.retain(|c| !c.entries.is_empty());
        kept.sort_by_key(|c| c.start);
        kept
    }

    /// The last stage of [`Matcher::find`], rule 8, given the entities
    /// with an unambiguous strong mention anywhere in the document
    /// (sorted).
    pub(crate) fn choose(&self, kept: Vec<Candidate>, unambiguous: &[u32]) -> Vec<Found> {
        kept.into_iter()
            .map(|c| {
                let is_supported = |e: &&Entry| unambiguous.binary_search(&e.entity).is_ok();
                let by_its_country = |e: &&Entry| {
                    let k = self.country_of.at(e.entity as usize);
                    k != NO_COUNTRY && unambiguous.binary_search(&k).is_ok()
                };
                let supported = c.entries.iter().filter(is_supported).count();
                let by_country = c.entries.iter().filter(by_its_country).count();
                let (chosen, ambiguous) = if c.entries.len() == 1 {
                    (c.entries[0], false)
                } else if supported > 0 {
                    let chosen = first_listed(c.entries.iter().filter(is_supported));
                    (chosen, supported > 1)
                } else if by_country > 0 {
                    let chosen = first_listed(c.entries.iter().filter(by_its_country));
                    (chosen, by_country > 1)
                } else {
                    (first_listed(c.entries.iter()), true)
                };
                let mut alternatives: Vec<usize> = c
                    .entries
                    .iter()
                    .filter(|e| e.entity != chosen.entity)
                    .map(|e| e.entity as usize)
                    .collect();
                alternatives.sort_unstable();
                Found {
                    span: c.orig.clone(),
                    prefix: c.orig_word..c.orig.start,
                    entity: chosen.entity as usize,
                    form: chosen.form,
                    ambiguous,
                    alternatives,
                    matched: c.fuzzy,
                }
            })
            .collect()
    }

    /// The form as written in the gazetteer that gave pattern `id`, for a
    /// fuzzy mention's `matched` (empty when fuzzy matching is off).
    pub(crate) fn written_form(&self, id: u32) -> &str {
        self.fuzzy
            .as_ref()
            .and_then(|f| f.written.get(id as usize))
            .map_or("", |w| w)
    }

    /// Whether the index of rule 9 was built.
    pub(crate) fn is_fuzzy(&self) -> bool {
        self.fuzzy.is_some()
    }

    /// Rule 9, the candidates of the words that no exact candidate in
    /// `exact` touches; with `trace`, every form one edit away that was
    /// looked at, and why it was accepted or refused.
    pub(crate) fn fuzzy_candidates(
        &self,
        original: &str,
        norm: &Normalized,
        exact: &[Candidate],
        mut trace: Option<&mut Vec<FuzzyTrace>>,
    ) -> Vec<Candidate> {
        let Some(index) = &self.fuzzy else {
            return Vec::new();
        };
        let text = norm.as_str();
        let bytes = text.as_bytes();
        let mut covered: Vec<(usize, usize)> = exact.iter().map(|c| (c.word, c.end)).collect();
        covered.sort_unstable();
        let (mut next_covered, mut covered_to) = (0, 0);
        let mut out = Vec::new();
        let words = norm.word_bits();
        let (mut letters, mut keys, mut hits) = (Vec::new(), Vec::new(), Vec::new());
        let mut found: Vec<(u32, fuzzy::Edit)> = Vec::new();
        let mut accepted: Vec<Candidate> = Vec::new();
        for std::ops::Range { start: word, end } in words.ranges() {
            while next_covered < covered.len() && covered[next_covered].0 < end {
                covered_to = covered_to.max(covered[next_covered].1);
                next_covered += 1;
            }
            // Only words that begin with a letter, and that no exact
            // candidate touches: an exact match always wins.
            let first = bytes[word];
            if covered_to > word
                || !(first.is_ascii_alphabetic() || first == 0xD8 || first == 0xD9)
                || end - word < 3
            {
                continue;
            }
            // Without a trace, the readings the rules below refuse whatever
            // form they find are not looked up: a real word first (most
            // words of a text).
            let quick = trace.is_none();
            if quick && index.is_frequent(&text[word..end]) {
                continue;
            }
            // The readings of the word: whole, then after each proclitic
            // prefix (rule 1).
            let mut state = ProcliticState::Start;
            let mut start = word;
            loop {
                letters.clear();
                letters.extend(text[start..end].chars());
                found.clear();
                let refused_anyway = start > word
                    && (state.has_article()
                        || letters.len() < fuzzy::MIN_LETTERS_AFTER_PREFIX
                        || (state.ends_with_kaf() && letters.len() < KAF_MIN_LETTERS)
                        || index.is_frequent(&text[start..end]));
                if !(quick && refused_anyway) {
                    index.lookup(&letters, &mut keys, &mut hits, |id, edit| {
                        found.push((id, edit))
                    });
                }
                accepted.clear();
                let refused =
                    |id: u32, edit, why: &'static str, trace: &mut Option<&mut Vec<FuzzyTrace>>| {
                        if let Some(t) = trace.as_deref_mut() {
                            t.push(FuzzyTrace {
                                word: word..end,
                                start,
                                pattern: id,
                                edit,
                                refused: Some(why),
                            });
                        }
                    };
                let near_demonym = found.iter().any(|&(id, _)| index.is_demonym(id));
                let has_digit = letters.iter().any(char::is_ascii_digit);
                for &(id, edit) in &found {
                    if index.is_demonym(id) {
                        continue;
                    }
                    let form = index.letters(id);
                    if near_demonym {
                        refused(
                            id,
                            edit,
                            "the word is one edit from a demonym too (an inflected adjective)",
                            &mut trace,
                        );
                        continue;
                    }
                    if has_digit {
                        refused(id, edit, "the word has a digit", &mut trace);
                        continue;
                    }
                    if start > word && letters.len() < fuzzy::MIN_LETTERS_AFTER_PREFIX {
                        refused(id, edit, "too few letters after the prefix", &mut trace);
                        continue;
                    }
                    let lam = self.entries.get(id as usize).iter().all(|e| e.lam);
                    let arabic = form.first().copied().is_some_and(is_arabic);
                    if state.has_article() {
                        refused(
                            id,
                            edit,
                            "a typo is never read after a prefix with the article",
                            &mut trace,
                        );
                        continue;
                    }
                    let min = if arabic {
                        fuzzy::MIN_LETTERS_AR
                    } else {
                        fuzzy::MIN_LETTERS_LATIN
                    };
                    if fuzzy::core_letters(&letters, false) < min {
                        refused(id, edit, "too few letters after the prefix", &mut trace);
                        continue;
                    }
                    if state.ends_with_kaf() && letters.len() < KAF_MIN_LETTERS {
                        refused(id, edit, "too few letters after ك (rule 2)", &mut trace);
                        continue;
                    }
                    if let fuzzy::Edit::Substitution(k) = edit {
                        let (a, b) = (form[k], letters[k]);
                        if !fuzzy::is_close(a, b) {
                            refused(
                                id,
                                edit,
                                "the two letters are neither keyboard neighbours nor look-alikes",
                                &mut trace,
                            );
                            continue;
                        }
                    }
                    if arabic
                        && edit == fuzzy::Edit::Insertion(0)
                        && letters.get(1) != letters.first()
                    {
                        refused(
                            id,
                            edit,
                            "a letter added before a name is another word (d'Italia), unless it doubles the first",
                            &mut trace,
                        );
                        continue;
                    }
                    if arabic && letters.starts_with(&['ا', 'ل']) && !form.starts_with(&['ا', 'ل'])
                    {
                        refused(
                            id,
                            edit,
                            "the word begins with the article and the name does not (أليطاليا)",
                            &mut trace,
                        );
                        continue;
                    }
                    if arabic && matches!(edit, fuzzy::Edit::Insertion(k) if letters[k] == 'ت') {
                        refused(
                            id,
                            edit,
                            "an added ت is a verb or noun pattern (المغترب), not a typo",
                            &mut trace,
                        );
                        continue;
                    }
                    if arabic && fuzzy::is_suffix(edit, form, &letters) {
                        refused(
                            id,
                            edit,
                            "a letter added at the end is a suffix (ي ه ت ن و), not a typo",
                            &mut trace,
                        );
                        continue;
                    }
                    if edit.position() < fuzzy::article_len(form, lam) {
                        refused(id, edit, "the edit is in the article ال", &mut trace);
                        continue;
                    }
                    if edit.position() == 0 && !arabic {
                        refused(
                            id,
                            edit,
                            "the first letter of a Latin name is never the typo",
                            &mut trace,
                        );
                        continue;
                    }
                    let at = &mut CandidateText::new(original, norm);
                    let Some(mut c) = self.candidate(at, id as usize, state, word, start, end)
                    else {
                        refused(
                            id,
                            edit,
                            "the rules of exact matching refuse this prefix or case",
                            &mut trace,
                        );
                        continue;
                    };
                    let surface_lower = original[c.orig.clone()]
                        .chars()
                        .next()
                        .is_some_and(char::is_lowercase);
                    let form_upper = self
                        .written_form(id)
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase);
                    if surface_lower && form_upper {
                        refused(
                            id,
                            edit,
                            "a lowercase word is never a typo of a capitalized name",
                            &mut trace,
                        );
                        continue;
                    }
                    if index.is_frequent(&text[word..end]) {
                        refused(
                            id,
                            edit,
                            "the word is a real word (frequent in the corpus, or common English)",
                            &mut trace,
                        );
                        continue;
                    }
                    if start > word && index.is_frequent(&text[start..end]) {
                        refused(
                            id,
                            edit,
                            "the word after the prefix is a real word (frequent in the corpus)",
                            &mut trace,
                        );
                        continue;
                    }
                    // Only the strong forms (a weak alias or a demonym
                    // that shares the pattern is no evidence).
                    c.entries
                        .retain(|e| matches!(e.form, Form::Name | Form::Alias));
                    for e in &mut c.entries {
                        e.form = Form::Fuzzy;
                    }
                    c.fuzzy = Some(id);
                    accepted.push(c);
                }
                let entity = accepted
                    .first()
                    .and_then(|c| c.entries.first())
                    .map(|e| e.entity);
                let one_entity = accepted
                    .iter()
                    .all(|c| c.entries.iter().all(|e| Some(e.entity) == entity));
                if !accepted.is_empty() && !one_entity {
                    for c in accepted.drain(..) {
                        if let (Some(id), Some(t)) = (c.fuzzy, trace.as_deref_mut()) {
                            let edit = found.iter().find(|f| f.0 == id).map(|f| f.1);
                            if let Some(edit) = edit {
                                t.push(FuzzyTrace {
                                    word: word..end,
                                    start,
                                    pattern: id,
                                    edit,
                                    refused: Some("several entities are one edit away"),
                                });
                            }
                        }
                    }
                }
                let full_word = start == word && !accepted.is_empty();
                if let Some(c) = accepted.drain(..).next() {
                    if let (Some(id), Some(t)) = (c.fuzzy, trace.as_deref_mut())
                        && let Some(&(_, edit)) = found.iter().find(|f| f.0 == id)
                    {
                        t.push(FuzzyTrace {
                            word: word..end,
                            start,
                            pattern: id,
                            edit,
                            refused: None,
                        });
                    }
                    out.push(c);
                }
                // Rule 5: a whole word that is a typo of a name hides its
                // proclitic readings.
                if full_word {
                    break;
                }
                // The next proclitic reading, if any.
                let mut next = None;
                while start + 1 < end {
                    let Some(after) = state.after(bytes[start], bytes[start + 1]) else {
                        break;
                    };
                    state = after;
                    start += 2;
                    if state.is_prefix() && start < end {
                        next = Some(start);
                        break;
                    }
                }
                if next.is_none() {
                    break;
                }
            }
        }
        out
    }

    /// The length in bytes of the longest pattern.
    pub(crate) fn longest_pattern(&self) -> usize {
        self.longest
    }

    /// Whether a walk of `normalized` finds a pattern that starts before
    /// byte `cut` and ends after it (any pattern found from a place a name
    /// may start, before the rules that follow the walk).
    pub(crate) fn crosses(&self, normalized: &str, cut: usize) -> bool {
        let mut crosses = false;
        self.walk(
            normalized,
            &WordBits::new(normalized),
            |_, start, pattern, _| {
                let end = start + self.lengths.at(pattern as usize) as usize;
                crosses |= start < cut && end > cut;
            },
        );
        crosses
    }

    /// Rules 1 to 4 for one occurrence of `pattern` at `start..end`, in
    /// the word that starts at `word`, after a proclitic `prefix` (the walk
    /// already kept the starts rule 1 allows).
    fn candidate(
        &self,
        at: &mut CandidateText<'_>,
        pattern: usize,
        prefix_state: ProcliticState,
        word: usize,
        start: usize,
        end: usize,
    ) -> Option<Candidate> {
        let text = at.norm.as_str();
        // Rule 3: end at a word end, whatever the form's last character
        // (U.S. is not the start of U.S.S.R., nor c++ of c++x).
        if text[end..].chars().next().is_some_and(is_word_char) {
            return None;
        }
        let prefix = &text[word..start];
        let prefix_chars = prefix.chars().count();
        if !prefix.is_empty() {
            // Rule 2: length guard.
            let need = if prefix_state.ends_with_kaf() {
                KAF_MIN_LETTERS
            } else if prefix_chars == 1 {
                3
            } else {
                2
            };
            if (self.letters.at(pattern) as usize) < need {
                return None;
            }
        }
        let orig = at.names.original_range(start..end);
        let surface = &at.original[orig.clone()];
        // Rule 4: capitals-only forms; and which entries this reading allows.
        let listed = self.entries.get(pattern);
        let caps = listed.iter().any(|e| e.caps_only) && is_all_caps(surface);
        // Sized once: most patterns name one entity.
        let mut entries: Vec<Entry> = Vec::with_capacity(listed.len());
        for e in listed.iter() {
            let prefix_fits = if e.lam {
                prefix_state.allows_lam()
            } else {
                // A weak form is a common word, a place or a person not
                // listed with the article is another word with it
                // (السيول, the floods): never with the article.
                e.article || !prefix_state.has_article()
            };
            if !prefix_fits || (e.caps_only && !caps) {
                continue;
            }
            match entries.iter_mut().find(|k| k.entity == e.entity) {
                Some(k) => k.form = k.form.min(e.form),
                None => entries.push(e),
            }
        }
        if entries.is_empty() {
            return None;
        }
        let orig_word = if prefix.is_empty() {
            orig.start
        } else {
            at.prefixes.original_range(word..start).start
        };
        Some(Candidate {
            word,
            start,
            end,
            entries,
            chars: surface.chars().count(),
            orig,
            orig_word,
            fuzzy: None,
        })
    }
}

/// Whether an entry of a candidate counts, given the entities with a
/// strong candidate (sorted): a weak form (rule 7) and a fuzzy one (rule 9)
/// only for one of them.
fn entry_counts(e: &Entry, strong: &[u32]) -> bool {
    match e.form {
        Form::Weak | Form::Fuzzy => strong.binary_search(&e.entity).is_ok(),
        _ => true,
    }
}

/// Whether a candidate has a strong form (not only weak ones).
fn is_strong(c: &Candidate) -> bool {
    c.entries.iter().any(|e| e.form != Form::Weak)
}

/// Adds to `out` the entities with a strong form among `candidates` (the
/// output of [`Matcher::candidates`]), and leaves `out` sorted.
pub(crate) fn strong_entities(candidates: &[Candidate], out: &mut Vec<u32>) {
    out.extend(
        candidates
            .iter()
            .flat_map(|c| c.entries.iter())
            .filter(|e| e.form != Form::Weak && e.form != Form::Fuzzy)
            .map(|e| e.entity),
    );
    out.sort_unstable();
    out.dedup();
}

/// Adds to `out` the entities that `kept` (the output of
/// [`Matcher::keep`]) names alone with a strong form, and leaves `out`
/// sorted.
pub(crate) fn unambiguous_entities(kept: &[Candidate], out: &mut Vec<u32>) {
    out.extend(
        kept.iter()
            .filter(|c| {
                c.entries.len() == 1 && !matches!(c.entries[0].form, Form::Weak | Form::Fuzzy)
            })
            .map(|c| c.entries[0].entity),
    );
    out.sort_unstable();
    out.dedup();
}

fn first_listed<'a>(entries: impl Iterator<Item = &'a Entry>) -> Entry {
    entries.min_by_key(|e| e.entity).copied().unwrap_or(Entry {
        entity: 0,
        form: Form::Name,
        caps_only: false,
        lam: false,
        article: false,
    })
}

/// Whether a form is a short capital acronym: it has 1 to 5 letters, all
/// of them capitals (US, U.S., WHO, NATO).
pub(crate) fn is_caps_acronym(form: &str) -> bool {
    // The capitals first: it stops at the first letter of most forms.
    is_all_caps(form) && form.chars().filter(|c| c.is_alphabetic()).count() <= 5
}

/// Whether every letter of `text` is a capital (and there is one).
fn is_all_caps(text: &str) -> bool {
    let mut any = false;
    for c in text.chars() {
        // The Arabic letters are letters without case: most forms stop at
        // their first letter, here, without the Unicode table lookups
        // (34M instructions of every start-up).
        if ('\u{0621}'..='\u{064A}').contains(&c) {
            return false;
        }
        if !c.is_alphabetic() {
            continue;
        }
        if !c.is_uppercase() {
            return false;
        }
        any = true;
    }
    any
}

/// The normalized patterns of one form: itself, plus inflections for a
/// demonym.
fn expand(form_text: &str, form: Form) -> Vec<String> {
    let base = normalize_str(form_text).trim().to_string();
    if !base.chars().any(is_word_char) {
        return Vec::new();
    }
    let mut out = vec![base.clone()];
    if form == Form::Demonym {
        out.extend(demonym_inflections(&base));
    }
    out
}

/// Inflected forms of a normalized demonym (not including the base).
pub(crate) fn demonym_inflections(base: &str) -> Vec<String> {
    let Some(last) = base.chars().next_back() else {
        return Vec::new();
    };
    if last == 'ي' {
        DEMONYM_SUFFIXES_AR
            .iter()
            .map(|s| format!("{base}{s}"))
            .collect()
    } else if last.is_ascii_alphabetic() && last != 's' {
        vec![format!("{base}s")]
    } else {
        Vec::new()
    }
}

/// The ل-for-ال spelling of a normalized pattern that begins with ال.
pub(crate) fn lam_variant(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix("ال")?;
    rest.chars().next().filter(|&c| is_word_char(c))?;
    Some(format!("ل{rest}"))
}

/// Whether a proclitic prefix contains the article (ends with ال, or is
/// ل + the article written لل): the definition of
/// `ProcliticState::has_article` in the tests.
#[cfg(test)]
fn has_article(prefix: &str) -> bool {
    prefix.ends_with("ال") || prefix.ends_with("لل")
}

/// Whether a proclitic prefix ends with ك: the definition of
/// `ProcliticState::ends_with_kaf` in the tests.
#[cfg(test)]
fn ends_with_kaf(prefix: &str) -> bool {
    prefix.ends_with('ك')
}

/// Whether `prefix` is a proclitic prefix: `{و ف}? {ب ك ل}? ال?`
/// (non-empty) or `{و ف}? لل`.
/// (The definition that [`ProcliticState`], which the matcher runs, is
/// checked against in the tests.)
#[cfg(test)]
pub(crate) fn is_proclitic(prefix: &str) -> bool {
    if prefix.is_empty() {
        return false;
    }
    let rest = prefix.strip_prefix(['و', 'ف']).unwrap_or(prefix);
    if rest == "لل" {
        return true;
    }
    let rest = rest.strip_prefix(['ب', 'ك', 'ل']).unwrap_or(rest);
    rest.is_empty() || rest == "ال"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference of rule 6's overlap test that [`TakenBytes`]
    /// replaced: the kept ranges by start; a range overlaps them when the
    /// last one starting before its end ends after its start.
    fn naive_take(taken: &mut std::collections::BTreeMap<usize, usize>, r: Range<usize>) -> bool {
        let overlaps = taken
            .range(..r.end)
            .next_back()
            .is_some_and(|(_, &end)| end > r.start);
        if !overlaps {
            taken.insert(r.start, r.end);
        }
        !overlaps
    }

    #[test]
    fn taken_bytes_refuse_the_ranges_that_overlap_a_kept_one() {
        // (range, kept), in the order offered, from byte 10 to 200.
        let table: &[(Range<usize>, bool)] = &[
            (10..20, true),
            (15..25, false),
            (19..20, false),
            (10..11, false),
            (20..30, true),
            (30..31, true),
            (31..130, true), // over two word boundaries of the bits
            (129..131, false),
            (130..200, true),
            (73..74, false),
        ];
        let mut taken = TakenBytes::new(10..200);
        for (range, kept) in table {
            assert_eq!(taken.take(range.clone()), *kept, "{range:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn taken_bytes_are_the_btree_of_kept_ranges(
            ranges in proptest::collection::vec((0usize..300, 1usize..80), 0..60),
            from in 0usize..20,
        ) {
            let ranges: Vec<Range<usize>> =
                ranges.iter().map(|&(s, len)| from + s..from + s + len).collect();
            let lo = ranges.iter().map(|r| r.start).min().unwrap_or(from);
            let hi = ranges.iter().map(|r| r.end).max().unwrap_or(lo);
            let mut taken = TakenBytes::new(lo..hi);
            let mut naive = std::collections::BTreeMap::new();
            for r in ranges {
                proptest::prop_assert_eq!(
                    taken.take(r.clone()),
                    naive_take(&mut naive, r.clone()),
                    "{:?}", r
                );
            }
        }
    }

    /// The start filters are sized by the distinct words and pairs, not
    /// by the patterns (which share first words), and hold every one.
    #[test]
    fn start_filters_are_sized_by_distinct_words() {
        let patterns: Vec<String> = (0..1000)
            .map(|i| format!("جامعة {}", ["القاهرة", "بغداد"][i % 2]))
            .chain(["مصر".to_string()])
            .collect();
        let f = StartFilter::new(patterns.iter().map(String::as_str));
        // Two first words, one single, two pairs: 16 bits each fit in 64.
        assert_eq!(f.first.words(), 1);
        assert_eq!(f.single.words(), 1);
        assert_eq!(f.pairs.words(), 1);
        for p in &patterns {
            let text = p.as_bytes();
            let words = WordBits::new(p);
            let end = words.word_end(0);
            assert!(f.may_start(text, &words, 0, end), "{p}");
        }
    }

    #[test]
    fn acronyms() {
        for (form, yes) in [
            ("US", true),
            ("U.S.", true),
            ("NATO", true),
            ("UNHCR", true),
            ("UNESCO", false),
            ("Us", false),
            ("روسيا", false),
            ("2020", false),
        ] {
            assert_eq!(is_caps_acronym(form), yes, "{form}");
        }
    }

    /// The shortcut of `is_all_caps` (an Arabic letter ends the check) is
    /// the textbook definition on every text made of one or two
    /// characters around the Arabic block, Latin capitals included.
    #[test]
    fn all_caps_shortcut_is_the_definition() {
        fn textbook(text: &str) -> bool {
            let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
            !letters.is_empty() && letters.iter().all(|c| c.is_uppercase())
        }
        let chars: Vec<char> = ('\u{0600}'..='\u{06FF}')
            .chain(['A', 'b', '.', ' ', '1'])
            .collect();
        for &a in &chars {
            let one = a.to_string();
            assert_eq!(is_all_caps(&one), textbook(&one), "{a:?}");
            for &b in &['A', 'z', '.', 'ب'] {
                for text in [format!("{a}{b}"), format!("{b}{a}")] {
                    assert_eq!(is_all_caps(&text), textbook(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn proclitic_set() {
        // Every combination, written out.
        let mut all = Vec::new();
        for a in ["", "و", "ف"] {
            for b in ["", "ب", "ك", "ل"] {
                for c in ["", "ال"] {
                    all.push(format!("{a}{b}{c}"));
                }
            }
            all.push(format!("{a}لل"));
        }
        all.retain(|p| !p.is_empty());
        assert_eq!(all.len(), 23 + 3);
        for p in &all {
            assert!(is_proclitic(p), "{p}");
        }
        for p in ["", "س", "وس", "بب", "الو", "ووب", "لب", "ا", "ل ال", "فو"] {
            assert!(!is_proclitic(p), "{p}");
        }
    }

    /// Reads `prefix` with the state machine the matcher runs; `None`
    /// when it leaves the grammar or stops short of a whole prefix.
    fn read_by_state_machine(prefix: &str) -> Option<ProcliticState> {
        let mut state = ProcliticState::Start;
        let bytes = prefix.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            state = state.after(bytes[at], *bytes.get(at + 1)?)?;
            at += 2;
        }
        state.is_prefix().then_some(state)
    }

    #[test]
    fn proclitic_state_machine_reads_the_same_language() {
        // Every string of up to five letters over the proclitic letters
        // and two others.
        let letters = ["و", "ف", "ب", "ك", "ل", "ا", "س", "ر"];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|s| letters.iter().map(move |l| format!("{s}{l}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        let mut accepted = 0;
        for s in &strings {
            let state = read_by_state_machine(s);
            assert_eq!(state.is_some(), is_proclitic(s), "{s}");
            if let Some(state) = state {
                accepted += 1;
                assert_eq!(
                    state.allows_lam(),
                    LAM_PREFIXES.contains(&s.as_str()),
                    "{s}"
                );
                assert_eq!(state.has_article(), has_article(s), "{s}");
                assert_eq!(state.ends_with_kaf(), ends_with_kaf(s), "{s}");
            }
        }
        assert_eq!(accepted, 26);
    }

    #[test]
    fn inflections() {
        assert_eq!(
            demonym_inflections("روسي"),
            vec![
                "روسيه",
                "روسيون",
                "روسيين",
                "روسيان",
                "روسيات",
                "روسيتان",
                "روسيتين"
            ]
        );
        assert_eq!(demonym_inflections("russian"), vec!["russians"]);
        assert_eq!(demonym_inflections("swiss"), Vec::<String>::new());
        assert_eq!(demonym_inflections("روس"), Vec::<String>::new());
    }

    #[test]
    fn lam() {
        assert_eq!(lam_variant("الكويت").as_deref(), Some("لكويت"));
        assert_eq!(lam_variant("ال"), None);
        assert_eq!(lam_variant("روسيا"), None);
    }
}
