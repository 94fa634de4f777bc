"""One error bridge: every Rust error variant of every crate maps to one named Python exception,
the same for the same variant name in every crate, and errors raised through the md, continuum
and ml bindings arrive as that class."""

from __future__ import annotations

import builtins
from collections import defaultdict

import numpy as np
import pytest
from ase.build import bulk

import scalebridge.exceptions as exc
from scalebridge import _scalebridge as _sb
from scalebridge import continuum as sc
from scalebridge import ml
from scalebridge.calculator import ScaleBridgeCalculator
from scalebridge.potentials import LennardJones

BUILTIN_ALLOWED = {"KeyboardInterrupt", "OSError"}


def exception_class(name: str) -> type[BaseException]:
    if name in BUILTIN_ALLOWED:
        return getattr(builtins, name)
    assert name in exc.__all__, f"{name} is not in scalebridge.exceptions"
    return getattr(exc, name)


@pytest.fixture(scope="module")
def table():
    return _sb._error_table()


def test_table_covers_every_crate_once_per_variant(table):
    by_crate = defaultdict(list)
    for crate, variant, name in table:
        by_crate[crate].append(variant)
        cls = exception_class(name)
        assert issubclass(cls, BaseException)
    # The rows come from one exhaustive match per enum: each has one sample per variant, so a
    # variant listed twice would mean a row's sample is of the wrong variant (and one is missing).
    for crate, variants in by_crate.items():
        assert len(variants) == len(set(variants)), f"{crate}: duplicated variant rows {variants}"
    assert {"md", "continuum", "ml"} <= set(by_crate)
    assert len(by_crate["md"]) >= 10 and len(by_crate["continuum"]) >= 9 and len(by_crate["ml"]) >= 10


def test_same_variant_same_exception_everywhere(table):
    seen: dict[str, set[str]] = defaultdict(set)
    for _crate, variant, name in table:
        seen[variant].add(name)
    for variant, names in seen.items():
        assert len(names) == 1, f"{variant} maps to {sorted(names)} in different crates"
    # The meaning of the shared names (the contract documented in crates/py/src/error.rs).
    expect = {
        "InvalidParameter": "InputError",
        "NonFinite": "InputError",
        "Parse": "InputError",
        "NotConverged": "CalculationFailed",
        "Interrupted": "KeyboardInterrupt",
        "Io": "OSError",
    }
    for variant, name in expect.items():
        assert seen[variant] == {name}, variant
    # Input problems are ValueErrors, failures RuntimeErrors (generic except clauses work).
    assert issubclass(exc.InputError, ValueError) and issubclass(exc.CalculationFailed, RuntimeError)


# --- the same variant raised through different modules arrives as the class of the table -----

def expected(table, crate: str, variant: str) -> type[BaseException]:
    names = {n for c, v, n in table if c == crate and v == variant}
    assert len(names) == 1, (crate, variant)
    return exception_class(names.pop())


def test_md_nonfinite_and_ml_nonfinite_are_input_errors(table):
    atoms = bulk("Ar", "fcc", 5.26, cubic=True) * (3, 3, 3)
    atoms.positions[3, 1] = np.nan
    atoms.calc = ScaleBridgeCalculator(LennardJones(epsilon={"Ar": 0.0104}, sigma={"Ar": 3.4}, cutoff=8.0))
    with pytest.raises(expected(table, "md", "NonFinite"), match="non-finite") as e_md:
        atoms.get_potential_energy()
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 3)), rng.random(20)
    y[4] = np.nan
    with pytest.raises(expected(table, "ml", "NonFinite"), match="non-finite value in targets") as e_ml:
        _sb.Model.fit("gbm", _sb.ml_default_params("gbm"), x, y)
    assert type(e_md.value) is type(e_ml.value) is exc.InputError


def test_parse_errors_are_input_errors_in_md_and_ml(table, tmp_path):
    bad = tmp_path / "bad.eam.alloy"
    bad.write_text("comment\ncomment\ncomment\n1 Cu\nnot numbers here\n")
    with pytest.raises(expected(table, "md", "Parse")):
        _sb.eam_load(str(bad))
    with pytest.raises(expected(table, "ml", "FormulaParse"), match="Fe2\\(O3"):
        ml.featurize(["Fe2(O3"])


def test_not_converged_is_calculation_failed(table):
    g = sc.generate("spheres", 16, fraction=0.15, radius=3.0, seed=1)
    phases = [sc.Phase.isotropic(3.0, 0.35, 0.2), sc.Phase.isotropic(300.0, 0.2, 100.0)]
    with pytest.raises(expected(table, "continuum", "NotConverged"), match="did not converge"):
        sc.homogenize(g.phases, phases, "elastic", "fft", tol=1e-14, max_iter=2)
    assert issubclass(expected(table, "continuum", "NotConverged"), exc.CalculationFailed)


def test_continuum_input_errors(table):
    g = np.zeros((4, 4, 4), dtype=np.uint16)
    with pytest.raises(expected(table, "continuum", "EmptyPhaseTable"), match="empty"):
        sc.homogenize(g, [])
    with pytest.raises(expected(table, "continuum", "NoMatrixPhase"), match="no load-bearing"):
        sc.homogenize(g, [sc.Phase.void()])


def test_io_errors_by_kind_in_every_module(table, tmp_path):
    missing = tmp_path / "missing"
    assert expected(table, "md", "Io") is OSError
    with pytest.raises(FileNotFoundError):
        _sb.eam_load(str(missing / "x.eam.alloy"))
    with pytest.raises(FileNotFoundError):
        sc.read_phase_file(missing / "phases.toml")
    with pytest.raises(FileNotFoundError):
        _sb.ml_parity_plot([1.0, 2.0], [1.0, 2.0], str(missing / "parity.svg"))
