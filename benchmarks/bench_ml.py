"""ML benchmark: scalebridge GBM / GP / scale-fusion DNN against a dummy mean predictor, scikit-learn's random forest
and LightGBM (if installed) on the same composition features, on the shared dataset splits.

Reports, per dataset: validation MAE (train on train.csv, evaluate on val.csv) and k-fold CV MAE on
train.csv; calibration of the predicted σ on val; batch inference throughput; and active learning
(predictive-variance acquisition) against random sampling. Peers run in the same invocation.

    python benchmarks/bench_ml.py [--datasets a,b] [--models dummy,rf,gbm,dnn] [--cv 5]
                                  [--cv-models rf,gbm,dnn] [--oqmd-rows 50000] [--json out.json]
    (--cv-models may also name gbm_large: the higher-capacity GBM used for OQMD)

The DNN (``DNNRegressor``, default hyperparameters, NaN features imputed) runs when the extension
was built with the cargo feature ``dnn``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold

from scalebridge import ml

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = pathlib.Path(os.environ.get("SCALEBRIDGE_DATASETS", ROOT.parent / "shared" / "datasets"))
DEFAULT = [
    "aflow_ael_bulk_modulus_vrh",
    "aflow_ael_shear_modulus_vrh",
    "aflow_ael_debye_temperature",
    "aflow_agl_thermal_conductivity_300K",
    "mp_bulk_modulus",
    "mp_shear_modulus",
    "oqmd_formation_enthalpy",
]
try:
    import lightgbm as lgb
except ImportError:  # peer optional
    lgb = None

NJOBS = os.cpu_count() or 1
# more capacity for large sets (OQMD), identical for both boosting libraries
GBM_LARGE = dict(n_estimators=3000, learning_rate=0.1, num_leaves=127)
DNN_KW: dict = {}  # DNNRegressor overrides from the command line (--dnn-members)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def load(name, max_rows, seed=0):
    d = DATA / name
    tr, va = pd.read_csv(d / "train.csv"), pd.read_csv(d / "val.csv")
    if max_rows and len(tr) > max_rows:
        tr = tr.sample(max_rows, random_state=seed).reset_index(drop=True)
    if max_rows and len(va) > max_rows // 4:
        va = va.sample(max_rows // 4, random_state=seed).reset_index(drop=True)
    Xtr = ml.featurize(tr["formula"], errors="nan")
    Xva = ml.featurize(va["formula"], errors="nan")
    ok_tr = ~Xtr.isna().all(axis=1).to_numpy()
    ok_va = ~Xva.isna().all(axis=1).to_numpy()
    return (Xtr.to_numpy()[ok_tr], tr["target"].to_numpy()[ok_tr], Xva.to_numpy()[ok_va], va["target"].to_numpy()[ok_va])


def impute(Xtr, Xte):
    med = np.nanmedian(Xtr, axis=0)
    med = np.where(np.isfinite(med), med, 0.0)
    f = lambda X: np.where(np.isnan(X), med, X)  # noqa: E731
    return f(Xtr), f(Xte)


def models(include_gp, only=None):
    m = {
        "dummy": lambda: None,
        "rf": lambda: RandomForestRegressor(n_estimators=100, max_features=0.33, n_jobs=NJOBS, random_state=0),
        "gbm": lambda: ml.GBMRegressor(),
    }
    if lgb is not None:
        m["lightgbm"] = lambda: "lgb"
    if include_gp:
        m["gp"] = lambda: ml.GPRegressor(max_train=1500)
    if ml.dnn_available():
        m["dnn"] = lambda: ml.DNNRegressor(impute_missing=True, **DNN_KW)
    if only is not None and "gbm_large" in only:  # on request only (OQMD-sized fits)
        m["gbm_large"] = lambda: ml.GBMRegressor(min_data_in_leaf=10, **GBM_LARGE)
    if only is not None:
        m = {k: v for k, v in m.items() if k in only}
    return m


def fit_predict(name, make, Xtr, ytr, Xte):
    """Returns (mean, std or None, fit seconds)."""
    t0 = time.perf_counter()
    if name == "dummy":
        return np.full(len(Xte), ytr.mean()), None, 0.0
    if name == "lightgbm":
        # same hyperparameters and early-stopping protocol as our GBM (10 % held out, MAE,
        # patience 100)
        rng = np.random.default_rng(0)
        idx = rng.permutation(len(Xtr))
        nv = int(round(0.1 * len(Xtr)))
        va, tr = idx[:nv], idx[nv:]
        reg = lgb.LGBMRegressor(
            n_estimators=1000, learning_rate=0.05, num_leaves=31, min_child_samples=20,
            colsample_bytree=0.8, subsample=0.8, subsample_freq=1, max_bin=255,
            random_state=0, n_jobs=1, verbose=-1, metric="l1",  # 1 thread: OpenMP spinning on a shared 2-core box
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reg.fit(Xtr[tr], ytr[tr], eval_set=[(Xtr[va], ytr[va])],
                    callbacks=[lgb.early_stopping(100, verbose=False)])
        t = time.perf_counter() - t0
        return reg.predict(Xte), None, t
    est = make()
    if name in ("rf", "gp"):
        Xtr, Xte = impute(Xtr, Xte)
    est.fit(Xtr, ytr)
    t = time.perf_counter() - t0
    if name == "rf":
        return est.predict(Xte), None, t
    mu, sd = est.predict(Xte, return_std=True)
    return mu, sd, t


def mae(y, p):
    return float(np.mean(np.abs(y - p)))


def bench_dataset(name, args):
    Xtr, ytr, Xva, yva = load(name, args.oqmd_rows if name.startswith("oqmd") else 0)
    log(f"[{name}] train {len(ytr)} val {len(yva)} features {Xtr.shape[1]}")
    res = {"dataset": name, "n_train": int(len(ytr)), "n_val": int(len(yva)), "val": {}, "cv": {}, "fit_s": {}}
    small = len(ytr) <= 6000
    for mname, make in models(include_gp=small, only=args.models).items():
        mu, sd, t = fit_predict(mname, make, Xtr, ytr, Xva)
        res["val"][mname] = mae(yva, mu)
        res["fit_s"][mname] = t
        if sd is not None:
            res.setdefault("coverage_1sigma", {})[mname] = float(np.mean(np.abs(yva - mu) <= sd))
            res.setdefault("coverage_2sigma", {})[mname] = float(np.mean(np.abs(yva - mu) <= 2 * sd))
        log(f"  val {mname:9s} MAE {res['val'][mname]:.4g}  fit {t:.1f}s")
    if len(ytr) > 20_000 and args.large:
        big = GBM_LARGE
        t0 = time.perf_counter()
        g = ml.GBMRegressor(min_data_in_leaf=10, **big).fit(Xtr, ytr)
        mu, sd = g.predict(Xva, return_std=True)
        res["val"]["gbm_large"] = mae(yva, mu)
        res.setdefault("coverage_1sigma", {})["gbm_large"] = float(np.mean(np.abs(yva - mu) <= sd))
        log(f"  val gbm_large MAE {res['val']['gbm_large']:.4g}  fit {time.perf_counter() - t0:.1f}s")
        if lgb is not None:
            rng = np.random.default_rng(0)
            idx = rng.permutation(len(Xtr))
            nv = int(round(0.1 * len(Xtr)))
            reg = lgb.LGBMRegressor(min_child_samples=10, colsample_bytree=0.8, subsample=0.8, subsample_freq=1,
                                    random_state=0, n_jobs=1, verbose=-1, metric="l1", **big)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reg.fit(Xtr[idx[nv:]], ytr[idx[nv:]], eval_set=[(Xtr[idx[:nv]], ytr[idx[:nv]])],
                        callbacks=[lgb.early_stopping(100, verbose=False)])
            res["val"]["lightgbm_large"] = mae(yva, reg.predict(Xva))
            log(f"  val lightgbm_large MAE {res['val']['lightgbm_large']:.4g}")
    k = args.cv if len(ytr) <= 20_000 else min(args.cv, args.cv_large)
    res["cv_folds"] = k
    if k > 1:
        kf = KFold(k, shuffle=True, random_state=0)
        for mname, make in models(include_gp=False, only=args.cv_models).items():
            errs = []
            for tr, te in kf.split(Xtr):
                mu, _, _ = fit_predict(mname, make, Xtr[tr], ytr[tr], Xtr[te])
                errs.append(mae(ytr[te], mu))
            res["cv"][mname] = (float(np.mean(errs)), float(np.std(errs, ddof=1)))
            log(f"  cv  {mname:9s} MAE {np.mean(errs):.4g} ± {np.std(errs, ddof=1):.2g}")
    return res, (Xtr, ytr, Xva, yva)


def throughput(Xtr, ytr, Xva, n=200_000):
    reps = int(np.ceil(n / len(Xva)))
    Xb = np.ascontiguousarray(np.tile(Xva, (reps, 1))[:n])
    g = ml.GBMRegressor().fit(Xtr, ytr)
    out = {"n_rows": n, "gbm_trees": g.n_trees_}
    g.predict(Xb[:1000])
    t0 = time.perf_counter()
    g.predict(Xb)
    out["gbm_mean_per_s"] = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    g.predict(Xb, return_std=True)
    out["gbm_mean_std_per_s"] = n / (time.perf_counter() - t0)
    if lgb is not None:
        reg = lgb.LGBMRegressor(n_estimators=g.n_trees_, learning_rate=0.05, num_leaves=31,
                                colsample_bytree=0.8, subsample=0.8, subsample_freq=1,
                                random_state=0, n_jobs=1, verbose=-1).fit(Xtr, ytr)
        reg.booster_.predict(Xb[:1000], num_threads=NJOBS)
        t0 = time.perf_counter()
        reg.booster_.predict(Xb, num_threads=NJOBS)
        out["lightgbm_per_s"] = n / (time.perf_counter() - t0)
    if ml.dnn_available():
        # inference cost depends on the architecture and ensemble size only: a short fit suffices
        d = ml.DNNRegressor(impute_missing=True, **{**DNN_KW, "max_epochs": 2}).fit(Xtr, ytr)
        out["dnn_members"] = int(d.info_["n_members"])
        out["dnn_params_per_member"] = int(d.info_["n_params"])
        d.predict(Xb[:1000])
        t0 = time.perf_counter()
        d.predict(Xb)
        out["dnn_mean_per_s"] = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        d.predict(Xb, return_std=True)
        out["dnn_mean_std_per_s"] = n / (time.perf_counter() - t0)
    return out


def active(Xtr, ytr, Xva, yva, args):
    rng = np.random.default_rng(0)
    pool = rng.permutation(len(Xtr))[: args.al_pool]
    Xp, Xv = impute(Xtr[pool], Xva)
    est = ml.GPRegressor(kernel="matern52", max_train=2000)
    curves = {}
    for acq in ("variance", "random"):
        maes = []
        for seed in range(args.al_seeds):
            df = ml.active_learning(est, Xp, ytr[pool], Xv, yva, acq, initial=args.al_initial,
                                    batch=args.al_batch, max_labels=args.al_max, random_state=seed)
            maes.append(df["mae"].to_numpy())
        curves[acq] = {"n_labels": df["n_labels"].tolist(), "mae": np.mean(maes, axis=0).tolist()}
        log(f"  AL {acq:8s} " + " ".join(f"{n}:{m:.3g}" for n, m in zip(df["n_labels"], np.mean(maes, axis=0))))
    # labels variance sampling needs to reach random sampling's final error
    target = curves["random"]["mae"][-1]
    reach = next((n for n, m in zip(curves["variance"]["n_labels"], curves["variance"]["mae"]) if m <= target), None)
    return {"curves": curves, "random_final_mae": target, "random_labels": curves["random"]["n_labels"][-1],
            "variance_labels_to_reach": reach}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--datasets", default=",".join(DEFAULT))
    ap.add_argument("--cv", type=int, default=5)
    ap.add_argument("--models", default="dummy,rf,lightgbm,gbm,gp,dnn", help="models to run (comma-separated)")
    ap.add_argument("--cv-models", default=None, help="models to cross-validate (default: --models)")
    ap.add_argument("--throughput-n", type=int, default=200_000)
    ap.add_argument("--dnn-members", type=int, default=None, help="DNN ensemble size (default: the model's)")
    ap.add_argument("--oqmd-rows", type=int, default=50_000)
    ap.add_argument("--cv-large", type=int, default=3, help="folds for datasets above 20k rows")
    ap.add_argument("--al-dataset", default="aflow_ael_bulk_modulus_vrh")
    ap.add_argument("--al-pool", type=int, default=2000)
    ap.add_argument("--al-initial", type=int, default=20)
    ap.add_argument("--al-batch", type=int, default=20)
    ap.add_argument("--al-max", type=int, default=400)
    ap.add_argument("--al-seeds", type=int, default=3)
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-throughput", dest="throughput", action="store_false")
    ap.add_argument("--no-large", dest="large", action="store_false",
                    help="skip the high-capacity boosting runs on datasets above 20k rows")
    args = ap.parse_args()
    args.models = set(args.models.split(","))
    if args.dnn_members:
        DNN_KW["n_members"] = args.dnn_members
    args.cv_models = set(args.cv_models.split(",")) if args.cv_models else args.models
    if not DATA.exists():
        log(f"datasets not found at {DATA}")
        return 1
    report = {"lightgbm": getattr(lgb, "__version__", None), "datasets": []}
    cache = {}
    for name in [d for d in args.datasets.split(",") if d]:
        r, data = bench_dataset(name, args)
        report["datasets"].append(r)
        cache[name] = data
    first = cache.get(args.al_dataset) or next(iter(cache.values()))
    if args.throughput:
        report["throughput"] = throughput(first[0], first[1], first[2], n=args.throughput_n)
        log(f"throughput: {report['throughput']}")
    if args.al_max > 0:
        data = cache.get(args.al_dataset) or load(args.al_dataset, 0)
        report["active_learning"] = active(*data, args)
    # table
    cols = [c for c in ["dummy", "rf", "lightgbm", "gbm", "gp", "dnn"] if any(c in r["val"] for r in report["datasets"])]
    cols += [c for c in ("lightgbm_large", "gbm_large") if any(c in r["val"] for r in report["datasets"])]
    print("\nvalidation MAE (train on train.csv, evaluate on val.csv)")
    print(f"{'dataset':38s}" + "".join(f"{c:>15s}" if c.endswith("_large") else f"{c:>10s}" for c in cols) + f"{'cov1σ gbm':>11s}{'cov1σ gp':>10s}{'cov1σ dnn':>11s}")
    for r in report["datasets"]:
        cov = r.get("coverage_1sigma", {})
        print(f"{r['dataset']:38s}" + "".join(
            f"{r['val'].get(c, float('nan')):{15 if c.endswith('_large') else 10}.4g}" for c in cols)
              + f"{cov.get('gbm', float('nan')):11.3f}{cov.get('gp', float('nan')):10.3f}{cov.get('dnn', float('nan')):11.3f}")
    if args.cv > 1:
        print(f"\nk-fold CV MAE on train.csv (mean ± std over folds; k = {args.cv}, {args.cv_large} above 20k rows)")
        cv_cols = [c for c in ["dummy", "rf", "lightgbm", "gbm", "gbm_large", "gp", "dnn"] if any(c in r["cv"] for r in report["datasets"])]
        print(f"{'dataset':38s}" + "".join(f"{c:>17s}" for c in cv_cols))
        for r in report["datasets"]:
            print(f"{r['dataset']:38s}" + "".join(
                f"{r['cv'][c][0]:>10.4g}±{r['cv'][c][1]:<6.2g}" if c in r["cv"] else f"{'':17s}" for c in cv_cols))
    for r in report["datasets"]:
        if "dnn" in r["fit_s"]:
            print(f"DNN fit time {r['dataset']}: {r['fit_s']['dnn']:.0f} s (RF {r['fit_s'].get('rf', float('nan')):.0f} s, "
                  f"GBM {r['fit_s'].get('gbm', float('nan')):.0f} s)")
    t = report.get("throughput")
    if t:
        print(f"\nGBM inference ({t['gbm_trees']} trees, {t['n_rows']} rows, batch): "
              f"{t['gbm_mean_per_s']:.3g} predictions/s (mean), {t['gbm_mean_std_per_s']:.3g}/s (mean+σ)"
              + (f"; LightGBM {t['lightgbm_per_s']:.3g}/s" if "lightgbm_per_s" in t else ""))
        if "dnn_mean_per_s" in t:
            print(f"DNN inference ({t['dnn_members']} members x {t['dnn_params_per_member']} parameters, batch): "
                  f"{t['dnn_mean_per_s']:.3g} predictions/s (mean), {t['dnn_mean_std_per_s']:.3g}/s (mean+σ)")
    if "active_learning" in report:
        a = report["active_learning"]
        print(f"\nactive learning ({args.al_dataset}, GP, pool {args.al_pool}): random sampling reaches MAE "
              f"{a['random_final_mae']:.4g} with {a['random_labels']} labels; variance sampling reaches it with "
              f"{a['variance_labels_to_reach']} labels")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
