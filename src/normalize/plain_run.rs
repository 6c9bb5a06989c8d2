//! The fast path's common case, 32 bytes at a time: a run of text that
//! normalization copies as it is, or with same-length replacements only.
//!
//! A byte of such a run is one of
//! - printable ASCII but the hyphen and the underscore (`!`..=`~`),
//!   capitals lowercased;
//! - a space, tab, line feed or carriage return that does not follow one
//!   of them, written as a space;
//! - a letter U+0621–U+063A or U+0641–U+064A (lead byte D8 or D9), with
//!   the folds آ أ إ → ا, ة → ه, ى → ي, which keep the length; the
//!   punctuation ، ؛ ؟ (D8 8C, 9B, 9F), kept;
//! - the continuation byte of such a letter or mark.
//!
//! Everything else (a blank after a blank, hyphens, underscores, harakat, tatweel,
//! digits in Arabic script, Persian letters, any other script) ends the
//! run and is left to the per-character code, which treats the characters
//! above the same way: a test checks every character up to U+07FF against
//! it.
//!
//! On x86_64 with AVX2 (checked at run time) the run is read with vector
//! instructions; elsewhere [`plain_run`] returns 0 and the per-character
//! code does all the work.

/// Whether [`plain_run`] can take runs on this CPU (elsewhere it always
/// returns 0).
pub(super) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// How many bytes from `at` form a run of the kind the module describes,
/// written to `out` normalized. `last_space` says whether the last
/// character written to `out` is a space. `at` must be a character
/// boundary of `text`. The run ends on a character boundary; it may be
/// shorter than it could be near the end of the text (the code needs a
/// byte before and after each 32-byte block).
pub(super) fn plain_run(text: &str, at: usize, last_space: bool, out: &mut String) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available, checked just above.
            return unsafe { avx2::plain_run(text, at, last_space, out) };
        }
    }
    let _ = (text, at, last_space, out);
    0
}

/// What a byte is in UTF-8: ASCII, a continuation byte, the lead byte of
/// a two-byte character (C2–DF), or anything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Ascii,
    Continuation,
    TwoByteLead,
    Other,
}

fn shape(b: u8) -> Shape {
    match b {
        0..0x80 => Shape::Ascii,
        0x80..0xC0 => Shape::Continuation,
        0xC2..0xE0 => Shape::TwoByteLead,
        _ => Shape::Other,
    }
}

