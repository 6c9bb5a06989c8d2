//! Compiles the default gazetteers (`gazetteers/*.csv`) and the discovery
//! lexicon (`gazetteers/lexicon/*.csv`) into the library: writes
//! `$OUT_DIR/builtin_gazetteers.rs` and `$OUT_DIR/builtin_lexicon.rs`,
//! slices of `(file name, contents)` in file-name order; the word-character
//! table of the Basic Multilingual Plane: `$OUT_DIR/word_chars.rs`
//! (computing it at start-up took 20 ms of every run); and the matcher of
//! the default gazetteer and the lexicon: `$OUT_DIR/matcher.img` and
//! `$OUT_DIR/lexicon.img`; and the default gazetteer as loaded:
//! `$OUT_DIR/gazetteer.img` (building and parsing them took most of the
//! start-up, see bench/README.md "Start-up"), with the result of its
//! country check: `$OUT_DIR/builtin_checks.rs`.
//!
//! The matcher is built by the library's own code: the modules it needs
//! are included below under the crate's module names, so that their
//! `crate::` paths resolve, with a `builtin` module of this script's own in
//! place of `src/builtin.rs` (whose data this script writes).

use std::path::{Path, PathBuf};

// The library's modules that load a gazetteer and build the matcher, as
// they are; most of what they define is not used here.
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/error.rs"]
mod error;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/gazetteer.rs"]
mod gazetteer;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/lexicon.rs"]
mod lexicon;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/matcher.rs"]
mod matcher;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/normalize.rs"]
mod normalize;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/simd.rs"]
mod simd;

/// What `src/builtin.rs` holds in the library, for the modules above:
/// the word-character table computed here (the script writes the
/// library's copy), and no files (the script reads them itself).
mod builtin {
    use std::sync::LazyLock;

    /// Unused here: the script loads the files from `gazetteers/`.
    pub(crate) const GAZETTEERS: &[(&str, &str)] = &[];
    /// No image here: the script's `Gazetteer::builtin` would parse.
    pub(crate) static GAZETTEER_IMAGE: &[u8] = &[];
    /// Unused here: the matcher's fuzzy index is not built.
    pub(crate) const LEXICON: &[(&str, &str)] = &[];
    /// No image here: the script's `Lexicon::builtin` would parse.
    pub(crate) static LEXICON_IMAGE: &[u8] = &[];
    /// Not known here: the script's gazetteers are checked in full.
    pub(crate) const BUILTIN_COUNTRIES_RESOLVE: bool = false;
    /// The table the library includes, computed by the same function.
    pub(crate) static BMP_WORD_CHARS: LazyLock<Vec<u64>> = LazyLock::new(super::word_chars);
}

/// The crate-root items the modules above name.
#[allow(unused_imports)]
use gazetteer::Diagnostic;
#[allow(unused_imports)]
use normalize::normalize_str;

/// Stands for the library's `period` module, whose `Bucket` `error.rs`
/// names in one variant; no value exists here.
mod period {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Bucket {}

    impl Bucket {
        pub(crate) fn as_str(self) -> &'static str {
            match self {}
        }
    }
}

/// Stands for the library's `cooccur::WindowKind`, which `error.rs` names
/// in one variant; no value exists here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WindowKind {}

impl WindowKind {
    fn as_str(self) -> &'static str {
        match self {}
    }
}

/// The word-character table: bit `c % 64` of word `c / 64` is set when `c`
/// is a letter, a digit or a combining mark (`normalize::is_word_char`;
/// a test checks the two agree).
fn word_chars() -> Vec<u64> {
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
    bits
}

/// Writes `BMP_WORD_CHARS` (see [`word_chars`]).
fn write_word_chars(out: &Path) {
    let bits = word_chars();
    let words: Vec<String> = bits.iter().map(|w| format!("{w:#x}")).collect();
    let code = format!(
        "pub(crate) static BMP_WORD_CHARS: [u64; {}] = [{}];\n",
        bits.len(),
        words.join(", ")
    );
    std::fs::write(out.join("word_chars.rs"), code).expect("OUT_DIR is writable");
}

/// The `*.csv` files of `dir`, in file-name order, with their file names.
fn csv_files(dir: &Path) -> Vec<(String, PathBuf)> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "csv"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), path)
        })
        .collect()
}

/// The `(file name, contents)` slice of `files` as Rust code
/// (`include_str!` of each file).
fn embed_csv_files(files: &[(String, PathBuf)]) -> String {
    let mut code = String::from("&[\n");
    for (name, path) in files {
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            path.display().to_string()
        ));
    }
    code.push(']');
    code
}

/// Writes the images of the matcher of the gazetteer of `files`, loaded as
/// `Gazetteer::parse_builtin` loads the same files (same labels, same
/// order), and of the gazetteer itself.
fn write_matcher_image(files: &[(String, PathBuf)], out: &Path) {
    let mut gaz = gazetteer::Gazetteer::new();
    for (name, path) in files {
        let data = std::fs::read(path).expect("the gazetteer files are readable");
        gaz.add_csv(&format!("<builtin>/{name}"), data.as_slice());
    }
    let image = match matcher::Matcher::new(gaz.entities(), false) {
        Ok(m) => m.to_image(),
        Err(e) => panic!("the matcher of gazetteers/ does not build: {e}"),
    };
    std::fs::write(out.join("matcher.img"), image).expect("OUT_DIR is writable");
    std::fs::write(out.join("gazetteer.img"), gaz.to_image()).expect("OUT_DIR is writable");
    let resolve = gaz.country_warnings().is_empty();
    std::fs::write(
        out.join("builtin_checks.rs"),
        format!("pub(crate) const BUILTIN_COUNTRIES_RESOLVE: bool = {resolve};\n"),
    )
    .expect("OUT_DIR is writable");
}

/// Writes the image of the lexicon of `files`, loaded as
/// `Lexicon::parse_builtin` loads the same files.
fn write_lexicon_image(files: &[(String, PathBuf)], out: &Path) {
    let mut lex = lexicon::Lexicon::new();
    for (name, path) in files {
        let data = std::fs::read(path).expect("the lexicon files are readable");
        lex.add_csv(&format!("<builtin>/lexicon/{name}"), data.as_slice());
    }
    std::fs::write(out.join("lexicon.img"), lex.to_image()).expect("OUT_DIR is writable");
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteers");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    let gazetteers = csv_files(&dir);
    std::fs::write(
        out.join("builtin_gazetteers.rs"),
        embed_csv_files(&gazetteers),
    )
    .expect("OUT_DIR is writable");
    let lexicon = csv_files(&dir.join("lexicon"));
    std::fs::write(out.join("builtin_lexicon.rs"), embed_csv_files(&lexicon))
        .expect("OUT_DIR is writable");
    write_lexicon_image(&lexicon, out);
    write_word_chars(out);
    write_matcher_image(&gazetteers, out);
}
