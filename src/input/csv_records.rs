//! CSV inputs: one document per record, the first record (the header)
//! naming the fields.
//!
//! The records are split by [`Scanner`], which follows the csv crate's
//! reading of a CSV exactly (RFC 4180 quotes, `""` inside quotes, a stray
//! quote inside a field kept literally, `\n`, `\r\n` or a lone `\r` ending
//! a record, blank lines skipped, a UTF-8 BOM dropped; a test compares the
//! two), and also knows what the csv crate does not tell:
//!
//! - the line each record starts on, lone CRs counted (so the records of a
//!   "CSV (Macintosh)" file get distinct positions);
//! - a quote still open at the end of the input. Such a field would hold
//!   the rest of the file: it is cut at the end of the line its quote opens
//!   on, the record gets a warning, and the lines after it are read again
//!   as records;
//! - a record larger than [`InputOptions::max_document_bytes`]: it is read
//!   to its end without keeping it, and becomes an error record.

use std::io::{self, BufRead, BufReader, Read};

use super::{Field, InputOptions, InputRecord, assemble, document_record, error_record};

/// At most this many unclosed quotes are recovered from in one file (each
/// re-reads the rest of the file); after that, a field with an unclosed
/// quote keeps the rest of the file, with a warning.
const MAX_RECOVERIES: u32 = 1000;

/// The longest header shown in a message, in characters.
const HEADER_SHOWN: usize = 200;

/// Documents of a CSV file with a header, one per record.
pub(super) struct CsvRecords {
    scanner: Scanner<BufReader<Box<dyn Read + Send>>>,
    /// The column names, once the header is read.
    headers: Option<Vec<String>>,
    /// A note about the header, for the first record.
    header_note: Option<String>,
    source: String,
    options: InputOptions,
    recoveries: u32,
    done: bool,
}

impl CsvRecords {
    pub(super) fn new(reader: Box<dyn Read + Send>, source: String, options: InputOptions) -> Self {
        Self::new_delimited(reader, source, options, b',')
    }

    /// [`CsvRecords::new`] with another field delimiter (tab for TSV).
    pub(super) fn new_delimited(
        reader: Box<dyn Read + Send>,
        source: String,
        options: InputOptions,
        delimiter: u8,
    ) -> Self {
        let max = options.max_document_bytes;
        let mut scanner = Scanner::new(BufReader::with_capacity(1 << 16, reader), max);
        scanner.delimiter = delimiter;
        CsvRecords {
            scanner,
            headers: None,
            header_note: None,
            source,
            options,
            recoveries: 0,
            done: false,
        }
    }

    fn at_line(&self, line: u64) -> String {
        format!("{}:{line}", self.source)
    }

    /// Why `rec`'s fields were dropped, with the caller's name of the size
    /// option, if they were.
    fn dropped_reason(&self, rec: &RawRecord) -> Option<String> {
        let names = &self.options.names;
        rec.dropped_reason(
            self.options.max_document_bytes,
            &names.hint(&names.max_document_bytes),
        )
    }

    /// Deals with a quote left open at the end of the input: cuts the
    /// field at the end of the quote's line and has the scanner read the
    /// lines after it again. Returns the note for the record.
    fn recover(&mut self, rec: &mut RawRecord) -> Option<String> {
        let quote_line = rec.unclosed?;
        let lines_after = self.scanner.lines.line.saturating_sub(quote_line + 1)
            + u64::from(!self.scanner.lines.after_line_end);
        if rec.dropped.is_some() {
            return Some(format!(
                "the quote opened on line {quote_line} is never closed, so the rest of the \
                 file ({lines_after} lines) was read as one field"
            ));
        }
        let start = rec.ends.len().checked_sub(2).map_or(0, |i| rec.ends[i]);
        let field = &rec.data[start..];
        let Some(cut) = memchr::memchr2(b'\n', b'\r', field) else {
            return Some(format!(
                "the quote opened on line {quote_line} is never closed (at the end of the file)"
            ));
        };
        if self.recoveries >= MAX_RECOVERIES {
            return Some(format!(
                "the quote opened on line {quote_line} is never closed, so the rest of the \
                 file ({lines_after} lines) was read as this field (no more than \
                 {MAX_RECOVERIES} unclosed quotes are re-read in a file)"
            ));
        }
        self.recoveries += 1;
        let after = cut + 1 + usize::from(field[cut..].starts_with(b"\r\n"));
        // Inside the quotes every quote of the input was doubled.
        let mut again = Vec::with_capacity(field.len() - after);
        for &b in &field[after..] {
            again.push(b);
            if b == b'"' {
                again.push(b'"');
            }
        }
        rec.data.truncate(start + cut);
        if let Some(end) = rec.ends.last_mut() {
            *end = start + cut;
        }
        self.scanner.read_again(again, quote_line + 1);
        Some(format!(
            "the quote opened on line {quote_line} is never closed: the field was cut at the \
             end of that line, and the {lines_after} lines after it were read as records"
        ))
    }

