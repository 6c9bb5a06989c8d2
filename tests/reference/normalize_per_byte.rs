//! The normalizer as it was before its offset map became a list of
//! pieces: a map entry for every byte of the output. Kept as the reference
//! that `tests/normalize_reference.rs` compares `alam::normalize` with;
//! its rules are the same (SPEC section 3), and follow the library's
//! changes: NFC pieces cut at every starter but those NFC_Quick_Check
//! calls Maybe, deleted starters before a mark deleted before NFC, pieces already in
//! NFC mapped a character at a time, the
//! rules on dashes and underscores judged on the normalized characters
//! on both sides.
#![allow(dead_code)]

use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Normalized text with a map back to the original text.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// For every byte of `text`, the start of the original byte range it
    /// came from (texts are at most 4 GiB; larger offsets saturate).
    starts: Vec<u32>,
    /// For every byte of `text`, the end of the original byte range it
    /// came from.
    ends: Vec<u32>,
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
    /// included (they belong to it); other deleted characters just outside
    /// the range (bidi marks, zero-width joiners) are not.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.end > self.text.len() {
            return 0..0;
        }
        self.starts[range.start] as usize..self.ends[range.end - 1] as usize
    }
}

/// Normalizes `text` and keeps the offset map (see the module docs).
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        starts: Vec::with_capacity(text.len()),
        ends: Vec::with_capacity(text.len()),
    };
    let mut folder = Folder {
        out: &mut out,
        last_space: false,
    };
    if is_nfc_fast(text) && !deleted_starter_before_mark(text) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Fast path: a run of ASCII letters, digits and punctuation
            // (but the hyphen), single spaces, and the Arabic letters that
            // neither fold nor delete is copied whole.
            let mut j = i;
            let mut space = folder.last_space;
            while j < bytes.len() {
                match RUN_CLASS[usize::from(bytes[j])] {
                    SIMPLE => {
                        space = false;
                        j += 1;
                    }
                    SPACE if !space => {
                        space = true;
                        j += 1;
                    }
                    ARABIC_LEAD
                        if j + 1 < bytes.len() && is_plain_arabic(bytes[j], bytes[j + 1]) =>
                    {
                        space = false;
                        j += 2;
                    }
                    _ => break,
                }
            }
            if j > i {
                folder.emit_run(&text[i..j], i);
                i = j;
                continue;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let end = i + c.len_utf8();
            let next = first_output(text[end..].chars());
            folder.push(c, i, end, next);
            i = end;
        }
    } else {
        let units = nfc_units(text);
        for (k, &(c, s, e)) in units.iter().enumerate() {
            let next = first_output(units[k + 1..].iter().map(|u| u.0));
            folder.push(c, s, e, next);
        }
    }
    out
}

const STOP: u8 = 0;
const SIMPLE: u8 = 1;
const SPACE: u8 = 2;
const ARABIC_LEAD: u8 = 3;

/// How a byte continues a run of the fast path: ASCII letters, digits and
/// punctuation but the hyphen and the underscore are `SIMPLE`; the space is `SPACE`; the lead
/// bytes of U+0600–U+067F are `ARABIC_LEAD`; everything else stops a run.
const RUN_CLASS: [u8; 256] = {
    let mut t = [STOP; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || (c.is_ascii_punctuation() && c != b'-' && c != b'_') {
            t[b] = SIMPLE;
        }
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t[0xD8] = ARABIC_LEAD;
    t[0xD9] = ARABIC_LEAD;
    t
};

/// Whether the two UTF-8 bytes `b0 b1` are an Arabic letter that
/// normalization keeps as it is: U+0621–063A and U+0641–064A except
/// آ أ إ ة ى (which fold).
fn is_plain_arabic(b0: u8, b1: u8) -> bool {
    match b0 {
        0xD8 => matches!(b1, 0xA1..=0xBA) && !matches!(b1, 0xA2 | 0xA3 | 0xA5 | 0xA9),
        0xD9 => matches!(b1, 0x81..=0x8A) && b1 != 0x89,
        _ => false,
    }
}

/// Whether `text` is surely in NFC: characters below U+0300 and the
/// Arabic letters U+0600–U+064A are answered at once, the rest by the
/// Unicode quick check.
fn is_nfc_fast(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII, U+0080–02FF (lead bytes C2–CB), U+0600–063F (D8) and
        // U+0640–064A (D9 80–8A) are NFC starters: skip them by bytes.
        let skip = match bytes[i] {
            0x00..=0x7F => 1,
            0xC2..=0xCB | 0xD8 => 2,
            0xD9 if bytes.get(i + 1).is_some_and(|&c| c <= 0x8A) => 2,
            _ => 0,
        };
        if skip > 0 {
            i += skip;
            continue;
        }
        // The run of other characters, by the Unicode quick check.
        let mut end = i;
        for (k, c) in text[i..].char_indices() {
            if c < '\u{0300}' || ('\u{0600}'..='\u{064A}').contains(&c) {
                break;
            }
            end = i + k + c.len_utf8();
        }
        if end == i {
            // Not reached: the skip ranges cover every cheap character.
            end = i + text[i..].chars().next().map_or(1, char::len_utf8);
        }
        if is_nfc_quick(text[i..end].chars()) != IsNormalized::Yes {
            return false;
        }
        i = end;
    }
    true
}

