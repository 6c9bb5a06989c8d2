//! `alam extract [INPUT ...]`: find the mentions in documents and write
//! tables into a folder.
//!
//! Inputs: files, folders (walked recursively for `*.txt`, `*.jsonl`,
//! `*.csv` and their `.gz` forms), or `-` for standard input (one text, or
//! JSONL with `--stdin-format jsonl`). See `alam::input`.
//!
//! Outputs in `-o DIR` (default `output/`), selected with `--format`
//! (default `csv,json`):
//! - csv: `mentions.csv`, `documents.csv`, `entities.csv`,
//!   `cooccurrence.csv`
//! - json: `mentions.jsonl`, `entities.json`, `cooccurrence.json`
//! - graph: `graph.gexf`, `graph.graphml`
//! - always: `summary.json` (totals and settings, used by `alam merge`).
//!
//! Documents are read by one thread in chunks (`CHUNK_DOCUMENTS`
//! documents or `CHUNK_BYTES` of text, whichever comes first), processed in
//! parallel, a chunk per worker at a time, and written in input order, so
//! `--threads 1` and `--threads 8` give byte-identical files. Memory: at most
//! six chunks of documents plus two per worker (at least four) at a time
//! (one being read, four queued, one waiting for a slot, the others being
//! processed, waiting for an earlier one, or written), plus the aggregates,
//! which grow with the number of distinct entities and pairs, not with the
//! number of documents.
//!
//! Every input record gets a `documents.csv` row; every error or warning is
//! also printed on stderr as `FILE:LINE: reason`. The run goes on after a
//! bad record; `--strict` stops at the first error with exit code 1.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{channel, sync_channel};
use std::time::Instant;

use alam::cooccur::{
    Aggregates, DocumentCounts, EntityInfo, EntityPair, Evidence, Example, WindowKind,
    discovered_example,
};
use alam::input::{InputOptions, InputRecord, Inputs, RawRecord, Status, StdinFormat};
use alam::output::{CsvStyle, DocumentWriters, Formats, RenderedRecord, RunSummary, finish_run};
use alam::{Gazetteer, Mention, Pipeline};
use anyhow::Context;

use super::GazetteerArgs;

/// What every command that processes documents shares: the window, the
/// worker threads, and where the id and text of a record are.
#[derive(Debug, Clone, clap::Args)]
pub struct ProcessArgs {
    /// Co-occurrence window: sentence, paragraph or document.
    #[arg(long, value_name = "KIND", default_value = "sentence", value_parser = parse_window)]
    pub window: WindowKind,
    /// Worker threads [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// JSONL/CSV field holding the document id (missing: FILE:LINE).
    #[arg(long, value_name = "FIELD", default_value = "id")]
    pub id_field: String,
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
    pub discover: alam::Discovery,
}

pub(super) fn parse_discovery(s: &str) -> Result<alam::Discovery, String> {
    alam::Discovery::parse(s)
        .ok_or_else(|| format!("unknown discovery mode {s:?} (expected off, high, on)"))
}

/// Documents per chunk, at most.
const CHUNK_DOCUMENTS: usize = 256;
/// Bytes of text per chunk, at most (a single larger document still fits).
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks being processed at once, at most: this many, or two per worker
/// if that is more.
const CHUNKS_IN_FLIGHT: usize = 4;

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
    /// Output formats, comma-separated: csv, json, graph, html.
    #[arg(long, value_name = "LIST", default_value = "csv,json", value_parser = parse_formats)]
    pub format: Formats,
    #[command(flatten)]
    pub process: ProcessArgs,
    /// Drop pairs that co-occur in fewer than N windows.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_count: u64,
    /// What standard input (-) holds: text (one document) or jsonl.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = parse_stdin_format)]
    pub stdin_format: StdinFormat,
    /// Write CSV for Excel: UTF-8 BOM, CRLF, formula-like cells prefixed with '.
    #[arg(long)]
    pub excel: bool,
    /// Stop with exit code 1 at the first input error.
    #[arg(long)]
    pub strict: bool,
    /// No progress bar and no summary line (errors are still printed).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

fn parse_formats(s: &str) -> Result<Formats, String> {
    Formats::parse(s)
}

