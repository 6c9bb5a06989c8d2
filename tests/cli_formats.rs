//! `--format neo4j` and `--format xlsx` through the CLI: the neo4j files'
//! headers and rows on an invented sample (expected values worked out by
//! hand), and `alam merge` writing both formats as one run does.
//! `tests/xlsx/run.sh` reads `tables.xlsx` back with openpyxl.

mod common;

use common::{Workdir, fixture_gazetteer, stderr};

/// A party whose name needs CSV quoting, and whose type has a space.
const PARTY_CSV: &str = "id,type,name,name_ar,aliases,weak_aliases,demonyms,country\n\
    party:unity,political party,\"Unity, \"\"New\"\" Way\",حزب الوحدة,Unity Party,,,\n";

/// Two sentences in `a.txt`, one in `b.txt` (a name only discovery finds,
/// alone in its sentence: no pair).
fn sample(wd: &Workdir) {
    wd.create("extra/parties.csv", PARTY_CSV);
    wd.create(
        "in/a.txt",
        "Putin met Xi Jinping in Beijing. Putin flew to Moscow with the Unity Party.",
    );
    wd.create("in/b.txt", "Analyst Nadia Korra said the talks went well.");
}

fn extract(wd: &Workdir, inputs: &[&str], out: &str, formats: &str) {
    let gaz = fixture_gazetteer();
    let mut args = vec!["extract", "-g", &gaz, "--add-gazetteer", "extra", "-q"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["-o", out, "--format", formats]);
    let o = wd.run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A CSV file as rows of fields, header first.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

#[test]
fn neo4j_files_have_import_headers_and_the_hand_checked_rows() {
    let wd = Workdir::new();
    sample(&wd);
    extract(&wd, &["in"], "out", "neo4j");
    // Only the neo4j files and the summary (and the folder's lock file).
    let mut files: Vec<String> = std::fs::read_dir(wd.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, [".alam.lock", "neo4j", "summary.json"]);
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("out/summary.json")).expect("summary.json");
    let listed: Vec<&str> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(listed, ["neo4j/nodes.csv", "neo4j/relationships.csv"]);

    let nodes_text = wd.read("out/neo4j/nodes.csv");
    // The quoted name, as neo4j-admin reads it (RFC 4180).
    assert!(
        nodes_text.contains(",\"Unity, \"\"New\"\" Way\","),
        "{nodes_text}"
    );
    let nodes = parse_csv(&nodes_text);
    // 3 windows in all; most mentions first, then by id.
    let expected: &[&[&str]] = &[
        &[
            "entity_id:ID",
            ":LABEL",
            "type",
            "name",
            "name_ar",
            "mentions:long",
            "documents:long",
            "windows:long",
            "source",
        ],
        &[
            "person:vladimir-putin",
            "Entity;Person",
            "person",
            "Vladimir Putin",
            "فلاديمير بوتين",
            "2",
            "1",
            "2",
            "gazetteer",
        ],
        &[
            "city:beijing",
            "Entity;City",
            "city",
            "Beijing",
            "بكين",
            "1",
            "1",
            "1",
            "gazetteer",
        ],
        &[
            "city:moscow",
            "Entity;City",
            "city",
            "Moscow",
            "موسكو",
            "1",
            "1",
            "1",
            "gazetteer",
        ],
        &[
            "party:unity",
            "Entity;PoliticalParty",
            "political party",
            "Unity, \"New\" Way",
            "حزب الوحدة",
            "1",
            "1",
            "1",
            "gazetteer",
        ],
        &[
            "person:xi-jinping",
            "Entity;Person",
            "person",
            "Xi Jinping",
            "شي جين بينغ",
            "1",
            "1",
            "1",
            "gazetteer",
        ],
    ];
    // The discovered analyst: last (1 mention, and `~` sorts after
    // letters), with the Discovered label.
    let (known, discovered) = nodes.split_at(expected.len());
    assert_eq!(known, expected, "{nodes_text}");
    assert_eq!(discovered.len(), 1, "{nodes_text}");
    let d = &discovered[0];
    assert!(d[0].starts_with("person:~"), "{d:?}");
    assert_eq!(
        (&d[1][..], &d[2][..], &d[3][..], &d[5][..], &d[8][..]),
        (
            "Entity;Person;Discovered",
            "person",
            "Nadia Korra",
            "1",
            "discovered"
        ),
        "{d:?}"
    );

    let rels = parse_csv(&wd.read("out/neo4j/relationships.csv"));
    // NPMI over 3 windows: a pair seen once, of an entity seen once and
    // one seen twice: ln((1/3) / (1/3 * 2/3)) / -ln(1/3) = ln 1.5 / ln 3
    // = 0.369070; of two entities seen once: ln 3 / ln 3 = 1. All pairs
    // have 1 window: sorted by ids.
    // "Putin met Xi Jinping in Beijing.": `met` (meet, no direction) is
    // between Putin and Xi and between Putin and Beijing, and right before
    // Xi and Beijing: the three pairs of that sentence get meet:1.
    let met = ["meet", "", "meet:1"];
    let none = ["", "", ""];
    let rows: &[([&str; 6], [&str; 3])] = &[
        (
            [
                ":START_ID",
                ":END_ID",
                ":TYPE",
                "windows:long",
                "documents:long",
                "npmi:double",
            ],
            ["relation", "relation_source", "relations"],
        ),
        (
            [
                "city:beijing",
                "person:vladimir-putin",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "0.369070",
            ],
            met,
        ),
        (
            [
                "city:beijing",
                "person:xi-jinping",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "1.000000",
            ],
            met,
        ),
        (
            [
                "city:moscow",
                "party:unity",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "1.000000",
            ],
            none,
        ),
        (
            [
                "city:moscow",
                "person:vladimir-putin",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "0.369070",
            ],
            none,
        ),
        (
            [
                "party:unity",
                "person:vladimir-putin",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "0.369070",
            ],
            none,
        ),
        (
            [
                "person:vladimir-putin",
                "person:xi-jinping",
                "CO_OCCURS_WITH",
                "1",
                "1",
                "0.369070",
            ],
            met,
        ),
    ];
    let expected: Vec<Vec<&str>> = rows
        .iter()
        .map(|(a, b)| a.iter().chain(b).copied().collect())
        .collect();
    assert_eq!(rels, expected);
}

