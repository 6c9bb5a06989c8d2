//! CSV tables. UTF-8, RFC 4180 quoting, `\n` line ends; with
//! [`CsvStyle::excel`], a UTF-8 BOM, `\r\n` line ends, and every text cell
//! that comes from the input (`doc_id`, `surface`, `source`, `message`) or
//! from a gazetteer (`entity_id`, `type`, `name`, `name_ar`, the extra
//! columns and their names, the ids, names and types of
//! `cooccurrence.csv`) prefixed with `'` when it begins with `=`, `+`,
//! `-`, `@`, a tab or a carriage return, so that neither a hostile article
//! nor a third-party gazetteer can inject a formula. Numeric columns stay
//! plain numbers.
//!
//! | file | columns, in order | rows |
//! |---|---|---|
//! | `mentions.csv` | doc_id, entity_id, type, name, surface, start, end, sentence, paragraph, form, ambiguous | input order, then text order |
//! | `documents.csv` | doc_id, source, chars, mentions, entities, status, message | input order, one per input record |
//! | `entities.csv` | entity_id, type, name, name_ar, mentions, documents, windows, source, then the gazetteer's extra columns | most mentions first, then id |
//! | `discovered.csv` | entity_id, type, name, mentions, documents, variants, rules, similar, example_doc, example, status | discovered entities, most mentions first, then id |
//! | `cooccurrence.csv` | source_id, source_name, source_type, target_id, target_name, target_type, windows, documents, npmi, relations, directed | most windows first, then ids |
//!
//! `start`/`end` are code point offsets into the original text; `chars` is
//! the document's length in code points; `windows` in `entities.csv` is
//! the number of windows the entity appears in (needed to recompute NPMI
//! when merging); `npmi` has 6 decimals; `relations` is `KIND:WINDOWS`
//! for each relation kind a trigger gave the pair (most first, then by
//! kind, joined by `|`: `meet:12|visit:3`), and `directed` the same for
//! the windows where the trigger gave a direction, `KIND>` from
//! `source_id` to `target_id` and `KIND<` back (`visit>:2|visit<:1`);
//! both empty when no trigger linked the pair (see [`crate::relations`]).

use std::borrow::Cow;
use std::io::{self, Write};

use crate::cooccur::{Aggregates, SortedEntity, SortedPair};
use crate::input::InputRecord;
use crate::pipeline::{Document, Mention};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::cooccur::{
    Attributes, DiscoveredCounts, DiscoveredExample, EntityCounts, EntityInfo, PairCounts,
};
use crate::error::{Error, input_error, io_error};

/// How CSV files are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// Excel-friendly: BOM, CRLF, formula cells neutralized. Default: off.
    pub excel: bool,
}

impl CsvStyle {
    /// What a file starts with: the UTF-8 BOM in Excel style, else nothing.
    fn bom(self) -> &'static [u8] {
        if self.excel {
            "\u{FEFF}".as_bytes()
        } else {
            b""
        }
    }

    /// What a record ends with: `\r\n` in Excel style, else `\n`.
    fn end_of_record(self) -> &'static [u8] {
        if self.excel { b"\r\n" } else { b"\n" }
    }

    /// A text cell that comes from the input, neutralized in Excel style.
    pub fn cell<'a>(self, s: &'a str) -> Cow<'a, str> {
        if self.excel && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            Cow::Owned(format!("'{s}"))
        } else {
            Cow::Borrowed(s)
        }
    }
}

/// The header of `mentions.csv`.
pub const MENTIONS_HEADER: [&str; 11] = [
    "doc_id",
    "entity_id",
    "type",
    "name",
    "surface",
    "start",
    "end",
    "sentence",
    "paragraph",
    "form",
    "ambiguous",
];

/// The header of `documents.csv`.
pub const DOCUMENTS_HEADER: [&str; 7] = [
    "doc_id", "source", "chars", "mentions", "entities", "status", "message",
];

/// The header of `entities.csv`.
pub const ENTITIES_HEADER: [&str; 8] = [
    "entity_id",
    "type",
    "name",
    "name_ar",
    "mentions",
    "documents",
    "windows",
    "source",
];

/// The header of `discovered.csv`.
pub const DISCOVERED_HEADER: [&str; 11] = [
    "entity_id",
    "type",
    "name",
    "mentions",
    "documents",
    "variants",
    "rules",
    "similar",
    "example_doc",
    "example",
    "status",
];

