"""0 K equation of state (`protocols::eos`): Birch–Murnaghan B₀, B₀′ and the Slater Grüneisen
parameter, against LAMMPS's energies of the same cells fitted independently with numpy, and
against the bulk modulus of the 0 K elastic protocol.

A perfect fcc crystal needs no atomic relaxation at any volume, so LAMMPS's `run 0` energies of
the isotropically scaled cells are the protocol's samples: the fit here is numpy's polyfit of the
same cubic in x = V^(-2/3) (an independent implementation), differentiated by hand. A random alloy
does relax at every volume: its E(V) must lie below the unrelaxed one and its B₀ differ.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from scalebridge import potentials
from scalebridge.properties import elastic_constants, equation_of_state
from scalebridge.structures import random_solid_solution

import os

from conftest import lammps_potentials_dir, load_into_lammps

EV_PER_A3_IN_GPA = 160.21766208


def _bm_from_samples(v, e):
    """V0, B0 (eV/Å³), B0' of the cubic-in-V^(-2/3) fit of (v, e): numpy, not the protocol."""
    v, e = np.asarray(v), np.asarray(e)
    x = v ** (-2.0 / 3.0)
    p = np.poly1d(np.polyfit(x, e, 3))
    dp, d2p, d3p = p.deriv(1), p.deriv(2), p.deriv(3)

    def derivs(vol):
        xx = vol ** (-2.0 / 3.0)
        t1 = -2.0 / 3.0 * xx / vol
        t2 = 10.0 / 9.0 * xx / vol**2
        t3 = -80.0 / 27.0 * xx / vol**3
        return dp(xx) * t1, d2p(xx) * t1**2 + dp(xx) * t2, d3p(xx) * t1**3 + 3 * d2p(xx) * t1 * t2 + dp(xx) * t3

    v0 = v[np.argmin(e)]
    for _ in range(50):
        e1, e2, _ = derivs(v0)
        v0 -= e1 / e2
    _, e2, e3 = derivs(v0)
    return v0, v0 * e2, -1.0 - v0 * e3 / e2


@pytest.mark.oracle
def test_perfect_crystal_equals_lammps_energies_fitted_by_numpy(tmp_path):
    from scalebridge.oracle import open_lammps

    path = os.path.join(lammps_potentials_dir(), "Cu_mishin1.eam.alloy")
    pot = potentials.load(path, ["Cu"])
    s = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((3, 3, 3))
    r = equation_of_state(s, pot, threads=1)
    st = r["state"]
    v_ours = np.asarray(r["volumes"])
    n = len(s)

    # LAMMPS: the relaxed fcc cell (zero stress) scaled to the same volumes, run 0 each
    lmp = open_lammps()
    load_into_lammps(lmp, s, ["Cu"])
    for c in ["pair_style eam/alloy", f"pair_coeff * * {path} Cu", "thermo_style custom pe vol",
              "fix r all box/relax iso 0.0 vmax 0.001", "minimize 0 1e-12 20000 200000", "unfix r", "run 0"]:
        lmp.command(c)
    v_ref = lmp.get_thermo("vol") / n
    e_lmp = []
    for v in v_ours:
        scale = (v / v_ref) ** (1 / 3)
        lmp.command(f"change_box all x scale {scale} y scale {scale} z scale {scale} remap")
        lmp.command("run 0")
        e_lmp.append(lmp.get_thermo("pe") / n)
        lmp.command(f"change_box all x scale {1 / scale} y scale {1 / scale} z scale {1 / scale} remap")
    lmp.close()
    np.testing.assert_allclose(r["energies"], e_lmp, rtol=1e-9)

    v0, b0, bp = _bm_from_samples(v_ours, e_lmp)
    print(f"V0 {st['eos_volume']['value']:.6f} vs {v0:.6f}; B0 {st['eos_bulk_modulus']['value']:.3f} vs {b0 * EV_PER_A3_IN_GPA:.3f} GPa; B0' {st['eos_bulk_modulus_derivative']['value']:.4f} vs {bp:.4f}")
    assert st["eos_volume"]["value"] == pytest.approx(v0, rel=1e-8)
    assert st["eos_bulk_modulus"]["value"] == pytest.approx(b0 * EV_PER_A3_IN_GPA, rel=1e-6)
    assert st["eos_bulk_modulus_derivative"]["value"] == pytest.approx(bp, rel=1e-5)
    assert st["gruneisen_slater"]["value"] == pytest.approx(bp / 2 - 1 / 6, rel=1e-5)
    assert r["fit_rms_ev"] < 1e-4

    # B0 at the minimum = (C11 + 2 C12) / 3 of the 0 K elastic protocol (cubic crystal), from
    # volume strains of ±1 % (the ±4 % default carries the higher-order terms: 1.1 % here)
    b_small = equation_of_state(s, pot, volume_strains=[-0.01, -0.005, 0.0, 0.005, 0.01], threads=1)["state"]["eos_bulk_modulus"]["value"]
    c = np.asarray(elastic_constants(s, pot, temperature=0.0, threads=1)["C_GPa"])
    assert b_small == pytest.approx((c[0, 0] + 2 * c[0, 1]) / 3, rel=3e-3)


