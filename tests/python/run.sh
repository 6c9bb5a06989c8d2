#!/usr/bin/env bash
# Builds the Python package's wheel (PyO3 + maturin, abi3 for CPython 3.9+),
# installs it in a fresh venv with pytest and pandas, and runs
# python/tests against it (ALAM_BIN: the release binary, for the test that
# compares alam.run with alam extract). Run by CI from the repo root after
# `cargo build --release`. The wheel is built into target/ (the Rust
# dependencies compiled for the binary are reused). Last line:
# "python: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/python-check
rm -rf "$work"
mkdir -p "$work"
fail() {
    echo "python: 0 passed, 1 failed ($1)"
    exit 1
}
python3 -m venv "$work/build-venv" && "$work/build-venv/bin/pip" install -q "maturin>=1.5,<2" ||
    fail "cannot install maturin"
CARGO_TARGET_DIR="$root/target" "$work/build-venv/bin/maturin" build --release -q \
    -m python/Cargo.toml -o "$work/wheels" || fail "maturin build"
wheel=$(ls "$work"/wheels/alam-*.whl | head -n 1)
echo "built $wheel"
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q "$wheel" "pytest>=7" "pandas>=1.3" ||
    fail "cannot install the wheel"
cd "$work" # not the repo: the tests must import the installed package
ALAM_BIN="$root/target/release/alam" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider \
    "$root/python/tests" 2>&1 | tee pytest.log
status=${PIPESTATUS[0]}
passed=$(grep -oE "[0-9]+ passed" pytest.log | tail -n 1 | grep -oE "[0-9]+" || echo 0)
failed=$(grep -oE "[0-9]+ (failed|error)" pytest.log | awk '{ s += $1 } END { print s + 0 }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "python: ${passed:-0} passed, $failed failed"
[ "$status" -eq 0 ]
