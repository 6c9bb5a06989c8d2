//! `alam extract [INPUT ...]`: find the mentions in documents and write
//! tables into a folder.
//!
//! Inputs: files, folders (walked recursively for `*.txt`, `*.jsonl`,
//! `*.ndjson`, `*.json`, `*.csv`, `*.tsv` and their `.gz` forms; never the
//! `-o` folder), or `-` for standard input (JSONL when its first line is a
//! JSON object, else one text; `--stdin-format` says which). See
//! `crate::input`.
//!
//! Outputs in `-o DIR` (default `output/`), selected with `--format`
//! (default `csv,json`):
//! - csv: `mentions.csv`, `documents.csv`, `entities.csv`,
//!   `cooccurrence.csv`
//! - json: `mentions.jsonl`, `entities.json`, `cooccurrence.json`
//! - graph: `graph.gexf`, `graph.graphml`
//! - xlsx: `tables.xlsx` (every table as a sheet, typed cells)
//! - neo4j: `neo4j/nodes.csv`, `neo4j/relationships.csv`
//! - always: `summary.json` (totals and settings, used by `alam merge`;
//!   the run id and the list of files, written last).
//!
//! One run at a time writes into DIR (a lock), and its files replace the
//! earlier run's only once all of them are written (see
//! `crate::output::folder`).
//!
//! The work is `crate::batch::Run`: documents are read by one thread,
//! processed in parallel and written in input order, so `--threads 1` and
//! `--threads 8` give byte-identical files (memory: see `crate::batch`).
//!
//! Every input record gets a `documents.csv` row; every error or warning is
//! also printed on stderr as `FILE:LINE: reason`. The run goes on after a
//! bad record; `--strict` stops at the first error with exit code 1.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::Pipeline;
use crate::batch::{Batch, Processed, Run, RunObserver};
use crate::cooccur::WindowKind;
use crate::input::{InputOptions, Inputs, OptionNames, StdinDetected, StdinFormat, StdinHook};
use crate::output::Formats;
use crate::period::Bucket;

use super::GazetteerArgs;

/// What every command that processes documents shares: the window, the
/// worker threads, and where the id and text of a record are.
#[derive(Debug, Clone, clap::Args)]
pub struct ProcessArgs {
    /// Co-occurrence window: sentence, paragraph or document.
    #[arg(long, value_name = "KIND", default_value = "sentence", value_parser = parse_window)]
    pub window: WindowKind,
    /// Worker threads, at least 1 [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// JSONL/CSV field holding the document id (missing: FILE:LINE)
    /// [default: id; given, a CSV header must have it].
    #[arg(long, value_name = "FIELD")]
    pub id_field: Option<String>,
    /// JSONL/CSV field(s) holding the text, comma-separated or repeated;
    /// several are joined with a blank line (e.g. title,text).
    #[arg(
        long,
        value_name = "FIELD",
        value_delimiter = ',',
        default_value = "text"
    )]
    pub text_field: Vec<String>,
    /// Find people and organizations no gazetteer lists: off, high (the
    /// most precise rules only) or on.
    #[arg(long, value_name = "MODE", default_value = "on", value_parser = parse_discovery)]
    pub discover: crate::Discovery,
    /// Also find misspelled names: a word one edit away from a strong
    /// one-word name or alias, with no exact match and not a real word,
    /// gives a mention of form `fuzzy` (see the README).
    #[arg(long)]
    pub fuzzy: bool,
    /// Longest document, JSONL line or CSV record, in bytes (suffixes K,
    /// M, G: KiB, MiB, GiB); a longer one is an error row, skipped.
    #[arg(long, value_name = "N", default_value = "256M", value_parser = parse_bytes)]
    pub max_document_bytes: u64,
    /// Relation hints on pairs from trigger words (met, visited, زار...):
    /// on or off. The lists are gazetteers/relations/*.csv, or the
    /// relations/ folder of -g and --add-gazetteer folders.
    #[arg(long, value_name = "MODE", default_value = "on", value_parser = parse_on_off, action = clap::ArgAction::Set)]
    pub relations: bool,
    /// JSONL/CSV field holding the document's date (ISO 8601, RFC 2822,
    /// "5 March 2024", "05/03/2024" day first, Arabic month names): the
    /// tables are then counted by period too (see --bucket). A date that
    /// does not parse is a warning; such documents and those without a
    /// date are counted in the period "undated".
    #[arg(long, value_name = "FIELD")]
    pub date_field: Option<String>,
}

