//! `alam stream`: the mode for engines (Spark, shell pipelines). JSONL
//! documents on standard input, one JSON line per input line on standard
//! output, in input order; nothing but data on stdout, diagnostics on
//! stderr.
//!
//! Each output line is one input record:
//!
//! ```text
//! {"doc_id", "source", "status", "message", "chars", "window", "windows",
//!  "date" (only with --date-field and a date: YYYY-MM-DD when it parses, else as written),
//!  "mentions": [... the records of mentions.jsonl ...],
//!  "entities": [{"entity_id", "type", "name", "name_ar", "mentions", "windows",
//!                "attributes": {...} (only when the gazetteer row has extra columns)}],
//!  "pairs": [{"source_id", "target_id", "windows",
//!             "relations": {KIND: windows}, "directed": {"KIND>" or "KIND<": windows}
//!                 (only when a relation trigger linked the pair),
//!             "example": {"doc_id", "text", "marks", "trigger" (when one fired)}}]}
//! ```
//!
//! `windows` is the document's number of windows of the chosen kind;
//! `pairs` are the document's co-occurring entity pairs (smaller id first)
//! with their window counts and the first window where they co-occur.
//! `alam merge` reads these lines back (files ending in `.jsonl`) and
//! gives the tables `alam extract` gives for the same documents
//! (`alam merge --bucket week` the tables by period too).
//! With `--strict`, the first error record stops the run with exit code 1
//! and its document id on stderr. Memory: a few chunks of documents.

use std::io::Write;
use std::process::ExitCode;

use crate::input::{DuplicateIds, Inputs, Status, StdinFormat};
use crate::output::json::StreamLine;

use super::GazetteerArgs;
use super::extract::ProcessArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub gazetteer: GazetteerArgs,
    #[command(flatten)]
    pub process: ProcessArgs,
    /// Stop with exit code 1 at the first input error.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (gaz, pipeline) = args
        .gazetteer
        .load_for_process(args.process.discover, args.process.fuzzy)?;
    let batch = args.process.batch(pipeline, &args.gazetteer)?;
    let options = args.process.input_options(StdinFormat::Jsonl);
    let inputs = Inputs::new(&["-".to_string()], options);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let window = args.process.window;
    let mut duplicates = DuplicateIds::new();
    let completed = batch.for_each(inputs, |mut p| -> anyhow::Result<bool> {
        duplicates.check(&mut p.record);
        if !p.record.message.is_empty() {
            eprintln!("{}", p.record.message);
        }
        if p.record.status == Status::Error && args.strict {
            eprintln!(
                "alam: --strict: stopping at the first error ({})",
                p.record.document.id
            );
            return Ok(false);
        }
        let counts = p.take_counts(window);
        let line = StreamLine::of(&p, &counts, window, gaz);
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
        Ok(true)
    })?;
    out.flush()?;
    Ok(if completed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
