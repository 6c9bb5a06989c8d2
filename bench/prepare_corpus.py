"""Benchmark inputs cut from the Arabic corpus (never committed: they live under target/bench/).

prepare_corpus.py slice SRC.jsonl.gz OUT.jsonl --mb 50
    the first articles whose text (title + "\\n\\n" + text, UTF-8) adds up to at most 50 MB
    (1 MB = 10^6 bytes), written as JSONL {"id", "title", "text"}.
prepare_corpus.py repeat IN.jsonl OUT.jsonl --mb 1000
    IN repeated until the file reaches 1000 MB; ids get a "rN-" prefix so they stay unique.
"""

import argparse
import gzip
import json
import os


def text_bytes(doc):
    return len((doc.get("title") or "").encode()) + 2 + len((doc.get("text") or "").encode())


def write_slice(src, out, limit):
    total = docs = 0
    with gzip.open(src, "rt", encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as w:
        for line in f:
            d = json.loads(line)
            doc = {"id": d["id"], "title": d.get("title") or "", "text": d.get("text") or ""}
            n = text_bytes(doc)
            if total + n > limit:
                break
            w.write(json.dumps(doc, ensure_ascii=False) + "\n")
            total += n
            docs += 1
    if total < limit * 0.9:
        raise SystemExit(f"{src} holds only {total / 1e6:.1f} MB of text, {limit / 1e6:.0f} MB asked")
    os.replace(out + ".tmp", out)
    print(f"{out}: {docs} documents, {total / 1e6:.1f} MB of text")


def write_repeat(src, out, limit):
    with open(src, encoding="utf-8") as f:
        lines = f.readlines()
    size = rep = 0
    with open(out + ".tmp", "w", encoding="utf-8") as w:
        while size < limit:
            rep += 1
            for line in lines:
                line = line.replace('{"id": "', f'{{"id": "r{rep}-', 1)
                w.write(line)
                size += len(line.encode())
    os.replace(out + ".tmp", out)
    print(f"{out}: {rep} copies, {size / 1e6:.0f} MB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["slice", "repeat"])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, required=True)
    a = ap.parse_args()
    (write_slice if a.mode == "slice" else write_repeat)(a.src, a.out, int(a.mb * 1e6))
