//! Relation hints; the rules are documented on [`Relations`], the public item.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{CsvBase, Error, Position};
use crate::gazetteer::csv_files;
use crate::matcher::words::WordBits;
use crate::normalize::{is_word_char, normalize_str, normalize_word_into};
use crate::pipeline::Mention;
use crate::segment::Windows;

/// The kind of the rows that list words that are no trigger.
pub const NOT: &str = "not";

/// The most words between a trigger before (after) a pair and the first
/// (last) name of the pair.
pub const REACH: usize = 3;

/// The built-in relation files, compiled into the library.
const BUILTIN: &[(&str, &str)] = &[
    ("ar.csv", include_str!("../gazetteers/relations/ar.csv")),
    ("en.csv", include_str!("../gazetteers/relations/en.csv")),
];

/// Orders in which a trigger gives a direction, as bits.
pub mod pattern {
    /// `X T Y`: source, trigger, target.
    pub const XTY: u8 = 1;
    /// `T X Y`: trigger, source, target (Arabic verb first).
    pub const TXY: u8 = 2;
    /// `Y T X`: target, trigger, source (English passive).
    pub const YTX: u8 = 4;

    /// Parses `X T Y|T X Y` (spaces optional); `None` for an unknown order.
    pub fn parse(s: &str) -> Option<u8> {
        let mut bits = 0;
        for part in s.split('|') {
            let compact: String = part.chars().filter(|c| !c.is_whitespace()).collect();
            bits |= match compact.to_ascii_uppercase().as_str() {
                "" => 0,
                "XTY" => XTY,
                "TXY" => TXY,
                "YTX" => YTX,
                _ => return None,
            };
        }
        Some(bits)
    }
}

/// Arabic proclitic prefixes tried before a trigger (normalized): every
/// non-empty `{و ف}? {ب ك ل س}? ال?` (ل + ال written لل, never س + ال),
/// with the fewest letters the trigger's form (without its suffix) must
/// keep after each: two after و or ف alone, three after the others (so
/// بحث, researched, is not ب + حث, urged).
const AR_PREFIXES: &[(&str, usize)] = &[
    ("وبال", 3),
    ("وكال", 3),
    ("فبال", 3),
    ("فكال", 3),
    ("وال", 3),
    ("فال", 3),
    ("بال", 3),
    ("كال", 3),
    ("ولل", 3),
    ("فلل", 3),
    ("وب", 3),
    ("وك", 3),
    ("ول", 3),
    ("وس", 3),
    ("فب", 3),
    ("فك", 3),
    ("فل", 3),
    ("فس", 3),
    ("لل", 3),
    ("ال", 3),
    ("و", 2),
    ("ف", 2),
    ("ب", 3),
    ("ك", 3),
    ("ل", 3),
    ("س", 3),
];

/// Whether `c` is a letter of some prefix of [`AR_PREFIXES`] (a test
/// checks it against the list).
fn is_prefix_letter(c: char) -> bool {
    matches!(c, 'و' | 'ف' | 'ب' | 'ك' | 'ل' | 'س' | 'ا')
}

/// Arabic suffixes a trigger's first word may take (normalized).
const AR_SUFFIXES: &[&str] = &[
    "تهما", "تهم", "تها", "ته", "تموه", "وها", "وه", "هما", "هم", "هن", "ها", "ه", "وا", "تا",
    "تم", "نا", "ني", "كم", "ك", "ت", "ا", "ن", "ات", "ان", "ين", "ون", "تان", "تين",
];

/// The Arabic suffixes of [`AR_SUFFIXES`] that hold an object pronoun
/// (`استقبلها بوتين`: Putin received her): the name after the verb is then
/// its subject.
const AR_OBJECT_SUFFIXES: &[&str] = &[
    "تهما", "تهم", "تها", "ته", "تموه", "وها", "وه", "هما", "هم", "هن", "ها", "ه", "ني", "كم", "ك",
];

/// Latin suffixes a trigger's first word may take.
const LATIN_SUFFIXES: &[&str] = &["s", "es", "ed", "d", "ing"];

/// One trigger of a relation list.
#[derive(Clone, Debug)]
struct Trigger {
    /// Index in [`Relations::kinds`].
    kind: u16,
    /// The normalized words after the first.
    rest: Box<[Box<str>]>,
    /// Pattern bits (one per pattern of the trigger's row).
    patterns: u8,
}

/// Where a trigger was found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The relation kind.
    pub kind: Arc<str>,
    /// Byte range of the trigger in the text.
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// Its sentence.
    pub sentence: usize,
    /// Pattern bits (one per pattern of the trigger's row).
    pub patterns: u8,
}

/// The triggers found in one document, with the word starts of the
/// sentences they were looked for in (to count the words between a
/// trigger and a name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    /// The triggers, in text order.
    pub hits: Vec<Hit>,
    /// Byte offsets of the words of the sentences searched, in order.
    pub words: Vec<usize>,
}

impl Hits {
    /// Whether a trigger was found in sentence `sentence`.
    pub fn has_sentence(&self, sentence: usize) -> bool {
        !self.in_sentence(sentence).is_empty()
    }

    /// The triggers found in sentence `sentence` (the hits are in text
    /// order, so by sentence).
    fn in_sentence(&self, sentence: usize) -> &[Hit] {
        let lo = self.hits.partition_point(|h| h.sentence < sentence);
        let n = self.hits[lo..].partition_point(|h| h.sentence == sentence);
        &self.hits[lo..lo + n]
    }

    /// Words that start in `[from, to)` of the searched sentences.
    pub fn words_between(&self, from: usize, to: usize) -> usize {
        if to <= from {
            return 0;
        }
        self.words.partition_point(|&w| w < to) - self.words.partition_point(|&w| w < from)
    }
}

