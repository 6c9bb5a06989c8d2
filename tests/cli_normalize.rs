//! Normalization as a user meets it: `alam extract` (with the built-in
//! gazetteer) and `alam gazetteer lookup` (with a small one, which starts
//! faster) on characters that NFC replaces (audit #8), texts that
//! normalized twice used to change again (audit #18), and hashtags
//! (issue 19).

mod common;

use common::{Workdir, stderr, stdout};

/// A gazetteer folder `gaz` in `wd` with the entities the lookups name.
fn small_gazetteer(wd: &Workdir) -> String {
    wd.create(
        "gaz/entities.csv",
        "id,type,name,name_ar,aliases,weak_aliases,demonyms,country\n\
         country:US,country,United States,الولايات المتحدة,U.S.|US,,,\n\
         org:eu,organization,European Union,الاتحاد الأوروبي,EU,,,\n\
         person:kim-jong-un,person,Kim Jong Un,كيم جونغ أون,كيم جونج أون,,,\n",
    );
    "gaz".to_string()
}

/// The `mention:` lines of `alam gazetteer lookup`, as (entity id,
/// surface, char start, char end).
fn lookup_mentions(out: &str) -> Vec<(String, String, usize, usize)> {
    out.lines()
        .filter_map(|l| l.strip_prefix("mention: "))
        .filter(|l| !l.starts_with('('))
        .map(|l| {
            let id = l.split('\t').next().unwrap_or("").to_string();
            let surface = l.split('"').nth(1).unwrap_or("").to_string();
            let chars = l.split(" chars ").nth(1).unwrap_or("");
            let range = chars.split('\t').next().unwrap_or("");
            let (a, b) = range.split_once("..").expect("a char range");
            (id, surface, a.parse().unwrap(), b.parse().unwrap())
        })
        .collect()
}

/// The normalized form `alam gazetteer lookup` prints for `text`.
fn normalized(wd: &Workdir, gaz: &str, text: &str) -> String {
    let out = wd.run(&["gazetteer", "lookup", "-g", gaz, text]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = stdout(&out);
    let line = s.lines().next().unwrap_or("");
    line.strip_prefix("normalized: ")
        .unwrap_or_else(|| panic!("no normalized line in {s:?}"))
        .to_string()
}

#[test]
fn extract_keeps_mentions_off_nfc_singletons_and_reads_hashtags() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        concat!(
            r#"{"id":"a","text":"Putin\u2001met Xi in \u212Aazakhstan; Russia\u037E"}"#,
            "\n",
            r#"{"id":"b","text":"وقال #الاتحاد_الأوروبي إن #كيم_جونج_أون التقى #Vladimir_Putin"}"#,
            "\n",
        ),
    );
    let out = wd.run(&["extract", "in.jsonl", "-o", "o", "-q", "--discover", "off"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = wd.read("o/mentions.csv");
    let rows: Vec<(&str, &str, &str, &str, &str)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[1], f[4], f[5], f[6])
        })
        .collect();
    // "Putin\u2001met Xi in " is 16 characters; "وقال #" 6, then 16 for
    // the hashtag; "الاتحاد_الأوروبي إن #" ends at 27; كيم_جونج_أون
    // is 12; " التقى #" 8 more.
    assert_eq!(
        rows,
        [
            ("a", "person:vladimir-putin", "Putin", "0", "5"),
            ("a", "country:KZ", "\u{212A}azakhstan", "16", "26"),
            ("a", "country:RU", "Russia", "28", "34"),
            ("b", "org:eu", "الاتحاد_الأوروبي", "6", "22"),
            ("b", "person:kim-jong-un", "كيم_جونج_أون", "27", "39"),
            ("b", "person:vladimir-putin", "Vladimir_Putin", "47", "61"),
        ]
    );
}

#[test]
fn lookup_gives_no_overlapping_mentions_around_an_angstrom_sign() {
    let wd = Workdir::new();
    let gaz = small_gazetteer(&wd);
    for text in ["U.S.\u{212B}U.S.", "U.S.\u{212B} U.S.\u{2001}EU\u{212B}EU"] {
        let out = wd.run(&["gazetteer", "lookup", "-g", &gaz, text]);
        assert!(out.status.success(), "{}", stderr(&out));
        let ms = lookup_mentions(&stdout(&out));
        for pair in ms.windows(2) {
            assert!(pair[0].3 <= pair[1].2, "{text:?}: {ms:?}");
        }
        for (_, surface, start, end) in &ms {
            let by_chars: String = text.chars().skip(*start).take(end - start).collect();
            assert_eq!(&by_chars, surface, "{text:?}");
            assert!(!surface.starts_with(['.', ' ', '\u{2001}']), "{ms:?}");
        }
    }
    // The second text: U.S. before a space (U+2001), and nothing glued
    // to the Ångström sign.
    let out = wd.run(&[
        "gazetteer",
        "lookup",
        "-g",
        &gaz,
        "U.S.\u{212B} U.S.\u{2001}EU\u{212B}EU",
    ]);
    let ms = lookup_mentions(&stdout(&out));
    let got: Vec<(&str, &str)> = ms.iter().map(|m| (m.0.as_str(), m.1.as_str())).collect();
    assert_eq!(got, [("country:US", "U.S.")]);
}

#[test]
fn lookup_of_a_normalized_form_gives_it_back() {
    let wd = Workdir::new();
    let gaz = small_gazetteer(&wd);
    // (text, its normalized form, checked by hand)
    let cases = [
        // Two kept marks across a zero-width space: canonical order.
        ("\u{08E8}\u{200B}\u{08F6}", "\u{08F6}\u{08E8}"),
        // A dash before ﷼ (the letters ريال): between letters.
        ("a-\u{FDFC}", "a ريال"),
        ("\u{012B}-\u{FDFC}", "i ريال"),
        ("#كيم_جونج_أون", "#كيم جونج اون"),
        ("Putin\u{2001}met \u{212A}azakhstan", "putin met kazakhstan"),
    ];
    for (text, expected) in cases {
        let once = normalized(&wd, &gaz, text);
        assert_eq!(once, expected, "{text:?}");
        assert_eq!(normalized(&wd, &gaz, &once), once, "{text:?} twice");
    }
}

#[test]
fn lookup_reads_a_hashtag() {
    let wd = Workdir::new();
    let gaz = small_gazetteer(&wd);
    let out = wd.run(&[
        "gazetteer",
        "lookup",
        "-g",
        &gaz,
        "#الاتحاد_الأوروبي #كيم_جونج_أون",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ms = lookup_mentions(&stdout(&out));
    let want = [
        ("org:eu", "الاتحاد_الأوروبي", 1, 17),
        ("person:kim-jong-un", "كيم_جونج_أون", 19, 31),
    ];
    let got: Vec<(&str, &str, usize, usize)> = ms
        .iter()
        .map(|m| (m.0.as_str(), m.1.as_str(), m.2, m.3))
        .collect();
    assert_eq!(got, want);
}
