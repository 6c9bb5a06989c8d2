//! JSON outputs.
//!
//! `entities.json` and `cooccurrence.json` are arrays of the records of
//! `entities.csv` and `cooccurrence.csv` (same keys as the CSV columns,
//! numbers as JSON numbers, same order), except that the gazetteer's
//! extra columns of an `entities.json` record are an `attributes` object
//! of the columns with a value. Each `cooccurrence.json` record
//! also has `examples`: up to 3 windows where the pair co-occurs, the first
//! in input order, as `{"doc_id", "text", "marks": [[s, e], [s, e]]}` with
//! `marks` the code point ranges of the source and the target entity in
//! `text`. `summary.json` describes the run
//! ([`RunSummary`]) and lets `alam merge` recompute NPMI.
//!
//! `mentions.jsonl`: one JSON object per document, one per line, in input
//! order:
//!
//! ```text
//! {"doc_id": "...", "mentions": [{"entity_id", "type", "name", "surface",
//!   "start", "end", "byte_start", "byte_end", "sentence", "paragraph",
//!   "form", "ambiguous", "prefix", "alternatives"}, ...]}
//! ```
//!
//! `start`/`end` are code point offsets and `byte_start`/`byte_end` UTF-8
//! byte offsets into the original text; `prefix` is the proclitic prefix as
//! written (`""` when none); `alternatives` lists the ids of the other
//! entities an ambiguous form names.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cooccur::{Aggregates, Attributes, Example, SortedEntity, SortedPair, Trigger};
pub use crate::cooccur::{FileEntry, PeriodSummary, RunSummary};
use crate::discover::Rule;
use crate::{Document, Form, Mention};
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::cooccur::{DocumentCounts, EntityInfo, EntityPair, Evidence, WindowKind};
use crate::error::{Error, input_error, io_error};
use crate::input::{InputRecord, Status};

/// A `mentions.jsonl` line as `serde_json` writes it: the reference the
/// hand-written text (`json_text`) is tested against.
#[cfg(test)]
#[derive(Serialize)]
struct DocLine<'a> {
    doc_id: &'a str,
    mentions: MentionRecords<'a>,
}

/// The mentions of a `mentions.jsonl` line, serialized one by one.
#[cfg(test)]
struct MentionRecords<'a>(&'a [Mention]);

#[cfg(test)]
impl Serialize for MentionRecords<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(MentionRecord::from))
    }
}

/// One mention as it appears in JSON outputs (`mentions.jsonl`, `alam
/// stream` lines), written from a [`Mention`] and read back into one.
#[derive(Serialize, Deserialize)]
pub struct MentionRecord<'a> {
    #[serde(borrow)]
    entity_id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    entity_type: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    surface: Cow<'a, str>,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    sentence: usize,
    paragraph: usize,
    #[serde(borrow)]
    form: Cow<'a, str>,
    ambiguous: bool,
    #[serde(borrow)]
    prefix: Cow<'a, str>,
    #[serde(borrow)]
    alternatives: Vec<Cow<'a, str>>,
    /// The discovery rule, only on discovered mentions.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    rule: Option<Cow<'a, str>>,
    /// The form a fuzzy mention is one edit away from, only on those.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    matched: Option<Cow<'a, str>>,
}

impl<'a> From<&'a Mention> for MentionRecord<'a> {
    fn from(m: &'a Mention) -> Self {
        MentionRecord {
            entity_id: Cow::Borrowed(&m.entity_id),
            entity_type: Cow::Borrowed(&m.entity_type),
            name: Cow::Borrowed(&m.name),
            surface: Cow::Borrowed(&m.surface),
            start: m.start,
            end: m.end,
            byte_start: m.byte_start,
            byte_end: m.byte_end,
            sentence: m.sentence,
            paragraph: m.paragraph,
            form: Cow::Borrowed(m.form.as_str()),
            ambiguous: m.ambiguous,
            prefix: Cow::Borrowed(&m.prefix),
            alternatives: m
                .alternatives
                .iter()
                .map(|a| Cow::Borrowed(a.as_ref()))
                .collect(),
            rule: m.rule.map(|r| Cow::Borrowed(r.as_str())),
            matched: m.matched.as_deref().map(Cow::Borrowed),
        }
    }
}

