"""Thermostats, barostats and energy minimisation (Rust engine; Python converts units).

Units: time in ps, temperature in K, pressure in GPa (compression positive; a scalar or six Voigt
components xx yy zz yz xz xy), damping times in ps, energies in eV, forces in eV/Å.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from ase import Atoms

from . import _scalebridge
from .md import GPA_PER_EV_A3, Simulation, _opt, _pressure_ev_a3
from .potentials import Potential
from .structures import as_atoms, to_arrays

__all__ = ["Dynamics", "minimize", "coordination_numbers", "embedding_density", "GPA_PER_EV_A3"]



def minimize(
    structure: Any,
    potential: Potential,
    algorithm: str | None = None,
    fmax: float | None = None,
    relax_cell: str | None = None,
    pressure_gpa: float | Sequence[float] = 0.0,
    stress_tol_gpa: float | None = None,
    max_iter: int | None = None,
    max_step: float | None = None,
    threads: int | None = None,
) -> tuple[Atoms, dict[str, Any]]:
    """Relax atomic positions (and optionally the cell) to a local minimum.

    Args:
        structure: ``ase.Atoms`` or pymatgen ``Structure``.
        potential: a scalebridge potential.
        algorithm: ``"fire"`` (default) or ``"cg"`` (Polak–Ribière conjugate gradients).
        fmax: force tolerance, eV/Å (largest atomic force; default 1e-4).
        relax_cell: ``None`` (fixed cell), ``"iso"``, ``"aniso"`` or ``"tri"``.
        pressure_gpa: target pressure (scalar) or pressure tensor (6 Voigt components), GPa.
        stress_tol_gpa: tolerance on the relaxed pressure components, GPa (default 1e-7 eV/Å³
            ≈ 1.6e-5 GPa).
        max_iter: iteration limit (default 5000).
        max_step: largest atomic displacement per step, Å (default 0.2).
        threads: worker threads (0 or None = all cores).

    Settings left as ``None`` take the Rust defaults (``MinimizeOptions``).

    Returns:
        The relaxed ``ase.Atoms`` and a report (energy eV, fmax eV/Å, pressure GPa, iterations).

    Raises:
        CalculationFailed: no convergence within ``max_iter`` (the message gives the residual).
    """
    atoms = as_atoms(structure)
    cell, pos, symbols, masses = to_arrays(atoms)
    out = _scalebridge.minimize(
        cell, pos, symbols, masses, potential._inner, algorithm, _opt(fmax, float),
        None if stress_tol_gpa is None else float(stress_tol_gpa) / GPA_PER_EV_A3,
        _opt(max_iter, int), _opt(max_step, float), relax_cell, _pressure_ev_a3(pressure_gpa), None, _opt(threads, int),
    )
    relaxed = atoms.copy()
    relaxed.set_cell(np.asarray(out["cell"]), scale_atoms=False)
    relaxed.positions = np.asarray(out["positions"])
    report = {
        "energy_eV": out["energy"],
        "energy_per_atom_eV": out["energy"] / len(relaxed),
        "fmax_eV_A": out["fmax"],
        "pressure_GPa": [p * GPA_PER_EV_A3 for p in out["pressure"]],
        "stress_residual_GPa": out["stress_residual"] * GPA_PER_EV_A3,
        "volume_A3": out["volume"],
        "iterations": out["iterations"],
        "evaluations": out["evaluations"],
        "algorithm": out["algorithm"],
        "version": out["version"],
    }
    return relaxed, report


class Dynamics(Simulation):
    """MD in a thermodynamic ensemble: a :class:`scalebridge.md.Simulation` whose ensemble comes
    first and whose ``run`` returns the thermo table.

    Args:
        structure: ``ase.Atoms`` or pymatgen ``Structure``.
        potential: a scalebridge potential.
        ensemble: ``"nvt-langevin"``, ``"nvt"``, ``"npt"`` or ``"berendsen"`` (see
            :class:`~scalebridge.md.Simulation`).
        timestep: ps. temperature: K. damping: thermostat time, ps. Further keywords as
            :class:`~scalebridge.md.Simulation` (``seed``, ``pressure_gpa``, ``pressure_damping``,
            ``coupling``, ``bulk_modulus_gpa``, ``skin``, ``threads``).

    Example:
        >>> md = Dynamics(atoms, pot, "npt", timestep=0.002, temperature=300, damping=0.1,
        ...               pressure_gpa=0.0, pressure_damping=1.0)
        >>> md.create_velocities(300, seed=1)
        >>> thermo = md.run(5000, thermo_every=10)
    """

    def __init__(
        self,
        structure: Any,
        potential: Potential,
        ensemble: str,
        timestep: float | None = None,
        temperature: float | None = None,
        damping: float | None = None,
        skin: float | None = None,
        threads: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            structure, potential, timestep, ensemble, skin, threads, temperature=temperature, damping=damping, **kwargs
        )

    def run(self, steps: int, thermo_every: int = 10, trajectory: str | None = None, stride: int = 100) -> pd.DataFrame:  # type: ignore[override]
        """Run ``steps`` steps recording thermo every ``thermo_every`` steps; returns all rows."""
        super().run(steps, thermo_every=thermo_every, trajectory=trajectory, stride=stride)
        return self.thermo


def coordination_numbers(structure: Any, cutoff: float) -> np.ndarray:
    """Number of neighbours of every atom within ``cutoff`` (Å), periodic images included."""
    cell, pos, symbols, masses = to_arrays(structure)
    return np.asarray(_scalebridge.coordination_numbers(cell, pos, symbols, masses, float(cutoff)))


def embedding_density(structure: Any, potential: Potential, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-atom host electron density ρ_i of an EAM potential (the file's density unit) and the
    number of neighbours within the potential cutoff."""
    cell, pos, symbols, masses = to_arrays(structure)
    d, c = _scalebridge.embedding_density(cell, pos, symbols, masses, potential._inner, None if threads is None else int(threads))
    return np.asarray(d), np.asarray(c)
