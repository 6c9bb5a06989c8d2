//! Gazetteers: folders of CSV files, one entity per row (SPEC section 2).
//!
//! The rules are documented on [`Gazetteer`], where `cargo doc` shows them.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::{CsvBase, Error, Position};
use crate::normalize::{is_word_char, normalize_str};

// The path spelled out: build.rs includes this file by `#[path]`.
#[path = "gazetteer/image.rs"]
pub(crate) mod image;

pub(crate) use image::EntityFields;

/// One entity: a person, country, organization, city, or any other type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entity {
    /// Stable unique id, e.g. `country:RU`.
    pub id: String,
    /// The entity type, e.g. `country`. Types are open.
    pub kind: String,
    /// Canonical display name (English).
    pub name: String,
    /// Canonical Arabic name, if any.
    pub name_ar: Option<String>,
    /// Other strong surface forms.
    pub aliases: Vec<String>,
    /// Forms that count only next to a strong form of the same entity.
    pub weak_aliases: Vec<String>,
    /// Adjective forms (`Russian`, `روسي`).
    pub demonyms: Vec<String>,
    /// Id of the related country, if any.
    pub country: Option<String>,
    /// Columns the format does not define, as `(column, value)`.
    pub attributes: Vec<(String, String)>,
    /// Where the entity was defined, if it came from a file.
    pub position: Option<Position>,
}

impl Entity {
    /// A new entity with an id, a type and a name, and nothing else.
    pub fn new(id: &str, kind: &str, name: &str) -> Entity {
        Entity {
            id: id.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            ..Entity::default()
        }
    }

    /// All surface forms of the entity with the form they give a mention:
    /// the name and Arabic name first, then aliases, demonyms and weak
    /// aliases.
    pub fn forms(&self) -> impl Iterator<Item = (&str, Form)> {
        std::iter::once((self.name.as_str(), Form::Name))
            .chain(self.name_ar.iter().map(|s| (s.as_str(), Form::Name)))
            .chain(self.aliases.iter().map(|s| (s.as_str(), Form::Alias)))
            .chain(self.demonyms.iter().map(|s| (s.as_str(), Form::Demonym)))
            .chain(self.weak_aliases.iter().map(|s| (s.as_str(), Form::Weak)))
    }
}

/// Which kind of form of its entity a text is: the gazetteer column it
/// comes from (`name`, `aliases`, ...), or how a mention was found
/// otherwise (fuzzy, discovered).
///
/// Ordered from the most to the least specific: when one text is several
/// kinds of form of the same entity, the first kind is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Form {
    /// The entity's `name` or `name_ar`.
    Name,
    /// One of its `aliases`.
    Alias,
    /// One of its `demonyms`, possibly inflected.
    Demonym,
    /// One of its `weak_aliases`.
    Weak,
    /// One edit away from one of its names or aliases (`--fuzzy`, rule 9):
    /// a misspelling.
    Fuzzy,
    /// Found by a discovery rule (no gazetteer lists it; see
    /// [`crate::Discovery`]).
    Discovered,
    /// A shorter form (a surname alone) of a name discovered in the same
    /// document, which counts like a weak alias.
    DiscoveredWeak,
}

impl Form {
    /// Parses the word [`Form::as_str`] writes.
    pub fn parse(s: &str) -> Option<Form> {
        Some(match s {
            "name" => Form::Name,
            "alias" => Form::Alias,
            "demonym" => Form::Demonym,
            "weak" => Form::Weak,
            "fuzzy" => Form::Fuzzy,
            "discovered" => Form::Discovered,
            "discovered-weak" => Form::DiscoveredWeak,
            _ => return None,
        })
    }

    /// The lowercase word used in output files: `name`, `alias`,
    /// `demonym`, `weak`, `fuzzy`, `discovered`, `discovered-weak`.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Name => "name",
            Form::Alias => "alias",
            Form::Demonym => "demonym",
            Form::Weak => "weak",
            Form::Fuzzy => "fuzzy",
            Form::Discovered => "discovered",
            Form::DiscoveredWeak => "discovered-weak",
        }
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The gazetteer cannot be used until this is fixed.
    Error,
    /// Worth a look; the gazetteer can still be used.
    Warning,
}

/// A problem found while loading a gazetteer, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file and line of the problem.
    pub position: Position,
    /// What is wrong, with the values that caused it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {}: {}", self.position, level, self.message)
    }
}

/// An alias (normalized) that several entities share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ambiguity {
    /// The normalized alias.
    pub alias: String,
    /// The entity ids that have it as a strong form, first-listed first.
    pub entity_ids: Vec<String>,
}

/// A set of entities loaded from CSV files, with what was wrong in them.
///
/// # Format
///
/// Columns (a header row is required; only `id`, `type` and `name` must be
/// present; unknown columns are kept as attributes):
///
/// | column | meaning |
/// |---|---|
/// | `id` | unique id, e.g. `country:RU`, `person:vladimir-putin` |
/// | `type` | `person`, `country`, `organization`, `city` or any other word |
/// | `name` | canonical display name (English); also an alias |
/// | `name_ar` | canonical Arabic name; also an alias |
/// | `aliases` | `\|`-separated surface forms in any script |
/// | `weak_aliases` | `\|`-separated forms that count only in a document where a strong form of the same entity matched |
/// | `demonyms` | `\|`-separated adjectives (`Russian`, `روسي`), matched with inflections |
/// | `country` | id of the related country (optional) |
///
/// Loading never drops a row silently: every problem becomes a
/// [`Diagnostic`] with its `file:line`. Errors (a malformed row, a quoted
/// cell never closed, a line break in an `id`, `type` or `country` cell,
/// a missing required field, a duplicate id) make [`Gazetteer::check`]
/// fail; warnings (an empty alias, a one-letter alias, a header with no
/// rows, an unknown `country` id) do not.
///
/// Layers: [`Gazetteer::add_layer_dir`] (what `--add-gazetteer` does)
/// loads a folder on top of the earlier ones, and a row whose id they
/// define adds its forms to that entity (the rule is on
/// [`Gazetteer::start_layer`]).
///
/// Order matters: files of a folder load in file-name order and rows in
/// file order. When an alias names several entities and the document does
/// not settle it, the first-listed entity wins.
///
/// ```
/// let csv = "id,type,name,name_ar,aliases\n\
///            country:RU,country,Russia,روسيا,Russian Federation\n";
/// let mut gaz = alam::Gazetteer::new();
/// gaz.add_csv("countries.csv", csv.as_bytes());
/// assert_eq!(gaz.entities().len(), 1);
/// assert!(gaz.check().is_ok());
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq))]
pub struct Gazetteer {
    /// The entities and their ids' index.
    store: Store,
    diagnostics: Vec<Diagnostic>,
    /// FNV-1a of the file names and contents loaded, in order.
    hash: u64,
    /// The extra columns, in the order of their first appearance.
    attribute_columns: Vec<String>,
    /// Where the current layer (the gazetteer being added on top of the
    /// earlier ones, see [`Gazetteer::add_layer_dir`]) starts in `entities`.
    layer_start: usize,
    /// Earlier entities the current layer has merged rows into, with the
    /// row that did.
    layer_merged: FxHashMap<String, Position>,
    /// Whether this is [`Gazetteer::builtin`] as loaded, with nothing
    /// added: the pipeline then takes the matcher build.rs compiled from
    /// the same files (`crate::builtin::MATCHER_IMAGE`). Every method that
    /// changes the gazetteer clears it.
    pristine_builtin: bool,
}

