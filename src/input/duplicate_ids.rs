//! Duplicate document ids: the second and later records with an id get a
//! warning that names the first one's position.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{InputRecord, Status};

/// Remembers the ids of the records seen, in input order, and marks the
/// records whose id was seen before (see [`DuplicateIds::check`]).
///
/// Memory: a 64-bit hash of each distinct id and the position of its
/// first record, 30 to 60 bytes per distinct id (at most 60 MB for a
/// million documents). Two different ids whose hashes collide would be
/// reported as a duplicate; with a million ids the odds are about 1 in
/// 4·10⁷.
#[derive(Debug, Default)]
pub struct DuplicateIds {
    first: HashMap<u64, (u32, u64)>,
    /// The file parts of the positions, in order.
    files: Vec<String>,
}

impl DuplicateIds {
    /// No id seen yet.
    pub fn new() -> DuplicateIds {
        DuplicateIds::default()
    }

    /// Registers `record`'s id; when an earlier record had the same id,
    /// turns an `ok` record into a `warning` and adds
    /// `duplicate id "ID" (first at FILE:LINE)` to its message (an error
    /// record is left as it is). Returns whether the record was changed.
    pub fn check(&mut self, record: &mut InputRecord) -> bool {
        let mut hasher = DefaultHasher::new();
        record.document.id.hash(&mut hasher);
        let key = hasher.finish();
        if let Some(&(file, line)) = self.first.get(&key) {
            if record.status == Status::Error {
                return false;
            }
            let first = match (self.files.get(file as usize), line) {
                (Some(f), 0) => f.clone(),
                (Some(f), line) => format!("{f}:{line}"),
                (None, _) => String::new(),
            };
            let again = if first == record.source {
                ": the same input read twice?"
            } else {
                ""
            };
            let note = format!(
                "duplicate id \"{}\" (first at {first}{again})",
                record.document.id
            );
            if record.message.is_empty() {
                record.message = format!("{}: {note}", record.source);
            } else {
                record.message = format!("{}; {note}", record.message);
            }
            record.status = Status::Warning;
            return true;
        }
        let (file, line) = split_position(&record.source);
        if self.files.last().map(String::as_str) != Some(file) {
            self.files.push(file.to_string());
        }
        let file = u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX);
        self.first.insert(key, (file, line));
        false
    }
}

/// `FILE:LINE` as `(FILE, LINE)`; a position without a line gives line 0.
fn split_position(source: &str) -> (&str, u64) {
    match source.rsplit_once(':') {
        Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
            match line.parse() {
                Ok(n) if n > 0 => (file, n),
                _ => (source, 0),
            }
        }
        _ => (source, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Document;

    fn record(id: &str, source: &str, status: Status, message: &str) -> InputRecord {
        InputRecord {
            document: Document::new(id, "x"),
            source: source.to_string(),
            status,
            message: message.to_string(),
        }
    }

    #[test]
    fn later_records_with_an_id_seen_before_are_warned() {
        let mut dups = DuplicateIds::new();
        // (id, source, status, message) -> (changed, status, message)
        let cases = [
            ("a", "in.jsonl:2", Status::Ok, "", false, Status::Ok, ""),
            ("b", "in.jsonl:3", Status::Ok, "", false, Status::Ok, ""),
            (
                "a",
                "in.jsonl:5",
                Status::Ok,
                "",
                true,
                Status::Warning,
                "in.jsonl:5: duplicate id \"a\" (first at in.jsonl:2)",
            ),
            (
                "b",
                "other.csv:9",
                Status::Warning,
                "other.csv:9: empty document",
                true,
                Status::Warning,
                "other.csv:9: empty document; duplicate id \"b\" (first at in.jsonl:3)",
            ),
            ("t.txt", "t.txt", Status::Ok, "", false, Status::Ok, ""),
            (
                "t.txt",
                "t.txt",
                Status::Ok,
                "",
                true,
                Status::Warning,
                "t.txt: duplicate id \"t.txt\" (first at t.txt: the same input read twice?)",
            ),
            (
                "a",
                "in.jsonl:7",
                Status::Error,
                "in.jsonl:7: missing text field (text)",
                false,
                Status::Error,
                "in.jsonl:7: missing text field (text)",
            ),
            (
                "b",
                "in.jsonl:3",
                Status::Ok,
                "",
                true,
                Status::Warning,
                "in.jsonl:3: duplicate id \"b\" (first at in.jsonl:3: the same input read twice?)",
            ),
        ];
        for (id, source, status, message, changed, want_status, want_message) in cases {
            let mut rec = record(id, source, status, message);
            assert_eq!(dups.check(&mut rec), changed, "{id} at {source}");
            assert_eq!(
                (rec.status, rec.message.as_str()),
                (want_status, want_message)
            );
        }
    }

    #[test]
    fn positions_split_at_their_line() {
        assert_eq!(split_position("in.jsonl:12"), ("in.jsonl", 12));
        assert_eq!(split_position("-:3"), ("-", 3));
        assert_eq!(split_position("a.txt"), ("a.txt", 0));
        assert_eq!(split_position("c:/x.txt"), ("c:/x.txt", 0));
    }
}
