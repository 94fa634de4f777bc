"""The property commands of the `scalebridge` CLI: JSON keys, structure files, resume, errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from scalebridge import structures
from scalebridge.oracle import potentials_dir
from conftest import scalebridge_cli


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([scalebridge_cli(), *args], capture_output=True, text=True, cwd=cwd)


def test_elastic_json_has_c_gpa_and_moduli(tmp_path):
    pot = os.path.join(potentials_dir() or "", "Cu_mishin1.eam.alloy")
    if not os.path.exists(pot):
        pytest.skip("no Cu_mishin1")
    r = _run("elastic", "--potential", pot, "--lattice", "fcc", "--a", "3.6", "--repeat", "3", "--json", "--plot", "ss.svg", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    c = np.array(out["C_GPa"])
    assert c.shape == (6, 6)
    assert c[0, 0] == pytest.approx(169.9, rel=0.005) and c[3, 3] == pytest.approx(76.2, rel=0.005)
    q = out["moduli"]["quantities"]
    for key in ("bulk_modulus_hill", "shear_modulus_hill", "youngs_modulus", "poisson_ratio", "debye_temperature"):
        assert key in q and q[key]["unit"]
    assert out["provenance"]["protocol"] == "elastic/static"
    assert (tmp_path / "ss.svg").exists()
    # finished stages are cached under the task id; a rerun resumes from them
    assert any((tmp_path / ".scalebridge-cache").iterdir())
    again = _run("elastic", "--potential", pot, "--lattice", "fcc", "--a", "3.6", "--repeat", "3", "--json", cwd=tmp_path)
    assert json.loads(again.stdout)["C_GPa"] == out["C_GPa"]


def test_elastic_builtin_element_and_structure_file(tmp_path):
    atoms = structures.bulk("Ni", "fcc", a=3.52, repeat=2)
    structures.write(str(tmp_path / "ni.extxyz"), atoms)
    r = _run("elastic", "--element", "Ni", "--structure", "ni.extxyz", "--json", "--no-cache", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    c = np.array(json.loads(r.stdout)["C_GPa"])
    # Zhou 2004 Ni (tabulated): 246.8, 147.3, 124.9 GPa from the analytic functions
    assert c[0, 0] == pytest.approx(246.8, rel=0.02) and c[3, 3] == pytest.approx(124.9, rel=0.02)


def test_property_commands_report_bad_input(tmp_path):
    r = _run("elastic", "--element", "Cu", "--strain", "0.3", cwd=tmp_path)
    assert r.returncode != 0 and "strain" in r.stderr
    r = _run("elastic", "--element", "Unobtainium", cwd=tmp_path)
    assert r.returncode != 0 and "Unobtainium" in r.stderr
    (tmp_path / "bad.extxyz").write_text("2\nLattice=\"1 0 0 0 1 0\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n")
    r = _run("elastic", "--element", "Cu", "--structure", "bad.extxyz", cwd=tmp_path)
    assert r.returncode != 0 and "bad.extxyz" in r.stderr
    r = _run("diffusion", "--element", "Cu", "--temperature", "-3", cwd=tmp_path)
    assert r.returncode != 0 and "temperature" in r.stderr


def test_conductivity_and_melting_commands(tmp_path):
    r = _run("conductivity", "--element", "Cu", "--repeat", "3", "--steps", "1000", "--equilibration-steps", "100",
             "--runs", "2", "--correlation-time", "0.2", "--json", "--no-cache", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["kappa"]["unit"] == "W/(m K)" or "W" in out["kappa"]["unit"]
    assert len(out["per_seed"]) == 2 and out["provenance"]["protocol"].startswith("thermal_conductivity")
    assert "warning" in r.stderr  # 1 ps of production cannot give a converged plateau, and says so
    r = _run("conductivity", "--element", "Cu", "--method", "nemd", "--slabs", "5", "--no-cache", cwd=tmp_path)
    assert r.returncode != 0 and "slabs" in r.stderr
    r = _run("melting", "--element", "Cu", "--temperature=-100", "--no-cache", cwd=tmp_path)
    assert r.returncode != 0 and "guess" in r.stderr.lower()
    r = _run("melting", "--element", "Cu", "--temperature", "1300", "--phase", "voronoi", "--no-cache", cwd=tmp_path)
    assert r.returncode != 0 and "phase" in r.stderr