    /// Reads the header; `Some` is an error record for the whole file.
    fn read_header(&mut self) -> Option<Result<(), InputRecord>> {
        let mut rec = match self.scanner.read() {
            Ok(Some(rec)) => rec,
            Ok(None) => return None,
            Err(e) => {
                let position = self.at_line(self.scanner.lines.line);
                let reason = format!("cannot read the header: {e}");
                return Some(Err(error_record(&position, &position, &reason)));
            }
        };
        let position = self.at_line(rec.line);
        let recovered = self.recover(&mut rec);
        if let Some(reason) = self.dropped_reason(&rec) {
            let reason = format!("header {reason}; the file was not read");
            return Some(Err(error_record(&position, &position, &reason)));
        }
        let mut notes: Vec<String> = recovered.into_iter().collect();
        let headers: Vec<String> = rec
            .fields()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if rec.fields().any(|f| std::str::from_utf8(f).is_err()) {
            notes.push(format!(
                "invalid UTF-8 in the header (line {}), replaced with U+FFFD",
                rec.line
            ));
        }
        let has = |name: &str| headers.iter().any(|h| h == name);
        let mut lacking: Vec<String> = Vec::new();
        if !self.options.text_fields.iter().any(|f| has(f)) {
            lacking.extend(self.options.text_fields.iter().map(|f| format!("\"{f}\"")));
        }
        if self.options.id_field_required && !has(&self.options.id_field) {
            let names = &self.options.names;
            let hint = names.hint(&names.id_field);
            lacking.push(format!("\"{}\"{hint}", self.options.id_field));
        }
        if !lacking.is_empty() {
            let mut shown: String = headers.join(",");
            if shown.chars().count() > HEADER_SHOWN {
                shown = shown.chars().take(HEADER_SHOWN).collect::<String>() + "…";
            }
            let columns = if lacking.len() == 1 {
                format!("no column {}", lacking[0])
            } else {
                format!("none of the columns {}", lacking.join(", "))
            };
            let (records, stop) = self.count_rest();
            let mut reason = format!(
                "the header ({shown}) has {columns}; the {records} records after it were not read"
            );
            if let Some(e) = stop {
                reason.push_str(&format!(" (reading stopped: {e})"));
            }
            notes.push(reason);
            return Some(Err(error_record(&position, &position, &notes.join("; "))));
        }
        if let Some(f) = self.options.date_field.as_deref().filter(|f| !has(f)) {
            let names = &self.options.names;
            let hint = names.hint(&names.date_field);
            notes.push(format!(
                "the header has no column \"{f}\"{hint}: its records are undated"
            ));
        }
        if !notes.is_empty() {
            self.header_note = Some(notes.join("; "));
        }
        self.headers = Some(headers);
        Some(Ok(()))
    }

    /// Reads the rest of the file without keeping it: the number of
    /// records, and the error that stopped the reading.
    fn count_rest(&mut self) -> (u64, Option<io::Error>) {
        let mut n = 0;
        loop {
            match self.scanner.read() {
                Ok(Some(mut rec)) => {
                    n += 1;
                    self.recover(&mut rec);
                }
                Ok(None) => return (n, None),
                Err(e) => return (n, Some(e)),
            }
        }
    }
}

