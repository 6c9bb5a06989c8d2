//! Output writers, one per format. A run writes its files into the
//! staging folder of an [`OutputFolder`], each under a temporary name
//! renamed when complete, and the folder's commit puts them in place of the
//! earlier run's, `summary.json` last: an interrupted run never leaves a
//! half-written table behind a valid name, nor a mix of two runs' tables
//! (see [`folder`]).
//!
//! Each format's reader sits beside its writer, so a header and its
//! parser change together: [`read_part`] (in `folder`) reads a finished
//! run's folder back for `alam merge` and `alam report`, with
//! `csv` reading `entities.csv`, `cooccurrence.csv` and `discovered.csv`,
//! `json` the examples of `cooccurrence.json` and the lines of
//! `alam stream` ([`parse_stream_line`]), and `periods` the tables by
//! period.

pub mod csv;
pub mod folder;
pub mod graph;
pub mod html;
pub mod json;
mod json_text;
pub mod neo4j;
pub mod periods;
pub mod xlsx;

pub use self::csv::{CsvStyle, CsvTable};
pub use self::folder::{
    AtomicFile, OutputFolder, PER_DOCUMENT_FILES, append_file, check_files, check_mergeable,
    lists_files, read_part,
};
pub use self::json::parse_stream_line;
pub use self::json::{PeriodSummary, RunSummary};
pub use self::xlsx::XlsxBook;

use std::io::{self, Write};

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
    /// `tables.xlsx`: every table as a sheet.
    pub xlsx: bool,
    /// `neo4j/nodes.csv`, `neo4j/relationships.csv`.
    pub neo4j: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            csv: true,
            json: true,
            graph: false,
            html: false,
            xlsx: false,
            neo4j: false,
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
            xlsx: false,
            neo4j: false,
        };
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "csv" => f.csv = true,
                "json" => f.json = true,
                "graph" => f.graph = true,
                "html" => f.html = true,
                "xlsx" => f.xlsx = true,
                "neo4j" => f.neo4j = true,
                other => {
                    return Err(format!(
                        "unknown format {other:?} (expected csv, json, graph, html, xlsx, neo4j)"
                    ));
                }
            }
        }
        if !(f.csv || f.json || f.graph || f.html || f.xlsx || f.neo4j) {
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
            ("xlsx", self.xlsx),
            ("neo4j", self.neo4j),
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
    /// The rows of the `documents` and `mentions` sheets of `tables.xlsx`.
    xlsx: Option<xlsx::RecordRows>,
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
        self.xlsx = formats
            .xlsx
            .then(|| xlsx::RecordRows::new(rec, chars, mentions, entities));
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
/// `documents.csv` (csv), `mentions.jsonl` (json), and the `documents`
/// and `mentions` sheets of `tables.xlsx` (xlsx).
#[derive(Debug)]
pub struct DocumentWriters {
    style: CsvStyle,
    mentions_csv: Option<CsvTable<AtomicFile>>,
    documents_csv: Option<CsvTable<AtomicFile>>,
    mentions_jsonl: Option<AtomicFile>,
    /// Finished by [`finish_run`], with the aggregate sheets.
    xlsx: Option<XlsxBook>,
    /// The rows being written by [`DocumentWriters::write`].
    scratch: Vec<u8>,
}

/// A writer that collects bytes in `buf` and writes them to `out` a block
/// at a time (and the rest at [`Spill::finish`]).
struct Spill<'a, W: Write> {
    buf: &'a mut Vec<u8>,
    out: &'a mut W,
}

