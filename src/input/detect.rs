//! How a file or standard input is opened and recognized: gzip, the text
//! encoding (UTF-8, or UTF-16/UTF-32 by their byte order mark or by the NUL
//! bytes between ASCII characters, decoded to UTF-8 here), and, for a file
//! whose name says nothing, JSONL or a JSON array by its first bytes.
//!
//! A file whose records are decoded from another encoding, and a JSONL,
//! JSON, CSV or TSV file with no record at all, get a warning row of their
//! own (id: the file).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use super::json_array::JsonValues;
use super::walk::{Kind, display};
use super::{
    CsvRecords, FileInput, InputOptions, InputRecord, JsonlRecords, RawRecord, Status,
    StdinDetected, StdinFormat, error_record, read_text,
};
use crate::pipeline::Document;

/// The records of one input.
pub(super) type Records = Box<dyn Iterator<Item = RawRecord> + Send>;

type Reader = Box<dyn Read + Send>;

/// Bytes looked at to recognize an encoding.
const SNIFF_BYTES: usize = 1024;
/// The longest first line looked at to recognize JSONL.
const SNIFF_LINE: usize = 1 << 20;

/// A text encoding other than UTF-8, and how it was recognized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Encoding {
    unit: Unit,
    bom: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self.unit {
            Unit::Utf16Le => "UTF-16LE",
            Unit::Utf16Be => "UTF-16BE",
            Unit::Utf32Le => "UTF-32LE",
            Unit::Utf32Be => "UTF-32BE",
        }
    }

    /// The note a record read in this encoding gets.
    fn note(self) -> String {
        let how = if self.bom {
            "byte order mark"
        } else {
            "no byte order mark, NUL bytes between the characters"
        };
        format!("{} text ({how}), decoded to UTF-8", self.name())
    }
}

/// The records of a file.
pub(super) fn file_records(file: FileInput, options: &Arc<InputOptions>) -> Records {
    let source = display(&file.path);
    let fail = |e: io::Error| -> Records {
        Box::new(std::iter::once(RawRecord::from(error_record(
            &file.label,
            &source,
            &e.to_string(),
        ))))
    };
    let f = match File::open(&file.path) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let raw: Reader = Box::new(BufReader::with_capacity(1 << 16, f));
    let (head, raw) = match peek(raw, 2) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    // A 0-byte file is empty whatever its name says (not a broken gzip).
    let gz =
        !head.is_empty() && (file.gz || (file.kind.is_none() && head.starts_with(&[0x1f, 0x8b])));
    let reader: Reader = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw)))
    } else {
        raw
    };
    let origin = Origin::File;
    records(reader, file.kind, &file.label, source, 0, origin, options)
}

/// The records of standard input.
pub(super) fn stdin_records(options: &Arc<InputOptions>) -> Records {
    let kind = match options.stdin_format {
        StdinFormat::Text => Some(Kind::Text),
        StdinFormat::Jsonl => Some(Kind::Jsonl),
        StdinFormat::Auto => None,
    };
    let name = &options.stdin_name;
    let before = options.stdin_lines_before;
    records(
        Box::new(io::stdin()),
        kind,
        name,
        name.clone(),
        before,
        Origin::Stdin,
        options,
    )
}

/// Where a reader's bytes come from: standard input gets a note on
/// stderr when its format is found from its first bytes, whatever
/// `--stdin-name` calls it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    File,
    Stdin,
}

/// The records of `reader`, of kind `kind` (`None`: found from its first
/// bytes; only standard input and files with other names). A JSONL
/// reader's lines are numbered from `lines_before` plus one.
fn records(
    reader: Reader,
    kind: Option<Kind>,
    label: &str,
    source: String,
    lines_before: u64,
    origin: Origin,
    options: &Arc<InputOptions>,
) -> Records {
    let fail = |e: io::Error| -> Records {
        Box::new(std::iter::once(RawRecord::from(error_record(
            label,
            &source,
            &e.to_string(),
        ))))
    };
    let (encoding, reader) = match decode(reader) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let (kind, reader) = match kind {
        Some(k) => (k, reader),
        None => match sniff_format(reader) {
            Ok((k, r)) => {
                if origin == Origin::Stdin {
                    note_stdin(k, options);
                }
                (k, r)
            }
            Err(e) => return fail(e),
        },
    };
    let note = encoding.map(Encoding::note);
    let body: Records = match kind {
        Kind::Text => {
            let mut rec = read_text(reader, label, &source, options);
            if let Some(note) = note {
                add_note(&mut rec, &note);
            }
            return Box::new(std::iter::once(RawRecord::from(rec)));
        }
        Kind::Jsonl => Box::new(JsonlRecords::new(
            BufReader::new(reader),
            source.clone(),
            lines_before,
            options.clone(),
        )),
        Kind::Json => Box::new(JsonValues::new(
            BufReader::new(reader),
            source.clone(),
            options.clone(),
        )),
        Kind::Csv => {
            let records = CsvRecords::new(reader, source.clone(), (**options).clone());
            Box::new(records.map(RawRecord::from))
        }
        Kind::Tsv => {
            let records =
                CsvRecords::new_delimited(reader, source.clone(), (**options).clone(), b'\t');
            Box::new(records.map(RawRecord::from))
        }
    };
    let label = label.to_string();
    let first = note.map(|note| RawRecord::from(warning_record(&label, &source, &note)));
    Box::new(first.into_iter().chain(NonEmpty {
        inner: body,
        empty: Some(warning_record(&label, &source, "empty file")),
    }))
}

