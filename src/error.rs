//! Library errors. Errors that come from an input carry its position.

use std::fmt;
use std::path::PathBuf;

/// Where in an input file something happened.
///
/// Line numbers start at `1`. The path is the file as it was named when it
/// was opened (or a label such as `<builtin>/countries.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The file (or label) the position is in.
    pub path: PathBuf,
    /// 1-based line number; `0` when the whole file is meant.
    pub line: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path.display())
        } else {
            write!(f, "{}:{}", self.path.display(), self.line)
        }
    }
}

/// An error from the alam library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    ///
    /// The message names the path and the reason, so the error has no
    /// `source()` (a chain printer such as anyhow's `{:#}` would say the
    /// reason twice).
    #[error("{path}: {error}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The gazetteer has errors (malformed rows, duplicate ids, ...).
    /// Each problem is listed with its position.
    #[error("the gazetteer has {} error(s):\n{}", .0.len(), join_lines(.0))]
    Gazetteer(Vec<String>),
    /// The matcher could not be built from the gazetteer.
    #[error("cannot build the matcher: {0}")]
    Build(String),
    /// An output file or folder could not be written or locked (the
    /// message names it).
    #[error("{0}")]
    Output(std::io::Error),
    /// A gazetteer folder could not be loaded (`source` says why). The
    /// message names the folder unless `source` does (the folder itself
    /// cannot be read), so a chain printer says it once:
    /// `loading the gazetteer: g: No such file or directory (os error 2)`.
    #[error("{}", load_message(dir, source))]
    Load {
        /// The folder.
        dir: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// The batch engine could not start or lost a thread.
    #[error("{0}")]
    Batch(String),
    /// A malformed input record.
    #[error("{position}: {message}")]
    Input {
        /// Where the record is.
        position: Position,
        /// What is wrong with it.
        message: String,
    },
}

fn load_message(dir: &std::path::Path, source: &Error) -> String {
    match source {
        Error::Io { path, .. } if path == dir => "loading the gazetteer".to_string(),
        _ => format!("loading the gazetteer {}", dir.display()),
    }
}

fn join_lines(lines: &[String]) -> String {
    lines.join("\n")
}

impl Error {
    /// The position of the problem in an input file, when it has one.
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Input { position, .. } => Some(position),
            _ => None,
        }
    }
}
