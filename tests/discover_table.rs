//! Discovery over the built-in gazetteer and lexicon: one row per rule
//! family and per trap, in sentences written for this test (none is taken
//! from a corpus), and properties: discovery never touches a gazetteer
//! mention, and ids are pure functions of the surface.

use std::sync::OnceLock;

use alam::{Discovery, Document, Form, Gazetteer, Mention, Pipeline};
use proptest::prelude::*;

fn pipelines() -> &'static (Pipeline, Pipeline) {
    static P: OnceLock<(Pipeline, Pipeline)> = OnceLock::new();
    P.get_or_init(|| {
        let gaz = Gazetteer::builtin();
        let on = Pipeline::builder(&gaz)
            .discovery(Discovery::On)
            .build()
            .expect("built-in lists");
        let off = Pipeline::new(&gaz).expect("built-in lists");
        (on, off)
    })
}

fn discovered(text: &str) -> Vec<Mention> {
    pipelines()
        .0
        .extract(&Document::new("t", text))
        .into_iter()
        .filter(|m| m.rule.is_some())
        .collect()
}

/// An expected discovered mention: (surface, entity id, rule).
type Expected = (&'static str, &'static str, &'static str);

/// (text, expected discovered mentions). An empty list means nothing may
/// be discovered.
const TABLE: &[(&str, &[Expected])] = &[
    // Arabic: a given name and name words.
    (
        "كان عادل الزهراني في المكتب.",
        &[("عادل الزهراني", "person:~عادل-الزهراني", "ar-given")],
    ),
    // A nasab chain with بن is one name.
    (
        "وصل سعد بن ناصر بن حمدان إلى المدينة.",
        &[(
            "سعد بن ناصر بن حمدان",
            "person:~سعد-بن-ناصر-بن-حمدان",
            "ar-given",
        )],
    ),
    // A proclitic و stays outside the name.
    (
        "وعادل الزهراني حاضر.",
        &[("عادل الزهراني", "person:~عادل-الزهراني", "ar-given")],
    ),
    // An honorific, not part of the name.
    (
        "استقبل السيد غيث الحسيني الوفد في مكتبه.",
        &[("غيث الحسيني", "person:~غيث-الحسيني", "ar-title")],
    ),
    // A role, its complement and a demonym, then the name.
    (
        "وأكد وزير الخارجية الكندي نيستور بامبو أن المحادثات مستمرة.",
        &[("نيستور بامبو", "person:~نيستور-بامبو", "ar-role")],
    ),
    // A demonym used as a noun.
    (
        "وفاز الكندي نيستور بامبو بالسباق.",
        &[("نيستور بامبو", "person:~نيستور-بامبو", "ar-demonym")],
    ),
    // A reporting verb, then a name.
    (
        "وقال كريس دالتون إن الفريق مستعد.",
        &[("كريس دالتون", "person:~كريس-دالتون", "ar-said")],
    ),
    // A kunya.
    (
        "وتحدث أبو سليم عن الحادث.",
        &[("أبو سليم", "person:~ابو-سليم", "ar-kin")],
    ),
    // An organization head whose name alone is the organization ...
    (
        "أعلنت شركة كوانتيكا عن منتج جديد.",
        &[("كوانتيكا", "organization:~كوانتيكا", "ar-org")],
    ),
    // ... and one that is part of the name.
    (
        "فاز حزب الخضر الجديد في الانتخابات.",
        &[(
            "حزب الخضر الجديد",
            "organization:~حزب-الخضر-الجديد",
            "ar-org",
        )],
    ),
    // The surname alone later in the document is the same person.
    (
        "كان عادل الزهراني في المكتب. وقال الزهراني إن الاتفاق قريب.",
        &[
            ("عادل الزهراني", "person:~عادل-الزهراني", "ar-given"),
            ("الزهراني", "person:~عادل-الزهراني", "propagated"),
        ],
    ),
    // ... and after a one-letter proclitic (ب + الزهراني), which is not
    // part of the mention.
    (
        "كان عادل الزهراني في المكتب. التقى الوفد بالزهراني أمس.",
        &[
            ("عادل الزهراني", "person:~عادل-الزهراني", "ar-given"),
            ("الزهراني", "person:~عادل-الزهراني", "propagated"),
        ],
    ),
    // Traps: no person.
    ("على الرغم من ذلك استمر العمل.", &[]),
    ("سافر الوفد إلى أبو ظبي أمس.", &[]),
    ("قال الرئيس الفرنسي إن بلاده مستعدة.", &[]),
    ("زار الوفد الكويت وقطر والسعودية وروسيا.", &[]),
    ("وصل الوزير الروسي إلى بكين.", &[]),
    ("قال الرئيس يريد السلام.", &[]),
    ("عقد رئيس الوزراء اجتماعا أمس.", &[]),
    ("وقال الوزير قوله الأخير.", &[]),
    ("أعلنت شركة النفط عن أرباحها.", &[]),
    // English: a given name and capitalized words.
    (
        "John Smithers said the plan failed.",
        &[("John Smithers", "person:~john-smithers", "en-given")],
    ),
    // A title, not part of the name.
    (
        "The talk was given by Dr. Elena Varga on Tuesday.",
        &[("Elena Varga", "person:~elena-varga", "en-title")],
    ),
    // Initials.
    (
        "In the second innings G. Thornbury scored twice.",
        &[("G. Thornbury", "person:~g-thornbury", "en-initials")],
    ),
    // Next to a reporting verb.
    (
        "The deal is off, Tomasz Wierzbicki told reporters.",
        &[("Tomasz Wierzbicki", "person:~tomasz-wierzbicki", "en-said")],
    ),
    // Two capitalized words that are no common words.
    (
        "The award went to Zdravko Sabbatelli on Sunday.",
        &[(
            "Zdravko Sabbatelli",
            "person:~zdravko-sabbatelli",
            "en-caps",
        )],
    ),
    // A country in brackets after the name.
    (
        "Second round: Zdravko Sabbatelli ( Italy ) beat the seed.",
        &[(
            "Zdravko Sabbatelli",
            "person:~zdravko-sabbatelli",
            "en-paren",
        )],
    ),
    // A demonym used as a noun.
    (
        "The title went to Italian Zdravko Sabbatelli on Sunday.",
        &[(
            "Zdravko Sabbatelli",
            "person:~zdravko-sabbatelli",
            "en-demonym",
        )],
    ),
    // Clubs beside their scores are no people.
    ("Results: Brovan Velen 1 Kordin Dolna 2.", &[]),
    // Organizations: a designator, a head with "of".
    (
        "Acme Widgets Inc. reported higher profits.",
        &[(
            "Acme Widgets Inc",
            "organization:~acme-widgets-inc",
            "en-org",
        )],
    ),
    // The acronym of an organization found in the document.
    (
        "Acme Widgets International Inc. reported profits. AWI shares rose.",
        &[
            (
                "Acme Widgets International Inc",
                "organization:~acme-widgets-international-inc",
                "en-org",
            ),
            (
                "AWI",
                "organization:~acme-widgets-international-inc",
                "propagated",
            ),
        ],
    ),
    (
        "She studied at the University of Nowhere.",
        &[(
            "University of Nowhere",
            "organization:~university-of-nowhere",
            "en-org",
        )],
    ),
    // The surname alone, linked to the full name.
    (
        "John Smithers arrived late. Later Smithers was tired.",
        &[
            ("John Smithers", "person:~john-smithers", "en-given"),
            ("Smithers", "person:~john-smithers", "propagated"),
        ],
    ),
    // Traps: no person.
    ("They won the Varga Cup final.", &[]),
    ("Metalurg Lipetsk won the match.", &[]),
    ("Monday was quiet in the markets.", &[]),
    // An all-capital headline says nothing by its capitals.
    ("ZDRAVKO SABBATELLI WINS AGAIN", &[]),
    ("Clashes broke out in the West Bank.", &[]),
    ("He moved to St Anselm last year.", &[]),
    ("The United States and China met in Geneva.", &[]),
];

#[test]
fn every_rule_family_and_every_trap() {
    let mut failures = Vec::new();
    for (text, expected) in TABLE {
        let got: Vec<(String, String, String)> = discovered(text)
            .iter()
            .map(|m| {
                (
                    m.surface.clone(),
                    m.entity_id.to_string(),
                    m.rule.map(|r| r.as_str()).unwrap_or("").to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = expected
            .iter()
            .map(|(s, i, r)| (s.to_string(), i.to_string(), r.to_string()))
            .collect();
        if got != want {
            failures.push(format!("{text}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn forms_and_types_of_discovered_mentions() {
    let found = discovered("كان عادل الزهراني في المكتب. وقال الزهراني إن الاتفاق قريب.");
    assert_eq!(found[0].form, Form::Discovered);
    assert_eq!(found[1].form, Form::DiscoveredWeak);
    assert_eq!(found[0].entity_type.as_ref(), "person");
    assert_eq!(found[0].name.as_ref(), "عادل الزهراني");
    assert_eq!(found[0].source(), "discovered");
    let org = discovered("She studied at the University of Nowhere.");
    assert_eq!(org[0].entity_type.as_ref(), "organization");
    assert_eq!(org[0].name.as_ref(), "University Of Nowhere");
    // Offsets are code points of the original text, prefix excluded.
    let text = "وعادل الزهراني حاضر.";
    let m = &discovered(text)[0];
    assert_eq!(m.prefix, "و");
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(
        chars[m.start..m.end].iter().collect::<String>(),
        "عادل الزهراني"
    );
}

#[test]
fn a_lone_given_name_is_a_short_form() {
    for text in ["استقبل السيد محمد الوفد.", "استقبل السيد عبد الكريم الوفد."]
    {
        let found = discovered(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].form, Form::DiscoveredWeak, "{text}");
    }
    // With a family name it is a name.
    let found = discovered("استقبل السيد عبد الكريم الزهراني الوفد.");
    assert_eq!(found[0].form, Form::Discovered);
}

#[test]
fn the_rejected_list_suppresses_a_name() {
    let gaz = Gazetteer::new();
    let mut lex = alam::Lexicon::builtin();
    lex.add_csv(
        "rejected.csv",
        "form,class\nعادل الزهراني,reject\n".as_bytes(),
    );
    let p = Pipeline::builder(&gaz)
        .discovery(Discovery::On)
        .lexicon(lex)
        .build()
        .unwrap();
    let text = "كان عادل الزهراني في المكتب. وكان السيد غيث الحسيني هناك.";
    let ids: Vec<String> = p
        .extract(&Document::new("d", text))
        .iter()
        .map(|m| m.entity_id.to_string())
        .collect();
    assert_eq!(ids, ["person:~غيث-الحسيني"]);
}

#[test]
fn high_keeps_only_the_listed_evidence() {
    let gaz = Gazetteer::builtin();
    let high = Pipeline::builder(&gaz)
        .discovery(Discovery::High)
        .build()
        .unwrap();
    let rules = |text: &str| -> Vec<&'static str> {
        high.extract(&Document::new("d", text))
            .iter()
            .filter_map(|m| m.rule.map(|r| r.as_str()))
            .collect()
    };
    // A given name and a listed family name: kept.
    assert_eq!(rules("كان عادل القحطاني في المكتب."), ["ar-given"]);
    // Two unlisted capitalized words: only `on` finds them.
    assert!(rules("The award went to Zdravko Sabbatelli on Sunday.").is_empty());
    assert!(rules("وفاز الكندي نيستور بامبو بالسباق.").is_empty());
}

/// Words to build random texts from: gazetteer names, given names,
/// titles, roles, heads, function words, unlisted words, punctuation.
const VOCAB: &[&str] = &[
    "روسيا",
    "وروسيا",
    "بوتين",
    "لافروف",
    "الكويت",
    "بالكويت",
    "الفرنسي",
    "الرئيس",
    "وزير",
    "الخارجية",
    "السيد",
    "الشيخ",
    "عادل",
    "محمد",
    "وأحمد",
    "الزهراني",
    "نيستور",
    "بامبو",
    "بن",
    "أبو",
    "ظبي",
    "شركة",
    "حزب",
    "العمال",
    "قال",
    "في",
    "على",
    "إن",
    "أمس",
    ".",
    "،",
    "\n",
    "Putin",
    "Russia",
    "John",
    "Smithers",
    "Dr.",
    "President",
    "said",
    "the",
    "University",
    "of",
    "Paris",
    "Inc.",
    "G.",
    "Cup",
    "West",
    "Bank",
    // Characters normalization expands, deletes or keeps across words.
    "ﷺ",
    "ﷲ",
    "ﻻفروف",
    "(",
    ")",
    "( Italy )",
    "Zdravko",
    "Italian",
    "\u{200C}",
    "مُحَمَّد",
    "وكالة",
    "Acme",
    "AWI",
    "1",
    "😀",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Discovery adds mentions and never changes one: every gazetteer
    /// mention of a text is there, unchanged, with discovery on, and no
    /// discovered mention overlaps one (prefix included).
    #[test]
    fn discovery_never_touches_a_gazetteer_mention(words in proptest::collection::vec(0..VOCAB.len(), 1..40)) {
        let text: String = words.iter().map(|&i| VOCAB[i]).collect::<Vec<_>>().join(" ");
        let (on, off) = pipelines();
        let doc = Document::new("d", text.as_str());
        let with = on.extract(&doc);
        let without = off.extract(&doc);
        let gazetteer: Vec<&Mention> = with.iter().filter(|m| m.rule.is_none()).collect();
        prop_assert_eq!(gazetteer.len(), without.len());
        for (a, b) in gazetteer.iter().zip(&without) {
            prop_assert_eq!(*a, b);
        }
        for d in with.iter().filter(|m| m.rule.is_some()) {
            for g in &without {
                let g_start = g.byte_start - g.prefix.len();
                prop_assert!(
                    d.byte_end <= g_start || g.byte_end <= d.byte_start - d.prefix.len(),
                    "{:?} overlaps {:?} in {:?}", d.surface, g.surface, text
                );
            }
            // The id is a function of the surface: the same name alone
            // gets the same id (unless it is a linked short form).
            prop_assert!(alam::is_discovered_id(&d.entity_id));
            prop_assert_eq!(&text[d.byte_start..d.byte_end], d.surface.as_str());
        }
        // Mentions stay in text order and never overlap each other.
        for w in with.windows(2) {
            prop_assert!(w[0].byte_end <= w[1].byte_start - w[1].prefix.len(), "{:?}", with);
        }
    }
}
