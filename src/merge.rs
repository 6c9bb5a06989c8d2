//! Reading back the output folder of a run, so that partial runs (shards)
//! can be summed by `alam merge`.
//!
//! A part folder must hold `summary.json`, `entities.csv` and
//! `cooccurrence.csv` written without `--excel` and with `--min-count 1`
//! (otherwise rare pairs were dropped and cannot be summed back), and may
//! hold `cooccurrence.json`, whose examples are read too. Each file read
//! must be the one `summary.json` lists (same size): a folder that mixes
//! the files of two runs, or whose run did not finish, is refused.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::cooccur::{
    Aggregates, Attributes, DiscoveredCounts, DocumentCounts, EntityCounts, EntityInfo, EntityPair,
    Evidence, Example, PairCounts, PeriodCounts, PeriodEntity, PeriodPair, WindowKind,
};
use crate::error::NotMergeable;
use crate::error::{Error, Position};
use crate::input::{InputRecord, Status};
use crate::output::RunSummary;
use crate::output::csv::{ENTITIES_HEADER, parse_counted};
use crate::output::json::{ExampleRecord, StreamLine};
use crate::period::Bucket;
use crate::pipeline::{Document, Mention};

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

fn input_error(path: &Path, line: u64, message: String) -> Error {
    Error::Input {
        position: Position {
            path: path.to_path_buf(),
            line,
        },
        message,
    }
}

/// Checks that a part can be summed with others: its pair tables list
/// every pair (minimum count 1) and its CSV files are plain (not written
/// for Excel). The error is [`Error::NotMergeable`], which names no
/// command-line option (the CLI adds them).
pub fn check_mergeable(dir: &Path, summary: &RunSummary) -> Result<(), Error> {
    let reason = if summary.min_count > 1 {
        NotMergeable::MinCount(summary.min_count)
    } else if summary.excel {
        NotMergeable::Excel
    } else {
        return Ok(());
    };
    Err(Error::NotMergeable {
        path: dir.join("summary.json"),
        reason,
    })
}

/// The tables [`read_part`] reads (those that exist).
pub const TABLE_FILES: &[&str] = &[
    "entities.csv",
    "cooccurrence.csv",
    "cooccurrence.json",
    "discovered.csv",
    "periods.csv",
    "entities_by_period.csv",
    "cooccurrence_by_period.csv",
];

/// The per-document files `alam merge` concatenates.
pub const PER_DOCUMENT_FILES: &[&str] = &["documents.csv", "mentions.csv", "mentions.jsonl"];

/// Checks that the files `names` of the folder `dir` belong to the run
/// its `summary` describes: each one there is listed in `summary.files`
/// with its size, and each one listed is there. Nothing is checked for a
/// summary that lists no files (written before alam listed them; see
/// [`lists_files`]).
pub fn check_files(dir: &Path, summary: &RunSummary, names: &[&str]) -> Result<(), Error> {
    if !lists_files(summary) {
        return Ok(());
    }
    for name in names {
        let path = dir.join(name);
        // A folder of that name (mentions.jsonl as Hadoop's part files) is
        // not a file of the run, as for merge.
        let on_disk = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => Some(m.len()),
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path, e)),
        };
        let message = match (on_disk, summary.file(name)) {
            (Some(n), Some(f)) if n != f.bytes => format!(
                "{name} does not belong to this run ({n} bytes, summary.json says {})",
                f.bytes
            ),
            (Some(n), None) => format!(
                "{name} does not belong to this run ({n} bytes, summary.json does not list it)"
            ),
            (None, Some(_)) => format!("{name} is missing (summary.json lists it)"),
            _ => continue,
        };
        return Err(input_error(dir, 0, message));
    }
    Ok(())
}

