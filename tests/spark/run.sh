#!/usr/bin/env bash
# The Spark job (spark/alam_job.py) against the single-machine run, byte for
# byte. Called from the repository root after `cargo build --release`.
#
# The job runs alam extract once per partition and alam merge on the partial
# folders; every file is compared, the per-document ones included.
#
# Installs what is missing: a venv target/spark-venv with pyspark==4.3.0
# and pyarrow==26.0.1 (kept between runs), Java 17 (Debian's
# openjdk-17-jre-headless). Runs the job in local[2] on a few thousand
# generated documents, to a plain path and to file:// URIs through both
# writers (pyarrow.fs in the tasks, Spark's saveAsTextFile), compares every
# file with `alam extract`'s, checks that --strict fails the job on a broken
# line naming the first one of the input and leaves an earlier output as it
# was, prints the bytes collected by the driver and the throughput of both,
# and ends with `spark: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
ALAM=$ROOT/target/release/alam
WORK=$ROOT/target/spark
VENV=${SPARK_VENV:-$ROOT/target/spark-venv} # kept between runs; pip caches the built wheel too
DOCS=target/spark/docs.jsonl # relative: documents without an id are named DOCS:LINE
BROKEN=target/spark/broken.jsonl
TWO_BAD=target/spark/two-bad.jsonl
N_DOCS=${SPARK_TEST_DOCS:-6000}

passed=0
failed=0
ok() {
    passed=$((passed + 1))
    echo "ok   $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
}
finish() {
    echo "spark: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
die() {
    echo "spark: setup failed: $1" >&2
    fail "setup: $1"
    finish
}
now() { date +%s.%N; }
mbps() { python3 -c "import sys; b,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{b/1e6/s:.2f} MB/s ({b/1e6:.1f} MB in {s:.1f} s)')" "$1" "$2"; }

[ -x "$ALAM" ] || die "$ALAM is missing: run cargo build --release first"
mkdir -p "$WORK"

# --- Java 17 or newer (Spark 4 needs 17+) -------------------------------
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
major=$(command -v java >/dev/null 2>&1 && java_major)
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    echo "== installing Java 17"
    (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) >"$WORK/apt.log" 2>&1 ||
        die "cannot install openjdk-17-jre-headless (see $WORK/apt.log)"
fi
echo "== $(java -version 2>&1 | head -n1)"

# --- pyspark in a venv (cached) -----------------------------------------
if ! "$VENV/bin/python" -c "import pyspark, pyarrow, sys; sys.exit(pyspark.__version__ != '4.3.0' or pyarrow.__version__ != '26.0.1')" 2>/dev/null; then
    echo "== installing pyspark==4.3.0 and pyarrow==26.0.1 into $VENV (a source package: 1-2 minutes)"
    t0=$(now)
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>"$WORK/venv.log"; then
        (apt-get update -qq && apt-get install -y -qq python3-venv) >>"$WORK/venv.log" 2>&1
        python3 -m venv "$VENV" 2>>"$WORK/venv.log" || die "python3 -m venv failed (see $WORK/venv.log)"
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check pyspark==4.3.0 pyarrow==26.0.1 >"$WORK/pip.log" 2>&1 ||
        die "pip install pyspark==4.3.0 pyarrow==26.0.1 failed (see $WORK/pip.log)"
    echo "   installed in $(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.0f}')" "$t0" "$(now)") s"
fi
export PATH="$VENV/bin:$PATH"
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$VENV/bin/python"
export PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
command -v spark-submit >/dev/null || die "spark-submit not in $VENV/bin"
echo "== pyspark $(python -c 'import pyspark; print(pyspark.__version__)'), pyarrow $(python -c 'import pyarrow; print(pyarrow.__version__)'), $($ALAM --version)"

# --- inputs -------------------------------------------------------------
python3 tests/spark/gen_docs.py "$N_DOCS" "$DOCS" --missing-id-every 50 || die "gen_docs.py failed"
python3 tests/spark/gen_docs.py 400 "$BROKEN" --broken-at 321 || die "gen_docs.py failed"
# Two bad lines, one in each of 2 partitions: the second partition's comes
# early in it, the first's late, so that the second partition fails first.
python3 tests/spark/gen_docs.py 12000 "$TWO_BAD" --clean --broken-at 5500 --broken-at 6500 ||
    die "gen_docs.py failed"
