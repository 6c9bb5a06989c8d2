//! Discovery: people and organizations that no gazetteer lists, found by
//! rules over the text that no gazetteer mention covers.
//!
//! The rules are documented on [`Discovery`], which the crate exports
//! (this module is private, so its own docs do not render).

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::lexicon::{Lexicon, class};
use crate::normalize::{Normalized, is_arabic_block};
use crate::simd::{first_eight, low_bytes};

/// How much discovery to do.
///
/// # The rules of discovery
///
/// Discovery: people and organizations that no gazetteer lists, found by
/// rules over the text that no gazetteer mention covers.
///
/// It runs after the gazetteer mentions are resolved, in the manner of
/// GATE's ANNIE (lists, small rule phases, veto rules, then a matcher that
/// links the variants of a name within a document), adapted to Arabic,
/// which has no capitals and where a name usually starts with a given name.
/// The word lists come from the [`Lexicon`].
///
/// Guarantees:
/// - a discovered mention never overlaps, shortens or retypes a gazetteer
///   mention (rules read only the words no gazetteer mention touches);
/// - the id of a discovered entity is a pure function of its surface:
///   `person:~KEY` or `organization:~KEY`, with `KEY` the normalized words
///   of the name joined by `-` (`person:~فيصل-المقداد`,
///   `person:~john-smith`), so shards and threads agree and `alam merge`
///   stays exact; its display name is made from the key alone;
/// - a name a reviewer rejected (lexicon class `reject`) is never reported.
///
/// The rules, each with the [`Rule`] it reports:
///
/// | rule | finds | e.g. (found part in brackets) |
/// |---|---|---|
/// | `ar-given` | a given name and 1–3 name words | كان \[عادل الزهراني\] في المكتب |
/// | `ar-title` | an honorific, then a name | السيد \[غيث الحسيني\] |
/// | `ar-role` | a role, its complements (demonyms, countries, common words), then a name | وزير الخارجية الكندي \[نيستور بامبو\] |
/// | `ar-kin` | a kunya or nasab chain | \[أبو سليم\] |
/// | `ar-demonym` | a demonym used as a noun, then a name | والكندي \[نيستور بامبو\] |
/// | `ar-said` | a reporting verb, then a name | وقال \[كريس دالتون\] |
/// | `ar-org` | an organization head and its name | شركة \[كوانتيكا\] / \[حزب الخضر الجديد\] |
/// | `en-given` | a capitalized given name and capitalized name words | \[John Smith\] said |
/// | `en-initials` | initials and a surname | \[G. Thornbury\] |
/// | `en-title` | a title or role, then capitalized words | Dr. \[Jane Doe\] |
/// | `en-said` | two or three capitalized words next to a reporting verb | said \[Tomasz Wierzbicki\] |
/// | `en-caps` | two or three capitalized words that are not common words | with \[Zdravko Sabbatelli\] |
/// | `en-paren` | capitalized words and a country in brackets | \[Zdravko Sabbatelli\] ( Italy ) |
/// | `en-demonym` | a demonym used as a noun, then two capitalized words | Italian \[Zdravko Sabbatelli\] |
/// | `en-org` | capitalized words and a designator, or a head with `of` | \[Acme Widgets Inc\] / \[University of Nowhere\] |
/// | `propagated` | the last word of a name discovered in the same document, or the acronym of an organization discovered there (`form=discovered-weak`) | ... \[الزهراني\], ... \[AWI\] |
///
/// [`Discovery::High`] keeps the rules that need lexical evidence for every
/// word (`ar-title`, `ar-role` and `ar-given` with listed name words,
/// `en-given`, `en-title`, `en-org`, `propagated`); [`Discovery::On`] adds
/// the others and accepts unlisted words after a given name or a title.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Discovery {
    /// None: the gazetteer's mentions only.
    Off,
    /// Only the most precise rules (see the module docs).
    High,
    /// Every rule (the command line's default).
    #[default]
    On,
}

impl Discovery {
    /// Parses `off`, `high` or `on`.
    pub fn parse(s: &str) -> Option<Discovery> {
        match s {
            "off" => Some(Discovery::Off),
            "high" => Some(Discovery::High),
            "on" => Some(Discovery::On),
            _ => None,
        }
    }

    /// `off`, `high` or `on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Discovery::Off => "off",
            Discovery::High => "high",
            Discovery::On => "on",
        }
    }
}

/// The rule that found a discovered mention (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Arabic given name + name words.
    ArGiven,
    /// Arabic honorific + name.
    ArTitle,
    /// Arabic role (+ complements) + name.
    ArRole,
    /// Arabic kunya (أبو X) or nasab chain.
    ArKin,
    /// Arabic demonym used as a noun + name.
    ArDemonym,
    /// Arabic reporting verb + name.
    ArSaid,
    /// Arabic organization head + name.
    ArOrg,
    /// English given name + capitalized words.
    EnGiven,
    /// Initials + a surname.
    EnInitials,
    /// English title or role + capitalized words.
    EnTitle,
    /// Capitalized words next to a reporting verb.
    EnSaid,
    /// Capitalized words that are not common words.
    EnCaps,
    /// Capitalized words and a country in brackets.
    EnParen,
    /// An English demonym used as a noun + a name.
    EnDemonym,
    /// English organization designator or head.
    EnOrg,
    /// The last word of a name discovered in the same document.
    Propagated,
}

impl Rule {
    /// Every rule, in the order of the module docs.
    pub const ALL: [Rule; 16] = [
        Rule::ArGiven,
        Rule::ArTitle,
        Rule::ArRole,
        Rule::ArKin,
        Rule::ArDemonym,
        Rule::ArSaid,
        Rule::ArOrg,
        Rule::EnGiven,
        Rule::EnInitials,
        Rule::EnTitle,
        Rule::EnSaid,
        Rule::EnCaps,
        Rule::EnParen,
        Rule::EnDemonym,
        Rule::EnOrg,
        Rule::Propagated,
    ];

    /// The name written in `mentions.jsonl` and `discovered.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ArGiven => "ar-given",
            Rule::ArTitle => "ar-title",
            Rule::ArRole => "ar-role",
            Rule::ArKin => "ar-kin",
            Rule::ArDemonym => "ar-demonym",
            Rule::ArSaid => "ar-said",
            Rule::ArOrg => "ar-org",
            Rule::EnGiven => "en-given",
            Rule::EnInitials => "en-initials",
            Rule::EnTitle => "en-title",
            Rule::EnSaid => "en-said",
            Rule::EnCaps => "en-caps",
            Rule::EnParen => "en-paren",
            Rule::EnDemonym => "en-demonym",
            Rule::EnOrg => "en-org",
            Rule::Propagated => "propagated",
        }
    }

    /// Parses the name [`Rule::as_str`] writes.
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

/// The type of a discovered entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `person`
    Person,
    /// `organization`
    Organization,
}

impl Kind {
    /// `person` or `organization`, the entity type in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
        }
    }
}

/// The id prefix of discovered people.
pub const PERSON_PREFIX: &str = "person:~";
/// The id prefix of discovered organizations.
pub const ORGANIZATION_PREFIX: &str = "organization:~";

/// The id of a discovered entity of this kind and key.
pub fn entity_id(kind: Kind, key: &str) -> String {
    match kind {
        Kind::Person => format!("{PERSON_PREFIX}{key}"),
        Kind::Organization => format!("{ORGANIZATION_PREFIX}{key}"),
    }
}

/// The kind and key of a discovered entity's id; `None` for another id:
/// `person:~john-smith` is `(Kind::Person, "john-smith")`, `person:putin`
/// is `None` (unit test `discovered_ids_parse_and_display`).
pub fn parse_id(id: &str) -> Option<(Kind, &str)> {
    if let Some(key) = id.strip_prefix(PERSON_PREFIX) {
        Some((Kind::Person, key))
    } else {
        id.strip_prefix(ORGANIZATION_PREFIX)
            .map(|key| (Kind::Organization, key))
    }
}

/// True when `id` names a discovered entity.
pub fn is_discovered_id(id: &str) -> bool {
    parse_id(id).is_some()
}

/// The display name of a discovered entity's key: the words separated by
/// spaces, Latin words capitalized (`john-smith` → `John Smith`; unit
/// test `discovered_ids_parse_and_display`).
pub fn display_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (i, word) in key.split('-').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if first.is_lowercase() {
                out.extend(first.to_uppercase());
            } else {
                out.push(first);
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// For each id of `ids` (discovered entities), the others that may name
/// the same entity: same type, and a key one edit (a letter added,
/// dropped or changed) from its own, or the same once the word breaks are
/// dropped (`شي-جين-بينج` / `شي-جين-بينغ`, `عبد-الله-x` / `عبدالله-x`).
/// Only keys that share their first or their last word are compared.
pub fn similar_ids(ids: &[&str]) -> Vec<Vec<String>> {
    // What a comparison reads, made once an id rather than once a pair
    // (a group holds up to 200 ids): the key without its word breaks, and
    // its letters.
    struct Key<'a> {
        kind: Kind,
        key: &'a str,
        joined: std::borrow::Cow<'a, str>,
        letters: Vec<char>,
    }
    let keys: Vec<Option<Key>> = ids
        .iter()
        .map(|id| {
            parse_id(id).map(|(kind, key)| Key {
                kind,
                key,
                joined: if key.contains('-') {
                    key.replace('-', "").into()
                } else {
                    key.into()
                },
                letters: key.chars().collect(),
            })
        })
        .collect();
    let mut groups: FxHashMap<(Kind, &str, bool), Vec<usize>> = FxHashMap::default();
    for (i, k) in keys.iter().enumerate() {
        if let Some(Key { kind, key, .. }) = *k {
            let first = key.split('-').next().unwrap_or(key);
            let last = key.rsplit('-').next().unwrap_or(key);
            groups.entry((kind, first, true)).or_default().push(i);
            groups.entry((kind, last, false)).or_default().push(i);
        }
    }
    let mut out: Vec<Vec<String>> = vec![Vec::new(); ids.len()];
    for members in groups.values() {
        if members.len() > 200 {
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                let (Some(ka), Some(kb)) = (&keys[a], &keys[b]) else {
                    continue;
                };
                if ka.joined == kb.joined || one_edit_letters(&ka.letters, &kb.letters) {
                    out[a].push(ids[b].to_string());
                    out[b].push(ids[a].to_string());
                }
            }
        }
    }
    for v in &mut out {
        v.sort();
        v.dedup();
    }
    out
}

/// True when `a` and `b` differ by exactly one letter added, dropped or
/// changed.
#[cfg(test)]
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit_letters(&a, &b)
}

/// [`one_edit`] of two words' letters: the fuzzy rule's edit
/// ([`crate::matcher::fuzzy::one_edit`]) other than two letters swapped.
fn one_edit_letters(a: &[char], b: &[char]) -> bool {
    use crate::matcher::fuzzy::{Edit, one_edit};
    one_edit(a, b).is_some_and(|e| !matches!(e, Edit::Transposition(_)))
}

/// What a gazetteer mention is, for the rules that read around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cover {
    /// A demonym (الفرنسي, French).
    Demonym,
    /// A country, city or region.
    Place,
    /// An organization.
    Organization,
    /// A person or another type.
    Other,
}

/// A gazetteer mention as discovery sees it: its bytes in the original
/// text (prefix included) and what it is.
#[derive(Clone, Debug)]
pub(crate) struct Covered {
    pub span: Range<usize>,
    pub cover: Cover,
}

