//! Accuracy on annotated text: precision, recall and F1 per entity type.
//!
//! The gold file is in the BIO format of CoNLL-2003 and ANERcorp: one
//! `token TAG` a line (the tag is the last field), a blank line between
//! sentences, and `-DOCSTART-` lines between articles. Tags are `O`,
//! `B-X` and `I-X` with `X` one of `PER`/`PERS`, `LOC`, `ORG`, `MISC`.
//!
//! The scoring convention:
//! - a document's text is its tokens joined by single spaces, its
//!   sentences joined by a line break; a file without `-DOCSTART-` lines
//!   is cut into documents of [`Evaluation::SENTENCES_PER_DOCUMENT`] (the
//!   CLI's `--sentences-per-document`)
//!   sentences (ANERcorp has no article boundaries);
//! - a predicted mention is correct when it overlaps a gold entity of the
//!   same type: `person` → PER, `country`/`city`/`region` → LOC,
//!   `organization` → ORG (other types are not scored); demonym mentions
//!   (روسي, Russian) are left out, as the corpora do not tag them;
//! - precision = correct predictions / predictions, recall = gold entities
//!   overlapped by a prediction of their type / gold entities.
//!
//! (The worked example is the unit test `module_example_reads_bio`.)

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use crate::error::{Error, Position};
use crate::matcher::Form;
use crate::pipeline::Mention;

/// The entity types that are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GoldType {
    /// PER, PERS; predicted type `person`.
    Person,
    /// ORG; predicted type `organization`.
    Organization,
    /// LOC; predicted types `country`, `city`, `region`.
    Location,
}

impl GoldType {
    /// The three types, in the order tables list them.
    pub const ALL: [GoldType; 3] = [GoldType::Person, GoldType::Organization, GoldType::Location];

    /// The type of a gold tag's label (`PER`, `PERS`, `ORG`, `LOC`);
    /// `None` for `MISC` and anything else.
    pub fn from_label(label: &str) -> Option<GoldType> {
        match label {
            "PER" | "PERS" => Some(GoldType::Person),
            "ORG" => Some(GoldType::Organization),
            "LOC" => Some(GoldType::Location),
            _ => None,
        }
    }

    /// The scored type of an entity type of the gazetteer, if it is one.
    pub fn from_entity_type(kind: &str) -> Option<GoldType> {
        match kind {
            "person" => Some(GoldType::Person),
            "organization" => Some(GoldType::Organization),
            "country" | "city" | "region" => Some(GoldType::Location),
            _ => None,
        }
    }

    /// `person`, `organization`, `location`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoldType::Person => "person",
            GoldType::Organization => "organization",
            GoldType::Location => "location",
        }
    }
}

/// An annotated entity: its type and its code point range in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldEntity {
    /// Its type.
    pub kind: GoldType,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
}

/// One annotated document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoldDocument {
    /// `FILE:LINE` of its first token.
    pub id: String,
    /// Its tokens joined by spaces, its sentences by line breaks.
    pub text: String,
    /// The scored entities (MISC is left out), in text order.
    pub entities: Vec<GoldEntity>,
}

