//! CSV files for Neo4j, in `neo4j/` under the output folder, for
//! `neo4j-admin database import full` (headers in its format) or for
//! `LOAD CSV WITH HEADERS` (the README gives both commands).
//!
//! | file | header | rows |
//! |---|---|---|
//! | `nodes.csv` | `entity_id:ID`, `:LABEL`, `type`, `name`, `name_ar`, `mentions:long`, `documents:long`, `windows:long`, `source` | one per entity, in the order of `entities.csv` |
//! | `relationships.csv` | `:START_ID`, `:END_ID`, `:TYPE`, `windows:long`, `documents:long`, `npmi:double`, `relation`, `relation_source`, `relations` | one per pair, in the order of `cooccurrence.csv` |
//!
//! `:LABEL` is `Entity`, then the entity's type as a label ([`type_label`]:
//! `person` → `Person`, `political party` → `PoliticalParty`), then
//! `Discovered` for an entity that discovery found, joined by `;`
//! (neo4j-admin's array delimiter). Every relationship has the type
//! `CO_OCCURS_WITH` and goes from the smaller id to the larger one
//! (co-occurrence is undirected: query it with `-[:CO_OCCURS_WITH]-`);
//! `relation`, `relation_source` and `relations` are the relation hints
//! of the graph files (see [`crate::output::graph`]), empty when none.
//!
//! Quoting is RFC 4180, which neo4j-admin reads by default: a field that
//! holds `,` or `"` is quoted and its quotes doubled. neo4j-admin refuses
//! a line break inside a field unless given `--multiline-fields=true`, so
//! line breaks in names become spaces (gazetteer names and discovered
//! names hold none in practice). UTF-8 without BOM, `\n` line ends; `npmi`
//! has 6 decimals.

use std::io::{self, Write};

use crate::cooccur::{SortedEntity, SortedPair};
use crate::output::csv::{CsvStyle, CsvTable, push_record};
use crate::output::json::entity_source;

/// The header of `neo4j/nodes.csv`.
pub const NODES_HEADER: [&str; 9] = [
    "entity_id:ID",
    ":LABEL",
    "type",
    "name",
    "name_ar",
    "mentions:long",
    "documents:long",
    "windows:long",
    "source",
];

/// The header of `neo4j/relationships.csv`.
pub const RELATIONSHIPS_HEADER: [&str; 9] = [
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "windows:long",
    "documents:long",
    "npmi:double",
    "relation",
    "relation_source",
    "relations",
];

/// The relationship type of a co-occurring pair.
pub const RELATIONSHIP_TYPE: &str = "CO_OCCURS_WITH";

/// The label an entity type becomes: each run of letters and digits with
/// its first letter upper-cased, the runs joined (`person` → `Person`,
/// `political party` → `PoliticalParty`, `sports-club` → `SportsClub`).
/// Empty when the type has no letter or digit (the node then has only
/// the `Entity` label).
pub fn type_label(kind: &str) -> String {
    let mut label = String::with_capacity(kind.len());
    for word in kind.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            label.extend(first.to_uppercase());
            label.push_str(chars.as_str());
        }
    }
    label
}

/// `s` with every line break (CR, LF) replaced by a space.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ").into()
    } else {
        s.into()
    }
}

/// Writes `neo4j/nodes.csv`: a node per entity of `entities` (the run's
/// [`Aggregates::entities_sorted`]).
pub fn write_nodes<W: Write>(w: W, entities: &[SortedEntity]) -> io::Result<W> {
    let style = CsvStyle::default();
    let mut table = CsvTable::new(w, &NODES_HEADER, style)?;
    let mut numbers = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    for &(id, c) in entities {
        let [mentions, documents, windows] = &mut numbers;
        let source = entity_source(id);
        let mut labels = String::from("Entity");
        let kind = type_label(&c.info.kind);
        // `Entity` and `Discovered` are this file's own labels: a type
        // of that name adds nothing.
        if !kind.is_empty() && kind != "Entity" && kind != "Discovered" {
            labels.push(';');
            labels.push_str(&kind);
        }
        if source == "discovered" {
            labels.push_str(";Discovered");
        }
        table.row([
            one_line(id).as_bytes(),
            labels.as_bytes(),
            one_line(&c.info.kind).as_bytes(),
            one_line(&c.info.name).as_bytes(),
            one_line(&c.info.name_ar).as_bytes(),
            mentions.format(c.mentions).as_bytes(),
            documents.format(c.documents).as_bytes(),
            windows.format(c.windows).as_bytes(),
            source.as_bytes(),
        ])?;
    }
    table.finish()
}

/// Writes `neo4j/relationships.csv` with `pairs` (from
/// [`Aggregates::pairs_sorted`]), their rows put together in parallel
/// blocks.
pub fn write_relationships<W: Write>(w: W, pairs: &[SortedPair]) -> io::Result<W> {
    let style = CsvStyle::default();
    let mut table = CsvTable::new(w, &RELATIONSHIPS_HEADER, style)?;
    let rows = |_: usize, block: &[SortedPair]| {
        let mut out = Vec::with_capacity(block.len() * 64);
        let mut numbers = [itoa::Buffer::new(), itoa::Buffer::new()];
        let mut npmi_cell = String::new();
        for &(a, b, c, npmi) in block {
            let [windows, documents] = &mut numbers;
            npmi_cell.clear();
            super::push_fixed6(&mut npmi_cell, npmi);
            let (kind, source, all) = super::graph::edge_relation(a, b, c).unwrap_or_default();
            push_record(
                &mut out,
                [
                    one_line(a).as_bytes(),
                    one_line(b).as_bytes(),
                    RELATIONSHIP_TYPE.as_bytes(),
                    windows.format(c.windows).as_bytes(),
                    documents.format(c.documents).as_bytes(),
                    npmi_cell.as_bytes(),
                    kind.as_bytes(),
                    one_line(source).as_bytes(),
                    all.as_bytes(),
                ],
                style,
            );
        }
        Ok(out)
    };
    super::write_in_blocks(pairs, rows, |rows| table.rows(rows))?;
    table.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_labels() {
        for (kind, label) in [
            ("person", "Person"),
            ("country", "Country"),
            ("political party", "PoliticalParty"),
            ("sports-club", "SportsClub"),
            ("ORG", "ORG"),
            ("شخص", "شخص"),
            ("--", ""),
            ("", ""),
        ] {
            assert_eq!(type_label(kind), label, "type {kind:?}");
        }
    }

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(one_line("a\r\nb\nc"), "a  b c");
        assert_eq!(one_line("a, \"b\""), "a, \"b\"");
    }
}
