//! `alam report DIR [-o FILE]`: build `report.html` from an existing
//! output folder (of `alam extract` or `alam merge`).
//!
//! Reads `summary.json`, `entities.csv`, `cooccurrence.csv` and, when
//! present, `cooccurrence.json` (for the example sentences). Writes
//! `DIR/report.html` unless `-o` names another file. The page is
//! self-contained (see `crate::output::html`). Memory: the tables of DIR.
//!
//! DIR must hold a finished run whose tables are the ones its
//! `summary.json` lists (same sizes); a folder without `summary.json`, or
//! one that mixes two runs' files, is refused. Writing into DIR, the
//! command holds DIR's lock, as `extract` and `merge` do.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::output::AtomicFile;
use crate::output::folder::FolderLock;
use crate::output::html::write_report;
use crate::output::{lists_files, read_part};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An output folder of alam extract or alam merge.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the page [default: DIR/report.html].
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| args.dir.join("report.html"));
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .context("the output must be a file name")?
        .to_string_lossy()
        .into_owned();
    // Writing into the folder read: locked, so that no run replaces its
    // tables meanwhile.
    let _lock = match (
        std::fs::canonicalize(&dir),
        std::fs::canonicalize(&args.dir),
    ) {
        (Ok(a), Ok(b)) if a == b => Some(FolderLock::acquire(&args.dir)?),
        _ => None,
    };
    let (summary, agg) = read_part(&args.dir)?;
    if !lists_files(&summary) {
        eprintln!(
            "{}: summary.json lists no files (an older alam wrote it, or another tool): its tables are not checked against it",
            args.dir.display()
        );
    }
    if !args.dir.join("cooccurrence.json").exists() {
        eprintln!(
            "{}: no cooccurrence.json (run extract with --format csv,json): the report has no example sentences",
            args.dir.display()
        );
    }
    let file =
        AtomicFile::create(&dir, &name).with_context(|| format!("writing {}", target.display()))?;
    let (entities, pairs) = (agg.entities_sorted(), agg.pairs_sorted(summary.min_count));
    write_report(file, &agg, &summary, &entities, &pairs)?.commit()?;
    Ok(ExitCode::SUCCESS)
}
