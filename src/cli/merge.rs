//! `alam merge PART_DIR ... -o DIR`: sum the results of several runs
//! (shards of one batch) into the tables one run over all their inputs
//! would give.
//!
//! The parts are either `alam stream` output files (JSONL, one line per
//! document: every table is rebuilt from them, in the order of the files
//! and lines), or output folders. Each output folder is the output folder
//! of an `alam extract` (or of an earlier merge) written with `--min-count 1` and without `--excel`, in a
//! format that includes csv. Entity and pair counts are summed and NPMI is
//! recomputed from the sums; `documents.csv`, `mentions.csv` and
//! `mentions.jsonl` are concatenated in the order the parts are given (give
//! them in input order to get the single run's files byte for byte).
//! A per-document file that no part has is not written (parts that hold
//! only the tables, as a Spark reduce writes them, merge into tables).
//! `--min-count`, `--format` and `--excel` apply to the merged output;
//! with `--format xlsx`, the workbook's `documents` and `mentions` sheets
//! are filled from the parts' `documents.csv` and `mentions.csv` (a count
//! that is not a number there is reported as `FILE:LINE`).
//! Memory: the aggregates of all parts; rows are streamed.
//!
//! Refused: a folder without `summary.json` (its run did not finish), a
//! file whose size differs from the one `summary.json` lists (it comes from
//! another run), and a part given twice (the same path, or two folders
//! with the same `run_id`), naming both arguments. A folder whose
//! `summary.json` lists no files (an older alam's) is merged with a
//! warning. The output folder is written as `extract` writes one (see
//! `crate::output::folder`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cooccur::{Aggregates, EntityPair, Evidence};
use crate::input::Status;
use crate::output::csv::{DOCUMENTS_HEADER, MENTIONS_HEADER};
use crate::output::{
    CsvStyle, CsvTable, DocumentWriters, Formats, OutputFolder, RunSummary, XlsxBook, finish_run,
    write_tables, write_tables_and_book,
};
use crate::output::{
    PER_DOCUMENT_FILES, append_file, check_files, check_mergeable, lists_files, parse_stream_line,
    read_part,
};
use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folders of partial runs, in input order.
    #[arg(value_name = "PART_DIR", required = true)]
    pub parts: Vec<PathBuf>,
    /// Folder to write the merged tables into (created if missing).
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
    /// Output formats, comma-separated: csv, json, graph, html, xlsx, neo4j.
    #[arg(long, value_name = "LIST", default_value = "csv,json", value_parser = Formats::parse)]
    pub format: Formats,
    /// Drop pairs that co-occur in fewer than N windows.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_count: u64,
    /// Write CSV for Excel: UTF-8 BOM, CRLF, formula-like cells prefixed with '.
    #[arg(long)]
    pub excel: bool,
    /// For alam stream files whose lines carry dates (alam stream
    /// --date-field): count by period too, of day, week or month. Output
    /// folders carry their own periods: not allowed with them.
    #[arg(long, value_name = "PERIOD", value_parser = super::extract::parse_bucket)]
    pub bucket: Option<crate::period::Bucket>,
    /// Threads for writing the tables, at least 1 as for extract
    /// [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = super::extract::parse_threads)]
    pub threads: Option<usize>,
    /// No summary line.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Runs the merge on a pool of `--threads` threads, which bounds the
/// table writing (it sorts and renders on the pool it runs on).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("alam-merge-{i}"))
        .num_threads(threads.max(1))
        .build()
        .context("starting the threads")?;
    pool.install(|| run_on_pool(args))
}

