//! `report.html`: one self-contained page (inline CSS, JS and SVG; no
//! network) with the run summary, the top entities per type, the
//! co-occurrence network of the strongest pairs, and the top pairs with
//! example sentences.
//!
//! The page is `report.html` (the template, next to this file) with its
//! data object embedded as JSON in a `<script type="application/json">`
//! element, where `<`, `>` and `&` are written `\u003c`, `\u003e`,
//! `\u0026` so no article text can close the element. The template's script
//! builds the DOM with `textContent` only.
//!
//! The network shows at most [`MAX_NODES`] entities: pairs are taken by
//! `windows × (1 + npmi)`, strongest first, while their entities fit, and
//! at most [`MAX_EDGES`] edges. Positions come from a force layout
//! (Fruchterman–Reingold, repulsion cut off at 3k, with gravity) started
//! from a fixed spiral, so the same tables always give the same picture.
//!
//! The page's search covers more than is drawn: the data's `index` lists
//! every entity of the run and the pairs of [`index_pairs`] (each entity's
//! strongest pair, then every pair of at least [`INDEX_MIN_WINDOWS`]
//! windows, at most [`MAX_INDEX_PAIRS`] in all), in a compact form:
//!
//! - `types`: the entity types, by mentions;
//! - `entities`: `[id, name, name_ar, type, mentions, documents]` rows,
//!   most mentions first, then by id; `type` is a position in `types`;
//!   `id` is `0` when it is `TYPE:~` and the name with `-` for spaces (most
//!   discovered names: `person:~زين-الدين-زيدان`); `name_ar` is `0` when it
//!   is the same text as `name` (discovered names), `""` when there is none;
//! - `pairs`: `[a, b, windows, documents, npmi]` rows, strongest first;
//!   `a` and `b` are positions in `entities`, `npmi` has 3 decimals;
//! - `pairs_total`, `min_windows`, `max_pairs`: the run's pair count and
//!   the two limits, which the page states.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::cooccur::{Aggregates, EntityCounts, SortedEntity, SortedPair};
use crate::output::RunSummary;

/// The template; its line `/*ALAM_DATA*/null` is replaced by the data.
const TEMPLATE: &str = include_str!("report.html");
const PLACEHOLDER: &str = "/*ALAM_DATA*/null";

/// Entities shown in the network, at most.
pub const MAX_NODES: usize = 150;
/// Edges shown in the network, at most.
pub const MAX_EDGES: usize = 400;
/// Entities per type in the bar charts.
const TOP_PER_TYPE: usize = 15;
/// Pairs in the table of pairs.
const TOP_PAIRS: usize = 50;
/// Pairs in the search index, at most (about 25 bytes each in the page).
pub const MAX_INDEX_PAIRS: usize = 100_000;
/// Windows a pair needs to be in the search index, unless it is the
/// strongest pair of one of its entities.
pub const INDEX_MIN_WINDOWS: u64 = 2;
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 700.0;

/// Writes `report.html` for these aggregates, whose entities and pairs
/// sorted for the tables are `entities` ([`Aggregates::entities_sorted`])
/// and `pairs` ([`Aggregates::pairs_sorted`] with `summary.min_count`).
pub fn write_report<W: Write>(
    mut w: W,
    agg: &Aggregates,
    summary: &RunSummary,
    entities: &[SortedEntity],
    pairs: &[SortedPair],
) -> io::Result<W> {
    let data = report_data(agg, summary, entities, pairs);
    let json = serde_json::to_string(&data)?
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let page = TEMPLATE.replacen(PLACEHOLDER, &json, 1);
    w.write_all(page.as_bytes())?;
    Ok(w)
}

