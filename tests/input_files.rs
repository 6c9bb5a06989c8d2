//! `alam extract` on files and folders as a user has them: unreadable
//! subfolders, symbolic link loops, FIFOs, names that are not UTF-8,
//! UTF-16 and UTF-32 files, empty files, `.json`, `.ndjson`, `.tsv`, files
//! named otherwise, JSONL on standard input, folders with nothing to read,
//! and the output folder inside the input folder.
//!
//! Each case lists the files it makes, the command line, the exit code,
//! and every row of `documents.csv` (id, source, status, and a part of the
//! message; an empty part means no message): every record is accounted
//! for.

mod common;

use std::io::Write;
use std::path::Path;

use common::{Workdir, fixture_gazetteer, stderr};

/// What a case puts at a path.
enum Content {
    Bytes(Vec<u8>),
    /// A symbolic link to this target.
    Link(&'static str),
    /// A FIFO.
    Fifo,
}

use Content::{Bytes, Fifo, Link};

/// One row of `documents.csv`: id, source, status, a part of the message.
type Row = (&'static str, &'static str, &'static str, &'static str);

struct Case {
    name: &'static str,
    files: Vec<(&'static [u8], Content)>,
    args: &'static [&'static str],
    /// Standard input, when the case gives one.
    stdin: Option<&'static str>,
    /// Runs before the one checked (to find what a rerun reads).
    reruns: usize,
    code: i32,
    rows: &'static [Row],
    /// Parts of stderr.
    stderr: &'static [&'static str],
}

fn text(s: &str) -> Content {
    Bytes(s.as_bytes().to_vec())
}

