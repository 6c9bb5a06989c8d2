//! The regression table of the default gazetteers: `tests/fixtures/
//! regression.tsv`, texts written for this project, each with the entity
//! it must (or must not) yield through the built-in gazetteers.
//!
//! Format, one case per line, tab-separated (`#` starts a comment line):
//!
//! ```text
//! TEXT <tab> ENTITY_ID <tab> SURFACE    the text yields a mention of ENTITY_ID with this surface
//! TEXT <tab> !ENTITY_ID                 the text yields no mention of ENTITY_ID
//! ```

use alam::{Document, Gazetteer, Pipeline};

#[test]
fn regression_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regression.tsv");
    let table = std::fs::read_to_string(path).expect("regression table");
    let pipeline = Pipeline::new(&Gazetteer::builtin()).expect("built-in gazetteer");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, line) in table.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        cases += 1;
        let mentions = pipeline.extract(&Document::new("t", fields[0]));
        let found: Vec<(String, String)> = mentions
            .iter()
            .map(|m| (m.entity_id.to_string(), m.surface.clone()))
            .collect();
        match fields.as_slice() {
            [_, id] if id.starts_with('!') => {
                let id = &id[1..];
                if found.iter().any(|(e, _)| e == id) {
                    failures.push(format!(
                        "{path}:{line_no}: {id} found in {:?}: {found:?}",
                        fields[0]
                    ));
                }
            }
            [_, id, surface] => {
                if !found.iter().any(|(e, s)| e == id && s == surface) {
                    failures.push(format!(
                        "{path}:{line_no}: {id} {surface:?} not found in {:?}: {found:?}",
                        fields[0]
                    ));
                }
            }
            _ => failures.push(format!(
                "{path}:{line_no}: malformed case (expected 2 or 3 tab-separated fields)"
            )),
        }
    }
    assert!(cases >= 300, "only {cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
