"""Potential specifications (`_scalebridge.potential_from_spec`): JSON keyed by the LAMMPS style
builds the same potential as the classes, unknown styles are named; the coordination compute
against LAMMPS `compute coord/atom`."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from ase.build import bulk as ase_bulk

from scalebridge import _scalebridge, potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import potentials_dir

from conftest import load_into_lammps


def perturbed(symbols: list[str], a: float, seed: int):
    rng = np.random.default_rng(seed)
    atoms = ase_bulk(symbols[0], "fcc", a=a, cubic=True).repeat(3)
    atoms.set_chemical_symbols([symbols[k] for k in rng.integers(0, len(symbols), len(atoms))])
    atoms.positions += rng.normal(scale=0.1, size=atoms.positions.shape)
    atoms.wrap()
    return atoms


def energy_forces(pot, atoms):
    a = atoms.copy()
    a.calc = ScaleBridgeCalculator(pot, threads=1)
    return a.get_potential_energy(), a.get_forces()


def same(spec: dict, direct, atoms) -> None:
    built = potentials.EmbeddedAtom(_scalebridge.potential_from_spec(json.dumps(spec)))
    assert built.fingerprint() == direct.fingerprint()
    e1, f1 = energy_forces(built, atoms)
    e2, f2 = energy_forces(direct, atoms)
    assert e1 == e2 and np.array_equal(f1, f2)


def test_specs_build_the_same_potentials_as_the_classes():
    same(
        {"pair_style": "lj/cut", "elements": ["Ar", "Kr"], "epsilon": [0.0104, 0.014], "sigma": [3.4, 3.65], "cutoff": 8.5,
         "mixing": "geometric", "pairs": [{"a": "Ar", "b": "Kr", "epsilon": 0.012, "sigma": 3.5, "cutoff": None}]},
        potentials.LennardJones({"Ar": 0.0104, "Kr": 0.014}, {"Ar": 3.4, "Kr": 3.65}, cutoff=8.5, mixing="geometric",
                                pairs={("Ar", "Kr"): (0.012, 3.5)}),
        perturbed(["Ar", "Kr"], 5.4, 1),
    )
    same({"generator": "zhou2004", "elements": ["Cu", "Ni"]}, potentials.Zhou2004(["Cu", "Ni"]), perturbed(["Cu", "Ni"], 3.58, 2))
    pot_dir = potentials_dir()
    if pot_dir is None:
        pytest.skip("lammps potentials not available")
    f = os.path.join(pot_dir, "Cu_mishin1.eam.alloy")
    same({"pair_style": "eam/alloy", "files": [f], "elements": ["Cu"]}, potentials.load(f), perturbed(["Cu"], 3.615, 3))
    assert _scalebridge.Potential.from_spec(json.dumps({"pair_style": "eam/alloy", "files": [f]})).pair_style == "eam/alloy"


def test_unknown_style_is_named():
    with pytest.raises(InputError, match="airebo.*eam/alloy.*lj/cut.*tersoff.*sw"):
        _scalebridge.potential_from_spec('{"pair_style": "airebo", "files": ["CH.airebo"]}')
    with pytest.raises(InputError, match="pair_style"):
        _scalebridge.potential_from_spec('{"elements": ["Cu"]}')
    with pytest.raises(InputError, match="JSON"):
        _scalebridge.potential_from_spec("{not json")


@pytest.mark.oracle
def test_coordination_matches_lammps_coord_atom(lammps):
    from scalebridge.dynamics import coordination_numbers

    atoms = perturbed(["Cu", "Ni"], 3.6, 4)
    lmp = lammps()
    load_into_lammps(lmp, atoms, ["Cu", "Ni"])
    lmp.command("pair_style zero 5.0")
    lmp.command("pair_coeff * *")
    for k, rc in enumerate((2.9, 4.1)):
        lmp.command(f"compute cn{k} all coord/atom cutoff {rc}")
    lmp.command("run 0")
    for k, rc in enumerate((2.9, 4.1)):
        ref = np.array(lmp.gather(f"c_cn{k}", 1, 1)).reshape(len(atoms))
        assert np.array_equal(coordination_numbers(atoms, rc), ref)
