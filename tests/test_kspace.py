"""Long-range Coulomb (coul/long with kspace_style ewald and pppm; buck/coul/long;
hybrid/overlay pedone + coul/long) against LAMMPS `run 0`: `scalebridge single-point --lammps`
and `potentials.from_lammps` reproduce the references of scripts/make_lammps_references.py
(`pair_modify table 0`; orthogonal and triclinic cells) to 1e-9 relative — energy, forces, global
virial, per-atom energies and per-atom virials; bad input gives clear errors. See docs/kspace.md.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ase.io import read

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import lammps_available

from conftest import assert_close_rel, check_against_reference, scalebridge_cli, reference_generator

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference" / "lammps"
STYLES = ["coul_long_ewald", "coul_long_pppm"]
RTOL = 1e-9
KEYS = ("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa", "energies_eV", "virials_eV")


def _cases() -> list[tuple[str, dict]]:
    out = []
    for s in STYLES:
        doc = json.loads((REF / f"{s}.json").read_text())
        out += [(s, c) for c in doc["cases"]]
    return out


CASES = _cases()
IDS = [f"{c['case']}-{c['cell']}" for _, c in CASES]


def _check(got: dict, ref: dict, what: str) -> None:
    check_against_reference(got, ref, what, RTOL, KEYS)


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_cli_reproduces_lammps(style, case):
    charges = ",".join(f"{e}={q}" for e, q in case["charges"].items())
    r = subprocess.run([scalebridge_cli(), "single-point", "--structure", str(REF / case["structure_xyz"]), "--lammps", str(REF / case["lammps_input"]),
                        "--charges", charges, "--threads", "2", "--json", "--per-atom", "--elements", ",".join(case["elements"])],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    _check(json.loads(r.stdout), case, f"{case['case']}/{case['cell']}")


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_from_lammps_calculator_reproduces_lammps(style, case):
    lines = (REF / case["lammps_input"]).read_text().splitlines()
    pot = potentials.from_lammps(lines, case["elements"], charges=case["charges"])
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
    """The JSON specification gives the LAMMPS numbers too (pinned pppm settings)."""
    case = next(c for s, c in CASES if c["case"] == "pppm_NaCl_pinned" and c["cell"] == "tric")
    spec = {"pair_style": "coul/long", "cutoff": 6.0, "charges": case["charges"],
            "kspace": {"style": "pppm", "accuracy": 1e-5, "gewald": 0.38, "mesh": [20, 18, 24], "order": 4}}
    atoms = read(REF / case["structure_xyz"])
    atoms.calc = ScaleBridgeCalculator(potentials.from_spec(spec), threads=1)
    assert_close_rel(atoms.get_potential_energy(), case["energy_eV"], RTOL, "spec energy")
    assert_close_rel(atoms.get_forces(), case["forces_eV_A"], RTOL, "spec forces")


def test_bad_input_is_a_clear_error():
    case = next(c for s, c in CASES if c["case"] == "ewald_MgO_converged" and c["cell"] == "ortho")
    atoms = read(REF / case["structure_xyz"])
    lines = (REF / case["lammps_input"]).read_text().splitlines()
    # non-neutral: a charge set that does not balance
    pot = potentials.from_lammps(lines, case["elements"], charges={"Mg": 1.7, "O": -1.6})
    atoms.calc = ScaleBridgeCalculator(pot, threads=1)
    with pytest.raises(InputError, match="net charge"):
        atoms.get_potential_energy()
    # ... unless a neutralising background is asked for
    pot = potentials.from_lammps(lines, case["elements"], charges={"Mg": 1.7, "O": -1.6}, neutralize=True)
    atoms.calc = ScaleBridgeCalculator(pot, threads=1)
    assert atoms.get_potential_energy() == pytest.approx(atoms.get_potential_energy())
    # coul/long without a kspace_style, an accuracy that cannot be met
    with pytest.raises(InputError, match="kspace_style"):
        potentials.from_lammps(["pair_style coul/long 7.0", "pair_coeff * *"], case["elements"], charges=case["charges"])
    pot = potentials.from_lammps(["pair_style coul/long 2.0", "pair_coeff * *", "kspace_style pppm 1e-300"], case["elements"],
                                 charges=case["charges"])
    atoms.calc = ScaleBridgeCalculator(pot, threads=1)
    with pytest.raises(InputError, match="cannot be met"):
        atoms.get_potential_energy()


@pytest.mark.parametrize("style", STYLES)
def test_references_equal_a_fresh_lammps_run(style, tmp_path):
    if not lammps_available():
        pytest.skip("lammps wheel not available")
    fresh = reference_generator().make_kspace(style, out=str(tmp_path))
    stored = json.loads((REF / f"{style}.json").read_text())
    for a, b in zip(fresh["cases"], stored["cases"]):
        for key in KEYS:
            # LAMMPS's own PPPM is reproducible only to ~1e-12 between runs (FFT summation order)
            assert_close_rel(a[key], b[key], 1e-10, f"fresh {a['case']}/{a['cell']} {key}")
