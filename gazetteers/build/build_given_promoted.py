#!/usr/bin/env python3
"""Derives gazetteers/lexicon/given_promoted.csv: given names that build_lexicon.py and
build_foreign_names.py tiered `given-weak` only because the corpus seldom shows them beside a
known name ("often a common word"), although the corpus never uses them as a common word
(they are in neither common_ar.csv nor frequent_ar.csv): Western given names (ريتشارد,
فيليب، أنطوان) whose surnames no list knows, and Arab ones (صالح، زين، منير). Each is written
as class `given`, which wins over `given-weak` (a form may have both).

Left weak by hand, because they are also words of news Arabic: see KEEP_WEAK.

    python3 gazetteers/build/build_given_promoted.py [--check]

Python 3.11 standard library only; reads the lexicon files, run it after build_lexicon.py,
build_foreign_names.py and build_frequent_ar.py.
"""

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lexicon_csv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
LEX = REPO / "gazetteers" / "lexicon"
OUT = LEX / "given_promoted.csv"

# Also a word: "in the name of" (المتحدث باسم), "especially" (لا سيما), "supporters", "at
# night", "bar", "and where", "my friend", "come on", "bracelet", "grace", "tender", "sky",
# "pearl", "Jia/came", "between us", "knight", "port", "flowing", "rose", "he narrated".
KEEP_WEAK = set("باسم سيما أنصار ليلا بار وأين صديقي هيا سوار نعمة لين سما درة جيا بينا نايت "
                "مينا ساري وردة روي".split())


def rows_of(name: str) -> list[dict]:
    path = LEX / name
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build() -> list[list]:
    common = {r["form"] for f in ("common_ar.csv", "frequent_ar.csv") for r in rows_of(f)}
    out = []
    for f in ("given_ar.csv", "given_foreign_ar.csv"):
        for r in rows_of(f):
            note = r.get("note") or ""
            if (r["class"] == "given-weak" and note.startswith("often a common word")
                    and r["form"] not in common and r["form"] not in KEEP_WEAK):
                out.append([r["form"], "given", r["count"], f"promoted from {f}: never a common word in the corpus"])
    out.sort(key=lambda r: (-int(r[2] or 0), r[0]))
    return out


def main() -> int:
    return lexicon_csv.run(__doc__, OUT, REPO, lambda args: build())


if __name__ == "__main__":
    sys.exit(main())
