#!/usr/bin/env python3
"""alam on Apache Spark: the tables of `alam extract`, computed by a cluster.

    spark-submit --files alam --archives gaz.tar.gz#gaz spark/alam_job.py \
        --input hdfs:///news/*.jsonl --output /data/alam-out

Reads JSONL documents (a local path or any Hadoop URI Spark can read), runs
`alam stream` on every partition (the binary shipped with `--files alam`,
the gazetteer folder with `--archives gaz.tar.gz#gaz`, or `--alam PATH` /
`--gazetteer DIR` for local runs), sums the entity and pair counts in Spark,
and writes, byte for byte, the files `alam extract --format csv,json` writes
for the same input, but for the per-document CSVs (documents.csv,
mentions.csv): entities.csv, cooccurrence.csv (NPMI recomputed by `alam
merge` from the summed counts), entities.json, cooccurrence.json,
summary.json (its gazetteer label names the shipped folder) and
mentions.jsonl. A plain --output path is written by the driver; a URI
(hdfs://, s3a://, file://) through Hadoop, mentions.jsonl then being a
folder of part files (part-00000, ... in input order).

A document without an id gets `INPUT:LINE` (INPUT as given with --input,
LINE its line in the whole input), as `alam extract INPUT` names it.
With --strict, the first bad line fails its task, the job and spark-submit.
"""

import argparse
import json
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from urllib.parse import urlparse

MAX_EXAMPLES = 3  # examples kept per pair, the first in input order (as alam)
STDERR_KEEP = 40  # last stderr lines of alam quoted in a task failure


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description="Run alam over JSONL documents on Spark and write its tables."
    )
    ap.add_argument("--input", required=True, help="JSONL file(s): path, glob or Hadoop URI")
    ap.add_argument("--output", required=True, help="output folder: local, hdfs://, s3a://, ...")
    ap.add_argument(
        "--alam",
        help="path of the alam binary on every node (default: the file shipped with --files alam)",
    )
    ap.add_argument(
        "--gazetteer",
        help="gazetteer folder on every node (default: the archive shipped as "
        "--archives gaz.tar.gz#gaz, else alam's built-in gazetteer)",
    )
    ap.add_argument("--window", default="sentence", choices=["sentence", "paragraph", "document"])
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--text-field", default="text", help="field(s), comma-separated")
    ap.add_argument("--strict", action="store_true", help="fail the job at the first bad line")
    ap.add_argument(
        "--partitions", type=int, default=0, help="minimum input partitions (default: Spark's)"
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=0,
        help="alam threads per task (default: spark.task.cpus, i.e. 1)",
    )
    return ap.parse_args(argv)


# --------------------------------------------------------------------------
# Locating the binary and the gazetteer (on the driver and on executors)


def _spark_file(name):
    """The path of a file or archive shipped with --files/--archives, or None."""
    candidates = [name]  # executors: the task's working directory
    try:
        from pyspark import SparkFiles

        candidates.append(SparkFiles.get(name))  # local mode, driver
    except Exception:
        pass
    for c in candidates:
        if os.path.exists(c):
            return os.path.abspath(c)
    return None


def resolve_alam(explicit):
    """The alam binary to run, made executable."""
    path = explicit or _spark_file("alam")
    if not path or not os.path.isfile(path):
        raise RuntimeError(
            "alam binary not found: ship it with `spark-submit --files /path/to/alam` "
            "or give --alam PATH (a path that exists on every node)"
        )
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        try:
            os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError:
            # A read-only copy: run it from a private executable copy.
            copy = os.path.join(tempfile.mkdtemp(prefix="alam-bin-"), "alam")
            shutil.copyfile(path, copy)
            os.chmod(copy, 0o755)
            path = copy
    return path


def _has_csv(d):
    return any(n.lower().endswith(".csv") for n in os.listdir(d))