tar -czf "$WORK/gaz.tar.gz" -C gazetteers $(cd gazetteers && ls ./*.csv) || die "cannot pack gazetteers"
BYTES=$(stat -c %s "$DOCS")
echo "== $N_DOCS documents, $BYTES bytes in $DOCS"

SPARK=(spark-submit --master "local[2]" --conf spark.ui.enabled=false
    --conf spark.sql.shuffle.partitions=2 --conf spark.task.maxFailures=1)

# Every file alam extract --format csv,json writes but summary.json.
FILES="entities.csv cooccurrence.csv discovered.csv entities.json cooccurrence.json mentions.jsonl documents.csv mentions.csv"
same_files() { # same_files LABEL EXTRACT_DIR JOB_DIR (a folder of part files: joined)
    local label=$1 a=$2 b=$3 f got
    for f in $FILES; do
        got=$b/$f
        if [ -d "$b/$f" ]; then
            got=$WORK/joined.tmp
            cat "$b/$f"/part-* >"$got"
        fi
        if [ -f "$a/$f" ] && [ -f "$got" ] && cmp -s "$a/$f" "$got"; then
            ok "$label: $f identical ($(wc -l <"$a/$f") lines$([ -d "$b/$f" ] && echo ", $(ls "$b/$f"/part-* | wc -l) part files"))"
        else
            fail "$label: $f differs"
            [ -f "$a/$f" ] && [ -f "$got" ] && diff "$a/$f" "$got" | head -n 6
        fi
    done
    rm -f "$WORK/joined.tmp"
}

same_summary() { # summary.json, all but the gazetteer's folder name and the run id
    # (derived from the files, the summary included) must be extract's: totals,
    # settings, and the tables listed with their sizes (the per-document files
    # are folders of part files, not listed)
    python3 - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(p + "/summary.json")) for p in sys.argv[1:3])
ga, gb = a.pop("gazetteer").split()[-1], b.pop("gazetteer").split()[-1]
a.pop("run_id"), b.pop("run_id")
per_doc = ("mentions.jsonl", "documents.csv", "mentions.csv")
a["files"] = [f for f in a["files"] if f["name"] not in per_doc]
sys.exit(0 if a == b and ga == gb else 1)
EOF
}

# --- 1. shipped binary and gazetteer archive, sentence window -----------
echo "== alam extract (single machine)"
rm -rf "$WORK/extract"
t0=$(now)
"$ALAM" extract "$DOCS" --text-field title,text -o "$WORK/extract" --format csv,json -q 2>"$WORK/extract.log" ||
    fail "alam extract exited non-zero"
EXTRACT_SECS=$(python3 -c "import sys; print(float(sys.argv[2])-float(sys.argv[1]))" "$t0" "$(now)")

echo "== spark-submit local[2]: --files alam --archives gaz.tar.gz#gaz"
rm -rf "$WORK/out"
# An earlier run's files that this run does not write (a dated run's tables
# by period, a graph file), and a file alam never writes: the commit removes
# the first two, as alam extract does, and keeps the third.
mkdir -p "$WORK/out" && echo stale >"$WORK/out/periods.csv" && echo stale >"$WORK/out/graph.gexf" &&
    echo mine >"$WORK/out/notes.txt"
t0=$(now)
if "${SPARK[@]}" --files "$ALAM" --archives "$WORK/gaz.tar.gz#gaz" spark/alam_job.py \
    --input "$DOCS" --output "$WORK/out" --text-field title,text >"$WORK/spark.log" 2>&1; then
    ok "spark job (sentence window) exited 0"
    grep "^alam-spark: " "$WORK/spark.log" | sed 's/^/   /'
else
    fail "spark job (sentence window) exited non-zero: see $WORK/spark.log"
    grep "alam-spark" "$WORK/spark.log" | tail -n 5
fi
SPARK_SECS=$(python3 -c "import sys; print(float(sys.argv[2])-float(sys.argv[1]))" "$t0" "$(now)")
JOB_SECS=$(sed -n 's/^alam-spark: done in \([0-9.]*\) s.*/\1/p' "$WORK/spark.log")
same_files "sentence" "$WORK/extract" "$WORK/out"
[ ! -e "$WORK/out/periods.csv" ] && [ ! -e "$WORK/out/graph.gexf" ] && [ -f "$WORK/out/notes.txt" ] &&
    ok "plain path: an earlier run's periods.csv and graph.gexf removed, another file kept" ||
    fail "plain path: stale files left or a foreign file removed: $(ls "$WORK/out" | tr '\n' ' ')"
if same_summary "$WORK/extract" "$WORK/out"; then
    ok "sentence: summary.json totals and gazetteer hash equal"
else
    fail "sentence: summary.json differs"
fi
if grep -q "\"gazetteer\": \"gaz $("$ALAM" --version | sed 's/.* \([0-9a-f]\{16\}\))$/\1/')\"" "$WORK/out/summary.json"; then
    ok "summary.json records the shipped gazetteer (gaz HASH)"
else
    fail "summary.json gazetteer label: $(grep gazetteer "$WORK/out/summary.json")"
fi
missing=$(cat "$WORK/out/mentions.jsonl"/part-* | grep -c "^{\"doc_id\":\"$DOCS:" || true)
if [ "$missing" -gt 0 ]; then
    ok "documents without an id are named $DOCS:LINE as by extract ($missing)"
else
    fail "no document without an id in the output"
fi

# --- 2. --alam/--gazetteer, paragraph window, Hadoop (file://) output ----
echo "== spark-submit local[2]: --alam --gazetteer, paragraph window, --date-field --bucket week, file:// output, 5 partitions"
rm -rf "$WORK/extract-par" "$WORK/out-par"
"$ALAM" extract "$DOCS" --text-field title,text --window paragraph -o "$WORK/extract-par" \
    --date-field published --bucket week \
    --format csv,json -q 2>/dev/null || fail "alam extract --window paragraph exited non-zero"
if "${SPARK[@]}" spark/alam_job.py --alam "$ALAM" --gazetteer gazetteers --window paragraph \
    --date-field published --bucket week \
    --partitions 5 --input "$DOCS" --output "file://$WORK/out-par" --text-field title,text \
    >"$WORK/spark-par.log" 2>&1; then
    ok "spark job (paragraph window, file:// output) exited 0"
    grep "^alam-spark: " "$WORK/spark-par.log" | sed 's/^/   /'
    grep -q "^alam-spark: writer: arrow" "$WORK/spark-par.log" &&
        ok "file:// output: written by the tasks through pyarrow.fs (--writer auto)" ||
        fail "file:// output: not written through pyarrow.fs"
else
    fail "spark job (paragraph window) exited non-zero: see $WORK/spark-par.log"
    grep "alam-spark" "$WORK/spark-par.log" | tail -n 5
fi
for f in mentions.jsonl documents.csv mentions.csv; do
    parts=$(ls "$WORK/out-par/$f"/part-* 2>/dev/null | wc -l)
    [ "$parts" -ge 5 ] && ok "file:// output: $f is a folder of $parts part files" ||
        fail "file:// output: expected $f/part-* files (5 or more), found $parts"
done
same_files "paragraph" "$WORK/extract-par" "$WORK/out-par"
# The same run is dated (--date-field published --bucket week): the tables
# by period are extract's too, byte for byte.
FILES="periods.csv entities_by_period.csv cooccurrence_by_period.csv" same_files "paragraph, by week" "$WORK/extract-par" "$WORK/out-par"
if same_summary "$WORK/extract-par" "$WORK/out-par"; then
    ok "paragraph: summary.json totals equal"
else
    fail "paragraph: summary.json differs"
fi
staged=$(ls -A "$WORK/out-par" | grep -c alam-spark)
[ "$staged" -eq 0 ] && ok "file:// output: no staging folder left" || fail "file:// output: staging folder left"

# --- 2b. the same through Spark's writers (no pyarrow on a cluster) ------
echo "== spark-submit local[2]: file:// output through Spark's writers (--writer spark), 3 partitions"
rm -rf "$WORK/out-sw"
# Over the dated run's output: its tables by period must go.
cp -r "$WORK/out-par" "$WORK/out-sw"
if "${SPARK[@]}" spark/alam_job.py --alam "$ALAM" --gazetteer gazetteers --partitions 3 \
    --input "$DOCS" --output "file://$WORK/out-sw" --text-field title,text --writer spark \
    >"$WORK/spark-sw.log" 2>&1 && grep -q "^alam-spark: writer: spark" "$WORK/spark-sw.log"; then
    ok "spark job (--writer spark) exited 0"
    grep "^alam-spark: " "$WORK/spark-sw.log" | sed 's/^/   /'
else
    fail "spark job (--writer spark) failed: see $WORK/spark-sw.log"
    grep "alam-spark" "$WORK/spark-sw.log" | tail -n 5
fi
# The gazetteer label differs (gazetteers, not the shipped gaz): compare files only.
same_files "spark writers" "$WORK/extract" "$WORK/out-sw"
left=$(ls "$WORK/out-sw" | grep -c "period" || true)
[ "$left" -eq 0 ] && ok "spark writers: the earlier dated run's tables by period removed" ||
    fail "spark writers: $left tables by period of the earlier run left"

# --- 2c. the other feeds (--feed pipe, --feed arrow), kept for measuring -
rm -rf "$WORK/extract-builtin" # alam's built-in gazetteer, as the jobs below
"$ALAM" extract "$DOCS" --text-field title,text -o "$WORK/extract-builtin" --format csv,json -q 2>/dev/null
for feed in pipe arrow; do
    if [ "$feed" = arrow ] && ! python -c "import pandas" 2>/dev/null; then
        # mapInArrow needs pandas; installed here, not required by the job
        "$VENV/bin/pip" install -q --disable-pip-version-check pandas==3.1.1 >>"$WORK/pip.log" 2>&1 ||
            { echo "skip --feed arrow: pip install pandas==3.1.1 failed (see $WORK/pip.log)"; continue; }
    fi
    echo "== spark-submit local[2]: --feed $feed"
    rm -rf "$WORK/out-$feed"
    if "${SPARK[@]}" spark/alam_job.py --alam "$ALAM" --input "$DOCS" --output "$WORK/out-$feed" \
        --text-field title,text --feed "$feed" >"$WORK/spark-$feed.log" 2>&1; then
        ok "spark job (--feed $feed) exited 0"
        grep "^alam-spark: " "$WORK/spark-$feed.log" | sed 's/^/   /'
    else
        fail "spark job (--feed $feed) failed: see $WORK/spark-$feed.log"
        grep "alam-spark" "$WORK/spark-$feed.log" | tail -n 5
    fi
    same_files "--feed $feed" "$WORK/extract-builtin" "$WORK/out-$feed"
done

# --- 3. --strict: one broken line fails the job --------------------------
echo "== spark-submit --strict on a broken line"
rm -rf "$WORK/out-strict"
if "${SPARK[@]}" --files "$ALAM" --archives "$WORK/gaz.tar.gz#gaz" spark/alam_job.py \
    --input "$BROKEN" --output "$WORK/out-strict" --strict --partitions 3 >"$WORK/spark-strict.log" 2>&1; then
    fail "--strict: the job exited 0 on a broken line"
else
    ok "--strict: spark-submit exited non-zero on a broken line"
fi
if grep -q "alam-spark: failed: .*" "$WORK/spark-strict.log" &&
    grep -q "stopping at the first error ($BROKEN:321)" "$WORK/spark-strict.log"; then
    ok "--strict: the failure names the broken line ($BROKEN:321)"
else
    fail "--strict: no message naming $BROKEN:321"
fi
[ ! -e "$WORK/out-strict/entities.csv" ] && ok "--strict: no tables written" || fail "--strict: tables written"
sleep 3 # a task still writing would show by now
left=$(ls -A "$WORK/out-strict" 2>/dev/null | grep -v '^\.alam\.lock$' | tr '\n' ' ')
[ -z "$left" ] && ok "--strict: no part files nor partial folders left" || fail "--strict: left in the output: $left"

# Two bad lines in two partitions: the job names the first one of the input
# (as alam extract --strict does), whichever task fails first, and an earlier
# complete output in the same folder is left as it was.
rm -rf "$WORK/out-two" && cp -r "$WORK/out" "$WORK/out-two"
if "${SPARK[@]}" spark/alam_job.py --alam "$ALAM" --gazetteer gazetteers --input "$TWO_BAD" \
    --output "$WORK/out-two" --strict --partitions 2 >"$WORK/spark-two.log" 2>&1; then
    fail "--strict, two bad lines: the job exited 0"
else
    ok "--strict, two bad lines: spark-submit exited non-zero"
fi
if grep -q "stopping at the first error ($TWO_BAD:5500)" "$WORK/spark-two.log" &&
    grep "alam-spark: failed" -A 3 "$WORK/spark-two.log" | grep -q "$TWO_BAD:5500: malformed JSON"; then
    ok "--strict, two bad lines: the failure names the first one ($TWO_BAD:5500)"
else
    fail "--strict, two bad lines: the failure does not name $TWO_BAD:5500: $(grep -A 2 'alam-spark: failed' "$WORK/spark-two.log" | tr '\n' ' ')"
fi
sleep 3 # a task still writing would show by now
staged=$(ls -A "$WORK/out-two" | grep -c alam-spark)
[ "$staged" -eq 0 ] && ok "--strict, two bad lines: no staging folder left" || fail "--strict: staging folder left"
same_files "earlier output after a failed run" "$WORK/extract" "$WORK/out-two"

# A task that fails otherwise (here alam "crashes" on the second partition
# while the first one runs): its message is quoted, nothing is left.
printf '#!/bin/sh\ncase " $* " in\n  *" --stdin-lines-before 0 "*) exec %s "$@" ;;\n  *) echo "simulated crash" >&2; exit 3 ;;\nesac\n' \
    "$ALAM" >"$WORK/crash-alam" && chmod +x "$WORK/crash-alam"
rm -rf "$WORK/out-crash"
if "${SPARK[@]}" spark/alam_job.py --alam "$WORK/crash-alam" --input "$DOCS" --output "$WORK/out-crash" \
    --partitions 2 >"$WORK/spark-crash.log" 2>&1; then
    fail "a crashing task: the job exited 0"
elif grep -A 2 "alam-spark: failed" "$WORK/spark-crash.log" | grep -q "exit code 3" &&
    grep -A 2 "alam-spark: failed" "$WORK/spark-crash.log" | grep -q "simulated crash"; then
    ok "a crashing task: the job fails quoting alam's exit code and stderr"
else
    fail "a crashing task: no message quoting it (see $WORK/spark-crash.log)"
fi
sleep 3
left=$(ls -A "$WORK/out-crash" 2>/dev/null | tr '\n' ' ')
[ -z "$left" ] && ok "a crashing task: nothing left in the output" || fail "a crashing task: left: $left"

rm -rf "$WORK/out-lax"
if "${SPARK[@]}" --files "$ALAM" spark/alam_job.py --input "$BROKEN" --output "$WORK/out-lax" \
    >"$WORK/spark-lax.log" 2>&1 &&
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (s['errors']==1 and s['documents']==400))" \
        "$WORK/out-lax/summary.json"; then
    ok "without --strict: the broken line is counted as an error, the job succeeds"
else
    fail "without --strict: the job failed or miscounted (see $WORK/spark-lax.log)"
fi

# --- throughput ----------------------------------------------------------
echo "== throughput on $DOCS"
echo "   alam extract (one machine, 2 cores): $(mbps "$BYTES" "$EXTRACT_SECS")"
echo "   spark-submit local[2] (wall, JVM start included): $(mbps "$BYTES" "$SPARK_SECS")"
[ -n "$JOB_SECS" ] && echo "   spark job from SparkContext start: $(mbps "$BYTES" "$JOB_SECS")"
COLLECTED=$(sed -n 's/^alam-spark: collected by the driver: \([0-9]*\) bytes.*/\1/p' "$WORK/spark.log")
[ -n "$COLLECTED" ] && echo "   collected by the driver: $COLLECTED bytes ($(python3 -c "import sys; print(f'{100*int(sys.argv[1])/int(sys.argv[2]):.4f}')" "$COLLECTED" "$BYTES")% of the input; the job has no shuffle stage)"
sed -n 's/^alam-spark: \([0-9]* partial folders.*\)/   \1/p' "$WORK/spark.log"
finish