/// Reads a BIO file (see the module docs). A file with no `-DOCSTART-`
/// line is cut into documents of `sentences_per_document` sentences.
/// A line with no tag, or with a tag that is not `O`, `B-X` or `I-X`, is
/// an error at its line.
pub fn read_bio(
    path: impl AsRef<Path>,
    reader: impl BufRead,
    sentences_per_document: usize,
) -> Result<Vec<GoldDocument>, Error> {
    let path = path.as_ref();
    let sentences_per_document = sentences_per_document.max(1);
    let mut docs = Vec::new();
    let mut doc = GoldDocument::default();
    let mut doc_chars = 0usize;
    let mut sentences_in_doc = 0usize;
    let mut in_sentence = false;
    let mut saw_docstart = false;
    // The entity being read: its type, start, end.
    let mut open: Option<(Option<GoldType>, usize, usize)> = None;
    let close = |open: &mut Option<(Option<GoldType>, usize, usize)>, doc: &mut GoldDocument| {
        if let Some((Some(kind), start, end)) = open.take() {
            doc.entities.push(GoldEntity { kind, start, end });
        }
    };
    let finish = |doc: &mut GoldDocument, chars: &mut usize, docs: &mut Vec<GoldDocument>| {
        if !doc.text.is_empty() {
            docs.push(std::mem::take(doc));
        }
        *doc = GoldDocument::default();
        *chars = 0;
    };
    for (index, line) in reader.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = line.map_err(|source| Error::Io {
            path: path.to_path_buf(),
            error: source,
        })?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            close(&mut open, &mut doc);
            if in_sentence {
                in_sentence = false;
                sentences_in_doc += 1;
                if !saw_docstart && sentences_in_doc >= sentences_per_document {
                    finish(&mut doc, &mut doc_chars, &mut docs);
                    sentences_in_doc = 0;
                }
            }
            continue;
        }
        let (token, tag) = match line.rsplit_once([' ', '\t']) {
            // A line with a tag and no token (ANERcorp has one) adds
            // nothing to the text.
            Some((token, tag)) if token.trim().is_empty() && is_tag(tag.trim()) => continue,
            Some((token, tag)) => (token.trim(), tag.trim()),
            _ => {
                return Err(Error::Input {
                    position: Position::new(path, line_no),
                    message: format!("expected `token TAG`, found {line:?}"),
                });
            }
        };
        if token == "-DOCSTART-" {
            close(&mut open, &mut doc);
            finish(&mut doc, &mut doc_chars, &mut docs);
            saw_docstart = true;
            in_sentence = false;
            sentences_in_doc = 0;
            continue;
        }
        let (begin, label) = match tag {
            "O" => (false, None),
            _ => match tag.split_once('-') {
                Some(("B", label)) if !label.is_empty() => (true, Some(label)),
                Some(("I", label)) if !label.is_empty() => (false, Some(label)),
                _ => {
                    return Err(Error::Input {
                        position: Position::new(path, line_no),
                        message: format!("unknown tag {tag:?} (expected O, B-TYPE or I-TYPE)"),
                    });
                }
            },
        };
        if doc.text.is_empty() {
            doc.id = format!("{}:{line_no}", path.display());
        } else {
            doc.text.push(if in_sentence { ' ' } else { '\n' });
            doc_chars += 1;
        }
        in_sentence = true;
        let start = doc_chars;
        doc.text.push_str(token);
        doc_chars += token.chars().count();
        match label {
            None => close(&mut open, &mut doc),
            Some(label) => {
                let kind = GoldType::from_label(label);
                // An I- tag continues the open entity of the same label;
                // one that follows O or another label starts one.
                let continues = !begin && matches!(open, Some((k, _, _)) if k == kind);
                if continues {
                    if let Some(o) = open.as_mut() {
                        o.2 = doc_chars;
                    }
                } else {
                    close(&mut open, &mut doc);
                    open = Some((kind, start, doc_chars));
                }
            }
        }
    }
    close(&mut open, &mut doc);
    finish(&mut doc, &mut doc_chars, &mut docs);
    Ok(docs)
}

fn is_tag(tag: &str) -> bool {
    tag == "O" || tag.starts_with("B-") || tag.starts_with("I-")
}

/// Counts of one type (or one rule): predictions, gold entities, and how
/// many of each were matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Predicted mentions.
    pub predicted: u64,
    /// Predicted mentions that overlap a gold entity of their type.
    pub correct: u64,
    /// Gold entities.
    pub gold: u64,
    /// Gold entities overlapped by a prediction of their type.
    pub found: u64,
}

impl Score {
    /// correct / predicted (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    /// found / gold (0 when there is no gold entity).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.gold)
    }

    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A prediction that was wrong, or a gold entity no prediction found, for
/// a reader to look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The document.
    pub doc_id: String,
    /// `false-positive` or `missed`.
    pub kind: &'static str,
    /// The type scored.
    pub gold_type: GoldType,
    /// The text of the mention or of the gold entity.
    pub surface: String,
    /// The rule or form that made the prediction (empty for a miss).
    pub rule: String,
    /// Up to 40 characters on each side.
    pub context: String,
}

/// Precision and recall over many documents, per type and per rule.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Scores per type.
    pub by_type: BTreeMap<GoldType, Score>,
    /// Predictions per (type, rule): `rule` is the discovery rule that
    /// fired, or the form (`name`, `alias`, `weak`) of a gazetteer mention.
    /// Only `predicted` and `correct` are counted.
    pub by_rule: BTreeMap<(GoldType, String), Score>,
    /// Wrong predictions and missed entities, when asked for.
    pub misses: Vec<Miss>,
    /// Documents scored.
    pub documents: u64,
}