/// On stderr: how standard input was recognized, and what the field
/// options do to it.
fn print_stdin_note(detected: StdinDetected) {
    let what = match detected {
        StdinDetected::Text {
            fields_ignored: false,
        } => return,
        StdinDetected::Text {
            fields_ignored: true,
        } => {
            eprintln!(
                "alam: warning: standard input is read as one text (its first line is not a JSON object), so --id-field and --text-field do not apply to it (--stdin-format jsonl reads it as JSONL)"
            );
            return;
        }
        StdinDetected::JsonArray => "a JSON array, read as one record per element",
        StdinDetected::Jsonl => {
            "JSONL (its first line is a JSON object), read as one record per line"
        }
    };
    eprintln!("alam: note: standard input is {what} (--stdin-format text reads it as one text)");
}

/// `on` or `off`.
fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("{s:?}: expected on or off")),
    }
}

impl ProcessArgs {
    /// How to read the inputs.
    pub(super) fn input_options(&self, stdin_format: StdinFormat) -> InputOptions {
        InputOptions {
            id_field: self.id_field.clone().unwrap_or_else(|| "id".to_string()),
            id_field_required: self.id_field.is_some(),
            text_fields: self.text_field.clone(),
            stdin_format,
            max_document_bytes: self.max_document_bytes,
            date_field: self.date_field.clone(),
            // The library names no flag; the command line's messages do.
            names: OptionNames {
                max_document_bytes: Some("--max-document-bytes".to_string()),
                id_field: Some("--id-field".to_string()),
                date_field: Some("--date-field".to_string()),
            },
            on_stdin: Some(StdinHook::new(print_stdin_note)),
            ..InputOptions::default()
        }
    }

    /// The batch engine these options ask for, over `pipeline`, with the
    /// relation lists of the gazetteer folders `gazetteer` names.
    pub fn batch<'p>(
        &self,
        pipeline: &'p Pipeline,
        gazetteer: &GazetteerArgs,
    ) -> anyhow::Result<Batch<'p>> {
        let relations = if self.relations {
            Some(crate::relations::Relations::for_gazetteer(
                gazetteer.gazetteer.as_deref(),
                &gazetteer.add,
            )?)
        } else {
            None
        };
        Ok(Batch::builder()
            .threads_or_default(self.threads)
            .window(self.window)
            .relations(relations)
            .build(pipeline)?)
    }
}

/// A byte count: digits, then K, M or G (KiB, MiB, GiB) if wanted.
fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "{s:?} is not a byte count (like 1000, 64K, 256M, 2G)"
            ));
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a byte count (like 1000, 64K, 256M, 2G)"))?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err("the byte count must be at least 1".to_string()),
        Some(n) => Ok(n),
        None => Err(format!("{s:?} is too large")),
    }
}