fn utf16(s: &str, le: bool, bom: bool) -> Content {
    let mut v = Vec::new();
    for u in bom.then_some(0xfeff).into_iter().chain(s.encode_utf16()) {
        v.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    Bytes(v)
}

fn utf32(s: &str, le: bool, bom: bool) -> Content {
    let mut v = Vec::new();
    for c in bom.then_some('\u{feff}').into_iter().chain(s.chars()) {
        let c = c as u32;
        v.extend(if le { c.to_le_bytes() } else { c.to_be_bytes() });
    }
    Bytes(v)
}

fn gzip(bytes: &[u8]) -> Content {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    Bytes(e.finish().expect("gzip"))
}

const JSONL: &str =
    "{\"id\":\"a\",\"text\":\"قال بوتين\"}\n{\"id\":\"b\",\"text\":\"Putin met Xi\"}\n";
/// [`JSONL`] with other ids, for a second file of one run (the same ids
/// would be warned as duplicates).
const JSONL_CD: &str =
    "{\"id\":\"c\",\"text\":\"قال بوتين\"}\n{\"id\":\"d\",\"text\":\"Putin met Xi\"}\n";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "symbolic link loops: each folder once, links outside the loop read",
            files: vec![
                (b"in/a.txt", text("قال بوتين")),
                (b"in/l1", Link(".")),
                (b"in/l2", Link(".")),
                (b"other/o.txt", text("Putin")),
                (b"in/sub", Link("../other")),
                (b"in/f.txt", Link("../other/o.txt")),
                (b"in/gone.txt", Link("missing.txt")),
            ],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                ("a.txt", "in/a.txt", "ok", ""),
                ("f.txt", "in/f.txt", "ok", ""),
                (
                    "in/gone.txt",
                    "in/gone.txt",
                    "error",
                    "in/gone.txt: No such file or directory",
                ),
                (
                    "in/l1",
                    "in/l1",
                    "warning",
                    "in/l1: the same folder as in, already read (a symbolic link loop?), skipped",
                ),
                (
                    "in/l2",
                    "in/l2",
                    "warning",
                    "in/l2: the same folder as in, already read",
                ),
                ("sub/o.txt", "in/sub/o.txt", "ok", ""),
            ],
            stderr: &["in/l1: the same folder as in"],
        },
        Case {
            name: "a FIFO in a folder is skipped, never opened",
            files: vec![(b"in/a.txt", text("بوتين")), (b"in/b.txt", Fifo)],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                ("a.txt", "in/a.txt", "ok", ""),
                (
                    "in/b.txt",
                    "in/b.txt",
                    "warning",
                    "in/b.txt: not a regular file (a FIFO), skipped",
                ),
            ],
            stderr: &[],
        },
        Case {
            name: "names that are not UTF-8 keep distinct ids",
            files: vec![
                (b"in/n\xff.txt", text("بوتين")),
                (b"in/n\xfe.txt", text("Putin")),
                (b"in/d\xff/r.jsonl", text("{\"text\":\"Xi\"}\n")),
            ],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                ("in/d\\xFF/r.jsonl:1", "in/d\\xFF/r.jsonl:1", "ok", ""),
                ("n\\xFE.txt", "in/n\\xFE.txt", "ok", ""),
                ("n\\xFF.txt", "in/n\\xFF.txt", "ok", ""),
            ],
            stderr: &[],
        },
        Case {
            name: "UTF-16 and UTF-32 files are decoded, with a warning naming the encoding",
            files: vec![
                (b"in/a.jsonl", utf16(JSONL, true, true)),
                (b"in/b.jsonl", utf16(JSONL, false, false)),
                (
                    b"in/c.csv",
                    utf16("id,text\nc1,بوتين\nc2,Xi\n", true, false),
                ),
                (b"in/d.txt", utf16("قال بوتين", false, true)),
                (b"in/e.txt", utf32("Putin met Xi", true, true)),
                (b"in/f.ndjson", utf32(JSONL, false, false)),
            ],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                (
                    "in/a.jsonl",
                    "in/a.jsonl",
                    "warning",
                    "in/a.jsonl: UTF-16LE text (byte order mark), decoded to UTF-8",
                ),
                ("a", "in/a.jsonl:1", "ok", ""),
                ("b", "in/a.jsonl:2", "ok", ""),
                (
                    "in/b.jsonl",
                    "in/b.jsonl",
                    "warning",
                    "UTF-16BE text (no byte order mark, NUL bytes between the characters)",
                ),
                // The same ids as a.jsonl: warned as duplicates.
                (
                    "a",
                    "in/b.jsonl:1",
                    "warning",
                    "duplicate id \"a\" (first at in/a.jsonl:1)",
                ),
                // The same ids as a.jsonl: warned as duplicates.
                (
                    "b",
                    "in/b.jsonl:2",
                    "warning",
                    "duplicate id \"b\" (first at in/a.jsonl:2)",
                ),
                ("in/c.csv", "in/c.csv", "warning", "UTF-16LE text (no byte"),
                ("c1", "in/c.csv:2", "ok", ""),
                ("c2", "in/c.csv:3", "ok", ""),
                (
                    "d.txt",
                    "in/d.txt",
                    "warning",
                    "in/d.txt: UTF-16BE text (byte order",
                ),
                (
                    "e.txt",
                    "in/e.txt",
                    "warning",
                    "in/e.txt: UTF-32LE text (byte order",
                ),
                (
                    "in/f.ndjson",
                    "in/f.ndjson",
                    "warning",
                    "UTF-32BE text (no byte",
                ),
                // The same ids as a.jsonl: warned as duplicates.
                (
                    "a",
                    "in/f.ndjson:1",
                    "warning",
                    "duplicate id \"a\" (first at in/a.jsonl:1)",
                ),
                // The same ids as a.jsonl: warned as duplicates.
                (
                    "b",
                    "in/f.ndjson:2",
                    "warning",
                    "duplicate id \"b\" (first at in/a.jsonl:2)",
                ),
            ],
            stderr: &[],
        },
        Case {
            name: "empty files each leave a warning row",
            files: vec![
                (b"in/a.jsonl", text("")),
                (b"in/b.csv", text("")),
                (b"in/c.csv", text("id,text\n")),
                (b"in/d.jsonl.gz", gzip(b"")),
                (b"in/e.csv.gz", text("")),
                (b"in/f.txt", text("")),
                (b"in/g.json", text("[]")),
                (b"in/h.txt.gz", text("")),
                (b"in/i.tsv", text("id\ttext\n")),
            ],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                (
                    "in/a.jsonl",
                    "in/a.jsonl",
                    "warning",
                    "in/a.jsonl: empty file",
                ),
                ("in/b.csv", "in/b.csv", "warning", "in/b.csv: empty file"),
                ("in/c.csv", "in/c.csv", "warning", "in/c.csv: empty file"),
                (
                    "in/d.jsonl.gz",
                    "in/d.jsonl.gz",
                    "warning",
                    "in/d.jsonl.gz: empty file",
                ),
                (
                    "in/e.csv.gz",
                    "in/e.csv.gz",
                    "warning",
                    "in/e.csv.gz: empty file",
                ),
                ("f.txt", "in/f.txt", "warning", "in/f.txt: empty document"),
                ("in/g.json", "in/g.json", "warning", "in/g.json: empty file"),
                (
                    "h.txt.gz",
                    "in/h.txt.gz",
                    "warning",
                    "in/h.txt.gz: empty document",
                ),
                ("in/i.tsv", "in/i.tsv", "warning", "in/i.tsv: empty file"),
            ],
            stderr: &[],
        },
        Case {
            name: ".json, .ndjson, .tsv and their .gz forms are read as what they are",
            files: vec![
                (
                    b"in/a.json",
                    text(
                        "[\n  {\"id\": \"j1\", \"text\": \"قال بوتين\"},\n  {\"text\": \"Xi\"},\n  42\n]\n",
                    ),
                ),
                (
                    b"in/b.json.gz",
                    gzip(b"[{\"id\":\"g1\",\"text\":\"Putin\"}]"),
                ),
                (
                    b"in/c.ndjson.gz",
                    gzip(b"{\"id\":\"n1\",\"text\":\"Xi\"}\n"),
                ),
                (b"in/d.tsv", text("id\ttext\nt1\tقال بوتين, في موسكو\n")),
                (b"in/e.tsv.gz", gzip(b"text\tid\nXi\tt2\n")),
                (
                    b"in/f.json",
                    text("{\"id\": \"one\",\n \"text\": \"Putin\"}\n"),
                ),
                (b"in/x.pdf", text("not read")),
            ],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                ("j1", "in/a.json:1", "ok", ""),
                ("in/a.json:2", "in/a.json:2", "ok", ""),
                (
                    "in/a.json:3",
                    "in/a.json:3",
                    "error",
                    "in/a.json:3: a JSON object was expected",
                ),
                ("g1", "in/b.json.gz:1", "ok", ""),
                ("n1", "in/c.ndjson.gz:1", "ok", ""),
                ("t1", "in/d.tsv:2", "ok", ""),
                ("t2", "in/e.tsv.gz:2", "ok", ""),
                ("one", "in/f.json:1", "ok", ""),
            ],
            stderr: &[],
        },
        Case {
            name: "a file named otherwise is text, unless its first bytes say gzip, JSONL or JSON",
            files: vec![
                (b"news.dat", text(JSONL)),
                (b"news.bin", gzip(JSONL_CD.as_bytes())),
                (b"arr.out", text("[{\"id\":\"r1\",\"text\":\"Xi\"}]")),
                (b"notes.md", text("[Reuters] قال بوتين\n{not json}\n")),
                (b"gz.bin", gzip("قال بوتين".as_bytes())),
            ],
            args: &["news.dat", "news.bin", "arr.out", "notes.md", "gz.bin"],
            stdin: None,
            reruns: 0,
            code: 0,
            rows: &[
                ("a", "news.dat:1", "ok", ""),
                ("b", "news.dat:2", "ok", ""),
                ("c", "news.bin:1", "ok", ""),
                ("d", "news.bin:2", "ok", ""),
                ("r1", "arr.out:1", "ok", ""),
                ("notes.md", "notes.md", "ok", ""),
                ("gz.bin", "gz.bin", "ok", ""),
            ],
            stderr: &[],
        },
        Case {
            name: "JSONL on standard input is read as JSONL, with a note",
            files: vec![],
            args: &["-", "--text-field", "title,text"],
            stdin: Some(
                "\n{\"id\":\"s1\",\"title\":\"T\",\"text\":\"قال بوتين\"}\n{\"id\":\"s2\",\"text\":\"Xi\"}\n",
            ),
            reruns: 0,
            code: 0,
            rows: &[
                ("-:1", "-:1", "warning", "-:1: empty line"),
                ("s1", "-:2", "ok", ""),
                ("s2", "-:3", "warning", "-:3: missing field title"),
            ],
            stderr: &["alam: note: standard input is JSONL (its first line is a JSON object)"],
        },
        // The note once went missing when standard input had a name (the
        // Spark job's tasks name theirs as lines of the whole input).
        Case {
            name: "JSONL on standard input named with --stdin-name keeps the note",
            files: vec![],
            args: &[
                "-",
                "--stdin-name",
                "news.jsonl",
                "--stdin-lines-before",
                "10",
            ],
            stdin: Some("{\"text\":\"Xi\"}\n{\"id\":\"s2\",\"text\":\"Xi\"}\n"),
            reruns: 0,
            code: 0,
            rows: &[
                ("news.jsonl:11", "news.jsonl:11", "ok", ""),
                ("s2", "news.jsonl:12", "ok", ""),
            ],
            stderr: &["alam: note: standard input is JSONL (its first line is a JSON object)"],
        },
        Case {
            name: "text on standard input with --text-field warns",
            files: vec![],
            args: &["-", "--text-field", "title,text"],
            stdin: Some("قال بوتين في موسكو"),
            reruns: 0,
            code: 0,
            rows: &[("-", "-", "ok", "")],
            stderr: &["--id-field and --text-field do not apply to it"],
        },
        Case {
            name: "--stdin-format text reads JSON as one text",
            files: vec![],
            args: &["-", "--stdin-format", "text"],
            stdin: Some(JSONL),
            reruns: 0,
            code: 0,
            rows: &[("-", "-", "ok", "")],
            stderr: &[],
        },
        Case {
            name: "a folder with nothing to read exits 1",
            files: vec![(b"in/x.pdf", text("x")), (b"in/sub/y.doc", text("y"))],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 1,
            rows: &[],
            stderr: &["alam: no input could be read in in (0 documents, 0 errors)"],
        },
        Case {
            name: "a folder of unreadable records exits 1",
            files: vec![(b"in/x.json", text("{}"))],
            args: &["in"],
            stdin: None,
            reruns: 0,
            code: 1,
            rows: &[(
                "in/x.json:1",
                "in/x.json:1",
                "error",
                "missing text field (text)",
            )],
            stderr: &["alam: no input could be read in in (1 documents, 1 errors)"],
        },
        Case {
            name: "the output folder inside the input folder is never read",
            files: vec![
                (b"news.jsonl", text(JSONL)),
                (b"old/summary.json", text("{}")),
                (b"old/documents.csv", text("doc_id\n")),
                (b"old/mentions.jsonl", text("{\"doc_id\":\"a\"}\n")),
            ],
            args: &["."],
            stdin: None,
            reruns: 2,
            code: 0,
            rows: &[
                ("a", "./news.jsonl:1", "ok", ""),
                ("b", "./news.jsonl:2", "ok", ""),
                (
                    "./old",
                    "./old",
                    "warning",
                    "./old: an alam output folder (summary.json, documents.csv), skipped",
                ),
            ],
            stderr: &[],
        },
        Case {
            name: "the output folder given as input is an error",
            files: vec![(b"o/a.txt", text("بوتين"))],
            args: &["o"],
            stdin: None,
            reruns: 0,
            code: 1,
            rows: &[("o", "o", "error", "o: the output folder (-o), not read")],
            stderr: &[],
        },
    ]
}