impl Evaluation {
    /// How ANERcorp-style files (no article boundaries) are cut.
    pub const SENTENCES_PER_DOCUMENT: usize = 10;

    /// Scores the mentions found in one gold document. Keeps the misses
    /// when `keep_misses` is set.
    pub fn add(&mut self, doc: &GoldDocument, mentions: &[Mention], keep_misses: bool) {
        self.documents += 1;
        let scored: Vec<(&Mention, GoldType)> = mentions
            .iter()
            .filter(|m| m.form != Form::Demonym)
            .filter_map(|m| GoldType::from_entity_type(&m.entity_type).map(|t| (m, t)))
            .collect();
        let overlaps = |m: &Mention, g: &GoldEntity| m.start < g.end && g.start < m.end;
        for &(m, kind) in &scored {
            let correct = doc
                .entities
                .iter()
                .any(|g| g.kind == kind && overlaps(m, g));
            let s = self.by_type.entry(kind).or_default();
            s.predicted += 1;
            s.correct += u64::from(correct);
            let rule = m.rule_or_form().to_string();
            let r = self.by_rule.entry((kind, rule.clone())).or_default();
            r.predicted += 1;
            r.correct += u64::from(correct);
            if !correct && keep_misses {
                self.misses
                    .push(miss(doc, "false-positive", kind, m.start, m.end, rule));
            }
        }
        for g in &doc.entities {
            let found = scored.iter().any(|&(m, k)| k == g.kind && overlaps(m, g));
            let s = self.by_type.entry(g.kind).or_default();
            s.gold += 1;
            s.found += u64::from(found);
            if !found && keep_misses {
                self.misses
                    .push(miss(doc, "missed", g.kind, g.start, g.end, String::new()));
            }
        }
    }
}

fn miss(
    doc: &GoldDocument,
    kind: &'static str,
    gold_type: GoldType,
    start: usize,
    end: usize,
    rule: String,
) -> Miss {
    let chars: Vec<char> = doc.text.chars().collect();
    let end = end.min(chars.len());
    let start = start.min(end);
    let before: String = chars[start.saturating_sub(40)..start].iter().collect();
    let after: String = chars[end..(end + 40).min(chars.len())].iter().collect();
    let surface: String = chars[start..end].iter().collect();
    Miss {
        doc_id: doc.id.clone(),
        kind,
        gold_type,
        context: format!("{before}[[{surface}]]{after}").replace('\n', " "),
        surface,
        rule,
    }
}

#[cfg(test)]
mod tests {

    /// The worked example of the module docs.
    #[test]
    fn module_example_reads_bio() -> Result<(), crate::Error> {
        use crate::evaluate::{GoldType, read_bio};
        let bio = "Putin B-PER\nvisited O\nParis B-LOC\n. O\n";
        let docs = read_bio("gold.bio", bio.as_bytes(), 10)?;
        assert_eq!(docs[0].text, "Putin visited Paris .");
        assert_eq!(docs[0].entities[1].kind, GoldType::Location);
        assert_eq!(
            (docs[0].entities[1].start, docs[0].entities[1].end),
            (14, 19)
        );
        Ok(())
    }
    use super::*;
    use std::sync::Arc;

    fn mention(kind: &str, start: usize, end: usize, form: Form) -> Mention {
        Mention {
            entity_id: Arc::from("x:1"),
            entity_type: Arc::from(kind),
            name: Arc::from("X"),
            surface: String::new(),
            prefix: String::new(),
            start,
            end,
            byte_start: start,
            byte_end: end,
            form,
            ambiguous: false,
            alternatives: Vec::new(),
            sentence: 0,
            paragraph: 0,
            rule: None,
            matched: None,
        }
    }

