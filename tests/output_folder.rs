//! The output folder: one run at a time (a lock), a run's files put in
//! place together with summary.json last, the earlier run's stale tables
//! and a killed run's leftovers removed, Ctrl-C, and `merge` and `report`
//! refusing folders that mix two runs or whose run did not finish.
//! See: issues 19 and 20; audit defects #3, #6 and #15.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::time::{Duration, Instant};

use common::{Workdir, fixture_gazetteer, stderr};

const A: &str = concat!(
    "{\"id\":\"a1\",\"text\":\"قال بوتين في موسكو\"}\n",
    "{\"id\":\"a2\",\"text\":\"Putin met Xi Jinping in Beijing.\"}\n",
    "{broken\n",
);
const B: &str = concat!(
    "{\"id\":\"b1\",\"text\":\"وصل لافروف إلى بكين\"}\n",
    "{\"id\":\"b2\",\"text\":\"Lavrov and Wang Yi met in Moscow. Putin was not there.\"}\n",
);

fn extract(wd: &Workdir, args: &[&str]) -> std::process::Output {
    let gaz = fixture_gazetteer();
    let mut all = vec!["extract", "-g", gaz.as_str(), "-q"];
    all.extend_from_slice(args);
    wd.run(&all)
}

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "{}", stderr(out));
}

/// The names in a folder, hidden ones included.
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn staging_folders(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(".alam-run-"))
        .collect()
}

fn summary(wd: &Workdir, dir: &str) -> serde_json::Value {
    serde_json::from_str(&wd.read(&format!("{dir}/summary.json"))).unwrap()
}

/// Every file of a folder and its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .filter(|n| dir.join(n).is_file())
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

fn size(path: PathBuf) -> u64 {
    std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len()
}

/// An `alam extract -` into `out` that reads standard input forever: it
/// holds the folder's lock until killed. Returns once its files are
/// being written in the staging folder. SIGINT is left as the test
/// process has it, or ignored.
fn blocked_run(wd: &Workdir, out: &str) -> (Child, ChildStdin) {
    blocked_run_with(wd, out, libc::SIG_DFL)
}

fn blocked_run_with(wd: &Workdir, out: &str, sigint: libc::sighandler_t) -> (Child, ChildStdin) {
    use std::os::unix::process::CommandExt;
    let gaz = fixture_gazetteer();
    let mut cmd = wd.command(&[
        "extract",
        "-",
        "--stdin-format",
        "jsonl",
        "-g",
        &gaz,
        "-q",
        "-o",
        out,
    ]);
    // SAFETY: signal() is async-signal-safe, as pre_exec requires. Set
    // either way, so that the test does not depend on what it inherited.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGINT, sigint);
            Ok(())
        });
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn alam");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(A.as_bytes()).expect("write stdin");
    stdin.flush().expect("flush stdin");
    let dir = wd.path().join(out);
    let started = Instant::now();
    loop {
        let writing = dir.is_dir()
            && staging_folders(&dir)
                .iter()
                .any(|s| names(&dir.join(s)).iter().any(|n| n.ends_with(".tmp")));
        if writing {
            return (child, stdin);
        }
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("the run ended early: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no staging folder in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused_and_a_killed_runs_leftovers_are_removed() {
    let wd = Workdir::new();
    wd.create("b.jsonl", B);
    let (mut first, stdin) = blocked_run(&wd, "out");
    let out = extract(&wd, &["b.jsonl", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "alam: out is being written by another alam run (pid {})\n",
            first.id()
        )
    );
    // `report` writing into the folder waits for no one either.
    let out = wd.run(&["report", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "alam: out is being written by another alam run (pid {})\n",
            first.id()
        )
    );
    // The refused runs wrote nothing: only the first run's lock and
    // staging folder are there.
    let left = names(&wd.path().join("out"));
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(".alam.lock"), "{left:?}");
    // Killed (SIGKILL: no handler runs), the first run leaves its staging
    // folder; the OS releases the lock, and the next run removes it.
    first.kill().unwrap();
    first.wait().unwrap();
    drop(stdin);
    assert_eq!(staging_folders(&wd.path().join("out")).len(), 1);
    ok(&extract(&wd, &["b.jsonl", "-o", "out"]));
    assert_eq!(
        names(&wd.path().join("out")),
        set(&[
            ".alam.lock",
            "cooccurrence.csv",
            "cooccurrence.json",
            "discovered.csv",
            "documents.csv",
            "entities.csv",
            "entities.json",
            "mentions.csv",
            "mentions.jsonl",
            "summary.json",
        ])
    );
}