fn run_on_pool(args: &Args) -> anyhow::Result<ExitCode> {
    refuse_repeated_paths(&args.parts)?;
    let files = args.parts.iter().filter(|p| p.is_file()).count();
    if files == args.parts.len() {
        return merge_streams(args);
    }
    if files > 0 {
        bail!("give either output folders or alam stream files to merge, not both");
    }
    if args.bucket.is_some() {
        bail!(
            "--bucket is for alam stream files: output folders keep the periods they were counted in"
        );
    }
    let mut parts = args.parts.iter();
    let first = parts.next().context("no part given")?;
    let (mut summary, mut agg) = read_part(first)?;
    check_part(first, &summary)?;
    let mut run_ids = vec![(first, summary.run_id.clone())];
    for dir in parts {
        let (s, a) = read_part(dir)?;
        check_part(dir, &s)?;
        if let Some((other, id)) = run_ids
            .iter()
            .find(|(_, id)| !id.is_empty() && *id == s.run_id)
        {
            bail!(
                "{} and {} are the same part (run_id {id}): give each part once",
                other.display(),
                dir.display()
            );
        }
        run_ids.push((dir, s.run_id.clone()));
        match agg.merge(a) {
            Ok(()) => {}
            Err(crate::Error::BucketMismatch { ours, theirs }) => {
                let by = |b: Option<crate::period::Bucket>| {
                    b.map_or("not by period".to_string(), |b| {
                        format!("by {}", b.as_str())
                    })
                };
                bail!(
                    "{}: counted {}, but {} is counted {} (give every part the same --date-field and --bucket)",
                    dir.display(),
                    by(theirs),
                    first.display(),
                    by(ours)
                );
            }
            Err(crate::Error::WindowMismatch { ours, theirs }) => bail!(
                "{}: window {} differs from {}'s window {}",
                dir.display(),
                theirs.as_str(),
                first.display(),
                ours.as_str()
            ),
            Err(e) => return Err(e.into()),
        }
        summary += &s;
        if s.gazetteer != summary.gazetteer {
            summary.gazetteer = "mixed".to_string();
        }
    }
    summary.min_count = args.min_count;
    summary.excel = args.excel;
    summary.formats = args.format.names();
    summary.periods = crate::output::PeriodSummary::of(&agg);
    let folder = OutputFolder::open(&args.output)?;
    let style = CsvStyle { excel: args.excel };
    let have = [
        all_have(&args.parts, "documents.csv")?,
        all_have(&args.parts, "mentions.csv")?,
    ];
    // The `documents` and `mentions` sheets are filled from the parts'
    // CSV files, as the merged CSV files are.
    let per_document = have == [true, true];
    let mut book = match args.format.xlsx {
        true => Some(XlsxBook::create(folder.dir(), per_document)?),
        false => None,
    };
    for (have, name, header, input_cols) in [
        (have[0], "documents", &DOCUMENTS_HEADER[..], &[0, 1, 6][..]),
        (
            have[1],
            "mentions",
            &MENTIONS_HEADER[..],
            &[0, 1, 2, 3, 4][..],
        ),
    ] {
        let sheet = book.as_mut().filter(|_| per_document);
        if have && (args.format.csv || sheet.is_some()) {
            let table = CsvPart {
                name,
                header,
                input_cols,
            };
            concat_csv(&args.parts, &folder, &table, style, args.format.csv, sheet)?;
        }
    }
    if args.format.json && all_have(&args.parts, "mentions.jsonl")? {
        concat_lines(&args.parts, &folder, "mentions.jsonl")?;
    }
    match book {
        Some(book) => write_tables_and_book(folder, &agg, &summary, args.format, style, book)?,
        None => write_tables(folder, &agg, &summary, args.format, style)?,
    };
    print_summary(args, "parts", &summary, &agg);
    Ok(ExitCode::SUCCESS)
}