impl MentionRecord<'_> {
    /// The mention this record describes; an unknown `form` is an error.
    pub fn to_mention(&self) -> Result<Mention, String> {
        let form =
            Form::parse(&self.form).ok_or_else(|| format!("unknown form {:?}", self.form))?;
        Ok(Mention {
            entity_id: Arc::from(self.entity_id.as_ref()),
            entity_type: Arc::from(self.entity_type.as_ref()),
            name: Arc::from(self.name.as_ref()),
            surface: self.surface.to_string(),
            prefix: self.prefix.to_string(),
            start: self.start,
            end: self.end,
            byte_start: self.byte_start,
            byte_end: self.byte_end,
            form,
            ambiguous: self.ambiguous,
            alternatives: self
                .alternatives
                .iter()
                .map(|a| Arc::from(a.as_ref()))
                .collect(),
            sentence: self.sentence,
            paragraph: self.paragraph,
            rule: match &self.rule {
                Some(r) => Some(Rule::parse(r).ok_or_else(|| format!("unknown rule {r:?}"))?),
                None => None,
            },
            matched: self.matched.as_deref().map(Arc::from),
        })
    }
}

/// Appends the `mentions.jsonl` line of one document, with its line end,
/// to `out`.
pub fn mentions_line(doc: &Document, mentions: &[Mention], out: &mut Vec<u8>) -> io::Result<()> {
    super::json_text::push_mentions_line(out, doc, mentions, &mut 0, usize::MAX);
    out.push(b'\n');
    Ok(())
}

/// Writes the `mentions.jsonl` line of one document, with its line end,
/// to `out` as it is made (nothing of the size of the line is kept in
/// memory).
pub fn write_mentions_line(
    doc: &Document,
    mentions: &[Mention],
    mut out: impl Write,
) -> io::Result<()> {
    // Written in parts of about 64 KiB.
    let mut buf = Vec::new();
    let mut next = 0;
    while !super::json_text::push_mentions_line(&mut buf, doc, mentions, &mut next, 1 << 16) {
        out.write_all(&buf)?;
        buf.clear();
    }
    buf.push(b'\n');
    out.write_all(&buf)
}

/// `(column, value)` pairs written as a JSON object and read back in
/// the order they were written (the extra columns of a stream entity).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderedPairs(pub Vec<(String, String)>);

impl OrderedPairs {
    /// Whether there is no pair.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for OrderedPairs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for OrderedPairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OrderedPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    pairs.push((k, v));
                }
                Ok(OrderedPairs(pairs))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A `cooccurrence.json` record as `serde_json` writes it: the reference
/// the hand-written text (`json_text`) is tested against.
#[cfg(test)]
#[derive(Serialize)]
struct PairRecord<'a> {
    source_id: &'a str,
    source_name: &'a str,
    source_type: &'a str,
    target_id: &'a str,
    target_name: &'a str,
    target_type: &'a str,
    windows: u64,
    documents: u64,
    npmi: f64,
    relations: &'a BTreeMap<String, u64>,
    directed: &'a BTreeMap<String, u64>,
    examples: Vec<ExampleRecord<'a>>,
}

/// The relation trigger of an example, as JSON writes it.
#[derive(Serialize, Deserialize)]
pub struct TriggerRecord<'a> {
    /// The relation kind.
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    /// The trigger as written.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}

/// An example window as JSON outputs write it (`cooccurrence.json`,
/// `alam stream` lines) and `alam merge` reads it back.
#[derive(Serialize, Deserialize)]
pub struct ExampleRecord<'a> {
    /// The document it comes from.
    #[serde(borrow)]
    pub doc_id: Cow<'a, str>,
    /// The window's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// Code point ranges of the two names in `text`.
    pub marks: [(usize, usize); 2],
    /// The relation trigger that fired in the window, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub trigger: Option<TriggerRecord<'a>>,
}

impl<'a> From<&'a Example> for ExampleRecord<'a> {
    fn from(e: &'a Example) -> Self {
        ExampleRecord {
            doc_id: Cow::Borrowed(&e.doc_id),
            text: Cow::Borrowed(&e.text),
            marks: e.marks.clone().map(|r| (r.start, r.end)),
            trigger: e.trigger.as_ref().map(|t| TriggerRecord {
                kind: Cow::Borrowed(&t.kind),
                text: Cow::Borrowed(&t.text),
            }),
        }
    }
}