#[test]
fn ctrl_c_removes_the_staging_folder_and_keeps_the_earlier_run() {
    let wd = Workdir::new();
    wd.create("b.jsonl", B);
    ok(&extract(&wd, &["b.jsonl", "-o", "out"]));
    let before = contents(&wd.path().join("out"));
    let (child, stdin) = blocked_run(&wd, "out");
    let pid = child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let out = wait_at_most(child, Duration::from_secs(60));
    drop(stdin);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("alam: interrupted: out keeps the files of its earlier run"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        staging_folders(&wd.path().join("out")),
        Vec::<String>::new()
    );
    let after = contents(&wd.path().join("out"));
    assert_eq!(
        after.iter().map(|f| &f.0).collect::<Vec<_>>(),
        before.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in after.iter().zip(&before) {
        // The lock file holds the pid of the last run that took it.
        if name != ".alam.lock" {
            assert!(a == b, "{name} changed");
        }
    }
    // Started with SIGINT ignored (a background job of a script), a run
    // keeps ignoring it.
    let (mut child, stdin) = blocked_run_with(&wd, "out", libc::SIG_IGN);
    let pid = child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("run kill");
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGINT was not ignored"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
}

/// Waits for `child`, killing it (and failing) after `limit`.
fn wait_at_most(mut child: Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the run did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait")
}

#[test]
fn a_run_with_other_formats_removes_the_earlier_runs_stale_files_only() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    ok(&extract(
        &wd,
        &["a.jsonl", "-o", "out", "--format", "csv,json,graph,html"],
    ));
    // The user's own files, and what a killed run of an older alam and a
    // killed run of this one leave behind.
    wd.create("out/notes.txt", "mine");
    wd.create("out/my-table.csv", "a,b\n");
    wd.create("out/.keep", "");
    wd.create("out/.graph.graphml.tmp", "half a graph");
    wd.create("out/.mentions.csv.4242-3.tmp", "half a table");
    wd.create("out/.alam-run-4242-0/.documents.csv.4242-1.tmp", "x");
    ok(&extract(&wd, &["a.jsonl", "-o", "out", "--format", "csv"]));
    let expected = set(&[
        ".alam.lock",
        ".keep",
        "notes.txt",
        "my-table.csv",
        "cooccurrence.csv",
        "discovered.csv",
        "documents.csv",
        "entities.csv",
        "mentions.csv",
        "summary.json",
    ]);
    assert_eq!(names(&wd.path().join("out")), expected);
    assert_eq!(wd.read("out/notes.txt"), "mine");
    let s = summary(&wd, "out");
    let listed: Vec<&str> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "cooccurrence.csv",
            "discovered.csv",
            "documents.csv",
            "entities.csv",
            "mentions.csv"
        ]
    );
}

