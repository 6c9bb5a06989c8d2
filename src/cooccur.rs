//! Mergeable aggregates: per-entity counts and entity co-occurrence
//! (SPEC section 5).
//!
//! The rules are documented on [`Aggregates`], which the crate exports
//! (this module is private, so its own docs do not render).

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::ops::{AddAssign, Range};
use std::sync::Arc;

use crate::error::Error;
use crate::period::{Bucket, UNDATED};
use crate::pipeline::Mention;
use crate::relations::Hits;

/// An unordered entity pair, smaller id first.
pub(crate) type EntityPair = (Arc<str>, Arc<str>);

pub use crate::segment::WindowKind;

/// What is known of an entity for the tables: its type, names and the
/// extra columns of its gazetteer row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntityInfo {
    /// The entity type.
    pub kind: String,
    /// The canonical name.
    pub name: String,
    /// The canonical Arabic name (may be empty).
    pub name_ar: String,
    /// The extra gazetteer columns with a value (`wikidata`, `url`, ...).
    pub attributes: Attributes,
}

/// The extra gazetteer columns of an entity that have a value, as
/// `(column, value)`, shared: cloning is a reference count, and an entity
/// without any costs no allocation. An empty value is the same as no
/// value (the tables cannot tell them apart).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes(Option<Arc<[(String, String)]>>);

impl Attributes {
    /// The pairs with a non-empty value, in the order given.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Attributes {
        let kept: Vec<(String, String)> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        Attributes((!kept.is_empty()).then(|| Arc::from(kept)))
    }

    /// The value of `column`, if it has one.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.iter().find(|(c, _)| *c == column).map(|(_, v)| v)
    }

    /// The `(column, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .flat_map(|a| a.iter())
            .map(|(c, v)| (c.as_str(), v.as_str()))
    }

    /// Whether no column has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

/// Counts of one entity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntityCounts {
    /// Type and names.
    pub info: EntityInfo,
    /// Mentions in all documents.
    pub mentions: u64,
    /// Documents with at least one mention.
    pub documents: u64,
    /// Windows with at least one mention.
    pub windows: u64,
}

/// Counts of one entity pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairCounts {
    /// Windows in which both entities appear.
    pub windows: u64,
    /// Documents with at least one such window.
    pub documents: u64,
    /// Up to [`MAX_EXAMPLES`] windows where the two co-occur, the first
    /// ones in input order.
    pub examples: Vec<Example>,
    /// Windows in which a trigger of each relation kind links the two
    /// (see [`crate::Relations`]), by kind.
    pub relations: BTreeMap<String, u64>,
    /// Of those, the windows where the trigger gives a direction: by
    /// `KIND>` (from the smaller id to the larger) and `KIND<` (the other
    /// way).
    pub directed: BTreeMap<String, u64>,
}

impl PairCounts {
    /// The relation kind with the most windows (then the first by name),
    /// and the direction the most of its directed windows take: `Some(true)`
    /// from the smaller id to the larger, `Some(false)` the other way,
    /// `None` when it has no direction or as many each way.
    pub fn dominant_relation(&self) -> Option<(&str, Option<bool>)> {
        let (kind, _) = self
            .relations
            .iter()
            .fold(None::<(&String, u64)>, |best, (k, &n)| match best {
                Some((_, b)) if b >= n => best,
                _ => Some((k, n)),
            })?;
        let get = |suffix: char| {
            self.directed
                .get(&format!("{kind}{suffix}"))
                .copied()
                .unwrap_or(0)
        };
        let (fwd, bwd) = (get('>'), get('<'));
        let direction = match fwd.cmp(&bwd) {
            std::cmp::Ordering::Greater => Some(true),
            std::cmp::Ordering::Less => Some(false),
            std::cmp::Ordering::Equal => None,
        };
        Some((kind, direction))
    }

    /// Adds `n` windows of relation `kind`, of which `fwd` from the smaller
    /// id to the larger and `bwd` the other way.
    pub fn add_relation(&mut self, kind: &str, n: u64, fwd: u64, bwd: u64) {
        fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
            if n == 0 {
                return;
            }
            match map.get_mut(key) {
                Some(v) => *v += n,
                None => {
                    map.insert(key.to_string(), n);
                }
            }
        }
        bump(&mut self.relations, kind, n);
        if fwd > 0 {
            bump(&mut self.directed, &format!("{kind}>"), fwd);
        }
        if bwd > 0 {
            bump(&mut self.directed, &format!("{kind}<"), bwd);
        }
    }
}

/// A pair as the tables list it: its two ids (smaller first), its counts
/// and its NPMI (see [`Aggregates::pairs_sorted`]).
pub(crate) type SortedPair<'a> = (&'a Arc<str>, &'a Arc<str>, &'a PairCounts, f64);

/// An entity as the tables list it: its id and counts (see
/// [`Aggregates::entities_sorted`]).
pub(crate) type SortedEntity<'a> = (&'a Arc<str>, &'a EntityCounts);

/// How many examples a pair keeps.
pub const MAX_EXAMPLES: usize = 3;

/// Characters of context kept on each side of the names when an example
/// window is longer than `EXAMPLE_CHARS`.
const EXAMPLE_CONTEXT: usize = 80;
/// Windows up to this many characters are kept whole.
const EXAMPLE_CHARS: usize = 280;

/// A window in which two entities co-occur, for a reader to check the
/// relation (keyword in context).
///
/// The document id and the text are shared (`Arc<str>`): the examples that
/// [`crate::Processed::add_to`] takes from one document share its id, and
/// those of pairs in the same window, cut the same way, share one text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Example {
    /// The document it comes from.
    pub doc_id: Arc<str>,
    /// The window's text (line breaks as spaces), cropped around the two
    /// names with `…` when long.
    pub text: Arc<str>,
    /// Where the first and the second entity of the pair are in `text`,
    /// as `start..end` code point offsets.
    pub marks: [Range<usize>; 2],
    /// The relation trigger that fired in this window, if one did.
    pub trigger: Option<Trigger>,
}

/// The relation trigger that fired in an [`Example`]'s window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trigger {
    /// The relation kind (`visit`, `meeting`, ...).
    pub kind: String,
    /// The trigger as written in the document.
    pub text: String,
}

/// How an example's text is cut from its document: one or two pieces (byte
/// ranges; the second is unused unless `two`), and whether `…` opens and
/// closes it. The text is a function of this alone, so two pairs whose
/// examples have the same cut share one text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Cut {
    pieces: [Range<usize>; 2],
    two: bool,
    lead: bool,
    trail: bool,
}

impl Cut {
    /// The cut of the example of names `a` and `b` (byte ranges) in the
    /// window `window` (byte range) of `text`: see [`Example::new`].
    fn of(text: &str, window: Range<usize>, a: &Range<usize>, b: &Range<usize>) -> Cut {
        let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
        let (lo, hi) = (first.start, first.end.max(second.end));
        // A name written across a window break still shows whole.
        let window = window.start.min(lo)..window.end.max(hi);
        // More than EXAMPLE_CHARS characters? (Bytes bound characters from
        // above, and counting stops at the limit.)
        let long = window.len() > EXAMPLE_CHARS
            && text[window.clone()].chars().nth(EXAMPLE_CHARS).is_some();
        if !long {
            // Trim white space at the ends, never into a name.
            let inner = &text[window.clone()];
            let s = (window.start + inner.len() - inner.trim_start().len()).min(lo);
            let e = (window.end - (inner.len() - inner.trim_end().len())).max(hi);
            return Cut {
                pieces: [s..e, e..e],
                two: false,
                lead: false,
                trail: false,
            };
        }
        let start = back_chars(text, lo, EXAMPLE_CONTEXT).max(window.start);
        let end = forward_chars(text, hi, EXAMPLE_CONTEXT).min(window.end);
        let first_end = forward_chars(text, first.end, EXAMPLE_CONTEXT).min(window.end);
        let second_start = back_chars(text, second.start, EXAMPLE_CONTEXT).max(window.start);
        let (pieces, two) = if first_end >= second_start || second.start < first.end {
            ([start..end, end..end], false)
        } else {
            ([start..first_end, second_start..end], true)
        };
        Cut {
            two,
            lead: pieces[0].start > window.start,
            trail: end < window.end,
            pieces,
        }
    }

    /// The pieces that hold text: one, or two joined by ` … `.
    fn pieces(&self) -> &[Range<usize>] {
        if self.two {
            &self.pieces
        } else {
            &self.pieces[..1]
        }
    }

    /// The example's text.
    fn render(&self, text: &str) -> String {
        let bytes: usize = self.pieces().iter().map(|p| p.len()).sum();
        let mut out = String::with_capacity(bytes + 3 * '…'.len_utf8() + 2);
        if self.lead {
            out.push('…');
        }
        for (k, piece) in self.pieces().iter().enumerate() {
            if k > 0 {
                out.push_str(" … ");
            }
            // Line breaks and tabs become spaces (by slices, not by
            // character: this was most of the cost of an example).
            let mut rest = &text[piece.clone()];
            while let Some(at) = memchr::memchr3(b'\n', b'\r', b'\t', rest.as_bytes()) {
                out.push_str(&rest[..at]);
                out.push(' ');
                rest = &rest[at + 1..];
            }
            out.push_str(rest);
        }
        if self.trail {
            out.push('…');
        }
        out
    }

