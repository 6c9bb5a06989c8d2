//! JSON text written by hand for the outputs whose size grows with the
//! corpus: the lines of `mentions.jsonl`, the pairs of `cooccurrence.json`
//! and the entities of `entities.json`. The bytes are exactly what `serde_json` writes for
//! the same records (`to_writer` for a line, `to_writer_pretty` for the
//! array); the tests compare the two on tables and on random records.
//! `serde_json` spent most of its time on escaping strings a byte at a
//! time and on its formatter's calls; here strings are scanned 32 bytes
//! at a time (AVX2, else eight) and the layout is fixed.
//!
//! Escaping, as `serde_json` does it: `"` and `\` get a backslash; the
//! control characters U+0000–U+001F are `\b`, `\t`, `\n`, `\f`, `\r` or
//! `\u00XX` (lowercase hex); everything else, DEL and non-ASCII included,
//! is written as it is.

use std::collections::BTreeMap;

use crate::cooccur::Example;
use crate::{Document, Mention};

/// The escape of byte `b`, if it has one.
#[inline]
fn escape_of(b: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    static UNICODE: [[u8; 6]; 32] = {
        let mut table = [[0u8; 6]; 32];
        let mut i = 0;
        while i < 32 {
            table[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 0xf]];
            i += 1;
        }
        table
    };
    match b {
        b'"' => Some(b"\\\""),
        b'\\' => Some(b"\\\\"),
        0x08 => Some(b"\\b"),
        b'\t' => Some(b"\\t"),
        b'\n' => Some(b"\\n"),
        0x0c => Some(b"\\f"),
        b'\r' => Some(b"\\r"),
        0..0x20 => Some(&UNICODE[b as usize]),
        _ => None,
    }
}

