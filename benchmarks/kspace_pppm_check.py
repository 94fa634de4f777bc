"""One-off speed check (run: .venv/bin/python benchmarks/kspace_pppm_check.py THREADS): 6480-atom MgO (rocksalt 9x9x10, thermal noise), buck/coul/long 10 A, pppm 1e-5.
LAMMPS: `run 10` (NVE, forces every step) timed after a warm-up run; scalebridge: 10 force
evaluations of displaced configurations (same cost structure: neighbour update + real space + pppm)."""
import os
import sys
import tempfile
import time
import numpy as np
from ase.build import bulk

from scalebridge import potentials
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.oracle import open_lammps

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
a = 4.212
atoms = bulk("MgO", "rocksalt", a=a, cubic=True).repeat((9, 9, 10))
rng = np.random.default_rng(1)
atoms.positions += rng.normal(0, 0.05, atoms.positions.shape)
lines = ["pair_style buck/coul/long 10.0", "pair_coeff 1 1 0.0 1.0 0.0", "pair_coeff 1 2 1428.5 0.2945 0.0",
         "pair_coeff 2 2 22764.0 0.149 27.88", "pair_modify table 0", "kspace_style pppm 1.0e-5"]
charges = {"Mg": 2.0, "O": -2.0}
# LAMMPS
data = os.path.join(tempfile.mkdtemp(), "mgo.data")
c = atoms.cell.array
syms = atoms.get_chemical_symbols()
with open(data, "w") as f:
    f.write(f"mgo\n\n{len(atoms)} atoms\n2 atom types\n\n0 {c[0][0]} xlo xhi\n0 {c[1][1]} ylo yhi\n0 {c[2][2]} zlo zhi\n\nMasses\n\n1 24.305\n2 15.999\n\nAtoms # charge\n\n")
    for i, (s, p) in enumerate(zip(syms, atoms.positions % np.diag(c))):
        t = 1 if s == "Mg" else 2
        f.write(f"{i+1} {t} {charges[s]} {p[0]} {p[1]} {p[2]}\n")
lmp = open_lammps(threads)
for cmd in ["units metal", "atom_style charge", f"read_data {data}", *lines, "neighbor 1.0 bin", "neigh_modify every 1 delay 0 check yes",
            "velocity all create 300 1 loop geom", "fix 1 all nve", "timestep 0.001",
            "compute pea all pe/atom", "compute sa all stress/atom NULL", "compute r all reduce sum c_pea c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]",
            "compute p all pressure NULL virial", "thermo_style custom step pe c_r[1] c_r[2] c_p", "thermo 1", "run 2"]:
    lmp.command(cmd)
t0 = time.perf_counter(); lmp.command("run 10 pre no post no"); t_lmp = (time.perf_counter() - t0) / 10
e_lmp = lmp.get_thermo("pe")
lmp.close()
# scalebridge
pot = potentials.from_lammps(lines, ["Mg", "O"], charges=charges)
calc = ScaleBridgeCalculator(pot, threads=threads)
atoms.calc = calc
e0 = atoms.get_potential_energy(); atoms.get_forces()
ts = []
for k in range(10):
    atoms.positions += rng.normal(0, 0.001, atoms.positions.shape)
    t0 = time.perf_counter(); atoms.get_forces(); ts.append(time.perf_counter() - t0)
t_sb = float(np.mean(ts))
print(f"N={len(atoms)} threads={threads} LAMMPS {t_lmp*1e3:.1f} ms/step  scalebridge {t_sb*1e3:.1f} ms/eval  ratio LAMMPS/scalebridge = {t_lmp/t_sb:.2f}  (E lammps-after-steps {e_lmp:.3f}, sb initial {e0:.3f})")
