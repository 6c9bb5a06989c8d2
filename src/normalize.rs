//! Normalization: one function for gazetteer aliases and for document
//!
//! The rules are documented on [`normalize()`], where `cargo doc` shows them.

use crate::matcher::words::WordBits;
use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

// The path spelled out: build.rs includes this file by `#[path]`.
#[path = "normalize/plain_run.rs"]
mod plain_run;

/// Normalized text with a map back to the original text.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// Where the bytes of `text` came from, as consecutive pieces in the
    /// order of `text` (a few per document: normalization mostly keeps or
    /// replaces a character by one of the same length).
    pieces: Vec<Piece>,
    /// The word bits of `text`, computed when first asked for
    /// ([`Normalized::word_bits`]): the matcher and discovery both read
    /// them.
    word_bits: std::sync::OnceLock<WordBits>,
}

/// Maps ranges given in increasing order to the original text, like
/// [`Normalized::original_range`] (see [`Normalized::cursor`]); a range
/// that goes back falls back to the search.
#[derive(Debug, Clone)]
pub struct OffsetCursor<'a> {
    norm: &'a Normalized,
    /// The piece the last range started in.
    piece: usize,
}

impl OffsetCursor<'_> {
    /// The original byte range of `range` (see
    /// [`Normalized::original_range`]).
    ///
    /// Inlined: the common case, a range in the piece of the previous one
    /// that maps byte for byte, is a few instructions; the rest is
    /// `original_range_elsewhere`.
    #[inline]
    pub fn original_range(&mut self, range: Range<usize>) -> Range<usize> {
        // Most ranges lie in the piece of the previous one, byte for byte.
        let pieces = &self.norm.pieces;
        if let Some(here) = pieces.get(self.piece) {
            let here_end = pieces
                .get(self.piece + 1)
                .map_or(self.norm.text.len(), |p| p.at);
            if here.aligned
                && here.at <= range.start
                && range.start < range.end
                && range.end <= here_end
            {
                let start = here.orig_start + (range.start - here.at);
                return start..start + range.len();
            }
        }
        self.original_range_elsewhere(range)
    }

    /// [`OffsetCursor::original_range`] of a range that does not map byte
    /// for byte in the piece of the previous one.
    #[inline(never)]
    fn original_range_elsewhere(&mut self, range: Range<usize>) -> Range<usize> {
        let norm = self.norm;
        if range.start >= range.end || range.end > norm.text.len() {
            return 0..0;
        }
        let pieces = &norm.pieces;
        if pieces.get(self.piece).is_none_or(|p| p.at > range.start) {
            return norm.original_range(range);
        }
        let here = pieces[self.piece];
        let next_at = pieces.get(self.piece + 1).map_or(usize::MAX, |p| p.at);
        if here.aligned && range.end <= next_at {
            let start = here.orig_start + (range.start - here.at);
            return start..start + range.len();
        }
        while self.piece + 1 < pieces.len() && pieces[self.piece + 1].at <= range.start {
            self.piece += 1;
        }
        let first = pieces[self.piece];
        let mut last_index = self.piece;
        while last_index + 1 < pieces.len() && pieces[last_index + 1].at < range.end {
            last_index += 1;
        }
        Piece::span(first, pieces[last_index], range)
    }
}

/// A stretch of the normalized text and the original bytes it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    /// Start of the stretch in the normalized text; it ends where the next
    /// piece starts.
    at: usize,
    /// Start of the original byte range.
    orig_start: usize,
    /// End of the original byte range.
    orig_end: usize,
    /// The stretch maps byte for byte: every character of it has the
    /// length of the original character it came from (so the stretch is
    /// as long as its original range). Otherwise every character of the
    /// stretch came from the whole original range.
    aligned: bool,
}

impl Piece {
    /// The original bytes of the normalized `range`, which starts in
    /// piece `first` and ends in piece `last`.
    fn span(first: Piece, last: Piece, range: Range<usize>) -> Range<usize> {
        let start = if first.aligned {
            first.orig_start + (range.start - first.at)
        } else {
            first.orig_start
        };
        let end = if last.aligned {
            last.orig_start + (range.end - last.at)
        } else {
            last.orig_end
        };
        start..end
    }
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalized text back to the byte range of
    /// the original text it came from.
    ///
    /// The range must be non-empty and lie on char boundaries of the
    /// normalized text. The result lies on char boundaries of the
    /// original text. Harakat and tatweel right after the last letter are
    /// included (they belong to it), and so is a deleted control that a
    /// mark follows; other deleted characters just outside the range
    /// (bidi marks, zero-width joiners) are not.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.end > self.text.len() {
            return 0..0;
        }
        let first = self.piece_at(range.start);
        let last = self.piece_at(range.end - 1);
        Piece::span(first, last, range)
    }

    /// A cursor for [`Normalized::original_range`] over ranges given in
    /// increasing order (each starting at or after the previous one's
    /// start): it walks the offset map once instead of searching it for
    /// every range.
    pub fn cursor(&self) -> OffsetCursor<'_> {
        OffsetCursor {
            norm: self,
            piece: 0,
        }
    }

    /// The word bits of the normalized text (see [`WordBits`]), computed
    /// once.
    pub(crate) fn word_bits(&self) -> &WordBits {
        self.word_bits.get_or_init(|| WordBits::new(&self.text))
    }

    /// Empty, with room for `len` bytes of text.
    fn with_capacity(len: usize) -> Normalized {
        Normalized {
            text: String::with_capacity(len),
            pieces: Vec::new(),
            word_bits: std::sync::OnceLock::new(),
        }
    }

    /// The piece that normalized byte `at` belongs to.
    fn piece_at(&self, at: usize) -> Piece {
        let i = self.pieces.partition_point(|p| p.at <= at);
        self.pieces[i.saturating_sub(1)]
    }

    /// Records that the `n` bytes just appended to the text came from the
    /// original bytes `s..e`.
    fn record(&mut self, n: usize, s: usize, e: usize) {
        let at = self.text.len() - n;
        let aligned = e - s == n;
        if let Some(last) = self.pieces.last_mut() {
            if aligned && last.aligned && last.orig_end == s {
                last.orig_end = e;
                return;
            }
            if !aligned && !last.aligned && (last.orig_start, last.orig_end) == (s, e) {
                return;
            }
        }
        self.pieces.push(Piece {
            at,
            orig_start: s,
            orig_end: e,
            aligned,
        });
    }
}

