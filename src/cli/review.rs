//! `alam review DISCOVERED.csv -o DIR`: turn a reviewed `discovered.csv`
//! into a folder to pass back with `--add-gazetteer DIR` (see
//! `crate::review`): `DIR/candidates.csv` (gazetteer rows) and
//! `DIR/lexicon/rejected.csv` (the names discovery must not report).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::review::{candidates, read_discovered, rejected};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A discovered.csv written by alam extract, with the status column
    /// filled in (empty, accept or reject).
    #[arg(value_name = "DISCOVERED")]
    pub discovered: PathBuf,
    /// Folder to write candidates.csv and lexicon/rejected.csv into.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// Rows with an empty status need at least N mentions to become
    /// candidates (accepted rows always do).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_mentions: u64,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.discovered)
        .with_context(|| format!("{}: cannot open", args.discovered.display()))?;
    let rows = read_discovered(&args.discovered, std::io::BufReader::new(file))?;
    let cands = candidates(&rows, args.min_mentions);
    let rejects = rejected(&rows);
    std::fs::create_dir_all(args.output.join("lexicon"))
        .with_context(|| format!("creating {}", args.output.display()))?;

    let path = args.output.join("candidates.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("creating {}", path.display()))?;
    w.write_record([
        "id",
        "type",
        "name",
        "name_ar",
        "aliases",
        "weak_aliases",
        "demonyms",
        "country",
        "mentions",
        "documents",
        "rules",
        "example_doc",
        "example",
    ])?;
    for c in &cands {
        let (mentions, documents) = (c.row.mentions.to_string(), c.row.documents.to_string());
        w.write_record([
            c.id.as_str(),
            c.kind,
            &c.name,
            &c.name_ar,
            &c.aliases.join("|"),
            &c.weak_aliases.join("|"),
            "",
            "",
            &mentions,
            &documents,
            &c.row.rules,
            &c.row.example.0,
            &c.row.example.1,
        ])?;
    }
    w.flush()?;

    let path = args.output.join("lexicon").join("rejected.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("creating {}", path.display()))?;
    w.write_record(["form", "class", "count", "note"])?;
    for name in &rejects {
        w.write_record([name, "reject", "", "rejected in review"])?;
    }
    w.flush()?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "{} rows: {} candidates -> {}, {} rejected -> {}; pass the folder with --add-gazetteer {}",
        rows.len(),
        cands.len(),
        args.output.join("candidates.csv").display(),
        rejects.len(),
        path.display(),
        args.output.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
