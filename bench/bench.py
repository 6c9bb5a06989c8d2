"""Runs every contender on the same corpora and alias list, prints one table, writes it as CSV.

Called by bench/run.sh, which builds the binaries and prepares the inputs; see bench/README.md.
Rounds are interleaved (round 1: every contender once, round 2: ...), so a noisy neighbour
slows all of them alike; each figure is the median over the rounds, each ratio is computed from
the medians of this run. MB/s = UTF-8 bytes of title + "\\n\\n" + text / seconds, 1 MB = 10^6.
"""

import argparse
import csv
import datetime
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import peers

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers.py")
# Targets of issue 18: minimum ratio, alam with all its threads on one core / contender (2t: two
# workers on two cores / that one-core row). FlashText as shipped is wrong on Arabic: no target.
TARGETS = {"ar": {"flashtext-words": 15, "pyahocorasick": 3, "spacy": 90, "floor": 0.5, "2t": 1.8},
           "en": {"pyahocorasick": 2}}


def fail(msg):
    sys.exit(f"bench: FAILED: {msg}")


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MB, stdout, CPU seconds = user + system of the
    process and its threads). Fails loudly on a non-zero exit."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode} from: {' '.join(cmd)}\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def text_bytes(path, limit_mb=None):
    return sum(n for _, n in peers.iter_texts(path, int(limit_mb * 1e6) if limit_mb else None))


def alam_extract(a, corpus, threads, gaz=None, tag="", one_core=False, extra=(), formats="csv"):
    out = os.path.join(a.work, "out", f"{os.path.basename(corpus)}-{threads}t{tag}")
    # Every round writes into an empty folder, like the first: replacing the
    # previous round's files would add the kernel's freeing of them (~25 ms
    # for the 40 MB of the Arabic run), which only a re-run pays.
    shutil.rmtree(out, ignore_errors=True)
    cmd = [a.alam, "extract", corpus, "--text-field", "title,text", "--format", formats, "-o", out]
    if one_core:
        # Every thread of the process (reader, worker, writer) on CPU 0.
        cmd = ["taskset", "-c", "0"] + cmd
    wall, rss, _, cpu = run(cmd + ["--threads", str(threads), "-q"] + (["-g", gaz] if gaz else [])
                       + list(extra))
    with open(os.path.join(out, "documents.csv"), encoding="utf-8", newline="") as f:
        matches = sum(int(r["mentions"]) for r in csv.DictReader(f))
    return {"seconds": wall, "rss": rss, "matches": matches, "cpu": cpu}


def floor(a, corpus, gaz=None):
    _, rss, out, _ = run([a.floor, corpus] + (["-g", gaz] if gaz else []))
    r = json.loads(out)
    # The search runs on one thread with no I/O: its CPU time is its wall time.
    return {"seconds": r["seconds"], "rss": rss, "build": r["build_seconds"], "matches": r["raw_matches"],
            "cpu": r["seconds"]}


def peer(a, tool, corpus, lang, limit_mb=None):
    cmd = [sys.executable, PEERS, tool, corpus, a.aliases, "--lang", lang]
    _, rss, out, _ = run(cmd + (["--limit-mb", str(limit_mb)] if limit_mb else []))
    r = json.loads(out)
    return {"rss": rss, "build": r["build_seconds"], "cpu": r["cpu_seconds"],
            **{k: r[k] for k in ("seconds", "matches", "bytes")}}


PEER_LABELS = {
    "flashtext": "FlashText extract_keywords (default word chars)",
    "flashtext-words": "FlashText extract_keywords (word chars = isalnum)",
    "pyahocorasick": "pyahocorasick iter_long + isalnum boundary check",
}


