#!/usr/bin/env bash
# The main job (for now): a short end-to-end MD demo. Installs into .venv first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
mkdir -p out
.venv/bin/scalebridge demo --out out "$@"
