//! The pipeline: normalize, match, resolve and segment one document.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::cooccur::EntityInfo;
use crate::discover::{
    Cover, Covered, Discovered, Discoverer, Discovery, Kind, Rule, display_name, rekey,
};
use crate::error::Error;
use crate::gazetteer::{Entity, Gazetteer};
use crate::lexicon::Lexicon;
use crate::matcher::{Form, Found, Matcher, strong_entities, unambiguous_entities};
use crate::normalize::{Normalized, normalize, normalize_str};
use crate::segment::{Segmenter, Windows};

/// One input document: an id and its text.
///
/// ```
/// let doc = alam::Document::new("a1", "Putin met Xi in Beijing.");
/// assert_eq!(doc.id, "a1");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Document {
    /// The document's id (a file name, a JSON `id` field, `FILE:LINE`).
    pub id: String,
    /// The document's text.
    pub text: String,
    /// The document's date as written (the `--date-field` of its record),
    /// if it has one; see [`crate::period::parse_date`] for what parses.
    /// Readers store a date that parses as `YYYY-MM-DD` (its calendar
    /// date in its own offset). Default: none.
    pub date: Option<String>,
}

impl Document {
    /// A document with this id and text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            date: None,
        }
    }

    /// This document with the date `date` (as written, see
    /// [`Document::date`]).
    ///
    /// ```
    /// let doc = alam::Document::new("a1", "Putin met Xi.").with_date("5 March 2024");
    /// assert_eq!(doc.date.as_deref(), Some("5 March 2024"));
    /// ```
    pub fn with_date(mut self, date: impl Into<String>) -> Document {
        self.date = Some(date.into());
        self
    }
}

/// One mention of an entity in a document.
///
/// Offsets point into the ORIGINAL text of the document: `start..end` in
/// Unicode code points (Python's `text[start:end]` is the surface), and
/// `byte_start..byte_end` in UTF-8 bytes; both are half-open and exclude
/// the proclitic prefix. In `وروسيا` the surface is `روسيا` and the prefix
/// `و`.
///
/// ```
/// use alam::{Entity, Gazetteer, Pipeline, Document, Form};
/// let mut gaz = Gazetteer::new();
/// let mut ru = Entity::new("country:RU", "country", "Russia");
/// ru.name_ar = Some("روسيا".into());
/// gaz.push(ru);
/// let pipeline = Pipeline::new(&gaz)?;
/// let mentions = pipeline.extract(&Document::new("d", "الصين وروسيا"));
/// let m = &mentions[0];
/// assert_eq!((m.entity_id.as_ref(), m.surface.as_str(), m.prefix.as_str()),
///            ("country:RU", "روسيا", "و"));
/// assert_eq!((m.start, m.end, m.byte_start, m.byte_end), (7, 12, 13, 23));
/// assert_eq!(m.form, Form::Name);
/// # Ok::<(), alam::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mention {
    /// The entity's id, e.g. `country:RU`.
    pub entity_id: Arc<str>,
    /// The entity's type, e.g. `country`.
    pub entity_type: Arc<str>,
    /// The entity's canonical name.
    pub name: Arc<str>,
    /// The text as written in the document, prefix excluded.
    pub surface: String,
    /// The proclitic prefix as written (`و`, `بال`), or empty.
    pub prefix: String,
    /// Start, in code points of the original text.
    pub start: usize,
    /// End (exclusive), in code points of the original text.
    pub end: usize,
    /// Start, in bytes of the original text.
    pub byte_start: usize,
    /// End (exclusive), in bytes of the original text.
    pub byte_end: usize,
    /// Which kind of form matched.
    pub form: Form,
    /// True when several entities share the form and the document did not
    /// settle which one is meant; the first-listed was chosen.
    pub ambiguous: bool,
    /// The ids of the other entities the same form names.
    pub alternatives: Vec<Arc<str>>,
    /// 0-based index of the sentence the mention is in.
    pub sentence: usize,
    /// 0-based index of the paragraph the mention is in.
    pub paragraph: usize,
    /// The discovery rule that found it (`None` for a gazetteer mention).
    pub rule: Option<Rule>,
    /// For a [`Form::Fuzzy`] mention, the name or alias as written in the
    /// gazetteer that the surface is one edit away from (`الكويت` for
    /// `الحويت`); `None` for every other mention.
    pub matched: Option<Arc<str>>,
}

impl Mention {
    /// The rule that found the mention, or for a gazetteer mention its
    /// form (`name`, `alias`, `weak`, `demonym`).
    pub fn rule_or_form(&self) -> &'static str {
        match self.rule {
            Some(rule) => rule.as_str(),
            None => self.form.as_str(),
        }
    }

    /// `discovered` for a mention found by a discovery rule, `gazetteer`
    /// otherwise.
    pub fn source(&self) -> &'static str {
        if self.rule.is_some() {
            "discovered"
        } else {
            "gazetteer"
        }
    }
}

/// A form one edit away from a word, as fuzzy matching judged it (see
/// [`Pipeline::fuzzy_candidates`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzyCandidate {
    /// The word, normalized, its prefix included.
    pub word: String,
    /// The proclitic prefix of this reading (normalized), or empty.
    pub prefix: String,
    /// The name or alias as written in the gazetteer.
    pub form: String,
    /// The entities the form names.
    pub entity_ids: Vec<String>,
    /// The edit from the form to the word, in words.
    pub edit: String,
    /// Why it was refused, or `None` when it gives a mention (the
    /// mention may still lose to a longer one on the same text).
    pub refused: Option<&'static str>,
}