pub(super) fn parse_window(s: &str) -> Result<WindowKind, String> {
    WindowKind::parse(s)
        .ok_or_else(|| format!("unknown window {s:?} (expected sentence, paragraph, document)"))
}

fn parse_stdin_format(s: &str) -> Result<StdinFormat, String> {
    match s {
        "text" => Ok(StdinFormat::Text),
        "jsonl" => Ok(StdinFormat::Jsonl),
        _ => Err(format!("unknown stdin format {s:?} (expected text, jsonl)")),
    }
}

/// One processed record, ready to write.
pub(super) struct Processed {
    pub record: InputRecord,
    pub windows: alam::Windows,
    pub chars: usize,
    pub mentions: Vec<Mention>,
    /// The number of windows of the chosen kind.
    pub window_count: u64,
    /// The document's entity and pair counts, when a worker made them
    /// (see [`Processed::count`]).
    pub counts: Option<DocumentCounts>,
    /// The record as written in the per-document files, when the workers
    /// are asked to make it.
    pub rendered: Option<RenderedRecord>,
}

impl Processed {
    /// The document's entity and pair counts, made now unless a worker
    /// made them.
    pub fn count(&mut self, window: WindowKind) -> &DocumentCounts {
        let (mentions, windows) = (&self.mentions, self.window_count);
        self.counts
            .get_or_insert_with(|| DocumentCounts::new(mentions, window, windows))
    }
}

/// The work that either the workers or the reading and writing threads do.
/// With several workers, the workers do it (the reading and writing threads
/// would be the stages that bound the run); with one, the reading and
/// writing threads, which have time to spare on the other core.
#[derive(Clone, Copy, Debug)]
pub(super) struct WorkerShare {
    /// Parse JSONL lines (else the reading thread does).
    pub parse: bool,
    /// Count each document's entities and pairs (else the writing thread
    /// does).
    pub count: bool,
    /// Make the rows of the per-document files, in these formats and CSV
    /// style (else the writing thread does).
    pub render: Option<(Formats, CsvStyle)>,
}

impl WorkerShare {
    /// The share of `workers` workers, which would render `render`.
    pub fn of(workers: usize, render: Option<(Formats, CsvStyle)>) -> WorkerShare {
        let several = workers > 1;
        WorkerShare {
            parse: several,
            count: several,
            render: render.filter(|_| several),
        }
    }
}

fn process(
    pipeline: &Pipeline,
    window: WindowKind,
    share: WorkerShare,
    raw: RawRecord,
) -> Processed {
    let record = raw.into_record();
    if record.status == Status::Error {
        return Processed {
            record,
            windows: alam::Windows::default(),
            chars: 0,
            mentions: Vec::new(),
            window_count: 0,
            counts: None,
            rendered: None,
        };
    }
    let analysis = pipeline.analyze(&record.document);
    let windows = match window {
        WindowKind::Sentence => analysis.sentences,
        WindowKind::Paragraph => analysis.paragraphs,
        WindowKind::Document => usize::from(analysis.sentences > 0),
    };
    let mut p = Processed {
        record,
        windows: analysis.windows,
        chars: analysis.chars,
        mentions: analysis.mentions,
        window_count: windows as u64,
        counts: None,
        rendered: None,
    };
    if share.count || share.render.is_some() {
        p.count(window);
    }
    // The rows and lines of the per-document files were the writing
    // thread's largest cost; with several workers they are made here, in
    // parallel. Should that fail, the writing thread makes them again and
    // reports the error. Not for a long document: the writing thread
    // writes its rows a few at a time, rather than hold them all.
    let long = p.record.document.text.len() > alam::PIECES_ABOVE;
    if let (Some((formats, style)), Some(counts), false) = (share.render, &p.counts, long) {
        // The counts list each entity of the document once.
        let entities = counts.entities().len();
        p.rendered =
            RenderedRecord::new(formats, style, &p.record, p.chars, &p.mentions, entities).ok();
    }
    p
}

/// The byte range of window `index` of a document.
pub(super) fn window_range(
    windows: &alam::Windows,
    kind: WindowKind,
    index: usize,
    len: usize,
) -> std::ops::Range<usize> {
    match kind {
        WindowKind::Sentence => windows.sentence_range(index, len),
        WindowKind::Paragraph => windows.paragraph_range(index, len),
        WindowKind::Document => 0..len,
    }
}