/// Normalizes `text` and returns only the normalized string.
pub fn normalize_str(text: &str) -> String {
    normalize(text).text
}

/// Whether `c` is a word character: a Unicode letter, mark or digit.
/// Everything else is a word boundary.
///
/// ASCII is answered directly and the rest of the Basic Multilingual
/// Plane from a bit table computed once from the Unicode properties, so
/// that this check, made for every character of every document, stays
/// cheap on Arabic text.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let code = c as usize;
    if code < 0x10000 {
        let table = BMP_WORD_CHARS.get_or_init(|| {
            let mut bits = vec![0u64; 0x10000 / 64].into_boxed_slice();
            for (code, word) in bits.iter_mut().enumerate() {
                for bit in 0..64 {
                    let ch = char::from_u32((code * 64 + bit) as u32);
                    if ch.is_some_and(is_word_char_slow) {
                        *word |= 1 << bit;
                    }
                }
            }
            bits
        });
        return table[code / 64] & (1 << (code % 64)) != 0;
    }
    is_word_char_slow(c)
}

static BMP_WORD_CHARS: std::sync::OnceLock<Box<[u64]>> = std::sync::OnceLock::new();

fn is_word_char_slow(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Whether a character that normalization deletes whole (see
/// [`is_deleted_starter`]) comes right before a mark somewhere in `text`.
fn deleted_starter_before_mark(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .any(|w| is_deleted_starter(w[0]) && canonical_combining_class(w[1]) != 0)
}

/// NFC of a text that is not already NFC, as `(char, orig_start,
/// orig_end)` units. The text is cut before every character of combining
/// class 0 that NFC_Quick_Check does not call Maybe, and before every
/// deleted starter that no mark follows (after more of them); the
/// deleted starters a mark follows are left out of their piece's NFC.
/// Each piece is composed on its own and all its output characters map to
/// the whole piece, but for a piece already in NFC, whose characters map
/// each to itself (as they do when the whole text is NFC).
fn nfc_units(text: &str) -> Vec<(char, usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // Where pieces start.
    let mut cuts = Vec::new();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let cut = if is_deleted_starter(c) {
            let after = chars[k + 1..]
                .iter()
                .find(|&&(_, n)| !is_deleted_starter(n));
            after.is_none_or(|&(_, n)| canonical_combining_class(n) == 0)
        } else {
            canonical_combining_class(c) == 0
                && is_nfc_quick(std::iter::once(c)) != IsNormalized::Maybe
        };
        if cut && i > 0 {
            cuts.push(i);
        }
    }
    cuts.push(text.len());
    let mut units = Vec::new();
    let mut start = 0;
    for end in cuts {
        let piece = &text[start..end];
        let joined = piece
            .chars()
            .zip(piece.chars().skip(1))
            .any(|(a, b)| is_deleted_starter(a) && !is_deleted_starter(b));
        let kept: String = piece
            .chars()
            .filter(|&c| !joined || !is_deleted_starter(c))
            .collect();
        // A piece NFC leaves as it is, with no character the quick check
        // calls Maybe, is read as the fast path reads an NFC text: one
        // unit per character.
        let unchanged = !joined
            && piece.nfc().eq(piece.chars())
            && piece
                .chars()
                .all(|c| is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes);
        if unchanged {
            for (k, c) in piece.char_indices() {
                units.push((c, start + k, start + k + c.len_utf8()));
            }
        } else {
            for c in kept.nfc() {
                units.push((c, start, end));
            }
        }
        start = end;
    }
    units
}

/// A byte offset as stored in the map (saturating past 4 GiB).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Steps 2 to 8, one original character at a time.
struct Folder<'a> {
    out: &'a mut Normalized,
    /// Whether the last character emitted is a space.
    last_space: bool,
}

