//! The batch engine; its rules are documented on [`Batch`], the public item.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, sync_channel};

use crate::cooccur::{
    Aggregates, DocumentCounts, DocumentExamples, EntityInfo, EntityPair, Evidence, WindowKind,
    discovered_example,
};
use crate::error::{BatchError, Error};
use crate::gazetteer::Gazetteer;
use crate::input::{DuplicateIds, InputRecord, RawRecord, Status};
use crate::output::{
    CsvStyle, DocumentWriters, Formats, OutputFolder, RenderedRecord, RunSummary, finish_run,
};
use crate::period::Bucket;
use crate::pipeline::{Document, Mention, Pipeline};
use crate::relations::{Hits, Relations};
use crate::segment::Windows;

/// Documents per chunk, at most.
const CHUNK_DOCUMENTS: usize = 256;
/// Bytes of text per chunk, at most (a single larger document still fits).
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks being processed at once, at most: this many, or two per worker
/// if that is more.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Turns documents into the records [`Batch::for_each`] reads, each with
/// status `ok` and its id as its source.
pub fn records<I>(docs: I) -> impl Iterator<Item = RawRecord> + Send
where
    I: IntoIterator<Item = Document>,
    I::IntoIter: Send,
{
    docs.into_iter().map(|document| {
        RawRecord::from(InputRecord {
            source: document.id.clone(),
            document,
            status: Status::Ok,
            message: String::new(),
        })
    })
}

/// One processed record: the input record, its mentions and windows.
#[derive(Debug)]
pub struct Processed {
    /// The record as read (id, text, source, status, message).
    pub record: InputRecord,
    /// The sentence and paragraph boundaries of the text.
    pub windows: Windows,
    /// The text's length in characters.
    pub chars: usize,
    /// The mentions, in text order.
    pub mentions: Vec<Mention>,
    /// The number of windows of the batch's kind.
    pub window_count: u64,
    /// The relation triggers found in the text (none when the batch has
    /// no relation lists).
    pub hits: Hits,
    /// The document's entity and pair counts, when a worker made them
    /// (see [`Processed::count`]).
    counts: Option<DocumentCounts>,
    /// The record as written in the per-document files, when the workers
    /// were asked to make it.
    rendered: Option<RenderedRecord>,
}

impl Processed {
    /// The document's entity and pair counts for windows of kind
    /// `window`, made now unless a worker made them.
    pub fn count(&mut self, window: WindowKind) -> &DocumentCounts {
        let (mentions, windows, hits) = (&self.mentions, self.window_count, &self.hits);
        self.counts
            .get_or_insert_with(|| DocumentCounts::with_hits(mentions, window, windows, hits))
    }

    /// Takes the counts out (made now unless a worker made them).
    pub fn take_counts(&mut self, window: WindowKind) -> DocumentCounts {
        self.count(window);
        self.counts.take().unwrap_or_default()
    }

    /// The byte range of window `index` of kind `kind`.
    pub fn window_range(&self, kind: WindowKind, index: usize) -> Range<usize> {
        window_range(&self.windows, kind, index, self.record.document.text.len())
    }

    /// The byte range of the window of kind `kind` that mention `m` is in.
    pub fn mention_window(&self, kind: WindowKind, m: &Mention) -> Range<usize> {
        let index = match kind {
            WindowKind::Sentence => m.sentence,
            WindowKind::Paragraph => m.paragraph,
            WindowKind::Document => 0,
        };
        self.window_range(kind, index)
    }

    /// Adds this document's counts, pair examples and discovered names to
    /// `agg`, with the types and names of `gazetteer`. Error records add
    /// nothing.
    pub fn add_to(&mut self, agg: &mut Aggregates, gazetteer: &Gazetteer) {
        self.add_to_with(agg, gazetteer, true);
    }