fn make(wd: &Workdir, name: &[u8], content: &Content) {
    use std::os::unix::ffi::OsStrExt;
    let path = wd.path().join(std::ffi::OsStr::from_bytes(name));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    match content {
        Bytes(b) => std::fs::write(&path, b).expect("write"),
        Link(target) => std::os::unix::fs::symlink(target, &path).expect("symlink"),
        Fifo => {
            let ok = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .expect("mkfifo");
            assert!(ok.success(), "mkfifo");
        }
    }
}

fn run(wd: &Workdir, args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let gaz = fixture_gazetteer();
    let mut all = vec!["extract", "-g", gaz.as_str(), "-q", "-o", "o"];
    all.extend_from_slice(args);
    let mut cmd = wd.command(&all);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    match stdin {
        None => cmd
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run"),
        Some(bytes) => {
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(bytes)
                .expect("write stdin");
            child.wait_with_output().expect("wait")
        }
    }
}

/// The rows of `documents.csv`: id, source, status, message.
fn documents(dir: &Path) -> Vec<[String; 4]> {
    let Ok(data) = std::fs::read(dir.join("o/documents.csv")) else {
        return Vec::new();
    };
    let mut rdr = csv::Reader::from_reader(&data[..]);
    let h = rdr.headers().expect("header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).expect(n);
    let cols = [col("doc_id"), col("source"), col("status"), col("message")];
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            cols.map(|c| r[c].to_string())
        })
        .collect()
}