/// Appends `s` as a JSON string (quotes included).
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[done..]` is not written yet; the runs between special bytes
    // are copied whole ([`crate::simd::json_special`]).
    let mut done = 0;
    loop {
        let at = crate::simd::json_special(bytes, done);
        out.extend_from_slice(&bytes[done..at]);
        let Some(escape) = bytes.get(at).and_then(|&b| escape_of(b)) else {
            break;
        };
        out.extend_from_slice(escape);
        done = at + 1;
    }
    out.push(b'"');
}

/// The fields of an element of `entities.json` (see `super::json`).
pub(crate) struct EntityText<'a> {
    pub entity_id: &'a str,
    pub entity_type: &'a str,
    pub name: &'a str,
    pub name_ar: &'a str,
    pub mentions: u64,
    pub documents: u64,
    pub windows: u64,
    pub source: &'a str,
}

/// Appends an element of `entities.json` at its place in the array (its
/// lines indented by one level): what `serde_json::to_writer_pretty`
/// writes for the record, `attributes` (column, value) last, as an object.
pub(crate) fn push_entity<'a>(
    out: &mut Vec<u8>,
    e: &EntityText<'_>,
    attributes: impl Iterator<Item = (&'a str, &'a str)>,
) {
    const L: usize = 2;
    out.push(b'{');
    pretty_strings(
        out,
        L,
        [
            ("entity_id", e.entity_id),
            ("type", e.entity_type),
            ("name", e.name),
            ("name_ar", e.name_ar),
        ],
    );
    for (key, n) in [
        ("mentions", e.mentions),
        ("documents", e.documents),
        ("windows", e.windows),
    ] {
        pretty_key(out, L, key, false);
        push_u64(out, n);
    }
    pretty_key(out, L, "source", false);
    push_str(out, e.source);
    pretty_key(out, L, "attributes", false);
    pretty_object(out, L, attributes, push_str);
    newline(out, L - 1);
    out.push(b'}');
}

/// Appends `n` in decimal.
fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `"key":` (compact) for a key that needs no escape.
fn push_key(out: &mut Vec<u8>, key: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Appends the `mentions.jsonl` line of `doc` without its line end:
/// `serde_json::to_writer` of `{"doc_id", "mentions": [...]}` (see
/// `super::json`), in parts. `*next` is the index of the first mention not
/// written yet, `0` on the first call (which writes the line's start too):
/// a call writes at least one mention and goes on while `out` holds fewer
/// than `limit` bytes, and returns whether the line is complete; if not,
/// the caller empties `out` and calls again.
pub(crate) fn push_mentions_line(
    out: &mut Vec<u8>,
    doc: &Document,
    mentions: &[Mention],
    next: &mut usize,
    limit: usize,
) -> bool {
    if *next == 0 {
        out.extend_from_slice(b"{\"doc_id\":");
        push_str(out, &doc.id);
        out.extend_from_slice(b",\"mentions\":[");
    }
    let first = *next;
    while let Some(m) = mentions.get(*next) {
        if *next > first && out.len() >= limit {
            return false;
        }
        if *next > 0 {
            out.push(b',');
        }
        *next += 1;
        out.extend_from_slice(b"{\"entity_id\":");
        push_str(out, &m.entity_id);
        out.extend_from_slice(b",\"type\":");
        push_str(out, &m.entity_type);
        out.extend_from_slice(b",\"name\":");
        push_str(out, &m.name);
        out.extend_from_slice(b",\"surface\":");
        push_str(out, &m.surface);
        let numbers = [
            ("start", m.start),
            ("end", m.end),
            ("byte_start", m.byte_start),
            ("byte_end", m.byte_end),
            ("sentence", m.sentence),
            ("paragraph", m.paragraph),
        ];
        for (key, n) in numbers {
            out.push(b',');
            push_key(out, key);
            push_u64(out, n as u64);
        }
        out.extend_from_slice(b",\"form\":");
        push_str(out, m.form.as_str());
        out.extend_from_slice(if m.ambiguous {
            b",\"ambiguous\":true,\"prefix\":"
        } else {
            b",\"ambiguous\":false,\"prefix\":"
        });
        push_str(out, &m.prefix);
        out.extend_from_slice(b",\"alternatives\":[");
        for (j, a) in m.alternatives.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            push_str(out, a);
        }
        out.push(b']');
        if let Some(rule) = m.rule {
            out.extend_from_slice(b",\"rule\":");
            push_str(out, rule.as_str());
        }
        if let Some(matched) = &m.matched {
            out.extend_from_slice(b",\"matched\":");
            push_str(out, matched);
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    true
}

/// What a `cooccurrence.json` record holds (see `super::json`'s
/// `PairRecord`, the same fields in the same order).
pub(crate) struct PairText<'a> {
    pub source_id: &'a str,
    pub source_name: &'a str,
    pub source_type: &'a str,
    pub target_id: &'a str,
    pub target_name: &'a str,
    pub target_type: &'a str,
    pub windows: u64,
    pub documents: u64,
    /// Already rounded to 6 decimals.
    pub npmi: f64,
    pub relations: &'a BTreeMap<String, u64>,
    pub directed: &'a BTreeMap<String, u64>,
    pub examples: &'a [Example],
}

/// A new line and `level` indents of two spaces: one copy from a line
/// of spaces for the levels the outputs use (a constant length once
/// inlined, so no call to `memcpy`).
#[inline(always)]
fn newline(out: &mut Vec<u8>, level: usize) {
    const LINE: &[u8; 17] = b"\n                ";
    match LINE.get(..1 + 2 * level) {
        Some(line) => out.extend_from_slice(line),
        None => {
            out.push(b'\n');
            for _ in 0..level {
                out.extend_from_slice(b"  ");
            }
        }
    }
}

/// The first fields of a pretty object: `"key": "value"` each on its own
/// line at `level`, the first without a comma before it.
#[inline(always)]
fn pretty_strings<const N: usize>(out: &mut Vec<u8>, level: usize, fields: [(&str, &str); N]) {
    for (k, (key, value)) in fields.into_iter().enumerate() {
        pretty_key(out, level, key, k == 0);
        push_str(out, value);
    }
}

/// Appends `"key": ` (pretty) on a new line at `level`, after a comma
/// unless it is the first of its object.
#[inline(always)]
fn pretty_key(out: &mut Vec<u8>, level: usize, key: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    newline(out, level);
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// Appends a map of counts pretty-printed at `level` (`{}` when empty).
fn pretty_counts(out: &mut Vec<u8>, level: usize, map: &BTreeMap<String, u64>) {
    pretty_object(
        out,
        level,
        map.iter().map(|(k, &n)| (k.as_str(), n)),
        push_u64,
    );
}

/// Appends an object pretty-printed at `level`: each `"key": value` on
/// its own line one level in, the value written by `value`; `{}` when
/// there is no entry.
#[inline(always)]
fn pretty_object<'a, V>(
    out: &mut Vec<u8>,
    level: usize,
    entries: impl Iterator<Item = (&'a str, V)>,
    value: impl Fn(&mut Vec<u8>, V),
) {
    out.push(b'{');
    let mut any = false;
    for (key, v) in entries {
        if any {
            out.push(b',');
        }
        any = true;
        newline(out, level + 1);
        push_str(out, key);
        out.extend_from_slice(b": ");
        value(out, v);
    }
    if any {
        newline(out, level);
    }
    out.push(b'}');
}

/// Appends one record of `cooccurrence.json` as an element of the
/// pretty-printed array: its `{` where the caller is (after the element's
/// indent), its fields at two indents, its `}` at one.
pub(crate) fn push_pair(out: &mut Vec<u8>, p: &PairText<'_>) {
    const L: usize = 2;
    out.push(b'{');
    pretty_strings(
        out,
        L,
        [
            ("source_id", p.source_id),
            ("source_name", p.source_name),
            ("source_type", p.source_type),
            ("target_id", p.target_id),
            ("target_name", p.target_name),
            ("target_type", p.target_type),
        ],
    );
    pretty_key(out, L, "windows", false);
    push_u64(out, p.windows);
    pretty_key(out, L, "documents", false);
    push_u64(out, p.documents);
    pretty_key(out, L, "npmi", false);
    push_f64(out, p.npmi);
    pretty_key(out, L, "relations", false);
    pretty_counts(out, L, p.relations);
    pretty_key(out, L, "directed", false);
    pretty_counts(out, L, p.directed);
    pretty_key(out, L, "examples", false);
    if p.examples.is_empty() {
        out.extend_from_slice(b"[]");
    } else {
        out.push(b'[');
        for (k, e) in p.examples.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            newline(out, L + 1);
            push_example(out, L + 1, e);
        }
        newline(out, L);
        out.push(b']');
    }
    newline(out, L - 1);
    out.push(b'}');
}

/// Appends an example object pretty-printed at `level`.
fn push_example(out: &mut Vec<u8>, level: usize, e: &Example) {
    let inner = level + 1;
    out.push(b'{');
    pretty_key(out, inner, "doc_id", true);
    push_str(out, &e.doc_id);
    pretty_key(out, inner, "text", false);
    push_str(out, &e.text);
    pretty_key(out, inner, "marks", false);
    out.push(b'[');
    for (k, mark) in e.marks.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        newline(out, inner + 1);
        out.push(b'[');
        newline(out, inner + 2);
        push_u64(out, mark.start as u64);
        out.push(b',');
        newline(out, inner + 2);
        push_u64(out, mark.end as u64);
        newline(out, inner + 1);
        out.push(b']');
    }
    newline(out, inner);
    out.push(b']');
    if let Some(t) = &e.trigger {
        pretty_key(out, inner, "trigger", false);
        out.push(b'{');
        pretty_key(out, inner + 1, "kind", true);
        push_str(out, &t.kind);
        pretty_key(out, inner + 1, "text", false);
        push_str(out, &t.text);
        newline(out, inner);
        out.push(b'}');
    }
    newline(out, level);
    out.push(b'}');
}

/// Appends `x` as `serde_json` writes an `f64` (the shortest text that
/// reads back as `x`, `null` when not finite).
fn push_f64(out: &mut Vec<u8>, x: f64) {
    // One call per pair: not worth a formatter of our own.
    if serde_json::to_writer(&mut *out, &x).is_err() {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new line and two spaces a level, from the line of spaces and
    /// beyond it.
    #[test]
    fn newlines_at_every_level() {
        for level in 0..12 {
            let mut out = b"x".to_vec();
            newline(&mut out, level);
            let want = format!("x\n{}", "  ".repeat(level));
            assert_eq!(String::from_utf8_lossy(&out), want, "level {level}");
        }
    }

    /// `push_str` writes what `serde_json` writes, on a table of the
    /// escapes and at every position of an eight-byte word.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let cases = [
            "",
            "plain",
            "روسيا",
            "a\"b",
            "back\\slash",
            "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
            "exactly8",
            "1234567\"",
            "\"1234567",
            "12345678\n",
            "long text with no escape at all, longer than a word",
            "ends with a quote after sixteen bytes\"",
            "é\u{2028}\u{feff}𝄞",
        ];
        for s in cases {
            let mut ours = Vec::new();
            push_str(&mut ours, s);
            let theirs = serde_json::to_vec(s).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
        for pos in 0..20 {
            for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '\u{7f}', 'ر'] {
                let s: String = (0..20)
                    .map(|i| if i == pos { special } else { 'x' })
                    .collect();
                let mut ours = Vec::new();
                push_str(&mut ours, &s);
                assert_eq!(ours, serde_json::to_vec(&s).unwrap_or_default(), "{s:?}");
            }
        }
    }

    proptest::proptest! {
        /// The same on random strings of the characters that matter.
        #[test]
        fn random_strings_are_escaped_as_serde_json_escapes_them(
            s in "[a\"\\\\\\x00-\\x1f\\x7f é ر𝄞]{0,40}"
        ) {
            let mut ours = Vec::new();
            push_str(&mut ours, &s);
            proptest::prop_assert_eq!(ours, serde_json::to_vec(&s).unwrap_or_default());
        }
    }
}