/// The header of `cooccurrence.csv`.
pub const COOCCURRENCE_HEADER: [&str; 11] = [
    "source_id",
    "source_name",
    "source_type",
    "target_id",
    "target_name",
    "target_type",
    "windows",
    "documents",
    "npmi",
    "relations",
    "directed",
];

/// A CSV table being written: each row put together by `push_record`,
/// byte for byte what the `csv` crate writes with its defaults (a test
/// checks it) but at a third of the cost, and written out in pieces of
/// about 64 KB.
#[derive(Debug)]
pub struct CsvTable<W: Write> {
    writer: W,
    style: CsvStyle,
    /// Rows not written out yet.
    buf: Vec<u8>,
}

/// How many bytes of rows a [`CsvTable`] keeps before writing them out.
const TABLE_BUFFER: usize = 1 << 16;

impl<W: Write> CsvTable<W> {
    /// Starts a table: the BOM in Excel style, then `header`.
    pub fn new(writer: W, header: &[&str], style: CsvStyle) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(TABLE_BUFFER + 1024);
        buf.extend_from_slice(style.bom());
        push_record(&mut buf, header.iter().map(|h| h.as_bytes()), style);
        Ok(CsvTable { writer, style, buf })
    }

    /// Adds one row (cells that come from the input should go through
    /// [`CsvStyle::cell`] first).
    pub fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a [u8]>) -> io::Result<()> {
        push_record(&mut self.buf, fields, self.style);
        if self.buf.len() >= TABLE_BUFFER {
            self.writer.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Adds rows already put together in this style (by this module's
    /// `push_record`, as [`CsvTable::row`] does).
    pub fn rows(&mut self, rows: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(rows);
        if self.buf.len() >= TABLE_BUFFER {
            self.writer.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is left, flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.writer.write_all(&self.buf)?;
        self.writer.flush()?;
        Ok(self.writer)
    }
}

/// Appends the `mentions.csv` rows of one document to `out`.
pub fn mentions_rows(out: &mut Vec<u8>, doc: &Document, mentions: &[Mention], style: CsvStyle) {
    // The document's id cell once for all its rows; the numbers, the
    // form's name and true/false hold none of the characters that are
    // quoted, and are copied without a look. (What `push_record` of the
    // eleven fields writes: a proptest compares the two.)
    let mut id = Vec::new();
    push_cell(&mut id, style.cell(&doc.id).as_bytes());
    let mut numbers = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    for m in mentions {
        let [start, end, sentence, paragraph] = &mut numbers;
        out.extend_from_slice(&id);
        for text in [&m.entity_id, &m.entity_type, &m.name] {
            out.push(b',');
            push_cell(out, style.cell(text).as_bytes());
        }
        out.push(b',');
        push_cell(out, style.cell(&m.surface).as_bytes());
        for plain in [
            start.format(m.start),
            end.format(m.end),
            sentence.format(m.sentence),
            paragraph.format(m.paragraph),
            m.form.as_str(),
            if m.ambiguous { "true" } else { "false" },
        ] {
            out.push(b',');
            out.extend_from_slice(plain.as_bytes());
        }
        out.extend_from_slice(style.end_of_record());
    }
}

/// Appends one record of at least two fields to `out` as the `csv` crate
/// writes it with its defaults: fields joined by `,`, a field quoted (its
/// quotes doubled) when it holds `,` `"` `\r` or `\n`, and the record ended
/// by `\n`, or `\r\n` in Excel style.
pub(crate) fn push_record<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = &'a [u8]>,
    style: CsvStyle,
) {
    for (k, field) in fields.into_iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        push_cell(out, field);
    }
    out.extend_from_slice(style.end_of_record());
}

/// Appends one field to `out` as [`push_record`] writes it: quoted, each
/// quote doubled, when it holds `,` `"` `\r` or `\n`; as it is otherwise.
/// Inlined: a call per field cost the tables at the end about 5% more.
#[inline(always)]
fn push_cell(out: &mut Vec<u8>, field: &[u8]) {
    if needs_quotes(field) {
        // The runs between quotes copied whole (a byte at a time cost
        // most of a row whose example sentence holds a comma).
        out.push(b'"');
        let mut rest = field;
        while let Some(at) = memchr::memchr(b'"', rest) {
            out.extend_from_slice(&rest[..=at]);
            out.push(b'"');
            rest = &rest[at + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Whether a field holds `,` `"` `\r` or `\n` (and so is quoted): eight
/// bytes at a time, each word tested for a zero byte after an XOR with
/// each of the four (exact: `(x - 0x01..) & !x & 0x80..` is non-zero iff
/// some byte of `x` is zero); a byte at a time cost a third of a
/// `mentions.csv` row.
fn needs_quotes(field: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut chunks = field.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let found = zero_byte(w ^ (LO * u64::from(b',')))
            | zero_byte(w ^ (LO * u64::from(b'"')))
            | zero_byte(w ^ (LO * u64::from(b'\r')))
            | zero_byte(w ^ (LO * u64::from(b'\n')));
        if found != 0 {
            return true;
        }
    }
    (chunks.remainder().iter()).any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends the `documents.csv` row of one input record to `out`.
pub fn document_row(
    out: &mut Vec<u8>,
    rec: &InputRecord,
    chars: usize,
    mentions: usize,
    entities: usize,
    style: CsvStyle,
) {
    let mut numbers = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    let [chars_cell, mentions_cell, entities_cell] = &mut numbers;
    push_record(
        out,
        [
            style.cell(&rec.document.id).as_bytes(),
            style.cell(&rec.source).as_bytes(),
            chars_cell.format(chars).as_bytes(),
            mentions_cell.format(mentions).as_bytes(),
            entities_cell.format(entities).as_bytes(),
            rec.status.as_str().as_bytes(),
            style.cell(&rec.message).as_bytes(),
        ],
        style,
    );
}

/// Writes `entities.csv`: the columns of [`ENTITIES_HEADER`], then the
/// gazetteer's extra columns ([`Aggregates::attribute_columns`]), empty
/// where an entity has no value; a row per entity of `entities` (the
/// run's [`Aggregates::entities_sorted`]), in its order.
pub fn write_entities<W: Write>(
    w: W,
    agg: &Aggregates,
    entities: &[SortedEntity],
    style: CsvStyle,
) -> io::Result<W> {
    let extra: Vec<Cow<str>> = agg
        .attribute_columns
        .iter()
        .map(|c| style.cell(c))
        .collect();
    let header: Vec<&str> = ENTITIES_HEADER
        .iter()
        .copied()
        .chain(extra.iter().map(|c| c.as_ref()))
        .collect();
    let mut table = CsvTable::new(w, &header, style)?;
    let mut numbers = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    for &(id, c) in entities {
        let [mentions, documents, windows] = &mut numbers;
        let info = &c.info;
        let values: Vec<Cow<str>> = agg
            .attribute_columns
            .iter()
            .map(|col| style.cell(info.attributes.get(col).unwrap_or("")))
            .collect();
        let known = [
            style.cell(id),
            style.cell(&info.kind),
            style.cell(&info.name),
            style.cell(&info.name_ar),
        ];
        let [id_cell, kind, name, name_ar] = &known;
        table.row(
            [
                id_cell.as_bytes(),
                kind.as_bytes(),
                name.as_bytes(),
                name_ar.as_bytes(),
                mentions.format(c.mentions).as_bytes(),
                documents.format(c.documents).as_bytes(),
                windows.format(c.windows).as_bytes(),
                crate::output::json::entity_source(id).as_bytes(),
            ]
            .into_iter()
            .chain(values.iter().map(|v| v.as_bytes())),
        )?;
    }
    table.finish()
}

/// Writes `discovered.csv`: one row per discovered entity, most mentions
/// first, then id. `variants` and `rules` are `text:count` joined by `|`
/// (most first); `similar` lists the other discovered entities whose key
/// is one edit away or the same without spaces, for a reviewer to merge
/// by hand (never merged here); `status` is empty, for the reviewer
/// (`accept`, `reject`, or a note: see `alam review`).
pub fn write_discovered<W: Write>(w: W, agg: &Aggregates, style: CsvStyle) -> io::Result<W> {
    let mut table = CsvTable::new(w, &DISCOVERED_HEADER, style)?;
    // The discovered entities that were mentioned, sorted as the entity
    // table is: sorting all entities and keeping these cost most of the
    // table when few are discovered (a 3 MB run of English: 43 of 23,700).
    let mut rows: Vec<_> = agg
        .discovered
        .iter()
        .filter_map(|(id, d)| agg.entities.get_key_value(id).map(|(id, c)| (id, c, d)))
        .collect();
    rows.sort_unstable_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then_with(|| a.0.cmp(b.0)));
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_ref()).collect();
    let similar = crate::discover::similar_ids(&ids);
    let mut numbers = [itoa::Buffer::new(), itoa::Buffer::new()];
    for (k, (id, c, d)) in rows.iter().enumerate() {
        let [mentions, documents] = &mut numbers;
        let (doc, example) = d
            .example
            .as_ref()
            .map_or(("", ""), |e| (e.doc_id.as_str(), e.text.as_str()));
        let (id_cell, kind, name) = (
            style.cell(id),
            style.cell(&c.info.kind),
            style.cell(&c.info.name),
        );
        table.row([
            id_cell.as_bytes(),
            kind.as_bytes(),
            name.as_bytes(),
            mentions.format(c.mentions).as_bytes(),
            documents.format(c.documents).as_bytes(),
            style.cell(&counted(&d.variants)).as_bytes(),
            counted(&d.rules).as_bytes(),
            similar[k].join("|").as_bytes(),
            style.cell(doc).as_bytes(),
            style.cell(example).as_bytes(),
            b"",
        ])?;
    }
    table.finish()
}

/// The entries of a cell [`counted`] wrote, in its order; `None` names
/// the first item that is not `text:count`.
pub fn parse_counted(cell: &str) -> Result<Vec<(&str, u64)>, &str> {
    cell.split('|')
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.rsplit_once(':')
                .and_then(|(t, n)| n.parse::<u64>().ok().map(|n| (t, n)))
                .ok_or(item)
        })
        .collect()
}

/// `text:count` for each entry, most first (then by text), joined by `|`.
pub fn counted(counts: &std::collections::BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let mut v: Vec<(&String, &u64)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    // Into one string (a `format!` an item and a `join` were most of the
    // cell's cost).
    let mut out = String::with_capacity(v.iter().map(|(t, _)| t.len() + 8).sum());
    let mut number = itoa::Buffer::new();
    for (k, (text, n)) in v.into_iter().enumerate() {
        if k > 0 {
            out.push('|');
        }
        out.push_str(text);
        out.push(':');
        out.push_str(number.format(*n));
    }
    out
}

/// Writes `cooccurrence.csv` with `pairs` (from [`Aggregates::pairs_sorted`]),
/// their rows put together in parallel blocks.
pub fn write_cooccurrence<W: Write>(
    w: W,
    agg: &Aggregates,
    pairs: &[SortedPair],
    style: CsvStyle,
) -> io::Result<W> {
    let mut table = CsvTable::new(w, &COOCCURRENCE_HEADER, style)?;
    let rows = |_: usize, block: &[SortedPair]| {
        let mut out = Vec::with_capacity(block.len() * 96);
        let mut numbers = [itoa::Buffer::new(), itoa::Buffer::new()];
        let mut npmi_cell = String::new();
        for &(a, b, c, npmi) in block {
            let (ea, eb) = (&agg.entities[a].info, &agg.entities[b].info);
            let [windows, documents] = &mut numbers;
            npmi_cell.clear();
            super::push_fixed6(&mut npmi_cell, npmi);
            let (relations, directed) = (counted(&c.relations), counted(&c.directed));
            let cells: [&str; 6] = [a, &ea.name, &ea.kind, b, &eb.name, &eb.kind];
            let cells = cells.map(|s| style.cell(s));
            let [a_id, a_name, a_kind, b_id, b_name, b_kind] = &cells;
            push_record(
                &mut out,
                [
                    a_id.as_bytes(),
                    a_name.as_bytes(),
                    a_kind.as_bytes(),
                    b_id.as_bytes(),
                    b_name.as_bytes(),
                    b_kind.as_bytes(),
                    windows.format(c.windows).as_bytes(),
                    documents.format(c.documents).as_bytes(),
                    npmi_cell.as_bytes(),
                    relations.as_bytes(),
                    directed.as_bytes(),
                ],
                style,
            );
        }
        Ok(out)
    };
    super::write_in_blocks(pairs, rows, |rows| table.rows(rows))?;
    table.finish()
}

/// Reads `entities.csv` back into `agg` (its counts, info and the
/// gazetteer's extra columns): the inverse of [`write_entities`], for
/// `alam merge` and `alam report`.
pub(crate) fn read_entities(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    let (header, rows) = read_table(path)?;
    // The columns after the known ones are the gazetteer's extra columns.
    agg.attribute_columns = header
        .into_iter()
        .filter(|h| !ENTITIES_HEADER.contains(&h.as_str()))
        .collect();
    for (line, row) in rows {
        let num = |k: &str| parse_u64(path, line, &row, k);
        let id: Arc<str> = Arc::from(field(path, line, &row, "entity_id")?);
        let attributes = Attributes::new(
            row.iter()
                .filter(|(k, _)| !ENTITIES_HEADER.contains(&k.as_str()))
                .cloned(),
        );
        let counts = EntityCounts {
            info: EntityInfo {
                kind: field(path, line, &row, "type")?.to_string(),
                name: field(path, line, &row, "name")?.to_string(),
                name_ar: field(path, line, &row, "name_ar")?.to_string(),
                attributes,
            },
            mentions: num("mentions")?,
            documents: num("documents")?,
            windows: num("windows")?,
        };
        agg.entities.insert(id, counts);
    }
    Ok(())
}

/// Reads `cooccurrence.csv` back into `agg` (pairs of entities already
/// read from `entities.csv`): the inverse of [`write_cooccurrence`].
pub(crate) fn read_pairs(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    for (line, row) in read_rows(path)? {
        let a: Arc<str> = Arc::from(field(path, line, &row, "source_id")?);
        let b: Arc<str> = Arc::from(field(path, line, &row, "target_id")?);
        let mut counts = PairCounts {
            windows: parse_u64(path, line, &row, "windows")?,
            documents: parse_u64(path, line, &row, "documents")?,
            ..PairCounts::default()
        };
        // A part written before alam had relation hints has no such
        // columns: no relation.
        for (key, map) in [
            ("relations", &mut counts.relations),
            ("directed", &mut counts.directed),
        ] {
            let Some((_, cell)) = row.iter().find(|(k, _)| k == key) else {
                continue;
            };
            let items = parse_counted(cell).map_err(|item| {
                input_error(path, line, format!("{key}: {item:?} is not KIND:COUNT"))
            })?;
            for (kind, n) in items {
                *map.entry(kind.to_string()).or_default() += n;
            }
        }
        for id in [&a, &b] {
            if !agg.entities.contains_key(id) {
                return Err(input_error(
                    path,
                    line,
                    format!("entity {id:?} is not in entities.csv"),
                ));
            }
        }
        let key = if a <= b { (a, b) } else { (b, a) };
        agg.pairs.insert(key, counts);
    }
    Ok(())
}

/// Adds the rows of `discovered.csv`, when the part has one: variants,
/// rules and the example of each discovered entity of `entities.csv`.
pub(crate) fn read_discovered(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    if !path.exists() {
        return Ok(());
    }
    for (line, row) in read_rows(path)? {
        let id: Arc<str> = Arc::from(field(path, line, &row, "entity_id")?);
        if !agg.entities.contains_key(&id) {
            return Err(input_error(
                path,
                line,
                format!("entity {id:?} is not in entities.csv"),
            ));
        }
        let counts = |key: &str| -> Result<BTreeMap<String, u64>, Error> {
            let mut out = BTreeMap::new();
            let cell = field(path, line, &row, key)?;
            let items = parse_counted(cell).map_err(|item| {
                input_error(path, line, format!("{key}: {item:?} is not TEXT:COUNT"))
            })?;
            for (text, n) in items {
                *out.entry(text.to_string()).or_default() += n;
            }
            Ok(out)
        };
        let doc = field(path, line, &row, "example_doc")?;
        let example = field(path, line, &row, "example")?;
        let d = DiscoveredCounts {
            variants: counts("variants")?,
            rules: counts("rules")?,
            example: (!doc.is_empty() || !example.is_empty()).then(|| DiscoveredExample {
                doc_id: doc.to_string(),
                text: example.to_string(),
            }),
        };
        agg.discovered.insert(id, d);
    }
    Ok(())
}

pub(crate) type Row = Vec<(String, String)>;

/// The rows of a CSV file with a header, as (line, [(column, value)]).
pub(crate) fn read_rows(path: &Path) -> Result<Vec<(u64, Row)>, Error> {
    Ok(read_table(path)?.1)
}

/// A CSV file's header and its rows with their lines.
pub(crate) type Table = (Vec<String>, Vec<(u64, Row)>);

/// The header and the rows of a CSV file (see [`read_rows`]).
fn read_table(path: &Path) -> Result<Table, Error> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut rdr = csv::Reader::from_reader(file);
    let headers = rdr
        .headers()
        .map_err(|e| input_error(path, 1, format!("cannot read the header: {e}")))?
        .clone();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            input_error(path, line, format!("malformed row: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        rows.push((
            line,
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        ));
    }
    Ok((headers.iter().map(String::from).collect(), rows))
}

