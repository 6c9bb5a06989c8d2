//! Relations over time (issue 14, part 2): `--date-field` and `--bucket`
//! through the command line: bucket boundaries (Sunday to Monday, month
//! ends, the leap day, offsets), dates that do not parse, undated
//! documents, CSV inputs, and merges of shards split by date. Every text
//! and date is written for these tests; every expected row is worked out
//! by hand in the comments.

mod common;

use common::{Workdir, fixture_gazetteer, stderr};

/// Seven articles, in date order. The offsets are chosen so that the
/// date in UTC is another day than the article's own:
/// - d1 Sunday 2024-03-10 23:30 at -05:00 (Monday in UTC): week 10.
/// - d2 Monday 2024-03-11 00:10 at +03:00 (Sunday in UTC): week 11.
/// - d3 29/02/2024, day first (the leap day, a Thursday): week 9.
/// - d4 Sunday 31 March 2024 (a month's last day): week 13, March.
/// - d5 Monday 1 April 2024, in Arabic (the next month): week 14, April.
/// - d6 a date that does not parse; d7 no date: both `undated`.
///
/// d3 comes before d1 in time but after it in the file: periods sort by
/// time whatever the input order.
const ARTICLES: &str = r#"{"id":"d1","date":"2024-03-10T23:30:00-05:00","text":"Putin met Lavrov."}
{"id":"d2","date":"Mon, 11 Mar 2024 00:10:00 +0300","text":"Putin visited Beijing. Putin left."}
{"id":"d3","date":"29/02/2024","text":"Lavrov met Putin. Lavrov spoke."}
{"id":"d4","date":"31 March 2024","text":"Xi Jinping visited Moscow."}
{"id":"d5","date":"1 أبريل 2024","text":"Xi Jinping visited Moscow."}
{"id":"d6","date":"next week","text":"Putin met Xi Jinping."}
{"id":"d7","text":"Putin met Xi Jinping."}
"#;

fn extract(wd: &Workdir, extra: &[&str]) -> std::process::Output {
    let gaz = fixture_gazetteer();
    let mut args = vec![
        "extract",
        "-q",
        "-g",
        &gaz,
        "--discover",
        "off",
        "--relations",
        "off",
    ];
    args.extend_from_slice(extra);
    let out = wd.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// What a check expects of a file of the output folder (or of stderr).
enum Expect {
    /// Exactly this text.
    Is(&'static str),
    /// This text somewhere.
    Has(&'static str),
    /// This many lines.
    Lines(usize),
    /// The first column of every line after the header.
    FirstColumn(&'static [&'static str]),
    /// This JSON at this key of the file's JSON object.
    Json(&'static str, &'static str),
}

/// One run of `alam extract ... -o out` and the files it must write.
struct Case {
    name: &'static str,
    /// Files created first: (name, contents).
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    /// (file in `out/`, or `stderr`; what it must hold).
    expect: &'static [(&'static str, Expect)],
}

const PERIODS_HEADER: &str = "period,start,end,documents,windows\n";