    #[test]
    fn bio_documents_sentences_and_entities() {
        let bio = "-DOCSTART- O\n\nPeter B-PER\nBlackburn I-PER\n\nBRUSSELS B-LOC\nsays O\n\n\
                   -DOCSTART- O\n\nEU B-ORG\nI-only I-ORG\nGerman B-MISC\nx I-LOC\n";
        let docs = read_bio("g.bio", bio.as_bytes(), 10).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].text, "Peter Blackburn\nBRUSSELS says");
        assert_eq!(docs[0].id, "g.bio:3");
        let spans: Vec<_> = docs[0]
            .entities
            .iter()
            .map(|e| (e.kind, e.start, e.end))
            .collect();
        assert_eq!(
            spans,
            [(GoldType::Person, 0, 15), (GoldType::Location, 16, 24)]
        );
        // I-ORG continues the B-ORG; MISC is not scored; an I-LOC after
        // MISC starts a location.
        let spans: Vec<_> = docs[1]
            .entities
            .iter()
            .map(|e| (e.kind, e.start, e.end))
            .collect();
        assert_eq!(
            spans,
            [(GoldType::Organization, 0, 9), (GoldType::Location, 17, 18)]
        );
    }

    #[test]
    fn a_tag_without_a_token_adds_nothing() {
        let docs = read_bio("g.bio", "a O\n O\nb B-LOC\n".as_bytes(), 10).unwrap();
        assert_eq!(docs[0].text, "a b");
        assert_eq!((docs[0].entities[0].start, docs[0].entities[0].end), (2, 3));
    }

    #[test]
    fn without_docstart_documents_are_cut_by_sentences() {
        let bio = "a O\n\nb B-LOC\n\nc O\n\nd O\n\ne O\n";
        let docs = read_bio("g.bio", bio.as_bytes(), 2).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["a\nb", "c\nd", "e"]);
        assert_eq!(docs[0].entities[0].start, 2);
        assert_eq!(docs[1].id, "g.bio:5");
    }

    #[test]
    fn bad_lines_are_errors_at_their_line() {
        for (bio, line) in [
            ("a O\nb\n", 2),
            ("a O\n\nb X-PER\n", 3),
            ("a B-\n", 1),
            (" X\n", 1),
        ] {
            let err = read_bio("g.bio", bio.as_bytes(), 10).unwrap_err();
            assert_eq!(err.position().map(|p| p.line), Some(line), "{bio:?}");
            assert!(err.to_string().starts_with(&format!("g.bio:{line}: ")));
        }
    }

    #[test]
    fn scores_count_overlaps_of_the_same_type() {
        // "Putin visited Paris and Moscow ."
        let doc = GoldDocument {
            id: "d".into(),
            text: "Putin visited Paris and Moscow .".into(),
            entities: vec![
                GoldEntity {
                    kind: GoldType::Person,
                    start: 0,
                    end: 5,
                },
                GoldEntity {
                    kind: GoldType::Location,
                    start: 14,
                    end: 19,
                },
                GoldEntity {
                    kind: GoldType::Location,
                    start: 24,
                    end: 30,
                },
            ],
        };
        let mentions = [
            mention("person", 2, 5, Form::Name), // overlaps Putin: right
            mention("organization", 14, 19, Form::Alias), // Paris as ORG: wrong
            mention("city", 14, 19, Form::Name), // right
            mention("country", 8, 13, Form::Demonym), // demonyms are not scored
            mention("language", 24, 30, Form::Name), // not a scored type
        ];
        let mut eval = Evaluation::default();
        eval.add(&doc, &mentions, true);
        let s = |t| eval.by_type[&t];
        assert_eq!(
            s(GoldType::Person),
            Score {
                predicted: 1,
                correct: 1,
                gold: 1,
                found: 1
            }
        );
        assert_eq!(
            s(GoldType::Location),
            Score {
                predicted: 1,
                correct: 1,
                gold: 2,
                found: 1
            }
        );
        assert_eq!(
            s(GoldType::Organization),
            Score {
                predicted: 1,
                correct: 0,
                gold: 0,
                found: 0
            }
        );
        assert_eq!(s(GoldType::Location).recall(), 0.5);
        let kinds: Vec<_> = eval
            .misses
            .iter()
            .map(|m| (m.kind, m.surface.as_str()))
            .collect();
        assert_eq!(kinds, [("false-positive", "Paris"), ("missed", "Moscow")]);
        assert_eq!(
            eval.misses[1].context,
            "Putin visited Paris and [[Moscow]] ."
        );
    }

    #[test]
    fn f1_of_nothing_is_zero() {
        assert_eq!(Score::default().f1(), 0.0);
        let s = Score {
            predicted: 4,
            correct: 3,
            gold: 6,
            found: 3,
        };
        assert!((s.f1() - 2.0 * 0.75 * 0.5 / 1.25).abs() < 1e-12);
    }
}