    /// [`Processed::add_to`], and the pairs' examples too when
    /// `pair_examples` (without them, [`crate::PairCounts::examples`] stays
    /// empty: what a run whose outputs show none, such as `--format csv`,
    /// need not keep; the discovered names' examples are kept either way).
    pub(crate) fn add_to_with(
        &mut self,
        agg: &mut Aggregates,
        gazetteer: &Gazetteer,
        pair_examples: bool,
    ) {
        if self.record.status == Status::Error {
            return;
        }
        let kind = agg.window;
        let counts = self.take_counts(kind);
        let doc = &self.record.document;
        let mut examples = DocumentExamples::new(&doc.id, &doc.text);
        let example = |_: &EntityPair, ev: &Evidence| {
            if !pair_examples {
                return None;
            }
            let window = self.window_range(kind, ev.window);
            Some(
                examples
                    .example(window, ev.a.clone(), ev.b.clone())
                    .with_trigger(&doc.text, ev),
            )
        };
        let info = |id: &str| info_of(gazetteer, id);
        agg.add(counts, doc.date.as_deref(), info, example);
        agg.add_discovered(&doc.id, &self.mentions, |m| {
            let window = self.mention_window(kind, m);
            Some(discovered_example(&doc.text, window, m))
        });
    }
}

/// The type and names of entity `id` (empty when `gazetteer` has no such
/// entity and discovery did not make the id).
pub(crate) fn info_of(gazetteer: &Gazetteer, id: &str) -> EntityInfo {
    crate::pipeline::entity_info(gazetteer, id).unwrap_or_default()
}

/// The byte range of window `index` of a text of `len` bytes.
fn window_range(windows: &Windows, kind: WindowKind, index: usize, len: usize) -> Range<usize> {
    match kind {
        WindowKind::Sentence => windows.sentence_range(index, len),
        WindowKind::Paragraph => windows.paragraph_range(index, len),
        WindowKind::Document => 0..len,
    }
}

/// The work that either the workers or the reading and writing threads do.
/// With several workers, the workers do it (the reading and writing threads
/// would be the stages that bound the run); with one, the reading and
/// writing threads, which have time to spare on the other core.
#[derive(Clone, Copy, Debug)]
struct WorkerShare {
    /// Parse JSONL lines (else the reading thread does).
    parse: bool,
    /// Count each document's entities and pairs (else the writing thread
    /// does).
    count: bool,
    /// Make the rows of the per-document files, in these formats and CSV
    /// style (else the writing thread does).
    render: Option<(Formats, CsvStyle)>,
}

impl WorkerShare {
    /// The share of `workers` workers, which would render `render`.
    fn of(workers: usize, render: Option<(Formats, CsvStyle)>) -> WorkerShare {
        let several = workers > 1;
        WorkerShare {
            parse: several,
            count: several,
            render: render.filter(|_| several),
        }
    }
}

/// Builds a [`Batch`]. Defaults: as many worker threads as the machine has
/// cores, sentence windows, the built-in relation lists.
#[derive(Clone, Debug, Default)]
pub struct BatchBuilder {
    threads: Option<usize>,
    window: WindowKind,
    /// `None`: the built-in lists; `Some(None)`: no relation hints.
    relations: Option<Option<Relations>>,
}

impl BatchBuilder {
    /// The number of worker threads (at least 1; default: the number of
    /// cores). `--threads` on the command line.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Sets the number of worker threads, or the default with `None`.
    pub fn threads_or_default(mut self, threads: Option<usize>) -> Self {
        self.threads = threads;
        self
    }

    /// The co-occurrence window the documents are counted in (default:
    /// sentence). `--window` on the command line.
    pub fn window(mut self, window: WindowKind) -> Self {
        self.window = window;
        self
    }

    /// The relation trigger lists pairs are given relation hints with
    /// (see [`Relations`](crate::Relations)), or `None` for no hints (`--relations
    /// off`); default: [`Relations::builtin`].
    pub fn relations(mut self, relations: Option<Relations>) -> Self {
        self.relations = Some(relations);
        self
    }

    /// Starts the worker threads for `pipeline`.
    pub fn build(self, pipeline: &Pipeline) -> Result<Batch<'_>, Error> {
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("alam-worker-{i}"))
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| Error::Batch(BatchError::WorkerThreads(Box::new(e))))?;
        let relations = self
            .relations
            .unwrap_or_else(|| Some(Relations::builtin()))
            .filter(|r| !r.is_empty());
        Ok(Batch {
            pipeline,
            pool,
            window: self.window,
            relations,
        })
    }
}