    /// Where names `a` and `b` are in the text (code point offsets; `0..0`
    /// for a name no piece holds whole). A line break becomes one space, so
    /// a piece has as many characters in the text as in the document.
    fn marks(&self, text: &str, a: &Range<usize>, b: &Range<usize>) -> [Range<usize>; 2] {
        let mut marks = [0..0, 0..0];
        let mut offset = usize::from(self.lead);
        let pieces = self.pieces();
        for (k, piece) in pieces.iter().enumerate() {
            if k > 0 {
                // " … " is three characters.
                offset += 3;
            }
            // The names this piece holds, the first first: the characters
            // before each are counted from the piece's start or from the
            // name before.
            let names = if b.start < a.start {
                [(1, b), (0, a)]
            } else {
                [(0, a), (1, b)]
            };
            let (mut at, mut before) = (piece.start, 0);
            for (m, name) in names {
                if piece.start <= name.start && name.end <= piece.end {
                    before += text[at..name.start].chars().count();
                    at = name.start;
                    let len = text[name.clone()].chars().count();
                    marks[m] = offset + before..offset + before + len;
                }
            }
            // The characters of the last piece are not counted: no mark
            // comes after it.
            if k + 1 < pieces.len() {
                offset += text[piece.clone()].chars().count();
            }
        }
        marks
    }
}

impl Example {
    /// Builds an example from the window `window` (byte range) of `text`
    /// with the two names at byte ranges `a` and `b` inside it. A window of
    /// up to `EXAMPLE_CHARS` characters is kept whole; a longer one is cut
    /// to `EXAMPLE_CONTEXT` characters around the names, as one piece, or
    /// as two joined by ` … ` when the names are far apart.
    pub fn new(
        doc_id: &str,
        text: &str,
        window: Range<usize>,
        a: Range<usize>,
        b: Range<usize>,
    ) -> Example {
        DocumentExamples::new(doc_id, text).example(window, a, b)
    }

    /// This example with the trigger of `evidence` (a byte range of
    /// `text`), if it has one.
    pub(crate) fn with_trigger(mut self, text: &str, evidence: &Evidence) -> Example {
        self.trigger = evidence.trigger.as_ref().and_then(|(kind, range)| {
            text.get(range.clone()).map(|t| Trigger {
                kind: kind.to_string(),
                text: t.to_string(),
            })
        });
        self
    }
}

/// The examples of one document, made by [`Example::new`]'s rules, sharing
/// the document's id and, between examples of the same cut (pairs of one
/// short window, most often), the text.
pub(crate) struct DocumentExamples<'a> {
    doc_id: &'a str,
    text: &'a str,
    shared_id: Option<Arc<str>>,
    texts: FxHashMap<Cut, Arc<str>>,
}

impl<'a> DocumentExamples<'a> {
    /// The examples of document `doc_id` with text `text`; nothing is
    /// allocated before the first.
    pub(crate) fn new(doc_id: &'a str, text: &'a str) -> Self {
        DocumentExamples {
            doc_id,
            text,
            shared_id: None,
            texts: FxHashMap::default(),
        }
    }

    /// The example of names `a` and `b` (byte ranges) in window `window`
    /// (a byte range) of the document: see [`Example::new`].
    pub(crate) fn example(
        &mut self,
        window: Range<usize>,
        a: Range<usize>,
        b: Range<usize>,
    ) -> Example {
        let text = self.text;
        let cut = Cut::of(text, window, &a, &b);
        let marks = cut.marks(text, &a, &b);
        let shared = match self.texts.get(&cut) {
            Some(t) => t.clone(),
            None => {
                let t: Arc<str> = Arc::from(cut.render(text));
                self.texts.insert(cut, t.clone());
                t
            }
        };
        let doc_id = self
            .shared_id
            .get_or_insert_with(|| Arc::from(self.doc_id))
            .clone();
        Example {
            doc_id,
            text: shared,
            marks,
            trigger: None,
        }
    }
}

/// The example of a discovered mention: the window (byte range) it is
/// in, cropped around it like a pair's [`Example`].
pub(crate) fn discovered_example(text: &str, window: Range<usize>, m: &Mention) -> String {
    let span = m.byte_start..m.byte_end;
    Cut::of(text, window, &span, &span).render(text)
}

/// The byte offset `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Where a pair first co-occurs in one document: the window index and the
/// byte ranges of the first mention of each entity in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Evidence {
    /// The window index (sentence, paragraph, or 0).
    pub window: usize,
    /// The first entity's mention (smaller id).
    pub a: Range<usize>,
    /// The second entity's mention.
    pub b: Range<usize>,
    /// The kind and byte range of the first relation trigger that links
    /// the two in that window, if one does.
    pub trigger: Option<(Arc<str>, Range<usize>)>,
}

/// A pair's relation counts in one document: `(index of the pair in
/// [`DocumentCounts::pairs`], kind, [windows, forward, backward])`.
pub(crate) type PairRelation = (usize, Arc<str>, [u64; 3]);

/// Appends the columns of `attributes` that `columns` lacks.
fn learn_columns(columns: &mut Vec<String>, attributes: &Attributes) {
    for (column, _) in attributes.iter() {
        if !columns.iter().any(|c| c == column) {
            columns.push(column.to_string());
        }
    }
}

/// The run's totals and settings, as `summary.json` holds them.
///
/// It lives with the aggregates because every front end keeps it the same
/// way: [`RunSummary::count`] for each record, `+=` ([`AddAssign`]) to add
/// up the totals of parts.
///
/// [`AddAssign`]: std::ops::AddAssign
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunSummary {
    /// The window kind: `sentence`, `paragraph` or `document`.
    pub window: String,
    /// Input records (documents and errors).
    pub documents: u64,
    /// Records with status `error`.
    pub errors: u64,
    /// Records with status `warning`.
    pub warnings: u64,
    /// Mentions found.
    pub mentions: u64,
    /// Windows in all documents (the N of NPMI).
    pub windows: u64,
    /// Characters of text read.
    pub chars: u64,
    /// The `--min-count` the pair tables were written with.
    pub min_count: u64,
    /// Whether CSV files were written for Excel.
    pub excel: bool,
    /// The output formats written.
    pub formats: Vec<String>,
    /// The gazetteer used: where it came from and its content hash.
    #[serde(default)]
    pub gazetteer: String,
    /// The periods, when the documents were counted by period
    /// (`--date-field`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<PeriodSummary>,
    /// What identifies this run's files: 16 hex digits of a hash of every
    /// file's name, size and bytes and of the fields above, so two runs
    /// that wrote the same files have the same id (runs stay byte for byte
    /// reproducible) and `alam merge` can tell a part given twice. Empty in
    /// folders written before it existed.
    #[serde(default)]
    pub run_id: String,
    /// The files the run wrote (all but `summary.json`), by name. `alam
    /// merge` and `alam report` refuse a file whose size differs: it comes
    /// from another run. Empty in folders written before it existed.
    #[serde(default)]
    pub files: Vec<FileEntry>,
}

/// What `summary.json` says of the periods of a dated run.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PeriodSummary {
    /// The bucket: `day`, `week` or `month`.
    pub bucket: String,
    /// Periods with at least one document (`undated` included).
    pub periods: u64,
    /// Documents with a date that parses.
    pub dated: u64,
    /// Documents in the period `undated`: no date, or one that does not
    /// parse.
    pub undated: u64,
    /// Of these, documents whose date does not parse (each has a
    /// warning in `documents.csv`).
    pub unparsed_dates: u64,
}

impl PeriodSummary {
    /// The summary of `agg`'s periods; `None` when it is not counted by
    /// period.
    pub fn of(agg: &Aggregates) -> Option<PeriodSummary> {
        let bucket = agg.bucket?;
        let undated = agg
            .periods
            .get(crate::period::UNDATED)
            .map_or(0, |p| p.documents);
        let all: u64 = agg.periods.values().map(|p| p.documents).sum();
        Some(PeriodSummary {
            bucket: bucket.as_str().to_string(),
            periods: agg.periods.len() as u64,
            dated: all - undated,
            undated,
            unparsed_dates: agg.unparsed_dates,
        })
    }
}

/// One file of a run, as `summary.json` lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// The file name, e.g. `documents.csv`.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its rows (CSV, header not counted), lines (JSONL) or records (JSON
    /// arrays); absent for the graph files and the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

impl RunSummary {
    /// Counts one input record of `status` with `mentions` mentions and
    /// `chars` characters of text: every record is a document; errors and
    /// warnings are also counted as such.
    pub fn count(&mut self, status: crate::input::Status, mentions: usize, chars: usize) {
        self.documents += 1;
        self.mentions += mentions as u64;
        self.chars += chars as u64;
        match status {
            crate::input::Status::Error => self.errors += 1,
            crate::input::Status::Warning => self.warnings += 1,
            crate::input::Status::Ok => {}
        }
    }
}

/// Adds the totals of `other` (documents, errors, warnings, mentions,
/// windows, characters) to these; the settings (window, min count, formats,
/// gazetteer, run id, files) are left as they are.
impl std::ops::AddAssign<&RunSummary> for RunSummary {
    fn add_assign(&mut self, other: &RunSummary) {
        self.documents += other.documents;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.mentions += other.mentions;
        self.windows += other.windows;
        self.chars += other.chars;
    }
}