/// A discovered mention, in bytes of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Discovered {
    pub span: Range<usize>,
    pub prefix: Range<usize>,
    pub kind: Kind,
    /// The key of the entity's id (see the module docs).
    pub key: String,
    /// `true` for `discovered-weak` (a propagated short form).
    pub weak: bool,
    pub rule: Rule,
}

/// What separates a token from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gap {
    /// Spaces only (or nothing).
    Space,
    /// A full stop and spaces (initials, abbreviations).
    Period,
    /// An apostrophe (O'Brien).
    Apostrophe,
    /// A comma and spaces.
    Comma,
    /// Other punctuation (brackets, dashes, quotes, colons): a name does
    /// not go on across it, a sentence does.
    Punct,
    /// A line break, an end of sentence (. ! ? and the like, but a lone
    /// full stop is `Period`), or the start of the text.
    Break,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Arabic,
    Latin,
    Digit,
    Other,
}

/// A word of the normalized text, with what the rules need to know.
#[derive(Clone, Debug)]
struct Token {
    /// Bytes in the normalized text.
    n: Range<usize>,
    /// Bytes in the original text.
    o: Range<usize>,
    gap: Gap,
    script: Script,
    /// The first letter is a capital (Latin).
    cap: bool,
    /// Every letter is a capital and there are at least two.
    upper: bool,
    /// The gazetteer mention it touches, if any.
    cover: Option<Cover>,
    /// Bytes of an Arabic proclitic prefix (normalized) before the base.
    pre: u8,
    /// The base is written with the article after a ل prefix (للرئيس).
    lam_article: bool,
    /// Classes of the word (or of its base after `pre`) when it is a
    /// word of [`PREFIXED_CLASSES`]; 0 otherwise, which says nothing of
    /// its other classes (see [`Run::bits`]).
    trig: u32,
    /// Every class of the word, once looked up ([`NOT_LOOKED_UP`] before).
    full: std::cell::Cell<u32>,
    /// The most words a lexicon phrase starting here has (0, 1: none).
    phrase: u8,
    /// The sentence starts here (Latin capital rules).
    sentence_start: bool,
    /// Already part of a discovered mention.
    used: bool,
}

/// Arabic proclitic prefixes tried before a lexicon form, longest first
/// (normalized; ال is never stripped: titles and roles are listed with it);
/// the lists by first letter that `classify` reads are checked against it.
#[cfg(test)]
const PROCLITICS: &[&str] = &[
    "وبال", "وال", "بال", "فال", "ولل", "فلل", "لل", "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب",
    "ل", "ك",
];

/// The one-letter proclitics (و، ف، ب، ل، ك), the first letter of every
/// proclitic prefix. As a `char` pattern, `starts_with` and `strip_prefix`
/// test the word's first letter, never calling `memcmp`.
const ONE_LETTER_PROCLITICS: [char; 5] = ['و', 'ف', 'ب', 'ل', 'ك'];

/// The proclitic prefixes that start with و, longest first, tried in this
/// order before a lexicon form (و/ف, then ب/ك/ل, then ال; ل + ال is لل).
const PROCLITICS_WAW: [&str; 7] = ["وبال", "وال", "ولل", "وب", "ول", "وك", "و"];
/// The proclitic prefixes that start with ف, in the same order.
const PROCLITICS_FA: [&str; 5] = ["فال", "فلل", "فب", "فل", "ف"];

/// The bytes of `p` (at most eight) as a little-endian number.
const fn le_bytes(p: &str) -> u64 {
    let b = p.as_bytes();
    let mut v = 0;
    let mut i = 0;
    while i < b.len() {
        v |= (b[i] as u64) << (8 * i);
        i += 1;
    }
    v
}

/// Each prefix with its [`le_bytes`] and the [`low_bytes`] of its length.
const fn keyed<const N: usize>(ps: [&'static str; N]) -> [Proclitic; N] {
    let mut out = [("", 0, 0); N];
    let mut i = 0;
    while i < N {
        out[i] = (ps[i], le_bytes(ps[i]), low_bytes(ps[i].len()));
        i += 1;
    }
    out
}

/// A proclitic prefix, its [`le_bytes`] and its mask.
type Proclitic = (&'static str, u64, u64);

/// The proclitic prefixes [`Discoverer::classify`] tries, by the two
/// bytes of the word's first letter (و، ف، ب، ل، ك), in their order.
const PROCLITICS_BY_LETTER: [(u64, &[Proclitic]); 5] = {
    const WAW: [Proclitic; 7] = keyed(PROCLITICS_WAW);
    const FA: [Proclitic; 5] = keyed(PROCLITICS_FA);
    const BA: [Proclitic; 2] = keyed(["بال", "ب"]);
    const LAM: [Proclitic; 2] = keyed(["لل", "ل"]);
    const KAF: [Proclitic; 1] = keyed(["ك"]);
    [
        (le_bytes("و"), &WAW),
        (le_bytes("ف"), &FA),
        (le_bytes("ب"), &BA),
        (le_bytes("ل"), &LAM),
        (le_bytes("ك"), &KAF),
    ]
};

/// What [`Discoverer::rule_phase`] finds in a piece of a document.
#[derive(Debug)]
pub(crate) struct RulePhase {
    /// The mentions, in the order the rules found them.
    pub found: Vec<Discovered>,
    /// For each of them, the tokens it used (which propagation skips).
    pub used: Vec<Range<usize>>,
    /// The token the rules would go on from (a mention found near the
    /// end of the piece may use tokens after it).
    pub stop: usize,
    /// The number of tokens before the end of the piece.
    pub tokens: usize,
}

/// The words that name an entity discovered elsewhere in the document
/// (see [`Discoverer::propagation`]): each maps to the key of the one
/// entity it names, or `None` when it would name several.
#[derive(Debug, Default)]
pub(crate) struct Propagation {
    /// The last words of people discovered with two or more words.
    by_last: FxHashMap<String, Option<String>>,
    /// The acronyms of organizations discovered by `en-org`.
    by_acronym: FxHashMap<String, Option<String>>,
}

/// Records that `word` names the entity `key`, or nothing if it already
/// names another.
fn only_one(map: &mut FxHashMap<String, Option<String>>, word: &str, key: &str) {
    match map.get_mut(word) {
        Some(e) => {
            if e.as_deref().is_some_and(|prev| prev != key) {
                *e = None;
            }
        }
        None => {
            map.insert(word.to_string(), Some(key.to_string()));
        }
    }
}

/// The acronym of an organization discovered in the document, alone in
/// capitals (Acme Widgets Inc ... AWI), is the same organization: the
/// first letters of its words but `of`, `and`, `the` and a last designator
/// (Inc, Corp, Ltd), at least three.
fn acronyms(found: &[Discovered]) -> FxHashMap<String, Option<String>> {
    let mut by_acronym = FxHashMap::default();
    for found in found {
        if found.kind != Kind::Organization || found.rule != Rule::EnOrg {
            continue;
        }
        let mut words: Vec<&str> = found
            .key
            .split('-')
            .filter(|w| !matches!(*w, "of" | "and" | "the" | "for"))
            .collect();
        let suffix = |w: &str| {
            matches!(
                w,
                "inc" | "corp" | "co" | "ltd" | "llc" | "plc" | "ag" | "sa" | "nv"
            )
        };
        if words.last().is_some_and(|w| suffix(w)) {
            words.pop();
        }
        if words.len() < 3 || !words.iter().all(|w| w.is_ascii()) {
            continue;
        }
        let acronym: String = words.iter().filter_map(|w| w.chars().next()).collect();
        only_one(&mut by_acronym, &acronym, &found.key);
    }
    by_acronym
}

/// One-word names found by a title (Mr. Smith) whose word is the last
/// word of a person discovered with more: the same person.
pub(crate) fn rekey(found: &mut [Discovered], prop: &Propagation) {
    for f in found {
        if f.kind != Kind::Person || f.key.contains('-') {
            continue;
        }
        if let Some(Some(full)) = prop.by_last.get(&f.key) {
            f.key = full.clone();
            f.weak = true;
        }
    }
}

/// The discovery stage: the lexicon and how much to discover.
#[derive(Debug, Clone)]
pub struct Discoverer {
    lexicon: Lexicon,
    index: WordIndex,
    mode: Discovery,
}

impl Discoverer {
    /// A discoverer with this lexicon and mode.
    pub fn new(lexicon: Lexicon, mode: Discovery) -> Discoverer {
        let index = if mode == Discovery::Off {
            WordIndex::default()
        } else {
            WordIndex::new(&lexicon)
        };
        Discoverer {
            lexicon,
            index,
            mode,
        }
    }

    /// The mode.
    pub fn mode(&self) -> Discovery {
        self.mode
    }

    /// The discovered mentions of a text, in text order, given the
    /// gazetteer mentions (sorted by start, not overlapping).
    ///
    /// A long document may also be read in pieces, with the same result
    /// (see `crate::pipeline`): [`Discoverer::rule_phase`] on each piece,
    /// with some text after it, then [`Discoverer::propagation`] from what
    /// every piece found, then [`Discoverer::propagate`] on each piece, and
    /// [`Discoverer::finish`].
    pub(crate) fn discover(
        &self,
        text: &str,
        norm: &Normalized,
        covered: &[Covered],
    ) -> Vec<Discovered> {
        if self.mode == Discovery::Off {
            return Vec::new();
        }
        let mut tokens = self.tokens(text, norm, covered);
        let mut run = self.run(text, norm);
        run.rules(&mut tokens, 0, usize::MAX);
        let prop = self.propagation(&run.found);
        rekey(&mut run.found, &prop);
        run.propagate(&mut tokens, &prop);
        self.finish(run.found)
    }

    /// The rule phase of a piece of a document: the mentions that the
    /// rules find starting at token `from` of `text` (the piece and some
    /// text after it, which the rules may read) and before byte `until`.
    pub(crate) fn rule_phase(
        &self,
        text: &str,
        norm: &Normalized,
        covered: &[Covered],
        from: usize,
        until: usize,
    ) -> RulePhase {
        let mut tokens = self.tokens(text, norm, covered);
        let mut run = self.run(text, norm);
        let stop = run.rules(&mut tokens, from, until);
        RulePhase {
            found: run.found,
            used: run.used,
            stop,
            tokens: tokens.partition_point(|t| t.o.start < until),
        }
    }

    /// What the mentions the rules found in a whole document (in text
    /// order) say about the rest of it: the surnames and acronyms that
    /// name the same entity elsewhere.
    pub(crate) fn propagation(&self, found: &[Discovered]) -> Propagation {
        let lex = &self.lexicon;
        let mut by_last: FxHashMap<String, Option<String>> = FxHashMap::default();
        for found in found {
            if found.kind != Kind::Person || !found.key.contains('-') {
                continue;
            }
            let last = found.key.rsplit('-').next().unwrap_or("");
            let bits = lex.classes(last);
            let letters = last.chars().count();
            let never =
                class::GIVEN | class::GIVEN_WEAK | class::STOP | class::KIN | class::REPORT_VERB;
            // A common word is no surname, but for a rare nisba (see
            // RARE_NISBA) or a listed name word.
            let common = bits & class::COMMON != 0
                && bits & class::NAME_WORD == 0
                && !(last.starts_with("ال")
                    && last.ends_with('ي')
                    && lex.count(last).is_some_and(|n| n < RARE_NISBA));
            if letters < 3
                || bits & never != 0
                || common
                || NOT_ALONE.contains(&last)
                || ORDINALS.contains(&last)
            {
                continue;
            }
            only_one(&mut by_last, last, &found.key);
        }
        Propagation {
            by_last,
            by_acronym: acronyms(found),
        }
    }

    /// The propagated mentions of a piece of a document (or of all of
    /// it): the words of `text` that `prop` names, but the tokens the
    /// rule phase used (`used`, token ranges of `text` in text order, read
    /// up to the first that starts after the last token); and the number
    /// of tokens of `text`.
    pub(crate) fn propagate(
        &self,
        text: &str,
        norm: &Normalized,
        covered: &[Covered],
        used: impl Iterator<Item = Range<usize>>,
        prop: &Propagation,
    ) -> (Vec<Discovered>, usize) {
        let mut tokens = self.tokens(text, norm, covered);
        for range in used {
            if range.start >= tokens.len() {
                break;
            }
            let end = range.end.min(tokens.len());
            for t in &mut tokens[range.start..end] {
                t.used = true;
            }
        }
        let mut run = self.run(text, norm);
        run.propagate(&mut tokens, prop);
        (run.found, tokens.len())
    }

    /// The last step: short forms marked weak, rejected names dropped,
    /// the mentions sorted by start.
    pub(crate) fn finish(&self, mut found: Vec<Discovered>) -> Vec<Discovered> {
        // A given name alone (السيد محمد, Dr. John) says that a person is
        // meant, not which one: reported as a short form
        // (`discovered-weak`), and `alam review` never proposes it.
        let given = class::GIVEN | class::GIVEN_WEAK;
        for d in &mut found {
            // عبد and a word (عبد الرحمن) is a given name too.
            let one_given = !d.key.contains('-') && self.lexicon.classes(&d.key) & given != 0;
            let abd = d
                .key
                .strip_prefix("عبد-")
                .is_some_and(|rest| !rest.contains('-'));
            if d.kind == Kind::Person && (one_given || abd) {
                d.weak = true;
            }
        }
        found.retain(|d| !self.lexicon.is_rejected(&d.key.replace('-', " ")));
        found.sort_by_key(|d| d.span.start);
        found
    }

    fn run<'a>(&'a self, text: &'a str, norm: &'a Normalized) -> Run<'a> {
        Run {
            lex: &self.lexicon,
            high: self.mode == Discovery::High,
            text,
            norm,
            found: Vec::new(),
            used: Vec::new(),
        }
    }

    /// The words of the normalized text, with their gaps, scripts,
    /// capitals, cover and classes.
    fn tokens(&self, text: &str, norm: &Normalized, covered: &[Covered]) -> Vec<Token> {
        let ntext = norm.as_str();
        let mut offsets = norm.cursor();
        // The words: runs of word characters, found with a bit per byte
        // (the matcher's scan), not a character at a time; counted first,
        // so that the records are never moved to a larger vector.
        let words = norm.word_bits();
        let mut tokens: Vec<Token> = Vec::with_capacity(words.word_count());
        let mut cov = 0;
        let mut prev_end = 0;
        for n in words.ranges() {
            let o = offsets.original_range(n.clone());
            let gap = gap_between(&text[prev_end.min(o.start)..o.start], tokens.is_empty());
            prev_end = o.end;
            while cov < covered.len() && covered[cov].span.end <= o.start {
                cov += 1;
            }
            let cover = covered
                .get(cov)
                .filter(|c| c.span.start < o.end)
                .map(|c| c.cover);
            let word = &ntext[n.clone()];
            let script = script_of(word);
            let (cap, upper) = if script == Script::Latin {
                capitals(&text[o.clone()])
            } else {
                (false, false)
            };
            let sentence_start = matches!(gap, Gap::Break)
                || (gap == Gap::Period && tokens.last().is_some_and(|t| (t.n.end - t.n.start) > 1));
            let mut t = Token {
                n,
                o,
                gap,
                script,
                cap,
                upper,
                cover,
                pre: 0,
                lam_article: false,
                trig: 0,
                full: std::cell::Cell::new(NOT_LOOKED_UP),
                phrase: 0,
                sentence_start,
                used: false,
            };
            if cover.is_none() {
                self.classify(&mut t, word);
            }
            tokens.push(t);
        }
        tokens
    }

    /// Looks the token up among the words of [`PREFIXED_CLASSES`], as
    /// written and, for Arabic, after a proclitic prefix; its other
    /// classes are looked up when a rule asks ([`Run::bits`]).
    fn classify(&self, t: &mut Token, word: &str) {
        if let Some(e) = self.index.trigger(word) {
            t.trig = e.bits;
            t.phrase = e.phrase;
            t.full.set(e.bits);
            return;
        }
        if t.script == Script::Arabic {
            self.classify_prefixed(t, word);
        }
    }

    /// [`Discoverer::classify`] of an Arabic word that is no trigger as
    /// written: the reading after a proclitic prefix. (Not inlined: the
    /// loop over the words of other scripts is smaller without it.)
    #[inline(never)]
    fn classify_prefixed(&self, t: &mut Token, word: &str) {
        // The prefixes are compared as numbers: the word's first eight
        // bytes, masked to a prefix's length (see `first_eight`).
        let w = word.as_bytes();
        let [a, b, ..] = *w else {
            return;
        };
        let letter = u64::from(a) | u64::from(b) << 8;
        let Some(&(_, candidates)) = PROCLITICS_BY_LETTER.iter().find(|&&(l, _)| l == letter)
        else {
            return;
        };
        let head = first_eight(w);
        for &(p, key, mask) in candidates {
            if head & mask != key {
                continue;
            }
            let rest = &word[p.len()..];
            if rest.chars().nth(1).is_none() {
                continue;
            }
            // ل + ال is written لل: the base is ال + the rest.
            let lam = p.ends_with("لل");
            let base = if lam {
                self.index.trigger_after_article(rest)
            } else {
                self.index.trigger(rest)
            };
            let Some(base) = base else {
                continue;
            };
            // A full-word reading wins, unless the word is only a common
            // word and the base a trigger (وقال، والرئيس).
            let own = self.lexicon.classes(word);
            if own != 0 && !(own == class::COMMON && base.bits & TRIGGERS != 0) {
                t.full.set(own);
                return;
            }
            t.trig = base.bits;
            t.full.set(base.bits);
            t.phrase = base.phrase;
            // At most eight bytes (see `first_eight`).
            t.pre = (p.len() - if lam { "ل".len() } else { 0 }) as u8;
            t.lam_article = lam;
            return;
        }
    }
}