/// Normalizes `text` and keeps the offset map (see the module docs).
///
/// # Normalization
///
/// text, so that both meet in the same form (SPEC section 3).
///
/// [`normalize`] returns the normalized string together with an offset map:
/// for every byte of the normalized string, the byte range of the original
/// text it came from. Matching runs on the normalized text; every offset
/// reported to a user is mapped back to the original text.
///
/// ## Rules, in the order they apply
///
/// | step | input | output |
/// |---|---|---|
/// | 1 | any text | Unicode NFC (هـ + U+0654 → composed; رئيس stays رئيس) |
/// | 2 | U+200B–200F, U+202A–202E, U+2060, U+2066–2069, U+061C, U+FEFF | deleted (never a space); before NFC where a mark follows |
/// | 3 | presentation forms U+FB50–FDFF, U+FE70–FEFF | NFKC (ﻻ → لا, ﷲ → الله); U+FE70–FE7F deleted |
/// | 4 | آ أ إ ٱ ٲ ٳ | ا |
/// | 4 | ى ی ې ے | ي |
/// | 4 | ک ڪ گ | ك |
/// | 4 | ة ۃ ۀ ہ ۂ ھ ە | ه |
/// | 4 | پ چ ژ ڤ | ب ج ز ف |
/// | 4 | ڨ (U+06A8, Maghrebi g) | ق |
/// | 4 | ٠–٩, ۰–۹ | 0–9 |
/// | 5 | harakat and marks U+064B–0655, U+0670, U+0610–061A, U+06D6–06ED, tatweel U+0640 | deleted |
/// | 6 | ء ؤ ئ | kept as they are; ى or ی + hamza above U+0654 (which NFC leaves apart) → ئ |
/// | 7 | other scripts | lowercased (ß → ss, ς → σ), accents stripped (é → e) |
/// | 7 | ł ŀ ø ı đ ð ħ ŧ æ œ þ (no decomposition) | l l o i d d h t ae oe th |
/// | 8 | a run of whitespace | one space |
/// | 8 | a hyphen or dash between two letters | a space (Al-Qaeda → al qaeda) |
/// | 8 | an underscore between two word characters (letters, marks, digits) | a space (#الاتحاد_الأوروبي → #الاتحاد الاوروبي) |
///
/// Step 7's exception for short capital acronyms (US, WHO) is not a
/// normalization: the matcher checks the case of the original text.
///
/// Laws: normalization is idempotent (`normalize(normalize(x)) ==
/// normalize(x)`), and the same function is applied to aliases and text.
///
/// ## Notes beyond SPEC section 3
///
/// - **Underscores** (issue 19). SPEC section 3 is silent on them; a
///   hashtag joins its words with `_`, so an underscore between two word
///   characters is a space, one byte for one: `#كيم_جونج_أون` names Kim
///   Jong Un, and the mention's surface is `كيم_جونج_أون` (the `#`, a
///   boundary, stays outside). A lone underscore elsewhere (`_a`, `a__b`,
///   `a_-b`) is kept. English `snake_case_identifiers` split the same
///   way: `new_york_times` names New York, as `new york times` would.
/// - **The rules of step 8 look at normalized characters** on both sides
///   of a dash or an underscore: the last character written, and the
///   first one the rest of the text gives. A dash before ﷼ (U+FDFC, no
///   letter, but ريال after step 3) is between letters: `ī-﷼` → `i ريال`,
///   which stays `i ريال` (audit #18, class C).
/// - **Deleted characters before a mark are deleted before NFC.** A
///   control of step 2, a tatweel, a Quranic sign that is no mark
///   (U+06DD…) or an isolated haraka (U+FE70–FE7F) right before a mark
///   would otherwise leave the marks on its two sides next to each other
///   out of canonical order, and a second pass would reorder them; now
///   `\u{08E8}\u{200B}\u{08F6}` gives `\u{08F6}\u{08E8}` at once (audit
///   #18, class B). The marks also compose across it (و + ZWJ + U+0654 →
///   ؤ). Such a deleted character belongs to the letter before it: a
///   mention that ends there includes it.
/// - **Characters NFC replaces by another** (U+2000, U+2001, U+037E,
///   U+0387, U+212A Kelvin, U+212B Ångström, U+2126 Ohm, U+2329, U+232A,
///   the CJK compatibility ideographs U+F900–FAFF) are each a piece of
///   the offset map of their own, so a word next to one maps back to its
///   own characters only (audit #8: the surface of Putin in
///   `Putin\u{2001}met` was `Putin\u{2001}`).
///
/// ```
/// let n = alam::normalize("وروسیا");
/// assert_eq!(n.as_str(), "وروسيا");
/// // The normalized text is as long as the original here: "ی" (2 bytes)
/// // became "ي" (2 bytes), so bytes map back one by one.
/// assert_eq!(n.original_range(2..12), 2..12);
/// ```
pub fn normalize(text: &str) -> Normalized {
    normalize_if_nfc(text, true).unwrap_or_else(|| normalize_any(text))
}

