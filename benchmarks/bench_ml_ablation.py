"""Ablations of the scale-fusion DNN: which parts of the network and which feature scales matter.

1. **Fusion modules** on real data (train on train.csv, MAE on val.csv, same seeds): the full
   network; without the squeeze-and-excitation gates; without the cross-scale attention; without
   both (mean pooling of the encoded tokens only).
2. **Feature scales** on a multiscale table (``--table CSV --target COL``, columns prefixed by
   scale: ``atom_``, ``meso_``, ``cont_``, ``comp_``...; without one, a synthetic 3-scale table
   whose target needs all three scales is used, labelled as synthetic): all scales, then each
   scale dropped in turn, and the bridge regulariser on.

    python benchmarks/bench_ml_ablation.py [--datasets a,b] [--members 4] [--json out.json]
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
DATA = os.environ.get("SCALEBRIDGE_DATASETS", str(ROOT.parent / "shared" / "datasets"))
DATA_DIR = DATA
MODULES = {
    "full": {},
    "no SE": {"use_se": False},
    "no cross-attention": {"use_cross_attention": False},
    "no SE, no cross-attention": {"use_se": False, "use_cross_attention": False},
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def load(name):
    def part(split):
        d = pd.read_csv(os.path.join(DATA_DIR, name, f"{split}.csv"))
        X = np.asarray(ml.featurize(d["formula"], errors="nan"), dtype=float)
        y = d["target"].to_numpy(float)
        ok = np.isfinite(y) & ~np.isnan(X).all(axis=1)
        return X[ok], y[ok]

    return part("train"), part("val")


def modules(name, args):
    (Xtr, ytr), (Xva, yva) = load(name)
    out = {}
    for label, kw in MODULES.items():
        t = time.time()
        m = ml.DNNRegressor(impute_missing=True, n_members=args.members, random_state=args.seed, **kw).fit(Xtr, ytr)
        mu, sd = m.predict(Xva, return_std=True)
        out[label] = {"mae": float(np.mean(np.abs(mu - yva))),
                      "coverage_1sigma": float(np.mean(np.abs(mu - yva) <= sd)),
                      "fit_s": time.time() - t}
        log(f"{name} {label}: MAE {out[label]['mae']:.4g}, ±1σ {out[label]['coverage_1sigma']:.3f} "
            f"({out[label]['fit_s']:.0f} s)")
    return out


def synthetic_table(n=3000, seed=0):
    """y = sin(2 a₁)·m₁ + c₁² − a₂·c₂ + 0.5 m₂ + noise: atomistic, mesoscale and continuum columns."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(-1.5, 1.5, size=(n, 6))
    y = np.sin(2 * v[:, 0]) * v[:, 2] + v[:, 4] ** 2 - v[:, 1] * v[:, 5] + 0.5 * v[:, 3] + 0.05 * rng.normal(size=n)
    cols = ["atom_a1", "atom_a2", "meso_m1", "meso_m2", "cont_c1", "cont_c2"]
    d = pd.DataFrame(v, columns=cols)
    d["target"] = y
    return d


def scales(args):
    if args.table:
        d = pd.read_csv(args.table)
        target, label = args.target, os.path.basename(args.table)
    else:
        d, target, label = synthetic_table(), "target", "synthetic 3-scale table"
    feats = [c for c in d.columns if c != target and c != "formula"]
    prefixes = sorted({c.split("_")[0] for c in feats if "_" in c})
    rng = np.random.default_rng(1)
    idx = rng.permutation(len(d))
    cut = int(0.8 * len(d))
    tr, te = d.iloc[idx[:cut]], d.iloc[idx[cut:]]
    runs = {"all scales": feats}
    for p in prefixes:
        runs[f"without {p}_"] = [c for c in feats if not c.startswith(p + "_")]
    out = {"table": label, "runs": {}}
    for lab, cols in list(runs.items()) + [("all scales + bridge 0.1", feats)]:
        kw = {"bridge_weight": 0.1} if "bridge" in lab else {}
        m = ml.DNNRegressor(n_members=args.members, random_state=args.seed, **kw).fit(tr[cols], tr[target])
        mae = float(np.mean(np.abs(m.predict(te[cols]) - te[target].to_numpy())))
        out["runs"][lab] = mae
        log(f"{label} {lab}: MAE {mae:.4g}")
    return out


def main():
    global DATA_DIR
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--datasets", default="aflow_ael_bulk_modulus_vrh,mp_shear_modulus")
    ap.add_argument("--members", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--table", default=None, help="multiscale CSV with scale-prefixed columns")
    ap.add_argument("--target", default="target")
    ap.add_argument("--no-modules", dest="modules", action="store_false")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    DATA_DIR = args.data
    if not ml.dnn_available():
        sys.exit("this scalebridge build has no DNN (it was installed with SCALEBRIDGE_FEATURES= ; reinstall with the default features)")
    report = {"members": args.members, "modules": {}, "scales": None}
    if args.modules:
        for name in [x for x in args.datasets.split(",") if x]:
            report["modules"][name] = modules(name, args)
    report["scales"] = scales(args)
    print("\n| dataset | " + " | ".join(MODULES) + " |")
    print("|---|" + "---|" * len(MODULES))
    for name, r in report["modules"].items():
        print(f"| {name} | " + " | ".join(f"{r[k]['mae']:.4g}" for k in MODULES) + " |")
    s = report["scales"]
    print(f"\n{s['table']}: " + ", ".join(f"{k} {v:.4g}" for k, v in s["runs"].items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