/// Appends a part's per-document file `path` (`mentions.jsonl`, or a
/// CSV file whose first line must be `header`, comma-separated, and is
/// skipped) to `out` byte for byte, adding a line end if its last line
/// has none. Returns the number of lines appended.
///
/// This is `alam merge`'s concatenation for parts written by alam without
/// `--excel` (the only ones [`check_mergeable`] accepts), whose files
/// [`check_files`] found to be their run's: their rows are copied, not
/// parsed and written again, at the speed of the disk. For example, parts
/// holding `a,b\n1,2\n` and `a,b\n3,4` with header `["a", "b"]` append
/// `1,2\n3,4\n`. A different first line is an error naming `path:1`.
pub fn append_file(
    path: &Path,
    header: Option<&[&str]>,
    out: &mut dyn std::io::Write,
) -> Result<u64, Error> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let out_error = |e: std::io::Error| io_error(Path::new("(merged output)"), e);
    if let Some(header) = header {
        let mut first = Vec::new();
        reader
            .read_until(b'\n', &mut first)
            .map_err(|e| io_error(path, e))?;
        let found = String::from_utf8_lossy(&first);
        let found = found.trim_end_matches(['\n', '\r']);
        if found != header.join(",") {
            return Err(input_error(
                path,
                1,
                format!("unexpected header {found} (expected {})", header.join(",")),
            ));
        }
    }
    let mut lines = 0u64;
    let mut last = b'\n';
    loop {
        let chunk = reader.fill_buf().map_err(|e| io_error(path, e))?;
        if chunk.is_empty() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        last = chunk[chunk.len() - 1];
        out.write_all(chunk).map_err(out_error)?;
        let n = chunk.len();
        reader.consume(n);
    }
    if last != b'\n' {
        out.write_all(b"\n").map_err(out_error)?;
        lines += 1;
    }
    Ok(lines)
}

/// Whether `summary` lists the files of its run (every `summary.json`
/// written since alam lists them does; an older one does not).
pub fn lists_files(summary: &RunSummary) -> bool {
    !summary.files.is_empty()
}

/// Reads the summary and aggregates of one output folder, after checking
/// that it is a finished run's ([`check_files`] for the tables read). A
/// folder without `summary.json` is an error: the run that wrote it did
/// not finish.
pub fn read_part(dir: &Path) -> Result<(RunSummary, Aggregates), Error> {
    let summary_path = dir.join("summary.json");
    let text = match std::fs::read_to_string(&summary_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir.is_dir() => {
            return Err(input_error(
                dir,
                0,
                "no summary.json: the run that wrote this folder did not finish".into(),
            ));
        }
        Err(e) => return Err(io_error(&summary_path, e)),
    };
    let summary: RunSummary = serde_json::from_str(&text).map_err(|e| {
        input_error(
            &summary_path,
            e.line() as u64,
            format!("not a summary.json: {e}"),
        )
    })?;
    let window = WindowKind::parse(&summary.window).ok_or_else(|| {
        input_error(
            &summary_path,
            0,
            format!("unknown window {:?}", summary.window),
        )
    })?;
    check_files(dir, &summary, TABLE_FILES)?;
    let mut agg = Aggregates::new(window);
    // Error records are not in the aggregates (see `Aggregates::documents`).
    agg.documents = summary.documents.saturating_sub(summary.errors);
    agg.windows = summary.windows;

    let path = dir.join("entities.csv");
    let (header, rows) = read_table(&path)?;
    // The columns after the known ones are the gazetteer's extra columns.
    agg.attribute_columns = header
        .into_iter()
        .filter(|h| !ENTITIES_HEADER.contains(&h.as_str()))
        .collect();
    for (line, row) in rows {
        let num = |k: &str| parse_u64(&path, line, &row, k);
        let id: Arc<str> = Arc::from(field(&path, line, &row, "entity_id")?);
        let attributes = Attributes::new(
            row.iter()
                .filter(|(k, _)| !ENTITIES_HEADER.contains(&k.as_str()))
                .cloned(),
        );
        let counts = EntityCounts {
            info: EntityInfo {
                kind: field(&path, line, &row, "type")?.to_string(),
                name: field(&path, line, &row, "name")?.to_string(),
                name_ar: field(&path, line, &row, "name_ar")?.to_string(),
                attributes,
            },
            mentions: num("mentions")?,
            documents: num("documents")?,
            windows: num("windows")?,
        };
        agg.entities.insert(id, counts);
    }
    let path = dir.join("cooccurrence.csv");
    for (line, row) in read_rows(&path)? {
        let a: Arc<str> = Arc::from(field(&path, line, &row, "source_id")?);
        let b: Arc<str> = Arc::from(field(&path, line, &row, "target_id")?);
        let mut counts = PairCounts {
            windows: parse_u64(&path, line, &row, "windows")?,
            documents: parse_u64(&path, line, &row, "documents")?,
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
                input_error(&path, line, format!("{key}: {item:?} is not KIND:COUNT"))
            })?;
            for (kind, n) in items {
                *map.entry(kind.to_string()).or_default() += n;
            }
        }
        for id in [&a, &b] {
            if !agg.entities.contains_key(id) {
                return Err(input_error(
                    &path,
                    line,
                    format!("entity {id:?} is not in entities.csv"),
                ));
            }
        }
        let key = if a <= b { (a, b) } else { (b, a) };
        agg.pairs.insert(key, counts);
    }
    read_examples(&dir.join("cooccurrence.json"), &mut agg)?;
    read_discovered(&dir.join("discovered.csv"), &mut agg)?;
    if let Some(periods) = &summary.periods {
        let bucket = Bucket::parse(&periods.bucket).ok_or_else(|| {
            input_error(
                &summary_path,
                0,
                format!("unknown bucket {:?}", periods.bucket),
            )
        })?;
        agg.bucket = Some(bucket);
        agg.unparsed_dates = periods.unparsed_dates;
        read_periods(dir, &mut agg)?;
    }
    Ok((summary, agg))
}

