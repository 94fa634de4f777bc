"""Amorphous solids: melt–quench, the glass transition and disorder descriptors.

Everything runs in Rust (``scalebridge-protocols``'s ``glass`` module, ``scalebridge-md``'s
``computes::disorder``); this module converts and passes ``None`` for what the caller did not
give, so Rust's defaults apply (see docs/glass.md for the defaults and the physics).
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Sequence

from ase import Atoms

from . import _scalebridge
from .potentials import Potential, SpecPotential
from .properties import PropertyResult, run_protocol
from .structures import _atoms, to_arrays

__all__ = ["glass_transition", "melt_quench", "disorder", "glass_former", "kob_andersen"]

Progress = Callable[[int, int, str], "bool | None"]


def _ladder(t_high_K: float | None, t_low_K: float | None, cooling_rate_K_per_ps: float | None,
            rung_spacing_K: float | None, pressure_gpa: float | None) -> dict[str, Any]:
    return {
        "t_high_k": t_high_K,
        "t_low_k": t_low_K,
        "cooling_rate_k_per_ps": cooling_rate_K_per_ps,
        "rung_spacing_k": rung_spacing_K,
        "pressure_gpa": pressure_gpa,
    }


def glass_transition(
    structure: Any,
    potential: Potential,
    *,
    t_high_K: float | None = None,
    t_low_K: float | None = None,
    cooling_rate_K_per_ps: float | None = None,
    more_rates_K_per_ps: Sequence[float] | None = None,
    rung_spacing_K: float | None = None,
    pressure_gpa: float | None = None,
    seeds: Sequence[int] | None = None,
    fit_window_K: tuple[float, float] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> PropertyResult:
    """Glass-transition temperature from the volume per atom on cooling.

    The structure (a crystal, a random solid solution, a liquid) is melted at ``t_high_K``
    (NPT), cooled through NPT rungs at ``cooling_rate_K_per_ps`` (1 K/ps = 1e12 K/s) down to
    ``t_low_K`` once per seed (and per further rate), and T_g is the hinge of a continuous
    two-line fit to the seed-mean volume per atom against temperature; its standard error comes
    from a bootstrap over seeds and over the fit window.

    Returns:
        :class:`PropertyResult` with ``T_g_K`` and ``T_g_stderr_K`` (the primary rate),
        ``per_rate`` (T_g, error, fit, expansion coefficients and the cooling curve per rate),
        ``dTg_dlog10_rate_K`` (two rates or more), ``disorder`` (of the final structure),
        ``final_density_g_cm3``, series and provenance.

    Further ``options``: ``melt_steps``, ``relax_steps``, ``sample_every``, ``blocks``,
    ``sample_fraction``, ``bootstrap_samples``, ``window_jitter``, ``min_points_per_branch``,
    ``timestep``, ``thermostat_damping``, ``pressure_damping``, ``skin``, ``threads``.
    """
    opts = _ladder(t_high_K, t_low_K, cooling_rate_K_per_ps, rung_spacing_K, pressure_gpa)
    opts.update(
        more_rates_k_per_ps=None if more_rates_K_per_ps is None else [float(r) for r in more_rates_K_per_ps],
        seeds=None if seeds is None else [int(s) for s in seeds],
        fit_window_k=None if fit_window_K is None else [float(fit_window_K[0]), float(fit_window_K[1])],
        **options,
    )
    return run_protocol("glass/transition", structure, potential, opts, cache_dir=cache_dir, progress=progress)


def melt_quench(
    structure: Any,
    potential: Potential,
    *,
    t_high_K: float | None = None,
    t_low_K: float | None = None,
    cooling_rate_K_per_ps: float | None = None,
    rung_spacing_K: float | None = None,
    pressure_gpa: float | None = None,
    seed: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[Atoms, PropertyResult]:
    """Melt–quench ``structure``: returns the quenched structure (``ase.Atoms``) and the result
    (per-rung ``rungs`` with temperature, volume per atom, density, specific volume and potential
    energy, each with its standard error; ``final_density``; ``disorder``)."""
    opts = _ladder(t_high_K, t_low_K, cooling_rate_K_per_ps, rung_spacing_K, pressure_gpa)
    opts.update(seed=seed, **options)
    res = run_protocol("glass/melt_quench", structure, potential, opts, cache_dir=cache_dir, progress=progress)
    s = res["structure"]
    symbols = [s["species"][t] for t in s["types"]]
    cell = s["cell"]["matrix"] if isinstance(s["cell"], dict) else s["cell"]
    return _atoms(cell, s["positions"], symbols, s["masses"]), res


def disorder(structure: Any, *, r_max: float | None = None, bins: int | None = None) -> dict[str, Any]:
    """Disorder descriptors: ``non_crystalline_fraction_cna`` / ``_q6``, ``cna_fractions``,
    ``icosahedral_fraction``, ``mean_q6``, ``defect_density`` (atoms neither crystalline nor
    icosahedral), ``coordination`` (cutoff at the first g(r) minimum, mean, std, histogram, per
    species) and ``rdf`` (total and partial g(r))."""
    cell, pos, symbols, _ = to_arrays(structure)
    return json.loads(_scalebridge.disorder(cell, pos, symbols, r_max, bins))


def glass_former(name: str, repeat: int = 5, seed: int = 1) -> Atoms:
    """Start structure of a built-in glass former: ``"kob-andersen"`` (A80B20 on fcc at ρ* = 1.2,
    labels Ni/P, equal argon masses) or ``"cu64zr36"`` (random fcc solid solution), ``repeat``³
    fcc cells, random occupation from ``seed``."""
    d = json.loads(_scalebridge.glass_former(name, int(repeat), int(seed)))
    return _atoms(d["cell"], d["positions"], d["symbols"], d["masses"])


def kob_andersen() -> SpecPotential:
    """The Kob–Andersen binary Lennard-Jones potential in metal units (argon mapping, see
    docs/glass.md)."""
    return SpecPotential(_scalebridge.Potential.from_spec(_scalebridge.kob_andersen_spec()))