/// What [`Pipeline::analyze`] finds in one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// The mentions, in text order.
    pub mentions: Vec<Mention>,
    /// The length of the text in code points.
    pub chars: usize,
    /// The number of sentences (0 for a text without letters or digits).
    pub sentences: usize,
    /// The number of paragraphs (0 for a text without letters or digits).
    pub paragraphs: usize,
    /// Where the sentences and paragraphs are.
    pub windows: crate::segment::Windows,
}

/// Cheap-to-clone strings of one entity, for mentions.
#[derive(Debug)]
struct EntityLabels {
    id: Arc<str>,
    kind: Arc<str>,
    name: Arc<str>,
}

/// The labels of every entity of the gazetteer, by index: made at once,
/// or for the built-in gazetteer as loaded, each the first time a mention
/// needs it, from the gazetteer's image (the 180,000 strings of the
/// 60,000 entities were 18M instructions of every start).
#[derive(Debug)]
enum Labels {
    Made(Vec<EntityLabels>),
    InPlace {
        entities: crate::gazetteer::image::Entities<'static>,
        /// The labels made, in chunks of [`LABEL_CHUNK`] entities, each
        /// chunk made when one of its entities is first asked for (one
        /// cell per entity at start was 3.4 MB of fresh pages, 800 page
        /// faults).
        made: Box<[OnceLock<LabelChunk>]>,
        /// The labels of the built-in files parsed, should the image not
        /// read (the tests read every entity of it).
        parsed: OnceLock<Vec<EntityLabels>>,
    },
}

/// The entities of a chunk of [`Labels::InPlace`].
const LABEL_CHUNK: usize = 256;

/// The labels of [`LABEL_CHUNK`] entities, each made on first use.
type LabelChunk = Box<[OnceLock<EntityLabels>]>;

impl Labels {
    /// The labels of the entities in place, none made yet.
    fn in_place(entities: &crate::gazetteer::image::Entities<'static>) -> Labels {
        Labels::InPlace {
            entities: entities.clone(),
            made: (0..entities.len().div_ceil(LABEL_CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            parsed: OnceLock::new(),
        }
    }

    /// The labels of entity `i` (an index the matcher gave).
    fn get(&self, i: usize) -> &EntityLabels {
        match self {
            Labels::Made(labels) => &labels[i],
            Labels::InPlace {
                entities,
                made,
                parsed,
            } => {
                let chunk = made[i / LABEL_CHUNK]
                    .get_or_init(|| (0..LABEL_CHUNK).map(|_| OnceLock::new()).collect());
                let cell = &chunk[i % LABEL_CHUNK];
                match cell.get() {
                    Some(labels) => labels,
                    None => Self::make(entities, cell, parsed, i),
                }
            }
        }
    }

    /// The labels of entity `i` read from the image, kept in `made`.
    #[cold]
    fn make<'a>(
        entities: &crate::gazetteer::image::Entities<'static>,
        made: &'a OnceLock<EntityLabels>,
        parsed: &'a OnceLock<Vec<EntityLabels>>,
        i: usize,
    ) -> &'a EntityLabels {
        match entities.labels(i) {
            Some((id, kind, name)) => made.get_or_init(|| EntityLabels {
                id: Arc::from(id),
                kind: Arc::from(kind),
                name: Arc::from(name),
            }),
            None => {
                let parsed =
                    parsed.get_or_init(|| Pipeline::labels(Gazetteer::parse_builtin().entities()));
                &parsed[i]
            }
        }
    }
}

