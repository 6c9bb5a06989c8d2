//! Table-driven matching tests on the fixture gazetteer
//! `tests/fixtures/gaz/`: the traps of SPEC section 4 and the rules one by
//! one. Each row: (name, text, expected mentions as
//! (entity_id, surface, prefix, form)).

use alam::{Document, Entity, Form, Gazetteer, Mention, Pipeline};

fn fixture() -> Gazetteer {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gaz");
    Gazetteer::from_dir(dir.as_ref()).expect("fixture gazetteer")
}

fn pipeline() -> Pipeline {
    Pipeline::new(&fixture()).expect("fixture gazetteer is valid")
}

/// The fixture gazetteer and three entities with multi-word forms, for
/// hashtags and the characters NFC replaces.
fn pipeline_with_more_names() -> Pipeline {
    let mut gaz = fixture();
    let mut eu = Entity::new("org:eu", "organization", "European Union");
    eu.name_ar = Some("الاتحاد الأوروبي".into());
    eu.aliases = vec!["EU".into()];
    let mut kim = Entity::new("person:kim-jong-un", "person", "Kim Jong Un");
    kim.name_ar = Some("كيم جونغ أون".into());
    kim.aliases = vec!["كيم جونج أون".into()];
    let mut kz = Entity::new("country:KZ", "country", "Kazakhstan");
    kz.name_ar = Some("كازاخستان".into());
    for e in [eu, kim, kz] {
        gaz.push(e);
    }
    Pipeline::new(&gaz).expect("valid gazetteer")
}

fn found(p: &Pipeline, text: &str) -> Vec<Mention> {
    p.extract(&Document::new("t", text))
}

type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str, Form)],
);

use Form::{Alias, Demonym, Name, Weak};

const TRAPS: &[Row] = &[
    // شيء / شئ (thing) keep their hamza and never give Xi.
    (
        "xi_thing_1",
        "شي جين بينغ قال كل شيء",
        &[("person:xi-jinping", "شي جين بينغ", "", Name)],
    ),
    (
        "xi_thing_2",
        "شي جين بينغ لم يقل أي شئ",
        &[("person:xi-jinping", "شي جين بينغ", "", Name)],
    ),
    ("xi_thing_alone", "لم يبق شيء ولا شئ", &[]),
    // The hamza written apart after ى (NFC does not compose it) is kept
    // too (issue 17).
    (
        "xi_thing_separate_hamza",
        "شي جين بينغ لم يقل أي شى\u{0654}",
        &[("person:xi-jinping", "شي جين بينغ", "", Name)],
    ),
    // Weak شي alone (no strong Xi in the document) gives nothing.
    (
        "xi_weak_alone",
        "التقى بوتين وشي في موسكو",
        &[
            ("person:vladimir-putin", "بوتين", "", Alias),
            ("city:moscow", "موسكو", "", Name),
        ],
    ),
    (
        "xi_weak_with_full",
        "شي جين بينج في موسكو. وقال شي إن",
        &[
            ("person:xi-jinping", "شي جين بينج", "", Alias),
            ("city:moscow", "موسكو", "", Name),
            ("person:xi-jinping", "شي", "", Weak),
        ],
    ),
    // بكين is Beijing, never ب + كين (Ken).
    (
        "beijing_not_ken",
        "زار بكين",
        &[("city:beijing", "بكين", "", Name)],
    ),
    ("ken_alone", "قال كين", &[("person:ken", "كين", "", Alias)]),
    (
        "ken_with_bi",
        "مر بكين دو",
        &[("city:beijing", "بكين", "", Name)],
    ),
    // Names that begin with a proclitic letter are themselves.
    (
        "lavrov",
        "لافروف",
        &[("person:sergey-lavrov", "لافروف", "", Alias)],
    ),
    (
        "putin",
        "بوتين",
        &[("person:vladimir-putin", "بوتين", "", Alias)],
    ),
    ("libya", "ليبيا", &[("country:LY", "ليبيا", "", Name)]),
    ("korea", "كوريا", &[("country:KR", "كوريا", "", Alias)]),
    ("france", "فرنسا", &[("country:FR", "فرنسا", "", Name)]),
    // Lowercase English us / who are not the US / the WHO.
    ("us_lower", "let us see who said it", &[]),
    (
        "us_caps",
        "the US and WHO said",
        &[
            ("country:US", "US", "", Alias),
            ("org:who", "WHO", "", Alias),
        ],
    ),
    (
        "us_dotted",
        "U.S. officials",
        &[("country:US", "U.S.", "", Alias)],
    ),
    ("us_title_case", "Us and Who", &[]),
    // A form that ends or begins with punctuation ends and begins at a
    // word boundary too (issue 17).
    ("ussr_not_us", "the U.S.S.R. collapsed", &[]),
    (
        "us_led",
        "U.S.-led forces",
        &[("country:US", "U.S.", "", Alias)],
    ),
    (
        "us_possessive",
        "the U.S.'s allies",
        &[("country:US", "U.S.", "", Alias)],
    ),
    (
        "cpp_not_in_longer_word",
        "C++x is not C++",
        &[("org:cpp", "C++", "", Name)],
    ),
    (
        "dotnet_not_inside_word",
        "ASP.NET runs on .NET",
        &[("org:dotnet", ".NET", "", Name)],
    ),
];

