//! How files and folders are found and recognized: the folder walk and the
//! kind of a file from its name.
//!
//! The walk follows symbolic links but reads each folder once (folders are
//! known by device and inode, as walkdir and ripgrep do), so a link loop
//! neither repeats files nor hangs; it takes regular files only (a FIFO or a
//! device with a taken name is reported and never opened); a folder it
//! cannot read is reported by its own path and the walk goes on; excluded
//! folders (the output folder) and alam output folders are not entered.

use std::collections::HashMap;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

use super::Status;

/// The kind of a file, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Jsonl,
    Csv,
    Tsv,
    Json,
}

/// The kind of a file from its name (case-insensitive), and whether it is
/// gzipped: `.txt`, `.jsonl`/`.ndjson`, `.csv`, `.tsv`, `.json`, each
/// optionally followed by `.gz`.
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
    } else if name.ends_with(".tsv") {
        Kind::Tsv
    } else if name.ends_with(".json") {
        Kind::Json
    } else {
        return None;
    };
    Some((kind, gz))
}

/// What identifies a file or folder: its device and inode (elsewhere than
/// on Unix, its canonical path).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

/// The identity of the file at `path`, whose metadata (symbolic links
/// followed) is `md`.
#[cfg(unix)]
pub(super) fn file_id(_path: &Path, md: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId((md.dev(), md.ino())))
}

/// The identity of the file at `path`, whose metadata (symbolic links
/// followed) is `md`.
#[cfg(not(unix))]
pub(super) fn file_id(path: &Path, _md: &Metadata) -> Option<FileId> {
    std::fs::canonicalize(path).ok().map(FileId)
}

/// The identity of the file or folder at `path`, if it exists.
pub(super) fn id_of(path: &Path) -> Option<FileId> {
    file_id(path, &std::fs::metadata(path).ok()?)
}

/// A path as written in ids, sources and messages: as it is when it is
/// UTF-8, else with each byte that is not UTF-8 written `\xFF`, so that two
/// names that differ only there stay distinct.
pub(super) fn display(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let mut out = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// What the walk found at a path.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// A regular file of a kind that is read.
    File(PathBuf),
    /// Something not read, with why (a warning or an error row).
    Skipped {
        /// Where.
        path: PathBuf,
        /// [`Status::Warning`] or [`Status::Error`].
        status: Status,
        /// Why, without the path.
        reason: String,
    },
}

impl Found {
    fn path(&self) -> &Path {
        match self {
            Found::File(p) => p,
            Found::Skipped { path, .. } => path,
        }
    }
}

/// The entries of a folder: the paths read, or the error that stopped the
/// reading (with what was read before it).
type Entries = (Vec<PathBuf>, Option<io::Error>);

fn read_dir(dir: &Path) -> io::Result<Entries> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        match entry {
            Ok(e) => paths.push(e.path()),
            Err(e) => return Ok((paths, Some(e))),
        }
    }
    Ok((paths, None))
}

/// Walks the folder `root`: the files to read and the things skipped, in
/// path order. Folders whose identity is in `exclude` are not entered.
pub(super) fn walk(root: &Path, exclude: &[FileId]) -> Vec<Found> {
    walk_with(root, exclude, &read_dir)
}

/// [`walk`], with the folder reading given (tests inject errors).
pub(super) fn walk_with(
    root: &Path,
    exclude: &[FileId],
    read_dir: &dyn Fn(&Path) -> io::Result<Entries>,
) -> Vec<Found> {
    let mut walker = Walker {
        exclude,
        read_dir,
        visited: HashMap::new(),
        found: Vec::new(),
    };
    if let Some(id) = id_of(root) {
        walker.visited.insert(id, root.to_path_buf());
    }
    walker.folder(root);
    let mut found = walker.found;
    found.sort_by(|a, b| a.path().cmp(b.path()));
    found
}

struct Walker<'a> {
    exclude: &'a [FileId],
    read_dir: &'a dyn Fn(&Path) -> io::Result<Entries>,
    /// The folders entered, with the path each was first entered by.
    visited: HashMap<FileId, PathBuf>,
    found: Vec<Found>,
}

impl Walker<'_> {
    fn skip(&mut self, path: PathBuf, status: Status, reason: String) {
        self.found.push(Found::Skipped {
            path,
            status,
            reason,
        });
    }

    fn folder(&mut self, dir: &Path) {
        let (entries, error) = match (self.read_dir)(dir) {
            Ok(e) => e,
            Err(e) => {
                let reason = format!("cannot read the folder: {e}");
                self.skip(dir.to_path_buf(), Status::Error, reason);
                return;
            }
        };
        if let Some(e) = error {
            let reason = format!("cannot read all of the folder: {e}");
            self.skip(dir.to_path_buf(), Status::Error, reason);
        }
        for path in entries {
            self.entry(path);
        }
    }

    fn entry(&mut self, path: PathBuf) {
        let taken = kind_of(&path).is_some();
        let md = match std::fs::metadata(&path) {
            Ok(md) => md,
            // A dangling link or a file gone: reported when its name is
            // one that is read.
            Err(e) => {
                if taken {
                    self.skip(path, Status::Error, e.to_string());
                }
                return;
            }
        };
        if md.is_dir() {
            let Some(id) = file_id(&path, &md) else {
                return self.folder(&path);
            };
            if self.exclude.contains(&id) {
                return;
            }
            if let Some(first) = self.visited.get(&id) {
                let reason = format!(
                    "the same folder as {}, already read (a symbolic link loop?), skipped",
                    display(first)
                );
                return self.skip(path, Status::Warning, reason);
            }
            if path.join("summary.json").is_file() && path.join("documents.csv").is_file() {
                let reason =
                    "an alam output folder (summary.json, documents.csv), skipped".to_string();
                return self.skip(path, Status::Warning, reason);
            }
            self.visited.insert(id, path.clone());
            self.folder(&path);
        } else if !taken {
        } else if md.is_file() {
            self.found.push(Found::File(path));
        } else {
            let reason = format!("not a regular file ({}), skipped", special_kind(&md));
            self.skip(path, Status::Warning, reason);
        }
    }
}

