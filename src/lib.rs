//! # alam
//!
//! `alam` (Arabic أعلام, "proper names") finds the people, countries,
//! organizations and cities named in news articles with gazetteers, in
//! Arabic and in English, and reports each mention with its offsets in the
//! original text.
//!
//! # Overview
//!
//! - [`Gazetteer`]: entities loaded from CSV files (or the built-in
//!   default lists), with every problem reported at `file:line`.
//! - [`Pipeline`]: built once from a gazetteer; [`Pipeline::extract`]
//!   finds the [`Mention`]s in a [`Document`]. It is `Send + Sync`.
//! - [`Batch`]: many documents on worker threads, results in input order;
//!   [`batch::Run`] writes an output folder as `alam extract` does.
//! - [`normalize()`]: the text normalization used on both aliases and
//!   text, with its offset map.
//!
//! ```
//! use alam::{Document, Gazetteer, Pipeline};
//!
//! let pipeline = Pipeline::new(&Gazetteer::builtin())?;
//! let doc = Document::new("d1", "وصل لافروف إلى بكين، والتقى وانغ يي.");
//! let ids: Vec<String> = pipeline
//!     .extract(&doc)
//!     .iter()
//!     .map(|m| m.entity_id.to_string())
//!     .collect();
//! assert!(ids.contains(&"city:beijing".to_string()));
//! # Ok::<(), alam::Error>(())
//! ```
#![deny(missing_docs)]
#![warn(unnameable_types)]

mod batch;
mod builtin;
mod cli;
mod cooccur;
mod discover;
mod error;
mod evaluate;
mod gazetteer;
mod input;
mod lexicon;
mod matcher;
mod normalize;
mod output;
mod period;
mod pipeline;
mod relations;
mod review;
mod segment;
mod simd;

// The public API, item by item (README "Library" lists them and why).
// Matching: the gazetteer, the pipeline and what it finds.
pub use crate::gazetteer::{Ambiguity, Diagnostic, Entity, Form, Gazetteer, Severity};
pub use crate::pipeline::{
    Analysis, Document, FuzzyCandidate, Mention, PIECE_BYTES, PIECES_ABOVE, Pipeline,
    PipelineBuilder, entity_info,
};
// Discovery of unlisted names.
pub use crate::discover::{Discovery, Rule, is_discovered_id};
pub use crate::lexicon::{Lexicon, class as lexicon_class};
// Normalization and segmentation.
pub use crate::normalize::{Normalized, OffsetCursor, is_word_char, normalize, normalize_str};
pub use crate::segment::{Segmenter, WindowKind, Windows};
// Errors.
pub use crate::error::{BatchError, BuildError, Error, NotMergeable, Position};
// Reading inputs.
pub use crate::input::{
    DEFAULT_MAX_DOCUMENT_BYTES, InputOptions, InputRecord, Inputs, OptionNames, RawRecord, Status,
    StdinDetected, StdinFormat, StdinHook,
};
// Many documents on worker threads, and a run's output folder.
pub use crate::batch::{Batch, BatchBuilder, Processed, Run, RunObserver, RunOutcome, records};
pub use crate::output::{CsvStyle, Formats};
// Counting: aggregates, NPMI, periods, relation hints.
pub use crate::cooccur::{
    Aggregates, Attributes, DiscoveredCounts, DiscoveredExample, DocumentCounts, EntityCounts,
    EntityInfo, EntityRow, Example, FileEntry, MAX_EXAMPLES, PairCounts, PairRow, PeriodCounts,
    PeriodEntity, PeriodPair, PeriodSummary, RunSummary, Trigger,
};
pub use crate::period::{Bucket, UNDATED, parse_date};
pub use crate::relations::{Hit, Hits, Relations};
// The rows of the per-document files and the tables' headers, for
// writers of their own (the same bytes as `alam extract`'s files).
pub use crate::output::csv::{
    COOCCURRENCE_HEADER, ENTITIES_HEADER, MENTIONS_HEADER, counted, mentions_rows,
};
pub use crate::output::json::mentions_line;

/// Runs the `alam` command line on the process's arguments: parses them,
/// dispatches, prints messages and returns the exit code (0 success, 1 the
/// run failed or `--strict` tripped, 2 bad usage). This is what the `alam`
/// binary's `main` calls; it is not part of the library's API (the
/// command line lives in the crate so that it can use internals the API
/// does not export).
#[doc(hidden)]
pub fn run_command_line() -> std::process::ExitCode {
    use clap::Parser;
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return std::process::ExitCode::SUCCESS;
            }
            eprintln!("alam: {err:#}");
            std::process::ExitCode::from(1)
        }
    }
}

/// The Rust examples of README.md, run as doctests (`cargo test --doc`),
/// so the README's library section cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The public types a user shares across threads are `Send + Sync`; the
/// input stream and the hooks are `Send` (read on the batch's reader
/// thread). A change that loses one of these fails to compile here.
#[cfg(test)]
mod api_traits {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        send_sync::<crate::Pipeline>();
        send_sync::<crate::Gazetteer>();
        send_sync::<crate::Mention>();
        send_sync::<crate::Document>();
        send_sync::<crate::Aggregates>();
        send_sync::<crate::RunSummary>();
        send_sync::<crate::Error>();
        send_sync::<crate::Batch<'static>>();
        send_sync::<crate::InputOptions>();
        send_sync::<crate::StdinHook>();
        send_sync::<crate::Lexicon>();
        send_sync::<crate::Relations>();
        send::<crate::Inputs>();
        send::<crate::Processed>();
    }
}
