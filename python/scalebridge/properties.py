"""Property protocols (elastic constants, thermal conductivity, melting, diffusivity, ...).

Every protocol runs in Rust (``scalebridge-md``'s ``properties`` module) and returns a
:class:`PropertyResult`: quantities with their units and standard errors, curves for plots,
warnings, and provenance (input hash, potential hash, parameters, seeds, versions). Results
serialise to JSON, flatten to a dict / pandas row, and plot to PNG/SVG.

Long protocols report progress to an optional ``progress(done, total, stage)`` callable and stop
cleanly on Ctrl-C (``KeyboardInterrupt``); with ``cache_dir`` set, finished stages are kept there
under the task's input hash and a rerun resumes from them.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _scalebridge
from .exceptions import InputError
from .potentials import Potential
from .structures import to_arrays

__all__ = ["PropertyResult", "ProtocolWarning", "heat_flux", "run_protocol", "thermal_conductivity"]


class ProtocolWarning(UserWarning):
    """A protocol finished but something in its input or statistics deserves attention."""


def _is_quantity(v: Any) -> bool:
    return isinstance(v, dict) and "value" in v and "unit" in v and "stderr" in v


@dataclass
class PropertyResult:
    """Typed result of a property protocol (a thin view of the Rust result's JSON).

    Attributes:
        protocol: protocol name, e.g. ``"elastic/static"``.
        data: the full result as a dict (quantities are ``{"value", "stderr", "unit"}`` dicts).
    """

    protocol: str
    data: dict[str, Any]
    _series: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @classmethod
    def from_json(cls, text: str) -> "PropertyResult":
        data = json.loads(text)
        prov = data.get("provenance", {})
        return cls(protocol=prov.get("protocol", ""), data=data, _series=data.get("series", []))

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __contains__(self, key: str) -> bool:
        return key in self.data

    @property
    def provenance(self) -> dict[str, Any]:
        return self.data["provenance"]

    @property
    def warnings(self) -> list[str]:
        return list(self.data.get("warnings", []))

    @property
    def series(self) -> list[dict[str, Any]]:
        return self._series

    def quantities(self) -> dict[str, dict[str, Any]]:
        """Every scalar quantity (top level and in nested dicts), keyed by its (dotted) name."""
        out: dict[str, dict[str, Any]] = {}

        def walk(prefix: str, d: Mapping[str, Any]) -> None:
            for k, v in d.items():
                name = f"{prefix}{k}"
                if _is_quantity(v):
                    out[name] = v
                elif isinstance(v, dict) and k not in ("provenance",):
                    walk(name + ".", v)

        walk("", self.data)
        return out

    def value(self, name: str) -> float:
        """Value of the quantity ``name`` (see :meth:`quantities`)."""
        return float(self.quantities()[name]["value"])

    def stderr(self, name: str) -> float | None:
        e = self.quantities()[name]["stderr"]
        return None if e is None else float(e)

    def to_dict(self) -> dict[str, Any]:
        """The full result (JSON-compatible)."""
        return self.data

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.data, indent=1)
        if path is not None:
            tmp = f"{os.fspath(path)}.partial"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        return text

    def row(self) -> dict[str, Any]:
        """One flat row: ``name [unit]`` and ``name stderr`` columns, plus the task id."""
        r: dict[str, Any] = {"protocol": self.protocol, "input_hash": self.provenance.get("input_hash")}
        for name, q in self.quantities().items():
            r[f"{name} [{q['unit']}]"] = q["value"]
            if q["stderr"] is not None:
                r[f"{name} stderr"] = q["stderr"]
        return r

    def to_series(self) -> pd.Series:
        """The flat :meth:`row` as a pandas Series (concat several for a table)."""
        return pd.Series(self.row())

    def curve(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the recorded series ``name``."""
        for s in self._series:
            if s["name"] == name:
                return np.asarray(s["x"]), np.asarray(s["y"])
        raise KeyError(f"no series '{name}' (have: {[s['name'] for s in self._series]})")

    def plot(self, path: str | os.PathLike[str], series: str | None = None) -> None:
        """Plot the recorded series (all, or the one named) to ``path`` (``.svg`` or ``.png``)."""
        chosen = [s for s in self._series if series is None or s["name"] == series]
        if not chosen:
            raise KeyError(f"no series to plot (have: {[s['name'] for s in self._series]})")
        _scalebridge.plot_series(json.dumps(chosen), os.fspath(path), self.protocol)


def run_protocol(
    protocol: str,
    structure: Any,
    potential: Potential,
    options: Mapping[str, Any],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
) -> PropertyResult:
    """Run ``protocol`` with ``options`` (the Rust options struct's fields) and wrap the result.
    Warnings of the protocol are re-issued as :class:`ProtocolWarning`."""
    cell, pos, symbols, masses = to_arrays(structure)
    text = _scalebridge.run_protocol(
        protocol,
        cell,
        pos,
        symbols,
        masses,
        potential._inner,
        json.dumps(dict(options)),
        None if cache_dir is None else os.fspath(cache_dir),
        progress,
    )
    res = PropertyResult.from_json(text)
    for w in res.warnings:
        warnings.warn(f"{protocol}: {w}", ProtocolWarning, stacklevel=3)
    return res


_THERMAL_METHODS = {
    "green-kubo": "thermal_conductivity/green_kubo",
    "nemd": "thermal_conductivity/muller_plathe",
}


def thermal_conductivity(
    structure: Any,
    potential: Potential,
    temperature: float,
    *,
    method: str = "green-kubo",
    seeds: Sequence[int] | None = None,
    timestep: float | None = None,
    equilibration_steps: int | None = None,
    production_steps: int | None = None,
    sample_every: int | None = None,
    thermostat: str | None = None,
    thermostat_damping: float | None = None,
    threads: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
    **options: Any,
) -> PropertyResult:
    """Lattice/liquid thermal conductivity κ from MD, in W/(m·K).

    Every seed runs NVT equilibration (``thermostat``: ``"nose-hoover"``, default, or
    ``"langevin"``) from Maxwell–Boltzmann velocities at ``temperature``, then NVE:

    * ``method="green-kubo"``: the heat current ``J`` (LAMMPS ``compute heat/flux``, eV·Å/ps) is
      sampled every ``sample_every`` steps (default 5) and autocorrelated on the fly;
      ``κ_ab = 1/(V k_B T²) ∫ ⟨J_a(0) J_b(t)⟩ dt``, averaged over a plateau window of the running
      integral that starts where the HCACF first reaches zero (``result["plateau"]``). Extra
      options: ``correlation_time`` (ps, default 10) or ``correlation_samples``. Defaults:
      seeds 1, 2, 3; 10 000 + 200 000 steps of 1 fs.
    * ``method="nemd"``: Müller-Plathe reverse NEMD along z (LAMMPS ``fix thermal/conductivity``),
      ``κ = Q / (2 A t ⟨dT/dz⟩)``. Extra options: ``slabs`` (even, ≥ 4, default 20),
      ``swap_every`` (steps, default 100), ``discard_steps`` (default 20 000), ``blocks``
      (default 5). Defaults: seed 1; production 100 000 steps of 1 fs.

    Args:
        structure: ASE ``Atoms`` (or pymatgen ``Structure``), fully periodic. Cells should be
            LAMMPS-style (lower triangular) for NEMD, which cuts slabs along the third vector.
        potential: the interatomic potential.
        temperature: target temperature, K.
        method: ``"green-kubo"`` or ``"nemd"``.
        seeds: one independent run per seed; κ is their mean and standard error.
        timestep: ps. equilibration_steps, production_steps, sample_every: MD steps.
        thermostat_damping: ps. threads: worker threads (0 = all cores).
        cache_dir: keep finished seeds there; a rerun with the same inputs resumes.
        progress: ``progress(done, total, stage)``; return ``False`` to interrupt.
        **options: further fields of the Rust options struct (``GreenKuboOptions`` /
            ``NemdOptions``); unknown names raise :class:`InputError`.

    Returns:
        :class:`PropertyResult` with ``kappa`` (W/(m·K), with standard error), per-seed values,
        series for plots (``hcacf`` and ``running_kappa``, or ``temperature_profile``),
        warnings (also issued as :class:`ProtocolWarning`) and provenance. Green–Kubo also
        gives ``kappa_tensor`` (3×3 ``components`` and ``stderr``) and ``plateau``; NEMD gives
        ``gradient`` (K/Å), ``heat_flux`` (eV/(ps·Å²)) and ``temperature_difference`` (K).
    """
    if method not in _THERMAL_METHODS:
        raise InputError(f"unknown thermal-conductivity method {method!r} (use one of {sorted(_THERMAL_METHODS)})")
    opts: dict[str, Any] = {"temperature": float(temperature)}
    named = {
        "seeds": None if seeds is None else [int(x) for x in seeds],
        "timestep": timestep,
        "equilibration_steps": equilibration_steps,
        "production_steps": production_steps,
        "sample_every": sample_every,
        "thermostat": thermostat,
        "thermostat_damping": thermostat_damping,
        "threads": threads,
    }
    opts.update({k: v for k, v in named.items() if v is not None})
    opts.update(options)
    return run_protocol(_THERMAL_METHODS[method], structure, potential, opts, cache_dir=cache_dir, progress=progress)


def heat_flux(structure: Any, potential: Potential, velocities: Any, *, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Heat current ``(J, J_conv)`` of a configuration, eV·Å/ps (not divided by the volume),
    as LAMMPS ``compute heat/flux`` with ``ke/atom``, ``pe/atom`` and
    ``centroid/stress/atom NULL virial``: ``J = Σ e_i v_i + Σ W_i·v_i``, ``J_conv = Σ e_i v_i``.

    Args:
        structure: ASE ``Atoms`` (or pymatgen ``Structure``).
        potential: the interatomic potential.
        velocities: (N, 3) velocities, Å/ps.
    """
    cell, pos, symbols, masses = to_arrays(structure)
    v = np.ascontiguousarray(velocities, dtype=float)
    j, jc = _scalebridge.heat_flux(cell, pos, symbols, masses, v, potential._inner, int(threads))
    return np.asarray(j), np.asarray(jc)