/// What a file that is neither a regular file nor a folder is.
fn special_kind(md: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = md.file_type();
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_socket() {
            return "a socket";
        } else if t.is_block_device() {
            return "a block device";
        } else if t.is_char_device() {
            return "a character device";
        }
    }
    let _ = md;
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel<'a>(root: &Path, found: &'a [Found]) -> Vec<(String, &'a str)> {
        found
            .iter()
            .map(|f| {
                let p = f.path().strip_prefix(root).unwrap_or(f.path());
                let what = match f {
                    Found::File(_) => "file",
                    Found::Skipped { reason, .. } => reason.as_str(),
                };
                (p.display().to_string(), what)
            })
            .collect()
    }

    #[test]
    fn kinds_from_names() {
        let table: &[(&str, Option<(Kind, bool)>)] = &[
            ("a.txt", Some((Kind::Text, false))),
            ("A.TXT", Some((Kind::Text, false))),
            ("a.jsonl.gz", Some((Kind::Jsonl, true))),
            ("a.ndjson", Some((Kind::Jsonl, false))),
            ("a.Csv.GZ", Some((Kind::Csv, true))),
            ("a.tsv", Some((Kind::Tsv, false))),
            ("a.json", Some((Kind::Json, false))),
            ("a.json.gz", Some((Kind::Json, true))),
            ("a.gz", None),
            ("a.pdf", None),
            ("json", None),
        ];
        for (name, want) in table {
            assert_eq!(kind_of(Path::new(name)), *want, "{name}");
        }
    }

    /// An unreadable subfolder is reported by its own path, and every
    /// other file is still found (chmod 000 does not stop root, so the
    /// error is injected).
    #[test]
    fn an_unreadable_subfolder_is_reported_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a.txt", "locked/x.txt", "m/b.txt", "z.jsonl"] {
            let p = root.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let locked = root.join("locked");
        let m = root.join("m");
        let read = |d: &Path| {
            if d == locked {
                Err(io::Error::from(io::ErrorKind::PermissionDenied))
            } else if d == m {
                // Broken after one entry.
                let (paths, _) = read_dir(d)?;
                Ok((paths, Some(io::Error::other("disk error"))))
            } else {
                read_dir(d)
            }
        };
        let found = walk_with(root, &[], &read);
        assert_eq!(
            rel(root, &found),
            [
                ("a.txt".to_string(), "file"),
                (
                    "locked".to_string(),
                    "cannot read the folder: permission denied"
                ),
                ("m".to_string(), "cannot read all of the folder: disk error"),
                ("m/b.txt".to_string(), "file"),
                ("z.jsonl".to_string(), "file"),
            ]
        );
        assert!(matches!(
            found[1],
            Found::Skipped {
                status: Status::Error,
                ..
            }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_loops_special_files_and_excluded_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        let outside = dir.path().join("outside");
        for p in [
            root.join("a.txt"),
            root.join("out/documents.csv"),
            root.join("old/summary.json"),
            root.join("old/documents.csv"),
            root.join("notes.pdf"),
            outside.join("o.txt"),
        ] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let ln = |target: &Path, name: &str| std::os::unix::fs::symlink(target, root.join(name));
        ln(Path::new("."), "l1").unwrap();
        ln(Path::new("."), "l2").unwrap();
        ln(&outside, "ext").unwrap();
        ln(&outside.join("o.txt"), "f.txt").unwrap();
        ln(Path::new("missing.txt"), "gone.txt").unwrap();
        ln(Path::new("missing"), "gone").unwrap();
        let fifo = root.join("p.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let exclude = [id_of(&root.join("out")).unwrap()];
        let found = walk(&root, &exclude);
        let root_name = display(&root);
        let same = format!(
            "the same folder as {root_name}, already read (a symbolic link loop?), skipped"
        );
        let mut want = vec![
            ("a.txt".to_string(), "file"),
            ("ext/o.txt".to_string(), "file"),
            ("f.txt".to_string(), "file"),
            (
                "gone.txt".to_string(),
                "No such file or directory (os error 2)",
            ),
            ("l1".to_string(), same.as_str()),
            ("l2".to_string(), same.as_str()),
            (
                "old".to_string(),
                "an alam output folder (summary.json, documents.csv), skipped",
            ),
        ];
        if made.is_ok_and(|s| s.success()) {
            want.push(("p.txt".to_string(), "not a regular file (a FIFO), skipped"));
        }
        assert_eq!(rel(&root, &found), want);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_escaped() {
        use std::os::unix::ffi::OsStrExt;
        let table: &[(&[u8], &str)] = &[
            (b"n\xff.txt", "n\\xFF.txt"),
            (b"n\xfe.txt", "n\\xFE.txt"),
            ("بوتين.txt".as_bytes(), "بوتين.txt"),
            (b"a/\xd8.txt", "a/\\xD8.txt"),
        ];
        for (bytes, want) in table {
            let p = Path::new(std::ffi::OsStr::from_bytes(bytes));
            assert_eq!(display(p), *want);
        }
    }
}
