//! Readers: turn the inputs named on the command line into a stream of
//! [`InputRecord`]s, one per document or per problem, in input order
//! (SPEC section 6).
//!
//! | input | documents | id |
//! |---|---|---|
//! | `*.txt` | one per file | the path (relative to the folder given, for a folder) |
//! | `*.jsonl`, `*.ndjson` | one per line | `--id-field` (default `id`), else `FILE:LINE` |
//! | `*.csv`, `*.tsv` | one per record (header required) | same |
//! | `*.json` | one per element of an array | same, else `FILE:N` |
//! | `*.gz` of these | decompressed on the fly | same |
//! | another name | by its first bytes: gzip, JSONL, JSON, else one text | |
//! | a folder | walked recursively for the above, in path order (`src/input/walk.rs`) | |
//! | `-` | standard input: one text, or JSONL lines | `-` / `-:LINE` |
//!
//! UTF-16 and UTF-32 are decoded to UTF-8 (see `src/input/detect.rs`).
//!
//! The text of a document is its `--text-field` fields (default `text`)
//! joined with a blank line, in the order given (`title,text`).
//!
//! Nothing is dropped silently: a malformed JSON line, a missing text
//! field, an unreadable file become records with [`Status::Error`];
//! invalid UTF-8 (decoded lossily as U+FFFD), an empty document or an empty
//! line become records with [`Status::Warning`]. Each record's `message`
//! says what happened.

use std::borrow::Cow;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::pipeline::Document;

mod detect;
mod json_array;
mod json_fields;
mod walk;

use walk::{Found, Kind, display, id_of, kind_of, walk};

/// How a document was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Read without a problem.
    Ok,
    /// Read, with something worth knowing (see the message).
    Warning,
    /// Not read: the record is a placeholder for the problem.
    Error,
}

impl Status {
    /// `ok`, `warning` or `error`, as written in `documents.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }
}

/// One document read from an input, or one problem in an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRecord {
    /// The document (empty text for an error).
    pub document: Document,
    /// Where it came from: `FILE` or `FILE:LINE`.
    pub source: String,
    /// Whether it was read cleanly.
    pub status: Status,
    /// What went wrong, as `FILE:LINE: reason`; empty when ok.
    pub message: String,
}

/// A record as the reader thread yields it: ready, or a JSONL line whose
/// parsing is left to the worker threads ([`RawRecord::into_record`]).
#[derive(Clone, Debug)]
pub enum RawRecord {
    /// A record already read.
    Ready(InputRecord),
    /// One line of a JSONL input, not parsed yet.
    JsonLine {
        /// The line's bytes (with its line end).
        bytes: Vec<u8>,
        /// `FILE:LINE`.
        position: String,
        /// The field options.
        options: Arc<InputOptions>,
    },
}

impl RawRecord {
    /// The size of the raw input, for chunking.
    pub fn len(&self) -> usize {
        match self {
            RawRecord::Ready(r) => r.document.text.len(),
            RawRecord::JsonLine { bytes, .. } => bytes.len(),
        }
    }

    /// Whether the raw input is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parses what is left to parse.
    pub fn into_record(self) -> InputRecord {
        match self {
            RawRecord::Ready(r) => r,
            RawRecord::JsonLine {
                bytes,
                position,
                options,
            } => parse_jsonl_line(bytes, position, &options),
        }
    }
}

/// What standard input holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StdinFormat {
    /// JSONL when its first line that is not blank is a JSON object (a
    /// JSON array when it starts with `[` and `{`), else one text.
    #[default]
    Auto,
    /// One plain-text document.
    Text,
    /// One JSON document per line.
    Jsonl,
}

/// Options for reading inputs.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// The field holding the document id. Default: `id`.
    pub id_field: String,
    /// The fields holding the text, joined with a blank line. Default:
    /// `text`.
    pub text_fields: Vec<String>,
    /// What `-` holds. Default: found from its first line.
    pub stdin_format: StdinFormat,
    /// Folders never read (the output folder), known by device and inode.
    pub exclude: Vec<PathBuf>,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            id_field: "id".to_string(),
            text_fields: vec!["text".to_string()],
            stdin_format: StdinFormat::Auto,
            exclude: Vec::new(),
        }
    }
}

/// One file to read, with the id a text file gets.
#[derive(Clone, Debug)]
struct FileInput {
    path: PathBuf,
    /// The id of a `.txt` document; the label of other files' positions.
    label: String,
    /// `None`: found from the first bytes.
    kind: Option<Kind>,
    gz: bool,
}

