"""ASE calculator backed by the scalebridge engine.

Implements ``energy``, ``free_energy`` (eV), ``forces`` (eV/Å), ``stress`` (eV/Å³, ASE order xx yy
zz yz xz xy, tension positive: ``stress = −W/V`` with the virial ``W = Σ r_ij ⊗ f_ij``),
``energies`` (per atom, eV) and ``stresses`` (per atom, eV/Å³, summing to ``stress``), so any ASE
workflow (optimisers, MD, EOS, NEB, phonons) can use the engine.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from . import _scalebridge
from .potentials import Potential
from .structures import to_arrays

__all__ = ["ScaleBridgeCalculator"]


class ScaleBridgeCalculator(Calculator):
    """ASE calculator for any scalebridge :class:`~scalebridge.potentials.Potential`.

    Args:
        potential: the potential (e.g. ``LennardJones(...)`` or ``potentials.load(...)``).
        skin: Verlet skin of the neighbour list, Å (default 1 Å).
        threads: worker threads (default and 0: all cores); results agree across thread counts to 1e-12.
    """

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies", "stresses"]
    default_parameters: dict[str, Any] = {}

    def __init__(self, potential: Potential, skin: float | None = None, threads: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(potential, Potential):
            raise TypeError(f"potential must be a scalebridge Potential, got {type(potential).__name__}")
        self.potential = potential
        self._evaluator = _scalebridge.Evaluator(
            potential._inner, None if skin is None else float(skin), None if threads is None else int(threads)
        )

    def calculate(
        self,
        atoms: Any = None,
        properties: Sequence[str] = ("energy",),
        system_changes: Sequence[str] = all_changes,
    ) -> None:
        super().calculate(atoms, properties, system_changes)
        cell, pos, symbols, masses = to_arrays(self.atoms)
        out = self._evaluator.compute(cell, pos, symbols, masses)
        volume = abs(np.linalg.det(cell))
        virial = np.asarray(out["virial"])
        self.results["energy"] = float(out["energy"])
        self.results["free_energy"] = float(out["energy"])
        self.results["forces"] = np.asarray(out["forces"])
        self.results["stress"] = -virial / volume
        self.results["energies"] = np.asarray(out["energies"])
        self.results["stresses"] = -np.asarray(out["virials"]) / volume
