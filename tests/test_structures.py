"""Crystal prototypes of ionic and covalent materials: our Rust builder against ASE's space-group
builder (``ase.spacegroup.crystal``) with the same Wyckoff positions, published geometry
(nearest-neighbour distances, densities), supercells, substitution, vacancies, charges and
errors."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import make_supercell
from ase.spacegroup import crystal as ase_crystal

from scalebridge import structures
from scalebridge.exceptions import InputError
from conftest import scalebridge_cli

TABLE = {p["name"]: p for p in structures.prototypes()}
NAMES = sorted(TABLE)


def ase_reference(name: str) -> Atoms:
    """ASE's crystal from the same Wyckoff representatives, space group, setting and cell."""
    p = TABLE[name]
    elements = dict(zip(p["roles"], p["default_elements"]))
    params = p["params"]
    basis, symbols = [], []
    for site in p["sites"]:
        basis.append([params[c] if isinstance(c, str) else c for c in site["position"]])
        symbols.append(elements[site["role"]])
    a = p["a"]
    b = p["b"] if p["b"] is not None else a
    c = p["c"] if p["c"] is not None else a
    gamma = 120.0 if p["cell"] == "hexagonal" else 90.0
    return ase_crystal(
        symbols, basis=basis, spacegroup=p["space_group"], setting=p["ase_setting"], cellpar=[a, b, c, 90, 90, gamma]
    )


def assert_same_crystal(x: Atoms, y: Atoms, tol: float = 1e-8) -> None:
    """Same cell and the same atoms up to permutation and lattice translations, to `tol` Å."""
    np.testing.assert_allclose(x.cell.array, y.cell.array, atol=tol, rtol=0)
    assert sorted(x.get_chemical_symbols()) == sorted(y.get_chemical_symbols())
    fx, fy = x.get_scaled_positions(wrap=True), y.get_scaled_positions(wrap=True)
    sx, sy = np.array(x.get_chemical_symbols()), np.array(y.get_chemical_symbols())
    for e in set(sx):
        px, py = fx[sx == e], fy[sy == e]
        d = px[:, None, :] - py[None, :, :]
        d -= np.round(d)
        dist = np.linalg.norm(d @ x.cell.array, axis=-1)
        nearest = dist.argmin(axis=1)
        assert len(set(nearest)) == len(px), f"{e}: not a one-to-one match"
        assert dist.min(axis=1).max() < tol, f"{e}: max deviation {dist.min(axis=1).max():.3e} Å"


def shortest(atoms: Atoms, a: str, b: str) -> float:
    """Shortest a–b distance with periodic images."""
    from ase.neighborlist import neighbor_list

    i, j, d = neighbor_list("ijd", atoms, 6.0)
    sym = np.array(atoms.get_chemical_symbols())
    mask = ((sym[i] == a) & (sym[j] == b)) | ((sym[i] == b) & (sym[j] == a))
    return float(d[mask].min())


@pytest.mark.parametrize("name", NAMES)
def test_rust_builder_equals_ase_spacegroup_builder(name: str) -> None:
    ours = structures.crystal(name)
    assert_same_crystal(ours, ase_reference(name))
    report = ours.info["structure_report"]
    assert report["space_group"] == TABLE[name]["space_group"]
    assert TABLE[name]["citation"] in report["citation"]


@pytest.mark.parametrize("name", ["wurtzite", "corundum", "layered", "olivine"])
def test_supercells_equal_ase_make_supercell(name: str) -> None:
    p = TABLE[name]
    ref = ase_reference(name)
    matrix = [[2, 0, 0], [0, 1, 0], [0, 0, 2]]
    assert_same_crystal(structures.crystal(name, supercell=[2, 1, 2]), make_supercell(ref, matrix, wrap=True))
    if p["cell"] == "hexagonal":
        ortho = structures.crystal(name, orthogonal=True)
        assert_same_crystal(ortho, make_supercell(ref, [[1, 0, 0], [1, 2, 0], [0, 0, 1]], wrap=True))
        cell = ortho.cell.array
        assert abs(cell[0] @ cell[1]) < 1e-9 and abs(cell[0] @ cell[2]) < 1e-9 and abs(cell[1] @ cell[2]) < 1e-9


