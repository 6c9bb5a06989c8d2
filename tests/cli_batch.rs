//! `alam extract` on batches: inputs of every kind, bad records, threads,
//! windows, output formats, and `alam merge`.

mod common;

use std::io::Write;

use common::{Workdir, fixture_gazetteer, stderr};

/// Reads a CSV file into rows of strings (header included).
fn rows(wd: &Workdir, name: &str) -> Vec<Vec<String>> {
    let data = wd.read(name);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(data.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        out.push(rec.unwrap().iter().map(String::from).collect());
    }
    out
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[i].as_str()).collect()
}

fn extract(wd: &Workdir, args: &[&str]) -> std::process::Output {
    let gaz = fixture_gazetteer();
    let mut all = vec!["extract", "-g", gaz.as_str(), "-q"];
    all.extend_from_slice(args);
    wd.run(&all)
}

#[test]
fn every_jsonl_line_is_accounted_for() {
    let wd = Workdir::new();
    let mut data = Vec::new();
    data.extend_from_slice("{\"id\":\"good\",\"text\":\"زار بوتين موسكو\"}\n".as_bytes());
    data.extend_from_slice(b"{\"id\": \"broken\", \"text\": \n");
    data.extend_from_slice(b"\n");
    data.extend_from_slice(b"{\"id\":\"empty\",\"text\":\"   \"}\n");
    data.extend_from_slice(b"{\"id\":\"notext\",\"body\":\"x\"}\n");
    data.extend_from_slice(b"{\"id\":\"latin1\",\"text\":\"Putin \xe9t\xe9\"}\n");
    data.extend_from_slice(b"{\"text\":\"Lavrov\"}\n");
    wd.create_bytes("in.jsonl", &data);
    let out = extract(&wd, &["in.jsonl", "-o", "o"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = rows(&wd, "o/documents.csv");
    assert_eq!(docs.len(), 1 + 7, "{docs:?}");
    assert_eq!(
        column(&docs, "doc_id"),
        [
            "good",
            "in.jsonl:2",
            "in.jsonl:3",
            "empty",
            "notext",
            "latin1",
            "in.jsonl:7"
        ]
    );
    assert_eq!(
        column(&docs, "status"),
        [
            "ok", "error", "warning", "warning", "error", "warning", "ok"
        ]
    );
    assert_eq!(
        column(&docs, "mentions"),
        ["2", "0", "0", "0", "0", "1", "1"]
    );
    let messages = column(&docs, "message");
    assert!(
        messages[1].starts_with("in.jsonl:2: malformed JSON: "),
        "{}",
        messages[1]
    );
    assert_eq!(messages[2], "in.jsonl:3: empty line");
    assert_eq!(messages[3], "in.jsonl:4: empty document");
    assert_eq!(messages[4], "in.jsonl:5: missing text field (text)");
    assert!(
        messages[5].starts_with("in.jsonl:6: invalid UTF-8"),
        "{}",
        messages[5]
    );
    // Each problem is on stderr too, in order.
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    assert!(lines[0].starts_with("in.jsonl:2: malformed JSON"));
    assert!(lines[4].starts_with("in.jsonl:6: invalid UTF-8"));
    // mentions.jsonl has a line per readable document (errors excluded).
    assert_eq!(wd.read("o/mentions.jsonl").lines().count(), 5);
}

#[test]
fn strict_stops_at_the_first_error() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        "{\"id\":\"a\",\"text\":\"بوتين\"}\n{oops\n{\"id\":\"c\",\"text\":\"x\"}\n",
    );
    let out = extract(&wd, &["in.jsonl", "-o", "o", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("in.jsonl:2: malformed JSON"), "{err}");
    assert!(
        err.contains("--strict: stopping at the first error (in.jsonl:2)"),
        "{err}"
    );
    assert!(!wd.path().join("o/documents.csv").exists());
}

#[test]
fn text_fields_are_joined_and_id_field_is_used() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        "{\"key\":\"k1\",\"title\":\"بوتين\",\"text\":\"في موسكو\"}\n",
    );
    let out = extract(
        &wd,
        &[
            "in.jsonl",
            "-o",
            "o",
            "--id-field",
            "key",
            "--text-field",
            "title,text",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let m = rows(&wd, "o/mentions.csv");
    assert_eq!(column(&m, "doc_id"), ["k1", "k1"]);
    assert_eq!(column(&m, "surface"), ["بوتين", "موسكو"]);
    // The title is its own paragraph and sentence.
    assert_eq!(column(&m, "paragraph"), ["0", "1"]);
    assert_eq!(column(&m, "start"), ["0", "10"]);
}

#[test]
fn folders_gz_and_csv_inputs() {
    let wd = Workdir::new();
    wd.create("news/a.txt", "بوتين");
    wd.create("news/sub/b.txt", "لافروف");
    wd.create("news/c.csv", "id,text\nc1,موسكو\n,بكين\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("{\"id\":\"z1\",\"text\":\"Putin\"}\n".as_bytes())
        .unwrap();
    wd.create_bytes("news/sub/z.jsonl.gz", &gz.finish().unwrap());
    wd.create("news/ignored.md", "بوتين");
    let out = extract(&wd, &["news", "-o", "o"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = rows(&wd, "o/documents.csv");
    assert_eq!(
        column(&docs, "doc_id"),
        ["a.txt", "c1", "news/c.csv:3", "sub/b.txt", "z1"]
    );
    assert_eq!(
        column(&docs, "source"),
        [
            "news/a.txt",
            "news/c.csv:2",
            "news/c.csv:3",
            "news/sub/b.txt",
            "news/sub/z.jsonl.gz:1"
        ]
    );
    assert_eq!(column(&docs, "mentions"), ["1", "1", "1", "1", "1"]);
}

#[test]
fn stdin_jsonl() {
    let wd = Workdir::new();
    let gaz = fixture_gazetteer();
    let out = wd.run_with_stdin(
        &[
            "extract",
            "-g",
            &gaz,
            "-q",
            "-",
            "--stdin-format",
            "jsonl",
            "-o",
            "o",
        ],
        "{\"id\":\"s1\",\"text\":\"بوتين\"}\n{\"text\":\"x\"}\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        column(&rows(&wd, "o/documents.csv"), "doc_id"),
        ["s1", "-:2"]
    );
}

/// A generated batch: sentences naming fixture entities in varied
/// combinations, some paragraphs, and some bad lines.
fn batch(n: usize) -> String {
    let names = [
        "بوتين",
        "وروسيا",
        "للكويت",
        "الصين",
        "شي جين بينج",
        "بكين",
        "Putin",
        "the US",
        "موسكو",
        "لافروف",
        "وشي",
        "عمان",
        // Names no gazetteer lists, for discovery.
        "عادل الزهراني",
        "السيد غيث الحسيني",
        "الكندي نيستور بامبو",
        "John Smithers",
        "الزهراني",
    ];
    let mut out = String::new();
    for i in 0..n {
        if i % 97 == 13 {
            out.push_str("{broken\n");
            continue;
        }
        let mut text = String::new();
        for s in 0..(1 + i % 4) {
            let a = names[(i * 7 + s) % names.len()];
            let b = names[(i * 3 + s * 5) % names.len()];
            text.push_str(&format!("قال {a} إن {b} مهم. "));
            if s == 1 {
                text.push_str("\\n\\n");
            }
        }
        out.push_str(&format!("{{\"id\":\"d{i}\",\"text\":\"{text}\"}}\n"));
    }
    out
}

const ALL_FILES: &[&str] = &[
    "mentions.csv",
    "documents.csv",
    "entities.csv",
    "cooccurrence.csv",
    "mentions.jsonl",
    "entities.json",
    "cooccurrence.json",
    "graph.gexf",
    "graph.graphml",
    "summary.json",
    "discovered.csv",
];

#[test]
fn one_and_two_threads_give_identical_files() {
    let wd = Workdir::new();
    wd.create("in.jsonl", &batch(5000));
    for t in ["1", "2"] {
        let out = extract(
            &wd,
            &[
                "in.jsonl",
                "-o",
                &format!("t{t}"),
                "--threads",
                t,
                "--format",
                "csv,json,graph",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    for f in ALL_FILES {
        assert_eq!(
            wd.read(&format!("t1/{f}")),
            wd.read(&format!("t2/{f}")),
            "{f}"
        );
    }
    assert_eq!(rows(&wd, "t1/documents.csv").len(), 5001);
    // Discovery took part: the unlisted names are there, with examples.
    let found = rows(&wd, "t1/discovered.csv");
    let ids = column(&found, "entity_id");
    for id in [
        "person:~عادل-الزهراني",
        "person:~غيث-الحسيني",
        "person:~نيستور-بامبو",
        "person:~john-smithers",
    ] {
        assert!(ids.contains(&id), "{id} not in {ids:?}");
    }
    assert!(column(&found, "example").iter().all(|e| !e.is_empty()));
    let entities = rows(&wd, "t1/entities.csv");
    let source = column(&entities, "source");
    assert!(source.contains(&"discovered") && source.contains(&"gazetteer"));
}

#[test]
fn merge_of_two_halves_equals_the_whole_run() {
    let wd = Workdir::new();
    let all = batch(900);
    let lines: Vec<&str> = all.lines().collect();
    wd.create("a.jsonl", &(lines[..400].join("\n") + "\n"));
    wd.create("b.jsonl", &(lines[400..].join("\n") + "\n"));
    // An added gazetteer with extra columns: one on a row that adds to a
    // fixture entity by id, one on a new entity; merge carries both.
    wd.create(
        "extra/more.csv",
        "id,type,name,aliases,wikidata,url\n\
         country:RU,,,,Q159,\n\
         person:adel,person,Adel Example,عادل الزهراني,,http://adel.example\n",
    );
    for window in ["sentence", "paragraph"] {
        let fmt = [
            "--format",
            "csv,json,graph",
            "--window",
            window,
            "--add-gazetteer",
            "extra",
        ];
        let run = |inputs: &[&str], out: &str| {
            let mut args: Vec<&str> = inputs.to_vec();
            args.extend_from_slice(&["-o", out]);
            args.extend_from_slice(&fmt);
            let o = extract(&wd, &args);
            assert!(o.status.success(), "{}", stderr(&o));
        };
        run(&["a.jsonl", "b.jsonl"], "whole");
        run(&["a.jsonl"], "p1");
        run(&["b.jsonl"], "p2");
        let out = wd.run(&[
            "merge",
            "p1",
            "p2",
            "-o",
            "merged",
            "--format",
            "csv,json,graph",
            "-q",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        for f in ALL_FILES {
            assert_eq!(
                wd.read(&format!("merged/{f}")),
                wd.read(&format!("whole/{f}")),
                "{window}: {f}"
            );
        }
        let entities = rows(&wd, "merged/entities.csv");
        assert_eq!(
            entities[0][7..],
            ["source", "wikidata", "url"].map(String::from)
        );
        let row = |id: &str| entities.iter().find(|r| r[0] == id).unwrap().clone();
        assert_eq!(row("country:RU")[8..], ["Q159", ""].map(String::from));
        assert_eq!(
            row("person:adel")[8..],
            ["", "http://adel.example"].map(String::from)
        );
        assert_eq!(row("city:beijing")[8..], ["", ""].map(String::from));
        // Merging a merge with nothing else is the identity, on one
        // thread as on all of them.
        let out = wd.run(&[
            "merge",
            "merged",
            "-o",
            "again",
            "--format",
            "csv,json,graph",
            "--threads",
            "1",
            "-q",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        for f in ALL_FILES {
            assert_eq!(
                wd.read(&format!("again/{f}")),
                wd.read(&format!("whole/{f}")),
                "{window}, --threads 1: {f}"
            );
        }
    }
    // min-count applies after summing: keep the pairs of the median count.
    let merged = rows(&wd, "merged/cooccurrence.csv");
    let counts: Vec<u64> = column(&merged, "windows")
        .iter()
        .map(|w| w.parse().unwrap())
        .collect();
    let n = counts[counts.len() / 2];
    let out = wd.run(&[
        "merge",
        "p1",
        "p2",
        "-o",
        "mn",
        "--min-count",
        &n.to_string(),
        "-q",
    ]);
    assert!(out.status.success());
    let kept = rows(&wd, "mn/cooccurrence.csv");
    let expected: Vec<&Vec<String>> = merged[1..]
        .iter()
        .filter(|r| r[6].parse::<u64>().unwrap() >= n)
        .collect();
    assert_eq!(kept[1..].iter().collect::<Vec<_>>(), expected);
    assert!(kept.len() < merged.len(), "min-count {n} dropped nothing");
}

#[test]
fn merge_refuses_filtered_or_mismatched_parts() {
    let wd = Workdir::new();
    wd.create("a.jsonl", &batch(50));
    assert!(
        extract(&wd, &["a.jsonl", "-o", "m3", "--min-count", "3"])
            .status
            .success()
    );
    assert!(
        extract(&wd, &["a.jsonl", "-o", "par", "--window", "paragraph"])
            .status
            .success()
    );
    assert!(extract(&wd, &["a.jsonl", "-o", "sen"]).status.success());
    let out = wd.run(&["merge", "m3", "-o", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("m3/summary.json: this part was written with --min-count 3"),
        "{}",
        stderr(&out)
    );
    let out = wd.run(&["merge", "sen", "par", "-o", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("par: window paragraph differs from sen's window sentence"),
        "{}",
        stderr(&out)
    );
    let out = wd.run(&["merge", "nothere", "-o", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nothere/summary.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cooccurrence_counts_by_window() {
    let wd = Workdir::new();
    wd.create(
        "t.txt",
        "بوتين في موسكو. ولافروف في موسكو.\n\nبوتين مع لافروف",
    );
    let expect = [
        // (window, putin-moscow, lavrov-moscow, lavrov-putin)
        ("sentence", Some("1"), Some("1"), Some("1")),
        ("paragraph", Some("1"), Some("1"), Some("2")),
        ("document", Some("1"), Some("1"), Some("1")),
    ];
    for (window, pm, lm, lp) in expect {
        let out = extract(&wd, &["t.txt", "-o", window, "--window", window]);
        assert!(out.status.success());
        let pairs = rows(&wd, &format!("{window}/cooccurrence.csv"));
        let get = |a: &str, b: &str| {
            pairs[1..]
                .iter()
                .find(|r| r[0] == a && r[3] == b)
                .map(|r| r[6].clone())
        };
        let got = (
            get("city:moscow", "person:vladimir-putin"),
            get("city:moscow", "person:sergey-lavrov"),
            get("person:sergey-lavrov", "person:vladimir-putin"),
        );
        assert_eq!(
            got,
            (
                pm.map(String::from),
                lm.map(String::from),
                lp.map(String::from)
            ),
            "{window}"
        );
    }
    let e = rows(&wd, "sentence/entities.csv");
    assert_eq!(
        e[0],
        [
            "entity_id",
            "type",
            "name",
            "name_ar",
            "mentions",
            "documents",
            "windows",
            "source"
        ]
    );
    assert_eq!(
        e[1],
        [
            "city:moscow",
            "city",
            "Moscow",
            "موسكو",
            "2",
            "1",
            "2",
            "gazetteer"
        ]
    );
}

#[test]
fn excel_output_neutralizes_formulas() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        "{\"id\":\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\",\"text\":\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\") بوتين\"}\n{\"id\":\"-d\",\"text\":\"x\"}\n",
    );
    let out = extract(&wd, &["in.jsonl", "-o", "o", "--excel"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let raw = std::fs::read(wd.path().join("o/mentions.csv")).unwrap();
    assert!(raw.starts_with("\u{FEFF}doc_id,".as_bytes()));
    let text = String::from_utf8(raw).unwrap();
    assert!(text.contains("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",person:vladimir-putin,person,Vladimir Putin,بوتين,"), "{text}");
    let docs = wd.read("o/documents.csv");
    assert!(docs.contains("\r\n'-d,in.jsonl:2,1,0,0,ok,\r\n"), "{docs}");
    // Numbers stay plain.
    assert!(text.contains(",27,32,0,0,alias,false\r\n"), "{text}");
}

#[test]
fn graph_files_are_valid_xml_with_nodes_and_edges() {
    let wd = Workdir::new();
    wd.create("t.txt", "بوتين في موسكو مع لافروف <script>&\"");
    let out = extract(&wd, &["t.txt", "-o", "o", "--format", "graph"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!wd.path().join("o/mentions.csv").exists());
    let gexf = wd.read("o/graph.gexf");
    let doc = roxmltree::Document::parse(&gexf).expect("valid GEXF XML");
    let count = |d: &roxmltree::Document, tag: &str| {
        d.descendants().filter(|n| n.has_tag_name(tag)).count()
    };
    assert_eq!((count(&doc, "node"), count(&doc, "edge")), (3, 3));
    let graphml = wd.read("o/graph.graphml");
    let doc = roxmltree::Document::parse(&graphml).expect("valid GraphML XML");
    assert_eq!((count(&doc, "node"), count(&doc, "edge")), (3, 3));
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("data") && n.attribute("key") == Some("label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels, ["Moscow", "Sergey Lavrov", "Vladimir Putin"]);
}

#[test]
fn stream_lines_merge_into_the_tables_of_one_run() {
    let wd = Workdir::new();
    let all = batch(700);
    let lines: Vec<&str> = all.lines().collect();
    wd.create("all.jsonl", &all);
    let gaz = fixture_gazetteer();
    let out = extract(
        &wd,
        &["all.jsonl", "-o", "whole", "--format", "csv,json,graph"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for (name, part) in [("s1.jsonl", &lines[..300]), ("s2.jsonl", &lines[300..])] {
        let out = wd.run_with_stdin(&["stream", "-g", &gaz], &(part.join("\n") + "\n"));
        assert!(out.status.success(), "{}", stderr(&out));
        // One output line per input line, nothing else on stdout.
        assert_eq!(
            out.stdout.iter().filter(|&&b| b == b'\n').count(),
            part.len()
        );
        wd.create_bytes(name, &out.stdout);
    }
    let out = wd.run(&[
        "merge",
        "s1.jsonl",
        "s2.jsonl",
        "-o",
        "merged",
        "--format",
        "csv,json,graph",
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [
        "mentions.csv",
        "mentions.jsonl",
        "entities.csv",
        "cooccurrence.csv",
        "entities.json",
        "cooccurrence.json",
        "graph.gexf",
        "graph.graphml",
        "discovered.csv",
    ] {
        assert_eq!(
            wd.read(&format!("merged/{f}")),
            wd.read(&format!("whole/{f}")),
            "{f}"
        );
    }
    // documents.csv differs only where a position is written: the source,
    // and the id of a line without one (-:LINE of the stream's stdin).
    let (m, w) = (
        rows(&wd, "merged/documents.csv"),
        rows(&wd, "whole/documents.csv"),
    );
    let ids = |r: &[Vec<String>]| -> Vec<String> {
        column(r, "doc_id")
            .iter()
            .map(|id| {
                if id.contains(':') {
                    "?".into()
                } else {
                    id.to_string()
                }
            })
            .collect()
    };
    assert_eq!(ids(&m), ids(&w));
    assert_eq!(column(&m, "status"), column(&w, "status"));
    assert_eq!(column(&m, "mentions"), column(&w, "mentions"));
    // The tables do not depend on the order of the parts.
    let out = wd.run(&["merge", "s2.jsonl", "s1.jsonl", "-o", "reversed", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["entities.csv", "cooccurrence.csv"] {
        assert_eq!(
            wd.read(&format!("reversed/{f}")),
            wd.read(&format!("whole/{f}")),
            "{f}"
        );
    }
}

#[test]
fn stream_strict_names_the_document_and_fails() {
    let wd = Workdir::new();
    let gaz = fixture_gazetteer();
    let out = wd.run_with_stdin(
        &["stream", "-g", &gaz, "--strict"],
        "{\"id\":\"a\",\"text\":\"بوتين\"}\n{broken\n{\"id\":\"c\",\"text\":\"x\"}\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--strict: stopping at the first error (-:2)"),
        "{}",
        stderr(&out)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["doc_id"], "a");
    assert_eq!(v["mentions"][0]["entity_id"], "person:vladimir-putin");
}

#[test]
fn report_from_a_folder_equals_the_one_extract_writes() {
    let wd = Workdir::new();
    wd.create("in.jsonl", &batch(300));
    let out = extract(&wd, &["in.jsonl", "-o", "o", "--format", "csv,json,html"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = wd.run(&["report", "o", "-o", "again.html"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(wd.read("again.html"), wd.read("o/report.html"));
    // A merged folder gets the same report as the run it equals.
    assert!(extract(&wd, &["in.jsonl", "-o", "p"]).status.success());
    assert!(wd.run(&["merge", "p", "-o", "m", "-q"]).status.success());
    let out = wd.run(&["report", "m"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(wd.read("m/report.html"), wd.read("o/report.html"));
    // Without cooccurrence.json the report says it has no examples.
    assert!(
        extract(&wd, &["in.jsonl", "-o", "c", "--format", "csv"])
            .status
            .success()
    );
    let out = wd.run(&["report", "c"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("c: no cooccurrence.json"),
        "{}",
        stderr(&out)
    );
}

/// Runs `alam extract -` with `stdin`, in `wd`.
fn extract_stdin(wd: &Workdir, args: &[&str], stdin: &str) -> std::process::Output {
    let gaz = fixture_gazetteer();
    let mut all = vec!["extract", "-", "-g", gaz.as_str(), "-q"];
    all.extend_from_slice(args);
    wd.run_with_stdin(&all, stdin)
}

#[test]
fn slices_on_stdin_merge_into_the_run_over_the_whole_file() {
    // As the Spark job runs alam: every slice of lines of in.jsonl piped on
    // stdin, named as lines of in.jsonl (--stdin-name, --stdin-lines-before),
    // then `alam merge` of the slices' folders in order. Every file must be
    // the whole run's: documents without an id (every 7th) are named
    // in.jsonl:LINE, broken lines (batch) are errors at their line.
    let wd = Workdir::new();
    let mut lines: Vec<String> = batch(300).lines().map(String::from).collect();
    for (i, line) in lines.iter_mut().enumerate() {
        if i % 7 == 3 {
            *line = line.replacen(&format!("\"id\":\"d{i}\","), "", 1);
            assert!(!line.contains("\"id\""), "{line}");
        }
    }
    wd.create("in.jsonl", &(lines.join("\n") + "\n"));
    let whole = extract(&wd, &["in.jsonl", "-o", "whole"]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(
        wd.read("whole/mentions.jsonl")
            .contains("{\"doc_id\":\"in.jsonl:4\",")
    );
    // (slice boundaries, in lines): one slice; uneven; a slice of one line.
    let cases: &[&[usize]] = &[&[0, 300], &[0, 14, 150, 300], &[0, 1, 2, 299, 300]];
    for (c, bounds) in cases.iter().enumerate() {
        let mut parts = Vec::new();
        let mut messages = String::new();
        for (k, w) in bounds.windows(2).enumerate() {
            let part = format!("c{c}/p{k}");
            let before = w[0].to_string();
            let slice = lines[w[0]..w[1]].join("\n") + "\n";
            let o = extract_stdin(
                &wd,
                &[
                    "--stdin-format",
                    "jsonl",
                    "--stdin-name",
                    "in.jsonl",
                    "--stdin-lines-before",
                    &before,
                    "-o",
                    &part,
                ],
                &slice,
            );
            assert!(o.status.success(), "{}", stderr(&o));
            messages.push_str(&stderr(&o));
            parts.push(part);
        }
        // Bad lines are reported at their line of in.jsonl.
        assert_eq!(messages, stderr(&whole), "case {c}");
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        let merged = format!("c{c}/merged");
        args.extend_from_slice(&["-o", &merged, "-q"]);
        let o = wd.run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        for f in ALL_FILES.iter().filter(|f| !f.starts_with("graph")) {
            assert_eq!(
                wd.read(&format!("{merged}/{f}")),
                wd.read(&format!("whole/{f}")),
                "case {c}: {f}"
            );
        }
    }
    // --strict names the broken line of in.jsonl (line 14: batch's i = 13).
    let o = extract_stdin(
        &wd,
        &[
            "--stdin-format",
            "jsonl",
            "--stdin-name",
            "in.jsonl",
            "--stdin-lines-before",
            "10",
            "--strict",
            "-o",
            "strict",
        ],
        &(lines[10..20].join("\n") + "\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("stopping at the first error (in.jsonl:14)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn merge_appends_per_document_files_as_written_and_checks_csv_headers() {
    // Two parts; then the second's documents.csv header is changed (to one
    // of the same size, so that only the header check can refuse it).
    let wd = Workdir::new();
    let all = batch(60);
    let lines: Vec<&str> = all.lines().collect();
    wd.create("a.jsonl", &(lines[..30].join("\n") + "\n"));
    wd.create("b.jsonl", &(lines[30..].join("\n") + "\n"));
    for (input, out) in [("a.jsonl", "p1"), ("b.jsonl", "p2")] {
        let o = extract(&wd, &[input, "-o", out]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = wd.run(&["merge", "p1", "p2", "-o", "m", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["documents.csv", "mentions.csv", "mentions.jsonl"] {
        // The header once, then each part's rows as they are.
        let (a, b) = (wd.read(&format!("p1/{f}")), wd.read(&format!("p2/{f}")));
        let expected = match f.ends_with(".csv") {
            true => a.clone() + b.split_once('\n').unwrap().1,
            false => a.clone() + &b,
        };
        assert_eq!(wd.read(&format!("m/{f}")), expected, "{f}");
    }
    let doc = wd
        .read("p2/documents.csv")
        .replacen("doc_id,", "doc_ID,", 1);
    wd.create("p2/documents.csv", &doc);
    let o = wd.run(&["merge", "p1", "p2", "-o", "m2", "-q"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("p2/documents.csv:1: unexpected header doc_ID,"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn no_fsync_writes_the_same_files() {
    // --no-fsync only skips waiting for the disk: the same files, the same
    // summary (its run id is derived from their content), the same checks.
    let wd = Workdir::new();
    wd.create("in.jsonl", &batch(120));
    for (out, extra) in [("durable", None), ("scratch", Some("--no-fsync"))] {
        let mut args = vec!["in.jsonl", "-o", out];
        args.extend(extra);
        let o = extract(&wd, &args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ALL_FILES.iter().filter(|f| !f.starts_with("graph")) {
        assert_eq!(
            wd.read(&format!("scratch/{f}")),
            wd.read(&format!("durable/{f}")),
            "{f}"
        );
    }
    let o = wd.run(&["merge", "scratch", "-o", "merged", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        wd.read("merged/cooccurrence.csv"),
        wd.read("durable/cooccurrence.csv")
    );
}
