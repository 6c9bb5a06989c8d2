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
//!  "entities": [{"entity_id", "type", "name", "name_ar", "mentions", "windows",
//!                "attributes": {...} (only when the gazetteer row has extra columns)}],
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

use alam::cooccur::{DocumentCounts, Example, WindowKind, discovered_example};
use alam::input::{InputOptions, Inputs, Status, StdinFormat};
use alam::output::json::{ExampleRecord, MentionRecord, StreamEntity, StreamLine, StreamPair};
use std::borrow::Cow;

use super::GazetteerArgs;
use super::extract::{
    ProcessArgs, Processed, WorkerShare, entity_info, for_each_processed, mention_window,
    window_range, worker_pool,
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

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let gaz = args.gazetteer.load()?;
    let pipeline = args.gazetteer.pipeline(&gaz, args.process.discover)?;
    let pool = worker_pool(args.process.threads)?;
    let options = InputOptions {
        id_field: args.process.id_field.clone(),
        text_fields: args.process.text_field.clone(),
        stdin_format: StdinFormat::Jsonl,
    };
    let inputs = Inputs::new(&["-".to_string()], options);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let share = WorkerShare::of(pool.current_num_threads(), None);
    let completed = for_each_processed(
        &pipeline,
        &pool,
        args.process.window,
        share,
        inputs,
        |mut p| {
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
            p.count(args.process.window);
            let counts = p.counts.take().unwrap_or_default();
            write_line(&mut out, &p, &counts, args.process.window, &gaz)?;
            Ok(true)
        },
    )?;
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
    counts: &DocumentCounts,
    window: WindowKind,
    gaz: &alam::Gazetteer,
) -> anyhow::Result<()> {
    let doc = &p.record.document;
    let entities = counts
        .entities()
        .iter()
        .map(|(id, mentions, windows)| {
            let info = entity_info(gaz, id);
            let example = alam::discover::is_discovered_id(id)
                .then(|| p.mentions.iter().find(|m| &m.entity_id == id))
                .flatten()
                .map(|m| {
                    let range = mention_window(&p.windows, window, m, doc.text.len());
                    Cow::Owned(discovered_example(&doc.text, range, m))
                });
            StreamEntity {
                example,
                entity_id: Cow::Borrowed(id),
                entity_type: Cow::Owned(info.kind),
                name: Cow::Owned(info.name),
                name_ar: Cow::Owned(info.name_ar),
                attributes: alam::output::json::OrderedPairs(
                    info.attributes
                        .iter()
                        .map(|(c, v)| (c.to_string(), v.to_string()))
                        .collect(),
                ),
                mentions: *mentions,
                windows: *windows,
            }
        })
        .collect();
    let pairs = counts
        .pairs()
        .iter()
        .map(|(pair, windows, ev)| {
            let range = window_range(&p.windows, window, ev.window, doc.text.len());
            let e = Example::new(&doc.id, &doc.text, range, ev.a.clone(), ev.b.clone());
            StreamPair {
                source_id: Cow::Borrowed(&pair.0),
                target_id: Cow::Borrowed(&pair.1),
                windows: *windows,
                example: ExampleRecord {
                    doc_id: Cow::Owned(e.doc_id),
                    text: Cow::Owned(e.text),
                    marks: e.marks,
                },
            }
        })
        .collect();
    let line = StreamLine {
        doc_id: Cow::Borrowed(&doc.id),
        source: Cow::Borrowed(&p.record.source),
        status: Cow::Borrowed(p.record.status.as_str()),
        message: Cow::Borrowed(&p.record.message),
        chars: p.chars,
        window: Cow::Borrowed(window.as_str()),
        windows: counts.windows(),
        mentions: p.mentions.iter().map(MentionRecord::from).collect(),
        entities,
        pairs,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")?;
    Ok(())
}
