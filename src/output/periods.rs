//! The tables by period, written when documents are dated
//! (`--date-field`; see [`crate::period`]).
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `periods.csv` | period | period, start, end, documents, windows |
//! | `entities_by_period.csv` | entity and period it is mentioned in | period, entity_id, name, type, mentions, documents, windows |
//! | `cooccurrence_by_period.csv` | pair and period it co-occurs in | period, source_id, source_name, target_id, target_name, windows, documents, npmi |
//!
//! Rows are sorted by period (time order, `undated` last), then as in
//! `entities.csv` (most mentions first, then id) and `cooccurrence.csv`
//! (most windows first, then ids). `start` and `end` are the first and
//! last days of the period (`YYYY-MM-DD`), empty for `undated`. `npmi` is
//! computed within the period (over its windows). A pair has rows only if
//! `cooccurrence.csv` lists it (`--min-count` applies to its total), so
//! the by-period table is the history of the pairs of the whole table;
//! the counts of a pair's (or an entity's) rows sum to its counts in
//! `cooccurrence.csv` (`entities.csv`).

use std::io::{self, Write};

use super::csv::{CsvStyle, CsvTable};
use crate::cooccur::Aggregates;
use std::path::Path;
use std::sync::Arc;

use super::csv::{Row, field, parse_u64, read_rows};
use crate::cooccur::{PeriodCounts, PeriodEntity, PeriodPair};
use crate::error::{Error, input_error};

/// The header of `periods.csv`.
pub const PERIODS_HEADER: [&str; 5] = ["period", "start", "end", "documents", "windows"];
/// The header of `entities_by_period.csv`.
pub const ENTITIES_BY_PERIOD_HEADER: [&str; 7] = [
    "period",
    "entity_id",
    "name",
    "type",
    "mentions",
    "documents",
    "windows",
];
/// The header of `cooccurrence_by_period.csv`.
pub const COOCCURRENCE_BY_PERIOD_HEADER: [&str; 8] = [
    "period",
    "source_id",
    "source_name",
    "target_id",
    "target_name",
    "windows",
    "documents",
    "npmi",
];

/// The first and last days of `label`, empty for `undated` (or without a
/// bucket).
pub fn period_range(agg: &Aggregates, label: &str) -> (String, String) {
    agg.bucket.and_then(|b| b.range(label)).unwrap_or_default()
}

/// Writes `periods.csv`.
pub fn write_periods<W: Write>(w: W, agg: &Aggregates, style: CsvStyle) -> io::Result<W> {
    let mut table = CsvTable::new(w, &PERIODS_HEADER, style)?;
    let mut n = [itoa::Buffer::new(), itoa::Buffer::new()];
    for (label, p) in &agg.periods {
        let (start, end) = period_range(agg, label);
        let [documents, windows] = &mut n;
        table.row([
            label.as_bytes(),
            start.as_bytes(),
            end.as_bytes(),
            documents.format(p.documents).as_bytes(),
            windows.format(p.windows).as_bytes(),
        ])?;
    }
    table.finish()
}

/// Writes `entities_by_period.csv`.
pub fn write_entities_by_period<W: Write>(
    w: W,
    agg: &Aggregates,
    style: CsvStyle,
) -> io::Result<W> {
    let mut table = CsvTable::new(w, &ENTITIES_BY_PERIOD_HEADER, style)?;
    let mut n = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    for (label, p) in &agg.periods {
        for (id, c) in p.entities_sorted() {
            let info = agg.entities.get(id).map(|e| &e.info);
            let (name, kind) = info.map_or(("", ""), |i| (i.name.as_str(), i.kind.as_str()));
            let cells = [id.as_ref(), name, kind].map(|s| style.cell(s));
            let [mentions, documents, windows] = &mut n;
            table.row([
                label.as_bytes(),
                cells[0].as_bytes(),
                cells[1].as_bytes(),
                cells[2].as_bytes(),
                mentions.format(c.mentions).as_bytes(),
                documents.format(c.documents).as_bytes(),
                windows.format(c.windows).as_bytes(),
            ])?;
        }
    }
    table.finish()
}