/// Relation hints: trigger words that say *how* two co-occurring entities
/// are linked (met, visited, sanctioned, ...), from word lists beside the
/// gazetteers (`gazetteers/relations/*.csv`, compiled in; a `-g` or
/// `--add-gazetteer` folder's `relations/` folder replaces or adds to them).
///
/// A relation file is UTF-8 CSV with the header `kind,trigger,pattern`
/// (and an optional `note`): one trigger a row. `trigger` is one word or a
/// phrase; `kind` names the relation (`meet`, `visit`, ...); `pattern` is
/// empty (the relation has no direction) or one or more of `X T Y`, `T X Y`
/// and `Y T X` joined by `|`: the orders in which the trigger (`T`) gives a
/// direction from the source `X` to the target `Y`. A row of kind `not`
/// lists a word that is never a trigger, whatever it looks like (`وزارة`,
/// a ministry, is not و + زار + ة); it holds after a proclitic prefix too.
///
/// **Matching.** Triggers are normalized like gazetteer aliases. The first
/// word of a trigger matches inflected:
///
/// - Arabic: after a proclitic prefix (`و ف`, then `ب ك ل س`, then `ال`,
///   as in `وزار`, `سيزور`, `بالزيارة`), when the trigger's form keeps at
///   least three letters, or two after `و`/`ف` alone (`بحثها` is not ب +
///   حث + ها, `وحثها` is و + حث + ها); with one suffix (verb endings `ت ا وا تا
///   تم نا ن`, pronouns `ه ها هم هما هن ك كم ني`, and their combinations
///   with `ت`; plural and dual endings `ات ان ين ون تان تين`); a form that
///   ends in `ة` (`ه` normalized) also takes its suffix after `ت`
///   (`زيارته`) or in its place (`زيارات`); one that ends in `ى` or `ا`
///   also drops it (`التقت`, `دعت`); a form that starts with `ي` (the imperfect) also starts
///   with `ت`, `ن` or `ا` (`تزور`, `نزور`). A verb that took an object
///   pronoun (`استقبلها بوتين`, Putin received her) has the name after it
///   as its subject: `X T Y` reads `Y T X`, and `T X Y` gives no
///   direction.
/// - Latin: with `-s`, `-es`, `-ed`, `-d` or `-ing`, and a form that ends in
///   `e` also without it before `-ing`/`-ed` (`urging`).
///
/// The other words of a phrase match as listed, or after `ال`. At each word
/// the longest trigger wins (`called on` before `call`). A trigger inside
/// a mention is no trigger.
///
/// **Counting.** A trigger links two mentions of the same sentence when it
/// is between them, or before the first or after the second with at most
/// `REACH` (3) words in between. A co-occurring pair gets, per window, one
/// count for each kind of trigger that links two of its mentions in that
/// window; the count is directed (`X → Y`) when the trigger's pattern says
/// so for where the trigger and the two names are.
///
/// Worked example, window = sentence: `زار بوتين الصين ثم التقى شي.` has
/// `زار` before Putin and China (pattern `T X Y`: Putin → China, visit) and
/// `التقى` after both with no word between (meet, undirected): the pair
/// (China, Putin) gets `meet:1|visit:1` and a directed visit from Putin.
///
///
/// ```
/// use alam::Relations;
/// let mut rel = Relations::new();
/// rel.add_csv("mine.csv", "kind,trigger,pattern\nvisit,زار,X T Y|T X Y\n".as_bytes())?;
/// assert_eq!(rel.lookup("وزارها").map(|(kind, _)| kind), Some("visit"));
/// assert_eq!(rel.lookup("وزير"), None);
/// # Ok::<(), alam::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Relations {
    /// Relation kinds, in the order first listed.
    kinds: Vec<Arc<str>>,
    /// The triggers by the key of their first word (the form, and its
    /// variants: see [`keys_of`]).
    by_key: FxHashMap<Box<str>, Vec<u32>>,
    triggers: Vec<Trigger>,
    /// The prefixes and suffixes, packed (see [`Relations::visit_keys`]).
    cuts: Cuts,
    /// Words that are never the first word of a trigger (kind `not`),
    /// normalized, as written or after a proclitic prefix.
    not: FxHashSet<Box<str>>,
    /// The most words a trigger has (0 when there is none).
    longest: usize,
    /// A number no other set of lists has had, given anew at each change
    /// (0 for none): the key of the per-thread [`KEYLESS`] words.
    generation: u64,
}

/// The source of [`Relations`]' generations.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// Per thread, words (as written: the normalized form is a function of
    /// them) none of whose normalized keys is the key of a trigger of the
    /// lists of one generation: such a word starts no trigger whatever
    /// words follow it, and most words of a text are such words (proving
    /// it, the word normalized and every key of it looked up, was about
    /// 900 instructions a word in `Relations::find`).
    static KEYLESS: std::cell::RefCell<KeylessWords> =
        std::cell::RefCell::new(KeylessWords::new(0));
}

/// `log2` of the number of slots of [`KeylessWords`]: 2^15 slots of 32
/// bytes, 1 MB a thread.
const KEYLESS_SLOT_BITS: u32 = 15;

/// The bytes of a [`KeylessWords`] slot: the word's length, then its
/// bytes, zero-padded.
const KEYLESS_SLOT: usize = 32;

/// A direct-mapped cache of the words found keyless under the lists of
/// one generation: a word of up to 31 bytes has one slot, chosen by a
/// hash of its bytes, which holds its length and its bytes; storing a
/// word replaces the one that was in its slot, and a word is known only
/// while it is there. A lookup is one slot read and compared as a whole
/// (no key pointer followed, no string compared byte by byte; the hash
/// set of boxed words it replaced was 6% of the one-core time on the
/// Arabic 50 MB). Exact: a word is reported keyless only when its own
/// bytes are in the slot, so a forgotten word is only looked up again.
struct KeylessWords {
    /// The [`Relations::generation`] of the lists the words are keyless
    /// under.
    generation: u64,
    slots: Box<[[u8; KEYLESS_SLOT]]>,
}

impl KeylessWords {
    /// An empty cache for the lists of `generation`.
    fn new(generation: u64) -> KeylessWords {
        KeylessWords {
            generation,
            slots: Vec::new().into_boxed_slice(),
        }
    }

    /// Forgets every word unless the cache is for `generation` already.
    fn keep_for(&mut self, generation: u64) {
        if self.generation != generation {
            self.generation = generation;
            self.slots.fill([0; KEYLESS_SLOT]);
        }
    }

    /// The slot of `word` and what it holds when it holds `word`; `None`
    /// for an empty word or one too long to be kept.
    fn slot_of(word: &str) -> Option<(usize, [u8; KEYLESS_SLOT])> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() >= KEYLESS_SLOT {
            return None;
        }
        let mut held = [0u8; KEYLESS_SLOT];
        held[0] = bytes.len() as u8;
        held[1..=bytes.len()].copy_from_slice(bytes);
        let hash = crate::matcher::hash_word(bytes);
        Some(((hash >> (64 - KEYLESS_SLOT_BITS)) as usize, held))
    }

    /// Whether `word` is known to be keyless.
    fn contains(&self, word: &str) -> bool {
        Self::slot_of(word).is_some_and(|(at, held)| self.slots.get(at) == Some(&held))
    }

    /// Keeps `word` as keyless (a word of 32 bytes or more is not kept).
    fn insert(&mut self, word: &str) {
        let Some((at, held)) = Self::slot_of(word) else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![[0; KEYLESS_SLOT]; 1 << KEYLESS_SLOT_BITS].into_boxed_slice();
        }
        self.slots[at] = held;
    }
}

impl Relations {
    /// No triggers.
    pub fn new() -> Relations {
        Relations::default()
    }

    /// The lists shipped in `gazetteers/relations/`.
    pub fn builtin() -> Relations {
        let mut rel = Relations::new();
        for (name, data) in BUILTIN {
            // The built-in files are checked by the tests.
            let _ = rel.add_csv(&format!("<builtin>/relations/{name}"), data.as_bytes());
        }
        rel
    }

    /// The lists that go with `-g base` and `--add-gazetteer add...`:
    /// `base/relations/` if it exists (else the built-in lists), then the
    /// `relations/` folder of every folder of `add` that has one.
    pub fn for_gazetteer(base: Option<&Path>, add: &[PathBuf]) -> Result<Relations, Error> {
        let mut rel = match base.map(|dir| dir.join("relations")) {
            Some(sub) if sub.is_dir() => {
                let mut r = Relations::new();
                r.add_dir(&sub)?;
                r
            }
            _ => Relations::builtin(),
        };
        for dir in add {
            let sub = dir.join("relations");
            if sub.is_dir() {
                rel.add_dir(&sub)?;
            }
        }
        Ok(rel)
    }

