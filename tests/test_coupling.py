"""scalebridge.coupling (docs/coupling.md): the thin binding over the coupling crate.

- the 1-D pulse benchmark through Python: the long pulse crosses with < 0.1 % reflected and the
  energy budget closes to 1 %;
- 2-D plane-strain force-based statics in fcc Al (Al_mm.eam.fs): the patch test's ghost forces are
  at round-off, and the coupled atoms of a block with a hole under shear agree with the fully
  atomistic block (both from the same Rust engine, the stiffness from the elastic protocol);
- bad options raise InputError naming the key; the coupling errors are in the error table.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from ase import Atoms

from conftest import lammps_potentials_dir
from scalebridge import _scalebridge as _sb
from scalebridge import coupling
from scalebridge.exceptions import InputError
from scalebridge.potentials import load


def _al():
    a = 4.05
    unit = Atoms("Al4", scaled_positions=[[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], cell=[a, a, a], pbc=True)
    pot = load(os.path.join(lammps_potentials_dir(), "Al_mm.eam.fs"), elements=["Al"])
    return unit, pot


def test_pulse1d_budget_closes_and_long_pulse_passes():
    r = coupling.pulse1d()
    assert r["reflected_fraction"] < 1e-3
    for case in ("long", "short"):
        b = r[case]
        total = b["reflected_fraction"] + b["transmitted_fraction"] + b["absorbed_fraction"] + b["remaining_fraction"]
        assert abs(1.0 - total) < 0.01, (case, b)
    # the short pulse (above the mesh cutoff) is absorbed, not reflected
    assert r["short"]["absorbed_fraction"] > 0.9 and r["short"]["reflected_fraction"] < 0.01


def test_plane_statics_patch_test_and_full_atomistics():
    unit, pot = _al()
    opts = {"model": {"block": [12, 12], "atomistic": [4, 4], "hole_radius": 5.0, "fmax": 1e-5}}
    r = coupling.plane_statics(unit, pot, opts, gradient=[[0.0, 0.02], [0.0, 0.0]])
    p = r["patch"]
    assert p["reference_force"] > 1e-2
    assert p["max_atom_force"] <= 1e-10 * p["reference_force"]
    assert p["max_node_force"] <= 1e-10 * p["reference_force"]
    c = r["comparison"]
    assert c["n_atoms"] == r["n_atoms_model"] == len(r["displacements"])
    assert c["max_nonaffine"] > 0.05
    assert c["max_deviation"] < 0.1 * c["max_nonaffine"], c
    assert r["n_atoms_exact"] > 4 * r["n_atoms_model"]
    C = np.array(r["C_GPa"])
    assert C[0, 0] == pytest.approx(C[1, 1], rel=1e-6) and C[3, 3] == pytest.approx(C[5, 5], rel=1e-6)


def test_bad_options_name_the_key():
    unit, pot = _al()
    with pytest.raises(InputError, match="hole_radiu"):
        coupling.plane_statics(unit, pot, {"model": {"hole_radiu": 3.0}})
    with pytest.raises(InputError, match="gradient"):
        coupling.plane_statics(unit, pot, gradient=[[0.5, 0.0], [0.0, 0.0]], reference=False)
    with pytest.raises(InputError, match="gama"):
        coupling.pulse1d({"gama": 1.0})


def test_coupling_errors_are_bridged():
    rows = [r for r in _sb._error_table() if r[0] == "coupling"]
    names = {v: e for _c, v, e in rows}
    assert names["InvalidParameter"] == "InputError"
    assert names["NotConverged"] == "CalculationFailed"


def _cu():
    return load(os.path.join(lammps_potentials_dir(), "Cu_u3.eam"), elements=["Cu"])


def test_indent3d_patch_test_and_model_only():
    # the model alone (no full-atomistic reference): the 3-D patch test is at round-off and the
    # indenter pushes the surface down (positive load, compressive zz stress under it)
    r = coupling.indent3d(_cu(), "Cu", {"depth": 1.0, "steps": 1}, exact=False)
    p = r["patch"]
    assert p["max_atom_force"] <= 1e-10 * p["reference_force"], p
    assert p["max_node_force"] <= 1e-10 * p["reference_force"], p
    assert r["F_sim"] is None and r["stress_error_percent"] is None
    step = r["steps"][-1]
    assert step["load_model"] > 0.1, step
    assert step["stress_model_GPa"][2] < 0.0, step
    assert r["n_atoms_model"] > 100 and r["n_nodes"] > 100
    assert abs(r["lattice_constant"] - 3.615) < 0.01


@pytest.mark.slow
def test_indent3d_quick_size_against_full_atomistics():
    r = coupling.indent3d(_cu(), "Cu")
    assert r["atom_stress_error_percent"] < 3.0, r["steps"][-1]
    assert r["stress_error_percent"] < 8.0, r["steps"][-1]
    assert r["surface_stress_error_percent"] < 2.0, r["surface_stress_model_GPa"]
    assert r["load_error_percent"] < 1.5


def test_indent3d_bad_options_name_the_key():
    with pytest.raises(InputError, match="atomistc"):
        coupling.indent3d(_cu(), "Cu", {"model": {"atomistc": [3, 3, 3]}})
    with pytest.raises(InputError, match="depth"):
        coupling.indent3d(_cu(), "Cu", depth=20.0)
    with pytest.raises(InputError, match="stress_region"):
        coupling.indent3d(_cu(), "Cu", {"stress_region": [9, 3, 3]})
