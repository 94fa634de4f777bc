"""Crystal builders and structure conversion (ASE ``Atoms`` in and out, pymatgen accepted).

Lengths in Å, masses in amu. File input/output goes through ASE (extxyz, CIF, POSCAR, LAMMPS
data, ...), so every format ASE reads is available.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np
from ase import Atoms

from . import _scalebridge
from .exceptions import InputError

__all__ = [
    "bulk",
    "crystal",
    "build",
    "prototypes",
    "random_solid_solution",
    "as_atoms",
    "to_arrays",
    "read",
    "write",
]


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


def prototypes() -> list[dict[str, Any]]:
    """The prototype table: name, space group and setting (as ``ase.spacegroup.crystal`` numbers
    it), sublattices (``roles``), Wyckoff sites with their representative positions (numbers, or
    names of free parameters), the default compound, lattice parameters, free parameters and the
    citation of the default set."""
    table = json.loads(_scalebridge.structure_prototypes())
    for p in table:
        p["params"] = {k: v for k, v in p["params"]}
    return list(table)


def build(spec: Mapping[str, Any]) -> Atoms:
    """Build a crystal from a structure description (the ``StructureSpec`` of material files),
    e.g. ``{"lattice": "perovskite", "elements": {"A": "Sr", "B": "Ti", "X": "O"}, "a": 3.905,
    "supercell": [3, 3, 3]}``. What was done (parameters, citation, substitutions, vacancies,
    charges) is in ``atoms.info["structure_report"]``."""
    try:
        text = json.dumps(dict(spec), allow_nan=True)
    except (TypeError, ValueError) as e:
        raise InputError(f"structure description is not JSON-serialisable: {e}") from e
    cell, pos, symbols, masses, report = _scalebridge.build_structure(text)
    atoms = _atoms(cell, pos, symbols, masses)
    atoms.info["structure_report"] = json.loads(report)
    return atoms


def _vacancy_list(vacancies: Any) -> list[dict[str, Any]]:
    if isinstance(vacancies, Mapping):
        out = []
        for site, v in vacancies.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(f"vacancies[{site!r}] must be a fraction (float) or a count (int), got {v!r}")
            out.append({"site": site, "count": v} if isinstance(v, int) else {"site": site, "fraction": v})
        return out
    return [dict(v) for v in vacancies]


def crystal(
    lattice: str,
    elements: str | Sequence[str] | Mapping[str, str] | None = None,
    *,
    a: float | None = None,
    b: float | None = None,
    c: float | None = None,
    params: Mapping[str, float] | None = None,
    supercell: int | Sequence[int] | Sequence[Sequence[int]] | None = None,
    orthogonal: bool | None = None,
    orientation: Sequence[Sequence[int]] | None = None,
    substitutions: Mapping[str, Mapping[str, float]] | Sequence[Mapping[str, Any]] | None = None,
    vacancies: Mapping[str, float | int] | Sequence[Mapping[str, Any]] | None = None,
    charges: Mapping[str, float] | None = None,
    compensate: str | None = None,
    seed: int | None = None,
    masses: Mapping[str, float] | None = None,
    min_distance: float | None = None,
) -> Atoms:
    """Build a crystal prototype (``perovskite``, ``rocksalt``, ``corundum``, ``spinel``,
    ``layered``, ``olivine``, ``wurtzite``, ``zincblende``, ``diamond``, ``fluorite``, ``alpha-quartz``; see
    :func:`prototypes`) or a metal lattice (``fcc``, ``bcc``, ``hcp``, ...).

    Args:
        lattice: prototype or lattice name.
        elements: one per sublattice in order (``["Ba", "Zr", "O"]``), or a mapping
            sublattice → element (``{"A": "Ba", "B": "Zr"}``; the others keep the default).
        a, b, c: conventional lattice parameters, Å (default: the prototype's published set,
            which belongs to its default compound: other elements need ``a``; a alone keeps the
            default b/a and c/a).
        params: free Wyckoff parameters by name (``{"u": 0.382}``).
        supercell: repeats (int or three ints) or an integer 3×3 matrix.
        orthogonal: hexagonal prototypes: the orthogonal cell (a, a + 2b, c) before repeating.
        orientation: cubic metal lattices only.
        substitutions: ``{site: {element: fraction}}`` (fractions sum to 1; ``site`` is a
            sublattice such as ``"B"`` or a species present) or a list of
            ``{"site": ..., "fractions": {...}}``.
        vacancies: ``{site: fraction (float) or count (int)}`` or a list of
            ``{"site": ..., "fraction": ...}`` / ``{"site": ..., "count": ...}``.
        charges: charge per species (e) for the charge report.
        compensate: species to remove to cancel the net charge (reported, never silent).
        seed: seed of the random choices.
        masses: per species, amu.
        min_distance: overlap threshold, Å.

    The build report (citation, parameters, composition, density, defects, charges) is in
    ``atoms.info["structure_report"]``.
    """
    spec: dict[str, Any] = {"lattice": lattice}
    if elements is not None:
        if isinstance(elements, str):
            spec["elements"] = elements
        elif isinstance(elements, Mapping):
            spec["elements"] = {str(k): str(v) for k, v in elements.items()}
        else:
            spec["elements"] = [str(e) for e in elements]
    for key, value in (("a", a), ("b", b), ("c", c), ("min_distance", min_distance)):
        if value is not None:
            spec[key] = float(value)
    if params is not None:
        spec["params"] = {str(k): float(v) for k, v in params.items()}
    if supercell is not None:
        if isinstance(supercell, int):
            spec["supercell"] = supercell
        else:
            rows = list(supercell)
            spec["supercell"] = [list(map(int, r)) for r in rows] if rows and not isinstance(rows[0], int) else [int(x) for x in rows]
    if orthogonal is not None:
        spec["orthogonal"] = bool(orthogonal)
    if orientation is not None:
        spec["orientation"] = [list(map(int, r)) for r in orientation]
    if substitutions is not None:
        if isinstance(substitutions, Mapping):
            spec["substitutions"] = [{"site": k, "fractions": dict(v)} for k, v in substitutions.items()]
        else:
            spec["substitutions"] = [dict(x) for x in substitutions]
    if vacancies is not None:
        spec["vacancies"] = _vacancy_list(vacancies)
    if charges is not None:
        spec["charges"] = {str(k): float(v) for k, v in charges.items()}
    if compensate is not None:
        spec["compensate"] = compensate
    if seed is not None:
        spec["seed"] = int(seed)
    if masses is not None:
        spec["masses"] = {str(k): float(v) for k, v in masses.items()}
    return build(spec)
