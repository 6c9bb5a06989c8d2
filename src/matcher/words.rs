//! Where the words of a normalized text are: one bit per byte, set for the
//! bytes of word characters ([`is_word_char`]), so that the matcher finds
//! each word's start and end with a few bit operations instead of looking
//! at every character.
//!
//! The bits are computed 32 bytes at a time with AVX2 where the CPU has it
//! (checked at run time): ASCII letters and digits, the letters
//! U+0621–U+063A and U+0641–U+064A (lead byte D8 or D9) and the
//! continuation bytes that follow them are recognized by the vector code;
//! any other character that is not ASCII (rare in Arabic text) is looked up
//! one at a time. Elsewhere, every character is looked up.
//!
//! ```text
//! text   "وروسيا، في"   (و ر و س ي ا are 2 bytes each, ، too)
//! bits    111111111111 00 0 1111
//! ```

use crate::normalize::{is_word_char, is_word_char_of_pair};

/// The word bits of one text.
#[derive(Clone, Debug)]
pub(crate) struct WordBits {
    bits: Vec<u64>,
    len: usize,
}

impl WordBits {
    /// Computes the bits of `text`.
    pub(crate) fn new(text: &str) -> WordBits {
        let mut words = WordBits {
            bits: vec![0; text.len() / 64 + 1],
            len: text.len(),
        };
        let done = vector_blocks(text, &mut words.bits);
        words.set_chars(text, done, text.len());
        words
    }

    /// Sets the bits of the word characters of `text[from..to]`, one
    /// character at a time (`from` on a character boundary).
    fn set_chars(&mut self, text: &str, from: usize, to: usize) {
        let bytes = text.as_bytes();
        let mut i = from;
        while i < to {
            let b = bytes[i];
            let (word, len) = if b < 0x80 {
                (b.is_ascii_alphanumeric(), 1)
            } else if b & 0xE0 == 0xC0 && i + 1 < bytes.len() {
                (is_word_char_of_pair(b, bytes[i + 1]), 2)
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                (is_word_char(c), c.len_utf8())
            };
            if word {
                for k in i..i + len {
                    self.bits[k / 64] |= 1 << (k % 64);
                }
            }
            i += len;
        }
    }

    /// Whether byte `at` belongs to a word character.
    #[cfg(test)]
    fn is_word(&self, at: usize) -> bool {
        at < self.len && self.bits[at / 64] & (1 << (at % 64)) != 0
    }

    /// The first byte at or after `at` that belongs to a word character,
    /// or `None`.
    #[inline]
    pub(crate) fn next_word(&self, at: usize) -> Option<usize> {
        let mut k = at / 64;
        let mut w = *self.bits.get(k)? & (!0u64 << (at % 64));
        loop {
            if w != 0 {
                let found = k * 64 + w.trailing_zeros() as usize;
                return (found < self.len).then_some(found);
            }
            k += 1;
            w = *self.bits.get(k)?;
        }
    }

    /// The byte ranges of the words (runs of word characters), in order.
    pub(crate) fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            let start = self.next_word(at)?;
            at = self.word_end(start);
            Some(start..at)
        })
    }

    /// The number of words (runs of word characters): the bits that are
    /// set after a clear one, or at the start.
    pub(crate) fn word_count(&self) -> usize {
        let mut carry = 0;
        let mut n = 0;
        for &w in &self.bits {
            n += (w & !(w << 1 | carry)).count_ones() as usize;
            carry = w >> 63;
        }
        n
    }

    /// The first byte at or after `at` that does not belong to a word
    /// character (the end of the text if there is none).
    #[inline]
    pub(crate) fn word_end(&self, at: usize) -> usize {
        let mut k = at / 64;
        let Some(&first) = self.bits.get(k) else {
            return self.len;
        };
        let mut w = !first & (!0u64 << (at % 64));
        loop {
            if w != 0 {
                return (k * 64 + w.trailing_zeros() as usize).min(self.len);
            }
            k += 1;
            match self.bits.get(k) {
                Some(&b) => w = !b,
                None => return self.len,
            }
        }
    }
}

