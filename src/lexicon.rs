//! The word lists that discovery rules read: given names, titles, roles,
//! organization heads, stop words, common words (see [`crate::Discovery`]).
//!
//! The rules are documented on [`Lexicon`], which the crate exports
//! (this module is private, so its own docs do not render).

use std::io::Read;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::error::{CsvBase, Error, Position};
use crate::gazetteer::{Diagnostic, Severity, csv_files};
use crate::normalize::{is_word_char, normalize_str};

/// Classes of a lexicon form, as bits of a `u32` (see the module docs).
pub mod class {
    /// `given`
    pub const GIVEN: u32 = 1;
    /// `given-weak`
    pub const GIVEN_WEAK: u32 = 1 << 1;
    /// `name-word`
    pub const NAME_WORD: u32 = 1 << 2;
    /// `title`
    pub const TITLE: u32 = 1 << 3;
    /// `role`
    pub const ROLE: u32 = 1 << 4;
    /// `kin`
    pub const KIN: u32 = 1 << 5;
    /// `org-head`
    pub const ORG_HEAD: u32 = 1 << 6;
    /// `org-head-in`
    pub const ORG_HEAD_IN: u32 = 1 << 7;
    /// `org-suffix`
    pub const ORG_SUFFIX: u32 = 1 << 8;
    /// `report-verb`
    pub const REPORT_VERB: u32 = 1 << 9;
    /// `stop`
    pub const STOP: u32 = 1 << 10;
    /// `common`
    pub const COMMON: u32 = 1 << 11;
    /// `reject`
    pub const REJECT: u32 = 1 << 12;
    /// `place`
    pub const PLACE: u32 = 1 << 13;
    /// `veto`
    pub const VETO: u32 = 1 << 14;

    /// Every class with its name in lexicon files.
    pub const NAMES: [(&str, u32); 15] = [
        ("given", GIVEN),
        ("given-weak", GIVEN_WEAK),
        ("name-word", NAME_WORD),
        ("title", TITLE),
        ("role", ROLE),
        ("kin", KIN),
        ("org-head", ORG_HEAD),
        ("org-head-in", ORG_HEAD_IN),
        ("org-suffix", ORG_SUFFIX),
        ("report-verb", REPORT_VERB),
        ("stop", STOP),
        ("common", COMMON),
        ("reject", REJECT),
        ("place", PLACE),
        ("veto", VETO),
    ];

    /// The bit of a class name.
    pub fn parse(name: &str) -> Option<u32> {
        NAMES.iter().find(|(n, _)| *n == name).map(|&(_, b)| b)
    }
}

/// The built-in lexicon files, compiled into the library (see build.rs).
pub(crate) const BUILTIN: &[(&str, &str)] = crate::builtin::LEXICON;

/// The first bytes of a lexicon image: a name and the format version.
const LEXICON_MAGIC: &[u8; 8] = b"alamlex4";

/// Word lists for the discovery rules, keyed by normalized form.
///
/// ```
/// use alam::{Lexicon, lexicon_class as class};
/// let mut lex = Lexicon::new();
/// lex.add_csv("my.csv", "form,class\nفيصل,given\nوزير الخارجية,role\n".as_bytes());
/// assert!(lex.diagnostics().is_empty());
/// assert_eq!(lex.classes("فيصل"), class::GIVEN);
/// assert_eq!(lex.phrase_classes(&["وزير", "الخارجيه"]), class::ROLE);
/// ```
///
/// # The lexicon format
///
/// The word lists that discovery rules read: given names, titles, roles,
/// organization heads, stop words, common words (see [`crate::Discovery`]).
///
/// A lexicon is a folder `lexicon/` beside the gazetteer CSV files, of
/// UTF-8 CSV files with the header `form,class,count,note` (`form` and
/// `class` required): one word or phrase and one class a row. Forms are
/// normalized like gazetteer aliases (so `أحمد` and `احمد`, `Mr.` and
/// `mr.` are one form). A form may have several classes (a row each).
///
/// | class | meaning | e.g. |
/// |---|---|---|
/// | `given` | a given name that starts a person's name | فيصل، Ahmed, John |
/// | `given-weak` | a given name that is also a common word: needs more evidence | كامل، بيان، Will |
/// | `name-word` | a word of names (surnames, family names, nisbas) | الحسيني، Smith |
/// | `title` | an honorific before a name, not part of it | السيد، الشيخ، Mr., Dr. |
/// | `role` | a job or role before a name, not part of it (its complements, demonyms and countries may come between) | الرئيس، وزير الخارجية، President |
/// | `kin` | a particle inside a name | بن، ابن، بنت، أبو، Abu, bin, van |
/// | `org-head` | a head noun whose following name alone is the organization | شركة، صحيفة، نادي |
/// | `org-head-in` | a head noun that is part of the organization's name | حزب، جامعة، University, Bank |
/// | `org-suffix` | a designator that ends an organization's name | Inc., Corp., Ltd., FC, Party |
/// | `report-verb` | a reporting verb next to a speaker | قال، said, told |
/// | `stop` | never part of a name (function words, verbs, numbers) | في، من، the, of |
/// | `common` | a common word: not a name unless a list says so | العام، Monday |
/// | `reject` | a name discovery must never report (a reviewed rejection) | any name |
/// | `place` | a town the gazetteers do not list: never a person's word, except after a listed given name | Rostock, Poznań |
/// | `veto` | a word that ends a thing named after a person or a place, so the whole is no person | Cup, Bridge, Prize, Street |
///
/// A malformed row (missing form or class, an unknown class) is an error
/// at its `file:line`; [`Lexicon::diagnostics`] lists them and
/// `alam gazetteer check` prints them.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    /// One-word forms.
    words: FxHashMap<Box<str>, u32>,
    /// Forms of several words, joined by one space.
    phrases: FxHashMap<Box<str>, u32>,
    /// For the first word of a phrase: the most words a phrase starting
    /// with it has.
    phrase_starts: FxHashMap<Box<str>, usize>,
    /// Corpus counts given in the files, by one-word form.
    counts: FxHashMap<Box<str>, u64>,
    /// The built-in lexicon's tables read in place from its image (the
    /// maps above are then empty): copying its 85,000 keys into the maps
    /// was 35M instructions of every start. The first change copies them.
    image: Option<Box<ImageTables>>,
    diagnostics: Vec<Diagnostic>,
}

