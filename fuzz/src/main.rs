//! A stable-toolchain fuzzer for alam: generates and mutates inputs from a
//! weighted alphabet of tricky characters, with a fixed seed (so a run can
//! be repeated exactly), and checks what the library promises on each.
//!
//! Targets (`--target`, default `all`, which takes them in turn):
//!
//! - `normalize`: [`alam::normalize`]. The output is valid UTF-8 (checked
//!   on its bytes, which covers the SIMD `set_len` in `plain_run`), and
//!   every char-boundary range of it maps back to a range on char
//!   boundaries of the input. With `--idempotence`, normalizing twice must
//!   give what normalizing once gives (the README lists the known
//!   exceptions; off by default).
//! - `extract`: [`alam::Pipeline::extract`] with the built-in gazetteer,
//!   discovery off and on. Every mention's byte offsets lie on char
//!   boundaries, `text[byte_start..byte_end] == surface`, the char offsets
//!   agree with the byte offsets, and the prefix is the text right before
//!   the surface.
//! - `pieces`: [`alam::Pipeline::analyze_in_pieces`] with pieces of 1, 7
//!   and 40 bytes gives the one-pass analysis.
//! - `jsonl`, `csv`: the readers ([`alam::input::Inputs`]) on files of
//!   valid records and of mutated bytes (invalid UTF-8, broken quotes,
//!   JSON escapes). No panic; every record of a file of valid records
//!   comes back with its id and text.
//!
//! A failure prints the target, the execution number and the input (as a
//! Rust string or byte literal) and exits with 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use alam::{Discovery, Document, Gazetteer, Pipeline};
use alam::{InputOptions, Inputs};

/// xorshift64*: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Pieces of text, with weights: letters of both scripts, the marks and
/// controls that normalization deletes or folds, presentation forms,
/// combining marks, line ends, quotes, and gazetteer forms (so that
/// mentions are found and their offsets checked).
const PIECES: &[(u32, &str)] = &[
    (30, " "),
    (6, "\n"),
    (3, "\r\n"),
    (2, "\r"),
    (2, "\t"),
    (4, "."),
    (2, ","),
    (1, "-"),
    (1, "_"),
    (2, "\""),
    (1, "'"),
    (1, "\\"),
    (1, "{"),
    (1, "}"),
    (1, ":"),
    (1, "!"),
    (1, "?"),
    (10, "a"),
    (4, "e"),
    (4, "P"),
    (3, "X"),
    (2, "3"),
    (2, "A"),
    (20, "ا"),
    (8, "ل"),
    (6, "و"),
    (6, "ب"),
    (4, "ي"),
    (4, "ن"),
    (4, "ر"),
    (3, "س"),
    (3, "ة"),
    (2, "ى"),
    (2, "آ"),
    (2, "أ"),
    (2, "إ"),
    (3, "ی"),
    (2, "ک"),
    (2, "ء"),
    (3, "\u{064E}"), // fatha
    (2, "\u{0650}"), // kasra
    (2, "\u{0651}"), // shadda
    (2, "\u{0652}"), // sukun
    (1, "\u{064B}"), // fathatan
    (1, "\u{0670}"), // superscript alef
    (4, "\u{0640}"), // tatweel
    (3, "\u{200D}"), // ZWJ
    (3, "\u{200C}"), // ZWNJ
    (2, "\u{200B}"), // ZWSP
    (1, "\u{200F}"), // RLM
    (1, "\u{202B}"), // RLE
    (1, "\u{061C}"), // Arabic letter mark
    (1, "\u{FEFF}"), // BOM
    (2, "\u{FE8D}"), // alef, isolated form
    (2, "\u{FEFB}"), // lam-alef ligature
    (1, "\u{FDF2}"), // Allah ligature
    (1, "\u{FDFC}"), // rial sign (NFKC: four letters)
    (2, "\u{0301}"), // combining acute
    (1, "\u{0308}"), // combining diaeresis
    (1, "\u{08E8}"),
    (1, "\u{08F6}"),
    (1, "\u{0656}"),
    (1, "İ"), // lowercases to two chars
    (1, "ß"),
    (1, "ﬁ"),
    (1, "Ａ"),
    (1, "\u{FFFD}"),
    (1, "👍🏽"),
    (1, "…"),
    (1, "،"),
    (1, "؟"),
    (1, "؛"),
    (1, "ī"),
    (5, "روسيا"),
    (3, "بوتين"),
    (3, "بكين"),
    (2, "الكويت"),
    (2, "الصين"),
    (2, "لافروف"),
    (3, "Putin"),
    (2, "Russia"),
    (2, "Beijing"),
    (1, "Xi Jinping"),
    (1, "Xi"),
    (1, "U.S."),
    (1, "Mr."),
    (1, "السيد"),
    (1, "قال"),
];