/// The batch engine: many documents through one [`Pipeline`], in
/// parallel, with the results in input order.
///
/// Two levels:
///
/// - [`Batch::for_each`] reads records from any iterator (a list of
///   [`Document`]s through [`records`], or the files of
///   [`Inputs`](crate::input::Inputs)), processes them on a worker pool and
///   hands each [`Processed`] record to a closure on the calling thread, in
///   input order, while later records are being processed.
/// - [`Run`] does what `alam extract` does: the same loop, writing the
///   per-document files as it goes and the tables at the end, into an
///   output folder; it returns a [`RunOutcome`] (the `summary.json`
///   figures) and, through [`Run::run_with`], tells a [`RunObserver`] about
///   every record (its message), the progress, and a `--strict` stop.
///
/// Both give byte-identical results for any number of threads.
///
/// ```
/// use alam::{Batch, records};
/// use alam::{Document, Gazetteer, Pipeline};
///
/// let pipeline = Pipeline::new(&Gazetteer::builtin())?;
/// let batch = Batch::builder().threads(2).build(&pipeline)?;
/// let docs = vec![
///     Document::new("a", "Putin arrived in Beijing."),
///     Document::new("b", "وصل لافروف إلى بكين."),
/// ];
/// let mut ids = Vec::new();
/// batch.for_each(records(docs), |p| {
///     ids.push(p.record.document.id.clone());
///     Ok::<_, alam::Error>(true)
/// })?;
/// assert_eq!(ids, ["a", "b"]); // input order, whatever the threads did
/// # Ok::<(), alam::Error>(())
/// ```
///
/// Documents are read by one thread in chunks (`CHUNK_DOCUMENTS` documents
/// or `CHUNK_BYTES` of text, whichever comes first; a single larger
/// document still fits), processed in parallel, a chunk per worker at a
/// time, and handed over in input order. Memory: at most six chunks of
/// documents plus two per worker (at least four) at a time (one being read,
/// four queued, one waiting for a slot, the others being processed, waiting
/// for an earlier one, or being used), plus, in a [`Run`], the aggregates,
/// which grow with the number of distinct entities and pairs, not with the
/// number of documents.
#[derive(Debug)]
pub struct Batch<'p> {
    pipeline: &'p Pipeline,
    pool: rayon::ThreadPool,
    window: WindowKind,
    relations: Option<Relations>,
}

impl<'p> Batch<'p> {
    /// A builder with the defaults.
    pub fn builder() -> BatchBuilder {
        BatchBuilder::default()
    }

    /// The pipeline the batch runs.
    pub fn pipeline(&self) -> &'p Pipeline {
        self.pipeline
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// The co-occurrence window kind.
    pub fn window(&self) -> WindowKind {
        self.window
    }

    /// The relation trigger lists, if the batch gives relation hints.
    pub fn relations(&self) -> Option<&Relations> {
        self.relations.as_ref()
    }

    /// Reads `records` on a thread of its own, processes them on the
    /// workers, and calls `each` on every processed record in input order
    /// on this thread. Stops early, returning `Ok(false)`, when `each`
    /// returns `Ok(false)`; returns `each`'s first error.
    pub fn for_each<I, E>(
        &self,
        records: I,
        each: impl FnMut(Processed) -> Result<bool, E>,
    ) -> Result<bool, E>
    where
        I: IntoIterator<Item = RawRecord>,
        I::IntoIter: Send,
        E: From<Error>,
    {
        let share = WorkerShare::of(self.threads(), None);
        self.for_each_with(share, records.into_iter(), each)
    }

    /// Processes `docs` and returns the results in input order.
    pub fn process_all<I>(&self, docs: I) -> Vec<Processed>
    where
        I: IntoIterator<Item = Document>,
        I::IntoIter: Send,
    {
        let mut out = Vec::new();
        let _ = self.for_each(records(docs), |p| {
            out.push(p);
            Ok::<_, Error>(true)
        });
        out
    }