    /// Adds every `*.csv` file of `dir`, in file-name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        for path in csv_files(dir)? {
            let file = std::fs::File::open(&path).map_err(|source| Error::Io {
                path: path.clone(),
                error: source,
            })?;
            self.add_csv(&path.display().to_string(), file)?;
        }
        Ok(())
    }

    /// Adds the rows of one CSV file; `label` names it in errors, which
    /// are `label:line: what is wrong`.
    pub fn add_csv<R: Read>(&mut self, label: &str, reader: R) -> Result<(), Error> {
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = Path::new(label);
        let err = |position: Position, message: String| Error::Input { position, message };
        let at = |line: u64, message: String| err(Position::new(path, line), message);
        let mut data = Vec::new();
        let mut reader = reader;
        reader
            .read_to_end(&mut data)
            .map_err(|e| at(0, format!("cannot read the file: {e}")))?;
        let data = data.as_slice();
        let at_csv = |p: Option<&csv::Position>, message: String| {
            err(
                p.map_or_else(
                    || Position::new(path, 0),
                    |p| Position::of_csv(path, data, p, CsvBase::FILE),
                ),
                message,
            )
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
        let headers = rdr
            .headers()
            .map_err(|e| at(1, format!("cannot read the header: {e}")))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(kind_col), Some(trigger_col)) = (column("kind"), column("trigger")) else {
            return Err(at(
                1,
                "the header must have the columns kind and trigger (and may have pattern, note)"
                    .into(),
            ));
        };
        let pattern_col = column("pattern");
        for rec in rdr.records() {
            let rec = rec.map_err(|e| at_csv(e.position(), format!("malformed row: {e}")))?;
            let here = rec.position();
            let get = |c: usize| rec.get(c).unwrap_or("").trim();
            let (kind, trigger) = (get(kind_col), get(trigger_col));
            if kind.is_empty() || trigger.is_empty() {
                return Err(at_csv(here, "kind and trigger must not be empty".into()));
            }
            if kind.contains(['|', ':', '>', '<']) {
                return Err(at_csv(
                    here,
                    format!("the kind {kind:?} must not contain | : > or <"),
                ));
            }
            let raw_pattern = pattern_col.map_or("", get);
            let patterns = pattern::parse(raw_pattern).ok_or_else(|| {
                at_csv(
                    here,
                    format!(
                        "unknown pattern {raw_pattern:?} (expected X T Y, T X Y, Y T X, joined by |, or empty)"
                    ),
                )
            })?;
            let words = words_of(trigger);
            if kind == NOT {
                match words.as_slice() {
                    [word] => {
                        self.not.insert(Box::from(word.as_str()));
                        continue;
                    }
                    _ => {
                        return Err(at_csv(
                            here,
                            format!("a `not` row lists one word, not {trigger:?}"),
                        ));
                    }
                }
            }
            let Some((first, rest)) = words.split_first() else {
                return Err(at_csv(here, format!("the trigger {trigger:?} has no word")));
            };
            let kind = match self.kinds.iter().position(|k| k.as_ref() == kind) {
                Some(k) => k,
                None => {
                    self.kinds.push(Arc::from(kind));
                    self.kinds.len() - 1
                }
            };
            let index = self.triggers.len() as u32;
            self.longest = self.longest.max(words.len());
            self.triggers.push(Trigger {
                kind: kind as u16,
                rest: rest.iter().map(|w| Box::from(w.as_str())).collect(),
                patterns,
            });
            if self.cuts.prefixes.is_empty() {
                self.cuts = Cuts::new();
            }
            for key in keys_of(first) {
                self.cuts.add_key(&key);
                let list = self.by_key.entry(key.into_boxed_str()).or_default();
                if !list.contains(&index) {
                    list.push(index);
                }
            }
        }
        Ok(())
    }

    /// Whether `word` (normalized), or what follows a proclitic prefix of
    /// it, is listed as `not` a trigger.
    fn is_not(&self, word: &str) -> bool {
        if self.not.is_empty() {
            return false;
        }
        self.not.contains(word)
            || (is_arabic(word)
                && AR_PREFIXES
                    .iter()
                    .any(|(p, _)| word.strip_prefix(p).is_some_and(|b| self.not.contains(b))))
    }

    /// Whether there is no trigger.
    pub fn is_empty(&self) -> bool {
        self.triggers.is_empty()
    }

    /// The relation kinds, in the order first listed.
    pub fn kinds(&self) -> &[Arc<str>] {
        &self.kinds
    }

    /// The one-word trigger `word` (as written) is an inflected form of:
    /// its kind and pattern bits (the kind listed first when it is a form
    /// of several); `None` when it is none.
    pub fn lookup(&self, word: &str) -> Option<(&str, u8)> {
        let norm = normalize_str(word);
        let mut best: Option<(&Trigger, bool)> = None;
        self.visit_keys(&norm, |key, object| {
            for &t in self.by_key.get(key).into_iter().flatten() {
                let t = &self.triggers[t as usize];
                if t.rest.is_empty() && best.is_none_or(|(b, _)| b.kind > t.kind) {
                    best = Some((t, object));
                }
            }
        });
        if self.is_not(&norm) {
            return None;
        }
        best.map(|(t, object)| {
            let patterns = if object {
                with_object(t.patterns)
            } else {
                t.patterns
            };
            (self.kinds[t.kind as usize].as_ref(), patterns)
        })
    }

    /// Finds the triggers of the sentences of `text` that have mentions
    /// of at least two entities (the only ones a pair can be linked in),
    /// outside the mentions, that may link two of them (see the module
    /// docs): from `REACH` words before the first mention to `REACH` words
    /// after the last. The triggers found are those a search of the whole
    /// sentence, left to right, finds there (a phrase that a trigger
    /// before that stretch would cover is not read as the start of one).
    pub fn find(&self, text: &str, windows: &Windows, mentions: &[Mention]) -> Hits {
        let mut out = Hits::default();
        if self.is_empty() {
            return out;
        }
        KEYLESS.with(|cell| {
            let mut own = KeylessWords::new(self.generation);
            // Never held across a call of this function: the borrow cannot
            // fail, but a set of its own would do if it did.
            let mut shared = cell.try_borrow_mut();
            let keyless = match &mut shared {
                Ok(shared) => &mut **shared,
                Err(_) => &mut own,
            };
            keyless.keep_for(self.generation);
            let mut words = SentenceWords::default();
            // Mentions are in text order: each run of one sentence.
            for group in mentions.chunk_by(|x, y| x.sentence == y.sentence) {
                let first = &group[0].entity_id;
                if group.iter().all(|m| m.entity_id == *first) {
                    continue;
                }
                let sentence = group[0].sentence;
                let range = windows.sentence_range(sentence, text.len());
                words.read(text, range);
                self.find_in(text, &mut words, sentence, group, keyless, &mut out);
            }
        });
        out
    }

    /// The triggers of one sentence (its words read into `words`), whose
    /// mentions are `mentions` (in text order).
    fn find_in(
        &self,
        text: &str,
        words: &mut SentenceWords,
        sentence: usize,
        mentions: &[Mention],
        keyless: &mut KeylessWords,
        out: &mut Hits,
    ) {
        let n_words = words.ranges.len();
        out.words.extend(words.ranges.iter().map(|w| w.0));
        let longest = self.longest.max(1);
        // A trigger before the first mention links only with at most
        // REACH words between (`words_between` counts the word starts
        // before the mention's start, a word it starts in included); one
        // after the last mention the same (from its end).
        let first_start = mentions.first().map_or(0, |m| m.byte_start);
        let last_end = mentions.iter().map(|m| m.byte_end).max().unwrap_or(0);
        let before = words.ranges.partition_point(|w| w.0 < first_start);
        let after = words.ranges.partition_point(|w| w.0 < last_end);
        // A trigger that may link ends at word `before - REACH - 1` or
        // later: one that starts before it covers it (the scan below finds
        // it there).
        let lo = before.saturating_sub(REACH + 1);
        let hi = (after + REACH + 1).min(n_words);
        if lo >= hi {
            return;
        }
        // Where a left-to-right scan of the whole sentence would be at a
        // word at or before `lo`: a word is reached unless a trigger found
        // fewer than `longest` words before it covers it; then the scan is
        // at that trigger's word or before.
        let mut start = lo;
        loop {
            let covering = (start.saturating_sub(longest - 1)..start).find(|&q| {
                self.hit_at(text, words, mentions, q, keyless)
                    .is_some_and(|(_, n, _)| q + n > start)
            });
            match covering {
                Some(q) => start = q,
                None => break,
            }
        }
        let mut i = start;
        while i < hi {
            match self.hit_at(text, words, mentions, i, keyless) {
                Some((t, n, object)) => {
                    out.hits.push(Hit {
                        kind: self.kinds[t.kind as usize].clone(),
                        start: words.ranges[i].0,
                        end: words.ranges[i + n - 1].1,
                        sentence,
                        patterns: if object {
                            with_object(t.patterns)
                        } else {
                            t.patterns
                        },
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
    }

    /// The trigger found at word `i` of a sentence (of `text`), with its
    /// number of words and whether its first word took an object pronoun:
    /// the longest that matches (the kind listed first among those as
    /// long), unless it overlaps a mention or its first word is a `not`
    /// word. A word known to be keyless is not normalized; otherwise it
    /// is, and the words after it as far as a phrase that starts with
    /// one of its keys reaches.
    fn hit_at(
        &self,
        text: &str,
        words: &mut SentenceWords,
        mentions: &[Mention],
        i: usize,
        keyless: &mut KeylessWords,
    ) -> Option<(&Trigger, usize, bool)> {
        let inside_mention =
            |s: usize, e: usize| mentions.iter().any(|m| m.byte_start < e && s < m.byte_end);
        // A trigger that starts in a mention overlaps it and is refused
        // whatever it is: the word's keys are not looked up.
        let (s, e) = words.ranges[i];
        if inside_mention(s, e) {
            return None;
        }
        // Keyless or not is a property of the word as written (its
        // normalized form depends on nothing else).
        let written = &text[s..e];
        if keyless.contains(written) {
            return None;
        }
        // The word first; the words after it only when one of its keys
        // starts a phrase that reaches them (most words have no key). The
        // triggers its keys list are kept (as many as `FOUND` holds) to be
        // matched once those words are normalized.
        const FOUND: usize = 16;
        words.normalize(text, i, i + 1);
        let (mut reach, mut any_key) = (i + 1, false);
        let mut found = [(0u32, false); FOUND];
        let mut n_found = 0;
        self.visit_keys(words.norm(i), |key, object| {
            let triggers = self.by_key.get(key);
            any_key |= triggers.is_some();
            for &t in triggers.into_iter().flatten() {
                reach = reach.max(i + 1 + self.triggers[t as usize].rest.len());
                if let Some(slot) = found.get_mut(n_found) {
                    *slot = (t, object);
                }
                n_found += 1;
            }
        });
        if !any_key {
            keyless.insert(written);
            return None;
        }
        words.normalize(text, i + 1, reach.min(words.ranges.len()));
        let words = &*words;
        let ranges = &words.ranges;
        let mut best: Option<(&Trigger, usize, bool)> = None;
        let word = words.norm(i);
        let mut consider = |t: u32, object: bool| {
            let t = &self.triggers[t as usize];
            let n = 1 + t.rest.len();
            if i + n > ranges.len() || !rest_matches(&t.rest, |k| words.norm(i + 1 + k)) {
                return;
            }
            let better = match best {
                None => true,
                Some((b, bn, _)) => n > bn || (n == bn && t.kind < b.kind),
            };
            if better {
                best = Some((t, n, object));
            }
        };
        if n_found <= FOUND {
            for &(t, object) in &found[..n_found] {
                consider(t, object);
            }
        } else {
            self.visit_keys(word, |key, object| {
                for &t in self.by_key.get(key).into_iter().flatten() {
                    consider(t, object);
                }
            });
        }
        best.filter(|&(_, n, _)| {
            !inside_mention(ranges[i].0, ranges[i + n - 1].1) && !self.is_not(word)
        })
    }
}

/// Whether the normalized words `word(0)`, `word(1)`, ... are the rest of
/// a phrase `rest` (each as listed, or after the article).
fn rest_matches<'w>(rest: &[Box<str>], word: impl Fn(usize) -> &'w str) -> bool {
    rest.iter().enumerate().all(|(k, r)| {
        let w = word(k);
        w == r.as_ref() || w.strip_prefix("ال").is_some_and(|w| w == r.as_ref())
    })
}

/// The words of one sentence: their byte ranges in the text and the
/// normalized forms of those [`Relations::find`] asks for, normalized when
/// first asked for, all in one buffer (kept from one sentence to the next,
/// so that a document's words cost no allocation each).
#[derive(Debug, Default)]
struct SentenceWords {
    /// Byte ranges of the words in the text.
    ranges: Vec<(usize, usize)>,
    /// The normalized words, one after the other, in the order they were
    /// normalized.
    buf: String,
    /// The byte range in `buf` of the normalized form of each word;
    /// [`NOT_NORMALIZED`] for a word not normalized yet.
    norms: Vec<Range<usize>>,
}

/// [`SentenceWords::norms`] of a word not normalized yet.
const NOT_NORMALIZED: Range<usize> = usize::MAX..usize::MAX;

impl SentenceWords {
    /// Reads the words of `text[range]` in place of those read before.
    fn read(&mut self, text: &str, range: Range<usize>) {
        self.ranges.clear();
        self.buf.clear();
        self.norms.clear();
        word_ranges_into(&text[range.clone()], range.start, &mut self.ranges);
        self.norms.resize(self.ranges.len(), NOT_NORMALIZED);
    }

    /// Normalizes the words `from..to` (of `text`, which they were read
    /// from) that are not normalized yet.
    fn normalize(&mut self, text: &str, from: usize, to: usize) {
        for k in from..to {
            if self.norms[k] == NOT_NORMALIZED {
                let (s, e) = self.ranges[k];
                let at = self.buf.len();
                normalize_word_into(&text[s..e], &mut self.buf);
                self.norms[k] = at..self.buf.len();
            }
        }
    }

    /// The normalized form of word `i` (normalized by [`Self::normalize`]
    /// before: "" otherwise, which is no word's key).
    fn norm(&self, i: usize) -> &str {
        self.norms
            .get(i)
            .and_then(|r| self.buf.get(r.clone()))
            .unwrap_or("")
    }
}

/// The normalized words of a trigger.
fn words_of(trigger: &str) -> Vec<String> {
    normalize_str(trigger)
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Appends to `out` the byte ranges of the words of `text` (runs of word
/// characters, [`is_word_char`]), shifted by `offset`: found with the
/// matcher's bit per byte ([`WordBits`]), not a character at a time.
fn word_ranges_into(text: &str, offset: usize, out: &mut Vec<(usize, usize)>) {
    let words = WordBits::new(text);
    out.reserve(words.word_count());
    out.extend(words.ranges().map(|w| (offset + w.start, offset + w.end)));
}

/// Whether a normalized word is written in Arabic letters.
fn is_arabic(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The keys a trigger's normalized first word is stored under: the form;
/// for Arabic, the form ending in ه with ت in its place and without it
/// (زيارات), and the form
/// starting with ي with ت, ن or ا in its place; for Latin, a form ending in
/// `e` without it.
fn keys_of(form: &str) -> Vec<String> {
    let mut keys = vec![form.to_string()];
    if is_arabic(form) {
        let mut with_t = Vec::new();
        for k in &keys {
            if let Some(stem) = k.strip_suffix('ه') {
                with_t.push(format!("{stem}ت"));
                // The plural and dual drop the ة: زيارات.
                if stem.chars().count() >= 2 {
                    with_t.push(stem.to_string());
                }
            }
            // A verb ending in a long vowel drops it before its endings:
            // التقى, التقت; دعا, دعت.
            if let Some(stem) = k
                .strip_suffix(['ي', 'ا'])
                .filter(|s| s.chars().count() >= 2)
            {
                with_t.push(stem.to_string());
            }
        }
        keys.extend(with_t);
        let mut persons = Vec::new();
        for k in &keys {
            if let Some(rest) = k.strip_prefix('ي') {
                for p in ['ت', 'ن', 'ا'] {
                    persons.push(format!("{p}{rest}"));
                }
            }
        }
        keys.extend(persons);
    } else if let Some(stem) = form.strip_suffix('e').filter(|s| !s.is_empty()) {
        keys.push(stem.to_string());
    }
    keys
}

/// Up to four letters packed into a `u64`, 16 bits each, first letter
/// lowest: how prefixes and suffixes are compared (no string compare per
/// cut). Letters above U+FFFF never occur in the lists, and pack to a
/// value no list has.
fn pack(letters: impl Iterator<Item = char>) -> u64 {
    letters.take(4).enumerate().fold(0, |acc, (i, c)| {
        acc | ((c as u64 & 0xFFFF) | (u64::from(c as u32 > 0xFFFF) << 15)) << (16 * i)
    })
}

/// The packed prefixes and suffixes of the lists, and the lengths (in
/// letters) the keys have.
#[derive(Clone, Debug, Default)]
struct Cuts {
    /// Packed Arabic prefix -> the fewest letters that must follow.
    prefixes: FxHashMap<u64, usize>,
    /// Packed Arabic suffix -> whether it holds an object pronoun.
    ar_suffixes: FxHashMap<u64, bool>,
    /// Packed Latin suffixes.
    latin_suffixes: FxHashMap<u64, bool>,
    /// Bit `n` (at most 63) is set when some key has `n` letters.
    key_lengths: u64,
    /// A bit set of the first two letters of the keys ([`start_bit`]): a
    /// stem whose bit is clear is no key, and most words of a text are
    /// refused by it before any key is hashed and looked up.
    key_starts: Vec<u64>,
    /// The same for the last two letters of the keys, the last first
    /// ([`start_bit`] of the last letter and the one before it): checked
    /// for each cut of a word before the key is hashed.
    key_ends: Vec<u64>,
}

/// The bit of [`Cuts::key_starts`] for a key that starts with the letters
/// `a` and `b` (`None` for a key of one letter).
fn start_bit(a: char, b: Option<char>) -> usize {
    let h = (a as u32).wrapping_mul(0x9E37_79B1)
        ^ b.map_or(0x5BD1_E995, |b| (b as u32).wrapping_mul(0x85EB_CA6B));
    (h >> 16) as usize
}

impl Cuts {
    fn new() -> Cuts {
        let suffixes = |list: &[&str], object: &[&str]| {
            list.iter()
                .map(|s| (pack(s.chars()), object.contains(s)))
                .collect()
        };
        Cuts {
            prefixes: AR_PREFIXES
                .iter()
                .map(|&(p, min)| (pack(p.chars()), min))
                .collect(),
            ar_suffixes: suffixes(AR_SUFFIXES, AR_OBJECT_SUFFIXES),
            latin_suffixes: suffixes(LATIN_SUFFIXES, &[]),
            key_lengths: 0,
            key_starts: vec![0; (1 << 16) / 64],
            key_ends: vec![0; (1 << 16) / 64],
        }
    }

    fn add_key(&mut self, key: &str) {
        self.key_lengths |= 1 << key.chars().count().min(63);
        let mut letters = key.chars();
        if let Some(a) = letters.next() {
            set_bit(&mut self.key_starts, start_bit(a, letters.next()));
        }
        let mut letters = key.chars().rev();
        if let Some(z) = letters.next() {
            set_bit(&mut self.key_ends, start_bit(z, letters.next()));
        }
    }

    /// Whether some key may start with `a` and `b` (see [`start_bit`]).
    fn may_start(&self, a: char, b: Option<char>) -> bool {
        has_bit(&self.key_starts, start_bit(a, b))
    }

    /// Whether some key may end with `z`, after `y` (see [`start_bit`]).
    fn may_end(&self, z: char, y: Option<char>) -> bool {
        has_bit(&self.key_ends, start_bit(z, y))
    }
}

fn set_bit(bits: &mut [u64], bit: usize) {
    if let Some(word) = bits.get_mut(bit / 64) {
        *word |= 1 << (bit % 64);
    }
}

fn has_bit(bits: &[u64], bit: usize) -> bool {
    bits.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 != 0)
}

impl Relations {
    /// Calls `visit` on the keys a normalized word of a text is looked up
    /// under: the word without a proclitic prefix and a suffix (each
    /// possibly absent), for the script of the word (see the module docs),
    /// each with whether the suffix stripped holds an object pronoun
    /// ([`AR_OBJECT_SUFFIXES`]); only keys of a length some trigger's key
    /// has. Order: no prefix first, then shorter prefixes; for each, no
    /// suffix first, then shorter suffixes.
    ///
    /// The word is cut only at its first and last four letters (the
    /// prefixes and suffixes are at most four letters long), and each cut
    /// is looked up once, packed into an integer.
    fn visit_keys(&self, word: &str, mut visit: impl FnMut(&str, bool)) {
        let cuts = &self.cuts;
        let arabic = is_arabic(word);
        // Byte offsets of the first 5 character boundaries, and the packed
        // prefixes of 1-4 letters.
        let mut heads = [0usize; 5];
        let mut head_codes = [0u64; 5];
        let mut n_heads = 0;
        let mut code = 0u64;
        // How many of the first letters may be letters of a prefix: a
        // longer prefix is not looked up.
        let mut prefix_letters = 0;
        for (i, c) in word.char_indices().take(5) {
            heads[n_heads] = i;
            head_codes[n_heads] = code;
            n_heads += 1;
            if n_heads < 5 {
                code |= pack(std::iter::once(c)) << (16 * (n_heads - 1));
                if prefix_letters == n_heads - 1 && is_prefix_letter(c) {
                    prefix_letters += 1;
                }
            }
        }
        // Only the first five and the last four letters are decoded; the
        // rest is counted: the bytes that start a character (words are
        // short, where `chars().count()` costs more).
        let chars = word.bytes().filter(|&b| (b as i8) >= -0x40).count();
        let mut tails = [word.len(); 5];
        let mut tail_codes = [0u64; 5];
        let mut n_tails = 1;
        let mut code = 0u64;
        // The last six letters, the last first: a stem that ends where a
        // suffix of up to four starts ends with two of them.
        let mut last = ['\0'; 6];
        for (k, (i, c)) in word.char_indices().rev().take(6).enumerate() {
            last[k] = c;
            if k >= 4 {
                continue;
            }
            // The suffix grows at its front: shift what there is.
            code = (code << 16) | pack(std::iter::once(c));
            tails[n_tails] = i;
            tail_codes[n_tails] = code;
            n_tails += 1;
        }
        let suffixes = if arabic {
            &cuts.ar_suffixes
        } else {
            &cuts.latin_suffixes
        };
        for pi in 0..n_heads {
            let start = heads[pi];
            // The fewest letters the trigger's key keeps after the prefix.
            let mut min_stem = 0;
            // `pi` letters of prefix.
            if pi > 0 {
                if !arabic || pi > prefix_letters {
                    break;
                }
                match cuts.prefixes.get(&head_codes[pi]) {
                    Some(&min) => min_stem = min,
                    None => continue,
                }
            }
            // The stem's first two letters: a stem of one letter, or of
            // more, that no key starts like is skipped unhashed.
            let mut letters = word[start..].chars();
            let Some(a) = letters.next() else {
                break;
            };
            let second = letters.next();
            let one_letter = cuts.may_start(a, None);
            let longer = second.is_some_and(|b| cuts.may_start(a, Some(b)));
            if !one_letter && !longer {
                continue;
            }
            for si in 0..n_tails {
                let end = tails[si];
                // `si` letters of suffix; with one, the stem keeps at
                // least 2.
                if end <= start || (si > 0 && chars - pi - si < 2) {
                    break;
                }
                let stem = chars - pi - si;
                if stem < min_stem
                    || cuts.key_lengths & (1 << stem.min(63)) == 0
                    || !(if stem == 1 { one_letter } else { longer })
                    || !cuts.may_end(last[si], (stem > 1).then(|| last[si + 1]))
                {
                    continue;
                }
                let object = if si == 0 {
                    false
                } else {
                    match suffixes.get(&tail_codes[si]) {
                        Some(&object) => object,
                        None => continue,
                    }
                };
                visit(&word[start..end], object);
            }
        }
    }
}

/// The pattern bits of a trigger whose first word took an object pronoun:
/// `X T Y` reads `Y T X` (the name after the verb is its subject), and the
/// other orders give no direction.
fn with_object(patterns: u8) -> u8 {
    if patterns & pattern::XTY != 0 {
        pattern::YTX
    } else {
        0
    }
}

/// How a pair of entities is linked in one window, by relation kind:
/// `(kind, forward, backward)` where forward is from the smaller id to the
/// larger.
pub(crate) type WindowLinks = Vec<(Arc<str>, bool, bool)>;

/// The relations that link mentions `xs` of one entity and `ys` of
/// another (the smaller id's first), all in one window, through `hits`:
/// see the module docs. Returns each kind once, with its directions, and
/// the first hit that linked them.
pub(crate) fn links<'h>(
    hits: &'h Hits,
    xs: &[&Mention],
    ys: &[&Mention],
) -> (WindowLinks, Option<&'h Hit>) {
    let mut out: WindowLinks = Vec::new();
    let mut first: Option<&Hit> = None;
    for x in xs {
        for y in ys {
            if x.sentence != y.sentence {
                continue;
            }
            for h in hits.in_sentence(x.sentence) {
                // (earlier, later, whether the earlier is x)
                let (e, l, x_first) = if x.byte_start <= y.byte_start {
                    (x, y, true)
                } else {
                    (y, x, false)
                };
                if e.byte_end > l.byte_start {
                    continue;
                }
                let between = e.byte_end <= h.start && h.end <= l.byte_start;
                let before =
                    h.end <= e.byte_start && hits.words_between(h.end, e.byte_start) <= REACH;
                let after =
                    l.byte_end <= h.start && hits.words_between(l.byte_end, h.start) <= REACH;
                if !(between || before || after) {
                    continue;
                }
                // Is the source the earlier name?
                let earlier_source = (between && h.patterns & pattern::XTY != 0)
                    || (before && h.patterns & pattern::TXY != 0);
                let later_source = between && h.patterns & pattern::YTX != 0;
                let (fwd, bwd) = (
                    (earlier_source && x_first) || (later_source && !x_first),
                    (earlier_source && !x_first) || (later_source && x_first),
                );
                match out.iter_mut().find(|(k, _, _)| *k == h.kind) {
                    Some(entry) => {
                        entry.1 |= fwd;
                        entry.2 |= bwd;
                    }
                    None => out.push((h.kind.clone(), fwd, bwd)),
                }
                if first.is_none_or(|f| h.start < f.start) {
                    first = Some(h);
                }
            }
        }
    }
    (out, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `has_sentence` finds a sentence among hits sorted by sentence:
    /// first, last, several hits in one, and none (before, between, after,
    /// and no hits at all).
    #[test]
    fn hits_know_their_sentences() {
        let hit = |sentence| Hit {
            kind: Arc::from("meets"),
            start: 0,
            end: 1,
            sentence,
            patterns: 0,
        };
        let hits = Hits {
            hits: [1, 3, 3, 7].into_iter().map(hit).collect(),
            words: Vec::new(),
        };
        for (sentence, want) in [
            (0, false),
            (1, true),
            (2, false),
            (3, true),
            (4, false),
            (7, true),
            (8, false),
        ] {
            assert_eq!(hits.has_sentence(sentence), want, "sentence {sentence}");
        }
        assert!(!Hits::default().has_sentence(0));
    }

    #[test]
    fn builtin_lists_load_without_errors() {
        for (name, data) in BUILTIN {
            let mut rel = Relations::new();
            assert!(rel.add_csv(name, data.as_bytes()).is_ok(), "{name}");
            assert!(!rel.is_empty());
        }
    }

    #[test]
    fn bad_rows_name_their_line() {
        for (csv, want) in [
            ("kind,trigger\nmeet,\n", "x.csv:2: kind and trigger"),
            (
                "kind,trigger,pattern\nvisit,زار,X Y T\n",
                "x.csv:2: unknown pattern",
            ),
            ("form,class\nزار,visit\n", "x.csv:1: the header"),
            ("kind,trigger\nme|et,met\n", "x.csv:2: the kind"),
            ("kind,trigger\nmeet,met\nmeet,...\n", "x.csv:3: the trigger"),
        ] {
            let err = Relations::new()
                .add_csv("x.csv", csv.as_bytes())
                .map(|_| ())
                .map_err(|e| e.to_string());
            assert!(
                err.as_ref().is_err_and(|e| e.starts_with(want)),
                "{csv:?}: {err:?}"
            );
        }
    }

    /// The prefixes of the grammar `{و ف}? {ب ك ل س}? ال?` (non-empty; ل +
    /// ال is لل; no س + ال), with their guards: the definition
    /// `AR_PREFIXES` is checked against.
    fn grammar_prefixes() -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for first in ["", "و", "ف"] {
            for second in ["", "ب", "ك", "ل", "س"] {
                for third in ["", "ال"] {
                    if second == "س" && !third.is_empty() {
                        continue;
                    }
                    let p = if second == "ل" && third == "ال" {
                        format!("{first}لل")
                    } else {
                        format!("{first}{second}{third}")
                    };
                    if p.is_empty() {
                        continue;
                    }
                    let min = if p == "و" || p == "ف" { 2 } else { 3 };
                    out.push((p, min));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn prefix_letters_are_those_of_the_prefixes() {
        let mut letters: Vec<char> = AR_PREFIXES.iter().flat_map(|(p, _)| p.chars()).collect();
        letters.sort_unstable();
        letters.dedup();
        let all: Vec<char> = ('\u{0600}'..='\u{06FF}')
            .filter(|&c| is_prefix_letter(c))
            .collect();
        assert_eq!(letters, all);
    }

    #[test]
    fn prefixes_are_the_grammar() {
        let mut ours: Vec<(String, usize)> = AR_PREFIXES
            .iter()
            .map(|&(p, n)| (p.to_string(), n))
            .collect();
        ours.sort();
        assert_eq!(ours, grammar_prefixes());
        for s in AR_OBJECT_SUFFIXES {
            assert!(AR_SUFFIXES.contains(s), "{s}");
        }
    }

    /// The naive reference: every surface form of each trigger, spelled
    /// out (prefix + key + suffix), and the first kind whose surfaces hold
    /// the word.
    fn naive_kind(forms: &[(&str, &str)], word: &str) -> Option<String> {
        let prefixes = grammar_prefixes();
        for (kind, form) in forms {
            for key in keys_of(form) {
                let arabic = is_arabic(&key);
                let suffixes: Vec<&str> = if arabic {
                    AR_SUFFIXES.to_vec()
                } else {
                    LATIN_SUFFIXES.to_vec()
                };
                for suffix in std::iter::once("").chain(suffixes) {
                    let base = format!("{key}{suffix}");
                    if key.chars().count() < 2 && !suffix.is_empty() {
                        continue;
                    }
                    if base == word {
                        return Some(kind.to_string());
                    }
                    if !arabic {
                        continue;
                    }
                    for (p, min) in &prefixes {
                        if key.chars().count() >= *min && format!("{p}{base}") == word {
                            return Some(kind.to_string());
                        }
                    }
                }
            }
        }
        None
    }

    /// `word_ranges` a character at a time: the runs of word characters.
    fn word_ranges(text: &str, offset: usize) -> Vec<(usize, usize)> {
        let mut out = vec![(0, 0)];
        word_ranges_into(text, offset, &mut out);
        assert_eq!(out.remove(0), (0, 0), "appended, not replaced");
        out
    }

    fn naive_word_ranges(text: &str, offset: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((offset + s, offset + i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((offset + s, offset + text.len()));
        }
        out
    }

    #[test]
    fn word_ranges_are_the_runs_of_word_characters() {
        let cases: &[(&str, &[(usize, usize)])] = &[
            ("", &[]),
            ("ab cd", &[(10, 12), (13, 15)]),
            ("وروسيا، في", &[(10, 22), (25, 29)]),
            (" x\u{200C}y ", &[(11, 12), (15, 16)]),
        ];
        for (text, want) in cases {
            assert_eq!(word_ranges(text, 10), *want, "{text:?}");
        }
    }

    proptest::proptest! {
        /// The word bits give the words a character-at-a-time scan gives,
        /// on texts of letters, digits, marks, spaces, punctuation and
        /// format controls of several scripts, longer than a vector block.
        #[test]
        fn word_ranges_match_the_naive_scan(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    'a', 'Z', '7', ' ', '.', '-', '\n', 'é', 'ß', 'ا', 'ل', 'ي', 'ء',
                    '\u{064B}', '\u{0640}', '\u{200C}', '\u{200F}', '،', '٣', 'پ',
                    'ی', 'Ж', 'ש', '中', '\u{FEFF}', '😀', '\u{1D400}', '\u{00A0}',
                ]),
                0..120,
            ),
            offset in 0usize..1000,
        ) {
            let text: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(
                word_ranges(&text, offset),
                naive_word_ranges(&text, offset)
            );
        }

        /// `lookup` (stripping prefixes and suffixes off the word) finds
        /// the kind the naive spelled-out surfaces give, on words made of
        /// prefixes, trigger letters and suffixes.
        #[test]
        fn lookup_matches_the_naive_reference(
            forms in proptest::collection::vec(
                (0usize..3, proptest::collection::vec(0usize..8, 2..5)),
                1..5,
            ),
            words in proptest::collection::vec(
                (0usize..30, proptest::collection::vec(0usize..8, 1..6), 0usize..32),
                1..20,
            ),
        ) {
            // Letters that normalization keeps as they are.
            let letters = ['ز', 'ا', 'ر', 'ي', 'ت', 'ه', 'و', 'ن'];
            let kinds = ["meet", "visit", "call"];
            let spelled: Vec<(String, String)> = forms
                .iter()
                .map(|(k, ls)| (kinds[*k].to_string(), ls.iter().map(|&i| letters[i]).collect()))
                .collect();
            let mut csv = String::from("kind,trigger\n");
            for (k, f) in &spelled {
                csv.push_str(&format!("{k},{f}\n"));
            }
            let mut rel = Relations::new();
            proptest::prop_assert!(rel.add_csv("t.csv", csv.as_bytes()).is_ok());
            // Kinds in the order first listed, as `lookup` ranks them.
            let mut order: Vec<(&str, &str)> = Vec::new();
            for kind in rel.kinds() {
                for (k, f) in &spelled {
                    if k.as_str() == kind.as_ref() {
                        order.push((k, f));
                    }
                }
            }
            let prefixes = grammar_prefixes();
            for (p, ls, s) in words {
                let prefix = prefixes.get(p).map_or("", |(p, _)| p.as_str());
                let suffix = AR_SUFFIXES.get(s).copied().unwrap_or("");
                let middle: String = ls.iter().map(|&i| letters[i]).collect();
                let word = format!("{prefix}{middle}{suffix}");
                let got = rel.lookup(&word).map(|(k, _)| k.to_string());
                proptest::prop_assert_eq!(got, naive_kind(&order, &word), "{}", word);
            }
        }
    }

    /// A mention of the entity `id` (its offsets set by the caller).
    fn mention(id: &str) -> Mention {
        Mention {
            entity_id: Arc::from(id),
            entity_type: Arc::from("person"),
            name: Arc::from(id),
            surface: id.to_string(),
            prefix: String::new(),
            start: 0,
            end: 0,
            byte_start: 0,
            byte_end: 0,
            form: crate::matcher::Form::Name,
            rule: None,
            matched: None,
            ambiguous: false,
            alternatives: vec![],
            sentence: 0,
            paragraph: 0,
        }
    }

    /// The phrases of the toy list of `find_links_as_the_full_scan`:
    /// (kind, words, pattern), in list order.
    const TOY_TRIGGERS: &[(&str, &[&str], u8)] = &[
        ("meet", &["aa"], 0),
        ("talks", &["aa", "bb"], pattern::XTY),
        ("call", &["bb", "cc"], pattern::TXY),
        ("urge", &["cc", "dd", "ee"], pattern::XTY),
        ("visit", &["dd"], pattern::YTX),
        ("meet", &["ee", "aa"], 0),
    ];

    /// The triggers of a sentence of space-separated words, by the
    /// definition: left to right over every word, the longest phrase of
    /// [`TOY_TRIGGERS`] at each (the first listed among those as long),
    /// refused when it overlaps a mention word (`is_mention`).
    fn naive_hits(words: &[&str], is_mention: impl Fn(usize) -> bool) -> Hits {
        let mut starts = Vec::new();
        let mut at = 0;
        for w in words {
            starts.push(at);
            at += w.len() + 1;
        }
        let mut out = Hits {
            words: starts.clone(),
            ..Hits::default()
        };
        let mut i = 0;
        while i < words.len() {
            let best = TOY_TRIGGERS
                .iter()
                .filter(|(_, t, _)| words[i..].starts_with(t))
                .fold(None::<&(&str, &[&str], u8)>, |b, t| match b {
                    Some(b) if b.1.len() >= t.1.len() => Some(b),
                    _ => Some(t),
                });
            match best {
                Some((kind, t, patterns)) if !(i..i + t.len()).any(&is_mention) => {
                    let last = i + t.len() - 1;
                    out.hits.push(Hit {
                        kind: Arc::from(*kind),
                        start: starts[i],
                        end: starts[last] + words[last].len(),
                        sentence: 0,
                        patterns: *patterns,
                    });
                    i += t.len();
                }
                _ => i += 1,
            }
        }
        out
    }

    /// The keyless cache answers only for the word in a slot: a word that
    /// shares its slot with a later one is forgotten (never mistaken for
    /// it), words of 32 bytes or more are never kept, a new generation
    /// forgets every word, and the same generation keeps them.
    #[test]
    fn keyless_cache_is_exact() {
        let mut cache = KeylessWords::new(1);
        assert!(!cache.contains("abc"));
        cache.insert("abc");
        assert!(cache.contains("abc"));
        assert!(!cache.contains("abd"));
        assert!(!cache.contains("ab"));
        assert!(!cache.contains(""));
        cache.insert("");
        assert!(!cache.contains(""));
        // Two words of one slot, found by trying words until one shares
        // the slot of "abc".
        let slot = |w: &str| KeylessWords::slot_of(w).map(|(at, _)| at);
        let other = (0..1_000_000)
            .map(|k| format!("w{k}"))
            .find(|w| slot(w) == slot("abc"))
            .expect("2^15 slots: some word of a million shares one");
        cache.insert(&other);
        assert!(cache.contains(&other));
        assert!(!cache.contains("abc"), "replaced in its slot");
        cache.insert("abc");
        assert!(cache.contains("abc") && !cache.contains(&other));
        // And two of one length: the slot holds the bytes, not a length.
        let twin = (1..1_000_000)
            .map(|k| format!("{k:06}"))
            .find(|w| slot(w) == slot("000000"))
            .expect("some six-digit word shares the slot of 000000");
        cache.insert("000000");
        assert!(cache.contains("000000") && !cache.contains(&twin));
        let long31 = "x".repeat(31);
        let long32 = "x".repeat(32);
        cache.insert(&long31);
        cache.insert(&long32);
        assert!(cache.contains(&long31));
        assert!(!cache.contains(&long32));
        assert!(!cache.contains(&"x".repeat(30)));
        // Arabic words are kept by their bytes too.
        cache.insert("الرئيس");
        assert!(cache.contains("الرئيس") && !cache.contains("الرييس"));
        cache.keep_for(1);
        assert!(cache.contains("abc") && cache.contains("الرئيس"));
        cache.keep_for(2);
        assert!(!cache.contains("abc") && !cache.contains("الرئيس"));
        assert!(!cache.contains(&long31));
    }

    /// A word found keyless under one set of lists is looked up again once
    /// the lists change (each change is a new generation), a second run of
    /// the same lists finds what the first did, and a clone taken before
    /// the change keeps its own answer.
    #[test]
    fn keyless_words_are_those_of_the_lists_as_they_are() {
        let text = "pp zz qq";
        let mut mentions = [mention("pp"), mention("qq")];
        (mentions[0].byte_start, mentions[0].byte_end) = (0, 2);
        (mentions[1].byte_start, mentions[1].byte_end) = (6, 8);
        let found = |rel: &Relations| rel.find(text, &Windows::default(), &mentions).hits.len();
        let mut rel = Relations::new();
        let visit = "kind,trigger,pattern\nvisit,aa,X T Y\n";
        assert!(rel.add_csv("a.csv", visit.as_bytes()).is_ok());
        assert_eq!(found(&rel), 0);
        assert_eq!(found(&rel), 0);
        let before = rel.clone();
        let meet = "kind,trigger,pattern\nmeet,zz,X T Y\n";
        assert!(rel.add_csv("b.csv", meet.as_bytes()).is_ok());
        assert_eq!(found(&rel), 1);
        assert_eq!(found(&rel), 1);
        assert_eq!(found(&before), 0);
        assert_eq!(found(&rel), 1);
    }

    proptest::proptest! {
        /// `find` reads only the words around a sentence's mentions, and
        /// starts where a scan of the whole sentence would be: every pair
        /// of its entities gets the links that all of the sentence's
        /// triggers give, on sentences of trigger words, phrases that
        /// chain (aa bb cc dd ee aa ...: where a scan starts changes what
        /// it finds), other words and mentions.
        #[test]
        fn find_links_as_the_full_scan(
            pieces in proptest::collection::vec((0usize..10, 0usize..5, 1usize..12), 1..12),
        ) {
            // Pieces: a word of the vocabulary, or (for the first five) a
            // run of the chain aa bb cc dd ee aa ... from it, up to 11 words.
            let vocabulary = ["aa", "bb", "cc", "dd", "ee", "xx", "yy", "pp", "qq", "rr"];
            let mut words: Vec<&str> = Vec::new();
            for (k, from, len) in pieces {
                if k < 5 {
                    words.extend((from..from + len).map(|i| vocabulary[i % 5]));
                } else {
                    words.push(vocabulary[k]);
                }
            }
            let is_mention = |i: usize| matches!(words[i], "pp" | "qq" | "rr");
            let text = words.join(" ");
            let mut csv = String::from("kind,trigger,pattern\n");
            for (kind, t, p) in TOY_TRIGGERS {
                let p = match *p {
                    pattern::XTY => "X T Y",
                    pattern::TXY => "T X Y",
                    pattern::YTX => "Y T X",
                    _ => "",
                };
                csv.push_str(&format!("{kind},{},{p}\n", t.join(" ")));
            }
            let mut rel = Relations::new();
            proptest::prop_assert!(rel.add_csv("t.csv", csv.as_bytes()).is_ok());
            let mut mentions = Vec::new();
            let mut at = 0;
            for (i, w) in words.iter().enumerate() {
                if is_mention(i) {
                    let mut m = mention(w);
                    m.byte_start = at;
                    m.byte_end = at + w.len();
                    mentions.push(m);
                }
                at += w.len() + 1;
            }
            let fast = rel.find(&text, &Windows::default(), &mentions);
            // Again, with the words found keyless the first time known.
            let again = rel.find(&text, &Windows::default(), &mentions);
            proptest::prop_assert_eq!(&again.hits, &fast.hits);
            let naive = naive_hits(&words, is_mention);
            for a in ["pp", "qq", "rr"] {
                for b in ["pp", "qq", "rr"] {
                    if a >= b {
                        continue;
                    }
                    let xs: Vec<&Mention> = mentions.iter().filter(|m| &*m.entity_id == a).collect();
                    let ys: Vec<&Mention> = mentions.iter().filter(|m| &*m.entity_id == b).collect();
                    proptest::prop_assert_eq!(
                        links(&fast, &xs, &ys),
                        links(&naive, &xs, &ys),
                        "{} / {}: {}", a, b, text
                    );
                }
            }
        }
    }

    /// A word that starts more phrases than `hit_at` keeps while it reads
    /// the words after it (sixteen) is matched as one that starts a few:
    /// the longest phrase wins, the first listed among those as long, on
    /// lists of 3, 16, 17 and 40 phrases starting with "aa".
    #[test]
    fn a_word_that_starts_many_phrases() {
        for n in [3usize, 16, 17, 40] {
            let mut csv = String::from("kind,trigger,pattern\n");
            for k in 0..n {
                csv.push_str(&format!("k{k},aa b{k},X T Y\n"));
            }
            // Two as long as the longest (the first listed wins), one
            // shorter, listed last.
            csv.push_str("long,aa b1 cc,X T Y\nlonger,aa b1 cc,X T Y\nshort,aa,X T Y\n");
            let mut rel = Relations::new();
            assert!(rel.add_csv("t.csv", csv.as_bytes()).is_ok());
            for (text, want) in [
                ("pp aa b1 cc qq", Some(("long", 3, 11))),
                (
                    &format!("pp aa b{} qq", n - 1) as &str,
                    Some((
                        &format!("k{}", n - 1) as &str,
                        3,
                        7 + (n - 1).to_string().len(),
                    )),
                ),
                ("pp aa zz qq", Some(("short", 3, 5))),
                ("pp zz b1 qq", None),
            ] {
                let words: Vec<&str> = text.split(' ').collect();
                let mut mentions = Vec::new();
                let mut at = 0;
                for w in &words {
                    if matches!(*w, "pp" | "qq") {
                        let mut m = mention(w);
                        (m.byte_start, m.byte_end) = (at, at + w.len());
                        mentions.push(m);
                    }
                    at += w.len() + 1;
                }
                let hits = rel.find(text, &Windows::default(), &mentions).hits;
                let got: Vec<(String, usize, usize)> = hits
                    .iter()
                    .map(|h| (h.kind.to_string(), h.start, h.end))
                    .collect();
                let want: Vec<(String, usize, usize)> = want
                    .into_iter()
                    .map(|(k, s, e)| (k.to_string(), s, e))
                    .collect();
                assert_eq!(got, want, "{n} phrases: {text}");
            }
        }
    }

    #[test]
    fn patterns_parse() {
        assert_eq!(pattern::parse(""), Some(0));
        assert_eq!(
            pattern::parse("X T Y|T X Y"),
            Some(pattern::XTY | pattern::TXY)
        );
        assert_eq!(pattern::parse("ytx"), Some(pattern::YTX));
        assert_eq!(pattern::parse("X Y"), None);
    }
}
