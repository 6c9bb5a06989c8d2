//! Command-line interface: one file per subcommand.

mod extract;
mod gazetteer;
mod merge;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// Find people, countries, organizations and cities in news articles
/// (Arabic and English) and write entity tables.
#[derive(Debug, Parser)]
#[command(name = "alam", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract mentions from documents and write tables into a folder.
    Extract(extract::Args),
    /// Check a gazetteer, or look up what a text names.
    #[command(subcommand)]
    Gazetteer(gazetteer::Command),
    /// Sum the output folders of partial runs (shards) into one.
    Merge(merge::Args),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Extract(args) => extract::run(&args),
        Command::Gazetteer(cmd) => gazetteer::run(&cmd),
        Command::Merge(args) => merge::run(&args),
    }
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
    /// Loads the gazetteer these options name (errors are not checked
    /// here: see `Gazetteer::check`).
    pub fn load(&self) -> anyhow::Result<alam::Gazetteer> {
        let mut gaz = match &self.gazetteer {
            Some(dir) => alam::Gazetteer::from_dir(dir)
                .with_context(|| format!("loading the gazetteer {}", dir.display()))?,
            None => alam::Gazetteer::builtin(),
        };
        for dir in &self.add {
            let extra = alam::Gazetteer::from_dir(dir)
                .with_context(|| format!("loading the gazetteer {}", dir.display()))?;
            gaz.extend(extra);
        }
        Ok(gaz)
    }
}
