//! Typo-tolerant matching (`--fuzzy`): the index of the strong one-word
//! forms by their deletion neighbourhoods, the edit check, and the real-word
//! guard (see [`super::Matcher`]'s rule 9 and the README, "Misspelled
//! names (--fuzzy)").
//!
//! A form and a word are one edit apart (a substitution, an insertion, a
//! deletion or a transposition of two adjacent letters) exactly when the
//! form, or the form less one letter, equals the word, or the word less
//! one letter (symmetric delete). So each form is indexed under the hash of
//! itself and of each of its one-letter deletions, and a word looks up the
//! hashes of itself and of its deletions: `L + 1` probes for a word of `L`
//! letters, whatever the number of forms. Every hit is then checked letter
//! by letter ([`one_edit`]): a hash collision only costs that check.
//!
//! ```text
//! الكويت  is indexed under  الكويت الويت الكيت ... الكوت الكوي (and اكويت, لكويت)
//! الحويت  looks up          الحويت الويت ...               -> الويت: الكويت
//! one_edit(الحويت, الكويت) = substitution of ك by ح at letter 2: accepted
//! ```

use rustc_hash::FxHashSet;

use super::hash_word;

use super::WordFilter;

/// Words of the ANT news corpus written at least
/// [`FREQUENT_MIN_COUNT`] times (`gazetteers/build/build_word_frequency.py`).
static WORDS_AR: &[u8] = include_bytes!("../../gazetteers/frequency/words_ar.tsv.gz");

/// A word written this many times in the corpus is a word, never a typo.
/// The table holds the words seen at least 5 times.
pub(crate) const FREQUENT_MIN_COUNT: u64 = 5;

/// The fewest letters (not counting a leading article ال, or the ل of the
/// ل-for-ال spelling) an Arabic form must have to be matched with a typo.
pub(crate) const MIN_LETTERS_AR: usize = 4;

/// The fewest letters a form in another script must have to be matched
/// with a typo.
pub(crate) const MIN_LETTERS_LATIN: usize = 6;

/// The fewest letters a word must have after a proclitic prefix (وفرنا is
/// "and we provided", not و + a typo of فرنسا).
pub(crate) const MIN_LETTERS_AFTER_PREFIX: usize = 5;

/// The longest word (in letters) that is looked up.
const MAX_LETTERS: usize = 40;

/// One edit that turns a form into a word; positions count the form's
/// letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// The form's letter at this position is another letter in the word.
    Substitution(usize),
    /// The word has one more letter, before the form's letter at this
    /// position (or at its end).
    Insertion(usize),
    /// The form's letter at this position is missing from the word.
    Deletion(usize),
    /// The form's letters at this position and the next are swapped.
    Transposition(usize),
}

impl Edit {
    /// Where in the form the edit is.
    pub(crate) fn position(self) -> usize {
        match self {
            Edit::Substitution(i) | Edit::Insertion(i) | Edit::Deletion(i) => i,
            Edit::Transposition(i) => i,
        }
    }

    /// The edit in words, for `alam gazetteer lookup`, e.g.
    /// `ك written ح at letter 3`.
    pub(crate) fn describe(self, form: &[char], word: &[char]) -> String {
        let at = |i: usize| form.get(i).copied().unwrap_or(' ');
        match self {
            Edit::Substitution(i) => format!(
                "{} written {} at letter {}",
                at(i),
                word.get(i).copied().unwrap_or(' '),
                i + 1
            ),
            Edit::Insertion(i) => format!(
                "{} added before letter {}",
                word.get(i).copied().unwrap_or(' '),
                i + 1
            ),
            Edit::Deletion(i) => format!("{} left out at letter {}", at(i), i + 1),
            Edit::Transposition(i) => {
                format!("{}{} swapped at letter {}", at(i), at(i + 1), i + 1)
            }
        }
    }
}

