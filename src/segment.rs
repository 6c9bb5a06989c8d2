//! Sentences and paragraphs (SPEC section 5).
//!
//! The rules are documented on [`Segmenter`], where `cargo doc` shows them.

use crate::normalize::is_word_char;

/// What a co-occurrence window is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowKind {
    /// One sentence (the default).
    #[default]
    Sentence,
    /// One paragraph.
    Paragraph,
    /// The whole document.
    Document,
}

impl WindowKind {
    /// `sentence`, `paragraph` or `document`.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Sentence => "sentence",
            WindowKind::Paragraph => "paragraph",
            WindowKind::Document => "document",
        }
    }

    /// Parses `sentence`, `paragraph` or `document`.
    pub fn parse(s: &str) -> Option<WindowKind> {
        match s {
            "sentence" => Some(WindowKind::Sentence),
            "paragraph" => Some(WindowKind::Paragraph),
            "document" => Some(WindowKind::Document),
            _ => None,
        }
    }
}

/// Words after which a `.` does not end a sentence (compared lowercase).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "etc",
    "e.g", "i.e", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "pres", "rev", "hon",
    "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "approx", "dept", "est", "fig",
];

/// Splits texts into sentences and paragraphs.
///
/// # Segmentation rules
///
/// - **Paragraphs** split at blank lines. A text without any blank line
///   but with line breaks is read as one paragraph per line.
/// - **Sentences** split at `.` `!` `?` `؟` `؛` `…` and at every line
///   break, but not at a `.` between digits (`3.5`), after a single capital
///   (`George W. Bush`), after a word with a dot inside (`U.S.`), or after a
///   common abbreviation (`Dr.`, `Mr.`, `Inc.`, `e.g.`, see `ABBREVIATIONS`).
///
/// Indexes are 0-based per document and dense: a run of terminators or
/// empty lines opens one new sentence, not several, and a window starts at
/// its first letter or digit.
///
/// ```
/// let w = alam::Segmenter::default().segment("Putin spoke. Xi replied!\n\nLater...");
/// assert_eq!(w.locate(0), (0, 0));   // "Putin"
/// assert_eq!(w.locate(13), (1, 0));  // "Xi"
/// assert_eq!(w.locate(26), (2, 1));  // "Later"
/// ```
#[derive(Clone, Debug, Default)]
pub struct Segmenter {}

/// Where the sentences and paragraphs of one text start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Windows {
    /// Byte offsets where sentences 1, 2, ... start.
    sentences: Vec<usize>,
    /// Byte offsets where paragraphs 1, 2, ... start.
    paragraphs: Vec<usize>,
    /// Whether the text has any letter or digit at all.
    content: bool,
}

impl Windows {
    /// The `(sentence, paragraph)` indexes of the byte offset `byte`.
    pub fn locate(&self, byte: usize) -> (usize, usize) {
        (
            self.sentences.partition_point(|&s| s <= byte),
            self.paragraphs.partition_point(|&p| p <= byte),
        )
    }

    /// The byte range of sentence `i` in a text of `len` bytes.
    pub fn sentence_range(&self, i: usize, len: usize) -> std::ops::Range<usize> {
        range_of(&self.sentences, i, len)
    }

    /// The byte range of paragraph `i` in a text of `len` bytes.
    pub fn paragraph_range(&self, i: usize, len: usize) -> std::ops::Range<usize> {
        range_of(&self.paragraphs, i, len)
    }

    /// The number of sentences: 0 for a text without any letter or digit.
    pub fn sentence_count(&self) -> usize {
        if self.content {
            self.sentences.len() + 1
        } else {
            0
        }
    }

    /// The number of paragraphs: 0 for a text without any letter or digit.
    pub fn paragraph_count(&self) -> usize {
        if self.content {
            self.paragraphs.len() + 1
        } else {
            0
        }
    }
}

/// Window `i` given the starts of windows 1, 2, ...
fn range_of(starts: &[usize], i: usize, len: usize) -> std::ops::Range<usize> {
    let start = if i == 0 {
        0
    } else {
        starts.get(i - 1).copied().unwrap_or(len)
    };
    let end = starts.get(i).copied().unwrap_or(len);
    start..end.max(start)
}

