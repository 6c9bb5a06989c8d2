#!/usr/bin/env bash
# The Spark job (spark/alam_job.py) against `alam extract --threads 2` on the
# corpus, by hand (never in CI: it takes minutes). Called from the repository
# root after `cargo build --release` and one run of tests/spark/run.sh (which
# installs pyspark into target/spark-venv).
#
#   bash bench/spark_bench.sh [CORPUS.jsonl.gz] [PARTITIONS ...]
#
# Turns the corpus into JSONL (bench/prepare_corpus.py, all of it, under
# target/bench/), runs alam extract --threads 2 once to warm the page cache
# and once measured, then the job in local[2] once per partition count
# (default: Spark's default, 8 and 32), with the Spark UI on so that the job
# reads the bytes shuffled and the task results' size from the status REST
# API. SPARK_JOB=FILE runs another version of the job (e.g. the previous one,
# `git show REV:spark/alam_job.py`) the same way. FEEDS="subprocess pipe
# arrow" runs each partition count once per feed (--feed; arrow needs pandas
# and pyarrow in the venv), REPEAT=3 all of it three times (the medians are
# for the reader to take). Prints, per run: the job's time from SparkContext start and its
# throughput against extract's, the merge step's time, the bytes collected and
# shuffled against the input's size, and whether every file is byte for byte
# extract's.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ALAM=$ROOT/target/release/alam
CORPUS=${1:-/work/shared/corpus/ant-multisource-v2.1.jsonl.gz}
shift || true
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(0 8 32)
VENV=${SPARK_VENV:-$ROOT/target/spark-venv}
WORK=$ROOT/target/bench/spark
DOCS=target/bench/spark/corpus.jsonl
mkdir -p "$WORK"
[ -x "$ALAM" ] || { echo "run cargo build --release first" >&2; exit 1; }
[ -x "$VENV/bin/spark-submit" ] || { echo "run tests/spark/run.sh first (it installs pyspark into $VENV)" >&2; exit 1; }
JOB=${SPARK_JOB:-spark/alam_job.py} # SPARK_JOB=old_job.py: another version of the job, compared
export PATH="$VENV/bin:$PATH" SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python"

[ -f "$DOCS" ] || python3 bench/prepare_corpus.py slice "$CORPUS" "$DOCS" --mb 95 || exit 1
BYTES=$(stat -c %s "$DOCS")
echo "== $DOCS: $BYTES bytes, $(wc -l <"$DOCS") documents; $($ALAM --version)"
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$1" "$2"; }

# The machine is shared: extract runs right before and right after every job,
# and the job is compared with the mean of the two (wall and CPU seconds).
extract() { # prints "WALL CPU"
    /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" \
        "$ALAM" extract "$DOCS" --text-field title,text -o "$WORK/extract" --threads 2 -q
    awk '{print $1, $2 + $3}' "$WORK/time.txt"
}
extract >/dev/null # warm the page cache

FEEDS=${FEEDS:-subprocess}
REPEAT=${REPEAT:-1}
for rep in $(seq "$REPEAT"); do
for feed in $FEEDS; do
for p in "${PARTS[@]}"; do
    rm -rf "$WORK/out"
    BEFORE=$(extract)
    t0=$(now)
    /usr/bin/time -f "%e %U %S" -o "$WORK/time-job.txt" spark-submit --master "local[2]" --conf spark.task.maxFailures=1 --conf spark.ui.showConsoleProgress=false \
        "$JOB" --alam "$ALAM" --input "$DOCS" --output "$WORK/out" --text-field title,text \
        --partitions "$p" --feed "$feed" >"$WORK/spark-$p.log" 2>&1 || { echo "job failed: $WORK/spark-$p.log"; continue; }
    WALL=$(secs "$t0" "$(now)")
    JOBCPU=$(awk '{print $2 + $3}' "$WORK/time-job.txt")
    AFTER=$(extract)
    EXTRACT=$(echo "$BEFORE $AFTER" | awk '{printf "%.2f", ($1 + $3) / 2}')
    EXTRACTCPU=$(echo "$BEFORE $AFTER" | awk '{printf "%.2f", ($2 + $4) / 2}')
    echo "alam extract --threads 2 before/after (wall s, cpu s): $BEFORE / $AFTER; load $(cut -d' ' -f1-3 /proc/loadavg)"
    same=0 differ=""
    for f in entities.csv cooccurrence.csv entities.json cooccurrence.json discovered.csv mentions.jsonl documents.csv mentions.csv; do
        got=$WORK/out/$f
        [ -d "$got" ] && { cat "$got"/part-* >"$WORK/joined.tmp"; got=$WORK/joined.tmp; }
        if cmp -s "$WORK/extract/$f" "$got"; then same=$((same + 1)); else differ="$differ $f"; fi
    done
    python3 - "$WORK/spark-$p.log" "$BYTES" "$EXTRACT" "$WALL" "$p" "$same" "$differ" "$EXTRACTCPU" "$JOBCPU" "$feed" <<'EOF'
import re, sys
log, size, extract, wall, p, same, differ, ecpu, jcpu, feed = sys.argv[1:11]
text = open(log, encoding="utf-8", errors="replace").read()
get = lambda pat: (re.search(pat, text) or [None, None])[1]
job = float(get(r"alam-spark: done in ([0-9.]+) s"))
parts = get(r"alam-spark: (\d+) partial folders")
m = re.search(r"counting lines ([0-9.]+) s, alam ([0-9.]+) s, merge ([0-9.]+) s", text)
count, alam, merge = m.groups() if m else ("?", "?", "?")
collected = int(get(r"collected by the driver: (\d+) bytes") or -1)
m = re.search(r"Spark metrics: (\d+) bytes shuffled, (\d+) bytes of task results", text)
shuffled, results = (int(m[1]), int(m[2])) if m else (None, None)
size, extract = int(size), float(extract)
mbps = size / 1e6 / job
print(f"feed {feed}, partitions {p if p != '0' else 'default'} ({parts} parts): job {job:.1f} s = {mbps:.1f} MB/s "
      f"= {extract / job:.2f} x extract's {size / 1e6 / extract:.1f} MB/s (spark-submit wall {float(wall):.1f} s, "
      f"CPU {float(jcpu):.1f} s against extract's {float(ecpu):.1f} s); counting lines {count} s, "
      f"alam {alam} s, merge {merge} s; collected {collected} B ({100 * collected / size:.4f}% of input), "
      f"shuffled {shuffled} B, task results {results} B"
      f"{f' ({100 * results / size:.3f}%)' if results is not None else ''}; "
      f"files identical to extract: {same}/8{(' differ:' + differ) if differ.strip() else ''}")
EOF
done
done
done
