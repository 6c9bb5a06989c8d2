#!/usr/bin/env python3
"""alam on Apache Spark: the files of `alam extract`, computed by a cluster.

    spark-submit --files alam --archives gaz.tar.gz#gaz spark/alam_job.py \
        --input hdfs:///news/*.jsonl --output /data/alam-out

Reads JSONL documents (a local path or any Hadoop URI Spark can read) and
runs `alam extract` once per partition (the binary shipped with `--files
alam`, the gazetteer folder with `--archives gaz.tar.gz#gaz`, or `--alam
PATH` / `--gazetteer DIR` for local runs): the partition's lines on its
stdin, named as lines of the whole input, into a partial output folder.
The per-document files of each partition (mentions.jsonl, documents.csv,
mentions.csv) go to the output as part files (OUTPUT/NAME/part-NNNNN, in
input order, the CSV header in part 0 only); the partial tables are summed
by `alam merge` on the driver. The tables are, byte for byte, those `alam
extract --format csv,json` writes for the same input (summary.json's
gazetteer label names the shipped folder), and the part files joined are
its per-document files. A plain --output path must be shared by the driver
and the executors (local mode, a shared file system); a URI (hdfs://,
s3a://, file://) is written through Hadoop.

A document without an id gets `INPUT:LINE` (INPUT as given with --input,
LINE its line in the whole input), as `alam extract INPUT` names it.
With --strict, the first bad line fails its task, the job and spark-submit.
"""

import argparse
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import deque
from urllib.parse import urlparse

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
    ap.add_argument("--id-field", help="JSONL field of the document id (default: id)")
    ap.add_argument("--text-field", default="text", help="field(s), comma-separated")
    ap.add_argument("--date-field", help="JSONL field of the document date: tables by period too")
    ap.add_argument(
        "--bucket", choices=["day", "week", "month"], help="periods of --date-field (default: month)"
    )
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


# --------------------------------------------------------------------------
# One partition through `alam extract`: a partial output folder

# The files of a partial folder written per document: in the output store
# as part files, in partition order; the rest are the mergeable tables.
PER_DOCUMENT = ("mentions.jsonl", "documents.csv", "mentions.csv")
FEED_BYTES = 1 << 20  # lines written to alam's stdin this many bytes at a time


MAX_SPLIT = 1 << 30  # default partitions: one per core, at most 1 GiB each


def input_bytes(sc, uri):
    """The size of the input (all files the path or glob names), or None."""
    try:
        fs, path = hadoop_fs(sc, uri)
        statuses = fs.globStatus(path) or []
        total = 0
        for st in statuses:
            total += fs.getContentSummary(st.getPath()).getLength()
        return total
    except Exception:
        return None


