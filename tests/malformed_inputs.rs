//! Malformed records inside input files, through the CLI as a user runs
//! it: one row per case, with the bytes written, the command line, the exit
//! code, and the `documents.csv` row (or `stream` line) of every record:
//! its id, its status, and a part of its message ("" when it must be
//! empty).
//!
//! Together with tests/cli_batch.rs these cover every record-level case of
//! the reliability audit (section 1).

mod common;

use std::io::Write;

use common::{Workdir, fixture_gazetteer, stderr};

/// How a case runs `alam`.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// `alam extract -g GAZ -q ARGS -o out`, rows from `out/documents.csv`.
    Extract,
    /// `alam stream -g GAZ ARGS` with the first file as standard input,
    /// rows from its output lines.
    Stream,
}

struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    mode: Mode,
    args: &'static [&'static str],
    code: i32,
    /// (doc_id, status, part of the message); `None`: no output expected.
    rows: Option<Vec<(&'static str, &'static str, &'static str)>>,
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A complete gzip member of `good`, then the first 14 bytes of a member
/// of `cut` (the header and the start of its data).
fn gz_truncated(good: &[u8], cut: &[u8]) -> Vec<u8> {
    let mut out = gz(good);
    out.extend_from_slice(&gz(cut)[..14]);
    out
}

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn cases() -> Vec<Case> {
    use Mode::*;
    let one = |name, data: &str| vec![(name, b(data))];
    vec![
        // ---------------------------------------------------------- JSONL
        Case {
            name: "broken JSON line among good ones",
            files: one(
                "in.jsonl",
                "{\"id\":\"a\",\"text\":\"Putin\"}\n{\"id\":\"b\",\"text\":\n{\"id\":\"c\",\"text\":\"Xi\"}\n",
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                ("in.jsonl:2", "error", "in.jsonl:2: malformed JSON: EOF while parsing"),
                ("c", "ok", ""),
            ]),
        },
        Case {
            name: "lines that are not objects",
            files: one(
                "in.jsonl",
                "[1,2]\n\"str\"\n42\nnull\ntrue\n{\"id\":\"a\",\"text\":\"Putin\"}\n",
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("in.jsonl:1", "error", "in.jsonl:1: a JSON object was expected"),
                ("in.jsonl:2", "error", "in.jsonl:2: a JSON object was expected"),
                ("in.jsonl:3", "error", "in.jsonl:3: a JSON object was expected"),
                ("in.jsonl:4", "error", "in.jsonl:4: a JSON object was expected"),
                ("in.jsonl:5", "error", "in.jsonl:5: a JSON object was expected"),
                ("a", "ok", ""),
            ]),
        },
        Case {
            name: "text that is a number, a boolean, an array, an object, null",
            files: one(
                "in.jsonl",
                concat!(
                    "{\"id\":\"n\",\"text\":123}\n",
                    "{\"id\":\"t\",\"text\":true}\n",
                    "{\"id\":\"a\",\"text\":[\"بوتين\",\"Putin\"]}\n",
                    "{\"id\":\"o\",\"text\":{\"k\":\"Putin\"}}\n",
                    "{\"id\":\"z\",\"text\":null}\n",
                ),
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                (
                    "n",
                    "warning",
                    "in.jsonl:1: text field \"text\" is a number; its JSON was used as the text",
                ),
                ("t", "warning", "in.jsonl:2: text field \"text\" is a boolean; its JSON"),
                ("a", "warning", "in.jsonl:3: text field \"text\" is an array; its JSON"),
                ("o", "warning", "in.jsonl:4: text field \"text\" is an object; its JSON"),
                ("z", "error", "in.jsonl:5: text field \"text\" is null"),
            ]),
        },
        Case {
            name: "one of two text fields null",
            files: one("in.jsonl", "{\"id\":\"a\",\"title\":null,\"text\":\"Putin\"}\n"),
            mode: Extract,
            args: &["in.jsonl", "--text-field", "title,text"],
            code: 0,
            rows: Some(vec![("a", "warning", "in.jsonl:1: text field \"title\" is null")]),
        },
        Case {
            name: "id missing or empty",
            files: one("in.jsonl", "{\"text\":\"Putin\"}\n{\"id\":\"\",\"text\":\"Xi\"}\n"),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![("in.jsonl:1", "ok", ""), ("in.jsonl:2", "ok", "")]),
        },
        Case {
            name: "ids that are numbers, booleans, objects: kept as written",
            files: one(
                "in.jsonl",
                concat!(
                    "{\"id\":123456789012345678901234,\"text\":\"a\"}\n",
                    "{\"id\":123456789012345678901235,\"text\":\"b\"}\n",
                    "{\"id\":1.50,\"text\":\"c\"}\n",
                    "{\"id\":1.5e300,\"text\":\"d\"}\n",
                    "{\"id\":-0,\"text\":\"e\"}\n",
                    "{\"id\":true,\"text\":\"f\"}\n",
                    "{\"id\":{\"k\": 1},\"text\":\"g\"}\n",
                    "{\"id\":null,\"text\":\"h\"}\n",
                ),
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("123456789012345678901234", "ok", ""),
                ("123456789012345678901235", "ok", ""),
                ("1.50", "ok", ""),
                ("1.5e300", "ok", ""),
                ("-0", "ok", ""),
                ("true", "ok", ""),
                ("{\"k\": 1}", "ok", ""),
                ("in.jsonl:8", "ok", ""),
            ]),
        },
        Case {
            name: "duplicate ids, and the same file given twice",
            files: one(
                "in.jsonl",
                "{\"id\":\"a\",\"text\":\"Putin\"}\n{\"id\":\"b\",\"text\":\"Xi\"}\n{\"id\":\"a\",\"text\":\"\"}\n",
            ),
            mode: Extract,
            args: &["in.jsonl", "in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                ("b", "ok", ""),
                (
                    "a",
                    "warning",
                    "in.jsonl:3: empty document; duplicate id \"a\" (first at in.jsonl:1)",
                ),
                (
                    "a",
                    "warning",
                    "in.jsonl:1: duplicate id \"a\" (first at in.jsonl:1: the same input read twice?)",
                ),
                ("b", "warning", "in.jsonl:2: duplicate id \"b\" (first at in.jsonl:2"),
                ("a", "warning", "in.jsonl:3: empty document; duplicate id \"a\""),
            ]),
        },
        Case {
            name: "duplicate key: the last one wins",
            files: one("in.jsonl", "{\"id\":\"a\",\"text\":\"x\",\"text\":\"Putin\"}\n"),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![("a", "ok", "")]),
        },
        Case {
            name: "invalid UTF-8 in JSONL (0xFF, truncated, overlong)",
            files: vec![(
                "in.jsonl",
                [
                    &b"{\"id\":\"a\",\"text\":\"x\xff\"}\n"[..],
                    b"{\"id\":\"b\",\"text\":\"x\xd8\"}\n",
                    b"{\"id\":\"c\",\"text\":\"x\xc0\xaf\"}\n",
                ]
                .concat(),
            )],
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("a", "warning", "in.jsonl:1: invalid UTF-8 at byte 19 of the line"),
                ("b", "warning", "in.jsonl:2: invalid UTF-8 at byte 19 of the line"),
                ("c", "warning", "in.jsonl:3: invalid UTF-8 at byte 19 of the line"),
            ]),
        },
        Case {
            name: "NUL bytes: raw in JSON, escaped in JSON, in TXT, in CSV",
            files: vec![
                ("j.jsonl", b("{\"id\":\"raw\",\"text\":\"a\0b\"}\n{\"id\":\"esc\",\"text\":\"a\\u0000b\"}\n")),
                ("t.txt", b("Putin\0Xi")),
                ("c.csv", b("id,text\nc,a\0b\n")),
            ],
            mode: Extract,
            args: &["j.jsonl", "t.txt", "c.csv"],
            code: 0,
            rows: Some(vec![
                ("j.jsonl:1", "error", "j.jsonl:1: malformed JSON: control character"),
                ("esc", "ok", ""),
                ("t.txt", "ok", ""),
                ("c", "ok", ""),
            ]),
        },
        Case {
            name: "UTF-8 BOM in JSONL and CSV",
            files: vec![
                ("j.jsonl", b("\u{feff}{\"id\":\"a\",\"text\":\"Putin\"}\n")),
                ("c.csv", b("\u{feff}id,text\nb,Xi\n")),
            ],
            mode: Extract,
            args: &["j.jsonl", "c.csv"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("b", "ok", "")]),
        },
        Case {
            name: "CRLF in JSONL and CSV",
            files: vec![
                ("j.jsonl", b("{\"id\":\"a\",\"text\":\"Putin\"}\r\n{\"id\":\"b\",\"text\":\"Xi\"}\r\n")),
                ("c.csv", b("title,text\r\nt,Putin\r\nu,Xi\r\n")),
            ],
            mode: Extract,
            args: &["j.jsonl", "c.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                ("b", "ok", ""),
                ("c.csv:2", "ok", ""),
                ("c.csv:3", "ok", ""),
            ]),
        },
        Case {
            name: "lone CR between JSONL records",
            files: one(
                "in.jsonl",
                "{\"id\":\"a\",\"text\":\"x\"}\r{\"id\":\"b\",\"text\":\"y\"}\r{\"id\":\"c\",\"text\":\"z\"}\r",
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("b", "ok", ""), ("c", "ok", "")]),
        },
        Case {
            name: "lone CR between CSV records (CSV for Macintosh)",
            files: one("cr.csv", "title,text\rt1,بوتين\rt2,Putin\r\rt3,Russia\r"),
            mode: Extract,
            args: &["cr.csv"],
            code: 0,
            rows: Some(vec![
                ("cr.csv:2", "ok", ""),
                ("cr.csv:3", "ok", ""),
                ("cr.csv:5", "ok", ""),
            ]),
        },
        Case {
            name: "blank lines: JSONL lines of blanks or NBSP are warnings, CSV skips them",
            files: vec![
                ("j.jsonl", b("{\"id\":\"a\",\"text\":\"x\"}\n\n   \n\u{a0}\n")),
                ("c.csv", b("id,text\n\nb,x\n\n")),
            ],
            mode: Extract,
            args: &["j.jsonl", "c.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                ("j.jsonl:2", "warning", "j.jsonl:2: empty line"),
                ("j.jsonl:3", "warning", "j.jsonl:3: empty line"),
                ("j.jsonl:4", "warning", "j.jsonl:4: empty line"),
                ("b", "ok", ""),
            ]),
        },
        Case {
            name: "lone surrogate escape",
            files: one(
                "in.jsonl",
                "{\"id\":\"s\",\"text\":\"\\ud800\"}\n{\"id\":\"t\",\"text\":\"Xi\"}\n",
            ),
            mode: Extract,
            args: &["in.jsonl"],
            code: 0,
            rows: Some(vec![
                ("in.jsonl:1", "error", "in.jsonl:1: malformed JSON: unexpected end of hex escape"),
                ("t", "ok", ""),
            ]),
        },
        Case {
            name: "a JSONL line longer than --max-document-bytes is skipped, reading goes on",
            files: vec![(
                "in.jsonl",
                [
                    &b"{\"id\":\"a\",\"text\":\"Putin\"}\n{\"id\":\"big\",\"text\":\""[..],
                    &[b'a'; 5000],
                    b"\"}\n{\"id\":\"c\",\"text\":\"Xi\"}\n",
                ]
                .concat(),
            )],
            mode: Extract,
            args: &["in.jsonl", "--max-document-bytes", "1K"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                (
                    "in.jsonl:2",
                    "error",
                    "in.jsonl:2: line of more than 1024 bytes (--max-document-bytes); skipped",
                ),
                ("c", "ok", ""),
            ]),
        },
        Case {
            name: "a .txt document or a CSV record longer than --max-document-bytes",
            files: vec![
                ("big.txt", vec![b'a'; 101]),
                ("small.txt", b("Putin")),
                ("c.csv", [&b"id,text\nbig,"[..], &[b'a'; 101], b"\nok,Xi\n"].concat()),
            ],
            mode: Extract,
            args: &["big.txt", "small.txt", "c.csv", "--max-document-bytes", "100"],
            code: 0,
            rows: Some(vec![
                ("big.txt", "error", "big.txt: document of more than 100 bytes"),
                ("small.txt", "ok", ""),
                ("c.csv:2", "error", "c.csv:2: record of more than 100 bytes"),
                ("ok", "ok", ""),
            ]),
        },
        Case {
            name: "a bad --max-document-bytes is a usage error",
            files: one("in.txt", "Putin"),
            mode: Extract,
            args: &["in.txt", "--max-document-bytes", "lots"],
            code: 2,
            rows: None,
        },
        Case {
            name: "truncated .gz (JSONL): rows up to the cut, then an error",
            files: vec![(
                "in.jsonl.gz",
                gz_truncated(
                    b"{\"id\":\"a\",\"text\":\"Putin\"}\n{\"id\":\"b\",\"text\":\"Xi\"}\n",
                    b"{\"id\":\"c\",\"text\":\"Putin\"}\n",
                ),
            )],
            mode: Extract,
            args: &["in.jsonl.gz"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("b", "ok", ""), ("in.jsonl.gz:3", "error", "in.jsonl.gz:3: ")]),
        },
        Case {
            name: "truncated .gz (CSV): rows up to the cut, then an error",
            files: vec![(
                "in.csv.gz",
                gz_truncated(b"id,text\na,Putin\nb,Xi\n", b"c,Putin\n"),
            )],
            mode: Extract,
            args: &["in.csv.gz"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("b", "ok", ""), ("in.csv.gz:4", "error", "in.csv.gz:4: ")]),
        },
        Case {
            name: ".gz with junk after a valid member",
            files: vec![(
                "in.jsonl.gz",
                [gz(b"{\"id\":\"a\",\"text\":\"Putin\"}\n"), b("junk after the member")].concat(),
            )],
            mode: Extract,
            args: &["in.jsonl.gz"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("in.jsonl.gz:2", "error", "in.jsonl.gz:2: invalid gzip header")]),
        },
        // ------------------------------------------------------------ CSV
        Case {
            name: "CSV field with quoted newlines is one record",
            files: one("in.csv", "id,text\na,\"Putin\nmet Xi\"\n,Russia\n"),
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("in.csv:4", "ok", "")]),
        },
        Case {
            name: "stray quote inside a field is literal",
            files: one("in.csv", "id,text\na,ab\"cd\nb,Xi\n"),
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![("a", "ok", ""), ("b", "ok", "")]),
        },
        Case {
            name: "CSV with extra or missing columns",
            files: one("in.csv", "id,text\na,Putin,x,y\nb\n"),
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "warning", "in.csv:2: 4 fields, but the header has 2"),
                (
                    "in.csv:3",
                    "error",
                    "in.csv:3: 1 fields, but the header has 2; missing text field (text)",
                ),
            ]),
        },
        Case {
            name: "unbalanced quote: the field is cut at its line end, the rest read again",
            files: one("in.csv", "id,text\na,بوتين\nb,\"unclosed بكين\nc,موسكو\nd,Putin\n"),
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                (
                    "b",
                    "warning",
                    "in.csv:3: the quote opened on line 3 is never closed: the field was cut at the end of that line, and the 2 lines after it were read as records",
                ),
                ("c", "ok", ""),
                ("d", "ok", ""),
            ]),
        },
        Case {
            name: "unbalanced quote on the last line",
            files: one("in.csv", "id,text\na,Putin\nb,\"Xi"),
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                (
                    "b",
                    "warning",
                    "in.csv:3: the quote opened on line 3 is never closed (at the end of the file)",
                ),
            ]),
        },
        Case {
            name: "unbalanced quote in a record over the size limit",
            files: vec![(
                "in.csv",
                [&b"id,text\na,Putin\nb,\"open\n"[..], &[b'x'; 200], b"\nc,Xi\n"].concat(),
            )],
            mode: Extract,
            args: &["in.csv", "--max-document-bytes", "100"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                (
                    "in.csv:3",
                    "error",
                    "in.csv:3: the quote opened on line 3 is never closed, so the rest of the file (2 lines) was read as one field; record of more than 100 bytes",
                ),
            ]),
        },
        Case {
            name: "CSV without a header: one error naming the header",
            files: one("in.csv", "a,بوتين\nb,بكين\nc,موسكو\n"),
            mode: Extract,
            args: &["in.csv"],
            code: 1,
            rows: Some(vec![(
                "in.csv:1",
                "error",
                "in.csv:1: the header (a,بوتين) has no column \"text\"; the 2 records after it were not read",
            )]),
        },
        Case {
            name: "CSV header without any of several text fields",
            files: vec![("in.csv", b("a,b\nx,y\n")), ("ok.txt", b("Putin"))],
            mode: Extract,
            args: &["in.csv", "ok.txt", "--text-field", "title,text"],
            code: 0,
            rows: Some(vec![
                (
                    "in.csv:1",
                    "error",
                    "in.csv:1: the header (a,b) has none of the columns \"title\", \"text\"; the 1 records",
                ),
                ("ok.txt", "ok", ""),
            ]),
        },
        Case {
            name: "CSV header without the --id-field given",
            files: vec![("in.csv", b("id,text\na,Putin\n")), ("ok.txt", b("Putin"))],
            mode: Extract,
            args: &["in.csv", "ok.txt", "--id-field", "key"],
            code: 0,
            rows: Some(vec![
                (
                    "in.csv:1",
                    "error",
                    "in.csv:1: the header (id,text) has no column \"key\" (--id-field); the 1 records after it were not read",
                ),
                ("ok.txt", "ok", ""),
            ]),
        },
        Case {
            name: "invalid UTF-8 in a CSV header: decoded, the records read",
            files: vec![("in.csv", b"id,n\xffote,text\na,x,Putin\nb,y,Xi\n".to_vec())],
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "warning", "in.csv:2: invalid UTF-8 in the header (line 1), replaced with U+FFFD"),
                ("b", "ok", ""),
            ]),
        },
        Case {
            name: "invalid UTF-8 in a CSV field",
            files: vec![("in.csv", b"id,text\na,Putin \xe9\nb,Xi\n".to_vec())],
            mode: Extract,
            args: &["in.csv"],
            code: 0,
            rows: Some(vec![
                ("a", "warning", "in.csv:2: invalid UTF-8, replaced with U+FFFD"),
                ("b", "ok", ""),
            ]),
        },
        // --------------------------------------------------------- stream
        Case {
            name: "stream: lone CRs, a duplicate id, a long line, a null text",
            files: vec![(
                "stdin",
                [
                    &b"{\"id\":\"a\",\"text\":\"Putin\"}\r{\"id\":\"a\",\"text\":\"Xi\"}\r{\"id\":\"big\",\"text\":\""[..],
                    &[b'a'; 300],
                    b"\"}\n{\"id\":\"n\",\"text\":null}\n{\"id\":7,\"text\":\"Xi\"}\n",
                ]
                .concat(),
            )],
            mode: Stream,
            args: &["--max-document-bytes", "200"],
            code: 0,
            rows: Some(vec![
                ("a", "ok", ""),
                ("a", "warning", "-:2: duplicate id \"a\" (first at -:1)"),
                ("-:3", "error", "-:3: line of more than 200 bytes (--max-document-bytes); skipped"),
                ("n", "error", "-:4: text field \"text\" is null"),
                ("7", "ok", ""),
            ]),
        },
    ]
}

