//! Graph files for Gephi, networkx, Cytoscape and Neo4j.
//!
//! Entities are nodes (`id` = entity id; `label` = name; attributes `type`,
//! `name_ar`, `mentions`, `documents`, `source`: `gazetteer` or
//! `discovered`, then the gazetteer's extra columns, as string attributes
//! with ids `a0`, `a1`, ... and the column name as title (GEXF) or
//! `attr.name` (GraphML), set on the nodes that have a value); pairs with at least `--min-count`
//! windows are undirected edges with `weight` = windows and attributes
//! `documents` and `npmi`, and, for a pair that relation triggers linked,
//! `relation` (its dominant kind: the most windows, then the first by
//! name), `relation_source` (the id of the source, when the dominant kind's
//! directed windows mostly go one way) and `relations` (every kind, as in
//! `cooccurrence.csv`). Nodes and edges are in the order of
//! `entities.csv` and `cooccurrence.csv`. Both files are UTF-8 XML; text
//! is escaped and characters XML 1.0 forbids are dropped.

use std::io::{self, Write};

use crate::cooccur::{Aggregates, Attributes, PairCounts, SortedEntity, SortedPair};
use crate::output::json::entity_source;

/// Escapes text for XML attribute and element content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The markup `value` makes of the extra column `i` for each column of
/// the aggregates that the entity has a value for, in column order.
fn extra_values(
    agg: &Aggregates,
    attributes: &Attributes,
    value: impl Fn(usize, &str) -> String,
) -> String {
    if attributes.is_empty() {
        return String::new();
    }
    agg.attribute_columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| attributes.get(c).map(|v| value(i, v)))
        .collect()
}

/// The relation attributes of an edge from `a` to `b`: `(relation,
/// relation_source, relations)`, when a trigger linked them.
pub fn edge_relation<'a>(
    a: &'a str,
    b: &'a str,
    c: &'a PairCounts,
) -> Option<(&'a str, &'a str, String)> {
    let (kind, direction) = c.dominant_relation()?;
    let source = match direction {
        Some(true) => a,
        Some(false) => b,
        None => "",
    };
    Some((kind, source, crate::output::csv::counted(&c.relations)))
}

/// The dated periods of `agg` as `(label, first day, last day)`, in time
/// order (`undated` left out).
fn dated_periods(agg: &Aggregates) -> Vec<(&str, String, String)> {
    let Some(bucket) = agg.bucket else {
        return Vec::new();
    };
    agg.periods
        .keys()
        .filter_map(|label| {
            let (start, end) = bucket.range(label)?;
            Some((label.as_str(), start, end))
        })
        .collect()
}

