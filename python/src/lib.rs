//! Python bindings of alam (the `alam._alam` extension module; the public
//! Python API is `alam/__init__.py`, which wraps it).
//!
//! Every call that processes text releases the GIL: documents are read
//! from the Python objects first, processed by the batch engine on Rust
//! threads, and the results turned into Python objects after.

use std::collections::HashMap;
use std::path::PathBuf;

use alam::COOCCURRENCE_HEADER;
use alam::Formats;
use alam::{Aggregates, Discovery, Document, Gazetteer, Lexicon, Mention, WindowKind};
use alam::{Batch, Processed, Run, RunObserver, records};
use alam::{InputOptions, Inputs};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

create_exception!(
    _alam,
    AlamError,
    PyException,
    "An error from alam, with the `file:line: reason` message the command line prints."
);

/// `e` with its causes, as the command line prints it (a cause that the
/// message already ends with is not repeated).
fn alam_err(e: alam::Error) -> PyErr {
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.ends_with(&text) {
            message = format!("{message}: {text}");
        }
        cause = c.source();
    }
    AlamError::new_err(message)
}

/// A gazetteer and a pipeline built from it.
#[pyclass(module = "alam._alam", frozen)]
struct Pipeline {
    gazetteer: Gazetteer,
    pipeline: alam::Pipeline,
}

/// The gazetteer `-g gazetteer` and `--add-gazetteer add...` name (the
/// built-in one without `gazetteer`), and the discovery lexicon of the
/// same folders, as the command line loads them.
fn load(gazetteer: Option<PathBuf>, add: &[PathBuf]) -> Result<(Gazetteer, Lexicon), alam::Error> {
    let gaz = Gazetteer::layered(gazetteer.as_deref(), add)?;
    let lex = Lexicon::for_gazetteer(gazetteer.as_deref(), add)?;
    Ok((gaz, lex))
}

fn parse_discovery(discover: &str) -> PyResult<Discovery> {
    Discovery::parse(discover).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown discovery mode {discover:?} (expected off, high, on)"
        ))
    })
}

fn parse_window(window: &str) -> PyResult<WindowKind> {
    WindowKind::parse(window).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown window {window:?} (expected sentence, paragraph, document)"
        ))
    })
}

fn build_pipeline(
    gazetteer: Option<PathBuf>,
    add: Vec<PathBuf>,
    discover: &str,
    fuzzy: bool,
) -> PyResult<Pipeline> {
    let discovery = parse_discovery(discover)?;
    let (gazetteer, lexicon) = load(gazetteer, &add).map_err(alam_err)?;
    let mut builder = alam::Pipeline::builder(&gazetteer)
        .discovery(discovery)
        .fuzzy(fuzzy);
    if discovery != Discovery::Off {
        builder = builder.lexicon(lexicon);
    }
    let pipeline = builder.build().map_err(alam_err)?;
    Ok(Pipeline {
        gazetteer,
        pipeline,
    })
}

/// Python strings made once per call for what many mentions share: the
/// keys, and each entity's id, type and name (held as `Arc<str>`, known by
/// their address), the forms, rules and sources.
struct Strings<'py> {
    py: Python<'py>,
    keys: Vec<Bound<'py, PyString>>,
    shared: HashMap<(usize, usize), Bound<'py, PyString>>,
}

/// The keys of an entity dict of `cooccurrence`.
const ENTITY_FIELDS: [&str; 8] = [
    "entity_id",
    "type",
    "name",
    "name_ar",
    "mentions",
    "documents",
    "windows",
    "source",
];

/// The keys of a mention dict, in the order of `mentions.jsonl`.
const KEYS: [&str; 16] = [
    "entity_id",
    "type",
    "name",
    "surface",
    "start",
    "end",
    "byte_start",
    "byte_end",
    "sentence",
    "paragraph",
    "form",
    "ambiguous",
    "prefix",
    "alternatives",
    "rule",
    "source",
];

impl<'py> Strings<'py> {
    fn new(py: Python<'py>) -> Self {
        Strings {
            py,
            keys: KEYS.iter().map(|k| PyString::intern(py, k)).collect(),
            shared: HashMap::new(),
        }
    }

