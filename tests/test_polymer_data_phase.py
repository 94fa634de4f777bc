"""A LAMMPS data file as a polymer phase of a material description (docs/polymers.md):
``polymer = { data = "melt.data", atom_style = "molecular" }`` with the force field as LAMMPS
lines in ``potential = { lammps = [...] }``.

The test writes a small Kremer–Grest melt with ``scalebridge polymer`` (data file + force-field
lines), describes it with ``scalebridge describe --quick`` at 0 K (the 0 K elastic constants of
the file's minimised cell), and checks that a missing file, dangling bond atom ids, missing
coefficients and a missing force field are clear errors naming the key and the problem.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import assert_cli_fails, scalebridge_cli


def write_melt(tmp_path):
    data, pot = tmp_path / "melt.data", tmp_path / "melt.in"
    r = subprocess.run([scalebridge_cli(), "polymer", "--builder", "kremer-grest", "--chains", "6", "--length", "8", "--seed", "4",
                        "--out", str(data), "--lammps-out", str(pot)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = [ln.strip() for ln in pot.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return data, lines


def description(tmp_path, data: str, lines: list[str] | None, name: str = "m.toml"):
    pot = "" if lines is None else "potential = { lammps = " + json.dumps(lines) + " }\n"
    text = (f'name = "kg-data"\nclass = "polymer"\ntemperature_K = 0\n\n[[phase]]\nname = "melt"\n'
            f'polymer = {{ data = "{data}", atom_style = "molecular" }}\n{pot}')
    p = tmp_path / name
    p.write_text(text)
    return p


def describe(path, cache):
    return subprocess.run([scalebridge_cli(), "describe", str(path), "--quick", "--json", "--threads", "1", "--cache", str(cache)],
                          capture_output=True, text=True, cwd=path.parent)


@pytest.mark.slow
def test_describe_quick_on_a_data_file_phase(tmp_path):
    data, lines = write_melt(tmp_path)
    r = describe(description(tmp_path, "melt.data", lines), tmp_path / "cache")
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout)
    text = json.dumps(out)
    assert '"n_atoms": 48' in text, text[:2000]
    e = out["properties"]["E_GPa"]
    assert e["value"] == e["value"] and e["value"] > 0, e


def test_bad_data_file_phases_are_named(tmp_path):
    data, lines = write_melt(tmp_path)
    cache = tmp_path / "cache"
    r = describe(description(tmp_path, "nowhere.data", lines, "missing.toml"), cache)
    assert_cli_fails(r, "polymer", "nowhere.data", "not found")
    r = describe(description(tmp_path, "melt.data", None, "nopot.toml"), cache)
    assert_cli_fails(r, "potential", "lammps")
    text = data.read_text()
    head, bonds = text.split("Bonds", 1)
    first = [ln for ln in bonds.splitlines() if ln.strip()][0]
    w = first.split()
    (tmp_path / "dangling.data").write_text(head + "Bonds" + bonds.replace(first, f"{w[0]} {w[1]} {w[2]} 999", 1))
    r = describe(description(tmp_path, "dangling.data", lines, "dangling.toml"), cache)
    assert_cli_fails(r, "polymer", "999")
    no_coeff = [ln for ln in lines if not ln.startswith("bond_coeff")]
    r = describe(description(tmp_path, "melt.data", no_coeff, "nocoeff.toml"), cache)
    assert_cli_fails(r, "potential", "coeff")
