//! The output folder of a run: a lock, a staging folder, and the commit
//! that puts the new files in place of the earlier run's.
//!
//! A run into `DIR`:
//!
//! 1. [`OutputFolder::open`] creates `DIR` if missing and locks
//!    `DIR/.alam.lock` (an OS file lock, which the OS releases if the
//!    process dies; the file holds the pid of the run that took it). A
//!    second run into `DIR` fails at once: `DIR is being written by another
//!    alam run (pid N)`. Holding the lock, it removes what killed runs left
//!    behind (staging folders `DIR/.alam-run-*`, temporary files
//!    `DIR/.NAME.tmp` and `DIR/.NAME.*.tmp` of the names alam writes), and
//!    creates a fresh staging folder `DIR/.alam-run-PID-N/`.
//! 2. Every file is written into the staging folder by an [`AtomicFile`]
//!    (a temporary name opened with `create_new`, flushed, fsynced and
//!    renamed when complete). Nothing in `DIR` changes yet: an interrupted
//!    or failed run leaves the earlier run as it was, and drops the staging
//!    folder (or the next run does).
//! 3. [`OutputFolder::commit`] lists the files in `summary.json` (name,
//!    bytes, rows) with a `run_id` derived from their content, then: checks
//!    that no final name is taken by a folder (before anything is renamed);
//!    removes the old `summary.json`; renames the new files into `DIR`;
//!    removes the files of the earlier run that this one did not write
//!    (only the names in [`KNOWN_FILES`], never other files); fsyncs `DIR`;
//!    renames `summary.json` last and fsyncs `DIR` again. A crash in the
//!    middle leaves a folder without `summary.json`, which `alam merge` and
//!    `alam report` refuse as unfinished.
//!
//! [`abandon_runs`] is for an interrupt handler: it waits for a commit in
//! progress, removes the staging folders of the runs in progress, and keeps
//! any other commit from starting.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::json::{self, FileEntry, RunSummary};

use crate::cooccur::{Aggregates, WindowKind};
use crate::error::{Error, NotMergeable, input_error, io_error};
use crate::period::Bucket;

/// The lock file in an output folder.
pub const LOCK_FILE: &str = ".alam.lock";
/// The name every staging folder starts with.
const STAGING_PREFIX: &str = ".alam-run-";
/// The file written last, whose presence says the run finished.
pub const SUMMARY_FILE: &str = "summary.json";

/// Every file name an alam run can write into its output folder. A commit
/// removes the ones its run did not write (so that a run with other
/// formats leaves no stale table behind), and only these: a format that
/// adds files adds their names here (a test checks that every file the
/// writers make is listed).
pub const KNOWN_FILES: &[&str] = &[
    "mentions.csv",
    "documents.csv",
    "entities.csv",
    "cooccurrence.csv",
    "discovered.csv",
    "periods.csv",
    "entities_by_period.csv",
    "cooccurrence_by_period.csv",
    "mentions.jsonl",
    "entities.json",
    "cooccurrence.json",
    "graph.gexf",
    "graph.graphml",
    "report.html",
    "tables.xlsx",
    "neo4j/nodes.csv",
    "neo4j/relationships.csv",
    SUMMARY_FILE,
];

/// Makes the temporary names of this process unique.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The staging folders of the runs in progress. A commit holds this lock
/// while it renames, so that [`abandon_runs`] waits for it.
static RUNS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn runs() -> MutexGuard<'static, Vec<PathBuf>> {
    RUNS.lock().unwrap_or_else(|e| e.into_inner())
}