    /// A mention as a dict with the fields of `mentions.jsonl`, and
    /// `source`.
    fn mention(&mut self, m: &Mention) -> PyResult<Bound<'py, PyDict>> {
        let py = self.py;
        let (k, cache) = (&self.keys, &mut self.shared);
        // The Python string of `s`, made once for each address and length
        // (for strings that outlive the call's conversion: the entities'
        // `Arc`s and `&'static str`s).
        let mut shared = |s: &str| {
            cache
                .entry((s.as_ptr() as usize, s.len()))
                .or_insert_with(|| PyString::new(py, s))
                .clone()
        };
        let d = PyDict::new(py);
        d.set_item(&k[0], shared(&m.entity_id))?;
        d.set_item(&k[1], shared(&m.entity_type))?;
        d.set_item(&k[2], shared(&m.name))?;
        d.set_item(&k[3], &m.surface)?;
        d.set_item(&k[4], m.start)?;
        d.set_item(&k[5], m.end)?;
        d.set_item(&k[6], m.byte_start)?;
        d.set_item(&k[7], m.byte_end)?;
        d.set_item(&k[8], m.sentence)?;
        d.set_item(&k[9], m.paragraph)?;
        d.set_item(&k[10], shared(m.form.as_str()))?;
        d.set_item(&k[11], m.ambiguous)?;
        d.set_item(&k[12], &m.prefix)?;
        let alternatives = PyList::empty(py);
        for a in &m.alternatives {
            alternatives.append(shared(a))?;
        }
        d.set_item(&k[13], alternatives)?;
        match m.rule {
            Some(r) => d.set_item(&k[14], shared(r.as_str()))?,
            None => d.set_item(&k[14], py.None())?,
        }
        d.set_item(&k[15], shared(m.source()))?;
        Ok(d)
    }

    fn mentions(&mut self, mentions: &[Mention]) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(self.py);
        for m in mentions {
            list.append(self.mention(m)?)?;
        }
        Ok(list)
    }
}

/// Reads `texts` (any iterable of str) and `ids` (any iterable, or the
/// positions as strings) into documents.
fn documents(texts: &Bound<'_, PyAny>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Document>> {
    let mut texts_out = Vec::new();
    for (i, item) in texts.try_iter()?.enumerate() {
        let item = item?;
        let text: String = item.extract().map_err(|_| {
            let kind = item
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "?".into());
            PyTypeError::new_err(format!("texts[{i}]: expected str, got {kind}"))
        })?;
        texts_out.push(text);
    }
    let ids: Vec<String> = match ids {
        None => (0..texts_out.len()).map(|i| i.to_string()).collect(),
        Some(ids) => {
            let mut out = Vec::new();
            for item in ids.try_iter()? {
                out.push(item?.str()?.to_string());
            }
            if out.len() != texts_out.len() {
                return Err(PyValueError::new_err(format!(
                    "{} ids for {} texts",
                    out.len(),
                    texts_out.len()
                )));
            }
            out
        }
    };
    Ok(ids
        .into_iter()
        .zip(texts_out)
        .map(|(id, text)| Document::new(id, text))
        .collect())
}

fn batch(
    pipeline: &alam::Pipeline,
    threads: Option<usize>,
    window: WindowKind,
) -> PyResult<Batch<'_>> {
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    Batch::builder()
        .threads_or_default(threads)
        .window(window)
        .build(pipeline)
        .map_err(alam_err)
}

#[pymethods]
impl Pipeline {
    #[new]
    #[pyo3(signature = (gazetteer=None, add=Vec::new(), discover="on", fuzzy=false))]
    fn new(
        gazetteer: Option<PathBuf>,
        add: Vec<PathBuf>,
        discover: &str,
        fuzzy: bool,
    ) -> PyResult<Self> {
        build_pipeline(gazetteer, add, discover, fuzzy)
    }

    /// Whether misspelled names are found (`fuzzy=True`, as `--fuzzy`).
    #[getter]
    fn fuzzy(&self) -> bool {
        self.pipeline.fuzzy()
    }