const CLITICS: &[Row] = &[
    ("waw", "وروسيا", &[("country:RU", "روسيا", "و", Name)]),
    (
        "persian_yeh",
        "وروسیا",
        &[("country:RU", "روسیا", "و", Name)],
    ),
    (
        "bi_article",
        "بالكويت",
        &[("country:KW", "الكويت", "ب", Name)],
    ),
    (
        "li_article",
        "للكويت",
        &[("country:KW", "لكويت", "ل", Name)],
    ),
    (
        "wa_li_article",
        "وللكويت",
        &[("country:KW", "لكويت", "ول", Name)],
    ),
    (
        "fa_li_article",
        "فللصين",
        &[("country:CN", "لصين", "فل", Name)],
    ),
    (
        "wa_bi_article",
        "وبالصين",
        &[("country:CN", "الصين", "وب", Name)],
    ),
    (
        "wa_article",
        "والصين",
        &[("country:CN", "الصين", "و", Name)],
    ),
    ("ka", "كروسيا", &[("country:RU", "روسيا", "ك", Name)]),
    ("sin_never", "سروسيا", &[]),
    ("enclitic_never", "روسيانا", &[]),
    ("two_proclitics_bad", "ببروسيا", &[]),
    (
        "multiword_with_prefix",
        "وللولايات المتحدة",
        &[("country:US", "لولايات المتحدة", "ول", Name)],
    ),
    ("inside_word", "مروسيا", &[]),
    // Issue 17: a place or a person takes the article only where its
    // form begins with it (السيول, the floods, is not Seoul); an
    // organization and a demonym take it.
    ("article_not_before_city", "جرفت السيول المنازل", &[]),
    ("article_li_not_before_city", "خطة للسيول", &[]),
    (
        "city_alone",
        "زار سيول",
        &[("city:seoul", "سيول", "", Name)],
    ),
    (
        "article_before_org",
        "نشر على الفيسبوك",
        &[("org:facebook", "فيسبوك", "ال", Name)],
    ),
    (
        "article_before_demonym",
        "السفير الروسي",
        &[("country:RU", "روسي", "ال", Demonym)],
    ),
    // ك before a form without the article: five letters at least
    // (كسرت, broke, is not ك + Sirte; كروسيا is like Russia).
    ("ka_short_form", "كسرت الموجة", &[]),
    ("wa_ka_short_form", "وكسيول", &[]),
    (
        "ka_article_in_form",
        "كالصين",
        &[("country:CN", "الصين", "ك", Name)],
    ),
    (
        "ka_article_prefix_demonym",
        "كالروسي",
        &[("country:RU", "روسي", "كال", Demonym)],
    ),
];

