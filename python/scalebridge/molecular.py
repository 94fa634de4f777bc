"""Molecular systems: LAMMPS data files that keep their topology, the polymer builders, and
LAMMPS force-field lines (pair + bonded styles + ``special_bonds``) as one potential.

Everything runs in Rust (``scalebridge-md``'s ``topology`` and ``potentials::bonded``; see
docs/polymers.md); this module converts and passes ``None`` for what the caller did not give so
that Rust's defaults apply.

Example:
    >>> from scalebridge import molecular
    >>> melt = molecular.build_polymer("kremer-grest", chains=20, length=20, density=0.85, seed=1)
    >>> melt.write("kg.data")                       # LAMMPS data file, atom_style molecular
    >>> pot = melt.potential()                      # its force field (WCA + FENE)
    >>> out = melt.single_point(pot)                # energy, forces, virial (LAMMPS sign)
    >>> system = molecular.read_lammps_data("kg.data", atom_style="molecular")
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from ase import Atoms

from . import _scalebridge
from .exceptions import InputError
from .potentials import Potential

__all__ = ["MolecularSystem", "read_lammps_data", "build_polymer", "molecular_potential", "chain_statistics", "BUILDERS"]

BUILDERS = ("kremer-grest", "polyethylene", "epoxy-network")


class MolecularPotential(Potential):
    """Pair term + bonded terms + special-bonds correction over one topology."""

    def __init__(self, handle: _scalebridge.Potential, labels: list[str]) -> None:
        self._inner = handle
        self.labels = labels


@dataclass
class MolecularSystem:
    """A periodic structure with its topology.

    Attributes:
        cell: 3×3 cell (rows are the vectors), Å.
        positions: N×3 positions, Å (as read: unwrapped with the image flags).
        symbols: per-atom species: the element of the atom's type when ``elements`` were given,
            otherwise the LAMMPS type number as a label (``"1"``, ``"2"``, ...).
        masses: per-atom masses, amu (from the ``Masses`` section).
        topology: the topology as the Rust side serialises it (``style``, ``atom_types`` (0-based),
            ``type_masses``, ``molecule``, ``charges`` (full only), ``bonds``/``angles``/
            ``dihedrals``/``impropers`` as ``{"kind": type (0-based), "atoms": [0-based indices]}``,
            ``n_term_types``, ``coeffs``).
        lammps: force-field lines of a built system (empty for a read file).
        report: the build report of a built system (empty for a read file).
    """

    cell: np.ndarray
    positions: np.ndarray
    symbols: list[str]
    masses: np.ndarray
    topology: dict[str, Any]
    lammps: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def _from_json(cls, text: str) -> "MolecularSystem":
        d = json.loads(text)
        return cls(
            cell=np.array(d["cell"], dtype=float),
            positions=np.array(d["positions"], dtype=float).reshape(-1, 3),
            symbols=[str(s) for s in d["symbols"]],
            masses=np.array(d["masses"], dtype=float),
            topology=d["topology"],
            lammps=list(d.get("lammps", [])),
            report=dict(d.get("report", {})),
        )

    def __len__(self) -> int:
        return len(self.symbols)

    @property
    def charges(self) -> np.ndarray | None:
        q = self.topology.get("charges")
        return None if q is None else np.array(q, dtype=float)

    @property
    def atom_types(self) -> np.ndarray:
        """LAMMPS atom types, 1-based."""
        return np.array(self.topology["atom_types"], dtype=int) + 1

    def _terms(self, kind: str) -> np.ndarray:
        rows = self.topology[kind]
        width = {"bonds": 2, "angles": 3, "dihedrals": 4, "impropers": 4}[kind]
        return np.array([[t["kind"] + 1] + [a for a in t["atoms"]] for t in rows], dtype=int).reshape(-1, width + 1)

    @property
    def bonds(self) -> np.ndarray:
        """Bonds as rows ``(type (1-based), i, j)`` with 0-based atom indices."""
        return self._terms("bonds")

    @property
    def angles(self) -> np.ndarray:
        return self._terms("angles")

    @property
    def dihedrals(self) -> np.ndarray:
        return self._terms("dihedrals")

    @property
    def impropers(self) -> np.ndarray:
        return self._terms("impropers")

    @property
    def type_labels(self) -> list[str]:
        """The species name of every LAMMPS atom type (type i + 1 is entry i)."""
        labels = [str(i + 1) for i in range(len(self.topology["type_masses"]))]
        for t, s in zip(self.topology["atom_types"], self.symbols):
            labels[t] = s
        return labels

    def to_atoms(self, elements: Sequence[str] | Mapping[str, str] | None = None) -> Atoms:
        """An ASE ``Atoms`` without the topology (masses kept; charges as initial charges).

        Species that are not element symbols (bead-spring type labels) need ``elements``: a list
        in type order or a mapping label → element; without it they become ``X``.
        """
        labels = self.type_labels
        if elements is None:
            mapping = {}
        elif isinstance(elements, Mapping):
            mapping = {str(k): str(v) for k, v in elements.items()}
        else:
            mapping = {labels[i]: str(e) for i, e in enumerate(elements)}
        from ase.data import chemical_symbols

        syms = [mapping.get(s, s if s in chemical_symbols else "X") for s in self.symbols]
        atoms = Atoms(symbols=syms, positions=self.positions, cell=self.cell, pbc=True, masses=self.masses)
        q = self.charges
        if q is not None:
            atoms.set_initial_charges(q)
        atoms.info["lammps_type"] = [int(t) for t in self.atom_types]
        return atoms

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the LAMMPS data file (the topology's atom style; written through a temporary file)."""
        _scalebridge.write_molecular_data(os.fspath(path), self.cell, self.positions, list(self.symbols),
                                          [float(m) for m in self.masses], json.dumps(self.topology))

    def write_lammps(self, path: str | os.PathLike[str]) -> None:
        """Write the force-field lines of a built system."""
        if not self.lammps:
            raise InputError("this system carries no force-field lines (it was read, not built)")
        with open(path, "w") as f:
            f.write("\n".join(self.lammps) + "\n")

    def potential(self, commands: str | Sequence[str] | None = None, *, directory: str | os.PathLike[str] | None = None) -> MolecularPotential:
        """The force field over this topology: ``commands`` (LAMMPS lines), or the built system's own."""
        lines = self.lammps if commands is None else commands
        if not lines:
            raise InputError("give the LAMMPS lines (pair_style, bond_style, ..., special_bonds)")
        return molecular_potential(lines, self, directory=directory)

    def chain_statistics(self, positions: np.ndarray | None = None, cell: np.ndarray | None = None) -> dict[str, Any]:
        """Bond lengths, ⟨R²⟩, ⟨R_g²⟩ and ⟨R²(n)⟩/n of the linear chains (see :func:`chain_statistics`)."""
        return chain_statistics(self, positions=positions, cell=cell)

    def simulation(self, potential_lines: str | Sequence[str] | None = None, **options: Any) -> Any:
        """An MD :class:`scalebridge.md.Simulation` of this system with its force field (or
        ``potential_lines``). ``options`` are the Simulation's (``timestep``, ``ensemble``,
        ``temperature``, ``damping``, ``seed``, ``threads``, ...; ``None`` = Rust default).

        The atom types are carried as stand-in element symbols (type i + 1 → the element of atomic
        number i + 1) with this system's masses, so that bead-spring type labels pass through ASE;
        the positions of the simulation are in this system's atom order.
        """
        from ase.data import chemical_symbols

        from .md import Simulation

        ntypes = len(self.topology["type_masses"])
        stand_in = [chemical_symbols[i + 1] for i in range(ntypes)]
        syms = [stand_in[int(t)] for t in self.topology["atom_types"]]
        relabelled = MolecularSystem(self.cell, self.positions, syms, self.masses, self.topology, self.lammps, self.report)
        lines = self.lammps if potential_lines is None else potential_lines
        if not lines:
            raise InputError("give the LAMMPS lines (pair_style, bond_style, ..., special_bonds)")
        pot = molecular_potential(lines, relabelled)
        atoms = Atoms(symbols=syms, positions=self.positions, cell=self.cell, pbc=True, masses=self.masses)
        return Simulation(atoms, pot, **options)

    def single_point(self, potential: Potential, *, threads: int | None = None) -> dict[str, Any]:
        """Energy (eV), forces (eV/Å), virial (eV, Voigt xx yy zz yz xz xy, LAMMPS sign) and the
        per-atom energies and virials of this configuration."""
        ev = _scalebridge.Evaluator(potential._inner, None, threads)
        return ev.compute(self.cell, self.positions, list(self.symbols), [float(m) for m in self.masses])


