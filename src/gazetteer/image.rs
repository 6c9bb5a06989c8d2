//! The gazetteer as bytes: what `Gazetteer::builtin` reads instead of
//! parsing the default CSV files at every start-up (build.rs writes the
//! image of the files it embeds; a test checks the embedded image is the
//! parse of the same files, byte for byte).
//!
//! The image holds the whole loaded state, so that a gazetteer read back
//! is equal to the one parsed: the entities with every field and their
//! positions, the diagnostics (`alam gazetteer check` reports them), the
//! id map, the extra columns, the content hash (`--version`,
//! `summary.json`) and the layer state.
//!
//! Layout, integers little-endian:
//!
//! - the magic `ALAMGAZ3`;
//! - the byte length of the text (`u64`) and the text: every string of
//!   the image, one after another in the order they are read, checked to
//!   be UTF-8 once;
//! - the parts, in the order [`Gazetteer::to_image`] writes them: the
//!   table of the files positions name, the content hash, the layer
//!   start, the extra columns, the diagnostics, the id map, the layer's
//!   merged ids and the number of entities `n`;
//! - the byte lengths of the records and of their strings (two `u64`);
//! - the entity index: for each entity, where its record starts in the
//!   records and where its strings start in the text after the parts'
//!   strings (two `u32`); then a hash table of the ids (`bits`, a `u32`,
//!   and `2^bits` slots of the lexicon's layout, see `lexicon::probe`:
//!   each `0` or an entity's index + 1 under an 8-bit tag of its id's
//!   hash); then the records, one per entity.
//!
//! A string is its byte length as `u32` (its bytes are the next ones of
//! the text); an optional value a `0` or `1` byte and the value; a list
//! its length as `u32` and its items; a position the index of its file
//! in the table and its line, byte and record as LEB128 varints (the
//! byte and the record `0` for none, else the value plus one). The id
//! map is a `0` byte when it is what loading builds (each entity's id to
//! its index), else `1` and its pairs. Reading checks every length
//! against what is left and that every string ends on a character
//! boundary; a truncated, extended or foreign image reads as `None`.
//!
//! The index lets the built-in gazetteer be read in place
//! ([`Gazetteer::from_image_in_place`]): its parts are read at start-up,
//! an entity only when asked for (the pipeline's labels, the tables'
//! names, a lookup by id), and all of them only when a caller asks for
//! the whole list or changes the gazetteer. Decoding the 60,000 entities
//! at every start was 103M instructions and 40% of the page faults of a
//! run over one small document.

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use super::{Diagnostic, Entity, Gazetteer, Severity, Store, Table};
use crate::error::Position;

/// The first bytes of an image of this version.
const MAGIC: &[u8; 8] = b"ALAMGAZ3";

/// Writes the parts of an image; `paths` numbers the files positions
/// name (one table, not a path per entity).
#[cfg_attr(not(test), allow(dead_code))]
struct Writer<'g> {
    out: Vec<u8>,
    /// Every string's bytes, in the order written.
    text: String,
    paths: FxHashMap<&'g std::path::Path, usize>,
}

#[cfg_attr(not(test), allow(dead_code))]
impl<'g> Writer<'g> {
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        let n = u32::try_from(n).expect("an image part under 4 GiB");
        self.out.extend_from_slice(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.text.push_str(s);
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.out.push(0),
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
        }
    }

    fn strs(&mut self, items: &[String]) {
        self.len(items.len());
        for s in items {
            self.str(s);
        }
    }

    /// `v` in LEB128: seven bits a byte, low first, the high bit set on
    /// every byte but the last.
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    /// `None` as `0`, `Some(v)` as `v + 1`, in LEB128.
    fn opt_varint(&mut self, v: Option<u64>) {
        self.varint(v.map_or(0, |v| v.saturating_add(1)));
    }

    fn position(&mut self, p: &Position) {
        let index = self.paths.get(p.path.as_path()).copied();
        self.len(index.expect("every path is in the table"));
        self.varint(p.line);
        self.opt_varint(p.byte);
        self.opt_varint(p.record);
    }

    fn entity(&mut self, e: &Entity) {
        self.str(&e.id);
        self.str(&e.kind);
        self.str(&e.name);
        self.opt_str(e.name_ar.as_deref());
        self.strs(&e.aliases);
        self.strs(&e.weak_aliases);
        self.strs(&e.demonyms);
        self.opt_str(e.country.as_deref());
        self.len(e.attributes.len());
        for (column, value) in &e.attributes {
            self.str(column);
            self.str(value);
        }
        match &e.position {
            None => self.out.push(0),
            Some(p) => {
                self.out.push(1);
                self.position(p);
            }
        }
    }
}

