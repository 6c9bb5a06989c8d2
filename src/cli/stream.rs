//! `alam stream`: the mode for engines (Spark, shell pipelines). JSONL
//! documents on standard input, one JSON line per input line on standard
//! output, in input order; nothing but data on stdout, diagnostics on
//! stderr.
//!
//! Each output line is one input record:
//!
//! ```text
//! {"doc_id", "source", "status", "message", "chars", "window", "windows",
//!  "mentions": [... the records of mentions.jsonl ...],
//!  "entities": [{"entity_id", "type", "name", "name_ar", "mentions", "windows"}],
//!  "pairs": [{"source_id", "target_id", "windows",
//!             "example": {"doc_id", "text", "marks"}}]}
//! ```
//!
//! `windows` is the document's number of windows of the chosen kind;
//! `pairs` are the document's co-occurring entity pairs (smaller id first)
//! with their window counts and the first window where they co-occur.
//! `alam merge` reads these lines back (files ending in `.jsonl`) and
//! gives the tables `alam extract` gives for the same documents.
//! With `--strict`, the first error record stops the run with exit code 1
//! and its document id on stderr. Memory: a few chunks of documents.

use std::io::Write;
use std::process::ExitCode;

use alam::Pipeline;
use alam::cooccur::{EntityPair, Evidence, Example, WindowKind};
use alam::input::{InputOptions, Inputs, Status, StdinFormat};
use alam::output::json::MentionRecord;
use anyhow::Context;
use serde::Serialize;

use super::GazetteerArgs;
use super::extract::{
    ProcessArgs, Processed, entity_info, for_each_processed, window_range, worker_pool,
};

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

#[derive(Serialize)]
struct Line<'a> {
    doc_id: &'a str,
    source: &'a str,
    status: &'static str,
    message: &'a str,
    chars: usize,
    window: &'static str,
    windows: u64,
    mentions: Vec<MentionRecord<'a>>,
    entities: Vec<EntityLine<'a>>,
    pairs: Vec<PairLine<'a>>,
}

#[derive(Serialize)]
struct EntityLine<'a> {
    entity_id: &'a str,
    #[serde(rename = "type")]
    entity_type: String,
    name: String,
    name_ar: String,
    mentions: u64,
    windows: u64,
}

#[derive(Serialize)]
struct PairLine<'a> {
    source_id: &'a str,
    target_id: &'a str,
    windows: u64,
    example: ExampleLine,
}

#[derive(Serialize)]
struct ExampleLine {
    doc_id: String,
    text: String,
    marks: [(usize, usize); 2],
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let gaz = args.gazetteer.load()?;
    let pipeline = Pipeline::new(&gaz).context("the gazetteer cannot be used")?;
    let pool = worker_pool(args.process.threads)?;
    let options = InputOptions {
        id_field: args.process.id_field.clone(),
        text_fields: args.process.text_field.clone(),
        stdin_format: StdinFormat::Jsonl,
    };
    let inputs = Inputs::new(&["-".to_string()], options);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let completed = for_each_processed(&pipeline, &pool, args.process.window, inputs, |p| {
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
        write_line(&mut out, &p, args.process.window, &gaz)?;
        Ok(true)
    })?;
    out.flush()?;
    Ok(if completed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_line(
    out: &mut impl Write,
    p: &Processed,
    window: WindowKind,
    gaz: &alam::Gazetteer,
) -> anyhow::Result<()> {
    let doc = &p.record.document;
    let entities = p
        .counts
        .entities()
        .iter()
        .map(|(id, mentions, windows)| {
            let info = entity_info(gaz, id);
            EntityLine {
                entity_id: id,
                entity_type: info.kind,
                name: info.name,
                name_ar: info.name_ar,
                mentions: *mentions,
                windows: *windows,
            }
        })
        .collect();
    let example = |_: &EntityPair, ev: &Evidence| {
        let range = window_range(&p.windows, window, ev.window, doc.text.len());
        Example::new(&doc.id, &doc.text, range, ev.a.clone(), ev.b.clone())
    };
    let pairs = p
        .counts
        .pairs()
        .iter()
        .map(|(pair, windows, ev)| {
            let e = example(pair, ev);
            PairLine {
                source_id: &pair.0,
                target_id: &pair.1,
                windows: *windows,
                example: ExampleLine {
                    doc_id: e.doc_id,
                    text: e.text,
                    marks: e.marks,
                },
            }
        })
        .collect();
    let line = Line {
        doc_id: &doc.id,
        source: &p.record.source,
        status: p.record.status.as_str(),
        message: &p.record.message,
        chars: p.chars,
        window: window.as_str(),
        windows: p.counts.windows(),
        mentions: p.mentions.iter().map(MentionRecord::from).collect(),
        entities,
        pairs,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")?;
    Ok(())
}
