"""scalebridge.ml: featurisation, Rust metrics against scikit-learn, GBM and GP against
references, scikit-learn estimator conformance, CLI bad-data handling."""

from __future__ import annotations

import pathlib
import pickle
import subprocess

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from scalebridge import InputError
from scalebridge import ml
from conftest import scalebridge_cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


def friedman(n, rng):
    X = rng.random((n, 6))
    f = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3] + 5 * X[:, 4]
    return X, f + rng.standard_normal(n), f


# ---------------------------------------------------------------- featurisation
def test_featurize_hand_values():
    df = ml.featurize(["Fe2O3", "NaCl", "Ca(OH)2"])
    assert isinstance(df, pd.DataFrame) and df.shape[0] == 3
    assert list(df.columns) == ml.feature_names()
    # Fe2O3: x(Fe) = 0.4 (Z 26), x(O) = 0.6 (Z 8)
    assert df.loc[0, "mean_Number"] == pytest.approx(0.4 * 26 + 0.6 * 8)
    assert df.loc[0, "range_Number"] == 18
    assert df.loc[0, "mode_Number"] == 8
    assert df.loc[2, "n_elements"] == 3
    # Ca(OH)2: fractions Ca 1/5, O 2/5, H 2/5 -> L2 norm
    assert df.loc[2, "norm_2"] == pytest.approx(np.sqrt(0.04 + 0.16 + 0.16))


def test_featurize_errors():
    with pytest.raises(InputError, match="unknown element"):
        ml.featurize(["Fe2O3", "Xx3"])
    with pytest.raises(ValueError, match="cannot parse formula"):
        ml.featurize(["Fe2(O3"])
    df = ml.featurize(["Fe2O3", "Qq"], errors="nan")
    assert np.isnan(df.iloc[1].to_numpy()).all() and np.isfinite(df.iloc[0, 0])