/// The entities, in load order, and the index of their ids.
#[derive(Clone, Debug, Default, PartialEq)]
struct Table {
    entities: Vec<Entity>,
    /// Fx-hashed: SipHash cost 60M instructions of every start-up.
    by_id: FxHashMap<String, usize>,
}

impl Table {
    /// The entities with each id mapped to its index.
    fn plain(entities: Vec<Entity>) -> Table {
        let mut by_id = FxHashMap::default();
        by_id.reserve(entities.len());
        for (i, e) in entities.iter().enumerate() {
            by_id.insert(e.id.clone(), i);
        }
        Table { entities, by_id }
    }

    /// Whether the id map is each entity's id to its index.
    fn is_plain(&self) -> bool {
        self.by_id.len() == self.entities.len()
            && (self.entities.iter().enumerate()).all(|(i, e)| self.by_id.get(&e.id) == Some(&i))
    }
}

/// The table, or for the built-in gazetteer as loaded, the image it is
/// read from: an entity at a time where it lies, the whole table on the
/// first call that needs it (see `gazetteer/image.rs`).
#[derive(Clone, Debug)]
struct Store {
    table: OnceLock<Table>,
    /// The entities in place, while nothing has changed them.
    image: Option<image::Entities<'static>>,
}

impl Store {
    fn built(table: Table) -> Store {
        Store {
            table: OnceLock::from(table),
            image: None,
        }
    }

    fn in_place(entities: image::Entities<'static>) -> Store {
        Store {
            table: OnceLock::new(),
            image: Some(entities),
        }
    }

    /// The table, read from the image the first time.
    fn table(&self) -> &Table {
        self.table.get_or_init(|| {
            let read = self.image.as_ref().and_then(image::Entities::decode_all);
            // Only the built-in image is read in place, and a test reads
            // it whole: the files are the fallback that cannot fail.
            read.map_or_else(
                || Gazetteer::parse_builtin().store.into_table(),
                Table::plain,
            )
        })
    }

    /// The table to change; the image is no longer what it holds.
    fn table_mut(&mut self) -> &mut Table {
        self.table();
        self.image = None;
        self.table.get_mut().expect("filled by `table` just above")
    }

    fn into_table(mut self) -> Table {
        std::mem::take(self.table_mut())
    }

    /// The number of entities, without reading them.
    fn len(&self) -> usize {
        match (self.table.get(), &self.image) {
            (Some(t), _) => t.entities.len(),
            (None, Some(image)) => image.len(),
            (None, None) => 0,
        }
    }
}

#[cfg(test)]
impl PartialEq for Store {
    fn eq(&self, other: &Store) -> bool {
        self.table() == other.table()
    }
}

/// The FNV-1a 64 offset basis: the hash of nothing.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64 over `bytes`, continuing from `hash`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl Default for Gazetteer {
    fn default() -> Self {
        Gazetteer::new()
    }
}

/// The `*.csv` files of a folder (not recursive), in file-name order.
pub(crate) fn csv_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        error: source,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The default gazetteer files, compiled into the library (see build.rs).
const BUILTIN: &[(&str, &str)] = crate::builtin::GAZETTEERS;

impl Gazetteer {
    /// An empty gazetteer.
    pub fn new() -> Gazetteer {
        Gazetteer::from_parts(
            Store::built(Table::default()),
            Vec::new(),
            FNV_OFFSET,
            Vec::new(),
            0,
            FxHashMap::default(),
        )
    }

    /// A gazetteer of these parts, not marked as the built-in one.
    fn from_parts(
        store: Store,
        diagnostics: Vec<Diagnostic>,
        hash: u64,
        attribute_columns: Vec<String>,
        layer_start: usize,
        layer_merged: FxHashMap<String, Position>,
    ) -> Gazetteer {
        Gazetteer {
            store,
            diagnostics,
            hash,
            attribute_columns,
            layer_start,
            layer_merged,
            pristine_builtin: false,
        }
    }

    /// A content hash of the files loaded (their file names and bytes, in
    /// load order), as 16 hex digits: the same lists give the same hash
    /// wherever they are loaded from, so a run can record which lists
    /// produced it. Entities pushed in code do not change it.
    pub fn content_hash(&self) -> String {
        format!("{:016x}", self.hash)
    }

    /// The default gazetteers shipped in the repository's `gazetteers/`
    /// folder and compiled into the library.
    pub fn builtin() -> Gazetteer {
        // The image build.rs wrote of the same files (the parse cost 393M
        // instructions of every start-up), read in place; the files are
        // parsed if it cannot be read.
        let image = crate::builtin::GAZETTEER_IMAGE;
        let mut gaz =
            Gazetteer::from_image_in_place(image).unwrap_or_else(Gazetteer::parse_builtin);
        gaz.pristine_builtin = true;
        gaz
    }

    /// The default gazetteer parsed from its CSV files, as build.rs loads
    /// them for the images (same labels, same order).
    pub(crate) fn parse_builtin() -> Gazetteer {
        let mut gaz = Gazetteer::new();
        for (name, data) in BUILTIN {
            gaz.add_csv(&format!("<builtin>/{name}"), data.as_bytes());
        }
        gaz
    }

    /// Whether this is [`Gazetteer::builtin`] with nothing added or
    /// changed since (see the field).
    pub(crate) fn is_pristine_builtin(&self) -> bool {
        self.pristine_builtin
    }

    /// Loads every `*.csv` file of a folder, in file-name order (not
    /// recursive). Row problems become diagnostics; only a folder or file
    /// that cannot be read is an `Err`.
    pub fn from_dir(dir: &Path) -> Result<Gazetteer, Error> {
        let mut gaz = Gazetteer::new();
        gaz.add_dir(dir)?;
        Ok(gaz)
    }

