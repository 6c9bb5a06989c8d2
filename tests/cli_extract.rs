//! `alam extract`, run as a user runs it.

mod common;

use common::{Workdir, fixture_gazetteer, stderr};

#[test]
fn writes_mentions_csv_and_jsonl() {
    let wd = Workdir::new();
    wd.create(
        "a.txt",
        "وصل لافروف إلى بكين.\n\nوقال بوتين للكويت إن Putin's plan",
    );
    let gaz = fixture_gazetteer();
    let out = wd.run(&["extract", "-g", &gaz, "a.txt", "-o", "out"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = wd.read("out/mentions.csv");
    let expected = "\
doc_id,entity_id,type,name,surface,start,end,sentence,paragraph,form,ambiguous
a.txt,person:sergey-lavrov,person,Sergey Lavrov,لافروف,4,10,0,0,alias,false
a.txt,city:beijing,city,Beijing,بكين,15,19,0,0,name,false
a.txt,person:vladimir-putin,person,Vladimir Putin,بوتين,27,32,1,1,alias,false
a.txt,country:KW,country,Kuwait,لكويت,34,39,1,1,name,false
a.txt,person:vladimir-putin,person,Vladimir Putin,Putin,43,48,1,1,alias,false
";
    assert_eq!(csv, expected);
    let jsonl = wd.read("out/mentions.jsonl");
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["doc_id"], "a.txt");
    let kw = &v["mentions"][3];
    assert_eq!(kw["surface"], "لكويت");
    assert_eq!(kw["prefix"], "ل");
    // "وصل لافروف إلى بكين.\n\nوقال بوتين " is 33 chars: 25 Arabic
    // letters (2 bytes each) and 8 ASCII, so 58 bytes; then the prefix ل
    // (1 char, 2 bytes), then لكويت (5 chars, 10 bytes).
    assert_eq!(
        (kw["start"].as_u64(), kw["byte_start"].as_u64()),
        (Some(34), Some(60))
    );
    assert_eq!(kw["byte_end"].as_u64(), Some(70));
    assert_eq!(kw["alternatives"], serde_json::json!([]));
    // No temporary file or staging folder is left behind; the lock file
    // stays (see tests/output_folder.rs).
    let names: Vec<String> = std::fs::read_dir(wd.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".alam.lock")
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert_eq!(names.len(), 9, "{names:?}");
}

#[test]
fn reads_stdin() {
    let wd = Workdir::new();
    let gaz = fixture_gazetteer();
    let out = wd.run_with_stdin(
        &["extract", "-g", &gaz, "-", "-o", "o", "-q"],
        "زار بوتين وروسيا",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let csv = wd.read("o/mentions.csv");
    assert!(
        csv.contains("\n-,country:RU,country,Russia,روسيا,11,16,0,0,name,false\n"),
        "{csv}"
    );
}

#[test]
fn missing_input_is_reported_and_the_run_goes_on() {
    let wd = Workdir::new();
    wd.create("ok.txt", "بوتين");
    let gaz = fixture_gazetteer();
    let out = wd.run(&["extract", "-g", &gaz, "missing.txt", "ok.txt", "-o", "o"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.starts_with("missing.txt: "), "{err}");
    assert!(
        err.contains("2 documents (1 errors, 0 warnings), 1 mentions"),
        "{err}"
    );
    assert!(
        wd.read("o/mentions.csv")
            .contains("ok.txt,person:vladimir-putin")
    );
    let docs = wd.read("o/documents.csv");
    assert!(
        docs.contains("\nmissing.txt,missing.txt,0,0,0,error,missing.txt: "),
        "{docs}"
    );
    // When nothing at all can be read, the run fails.
    let out = wd.run(&["extract", "-g", &gaz, "missing.txt", "-o", "o2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("alam: no input could be read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning() {
    let wd = Workdir::new();
    wd.create_bytes("bad.txt", b"\xff \xd8\xa8\xd9\x88\xd8\xaa\xd9\x8a\xd9\x86");
    let gaz = fixture_gazetteer();
    let out = wd.run(&["extract", "-g", &gaz, "bad.txt", "-o", "o"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("bad.txt: invalid UTF-8 at byte 0"),
        "{}",
        stderr(&out)
    );
    assert!(
        wd.read("o/mentions.csv")
            .contains("bad.txt,person:vladimir-putin,person,Vladimir Putin,بوتين,2,7,")
    );
}

#[test]
fn add_gazetteer_extends_and_g_replaces() {
    let wd = Workdir::new();
    wd.create(
        "extra/x.csv",
        "id,type,name,aliases\norg:acme,organization,Acme Corp,أكمي\n",
    );
    wd.create("t.txt", "أكمي وبوتين");
    let gaz = fixture_gazetteer();
    let out = wd.run(&[
        "extract",
        "-g",
        &gaz,
        "--add-gazetteer",
        "extra",
        "t.txt",
        "-o",
        "a",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = wd.read("a/mentions.csv");
    assert!(
        csv.contains("org:acme") && csv.contains("person:vladimir-putin"),
        "{csv}"
    );
    let out = wd.run(&["extract", "-g", "extra", "t.txt", "-o", "b"]);
    assert!(out.status.success());
    let csv = wd.read("b/mentions.csv");
    assert!(csv.contains("org:acme") && !csv.contains("putin"), "{csv}");
}

#[test]
fn a_gazetteer_with_errors_is_refused() {
    let wd = Workdir::new();
    wd.create("bad/x.csv", "id,type,name\na:1,t,A\na:1,t,B\n");
    wd.create("t.txt", "A");
    let out = wd.run(&["extract", "-g", "bad", "t.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad/x.csv:3: error: duplicate id \"a:1\" (first at bad/x.csv:2)"),
        "{err}"
    );
    assert!(!wd.path().join("output").exists());
}

#[test]
fn missing_gazetteer_folder_is_a_clear_error() {
    let wd = Workdir::new();
    wd.create("t.txt", "x");
    wd.create("afile", "x");
    // (-g, exact stderr): the folder and the reason, each said once.
    let cases = [
        (
            "nope",
            "alam: loading the gazetteer: nope: No such file or directory (os error 2)\n",
        ),
        (
            "afile",
            "alam: loading the gazetteer: afile: Not a directory (os error 20)\n",
        ),
    ];
    for (dir, expected) in cases {
        for args in [&["extract", "-g", dir, "t.txt"][..], &["stream", "-g", dir]] {
            let out = wd.run(args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(stderr(&out), expected, "{args:?}");
        }
    }
}

#[test]
fn empty_stdin_is_one_warning_said_once() {
    let wd = Workdir::new();
    let gaz = fixture_gazetteer();
    // (arguments, exact stderr)
    let cases: [(&[&str], &str); 3] = [
        (
            &["extract", "-g", &gaz, "-", "-o", "o1", "-q"],
            "-: empty document\n",
        ),
        (
            &[
                "extract",
                "-g",
                &gaz,
                "--stdin-format",
                "jsonl",
                "-",
                "-o",
                "o2",
                "-q",
            ],
            "-: empty file\n",
        ),
        (&["stream", "-g", &gaz], "-: empty file\n"),
    ];
    for (args, expected) in cases {
        let out = wd.run_with_stdin(args, "");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    // The one record says it once too.
    assert_eq!(
        wd.read("o2/documents.csv"),
        "doc_id,source,chars,mentions,entities,status,message\n-,-,0,0,0,warning,-: empty file\n"
    );
}

#[test]
fn bad_usage_exits_2() {
    let wd = Workdir::new();
    assert_eq!(wd.run(&["extract"]).status.code(), Some(2));
    assert_eq!(
        wd.run(&["extract", "--no-such-flag", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(wd.run(&["frobnicate"]).status.code(), Some(2));
    // A thread count of 0 (or not a number) is refused, not taken as 1.
    wd.create("a.txt", "Putin");
    let cases: [(&[&str], &str); 3] = [
        (
            &["extract", "a.txt", "-o", "o", "--threads", "0"],
            "must be at least 1",
        ),
        (
            &["extract", "a.txt", "-o", "o", "--threads", "two"],
            "\"two\" is not a whole number",
        ),
        (
            &["merge", "p1", "p2", "-o", "m", "--threads", "0"],
            "must be at least 1",
        ),
    ];
    for (args, message) in cases {
        let out = wd.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--threads") && stderr.contains(message),
            "{args:?}: {stderr}"
        );
    }
    assert!(
        !wd.path().join("o").exists(),
        "nothing is written on bad usage"
    );
}

/// The data report.html embeds (its `alam-data` element), parsed.
fn report_data(page: &str) -> serde_json::Value {
    let start = page
        .find(r#"<script id="alam-data" type="application/json">"#)
        .expect("data element");
    let json = &page[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    serde_json::from_str(json).expect("embedded data parses")
}

/// The entities and pairs of report.html's search index, decoded as the
/// page decodes them: ids (`0` = `TYPE:~` + name) and pairs as id pairs
/// with their windows.
fn report_index(page: &str) -> (Vec<String>, Vec<(String, String, u64)>) {
    let data = report_data(page);
    let ix = &data["index"];
    let types = ix["types"].as_array().unwrap();
    let ids: Vec<String> = ix["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r[0].as_str() {
            Some(id) => id.to_string(),
            None => format!(
                "{}:~{}",
                types[r[3].as_u64().unwrap() as usize].as_str().unwrap(),
                r[1].as_str().unwrap().replace(' ', "-")
            ),
        })
        .collect();
    let pairs = ix["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let id = |k: usize| ids[p[k].as_u64().unwrap() as usize].clone();
            (id(0), id(1), p[2].as_u64().unwrap())
        })
        .collect();
    (ids, pairs)
}

#[test]
fn report_search_index_has_every_entity_and_each_ones_strongest_pair() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        concat!(
            r#"{"id": "a", "text": "Putin met Lavrov in Moscow. Putin met Lavrov again."}"#,
            "\n",
            r#"{"id": "b", "text": "Wang Yi visited Ukraine."}"#,
            "\n",
            r#"{"id": "c", "text": "وقال السيد كريم الزهراوي إن الصين مستعدة."}"#,
            "\n",
        ),
    );
    let gaz = fixture_gazetteer();
    let out = wd.run(&[
        "extract", "-g", &gaz, "in.jsonl", "-o", "o", "--format", "csv,html", "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (ids, pairs) = report_index(&wd.read("o/report.html"));
    // Every entity of entities.csv, most mentions first (Putin and Lavrov
    // twice, then by id), including the discovered name.
    let csv_ids: Vec<String> = wd
        .read("o/entities.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(ids, csv_ids);
    assert!(ids.iter().any(|i| i.starts_with("person:~")), "{ids:?}");
    // Putin-Lavrov (2 windows), Moscow's strongest pair (Lavrov's id
    // sorts first among equals) and the two pairs that give Wang Yi,
    // Ukraine, the discovered person and China a partner; not
    // Moscow-Putin (1 window, both ends have a partner).
    let has = |a: &str, b: &str| pairs.iter().any(|p| p.0 == a && p.1 == b);
    assert!(
        has("person:sergey-lavrov", "person:vladimir-putin"),
        "{pairs:?}"
    );
    assert_eq!(pairs[0].2, 2, "{pairs:?}");
    assert!(has("city:moscow", "person:sergey-lavrov"), "{pairs:?}");
    assert!(has("country:UA", "person:wang-yi"), "{pairs:?}");
    assert!(!has("city:moscow", "person:vladimir-putin"), "{pairs:?}");
    assert_eq!(
        pairs.len(),
        wd.read("o/cooccurrence.csv").lines().count() - 2,
        "{pairs:?}"
    );
}

/// The Putin-Lavrov pair of a JSON array of pairs (`cooccurrence.json`'s
/// rows or `report.html`'s data).
fn putin_lavrov(pairs: &serde_json::Value) -> &serde_json::Value {
    pairs
        .as_array()
        .expect("an array of pairs")
        .iter()
        .find(|p| {
            p["source_id"] == "person:sergey-lavrov" && p["target_id"] == "person:vladimir-putin"
        })
        .expect("the Putin-Lavrov pair")
}

/// The pairs' examples are shown by `cooccurrence.json` and `report.html`
/// only, and kept only when one of them is written: each shows them with
/// the other absent, and a run without either writes the same CSV files.
#[test]
fn pair_examples_are_kept_for_the_formats_that_show_them() {
    let wd = Workdir::new();
    wd.create(
        "in.jsonl",
        concat!(
            r#"{"id": "a", "text": "Putin met Lavrov in Moscow. Putin met Lavrov again."}"#,
            "\n",
            r#"{"id": "b", "text": "Then Lavrov and Putin left."}"#,
            "\n",
        ),
    );
    let gaz = fixture_gazetteer();
    for (dir, formats) in [
        ("h", "html"),
        ("j", "json"),
        ("cj", "csv,json"),
        ("c", "csv"),
    ] {
        let out = wd.run(&[
            "extract", "-g", &gaz, "in.jsonl", "-o", dir, "--format", formats, "-q",
        ]);
        assert!(out.status.success(), "{formats}: {}", stderr(&out));
    }
    // report.html alone: its data has the pair's first window in each
    // document (one example a document).
    let data = report_data(&wd.read("h/report.html"));
    let pair = putin_lavrov(&data["pairs"]);
    let texts: Vec<&str> = pair["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["Putin met Lavrov in Moscow.", "Then Lavrov and Putin left."]
    );
    // cooccurrence.json alone: the same two, with the marks of the names.
    let pairs: serde_json::Value =
        serde_json::from_str(&wd.read("j/cooccurrence.json")).expect("cooccurrence.json parses");
    let pair = putin_lavrov(&pairs);
    let examples = pair["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 2);
    assert_eq!(examples[1]["doc_id"], "b");
    assert_eq!(examples[1]["text"], "Then Lavrov and Putin left.");
    assert_eq!(examples[1]["marks"], serde_json::json!([[5, 11], [16, 21]]));
    // Without them: the same tables.
    for table in [
        "entities.csv",
        "cooccurrence.csv",
        "mentions.csv",
        "documents.csv",
    ] {
        assert_eq!(
            wd.read(&format!("c/{table}")),
            wd.read(&format!("cj/{table}")),
            "{table}"
        );
    }
}
