"""The pure-element anchor table (examples/benchmark/pure_elements.csv) is pymatgen's element data,
written by scripts/export_element_data.py and never edited by hand: regenerating it gives the same
numbers (where pymatgen is installed; the product and CI do not need it)."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "examples/benchmark/pure_elements.csv"
COLUMNS = ["element", "lattice", "youngs_modulus_GPa", "melting_point_K", "thermal_conductivity_W_mK"]


def rows(path):
    with open(path, newline="") as f:
        return [{k: r[k] for k in COLUMNS} for r in csv.DictReader(f)]


def test_shipped_table_names_its_source_for_every_row():
    with open(SHIPPED, newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 17
    assert all(r["source"].startswith("pymatgen ") for r in table)
    assert {r["lattice"] for r in table} == {"fcc", "bcc", "hcp"}


def test_regenerating_the_table_from_pymatgen_gives_the_shipped_values(tmp_path):
    pytest.importorskip("pymatgen.core.periodic_table")
    out = tmp_path / "elements.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts/export_element_data.py"), str(out)], check=True, capture_output=True)
    assert rows(out) == rows(SHIPPED)