fn check(case: &Case, stdin: Option<&[u8]>) {
    let wd = Workdir::new();
    for (name, content) in &case.files {
        make(&wd, name, content);
    }
    let mut out = run(&wd, case.args, stdin);
    for _ in 0..case.reruns {
        out = run(&wd, case.args, stdin);
    }
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(case.code), "{}: {err}", case.name);
    let got = documents(wd.path());
    let rows: Vec<_> = got
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    let want: Vec<_> = case.rows.iter().map(|r| (r.0, r.1, r.2)).collect();
    assert_eq!(rows, want, "{}: {err}", case.name);
    for (row, (.., message)) in got.iter().zip(case.rows) {
        if message.is_empty() {
            assert_eq!(row[3], "", "{}", case.name);
        } else {
            assert!(row[3].contains(message), "{}: {row:?}", case.name);
        }
    }
    for part in case.stderr {
        assert!(err.contains(part), "{}: {err}", case.name);
    }
}

#[test]
fn files_and_folders() {
    for case in cases() {
        let stdin = case.stdin.map(str::as_bytes);
        check(&case, stdin);
    }
}

#[test]
fn utf16_on_standard_input_is_decoded() {
    let mut bytes = vec![0xff, 0xfe];
    for u in "{\"id\":\"u1\",\"text\":\"قال بوتين\"}\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let case = Case {
        name: "UTF-16 JSONL on standard input",
        files: vec![],
        args: &["-"],
        stdin: None,
        reruns: 0,
        code: 0,
        rows: &[
            ("-", "-", "warning", "-: UTF-16LE text (byte order mark)"),
            ("u1", "-:1", "ok", ""),
        ],
        stderr: &["standard input is JSONL"],
    };
    check(&case, Some(&bytes));
}

