//! A document analyzed in pieces gives what one pass gives: the same
//! mentions (offsets, entities, forms, ambiguity, discovery's rules and
//! propagation), the same windows, on hand-written and on random texts
//! made of invented sentences, with pieces as small as one byte.

mod common;

use std::sync::OnceLock;

use alam::{Analysis, Discovery, Document, Gazetteer, PIECES_ABOVE, Pipeline};
use alam::{CsvStyle, mentions_line, mentions_rows};
use common::{Workdir, stderr};
use proptest::prelude::*;

fn pipelines() -> &'static [Pipeline; 2] {
    static P: OnceLock<[Pipeline; 2]> = OnceLock::new();
    P.get_or_init(|| {
        let gaz = Gazetteer::builtin();
        let on = Pipeline::builder(&gaz)
            .discovery(Discovery::On)
            .build()
            .expect("built-in lists");
        let off = Pipeline::new(&gaz).expect("built-in lists");
        [on, off]
    })
}

/// One pass, and pieces of these sizes.
const PIECES: &[usize] = &[1, 7, 40, 200, 1000];

/// Checks that every piece size gives the one-pass analysis, with
/// discovery on and off; returns the one-pass analysis with discovery on.
fn check_pieces(text: &str) -> Analysis {
    let doc = Document::new("d", text);
    let mut first = None;
    for pipeline in pipelines() {
        let whole = pipeline.analyze_in_pieces(&doc, usize::MAX);
        for &piece in PIECES {
            let pieces = pipeline.analyze_in_pieces(&doc, piece);
            if pieces != whole {
                let surfaces = |a: &Analysis| -> Vec<String> {
                    a.mentions
                        .iter()
                        .map(|m| format!("{}@{}={}/{:?}", m.surface, m.start, m.entity_id, m.form))
                        .collect()
                };
                panic!(
                    "pieces of {piece} bytes differ from one pass on {text:?}\n\
                     one pass: {:?}\npieces:   {:?}",
                    surfaces(&whole),
                    surfaces(&pieces)
                );
            }
        }
        first.get_or_insert(whole);
    }
    first.unwrap_or_default()
}

/// (name, text, surfaces one pass must find, in order): each line is a
/// trap for a cut.
const TABLE: &[(&str, &str, &[&str])] = &[
    (
        // A name whose words a paragraph break separates is one mention:
        // no cut goes between them. (Xi is a weak alias: without Xi
        // Jinping's full name it names no one.)
        "name_across_a_break",
        "Talks went on in Saudi\n\nArabia today.\nPutin met Xi in Beijing.",
        &["Saudi\n\nArabia", "Putin", "Beijing"],
    ),
    (
        // A title at the end of a line and the name on the next one: the
        // rules read across the cut.
        "title_then_name_on_the_next_line",
        "The meeting was chaired by Dr.\nGhaith Husseini who spoke first.\n\nLater Husseini left.",
        &[],
    ),
    (
        // Discovery's propagation: the surname alone, far from the full
        // name, in a later piece; and a one-word name re-keyed.
        "surname_propagated_into_a_later_piece",
        "قال السيد غيث الحسيني إن الاجتماع انتهى.\nوصل الوفد إلى بكين.\n\nثم غادر الحسيني المكان.\nوأكد الحسيني ذلك.",
        &["غيث الحسيني", "بكين", "الحسيني", "الحسيني"],
    ),
    (
        // Which entity an ambiguous form names is settled by a mention in
        // another piece.
        "ambiguity_settled_elsewhere",
        "زار الملك عمان أمس.\n\nوفي الأردن قال المسؤولون إن الزيارة ناجحة.\nعمان مدينة جميلة.",
        &[],
    ),
    (
        // Text normalization cannot take the fast path (a decomposed é,
        // a hamza above after ی): only the pieces that hold them go the
        // slow way.
        "non_nfc_characters",
        "Cafe\u{301} owners met in Paris.\nقال بوتين في موسكو.\n\nشی\u{654}ء ما.\nPutin spoke!  Xi replied? Yes; Beijing agreed.",
        &[],
    ),
    (
        // Blank runs, tabs and carriage returns at the cuts, marks and
        // tatweel after letters, ligatures.
        "blanks_and_marks",
        "  \r\n\tمصرَ\u{640}  \n\n\n   روسيا\r\n\r\nﷲ أكبر\n\u{200F}الصين\n- Russia -\nChina-\nRussia",
        &[],
    ),
];

#[test]
fn hand_written_texts_give_the_same_mentions_in_pieces() {
    for &(name, text, expected) in TABLE {
        let whole = check_pieces(text);
        if !expected.is_empty() {
            let surfaces: Vec<&str> = whole.mentions.iter().map(|m| m.surface.as_str()).collect();
            assert_eq!(surfaces, expected, "test: {name}");
        }
    }
}

#[test]
fn a_name_across_a_paragraph_break_is_found_whole() {
    // Checked by hand: one pass reads "Saudi\n\nArabia" as the country
    // (its name), not the demonym Saudi.
    let a = check_pieces("In Saudi\n\nArabia");
    let ids: Vec<&str> = a.mentions.iter().map(|m| m.entity_id.as_ref()).collect();
    assert_eq!(ids, ["country:SA"]);
    assert_eq!((a.mentions[0].start, a.mentions[0].end), (3, 16));
}

