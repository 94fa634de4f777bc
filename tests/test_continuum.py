"""scalebridge.continuum: homogenisation against exact and published results (fast cases)."""

from __future__ import annotations

import numpy as np
import pytest

from scalebridge import continuum as sc
from scalebridge.exceptions import InputError


def test_laminate_exact_voigt_reuss():
    g = sc.generate("laminate", [4, 4, 16], fraction=0.25)
    a, b = sc.Phase.isotropic(70.0, 0.33, 200.0), sc.Phase.isotropic(400.0, 0.2, 30.0)
    f = np.array([0.75, 0.25])
    g1, g2 = 70.0 / (2 * 1.33), 400.0 / (2 * 1.2)
    for solver in ("fft", "fem"):
        r = sc.homogenize(g.phases, [a, b], "elastic", solver, tol=1e-10)
        assert r.C_GPa[3, 3] == pytest.approx(1.0 / (f[0] / g1 + f[1] / g2), rel=1e-6)  # Reuss across
        assert r.C_GPa[5, 5] == pytest.approx(f[0] * g1 + f[1] * g2, rel=1e-6)  # Voigt along
        t = sc.homogenize(g.phases, [a, b], "thermal", solver, tol=1e-10)
        assert t.kappa_W_mK[0, 0] == pytest.approx(0.75 * 200 + 0.25 * 30, rel=1e-6)
        assert t.kappa_W_mK[2, 2] == pytest.approx(1 / (0.75 / 200 + 0.25 / 30), rel=1e-6)


def test_spheres_inside_hashin_shtrikman():
    g = sc.generate("spheres", 24, fraction=0.2, radius=3.0, seed=3)
    f = g.fractions()
    m, i = sc.Phase.isotropic(3.0, 0.35, 0.2), sc.Phase.isotropic(72.0, 0.22, 1.4)
    r = sc.homogenize(g.phases, [m, i])
    kg = [(3.0 / (3 * (1 - 0.7)), 3.0 / 2.7), (72.0 / (3 * (1 - 0.44)), 72.0 / 2.44)]
    (klo, glo), (khi, ghi) = sc.hashin_shtrikman(kg, f)
    assert klo <= r.K_GPa <= khi and glo <= r.G_GPa <= ghi
    assert r.E_GPa == pytest.approx(9 * r.K_GPa * r.G_GPa / (3 * r.K_GPa + r.G_GPa))
    t = sc.homogenize(g.phases, [m, i], property="thermal")
    lo, hi = sc.hashin_shtrikman_conductivity([0.2, 1.4], f)
    assert lo <= t.kappa_iso_W_mK <= hi


def test_cu_polycrystal_between_voigt_reuss_near_self_consistent():
    g = sc.generate("voronoi", 20, grains=30, seed=2)
    cu = sc.Phase.cubic(168.4, 121.4, 75.4, 400.0)
    r = sc.homogenize(g.phases, sc.polycrystal_phases(cu, g.rotations))
    (kv, gv), (kr, gr) = sc.voigt_reuss(cu.stiffness_gpa)
    ksc, gsc = sc.self_consistent_cubic(168.4, 121.4, 75.4)
    assert r.K_GPa == pytest.approx(ksc, rel=1e-5)
    assert gr < r.G_GPa < gv
    assert r.G_GPa == pytest.approx(gsc, rel=0.04)


def test_local_fields_and_vtk(tmp_path):
    g = sc.generate("spheres", 16, fraction=0.1, radius=3.0)
    mats = [sc.Phase.isotropic(10.0, 0.3), sc.Phase.isotropic(100.0, 0.3)]
    lf = sc.local_fields(g.phases, mats, [0.01, 0, 0, 0, 0, 0])
    assert lf.stress_GPa.shape == (16, 16, 16, 6)
    assert lf.von_mises_GPa.max() == pytest.approx(lf.von_mises_stats_GPa["max"])
    assert lf.strain[..., 0].mean() == pytest.approx(0.01, rel=1e-9)
    p = tmp_path / "f.vtk"
    sc.write_vtk(p, g.phases, {"von_mises_GPa": lf.von_mises_GPa, "stress_GPa": lf.stress_GPa})
    assert b"STRUCTURED_POINTS" in p.read_bytes()[:200]


def test_phase_file_and_rotation(tmp_path):
    p = tmp_path / "phases.toml"
    p.write_text('[[phase]]\nname = "Cu"\ncubic = [168.4, 121.4, 75.4]\nkappa_W_mK = 400\n')
    (cu,) = sc.read_phase_file(p)
    s = np.sqrt(0.5)
    r = cu.rotated([[s, -s, 0], [s, s, 0], [0, 0, 1]])
    assert r.stiffness_gpa[0, 0] == pytest.approx((168.4 + 121.4) / 2 + 75.4)


def test_bad_input_raises_input_error(tmp_path):
    g = np.zeros((4, 4, 4), dtype=np.uint16)
    with pytest.raises(InputError, match="≥ 0"):
        sc.Phase.isotropic(-5.0, 0.3)
    with pytest.raises(InputError, match="positive definite"):
        sc.homogenize(g, [sc.Phase.cubic(100.0, 150.0, 50.0)])
    with pytest.raises(InputError, match="empty"):
        sc.homogenize(g, [])
    with pytest.raises(InputError, match="no load-bearing"):
        sc.homogenize(g, [sc.Phase.void()])
    with pytest.raises(InputError):
        sc.homogenize(g, [sc.Phase.isotropic(1.0, 0.3)], solver="magic")
    with pytest.raises(InputError):
        sc.generate("laminate", 8, fraction=1.0)
    with pytest.raises(FileNotFoundError):
        sc.read_phase_file(tmp_path / "missing.toml")
    with pytest.raises(ValueError):  # InputError is a ValueError
        sc.homogenize(np.full((2, 2, 2), 3), [sc.Phase.isotropic(1.0, 0.3)])


@pytest.mark.slow
def test_plate_with_hole_kirsch():
    r = sc.plate_with_hole(64, 8.0, 70.0, 0.33, 0.05)
    assert r["kt"] == pytest.approx(3.0, abs=0.2)


@pytest.mark.slow
def test_fft_fem_converge_together():
    mats = [sc.Phase.isotropic(10.0, 0.3, 1.0), sc.Phase.isotropic(100.0, 0.3, 10.0)]
    gaps = []
    for n in (16, 32, 64):
        x = (np.arange(n) + 0.5) / n - 0.5
        X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
        g = (X**2 + Y**2 + Z**2 <= 0.36**2).astype(np.uint16)
        a = sc.homogenize(g, mats, "thermal", "fft", tol=1e-8).kappa_iso_W_mK
        b = sc.homogenize(g, mats, "thermal", "fem", tol=1e-8).kappa_iso_W_mK
        gaps.append(abs(a - b) / a)
    assert gaps[2] < gaps[1] < gaps[0] and gaps[2] < 0.02
