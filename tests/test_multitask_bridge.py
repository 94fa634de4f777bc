"""The multi-task scale-fusion DNN with the bridge loss, end to end on a Parquet feature table
written by the CLI (`scalebridge dataset from-csv`, the same writer as `dataset build`):
several targets at once, the bridge term active and lowering the bridge residual against the
same fit without it, predictions with the targets' units (python/scalebridge/table_ml.py, a thin
wrapper of Rust's `scalebridge_ml::multitask`).

The table is synthetic but physical: fcc alloys of Cu, Ni, Al, Ag, Au, Pd, Pt whose single-
crystal C11, C12, C44 (atomistic, GPa) are the composition-weighted room-temperature constants of
the elements with 3 % scatter, the Zener ratio (physics), and as targets the Hill-averaged
polycrystal E, K, G (GPa) of that stiffness. Skipped without the `dnn` feature."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from scalebridge import ml
from conftest import scalebridge_cli

pytestmark = pytest.mark.skipif(not ml.dnn_available(), reason="extension built without the `dnn` feature")

# C11, C12, C44 (GPa), room temperature (Simmons & Wang 1971)
ELEMENTS = {"Cu": (168.4, 121.4, 75.4), "Ni": (246.5, 147.3, 124.7), "Al": (107.3, 60.9, 28.3),
            "Ag": (124.0, 93.4, 46.1), "Au": (192.3, 163.1, 42.0), "Pd": (227.1, 176.0, 71.7),
            "Pt": (346.7, 250.7, 76.5)}


def hill(c11, c12, c44):
    k = (c11 + 2 * c12) / 3
    gv = (c11 - c12 + 3 * c44) / 5
    gr = 5 / (4 / (c11 - c12) + 3 / c44)
    g = (gv + gr) / 2
    return 9 * k * g / (3 * k + g), k, g


def synthetic_csv(path, n, rng):
    names = list(ELEMENTS)
    rows = ["formula,C11_GPa,C12_GPa,C44_GPa,zener_A,E_GPa,K_GPa,G_GPa"]
    for _ in range(n):
        a, b = rng.choice(len(names), 2, replace=False)
        x = round(float(rng.uniform(0.05, 0.95)), 2)
        c = [(x * ELEMENTS[names[a]][i] + (1 - x) * ELEMENTS[names[b]][i]) * (1 + 0.03 * rng.standard_normal()) for i in range(3)]
        e, k, g = hill(*c)
        rows.append(f"{names[a]}{x}{names[b]}{1 - x:.2f},{c[0]:.3f},{c[1]:.3f},{c[2]:.3f},{2 * c[2] / (c[0] - c[1]):.5f},{e:.4f},{k:.4f},{g:.4f}")
    path.write_text("\n".join(rows) + "\n")


PARAMS = dict(d_model=16, n_heads=2, n_layers=1, d_ff=32, d_latent=16, max_epochs=60, patience=60,
              learning_rate=3e-3, warmup_epochs=2, decay_every_epochs=30, n_members=2,
              validation_fraction=0.2, random_state=3)


@pytest.mark.slow  # three DNN fits (`pytest -m slow tests/test_multitask_bridge.py`)
def test_multi_task_dnn_with_bridge_loss_on_a_parquet_table(tmp_path):
    from scalebridge.features import read_table
    from scalebridge.table_ml import MultiTaskTableModel

    rng = np.random.default_rng(7)
    synthetic_csv(tmp_path / "alloys.csv", 260, rng)
    out = tmp_path / "table.parquet"
    cmd = [scalebridge_cli(), "dataset", "from-csv", str(tmp_path / "alloys.csv"), "--out", str(out),
           "--column", "C11_GPa=atomistic:GPa", "--column", "C12_GPa=atomistic:GPa", "--column", "C44_GPa=atomistic:GPa",
           "--column", "zener_A=physics:1", "--target", "E_GPa=GPa", "--target", "K_GPa=GPa", "--target", "G_GPa=GPa"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    df = read_table(out)
    train, test = df.iloc[:200], df.iloc[200:]
    targets = ["E_GPa", "K_GPa", "G_GPa"]
    # cheap columns only (atomistic + physics: two scales, so the bridge term has two views)
    plain = MultiTaskTableModel(targets, scales=["atomistic", "physics"], bridge_weight=0.0, **PARAMS).fit(train)
    bridged = MultiTaskTableModel(targets, scales=["atomistic", "physics"], bridge_weight=1.0, **PARAMS).fit(train)
    assert bridged.info_["n_targets"] == 3
    assert sorted(bridged.info_["token_scales"]) == ["atomistic", "other"]
    r0, r1 = plain.bridge_residual(test), bridged.bridge_residual(test)
    assert r0 is not None and r1 is not None and np.isfinite(r0) and np.isfinite(r1)
    # the term is active: the cross-scale latent views agree much better with it
    assert r1 < 0.5 * r0, (r1, r0)
    pred = bridged.predict(test)
    assert list(pred.columns) == ["E_GPa", "E_GPa_std", "K_GPa", "K_GPa_std", "G_GPa", "G_GPa_std"]
    assert pred.attrs["unit"] == {c: "GPa" for c in pred.columns}
    assert pred.attrs["scale"]["K_GPa"] == "target" and pred.attrs["scale"]["K_GPa_std"] == "uncertainty"
    # all three targets learned (well below the mean predictor's error) with the bridge term on
    for t in targets:
        mae = np.mean(np.abs(pred[t] - test[t]))
        dummy = np.mean(np.abs(train[t].mean() - test[t]))
        assert mae < 0.5 * dummy, (t, mae, dummy)
        assert (pred[f"{t}_std"] > 0).all()
    # one target alone is not a bridge: fewer than two scales give no residual
    one = MultiTaskTableModel(["K_GPa"], scales=["atomistic"], **PARAMS).fit(train)
    assert one.bridge_residual(test) is None