/// Adds the tables by period of a dated part: `periods.csv`,
/// `entities_by_period.csv`, `cooccurrence_by_period.csv` (all three
/// required; entities and pairs must be in `entities.csv`, periods in
/// `periods.csv`).
fn read_periods(dir: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    let path = dir.join("periods.csv");
    for (line, row) in read_rows(&path)? {
        let label = field(&path, line, &row, "period")?.to_string();
        let p = agg.periods.entry(label).or_default();
        p.documents += parse_u64(&path, line, &row, "documents")?;
        p.windows += parse_u64(&path, line, &row, "windows")?;
    }
    fn period_of<'a>(
        agg: &'a mut Aggregates,
        path: &Path,
        line: u64,
        row: &Row,
    ) -> Result<&'a mut PeriodCounts, Error> {
        let label = field(path, line, row, "period")?;
        let known = |id: &str| agg.entities.contains_key(id);
        for key in ["entity_id", "source_id", "target_id"] {
            if let Some((_, id)) = row.iter().find(|(k, _)| k == key)
                && !known(id)
            {
                return Err(input_error(
                    path,
                    line,
                    format!("entity {id:?} is not in entities.csv"),
                ));
            }
        }
        agg.periods.get_mut(label).ok_or_else(|| {
            input_error(
                path,
                line,
                format!("period {label:?} is not in periods.csv"),
            )
        })
    }
    let path = dir.join("entities_by_period.csv");
    for (line, row) in read_rows(&path)? {
        let id: Arc<str> = Arc::from(field(&path, line, &row, "entity_id")?);
        let counts = PeriodEntity {
            mentions: parse_u64(&path, line, &row, "mentions")?,
            documents: parse_u64(&path, line, &row, "documents")?,
            windows: parse_u64(&path, line, &row, "windows")?,
        };
        let p = period_of(agg, &path, line, &row)?;
        p.entities.insert(id, counts);
    }
    let path = dir.join("cooccurrence_by_period.csv");
    for (line, row) in read_rows(&path)? {
        let a: Arc<str> = Arc::from(field(&path, line, &row, "source_id")?);
        let b: Arc<str> = Arc::from(field(&path, line, &row, "target_id")?);
        let counts = PeriodPair {
            windows: parse_u64(&path, line, &row, "windows")?,
            documents: parse_u64(&path, line, &row, "documents")?,
        };
        let p = period_of(agg, &path, line, &row)?;
        let key = if a <= b { (a, b) } else { (b, a) };
        p.pairs.insert(key, counts);
    }
    Ok(())
}

/// Adds the rows of `discovered.csv`, when the part has one: variants,
/// rules and the example of each discovered entity of `entities.csv`.
fn read_discovered(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
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
            example: (!doc.is_empty() || !example.is_empty())
                .then(|| (doc.to_string(), example.to_string())),
        };
        agg.discovered.insert(id, d);
    }
    Ok(())
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
fn read_examples(path: &Path, agg: &mut Aggregates) -> Result<(), Error> {
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

type Row = Vec<(String, String)>;

/// The rows of a CSV file with a header, as (line, [(column, value)]).
fn read_rows(path: &Path) -> Result<Vec<(u64, Row)>, Error> {
    Ok(read_table(path)?.1)
}

/// A CSV file's header and its rows with their lines.
type Table = (Vec<String>, Vec<(u64, Row)>);

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

fn field<'a>(path: &Path, line: u64, row: &'a Row, key: &str) -> Result<&'a str, Error> {
    row.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| input_error(path, line, format!("missing column {key}")))
}

fn parse_u64(path: &Path, line: u64, row: &Row, key: &str) -> Result<u64, Error> {
    let v = field(path, line, row, key)?;
    v.parse()
        .map_err(|_| input_error(path, line, format!("{key} is not a count: {v:?}")))
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