/// Normalizes a text that is already in NFC (step 1 has nothing to do),
/// or gives up with `None` at the first sign that it is not: the Unicode
/// NFC quick check, one character at a time, on the characters that the
/// fast path does not copy (those it copies are all NFC starters).
/// `blocks` lets [`plain_run`] take the common case 32 bytes at a time
/// where the CPU can (tests turn it off to compare).
fn normalize_if_nfc(text: &str, blocks: bool) -> Option<Normalized> {
    let blocks = blocks && plain_run::available();
    // With blocks, the per-character run stops after a few bytes to give
    // them another chance; without, it goes on as far as it can.
    let run_limit = if blocks { 16 } else { usize::MAX };
    let mut out = Normalized::with_capacity(text.len());
    let mut folder = Folder::new(&mut out);
    // The combining class of the last character, for the quick check.
    let mut last_class = 0;
    {
        let bytes = text.as_bytes();
        let arabic = arabic_actions();
        let mut i = 0;
        while i < bytes.len() {
            // The common case, by blocks of 32 bytes where the machine can.
            let n = if blocks {
                plain_run::plain_run(text, i, folder.last_space, &mut folder.out.text)
            } else {
                0
            };
            if n > 0 {
                folder.recorded_run(i, n);
                last_class = 0;
                i += n;
                continue;
            }
            // Fast path: a run of ASCII letters, digits and punctuation
            // (but the hyphen and the underscore), single spaces, and Arabic letters that
            // are kept or folded to a letter of the same length is copied
            // whole, folds and capitals replaced on the way.
            let mut run = i;
            let mut j = i;
            let mut capitals = false;
            let stop = bytes.len().min(i.saturating_add(run_limit));
            while j < stop {
                let b = bytes[j];
                if b & 0xFC == 0xD8 {
                    // U+0600-06FF, most of an Arabic text.
                    let Some(&second) = bytes.get(j + 1) else {
                        break;
                    };
                    let action = arabic[usize::from(b & 3) << 6 | usize::from(second & 0x3F)];
                    if action == KEEP {
                        j += 2;
                        continue;
                    }
                    if action == STOP_ARABIC {
                        break;
                    }
                    folder.emit_run(&text[run..j], run, capitals);
                    capitals = false;
                    let c = char::from_u32(u32::from(action)).unwrap_or('\u{FFFD}');
                    folder.emit(c, j, j + 2);
                    j += 2;
                    run = j;
                    continue;
                }
                match RUN_CLASS[usize::from(b)] {
                    SIMPLE => j += 1,
                    SPACE => {
                        // A second space in a row leaves the run.
                        let after_space = if j > i {
                            bytes[j - 1] == b' '
                        } else {
                            folder.last_space
                        };
                        if after_space {
                            break;
                        }
                        j += 1;
                    }
                    UPPER => {
                        // Lowercased when the run is copied (same length).
                        capitals = true;
                        j += 1;
                    }
                    _ => break,
                }
            }
            if j > i {
                folder.emit_run(&text[run..j], run, capitals);
                last_class = 0;
                i = j;
                continue;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let end = i + c.len_utf8();
            if c >= '\u{0300}' {
                let class = canonical_combining_class(c);
                if (class != 0 && last_class > class)
                    || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes
                {
                    return None;
                }
                if class == 0
                    && is_deleted_starter(c)
                    && text[end..]
                        .chars()
                        .next()
                        .is_some_and(|n| canonical_combining_class(n) != 0)
                {
                    // Deleted before NFC: the marks around it may
                    // compose or reorder (see `nfc_units`).
                    return None;
                }
                last_class = class;
            } else {
                last_class = 0;
            }
            folder.push(c, i, end, &|| first_output(text[end..].chars()));
            i = end;
        }
    }
    Some(out)
}

/// Normalizes any text: NFC first, one piece of text at a time.
fn normalize_any(text: &str) -> Normalized {
    let mut out = Normalized::with_capacity(text.len());
    let mut folder = Folder::new(&mut out);
    let units = nfc_units(text);
    for (k, &(c, s, e)) in units.iter().enumerate() {
        let next = || first_output(units[k + 1..].iter().map(|u| u.0));
        folder.push(c, s, e, &next);
    }
    out
}

/// What the fast path does with a two-byte character of U+0600–U+06FF:
/// keep it, leave it to the slow path, or replace it by the character
/// with this code (a fold to a character of the same length).
const KEEP: u16 = 0;
const STOP_ARABIC: u16 = 1;

/// The fast path's action for each character of U+0600–U+06FF, indexed by
/// `(lead - 0xD8) * 64 + (second & 0x3F)`, computed once from the rules.
fn arabic_actions() -> &'static [u16; 256] {
    static ACTIONS: std::sync::OnceLock<[u16; 256]> = std::sync::OnceLock::new();
    ACTIONS.get_or_init(|| {
        let mut table = [STOP_ARABIC; 256];
        for (k, action) in table.iter_mut().enumerate() {
            let Some(c) = char::from_u32(0x0600 + k as u32) else {
                continue;
            };
            if is_dropped(c)
                || is_deleted_control(c)
                || is_dash(c)
                || c.is_whitespace()
                || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes
                || canonical_combining_class(c) != 0
            {
                continue;
            }
            *action = match fold_arabic(c) {
                Some(f) if f.len_utf8() == 2 => f as u16,
                Some(_) => STOP_ARABIC,
                None if is_arabic_block(c) => KEEP,
                None => STOP_ARABIC,
            };
        }
        table
    })
}

const STOP: u8 = 0;
const SIMPLE: u8 = 1;
const SPACE: u8 = 2;
const UPPER: u8 = 4;

/// How an ASCII byte continues a run of the fast path: small letters,
/// digits and punctuation but the hyphen and the underscore are `SIMPLE`; capitals are
/// `UPPER`; the space is `SPACE`; everything else (and any byte of
/// another character) stops a run. The lead bytes of U+0600–U+06FF are
/// looked at before this table.
const RUN_CLASS: [u8; 256] = {
    let mut t = [STOP; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            t[b] = UPPER;
        } else if c.is_ascii_alphanumeric() || (c.is_ascii_punctuation() && c != b'-' && c != b'_')
        {
            t[b] = SIMPLE;
        }
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t
};

/// Normalizes `text` and returns only the normalized string.
pub fn normalize_str(text: &str) -> String {
    normalize(text).text
}

/// [`normalize_str`] for a word, as the relation triggers normalize every
/// word of a sentence: a word of ASCII letters and digits and of the
/// Arabic letters that are kept or folded to a letter of the same length
/// is mapped character by character, without the offset map and the
/// machinery of [`normalize`] (these characters are NFC starters that
/// compose with nothing before them, and no rule looks at their
/// neighbours); any other text takes [`normalize`]. A test compares both
/// ways on every character up to U+07FF and on short random words. (Not
/// for texts that are mostly several words, such as aliases: the first
/// space sends them to [`normalize`] after the first word was read.)
/// The result is appended to `out` (one buffer for the words of a
/// sentence, instead of a string for each).
pub(crate) fn normalize_word_into(word: &str, out: &mut String) {
    let start = out.len();
    if !plain_word_into(word, out) {
        out.truncate(start);
        out.push_str(&normalize(word).text);
    }
}

/// Appends [`normalize_word_into`] of `text` to `out` when `text` is made only
/// of ASCII letters and digits and of the Arabic letters [`arabic_actions`]
/// keeps or folds to a letter of the same length, and returns `true`; for
/// any other text returns `false`, having appended part of it.
fn plain_word_into(text: &str, out: &mut String) -> bool {
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_alphanumeric) {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
        return true;
    }
    let arabic = arabic_actions();
    out.reserve(text.len());
    // `text[kept..i]` is copied as it is when a letter that changes (or
    // the end) is reached: most words have no letter that changes.
    let mut kept = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let changed = if b & 0xFC == 0xD8 {
            let Some(&second) = bytes.get(i + 1) else {
                return false;
            };
            let action = arabic[usize::from(b & 3) << 6 | usize::from(second & 0x3F)];
            if action == KEEP {
                i += 2;
                continue;
            }
            if action == STOP_ARABIC {
                return false;
            }
            match char::from_u32(u32::from(action)) {
                Some(c) => c,
                None => return false,
            }
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() {
            i += 1;
            continue;
        } else if b.is_ascii_uppercase() {
            char::from(b.to_ascii_lowercase())
        } else {
            return false;
        };
        out.push_str(&text[kept..i]);
        out.push(changed);
        i += if b < 0x80 { 1 } else { 2 };
        kept = i;
    }
    out.push_str(&text[kept..]);
    true
}

