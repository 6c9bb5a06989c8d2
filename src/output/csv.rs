//! `mentions.csv`: one row per mention.
//!
//! Columns, in order: `doc_id, entity_id, type, name, surface, start, end,
//! sentence, paragraph, form, ambiguous`. `start`/`end` are code point
//! offsets into the original document text (half-open); `form` is one of
//! `name`, `alias`, `demonym`, `weak`; `ambiguous` is `true` or `false`.
//! Rows are in input order, then text order. UTF-8, `\n` line ends, RFC
//! 4180 quoting.

use std::io::{self, Write};

use crate::{Document, Mention};

/// Writes `mentions.csv` rows to any writer.
#[derive(Debug)]
pub struct MentionsCsv<W: Write> {
    writer: csv::Writer<W>,
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

impl<W: Write> MentionsCsv<W> {
    /// Starts the table and writes the header.
    pub fn new(writer: W) -> io::Result<Self> {
        let mut writer = csv::WriterBuilder::new().from_writer(writer);
        writer
            .write_record(MENTIONS_HEADER)
            .map_err(io::Error::other)?;
        Ok(MentionsCsv { writer })
    }

    /// Writes the rows of one document.
    pub fn write(&mut self, doc: &Document, mentions: &[Mention]) -> io::Result<()> {
        for m in mentions {
            self.writer
                .write_record([
                    doc.id.as_str(),
                    &m.entity_id,
                    &m.entity_type,
                    &m.name,
                    &m.surface,
                    &m.start.to_string(),
                    &m.end.to_string(),
                    &m.sentence.to_string(),
                    &m.paragraph.to_string(),
                    m.form.as_str(),
                    if m.ambiguous { "true" } else { "false" },
                ])
                .map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Flushes and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}