def test_published_geometry() -> None:
    # SrTiO3: Ti–O = a/2, Sr–O = a/√2 (a = 3.9053 Å; Dx = 5.116 g/cm³ in the same source)
    sto = structures.crystal("perovskite")
    assert sto.get_chemical_formula(mode="metal") == "SrTiO3"
    assert shortest(sto, "Ti", "O") == pytest.approx(3.9053 / 2, abs=1e-12)
    assert shortest(sto, "Sr", "O") == pytest.approx(3.9053 / np.sqrt(2), abs=1e-12)
    assert sto.info["structure_report"]["density_g_cm3"] == pytest.approx(5.116, abs=0.005)
    # β-SiC: Si–C = a√3/4; Si: Si–Si = a√3/4; MgO: Mg–O = a/2; CeO2: Ce–O = a√3/4
    assert shortest(structures.crystal("zincblende"), "Si", "C") == pytest.approx(4.3596 * np.sqrt(3) / 4, abs=1e-12)
    assert shortest(structures.crystal("diamond"), "Si", "Si") == pytest.approx(5.431020511 * np.sqrt(3) / 4, abs=1e-12)
    assert shortest(structures.crystal("rocksalt"), "Mg", "O") == pytest.approx(4.2117 / 2, abs=1e-12)
    assert shortest(structures.crystal("fluorite"), "Ce", "O") == pytest.approx(5.4113 * np.sqrt(3) / 4, abs=1e-12)
    # wurtzite GaN: the bond along c is u·c
    gan = structures.crystal("wurtzite")
    assert shortest(gan, "Ga", "N") == pytest.approx(min(0.377 * 5.1851, np.sqrt(3.1893**2 / 3 + (0.5 - 0.377) ** 2 * 5.1851**2)))
    # corundum: Al–O 1.86 / 1.97 Å; ρ = 3.99 g/cm³
    al2o3 = structures.crystal("corundum")
    assert al2o3.get_chemical_formula(mode="metal") == "Al12O18"
    assert shortest(al2o3, "Al", "O") == pytest.approx(1.855, abs=0.01)
    assert al2o3.info["structure_report"]["density_g_cm3"] == pytest.approx(3.987, abs=0.005)
    # LiCoO2: Co–O 1.92 Å, Li–O 2.09 Å; LiFePO4: P–O ≥ 1.50 Å in PO4 tetrahedra, ρ = 3.60 g/cm³
    lco = structures.crystal("layered")
    assert shortest(lco, "Co", "O") == pytest.approx(1.92, abs=0.01)
    assert shortest(lco, "Li", "O") == pytest.approx(2.09, abs=0.01)
    lfp = structures.crystal("olivine")
    assert sorted(lfp.get_chemical_symbols()) == sorted(["Li"] * 4 + ["Fe"] * 4 + ["P"] * 4 + ["O"] * 16)
    assert 1.50 < shortest(lfp, "P", "O") < 1.56
    assert lfp.info["structure_report"]["density_g_cm3"] == pytest.approx(3.60, abs=0.01)


def test_overrides_and_toml_shape() -> None:
    bzo = structures.build({"lattice": "perovskite", "elements": {"A": "Ba", "B": "Zr", "X": "O"}, "a": 4.19, "supercell": [3, 3, 3]})
    assert len(bzo) == 135
    assert bzo.get_chemical_formula(mode="metal") == "Ba27Zr27O81"
    assert shortest(bzo, "Zr", "O") == pytest.approx(4.19 / 2, abs=1e-12)
    zno = structures.crystal("wurtzite", ["Zn", "O"], a=3.25, c=5.207, params={"u": 0.382})
    assert shortest(zno, "Zn", "O") == pytest.approx(min(0.382 * 5.207, np.sqrt(3.25**2 / 3 + 0.118**2 * 5.207**2)))


