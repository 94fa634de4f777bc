"""MSD diffusivity, RDF, vacancy formation, thermal expansion / heat capacity and the per-atom
descriptors, against LAMMPS running the same protocol or analytic limits."""

from __future__ import annotations

import os

import numpy as np
import pytest

from scalebridge import InputError, potentials, structures
from scalebridge.md import Simulation
from scalebridge.oracle import potentials_dir
from scalebridge.properties import (
    ProtocolWarning,
    bond_statistics,
    diffusivity,
    displacements,
    local_temperature,
    rdf,
    thermal_expansion,
    vacancy_formation_energy,
)

from conftest import load_into_lammps

KB = 8.617343e-5
EPS, SIG = 0.0104, 3.405
POT = potentials_dir()


def _lj():
    return potentials.LennardJones({"Ar": EPS}, {"Ar": SIG}, cutoff=2.5 * SIG)


@pytest.fixture(scope="module")
def lj_liquid():
    """500 argon atoms at ρ* = 0.8, melted at 400 K (then used at T* = 1)."""
    a = (4 / 0.8) ** (1 / 3) * SIG
    sim = Simulation(structures.bulk("Ar", "fcc", a=a, repeat=5), _lj(), timestep=0.005, ensemble="nvt-langevin", temperature=400.0, damping=0.5, seed=3)
    sim.create_velocities(400.0, 3)
    sim.run(2000)
    return sim.atoms


def _lammps_lj(lmp, atoms):
    load_into_lammps(lmp, atoms, ["Ar"])
    lmp.command(f"pair_style lj/cut {2.5 * SIG!r}")
    lmp.command(f"pair_coeff 1 1 {EPS!r} {SIG!r}")
    lmp.command("neighbor 1.0 bin")


