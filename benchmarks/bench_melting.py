"""Benchmark of the melting protocol (solid–liquid coexistence) against the same protocol
scripted in LAMMPS, in the same invocation, on the same EAM copper box.

Ours: `scalebridge.properties.melting_temperature` with CNA phase labels, no hysteresis ramps.
LAMMPS: the same stages with the same lengths, time step, thermostat (`fix temp/csvr`), barostat
(`fix press/berendsen aniso`), frozen half (integrate only the upper half) and per-atom CNA
(`compute cna/atom`) sampled at the same stride: NPT equilibration of the crystal, melting of
the upper half, cooling, relaxation of the two-phase box, then one NPT coexistence run at each
temperature our protocol tried (replaying its run lengths, including early stops) and the NPH
run. Prints one JSON object; `ratio` = LAMMPS wall time / ours (> 1: we are faster).

    python benchmarks/bench_melting.py [--repeat 6 6 18] [--scale 1.0] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import time

from scalebridge import potentials
from scalebridge.oracle import open_lammps, potentials_dir
from scalebridge.properties import melting_temperature
from scalebridge.structures import bulk

A = 3.615
GUESS = 1327.0
BULK_BAR = 1.4e6  # Berendsen coupling modulus (Cu ~140 GPa); only sets the coupling speed


def ours(args, opts):
    pot = potentials.load(os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy"))
    s = bulk("Cu", "fcc", A, repeat=list(args.repeat))
    t0 = time.perf_counter()
    r = melting_temperature(s, pot, guess_K=GUESS, phase="cna", threads=args.threads, **opts)
    return time.perf_counter() - t0, r


def lammps(args, opts, res) -> float:
    dt = res["timestep_ps"]
    nx, ny, nz = args.repeat
    lmp = open_lammps(args.threads)
    tau_t = opts["thermostat_steps"] * dt
    tau_p = opts["barostat_steps"] * dt
    hot = opts["melt_factor"] * GUESS
    every = opts["sample_every"]
    restart = f"/tmp/bench_melting_{os.getpid()}.restart"
    cmds = [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice fcc {A}",
        f"region box block 0 {nx} 0 {ny} 0 {nz}",
        "create_box 1 box",
        "create_atoms 1 box",
        "mass 1 63.546",
        "pair_style eam/alloy",
        f"pair_coeff * * {os.path.join(potentials_dir(), 'Cu_mishin1.eam.alloy')} Cu",
        "neighbor 1.0 bin",
        f"timestep {dt!r}",
        "thermo_style custom step temp press lz",
        "thermo 100000",
        "compute cna all cna/atom 3.0871",
        "variable solid atom c_cna<5",
        "compute nsolid all reduce sum v_solid",
        # 1. solid NPT
        f"velocity all create {GUESS} 1 mom yes dist gaussian",
        "fix 1 all nve",
        f"fix 2 all temp/csvr {GUESS} {GUESS} {tau_t!r} 11",
        f"fix 3 all press/berendsen aniso 0 0 {tau_p!r} modulus {BULK_BAR}",
        f"run {opts['equilibrate_steps']}",
        "unfix 1",
        "unfix 2",
        "unfix 3",
        # 2. melt the upper half with the lower half frozen, cool, relax
        f"region up block INF INF INF INF {nz * A / 2!r} INF units box",
        "group up region up",
        "group low subtract all up",
        "velocity low set 0 0 0",
        f"velocity up create {hot} 2 mom yes dist gaussian",
        "fix 1 up nve",
        f"fix 2 up temp/csvr {hot} {hot} {tau_t!r} 12",
        f"run {opts['melt_steps']}",
        f"fix 2 up temp/csvr {GUESS} {GUESS} {tau_t!r} 13",
        f"run {opts['melt_steps'] // 4}",
        "unfix 1",
        "unfix 2",
        f"velocity low create {GUESS} 3 mom yes dist gaussian",
        "fix 1 all nve",
        f"fix 2 all temp/csvr {GUESS} {GUESS} {tau_t!r} 14",
        f"fix 3 all press/berendsen aniso 0 0 {tau_p!r} modulus {BULK_BAR}",
        f"run {opts['melt_steps'] // 2}",
        "unfix 1",
        "unfix 2",
        "unfix 3",
        f"write_restart {restart}",
    ]
    t0 = time.perf_counter()
    for c in cmds:
        lmp.command(c)
    # 3./4. the coexistence runs our protocol made, same temperatures and lengths
    for k, run in enumerate(res["runs"]):
        steps = int(round(run["time_ps"][-1] / dt))
        t = run["temperature_k"]
        stride = every if run["kind"] == "npt" else max(every // 4, 1)
        lmp.command("clear")
        for c in [f"read_restart {restart}", f"pair_style eam/alloy",
                  f"pair_coeff * * {os.path.join(potentials_dir(), 'Cu_mishin1.eam.alloy')} Cu",
                  "neighbor 1.0 bin", f"timestep {dt!r}", "compute cna all cna/atom 3.0871",
                  "variable solid atom c_cna<5", "compute nsolid all reduce sum v_solid",
                  f"velocity all scale {t}", "fix 1 all nve",
                  f"fix 3 all press/berendsen aniso 0 0 {tau_p!r} modulus {BULK_BAR}",
                  f"fix 4 all ave/time {stride} 1 {stride} c_nsolid"]:
            lmp.command(c)
        if run["kind"] == "npt":
            lmp.command(f"fix 2 all temp/csvr {t} {t} {tau_t!r} {20 + k}")
        lmp.command(f"run {steps}")
    wall = time.perf_counter() - t0
    lmp.close()
    try:
        os.remove(restart)
    except OSError:
        pass
    return wall


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, nargs=3, default=(6, 6, 18), help="fcc unit cells (x y z)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every run length (e.g. 0.25 for a quick run)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    s = args.scale
    opts = {
        "equilibrate_steps": int(3000 * s),
        "melt_steps": int(3000 * s),
        "melt_factor": 2.5,
        "trial_steps": int(8000 * s),
        "bisections": 0,
        "nph_steps": int(16000 * s),
        "ramp_steps": 0,
        "sample_every": 200,
        "thermostat_steps": 100.0,
        "barostat_steps": 500.0,
    }
    t_ours, res = ours(args, opts)
    t_lmp = lammps(args, opts, res)
    steps = opts["equilibrate_steps"] + opts["melt_steps"] * 7 // 4 + sum(
        int(round(r["time_ps"][-1] / res["timestep_ps"])) for r in res["runs"]
    )
    print(json.dumps({
        "benchmark": "melting/coexistence (Cu_mishin1, CNA sampling)",
        "natoms": res["n_atoms"],
        "md_steps": steps,
        "runs": [(r["kind"], round(r["temperature_k"], 1)) for r in res["runs"]],
        "threads": args.threads,
        "ours_s": round(t_ours, 2),
        "lammps_s": round(t_lmp, 2),
        "ratio": round(t_lmp / t_ours, 3),
        "t_m_K": res["melting_temperature"]["value"],
    }))


if __name__ == "__main__":
    main()