/// The data object the template renders.
pub fn report_data(
    agg: &Aggregates,
    summary: &RunSummary,
    sorted: &[SortedEntity],
    pairs: &[SortedPair],
) -> Value {
    let entity = |id: &str| agg.entities.get(id).map(|e| &e.info);
    // Types, by mentions.
    let mut types: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for c in agg.entities.values() {
        let t = types.entry(c.info.kind.as_str()).or_default();
        t.0 += 1;
        t.1 += c.mentions;
    }
    let mut types: Vec<(&str, u64, u64)> = types.into_iter().map(|(k, (n, m))| (k, n, m)).collect();
    types.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let top_entities: Vec<Value> = types
        .iter()
        .map(|(kind, _, _)| {
            let list: Vec<Value> = sorted
                .iter()
                .filter(|(_, c)| c.info.kind == *kind)
                .take(TOP_PER_TYPE)
                .map(|(id, c)| {
                    json!({"id": id.as_ref(), "name": c.info.name, "name_ar": c.info.name_ar,
                           "mentions": c.mentions, "documents": c.documents})
                })
                .collect();
            json!({"type": kind, "entities": list})
        })
        .collect();
    let table: Vec<Value> = pairs
        .iter()
        .take(TOP_PAIRS)
        .map(|(a, b, c, npmi)| {
            let (ea, eb) = (entity(a), entity(b));
            json!({
                "source_id": a.as_ref(), "source_name": ea.map(|e| e.name.as_str()),
                "source_name_ar": ea.map(|e| e.name_ar.as_str()), "source_type": ea.map(|e| e.kind.as_str()),
                "target_id": b.as_ref(), "target_name": eb.map(|e| e.name.as_str()),
                "target_name_ar": eb.map(|e| e.name_ar.as_str()), "target_type": eb.map(|e| e.kind.as_str()),
                "windows": c.windows, "documents": c.documents, "npmi": round6(*npmi),
                "examples": c.examples.iter().map(|e| json!({
                    "doc_id": &*e.doc_id, "text": &*e.text, "marks": [[e.marks[0].start, e.marks[0].end], [e.marks[1].start, e.marks[1].end]],
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let scored = by_score(pairs.to_vec());
    let mut network = network(agg, &scored);
    let index = index(sorted, &types, &scored);
    let mut top_entities = top_entities;
    let time = time_data(agg, &mut network, &mut top_entities);
    json!({
        "time": time,
        "title": "alam report",
        "summary": {
            "documents": summary.documents, "errors": summary.errors, "warnings": summary.warnings,
            "mentions": summary.mentions, "entities": agg.entities.len(), "pairs": pairs.len(),
            "window": summary.window, "gazetteer": short_label(&summary.gazetteer), "chars": summary.chars,
        },
        "entity_types": types.iter().map(|(k, n, m)| json!({"type": k, "entities": n, "mentions": m})).collect::<Vec<_>>(),
        "top_entities": top_entities,
        "network": network,
        "pairs": table,
        "index": index,
    })
}

/// The periods of a dated run (`null` otherwise): `{"bucket", "periods":
/// [{"label", "start", "end", "documents"}], "undated"}` (dated periods
/// in time order; `undated`: the documents of the period `undated`), and
/// the `series` of each node and edge of the network and each entity of
/// the bar charts: its mentions (windows, for an edge) in each dated
/// period, in that order. The page draws a time slider and sparklines
/// from them.
fn time_data(agg: &Aggregates, network: &mut Value, top_entities: &mut [Value]) -> Value {
    let Some(bucket) = agg.bucket else {
        return Value::Null;
    };
    let dated: Vec<(&String, &crate::cooccur::PeriodCounts, (String, String))> = agg
        .periods
        .iter()
        .filter_map(|(label, p)| Some((label, p, bucket.range(label)?)))
        .collect();
    let entity_series = |id: &str| -> Value {
        dated
            .iter()
            .map(|(_, p, _)| p.entities.get(id).map_or(0, |e| e.mentions))
            .collect::<Vec<_>>()
            .into()
    };
    if let Some(nodes) = network.get_mut("nodes").and_then(Value::as_array_mut) {
        for n in nodes {
            let series = entity_series(n["id"].as_str().unwrap_or(""));
            n["series"] = series;
        }
    }
    if let Some(edges) = network.get_mut("edges").and_then(Value::as_array_mut) {
        for e in edges {
            let (a, b) = (
                e["source"].as_str().unwrap_or(""),
                e["target"].as_str().unwrap_or(""),
            );
            let key: crate::cooccur::EntityPair = (Arc::from(a), Arc::from(b));
            let series: Vec<u64> = dated
                .iter()
                .map(|(_, p, _)| p.pairs.get(&key).map_or(0, |c| c.windows))
                .collect();
            e["series"] = series.into();
        }
    }
    for block in top_entities.iter_mut() {
        if let Some(list) = block.get_mut("entities").and_then(Value::as_array_mut) {
            for e in list {
                let series = entity_series(e["id"].as_str().unwrap_or(""));
                e["series"] = series;
            }
        }
    }
    json!({
        "bucket": bucket.as_str(),
        "periods": dated.iter().map(|(label, p, (start, end))| json!({
            "label": label, "start": start, "end": end, "documents": p.documents,
        })).collect::<Vec<_>>(),
        "undated": agg.periods.get(crate::period::UNDATED).map_or(0, |p| p.documents),
    })
}

/// Pairs sorted for drawing: by `windows × (1 + npmi)`, strongest first,
/// then by ids.
fn by_score(mut pairs: Vec<SortedPair<'_>>) -> Vec<SortedPair<'_>> {
    let score = |p: &SortedPair| p.2.windows as f64 * (1.0 + p.3);
    pairs.sort_by(|x, y| {
        score(y)
            .total_cmp(&score(x))
            .then(x.0.cmp(y.0))
            .then(x.1.cmp(y.1))
    });
    pairs
}

/// The pairs of the search index, from pairs sorted by `windows × (1 +
/// npmi)`, strongest first, then by ids (as the network takes them): first
/// the strongest pair of every entity (so that each one shows a partner),
/// then the other pairs with at least `min_windows` windows, strongest
/// first; at most `max` in all. Returns positions in `scored`, ascending
/// (that is, strongest first).
///
/// With the pairs `a-b` ×5, `c-d` ×4, `a-c` ×3, `b-d` ×1 (in score order)
/// and `min_windows` 2, the index keeps `a-b` and `c-d` (each the strongest
/// pair of its entities) and `a-c` (3 windows), not `b-d`: positions
/// `[0, 1, 2]`; with `max` 1 only `[0]`.
pub fn index_pairs(scored: &[SortedPair<'_>], min_windows: u64, max: usize) -> Vec<usize> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut keep = vec![false; scored.len()];
    let mut kept = 0;
    for (k, (a, b, _, _)) in scored.iter().enumerate() {
        if kept >= max {
            break;
        }
        let new_a = seen.insert(a.as_ref());
        let new_b = seen.insert(b.as_ref());
        if new_a || new_b {
            keep[k] = true;
            kept += 1;
        }
    }
    for (k, (_, _, c, _)) in scored.iter().enumerate() {
        if kept >= max {
            break;
        }
        if !keep[k] && c.windows >= min_windows {
            keep[k] = true;
            kept += 1;
        }
    }
    (0..scored.len()).filter(|&k| keep[k]).collect()
}

/// The search index (see the module doc).
fn index(
    sorted: &[(&Arc<str>, &EntityCounts)],
    types: &[(&str, u64, u64)],
    scored: &[SortedPair<'_>],
) -> Value {
    let type_pos: HashMap<&str, usize> = types.iter().enumerate().map(|(i, t)| (t.0, i)).collect();
    let entity_pos: HashMap<&str, usize> = sorted
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_ref(), i))
        .collect();
    let entities: Vec<Value> = sorted
        .iter()
        .map(|(id, c)| {
            let ar = if c.info.name_ar == c.info.name && !c.info.name.is_empty() {
                json!(0)
            } else {
                json!(c.info.name_ar)
            };
            let derived = format!("{}:~{}", c.info.kind, c.info.name.replace(' ', "-"));
            let id = if derived == id.as_ref() {
                json!(0)
            } else {
                json!(id.as_ref())
            };
            json!([
                id,
                c.info.name,
                ar,
                type_pos.get(c.info.kind.as_str()).copied().unwrap_or(0),
                c.mentions,
                c.documents
            ])
        })
        .collect();
    let pairs: Vec<Value> = index_pairs(scored, INDEX_MIN_WINDOWS, MAX_INDEX_PAIRS)
        .into_iter()
        .filter_map(|k| {
            let (a, b, c, npmi) = scored[k];
            let (a, b) = (entity_pos.get(a.as_ref())?, entity_pos.get(b.as_ref())?);
            Some(json!([
                a,
                b,
                c.windows,
                c.documents,
                (npmi * 1e3).round() / 1e3
            ]))
        })
        .collect();
    json!({
        "types": types.iter().map(|t| t.0).collect::<Vec<_>>(),
        "entities": entities,
        "pairs": pairs,
        "pairs_total": scored.len(),
        "min_windows": INDEX_MIN_WINDOWS,
        "max_pairs": MAX_INDEX_PAIRS,
    })
}

/// `builtin 378a205bce182570` -> `builtin 378a205b`: the first 8 hex
/// digits of the content hash are enough to tell lists apart on screen.
fn short_label(label: &str) -> String {
    match label.rsplit_once(' ') {
        Some((source, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("{source} {}", &hash[..8])
        }
        _ => label.to_string(),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The nodes and edges shown, with their positions.
fn network(agg: &Aggregates, candidates: &[SortedPair<'_>]) -> Value {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes: Vec<&str> = Vec::new();
    let mut edges = Vec::new();
    for &(a, b, c, npmi) in candidates {
        if edges.len() >= MAX_EDGES {
            break;
        }
        let new = [a, b]
            .iter()
            .filter(|id| !index.contains_key(id.as_ref()))
            .count();
        if nodes.len() + new > MAX_NODES {
            continue;
        }
        for id in [a, b] {
            if !index.contains_key(id.as_ref()) {
                index.insert(id, nodes.len());
                nodes.push(id);
            }
        }
        edges.push((index[a.as_ref()], index[b.as_ref()], c.windows, npmi));
    }
    let weights: Vec<(usize, usize, f64)> = edges
        .iter()
        .map(|&(a, b, w, _)| (a, b, (1.0 + w as f64).ln()))
        .collect();
    let positions = layout(nodes.len(), &weights);
    let max_mentions = nodes
        .iter()
        .map(|id| agg.entities[*id].mentions)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_windows = edges.iter().map(|e| e.2).max().unwrap_or(1).max(1) as f64;
    let node_values: Vec<Value> = nodes
        .iter()
        .zip(&positions)
        .map(|(id, &(x, y))| {
            let c = &agg.entities[*id];
            let r = 4.0 + 14.0 * (c.mentions as f64 / max_mentions).sqrt();
            json!({"id": id, "name": c.info.name, "name_ar": c.info.name_ar, "type": c.info.kind,
                   "mentions": c.mentions, "x": round1(x), "y": round1(y), "r": round1(r)})
        })
        .collect();
    let edge_values: Vec<Value> = edges
        .iter()
        .map(|&(a, b, w, npmi)| {
            json!({"source": nodes[a], "target": nodes[b], "windows": w, "npmi": round6(npmi),
                   "w": round1(0.6 + 5.0 * (w as f64 / max_windows).sqrt())})
        })
        .collect();
    json!({"width": WIDTH, "height": HEIGHT, "nodes": node_values, "edges": edge_values})
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Fruchterman–Reingold layout of `n` nodes with weighted edges, from a
/// fixed start (a circle in node order), scaled into the drawing with a
/// margin. Deterministic: no randomness, a fixed number of iterations.
pub fn layout(n: usize, edges: &[(usize, usize, f64)]) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let area = WIDTH * HEIGHT;
    let k = (area / n as f64).sqrt();
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let angle = i as f64 * 2.399_963; // the golden angle: a spread-out spiral
            let radius = (i as f64 + 0.5).sqrt() / (n as f64).sqrt() * WIDTH.min(HEIGHT) / 2.0;
            (
                WIDTH / 2.0 + radius * angle.cos(),
                HEIGHT / 2.0 + radius * angle.sin(),
            )
        })
        .collect();
    let iterations = 300;
    let mut temperature = WIDTH / 10.0;
    let max_w = edges.iter().map(|e| e.2).fold(0.0f64, f64::max).max(1e-9);
    for _ in 0..iterations {
        let mut disp = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in i + 1..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d = (dx * dx + dy * dy).sqrt().max(0.01);
                // Repulsion only between near nodes (the grid variant):
                // separate groups do not push each other to the borders.
                if d > 3.0 * k {
                    continue;
                }
                let f = k * k / d;
                disp[i].0 += dx / d * f;
                disp[i].1 += dy / d * f;
                disp[j].0 -= dx / d * f;
                disp[j].1 -= dy / d * f;
            }
        }
        for &(a, b, w) in edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(0.01);
            let f = d * d / k * (0.3 + 0.7 * w / max_w);
            disp[a].0 -= dx / d * f;
            disp[a].1 -= dy / d * f;
            disp[b].0 += dx / d * f;
            disp[b].1 += dy / d * f;
        }
        for (p, d) in pos.iter_mut().zip(disp.iter_mut()) {
            // Gravity towards the centre keeps unconnected parts close.
            let (gx, gy) = (WIDTH / 2.0 - p.0, HEIGHT / 2.0 - p.1);
            d.0 += gx * 0.05;
            d.1 += gy * 0.05;
            let len = (d.0 * d.0 + d.1 * d.1).sqrt().max(0.01);
            let step = len.min(temperature);
            p.0 += d.0 / len * step;
            p.1 += d.1 / len * step;
        }
        temperature = (temperature * 0.985).max(1.0);
    }
    // Scale into the drawing with a margin for labels.
    let margin = 40.0;
    let (min_x, max_x) = pos.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let (min_y, max_y) = pos.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let sx = (WIDTH - 2.0 * margin) / (max_x - min_x).max(1.0);
    let sy = (HEIGHT - 2.0 * margin) / (max_y - min_y).max(1.0);
    pos.iter()
        .map(|p| {
            let x = if n == 1 {
                WIDTH / 2.0
            } else {
                margin + (p.0 - min_x) * sx
            };
            let y = if n == 1 {
                HEIGHT / 2.0
            } else {
                margin + (p.1 - min_y) * sy
            };
            (x, y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cooccur::{EntityInfo, PairCounts, WindowKind};

    #[test]
    fn layout_is_deterministic_and_inside_the_drawing() {
        let edges = [(0, 1, 2.0), (1, 2, 1.0), (2, 0, 0.5), (3, 4, 1.0)];
        let a = layout(6, &edges);
        let b = layout(6, &edges);
        assert_eq!(a, b);
        for &(x, y) in &a {
            assert!(
                (0.0..=WIDTH).contains(&x) && (0.0..=HEIGHT).contains(&y),
                "{x},{y}"
            );
        }
        // Connected nodes end up closer than the unconnected node 5 is to 0.
        let d = |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
        assert!(d(0, 1) < d(0, 5), "{a:?}");
        assert_eq!(layout(1, &[]), vec![(WIDTH / 2.0, HEIGHT / 2.0)]);
        assert!(layout(0, &[]).is_empty());
    }

    /// Pairs of one-letter ids with these windows, NPMI 0, in the order
    /// given (the tests list them in score order).
    fn pairs_of(spec: &[(&str, &str, u64)]) -> Vec<(Arc<str>, Arc<str>, PairCounts)> {
        spec.iter()
            .map(|&(a, b, w)| {
                let counts = PairCounts {
                    windows: w,
                    documents: w,
                    ..PairCounts::default()
                };
                (Arc::from(a), Arc::from(b), counts)
            })
            .collect()
    }

    #[test]
    fn index_pairs_give_every_entity_a_partner_then_the_strong_pairs() {
        // (name, pairs in score order, min_windows, max, kept positions)
        type Case = (
            &'static str,
            &'static [(&'static str, &'static str, u64)],
            u64,
            usize,
            &'static [usize],
        );
        const CASES: &[Case] = &[
            (
                "doc example",
                &[("a", "b", 5), ("c", "d", 4), ("a", "c", 3), ("b", "d", 1)],
                2,
                10,
                &[0, 1, 2],
            ),
            (
                "doc example, cap 1",
                &[("a", "b", 5), ("c", "d", 4), ("a", "c", 3), ("b", "d", 1)],
                2,
                1,
                &[0],
            ),
            (
                "a weak pair that gives c its only partner",
                &[("a", "b", 9), ("a", "c", 1)],
                2,
                10,
                &[0, 1],
            ),
            (
                "weak pairs between seen entities dropped",
                &[("a", "b", 9), ("b", "c", 1), ("a", "c", 1)],
                2,
                10,
                &[0, 1],
            ),
            (
                "min 1 keeps all",
                &[("a", "b", 9), ("b", "c", 1), ("a", "c", 1)],
                1,
                10,
                &[0, 1, 2],
            ),
            (
                "first partners before strong pairs under the cap",
                &[("a", "b", 9), ("c", "d", 8), ("a", "c", 7), ("e", "f", 1)],
                2,
                3,
                &[0, 1, 3],
            ),
            ("nothing", &[], 2, 10, &[]),
            ("cap 0", &[("a", "b", 9)], 2, 0, &[]),
        ];
        for &(name, spec, min, max, want) in CASES {
            let owned = pairs_of(spec);
            let scored: Vec<SortedPair> = owned.iter().map(|(a, b, c)| (a, b, c, 0.0)).collect();
            assert_eq!(
                index_pairs(&scored, min, max),
                want,
                "case: {name}, pairs: {spec:?}"
            );
        }
    }

    fn entity(kind: &str, name: &str, name_ar: &str, mentions: u64) -> EntityCounts {
        EntityCounts {
            info: EntityInfo {
                kind: kind.into(),
                name: name.into(),
                name_ar: name_ar.into(),
                ..EntityInfo::default()
            },
            mentions,
            documents: 1,
            windows: mentions,
        }
    }

    #[test]
    fn the_index_lists_every_entity_compactly() {
        let mut agg = Aggregates::new(WindowKind::Sentence);
        agg.windows = 10;
        for (id, e) in [
            (
                "person:vladimir-putin",
                entity("person", "Vladimir Putin", "فلاديمير بوتين", 9),
            ),
            (
                "person:~زين-الدين",
                entity("person", "زين الدين", "زين الدين", 4),
            ),
            (
                "organization:~acme-co",
                entity("organization", "ACME Co", "", 3),
            ),
            ("city:moscow", entity("city", "Moscow", "", 2)),
        ] {
            agg.entities.insert(Arc::from(id), e);
        }
        let pair = |a: &str, b: &str| (Arc::from(a), Arc::from(b));
        let counts = |w| PairCounts {
            windows: w,
            documents: 1,
            ..PairCounts::default()
        };
        agg.pairs
            .insert(pair("city:moscow", "person:vladimir-putin"), counts(2));
        agg.pairs.insert(
            pair("person:vladimir-putin", "person:~زين-الدين"),
            counts(2),
        );
        agg.pairs.insert(
            pair("organization:~acme-co", "person:~زين-الدين"),
            counts(1),
        );
        agg.pairs
            .insert(pair("city:moscow", "person:~زين-الدين"), counts(1));
        let data = report_data(
            &agg,
            &RunSummary {
                min_count: 1,
                ..RunSummary::default()
            },
            &agg.entities_sorted(),
            &agg.pairs_sorted(1),
        );
        let ix = &data["index"];
        assert_eq!(ix["types"], json!(["person", "organization", "city"]));
        // The discovered id that follows from its name is 0, and so is an
        // Arabic name equal to the name; "ACME Co" is not "acme-co".
        assert_eq!(
            ix["entities"],
            json!([
                [
                    "person:vladimir-putin",
                    "Vladimir Putin",
                    "فلاديمير بوتين",
                    0,
                    9,
                    1
                ],
                [0, "زين الدين", 0, 0, 4, 1],
                ["organization:~acme-co", "ACME Co", "", 1, 3, 1],
                ["city:moscow", "Moscow", "", 2, 2, 1],
            ])
        );
        // The pairs of 2 windows (moscow-putin has the higher NPMI) and
        // acme-zain (acme's only pair) are kept; moscow-zain (1 window,
        // both ends have a stronger partner) is not.
        let pairs: Vec<(u64, u64, u64)> = ix["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().unwrap(),
                    p[1].as_u64().unwrap(),
                    p[2].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(pairs, [(3, 0, 2), (0, 1, 2), (2, 1, 1)]);
        assert_eq!(ix["pairs_total"], json!(4));
        assert_eq!(ix["min_windows"], json!(INDEX_MIN_WINDOWS));
        assert_eq!(ix["max_pairs"], json!(MAX_INDEX_PAIRS));
    }

    #[test]
    fn labels_are_shortened() {
        assert_eq!(short_label("builtin 378a205bce182570"), "builtin 378a205b");
        assert_eq!(short_label("stream"), "stream");
        assert_eq!(short_label("my dir xyz"), "my dir xyz");
    }

    #[test]
    fn template_has_one_placeholder() {
        assert_eq!(TEMPLATE.matches(PLACEHOLDER).count(), 1);
    }

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let mut agg = Aggregates::new(crate::cooccur::WindowKind::Sentence);
        agg.entities.insert(
            std::sync::Arc::from("x:</script><script>alert(1)</script>"),
            crate::cooccur::EntityCounts {
                info: crate::cooccur::EntityInfo {
                    kind: "t".into(),
                    name: "</svg>\"onmouseover=x".into(),
                    name_ar: String::new(),
                    ..Default::default()
                },
                mentions: 1,
                documents: 1,
                windows: 1,
            },
        );
        let summary = RunSummary::default();
        let (entities, pairs) = (agg.entities_sorted(), agg.pairs_sorted(summary.min_count));
        let page = write_report(Vec::new(), &agg, &summary, &entities, &pairs);
        let page = String::from_utf8(page.unwrap()).unwrap();
        let start = page
            .find(r#"<script id="alam-data""#)
            .expect("data element");
        let data_end = page[start..].find("</script>").unwrap() + start;
        let data = &page[start..data_end];
        let inner = &data[data.find('>').unwrap() + 1..];
        assert!(!inner.contains('<') && !inner.contains('>'), "{inner}");
        assert!(inner.contains("\\u003c/script\\u003e"));
        assert_eq!(page.matches("alert(1)</script>").count(), 0);
    }
}