#[test]
fn periods_of_one_run() {
    use Expect::*;
    let news = &[("news.jsonl", ARTICLES)];
    let cases = [
        Case {
            name: "weeks start on Monday in the article's own offset",
            files: news,
            args: &["news.jsonl", "--date-field", "date", "--bucket", "week"],
            expect: &[
                // The warning names the line and the date, and the run goes on.
                (
                    "stderr",
                    Has("news.jsonl:6: date \"next week\" does not parse"),
                ),
                // Windows are sentences: d2 and d3 have two each, the others one.
                // Weeks: 2024-02-26 and 2024-03-04, 03-11, 03-25, 04-01 are Mondays.
                (
                    "periods.csv",
                    Is("period,start,end,documents,windows\n\
                        2024-W09,2024-02-26,2024-03-03,1,2\n\
                        2024-W10,2024-03-04,2024-03-10,1,1\n\
                        2024-W11,2024-03-11,2024-03-17,1,2\n\
                        2024-W13,2024-03-25,2024-03-31,1,1\n\
                        2024-W14,2024-04-01,2024-04-07,1,1\n\
                        undated,,,2,2\n"),
                ),
                // Within a period: most mentions first, then by id.
                (
                    "entities_by_period.csv",
                    Is("period,entity_id,name,type,mentions,documents,windows\n\
                        2024-W09,person:sergey-lavrov,Sergey Lavrov,person,2,1,2\n\
                        2024-W09,person:vladimir-putin,Vladimir Putin,person,1,1,1\n\
                        2024-W10,person:sergey-lavrov,Sergey Lavrov,person,1,1,1\n\
                        2024-W10,person:vladimir-putin,Vladimir Putin,person,1,1,1\n\
                        2024-W11,person:vladimir-putin,Vladimir Putin,person,2,1,2\n\
                        2024-W11,city:beijing,Beijing,city,1,1,1\n\
                        2024-W13,city:moscow,Moscow,city,1,1,1\n\
                        2024-W13,person:xi-jinping,Xi Jinping,person,1,1,1\n\
                        2024-W14,city:moscow,Moscow,city,1,1,1\n\
                        2024-W14,person:xi-jinping,Xi Jinping,person,1,1,1\n\
                        undated,person:vladimir-putin,Vladimir Putin,person,2,2,2\n\
                        undated,person:xi-jinping,Xi Jinping,person,2,2,2\n"),
                ),
                // NPMI within the period. W09: N = 2 windows, Lavrov in 2, Putin in
                // 1, both in 1: ln(0.5 / (1 * 0.5)) = 0. W10: N = 1, all in the one
                // window: 1. W11: N = 2, Putin 2, Beijing 1, both 1: 0.
                (
                    "cooccurrence_by_period.csv",
                    Is(
                        "period,source_id,source_name,target_id,target_name,windows,documents,npmi\n\
                        2024-W09,person:sergey-lavrov,Sergey Lavrov,person:vladimir-putin,Vladimir Putin,1,1,0.000000\n\
                        2024-W10,person:sergey-lavrov,Sergey Lavrov,person:vladimir-putin,Vladimir Putin,1,1,1.000000\n\
                        2024-W11,city:beijing,Beijing,person:vladimir-putin,Vladimir Putin,1,1,0.000000\n\
                        2024-W13,city:moscow,Moscow,person:xi-jinping,Xi Jinping,1,1,1.000000\n\
                        2024-W14,city:moscow,Moscow,person:xi-jinping,Xi Jinping,1,1,1.000000\n\
                        undated,person:vladimir-putin,Vladimir Putin,person:xi-jinping,Xi Jinping,2,2,1.000000\n",
                    ),
                ),
                // The warning is in documents.csv too; nothing is dropped.
                ("documents.csv", Lines(8)),
                ("documents.csv", Has("d6,news.jsonl:6,21,2,2,warning,")),
                (
                    "summary.json",
                    Json(
                        "periods",
                        r#"{"bucket": "week", "periods": 6, "dated": 5, "undated": 2, "unparsed_dates": 1}"#,
                    ),
                ),
            ],
        },
        Case {
            name: "the default bucket is the month",
            files: news,
            args: &["news.jsonl", "--date-field", "date"],
            // February: d3; March: d1, d2, d4 (1 + 2 + 1 windows); April: d5.
            expect: &[(
                "periods.csv",
                Is("period,start,end,documents,windows\n\
                    2024-02,2024-02-01,2024-02-29,1,2\n\
                    2024-03,2024-03-01,2024-03-31,3,4\n\
                    2024-04,2024-04-01,2024-04-30,1,1\n\
                    undated,,,2,2\n"),
            )],
        },
        Case {
            name: "days: each article's own calendar date",
            files: news,
            args: &["news.jsonl", "--date-field", "date", "--bucket", "day"],
            expect: &[(
                "periods.csv",
                FirstColumn(&[
                    "2024-02-29",
                    "2024-03-10",
                    "2024-03-11",
                    "2024-03-31",
                    "2024-04-01",
                    "undated",
                ]),
            )],
        },
        Case {
            name: "CSV inputs, and a header without the date column",
            files: &[
                (
                    "a.csv",
                    "id,published,text\n\
                     x1,2024-03-10,Putin met Lavrov.\n\
                     x2,\"Mar 11, 2024\",Putin met Lavrov.\n\
                     x3,,Putin met Lavrov.\n",
                ),
                ("b.csv", "id,text\ny1,Putin met Lavrov.\n"),
            ],
            args: &[
                "a.csv",
                "b.csv",
                "--date-field",
                "published",
                "--bucket",
                "week",
            ],
            // x3 (empty date) and y1 (no such column) are undated; b.csv says why.
            expect: &[
                (
                    "periods.csv",
                    Is("period,start,end,documents,windows\n\
                        2024-W10,2024-03-04,2024-03-10,1,1\n\
                        2024-W11,2024-03-11,2024-03-17,1,1\n\
                        undated,,,2,2\n"),
                ),
                (
                    "stderr",
                    Has("b.csv:2: the header has no column \"published\" (--date-field)"),
                ),
            ],
        },
    ];
    for case in &cases {
        let wd = Workdir::new();
        for (name, contents) in case.files {
            wd.create(name, contents);
        }
        let mut args = case.args.to_vec();
        args.extend(["-o", "out"]);
        let out = extract(&wd, &args);
        for (file, expect) in case.expect {
            let got = match *file {
                "stderr" => stderr(&out),
                _ => wd.read(&format!("out/{file}")),
            };
            let what = format!("{}: {file}", case.name);
            match expect {
                Is(text) => assert_eq!(got, *text, "{what}"),
                Has(text) => assert!(got.contains(text), "{what}: {got}"),
                Lines(n) => assert_eq!(got.lines().count(), *n, "{what}: {got}"),
                FirstColumn(first) => {
                    assert!(got.starts_with(PERIODS_HEADER), "{what}: {got}");
                    let column: Vec<&str> = got
                        .lines()
                        .skip(1)
                        .map(|l| l.split(',').next().unwrap_or(""))
                        .collect();
                    assert_eq!(column, *first, "{what}");
                }
                Json(key, json) => {
                    let value: serde_json::Value = serde_json::from_str(&got).expect("JSON");
                    let want: serde_json::Value = serde_json::from_str(json).expect("JSON");
                    assert_eq!(value[key], want, "{what}");
                }
            }
        }
    }
}