def read_lammps_data(path: str | os.PathLike[str], atom_style: str = "full", elements: Sequence[str] | None = None) -> MolecularSystem:
    """Read a LAMMPS data file with bonds, angles, dihedrals and impropers.

    Args:
        path: the data file.
        atom_style: ``full`` (``id mol type q x y z``) or ``molecular`` (``id mol type x y z``).
        elements: element of each atom type (type i + 1 is ``elements[i]``); without them the
            species are the type numbers as labels.

    Raises:
        InputError: a malformed file, a dangling bond atom id, a term type beyond the header's
            count, a type without a mass, coincident atoms (the message names file and line).
    """
    text = _scalebridge.read_molecular_data(os.fspath(path), str(atom_style), None if elements is None else [str(e) for e in elements])
    return MolecularSystem._from_json(text)


def build_polymer(builder: str | Mapping[str, Any], **options: Any) -> MolecularSystem:
    """Build a molecular system: ``kremer-grest`` (``chains``, ``length``, ``density``, ...),
    ``polyethylene`` (TraPPE-UA: ``chains``, ``length``, ``density_g_cm3``, ``cutoff_a``, ...) or
    ``epoxy-network`` (``resins``, ``hardeners``, ``conversion``, ``capture_radius``, ...); options
    not given take the Rust defaults (docs/polymers.md). ``builder`` may also be a whole
    description with a ``builder`` key. Reproducible with ``seed``.

    Raises:
        InputError: an unknown builder or option, impossible parameters (a density that cannot be
            packed, a conversion the mix cannot reach), overlaps the push-off could not remove.
    """
    spec = dict(builder) if isinstance(builder, Mapping) else {"builder": str(builder)}
    spec.update({k: v for k, v in options.items() if v is not None})
    data_path = spec.pop("data_path", None)
    text = _scalebridge.build_polymer(json.dumps(spec), None if data_path is None else os.fspath(data_path))
    return MolecularSystem._from_json(text)