def contenders(a, lang, corpus):
    """(key, label, bytes, function) for one corpus."""
    full = text_bytes(corpus)
    spacy_mb = round(min(a.spacy_mb, full / 1e6), 1)
    plan = []
    if shutil.which("taskset"):
        # The headline (issue 18): every thread of alam on one core, against single-threaded peers.
        plan += [
            ("1c", "alam extract, all on one core (taskset -c 0)", full,
             lambda: alam_extract(a, corpus, 1, tag="-1core", one_core=True)),
            # Discovery is on by default; the same run without it shows its cost.
            ("1c-off", "alam extract, all on one core, --discover off", full,
             lambda: alam_extract(a, corpus, 1, tag="-1core-off", one_core=True, extra=["--discover", "off"])),
            # The rows above write CSV only; `alam extract` with no --format (the README's
            # command) also writes the JSON files: what that costs, for information.
            ("1c-json", "alam extract, all on one core, default formats (csv,json)", full,
             lambda: alam_extract(a, corpus, 1, tag="-1core-json", one_core=True, formats="csv,json")),
        ]
    plan += [
        ("2t", "alam extract, 2 threads (two workers, two cores)", full, lambda: alam_extract(a, corpus, 2)),
        ("1t", "alam extract, 1 thread (reader and writer free to use the other core)", full,
         lambda: alam_extract(a, corpus, 1)),
        ("1t-off", "alam extract, 1 thread, --discover off", full,
         lambda: alam_extract(a, corpus, 1, tag="-off", extra=["--discover", "off"])),
    ]
    plan += [
        ("floor", "floor (trie walks only, pre-normalized)", full, lambda: floor(a, corpus)),
    ]
    for tool, label in PEER_LABELS.items():
        plan.append((tool, label, full, functools.partial(peer, a, tool, corpus, lang)))
    label = f"spaCy blank('{lang}') tokenizer + PhraseMatcher ({spacy_mb:g} MB slice)"
    slice_bytes = text_bytes(corpus, spacy_mb)
    plan.append(("spacy", label, slice_bytes, lambda: peer(a, "spacy", corpus, lang, spacy_mb)))
    return plan


COLUMNS = {"corpus": "corpus", "contender": "contender", "mb_per_s": "MB/s", "seconds": "seconds",
           "cpu_s_per_mb": "CPU s/MB", "peak_rss_mb": "peak RSS MB", "build_seconds": "build s", "matches": "matches",
           "ratio": "ratio", "ratio_value": "value", "target": "target", "met": "met"}


def row(corpus, contender, mbps=None, seconds=None, rss=None, build=None, matches=None,
        ratio=None, value=None, target=None, met=None, cpu_per_mb=None):
    """One table row; numbers rounded, missing cells empty."""
    def num(x, digits):
        return "" if x is None else round(x, digits)
    cells = [corpus, contender, num(mbps, 2), num(seconds, 3), num(cpu_per_mb, 4), num(rss, 1), num(build, 3),
             "" if matches is None else matches, ratio or "", num(value, 2), target or "", met or ""]
    return dict(zip(COLUMNS, cells))


def met(value, op, limit):
    return "yes" if (value >= limit if op == ">=" else value < limit) else "NO"


def throughput(a, lang, corpus, label):
    plan = contenders(a, lang, corpus)
    samples = {key: [] for key, *_ in plan}
    for rnd in range(a.runs):
        for key, name, _, fn in plan:
            print(f"  [{label} round {rnd + 1}/{a.runs}] {name} ...", file=sys.stderr, flush=True)
            samples[key].append(fn())
    mbps = {key: nbytes / 1e6 / statistics.median(x["seconds"] for x in samples[key])
            for key, _, nbytes, _ in plan}
    # CPU seconds (user + system) per MB: median over the rounds.
    cpu = {key: statistics.median(x["cpu"] for x in samples[key]) / (nbytes / 1e6)
           for key, _, nbytes, _ in plan}
    # The headline: alam on one core; without taskset, the 1-thread row stands in (and says so).
    base = "1c" if "1c" in mbps else "1t"
    base_name = "alam one core" if base == "1c" else "alam 1 thread (no taskset)"
    targets = TARGETS.get(lang, {})
    rows = []
    for key, name, _, _ in plan:
        s = samples[key]
        builds = [x["build"] for x in s if "build" in x]
        ratio = value = target = ok = None
        if key == "2t":
            ratio, value = f"2 threads / {base_name}", mbps[key] / mbps[base]
        elif key == "1t" and base == "1c":
            ratio, value = "1 thread, free threads / one core", mbps[key] / mbps[base]
        elif key == "1c-json":
            ratio, value = "default formats cost: time csv,json / time csv", mbps["1c"] / mbps[key]
        elif key in ("1c-off", "1t-off"):
            # Time with discovery on / time with it off (issue 21 asks <= 1.25).
            ratio, value = "discovery cost: time on / time off", mbps[key] / mbps[key[:-4]]
        elif key not in ("1t", "1c", "1c-json"):
            ratio, value = f"{base_name} / {key}", mbps[base] / mbps[key]
        if key in targets:
            target, ok = f">= {targets[key]:g}x", met(value, ">=", targets[key])
        rows.append(row(label, name, mbps[key], statistics.median(x["seconds"] for x in s),
                        max(x["rss"] for x in s), statistics.median(builds) if builds else None,
                        s[0]["matches"], ratio, value, target, ok, cpu[key]))
    # For information: the same ratios without discovery, on one core.
    off = "1c-off" if "1c-off" in mbps else "1t-off"
    for key, _, _, _ in plan:
        if key in ("floor", "flashtext", "flashtext-words", "pyahocorasick", "spacy"):
            rows.append(row(label, f"({off}, compared with {key})",
                            ratio=f"alam --discover off / {key}", value=mbps[off] / mbps[key]))
    if "1c-json" in mbps and "pyahocorasick" in mbps:
        rows.append(row(label, "(1c-json, compared with pyahocorasick)",
                        ratio="alam default formats / pyahocorasick", value=mbps["1c-json"] / mbps["pyahocorasick"]))
    return rows