/// The classes that make a word, or a lexicon phrase, the head of a rule
/// ([`Run::trigger`]).
const TRIGGER_HEADS: u32 = class::TITLE | class::ROLE | class::ORG_HEAD | class::ORG_HEAD_IN;

/// [`Token::full`] before the lookup.
const NOT_LOOKED_UP: u32 = u32::MAX;

/// Classes a word may have after an Arabic proclitic prefix for the rules
/// to see it there (ومحمد، والرئيس، للسيد، بشركة، وأبو).
const PREFIXED_CLASSES: u32 = TRIGGERS | class::GIVEN_WEAK | class::KIN;

/// Classes that start a rule, and win over a common-word reading of the
/// whole word.
const TRIGGERS: u32 = class::TITLE
    | class::ROLE
    | class::ORG_HEAD
    | class::ORG_HEAD_IN
    | class::REPORT_VERB
    | class::GIVEN;

/// What a lookup tells of a word: its classes, and the most words a
/// lexicon phrase starting with it has (0 or 1: none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct WordEntry {
    bits: u32,
    phrase: u8,
}

/// The lexicon's words of [`PREFIXED_CLASSES`] and first words of its
/// phrases (the rules' triggers), keyed by 64-bit fingerprints of the
/// words, not the words: every word of a text is looked up here, and a
/// lookup reads one bucket and no key string (following the key pointers
/// was a cache miss per word of text, most of discovery's time); the table
/// is small and stays in cache. The other words the rules look at are
/// looked up in the lexicon itself ([`Lexicon::classes`]). Two words share
/// a fingerprint with a probability of about 2^-64 per pair.
#[derive(Debug, Clone, Default)]
struct WordIndex {
    prefixed: FxHashMap<u64, WordEntry>,
    /// A 2^[`SHAPE_BITS`]-bit set of the [`shape_bit`]s of the keys of `prefixed`:
    /// a word whose bit is clear is none of them, and most words of a text
    /// are refused by it before they are hashed.
    prefixed_shapes: Vec<u64>,
}

/// The bit of a word in [`WordIndex::prefixed_shapes`]: a hash of its
/// first four bytes (`head`, fewer and zero-padded for a shorter word),
/// its last two (`tail`) and its length in bytes, which are read without
/// going over the word.
fn shape_bit(head: u32, tail: u32, len: usize) -> usize {
    let h = head.wrapping_mul(0x9E37_79B1)
        ^ tail.wrapping_mul(0x85EB_CA6B)
        ^ (len as u32).wrapping_mul(0xC2B2_AE35);
    (h >> (32 - SHAPE_BITS)) as usize
}

/// `log2` of the size of [`WordIndex::prefixed_shapes`]: 2^18 bits (32
/// KB) for the about 12,500 words of the default lexicon, a twentieth of
/// them set.
const SHAPE_BITS: u32 = 18;

/// The first four bytes of `w`, the first in the low byte (zero-padded).
fn head_of(w: &[u8]) -> u32 {
    match w.first_chunk::<4>() {
        Some(b) => u32::from_le_bytes(*b),
        None => w
            .iter()
            .enumerate()
            .fold(0, |h, (i, &b)| h | u32::from(b) << (8 * i)),
    }
}

/// The last two bytes of `w`, the last in the low byte.
fn tail_of(w: &[u8]) -> u32 {
    match w {
        [.., a, b] => u32::from(*b) | u32::from(*a) << 8,
        [b] => u32::from(*b),
        [] => 0,
    }
}

/// [`shape_bit`] of a word.
fn word_shape(w: &str) -> usize {
    shape_bit(head_of(w.as_bytes()), tail_of(w.as_bytes()), w.len())
}

/// The article ال, whose four bytes are the head of any word after it.
const ARTICLE: &str = "ال";

/// [`shape_bit`] of ال + `rest`, for a `rest` of two bytes or more.
fn shape_after_article(rest: &str) -> usize {
    shape_bit(
        head_of(ARTICLE.as_bytes()),
        tail_of(rest.as_bytes()),
        ARTICLE.len() + rest.len(),
    )
}