/// The one edit that turns `form` into `word`, or `None` when they are
/// equal or further apart (the optimal string alignment distance is not 1).
pub(crate) fn one_edit(word: &[char], form: &[char]) -> Option<Edit> {
    let common = word.iter().zip(form).take_while(|(a, b)| a == b).count();
    match word.len() as isize - form.len() as isize {
        0 => {
            if common == word.len() {
                return None;
            }
            let i = common;
            if word[i + 1..] == form[i + 1..] {
                Some(Edit::Substitution(i))
            } else if i + 1 < word.len()
                && word[i] == form[i + 1]
                && word[i + 1] == form[i]
                && word[i + 2..] == form[i + 2..]
            {
                Some(Edit::Transposition(i))
            } else {
                None
            }
        }
        1 => (word[common + 1..] == form[common..]).then_some(Edit::Insertion(common)),
        -1 => (word[common..] == form[common + 1..]).then_some(Edit::Deletion(common)),
        _ => None,
    }
}

/// A 64-bit hash of a sequence of letters, with the hashes of each of its
/// one-letter deletions (a polynomial hash `H = sum c_k B^(n-1-k)`, so that
/// deleting letter `i` gives `H + (P_i (1 - B) - c_i) B^(n-1-i)`, `P_i`
/// being the hash of the first `i` letters): a word of `L` letters gives
/// its `L + 1` keys in `O(L)`, without tables.
fn keys(letters: &[char], out: &mut Vec<u64>) {
    const B: u64 = 0x0000_0100_0000_01b3;
    // The inverse of B modulo 2^64 (B is odd), by Newton's iteration.
    const B_INV: u64 = {
        let mut x = B;
        let mut k = 0;
        while k < 6 {
            x = x.wrapping_mul(2u64.wrapping_sub(B.wrapping_mul(x)));
            k += 1;
        }
        x
    };
    let n = letters.len();
    let value = |c: char| u64::from(c) + 1;
    let mut whole = 0u64;
    let mut power = 1u64;
    for (i, &c) in letters.iter().enumerate() {
        whole = whole.wrapping_mul(B).wrapping_add(value(c));
        if i + 1 < n {
            power = power.wrapping_mul(B);
        }
    }
    out.clear();
    out.push(mix(whole, n));
    let mut prefix = 0u64;
    for &c in letters {
        let delta = prefix
            .wrapping_mul(1u64.wrapping_sub(B))
            .wrapping_sub(value(c));
        out.push(mix(whole.wrapping_add(delta.wrapping_mul(power)), n - 1));
        prefix = prefix.wrapping_mul(B).wrapping_add(value(c));
        power = power.wrapping_mul(B_INV);
    }
}