#[test]
fn neo4j_relationships_follow_min_count() {
    let wd = Workdir::new();
    sample(&wd);
    let gaz = fixture_gazetteer();
    let o = wd.run(&[
        "extract",
        "-g",
        &gaz,
        "--add-gazetteer",
        "extra",
        "-q",
        "in",
        "-o",
        "out",
        "--format",
        "neo4j",
        "--min-count",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // No pair has 2 windows: the header only; every entity stays a node.
    assert_eq!(
        wd.read("out/neo4j/relationships.csv"),
        ":START_ID,:END_ID,:TYPE,windows:long,documents:long,npmi:double,relation,relation_source,relations\n"
    );
    assert_eq!(parse_csv(&wd.read("out/neo4j/nodes.csv")).len(), 1 + 6);
}

#[test]
fn merge_writes_neo4j_and_xlsx_as_one_run_does() {
    let wd = Workdir::new();
    sample(&wd);
    let formats = "csv,json,neo4j,xlsx";
    extract(&wd, &["in/a.txt", "in/b.txt"], "whole", formats);
    extract(&wd, &["in/a.txt"], "p1", formats);
    extract(&wd, &["in/b.txt"], "p2", formats);
    // Folders, and stream files of the same documents.
    let out = wd.run(&[
        "merge", "p1", "p2", "-o", "merged", "--format", formats, "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = [
        "neo4j/nodes.csv",
        "neo4j/relationships.csv",
        "tables.xlsx",
        "mentions.csv",
    ];
    for f in files {
        let (a, b) = (
            std::fs::read(wd.path().join("merged").join(f)).unwrap(),
            std::fs::read(wd.path().join("whole").join(f)).unwrap(),
        );
        assert!(a == b, "merged/{f} differs from whole/{f}");
    }
    // Only xlsx: the per-document sheets still come from the parts' CSV.
    let out = wd.run(&["merge", "p1", "p2", "-o", "only", "--format", "xlsx", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(wd.path().join("only/tables.xlsx")).unwrap(),
        std::fs::read(wd.path().join("whole/tables.xlsx")).unwrap(),
    );
    assert!(!wd.path().join("only/mentions.csv").exists());
}

#[test]
fn stream_lines_merge_into_the_neo4j_files_and_workbook_of_one_run() {
    let wd = Workdir::new();
    sample(&wd);
    let docs = [
        r#"{"id":"a","text":"Putin met Xi Jinping in Beijing. Putin flew to Moscow with the Unity Party."}"#,
        r#"{"id":"b","text":"Analyst Nadia Korra said the talks went well."}"#,
    ];
    wd.create("all.jsonl", &(docs.join("\n") + "\n"));
    extract(&wd, &["all.jsonl"], "whole", "csv,neo4j,xlsx");
    let gaz = fixture_gazetteer();
    for (name, doc) in [("s1.jsonl", docs[0]), ("s2.jsonl", docs[1])] {
        let out = wd.run_with_stdin(
            &["stream", "-g", &gaz, "--add-gazetteer", "extra"],
            &format!("{doc}\n"),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        wd.create_bytes(name, &out.stdout);
    }
    let out = wd.run(&[
        "merge",
        "s1.jsonl",
        "s2.jsonl",
        "-o",
        "merged",
        "--format",
        "neo4j,xlsx",
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["neo4j/nodes.csv", "neo4j/relationships.csv"] {
        assert_eq!(
            wd.read(&format!("merged/{f}")),
            wd.read(&format!("whole/{f}")),
            "{f}"
        );
    }
    // The workbook differs in the documents' source (`-:1`, not
    // `all.jsonl:1`): tests/xlsx/run.sh compares its cells.
    assert!(wd.path().join("merged/tables.xlsx").is_file());
}

#[test]
fn merge_names_the_line_of_a_bad_count_for_xlsx() {
    let wd = Workdir::new();
    sample(&wd);
    extract(&wd, &["in/a.txt"], "p1", "csv");
    // A hand-edited part: `start` is no longer a number.
    let mentions = wd.read("p1/mentions.csv");
    let mut lines: Vec<String> = mentions.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[5] = "x5".into();
    lines[2] = cells.join(",");
    wd.create("p1/mentions.csv", &(lines.join("\n") + "\n"));
    let out = wd.run(&["merge", "p1", "-o", "m", "--format", "xlsx", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("p1/mentions.csv:3: start is not a count: \"x5\""),
        "{}",
        stderr(&out)
    );
    assert!(!wd.path().join("m/tables.xlsx").exists());
}

#[test]
fn unknown_format_names_the_new_ones() {
    let wd = Workdir::new();
    let out = wd.run(&["extract", "x.txt", "--format", "xls"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected csv, json, graph, html, xlsx, neo4j"),
        "{}",
        stderr(&out)
    );
}