#[test]
fn summary_lists_every_file_with_its_size_and_rows() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    ok(&extract(
        &wd,
        &["a.jsonl", "-o", "out", "--format", "csv,json,graph,html"],
    ));
    let s = summary(&wd, "out");
    let files = s["files"].as_array().unwrap();
    let dir = wd.path().join("out");
    let on_disk: BTreeSet<String> = names(&dir)
        .into_iter()
        .filter(|n| !n.starts_with('.') && n != "summary.json")
        .collect();
    let listed: BTreeSet<String> = files
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, on_disk);
    for f in files {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["bytes"].as_u64(), Some(size(dir.join(name))), "{name}");
    }
    let rows = |name: &str| {
        files
            .iter()
            .find(|f| f["name"] == name)
            .and_then(|f| f["rows"].as_u64())
    };
    // 3 records (one broken line), 2 readable; a1 names Putin and Moscow,
    // a2 Putin, Xi Jinping and Beijing: 5 mentions of 4 entities.
    assert_eq!(rows("documents.csv"), Some(3));
    assert_eq!(rows("mentions.jsonl"), Some(2));
    assert_eq!(rows("mentions.csv"), Some(5));
    assert_eq!(rows("entities.csv"), Some(4));
    assert_eq!(rows("entities.json"), Some(4));
    // Pairs: Putin-Moscow (a1), and Putin-Xi, Putin-Beijing, Xi-Beijing
    // (a2, one sentence).
    assert_eq!(rows("cooccurrence.csv"), Some(4));
    assert_eq!(rows("graph.gexf"), None);
    assert_eq!(rows("report.html"), None);
    // The run id depends on the content only: the same run again gives the
    // same summary.json byte for byte, another input another id.
    let id = s["run_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 16, "{id}");
    ok(&extract(
        &wd,
        &["a.jsonl", "-o", "again", "--format", "csv,json,graph,html"],
    ));
    assert_eq!(wd.read("again/summary.json"), wd.read("out/summary.json"));
    wd.create("b.jsonl", B);
    ok(&extract(
        &wd,
        &["b.jsonl", "-o", "other", "--format", "csv,json,graph,html"],
    ));
    assert_ne!(summary(&wd, "other")["run_id"].as_str(), Some(id.as_str()));
}

#[test]
fn a_folder_in_place_of_an_output_file_fails_before_anything_is_renamed() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    wd.create("b.jsonl", B);
    ok(&extract(&wd, &["a.jsonl", "-o", "out"]));
    std::fs::remove_file(wd.path().join("out/mentions.jsonl")).unwrap();
    std::fs::create_dir(wd.path().join("out/mentions.jsonl")).unwrap();
    let before = contents(&wd.path().join("out"));
    let out = extract(&wd, &["b.jsonl", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("out/mentions.jsonl: a folder has the name of an output file"),
        "{}",
        stderr(&out)
    );
    let after = contents(&wd.path().join("out"));
    assert_eq!(after.len(), before.len());
    for ((name, a), (_, b)) in after.iter().zip(&before) {
        if name != ".alam.lock" {
            assert!(a == b, "{name} changed");
        }
    }
    assert_eq!(
        staging_folders(&wd.path().join("out")),
        Vec::<String>::new()
    );
}

#[test]
fn merge_and_report_refuse_a_mixed_or_unfinished_folder() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    wd.create("b.jsonl", B);
    ok(&extract(&wd, &["a.jsonl", "-o", "a"]));
    ok(&extract(&wd, &["b.jsonl", "-o", "b"]));
    // a's documents.csv replaced by b's: a mixed folder.
    for (name, command) in [
        ("documents.csv", &["merge", "a", "b", "-o", "m"][..]),
        ("entities.csv", &["merge", "a", "b", "-o", "m"][..]),
        ("entities.csv", &["report", "a"][..]),
        ("cooccurrence.json", &["report", "a", "-o", "r.html"][..]),
    ] {
        ok(&extract(&wd, &["a.jsonl", "-o", "a"]));
        let listed = size(wd.path().join("a").join(name));
        std::fs::copy(
            wd.path().join("b").join(name),
            wd.path().join("a").join(name),
        )
        .unwrap();
        let found = size(wd.path().join("a").join(name));
        assert_ne!(found, listed, "{name}: pick files of different sizes");
        let out = wd.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "alam: a: {name} does not belong to this run ({found} bytes, summary.json says {listed})\n"
            ),
            "{command:?}"
        );
    }
    assert!(!wd.path().join("m").exists());
    assert!(!wd.path().join("r.html").exists());
    // No summary.json: the run did not finish.
    ok(&extract(&wd, &["a.jsonl", "-o", "a"]));
    std::fs::remove_file(wd.path().join("a/summary.json")).unwrap();
    for command in [&["merge", "b", "a", "-o", "m"][..], &["report", "a"][..]] {
        let out = wd.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        assert_eq!(
            stderr(&out),
            "alam: a: no summary.json: the run that wrote this folder did not finish\n",
            "{command:?}"
        );
    }
    // A table the summary lists is missing; a per-document file it does
    // not list is there.
    ok(&extract(&wd, &["a.jsonl", "-o", "a"]));
    std::fs::remove_file(wd.path().join("a/entities.csv")).unwrap();
    let out = wd.run(&["report", "a"]);
    assert_eq!(
        stderr(&out),
        "alam: a: entities.csv is missing (summary.json lists it)\n"
    );
    ok(&extract(&wd, &["a.jsonl", "-o", "a", "--format", "csv"]));
    std::fs::copy(
        wd.path().join("b/mentions.jsonl"),
        wd.path().join("a/mentions.jsonl"),
    )
    .unwrap();
    let n = size(wd.path().join("a/mentions.jsonl"));
    let out = wd.run(&["merge", "a", "b", "-o", "m"]);
    assert_eq!(
        stderr(&out),
        format!(
            "alam: a: mentions.jsonl does not belong to this run ({n} bytes, summary.json does not list it)\n"
        )
    );
}

