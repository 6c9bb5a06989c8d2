#!/usr/bin/env python3
"""Derives gazetteers/lexicon/frequent_ar.csv: Arabic words that are frequent in the ANT news
corpus and behave like common words, not names, so that discovery never takes them for an
unlisted name (اجتماعا, مستعدون, خصوصا, قادرون).

A word (folded: أإآ→ا, ى→ي, ة→ه, harakat and tatweel removed) seen at least MIN_COUNT times
without the article is common when one of these holds:
  - it is written with the article (ال, وال, بال, لل, ...) in more than AL_RATIO of its uses;
  - its stem (the word less a case or plural ending: ا, ون, ين, ات, ان) is used with the article
    in more than STEM_AL_RATIO of the stem's uses (nouns and adjectives in the accusative or
    plural; names take neither);
  - it takes a pronoun suffix (ه, ها, هم; ة becomes ت before it) in more than SUFFIX_RATIO of
    its uses (nouns; names do not).
Words of the lexicon's name lists (given, given-weak, name-word), words of the gazetteers'
Arabic forms, and words already in common_ar.csv are left out.

Only the derived table (words and counts) is written; no article text.

    python3 gazetteers/build/build_frequent_ar.py [--corpus PATH] [--check]

Python 3.11 standard library only. Needs gazetteers/lexicon/{given_ar,surnames_ar,common_ar}.csv.
"""

import csv
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lexicon_csv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
LEX = REPO / "gazetteers" / "lexicon"
GAZ = REPO / "gazetteers"
OUT = LEX / "frequent_ar.csv"
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "ant-multisource-v2.1.jsonl.gz"

MIN_COUNT = 15
AL_RATIO = 0.10
STEM_AL_RATIO = 0.20
SUFFIX_RATIO = 0.05
MAX_ROWS = 60000

_MARKS = re.compile("[\u064B-\u065F\u0670\u0640\u0610-\u061A\u06D6-\u06ED]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه",
                       "ک": "ك", "گ": "ك", "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف"})
_WORD = re.compile("[\u0621-\u064A\u0671-\u06D3]+")
ARTICLE = ("ال", "وال", "بال", "فال", "كال", "لل", "ولل", "فلل", "وبال")
ENDINGS = ("ا", "ون", "ين", "ات", "ان")


def fold(s: str) -> str:
    return _MARKS.sub("", s).translate(_FOLD)


def count_words(corpus: Path) -> Counter:
    counts: Counter = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            try:
                doc = json.loads(line)
            except json.JSONDecodeError:
                continue
            for field in ("title", "abstract", "content", "text"):
                v = doc.get(field)
                if isinstance(v, str):
                    counts.update(_WORD.findall(fold(v)))
    return counts


def article_count(c: Counter, w: str) -> int:
    return sum(c.get(p + w, 0) for p in ARTICLE) + (c.get("لل" + w[2:], 0) if w.startswith("ل") else 0)


def bare_count(c: Counter, w: str) -> int:
    return c.get(w, 0) + c.get("و" + w, 0)


def suffixed_count(c: Counter, w: str) -> int:
    base = w[:-1] + "ت" if w.endswith("ه") else w
    return sum(c.get(base + s, 0) for s in ("ه", "ها", "هم", "هما"))


def lexicon_forms(*names: str) -> set[str]:
    out = set()
    for name in names:
        path = LEX / name
        if not path.exists():
            continue
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                out.update(fold(r["form"]).split())
    return out


def gazetteer_words() -> set[str]:
    out = set()
    for path in sorted(GAZ.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for col in ("name_ar", "aliases", "weak_aliases"):
                    for form in (r.get(col) or "").split("|"):
                        out.update(_WORD.findall(fold(form)))
    return out


def build(corpus: Path) -> list[list]:
    c = count_words(corpus)
    names = lexicon_forms("given_ar.csv", "surnames_ar.csv", "given_foreign_ar.csv",
                          "surnames_foreign_ar.csv")
    known = lexicon_forms("common_ar.csv", "rules_ar.csv")
    gaz = gazetteer_words()
    rows = []
    for w, n in c.items():
        if len(w) < 3 or w.startswith("ال") or (w.startswith("و") and c.get(w[1:], 0) >= n):
            continue
        bare = bare_count(c, w)
        if bare < MIN_COUNT or w in names or w in known or w in gaz:
            continue
        al = article_count(c, w)
        why = None
        if al > AL_RATIO * (al + bare):
            why = f"with the article {al / (al + bare):.0%} of uses"
        else:
            for e in ENDINGS:
                stem = w[: -len(e)]
                if w.endswith(e) and len(stem) >= 3:
                    sal, sbare = article_count(c, stem), bare_count(c, stem)
                    if sal + sbare >= 10 and sal > STEM_AL_RATIO * (sal + sbare):
                        why = f"stem {stem} with the article {sal / (sal + sbare):.0%} of uses"
                        break
        if why is None:
            suf = suffixed_count(c, w)
            if suf > SUFFIX_RATIO * bare:
                why = f"takes a pronoun suffix ({suf} uses)"
        if why:
            rows.append([w, "common", bare, why])
    rows.sort(key=lambda r: (-r[2], r[0]))
    return rows[:MAX_ROWS]


def main() -> int:
    return lexicon_csv.run(
        __doc__, OUT, REPO, lambda args: build(args.corpus),
        extra_args=lambda ap: ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS))


if __name__ == "__main__":
    sys.exit(main())
