//! The default gazetteer's pipeline takes the matcher build.rs compiled
//! (`Gazetteer::builtin` as loaded); a gazetteer with the same entities
//! that has been touched builds its own. The two must find the same
//! mentions: a table of texts written for this test, then random texts
//! made of the gazetteer's own names, clitics and filler words.

use alam::{Document, Gazetteer, Pipeline};

/// The built-in gazetteer, changed in a way that changes no entity (an
/// empty layer on top), so that it takes the build path.
fn touched_builtin() -> Gazetteer {
    let mut gaz = Gazetteer::builtin();
    gaz.extend(Gazetteer::new());
    gaz
}

fn pipelines() -> (Pipeline, Pipeline) {
    let from_image = Pipeline::new(&Gazetteer::builtin());
    let built = Pipeline::new(&touched_builtin());
    match (from_image, built) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => panic!("the pipelines build: {:?} {:?}", a.err(), b.err()),
    }
}

#[test]
fn the_image_and_the_build_find_the_same_mentions_in_a_table_of_texts() {
    let (image, built) = pipelines();
    let texts = [
        "Egypt and France met in Cairo on Monday; the UN said Russia would join.",
        "وصل وزير الخارجية الروسي إلى القاهرة، والتقى نظيره المصري في مقر الأمم المتحدة.",
        "وقال للصحفيين إن لروسيا وللصين مصالح في السودان والعراق وبالكويت.",
        "The French and the Egyptians signed; NATO and the European Union watched.",
        "",
        "no names at all here, only words",
    ];
    let mut found = 0;
    for (i, text) in texts.iter().enumerate() {
        let doc = Document::new(format!("t{i}"), *text);
        let (a, b) = (image.extract(&doc), built.extract(&doc));
        assert_eq!(a, b, "text {i}: {text}");
        found += a.len();
    }
    // The table has names in it: the comparison is not of two empty lists.
    assert!(found >= 15, "only {found} mentions");
}

#[test]
fn the_image_and_the_build_find_the_same_mentions_in_random_texts() {
    let (image, built) = pipelines();
    let gaz = Gazetteer::builtin();
    let mut words: Vec<String> = Vec::new();
    for e in gaz.entities().iter().step_by(7) {
        words.push(e.name.clone());
        words.extend(e.name_ar.clone());
        words.extend(e.aliases.iter().take(2).cloned());
        words.extend(e.demonyms.iter().take(1).cloned());
    }
    let filler = [
        "و", "ب", "ل", "في", "من", "the", "of", "said", "،", ".", "(", ")", "\n", "ال", "وال",
    ];
    // A fixed linear congruential generator: the same texts every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n
    };
    let mut found = 0;
    for d in 0..300 {
        let mut text = String::new();
        for _ in 0..40 {
            match next(3) {
                0 => text.push_str(filler[next(filler.len())]),
                _ => text.push_str(&words[next(words.len())]),
            }
            if next(4) != 0 {
                text.push(' ');
            }
        }
        let doc = Document::new(format!("r{d}"), text.as_str());
        let (a, b) = (image.extract(&doc), built.extract(&doc));
        assert_eq!(a, b, "random text {d}: {text}");
        found += a.len();
    }
    assert!(found > 1000, "only {found} mentions");
}
