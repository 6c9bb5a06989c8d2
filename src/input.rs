//! Readers: turn the inputs named on the command line into a stream of
//! [`InputRecord`]s, one per document or per problem, in input order
//! (SPEC section 6).
//!
//! The rules are documented on [`Inputs`], which the crate exports
//! (this module is private, so its own docs do not render).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::pipeline::Document;

mod csv_records;
mod detect;
mod duplicate_ids;
mod json_array;
mod json_fields;
mod jsonl;
mod walk;

pub use duplicate_ids::DuplicateIds;

use csv_records::CsvRecords;
use jsonl::{JsonlRecords, parse_jsonl_line};
use walk::{Found, Kind, display, id_of as file_id, kind_of, walk};

/// How a document was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

/// A record as the reader thread yields it: ready, or (inside the
/// library) a JSONL line whose parsing is left to the worker threads
/// ([`RawRecord::into_record`]). A user makes one from an
/// [`InputRecord`] with `From`, or from documents with [`crate::records`].
#[derive(Clone, Debug)]
pub struct RawRecord(pub(crate) Raw);

impl From<InputRecord> for RawRecord {
    fn from(record: InputRecord) -> RawRecord {
        RawRecord(Raw::Ready(record))
    }
}

/// What a [`RawRecord`] holds.
#[derive(Clone, Debug)]
pub(crate) enum Raw {
    /// A record already read.
    Ready(InputRecord),
    /// One line of a JSONL input, not parsed yet.
    JsonLine {
        /// The line's bytes (without its line end).
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
        match &self.0 {
            Raw::Ready(r) => r.document.text.len(),
            Raw::JsonLine { bytes, .. } => bytes.len(),
        }
    }

    /// Whether the raw input is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parses what is left to parse.
    pub fn into_record(self) -> InputRecord {
        match self.0 {
            Raw::Ready(r) => r,
            Raw::JsonLine {
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
    /// Whether the id field was asked for (`--id-field`): a CSV header
    /// without it is then an error. Default: no (records without it get
    /// `FILE:LINE`).
    pub id_field_required: bool,
    /// The fields holding the text, joined with a blank line. Default:
    /// `text`.
    pub text_fields: Vec<String>,
    /// What `-` holds. Default: found from its first line.
    pub stdin_format: StdinFormat,
    /// Folders never read (the output folder), known by device and inode.
    pub exclude: Vec<PathBuf>,
    /// The longest document, JSONL line or CSV record read, in bytes;
    /// a longer one is an error record and is skipped. Default:
    /// [`DEFAULT_MAX_DOCUMENT_BYTES`].
    pub max_document_bytes: u64,
    /// The name standard input (`-`) gets in document ids (`NAME:LINE`)
    /// and messages. Default: `-`.
    pub stdin_name: String,
    /// The number of lines before standard input's first one when it is
    /// JSONL: its lines are numbered from this plus one, so that a slice of
    /// a larger file (a Spark partition) names its documents and errors as
    /// the whole file would. Default: 0.
    pub stdin_lines_before: u64,
    /// The field holding the document's date (`--date-field`), read into
    /// [`Document::date`]: a date that parses (see
    /// [`crate::period::parse_date`]) is stored as `YYYY-MM-DD`; one that
    /// does not is kept as written and the record gets the warning
    /// `FILE:LINE: date "..." does not parse`; a missing, null or empty
    /// field leaves the document undated. Default: none (no dates read).
    pub date_field: Option<String>,
    /// How the caller names these options, for the messages that point at
    /// one (a record over the size limit, a CSV header without the id or
    /// date column). Default: no names (the messages name no option).
    pub names: OptionNames,
    /// Told how standard input was recognized when its format is found
    /// from its first bytes ([`StdinFormat::Auto`]). Default: none (the
    /// library prints nothing).
    pub on_stdin: Option<StdinHook>,
}

/// The names the caller gives to [`InputOptions`]' fields, added to the
/// messages that point at one as ` (NAME)`: the command line sets
/// `--max-document-bytes`, `--id-field` and `--date-field`, so that
/// `documents.csv` says which flag to change; the library itself names no
/// flag. `None` (the default): the message names no option.
///
/// ```
/// use alam::OptionNames;
/// let names = OptionNames {
///     max_document_bytes: Some("--max-document-bytes".into()),
///     ..OptionNames::default()
/// };
/// assert_eq!(names.hint(&names.max_document_bytes), " (--max-document-bytes)");
/// assert_eq!(names.hint(&names.id_field), "");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionNames {
    /// The name of [`InputOptions::max_document_bytes`].
    pub max_document_bytes: Option<String>,
    /// The name of [`InputOptions::id_field`].
    pub id_field: Option<String>,
    /// The name of [`InputOptions::date_field`].
    pub date_field: Option<String>,
}

impl OptionNames {
    /// ` (NAME)` for a named option, else the empty string.
    pub fn hint(&self, name: &Option<String>) -> String {
        match name {
            Some(n) => format!(" ({n})"),
            None => String::new(),
        }
    }
}

/// How standard input was recognized ([`StdinFormat::Auto`]), as told to
/// [`InputOptions::on_stdin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StdinDetected {
    /// One text (its first line is not a JSON object).
    Text {
        /// The id or text fields are not the defaults, and do not apply
        /// to one text.
        fields_ignored: bool,
    },
    /// JSONL (its first line is a JSON object), one record per line.
    Jsonl,
    /// A JSON array, one record per element.
    JsonArray,
}

/// A function told how standard input was recognized (see
/// [`InputOptions::on_stdin`]); it may be called on the thread that reads
/// the inputs.
#[derive(Clone)]
pub struct StdinHook(Arc<dyn Fn(StdinDetected) + Send + Sync>);

impl StdinHook {
    /// A hook that calls `f`.
    pub fn new(f: impl Fn(StdinDetected) + Send + Sync + 'static) -> StdinHook {
        StdinHook(Arc::new(f))
    }