/// A stream of [`InputRecord`]s over the inputs, in input order.
pub struct Inputs {
    pending: std::vec::IntoIter<Pending>,
    current: Option<Box<dyn Iterator<Item = RawRecord> + Send>>,
    options: Arc<InputOptions>,
}

enum Pending {
    File(FileInput),
    Stdin,
    Problem(InputRecord),
}

impl Inputs {
    /// Plans the reading of `inputs` (paths, folders, or `-`). Folders are
    /// walked now; files are opened one at a time as the stream advances.
    pub fn new(inputs: &[String], options: InputOptions) -> Inputs {
        let exclude: Vec<_> = options.exclude.iter().filter_map(|p| id_of(p)).collect();
        let mut pending = Vec::new();
        for input in inputs {
            if input == "-" {
                pending.push(Pending::Stdin);
                continue;
            }
            let path = Path::new(input);
            if path.is_dir() {
                if id_of(path).is_some_and(|id| exclude.contains(&id)) {
                    let reason = "the output folder (-o), not read";
                    pending.push(Pending::Problem(error_record(input, input, reason)));
                    continue;
                }
                for found in walk(path, &exclude) {
                    pending.push(match found {
                        Found::File(file) => {
                            let (kind, gz) = kind_of(&file).unwrap_or((Kind::Text, false));
                            let rel = file.strip_prefix(path).unwrap_or(&file);
                            let label = match kind {
                                Kind::Text => display(rel),
                                _ => display(&file),
                            };
                            Pending::File(FileInput {
                                path: file,
                                label,
                                kind: Some(kind),
                                gz,
                            })
                        }
                        Found::Skipped {
                            path,
                            status,
                            reason,
                        } => {
                            let name = display(&path);
                            let mut rec = error_record(&name, &name, &reason);
                            rec.status = status;
                            Pending::Problem(rec)
                        }
                    });
                }
                continue;
            }
            let (kind, gz) = match kind_of(path) {
                Some((kind, gz)) => (Some(kind), gz),
                None => (None, false),
            };
            pending.push(Pending::File(FileInput {
                path: path.to_path_buf(),
                label: input.clone(),
                kind,
                gz,
            }));
        }
        Inputs {
            pending: pending.into_iter(),
            current: None,
            options: Arc::new(options),
        }
    }
}

impl Iterator for Inputs {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        loop {
            if let Some(cur) = &mut self.current {
                if let Some(rec) = cur.next() {
                    return Some(rec);
                }
                self.current = None;
            }
            match self.pending.next()? {
                Pending::Problem(rec) => return Some(RawRecord::Ready(rec)),
                Pending::Stdin => self.current = Some(detect::stdin_records(&self.options)),
                Pending::File(file) => {
                    self.current = Some(detect::file_records(file, &self.options));
                }
            }
        }
    }
}

fn error_record(id: &str, source: &str, reason: &str) -> InputRecord {
    InputRecord {
        document: Document::new(id, ""),
        source: source.to_string(),
        status: Status::Error,
        message: format!("{source}: {reason}"),
    }
}

/// Decodes UTF-8 lossily; a leading BOM is dropped. Returns the byte
/// offset of the first invalid sequence, if any.
fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{FEFF}') {
                s.drain(..3);
            }
            (s, None)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

/// Builds the record of a document that was read, with the warnings
/// that apply.
fn document_record(
    id: String,
    text: String,
    source: String,
    mut notes: Vec<String>,
) -> InputRecord {
    if !text.chars().any(|c| !c.is_whitespace()) {
        notes.push("empty document".to_string());
    }
    let status = if notes.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let message = if notes.is_empty() {
        String::new()
    } else {
        format!("{source}: {}", notes.join("; "))
    };
    InputRecord {
        document: Document::new(id, text),
        source,
        status,
        message,
    }
}

fn read_text(mut reader: Box<dyn Read + Send>, id: &str, source: &str) -> InputRecord {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return error_record(id, source, &e.to_string());
    }
    let (text, bad) = decode(bytes);
    let notes = bad
        .map(|at| format!("invalid UTF-8 at byte {at}, replaced with U+FFFD"))
        .into_iter()
        .collect();
    document_record(id.to_string(), text, source.to_string(), notes)
}