pub(crate) fn field<'a>(path: &Path, line: u64, row: &'a Row, key: &str) -> Result<&'a str, Error> {
    row.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| input_error(path, line, format!("missing column {key}")))
}

pub(crate) fn parse_u64(path: &Path, line: u64, row: &Row, key: &str) -> Result<u64, Error> {
    let v = field(path, line, row, key)?;
    v.parse()
        .map_err(|_| input_error(path, line, format!("{key} is not a count: {v:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_cells() {
        let map = |items: &[(&str, u64)]| -> std::collections::BTreeMap<String, u64> {
            items.iter().map(|&(t, n)| (t.to_string(), n)).collect()
        };
        for (items, cell) in [
            (&[][..], ""),
            (&[("meet", 1)][..], "meet:1"),
            // Most first, then by text; numbers past one digit.
            (&[("b", 2), ("a", 2), ("c", 10)][..], "c:10|a:2|b:2"),
            (
                &[("وزير", 3), ("x:y", 18446744073709551615)][..],
                "x:y:18446744073709551615|وزير:3",
            ),
        ] {
            assert_eq!(counted(&map(items)), cell, "{items:?}");
        }
    }

    proptest::proptest! {
        /// `counted` is its definition (`text:count` most first, then by
        /// text, joined by `|`), and `parse_counted` reads it back.
        #[test]
        fn counted_is_its_definition_and_reads_back(
            items in proptest::collection::btree_map("[a-c:ر]{1,4}", 0u64..2000, 0..6),
        ) {
            let mut want: Vec<(&String, &u64)> = items.iter().collect();
            want.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let want: Vec<String> = want.iter().map(|(t, n)| format!("{t}:{n}")).collect();
            let cell = counted(&items);
            proptest::prop_assert_eq!(&cell, &want.join("|"));
            if !items.is_empty() {
                let back: std::collections::BTreeMap<String, u64> = parse_counted(&cell)
                    .unwrap()
                    .into_iter()
                    .map(|(t, n)| (t.to_string(), n))
                    .collect();
                proptest::prop_assert_eq!(back, items);
            }
        }
    }

    #[test]
    fn excel_cells() {
        let excel = CsvStyle { excel: true };
        for (input, out) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("روسيا", "روسيا"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(excel.cell(input), out);
            assert_eq!(CsvStyle::default().cell(input), input);
        }
    }

    #[test]
    fn excel_table_has_bom_and_crlf() {
        let mut table = CsvTable::new(Vec::new(), &["a", "b"], CsvStyle { excel: true }).unwrap();
        table.row([&b"1"[..], b"x,y"]).unwrap();
        let bytes = table.finish().unwrap();
        assert_eq!(bytes, "\u{FEFF}a,b\r\n1,\"x,y\"\r\n".as_bytes());
        let mut table = CsvTable::new(Vec::new(), &["a", "b"], CsvStyle::default()).unwrap();
        table.row([&b"1"[..], b"\"q\""]).unwrap();
        assert_eq!(table.finish().unwrap(), b"a,b\n1,\"\"\"q\"\"\"\n");
    }

    #[test]
    fn table_writes_rows_past_its_buffer_in_order() {
        let mut table = CsvTable::new(Vec::new(), &["n", "s"], CsvStyle::default()).unwrap();
        let mut expected = String::from("n,s\n");
        for n in 0..20_000 {
            let cell = n.to_string();
            table.row([cell.as_bytes(), b"abc"]).unwrap();
            expected.push_str(&format!("{n},abc\n"));
        }
        assert_eq!(
            String::from_utf8(table.finish().unwrap()).unwrap(),
            expected
        );
    }

    /// A text of the characters that CSV and Excel style treat apart.
    fn csv_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            proptest::sample::select(
                &["a", "ر", " ", ",", "\"", "\r", "\n", "=", "-", "+", "@", ""][..],
            ),
            0..5,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        /// `mentions_rows` writes what `push_record` of each mention's
        /// eleven fields writes (its definition), in both styles, on ids,
        /// types, names and surfaces that need quotes or neutralizing.
        #[test]
        fn mentions_rows_are_records_of_their_fields(
            doc_id in csv_text(),
            rows in proptest::collection::vec(
                (csv_text(), csv_text(), csv_text(), csv_text(), 0usize..100_000, 0usize..3, proptest::bool::ANY),
                0..4,
            ),
            excel in proptest::bool::ANY,
        ) {
            let style = CsvStyle { excel };
            let doc = Document::new(doc_id.clone(), "");
            let forms = [crate::Form::Name, crate::Form::Fuzzy, crate::Form::DiscoveredWeak];
            let mentions: Vec<Mention> = rows
                .iter()
                .map(|(id, kind, name, surface, start, form, ambiguous)| Mention {
                    entity_id: id.as_str().into(),
                    entity_type: kind.as_str().into(),
                    name: name.as_str().into(),
                    surface: surface.clone(),
                    prefix: String::new(),
                    start: *start,
                    end: start + 7,
                    byte_start: 0,
                    byte_end: 0,
                    form: forms[*form],
                    ambiguous: *ambiguous,
                    alternatives: Vec::new(),
                    sentence: start / 10,
                    paragraph: start / 1000,
                    rule: None,
                    matched: None,
                })
                .collect();
            let mut ours = Vec::new();
            mentions_rows(&mut ours, &doc, &mentions, style);
            let mut want = Vec::new();
            for m in &mentions {
                let numbers = [m.start, m.end, m.sentence, m.paragraph].map(|n| n.to_string());
                let texts = [doc_id.as_str(), &m.entity_id, &m.entity_type, &m.name, &m.surface]
                    .map(|t| style.cell(t).into_owned());
                let fields: Vec<&[u8]> = texts
                    .iter()
                    .map(|t| t.as_bytes())
                    .chain(numbers.iter().map(|n| n.as_bytes()))
                    .chain([m.form.as_str().as_bytes(), if m.ambiguous { b"true" } else { b"false" }])
                    .collect();
                push_record(&mut want, fields, style);
            }
            proptest::prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&want));
        }
    }

    proptest::proptest! {
        /// `needs_quotes` is the byte-at-a-time test, on fields of every
        /// length around the eight-byte words, each byte from a set that
        /// holds the four and their neighbours (`+`, `#`, `\x0b`, `\x0e`
        /// and bytes with the high bit set).
        #[test]
        fn needs_quotes_is_the_bytewise_test(
            field in proptest::collection::vec(
                proptest::sample::select(
                    &[b'a', b',', b'"', b'\r', b'\n', b'+', b'#', 0x0b, 0x0e, 0x2d, 0x8c, 0xac, 0xa2, 0xd8, 0][..],
                ),
                0..40,
            ),
        ) {
            let bytewise = field.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
            proptest::prop_assert_eq!(needs_quotes(&field), bytewise, "{:?}", field);
        }

        /// `push_record` writes what the csv crate writes, in both styles.
        #[test]
        fn push_record_matches_the_csv_crate(
            fields in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(
                        &["a", "ر", " ", ",", "\"", "\r", "\n", "'", "=", "\t", "é", ""][..],
                    ),
                    0..6,
                ),
                2..12,
            ),
            excel in proptest::bool::ANY,
        ) {
            let fields: Vec<String> = fields.into_iter().map(|f| f.concat()).collect();
            let row: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
            let style = CsvStyle { excel };
            let mut ours = Vec::new();
            push_record(&mut ours, row.iter().copied(), style);
            let mut theirs = csv::WriterBuilder::new();
            if excel {
                theirs.terminator(csv::Terminator::CRLF);
            }
            let mut theirs = theirs.from_writer(Vec::new());
            theirs.write_record(&row).unwrap();
            let theirs = theirs.into_inner().unwrap();
            proptest::prop_assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
