"""Does a physics estimate of κ from the 0 K columns help a model that already has composition?

An offline check on a joined table of `benchmarks/pipeline_ablation.py` (OUT/table[-TAG]-joined.parquet):
a Slack lattice κ from the 0 K Debye temperature, mean mass and atomic volume (γ = 2, one atom
per primitive cell), reduced by Klemens–Abeles point-defect scattering with Γ = the mass-variance
parameter + c·(static displacement rms / (V/N)^⅓)² (c = 0, 10, 40), is added to the composition
columns of a scikit-learn GBM; 5-fold CV × `--cv-seeds` seeds, paired over folds against
composition alone (scipy `ttest_rel`). Prints the correlation of each estimate with κ and the
paired MAE differences. docs/pipeline.md ("Reading it", κ) quotes the gk4 table's result.

    .venv/bin/python benchmarks/kappa_physics_columns.py OUT/table-gk4-joined.parquet
"""

from __future__ import annotations

import argparse
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from ase.data import atomic_masses, atomic_numbers
from scipy.stats import ttest_rel
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import KFold

SLACK_A = 3.1e-6  # W/(m·K) with mass in amu, δ in Å, θ and T in K (Slack 1973 prefactor)
PLANCK = 6.62607015e-34


def mass_variance(formula: str) -> tuple[float, float]:
    """Mean atomic mass (amu) and the mass-variance parameter Γ_M = Σ x_i (1 − m_i/m̄)²."""
    parts = [(e, float(x) if x else 1.0) for e, x in re.findall(r"([A-Z][a-z]?)([0-9.]*)", formula)]
    x = np.array([p[1] for p in parts])
    x /= x.sum()
    m = np.array([atomic_masses[atomic_numbers[p[0]]] for p in parts])
    mb = float((x * m).sum())
    return mb, float((x * (1 - m / mb) ** 2).sum())


def slack_klemens(d: pd.DataFrame, c_strain: float, temperature: float = 300.0) -> np.ndarray:
    mb, gm = map(np.array, zip(*[mass_variance(f) for f in d["formula"]]))
    theta, vat, v = d["debye_temperature_0K"].to_numpy(), d["volume_per_atom_0K"].to_numpy(), d["mean_sound_velocity_0K"].to_numpy()
    k_pure = SLACK_A * mb * theta**3 * vat ** (1 / 3) / (4.0 * temperature)
    gamma = gm + c_strain * d["static_displacement_rms_relative_0K"].fillna(0.0).to_numpy() ** 2
    u = np.sqrt(np.maximum(np.pi**2 * theta * vat * 1e-30 * k_pure * gamma / (PLANCK * v**2), 1e-30))
    return k_pure * np.arctan(u) / u


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("table")
    ap.add_argument("--cv-seeds", type=int, default=3)
    a = ap.parse_args()
    scales = {f.name: (f.metadata or {}).get(b"scale", b"").decode() for f in pq.read_schema(a.table)}
    d = pd.read_parquet(a.table)
    y = d["kappa_W_mK"].to_numpy()
    comp = [c for c in d.columns if scales.get(c) == "composition"]
    extra = {f"slack_klemens_c{c:g}": slack_klemens(d, c) for c in (0, 10, 40)}
    d = pd.concat([d, pd.DataFrame(extra, index=d.index)], axis=1)

    def cv(cols: list[str]) -> np.ndarray:
        x, maes = d[cols].fillna(-1).to_numpy(), []
        for seed in range(a.cv_seeds):
            for tr, te in KFold(5, shuffle=True, random_state=seed).split(x):
                g = GradientBoostingRegressor(n_estimators=300, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=0)
                maes.append(np.abs(g.fit(x[tr], y[tr]).predict(x[te]) - y[te]).mean())
        return np.array(maes)

    base = cv(comp)
    print(f"composition alone: MAE {base.mean():.3f} W/m/K ({len(base)} folds)")
    for name in extra:
        r = cv(comp + [name])
        corr = np.corrcoef(np.log(d[name]), np.log(y))[0, 1]
        print(f"+ {name}: log-log corr {corr:.3f}, MAE {r.mean():.3f}, Δ {np.mean(r - base):+.3f} ± {np.std(r - base, ddof=1) / np.sqrt(len(r)):.3f}, "
              f"p {ttest_rel(r, base).pvalue:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
