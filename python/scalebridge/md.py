"""Molecular dynamics runs (Rust engine; Python only converts and tabulates).

Units: time step in ps, temperature in K, velocities in Å/ps, energies in eV, pressures in GPa.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from ase import Atoms

from . import _scalebridge
from .potentials import Potential
from .structures import to_arrays

from .properties import (  # noqa: E402  (protocols are part of the MD namespace)
    PropertyResult,
    bond_statistics,
    diffusivity,
    displacements,
    elastic_constants,
    heat_flux,
    identify_phases,
    local_temperature,
    melting_temperature,
    rdf,
    thermal_conductivity,
    thermal_expansion,
    vacancy_formation_energy,
)

__all__ = [
    "Simulation",
    "GPA_PER_EV_A3",
    "PropertyResult",
    "elastic_constants",
    "diffusivity",
    "thermal_conductivity",
    "heat_flux",
    "melting_temperature",
    "identify_phases",
    "thermal_expansion",
    "vacancy_formation_energy",
    "rdf",
    "displacements",
    "local_temperature",
    "bond_statistics",
]

#: 1 eV/Å³ in GPa (LAMMPS metal nktv2p / 10⁴), read from the Rust core (scalebridge_core::units).
GPA_PER_EV_A3 = _scalebridge.units["EV_PER_A3_IN_GPA"]


def _pressure_ev_a3(p: float | Sequence[float] | None) -> list[float] | None:
    """A scalar pressure or six Voigt components, GPa -> eV/Å³."""
    if p is None:
        return None
    arr = np.atleast_1d(np.asarray(p, dtype=float)) / GPA_PER_EV_A3
    return [float(x) for x in arr]


def _opt(v: Any, conv: Any) -> Any:
    """``None`` (the user gave nothing) stays ``None`` so that Rust's default applies."""
    return None if v is None else conv(v)


