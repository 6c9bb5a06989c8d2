//! CSV inputs: one document per record, the header naming the fields.

use std::io::Read;

use super::{InputOptions, InputRecord, assemble, document_record, error_record};

/// Documents of a CSV file with a header, one per record.
pub(super) struct CsvRecords {
    reader: csv::Reader<Box<dyn Read + Send>>,
    headers: Option<csv::StringRecord>,
    source: String,
    options: InputOptions,
    done: bool,
}

impl CsvRecords {
    pub(super) fn new(reader: Box<dyn Read + Send>, source: String, options: InputOptions) -> Self {
        let reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        CsvRecords {
            reader,
            headers: None,
            source,
            options,
            done: false,
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
            match self.reader.headers() {
                Ok(h) => self.headers = Some(h.clone()),
                Err(e) => {
                    self.done = true;
                    let position = format!("{}:1", self.source);
                    return Some(error_record(
                        &position,
                        &position,
                        &format!("cannot read the header: {e}"),
                    ));
                }
            }
        }
        let headers = self.headers.clone().unwrap_or_default();
        let mut record = csv::ByteRecord::new();
        let line = self.reader.position().line();
        match self.reader.read_byte_record(&mut record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let position = format!("{}:{}", self.source, line);
                let mut notes = Vec::new();
                if record.len() != headers.len() {
                    notes.push(format!(
                        "{} fields, but the header has {}",
                        record.len(),
                        headers.len()
                    ));
                }
                let mut bad_utf8 = false;
                let get = |name: &str| {
                    let i = headers.iter().position(|h| h == name)?;
                    let raw = record.get(i)?;
                    Some(String::from_utf8_lossy(raw).into_owned())
                };
                if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
                    bad_utf8 = true;
                }
                if bad_utf8 {
                    notes.push("invalid UTF-8, replaced with U+FFFD".to_string());
                }
                match assemble(get, &self.options, &position, &mut notes) {
                    Ok((id, text)) => Some(document_record(id, text, position, notes)),
                    Err(reason) => Some(error_record(&position, &position, &reason)),
                }
            }
            Err(e) => {
                let position = format!(
                    "{}:{}",
                    self.source,
                    e.position().map_or(line, |p| p.line())
                );
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    self.done = true;
                }
                Some(error_record(
                    &position,
                    &position,
                    &format!("malformed CSV: {e}"),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::input::Status;

    #[test]
    fn csv_records() {
        let data = "id,title,text\na,T,\"multi\nline\"\n,U,V\nc,W\n";
        let recs: Vec<InputRecord> = CsvRecords::new(
            Box::new(io::Cursor::new(data.as_bytes().to_vec())),
            "f.csv".to_string(),
            InputOptions::default(),
        )
        .collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(
            (recs[0].document.id.as_str(), recs[0].document.text.as_str()),
            ("a", "multi\nline")
        );
        assert_eq!(recs[1].document.id, "f.csv:4");
        assert_eq!(recs[2].status, Status::Error);
        assert_eq!(recs[2].message, "f.csv:5: missing text field (text)");
    }
}