def test_zhou_metals_have_ordinary_pressure_derivatives():
    # ordinary metals have B0' of about 4–6; Zhou's smooth analytic EAM forms give 3.8–4.8 here
    for el, lat, a in [("Cu", "fcc", 3.615), ("W", "bcc", 3.165)]:
        st = equation_of_state(bulk(el, lat, a=a, cubic=True).repeat((2, 2, 2)), potentials.Zhou2004([el]), threads=1)["state"]
        assert 3.5 < st["eos_bulk_modulus_derivative"]["value"] < 6.0, (el, st)
        assert st["gruneisen_slater"]["value"] == pytest.approx(st["eos_bulk_modulus_derivative"]["value"] / 2 - 1 / 6)


def test_a_random_alloy_gives_the_same_curve_over_two_sampling_ranges():
    # the atoms relax at every volume; a random alloy's E(V) stays smooth (no jump between local
    # minima), so ±1 % and the default ±4 % give the same B0 and B0' to their higher-order terms
    s = random_solid_solution(bulk("Cu", "fcc", a=3.75, cubic=True).repeat((2, 2, 2)), {"Cu": 0.5, "Pd": 0.5}, seed=3)
    pot = potentials.Zhou2004(["Cu", "Pd"])
    wide = equation_of_state(s, pot, threads=1)
    narrow = equation_of_state(s, pot, volume_strains=[-0.01, -0.005, 0.0, 0.005, 0.01], threads=1)
    assert len(wide["volumes"]) == 5 and np.all(np.diff(wide["volumes"]) > 0)
    assert wide["fit_rms_ev"] < 1e-5 and narrow["fit_rms_ev"] < 1e-7
    a, b = wide["state"], narrow["state"]
    assert 100.0 < a["eos_bulk_modulus"]["value"] < 250.0
    assert a["eos_bulk_modulus"]["value"] == pytest.approx(b["eos_bulk_modulus"]["value"], rel=1e-2)
    assert a["eos_bulk_modulus_derivative"]["value"] == pytest.approx(b["eos_bulk_modulus_derivative"]["value"], rel=2e-2)


def test_bad_options_are_named():
    s = bulk("Cu", "fcc", a=3.63, cubic=True).repeat((2, 2, 2))
    pot = potentials.Zhou2004(["Cu"])
    with pytest.raises(ValueError, match="volume_strains"):
        equation_of_state(s, pot, volume_strains=[0.0, 0.5, 0.1, -0.1])
    with pytest.raises(ValueError, match="four distinct"):
        equation_of_state(s, pot, volume_strains=[0.0, 0.01, 0.01, -0.01])
    with pytest.raises(ValueError, match="fmax"):
        equation_of_state(s, pot, fmax=-1.0)