    pub(crate) fn call(&self, detected: StdinDetected) {
        (self.0)(detected)
    }
}

impl std::fmt::Debug for StdinHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StdinHook")
    }
}

/// The default of [`InputOptions::max_document_bytes`]: 256 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 256 << 20;

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            id_field: "id".to_string(),
            id_field_required: false,
            text_fields: vec!["text".to_string()],
            stdin_format: StdinFormat::Auto,
            exclude: Vec::new(),
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            stdin_name: "-".to_string(),
            stdin_lines_before: 0,
            date_field: None,
            names: OptionNames::default(),
            on_stdin: None,
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
///
/// # Reading inputs
///
/// Readers: turn the inputs named on the command line into a stream of
/// [`InputRecord`]s, one per document or per problem, in input order
/// (SPEC section 6).
///
/// | input | documents | id |
/// |---|---|---|
/// | `*.txt` | one per file | the path (relative to the folder given, for a folder) |
/// | `*.jsonl`, `*.ndjson` | one per line | `--id-field` (default `id`), else `FILE:LINE` |
/// | `*.csv`, `*.tsv` | one per record (header required) | same |
/// | `*.json` | one per element of an array | same, else `FILE:N` |
/// | `*.gz` of these | decompressed on the fly | same |
/// | another name | by its first bytes: gzip, JSONL, JSON, else one text | |
/// | a folder | walked recursively for the above, in path order (`src/input/walk.rs`) | |
/// | `-` | standard input: one text, or JSONL lines | `-` / `-:LINE` |
///
/// UTF-16 and UTF-32 are decoded to UTF-8 (see `src/input/detect.rs`).
///
/// The text of a document is its `--text-field` fields (default `text`)
/// joined with a blank line, in the order given (`title,text`).
///
/// Nothing is dropped silently: a malformed JSON line, a missing text
/// field, an unreadable file, a record over
/// [`InputOptions::max_document_bytes`] become records with
/// [`Status::Error`]; invalid UTF-8 (decoded lossily as U+FFFD), an empty
/// document or an empty line, a text field that is not a string, an
/// unclosed CSV quote become records with [`Status::Warning`]. Each
/// record's `message` says what happened. Lines end at LF, CRLF or a lone
/// CR. See `jsonl.rs` and `csv_records.rs` for the rules of each format,
/// A record whose id an earlier record has keeps it and gets a warning
/// naming the first one's position (the batch engine checks, across all
/// inputs).
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
        let exclude: Vec<_> = options.exclude.iter().filter_map(|p| file_id(p)).collect();
        let mut pending = Vec::new();
        for input in inputs {
            if input == "-" {
                pending.push(Pending::Stdin);
                continue;
            }
            let path = Path::new(input);
            if path.is_dir() {
                if file_id(path).is_some_and(|id| exclude.contains(&id)) {
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
                Pending::Problem(rec) => return Some(RawRecord::from(rec)),
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
    date: Option<String>,
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
        document: Document { id, text, date },
        source,
        status,
        message,
    }
}

fn read_text(
    reader: Box<dyn Read + Send>,
    id: &str,
    source: &str,
    options: &InputOptions,
) -> InputRecord {
    let max_bytes = options.max_document_bytes;
    let mut bytes = Vec::new();
    // One byte more than the limit tells a document over it.
    if let Err(e) = reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        return error_record(id, source, &e.to_string());
    }
    if bytes.len() as u64 > max_bytes {
        return error_record(
            id,
            source,
            &format!(
                "document of more than {max_bytes} bytes{}; skipped",
                options.names.hint(&options.names.max_document_bytes)
            ),
        );
    }
    let (text, bad) = decode(bytes);
    let notes = bad
        .map(|at| format!("invalid UTF-8 at byte {at}, replaced with U+FFFD"))
        .into_iter()
        .collect();
    document_record(id.to_string(), text, None, source.to_string(), notes)
}