impl Segmenter {
    /// Finds the sentence and paragraph starts of `text`.
    pub fn segment(&self, text: &str) -> Windows {
        let blank_mode = text.trim().lines().any(|l| l.trim().is_empty());
        let mut w = Windows::default();
        let (mut seen, mut new_sentence, mut new_paragraph) = (false, false, false);
        let mut line_blank = true;
        // Where the next window starts: at the first character after the
        // white space that follows a break ("(Russia)" starts at "("), else
        // at its first letter or digit.
        let (mut after_space, mut start_at) = (false, None);
        let bytes = text.as_bytes();
        let mut events = Events::new(bytes);
        let mut i = 0;
        while i < bytes.len() {
            // Inside a sentence that has started, only line breaks and
            // terminators matter: skip to the next one by bytes.
            if seen && !new_sentence && !new_paragraph {
                match events.next_from(i) {
                    Some(at) => i = at,
                    None => break,
                }
            }
            // ASCII is classified by its byte; other characters decoded.
            let (c, len) = match bytes[i] {
                b if b < 0x80 => (char::from(b), 1),
                _ => match text[i..].chars().next() {
                    Some(c) => (c, c.len_utf8()),
                    None => break,
                },
            };
            let at = i;
            i += len;
            if c == '\n' {
                if seen {
                    new_sentence = true;
                    if !blank_mode || line_blank {
                        new_paragraph = true;
                    }
                }
                line_blank = true;
                after_space = true;
                continue;
            }
            let word = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                is_word_char(c)
            };
            if !word && c.is_whitespace() {
                after_space = true;
                continue;
            }
            line_blank = false;
            if word {
                let start = start_at.take().unwrap_or(at);
                if seen && new_paragraph {
                    w.paragraphs.push(start);
                }
                if seen && (new_sentence || new_paragraph) {
                    w.sentences.push(start);
                }
                seen = true;
                new_sentence = false;
                new_paragraph = false;
            } else if is_terminator(c) && seen && ends_sentence(text, at) {
                new_sentence = true;
                after_space = false;
                start_at = None;
            } else if (new_sentence || new_paragraph) && after_space && start_at.is_none() {
                start_at = Some(at);
            }
        }
        w.content = seen;
        w
    }
}

/// Finds the line breaks and terminators of a text, searching for the
/// bytes that may start (or, for ؟ and ؛, end) one with `memchr`, three at
/// a time: `\n . !`, `?` and the continuation bytes 9B and 9F of ؛ (D8 9B)
/// and ؟ (D8 9F), and E2, the lead byte of … (E2 80 A6).
struct Events<'a> {
    bytes: &'a [u8],
    /// For each group of bytes, where the first one at or after the last
    /// place asked for is (`usize::MAX`: none); places asked for only grow.
    next: [usize; 3],
}

impl<'a> Events<'a> {
    fn new(bytes: &'a [u8]) -> Events<'a> {
        let mut events = Events {
            bytes,
            next: [0; 3],
        };
        for group in 0..3 {
            events.next[group] = events.search(group, 0);
        }
        events
    }

    /// The first byte of `group` at or after `from`, or `usize::MAX`.
    fn search(&self, group: usize, from: usize) -> usize {
        let rest = &self.bytes[from.min(self.bytes.len())..];
        let found = match group {
            0 => memchr::memchr3(b'\n', b'.', b'!', rest),
            1 => memchr::memchr3(b'?', 0x9B, 0x9F, rest),
            _ => memchr::memchr(0xE2, rest),
        };
        found.map_or(usize::MAX, |at| from + at)
    }

    /// The byte offset of the next line break or terminator at or after
    /// `from` (which never goes back between calls).
    fn next_from(&mut self, mut from: usize) -> Option<usize> {
        loop {
            for group in 0..3 {
                if self.next[group] < from {
                    self.next[group] = self.search(group, from);
                }
            }
            let at = self.next.iter().copied().min().unwrap_or(usize::MAX);
            if at == usize::MAX {
                return None;
            }
            match self.bytes[at] {
                0x9B | 0x9F if at > 0 && self.bytes[at - 1] == 0xD8 => return Some(at - 1),
                0x9B | 0x9F => {}
                0xE2 if self.bytes[at..].starts_with("…".as_bytes()) => return Some(at),
                0xE2 => {}
                _ => return Some(at),
            }
            from = at + 1;
        }
    }
}

/// `char::is_alphanumeric`, with the Arabic letters ا to ي answered
/// without a Unicode table lookup (they end most words before a dot here).
fn is_alphanumeric(c: char) -> bool {
    ('\u{0621}'..='\u{064A}').contains(&c) || c.is_alphanumeric()
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '؛' | '…')
}