/// FNV-1a over the bytes of `parts` in order (so a word and the same word
/// in pieces hash alike), then a final mix.
fn fingerprint(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

impl WordIndex {
    fn new(lexicon: &Lexicon) -> WordIndex {
        // Reserved once: growing it by rehashing touched twice the pages.
        let mut prefixed: FxHashMap<u64, WordEntry> = FxHashMap::with_capacity_and_hasher(
            lexicon.count_words_with(PREFIXED_CLASSES) + lexicon.phrase_start_count(),
            Default::default(),
        );
        let mut prefixed_shapes = vec![0u64; (1 << SHAPE_BITS) / 64];
        let mut add = |w: &str, bits: u32| {
            let entry = WordEntry {
                bits,
                phrase: lexicon.longest_phrase_from(w).min(255) as u8,
            };
            prefixed.insert(fingerprint(&[w]), entry);
            let bit = word_shape(w);
            prefixed_shapes[bit / 64] |= 1 << (bit % 64);
        };
        for (w, bits) in lexicon.words_with(PREFIXED_CLASSES) {
            add(w, bits);
        }
        // First words of phrases (وزير الخارجية، Prime Minister) too.
        for (w, _) in lexicon.phrase_starts() {
            add(w, lexicon.classes(w));
        }
        WordIndex {
            prefixed,
            prefixed_shapes,
        }
    }

    /// The classes of `word` if it is a word of [`PREFIXED_CLASSES`] (a
    /// small table, which stays in cache).
    fn trigger(&self, word: &str) -> Option<WordEntry> {
        if !self.may_be_prefixed(word_shape(word)) {
            return None;
        }
        self.prefixed.get(&fingerprint(&[word])).copied()
    }

    /// [`WordIndex::trigger`] of ال + `rest` (the base of لل + `rest`), for
    /// a `rest` of two bytes or more.
    fn trigger_after_article(&self, rest: &str) -> Option<WordEntry> {
        if !self.may_be_prefixed(shape_after_article(rest)) {
            return None;
        }
        self.prefixed.get(&fingerprint(&[ARTICLE, rest])).copied()
    }

    /// Whether a word of this [`shape_bit`] may be a key of `prefixed`.
    fn may_be_prefixed(&self, shape: usize) -> bool {
        self.prefixed_shapes
            .get(shape / 64)
            .is_some_and(|w| w >> (shape % 64) & 1 != 0)
    }
}

/// The script of a word, by its first character: a digit, an Arabic
/// letter (the Arabic blocks), a Latin letter (below U+0250), or other.
/// Read from the first byte for ASCII and the lead bytes of U+0600–U+06FF,
/// the characters of nearly every word.
fn script_of(word: &str) -> Script {
    match word.as_bytes().first() {
        Some(b'0'..=b'9') => return Script::Digit,
        Some(b) if b.is_ascii_alphabetic() => return Script::Latin,
        Some(b) if b.is_ascii() => return Script::Other,
        Some(0xD8..=0xDB) => return Script::Arabic,
        _ => {}
    }
    // Not ASCII (so no digit), or empty.
    match word.chars().next() {
        Some(c) if is_arabic_block(c) => Script::Arabic,
        Some(c) if c.is_alphabetic() && (c as u32) < 0x0250 => Script::Latin,
        _ => Script::Other,
    }
}

/// Whether a Latin word as written starts with a capital, and whether it
/// is all capitals: two letters or more and no small letter (NATO, UN,
/// not A). One pass, which ends at the first small letter (of the bytes,
/// for an ASCII word).
fn capitals(orig: &str) -> (bool, bool) {
    if let [first, rest @ ..] = orig.as_bytes()
        && first.is_ascii()
    {
        if !first.is_ascii_uppercase() {
            return (false, false);
        }
        let mut letters = 1;
        for b in rest {
            if !b.is_ascii() {
                return capitals_of_chars(orig);
            }
            if b.is_ascii_lowercase() {
                return (true, false);
            }
            letters += usize::from(b.is_ascii_alphabetic());
        }
        return (true, letters > 1);
    }
    capitals_of_chars(orig)
}

/// [`capitals`], a character at a time.
fn capitals_of_chars(orig: &str) -> (bool, bool) {
    let mut chars = orig.chars();
    let Some(first) = chars.next().filter(|c| c.is_uppercase()) else {
        return (false, false);
    };
    let mut letters = usize::from(first.is_alphabetic());
    for c in chars {
        if c.is_lowercase() {
            return (true, false);
        }
        letters += usize::from(c.is_alphabetic());
    }
    (true, letters > 1)
}

/// What the original text between two words says about them.
fn gap_between(between: &str, first: bool) -> Gap {
    if first {
        return Gap::Break;
    }
    // One space: by its byte, not a call to `memcmp`.
    if let [b' '] = between.as_bytes() {
        return Gap::Space;
    }
    let (mut period, mut comma, mut apostrophe, mut other, mut space) = (0, 0, 0, 0, false);
    for c in between.chars() {
        match c {
            '\n' | '\r' | '!' | '?' | '؟' | '…' | ';' | '؛' => return Gap::Break,
            c if c.is_whitespace() => space = true,
            // Deleted by normalization inside words: not a boundary.
            '\u{200B}'..='\u{200F}' | '\u{0640}' | '\u{FEFF}' | '\u{2060}' => {}
            // Harakat kept in the original after a word.
            c if unicode_normalization::char::is_combining_mark(c) => {}
            '.' => period += 1,
            ',' | '،' => comma += 1,
            '\'' | '\u{2019}' => apostrophe += 1,
            _ => other += 1,
        }
    }
    match (period, comma, apostrophe, other) {
        (0, 0, 0, 0) => Gap::Space,
        (1, 0, 0, 0) => Gap::Period,
        (0, 1, 0, 0) => Gap::Comma,
        (0, 0, 1, 0) if !space => Gap::Apostrophe,
        // A hyphen inside a name (Jean-Pierre, Galvez-Lopez).
        (0, 0, 0, 1) if !space && between == "-" => Gap::Space,
        (0, _, _, _) => Gap::Punct,
        // A full stop and a quote or a bracket: a sentence ends.
        _ => Gap::Break,
    }
}

/// How good a piece of evidence a name word is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// A common word (Latin, capitalized): a surname only after a given name.
    Common,
    /// A word no list knows.
    Unknown,
    /// A listed given name or name word.
    Listed,
}

/// A name read from some token on: where it ends and what its words are.
#[derive(Clone, Debug, Default)]
struct Name {
    /// Token index after the last token of the name.
    end: usize,
    /// Name units (a particle and the word it joins count as one).
    units: usize,
    /// Units that are listed names.
    listed: usize,
    /// Units that are common words.
    common: usize,
    /// The first unit's strength.
    first: Option<Strength>,
}

/// The most kin words (ابن, أبو) or particles (de, van) in a row inside a
/// name; a longer run is not a name.
const MAX_PARTICLES: usize = 4;

/// Second words of compound names (عبد الله، نور الدين), never a name
/// alone.
const NOT_ALONE: &[&str] = &["الله", "الدين", "الاسلام", "الرحمن", "الرحيم", "العزيز"];

/// Regnal numbers (normalized), a name's last word after a given name.
const ORDINALS: &[&str] = &[
    "الاول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
];

/// A common word with the article ending in ي seen fewer times than this
/// in the corpus may be a family name after a given name.
const RARE_NISBA: u64 = 150;

/// At most this many units in a name.
const MAX_UNITS: usize = 4;

/// One document's discovery.
struct Run<'a> {
    lex: &'a Lexicon,
    high: bool,
    text: &'a str,
    norm: &'a Normalized,
    found: Vec<Discovered>,
    /// The tokens of each mention the rules found.
    used: Vec<Range<usize>>,
}