/// Byte sequences only the readers see: invalid UTF-8 and JSON escapes.
const RAW: &[&[u8]] = &[
    b"\xFF",
    b"\xC0",
    b"\x80",
    b"\xED\xA0\x80",
    b"\xE2\x82",
    b"\xF0\x9F",
    b"\\u0000",
    b"\\ud800",
    b"\\n",
    b"\\\"",
    b"\\u0627",
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\t",
    b"\0",
];

struct Alphabet {
    total: u32,
}

impl Alphabet {
    fn new() -> Alphabet {
        Alphabet {
            total: PIECES.iter().map(|p| p.0).sum(),
        }
    }

    fn piece(&self, rng: &mut Rng) -> &'static str {
        let mut k = (rng.next() % u64::from(self.total)) as u32;
        for &(w, s) in PIECES {
            if k < w {
                return s;
            }
            k -= w;
        }
        " "
    }

    /// A text of up to `max` pieces.
    fn text(&self, rng: &mut Rng, max: usize) -> String {
        let n = rng.below(max + 1);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(self.piece(rng));
        }
        s
    }
}

/// Mutates `s` (a valid string) into another valid string: inserts,
/// deletes, replaces or duplicates pieces at char boundaries.
fn mutate(rng: &mut Rng, alphabet: &Alphabet, s: &str) -> String {
    let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
    let mut a = bounds[rng.below(bounds.len())];
    let mut b = bounds[rng.below(bounds.len())];
    if a > b {
        std::mem::swap(&mut a, &mut b);
    }
    match rng.below(4) {
        0 => format!("{}{}{}", &s[..a], alphabet.text(rng, 4), &s[a..]),
        1 => format!("{}{}", &s[..a], &s[b..]),
        2 => format!("{}{}{}", &s[..a], alphabet.text(rng, 3), &s[b..]),
        _ => format!("{}{}{}", &s[..b], &s[a..b], &s[b..]),
    }
}

/// Mutates bytes: inserts a raw sequence, deletes a range, or flips a byte.
fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let at = rng.below(bytes.len() + 1);
    match rng.below(3) {
        0 => {
            let raw = RAW[rng.below(RAW.len())];
            bytes.splice(at..at, raw.iter().copied());
        }
        1 => {
            let end = (at + rng.below(8)).min(bytes.len());
            bytes.drain(at..end);
        }
        _ => {
            if at < bytes.len() {
                bytes[at] ^= 1 << rng.below(8);
            }
        }
    }
}

