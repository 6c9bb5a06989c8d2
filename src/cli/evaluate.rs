//! `alam evaluate GOLD.bio`: precision, recall and F1 per entity type on
//! annotated text, with the scoring convention of `crate::evaluate`.
//!
//! Prints a table per type and per rule; `--misses FILE` writes every wrong
//! prediction and every missed entity as TSV (doc, kind, type, surface,
//! rule, context) for a reader to look at.

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::evaluate::{Evaluation, GoldType, read_bio};
use crate::{Discovery, Document};
use anyhow::Context;
use rayon::prelude::*;

use super::GazetteerArgs;
use super::extract::parse_discovery;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated file in BIO format (`token TAG` lines, blank lines between
    /// sentences, optional -DOCSTART- lines between documents).
    #[arg(value_name = "GOLD")]
    pub gold: PathBuf,
    #[command(flatten)]
    pub gazetteer: GazetteerArgs,
    /// Discovery: off, high or on.
    #[arg(long, value_name = "MODE", default_value = "on", value_parser = parse_discovery)]
    pub discover: Discovery,
    /// Also find misspelled names (as `extract --fuzzy`).
    #[arg(long)]
    pub fuzzy: bool,
    /// Sentences per document when the file has no -DOCSTART- lines.
    #[arg(long, value_name = "N", default_value_t = Evaluation::SENTENCES_PER_DOCUMENT)]
    pub sentences_per_document: usize,
    /// Write the wrong predictions and the missed entities to FILE (TSV).
    #[arg(long, value_name = "FILE")]
    pub misses: Option<PathBuf>,
    /// Print the table as Markdown (for a README).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.gold)
        .with_context(|| format!("opening {}", args.gold.display()))?;
    let docs = read_bio(
        &args.gold,
        BufReader::new(file),
        args.sentences_per_document,
    )?;
    let gaz = args.gazetteer.load()?;
    let pipeline = args.gazetteer.pipeline(&gaz, args.discover, args.fuzzy)?;
    let keep = args.misses.is_some();
    let found: Vec<Vec<crate::Mention>> = docs
        .par_iter()
        .map(|d| pipeline.extract(&Document::new(d.id.clone(), d.text.clone())))
        .collect();
    let mut eval = Evaluation::default();
    for (doc, mentions) in docs.iter().zip(&found) {
        eval.add(doc, mentions, keep);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} documents, discovery {}{}",
        args.gold.display(),
        eval.documents,
        args.discover.as_str(),
        if args.fuzzy { ", fuzzy" } else { "" }
    )?;
    let (open, sep, close) = if args.markdown {
        ("| ", " | ", " |")
    } else {
        ("", "\t", "")
    };
    writeln!(
        out,
        "{open}type{sep}gold{sep}predicted{sep}precision{sep}recall{sep}f1{close}"
    )?;
    if args.markdown {
        writeln!(out, "|---|---|---|---|---|---|")?;
    }
    for t in GoldType::ALL {
        let s = eval.by_type.get(&t).copied().unwrap_or_default();
        writeln!(
            out,
            "{open}{}{sep}{}{sep}{}{sep}{:.3}{sep}{:.3}{sep}{:.3}{close}",
            t.as_str(),
            s.gold,
            s.predicted,
            s.precision(),
            s.recall(),
            s.f1()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{open}type{sep}rule or form{sep}predicted{sep}precision{close}"
    )?;
    if args.markdown {
        writeln!(out, "|---|---|---|---|")?;
    }
    for ((t, rule), s) in &eval.by_rule {
        writeln!(
            out,
            "{open}{}{sep}{rule}{sep}{}{sep}{:.3}{close}",
            t.as_str(),
            s.predicted,
            s.precision()
        )?;
    }
    if let Some(path) = &args.misses {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        writeln!(w, "doc\tkind\ttype\tsurface\trule\tcontext")?;
        for m in &eval.misses {
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}\t{}",
                m.doc_id,
                m.kind,
                m.gold_type.as_str(),
                m.surface.replace('\t', " "),
                m.rule,
                m.context.replace('\t', " ")
            )?;
        }
        w.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
