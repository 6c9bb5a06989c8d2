#!/usr/bin/env python3
"""Corpus audit of mentions by proclitic prefix and form (issue 17).

Runs one or two `alam` binaries on the ANT corpus (`alam extract --format
json`), reads their `mentions.jsonl` and prints:

- for each binary, mentions counted by prefix class and form (markdown);
- with two binaries, the mentions that changed (lost, gained, or with
  another entity or form), counted by prefix class and by surface form;
- with `--sample N`, N changed mentions drawn at random (fixed seed) with
  their context, to be read by hand. The context is article text: it is
  printed to the terminal only, never written into the repository.

Usage:
    python3 bench/audit_prefixes.py BEFORE_BINARY [AFTER_BINARY]
        [--corpus PATH] [--work DIR] [--sample N] [--seed S] [--only lost,gained]

Standard library only. The default corpus is ../shared/corpus/
ant-multisource-v2.1.jsonl.gz (relative to the repository).
"""

import argparse
import collections
import gzip
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "corpus", "ant-multisource-v2.1.jsonl.gz")
)

ARTICLE = {"ال", "وال", "فال", "بال", "كال", "لال", "وبال", "وكال", "ولال",
           "فبال", "فكال", "فلال", "لل", "ولل", "فلل"}
KAF = {"ك", "وك", "فك"}


def prefix_class(prefix):
    """The prefix classes of the audit table."""
    if prefix == "":
        return "none"
    if prefix in ARTICLE:
        return "article (ال، لل, any prefix)"
    if prefix in KAF:
        return "ك without article"
    return "other (و ف ب ل …)"


def run(binary, corpus, out):
    subprocess.run(
        [binary, "extract", "--format", "json", "-q", "-o", out, corpus],
        check=True,
    )
    mentions = {}
    with open(os.path.join(out, "mentions.jsonl"), encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for m in doc["mentions"]:
                key = (doc["doc_id"], m["byte_start"] - len(m["prefix"].encode()), m["byte_end"])
                mentions[key] = m
    return mentions


def table(mentions):
    counts = collections.Counter()
    for m in mentions.values():
        counts[(prefix_class(m["prefix"]), m["form"])] += 1
    return counts


def print_tables(named):
    forms = ["name", "alias", "demonym", "weak"]
    classes = ["none", "article (ال، لل, any prefix)", "ك without article", "other (و ف ب ل …)"]
    print("| prefix | " + " | ".join(f"{f} {n}" for f in forms for n, _ in named) + " |")
    print("|---" * (1 + len(forms) * len(named)) + "|")
    counted = [(n, table(m)) for n, m in named]
    for cls in classes + ["all"]:
        cells = []
        for f in forms:
            for _, c in counted:
                if cls == "all":
                    cells.append(sum(v for (_, ff), v in c.items() if ff == f))
                else:
                    cells.append(c[(cls, f)])
        print(f"| {cls} | " + " | ".join(f"{v:,}" for v in cells) + " |")
    for n, m in named:
        print(f"{n}: {len(m):,} mentions")


def describe(m):
    return f'{m["prefix"]}+{m["surface"]} {m["entity_id"]} {m["form"]}'


def load_texts(corpus, ids):
    texts = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            if d.get("id") in ids:
                texts[d["id"]] = d.get("text", "")
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after", nargs="?")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--work", default="/tmp/alam-audit")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--only", default="lost,gained,changed",
                    help="which changes the sample draws from (comma-separated)")
    args = ap.parse_args()

    before = run(args.before, args.corpus, os.path.join(args.work, "before"))
    if not args.after:
        print_tables([("", before)])
        return
    after = run(args.after, args.corpus, os.path.join(args.work, "after"))
    print_tables([("before", before), ("after", after)])

    changes = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b and a and (b["entity_id"], b["form"]) == (a["entity_id"], a["form"]):
            continue
        kind = "lost" if a is None else "gained" if b is None else "changed"
        changes.append((kind, key, b, a))
    print()
    print("changed mentions:", collections.Counter(k for k, *_ in changes))
    by_class = collections.Counter(
        (kind, prefix_class((b or a)["prefix"])) for kind, _, b, a in changes
    )
    print()
    print("| change | prefix | mentions |")
    print("|---|---|---|")
    for (kind, cls), v in sorted(by_class.items(), key=lambda x: -x[1]):
        print(f"| {kind} | {cls} | {v:,} |")
    by_form = collections.Counter(
        (kind, describe(b) if b else "", describe(a) if a else "") for kind, _, b, a in changes
    )
    print()
    print(f"top {args.top} changes by form:")
    for (kind, b, a), v in by_form.most_common(args.top):
        print(f"  {v:6,} {kind:8} {b} -> {a}")

    if args.sample:
        rng = random.Random(args.seed)
        pool = [c for c in changes if c[0] in args.only.split(",")]
        sample = rng.sample(pool, min(args.sample, len(pool)))
        texts = load_texts(args.corpus, {key[0] for _, key, _, _ in sample})
        print()
        print("sample (context from the corpus: do not commit):", file=sys.stderr)
        for i, (kind, key, b, a) in enumerate(sample, 1):
            doc, start, end = key
            text = texts.get(doc, "").encode("utf-8")
            ctx = (text[max(0, start - 90):start].decode("utf-8", "ignore")
                   + " [[" + text[start:end].decode("utf-8", "ignore") + "]] "
                   + text[end:end + 90].decode("utf-8", "ignore"))
            ctx = ctx.replace("\n", " ")
            print(f"{i:3} {kind:7} {describe(b) if b else '-'} => {describe(a) if a else '-'}",
                  file=sys.stderr)
            print(f"      {ctx}", file=sys.stderr)


if __name__ == "__main__":
    main()