/// The aggregates of one or more documents.
///
/// The counts (mentions, windows, documents, relations) are sums, so they
/// do not depend on the order of the documents or of the merges. What an
/// entity or a pair is first seen with does: an entity keeps the info of
/// the first document that names it, and a pair keeps its first
/// [`MAX_EXAMPLES`] examples in input order. So the aggregates of
/// consecutive parts merged in input order (`first.merge(second)`, grouped
/// in any way) equal the aggregates of all the documents added one by one,
/// info and examples included; merged in another order, only the counts
/// are equal.
///
/// # Windows, pairs and NPMI
///
/// Mergeable aggregates: per-entity counts and entity co-occurrence
/// (SPEC section 5).
///
/// A **window** is a sentence, a paragraph or a whole document
/// ([`WindowKind`]). Two distinct entities co-occur once per window in
/// which both have a mention, however many mentions; self pairs are not
/// counted; pairs are undirected and stored with the smaller id first
/// (byte order of the ids). For each pair: `windows` (co-occurring
/// windows) and `documents` (documents with at least one such window).
///
/// Worked example, window = sentence: "Putin met Xi. Xi and Putin spoke of
/// Putin." gives the pair (Putin, Xi) with `windows = 2`, `documents = 1`;
/// Putin has 3 mentions, 1 document, 2 windows.
///
/// `npmi` is the normalized pointwise mutual information over windows:
/// with `N` windows in all, `p(x) = windows(x) / N` and `p(x,y) =
/// windows(x,y) / N`, `npmi = ln(p(x,y) / (p(x) p(y))) / -ln p(x,y)`, in
/// `[-1, 1]`, and `1` when `p(x,y) = 1`.
///
/// Every count is a sum over documents, so [`Aggregates::merge`] of the
/// aggregates of two halves of a batch equals the aggregates of the whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aggregates {
    /// The window kind the counts are for.
    pub window: WindowKind,
    /// Documents added (error records are never added: see
    /// `batch::Processed::add_to`); read back from a folder, the part's
    /// `documents - errors`.
    pub documents: u64,
    /// Windows in all documents (the `N` of NPMI).
    pub windows: u64,
    /// Per-entity counts, by entity id (read with [`Aggregates::entity`]
    /// and [`Aggregates::entity_rows`]).
    pub(crate) entities: FxHashMap<Arc<str>, EntityCounts>,
    /// Per-pair counts, by (smaller id, larger id) (read with
    /// [`Aggregates::pair`] and [`Aggregates::pair_rows`]).
    pub(crate) pairs: FxHashMap<EntityPair, PairCounts>,
    /// What was seen of each discovered entity (ids `person:~KEY`,
    /// `organization:~KEY`), for `discovered.csv`.
    pub(crate) discovered: FxHashMap<Arc<str>, DiscoveredCounts>,
    /// The extra gazetteer columns the entity tables write, in order: set
    /// from [`crate::Gazetteer::attribute_columns`] before the first
    /// document; a column of an entity's [`Attributes`] not listed yet is
    /// appended when the entity is first added, and [`Aggregates::merge`]
    /// appends the other side's columns.
    pub attribute_columns: Vec<String>,
    /// The bucket of [`Aggregates::periods`], when the documents are
    /// counted by period too (`--date-field`); `None`: they are not.
    pub bucket: Option<Bucket>,
    /// The counts of each period, by label (see [`crate::Bucket`]),
    /// [`UNDATED`] for documents without a date that parses: every
    /// document counted is in exactly one period, so the periods' counts
    /// sum to the whole. Empty unless [`Aggregates::bucket`] is set.
    pub(crate) periods: BTreeMap<String, PeriodCounts>,
    /// Documents whose date was given but does not parse (counted in
    /// [`UNDATED`]).
    pub unparsed_dates: u64,
}

/// One row of [`Aggregates::entity_rows`]: an entity id and its counts.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct EntityRow<'a> {
    /// The entity id.
    pub id: &'a str,
    /// Its counts, type and names.
    pub counts: &'a EntityCounts,
}

/// One row of [`Aggregates::pair_rows`]: a pair (smaller id first), its
/// counts and its NPMI.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct PairRow<'a> {
    /// The smaller entity id.
    pub source: &'a str,
    /// The larger entity id.
    pub target: &'a str,
    /// The pair's counts, examples and relation hints.
    pub counts: &'a PairCounts,
    /// The pair's NPMI (see [`Aggregates::npmi`]).
    pub npmi: f64,
}

/// The counts of the documents of one period: the same counts as the
/// whole's, without names or examples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeriodCounts {
    /// Documents in the period.
    pub documents: u64,
    /// Windows in the period's documents (the `N` of the period's NPMI).
    pub windows: u64,
    /// Per-entity counts in the period (see [`PeriodCounts::entity`]).
    pub(crate) entities: FxHashMap<Arc<str>, PeriodEntity>,
    /// Per-pair counts in the period, by (smaller id, larger id) (see
    /// [`PeriodCounts::pair`]).
    pub(crate) pairs: FxHashMap<EntityPair, PeriodPair>,
}

/// One entity's counts in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeriodEntity {
    /// Mentions in the period's documents.
    pub mentions: u64,
    /// The period's documents with at least one mention.
    pub documents: u64,
    /// The period's windows with at least one mention.
    pub windows: u64,
}

/// One pair's counts in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeriodPair {
    /// The period's windows in which both entities appear.
    pub windows: u64,
    /// The period's documents with at least one such window.
    pub documents: u64,
}

/// Adds the counts of another part (which comes after this one in input
/// order); the info is kept.
impl AddAssign for EntityCounts {
    fn add_assign(&mut self, other: EntityCounts) {
        self.mentions += other.mentions;
        self.documents += other.documents;
        self.windows += other.windows;
    }
}

/// Adds the counts of another part (which comes after this one in input
/// order): its relation counts, and its examples while there is room.
impl AddAssign for PairCounts {
    fn add_assign(&mut self, other: PairCounts) {
        self.windows += other.windows;
        self.documents += other.documents;
        for (kind, n) in other.relations {
            *self.relations.entry(kind).or_default() += n;
        }
        for (kind, n) in other.directed {
            *self.directed.entry(kind).or_default() += n;
        }
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
    }
}

/// Adds the counts of another part.
impl AddAssign for PeriodEntity {
    fn add_assign(&mut self, other: PeriodEntity) {
        self.mentions += other.mentions;
        self.documents += other.documents;
        self.windows += other.windows;
    }
}

/// Adds the counts of another part.
impl AddAssign for PeriodPair {
    fn add_assign(&mut self, other: PeriodPair) {
        self.windows += other.windows;
        self.documents += other.documents;
    }
}

/// Adds the counts of another part of the same period.
impl AddAssign for PeriodCounts {
    fn add_assign(&mut self, other: PeriodCounts) {
        self.documents += other.documents;
        self.windows += other.windows;
        add_all(&mut self.entities, other.entities);
        add_all(&mut self.pairs, other.pairs);
    }
}

/// Adds each of `theirs` to the value of its key in `ours`: a key that
/// `ours` lacks takes `theirs`' value as it is (info and examples
/// included), one that it has gets `+=`.
fn add_all<K, V>(ours: &mut FxHashMap<K, V>, theirs: FxHashMap<K, V>)
where
    K: std::hash::Hash + Eq,
    V: AddAssign,
{
    use std::collections::hash_map::Entry;
    for (key, value) in theirs {
        match ours.entry(key) {
            Entry::Occupied(mut o) => *o.get_mut() += value,
            Entry::Vacant(v) => {
                v.insert(value);
            }
        }
    }
}

impl PeriodCounts {
    /// The counts of entity `id` in the period; `None` when it is not
    /// mentioned in the period.
    pub fn entity(&self, id: &str) -> Option<&PeriodEntity> {
        self.entities.get(id)
    }

    /// The counts of the pair `a`, `b` (in either order) in the period;
    /// `None` when they do not co-occur in it. One hash lookup.
    pub fn pair(&self, a: &str, b: &str) -> Option<&PeriodPair> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        self.pairs.get(&(Arc::from(a), Arc::from(b)))
    }

    /// The number of entities mentioned in the period.
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// The number of pairs that co-occur in the period.
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// Adds `other`'s counts (the same as `+=`).
    pub fn merge(&mut self, other: PeriodCounts) {
        *self += other;
    }

    /// The NPMI of pair `(a, b)` within the period (as
    /// [`Aggregates::npmi`], over the period's windows).
    pub(crate) fn npmi_of(&self, a: &str, b: &str, pair: &PeriodPair) -> f64 {
        let wa = self.entities.get(a).map_or(0, |e| e.windows);
        let wb = self.entities.get(b).map_or(0, |e| e.windows);
        npmi(self.windows, wa, wb, pair.windows)
    }

    /// The entities sorted for output: most mentions first, then by id.
    pub(crate) fn entities_sorted(&self) -> Vec<(&Arc<str>, &PeriodEntity)> {
        let mut v: Vec<_> = self.entities.iter().collect();
        v.sort_unstable_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
        v
    }

    /// The pairs `keep` accepts, sorted for output: most windows first,
    /// then by ids; with their NPMI within the period.
    pub(crate) fn pairs_sorted(
        &self,
        keep: impl Fn(&EntityPair) -> bool,
    ) -> Vec<(&EntityPair, &PeriodPair, f64)> {
        let mut v: Vec<_> = self.pairs.iter().filter(|(k, _)| keep(k)).collect();
        v.sort_unstable_by(|a, b| b.1.windows.cmp(&a.1.windows).then(a.0.cmp(b.0)));
        v.into_iter()
            .map(|(k, c)| (k, c, self.npmi_of(&k.0, &k.1, c)))
            .collect()
    }
}

