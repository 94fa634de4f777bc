"""Per-atom phase identification against LAMMPS `compute cna/atom`, and the melting-temperature
protocol (solid–liquid coexistence) against published coexistence points:

- LJ truncated at 2.5σ: coexistence at T* = 0.800, P* = 2.185 (Pedersen, J. Chem. Phys. 139,
  104102 (2013)) — fast;
- LJ with a 6σ cutoff near zero pressure: full-potential triple point T* = 0.694 (Agrawal &
  Kofke, Mol. Phys. 85, 43 (1995)) within 2 % — slow;
- Mishin Cu (Cu_mishin1.eam.alloy): T_m = 1327 K (Mishin et al., PRB 63, 224106 (2001)) within
  2 % — slow.
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import pytest

from scalebridge import potentials
from scalebridge.exceptions import InputError
from scalebridge.md import Simulation
from scalebridge.oracle import potentials_dir
from scalebridge.properties import ProtocolWarning, identify_phases, melting_temperature
from scalebridge.structures import bulk

from conftest import load_into_lammps

KB = 8.617343e-5  # eV/K (LAMMPS metal)
EPS, SIG = 0.0104, 3.405  # argon-like LJ, eV and Å
EV_A3_GPA = 160.21765
CNA_NAMES = {1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "other"}


def _cu():
    return potentials.load(os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy"))


def _thermalised(atoms, pot, temperature: float, steps: int, seed: int = 7):
    sim = Simulation(atoms, pot, timestep=0.002, ensemble="nvt-langevin", temperature=temperature, damping=0.05, seed=seed, threads=2)
    sim.create_velocities(temperature=temperature, seed=seed)
    sim.run(steps)
    out = sim.atoms
    out.wrap()
    return out


def _lammps_cna(lammps, atoms, species: list[str], cutoff: float, pair: tuple[str, str] | None = None) -> np.ndarray:
    lmp = lammps()
    load_into_lammps(lmp, atoms, species)
    if pair is None:
        lmp.command("pair_style zero 8.0")
        lmp.command("pair_coeff * *")
    else:
        lmp.command(f"pair_style {pair[0]}")
        lmp.command(f"pair_coeff {pair[1]}")
    lmp.command(f"compute cna all cna/atom {float(cutoff)!r}")
    lmp.command("run 0")
    return np.array(lmp.gather("c_cna", 1, 1)).reshape(len(atoms)).astype(int)


@pytest.mark.oracle
def test_cna_matches_lammps_on_thermalised_cu(lammps):
    """Conventional CNA at 0.854·a on Cu at 1000 K (plus a partly disordered corner) vs LAMMPS."""
    a = 3.615
    atoms = _thermalised(bulk("Cu", "fcc", a, repeat=6), _cu(), 1000.0, 300)
    rng = np.random.default_rng(3)
    corner = np.where((atoms.get_scaled_positions()[:, :2] < 0.3).all(axis=1))[0]
    atoms.positions[corner] += rng.normal(scale=0.35, size=(len(corner), 3))
    atoms.wrap()
    rc = 0.854 * a
    ours = identify_phases(atoms, "cna", cutoff=rc)
    ref = np.array([CNA_NAMES[c] for c in _lammps_cna(lammps, atoms, ["Cu"], rc)])
    agree = np.mean(ours == ref)
    assert agree >= 0.99, f"CNA agreement with LAMMPS {agree:.4f}"
    # the snapshot exercises more than one label
    assert {"fcc", "other"} <= set(ref)
    # adaptive CNA finds the thermal crystal at least as often as the fixed cutoff
    adaptive = identify_phases(atoms, "cna")
    assert np.mean(adaptive == "fcc") >= np.mean(ref == "fcc") - 0.01


@pytest.mark.oracle
def test_cna_matches_lammps_on_perturbed_bcc_and_hcp(lammps):
    rng = np.random.default_rng(5)
    fe = bulk("Fe", "bcc", 2.87, repeat=6)
    fe.positions += rng.normal(scale=0.06, size=fe.positions.shape)
    fe.wrap()
    rc = 1.207 * 2.87
    ours = identify_phases(fe, "cna", cutoff=rc)
    ref = np.array([CNA_NAMES[c] for c in _lammps_cna(lammps, fe, ["Fe"], rc)])
    assert np.mean(ours == ref) >= 0.99 and np.mean(ref == "bcc") > 0.5
    ti = bulk("Ti", "hcp", 2.95, repeat=(6, 4, 4), orthogonal=True)
    ti.positions += rng.normal(scale=0.05, size=ti.positions.shape)
    ti.wrap()
    rc = 0.854 * 2.95 * np.sqrt(2.0)
    ours = identify_phases(ti, "cna", cutoff=rc)
    ref = np.array([CNA_NAMES[c] for c in _lammps_cna(lammps, ti, ["Ti"], rc)])
    assert np.mean(ours == ref) >= 0.99 and np.mean(ref == "hcp") > 0.5


def test_perfect_lattices_and_q6():
    for el, lat, a, label in [("Cu", "fcc", 3.615, "fcc"), ("Fe", "bcc", 2.87, "bcc"), ("Ti", "hcp", 2.95, "hcp")]:
        s = bulk(el, lat, a, repeat=4, orthogonal=lat == "hcp")
        assert (identify_phases(s, "cna") == label).all()
        assert (identify_phases(s, "q6") == "solid").all()
    q = identify_phases(bulk("Cu", "fcc", 3.615, repeat=3), "q6-raw-values")
    np.testing.assert_allclose(q, 0.57452, atol=2e-5)  # Steinhardt et al. (1983)
    with pytest.raises(InputError):
        identify_phases(bulk("Cu", "fcc", 3.615, repeat=3), "voronoi")


def _argon_lj(cutoff_sigma: float):
    return potentials.LennardJones({"Ar": EPS}, {"Ar": SIG}, cutoff=cutoff_sigma * SIG)


def test_bad_input_is_refused():
    lj = _argon_lj(2.5)
    s = bulk("Ar", "fcc", 5.3, repeat=(4, 4, 12))
    for guess in (0.0, -50.0):
        with pytest.raises(InputError, match="guess"):
            melting_temperature(s, lj, guess_K=guess)
    with pytest.raises(InputError, match="vaporisation"):
        melting_temperature(s, lj, guess_K=3000.0)
    with pytest.raises(InputError, match="too small"):
        melting_temperature(bulk("Ar", "fcc", 5.3, repeat=4), lj, guess_K=80.0)
    with pytest.raises(InputError, match="short"):
        melting_temperature(s, lj, guess_K=80.0, trial_steps=400)
    with pytest.raises(InputError, match="orthorhombic"):
        tri = s.copy()
        cell = tri.cell.array.copy()
        cell[2, 0] = 3.0
        tri.set_cell(cell, scale_atoms=True)
        melting_temperature(tri, lj, guess_K=80.0)
    with pytest.raises(InputError):
        melting_temperature(s, lj, guess_K=80.0, no_such_option=1)
    with pytest.raises(InputError, match="element"):
        melting_temperature(None, lj, guess_K=80.0)


def test_lj_cut_coexistence_point_pedersen():
    """LJ truncated at 2.5σ at P* = 2.185: the NPT runs bracket the published coexistence
    temperature T* = 0.800 (solid grows below, melts above) and the NPH runs land on it.

    768 atoms and short runs: whether the 3 % undercooled NPT run moves the interface
    measurably in 3,000 steps, and where (or whether) a two-phase NPH box settles, are chaotic
    outcomes that move whenever round-off moves the trajectories (the lj/cut cluster kernel, then
    the half-stencil neighbour list's pair order, each changed which seeds grew the solid and
    which NPH run landed where: single estimates spread by ±5 %). So four seeds run: the bracket
    must hold for every one; at least one must grow the solid below T_m; at least two NPH runs
    must keep both phases, each within 6 % of T_m and their mean within 3 %."""
    p_gpa = 2.185 * EPS / SIG**3 * EV_A3_GPA
    a = (4 * 1.0277) ** (1 / 3) * SIG  # published crystal volume v* = 1.0277
    s = bulk("Ar", "fcc", a, repeat=(4, 4, 12))
    t_ref = 0.800 * EPS / KB
    landed, grew = [], []
    for seed in (3, 4, 5, 6):
        with pytest.warns(ProtocolWarning):
            r = melting_temperature(
                s, _argon_lj(2.5), guess_K=t_ref * 1.03, pressure_gpa=p_gpa, seed=seed, threads=2,
                equilibrate_steps=2000, melt_steps=2000, melt_factor=3.0, trial_steps=3000, sample_every=100,
                bracket=0.06, bisections=0, nph_steps=4000, ramp_steps=0,
            )
        lo, hi = r["bracket_k"]
        assert lo < t_ref < hi, (seed, lo, t_ref, hi)
        runs = [x for x in r["runs"] if x["kind"] == "npt"]
        grew.append(any(x["outcome"] == "solidifies" and x["temperature_k"] < t_ref for x in runs))
        if r["estimator"] == "nph":
            landed.append(r)
        else:
            assert any("one phase vanished" in w for w in r.warnings), r.warnings
    assert any(grew), "no NPT run below T_m grew the solid"
    assert len(landed) >= 2, f"only {len(landed)} of 4 NPH runs kept both phases"
    tms = [r.value("melting_temperature") for r in landed]
    for tm in tms:
        assert abs(tm / t_ref - 1) < 0.06, f"T* = {tm * KB / EPS:.4f} vs 0.800"
    assert abs(np.mean(tms) / t_ref - 1) < 0.03, f"mean T* = {np.mean(tms) * KB / EPS:.4f} vs 0.800 ({tms})"
    for r in landed:
        assert r.stderr("melting_temperature") > 0
        x, y = r.curve("temperature, nph")
        assert len(x) == len(y) > 10


def _printer():
    last = [0.0]

    def progress(done: int, total: int, stage: str) -> bool:
        if time.time() - last[0] > 30:
            last[0] = time.time()
            print(f"  {done}/{total} steps: {stage}", flush=True)
        return True

    return progress


def _report(name: str, r, ref: float, cpu: float) -> None:
    tm, err = r.value("melting_temperature"), r.stderr("melting_temperature")
    print(
        f"\n[{name}] T_m = {tm:.2f} ± {err:.2f} K ({r['estimator']}), reference {ref:.2f} K, "
        f"deviation {100 * (tm / ref - 1):+.2f} %, bracket {r['bracket_k']}, interpolated {r['t_m_interpolated']}, "
        f"T+ {r['superheating_k']}, T- {r['supercooling_k']}, atoms {r['n_atoms']}, CPU {cpu:.0f} s, "
        f"wall {r.provenance['wall_seconds']:.0f} s, warnings {r.warnings}"
    )
    for x in r["runs"]:
        print(f"   {x['kind']} {x['temperature_k']:.2f} K: <T> {x['mean_temperature_k']:.2f}, slope {x['slope_per_ps']:.2e} ± {x['slope_stderr']:.1e} /ps, {x['outcome']}")


@pytest.mark.slow
def test_lj_long_cutoff_melting_near_triple_point():
    """LJ cut at 6σ, P = 0: T_m within 2 % of the full-potential triple point T* = 0.694."""
    t_ref = 0.694 * EPS / KB
    a = (4 / 0.96) ** (1 / 3) * SIG
    s = bulk("Ar", "fcc", a, repeat=(6, 6, 16))  # 2304 atoms, ~500 neighbours each within 6σ
    cpu = time.process_time()
    with warnings.catch_warnings():  # the protocol's warnings are part of the printed report
        warnings.simplefilter("ignore", ProtocolWarning)
        r = melting_temperature(
            s, _argon_lj(6.0), guess_K=t_ref * 1.02, seed=11, threads=1, equilibrate_steps=2000, melt_steps=2000,
            trial_steps=4000, sample_every=100, bisections=1, nph_steps=10000, ramp_steps=3000, progress=_printer(),
            cache_dir=os.environ.get("SCALEBRIDGE_MELT_CACHE"),
        )
    cpu = time.process_time() - cpu
    _report("LJ 6σ", r, t_ref, cpu)
    assert abs(r.value("melting_temperature") / t_ref - 1) < 0.02
    if r["supercooling_k"] is not None:
        assert r.value("supercooling_k") < r.value("melting_temperature")
    if r["superheating_k"] is not None:
        assert r.value("superheating_k") > r.value("melting_temperature")


@pytest.mark.slow
def test_mishin_cu_melting_temperature():
    """Cu_mishin1.eam.alloy: T_m within 2 % of 1327 K (Mishin et al. 2001)."""
    cpu = time.process_time()
    with warnings.catch_warnings():  # the protocol's warnings are part of the printed report
        warnings.simplefilter("ignore", ProtocolWarning)
        r = melting_temperature(
            None, _cu(), element="Cu", a=3.615, repeat=(6, 6, 18), guess_K=1300.0, seed=5, threads=1,
            progress=_printer(), cache_dir=os.environ.get("SCALEBRIDGE_MELT_CACHE"),
        )
    cpu = time.process_time() - cpu
    _report("Cu Mishin", r, 1327.0, cpu)
    assert abs(r.value("melting_temperature") / 1327.0 - 1) < 0.02
    if r["superheating_k"] is not None:
        assert r.value("superheating_k") > r.value("melting_temperature")
    if r["supercooling_k"] is not None:
        assert r.value("supercooling_k") < r.value("melting_temperature")
