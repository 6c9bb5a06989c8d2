#!/usr/bin/env python3
"""Derives gazetteers/frequency/words_ar.tsv.gz: how often each Arabic word is written in the
ANT news corpus, for the real-word guard of `--fuzzy` (a word that is itself frequent is never
taken for a misspelled name; see the README, "Misspelled names (--fuzzy)").

Words are folded as alam's normalization does for Arabic letters (أإآٱ→ا, ى ی→ي, ة→ه, ک گ→ك,
پ چ ژ ڤ→ب ج ز ف, harakat and tatweel removed) and counted as written, clitics included
(وبالكويت is its own word). Only words seen at least MIN_COUNT times are written, as
`word<TAB>count` lines, most frequent first, gzip-compressed. The table is derived statistics:
it holds no sentence and no article text.

    python3 gazetteers/build/build_word_frequency.py [--corpus PATH]

Python 3 standard library only.
"""

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "gazetteers" / "frequency" / "words_ar.tsv.gz"
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "ant-multisource-v2.1.jsonl.gz"

MIN_COUNT = 5

_MARKS = re.compile("[\u064B-\u065F\u0670\u0640\u0610-\u061A\u06D6-\u06ED\u200b-\u200f]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
                       "ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي",
                       "ة": "ه", "ۃ": "ه", "ۀ": "ه", "ہ": "ه", "ۂ": "ه", "ھ": "ه", "ە": "ه",
                       "ک": "ك", "ڪ": "ك", "گ": "ك", "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف",
                       "ڨ": "ق"})
_WORD = re.compile("[\u0621-\u064A]+")


def main() -> None:
    corpus = DEFAULT_CORPUS
    if "--corpus" in sys.argv:
        corpus = Path(sys.argv[sys.argv.index("--corpus") + 1])
    counts: Counter = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            text = "\n".join(str(doc.get(k) or "") for k in ("title", "text"))
            text = _MARKS.sub("", text).translate(_FOLD)
            counts.update(_WORD.findall(text))
    rows = sorted(((w, n) for w, n in counts.items() if n >= MIN_COUNT), key=lambda r: (-r[1], r[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(f"{w}\t{n}\n" for w, n in rows).encode("utf-8")
    # mtime=0: the same corpus gives the same bytes.
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(data)
    print(f"{len(counts)} word types, {len(rows)} with >= {MIN_COUNT} uses -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