def read_input(sc, uri, partitions):
    """The input's lines (bytes, as read: no decoding in Python) and the
    number of lines before each partition.

    Without --partitions, each core gets one partition of the same size
    (at most 1 GiB: more partitions then, a multiple of the cores), since
    every partition starts one alam (0.4 s of CPU to load the gazetteer):
    Hadoop would cut a local file in 32 MB blocks, 90 MB into 3 partitions
    for 2 cores, leaving one core idle for a third of the job. The lines
    are counted in the JVM (zipWithIndex counts every partition once, and
    its partitions hold their first line's index), the text not crossing
    into Python for it.
    """
    cores = sc.defaultParallelism
    if not partitions:
        size = input_bytes(sc, uri)
        if size:
            split = min(-(-size // cores), MAX_SPLIT)
            sc._jsc.hadoopConfiguration().set(
                "mapreduce.input.fileinputformat.split.minsize", str(split)
            )
    jlines = sc._jsc.textFile(uri, partitions or cores)
    n = jlines.getNumPartitions()
    if not partitions and n % cores:
        jlines = sc._jsc.textFile(uri, -(-n // cores) * cores)
    starts = [p.startIndex() for p in jlines.rdd().zipWithIndex().partitions()]
    lines = sc.textFile(uri, jlines.getNumPartitions(), use_unicode=False)
    if lines.getNumPartitions() != len(starts):
        raise RuntimeError(f"{uri}: the input's partitions changed while it was read")
    return lines, starts


def run_partition(conf, split, rows, part_dir):
    """Runs `alam extract -` once over the partition's lines (bytes).

    alam reads them on stdin, named as lines `lines_before + 1`, ... of the
    whole input (`--stdin-name INPUT --stdin-lines-before N`), so that ids,
    examples and messages are those of `alam extract INPUT`, and writes a
    complete output folder into `part_dir`. Returns the number of lines
    written (0: alam was not run, the partition is empty). Raises with
    alam's last stderr lines when it fails (--strict: the first bad line).
    """
    alam = resolve_alam(conf["alam"])
    gaz = resolve_gazetteer(conf["gazetteer"])
    cwd, gaz_arg = None, gaz
    if gaz and not conf["gazetteer"]:
        # Label a shipped archive by its name in the task's folder (`gaz`).
        cwd, gaz_arg = os.path.dirname(gaz), os.path.basename(gaz)
    part_dir = os.path.abspath(part_dir)
    lines_before = conf["starts"][split]
    cmd = [alam, "extract", "-", "--stdin-format", "jsonl", "--stdin-name", conf["source"]]
    cmd += ["--stdin-lines-before", str(lines_before), "-o", part_dir, "-q", "--no-fsync"]
    cmd += ["--format", "csv,json", "--window", conf["window"], "--text-field", conf["text_field"]]
    cmd += ["--threads", str(conf["threads"])]
    if conf["id_field"] is not None:
        cmd += ["--id-field", conf["id_field"]]
    if conf.get("date_field") is not None:
        cmd += ["--date-field", conf["date_field"]]
        if conf.get("bucket") is not None:
            cmd += ["--bucket", conf["bucket"]]
    cmd += gazetteer_args(gaz_arg)
    if conf["strict"]:
        cmd.append("--strict")
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0  # no lines: no part (alam would count an "empty file")
    try:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=alam_env(),
        )
    except OSError as e:
        raise RuntimeError(f"cannot run {alam} on an executor: {e}") from None
    stderr_tail = deque(maxlen=STDERR_KEEP)
    stderr_count = [0]

    def drain_stderr():
        # alam's diagnostics (warnings, errors: already INPUT:LINE) go to
        # the executor's log.
        for raw in proc.stderr:
            stderr_count[0] += 1
            line = raw.decode("utf-8", "replace").rstrip("\n")
            stderr_tail.append(line)
            print(f"alam[{split}]: {line}", file=sys.stderr, flush=True)

    reader = threading.Thread(target=drain_stderr, name="alam-stderr", daemon=True)
    reader.start()
    written = 0
    try:
        buf, size = [first], len(first) + 1
        for line in rows:
            buf.append(line)
            size += len(line) + 1
            if size >= FEED_BYTES:
                buf.append(b"")
                proc.stdin.write(b"\n".join(buf))
                written += len(buf) - 1
                buf, size = [], 0
        if buf:
            buf.append(b"")
            proc.stdin.write(b"\n".join(buf))
            written += len(buf) - 1
        proc.stdin.close()
    except BrokenPipeError:
        pass  # alam stopped (--strict): its exit code tells
    finally:
        rc = proc.wait()
        reader.join()
    if rc != 0:
        raise RuntimeError(
            f"alam extract failed on partition {split} (exit code {rc}, "
            f"{stderr_count[0]} stderr lines; the last ones):\n" + "\n".join(stderr_tail)
        )
    return written


def split_off_documents(part_dir, split, place):
    """Takes the per-document files out of a partial folder: `place(name,
    path)` puts each one, without its CSV header but in part 0, where it
    goes; summary.json then lists only the tables (what `alam merge`
    reads). Returns the CSV headers, {name: header line}."""
    headers = {}
    for name in PER_DOCUMENT:
        path = os.path.join(part_dir, name)
        if name.endswith(".csv"):
            with open(path, "rb") as f:
                headers[name] = f.readline().decode("utf-8")
                if split != 0:
                    with open(path + ".rows", "wb") as rows:
                        shutil.copyfileobj(f, rows, 1 << 20)
            if split != 0:
                os.replace(path + ".rows", path)
        place(name, path)
    sp = os.path.join(part_dir, "summary.json")
    with open(sp, encoding="utf-8") as f:
        summary = json.load(f)
    summary["files"] = [e for e in summary.get("files", []) if e["name"] not in PER_DOCUMENT]
    with open(sp + ".tmp", "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(sp + ".tmp", sp)
    return headers


def tables_of(part_dir):
    """The mergeable tables of a partial folder, zlib-compressed:
    {name: compressed bytes}."""
    out = {}
    for name in sorted(os.listdir(part_dir)):
        path = os.path.join(part_dir, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            out[name] = zlib.compress(f.read(), 1)
    return out


def partition_task(conf, split, rows):
    """mapPartitionsWithIndex over the input lines: one partial folder.

    A plain output path (shared by the driver and the executors): alam
    writes the partial folder into the output's staging folder, its
    per-document files are moved to OUTPUT/NAME/part-NNNNN, and the task
    yields only ("part", split, lines, headers). A URI: alam writes into a
    local temporary folder; the task yields ("part", split, lines,
    headers, tables) for the driver and ("doc", name, split, text) for
    each per-document file, saved as part files by Spark.
    """
    if conf["staging"]:
        part = os.path.join(conf["staging"], f"part-{split:05d}")
        n = run_partition(conf, split, rows, part)
        headers = {}
        if n:

            def dest(name, path):
                # alam wrote the partial folder without fsync (scratch); the
                # part files are output, made durable as alam extract's files.
                final = os.path.join(conf["output"], name, f"part-{split:05d}")
                os.replace(path, final)
                fd = os.open(final, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

            headers = split_off_documents(part, split, dest)
        yield ("part", split, n, headers, None)
        return
    tmp = tempfile.mkdtemp(prefix=f"alam-part-{split}-")
    try:
        part = os.path.join(tmp, "part")
        n = run_partition(conf, split, rows, part)
        if n == 0:
            yield ("part", split, 0, {}, None)
            return
        docs = {}

        def keep(name, path):  # out of the partial folder, read below
            docs[name] = os.path.join(tmp, name)
            os.replace(path, docs[name])

        headers = split_off_documents(part, split, keep)
        yield ("part", split, n, headers, tables_of(part))
        for name, path in docs.items():
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            if text:
                yield ("doc", name, split, text[:-1] if text.endswith("\n") else text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# Output


def is_local(uri):
    """A plain path: shared by the driver and the executors (local mode, a
    shared file system). A URI (hdfs://, s3a://, file://): written through
    Hadoop, the per-document files as folders of part files."""
    return urlparse(uri).scheme == ""


def merge_parts(alam, parts, out):
    """`alam merge PARTS -o OUT`: the partial folders summed (the same code
    as any merge of shards). Returns its time in seconds."""
    t0 = time.time()
    p = subprocess.run(
        [alam, "merge", *parts, "-o", out, "--format", "csv,json", "-q"],
        env=alam_env(),
        stderr=subprocess.PIPE,
    )
    if p.returncode != 0:
        raise RuntimeError(
            f"alam merge failed (exit {p.returncode}): " + p.stderr.decode("utf-8", "replace").strip()
        )
    return time.time() - t0


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
        "date_field": args.date_field,
        "bucket": args.bucket,
        "strict": args.strict,
        "threads": threads,
        "source": args.input,
    }
    log = lambda m: print(f"alam-spark: {m}", file=sys.stderr, flush=True)
    metrics = Metrics(sc)

    lines, starts = read_input(sc, args.input, args.partitions)
    conf["starts"] = starts
    count_secs = time.time() - started
    alam = resolve_alam(args.alam)  # the driver's copy (client or local mode)
    local_out = is_local(args.output)
    staging = None
    tmp = tempfile.mkdtemp(prefix="alam-spark-")
    ok = False
    try:
        if local_out:
            out = os.path.abspath(args.output)
            os.makedirs(out, exist_ok=True)
            staging = os.path.join(out, ".alam-spark-parts")
            shutil.rmtree(staging, ignore_errors=True)
            os.makedirs(staging)
            for name in PER_DOCUMENT:  # an earlier run's: files or folders
                path = os.path.join(out, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                elif os.path.exists(path):
                    os.remove(path)
                os.makedirs(path)
            conf["output"] = out
        conf["staging"] = staging
        t0 = time.time()
        results = lines.mapPartitionsWithIndex(lambda i, rows: partition_task(conf, i, rows))
        if local_out:
            parts = results.collect()
        else:
            results = results.persist(StorageLevel.MEMORY_AND_DISK)
            parts = results.filter(lambda r: r[0] == "part").collect()
        parts.sort(key=lambda r: r[1])
        alam_secs = time.time() - t0
        headers = {}
        for p in parts:
            headers.update(p[3])
        if not headers:
            raise RuntimeError(f"no lines in {args.input}")
        dirs = []
        for _, split, n, _, tables in parts:
            if not n:
                continue
            if local_out:
                dirs.append(os.path.join(staging, f"part-{split:05d}"))
                continue
            d = os.path.join(tmp, f"part-{split:05d}")
            os.makedirs(d)
            for name, data in tables.items():
                with open(os.path.join(d, name), "wb") as f:
                    f.write(zlib.decompress(data))
            dirs.append(d)
        if not local_out:
            out = os.path.join(tmp, "out")
        merge_secs = merge_parts(alam, dirs, out)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        # The CSV headers are in part 0's files: the first partition had no
        # lines (an empty first file), so that part is the headers alone.
        empty_first = parts[0][2] == 0
        if local_out:
            if empty_first:
                for name, header in headers.items():
                    with open(os.path.join(out, name, "part-00000"), "w", encoding="utf-8") as f:
                        f.write(header)
        else:
            fs, dest = hadoop_fs(sc, args.output)
            fs.mkdirs(dest)
            Path = sc._jvm.org.apache.hadoop.fs.Path
            for name in sorted(os.listdir(out)):
                if name.startswith("."):
                    continue
                src = Path("file://" + os.path.join(out, name))
                fs.copyFromLocalFile(False, True, src, Path(dest, name))
            # Folders of part files (part-00000, ...), in input order.
            for name in PER_DOCUMENT:
                docs = results.filter(lambda r, name=name: r[0] == "doc" and r[1] == name)
                docs.map(lambda r: r[3]).saveAsTextFile(args.output.rstrip("/") + "/" + name)
                if empty_first and name in headers:
                    f = fs.create(Path(dest, name + "/part-00000"), True)
                    f.write(bytearray(headers[name].encode("utf-8")))
                    f.close()
        ok = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
            if not ok:  # no half-written part files
                for name in PER_DOCUMENT:
                    shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    secs = time.time() - started
    moved = metrics.moved()
    collected = len(pickle.dumps(parts))
    log(f"gazetteer {summary.get('gazetteer')}")
    log(
        f"{len(dirs)} partial folders; counting lines {count_secs:.2f} s, alam {alam_secs:.2f} s, "
        f"merge {merge_secs:.2f} s"
    )
    log(f"collected by the driver: {collected} bytes (pickled)")
    if moved is not None:
        log(f"Spark metrics: {moved['shuffle']} bytes shuffled, {moved['result']} bytes of task results")
    log(f"done in {secs:.1f} s -> {args.output}")
    sc.stop()
    if summary["documents"] > 0 and summary["errors"] == summary["documents"]:
        log("no input could be read")  # as alam extract: exit code 1
        sys.exit(1)


class Metrics:
    """Bytes moved by the job, read from Spark's status REST API (the UI's
    /api/v1): shuffle read and written, and the task results sent to the
    driver (resultSize). None when the UI is off."""

    def __init__(self, sc):
        self.sc = sc

    def moved(self):
        import urllib.request

        url = self.sc.uiWebUrl
        if not url:
            return None
        app = self.sc.applicationId
        try:
            with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/stages?details=true") as r:
                stages = json.load(r)
        except Exception:
            return None
        shuffle = sum(s.get("shuffleReadBytes", 0) + s.get("shuffleWriteBytes", 0) for s in stages)
        result = 0
        for s in stages:
            for t in (s.get("tasks") or {}).values():
                result += (t.get("taskMetrics") or {}).get("resultSize", 0)
        return {"shuffle": shuffle, "result": result}


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
