//! `alam gazetteer check [DIR]`, `alam gazetteer lookup TEXT` and
//! `alam gazetteer export`.
//!
//! `check` loads a gazetteer folder (default: the built-in one) and prints
//! every problem as `file:line: error|warning: message`, then every alias
//! shared by several entities as `note: alias "..." names: id, id`, then
//! one summary line; then, for the built-in lists or a folder with a
//! `lexicon/` subfolder, the lexicon's problems (`file:line: error: ...`)
//! and a line of counts per class. Exit code 1 if there is an error.
//!
//! `export` prints every form of every entity as TSV with a header:
//! `entity_id, type, form, alias, normalized` (tabs and line ends inside a
//! form become spaces), for benchmarks and other tools.
//!
//! `lookup` prints what TEXT normalizes to, the entities that have exactly
//! that form, and the mentions found when TEXT is read as running text
//! (so clitics such as وروسيا or بالكويت are resolved as in `extract`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::{Document, Gazetteer, Pipeline, Severity, normalize_str};

use super::GazetteerArgs;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a gazetteer folder: errors, warnings, shared aliases, counts.
    Check {
        /// The folder of CSV files (default: the built-in gazetteers).
        dir: Option<PathBuf>,
        /// Also check these folders, loaded after DIR. Repeatable.
        #[arg(long = "add-gazetteer", value_name = "DIR")]
        add: Vec<PathBuf>,
    },
    /// Print every form of every entity as TSV: entity_id, type, form
    /// (name, alias, demonym, weak), the form as written, and normalized.
    Export {
        #[command(flatten)]
        gazetteer: GazetteerArgs,
    },
    /// Show the normalized form of TEXT and the entities it names.
    Lookup {
        /// An alias or a short text, e.g. "بالكويت" or "Putin".
        text: String,
        /// Read TEXT as `extract --fuzzy` does, and list the forms one
        /// edit away from its words, each accepted or refused, and why.
        #[arg(long)]
        fuzzy: bool,
        #[command(flatten)]
        gazetteer: GazetteerArgs,
    },
}

/// Runs the command, its output on a buffered stdout: a closed pipe
/// (`alam gazetteer check | head -1`) ends it as an `io::Error` that
/// `main` turns into a quiet exit, never a panic.
pub fn run(cmd: &Command) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = run_to(cmd, &mut out)?;
    out.flush()?;
    Ok(code)
}

fn run_to(cmd: &Command, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Check { dir, add } => {
            let args = GazetteerArgs {
                gazetteer: dir.clone(),
                add: add.clone(),
            };
            let code = check(&args.load()?, out)?;
            let own_lexicon = dir.as_ref().is_none_or(|d| d.join("lexicon").is_dir())
                || add.iter().any(|d| d.join("lexicon").is_dir());
            if !own_lexicon {
                return Ok(code);
            }
            let lexicon_code = check_lexicon(&args.load_lexicon()?, out)?;
            Ok(if lexicon_code == ExitCode::SUCCESS {
                code
            } else {
                lexicon_code
            })
        }
        Command::Lookup {
            text,
            fuzzy,
            gazetteer,
        } => lookup(&gazetteer.load()?, text, *fuzzy, out),
        Command::Export { gazetteer } => export(&gazetteer.load()?, out),
    }
}

fn check(gaz: &Gazetteer, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let diagnostics = gaz.diagnostics();
    for d in &diagnostics {
        writeln!(out, "{d}")?;
    }
    let ambiguities = gaz.ambiguities();
    for a in &ambiguities {
        writeln!(
            out,
            "note: alias {:?} names: {}",
            a.alias,
            a.entity_ids.join(", ")
        )?;
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    let mut forms = 0;
    for e in gaz.entities() {
        *by_type.entry(e.kind.as_str()).or_default() += 1;
        forms += e.forms().count();
    }
    let types: Vec<String> = by_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
    writeln!(
        out,
        "{} entities ({}), {forms} forms, {errors} errors, {warnings} warnings, \
         {} shared aliases, content hash {}",
        gaz.entities().len(),
        types.join(", "),
        ambiguities.len(),
        gaz.content_hash()
    )?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the lexicon's problems and a line of counts per class; exit
/// code 1 if there is an error.
fn check_lexicon(lex: &crate::Lexicon, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    for d in lex.diagnostics() {
        writeln!(out, "{d}")?;
    }
    let counts: Vec<String> = lex
        .class_counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| format!("{n} {c}"))
        .collect();
    let errors = lex.diagnostics().len();
    writeln!(
        out,
        "lexicon: {} forms ({}), {errors} errors",
        lex.len(),
        counts.join(", ")
    )?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn export(gaz: &Gazetteer, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    writeln!(out, "entity_id\ttype\tform\talias\tnormalized")?;
    for e in gaz.entities() {
        for (text, form) in e.forms() {
            let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                e.id,
                e.kind,
                form.as_str(),
                clean(text),
                clean(normalize_str(text).trim())
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lookup(
    gaz: &Gazetteer,
    text: &str,
    fuzzy: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let norm = normalize_str(text);
    writeln!(out, "normalized: {norm}")?;
    let key = norm.trim();
    let mut exact = 0;
    for e in gaz.entities() {
        for (form_text, form) in e.forms() {
            if normalize_str(form_text).trim() == key {
                writeln!(
                    out,
                    "form: {}\t{}\t{}\t{} {:?}",
                    e.id,
                    e.kind,
                    e.name,
                    form.as_str(),
                    form_text
                )?;
                exact += 1;
            }
        }
    }
    if exact == 0 {
        writeln!(out, "form: (no entity has exactly this form)")?;
    }
    let pipeline = Pipeline::builder(gaz).fuzzy(fuzzy).build()?;
    let mentions = pipeline.extract(&Document::new("lookup", text));
    if mentions.is_empty() {
        writeln!(out, "mention: (none found in the text)")?;
    }
    for m in mentions {
        let mut line = format!(
            "mention: {}\t{}\t{}\tsurface {:?} prefix {:?} chars {}..{}\t{}",
            m.entity_id,
            m.entity_type,
            m.name,
            m.surface,
            m.prefix,
            m.start,
            m.end,
            m.form.as_str()
        );
        if let Some(matched) = &m.matched {
            line.push_str(&format!(" {matched:?}"));
        }
        if m.ambiguous {
            let alts: Vec<&str> = m.alternatives.iter().map(|a| a.as_ref()).collect();
            line.push_str(&format!("\tambiguous, also: {}", alts.join(", ")));
        }
        writeln!(out, "{line}")?;
    }
    if fuzzy {
        let candidates = pipeline.fuzzy_candidates(text);
        if candidates.is_empty() {
            writeln!(
                out,
                "fuzzy: (no form one edit away from a word without an exact match)"
            )?;
        }
        for c in candidates {
            writeln!(
                out,
                "fuzzy: {:?} prefix {:?} ~ {:?} ({})\t{}\t{}",
                c.word,
                c.prefix,
                c.form,
                c.entity_ids.join(", "),
                c.edit,
                match c.refused {
                    None => "accepted".to_string(),
                    Some(why) => format!("refused: {why}"),
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