/// A field value as text: strings as they are, numbers and booleans
/// printed, null and absent as `None`.
fn field_text(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// The id and text of a record from its fields (`get` looks a field up).
fn assemble(
    mut get: impl FnMut(&str) -> Option<String>,
    options: &InputOptions,
    position: &str,
    notes: &mut Vec<String>,
) -> Result<(String, String), String> {
    let id = get(&options.id_field)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| position.to_string());
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for field in &options.text_fields {
        match get(field) {
            Some(t) => parts.push(t),
            None => missing.push(field.as_str()),
        }
    }
    if parts.is_empty() {
        let fields = options.text_fields.join(", ");
        return Err(format!("missing text field ({fields})"));
    }
    if !missing.is_empty() {
        notes.push(format!("missing field {}", missing.join(", ")));
    }
    let text = if parts.len() == 1 {
        parts.pop().unwrap_or_default()
    } else {
        parts.join("\n\n")
    };
    Ok((id, text))
}

/// Documents of a JSONL stream, one per line.
struct JsonlRecords<R> {
    reader: R,
    source: String,
    options: Arc<InputOptions>,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> JsonlRecords<R> {
    fn new(reader: R, source: String, options: Arc<InputOptions>) -> Self {
        JsonlRecords {
            reader,
            source,
            options,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonlRecords<R> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        if self.done {
            return None;
        }
        self.buf.clear();
        self.line += 1;
        let position = format!("{}:{}", self.source, self.line);
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => Some(RawRecord::JsonLine {
                bytes: std::mem::take(&mut self.buf),
                position,
                options: self.options.clone(),
            }),
            Err(e) => {
                self.done = true;
                Some(RawRecord::Ready(error_record(
                    &position,
                    &position,
                    &e.to_string(),
                )))
            }
        }
    }
}

/// Deserializes a JSON value, keeping the fields named (in that order) of
/// an object and skipping the rest; `None` when the value is not an
/// object.
struct WantedFields<'a>(&'a [&'a str]);

impl<'de> serde::de::DeserializeSeed<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<serde_json::Value>>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<serde_json::Value>>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = vec![None; self.0.len()];
        while let Some(key) = map.next_key::<String>()? {
            match self.0.iter().position(|n| *n == key) {
                Some(i) => found[i] = Some(map.next_value::<serde_json::Value>()?),
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Some(found))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Decodes a JSONL line like [`decode`], borrowing it when it is valid
/// UTF-8 (checked with SIMD: std's check was 5% of a run on Arabic news).
fn decode_line(bytes: &[u8]) -> (Cow<'_, str>, Option<usize>) {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s.strip_prefix('\u{FEFF}').unwrap_or(s)), None),
        Err(_) => {
            let (s, bad) = decode(bytes.to_vec());
            (Cow::Owned(s), bad)
        }
    }
}

/// Parses one JSONL line into a record.
fn parse_jsonl_line(bytes: Vec<u8>, position: String, options: &InputOptions) -> InputRecord {
    parse_jsonl_line_with(bytes, position, options, true)
}

/// [`parse_jsonl_line`], with or without the fast path for lines of
/// string values (tests compare the two).
fn parse_jsonl_line_with(
    bytes: Vec<u8>,
    position: String,
    options: &InputOptions,
    fast_path: bool,
) -> InputRecord {
    let (line, bad) = decode_line(&bytes);
    let mut notes: Vec<String> = bad
        .map(|at| format!("invalid UTF-8 at byte {at} of the line, replaced with U+FFFD"))
        .into_iter()
        .collect();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return InputRecord {
            document: Document::new(position.clone(), ""),
            source: position.clone(),
            status: Status::Warning,
            message: format!("{position}: empty line"),
        };
    }
    // Only the fields asked for are decoded, the rest skipped: by the
    // fast path when every value is a string, else by serde.
    let mut names: Vec<&str> = vec![options.id_field.as_str()];
    names.extend(options.text_fields.iter().map(String::as_str));
    let strings = if fast_path {
        json_fields::string_fields(trimmed, &names)
    } else {
        None
    };
    let mut found: Vec<Option<String>> = match strings {
        Some(found) => found.into_iter().map(|v| v.map(Cow::into_owned)).collect(),
        None => {
            let mut de = serde_json::Deserializer::from_str(trimmed);
            match serde::de::DeserializeSeed::deserialize(WantedFields(&names), &mut de)
                .and_then(|found| de.end().map(|()| found))
            {
                Ok(Some(found)) => found.into_iter().map(field_text).collect(),
                Ok(None) => {
                    return error_record(&position, &position, "a JSON object was expected");
                }
                Err(e) => {
                    return error_record(&position, &position, &format!("malformed JSON: {e}"));
                }
            }
        }
    };
    // The id is small and may be needed twice; a text field is moved out
    // unless it is asked for twice.
    let id = found[0].clone();
    let get = |f: &str| {
        if f == options.id_field {
            return id.clone();
        }
        let i = names.iter().position(|n| *n == f)?;
        if options.text_fields.iter().filter(|t| *t == f).count() > 1 {
            found[i].clone()
        } else {
            found[i].take()
        }
    };
    match assemble(get, options, &position, &mut notes) {
        Ok((id, text)) => document_record(id, text, position, notes),
        Err(reason) => {
            let id = id.unwrap_or_else(|| position.clone());
            error_record(&id, &position, &reason)
        }
    }
}

/// Documents of a CSV file with a header, one per record.
struct CsvRecords {
    reader: csv::Reader<Box<dyn Read + Send>>,
    headers: Option<csv::StringRecord>,
    source: String,
    options: InputOptions,
    done: bool,
}

impl CsvRecords {
    fn new(reader: Box<dyn Read + Send>, source: String, options: InputOptions) -> Self {
        Self::new_delimited(reader, source, options, b',')
    }