/// Tells [`InputOptions::on_stdin`] how standard input was recognized.
fn note_stdin(kind: Kind, options: &InputOptions) {
    let Some(hook) = &options.on_stdin else {
        return;
    };
    hook.call(match kind {
        Kind::Text => {
            let defaults = InputOptions::default();
            StdinDetected::Text {
                fields_ignored: options.id_field != defaults.id_field
                    || options.text_fields != defaults.text_fields,
            }
        }
        Kind::Json => StdinDetected::JsonArray,
        _ => StdinDetected::Jsonl,
    });
}

fn warning_record(id: &str, source: &str, note: &str) -> InputRecord {
    InputRecord {
        document: Document::new(id, ""),
        source: source.to_string(),
        status: Status::Warning,
        message: format!("{source}: {note}"),
    }
}

/// Adds `note` to the message of a record, which becomes a warning unless
/// it is an error.
fn add_note(rec: &mut InputRecord, note: &str) {
    if rec.message.is_empty() {
        rec.message = format!("{}: {note}", rec.source);
    } else {
        rec.message = format!("{}; {note}", rec.message);
    }
    if rec.status == Status::Ok {
        rec.status = Status::Warning;
    }
}

/// The records of `inner`, or `empty` when it has none.
struct NonEmpty {
    inner: Records,
    empty: Option<InputRecord>,
}

impl Iterator for NonEmpty {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        match self.inner.next() {
            Some(r) => {
                self.empty = None;
                Some(r)
            }
            None => self.empty.take().map(RawRecord::from),
        }
    }
}

/// A reader that gives `head` back before the rest.
fn prefixed(head: Vec<u8>, rest: Reader) -> Reader {
    Box::new(io::Cursor::new(head).chain(rest))
}