/// Writes `cooccurrence_by_period.csv`, for the pairs with at least
/// `min_count` windows in all.
pub fn write_cooccurrence_by_period<W: Write>(
    w: W,
    agg: &Aggregates,
    min_count: u64,
    style: CsvStyle,
) -> io::Result<W> {
    let mut table = CsvTable::new(w, &COOCCURRENCE_BY_PERIOD_HEADER, style)?;
    let mut n = [itoa::Buffer::new(), itoa::Buffer::new()];
    let name = |id: &str| agg.entities.get(id).map_or("", |e| e.info.name.as_str());
    for (label, p) in &agg.periods {
        let keep = |k: &_| agg.pairs.get(k).is_some_and(|c| c.windows >= min_count);
        for ((a, b), c, npmi) in p.pairs_sorted(keep) {
            let cells = [a.as_ref(), name(a), b.as_ref(), name(b)].map(|s| style.cell(s));
            let [windows, documents] = &mut n;
            let mut npmi_cell = String::new();
            super::push_fixed6(&mut npmi_cell, npmi);
            let npmi = npmi_cell;
            table.row([
                label.as_bytes(),
                cells[0].as_bytes(),
                cells[1].as_bytes(),
                cells[2].as_bytes(),
                cells[3].as_bytes(),
                windows.format(c.windows).as_bytes(),
                documents.format(c.documents).as_bytes(),
                npmi.as_bytes(),
            ])?;
        }
    }
    table.finish()
}

/// The rows of the three tables: periods, entity rows, pair rows (those
/// [`write_cooccurrence_by_period`] writes).
pub fn row_counts(agg: &Aggregates, min_count: u64) -> [u64; 3] {
    let entities = agg.periods.values().map(|p| p.entities.len() as u64).sum();
    let pairs = agg
        .periods
        .values()
        .flat_map(|p| p.pairs.keys())
        .filter(|k| agg.pairs.get(*k).is_some_and(|c| c.windows >= min_count))
        .count() as u64;
    [agg.periods.len() as u64, entities, pairs]
}
/// Adds the tables by period of a dated part: `periods.csv`,
/// `entities_by_period.csv`, `cooccurrence_by_period.csv` (all three
/// required; entities and pairs must be in `entities.csv`, periods in
/// `periods.csv`).
pub(crate) fn read_periods(dir: &Path, agg: &mut Aggregates) -> Result<(), Error> {
    let path = dir.join("periods.csv");
    for (line, row) in read_rows(&path)? {
        let label = field(&path, line, &row, "period")?.to_string();
        let p = agg.periods.entry(label).or_default();
        p.documents += parse_u64(&path, line, &row, "documents")?;
        p.windows += parse_u64(&path, line, &row, "windows")?;
    }
    fn period_of<'a>(
        agg: &'a mut Aggregates,
        path: &Path,
        line: u64,
        row: &Row,
    ) -> Result<&'a mut PeriodCounts, Error> {
        let label = field(path, line, row, "period")?;
        let known = |id: &str| agg.entities.contains_key(id);
        for key in ["entity_id", "source_id", "target_id"] {
            if let Some((_, id)) = row.iter().find(|(k, _)| k == key)
                && !known(id)
            {
                return Err(input_error(
                    path,
                    line,
                    format!("entity {id:?} is not in entities.csv"),
                ));
            }
        }
        agg.periods.get_mut(label).ok_or_else(|| {
            input_error(
                path,
                line,
                format!("period {label:?} is not in periods.csv"),
            )
        })
    }
    let path = dir.join("entities_by_period.csv");
    for (line, row) in read_rows(&path)? {
        let id: Arc<str> = Arc::from(field(&path, line, &row, "entity_id")?);
        let counts = PeriodEntity {
            mentions: parse_u64(&path, line, &row, "mentions")?,
            documents: parse_u64(&path, line, &row, "documents")?,
            windows: parse_u64(&path, line, &row, "windows")?,
        };
        let p = period_of(agg, &path, line, &row)?;
        p.entities.insert(id, counts);
    }
    let path = dir.join("cooccurrence_by_period.csv");
    for (line, row) in read_rows(&path)? {
        let a: Arc<str> = Arc::from(field(&path, line, &row, "source_id")?);
        let b: Arc<str> = Arc::from(field(&path, line, &row, "target_id")?);
        let counts = PeriodPair {
            windows: parse_u64(&path, line, &row, "windows")?,
            documents: parse_u64(&path, line, &row, "documents")?,
        };
        let p = period_of(agg, &path, line, &row)?;
        let key = if a <= b { (a, b) } else { (b, a) };
        p.pairs.insert(key, counts);
    }
    Ok(())
}