/// Reads the parts of an image; `None` when the bytes are not there.
struct Reader<'a, 'p> {
    /// The numbers not read yet.
    rest: &'a [u8],
    /// The strings not read yet, checked to be UTF-8 once (a check per
    /// string was 66M instructions of the default gazetteer's load).
    text: &'a str,
    /// The table of paths.
    paths: &'p [PathBuf],
}

impl<'a> Reader<'a, '_> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn len(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    /// A list length, refused when even one byte per item is not left
    /// (so a corrupt length cannot reserve gigabytes).
    fn count(&mut self) -> Option<usize> {
        let n = self.len()?;
        (n <= self.rest.len()).then_some(n)
    }

    /// The next string; `None` when its length runs past the text or
    /// does not end on a character boundary.
    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        let s = self.text.get(..n)?;
        self.text = &self.text[n..];
        Some(s)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(String::from)
    }

    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        Some(self.opt_str()?.map(String::from))
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        // A loop, not `collect` into an `Option`: most lists are empty,
        // and the adapter cost more than the lists (17M of 112M).
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.string()?);
        }
        Some(out)
    }

    /// Passes over a list of strings.
    fn skip_strings(&mut self) -> Option<()> {
        for _ in 0..self.count()? {
            self.str()?;
        }
        Some(())
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn opt_varint(&mut self) -> Option<Option<u64>> {
        let v = self.varint()?;
        Some(v.checked_sub(1))
    }

    fn position(&mut self) -> Option<Position> {
        let index = self.len()?;
        Some(Position {
            path: self.paths.get(index)?.clone(),
            line: self.varint()?,
            byte: self.opt_varint()?,
            record: self.opt_varint()?,
        })
    }

    fn entity(&mut self) -> Option<Entity> {
        let mut e = Entity::new(self.str()?, self.str()?, self.str()?);
        e.name_ar = self.opt_string()?;
        e.aliases = self.strings()?;
        e.weak_aliases = self.strings()?;
        e.demonyms = self.strings()?;
        e.country = self.opt_string()?;
        let columns = self.count()?;
        let mut attributes = Vec::with_capacity(columns);
        for _ in 0..columns {
            attributes.push((self.string()?, self.string()?));
        }
        e.attributes = attributes;
        e.position = match self.byte()? {
            0 => None,
            1 => Some(self.position()?),
            _ => return None,
        };
        Some(e)
    }
}

fn severity_byte(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

/// What the tables say of an entity, borrowed from where it is stored
/// (see [`Gazetteer::entity_fields`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntityFields<'a> {
    /// The entity type.
    pub(crate) kind: &'a str,
    /// The canonical name.
    pub(crate) name: &'a str,
    /// The canonical Arabic name.
    pub(crate) name_ar: Option<&'a str>,
    /// The extra columns, as `(column, value)`.
    pub(crate) attributes: Vec<(&'a str, &'a str)>,
}

/// The entities of an image, read one at a time where they lie (see the
/// module).
#[derive(Clone, Debug)]
pub(crate) struct Entities<'a> {
    /// Two `u32` an entity: its record's start in `records`, its strings'
    /// start in `text`.
    index: &'a [u8],
    /// A hash table of the ids: `2^id_bits` slots (see
    /// [`crate::lexicon::probe`]), a binary search of the sorted ids cost
    /// 2,100 instructions a lookup.
    id_slots: &'a [u8],
    id_bits: u32,
    records: &'a [u8],
    text: &'a str,
    paths: Vec<PathBuf>,
}

