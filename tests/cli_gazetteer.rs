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
g/a.csv:5: error: duplicate id \"x:1\" (first at g/a.csv:4)
g/a.csv:6: error: malformed row: 2 fields, but the header has 5
note: alias \"عمان\" names: country:OM, city:amman
3 entities (1 city, 1 country, 1 thing), 8 forms, 2 errors, 1 warnings, 1 shared aliases, content hash 6b4375a5cc681333
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
    let out = wd.run(&["--version", "-g", "g"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // FNV-1a 64 of "a.csv" and the bytes, computed in Python.
    assert_eq!(
        stdout(&out),
        format!(
            "alam {} (gazetteer g 329ca82093c11463)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    let out = wd.run(&["--version"]);
    assert!(stdout(&out).starts_with("alam "), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("(gazetteer builtin "),
        "{}",
        stdout(&out)
    );
}