/// For an interrupt handler: waits for a commit in progress to end,
/// removes the staging folders of the runs in progress, and keeps every
/// later commit from starting (they wait forever: the caller is meant to
/// exit). Returns the output folders of the abandoned runs, which keep
/// their earlier files.
pub fn abandon_runs() -> Vec<PathBuf> {
    let guard = runs();
    let mut dirs = Vec::new();
    for staging in guard.iter() {
        // A writer thread may still create a file in it: try again.
        for _ in 0..5 {
            match fs::remove_dir_all(staging) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
                _ => break,
            }
        }
        if let Some(dir) = staging.parent() {
            dirs.push(dir.to_path_buf());
        }
    }
    std::mem::forget(guard);
    dirs
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Whether files and folders are fsynced (the default); see [`set_durable`].
static DURABLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether this process's runs fsync what they write (`true`, the
/// default) or leave it to the OS (`false`: `alam extract --no-fsync`, for
/// scratch output such as the partial folders of a Spark job, merged
/// right after, where waiting for the disk only slows the run: on this
/// project's shared machine a 20 MB run took 10.9 s with fsync and 4.1 s
/// on tmpfs). Everything else is unchanged: staging folder, atomic
/// renames, `summary.json` last; a crash may then leave files that are
/// incomplete on disk, which `summary.json`'s sizes let `merge` refuse.
pub fn set_durable(durable: bool) {
    DURABLE.store(durable, Ordering::Relaxed);
}

fn durable() -> bool {
    DURABLE.load(Ordering::Relaxed)
}

/// Makes bytes written durable: `fsync` of a folder, after renames in it
/// (nothing after `set_durable(false)`).
fn sync_dir(dir: &Path) -> io::Result<()> {
    if !durable() {
        return Ok(());
    }
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| with_path(e, dir))
}

/// A 64-bit content hash (not a cryptographic one): a multiply and
/// xor-shift step per 8 bytes, then a final mix with the length. Stable
/// across platforms and versions, since it names runs in `summary.json`;
/// fast enough to hash every byte a run writes as it writes it.
#[derive(Clone, Debug)]
pub(crate) struct ContentHash {
    state: u64,
    tail: [u8; 8],
    tail_len: usize,
    len: u64,
}

impl Default for ContentHash {
    fn default() -> Self {
        ContentHash {
            state: 0xcbf2_9ce4_8422_2325,
            tail: [0; 8],
            tail_len: 0,
            len: 0,
        }
    }
}

impl ContentHash {
    fn mix(&mut self, word: u64) {
        let h = (self.state ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.state = h ^ (h >> 29);
    }

    /// Adds `bytes`; the hash does not depend on how they are split.
    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0; 8];
            word.copy_from_slice(w);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    /// The hash of the bytes added so far.
    pub(crate) fn finish(&self) -> u64 {
        let mut h = self.clone();
        if h.tail_len > 0 {
            let mut word = [0; 8];
            word[..h.tail_len].copy_from_slice(&h.tail[..h.tail_len]);
            h.mix(u64::from_le_bytes(word));
        }
        h.mix(h.len);
        // The splitmix64 finalizer.
        let mut z = h.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// What a committed file of an [`OutputFolder`] left for its listing.
#[derive(Clone, Copy, Debug)]
struct Written {
    bytes: u64,
    hash: u64,
}

type Ledger = Arc<Mutex<BTreeMap<String, Written>>>;

/// A file written under a temporary name and renamed by
/// [`AtomicFile::commit`]. Dropped without a commit, or when the commit
/// fails, the temporary file is removed. Every error names the file.
#[derive(Debug)]
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
    /// How errors name the file (its final path in the output folder).
    label: PathBuf,
    hash: ContentHash,
    /// Where the commit records the file, for one in an output folder.
    ledger: Option<(String, Ledger)>,
    /// Whether the commit fsyncs the folder after the rename (an output
    /// folder does it once at its own commit).
    sync_dir: bool,
}

impl AtomicFile {
    /// Creates a temporary file in `dir`, to become `dir/name`: its name is
    /// `.name.PID-N.tmp`, opened with `create_new`, so that no other
    /// process writes the same file.
    pub fn create(dir: &Path, name: &str) -> io::Result<AtomicFile> {
        let path = dir.join(name);
        AtomicFile::create_as(dir, name, path, true)
    }

