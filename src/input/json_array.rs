//! A `.json` file: a JSON array whose elements are the records (or JSON
//! values one after the other, as a single object is), split here without
//! reading the whole file, each element parsed as a JSONL line is. The
//! position of an element is `FILE:N`, N counting the elements from 1.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{InputOptions, Raw, RawRecord, error_record};

/// The records of a JSON array (or of JSON values one after the other).
pub(super) struct JsonValues<R> {
    reader: R,
    source: String,
    options: Arc<InputOptions>,
    /// `None` before the first byte; then whether the values are in an
    /// array.
    array: Option<bool>,
    /// Elements read so far.
    index: u64,
    done: bool,
}

impl<R: BufRead> JsonValues<R> {
    pub(super) fn new(reader: R, source: String, options: Arc<InputOptions>) -> Self {
        JsonValues {
            reader,
            source,
            options,
            array: None,
            index: 0,
            done: false,
        }
    }

    /// The next byte that is not blank, not consumed.
    fn peek_nonblank(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.reader.fill_buf()?;
            let Some(skip) = buf.iter().position(|b| !b.is_ascii_whitespace()) else {
                if buf.is_empty() {
                    return Ok(None);
                }
                let n = buf.len();
                self.reader.consume(n);
                continue;
            };
            let b = buf[skip];
            self.reader.consume(skip);
            return Ok(Some(b));
        }
    }

    /// The bytes of one JSON value (up to a `,` or `]` outside of it, or a
    /// blank after a whole value, or the end of the input).
    fn value(&mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let (mut depth, mut in_string, mut escape) = (0usize, false, false);
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(out);
            }
            let mut used = 0;
            let mut end = false;
            for &b in buf {
                if in_string {
                    used += 1;
                    out.push(b);
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = true;
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b',' | b']' | b'}' if depth == 0 => {
                        end = true;
                        break;
                    }
                    b if depth == 0 && b.is_ascii_whitespace() => {
                        end = true;
                        break;
                    }
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
                used += 1;
                out.push(b);
                if depth == 0 && (b == b'}' || b == b']') {
                    end = true;
                    break;
                }
            }
            self.reader.consume(used);
            if end {
                return Ok(out);
            }
        }
    }

    fn error(&mut self, reason: &str) -> RawRecord {
        self.done = true;
        let position = format!("{}:{}", self.source, self.index + 1);
        RawRecord::from(error_record(&position, &position, reason))
    }

    fn step(&mut self) -> io::Result<Option<RawRecord>> {
        let array = match self.array {
            Some(a) => a,
            None => {
                let array = self.peek_nonblank()? == Some(b'[');
                if array {
                    self.reader.consume(1);
                }
                self.array = Some(array);
                if array && self.peek_nonblank()? == Some(b']') {
                    self.reader.consume(1);
                    return self.end_of_array();
                }
                array
            }
        };
        if array && self.index > 0 {
            match self.peek_nonblank()? {
                Some(b',') => self.reader.consume(1),
                Some(b']') => {
                    self.reader.consume(1);
                    return self.end_of_array();
                }
                None => return Ok(Some(self.error("malformed JSON: the array is not closed"))),
                Some(_) => {
                    return Ok(Some(self.error(&format!(
                        "malformed JSON: `,` or `]` expected after element {}",
                        self.index
                    ))));
                }
            }
        }
        if self.peek_nonblank()?.is_none() {
            if array {
                return Ok(Some(self.error("malformed JSON: the array is not closed")));
            }
            self.done = true;
            return Ok(None);
        }
        let mut bytes = self.value()?;
        if bytes.is_empty() {
            // A `,`, `]` or `}` where a value should be: taken as it is,
            // for the parser to report.
            let buf = self.reader.fill_buf()?;
            bytes.extend_from_slice(&buf[..1.min(buf.len())]);
            self.reader.consume(bytes.len());
        }
        self.index += 1;
        Ok(Some(RawRecord(Raw::JsonLine {
            bytes,
            position: format!("{}:{}", self.source, self.index),
            options: self.options.clone(),
        })))
    }

    fn end_of_array(&mut self) -> io::Result<Option<RawRecord>> {
        if self.peek_nonblank()?.is_some() {
            return Ok(Some(
                self.error("malformed JSON: something after the array"),
            ));
        }
        self.done = true;
        Ok(None)
    }
}