/// A table of the image, read where it lies: its records (each the end of
/// its key in the image's text, a `u32`, and its value, `V::WIDTH` bytes),
/// the keys (sorted, one after another in the text from `start`), and an
/// open-addressing hash table over them, as written (`slots`: `2^bits`
/// little-endian u32s, each `0` for empty or a key's index + 1, the key at
/// `key_hash(key) >> (64 - bits)` or after it). Nothing is copied at start
/// (a vector of keys and one of values were 400 page faults of every
/// start); [`Lexicon::from_image`] checked every end.
#[derive(Clone, Default)]
struct ImageTable<V> {
    records: &'static [u8],
    text: &'static str,
    start: usize,
    slots: &'static [u8],
    bits: u32,
    values: std::marker::PhantomData<V>,
}

/// A value of an image table: its width in bytes and how it reads.
trait ImageValue: Copy {
    /// Its width in bytes.
    const WIDTH: usize;
    /// The value of its little-endian bytes (`WIDTH` of them).
    fn read(bytes: &[u8]) -> Self;
}

impl ImageValue for u32 {
    const WIDTH: usize = 4;
    fn read(b: &[u8]) -> u32 {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl ImageValue for u64 {
    const WIDTH: usize = 8;
    fn read(b: &[u8]) -> u64 {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// The `u32` at byte `at` of `bytes`.
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::read(&bytes[at..at + 4])
}

impl<V: ImageValue> ImageTable<V> {
    /// The width of a record.
    const RECORD: usize = 4 + V::WIDTH;

    /// The number of keys.
    fn len(&self) -> usize {
        self.records.len() / Self::RECORD
    }

    /// Key `i` (`i < len()`).
    fn key(&self, i: usize) -> &'static str {
        let begin = match i {
            0 => self.start,
            _ => u32_at(self.records, (i - 1) * Self::RECORD) as usize,
        };
        let end = u32_at(self.records, i * Self::RECORD) as usize;
        // `from_image` checked every end is a character boundary, not
        // before the one ahead of it and within the text.
        self.text.get(begin..end).unwrap_or_default()
    }

    /// Value `i` (`i < len()`).
    fn value(&self, i: usize) -> V {
        let at = i * Self::RECORD + 4;
        V::read(&self.records[at..at + V::WIDTH])
    }

    fn get(&self, key: &str) -> Option<V> {
        probe(self.slots, self.bits, key, |i| self.key(i) == key).map(|i| self.value(i))
    }

    fn iter(&self) -> impl Iterator<Item = (&'static str, V)> + '_ {
        (0..self.len()).map(|i| (self.key(i), self.value(i)))
    }
}

impl ImageTable<u32> {
    /// The indexes of the keys whose classes include one of `mask`'s, their
    /// keys not read.
    fn indices_with(&self, mask: u32) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(move |&i| self.value(i) & mask != 0)
    }
}

/// The hash of a key for the image's tables: FxHash's step over eight
/// bytes at a time (the same in build.rs, which writes the tables, and at
/// run time, which reads them: it is this crate's code, not a dependency's).
fn key_hash(key: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h: u64 = key.len() as u64;
    let mut chunks = key.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(26) ^ w).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    let tail = chunks.remainder();
    last[..tail.len()].copy_from_slice(tail);
    h = (h.rotate_left(26) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    // The top bits pick the slot: fold the low ones in.
    h ^ (h >> 29)
}

/// The bits of a slot that hold its key's index + 1; the top 8 hold a tag
/// of the key's hash, compared before the key.
const SLOT_INDEX: u32 = (1 << 24) - 1;

/// The first slot of a key of hash `hash` in a table of `2^bits` slots.
fn slot_of(hash: u64, bits: u32) -> usize {
    if bits == 0 {
        return 0;
    }
    (hash >> (64 - bits)) as usize
}

/// The tag of a key of hash `hash`, in a slot's top 8 bits (from the low
/// bits of the hash: the top ones pick the slot).
fn slot_tag(hash: u64) -> u32 {
    ((hash & 0xFF) as u32) << 24
}

/// The index of the key equal to `key` in a hash table of
/// [`slots_for`]'s layout (`slots`: its `2^bits` slots as little-endian
/// bytes), where `is(i)` tells whether key `i` is `key`. At most every
/// slot is probed once, so even a table with no empty slot answers.
pub(crate) fn probe(
    slots: &[u8],
    bits: u32,
    key: &str,
    mut is: impl FnMut(usize) -> bool,
) -> Option<usize> {
    let n = slots.len() / 4;
    if n == 0 {
        return None;
    }
    let hash = key_hash(key);
    let tag = slot_tag(hash);
    let mut at = slot_of(hash, bits) & (n - 1);
    for _ in 0..n {
        let b = slots.get(4 * at..4 * at + 4)?;
        let slot = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let i = ((slot & SLOT_INDEX) as usize).checked_sub(1)?;
        if slot & !SLOT_INDEX == tag && is(i) {
            return Some(i);
        }
        at = (at + 1) & (n - 1);
    }
    None
}

/// The slots of a table of `keys` (see [`ImageTable`]): at least twice as
/// many as keys, a power of two; returns `(bits, slots)`, or `None` for
/// more keys than a slot can number.
pub(crate) fn slots_for(keys: &[&str]) -> Option<(u32, Vec<u32>)> {
    if keys.len() >= SLOT_INDEX as usize {
        return None;
    }
    let bits = (2 * keys.len()).next_power_of_two().trailing_zeros().max(1);
    let n = 1usize << bits;
    let mut slots = vec![0u32; n];
    for (i, key) in keys.iter().enumerate() {
        let hash = key_hash(key);
        let mut at = slot_of(hash, bits);
        while slots[at] != 0 {
            at = (at + 1) & (n - 1);
        }
        slots[at] = (i as u32 + 1) | slot_tag(hash);
    }
    Some((bits, slots))
}

/// A key of the image as one of a shorter-lived lexicon's (a trait
/// object's item type does not shorten by itself).
fn shorter<'a, V>((key, value): (&'static str, V)) -> (&'a str, V) {
    (key, value)
}