    fn create_as(dir: &Path, name: &str, label: PathBuf, sync_dir: bool) -> io::Result<AtomicFile> {
        let pid = std::process::id();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{pid}-{n}.tmp"));
            match File::options().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        writer: Some(BufWriter::with_capacity(1 << 16, file)),
                        tmp,
                        path: dir.join(name),
                        label,
                        hash: ContentHash::default(),
                        ledger: None,
                        sync_dir,
                    });
                }
                // Left by a dead process that had this pid: take another.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < u64::MAX => continue,
                Err(e) => return Err(with_path(e, &tmp)),
            }
        }
    }

    /// Flushes, fsyncs and renames to the final name. On an error, the
    /// temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(writer) = self.writer.take() else {
            return Err(with_path(
                io::Error::other("file already committed"),
                &self.label,
            ));
        };
        let done =
            Self::finish(writer, &self.tmp, &self.path).map_err(|e| with_path(e, &self.label));
        if done.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        done?;
        if self.sync_dir
            && let Some(dir) = self.path.parent()
        {
            sync_dir(dir)?;
        }
        if let Some((name, ledger)) = &self.ledger {
            let written = Written {
                bytes: self.hash.len,
                hash: self.hash.finish(),
            };
            ledger
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(name.clone(), written);
        }
        Ok(())
    }

    fn finish(writer: BufWriter<File>, tmp: &Path, path: &Path) -> io::Result<()> {
        let file = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        if durable() {
            file.sync_all()?;
        }
        drop(file);
        fs::rename(tmp, path)
    }

    fn committed(&self) -> io::Error {
        with_path(io::Error::other("file already committed"), &self.label)
    }
}

impl Write for AtomicFile {
    // Inlined, and `write_all` forwarded, because serializers write many
    // small pieces (a quote, a key, a comma).
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => {
                let n = w.write(buf).map_err(|e| with_path(e, &self.label))?;
                self.hash.update(&buf[..n]);
                Ok(n)
            }
            None => Err(self.committed()),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => {
                w.write_all(buf).map_err(|e| with_path(e, &self.label))?;
                self.hash.update(buf);
                Ok(())
            }
            None => Err(self.committed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush().map_err(|e| with_path(e, &self.label)),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The lock of an output folder, held until dropped (or until the process
/// ends: the OS releases it then).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Locks `dir/.alam.lock` (created if missing) and writes this
    /// process's pid into it; fails at once, naming the pid written there,
    /// when another process holds it.
    pub fn acquire(dir: &Path) -> io::Result<FolderLock> {
        let path = dir.join(LOCK_FILE);
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| with_path(e, &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let pid = match text.trim() {
                    "" => "unknown".to_string(),
                    pid => pid.to_string(),
                };
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!(
                        "{} is being written by another alam run (pid {pid})",
                        dir.display()
                    ),
                ));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(with_path(
                    io::Error::new(e.kind(), format!("cannot lock: {e}")),
                    &path,
                ));
            }
        }
        let pid = std::process::id();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{pid}"))
            .map_err(|e| with_path(e, &path))?;
        Ok(FolderLock { _file: file })
    }
}

/// Whether `name` is a temporary file of a known name: `.NAME.tmp` (alam
/// before staging folders) or `.NAME.*.tmp`.
fn is_leftover_tmp(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    KNOWN_FILES
        .iter()
        .any(|k| inner == *k || inner.strip_prefix(k).is_some_and(|r| r.starts_with('.')))
}

/// An output folder being written by a run: its lock, and the staging
/// folder the run's files go into until [`OutputFolder::commit`]. Dropped
/// without a commit, the staging folder is removed and the folder keeps the
/// earlier run's files.
#[derive(Debug)]
pub struct OutputFolder {
    dir: PathBuf,
    staging: PathBuf,
    ledger: Ledger,
    committed: bool,
    _lock: FolderLock,
}

