#!/usr/bin/env bash
# Regenerates docs/report.png, the README's screenshot of report.html, from the
# invented documents of gen_docs.py (without its hostile test documents).
# Run from anywhere after `cargo build --release`; needs chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=target/browser/readme
rm -rf "$work"
mkdir -p "$work" docs
python3 tests/browser/gen_docs.py "$work/all.jsonl" 400
grep -v -e '<script>' -e 'onmouseover' -e '</svg>' "$work/all.jsonl" >"$work/docs.jsonl"
target/release/alam extract "$work/docs.jsonl" -o "$work/out" --format html -q
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --virtual-time-budget=5000 --hide-scrollbars \
    --window-size=1280,1400 --screenshot=docs/report.png "file://$PWD/$work/out/report.html" 2>/dev/null
ls -l docs/report.png