    /// The discovery mode: "off", "high" or "on".
    #[getter]
    fn discover(&self) -> &'static str {
        self.pipeline.discovery().as_str()
    }

    /// The gazetteer's content hash (as in summary.json).
    #[getter]
    fn gazetteer_hash(&self) -> String {
        self.gazetteer.content_hash()
    }

    /// The mentions in `text`, as dicts.
    #[pyo3(signature = (text, id=None))]
    fn extract<'py>(
        &self,
        py: Python<'py>,
        text: String,
        id: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let doc = Document::new(id.unwrap_or_default(), text);
        let mentions = py.detach(|| self.pipeline.extract(&doc));
        Strings::new(py).mentions(&mentions)
    }

    /// The mentions of every text, a list per text, in input order.
    #[pyo3(signature = (texts, ids=None, threads=None))]
    fn extract_many<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        ids: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let docs = documents(texts, ids)?;
        let batch = batch(&self.pipeline, threads, WindowKind::Sentence)?;
        let processed = py.detach(|| batch.process_all(docs));
        let mut strings = Strings::new(py);
        let out = PyList::empty(py);
        for p in &processed {
            out.append(strings.mentions(&p.mentions)?)?;
        }
        Ok(out)
    }

    /// The entity and pair tables (with NPMI) of a collection of texts.
    #[pyo3(signature = (texts, ids=None, window="sentence", min_count=1, threads=None))]
    fn cooccurrence<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        ids: Option<&Bound<'py, PyAny>>,
        window: &str,
        min_count: u64,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let window = parse_window(window)?;
        let docs = documents(texts, ids)?;
        let batch = batch(&self.pipeline, threads, window)?;
        let gaz = &self.gazetteer;
        let agg = py.detach(|| {
            let mut agg = Aggregates::new(window);
            let _ = batch.for_each(records(docs), |mut p: Processed| {
                p.add_to(&mut agg, gaz);
                Ok::<_, alam::Error>(true)
            });
            agg
        });
        tables(py, &agg, min_count)
    }
}

/// The entity and pair tables of `agg` as lists of dicts.
fn tables<'py>(py: Python<'py>, agg: &Aggregates, min_count: u64) -> PyResult<Bound<'py, PyDict>> {
    let entities = PyList::empty(py);
    let k = ENTITY_FIELDS;
    for row in agg.entity_rows() {
        let (id, c) = (row.id, row.counts);
        let d = PyDict::new(py);
        d.set_item(k[0], id)?;
        d.set_item(k[1], &c.info.kind)?;
        d.set_item(k[2], &c.info.name)?;
        d.set_item(k[3], &c.info.name_ar)?;
        d.set_item(k[4], c.mentions)?;
        d.set_item(k[5], c.documents)?;
        d.set_item(k[6], c.windows)?;
        let source = if alam::is_discovered_id(id) {
            "discovered"
        } else {
            "gazetteer"
        };
        d.set_item(k[7], source)?;
        entities.append(d)?;
    }
    let pairs = PyList::empty(py);
    let info = |id: &str| agg.entity(id).map(|e| &e.info);
    // The columns of cooccurrence.csv.
    let k = COOCCURRENCE_HEADER;
    for row in agg.pair_rows(min_count) {
        let (a, b, c, npmi) = (row.source, row.target, row.counts, row.npmi);
        let d = PyDict::new(py);
        let (ia, ib) = (info(a), info(b));
        d.set_item(k[0], a)?;
        d.set_item(k[1], ia.map(|i| i.name.as_str()))?;
        d.set_item(k[2], ia.map(|i| i.kind.as_str()))?;
        d.set_item(k[3], b)?;
        d.set_item(k[4], ib.map(|i| i.name.as_str()))?;
        d.set_item(k[5], ib.map(|i| i.kind.as_str()))?;
        d.set_item(k[6], c.windows)?;
        d.set_item(k[7], c.documents)?;
        d.set_item(k[8], npmi)?;
        d.set_item(k[9], alam::counted(&c.relations))?;
        d.set_item(k[10], alam::counted(&c.directed))?;
        pairs.append(d)?;
    }
    let out = PyDict::new(py);
    out.set_item("entities", entities)?;
    out.set_item("pairs", pairs)?;
    out.set_item("documents", agg.documents)?;
    out.set_item("windows", agg.windows)?;
    Ok(out)
}

/// Collects the records' messages (at most `MAX_MESSAGES`) and calls the
/// Python progress callback.
struct Observer {
    messages: Vec<String>,
    more: u64,
    progress: Option<Py<PyAny>>,
    error: Option<PyErr>,
}

const MAX_MESSAGES: usize = 1000;

impl RunObserver for Observer {
    fn record(&mut self, p: &Processed) {
        if !p.record.message.is_empty() {
            if self.messages.len() < MAX_MESSAGES {
                self.messages.push(p.record.message.clone());
            } else {
                self.more += 1;
            }
        }
    }

    fn progress(&mut self, documents: u64, bytes: u64) {
        if let (Some(f), None) = (&self.progress, &self.error) {
            Python::attach(|py| {
                if let Err(e) = f.call1(py, (documents, bytes)) {
                    self.error = Some(e);
                }
            });
        }
    }
}