/// Whether the terminator at byte `i` of `text` ends a sentence.
fn ends_sentence(text: &str, i: usize) -> bool {
    if text.as_bytes()[i] != b'.' {
        return true;
    }
    let before = &text[..i];
    let prev = before.chars().next_back();
    let next = text[i + 1..].chars().next();
    // `next` first: it is usually a space, answered without a Unicode table.
    if next.is_some_and(|c| c.is_numeric()) && prev.is_some_and(|c| c.is_numeric()) {
        return false;
    }
    // A dot followed by a letter or digit is inside a token (U.S.A, a.m).
    if next.is_some_and(is_word_char) {
        return false;
    }
    // The word before the dot.
    let start = before.rfind(char::is_whitespace).map_or(0, |p| {
        p + before[p..].chars().next().map_or(1, char::len_utf8)
    });
    let word = before[start..].trim_start_matches(|c: char| !is_alphanumeric(c));
    if word.is_empty() {
        return true;
    }
    let mut chars = word.chars();
    if let (Some(only), None) = (chars.next(), chars.next())
        && only.is_uppercase()
    {
        return false;
    }
    if word.contains('.') {
        return false;
    }
    // Every abbreviation is ASCII and at most six letters long.
    !(word.len() <= 6 && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits into sentences as strings, for readable tests.
    fn sentences(text: &str) -> Vec<String> {
        let w = Segmenter::default().segment(text);
        let mut cuts = vec![0];
        cuts.extend(w.sentences.iter().copied());
        cuts.push(text.len());
        cuts.windows(2)
            .map(|p| text[p[0]..p[1]].trim().to_string())
            .collect()
    }

    #[test]
    fn alphanumeric_shortcut_agrees_with_std() {
        for c in ('\u{0600}'..='\u{06FF}')
            .chain('a'..='z')
            .chain(['.', ' ', 'ـ'])
        {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn sentence_table() {
        // (name, text, sentences)
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "plain",
                "One. Two! Three? Four",
                &["One.", "Two!", "Three?", "Four"],
            ),
            (
                "arabic_marks",
                "وصل لافروف؟ نعم؛ ثم غادر… وانتهى",
                &["وصل لافروف؟", "نعم؛", "ثم غادر…", "وانتهى"],
            ),
            (
                "decimal",
                "Growth was 3.5 percent. Then",
                &["Growth was 3.5 percent.", "Then"],
            ),
            (
                "us",
                "The U.S. said no. Fine",
                &["The U.S. said no.", "Fine"],
            ),
            (
                "dr",
                "Dr. Tedros spoke. Then",
                &["Dr. Tedros spoke.", "Then"],
            ),
            ("initial", "George W. Bush left.", &["George W. Bush left."]),
            (
                "no_punctuation",
                "بوتين وشي في بكين",
                &["بوتين وشي في بكين"],
            ),
            ("newline", "عنوان\nنص الخبر", &["عنوان", "نص الخبر"]),
            ("runs", "What?!... Yes", &["What?!...", "Yes"]),
            (
                "quote_after",
                "He said \"no.\" Then",
                &["He said \"no.\"", "Then"],
            ),
            (
                // Bytes the event search stops at that end nothing: E2 of
                // — “ ” ‛ ‟, and 9B / 9F after E2 80 (‛ ‟) or D9 (ٛ ٟ).
                "near_misses",
                "قال — “لا” ‛x‟ وٟٛ ثم. بعد",
                &["قال — “لا” ‛x‟ وٟٛ ثم.", "بعد"],
            ),
            ("empty", "", &[""]),
        ];
        for &(name, text, expected) in cases {
            assert_eq!(sentences(text), expected, "test: {name}, text: {text:?}");
        }
    }

    #[test]
    fn paragraphs_at_blank_lines() {
        let text = "A one.\nA two.\n\n  \nB one.\n\nC";
        let w = Segmenter::default().segment(text);
        assert_eq!(w.locate(0), (0, 0));
        assert_eq!(w.locate(text.find("A two").unwrap()), (1, 0));
        assert_eq!(w.locate(text.find("B one").unwrap()), (2, 1));
        assert_eq!(w.locate(text.find('C').unwrap()), (3, 2));
        assert_eq!((w.sentence_count(), w.paragraph_count()), (4, 3));
        let b = text.find("B one").unwrap();
        assert_eq!(&text[w.sentence_range(2, text.len())], "B one.\n\n");
        assert_eq!(w.paragraph_range(1, text.len()).start, b);
        assert_eq!(&text[w.paragraph_range(2, text.len())], "C");
        let w = Segmenter::default().segment(" \n… ");
        assert_eq!((w.sentence_count(), w.paragraph_count()), (0, 0));
    }

    #[test]
    fn one_paragraph_per_line_without_blank_lines() {
        let text = "first line\nsecond line\nthird";
        let w = Segmenter::default().segment(text);
        assert_eq!(w.locate(text.find("second").unwrap()), (1, 1));
        assert_eq!(w.locate(text.find("third").unwrap()), (2, 2));
    }
}