/// Reads at least `min` bytes (fewer at the end) and at most
/// [`SNIFF_BYTES`], without waiting for more than `min` (standard input
/// may be a live pipe); returns them and a reader that gives them again.
fn peek(mut reader: Reader, min: usize) -> io::Result<(Vec<u8>, Reader)> {
    let mut head = vec![0; SNIFF_BYTES];
    let mut len = 0;
    while len < min {
        match reader.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(len);
    Ok((head.clone(), prefixed(head, reader)))
}

/// Recognizes UTF-16 and UTF-32 (see [`sniff_encoding`]) and decodes them
/// to UTF-8.
fn decode(reader: Reader) -> io::Result<(Option<Encoding>, Reader)> {
    let (head, reader) = peek(reader, 4)?;
    let Some((encoding, bom)) = sniff_encoding(&head) else {
        return Ok((None, reader));
    };
    let mut reader = reader;
    io::copy(&mut (&mut reader).take(bom as u64), &mut io::sink())?;
    Ok((
        Some(encoding),
        Box::new(Decoder::new(reader, encoding.unit)),
    ))
}

/// The encoding of a text that starts with `head`, if it is not UTF-8, and
/// the length of its byte order mark: a UTF-16 or UTF-32 byte order mark,
/// or the NUL bytes that ASCII characters have in those encodings.
pub(super) fn sniff_encoding(head: &[u8]) -> Option<(Encoding, usize)> {
    let boms: [(&[u8], Unit); 4] = [
        (&[0xff, 0xfe, 0, 0], Unit::Utf32Le),
        (&[0, 0, 0xfe, 0xff], Unit::Utf32Be),
        (&[0xff, 0xfe], Unit::Utf16Le),
        (&[0xfe, 0xff], Unit::Utf16Be),
    ];
    if head.starts_with(&[0xef, 0xbb, 0xbf]) {
        return None;
    }
    for (bom, unit) in boms {
        if head.starts_with(bom) {
            return Some((Encoding { unit, bom: true }, bom.len()));
        }
    }
    // Zero bytes by position modulo 4.
    let mut zeros = [0usize; 4];
    let n = head.len() / 4 * 4;
    if n < 4 {
        return None;
    }
    for (i, b) in head[..n].iter().enumerate() {
        if *b == 0 {
            zeros[i % 4] += 1;
        }
    }
    let units = n / 4;
    let unit = if zeros[3] == units && zeros[2] * 2 >= units && zeros[0] * 2 < units {
        Unit::Utf32Le
    } else if zeros[0] == units && zeros[1] * 2 >= units && zeros[3] * 2 < units {
        Unit::Utf32Be
    } else {
        let (even, odd) = (zeros[0] + zeros[2], zeros[1] + zeros[3]);
        let pairs = n / 2;
        // An ASCII character in eight, and (almost) no zero on the other
        // side (UTF-8 text has no NUL bytes), at both places of a pair of
        // characters.
        if odd * 8 >= pairs && even * 8 <= odd && zeros[1] > 0 && zeros[3] > 0 {
            Unit::Utf16Le
        } else if even * 8 >= pairs && odd * 8 <= even && zeros[0] > 0 && zeros[2] > 0 {
            Unit::Utf16Be
        } else {
            return None;
        }
    };
    Some((Encoding { unit, bom: false }, 0))
}

/// Decodes UTF-16 or UTF-32 to UTF-8, as it is read; what is not a
/// character becomes U+FFFD.
struct Decoder {
    inner: Reader,
    unit: Unit,
    /// Bytes read and not decoded yet (an incomplete unit or surrogate
    /// pair).
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Decoder {
    fn new(inner: Reader, unit: Unit) -> Decoder {
        Decoder {
            inner,
            unit,
            raw: Vec::new(),
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    /// Decodes what `raw` holds of whole characters (all of it at the end).
    fn decode(&mut self) {
        let mut s = String::new();
        let used = match self.unit {
            Unit::Utf16Le | Unit::Utf16Be => {
                let le = self.unit == Unit::Utf16Le;
                let mut units: Vec<u16> = self
                    .raw
                    .chunks_exact(2)
                    .map(|c| {
                        if le {
                            u16::from_le_bytes([c[0], c[1]])
                        } else {
                            u16::from_be_bytes([c[0], c[1]])
                        }
                    })
                    .collect();
                // A high surrogate at the end waits for its pair.
                if !self.eof && units.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) {
                    units.pop();
                }
                s.extend(
                    char::decode_utf16(units.iter().copied())
                        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)),
                );
                units.len() * 2
            }
            Unit::Utf32Le | Unit::Utf32Be => {
                let le = self.unit == Unit::Utf32Le;
                let chunks = self.raw.chunks_exact(4);
                let used = self.raw.len() / 4 * 4;
                s.extend(chunks.map(|c| {
                    let c = [c[0], c[1], c[2], c[3]];
                    let v = if le {
                        u32::from_le_bytes(c)
                    } else {
                        u32::from_be_bytes(c)
                    };
                    char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER)
                }));
                used
            }
        };
        self.raw.drain(..used);
        if self.eof && !self.raw.is_empty() {
            self.raw.clear();
            s.push(char::REPLACEMENT_CHARACTER);
        }
        self.out = s.into_bytes();
        self.pos = 0;
    }
}

impl Read for Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            let mut chunk = [0u8; 1 << 14];
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
            }
            self.raw.extend_from_slice(&chunk[..n]);
            self.decode();
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The kind of a text from its first bytes: JSONL when its first line that
/// is not blank is a JSON object, JSON when it starts with `[` and `{`,
/// else plain text.
fn sniff_format(reader: Reader) -> io::Result<(Kind, Reader)> {
    let mut reader = BufReader::new(reader);
    let mut head = Vec::new();
    let kind = loop {
        let start = head.len();
        let n = (&mut reader)
            .take((SNIFF_LINE - start) as u64)
            .read_until(b'\n', &mut head)?;
        let line = &head[start..];
        let text = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        let text = text.trim_ascii().to_vec();
        let whole = line.ends_with(b"\n") || n == 0;
        if n == 0 || head.len() >= SNIFF_LINE {
            // End of input, or a line too long to look at.
            break kind_of_line(&text, whole, &mut reader, &mut head)?;
        }
        if !text.is_empty() {
            break kind_of_line(&text, true, &mut reader, &mut head)?;
        }
    };
    Ok((kind, prefixed(head, Box::new(reader))))
}

