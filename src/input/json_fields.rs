//! The common JSONL line, read without serde: an object whose values are
//! all strings (`{"id": "...", "title": "...", "text": "..."}`).
//!
//! Strings are scanned 32 bytes at a time for the quote, the backslash and
//! control characters (with AVX2 where the CPU has it), and borrowed from
//! the line unless they hold escapes. Anything else (another kind of value,
//! a syntax error, a control character in a string, a `\u` escape of a
//! surrogate) gives `None`, and the line goes to `serde_json`, which reads
//! every JSON and reports errors: so this path only ever answers where
//! `serde_json` would give the same answer (a test compares the two on
//! random lines).

use std::borrow::Cow;

/// The values of the fields `names` (in that order) of the JSON object
/// `line`, when every value of the object is a string: a name given twice
/// gets its value at its first place, a key given twice its last value, as
/// the serde path does. `None` when the line is anything else.
pub(super) fn string_fields<'a>(
    line: &'a str,
    names: &[&str],
) -> Option<Vec<Option<Cow<'a, str>>>> {
    let bytes = line.as_bytes();
    let mut found = vec![None; names.len()];
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(bytes, i + 1);
    if bytes.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if bytes.get(i) != Some(&b'"') {
                return None;
            }
            let (key, next) = string(line, i + 1)?;
            i = skip_ws(bytes, next);
            if bytes.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(bytes, i + 1);
            if bytes.get(i) != Some(&b'"') {
                return None;
            }
            let (value, next) = string(line, i + 1)?;
            if let Some(k) = names.iter().position(|n| *n == key) {
                found[k] = Some(value);
            }
            i = skip_ws(bytes, next);
            match bytes.get(i) {
                Some(b',') => i = skip_ws(bytes, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(bytes, i) == bytes.len()).then_some(found)
}

/// The first position at or after `at` that is not JSON white space.
fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// The string that starts after the quote at `start - 1`, and the position
/// after its closing quote; `None` for what only serde should read.
fn string(line: &str, start: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = line.as_bytes();
    let mut at = special(bytes, start);
    if bytes.get(at) == Some(&b'"') {
        return Some((Cow::Borrowed(&line[start..at]), at + 1));
    }
    let mut out = String::new();
    let mut from = start;
    loop {
        match bytes.get(at)? {
            b'"' => {
                out.push_str(&line[from..at]);
                return Some((Cow::Owned(out), at + 1));
            }
            b'\\' => {
                out.push_str(&line[from..at]);
                let (c, len) = escape(&bytes[at + 1..])?;
                out.push(c);
                from = at + 1 + len;
            }
            // A control character: serde reports it.
            _ => return None,
        }
        at = special(bytes, from);
    }
}

/// The character an escape stands for (the bytes after the backslash) and
/// the length of the escape after the backslash.
fn escape(after: &[u8]) -> Option<(char, usize)> {
    let c = match after.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hex = after.get(1..5)?;
            let code = hex
                .iter()
                .try_fold(0u32, |n, &h| Some(n * 16 + char::from(h).to_digit(16)?))?;
            // Surrogates (pairs or lone ones) are left to serde.
            return char::from_u32(code).map(|c| (c, 5));
        }
        _ => return None,
    };
    Some((c, 1))
}

/// The first position at or after `at` of a quote, a backslash or a
/// control character (U+0000–U+001F), or the length of `bytes`.
fn special(bytes: &[u8], at: usize) -> usize {
    crate::simd::json_special(bytes, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_at_every_place() {
        for len in [0, 1, 31, 32, 33, 64, 70] {
            for at in 0..len {
                for b in [b'"', b'\\', 0, 0x1F] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert_eq!(special(&bytes, 0), at, "{b:#x} at {at} of {len}");
                    assert_eq!(special(&bytes, at), at);
                    assert_eq!(special(&bytes, at + 1), len);
                }
            }
            assert_eq!(special(&vec![0x20; len], 0), len);
            assert_eq!(special(&vec![0xD8; len], 0), len);
        }
    }

    #[test]
    fn fields_of_plain_lines() {
        let names = ["id", "text", "title"];
        let got = string_fields(
            r#" {"id": "a1", "x": "y", "text" :"و\"ر\\\n\u0628\/" , "text": "last"} "#,
            &names,
        )
        .unwrap();
        assert_eq!(got[0].as_deref(), Some("a1"));
        assert_eq!(got[1].as_deref(), Some("last"));
        assert_eq!(got[2], None);
        let got = string_fields(r#"{"te\u0078t": "و\"ر\\\n\u0628\/"}"#, &names).unwrap();
        assert_eq!(got[1].as_deref(), Some("و\"ر\\\nب/"));
        assert_eq!(string_fields("{}", &names).unwrap(), vec![None, None, None]);
        for other in [
            r#"{"id": 1}"#,
            r#"{"id": null}"#,
            r#"{"id": "a",}"#,
            r#"{"id": "a"} x"#,
            r#"{"id": "a" "text": "b"}"#,
            r#"{"id": "\q"}"#,
            r#"{"id": "\ud83d\ude00"}"#,
            "{\"id\": \"a\u{1}\"}",
            r#"["id"]"#,
            r#"{"id": "a""#,
        ] {
            assert_eq!(string_fields(other, &names), None, "{other}");
        }
    }
}
