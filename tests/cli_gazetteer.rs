//! `alam gazetteer check` and `alam gazetteer lookup`.

mod common;

use common::{Workdir, fixture_gazetteer, stderr, stdout};

#[test]
fn check_reports_positions_and_counts() {
    let wd = Workdir::new();
    wd.create(
        "g/a.csv",
        "id,type,name,name_ar,aliases\n\
         country:OM,country,Oman,سلطنة عمان,عمان\n\
         city:amman,city,Amman,عمّان,\n\
         x:1,thing,One,,a||b\n\
         x:1,thing,Again,,\n\
         x:2,thing\n",
    );
    // The hash is FNV-1a 64 over "a.csv" and the file bytes, computed
    // independently in Python.
    let out = wd.run(&["gazetteer", "check", "g"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = "\
g/a.csv:4: warning: empty item in aliases: \"a||b\"
g/a.csv:4: warning: alias \"a\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone
g/a.csv:4: warning: alias \"b\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone
g/a.csv:5: error: duplicate id \"x:1\" (first at g/a.csv:4)
g/a.csv:6: error: malformed row: 2 fields, but the header has 5
note: alias \"عمان\" names: country:OM, city:amman
3 entities (1 city, 1 country, 1 thing), 8 forms, 2 errors, 3 warnings, 1 shared aliases, content hash 6b4375a5cc681333
";
    assert_eq!(stdout(&out), expected);
}

#[test]
fn check_of_the_fixture_passes() {
    let wd = Workdir::new();
    let out = wd.run(&["gazetteer", "check", &fixture_gazetteer()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains(" 0 errors,"));
}

#[test]
fn check_of_the_builtin_gazetteer_has_no_error() {
    let wd = Workdir::new();
    let out = wd.run(&["gazetteer", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn lookup_prints_normalized_form_and_entities() {
    let wd = Workdir::new();
    let gaz = fixture_gazetteer();
    let out = wd.run(&["gazetteer", "lookup", "-g", &gaz, "بالكويت"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("normalized: بالكويت\n"), "{text}");
    assert!(
        text.contains("form: (no entity has exactly this form)"),
        "{text}"
    );
    assert!(
        text.contains(
            "mention: country:KW\tcountry\tKuwait\tsurface \"الكويت\" prefix \"ب\" chars 1..7\tname"
        ),
        "{text}"
    );
    let out = wd.run(&["gazetteer", "lookup", "-g", &gaz, "عُمان"]);
    let text = stdout(&out);
    assert!(text.starts_with("normalized: عمان\n"), "{text}");
    assert!(
        text.contains("form: country:OM\tcountry\tOman\talias \"عمان\""),
        "{text}"
    );
    assert!(
        text.contains("form: city:amman\tcity\tAmman\tname \"عمان\""),
        "{text}"
    );
    assert!(text.contains("ambiguous, also: city:amman"), "{text}");
}

#[test]
fn export_lists_every_form() {
    let wd = Workdir::new();
    let out = wd.run(&["gazetteer", "export", "-g", &fixture_gazetteer()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "entity_id\ttype\tform\talias\tnormalized");
    assert!(lines.contains(&"country:US\tcountry\talias\tU.S.\tu.s."));
    assert!(lines.contains(&"country:UA\tcountry\tname\tأوكرانيا\tاوكرانيا"));
    assert!(lines.contains(&"person:xi-jinping\tperson\tweak\tشي\tشي"));
    assert!(lines.contains(&"country:RU\tcountry\tdemonym\tروسي\tروسي"));
    // Header plus one line per form.
    let forms: usize = alam::Gazetteer::from_dir(fixture_gazetteer().as_ref())
        .unwrap()
        .entities()
        .iter()
        .map(|e| e.forms().count())
        .sum();
    assert_eq!(lines.len(), forms + 1);
}

#[test]
fn version_prints_the_gazetteer_hash() {
    let wd = Workdir::new();
    wd.create("g/a.csv", "id,type,name\na:1,t,A\n");
    // FNV-1a 64 of "a.csv" and the bytes, computed in Python.
    let expected = format!(
        "alam {} (gazetteer g 329ca82093c11463)\n",
        env!("CARGO_PKG_VERSION")
    );
    // Every spelling clap accepts for -g names the same gazetteer.
    for args in [
        &["--version", "-g", "g"][..],
        &["--version", "--gazetteer", "g"],
        &["--version", "--gazetteer=g"],
        &["--version", "-gg"],
        &["-g", "g", "-V"],
        &["-Vgg"],
    ] {
        let out = wd.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected, "{args:?}");
    }
    let out = wd.run(&["--version"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let hash = alam::Gazetteer::builtin().content_hash();
    assert_eq!(
        text,
        format!(
            "alam {} (gazetteer builtin {hash})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    // -g without --version is a usage error, not silently ignored.
    let out = wd.run(&["-g", "g", "extract", "x.txt"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = wd.run(&["-g", "g"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--version"), "{}", stderr(&out));
}

const HEADER: &str = "id,type,name,name_ar,aliases,weak_aliases,demonyms,country\n";

/// `gazetteer check` and `extract` on broken or doubtful gazetteers:
/// check's exit code and lines, extract's exit code and stderr lines.
#[test]
fn bad_gazetteers_are_reported_by_check_and_extract() {
    // (name, files, check exit, check lines, extract exit, extract stderr lines)
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        i32,
        &'a [&'a str],
        i32,
        &'a [&'a str],
    );
    let unclosed = format!(
        "{HEADER}country:RU,country,Russia,روسيا,,,,\"country:XX\n\
         person:putin,person,Vladimir Putin,فلاديمير بوتين,بوتين|Putin,,,country:RU\n"
    );
    let many = format!("{HEADER}x:1,thing,Xavier,,a|b|c|d|e|f,,,\n");
    let cases: &[Case] = &[
        (
            // Audit #11: the Putin row was swallowed into a cell, check
            // passed and extract found nothing. Now an error at line 2,
            // and line 3 is checked (its country is the swallowed one).
            "unclosed_quote",
            &[("g/a.csv", &unclosed)],
            1,
            &[
                "g/a.csv:2: error: malformed row: a quoted cell opens here and is never closed (it would swallow the rest of the file); the rows after this line are read again",
                "g/a.csv:3: warning: \"person:putin\" refers to the unknown country id \"country:RU\"",
            ],
            1,
            &[
                "alam: the gazetteer cannot be used: the gazetteer has 1 error(s):",
                "g/a.csv:2: error: malformed row: a quoted cell opens here and is never closed (it would swallow the rest of the file); the rows after this line are read again",
            ],
        ),
        (
            "line_break_in_an_id",
            &[("g/a.csv", "id,type,name\n\"x\n:1\",thing,Xavier\n")],
            1,
            &["g/a.csv:2: error: malformed row: a line break inside the id cell \"x\\n:1\""],
            1,
            &[
                "alam: the gazetteer cannot be used: the gazetteer has 1 error(s):",
                "g/a.csv:2: error: malformed row: a line break inside the id cell \"x\\n:1\"",
            ],
        ),
        (
            // Saved with CRLF line ends (as Excel does): the csv crate
            // starts each record at the `\n` of the line before, so the
            // duplicate on line 3 was reported at line 2.
            "crlf_line_ends",
            &[(
                "g/a.csv",
                "id,type,name\r\nx:1,thing,Xavier\r\nx:1,thing,Xena\r\n",
            )],
            1,
            &["g/a.csv:3: error: duplicate id \"x:1\" (first at g/a.csv:2)"],
            1,
            &[
                "alam: the gazetteer cannot be used: the gazetteer has 1 error(s):",
                "g/a.csv:3: error: duplicate id \"x:1\" (first at g/a.csv:2)",
            ],
        ),
        (
            "no_csv_file",
            &[("g/notes.txt", "not a gazetteer\n")],
            1,
            &["g: error: no *.csv file in this folder (a gazetteer is a folder of CSV files)"],
            1,
            &[
                "alam: the gazetteer cannot be used: the gazetteer has 1 error(s):",
                "g: error: no *.csv file in this folder (a gazetteer is a folder of CSV files)",
            ],
        ),
        (
            "header_only",
            &[
                ("g/a.csv", HEADER),
                ("g/b.csv", "id,type,name\nx:1,thing,Xavier\n"),
            ],
            0,
            &["g/a.csv:1: warning: no rows after the header"],
            0,
            &[
                "alam: the gazetteer has 1 warning:",
                "g/a.csv:1: warning: no rows after the header",
            ],
        ),
        (
            "more_warnings_than_shown",
            &[("g/a.csv", &many)],
            0,
            &[
                "g/a.csv:2: warning: alias \"a\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone",
                "g/a.csv:2: warning: alias \"f\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone",
            ],
            0,
            &[
                "alam: the gazetteer has 6 warnings; the first 5:",
                "g/a.csv:2: warning: alias \"a\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone",
                "g/a.csv:2: warning: alias \"e\" of \"x:1\" is a single letter or digit and matches it wherever it stands alone",
                "alam: see `alam gazetteer check g` for all",
            ],
        ),
    ];
    for &(name, files, check_code, check_lines, extract_code, extract_lines) in cases {
        let wd = Workdir::new();
        for (path, text) in files {
            wd.create(path, text);
        }
        wd.create("in.txt", "قال بوتين في موسكو");
        let out = wd.run(&["gazetteer", "check", "g"]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(check_code), "{name}: {text}");
        for line in check_lines {
            assert!(text.lines().any(|l| l == *line), "{name}: {line}\n{text}");
        }
        let out = wd.run(&["extract", "in.txt", "-g", "g", "-o", "o", "-q"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(extract_code), "{name}: {err}");
        for line in extract_lines {
            assert!(err.lines().any(|l| l == *line), "{name}: {line}\n{err}");
        }
        if name == "more_warnings_than_shown" {
            // The first five only.
            assert!(!err.contains("alias \"f\""), "{err}");
        }
    }
}

#[test]
fn extract_with_the_builtin_gazetteer_prints_nothing() {
    let wd = Workdir::new();
    wd.create("in.txt", "قال بوتين في موسكو");
    let out = wd.run(&["extract", "in.txt", "-o", "o", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

/// `--add-gazetteer DIR` adds forms to an entity of the earlier
/// gazetteer by its id; within one folder an id twice is still an error.
#[test]
fn added_gazetteer_extends_an_entity_by_id() {
    // (name, the added file, exit code, stderr line, mentions.csv rows)
    let cases: &[(&str, &str, i32, &str, &[&str])] = &[
        (
            "new_alias_and_weak_alias",
            "id,type,name,aliases,weak_aliases\n\
             country:RU,,,Rossiya,Rus\n",
            0,
            "",
            &[
                "in.txt,country:RU,country,Russia,Rossiya,0,7,0,0,alias,false",
                "in.txt,country:RU,country,Russia,Rus,16,19,0,0,weak,false",
            ],
        ),
        (
            "same_name_repeated",
            "id,type,name,aliases\ncountry:RU,country,Russia,Rossiya\n",
            0,
            "",
            &["in.txt,country:RU,country,Russia,Rossiya,0,7,0,0,alias,false"],
        ),
        (
            "another_name",
            "id,type,name,aliases\ncountry:RU,,Russian Federation,Rossiya\n",
            1,
            "add/more.csv:2: error: \"country:RU\" is already defined at ",
            &[],
        ),
        (
            "twice_in_the_added_folder",
            "id,type,name,aliases\ncountry:RU,,,Rossiya\ncountry:RU,,,Rus\n",
            1,
            "add/more.csv:3: error: duplicate id \"country:RU\" (first at add/more.csv:2)",
            &[],
        ),
    ];
    for &(name, added, code, line, rows) in cases {
        let wd = Workdir::new();
        wd.create("add/more.csv", added);
        wd.create("in.txt", "Rossiya, I said Rus");
        let gaz = fixture_gazetteer();
        let out = wd.run(&[
            "extract",
            "in.txt",
            "-g",
            &gaz,
            "--add-gazetteer",
            "add",
            "--discover",
            "off",
            "-o",
            "o",
            "-q",
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{name}: {err}");
        assert!(err.contains(line), "{name}: {line}\n{err}");
        if code == 0 {
            let mentions = wd.read("o/mentions.csv");
            let got: Vec<&str> = mentions.lines().skip(1).collect();
            assert_eq!(got, rows, "{name}");
        }
    }
}

/// Extra columns reach entities.csv, entities.json and the graph files.
#[test]
fn extra_columns_reach_the_entity_tables() {
    let wd = Workdir::new();
    wd.create(
        "g/a.csv",
        "id,type,name,aliases,wikidata\n\
         person:putin,person,Vladimir Putin,بوتين,Q7747\n\
         city:moscow,city,Moscow,موسكو,\n",
    );
    wd.create(
        "g/b.csv",
        "id,url,type,name,aliases,wikidata\ncity:beijing,http://b.example,city,Beijing,بكين,Q956\n",
    );
    wd.create("in.txt", "قال بوتين في موسكو وبكين");
    let out = wd.run(&[
        "extract",
        "in.txt",
        "-g",
        "g",
        "-o",
        "o",
        "-q",
        "--format",
        "csv,json,graph",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        wd.read("o/entities.csv"),
        "entity_id,type,name,name_ar,mentions,documents,windows,source,wikidata,url\n\
         city:beijing,city,Beijing,,1,1,1,gazetteer,Q956,http://b.example\n\
         city:moscow,city,Moscow,,1,1,1,gazetteer,,\n\
         person:putin,person,Vladimir Putin,,1,1,1,gazetteer,Q7747,\n"
    );
    // Through alam stream and merge, the same table.
    let out = wd.run_with_stdin(
        &["stream", "-g", "g"],
        "{\"id\":\"in.txt\",\"text\":\"قال بوتين في موسكو وبكين\"}\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    wd.create_bytes("s.jsonl", &out.stdout);
    let out = wd.run(&["merge", "s.jsonl", "-o", "m", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(wd.read("m/entities.csv"), wd.read("o/entities.csv"));
    let json: serde_json::Value = serde_json::from_str(&wd.read("o/entities.json")).unwrap();
    let attributes: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"].to_string())
        .collect();
    assert_eq!(
        attributes,
        [
            r#"{"url":"http://b.example","wikidata":"Q956"}"#,
            "{}",
            r#"{"wikidata":"Q7747"}"#
        ]
    );
    // GEXF: the attribute is declared with its column name and set on
    // the node; GraphML: a key with attr.name.
    let gexf = wd.read("o/graph.gexf");
    let doc = roxmltree::Document::parse(&gexf).unwrap();
    let declared: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("attribute") && n.attribute("id").unwrap().starts_with('a'))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("title").unwrap()))
        .collect();
    assert_eq!(declared, [("a0", "wikidata"), ("a1", "url")]);
    let putin = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("person:putin"))
        .unwrap();
    assert!(
        putin
            .descendants()
            .any(|n| n.attribute("for") == Some("a0") && n.attribute("value") == Some("Q7747"))
    );
    let graphml = wd.read("o/graph.graphml");
    let doc = roxmltree::Document::parse(&graphml).unwrap();
    let key = doc
        .descendants()
        .find(|n| n.has_tag_name("key") && n.attribute("attr.name") == Some("url"))
        .unwrap();
    assert_eq!(key.attribute("id"), Some("a1"));
    let beijing = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("city:beijing"))
        .unwrap();
    assert!(
        beijing
            .children()
            .any(|n| n.attribute("key") == Some("a1") && n.text() == Some("http://b.example"))
    );
}

/// `--excel` neutralizes the cells a gazetteer supplies, not only the
/// input's (audit #20).
#[test]
fn excel_neutralizes_gazetteer_cells() {
    let wd = Workdir::new();
    wd.create(
        "g/a.csv",
        "id,type,name,name_ar,aliases,link\n\
         =cmd|' /C calc'!A0,+person,=HYPERLINK(\"http://evil\"),@عربي,بوتين,-1\n\
         city:moscow,city,Moscow,موسكو,,\n",
    );
    wd.create("in.txt", "قال بوتين في موسكو");
    let out = wd.run(&["extract", "in.txt", "-g", "g", "-o", "o", "-q", "--excel"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entities = wd.read("o/entities.csv");
    assert!(
        entities.contains(
            "\r\n'=cmd|' /C calc'!A0,'+person,\"'=HYPERLINK(\"\"http://evil\"\")\",'@عربي,1,1,1,gazetteer,'-1\r\n"
        ),
        "{entities}"
    );
    let mentions = wd.read("o/mentions.csv");
    assert!(
        mentions.contains(
            "\r\nin.txt,'=cmd|' /C calc'!A0,'+person,\"'=HYPERLINK(\"\"http://evil\"\")\",بوتين,"
        ),
        "{mentions}"
    );
    let pairs = wd.read("o/cooccurrence.csv");
    assert!(
        pairs.contains("\r\n'=cmd|' /C calc'!A0,\"'=HYPERLINK(\"\"http://evil\"\")\",'+person,city:moscow,Moscow,city,"),
        "{pairs}"
    );
}

/// `gazetteer check | head -1` and `gazetteer lookup ... | head -1`: a
/// closed pipe ends the command quietly with exit 0 (audit #14). The
/// outputs are larger than a pipe's buffer, so writing fails whenever
/// the reader closes.
#[test]
fn a_closed_pipe_ends_check_and_lookup_quietly() {
    use std::process::Stdio;
    let wd = Workdir::new();
    let mut rows = String::from("id,type,name,aliases\n");
    for i in 0..3000 {
        rows.push_str(&format!("x:{i},thing,Xavier {i},a||b\n"));
    }
    wd.create("g/a.csv", &rows);
    let text = "Xavier 1 ".repeat(3000);
    for args in [
        vec!["gazetteer", "check", "g"],
        vec!["gazetteer", "lookup", "-g", "g", &text],
    ] {
        let mut child = wd
            .command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{:?}: {}",
            args[1],
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "{:?}", args[1]);
    }
}