struct Options {
    target: String,
    runs: u64,
    seed: u64,
    idempotence: bool,
    max_pieces: usize,
    text: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        target: "all".into(),
        runs: 100_000,
        seed: 1,
        idempotence: false,
        max_pieces: 40,
        text: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--target" => o.target = value("--target")?,
            "--runs" => o.runs = parse_count(&value("--runs")?)?,
            "--seed" => o.seed = parse_count(&value("--seed")?)?,
            "--max-pieces" => o.max_pieces = parse_count(&value("--max-pieces")?)? as usize,
            "--text" => o.text = Some(value("--text")?),
            "--idempotence" => o.idempotence = true,
            "-h" | "--help" => {
                return Err(
                    "usage: alam-fuzz [--target all|normalize|extract|pieces|jsonl|csv] \
                     [--runs N] [--seed S] [--max-pieces N] [--idempotence] [--text TEXT]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    const TARGETS: &[&str] = &["all", "normalize", "extract", "pieces", "jsonl", "csv"];
    if !TARGETS.contains(&o.target.as_str()) {
        return Err(format!(
            "unknown target {:?} (expected {TARGETS:?})",
            o.target
        ));
    }
    if o.seed == 0 {
        return Err("--seed must not be 0 (xorshift stays at 0)".into());
    }
    Ok(o)
}

/// `1000000`, `1_000_000` or `1e6`.
fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.replace('_', "");
    if let Some((m, e)) = t.split_once('e') {
        let m: u64 = m.parse().map_err(|_| format!("not a count: {s:?}"))?;
        let e: u32 = e.parse().map_err(|_| format!("not a count: {s:?}"))?;
        return Ok(m * 10u64.pow(e));
    }
    t.parse().map_err(|_| format!("not a count: {s:?}"))
}

/// What a target found wrong on one input.
type Finding = String;

fn check_normalize(text: &str, idempotence: bool) -> Result<(), Finding> {
    let n = alam::normalize(text);
    let out = n.as_str();
    if std::str::from_utf8(out.as_bytes()).is_err() {
        return Err("normalize produced invalid UTF-8".into());
    }
    let bounds: Vec<usize> = (0..=out.len())
        .filter(|&i| out.is_char_boundary(i))
        .collect();
    for w in bounds.windows(2) {
        for &end in &bounds[bounds.iter().position(|&b| b == w[1]).unwrap_or(0)..] {
            let r = n.original_range(w[0]..end);
            if r.start > r.end
                || r.end > text.len()
                || !text.is_char_boundary(r.start)
                || !text.is_char_boundary(r.end)
            {
                return Err(format!(
                    "original_range({}..{end}) = {r:?} is not on char boundaries of the input",
                    w[0]
                ));
            }
            // One range per start is enough beyond short outputs.
            if bounds.len() > 24 {
                break;
            }
        }
    }
    if idempotence && alam::normalize_str(out) != out {
        return Err(format!(
            "not idempotent: once {out:?}, twice {:?}",
            alam::normalize_str(out)
        ));
    }
    Ok(())
}

/// Mentions checked, for the summary line (a fuzzer that finds no mention
/// would check nothing).
static MENTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn check_mentions(text: &str, mentions: &[alam::Mention]) -> Result<(), Finding> {
    MENTIONS.fetch_add(mentions.len() as u64, std::sync::atomic::Ordering::Relaxed);
    for m in mentions {
        let (bs, be) = (m.byte_start, m.byte_end);
        if bs > be || be > text.len() || !text.is_char_boundary(bs) || !text.is_char_boundary(be) {
            return Err(format!(
                "{} at bytes {bs}..{be}: not on char boundaries",
                m.entity_id
            ));
        }
        if text[bs..be] != m.surface {
            return Err(format!(
                "{}: text[{bs}..{be}] = {:?} but surface {:?}",
                m.entity_id,
                &text[bs..be],
                m.surface
            ));
        }
        let start = text[..bs].chars().count();
        let end = start + m.surface.chars().count();
        if (m.start, m.end) != (start, end) {
            return Err(format!(
                "{}: chars {}..{} but the bytes {bs}..{be} are chars {start}..{end}",
                m.entity_id, m.start, m.end
            ));
        }
        if !text[..bs].ends_with(m.prefix.as_str()) {
            return Err(format!(
                "{}: prefix {:?} is not the text before the surface",
                m.entity_id, m.prefix
            ));
        }
    }
    Ok(())
}

fn check_extract(pipelines: &[Pipeline], text: &str) -> Result<(), Finding> {
    for p in pipelines {
        let doc = Document::new("d", text);
        check_mentions(text, &p.extract(&doc))?;
    }
    Ok(())
}

fn check_pieces(pipelines: &[Pipeline], text: &str) -> Result<(), Finding> {
    let doc = Document::new("d", text);
    for p in pipelines {
        let whole = p.analyze_in_pieces(&doc, usize::MAX);
        check_mentions(text, &whole.mentions)?;
        for piece in [1, 7, 40] {
            let parts = p.analyze_in_pieces(&doc, piece);
            if parts != whole {
                let show = |a: &alam::Analysis| -> Vec<String> {
                    a.mentions
                        .iter()
                        .map(|m| {
                            format!(
                                "{}@{}..{}={}",
                                m.surface, m.byte_start, m.byte_end, m.entity_id
                            )
                        })
                        .collect()
                };
                return Err(format!(
                    "pieces of {piece} bytes differ from one pass: {:?} vs {:?} (sentences {} vs {})",
                    show(&parts),
                    show(&whole),
                    parts.sentences,
                    whole.sentences
                ));
            }
        }
    }
    Ok(())
}

/// A shorter text on which `fails` still holds: removes runs of chars,
/// halving their length down to one char, while the failure stays.
fn minimize(text: &str, fails: impl Fn(&str) -> bool) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut size = chars.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < chars.len() {
            let end = (i + size).min(chars.len());
            let candidate: String = chars[..i].iter().chain(&chars[end..]).collect();
            if fails(&candidate) {
                chars.drain(i..end);
            } else {
                i += size;
            }
        }
        if size == 1 {
            break;
        }
        size = size.div_ceil(2);
    }
    chars.into_iter().collect()
}

