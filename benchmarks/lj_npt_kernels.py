"""LJ NPT on small cells: the `lj/cut` cluster-pair kernel against the legacy per-atom kernel.

NPT asks for the virial at every step, so every step runs the energy/virial variant of the
force kernel; the pipeline runs many such small cells. Each kernel runs in its own process
(`SCALEBRIDGE_MD_KERNEL` is read once per process) on the same seeded system, so the final
potential energies must agree to round-off.

    .venv/bin/python benchmarks/lj_npt_kernels.py [--cells 8] [--steps 2000] [--threads 1]
        [--kr 0.2 --a 5.4] [--ensemble npt|nvt]

Solid argon (fcc, a = 5.26 Å, 4·cells³ atoms), lj/cut ε = 0.0104 eV, σ = 3.4 Å, r_c = 8.5 Å,
skin 1 Å, MTK NPT at 60 K and 0 GPa, 2 fs; 100 warm-up steps, then `--steps` timed. `--kr F`
makes a random fraction F of the atoms krypton (ε = 0.014 eV, σ = 3.65 Å, Lorentz–Berthelot:
several coefficient sets); `--ensemble nvt` uses the Nosé–Hoover thermostat without barostat.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def one(cells: int, steps: int, threads: int, kr: float, a: float, ensemble: str) -> dict:
    import numpy as np
    from ase.build import bulk

    from scalebridge.md import Simulation
    from scalebridge.potentials import LennardJones

    atoms = bulk("Ar", "fcc", a=a, cubic=True).repeat((cells, cells, cells))
    eps, sig = {"Ar": 0.0104}, {"Ar": 3.4}
    if kr > 0:
        sym = np.array(atoms.get_chemical_symbols())
        sym[np.random.default_rng(3).random(len(sym)) < kr] = "Kr"
        atoms.set_chemical_symbols(list(sym))
        eps["Kr"], sig["Kr"] = 0.014, 3.65
    pot = LennardJones(epsilon=eps, sigma=sig, cutoff=8.5)
    baro = dict(pressure_gpa=0.0, pressure_damping=2.0) if ensemble == "npt" else {}
    sim = Simulation(atoms, pot, timestep=0.002, ensemble=ensemble, threads=threads, temperature=60.0,
                     damping=0.2, skin=1.0, **baro)
    sim.create_velocities(temperature=60.0, seed=1)
    sim.run(100)
    t = time.perf_counter()
    sim.run(steps, thermo_every=steps)
    dt = time.perf_counter() - t
    row = sim.thermo.iloc[-1]
    return {"atoms": len(atoms), "steps": steps, "threads": threads, "matom_steps_per_s": len(atoms) * steps / dt / 1e6,
            "pe_eV": float(row["pe_eV"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=8)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--kr", type=float, default=0.0, help="fraction of krypton atoms")
    ap.add_argument("--a", type=float, default=5.26, help="fcc lattice constant, Å")
    ap.add_argument("--ensemble", default="npt", choices=["npt", "nvt"])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one(a.cells, a.steps, a.threads, a.kr, a.a, a.ensemble)))
        return
    out = {}
    for kernel in ["legacy", "default"]:
        env = dict(os.environ)
        env.pop("SCALEBRIDGE_MD_KERNEL", None)
        if kernel != "default":
            env["SCALEBRIDGE_MD_KERNEL"] = kernel
        r = subprocess.run([sys.executable, __file__, "--child", "--cells", str(a.cells), "--steps", str(a.steps),
                            "--threads", str(a.threads), "--kr", str(a.kr), "--a", str(a.a), "--ensemble", a.ensemble],
                           env=env, capture_output=True, text=True, check=True)
        out[kernel] = json.loads(r.stdout)
    speedup = out["default"]["matom_steps_per_s"] / out["legacy"]["matom_steps_per_s"]
    rel = abs(out["default"]["pe_eV"] - out["legacy"]["pe_eV"]) / abs(out["legacy"]["pe_eV"])
    print(json.dumps({"legacy": out["legacy"], "default": out["default"], "speedup": speedup, "pe_rel_diff": rel}, indent=1))


if __name__ == "__main__":
    main()