/// The four tables of [`Lexicon`] as its image holds them.
#[derive(Clone, Default)]
struct ImageTables {
    words: ImageTable<u32>,
    phrases: ImageTable<u32>,
    phrase_starts: ImageTable<u32>,
    counts: ImageTable<u64>,
}

impl std::fmt::Debug for ImageTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageTables")
            .field("words", &self.words.len())
            .field("phrases", &self.phrases.len())
            .finish()
    }
}

impl Lexicon {
    /// An empty lexicon.
    pub fn new() -> Lexicon {
        Lexicon::default()
    }

    /// The lexicon shipped in `gazetteers/lexicon/` and compiled in: read
    /// from the image build.rs made of the same files with the same
    /// loader (a test checks the two agree), or parsed
    /// when there is no image (the files have diagnostics, which the image
    /// does not hold).
    pub fn builtin() -> Lexicon {
        Lexicon::from_image(crate::builtin::LEXICON_IMAGE).unwrap_or_else(Lexicon::parse_builtin)
    }

    /// The built-in files parsed, as build.rs does for the image.
    pub(crate) fn parse_builtin() -> Lexicon {
        let mut lex = Lexicon::new();
        for (name, data) in BUILTIN {
            lex.add_csv(&format!("<builtin>/lexicon/{name}"), data.as_bytes());
        }
        lex
    }