const DEMONYMS: &[Row] = &[
    (
        "base",
        "الوزير الروسي",
        &[("country:RU", "روسي", "ال", Demonym)],
    ),
    (
        "fem",
        "الحكومة الروسية",
        &[("country:RU", "روسية", "ال", Demonym)],
    ),
    (
        "fem_persian",
        "الحرب الروسیة",
        &[("country:RU", "روسیة", "ال", Demonym)],
    ),
    (
        "plural_un",
        "الروسيون",
        &[("country:RU", "روسيون", "ال", Demonym)],
    ),
    (
        "plural_in",
        "الروسيين",
        &[("country:RU", "روسيين", "ال", Demonym)],
    ),
    (
        "dual",
        "الروسيان",
        &[("country:RU", "روسيان", "ال", Demonym)],
    ),
    (
        "fem_plural",
        "الروسيات",
        &[("country:RU", "روسيات", "ال", Demonym)],
    ),
    (
        "waw_article",
        "والروسية",
        &[("country:RU", "روسية", "وال", Demonym)],
    ),
    (
        "li_article",
        "للروسية",
        &[("country:RU", "روسية", "لل", Demonym)],
    ),
    (
        "english",
        "Russian and Russians",
        &[
            ("country:RU", "Russian", "", Demonym),
            ("country:RU", "Russians", "", Demonym),
        ],
    ),
    (
        "american_variants",
        "الأمريكي والأميركية",
        &[
            ("country:US", "أمريكي", "ال", Demonym),
            ("country:US", "أميركية", "وال", Demonym),
        ],
    ),
];

const WEAK_FULL_WORD: &[Row] = &[
    // Issue 17: a weak full word that does not count (no strong form of
    // its person here) does not hide the demonym reading of the word.
    (
        "weak_does_not_block_demonym",
        "قال الرئيس السوداني",
        &[("country:SD", "سوداني", "ال", Demonym)],
    ),
    // Where it counts, it is the person.
    (
        "weak_supported_full_word",
        "محمد السوداني. وقال السوداني",
        &[
            ("person:al-sudani", "محمد السوداني", "", Name),
            ("person:al-sudani", "السوداني", "", Weak),
        ],
    ),
];

const ENGLISH: &[Row] = &[
    (
        "possessive",
        "Putin's plan",
        &[("person:vladimir-putin", "Putin", "", Alias)],
    ),
    (
        "curly_possessive",
        "Lavrov’s visit",
        &[("person:sergey-lavrov", "Lavrov", "", Alias)],
    ),
    (
        "case_insensitive",
        "PUTIN and putin",
        &[
            ("person:vladimir-putin", "PUTIN", "", Alias),
            ("person:vladimir-putin", "putin", "", Alias),
        ],
    ),
    ("no_partial_word", "Putinism", &[]),
    (
        "hyphen",
        "Al-Qaida cells",
        &[("org:al-qaeda", "Al-Qaida", "", Alias)],
    ),
    ("accent", "Pékin", &[]),
    // Letters with no Unicode decomposition fold too (issue 17).
    (
        "l_stroke",
        "Lech Wałęsa in Łódź",
        &[
            ("person:lech-walesa", "Lech Wałęsa", "", Name),
            ("city:lodz", "Łódź", "", Name),
        ],
    ),
];

/// Issue 19: an underscore between two word characters separates words,
/// so hashtags name what their words name; the surface is the hashtag
/// without its `#`, underscores included.
const HASHTAGS: &[Row] = &[
    (
        "eu_arabic",
        "وقال #الاتحاد_الأوروبي إن",
        &[("org:eu", "الاتحاد_الأوروبي", "", Name)],
    ),
    (
        "kim_arabic",
        "زار #كيم_جونج_أون بكين",
        &[
            ("person:kim-jong-un", "كيم_جونج_أون", "", Alias),
            ("city:beijing", "بكين", "", Name),
        ],
    ),
    (
        "putin_and_xi_latin",
        "#Vladimir_Putin met #Xi_Jinping",
        &[
            ("person:vladimir-putin", "Vladimir_Putin", "", Name),
            ("person:xi-jinping", "Xi_Jinping", "", Name),
        ],
    ),
    (
        "proclitic_inside",
        "#والاتحاد_الأوروبي",
        &[("org:eu", "الاتحاد_الأوروبي", "و", Name)],
    ),
    (
        "hashtag_of_one_word_and_a_year",
        "#روسيا_2024",
        &[("country:RU", "روسيا", "", Name)],
    ),
    // Underscores that are not between two word characters stay: a
    // doubled one does not join the words of a form.
    (
        "double_underscore",
        "Vladimir__Putin __Russia__",
        &[
            ("person:vladimir-putin", "Putin", "", Alias),
            ("country:RU", "Russia", "", Name),
        ],
    ),
    // English snake_case splits too: a name in it is found, as in
    // lowercase prose; other identifiers give nothing.
    (
        "snake_case",
        "set max_retry_count=3 for the kremlin_putin_feed",
        &[("person:vladimir-putin", "putin", "", Alias)],
    ),
];

