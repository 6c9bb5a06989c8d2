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
mentions.csv) go to the output store as part files (OUTPUT/NAME/part-NNNNN,
in input order, the CSV header in part 0 only), written by the tasks; the
partial tables too, read back and summed by `alam merge` on the driver. The
tables are, byte for byte, those `alam extract --format csv,json` writes for
the same input (summary.json's gazetteer label names the shipped folder),
and the part files joined are its per-document files. A plain --output path
must be shared by the driver and the executors (local mode, a shared file
system); a URI is written by the tasks through pyarrow.fs (file://, s3a://,
hdfs:// with libhdfs) or else through Spark's writers (--writer). Everything
goes to a staging folder of the output first, moved into place by the
driver once every task succeeded, summary.json last: a failed run leaves
the output as it was.

A document without an id gets `INPUT:LINE` (INPUT as given with --input,
LINE its line in the whole input), as `alam extract INPUT` names it.
With --strict, a bad line fails the job and spark-submit, with alam's
message naming the first bad line of the input (that of the first failed
partition, whichever task failed first).
"""

import argparse
import base64
import itertools
import json
import os
import pickle
import shlex
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
    ap.add_argument(
        "--writer",
        default="auto",
        choices=["auto", "arrow", "spark"],
        help="how the tasks write a URI output: arrow (pyarrow.fs, each task writes its own "
        "files), spark (Spark's writers, saveAsTextFile), auto (arrow when pyarrow opens the "
        "URI, else spark); a plain path is written directly",
    )
    ap.add_argument(
        "--feed",
        default="subprocess",
        choices=["subprocess", "pipe", "arrow"],
        help="how the lines reach alam, for measuring (README): subprocess (mapPartitions "
        "writing to alam's stdin, the default), pipe (RDD.pipe; needs --alam, a plain --output "
        "path), arrow (spark.read.text + mapInArrow, pyarrow's buffers; not with --writer spark)",
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
# Every file name an alam run can write into its output folder (the
# KNOWN_FILES of src/output/folder.rs; a Rust test checks the two lists
# agree). A commit removes the ones this run did not publish, as alam
# extract does, so that an earlier run's tables (say the tables by period of
# a dated run, or its graph files) are not left beside this run's.
KNOWN_FILES = (
    "mentions.csv",
    "documents.csv",
    "entities.csv",
    "cooccurrence.csv",
    "discovered.csv",
    "periods.csv",
    "entities_by_period.csv",
    "cooccurrence_by_period.csv",
    "mentions.jsonl",
    "entities.json",
    "cooccurrence.json",
    "graph.gexf",
    "graph.graphml",
    "report.html",
    "tables.xlsx",
    "neo4j/nodes.csv",
    "neo4j/relationships.csv",
    "summary.json",
)


def stale_files(published):
    """The known names an earlier run may have left that this run, which
    publishes `published` (and the per-document folders), does not."""
    keep = set(published) | set(PER_DOCUMENT)
    return [n for n in KNOWN_FILES if n not in keep]
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
    cmd, cwd = alam_command(conf, str(conf["starts"][split]), os.path.abspath(part_dir))
    blocks = iter(line_blocks(rows) if conf.get("feed", "subprocess") == "subprocess" else rows)
    first = next(blocks, None)
    if first is None:
        return 0  # no lines: no part (alam would count an "empty file")
    try:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=alam_env(),
            preexec_fn=die_with_parent(),
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
        block, n = first
        proc.stdin.write(block)
        written += n
        for block, n in blocks:
            proc.stdin.write(block)
            written += n
        proc.stdin.close()
    except BrokenPipeError:
        pass  # alam stopped (--strict): its exit code tells
    finally:
        rc = proc.wait()
        reader.join()
    if rc != 0:
        stopped = rc == 1 and any(STRICT_STOP in line for line in stderr_tail)
        raise (BadLine if stopped else RuntimeError)(
            f"alam extract failed on partition {split} (exit code {rc}, "
            f"{stderr_count[0]} stderr lines; the last ones):\n" + "\n".join(stderr_tail)
        )
    return written


def alam_command(conf, lines_before, part_dir):
    """The `alam extract -` command of a partition and its working folder."""
    alam = resolve_alam(conf["alam"])
    gaz = resolve_gazetteer(conf["gazetteer"])
    cwd, gaz_arg = None, gaz
    if gaz and not conf["gazetteer"]:
        # Label a shipped archive by its name in the task's folder (`gaz`).
        cwd, gaz_arg = os.path.dirname(gaz), os.path.basename(gaz)
    cmd = [alam, "extract", "-", "--stdin-format", "jsonl", "--stdin-name", conf["source"]]
    cmd += ["--stdin-lines-before", lines_before, "-o", part_dir, "-q", "--no-fsync"]
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
    return cmd, cwd


def line_blocks(rows):
    """The lines (bytes, without their line ends) joined into blocks of
    about FEED_BYTES, each ending with a line end: (block, lines)."""
    buf, size = [], 0
    for line in rows:
        buf.append(line)
        size += len(line) + 1
        if size >= FEED_BYTES:
            buf.append(b"")
            yield b"\n".join(buf), len(buf) - 1
            buf, size = [], 0
    if buf:
        buf.append(b"")
        yield b"\n".join(buf), len(buf) - 1


def arrow_blocks(batches):
    """The lines of Arrow record batches (one string column, as
    spark.read.text gives) as blocks for alam's stdin: each line and a line
    end joined by Arrow's compute kernel, the block handed over as the
    array's own buffer (no Python string per line)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for batch in batches:
        if batch.num_rows == 0:
            continue
        joined = pc.binary_join_element_wise(batch.column(0), "", "\n")
        bufs = joined.buffers()  # validity, offsets, data
        large = pa.types.is_large_string(joined.type) or pa.types.is_large_binary(joined.type)
        offsets = memoryview(bufs[1]).cast("q" if large else "i")
        start, end = offsets[joined.offset], offsets[joined.offset + len(joined)]
        yield memoryview(bufs[2])[start:end], batch.num_rows


STRICT_STOP = "--strict: stopping at the first error"  # alam's message at a bad line


def die_with_parent():
    """A preexec_fn for alam, or None: alam is killed when its Python worker
    dies (Linux's PR_SET_PDEATHSIG), so that a task Spark kills stops
    writing at once (alam would read the end of its stdin as the end of the
    input). libc's prctl is looked up here, in the worker: the forked child
    only calls it (no import between fork and exec)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl
        kill = int(signal.SIGKILL)
    except Exception:
        return None
    return lambda: prctl(1, kill)  # 1 = PR_SET_PDEATHSIG


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


class BadLine(RuntimeError):
    """alam --strict stopped at a bad line of the partition: the message
    names it (INPUT:LINE)."""


def partition_task(conf, split, rows):
    """mapPartitionsWithIndex over the input lines: one partial folder.

    Every writer puts the task's files in the run's staging folder of the
    output (OUTPUT/.alam-spark-RUN or OUTPUT/_alam-spark-RUN), never in the
    output itself: the driver moves them there once every task succeeded.

    - "local" (a plain path shared by the driver and the executors): alam
      writes its partial folder into STAGING/tables/part-NNNNN, the
      per-document files are moved to STAGING/NAME/part-NNNNN.
    - "arrow" (a URI that pyarrow.fs opens: file://, s3a://, hdfs:// with
      libhdfs, ...): alam writes into a local temporary folder, the task
      uploads the per-document files to STAGING/NAME/part-NNNNN and the
      tables to STAGING/tables/part-NNNNN/.
    - "spark" (any other Hadoop URI): the task yields its files as records
      ("doc", name, split, text) and ("tables", split, line), saved as part
      files by Spark's writers.

    Yields ("part", split, lines, headers) for the driver, or, when
    --strict stopped alam at a bad line, ("failed", split, message): the
    driver reports the failure of the first such partition in input order,
    the first bad line of the input, as `alam extract --strict` does.
    """
    mode = conf["mode"]
    tmp = None
    try:
        if mode == "local":
            part = os.path.join(conf["staging"], "tables", f"part-{split:05d}")
            try:
                os.mkdir(part)  # not makedirs: a staging folder removed stays so
            except FileNotFoundError:
                raise RuntimeError(f"the job's staging folder {conf['staging']} is gone") from None
        else:
            tmp = tempfile.mkdtemp(prefix=f"alam-part-{split}-")
            part = os.path.join(tmp, "part")
        try:
            n = run_partition(conf, split, rows, part)
        except BadLine as e:
            if not conf["strict"]:
                raise
            yield ("failed", split, str(e))
            return
        if n == 0:
            yield ("part", split, 0, {})
            return
        if mode == "local":

            def place(name, path):
                # alam wrote the partial folder without fsync (scratch); the
                # part files are output, made durable as alam extract's files.
                final = os.path.join(conf["staging"], name, f"part-{split:05d}")
                os.replace(path, final)
                fsync(final)

            headers = split_off_documents(part, split, place)
            yield ("part", split, n, headers)
            return
        if mode == "arrow":
            fs, root = arrow_fs(conf["staging"])

            def place(name, path):
                arrow_upload(fs, path, f"{root}/{name}/part-{split:05d}")
                os.remove(path)  # what stays in the folder is the tables

            headers = split_off_documents(part, split, place)
            tables = f"{root}/tables/part-{split:05d}"
            fs.create_dir(tables, recursive=True)
            for name in sorted(os.listdir(part)):
                path = os.path.join(part, name)
                if not name.startswith(".") and os.path.isfile(path):
                    arrow_upload(fs, path, f"{tables}/{name}")
            yield ("part", split, n, headers)
            return
        docs = {}

        def keep(name, path):  # out of the partial folder, read below
            docs[name] = os.path.join(tmp, name)
            os.replace(path, docs[name])

        headers = split_off_documents(part, split, keep)
        yield ("part", split, n, headers)
        yield ("tables", split, tables_line(part))
        for name, path in docs.items():
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            if text:
                yield ("doc", name, split, text[:-1] if text.endswith("\n") else text)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tables_line(part_dir):
    """The mergeable tables of a partial folder as one text line (Spark's
    writers write lines): NAME=BASE64(ZLIB(BYTES)), tab-separated."""
    fields = []
    for name in sorted(os.listdir(part_dir)):
        path = os.path.join(part_dir, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = base64.b64encode(zlib.compress(f.read(), 1)).decode("ascii")
        fields.append(f"{name}={data}")
    return "\t".join(fields)


def write_tables_line(line, part_dir):
    """The partial folder of a line of `tables_line`."""
    os.makedirs(part_dir)
    for field in line.rstrip("\n").split("\t"):
        name, _, data = field.partition("=")
        with open(os.path.join(part_dir, name), "wb") as f:
            f.write(zlib.decompress(base64.b64decode(data)))


# --------------------------------------------------------------------------
# Output stores


def is_local(uri):
    """A plain path: shared by the driver and the executors (local mode, a
    shared file system). A URI (hdfs://, s3a://, file://): written through
    pyarrow.fs or Hadoop, the per-document files as folders of part files."""
    return urlparse(uri).scheme == ""


def arrow_fs(uri):
    """(pyarrow file system, path) of a URI; s3a:// is pyarrow's s3://."""
    from pyarrow import fs as pafs

    if uri.startswith("s3a://"):
        uri = "s3://" + uri[len("s3a://"):]
    return pafs.FileSystem.from_uri(uri)


def arrow_upload(fs, local, dest):
    """Copies a local file to `dest` on `fs` (its folder created first)."""
    fs.create_dir(dest.rsplit("/", 1)[0], recursive=True)
    with open(local, "rb") as f, fs.open_output_stream(dest) as out:
        shutil.copyfileobj(f, out, 1 << 20)


class LocalStore:
    """A plain output path, seen by the driver and every executor."""

    kind = "local"

    def __init__(self, path):
        self.root = os.path.abspath(path)
        os.makedirs(self.root, exist_ok=True)

    def staging(self, run):
        d = os.path.join(self.root, f".alam-spark-{run}")
        os.makedirs(os.path.join(d, "tables"))
        for name in PER_DOCUMENT:
            os.makedirs(os.path.join(d, name))
        return d

    def tables(self, staging, tmp, splits):
        return [os.path.join(staging, "tables", f"part-{s:05d}") for s in splits]

    def merged(self, staging, tmp):
        return os.path.join(staging, "merged")  # renamed into the output: same file system

    def write(self, staging, rel, data):
        with open(os.path.join(staging, rel), "wb") as f:
            f.write(data)

    def commit(self, staging, merged):
        for name in PER_DOCUMENT:  # an earlier run's: files or folders
            dest = os.path.join(self.root, name)
            if os.path.isdir(dest):
                shutil.rmtree(dest)
            elif os.path.exists(dest):
                os.remove(dest)
            os.replace(os.path.join(staging, name), dest)
        names = table_files(merged)
        for name in stale_files(names):
            path = os.path.join(self.root, name)
            if os.path.isfile(path) or os.path.islink(path):
                os.remove(path)
        for name in names:  # summary.json last
            os.replace(os.path.join(merged, name), os.path.join(self.root, name))

    def remove(self, staging):
        shutil.rmtree(staging, ignore_errors=True)


def table_files(folder):
    """The files of a merged folder to publish, summary.json last."""
    names = [n for n in sorted(os.listdir(folder)) if not n.startswith(".")]
    names = [n for n in names if os.path.isfile(os.path.join(folder, n))]
    names.sort(key=lambda n: n == "summary.json")
    return names


class ArrowStore:
    """A URI pyarrow.fs opens (file://, s3a://, hdfs:// where libhdfs is
    installed, ...): the tasks write their part files themselves."""

    kind = "arrow"

    def __init__(self, uri):
        self.uri = uri.rstrip("/")
        self.fs, self.root = arrow_fs(self.uri)
        self.fs.create_dir(self.root, recursive=True)

    def staging(self, run):
        rel = f"_alam-spark-{run}"
        self.fs.create_dir(f"{self.root}/{rel}/tables", recursive=True)
        return f"{self.uri}/{rel}"

    def _path(self, staging):
        return arrow_fs(staging)[1]

    def merged(self, staging, tmp):
        return os.path.join(tmp, "merged")  # uploaded from local disk

    def tables(self, staging, tmp, splits):
        from pyarrow import fs as pafs

        root = self._path(staging) + "/tables"
        dirs = []
        for s in splits:
            src = f"{root}/part-{s:05d}"
            d = os.path.join(tmp, f"part-{s:05d}")
            os.makedirs(d)
            for info in self.fs.get_file_info(pafs.FileSelector(src)):
                if info.type == pafs.FileType.File:
                    with self.fs.open_input_stream(info.path) as f, open(
                        os.path.join(d, info.base_name), "wb"
                    ) as out:
                        shutil.copyfileobj(f, out, 1 << 20)
            dirs.append(d)
        return dirs

    def write(self, staging, rel, data):
        path = f"{self._path(staging)}/{rel}"
        self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        with self.fs.open_output_stream(path) as out:
            out.write(data)

    def commit(self, staging, merged):
        from pyarrow import fs as pafs

        src = self._path(staging)
        for name in PER_DOCUMENT:
            dest = f"{self.root}/{name}"
            info = self.fs.get_file_info(dest)
            if info.type == pafs.FileType.Directory:
                self.fs.delete_dir(dest)
            elif info.type == pafs.FileType.File:
                self.fs.delete_file(dest)
            self.fs.create_dir(dest, recursive=True)
            for f in self.fs.get_file_info(pafs.FileSelector(f"{src}/{name}")):
                self.fs.move(f.path, f"{dest}/{f.base_name}")  # files: S3 moves no folders
        names = table_files(merged)
        for name in stale_files(names):
            if self.fs.get_file_info(f"{self.root}/{name}").type == pafs.FileType.File:
                self.fs.delete_file(f"{self.root}/{name}")
        for name in names:
            arrow_upload(self.fs, os.path.join(merged, name), f"{self.root}/{name}")

    def remove(self, staging):
        try:
            self.fs.delete_dir(self._path(staging))
        except FileNotFoundError:
            pass


class HadoopStore:
    """Any Hadoop URI, through the driver's JVM; the tasks' files go
    through Spark's writers (saveAsTextFile)."""

    kind = "spark"

    def __init__(self, sc, uri):
        self.sc = sc
        self.uri = uri.rstrip("/")
        self.Path = sc._jvm.org.apache.hadoop.fs.Path
        self.fs, self.root = hadoop_fs(sc, self.uri)
        self.fs.mkdirs(self.root)

    def staging(self, run):
        return f"{self.uri}/_alam-spark-{run}"

    def merged(self, staging, tmp):
        return os.path.join(tmp, "merged")  # copied from local disk

    def tables(self, staging, tmp, splits):
        local = os.path.join(tmp, "tables")
        self.fs.copyToLocalFile(False, self.Path(staging + "/tables"), self.Path("file://" + local), True)
        dirs = []
        for s in splits:
            with open(os.path.join(local, f"part-{s:05d}"), encoding="ascii") as f:
                line = f.readline()
            d = os.path.join(tmp, f"part-{s:05d}")
            write_tables_line(line, d)
            dirs.append(d)
        return dirs

    def write(self, staging, rel, data):
        f = self.fs.create(self.Path(f"{staging}/{rel}"), True)
        f.write(bytearray(data))
        f.close()

    def commit(self, staging, merged):
        for name in PER_DOCUMENT:
            dest = self.Path(self.root, name)
            if self.fs.exists(dest):
                self.fs.delete(dest, True)
            if not self.fs.rename(self.Path(f"{staging}/{name}"), dest):
                raise RuntimeError(f"cannot move {staging}/{name} to {self.uri}/{name}")
        names = table_files(merged)
        for name in stale_files(names):
            path = self.Path(self.root, name)
            if self.fs.exists(path) and self.fs.getFileStatus(path).isFile():
                self.fs.delete(path, False)
        for name in names:
            src = self.Path("file://" + os.path.join(merged, name))
            self.fs.copyFromLocalFile(False, True, src, self.Path(self.root, name))

    def remove(self, staging):
        self.fs.delete(self.Path(staging), True)


def open_store(sc, uri, writer):
    """The store of --output: a plain path, else pyarrow.fs when it opens
    the URI (--writer auto or arrow), else Spark's writers."""
    if is_local(uri):
        return LocalStore(uri)
    if writer in ("auto", "arrow"):
        try:
            return ArrowStore(uri)
        except Exception as e:
            if writer == "arrow":
                raise RuntimeError(f"--writer arrow: pyarrow.fs cannot open {uri}: {e}") from None
    return HadoopStore(sc, uri)


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


def arrow_feed(sc, args, conf):
    """--feed arrow: the input as a DataFrame (spark.read.text, one
    partition per core as with the default feed), its lines counted per
    partition in the JVM (spark_partition_id), then mapInArrow hands each
    task its lines as Arrow batches, joined into alam's stdin blocks by
    Arrow (arrow_blocks). Returns an RDD of partition_task's records."""
    if conf["mode"] == "spark":
        raise RuntimeError("--feed arrow writes a plain path or through pyarrow.fs (not --writer spark)")
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = SparkSession.builder.getOrCreate()
    size = input_bytes(sc, args.input) or 0
    parts = args.partitions or sc.defaultParallelism
    if size:
        split = max(-(-size // parts), 1 << 20)
        spark.conf.set("spark.sql.files.maxPartitionBytes", str(min(split, MAX_SPLIT)))
    df = spark.read.text(args.input)
    counts = dict(df.groupBy(F.spark_partition_id().alias("p")).count().collect())
    n = df.rdd.getNumPartitions()
    starts, total = [], 0
    for i in range(n):
        starts.append(total)
        total += counts.get(i, 0)
    conf["starts"] = starts

    def task(batches):
        import pyarrow as pa
        from pyspark import TaskContext

        split = TaskContext.get().partitionId()
        out = {"kind": [], "split": [], "n": [], "info": []}
        for rec in partition_task(conf, split, arrow_blocks(batches)):
            out["kind"].append(rec[0])
            out["split"].append(rec[1])
            out["n"].append(rec[2] if rec[0] == "part" else 0)
            out["info"].append(json.dumps(rec[3]) if rec[0] == "part" else rec[2])
        yield pa.RecordBatch.from_pydict(out)

    schema = "kind string, split long, n long, info string"
    rows = df.mapInArrow(task, schema).rdd
    return rows.map(
        lambda r: ("part", r.split, r.n, json.loads(r.info)) if r.kind == "part" else (r.kind, r.split, r.info)
    )


def pipe_feed(sc, args, conf, lines):
    """--feed pipe: PySpark's RDD.pipe runs one shell per partition that
    reads the partition's number from its first line and execs alam (the
    lines decoded to text, as pipe needs, and encoded again by it). A
    failure is pipe's "exited with error code" (alam's message only in the
    executor's log). Returns an RDD of the tasks' records."""
    if conf["mode"] != "local" or not args.alam:
        raise RuntimeError("--feed pipe needs --alam PATH and a plain --output path")
    cmd, cwd = alam_command(conf, "$BEFORE", "$DIR")
    if cwd:
        raise RuntimeError("--feed pipe needs --gazetteer DIR")
    script = (
        'read split; BEFORE=$(echo "$STARTS" | cut -d" " -f$((split + 1))); '
        'DIR="$STAGING/tables/part-$(printf %05d "$split")"; mkdir "$DIR" || exit 3; '
        "exec " + " ".join(a if a in ("$BEFORE", "$DIR") else shlex.quote(a) for a in cmd)
    )
    script = script.replace(" $BEFORE ", ' "$BEFORE" ').replace(" $DIR ", ' "$DIR" ')
    env = dict(alam_env(), STARTS=" ".join(map(str, conf["starts"])), STAGING=conf["staging"])
    text = sc.textFile(args.input, lines.getNumPartitions())  # str lines: pipe writes str

    def finish(split, out):
        for _ in out:  # alam's stdout (-q: nothing); ends when alam exited 0
            pass
        part = os.path.join(conf["staging"], "tables", f"part-{split:05d}")

        def place(name, path):
            final = os.path.join(conf["staging"], name, f"part-{split:05d}")
            os.replace(path, final)
            fsync(final)

        yield ("part", split, 1, split_off_documents(part, split, place))

    piped = text.mapPartitionsWithIndex(lambda i, it: itertools.chain([str(i)], it))
    piped = piped.pipe("sh -c " + shlex.quote(script), env=env, checkCode=True)
    return piped.mapPartitionsWithIndex(finish)


def wait_for_tasks(sc, log, timeout=120):
    """After a failed job: waits until no task runs any more (Spark kills
    the others, their Python workers within spark.python.task.killTimeout,
    and alam dies with its worker), so that the staging folder is removed
    after the last write into it."""
    tracker = sc._jsc.sc().statusTracker()
    deadline = time.time() + timeout
    while time.time() < deadline:
        running = sum(e.numRunningTasks() for e in tracker.getExecutorInfos())
        if running == 0:
            break
        time.sleep(0.2)
    else:
        log(f"tasks still running after {timeout} s; removing the staging folder anyway")
    kill = sc.getConf().get("spark.python.task.killTimeout", "2s")
    try:
        secs = float(kill.rstrip("s")) if not kill.endswith("ms") else float(kill[:-2]) / 1000
    except ValueError:
        secs = 2.0
    time.sleep(min(secs + 0.5, 10))


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

    if args.feed == "arrow":
        lines, starts = None, None  # counted per DataFrame partition below
    else:
        lines, starts = read_input(sc, args.input, args.partitions)
    conf["starts"] = starts
    count_secs = time.time() - started
    alam = resolve_alam(args.alam)  # the driver's copy (client or local mode)
    store = open_store(sc, args.output, args.writer)
    conf["mode"] = store.kind
    run = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    staging = store.staging(run)
    conf["staging"] = staging
    log(f"writer: {store.kind}")
    tmp = tempfile.mkdtemp(prefix="alam-spark-")
    running = False
    try:
        t0 = time.time()
        conf["feed"] = args.feed
        if args.feed == "arrow":
            results = arrow_feed(sc, args, conf)
        elif args.feed == "pipe":
            results = pipe_feed(sc, args, conf, lines)
        else:
            results = lines.mapPartitionsWithIndex(lambda i, rows: partition_task(conf, i, rows))
        running = True
        if store.kind == "spark":
            results = results.persist(StorageLevel.MEMORY_AND_DISK)
            parts = results.filter(lambda r: r[0] in ("part", "failed")).collect()
        else:
            parts = results.collect()
        running = False
        parts.sort(key=lambda r: r[1])
        failed = [p for p in parts if p[0] == "failed"]
        if failed:  # the first bad line of the input: that of the first failed partition
            raise RuntimeError(failed[0][2])
        if store.kind == "spark":
            tables = results.filter(lambda r: r[0] == "tables").map(lambda r: r[2])
            tables.saveAsTextFile(staging + "/tables")
            for name in PER_DOCUMENT:  # folders of part files, in input order
                docs = results.filter(lambda r, name=name: r[0] == "doc" and r[1] == name)
                docs.map(lambda r: r[3]).saveAsTextFile(staging + "/" + name)
        alam_secs = time.time() - t0
        headers = {}
        for p in parts:
            headers.update(p[3])
        if not headers:
            raise RuntimeError(f"no lines in {args.input}")
        splits = [p[1] for p in parts if p[2]]
        t1 = time.time()
        dirs = store.tables(staging, tmp, splits)
        fetch_secs = time.time() - t1
        merged = store.merged(staging, tmp)
        merge_secs = merge_parts(alam, dirs, merged)
        with open(os.path.join(merged, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        # The CSV headers are in part 0's files: the first partition had no
        # lines (an empty first file), so that part is the headers alone.
        if parts[0][2] == 0:
            for name, header in headers.items():
                store.write(staging, f"{name}/part-00000", header.encode("utf-8"))
        store.commit(staging, merged)
    except BaseException:
        if running:  # a task raised: the others may still be writing
            wait_for_tasks(sc, log)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        store.remove(staging)
    secs = time.time() - started
    moved = metrics.moved()
    collected = len(pickle.dumps(parts))
    log(f"gazetteer {summary.get('gazetteer')}")
    log(
        f"{len(dirs)} partial folders; counting lines {count_secs:.2f} s, alam {alam_secs:.2f} s, "
        f"merge {merge_secs:.2f} s (reading the partial tables {fetch_secs:.2f} s)"
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