impl Iterator for CsvRecords {
    type Item = InputRecord;

    fn next(&mut self) -> Option<InputRecord> {
        if self.done {
            return None;
        }
        if self.headers.is_none() {
            match self.read_header() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(rec)) => {
                    self.done = true;
                    return Some(rec);
                }
                Some(Ok(())) => {}
            }
        }
        let mut rec = match self.scanner.read() {
            Ok(Some(rec)) => rec,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                let position = self.at_line(self.scanner.lines.line);
                return Some(error_record(&position, &position, &e.to_string()));
            }
        };
        let position = self.at_line(rec.line);
        let mut notes = Vec::new();
        // The header's note goes with the first record (a row of its own
        // would not be a record).
        if let Some(note) = self.header_note.take() {
            notes.push(note);
        }
        notes.extend(self.recover(&mut rec));
        if let Some(reason) = self.dropped_reason(&rec) {
            notes.push(format!("record {reason}; skipped"));
            return Some(error_record(&position, &position, &notes.join("; ")));
        }
        let headers = self.headers.as_deref().unwrap_or_default();
        let fields: Vec<&[u8]> = rec.fields().collect();
        if fields.len() != headers.len() {
            notes.push(format!(
                "{} fields, but the header has {}",
                fields.len(),
                headers.len()
            ));
        }
        if fields.iter().any(|f| std::str::from_utf8(f).is_err()) {
            notes.push("invalid UTF-8, replaced with U+FFFD".to_string());
        }
        let get = |name: &str| {
            let i = headers.iter().position(|h| h == name)?;
            let raw = fields.get(i)?;
            Some(Field::Text(String::from_utf8_lossy(raw).into_owned()))
        };
        match assemble(get, &self.options, &position, &mut notes) {
            Ok((id, text, date)) => Some(document_record(id, text, date, position, notes)),
            Err(reason) => {
                notes.push(reason);
                Some(error_record(&position, &position, &notes.join("; ")))
            }
        }
    }
}

/// Why a record's fields were not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dropped {
    /// Over the byte limit.
    TooLong,
    /// The buffer could not grow to this many bytes.
    OutOfMemory(usize),
}

/// One CSV record as split by [`Scanner`].
#[derive(Debug, Default)]
struct RawRecord {
    /// The fields' bytes (quotes removed), back to back.
    data: Vec<u8>,
    /// The end of each field in `data`.
    ends: Vec<usize>,
    /// The line the record starts on.
    line: u64,
    /// The input ended inside a quoted field whose quote opened on this
    /// line.
    unclosed: Option<u64>,
    /// Whether the fields were dropped, and why.
    dropped: Option<Dropped>,
    /// The record's bytes so far (fields and separators), kept or not.
    size: u64,
}

impl RawRecord {
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.data[s..e])
    }

    /// Keeps `bytes` in the current field, unless the record is over
    /// `max` bytes.
    fn push(&mut self, bytes: &[u8], max: u64) {
        self.size += bytes.len() as u64;
        if self.dropped.is_some() {
            return;
        }
        if self.size > max {
            self.drop_fields(Dropped::TooLong);
        } else if self.data.try_reserve(bytes.len()).is_err() {
            self.drop_fields(Dropped::OutOfMemory(self.data.len() + bytes.len()));
        } else {
            self.data.extend_from_slice(bytes);
        }
    }

    /// Ends the current field (its separator counts as a byte).
    fn end_field(&mut self, max: u64) {
        self.size += 1;
        if self.dropped.is_some() {
            return;
        }
        if self.size > max {
            self.drop_fields(Dropped::TooLong);
        } else if self.ends.try_reserve(1).is_err() {
            self.drop_fields(Dropped::OutOfMemory(self.data.len()));
        } else {
            self.ends.push(self.data.len());
        }
    }

    fn drop_fields(&mut self, why: Dropped) {
        self.dropped = Some(why);
        self.data = Vec::new();
        self.ends = Vec::new();
    }

    /// Why the fields were dropped, as "of more than N bytes".
    fn dropped_reason(&self, max: u64, hint: &str) -> Option<String> {
        Some(match self.dropped? {
            Dropped::TooLong => format!("of more than {max} bytes{hint}"),
            Dropped::OutOfMemory(n) => format!("too large for the memory left ({n} bytes read)"),
        })
    }
}