impl Folder<'_> {
    /// Processes one character `c` that came from `orig_start..orig_end`;
    /// `next` is the following original character, for step 8's hyphen
    /// rule.
    fn push(&mut self, c: char, orig_start: usize, orig_end: usize, next: Option<char>) {
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

    fn fold(&mut self, c: char, s: usize, e: usize, next: Option<char>) {
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
            let prev = self.out.text.chars().next_back();
            let test: fn(char) -> bool = if c == '_' {
                is_word_char
            } else {
                char::is_alphabetic
            };
            if prev.is_some_and(test) && next.is_some_and(test) {
                self.emit(' ', s, e);
            } else {
                self.emit(c, s, e);
            }
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
        let ends = &mut self.out.ends;
        let Some(&last_end) = ends.last() else {
            return;
        };
        let last = self.out.text.chars().next_back();
        if last_end != offset(s) || !last.is_some_and(is_word_char) {
            return;
        }
        let n = last.map_or(0, char::len_utf8);
        let len = ends.len();
        for end in &mut ends[len - n..] {
            *end = offset(e);
        }
    }

    fn emit(&mut self, c: char, s: usize, e: usize) {
        self.last_space = c == ' ';
        self.out.text.push(c);
        let n = c.len_utf8();
        let (s, e) = (offset(s), offset(e));
        self.out.starts.extend_from_slice(&[s, s, s, s][..n]);
        self.out.ends.extend_from_slice(&[e, e, e, e][..n]);
    }

    /// Emits `run` (ASCII letters, digits, punctuation, single spaces, and
    /// plain Arabic letters), which starts at byte `at` of the original:
    /// copied, ASCII lowercased, each character mapped to itself.
    fn emit_run(&mut self, run: &str, at: usize) {
        let base = self.out.text.len();
        self.out.text.push_str(run);
        self.out.text[base..].make_ascii_lowercase();
        let bytes = run.as_bytes();
        if at + bytes.len() < u32::MAX as usize {
            // A continuation byte belongs to the two-byte letter before it.
            let at = at as u32;
            self.out.starts.extend(
                bytes
                    .iter()
                    .zip(at..)
                    .map(|(&b, k)| k - u32::from(b & 0xC0 == 0x80)),
            );
            self.out.ends.extend(
                bytes
                    .iter()
                    .zip(at + 1..)
                    .map(|(&b, k)| k + u32::from(b >= 0xC0)),
            );
        } else {
            self.out.starts.extend((0..bytes.len()).map(|_| u32::MAX));
            self.out.ends.extend((0..bytes.len()).map(|_| u32::MAX));
        }
        self.last_space = run.ends_with(' ');
    }
}

/// Whether normalization deletes `c` outright (steps 2, 3, 5 and the
/// combining accents of step 7): the hyphen rule of step 8 looks past
/// these to the next character that stays.
fn is_dropped(c: char) -> bool {
    is_deleted_control(c)
        || ('\u{FE70}'..='\u{FE7F}').contains(&c)
        || is_deleted_arabic_mark(c)
        || (canonical_combining_class(c) != 0 && !is_arabic_block(c))
}

/// The characters of combining class 0 that normalization deletes whole.
fn is_deleted_starter(c: char) -> bool {
    // NFC first: a character NFC replaces would come back here.
    canonical_combining_class(c) == 0
        && !c.is_ascii()
        && normalize_str(&std::iter::once(c).nfc().collect::<String>()).is_empty()
}

/// The first character that normalization writes for `rest`.
fn first_output(rest: impl Iterator<Item = char>) -> Option<char> {
    rest.map(|c| normalize_str(&c.to_string()))
        .find_map(|n| n.chars().next())
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
fn is_arabic_block(c: char) -> bool {
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
