//! What build.rs compiles into the library: the default gazetteer and
//! lexicon files, the word-character table, and the image of the matcher
//! built from the default gazetteer (see [`crate::matcher`]'s `image`).
//!
//! build.rs includes the modules that build these (`normalize`,
//! `gazetteer`, `lexicon`, `matcher`) with a `builtin` module of its own,
//! which has no data yet: the build script computes it.

/// The default gazetteer files, `(file name, contents)` in file-name order.
pub(crate) const GAZETTEERS: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_gazetteers.rs"));

/// The built-in lexicon files, `(file name, contents)` in file-name order.
pub(crate) const LEXICON: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_lexicon.rs"));

// `BMP_WORD_CHARS`: bit `c % 64` of word `c / 64` is set when the Basic
// Multilingual Plane character `c` is a word character.
include!(concat!(env!("OUT_DIR"), "/word_chars.rs"));

/// The matcher of [`GAZETTEERS`] without fuzzy matching, as
/// `Matcher::to_image` writes it (read by `Matcher::from_image`).
pub(crate) static MATCHER_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/matcher.img"));

/// The gazetteer of [`GAZETTEERS`] as `Gazetteer::to_image` writes it (read
/// by `Gazetteer::from_image`).
pub(crate) static GAZETTEER_IMAGE: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer.img"));

/// The lexicon of [`LEXICON`] as `Lexicon::to_image` writes it (empty when
/// the files have diagnostics; `Lexicon::builtin` then parses them).
pub(crate) static LEXICON_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lexicon.img"));

/// Whether every entity of [`GAZETTEERS`] with a country names a known
/// entity id (`BUILTIN_COUNTRIES_RESOLVE`), as build.rs found: then
/// `Gazetteer::diagnostics` of the unchanged built-in gazetteer skips that
/// check (a test runs it and compares).
mod checks {
    include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));
}
pub(crate) use checks::BUILTIN_COUNTRIES_RESOLVE;