/// The `<attvalue>`s of a dynamic attribute `key` and the `<spells>` of a
/// node or edge: one per period of `periods` in which `count` gives a
/// number, with the period's first and last days (both included).
fn spells(
    periods: &[(&str, String, String)],
    key: &str,
    count: impl Fn(&str) -> Option<u64>,
) -> (String, String) {
    use std::fmt::Write as _;
    let (mut values, mut spells) = (String::new(), String::new());
    for (label, start, end) in periods {
        if let Some(n) = count(label) {
            let _ = write!(
                values,
                r#"<attvalue for="{key}" value="{n}" start="{start}" end="{end}"/>"#
            );
            let _ = write!(spells, r#"<spell start="{start}" end="{end}"/>"#);
        }
    }
    if !spells.is_empty() {
        spells = format!("<spells>{spells}</spells>");
    }
    (values, spells)
}

/// Writes `graph.gexf` (GEXF 1.3): a node per entity of `entities` (the
/// run's [`Aggregates::entities_sorted`]), an edge per pair of `pairs`.
/// When `agg` is counted by period, the
/// graph is dynamic (`timeformat="date"`): every node and edge has one
/// spell per dated period it appears in (first to last day of the
/// period), and the dynamic attributes `mentions_by_period` (nodes) and
/// `windows_by_period` (edges) give its count in each, so that Gephi's
/// timeline plays the network period by period. Entities and pairs seen
/// only in undated documents have no spell.
pub fn write_gexf<W: Write>(
    mut w: W,
    agg: &Aggregates,
    entities: &[SortedEntity],
    pairs: &[SortedPair],
) -> io::Result<W> {
    let e = xml_escape;
    let periods = dated_periods(agg);
    let dynamic = agg.bucket.is_some();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(
        w,
        r#"  <meta><creator>alam</creator><description>entity co-occurrence, window = {}</description></meta>"#,
        agg.window.as_str()
    )?;
    if dynamic {
        writeln!(
            w,
            r#"  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date">"#
        )?;
        writeln!(
            w,
            r#"    <attributes class="node" mode="dynamic"><attribute id="mentions_t" title="mentions_by_period" type="integer"/></attributes>"#
        )?;
        writeln!(
            w,
            r#"    <attributes class="edge" mode="dynamic"><attribute id="windows_t" title="windows_by_period" type="integer"/></attributes>"#
        )?;
    } else {
        writeln!(w, r#"  <graph mode="static" defaultedgetype="undirected">"#)?;
    }
    writeln!(w, r#"    <attributes class="node">"#)?;
    writeln!(
        w,
        r#"      <attribute id="type" title="type" type="string"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="name_ar" title="name_ar" type="string"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="mentions" title="mentions" type="integer"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="documents" title="documents" type="integer"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="source" title="source" type="string"/>"#
    )?;
    for (i, column) in agg.attribute_columns.iter().enumerate() {
        writeln!(
            w,
            r#"      <attribute id="a{i}" title="{}" type="string"/>"#,
            e(column)
        )?;
    }
    writeln!(w, r#"    </attributes>"#)?;
    writeln!(w, r#"    <attributes class="edge">"#)?;
    writeln!(
        w,
        r#"      <attribute id="documents" title="documents" type="integer"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="npmi" title="npmi" type="double"/>"#
    )?;
    for id in ["relation", "relation_source", "relations"] {
        writeln!(
            w,
            r#"      <attribute id="{id}" title="{id}" type="string"/>"#
        )?;
    }
    writeln!(w, r#"    </attributes>"#)?;
    writeln!(w, "    <nodes>")?;
    for &(id, c) in entities {
        let (values, spells) = spells(&periods, "mentions_t", |label| {
            Some(agg.periods.get(label)?.entities.get(id)?.mentions)
        });
        writeln!(
            w,
            r#"      <node id="{}" label="{}"><attvalues><attvalue for="type" value="{}"/><attvalue for="name_ar" value="{}"/><attvalue for="mentions" value="{}"/><attvalue for="documents" value="{}"/><attvalue for="source" value="{}"/>{}{values}</attvalues>{spells}</node>"#,
            e(id),
            e(&c.info.name),
            e(&c.info.kind),
            e(&c.info.name_ar),
            c.mentions,
            c.documents,
            entity_source(id),
            extra_values(agg, &c.info.attributes, |i, v| format!(
                r#"<attvalue for="a{i}" value="{}"/>"#,
                e(v)
            ))
        )?;
    }
    writeln!(w, "    </nodes>")?;
    writeln!(w, "    <edges>")?;
    for (i, &(a, b, c, npmi)) in pairs.iter().enumerate() {
        let key = (a.clone(), b.clone());
        let (values, spells) = spells(&periods, "windows_t", |label| {
            Some(agg.periods.get(label)?.pairs.get(&key)?.windows)
        });
        writeln!(
            w,
            r#"      <edge id="{i}" source="{}" target="{}" weight="{}"><attvalues><attvalue for="documents" value="{}"/><attvalue for="npmi" value="{npmi:.6}"/>{}{values}</attvalues>{spells}</edge>"#,
            e(a),
            e(b),
            c.windows,
            c.documents,
            edge_relation(a, b, c).map_or(String::new(), |(kind, source, all)| {
                let source = if source.is_empty() {
                    String::new()
                } else {
                    format!(r#"<attvalue for="relation_source" value="{}"/>"#, e(source))
                };
                format!(
                    r#"<attvalue for="relation" value="{}"/>{source}<attvalue for="relations" value="{}"/>"#,
                    e(kind),
                    e(&all)
                )
            })
        )?;
    }
    writeln!(w, "    </edges>")?;
    writeln!(w, "  </graph>")?;
    writeln!(w, "</gexf>")?;
    Ok(w)
}

/// Writes `graph.graphml`: a node per entity of `entities` (the run's
/// [`Aggregates::entities_sorted`]), an edge per pair of `pairs`.
pub fn write_graphml<W: Write>(
    mut w: W,
    agg: &Aggregates,
    entities: &[SortedEntity],
    pairs: &[SortedPair],
) -> io::Result<W> {
    let e = xml_escape;
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, target, ty) in [
        ("label", "node", "string"),
        ("type", "node", "string"),
        ("name_ar", "node", "string"),
        ("mentions", "node", "int"),
        ("documents", "node", "int"),
        ("source", "node", "string"),
        ("weight", "edge", "int"),
        ("edge_documents", "edge", "int"),
        ("npmi", "edge", "double"),
        ("relation", "edge", "string"),
        ("relation_source", "edge", "string"),
        ("relations", "edge", "string"),
    ] {
        let name = if id == "edge_documents" {
            "documents"
        } else {
            id
        };
        writeln!(
            w,
            r#"  <key id="{id}" for="{target}" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    for (i, column) in agg.attribute_columns.iter().enumerate() {
        writeln!(
            w,
            r#"  <key id="a{i}" for="node" attr.name="{}" attr.type="string"/>"#,
            e(column)
        )?;
    }
    writeln!(w, r#"  <graph id="alam" edgedefault="undirected">"#)?;
    for &(id, c) in entities {
        writeln!(
            w,
            r#"    <node id="{}"><data key="label">{}</data><data key="type">{}</data><data key="name_ar">{}</data><data key="mentions">{}</data><data key="documents">{}</data><data key="source">{}</data>{}</node>"#,
            e(id),
            e(&c.info.name),
            e(&c.info.kind),
            e(&c.info.name_ar),
            c.mentions,
            c.documents,
            entity_source(id),
            extra_values(agg, &c.info.attributes, |i, v| format!(
                r#"<data key="a{i}">{}</data>"#,
                e(v)
            ))
        )?;
    }
    for &(a, b, c, npmi) in pairs {
        writeln!(
            w,
            r#"    <edge source="{}" target="{}"><data key="weight">{}</data><data key="edge_documents">{}</data><data key="npmi">{npmi:.6}</data>{}</edge>"#,
            e(a),
            e(b),
            c.windows,
            c.documents,
            edge_relation(a, b, c).map_or(String::new(), |(kind, source, all)| {
                let source = if source.is_empty() {
                    String::new()
                } else {
                    format!(r#"<data key="relation_source">{}</data>"#, e(source))
                };
                format!(
                    r#"<data key="relation">{}</data>{source}<data key="relations">{}</data>"#,
                    e(kind),
                    e(&all)
                )
            })
        )?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
    }
}