pub(super) fn parse_discovery(s: &str) -> Result<crate::Discovery, String> {
    crate::Discovery::parse(s)
        .ok_or_else(|| format!("unknown discovery mode {s:?} (expected off, high, on)"))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to read, or - for standard input.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
    #[command(flatten)]
    pub gazetteer: GazetteerArgs,
    /// Folder to write the tables into (created if missing).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    pub output: PathBuf,
    /// Output formats, comma-separated: csv, json, graph, html, xlsx, neo4j.
    #[arg(long, value_name = "LIST", default_value = "csv,json", value_parser = parse_formats)]
    pub format: Formats,
    #[command(flatten)]
    pub process: ProcessArgs,
    /// Drop pairs that co-occur in fewer than N windows.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_count: u64,
    /// The periods of --date-field: day (2024-03-05), week (ISO week,
    /// Monday to Sunday: 2024-W10) or month (2024-03) [default: month].
    #[arg(long, value_name = "PERIOD", value_parser = parse_bucket, requires = "date_field")]
    pub bucket: Option<Bucket>,
    /// What standard input (-) holds: text (one document), jsonl, or auto
    /// (jsonl when its first line is a JSON object, else text).
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = parse_stdin_format)]
    pub stdin_format: StdinFormat,
    /// The name of standard input (-) in document ids (NAME:LINE) and
    /// messages [default: -].
    #[arg(long, value_name = "NAME")]
    pub stdin_name: Option<String>,
    /// Lines before standard input's first one: JSONL lines on stdin are
    /// numbered from N+1 (for a slice of a larger file, e.g. a Spark
    /// partition, named as in the whole file).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub stdin_lines_before: u64,
    /// Write CSV for Excel: UTF-8 BOM, CRLF, formula-like cells prefixed with '.
    #[arg(long)]
    pub excel: bool,
    /// Stop with exit code 1 at the first input error.
    #[arg(long)]
    pub strict: bool,
    /// Do not fsync the output (scratch output, e.g. partial folders
    /// merged right after).
    #[arg(long)]
    pub no_fsync: bool,
    /// No progress bar and no summary line (errors are still printed).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

pub(super) fn parse_bucket(s: &str) -> Result<Bucket, String> {
    Bucket::parse(s).ok_or_else(|| format!("unknown bucket {s:?} (expected day, week, month)"))
}

fn parse_formats(s: &str) -> Result<Formats, String> {
    Formats::parse(s)
}

/// A thread count: a whole number of at least 1 (`0` used to mean 1
/// without a word; it is refused now, since it reads as "none" or "all").
pub(super) fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (leave --threads out for one per core)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

pub(super) fn parse_window(s: &str) -> Result<WindowKind, String> {
    WindowKind::parse(s)
        .ok_or_else(|| format!("unknown window {s:?} (expected sentence, paragraph, document)"))
}

