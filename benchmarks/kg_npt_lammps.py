"""LAMMPS side of the pressure-control check of benchmarks/kg_glass_transition.py.

The same Kremer–Grest melt (40 chains × 10 beads, builder seed 1, LJ cut and shifted at
2^(7/6) σ, FENE, `special_bonds fene`), the same identity unit mapping (σ = 1 Å, ε = 1 eV,
m = 1 amu), the same `fix npt` damping (1 τ, 10 τ) and time step (0.01 τ) at p* = 1: NPT at
T* = 0.7, 0.6, 0.5 for `--tau` τ each (the second half averaged). Prints ⟨T*⟩, ⟨p*⟩ and the
volume per bead ± block error, to set beside the melt and rung volumes of the scalebridge run
(docs/polymers.md, "Kremer–Grest T_g").

    nice -n 10 .venv/bin/python benchmarks/kg_npt_lammps.py --tau 50
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

from scalebridge import molecular
from scalebridge.oracle import open_lammps

T_UNIT_K = 1.0 / 8.617333262e-5
TAU_PS = 0.0101805
P_UNIT_BAR = 160.21766208e4


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tau", type=float, default=50.0, help="τ per temperature")
    ap.add_argument("--temperatures", default="0.7,0.6,0.5")
    a = ap.parse_args()
    m = molecular.build_polymer("kremer-grest", chains=40, length=10, density=0.85, pair_cutoff=2.0 ** (7.0 / 6.0), seed=1)
    data = os.path.join(tempfile.mkdtemp(prefix="kg-npt-"), "start.data")
    m.write(data)
    lmp = open_lammps()
    for c in ["units metal", "atom_style molecular", "boundary p p p", f"read_data {data}", *m.lammps,
              "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes", f"timestep {0.01 * TAU_PS}",
              f"velocity all create {0.7 * T_UNIT_K} 11 mom yes rot no dist gaussian",
              "thermo_style custom step temp press vol", "thermo 1000000"]:
        lmp.command(c)
    n = lmp.get_natoms()
    for t in (float(x) for x in a.temperatures.split(",")):
        steps = int(round(a.tau / 0.01))
        lmp.command(f"fix q all npt temp {t * T_UNIT_K} {t * T_UNIT_K} {TAU_PS} iso {P_UNIT_BAR} {P_UNIT_BAR} {10 * TAU_PS}")
        lmp.command(f"run {steps // 2}")
        v, p, tt = [], [], []
        for _ in range(200):
            lmp.command(f"run {steps // 400} pre no post no")
            v.append(lmp.get_thermo("vol") / n)
            p.append(lmp.get_thermo("press") / P_UNIT_BAR)
            tt.append(lmp.get_thermo("temp") / T_UNIT_K)
        lmp.command("unfix q")
        b = np.array([x.mean() for x in np.array_split(np.array(v), 5)])
        print(f"T*={t}: <T*>={np.mean(tt):.4f} <p*>={np.mean(p):.4f} v/bead={np.mean(v):.4f} ± {b.std(ddof=1) / np.sqrt(5):.4f} σ³", flush=True)
    lmp.close()


if __name__ == "__main__":
    main()