/// [`normalize_word_into`] as a string of its own (for the tests).
#[cfg(test)]
fn normalize_word(word: &str) -> String {
    let mut out = String::new();
    normalize_word_into(word, &mut out);
    out
}

/// [`plain_word_into`] as a string of its own (the tests' way to ask
/// which words take it).
#[cfg(test)]
fn plain_word(text: &str) -> Option<String> {
    let mut out = String::new();
    plain_word_into(text, &mut out).then_some(out)
}

/// Whether `c` is a word character: a Unicode letter, mark or digit.
/// Everything else is a word boundary.
///
/// ASCII is answered directly and the rest of the Basic Multilingual
/// Plane from a bit table computed from the Unicode properties at build
/// time, so that this check, made for every character of every document,
/// stays cheap on Arabic text.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let code = c as usize;
    if code < 0x10000 {
        return BMP_WORD_CHARS[code / 64] & (1 << (code % 64)) != 0;
    }
    is_word_char_slow(c)
}

/// [`is_word_char`] for the character written in UTF-8 as the two bytes
/// `lead second` (U+0080–U+07FF: Latin accents, Greek, Cyrillic, Hebrew,
/// Arabic), straight from the bytes.
#[inline]
pub(crate) fn is_word_char_of_pair(lead: u8, second: u8) -> bool {
    let code = usize::from(lead & 0x1F) << 6 | usize::from(second & 0x3F);
    BMP_WORD_CHARS[code / 64] & (1 << (code % 64)) != 0
}

// The table, computed by build.rs with the same definition as
// `is_word_char_slow`.
use crate::builtin::BMP_WORD_CHARS;

fn is_word_char_slow(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// NFC of a text that is not already NFC, as `(char, orig_start,
/// orig_end)` units. The text is cut into pieces before every character
/// that can never combine with what precedes it: a character of canonical
/// combining class 0 that is not NFC_Quick_Check=Maybe, so that one NFC
/// replaces by another (U+212B Å, U+2001, the CJK compatibility
/// ideographs) is a piece of its own. Each piece is composed on its own
/// and all its output characters map to the whole piece; a piece already
/// in NFC maps a character at a time, as the fast path maps a text that
/// is NFC throughout, so that where a character maps back does not depend
/// on a character elsewhere in the text.
///
/// A run of [`is_deleted_starter`] characters followed by a mark is the
/// exception: it is deleted before NFC (steps 1 and 2 as one), so the
/// mark joins the piece before it and the marks on both sides come out
/// in canonical order, as NFC of the text without them would give.
/// Elsewhere each of them is a piece of its own, outside the ranges of
/// its neighbours.
fn nfc_units(text: &str) -> Vec<(char, usize, usize)> {
    let mut units = Vec::with_capacity(text.len());
    let flush = |start: usize, end: usize, joined: bool, units: &mut Vec<_>| {
        if start >= end {
            return;
        }
        let piece = &text[start..end];
        if joined {
            for c in piece.chars().filter(|&c| !is_deleted_starter(c)).nfc() {
                units.push((c, start, end));
            }
        } else if is_nfc_piece(piece) {
            // Already NFC, as the fast path would have read it: one unit
            // per character, so that a deleted mark after a character
            // that is no word character stays outside its range, as it
            // does on the fast path (`U.S.` + kasra; the whole text took
            // this path because of a character elsewhere).
            for (k, c) in piece.char_indices() {
                units.push((c, start + k, start + k + c.len_utf8()));
            }
        } else {
            for c in piece.nfc() {
                units.push((c, start, end));
            }
        }
    };
    let mut piece_start = 0;
    // Whether the piece holds deleted starters followed by a mark.
    let mut joined = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_deleted_starter(c) {
            let mut run_end = i + c.len_utf8();
            while let Some(&(k, n)) = chars.peek().filter(|&&(_, n)| is_deleted_starter(n)) {
                run_end = k + n.len_utf8();
                chars.next();
            }
            if chars
                .peek()
                .is_some_and(|&(_, n)| canonical_combining_class(n) != 0)
            {
                joined = true;
            } else {
                for (k, _) in text[i..run_end].char_indices() {
                    let at = i + k;
                    if at > piece_start {
                        flush(piece_start, at, joined, &mut units);
                        piece_start = at;
                        joined = false;
                    }
                }
            }
            continue;
        }
        let starter = canonical_combining_class(c) == 0
            && is_nfc_quick(std::iter::once(c)) != IsNormalized::Maybe;
        if starter && i > piece_start {
            flush(piece_start, i, joined, &mut units);
            piece_start = i;
            joined = false;
        }
    }
    flush(piece_start, text.len(), joined, &mut units);
    units
}

/// Whether the fast path of [`normalize_if_nfc`] would take `piece` as it
/// is: every character passes the NFC quick check with a yes, and its
/// marks are in canonical order.
fn is_nfc_piece(piece: &str) -> bool {
    is_nfc_quick(piece.chars()) == IsNormalized::Yes
}

/// Steps 2 to 8, one original character at a time.
struct Folder<'a> {
    out: &'a mut Normalized,
    /// Whether the last character emitted is a space.
    last_space: bool,
}