/// The byte range of the window of kind `kind` that mention `m` is in.
pub(super) fn mention_window(
    windows: &alam::Windows,
    kind: WindowKind,
    m: &Mention,
    len: usize,
) -> std::ops::Range<usize> {
    let index = match kind {
        WindowKind::Sentence => m.sentence,
        WindowKind::Paragraph => m.paragraph,
        WindowKind::Document => 0,
    };
    window_range(windows, kind, index, len)
}

pub(super) fn entity_info(gaz: &Gazetteer, id: &str) -> EntityInfo {
    alam::entity_info(gaz, id).unwrap_or_default()
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let gaz = args.gazetteer.load()?;
    let pipeline = args.gazetteer.pipeline(&gaz, args.process.discover)?;
    let pool = worker_pool(args.process.threads)?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let style = CsvStyle { excel: args.excel };
    let mut writers = DocumentWriters::create(&args.output, args.format, style)
        .with_context(|| format!("writing into {}", args.output.display()))?;

    let options = InputOptions {
        id_field: args.process.id_field.clone(),
        text_fields: args.process.text_field.clone(),
        stdin_format: args.stdin_format,
    };
    let progress = progress_bar(args.quiet);
    let mut agg = Aggregates::new(args.process.window);
    let mut summary = RunSummary {
        window: args.process.window.as_str().to_string(),
        min_count: args.min_count,
        excel: args.excel,
        formats: args.format.names(),
        gazetteer: args.gazetteer.label(&gaz),
        ..RunSummary::default()
    };
    let mut bytes_read: u64 = 0;
    let chunk_done = |summary: &RunSummary, bytes_read: u64| {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        progress.set_position(summary.documents);
        progress.set_message(format!(
            "{:.1} MB, {:.1} MB/s",
            bytes_read as f64 / 1e6,
            bytes_read as f64 / 1e6 / secs
        ));
    };
    let inputs = Inputs::new(&args.inputs, options);
    let share = WorkerShare::of(pool.current_num_threads(), Some((args.format, style)));
    let completed = for_each_processed(
        &pipeline,
        &pool,
        args.process.window,
        share,
        inputs,
        |mut p| {
            if !p.record.message.is_empty() {
                progress.suspend(|| eprintln!("{}", p.record.message));
            }
            match p.record.status {
                Status::Error => {
                    summary.errors += 1;
                    if args.strict {
                        progress.finish_and_clear();
                        eprintln!(
                            "alam: --strict: stopping at the first error ({})",
                            p.record.document.id
                        );
                        return Ok(false);
                    }
                }
                Status::Warning => summary.warnings += 1,
                Status::Ok => {}
            }
            let entities = p.count(args.process.window).entities().len();
            match &p.rendered {
                Some(rendered) => writers.write_rendered(rendered)?,
                None => writers.write(&p.record, p.chars, &p.mentions, entities)?,
            }
            summary.documents += 1;
            summary.mentions += p.mentions.len() as u64;
            summary.chars += p.chars as u64;
            bytes_read += p.record.document.text.len() as u64;
            if p.record.status != Status::Error {
                let doc = &p.record.document;
                let example = |_: &EntityPair, ev: &Evidence| {
                    let window =
                        window_range(&p.windows, args.process.window, ev.window, doc.text.len());
                    Some(Example::new(
                        &doc.id,
                        &doc.text,
                        window,
                        ev.a.clone(),
                        ev.b.clone(),
                    ))
                };
                let counts = p.counts.take().unwrap_or_default();
                agg.add(counts, |id| entity_info(&gaz, id), example);
                let kind = args.process.window;
                agg.add_discovered(&doc.id, &p.mentions, |m| {
                    let window = mention_window(&p.windows, kind, m, doc.text.len());
                    Some(discovered_example(&doc.text, window, m))
                });
            }
            if summary.documents.is_multiple_of(1000) {
                chunk_done(&summary, bytes_read);
            }
            Ok(true)
        },
    )?;
    if !completed {
        return Ok(ExitCode::from(1));
    }
    summary.windows = agg.windows;
    // The per-document files are flushed and renamed (which may free the
    // previous run's files) while the tables are written.
    finish_run(writers, &args.output, &agg, &summary, args.format, style)?;
    progress.finish_and_clear();
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "{} documents ({} errors, {} warnings), {} mentions, {} entities, {} pairs, {:.2} s, {:.1} MB/s -> {}",
            summary.documents,
            summary.errors,
            summary.warnings,
            summary.mentions,
            agg.entities.len(),
            agg.pair_count(args.min_count),
            secs,
            bytes_read as f64 / 1e6 / secs,
            args.output.display()
        );
    }
    let nothing_read = summary.documents > 0 && summary.errors == summary.documents;
    if nothing_read {
        eprintln!("alam: no input could be read");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `inputs` in chunks on one thread, processes the chunks on the
/// worker pool, and calls `each` on every processed record in input order
/// on this thread, while later chunks are being processed. Stops early
/// (returning `Ok(false)`) when `each` returns `Ok(false)`.
///
/// Up to `CHUNKS_IN_FLIGHT` chunks, or two per worker, are processed at
/// once, each by one worker (splitting a chunk across the workers cost
/// about a tenth more CPU), so that a worker done with one chunk takes up
/// the next; results come back tagged with their chunk number and are put
/// back in order here.
pub(super) fn for_each_processed(
    pipeline: &Pipeline,
    pool: &rayon::ThreadPool,
    window: WindowKind,
    share: WorkerShare,
    inputs: Inputs,
    mut each: impl FnMut(Processed) -> anyhow::Result<bool>,
) -> anyhow::Result<bool> {
    let (tx, rx) = sync_channel::<Vec<RawRecord>>(4);
    let reader = std::thread::Builder::new()
        .name("alam-reader".into())
        .spawn(move || {
            let mut chunk = Vec::new();
            let mut bytes = 0;
            for rec in inputs {
                bytes += rec.len();
                // Parsed here when the workers leave it to this thread.
                let rec = if share.parse {
                    rec
                } else {
                    RawRecord::Ready(rec.into_record())
                };
                chunk.push(rec);
                if chunk.len() >= CHUNK_DOCUMENTS || bytes >= CHUNK_BYTES {
                    if tx.send(std::mem::take(&mut chunk)).is_err() {
                        return;
                    }
                    bytes = 0;
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(chunk);
            }
        })?;
    // A permit per chunk in flight, given back when the chunk is written.
    let in_flight = CHUNKS_IN_FLIGHT.max(2 * pool.current_num_threads());
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        permit_tx.send(())?;
    }
    let (done_tx, done_rx) = channel::<(usize, Vec<Processed>)>();
    let completed = std::thread::scope(|scope| -> anyhow::Result<bool> {
        scope.spawn(move || {
            pool.in_place_scope(|jobs| {
                for (index, chunk) in rx.into_iter().enumerate() {
                    if permit_rx.recv().is_err() {
                        return;
                    }
                    let done_tx = done_tx.clone();
                    jobs.spawn(move |_| {
                        let processed: Vec<Processed> = chunk
                            .into_iter()
                            .map(|rec| process(pipeline, window, share, rec))
                            .collect();
                        let _ = done_tx.send((index, processed));
                    });
                }
            });
        });
        // Dropped on an early return, which stops the thread above.
        let permit_tx = permit_tx;
        let mut waiting: BTreeMap<usize, Vec<Processed>> = BTreeMap::new();
        let mut next = 0;
        for (index, processed) in done_rx {
            waiting.insert(index, processed);
            while let Some(processed) = waiting.remove(&next) {
                next += 1;
                for p in processed {
                    if !each(p)? {
                        return Ok(false);
                    }
                }
                let _ = permit_tx.send(());
            }
        }
        Ok(true)
    })?;
    if completed && reader.join().is_err() {
        anyhow::bail!("the input reader failed");
    }
    Ok(completed)
}

/// The worker pool for `--threads` (default: the number of cores).
pub(super) fn worker_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("alam-worker-{i}"))
        .num_threads(threads.max(1))
        .build()
        .context("starting the worker threads")
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
            "csv,graph",
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
                html: false
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
        assert!(parse(&["x", "--window", "line"]).is_err());
        assert!(parse(&["x", "--format", "pdf"]).is_err());
        assert!(parse(&[]).is_err());
    }
}
