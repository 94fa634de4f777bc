"""Crystal builders and structure conversion (ASE ``Atoms`` in and out, pymatgen accepted).

Lengths in Å, masses in amu. File input/output goes through ASE (extxyz, CIF, POSCAR, LAMMPS
data, ...), so every format ASE reads is available.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from ase import Atoms

from . import _scalebridge
from .exceptions import InputError

__all__ = ["bulk", "random_solid_solution", "as_atoms", "to_arrays", "read", "write"]


def as_atoms(structure: Any) -> Atoms:
    """Return an ``ase.Atoms`` for an ``Atoms`` or a pymatgen ``Structure``."""
    if isinstance(structure, Atoms):
        return structure
    if type(structure).__name__ in ("Structure", "IStructure") and hasattr(structure, "lattice"):
        try:
            from pymatgen.io.ase import AseAtomsAdaptor  # type: ignore[import-not-found]
        except ImportError as e:  # pragma: no cover - pymatgen optional
            raise InputError("converting a pymatgen Structure needs pymatgen installed") from e
        return AseAtomsAdaptor.get_atoms(structure)
    raise InputError(f"expected ase.Atoms or pymatgen Structure, got {type(structure).__name__}")


def to_arrays(structure: Any) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
    """(cell [Å], positions [Å], symbols, masses [amu]) of a fully periodic structure."""
    atoms = as_atoms(structure)
    if not all(atoms.pbc):
        raise InputError(f"only fully periodic structures are supported (pbc={list(atoms.pbc)})")
    cell = np.ascontiguousarray(atoms.cell.array, dtype=float)
    pos = np.ascontiguousarray(atoms.positions, dtype=float)
    return cell, pos, list(atoms.get_chemical_symbols()), [float(m) for m in atoms.get_masses()]


def _atoms(cell: Any, positions: Any, symbols: Sequence[str], masses: Sequence[float]) -> Atoms:
    atoms = Atoms(symbols=list(symbols), positions=np.asarray(positions), cell=np.asarray(cell), pbc=True)
    atoms.set_masses(list(masses))
    return atoms


def bulk(
    species: str | Sequence[str],
    lattice: str,
    a: float,
    *,
    c: float | None = None,
    orientation: Sequence[Sequence[int]] | None = None,
    repeat: int | Sequence[int] = 1,
    orthogonal: bool = False,
    masses: Sequence[float] | None = None,
) -> Atoms:
    """Build a crystal.

    Args:
        species: one species, or two for ``b2`` (A corner, B centre), ``l12`` (A₃B: A on the
            faces, B on the corners) and zincblende (``diamond`` with two species).
        lattice: ``sc``, ``bcc``, ``fcc``, ``hcp``, ``diamond``, ``b2`` or ``l12``.
        a: lattice constant, Å.
        c: hcp c, Å (default ideal √(8/3)·a).
        orientation: crystal directions along x, y, z for cubic lattices, e.g.
            ``[[1, -1, 0], [1, 1, -2], [1, 1, 1]]``.
        repeat: supercell repeats (int or three ints).
        orthogonal: hcp only, the orthorhombic 4-atom cell instead of the primitive one.
        masses: per species, amu (default standard atomic masses).
    """
    sp = [species] if isinstance(species, str) else list(species)
    rep = (repeat, repeat, repeat) if isinstance(repeat, int) else tuple(repeat)
    if len(rep) != 3:
        raise InputError(f"repeat must be an int or three ints, got {repeat!r}")
    orient = None if orientation is None else [list(map(int, r)) for r in orientation]
    cell, pos, symbols, m = _scalebridge.build_bulk(
        lattice, sp, float(a), c, orient, rep, orthogonal, None if masses is None else list(masses)
    )
    return _atoms(cell, pos, symbols, m)


def random_solid_solution(
    structure: Any,
    composition: Mapping[str, float],
    seed: int,
    masses: Mapping[str, float] | None = None,
) -> Atoms:
    """Random solid solution on the sites of ``structure`` with ``composition`` (species → fraction,
    normalised; counts by largest remainder) from ``seed``."""
    cell, pos, symbols, _ = to_arrays(structure)
    comp = [(str(k), float(v)) for k, v in composition.items()]
    m = None if masses is None else [float(masses[k]) for k, _ in comp]
    new_symbols, new_masses = _scalebridge.random_solid_solution(cell, pos, symbols, comp, int(seed), m)
    return _atoms(cell, pos, new_symbols, new_masses)


def read(path: str, index: Any = None, **kwargs: Any) -> Any:
    """Read structures with ``ase.io.read`` (extxyz, CIF, POSCAR, LAMMPS data, ...)."""
    from ase.io import read as ase_read

    return ase_read(path, index=index, **kwargs)


def write(path: str, structure: Any, **kwargs: Any) -> None:
    """Write structures with ``ase.io.write`` (extxyz by default for ``.xyz``/``.extxyz``)."""
    from ase.io import write as ase_write

    ase_write(path, as_atoms(structure) if not isinstance(structure, list) else structure, **kwargs)