#[test]
fn merge_refuses_the_same_part_twice() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    wd.create("b.jsonl", B);
    ok(&extract(&wd, &["a.jsonl", "-o", "p1"]));
    ok(&extract(&wd, &["b.jsonl", "-o", "p2"]));
    // The same run written twice (or a folder copied) has the same run_id.
    ok(&extract(&wd, &["a.jsonl", "-o", "p1again"]));
    let id = summary(&wd, "p1")["run_id"].as_str().unwrap().to_string();
    let stream = wd.run_with_stdin(&["stream", "-g", &fixture_gazetteer()], &format!("{A}{B}"));
    ok(&stream);
    wd.create_bytes("s.jsonl", &stream.stdout);
    for (command, message) in [
        (
            &["merge", "p1", "p2", "p1", "-o", "m"][..],
            "alam: p1 and p1 are the same folder: give each part once\n".to_string(),
        ),
        (
            &["merge", "p1", "p2", "./p2/", "-o", "m"][..],
            "alam: p2 and ./p2/ are the same folder: give each part once\n".to_string(),
        ),
        (
            &["merge", "p1", "p2", "p1again", "-o", "m"][..],
            format!("alam: p1 and p1again are the same part (run_id {id}): give each part once\n"),
        ),
        (
            &["merge", "s.jsonl", "./s.jsonl", "-o", "m"][..],
            "alam: s.jsonl and ./s.jsonl are the same file: give each part once\n".to_string(),
        ),
    ] {
        let out = wd.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        assert_eq!(stderr(&out), message, "{command:?}");
    }
    assert!(!wd.path().join("m").exists());
    ok(&wd.run(&["merge", "p1", "p2", "-o", "m", "-q"]));
}

#[test]
fn a_folder_written_before_the_file_list_merges_with_a_warning() {
    let wd = Workdir::new();
    wd.create("a.jsonl", A);
    wd.create("b.jsonl", B);
    ok(&extract(&wd, &["a.jsonl", "-o", "old"]));
    ok(&extract(&wd, &["b.jsonl", "-o", "new"]));
    // What an older alam wrote: no run_id, no files.
    let mut s = summary(&wd, "old");
    let fields = s.as_object_mut().unwrap();
    fields.remove("run_id");
    fields.remove("files");
    wd.create(
        "old/summary.json",
        &serde_json::to_string_pretty(&s).unwrap(),
    );
    let out = wd.run(&["merge", "old", "new", "-o", "m", "-q"]);
    ok(&out);
    assert_eq!(
        stderr(&out),
        "old: summary.json lists no files (an older alam wrote it, or another tool): merged without checking that its files belong to its run\n"
    );
    let merged = summary(&wd, "m");
    assert_eq!(merged["documents"], 5);
    assert_eq!(merged["files"].as_array().unwrap().len(), 8);
}
