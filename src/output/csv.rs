//! CSV tables. UTF-8, RFC 4180 quoting, `\n` line ends; with
//! [`CsvStyle::excel`], a UTF-8 BOM, `\r\n` line ends, and every text cell
//! that comes from the input (`doc_id`, `surface`, `source`, `message`)
//! prefixed with `'` when it begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return, so that a hostile article cannot inject a formula.
//! Numeric columns stay plain numbers.
//!
//! | file | columns, in order | rows |
//! |---|---|---|
//! | `mentions.csv` | doc_id, entity_id, type, name, surface, start, end, sentence, paragraph, form, ambiguous | input order, then text order |
//! | `documents.csv` | doc_id, source, chars, mentions, entities, status, message | input order, one per input record |
//! | `entities.csv` | entity_id, type, name, name_ar, mentions, documents, windows | most mentions first, then id |
//! | `cooccurrence.csv` | source_id, source_name, source_type, target_id, target_name, target_type, windows, documents, npmi | most windows first, then ids |
//!
//! `start`/`end` are code point offsets into the original text; `chars` is
//! the document's length in code points; `windows` in `entities.csv` is
//! the number of windows the entity appears in (needed to recompute NPMI
//! when merging); `npmi` has 6 decimals.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::cooccur::Aggregates;
use crate::input::InputRecord;
use crate::pipeline::{Document, Mention};

/// How CSV files are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// Excel-friendly: BOM, CRLF, formula cells neutralized. Default: off.
    pub excel: bool,
}

impl CsvStyle {
    /// A CSV writer in this style over `w` (the BOM is written here).
    pub fn writer<W: Write>(self, mut w: W) -> io::Result<csv::Writer<W>> {
        let mut builder = csv::WriterBuilder::new();
        w.write_all(self.bom())?;
        if self.excel {
            builder.terminator(csv::Terminator::CRLF);
        }
        Ok(builder.from_writer(w))
    }

    /// What a file starts with: the UTF-8 BOM in Excel style, else nothing.
    fn bom(self) -> &'static [u8] {
        if self.excel {
            "\u{FEFF}".as_bytes()
        } else {
            b""
        }
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

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
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
pub const ENTITIES_HEADER: [&str; 7] = [
    "entity_id",
    "type",
    "name",
    "name_ar",
    "mentions",
    "documents",
    "windows",
];

/// The header of `cooccurrence.csv`.
pub const COOCCURRENCE_HEADER: [&str; 9] = [
    "source_id",
    "source_name",
    "source_type",
    "target_id",
    "target_name",
    "target_type",
    "windows",
    "documents",
    "npmi",
];

/// Writes `mentions.csv` rows, document by document.
///
/// The largest table by far (a row per mention), so its rows are put
/// together by [`push_record`], byte for byte what the `csv` crate writes
/// with its defaults (a test checks it) but at a third of the cost.
#[derive(Debug)]
pub struct MentionsCsv<W: Write> {
    writer: W,
    style: CsvStyle,
    /// The rows of one document, written at once.
    rows: Vec<u8>,
}

impl<W: Write> MentionsCsv<W> {
    /// Starts the table and writes the header.
    pub fn new(mut writer: W, style: CsvStyle) -> io::Result<Self> {
        let mut rows = style.bom().to_vec();
        push_record(&mut rows, MENTIONS_HEADER.map(str::as_bytes), style);
        writer.write_all(&rows)?;
        rows.clear();
        Ok(MentionsCsv {
            writer,
            style,
            rows,
        })
    }

    /// Writes the rows of one document.
    pub fn write(&mut self, doc: &Document, mentions: &[Mention]) -> io::Result<()> {
        let id = self.style.cell(&doc.id);
        let mut numbers = [
            itoa::Buffer::new(),
            itoa::Buffer::new(),
            itoa::Buffer::new(),
            itoa::Buffer::new(),
        ];
        self.rows.clear();
        for m in mentions {
            let [start, end, sentence, paragraph] = &mut numbers;
            let surface = self.style.cell(&m.surface);
            let fields: [&[u8]; 11] = [
                id.as_bytes(),
                m.entity_id.as_bytes(),
                m.entity_type.as_bytes(),
                m.name.as_bytes(),
                surface.as_bytes(),
                start.format(m.start).as_bytes(),
                end.format(m.end).as_bytes(),
                sentence.format(m.sentence).as_bytes(),
                paragraph.format(m.paragraph).as_bytes(),
                m.form.as_str().as_bytes(),
                if m.ambiguous { b"true" } else { b"false" },
            ];
            push_record(&mut self.rows, fields, self.style);
        }
        self.writer.write_all(&self.rows)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.writer.flush()?;
        Ok(self.writer)
    }
}

/// Appends one record of at least two fields to `out` as the `csv` crate
/// writes it with its defaults: fields joined by `,`, a field quoted (its
/// quotes doubled) when it holds `,` `"` `\r` or `\n`, and the record ended
/// by `\n`, or `\r\n` in Excel style.
pub(crate) fn push_record<const N: usize>(out: &mut Vec<u8>, fields: [&[u8]; N], style: CsvStyle) {
    for (k, field) in fields.into_iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        if field
            .iter()
            .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            out.push(b'"');
            for &b in field {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(field);
        }
    }
    out.extend_from_slice(if style.excel { b"\r\n" } else { b"\n" });
}

