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
//! - [`batch`]: many documents on worker threads, results in input order;
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

pub mod batch;
mod builtin;
pub mod cooccur;
pub mod discover;
mod error;
pub mod evaluate;
mod gazetteer;
pub mod input;
pub mod lexicon;
mod matcher;
pub mod merge;
mod normalize;
pub mod output;
pub mod period;
mod pipeline;
pub mod relations;
pub mod review;
mod segment;
mod simd;

pub use crate::cooccur::{Aggregates, WindowKind};
pub use crate::discover::{Discovery, Rule};
pub use crate::error::{Error, NotMergeable, Position};
pub use crate::gazetteer::{Ambiguity, Diagnostic, Entity, Form, Gazetteer, Severity};
pub use crate::lexicon::Lexicon;
pub use crate::normalize::{Normalized, is_word_char, normalize, normalize_str};
pub use crate::pipeline::{
    Analysis, Document, FuzzyCandidate, Mention, PIECE_BYTES, PIECES_ABOVE, Pipeline,
    PipelineBuilder, entity_info,
};
pub use crate::segment::{Segmenter, Windows};

/// The Rust examples of README.md, run as doctests (`cargo test --doc`),
/// so the README's library section cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