impl OutputFolder {
    /// Creates `dir` if missing, locks it (see [`FolderLock::acquire`]),
    /// removes what killed runs left in it, and makes a staging folder.
    pub fn open(dir: &Path) -> io::Result<OutputFolder> {
        fs::create_dir_all(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", dir.display())))?;
        let lock = FolderLock::acquire(dir)?;
        remove_leftovers(dir)?;
        let pid = std::process::id();
        let staging = loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let staging = dir.join(format!("{STAGING_PREFIX}{pid}-{n}"));
            match fs::create_dir(&staging) {
                Ok(()) => break staging,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(with_path(e, &staging)),
            }
        };
        runs().push(staging.clone());
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            staging,
            ledger: Ledger::default(),
            committed: false,
            _lock: lock,
        })
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts the file `name` of the run, in the staging folder. Its
    /// errors name it as `DIR/name`.
    /// A name may hold one folder (`neo4j/nodes.csv`).
    pub fn create(&self, name: &str) -> io::Result<AtomicFile> {
        let (sub, file) = match name.split_once('/') {
            Some((sub, file)) => {
                let sub = self.staging.join(sub);
                fs::create_dir_all(&sub).map_err(|e| with_path(e, &sub))?;
                (sub, file)
            }
            None => (self.staging.clone(), name),
        };
        let mut f = AtomicFile::create_as(&sub, file, self.dir.join(name), false)?;
        f.ledger = Some((name.to_string(), Arc::clone(&self.ledger)));
        Ok(f)
    }

    /// Ends the run: writes `summary.json` (from `summary`, with the list
    /// of the files written, their `rows` when given, and the run id) and
    /// puts the run's files in place of the earlier run's (see the module
    /// docs). Returns the summary as written.
    pub fn commit(mut self, summary: &RunSummary, rows: &[(&str, u64)]) -> io::Result<RunSummary> {
        let written = std::mem::take(&mut *self.ledger.lock().unwrap_or_else(|e| e.into_inner()));
        let mut summary = summary.clone();
        summary.run_id = String::new();
        summary.files = written
            .iter()
            .map(|(name, w)| FileEntry {
                name: name.clone(),
                bytes: w.bytes,
                rows: rows.iter().find(|(n, _)| n == name).map(|&(_, r)| r),
            })
            .collect();
        let mut id = ContentHash::default();
        for (name, w) in &written {
            id.update(name.as_bytes());
            id.update(&[0]);
            id.update(&w.bytes.to_le_bytes());
            id.update(&w.hash.to_le_bytes());
        }
        id.update(&serde_json::to_vec(&summary).map_err(io::Error::other)?);
        summary.run_id = format!("{:016x}", id.finish());
        let file = AtomicFile::create_as(
            &self.staging,
            SUMMARY_FILE,
            self.dir.join(SUMMARY_FILE),
            false,
        )?;
        json::write_summary(file, &summary)?.commit()?;

        let moving: Vec<&str> = written.keys().map(String::as_str).collect();
        // A final name taken by a folder fails before anything is renamed.
        for name in moving.iter().copied().chain([SUMMARY_FILE]) {
            let target = self.dir.join(name);
            if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    format!(
                        "{}: a folder has the name of an output file; move it away, or write into another folder",
                        target.display()
                    ),
                ));
            }
        }
        let mut running = runs();
        // Without summary.json the folder reads as unfinished until the
        // new one is in place.
        let summary_path = self.dir.join(SUMMARY_FILE);
        match fs::remove_file(&summary_path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(with_path(e, &summary_path));
            }
            _ => {}
        }
        sync_dir(&self.dir)?;
        for name in &moving {
            let target = self.dir.join(name);
            if let Some((sub, _)) = name.split_once('/') {
                let sub = self.dir.join(sub);
                fs::create_dir_all(&sub).map_err(|e| with_path(e, &sub))?;
            }
            fs::rename(self.staging.join(name), &target).map_err(|e| with_path(e, &target))?;
        }
        for name in KNOWN_FILES {
            if *name == SUMMARY_FILE || moving.contains(name) {
                continue;
            }
            let stale = self.dir.join(name);
            if fs::symlink_metadata(&stale).is_ok_and(|m| !m.is_dir()) {
                fs::remove_file(&stale).map_err(|e| with_path(e, &stale))?;
            }
        }
        sync_dir(&self.dir)?;
        fs::rename(self.staging.join(SUMMARY_FILE), &summary_path)
            .map_err(|e| with_path(e, &summary_path))?;
        sync_dir(&self.dir)?;
        running.retain(|s| s != &self.staging);
        drop(running);
        self.committed = true;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(summary)
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        runs().retain(|s| s != &self.staging);
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Removes the staging folders and temporary files of killed runs from
/// `dir` (whose lock the caller holds).
fn remove_leftovers(dir: &Path) -> io::Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| with_path(e, dir))?;
    for entry in entries {
        let entry = entry.map_err(|e| with_path(e, dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| with_path(e, &path))?;
        if name.starts_with(STAGING_PREFIX) && kind.is_dir() {
            fs::remove_dir_all(&path).map_err(|e| with_path(e, &path))?;
        } else if kind.is_file() && is_leftover_tmp(name) {
            fs::remove_file(&path).map_err(|e| with_path(e, &path))?;
        }
    }
    Ok(())
}

