//! What discovery costs the worker: `Pipeline::analyze` over every
//! document of a JSONL file (`title` and `text` joined like
//! `--text-field title,text`), once with discovery off and once on, on one
//! thread, with nothing written. Prints one JSON line:
//! `{"bytes": N, "off_seconds": A, "on_seconds": B, "ratio": B/A, "mentions_off": M, "mentions_on": M2}`.
//!
//! Usage: `discovery_cost FILE.jsonl`

use std::io::BufRead;
use std::time::Instant;

use alam::{Discovery, Document, Gazetteer, Pipeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::env::args()
        .nth(1)
        .ok_or("usage: discovery_cost FILE.jsonl")?;
    let reader = std::io::BufReader::new(std::fs::File::open(&file)?);
    let mut docs = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let field = |k: &str| v.get(k).and_then(|t| t.as_str()).unwrap_or("").to_string();
        docs.push(Document::new(
            i.to_string(),
            format!("{}\n\n{}", field("title"), field("text")),
        ));
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let gaz = Gazetteer::builtin();
    let mut out = Vec::new();
    // DISCOVERY_COST_ONLY_ON=1 skips the run without discovery (to profile).
    let only_on = std::env::var_os("DISCOVERY_COST_ONLY_ON").is_some();
    for mode in [Discovery::Off, Discovery::On] {
        if only_on && mode == Discovery::Off {
            out.push((f64::NAN, 0));
            continue;
        }
        let pipeline = Pipeline::builder(&gaz).discovery(mode).build()?;
        let started = Instant::now();
        let mentions: usize = docs
            .iter()
            .map(|d| pipeline.analyze(d).mentions.len())
            .sum();
        out.push((started.elapsed().as_secs_f64(), mentions));
    }
    println!(
        "{{\"bytes\": {bytes}, \"off_seconds\": {:.3}, \"on_seconds\": {:.3}, \"ratio\": {:.3}, \"mentions_off\": {}, \"mentions_on\": {}}}",
        out[0].0,
        out[1].0,
        out[1].0 / out[0].0,
        out[0].1,
        out[1].1
    );
    Ok(())
}
