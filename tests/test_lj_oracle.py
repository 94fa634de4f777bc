"""Lennard-Jones energies, forces and virials against LAMMPS `pair_style lj/cut` (1e-9 relative)."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.potentials import LennardJones
from scalebridge.structures import bulk, random_solid_solution

from conftest import assert_close_rel, lammps_results, load_into_lammps

pytestmark = pytest.mark.oracle

EPS = {"Ar": 0.0104, "Kr": 0.014}
SIG = {"Ar": 3.40, "Kr": 3.65}


def perturbed(atoms: Atoms, seed: int, amp: float = 0.15) -> Atoms:
    rng = np.random.default_rng(seed)
    atoms = atoms.copy()
    atoms.positions += rng.uniform(-amp, amp, atoms.positions.shape)
    return atoms


def with_cell(atoms: Atoms, cell: np.ndarray) -> Atoms:
    """Map fractional positions onto a new (LAMMPS lower-triangular) cell."""
    frac = atoms.get_scaled_positions(wrap=False)
    out = atoms.copy()
    out.set_cell(cell, scale_atoms=False)
    out.positions = frac @ np.asarray(cell)
    return out


def configurations():
    base = bulk("Ar", "fcc", 5.4, repeat=4)  # 256 atoms, 21.6 Å
    L = base.cell.array[0, 0]
    tri = np.array([[L, 0, 0], [0.45 * L, L, 0], [-0.4 * L, 0.35 * L, L]])
    yield "one species, orthogonal", perturbed(base, 1), ["Ar"]
    yield "one species, strongly triclinic", perturbed(with_cell(base, tri), 2), ["Ar"]
    two = random_solid_solution(base, {"Ar": 0.6, "Kr": 0.4}, seed=5)
    yield "two species, orthogonal", perturbed(two, 3), ["Ar", "Kr"]
    yield "two species, strongly triclinic", perturbed(with_cell(two, tri), 4), ["Ar", "Kr"]
    # cell only just above 2x the cutoff (rc = 8.5 Å): width 17.05 Å
    small = bulk("Ar", "fcc", 17.05 / 3, repeat=3)
    small = random_solid_solution(small, {"Ar": 0.5, "Kr": 0.5}, seed=6)
    yield "two species, cell just above 2 rc", perturbed(small, 7, 0.1), ["Ar", "Kr"]
    skew = np.array([[17.05, 0, 0], [6.0, 17.05, 0], [-5.0, 4.0, 17.05]])
    yield "two species, triclinic, widths below 2 rc", perturbed(with_cell(small, skew), 8, 0.1), ["Ar", "Kr"]


CASES = list(configurations())


def pair_params(species, cutoff, pairs):
    """Explicit LAMMPS pair coefficients: Lorentz–Berthelot mixing unless overridden."""
    out = {}
    for i, a in enumerate(species):
        for b in species[i:]:
            if (a, b) in pairs or (b, a) in pairs:
                v = pairs.get((a, b), pairs.get((b, a)))
                out[(a, b)] = (v[0], v[1], v[2] if len(v) > 2 else cutoff)
            else:
                out[(a, b)] = (np.sqrt(EPS[a] * EPS[b]), 0.5 * (SIG[a] + SIG[b]), cutoff)
    return out


@pytest.mark.parametrize("shift", [False, True], ids=["unshifted", "shifted"])
@pytest.mark.parametrize("name,atoms,species", CASES, ids=[c[0] for c in CASES])
def test_lj_matches_lammps(lammps, name, atoms, species, shift):
    cutoff = 8.5
    pairs = {("Ar", "Kr"): (0.0121, 3.52, 7.9)} if len(species) == 2 else {}
    pot = LennardJones(
        epsilon={s: EPS[s] for s in species}, sigma={s: SIG[s] for s in species}, cutoff=cutoff, shift=shift, pairs=pairs
    )
    calc = ScaleBridgeCalculator(pot, threads=2)
    atoms = atoms.copy()
    atoms.calc = calc
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    virial = -atoms.get_stress(voigt=True, apply_constraint=False) * atoms.get_volume()

    lmp = lammps()
    load_into_lammps(lmp, atoms, species)
    lmp.command(f"pair_style lj/cut {cutoff}")
    for (a, b), (e, s, rc) in pair_params(species, cutoff, pairs).items():
        i, j = sorted((species.index(a) + 1, species.index(b) + 1))
        lmp.command(f"pair_coeff {i} {j} {float(e)!r} {float(s)!r} {float(rc)!r}")
    if shift:
        lmp.command("pair_modify shift yes")
    ref = lammps_results(lmp, len(atoms))

    assert abs(energy - ref["energy"]) <= 1e-9 * abs(ref["energy"]), (energy, ref["energy"])
    assert_close_rel(forces, ref["forces"], 1e-9, "forces")
    assert_close_rel(virial, ref["virial"], 1e-9, "virial")
    assert_close_rel(calc.results["energies"], ref["energies"], 1e-9, "per-atom energy")
    per_atom_virial = -calc.results["stresses"] * atoms.get_volume()
    assert_close_rel(per_atom_virial, ref["virials"], 1e-9, "per-atom virial")