def molecular_potential(commands: str | Sequence[str], system: MolecularSystem, *,
                        directory: str | os.PathLike[str] | None = None) -> MolecularPotential:
    """LAMMPS lines with bonded styles over ``system``'s topology as one potential.

    ``commands`` hold the pair style (``pair_style``/``pair_coeff``/``pair_modify``; ``pair_style
    zero`` for none), ``bond_style``/``bond_coeff``, ``angle_*``, ``dihedral_*``, ``improper_*``
    and ``special_bonds``; coefficients missing from the lines are taken from the data file's
    ``* Coeffs`` sections. Species are the system's type labels.
    """
    lines = commands.splitlines() if isinstance(commands, str) else [str(c) for c in commands]
    search = [os.getcwd()] + ([os.fspath(directory)] if directory is not None else [])
    labels = system.type_labels
    handle = _scalebridge.potential_from_lammps_molecular(lines, labels, list(system.symbols), json.dumps(system.topology), search)
    return MolecularPotential(handle, labels)


def chain_statistics(system: MolecularSystem, positions: np.ndarray | None = None,
                     cell: np.ndarray | None = None) -> dict[str, Any]:
    """Chain statistics of ``system`` (or of ``positions``/``cell`` with its topology, e.g. a
    frame of an MD run; positions may be wrapped into the cell).

    Computed in Rust (``scalebridge_md::topology::analysis``): chains are the linear components of
    the bond graph (others are counted in ``n_other_components`` and left out), unwrapped along
    their bonds by the minimum image. Returns a dict (lengths in the system's units, Å in metal
    units): ``n_bonds``, ``bond_length_mean``/``_stderr``/``_rms``, ``n_chains``,
    ``chain_length_mean``, ``mean_sq_end_to_end``/``_stderr``, ``mean_sq_end_to_end_per_bond``
    (⟨R²/(N−1)⟩), ``mean_sq_radius_of_gyration``/``_stderr`` (unweighted) and
    ``internal_distances`` (⟨R²(n)⟩/n for n = 1, 2, ...). Standard errors are over the chains
    (bonds) of this one configuration.
    """
    pos = system.positions if positions is None else positions
    c = system.cell if cell is None else cell
    text = _scalebridge.chain_statistics(np.ascontiguousarray(c, dtype=float), np.ascontiguousarray(pos, dtype=float),
                                         json.dumps(system.topology))
    return json.loads(text)