/// The rows of each period of an entity sum to its row of
/// `entities.csv`, and a pair's to its row of `cooccurrence.csv`.
#[test]
fn periods_sum_to_the_whole() {
    let wd = Workdir::new();
    wd.create("news.jsonl", ARTICLES);
    extract(
        &wd,
        &[
            "news.jsonl",
            "--date-field",
            "date",
            "--bucket",
            "week",
            "-o",
            "out",
        ],
    );
    let sum = |file: &str, key: &[usize], cols: &[usize]| {
        let mut m = std::collections::BTreeMap::<Vec<String>, Vec<u64>>::new();
        for line in wd.read(file).lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let k: Vec<String> = key.iter().map(|&i| f[i].to_string()).collect();
            let e = m.entry(k).or_insert_with(|| vec![0; cols.len()]);
            for (j, &i) in cols.iter().enumerate() {
                e[j] += f[i].parse::<u64>().expect("a count");
            }
        }
        m
    };
    // entities.csv: entity_id(0) ... mentions(4), documents(5), windows(6)
    assert_eq!(
        sum("out/entities_by_period.csv", &[1], &[4, 5, 6]),
        sum("out/entities.csv", &[0], &[4, 5, 6])
    );
    // cooccurrence.csv: source_id(0), target_id(3), windows(6), documents(7)
    assert_eq!(
        sum("out/cooccurrence_by_period.csv", &[1, 3], &[5, 6]),
        sum("out/cooccurrence.csv", &[0, 3], &[6, 7])
    );
    assert_eq!(
        sum("out/periods.csv", &[], &[3, 4]).values().next(),
        Some(&vec![7, 9])
    );
}

