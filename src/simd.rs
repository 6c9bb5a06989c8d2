//! Helpers shared by the AVX2 code paths (normalization's plain runs, the
//! matcher's word bits, JSON strings read and written). Each caller checks
//! for AVX2 at run time before it calls them, and has a scalar path for
//! other CPUs.

/// The first position at or after `at` of a byte that a JSON string
/// cannot hold as it is: a quote, a backslash or a control character
/// (U+0000–U+001F); or the length of `bytes` if there is none. DEL and
/// every byte of a non-ASCII character are not special.
///
/// Thirty-two bytes at a time with AVX2, then eight at a time, the last
/// ones as one zero-padded word:
/// `json_special(b"ab\"c", 0)` is 2, `json_special(b"abc", 1)` is 3.
#[inline]
pub(crate) fn json_special(bytes: &[u8], at: usize) -> usize {
    let mut i = at;
    #[cfg(target_arch = "x86_64")]
    {
        if bytes.len() >= i + 32 && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available, checked just above.
            match unsafe { avx2::json_special_blocks(bytes, i) } {
                Ok(found) => return found,
                Err(rest) => i = rest,
            }
        }
    }
    while let Some(word) = bytes.get(i..i + 8) {
        if let Some(k) = first_special_lane(word) {
            return i + k;
        }
        i += 8;
    }
    // Fewer than eight bytes are left: read as one word, zero-padded. A
    // zero byte is special, so the first lane flagged is a special byte
    // of the string or the first byte past its end (a borrow spoils only
    // the lanes above a match).
    let rest = bytes.get(i..).unwrap_or_default();
    let flags = json_special_lanes(first_eight(rest));
    (i + (flags.trailing_zeros() / 8) as usize).min(bytes.len())
}

/// The place in the eight bytes of `word` of the first special byte.
#[inline]
fn first_special_lane(word: &[u8]) -> Option<usize> {
    let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
    let flags = json_special_lanes(w);
    (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize)
}

/// The first eight bytes of `w` as a little-endian number, the missing
/// ones zero (discovery compares an Arabic word's proclitic prefixes with
/// it, masked by [`low_bytes`]; [`json_special`] reads a string's last
/// bytes with it). A shorter `w` is read in two overlapping loads, whose
/// shared bytes are the same.
#[inline]
pub(crate) fn first_eight(w: &[u8]) -> u64 {
    let load4 = |b: &[u8]| u64::from(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])));
    let load2 = |b: &[u8]| u64::from(u16::from_le_bytes(b.try_into().unwrap_or([0; 2])));
    let n = w.len();
    match n {
        8.. => u64::from_le_bytes(w[..8].try_into().unwrap_or([0; 8])),
        4..=7 => load4(&w[..4]) | load4(&w[n - 4..]) << (8 * (n - 4)),
        2..=3 => load2(&w[..2]) | load2(&w[n - 2..]) << (8 * (n - 2)),
        1 => u64::from(w[0]),
        _ => 0,
    }
}

/// The mask of the low `n` bytes of a `u64` (`n` at most 8).
pub(crate) const fn low_bytes(n: usize) -> u64 {
    if n >= 8 { u64::MAX } else { (1 << (8 * n)) - 1 }
}