/// Spreads a polynomial hash (and its length) over the high bits, which
/// the [`WordFilter`] reads.
fn mix(h: u64, len: usize) -> u64 {
    let mut x = h ^ (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Whether `edit` adds one of the letters of Arabic suffixes (ي ه ت ن و:
/// a nisba, ة, a pronoun, a dual or plural) after the last letter of
/// `form`: الأهوازي is "from Ahvaz", not a typo of الأهواز.
/// So is a ت or a ي before the last letter of a form that ends with ه (ة):
/// حماته is "his mother-in-law", حماة + a pronoun; القاهرية is "Cairene".
pub(crate) fn is_suffix(edit: Edit, form: &[char], word: &[char]) -> bool {
    match edit {
        Edit::Insertion(i) if i == form.len() => word
            .last()
            .is_some_and(|c| matches!(c, 'ي' | 'ه' | 'ت' | 'ن' | 'و')),
        Edit::Insertion(i) => {
            i + 1 == form.len()
                && form.last() == Some(&'ه')
                && matches!(word.get(i), Some('ت' | 'ي'))
        }
        _ => false,
    }
}

/// The rows of the Arabic keyboard (the common 101-key layout; لا, on its
/// own key, left out), and of QWERTY.
const KEYBOARD_AR: [&str; 3] = ["ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرىهوزظ"];
const KEYBOARD_LATIN: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// Arabic letters that look alike (they differ by their dots), and the
/// two letters Arabic writes for a foreign g (غ and ج). The long vowels
/// (ا و ي) are not among them: فافا (Vavá) is no typo of فيفا.
const CLOSE_AR: &[&str] = &[
    "بتثني",
    "جحخ",
    "دذ",
    "رز",
    "سش",
    "صض",
    "طظ",
    "عغ",
    "فق",
    "غج",
];
const CLOSE_LATIN: &[&str] = &[];

/// Whether two letters are next to each other on a keyboard (`rows`): in
/// a row, or one row apart (each key touches the two above it).
fn neighbours(rows: &[&str; 3], a: char, b: char) -> bool {
    let at = |c: char| {
        rows.iter()
            .enumerate()
            .find_map(|(r, row)| row.chars().position(|k| k == c).map(|i| (r, i)))
    };
    let (Some((ra, ia)), Some((rb, ib))) = (at(a), at(b)) else {
        return false;
    };
    match (ra as isize - rb as isize, ia as isize - ib as isize) {
        (0, d) => d.abs() == 1,
        // a is one row below b: it touches b's key and the one to b's right.
        (1, d) => d == 0 || d == -1,
        (-1, d) => d == 0 || d == 1,
        _ => false,
    }
}

/// Whether a typist easily writes `b` for `a`: keyboard neighbours,
/// look-alike letters, or two spellings of one foreign sound (see
/// [`CLOSE_AR`]). Other substitutions are not taken for typos.
pub(crate) fn is_close(a: char, b: char) -> bool {
    let (rows, close) = if is_arabic(a) {
        (&KEYBOARD_AR, CLOSE_AR)
    } else {
        (&KEYBOARD_LATIN, CLOSE_LATIN)
    };
    neighbours(rows, a, b) || close.iter().any(|g| g.contains(a) && g.contains(b))
}

/// Whether a letter is Arabic (U+0600–U+06FF).
pub(crate) fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// The letters of a form that count towards the minimum: all of them but
/// a leading article ال (or, for the ل-for-ال spelling, its ل).
pub(crate) fn core_letters(pattern: &[char], lam: bool) -> usize {
    if lam {
        pattern.len().saturating_sub(1)
    } else if pattern.starts_with(&['ا', 'ل']) {
        pattern.len() - 2
    } else {
        pattern.len()
    }
}

/// Where a form's article ends (its edits must come after it): 2 for a
/// form that begins with ال, 1 for the ل-for-ال spelling, else 0.
pub(crate) fn article_len(pattern: &[char], lam: bool) -> usize {
    if lam {
        1
    } else if pattern.starts_with(&['ا', 'ل']) {
        2
    } else {
        0
    }
}

/// One form one edit away from a word of a text, and what rule 9 made of
/// it (for `alam gazetteer lookup`).
#[derive(Clone, Debug)]
pub(crate) struct FuzzyTrace {
    /// The word, in normalized bytes (its prefix included).
    pub word: std::ops::Range<usize>,
    /// Where the reading of the word without its prefix starts.
    pub start: usize,
    /// The pattern.
    pub pattern: u32,
    /// The edit from the pattern to the word.
    pub edit: Edit,
    /// Why it was refused, or `None` when it was accepted.
    pub refused: Option<&'static str>,
}

/// The index of the forms that may be matched with a typo, and the words
/// that are never typos.
pub(crate) struct FuzzyIndex {
    /// `(key, pattern)` for each form and each of its deletions, sorted.
    keys: Vec<(u64, u32)>,
    /// The keys, to skip most lookups without a search.
    filter: WordFilter,
    /// By pattern id, whether it is a demonym (indexed only to refuse the
    /// words near it).
    demonyms: Vec<bool>,
    /// The patterns' letters, by pattern id (empty for a pattern that is
    /// not indexed).
    letters: Vec<Box<[char]>>,
    /// The form as written in the gazetteer that gave each indexed pattern.
    pub(crate) written: Vec<Box<str>>,
    /// The most letters an indexed pattern has.
    longest: usize,
    /// The real words (normalized): Arabic words of the corpus, English
    /// common words.
    /// (Their hashes: a collision only refuses a typo.)
    frequent: FxHashSet<u64>,
}

impl std::fmt::Debug for FuzzyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuzzyIndex")
            .field("keys", &self.keys.len())
            .field("frequent", &self.frequent.len())
            .finish()
    }
}

impl FuzzyIndex {
    /// Indexes `patterns` (`(id, normalized pattern, form as written,
    /// whether it is the ل-for-ال spelling, whether it is a demonym)`, the
    /// strong one-word forms and the demonyms); `pattern_count` is the
    /// number of pattern ids.
    pub(crate) fn new<'a>(
        patterns: impl Iterator<Item = (u32, &'a str, &'a str, bool, bool)>,
        pattern_count: usize,
    ) -> FuzzyIndex {
        FuzzyIndex::with_real_words(patterns, pattern_count, frequent_words())
    }

    /// [`FuzzyIndex::new`] with these real words (hashes).
    fn with_real_words<'a>(
        patterns: impl Iterator<Item = (u32, &'a str, &'a str, bool, bool)>,
        pattern_count: usize,
        frequent: FxHashSet<u64>,
    ) -> FuzzyIndex {
        let mut demonyms = vec![false; pattern_count];
        let mut letters: Vec<Box<[char]>> = vec![Box::from([]); pattern_count];
        let mut written: Vec<Box<str>> = vec![Box::from(""); pattern_count];
        let mut all = Vec::new();
        let mut buf = Vec::new();
        let mut longest = 0;
        for (id, pattern, form, lam, demonym) in patterns {
            let chars: Vec<char> = pattern.chars().collect();
            let arabic = chars.first().is_some_and(|&c| is_arabic(c));
            let min = if arabic {
                MIN_LETTERS_AR
            } else {
                MIN_LETTERS_LATIN
            };
            if chars.len() > MAX_LETTERS || core_letters(&chars, lam) < min {
                continue;
            }
            let Some(slot) = letters.get_mut(id as usize) else {
                continue;
            };
            if !slot.is_empty() {
                continue;
            }
            keys(&chars, &mut buf);
            all.extend(buf.iter().map(|&k| (k, id)));
            longest = longest.max(chars.len());
            *slot = chars.into_boxed_slice();
            written[id as usize] = Box::from(form);
            demonyms[id as usize] = demonym;
        }
        all.sort_unstable();
        all.dedup();
        let filter = WordFilter::new(all.iter().map(|&(k, _)| k));
        FuzzyIndex {
            keys: all,
            filter,
            demonyms,
            letters,
            written,
            longest,
            frequent,
        }
    }

    /// The letters of pattern `id` (empty when it is not indexed).
    pub(crate) fn letters(&self, id: u32) -> &[char] {
        self.letters.get(id as usize).map_or(&[], |l| l)
    }

    /// Whether pattern `id` is a demonym.
    pub(crate) fn is_demonym(&self, id: u32) -> bool {
        self.demonyms.get(id as usize).copied().unwrap_or(false)
    }

    /// Whether `word` (normalized) is a real word: frequent in the corpus
    /// (Arabic) or an English common word.
    pub(crate) fn is_frequent(&self, word: &str) -> bool {
        self.frequent.contains(&hash_word(word.as_bytes()))
    }

    /// Calls `found(pattern, edit)` for each indexed pattern one edit away
    /// from `word` (its letters), each once.
    pub(crate) fn lookup(
        &self,
        word: &[char],
        buf: &mut Vec<u64>,
        hits: &mut Vec<u32>,
        mut found: impl FnMut(u32, Edit),
    ) {
        if word.len() > self.longest + 1 || word.len() > MAX_LETTERS || word.len() < 3 {
            return;
        }
        keys(word, buf);
        hits.clear();
        for &k in buf.iter() {
            if !self.filter.may_contain(k) {
                continue;
            }
            let from = self.keys.partition_point(|&(h, _)| h < k);
            for &(h, id) in &self.keys[from..] {
                if h != k {
                    break;
                }
                hits.push(id);
            }
        }
        if hits.is_empty() {
            return;
        }
        hits.sort_unstable();
        hits.dedup();
        for &id in hits.iter() {
            if let Some(edit) = one_edit(word, self.letters(id)) {
                found(id, edit);
            }
        }
    }
}

