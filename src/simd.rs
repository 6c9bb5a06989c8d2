//! Helpers shared by the AVX2 code paths (normalization's plain runs, the
//! matcher's word bits, JSONL strings). Each caller checks for AVX2 at run
//! time before it calls them, and has a scalar path for other CPUs.

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
