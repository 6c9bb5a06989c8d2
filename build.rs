//! Compiles the default gazetteers (`gazetteers/*.csv`) into the library:
//! writes `$OUT_DIR/builtin_gazetteers.rs`, a slice of
//! `(file name, contents)` in file-name order.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteers");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "csv"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("&[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name.unwrap_or_default(),
            path.display().to_string()
        ));
    }
    code.push(']');
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("builtin_gazetteers.rs"), code)
        .expect("OUT_DIR is writable");
}