impl<R: BufRead> Iterator for JsonValues<R> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(r) => r,
            Err(e) => Some(self.error(&e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Status;

    fn read(data: &str) -> Vec<(String, Status, String, String)> {
        JsonValues::new(
            data.as_bytes(),
            "f.json".to_string(),
            Arc::new(InputOptions::default()),
        )
        .map(|r| {
            let r = r.into_record();
            (r.document.id, r.status, r.document.text, r.message)
        })
        .collect()
    }

    #[test]
    fn elements_are_records() {
        type Row<'a> = (&'a str, Status, &'a str, &'a str);
        let ok = Status::Ok;
        let table: &[(&str, &[Row])] = &[
            (
                "[{\"id\":\"a\",\"text\":\"x, ]}\\\"\"},\n {\"text\":\"y\"} ]\n",
                &[("a", ok, "x, ]}\"", ""), ("f.json:2", ok, "y", "")],
            ),
            (
                "[\n  {\n    \"id\": \"a\",\n    \"text\": \"[{\"\n  }\n]",
                &[("a", ok, "[{", "")],
            ),
            ("{\"id\":\"a\",\n\"text\":\"x\"}\n", &[("a", ok, "x", "")]),
            (
                "{\"text\":\"x\"} {\"text\":\"y\"}",
                &[("f.json:1", ok, "x", ""), ("f.json:2", ok, "y", "")],
            ),
            ("[]", &[]),
            ("", &[]),
            (
                "[{\"text\":\"x\"}, 5, [1]]",
                &[
                    ("f.json:1", ok, "x", ""),
                    (
                        "f.json:2",
                        Status::Error,
                        "",
                        "f.json:2: a JSON object was expected",
                    ),
                    (
                        "f.json:3",
                        Status::Error,
                        "",
                        "f.json:3: a JSON object was expected",
                    ),
                ],
            ),
            (
                "[{\"text\":\"x\"}",
                &[
                    ("f.json:1", ok, "x", ""),
                    (
                        "f.json:2",
                        Status::Error,
                        "",
                        "f.json:2: malformed JSON: the array is not closed",
                    ),
                ],
            ),
            (
                "[{\"text\":\"x\"} {\"text\":\"y\"}]",
                &[
                    ("f.json:1", ok, "x", ""),
                    (
                        "f.json:2",
                        Status::Error,
                        "",
                        "f.json:2: malformed JSON: `,` or `]` expected after element 1",
                    ),
                ],
            ),
            (
                "[{\"text\":\"x\"}] junk",
                &[
                    ("f.json:1", ok, "x", ""),
                    (
                        "f.json:2",
                        Status::Error,
                        "",
                        "f.json:2: malformed JSON: something after the array",
                    ),
                ],
            ),
        ];
        for (data, want) in table {
            let got = read(data);
            let got: Vec<Row> = got
                .iter()
                .map(|(a, s, t, m)| (a.as_str(), *s, t.as_str(), m.as_str()))
                .collect();
            assert_eq!(&got, want, "{data:?}");
        }
    }

    #[test]
    fn a_broken_element_is_one_error_and_the_rest_is_read() {
        let got = read("[{\"text\": }, {\"text\":\"y\"}]");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, Status::Error);
        assert!(got[0].3.starts_with("f.json:1: malformed JSON"), "{got:?}");
        assert_eq!((got[1].0.as_str(), got[1].1), ("f.json:2", Status::Ok));
    }
}