/// A pipeline built once from a gazetteer and used for any number of
/// documents, from any number of threads (it is `Send + Sync`).
///
/// ```
/// use alam::{Gazetteer, Pipeline, Document};
/// let mut gaz = Gazetteer::new();
/// gaz.add_csv("people.csv", "id,type,name,name_ar,aliases\n\
///     person:putin,person,Vladimir Putin,فلاديمير بوتين,بوتين|Putin\n".as_bytes());
/// let pipeline = Pipeline::new(&gaz)?;
/// let found = pipeline.extract(&Document::new("d", "قال بوتين إن Putin's plan..."));
/// let surfaces: Vec<&str> = found.iter().map(|m| m.surface.as_str()).collect();
/// assert_eq!(surfaces, ["بوتين", "Putin"]);
/// # Ok::<(), alam::Error>(())
/// ```
///
/// # Matching rules
///
/// All forms of all entities, normalized, go into a double-array trie
/// (`crawdad`; two in fact, built at once: forms that begin with an Arabic
/// letter, and the others). Since a name can only start at a word start or right after
/// a proclitic prefix (rule 1), the trie is walked from those places only,
/// and every pattern found on each walk is a candidate (a common-prefix
/// search), so no candidate is hidden by a longer one that later fails a
/// boundary rule. The trie builds a million aliases in under a second, an
/// Aho-Corasick automaton (which must also look for names inside words)
/// took 8 s and 2 GB. A walk is only made where the rest of the word is
/// the first word of some pattern (by hash, see `Matcher::walk`): rule 3
/// would drop whatever the others found. Each occurrence then has to pass
/// these rules, in this order:
///
/// 1. **Start.** It starts at a word start, or right after a proclitic
///    prefix that starts at a word start: `{و ف}? {ب ك ل}? ال?` (every
///    non-empty combination), or `{و ف}? لل` (ل + the article, written
///    لل). Never س. An alias beginning with ال is also looked for with ل
///    in place of ال after the prefixes ل, ول, فل: in للكويت the
///    surface is لكويت with prefix ل. A prefix that holds the article
///    (ends with ال, or is لل) comes only before a demonym or a strong
///    form of an entity whose type is not a place or a person
///    (person, country, city, region, place, location): السيول (the floods) is not سيول (Seoul),
///    but الفيسبوك is Facebook and الروسية is a demonym.
/// 2. **Length guard.** After a one-letter prefix at least 3 letters of
///    the alias remain; after a longer one, 2 (so وشي is never و + شي);
///    after a prefix that ends with ك (ك، وك، فك), 5: كروسيا is "like
///    Russia", كسرت ("broke") is not ك + سرت (Sirte). The article's
///    letters count: كالصين is fine.
/// 3. **End.** It ends at a word end (English 's needs no rule: the
///    apostrophe is a boundary). Enclitic pronouns are never stripped.
///    This holds for forms that end (or begin) with punctuation too: the
///    text must not go on (or come before) with a word character, so
///    U.S. is not found in U.S.S.R., nor .net in asp.net (but U.S.-led
///    and U.S.'s are fine).
/// 4. **Case.** A form written in capitals with at most five letters (US,
///    WHO, NATO, U.S.) matches only text written in capitals.
/// 5. **Full word first.** If a word, as written from its first letter,
///    starts a candidate, no proclitic reading of that word is kept: بكين
///    is Beijing, never ب + كين. A candidate made only of weak forms does
///    so only where it counts (rule 7, judged on the candidates the strong
///    full words left); one that does not count also gives way to a
///    candidate that counts on the same text, prefix included: with
///    السوداني a weak form of a person named nowhere else, الرئيس
///    السوداني is ال + the demonym سوداني.
/// 6. **Overlaps.** The longest candidate (in original characters, prefix
///    excluded) wins, then the leftmost; kept mentions (with their
///    prefixes) never overlap. With the forms `الخليج` and `مجلس التعاون
///    لدول الخليج العربية`, the text `مجلس التعاون لدول الخليج العربية`
///    gives one mention, of the longer form.
/// 7. **Weak forms** count only for an entity that has a strong candidate
///    (name, alias or demonym) in the same document, never take the
///    article (المالي is not مالي), and give way to a strong form of
///    another entity on the same text (الكويت stays the country when
///    مدينة الكويت, whose weak form it is, is also named). A weak form that
///    does not count still covers its text in rule 6: a weak `مجلس الأمن
///    القومي` keeps `مجلس الأمن` (the UN Security Council) from matching
///    inside it.
/// 8. **Ambiguity.** A form shared by several entities goes to the one
///    that has an unambiguous strong mention in the document; when none
///    does, to the one whose related country (`country` column) has one
///    (عمان is Amman in a document that names الأردن); when that does not
///    settle it either, to the first-listed, flagged ambiguous.
///
/// Demonyms also match inflected: an Arabic demonym ending in ي takes
/// ـه (ـة) ـون ـين ـان ـات ـتان ـتين; a Latin one takes -s.
#[derive(Debug)]
pub struct Pipeline {
    matcher: Matcher,
    labels: Labels,
    segmenter: Segmenter,
    discoverer: Discoverer,
    /// Shared type strings of discovered mentions.
    person: Arc<str>,
    organization: Arc<str>,
}

/// Builds a [`Pipeline`] with options.
///
/// Defaults: discovery [`Discovery::Off`] (only the gazetteer's mentions;
/// the command line turns it on), the built-in [`Lexicon`], fuzzy matching
/// off.
///
/// ```
/// use alam::{Discovery, Document, Gazetteer, Pipeline};
/// let pipeline = Pipeline::builder(&Gazetteer::new())
///     .discovery(Discovery::On)
///     .build()?;
/// let found = pipeline.extract(&Document::new("d", "قال السيد غيث الحسيني إن الاجتماع انتهى"));
/// assert_eq!(found[0].surface, "غيث الحسيني");
/// assert_eq!(found[0].entity_id.as_ref(), "person:~غيث-الحسيني");
/// # Ok::<(), alam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PipelineBuilder<'g> {
    gazetteer: &'g Gazetteer,
    discovery: Discovery,
    lexicon: Option<Lexicon>,
    fuzzy: bool,
}

/// [`Pipeline::analyze`] reads a document longer than this (1 MiB) in
/// pieces of about [`PIECE_BYTES`] (see [`Pipeline::analyze_in_pieces`]).
pub const PIECES_ABOVE: usize = 1 << 20;

/// The size of the pieces of a long document (64 KiB). Small enough that
/// most pieces of a text with a few characters out of Unicode NFC take the
/// fast path of normalization (which a whole piece leaves for the slow one
/// at the first of them), large enough that the work done once per piece
/// does not count.
pub const PIECE_BYTES: usize = 1 << 16;

/// Discovery's rules read a piece of a document with at least this many
/// bytes after it: they look a few words ahead (a title, then a name of
/// up to four words; a role, five words of complements, then a name).
const LOOKAHEAD: usize = 4096;