/// JSON string literal of `s` (serde_json's escaping).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A CSV field, always quoted.
fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Reads `path` with the default options: every record, or what went
/// wrong (a panic is caught by the caller).
fn read_records(path: &Path) -> Vec<alam::InputRecord> {
    let inputs = Inputs::new(&[path.display().to_string()], InputOptions::default());
    inputs.map(|r| r.into_record()).collect()
}

fn check_reader(
    rng: &mut Rng,
    alphabet: &Alphabet,
    dir: &Path,
    csv: bool,
    max: usize,
) -> Result<(), (Finding, Vec<u8>)> {
    let n = 1 + rng.below(4);
    let docs: Vec<(String, String)> = (0..n)
        .map(|i| {
            let mut text = alphabet.text(rng, max);
            // The readers leave leading and trailing blanks alone, but a
            // text of blanks alone is an empty document: keep a letter.
            text.push('x');
            (format!("r{i}"), text)
        })
        .collect();
    let mut bytes = Vec::new();
    if csv {
        bytes.extend_from_slice(b"id,text\n");
        for (id, text) in &docs {
            bytes.extend_from_slice(format!("{id},{}\n", csv_field(text)).as_bytes());
        }
    } else {
        for (id, text) in &docs {
            let line = format!(
                "{{\"id\":{},\"text\":{}}}\n",
                json_string(id),
                json_string(text)
            );
            bytes.extend_from_slice(line.as_bytes());
        }
    }
    let mutated = rng.chance(60);
    if mutated {
        for _ in 0..1 + rng.below(3) {
            mutate_bytes(rng, &mut bytes);
        }
    }
    let path: PathBuf = dir.join(if csv { "in.csv" } else { "in.jsonl" });
    std::fs::write(&path, &bytes)
        .map_err(|e| (format!("writing {}: {e}", path.display()), bytes.clone()))?;
    let records = read_records(&path);
    for r in &records {
        if r.status == alam::Status::Error && r.message.is_empty() {
            return Err(("an error record without a message".into(), bytes));
        }
    }
    if !mutated {
        let got: Vec<(String, String)> = records
            .iter()
            .map(|r| (r.document.id.clone(), r.document.text.clone()))
            .collect();
        if got != docs {
            return Err((format!("read back {got:?}, wrote {docs:?}"), bytes));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("alam-fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let gaz = Gazetteer::builtin();
    let pipelines = match (
        Pipeline::new(&gaz),
        Pipeline::builder(&gaz).discovery(Discovery::On).build(),
    ) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("alam-fuzz: {e}");
            return ExitCode::from(1);
        }
    };
    // The readers' files go to memory when it can (/dev/shm is 50 times
    // faster than an overlay /tmp here).
    let base = match Path::new("/dev/shm").is_dir() {
        true => PathBuf::from("/dev/shm"),
        false => std::env::temp_dir(),
    };
    let dir = base.join(format!("alam-fuzz-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("alam-fuzz: {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    if let Some(text) = &o.text {
        // One given text through one target (normalize, extract or
        // pieces), to reproduce or minimize a finding.
        let result = match o.target.as_str() {
            "normalize" => check_normalize(text, o.idempotence),
            "extract" => check_extract(&pipelines, text),
            "pieces" => check_pieces(&pipelines, text),
            t => Err(format!(
                "--text needs --target normalize, extract or pieces, not {t}"
            )),
        };
        let _ = std::fs::remove_dir_all(&dir);
        return match result {
            Ok(()) => {
                println!("ok");
                ExitCode::SUCCESS
            }
            Err(f) => {
                println!("{f}");
                let check = |t: &str| match o.target.as_str() {
                    "normalize" => check_normalize(t, o.idempotence).is_err(),
                    "extract" => check_extract(&pipelines, t).is_err(),
                    _ => check_pieces(&pipelines, t).is_err(),
                };
                let small = minimize(text, check);
                println!("minimized: {small:?}");
                if let Err(f) = match o.target.as_str() {
                    "normalize" => check_normalize(&small, o.idempotence),
                    "extract" => check_extract(&pipelines, &small),
                    _ => check_pieces(&pipelines, &small),
                } {
                    println!("{f}");
                }
                ExitCode::from(1)
            }
        };
    }
    // Failures are reported, not panics: a panic in alam is a finding.
    std::panic::set_hook(Box::new(|_| {}));
    let alphabet = Alphabet::new();
    let mut rng = Rng(o.seed);
    let targets: Vec<&str> = match o.target.as_str() {
        "all" => vec![
            "normalize",
            "normalize",
            "normalize",
            "extract",
            "extract",
            "pieces",
            "jsonl",
            "csv",
        ],
        t => vec![t],
    };
    let mut counts = vec![0u64; targets.len()];
    let mut previous = String::new();
    let started = Instant::now();
    let mut status = ExitCode::SUCCESS;
    for run in 0..o.runs {
        let k = (run % targets.len() as u64) as usize;
        let target = targets[k];
        counts[k] += 1;
        // Half the texts are fresh, half mutate the previous one.
        let text = if previous.is_empty() || rng.chance(50) {
            alphabet.text(&mut rng, o.max_pieces)
        } else {
            mutate(&mut rng, &alphabet, &previous)
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
            "normalize" => {
                check_normalize(&text, o.idempotence).map_err(|f| (f, text.clone().into_bytes()))
            }
            "extract" => {
                check_extract(&pipelines, &text).map_err(|f| (f, text.clone().into_bytes()))
            }
            "pieces" => check_pieces(&pipelines, &text).map_err(|f| (f, text.clone().into_bytes())),
            "jsonl" => check_reader(&mut rng, &alphabet, &dir, false, o.max_pieces / 4),
            _ => check_reader(&mut rng, &alphabet, &dir, true, o.max_pieces / 4),
        }));
        let failure = match result {
            Ok(Ok(())) => None,
            Ok(Err(f)) => Some(f),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Some((format!("panic: {what}"), text.clone().into_bytes()))
            }
        };
        if let Some((finding, input)) = failure {
            eprintln!(
                "alam-fuzz: {target}, execution {run} (seed {}): {finding}",
                o.seed
            );
            match std::str::from_utf8(&input) {
                Ok(s) => eprintln!("input: {s:?}"),
                Err(_) => eprintln!("input (bytes): {input:?}"),
            }
            status = ExitCode::from(1);
            break;
        }
        previous = text;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let total: u64 = counts.iter().sum();
    let mut per: Vec<(String, u64)> = Vec::new();
    for (t, c) in targets.iter().zip(&counts) {
        match per.iter_mut().find(|(n, _)| n == t) {
            Some((_, n)) => *n += c,
            None => per.push((t.to_string(), *c)),
        }
    }
    let per: Vec<String> = per.iter().map(|(t, c)| format!("{t} {c}")).collect();
    println!(
        "{total} executions ({}), {} mentions checked, seed {}, {:.1} s",
        per.join(", "),
        MENTIONS.load(std::sync::atomic::Ordering::Relaxed),
        o.seed,
        started.elapsed().as_secs_f64()
    );
    status
}