/// The kind of an input whose first line that is not blank is `line`
/// (`whole`: all of it); `head` is what was read so far.
fn kind_of_line(
    line: &[u8],
    whole: bool,
    reader: &mut BufReader<Reader>,
    head: &mut Vec<u8>,
) -> io::Result<Kind> {
    if line.starts_with(b"{") && whole {
        let object = serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok();
        return Ok(if object { Kind::Jsonl } else { Kind::Text });
    }
    if let Some(rest) = line.strip_prefix(b"[") {
        let rest = rest.trim_ascii_start();
        if !rest.is_empty() {
            return Ok(if rest.starts_with(b"{") {
                Kind::Json
            } else {
                Kind::Text
            });
        }
        // `[` alone on its line: the next bytes that are not blank say.
        loop {
            let buf = reader.fill_buf()?;
            let Some(&b) = buf.first() else {
                return Ok(Kind::Text);
            };
            if !b.is_ascii_whitespace() {
                return Ok(if b == b'{' { Kind::Json } else { Kind::Text });
            }
            head.push(b);
            reader.consume(1);
            if head.len() >= SNIFF_LINE {
                return Ok(Kind::Text);
            }
        }
    }
    Ok(Kind::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    fn utf32(s: &str, le: bool) -> Vec<u8> {
        s.chars()
            .flat_map(|c| {
                let v = c as u32;
                if le { v.to_le_bytes() } else { v.to_be_bytes() }
            })
            .collect()
    }

    fn with_bom(bom: &[u8], body: Vec<u8>) -> Vec<u8> {
        let mut v = bom.to_vec();
        v.extend(body);
        v
    }

    #[test]
    fn encodings_are_recognized_and_decoded() {
        let text = "{\"id\":\"a\",\"text\":\"قال بوتين 😀\"}\n";
        let le16 = |bom| Encoding {
            unit: Unit::Utf16Le,
            bom,
        };
        let table: Vec<(Vec<u8>, Option<Encoding>)> = vec![
            (with_bom(&[0xff, 0xfe], utf16(text, true)), Some(le16(true))),
            (
                with_bom(&[0xfe, 0xff], utf16(text, false)),
                Some(Encoding {
                    unit: Unit::Utf16Be,
                    bom: true,
                }),
            ),
            (utf16(text, true), Some(le16(false))),
            (
                utf16(text, false),
                Some(Encoding {
                    unit: Unit::Utf16Be,
                    bom: false,
                }),
            ),
            (
                with_bom(&[0xff, 0xfe, 0, 0], utf32(text, true)),
                Some(Encoding {
                    unit: Unit::Utf32Le,
                    bom: true,
                }),
            ),
            (
                utf32(text, false),
                Some(Encoding {
                    unit: Unit::Utf32Be,
                    bom: false,
                }),
            ),
            (
                utf32(text, true),
                Some(Encoding {
                    unit: Unit::Utf32Le,
                    bom: false,
                }),
            ),
            (text.as_bytes().to_vec(), None),
            (
                with_bom(&[0xef, 0xbb, 0xbf], text.as_bytes().to_vec()),
                None,
            ),
            (b"a\0b".to_vec(), None),
            (b"abc\0def\0ghi\0jkl\0".to_vec(), None),
        ];
        for (bytes, want) in table {
            let (got, reader) = decode(Box::new(io::Cursor::new(bytes.clone()))).unwrap();
            assert_eq!(got, want, "{bytes:?}");
            let mut out = Vec::new();
            let mut reader = reader;
            reader.read_to_end(&mut out).unwrap();
            if want.is_some() {
                assert_eq!(String::from_utf8(out).unwrap(), text);
            } else {
                assert_eq!(out, bytes);
            }
        }
    }

    #[test]
    fn broken_utf16_becomes_replacement_characters() {
        // A lone low surrogate, then an odd byte at the end.
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(utf16("a", true));
        bytes.extend([0x00, 0xdc]);
        bytes.extend(utf16("b", true));
        bytes.push(b'c');
        let (_, mut reader) = decode(Box::new(io::Cursor::new(bytes))).unwrap();
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn formats_are_recognized_by_their_first_bytes() {
        let table: &[(&str, Kind)] = &[
            ("{\"text\":\"x\"}\n{\"text\":\"y\"}\n", Kind::Jsonl),
            ("\n  \n{\"text\":\"x\"}", Kind::Jsonl),
            ("\u{feff}{\"text\":\"x\"}\n", Kind::Jsonl),
            ("[{\"text\":\"x\"}]", Kind::Json),
            ("[\n  {\n \"text\": \"x\"}\n]\n", Kind::Json),
            ("{not json} قال بوتين\n", Kind::Text),
            ("[Reuters] Putin met Xi\n", Kind::Text),
            ("[\n\n", Kind::Text),
            ("قال بوتين", Kind::Text),
            ("", Kind::Text),
        ];
        for (text, want) in table {
            let (kind, mut reader) =
                sniff_format(Box::new(io::Cursor::new(text.as_bytes().to_vec()))).unwrap();
            assert_eq!(kind, *want, "{text:?}");
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            assert_eq!(out, *text, "nothing is lost");
        }
    }
}