/// The lexicon's lists whose words are never typos: English common words,
/// and the given names and surnames of discovery (a name of someone else:
/// كلاهي, العلاق).
const REAL_WORD_LISTS: &[&str] = &[
    "common_en.csv",
    "given_ar.csv",
    "given_en.csv",
    "given_foreign_ar.csv",
    "surnames_ar.csv",
    "surnames_foreign_ar.csv",
];

/// The real-word table: the Arabic words of `words_ar.tsv.gz` seen at
/// least [`FREQUENT_MIN_COUNT`] times, and the words of
/// [`REAL_WORD_LISTS`].
fn frequent_words() -> FxHashSet<u64> {
    use std::io::Read;
    let mut text = String::new();
    let mut set: FxHashSet<u64> = FxHashSet::default();
    set.reserve(120_000);
    // The table is part of the program; a broken one leaves the guard to
    // the lexicon's words (and a test fails).
    if flate2::read::GzDecoder::new(WORDS_AR)
        .read_to_string(&mut text)
        .is_ok()
    {
        for line in text.lines() {
            let Some((word, count)) = line.split_once('\t') else {
                continue;
            };
            // Most frequent first.
            if count.parse::<u64>().is_ok_and(|n| n < FREQUENT_MIN_COUNT) {
                break;
            }
            set.insert(hash_word(word.as_bytes()));
        }
    }
    let mut lower = String::new();
    for (name, data) in crate::lexicon::BUILTIN {
        if !REAL_WORD_LISTS.contains(name) {
            continue;
        }
        for line in data.lines().skip(1) {
            let word = line.split(',').next().unwrap_or("");
            if word.is_empty() {
                continue;
            }
            if word.is_ascii() {
                lower.clear();
                lower.push_str(word);
                lower.make_ascii_lowercase();
                set.insert(hash_word(lower.trim().as_bytes()));
            } else {
                set.insert(hash_word(crate::normalize_str(word).trim().as_bytes()));
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// The optimal string alignment distance, by the textbook table.
    fn osa(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn edits_table() {
        for (word, form, edit) in [
            ("الحويت", "الكويت", Some(Edit::Substitution(2))),
            ("erdogn", "erdogan", Some(Edit::Deletion(5))),
            ("zelenksy", "zelensky", Some(Edit::Transposition(5))),
            ("kazakstan", "kazakhstan", Some(Edit::Deletion(5))),
            ("russsia", "russia", Some(Edit::Insertion(4))), // the first place it can be
            ("russiaa", "russia", Some(Edit::Insertion(6))),
            ("russia", "russia", None),
            ("rusia", "russian", None),
            ("abdc", "abcd", Some(Edit::Transposition(2))),
            ("badc", "abcd", None),
        ] {
            assert_eq!(one_edit(&chars(word), &chars(form)), edit, "{word} {form}");
        }
    }

    #[test]
    fn close_letters() {
        for (a, b, close) in [
            ('ك', 'ح', true),  // keyboard: ; and P
            ('ع', 'ه', true),  // keyboard: U and I
            ('ي', 'ب', true),  // keyboard and dots
            ('ر', 'ز', true),  // dots
            ('غ', 'ج', true),  // g
            ('ب', 'م', false), // ترمب, ترمم
            ('ا', 'س', false),
            ('ل', 'ن', false),
            ('e', 'r', true),
            ('a', 'e', false),
            ('ا', 'ي', false),
            ('d', 'x', true),
            ('a', 'k', false),
        ] {
            assert_eq!(is_close(a, b), close, "{a} {b}");
            assert_eq!(is_close(b, a), close, "{b} {a}");
        }
    }

    #[test]
    fn suffixes() {
        let c = chars;
        assert!(is_suffix(Edit::Insertion(7), &c("الاهواز"), &c("الاهوازي")));
        assert!(is_suffix(Edit::Insertion(3), &c("حماه"), &c("حماته")));
        assert!(is_suffix(Edit::Insertion(6), &c("القاهره"), &c("القاهريه")));
        assert!(!is_suffix(Edit::Insertion(6), &c("تايلاند"), &c("تايلاندا")));
        assert!(!is_suffix(Edit::Deletion(3), &c("كندا"), &c("كند")));
    }

    #[test]
    fn deletion_keys_are_the_keys_of_the_deleted_strings() {
        let word = chars("الكويت");
        let mut all = Vec::new();
        keys(&word, &mut all);
        assert_eq!(all.len(), word.len() + 1);
        let mut one = Vec::new();
        for i in 0..word.len() {
            let mut w = word.clone();
            w.remove(i);
            keys(&w, &mut one);
            assert_eq!(all[i + 1], one[0], "deletion {i}");
        }
    }

    #[test]
    fn the_word_table_loads() {
        let set = frequent_words();
        assert!(set.len() > 50_000, "{}", set.len());
        // Frequent Arabic words, normalized (ة is ه), and English ones.
        let has = |w: &str| set.contains(&hash_word(w.as_bytes()));
        for w in ["الحكومه", "الرئيس", "taxes", "the", "james"] {
            assert!(has(w), "{w}");
        }
        assert!(!has("الحويت"));
    }

    proptest::proptest! {
        /// The index finds exactly the indexed forms one edit away from a
        /// word, as a scan of every form with the textbook distance does.
        #[test]
        fn lookup_is_a_scan_of_every_form(
            forms in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(&['ب', 'ت', 'ن', 'ي', 'ر'][..]), 4..8),
                1..30,
            ),
            word in proptest::collection::vec(proptest::sample::select(&['ب', 'ت', 'ن', 'ي', 'ر'][..]), 3..9),
        ) {
            let texts: Vec<String> = forms.iter().map(|f| f.iter().collect()).collect();
            let index = FuzzyIndex::with_real_words(
                texts.iter().enumerate().map(|(i, t)| (i as u32, t.as_str(), t.as_str(), false, false)),
                texts.len(),
                FxHashSet::default(),
            );
            let (mut buf, mut hits) = (Vec::new(), Vec::new());
            let mut got = Vec::new();
            index.lookup(&word, &mut buf, &mut hits, |id, _| got.push(texts[id as usize].clone()));
            got.sort();
            got.dedup();
            let mut want: Vec<String> = texts
                .iter()
                .filter(|t| osa(&word, &chars(t)) == 1)
                .cloned()
                .collect();
            want.sort();
            want.dedup();
            proptest::prop_assert_eq!(got, want);
        }

        /// `one_edit` finds an edit exactly where the distance is 1, and
        /// the symmetric-delete keys of two such strings always meet.
        #[test]
        fn one_edit_is_distance_one(
            a in proptest::collection::vec(proptest::sample::select(&['ا', 'ل', 'ك', 'ح', 'a', 'b'][..]), 0..8),
            b in proptest::collection::vec(proptest::sample::select(&['ا', 'ل', 'ك', 'ح', 'a', 'b'][..]), 0..8),
        ) {
            let d = osa(&a, &b);
            proptest::prop_assert_eq!(one_edit(&a, &b).is_some(), d == 1, "{:?} {:?}", a, b);
            if d == 1 {
                let (mut ka, mut kb) = (Vec::new(), Vec::new());
                keys(&a, &mut ka);
                keys(&b, &mut kb);
                proptest::prop_assert!(ka.iter().any(|k| kb.contains(k)));
            }
        }
    }
}