    /// [`CsvRecords::new`] with another field delimiter (tab for TSV).
    fn new_delimited(
        reader: Box<dyn Read + Send>,
        source: String,
        options: InputOptions,
        delimiter: u8,
    ) -> Self {
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(reader);
        CsvRecords {
            reader,
            headers: None,
            source,
            options,
            done: false,
        }
    }
}

impl Iterator for CsvRecords {
    type Item = InputRecord;

    fn next(&mut self) -> Option<InputRecord> {
        if self.done {
            return None;
        }
        if self.headers.is_none() {
            match self.reader.headers() {
                Ok(h) => self.headers = Some(h.clone()),
                Err(e) => {
                    self.done = true;
                    let position = format!("{}:1", self.source);
                    return Some(error_record(
                        &position,
                        &position,
                        &format!("cannot read the header: {e}"),
                    ));
                }
            }
        }
        let headers = self.headers.clone().unwrap_or_default();
        let mut record = csv::ByteRecord::new();
        let line = self.reader.position().line();
        match self.reader.read_byte_record(&mut record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let position = format!("{}:{}", self.source, line);
                let mut notes = Vec::new();
                if record.len() != headers.len() {
                    notes.push(format!(
                        "{} fields, but the header has {}",
                        record.len(),
                        headers.len()
                    ));
                }
                let mut bad_utf8 = false;
                let get = |name: &str| {
                    let i = headers.iter().position(|h| h == name)?;
                    let raw = record.get(i)?;
                    Some(String::from_utf8_lossy(raw).into_owned())
                };
                if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
                    bad_utf8 = true;
                }
                if bad_utf8 {
                    notes.push("invalid UTF-8, replaced with U+FFFD".to_string());
                }
                match assemble(get, &self.options, &position, &mut notes) {
                    Ok((id, text)) => Some(document_record(id, text, position, notes)),
                    Err(reason) => Some(error_record(&position, &position, &reason)),
                }
            }
            Err(e) => {
                let position = format!(
                    "{}:{}",
                    self.source,
                    e.position().map_or(line, |p| p.line())
                );
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    self.done = true;
                }
                Some(error_record(
                    &position,
                    &position,
                    &format!("malformed CSV: {e}"),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of JSONL lines: mostly well-formed objects of strings, with
    /// escapes, other kinds of values, and breakage.
    const JSON_PIECES: &[&str] = &[
        "{",
        "}",
        "{",
        "}",
        ":",
        ":",
        ",",
        ",",
        " ",
        "\t",
        "\r",
        "\"id\"",
        "\"text\"",
        "\"title\"",
        "\"te\\u0078t\"",
        "\"x\"",
        "\"روسيا\"",
        "\"a b\"",
        "\"\"",
        "\"و\\\"ر\"",
        "\"\\n\\t\\\\\\/\\b\\f\\r\"",
        "\"\\u0628\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\q\"",
        "\"\\u12\"",
        "\"a\u{1}b\"",
        "\"\u{7f}\"",
        "1",
        "-2.5e3",
        "01",
        "null",
        "true",
        "[1, \"a\"]",
        "{\"a\": 1}",
        "\"unterminated",
        "\u{a0}",
    ];

    fn json_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pair = (
            prop::sample::select(
                &["\"id\"", "\"text\"", "\"title\"", "\"x\"", "\"te\\u0078t\""][..],
            ),
            prop::sample::select(JSON_PIECES),
        )
            .prop_map(|(k, v)| format!("{k}: {v}"));
        prop_oneof![
            // Objects, mostly well-formed.
            prop::collection::vec(pair, 0..5).prop_map(|kv| format!("{{{}}}", kv.join(", "))),
            // Anything.
            prop::collection::vec(prop::sample::select(JSON_PIECES), 0..12)
                .prop_map(|v| v.concat()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The fast path for objects of strings reads every line as serde
        /// does, or leaves it to serde.
        #[test]
        fn fast_path_reads_lines_as_serde_does(
            line in json_line(),
            title in proptest::bool::ANY,
        ) {
            let mut options = InputOptions::default();
            if title {
                options.text_fields = vec!["title".into(), "text".into()];
            }
            let fast = parse_jsonl_line_with(line.clone().into_bytes(), "f:1".into(), &options, true);
            let serde = parse_jsonl_line_with(line.clone().into_bytes(), "f:1".into(), &options, false);
            proptest::prop_assert_eq!(fast, serde, "{}", line);
        }
    }

    fn jsonl(data: &str, options: InputOptions) -> Vec<InputRecord> {
        JsonlRecords::new(data.as_bytes(), "f.jsonl".to_string(), Arc::new(options))
            .map(RawRecord::into_record)
            .collect()
    }

    #[test]
    fn jsonl_lines_are_all_accounted_for() {
        let data = "{\"id\":\"a\",\"text\":\"بوتين\"}\n\n{broken\n{\"text\":\"\"}\n{\"id\":7,\"title\":\"x\"}\n[1]\n";
        let recs = jsonl(data, InputOptions::default());
        let rows: Vec<(&str, Status, &str)> = recs
            .iter()
            .map(|r| (r.document.id.as_str(), r.status, r.message.as_str()))
            .collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], ("a", Status::Ok, ""));
        assert_eq!(
            rows[1],
            ("f.jsonl:2", Status::Warning, "f.jsonl:2: empty line")
        );
        assert_eq!(rows[2].0, "f.jsonl:3");
        assert_eq!(rows[2].1, Status::Error);
        assert!(
            rows[2].2.starts_with("f.jsonl:3: malformed JSON: "),
            "{}",
            rows[2].2
        );
        assert_eq!(
            rows[3],
            ("f.jsonl:4", Status::Warning, "f.jsonl:4: empty document")
        );
        assert_eq!(
            rows[4],
            ("7", Status::Error, "f.jsonl:5: missing text field (text)")
        );
        assert_eq!(
            rows[5],
            (
                "f.jsonl:6",
                Status::Error,
                "f.jsonl:6: a JSON object was expected"
            )
        );
    }

    #[test]
    fn jsonl_text_fields_are_joined() {
        let options = InputOptions {
            text_fields: vec!["title".into(), "text".into()],
            ..InputOptions::default()
        };
        let recs = jsonl(
            "{\"id\":\"a\",\"title\":\"T\",\"text\":\"B\"}\n{\"id\":\"b\",\"text\":\"B\"}\n",
            options,
        );
        assert_eq!(recs[0].document.text, "T\n\nB");
        assert_eq!(recs[0].status, Status::Ok);
        assert_eq!(recs[1].document.text, "B");
        assert_eq!(recs[1].message, "f.jsonl:2: missing field title");
    }

    #[test]
    fn jsonl_invalid_utf8_is_a_warning() {
        let mut data = b"{\"id\":\"a\",\"text\":\"x".to_vec();
        data.push(0xff);
        data.extend_from_slice(b"\"}\n");
        let recs: Vec<InputRecord> = JsonlRecords::new(
            &data[..],
            "f".to_string(),
            Arc::new(InputOptions::default()),
        )
        .map(RawRecord::into_record)
        .collect();
        assert_eq!(recs[0].status, Status::Warning);
        assert_eq!(recs[0].document.text, "x\u{FFFD}");
        assert!(
            recs[0].message.contains("invalid UTF-8 at byte 19"),
            "{}",
            recs[0].message
        );
    }

    #[test]
    fn csv_records() {
        let data = "id,title,text\na,T,\"multi\nline\"\n,U,V\nc,W\n";
        let recs: Vec<InputRecord> = CsvRecords::new(
            Box::new(std::io::Cursor::new(data.as_bytes().to_vec())),
            "f.csv".to_string(),
            InputOptions::default(),
        )
        .collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(
            (recs[0].document.id.as_str(), recs[0].document.text.as_str()),
            ("a", "multi\nline")
        );
        assert_eq!(recs[1].document.id, "f.csv:4");
        assert_eq!(recs[2].status, Status::Error);
        assert_eq!(recs[2].message, "f.csv:5: missing text field (text)");
    }
}
