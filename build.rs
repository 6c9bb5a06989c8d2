//! Compiles the default gazetteers (`gazetteers/*.csv`) and the discovery
//! lexicon (`gazetteers/lexicon/*.csv`) into the library: writes
//! `$OUT_DIR/builtin_gazetteers.rs` and `$OUT_DIR/builtin_lexicon.rs`,
//! slices of `(file name, contents)` in file-name order; and the word-character
//! table of the Basic Multilingual Plane: `$OUT_DIR/word_chars.rs`
//! (computing it at start-up took 20 ms of every run).

use std::path::Path;

/// Writes `BMP_WORD_CHARS`: bit `c % 64` of word `c / 64` is set when `c`
/// is a letter, a digit or a combining mark (`normalize::is_word_char`;
/// a test checks the two agree).
fn write_word_chars(out: &Path) {
    let mut bits = vec![0u64; 0x10000 / 64];
    for (block, word) in bits.iter_mut().enumerate() {
        for bit in 0..64 {
            let c = char::from_u32((block * 64 + bit) as u32);
            if c.is_some_and(|c| {
                c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
            }) {
                *word |= 1 << bit;
            }
        }
    }
    let words: Vec<String> = bits.iter().map(|w| format!("{w:#x}")).collect();
    let code = format!(
        "static BMP_WORD_CHARS: [u64; {}] = [{}];\n",
        bits.len(),
        words.join(", ")
    );
    std::fs::write(out.join("word_chars.rs"), code).expect("OUT_DIR is writable");
}

/// The `(file name, contents)` slice of the `*.csv` files of `dir`, in
/// file-name order, as Rust code (`include_str!` of each file).
fn embed_csv_files(dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
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
    code
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteers");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    std::fs::write(out.join("builtin_gazetteers.rs"), embed_csv_files(&dir))
        .expect("OUT_DIR is writable");
    std::fs::write(
        out.join("builtin_lexicon.rs"),
        embed_csv_files(&dir.join("lexicon")),
    )
    .expect("OUT_DIR is writable");
    write_word_chars(out);
}