/// Whether `added` is UTF-8, given that it is `original` with the bytes
/// of the mask `changed` (bit k for byte k) replaced, and that `original`
/// is whole characters of a `str`. It is when every changed byte keeps
/// its shape: ASCII for ASCII, a two-byte lead for a two-byte lead, or a
/// continuation byte for one that follows a two-byte lead. The shapes of
/// the bytes are then those of `original`, and a two-byte lead followed
/// by any continuation byte is always a valid character (the other
/// leads limit their second byte: E0, ED, F0, F4).
pub(super) fn keeps_utf8(original: &[u8], added: &[u8], mut changed: u32) -> bool {
    if original.len() != added.len() || original.len() < 32 && changed >> original.len() != 0 {
        return false;
    }
    while changed != 0 {
        let k = changed.trailing_zeros() as usize;
        changed &= changed - 1;
        let ok = match (shape(original[k]), shape(added[k])) {
            (Shape::Ascii, Shape::Ascii) | (Shape::TwoByteLead, Shape::TwoByteLead) => true,
            (Shape::Continuation, Shape::Continuation) => {
                k > 0 && shape(added[k - 1]) == Shape::TwoByteLead
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use crate::simd::avx2::{eq, in_range};

    /// Bytes 0xFF where `x` is a space, tab, line feed or carriage return.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn blanks(x: __m256i) -> __m256i {
        _mm256_or_si256(
            _mm256_or_si256(eq(x, b' '), eq(x, b'\t')),
            _mm256_or_si256(eq(x, b'\n'), eq(x, b'\r')),
        )
    }

    fn is_blank(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\n' | b'\r')
    }

    /// See [`super::plain_run`].
    #[target_feature(enable = "avx2")]
    pub(super) fn plain_run(text: &str, at: usize, last_space: bool, out: &mut String) -> usize {
        let bytes = text.as_bytes();
        let mut i = at;
        // The block needs the byte before it and the byte after it.
        if i == 0 || (last_space && bytes.get(i).is_some_and(|&b| is_blank(b))) {
            return 0;
        }
        while i + 33 <= bytes.len() {
            // SAFETY: i - 1 + 34 <= len: the three loads read inside `bytes`.
            let (prev, cur, next) = unsafe {
                let p = bytes.as_ptr().add(i);
                (
                    _mm256_loadu_si256(p.sub(1).cast()),
                    _mm256_loadu_si256(p.cast()),
                    _mm256_loadu_si256(p.add(1).cast()),
                )
            };
            // Which bytes may stay in the run.
            let printable = _mm256_andnot_si256(
                _mm256_or_si256(eq(cur, b'-'), eq(cur, b'_')),
                in_range(cur, b'!', b'~'),
            );
            let blank = blanks(cur);
            let space = _mm256_andnot_si256(blanks(prev), blank);
            let continuation = in_range(cur, 0x80, 0xBF);
            // U+0621-063A: D8 A1..BA; U+0641-064A: D9 81..8A.
            let d8_second = _mm256_or_si256(
                _mm256_or_si256(in_range(next, 0xA1, 0xBA), eq(next, 0x8C)),
                _mm256_or_si256(eq(next, 0x9B), eq(next, 0x9F)),
            );
            let d8 = _mm256_and_si256(eq(cur, 0xD8), d8_second);
            let d9 = _mm256_and_si256(eq(cur, 0xD9), in_range(next, 0x81, 0x8A));
            let good = _mm256_or_si256(
                _mm256_or_si256(printable, space),
                _mm256_or_si256(continuation, _mm256_or_si256(d8, d9)),
            );
            let bad = !(_mm256_movemask_epi8(good) as u32);
            let mut len = bad.trailing_zeros() as usize;
            if len == 32 && bytes[i + 31] >= 0xC0 {
                // A letter's lead byte ends the block: leave the letter
                // for the next block.
                len = 31;
            }
            if len == 0 {
                break;
            }
            // Capitals lowercased; folds, at the lead byte and the second.
            let capital = in_range(cur, b'A', b'Z');
            let mut normalized =
                _mm256_add_epi8(cur, _mm256_and_si256(capital, _mm256_set1_epi8(0x20)));
            normalized = _mm256_blendv_epi8(normalized, _mm256_set1_epi8(b' ' as i8), blank);
            let after_d8 = eq(prev, 0xD8);
            // ة (D8 A9) -> ه (D9 87).
            let ta_lead = _mm256_and_si256(eq(cur, 0xD8), eq(next, 0xA9));
            let ta_second = _mm256_and_si256(after_d8, eq(cur, 0xA9));
            // آ أ إ (D8 A2, A3, A5) -> ا (D8 A7).
            let alef = _mm256_and_si256(
                after_d8,
                _mm256_or_si256(in_range(cur, 0xA2, 0xA3), eq(cur, 0xA5)),
            );
            // ى (D9 89) -> ي (D9 8A).
            let yeh = _mm256_and_si256(eq(prev, 0xD9), eq(cur, 0x89));
            normalized = _mm256_blendv_epi8(normalized, _mm256_set1_epi8(0xD9_u8 as i8), ta_lead);
            normalized = _mm256_blendv_epi8(normalized, _mm256_set1_epi8(0x87_u8 as i8), ta_second);
            normalized = _mm256_blendv_epi8(normalized, _mm256_set1_epi8(0xA7_u8 as i8), alef);
            normalized = _mm256_blendv_epi8(normalized, _mm256_set1_epi8(0x8A_u8 as i8), yeh);
            // The bytes the normalization changed (bit k for byte k).
            let low = if len == 32 {
                u32::MAX
            } else {
                (1u32 << len) - 1
            };
            let changed = !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(normalized, cur)) as u32) & low;
            // SAFETY: the run is whole characters of `text` (it starts on a
            // boundary, and ends before a byte that begins a character),
            // each either kept or replaced by a character of the same
            // length, so the `len` bytes added to `out` keep it UTF-8. The
            // 32 bytes are stored into room reserved for them, which makes
            // the first `len` of them initialized; they are checked to be
            // UTF-8 (in release builds too: `keeps_utf8`, on the bytes that
            // changed, a tenth of the cost of `str::from_utf8` on all) before
            // `set_len` makes them part of the string, so a flaw in that
            // argument panics here instead of leaving `out` invalid. The
            // bytes past `len` are left outside the string.
            unsafe {
                let vec = out.as_mut_vec();
                vec.reserve(32);
                let end = vec.len();
                _mm256_storeu_si256(vec.as_mut_ptr().add(end).cast(), normalized);
                let added = std::slice::from_raw_parts(vec.as_ptr().add(end), len);
                assert!(
                    text.is_char_boundary(i)
                        && text.is_char_boundary(i + len)
                        && super::keeps_utf8(&bytes[i..i + len], added, changed),
                    "plain_run produced invalid UTF-8 at byte {i}"
                );
                vec.set_len(end + len);
            }
            i += len;
            if bad != 0 {
                // A byte that is not part of a run: the per-character code
                // takes it.
                break;
            }
        }
        i - at
    }
}

#[cfg(test)]
mod tests {
    use super::keeps_utf8;

    /// The check accepts the replacements normalization makes and refuses
    /// any change of a byte's shape, and a change of the second byte of a
    /// three-byte character (E0 A0 80 -> E0 80 80 is an overlong form).
    /// Where it accepts, `str::from_utf8` agrees.
    #[test]
    fn keeps_utf8_accepts_same_shape_replacements_only() {
        // (original, added, expected)
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"Abc", b"abc", true),
            (b"a\nb", b"a b", true),
            ("أحمد".as_bytes(), "احمد".as_bytes(), true),
            ("ة".as_bytes(), "ه".as_bytes(), true),
            ("ى".as_bytes(), "ي".as_bytes(), true),
            (b"abc", b"ab\x80", false),
            (b"abc", b"ab\xC3", false),
            ("é".as_bytes(), b"ab", false),
            ("ب".as_bytes(), b"\xD8\x41", false),
            ("ب".as_bytes(), b"\xE0\xA8", false),
            ("\u{800}".as_bytes(), b"\xE0\x80\x80", false),
            ("\u{800}".as_bytes(), "\u{801}".as_bytes(), false),
            (b"ab", b"abc", false),
        ];
        for &(original, added, expected) in cases {
            let mut changed = 0u32;
            for (k, (o, a)) in original.iter().zip(added).enumerate() {
                if o != a {
                    changed |= 1 << k;
                }
            }
            assert_eq!(
                keeps_utf8(original, added, changed),
                expected,
                "{original:?} -> {added:?}"
            );
            if expected {
                assert!(std::str::from_utf8(added).is_ok());
            }
        }
        // A mask with bits past the end is refused.
        assert!(!keeps_utf8(b"ab", b"ab", 0b100));
    }
}