    /// The loop of [`Batch::for_each`], with the work split `share`.
    ///
    /// Up to `CHUNKS_IN_FLIGHT` chunks, or two per worker, are processed
    /// at once, each by one worker (splitting a chunk across the workers
    /// cost about a tenth more CPU), so that a worker done with one chunk
    /// takes up the next; results come back tagged with their chunk number
    /// and are put back in order here.
    fn for_each_with<I, E>(
        &self,
        share: WorkerShare,
        records: I,
        mut each: impl FnMut(Processed) -> Result<bool, E>,
    ) -> Result<bool, E>
    where
        I: Iterator<Item = RawRecord> + Send,
        E: From<Error>,
    {
        let (pipeline, window, pool) = (self.pipeline, self.window, &self.pool);
        let relations = self.relations.as_ref();
        let (tx, rx) = sync_channel::<Vec<RawRecord>>(4);
        // A permit per chunk in flight, given back when the chunk is used.
        let in_flight = CHUNKS_IN_FLIGHT.max(2 * pool.current_num_threads());
        let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            // Cannot fail: the channel has room for every permit and its
            // receiver is alive.
            let _ = permit_tx.send(());
        }
        let (done_tx, done_rx) = channel::<(usize, Vec<Processed>)>();
        std::thread::scope(|scope| -> Result<bool, E> {
            let reader = std::thread::Builder::new()
                .name("alam-reader".into())
                .spawn_scoped(scope, move || read_chunks(records, share, tx))
                .map_err(|e| Error::Batch(BatchError::ReaderThread(e)))?;
            scope.spawn(move || {
                pool.in_place_scope(|jobs| {
                    for (index, chunk) in rx.into_iter().enumerate() {
                        if permit_rx.recv().is_err() {
                            return;
                        }
                        let done_tx = done_tx.clone();
                        jobs.spawn(move |_| {
                            let processed: Vec<Processed> = chunk
                                .into_iter()
                                .map(|rec| process(pipeline, relations, window, share, rec))
                                .collect();
                            let _ = done_tx.send((index, processed));
                        });
                    }
                });
            });
            // Dropped on an early return, which stops the threads above.
            let permit_tx = permit_tx;
            let mut waiting: BTreeMap<usize, Vec<Processed>> = BTreeMap::new();
            let mut next = 0;
            for (index, processed) in done_rx {
                waiting.insert(index, processed);
                while let Some(processed) = waiting.remove(&next) {
                    next += 1;
                    for p in processed {
                        if !each(p)? {
                            return Ok(false);
                        }
                    }
                    let _ = permit_tx.send(());
                }
            }
            if reader.join().is_err() {
                return Err(Error::Batch(BatchError::ReaderPanicked).into());
            }
            Ok(true)
        })
    }
}

