//! Gazetteers: folders of CSV files, one entity per row (SPEC section 2).
//!
//! Columns (a header row is required; only `id`, `type` and `name` must be
//! present; unknown columns are kept as attributes):
//!
//! | column | meaning |
//! |---|---|
//! | `id` | unique id, e.g. `country:RU`, `person:vladimir-putin` |
//! | `type` | `person`, `country`, `organization`, `city` or any other word |
//! | `name` | canonical display name (English); also an alias |
//! | `name_ar` | canonical Arabic name; also an alias |
//! | `aliases` | `\|`-separated surface forms in any script |
//! | `weak_aliases` | `\|`-separated forms that count only in a document where a strong form of the same entity matched |
//! | `demonyms` | `\|`-separated adjectives (`Russian`, `روسي`), matched with inflections |
//! | `country` | id of the related country (optional) |
//!
//! Loading never drops a row silently: every problem becomes a
//! [`Diagnostic`] with its `file:line`. Errors (a malformed row, a missing
//! required field, a duplicate id) make [`Gazetteer::check`] fail; warnings
//! (an empty alias, an alias shared by several entities, an unknown
//! `country` id) do not.
//!
//! Order matters: files of a folder load in file-name order and rows in
//! file order. When an alias names several entities and the document does
//! not settle it, the first-listed entity wins.
//!
//! ```
//! let csv = "id,type,name,name_ar,aliases\n\
//!            country:RU,country,Russia,روسيا,Russian Federation\n";
//! let mut gaz = alam::Gazetteer::new();
//! gaz.add_csv("countries.csv", csv.as_bytes());
//! assert_eq!(gaz.entities().len(), 1);
//! assert!(gaz.check().is_ok());
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Position};
use crate::normalize::{is_word_char, normalize_str};

/// One entity: a person, country, organization, city, or any other type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    pub fn forms(&self) -> impl Iterator<Item = (&str, crate::Form)> {
        use crate::Form;
        std::iter::once((self.name.as_str(), Form::Name))
            .chain(self.name_ar.iter().map(|s| (s.as_str(), Form::Name)))
            .chain(self.aliases.iter().map(|s| (s.as_str(), Form::Alias)))
            .chain(self.demonyms.iter().map(|s| (s.as_str(), Form::Demonym)))
            .chain(self.weak_aliases.iter().map(|s| (s.as_str(), Form::Weak)))
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
#[derive(Clone, Debug)]
pub struct Gazetteer {
    entities: Vec<Entity>,
    diagnostics: Vec<Diagnostic>,
    by_id: HashMap<String, usize>,
    /// FNV-1a of the file names and contents loaded, in order.
    hash: u64,
}

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
        source,
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
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_gazetteers.rs"));

impl Gazetteer {
    /// An empty gazetteer.
    pub fn new() -> Gazetteer {
        Gazetteer {
            entities: Vec::new(),
            diagnostics: Vec::new(),
            by_id: HashMap::new(),
            hash: 0xcbf2_9ce4_8422_2325,
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
        let mut gaz = Gazetteer::new();
        for (name, data) in BUILTIN {
            gaz.add_csv(&format!("<builtin>/{name}"), data.as_bytes());
        }
        gaz
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
    /// entities already loaded.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let files = csv_files(dir)?;
        if files.is_empty() {
            self.diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                position: Position {
                    path: dir.to_path_buf(),
                    line: 0,
                },
                message: "no *.csv file in this folder".to_string(),
            });
        }
        for path in files {
            let file = std::fs::File::open(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            self.add_csv(&path.display().to_string(), file);
        }
        Ok(())
    }