/// NPMI from counts: `n` windows in all, `wa` and `wb` with each entity,
/// `wab` with both (see the module docs).
fn npmi(n: u64, wa: u64, wb: u64, wab: u64) -> f64 {
    let (n, wa, wb, wab) = (n as f64, wa as f64, wb as f64, wab as f64);
    if n <= 0.0 || wa <= 0.0 || wb <= 0.0 || wab <= 0.0 {
        return -1.0;
    }
    let pab = wab / n;
    if pab >= 1.0 {
        return 1.0;
    }
    let pmi = (pab / ((wa / n) * (wb / n))).ln();
    (pmi / -pab.ln()).clamp(-1.0, 1.0)
}

/// What a run saw of a discovered entity beyond its counts: the surfaces
/// and rules that found it, and the first place it was found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveredCounts {
    /// Mentions by surface as written.
    pub variants: BTreeMap<String, u64>,
    /// Mentions by the rule that found them.
    pub rules: BTreeMap<String, u64>,
    /// The first document that names it and the sentence it is in.
    pub example: Option<DiscoveredExample>,
}

/// Where a discovered entity was first found ([`DiscoveredCounts`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveredExample {
    /// The document's id.
    pub doc_id: String,
    /// The sentence the first mention is in, cropped around it with `…`
    /// when long.
    pub text: String,
}

impl DiscoveredCounts {
    /// Adds `other`, which comes after these counts in input order.
    pub fn merge(&mut self, other: DiscoveredCounts) {
        for (k, v) in other.variants {
            *self.variants.entry(k).or_default() += v;
        }
        for (k, v) in other.rules {
            *self.rules.entry(k).or_default() += v;
        }
        if self.example.is_none() {
            self.example = other.example;
        }
    }
}

/// The contribution of one document, computed where the document is
/// processed (in parallel) and added to [`Aggregates`] in input order.
#[derive(Clone, Debug, Default)]
pub struct DocumentCounts {
    windows: u64,
    /// (entity id, mentions, windows)
    entities: Vec<(Arc<str>, u64, u64)>,
    /// ((a, b), windows, first co-occurrence) with a < b
    pairs: Vec<(EntityPair, u64, Evidence)>,
    /// The pairs' relation counts, in pair order.
    relations: Vec<PairRelation>,
}

impl DocumentCounts {
    /// Counts made elsewhere (e.g. read back from `alam stream` output):
    /// the document's window count, `(entity, mentions, windows)` and
    /// `((a, b), windows, evidence)` with `a < b`.
    pub(crate) fn from_parts(
        windows: u64,
        entities: Vec<(Arc<str>, u64, u64)>,
        pairs: Vec<(EntityPair, u64, Evidence)>,
    ) -> DocumentCounts {
        DocumentCounts {
            windows,
            entities,
            pairs,
            relations: Vec::new(),
        }
    }

    /// These counts with the pairs' relation counts `relations` (by pair
    /// index, in pair order).
    pub(crate) fn with_relations(mut self, relations: Vec<PairRelation>) -> DocumentCounts {
        self.relations = relations;
        self
    }

    /// The pairs' relation counts, in pair order.
    pub(crate) fn relations(&self) -> &[PairRelation] {
        &self.relations
    }

    /// The document's number of windows.
    pub fn windows(&self) -> u64 {
        self.windows
    }

    /// `(entity, mentions, windows)`, by entity id.
    pub(crate) fn entities(&self) -> &[(Arc<str>, u64, u64)] {
        &self.entities
    }

    /// `((a, b), windows, evidence)` with `a < b`, by pair.
    pub(crate) fn pairs(&self) -> &[(EntityPair, u64, Evidence)] {
        &self.pairs
    }

    /// Counts one document's mentions. `windows` is its number of windows
    /// of the chosen kind (0 for a document with no text).
    #[cfg(test)]
    pub(crate) fn new(mentions: &[Mention], kind: WindowKind, windows: u64) -> DocumentCounts {
        DocumentCounts::with_hits(mentions, kind, windows, &Hits::default())
    }

    /// [`DocumentCounts::new`], and the relations the triggers `hits` (of
    /// [`crate::relations::Relations::find`]) give each pair.
    pub(crate) fn with_hits(
        mentions: &[Mention],
        kind: WindowKind,
        windows: u64,
        hits: &Hits,
    ) -> DocumentCounts {
        let window_of = |m: &Mention| match kind {
            WindowKind::Sentence => m.sentence,
            WindowKind::Paragraph => m.paragraph,
            WindowKind::Document => 0,
        };
        // Each distinct entity id gets a rank in id order, so that the
        // rest sorts and counts integers.
        let mut by_id: Vec<u32> = (0..mentions.len() as u32).collect();
        by_id.sort_unstable_by(|&x, &y| {
            let (a, b) = (
                &mentions[x as usize].entity_id,
                &mentions[y as usize].entity_id,
            );
            if Arc::ptr_eq(a, b) {
                std::cmp::Ordering::Equal
            } else {
                a.cmp(b)
            }
        });
        let mut rank = vec![0u32; mentions.len()];
        let mut ids: Vec<&Arc<str>> = Vec::new();
        for &m in &by_id {
            let id = &mentions[m as usize].entity_id;
            if ids.last().is_none_or(|last| last != &id) {
                ids.push(id);
            }
            rank[m as usize] = ids.len() as u32 - 1;
        }
        let mut mention_counts = vec![0u64; ids.len()];
        for &r in &rank {
            mention_counts[r as usize] += 1;
        }
        // (window, entity, mention) sorted: the first mention of each
        // entity in each window is the first of its run.
        let mut seen: Vec<(usize, u32, usize)> = mentions
            .iter()
            .zip(&rank)
            .enumerate()
            .map(|(k, (m, &r))| (window_of(m), r, k))
            .collect();
        seen.sort_unstable_by_key(|&(w, r, k)| (w, r, mentions[k].byte_start, k));
        // Every mention by (window, entity), for the relations.
        let all = if hits.hits.is_empty() {
            Vec::new()
        } else {
            seen.clone()
        };
        seen.dedup_by_key(|&mut (w, r, _)| (w, r));
        let mut window_counts = vec![0u64; ids.len()];
        // (a, b, window, mention of a, mention of b), a < b: every pair of
        // entities in every window.
        let mut together: Vec<(u32, u32, usize, usize, usize)> = Vec::new();
        for group in seen.chunk_by(|x, y| x.0 == y.0) {
            for (i, &(w, a, ma)) in group.iter().enumerate() {
                window_counts[a as usize] += 1;
                for &(_, b, mb) in &group[i + 1..] {
                    together.push((a, b, w, ma, mb));
                }
            }
        }
        together.sort_unstable();
        // The mentions of entity `r` in window `w`.
        let of = |w: usize, r: u32| -> Vec<&Mention> {
            let lo = all.partition_point(|&(x, y, _)| (x, y) < (w, r));
            all[lo..]
                .iter()
                .take_while(|&&(x, y, _)| (x, y) == (w, r))
                .map(|&(_, _, k)| &mentions[k])
                .collect()
        };
        let mut relations: Vec<PairRelation> = Vec::new();
        let pairs = together
            .chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
            .enumerate()
            .map(|(index, run)| {
                let mut trigger = None;
                if !hits.hits.is_empty() {
                    let start = relations.len();
                    for (k, &(a, b, w, _, _)) in run.iter().enumerate() {
                        // A sentence without a hit links nothing (every
                        // mention of a sentence window is in that sentence).
                        if kind == WindowKind::Sentence && !hits.has_sentence(w) {
                            continue;
                        }
                        let (links, first) = crate::relations::links(hits, &of(w, a), &of(w, b));
                        if k == 0 {
                            trigger = first.map(|h| (h.kind.clone(), h.start..h.end));
                        }
                        for (kind, fwd, bwd) in links {
                            let counts = [1, u64::from(fwd), u64::from(bwd)];
                            match relations[start..].iter_mut().find(|r| r.1 == kind) {
                                Some(r) => {
                                    for (x, y) in r.2.iter_mut().zip(counts) {
                                        *x += y;
                                    }
                                }
                                None => relations.push((index, kind, counts)),
                            }
                        }
                    }
                }
                // Windows come in order: the first is the evidence.
                let (a, b, w, ma, mb) = run[0];
                let (ma, mb) = (&mentions[ma], &mentions[mb]);
                (
                    (ids[a as usize].clone(), ids[b as usize].clone()),
                    run.len() as u64,
                    Evidence {
                        window: w,
                        a: ma.byte_start..ma.byte_end,
                        b: mb.byte_start..mb.byte_end,
                        trigger,
                    },
                )
            })
            .collect();
        DocumentCounts {
            relations,
            windows,
            entities: ids
                .iter()
                .zip(mention_counts.iter().zip(&window_counts))
                .map(|(&id, (&n, &w))| (id.clone(), n, w))
                .collect(),
            pairs,
        }
    }
}

