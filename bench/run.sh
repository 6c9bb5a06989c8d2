#!/usr/bin/env bash
# The benchmark of issue 5, from a fresh clone: builds alam and the floor, installs the peers in a
# venv, prepares the inputs under target/bench/, runs every contender, prints one table and
# writes target/bench/results.csv (and results.md). See bench/README.md.
#
#   bash bench/run.sh [--quick] [--big] [--runs N] [--size-mb MB] [--en-size-mb MB]
#
# Environment (flags win): RUNS (5), SIZE_MB (50, Arabic), EN_SIZE_MB (20), SPACY_MB (5),
# BIG=1 (same as --big), ALAM_CORPUS (default ../shared/corpus/ant-multisource-v2.1.jsonl.gz),
# PYTHON (the interpreter that creates the venv, default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-50}
EN_SIZE_MB=${EN_SIZE_MB:-20}
SPACY_MB=${SPACY_MB:-5}
BIG=${BIG:-0}
CORPUS=${ALAM_CORPUS:-$ROOT/../shared/corpus/ant-multisource-v2.1.jsonl.gz}
PYTHON=${PYTHON:-python3}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --quick) RUNS=1 SIZE_MB=5 EN_SIZE_MB=2 ;;
        --big) BIG=1 ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --size-mb) SIZE_MB=${2:?--size-mb needs a number}; shift ;;
        --en-size-mb) EN_SIZE_MB=${2:?--en-size-mb needs a number}; shift ;;
        -h|--help) usage ;;
        *) echo "bench: unknown option $1" >&2; usage ;;
    esac
    shift
done

STEP="starting"
trap 'echo "bench: FAILED during: $STEP (see the messages above)" >&2' ERR
step() { STEP=$1; echo "== $1" >&2; }

W=target/bench
VENV=target/bench-venv
# The binaries are copied here once built, so a rebuild during the run changes nothing.
ALAM=$W/bin/alam
FLOOR=$W/bin/floor
mkdir -p "$W/bin"

step "cargo build --release"
cargo build --release
step "cargo build --release --example floor"
cargo build --release --example floor
cp target/release/alam "$ALAM"
cp target/release/examples/floor "$FLOOR"
COMMIT=$(git describe --always --dirty 2>/dev/null || echo unknown)

step "Python venv with the peers ($VENV)"
if ! "$VENV/bin/python" -c 'import flashtext, ahocorasick, spacy' 2>/dev/null; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r bench/requirements.txt
    "$VENV/bin/python" -c 'import flashtext, ahocorasick, spacy'
fi
PY=$VENV/bin/python

step "alias list: alam gazetteer export > $W/aliases.tsv"
"$ALAM" gazetteer export > "$W/aliases.tsv"

step "Arabic corpus: first $SIZE_MB MB of $CORPUS"
[ -r "$CORPUS" ] || { echo "bench: corpus not found: $CORPUS (set ALAM_CORPUS)" >&2; false; }
AR=$W/ar-${SIZE_MB}mb.jsonl
[ -s "$AR" ] || "$PY" bench/prepare_corpus.py slice "$CORPUS" "$AR" --mb "$SIZE_MB"
SMALL=$W/ar-1mb.jsonl
[ -s "$SMALL" ] || "$PY" bench/prepare_corpus.py slice "$CORPUS" "$SMALL" --mb 1

step "English corpus: $EN_SIZE_MB MB generated from the gazetteer's Latin aliases"
EN=$W/en-${EN_SIZE_MB}mb.jsonl
# Regenerated every time: it depends on the alias list, which changes with the gazetteer.
"$PY" bench/gen_english.py "$W/aliases.tsv" "$EN" --mb "$EN_SIZE_MB"

step "1,000,000-alias gazetteer in $W/big-gaz"
[ -d "$W/big-gaz" ] || "$PY" bench/gen_aliases.py "$W/big-gaz" --aliases 1000000
"$ALAM" gazetteer export -g "$W/big-gaz" > "$W/big-aliases.tsv"

BIG_ARGS=()
if [ "$BIG" = 1 ]; then
    step "1 GB input: $AR repeated"
    BIG_IN=$W/ar-1gb.jsonl
    [ -s "$BIG_IN" ] || "$PY" bench/prepare_corpus.py repeat "$AR" "$BIG_IN" --mb 1000
    BIG_ARGS=(--big-input "$BIG_IN")
fi

step "benchmark ($RUNS run(s))"
"$PY" bench/bench.py --alam "$ALAM" --floor "$FLOOR" --ar "$AR" --en "$EN" \
    --aliases "$W/aliases.tsv" --small "$SMALL" --big-gaz "$W/big-gaz" \
    --big-aliases "$W/big-aliases.tsv" --runs "$RUNS" --spacy-mb "$SPACY_MB" \
    --commit "$COMMIT" --work "$W" --csv "$W/results.csv" ${BIG_ARGS[@]+"${BIG_ARGS[@]}"}
