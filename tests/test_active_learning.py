"""Active learning with a simulation oracle (a Python callable that runs scalebridge) and
screening real data for the best candidate (UCB / EI against random sampling)."""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import pytest
from ase.build import bulk

from scalebridge import InputError, ml
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.potentials import Zhou2004

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


class StrainEnergy:
    """Oracle: energy per atom (meV) of a homogeneously strained fcc Cu cell, one scalebridge
    evaluation per candidate; records every batch it is asked for."""

    def __init__(self, pool):
        self.pool = pool
        self.calc = ScaleBridgeCalculator(Zhou2004(["Cu"]), threads=1)
        self.base = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((3, 3, 3))
        self.batches = []
        self.e0 = self.energy((0.0, 0.0))

    def energy(self, e):
        a = self.base.copy()
        f = np.eye(3) + np.diag([e[0], e[1], 0.0])
        a.set_cell(self.base.cell.array @ f.T, scale_atoms=True)
        a.calc = self.calc
        return a.get_potential_energy() / len(a)

    def __call__(self, rows):
        assert rows.dtype == np.int64
        self.batches.append(list(rows))
        return [1e3 * (self.energy(self.pool[i]) - self.e0) for i in rows]


def test_simulation_oracle_labels_only_what_the_loop_asks_for():
    rng = np.random.default_rng(0)
    pool = rng.uniform(-0.05, 0.05, size=(150, 2))
    test = rng.uniform(-0.05, 0.05, size=(40, 2))
    oracle = StrainEnergy(pool)
    ty = np.array([1e3 * (oracle.energy(e) - oracle.e0) for e in test])
    df = ml.active_learning(ml.GPRegressor(), pool, None, test, ty, acquisition="variance",
                            initial=6, batch=4, max_labels=30, oracle=oracle)
    # one call per round: the initial set, then batches, 30 simulations in all, no repeats
    assert [len(b) for b in oracle.batches] == [6] + [4] * 6
    asked = [i for b in oracle.batches for i in b]
    assert len(set(asked)) == 30
    assert df["n_labels"].tolist() == list(range(6, 31, 4))
    assert (df["n_failed"] == 0).all()
    # the strain energy is smooth: 30 simulations give a good surrogate (meV/atom vs spread)
    assert df["mae"].iloc[-1] < 0.05 * ty.std()
    assert df["mae"].iloc[-1] < df["mae"].iloc[0]
    # the same labels from a table give the same curve (the oracle is the only difference)
    table = np.array([1e3 * (oracle.energy(e) - oracle.e0) for e in pool])
    dt = ml.active_learning(ml.GPRegressor(), pool, table, test, ty, acquisition="variance",
                            initial=6, batch=4, max_labels=30)
    np.testing.assert_allclose(dt["mae"], df["mae"], rtol=1e-9)


def test_failed_simulations_and_oracle_errors():
    x = np.linspace(0, 3, 80)[:, None]
    y = np.sin(2 * x[:, 0])

    def flaky(rows):  # every 5th candidate "fails to converge"
        return [np.nan if i % 5 == 0 else y[i] for i in rows]

    df = ml.active_learning(ml.GPRegressor(), x, None, x[:10], y[:10], "variance",
                            initial=8, batch=4, max_labels=24, oracle=flaky)
    last = df.iloc[-1]
    assert last["n_labels"] + last["n_failed"] == 24 and last["n_failed"] > 0

    class Boom(RuntimeError):
        pass

    def broken(rows):
        raise Boom("simulation crashed on candidate %d" % rows[0])

    with pytest.raises(Boom, match="simulation crashed"):
        ml.active_learning(ml.GPRegressor(), x, None, x[:10], y[:10], oracle=broken, initial=5, max_labels=10)
    with pytest.raises(Exception, match="oracle labels"):
        ml.active_learning(ml.GPRegressor(), x, None, x[:10], y[:10], oracle=lambda r: y[r][:-1],
                           initial=5, max_labels=10)
    with pytest.raises(InputError, match="exactly one"):
        ml.active_learning(ml.GPRegressor(), x, y, x[:10], y[:10], oracle=flaky)
    with pytest.raises(InputError, match="exactly one"):
        ml.active_learning(ml.GPRegressor(), x, None, x[:10], y[:10])
    with pytest.raises(InputError, match="callable"):
        ml.active_learning(ml.GPRegressor(), x, None, x[:10], y[:10], oracle=42)


@pytest.mark.skipif(not (DATASETS / "aflow_ael_bulk_modulus_vrh").exists(), reason="shared datasets not present")
def test_ucb_screening_finds_the_stiffest_compound_with_far_fewer_labels():
    d = pd.read_csv(DATASETS / "aflow_ael_bulk_modulus_vrh" / "train.csv")
    X = np.asarray(ml.featurize(d["formula"], errors="nan"), dtype=float)
    y = d["target"].to_numpy(float)
    ok = np.isfinite(y) & np.isfinite(X).all(axis=1)
    idx = np.random.default_rng(1).choice(np.nonzero(ok)[0], 1000, replace=False)
    X, y = X[idx], y[idx]
    run = lambda acq, n: ml.active_learning(ml.GPRegressor(), X, y, X[:10], y[:10], acq,  # noqa: E731
                                            initial=20, batch=10, max_labels=n, random_state=3)
    rnd = run("random", 160)
    ucb = run("ucb", 80)
    regret_random = y.max() - rnd["best_label"].iloc[-1]
    regret_ucb = y.max() - ucb["best_label"].iloc[-1]
    assert regret_ucb <= regret_random, (regret_ucb, regret_random)


def test_parity_and_curve_plots(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=40)
    ml.parity_plot(y, y + 0.1, tmp_path / "p.svg", y_std=np.full(40, 0.2), title="t", unit="GPa")
    text = (tmp_path / "p.svg").read_text()
    assert text.startswith("<svg") and "MAE = 0.1000 GPa" in text
    ml.plot_curves({"random": ([10, 20, 30], [3, 2, 1.5]), "ucb": ([10, 20, 30], [3, 1, 0.5], [0.1, 0.1, 0.1])},
                   tmp_path / "c.svg", x_label="labels", y_label="regret", log_y=True)
    assert "ucb" in (tmp_path / "c.svg").read_text()
    with pytest.raises(InputError, match="svg"):
        ml.parity_plot(y, y, tmp_path / "p.png")
    with pytest.raises(InputError):
        ml.parity_plot(y, y[:3], tmp_path / "p.svg")
    with pytest.raises(InputError, match="curve"):
        ml.plot_curves({"a": ([1],)}, tmp_path / "c.svg")