/// A field of a record, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    /// A string: a CSV field, a JSON string.
    Text(String),
    /// JSON `null`.
    Null,
    /// Another JSON value, as written in the input.
    Json {
        /// `a number`, `a boolean`, `an array` or `an object`.
        kind: &'static str,
        /// The value's JSON text.
        raw: String,
    },
}

/// The id a field gives: a non-empty string as it is, another JSON value
/// as written, else `position`.
fn id_of(field: Option<&Field>, position: &str) -> String {
    match field {
        Some(Field::Text(s)) if !s.is_empty() => s.clone(),
        Some(Field::Json { raw, .. }) => raw.clone(),
        _ => position.to_string(),
    }
}

/// The id, text and date of a record from its fields (`get` looks a
/// field up; `None` when the record has no such field).
///
/// The id is a string field as it is, another JSON value as written
/// (`1.50` stays `1.50`), else `position`. The text fields are joined with
/// a blank line; a text field that is not a string is used as written,
/// with a note; null counts as missing, and says so.
fn assemble(
    mut get: impl FnMut(&str) -> Option<Field>,
    options: &InputOptions,
    position: &str,
    notes: &mut Vec<String>,
) -> Result<(String, String, Option<String>), String> {
    let id = id_of(get(&options.id_field).as_ref(), position);
    let date = options.date_field.as_deref().and_then(|f| {
        let raw = match get(f)? {
            Field::Text(t) => t,
            Field::Json { raw, .. } => raw,
            Field::Null => return None,
        };
        if raw.trim().is_empty() {
            return None;
        }
        match crate::period::parse_date(&raw) {
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                notes.push(format!("date {raw:?} does not parse"));
                Some(raw)
            }
        }
    });
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    let mut null = Vec::new();
    for field in &options.text_fields {
        match get(field) {
            Some(Field::Text(t)) => parts.push(t),
            Some(Field::Json { kind, raw }) => {
                notes.push(format!(
                    "text field \"{field}\" is {kind}; its JSON was used as the text"
                ));
                parts.push(raw);
            }
            Some(Field::Null) => null.push(format!("text field \"{field}\" is null")),
            None => missing.push(field.as_str()),
        }
    }
    if parts.is_empty() {
        let mut reasons = null;
        if !missing.is_empty() {
            reasons.push(format!("missing text field ({})", missing.join(", ")));
        }
        return Err(reasons.join("; "));
    }
    notes.extend(null);
    if !missing.is_empty() {
        notes.push(format!("missing field {}", missing.join(", ")));
    }
    let text = if parts.len() == 1 {
        parts.pop().unwrap_or_default()
    } else {
        parts.join("\n\n")
    };
    Ok((id, text, date))
}