/// Where a CSV scanner is in a record (the states of csv_core's reader,
/// for `,`, `"`, doubled quotes and CR/LF/CRLF line ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between records (blank lines are skipped here).
    StartRecord,
    /// At the start of a field.
    StartField,
    /// In a field without quotes (a quote is kept as it is).
    InField,
    /// Inside quotes.
    InQuoted,
    /// Just after a quote inside quotes: `"` makes it a quote; anything else
    /// closes the quotes.
    QuoteInQuoted,
}

/// Splits a CSV input into records, counting lines.
struct Scanner<R> {
    source: Source<R>,
    max: u64,
    lines: Lines,
    /// A leading BOM was looked for.
    bom_checked: bool,
    /// The field delimiter: `,` (CSV) or a tab (TSV).
    delimiter: u8,
}

/// A line counter.
struct Lines {
    /// The line of the next byte.
    line: u64,
    /// The last byte was a CR (a LF after it ends the same line).
    after_cr: bool,
    /// The last byte ended a line (or nothing was read yet).
    after_line_end: bool,
}

impl Lines {
    /// Counts the line ends in `bytes`.
    fn count(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' => {
                    self.line += u64::from(!self.after_cr);
                    self.after_cr = false;
                    self.after_line_end = true;
                }
                b'\r' => {
                    self.line += 1;
                    self.after_cr = true;
                    self.after_line_end = true;
                }
                _ => {
                    self.after_cr = false;
                    self.after_line_end = false;
                }
            }
        }
    }
}

/// The bytes to read: first those read again, then the reader's.
struct Source<R> {
    reader: R,
    again: Vec<u8>,
    again_at: usize,
}

impl<R: BufRead> Source<R> {
    fn chunk(&mut self) -> io::Result<&[u8]> {
        if self.again_at < self.again.len() {
            return Ok(&self.again[self.again_at..]);
        }
        loop {
            match self.reader.fill_buf() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
                Ok(_) => break,
            }
        }
        self.reader.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.again_at < self.again.len() {
            self.again_at += n;
            if self.again_at == self.again.len() {
                self.again = Vec::new();
                self.again_at = 0;
            }
        } else {
            self.reader.consume(n);
        }
    }
}

impl<R: BufRead> Scanner<R> {
    fn new(reader: R, max: u64) -> Self {
        Scanner {
            source: Source {
                reader,
                again: Vec::new(),
                again_at: 0,
            },
            max,
            lines: Lines {
                line: 1,
                after_cr: false,
                after_line_end: true,
            },
            bom_checked: false,
            delimiter: b',',
        }
    }

    /// Reads `bytes` (what is left of the input) as the lines from `line`
    /// on, before the rest of the input.
    fn read_again(&mut self, bytes: Vec<u8>, line: u64) {
        let mut rest = std::mem::take(&mut self.source.again);
        rest.drain(..self.source.again_at);
        let mut again = bytes;
        again.extend_from_slice(&rest);
        self.source.again = again;
        self.source.again_at = 0;
        self.lines = Lines {
            line,
            after_cr: false,
            after_line_end: true,
        };
    }