/// The reading thread: sends `records` in chunks until they end or the
/// receiver is gone.
fn read_chunks(
    records: impl Iterator<Item = RawRecord>,
    share: WorkerShare,
    tx: std::sync::mpsc::SyncSender<Vec<RawRecord>>,
) {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    for rec in records {
        bytes += rec.len();
        // Parsed here when the workers leave it to this thread.
        let rec = if share.parse {
            rec
        } else {
            RawRecord::from(rec.into_record())
        };
        chunk.push(rec);
        if chunk.len() >= CHUNK_DOCUMENTS || bytes >= CHUNK_BYTES {
            if tx.send(std::mem::take(&mut chunk)).is_err() {
                return;
            }
            bytes = 0;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(chunk);
    }
}

/// A worker's job on one record.
fn process(
    pipeline: &Pipeline,
    relations: Option<&Relations>,
    window: WindowKind,
    share: WorkerShare,
    raw: RawRecord,
) -> Processed {
    let record = raw.into_record();
    if record.status == Status::Error {
        return Processed {
            record,
            windows: Windows::default(),
            chars: 0,
            mentions: Vec::new(),
            window_count: 0,
            hits: Hits::default(),
            counts: None,
            rendered: None,
        };
    }
    let analysis = pipeline.analyze(&record.document);
    let windows = match window {
        WindowKind::Sentence => analysis.sentences,
        WindowKind::Paragraph => analysis.paragraphs,
        WindowKind::Document => usize::from(analysis.sentences > 0),
    };
    let hits = relations.map_or_else(Hits::default, |r| {
        r.find(&record.document.text, &analysis.windows, &analysis.mentions)
    });
    let mut p = Processed {
        record,
        windows: analysis.windows,
        chars: analysis.chars,
        mentions: analysis.mentions,
        window_count: windows as u64,
        hits,
        counts: None,
        rendered: None,
    };
    if share.count || share.render.is_some() {
        p.count(window);
    }
    // The rows and lines of the per-document files were the writing
    // thread's largest cost; with several workers they are made here, in
    // parallel. Should that fail, the writing thread makes them again and
    // reports the error. Not for a long document: the writing thread
    // writes its rows a few at a time, rather than hold them all.
    let long = p.record.document.text.len() > crate::PIECES_ABOVE;
    if let (Some((formats, style)), Some(counts), false) = (share.render, &p.counts, long) {
        // The counts list each entity of the document once.
        let entities = counts.entities().len();
        p.rendered =
            RenderedRecord::new(formats, style, &p.record, p.chars, &p.mentions, entities).ok();
    }
    p
}

/// What [`Run`] tells its caller as it goes. Every method does nothing by
/// default.
pub trait RunObserver {
    /// Called for every record, in input order, before it is written; the
    /// CLI prints `p.record.message` here.
    fn record(&mut self, p: &Processed) {
        let _ = p;
    }

    /// Called every 1,000 records with the records and text bytes so far.
    fn progress(&mut self, documents: u64, bytes: u64) {
        let _ = (documents, bytes);
    }
}

/// An observer that does nothing.
impl RunObserver for () {}

/// What a [`Run`] did.
#[derive(Clone, Debug, Default)]
pub struct RunOutcome {
    /// The figures of `summary.json`.
    pub summary: RunSummary,
    /// Distinct entities found.
    pub entities: usize,
    /// Pairs written (those that met the minimum count).
    pub pairs: usize,
    /// Bytes of text read.
    pub bytes: u64,
    /// With [`Run::strict`], the id of the error record the run stopped
    /// at; nothing was written then.
    pub stopped_at: Option<String>,
    /// The counts the tables were written from, to query without reading
    /// the files back ([`Aggregates::entity`], [`Aggregates::pair`],
    /// [`Aggregates::npmi`], ...); empty when the run stopped at an error
    /// record.
    pub aggregates: Aggregates,
}

impl RunOutcome {
    /// Whether nothing could be read: no record at all (say, a folder
    /// with no file that is read), or errors only. The CLI reports it with
    /// exit code 1.
    pub fn nothing_read(&self) -> bool {
        self.summary.errors == self.summary.documents
    }
}

/// What `alam extract` does, as a library call: a [`Batch`] whose results
/// are written into an output folder. Defaults: `output/`, formats
/// `csv,json`, no Excel style, a minimum pair count of 1, not strict, the
/// gazetteer label `builtin` with the gazetteer's content hash.
///
/// ```no_run
/// use alam::{Batch, InputOptions, Inputs, Run};
/// use alam::{Gazetteer, Pipeline};
///
/// let gaz = Gazetteer::builtin();
/// let pipeline = Pipeline::new(&gaz)?;
/// let batch = Batch::builder().build(&pipeline)?;
/// let inputs = Inputs::new(&["news.jsonl".to_string()], InputOptions::default());
/// let outcome = Run::new(&batch, &gaz).output("tables").run(inputs)?;
/// println!("{} documents", outcome.summary.documents);
/// # Ok::<(), alam::Error>(())
/// ```
#[derive(Debug)]
pub struct Run<'b, 'p> {
    batch: &'b Batch<'p>,
    gazetteer: &'b Gazetteer,
    output: PathBuf,
    formats: Formats,
    style: CsvStyle,
    min_count: u64,
    strict: bool,
    label: Option<String>,
    bucket: Option<Bucket>,
}

impl<'b, 'p> Run<'b, 'p> {
    /// A run of `batch` whose entity types and names come from
    /// `gazetteer` (the one the pipeline was built from).
    pub fn new(batch: &'b Batch<'p>, gazetteer: &'b Gazetteer) -> Self {
        Run {
            batch,
            gazetteer,
            output: PathBuf::from("output"),
            formats: Formats::default(),
            style: CsvStyle::default(),
            min_count: 1,
            strict: false,
            label: None,
            bucket: None,
        }
    }

    /// The folder to write into (created if missing). `-o`.
    pub fn output(mut self, dir: impl AsRef<Path>) -> Self {
        self.output = dir.as_ref().to_path_buf();
        self
    }

    /// The formats to write. `--format`.
    pub fn formats(mut self, formats: Formats) -> Self {
        self.formats = formats;
        self
    }

    /// CSV for Excel (BOM, CRLF, formula-like cells prefixed). `--excel`.
    pub fn excel(mut self, excel: bool) -> Self {
        self.style = CsvStyle { excel };
        self
    }

    /// Pairs that co-occur in fewer windows are left out of the pair
    /// tables. `--min-count`.
    pub fn min_count(mut self, min_count: u64) -> Self {
        self.min_count = min_count;
        self
    }

    /// Stop at the first error record and write nothing. `--strict`.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Count the documents by period of `bucket` too, by their
    /// [`Document::date`] (see [`Bucket`](crate::Bucket)): the run then writes
    /// `periods.csv`, `entities_by_period.csv`,
    /// `cooccurrence_by_period.csv` and a dynamic `graph.gexf`. `None`:
    /// not by period (the default). `--bucket` (or `--date-field`, whose
    /// default bucket is `month`).
    pub fn bucket(mut self, bucket: Option<Bucket>) -> Self {
        self.bucket = bucket;
        self
    }

    /// How `summary.json` names the gazetteer (default: `builtin` and its
    /// content hash).
    pub fn gazetteer_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Runs over `records` without an observer.
    pub fn run<I>(&self, records: I) -> Result<RunOutcome, Error>
    where
        I: IntoIterator<Item = RawRecord>,
        I::IntoIter: Send,
    {
        self.run_with(records, &mut ())
    }

    /// Runs over `records`, telling `observer` about every record and the
    /// progress. The folder is locked first (a second run into it is an
    /// error); the per-document files are written into a staging folder as
    /// the records come, the tables at the end, and then everything is put
    /// in place of the earlier run's files, `summary.json` last (see
    /// `OutputFolder`). A `--strict` stop, or an error, leaves the folder
    /// as the earlier run left it.
    pub fn run_with<I>(
        &self,
        records: I,
        observer: &mut dyn RunObserver,
    ) -> Result<RunOutcome, Error>
    where
        I: IntoIterator<Item = RawRecord>,
        I::IntoIter: Send,
    {
        let dir = &self.output;
        // Locked (a second run into it fails before reading anything), and
        // written into a staging folder until the commit.
        let folder = OutputFolder::open(dir).map_err(Error::Output)?;
        let mut writers =
            DocumentWriters::create(&folder, self.formats, self.style).map_err(Error::Output)?;
        let window = self.batch.window();
        let mut agg = Aggregates::new(window);
        agg.attribute_columns = self.gazetteer.attribute_columns().to_vec();
        agg.bucket = self.bucket;
        let mut outcome = RunOutcome {
            summary: RunSummary {
                window: window.as_str().to_string(),
                min_count: self.min_count,
                excel: self.style.excel,
                formats: self.formats.names(),
                gazetteer: self
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("builtin {}", self.gazetteer.content_hash())),
                ..RunSummary::default()
            },
            ..RunOutcome::default()
        };
        let share = WorkerShare::of(self.batch.threads(), Some((self.formats, self.style)));
        // Only cooccurrence.json and report.html show the pairs' examples.
        let pair_examples = self.formats.json || self.formats.html;
        let mut duplicates = DuplicateIds::new();
        let completed = self.batch.for_each_with(
            share,
            records.into_iter(),
            |mut p| -> Result<bool, Error> {
                if duplicates.check(&mut p.record) {
                    // Rendered with the status it had before.
                    p.rendered = None;
                }
                observer.record(&p);
                let summary = &mut outcome.summary;
                if p.record.status == Status::Error && self.strict {
                    summary.errors += 1;
                    outcome.stopped_at = Some(p.record.document.id.clone());
                    return Ok(false);
                }
                let entities = p.count(window).entities().len();
                match &p.rendered {
                    Some(rendered) => writers.write_rendered(rendered),
                    None => writers.write(&p.record, p.chars, &p.mentions, entities),
                }
                .map_err(Error::Output)?;
                summary.count(p.record.status, p.mentions.len(), p.chars);
                outcome.bytes += p.record.document.text.len() as u64;
                p.add_to_with(&mut agg, self.gazetteer, pair_examples);
                if summary.documents.is_multiple_of(1000) {
                    observer.progress(summary.documents, outcome.bytes);
                }
                Ok(true)
            },
        )?;
        if !completed {
            return Ok(outcome);
        }
        outcome.summary.windows = agg.windows;
        outcome.summary.periods = crate::output::PeriodSummary::of(&agg);
        // The per-document files are flushed while the tables are written;
        // then the folder's commit puts them all in place, summary.json last.
        // On the batch's pool, so that `threads` bounds the sorting and
        // the table writing too.
        let summary = &outcome.summary;
        let (formats, style) = (self.formats, self.style);
        outcome.summary = self
            .batch
            .pool
            .install(|| finish_run(writers, folder, &agg, summary, formats, style))
            .map_err(Error::Output)?;
        outcome.entities = agg.entities.len();
        outcome.pairs = agg.pair_count(self.min_count);
        outcome.aggregates = agg;
        Ok(outcome)
    }
}
