//! JSONL inputs: one document per line, split by the reader thread and
//! parsed by the workers ([`parse_jsonl_line`]).
//!
//! A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files; a raw CR
//! cannot be inside a JSON string). A line longer than
//! [`InputOptions::max_document_bytes`] is an error record and is skipped
//! up to its end, read in pieces, so memory stays bounded.

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use serde_json::value::RawValue;

use super::json_fields;
use super::{
    Field, InputOptions, InputRecord, Raw, RawRecord, Status, assemble, decode, document_record,
    error_record, id_of,
};
use crate::pipeline::Document;

/// Documents of a JSONL stream, one per line.
pub(super) struct JsonlRecords<R> {
    reader: R,
    source: String,
    options: Arc<InputOptions>,
    line: u64,
    /// The last line ended with a CR: a LF right after it is part of it.
    after_cr: bool,
    done: bool,
}

impl<R: BufRead> JsonlRecords<R> {
    /// The records of `reader`, named `source`, whose first line is line
    /// `lines_before + 1`.
    pub(super) fn new(
        reader: R,
        source: String,
        lines_before: u64,
        options: Arc<InputOptions>,
    ) -> Self {
        JsonlRecords {
            reader,
            source,
            options,
            line: lines_before,
            after_cr: false,
            done: false,
        }
    }
}

/// What became of a line being read.
enum Line {
    /// Its bytes, without the line end.
    Bytes(Vec<u8>),
    /// Longer than the limit: skipped.
    TooLong,
    /// The buffer could not grow to this many bytes: skipped.
    OutOfMemory(usize),
}

impl Line {
    /// Adds `piece` to the line, unless it is over `max` bytes.
    fn push(&mut self, piece: &[u8], max: u64) {
        if let Line::Bytes(buf) = self {
            if (buf.len() + piece.len()) as u64 > max {
                *self = Line::TooLong;
            } else if buf.try_reserve(piece.len()).is_err() {
                *self = Line::OutOfMemory(buf.len() + piece.len());
            } else {
                buf.extend_from_slice(piece);
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonlRecords<R> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        if self.done {
            return None;
        }
        let max = self.options.max_document_bytes;
        let mut line = Line::Bytes(Vec::new());
        // Whether anything (a byte or a line end) was read for this line.
        let mut seen = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    let position = format!("{}:{}", self.source, self.line + 1);
                    let record = error_record(&position, &position, &e.to_string());
                    return Some(RawRecord::from(record));
                }
            };
            if chunk.is_empty() {
                self.done = true;
                if !seen {
                    return None;
                }
                break;
            }
            let skip = usize::from(std::mem::take(&mut self.after_cr) && chunk[0] == b'\n');
            let rest = &chunk[skip..];
            match memchr::memchr2(b'\n', b'\r', rest) {
                Some(end) => {
                    line.push(&rest[..end], max);
                    self.after_cr = rest[end] == b'\r';
                    self.reader.consume(skip + end + 1);
                    break;
                }
                None => {
                    seen |= !rest.is_empty();
                    line.push(rest, max);
                    let used = skip + rest.len();
                    self.reader.consume(used);
                }
            }
        }
        self.line += 1;
        let position = format!("{}:{}", self.source, self.line);
        let reason = match line {
            Line::Bytes(bytes) => {
                return Some(RawRecord(Raw::JsonLine {
                    bytes,
                    position,
                    options: self.options.clone(),
                }));
            }
            Line::TooLong => {
                let names = &self.options.names;
                let hint = names.hint(&names.max_document_bytes);
                format!("line of more than {max} bytes{hint}; skipped")
            }
            Line::OutOfMemory(n) => format!("out of memory reading a line of {n} bytes; skipped"),
        };
        Some(RawRecord::from(error_record(&position, &position, &reason)))
    }
}