/// The (doc_id, status, message) of every record of a run.
fn records(wd: &Workdir, mode: Mode, stdout: &[u8]) -> Vec<(String, String, String)> {
    match mode {
        Mode::Extract => {
            let data = wd.read("out/documents.csv");
            let mut rdr = csv::Reader::from_reader(data.as_bytes());
            let headers = rdr.headers().unwrap().clone();
            let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
            let (id, status, message) = (col("doc_id"), col("status"), col("message"));
            rdr.records()
                .map(|r| {
                    let r = r.unwrap();
                    (
                        r[id].to_string(),
                        r[status].to_string(),
                        r[message].to_string(),
                    )
                })
                .collect()
        }
        Mode::Stream => String::from_utf8_lossy(stdout)
            .lines()
            .map(|line| {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let s = |k: &str| v[k].as_str().unwrap().to_string();
                (s("doc_id"), s("status"), s("message"))
            })
            .collect(),
    }
}

#[test]
fn every_record_of_a_malformed_input_is_accounted_for() {
    let gaz = fixture_gazetteer();
    let mut failures = Vec::new();
    for case in cases() {
        let wd = Workdir::new();
        for (name, data) in &case.files {
            wd.create_bytes(name, data);
        }
        let out = match case.mode {
            Mode::Extract => {
                let mut args = vec!["extract", "-g", gaz.as_str(), "-q", "-o", "out"];
                args.extend_from_slice(case.args);
                wd.run(&args)
            }
            Mode::Stream => {
                let mut args = vec!["stream", "-g", gaz.as_str(), "--threads", "2"];
                args.extend_from_slice(case.args);
                let stdin = std::fs::File::open(wd.path().join(case.files[0].0)).unwrap();
                wd.command(&args).stdin(stdin).output().unwrap()
            }
        };
        let code = out.status.code().unwrap_or(-1);
        if code != case.code {
            failures.push(format!(
                "{}: exit code {code}, expected {}\n{}",
                case.name,
                case.code,
                stderr(&out)
            ));
            continue;
        }
        let Some(want) = &case.rows else {
            assert!(
                !wd.path().join("out/documents.csv").exists(),
                "{}",
                case.name
            );
            continue;
        };
        let got = records(&wd, case.mode, &out.stdout);
        let matches = got.len() == want.len()
            && got.iter().zip(want).all(|(g, w)| {
                g.0 == w.0
                    && g.1 == w.1
                    && if w.2.is_empty() {
                        g.2.is_empty()
                    } else {
                        g.2.contains(w.2)
                    }
            });
        if !matches {
            failures.push(format!(
                "{}:\n  got      {got:?}\n  expected {want:?}",
                case.name
            ));
        }
        // Every warning and error is also on stderr.
        let err = stderr(&out);
        for (_, status, message) in &got {
            if status != "ok" && !err.contains(message.as_str()) {
                failures.push(format!("{}: {message:?} is not on stderr", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