def scale(a):
    label = "1M aliases"
    print("  [scale] 1,000,000-alias gazetteer ...", file=sys.stderr, flush=True)
    wall, rss, out, _ = run([a.alam, "gazetteer", "check", a.big_gaz])
    forms = re.search(r"(\d+) forms", out.strip().splitlines()[-1])
    rows = [row(label, f"alam gazetteer check ({forms.group(1) if forms else '?'} forms)", None, wall, rss)]
    small = text_bytes(a.small)
    f = floor(a, a.small, a.big_gaz)
    ok = "yes" if f["build"] < 5 and f["rss"] < 1536 else "NO"
    rows.append(row(label, f"floor -g big-gaz: build, then scan {small / 1e6:.1f} MB",
                    small / 1e6 / f["seconds"], f["seconds"], f["rss"], f["build"], f["matches"],
                    target="build < 5 s, RSS < 1536 MB", met=ok))
    e = alam_extract(a, a.small, 1, a.big_gaz, "-biggaz")
    rows.append(row(label, f"alam extract -g big-gaz, 1 thread, {small / 1e6:.1f} MB (load + build + run)",
                    None, e["seconds"], e["rss"], matches=e["matches"]))
    for tool in ("flashtext", "pyahocorasick"):
        wall, rss, out, _ = run([sys.executable, PEERS, tool, "-", a.big_aliases, "--lang", "ar"])
        build = json.loads(out)["build_seconds"]
        rows.append(row(label, f"{tool}: add all aliases (build only)", None, wall, rss, build))
    return rows


def big(a):
    print(f"  [scale] {a.big_input} with 2 threads ...", file=sys.stderr, flush=True)
    nbytes = text_bytes(a.big_input)
    e = alam_extract(a, a.big_input, 2)
    return [row(f"ar x{nbytes / 1e9:.2f} GB", "alam extract, 2 threads", nbytes / 1e6 / e["seconds"],
                e["seconds"], e["rss"], matches=e["matches"], target="RSS < 300 MB",
                met=met(e["rss"], "<", 300))]


def machine(commit):
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((x.split(":", 1)[1].strip() for x in f if x.startswith("model name")), "?")
    return (f"{datetime.date.today()} · {os.cpu_count()} cores · {cpu} · {platform.system()} "
            f"{platform.release()} · alam {commit} · Python {platform.python_version()}")


def markdown(rows):
    lines = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[k]) for k in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alam", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--ar", required=True, help="Arabic corpus JSONL")
    ap.add_argument("--en", required=True, help="English corpus JSONL")
    ap.add_argument("--aliases", required=True, help="alam gazetteer export TSV")
    ap.add_argument("--small", required=True, help="small input for the 1M-alias build")
    ap.add_argument("--big-gaz", required=True)
    ap.add_argument("--big-aliases", required=True, help="export of --big-gaz")
    ap.add_argument("--big-input", help="~1 GB JSONL for the memory test")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--spacy-mb", type=float, default=5)
    ap.add_argument("--commit", default="?", help="git describe of the alam being measured")
    ap.add_argument("--work", required=True)
    ap.add_argument("--csv", required=True)
    a = ap.parse_args()
    rows = throughput(a, "ar", a.ar, f"ar {text_bytes(a.ar) / 1e6:.0f} MB")
    rows += throughput(a, "en", a.en, f"en {text_bytes(a.en) / 1e6:.0f} MB")
    rows += scale(a)
    if a.big_input:
        rows += big(a)
    with open(a.csv, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    aliases = len(peers.read_aliases(a.aliases))
    head = f"{machine(a.commit)} · median of {a.runs} run(s) · {aliases} distinct aliases"
    table = head + "\n\n" + markdown(rows) + "\n"
    with open(os.path.splitext(a.csv)[0] + ".md", "w", encoding="utf-8") as f:
        f.write(table)
    print(table)
    missed = [f"{r['corpus']}: {r['contender']} ({r['target']})" for r in rows if r["met"] == "NO"]
    print(f"targets missed: {len(missed)}" + "".join("\n  " + m for m in missed))
    print(f"written: {a.csv}")


if __name__ == "__main__":
    main()