impl<W: Write> Spill<'_, W> {
    /// The size of the blocks handed to `out`.
    const BLOCK: usize = 1 << 16;

    /// Writes what is left in the buffer.
    fn finish(self) -> io::Result<()> {
        self.out.write_all(self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Write for Spill<'_, W> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::BLOCK {
            self.out.write_all(self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// [`DocumentWriters::write`] puts together this many `mentions.csv` rows
/// at a time.
const ROWS_AT_ONCE: usize = 256;

impl DocumentWriters {
    /// Creates the files in `folder`'s staging folder.
    pub fn create(folder: &OutputFolder, formats: Formats, style: CsvStyle) -> io::Result<Self> {
        let mut w = DocumentWriters {
            style,
            mentions_csv: None,
            documents_csv: None,
            mentions_jsonl: None,
            xlsx: None,
            scratch: Vec::new(),
        };
        if formats.csv {
            w.mentions_csv = Some(CsvTable::new(
                folder.create("mentions.csv")?,
                &csv::MENTIONS_HEADER,
                style,
            )?);
            w.documents_csv = Some(CsvTable::new(
                folder.create("documents.csv")?,
                &csv::DOCUMENTS_HEADER,
                style,
            )?);
        }
        if formats.json {
            w.mentions_jsonl = Some(folder.create("mentions.jsonl")?);
        }
        if formats.xlsx {
            w.xlsx = Some(XlsxBook::create(folder.dir(), true)?);
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
        if let Some(book) = &mut self.xlsx {
            book.write_record(&xlsx::RecordRows::new(rec, chars, mentions, entities))?;
        }
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
            // Serialized into the scratch buffer, handed to the file 64 KiB
            // at a time: the serializer's many small pieces (a quote, a
            // key, a comma) each cost a call into the file otherwise.
            scratch.clear();
            let mut spill = Spill {
                buf: scratch,
                out: w,
            };
            json::write_mentions_line(&rec.document, mentions, &mut spill)?;
            spill.finish()?;
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
        if let (Some(book), Some(rows)) = (&mut self.xlsx, &r.xlsx) {
            book.write_record(rows)?;
        }
        Ok(())
    }

    /// Flushes every file and gives it its final name (`tables.xlsx`,
    /// which needs the aggregates, is left to [`finish_run`]).
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
/// `folder`, each on a thread of its own (they only read the aggregates),
/// then commits the folder ([`OutputFolder::commit`]: `summary.json` with
/// the list of files, and the files in place of the earlier run's) once
/// all of them succeeded. Returns the summary as written.
pub fn write_tables(
    folder: OutputFolder,
    agg: &Aggregates,
    summary: &RunSummary,
    formats: Formats,
    style: CsvStyle,
) -> io::Result<RunSummary> {
    let book = match formats.xlsx {
        true => Some(XlsxBook::create(folder.dir(), false)?),
        false => None,
    };
    write_tables_with(folder, agg, summary, formats, style, book, Vec::new())
}

/// Like [`write_tables`], with `book` (made by [`XlsxBook::create`],
/// its per-document sheets filled) as `tables.xlsx` when `formats`
/// selects xlsx.
pub fn write_tables_and_book(
    folder: OutputFolder,
    agg: &Aggregates,
    summary: &RunSummary,
    formats: Formats,
    style: CsvStyle,
    book: XlsxBook,
) -> io::Result<RunSummary> {
    let book = formats.xlsx.then_some(book);
    write_tables_with(folder, agg, summary, formats, style, book, Vec::new())
}

/// Ends a run: `writers`' files are flushed and renamed while the tables
/// are written as [`write_tables`] does, then the folder is committed.
/// Returns the summary as written.
pub fn finish_run(
    writers: DocumentWriters,
    folder: OutputFolder,
    agg: &Aggregates,
    summary: &RunSummary,
    formats: Formats,
    style: CsvStyle,
) -> io::Result<RunSummary> {
    let mut writers = writers;
    let book = writers.xlsx.take();
    let commit: Job = Box::new(move || writers.commit());
    write_tables_with(folder, agg, summary, formats, style, book, vec![commit])
}

/// Work for [`write_tables_with`] to do alongside the tables.
type Job<'a> = Box<dyn FnOnce() -> io::Result<()> + Send + 'a>;

/// Writes the aggregate tables into `folder`, each on a thread of its own
/// (they only read the aggregates), runs the jobs `also` at the same time
/// (say, committing the per-document files), and commits the folder last,
/// once all of that succeeded. `book` becomes `tables.xlsx`. On errors,
/// the first in the order of the jobs, then of the formats, is returned,
/// and the folder is left as the earlier run left it.
fn write_tables_with<'a>(
    folder: OutputFolder,
    agg: &'a Aggregates,
    summary: &'a RunSummary,
    formats: Formats,
    style: CsvStyle,
    book: Option<XlsxBook>,
    also: Vec<Job<'a>>,
) -> io::Result<RunSummary> {
    // Sorted once for all the tables that list the entities and the pairs
    // (each sorted them again: a comparison sort of tens of thousands of
    // ids), the two sorts at once.
    let listed = formats.csv
        || formats.json
        || formats.graph
        || formats.xlsx
        || formats.neo4j
        || formats.html;
    let (pairs, entities) = if listed {
        rayon::join(
            || agg.pairs_sorted(summary.min_count),
            || agg.entities_sorted(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    {
        let (pairs, entities) = (&pairs, &entities);
        let dir = &folder;
        let mut jobs = also;
        if formats.csv {
            jobs.push(Box::new(move || {
                csv::write_entities(dir.create("entities.csv")?, agg, entities, style)?.commit()
            }));
            jobs.push(Box::new(move || {
                csv::write_discovered(dir.create("discovered.csv")?, agg, style)?.commit()
            }));
            jobs.push(Box::new(move || {
                csv::write_cooccurrence(dir.create("cooccurrence.csv")?, agg, pairs, style)?
                    .commit()
            }));
            if agg.bucket.is_some() {
                jobs.push(Box::new(move || {
                    periods::write_periods(dir.create("periods.csv")?, agg, style)?.commit()
                }));
                jobs.push(Box::new(move || {
                    let f = dir.create("entities_by_period.csv")?;
                    periods::write_entities_by_period(f, agg, style)?.commit()
                }));
                jobs.push(Box::new(move || {
                    let f = dir.create("cooccurrence_by_period.csv")?;
                    periods::write_cooccurrence_by_period(f, agg, summary.min_count, style)?
                        .commit()
                }));
            }
        }
        if formats.json {
            jobs.push(Box::new(move || {
                json::write_entities(dir.create("entities.json")?, agg, entities)?.commit()
            }));
            jobs.push(Box::new(move || {
                json::write_cooccurrence(dir.create("cooccurrence.json")?, agg, pairs)?.commit()
            }));
        }
        if formats.graph {
            jobs.push(Box::new(move || {
                graph::write_gexf(dir.create("graph.gexf")?, agg, entities, pairs)?.commit()
            }));
            jobs.push(Box::new(move || {
                graph::write_graphml(dir.create("graph.graphml")?, agg, entities, pairs)?.commit()
            }));
        }
        if formats.html {
            jobs.push(Box::new(move || {
                let f = dir.create("report.html")?;
                html::write_report(f, agg, summary, entities, pairs)?.commit()
            }));
        }
        if let Some(book) = book {
            jobs.push(Box::new(move || book.finish(dir, agg, entities, pairs)));
        }
        if formats.neo4j {
            jobs.push(Box::new(move || {
                neo4j::write_nodes(dir.create("neo4j/nodes.csv")?, entities)?.commit()
            }));
            jobs.push(Box::new(move || {
                neo4j::write_relationships(dir.create("neo4j/relationships.csv")?, pairs)?.commit()
            }));
        }
        run_jobs(jobs)?;
    }
    // The rows of the tables, for summary.json's list of files.
    let entities = agg.entities.len() as u64;
    let discovered = agg
        .entities
        .keys()
        .filter(|id| agg.discovered.contains_key(*id))
        .count() as u64;
    let pairs = pairs.len() as u64;
    let [periods, period_entities, period_pairs] = periods::row_counts(agg, summary.min_count);
    let rows = [
        ("periods.csv", periods),
        ("entities_by_period.csv", period_entities),
        ("cooccurrence_by_period.csv", period_pairs),
        ("documents.csv", summary.documents),
        ("mentions.csv", summary.mentions),
        ("mentions.jsonl", summary.documents - summary.errors),
        ("entities.csv", entities),
        ("entities.json", entities),
        ("discovered.csv", discovered),
        ("cooccurrence.csv", pairs),
        ("cooccurrence.json", pairs),
        ("neo4j/nodes.csv", entities),
        ("neo4j/relationships.csv", pairs),
    ];
    // Last: the summary is there only when every table is.
    folder.commit(summary, &rows)
}

/// Appends `x` with six decimals, as `format!("{x:.6}")` writes it (the
/// tables' NPMI cells), without the formatter for values up to 1,000 in
/// magnitude (NPMI is within -1..=1): core's exact formatting was about
/// 1,500 instructions a cell, a third of a `cooccurrence.csv` row.
///
/// `x * 1e6` is then within 6e-8 of the exact scaled value, so it rounds
/// to the same integer unless it is within 1e-6 of a tie (half-way between
/// two), which is left to the formatter, as are NaN, infinities and larger
/// values. The sign is kept, as the formatter keeps it: `-0.000000` for
/// `-0.0` and for a negative value that rounds to zero.
pub(crate) fn push_fixed6(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    let scaled = x.abs() * 1e6;
    if scaled.is_nan() || scaled > 1e9 {
        let _ = write!(out, "{x:.6}");
        return;
    }
    let floor = scaled.floor();
    let frac = scaled - floor;
    if (frac - 0.5).abs() < 1e-6 {
        let _ = write!(out, "{x:.6}");
        return;
    }
    // At most 1e9 + 1: exact in a u64.
    let n = (if frac > 0.5 { floor + 1.0 } else { floor }) as u64;
    if x.is_sign_negative() {
        out.push('-');
    }
    let mut digits = itoa::Buffer::new();
    out.push_str(digits.format(n / 1_000_000));
    out.push('.');
    let decimals = digits.format(n % 1_000_000);
    for _ in decimals.len()..6 {
        out.push('0');
    }
    out.push_str(decimals);
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
    /// Items per block.
    const BLOCK: usize = 1024;
    // Blocks made before they are written: two per thread keep every
    // thread busy, and bound the bytes held (a block of `cooccurrence.json`
    // with three examples a pair is about 4 MB; 32 at once held 130 MB).
    let at_once = 2 * rayon::current_num_threads().max(1);
    for (n, blocks) in items.chunks(BLOCK * at_once).enumerate() {
        let first = n * BLOCK * at_once;
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

/// Runs `jobs` at once as tasks of the rayon pool the caller runs on (the
/// batch's pool, so `threads` bounds the tail of a run too: with one
/// thread they run one after the other), and returns the first error in
/// their order. A job that panics is an error, "a table writer failed".
fn run_jobs(jobs: Vec<Job<'_>>) -> io::Result<()> {
    let mut results: Vec<io::Result<()>> = jobs.iter().map(|_| Ok(())).collect();
    rayon::scope(|scope| {
        for (job, slot) in jobs.into_iter().zip(results.iter_mut()) {
            scope.spawn(move |_| {
                *slot = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                    .unwrap_or_else(|_| Err(io::Error::other("a table writer failed")));
            });
        }
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::push_fixed6;

    fn fixed6(x: f64) -> String {
        let mut s = String::new();
        push_fixed6(&mut s, x);
        s
    }

    /// The formatter's text, on values of every kind: signs and zeros,
    /// the ends of NPMI's range, exact ties and values a hair from them
    /// (left to the formatter or not), the edge of the fast path, and
    /// what it leaves to the formatter.
    #[test]
    fn six_decimals_are_the_formatters() {
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1e-7,
            -1e-7,
            4e-7,
            -4e-7,
            5e-7,
            -5e-7,
            0.0000015,
            0.1234565,
            0.9999995,
            -0.9999995,
            0.409610,
            999.9999994,
            999.9999996,
            1000.0,
            1000.0000004,
            123_456.789,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for k in [0u64, 1, 2, 12, 123_456, 999_999] {
            let tie = (k as f64 + 0.5) / 1e6;
            for d in [0.0, 1e-17, -1e-17, 1e-13, -1e-13, 1e-12, -1e-12] {
                cases.push(tie + d);
                cases.push(-(tie + d));
            }
        }
        for x in cases {
            assert_eq!(fixed6(x), format!("{x:.6}"), "{x:e}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// Random values of NPMI's range and beyond, and random bit
        /// patterns: the formatter's text.
        #[test]
        fn six_decimals_of_random_values(
            x in -1.0f64..=1.0,
            y in -2000.0f64..2000.0,
            bits in proptest::num::u64::ANY,
        ) {
            for v in [x, y, f64::from_bits(bits)] {
                proptest::prop_assert_eq!(fixed6(v), format!("{v:.6}"), "{:e}", v);
            }
        }
    }
}
