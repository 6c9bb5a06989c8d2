//! Output writers, one per format. Every file is written under a temporary
//! name in the output folder and renamed when complete, so an interrupted
//! run never leaves a half-written table behind a valid name.

pub mod csv;
pub mod graph;
pub mod html;
pub mod json;

pub use self::csv::{CsvStyle, CsvTable};
pub use self::json::RunSummary;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file written under a temporary name and renamed by [`AtomicFile::commit`].
/// Dropped without a commit, the temporary file is removed.
#[derive(Debug)]
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates `dir/.name.tmp`, to become `dir/name`.
    pub fn create(dir: &Path, name: &str) -> io::Result<AtomicFile> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let file = File::create(&tmp).map_err(|e| with_path(e, &tmp))?;
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            tmp,
            path,
        })
    }

    /// The final path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs nothing more, and renames to the final name.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(|e| with_path(e, &self.tmp))?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| with_path(e, &self.path))
    }
}

impl Write for AtomicFile {
    // Inlined, and `write_all` forwarded, because serializers write many
    // small pieces (a quote, a key, a comma).
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.write_all(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

use crate::cooccur::Aggregates;
use crate::input::InputRecord;
use crate::pipeline::Mention;

/// Which output formats to write. Default: `csv,json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    /// `mentions.csv`, `documents.csv`, `entities.csv`, `cooccurrence.csv`.
    pub csv: bool,
    /// `mentions.jsonl`, `entities.json`, `cooccurrence.json`.
    pub json: bool,
    /// `graph.gexf`, `graph.graphml`.
    pub graph: bool,
    /// `report.html`.
    pub html: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            csv: true,
            json: true,
            graph: false,
            html: false,
        }
    }
}

impl Formats {
    /// Parses a comma-separated list such as `csv,json,graph`.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f = Formats {
            csv: false,
            json: false,
            graph: false,
            html: false,
        };
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "csv" => f.csv = true,
                "json" => f.json = true,
                "graph" => f.graph = true,
                "html" => f.html = true,
                other => {
                    return Err(format!(
                        "unknown format {other:?} (expected csv, json, graph, html)"
                    ));
                }
            }
        }
        if !(f.csv || f.json || f.graph || f.html) {
            return Err("no output format given".to_string());
        }
        Ok(f)
    }

    /// The names of the selected formats.
    pub fn names(&self) -> Vec<String> {
        [
            ("csv", self.csv),
            ("json", self.json),
            ("graph", self.graph),
            ("html", self.html),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| n.to_string())
        .collect()
    }
}

/// One input record as it appears in the files written document by
/// document, made before it is written: workers make it, so that the
/// writing thread only copies bytes.
#[derive(Clone, Debug, Default)]
pub struct RenderedRecord {
    documents_csv: Vec<u8>,
    mentions_csv: Vec<u8>,
    mentions_jsonl: Vec<u8>,
}

impl RenderedRecord {
    /// The record `rec`, with `chars` characters, its `mentions` and the
    /// number of distinct `entities` they name, for the files `formats`
    /// selects, CSV in `style`. Error records get a `documents.csv` row
    /// only.
    pub fn new(
        formats: Formats,
        style: CsvStyle,
        rec: &InputRecord,
        chars: usize,
        mentions: &[Mention],
        entities: usize,
    ) -> io::Result<RenderedRecord> {
        let mut r = RenderedRecord::default();
        r.render(formats, style, rec, chars, mentions, entities)?;
        Ok(r)
    }

    /// Like [`RenderedRecord::new`], into these buffers.
    fn render(
        &mut self,
        formats: Formats,
        style: CsvStyle,
        rec: &InputRecord,
        chars: usize,
        mentions: &[Mention],
        entities: usize,
    ) -> io::Result<()> {
        self.documents_csv.clear();
        self.mentions_csv.clear();
        self.mentions_jsonl.clear();
        if formats.csv {
            csv::document_row(
                &mut self.documents_csv,
                rec,
                chars,
                mentions.len(),
                entities,
                style,
            );
        }
        if rec.status == crate::input::Status::Error {
            return Ok(());
        }
        if formats.csv {
            csv::mentions_rows(&mut self.mentions_csv, &rec.document, mentions, style);
        }
        if formats.json {
            json::mentions_line(&rec.document, mentions, &mut self.mentions_jsonl)?;
        }
        Ok(())
    }
}