    /// Adds every `*.csv` file of a folder, in file-name order, after the
    /// entities already loaded, as part of the same gazetteer (an id
    /// defined twice is an error). A folder with no `*.csv` file is an
    /// error diagnostic, unless it has a `lexicon/` subfolder (a folder
    /// that only adds discovery word lists).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let files = csv_files(dir)?;
        if files.is_empty() && !dir.join("lexicon").is_dir() {
            self.error(
                Position::new(dir, 0),
                "no *.csv file in this folder (a gazetteer is a folder of CSV files)".to_string(),
            );
        }
        for path in files {
            let file = std::fs::File::open(&path).map_err(|source| Error::Io {
                path: path.clone(),
                error: source,
            })?;
            self.add_csv(&path.display().to_string(), file);
        }
        Ok(())
    }

    /// The gazetteer of `-g base` (the built-in lists without it), with
    /// each `--add-gazetteer` folder of `add` as a layer on top (see
    /// [`Gazetteer::add_layer_dir`]). Errors in the rows are not checked
    /// here (see [`Gazetteer::check`]); a folder that cannot be read is
    /// [`Error::Load`], naming it.
    pub fn layered(base: Option<&Path>, add: &[PathBuf]) -> Result<Gazetteer, Error> {
        let load = |dir: &Path, e: Error| Error::Load {
            dir: dir.to_path_buf(),
            source: Box::new(e),
        };
        let mut gaz = match base {
            Some(dir) => Gazetteer::from_dir(dir).map_err(|e| load(dir, e))?,
            None => Gazetteer::builtin(),
        };
        for dir in add {
            gaz.add_layer_dir(dir).map_err(|e| load(dir, e))?;
        }
        Ok(gaz)
    }

    /// Adds a folder as a gazetteer of its own on top of the ones loaded
    /// so far (what `--add-gazetteer DIR` does). A row whose id an earlier
    /// gazetteer defines adds to that entity instead of being a duplicate
    /// (see [`Gazetteer::start_layer`] for the rule); within the folder, an
    /// id defined twice is still an error. The content hash takes the
    /// folder as [`Gazetteer::extend`] takes a gazetteer.
    pub fn add_layer_dir(&mut self, dir: &Path) -> Result<(), Error> {
        self.start_layer();
        let outer = std::mem::replace(&mut self.hash, FNV_OFFSET);
        let result = self.add_dir(dir);
        let inner = std::mem::replace(&mut self.hash, outer);
        self.hash = fnv1a(self.hash, &inner.to_le_bytes());
        result
    }

    /// Starts a new layer: the entities pushed from now on form a
    /// gazetteer on top of the ones loaded so far. An entity whose id an
    /// earlier layer defines is merged into it: its aliases, weak aliases
    /// and demonyms are added (those already there are not repeated); an
    /// empty `type` or `name` keeps the earlier one, a non-empty one must
    /// be the same (else an error at the row); an empty `name_ar`,
    /// `country` or extra column keeps the earlier value, a non-empty one
    /// fills an empty earlier value or must be the same.
    pub fn start_layer(&mut self) {
        self.pristine_builtin = false;
        self.layer_start = self.store.len();
        self.layer_merged.clear();
    }

    /// Adds the rows of one CSV file. `label` names the file in
    /// diagnostics. Problems become diagnostics; a read error ends the
    /// file with an error diagnostic. A quoted cell that is never closed
    /// (which would swallow the rest of the file) is an error at the line
    /// of its opening quote, and the rows from the next line on are read
    /// again.
    pub fn add_csv<R: Read>(&mut self, label: &str, mut reader: R) {
        self.pristine_builtin = false;
        let path = PathBuf::from(label);
        let at = |line: u64| Position::new(path.clone(), line);
        let mut data = Vec::new();
        if let Err(e) = reader.read_to_end(&mut data) {
            self.error(at(0), format!("cannot read the file: {e}"));
            return;
        }
        let base = path
            .file_name()
            .map_or_else(|| label.into(), |n| n.to_string_lossy());
        self.hash = fnv1a(fnv1a(self.hash, base.as_bytes()), &data);
        let mut cut = unclosed_quote(&data);
        if cut.is_some_and(|c| c.record == 0) {
            self.error(
                at(1),
                "cannot read the header: a quoted cell is never closed".to_string(),
            );
            return;
        }
        let end = cut.map_or(data.len(), |c| c.record);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(&data[..end]);
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.error(at(1), format!("cannot read the header: {e}"));
                return;
            }
        };
        let Some(cols) = self.columns(&headers, &at(1)) else {
            return;
        };
        let segment = &data[..end];
        let mut rows = self.read_rows(
            &mut rdr,
            segment,
            &cols,
            headers.len(),
            CsvBase::FILE,
            &path,
        );
        while let Some(c) = cut {
            let line = 1 + data[..c.quote].iter().filter(|&&b| b == b'\n').count() as u64;
            self.error(
                at(line),
                "malformed row: a quoted cell opens here and is never closed \
                 (it would swallow the rest of the file); the rows after this \
                 line are read again"
                    .to_string(),
            );
            let Some(next) = data[c.quote..].iter().position(|&b| b == b'\n') else {
                break;
            };
            let start = c.quote + next + 1;
            cut = unclosed_quote(&data[start..]).map(|c| QuoteCut {
                record: start + c.record,
                quote: start + c.quote,
            });
            let end = cut.map_or(data.len(), |c| c.record);
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(&data[start..end]);
            let base = CsvBase {
                line,
                byte: start as u64,
                records: false,
            };
            rows += self.read_rows(
                &mut rdr,
                &data[start..end],
                &cols,
                headers.len(),
                base,
                &path,
            );
        }
        if rows == 0 {
            self.warning(at(1), "no rows after the header".to_string());
        }
    }

    /// The column indexes of a header, or `None` (and an error) when a
    /// required column is missing or a column is named twice.
    fn columns(&mut self, headers: &csv::StringRecord, at: &Position) -> Option<Columns> {
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(id_col), Some(type_col), Some(name_col)) =
            (column("id"), column("type"), column("name"))
        else {
            self.error(
                at.clone(),
                format!(
                    "the header must have the columns id, type and name; \
                     found: {}",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            );
            return None;
        };
        let mut extra: Vec<(usize, String)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim();
            if seen.contains(&h) && !h.is_empty() {
                self.error(
                    at.clone(),
                    format!("the header names the column {h:?} twice"),
                );
                return None;
            }
            seen.push(h);
            if KNOWN_COLUMNS.contains(&h) {
                continue;
            }
            if h.is_empty() {
                self.warning(
                    at.clone(),
                    format!("column {} has no name: its cells are not kept", i + 1),
                );
                continue;
            }
            extra.push((i, attribute_column(h)));
        }
        for (_, name) in &extra {
            if extra.iter().filter(|(_, n)| n == name).count() > 1 {
                self.error(
                    at.clone(),
                    format!("the header names the column {name:?} twice"),
                );
                return None;
            }
            if !self.attribute_columns.contains(name) {
                self.attribute_columns.push(name.clone());
            }
        }
        Some(Columns {
            id: id_col,
            kind: type_col,
            name: name_col,
            name_ar: column("name_ar"),
            aliases: column("aliases"),
            weak_aliases: column("weak_aliases"),
            demonyms: column("demonyms"),
            country: column("country"),
            extra,
        })
    }

    /// Adds the rows `rdr` reads from `data`, which starts at `base` in
    /// the file; returns how many rows it read (well-formed or not).
    fn read_rows(
        &mut self,
        rdr: &mut csv::Reader<&[u8]>,
        data: &[u8],
        cols: &Columns,
        fields: usize,
        base: CsvBase,
        path: &Path,
    ) -> usize {
        let at = |line: u64| Position::new(path, line + base.line);
        let mut rows = 0;
        let mut record = csv::StringRecord::new();
        loop {
            let line = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    rows += 1;
                    let position = record
                        .position()
                        .map_or_else(|| at(line), |p| Position::of_csv(path, data, p, base));
                    if record.len() != fields {
                        self.error(
                            position,
                            format!(
                                "malformed row: {} fields, but the header \
                                 has {fields}",
                                record.len(),
                            ),
                        );
                        continue;
                    }
                    self.add_record(cols, &record, position);
                }
                Err(e) => {
                    rows += 1;
                    let position = e
                        .position()
                        .map_or_else(|| at(line), |p| Position::of_csv(path, data, p, base));
                    let message = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "malformed row: invalid UTF-8".to_string(),
                        _ => format!("malformed row: {e}"),
                    };
                    self.error(position, message);
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        break;
                    }
                }
            }
        }
        rows
    }

    fn add_record(&mut self, cols: &Columns, record: &csv::StringRecord, position: Position) {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let id = get(Some(cols.id)).trim();
        let kind = get(Some(cols.kind)).trim();
        let name = get(Some(cols.name)).trim();
        let country = get(cols.country).trim();
        for (value, column) in [(id, "id"), (kind, "type"), (country, "country")] {
            if has_line_break(value) {
                self.error(
                    position.clone(),
                    format!("malformed row: a line break inside the {column} cell {value:?}"),
                );
                return;
            }
        }
        for (i, column) in [
            (Some(cols.name), "name"),
            (cols.name_ar, "name_ar"),
            (cols.aliases, "aliases"),
            (cols.weak_aliases, "weak_aliases"),
            (cols.demonyms, "demonyms"),
        ] {
            if has_line_break(get(i)) {
                self.warning(
                    position.clone(),
                    format!(
                        "a line break inside the {column} cell {:?} \
                         (a misplaced quote may have joined rows)",
                        get(i)
                    ),
                );
            }
        }
        // A row that adds to an entity of an earlier gazetteer may leave
        // its type and name empty.
        let adds = self.earlier(id).is_some();
        for (value, column) in [(id, "id"), (kind, "type"), (name, "name")] {
            if value.is_empty() && !(adds && column != "id") {
                self.error(position.clone(), format!("empty {column}"));
                return;
            }
        }
        let mut entity = Entity::new(id, kind, name);
        let name_ar = get(cols.name_ar).trim();
        if !name_ar.is_empty() {
            entity.name_ar = Some(name_ar.to_string());
        }
        entity.aliases = self.split_list(get(cols.aliases), "aliases", &position);
        entity.weak_aliases = self.split_list(get(cols.weak_aliases), "weak_aliases", &position);
        entity.demonyms = self.split_list(get(cols.demonyms), "demonyms", &position);
        if !country.is_empty() {
            entity.country = Some(country.to_string());
        }
        for (i, column) in &cols.extra {
            entity
                .attributes
                .push((column.clone(), get(Some(*i)).to_string()));
        }
        entity.position = Some(position);
        self.push(entity);
    }

    /// The index of the entity with this id in an earlier layer.
    fn earlier(&self, id: &str) -> Option<usize> {
        (self.store.table().by_id)
            .get(id)
            .copied()
            .filter(|&i| i < self.layer_start)
    }

    /// Splits a `|`-separated list; empty items are reported.
    fn split_list(&mut self, field: &str, column: &str, position: &Position) -> Vec<String> {
        if field.trim().is_empty() {
            return Vec::new();
        }
        let mut items = Vec::new();
        for item in field.split('|') {
            let item = item.trim();
            if item.is_empty() {
                self.warning(
                    position.clone(),
                    format!("empty item in {column}: {field:?}"),
                );
            } else {
                items.push(item.to_string());
            }
        }
        items
    }

    /// Adds an entity built in code (or parsed from a row). A duplicate id
    /// is recorded as an error diagnostic and the entity is not added,
    /// except that an id an earlier layer defines (see
    /// [`Gazetteer::start_layer`]) merges into that entity.
    pub fn push(&mut self, entity: Entity) {
        self.pristine_builtin = false;
        let position = entity
            .position
            .clone()
            .unwrap_or_else(|| Position::new("<code>", 0));
        if let Some(first) = self.layer_merged.get(&entity.id) {
            let message = format!("duplicate id {:?} (first at {first})", entity.id);
            self.error(position, message);
            return;
        }
        if let Some(i) = self.earlier(&entity.id) {
            self.merge_into(i, entity, position);
            return;
        }
        let table = self.store.table();
        if let Some(&first) = table.by_id.get(&entity.id) {
            let where_first = table.entities[first]
                .position
                .as_ref()
                .map_or_else(String::new, |p| format!(" (first at {p})"));
            self.error(
                position,
                format!("duplicate id {:?}{where_first}", entity.id),
            );
            return;
        }
        for (form, _) in entity.forms() {
            self.check_form(form, &entity.id, &position);
        }
        for (column, _) in &entity.attributes {
            if !self.attribute_columns.contains(column) {
                self.attribute_columns.push(column.clone());
            }
        }
        let table = self.store.table_mut();
        table.by_id.insert(entity.id.clone(), table.entities.len());
        table.entities.push(entity);
    }

    /// Merges a row of the current layer into the earlier entity `i`
    /// (the rule is on [`Gazetteer::start_layer`]).
    fn merge_into(&mut self, i: usize, entity: Entity, position: Position) {
        let old = &self.store.table().entities[i];
        let first = old
            .position
            .as_ref()
            .map_or_else(|| "<code>".to_string(), |p| p.to_string());
        let mut conflicts = Vec::new();
        let mut same = |column: &str, new: &str, old: &str| {
            if !new.is_empty() && !old.is_empty() && new != old {
                conflicts.push(format!(
                    "{:?} is already defined at {first} with {column} {old:?}; \
                     this row says {new:?} (a row that adds to an entity may \
                     leave {column} empty, or must repeat it)",
                    entity.id
                ));
            }
        };
        same("type", &entity.kind, &old.kind);
        same("name", &entity.name, &old.name);
        same(
            "name_ar",
            entity.name_ar.as_deref().unwrap_or(""),
            old.name_ar.as_deref().unwrap_or(""),
        );
        same(
            "country",
            entity.country.as_deref().unwrap_or(""),
            old.country.as_deref().unwrap_or(""),
        );
        for (column, value) in &entity.attributes {
            let old_value = old
                .attributes
                .iter()
                .find(|(c, _)| c == column)
                .map_or("", |(_, v)| v.as_str());
            same(column, value, old_value);
        }
        if !conflicts.is_empty() {
            for message in conflicts {
                self.error(position.clone(), message);
            }
            return;
        }
        let mut new_forms: Vec<String> = Vec::new();
        let old = &mut self.store.table_mut().entities[i];
        if old.name_ar.is_none() && entity.name_ar.is_some() {
            old.name_ar = entity.name_ar.clone();
            new_forms.extend(entity.name_ar);
        }
        if old.country.is_none() {
            old.country = entity.country;
        }
        for (list, items) in [
            (&mut old.aliases, entity.aliases),
            (&mut old.weak_aliases, entity.weak_aliases),
            (&mut old.demonyms, entity.demonyms),
        ] {
            for item in items {
                if !list.contains(&item) {
                    list.push(item.clone());
                    new_forms.push(item);
                }
            }
        }
        for (column, value) in entity.attributes {
            match old.attributes.iter_mut().find(|(c, _)| *c == column) {
                Some((_, v)) if v.is_empty() => *v = value,
                Some(_) => {}
                None => old.attributes.push((column.clone(), value)),
            }
            if !self.attribute_columns.contains(&column) {
                self.attribute_columns.push(column);
            }
        }
        for form in &new_forms {
            self.check_form(form, &entity.id, &position);
        }
        self.layer_merged.insert(entity.id, position);
    }

    /// Warns about a form that never matches (no letter or digit after
    /// normalization) or matches too much (one letter or digit and nothing
    /// else: `a`, `و`; `C++` must match its `++` and is not warned about).
    fn check_form(&mut self, form: &str, id: &str, position: &Position) {
        // A letter or digit other than those normalization deletes
        // (tatweel, the isolated harakat U+FE70-FE7F) survives it: most
        // forms need no normalizing here (it was a tenth of the start-up
        // of a run). Three of them make more than one letter.
        let kept = |c: &char| match *c {
            // The common cases without the Unicode tables (most of the
            // start-up's letters).
            c if c.is_ascii() => c.is_ascii_alphanumeric(),
            '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => true,
            c => c.is_alphanumeric() && c != '\u{0640}' && !('\u{FE70}'..='\u{FE7F}').contains(&c),
        };
        if form.chars().filter(kept).take(3).count() == 3 {
            return;
        }
        let norm = normalize_str(form);
        let mut chars = norm.trim().chars();
        let lone = match (chars.next(), chars.next()) {
            (Some(c), None) => is_word_char(c),
            _ => false,
        };
        if lone {
            self.warning(
                position.clone(),
                format!(
                    "alias {form:?} of {id:?} is a single letter or digit \
                     and matches it wherever it stands alone"
                ),
            );
            return;
        }
        if !norm.chars().any(is_word_char) {
            self.warning(
                position.clone(),
                format!(
                    "alias {form:?} of {id:?} has no letter or digit \
                     after normalization and never matches"
                ),
            );
        }
    }

    /// Adds the entities of `other` (and its diagnostics) as a layer on
    /// top of ours (see [`Gazetteer::start_layer`]): an id we define
    /// merges, a new one is appended.
    pub fn extend(&mut self, other: Gazetteer) {
        self.pristine_builtin = false;
        self.hash = fnv1a(self.hash, &other.hash.to_le_bytes());
        self.diagnostics.extend(other.diagnostics);
        self.start_layer();
        for column in other.attribute_columns {
            if !self.attribute_columns.contains(&column) {
                self.attribute_columns.push(column);
            }
        }
        for entity in other.store.into_table().entities {
            self.push(entity);
        }
    }

    /// The extra columns (those the format does not define, e.g.
    /// `wikidata`), in the order of their first appearance in the files
    /// loaded: the order the entity tables write them in.
    pub fn attribute_columns(&self) -> &[String] {
        &self.attribute_columns
    }

    /// The entities, in load order.
    pub fn entities(&self) -> &[Entity] {
        &self.store.table().entities
    }

    /// The entity with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Entity> {
        let table = self.store.table();
        table.by_id.get(id).map(|&i| &table.entities[i])
    }

    /// What the tables say of the entity with this id, read where it
    /// lies: the built-in gazetteer as loaded answers from its image
    /// without reading the other entities.
    pub(crate) fn entity_fields(&self, id: &str) -> Option<EntityFields<'_>> {
        if let (None, Some(image)) = (self.store.table.get(), &self.store.image) {
            // `None` from a sound image is an id it does not hold.
            return image.find(id).and_then(|i| image.fields(i));
        }
        self.get(id).map(|e| EntityFields {
            kind: &e.kind,
            name: &e.name,
            name_ar: e.name_ar.as_deref(),
            attributes: (e.attributes.iter())
                .map(|(c, v)| (c.as_str(), v.as_str()))
                .collect(),
        })
    }

    /// The entities where they lie, for the built-in gazetteer with
    /// nothing changed since it was loaded.
    pub(crate) fn entities_in_place(&self) -> Option<&image::Entities<'static>> {
        self.store.image.as_ref()
    }

    /// Everything found while loading, plus the cross-entity checks
    /// (unknown `country` ids, shared aliases), in load order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.diagnostics.clone();
        // build.rs ran the country check on the built-in gazetteer (a
        // lookup per entity, 25M instructions of every start): unchanged
        // since, it needs no second run.
        if !(self.pristine_builtin && crate::builtin::BUILTIN_COUNTRIES_RESOLVE) {
            all.extend(self.country_warnings());
        }
        all
    }

    /// The warnings of the entities whose country is not an entity id.
    pub(crate) fn country_warnings(&self) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        let table = self.store.table();
        for entity in &table.entities {
            let Some(country) = &entity.country else {
                continue;
            };
            if !table.by_id.contains_key(country) {
                all.push(Diagnostic {
                    severity: Severity::Warning,
                    position: entity
                        .position
                        .clone()
                        .unwrap_or_else(|| Position::new("<code>", 0)),
                    message: format!(
                        "{:?} refers to the unknown country id {country:?}",
                        entity.id
                    ),
                });
            }
        }
        all
    }

    /// The diagnostics that are errors.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    /// `Ok` if the gazetteer has no error (warnings allowed), else an
    /// [`Error::Gazetteer`] listing every error with its position.
    pub fn check(&self) -> Result<(), Error> {
        let errors = self.errors();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Gazetteer(errors))
        }
    }

    /// Strong aliases (normalized) shared by several entities, sorted by
    /// alias. Weak aliases are not listed: sharing them is their purpose.
    pub fn ambiguities(&self) -> Vec<Ambiguity> {
        let mut by_alias: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let entities = self.entities();
        for (i, entity) in entities.iter().enumerate() {
            for (form, kind) in entity.forms() {
                if kind == Form::Weak {
                    continue;
                }
                let norm = normalize_str(form).trim().to_string();
                let ids = by_alias.entry(norm).or_default();
                if ids.last() != Some(&i) {
                    ids.push(i);
                }
            }
        }
        by_alias
            .into_iter()
            .filter(|(alias, ids)| ids.len() > 1 && !alias.is_empty())
            .map(|(alias, ids)| Ambiguity {
                alias,
                entity_ids: ids.into_iter().map(|i| entities[i].id.clone()).collect(),
            })
            .collect()
    }

    fn error(&mut self, position: Position, message: String) {
        self.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            position,
            message,
        });
    }

    fn warning(&mut self, position: Position, message: String) {
        self.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            position,
            message,
        });
    }
}

