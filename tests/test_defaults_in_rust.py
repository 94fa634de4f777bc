"""The front ends hold no defaults: options left out take the Rust defaults, and an option that
does not apply is refused by name instead of being ignored."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import scalebridge.continuum as sc
from scalebridge import ml
from scalebridge.exceptions import InputError
from conftest import scalebridge_cli


def test_generator_defaults_and_misplaced_options():
    a = sc.generate("spheres", 20)
    b = sc.generate("spheres", 20, fraction=0.2, seed=1, radius=2.0)
    assert np.array_equal(a.phases, b.phases)
    with pytest.raises(InputError, match="grains"):
        sc.generate("spheres", 20, grains=3)
    with pytest.raises(InputError, match="foam"):
        sc.generate("foam", 20)


def test_phase_spec_needs_modulus_and_poisson_ratio():
    with pytest.raises(InputError, match="Poisson"):
        sc.Phase.from_spec("E=70")
    with pytest.raises(InputError, match="Young"):
        sc.Phase.from_spec("nu=0.3,k=10")
    p = sc.Phase.isotropic(70.0, 0.3)
    assert np.allclose(p.conductivity_w_mk, 0.0)


def test_active_learning_refuses_options_of_another_acquisition():
    x = np.linspace(0, 1, 30)[:, None]
    y = np.sin(3 * x[:, 0])
    with pytest.raises(InputError, match="kappa"):
        ml.active_learning(ml.GPRegressor(), x, y, x[:5], y[:5], acquisition="variance", kappa=1.0, initial=5, max_labels=10)
    df = ml.active_learning(ml.GPRegressor(), x, y, x[:5], y[:5], initial=5, batch=5, max_labels=10)
    assert list(df["n_labels"]) == [5, 10]


def test_conductivity_cli_refuses_the_other_methods_flag():
    r = subprocess.run([scalebridge_cli(), "conductivity", "--method", "nemd", "--correlation-time", "1", "--print-options"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "correlation_time" in r.stderr, r.stderr
    r = subprocess.run([scalebridge_cli(), "conductivity", "--method", "green-kubo", "--slabs", "10", "--print-options"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "slabs" in r.stderr, r.stderr
    assert "panicked" not in r.stderr