def resolve_gazetteer(explicit):
    """The gazetteer folder (None: alam's built-in one).

    With --archives gaz.tar.gz#gaz, the folder `gaz` holds the archive's
    contents: the CSV files themselves or one folder that holds them.
    """
    if explicit:
        return explicit
    d = _spark_file("gaz")
    if not d or not os.path.isdir(d):
        return None
    if not _has_csv(d):
        subs = [os.path.join(d, n) for n in sorted(os.listdir(d))]
        subs = [s for s in subs if os.path.isdir(s) and _has_csv(s)]
        if len(subs) == 1:
            return subs[0]
    return d


def gazetteer_args(gaz):
    return ["-g", gaz] if gaz else []


def alam_env():
    """The environment alam runs with: given explicitly, none inherited."""
    return {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def probe(conf):
    """Runs on an executor: `alam --version` with the shipped gazetteer.

    Returns the gazetteer label (e.g. `gaz 378a205bce182570`): the folder
    name as the tasks use it, and its content hash.
    """
    alam = resolve_alam(conf["alam"])
    gaz = resolve_gazetteer(conf["gazetteer"])
    cwd, arg = None, gaz
    if gaz and not conf["gazetteer"]:
        # Label a shipped archive by its name in the task's folder (`gaz`).
        cwd, arg = os.path.dirname(gaz), os.path.basename(gaz)
    p = subprocess.run(
        [alam, "--version"] + gazetteer_args(arg),
        cwd=cwd,
        env=alam_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        raise RuntimeError(
            f"`{alam} --version` failed on an executor (exit {p.returncode}): "
            + p.stderr.decode("utf-8", "replace").strip()
        )
    m = re.search(r"\(gazetteer (.*)\)\s*$", out)
    return m.group(1) if m else "spark"


# --------------------------------------------------------------------------
# One partition through `alam stream`

_LOCAL_ID = re.compile(r"^-:(\d+)$")
_LOCAL_POS = re.compile(r"(^|\()(-:\d+)(?=[:)])")


_MENTIONS = b',"mentions":['
_ENTITIES = b'],"entities":['
_MENTION = b'{"entity_id":'


def split_stream_line(raw):
    """Parses one `alam stream` line, keeping its mentions as raw JSON.

    Returns (the line without its mentions, parsed; the mentions array's
    inner JSON text as alam wrote it; the number of mentions). The markers
    cannot occur inside a JSON string (a bare quote is always escaped
    there), so the first of each is the top-level one.
    """
    head, found, tail = raw.partition(_MENTIONS)
    mentions, found2, rest = tail.partition(_ENTITIES)
    if not found or not found2:
        d = json.loads(raw)  # not the expected layout: parse it all
        text = json.dumps(d["mentions"], ensure_ascii=False, separators=(",", ":"))
        return d, text[1:-1].encode("utf-8"), len(d["mentions"])
    d = json.loads(head + b',"mentions":[],"entities":[' + rest)
    return d, mentions, mentions.count(_MENTION)


def mentions_line(doc_id, mentions_raw):
    """The mentions.jsonl line of a document, as `alam extract` writes it:
    serde_json's compact `{"doc_id":...,"mentions":[...]}` (Python's
    json.dumps with these options escapes strings exactly as serde_json)."""
    return (
        '{"doc_id":'
        + json.dumps(doc_id, ensure_ascii=False)
        + ',"mentions":['
        + mentions_raw.decode("utf-8")
        + "]}"
    )


def run_partition(conf, source_label, split, rows):
    """mapPartitionsWithIndex: (line, index) rows through `alam stream`.

    Yields (0, mentions.jsonl line) for each non-error document, in input
    order, then the partition's sums as (1, key, value): key ("t",) for the
    totals, ("e", id) for an entity, ("p", a, b) for a pair with its first
    examples (by line index).
    """
    alam = resolve_alam(conf["alam"])
    gaz = resolve_gazetteer(conf["gazetteer"])
    cmd = [alam, "stream", "--window", conf["window"], "--id-field", conf["id_field"]]
    cmd += ["--text-field", conf["text_field"], "--threads", str(conf["threads"])]
    cmd += gazetteer_args(gaz)
    if conf["strict"]:
        cmd.append("--strict")
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=alam_env(),
        bufsize=1 << 16,
    )
    indices = queue.Queue()  # global line index of each line written, in order
    written = [0]
    first_index = [None]  # global index of the partition's first line
    failure = []
    stderr_tail = deque(maxlen=STDERR_KEEP)
    stderr_count = [0]

    def global_id(local):
        """`-:N` (line N of this partition) as INPUT:LINE."""
        m = _LOCAL_ID.match(local)
        if not m or first_index[0] is None:
            return local
        return f"{source_label}:{first_index[0] + int(m.group(1))}"

    def write():
        try:
            for line, index in rows:
                if first_index[0] is None:
                    first_index[0] = index  # lines -:1, -:2 ... are index, index+1 ...
                indices.put(index)
                proc.stdin.write(line.encode("utf-8"))
                proc.stdin.write(b"\n")
                written[0] += 1
        except BrokenPipeError:
            pass  # alam stopped (--strict): its exit code tells
        except Exception as e:  # reading the input failed: report it
            failure.append(e)
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    def drain_stderr():
        # alam's diagnostics (warnings, errors) go to the executor's log,
        # with the partition's line numbers made lines of the whole input.
        for raw in proc.stderr:
            stderr_count[0] += 1
            line = _LOCAL_POS.sub(
                lambda m: m.group(1) + global_id(m.group(2)),
                raw.decode("utf-8", "replace").rstrip("\n"),
            )
            stderr_tail.append(line)
            print(f"alam[{split}]: {line}", file=sys.stderr, flush=True)

    writer = threading.Thread(target=write, name="alam-stdin", daemon=True)
    reader = threading.Thread(target=drain_stderr, name="alam-stderr", daemon=True)
    writer.start()
    reader.start()

    produced = 0
    totals = [0, 0, 0, 0, 0, 0]  # documents, errors, warnings, mentions, windows, chars
    entities = {}  # id -> [type, name, name_ar, mentions, windows, documents]
    pairs = {}  # (a, b) -> [windows, documents, [(index, example), ...], {relation: windows}]
    try:
        for raw in proc.stdout:
            index = indices.get()
            produced += 1
            d, mentions_raw, n_mentions = split_stream_line(raw)
            status = d["status"]
            totals[0] += 1
            totals[3] += n_mentions
            totals[5] += d["chars"]
            if status == "error":
                totals[1] += 1
                continue
            if status == "warning":
                totals[2] += 1
            totals[4] += d["windows"]
            doc_id = d["doc_id"]
            if doc_id == d["source"]:  # no id in the document: alam named it -:N
                doc_id = f"{source_label}:{index + 1}"
            yield (0, mentions_line(doc_id, mentions_raw))
            for e in d["entities"]:
                c = entities.get(e["entity_id"])
                if c is None:
                    entities[e["entity_id"]] = [e["type"], e["name"], e["name_ar"], e["mentions"], e["windows"], 1]
                else:
                    c[3] += e["mentions"]
                    c[4] += e["windows"]
                    c[5] += 1
            for p in d["pairs"]:
                a, b = p["source_id"], p["target_id"]
                key = (a, b) if a <= b else (b, a)
                c = pairs.get(key)
                if c is None:
                    c = pairs[key] = [0, 0, [], {}]
                c[0] += p["windows"]
                c[1] += 1
                # Relation hints: kinds ("meet") and directed kinds ("visit>").
                for k, n in list(p.get("relations", {}).items()) + list(p.get("directed", {}).items()):
                    c[3][k] = c[3].get(k, 0) + n
                if len(c[2]) < MAX_EXAMPLES:
                    ex = p["example"]
                    ex["doc_id"] = doc_id
                    c[2].append((index, ex))
        # The partition's sums, once alam is done with it.
        yield (1, ("t",), ("t", tuple(totals)))
        for eid, c in entities.items():
            yield (1, ("e", eid), ("e", tuple(c)))
        for key, c in pairs.items():
            yield (1, ("p",) + key, ("p", c[0], c[1], tuple(c[2]), tuple(sorted(c[3].items()))))
    finally:
        proc.stdout.close()
        rc = proc.wait()
        writer.join()
        reader.join()
    if failure:
        raise RuntimeError(f"reading partition {split} failed: {failure[0]!r}")
    if rc != 0:
        raise RuntimeError(
            f"alam stream failed on partition {split} (exit code {rc}, "
            f"{stderr_count[0]} stderr lines; the last ones):\n" + "\n".join(stderr_tail)
        )
    if produced != written[0]:
        raise RuntimeError(
            f"alam stream gave {produced} lines for {written[0]} input lines (partition {split})"
        )


# --------------------------------------------------------------------------
# Reductions (associative and commutative: order-independent sums)


def add_sums(x, y):
    """Sums two values of one key: totals, an entity or a pair."""
    if x[0] == "t":
        return ("t", tuple(a + b for a, b in zip(x[1], y[1])))
    if x[0] == "e":
        (ka, na, ara, ma, wa, da), (_, _, _, mb, wb, db) = x[1], y[1]
        return ("e", (ka, na, ara, ma + mb, wa + wb, da + db))
    examples = tuple(sorted(x[3] + y[3], key=lambda e: e[0])[:MAX_EXAMPLES])
    relations = dict(x[4])
    for k, n in y[4]:
        relations[k] = relations.get(k, 0) + n
    return ("p", x[1] + y[1], x[2] + y[2], examples, tuple(sorted(relations.items())))


# --------------------------------------------------------------------------
# Output


def is_local(uri):
    """A plain path: written by the driver. A URI (hdfs://, s3a://, file://):
    written through Hadoop, mentions.jsonl as a folder of part files."""
    return urlparse(uri).scheme == ""


def write_part(part, summary, entities, pairs):
    """A tables-only output folder that `alam merge` reads as one part."""
    import csv

    os.makedirs(part, exist_ok=True)
    with open(os.path.join(part, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(part, "entities.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["entity_id", "type", "name", "name_ar", "mentions", "documents", "windows"])
        for eid, (kind, name, name_ar, mentions, windows, documents) in entities:
            w.writerow([eid, kind, name, name_ar, mentions, documents, windows])
    info = {eid: (v[0], v[1]) for eid, v in entities}
    with open(os.path.join(part, "cooccurrence.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            [
                "source_id", "source_name", "source_type",
                "target_id", "target_name", "target_type",
                "windows", "documents", "npmi", "relations", "directed",
            ]
        )
        for (a, b), (windows, documents, _, relations) in pairs:
            ta, na = info[a]
            tb, nb = info[b]
            kinds = "|".join(f"{k}:{n}" for k, n in relations if k[-1] not in "<>")
            directed = "|".join(f"{k}:{n}" for k, n in relations if k[-1] in "<>")
            w.writerow([a, na, ta, b, nb, tb, windows, documents, "", kinds, directed])
    with open(os.path.join(part, "cooccurrence.json"), "w", encoding="utf-8") as f:
        json.dump(
            [
                {"source_id": a, "target_id": b, "examples": [ex for _, ex in examples]}
                for (a, b), (_, _, examples, _) in pairs
            ],
            f,
            ensure_ascii=False,
        )


def list_in_summary(out, name, rows):
    """Adds the file `name`, written after `alam merge`, to the `files` of
    out/summary.json, so that `alam merge` and `alam report` take it as the
    run's (they refuse files summary.json does not list)."""
    path = os.path.join(out, "summary.json")
    with open(path, encoding="utf-8") as f:
        summary = json.load(f)
    files = [e for e in summary.get("files", []) if e.get("name") != name]
    files.append({"name": name, "bytes": os.path.getsize(os.path.join(out, name)), "rows": rows})
    summary["files"] = sorted(files, key=lambda e: e["name"])
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def hadoop_fs(sc, uri):
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(sc._jsc.hadoopConfiguration()), path


def main(argv=None):
    args = parse_args(argv)
    from pyspark import SparkConf, SparkContext, StorageLevel

    sc = SparkContext.getOrCreate(SparkConf().setAppName("alam"))
    started = time.time()
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    conf = {
        "alam": args.alam,
        "gazetteer": args.gazetteer,
        "window": args.window,
        "id_field": args.id_field,
        "text_field": args.text_field,
        "strict": args.strict,
        "threads": threads,
    }
    log = lambda m: print(f"alam-spark: {m}", file=sys.stderr, flush=True)

    # Fail early (and clearly) when the binary cannot run on the executors,
    # e.g. a glibc too old for it; the label records the gazetteer used.
    label = sc.parallelize([0], 1).map(lambda _: probe(conf)).first()
    log(f"gazetteer {label}")

    lines = sc.textFile(args.input, args.partitions or None)
    source_label = args.input
    docs = (
        lines.zipWithIndex()
        .mapPartitionsWithIndex(lambda i, rows: run_partition(conf, source_label, i, rows))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    sums = (
        docs.filter(lambda r: r[0] == 1)
        .map(lambda r: (r[1], r[2]))
        .reduceByKey(add_sums)
        .collect()
    )
    n_docs, errors, warnings, mentions, windows, chars = (0,) * 6
    entities, pairs = [], []
    for key, value in sums:
        if key[0] == "t":
            n_docs, errors, warnings, mentions, windows, chars = value[1]
        elif key[0] == "e":
            entities.append((key[1], value[1]))
        else:
            pairs.append(((key[1], key[2]), value[1:]))
    entities.sort()
    pairs.sort()
    log(
        f"{n_docs} documents ({errors} errors, {warnings} warnings), {mentions} mentions, "
        f"{len(entities)} entities, {len(pairs)} pairs in {time.time() - started:.1f} s"
    )

    summary = {
        "window": args.window,
        "documents": n_docs,
        "errors": errors,
        "warnings": warnings,
        "mentions": mentions,
        "windows": windows,
        "chars": chars,
        "min_count": 1,
        "excel": False,
        "formats": ["csv", "json"],
        "gazetteer": label,
    }
    alam = resolve_alam(args.alam)  # the driver's copy (client or local mode)
    local_out = is_local(args.output)
    tmp = tempfile.mkdtemp(prefix="alam-spark-")
    try:
        part = os.path.join(tmp, "part")
        write_part(part, summary, entities, pairs)
        out = args.output if local_out else os.path.join(tmp, "out")
        p = subprocess.run(
            [alam, "merge", part, "-o", out, "--format", "csv,json"],
            env=alam_env(),
            stderr=subprocess.PIPE,
        )
        if p.returncode != 0:
            raise RuntimeError(
                f"alam merge failed (exit {p.returncode}): "
                + p.stderr.decode("utf-8", "replace").strip()
            )
        mlines = docs.filter(lambda r: r[0] == 0).map(lambda r: r[1])
        if local_out:
            # Partitions come in input order, lines in order inside each.
            final = os.path.join(out, "mentions.jsonl")
            rows = 0
            with open(final + ".tmp", "w", encoding="utf-8", newline="\n") as f:
                for line in mlines.toLocalIterator():
                    f.write(line)
                    f.write("\n")
                    rows += 1
            os.replace(final + ".tmp", final)
            list_in_summary(out, "mentions.jsonl", rows)
        else:
            fs, dest = hadoop_fs(sc, args.output)
            fs.mkdirs(dest)
            for name in sorted(os.listdir(out)):
                src = sc._jvm.org.apache.hadoop.fs.Path("file://" + os.path.join(out, name))
                fs.copyFromLocalFile(False, True, src, sc._jvm.org.apache.hadoop.fs.Path(dest, name))
            # A folder of part files (part-00000, ...), in input order.
            mlines.saveAsTextFile(args.output.rstrip("/") + "/mentions.jsonl")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        docs.unpersist()
    secs = time.time() - started
    log(f"done in {secs:.1f} s -> {args.output}")
    sc.stop()
    if n_docs > 0 and errors == n_docs:  # as alam extract: exit code 1
        log("no input could be read")
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # spark-submit exits non-zero; say why first
        text = str(e)
        at = text.find("RuntimeError: ")
        why = text[at + len("RuntimeError: "):] if at >= 0 else text
        lines = []
        for line in why.splitlines():
            if line.startswith(("\tat ", " SQLSTATE")) or len(lines) > STDERR_KEEP + 2:
                break
            lines.append(line)
        why = "\n".join(lines)
        print(f"alam-spark: failed: {why or repr(e)}", file=sys.stderr)
        sys.exit(1)
