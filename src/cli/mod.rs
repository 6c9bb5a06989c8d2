//! Command-line interface: one file per subcommand.

mod evaluate;
mod extract;
mod gazetteer;
mod merge;
mod report;
mod review;
mod stream;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// Find people, countries, organizations and cities in news articles
/// (Arabic and English) and write entity tables.
#[derive(Debug, Parser)]
#[command(
    name = "alam",
    about,
    disable_version_flag = true,
    arg_required_else_help = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Print the version and the content hash of the gazetteer (the
    /// built-in one, or the one -g / --add-gazetteer name).
    #[arg(short = 'V', long = "version")]
    version: bool,
    /// The gazetteer whose hash `--version` prints.
    #[command(flatten)]
    version_gazetteer: VersionGazetteerArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `-g DIR` / `--add-gazetteer DIR` beside `--version` (only there: the
/// subcommands have their own).
#[derive(Debug, Args, Clone, Default)]
struct VersionGazetteerArgs {
    /// With --version: the gazetteer CSV files in DIR instead of the
    /// built-in ones.
    #[arg(
        short = 'g',
        long = "gazetteer",
        value_name = "DIR",
        requires = "version"
    )]
    gazetteer: Option<PathBuf>,
    /// With --version: add the gazetteer CSV files in DIR. Repeatable.
    #[arg(long = "add-gazetteer", value_name = "DIR", requires = "version")]
    add: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract mentions from documents and write tables into a folder.
    Extract(extract::Args),
    /// Precision, recall and F1 per type on an annotated BIO file.
    Evaluate(evaluate::Args),
    /// Check a gazetteer, or look up what a text names.
    #[command(subcommand)]
    Gazetteer(gazetteer::Command),
    /// Sum partial runs (output folders or alam stream files) into one.
    Merge(merge::Args),
    /// Build report.html (network, top entities, pairs with examples) from an output folder.
    Report(report::Args),
    /// Turn a reviewed discovered.csv into gazetteer rows and rejected names.
    Review(review::Args),
    /// JSONL documents on stdin, one JSON line of results per document on stdout (for Spark and pipes).
    Stream(stream::Args),
}

/// `alam --version` (or `-V`), with `-g DIR` / `--add-gazetteer DIR`:
/// prints the version and the content hash of the gazetteer those options
/// name, so a cluster run can record which lists produced its tables.
fn print_version(args: &VersionGazetteerArgs) -> anyhow::Result<ExitCode> {
    let gaz = GazetteerArgs {
        gazetteer: args.gazetteer.clone(),
        add: args.add.clone(),
    };
    let g = gaz.load()?;
    println!(
        "alam {} (gazetteer {})",
        env!("CARGO_PKG_VERSION"),
        gaz.label(&g)
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let Some(command) = cli.command else {
        if cli.version {
            return print_version(&cli.version_gazetteer);
        }
        // Unreachable through clap (a subcommand or --version is required),
        // but a usage error rather than a panic if it ever is.
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingSubcommand,
                "a subcommand or --version is required",
            )
            .exit();
    };
    if matches!(command, Command::Extract(_) | Command::Merge(_)) {
        stop_cleanly_on_interrupt()?;
    }
    match command {
        Command::Extract(args) => extract::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Gazetteer(cmd) => gazetteer::run(&cmd),
        Command::Merge(args) => merge::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Stream(args) => stream::run(&args),
    }
}

/// How many of the gazetteer's warnings a run prints.
const SHOWN_WARNINGS: usize = 5;
/// Ctrl-C (SIGINT) while a command writes an output folder: the staging
/// folder of the run is removed, so the folder keeps its earlier run, and
/// alam exits with 130 (128 + SIGINT), as a shell reports a process that
/// SIGINT ended. A process that was started with SIGINT ignored (a
/// background job of a script, `nohup`) keeps ignoring it.
fn stop_cleanly_on_interrupt() -> anyhow::Result<()> {
    if sigint_ignored() {
        return Ok(());
    }
    ctrlc::set_handler(|| {
        let dirs = crate::output::folder::abandon_runs();
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        if dirs.is_empty() {
            eprintln!("alam: interrupted");
        } else {
            eprintln!(
                "alam: interrupted: {} keeps the files of its earlier run",
                dirs.join(", ")
            );
        }
        std::process::exit(130);
    })
    .context("installing the Ctrl-C handler")
}