impl ExampleRecord<'_> {
    /// The same record owning its text.
    pub fn into_owned(self) -> ExampleRecord<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        ExampleRecord {
            doc_id: own(self.doc_id),
            text: own(self.text),
            marks: self.marks,
            trigger: self.trigger.map(|t| TriggerRecord {
                kind: own(t.kind),
                text: own(t.text),
            }),
        }
    }

    /// The example this record describes.
    pub fn to_example(&self) -> Example {
        Example {
            doc_id: Arc::from(self.doc_id.as_ref()),
            text: Arc::from(self.text.as_ref()),
            marks: self.marks.map(|(start, end)| start..end),
            trigger: self.trigger.as_ref().map(|t| Trigger {
                kind: t.kind.to_string(),
                text: t.text.to_string(),
            }),
        }
    }
}

/// One line of `alam stream` output, written by `alam stream` and read
/// back by `alam merge` (see `alam stream --help` for the format).
#[derive(Serialize, Deserialize)]
pub struct StreamLine<'a> {
    /// The document id.
    #[serde(borrow)]
    pub doc_id: Cow<'a, str>,
    /// Where it came from (`-:LINE`).
    #[serde(borrow)]
    pub source: Cow<'a, str>,
    /// `ok`, `warning` or `error`.
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// What went wrong, or empty.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// The document's length in code points.
    pub chars: usize,
    /// The window kind.
    #[serde(borrow)]
    pub window: Cow<'a, str>,
    /// The document's number of windows.
    pub windows: u64,
    /// The document's date, when `--date-field` gave one (`YYYY-MM-DD`
    /// when it parses, else as written); absent otherwise.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub date: Option<Cow<'a, str>>,
    /// Its mentions.
    #[serde(borrow)]
    pub mentions: Vec<MentionRecord<'a>>,
    /// Its entities with their counts.
    #[serde(borrow)]
    pub entities: Vec<StreamEntity<'a>>,
    /// Its co-occurring pairs.
    #[serde(borrow)]
    pub pairs: Vec<StreamPair<'a>>,
}

impl<'a> StreamLine<'a> {
    /// The stream line of processed record `p`, whose counts for windows
    /// of kind `window` are `counts`; types and names from `gazetteer`.
    pub fn of(
        p: &'a crate::batch::Processed,
        counts: &'a crate::cooccur::DocumentCounts,
        window: crate::cooccur::WindowKind,
        gazetteer: &crate::Gazetteer,
    ) -> StreamLine<'a> {
        use crate::cooccur::{Example, discovered_example};
        let doc = &p.record.document;
        let entities = counts
            .entities()
            .iter()
            .map(|(id, mentions, windows)| {
                let info = crate::batch::info_of(gazetteer, id);
                let example = crate::discover::is_discovered_id(id)
                    .then(|| p.mentions.iter().find(|m| &m.entity_id == id))
                    .flatten()
                    .map(|m| {
                        let range = p.mention_window(window, m);
                        Cow::Owned(discovered_example(&doc.text, range, m))
                    });
                StreamEntity {
                    example,
                    entity_id: Cow::Borrowed(id),
                    entity_type: Cow::Owned(info.kind),
                    name: Cow::Owned(info.name),
                    name_ar: Cow::Owned(info.name_ar),
                    attributes: OrderedPairs(
                        info.attributes
                            .iter()
                            .map(|(c, v)| (c.to_string(), v.to_string()))
                            .collect(),
                    ),
                    mentions: *mentions,
                    windows: *windows,
                }
            })
            .collect();
        let mut relations = counts.relations().iter().peekable();
        let pairs = counts
            .pairs()
            .iter()
            .enumerate()
            .map(|(index, (pair, windows, ev))| {
                let range = p.window_range(window, ev.window);
                let e = Example::new(&doc.id, &doc.text, range, ev.a.clone(), ev.b.clone())
                    .with_trigger(&doc.text, ev);
                let mut counts = crate::cooccur::PairCounts::default();
                while let Some((_, kind, [n, fwd, bwd])) = relations.next_if(|r| r.0 == index) {
                    counts.add_relation(kind, *n, *fwd, *bwd);
                }
                StreamPair {
                    source_id: Cow::Borrowed(&pair.0),
                    target_id: Cow::Borrowed(&pair.1),
                    windows: *windows,
                    relations: counts.relations,
                    directed: counts.directed,
                    example: ExampleRecord::from(&e).into_owned(),
                }
            })
            .collect();
        StreamLine {
            doc_id: Cow::Borrowed(&doc.id),
            source: Cow::Borrowed(&p.record.source),
            status: Cow::Borrowed(p.record.status.as_str()),
            message: Cow::Borrowed(&p.record.message),
            chars: p.chars,
            window: Cow::Borrowed(window.as_str()),
            windows: counts.windows(),
            date: doc.date.as_deref().map(Cow::Borrowed),
            mentions: p.mentions.iter().map(MentionRecord::from).collect(),
            entities,
            pairs,
        }
    }
}

