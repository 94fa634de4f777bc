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
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from . import _scalebridge
from .exceptions import InputError
from .potentials import Potential
from .structures import to_arrays

__all__ = ["PropertyResult", "ProtocolWarning", "identify_phases", "melting_temperature", "run_protocol"]


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


#: LAMMPS ``compute cna/atom`` codes of the CNA structure types.
CNA_LABELS = {1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "other"}


def identify_phases(
    structure: Any,
    method: str = "cna",
    *,
    cutoff: float | None = None,
    neighbors: int = 12,
    threshold: float = 0.3,
) -> np.ndarray:
    """Per-atom phase identification.

    Args:
        structure: ``ase.Atoms`` or pymatgen ``Structure`` (periodic).
        method: ``"cna"``: adaptive common-neighbour analysis (Stukowski 2012), or the
            conventional CNA of LAMMPS ``compute cna/atom`` when ``cutoff`` (Å) is given
            (e.g. 0.854·a for fcc, 1.207·a for bcc). Returns labels ``"fcc"``, ``"hcp"``,
            ``"bcc"``, ``"ico"``, ``"other"`` (array of str).
            ``"q6"``: Lechner–Dellago averaged Steinhardt q̄6 over the ``neighbors`` nearest
            neighbours; returns ``"solid"`` where q̄6 > ``threshold`` (dimensionless; perfect
            fcc 0.575, liquids ≈ 0.1–0.2), else ``"liquid"``.
            ``"q6-values"`` / ``"q6-raw-values"``: the averaged / plain q6 values (float array).
    """
    cell, pos, symbols, _ = to_arrays(structure)
    if method == "cna":
        kind = "cna" if cutoff is None else "cna-fixed"
        codes = _scalebridge.phase_labels(cell, pos, symbols, kind, cutoff, neighbors)
        return np.array([CNA_LABELS[int(c)] for c in codes])
    if method in ("q6", "q6-values", "q6-raw-values"):
        kind = "q6" if method == "q6-raw-values" else "q6-averaged"
        q = np.asarray(_scalebridge.phase_labels(cell, pos, symbols, kind, None, neighbors))
        if method == "q6":
            if not 0.0 < threshold < 1.0:
                raise InputError(f"threshold must lie in (0, 1), got {threshold}")
            return np.where(q > threshold, "solid", "liquid")
        return q
    raise InputError(f"unknown method {method!r} (cna, q6, q6-values, q6-raw-values)")


def melting_temperature(
    structure: Any,
    potential: Potential,
    *,
    guess_K: float,
    element: str | None = None,
    lattice: str = "fcc",
    a: float | None = None,
    repeat: tuple[int, int, int] = (6, 6, 16),
    pressure_gpa: float = 0.0,
    seed: int = 1,
    phase: str = "q6",
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
    **options: Any,
) -> PropertyResult:
    """Melting temperature by solid–liquid coexistence (interface method).

    A crystal elongated along z is equilibrated at ``guess_K``, half of it is melted, and NPT runs
    at trial temperatures bracket T_m by the sign of the solid fraction's drift (bisected
    automatically); an NPH two-phase run then settles at T_m. Heating and cooling ramps of the
    single phases give the superheating/supercooling bounds T₊ > T_m > T₋.

    Args:
        structure: the crystal (``ase.Atoms``/pymatgen, orthorhombic, elongated along z), or
            ``None`` to build ``lattice`` of ``element`` with cubic lattice constant ``a`` (Å)
            repeated ``repeat`` times (conventional cubic cells).
        potential: a scalebridge potential.
        guess_K: guess of T_m, K (must be positive and below the vaporisation range).
        pressure_gpa: target pressure, GPa.
        seed: random seed (velocities, thermostat).
        phase: solid/liquid classifier: ``"q6"`` (averaged Steinhardt, threshold 0.3) or
            ``"cna"`` (adaptive CNA; fcc/hcp/bcc atoms are solid).
        cache_dir: finished stages are stored here; a rerun resumes.
        progress: ``progress(done_steps, total_steps, stage)``; return ``False`` to stop.
        **options: further fields of the Rust ``MeltingOptions`` (durations in MD steps:
            ``equilibrate_steps``, ``melt_steps``, ``trial_steps``, ``nph_steps``,
            ``ramp_steps``, ``sample_every``; ``timestep_ps`` (0 = automatic), ``bracket``,
            ``bisections``, ``coupling`` (``"aniso"``/``"z"``), ``threads``, ...).

    Returns:
        :class:`PropertyResult` with ``melting_temperature`` (K, with standard error),
        ``estimator``, ``bracket_k``, ``t_m_nph``, ``t_m_interpolated``, ``superheating_k``,
        ``supercooling_k``, per-run records ``runs`` (temperature, solid-fraction slope in 1/ps,
        outcome), series (solid fraction vs time, NPH temperature, ramps), warnings and
        provenance.
    """
    if structure is None:
        if element is None or a is None:
            raise InputError("without a structure, give element= and the lattice constant a= (Å)")
        from .structures import bulk

        structure = bulk(element, lattice, float(a), repeat=[int(r) for r in repeat], orthogonal=lattice == "hcp")
    if phase == "q6":
        ph: dict[str, Any] = {"method": "q6", "neighbors": 12, "averaged": True, "threshold": 0.3}
    elif phase == "cna":
        ph = {"method": "cna"}
    else:
        raise InputError(f"unknown phase classifier {phase!r} (q6, cna)")
    opts = {"guess_k": float(guess_K), "pressure_gpa": float(pressure_gpa), "seed": int(seed), "phase": ph}
    opts.update(options)
    return run_protocol("melting/coexistence", structure, potential, opts, cache_dir=cache_dir, progress=progress)