/// The files written document by document: `mentions.csv`,
/// `documents.csv` (csv) and `mentions.jsonl` (json).
#[derive(Debug)]
pub struct DocumentWriters {
    style: CsvStyle,
    mentions_csv: Option<CsvTable<AtomicFile>>,
    documents_csv: Option<CsvTable<AtomicFile>>,
    mentions_jsonl: Option<AtomicFile>,
    /// The rows being written by [`DocumentWriters::write`].
    scratch: Vec<u8>,
}

/// [`DocumentWriters::write`] puts together this many `mentions.csv` rows
/// at a time.
const ROWS_AT_ONCE: usize = 256;

impl DocumentWriters {
    /// Creates the temporary files in `dir`.
    pub fn create(dir: &Path, formats: Formats, style: CsvStyle) -> io::Result<Self> {
        let mut w = DocumentWriters {
            style,
            mentions_csv: None,
            documents_csv: None,
            mentions_jsonl: None,
            scratch: Vec::new(),
        };
        if formats.csv {
            w.mentions_csv = Some(CsvTable::new(
                AtomicFile::create(dir, "mentions.csv")?,
                &csv::MENTIONS_HEADER,
                style,
            )?);
            w.documents_csv = Some(CsvTable::new(
                AtomicFile::create(dir, "documents.csv")?,
                &csv::DOCUMENTS_HEADER,
                style,
            )?);
        }
        if formats.json {
            w.mentions_jsonl = Some(AtomicFile::create(dir, "mentions.jsonl")?);
        }
        Ok(w)
    }

    /// Writes one input record and its mentions, as [`RenderedRecord`]
    /// would have them, but a few rows at a time: the memory it takes does
    /// not grow with the number of mentions. Error records get a
    /// `documents.csv` row only.
    pub fn write(
        &mut self,
        rec: &InputRecord,
        chars: usize,
        mentions: &[Mention],
        entities: usize,
    ) -> io::Result<()> {
        let scratch = &mut self.scratch;
        if let Some(w) = &mut self.documents_csv {
            scratch.clear();
            csv::document_row(scratch, rec, chars, mentions.len(), entities, self.style);
            w.rows(scratch)?;
        }
        if rec.status == crate::input::Status::Error {
            return Ok(());
        }
        if let Some(w) = &mut self.mentions_csv {
            for rows in mentions.chunks(ROWS_AT_ONCE) {
                scratch.clear();
                csv::mentions_rows(scratch, &rec.document, rows, self.style);
                w.rows(scratch)?;
            }
        }
        if let Some(w) = &mut self.mentions_jsonl {
            json::write_mentions_line(&rec.document, mentions, w)?;
        }
        Ok(())
    }

    /// Writes a record made by [`RenderedRecord::new`] with the formats and
    /// style these writers were created with.
    pub fn write_rendered(&mut self, r: &RenderedRecord) -> io::Result<()> {
        if let Some(w) = &mut self.documents_csv {
            w.rows(&r.documents_csv)?;
        }
        if let Some(w) = &mut self.mentions_csv {
            w.rows(&r.mentions_csv)?;
        }
        if let Some(w) = &mut self.mentions_jsonl {
            w.write_all(&r.mentions_jsonl)?;
        }
        Ok(())
    }

    /// Flushes every file and gives it its final name.
    pub fn commit(self) -> io::Result<()> {
        if let Some(w) = self.mentions_csv {
            w.finish()?.commit()?;
        }
        if let Some(w) = self.documents_csv {
            w.finish()?.commit()?;
        }
        if let Some(w) = self.mentions_jsonl {
            w.commit()?;
        }
        Ok(())
    }
}

/// Writes the aggregate tables (entities, co-occurrence, graphs) into
/// `dir`, each on a thread of its own (they only read the aggregates), then
/// `summary.json`, once all of them succeeded.
pub fn write_tables(
    dir: &Path,
    agg: &Aggregates,
    summary: &RunSummary,
    formats: Formats,
    style: CsvStyle,
) -> io::Result<()> {
    write_tables_with(dir, agg, summary, formats, style, Vec::new())
}

/// Ends a run: `writers`' files are flushed and renamed (which may free
/// the previous run's files, a few milliseconds in the kernel) while the
/// tables are written as [`write_tables`] does, then `summary.json`.
pub fn finish_run(
    writers: DocumentWriters,
    dir: &Path,
    agg: &Aggregates,
    summary: &RunSummary,
    formats: Formats,
    style: CsvStyle,
) -> io::Result<()> {
    let commit: Job = Box::new(move || writers.commit());
    write_tables_with(dir, agg, summary, formats, style, vec![commit])
}