impl Run<'_> {
    /// Every class of a token's word (of its base after a proclitic
    /// prefix, when the prefix reading was taken), looked up once.
    fn bits(&self, t: &Token) -> u32 {
        let known = t.full.get();
        if known != NOT_LOOKED_UP {
            return known;
        }
        let bits = self.lex.classes(self.full(t));
        t.full.set(bits);
        bits
    }

    /// The normalized token without its proclitic prefix.
    fn base<'t>(&'t self, t: &Token) -> &'t str {
        &self.norm.as_str()[t.n.start + usize::from(t.pre)..t.n.end]
    }

    /// The normalized token as written.
    fn full<'t>(&'t self, t: &Token) -> &'t str {
        &self.norm.as_str()[t.n.clone()]
    }

    fn free(t: &Token) -> bool {
        t.cover.is_none() && !t.used
    }

    /// Runs the rule phases left to right from token `from` to the first
    /// token at or after byte `until`; a token takes part in one mention
    /// at most. Returns the token it would go on from.
    ///
    /// Whether a mention starts at a token depends only on the tokens
    /// (never on the mentions found before: those end before it), so the
    /// phase can stop at any token and go on from there.
    fn rules(&mut self, toks: &mut [Token], from: usize, until: usize) -> usize {
        let mut i = from;
        while i < toks.len() && toks[i].o.start < until {
            let t = &toks[i];
            if !Self::free(t) {
                i += 1;
                continue;
            }
            // Most Arabic words start nothing: not a trigger, not after a
            // demonym, no role two to four words on (see arabic_at).
            if t.script == Script::Arabic
                && t.trig == 0
                && t.phrase <= 1
                && (i == 0 || toks[i - 1].cover != Some(Cover::Demonym))
                && !toks
                    .iter()
                    .skip(i + 2)
                    .take(3)
                    .any(|r| r.trig & class::ROLE != 0)
            {
                i += 1;
                continue;
            }
            // Nor do most Latin words: no title, role or head phrase starts
            // at them (see `trigger`), and they are not capitalized words
            // (see english_at).
            if t.script == Script::Latin
                && t.trig & TRIGGER_HEADS == 0
                && t.phrase <= 1
                && (!t.cap || t.upper)
            {
                i += 1;
                continue;
            }
            let hit = match t.script {
                Script::Arabic => self.arabic_at(toks, i),
                Script::Latin => self.english_at(toks, i),
                _ => None,
            };
            match hit {
                Some((range, head, kind, rule)) => {
                    self.emit(toks, range.clone(), head, kind, rule);
                    i = range.end.max(i + 1);
                }
                None => i += 1,
            }
        }
        i
    }

    /// Records a discovered mention over tokens `range`; `head` is true
    /// when the first token's proclitic prefix is outside the name.
    fn emit(
        &mut self,
        toks: &mut [Token],
        range: Range<usize>,
        head: bool,
        kind: Kind,
        rule: Rule,
    ) {
        // A given name alone right before a gazetteer name (دونالد #ترمب,
        // the hashtag cut the full name) is that name's first word.
        let given = class::GIVEN | class::GIVEN_WEAK;
        if kind == Kind::Person
            && range.len() == 1
            && self.bits(&toks[range.start]) & given != 0
            && toks
                .get(range.end)
                .is_some_and(|n| n.cover == Some(Cover::Other) && n.gap != Gap::Break)
        {
            return;
        }
        let first = &toks[range.start];
        let pre = if head { usize::from(first.pre) } else { 0 };
        let base_start = first.n.start + pre;
        let start = if pre == 0 {
            first.o.start
        } else {
            self.norm.original_range(base_start..first.n.end).start
        };
        let end = toks[range.end - 1].o.end;
        let mut key = String::new();
        for (k, t) in toks[range.clone()].iter().enumerate() {
            if k > 0 {
                key.push('-');
            }
            let from = if k == 0 { base_start } else { t.n.start };
            key.push_str(&self.norm.as_str()[from..t.n.end]);
        }
        let prefix = first.o.start..start;
        self.used.push(range.clone());
        for t in &mut toks[range] {
            t.used = true;
        }
        self.found.push(Discovered {
            span: start..end,
            prefix,
            kind,
            key,
            weak: false,
            rule,
        });
    }

    /// A title, role or head phrase starting at token `i` (its base, then
    /// following words without prefixes): its classes and the token after
    /// it.
    fn trigger(&self, toks: &[Token], i: usize) -> Option<(u32, usize)> {
        let t = &toks[i];
        let mut best = (t.trig & TRIGGER_HEADS != 0).then_some((t.trig, i + 1));
        if t.phrase <= 1 {
            return best;
        }
        let mut phrase = self.base(t).to_string();
        let last = (i + t.phrase as usize).min(toks.len());
        for (k, u) in toks.iter().enumerate().take(last).skip(i + 1) {
            if !Self::free(u) || u.gap != Gap::Space || u.script != t.script {
                break;
            }
            phrase.push(' ');
            phrase.push_str(self.full(u));
            let bits = self.lex.phrase_key_classes(&phrase);
            if bits & TRIGGER_HEADS != 0 {
                best = Some((bits, k + 1));
            }
        }
        best
    }

    // ---- Arabic --------------------------------------------------------

    fn arabic_at(&self, toks: &[Token], i: usize) -> Option<(Range<usize>, bool, Kind, Rule)> {
        let t = &toks[i];
        let bits = t.trig;
        if let Some((tb, after)) = self.trigger(toks, i) {
            if tb & class::TITLE != 0
                && after < toks.len()
                && self
                    .trigger(toks, after)
                    .is_none_or(|(b, _)| b & (class::TITLE | class::ROLE) == 0)
                && let Some(name) = self.ar_name(toks, after, false)
                && (name.units >= 2
                    || name.first == Some(Strength::Listed)
                    || !looks_like_verb(self.base(&toks[after])))
            {
                return Some((after..name.end, false, Kind::Person, Rule::ArTitle));
            }
            if tb & class::ROLE != 0
                && let Some(hit) = self.ar_role(toks, after)
            {
                return Some(hit);
            }
            if tb & (class::ORG_HEAD | class::ORG_HEAD_IN) != 0
                && let Some(hit) = self.ar_org(toks, i, after, tb & class::ORG_HEAD_IN != 0)
            {
                return Some(hit);
            }
        }
        let word = self.base(t);
        // A kunya: أبو / أم + a name (أم, also "or", only before a listed
        // name).
        let kin = bits & class::KIN != 0;
        if kin && is_kunya(word) {
            let next = toks.get(i + 1)?;
            if !Self::free(next) || next.gap != Gap::Space || next.pre > 0 {
                return None;
            }
            let (_, strength) = self.ar_unit(toks, i + 1, false, false)?;
            if strength != Strength::Listed && (self.high || word == "ام") {
                return None;
            }
            let rest = self.ar_name(toks, i + 1, false)?;
            return Some((i..rest.end, true, Kind::Person, Rule::ArKin));
        }
        let prev = i.checked_sub(1).map(|k| &toks[k]);
        // A demonym used as a noun, then a name (الكندي نيستور بامبو).
        if !self.high
            && t.gap == Gap::Space
            && t.pre == 0
            && prev.is_some_and(|p| p.cover == Some(Cover::Demonym) && self.is_noun_demonym(p))
            && let Some(name) = self.ar_name(toks, i, false)
            && (name.units >= 2 || name.first == Some(Strength::Listed))
            // After a definite noun, a demonym is that noun's adjective;
            // a name can still follow in apposition (المنتخب الكندي عادل
            // الزهراني), when it starts with a listed name.
            && (!self.demonym_is_an_adjective(toks, i - 1)
                || (name.units >= 2 && name.first == Some(Strength::Listed)))
        {
            return Some((i..name.end, false, Kind::Person, Rule::ArDemonym));
        }
        // A reporting verb, then a name (وقال كريس دالتون).
        if !self.high
            && bits & class::REPORT_VERB != 0
            && toks
                .get(i + 1)
                .is_some_and(|n| n.gap == Gap::Space && n.trig & class::GIVEN_WEAK == 0)
            && let Some(name) = self.ar_name(toks, i + 1, false)
            && (name.units >= 2 || name.first == Some(Strength::Listed))
        {
            return Some((i + 1..name.end, false, Kind::Person, Rule::ArSaid));
        }
        let abd = kin && word == "عبد";
        if bits & (class::GIVEN | class::GIVEN_WEAK) == 0 && !abd {
            // Two or more unlisted words, then a role in the construct
            // state (نيستور بامبو مدير ...).
            let role_ahead = toks
                .iter()
                .skip(i + 2)
                .take(3)
                .any(|r| r.trig & class::ROLE != 0);
            if !self.high
                && t.pre == 0
                && role_ahead
                && let Some(name) = self.ar_name(toks, i, false)
                && name.units >= 2
                && name.first != Some(Strength::Listed)
                && toks.get(name.end).is_some_and(|r| {
                    Self::free(r)
                        && r.gap == Gap::Space
                        && r.pre == 0
                        && self.bits(r) & class::ROLE != 0
                        && !self.base(r).starts_with("ال")
                })
            {
                return Some((i..name.end, false, Kind::Person, Rule::ArRole));
            }
            return None;
        }
        let name = self.ar_name(toks, i, true)?;
        // عبد and a word (عبد الكريم) is a name of two words alone.
        let compound = name.units == 1 && name.end - i >= 2 && abd;
        if name.units < 2 && !compound {
            return None;
        }
        let weak_head = bits & class::GIVEN == 0 && !abd;
        // A weak given name needs a listed name word after it.
        if weak_head && name.listed < 2 {
            return None;
        }
        if self.high && name.listed < name.units {
            return None;
        }
        Some((i..name.end, true, Kind::Person, Rule::ArGiven))
    }

    /// A role's complements (common words with the article, demonyms,
    /// countries, organizations, باسم), then a name.
    fn ar_role(&self, toks: &[Token], after: usize) -> Option<(Range<usize>, bool, Kind, Rule)> {
        let mut k = after;
        let mut skipped = 0;
        while k < toks.len() && skipped < 5 {
            let t = &toks[k];
            if t.gap != Gap::Space && !(t.gap == Gap::Comma && skipped > 0) {
                break;
            }
            let complement = match t.cover {
                Some(Cover::Demonym | Cover::Place | Cover::Organization) => true,
                Some(Cover::Other) => false,
                None => {
                    let w = self.base(t);
                    t.script == Script::Arabic
                        && t.pre == 0
                        && self.bits(t) & (class::STOP | class::REPORT_VERB) == 0
                        && (self.bits(t) & class::COMMON != 0 || w == "باسم" || w == "لدي")
                }
            };
            if !complement {
                break;
            }
            k += 1;
            skipped += 1;
        }
        if k >= toks.len() || (toks[k].gap != Gap::Space && toks[k].gap != Gap::Comma) {
            return None;
        }
        // Another title or role (وزير الخارجية صاحب السمو الأمير ...): the
        // name comes after it, and the next token's rules find it.
        if self
            .trigger(toks, k)
            .is_some_and(|(b, _)| b & (class::TITLE | class::ROLE) != 0)
        {
            return None;
        }
        let name = self.ar_name(toks, k, false)?;
        let ok = name.units >= 2
            || name.first == Some(Strength::Listed)
            || (!self.high && self.lone_word_may_be_a_name(&toks[k]));
        ok.then_some((k..name.end, false, Kind::Person, Rule::ArRole))
    }

    /// An organization head at `i` (ending before `after`) and its name.
    fn ar_org(
        &self,
        toks: &[Token],
        i: usize,
        after: usize,
        head_in: bool,
    ) -> Option<(Range<usize>, bool, Kind, Rule)> {
        let mut k = after;
        let mut words = 0;
        let mut unknown = 0;
        while k < toks.len() && words < 4 {
            let t = &toks[k];
            if !Self::free(t) || t.gap != Gap::Space {
                break;
            }
            let w = self.base(t);
            let bits = self.bits(t);
            let stop = class::STOP
                | class::REPORT_VERB
                | class::TITLE
                | class::ROLE
                | class::ORG_HEAD
                | class::ORG_HEAD_IN;
            if bits & stop != 0
                || t.script == Script::Digit
                || self.full(t).contains(|c: char| c.is_ascii_digit())
            {
                break;
            }
            let ok = match t.script {
                Script::Latin => t.cap,
                // و + an adjective with the article inside a name
                // (حزب العدالة والتنمية); any other prefix ends it.
                Script::Arabic if t.pre > 0 || self.full(t).starts_with("وال") => {
                    head_in && words > 0 && self.full(t).starts_with("وال")
                }
                Script::Arabic => {
                    if bits & class::COMMON != 0 {
                        head_in && w.starts_with("ال")
                    } else {
                        self.unlisted_may_be_name(t)
                            && (w.starts_with("ال")
                                || (words == 0 && !(head_in && w.ends_with(['ي', 'ه'])))
                                || unknown == words)
                    }
                }
                _ => false,
            };
            if !ok {
                // و + word with no class: a conjunction ends the name.
                break;
            }
            if bits & class::COMMON == 0 {
                unknown += 1;
            }
            words += 1;
            k += 1;
        }
        if words == 0 || (self.high && unknown == 0) {
            return None;
        }
        // Common words only: a generic phrase (شركة النفط) unless the head
        // is part of the name and two words follow it.
        if unknown == 0 && !(head_in && words >= 2) {
            return None;
        }
        let start = if head_in { i } else { after };
        Some((start..k, head_in, Kind::Organization, Rule::ArOrg))
    }

    /// One unit of an Arabic name at token `i`: where it ends and how
    /// strong it is.
    /// `first`: the name's first unit (its gap and prefix are the
    /// caller's business); `context`: something outside the name (a
    /// title, a role, a demonym, a reporting verb) says a name follows.
    fn ar_unit(
        &self,
        toks: &[Token],
        i: usize,
        first: bool,
        context: bool,
    ) -> Option<(usize, Strength)> {
        let t = toks.get(i)?;
        if !Self::free(t) || t.script != Script::Arabic {
            return None;
        }
        if !first && (t.gap != Gap::Space || t.pre > 0) {
            return None;
        }
        let bits = self.bits(t);
        let w = self.base(t);
        // على written with ى is the preposition, never علي; no name has a
        // digit.
        if (w == "علي" && self.text[t.o.clone()].ends_with('ى'))
            || w.contains(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        if w == "عبد" || (bits & class::KIN != 0 && bits & (class::GIVEN | class::NAME_WORD) == 0)
        {
            let next = toks.get(i + 1)?;
            if !Self::free(next) || next.gap != Gap::Space || next.pre > 0 {
                return None;
            }
            if w == "عبد" {
                // عبد الله, عبد الرحمن, عبد العزيز: any word with the article.
                let nw = self.base(next);
                let ok = next.script == Script::Arabic
                    && self.bits(next) & (class::STOP | class::REPORT_VERB) == 0
                    && (nw.starts_with("ال") || self.bits(next) & class::NAME_WORD != 0);
                return ok.then_some((i + 2, Strength::Listed));
            }
            // أبو الفضل: the article and a listed name.
            let nw = self.base(next);
            if let Some(rest) = nw.strip_prefix("ال")
                && self.lex.classes(rest) & (class::GIVEN | class::NAME_WORD) != 0
            {
                return Some((i + 2, Strength::Listed));
            }
            // A run of kin words (ابن ابن ابن ...) is no name; bounding it
            // also bounds this recursion on hostile text (a run of 200,000
            // overflowed a worker's stack).
            let kin_only = |t: &Token| {
                t.script == Script::Arabic
                    && self.bits(t) & class::KIN != 0
                    && self.bits(t) & (class::GIVEN | class::NAME_WORD) == 0
            };
            if toks[i..]
                .iter()
                .take(MAX_PARTICLES + 1)
                .take_while(|t| kin_only(t))
                .count()
                > MAX_PARTICLES
            {
                return None;
            }
            let (end, _) = self.ar_unit(toks, i + 1, false, false)?;
            return Some((end, Strength::Listed));
        }
        if bits & (class::GIVEN | class::NAME_WORD) != 0 {
            return Some((i + 1, Strength::Listed));
        }
        if bits & class::GIVEN_WEAK != 0 {
            // Also a common word: a name after a title; inside a name a
            // name word, but no evidence; never a name's first word alone.
            if first && context {
                return Some((i + 1, Strength::Listed));
            }
            return (!first).then_some((i + 1, Strength::Unknown));
        }
        // After a title, a given name with the article (الإمام الحسين) is a name.
        if first
            && context
            && let Some(rest) = w.strip_prefix("ال")
            && self.lex.classes(rest) & class::GIVEN != 0
        {
            return Some((i + 1, Strength::Listed));
        }
        // A regnal number after a name (فيصل الثاني، جورج الخامس).
        if !first && ORDINALS.contains(&w) {
            return Some((i + 1, Strength::Unknown));
        }
        // A nisba with the article after a name's first word (الحسيني,
        // القحطاني): a family name, unless the corpus uses it often (then
        // it is an adjective: الإسلامي, الدولي).
        if !first
            && !self.high
            && bits & !(class::COMMON) == 0
            && w.starts_with("ال")
            && w.ends_with('ي')
            && self.lex.count(w).is_some_and(|n| n < RARE_NISBA)
        {
            return Some((i + 1, Strength::Unknown));
        }
        let never = class::STOP
            | class::COMMON
            | class::REPORT_VERB
            | class::ROLE
            | class::TITLE
            | class::ORG_HEAD
            | class::ORG_HEAD_IN
            | class::ORG_SUFFIX;
        if bits & never != 0 || self.high {
            return None;
        }
        let letters = w.chars().count();
        if !self.unlisted_may_be_name(t) {
            return None;
        }
        if let Some(rest) = w.strip_prefix("ال") {
            // An unlisted word with the article is a name only as a nisba
            // (الحسيني, القحطاني).
            return (rest.ends_with('ي') && rest.chars().count() >= 3)
                .then_some((i + 1, Strength::Unknown));
        }
        (letters >= 2).then_some((i + 1, Strength::Unknown))
    }

    /// A demonym that can stand for a person: masculine singular with the
    /// article (الفرنسي، والبرازيلي), not feminine or plural (الفرنسية
    /// is an adjective of the noun before it).
    fn is_noun_demonym(&self, t: &Token) -> bool {
        let w = self.full(t);
        let w = ["وال", "فال", "ال"]
            .iter()
            .find_map(|p| w.strip_prefix(p))
            .unwrap_or("");
        w.ends_with('ي') && !w.ends_with("يي") && w.chars().count() >= 3
    }

    /// Whether one unlisted word after a role may be a name alone (المدرب
    /// بامبو): not a verb, not a word after و or ل (وتمشيا, للقنابل)
    /// or the article (الفخري), not على.
    fn lone_word_may_be_a_name(&self, t: &Token) -> bool {
        let w = self.full(t);
        !looks_like_verb(w) && !w.starts_with(['و', 'ل']) && !w.starts_with("ال") && w != "علي"
    }

    /// A demonym right after a definite noun that is no trigger
    /// (الاقتصاد الكندي, الجيش الكندي) is that noun's adjective, not a
    /// person.
    fn demonym_is_an_adjective(&self, toks: &[Token], d: usize) -> bool {
        let Some(noun) = d.checked_sub(1).map(|k| &toks[k]) else {
            return false;
        };
        let definite = noun.script == Script::Arabic && self.full(noun).starts_with("ال");
        toks[d].gap == Gap::Space && definite && noun.cover.is_none() && noun.trig == 0
    }

    /// Whether an Arabic word no list knows may be a name: not an adverb
    /// or noun with tanween (رسمياً), not a word with a pronoun suffix
    /// (قوله، خارجيتها), not a proclitic and a listed word (بعنوان).
    fn unlisted_may_be_name(&self, t: &Token) -> bool {
        let orig = &self.text[t.o.clone()];
        if orig.contains(['\u{064B}', '\u{064C}', '\u{064D}']) {
            return false;
        }
        let letters = orig.chars().filter(|c| !is_mark(*c)).count();
        let ends = |s: &str| orig.trim_end_matches(is_mark).ends_with(s);
        if letters >= 4 && (ends("ه") || ends("ها") || ends("هم") || ends("هما") || ends("هن"))
        {
            return false;
        }
        // The accusative of a noun or an adjective (اجتماعا، متأثرا): the
        // word less its ا is a common word, or looks like a participle.
        let w = self.full(t);
        if let Some(stem) = w.strip_suffix('ا')
            && letters >= 4
        {
            let common = class::COMMON | class::STOP;
            let listed = self.lex.classes(stem) & common != 0
                || self.lex.classes(&format!("ال{stem}")) & common != 0;
            let participle = letters >= 5 && stem.starts_with('م');
            if listed || participle {
                return false;
            }
        }
        for p in ["و", "ف", "ب", "ل", "ك"] {
            if let Some(rest) = w.strip_prefix(p)
                && rest.chars().count() >= 2
                && self.lex.classes(rest) & (class::COMMON | class::STOP | class::REPORT_VERB) != 0
            {
                return false;
            }
        }
        true
    }

    /// An Arabic name from token `i`: up to [`MAX_UNITS`] units.
    fn ar_name(&self, toks: &[Token], i: usize, first_may_have_prefix: bool) -> Option<Name> {
        let mut name = Name {
            end: i,
            ..Name::default()
        };
        if let Some(t) = toks.get(i)
            && !first_may_have_prefix
            && t.pre > 0
        {
            return None;
        }
        while name.units < MAX_UNITS {
            let first = name.units == 0;
            let context = first && !first_may_have_prefix;
            let Some((end, strength)) = self.ar_unit(toks, name.end, first, context) else {
                break;
            };
            if first {
                name.first = Some(strength);
            }
            name.units += 1;
            name.listed += usize::from(strength == Strength::Listed);
            name.end = end;
        }
        (name.units > 0).then_some(name)
    }

    // ---- English -------------------------------------------------------

    fn english_at(&self, toks: &[Token], i: usize) -> Option<(Range<usize>, bool, Kind, Rule)> {
        let t = &toks[i];
        if let Some((tb, after)) = self.trigger(toks, i) {
            if tb & (class::TITLE | class::ROLE) != 0
                && let Some(name) = self.en_name(toks, after, true)
                && self.en_person_ok(toks, after, &name, false)
            {
                return Some((after..name.end, false, Kind::Person, Rule::EnTitle));
            }
            if tb & class::ORG_HEAD_IN != 0 && t.cap {
                // University of X, Bank of X.
                let of = toks.get(after)?;
                if Self::free(of) && of.gap == Gap::Space && self.full(of) == "of" && !of.cap {
                    let run = self.en_run(toks, after + 1);
                    if run > after + 1 {
                        return Some((i..run, false, Kind::Organization, Rule::EnOrg));
                    }
                }
            }
        }
        if !t.cap || t.upper {
            return None;
        }
        // A demonym used as a noun, then a name (Italian Zdravko Sabbatelli).
        if i > 0
            && toks[i - 1].cover == Some(Cover::Demonym)
            && t.gap == Gap::Space
            && !self.high
            && let Some(name) = self.en_name(toks, i, false)
            && name.common == 0
            && name.units >= 2
            && self.en_person_ok(toks, i, &name, true)
        {
            return Some((i..name.end, false, Kind::Person, Rule::EnDemonym));
        }
        // Right after a gazetteer name: a continuation of it, not a name.
        if i > 0 && toks[i - 1].cover.is_some() && t.gap == Gap::Space {
            return None;
        }
        let run = self.en_run(toks, i);
        // An organization designator ends the run.
        if let Some(p) = (i + 1..run).find(|&k| self.bits(&toks[k]) & class::ORG_SUFFIX != 0) {
            let names = &toks[i..p];
            let unknown = names
                .iter()
                .filter(|u| self.bits(u) & (class::COMMON | class::STOP) == 0)
                .count();
            if unknown > 0 || names.len() >= 2 {
                return Some((i..p + 1, false, Kind::Organization, Rule::EnOrg));
            }
            return None;
        }
        let bits = self.bits(t);
        let letters = t.n.end - t.n.start;
        // Initials and a surname (G. Thornbury, J. R. Smith).
        if letters == 1
            && toks.get(i + 1).is_some_and(|n| n.gap == Gap::Period)
            && let Some(name) = self.en_name(toks, i, false)
            && name.units >= 2
            && self.en_person_ok(toks, i, &name, false)
        {
            return Some((i..name.end, false, Kind::Person, Rule::EnInitials));
        }
        if (bits & class::GIVEN != 0 || (bits & class::GIVEN_WEAK != 0 && !t.sentence_start))
            && let Some(name) = self.en_name(toks, i, false)
            && name.units >= 2
            && self.en_person_ok(toks, i, &name, true)
        {
            return Some((i..name.end, false, Kind::Person, Rule::EnGiven));
        }
        if self.high {
            return None;
        }
        let name = self.en_name(toks, i, false)?;
        let after = toks.get(name.end);
        let before = i.checked_sub(1).map(|k| &toks[k]);
        let said_after = after.is_some_and(|a| {
            self.bits(a) & class::REPORT_VERB != 0 && matches!(a.gap, Gap::Space | Gap::Comma)
        });
        let said_before =
            before.is_some_and(|b| self.bits(b) & class::REPORT_VERB != 0 && t.gap != Gap::Break);
        if !self.en_person_ok(toks, i, &name, false) || name.units > 3 {
            return None;
        }
        let common = bits & (class::COMMON | class::STOP) != 0;
        // Next to a reporting verb: two or three words, or one that is no
        // common word (Sabbatelli recalled).
        if (said_after || said_before)
            && (name.units >= 2 && name.common == 0 || !common && name.units == 1)
        {
            return Some((i..name.end, false, Kind::Person, Rule::EnSaid));
        }
        // A country in brackets after it (Zdravko Sabbatelli ( Italy ), in
        // results and line-ups).
        if name.common == 0
            && (name.units >= 2 || !common)
            && self.country_in_brackets(toks, name.end)
        {
            return Some((i..name.end, false, Kind::Person, Rule::EnParen));
        }
        if t.sentence_start || name.units < 2 || name.common > 0 {
            return None;
        }
        // Results tables name clubs beside their scores (Brovan Velen 1
        // Kordin Dolna 2), and club names such as Le X start with a particle.
        let digit =
            |k: Option<&Token>| k.is_some_and(|u| u.script == Script::Digit && u.gap == Gap::Space);
        let after_a_score = i > 0 && toks[i - 1].script == Script::Digit && t.gap == Gap::Space;
        let before_a_score = digit(toks.get(name.end))
            && toks
                .get(name.end + 1)
                .is_some_and(|u| u.script == Script::Latin && u.cap && u.gap == Gap::Space);
        let beside_a_score = after_a_score || before_a_score;
        if beside_a_score || bits & class::KIN != 0 {
            return None;
        }
        Some((i..name.end, false, Kind::Person, Rule::EnCaps))
    }

    /// Whether tokens from `k` are `( PLACE )`: a gazetteer place right
    /// after an opening bracket, closed after it.
    fn country_in_brackets(&self, toks: &[Token], k: usize) -> bool {
        let Some(place) = toks.get(k) else {
            return false;
        };
        if place.cover != Some(Cover::Place) || k == 0 {
            return false;
        }
        // Original ranges of words made from one character (a ligature)
        // may coincide: slices are taken with get.
        let between = |a: usize, b: usize| self.text.get(a..b.max(a)).unwrap_or("");
        let before = between(toks[k - 1].o.end, place.o.start);
        let after_end = toks.get(k + 1).map_or(self.text.len(), |n| n.o.start);
        let mut j = k;
        // The place may be several words (South Africa).
        while toks
            .get(j + 1)
            .is_some_and(|n| n.cover == Some(Cover::Place) && n.gap == Gap::Space)
        {
            j += 1;
        }
        let after_end = if j > k {
            toks.get(j + 1).map_or(self.text.len(), |n| n.o.start)
        } else {
            after_end
        };
        let after = between(toks[j].o.end, after_end);
        before.trim() == "(" && after.trim_start().starts_with(')')
    }

    /// The vetoes on an English person's name: no word ends a thing
    /// named after a person (Varga Cup), no word is a town the gazetteers
    /// do not list (Metalurg Lipetsk) except the last after a listed given
    /// name (`given`), and the name does not end in an initial.
    fn en_person_ok(&self, toks: &[Token], i: usize, name: &Name, given: bool) -> bool {
        let words = &toks[i..name.end];
        let Some(last) = words.last() else {
            return false;
        };
        if self.bits(last) & class::VETO != 0 || last.n.end - last.n.start == 1 {
            return false;
        }
        let place =
            |u: &Token| self.bits(u) & class::PLACE != 0 && self.bits(u) & class::GIVEN == 0;
        let given = given || (words.len() >= 2 && self.bits(&words[0]) & class::GIVEN != 0);
        if given {
            !place(last) || self.bits(last) & class::NAME_WORD != 0
        } else {
            !words.iter().any(place)
        }
    }

    /// The end of a run of capitalized, free Latin words from `i`.
    fn en_run(&self, toks: &[Token], i: usize) -> usize {
        let mut k = i;
        while k < toks.len() && k < i + 6 {
            let t = &toks[k];
            let joined = k == i || t.gap == Gap::Space;
            if !Self::free(t) || t.script != Script::Latin || !t.cap || !joined {
                break;
            }
            k += 1;
        }
        k
    }

    /// One unit of an English name at `i`.
    fn en_unit(&self, toks: &[Token], i: usize, first: bool) -> Option<(usize, Strength)> {
        let t = toks.get(i)?;
        if !Self::free(t) || t.script != Script::Latin {
            return None;
        }
        if !first {
            let prev = &toks[i - 1];
            let initial = prev.n.end - prev.n.start == 1 && prev.cap;
            let joined = match t.gap {
                Gap::Space => true,
                Gap::Period => initial,
                Gap::Apostrophe => initial,
                _ => false,
            };
            if !joined {
                return None;
            }
        }
        let bits = self.bits(t);
        // An initial: one capital and a full stop, then more of the name.
        if t.cap
            && t.n.end - t.n.start == 1
            && toks
                .get(i + 1)
                .is_some_and(|n| n.gap == Gap::Period && n.cap)
        {
            return Some((i + 1, Strength::Listed));
        }
        // A lowercase particle (de, van, bin) joined to a capitalized word.
        if !t.cap {
            if first || bits & class::KIN == 0 {
                return None;
            }
            // As for Arabic kin words: a run of particles is no name, and
            // the recursion stays bounded.
            let particle = |t: &Token| !t.cap && self.bits(t) & class::KIN != 0;
            if toks[i..]
                .iter()
                .take(MAX_PARTICLES + 1)
                .take_while(|t| particle(t))
                .count()
                > MAX_PARTICLES
            {
                return None;
            }
            let (end, _) = self.en_unit(toks, i + 1, false)?;
            return Some((end, Strength::Listed));
        }
        if t.upper && t.n.end - t.n.start > 1 {
            return None;
        }
        let never = class::STOP
            | class::ORG_SUFFIX
            | class::REPORT_VERB
            | class::TITLE
            | class::ROLE
            | class::ORG_HEAD_IN;
        if bits & never != 0 && bits & (class::GIVEN | class::NAME_WORD) == 0 {
            return None;
        }
        let strength = if bits & (class::GIVEN | class::NAME_WORD | class::GIVEN_WEAK) != 0 {
            Strength::Listed
        } else if bits & class::COMMON != 0 {
            Strength::Common
        } else {
            Strength::Unknown
        };
        Some((i + 1, strength))
    }

    /// An English name from `i`: up to [`MAX_UNITS`] units. After a
    /// title, one unit is enough.
    fn en_name(&self, toks: &[Token], i: usize, after_title: bool) -> Option<Name> {
        let mut name = Name {
            end: i,
            ..Name::default()
        };
        if after_title {
            let t = toks.get(i)?;
            if !matches!(t.gap, Gap::Space | Gap::Period) {
                return None;
            }
        }
        while name.units < MAX_UNITS {
            let first = name.units == 0;
            let Some((end, strength)) = self.en_unit(toks, name.end, first) else {
                break;
            };
            if first {
                name.first = Some(strength);
            }
            name.units += 1;
            name.listed += usize::from(strength == Strength::Listed);
            name.common += usize::from(strength == Strength::Common);
            name.end = end;
        }
        if after_title && name.first == Some(Strength::Common) && name.units == 1 {
            return None;
        }
        (name.units > 0).then_some(name)
    }

    // ---- In-document propagation ---------------------------------------

    /// The tokens alone in capitals that are the acronym of an
    /// organization discovered in the document (see [`acronyms`]).
    fn propagate_acronyms(
        &mut self,
        toks: &mut [Token],
        by_acronym: &FxHashMap<String, Option<String>>,
    ) {
        if by_acronym.is_empty() {
            return;
        }
        for t in toks.iter_mut() {
            if !Self::free(t) || t.script != Script::Latin || !t.upper {
                continue;
            }
            let Some(Some(key)) = by_acronym.get(&self.norm.as_str()[t.n.clone()]) else {
                continue;
            };
            self.found.push(Discovered {
                span: t.o.clone(),
                prefix: t.o.start..t.o.start,
                kind: Kind::Organization,
                key: key.clone(),
                weak: true,
                rule: Rule::Propagated,
            });
            t.used = true;
        }
    }

    /// The last word of every person discovered with two or more words
    /// names that person wherever it stands alone in the document (after
    /// the acronyms of organizations, [`Run::propagate_acronyms`]); a
    /// one-word name equal to such a word is re-keyed to the full name
    /// ([`rekey`]).
    fn propagate(&mut self, toks: &mut [Token], prop: &Propagation) {
        self.propagate_acronyms(toks, &prop.by_acronym);
        let by_last = &prop.by_last;
        if by_last.is_empty() {
            return;
        }
        // The byte lengths of the surnames, mod 64: a word whose length
        // (or, for Arabic, whose length after a one-letter proclitic of
        // two bytes) is none of them is no surname, and is not hashed.
        let lengths = by_last.keys().fold(0u64, |m, k| m | 1 << (k.len() % 64));
        let may_be = |len: usize| lengths >> (len % 64) & 1 != 0;
        for i in 0..toks.len() {
            let t = &toks[i];
            if !Self::free(t) || !matches!(t.script, Script::Arabic | Script::Latin) {
                continue;
            }
            if t.script == Script::Latin && (!t.cap || t.upper) {
                continue;
            }
            let len = t.n.end - t.n.start;
            let after_proclitic = t.script == Script::Arabic && len > 2 && may_be(len - 2);
            if !(may_be(len) || after_proclitic) {
                continue;
            }
            let full = self.full(t);
            let (hit, pre) = match by_last.get(full) {
                Some(Some(key)) => (Some(key), 0),
                _ if t.script == Script::Arabic => {
                    // After و, ف, ب, ل, ك: one test of the first letter
                    // (five `strip_prefix` of a `&str` became five calls
                    // to `memcmp`, 16M instructions on 3 MB, when the
                    // compiler stopped expanding them).
                    match full
                        .strip_prefix(ONE_LETTER_PROCLITICS)
                        .map(|rest| (by_last.get(rest), full.len() - rest.len()))
                    {
                        Some((Some(Some(key)), pre)) => (Some(key), pre),
                        _ => (None, 0),
                    }
                }
                _ => (None, 0),
            };
            let Some(key) = hit else { continue };
            // A word of a longer name nearby is not a surname alone.
            let joined_after = toks.get(i + 1).is_some_and(|n| {
                n.gap == Gap::Space
                    && n.script == t.script
                    && (n.cap || n.script == Script::Arabic)
                    && Self::free(n)
                    && self.bits(n) & (class::NAME_WORD | class::GIVEN) != 0
            });
            if joined_after {
                continue;
            }
            let next_is_suffix = toks
                .get(i + 1)
                .is_some_and(|n| n.gap == Gap::Space && self.bits(n) & class::ORG_SUFFIX != 0);
            if self.bits(t) & (class::PLACE | class::VETO) != 0 || next_is_suffix {
                continue;
            }
            if t.script == Script::Latin && t.sentence_start && self.bits(t) & class::COMMON != 0 {
                continue;
            }
            let start = if pre == 0 {
                t.o.start
            } else {
                self.norm.original_range(t.n.start + pre..t.n.end).start
            };
            let key = key.clone();
            self.found.push(Discovered {
                span: start..t.o.end,
                prefix: t.o.start..start,
                kind: Kind::Person,
                key,
                weak: true,
                rule: Rule::Propagated,
            });
            toks[i].used = true;
        }
    }
}

