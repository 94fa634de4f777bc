"""The von Mises field and temporal (MD time series) columns of `describe` and `dataset build`
(crates/pipeline/src/fields.rs; docs/pipeline.md "Field and time-series columns").

Fast: a 0 K Zhou Ni single crystal and polycrystal (von Mises columns against numpy), and an LJ
argon polycrystal at 40 K through `dataset build` with a tiny study preset (temporal columns in
the Parquet file with their units)."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from scalebridge import pipeline
from conftest import scalebridge_cli

LOAD = 1e-3  # crate::fields::LOAD_STRAIN


def von_mises(s):
    s = np.asarray(s, dtype=float)
    dev = 0.5 * ((s[0] - s[1]) ** 2 + (s[1] - s[2]) ** 2 + (s[2] - s[0]) ** 2)
    return float(np.sqrt(dev + 3.0 * (s[3] ** 2 + s[4] ** 2 + s[5] ** 2)))


def ni(kind):
    return {
        "name": f"Ni-{kind}",
        "class": "metal",
        "temperature_K": 0,
        "phase": [{"name": "Ni", "structure": {"lattice": "fcc", "elements": {"Ni": 1.0}}, "potential": {"generator": "zhou2004"}}],
        "microstructure": {"kind": kind, "grains": 8, "resolution": 12, "seed": 2},
    }


def columns(doc):
    return {f["name"]: f for f in doc["features"]}


def test_von_mises_columns_against_numpy(tmp_path):
    one = pipeline.describe(ni("single-crystal"), quick=True, cache_dir=str(tmp_path), threads=1)
    f = columns(one)
    c = np.array(one["phases"][0]["C_GPa"]["value"])
    uni = np.array([LOAD, 0, 0, 0, 0, 0])
    shear = np.array([0, 0, 0, 0, 0, LOAD])
    # a single crystal: uniform field σ = C ε, von Mises by numpy
    assert f["vm_stress_uniaxial_mean"]["value"] == pytest.approx(von_mises(c @ uni), rel=1e-12)
    assert f["vm_stress_shear_max"]["value"] == pytest.approx(von_mises(c @ shear), rel=1e-12)
    assert f["vm_stress_shear_std"]["value"] == pytest.approx(0.0, abs=1e-15)
    assert f["vm_strain_shear_mean"]["value"] == pytest.approx(LOAD / np.sqrt(3.0), rel=1e-12)
    for n in ("vm_stress_uniaxial_mean", "vm_stress_shear_p95"):
        assert (f[n]["unit"], f[n]["scale"]) == ("GPa", "continuum")
    assert (f["vm_strain_uniaxial_std"]["unit"], f["vm_strain_uniaxial_std"]["scale"]) == ("1", "continuum")
    # 0 K: no MD time series, so no temporal column
    assert not any(n.startswith(("npt_", "gk_")) for n in f)

    # polycrystal (same 0 K stages from the cache): the mean local stress is C_eff ε, and the
    # convex von Mises norm gives mean(σ_vM) >= σ_vM(C_eff ε); anisotropic Ni grains spread it
    poly = pipeline.describe(ni("polycrystal"), quick=True, cache_dir=str(tmp_path), threads=1)
    p = columns(poly)
    ceff = np.array(poly["properties"]["C_GPa"]["value"])
    for load, e in (("uniaxial", uni), ("shear", shear)):
        vm_of_mean = von_mises(ceff @ e)
        assert vm_of_mean * (1 - 1e-6) <= p[f"vm_stress_{load}_mean"]["value"] < 1.5 * vm_of_mean
        assert p[f"vm_stress_{load}_std"]["value"] > 0
        assert p[f"vm_stress_{load}_max"]["value"] >= p[f"vm_stress_{load}_p95"]["value"] >= p[f"vm_stress_{load}_mean"]["value"] * 0.5


AR = """name = "Ar-poly"
class = "noble-gas"
temperature_K = 40
[[phase]]
name = "Ar"
structure = { lattice = "fcc", elements = { Ar = 1.0 }, a = 5.26 }
potential = { lammps = ["pair_style lj/cut 8.5", "pair_coeff * * 0.0104 3.40"], elements = ["Ar"] }
[microstructure]
kind = "polycrystal"
grains = 6
resolution = 12
seed = 3
"""

TINY = {
    "name": "tiny-fields-pytest",
    "bulk_repeat": [3, 3, 3],
    "melt_repeat": [3, 3, 12],
    "elastic_thermal": {"npt_steps": 640, "equilibration_steps": 50, "production_steps": 250, "blocks": 5},
    "green_kubo": {"seeds": [1], "equilibration_steps": 200, "production_steps": 2000, "correlation_time": 0.5},
    "melting": {"search_steps": 500, "equilibrate_steps": 500, "melt_steps": 500, "trial_steps": 1000, "bisections": 0,
                "nph_steps": 0, "ramp_steps": 0, "sample_every": 100, "max_expansions": 1},
    "draws": 2,
}


def test_dataset_build_carries_temporal_and_von_mises_columns(tmp_path):
    from scalebridge.features import read_table

    (tmp_path / "ar.toml").write_text(AR)
    (tmp_path / "design.toml").write_text('name = "ar"\nmaterials = ["ar.toml"]\n')
    (tmp_path / "tiny.json").write_text(json.dumps(TINY))
    out = tmp_path / "table.parquet"
    cmd = [scalebridge_cli(), "dataset", "build", str(tmp_path / "design.toml"), "--out", str(out),
           "--preset", str(tmp_path / "tiny.json"), "--cache", str(tmp_path / "cache"), "--threads", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    df = read_table(out)
    assert len(df) == 1
    expect = {
        "npt_pressure_mean": ("atomistic", "GPa"),
        "npt_stress_xy_spec0_amp": ("atomistic", "GPa"),
        "npt_potential_energy_fluct": ("atomistic", "eV/atom"),
        "npt_volume_win0_mean": ("atomistic", "Å^3/atom"),
        "gk_hcacf_spec1_freq": ("atomistic", "1/ps"),
        "gk_running_kappa_mean": ("atomistic", "W/m/K"),
        "vm_stress_uniaxial_mean": ("continuum", "GPa"),
        "vm_strain_shear_p95": ("continuum", "1"),
    }
    for col, (scale, unit) in expect.items():
        assert (df.attrs["scale"][col], df.attrs["unit"][col]) == (scale, unit), col
        assert np.isfinite(df[col].iloc[0]), col
    # the windowed means of the NPT potential energy average to the series mean (equal windows)
    wins = [df[f"npt_potential_energy_win{i}_mean"].iloc[0] for i in range(4)]
    assert np.mean(wins) == pytest.approx(df["npt_potential_energy_mean"].iloc[0], rel=1e-3)
    assert -0.1 < df["npt_potential_energy_mean"].iloc[0] < -0.05