/// Checks that a part can be summed with others: its pair tables list
/// every pair (minimum count 1) and its CSV files are plain (not written
/// for Excel). The error is [`Error::NotMergeable`], which names no
/// command-line option (the CLI adds them).
pub fn check_mergeable(dir: &Path, summary: &RunSummary) -> Result<(), Error> {
    let reason = if summary.min_count > 1 {
        NotMergeable::MinCount(summary.min_count)
    } else if summary.excel {
        NotMergeable::Excel
    } else {
        return Ok(());
    };
    Err(Error::NotMergeable {
        path: dir.join("summary.json"),
        reason,
    })
}

/// The tables [`read_part`] reads (those that exist).
pub const TABLE_FILES: &[&str] = &[
    "entities.csv",
    "cooccurrence.csv",
    "cooccurrence.json",
    "discovered.csv",
    "periods.csv",
    "entities_by_period.csv",
    "cooccurrence_by_period.csv",
];

/// The per-document files `alam merge` concatenates.
pub const PER_DOCUMENT_FILES: &[&str] = &["documents.csv", "mentions.csv", "mentions.jsonl"];

/// Checks that the files `names` of the folder `dir` belong to the run
/// its `summary` describes: each one there is listed in `summary.files`
/// with its size, and each one listed is there. Nothing is checked for a
/// summary that lists no files (written before alam listed them; see
/// [`lists_files`]).
pub fn check_files(dir: &Path, summary: &RunSummary, names: &[&str]) -> Result<(), Error> {
    if !lists_files(summary) {
        return Ok(());
    }
    for name in names {
        let path = dir.join(name);
        // A folder of that name (mentions.jsonl as Hadoop's part files) is
        // not a file of the run, as for merge.
        let on_disk = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => Some(m.len()),
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path, e)),
        };
        let message = match (on_disk, summary.file(name)) {
            (Some(n), Some(f)) if n != f.bytes => format!(
                "{name} does not belong to this run ({n} bytes, summary.json says {})",
                f.bytes
            ),
            (Some(n), None) => format!(
                "{name} does not belong to this run ({n} bytes, summary.json does not list it)"
            ),
            (None, Some(_)) => format!("{name} is missing (summary.json lists it)"),
            _ => continue,
        };
        return Err(input_error(dir, 0, message));
    }
    Ok(())
}

