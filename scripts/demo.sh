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
bash scripts/install.sh
CAMPAIGN="${SCALEBRIDGE_CAMPAIGN:-examples/campaigns/stiff-alloys.toml}"
.venv/bin/scalebridge campaign run "$CAMPAIGN" "$@" > /dev/null
REPORT="$(.venv/bin/scalebridge campaign report "$CAMPAIGN")"
.venv/bin/scalebridge campaign status "$CAMPAIGN"
echo "report: $REPORT"