#[test]
fn bucket_needs_a_date_field() {
    let wd = Workdir::new();
    wd.create("news.jsonl", ARTICLES);
    let out = wd.run(&["extract", "news.jsonl", "--bucket", "week", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = wd.run(&[
        "extract",
        "news.jsonl",
        "--date-field",
        "date",
        "--bucket",
        "year",
        "-o",
        "out",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected day, week, month"),
        "{}",
        stderr(&out)
    );
}

/// Shards split by date (February and March in one, the rest in the
/// other, each read from standard input named as the whole file, the
/// second numbered from line 5), merged, give one run's files byte for
/// byte, `summary.json` included.
#[test]
fn shards_split_by_date_merge_into_one_run() {
    let wd = Workdir::new();
    wd.create("news.jsonl", ARTICLES);
    let lines: Vec<&str> = ARTICLES.lines().collect();
    let first = lines[..4].join("\n") + "\n";
    let rest = lines[4..].join("\n") + "\n";
    let gaz = fixture_gazetteer();
    let common = [
        "-q",
        "-g",
        &gaz,
        "--discover",
        "off",
        "--date-field",
        "date",
        "--bucket",
        "week",
        "--stdin-name",
        "news.jsonl",
    ];
    let shard = |stdin: &str, before: &str, dir: &str| {
        let mut args = vec!["extract", "-", "-o", dir, "--stdin-lines-before", before];
        args.extend_from_slice(&common);
        let out = wd.run_with_stdin(&args, stdin);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    shard(&first, "0", "p1");
    shard(&rest, "4", "p2");
    let mut args = vec!["extract", "news.jsonl", "-o", "one"];
    args.extend_from_slice(&common[..common.len() - 2]);
    let out = wd.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = wd.run(&["merge", "-q", "p1", "p2", "-o", "merged"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(wd.path().join("one"))
        .expect("one/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert!(names.contains(&"cooccurrence_by_period.csv".to_string()));
    for name in &names {
        assert_eq!(
            wd.read(&format!("one/{name}")),
            wd.read(&format!("merged/{name}")),
            "{name}"
        );
    }
    // A part counted by month, or not by period, is refused.
    extract(
        &wd,
        &["news.jsonl", "--date-field", "date", "-o", "by_month"],
    );
    extract(&wd, &["news.jsonl", "-o", "undated"]);
    for other in ["by_month", "undated"] {
        let out = wd.run(&["merge", "-q", "p1", other, "-o", "bad"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("(give every part the same --date-field and --bucket)"),
            "{}",
            stderr(&out)
        );
    }
}

/// `alam stream --date-field` lines carry each document's date, and
/// `alam merge --bucket week` of them gives extract's tables by period.
#[test]
fn stream_lines_carry_dates_and_merge_by_period() {
    let wd = Workdir::new();
    wd.create("news.jsonl", ARTICLES);
    let gaz = fixture_gazetteer();
    let out = wd.run_with_stdin(
        &[
            "stream",
            "-g",
            &gaz,
            "--discover",
            "off",
            "--date-field",
            "date",
        ],
        ARTICLES,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = common::stdout(&out);
    let dates: Vec<Option<String>> = lines
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v.get("date").and_then(|d| d.as_str()).map(String::from)
        })
        .collect();
    // Parsed dates are the article's own calendar date; a bad one is kept
    // as written; none is absent.
    assert_eq!(
        dates,
        [
            Some("2024-03-10"),
            Some("2024-03-11"),
            Some("2024-02-29"),
            Some("2024-03-31"),
            Some("2024-04-01"),
            Some("next week"),
            None
        ]
        .map(|d| d.map(String::from))
    );
    wd.create("stream.jsonl", &lines);
    let out = wd.run(&[
        "merge",
        "-q",
        "stream.jsonl",
        "--bucket",
        "week",
        "-o",
        "merged",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    extract(
        &wd,
        &[
            "news.jsonl",
            "--date-field",
            "date",
            "--bucket",
            "week",
            "-o",
            "one",
        ],
    );
    for name in [
        "periods.csv",
        "entities_by_period.csv",
        "cooccurrence_by_period.csv",
    ] {
        assert_eq!(
            wd.read(&format!("one/{name}")),
            wd.read(&format!("merged/{name}")),
            "{name}"
        );
    }
    // --bucket is refused with output folders.
    let out = wd.run(&["merge", "-q", "one", "--bucket", "week", "-o", "bad"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
