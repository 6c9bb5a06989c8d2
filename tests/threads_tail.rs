//! `threads` bounds the whole run, its tail included: sorting the pairs and
//! writing the tables happen on the batch's own pool, never on rayon's
//! global pool (which would use every core whatever `--threads` says, and
//! ignore Spark's `spark.task.cpus`).
//!
//! This file holds one test on purpose: rayon's global pool can be built
//! only once per process, and only if nothing used it before, so
//! `build_global` succeeding after the run proves the run never touched it.
//! Another test in the same binary could touch it first.

mod common;

use alam::{Batch, Run, records};
use alam::{Document, Gazetteer, Pipeline};
use common::Workdir;

#[test]
fn a_run_with_one_thread_never_uses_the_global_pool() {
    let wd = Workdir::new();
    let gaz = Gazetteer::builtin();
    let pipeline = Pipeline::new(&gaz).unwrap();
    // Documents with several pairs each, so there are pairs to sort and
    // every table (csv, json, graph, xlsx, neo4j, html) has rows.
    let docs: Vec<Document> = (0..50)
        .map(|i| {
            Document::new(
                format!("d{i}"),
                "Putin met Xi in Beijing. Russia and China signed a deal in Moscow.",
            )
        })
        .collect();
    let batch = Batch::builder().threads(1).build(&pipeline).unwrap();
    assert_eq!(batch.threads(), 1);
    let out = wd.path().join("out");
    let formats = alam::Formats::parse("csv,json,graph,html,xlsx,neo4j").unwrap();
    let outcome = Run::new(&batch, &gaz)
        .output(&out)
        .formats(formats)
        .run(records(docs))
        .unwrap();
    assert_eq!(outcome.summary.documents, 50);
    assert!(outcome.pairs > 0, "no pairs: the tail had nothing to sort");
    assert!(
        rayon::ThreadPoolBuilder::new().build_global().is_ok(),
        "the run used rayon's global pool"
    );
}
