"""Minimisation against published values: fcc Cu with Cu_mishin1.eam.alloy relaxes to
a = 3.615 Å and E = −3.54 eV/atom (Mishin et al., Phys. Rev. B 63, 224106 (2001)) to 1e-4."""

from __future__ import annotations

import os

import numpy as np
import pytest
from ase.build import bulk

from scalebridge import potentials
from scalebridge.dynamics import minimize
from scalebridge.exceptions import CalculationFailed
from scalebridge.oracle import potentials_dir

MISHIN = os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy")


def start(a: float = 3.50, seed: int = 0):
    atoms = bulk("Cu", "fcc", a=a, cubic=True).repeat(3)
    rng = np.random.default_rng(seed)
    atoms.positions += rng.uniform(-0.05, 0.05, atoms.positions.shape)
    return atoms


@pytest.mark.parametrize("algorithm,relax", [("fire", "iso"), ("cg", "iso"), ("cg", "aniso"), ("fire", "tri")])
def test_cu_mishin_lattice_constant_and_energy(algorithm, relax):
    pot = potentials.load(MISHIN)
    atoms, rep = minimize(start(), pot, algorithm=algorithm, fmax=1e-5, relax_cell=relax, stress_tol_gpa=1e-5)
    a = atoms.get_volume() ** (1 / 3) / 3
    assert a == pytest.approx(3.615, rel=1e-4)
    assert rep["energy_per_atom_eV"] == pytest.approx(-3.54, rel=1e-4)
    assert rep["fmax_eV_A"] < 1e-5
    assert max(abs(p) for p in rep["pressure_GPa"][:3]) < 1e-4


def test_relax_under_pressure_shrinks_the_cell():
    pot = potentials.load(MISHIN)
    v0 = minimize(start(3.6), pot, relax_cell="iso")[0].get_volume()
    atoms, rep = minimize(start(3.6), pot, relax_cell="tri", pressure_gpa=10.0, stress_tol_gpa=1e-5)
    assert rep["pressure_GPa"][:3] == pytest.approx([10.0] * 3, abs=1e-5)
    assert rep["pressure_GPa"][3:] == pytest.approx([0.0] * 3, abs=1e-5)
    # B = 138 GPa, B' ≈ 5 (Mishin Cu): Murnaghan V/V0 = (1 + B'P/B)^(-1/B') ≈ 0.94
    assert atoms.get_volume() / v0 == pytest.approx((1 + 5 * 10 / 138.4) ** (-1 / 5), abs=0.01)


def test_not_converged_raises():
    pot = potentials.load(MISHIN)
    with pytest.raises(CalculationFailed, match="did not converge"):
        minimize(start(3.45), pot, relax_cell="iso", max_iter=3)
