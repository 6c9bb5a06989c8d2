//! `alam::normalize` against the per-byte reference normalizer in
//! `tests/reference/normalize_per_byte.rs` (the implementation before the
//! offset map became a list of pieces): on random texts built from every
//! kind of character the rules treat apart, the normalized text and the
//! original range of every range of it must be the same.

#[path = "reference/normalize_per_byte.rs"]
mod per_byte;

use proptest::prelude::*;

/// Pieces of text, one or more per rule of SPEC section 3.
const PIECES: &[&str] = &[
    // plain Arabic letters, folded letters, Persian letters, digits
    "ر",
    "و",
    "س",
    "ي",
    "ا",
    "ل",
    "ب",
    "أ",
    "إ",
    "آ",
    "ٱ",
    "ى",
    "ة",
    "ی",
    "ک",
    "گ",
    "پ",
    "چ",
    "ۀ",
    "ە",
    "ھ",
    "٣",
    "۷",
    "ء",
    "ئ",
    "ؤ",
    "،",
    "؟",
    "؛",
    "۔",
    // harakat, tatweel, Quranic marks, a combining hamza (not NFC after a letter)
    "\u{064E}",
    "\u{0651}",
    "\u{0670}",
    "ـ",
    "\u{06D6}",
    "\u{0654}",
    // format and bidi controls
    "\u{200B}",
    "\u{200C}",
    "\u{200F}",
    "\u{202B}",
    "\u{2066}",
    "\u{061C}",
    "\u{FEFF}",
    // presentation forms
    "ﻻ",
    "ﷲ",
    "ﺮ",
    "\u{FE70}",
    // Latin, capitals, accents (precomposed and combining), ß, Greek, Cyrillic, CJK, emoji
    "a",
    "Z",
    "Q",
    "x",
    "é",
    "É",
    "e\u{0301}",
    "ß",
    "Σ",
    "ς",
    "Ж",
    "中",
    "😀",
    "İ",
    "ł",
    "Ø",
    "æ",
    "Þ",
    "ı",
    "ڨ",
    // whitespace, hyphens and dashes, punctuation
    " ",
    "  ",
    "\n",
    "\t",
    "\u{00A0}",
    "-",
    "\u{2013}",
    "\u{2212}",
    ".",
    "'",
    "#",
    "_",
    // characters NFC replaces by another, marks that are kept (U+0656,
    // U+08E8, U+08F6, of different classes), ﷼ (NFKC gives letters),
    // deleted characters that are not marks (a tatweel with a haraka, a
    // Tibetan sign made of marks only)
    "\u{2001}",
    "\u{212B}",
    "\u{037E}",
    "\u{F900}",
    "\u{0656}",
    "\u{08E8}",
    "\u{08F6}",
    "\u{FDFC}",
    "\u{FCF2}",
    "\u{0F73}",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect()
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let ours = alam::normalize(text);
    let reference = per_byte::normalize(text);
    prop_assert_eq!(ours.as_str(), reference.as_str(), "text of {:?}", text);
    let cuts = boundaries(ours.as_str());
    for (a, &start) in cuts.iter().enumerate() {
        for &end in &cuts[a + 1..] {
            prop_assert_eq!(
                ours.original_range(start..end),
                reference.original_range(start..end),
                "range {}..{} of {:?} (normalized {:?})",
                start,
                end,
                text,
                ours.as_str()
            );
        }
    }
    Ok(())
}

/// Long texts of mostly plain letters and spaces, where normalization
/// takes runs of 32 bytes at a time, with now and then any other piece.
fn long_text() -> impl Strategy<Value = String> {
    let plain = prop::sample::select(
        &[
            "ر", "و", "س", "ي", "ا", "ل", "ب", "أ", "ة", "ى", " ", "a", "Z", ".",
        ][..],
    );
    let any = prop::sample::select(PIECES);
    prop::collection::vec(prop_oneof![10 => plain, 1 => any], 0..300).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn same_text_and_offsets_as_the_per_byte_reference(text in text()) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn long_plain_runs_as_the_per_byte_reference(text in long_text()) {
        check(&text)?;
    }
}

#[test]
fn hand_picked() {
    for text in [
        "",
        "وروسيا",
        "مصرَ والصينِ",
        "Al-Qaeda  and\n\nthe U.S.",
        "ﻻﻓﺮﻭﻑ",
        "ر\u{064A}\u{0654}يس",
        "Straße ΣΟΦΙΑ",
        "بـــغداد",
        "x\u{200F}\u{0651}y",
        "ش\u{0649}\u{0654} ش\u{06CC}\u{200D}\u{0654}",
        "Wałęsa Łódź Kılıçdaroğlu Đoković Æ",
    ] {
        check(text).unwrap();
    }
}