/// Appends a part's per-document file `path` (`mentions.jsonl`, or a
/// CSV file whose first line must be `header`, comma-separated, and is
/// skipped) to `out` byte for byte, adding a line end if its last line
/// has none. Returns the number of lines appended.
///
/// This is `alam merge`'s concatenation for parts written by alam without
/// `--excel` (the only ones [`check_mergeable`] accepts), whose files
/// [`check_files`] found to be their run's: their rows are copied, not
/// parsed and written again, at the speed of the disk. For example, parts
/// holding `a,b\n1,2\n` and `a,b\n3,4` with header `["a", "b"]` append
/// `1,2\n3,4\n`. A different first line is an error naming `path:1`.
pub fn append_file(
    path: &Path,
    header: Option<&[&str]>,
    out: &mut dyn std::io::Write,
) -> Result<u64, Error> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let out_error = |e: std::io::Error| io_error(Path::new("(merged output)"), e);
    if let Some(header) = header {
        let mut first = Vec::new();
        reader
            .read_until(b'\n', &mut first)
            .map_err(|e| io_error(path, e))?;
        let found = String::from_utf8_lossy(&first);
        let found = found.trim_end_matches(['\n', '\r']);
        if found != header.join(",") {
            return Err(input_error(
                path,
                1,
                format!("unexpected header {found} (expected {})", header.join(",")),
            ));
        }
    }
    let mut lines = 0u64;
    let mut last = b'\n';
    loop {
        let chunk = reader.fill_buf().map_err(|e| io_error(path, e))?;
        if chunk.is_empty() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        last = chunk[chunk.len() - 1];
        out.write_all(chunk).map_err(out_error)?;
        let n = chunk.len();
        reader.consume(n);
    }
    if last != b'\n' {
        out.write_all(b"\n").map_err(out_error)?;
        lines += 1;
    }
    Ok(lines)
}

/// Whether `summary` lists the files of its run (every `summary.json`
/// written since alam lists them does; an older one does not).
pub fn lists_files(summary: &RunSummary) -> bool {
    !summary.files.is_empty()
}

