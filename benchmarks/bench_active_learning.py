"""Active learning against random sampling: labels needed for the same result.

Two campaigns, each run with several seeds (mean curves), both through
``scalebridge.ml.active_learning`` (the loop, the models and the acquisitions are Rust):

1. **Screening real data for the best candidate** (table-lookup oracle): a pool of 2,000
   compositions from a ``../shared/datasets`` train split; find the largest target. Acquisitions
   random, UCB (μ + 2σ) and EI with a GP on the composition features; the error is the regret
   ``max(pool) − best label so far``; also reported: how many of the pool's top 1 % were labelled.
2. **Learning a simulated response** (scalebridge-simulation oracle): the Cauchy–Born strain-energy
   density of fcc Cu (Zhou 2004 EAM, 108-atom cell) over three strain components, each label one
   scalebridge energy evaluation requested by the loop; variance sampling vs random, error = MAE on
   500 held-out strain states.

For each acquisition: the number of labels at which its mean curve first reaches the random
sampling error at the full budget ("labels to match random").

    python benchmarks/bench_active_learning.py [--datasets a,b] [--seeds 4] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np
import pandas as pd

from scalebridge import ml

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_DATA = os.environ.get("SCALEBRIDGE_DATASETS", str(ROOT.parent / "shared" / "datasets"))
DATASETS = ["aflow_ael_bulk_modulus_vrh", "aflow_agl_thermal_conductivity_300K", "mp_shear_modulus"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def labels_to_match(n, curve, target):
    """First label count at which `curve` is at or below `target` (None if never)."""
    hit = np.nonzero(curve <= target * (1 + 1e-12))[0]
    return int(n[hit[0]]) if len(hit) else None


def screening(name, args):
    d = pd.read_csv(os.path.join(args.data, name, "train.csv"))
    X = np.asarray(ml.featurize(d["formula"], errors="nan"), dtype=float)
    y = d["target"].to_numpy(float)
    ok = np.isfinite(y) & ~np.isnan(X).all(axis=1) & ~np.isinf(X).any(axis=1)
    X, y = X[ok], y[ok]
    X = np.where(np.isnan(X), np.nanmedian(X, axis=0), X)
    curves, top = {}, {}
    t0 = time.time()
    for acq in ["random", "ucb", "ei"]:
        regrets, tops = [], []
        for s in range(args.seeds):
            idx = np.random.default_rng(s).choice(len(y), min(args.pool, len(y)), replace=False)
            Xp, yp = X[idx], y[idx]
            top_set = set(np.argsort(-yp)[: max(1, len(yp) // 100)])
            labelled = []

            def oracle(rows, yp=yp, labelled=labelled):
                labelled.extend(int(i) for i in rows)
                return yp[rows]

            df = ml.active_learning(ml.GPRegressor(), Xp, None, Xp[:20], yp[:20], acquisition=acq,
                                    initial=args.initial, batch=args.batch, max_labels=args.max_labels,
                                    random_state=s, oracle=oracle)
            regrets.append(yp.max() - df["best_label"].to_numpy())
            tops.append(len(top_set.intersection(labelled)) / len(top_set))
        n = df["n_labels"].to_numpy() + df["n_failed"].to_numpy()
        curves[acq] = np.mean(regrets, axis=0)
        top[acq] = float(np.mean(tops))
    r_final = curves["random"][-1]
    out = {"dataset": name, "pool": int(min(args.pool, len(y))), "n_labels": n.tolist(), "seeds": args.seeds,
           "regret": {k: v.tolist() for k, v in curves.items()}, "top1pct_found": top,
           "random_final_regret": float(r_final),
           "labels_to_match_random": {k: labels_to_match(n, v, r_final) for k, v in curves.items() if k != "random"},
           "seconds": time.time() - t0}
    log(f"{name}: random regret at {n[-1]} labels {r_final:.4g}; "
        + ", ".join(f"{k} matches it at {v}" for k, v in out["labels_to_match_random"].items())
        + "; top-1 % found " + ", ".join(f"{k} {v:.2f}" for k, v in top.items()))
    return out


def strain_energy(args):
    from ase.build import bulk

    from scalebridge.calculator import ScaleBridgeCalculator
    from scalebridge.potentials import Zhou2004

    calc = ScaleBridgeCalculator(Zhou2004(["Cu"]), threads=1)
    base = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((3, 3, 3))
    n_atoms = len(base)

    def energy(e):
        exx, eyy, exy = e
        f = np.eye(3) + np.array([[exx, exy, 0.0], [exy, eyy, 0.0], [0.0, 0.0, 0.0]])
        a = base.copy()
        a.set_cell(base.cell.array @ f.T, scale_atoms=True)
        a.calc = calc
        return a.get_potential_energy() / n_atoms

    e0 = energy((0.0, 0.0, 0.0))
    rng = np.random.default_rng(0)
    lim = args.strain
    pool = rng.uniform(-lim, lim, size=(args.pool, 3))
    test = rng.uniform(-lim, lim, size=(500, 3))
    ty = np.array([1e3 * (energy(e) - e0) for e in test])  # meV/atom
    calls = [0]

    def oracle(rows):  # one scalebridge energy evaluation per requested candidate
        calls[0] += len(rows)
        return [1e3 * (energy(pool[i]) - e0) for i in rows]

    curves = {}
    t0 = time.time()
    for acq in ["random", "variance"]:
        runs = [ml.active_learning(ml.GPRegressor(), pool, None, test, ty, acquisition=acq, initial=8, batch=4,
                                   max_labels=args.strain_labels, random_state=s, oracle=oracle)
                for s in range(args.seeds)]
        n = runs[0]["n_labels"].to_numpy()
        curves[acq] = np.exp(np.mean([np.log(r["mae"].to_numpy()) for r in runs], axis=0))
    r_final = curves["random"][-1]
    out = {"case": "Cu strain-energy density (Zhou EAM), meV/atom", "strain_limit": lim, "n_labels": n.tolist(),
           "mae": {k: v.tolist() for k, v in curves.items()}, "random_final_mae": float(r_final),
           "labels_to_match_random": {"variance": labels_to_match(n, curves["variance"], r_final)},
           "oracle_calls": calls[0], "seconds": time.time() - t0}
    log(f"strain energy: random MAE at {n[-1]} labels {r_final:.4g} meV/atom; variance matches it at "
        f"{out['labels_to_match_random']['variance']} ({calls[0]} simulations)")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help="folder with the dataset splits ($SCALEBRIDGE_DATASETS)")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--pool", type=int, default=2000)
    ap.add_argument("--initial", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--max-labels", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--strain", type=float, default=0.06, help="strain-component range ± (simulation case)")
    ap.add_argument("--strain-labels", type=int, default=120)
    ap.add_argument("--no-simulation", dest="simulation", action="store_false")
    ap.add_argument("--json", default=None, help="write the report here")
    ap.add_argument("--plot", default=None, help="folder for SVG curves (one per campaign)")
    args = ap.parse_args()
    report = {"screening": [], "simulation": None}
    if os.path.isdir(args.data):
        for name in [d for d in args.datasets.split(",") if d]:
            report["screening"].append(screening(name, args))
    else:
        log(f"datasets not found at {args.data}: skipping the screening campaigns")
    if args.simulation:
        report["simulation"] = strain_energy(args)
    print("\n| campaign | error at full budget (random) | labels to match random |")
    print("|---|---|---|")
    for r in report["screening"]:
        m = ", ".join(f"{k} {v}" for k, v in r["labels_to_match_random"].items())
        print(f"| {r['dataset']} max (regret) | {r['random_final_regret']:.4g} @ {r['n_labels'][-1]} | {m} |")
    if report["simulation"]:
        s = report["simulation"]
        print(f"| Cu strain energy (MAE, meV/atom) | {s['random_final_mae']:.4g} @ {s['n_labels'][-1]} | "
              f"variance {s['labels_to_match_random']['variance']} |")
    if args.plot:
        os.makedirs(args.plot, exist_ok=True)
        for r in report["screening"]:
            ml.plot_curves({k: (r["n_labels"], np.maximum(v, 1e-9 * max(1.0, r["random_final_regret"])))
                            for k, v in r["regret"].items()},
                           os.path.join(args.plot, f"al_{r['dataset']}.svg"), title=f"{r['dataset']}: best candidate",
                           x_label="labels", y_label="regret (pool max − best found)", log_y=True)
        if report["simulation"]:
            s = report["simulation"]
            ml.plot_curves({k: (s["n_labels"], v) for k, v in s["mae"].items()},
                           os.path.join(args.plot, "al_cu_strain_energy.svg"), title=s["case"],
                           x_label="simulations", y_label="test MAE (meV/atom)", log_y=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