@pytest.mark.oracle
def test_msd_diffusivity_matches_lammps_same_protocol(lammps, lj_liquid):
    """Same liquid, same thermostat, ensemble, time step and fit window. LAMMPS: `compute msd`
    from independent velocity seeds, one origin each; ours: multiple origins in blocks."""
    T = 1.0 * EPS / KB
    dt, lag_steps, every = 0.005, 800, 10
    ours = diffusivity(lj_liquid, _lj(), T, timestep=dt, equilibration_steps=2000, production_steps=10000, max_lag_ps=lag_steps * dt, fit_start=0.25, blocks=5, seed=11)
    d, e = ours.value("diffusivity"), ours.stderr("diffusivity")
    ref = []
    for seed in (101, 202, 303, 404, 505, 606):
        lmp = lammps()
        _lammps_lj(lmp, lj_liquid)
        lmp.command(f"timestep {dt}")
        lmp.command(f"velocity all create {T!r} {seed} dist gaussian mom yes rot no")
        lmp.command(f"fix 1 all nvt temp {T!r} {T!r} 0.1")
        lmp.command("run 2000")
        lmp.command("unfix 1")
        lmp.command("fix 2 all nve")
        lmp.command("compute msd all msd")
        lmp.command("variable msd equal c_msd[4]")
        lmp.command("thermo_style custom step v_msd")
        lmp.command("run 0")
        t, msd = [], []
        for k in range(lag_steps // every):
            lmp.command(f"run {every} pre no post no")
            t.append((k + 1) * every * dt)
            msd.append(lmp.extract_variable("msd"))
        t, msd = np.array(t), np.array(msd)
        sel = (t >= 0.25 * lag_steps * dt - 1e-9) & (t <= lag_steps * dt)
        ref.append(np.polyfit(t[sel], msd[sel], 1)[0] / 6)
    dr, er = np.mean(ref), np.std(ref, ddof=1) / np.sqrt(len(ref))
    z = abs(d - dr) / np.hypot(e, er)
    assert z < 3, f"ours {d:.4f} ± {e:.4f}, LAMMPS {dr:.4f} ± {er:.4f} Å²/ps (z = {z:.2f})"
    assert ours.value("diffusivity_si") == pytest.approx(d * 1e-8)
    assert ours["fit_window_ps"][0] == pytest.approx(1.0) and ours["fit_window_ps"][1] <= 4.0
    x, y = ours.curve("msd")
    assert y[0] == 0.0 and np.all(np.diff(y[5:]) > 0)


def test_diffusivity_bad_input_and_solid_warning():
    atoms = structures.bulk("Ar", "fcc", a=5.26, repeat=3)
    with pytest.raises(InputError, match="temperature"):
        diffusivity(atoms, _lj(), -5.0)
    with pytest.raises(InputError, match="too short"):
        diffusivity(atoms, _lj(), 30.0, production_steps=100)
    with pytest.raises(InputError, match="fit window"):
        diffusivity(atoms, _lj(), 30.0, fit_start=0.8, fit_end=0.5)
    # a cold crystal does not diffuse: the result must say so
    with pytest.warns(ProtocolWarning, match="barely move"):
        r = diffusivity(atoms, _lj(), 20.0, timestep=0.005, equilibration_steps=200, production_steps=3000, blocks=3)
    assert abs(r.value("diffusivity")) < 0.01


@pytest.mark.oracle
def test_rdf_matches_lammps_compute_rdf(lammps, lj_liquid):
    nbins, rmax = 50, 2.4 * SIG
    ours = rdf(lj_liquid, rmax, nbins)
    lmp = lammps()
    _lammps_lj(lmp, lj_liquid)
    lmp.command(f"compute g all rdf {nbins} cutoff {rmax!r}")
    lmp.command("fix g all ave/time 1 1 1 c_g[*] mode vector")
    lmp.command("run 0")
    ref = np.array([[lmp.extract_fix("g", 0, 2, i, j) for j in range(3)] for i in range(nbins)])
    np.testing.assert_allclose(ours["r"], ref[:, 0], rtol=1e-12)
    np.testing.assert_allclose(ours["g"], ref[:, 1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["coord"], ref[:, 2], rtol=1e-9, atol=1e-12)


@pytest.mark.oracle
def test_vacancy_formation_matches_lammps(lammps):
    if POT is None:
        pytest.skip("no potentials")
    path = os.path.join(POT, "Cu_mishin1.eam.alloy")
    pot = potentials.load(path)
    atoms = structures.bulk("Cu", "fcc", a=3.615, repeat=4)
    r = vacancy_formation_energy(atoms, pot, site=5)
    # LAMMPS: relax the perfect crystal (box/relax), delete the atom, relax at constant volume
    lmp = lammps()
    load_into_lammps(lmp, atoms, ["Cu"])
    lmp.command("pair_style eam/alloy")
    lmp.command(f"pair_coeff * * {path} Cu")
    lmp.command("thermo_style custom step pe")
    lmp.command("fix r all box/relax iso 0.0 vmax 0.001")
    lmp.command("minimize 0 1e-10 20000 100000")
    lmp.command("unfix r")
    lmp.command("run 0")
    e_n = lmp.get_thermo("pe")
    lmp.command("group gone id 6")
    lmp.command("delete_atoms group gone compress no")
    lmp.command("minimize 0 1e-10 20000 100000")
    e_v = lmp.get_thermo("pe")
    ref = e_v - (len(atoms) - 1) / len(atoms) * e_n
    assert r.value("formation_energy") == pytest.approx(ref, abs=2e-5)
    # Mishin et al. (2001) give E_v^f = 1.27 eV for this potential
    assert r.value("formation_energy") == pytest.approx(1.27, abs=0.02)
    assert r.value("unrelaxed_formation_energy") > r.value("formation_energy")
    with pytest.raises(InputError, match="site"):
        vacancy_formation_energy(atoms, pot, site=10_000)


def test_heat_capacity_is_dulong_petit_and_expansion_positive():
    """Classical crystal at low T: C_P → 3 k_B per atom (24.94 J/(mol K)); α > 0."""
    if POT is None:
        pytest.skip("no potentials")
    pot = potentials.load(os.path.join(POT, "Cu_mishin1.eam.alloy"))
    r = thermal_expansion(structures.bulk("Cu", "fcc", a=3.615, repeat=3), pot, 60.0, delta_t=20.0, equilibration_steps=1000, production_steps=4000, seed=5)
    cp, cpe = r.value("heat_capacity_molar"), r.stderr("heat_capacity_molar")
    assert abs(cp - 3 * 8.314462618) < max(4 * cpe, 0.05 * 24.94), (cp, cpe)
    assert r.value("volumetric_expansion") > 0
    assert r.value("linear_expansion") == pytest.approx(r.value("volumetric_expansion") / 3)
    assert len(r["points"]) == 3
    with pytest.raises(InputError, match="temperatures"):
        thermal_expansion(structures.bulk("Cu", "fcc", a=3.615, repeat=2), pot, 30.0, delta_t=50.0)


def test_displacements_local_temperature_and_bonds():
    atoms = structures.bulk("Ar", "fcc", a=5.26, repeat=3)
    moved = atoms.copy()
    moved.positions[0] += [0.1, -0.2, 0.3]
    moved.positions[1] += moved.cell[0] - [0.05, 0, 0]  # crosses the box: minimum image
    d = displacements(moved, atoms)
    np.testing.assert_allclose(d[0], [0.1, -0.2, 0.3], atol=1e-12)
    np.testing.assert_allclose(d[1], [-0.05, 0, 0], atol=1e-12)
    rng = np.random.default_rng(0)
    v = rng.normal(size=(len(atoms), 3))
    t_local = local_temperature(atoms, v, radius=4.0)
    m = atoms.get_masses()[0]
    t_atom = m * (v**2).sum(axis=1) * 1.0364269e-4 / (3 * KB)
    # with 12 neighbours inside 4 Å, the local temperature averages 13 atoms
    assert t_local.mean() == pytest.approx(t_atom.mean(), rel=1e-12)
    assert t_local.std() < t_atom.std()
    b = bond_statistics(atoms, _lj(), bond_cutoff=4.5)
    assert b["mean_coordination"] == pytest.approx(12.0)
    assert b["mean_bond_length"] == pytest.approx(5.26 / np.sqrt(2))
    # pair potential: cohesive energy per bond ≈ −φ(r_nn) (plus the farther shells' share)
    phi = 4 * EPS * ((SIG / (5.26 / np.sqrt(2))) ** 12 - (SIG / (5.26 / np.sqrt(2))) ** 6)
    assert b["mean_bond_energy"] > -phi > 0
