//! The benchmark floor: the matcher's trie walks alone over text normalized
//! beforehand. Reads JSONL documents (the `title` and `text` fields, like
//! `alam extract --text-field title,text`) or plain text, normalizes them
//! all first, then times only the scan and prints one JSON line:
//! `{"bytes": N, "seconds": S, "mb_per_s": X, "raw_matches": M, "build_seconds": B}`.
//!
//! Usage: `floor [-g DIR] FILE [--repeat N]`

use std::io::BufRead;
use std::time::Instant;

use alam::{Gazetteer, Pipeline, normalize_str};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut gaz_dir = None;
    let mut file = None;
    let mut repeat = 1;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-g" => gaz_dir = args.next(),
            "--repeat" => repeat = args.next().ok_or("--repeat needs a number")?.parse()?,
            _ => file = Some(a),
        }
    }
    let file = file.ok_or("usage: floor [-g DIR] FILE [--repeat N]")?;
    let gaz = match gaz_dir {
        Some(dir) => Gazetteer::from_dir(dir.as_ref())?,
        None => Gazetteer::builtin(),
    };
    let started = Instant::now();
    let pipeline = Pipeline::new(&gaz)?;
    let build_seconds = started.elapsed().as_secs_f64();
    let reader = std::io::BufReader::new(std::fs::File::open(&file)?);
    let mut texts = Vec::new();
    if file.ends_with(".jsonl") {
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            let field = |k: &str| v.get(k).and_then(|t| t.as_str()).unwrap_or("").to_string();
            texts.push(normalize_str(&format!(
                "{}\n\n{}",
                field("title"),
                field("text")
            )));
        }
    } else {
        texts.push(normalize_str(&std::io::read_to_string(reader)?));
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum::<usize>() * repeat;
    let started = Instant::now();
    let mut raw = 0;
    for _ in 0..repeat {
        for t in &texts {
            raw += pipeline.count_raw_matches(t);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"bytes\": {bytes}, \"seconds\": {seconds:.4}, \"mb_per_s\": {:.2}, \"raw_matches\": {raw}, \"build_seconds\": {build_seconds:.3}}}",
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
    Ok(())
}
