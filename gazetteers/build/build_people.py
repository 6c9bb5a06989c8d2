#!/usr/bin/env python3
"""Builds gazetteers/people.csv from the two hand-curated halves:

  gazetteers/build/people_mideast.csv  Arab League states, Iran, Turkey,
                                       Israel, Afghanistan, Pakistan, and
                                       movements of the region
  gazetteers/build/people_world.csv    everyone else

Both halves are written by hand (see NOTES-people-*.md); this script only
checks that they share the header and no id, and writes the rows sorted by
id. Standard library only. Run from anywhere:

    python3 gazetteers/build/build_people.py
"""
import csv
import pathlib
import sys

BUILD = pathlib.Path(__file__).resolve().parent
PARTS = [BUILD / "people_mideast.csv", BUILD / "people_world.csv"]
OUT = BUILD.parent / "people.csv"
HEADER = ["id", "type", "name", "name_ar", "aliases", "weak_aliases", "demonyms", "country"]


def main() -> int:
    rows = {}
    for part in PARTS:
        with part.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            if header != HEADER:
                print(f"{part}:1: unexpected header {header}", file=sys.stderr)
                return 1
            for line, row in enumerate(reader, start=2):
                if row[0] in rows:
                    print(f"{part}:{line}: duplicate id {row[0]}", file=sys.stderr)
                    return 1
                rows[row[0]] = row
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for key in sorted(rows):
            writer.writerow(rows[key])
    print(f"{OUT}: {len(rows)} people")
    return 0


if __name__ == "__main__":
    sys.exit(main())
