//! From `discovered.csv` to gazetteer rows: the review workflow.
//!
//! A run with discovery writes `discovered.csv`, one row per discovered
//! entity, with an empty `status` column. A reviewer opens it in a
//! spreadsheet, writes `reject` in `status` for what is not a name (or not
//! wanted), optionally `accept` for what is, and saves it. `alam review`
//! then writes a folder to pass back with `--add-gazetteer`:
//!
//! - `candidates.csv`: a gazetteer row for every row not rejected with at
//!   least `min_mentions` mentions, people of one word left out (a one-word
//!   strong alias matches that word everywhere), and every row marked
//!   `accept`, whatever its count: id `person:r-KEY` / `organization:r-KEY`, the name, the
//!   Arabic name for an Arabic one, the other spellings seen as `aliases`,
//!   for a person of two or more words the last word as a weak alias, and
//!   the evidence (`mentions`, `documents`, `rules`, `example`) as extra
//!   columns, which the gazetteer keeps as attributes;
//! - `lexicon/rejected.csv`: the rejected names, class `reject`, which
//!   discovery then never reports again.
//!
//! The candidates are for a person to edit (merge the spellings that
//! `similar` lists, fix names, add a country) before relying on them.
//!
//! (The worked example is the unit test `module_example_reads_and_proposes`.)

use std::io::Read;
use std::path::Path;

use crate::discover::{Kind, parse_id};
use crate::error::{CsvBase, Error, Position};
use crate::normalize::is_arabic_block;
use crate::output::csv::parse_counted;

/// What the reviewer wrote in `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Empty: a candidate if it has enough mentions.
    Open,
    /// `accept` (or `yes`, `ok`): a candidate whatever its count.
    Accept,
    /// `reject` (or `no`): written to the rejected names.
    Reject,
}

/// A row of `discovered.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredRow {
    /// Its line in the file.
    pub line: u64,
    /// `person:~KEY` or `organization:~KEY`.
    pub id: String,
    /// Person or organization.
    pub kind: Kind,
    /// The key of the id.
    pub key: String,
    /// The display name.
    pub name: String,
    /// Mentions and documents.
    pub mentions: u64,
    /// Documents.
    pub documents: u64,
    /// Surfaces with their counts, most first.
    pub variants: Vec<(String, u64)>,
    /// The `rules` cell as written.
    pub rules: String,
    /// The example's document and text.
    pub example: (String, String),
    /// What the reviewer decided.
    pub decision: Decision,
}

/// Reads a `discovered.csv` (as written by `alam extract`, with or without
/// `--excel`); `label` names it in errors, which carry `file:line`.
pub fn read_discovered(
    label: impl AsRef<Path>,
    reader: impl Read,
) -> Result<Vec<DiscoveredRow>, Error> {
    let path = label.as_ref();
    let err = |position: Position, message: String| Error::Input { position, message };
    let mut data = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut data)
        .map_err(|e| err(Position::new(path, 0), format!("cannot read the file: {e}")))?;
    let data = data.as_slice();
    let at = |p: Option<&csv::Position>| {
        p.map_or_else(
            || Position::new(path, 0),
            |p| Position::of_csv(path, data, p, CsvBase::FILE),
        )
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let headers = rdr
        .headers()
        .map_err(|e| {
            err(
                Position::new(path, 1),
                format!("cannot read the header: {e}"),
            )
        })?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{FEFF}') == name)
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            err(
                Position::new(path, 1),
                format!("no column {name:?}: not a discovered.csv"),
            )
        })
    };
    let (c_id, c_name, c_mentions) = (need("entity_id")?, need("name")?, need("mentions")?);
    let (c_docs, c_variants) = (need("documents")?, need("variants")?);
    let (c_rules, c_exdoc, c_ex) = (col("rules"), col("example_doc"), col("example"));
    let c_status = col("status");
    let mut rows = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| err(at(e.position()), format!("malformed row: {e}")))?;
        let here = at(record.position());
        let line = here.line;
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        let opt = |c: Option<usize>| c.map_or("", get);
        let id = get(c_id).to_string();
        let Some((kind, key)) = parse_id(&id) else {
            return Err(err(
                here.clone(),
                format!(
                    "{id:?} is not the id of a discovered entity (person:~KEY or organization:~KEY)"
                ),
            ));
        };
        let key = key.to_string();
        let number = |c: usize, what: &str| {
            get(c).parse::<u64>().map_err(|_| {
                err(
                    here.clone(),
                    format!("{what} {:?} is not a whole number", get(c)),
                )
            })
        };
        let variants = parse_counted(get(c_variants))
            .map_err(|item| {
                err(
                    here.clone(),
                    format!("variants: {item:?} is not TEXT:COUNT"),
                )
            })?
            .into_iter()
            .map(|(text, n)| (text.trim_start_matches('\'').to_string(), n))
            .collect();
        let decision = match opt(c_status).to_lowercase().as_str() {
            "" => Decision::Open,
            "accept" | "yes" | "ok" => Decision::Accept,
            "reject" | "no" => Decision::Reject,
            other => {
                return Err(err(
                    here.clone(),
                    format!("status {other:?}: expected empty, accept or reject"),
                ));
            }
        };
        rows.push(DiscoveredRow {
            line,
            kind,
            key,
            name: get(c_name).to_string(),
            mentions: number(c_mentions, "mentions")?,
            documents: number(c_docs, "documents")?,
            variants,
            rules: opt(c_rules).to_string(),
            example: (opt(c_exdoc).to_string(), opt(c_ex).to_string()),
            decision,
            id,
        });
    }
    Ok(rows)
}

