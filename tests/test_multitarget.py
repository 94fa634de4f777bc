"""Multi-target training: ``GBMRegressor``/``GPRegressor`` with a 2-D ``y`` (one independent model
per target, NaN = missing, each fitted on its own rows) and ``scalebridge train --targets``
(one model per target under OUT/<target>/, ``predict`` adds ``prediction_<target>``)."""

import pickle
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scalebridge import ml

ROOT = Path(__file__).resolve().parents[1]


def _data(n=120, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 3))
    y = np.column_stack([x[:, 0] + 0.5 * x[:, 1] ** 2, 2.0 * x[:, 2] - x[:, 0]])
    y[::7, 0] = np.nan  # missing values of the first target
    y[::5, 1] = np.nan
    return x, y


@pytest.mark.parametrize("cls", [ml.GBMRegressor, ml.GPRegressor])
def test_two_targets_equal_two_single_target_models_on_their_rows(cls):
    x, y = _data()
    est = cls(random_state=1).fit(x, y)
    mu, sd = est.predict(x, return_std=True)
    assert mu.shape == (len(x), 2) and sd.shape == (len(x), 2)
    for j in range(2):
        keep = np.isfinite(y[:, j])
        single = cls(random_state=1).fit(x[keep], y[keep, j])
        np.testing.assert_allclose(mu[:, j], single.predict(x), rtol=0, atol=1e-12)
        # each model learned its own target (not the other one)
        err = np.abs(mu[keep, j] - y[keep, j]).mean()
        other = np.abs(mu[keep, j] - np.nan_to_num(y[keep, 1 - j])).mean()
        assert err < 0.5 * other, (j, err, other)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict(x), mu)


def test_a_target_without_values_is_an_error():
    x, y = _data()
    y[:, 1] = np.nan
    with pytest.raises(ml.InputError if hasattr(ml, "InputError") else Exception, match="target column 1"):
        ml.GBMRegressor().fit(x, y)


def _cli():
    exe = ROOT / ".venv" / "bin" / "scalebridge"
    return str(exe) if exe.exists() else shutil.which("scalebridge")


@pytest.mark.skipif(_cli() is None, reason="scalebridge CLI not installed")
def test_cli_train_targets_one_model_per_target(tmp_path):
    x, y = _data(150)
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    df["t1"], df["t2"] = y[:, 0], y[:, 1]
    csv = tmp_path / "train.csv"
    df.to_csv(csv, index=False)
    out = tmp_path / "model"
    r = subprocess.run([_cli(), "train", str(csv), "--targets", "t1,t2", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (out / "targets.json").is_file() and (out / "t1" / "model.json").is_file() and (out / "t2" / "model.json").is_file()
    # each model keeps only the rows of its target and does not see the other target as an input
    import json

    m1 = json.loads((out / "t1" / "model.json").read_text())
    assert m1["n_train"] == int(np.isfinite(y[:, 0]).sum())
    assert "t2" not in json.dumps(m1["preprocessor"])
    pred = tmp_path / "pred.csv"
    r = subprocess.run([_cli(), "predict", str(out), str(csv), "--out", str(pred)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(pred)
    for t, j in [("t1", 0), ("t2", 1)]:
        keep = np.isfinite(y[:, j])
        assert np.abs(p[f"prediction_{t}"][keep] - y[keep, j]).mean() < 0.2
    r = subprocess.run([_cli(), "train", str(csv), "--targets", "t1,t1", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode != 0 and "twice" in r.stderr