/// Refuses a part named twice (the same folder or file, by two names or
/// one), which would be counted twice.
fn refuse_repeated_paths(parts: &[PathBuf]) -> anyhow::Result<()> {
    let mut seen: Vec<(&PathBuf, PathBuf)> = Vec::new();
    for part in parts {
        // A missing part is reported when it is read.
        let Ok(real) = std::fs::canonicalize(part) else {
            continue;
        };
        if let Some((other, _)) = seen.iter().find(|(_, r)| *r == real) {
            bail!(
                "{} and {} are the same {}: give each part once",
                other.display(),
                part.display(),
                if real.is_dir() { "folder" } else { "file" }
            );
        }
        seen.push((part, real));
    }
    Ok(())
}

/// The checks of an output folder beyond [`read_part`]'s: it can be summed
/// with others, and its per-document files are its run's. A folder whose
/// summary.json lists no files (an older alam's) is merged with a warning.
fn check_part(dir: &Path, summary: &RunSummary) -> anyhow::Result<()> {
    match check_mergeable(dir, summary) {
        Ok(()) => {}
        // Today's messages, with the options that make a mergeable part.
        Err(crate::Error::NotMergeable { path, reason }) => {
            let why = match reason {
                crate::NotMergeable::MinCount(n) => format!(
                    "this part was written with --min-count {n}; merging needs every pair (--min-count 1)"
                ),
                crate::NotMergeable::Excel => {
                    "this part was written with --excel; merge parts written without it".to_string()
                }
            };
            bail!("{}: {why}", path.display());
        }
        Err(e) => return Err(e.into()),
    }
    check_files(dir, summary, PER_DOCUMENT_FILES)?;
    if !lists_files(summary) {
        eprintln!(
            "{}: summary.json lists no files (an older alam wrote it, or another tool): merged without checking that its files belong to its run",
            dir.display()
        );
    }
    Ok(())
}

/// Whether every part has the per-document file `name` (`false` when none
/// has it: tables-only parts, e.g. made by a Spark reduce); an error when
/// only some have it.
fn all_have(parts: &[PathBuf], name: &str) -> anyhow::Result<bool> {
    let have = parts.iter().filter(|p| p.join(name).is_file()).count();
    if have != 0 && have != parts.len() {
        bail!(
            "{name} is in {have} of the {} parts: give parts written with the same --format",
            parts.len()
        );
    }
    Ok(have == parts.len())
}

/// A per-document CSV table of the parts.
struct CsvPart<'a> {
    /// `documents` or `mentions` (the file is `NAME.csv`).
    name: &'a str,
    header: &'a [&'a str],
    /// The columns that come from input text or a gazetteer (for --excel).
    input_cols: &'a [usize],
}

/// Concatenates one CSV table of every part, checking its header, into
/// the output folder's CSV file (with `csv`) and into `book`'s sheet of
/// the same name.
fn concat_csv(
    parts: &[PathBuf],
    out: &OutputFolder,
    part: &CsvPart,
    style: CsvStyle,
    csv: bool,
    mut book: Option<&mut XlsxBook>,
) -> anyhow::Result<()> {
    let (name, header, input_cols) = (format!("{}.csv", part.name), part.header, part.input_cols);
    if csv && book.is_none() && !style.excel {
        // Parts written by alam without --excel: their rows as they are.
        let mut file = out.create(&name)?;
        writeln!(file, "{}", header.join(","))?;
        for dir in parts {
            append_file(&dir.join(&name), Some(header), &mut file)?;
        }
        file.commit()?;
        return Ok(());
    }
    let mut table = match csv {
        true => Some(CsvTable::new(out.create(&name)?, header, style)?),
        false => None,
    };
    for dir in parts {
        let path = dir.join(&name);
        let file = std::fs::File::open(&path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let mut rdr = csv::Reader::from_reader(file);
        let found: Vec<String> = rdr.headers()?.iter().map(String::from).collect();
        if found != header {
            bail!(
                "{}:1: unexpected header {}",
                path.display(),
                found.join(",")
            );
        }
        for rec in rdr.records() {
            let rec = rec.with_context(|| format!("{}: malformed row", path.display()))?;
            if let Some(book) = book.as_deref_mut() {
                book.write_csv_row(part.name, &rec).map_err(|e| {
                    let line = rec.position().map_or(0, |p| p.line());
                    anyhow::anyhow!("{}:{line}: {e}", path.display())
                })?;
            }
            let Some(table) = &mut table else {
                continue;
            };
            let row: Vec<std::borrow::Cow<str>> = rec
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if input_cols.contains(&i) {
                        style.cell(v)
                    } else {
                        v.into()
                    }
                })
                .collect();
            table.row(row.iter().map(|c| c.as_bytes()))?;
        }
    }
    if let Some(table) = table {
        table.finish()?.commit()?;
    }
    Ok(())
}

