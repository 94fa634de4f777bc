"""MD engine through Python: NVE conservation, structures, ASE round trips, bad input, resume."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase import Atoms
from ase.io import read

import scalebridge
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.exceptions import InputError
from scalebridge.md import Simulation
from scalebridge.potentials import LennardJones
from scalebridge.structures import bulk, random_solid_solution

AR = LennardJones(epsilon={"Ar": 0.0104}, sigma={"Ar": 3.40}, cutoff=8.5, shift=True)


def liquid_argon(seed: int = 0) -> Atoms:
    """256 Ar atoms at liquid density (ρ* ≈ 0.84): fcc melted by strong perturbation."""
    atoms = bulk("Ar", "fcc", 5.7, repeat=4)
    rng = np.random.default_rng(seed)
    atoms.positions += rng.normal(0.0, 0.25, atoms.positions.shape)
    return atoms


def nve_energy_series(dt: float, steps: int) -> np.ndarray:
    sim = Simulation(liquid_argon(), AR, timestep=dt, threads=2)
    sim.create_velocities(temperature=120.0, seed=4)
    sim.run(int(round(0.2 / dt)))  # equilibrate 0.2 ps
    sim._inner.thermo_every = 1
    sim.run(steps)
    df = sim.thermo
    return df["etotal_eV"].to_numpy()[1:] / len(liquid_argon())


def test_nve_energy_error_scales_with_dt_squared_and_does_not_drift():
    """Velocity Verlet conserves a shadow Hamiltonian H̃ = H + O(Δt²): the total energy fluctuates
    with an amplitude ∝ Δt² and shows no secular drift. Derived bounds: (1) the RMS fluctuation
    ratio between Δt and Δt/2 is 4 (accept 3–5.5); (2) over the run the fitted drift is smaller than
    the Δt² fluctuation amplitude itself; (3) that amplitude is below (ωΔt)²·k_BT/8 per atom, with
    ω = 2π/(0.5 ps) the fastest Ar vibration (period of the LJ well ≈ 0.5 ps)."""
    dt = 0.010
    t_run = 2.0  # ps
    e1 = nve_energy_series(dt, int(t_run / dt))
    e2 = nve_energy_series(dt / 2, int(t_run / (dt / 2)))
    s1, s2 = np.std(e1), np.std(e2)
    assert 3.0 < s1 / s2 < 5.5, (s1, s2)
    t = np.arange(len(e1)) * dt
    slope = np.polyfit(t, e1, 1)[0]
    assert abs(slope) * t_run < 2.0 * s1, (slope, s1)
    kT = 8.617343e-5 * 120.0
    omega = 2 * math.pi / 0.5
    assert s1 < (omega * dt) ** 2 * kT / 8, (s1, (omega * dt) ** 2 * kT / 8)


def test_momentum_stays_zero_and_thermo_table():
    sim = Simulation(liquid_argon(1), AR, timestep=0.005, threads=1)
    sim.create_velocities(temperature=100.0, seed=11)
    assert abs(sim.current_thermo()["temperature_K"] - 100.0) < 1e-9
    sim.run(300, thermo_every=50)
    p = (np.asarray(sim._inner.masses)[:, None] * sim.velocities).sum(axis=0)
    assert np.all(np.abs(p) < 1e-9)
    df = sim.thermo
    assert list(df["step"]) == [0, 50, 100, 150, 200, 250, 300]
    assert {"temperature_K", "pe_eV", "ke_eV", "etotal_eV", "pressure_GPa", "pxy_GPa"} <= set(df.columns)
    np.testing.assert_allclose(df["etotal_eV"], df["pe_eV"] + df["ke_eV"], rtol=1e-12)


def test_thread_counts_agree_to_1e12():
    atoms = liquid_argon(2)
    results = []
    for threads in (1, 2, 3):
        a = atoms.copy()
        a.calc = ScaleBridgeCalculator(AR, threads=threads)
        results.append((a.get_potential_energy(), a.get_forces(), a.get_stress()))
    e0, f0, s0 = results[0]
    for e, f, s in results[1:]:
        assert abs(e - e0) <= 1e-12 * abs(e0)
        assert np.max(np.abs(f - f0)) <= 1e-12 * np.max(np.abs(f0))
        assert np.max(np.abs(s - s0)) <= 1e-12 * np.max(np.abs(s0))


def test_trajectory_is_readable_extxyz_and_run_resumes(tmp_path):
    sim = Simulation(liquid_argon(3), AR, timestep=0.005, threads=1)
    sim.create_velocities(temperature=90.0, seed=3)
    traj = tmp_path / "t.extxyz"
    sim.run(100, trajectory=str(traj), stride=25)
    frames = read(str(traj), index=":")
    assert len(frames) == 4
    np.testing.assert_allclose(frames[-1].positions, sim.positions, atol=1e-9)
    np.testing.assert_allclose(frames[-1].get_forces(), sim.forces, rtol=1e-9, atol=1e-12)
    # checkpoint, continue, and compare with an uninterrupted run
    ck = tmp_path / "ck.json"
    sim.checkpoint(str(ck))
    sim.run(50)
    ref = sim.positions.copy()
    sim2 = Simulation(liquid_argon(3), AR, timestep=0.005, threads=1)
    sim2.restore(str(ck))
    sim2.run(50)
    np.testing.assert_array_equal(sim2.positions, ref)
    sim.write_thermo(str(tmp_path / "thermo.parquet"))


def test_structures_roundtrip_and_builders(tmp_path):
    for lattice, sp, n in [("sc", "Po", 1), ("bcc", "Fe", 2), ("fcc", "Cu", 4), ("hcp", "Mg", 2),
                           ("diamond", "Si", 8), ("b2", ["Cs", "Cl"], 2), ("l12", ["Ni", "Al"], 4)]:
        a = bulk(sp, lattice, 3.5, repeat=(2, 1, 1))
        assert len(a) == 2 * n
    cu = bulk("Cu", "fcc", 3.615, orientation=[[1, -1, 0], [1, 1, -2], [1, 1, 1]], repeat=2)
    assert len(cu) == 24 * 8
    d = cu.get_all_distances(mic=True)
    assert abs(np.min(d[d > 0]) - 3.615 / math.sqrt(2)) < 1e-9
    alloy = random_solid_solution(bulk("Cu", "fcc", 3.6, repeat=3), {"Cu": 0.75, "Ni": 0.25}, seed=1)
    assert alloy.get_chemical_symbols().count("Ni") == 27
    for fmt, name in [("extxyz", "s.extxyz"), ("cif", "s.cif"), ("vasp", "POSCAR"), ("lammps-data", "s.data")]:
        path = tmp_path / name
        scalebridge.structures.write(str(path), alloy, format=fmt)
        kw = {"atom_style": "atomic"} if fmt == "lammps-data" else {}
        back = scalebridge.structures.read(str(path), format=fmt, **kw)
        assert len(back) == len(alloy)
        np.testing.assert_allclose(back.get_volume(), alloy.get_volume(), rtol=1e-6)


@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda a: a.positions.__setitem__((3, 1), np.nan), "non-finite position"),
        (lambda a: a.positions.__setitem__((5, 0), np.inf), "non-finite position"),
        (lambda a: a.positions.__setitem__(7, a.positions[8] + [0.1, 0, 0]), "overlap"),
        (lambda a: a.set_masses([0.0] + [39.9] * (len(a) - 1)), "mass"),
        (lambda a: a.set_masses([-1.0] * len(a)), "mass"),
        (lambda a: a.set_chemical_symbols(["Xe"] + ["Ar"] * (len(a) - 1)), "unknown species 'Xe'"),
        (lambda a: a.set_cell([[5, 0, 0], [5, 0, 0], [0, 0, 5]]), "degenerate cell"),
    ],
    ids=["nan", "inf", "overlap", "zero-mass", "negative-mass", "unknown-species", "zero-volume"],
)
def test_bad_input_raises_clear_errors(mutate, match):
    atoms = bulk("Ar", "fcc", 5.26, repeat=3)
    mutate(atoms)
    atoms.calc = ScaleBridgeCalculator(AR)
    with pytest.raises(InputError, match=match):
        atoms.get_potential_energy()
    with pytest.raises(InputError, match=match):
        sim = Simulation(atoms, AR, timestep=0.002)
        sim.run(1)


def test_bad_parameters_raise():
    with pytest.raises(InputError, match="sigma"):
        LennardJones(epsilon={"Ar": 0.01}, sigma={"Ar": -1.0}, cutoff=8.0)
    with pytest.raises(InputError, match="cutoff"):
        LennardJones(epsilon={"Ar": 0.01}, sigma={"Ar": 3.4}, cutoff=float("nan"))
    with pytest.raises(InputError, match="timestep"):
        Simulation(bulk("Ar", "fcc", 5.26, repeat=2), AR, timestep=0.0)
    with pytest.raises(InputError, match="lattice"):
        bulk("Ar", "fcx", 5.26)
    with pytest.raises(InputError, match="periodic"):
        a = bulk("Ar", "fcc", 5.26)
        a.pbc = [True, True, False]
        a.calc = ScaleBridgeCalculator(AR)
        a.get_potential_energy()


@pytest.mark.parametrize(
    "ensemble,kw",
    [
        ("nvt-langevin", {"temperature": 90.0, "damping": 0.1, "seed": 5}),
        ("nvt", {"temperature": 90.0, "damping": 0.1}),
        ("npt", {"temperature": 90.0, "damping": 0.1, "pressure_gpa": 0.0, "pressure_damping": 1.0}),
    ],
)
def test_thermostatted_runs_resume_bit_identically(tmp_path, ensemble, kw):
    """Checkpoints hold the thermostat/barostat variables and the noise stream."""
    sim = Simulation(liquid_argon(5), AR, timestep=0.005, ensemble=ensemble, threads=1, **kw)
    sim.create_velocities(temperature=90.0, seed=2)
    sim.run(40)
    ck = tmp_path / "ck.json"
    sim.checkpoint(str(ck))
    sim.run(40)
    sim2 = Simulation(liquid_argon(5), AR, timestep=0.005, ensemble=ensemble, threads=1, **kw)
    sim2.restore(str(ck))
    sim2.run(40)
    np.testing.assert_array_equal(sim2.positions, sim.positions)
    np.testing.assert_array_equal(sim2.velocities, sim.velocities)
    with pytest.raises(InputError, match="integrator"):
        Simulation(liquid_argon(5), AR, timestep=0.005, ensemble="nve").restore(str(ck))
