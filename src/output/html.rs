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

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::cooccur::Aggregates;
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
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 700.0;

/// Writes `report.html` for these aggregates.
pub fn write_report<W: Write>(mut w: W, agg: &Aggregates, summary: &RunSummary) -> io::Result<W> {
    let data = report_data(agg, summary);
    let json = serde_json::to_string(&data)?
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let page = TEMPLATE.replacen(PLACEHOLDER, &json, 1);
    w.write_all(page.as_bytes())?;
    Ok(w)
}

/// The data object the template renders.
pub fn report_data(agg: &Aggregates, summary: &RunSummary) -> Value {
    let pairs = agg.pairs_sorted(summary.min_count);
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
    let sorted = agg.entities_sorted();
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
                    "doc_id": e.doc_id, "text": e.text, "marks": [[e.marks[0].0, e.marks[0].1], [e.marks[1].0, e.marks[1].1]],
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let network = network(agg, summary.min_count);
    json!({
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
fn network(agg: &Aggregates, min_count: u64) -> Value {
    let mut candidates = agg.pairs_sorted(min_count);
    candidates.sort_by(|x, y| {
        let score = |p: &(_, _, &crate::cooccur::PairCounts, f64)| p.2.windows as f64 * (1.0 + p.3);
        score(y)
            .total_cmp(&score(x))
            .then(x.0.cmp(y.0))
            .then(x.1.cmp(y.1))
    });
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes: Vec<&str> = Vec::new();
    let mut edges = Vec::new();
    for (a, b, c, npmi) in candidates {
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
        let page =
            String::from_utf8(write_report(Vec::new(), &agg, &RunSummary::default()).unwrap())
                .unwrap();
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
