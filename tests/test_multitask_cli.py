"""The shared multi-task DNN from the command line (``scalebridge train TABLE.parquet --targets
A,B,C --model dnn``: one network, one head per target, ``multitask.json``), ``predict`` and
``evaluate --targets`` with it, the Python wrapper on the same Rust model, and the error messages
(docs/ml.md, "The shared multi-task DNN on a feature table"). Small nets and few epochs: this
checks the plumbing (masks, files, keys, units, errors); that sharing helps is proven in Rust
(crates/ml/src/multitask/tests.rs). Skipped without the `dnn` feature."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import scalebridge_cli
from scalebridge import ml

pytestmark = pytest.mark.skipif(not ml.dnn_available(), reason="extension built without the `dnn` feature")

TARGETS = ["E_GPa", "kappa_W_mK", "T_transition_K"]
FAST = ["--max-epochs", "4", "--members", "2"]


def _table(tmp_path, n=48, seed=5):
    """A Parquet feature table written by `dataset from-csv`: atomistic a1, a2 (eV), continuum c1
    (GPa), physics p (1), three targets with holes; every 8th row has no target at all."""
    rng = np.random.default_rng(seed)
    elems = ["Cu", "Ni", "Al", "Ag"]
    rows = []
    for i in range(n):
        a, b = rng.choice(4, 2, replace=False)
        x = rng.uniform(-1, 1, 4)
        h = np.sin(2 * x[0]) + x[1] * x[2] + 0.3 * x[3]
        t = [100 + 30 * h, 50 - 10 * h, 1200 + 200 * h]
        if i % 8 == 0:
            t = [None, None, None]
        elif i % 3 == 1:
            t[2] = None  # no transition temperature
        elif i % 3 == 2:
            t[1] = None
        cells = [f"{elems[a]}0.5{elems[b]}0.5", *(f"{v:.6f}" for v in x), *("" if v is None else f"{v:.4f}" for v in t)]
        rows.append(",".join(cells))
    csv = tmp_path / "data.csv"
    csv.write_text("formula,a1,a2,c1,p," + ",".join(TARGETS) + "\n" + "\n".join(rows) + "\n")
    out = tmp_path / "table.parquet"
    r = subprocess.run([scalebridge_cli(), "dataset", "from-csv", str(csv), "--out", str(out),
                        "--column", "a1=atomistic:eV", "--column", "a2=atomistic:eV", "--column", "c1=continuum:GPa",
                        "--column", "p=physics:1", "--target", "E_GPa=GPa", "--target", "kappa_W_mK=W/(m*K)",
                        "--target", "T_transition_K=K"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


def _run(*args):
    return subprocess.run([scalebridge_cli(), *map(str, args)], capture_output=True, text=True)


SCALES = ["--scales", "atomistic,continuum,physics"]


def test_train_predict_evaluate_one_shared_net(tmp_path):
    table = _table(tmp_path)
    out = tmp_path / "model"
    r = _run("train", table, "--targets", ",".join(TARGETS), "--model", "dnn", *SCALES, *FAST, "--bridge-weight", "0.5", "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "multitask.json").is_file() and not (out / "targets.json").exists()
    m = json.loads((out / "multitask.json").read_text())
    assert m["kind"] == "multitask-dnn"
    assert [t["name"] for t in m["targets"]] == TARGETS
    assert [t["unit"] for t in m["targets"]] == ["GPa", "W/(m*K)", "K"]
    # 6 of 48 rows have no target; the others train every head they have a value for (masked,
    # not dropped): E on all 42, κ and T_t on the rows where they are present
    df = pd.read_parquet(table)
    have = df[TARGETS].notna()
    assert (m["n_train"], m["n_dropped"]) == (42, 6)
    assert [t["n_train"] for t in m["targets"]] == [int(have[t].sum()) for t in TARGETS]
    assert [(c["name"], c["scale"], c["unit"]) for c in m["inputs"]] == [
        ("a1", "atomistic", "eV"), ("a2", "atomistic", "eV"), ("c1", "continuum", "GPa"), ("p", "physics", "1")]
    assert m["model"]["params"]["bridge_weight"] == 0.5 and m["bridge_residual"] >= 0
    assert [g["name"] for g in m["model"]["layout"]["groups"]] == ["atomistic", "continuum", "physics"]

    pred = tmp_path / "pred.csv"
    r = _run("predict", out, table, "--out", pred)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(pred)
    for t in TARGETS:
        assert p[f"prediction_{t}"].notna().all() and (p[f"std_{t}"] > 0).all()
    # the Python wrapper loads the same Rust model and predicts the same numbers
    from scalebridge.features import read_table
    from scalebridge.table_ml import MultiTaskTableModel

    tbl = read_table(table)
    py = MultiTaskTableModel.load(out).predict(tbl)
    for t in TARGETS:
        np.testing.assert_allclose(py[t].to_numpy(), p[f"prediction_{t}"].to_numpy(), rtol=1e-12)
    assert py.attrs["unit"]["kappa_W_mK_std"] == "W/(m*K)"

    r = _run("evaluate", table, "--targets", ",".join(TARGETS), "--model", "dnn", *SCALES, *FAST, "--cv", "3", "--bridge-weight", "0.5", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["model"] == "dnn" and rep["multitask"] is True and rep["bridge_weight"] == 0.5
    assert (rep["k"], rep["n_rows"], rep["n_dropped"]) == (3, 42, 6)
    assert rep["bridge_residual_mean"] >= 0
    for t, name in zip(rep["targets"], TARGETS):
        assert t["target"] == name and t["n"] == int(have[name].sum())
        assert len(t["cv"]["folds"]) == 3 and np.isfinite(t["cv"]["mae_mean"]) and t["dummy_mae"] > 0
        classes = t["per_class"]
        assert classes and sum(c["metrics"]["n"] for c in classes) == t["n"]

    # one target or another model keeps the per-target behaviour
    r = _run("train", table, "--targets", "E_GPa,kappa_W_mK", "--model", "gbm", *SCALES, "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "targets.json").is_file() and not (out / "multitask.json").exists()


@pytest.mark.parametrize("args, message", [
    (["--targets", "E_GPa,nope"], "not a column"),
    (["--targets", "E_GPa,c1"], "also an input"),
    (["--targets", "E_GPa,class"], "text column"),
    (["--targets", "E_GPa,kappa_W_mK", "--scales", "atomistic", "--bridge-weight", "1"], "two feature scales"),
])
def test_train_errors_name_the_problem(tmp_path, args, message):
    table = _table(tmp_path, n=24)
    r = _run("train", table, *args, "--model", "dnn", *FAST, "--out", tmp_path / "m")
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert not (tmp_path / "m" / "multitask.json").exists()


def test_bridge_weight_and_evaluate_targets_need_the_dnn(tmp_path):
    table = _table(tmp_path, n=24)
    r = _run("train", table, "--target", "E_GPa", "--model", "gbm", "--bridge-weight", "1", "--out", tmp_path / "m")
    assert r.returncode != 0 and "DNN only" in r.stderr, r.stderr
    r = _run("evaluate", table, "--targets", "E_GPa,kappa_W_mK", "--model", "gbm")
    assert r.returncode != 0 and "--model dnn" in r.stderr, r.stderr


def test_python_wrapper_fits_in_rust(tmp_path):
    from scalebridge.exceptions import InputError
    from scalebridge.features import read_table
    from scalebridge.table_ml import MultiTaskTableModel

    df = read_table(_table(tmp_path))
    m = MultiTaskTableModel(TARGETS, scales=["atomistic", "continuum", "physics"], bridge_weight=0.3,
                            d_model=8, n_heads=2, n_layers=1, d_ff=16, d_latent=8, max_epochs=3, n_members=2, random_state=1).fit(df)
    assert m.info_["n_targets"] == 3 and m.info_["n_dropped"] == 6
    assert m.info_["token_scales"] == ["atomistic", "continuum", "other"]
    pred = m.predict(df)
    assert list(pred.columns) == [c for t in TARGETS for c in (t, f"{t}_std")]
    assert pred.attrs["scale"]["E_GPa_std"] == "uncertainty"
    r = m.bridge_residual(df)
    assert r is not None and r >= 0
    m.save(tmp_path / "py_model")
    back = MultiTaskTableModel.load(tmp_path / "py_model")
    pd.testing.assert_frame_equal(back.predict(df), pred)
    with pytest.raises(InputError, match="also an input"):
        MultiTaskTableModel(["E_GPa", "a1"], max_epochs=1).fit(df)
    with pytest.raises(InputError, match="nope"):
        MultiTaskTableModel(["E_GPa"], nope=1).fit(df)
    bad = df.copy()
    bad.attrs = {"scale": dict(df.attrs["scale"]), "unit": {**df.attrs["unit"], "c1": "MPa"}}
    with pytest.raises(InputError, match="MPa"):
        m.predict(bad)