/// Writes `documents.csv` rows, one per input record.
#[derive(Debug)]
pub struct DocumentsCsv<W: Write> {
    writer: csv::Writer<W>,
    style: CsvStyle,
}

impl<W: Write> DocumentsCsv<W> {
    /// Starts the table and writes the header.
    pub fn new(writer: W, style: CsvStyle) -> io::Result<Self> {
        let mut writer = style.writer(writer)?;
        writer.write_record(DOCUMENTS_HEADER).map_err(csv_err)?;
        Ok(DocumentsCsv { writer, style })
    }

    /// Writes the row of one input record.
    pub fn write(
        &mut self,
        rec: &InputRecord,
        chars: usize,
        mentions: usize,
        entities: usize,
    ) -> io::Result<()> {
        self.writer
            .write_record([
                self.style.cell(&rec.document.id).as_ref(),
                &self.style.cell(&rec.source),
                &chars.to_string(),
                &mentions.to_string(),
                &entities.to_string(),
                rec.status.as_str(),
                &self.style.cell(&rec.message),
            ])
            .map_err(csv_err)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Writes `entities.csv`.
pub fn write_entities<W: Write>(w: W, agg: &Aggregates, style: CsvStyle) -> io::Result<W> {
    let mut writer = style.writer(w)?;
    writer.write_record(ENTITIES_HEADER).map_err(csv_err)?;
    for (id, c) in agg.entities_sorted() {
        writer
            .write_record([
                id.as_ref(),
                &c.info.kind,
                &c.info.name,
                &c.info.name_ar,
                &c.mentions.to_string(),
                &c.documents.to_string(),
                &c.windows.to_string(),
            ])
            .map_err(csv_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Writes `cooccurrence.csv` with the pairs of at least `min_count` windows.
pub fn write_cooccurrence<W: Write>(
    w: W,
    agg: &Aggregates,
    min_count: u64,
    style: CsvStyle,
) -> io::Result<W> {
    let mut writer = style.writer(w)?;
    writer.write_record(COOCCURRENCE_HEADER).map_err(csv_err)?;
    for (a, b, c, npmi) in agg.pairs_sorted(min_count) {
        let (ea, eb) = (&agg.entities[a].info, &agg.entities[b].info);
        writer
            .write_record([
                a.as_ref(),
                &ea.name,
                &ea.kind,
                b.as_ref(),
                &eb.name,
                &eb.kind,
                &c.windows.to_string(),
                &c.documents.to_string(),
                &format!("{npmi:.6}"),
            ])
            .map_err(csv_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn excel_writer_has_bom_and_crlf() {
        let mut w = CsvStyle { excel: true }.writer(Vec::new()).unwrap();
        w.write_record(["a", "b"]).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(bytes, "\u{FEFF}a,b\r\n".as_bytes());
    }

    proptest::proptest! {
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
                11,
            ),
            excel in proptest::bool::ANY,
        ) {
            let fields: Vec<String> = fields.into_iter().map(|f| f.concat()).collect();
            let row: [&[u8]; 11] = std::array::from_fn(|k| fields[k].as_bytes());
            let style = CsvStyle { excel };
            let mut ours = Vec::new();
            push_record(&mut ours, row, style);
            let mut theirs = csv::WriterBuilder::new();
            if excel {
                theirs.terminator(csv::Terminator::CRLF);
            }
            let mut theirs = theirs.from_writer(Vec::new());
            theirs.write_record(row).unwrap();
            let theirs = theirs.into_inner().unwrap();
            proptest::prop_assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
