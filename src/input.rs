//! Readers: turn the inputs named on the command line into [`Document`]s.
//!
//! For now: plain text files (one document per file, id = the path as
//! given) and standard input (`-`, one document with id `-`). Invalid UTF-8
//! is decoded lossily (U+FFFD) and reported as a warning.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Position};
use crate::pipeline::Document;

/// A document read from an input, with what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadDocument {
    /// The document.
    pub document: Document,
    /// Where it came from: the file path, or `-`.
    pub source: String,
    /// A warning about the input (e.g. invalid UTF-8), if any.
    pub warning: Option<String>,
}

/// Reads one plain-text input: a file path, or `-` for standard input.
pub fn read_text(input: &str) -> Result<ReadDocument, Error> {
    let mut bytes = Vec::new();
    let result = if input == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(input).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    result.map_err(|source| Error::Io {
        path: Path::new(input).to_path_buf(),
        source,
    })?;
    let (text, warning) = decode(bytes, input);
    Ok(ReadDocument {
        document: Document::new(input, text),
        source: input.to_string(),
        warning,
    })
}

/// Decodes UTF-8, lossily; a leading BOM is dropped.
fn decode(bytes: Vec<u8>, label: &str) -> (String, Option<String>) {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{FEFF}') {
                s.drain(..3);
            }
            (s, None)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let position = Position {
                path: label.into(),
                line: 0,
            };
            let warning = format!("{position}: invalid UTF-8 at byte {at}, replaced with U+FFFD");
            (text, Some(warning))
        }
    }
}