fn parse_stdin_format(s: &str) -> Result<StdinFormat, String> {
    match s {
        "text" => Ok(StdinFormat::Text),
        "jsonl" => Ok(StdinFormat::Jsonl),
        "auto" => Ok(StdinFormat::Auto),
        _ => Err(format!(
            "unknown stdin format {s:?} (expected auto, text, jsonl)"
        )),
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if args.no_fsync {
        crate::output::folder::set_durable(false);
    }
    let (gaz, pipeline) = args
        .gazetteer
        .load_for_process(args.process.discover, args.process.fuzzy)?;
    let batch = args.process.batch(pipeline, &args.gazetteer)?;
    let mut options = args.process.input_options(args.stdin_format);
    if let Some(name) = &args.stdin_name {
        options.stdin_name = name.clone();
    }
    options.stdin_lines_before = args.stdin_lines_before;
    // The output folder is never read, even inside an input folder.
    options.exclude = vec![args.output.clone()];
    let inputs = Inputs::new(&args.inputs, options);
    let mut progress = Progress {
        bar: progress_bar(args.quiet),
        started,
    };
    let mut outcome = Run::new(&batch, gaz)
        .output(&args.output)
        .formats(args.format)
        .excel(args.excel)
        .min_count(args.min_count)
        .strict(args.strict)
        .bucket(
            args.process
                .date_field
                .as_ref()
                .map(|_| args.bucket.unwrap_or_default()),
        )
        .gazetteer_label(args.gazetteer.label(gaz))
        .run_with(inputs, &mut progress)?;
    // The process ends here: the run's counts (a map entry, examples and
    // relation maps for each of up to hundreds of thousands of pairs) are
    // left to the operating system rather than freed one by one (1.5% of
    // the CPU of a 50 MB run).
    std::mem::forget(std::mem::take(&mut outcome.aggregates));
    progress.bar.finish_and_clear();
    if let Some(id) = &outcome.stopped_at {
        eprintln!("alam: --strict: stopping at the first error ({id})");
        return Ok(ExitCode::from(1));
    }
    let summary = &outcome.summary;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "{} documents ({} errors, {} warnings), {} mentions, {} entities, {} pairs, {:.2} s, {:.1} MB/s -> {}",
            summary.documents,
            summary.errors,
            summary.warnings,
            summary.mentions,
            outcome.entities,
            outcome.pairs,
            secs,
            outcome.bytes as f64 / 1e6 / secs,
            args.output.display()
        );
        if let Some(p) = &summary.periods {
            eprintln!(
                "{} periods of a {}: {} documents dated, {} undated ({} with a date that does not parse)",
                p.periods, p.bucket, p.dated, p.undated, p.unparsed_dates
            );
        }
    }
    if outcome.nothing_read() {
        eprintln!(
            "alam: no input could be read in {} ({} documents, {} errors)",
            args.inputs.join(" "),
            summary.documents,
            summary.errors
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every record's message and keeps the progress bar moving.
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
}

impl RunObserver for Progress {
    fn record(&mut self, p: &Processed) {
        if !p.record.message.is_empty() {
            self.bar.suspend(|| eprintln!("{}", p.record.message));
        }
    }

    fn progress(&mut self, documents: u64, bytes: u64) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar.set_position(documents);
        self.bar.set_message(format!(
            "{:.1} MB, {:.1} MB/s",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs
        ));
    }
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let style =
        indicatif::ProgressStyle::with_template("{spinner} {pos} documents, {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        #[derive(Debug, clap::Parser)]
        struct T {
            #[command(flatten)]
            args: Args,
        }
        T::try_parse_from(std::iter::once("alam").chain(args.iter().copied())).map(|t| t.args)
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "x",
            "--format",
            "csv,graph,xlsx",
            "--window",
            "paragraph",
            "--min-count",
            "3",
        ])
        .unwrap();
        assert_eq!(
            a.format,
            Formats {
                csv: true,
                json: false,
                graph: true,
                html: false,
                xlsx: true,
                neo4j: false,
            }
        );
        assert_eq!((a.process.window, a.min_count), (WindowKind::Paragraph, 3));
        let a = parse(&[
            "x",
            "--text-field",
            "title,text",
            "--stdin-format",
            "jsonl",
            "--threads",
            "2",
        ])
        .unwrap();
        assert_eq!(a.process.text_field, ["title", "text"]);
        assert_eq!(
            (a.stdin_format, a.process.threads),
            (StdinFormat::Jsonl, Some(2))
        );
        let a = parse(&["x"]).unwrap();
        assert_eq!(
            (a.format, a.process.window, a.excel, a.strict),
            (Formats::default(), WindowKind::Sentence, false, false)
        );
        let a = parse(&["x", "--date-field", "published", "--bucket", "week"]).unwrap();
        assert_eq!(
            (a.process.date_field.as_deref(), a.bucket),
            (Some("published"), Some(Bucket::Week))
        );
        let a = parse(&["x", "--date-field", "published"]).unwrap();
        assert_eq!(a.bucket, None);
        // --bucket needs --date-field; only the three buckets.
        assert!(parse(&["x", "--bucket", "week"]).is_err());
        assert!(parse(&["x", "--date-field", "d", "--bucket", "year"]).is_err());
        assert!(parse(&["x", "--window", "line"]).is_err());
        assert!(parse(&["x", "--format", "pdf"]).is_err());
        assert!(parse(&[]).is_err());
    }
}
