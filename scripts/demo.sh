#!/usr/bin/env bash
# The main job: a design campaign (examples/campaigns/stiff-alloys.toml) that screens Zhou-EAM
# high-entropy-type alloys, alloy–alumina composites, Cu, solid argon and rock-salt oxides (MgO, CaO;
# Pedone 2006, PPPM) for stiff, not brittle
# materials by active learning. Installs into .venv first; ends with the ranked recommendations,
# the surrogate's accuracy on held-out simulations and the path of the HTML report.
# Re-running resumes (nothing stored is recomputed). The earlier argon NVE demo: `scalebridge demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The demo's surrogate is a Gaussian process, so a first install builds without the scale-fusion
# DNN (burn), which alone doubles a cold build (docs/DEVELOPING-build.md). An existing .venv keeps
# the features it was built with (scripts/test.sh and scripts/install.sh build with the DNN);
# SCALEBRIDGE_FEATURES=dnn bash scripts/demo.sh builds it here too.
if [ -z "${SCALEBRIDGE_FEATURES+set}" ]; then
  if [ -f .venv/.features-stamp ]; then SCALEBRIDGE_FEATURES="$(cat .venv/.features-stamp)"
  elif [ -x .venv/bin/scalebridge ]; then SCALEBRIDGE_FEATURES=dnn  # built before the stamp existed
  else SCALEBRIDGE_FEATURES=; fi
  export SCALEBRIDGE_FEATURES
  if [ -z "$SCALEBRIDGE_FEATURES" ]; then
    echo "[demo] building without the DNN (the demo uses a GP surrogate); bash scripts/install.sh adds it"
  fi
fi
bash scripts/install.sh
CAMPAIGN="${SCALEBRIDGE_CAMPAIGN:-examples/campaigns/stiff-alloys.toml}"
.venv/bin/scalebridge campaign run "$CAMPAIGN" "$@" > /dev/null
REPORT="$(.venv/bin/scalebridge campaign report "$CAMPAIGN")"
.venv/bin/scalebridge campaign status "$CAMPAIGN"
echo "report: $REPORT"
