"""ASE calculators as force providers for the protocols (the callback potential).

ASE's own ``LAMMPSlib`` running ``pair_style eam/alloy`` with Cu_mishin1 must give the same 0 K
elastic constants as the native potential (1e-4 relative) and a 300 K run whose mean agrees
within the standard errors; the same callback drives ``diffusivity``; ``thermal_conductivity``
(Green–Kubo) needs per-atom energies and virials, which LAMMPSlib lacks (a clear error), while a
calculator that has them (scalebridge's own ASE calculator) reproduces the native result.
Exceptions inside a calculator surface as themselves.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from ase.calculators.calculator import Calculator, all_changes

from scalebridge import potentials, structures
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.md import diffusivity, elastic_constants, thermal_conductivity
from scalebridge.oracle import lammps_available, open_lammps, potentials_dir

# short runs: the protocols warn that they are short; that is not what these tests check
pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore::scalebridge.properties.ProtocolWarning")]


def _mishin() -> str:
    if not lammps_available():
        pytest.skip("lammps wheel not available")
    path = os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy")
    if not os.path.exists(path):
        pytest.skip("Cu_mishin1.eam.alloy not available")
    return path


def lammpslib(path: str):
    """ASE's LAMMPSlib calculator with the same potential (the MPI library preloaded as
    scalebridge.oracle does for the wheel)."""
    open_lammps().close()  # preloads MPI for the wheel
    from ase.calculators.lammpslib import LAMMPSlib

    return LAMMPSlib(lmpcmds=["pair_style eam/alloy", f"pair_coeff * * {path} Cu"], atom_types={"Cu": 1}, keep_alive=True)


def cu(repeat: int = 3):
    return structures.bulk("Cu", "fcc", a=3.60, repeat=repeat)


def test_as_potential_passes_native_potentials_and_rejects_other_objects():
    pot = potentials.load(_mishin())
    assert potentials.as_potential(pot) is pot
    wrapped = potentials.as_potential(lammpslib(_mishin()))
    assert isinstance(wrapped, potentials.CalculatorPotential) and wrapped.pair_style == "ase:LAMMPSlib"
    with pytest.raises(TypeError, match="ASE calculator"):
        potentials.as_potential(42)


def test_elastic_static_lammpslib_equals_native():
    path = _mishin()
    native = elastic_constants(cu(), potentials.load(path))
    cb = elastic_constants(cu(), lammpslib(path))
    c0, c1 = np.asarray(native["C_GPa"]), np.asarray(cb["C_GPa"])
    scale = np.max(np.abs(c0))
    assert np.max(np.abs(c1 - c0)) <= 1e-4 * scale, (c0, c1)
    assert cb["provenance"]["potential_style"] == "ase:LAMMPSlib"


@pytest.mark.slow
def test_elastic_300k_lammpslib_agrees_within_standard_errors():
    path = _mishin()
    kw = dict(temperature=300.0, npt_steps=1000, equilibration_steps=200, production_steps=1000, blocks=5, seed=3, threads=1)
    native = elastic_constants(cu(), potentials.load(path), **kw)
    cb = elastic_constants(cu(), lammpslib(path), **kw)
    c0, c1 = np.asarray(native["C_GPa"]), np.asarray(cb["C_GPa"])
    s0, s1 = np.asarray(native["C_stderr_GPa"]), np.asarray(cb["C_stderr_GPa"])
    for i, j in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2), (3, 3), (4, 4), (5, 5)]:
        tol = 3.0 * np.hypot(s0[i, j], s1[i, j])
        assert abs(c1[i, j] - c0[i, j]) <= tol, ((i, j), c0[i, j], c1[i, j], tol)


def test_diffusivity_with_lammpslib_agrees_with_native():
    path = _mishin()
    kw = dict(timestep=0.002, equilibration_steps=500, production_steps=1500, sample_every=10, blocks=3, seed=2, threads=1)
    atoms = cu(3)
    native = diffusivity(atoms, potentials.load(path), 2200.0, **kw)
    cb = diffusivity(atoms, lammpslib(path), 2200.0, **kw)
    d0, d1 = native.value("diffusivity"), cb.value("diffusivity")
    tol = 3.0 * np.hypot(native.stderr("diffusivity") or 0.0, cb.stderr("diffusivity") or 0.0)
    assert d1 > 0 and abs(d1 - d0) <= max(tol, 1e-6 * abs(d0)), (d0, d1, tol)


GK = dict(seeds=[1], timestep=0.002, equilibration_steps=200, production_steps=1000, sample_every=5, correlation_time=0.5, threads=1)


def test_thermal_conductivity_needs_per_atom_virials():
    with pytest.raises(InputError, match="stresses"):
        thermal_conductivity(cu(2), lammpslib(_mishin()), 300.0, **GK)


def test_thermal_conductivity_with_a_calculator_that_has_per_atom_data():
    pot = potentials.load(_mishin())
    native = thermal_conductivity(cu(2), pot, 300.0, **GK)
    cb = thermal_conductivity(cu(2), ScaleBridgeCalculator(pot, threads=1), 300.0, **GK)
    k0, k1 = native.value("kappa"), cb.value("kappa")
    assert k1 == pytest.approx(k0, rel=1e-6, abs=1e-9)


class Failing(Calculator):
    """Computes with an inner calculator, then raises on the n-th call."""

    implemented_properties = ["energy", "forces", "stress"]

    def __init__(self, inner, fail_at: int):
        super().__init__()
        self.inner, self.calls, self.fail_at = inner, 0, fail_at

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.calls += 1
        if self.calls >= self.fail_at:
            raise RuntimeError(f"calculator broke at call {self.calls}")
        a = self.atoms.copy()
        a.calc = self.inner
        self.results = {"energy": a.get_potential_energy(), "forces": a.get_forces(), "stress": a.get_stress()}


def test_python_exception_in_the_calculator_surfaces_unchanged():
    pot = potentials.load(_mishin())
    with pytest.raises(RuntimeError, match="calculator broke at call 3"):
        elastic_constants(cu(2), Failing(ScaleBridgeCalculator(pot, threads=1), fail_at=3))
    with pytest.raises(KeyError):  # LAMMPSlib knows no Ni type
        elastic_constants(structures.bulk("Ni", "fcc", a=3.52, repeat=2), lammpslib(_mishin()))
