"""Cross-linked bead-spring networks: T_g and Young's modulus rise with conversion (slow).

Runs benchmarks/network_trends.py (three networks at conversion 0.30 / 0.60 / 0.90 through
`scalebridge describe --quick` at 300 K: glass-transition ladder, then elastic constants on the
quenched glass; 1,024-bead networks, seeds 1 and 3, 2.5 K/ps; ~20 min on two cores). Run with `pytest -m slow tests/test_network_trends.py`.
The builder's refusals of impossible targets are tested in tests/test_polymer_builders.py
(`test_network_conversion_and_refusals`) and crates/md/src/topology/builders/tests.rs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
@pytest.mark.xfail(reason="not shown (issue 19): at 1,024 beads and 3–5 seeds E rises with conversion but T_g "
                   "stays flat within ±20 K at 10, 2.5 and 0.625 K/ps in this bead-spring model "
                   "(docs/polymers.md, '1,024-bead networks'); the model, not the sampling, is what to change",
                   strict=False)
def test_tg_and_modulus_rise_with_crosslink_density(tmp_path):
    out = tmp_path / f"network_trends_{os.getpid()}.json"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "network_trends.py"), "--seeds", "1,3", "--scale", "4",
                        "--cooling-rate", "2.5", "--jobs", "2", "--out", str(out)], capture_output=True, text=True)
    assert out.exists(), r.stderr[-3000:]
    rep = json.loads(out.read_text())
    rows = [rep["conversions"][c] for c in ("0.30", "0.60", "0.90")]
    for q in ("T_g_K", "E_GPa"):
        vals = [row[q] for row in rows]
        assert vals[0] < vals[1] < vals[2], (q, vals, rep)
    assert r.returncode == 0, r.stdout[-3000:]