/// Deserializes a JSON value, keeping the fields named (in that order) of
/// an object and skipping the rest; `None` when the value is not an
/// object.
struct WantedFields<'a>(&'a [&'a str]);

impl<'de> serde::de::DeserializeSeed<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<Field>>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A field's value from its JSON text: strings decoded, other values kept
/// as written (so `123456789012345678901234` and `1.50` stay what they
/// are).
fn field_of(raw: &RawValue) -> Result<Field, String> {
    let json = raw.get();
    let kind = match json.as_bytes().first() {
        Some(b'"') => {
            return serde_json::from_str::<String>(json)
                .map(Field::Text)
                .map_err(|e| {
                    // The position is the line's, added by the caller.
                    let e = e.to_string();
                    match e.rsplit_once(" at line ") {
                        Some((reason, _)) => reason.to_string(),
                        None => e,
                    }
                });
        }
        Some(b'n') => return Ok(Field::Null),
        Some(b't' | b'f') => "a boolean",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    };
    Ok(Field::Json {
        kind,
        raw: json.to_string(),
    })
}

impl<'de> serde::de::Visitor<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<Field>>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = vec![None; self.0.len()];
        while let Some(key) = map.next_key::<String>()? {
            match self.0.iter().position(|n| *n == key) {
                Some(i) => {
                    let raw = map.next_value::<&'de RawValue>()?;
                    let field = field_of(raw).map_err(serde::de::Error::custom)?;
                    found[i] = Some(field);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Some(found))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Decodes a JSONL line like [`decode`], borrowing it when it is valid
/// UTF-8 (checked with SIMD: std's check was 5% of a run on Arabic news).
fn decode_line(bytes: &[u8]) -> (Cow<'_, str>, Option<usize>) {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s.strip_prefix('\u{FEFF}').unwrap_or(s)), None),
        Err(_) => {
            let (s, bad) = decode(bytes.to_vec());
            (Cow::Owned(s), bad)
        }
    }
}

/// Parses one JSONL line into a record.
pub(super) fn parse_jsonl_line(
    bytes: Vec<u8>,
    position: String,
    options: &InputOptions,
) -> InputRecord {
    parse_jsonl_line_with(bytes, position, options, true)
}

/// [`parse_jsonl_line`], with or without the fast path for lines of
/// string values (tests compare the two).
fn parse_jsonl_line_with(
    bytes: Vec<u8>,
    position: String,
    options: &InputOptions,
    fast_path: bool,
) -> InputRecord {
    let (line, bad) = decode_line(&bytes);
    let mut notes: Vec<String> = bad
        .map(|at| format!("invalid UTF-8 at byte {at} of the line, replaced with U+FFFD"))
        .into_iter()
        .collect();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return InputRecord {
            document: Document::new(position.clone(), ""),
            source: position.clone(),
            status: Status::Warning,
            message: format!("{position}: empty line"),
        };
    }
    // Only the fields asked for are decoded, the rest skipped: by the
    // fast path when every value is a string, else by serde.
    let mut names: Vec<&str> = vec![options.id_field.as_str()];
    names.extend(options.text_fields.iter().map(String::as_str));
    names.extend(options.date_field.as_deref());
    let strings = if fast_path {
        json_fields::string_fields(trimmed, &names)
    } else {
        None
    };
    let mut found: Vec<Option<Field>> = match strings {
        Some(found) => found
            .into_iter()
            .map(|v| v.map(|s| Field::Text(s.into_owned())))
            .collect(),
        None => {
            let mut de = serde_json::Deserializer::from_str(trimmed);
            match serde::de::DeserializeSeed::deserialize(WantedFields(&names), &mut de)
                .and_then(|found| de.end().map(|()| found))
            {
                Ok(Some(found)) => found,
                Ok(None) => {
                    return error_record(&position, &position, "a JSON object was expected");
                }
                Err(e) => {
                    return error_record(&position, &position, &format!("malformed JSON: {e}"));
                }
            }
        }
    };
    // The id is small and may be needed twice; a text field is moved out
    // unless it is asked for twice.
    let id = found[0].clone();
    let get = |f: &str| {
        if f == options.id_field {
            return id.clone();
        }
        let i = names.iter().position(|n| *n == f)?;
        let uses = options.text_fields.iter().filter(|t| *t == f).count()
            + usize::from(options.date_field.as_deref() == Some(f));
        if uses > 1 {
            found[i].clone()
        } else {
            found[i].take()
        }
    };
    match assemble(get, options, &position, &mut notes) {
        Ok((id, text, date)) => document_record(id, text, date, position, notes),
        Err(reason) => error_record(&id_of(id.as_ref(), &position), &position, &reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of JSONL lines: mostly well-formed objects of strings, with
    /// escapes, other kinds of values, and breakage.
    const JSON_PIECES: &[&str] = &[
        "{",
        "}",
        "{",
        "}",
        ":",
        ":",
        ",",
        ",",
        " ",
        "\t",
        "\r",
        "\"id\"",
        "\"text\"",
        "\"title\"",
        "\"te\\u0078t\"",
        "\"x\"",
        "\"روسيا\"",
        "\"a b\"",
        "\"\"",
        "\"و\\\"ر\"",
        "\"\\n\\t\\\\\\/\\b\\f\\r\"",
        "\"\\u0628\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\q\"",
        "\"\\u12\"",
        "\"a\u{1}b\"",
        "\"\u{7f}\"",
        "1",
        "-2.5e3",
        "01",
        "null",
        "true",
        "[1, \"a\"]",
        "{\"a\": 1}",
        "\"unterminated",
        "\u{a0}",
        "123456789012345678901234",
        "1.50",
        "-0",
        "1.5e300",
        "false",
        "[\"بوتين\", 1.0]",
        "{\"a\": [null, {\"b\": \"\\ud800\"}]}",
        "\"\\ud800\"",
    ];

    fn json_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pair = (
            prop::sample::select(
                &["\"id\"", "\"text\"", "\"title\"", "\"x\"", "\"te\\u0078t\""][..],
            ),
            prop::sample::select(JSON_PIECES),
        )
            .prop_map(|(k, v)| format!("{k}: {v}"));
        prop_oneof![
            // Objects, mostly well-formed.
            prop::collection::vec(pair, 0..5).prop_map(|kv| format!("{{{}}}", kv.join(", "))),
            // Anything.
            prop::collection::vec(prop::sample::select(JSON_PIECES), 0..12)
                .prop_map(|v| v.concat()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The fast path for objects of strings reads every line as serde
        /// does, or leaves it to serde.
        #[test]
        fn fast_path_reads_lines_as_serde_does(
            line in json_line(),
            title in proptest::bool::ANY,
        ) {
            let mut options = InputOptions::default();
            if title {
                options.text_fields = vec!["title".into(), "text".into()];
            }
            let fast = parse_jsonl_line_with(line.clone().into_bytes(), "f:1".into(), &options, true);
            let serde = parse_jsonl_line_with(line.clone().into_bytes(), "f:1".into(), &options, false);
            proptest::prop_assert_eq!(fast, serde, "{}", line);
        }
    }

    fn jsonl(data: &str, options: InputOptions) -> Vec<InputRecord> {
        JsonlRecords::new(data.as_bytes(), "f.jsonl".to_string(), 0, Arc::new(options))
            .map(RawRecord::into_record)
            .collect()
    }

    /// The lines of `data` as the reader splits them, read in chunks of
    /// `chunk` bytes, with a limit of `max` bytes: each as its position
    /// and its bytes, or its error message.
    fn lines(data: &[u8], chunk: usize, max: u64) -> Vec<(String, Result<String, String>)> {
        let options = InputOptions {
            max_document_bytes: max,
            ..InputOptions::default()
        };
        let reader = std::io::BufReader::with_capacity(chunk, data);
        JsonlRecords::new(reader, "f".to_string(), 0, Arc::new(options))
            .map(|raw| match raw {
                RawRecord(Raw::JsonLine {
                    bytes, position, ..
                }) => (position, Ok(String::from_utf8(bytes).unwrap())),
                RawRecord(Raw::Ready(r)) => (r.source, Err(r.message)),
            })
            .collect()
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr_and_long_ones_are_skipped() {
        let ok = |p: &str, s: &str| (p.to_string(), Ok(s.to_string()));
        let long = |p: &str| {
            (
                p.to_string(),
                Err(format!("{p}: line of more than 4 bytes; skipped")),
            )
        };
        // (input, limit, lines)
        let cases = [
            ("a\nb\n", 9, vec![ok("f:1", "a"), ok("f:2", "b")]),
            (
                "a\rb\rc",
                9,
                vec![ok("f:1", "a"), ok("f:2", "b"), ok("f:3", "c")],
            ),
            ("a\r\nb\r\n", 9, vec![ok("f:1", "a"), ok("f:2", "b")]),
            (
                "a\r\rb\n\n",
                9,
                vec![ok("f:1", "a"), ok("f:2", ""), ok("f:3", "b"), ok("f:4", "")],
            ),
            ("", 9, vec![]),
            ("\r\n", 9, vec![ok("f:1", "")]),
            (
                "abcd\nabcde\r\nxy",
                4,
                vec![ok("f:1", "abcd"), long("f:2"), ok("f:3", "xy")],
            ),
            ("abcdefghij", 4, vec![long("f:1")]),
        ];
        for (data, max, want) in cases {
            for chunk in [1, 2, 3, 7, 64] {
                assert_eq!(
                    lines(data.as_bytes(), chunk, max),
                    want,
                    "{data:?} in chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn fields_that_are_not_strings() {
        let options = InputOptions {
            text_fields: vec!["title".into(), "text".into()],
            ..InputOptions::default()
        };
        // (line, id, status, text, message)
        let cases = [
            (
                r#"{"id": 123456789012345678901234, "text": "a"}"#,
                "123456789012345678901234",
                Status::Warning,
                "a",
                "f:1: missing field title",
            ),
            (
                r#"{"id": 1.50, "title": "t", "text": "a"}"#,
                "1.50",
                Status::Ok,
                "t\n\na",
                "",
            ),
            (
                r#"{"id": -0, "title": "t", "text": "a"}"#,
                "-0",
                Status::Ok,
                "t\n\na",
                "",
            ),
            (
                r#"{"id": null, "title": "t", "text": "a"}"#,
                "f:1",
                Status::Ok,
                "t\n\na",
                "",
            ),
            (
                r#"{"id": "", "title": "t", "text": "a"}"#,
                "f:1",
                Status::Ok,
                "t\n\na",
                "",
            ),
            (
                r#"{"id": "a", "title": null, "text": [ "بوتين", 1 ]}"#,
                "a",
                Status::Warning,
                r#"[ "بوتين", 1 ]"#,
                "f:1: text field \"text\" is an array; its JSON was used as the text; text field \"title\" is null",
            ),
            (
                r#"{"id": "a", "title": true, "text": {"x": 1}}"#,
                "a",
                Status::Warning,
                "true\n\n{\"x\": 1}",
                "f:1: text field \"title\" is a boolean; its JSON was used as the text; text field \"text\" is an object; its JSON was used as the text",
            ),
            (
                r#"{"id": "a", "title": null, "text": null}"#,
                "a",
                Status::Error,
                "",
                "f:1: text field \"title\" is null; text field \"text\" is null",
            ),
            (
                r#"{"id": 7, "title": null}"#,
                "7",
                Status::Error,
                "",
                "f:1: text field \"title\" is null; missing text field (text)",
            ),
        ];
        for (line, id, status, text, message) in cases {
            for fast in [true, false] {
                let r =
                    parse_jsonl_line_with(line.as_bytes().to_vec(), "f:1".into(), &options, fast);
                assert_eq!(
                    (
                        r.document.id.as_str(),
                        r.status,
                        r.document.text.as_str(),
                        r.message.as_str()
                    ),
                    (id, status, text, message),
                    "{line}"
                );
            }
        }
    }

    #[test]
    fn jsonl_lines_are_all_accounted_for() {
        let data = "{\"id\":\"a\",\"text\":\"بوتين\"}\n\n{broken\n{\"text\":\"\"}\n{\"id\":7,\"title\":\"x\"}\n[1]\n";
        let recs = jsonl(data, InputOptions::default());
        let rows: Vec<(&str, Status, &str)> = recs
            .iter()
            .map(|r| (r.document.id.as_str(), r.status, r.message.as_str()))
            .collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], ("a", Status::Ok, ""));
        assert_eq!(
            rows[1],
            ("f.jsonl:2", Status::Warning, "f.jsonl:2: empty line")
        );
        assert_eq!(rows[2].0, "f.jsonl:3");
        assert_eq!(rows[2].1, Status::Error);
        assert!(
            rows[2].2.starts_with("f.jsonl:3: malformed JSON: "),
            "{}",
            rows[2].2
        );
        assert_eq!(
            rows[3],
            ("f.jsonl:4", Status::Warning, "f.jsonl:4: empty document")
        );
        assert_eq!(
            rows[4],
            ("7", Status::Error, "f.jsonl:5: missing text field (text)")
        );
        assert_eq!(
            rows[5],
            (
                "f.jsonl:6",
                Status::Error,
                "f.jsonl:6: a JSON object was expected"
            )
        );
    }

    #[test]
    fn jsonl_text_fields_are_joined() {
        let options = InputOptions {
            text_fields: vec!["title".into(), "text".into()],
            ..InputOptions::default()
        };
        let recs = jsonl(
            "{\"id\":\"a\",\"title\":\"T\",\"text\":\"B\"}\n{\"id\":\"b\",\"text\":\"B\"}\n",
            options,
        );
        assert_eq!(recs[0].document.text, "T\n\nB");
        assert_eq!(recs[0].status, Status::Ok);
        assert_eq!(recs[1].document.text, "B");
        assert_eq!(recs[1].message, "f.jsonl:2: missing field title");
    }

    #[test]
    fn jsonl_invalid_utf8_is_a_warning() {
        let mut data = b"{\"id\":\"a\",\"text\":\"x".to_vec();
        data.push(0xff);
        data.extend_from_slice(b"\"}\n");
        let recs: Vec<InputRecord> = JsonlRecords::new(
            &data[..],
            "f".to_string(),
            0,
            Arc::new(InputOptions::default()),
        )
        .map(RawRecord::into_record)
        .collect();
        assert_eq!(recs[0].status, Status::Warning);
        assert_eq!(recs[0].document.text, "x\u{FFFD}");
        assert!(
            recs[0].message.contains("invalid UTF-8 at byte 19"),
            "{}",
            recs[0].message
        );
    }
}