/// The columns the format defines.
const KNOWN_COLUMNS: [&str; 8] = [
    "id",
    "type",
    "name",
    "name_ar",
    "aliases",
    "weak_aliases",
    "demonyms",
    "country",
];

/// Names the entity tables use for their own columns (`entities.csv`,
/// `entities.json`, the graph files).
const RESERVED_COLUMNS: [&str; 7] = [
    "entity_id",
    "mentions",
    "documents",
    "windows",
    "source",
    "label",
    "attributes",
];

/// The name an extra column is kept under: its own, or `gazetteer_NAME`
/// for a name the entity tables use for their own columns (`mentions`,
/// `source`, ...), so that both can be written side by side.
fn attribute_column(name: &str) -> String {
    if RESERVED_COLUMNS.contains(&name) {
        format!("gazetteer_{name}")
    } else {
        name.to_string()
    }
}

/// Where a quoted cell that is never closed starts: the byte offsets of
/// its record and of its opening quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QuoteCut {
    record: usize,
    quote: usize,
}

/// The quoted cell still open at the end of `data`, read as the `csv`
/// crate reads it (a quote opens a cell only at the cell's start; `""`
/// inside is a quote; after the closing quote the cell goes on unquoted),
/// or `None` when every quoted cell is closed.
fn unclosed_quote(data: &[u8]) -> Option<QuoteCut> {
    // Most files have no quote at all.
    memchr::memchr(b'"', data)?;
    #[derive(PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::CellStart;
    let mut record = 0;
    let mut quote = 0;
    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    for (i, &b) in data.iter().enumerate().skip(bom) {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::CellStart, b'"') => {
                quote = i;
                State::Quoted
            }
            (_, b',') => State::CellStart,
            (_, b'\n' | b'\r') => {
                record = i + 1;
                State::CellStart
            }
            (_, _) => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(QuoteCut { record, quote })
}

