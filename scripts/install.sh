#!/usr/bin/env bash
# Create (or reuse) .venv in the repository root and install scalebridge into it:
# the Python package (maturin, release build) and the `scalebridge` CLI (.venv/bin/scalebridge).
# Needs only Python >= 3.10, a Rust toolchain and pip. Idempotent and incremental.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "[install] creating .venv"
  "$PY" -m venv .venv
fi
export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
STAMP=.venv/.requirements-stamp
if [ ! -f "$STAMP" ] || ! cmp -s requirements.txt "$STAMP"; then
  echo "[install] installing Python requirements"
  python -m pip install -q --upgrade pip
  python -m pip install -q -r requirements.txt
  cp requirements.txt "$STAMP"
fi
# Build flags: optimise for the machine we run on (the benchmarks report them).
export RUSTFLAGS="${SCALEBRIDGE_RUSTFLAGS:--C target-cpu=native}"
# Cargo features of the extension and the CLI. Default "dnn": the scale-fusion deep network
# (burn's NdArray backend); SCALEBRIDGE_FEATURES= (empty) builds without it, and the DNN tests
# then skip. The two builds below share every compiled crate (the CLI step compiles only what the
# extension does not use: clap, evaluation, bench, the CLI itself); scripts/check_build_sharing.py
# checks that, docs/DEVELOPING-build.md has the cold-build measurements (scripts/measure_build.sh).
FEATURES="${SCALEBRIDGE_FEATURES-dnn}"
FEATURE_ARGS=()
if [ -n "$FEATURES" ]; then FEATURE_ARGS=(--features "$FEATURES"); fi
echo "[install] building the Python extension (maturin, release, features: ${FEATURES:-none}, RUSTFLAGS=$RUSTFLAGS)"
LOG="$(mktemp)"
if ! maturin develop --release "${FEATURE_ARGS[@]}" >"$LOG" 2>&1; then
  cat "$LOG"; rm -f "$LOG"
  echo "[install] maturin build failed" >&2
  exit 1
fi
grep -E '^(warning|error)' "$LOG" | sort -u | head -20 || true
rm -f "$LOG"
python -c "import scalebridge" 
echo "[install] building the CLI"
cargo build --release --quiet -p scalebridge-cli "${FEATURE_ARGS[@]}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
install -m 755 "$TARGET/release/scalebridge" .venv/bin/scalebridge
# which cargo features this .venv was built with (scripts/demo.sh keeps them on a rerun)
printf '%s' "$FEATURES" > .venv/.features-stamp
echo "[install] done: .venv/bin/scalebridge and .venv/bin/python (import scalebridge)"