impl Aggregates {
    /// Empty aggregates for this window kind.
    pub fn new(window: WindowKind) -> Aggregates {
        Aggregates {
            window,
            ..Aggregates::default()
        }
    }

    /// Adds one document, and to its period when the aggregates are
    /// counted by period ([`Aggregates::bucket`]): `date` is the
    /// document's date as written ([`crate::Document::date`]); a document
    /// without one, or whose date does not parse, goes to [`UNDATED`].
    /// `info` gives the type and names of an entity id the first time it
    /// is seen; `example` turns the evidence of a pair into an example,
    /// and is called only for pairs that still have fewer than
    /// [`MAX_EXAMPLES`]. (Outside the crate, documents are added with
    /// [`crate::Processed::add_to`]; the unit test
    /// `add_counts_the_period_too` shows the periods.)
    pub(crate) fn add(
        &mut self,
        doc: DocumentCounts,
        date: Option<&str>,
        info: impl Fn(&str) -> EntityInfo,
        mut example: impl FnMut(&EntityPair, &Evidence) -> Option<Example>,
    ) {
        self.add_to_period(date, &doc);
        self.documents += 1;
        self.windows += doc.windows;
        for (id, mentions, windows) in doc.entities {
            let e = match self.entities.entry(id) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let info = info(v.key());
                    learn_columns(&mut self.attribute_columns, &info.attributes);
                    v.insert(EntityCounts {
                        info,
                        ..EntityCounts::default()
                    })
                }
            };
            e.mentions += mentions;
            e.windows += windows;
            e.documents += 1;
        }
        let mut relations = doc.relations.into_iter().peekable();
        for (index, (pair_key, windows, evidence)) in doc.pairs.into_iter().enumerate() {
            let p = self.pairs.entry(pair_key.clone()).or_default();
            p.windows += windows;
            p.documents += 1;
            while let Some((_, kind, [n, fwd, bwd])) = relations.next_if(|r| r.0 == index) {
                p.add_relation(&kind, n, fwd, bwd);
            }
            if p.examples.len() < MAX_EXAMPLES
                && let Some(e) = example(&pair_key, &evidence)
            {
                // One at a time: most pairs keep one example, and a vector
                // grown by push would hold room for four.
                p.examples.reserve_exact(1);
                p.examples.push(e);
            }
        }
    }

    /// Adds the discovered mentions of one document (see
    /// [`Aggregates::discovered`]); `example` gives the example text of
    /// a mention (the command line crops its sentence), asked only for an entity
    /// that has none yet.
    pub(crate) fn add_discovered(
        &mut self,
        doc_id: &str,
        mentions: &[Mention],
        example: impl Fn(&Mention) -> Option<String>,
    ) {
        for m in mentions.iter().filter(|m| m.rule.is_some()) {
            let d = self.discovered.entry(m.entity_id.clone()).or_default();
            // Counted without a new String for what is already there.
            match d.variants.get_mut(m.surface.as_str()) {
                Some(n) => *n += 1,
                None => {
                    d.variants.insert(m.surface.clone(), 1);
                }
            }
            if let Some(rule) = m.rule {
                match d.rules.get_mut(rule.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        d.rules.insert(rule.as_str().to_string(), 1);
                    }
                }
            }
            if d.example.is_none() {
                d.example = example(m).map(|text| DiscoveredExample {
                    doc_id: doc_id.to_string(),
                    text,
                });
            }
        }
    }

    /// Adds everything counted in `other`, which holds documents that come
    /// after ours: entity info already known is kept, and `other`'s
    /// examples fill up the pairs that have room (see [`Aggregates`] on
    /// order).
    ///
    /// # Errors
    ///
    /// [`Error::BucketMismatch`] when `other` is counted by another
    /// bucket, or by period while `self` is not, or the other way round
    /// (its periods cannot be added to ours); [`Error::WindowMismatch`]
    /// when it counts another window kind (its counts cannot be added to
    /// ours). `self` is left unchanged.
    pub fn merge(&mut self, other: Aggregates) -> Result<(), Error> {
        if other.bucket != self.bucket {
            return Err(Error::BucketMismatch {
                ours: self.bucket,
                theirs: other.bucket,
            });
        }
        if other.window != self.window {
            return Err(Error::WindowMismatch {
                ours: self.window,
                theirs: other.window,
            });
        }
        self.documents += other.documents;
        self.windows += other.windows;
        for column in other.attribute_columns {
            if !self.attribute_columns.contains(&column) {
                self.attribute_columns.push(column);
            }
        }
        add_all(&mut self.entities, other.entities);
        add_all(&mut self.pairs, other.pairs);
        for (id, d) in other.discovered {
            self.discovered.entry(id).or_default().merge(d);
        }
        self.unparsed_dates += other.unparsed_dates;
        for (label, p) in other.periods {
            *self.periods.entry(label).or_default() += p;
        }
        Ok(())
    }

    /// The counts of entity `id`; `None` when it was never mentioned.
    pub fn entity(&self, id: &str) -> Option<&EntityCounts> {
        self.entities.get(id)
    }

    /// The number of entities mentioned.
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// The entities as `entities.csv` lists them: most mentions first,
    /// then by id.
    pub fn entity_rows(&self) -> Vec<EntityRow<'_>> {
        self.entities_sorted()
            .into_iter()
            .map(|(id, counts)| EntityRow { id, counts })
            .collect()
    }

    /// The pairs with at least `min_count` windows as `cooccurrence.csv`
    /// lists them: most windows first, then by ids, each with its NPMI.
    pub fn pair_rows(&self, min_count: u64) -> Vec<PairRow<'_>> {
        self.pairs_sorted(min_count)
            .into_iter()
            .map(|(source, target, counts, npmi)| PairRow {
                source,
                target,
                counts,
                npmi,
            })
            .collect()
    }

    /// What was seen of the discovered entity `id` (`person:~KEY`,
    /// `organization:~KEY`); `None` for an id discovery did not make.
    pub fn discovered(&self, id: &str) -> Option<&DiscoveredCounts> {
        self.discovered.get(id)
    }

    /// The counts of the period `label` (see [`Aggregates::bucket`];
    /// [`UNDATED`] for documents without a date that parses).
    pub fn period(&self, label: &str) -> Option<&PeriodCounts> {
        self.periods.get(label)
    }

    /// The periods and their counts, in time order ([`UNDATED`] last).
    pub fn periods(&self) -> impl Iterator<Item = (&str, &PeriodCounts)> {
        // Labels sort in time order as strings, and `undated` after them.
        self.periods.iter().map(|(label, p)| (label.as_str(), p))
    }

    /// The counts of the pair of entities `a` and `b`, in either order;
    /// `None` when they never co-occur. One hash lookup (the key is built
    /// from the two ids, so the cost does not grow with the number of
    /// pairs).
    pub fn pair(&self, a: &str, b: &str) -> Option<&PairCounts> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        self.pairs.get(&(Arc::from(a), Arc::from(b)))
    }

    /// The NPMI of a pair (see the module docs), in either order; `None`
    /// for an unknown pair. One lookup, as [`Aggregates::pair`].
    pub fn npmi(&self, a: &str, b: &str) -> Option<f64> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let pair = self.pair(a, b)?;
        Some(self.npmi_of(a, b, pair))
    }

    pub(crate) fn npmi_of(&self, a: &str, b: &str, pair: &PairCounts) -> f64 {
        let wa = self.entities.get(a).map_or(0, |e| e.windows);
        let wb = self.entities.get(b).map_or(0, |e| e.windows);
        npmi(self.windows, wa, wb, pair.windows)
    }

    /// Adds one document's counts to its period, when the aggregates are
    /// counted by period (see [`Aggregates::add`], which calls it).
    fn add_to_period(&mut self, date: Option<&str>, doc: &DocumentCounts) {
        let Some(bucket) = self.bucket else { return };
        let parsed = date.map(crate::period::parse_date);
        if matches!(parsed, Some(None)) {
            self.unparsed_dates += 1;
        }
        let label = match parsed.flatten() {
            Some(d) => bucket.label(d),
            None => UNDATED.to_string(),
        };
        let p = self.periods.entry(label).or_default();
        p.documents += 1;
        p.windows += doc.windows;
        for (id, mentions, windows) in &doc.entities {
            let e = p.entities.entry(id.clone()).or_default();
            e.mentions += mentions;
            e.windows += windows;
            e.documents += 1;
        }
        for (pair, windows, _) in &doc.pairs {
            let c = p.pairs.entry(pair.clone()).or_default();
            c.windows += windows;
            c.documents += 1;
        }
    }

    /// Entities sorted for output: most mentions first, then by id.
    pub(crate) fn entities_sorted(&self) -> Vec<SortedEntity<'_>> {
        let mut v: Vec<_> = self.entities.iter().collect();
        // Ids are unique: an unstable sort gives the one order there is.
        v.sort_unstable_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
        v
    }

    /// How many pairs have at least `min_count` windows (the length of
    /// [`Aggregates::pair_rows`], without sorting).
    pub fn pair_count(&self, min_count: u64) -> usize {
        self.pairs
            .values()
            .filter(|c| c.windows >= min_count)
            .count()
    }

    /// Pairs with at least `min_count` windows, sorted for output: most
    /// windows first, then by ids; with their NPMI.
    pub(crate) fn pairs_sorted(&self, min_count: u64) -> Vec<SortedPair<'_>> {
        let kept: Vec<(&EntityPair, &PairCounts)> = self
            .pairs
            .iter()
            .filter(|(_, c)| c.windows >= min_count)
            .collect();
        // The ids' ranks in id order, so that the pairs sort on integers
        // (comparing the strings behind two pointers cost ~1,500
        // instructions a pair). Keyed by the ids' addresses, not their
        // text: a pair's ids are read only to sort the distinct ones, and
        // two copies of one id (a discovered id is made anew in each
        // document) get the same rank. Each rank's entity windows, for
        // the NPMI, are looked up once too.
        let address = |id: &Arc<str>| Arc::as_ptr(id).cast::<u8>() as usize;
        let mut rank: FxHashMap<usize, u32> = FxHashMap::default();
        let mut ids: Vec<&Arc<str>> = Vec::new();
        for ((a, b), _) in &kept {
            for id in [a, b] {
                rank.entry(address(id)).or_insert_with(|| {
                    ids.push(id);
                    0
                });
            }
        }
        ids.sort_unstable_by(|x, y| x.as_ref().cmp(y.as_ref()));
        let mut windows: Vec<u64> = Vec::with_capacity(ids.len());
        for (k, id) in ids.iter().enumerate() {
            if k == 0 || ids[k - 1] != *id {
                windows.push(self.entities.get(id.as_ref()).map_or(0, |e| e.windows));
            }
            rank.insert(address(id), windows.len() as u32 - 1);
        }
        let mut order: Vec<(std::cmp::Reverse<u64>, u32, u32, u32)> = kept
            .iter()
            .zip(0u32..)
            .map(|(((a, b), c), k)| {
                (
                    std::cmp::Reverse(c.windows),
                    rank[&address(a)],
                    rank[&address(b)],
                    k,
                )
            })
            .collect();
        // Pairs are unique: an unstable sort gives the one order there is.
        // In parallel: a run can have hundreds of thousands of pairs, all
        // sorted after the last document.
        use rayon::prelude::*;
        order.par_sort_unstable();
        order
            .into_par_iter()
            .map(|(_, ra, rb, k)| {
                let ((a, b), c) = kept[k as usize];
                let (wa, wb) = (windows[ra as usize], windows[rb as usize]);
                (a, b, c, npmi(self.windows, wa, wb, c.windows))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::Form;

    fn m(id: &str, sentence: usize, paragraph: usize) -> Mention {
        Mention {
            entity_id: Arc::from(id),
            entity_type: Arc::from("t"),
            name: Arc::from(id),
            surface: String::new(),
            prefix: String::new(),
            start: 0,
            end: 0,
            byte_start: 0,
            byte_end: 0,
            form: Form::Name,
            rule: None,
            matched: None,
            ambiguous: false,
            alternatives: vec![],
            sentence,
            paragraph,
        }
    }

    /// The texts the two marks of an example cover.
    fn marked(ex: &Example) -> (String, String) {
        let slice = |r: &Range<usize>| {
            ex.text
                .chars()
                .skip(r.start)
                .take(r.end - r.start)
                .collect::<String>()
        };
        (slice(&ex.marks[0]), slice(&ex.marks[1]))
    }

    fn info(_: &str) -> EntityInfo {
        EntityInfo::default()
    }

    /// Adds documents `docs[range]` (each a list of `(entity, sentence)`)
    /// one by one: entity info names the document that first brought the
    /// entity, examples name the document and the window, and discovered
    /// counts are left out (they have their own merge test). Counted by
    /// week: document `i` is dated by `i % 4` (undated, two weeks, a date
    /// that does not parse), so the periods are merged too.
    fn aggregate(docs: &[Vec<(usize, usize)>], range: Range<usize>) -> Aggregates {
        const IDS: [&str; 5] = ["a", "b", "c", "d", "e"];
        const DATES: [Option<&str>; 4] = [None, Some("2024-03-04"), Some("2024-03-12"), Some("?")];
        let mut agg = Aggregates::new(WindowKind::Sentence);
        agg.bucket = Some(Bucket::Week);
        for i in range {
            let ms: Vec<Mention> = docs[i].iter().map(|&(e, s)| m(IDS[e], s, 0)).collect();
            let windows = ms.iter().map(|m| m.sentence as u64 + 1).max().unwrap_or(0);
            agg.add(
                DocumentCounts::new(&ms, WindowKind::Sentence, windows),
                DATES[i % 4],
                |id| EntityInfo {
                    kind: format!("seen first in d{i}"),
                    name: id.to_uppercase(),
                    ..EntityInfo::default()
                },
                |_, ev| {
                    Some(Example {
                        doc_id: format!("d{i}").into(),
                        text: format!("window {}", ev.window).into(),
                        marks: [0..1, 2..3],
                        trigger: None,
                    })
                },
            );
        }
        agg
    }

    /// The counts alone: entity info and examples left out.
    fn counts_only(mut agg: Aggregates) -> Aggregates {
        for e in agg.entities.values_mut() {
            e.info = EntityInfo::default();
        }
        for p in agg.pairs.values_mut() {
            p.examples.clear();
        }
        agg
    }

    #[test]
    fn run_summaries_count_records_and_add_up() {
        use crate::input::Status;
        let mut a = RunSummary {
            window: "sentence".into(),
            gazetteer: "g 1".into(),
            ..RunSummary::default()
        };
        // (status, mentions, chars)
        for (status, mentions, chars) in [
            (Status::Ok, 3, 100),
            (Status::Warning, 0, 0),
            (Status::Error, 0, 0),
            (Status::Ok, 1, 20),
        ] {
            a.count(status, mentions, chars);
        }
        assert_eq!(
            (a.documents, a.errors, a.warnings, a.mentions, a.chars),
            (4, 1, 1, 4, 120)
        );
        let b = RunSummary {
            documents: 2,
            errors: 1,
            warnings: 0,
            mentions: 5,
            windows: 7,
            chars: 9,
            gazetteer: "other".into(),
            ..RunSummary::default()
        };
        a.windows = 3;
        a += &b;
        assert_eq!(
            (
                a.documents,
                a.errors,
                a.warnings,
                a.mentions,
                a.windows,
                a.chars
            ),
            (6, 2, 1, 9, 10, 129)
        );
        // Settings are not totals.
        assert_eq!(
            (a.window.as_str(), a.gazetteer.as_str()),
            ("sentence", "g 1")
        );
    }

    #[test]
    fn merge_refuses_another_window_kind() {
        let mut sentence = Aggregates::new(WindowKind::Sentence);
        sentence.add(
            DocumentCounts::new(&[m("a", 0, 0), m("b", 0, 0)], WindowKind::Sentence, 1),
            None,
            info,
            |_, _| None,
        );
        let before = sentence.clone();
        let mut paragraph = Aggregates::new(WindowKind::Paragraph);
        paragraph.add(
            DocumentCounts::new(&[m("a", 0, 0)], WindowKind::Paragraph, 1),
            None,
            info,
            |_, _| None,
        );
        let err = sentence.merge(paragraph).unwrap_err();
        assert!(
            matches!(
                err,
                Error::WindowMismatch {
                    ours: WindowKind::Sentence,
                    theirs: WindowKind::Paragraph
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "window paragraph differs from window sentence"
        );
        assert_eq!(sentence, before);
    }

    #[test]
    fn add_counts_the_period_too() {
        let mut agg = Aggregates::new(WindowKind::Sentence);
        agg.bucket = Some(Bucket::Week);
        let doc = || DocumentCounts::from_parts(2, vec![("a".into(), 3, 2)], vec![]);
        // A Sunday 23:00 at +03:00 is in its own week 10; a date that does
        // not parse is undated, and counted apart.
        agg.add(
            doc(),
            Some("Sun, 10 Mar 2024 23:00:00 +0300"),
            info,
            |_, _| None,
        );
        agg.add(doc(), Some("not a date"), info, |_, _| None);
        let week = agg.period("2024-W10").expect("week 10");
        assert_eq!(week.entity("a").map(|e| e.mentions), Some(3));
        let undated = agg.period(UNDATED).expect("undated");
        assert_eq!((undated.documents, agg.unparsed_dates), (1, 1));
        assert_eq!(agg.entity("a").map(|e| e.mentions), Some(6));
        assert_eq!(agg.documents, 2);
        let labels: Vec<&str> = agg.periods().map(|(label, _)| label).collect();
        assert_eq!(labels, ["2024-W10", UNDATED]);
    }

    #[test]
    fn merge_refuses_another_bucket() {
        let by = |bucket| Aggregates {
            bucket,
            ..Aggregates::new(WindowKind::Sentence)
        };
        // (ours, theirs, message): the bucket is checked before the window.
        let cases = [
            (
                Some(Bucket::Week),
                Some(Bucket::Month),
                "counted by month, differs from counted by week",
            ),
            (
                None,
                Some(Bucket::Day),
                "counted by day, differs from counted not by period",
            ),
            (
                Some(Bucket::Day),
                None,
                "counted not by period, differs from counted by day",
            ),
        ];
        for (ours, theirs, message) in cases {
            let mut agg = by(ours);
            let mut other = by(theirs);
            other.window = WindowKind::Paragraph;
            let err = agg.merge(other).unwrap_err();
            assert!(
                matches!(err, Error::BucketMismatch { ours: o, theirs: t } if o == ours && t == theirs),
                "{err:?}"
            );
            assert_eq!(err.to_string(), message);
            assert_eq!(agg, by(ours));
        }
        assert_eq!(
            by(Some(Bucket::Week)).merge(by(Some(Bucket::Week))).ok(),
            Some(())
        );
    }

    proptest::proptest! {
        /// What the doc comment of [`Aggregates`] promises: merging the
        /// aggregates of consecutive parts in input order, however the
        /// documents are cut into parts and however the merges are
        /// grouped, gives exactly what adding the documents one by one
        /// gives, entity info and examples included; and the counts do not
        /// depend on the order at all (the parts merged last to first).
        #[test]
        fn merge_of_parts_equals_one_pass(
            docs in proptest::collection::vec(
                proptest::collection::vec((0usize..5, 0usize..3), 0..6),
                0..12,
            ),
            cuts in proptest::collection::vec(0usize..13, 0..4),
            right_first in proptest::bool::ANY,
        ) {
            let whole = aggregate(&docs, 0..docs.len());
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(docs.len())).collect();
            bounds.extend([0, docs.len()]);
            bounds.sort_unstable();
            let parts: Vec<Aggregates> =
                bounds.windows(2).map(|w| aggregate(&docs, w[0]..w[1])).collect();
            // Grouped left to right, or right to left (a, (b, c)).
            let merged = if right_first {
                parts.clone().into_iter().rev().reduce(|later, mut earlier| {
                    earlier.merge(later).unwrap();
                    earlier
                })
            } else {
                parts.clone().into_iter().reduce(|mut earlier, later| {
                    earlier.merge(later).unwrap();
                    earlier
                })
            };
            let merged = merged.unwrap_or_else(|| aggregate(&docs, 0..0));
            proptest::prop_assert_eq!(&merged, &whole);
            // Last part first: the same counts (info and examples differ).
            let reversed = parts.into_iter().rev().reduce(|mut a, b| {
                a.merge(b).unwrap();
                a
            });
            let reversed = reversed.unwrap_or_else(|| aggregate(&docs, 0..0));
            proptest::prop_assert_eq!(counts_only(reversed), counts_only(whole));
        }
    }

    proptest::proptest! {
        /// The order of `pairs_sorted` (on ranks) is the order of its
        /// definition: most windows first, then by ids as strings.
        #[test]
        fn pairs_sorted_is_by_windows_then_ids(
            pairs in proptest::collection::vec(
                (0usize..12, 0usize..12, 1u64..5),
                0..60,
            ),
            min in 1u64..3,
            entity_windows in proptest::collection::vec(proptest::option::of(1u64..9), 12),
            n in 1u64..40,
        ) {
            let names = ["a", "ab", "b", "B", "ba", "z", "é", "ر", "ره", "x:1", "x:10", "x:2"];
            let mut agg = Aggregates { windows: n, ..Aggregates::default() };
            // Some entities unknown (windows 0 for the NPMI).
            for (name, w) in names.iter().zip(&entity_windows) {
                if let Some(w) = *w {
                    let counts = EntityCounts { windows: w, ..EntityCounts::default() };
                    agg.entities.insert(Arc::from(*name), counts);
                }
            }
            for (x, y, windows) in pairs {
                // Smaller id first, as `add` keys them.
                let (a, b) = (names[x].min(names[y]), names[x].max(names[y]));
                if a == b {
                    continue;
                }
                agg.pairs.insert(
                    (Arc::from(a), Arc::from(b)),
                    PairCounts { windows, documents: 1, ..PairCounts::default() },
                );
            }
            let sorted = agg.pairs_sorted(min);
            // Each pair's NPMI is that of its definition (bit for bit).
            for &(a, b, _, npmi) in &sorted {
                let want = agg.npmi(a, b).map(f64::to_bits);
                proptest::prop_assert_eq!(Some(npmi.to_bits()), want);
            }
            let got: Vec<(String, String, u64)> = sorted
                .into_iter()
                .map(|(a, b, c, _)| (a.to_string(), b.to_string(), c.windows))
                .collect();
            let mut want: Vec<(String, String, u64)> = agg
                .pairs
                .iter()
                .filter(|(_, c)| c.windows >= min)
                .map(|((a, b), c)| (a.to_string(), b.to_string(), c.windows))
                .collect();
            want.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn worked_example() {
        // "Putin met Xi. Xi and Putin spoke of Putin."
        let ms = [
            m("putin", 0, 0),
            m("xi", 0, 0),
            m("xi", 1, 0),
            m("putin", 1, 0),
            m("putin", 1, 0),
        ];
        let mut agg = Aggregates::new(WindowKind::Sentence);
        agg.add(
            DocumentCounts::new(&ms, WindowKind::Sentence, 2),
            None,
            info,
            |_, _| None,
        );
        let putin = &agg.entities["putin"];
        assert_eq!((putin.mentions, putin.documents, putin.windows), (3, 1, 2));
        let pair = &agg.pairs[&(Arc::from("putin"), Arc::from("xi"))];
        assert_eq!((pair.windows, pair.documents), (2, 1));
        // `pair` finds it in either order, and nothing for a non-pair.
        assert_eq!(agg.pair("xi", "putin"), Some(pair));
        assert_eq!(agg.pair("putin", "xi"), Some(pair));
        assert_eq!(agg.pair("putin", "putin"), None);
        assert_eq!(agg.pair("putin", "nobody"), None);
        // Both in every window: p(x,y) = 1.
        assert_eq!(agg.npmi("xi", "putin"), Some(1.0));
    }

    #[test]
    fn window_kinds() {
        let ms = [m("a", 0, 0), m("b", 1, 0), m("c", 2, 1)];
        for (kind, windows, ab, bc) in [
            (WindowKind::Sentence, 3, None, None),
            (WindowKind::Paragraph, 2, Some(1), None),
            (WindowKind::Document, 1, Some(1), Some(1)),
        ] {
            let mut agg = Aggregates::new(kind);
            agg.add(
                DocumentCounts::new(&ms, kind, windows),
                None,
                info,
                |_, _| None,
            );
            let get = |x: &str, y: &str| {
                agg.pairs
                    .get(&(Arc::from(x), Arc::from(y)))
                    .map(|p| p.windows)
            };
            assert_eq!((get("a", "b"), get("b", "c")), (ab, bc), "{kind:?}");
            assert!(!agg.pairs.contains_key(&(Arc::from("a"), Arc::from("a"))));
        }
    }

    #[test]
    fn npmi_values() {
        // 4 windows: a in 2, b in 2, together in 1: p = 1/4, pa = pb = 1/2:
        // pmi = ln(1) = 0 -> npmi 0.
        let docs = [
            vec![m("a", 0, 0), m("b", 0, 0)],
            vec![m("a", 0, 0)],
            vec![m("b", 0, 0)],
            vec![],
        ];
        let mut agg = Aggregates::new(WindowKind::Sentence);
        for d in &docs {
            agg.add(
                DocumentCounts::new(d, WindowKind::Sentence, 1),
                None,
                info,
                |_, _| None,
            );
        }
        assert!(agg.npmi("a", "b").unwrap().abs() < 1e-12);
        // Together in 1 of 4 windows, each alone in none: pmi = ln 4,
        // npmi = ln 4 / ln 4 = 1.
        let mut agg = Aggregates::new(WindowKind::Sentence);
        agg.add(
            DocumentCounts::new(&docs[0], WindowKind::Sentence, 1),
            None,
            info,
            |_, _| None,
        );
        for _ in 0..3 {
            agg.add(
                DocumentCounts::new(&[], WindowKind::Sentence, 1),
                None,
                info,
                |_, _| None,
            );
        }
        assert!((agg.npmi("a", "b").unwrap() - 1.0).abs() < 1e-12);
    }

    /// `Example::new` as it was written before the cut, the render and the
    /// marks were split for `DocumentExamples` (commit 13b0ee3): the
    /// reference the two are compared with.
    fn reference_example(
        text: &str,
        window: Range<usize>,
        a: Range<usize>,
        b: Range<usize>,
    ) -> (String, [Range<usize>; 2]) {
        let (first, second) = if a.start <= b.start {
            (&a, &b)
        } else {
            (&b, &a)
        };
        let (lo, hi) = (first.start, first.end.max(second.end));
        // A name written across a window break still shows whole.
        let window = window.start.min(lo)..window.end.max(hi);
        // More than EXAMPLE_CHARS characters? (Bytes bound characters from
        // above, and counting stops at the limit.)
        let long = window.len() > EXAMPLE_CHARS
            && text[window.clone()].chars().nth(EXAMPLE_CHARS).is_some();
        let pieces: Vec<Range<usize>> = if long {
            let start = back_chars(text, lo, EXAMPLE_CONTEXT).max(window.start);
            let end = forward_chars(text, hi, EXAMPLE_CONTEXT).min(window.end);
            let first_end = forward_chars(text, first.end, EXAMPLE_CONTEXT).min(window.end);
            let second_start = back_chars(text, second.start, EXAMPLE_CONTEXT).max(window.start);
            if first_end >= second_start || second.start < first.end {
                std::iter::once(start..end).collect()
            } else {
                vec![start..first_end, second_start..end]
            }
        } else {
            // Trim white space at the ends, never into a name.
            let inner = &text[window.clone()];
            let s = (window.start + inner.len() - inner.trim_start().len()).min(lo);
            let e = (window.end - (inner.len() - inner.trim_end().len())).max(hi);
            std::iter::once(s..e).collect()
        };
        let mut out = String::new();
        let mut marks = [0..0, 0..0];
        if long && pieces[0].start > window.start {
            out.push('…');
        }
        for (k, piece) in pieces.iter().enumerate() {
            if k > 0 {
                out.push_str(" … ");
            }
            let offset = out.chars().count();
            for (m, name) in [&a, &b].into_iter().enumerate() {
                if piece.start <= name.start && name.end <= piece.end {
                    let before = text[piece.start..name.start].chars().count();
                    let len = text[name.clone()].chars().count();
                    marks[m] = offset + before..offset + before + len;
                }
            }
            // Line breaks and tabs become spaces (by slices, not by
            // character: this was most of the cost of an example).
            let mut rest = &text[piece.clone()];
            while let Some(at) = memchr::memchr3(b'\n', b'\r', b'\t', rest.as_bytes()) {
                out.push_str(&rest[..at]);
                out.push(' ');
                rest = &rest[at + 1..];
            }
            out.push_str(rest);
        }
        if long && pieces.last().is_some_and(|p| p.end < window.end) {
            out.push('…');
        }
        (out, marks)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// `Example::new` and `DocumentExamples::example` give the text
        /// and marks of the reference, on texts of Arabic and Latin words,
        /// spaces, line breaks and tabs with windows and names anywhere (long
        /// windows cropped in one piece or two); examples of one document
        /// with the same text share it.
        #[test]
        fn examples_are_the_reference(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "بوتين", "شي", "قال", "كلام", "Putin", "Xi", "said", "a",
                    " ", " ", "\n", "\t", "\r\n", "…", "ـ",
                ]),
                1..220,
            ),
            picks in proptest::collection::vec(
                (0usize..1000, 0usize..1000, 0usize..1000, 0usize..1000, 0usize..1000, 1usize..30),
                1..6,
            ),
        ) {
            let text: String = words.concat();
            // Character boundaries, to place windows and names on.
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect();
            let at = |k: usize| bounds[k % bounds.len()];
            let mut shared = DocumentExamples::new("doc", &text);
            let mut seen: Vec<(Cut, Example)> = Vec::new();
            for &(w0, w1, a0, b0, len, _) in &picks {
                let (w0, w1) = (at(w0).min(at(w1)), at(w0).max(at(w1)));
                let name = |s: usize| {
                    let start = at(s);
                    let k = bounds.iter().position(|&b| b == start).unwrap_or(0);
                    start..bounds[(k + len % 6 + 1).min(bounds.len() - 1)]
                };
                let (a, b) = (name(a0), name(b0));
                let (want_text, want_marks) =
                    reference_example(&text, w0..w1, a.clone(), b.clone());
                let one = Example::new("doc", &text, w0..w1, a.clone(), b.clone());
                proptest::prop_assert_eq!(&*one.text, want_text.as_str());
                proptest::prop_assert_eq!(&one.marks, &want_marks);
                let cut = Cut::of(&text, w0..w1, &a, &b);
                let ex = shared.example(w0..w1, a, b);
                proptest::prop_assert_eq!(&ex, &one);
                for (earlier_cut, earlier) in &seen {
                    // One text for one cut (and a cut's text is its own).
                    proptest::prop_assert_eq!(
                        Arc::ptr_eq(&earlier.text, &ex.text),
                        *earlier_cut == cut
                    );
                    proptest::prop_assert!(Arc::ptr_eq(&earlier.doc_id, &ex.doc_id));
                }
                seen.push((cut, ex));
            }
        }
    }

    #[test]
    fn pairs_of_one_short_window_share_its_text() {
        let text = "قال بوتين إن شي وأردوغان اتفقوا.\nثم ";
        let span = |name: &str| {
            let at = text.find(name).unwrap();
            at..at + name.len()
        };
        let window = 0..text.find('\n').unwrap() + 1;
        let mut examples = DocumentExamples::new("d", text);
        let one = examples.example(window.clone(), span("بوتين"), span("شي"));
        let two = examples.example(window.clone(), span("شي"), span("أردوغان"));
        assert_eq!(&*one.text, "قال بوتين إن شي وأردوغان اتفقوا.");
        assert!(Arc::ptr_eq(&one.text, &two.text));
        assert!(Arc::ptr_eq(&one.doc_id, &two.doc_id));
        assert_eq!(marked(&two), ("شي".into(), "أردوغان".into()));
        // Another window: its own text.
        let rest = window.end..text.len();
        let three = examples.example(rest, span("ثم"), span("ثم"));
        assert_eq!(&*three.text, "ثم");
        assert!(!Arc::ptr_eq(&one.text, &three.text));
    }

    #[test]
    fn examples_mark_both_names() {
        let text = "قال بوتين إن شي صديق.\nوانتهى";
        let a = text.find("بوتين").unwrap();
        let b = text.find("شي").unwrap();
        let window = 0..text.find('\n').unwrap() + 1;
        let ex = Example::new("d", text, window, a..a + "بوتين".len(), b..b + "شي".len());
        assert_eq!(&*ex.text, "قال بوتين إن شي صديق.");
        assert_eq!(marked(&ex), ("بوتين".into(), "شي".into()));
    }

    #[test]
    fn long_windows_are_cropped_around_the_names() {
        let filler = "كلام ".repeat(100);
        let text = format!("{filler}بوتين قال لشي {filler}");
        let a = text.find("بوتين").unwrap();
        let b = text.find("شي").unwrap();
        let ex = Example::new(
            "d",
            &text,
            0..text.len(),
            a..a + "بوتين".len(),
            b..b + "شي".len(),
        );
        assert!(
            ex.text.starts_with('…') && ex.text.ends_with('…'),
            "{}",
            ex.text
        );
        assert!(ex.text.chars().count() < 2 * EXAMPLE_CONTEXT + 20);
        assert_eq!(marked(&ex), ("بوتين".into(), "شي".into()));
    }

    #[test]
    fn names_far_apart_give_two_pieces() {
        let filler = "كلام ".repeat(200);
        let text = format!("بوتين قال {filler} ثم قال شي");
        let a = text.find("بوتين").unwrap();
        let b = text.rfind("شي").unwrap();
        let ex = Example::new(
            "d",
            &text,
            0..text.len(),
            a..a + "بوتين".len(),
            b..b + "شي".len(),
        );
        assert!(ex.text.contains(" … "), "{}", ex.text);
        assert!(
            ex.text.chars().count() <= 4 * EXAMPLE_CONTEXT + 20,
            "{}",
            ex.text.chars().count()
        );
        assert_eq!(marked(&ex), ("بوتين".into(), "شي".into()));
        // The reversed pair marks the same names in the same order as given.
        let ex = Example::new(
            "d",
            &text,
            0..text.len(),
            b..b + "شي".len(),
            a..a + "بوتين".len(),
        );
        assert_eq!(marked(&ex), ("شي".into(), "بوتين".into()));
    }

    #[test]
    fn examples_are_the_first_three_in_input_order() {
        let mut agg = Aggregates::new(WindowKind::Sentence);
        for i in 0..5 {
            let counts =
                DocumentCounts::new(&[m("a", 0, 0), m("b", 0, 0)], WindowKind::Sentence, 1);
            agg.add(counts, None, info, |_, _| {
                Some(Example {
                    doc_id: format!("d{i}").into(),
                    ..Example::default()
                })
            });
        }
        let pair = &agg.pairs[&(Arc::from("a"), Arc::from("b"))];
        let ids: Vec<&str> = pair.examples.iter().map(|e| &*e.doc_id).collect();
        assert_eq!(ids, ["d0", "d1", "d2"]);
    }

    #[test]
    fn merge_equals_whole() {
        let docs = [
            vec![m("a", 0, 0), m("b", 0, 0), m("c", 1, 0)],
            vec![m("b", 0, 0), m("c", 0, 0)],
            vec![m("a", 0, 0), m("c", 0, 0), m("a", 2, 1)],
        ];
        let mut whole = Aggregates::new(WindowKind::Sentence);
        for d in &docs {
            whole.add(
                DocumentCounts::new(d, WindowKind::Sentence, 3),
                None,
                info,
                |_, _| None,
            );
        }
        let mut first = Aggregates::new(WindowKind::Sentence);
        first.add(
            DocumentCounts::new(&docs[0], WindowKind::Sentence, 3),
            None,
            info,
            |_, _| None,
        );
        let mut second = Aggregates::new(WindowKind::Sentence);
        for d in &docs[1..] {
            second.add(
                DocumentCounts::new(d, WindowKind::Sentence, 3),
                None,
                info,
                |_, _| None,
            );
        }
        let mut other_order = second.clone();
        other_order.merge(first.clone()).unwrap();
        first.merge(second).unwrap();
        assert_eq!(first, whole);
        assert_eq!(other_order, whole);
    }
}