/// An entity of a stream line, with its counts in the document.
#[derive(Serialize, Deserialize)]
pub struct StreamEntity<'a> {
    /// The entity id.
    #[serde(borrow)]
    pub entity_id: Cow<'a, str>,
    /// Its type.
    #[serde(rename = "type", borrow)]
    pub entity_type: Cow<'a, str>,
    /// Its name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Its Arabic name.
    #[serde(borrow)]
    pub name_ar: Cow<'a, str>,
    /// Mentions in the document.
    pub mentions: u64,
    /// Windows of the document it is in.
    pub windows: u64,
    /// For a discovered entity: the sentence (cropped) of its first
    /// mention in the document, for `discovered.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub example: Option<Cow<'a, str>>,
    /// The extra gazetteer columns with a value, when there are any.
    #[serde(default, skip_serializing_if = "OrderedPairs::is_empty")]
    pub attributes: OrderedPairs,
}

/// A pair of a stream line: windows in which both appear, and the first.
#[derive(Serialize, Deserialize)]
pub struct StreamPair<'a> {
    /// The smaller id.
    #[serde(borrow)]
    pub source_id: Cow<'a, str>,
    /// The larger id.
    #[serde(borrow)]
    pub target_id: Cow<'a, str>,
    /// Windows of the document where both appear.
    pub windows: u64,
    /// Of those, the windows a trigger of each relation kind links them
    /// in (see `PairCounts::relations`), when there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub relations: BTreeMap<String, u64>,
    /// The directed ones (see `PairCounts::directed`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub directed: BTreeMap<String, u64>,
    /// The first of them.
    #[serde(borrow)]
    pub example: ExampleRecord<'a>,
}

/// `discovered` for an id of a discovered entity, `gazetteer` otherwise
/// (the `source` column of the entity tables).
pub fn entity_source(id: &str) -> &'static str {
    if crate::discover::is_discovered_id(id) {
        "discovered"
    } else {
        "gazetteer"
    }
}

/// Writes `entities.json`: a record per entity of `entities` (the run's
/// [`Aggregates::entities_sorted`]), in its order.
pub fn write_entities<W: Write>(
    w: W,
    agg: &Aggregates,
    entities: &[SortedEntity],
) -> io::Result<W> {
    write_pretty_array(w, entities, 256, |out, &(id, c)| {
        let text = super::json_text::EntityText {
            entity_id: id,
            entity_type: &c.info.kind,
            name: &c.info.name,
            name_ar: &c.info.name_ar,
            mentions: c.mentions,
            documents: c.documents,
            windows: c.windows,
            source: entity_source(id),
        };
        let attributes = agg
            .attribute_columns
            .iter()
            .filter_map(|column| Some((column.as_str(), c.info.attributes.get(column)?)));
        super::json_text::push_entity(out, &text, attributes);
    })
}

/// A pair as `cooccurrence.json` wrote it with `serde_json`: the fields
/// [`pair_text`] picks, serialized by serde (the tests' reference).
#[cfg(test)]
fn pair_record<'a>(agg: &'a Aggregates, pair: &SortedPair<'a>) -> PairRecord<'a> {
    let t = pair_text(agg, pair);
    PairRecord {
        source_id: t.source_id,
        source_name: t.source_name,
        source_type: t.source_type,
        target_id: t.target_id,
        target_name: t.target_name,
        target_type: t.target_type,
        windows: t.windows,
        documents: t.documents,
        npmi: t.npmi,
        relations: t.relations,
        directed: t.directed,
        examples: t.examples.iter().map(ExampleRecord::from).collect(),
    }
}