    /// The lexicon as bytes, for build.rs: empty when it has diagnostics.
    /// After the magic, the byte length of the text (`u64`) and the text:
    /// every key, one after another in the order of the tables (checked to
    /// be UTF-8 once when read; a check per key cost 20M instructions of
    /// every start-up). Then each table: its length (`u32`) and its
    /// entries sorted by key, each the byte offset in the text where the
    /// key ends (`u32`; it starts where the one before ends) and the value
    /// (`u32`; `u64` for counts), then its hash table (`bits`, a `u32`,
    /// and `2^bits` slots, see `ImageTable`), little-endian.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn to_image(&self) -> Vec<u8> {
        if !self.diagnostics.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut text = String::new();
        let mut too_large = false;
        let mut table = |entries: Vec<(&str, u64)>, wide: bool| {
            out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
            for &(k, v) in &entries {
                text.push_str(k);
                let Ok(end) = u32::try_from(text.len()) else {
                    too_large = true;
                    return;
                };
                out.extend_from_slice(&end.to_le_bytes());
                if wide {
                    out.extend_from_slice(&v.to_le_bytes());
                } else {
                    out.extend_from_slice(&(v as u32).to_le_bytes());
                }
            }
            let keys: Vec<&str> = entries.iter().map(|&(k, _)| k).collect();
            let Some((bits, slots)) = slots_for(&keys) else {
                too_large = true;
                return;
            };
            out.extend_from_slice(&bits.to_le_bytes());
            for slot in slots {
                out.extend_from_slice(&slot.to_le_bytes());
            }
        };
        /// A table's entries with their values widened, sorted by key.
        fn sorted<V: Copy + TryInto<u64>>(map: &FxHashMap<Box<str>, V>) -> Vec<(&str, u64)> {
            let mut v: Vec<(&str, u64)> = map
                .iter()
                .map(|(k, &v)| (&**k, v.try_into().unwrap_or(u64::MAX)))
                .collect();
            v.sort_unstable();
            v
        }
        /// The same of a table read in place (sorted already).
        fn listed<V: ImageValue + Into<u64>>(t: &ImageTable<V>) -> Vec<(&str, u64)> {
            t.iter().map(|(k, v)| (k, v.into())).collect()
        }
        match &self.image {
            Some(img) => {
                table(listed(&img.words), false);
                table(listed(&img.phrases), false);
                table(listed(&img.phrase_starts), false);
                table(listed(&img.counts), true);
            }
            None => {
                table(sorted(&self.words), false);
                table(sorted(&self.phrases), false);
                table(sorted(&self.phrase_starts), false);
                table(sorted(&self.counts), true);
            }
        }
        if too_large {
            return Vec::new();
        }
        let mut image = LEXICON_MAGIC.to_vec();
        image.extend_from_slice(&(text.len() as u64).to_le_bytes());
        image.extend_from_slice(text.as_bytes());
        image.extend_from_slice(&out);
        image
    }

    /// Reads back what [`Lexicon::to_image`] wrote, in place: the keys are
    /// slices of `image`'s text and the records and hash tables its bytes;
    /// `None` for no image or a malformed one (a key that ends before the
    /// one ahead of it, past the text or not on a character boundary, a
    /// slot past the keys, a table with no empty slot).
    pub(crate) fn from_image(image: &'static [u8]) -> Option<Lexicon> {
        let mut rest = image.strip_prefix(LEXICON_MAGIC)?;
        fn take(rest: &mut &'static [u8], n: usize) -> Option<&'static [u8]> {
            let (head, tail) = rest.split_at_checked(n)?;
            *rest = tail;
            Some(head)
        }
        fn count(rest: &mut &'static [u8]) -> Option<usize> {
            Some(u32::read(take(rest, 4)?) as usize)
        }
        /// One table: its records, checked, then its slots.
        fn table<V: ImageValue>(
            rest: &mut &'static [u8],
            text: &'static str,
            start: &mut usize,
        ) -> Option<ImageTable<V>> {
            let n = count(rest)?;
            let width = ImageTable::<V>::RECORD;
            let records = take(rest, n.checked_mul(width)?)?;
            // Every key ends on a character boundary, not before the one
            // ahead of it, within the text.
            let mut end = *start;
            for r in records.chunks_exact(width) {
                let next = u32::read(r) as usize;
                if next < end || !text.is_char_boundary(next) {
                    return None;
                }
                end = next;
            }
            // The slots: at least one empty (else a lookup of a missing key
            // would not end) and none past the keys; read in place.
            let bits = u32::read(take(rest, 4)?);
            if !(1..=31).contains(&bits) {
                return None;
            }
            let slots = take(rest, 4usize << bits)?;
            // One pass the compiler vectorizes: the largest index and the
            // number of empty slots.
            let (mut largest, mut empty) = (0u32, 0usize);
            for b in slots.chunks_exact(4) {
                let slot = u32::read(b) & SLOT_INDEX;
                largest = largest.max(slot);
                empty += usize::from(slot == 0);
            }
            if largest as usize > n || empty == 0 {
                return None;
            }
            let table = ImageTable {
                records,
                text,
                start: *start,
                slots,
                bits,
                values: std::marker::PhantomData,
            };
            *start = end;
            Some(table)
        }
        let size = u64::read(take(&mut rest, 8)?);
        let text = take(&mut rest, usize::try_from(size).ok()?)?;
        let text: &'static str = simdutf8::basic::from_utf8(text).ok()?;
        let mut start = 0;
        let tables = ImageTables {
            words: table(&mut rest, text, &mut start)?,
            phrases: table(&mut rest, text, &mut start)?,
            phrase_starts: table(&mut rest, text, &mut start)?,
            counts: table(&mut rest, text, &mut start)?,
        };
        (rest.is_empty() && start == text.len()).then(|| Lexicon {
            image: Some(Box::new(tables)),
            ..Lexicon::default()
        })
    }

    /// Copies the tables read in place into the maps, before a change.
    fn own_tables(&mut self) {
        let Some(img) = self.image.take() else {
            return;
        };
        let boxed = |k: &str| -> Box<str> { k.into() };
        self.words
            .extend(img.words.iter().map(|(k, v)| (boxed(k), v)));
        self.phrases
            .extend(img.phrases.iter().map(|(k, v)| (boxed(k), v)));
        self.phrase_starts.extend(
            img.phrase_starts
                .iter()
                .map(|(k, v)| (boxed(k), v as usize)),
        );
        self.counts
            .extend(img.counts.iter().map(|(k, v)| (boxed(k), v)));
    }

    /// The lexicon that goes with the gazetteer of `-g base` and
    /// `--add-gazetteer add...`: `base/lexicon/` if it exists (else the
    /// built-in one), then the `lexicon/` folder of every folder of `add`
    /// that has one.
    pub fn for_gazetteer(base: Option<&Path>, add: &[PathBuf]) -> Result<Lexicon, Error> {
        let mut lex = match base.map(|dir| dir.join("lexicon")) {
            Some(sub) if sub.is_dir() => {
                let mut l = Lexicon::new();
                l.add_dir(&sub)?;
                l
            }
            _ => Lexicon::builtin(),
        };
        for dir in add {
            let sub = dir.join("lexicon");
            if sub.is_dir() {
                lex.add_dir(&sub)?;
            }
        }
        Ok(lex)
    }

    /// Adds every `*.csv` file of `dir`, in file-name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        for path in csv_files(dir)? {
            let file = std::fs::File::open(&path).map_err(|source| Error::Io {
                path: path.clone(),
                error: source,
            })?;
            self.add_csv(&path.display().to_string(), file);
        }
        Ok(())
    }

    /// Adds the rows of one CSV file; `label` names it in diagnostics.
    pub fn add_csv<R: Read>(&mut self, label: &str, reader: R) {
        self.own_tables();
        let path = PathBuf::from(label);
        let at = |line: u64| Position::new(path.clone(), line);
        let mut data = Vec::new();
        let mut reader = reader;
        if let Err(e) = reader.read_to_end(&mut data) {
            self.error(at(0), format!("cannot read the file: {e}"));
            return;
        }
        let data = data.as_slice();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(data);
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.error(at(1), format!("cannot read the header: {e}"));
                return;
            }
        };
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(form_col), Some(class_col)) = (column("form"), column("class")) else {
            self.error(
                at(1),
                "the header must have the columns form and class (and may have count, note)".into(),
            );
            return;
        };
        let count_col = column("count");
        // One record for every row (an allocation per row was 8% of the
        // built-in lexicon's load).
        let mut row = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let here = e.position().map_or_else(
                        || at(0),
                        |p| Position::of_csv(&path, data, p, CsvBase::FILE),
                    );
                    self.error(here, format!("malformed row: {e}"));
                    continue;
                }
            };
            let here = row.position().map_or_else(
                || at(0),
                |p| Position::of_csv(&path, data, p, CsvBase::FILE),
            );
            let form = row.get(form_col).unwrap_or("").trim();
            let class_name = row.get(class_col).unwrap_or("").trim();
            if form.is_empty() {
                self.error(here.clone(), "empty form".into());
                continue;
            }
            let Some(bit) = class::parse(class_name) else {
                let known: Vec<&str> = class::NAMES.iter().map(|(n, _)| *n).collect();
                self.error(
                    here.clone(),
                    format!(
                        "unknown class {class_name:?} (expected one of {})",
                        known.join(", ")
                    ),
                );
                continue;
            };
            let count = match count_col.and_then(|c| row.get(c)).map(str::trim) {
                None | Some("") => None,
                Some(c) => match c.parse::<u64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.error(here.clone(), format!("count {c:?} is not a whole number"));
                        continue;
                    }
                },
            };
            let key = lexicon_key(form);
            if key.is_empty() {
                self.error(here.clone(), format!("form {form:?} has no letters"));
                continue;
            }
            self.insert(&key, bit, count);
        }
    }

    /// Adds `bits` to a normalized form.
    fn insert(&mut self, key: &str, bits: u32, count: Option<u64>) {
        let mut words = key.split(' ');
        let first = words.next().unwrap_or(key);
        let n_words = 1 + words.count();
        if n_words == 1 {
            *self.words.entry(key.into()).or_default() |= bits;
            if let Some(c) = count {
                let e = self.counts.entry(key.into()).or_default();
                *e = (*e).max(c);
            }
        } else {
            *self.phrases.entry(key.into()).or_default() |= bits;
            let n = self.phrase_starts.entry(first.into()).or_default();
            *n = (*n).max(n_words);
        }
    }

    fn error(&mut self, position: Position, message: String) {
        self.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            position,
            message,
        });
    }

    /// Every problem found while loading, with its position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The classes of a one-word normalized form (0 when unknown).
    pub fn classes(&self, word: &str) -> u32 {
        match &self.image {
            Some(img) => img.words.get(word),
            None => self.words.get(word).copied(),
        }
        .unwrap_or(0)
    }

    /// Every one-word form with its classes (in no order).
    #[cfg(test)]
    pub(crate) fn words(&self) -> Box<dyn Iterator<Item = (&str, u32)> + '_> {
        match &self.image {
            Some(img) => Box::new(img.words.iter().map(shorter)),
            None => Box::new(self.words.iter().map(|(k, &v)| (k.as_ref(), v))),
        }
    }

    /// Every one-word form with a class of `mask`, with its classes (in no
    /// order): [`Lexicon::words`] filtered, without reading the other
    /// forms' keys (the image holds each key's value beside its end).
    pub(crate) fn words_with(&self, mask: u32) -> Box<dyn Iterator<Item = (&str, u32)> + '_> {
        match &self.image {
            Some(img) => Box::new(
                img.words
                    .indices_with(mask)
                    .map(|i| (img.words.key(i), img.words.value(i))),
            ),
            None => Box::new(
                self.words
                    .iter()
                    .filter(move |&(_, &v)| v & mask != 0)
                    .map(|(k, &v)| (k.as_ref(), v)),
            ),
        }
    }

    /// The number of one-word forms with a class of `mask`.
    pub(crate) fn count_words_with(&self, mask: u32) -> usize {
        match &self.image {
            Some(img) => img.words.indices_with(mask).count(),
            None => self.words.values().filter(|&&v| v & mask != 0).count(),
        }
    }

    /// The number of first words of phrases.
    pub(crate) fn phrase_start_count(&self) -> usize {
        match &self.image {
            Some(img) => img.phrase_starts.len(),
            None => self.phrase_starts.len(),
        }
    }

    /// Every first word of a phrase with the most words such a phrase has.
    pub(crate) fn phrase_starts(&self) -> Box<dyn Iterator<Item = (&str, usize)> + '_> {
        match &self.image {
            Some(img) => Box::new(
                img.phrase_starts
                    .iter()
                    .map(|(k, v)| shorter((k, v as usize))),
            ),
            None => Box::new(self.phrase_starts.iter().map(|(k, &v)| (k.as_ref(), v))),
        }
    }

    /// The corpus count given for a one-word form, if any.
    pub fn count(&self, word: &str) -> Option<u64> {
        match &self.image {
            Some(img) => img.counts.get(word),
            None => self.counts.get(word).copied(),
        }
    }

    /// The classes of a phrase of normalized words (0 when unknown).
    pub fn phrase_classes(&self, words: &[&str]) -> u32 {
        if words.len() == 1 {
            return self.classes(words[0]);
        }
        self.phrase_key_classes(&words.join(" "))
    }

    /// The classes of a phrase given as its words joined by one space (0
    /// when unknown).
    pub fn phrase_key_classes(&self, key: &str) -> u32 {
        match &self.image {
            Some(img) => img.phrases.get(key),
            None => self.phrases.get(key).copied(),
        }
        .unwrap_or(0)
    }

    /// The most words a phrase starting with `word` has (1 when none).
    pub fn longest_phrase_from(&self, word: &str) -> usize {
        match &self.image {
            Some(img) => img.phrase_starts.get(word).map(|n| n as usize),
            None => self.phrase_starts.get(word).copied(),
        }
        .unwrap_or(1)
    }

    /// True when a phrase (normalized words joined
    /// by one space) was rejected by a reviewer (class `reject`).
    pub fn is_rejected(&self, key: &str) -> bool {
        let bits = if key.contains(' ') {
            self.phrase_key_classes(key)
        } else {
            self.classes(key)
        };
        bits & class::REJECT != 0
    }

    /// The number of forms (one-word and phrases).
    pub fn len(&self) -> usize {
        match &self.image {
            Some(img) => img.words.len() + img.phrases.len(),
            None => self.words.len() + self.phrases.len(),
        }
    }

    /// True when no form is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many forms have each class, in [`class::NAMES`] order.
    pub fn class_counts(&self) -> Vec<(&'static str, usize)> {
        class::NAMES
            .iter()
            .map(|&(name, bit)| {
                let n = match &self.image {
                    Some(img) => (img.words.iter().chain(img.phrases.iter()))
                        .filter(|&(_, b)| b & bit != 0)
                        .count(),
                    None => (self.words.values().chain(self.phrases.values()))
                        .filter(|&&b| b & bit != 0)
                        .count(),
                };
                (name, n)
            })
            .collect()
    }

    /// Adds everything of `other` after this lexicon's forms.
    pub fn extend(&mut self, mut other: Lexicon) {
        self.own_tables();
        other.own_tables();
        for (k, v) in other.words {
            *self.words.entry(k).or_default() |= v;
        }
        for (k, v) in other.phrases {
            *self.phrases.entry(k).or_default() |= v;
        }
        for (k, v) in other.phrase_starts {
            let n = self.phrase_starts.entry(k).or_default();
            *n = (*n).max(v);
        }
        for (k, v) in other.counts {
            let e = self.counts.entry(k).or_default();
            *e = (*e).max(v);
        }
        self.diagnostics.extend(other.diagnostics);
    }
}