impl PipelineBuilder<'_> {
    /// How much to discover beyond the gazetteer (default: off).
    pub fn discovery(mut self, discovery: Discovery) -> Self {
        self.discovery = discovery;
        self
    }

    /// Whether to also find misspelled names (default: `false`): a word
    /// that no exact match touches, one edit away from a strong one-word
    /// name or alias, gives a mention of [`Form::Fuzzy`] whose
    /// [`Mention::matched`] is that form, where the document also names
    /// the entity exactly (see the README, "Misspelled names (--fuzzy)").
    /// Off by default: it adds few mentions, and each is a guess.
    ///
    /// ```
    /// use alam::{Document, Form, Gazetteer, Pipeline};
    /// let mut gaz = Gazetteer::new();
    /// gaz.add_csv("c.csv", "id,type,name,name_ar\ncountry:KW,country,Kuwait,الكويت\n".as_bytes());
    /// let pipeline = Pipeline::builder(&gaz).fuzzy(true).build()?;
    /// let found = pipeline.extract(&Document::new("d", "زار الوفد الكويت ثم عقد الاجتماع بالحويت"));
    /// let typo = &found[1];
    /// assert_eq!((typo.surface.as_str(), typo.prefix.as_str()), ("الحويت", "ب"));
    /// assert_eq!((typo.form, typo.matched.as_deref()), (Form::Fuzzy, Some("الكويت")));
    /// // Without the exact name in the document, no fuzzy mention.
    /// assert!(pipeline.extract(&Document::new("d", "عقد الاجتماع بالحويت")).is_empty());
    /// # Ok::<(), alam::Error>(())
    /// ```
    pub fn fuzzy(mut self, fuzzy: bool) -> Self {
        self.fuzzy = fuzzy;
        self
    }

    /// The word lists of discovery (default: [`Lexicon::builtin`]).
    pub fn lexicon(mut self, lexicon: Lexicon) -> Self {
        self.lexicon = Some(lexicon);
        self
    }

    /// Builds the pipeline. Fails if the gazetteer or the lexicon has
    /// errors; warnings are allowed.
    pub fn build(self) -> Result<Pipeline, Error> {
        let lexicon = match self.lexicon {
            Some(l) => l,
            None if self.discovery == Discovery::Off => Lexicon::new(),
            None => Lexicon::builtin(),
        };
        let errors = lexicon.diagnostics().to_vec();
        if !errors.is_empty() {
            return Err(Error::Gazetteer(errors));
        }
        let mut p = Pipeline::gazetteer_only(self.gazetteer, self.fuzzy)?;
        p.discoverer = Discoverer::new(lexicon, self.discovery);
        Ok(p)
    }
}

impl Pipeline {
    /// Builds the matcher from a gazetteer, without discovery (see
    /// [`Pipeline::builder`]). Fails if the gazetteer has errors (see
    /// [`Gazetteer::check`]); warnings are allowed.
    pub fn new(gazetteer: &Gazetteer) -> Result<Pipeline, Error> {
        Pipeline::gazetteer_only(gazetteer, false)
    }