/// The same record for the hand-written text (`json_text`).
fn pair_text<'a>(
    agg: &'a Aggregates,
    &(a, b, c, npmi): &SortedPair<'a>,
) -> super::json_text::PairText<'a> {
    let (ea, eb) = (&agg.entities[a].info, &agg.entities[b].info);
    super::json_text::PairText {
        source_id: a,
        source_name: &ea.name,
        source_type: &ea.kind,
        target_id: b,
        target_name: &eb.name,
        target_type: &eb.kind,
        windows: c.windows,
        documents: c.documents,
        npmi: (npmi * 1e6).round() / 1e6,
        relations: &c.relations,
        directed: &c.directed,
        examples: &c.examples,
    }
}

/// Writes `cooccurrence.json` with `pairs` (from
/// [`Aggregates::pairs_sorted`]).
///
/// The file is what `serde_json::to_writer_pretty` writes for the array of
/// pairs (a test checks it), but each pair is written on its own (by hand,
/// see `json_text`), in parallel blocks: a run of a large corpus has hundreds of thousands of
/// pairs with their examples, all written after the last document.
pub fn write_cooccurrence<W: Write>(w: W, agg: &Aggregates, pairs: &[SortedPair]) -> io::Result<W> {
    write_pretty_array(w, pairs, 512, |out, pair| {
        super::json_text::push_pair(out, &pair_text(agg, pair));
    })
}

/// Writes `items` as the array `serde_json::to_writer_pretty` writes, and
/// a line end, in parallel blocks (`super::write_in_blocks`): `push`
/// appends one element where its indent leaves it, its own lines indented
/// by two spaces (a string's line breaks are escaped, so every raw one is
/// layout); `capacity` is about the bytes of an element.
fn write_pretty_array<W: Write, T: Sync>(
    mut w: W,
    items: &[T],
    capacity: usize,
    push: impl Fn(&mut Vec<u8>, &T) + Sync,
) -> io::Result<W> {
    if items.is_empty() {
        w.write_all(b"[]\n")?;
        return Ok(w);
    }
    // The elements from `first` on: each after "\n" (the first) or ",\n",
    // and the element's indent.
    let elements = |first: usize, block: &[T]| {
        let mut out = Vec::with_capacity(block.len() * capacity);
        for (k, item) in block.iter().enumerate() {
            out.extend_from_slice(if first + k == 0 { b"\n  " } else { b",\n  " });
            push(&mut out, item);
        }
        Ok(out)
    };
    w.write_all(b"[")?;
    super::write_in_blocks(items, elements, |block| w.write_all(block))?;
    w.write_all(b"\n]\n")?;
    Ok(w)
}

impl RunSummary {
    /// The entry of file `name` in [`RunSummary::files`].
    pub fn file(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Writes `summary.json`.
pub fn write_summary<W: Write>(mut w: W, summary: &RunSummary) -> io::Result<W> {
    serde_json::to_writer_pretty(&mut w, summary)?;
    w.write_all(b"\n")?;
    Ok(w)
}

#[derive(serde::Deserialize)]
struct PairExamples<'a> {
    #[serde(borrow)]
    source_id: Cow<'a, str>,
    #[serde(borrow)]
    target_id: Cow<'a, str>,
    #[serde(default, borrow)]
    examples: Vec<ExampleRecord<'a>>,
}

/// Adds the examples of `cooccurrence.json`, when the part has one.
pub(crate) fn read_examples(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path, e)),
    };
    let records: Vec<PairExamples> = serde_json::from_str(&text).map_err(|e| {
        input_error(
            path,
            e.line() as u64,
            format!("not a cooccurrence.json: {e}"),
        )
    })?;
    for r in records {
        let (a, b) = (
            Arc::<str>::from(r.source_id.as_ref()),
            Arc::<str>::from(r.target_id.as_ref()),
        );
        let key = if a <= b { (a, b) } else { (b, a) };
        if let Some(pair) = agg.pairs.get_mut(&key) {
            pair.examples = r.examples.iter().map(ExampleRecord::to_example).collect();
        }
    }
    Ok(())
}

