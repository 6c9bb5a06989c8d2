//! `alam merge PART_DIR ... -o DIR`: sum the results of several runs
//! (shards of one batch) into the tables one run over all their inputs
//! would give.
//!
//! Each PART_DIR is the output folder of an `alam extract` (or of an
//! earlier merge) written with `--min-count 1` and without `--excel`, in a
//! format that includes csv. Entity and pair counts are summed and NPMI is
//! recomputed from the sums; `documents.csv`, `mentions.csv` and
//! `mentions.jsonl` are concatenated in the order the parts are given (give
//! them in input order to get the single run's files byte for byte).
//! `--min-count`, `--format` and `--excel` apply to the merged output.
//! Memory: the aggregates of all parts; rows are streamed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alam::cooccur::WindowKind;
use alam::merge::{check_mergeable, read_part};
use alam::output::csv::{DOCUMENTS_HEADER, MENTIONS_HEADER};
use alam::output::{AtomicFile, CsvStyle, Formats, write_tables};
use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folders of partial runs, in input order.
    #[arg(value_name = "PART_DIR", required = true)]
    pub parts: Vec<PathBuf>,
    /// Folder to write the merged tables into (created if missing).
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
    /// Output formats, comma-separated: csv, json, graph, html.
    #[arg(long, value_name = "LIST", default_value = "csv,json", value_parser = Formats::parse)]
    pub format: Formats,
    /// Drop pairs that co-occur in fewer than N windows.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_count: u64,
    /// Write CSV for Excel: UTF-8 BOM, CRLF, formula-like cells prefixed with '.
    #[arg(long)]
    pub excel: bool,
    /// No summary line.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut parts = args.parts.iter();
    let first = parts.next().context("no part given")?;
    let (mut summary, mut agg) = read_part(first)?;
    check_mergeable(first, &summary)?;
    for dir in parts {
        let (s, a) = read_part(dir)?;
        check_mergeable(dir, &s)?;
        if a.window != agg.window {
            bail!(
                "{}: window {} differs from {}'s window {}",
                dir.display(),
                a.window.as_str(),
                first.display(),
                agg.window.as_str()
            );
        }
        summary.documents += s.documents;
        summary.errors += s.errors;
        summary.warnings += s.warnings;
        summary.mentions += s.mentions;
        summary.windows += s.windows;
        summary.chars += s.chars;
        if s.gazetteer != summary.gazetteer {
            summary.gazetteer = "mixed".to_string();
        }
        agg.merge(a);
    }
    summary.min_count = args.min_count;
    summary.excel = args.excel;
    summary.formats = args.format.names();
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let style = CsvStyle { excel: args.excel };
    if args.format.csv {
        concat_csv(
            &args.parts,
            &args.output,
            "documents.csv",
            &DOCUMENTS_HEADER,
            &[0, 1, 6],
            style,
        )?;
        concat_csv(
            &args.parts,
            &args.output,
            "mentions.csv",
            &MENTIONS_HEADER,
            &[0, 4],
            style,
        )?;
    }
    if args.format.json {
        concat_lines(&args.parts, &args.output, "mentions.jsonl")?;
    }
    write_tables(&args.output, &agg, &summary, args.format, style)?;
    if !args.quiet {
        eprintln!(
            "{} parts, {} documents, {} mentions, {} entities, {} pairs, window {} -> {}",
            args.parts.len(),
            summary.documents,
            summary.mentions,
            agg.entities.len(),
            agg.pairs_sorted(args.min_count).len(),
            WindowKind::as_str(agg.window),
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Concatenates one CSV table of every part, checking its header;
/// `input_cols` are the columns that come from input text (for --excel).
fn concat_csv(
    parts: &[PathBuf],
    out: &Path,
    name: &str,
    header: &[&str],
    input_cols: &[usize],
    style: CsvStyle,
) -> anyhow::Result<()> {
    let mut writer = style.writer(AtomicFile::create(out, name)?)?;
    writer.write_record(header)?;
    for dir in parts {
        let path = dir.join(name);
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
            writer.write_record(row.iter().map(|c| c.as_ref()))?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .commit()?;
    Ok(())
}

/// Concatenates a line-oriented file of every part.
fn concat_lines(parts: &[PathBuf], out: &Path, name: &str) -> anyhow::Result<()> {
    let mut file = AtomicFile::create(out, name)?;
    for dir in parts {
        let path = dir.join(name);
        let f = std::fs::File::open(&path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        for line in BufReader::new(f).lines() {
            let line = line.with_context(|| format!("{}: cannot read", path.display()))?;
            writeln!(file, "{line}")?;
        }
    }
    file.commit()?;
    Ok(())
}