/// Work for [`write_tables_with`] to do alongside the tables.
type Job<'a> = Box<dyn FnOnce() -> io::Result<()> + Send + 'a>;

/// Writes the aggregate tables into `dir`, each on a thread of its own
/// (they only read the aggregates), runs the jobs `also` at the same time
/// (say, committing the per-document files), and writes `summary.json`
/// last, once all of that succeeded. On errors, the first in the order of
/// the jobs, then of the formats, is returned.
fn write_tables_with<'a>(
    dir: &'a Path,
    agg: &'a Aggregates,
    summary: &'a RunSummary,
    formats: Formats,
    style: CsvStyle,
    also: Vec<Job<'a>>,
) -> io::Result<()> {
    // Sorted once for every table that lists the pairs.
    let pairs = if formats.csv || formats.json || formats.graph {
        agg.pairs_sorted(summary.min_count)
    } else {
        Vec::new()
    };
    let pairs = &pairs;
    let mut jobs = also;
    if formats.csv {
        jobs.push(Box::new(move || {
            csv::write_entities(AtomicFile::create(dir, "entities.csv")?, agg, style)?.commit()
        }));
        jobs.push(Box::new(move || {
            csv::write_discovered(AtomicFile::create(dir, "discovered.csv")?, agg, style)?.commit()
        }));
        jobs.push(Box::new(move || {
            csv::write_cooccurrence(
                AtomicFile::create(dir, "cooccurrence.csv")?,
                agg,
                pairs,
                style,
            )?
            .commit()
        }));
    }
    if formats.json {
        jobs.push(Box::new(move || {
            json::write_entities(AtomicFile::create(dir, "entities.json")?, agg)?.commit()
        }));
        jobs.push(Box::new(move || {
            json::write_cooccurrence(AtomicFile::create(dir, "cooccurrence.json")?, agg, pairs)?
                .commit()
        }));
    }
    if formats.graph {
        jobs.push(Box::new(move || {
            graph::write_gexf(AtomicFile::create(dir, "graph.gexf")?, agg, pairs)?.commit()
        }));
        jobs.push(Box::new(move || {
            graph::write_graphml(AtomicFile::create(dir, "graph.graphml")?, agg, pairs)?.commit()
        }));
    }
    if formats.html {
        jobs.push(Box::new(move || {
            html::write_report(AtomicFile::create(dir, "report.html")?, agg, summary)?.commit()
        }));
    }
    run_jobs(jobs)?;
    // Last: the summary is there only when every table is.
    json::write_summary(AtomicFile::create(dir, "summary.json")?, summary)?.commit()
}

/// Puts `items` into bytes a block at a time, in parallel on the worker
/// threads (`render` gets the index of a block's first item and the
/// block), and hands the blocks to `write` in order. For the tables written
/// after the last document, which can hold hundreds of thousands of rows.
pub(crate) fn write_in_blocks<T: Sync>(
    items: &[T],
    render: impl Fn(usize, &[T]) -> io::Result<Vec<u8>> + Sync,
    mut write: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    use rayon::prelude::*;
    /// Items per block, and blocks made before they are written.
    const BLOCK: usize = 1024;
    const BLOCKS_AT_ONCE: usize = 32;
    for (n, blocks) in items.chunks(BLOCK * BLOCKS_AT_ONCE).enumerate() {
        let first = n * BLOCK * BLOCKS_AT_ONCE;
        let rendered: Vec<io::Result<Vec<u8>>> = blocks
            .par_chunks(BLOCK)
            .enumerate()
            .map(|(k, block)| render(first + k * BLOCK, block))
            .collect();
        for block in rendered {
            write(&block?)?;
        }
    }
    Ok(())
}

/// Runs `jobs` at once, one thread each, and returns the first error in
/// their order.
fn run_jobs(jobs: Vec<Job<'_>>) -> io::Result<()> {
    std::thread::scope(|scope| {
        let running: Vec<_> = jobs.into_iter().map(|job| scope.spawn(job)).collect();
        let mut first = Ok(());
        for handle in running {
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a table writer failed")));
            if first.is_ok() {
                first = result;
            }
        }
        first
    })
}
