#!/usr/bin/env python3
"""Regenerate examples/benchmark/pure_elements.csv: the measured Young's modulus, melting point and
thermal conductivity of the elements the Zhou-Johnson-Wadley 2004 EAM generator covers, from
pymatgen's element data (pymatgen.core.periodic_table, whose values come from WebElements and the
CRC Handbook). The five-class benchmark reads the file as its pure-element experimental anchor;
the product never needs pymatgen. Never edit the CSV by hand: rerun this script.

    pip install pymatgen && python scripts/export_element_data.py [OUT.csv]
"""
import csv
import importlib.metadata
import sys
from pathlib import Path

from pymatgen.core.periodic_table import Element

# The Zhou 2004 element set (crates/md/src/potentials/zhou2004_eam.csv) and each element's
# crystal structure at room temperature (the structure its measured modulus belongs to).
ROOM_T_LATTICE = {
    "Cu": "fcc", "Ag": "fcc", "Au": "fcc", "Ni": "fcc", "Pd": "fcc", "Pt": "fcc", "Al": "fcc", "Pb": "fcc",
    "Fe": "bcc", "Mo": "bcc", "Ta": "bcc", "W": "bcc", "Cr": "bcc",
    "Mg": "hcp", "Co": "hcp", "Ti": "hcp", "Zr": "hcp",
}


def value(quantity):
    """A pymatgen FloatWithUnit (or None) as a plain float ('' when missing)."""
    return "" if quantity is None else f"{float(quantity):g}"


def main(out: Path) -> None:
    version = importlib.metadata.version("pymatgen")
    source = f"pymatgen {version} periodic_table (WebElements / CRC Handbook)"
    rows = []
    for symbol, lattice in ROOM_T_LATTICE.items():
        e = Element(symbol)
        rows.append({
            "element": symbol,
            "lattice": lattice,
            "youngs_modulus_GPa": value(e.youngs_modulus),
            "melting_point_K": value(e.melting_point),
            "thermal_conductivity_W_mK": value(e.thermal_conductivity),
            "source": source,
        })
    tmp = out.with_suffix(".partial")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    tmp.replace(out)
    print(f"wrote {len(rows)} elements to {out}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "examples/benchmark/pure_elements.csv")