/// Column indexes of one CSV file.
struct Columns {
    id: usize,
    kind: usize,
    name: usize,
    name_ar: Option<usize>,
    aliases: Option<usize>,
    weak_aliases: Option<usize>,
    demonyms: Option<usize>,
    country: Option<usize>,
    extra: Vec<(usize, String)>,
}

/// Whether `s` holds a line feed or a carriage return (memchr: every cell
/// of every gazetteer row is checked at start-up).
fn has_line_break(s: &str) -> bool {
    memchr::memchr2(b'\n', b'\r', s.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// build.rs's country check of the built-in gazetteer, which its
    /// `diagnostics` then skip, is what the check finds; a gazetteer
    /// changed since is checked again.
    #[test]
    fn the_builtin_country_check_is_the_check() {
        let builtin = Gazetteer::builtin();
        assert!(builtin.is_pristine_builtin());
        assert_eq!(
            crate::builtin::BUILTIN_COUNTRIES_RESOLVE,
            builtin.country_warnings().is_empty()
        );
        let mut changed = Gazetteer::builtin();
        let mut nowhere = Entity::new("city:nowhere", "city", "Nowhere");
        nowhere.country = Some("country:ZZ".to_string());
        changed.push(nowhere);
        let warned = changed.diagnostics();
        assert!(
            warned.iter().any(|d| d.message.contains("\"country:ZZ\"")),
            "{warned:?}"
        );
    }

    fn load(csv: &str) -> Gazetteer {
        let mut gaz = Gazetteer::new();
        gaz.add_csv("t.csv", csv.as_bytes());
        gaz
    }

    fn messages(gaz: &Gazetteer) -> Vec<String> {
        gaz.diagnostics().iter().map(|d| d.to_string()).collect()
    }

    const HEADER: &str = "id,type,name,name_ar,aliases,weak_aliases,demonyms,country\n";

    #[test]
    fn loads_all_columns() {
        let gaz = load(&format!(
            "{HEADER}country:RU,country,Russia,روسيا,Russian Federation|RF,,Russian|روسي,\n\
             person:putin,person,Vladimir Putin,فلاديمير بوتين,بوتين|Putin,فلاديمير,,country:RU\n"
        ));
        assert_eq!(messages(&gaz), Vec::<String>::new());
        let ru = gaz.get("country:RU").unwrap();
        assert_eq!(ru.aliases, vec!["Russian Federation", "RF"]);
        assert_eq!(ru.demonyms, vec!["Russian", "روسي"]);
        let putin = gaz.get("person:putin").unwrap();
        assert_eq!(putin.weak_aliases, vec!["فلاديمير"]);
        assert_eq!(putin.country.as_deref(), Some("country:RU"));
        assert_eq!(putin.position.as_ref().unwrap().line, 3);
    }

    #[test]
    fn unknown_columns_are_attributes() {
        let gaz = load("id,type,name,wikidata\nx:1,thing,One,Q1\n");
        assert_eq!(
            gaz.get("x:1").unwrap().attributes,
            vec![("wikidata".to_string(), "Q1".to_string())]
        );
    }

    /// A row's diagnostic says where the row starts in bytes and which
    /// record it is, beside its line: in `"id,type,name\na:1,t,Ann\n\
    /// a:2,t\n"` the short row starts at byte 13 + 10 = 23 (the header
    /// and its line end are 13 bytes, `a:1,t,Ann` and its line end 10),
    /// on line 3, and is record 2 (the header is record 0).
    #[test]
    fn diagnostics_carry_byte_offsets_and_record_numbers() {
        // (csv, expected (line, byte, record))
        type Expected = (u64, Option<u64>, Option<u64>);
        let cases: &[(&str, Expected)] = &[
            ("id,type,name\na:1,t,Ann\na:2,t\n", (3, Some(23), Some(2))),
            // CRLF line ends: the same line as with LF, and the byte
            // after the `\r\n`.
            ("id,type,name\r\na:2,t\r\n", (2, Some(14), Some(1))),
            // A quoted line break: the next row starts on line 4.
            (
                "id,type,name\na:1,t,\"A\nB\"\na:2,t\n",
                (4, Some(25), Some(2)),
            ),
            // The whole file is meant: no byte offset or record.
            ("id,name\n", (1, None, None)),
        ];
        for (csv, (line, byte, record)) in cases {
            let mut g = Gazetteer::new();
            g.add_csv("t.csv", csv.as_bytes());
            let d = g.errors();
            assert_eq!(d.len(), 1, "{csv:?}: {d:?}");
            let p = &d[0].position;
            assert_eq!(
                (p.line, p.byte, p.record),
                (*line, *byte, *record),
                "{csv:?}"
            );
        }
    }

    #[test]
    fn diagnostics_carry_positions() {
        // (name, csv, expected diagnostics)
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "missing_header",
                "id,name\nx,y\n",
                &[
                    "t.csv:1: error: the header must have the columns id, type and name; found: id,name",
                ],
            ),
            (
                "short_row",
                "id,type,name\na:1,t,Ann\na:2,t\n",
                &["t.csv:3: error: malformed row: 2 fields, but the header has 3"],
            ),
            (
                "duplicate_id",
                "id,type,name\na:1,t,Ann\nb:1,t,Bob\na:1,t,Cid\n",
                &["t.csv:4: error: duplicate id \"a:1\" (first at t.csv:2)"],
            ),
            (
                "empty_name",
                "id,type,name\na:1,t, \n",
                &["t.csv:2: error: empty name"],
            ),
            (
                "empty_alias",
                "id,type,name,aliases\na:1,t,Ann,xa||yb\n",
                &["t.csv:2: warning: empty item in aliases: \"xa||yb\""],
            ),
            (
                "no_letters",
                "id,type,name,aliases\na:1,t,Ann,؟\n",
                &[
                    "t.csv:2: warning: alias \"؟\" of \"a:1\" has no letter or digit after normalization and never matches",
                ],
            ),
            (
                // Letters normalization deletes: tatweel, isolated harakat.
                "deleted_letters",
                "id,type,name,aliases\na:1,t,Ann,\u{0640}\u{0640}|\u{FE70}\n",
                &[
                    "t.csv:2: warning: alias \"\u{0640}\u{0640}\" of \"a:1\" has no letter or digit after normalization and never matches",
                    "t.csv:2: warning: alias \"\u{FE70}\" of \"a:1\" has no letter or digit after normalization and never matches",
                ],
            ),
            (
                // The quote opened on line 2 is never closed: an error
                // there, and line 3 is read again (and loads).
                "unclosed_quote_in_the_last_column",
                "id,type,name,country\na:1,t,Ann,\"country:XX\nb:1,t,Bob,\n",
                &[
                    "t.csv:2: error: malformed row: a quoted cell opens here and is never closed (it would swallow the rest of the file); the rows after this line are read again",
                ],
            ),
            (
                // Three quotes: the first two pair up (joining lines 2 and
                // 3, a warning), the third is never closed.
                "three_quotes",
                "id,type,name,aliases\na:1,t,Ann,\"Anna\nb:1,t,Bob,\"Bobby\nc:1,t,Cid,\"Cy\nd:1,t,Dee,\n",
                &[
                    "t.csv:2: warning: a line break inside the aliases cell \"Anna\\nb:1,t,Bob,Bobby\" (a misplaced quote may have joined rows)",
                    "t.csv:4: error: malformed row: a quoted cell opens here and is never closed (it would swallow the rest of the file); the rows after this line are read again",
                ],
            ),
            (
                "unclosed_quote_in_the_header",
                "id,type,\"name\na:1,t,Ann\n",
                &["t.csv:1: error: cannot read the header: a quoted cell is never closed"],
            ),
            (
                "line_break_in_id",
                "id,type,name\n\"a\n:1\",t,Ann\n",
                &["t.csv:2: error: malformed row: a line break inside the id cell \"a\\n:1\""],
            ),
            (
                "line_break_in_country",
                "id,type,name,country\na:1,t,Ann,\"country:RU\nx\"\n",
                &[
                    "t.csv:2: error: malformed row: a line break inside the country cell \"country:RU\\nx\"",
                ],
            ),
            (
                "line_break_in_an_alias",
                "id,type,name,aliases\na:1,t,Ann,\"Anna\nb:1\"\n",
                &[
                    "t.csv:2: warning: a line break inside the aliases cell \"Anna\\nb:1\" (a misplaced quote may have joined rows)",
                ],
            ),
            (
                "header_only",
                "id,type,name\n",
                &["t.csv:1: warning: no rows after the header"],
            ),
            (
                "one_letter_aliases",
                "id,type,name,aliases,weak_aliases\na:1,t,Ann,a|و|Al,s\n",
                &[
                    "t.csv:2: warning: alias \"a\" of \"a:1\" is a single letter or digit and matches it wherever it stands alone",
                    "t.csv:2: warning: alias \"و\" of \"a:1\" is a single letter or digit and matches it wherever it stands alone",
                    "t.csv:2: warning: alias \"s\" of \"a:1\" is a single letter or digit and matches it wherever it stands alone",
                ],
            ),
            (
                "column_named_twice",
                "id,type,name,url,url\na:1,t,Ann,x,y\n",
                &["t.csv:1: error: the header names the column \"url\" twice"],
            ),
            (
                "unnamed_column",
                "id,type,name,\na:1,t,Ann,x\n",
                &["t.csv:1: warning: column 4 has no name: its cells are not kept"],
            ),
            (
                "unknown_country",
                "id,type,name,country\na:1,t,Ann,country:ZZ\n",
                &["t.csv:2: warning: \"a:1\" refers to the unknown country id \"country:ZZ\""],
            ),
        ];
        for &(name, csv, expected) in cases {
            let gaz = load(csv);
            assert_eq!(messages(&gaz), expected, "test: {name}");
        }
    }

    #[test]
    fn quoted_multiline_row_line_numbers() {
        // A line break in an extra column is text; in a form, a warning.
        let gaz = load("id,type,name,note\n\"a:1\",t,Ann,\"one\ntwo\"\na:1,t,Cid,\n");
        assert_eq!(
            messages(&gaz),
            vec!["t.csv:4: error: duplicate id \"a:1\" (first at t.csv:2)"]
        );
    }

    #[test]
    fn rows_after_an_unclosed_quote_load_at_their_lines() {
        let gaz = load(
            "id,type,name,country\nx:1,t,Xena,\"country:XX\nperson:putin,person,Vladimir Putin,\n\
             y:1,t,Yann,\n",
        );
        assert!(gaz.get("x:1").is_none());
        let putin = gaz.get("person:putin").unwrap();
        assert_eq!(putin.position.as_ref().unwrap().line, 3);
        assert_eq!(gaz.get("y:1").unwrap().position.as_ref().unwrap().line, 4);
        assert!(gaz.check().is_err());
    }

    #[test]
    fn a_later_layer_adds_to_an_entity_by_its_id() {
        // (name, the added file, expected diagnostics, expected entity)
        type Expect = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
        );
        let base = "id,type,name,name_ar,aliases,weak_aliases,demonyms,country,wikidata\n\
                    country:RU,country,Russia,روسيا,RF,,Russian,,Q159\n\
                    person:putin,person,Vladimir Putin,,Putin,,,country:RU,\n";
        // Entity after the merge: (id, "name|name_ar|country", aliases).
        let cases: &[(&str, &str, &[&str], Expect)] = &[
            (
                "forms_are_unioned",
                "id,type,name,aliases,weak_aliases,demonyms\n\
                 country:RU,,,RF|Rossiya,روس,Russian|روسي\n",
                &[],
                ("country:RU", &["Russia|روسيا|"], &["RF", "Rossiya"]),
            ),
            (
                "same_name_and_type_may_be_repeated",
                "id,type,name,name_ar,country\n\
                 person:putin,person,Vladimir Putin,فلاديمير بوتين,country:RU\n",
                &[],
                (
                    "person:putin",
                    &["Vladimir Putin|فلاديمير بوتين|country:RU"],
                    &["Putin"],
                ),
            ),
            (
                "another_name_is_an_error",
                "id,type,name,aliases\ncountry:RU,,Russian Federation,Rossiya\n",
                &[
                    "add.csv:2: error: \"country:RU\" is already defined at base.csv:2 with name \"Russia\"; this row says \"Russian Federation\" (a row that adds to an entity may leave name empty, or must repeat it)",
                ],
                ("country:RU", &["Russia|روسيا|"], &["RF"]),
            ),
            (
                "another_type_is_an_error",
                "id,type,name\nperson:putin,city,\n",
                &[
                    "add.csv:2: error: \"person:putin\" is already defined at base.csv:3 with type \"person\"; this row says \"city\" (a row that adds to an entity may leave type empty, or must repeat it)",
                ],
                ("person:putin", &["Vladimir Putin||country:RU"], &["Putin"]),
            ),
            (
                "another_attribute_value_is_an_error",
                "id,type,name,wikidata\ncountry:RU,,,Q1\n",
                &[
                    "add.csv:2: error: \"country:RU\" is already defined at base.csv:2 with wikidata \"Q159\"; this row says \"Q1\" (a row that adds to an entity may leave wikidata empty, or must repeat it)",
                ],
                ("country:RU", &["Russia|روسيا|"], &["RF"]),
            ),
            (
                "twice_in_one_layer_is_a_duplicate",
                "id,type,name,aliases\ncountry:RU,,,Rossiya\ncountry:RU,,,Rusland\n",
                &["add.csv:3: error: duplicate id \"country:RU\" (first at add.csv:2)"],
                ("country:RU", &["Russia|روسيا|"], &["RF", "Rossiya"]),
            ),
            (
                "a_new_id_still_needs_a_name",
                "id,type,name\nperson:xi,person,\n",
                &["add.csv:2: error: empty name"],
                ("country:RU", &["Russia|روسيا|"], &["RF"]),
            ),
        ];
        for &(name, added, diagnostics, (id, summary, aliases)) in cases {
            let mut gaz = Gazetteer::new();
            gaz.add_csv("base.csv", base.as_bytes());
            gaz.start_layer();
            gaz.add_csv("add.csv", added.as_bytes());
            assert_eq!(messages(&gaz), diagnostics, "test: {name}");
            let e = gaz.get(id).unwrap();
            let got = format!(
                "{}|{}|{}",
                e.name,
                e.name_ar.as_deref().unwrap_or(""),
                e.country.as_deref().unwrap_or("")
            );
            assert_eq!([got.as_str()], summary, "test: {name}");
            assert_eq!(e.aliases, aliases, "test: {name}");
            assert_eq!(gaz.entities().len(), 2, "test: {name}");
        }
        // Without a new layer, the same row is a duplicate.
        let mut gaz = Gazetteer::new();
        gaz.add_csv("base.csv", base.as_bytes());
        gaz.add_csv(
            "add.csv",
            "id,type,name\ncountry:RU,country,Russia\n".as_bytes(),
        );
        assert_eq!(
            messages(&gaz),
            ["add.csv:2: error: duplicate id \"country:RU\" (first at base.csv:2)"]
        );
    }

    #[test]
    fn attribute_columns_in_order_of_first_appearance() {
        let mut gaz = Gazetteer::new();
        gaz.add_csv("a.csv", "id,type,name,wikidata\na:1,t,Ann,Q1\n".as_bytes());
        gaz.add_csv(
            "b.csv",
            "id,url,type,name,wikidata,mentions\nb:1,http://b,t,Bob,,7\n".as_bytes(),
        );
        assert_eq!(
            gaz.attribute_columns(),
            ["wikidata", "url", "gazetteer_mentions"]
        );
        assert_eq!(
            gaz.get("b:1").unwrap().attributes,
            [
                ("url".to_string(), "http://b".to_string()),
                ("wikidata".to_string(), String::new()),
                ("gazetteer_mentions".to_string(), "7".to_string()),
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_reported_and_loading_goes_on() {
        let mut data = b"id,type,name\na:1,t,Ann\nb:1,t,".to_vec();
        data.extend_from_slice(&[0xff, b'\n']);
        data.extend_from_slice(b"c:1,t,Cid\n");
        let mut gaz = Gazetteer::new();
        gaz.add_csv("t.csv", &data[..]);
        assert_eq!(
            messages(&gaz),
            vec!["t.csv:3: error: malformed row: invalid UTF-8"]
        );
        assert!(gaz.get("c:1").is_some());
    }

    #[test]
    fn ambiguities_list_shared_strong_aliases() {
        let gaz = load(
            "id,type,name,name_ar,aliases,weak_aliases\n\
             country:OM,country,Oman,سلطنة عمان,عُمان,\n\
             city:amman,city,Amman,عمّان,,\n\
             person:a,person,George Bush,,,Bush\n\
             person:b,person,George H. W. Bush,,,Bush\n",
        );
        assert_eq!(
            gaz.ambiguities(),
            vec![Ambiguity {
                alias: "عمان".into(),
                entity_ids: vec!["country:OM".into(), "city:amman".into()],
            }]
        );
        assert!(gaz.check().is_ok());
    }

    #[test]
    fn check_fails_on_errors() {
        let gaz = load("id,type,name\na:1,t,Ann\na:1,t,Bob\n");
        let err = gaz.check().unwrap_err().to_string();
        assert!(err.contains("t.csv:3: error: duplicate id"), "{err}");
    }

    #[test]
    fn content_hash_follows_names_and_bytes() {
        let load = |name: &str, csv: &str| {
            let mut g = Gazetteer::new();
            g.add_csv(name, csv.as_bytes());
            g.content_hash()
        };
        let a = "id,type,name\na:1,t,Ann\n";
        assert_eq!(load("x/g.csv", a), load("y/g.csv", a));
        assert_ne!(load("x/g.csv", a), load("x/h.csv", a));
        assert_ne!(
            load("x/g.csv", a),
            load("x/g.csv", "id,type,name\na:1,t,Bob\n")
        );
        assert_eq!(load("g.csv", a).len(), 16);
    }

    #[test]
    fn builtin_loads_without_errors() {
        let gaz = Gazetteer::builtin();
        assert!(gaz.check().is_ok(), "{:?}", gaz.errors());
        assert!(!gaz.entities().is_empty());
    }
}
