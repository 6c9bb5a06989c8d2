//! Library errors. Errors that come from an input carry its position.

use std::fmt;
use std::path::PathBuf;

/// Where in an input file something happened.
///
/// Line numbers start at `1`. The path is the file as it was named when it
/// was opened (or a label such as `<builtin>/countries.csv`). Readers that
/// know more say it too: the byte offset where the record starts and the
/// record's number, so a tool can seek to it. `Display` writes only
/// `path:line` (or `path` when the line is `0`):
///
/// ```
/// let at = alam::Position::new("g/people.csv", 3).with_byte(120).with_record(2);
/// assert_eq!(at.to_string(), "g/people.csv:3");
/// assert_eq!((at.byte, at.record), (Some(120), Some(2)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Position {
    /// The file (or label) the position is in.
    pub path: PathBuf,
    /// 1-based line number; `0` when the whole file is meant.
    pub line: u64,
    /// The byte offset in the file where the record (or line) starts,
    /// when the reader knows it.
    pub byte: Option<u64>,
    /// The record's number as the CSV reader counts them (the header row
    /// is record `0`, the first data row `1`), when the reader knows it.
    pub record: Option<u64>,
}

impl Position {
    /// The position `path:line`, with no byte offset or record number.
    pub fn new(path: impl Into<PathBuf>, line: u64) -> Position {
        Position {
            path: path.into(),
            line,
            byte: None,
            record: None,
        }
    }

    /// This position with the byte offset where its record starts.
    pub fn with_byte(mut self, byte: u64) -> Position {
        self.byte = Some(byte);
        self
    }

    /// This position with its record number.
    pub fn with_record(mut self, record: u64) -> Position {
        self.record = Some(record);
        self
    }

    /// The position of a CSV record in `path`, from what the `csv` crate
    /// says of it in `data`, the text it read: the record's line and byte
    /// plus `base`'s (for text that starts further down a file), and its
    /// record number when `records` (the text is the whole file).
    ///
    /// The crate ends a record at the `\r` of a `\r\n` and starts the
    /// next one at the `\n`, on the line before it; that `\n` is skipped
    /// here, so a file saved with CRLF line ends has the same lines as
    /// with LF (`a\r\nb\r\n`: the record `b` is on line 2, at byte 3).
    pub(crate) fn of_csv(
        path: &std::path::Path,
        data: &[u8],
        at: &csv::Position,
        base: CsvBase,
    ) -> Position {
        let (mut line, mut byte) = (at.line(), at.byte());
        let i = usize::try_from(byte).unwrap_or(usize::MAX);
        if i > 0 && data.get(i) == Some(&b'\n') && data.get(i - 1) == Some(&b'\r') {
            line += 1;
            byte += 1;
        }
        let position = Position::new(path, line + base.line).with_byte(byte + base.byte);
        if base.records {
            position.with_record(at.record())
        } else {
            position
        }
    }
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

/// Where a text the `csv` crate reads starts in its file (see
/// [`Position::of_csv`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CsvBase {
    /// Lines before the text.
    pub line: u64,
    /// Bytes before the text.
    pub byte: u64,
    /// Whether the text is the whole file, so the crate's record numbers
    /// are the file's.
    pub records: bool,
}

impl CsvBase {
    /// A whole file.
    pub(crate) const FILE: CsvBase = CsvBase {
        line: 0,
        byte: 0,
        records: true,
    };
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
    /// The gazetteer (or the discovery lexicon) has errors (malformed
    /// rows, duplicate ids, ...): each one a [`crate::Diagnostic`] with its
    /// position, listed one per line by `Display`.
    #[error("the gazetteer has {} error(s):\n{}", .0.len(), join_lines(.0))]
    Gazetteer(Vec<crate::Diagnostic>),
    /// The matcher could not be built from the gazetteer (or read from
    /// the built-in image).
    #[error("cannot build the matcher: {0}")]
    Build(BuildError),
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
    Batch(BatchError),
    /// An output folder that cannot be summed with others
    /// (`alam merge` checks each part).
    #[error("{}: {reason}", path.display())]
    NotMergeable {
        /// The part's `summary.json`.
        path: PathBuf,
        /// Why.
        reason: NotMergeable,
    },
    /// Aggregates of one window kind cannot take counts of another
    /// ([`crate::Aggregates::merge`]).
    #[error("window {} differs from window {}", theirs.as_str(), ours.as_str())]
    WindowMismatch {
        /// The window kind of the aggregates merged into.
        ours: crate::WindowKind,
        /// The window kind of the aggregates that were refused.
        theirs: crate::WindowKind,
    },
    /// Aggregates counted by one time bucket (or not by period) cannot
    /// take counts of another ([`crate::Aggregates::merge`]).
    #[error("counted {}, differs from counted {}", by_bucket(*theirs), by_bucket(*ours))]
    BucketMismatch {
        /// The bucket of the aggregates merged into (`None`: not by
        /// period).
        ours: Option<crate::period::Bucket>,
        /// The bucket of the aggregates that were refused.
        theirs: Option<crate::period::Bucket>,
    },
    /// A malformed input record.
    #[error("{position}: {message}")]
    Input {
        /// Where the record is.
        position: Position,
        /// What is wrong with it.
        message: String,
    },
}