/// Audit #8: a character that NFC replaces by another (U+2001 em quad,
/// U+212A Kelvin sign, U+037E Greek question mark, U+212B Ångström sign)
/// does not widen the mention next to it.
const NFC_SINGLETONS: &[Row] = &[
    (
        "quad_kelvin_greek_question_mark",
        "Putin\u{2001}met Xi in \u{212A}azakhstan; Russia\u{037E}",
        &[
            ("person:vladimir-putin", "Putin", "", Alias),
            ("country:KZ", "\u{212A}azakhstan", "", Name),
            ("country:RU", "Russia", "", Name),
        ],
    ),
    (
        "angstrom_between_acronyms",
        "U.S.\u{212B} and U.S.",
        &[("country:US", "U.S.", "", Alias)],
    ),
    (
        "angle_brackets",
        "\u{2329}Russia\u{232A}\u{2329}بوتين\u{232A}",
        &[
            ("country:RU", "Russia", "", Name),
            ("person:vladimir-putin", "بوتين", "", Alias),
        ],
    ),
    // A CJK compatibility ideograph is a letter: no word boundary.
    ("cjk_compatibility_is_a_letter", "\u{F900}روسيا", &[]),
];

const OVERLAP: &[Row] = &[
    (
        "longest_gcc",
        "مجلس التعاون لدول الخليج العربية",
        &[("org:gcc", "مجلس التعاون لدول الخليج العربية", "", Name)],
    ),
    (
        "gulf_alone",
        "دول الخليج",
        &[("org:gulf", "الخليج", "", Name)],
    ),
    (
        "longest_of_two_aliases",
        "الرئيس شي جين بينج",
        &[("person:xi-jinping", "شي جين بينج", "", Alias)],
    ),
];

const WEAK_COVERS: &[Row] = &[
    // An unsupported weak form produces no mention but covers its text.
    ("weak_blocks_shorter", "اجتمع مجلس الأمن القومي التركي", &[]),
    (
        "strong_alone",
        "اجتمع مجلس الأمن أمس",
        &[("org:unsc", "مجلس الأمن", "", Name)],
    ),
    (
        "longer_strong",
        "مجلس الأمن الدولي",
        &[("org:unsc", "مجلس الأمن الدولي", "", Alias)],
    ),
    (
        "weak_supported",
        "مجلس الأمن القومي الأمريكي. وقال مجلس الأمن القومي",
        &[
            ("org:us-nsc", "مجلس الأمن القومي الأمريكي", "", Name),
            ("org:us-nsc", "مجلس الأمن القومي", "", Weak),
        ],
    ),
];

const AMBIGUITY: &[Row] = &[
    // عمان is Oman (first listed) unless the document settles it.
    (
        "oman_default",
        "وصل إلى عمان",
        &[("country:OM", "عمان", "", Alias)],
    ),
    (
        "amman_by_context",
        "Amman: وصل إلى عمان",
        &[
            ("city:amman", "Amman", "", Name),
            ("city:amman", "عمان", "", Name),
        ],
    ),
    (
        "oman_by_context",
        "سلطنة عمان. وصل إلى عمان",
        &[
            ("country:OM", "سلطنة عمان", "", Name),
            ("country:OM", "عمان", "", Alias),
        ],
    ),
    // The related country settles it too: Amman is in Jordan.
    (
        "amman_by_country",
        "الأردن: وصل إلى عمان",
        &[
            ("country:JO", "الأردن", "", Name),
            ("city:amman", "عمان", "", Name),
        ],
    ),
    // مالي is weak for Mali: "financial" alone never gives Mali.
    ("mali_financial", "دعم مالي كبير", &[]),
    (
        "mali_with_strong",
        "جمهورية مالي تطلب دعما. وقالت مالي",
        &[
            ("country:ML", "جمهورية مالي", "", Name),
            ("country:ML", "مالي", "", Weak),
        ],
    ),
    // بوش is weak for two people: with one named in full, it is his.
    (
        "bush_resolved",
        "جورج دبليو بوش قال. ثم قال بوش",
        &[
            ("person:george-w-bush", "جورج دبليو بوش", "", Name),
            ("person:george-w-bush", "بوش", "", Weak),
        ],
    ),
];

