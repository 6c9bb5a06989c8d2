//! `alam extract [INPUT ...]`: find the mentions in documents and write
//! tables into a folder.
//!
//! Inputs: plain text files (one document each, id = the path as given) or
//! `-` for standard input. Outputs in `-o DIR` (default `output/`):
//! `mentions.csv` (doc_id, entity_id, type, name, surface, start, end,
//! sentence, paragraph, form, ambiguous) and `mentions.jsonl` (one line per
//! document). Memory: one document at a time plus the gazetteer automaton.
//!
//! An unreadable input is reported on stderr as `PATH: reason`; the run
//! goes on and exits with code 1 at the end.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use alam::Pipeline;
use alam::output::{AtomicFile, MentionsCsv, MentionsJsonl};
use anyhow::Context;

use super::GazetteerArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files to read, or - for standard input.
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
    /// Print nothing on stderr but errors.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let gaz = args.gazetteer.load()?;
    for d in gaz.diagnostics() {
        if d.severity == alam::Severity::Error {
            eprintln!("{d}");
        }
    }
    let pipeline = Pipeline::new(&gaz).context("the gazetteer cannot be used")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut csv = MentionsCsv::new(AtomicFile::create(&args.output, "mentions.csv")?)?;
    let mut jsonl = MentionsJsonl::new(AtomicFile::create(&args.output, "mentions.jsonl")?);
    let (mut documents, mut mentions_total, mut failed, mut bytes) = (0, 0, 0, 0);
    let mut entities = std::collections::HashSet::new();
    for input in &args.inputs {
        let read = match alam::input::read_text(input) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
                continue;
            }
        };
        if let Some(w) = &read.warning {
            eprintln!("{w}");
        }
        let doc = &read.document;
        let mentions = pipeline.extract(doc);
        csv.write(doc, &mentions)?;
        jsonl.write(doc, &mentions)?;
        documents += 1;
        bytes += doc.text.len();
        mentions_total += mentions.len();
        entities.extend(mentions.iter().map(|m| m.entity_id.clone()));
    }
    csv.finish()?.commit()?;
    jsonl.finish()?.commit()?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{documents} documents, {failed} errors, {mentions_total} mentions, \
             {} entities, {:.2} s, {:.1} MB/s -> {}",
            entities.len(),
            secs,
            bytes as f64 / 1e6 / secs.max(1e-9),
            args.output.display()
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