impl<'a> Folder<'a> {
    fn new(out: &'a mut Normalized) -> Folder<'a> {
        Folder {
            out,
            last_space: false,
        }
    }

    /// Processes one character `c` that came from `orig_start..orig_end`;
    /// `next` gives the first character that normalization writes for
    /// the text after it, for step 8's rules on dashes and underscores.
    fn push(
        &mut self,
        c: char,
        orig_start: usize,
        orig_end: usize,
        next: &dyn Fn() -> Option<char>,
    ) {
        if is_deleted_control(c) {
            return;
        }
        if is_presentation_form(c) {
            if ('\u{FE70}'..='\u{FE7F}').contains(&c) {
                return;
            }
            for d in std::iter::once(c).nfkc() {
                self.fold(d, orig_start, orig_end, next);
            }
            return;
        }
        self.fold(c, orig_start, orig_end, next);
    }

    fn fold(&mut self, c: char, s: usize, e: usize, next: &dyn Fn() -> Option<char>) {
        if let Some(f) = fold_arabic(c) {
            self.emit(f, s, e);
            return;
        }
        if is_deleted_arabic_mark(c) {
            if c == HAMZA_ABOVE && self.out.text.ends_with('ي') {
                // Step 6: ى or ی + hamza above (NFC leaves them apart, as
                // it composes only ي + hamza) is ئ, kept like the others.
                let at = self.out.text.len() - 'ي'.len_utf8();
                self.out.text.replace_range(at.., "ئ");
            }
            self.attach_to_previous(s, e);
            return;
        }
        if c.is_whitespace() {
            if !self.last_space {
                self.emit(' ', s, e);
            }
            return;
        }
        if is_dash(c) || c == '_' {
            // Judged on the normalized text on both sides, so that a
            // second pass judges the same (a dash before ﷼, which step 3
            // turns into letters, is between letters).
            let between = |test: fn(char) -> bool| {
                self.out.text.chars().next_back().is_some_and(test) && next().is_some_and(test)
            };
            let space = if c == '_' {
                between(is_word_char)
            } else {
                between(char::is_alphabetic)
            };
            self.emit(if space { ' ' } else { c }, s, e);
            return;
        }
        if c.is_ascii() {
            self.emit(c.to_ascii_lowercase(), s, e);
            return;
        }
        if is_arabic_block(c) {
            self.emit(c, s, e);
            return;
        }
        // Step 7: case folding and accent stripping for other scripts.
        match c {
            'ß' | 'ẞ' => {
                self.emit('s', s, e);
                self.emit('s', s, e);
            }
            'ς' => self.emit('σ', s, e),
            _ => {
                for lower in c.to_lowercase() {
                    decompose_canonical(lower, |d| {
                        if canonical_combining_class(d) != 0 {
                            return;
                        }
                        // ǣ is æ + macron: the letters with no
                        // decomposition are folded after decomposing.
                        match fold_latin(d) {
                            Some(base) => base.chars().for_each(|b| self.emit(b, s, e)),
                            None => self.emit(d, s, e),
                        }
                    });
                }
            }
        }
    }

    /// A deleted mark at `s..e` right after the last emitted letter
    /// belongs to it: the letter's original range grows over the mark, so
    /// that a surface keeps its final haraka (مصرَ, not مصر).
    fn attach_to_previous(&mut self, s: usize, e: usize) {
        let Some(letter) = self.out.text.chars().next_back() else {
            return;
        };
        let at = self.out.text.len() - letter.len_utf8();
        let Some(last) = self.out.pieces.last_mut() else {
            return;
        };
        if last.orig_end != s || !is_word_char(letter) {
            return;
        }
        if !last.aligned && last.at == at {
            last.orig_end = e;
            return;
        }
        // The letter leaves its piece for one of its own.
        let letter_start = if last.aligned {
            last.orig_end -= letter.len_utf8();
            last.orig_end
        } else {
            last.orig_start
        };
        if last.at == at {
            self.out.pieces.pop();
        }
        self.out.pieces.push(Piece {
            at,
            orig_start: letter_start,
            orig_end: e,
            aligned: false,
        });
    }

    fn emit(&mut self, c: char, s: usize, e: usize) {
        self.last_space = c == ' ';
        self.out.text.push(c);
        self.out.record(c.len_utf8(), s, e);
    }

    /// Records that the last `n` bytes of the text, already appended,
    /// came from the original bytes `at..at + n`, byte for byte.
    fn recorded_run(&mut self, at: usize, n: usize) {
        self.out.record(n, at, at + n);
        self.last_space = self.out.text.ends_with(' ');
    }

    /// Emits `run`, which starts at byte `at` of the original and comes
    /// out as it is, ASCII capitals lowercased if it has any.
    fn emit_run(&mut self, run: &str, at: usize, capitals: bool) {
        if run.is_empty() {
            return;
        }
        let base = self.out.text.len();
        self.out.text.push_str(run);
        if capitals {
            self.out.text[base..].make_ascii_lowercase();
        }
        self.out.record(run.len(), at, at + run.len());
        self.last_space = run.ends_with(' ');
    }
}

/// Whether normalization deletes `c` outright (steps 2, 3, 5 and the
/// combining accents of step 7): the rules of step 8 on dashes and
/// underscores look past these to the next character that stays.
fn is_dropped(c: char) -> bool {
    is_deleted_control(c)
        || ('\u{FE70}'..='\u{FE7F}').contains(&c)
        || is_deleted_arabic_mark(c)
        || (canonical_combining_class(c) != 0 && !is_arabic_block(c))
}

/// Characters of canonical combining class 0 that normalization deletes
/// whole: the controls of step 2, tatweel and the Quranic signs of step 5
/// that are not marks, the isolated harakat U+FE70–FE7F, the presentation
/// forms that are a tatweel with harakat (U+FCF2–FCF4), and the Tibetan
/// vowel signs that decompose into marks only (a test checks the list
/// against every code point). Deleted before NFC where a mark follows
/// (see `nfc_units`), so that the marks on both sides meet as NFC would
/// order them.
#[inline]
fn is_deleted_starter(c: char) -> bool {
    is_deleted_control(c)
        || matches!(c,
            '\u{0640}'
            | '\u{06DD}'
            | '\u{06DE}'
            | '\u{06E5}'
            | '\u{06E6}'
            | '\u{06E9}'
            | '\u{0F73}'
            | '\u{0F75}'
            | '\u{0F81}'
            | '\u{FCF2}'..='\u{FCF4}'
            | '\u{FE70}'..='\u{FE7F}')
}

/// The first character normalization writes for `rest` (the text after a
/// dash or an underscore), skipping what it deletes: the character the
/// rules of step 8 look at.
fn first_output(rest: impl Iterator<Item = char>) -> Option<char> {
    for c in rest {
        if c.is_ascii() {
            // Lowercasing or a blank becoming a space changes neither
            // test made on it.
            return Some(c);
        }
        if is_dropped(c) || is_deleted_starter(c) {
            continue;
        }
        if ('\u{0600}'..='\u{06FF}').contains(&c) {
            return Some(fold_arabic(c).unwrap_or(c));
        }
        let mut utf8 = [0; 4];
        if let Some(first) = normalize_str(c.encode_utf8(&mut utf8)).chars().next() {
            return Some(first);
        }
    }
    None
}

/// Step 2: format and bidi controls, deleted.
fn is_deleted_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{FEFF}')
}

