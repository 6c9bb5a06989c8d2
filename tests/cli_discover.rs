//! Discovery through the command line: `--discover`, the review workflow
//! (`discovered.csv` -> `alam review` -> `--add-gazetteer`), rejected
//! names, lexicon errors, and `alam evaluate`.

mod common;

use common::{Workdir, fixture_gazetteer, stderr, stdout};

fn rows(wd: &Workdir, name: &str) -> Vec<Vec<String>> {
    let data = wd.read(name);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(data.as_bytes());
    rdr.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

const TEXT: &str = "كان عادل الزهراني في المكتب. وقال الزهراني إن بوتين زار روسيا.\n\n\
                    استقبل السيد غيث الحسيني الوفد. John Smithers said the plan failed.";

#[test]
fn discover_modes() {
    let wd = Workdir::new();
    wd.create("a.txt", TEXT);
    let gaz = fixture_gazetteer();
    for (mode, expected) in [
        ("off", vec![]),
        (
            "on",
            vec![
                "person:~john-smithers",
                "person:~عادل-الزهراني",
                "person:~غيث-الحسيني",
            ],
        ),
    ] {
        let out = wd.run(&[
            "extract",
            "-g",
            &gaz,
            "a.txt",
            "-o",
            mode,
            "-q",
            "--discover",
            mode,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let found = rows(&wd, &format!("{mode}/discovered.csv"));
        let mut ids = column(&found, "entity_id");
        ids.sort();
        assert_eq!(ids, expected, "{mode}");
    }
    // The surname alone is a discovered-weak mention of the full name.
    let mentions = rows(&wd, "on/mentions.csv");
    let weak: Vec<(String, String)> = mentions[1..]
        .iter()
        .filter(|r| r[9] == "discovered-weak")
        .map(|r| (r[4].clone(), r[1].clone()))
        .collect();
    assert_eq!(
        weak,
        [("الزهراني".to_string(), "person:~عادل-الزهراني".to_string())]
    );
    let d = rows(&wd, "on/discovered.csv");
    // Most mentions first (the full name and the surname alone: 2), then
    // by id, byte for byte (Latin before Arabic).
    assert_eq!(
        column(&d, "entity_id"),
        [
            "person:~عادل-الزهراني",
            "person:~john-smithers",
            "person:~غيث-الحسيني",
        ]
    );
    let row = d[1..]
        .iter()
        .find(|r| r[0] == "person:~عادل-الزهراني")
        .unwrap();
    // mentions, documents, variants, rules, example_doc, example
    assert_eq!(row[3], "2");
    assert_eq!(row[4], "1");
    assert_eq!(row[5], "الزهراني:1|عادل الزهراني:1");
    assert_eq!(row[6], "ar-given:1|propagated:1");
    assert_eq!(row[8], "a.txt");
    assert_eq!(row[9], "كان عادل الزهراني في المكتب.");
    // The rule is in mentions.jsonl, on discovered mentions only.
    let jsonl = wd.read("on/mentions.jsonl");
    let v: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    let rules: Vec<&str> = v["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.get("rule").and_then(|r| r.as_str()).unwrap_or("-"))
        .collect();
    assert!(
        rules.contains(&"ar-given") && rules.contains(&"-"),
        "{rules:?}"
    );
    let bad = wd.run(&["extract", "-g", &gaz, "a.txt", "--discover", "maybe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("expected off, high, on"));
}

#[test]
fn review_turns_discovered_rows_into_gazetteer_rows() {
    let wd = Workdir::new();
    wd.create("a.txt", TEXT);
    let gaz = fixture_gazetteer();
    let out = wd.run(&["extract", "-g", &gaz, "a.txt", "-o", "o1", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The reviewer rejects one name and accepts the rest.
    let mut table = rows(&wd, "o1/discovered.csv");
    let status = table[0].iter().position(|h| h == "status").unwrap();
    for r in table.iter_mut().skip(1) {
        r[status] = if r[0] == "person:~غيث-الحسيني" {
            "reject".into()
        } else {
            String::new()
        };
    }
    let mut w = csv::Writer::from_path(wd.path().join("reviewed.csv")).unwrap();
    for r in &table {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let out = wd.run(&[
        "review",
        "reviewed.csv",
        "-o",
        "mine",
        "--min-mentions",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cands = rows(&wd, "mine/candidates.csv");
    assert_eq!(
        &cands[0][..8],
        [
            "id",
            "type",
            "name",
            "name_ar",
            "aliases",
            "weak_aliases",
            "demonyms",
            "country"
        ]
    );
    let mut ids = column(&cands, "id");
    ids.sort();
    assert_eq!(ids, ["person:r-john-smithers", "person:r-عادل-الزهراني"]);
    let z = cands[1..]
        .iter()
        .find(|r| r[0] == "person:r-عادل-الزهراني")
        .unwrap();
    assert_eq!(
        (z[2].as_str(), z[3].as_str(), z[5].as_str()),
        ("عادل الزهراني", "عادل الزهراني", "الزهراني")
    );
    assert_eq!(
        wd.read("mine/lexicon/rejected.csv"),
        "form,class,count,note\nغيث الحسيني,reject,,rejected in review\n"
    );
    // The folder checks clean and, added, turns the accepted names into
    // gazetteer entities and silences the rejected one.
    let check = wd.run(&["gazetteer", "check", "mine"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let out = wd.run(&[
        "extract",
        "-g",
        &gaz,
        "--add-gazetteer",
        "mine",
        "a.txt",
        "-o",
        "o2",
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows(&wd, "o2/discovered.csv").len(), 1, "only the header");
    let entities = rows(&wd, "o2/entities.csv");
    let pairs: Vec<(String, String)> = entities[1..]
        .iter()
        .map(|r| (r[0].clone(), r[7].clone()))
        .filter(|(id, _)| id.starts_with("person:"))
        .collect();
    assert!(
        pairs.contains(&("person:r-عادل-الزهراني".into(), "gazetteer".into())),
        "{pairs:?}"
    );
    assert!(
        !pairs.iter().any(|(id, _)| id.contains("الحسيني")),
        "{pairs:?}"
    );
}

#[test]
fn review_reports_bad_rows_at_their_line() {
    let wd = Workdir::new();
    wd.create(
        "d.csv",
        "entity_id,type,name,mentions,documents,variants,rules,similar,example_doc,example,status\n\
         person:~a-b,person,A B,2,1,A B:2,en-given:2,,d,A B said,\n\
         person:~c-d,person,C D,two,1,C D:2,en-given:2,,d,x,\n",
    );
    let out = wd.run(&["review", "d.csv", "-o", "r"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("d.csv:3: mentions \"two\" is not a whole number"),
        "{}",
        stderr(&out)
    );
    wd.create(
        "e.csv",
        "entity_id,type,name,mentions,documents,variants,rules,similar,example_doc,example,status\n\
         person:~a-b,person,A B,2,1,A B:2,en-given:2,,d,x,maybe\n",
    );
    let out = wd.run(&["review", "e.csv", "-o", "r"]);
    assert!(
        stderr(&out).contains("e.csv:2: status \"maybe\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_lexicon_with_errors_is_refused_with_its_position() {
    let wd = Workdir::new();
    wd.create("a.txt", TEXT);
    wd.create(
        "mine/lexicon/x.csv",
        "form,class\nفيصل,given\nغيث,surname\n",
    );
    let out = wd.run(&[
        "extract",
        "--add-gazetteer",
        "mine",
        "a.txt",
        "-o",
        "o",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("mine/lexicon/x.csv:3: error: unknown class \"surname\""),
        "{}",
        stderr(&out)
    );
    // gazetteer check reports the lexicon's problems and fails.
    wd.create("mine/a.csv", "id,type,name\nx:1,person,X\n");
    let check = wd.run(&["gazetteer", "check", "mine"]);
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    assert!(
        text.contains("mine/lexicon/x.csv:3: error: unknown class \"surname\"")
            && text.contains("lexicon: 1 forms (1 given), 1 errors"),
        "{text}"
    );
    // Without discovery the lexicon is not read.
    let out = wd.run(&[
        "extract",
        "--add-gazetteer",
        "mine",
        "a.txt",
        "-o",
        "o",
        "-q",
        "--discover",
        "off",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn evaluate_prints_precision_and_recall_per_type() {
    let wd = Workdir::new();
    // Two documents; persons: one found by the gazetteer (بوتين), one by
    // discovery (عادل الزهراني), one missed (Smithers alone); locations:
    // روسيا found; one wrong person prediction is impossible here, so
    // precision is 1 and recall 2/3 for persons.
    wd.create(
        "gold.bio",
        "-DOCSTART- O\n\nزار B-PERS\nبوتين B-PERS\nروسيا B-LOC\n. O\n\n\
         -DOCSTART- O\n\nكان O\nعادل B-PERS\nالزهراني I-PERS\nفي O\nالمكتب O\nمع O\nSmithers B-PER\n. O\n",
    );
    let gaz = fixture_gazetteer();
    let out = wd.run(&["evaluate", "gold.bio", "-g", &gaz, "--misses", "m.tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |t: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{t}\t")))
            .unwrap_or_else(|| panic!("{t} in {text}"))
            .to_string()
    };
    // The first زار is tagged B-PERS in this file on purpose: a gold
    // entity nothing finds.
    assert_eq!(line("person"), "person\t4\t2\t1.000\t0.500\t0.667");
    assert_eq!(line("location"), "location\t1\t1\t1.000\t1.000\t1.000");
    assert!(text.contains("person\tar-given\t1\t1.000"), "{text}");
    let misses = wd.read("m.tsv");
    assert_eq!(
        misses.lines().filter(|l| l.contains("\tmissed\t")).count(),
        2,
        "{misses}"
    );
    let off = wd.run(&["evaluate", "gold.bio", "-g", &gaz, "--discover", "off"]);
    assert!(
        stdout(&off).contains("person\t4\t1\t1.000\t0.250\t0.400"),
        "{}",
        stdout(&off)
    );
    wd.create("bad.bio", "a O\nb\n");
    let bad = wd.run(&["evaluate", "bad.bio"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("bad.bio:2: expected `token TAG`"),
        "{}",
        stderr(&bad)
    );
}

/// A long run of kin words or particles (hostile or broken text) is no
/// name, and no longer overflows a worker's stack: 200,000 `ابن` in a row
/// aborted the process (the rule for kin words recursed once per word).
#[test]
fn a_long_run_of_kin_words_is_no_name_and_no_crash() {
    let wd = Workdir::new();
    let mut ar = String::from("قال ");
    let mut en = String::from("Said ");
    for _ in 0..100_000 {
        ar.push_str("ابن ");
        en.push_str("de ");
    }
    ar.push_str("محمد.\n\nقال أبو بن خالد الحسيني.");
    en.push_str("Silva.");
    wd.create("ar.txt", &ar);
    wd.create("en.txt", &en);
    let gaz = fixture_gazetteer();
    let out = wd.run(&["extract", "ar.txt", "en.txt", "-g", &gaz, "-o", "out", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = rows(&wd, "out/documents.csv");
    assert_eq!(column(&docs, "status"), ["ok", "ok"]);
    // No mention spans the runs.
    let mentions = rows(&wd, "out/mentions.csv");
    for surface in column(&mentions, "surface") {
        assert!(surface.chars().count() < 40, "{surface}");
    }
}