    /// Adds the rows of one CSV file. `label` names the file in
    /// diagnostics. Problems become diagnostics; a read error ends the
    /// file with an error diagnostic.
    pub fn add_csv<R: Read>(&mut self, label: &str, mut reader: R) {
        let path = PathBuf::from(label);
        let at = |line: u64| Position {
            path: path.clone(),
            line,
        };
        let mut data = Vec::new();
        if let Err(e) = reader.read_to_end(&mut data) {
            self.error(at(0), format!("cannot read the file: {e}"));
            return;
        }
        let base = path
            .file_name()
            .map_or_else(|| label.into(), |n| n.to_string_lossy());
        self.hash = fnv1a(fnv1a(self.hash, base.as_bytes()), &data);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(&data[..]);
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.error(at(1), format!("cannot read the header: {e}"));
                return;
            }
        };
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(id_col), Some(type_col), Some(name_col)) =
            (column("id"), column("type"), column("name"))
        else {
            self.error(
                at(1),
                format!(
                    "the header must have the columns id, type and name; \
                     found: {}",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            );
            return;
        };
        let known = [
            "id",
            "type",
            "name",
            "name_ar",
            "aliases",
            "weak_aliases",
            "demonyms",
            "country",
        ];
        let cols = Columns {
            id: id_col,
            kind: type_col,
            name: name_col,
            name_ar: column("name_ar"),
            aliases: column("aliases"),
            weak_aliases: column("weak_aliases"),
            demonyms: column("demonyms"),
            country: column("country"),
            extra: headers
                .iter()
                .enumerate()
                .filter(|(_, h)| !known.contains(&h.trim()))
                .map(|(i, h)| (i, h.trim().to_string()))
                .collect(),
        };
        let mut record = csv::StringRecord::new();
        loop {
            let line = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(line, |p| p.line());
                    if record.len() != headers.len() {
                        self.error(
                            at(line),
                            format!(
                                "malformed row: {} fields, but the header \
                                 has {}",
                                record.len(),
                                headers.len()
                            ),
                        );
                        continue;
                    }
                    self.add_record(&cols, &record, at(line));
                }
                Err(e) => {
                    let line = e.position().map_or(line, |p| p.line());
                    let message = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "malformed row: invalid UTF-8".to_string(),
                        _ => format!("malformed row: {e}"),
                    };
                    self.error(at(line), message);
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        break;
                    }
                }
            }
        }
    }

    fn add_record(&mut self, cols: &Columns, record: &csv::StringRecord, position: Position) {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let id = get(Some(cols.id)).trim();
        let kind = get(Some(cols.kind)).trim();
        let name = get(Some(cols.name)).trim();
        for (value, column) in [(id, "id"), (kind, "type"), (name, "name")] {
            if value.is_empty() {
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
        let country = get(cols.country).trim();
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
    /// is recorded as an error diagnostic and the entity is not added.
    pub fn push(&mut self, entity: Entity) {
        let position = entity.position.clone().unwrap_or_else(|| Position {
            path: "<code>".into(),
            line: 0,
        });
        if let Some(&first) = self.by_id.get(&entity.id) {
            let where_first = self.entities[first]
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
            // A letter or digit other than those normalization deletes
            // (tatweel, the isolated harakat U+FE70-FE7F) survives it: most
            // forms need no normalizing here (it was a tenth of the start-up
            // of a run).
            let kept = |c: char| {
                c.is_alphanumeric() && c != '\u{0640}' && !('\u{FE70}'..='\u{FE7F}').contains(&c)
            };
            if form.chars().any(kept) {
                continue;
            }
            let norm = normalize_str(form);
            if !norm.chars().any(is_word_char) {
                self.warning(
                    position.clone(),
                    format!(
                        "alias {form:?} of {:?} has no letter or digit \
                         after normalization and never matches",
                        entity.id
                    ),
                );
            }
        }
        self.by_id.insert(entity.id.clone(), self.entities.len());
        self.entities.push(entity);
    }

    /// Appends all entities of `other` (and its diagnostics) after ours.
    pub fn extend(&mut self, other: Gazetteer) {
        self.hash = fnv1a(self.hash, &other.hash.to_le_bytes());
        self.diagnostics.extend(other.diagnostics);
        for entity in other.entities {
            self.push(entity);
        }
    }

    /// The entities, in load order.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The entity with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &self.entities[i])
    }

    /// Everything found while loading, plus the cross-entity checks
    /// (unknown `country` ids, shared aliases), in load order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.diagnostics.clone();
        for entity in &self.entities {
            let Some(country) = &entity.country else {
                continue;
            };
            if !self.by_id.contains_key(country) {
                all.push(Diagnostic {
                    severity: Severity::Warning,
                    position: entity.position.clone().unwrap_or_else(|| Position {
                        path: "<code>".into(),
                        line: 0,
                    }),
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
            Err(Error::Gazetteer(
                errors.iter().map(|d| d.to_string()).collect(),
            ))
        }
    }

    /// Strong aliases (normalized) shared by several entities, sorted by
    /// alias. Weak aliases are not listed: sharing them is their purpose.
    pub fn ambiguities(&self) -> Vec<Ambiguity> {
        let mut by_alias: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, entity) in self.entities.iter().enumerate() {
            for (form, kind) in entity.forms() {
                if kind == crate::Form::Weak {
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
                entity_ids: ids
                    .into_iter()
                    .map(|i| self.entities[i].id.clone())
                    .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
                "id,type,name\na:1,t,A\na:2,t\n",
                &["t.csv:3: error: malformed row: 2 fields, but the header has 3"],
            ),
            (
                "duplicate_id",
                "id,type,name\na:1,t,A\nb:1,t,B\na:1,t,C\n",
                &["t.csv:4: error: duplicate id \"a:1\" (first at t.csv:2)"],
            ),
            (
                "empty_name",
                "id,type,name\na:1,t, \n",
                &["t.csv:2: error: empty name"],
            ),
            (
                "empty_alias",
                "id,type,name,aliases\na:1,t,A,x||y\n",
                &["t.csv:2: warning: empty item in aliases: \"x||y\""],
            ),
            (
                "no_letters",
                "id,type,name,aliases\na:1,t,A,؟\n",
                &[
                    "t.csv:2: warning: alias \"؟\" of \"a:1\" has no letter or digit after normalization and never matches",
                ],
            ),
            (
                // Letters normalization deletes: tatweel, isolated harakat.
                "deleted_letters",
                "id,type,name,aliases\na:1,t,A,\u{0640}\u{0640}|\u{FE70}\n",
                &[
                    "t.csv:2: warning: alias \"\u{0640}\u{0640}\" of \"a:1\" has no letter or digit after normalization and never matches",
                    "t.csv:2: warning: alias \"\u{FE70}\" of \"a:1\" has no letter or digit after normalization and never matches",
                ],
            ),
            (
                "unknown_country",
                "id,type,name,country\na:1,t,A,country:ZZ\n",
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
        let gaz = load("id,type,name\n\"a:1\",t,\"A\nB\"\na:1,t,C\n");
        assert_eq!(
            messages(&gaz),
            vec!["t.csv:4: error: duplicate id \"a:1\" (first at t.csv:2)"]
        );
    }

    #[test]
    fn invalid_utf8_is_reported_and_loading_goes_on() {
        let mut data = b"id,type,name\na:1,t,A\nb:1,t,".to_vec();
        data.extend_from_slice(&[0xff, b'\n']);
        data.extend_from_slice(b"c:1,t,C\n");
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
        let gaz = load("id,type,name\na:1,t,A\na:1,t,B\n");
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
        let a = "id,type,name\na:1,t,A\n";
        assert_eq!(load("x/g.csv", a), load("y/g.csv", a));
        assert_ne!(load("x/g.csv", a), load("x/h.csv", a));
        assert_ne!(
            load("x/g.csv", a),
            load("x/g.csv", "id,type,name\na:1,t,B\n")
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
