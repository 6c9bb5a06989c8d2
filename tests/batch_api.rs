//! The batch engine as a library user calls it (`alam::batch`): results in
//! input order for any thread count, equal to one document at a time, and
//! `Run` writing the same folder as `alam extract`.

mod common;

use alam::{Batch, Processed, Run, RunObserver, records};
use alam::{Document, Gazetteer, Pipeline, WindowKind};
use alam::{InputOptions, Inputs};
use common::Workdir;

/// Invented sentences, some with names, some without, one empty.
const TEXTS: &[&str] = &[
    "وصل لافروف إلى بكين والتقى وانغ يي.",
    "Putin met Xi in Beijing. Russia and China signed a deal.",
    "",
    "لا أسماء هنا.",
    "قال بوتين في موسكو إن روسيا والصين شريكتان.\n\nوزار أردوغان أنقرة.",
    "Macron flew to Cairo; Egypt and France talked about Gaza.",
];

fn documents(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| Document::new(format!("d{i}"), TEXTS[i % TEXTS.len()]))
        .collect()
}

/// (id, entity ids of the mentions) of every processed record.
fn summary(processed: &[Processed]) -> Vec<(String, Vec<String>)> {
    processed
        .iter()
        .map(|p| {
            let ids = p.mentions.iter().map(|m| m.entity_id.to_string()).collect();
            (p.record.document.id.clone(), ids)
        })
        .collect()
}

#[test]
fn results_come_in_input_order_and_equal_one_document_at_a_time() {
    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    // 1,000 documents: more than one chunk of 256, so chunks finish out of
    // order on several threads.
    let docs = documents(1000);
    let expected: Vec<(String, Vec<String>)> = docs
        .iter()
        .map(|d| {
            let ids = pipeline
                .extract(d)
                .iter()
                .map(|m| m.entity_id.to_string())
                .collect();
            (d.id.clone(), ids)
        })
        .collect();
    // The sentences name something: the comparison is not between empty lists.
    assert!(
        expected[0].1.contains(&"city:beijing".to_string()),
        "{:?}",
        expected[0]
    );
    for threads in [1, 2, 4] {
        let batch = Batch::builder().threads(threads).build(&pipeline).unwrap();
        assert_eq!(batch.threads(), threads);
        let got = summary(&batch.process_all(docs.clone()));
        assert_eq!(got, expected, "threads {threads}");
    }
}

#[test]
fn for_each_stops_when_asked_and_passes_errors_through() {
    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    let batch = Batch::builder().threads(2).build(&pipeline).unwrap();
    let mut seen = Vec::new();
    let completed = batch
        .for_each(records(documents(600)), |p| {
            seen.push(p.record.document.id.clone());
            Ok::<_, alam::Error>(seen.len() < 300)
        })
        .unwrap();
    assert!(!completed);
    assert_eq!(seen.len(), 300);
    assert_eq!(seen[299], "d299");
    let err = batch
        .for_each(records(documents(10)), |_| -> Result<bool, Wrapped> {
            Err(Wrapped("stop here".into()))
        })
        .unwrap_err();
    assert_eq!(err.0, "stop here");
}

impl From<alam::Error> for Wrapped {
    fn from(e: alam::Error) -> Self {
        Wrapped(e.to_string())
    }
}

#[derive(Debug)]
struct Wrapped(String);

#[test]
fn a_custom_error_type_works_with_for_each() {
    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    let batch = Batch::builder().threads(1).build(&pipeline).unwrap();
    let n = batch
        .for_each(records(documents(3)), |_| Ok::<_, Wrapped>(true))
        .unwrap();
    assert!(n);
}

/// Collects the records' messages, as the CLI prints them.
#[derive(Default)]
struct Messages(Vec<String>);

impl RunObserver for Messages {
    fn record(&mut self, p: &Processed) {
        if !p.record.message.is_empty() {
            self.0.push(p.record.message.clone());
        }
    }
}

fn jsonl(n: usize) -> String {
    let mut s = String::new();
    for (i, d) in documents(n).iter().enumerate() {
        let line = serde_json::json!({"id": d.id, "text": d.text});
        s.push_str(&line.to_string());
        s.push('\n');
        if i == 7 {
            s.push_str("{\"id\": broken\n");
        }
    }
    s
}