/// Step 3: Arabic presentation forms A and B.
fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Step 4: the letter and digit folding table.
fn fold_arabic(c: char) -> Option<char> {
    Some(match c {
        'آ' | 'أ' | 'إ' | 'ٱ' | '\u{0672}' | '\u{0673}' => 'ا',
        'ى' | '\u{06CC}' | '\u{06D0}' | '\u{06D2}' => 'ي',
        '\u{06A9}' | '\u{06AA}' | '\u{06AF}' => 'ك',
        'ة' | '\u{06C3}' | '\u{06C0}' | '\u{06C1}' | '\u{06C2}' | '\u{06BE}' | '\u{06D5}' => 'ه',
        'پ' => 'ب',
        'چ' => 'ج',
        'ژ' => 'ز',
        'ڤ' => 'ف',
        '\u{06A8}' => 'ق',
        '\u{0660}'..='\u{0669}' => digit(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => digit(c as u32 - 0x06F0),
        _ => return None,
    })
}

/// U+0654 ARABIC HAMZA ABOVE, as a separate mark.
const HAMZA_ABOVE: char = '\u{0654}';

/// Step 7: Latin letters that have no canonical decomposition, read as
/// their base letters (lowercase in, ASCII out): ł ø ı đ ð ħ ŧ ŀ and the
/// ligatures æ œ, the letter þ.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'ł' | 'ŀ' => "l",
        'ø' => "o",
        'ı' => "i",
        'đ' | 'ð' => "d",
        'ħ' => "h",
        'ŧ' => "t",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

fn digit(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('0')
}

/// Step 5: harakat, Quranic marks and tatweel, deleted.
fn is_deleted_arabic_mark(c: char) -> bool {
    matches!(c,
        '\u{064B}'..='\u{0655}'
        | '\u{0670}'
        | '\u{0610}'..='\u{061A}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}')
}

/// The Arabic blocks, left as they are by step 7.
pub(crate) fn is_arabic_block(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}')
}