fn run(group: &str, rows: &[Row]) {
    run_with(&pipeline(), group, rows);
}

fn run_with(p: &Pipeline, group: &str, rows: &[Row]) {
    for &(name, text, expected) in rows {
        let got: Vec<(String, String, String, Form)> = found(p, text)
            .into_iter()
            .map(|m| (m.entity_id.to_string(), m.surface, m.prefix, m.form))
            .collect();
        let want: Vec<(String, String, String, Form)> = expected
            .iter()
            .map(|&(id, s, pre, f)| (id.to_string(), s.to_string(), pre.to_string(), f))
            .collect();
        assert_eq!(got, want, "group: {group}, test: {name}, text: {text:?}");
    }
}

#[test]
fn traps() {
    run("TRAPS", TRAPS);
}

#[test]
fn clitics() {
    run("CLITICS", CLITICS);
}

#[test]
fn demonyms() {
    run("DEMONYMS", DEMONYMS);
}

#[test]
fn weak_full_word() {
    run("WEAK_FULL_WORD", WEAK_FULL_WORD);
}

#[test]
fn english() {
    run("ENGLISH", ENGLISH);
}

#[test]
fn hashtags() {
    run_with(&pipeline_with_more_names(), "HASHTAGS", HASHTAGS);
}

#[test]
fn nfc_singletons() {
    run_with(
        &pipeline_with_more_names(),
        "NFC_SINGLETONS",
        NFC_SINGLETONS,
    );
}

/// No two mentions overlap, whatever NFC does around them (audit #8's
/// minimized case).
#[test]
fn no_overlap_around_angstrom() {
    let p = pipeline_with_more_names();
    let text = "U.S.\u{212B}U.S. U.S.\u{212B} \u{212B}U.S. U.S.\u{2001}";
    let ms = found(&p, text);
    for pair in ms.windows(2) {
        assert!(pair[0].byte_end <= pair[1].byte_start, "{ms:?}");
    }
    let surfaces: Vec<&str> = ms.iter().map(|m| m.surface.as_str()).collect();
    assert_eq!(surfaces, ["U.S."], "{text:?}");
}

#[test]
fn overlap() {
    run("OVERLAP", OVERLAP);
}

#[test]
fn weak_forms_cover_their_text() {
    run("WEAK_COVERS", WEAK_COVERS);
}

#[test]
fn ambiguity() {
    run("AMBIGUITY", AMBIGUITY);
}

#[test]
fn ambiguity_flags_and_alternatives() {
    let p = pipeline();
    let m = &found(&p, "وصل إلى عمان")[0];
    assert!(m.ambiguous);
    assert_eq!(
        m.alternatives
            .iter()
            .map(|a| a.as_ref())
            .collect::<Vec<_>>(),
        ["city:amman"]
    );
    let m = &found(&p, "Amman: وصل إلى عمان")[1];
    assert!(!m.ambiguous);
    let m = &found(&p, "الأردنيون في عمان")[1];
    assert_eq!((m.entity_id.as_ref(), m.ambiguous), ("city:amman", false));
    // Bush named only by the weak surname: no strong form, no mention.
    let ms = found(&p, "قال بوش");
    assert!(ms.is_empty(), "{ms:?}");
}

#[test]
fn unsettled_ambiguity_goes_to_first_listed() {
    // Other entities in the document do not settle عمان.
    let p = pipeline();
    let ms = found(&p, "عمان وجمهورية مالي ومالي");
    assert_eq!(ms[0].entity_id.as_ref(), "country:OM");
    assert!(ms[0].ambiguous);
}

#[test]
fn offsets_are_code_points_of_the_original() {
    let p = pipeline();
    let text = "قال بُوتِين\u{200F} إن ﻻﻓﺮﻭﻑ وروسیا";
    for m in found(&p, text) {
        let by_chars: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(by_chars, m.surface);
        assert_eq!(&text[m.byte_start..m.byte_end], m.surface);
    }
    let surfaces: Vec<String> = found(&p, text).into_iter().map(|m| m.surface).collect();
    assert_eq!(surfaces, ["بُوتِين", "ﻻﻓﺮﻭﻑ", "روسیا"]);
}