def test_substitution_vacancies_and_charge_compensation() -> None:
    nmc = structures.crystal(
        "layered", supercell=[3, 3, 1], substitutions={"B": {"Co": 1 / 3, "Ni": 1 / 3, "Mn": 1 / 3}}, seed=3
    )
    sym = nmc.get_chemical_symbols()
    assert [sym.count(e) for e in ("Li", "Co", "Ni", "Mn", "O")] == [27, 9, 9, 9, 54]
    again = structures.crystal("layered", supercell=[3, 3, 1], substitutions={"B": {"Co": 1 / 3, "Ni": 1 / 3, "Mn": 1 / 3}}, seed=3)
    assert again.get_chemical_symbols() == sym
    # Fe³⁺ on Ti⁴⁺ in SrTiO3, compensated by O vacancies (2 Fe → 1 O)
    sto = structures.crystal(
        "perovskite",
        supercell=2,
        substitutions={"Ti": {"Ti": 0.75, "Fe": 0.25}},
        charges={"Sr": 2, "Ti": 4, "Fe": 3, "O": -2},
        compensate="O",
        seed=1,
    )
    q = sto.info["structure_report"]["charge"]
    assert (q["net_charge_pristine"], q["net_charge_defective"], q["net_charge_final"]) == (0.0, -2.0, 0.0)
    assert q["compensation"]["removed"] == 1 and q["neutral"]
    assert sto.get_chemical_symbols().count("O") == 23
    # not compensated: reported as non-neutral, nothing removed
    raw = structures.crystal("perovskite", supercell=2, substitutions={"Ti": {"Ti": 0.875, "Fe": 0.125}}, charges={"Sr": 2, "Ti": 4, "Fe": 3, "O": -2})
    q = raw.info["structure_report"]["charge"]
    assert q["net_charge_final"] == -1.0 and not q["neutral"]
    vac = structures.crystal("fluorite", supercell=2, vacancies={"O": 4})
    assert vac.get_chemical_symbols().count("O") == 60


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lattice": "perovskit"}, "known prototypes: perovskite"),
        ({"lattice": "perovskite", "elements": ["Sr", "Ti"]}, "takes 3 elements"),
        ({"lattice": "layered", "substitutions": {"B": {"Co": 0.5, "Ni": 0.4}}}, "sum to 1"),
        ({"lattice": "rocksalt", "a": -4.2}, "positive"),
        ({"lattice": "wurtzite", "params": {"u": 0.0}}, "overlap"),
        ({"lattice": "perovskite", "elements": {"A": "Ba", "B": "Zr"}}, "those of SrTiO3; give a"),
        ({"lattice": "perovskite", "charges": {"Sr": 2, "O": -2}}, "no charge given for species Ti"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        structures.crystal(**kwargs)


def test_unknown_keys_in_a_description_are_rejected() -> None:
    with pytest.raises(InputError, match="unknown field"):
        structures.build({"lattice": "spinel", "size": 2})


def test_cli_structure_command_with_a_toml_description(tmp_path) -> None:
    import json
    import subprocess

    from ase.io import read

    (tmp_path / "sto.toml").write_text(
        'lattice = "perovskite"\nelements = { A = "Sr", B = "Ti", X = "O" }\na = 3.905\nsupercell = [3, 3, 3]\n'
    )
    r = subprocess.run(
        [scalebridge_cli(), "structure", "--spec", "sto.toml", "--out", "sto.xyz", "--json"], capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["n_atoms"] == 135 and report["composition"] == {"O": 81, "Sr": 27, "Ti": 27}
    atoms = read(tmp_path / "sto.xyz")
    assert len(atoms) == 135
    assert shortest(atoms, "Ti", "O") == pytest.approx(3.905 / 2, abs=1e-6)
    # flags, the charge report and compensation
    r = subprocess.run(
        [scalebridge_cli(), "structure", "--lattice", "perovskite", "--repeat", "2", "--substitute", "Ti:Ti=0.75/Fe=0.25",
         "--charges", "Sr=2,Ti=4,Fe=3,O=-2", "--compensate", "O", "--json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    q = json.loads(r.stdout)["charge"]
    assert q["compensation"]["removed"] == 1 and q["neutral"]
    # unknown prototype: the error lists the known ones
    r = subprocess.run([scalebridge_cli(), "structure", "--lattice", "perovskit"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "known prototypes: perovskite" in r.stderr