/// Hyphens and dashes that step 8 turns into a space between letters.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word bits a normalized text keeps are those of its text,
    /// computed once (the same table on a second call), and a clone's
    /// are the same.
    #[test]
    fn word_bits_are_those_of_the_text_computed_once() {
        for text in ["", "وروسيا، في", "The U.N. said", "مُصرـ x-y"] {
            let norm = normalize(text);
            let own: Vec<_> = WordBits::new(norm.as_str()).ranges().collect();
            let kept: Vec<_> = norm.word_bits().ranges().collect();
            assert_eq!(kept, own, "{text:?}");
            assert!(std::ptr::eq(norm.word_bits(), norm.word_bits()));
            let clone = norm.clone();
            assert_eq!(clone.word_bits().ranges().collect::<Vec<_>>(), own);
        }
    }

    #[test]
    fn word_char_table_agrees_with_the_definition() {
        for code in 0..0x10000u32 {
            if let Some(c) = char::from_u32(code) {
                assert_eq!(is_word_char(c), is_word_char_slow(c), "U+{code:04X}");
                if (0x80..0x800).contains(&code) {
                    let mut utf8 = [0; 2];
                    c.encode_utf8(&mut utf8);
                    let pair = is_word_char_of_pair(utf8[0], utf8[1]);
                    assert_eq!(pair, is_word_char_slow(c), "U+{code:04X}");
                }
            }
        }
    }

    /// (name, input, expected normalized output)
    const CASES: &[(&str, &str, &str)] = &[
        // Step 1: NFC. Hamza above as a combining mark composes.
        ("nfc_yeh_hamza", "ر\u{064A}\u{0654}يس", "رئيس"),
        ("nfc_waw_hamza", "\u{0648}\u{0654}", "ؤ"),
        ("nfc_latin", "e\u{0301}", "e"),
        // Step 2: controls deleted, never a space.
        ("zwsp", "رو\u{200B}سيا", "روسيا"),
        ("zwnj", "رو\u{200C}سيا", "روسيا"),
        ("zwj", "رو\u{200D}سيا", "روسيا"),
        ("lrm", "a\u{200E}b", "ab"),
        ("rlm", "a\u{200F}b", "ab"),
        (
            "lre_to_rlo",
            "\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}x",
            "x",
        ),
        ("word_joiner", "x\u{2060}y", "xy"),
        ("isolates", "\u{2066}\u{2067}\u{2068}x\u{2069}", "x"),
        ("alm", "x\u{061C}y", "xy"),
        ("bom", "\u{FEFF}x", "x"),
        // Step 3: presentation forms.
        ("pres_lavrov", "ﻻﻓﺮﻭﻑ", "لافروف"),
        ("pres_allah", "\u{FDF2}", "الله"),
        ("pres_isolated_haraka", "ب\u{FE70}\u{FE7F}", "ب"),
        // Step 4: folding table, one row each.
        ("alef_madda", "آ", "ا"),
        ("alef_hamza_above", "أ", "ا"),
        ("alef_hamza_below", "إ", "ا"),
        ("alef_wasla", "ٱ", "ا"),
        ("alef_wavy_hamza_above", "\u{0672}", "ا"),
        ("alef_wavy_hamza_below", "\u{0673}", "ا"),
        ("alef_maksura", "ى", "ي"),
        ("farsi_yeh", "\u{06CC}", "ي"),
        ("yeh_e", "\u{06D0}", "ي"),
        ("yeh_barree", "\u{06D2}", "ي"),
        ("keheh", "\u{06A9}", "ك"),
        ("swash_kaf", "\u{06AA}", "ك"),
        ("gaf", "\u{06AF}", "ك"),
        ("teh_marbuta", "ة", "ه"),
        ("teh_marbuta_goal", "\u{06C3}", "ه"),
        ("heh_yeh", "\u{06C0}", "ه"),
        ("heh_goal", "\u{06C1}", "ه"),
        ("heh_goal_hamza", "\u{06C2}", "ه"),
        ("heh_doachashmee", "\u{06BE}", "ه"),
        ("ae", "\u{06D5}", "ه"),
        ("peh", "پ", "ب"),
        ("tcheh", "چ", "ج"),
        ("jeh", "ژ", "ز"),
        ("veh", "ڤ", "ف"),
        ("qaf_three_dots", "\u{06A8}", "ق"),
        ("maghrebi_g_word", "ڨالمة", "قالمه"),
        ("arabic_indic_digits", "٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("persian_digits", "۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("seed_russia", "وروسیا", "وروسيا"),
        ("seed_ukraine", "أوکرانیا", "اوكرانيا"),
        // Step 5: harakat, marks and tatweel deleted.
        ("harakat", "بُوتِينْ", "بوتين"),
        ("tanwin_shadda", "عمّانً", "عمان"),
        ("superscript_alef", "هٰذا", "هذا"),
        ("quranic_marks", "ب\u{0610}\u{061A}\u{06D6}\u{06ED}", "ب"),
        ("tatweel", "بـــوتين", "بوتين"),
        // Step 6: hamza letters kept.
        ("hamza_kept", "شيء شئ ؤ ء", "شيء شئ ؤ ء"),
        // A hamza above written apart after ى or ی (NFC composes only
        // ي + hamza) is ئ too: شىٔ is not شي (Xi).
        ("hamza_after_alef_maksura", "ش\u{0649}\u{0654}", "شئ"),
        ("hamza_after_farsi_yeh", "ش\u{06CC}\u{0654}", "شئ"),
        (
            "hamza_after_yeh_and_fatha",
            "ش\u{0649}\u{064E}\u{0654}",
            "شئ",
        ),
        ("hamza_after_other_letter_deleted", "ر\u{0654}", "ر"),
        // Step 7: Latin.
        ("lowercase", "NATO Putin", "nato putin"),
        ("accents", "Erdoğan Élysée", "erdogan elysee"),
        ("sharp_s", "Straße", "strasse"),
        ("dotted_i", "İstanbul", "istanbul"),
        // Letters with no decomposition: a row of their own.
        ("l_stroke", "Wałęsa Łódź", "walesa lodz"),
        ("dotless_i", "Kılıçdaroğlu", "kilicdaroglu"),
        ("d_stroke", "Đoković", "dokovic"),
        ("o_stroke", "Søren Ø", "soren o"),
        ("ligatures", "Æsir Œuvre cæsar", "aesir oeuvre caesar"),
        ("h_stroke_thorn_eth", "Ħal Þór Ðað", "hal thor dad"),
        ("decomposes_to_a_ligature", "\u{01E2}\u{01FF}", "aeo"),
        ("final_sigma", "ΟΔΟΣ ὁδός", "οδοσ οδοσ"),
        // Step 8: whitespace and dashes.
        ("whitespace_run", "a \t\n\u{00A0} b", "a b"),
        ("hyphen_letters", "Al-Qaeda", "al qaeda"),
        ("en_dash_letters", "a–b", "a b"),
        ("hyphen_digits_kept", "2019-2020", "2019-2020"),
        ("hyphen_space_kept", "a - b", "a - b"),
        ("hyphen_across_deleted", "a-\u{FEFF}b", "a b"),
        ("hyphen_across_mark", "a-\u{0301}b", "a b"),
        (
            "arabic_hyphen",
            "الحزام والطريق- مشروع",
            "الحزام والطريق- مشروع",
        ),
        // The dash rule looks at what the next character becomes: ﷼ is
        // no letter, the letters ريال are (audit class C).
        ("dash_before_rial_sign", "\u{012B}-\u{FDFC}", "i ريال"),
        ("dash_before_rial_sign_spaced", "a -\u{FDFC}", "a -ريال"),
        // An underscore between two word characters: a space (hashtags).
        ("underscore_hashtag", "#Vladimir_Putin", "#vladimir putin"),
        (
            "underscore_hashtag_arabic",
            "#الاتحاد_الأوروبي #كيم_جونج_أون",
            "#الاتحاد الاوروبي #كيم جونج اون",
        ),
        (
            "underscore_digits",
            "G20_summit #مصر_2030",
            "g20 summit #مصر 2030",
        ),
        (
            "underscore_across_deleted",
            "a_\u{200B}b a_\u{0301}b",
            "a b a b",
        ),
        (
            "underscore_kept",
            "_a a_ a__b a_-b a-_b _",
            "_a a_ a__b a_-b a-_b _",
        ),
        // Characters NFC replaces by another one (audit class A).
        (
            "nfc_singletons",
            "Putin\u{2001}met \u{212A}azakhstan\u{037E} \u{212B} \u{2126}",
            "putin met kazakhstan; a ω",
        ),
        // Deleted characters that are not marks are deleted before NFC:
        // the marks around them meet in canonical order (audit class B)
        // and compose (و + ZWJ + hamza above is ؤ).
        (
            "marks_across_zwsp",
            "\u{08E8}\u{200B}\u{08F6}",
            "\u{08F6}\u{08E8}",
        ),
        (
            "marks_across_tatweel",
            "ب\u{08E8}\u{0640}\u{08F6}",
            "ب\u{08F6}\u{08E8}",
        ),
        (
            "marks_across_rlm_and_bom",
            "ب\u{08E8}\u{200F}\u{FEFF}\u{0656}",
            "ب\u{0656}\u{08E8}",
        ),
        ("waw_zwj_hamza", "\u{0648}\u{200D}\u{0654}", "ؤ"),
    ];

    /// The texts the block path and the per-character path both normalize:
    /// `c` at several places of a plain Arabic run long enough for blocks,
    /// next to spaces, capitals, folds and the block edges.
    fn around(c: char) -> Vec<String> {
        let plain = "الرئيس أعلن في القاهرة إن مصر وروسيا تتفقان على ";
        let mut texts = Vec::new();
        for at in [0, 1, 2, 7, 8, 15, 16, 30, 31, 32, 33, 40] {
            let mut t: String = plain.chars().take(at).collect();
            t.push(c);
            t.push(c);
            t.push_str(plain);
            t.push(' ');
            t.push(c);
            t.push_str("Abc ة ى آ");
            t.push_str(plain);
            texts.push(t.clone());
            texts.push(format!(" {t}"));
            texts.push(format!("x\n  {t}"));
        }
        texts
    }

    #[test]
    fn blocks_agree_with_the_per_character_path() {
        let chars = (0u32..0x800).chain([0x2013, 0x200C, 0xFEFB, 0x1F600]);
        for c in chars.filter_map(char::from_u32) {
            for text in around(c) {
                let blocks = normalize_if_nfc(&text, true);
                let per_char = normalize_if_nfc(&text, false);
                match (blocks, per_char) {
                    (Some(b), Some(p)) => {
                        assert_eq!(b.text, p.text, "{c:?} in {text:?}");
                        assert_eq!(b.pieces, p.pieces, "{c:?} in {text:?}");
                    }
                    (None, None) => {}
                    _ => panic!("NFC check differs for {c:?} in {text:?}"),
                }
            }
        }
    }

    /// `normalize_word`'s character-by-character way gives what
    /// `normalize` gives: each character up to U+07FF (and a few beyond)
    /// alone, doubled and between plain letters, and every word of up to
    /// three characters over an alphabet of the kept, folded and refused
    /// kinds. The way must also be taken for the words it is made for.
    #[test]
    fn plain_words_normalize_as_the_general_path() {
        let mut texts: Vec<String> = Vec::new();
        let chars = (0u32..0x800).chain([0x2013, 0x200C, 0xFEFB, 0x1F600, 0xE9]);
        for c in chars.filter_map(char::from_u32) {
            for t in [
                format!("{c}"),
                format!("{c}{c}"),
                format!("ab{c}"),
                format!("{c}Zy9"),
                format!("مصر{c}"),
                format!("{c}ال"),
                format!("ا{c}ب"),
            ] {
                texts.push(t);
            }
        }
        let alphabet = [
            "a", "Q", "7", "ا", "أ", "ة", "ى", "ی", "ک", "ء", "ئ", "\u{64E}", "\u{640}", "\u{653}",
            "٣", "-", "_", " ", ".",
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut taken = 0;
        for t in &texts {
            if let Some(fast) = plain_word(t) {
                taken += 1;
                assert_eq!(fast, normalize(t).text, "{t:?}");
            }
            assert_eq!(normalize_word(t), normalize(t).text, "{t:?}");
            // Appended after another word, whichever way it takes.
            let mut buf = String::from("Ab");
            normalize_word_into(t, &mut buf);
            assert_eq!(buf, format!("Ab{}", normalize(t).text), "{t:?}");
        }
        for word in [
            "Reuters",
            "الرئيس",
            "أعلن",
            "القاهرة",
            "مصر2024",
            "ی",
            "كوريا",
        ] {
            assert!(plain_word(word).is_some(), "{word} takes the general path");
        }
        for word in ["مُصر", "a-b", "a b", "é", "٣", "ﻻ", "\u{640}"] {
            assert!(plain_word(word).is_none(), "{word:?} is no plain word");
        }
        assert!(taken > 1000, "only {taken} texts took the plain way");
    }

    /// The general path maps an NFC text back as the fast path does, for
    /// each normalized character: a text elsewhere not in NFC (which sends
    /// the whole of it down the general path) must not change where the
    /// rest maps. Each character up to U+07FF in the texts of `around`,
    /// and the fuzzer's `U.S.` + kasra.
    #[test]
    fn general_path_maps_nfc_text_as_the_fast_path() {
        let chars = (0u32..0x800).chain([0x2013, 0x200C, 0xFEFB, 0x1F600]);
        let mut texts: Vec<String> = chars.filter_map(char::from_u32).flat_map(around).collect();
        texts.push("\rU.S.\u{650} x".to_string());
        texts.push("\u{627}\u{650}. \u{650}".to_string());
        for text in &texts {
            let Some(fast) = normalize_if_nfc(text, false) else {
                continue;
            };
            let general = normalize_any(text);
            assert_eq!(fast.text, general.text, "{text:?}");
            for (k, c) in fast.text.char_indices() {
                let r = k..k + c.len_utf8();
                assert_eq!(
                    fast.original_range(r.clone()),
                    general.original_range(r),
                    "{c:?} at {k} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn table() {
        for &(name, input, expected) in CASES {
            assert_eq!(
                normalize_str(input),
                expected,
                "test: {name}, input: {input:?}"
            );
        }
    }

    #[test]
    fn idempotent_on_table() {
        for &(name, input, _) in CASES {
            let once = normalize_str(input);
            assert_eq!(normalize_str(&once), once, "test: {name}");
        }
    }

    #[test]
    fn offsets_map_back() {
        let text = "قال بُوتِين\u{200F} إن ﻻﻓﺮﻭﻑ";
        let n = normalize(text);
        assert_eq!(n.as_str(), "قال بوتين ان لافروف");
        let putin = n.as_str().find("بوتين").unwrap();
        let r = n.original_range(putin..putin + "بوتين".len());
        assert_eq!(&text[r], "بُوتِين");
        let lav = n.as_str().find("لافروف").unwrap();
        let r = n.original_range(lav..n.as_str().len());
        assert_eq!(&text[r], "ﻻﻓﺮﻭﻑ");
    }

    #[test]
    fn final_harakat_belong_to_the_word() {
        let text = "زار مِصْرَ، والسُّعُودِيَّةُ\u{200F} اليوم";
        let n = normalize(text);
        for (word, surface) in [("مصر", "مِصْرَ"), ("السعوديه", "السُّعُودِيَّةُ")]
        {
            let at = n.as_str().find(word).unwrap();
            let r = n.original_range(at..at + word.len());
            assert_eq!(&text[r], surface);
        }
    }

    #[test]
    fn deleted_starters_are_the_class_0_characters_deleted_whole() {
        for code in 0..0x110000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if canonical_combining_class(c) != 0 {
                assert!(!is_deleted_starter(c), "U+{code:04X}");
                continue;
            }
            let mut utf8 = [0; 4];
            let deleted = normalize_str(c.encode_utf8(&mut utf8)).is_empty();
            assert_eq!(is_deleted_starter(c), deleted, "U+{code:04X}");
        }
    }

    /// A character that NFC replaces by another one is a piece of its
    /// own: the words next to it keep their own characters (audit #8).
    #[test]
    fn offsets_next_to_nfc_singletons() {
        let text = "Putin\u{2001}met Xi in \u{212A}azakhstan; Russia\u{037E} U.S.\u{212B}U.S.";
        let n = normalize(text);
        assert_eq!(n.as_str(), "putin met xi in kazakhstan; russia; u.s.au.s.");
        for (word, surface) in [
            ("putin", "Putin"),
            ("kazakhstan", "\u{212A}azakhstan"),
            ("russia", "Russia"),
            ("u.s.a", "U.S.\u{212B}"),
            ("au", "\u{212B}U"),
        ] {
            let at = n.as_str().find(word).unwrap();
            let r = n.original_range(at..at + word.len());
            assert_eq!(&text[r], surface, "{word}");
        }
    }

    /// A hashtag's underscores become spaces one for one: offsets still
    /// point at the original text.
    #[test]
    fn offsets_through_underscores() {
        let text = "قال #كيم_جونج_أون";
        let n = normalize(text);
        let at = n.as_str().find("كيم جونج اون").unwrap();
        let r = n.original_range(at..at + "كيم جونج اون".len());
        assert_eq!(&text[r], "كيم_جونج_أون");
    }

    #[test]
    fn offsets_through_nfc() {
        let text = "x ر\u{064A}\u{0654}يس y";
        let n = normalize(text);
        let at = n.as_str().find("رئيس").unwrap();
        let r = n.original_range(at..at + "رئيس".len());
        assert_eq!(&text[r], "ر\u{064A}\u{0654}يس");
    }

    #[test]
    fn word_char_table_matches_unicode_properties() {
        for code in 0..0x11000u32 {
            if let Some(c) = char::from_u32(code) {
                assert_eq!(is_word_char(c), is_word_char_slow(c), "U+{code:04X}");
            }
        }
    }

    #[test]
    fn word_chars() {
        assert!(is_word_char('ب'));
        assert!(is_word_char('7'));
        assert!(is_word_char('\u{064E}'));
        assert!(!is_word_char('،'));
        assert!(!is_word_char('-'));
        assert!(!is_word_char('\''));
    }
}