/// Why the matcher could not be built ([`Error::Build`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Entities are numbered with 32 bits.
    #[error("more than 4 billion entities")]
    TooManyEntities,
    /// The trie library refused the patterns; its message (its error
    /// type is not a `std::error::Error`, so it is kept as text).
    #[error("{0}")]
    Trie(String),
    /// A thread building one of the tries panicked.
    #[error("the trie build failed")]
    TrieThread,
    /// The matcher image compiled into the library is truncated or
    /// malformed; the part that is wrong.
    #[error("the built-in matcher image is malformed ({0})")]
    MalformedImage(&'static str),
}

/// Why the batch engine stopped ([`Error::Batch`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The pool of worker threads could not be started.
    #[error("starting the worker threads: {0}")]
    WorkerThreads(Box<dyn std::error::Error + Send + Sync>),
    /// The thread that reads the inputs could not be started.
    #[error("starting the input reader: {0}")]
    ReaderThread(std::io::Error),
    /// The thread that reads the inputs panicked.
    #[error("the input reader failed")]
    ReaderPanicked,
}

/// Why an output folder cannot be merged with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotMergeable {
    /// Its pair tables leave out the pairs below this minimum count.
    MinCount(u64),
    /// Its CSV files were written for Excel (BOM, CRLF, prefixed cells).
    Excel,
}

impl fmt::Display for NotMergeable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotMergeable::MinCount(n) => write!(
                f,
                "this part was written with a minimum count of {n}; merging needs every pair (a minimum count of 1)"
            ),
            NotMergeable::Excel => write!(
                f,
                "this part was written as CSV for Excel; merge parts written without it"
            ),
        }
    }
}

/// An [`Error::Io`] naming `path`.
pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

/// An [`Error::Input`] at `path:line`.
pub(crate) fn input_error(path: &std::path::Path, line: u64, message: String) -> Error {
    Error::Input {
        position: Position::new(path, line),
        message,
    }
}

fn load_message(dir: &std::path::Path, source: &Error) -> String {
    match source {
        Error::Io { path, .. } if path == dir => "loading the gazetteer".to_string(),
        _ => format!("loading the gazetteer {}", dir.display()),
    }
}

fn by_bucket(bucket: Option<crate::period::Bucket>) -> String {
    match bucket {
        Some(b) => format!("by {}", b.as_str()),
        None => "not by period".to_string(),
    }
}

fn join_lines(diagnostics: &[crate::Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
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

#[cfg(test)]
mod tests {
    /// A gazetteer error carries its diagnostics (with their positions)
    /// and prints them one per line, as before they were typed.
    #[test]
    fn gazetteer_errors_are_diagnostics_printed_one_per_line() {
        use crate::{Diagnostic, Severity};
        let at = |line| super::Position::new("g/people.csv", line);
        let err = super::Error::Gazetteer(vec![
            Diagnostic {
                severity: Severity::Error,
                position: at(3),
                message: "duplicate id person:x".into(),
            },
            Diagnostic {
                severity: Severity::Error,
                position: at(0),
                message: "no name column".into(),
            },
        ]);
        assert_eq!(
            err.to_string(),
            "the gazetteer has 2 error(s):\n\
             g/people.csv:3: error: duplicate id person:x\n\
             g/people.csv: error: no name column"
        );
        let super::Error::Gazetteer(diagnostics) = &err else {
            unreachable!()
        };
        assert_eq!(diagnostics[0].position.line, 3);
    }

    /// Library messages name no command-line option: the CLI adds those.
    #[test]
    fn not_mergeable_names_the_part_and_no_option() {
        let summary = |min_count, excel| crate::output::RunSummary {
            min_count,
            excel,
            ..Default::default()
        };
        // (min_count, excel, message)
        let cases = [
            (1, false, None),
            (
                3,
                false,
                Some(
                    "p/summary.json: this part was written with a minimum count of 3; merging needs every pair (a minimum count of 1)",
                ),
            ),
            (
                1,
                true,
                Some(
                    "p/summary.json: this part was written as CSV for Excel; merge parts written without it",
                ),
            ),
        ];
        for (min_count, excel, expected) in cases {
            let got = crate::output::check_mergeable("p".as_ref(), &summary(min_count, excel))
                .err()
                .map(|e| e.to_string());
            assert_eq!(got.as_deref(), expected, "{min_count} {excel}");
            assert!(!got.unwrap_or_default().contains("--"));
        }
    }
}