    /// A builder for a pipeline over this gazetteer, with options.
    pub fn builder(gazetteer: &Gazetteer) -> PipelineBuilder<'_> {
        PipelineBuilder {
            gazetteer,
            discovery: Discovery::Off,
            lexicon: None,
            fuzzy: false,
        }
    }

    /// The discovery mode.
    pub fn discovery(&self) -> Discovery {
        self.discoverer.mode()
    }

    /// Whether the pipeline finds misspelled names ([`PipelineBuilder::fuzzy`]).
    pub fn fuzzy(&self) -> bool {
        self.matcher.is_fuzzy()
    }

    /// What fuzzy matching makes of the words of `text`: every strong
    /// one-word form one edit away from a word that no exact match
    /// touches, with the verdict (for `alam gazetteer lookup`). Empty when
    /// the pipeline was built without [`PipelineBuilder::fuzzy`].
    pub fn fuzzy_candidates(&self, text: &str) -> Vec<FuzzyCandidate> {
        let norm = normalize(text);
        let exact = self.matcher.candidates_exact(text, &norm);
        let mut trace = Vec::new();
        self.matcher
            .fuzzy_candidates(text, &norm, &exact, Some(&mut trace));
        let normalized = norm.as_str();
        trace
            .into_iter()
            .map(|t| {
                let form: Vec<char> = self.matcher.pattern_letters(t.pattern).to_vec();
                let word: Vec<char> = normalized[t.start..t.word.end].chars().collect();
                FuzzyCandidate {
                    word: normalized[t.word.clone()].to_string(),
                    prefix: normalized[t.word.start..t.start].to_string(),
                    form: self.matcher.written_form(t.pattern).to_string(),
                    entity_ids: self
                        .matcher
                        .pattern_entities(t.pattern)
                        .map(|e| self.labels.get(e).id.to_string())
                        .collect(),
                    edit: t.edit.describe(&form, &word),
                    refused: t.refused,
                }
            })
            .collect()
    }

    /// The labels of `entities`, all at once.
    fn labels(entities: &[Entity]) -> Vec<EntityLabels> {
        // A handful of types for all the entities: one `Arc` each (an
        // allocation per entity was 7M instructions of every start).
        let mut kinds: Vec<Arc<str>> = Vec::new();
        entities
            .iter()
            .map(|e| {
                let kind = match kinds.iter().find(|k| ***k == *e.kind) {
                    Some(k) => k.clone(),
                    None => {
                        let k: Arc<str> = Arc::from(e.kind.as_str());
                        kinds.push(k.clone());
                        k
                    }
                };
                EntityLabels {
                    id: Arc::from(e.id.as_str()),
                    kind,
                    name: Arc::from(e.name.as_str()),
                }
            })
            .collect()
    }

    fn gazetteer_only(gazetteer: &Gazetteer, fuzzy: bool) -> Result<Pipeline, Error> {
        gazetteer.check()?;
        let in_place = gazetteer.entities_in_place();
        let labels = match in_place {
            Some(entities) => Labels::in_place(entities),
            None => Labels::Made(Self::labels(gazetteer.entities())),
        };
        // The default gazetteer as loaded: the matcher build.rs compiled
        // from the same files (a test checks it equals a fresh build).
        let matcher = if gazetteer.is_pristine_builtin() && !fuzzy {
            Matcher::from_image(crate::builtin::MATCHER_IMAGE)?
        } else {
            Matcher::new(gazetteer.entities(), fuzzy)?
        };
        Ok(Pipeline {
            matcher,
            labels,
            segmenter: Segmenter::default(),
            discoverer: Discoverer::new(Lexicon::new(), Discovery::Off),
            person: Arc::from("person"),
            organization: Arc::from("organization"),
        })
    }

    /// Runs only the trie walks over text that is already normalized (see
    /// [`crate::normalize_str`]) and counts the raw matches: every pattern
    /// found from a word start or from after a proclitic prefix, before
    /// any end, length, case, overlap or ambiguity rule. This is the floor
    /// that benchmarks compare the whole pipeline with; it finds no
    /// mentions. It is here for `examples/floor.rs` (the bench's floor),
    /// not part of the API: hidden from the docs, and it may change.
    #[doc(hidden)]
    pub fn count_raw_matches(&self, normalized: &str) -> usize {
        self.matcher.count_raw(normalized)
    }

    /// The mentions of one document, in text order.
    pub fn extract(&self, doc: &Document) -> Vec<Mention> {
        self.analyze(doc).mentions
    }

    /// The mentions of one document with its sentence and paragraph
    /// counts (the windows of co-occurrence).
    ///
    /// A document longer than [`PIECES_ABOVE`] is analyzed in pieces of
    /// [`PIECE_BYTES`] (see [`Pipeline::analyze_in_pieces`]), with the
    /// same result.
    pub fn analyze(&self, doc: &Document) -> Analysis {
        let piece = if doc.text.len() > PIECES_ABOVE {
            PIECE_BYTES
        } else {
            usize::MAX
        };
        self.analyze_in_pieces(doc, piece)
    }

    /// [`Pipeline::analyze`], reading a document longer than
    /// `piece_bytes` in pieces of about `piece_bytes`, so that the memory
    /// it needs beyond its text and its mentions stays bounded. The result
    /// is the same as from one pass (a test checks it on random texts):
    /// pieces are cut after a line break (or `!`, `?`, `;` and a space)
    /// before a letter or digit, where no form of the gazetteer could go
    /// on across, and each step that depends on the whole document (which
    /// entities it names, which names discovery found in it) runs over
    /// every piece before the next step starts. A text without such a
    /// place is one piece. The cost: each piece is normalized and matched
    /// four or five times instead of once.
    ///
    /// ```
    /// use alam::{Document, Gazetteer, Pipeline};
    /// let mut gaz = Gazetteer::new();
    /// gaz.add_csv("c.csv", "id,type,name,name_ar\ncountry:CN,country,China,الصين\n".as_bytes());
    /// let pipeline = Pipeline::new(&gaz)?;
    /// let doc = Document::new("d", "China grew.\nالصين\nChina");
    /// assert_eq!(pipeline.analyze_in_pieces(&doc, 4), pipeline.analyze(&doc));
    /// # Ok::<(), alam::Error>(())
    /// ```
    pub fn analyze_in_pieces(&self, doc: &Document, piece_bytes: usize) -> Analysis {
        let text = doc.text.as_str();
        let piece_bytes = piece_bytes.max(1);
        let cuts = if text.len() > piece_bytes {
            self.cuts(text, piece_bytes)
        } else {
            Vec::new()
        };
        let windows = self.segmenter.segment(text);
        let mut out = Mentions {
            cursor: CharCursor::new(text),
            mentions: Vec::new(),
            labels: Default::default(),
        };
        if cuts.is_empty() {
            let norm = normalize(text);
            let found = self.matcher.find(text, &norm);
            let discovered = if self.discoverer.mode() == Discovery::Off {
                Vec::new()
            } else {
                self.discoverer.discover(text, &norm, &self.covered(&found))
            };
            self.push_mentions(text, &windows, found, discovered, &mut out);
        } else {
            let mut bounds = Vec::with_capacity(cuts.len() + 2);
            bounds.push(0);
            bounds.extend(cuts);
            bounds.push(text.len());
            self.analyze_pieces(text, &bounds, &windows, &mut out);
        }
        Analysis {
            mentions: out.mentions,
            chars: out.cursor.chars_at(text.len()),
            sentences: windows.sentence_count(),
            paragraphs: windows.paragraph_count(),
            windows,
        }
    }

    /// [`Pipeline::analyze`] for a text cut at `bounds` (its first and
    /// last are 0 and the text's length). Each step that depends on the
    /// whole document runs over every piece before the next one does; the
    /// pieces are normalized again for each (keeping them would cost the
    /// memory this is about).
    fn analyze_pieces(&self, text: &str, bounds: &[usize], windows: &Windows, out: &mut Mentions) {
        let pieces: Vec<std::ops::Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
        // Which entities have a strong candidate (matcher rule 7), then
        // which have an unambiguous mention (rule 8), in the document.
        // These two passes look at each piece alone: the pieces are shared
        // out among the threads (of the pool the caller runs on).
        let union = |mut a: Vec<u32>, b: Vec<u32>| {
            a.extend(b);
            a.sort_unstable();
            a.dedup();
            a
        };
        let strong = pieces
            .par_iter()
            .map(|r| {
                let piece = &text[r.clone()];
                let mut strong = Vec::new();
                strong_entities(
                    &self.matcher.candidates(piece, &normalize(piece)),
                    &mut strong,
                );
                strong
            })
            .reduce(Vec::new, union);
        let unambiguous = pieces
            .par_iter()
            .map(|r| {
                let piece = &text[r.clone()];
                let candidates = self.matcher.candidates(piece, &normalize(piece));
                let mut unambiguous = Vec::new();
                unambiguous_entities(&self.matcher.keep(candidates, &strong), &mut unambiguous);
                unambiguous
            })
            .reduce(Vec::new, union);
        let find = |piece: &str, norm: &Normalized| -> Vec<Found> {
            let candidates = self.matcher.candidates(piece, norm);
            self.matcher
                .choose(self.matcher.keep(candidates, &strong), &unambiguous)
        };
        // Discovery's rules, piece by piece, each read with the text after
        // it; the rules go on in the next piece from where they stopped.
        let discover = self.discoverer.mode() != Discovery::Off;
        let mut rule_found: Vec<Discovered> = Vec::new();
        // The tokens each of them used, counted from the document's start.
        let mut used: Vec<std::ops::Range<usize>> = Vec::new();
        if discover {
            // The first token of the current piece, and where the rules
            // go on from, counted from the document's start.
            let (mut first_token, mut resume): (usize, usize) = (0, 0);
            for (k, r) in pieces.iter().enumerate() {
                // A place to cut LOOKAHEAD bytes into the next piece, or
                // the end of the first piece that ends farther.
                let far = r.end.saturating_add(LOOKAHEAD);
                let next_end = bounds[k + 1..]
                    .iter()
                    .copied()
                    .find(|&b| b >= far)
                    .unwrap_or(text.len());
                let end = self
                    .next_cut(text, r.end, far, next_end)
                    .unwrap_or(next_end);
                let context = &text[r.start..end];
                let norm = normalize(context);
                let covered = self.covered(&find(context, &norm));
                let from = resume.saturating_sub(first_token);
                let phase =
                    self.discoverer
                        .rule_phase(context, &norm, &covered, from, r.end - r.start);
                for (mut d, tokens) in phase.found.into_iter().zip(phase.used) {
                    d.span = d.span.start + r.start..d.span.end + r.start;
                    d.prefix = d.prefix.start + r.start..d.prefix.end + r.start;
                    rule_found.push(d);
                    used.push(tokens.start + first_token..tokens.end + first_token);
                }
                resume = first_token + phase.stop;
                first_token += phase.tokens;
            }
        }
        let prop = self.discoverer.propagation(&rule_found);
        rekey(&mut rule_found, &prop);
        // The last pass: each piece's mentions, in text order.
        let mut rule_found = rule_found.into_iter().peekable();
        let mut first_token = 0;
        for r in &pieces {
            let piece = &text[r.clone()];
            let norm = normalize(piece);
            let mut found = find(piece, &norm);
            let mut discovered: Vec<Discovered> = Vec::new();
            if discover {
                let covered = self.covered(&found);
                // From the first mention of the rules that ends in this
                // piece (they are in text order).
                let after = used.partition_point(|u| u.end <= first_token);
                let used = used[after..]
                    .iter()
                    .map(|u| u.start.saturating_sub(first_token)..u.end - first_token);
                let (propagated, tokens) = self
                    .discoverer
                    .propagate(piece, &norm, &covered, used, &prop);
                first_token += tokens;
                while let Some(d) = rule_found.next_if(|d| d.span.start < r.end) {
                    discovered.push(d);
                }
                for mut d in propagated {
                    d.span = d.span.start + r.start..d.span.end + r.start;
                    d.prefix = d.prefix.start + r.start..d.prefix.end + r.start;
                    discovered.push(d);
                }
                discovered = self.discoverer.finish(discovered);
            }
            for f in &mut found {
                f.span = f.span.start + r.start..f.span.end + r.start;
                f.prefix = f.prefix.start + r.start..f.prefix.end + r.start;
            }
            self.push_mentions(text, windows, found, discovered, out);
        }
    }

    /// The gazetteer mentions as discovery sees them.
    fn covered(&self, found: &[Found]) -> Vec<Covered> {
        found
            .iter()
            .map(|f| Covered {
                span: f.prefix.start.min(f.span.start)..f.span.end,
                cover: if f.form == Form::Demonym {
                    Cover::Demonym
                } else {
                    match self.labels.get(f.entity).kind.as_ref() {
                        "country" | "city" | "region" => Cover::Place,
                        "organization" => Cover::Organization,
                        _ => Cover::Other,
                    }
                },
            })
            .collect()
    }

    /// Where a text longer than the piece size is cut: about every
    /// `piece_bytes`, at the first place after that [`Pipeline::is_cut`]
    /// allows.
    fn cuts(&self, text: &str, piece_bytes: usize) -> Vec<usize> {
        let mut cuts = Vec::new();
        let mut last = 0;
        while let Some(at) = self.next_cut(text, last, last.saturating_add(piece_bytes), text.len())
        {
            cuts.push(at);
            last = at;
        }
        cuts
    }

    /// The first place at or after `from` and before `limit` where the
    /// piece that starts at `piece_start` may end ([`Pipeline::is_cut`]).
    fn next_cut(
        &self,
        text: &str,
        piece_start: usize,
        mut from: usize,
        limit: usize,
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let limit = limit.min(bytes.len());
        while from < limit {
            // The byte before a cut is a line feed or a space.
            let at = from + memchr::memchr2(b'\n', b' ', &bytes[from..limit])? + 1;
            if self.is_cut(text, piece_start, at) {
                return Some(at);
            }
            from = at;
        }
        None
    }

    /// Whether the text can be cut at byte `at` (in the piece that starts
    /// at `piece_start`) with the same results as one pass:
    /// - the character before is a line feed, or a space after `!`, `?`,
    ///   `؟`, `;`, `؛` or `…` (so that discovery sees a break there, as it
    ///   does at the start of a text);
    /// - the character at `at` is an ASCII letter or digit or an Arabic
    ///   letter, which normalization neither deletes nor joins to what
    ///   comes before, after a blank that it writes as a space: the
    ///   normalized text is that of the two pieces end to end;
    /// - no form of the gazetteer is found across (say, a name whose
    ///   first word ends a paragraph and whose second starts the next).
    fn is_cut(&self, text: &str, piece_start: usize, at: usize) -> bool {
        if at <= piece_start || at >= text.len() || !breaks_before(text, at) {
            return false;
        }
        if !starts_cleanly(text, at) {
            return false;
        }
        // Enough normalized text on each side for the longest form.
        let longest = self.matcher.longest_pattern() + 8;
        let mut reach = 4 * longest + 64;
        let left = loop {
            let start =
                clean_start_before(text, at.saturating_sub(reach).max(piece_start), piece_start);
            let left = normalize_str(&text[start..at]);
            if left.len() > longest || start == piece_start {
                break left;
            }
            reach = reach.saturating_mul(2);
        };
        let mut reach = 4 * longest + 64;
        let right = loop {
            let end = clean_start_after(text, at.saturating_add(reach));
            let right = normalize_str(&text[at..end]);
            if right.len() > longest || end == text.len() {
                break right;
            }
            reach = reach.saturating_mul(2);
        };
        let cut = left.len();
        let mut window = left;
        window.push_str(&right);
        !self.matcher.crosses(&window, cut)
    }

    /// Turns the gazetteer and discovered mentions of a piece (byte
    /// offsets of `text`, each list in text order, all after the mentions
    /// already in `out`) into [`Mention`]s.
    fn push_mentions(
        &self,
        text: &str,
        windows: &Windows,
        found: Vec<Found>,
        discovered: Vec<Discovered>,
        out: &mut Mentions,
    ) {
        // Byte offsets -> code point offsets, in one pass over the two
        // lists merged in text order.
        let Mentions {
            cursor,
            mentions,
            labels,
        } = out;
        mentions.reserve(found.len() + discovered.len());
        let mut discovered = discovered.into_iter().peekable();
        let mut push_discovered =
            |d: Discovered, cursor: &mut CharCursor, mentions: &mut Vec<Mention>| {
                let (sentence, paragraph) = windows.locate(d.span.start);
                // The mentions of one discovered entity share its strings.
                let (id, name) = labels
                    .entry((d.kind, d.key))
                    .or_insert_with_key(|(kind, key)| {
                        let id = crate::discover::entity_id(*kind, key);
                        (
                            Arc::from(id.as_str()),
                            Arc::from(display_name(key).as_str()),
                        )
                    });
                mentions.push(Mention {
                    entity_id: id.clone(),
                    entity_type: match d.kind {
                        Kind::Person => self.person.clone(),
                        Kind::Organization => self.organization.clone(),
                    },
                    name: name.clone(),
                    surface: text[d.span.clone()].to_string(),
                    prefix: text[d.prefix.clone()].to_string(),
                    start: cursor.chars_at(d.span.start),
                    end: cursor.chars_at(d.span.end),
                    byte_start: d.span.start,
                    byte_end: d.span.end,
                    form: if d.weak {
                        Form::DiscoveredWeak
                    } else {
                        Form::Discovered
                    },
                    ambiguous: false,
                    alternatives: Vec::new(),
                    sentence,
                    paragraph,
                    rule: Some(d.rule),
                    matched: None,
                });
            };
        for f in found {
            while discovered
                .peek()
                .is_some_and(|d| d.span.start < f.span.start)
            {
                if let Some(d) = discovered.next() {
                    push_discovered(d, cursor, mentions);
                }
            }
            let labels = &self.labels.get(f.entity);
            let start = cursor.chars_at(f.span.start);
            let end = cursor.chars_at(f.span.end);
            let (sentence, paragraph) = windows.locate(f.span.start);
            mentions.push(Mention {
                entity_id: labels.id.clone(),
                entity_type: labels.kind.clone(),
                name: labels.name.clone(),
                surface: text[f.span.clone()].to_string(),
                prefix: text[f.prefix.clone()].to_string(),
                start,
                end,
                byte_start: f.span.start,
                byte_end: f.span.end,
                form: f.form,
                ambiguous: f.ambiguous,
                alternatives: f
                    .alternatives
                    .iter()
                    .map(|&i| self.labels.get(i).id.clone())
                    .collect(),
                sentence,
                paragraph,
                rule: None,
                matched: f.matched.map(|id| Arc::from(self.matcher.written_form(id))),
            });
        }
        for d in discovered {
            push_discovered(d, cursor, mentions);
        }
    }
}