    /// The next record, `None` at the end of the input.
    fn read(&mut self) -> io::Result<Option<RawRecord>> {
        let delimiter = self.delimiter;
        let mut rec = RawRecord::default();
        let mut state = State::StartRecord;
        let mut quote_line = 0;
        loop {
            let chunk = self.source.chunk()?;
            if chunk.is_empty() {
                return Ok(match state {
                    State::StartRecord => None,
                    _ => {
                        if state == State::InQuoted {
                            rec.unclosed = Some(quote_line);
                        }
                        rec.end_field(u64::MAX);
                        Some(rec)
                    }
                });
            }
            if !self.bom_checked {
                self.bom_checked = true;
                if chunk.starts_with(b"\xEF\xBB\xBF") {
                    self.source.consume(3);
                    continue;
                }
            }
            let mut i = 0;
            let mut ended = false;
            while i < chunk.len() && !ended {
                // Runs of plain bytes are copied at once.
                if matches!(state, State::InField | State::InQuoted) {
                    let special = match state {
                        State::InField => memchr::memchr3(delimiter, b'\n', b'\r', &chunk[i..]),
                        _ => memchr::memchr3(b'"', b'\n', b'\r', &chunk[i..]),
                    };
                    let end = special.map_or(chunk.len(), |k| i + k);
                    if end > i {
                        rec.push(&chunk[i..end], self.max);
                        self.lines.count(&chunk[end - 1..end]);
                        i = end;
                        continue;
                    }
                }
                let b = chunk[i];
                let line_end = b == b'\n' || b == b'\r';
                match state {
                    State::StartRecord if line_end => {}
                    State::StartRecord => {
                        rec.line = self.lines.line;
                        state = State::StartField;
                        // The byte is read again as the field's first.
                        continue;
                    }
                    State::StartField | State::InField | State::QuoteInQuoted if b == delimiter => {
                        rec.end_field(self.max);
                        state = State::StartField;
                    }
                    State::StartField | State::InField | State::QuoteInQuoted if line_end => {
                        rec.end_field(u64::MAX);
                        ended = true;
                    }
                    State::StartField if b == b'"' => {
                        quote_line = self.lines.line;
                        state = State::InQuoted;
                    }
                    State::InQuoted if b == b'"' => state = State::QuoteInQuoted,
                    State::QuoteInQuoted if b == b'"' => {
                        rec.push(b"\"", self.max);
                        state = State::InQuoted;
                    }
                    State::InQuoted => rec.push(&[b], self.max),
                    State::StartField | State::InField | State::QuoteInQuoted => {
                        rec.push(&[b], self.max);
                        state = State::InField;
                    }
                }
                self.lines.count(&chunk[i..=i]);
                i += 1;
            }
            self.source.consume(i);
            if ended {
                return Ok(Some(rec));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::input::Status;

    fn read(data: &[u8], options: InputOptions) -> Vec<InputRecord> {
        CsvRecords::new(
            Box::new(io::Cursor::new(data.to_vec())),
            "f.csv".to_string(),
            options,
        )
        .collect()
    }

    #[test]
    fn csv_records() {
        let data = "id,title,text\na,T,\"multi\nline\"\n,U,V\nc,W\n";
        let recs = read(data.as_bytes(), InputOptions::default());
        assert_eq!(recs.len(), 3);
        assert_eq!(
            (recs[0].document.id.as_str(), recs[0].document.text.as_str()),
            ("a", "multi\nline")
        );
        assert_eq!(recs[1].document.id, "f.csv:4");
        assert_eq!(recs[2].status, Status::Error);
        assert_eq!(
            recs[2].message,
            "f.csv:5: 2 fields, but the header has 3; missing text field (text)"
        );
    }

    /// The records and start lines of `data`, by the scanner.
    fn scan(data: &[u8], chunk: usize) -> Vec<(Vec<Vec<u8>>, u64, bool)> {
        let reader = BufReader::with_capacity(chunk, data);
        let mut scanner = Scanner::new(reader, u64::MAX);
        let mut out = Vec::new();
        while let Some(rec) = scanner.read().unwrap() {
            let fields = rec.fields().map(<[u8]>::to_vec).collect();
            out.push((fields, rec.line, rec.unclosed.is_some()));
        }
        out
    }

    #[test]
    fn lines_are_counted_with_every_line_end() {
        // (input, the start line of each record)
        let cases: &[(&[u8], &[u64])] = &[
            (b"a\nb\nc\n", &[1, 2, 3]),
            (b"a\rb\rc\r", &[1, 2, 3]),
            (b"a\r\nb\r\nc", &[1, 2, 3]),
            (b"a\n\n\rb\r\n\r\nc", &[1, 4, 6]),
            (b"\"x\ry\"\rb\n\"p\r\nq\"\nc", &[1, 3, 4, 6]),
        ];
        for (data, lines) in cases {
            for chunk in [1, 2, 3, 64] {
                let got: Vec<u64> = scan(data, chunk).iter().map(|r| r.1).collect();
                assert_eq!(&got, lines, "{:?} in chunks of {chunk}", data);
            }
        }
    }

    #[test]
    fn an_unclosed_quote_is_cut_and_the_rest_read_again() {
        let data = "id,text\na,x\nb,\"open y\nc,\"\"z\"\"\nd,w\n";
        let recs = read(data.as_bytes(), InputOptions::default());
        let got: Vec<(&str, &str, Status)> = recs
            .iter()
            .map(|r| (r.document.id.as_str(), r.document.text.as_str(), r.status))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "x", Status::Ok),
                ("b", "open y", Status::Warning),
                ("c", "z\"\"", Status::Ok),
                ("d", "w", Status::Ok),
            ]
        );
        assert_eq!(
            recs[1].message,
            "f.csv:3: the quote opened on line 3 is never closed: the field was cut at \
             the end of that line, and the 2 lines after it were read as records"
        );
    }

