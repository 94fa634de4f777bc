"""Chain statistics (Rust `topology::analysis`, bound as `molecular.chain_statistics`) and the
Kremer–Grest standard-melt check (benchmarks/kg_melt.py; slow).

Fast: the Rust statistics of a built melt equal an independent NumPy computation (chains unwrapped
by minimum-image bond vectors), also after wrapping every position into the cell; bad input named.
Slow (`pytest -m slow tests/test_kg_melt.py`): a 1,000-bead N = 50 melt run with Langevin MD keeps
bond length and ⟨R²⟩/(N − 1) in the bands around Kremer and Grest's values (see the benchmark).
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def numpy_stats(system, positions):
    l = np.diag(system.cell)
    mol = np.asarray(system.topology["molecule"])
    r2, rg2, bl = [], [], []
    for b in system.topology["bonds"]:
        i, j = b["atoms"]
        d = positions[j] - positions[i]
        bl.append(np.linalg.norm(d - l * np.round(d / l)))
    for m in np.unique(mol):
        idx = np.flatnonzero(mol == m)  # the builder writes a chain's beads consecutively
        d = np.diff(positions[idx], axis=0)
        d -= l * np.round(d / l)
        u = np.vstack([positions[idx[0]], positions[idx[0]] + np.cumsum(d, axis=0)])
        r2.append(np.sum((u[-1] - u[0]) ** 2))
        rg2.append(np.mean(np.sum((u - u.mean(axis=0)) ** 2, axis=1)))
    return np.mean(bl), np.mean(r2), np.mean(rg2), np.std(r2, ddof=1) / np.sqrt(len(r2))


def test_chain_statistics_equal_numpy_and_survive_wrapping():
    from scalebridge import molecular

    melt = molecular.build_polymer("kremer-grest", chains=12, length=20, density=0.85, seed=3)
    s = molecular.chain_statistics(melt)
    bl, r2, rg2, r2_se = numpy_stats(melt, melt.positions)
    assert s["n_chains"] == 12 and s["n_other_components"] == 0 and s["n_bonds"] == 12 * 19
    assert s["chain_length_mean"] == 20.0
    np.testing.assert_allclose([s["bond_length_mean"], s["mean_sq_end_to_end"], s["mean_sq_radius_of_gyration"],
                                s["mean_sq_end_to_end_stderr"]], [bl, r2, rg2, r2_se], rtol=1e-10)
    assert abs(s["mean_sq_end_to_end"] - melt.report["mean_sq_end_to_end"]) < 1e-9 * s["mean_sq_end_to_end"]
    assert len(s["internal_distances"]) == 19
    assert abs(s["internal_distances"][18] * 19 - s["mean_sq_end_to_end"]) < 1e-9 * s["mean_sq_end_to_end"]
    # wrapped positions (as an MD frame may hold them) give the same numbers
    l = np.diag(melt.cell)
    wrapped = melt.positions - l * np.floor(melt.positions / l) + l * 3.0
    w = melt.chain_statistics(positions=wrapped)
    for k in ("bond_length_mean", "mean_sq_end_to_end", "mean_sq_radius_of_gyration"):
        assert abs(w[k] - s[k]) < 1e-9 * s[k], k


def test_chain_statistics_bad_input_named():
    from scalebridge import molecular
    from scalebridge.exceptions import InputError

    melt = molecular.build_polymer("kremer-grest", chains=4, length=20, density=0.85, seed=1)
    with pytest.raises(InputError, match="symbols for"):
        melt.chain_statistics(positions=melt.positions[:-1])
    bad = melt.positions.copy()
    bad[1] += 0.5 * np.diag(melt.cell)  # stretches bond 0-1 to about half the cell
    with pytest.raises(InputError, match="half the narrowest cell width"):
        melt.chain_statistics(positions=bad)
    with pytest.raises(InputError):
        melt.chain_statistics(positions=np.full_like(melt.positions, np.nan))


def test_network_chain_statistics_skip_cross_linked_components():
    from scalebridge import molecular

    net = molecular.build_polymer("epoxy-network", resins=60, hardeners=30, conversion=0.3, seed=2)
    s = net.chain_statistics()
    assert s["n_bonds"] == len(net.bonds) and s["n_other_components"] >= 1
    assert s["n_chains"] < 90


def _benchmark():
    spec = importlib.util.spec_from_file_location("kg_melt", os.path.join(ROOT, "benchmarks", "kg_melt.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_kg_standard_melt_bond_length_and_end_to_end_distance():
    rep = _benchmark().run(chains=20, length=50, density=0.85, temperature=1.0, seed=1, equilibrate=5000,
                           steps=20000, sample_every=1000, blocks=4, threads=None)
    assert rep["checks"]["temperature"], rep
    assert rep["checks"]["bond_length"], rep
    assert rep["checks"]["R2_per_bond"], rep