/// The mentions of a document being made, the cursor that gives their
/// code point offsets, and the id and name of each discovered entity.
struct Mentions<'a> {
    cursor: CharCursor<'a>,
    mentions: Vec<Mention>,
    labels: rustc_hash::FxHashMap<(Kind, String), (Arc<str>, Arc<str>)>,
}

/// Whether the character before byte `at` is a line feed, or a space
/// after `!`, `?`, `؟`, `;`, `؛` or `…`: discovery reads a break between
/// the words on either side, as at the start of a text.
fn breaks_before(text: &str, at: usize) -> bool {
    let before = &text.as_bytes()[..at];
    match before.last() {
        Some(b'\n') => true,
        Some(b' ') => {
            let rest = &text[..at - 1];
            rest.ends_with(['!', '?', '؟', ';', '؛', '…'])
        }
        _ => false,
    }
}

/// Whether byte `at` starts an ASCII letter or digit or an Arabic letter
/// (U+0621–U+063A, U+0641–U+064A) right after ASCII white space: a place
/// where normalization starts afresh (see [`Pipeline::is_cut`]).
fn starts_cleanly(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    if at == 0 || at >= bytes.len() || !bytes[at - 1].is_ascii_whitespace() {
        return false;
    }
    match text[at..].chars().next() {
        Some(c) if c.is_ascii_alphanumeric() => true,
        Some(c) => ('\u{0621}'..='\u{063A}').contains(&c) || ('\u{0641}'..='\u{064A}').contains(&c),
        None => false,
    }
}

