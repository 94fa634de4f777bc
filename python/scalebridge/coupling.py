"""Concurrent atomistic–continuum coupling (docs/coupling.md).

A thin layer over ``scalebridge-coupling``: options go to Rust as JSON with only the keys the
caller gave, so every default is Rust's (``PulseOptions``, ``PlaneStatics``/``PlaneOptions``).

- :func:`pulse1d`: the 1-D wave benchmark (force-based or bridging-domain chain coupling): the
  energy budget of a long-wavelength pulse and of one above the mesh cutoff.
- :func:`plane_statics`: 2-D plane-strain force-based (ghost-force free) statics: an atomistic
  region inside a graded linear-triangle mesh whose stiffness comes from the same potential
  (0 K elastic protocol); patch test, relaxation under an applied displacement gradient and
  the fully atomistic reference of the same block.
- :func:`indent3d`: 3-D force-based statics (linear tetrahedra on a graded mesh): a spherical
  indenter pressed into the (001) surface of an fcc block, the coupled model against the fully
  atomistic block (region stress, load, F_sim, F_DOF) and the 3-D patch test.
"""

from __future__ import annotations

import json
from typing import Any

from . import _scalebridge
from .potentials import Potential
from .structures import to_arrays

__all__ = ["pulse1d", "plane_statics", "indent3d"]


def _options(options: dict[str, Any] | None, extra: dict[str, Any]) -> str | None:
    merged = dict(options or {})
    merged.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(merged) if merged else None


def pulse1d(options: dict[str, Any] | None = None, *, method: str | None = None) -> dict[str, Any]:
    """Run the 1-D pulse benchmark; returns the report (``reflected_fraction``,
    ``transmitted_fraction``, ``absorbed_fraction``, ``energy_drift_fraction``, ``long``,
    ``short``, ``options``). ``options`` takes any ``PulseOptions`` field; ``method`` is
    ``"force_based"`` or ``"bridging"``."""
    return json.loads(_scalebridge.coupling_pulse1d(_options(options, {"method": method})))


def plane_statics(
    unit: Any,
    potential: Potential,
    options: dict[str, Any] | None = None,
    *,
    gradient: Any = None,
    reference: bool | None = None,
) -> dict[str, Any]:
    """2-D force-based statics of a block of ``unit`` (an orthorhombic cell: x, y in the plane, z
    the periodic thickness; an ASE ``Atoms`` or anything ``structures.to_arrays`` takes).

    ``options`` is a ``PlaneStatics`` dict (``model``: ``PlaneOptions`` fields such as ``block``,
    ``atomistic``, ``hole_radius``, ``growth``, ``max_element``, ``fmax``; ``gradient``;
    ``reference``). ``gradient`` is the applied 2×2 displacement gradient H (u = H X on the
    boundary layer); ``reference`` also relaxes the fully atomistic block and compares. Returns
    the report: ``C_GPa``, sizes, ``patch`` (ghost forces), energies, ``displacements``,
    ``sites``, ``comparison``."""
    if gradient is not None:
        gradient = [[float(v) for v in row] for row in gradient]
    cell, pos, symbols, masses = to_arrays(unit)
    text = _options(options, {"gradient": gradient, "reference": reference})
    return json.loads(_scalebridge.coupling_plane_statics(cell, pos, symbols, masses, potential._inner, text))


def indent3d(
    potential: Potential,
    symbol: str,
    options: dict[str, Any] | None = None,
    *,
    depth: float | None = None,
    exact: bool | None = None,
) -> dict[str, Any]:
    """3-D nanoindentation of the (001) surface of an fcc block of ``symbol`` with ``potential``
    (docs/coupling_3d.md). ``options`` is an ``IndentOptions`` dict (``model``: ``SolidOptions``
    fields such as ``block``, ``atomistic``, ``growth``, ``max_element``, ``fmax``; ``radius``,
    ``k``, ``depth``, ``steps``, ``lattice_constant``, ``patch_gradient``, ``exact``,
    ``predictor``, ``stress_region``, ``timing_repeat``; ``model`` also takes ``condense``,
    ``lean_forces`` and ``pad_lag``). Returns the
    report: ``stress_error_percent``, ``atom_stress_error_percent``, ``load_error_percent``,
    ``F_sim``, ``F_sim_cpu``, ``F_DOF``, ``n_atoms_exact``, ``n_atoms_model``, ``n_nodes``, ``patch``, ``steps``,
    ``C_GPa``."""
    text = _options(options, {"depth": depth, "exact": exact})
    return json.loads(_scalebridge.coupling_indent3d(potential._inner, symbol, text))