class Simulation:
    """An MD simulation of a periodic structure with a potential.

    Args:
        structure: ``ase.Atoms`` or pymatgen ``Structure`` (fully periodic).
        potential: a scalebridge potential.
        timestep: time step, ps (metal units; default 0.001 = 1 fs).
        ensemble: ``"nve"`` (default; velocity Verlet, LAMMPS ``fix nve``), ``"nvt-langevin"`` (BAOAB),
            ``"nvt"`` (Nosé–Hoover chain, LAMMPS ``fix nvt``), ``"npt"`` (MTK barostat with
            Nosé–Hoover chains, LAMMPS ``fix npt``) or ``"berendsen"`` (weak coupling; a barostat
            too when ``pressure_gpa`` is given).
        skin: Verlet skin, Å (default 1).
        threads: worker threads (0 or None = all cores).
        temperature: target temperature, K (thermostatted ensembles).
        damping: thermostat time, ps (Langevin 1/γ; Nosé–Hoover τ, ~100 steps).
        seed: random seed of the Langevin noise (default 1); runs are reproducible.
        pressure_gpa: target pressure or pressure tensor (six Voigt components), GPa,
            compression positive (``npt``, ``berendsen``).
        pressure_damping: barostat time, ps (~1000 steps; default 1).
        coupling: ``"iso"`` (default), ``"aniso"`` or ``"tri"`` (npt); ``"iso"``/``"aniso"`` (berendsen).

    Settings left as ``None`` take the Rust defaults (stated above).
        bulk_modulus_gpa: Berendsen barostat coupling modulus, GPa.

    Example:
        >>> sim = Simulation(atoms, LennardJones(...), timestep=0.002)
        >>> sim.create_velocities(temperature=60.0, seed=1)
        >>> sim.run(1000, thermo_every=10)
        >>> sim.thermo  # pandas DataFrame, one row per thermo step
    """

    def __init__(
        self,
        structure: Any,
        potential: Potential,
        timestep: float | None = None,
        ensemble: str | None = None,
        skin: float | None = None,
        threads: int | None = None,
        *,
        temperature: float | None = None,
        damping: float | None = None,
        seed: int | None = None,
        pressure_gpa: float | Sequence[float] | None = None,
        pressure_damping: float | None = None,
        coupling: str | None = None,
        bulk_modulus_gpa: float | None = None,
    ) -> None:
        cell, pos, symbols, masses = to_arrays(structure)
        self.potential = potential
        self._inner = _scalebridge.Simulation(
            cell, pos, symbols, masses, potential._inner, _opt(timestep, float), _opt(skin, float), _opt(threads, int), ensemble,
            _opt(temperature, float),
            _opt(damping, float),
            _opt(seed, int),
            _pressure_ev_a3(pressure_gpa),
            _opt(pressure_damping, float),
            coupling,
            None if bulk_modulus_gpa is None else float(bulk_modulus_gpa) / GPA_PER_EV_A3,
        )

    def create_velocities(self, temperature: float, seed: int) -> None:
        """Maxwell–Boltzmann velocities at ``temperature`` (K), zero total momentum, exactly at
        ``temperature`` after rescaling (as LAMMPS ``velocity create``), reproducible from ``seed``."""
        self._inner.create_velocities(float(temperature), int(seed))

    def set_velocities(self, velocities: np.ndarray) -> None:
        """Set velocities, Å/ps, shape (N, 3)."""
        self._inner.set_velocities(np.ascontiguousarray(velocities, dtype=float))

    def set_rebuild_policy(self, every: int = 1, check: bool = True) -> None:
        """Neighbour-list rebuild policy (LAMMPS ``neigh_modify every N check yes|no``)."""
        self._inner.set_rebuild_policy(int(every), bool(check))

    def run(
        self,
        steps: int,
        thermo_every: int | None = None,
        trajectory: str | None = None,
        stride: int = 100,
    ) -> int:
        """Run ``steps`` steps; interrupt with Ctrl-C (state stays consistent).

        Args:
            thermo_every: record a thermo row every this many steps.
            trajectory: extxyz file to append frames to every ``stride`` steps.
        Returns:
            steps done.
        """
        if thermo_every is not None:
            self._inner.thermo_every = int(thermo_every)
        if trajectory is not None:
            self._inner.set_trajectory(trajectory, int(stride), True)
        try:
            return self._inner.run(int(steps))
        finally:
            if trajectory is not None:
                self._inner.set_trajectory(None)

    @property
    def thermo(self) -> pd.DataFrame:
        """Thermo rows: step, time_ps, temperature_K, pe_eV, ke_eV, etotal_eV, pressure_GPa,
        pressure tensor p**_GPa (compression positive, as LAMMPS), volume_A3."""
        df = pd.DataFrame(self._inner.thermo_columns())
        df["step"] = df["step"].astype("int64")
        return df

    def current_thermo(self) -> dict[str, float]:
        """Thermo values of the current state."""
        return dict(self._inner.current_thermo())

    def write_thermo(self, path: str) -> None:
        """Write the thermo table: CSV (from Rust) or Parquet (``.parquet``, via pandas/pyarrow)."""
        if str(path).endswith(".parquet"):
            self.thermo.to_parquet(path)
        else:
            self._inner.write_thermo_csv(str(path))

    @property
    def atoms(self) -> Atoms:
        """Current configuration as ``ase.Atoms`` (velocities set, in ASE units)."""
        from ase import units

        atoms = Atoms(
            symbols=self._inner.symbols, positions=self._inner.positions, cell=np.asarray(self._inner.cell), pbc=True
        )
        atoms.set_masses(self._inner.masses)
        # Å/ps -> ASE velocity unit (Å / (Å·sqrt(amu/eV)))
        atoms.set_velocities(np.asarray(self._inner.velocities) / (1000.0 * units.fs))
        return atoms

    @property
    def positions(self) -> np.ndarray:
        """Positions, Å (unwrapped)."""
        return np.asarray(self._inner.positions)

    @property
    def velocities(self) -> np.ndarray:
        """Velocities, Å/ps."""
        return np.asarray(self._inner.velocities)

    @property
    def forces(self) -> np.ndarray:
        """Forces of the current state, eV/Å."""
        return np.asarray(self._inner.forces)

    @property
    def step(self) -> int:
        return int(self._inner.step)

    @property
    def time(self) -> float:
        """Simulated time, ps."""
        return float(self._inner.time)

    def checkpoint(self, path: str) -> None:
        """Write a checkpoint (JSON, atomic replace) to resume exactly later."""
        import os

        tmp = f"{path}.partial"
        with open(tmp, "w") as f:
            f.write(self._inner.checkpoint())
        os.replace(tmp, path)

    def restore(self, path: str) -> None:
        """Resume from a checkpoint written with the same potential."""
        with open(path) as f:
            self._inner.restore(f.read())