/// The last place at or before `at` where normalization starts afresh
/// ([`starts_cleanly`]), but not before `floor` (a piece start).
fn clean_start_before(text: &str, mut at: usize, floor: usize) -> usize {
    while at > floor && !starts_cleanly(text, at) {
        at -= 1;
    }
    at.max(floor)
}

/// The first place at or after `at` where normalization starts afresh,
/// or the end of the text.
fn clean_start_after(text: &str, mut at: usize) -> usize {
    while at < text.len() && !starts_cleanly(text, at) {
        at += 1;
    }
    at.min(text.len())
}

/// What the tables say of an entity id: the gazetteer's entry, or for a
/// discovered id its type and the name made from its key; `None` for an
/// id neither knows.
pub fn entity_info(gazetteer: &Gazetteer, id: &str) -> Option<EntityInfo> {
    if let Some(e) = gazetteer.entity_fields(id) {
        return Some(EntityInfo {
            kind: e.kind.to_string(),
            name: e.name.to_string(),
            name_ar: e.name_ar.unwrap_or_default().to_string(),
            attributes: attributes_in_table_order(gazetteer, &e.attributes),
        });
    }
    let (kind, key) = crate::discover::parse_id(id)?;
    let name = display_name(key);
    let arabic = name.chars().any(crate::normalize::is_arabic_block);
    Some(EntityInfo {
        kind: kind.as_str().to_string(),
        name_ar: if arabic { name.clone() } else { String::new() },
        name,
        attributes: crate::cooccur::Attributes::default(),
    })
}