# ---------------------------------------------------------------- metrics vs scikit-learn
def test_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    p = y + rng.normal(scale=0.5, size=200)
    m = ml.regression_metrics(y, p, std=np.full(200, 0.5))
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)
    assert m["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)), rel=1e-12)
    assert m["r2"] == pytest.approx(skm.r2_score(y, p), rel=1e-12)
    assert m["coverage_1sigma"] == pytest.approx(np.mean(np.abs(y - p) <= 0.5))
    truth = y > 0.3
    score = np.round(p, 1)  # ties on purpose
    dec = score > 0.3
    s = ml.screening_metrics(truth, dec, score)
    assert s["precision"] == pytest.approx(skm.precision_score(truth, dec))
    assert s["recall"] == pytest.approx(skm.recall_score(truth, dec))
    assert s["f1"] == pytest.approx(skm.f1_score(truth, dec))
    assert s["roc_auc"] == pytest.approx(skm.roc_auc_score(truth, score), rel=1e-12)


# ---------------------------------------------------------------- GBM
def test_gbm_matches_sklearn_hist_gbm_accuracy():
    rng = np.random.default_rng(1)
    X, y, _ = friedman(3000, rng)
    Xt, _, ft = friedman(2000, rng)
    ours = ml.GBMRegressor(uncertainty=False).fit(X, y)
    peer = HistGradientBoostingRegressor(
        max_iter=1000, learning_rate=0.05, early_stopping=True, n_iter_no_change=50, random_state=0
    ).fit(X, y)
    r_ours = skm.r2_score(ft, ours.predict(Xt))
    r_peer = skm.r2_score(ft, peer.predict(Xt))
    assert r_ours > r_peer - 0.01, (r_ours, r_peer)


def test_gbm_sigma_is_calibrated_and_nan_tolerant():
    rng = np.random.default_rng(2)
    X, y, _ = friedman(4000, rng)
    X[rng.random(X.shape) < 0.05] = np.nan
    Xt, yt, _ = friedman(2000, rng)
    g = ml.GBMRegressor().fit(X, y)
    mu, sd = g.predict(Xt, return_std=True)
    cover = np.mean(np.abs(yt - mu) <= sd)
    assert 0.62 < cover < 0.75, cover
    assert np.all(sd > 0)


# ---------------------------------------------------------------- GP
def test_gp_matches_sklearn_with_fixed_hyperparameters():
    rng = np.random.default_rng(3)
    X = rng.random((60, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.standard_normal(60)
    Xq = rng.random((20, 3))
    ell, sf2, sn2 = 0.9, 1.3, 0.02
    for name, base in [("rbf", RBF(ell)), ("matern52", Matern(ell, nu=2.5)), ("matern32", Matern(ell, nu=1.5))]:
        ours = ml.GPRegressor(
            kernel=name, optimize=False, length_scale=ell, signal_variance=sf2, noise_variance=sn2
        ).fit(X, y)
        mean, std = X.mean(0), X.std(0)
        kern = ConstantKernel(sf2, "fixed") * base + WhiteKernel(sn2, "fixed")
        kern.k1.k2.length_scale_bounds = "fixed"
        peer = GaussianProcessRegressor(kern, optimizer=None, normalize_y=True).fit((X - mean) / std, y)
        mu_p, sd_p = peer.predict((Xq - mean) / std, return_std=True)
        mu, sd = ours.predict(Xq, return_std=True)
        np.testing.assert_allclose(mu, mu_p, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(sd, sd_p, rtol=1e-6)
        assert ours.info_["log_marginal_likelihood"] == pytest.approx(peer.log_marginal_likelihood_value_, rel=1e-8)


def test_gp_marginal_likelihood_optimum_is_as_good_as_sklearn():
    rng = np.random.default_rng(4)
    X = rng.random((80, 2))
    y = np.cos(3 * X[:, 0]) * X[:, 1] + 0.05 * rng.standard_normal(80)
    ours = ml.GPRegressor(kernel="rbf").fit(X, y)
    mean, std = X.mean(0), X.std(0)
    kern = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(1.0, (1e-3, 1e3)) + WhiteKernel(0.1, (1e-5, 10))
    peer = GaussianProcessRegressor(kern, normalize_y=True, n_restarts_optimizer=3, random_state=0)
    peer.fit((X - mean) / std, y)
    assert ours.info_["log_marginal_likelihood"] >= peer.log_marginal_likelihood_value_ - 1e-3


# ---------------------------------------------------------------- sklearn conformance
@parametrize_with_checks([ml.GBMRegressor(n_estimators=30), ml.GPRegressor(max_train=200)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_cv_and_pickle():
    rng = np.random.default_rng(5)
    X, y, _ = friedman(400, rng)
    pipe = make_pipeline(StandardScaler(), ml.GPRegressor())
    scores = cross_val_score(pipe, X, y, cv=3, scoring="neg_mean_absolute_error")
    assert np.all(-scores < 2.0)
    g = ml.GBMRegressor(n_estimators=50).fit(X, y)
    g2 = pickle.loads(pickle.dumps(g))
    np.testing.assert_array_equal(g2.predict(X), g.predict(X))


def test_bad_inputs_raise_clear_errors():
    rng = np.random.default_rng(6)
    X, y, _ = friedman(100, rng)
    y_bad = y.copy()
    y_bad[3] = np.nan
    with pytest.raises(ValueError):
        ml.GBMRegressor().fit(X, y_bad)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError):
        ml.GPRegressor().fit(Xn, y)
    with pytest.raises(InputError, match="learning_rate"):
        ml.GBMRegressor(learning_rate=-1).fit(X, y)
    g = ml.GBMRegressor(n_estimators=10).fit(X, y)
    with pytest.raises(ValueError):
        g.predict(X[:, :3])


def test_active_learning_variance_beats_random():
    rng = np.random.default_rng(7)
    x = np.linspace(0, 6, 300)[:, None]
    f = lambda t: np.sin(3 * t[:, 0]) + 0.3 * t[:, 0]  # noqa: E731
    xt = rng.random((100, 1)) * 6
    est = ml.GPRegressor(kernel="rbf")
    var = ml.active_learning(est, x, f(x), xt, f(xt), "variance", initial=4, batch=2, max_labels=20)
    rnd = ml.active_learning(est, x, f(x), xt, f(xt), "random", initial=4, batch=2, max_labels=20)
    assert var["n_labels"].iloc[-1] == 20
    assert var["mae"].iloc[-1] < rnd["mae"].iloc[-1]


# ---------------------------------------------------------------- CLI
@pytest.mark.skipif(scalebridge_cli() is None, reason="scalebridge CLI not installed")
def test_cli_train_predict_reports_bad_rows(tmp_path):
    rng = np.random.default_rng(8)
    elems = ["Fe", "O", "Na", "Cl", "Mg", "Al", "Si", "Ti"]
    rows = []
    for _ in range(120):
        a, b = rng.choice(elems, 2, replace=False)
        n = rng.integers(1, 4)
        rows.append((f"{a}{n}{b}", float(n) + rng.normal(scale=0.1)))
    rows += [("Xx2O", 1.0), ("Fe2(O3", 2.0), ("NaCl", float("nan"))]
    train = tmp_path / "train.csv"
    pd.DataFrame(rows, columns=["formula", "y"]).to_csv(train, index=False)
    out = tmp_path / "model"
    r = subprocess.run([scalebridge_cli(), "train", str(train), "--target", "y", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "skipped 3 row(s)" in r.stderr and "unknown element" in r.stderr
    pred = tmp_path / "pred.csv"
    r = subprocess.run([scalebridge_cli(), "predict", str(out), str(train), "--out", str(pred)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(pred)
    assert {"prediction", "std"} <= set(p.columns) and len(p) == len(rows)
    assert p["prediction"].isna().sum() == 2  # Xx2O and Fe2(O3 cannot be predicted
    r = subprocess.run([scalebridge_cli(), "evaluate", str(train), "--target", "y", "--cv", "3", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import json

    rep = json.loads(r.stdout)
    assert rep["cv"]["mae_mean"] < rep["dummy_mae"]
    # parity plot of the out-of-fold predictions and a learning curve
    par, lc = tmp_path / "parity.svg", tmp_path / "lc.svg"
    r = subprocess.run([scalebridge_cli(), "evaluate", str(train), "--target", "y", "--cv", "3", "--json", "--parity", str(par),
                        "--learning-curve", str(lc), "--curve-fractions", "0.2,0.5,1"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    pts = rep["learning_curve"]
    assert [p["n_train"] for p in pts] == sorted(p["n_train"] for p in pts) and len(pts) == 3
    assert pts[-1]["mae_mean"] == pytest.approx(rep["cv"]["mae_mean"], rel=1e-9)  # 100 % = the CV itself
    assert par.read_text().count("<circle") >= rep["n_rows"] and lc.read_text().startswith("<svg")
    r = subprocess.run([scalebridge_cli(), "train", str(train), "--target", "nope", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode != 0 and "no such column" in r.stderr


@pytest.mark.slow
@pytest.mark.skipif(not DATASETS.exists(), reason="shared datasets absent")
def test_gbm_on_aflow_bulk_modulus_beats_dummy():
    d = DATASETS / "aflow_ael_bulk_modulus_vrh"
    tr, va = pd.read_csv(d / "train.csv"), pd.read_csv(d / "val.csv")
    g = ml.GBMRegressor().fit(ml.featurize(tr["formula"]), tr["target"])
    mae = skm.mean_absolute_error(va["target"], g.predict(ml.featurize(va["formula"])))
    dummy = skm.mean_absolute_error(va["target"], np.full(len(va), tr["target"].mean()))
    assert mae < 0.3 * dummy
