#!/usr/bin/env bash
# Build everything and run all tests: cargo test (crates) and pytest (Python package, LAMMPS oracle).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
export PATH="$ROOT/.venv/bin:$PATH"
export RUSTFLAGS="${SCALEBRIDGE_RUSTFLAGS:--C target-cpu=native}"
status=0
echo "[test] the extension, the CLI and cargo test share every compiled crate (docs/DEVELOPING-build.md)"
python scripts/check_build_sharing.py || status=1
echo "[test] cargo test"
# same cargo features as scripts/install.sh (SCALEBRIDGE_FEATURES, default "dnn")
FEATURES="${SCALEBRIDGE_FEATURES-dnn}"
FEATURE_ARGS=()
for f in ${FEATURES//,/ }; do FEATURE_ARGS+=(--features "scalebridge-ml/$f" --features "scalebridge-cli/$f"); done
cargo test --release --workspace --exclude scalebridge-py "${FEATURE_ARGS[@]}" --no-fail-fast || status=1
if [[ ",$FEATURES," == *",dnn,"* ]]; then
  echo "[test] DNN inference on the portable kernels (SCALEBRIDGE_NO_AVX512)"
  SCALEBRIDGE_NO_AVX512=1 cargo test --release --workspace --exclude scalebridge-py "${FEATURE_ARGS[@]}" --lib -- dnn:: || status=1
fi
echo "[test] pytest"
python -m pytest -q "$@" || status=1
exit $status