/// Reads the summary and aggregates of one output folder, after checking
/// that it is a finished run's ([`check_files`] for the tables read). A
/// folder without `summary.json` is an error: the run that wrote it did
/// not finish.
pub fn read_part(dir: &Path) -> Result<(RunSummary, Aggregates), Error> {
    let summary_path = dir.join("summary.json");
    let text = match std::fs::read_to_string(&summary_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir.is_dir() => {
            return Err(input_error(
                dir,
                0,
                "no summary.json: the run that wrote this folder did not finish".into(),
            ));
        }
        Err(e) => return Err(io_error(&summary_path, e)),
    };
    let summary: RunSummary = serde_json::from_str(&text).map_err(|e| {
        input_error(
            &summary_path,
            e.line() as u64,
            format!("not a summary.json: {e}"),
        )
    })?;
    let window = WindowKind::parse(&summary.window).ok_or_else(|| {
        input_error(
            &summary_path,
            0,
            format!("unknown window {:?}", summary.window),
        )
    })?;
    check_files(dir, &summary, TABLE_FILES)?;
    let mut agg = Aggregates::new(window);
    // Error records are not in the aggregates (see `Aggregates::documents`).
    agg.documents = summary.documents.saturating_sub(summary.errors);
    agg.windows = summary.windows;

    super::csv::read_entities(&dir.join("entities.csv"), &mut agg)?;
    super::csv::read_pairs(&dir.join("cooccurrence.csv"), &mut agg)?;
    super::json::read_examples(&dir.join("cooccurrence.json"), &mut agg)?;
    super::csv::read_discovered(&dir.join("discovered.csv"), &mut agg)?;
    if let Some(periods) = &summary.periods {
        let bucket = Bucket::parse(&periods.bucket).ok_or_else(|| {
            input_error(
                &summary_path,
                0,
                format!("unknown bucket {:?}", periods.bucket),
            )
        })?;
        agg.bucket = Some(bucket);
        agg.unparsed_dates = periods.unparsed_dates;
        super::periods::read_periods(dir, &mut agg)?;
    }
    Ok((summary, agg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_how_bytes_are_split() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut whole = ContentHash::default();
        whole.update(&data);
        for cuts in [
            vec![1, 7, 9],
            vec![8, 16],
            vec![3],
            vec![0, 99],
            vec![50, 51, 52],
        ] {
            let mut h = ContentHash::default();
            let mut at = 0;
            for c in cuts.iter().copied().chain([data.len()]) {
                h.update(&data[at..c]);
                at = c;
            }
            assert_eq!(h.finish(), whole.finish(), "cuts {cuts:?}");
        }
        // Different bytes, or the same ones with a zero more, differ.
        let mut other = ContentHash::default();
        other.update(&data[..99]);
        assert_ne!(other.finish(), whole.finish());
        let mut longer = ContentHash::default();
        longer.update(&data);
        longer.update(&[0]);
        assert_ne!(longer.finish(), whole.finish());
    }

    #[test]
    fn leftover_temporary_names() {
        for (name, leftover) in [
            (".documents.csv.tmp", true),
            (".documents.csv.4242-7.tmp", true),
            (".graph.graphml.tmp", true),
            (".summary.json.1-0.tmp", true),
            (".notes.txt.tmp", false),
            ("documents.csv.tmp", false),
            (".documents.csvx.tmp", false),
            (".documents.csv", false),
            (".alam.lock", false),
        ] {
            assert_eq!(is_leftover_tmp(name), leftover, "{name}");
        }
    }

    /// A file whose writes fail as on a full disk: the error names the
    /// file, and the failed commit leaves no temporary file.
    #[test]
    fn write_errors_name_the_file_and_remove_the_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(dir.path(), "documents.csv").unwrap();
        let tmp = f.tmp.clone();
        assert!(tmp.exists());
        let full = File::options().write(true).open("/dev/full").unwrap();
        f.writer = Some(BufWriter::with_capacity(16, full));
        let err = f.write_all(&[b'x'; 100]).unwrap_err();
        let expected = format!("{}: ", dir.path().join("documents.csv").display());
        assert!(err.to_string().starts_with(&expected), "{err}");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        drop(f);
        assert!(!tmp.exists());
        // The commit's flush fails too, and removes the temporary file.
        let mut f = AtomicFile::create(dir.path(), "mentions.csv").unwrap();
        let tmp2 = f.tmp.clone();
        let full = File::options().write(true).open("/dev/full").unwrap();
        f.writer = Some(BufWriter::with_capacity(1 << 10, full));
        f.write_all(b"a,b\n").unwrap();
        let err = f.commit().unwrap_err();
        assert!(err.to_string().contains("mentions.csv: "), "{err}");
        assert!(!tmp2.exists());
        assert!(!dir.path().join("mentions.csv").exists());
    }

    /// Every file the writers make is one a later commit may remove.
    #[test]
    fn every_file_written_is_a_known_name() {
        use crate::output::{CsvStyle, DocumentWriters, Formats, finish_run};
        let dir = tempfile::tempdir().unwrap();
        let formats = Formats::parse("csv,json,graph,html").unwrap();
        let style = CsvStyle::default();
        let folder = OutputFolder::open(dir.path()).unwrap();
        let writers = DocumentWriters::create(&folder, formats, style).unwrap();
        let agg = crate::cooccur::Aggregates::default();
        let summary = RunSummary::default();
        let written = finish_run(writers, folder, &agg, &summary, formats, style).unwrap();
        assert_eq!(written.files.len(), 11);
        for f in &written.files {
            assert!(KNOWN_FILES.contains(&f.name.as_str()), "{}", f.name);
        }
    }

    /// The Spark job removes an earlier run's files by the same list
    /// (`KNOWN_FILES` in `spark/alam_job.py`): the two must not drift.
    #[test]
    fn the_spark_job_knows_the_same_file_names() {
        let job = include_str!("../../spark/alam_job.py");
        let start = job.find("KNOWN_FILES = (").expect("KNOWN_FILES in the job");
        let block = &job[start..];
        let block = &block[..block.find("\n)").expect("the tuple's end")];
        let names: Vec<&str> = block
            .lines()
            .skip(1)
            .map(|l| l.trim().trim_end_matches(',').trim_matches('"'))
            .collect();
        assert_eq!(names, KNOWN_FILES);
    }

    #[test]
    fn temporary_names_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let a = AtomicFile::create(dir.path(), "x.csv").unwrap();
        let b = AtomicFile::create(dir.path(), "x.csv").unwrap();
        assert_ne!(a.tmp, b.tmp);
        drop(a);
        drop(b);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
