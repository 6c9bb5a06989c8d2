"""The Python package against the command line on the same articles (issue 12):
`Pipeline.extract_many` over the texts of a JSONL file (read with json in
Python, timed from the call to the last mention dict) against
`alam extract FILE --format csv` (the binary, timed as a process). Prints a
row per run and the ratio; measured, not asserted.

    python bench/python_bench.py FILE.jsonl [--alam target/release/alam] [--threads N] [--runs 3]
"""

import argparse
import json
import subprocess
import tempfile
import time

import alam


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--alam", default="target/release/alam")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--text-field", default="title,text")
    args = ap.parse_args()
    fields = args.text_field.split(",")
    texts = []
    with open(args.jsonl, encoding="utf-8") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            texts.append("\n\n".join(str(rec[k]) for k in fields if isinstance(rec.get(k), str)))
    mb = sum(len(t.encode()) for t in texts) / 1e6
    pipeline = alam.Pipeline()
    py, cli = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        out = pipeline.extract_many(texts, threads=args.threads)
        py.append(time.perf_counter() - t)
        n = sum(len(m) for m in out)
        del out
        with tempfile.TemporaryDirectory() as d:
            cmd = [args.alam, "extract", args.jsonl, "--format", "csv", "-o", d, "-q",
                   "--text-field", args.text_field]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            t = time.perf_counter()
            subprocess.run(cmd, check=False)
            cli.append(time.perf_counter() - t)
    best_py, best_cli = min(py), min(cli)
    print(f"{len(texts)} texts, {mb:.1f} MB, {n} mentions")
    print(f"| extract_many (Python) | {best_py:.2f} s | {mb / best_py:.1f} MB/s |")
    print(f"| alam extract --format csv | {best_cli:.2f} s | {mb / best_cli:.1f} MB/s |")
    print(f"ratio Python / CLI: {best_py / best_cli:.2f} (best of {args.runs})")


if __name__ == "__main__":
    main()
