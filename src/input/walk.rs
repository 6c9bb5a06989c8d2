//! How files and folders are found and recognized: the folder walk and the
//! kind of a file from its name.

use std::io;
use std::path::{Path, PathBuf};

/// The kind of a file, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Jsonl,
    Csv,
}

pub(super) fn kind_of(path: &Path) -> Option<(Kind, bool)> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    let kind = if name.ends_with(".txt") {
        Kind::Text
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Kind::Jsonl
    } else if name.ends_with(".csv") {
        Kind::Csv
    } else {
        return None;
    };
    Some((kind, gz))
}

pub(super) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if kind_of(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}