#[test]
fn run_writes_the_folder_alam_extract_writes() {
    let wd = Workdir::new();
    let input = wd.create("in.jsonl", &jsonl(700)).display().to_string();
    let out = wd.run(&[
        "extract",
        &input,
        "--format",
        "csv,json,graph,html",
        "--discover",
        "off",
        "--window",
        "paragraph",
        "-o",
        "cli",
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    let batch = Batch::builder()
        .threads(3)
        .window(WindowKind::Paragraph)
        .build(&pipeline)
        .unwrap();
    // Both name the input as it was given (in documents.csv's source).
    let inputs = Inputs::new(std::slice::from_ref(&input), InputOptions::default());
    let mut messages = Messages::default();
    let outcome = Run::new(&batch, &gaz)
        .output(wd.path().join("lib"))
        .formats(alam::Formats::parse("csv,json,graph,html").unwrap())
        .gazetteer_label(format!("builtin {}", gaz.content_hash()))
        .run_with(inputs, &mut messages)
        .unwrap();
    assert_eq!(outcome.summary.documents, 701, "{input}");
    assert_eq!(outcome.summary.errors, 1);
    assert!(outcome.stopped_at.is_none());
    // Every sixth text is empty: a warning each.
    assert_eq!(outcome.summary.warnings, 117);
    assert_eq!(messages.0.len(), 118);
    let broken = format!("{input}:9: malformed JSON");
    assert_eq!(
        messages.0.iter().filter(|m| m.starts_with(&broken)).count(),
        1
    );
    for name in [
        "mentions.csv",
        "documents.csv",
        "entities.csv",
        "cooccurrence.csv",
        "mentions.jsonl",
        "entities.json",
        "cooccurrence.json",
        "discovered.csv",
        "graph.gexf",
        "graph.graphml",
        "report.html",
        "summary.json",
    ] {
        let cli = std::fs::read(wd.path().join("cli").join(name));
        let lib = std::fs::read(wd.path().join("lib").join(name));
        match (cli, lib) {
            (Ok(a), Ok(b)) => assert!(a == b, "{name} differs"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{name}: cli {:?}, lib {:?}", a.is_ok(), b.is_ok()),
        }
    }
    assert!(wd.read("lib/mentions.csv").contains("city:beijing"));
    // The outcome's counts are those the tables were written from.
    let agg = &outcome.aggregates;
    let entities = csv::Reader::from_path(wd.path().join("lib/entities.csv")).unwrap();
    let mut rows = 0;
    for row in entities.into_records() {
        let row = row.unwrap();
        let counts = agg.entity(&row[0]).unwrap();
        assert_eq!(counts.mentions.to_string(), &row[4], "{row:?}");
        rows += 1;
    }
    assert!(rows > 5);
    assert_eq!((agg.entity_count(), outcome.entities), (rows, rows));
    let pairs = csv::Reader::from_path(wd.path().join("lib/cooccurrence.csv")).unwrap();
    let mut rows = 0;
    for row in pairs.into_records() {
        let row = row.unwrap();
        let counts = agg.pair(&row[3], &row[0]).unwrap();
        assert_eq!(counts.windows.to_string(), &row[6], "{row:?}");
        rows += 1;
    }
    assert!(rows > 5);
    assert_eq!((agg.pair_count(1), outcome.pairs), (rows, rows));
    assert_eq!(agg.documents, 700);
}

#[test]
fn a_strict_run_stops_at_the_first_error_and_writes_nothing() {
    let wd = Workdir::new();
    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    let batch = Batch::builder().threads(2).build(&pipeline).unwrap();
    let mut docs: Vec<alam::RawRecord> = records(documents(5)).collect();
    docs.insert(
        3,
        alam::RawRecord::from(alam::InputRecord {
            document: Document::new("bad", ""),
            source: "x:4".into(),
            status: alam::Status::Error,
            message: "x:4: broken".into(),
        }),
    );
    let dir = wd.path().join("out");
    let outcome = Run::new(&batch, &gaz)
        .output(&dir)
        .strict(true)
        .run(docs)
        .unwrap();
    assert_eq!(outcome.stopped_at.as_deref(), Some("bad"));
    assert_eq!(outcome.aggregates.entity_count(), 0);
    assert!(!dir.join("summary.json").exists());
    assert!(!dir.join("mentions.csv").exists());
}
