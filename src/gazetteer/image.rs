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
//! - the magic `ALAMGAZ1`;
//! - the byte length of the text (`u64`) and the text: every string of
//!   the image, one after another in the order they are read, checked to
//!   be UTF-8 once;
//! - the parts, in the order [`Gazetteer::to_image`] writes them: the
//!   table of the files positions name, the content hash, the layer
//!   start, the extra columns, the entities, the diagnostics, the id map
//!   and the layer's merged ids.
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

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use super::{Diagnostic, Entity, Gazetteer, Severity};
use crate::error::Position;

/// The first bytes of an image of this version.
const MAGIC: &[u8; 8] = b"ALAMGAZ1";

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
}

/// Reads the parts of an image; `None` when the bytes are not there.
struct Reader<'a> {
    /// The numbers not read yet.
    rest: &'a [u8],
    /// The strings not read yet, checked to be UTF-8 once (a check per
    /// string was 66M instructions of the default gazetteer's load).
    text: &'a str,
    /// The table of paths.
    paths: Vec<PathBuf>,
}

impl<'a> Reader<'a> {
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

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
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
}

fn severity_byte(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

impl Gazetteer {
    /// The gazetteer as bytes (see the module). Only build.rs and the
    /// tests write images.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn to_image(&self) -> Vec<u8> {
        let positions = self
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
        w.len(self.entities.len());
        for e in &self.entities {
            w.str(&e.id);
            w.str(&e.kind);
            w.str(&e.name);
            w.opt_str(e.name_ar.as_deref());
            w.strs(&e.aliases);
            w.strs(&e.weak_aliases);
            w.strs(&e.demonyms);
            w.opt_str(e.country.as_deref());
            w.len(e.attributes.len());
            for (column, value) in &e.attributes {
                w.str(column);
                w.str(value);
            }
            match &e.position {
                None => w.out.push(0),
                Some(p) => {
                    w.out.push(1);
                    w.position(p);
                }
            }
        }
        w.len(self.diagnostics.len());
        for d in &self.diagnostics {
            w.out.push(severity_byte(d.severity));
            w.position(&d.position);
            w.str(&d.message);
        }
        // The id map: a `0` byte when it maps each entity's id to its
        // index (as loading builds it), else its pairs by index, then id.
        let plain = self.by_id.len() == self.entities.len()
            && (self.entities.iter().enumerate()).all(|(i, e)| self.by_id.get(&e.id) == Some(&i));
        if plain {
            w.out.push(0);
        } else {
            w.out.push(1);
            let mut ids: Vec<(&String, &usize)> = self.by_id.iter().collect();
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
        let mut image = MAGIC.to_vec();
        let text = u64::try_from(w.text.len()).expect("a usize fits in a u64");
        image.extend_from_slice(&text.to_le_bytes());
        image.extend_from_slice(w.text.as_bytes());
        image.extend_from_slice(&w.out);
        image
    }

    /// Reads an image that [`Gazetteer::to_image`] wrote; `None` when it
    /// is truncated, extended or not an image of this version. The
    /// gazetteer read is not marked as the pristine built-in one (the
    /// caller says so).
    pub(crate) fn from_image(image: &[u8]) -> Option<Gazetteer> {
        let rest = image.strip_prefix(MAGIC.as_slice())?;
        let (size, rest) = rest.split_at_checked(8)?;
        let size = usize::try_from(u64::from_le_bytes(size.try_into().ok()?)).ok()?;
        let (text, rest) = rest.split_at_checked(size)?;
        let mut r = Reader {
            rest,
            // simdutf8: std checked this Arabic text at 6 instructions a byte.
            text: simdutf8::basic::from_utf8(text).ok()?,
            paths: Vec::new(),
        };
        let paths = r.count()?;
        for _ in 0..paths {
            let path = PathBuf::from(r.str()?);
            r.paths.push(path);
        }
        let hash = r.u64()?;
        let layer_start = usize::try_from(r.u64()?).ok()?;
        let attribute_columns = r.strings()?;
        let n = r.count()?;
        let mut entities = Vec::with_capacity(n);
        for _ in 0..n {
            let mut e = Entity::new(r.str()?, r.str()?, r.str()?);
            e.name_ar = r.opt_string()?;
            e.aliases = r.strings()?;
            e.weak_aliases = r.strings()?;
            e.demonyms = r.strings()?;
            e.country = r.opt_string()?;
            let columns = r.count()?;
            let mut attributes = Vec::with_capacity(columns);
            for _ in 0..columns {
                attributes.push((r.string()?, r.string()?));
            }
            e.attributes = attributes;
            e.position = match r.byte()? {
                0 => None,
                1 => Some(r.position()?),
                _ => return None,
            };
            entities.push(e);
        }
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
        let mut by_id = FxHashMap::default();
        match r.byte()? {
            0 => {
                by_id.reserve(entities.len());
                for (i, e) in entities.iter().enumerate() {
                    by_id.insert(e.id.clone(), i);
                }
            }
            1 => {
                let n = r.count()?;
                for _ in 0..n {
                    let id = r.string()?;
                    let i = usize::try_from(r.u64()?).ok()?;
                    if i >= entities.len() {
                        return None;
                    }
                    by_id.insert(id, i);
                }
            }
            _ => return None,
        }
        let n = r.count()?;
        let mut layer_merged = FxHashMap::default();
        for _ in 0..n {
            layer_merged.insert(r.string()?, r.position()?);
        }
        if !r.rest.is_empty() || !r.text.is_empty() {
            return None;
        }
        Some(Gazetteer {
            entities,
            diagnostics,
            by_id,
            hash,
            attribute_columns,
            layer_start,
            layer_merged,
            pristine_builtin: false,
        })
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
        assert_eq!(builtin.entities, parsed.entities);
        assert_eq!(builtin.diagnostics(), parsed.diagnostics());
        assert_eq!(builtin.hash, parsed.hash);
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
        // An id map that is not the plain one is written out in full.
        g.by_id.insert("city:alias".into(), 1);
        let read = Gazetteer::from_image(&g.to_image());
        assert!(read.is_some_and(|r| r == g));
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
        }
    }
}