/// A FIFO named on the command line is read, as a user who names it
/// wants.
#[test]
fn a_fifo_given_on_the_command_line_is_read() {
    let wd = Workdir::new();
    make(&wd, b"p.jsonl", &Fifo);
    let path = wd.path().join("p.jsonl");
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open the FIFO");
        f.write_all(JSONL.as_bytes()).expect("write the FIFO");
    });
    let out = run(&wd, &["p.jsonl"], None);
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<_> = documents(wd.path())
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let want = [("a", "p.jsonl:1", "ok"), ("b", "p.jsonl:2", "ok")];
    let want: Vec<_> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(rows, want);
}

/// An unreadable subfolder gets its own error row, and every other file
/// is read. Root reads a chmod-000 folder anyway: then the test says so
/// and stops (the walk's unit test injects the error instead).
#[test]
fn an_unreadable_subfolder_is_an_error_row_and_the_rest_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    for name in ["in/a.txt", "in/m/b.txt", "in/locked/x.txt", "in/z.txt"] {
        wd.create(name, "قال بوتين");
    }
    let locked = wd.path().join("in/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let root = std::fs::read_dir(&locked).is_ok();
    let out = (!root).then(|| run(&wd, &["in"], None));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let Some(out) = out else {
        eprintln!("note: skipped (running as root, which reads a chmod-000 folder)");
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<_> = documents(wd.path())
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[3].clone()))
        .collect();
    let want = [
        ("a.txt", "ok", ""),
        (
            "in/locked",
            "error",
            "in/locked: cannot read the folder: Permission denied (os error 13)",
        ),
        ("m/b.txt", "ok", ""),
        ("z.txt", "ok", ""),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(rows, want);
}
