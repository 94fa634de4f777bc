"""`scalebridge bench md`: the benchmark runs the same system and protocol on both engines.

Only the physics is asserted (final energies and volume equal LAMMPS's), never the timings.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import scalebridge_cli as _cli


@pytest.mark.oracle
@pytest.mark.parametrize("threads", [1, 2])
def test_eam_small_npt_case_follows_lammps_fix_npt(threads):
    """`--case eam-small` (2,048 Cu atoms, Cu_u3.eam, `fix npt ... iso`), shortened to 300
    steps: the benchmark's own run and LAMMPS's end on the same energies and volume to 1e-10
    (same trajectory; our neighbour list is kept across cell changes), and the JSON carries the
    ratio and the memory per atom."""
    r = subprocess.run(
        [_cli(), "bench", "md", "--case", "eam-small", "--steps", "300", "--repeats", "1", "--threads", str(threads), "--json"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["natoms"] == 2048 and out["steps"] == 300
    for key in ("final_pe_eV", "final_ke_eV", "final_volume_A3"):
        assert out[key]["scalebridge"] == pytest.approx(out[key]["lammps"], rel=1e-10), key
    assert out["ratio"] > 0 and out["peak_rss_bytes_per_atom"] > 0
    assert 0 < out["engine_peak_rss_bytes_per_atom"] <= out["peak_rss_bytes_per_atom"]
    # NPT keeps the neighbour list across cell changes: never more builds than LAMMPS's
    # `neigh_modify every 1 delay 0 check yes` with its box check, and far fewer than steps
    builds = out["neighbor_builds"]
    assert 1 <= builds["scalebridge"] <= builds["lammps"] < 300 // 5, builds