/// Concatenates a line-oriented file of every part.
fn concat_lines(parts: &[PathBuf], out: &OutputFolder, name: &str) -> anyhow::Result<()> {
    let mut file = out.create(name)?;
    for dir in parts {
        append_file(&dir.join(name), None, &mut file)?;
    }
    file.commit()?;
    Ok(())
}

/// Merges `alam stream` output files: every line is a document, in the
/// order of the files and of their lines.
fn merge_streams(args: &Args) -> anyhow::Result<ExitCode> {
    let folder = OutputFolder::open(&args.output)?;
    let style = CsvStyle { excel: args.excel };
    let mut writers = DocumentWriters::create(&folder, args.format, style)?;
    let mut agg: Option<Aggregates> = None;
    let mut summary = RunSummary {
        min_count: args.min_count,
        excel: args.excel,
        formats: args.format.names(),
        gazetteer: "stream".to_string(),
        ..RunSummary::default()
    };
    for path in &args.parts {
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line_no = i as u64 + 1;
            let line =
                line.with_context(|| format!("{}:{line_no}: cannot read", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let d = parse_stream_line(&line, path, line_no)?;
            let agg = agg.get_or_insert_with(|| Aggregates {
                bucket: args.bucket,
                ..Aggregates::new(d.window)
            });
            if d.window != agg.window {
                bail!(
                    "{}:{line_no}: window {} differs from the first line's window {}",
                    path.display(),
                    d.window.as_str(),
                    agg.window.as_str()
                );
            }
            writers.write(&d.record, d.chars, &d.mentions, d.infos.len())?;
            summary.count(d.record.status, d.mentions.len(), d.chars);
            if d.record.status != Status::Error {
                // Looked up by key: a document-window line can hold
                // thousands of pairs.
                let info = |id: &str| d.infos.get(id).cloned().unwrap_or_default();
                let example = |pair: &EntityPair, _: &Evidence| d.examples.get(pair).cloned();
                let date = d.record.document.date.as_deref();
                agg.add(d.counts, date, info, example);
                let examples = &d.discovered_examples;
                agg.add_discovered(&d.record.document.id, &d.mentions, |m| {
                    examples.get(m.entity_id.as_ref()).cloned()
                });
            }
        }
    }
    let agg = agg.unwrap_or_else(|| Aggregates {
        bucket: args.bucket,
        ..Aggregates::default()
    });
    summary.window = agg.window.as_str().to_string();
    summary.windows = agg.windows;
    summary.periods = crate::output::PeriodSummary::of(&agg);
    finish_run(writers, folder, &agg, &summary, args.format, style)?;
    print_summary(args, "stream files", &summary, &agg);
    Ok(ExitCode::SUCCESS)
}

/// The one-line summary on stderr (unless `--quiet`).
fn print_summary(args: &Args, what: &str, summary: &RunSummary, agg: &Aggregates) {
    if args.quiet {
        return;
    }
    eprintln!(
        "{} {what}, {} documents, {} mentions, {} entities, {} pairs, window {} -> {}",
        args.parts.len(),
        summary.documents,
        summary.mentions,
        agg.entities.len(),
        agg.pair_count(args.min_count),
        agg.window.as_str(),
        args.output.display()
    );
}