/// A form as the rules see it: normalized, then its words (runs of word
/// characters) joined by one space, so that `Mr.` is `mr` and
/// `Secretary-General` is `secretary general`, as the text's words are.
pub fn lexicon_key(form: &str) -> String {
    let norm = normalize_str(form);
    let mut key = String::with_capacity(norm.len());
    for word in norm
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled-in image is the built-in files parsed, and reads back
    /// to the same bytes (the image writes its tables sorted).
    #[test]
    fn the_compiled_lexicon_image_is_the_builtin_files_parsed() {
        let image = crate::builtin::LEXICON_IMAGE;
        assert!(image.len() > 100_000, "the built-in lexicon has an image");
        assert_eq!(Lexicon::parse_builtin().to_image(), image);
        let back = Lexicon::from_image(image);
        assert!(back.as_ref().is_some_and(|l| l.to_image() == image));
        assert_eq!(back.map(|l| l.len()), Some(Lexicon::parse_builtin().len()));
    }

    /// The built-in lexicon read in place answers every lookup as the
    /// parse of its files does, for every form and for forms it lacks; a
    /// change after it keeps the forms read in place.
    #[test]
    fn the_lexicon_read_in_place_answers_as_the_parse() {
        let parsed = Lexicon::parse_builtin();
        let image = Lexicon::builtin();
        assert!(image.image.is_some() && parsed.image.is_none());
        assert_eq!(image.len(), parsed.len());
        assert_eq!(image.class_counts(), parsed.class_counts());
        let mut missing = 0;
        for (k, &v) in &parsed.words {
            assert_eq!(image.classes(k), v, "{k}");
            assert_eq!(image.count(k), parsed.count(k), "{k}");
            assert_eq!(
                image.longest_phrase_from(k),
                parsed.longest_phrase_from(k),
                "{k}"
            );
            // The word with a letter more, which is (mostly) no form.
            let other = format!("{k}ة");
            assert_eq!(image.classes(&other), parsed.classes(&other), "{other}");
            missing += usize::from(parsed.classes(&other) == 0);
        }
        assert!(
            missing > 1000,
            "the missing forms were looked up: {missing}"
        );
        for (k, &v) in &parsed.phrases {
            assert_eq!(image.phrase_key_classes(k), v, "{k}");
            assert_eq!(image.is_rejected(k), parsed.is_rejected(k), "{k}");
        }
        let mut words: Vec<(&str, u32)> = image.words().collect();
        words.sort_unstable();
        let mut want: Vec<(&str, u32)> = parsed.words().collect();
        want.sort_unstable();
        assert_eq!(words, want);
        let mut changed = Lexicon::builtin();
        changed.add_csv(
            "more.csv",
            "form,class
زرقاوي,name-word
"
            .as_bytes(),
        );
        assert!(changed.image.is_none());
        assert_eq!(changed.len(), parsed.len() + 1);
        let some = parsed
            .words
            .keys()
            .next()
            .map(|k| k.to_string())
            .unwrap_or_default();
        assert_eq!(changed.classes(&some), parsed.classes(&some));
        assert_eq!(changed.classes("زرقاوي"), class::NAME_WORD);
    }

    /// A probe finds each key of a table `slots_for` made, not another
    /// one, and ends on a table with no empty slot (each slot probed once).
    #[test]
    fn a_probe_finds_the_keys_and_ends_on_a_full_table() {
        let keys = ["paris", "فيصل", "x", ""];
        let Some((bits, slots)) = slots_for(&keys) else {
            panic!("four keys fit")
        };
        let bytes: Vec<u8> = slots.iter().flat_map(|s| s.to_le_bytes()).collect();
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(probe(&bytes, bits, key, |k| keys[k] == *key), Some(i));
        }
        assert_eq!(probe(&bytes, bits, "rome", |k| keys[k] == "rome"), None);
        // Every slot taken, by keys whose tags all match: the probe asks
        // each slot once, then gives up.
        let full: Vec<u8> = (0..slots.len() as u32)
            .flat_map(|k| ((k % 4 + 1) | slot_tag(key_hash("rome"))).to_le_bytes())
            .collect();
        let mut asked = 0;
        assert_eq!(
            probe(&full, bits, "rome", |_| {
                asked += 1;
                false
            }),
            None
        );
        assert_eq!(asked, slots.len());
    }

    /// `words_with` is `words` filtered by the mask, from the image and
    /// from the maps alike, and `count_words_with` counts it.
    #[test]
    fn words_with_a_class_are_the_words_filtered() {
        for lex in [Lexicon::builtin(), Lexicon::parse_builtin()] {
            for mask in [class::GIVEN, class::ROLE | class::KIN, 0] {
                let mut filtered: Vec<(&str, u32)> =
                    lex.words().filter(|&(_, v)| v & mask != 0).collect();
                let mut with: Vec<(&str, u32)> = lex.words_with(mask).collect();
                filtered.sort_unstable();
                with.sort_unstable();
                assert_eq!(with, filtered, "{mask}");
                assert_eq!(lex.count_words_with(mask), filtered.len(), "{mask}");
                assert!(mask == 0 || filtered.len() > 10, "{mask}");
            }
        }
    }

    /// A small lexicon round-trips; a malformed image is refused; a
    /// lexicon with diagnostics has no image.
    #[test]
    fn lexicon_images_round_trip_and_refuse_bad_bytes() {
        let mut lex = Lexicon::new();
        let csv = "form,class,count\nفيصل,given,12\nوزير الخارجية,role,\nParis,place,3\n";
        lex.add_csv("l.csv", csv.as_bytes());
        // An image is read in place, so it lives as long as the program.
        let image: &'static [u8] = lex.to_image().leak();
        let back = Lexicon::from_image(image);
        assert!(back.as_ref().is_some_and(|b| b.to_image() == image));
        let Some(back) = back else { return };
        assert_eq!(back.classes("فيصل"), class::GIVEN);
        assert_eq!(back.count("فيصل"), Some(12));
        assert_eq!(back.phrase_classes(&["وزير", "الخارجيه"]), class::ROLE);
        assert_eq!(back.longest_phrase_from("وزير"), 2);
        let mut longer = image.to_vec();
        longer.push(0);
        // The first key is `paris` (the keys are sorted); one byte longer,
        // it would end inside the first letter of the next key, فيصل.
        let size = u64::from_le_bytes(image[8..16].try_into().unwrap_or_default()) as usize;
        let first_len = 16 + size + 4;
        assert_eq!(&image[first_len..first_len + 4], &5u32.to_le_bytes());
        assert!(image[16..].starts_with("parisفيصل".as_bytes()));
        let mut split = image.to_vec();
        split[first_len] = 6;
        // The second key ending before the first does (inside `paris`).
        let mut backwards = image.to_vec();
        backwards[first_len + 8..first_len + 12].copy_from_slice(&4u32.to_le_bytes());
        // The text one byte longer than its keys.
        let mut longer_text = image.to_vec();
        longer_text[8..16].copy_from_slice(&(size as u64 + 1).to_le_bytes());
        longer_text.insert(16 + size, b'x');
        // The words' hash table: after their 2 entries, `bits` (2: 4
        // slots), then the slots. A slot past the keys, or no empty slot
        // (a lookup of a missing word would not end), is refused.
        let slots_at = first_len + 2 * 8 + 4;
        assert_eq!(&image[slots_at - 4..slots_at], &2u32.to_le_bytes());
        let mut past = image.to_vec();
        past[slots_at..slots_at + 4].copy_from_slice(&3u32.to_le_bytes());
        let mut full = image.to_vec();
        for k in 0..4 {
            let at = slots_at + 4 * k;
            full[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
        }
        let half = &image[..image.len() / 2];
        for bad in [
            &[][..],
            &image[..8],
            half,
            &image[..image.len() - 1],
            &longer,
            &split,
            &backwards,
            &longer_text,
            &past,
            &full,
        ] {
            let bad: &'static [u8] = bad.to_vec().leak();
            assert!(Lexicon::from_image(bad).is_none());
        }
        lex.add_csv("bad.csv", "form,class\nx,nonsense\n".as_bytes());
        assert!(lex.to_image().is_empty());
    }

    #[test]
    fn forms_are_normalized_and_classes_accumulate() {
        let mut lex = Lexicon::new();
        lex.add_csv(
            "l.csv",
            "form,class,count,note\nأحمد,given,120,\nاحمد,name-word,,\nMr.,title,,\nPrime Minister,role,,\n"
                .as_bytes(),
        );
        assert!(lex.diagnostics().is_empty(), "{:?}", lex.diagnostics());
        assert_eq!(lex.classes("احمد"), class::GIVEN | class::NAME_WORD);
        assert_eq!(lex.count("احمد"), Some(120));
        assert_eq!(lex.classes("mr"), class::TITLE);
        assert_eq!(lex.phrase_classes(&["prime", "minister"]), class::ROLE);
        assert_eq!(lex.longest_phrase_from("prime"), 2);
        assert_eq!(lex.longest_phrase_from("minister"), 1);
        assert_eq!(lex.classes("unknown"), 0);
    }

    #[test]
    fn bad_rows_are_errors_at_their_line() {
        let mut lex = Lexicon::new();
        lex.add_csv(
            "l.csv",
            "form,class,count\nفيصل,given,\n,given,\nغيث,surname,\nعادل,given,many\n...,stop,\n"
                .as_bytes(),
        );
        let lines: Vec<String> = lex.diagnostics().iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].starts_with("l.csv:3: error: empty form"));
        assert!(lines[1].starts_with("l.csv:4: error: unknown class \"surname\""));
        assert!(lines[2].starts_with("l.csv:5: error: count \"many\""));
        assert!(lines[3].starts_with("l.csv:6: error: form \"...\" has no letters"));
        assert_eq!(lex.classes("فيصل"), class::GIVEN);
        let mut lex = Lexicon::new();
        lex.add_csv("h.csv", "word,kind\n".as_bytes());
        assert!(
            lex.diagnostics()[0]
                .to_string()
                .starts_with("h.csv:1: error: the header")
        );
    }

    #[test]
    fn builtin_lexicon_loads_without_errors() {
        let lex = Lexicon::builtin();
        assert!(lex.diagnostics().is_empty(), "{:?}", lex.diagnostics());
        assert_ne!(lex.classes("السيد") & class::TITLE, 0);
    }

    #[test]
    fn rejected_names() {
        let mut lex = Lexicon::new();
        lex.add_csv("r.csv", "form,class\nمحمد العلي,reject\n".as_bytes());
        assert!(lex.is_rejected("محمد العلي"));
        assert!(!lex.is_rejected("محمد"));
    }
}