/// A document read back from a stream line: what `alam extract` writes
/// for it and adds to its aggregates.
pub struct StreamDocument {
    /// The input record (text not kept).
    pub record: InputRecord,
    /// Its length in code points.
    pub chars: usize,
    /// Its window kind.
    pub window: WindowKind,
    /// Its mentions.
    pub mentions: Vec<Mention>,
    /// Its counts.
    pub counts: DocumentCounts,
    /// The first window of each pair, as an example.
    pub examples: FxHashMap<EntityPair, Example>,
    /// Type and names of each entity.
    pub infos: FxHashMap<String, EntityInfo>,
    /// The example of each discovered entity of the document.
    pub discovered_examples: FxHashMap<String, String>,
}

/// Parses one `alam stream` line; `path` and `line_no` name it in errors.
pub fn parse_stream_line(line: &str, path: &Path, line_no: u64) -> Result<StreamDocument, Error> {
    let bad = |m: String| input_error(path, line_no, m);
    let l: StreamLine =
        serde_json::from_str(line).map_err(|e| bad(format!("not an alam stream line: {e}")))?;
    let status = match l.status.as_ref() {
        "ok" => Status::Ok,
        "warning" => Status::Warning,
        "error" => Status::Error,
        other => return Err(bad(format!("unknown status {other:?}"))),
    };
    let window = WindowKind::parse(&l.window)
        .ok_or_else(|| bad(format!("unknown window {:?}", l.window)))?;
    let mentions = l
        .mentions
        .iter()
        .map(|m| m.to_mention().map_err(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let mut infos = FxHashMap::default();
    let mut discovered_examples = FxHashMap::default();
    let mut entities = Vec::new();
    for e in &l.entities {
        entities.push((
            Arc::<str>::from(e.entity_id.as_ref()),
            e.mentions,
            e.windows,
        ));
        let info = EntityInfo {
            kind: e.entity_type.to_string(),
            name: e.name.to_string(),
            name_ar: e.name_ar.to_string(),
            attributes: Attributes::new(e.attributes.0.iter().cloned()),
        };
        infos.insert(e.entity_id.to_string(), info);
        if let Some(ex) = &e.example {
            discovered_examples.insert(e.entity_id.to_string(), ex.to_string());
        }
    }
    let mut pairs = Vec::new();
    let mut relations = Vec::new();
    let mut examples = FxHashMap::default();
    for (index, p) in l.pairs.iter().enumerate() {
        let (a, b) = (
            Arc::<str>::from(p.source_id.as_ref()),
            Arc::<str>::from(p.target_id.as_ref()),
        );
        // Written smaller id first; a line with the ids the other way
        // round has its directions the other way round too.
        let swapped = a > b;
        let key = if swapped { (b, a) } else { (a, b) };
        for (kind, &n) in &p.relations {
            let directed = |suffix: char| {
                p.directed
                    .get(&format!("{kind}{suffix}"))
                    .copied()
                    .unwrap_or(0)
            };
            let (fwd, bwd) = (directed('>'), directed('<'));
            let counts = if swapped {
                [n, bwd, fwd]
            } else {
                [n, fwd, bwd]
            };
            relations.push((index, Arc::<str>::from(kind.as_str()), counts));
        }
        pairs.push((key.clone(), p.windows, Evidence::default()));
        examples.insert(key, p.example.to_example());
    }
    Ok(StreamDocument {
        record: InputRecord {
            document: Document {
                date: l.date.as_deref().map(String::from),
                ..Document::new(l.doc_id.as_ref(), "")
            },
            source: l.source.to_string(),
            status,
            message: l.message.to_string(),
        },
        chars: l.chars,
        window,
        mentions,
        counts: DocumentCounts::from_parts(l.windows, entities, pairs).with_relations(relations),
        examples,
        infos,
        discovered_examples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cooccur::{EntityCounts, EntityInfo, PairCounts};

    /// Aggregates of `n` entities and every pair of them, with zero to
    /// three examples holding quotes, backslashes and escaped line breaks.
    fn aggregates(n: usize) -> Aggregates {
        let mut agg = Aggregates {
            windows: 100,
            ..Aggregates::default()
        };
        let ids: Vec<Arc<str>> = (0..n).map(|i| Arc::from(format!("e:{i:03}"))).collect();
        for (i, id) in ids.iter().enumerate() {
            agg.entities.insert(
                id.clone(),
                EntityCounts {
                    info: EntityInfo {
                        kind: "country".into(),
                        name: format!("Name \"{i}\""),
                        name_ar: "روسيا".into(),
                        ..Default::default()
                    },
                    mentions: i as u64 + 1,
                    documents: 1,
                    windows: i as u64 % 7 + 1,
                },
            );
        }
        for i in 0..n {
            for j in i + 1..n {
                let examples = (0..(i + j) % 4)
                    .map(|k| Example {
                        doc_id: format!("d{k}").into(),
                        text: format!("a \"quoted\" \\ back\nslash {i} روسيا {j}").into(),
                        marks: [0..1, 2..3],
                        trigger: (k == 1).then(|| Trigger {
                            kind: "visit".into(),
                            text: "وزار \"x\"".into(),
                        }),
                    })
                    .collect();
                let mut counts = PairCounts {
                    windows: ((i * j) % 5) as u64 + 1,
                    documents: 1,
                    examples,
                    ..PairCounts::default()
                };
                if (i + j) % 3 == 0 {
                    counts.add_relation("meet", 1, 0, 0);
                    counts.add_relation("visit", 2, 1, 1);
                }
                agg.pairs.insert((ids[i].clone(), ids[j].clone()), counts);
            }
        }
        agg
    }

    /// An element of `entities.json` as `serde_json` writes it: what
    /// [`write_entities`] wrote before it wrote by hand.
    #[derive(Serialize)]
    struct EntityRecord<'a> {
        entity_id: &'a str,
        #[serde(rename = "type")]
        entity_type: &'a str,
        name: &'a str,
        name_ar: &'a str,
        mentions: u64,
        documents: u64,
        windows: u64,
        source: &'a str,
        attributes: AttributeMap<'a>,
    }

    /// The extra gazetteer columns of an entity as a JSON object: the
    /// columns with a value, in the order of the entity tables.
    struct AttributeMap<'a> {
        columns: &'a [String],
        attributes: &'a crate::cooccur::Attributes,
    }

    impl Serialize for AttributeMap<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(None)?;
            for column in self.columns {
                if let Some(value) = self.attributes.get(column) {
                    map.serialize_entry(column, value)?;
                }
            }
            map.end()
        }
    }

    /// `entities.json` by `serde_json::to_writer_pretty`.
    fn pretty_entities(agg: &Aggregates, entities: &[SortedEntity]) -> Vec<u8> {
        let records: Vec<EntityRecord> = entities
            .iter()
            .map(|&(id, c)| EntityRecord {
                entity_id: id,
                entity_type: &c.info.kind,
                name: &c.info.name,
                name_ar: &c.info.name_ar,
                mentions: c.mentions,
                documents: c.documents,
                windows: c.windows,
                source: entity_source(id),
                attributes: AttributeMap {
                    columns: &agg.attribute_columns,
                    attributes: &c.info.attributes,
                },
            })
            .collect();
        let mut out = serde_json::to_vec_pretty(&records).unwrap();
        out.push(b'\n');
        out
    }

    /// `entities.json` written in blocks by hand is what `serde_json`
    /// writes: no entity, one, and more than a block (1,024) holds; names
    /// and attributes (columns and values) with quotes, backslashes, line
    /// breaks and controls; none, some or all columns with a value;
    /// gazetteer and discovered ids.
    #[test]
    fn entities_by_hand_are_the_pretty_printed_array() {
        for n in [0usize, 1, 3, 1030] {
            let mut agg = aggregates(0);
            agg.attribute_columns = vec!["wikidata".into(), "note \"q\"".into(), "tab\tcol".into()];
            for i in 0..n {
                let id: Arc<str> = Arc::from(if i % 5 == 0 {
                    format!("person:~name-{i}")
                } else {
                    format!("e:{i:04}")
                });
                let attributes = crate::cooccur::Attributes::new(
                    agg.attribute_columns
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| (i >> k) & 1 == 1)
                        .map(|(k, c)| (c.clone(), format!("v{k} \"{i}\"\\\n\u{1}ر"))),
                );
                agg.entities.insert(
                    id,
                    EntityCounts {
                        info: EntityInfo {
                            kind: "person".into(),
                            name: format!("Name \"{i}\"\\\u{7f}"),
                            name_ar: if i % 2 == 0 {
                                "روسيا".into()
                            } else {
                                String::new()
                            },
                            attributes,
                        },
                        mentions: i as u64 * 7 + 1,
                        documents: u64::MAX - i as u64,
                        windows: 0,
                    },
                );
            }
            let entities = agg.entities_sorted();
            let ours = write_entities(Vec::new(), &agg, &entities).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(pretty_entities(&agg, &entities)).unwrap(),
                "{n} entities"
            );
        }
    }

    /// What the file was before it was written in parallel blocks.
    fn pretty(agg: &Aggregates, min_count: u64) -> Vec<u8> {
        let records: Vec<PairRecord> = agg
            .pairs_sorted(min_count)
            .iter()
            .map(|pair| pair_record(agg, pair))
            .collect();
        let mut out = serde_json::to_vec_pretty(&records).unwrap();
        out.push(b'\n');
        out
    }

    /// A mention of random fields: strings of the characters that need
    /// escapes, every form, with and without a rule and a matched form.
    fn mention_of(
        (strings, numbers, form, flags): (Vec<String>, [usize; 6], usize, u8),
    ) -> Mention {
        let text = |k: usize| strings.get(k).cloned().unwrap_or_default();
        let forms = [
            Form::Name,
            Form::Alias,
            Form::Demonym,
            Form::Weak,
            Form::Fuzzy,
        ];
        Mention {
            entity_id: Arc::from(text(0)),
            entity_type: Arc::from(text(1)),
            name: Arc::from(text(2)),
            surface: text(3),
            prefix: text(4),
            start: numbers[0],
            end: numbers[1],
            byte_start: numbers[2],
            byte_end: numbers[3],
            form: forms[form % forms.len()],
            ambiguous: flags & 1 != 0,
            alternatives: strings
                .iter()
                .skip(5)
                .map(|s| Arc::from(s.as_str()))
                .collect(),
            sentence: numbers[4],
            paragraph: numbers[5],
            rule: (flags & 2 != 0).then_some(Rule::ALL[form % Rule::ALL.len()]),
            matched: (flags & 4 != 0).then(|| Arc::from(text(1))),
        }
    }

    proptest::proptest! {
        /// The hand-written `mentions.jsonl` line is `serde_json`'s, whole
        /// (`mentions_line`) and written in parts of any size.
        #[test]
        fn mentions_lines_are_what_serde_json_writes(
            id in "[a\"\\\n\x01 é ر]{0,6}",
            mentions in proptest::collection::vec(
                (
                    proptest::collection::vec("[a\"\\\n\t\x1f\x7f é ر𝄞]{0,9}", 0..8),
                    proptest::array::uniform6(0usize..100_000),
                    0usize..16,
                    0u8..8,
                ),
                0..6,
            ),
            limit in 0usize..200,
        ) {
            let doc = Document::new(&id, "");
            let mentions: Vec<Mention> = mentions.into_iter().map(mention_of).collect();
            let line = DocLine { doc_id: &doc.id, mentions: MentionRecords(&mentions) };
            let mut theirs = serde_json::to_vec(&line).unwrap_or_default();
            theirs.push(b'\n');
            let mut ours = Vec::new();
            mentions_line(&doc, &mentions, &mut ours).unwrap_or_default();
            proptest::prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
            // In parts: each call writes at least one mention, and the
            // parts joined are the line.
            let (mut joined, mut part, mut next, mut calls) = (Vec::new(), Vec::new(), 0, 0);
            while !super::super::json_text::push_mentions_line(&mut part, &doc, &mentions, &mut next, limit) {
                joined.append(&mut part);
                calls += 1;
                proptest::prop_assert!(calls <= mentions.len());
            }
            joined.append(&mut part);
            joined.push(b'\n');
            proptest::prop_assert_eq!(joined, theirs);
        }
    }

    #[test]
    fn cooccurrence_in_blocks_is_the_pretty_printed_array() {
        // 0 pairs, 1 pair, and more pairs than one block holds (1,035).
        for (n, min_count) in [(0, 1), (2, 1), (5, 9), (12, 1), (46, 1), (46, 3)] {
            let agg = aggregates(n);
            let pairs = agg.pairs_sorted(min_count);
            let ours = write_cooccurrence(Vec::new(), &agg, &pairs).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(pretty(&agg, min_count)).unwrap(),
                "{n} entities, min count {min_count}"
            );
        }
    }
}
