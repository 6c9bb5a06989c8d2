//! JSONL inputs: one document per line, split by the reader thread and
//! parsed by the workers ([`parse_jsonl_line`]).

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use super::json_fields;
use super::{
    InputOptions, InputRecord, RawRecord, Status, assemble, decode, document_record, error_record,
    field_text,
};
use crate::pipeline::Document;

/// Documents of a JSONL stream, one per line.
pub(super) struct JsonlRecords<R> {
    reader: R,
    source: String,
    options: Arc<InputOptions>,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> JsonlRecords<R> {
    pub(super) fn new(reader: R, source: String, options: Arc<InputOptions>) -> Self {
        JsonlRecords {
            reader,
            source,
            options,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonlRecords<R> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        if self.done {
            return None;
        }
        self.buf.clear();
        self.line += 1;
        let position = format!("{}:{}", self.source, self.line);
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => Some(RawRecord::JsonLine {
                bytes: std::mem::take(&mut self.buf),
                position,
                options: self.options.clone(),
            }),
            Err(e) => {
                self.done = true;
                Some(RawRecord::Ready(error_record(
                    &position,
                    &position,
                    &e.to_string(),
                )))
            }
        }
    }
}

/// Deserializes a JSON value, keeping the fields named (in that order) of
/// an object and skipping the rest; `None` when the value is not an
/// object.
struct WantedFields<'a>(&'a [&'a str]);

impl<'de> serde::de::DeserializeSeed<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<serde_json::Value>>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for WantedFields<'_> {
    type Value = Option<Vec<Option<serde_json::Value>>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = vec![None; self.0.len()];
        while let Some(key) = map.next_key::<String>()? {
            match self.0.iter().position(|n| *n == key) {
                Some(i) => found[i] = Some(map.next_value::<serde_json::Value>()?),
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
    let strings = if fast_path {
        json_fields::string_fields(trimmed, &names)
    } else {
        None
    };
    let mut found: Vec<Option<String>> = match strings {
        Some(found) => found.into_iter().map(|v| v.map(Cow::into_owned)).collect(),
        None => {
            let mut de = serde_json::Deserializer::from_str(trimmed);
            match serde::de::DeserializeSeed::deserialize(WantedFields(&names), &mut de)
                .and_then(|found| de.end().map(|()| found))
            {
                Ok(Some(found)) => found.into_iter().map(field_text).collect(),
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
        if options.text_fields.iter().filter(|t| *t == f).count() > 1 {
            found[i].clone()
        } else {
            found[i].take()
        }
    };
    match assemble(get, options, &position, &mut notes) {
        Ok((id, text)) => document_record(id, text, position, notes),
        Err(reason) => {
            let id = id.unwrap_or_else(|| position.clone());
            error_record(&id, &position, &reason)
        }
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
        JsonlRecords::new(data.as_bytes(), "f.jsonl".to_string(), Arc::new(options))
            .map(RawRecord::into_record)
            .collect()
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