/// The `u32` at item `i` of a table of `u32`s.
fn u32_at(table: &[u8], i: usize) -> Option<usize> {
    let b = table.get(i * 4..i * 4 + 4)?;
    Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
}

impl<'a> Entities<'a> {
    /// The number of entities.
    pub(crate) fn len(&self) -> usize {
        self.index.len() / 8
    }

    /// A reader at the start of entity `i`.
    fn reader(&self, i: usize) -> Option<Reader<'a, '_>> {
        Some(Reader {
            rest: self.records.get(u32_at(self.index, 2 * i)?..)?,
            text: self.text.get(u32_at(self.index, 2 * i + 1)?..)?,
            paths: &self.paths,
        })
    }

    /// The id, type and name of entity `i`, where they lie.
    pub(crate) fn labels(&self, i: usize) -> Option<(&'a str, &'a str, &'a str)> {
        let mut r = self.reader(i)?;
        Some((r.str()?, r.str()?, r.str()?))
    }

    /// What the tables say of entity `i`, where it lies.
    pub(crate) fn fields(&self, i: usize) -> Option<EntityFields<'a>> {
        let mut r = self.reader(i)?;
        let (_id, kind, name) = (r.str()?, r.str()?, r.str()?);
        let name_ar = r.opt_str()?;
        for _ in 0..3 {
            r.skip_strings()?;
        }
        r.opt_str()?;
        let columns = r.count()?;
        let mut attributes = Vec::with_capacity(columns);
        for _ in 0..columns {
            attributes.push((r.str()?, r.str()?));
        }
        Some(EntityFields {
            kind,
            name,
            name_ar,
            attributes,
        })
    }

    /// The index of the entity with this id: a probe of the ids' hash
    /// table, each candidate's id read where it lies.
    pub(crate) fn find(&self, id: &str) -> Option<usize> {
        crate::lexicon::probe(self.id_slots, self.id_bits, id, |i| {
            self.labels(i).is_some_and(|(own, _, _)| own == id)
        })
    }

    /// Every entity, read in one sweep that checks the index points at
    /// each record and string, and that nothing is left over.
    pub(crate) fn decode_all(&self) -> Option<Vec<Entity>> {
        let mut r = Reader {
            rest: self.records,
            text: self.text,
            paths: &self.paths,
        };
        let mut entities = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            let at_record = self.records.len() - r.rest.len();
            let at_text = self.text.len() - r.text.len();
            if u32_at(self.index, 2 * i)? != at_record || u32_at(self.index, 2 * i + 1)? != at_text
            {
                return None;
            }
            entities.push(r.entity()?);
        }
        (r.rest.is_empty() && r.text.is_empty()).then_some(entities)
    }

    /// Whether the index can be read without reading every record: the
    /// starts never go back and stay inside the records and the text,
    /// and the ids' hash table has its size (a slot naming no entity
    /// only fails its probe). Cheap (the strings are
    /// not read: checking each entity's was 14M instructions); that the
    /// records read and that the ids' table finds every id is what the
    /// build gives and what the tests check of the built-in image.
    fn is_sound(&self) -> bool {
        let n = self.len();
        if self.id_slots.len() != 4 << self.id_bits || n > 0 && self.records.is_empty() {
            return false;
        }
        let mut last = (0, 0);
        for i in 0..n {
            let (Some(record), Some(text)) =
                (u32_at(self.index, 2 * i), u32_at(self.index, 2 * i + 1))
            else {
                return false;
            };
            if record < last.0 || text < last.1 {
                return false;
            }
            last = (record, text);
        }
        last.0 < self.records.len() && last.1 <= self.text.len()
    }
}