/// The cursor over increasing ranges gives what the search gives, for
/// every run of word characters and for ranges across them.
fn check_cursor(text: &str) -> Result<(), TestCaseError> {
    let norm = alam::normalize(text);
    let n = norm.as_str();
    let mut ranges = Vec::new();
    let mut start = None;
    for (i, c) in n.char_indices().chain(std::iter::once((n.len(), ' '))) {
        match (start, alam::is_word_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                ranges.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    // And every pair of neighbours as one range.
    let pairs: Vec<_> = ranges.windows(2).map(|w| w[0].start..w[1].end).collect();
    for set in [&ranges, &pairs] {
        let mut cursor = norm.cursor();
        for r in set.iter() {
            prop_assert_eq!(
                cursor.original_range(r.clone()),
                norm.original_range(r.clone()),
                "{:?} in {:?}",
                r,
                text
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn offset_cursor_agrees_with_the_search(text in text()) {
        check_cursor(&text)?;
    }
}

/// Code points from the blocks where normalization does the most: the
/// Arabic blocks, presentation forms (U+FDF0–FDFF apart, where ﷼ and the
/// word ligatures are), combining marks, format and bidi controls,
/// General Punctuation (quad spaces, dashes, controls), CJK compatibility
/// ideographs, and letters, dashes, underscores and spaces around them.
fn wide_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('\u{0600}', '\u{06FF}'),
        1 => prop::char::range('\u{0750}', '\u{077F}'),
        3 => prop::char::range('\u{08A0}', '\u{08FF}'),
        2 => prop::char::range('\u{FB50}', '\u{FDFF}'),
        2 => prop::char::range('\u{FDF0}', '\u{FDFF}'),
        2 => prop::char::range('\u{FE70}', '\u{FEFF}'),
        2 => prop::char::range('\u{0300}', '\u{036F}'),
        3 => prop::sample::select(&[
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}',
            '\u{2060}', '\u{2066}', '\u{2069}', '\u{061C}', '\u{FEFF}', '\u{0640}',
        ][..]),
        2 => prop::char::range('\u{2000}', '\u{206F}'),
        1 => prop::char::range('\u{F900}', '\u{FAFF}'),
        1 => prop::char::range('\u{00C0}', '\u{024F}'),
        1 => prop::char::range('\u{0370}', '\u{03FF}'),
        1 => prop::sample::select(&['\u{212A}', '\u{212B}', '\u{2126}', '\u{2329}', '\u{232A}'][..]),
        4 => prop::sample::select(&['a', 'Z', 'x', '7', 'ب', 'ي', ' ', ' ', '-', '_', '#', '.'][..]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// The law of the module docs: `normalize(normalize(x)) == normalize(x)`.
    #[test]
    fn normalization_is_idempotent_on_wide_code_points(
        chars in prop::collection::vec(wide_char(), 0..40),
    ) {
        let text: String = chars.into_iter().collect();
        let once = alam::normalize_str(&text);
        let twice = alam::normalize_str(&once);
        prop_assert_eq!(&twice, &once, "text {:?}", text);
    }
}

/// Letters, spaces, punctuation, accents, harakat and the characters NFC
/// replaces by another one (U+2000, U+2001, U+037E, U+0387, U+212A,
/// U+212B, U+2126, U+2329, U+232A, the CJK compatibility ideographs).
fn singleton_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(&[
            "a", "K", "s", "U", ".", ";", " ", "-", "_", "é", "e\u{0301}", "\u{0308}", "ب", "ي",
            "\u{064E}", "ـ", "\u{200F}", "Σ",
        ][..]).prop_map(String::from),
        2 => prop::sample::select(&[
            "\u{2000}", "\u{2001}", "\u{037E}", "\u{0387}", "\u{212A}", "\u{212B}", "\u{2126}",
            "\u{2329}", "\u{232A}",
        ][..]).prop_map(String::from),
        1 => prop::char::range('\u{F900}', '\u{FAFF}').prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

/// The words of a normalized text (maximal runs of word characters).
fn word_ranges(n: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = None;
    for (i, c) in n.char_indices().chain(std::iter::once((n.len(), ' '))) {
        match (start, alam::is_word_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                ranges.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    ranges
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every word maps back to the original characters it came from and
    /// to no neighbour: those characters normalize to the word itself
    /// (audit class A: a character NFC replaces widened the word before
    /// it by one character).
    #[test]
    fn a_word_maps_back_to_its_own_characters(text in singleton_text()) {
        let norm = alam::normalize(&text);
        for word in word_ranges(norm.as_str()) {
            let orig = norm.original_range(word.clone());
            prop_assert_eq!(
                alam::normalize_str(&text[orig.clone()]),
                &norm.as_str()[word.clone()],
                "word {:?} of {:?} maps to {:?}",
                &norm.as_str()[word.clone()],
                text,
                &text[orig]
            );
        }
    }
}