/// The high bit of each lane of the eight bytes of `w` (read little-endian)
/// from the first special byte on: the lowest set bit is that of the
/// first special byte, exactly (the classic tests for a zero or a smaller
/// byte in a word flag a lane wrongly only above a lane that matches).
#[inline]
fn json_special_lanes(w: u64) -> u64 {
    const fn lanes(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    let high = lanes(0x80);
    let zero = |v: u64| v.wrapping_sub(lanes(0x01)) & !v & high;
    let below_space = w.wrapping_sub(lanes(0x20)) & !w & high;
    below_space | zero(w ^ lanes(b'"')) | zero(w ^ lanes(b'\\'))
}

/// Byte-wise comparisons of 32-byte vectors.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use std::arch::x86_64::*;

    /// Bytes 0xFF where `x` lies in `lo..=hi`, unsigned, 0 elsewhere.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn in_range(x: __m256i, lo: u8, hi: u8) -> __m256i {
        let d = _mm256_sub_epi8(x, _mm256_set1_epi8(lo as i8));
        _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8((hi - lo) as i8)), d)
    }

    /// Bytes 0xFF where `x` is `b`, 0 elsewhere.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn eq(x: __m256i, b: u8) -> __m256i {
        _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b as i8))
    }

    /// The first position at or after `at` of a byte [`super::json_special`]
    /// stops at, if one is in a 32-byte block that lies inside `bytes`;
    /// otherwise (`Err`) the start of the first block that does not fit,
    /// where the caller goes on eight bytes at a time.
    #[target_feature(enable = "avx2")]
    pub(crate) fn json_special_blocks(bytes: &[u8], at: usize) -> Result<usize, usize> {
        let mut i = at;
        while i + 32 <= bytes.len() {
            // SAFETY: i + 32 <= len: the load reads inside `bytes`.
            let block = unsafe { _mm256_loadu_si256(bytes.as_ptr().add(i).cast()) };
            let hits = _mm256_or_si256(
                _mm256_or_si256(eq(block, b'"'), eq(block, b'\\')),
                in_range(block, 0x00, 0x1F),
            );
            let mask = _mm256_movemask_epi8(hits) as u32;
            if mask != 0 {
                return Ok(i + mask.trailing_zeros() as usize);
            }
            i += 32;
        }
        Err(i)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn comparisons_of_every_byte() {
            if !std::arch::is_x86_feature_detected!("avx2") {
                return;
            }
            for (lo, hi) in [
                (0x00, 0x1F),
                (0x21, 0x7E),
                (0x80, 0xBF),
                (0xC0, 0xFF),
                (b'a', b'a'),
            ] {
                for start in (0..=255u8).step_by(32) {
                    let bytes: [u8; 32] = std::array::from_fn(|k| start.wrapping_add(k as u8));
                    // SAFETY: AVX2 is available (checked above); the loads and
                    // stores stay inside 32-byte arrays.
                    let (ranged, equal) = unsafe {
                        let v = _mm256_loadu_si256(bytes.as_ptr().cast());
                        let mut r = [0u8; 32];
                        let mut e = [0u8; 32];
                        _mm256_storeu_si256(r.as_mut_ptr().cast(), in_range(v, lo, hi));
                        _mm256_storeu_si256(e.as_mut_ptr().cast(), eq(v, lo));
                        (r, e)
                    };
                    for k in 0..32 {
                        let b = bytes[k];
                        assert_eq!(
                            ranged[k] == 0xFF,
                            (lo..=hi).contains(&b),
                            "{b:#x} in {lo:#x}..={hi:#x}"
                        );
                        assert_eq!(equal[k] == 0xFF, b == lo);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`json_special`] finds, a byte at a time.
    fn naive(bytes: &[u8], at: usize) -> usize {
        (at..bytes.len())
            .find(|&i| bytes[i] == b'"' || bytes[i] == b'\\' || bytes[i] < 0x20)
            .unwrap_or(bytes.len())
    }

    /// Every byte value at every place of strings around the block and
    /// word sizes, searched from every start: the AVX2 blocks, the
    /// eight-byte words and the last bytes all stop where a byte at a time
    /// does, and a special byte before `at` is not seen.
    #[test]
    fn json_special_stops_where_a_byte_at_a_time_does() {
        for len in [0, 1, 7, 8, 9, 31, 32, 33, 40, 63, 64, 65, 71] {
            for place in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[place] = b;
                    for at in [0, place.saturating_sub(1), place, place + 1] {
                        let at = at.min(len);
                        assert_eq!(
                            json_special(&bytes, at),
                            naive(&bytes, at),
                            "{b:#x} at {place} of {len}, from {at}"
                        );
                    }
                }
            }
        }
    }

    /// `first_eight` of 0 to 9 bytes is the fold of its first eight, and
    /// `low_bytes` masks as many bytes as it is told.
    #[test]
    fn first_eight_and_low_bytes() {
        for n in 0..=9 {
            let bytes: Vec<u8> = (1..=n as u8).collect();
            let want = bytes
                .iter()
                .take(8)
                .enumerate()
                .fold(0u64, |v, (i, &b)| v | u64::from(b) << (8 * i));
            assert_eq!(first_eight(&bytes), want, "{n} bytes");
        }
        assert_eq!(first_eight(b""), 0);
        assert_eq!(first_eight(b"\x01\x02"), 0x0201);
        assert_eq!(first_eight(b"123456789"), u64::from_le_bytes(*b"12345678"));
        assert_eq!(low_bytes(0), 0);
        assert_eq!(low_bytes(3), 0xFF_FFFF);
        assert_eq!(low_bytes(8), u64::MAX);
    }

    /// Two special bytes in one word or block: the first is found, and a
    /// search from just after it finds the second (a borrow from the first
    /// lane must not hide or invent one).
    #[test]
    fn json_special_finds_the_first_of_two() {
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1F];
        for len in [8, 16, 32, 40, 64] {
            for first in 0..len {
                for second in first + 1..len {
                    for &x in &specials {
                        for y in [b'"', 0x00, 0x20, 0x21, 0x80, 0xA0, 0xFF] {
                            let mut bytes = vec![0xD8; len];
                            bytes[first] = x;
                            bytes[second] = y;
                            assert_eq!(json_special(&bytes, 0), first);
                            assert_eq!(json_special(&bytes, first + 1), naive(&bytes, first + 1));
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// The same on random bytes from random starts.
        #[test]
        fn json_special_on_random_bytes(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b'a'),
                    proptest::prelude::Just(0xD8u8),
                    0u8..=255
                ],
                0..120
            ),
            at in 0usize..130
        ) {
            let at = at.min(bytes.len());
            proptest::prop_assert_eq!(json_special(&bytes, at), naive(&bytes, at));
        }
    }
}