/// The parts of an image before its entities.
struct Parts {
    hash: u64,
    layer_start: usize,
    attribute_columns: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    /// `None` when the id map is each entity's id to its index.
    by_id: Option<FxHashMap<String, usize>>,
    layer_merged: FxHashMap<String, Position>,
}

/// Reads the parts of an image and finds its entities.
fn read(image: &[u8]) -> Option<(Parts, Entities<'_>)> {
    let rest = image.strip_prefix(MAGIC.as_slice())?;
    let (size, rest) = rest.split_at_checked(8)?;
    let size = usize::try_from(u64::from_le_bytes(size.try_into().ok()?)).ok()?;
    let (text, rest) = rest.split_at_checked(size)?;
    // simdutf8: std checked this Arabic text at 6 instructions a byte.
    let text = simdutf8::basic::from_utf8(text).ok()?;
    let mut r = Reader {
        rest,
        text,
        paths: &[],
    };
    let n = r.count()?;
    let mut paths = Vec::with_capacity(n);
    for _ in 0..n {
        paths.push(PathBuf::from(r.str()?));
    }
    let mut r = Reader {
        rest: r.rest,
        text: r.text,
        paths: &paths,
    };
    let hash = r.u64()?;
    let layer_start = usize::try_from(r.u64()?).ok()?;
    let attribute_columns = r.strings()?;
    let n = r.count()?;
    let mut diagnostics = Vec::with_capacity(n);
    for _ in 0..n {
        let severity = match r.byte()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            _ => return None,
        };
        diagnostics.push(Diagnostic {
            severity,
            position: r.position()?,
            message: r.string()?,
        });
    }
    let by_id = match r.byte()? {
        0 => None,
        1 => {
            let n = r.count()?;
            let mut by_id = FxHashMap::default();
            for _ in 0..n {
                let id = r.string()?;
                let i = usize::try_from(r.u64()?).ok()?;
                by_id.insert(id, i);
            }
            Some(by_id)
        }
        _ => return None,
    };
    let n = r.count()?;
    let mut layer_merged = FxHashMap::default();
    for _ in 0..n {
        layer_merged.insert(r.string()?, r.position()?);
    }
    let n = r.len()?;
    let (records_len, text_len) = (r.u64()?, r.u64()?);
    let index = r.take(n.checked_mul(8)?)?;
    let id_bits = u32::try_from(r.len()?).ok()?;
    if !(1..=31).contains(&id_bits) {
        return None;
    }
    let id_slots = r.take(4usize << id_bits)?;
    let (records, text) = (r.rest, r.text);
    // The records and their strings are what is left, neither cut short
    // nor extended.
    if records.len() as u64 != records_len || text.len() as u64 != text_len {
        return None;
    }
    let parts = Parts {
        hash,
        layer_start,
        attribute_columns,
        diagnostics,
        by_id,
        layer_merged,
    };
    let entities = Entities {
        index,
        id_slots,
        id_bits,
        records,
        text,
        paths,
    };
    Some((parts, entities))
}