    #[test]
    fn a_record_over_the_limit_is_an_error_and_reading_goes_on() {
        let options = InputOptions {
            max_document_bytes: 10,
            ..InputOptions::default()
        };
        let data = "id,text\na,short\nb,\"longer than ten\nbytes\"\nc,ok\n";
        let recs = read(data.as_bytes(), options);
        let got: Vec<(&str, Status)> = recs
            .iter()
            .map(|r| (r.document.id.as_str(), r.status))
            .collect();
        assert_eq!(
            got,
            [
                ("a", Status::Ok),
                ("f.csv:3", Status::Error),
                ("c", Status::Ok)
            ]
        );
        assert_eq!(
            recs[1].message,
            "f.csv:3: record of more than 10 bytes; skipped"
        );
        // The caller's name for the option, when it gives one.
        let named = InputOptions {
            max_document_bytes: 10,
            names: crate::input::OptionNames {
                max_document_bytes: Some("--max-document-bytes".to_string()),
                ..Default::default()
            },
            ..InputOptions::default()
        };
        assert_eq!(
            read(data.as_bytes(), named)[1].message,
            "f.csv:3: record of more than 10 bytes (--max-document-bytes); skipped"
        );
    }

    /// Pieces of CSV inputs.
    const CSV_PIECES: &[&str] = &[
        "a", "b", "بو", " ", ",", ",", "\"", "\"", "\"\"", "\n", "\r", "\r\n", "\n\n", "x\"y",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The scanner splits every input into the records the csv crate
        /// gives (unless a quote is left open at the end, where the two
        /// part ways on purpose), and, without CRs or blank lines (which
        /// the csv crate counts in the next record's line), on the same
        /// lines.
        #[test]
        fn the_scanner_reads_csv_as_the_csv_crate_does(
            pieces in proptest::collection::vec(proptest::sample::select(CSV_PIECES), 0..16),
            chunk in 1usize..8,
        ) {
            let data = pieces.concat();
            let ours = scan(data.as_bytes(), chunk);
            if ours.iter().any(|r| r.2) {
                return Ok(());
            }
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(data.as_bytes());
            let mut theirs = Vec::new();
            for rec in rdr.byte_records() {
                let rec = rec.unwrap();
                let line = rec.position().map_or(0, |p| p.line());
                theirs.push((rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), line));
            }
            proptest::prop_assert_eq!(ours.len(), theirs.len(), "{:?}", data);
            for (o, t) in ours.iter().zip(&theirs) {
                proptest::prop_assert_eq!(&o.0, &t.0, "{:?}", data);
                if !data.contains('\r') && !data.contains("\n\n") && !data.starts_with('\n') {
                    proptest::prop_assert_eq!(o.1, t.1, "{:?}", data);
                }
            }
        }
    }
}
