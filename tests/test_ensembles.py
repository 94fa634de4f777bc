"""Statistical checks of the ensembles (each can fail):

- Langevin NVT: the kinetic energy follows the canonical Gamma(3N/2, kT) distribution
  (Kolmogorov–Smirnov on decorrelated samples, plus mean and variance within 4 standard errors);
- Nosé–Hoover chain NVT: mean and variance of the kinetic energy of the 3N−3 momentum-conserving
  degrees of freedom match Gamma((3N−3)/2, kT);
- MTK NPT: mean pressure and mean temperature within 4 standard errors (block averages) of the
  targets.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from ase.build import bulk
from scipy import stats

from scalebridge import potentials
from scalebridge.dynamics import Dynamics
from scalebridge.oracle import potentials_dir

KB = 8.617343e-5  # eV/K (LAMMPS metal)
POT = os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy")


def block_mean_se(x: np.ndarray, nblocks: int = 20) -> tuple[float, float]:
    """Mean and its standard error from `nblocks` block averages."""
    n = len(x) // nblocks * nblocks
    b = x[:n].reshape(nblocks, -1).mean(axis=1)
    return float(x[:n].mean()), float(b.std(ddof=1) / np.sqrt(nblocks))


def crystal(n: int, a: float = 3.615):
    return bulk("Cu", "fcc", a=a, cubic=True).repeat(n)


def test_langevin_kinetic_energy_is_canonical():
    atoms = crystal(2)  # 32 atoms: a broad distribution
    n, T = len(atoms), 500.0
    md = Dynamics(atoms, potentials.load(POT), "nvt-langevin", timestep=0.002, temperature=T, damping=0.05, seed=42)
    md.create_velocities(T, seed=1)
    th = md.run(100_000, thermo_every=50)  # samples 0.1 ps = 2 damping times apart
    ke = th["ke_eV"].to_numpy()[20:]
    shape, kt = 1.5 * n, KB * T
    ks = stats.kstest(ke, stats.gamma(a=shape, scale=kt).cdf)
    assert ks.pvalue > 1e-3, ks
    se_mean = np.sqrt(shape) * kt / np.sqrt(len(ke))
    assert abs(ke.mean() - shape * kt) < 4 * se_mean
    var = ke.var(ddof=1)
    se_var = shape * kt**2 * np.sqrt(2 / (len(ke) - 1) * (1 + 3 / shape))  # Gamma: excess kurtosis 6/shape
    assert abs(var - shape * kt**2) < 4 * se_var


def test_langevin_is_reproducible():
    def run(seed):
        md = Dynamics(crystal(2), potentials.load(POT), "nvt-langevin", 0.002, 300.0, 0.1, seed=seed)
        md.create_velocities(300.0, seed=1)
        md.run(200)
        return md.atoms.positions

    assert np.array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


@pytest.mark.slow
def test_nose_hoover_kinetic_energy_moments():
    atoms = crystal(2)
    n, T = len(atoms), 500.0
    md = Dynamics(atoms, potentials.load(POT), "nvt", timestep=0.002, temperature=T, damping=0.05)
    md.create_velocities(T, seed=3)
    th = md.run(200_000, thermo_every=50)
    ke = th["ke_eV"].to_numpy()[20:]
    shape, kt = 1.5 * (n - 1), KB * T
    m, se = block_mean_se(ke)
    assert abs(m - shape * kt) < 4 * se
    v, sev = block_mean_se((ke - m) ** 2)
    assert abs(v - shape * kt**2) < 4 * sev


@pytest.mark.parametrize("coupling", ["iso", "aniso"])
def test_npt_mean_pressure_and_temperature(coupling):
    atoms = crystal(3)
    T, P = 600.0, 2.0  # K, GPa
    md = Dynamics(atoms, potentials.load(POT), "npt", timestep=0.002, temperature=T, damping=0.1,
                  pressure_gpa=P, pressure_damping=0.5, coupling=coupling)
    md.create_velocities(T, seed=5)
    th = md.run(25_000, thermo_every=10)[500:]
    p, sep = block_mean_se(th["pressure_GPa"].to_numpy())
    t, set_ = block_mean_se(th["temperature_K"].to_numpy())
    assert abs(p - P) < 4 * sep, (p, sep)
    assert abs(t - T) < 4 * set_, (t, set_)
    assert sep < 0.2 and set_ < 15  # the test has power


@pytest.mark.slow
def test_npt_triclinic_mean_pressure():
    atoms = crystal(3)
    T, P = 600.0, 2.0
    md = Dynamics(atoms, potentials.load(POT), "npt", timestep=0.002, temperature=T, damping=0.1,
                  pressure_gpa=P, pressure_damping=0.5, coupling="tri")
    md.create_velocities(T, seed=6)
    th = md.run(60_000, thermo_every=10)[1000:]
    for col, target in [("pxx_GPa", P), ("pyy_GPa", P), ("pzz_GPa", P), ("pxy_GPa", 0.0), ("pxz_GPa", 0.0), ("pyz_GPa", 0.0)]:
        m, se = block_mean_se(th[col].to_numpy())
        assert abs(m - target) < 4 * se, (col, m, se)


# --- deterministic integrators against LAMMPS: same start, same trajectory -----------------------


@pytest.mark.oracle
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("ensemble", ["nvt", "npt-iso", "npt-aniso", "npt-tri"])
def test_nose_hoover_and_mtk_follow_lammps_trajectories(lammps, ensemble, threads):
    """`fix nvt` / `fix npt` (chains of 3, MTK) from the same positions and velocities: after 300
    steps energies and volume agree to 1e-10 (the trajectories are the same to round-off), at
    one and two threads. Under NPT our neighbour list survives the cell changes (rebuilt only
    when atoms or cell moved far enough), so this also proves that it never misses a pair."""
    import ctypes

    from conftest import load_into_lammps

    atoms = crystal(3)
    if ensemble == "npt-tri":
        c = atoms.cell.array.copy()
        c[1, 0], c[2, 0], c[2, 1] = 0.4, -0.3, 0.5
        atoms.set_cell(c, scale_atoms=True)
    atoms.positions += np.random.default_rng(0).normal(scale=0.05, size=atoms.positions.shape)
    kw: dict = dict(timestep=0.002, temperature=600.0, damping=0.1)
    coupling = ensemble.split("-")[1] if ensemble.startswith("npt") else None
    if coupling:
        kw.update(pressure_gpa=2.0, pressure_damping=0.5, coupling=coupling)
    md = Dynamics(atoms, potentials.load(POT), "npt" if coupling else "nvt", threads=threads, **kw)
    md.create_velocities(600.0, seed=3)
    v0 = md.velocities.copy()
    row = md.run(300, thermo_every=300).iloc[-1]

    lmp = lammps()
    load_into_lammps(lmp, atoms, ["Cu"])
    lmp.command("pair_style eam/alloy")
    lmp.command(f"pair_coeff * * {POT} Cu")
    lmp.command(f"mass 1 {float(atoms.get_masses()[0])!r}")
    lmp.command("neighbor 1.0 bin")
    lmp.command("neigh_modify every 1 delay 0 check yes")
    lmp.command("timestep 0.002")
    n = len(atoms)
    lmp.scatter_atoms("v", 1, 3, (ctypes.c_double * (3 * n))(*v0.flatten().tolist()))
    if coupling:
        lmp.command(f"fix 1 all npt temp 600 600 0.1 {coupling} 20000 20000 0.5")  # 2 GPa = 20000 bar
    else:
        lmp.command("fix 1 all nvt temp 600 600 0.1")
    lmp.command("thermo_style custom step pe ke vol")
    lmp.command("run 300")
    assert row["pe_eV"] == pytest.approx(lmp.get_thermo("pe"), rel=1e-10)
    assert row["ke_eV"] == pytest.approx(lmp.get_thermo("ke"), rel=1e-10)
    assert row["volume_A3"] == pytest.approx(lmp.get_thermo("vol"), rel=1e-10)