/// An entity's extra columns in the order of the gazetteer's columns
/// (that of the entity tables), whatever their order in its own file.
fn attributes_in_table_order(
    gazetteer: &Gazetteer,
    pairs: &[(&str, &str)],
) -> crate::cooccur::Attributes {
    if pairs.iter().all(|(_, v)| v.is_empty()) {
        return crate::cooccur::Attributes::default();
    }
    let columns = gazetteer.attribute_columns();
    let mut sorted: Vec<(String, String)> = (pairs.iter())
        .map(|&(c, v)| (c.to_string(), v.to_string()))
        .collect();
    sorted.sort_by_key(|(c, _)| columns.iter().position(|x| x == c));
    crate::cooccur::Attributes::new(sorted)
}

/// Converts increasing byte offsets to code point offsets.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code point offset of `byte`. Offsets may go back a little
    /// (an end, then the next start); going back recounts from the start.
    fn chars_at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_matches_count_every_key_found_from_a_place_a_name_may_start() {
        let mut gaz = Gazetteer::new();
        let mut ru = crate::Entity::new("country:RU", "country", "Russia");
        ru.name_ar = Some("روسيا".into());
        gaz.push(ru);
        let mut cn = crate::Entity::new("country:CN", "country", "China");
        cn.name_ar = Some("الصين".into());
        gaz.push(cn);
        let pipeline = Pipeline::new(&gaz).unwrap();
        let count = |text: &str| pipeline.count_raw_matches(&crate::normalize_str(text));
        // After و; after و in والصين (الصين itself); nothing in وروس.
        assert_eq!(count("وروسيا والصين وروس"), 2);
        // Inside a word, after a letter that is no proclitic (س is never
        // one; ك is): no walk there.
        assert_eq!(count("سروسيا xروسيا"), 0);
        assert_eq!(count("كروسيا"), 1);
        assert_eq!(count("Russia الصين"), 2);
    }

    /// The built-in gazetteer read in place labels each mention (id, type,
    /// name, alternatives) and names each entity as the same gazetteer
    /// parsed from its files, whose labels are made at once.
    #[test]
    fn labels_read_in_place_are_those_made_from_the_parse() {
        let builtin = Gazetteer::builtin();
        let parsed = Gazetteer::parse_builtin();
        let in_place = Pipeline::new(&builtin).unwrap();
        let made = Pipeline::new(&parsed).unwrap();
        assert!(matches!(in_place.labels, Labels::InPlace { .. }));
        assert!(matches!(made.labels, Labels::Made(_)));
        let text = "قال فلاديمير بوتين في موسكو إن روسيا والصين وبالكويت \
                    والأمم المتحدة. Vladimir Putin met Xi Jinping in Beijing; \
                    the Russian and Chinese delegations left Cairo for Paris.";
        let doc = Document::new("d", text);
        let (a, b) = (in_place.extract(&doc), made.extract(&doc));
        assert!(a.len() >= 8, "{a:?}");
        assert_eq!(a, b);
        for m in &a {
            let info = entity_info(&builtin, &m.entity_id);
            assert_eq!(info, entity_info(&parsed, &m.entity_id), "{}", m.entity_id);
            assert_eq!(info.map(|i| i.name), Some(m.name.to_string()));
        }
    }

    #[test]
    fn pipeline_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pipeline>();
        assert_send_sync::<Mention>();
        assert_send_sync::<Gazetteer>();
    }

    #[test]
    fn char_cursor() {
        let text = "aبc";
        let mut c = CharCursor::new(text);
        assert_eq!(c.chars_at(1), 1);
        assert_eq!(c.chars_at(3), 2);
        assert_eq!(c.chars_at(1), 1);
        assert_eq!(c.chars_at(4), 3);
    }

    #[test]
    fn analysis_counts_the_code_points_of_the_text() {
        let mut gaz = Gazetteer::new();
        let mut ru = crate::Entity::new("country:RU", "country", "Russia");
        ru.name_ar = Some("روسيا".into());
        gaz.push(ru);
        let pipeline = Pipeline::new(&gaz).unwrap();
        for (text, mentions) in [
            ("", 0),
            ("aبc", 0),
            ("روسيا والصين", 1),
            ("é😀 Russia 中\u{0651} وروسيا!", 2),
        ] {
            let analysis = pipeline.analyze(&crate::Document::new("d", text));
            assert_eq!(analysis.mentions.len(), mentions, "{text:?}");
            assert_eq!(analysis.chars, text.chars().count(), "{text:?}");
        }
    }
}
