"""What the lexicon build scripts of this folder share (build_frequent_ar.py,
build_given_promoted.py, build_places_en.py): rendering rows as a lexicon file
(`form,class,count,note`) and writing it, or with --check comparing it with the
committed file. Python 3.11 standard library only."""

import argparse
import csv
import io
from pathlib import Path


def render(rows: list[list]) -> str:
    """The text of a lexicon file holding `rows`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["form", "class", "count", "note"])
    w.writerows(rows)
    return buf.getvalue()


def run(doc: str, out: Path, repo: Path, build, note: str = "", extra_args=None) -> int:
    """Parses --check (and `extra_args(parser)`), builds the rows with
    `build(args)`, and writes `out` or compares it: exit code 1 if --check
    finds the committed file different."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file differs")
    if extra_args:
        extra_args(ap)
    args = ap.parse_args()
    text = render(build(args))
    name = out.relative_to(repo)
    if args.check:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print(f"{name}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"{name}: {text.count(chr(10)) - 1} rows{note}")
    return 0