/// What `alam extract` does: reads `inputs` (files or folders), writes the
/// tables into `output`, returns the summary.
#[pyfunction]
#[pyo3(signature = (
    inputs, output="output".into(), *, formats="csv,json", gazetteer=None, add=Vec::new(),
    discover="on", window="sentence", threads=None, text_field=vec!["text".to_string()],
    id_field="id".to_string(), min_count=1, excel=false, strict=false, progress=None,
    fuzzy=false, date_field=None, bucket=None
))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    inputs: Vec<String>,
    output: PathBuf,
    formats: &str,
    gazetteer: Option<PathBuf>,
    add: Vec<PathBuf>,
    discover: &str,
    window: &str,
    threads: Option<usize>,
    text_field: Vec<String>,
    id_field: String,
    min_count: u64,
    excel: bool,
    strict: bool,
    progress: Option<Py<PyAny>>,
    fuzzy: bool,
    date_field: Option<String>,
    bucket: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let formats = Formats::parse(formats).map_err(PyValueError::new_err)?;
    let bucket = match (&date_field, bucket.as_deref()) {
        (None, None) => None,
        (None, Some(_)) => return Err(PyValueError::new_err("bucket needs date_field")),
        (Some(_), None) => Some(alam::Bucket::default()),
        (Some(_), Some(b)) => Some(alam::Bucket::parse(b).ok_or_else(|| {
            PyValueError::new_err(format!("unknown bucket {b:?} (expected day, week, month)"))
        })?),
    };
    let window = parse_window(window)?;
    let label = {
        let mut parts = vec![match &gazetteer {
            Some(dir) => dir.display().to_string(),
            None => "builtin".to_string(),
        }];
        parts.extend(add.iter().map(|d| format!("+{}", d.display())));
        parts.join(" ")
    };
    let p = build_pipeline(gazetteer, add, discover, fuzzy)?;
    let batch = batch(&p.pipeline, threads, window)?;
    let options = InputOptions {
        id_field,
        text_fields: text_field,
        date_field,
        // As `alam extract`: the output folder is never read as input.
        exclude: vec![output.clone()],
        ..InputOptions::default()
    };
    let inputs = Inputs::new(&inputs, options);
    let mut observer = Observer {
        messages: Vec::new(),
        more: 0,
        progress,
        error: None,
    };
    let gaz = &p.gazetteer;
    let outcome = py
        .detach(|| {
            Run::new(&batch, gaz)
                .output(&output)
                .formats(formats)
                .excel(excel)
                .min_count(min_count)
                .strict(strict)
                .bucket(bucket)
                .gazetteer_label(format!("{label} {}", gaz.content_hash()))
                .run_with(inputs, &mut observer)
        })
        .map_err(alam_err)?;
    if let Some(e) = observer.error {
        return Err(e);
    }
    if let Some(id) = &outcome.stopped_at {
        return Err(AlamError::new_err(format!(
            "strict: stopped at the first error ({id}): {}",
            observer.messages.last().map_or("", String::as_str)
        )));
    }
    if outcome.nothing_read() {
        let first: Vec<&str> = observer
            .messages
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        return Err(AlamError::new_err(format!(
            "no input could be read:\n{}",
            first.join("\n")
        )));
    }
    let s = &outcome.summary;
    let d = PyDict::new(py);
    d.set_item("output", output)?;
    d.set_item("run_id", &s.run_id)?;
    d.set_item("documents", s.documents)?;
    d.set_item("errors", s.errors)?;
    d.set_item("warnings", s.warnings)?;
    d.set_item("mentions", s.mentions)?;
    d.set_item("entities", outcome.entities)?;
    d.set_item("pairs", outcome.pairs)?;
    d.set_item("windows", s.windows)?;
    d.set_item("chars", s.chars)?;
    d.set_item("messages", observer.messages)?;
    d.set_item("messages_not_listed", observer.more)?;
    Ok(d)
}

/// The native part of the `alam` package.
#[pymodule]
fn _alam(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pipeline>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add("AlamError", m.py().get_type::<AlamError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MENTION_FIELDS", KEYS.to_vec())?;
    m.add("ENTITY_FIELDS", ENTITY_FIELDS.to_vec())?;
    m.add("PAIR_FIELDS", COOCCURRENCE_HEADER.to_vec())?;
    Ok(())
}