/// A candidate gazetteer row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// `person:r-KEY` or `organization:r-KEY`.
    pub id: String,
    /// `person` or `organization`.
    pub kind: &'static str,
    /// The name.
    pub name: String,
    /// The name again when it is written in Arabic, else empty.
    pub name_ar: String,
    /// The other spellings seen.
    pub aliases: Vec<String>,
    /// The last word of a person's name of two or more words.
    pub weak_aliases: Vec<String>,
    /// The row it comes from.
    pub row: DiscoveredRow,
}

/// The candidates among `rows`: not rejected, and accepted or seen at
/// least `min_mentions` times.
pub fn candidates(rows: &[DiscoveredRow], min_mentions: u64) -> Vec<Candidate> {
    rows.iter()
        .filter(|r| match r.decision {
            Decision::Reject => false,
            Decision::Accept => true,
            // A one-word person as a strong alias would match that word
            // everywhere: only a reviewer's accept makes it a candidate.
            Decision::Open => {
                r.mentions >= min_mentions && (r.kind == Kind::Organization || r.key.contains('-'))
            }
        })
        .map(|r| {
            let arabic = r.name.chars().any(is_arabic_block);
            let aliases: Vec<String> = r
                .variants
                .iter()
                .map(|(v, _)| v.clone())
                .filter(|v| v != &r.name)
                // The surname alone (a propagated mention) is the weak alias.
                .filter(|v| r.kind == Kind::Organization || v.contains(' '))
                .collect();
            let words: Vec<&str> = r.name.split(' ').collect();
            let weak_aliases = match (r.kind, words.as_slice()) {
                (Kind::Person, [_, .., last]) => vec![last.to_string()],
                _ => Vec::new(),
            };
            Candidate {
                id: format!(
                    "{}:r-{}",
                    match r.kind {
                        Kind::Person => "person",
                        Kind::Organization => "organization",
                    },
                    r.key
                ),
                kind: r.kind.as_str(),
                name: r.name.clone(),
                name_ar: if arabic {
                    r.name.clone()
                } else {
                    String::new()
                },
                aliases,
                weak_aliases,
                row: r.clone(),
            }
        })
        .collect()
}

/// The names of the rejected rows.
pub fn rejected(rows: &[DiscoveredRow]) -> Vec<&str> {
    rows.iter()
        .filter(|r| r.decision == Decision::Reject)
        .map(|r| r.name.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    /// The worked example of the module docs.
    #[test]
    fn module_example_reads_and_proposes() -> Result<(), crate::Error> {
        use crate::review::{Decision, read_discovered};
        let table = "entity_id,type,name,mentions,documents,variants,rules,similar,example_doc,example,status\n\
            person:~john-smith,person,John Smith,3,2,John Smith:2|JOHN SMITH:1,en-given:3,,d1,John Smith said,\n\
            person:~fine-china,person,Fine China,1,1,Fine China:1,en-caps:1,,d2,fine China,reject\n";
        let rows = read_discovered("discovered.csv", table.as_bytes())?;
        assert_eq!(rows[0].decision, Decision::Open);
        assert_eq!(rows[1].decision, Decision::Reject);
        let cands = crate::review::candidates(&rows, 2);
        assert_eq!(cands[0].id, "person:r-john-smith");
        assert_eq!(cands[0].aliases, ["JOHN SMITH"]);
        assert_eq!(cands[0].weak_aliases, ["Smith"]);
        Ok(())
    }
}