/// Sets the bits of the 32-byte blocks the vector code can read, and
/// returns where the rest of the text, to be read one character at a time,
/// begins (a character boundary).
fn vector_blocks(text: &str, bits: &mut [u64]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available, checked just above.
            return unsafe { avx2::blocks(text, bits) };
        }
    }
    let _ = (text, bits);
    0
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use crate::normalize::is_word_char;
    use crate::simd::avx2::{eq, in_range};

    /// See [`super::vector_blocks`]. Blocks start at multiples of 32, so
    /// that each fills half of a `u64`.
    #[target_feature(enable = "avx2")]
    pub(super) fn blocks(text: &str, bits: &mut [u64]) -> usize {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Whether the last byte of the previous block is a letter's lead
        // byte (its continuation byte starts this block).
        let mut carry = 0u32;
        // Where the characters looked up one at a time have set bits up to.
        let mut looked_up = 0;
        while i + 33 <= bytes.len() {
            // SAFETY: i + 33 <= len: both loads read inside `bytes`.
            let (cur, next) = unsafe {
                let p = bytes.as_ptr().add(i);
                (
                    _mm256_loadu_si256(p.cast()),
                    _mm256_loadu_si256(p.add(1).cast()),
                )
            };
            let alnum = _mm256_or_si256(
                _mm256_or_si256(in_range(cur, b'a', b'z'), in_range(cur, b'A', b'Z')),
                in_range(cur, b'0', b'9'),
            );
            let d8 = _mm256_and_si256(eq(cur, 0xD8), in_range(next, 0xA1, 0xBA));
            let d9 = _mm256_and_si256(eq(cur, 0xD9), in_range(next, 0x81, 0x8A));
            let letter = _mm256_movemask_epi8(_mm256_or_si256(d8, d9)) as u32;
            let word = _mm256_movemask_epi8(alnum) as u32;
            let continuation = _mm256_movemask_epi8(in_range(cur, 0x80, 0xBF)) as u32;
            // Bytes 0xC0 and up: lead bytes.
            let lead = _mm256_movemask_epi8(in_range(cur, 0xC0, 0xFF)) as u32;
            let block = word | letter | (continuation & (letter << 1 | carry));
            bits[i / 64] |= u64::from(block) << (i % 64);
            carry = letter >> 31;
            // Other characters that are not ASCII, one at a time.
            let mut other = lead & !letter;
            while other != 0 {
                let at = i + other.trailing_zeros() as usize;
                other &= other - 1;
                if at < looked_up {
                    continue;
                }
                let c = text[at..].chars().next().unwrap_or(' ');
                looked_up = at + c.len_utf8();
                if is_word_char(c) {
                    for k in at..looked_up {
                        bits[k / 64] |= 1 << (k % 64);
                    }
                }
            }
            i += 32;
        }
        // Back to a character boundary for the rest.
        while i > 0 && i < bytes.len() && bytes[i] & 0xC0 == 0x80 {
            i -= 1;
        }
        i.max(looked_up)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits, one character at a time.
    fn per_char(text: &str) -> Vec<bool> {
        let mut bits = vec![false; text.len()];
        for (i, c) in text.char_indices() {
            if is_word_char(c) {
                bits[i..i + c.len_utf8()].fill(true);
            }
        }
        bits
    }

    /// The bits made one character at a time, as on a CPU without AVX2.
    fn per_char_bits(text: &str) -> WordBits {
        let mut words = WordBits {
            bits: vec![0; text.len() / 64 + 1],
            len: text.len(),
        };
        words.set_chars(text, 0, text.len());
        words
    }

    fn check(text: &str) {
        let scalar = per_char_bits(text);
        let got: Vec<bool> = (0..text.len()).map(|i| scalar.is_word(i)).collect();
        assert_eq!(got, per_char(text), "per character: {text:?}");
        let words = WordBits::new(text);
        let got: Vec<bool> = (0..text.len()).map(|i| words.is_word(i)).collect();
        assert_eq!(got, per_char(text), "{text:?}");
        // ranges are the runs of set bits.
        let want: Vec<std::ops::Range<usize>> = (0..text.len())
            .filter(|&i| got[i] && (i == 0 || !got[i - 1]))
            .map(|i| i..(i..text.len()).find(|&k| !got[k]).unwrap_or(text.len()))
            .collect();
        assert_eq!(
            words.ranges().collect::<Vec<_>>(),
            want,
            "ranges of {text:?}"
        );
        // word_count counts the runs of set bits.
        let runs = (0..text.len())
            .filter(|&i| got[i] && (i == 0 || !got[i - 1]))
            .count();
        assert_eq!(words.word_count(), runs, "word_count of {text:?}");
        // next_word and word_end agree with the bits.
        for at in 0..=text.len() {
            let next = (at..text.len()).find(|&i| got[i]);
            assert_eq!(words.next_word(at), next, "next_word({at}) in {text:?}");
            let end = (at..text.len()).find(|&i| !got[i]).unwrap_or(text.len());
            assert_eq!(words.word_end(at), end, "word_end({at}) in {text:?}");
        }
    }

    #[test]
    fn every_character_up_to_u07ff_in_blocks() {
        let plain = "الرئيس أعلن في القاهرة إن مصر وروسيا تتفقان على Abc 12 ";
        for c in (0u32..0x800)
            .chain([0x2018, 0x200C, 0x4E2D, 0x1F600])
            .filter_map(char::from_u32)
        {
            for at in [0, 1, 31, 32, 33, 63, 64] {
                let mut t: String = plain.chars().take(at).collect();
                t.push(c);
                t.push(c);
                t.push_str(plain);
                t.push(c);
                check(&t);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn bits_are_those_of_each_character(
            pieces in proptest::collection::vec(
                proptest::sample::select(
                    &["ر", "و", "ا", "ة", "، ", " ", "a", "Z", "9", "-", "é", "ڤ", "\u{0651}", "中", "😀", "‘", "\n"][..],
                ),
                0..200,
            )
        ) {
            check(&pieces.concat());
        }
    }
}
