#!/usr/bin/env bash
# Build everything and run all tests: cargo test (crates) and pytest (Python package, LAMMPS oracle).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
export PATH="$ROOT/.venv/bin:$PATH"
export RUSTFLAGS="${SCALEBRIDGE_RUSTFLAGS:--C target-cpu=native}"
status=0
echo "[test] cargo test"
cargo test --release --workspace --exclude scalebridge-py --no-fail-fast || status=1
echo "[test] pytest"
python -m pytest -q "$@" || status=1
exit $status