/// An unlisted Arabic word that starts like a verb in the imperfect or
/// the future (يريد، تعيش، سيقاطع): never a one-word name.
fn looks_like_verb(word: &str) -> bool {
    word.starts_with(['ي', 'ت', 'ن']) || word.starts_with("سي") || word.starts_with("ست")
}

/// Harakat, tatweel and other marks kept in the original text.
fn is_mark(c: char) -> bool {
    ('\u{064B}'..='\u{065F}').contains(&c) || c == '\u{0670}' || c == '\u{0640}'
}

/// أبو, أبي, أبا, أم: a kunya starts with them.
fn is_kunya(word: &str) -> bool {
    matches!(word, "ابو" | "ابي" | "ابا" | "ام")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of `parse_id` and `display_name`.
    #[test]
    fn discovered_ids_parse_and_display() {
        assert_eq!(
            parse_id("person:~john-smith"),
            Some((Kind::Person, "john-smith"))
        );
        assert_eq!(parse_id("person:putin"), None);
        assert_eq!(display_name("john-smith"), "John Smith");
        assert_eq!(display_name("فيصل-المقداد"), "فيصل المقداد");
    }

    #[test]
    fn proclitics_by_first_letter_keep_the_order() {
        let by_letter = |c: char| -> Vec<&str> {
            PROCLITICS
                .iter()
                .copied()
                .filter(|p| p.starts_with(c))
                .collect()
        };
        assert_eq!(by_letter('و'), PROCLITICS_WAW);
        assert_eq!(by_letter('ف'), PROCLITICS_FA);
        let letters: Vec<char> = PROCLITICS_BY_LETTER
            .iter()
            .map(|&(letter, candidates)| {
                let c = candidates[0].0.chars().next().unwrap_or(' ');
                assert_eq!(letter, le_bytes(&c.to_string()));
                let names: Vec<&str> = candidates.iter().map(|&(p, _, _)| p).collect();
                assert_eq!(names, by_letter(c));
                for &(p, key, mask) in candidates {
                    assert_eq!((key, mask), (le_bytes(p), low_bytes(p.len())));
                }
                c
            })
            .collect();
        assert_eq!(letters, ['و', 'ف', 'ب', 'ل', 'ك']);
    }

    /// A prefix starts a word exactly when the word's [`first_eight`]
    /// bytes, masked to the prefix's length, are the prefix's: on every
    /// word of up to five letters from a small alphabet.
    #[test]
    fn prefixes_compared_as_numbers_are_starts_with() {
        let alphabet = ['و', 'ب', 'ا', 'ل', 'ف', 'ك', 'a', 'ي'];
        let mut words = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        words.sort();
        words.dedup();
        for w in &words {
            let head = first_eight(w.as_bytes());
            for p in PROCLITICS {
                assert_eq!(
                    head & low_bytes(p.len()) == le_bytes(p),
                    w.starts_with(p),
                    "{w:?} {p:?}"
                );
            }
        }
    }

    #[test]
    fn fingerprints_hash_pieces_like_the_whole() {
        assert_eq!(fingerprint(&["ال", "رئيس"]), fingerprint(&["الرئيس"]));
        assert_ne!(fingerprint(&["الرئيس"]), fingerprint(&["الرئيسه"]));
    }

    /// `capitals` as it was first written: three passes.
    fn naive_capitals(orig: &str) -> (bool, bool) {
        let cap = orig.chars().next().is_some_and(char::is_uppercase);
        let upper = cap
            && orig.chars().filter(|c| c.is_alphabetic()).count() > 1
            && !orig.chars().any(char::is_lowercase);
        (cap, upper)
    }

    /// The script by the first character, the definition `script_of`'s
    /// byte tests stand for.
    fn naive_script(word: &str) -> Script {
        let first = word.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() {
            Script::Digit
        } else if is_arabic_block(first) {
            Script::Arabic
        } else if first.is_alphabetic() && (first as u32) < 0x0250 {
            Script::Latin
        } else {
            Script::Other
        }
    }

    #[test]
    fn scripts_of_words_by_their_first_character() {
        for (word, want) in [
            ("7up", Script::Digit),
            ("Reuters", Script::Latin),
            ("école", Script::Latin),
            ("مصر", Script::Arabic),
            ("\u{0750}x", Script::Arabic),
            ("\u{08A0}", Script::Arabic),
            ("٣", Script::Arabic),
            ("_a", Script::Other),
            ("Ω", Script::Other),
            ("", Script::Other),
        ] {
            assert_eq!(script_of(word), want, "{word}");
            assert_eq!(naive_script(word), want, "{word}");
        }
        let mut word = String::new();
        for c in (0..0x3100)
            .chain(0x1_F100..0x1_F200)
            .filter_map(char::from_u32)
        {
            word.clear();
            word.push(c);
            word.push('a');
            assert_eq!(script_of(&word), naive_script(&word), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn capitals_of_words() {
        let cases = [
            ("NATO", (true, true)),
            ("Nato", (true, false)),
            ("nato", (false, false)),
            ("A", (true, false)),
            ("A1", (true, false)),
            ("UN2", (true, true)),
            ("ÉTÉ", (true, true)),
            ("McDONALD", (true, false)),
            ("", (false, false)),
            ("1A", (false, false)),
        ];
        for (word, want) in cases {
            assert_eq!(capitals(word), want, "{word}");
            assert_eq!(naive_capitals(word), want, "{word}");
        }
    }

    proptest::proptest! {
        #[test]
        fn capitals_match_the_three_pass_definition(
            word in proptest::collection::vec(
                proptest::sample::select(vec![
                    'A', 'z', 'É', 'é', '1', 'ß', 'Ⓐ', 'ⓐ', 'Ⅻ', 'ǅ', 'ا', '\u{0301}', '\u{1F130}', '-',
                ]),
                0..8,
            )
        ) {
            let word: String = word.into_iter().collect();
            proptest::prop_assert_eq!(capitals(&word), naive_capitals(&word), "{}", word);
        }
    }

    #[test]
    fn shapes_of_pieces_are_those_of_the_whole_word() {
        for rest in ["رئيس", "سيد", "xy", "ab", "وزير الخارجية", "é1"] {
            let whole = format!("ال{rest}");
            assert_eq!(shape_after_article(rest), word_shape(&whole), "{rest}");
        }
        // Words shorter than four bytes are padded, not read past.
        assert_eq!(head_of(b"ab"), u32::from(b'a') | u32::from(b'b') << 8);
        assert_eq!(tail_of(b"abc"), u32::from(b'c') | u32::from(b'b') << 8);
        assert_eq!(tail_of(b"a"), u32::from(b'a'));
        assert_ne!(word_shape("ab"), word_shape("abab"));
    }

    #[test]
    fn every_trigger_word_is_in_the_small_table_with_its_classes() {
        let lexicon = Lexicon::builtin();
        let index = WordIndex::new(&lexicon);
        let mut n = 0;
        for (w, bits) in lexicon.words() {
            if bits & PREFIXED_CLASSES != 0 {
                let e = index.trigger(w);
                assert_eq!(e.map(|e| e.bits), Some(bits), "{w}");
                n += 1;
            }
        }
        for (w, longest) in lexicon.phrase_starts() {
            // A phrase's first word: its classes as a word (if any) and
            // the length of its longest phrase.
            let e = index.trigger(w);
            assert_eq!(e.map(|e| e.bits), Some(lexicon.classes(w)), "{w}");
            assert_eq!(
                e.map(|e| usize::from(e.phrase)),
                Some(longest.min(255)),
                "{w}"
            );
        }
        assert!(n > 1000, "{n} words");
        // The filter refuses most other words: fewer than a tenth of the
        // bits are set.
        let set: u32 = index.prefixed_shapes.iter().map(|w| w.count_ones()).sum();
        assert!(set < (1 << SHAPE_BITS) / 10, "{set} bits set");
    }

    #[test]
    fn one_edit_apart() {
        for (a, b, yes) in [
            ("شي-جين-بينج", "شي-جين-بينغ", true),
            ("john-smith", "jon-smith", true),
            ("john-smith", "john-smiths", true),
            ("john-smith", "john-smith", false),
            ("john-smith", "jane-smith", false),
        ] {
            assert_eq!(one_edit(a, b), yes, "{a} {b}");
        }
        let ids = [
            "person:~شي-جين-بينج",
            "person:~شي-جين-بينغ",
            "person:~عبد-الله-صالح",
            "person:~عبدالله-صالح",
            "organization:~شي-جين-بينغ",
        ];
        let similar = similar_ids(&ids);
        assert_eq!(similar[0], ["person:~شي-جين-بينغ"]);
        assert_eq!(similar[2], ["person:~عبدالله-صالح"]);
        assert!(similar[4].is_empty());
    }

    /// [`similar_ids`] by its definition: every two ids of a type whose
    /// keys share a first or last word, are at most 200 to that word, and
    /// are the same without word breaks or at edit distance 1.
    fn naive_similar_ids(ids: &[&str]) -> Vec<Vec<String>> {
        fn distance(a: &str, b: &str) -> usize {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let mut row: Vec<usize> = (0..=b.len()).collect();
            for (i, x) in a.iter().enumerate() {
                let mut next = vec![i + 1];
                for (j, y) in b.iter().enumerate() {
                    let v = (row[j] + usize::from(x != y))
                        .min(row[j + 1] + 1)
                        .min(next[j] + 1);
                    next.push(v);
                }
                row = next;
            }
            row[b.len()]
        }
        let words = |key: &str| {
            let w: Vec<&str> = key.split('-').collect();
            (w[0].to_string(), w[w.len() - 1].to_string())
        };
        let count = |kind: Kind, word: &str, first: bool| {
            ids.iter()
                .filter_map(|id| parse_id(id))
                .filter(|&(k, key)| {
                    let (f, l) = words(key);
                    k == kind && if first { f == word } else { l == word }
                })
                .count()
        };
        let mut out = vec![Vec::new(); ids.len()];
        for (a, ida) in ids.iter().enumerate() {
            for (b, idb) in ids.iter().enumerate() {
                let (Some((kind, ka)), Some((kb_kind, kb))) = (parse_id(ida), parse_id(idb)) else {
                    continue;
                };
                if a == b || kind != kb_kind {
                    continue;
                }
                let ((fa, la), (fb, lb)) = (words(ka), words(kb));
                let shared = (fa == fb && count(kind, &fa, true) <= 200)
                    || (la == lb && count(kind, &la, false) <= 200);
                let alike = ka.replace('-', "") == kb.replace('-', "") || distance(ka, kb) == 1;
                if shared && alike {
                    out[a].push(idb.to_string());
                }
            }
        }
        for v in &mut out {
            v.sort();
            v.dedup();
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn similar_ids_are_those_of_the_definition(
            keys in proptest::collection::vec(
                (0u8..3, proptest::collection::vec(0usize..5, 1..7)),
                0..40,
            ),
        ) {
            let letters = ["a", "b", "ب", "ج", "-"];
            let ids: Vec<String> = keys
                .iter()
                .map(|(kind, key)| {
                    let key: String = key.iter().map(|&k| letters[k]).collect();
                    match kind {
                        0 => format!("person:~{key}"),
                        1 => format!("organization:~{key}"),
                        _ => format!("city:{key}"),
                    }
                })
                .collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(similar_ids(&ids), naive_similar_ids(&ids));
        }
    }

    #[test]
    fn a_group_of_more_than_200_is_not_compared() {
        let mut ids: Vec<String> = (0..200).map(|k| format!("person:~x{k}-y")).collect();
        ids.push("person:~x0-z".to_string());
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        // 200 keys end in -y (a group compared: x1-y and x10-y are one
        // edit apart); x0-y and x0-z share their first word.
        let similar = similar_ids(&refs);
        assert!(similar[1].contains(&"person:~x10-y".to_string()));
        assert!(similar[0].contains(&"person:~x0-z".to_string()));
        assert_eq!(similar, naive_similar_ids(&refs));
        ids.push("person:~x200-y".to_string());
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        // Now 201 keys end in -y: x1-y and x10-y share only that word, and
        // are not compared; x0-y and x0-z still are.
        let similar = similar_ids(&refs);
        assert!(!similar[1].contains(&"person:~x10-y".to_string()));
        assert!(similar[0].contains(&"person:~x0-z".to_string()));
        assert_eq!(similar, naive_similar_ids(&refs));
    }

    #[test]
    fn gaps() {
        for (between, gap) in [
            (" ", Gap::Space),
            ("", Gap::Space),
            ("-", Gap::Space),
            (". ", Gap::Period),
            (", ", Gap::Comma),
            ("، ", Gap::Comma),
            ("'", Gap::Apostrophe),
            (" ( ", Gap::Punct),
            (" - ", Gap::Punct),
            (".\" ", Gap::Break),
            ("\n", Gap::Break),
            ("? ", Gap::Break),
        ] {
            assert_eq!(gap_between(between, false), gap, "{between:?}");
        }
        assert_eq!(gap_between(" ", true), Gap::Break);
    }
}