#[test]
fn a_text_without_a_place_to_cut_is_one_piece() {
    // No line break and no ! ? ; : nowhere to cut, one pass.
    check_pieces("Putin met Xi in Beijing, then Putin went home, and Xi stayed.");
    check_pieces("");
    check_pieces("\n\n\n");
}

/// Sentences the random texts are made of (invented; famous names in
/// invented sentences), with traps for the rules and the matcher.
const SENTENCES: &[&str] = &[
    "Putin met Xi in Beijing",
    "قال بوتين في موسكو",
    "استقبل السيد غيث الحسيني الوفد في مكتبه",
    "ثم غادر الحسيني",
    "وصل سعد بن ناصر بن حمدان إلى المدينة",
    "Dr. Tedros spoke in Geneva",
    "Mr. Zdravko Sabbatelli said the talks failed",
    "Sabbatelli recalled",
    "Acme Widgets Holding Inc announced a deal",
    "AWH shares rose",
    "وزير الخارجية السعودي فيصل بن فرحان",
    "زار الملك عمان",
    "وفي الأردن",
    "Saudi",
    "Arabia",
    "United",
    "States",
    "الرئيس الروسي",
    "وروسيا والصين",
    "مصرَ\u{640}",
    "Cafe\u{301}",
    "شی\u{654}ء",
    "ﷲ",
    "الكندي نيستور بامبو",
    "وقال كريس دالتون",
    "University of Kordin",
    "Brovan Velen 1 Kordin Dolna 2",
    "أبو الفضل",
    "عبد الرحمن",
];

/// What may come between two sentences.
const SEPARATORS: &[&str] = &[
    " ",
    "\n",
    "\n\n",
    ". ",
    "! ",
    "? ",
    "؟ ",
    "; ",
    "؛ ",
    "… ",
    ",\n",
    ".\n\n",
    " \n \n",
    "\r\n",
    "-\n",
    "\t",
    "\n\u{200F}",
    " (",
    ") ",
];

fn random_text() -> impl Strategy<Value = String> {
    prop::collection::vec((0..SENTENCES.len(), 0..SEPARATORS.len()), 0..40).prop_map(|parts| {
        let mut text = String::new();
        for (s, sep) in parts {
            text.push_str(SENTENCES[s]);
            text.push_str(SEPARATORS[sep]);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_texts_give_the_same_analysis_in_pieces(text in random_text()) {
        check_pieces(&text);
    }
}

/// A text of about `bytes` made of [`SENTENCES`] and [`SEPARATORS`] in an
/// order drawn from `seed` (a linear congruential generator: the same
/// text every run).
fn generated_text(bytes: usize, mut seed: u64) -> String {
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut text = String::with_capacity(bytes + 200);
    while text.len() < bytes {
        text.push_str(SENTENCES[next(SENTENCES.len())]);
        text.push_str(SEPARATORS[next(SEPARATORS.len())]);
    }
    text
}

#[test]
fn a_long_document_through_the_command_gives_the_rows_of_one_pass() {
    // Longer than PIECES_ABOVE: the command reads it in pieces, and the
    // writing thread writes its rows a few at a time.
    let text = generated_text(PIECES_ABOVE + PIECES_ABOVE / 4, 7);
    let doc = Document::new("-", text.as_str());
    let one_pass = pipelines()[0].analyze_in_pieces(&doc, usize::MAX);
    assert!(
        one_pass.mentions.len() > 10_000,
        "{}",
        one_pass.mentions.len()
    );
    assert!(one_pass.mentions.iter().any(|m| m.rule.is_some()));
    let mut rows = Vec::new();
    mentions_rows(&mut rows, &doc, &one_pass.mentions, CsvStyle::default());
    let mut line = Vec::new();
    mentions_line(&doc, &one_pass.mentions, &mut line).expect("serialize");
    for threads in ["1", "2"] {
        let wd = Workdir::new();
        let out = wd.run_with_stdin(
            &["extract", "-", "-o", "out", "-q", "--threads", threads],
            &text,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let mentions_csv = wd.read("out/mentions.csv");
        let (header, body) = mentions_csv.split_once('\n').expect("a header");
        assert!(header.starts_with("doc_id,entity_id,"), "{header}");
        assert!(
            body.as_bytes() == rows,
            "mentions.csv differs, {threads} threads"
        );
        assert!(
            wd.read("out/mentions.jsonl").as_bytes() == line,
            "mentions.jsonl differs, {threads} threads"
        );
        // doc_id, source, chars, mentions, ...
        let documents = wd.read("out/documents.csv");
        let row: Vec<&str> = documents
            .lines()
            .nth(1)
            .expect("a row")
            .split(',')
            .collect();
        assert_eq!(row[2], text.chars().count().to_string());
        assert_eq!(row[3], one_pass.mentions.len().to_string());
    }
}