impl Gazetteer {
    /// The gazetteer as bytes (see the module). Only build.rs and the
    /// tests write images.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn to_image(&self) -> Vec<u8> {
        let table = self.store.table();
        let positions = table
            .entities
            .iter()
            .filter_map(|e| e.position.as_ref())
            .chain(self.diagnostics.iter().map(|d| &d.position))
            .chain(self.layer_merged.values());
        let mut paths: Vec<&std::path::Path> = Vec::new();
        let mut numbers = FxHashMap::default();
        for p in positions {
            numbers.entry(p.path.as_path()).or_insert_with(|| {
                paths.push(p.path.as_path());
                paths.len() - 1
            });
        }
        let mut w = Writer {
            out: Vec::new(),
            text: String::new(),
            paths: numbers,
        };
        w.len(paths.len());
        for path in paths {
            w.str(&path.to_string_lossy());
        }
        w.u64(self.hash);
        w.u64(self.layer_start as u64);
        w.strs(&self.attribute_columns);
        w.len(self.diagnostics.len());
        for d in &self.diagnostics {
            w.out.push(severity_byte(d.severity));
            w.position(&d.position);
            w.str(&d.message);
        }
        // The id map: a `0` byte when it maps each entity's id to its
        // index (as loading builds it), else its pairs by index, then id.
        if table.is_plain() {
            w.out.push(0);
        } else {
            w.out.push(1);
            let mut ids: Vec<(&String, &usize)> = table.by_id.iter().collect();
            ids.sort_by_key(|&(id, &i)| (i, id));
            w.len(ids.len());
            for (id, &i) in ids {
                w.str(id);
                w.u64(i as u64);
            }
        }
        let mut merged: Vec<(&String, &Position)> = self.layer_merged.iter().collect();
        merged.sort_by_key(|&(id, _)| id);
        w.len(merged.len());
        for (id, p) in merged {
            w.str(id);
            w.position(p);
        }
        let entities = &table.entities;
        w.len(entities.len());
        // The records after everything else, each start noted.
        let (parts, strings) = (w.out.len(), w.text.len());
        let mut index = Vec::with_capacity(entities.len() * 8);
        for e in entities {
            for at in [w.out.len() - parts, w.text.len() - strings] {
                let at = u32::try_from(at).expect("an image part under 4 GiB");
                index.extend_from_slice(&at.to_le_bytes());
            }
            w.entity(e);
        }
        let ids: Vec<&str> = entities.iter().map(|e| e.id.as_str()).collect();
        let (id_bits, id_slots) =
            crate::lexicon::slots_for(&ids).expect("fewer than 2^24 entities");
        let records = w.out.split_off(parts);
        let strings = w.text.len() - strings;
        w.u64(records.len() as u64);
        w.u64(strings as u64);
        w.out.extend_from_slice(&index);
        w.out.extend_from_slice(&id_bits.to_le_bytes());
        for slot in id_slots {
            w.out.extend_from_slice(&slot.to_le_bytes());
        }
        w.out.extend_from_slice(&records);
        let mut image = MAGIC.to_vec();
        let text = u64::try_from(w.text.len()).expect("a usize fits in a u64");
        image.extend_from_slice(&text.to_le_bytes());
        image.extend_from_slice(w.text.as_bytes());
        image.extend_from_slice(&w.out);
        image
    }

    /// Reads an image that [`Gazetteer::to_image`] wrote, every entity
    /// at once; `None` when it is truncated, extended or not an image of
    /// this version. The gazetteer read is not marked as the pristine
    /// built-in one (the caller says so).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn from_image(image: &[u8]) -> Option<Gazetteer> {
        let (parts, entities) = read(image)?;
        if !entities.is_sound() {
            return None;
        }
        let entities = entities.decode_all()?;
        let table = match parts.by_id {
            None => Table::plain(entities),
            Some(by_id) => {
                if by_id.values().any(|&i| i >= entities.len()) {
                    return None;
                }
                Table { entities, by_id }
            }
        };
        Some(Gazetteer::from_parts(
            Store::built(table),
            parts.diagnostics,
            parts.hash,
            parts.attribute_columns,
            parts.layer_start,
            parts.layer_merged,
        ))
    }

    /// Reads an image in place: its parts now, its entities when they are
    /// asked for (see the module). `None` as for
    /// [`Gazetteer::from_image`], or when the id map is not the plain one
    /// (the caller then reads the image at once). Only the built-in
    /// image is read so: a gazetteer whose image later turns out not to
    /// read parses the built-in files instead.
    pub(crate) fn from_image_in_place(image: &'static [u8]) -> Option<Gazetteer> {
        let (parts, entities) = read(image)?;
        if parts.by_id.is_some() || !entities.is_sound() {
            return None;
        }
        Some(Gazetteer::from_parts(
            Store::in_place(entities),
            parts.diagnostics,
            parts.hash,
            parts.attribute_columns,
            parts.layer_start,
            parts.layer_merged,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded image is the parse of the embedded files, byte for
    /// byte, and reads back to a gazetteer equal to the parse: a change
    /// to `gazetteers/` or to the loader that build.rs did not follow
    /// fails here.
    #[test]
    fn the_embedded_image_is_the_parse_of_the_files() {
        let parsed = Gazetteer::parse_builtin();
        assert!(
            parsed.to_image() == crate::builtin::GAZETTEER_IMAGE,
            "the embedded gazetteer image differs from the parse of the files"
        );
        let read = Gazetteer::from_image(crate::builtin::GAZETTEER_IMAGE);
        assert!(read.is_some_and(|g| g == parsed));
        let builtin = Gazetteer::builtin();
        assert!(builtin.is_pristine_builtin());
        assert!(builtin.entities_in_place().is_some(), "read in place");
        assert_eq!(builtin.diagnostics(), parsed.diagnostics());
        assert_eq!(builtin.hash, parsed.hash);
        assert_eq!(builtin.attribute_columns, parsed.attribute_columns);
        assert_eq!(builtin.entities(), parsed.entities());
    }

    /// Each entity read where it lies in the built-in image (its labels,
    /// its fields, its index found by id) is that of the parse, before
    /// anything reads the whole table; an id it does not hold is found
    /// nowhere.
    #[test]
    fn the_built_in_entities_read_in_place_are_those_of_the_parse() {
        let parsed = Gazetteer::parse_builtin();
        let builtin = Gazetteer::builtin();
        let image = builtin.entities_in_place().expect("read in place");
        let entities = parsed.entities();
        assert_eq!(image.len(), entities.len());
        for (i, e) in entities.iter().enumerate() {
            let labels = image.labels(i);
            assert_eq!(labels, Some((&*e.id, &*e.kind, &*e.name)), "entity {i}");
            assert_eq!(image.find(&e.id), Some(i), "{}", e.id);
            let attributes: Vec<(&str, &str)> = (e.attributes.iter())
                .map(|(c, v)| (c.as_str(), v.as_str()))
                .collect();
            let fields = EntityFields {
                kind: &e.kind,
                name: &e.name,
                name_ar: e.name_ar.as_deref(),
                attributes,
            };
            assert_eq!(
                builtin.entity_fields(&e.id),
                Some(fields.clone()),
                "{}",
                e.id
            );
            assert_eq!(image.fields(i), Some(fields), "{}", e.id);
        }
        assert!(
            builtin.store.table.get().is_none(),
            "nothing read the table"
        );
        let first = entities.iter().map(|e| e.id.as_str()).min().unwrap_or("");
        let last = entities.iter().map(|e| e.id.as_str()).max().unwrap_or("");
        let absent = ["", "country:", "country:ZZZZ", "person:", "\u{10FFFF}"];
        let past = format!("{last}~");
        for id in absent
            .iter()
            .copied()
            .chain([&past[..], &first[..first.len() - 1]])
        {
            assert_eq!(image.find(id), None, "{id:?}");
            assert_eq!(builtin.entity_fields(id), None, "{id:?}");
        }
    }

    /// The built-in gazetteer changed is no longer read in place: the
    /// whole table is read first, and the change is in it.
    #[test]
    fn a_changed_built_in_gazetteer_reads_its_table() {
        let mut g = Gazetteer::builtin();
        let n = g.store.len();
        assert!(n > 1000, "{n}");
        g.push(Entity::new("person:new", "person", "Newly Added"));
        assert!(g.entities_in_place().is_none());
        assert!(!g.is_pristine_builtin());
        assert_eq!(g.entities().len(), n + 1);
        assert_eq!(
            g.get("person:new").map(|e| e.name.as_str()),
            Some("Newly Added")
        );
        let fields = g.entity_fields("person:new").map(|f| f.name);
        assert_eq!(fields, Some("Newly Added"));
        let parsed = Gazetteer::parse_builtin();
        assert_eq!(&g.entities()[..n], parsed.entities());
    }

    /// A gazetteer with every kind of field (optional ones set and not,
    /// extra columns, a diagnostic, a layer merge) reads back equal.
    #[test]
    fn an_image_round_trips() {
        let mut g = Gazetteer::new();
        g.add_csv(
            "a.csv",
            "id,type,name,name_ar,aliases,weak_aliases,demonyms,country,wikidata\n\
             country:XX,country,Xland,اكس,X-Land,,Xish,,Q1\n\
             city:y,city,Ycity,,,Y,,country:XX,\n\
             city:z,city,Zcity,,,,,country:NO,Q3\n"
                .as_bytes(),
        );
        g.start_layer();
        g.add_csv(
            "b.csv",
            "id,type,name,aliases\ncity:y,city,Ycity,Why\n".as_bytes(),
        );
        assert!(!g.diagnostics().is_empty(), "the unknown country warns");
        let image = g.to_image();
        let read = Gazetteer::from_image(&image);
        assert!(read.as_ref().is_some_and(|r| *r == g), "{read:?}");
        assert_eq!(read.map(|r| r.to_image()), Some(image));
        // An id map that is not the plain one is written out in full,
        // and such an image is not read in place.
        g.store.table_mut().by_id.insert("city:alias".into(), 1);
        let image = g.to_image();
        let read = Gazetteer::from_image(&image);
        assert!(read.is_some_and(|r| r == g));
        assert!(Gazetteer::from_image_in_place(Box::leak(image.into_boxed_slice())).is_none());
    }

    /// Truncated, extended or foreign bytes read as `None`, not a panic.
    #[test]
    fn a_malformed_image_is_refused() {
        let image = Gazetteer::parse_builtin().to_image();
        let mut longer = image.clone();
        longer.push(0);
        let mut foreign = image.clone();
        foreign[0] = b'X';
        let cases: [(&str, &[u8]); 6] = [
            ("empty", &[]),
            ("magic only", &image[..MAGIC.len()]),
            ("one byte short", &image[..image.len() - 1]),
            ("half", &image[..image.len() / 2]),
            ("one byte more", &longer),
            ("another magic", &foreign),
        ];
        for (what, bytes) in cases {
            assert!(Gazetteer::from_image(bytes).is_none(), "{what}");
            let leaked: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
            let in_place = Gazetteer::from_image_in_place(leaked);
            assert!(in_place.is_none(), "{what}");
        }
    }

    /// An index whose starts go back or run past the records, or an ids'
    /// hash table of another size than it says, is refused.
    #[test]
    fn an_unsound_index_is_refused() {
        let image = Gazetteer::parse_builtin().to_image();
        let (_, entities) = read(&image).expect("the image reads");
        let index_at = entities.index.as_ptr() as usize - image.as_ptr() as usize;
        let slots_at = entities.id_slots.as_ptr() as usize - image.as_ptr() as usize;
        let second = u32::from_le_bytes(image[index_at + 8..index_at + 12].try_into().unwrap());
        let put = |at: usize, v: u32| {
            let mut bad = image.clone();
            bad[at..at + 4].copy_from_slice(&v.to_le_bytes());
            Box::leak(bad.into_boxed_slice()) as &'static [u8]
        };
        let cases = [
            ("a record start past the end", put(index_at + 8, u32::MAX)),
            ("a text start past the end", put(index_at + 12, u32::MAX)),
            (
                "the first record after the second",
                put(index_at, second + 1),
            ),
            (
                "an ids' table twice its size",
                put(slots_at - 4, entities.id_bits + 1),
            ),
        ];
        for (what, bad) in cases {
            assert!(Gazetteer::from_image_in_place(bad).is_none(), "{what}");
            assert!(Gazetteer::from_image(bad).is_none(), "{what}");
        }
        let good: &'static [u8] = Box::leak(image.clone().into_boxed_slice());
        assert!(Gazetteer::from_image_in_place(good).is_some());
    }
}