/// Whether SIGINT was ignored when the process started.
#[cfg(unix)]
fn sigint_ignored() -> bool {
    // SAFETY: with a null new action, sigaction only reads the current
    // one into `old`, a plain C struct for which zeroes are valid.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(not(unix))]
fn sigint_ignored() -> bool {
    false
}

/// Which gazetteer to use: the built-in one, replaced or extended.
#[derive(Debug, Args, Clone, Default)]
pub struct GazetteerArgs {
    /// Use the gazetteer CSV files in DIR instead of the built-in default
    /// gazetteers.
    #[arg(short = 'g', long = "gazetteer", value_name = "DIR")]
    pub gazetteer: Option<PathBuf>,
    /// Add the gazetteer CSV files in DIR after the default (or -g) ones.
    /// Repeatable.
    #[arg(long = "add-gazetteer", value_name = "DIR")]
    pub add: Vec<PathBuf>,
}

impl GazetteerArgs {
    /// Where the gazetteer comes from and its content hash, e.g.
    /// `builtin 3f2a9c1e0b7d4411`.
    pub fn label(&self, gaz: &crate::Gazetteer) -> String {
        let mut parts = vec![match &self.gazetteer {
            Some(dir) => dir.display().to_string(),
            None => "builtin".to_string(),
        }];
        parts.extend(self.add.iter().map(|d| format!("+{}", d.display())));
        format!("{} {}", parts.join(" "), gaz.content_hash())
    }

    /// The discovery lexicon these options name (see
    /// `Lexicon::for_gazetteer`).
    pub fn load_lexicon(&self) -> anyhow::Result<crate::Lexicon> {
        Ok(crate::Lexicon::for_gazetteer(
            self.gazetteer.as_deref(),
            &self.add,
        )?)
    }

    /// The pipeline over `gaz` with this discovery mode, fuzzy matching
    /// or not, and these options' lexicon.
    pub fn pipeline(
        &self,
        gaz: &crate::Gazetteer,
        discovery: crate::Discovery,
        fuzzy: bool,
    ) -> anyhow::Result<crate::Pipeline> {
        self.print_warnings(gaz);
        let mut builder = crate::Pipeline::builder(gaz)
            .discovery(discovery)
            .fuzzy(fuzzy);
        if discovery != crate::Discovery::Off {
            builder = builder.lexicon(self.load_lexicon()?);
        }
        builder.build().context("the gazetteer cannot be used")
    }

    /// The gazetteer and its pipeline for a command that runs once and
    /// exits (`extract`, `stream`): never freed, since the process ends
    /// after the run, and freeing them one allocation at a time cost 35M
    /// instructions (2% of a one-document run).
    pub fn load_for_process(
        &self,
        discovery: crate::Discovery,
        fuzzy: bool,
    ) -> anyhow::Result<(&'static crate::Gazetteer, &'static crate::Pipeline)> {
        let gaz: &'static crate::Gazetteer = Box::leak(Box::new(self.load()?));
        let pipeline = Box::leak(Box::new(self.pipeline(gaz, discovery, fuzzy)?));
        Ok((gaz, pipeline))
    }

    /// Prints the gazetteer's warnings on stderr, once: their count and
    /// the first [`SHOWN_WARNINGS`], and the `alam gazetteer check` line
    /// that lists them all. Nothing when there is none (the built-in
    /// gazetteer has none), or when there are errors (the run stops on
    /// them and lists them).
    fn print_warnings(&self, gaz: &crate::Gazetteer) {
        let diagnostics = gaz.diagnostics();
        if diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
        {
            return;
        }
        let warnings = diagnostics;
        if warnings.is_empty() {
            return;
        }
        let n = warnings.len();
        let s = if n == 1 { "" } else { "s" };
        if n <= SHOWN_WARNINGS {
            eprintln!("alam: the gazetteer has {n} warning{s}:");
        } else {
            eprintln!("alam: the gazetteer has {n} warnings; the first {SHOWN_WARNINGS}:");
        }
        for d in warnings.iter().take(SHOWN_WARNINGS) {
            eprintln!("{d}");
        }
        if n > SHOWN_WARNINGS {
            eprintln!("alam: see `{}` for all", self.check_command());
        }
    }

    /// The `alam gazetteer check` command line for these options.
    fn check_command(&self) -> String {
        let mut line = "alam gazetteer check".to_string();
        if let Some(dir) = &self.gazetteer {
            line.push_str(&format!(" {}", dir.display()));
        }
        for dir in &self.add {
            line.push_str(&format!(" --add-gazetteer {}", dir.display()));
        }
        line
    }

    /// Loads the gazetteer these options name (errors are not checked
    /// here: see `Gazetteer::check`). Each `--add-gazetteer` folder is a
    /// layer on top of the earlier ones: its rows can add forms to their
    /// entities by id (`Gazetteer::add_layer_dir`).
    pub fn load(&self) -> anyhow::Result<crate::Gazetteer> {
        Ok(crate::Gazetteer::layered(
            self.gazetteer.as_deref(),
            &self.add,
        )?)
    }
}
