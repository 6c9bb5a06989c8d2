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

use std::io::{self, Write};

use serde::Serialize;

use crate::{Document, Mention};

/// Writes `mentions.jsonl` lines to any writer.
#[derive(Debug)]
pub struct MentionsJsonl<W: Write> {
    writer: W,
}

#[derive(Serialize)]
struct DocLine<'a> {
    doc_id: &'a str,
    mentions: Vec<MentionRecord<'a>>,
}

/// One mention as it appears in JSON outputs.
#[derive(Serialize)]
pub struct MentionRecord<'a> {
    entity_id: &'a str,
    #[serde(rename = "type")]
    entity_type: &'a str,
    name: &'a str,
    surface: &'a str,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    sentence: usize,
    paragraph: usize,
    form: &'static str,
    ambiguous: bool,
    prefix: &'a str,
    alternatives: Vec<&'a str>,
}

impl<'a> From<&'a Mention> for MentionRecord<'a> {
    fn from(m: &'a Mention) -> Self {
        MentionRecord {
            entity_id: &m.entity_id,
            entity_type: &m.entity_type,
            name: &m.name,
            surface: &m.surface,
            start: m.start,
            end: m.end,
            byte_start: m.byte_start,
            byte_end: m.byte_end,
            sentence: m.sentence,
            paragraph: m.paragraph,
            form: m.form.as_str(),
            ambiguous: m.ambiguous,
            prefix: &m.prefix,
            alternatives: m.alternatives.iter().map(|a| a.as_ref()).collect(),
        }
    }
}

impl<W: Write> MentionsJsonl<W> {
    /// Starts the file.
    pub fn new(writer: W) -> Self {
        MentionsJsonl { writer }
    }

    /// Writes the line of one document (also when it has no mention).
    pub fn write(&mut self, doc: &Document, mentions: &[Mention]) -> io::Result<()> {
        let line = DocLine {
            doc_id: &doc.id,
            mentions: mentions.iter().map(MentionRecord::from).collect(),
        };
        serde_json::to_writer(&mut self.writer, &line)?;
        self.writer.write_all(b"\n")
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.writer.flush()?;
        Ok(self.writer)
    }
}
