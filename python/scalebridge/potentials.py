"""Interatomic potentials (parameters only; computation happens in Rust).

Units: energies in eV, lengths in Å. Names follow LAMMPS ``pair_style``.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from . import _scalebridge
from .exceptions import InputError

__all__ = ["Potential", "LennardJones"]


class Potential:
    """Base class: holds the Rust potential handle in ``self._inner``."""

    _inner: _scalebridge.Potential

    @property
    def pair_style(self) -> str:
        """LAMMPS pair style name (``lj/cut``, ``eam/alloy``, ...)."""
        return self._inner.pair_style

    @property
    def cutoff(self) -> float:
        """Largest interaction cutoff, Å."""
        return self._inner.cutoff

    @property
    def species(self) -> list[str]:
        """Species this potential describes."""
        return list(self._inner.species)

    def fingerprint(self) -> str:
        """Stable description of the parameters (hashed into provenance records)."""
        return self._inner.fingerprint()

    def __repr__(self) -> str:
        return repr(self._inner)


class LennardJones(Potential):
    """12-6 Lennard-Jones with a cutoff (LAMMPS ``lj/cut``).

    ``E(r) = 4ε[(σ/r)¹² − (σ/r)⁶]`` (minus its value at the cutoff when ``shift``), Lorentz–Berthelot
    mixing for unlike pairs unless given in ``pairs``.

    Args:
        epsilon: ε per species, eV.
        sigma: σ per species, Å.
        cutoff: global cutoff, Å.
        shift: shift pair energies to zero at the cutoff (LAMMPS ``pair_modify shift yes``).
        pairs: explicit unlike-pair parameters ``{(a, b): (ε, σ)}`` or ``(ε, σ, cutoff)``.
        mixing: ``"arithmetic"`` (Lorentz–Berthelot, default) or ``"geometric"``.

    Example:
        >>> LennardJones(epsilon={"Ar": 0.0104, "Kr": 0.014}, sigma={"Ar": 3.40, "Kr": 3.65}, cutoff=8.5)
    """

    def __init__(
        self,
        epsilon: Mapping[str, float],
        sigma: Mapping[str, float],
        cutoff: float,
        shift: bool = False,
        pairs: Mapping[tuple[str, str], tuple[float, ...]] | None = None,
        mixing: str = "arithmetic",
    ) -> None:
        if set(epsilon) != set(sigma):
            raise InputError(f"epsilon and sigma must name the same species: {sorted(epsilon)} vs {sorted(sigma)}")
        species = list(epsilon)
        plist = []
        for key, val in (pairs or {}).items():
            if len(key) != 2:
                raise InputError(f"pair key must be (species, species), got {key!r}")
            if len(val) not in (2, 3):
                raise InputError(f"pair {key} must be (epsilon, sigma) or (epsilon, sigma, cutoff), got {val!r}")
            rc = float(val[2]) if len(val) == 3 else None
            plist.append((str(key[0]), str(key[1]), float(val[0]), float(val[1]), rc))
        self._inner = _scalebridge.Potential.lennard_jones(
            species,
            [float(epsilon[s]) for s in species],
            [float(sigma[s]) for s in species],
            float(cutoff),
            bool(shift),
            mixing,
            plist,
        )


# --- Embedded-atom method (EAM): files and the Zhou 2004 generator --------------------------------

__all__ += ["EmbeddedAtom", "Zhou2004", "load"]


class EmbeddedAtom(Potential):
    """A tabulated EAM potential (LAMMPS ``eam``, ``eam/alloy`` or ``eam/fs``), evaluated with
    LAMMPS's own spline interpolation (energies, forces and virials agree to round-off).

    Build it with :func:`load` or :class:`Zhou2004`. Energies in eV, distances in Å.
    """

    def __init__(self, handle: _scalebridge.Potential) -> None:
        self._inner = handle


def load(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], elements: Sequence[str] | None = None) -> EmbeddedAtom:
    """Load an EAM potential file, detecting its format.

    Args:
        path: a funcfl (``.eam``), setfl (``.eam.alloy``) or Finnis–Sinclair (``.eam.fs``) file;
            or a list of funcfl files, one per element, combined as LAMMPS ``pair_style eam``
            does (cross pairs ``r·φ_ab = 27.2·0.529·Z_a(r)·Z_b(r)``).
        elements: setfl/fs: the file's elements to use (default: all). funcfl: the element name
            (default: from the atomic number in the file). A list of funcfl files needs one name
            per file.

    Raises:
        InputError: malformed or truncated file, elements not in the file, a grid that does not
            cover the cutoff. FileNotFoundError: no such file.

    Example:
        >>> cu = load(".../Cu_u3.eam")
        >>> cuni = load(".../CuNi.eam.alloy", elements=["Cu", "Ni"])
    """
    if isinstance(path, (list, tuple)):
        if elements is None or len(elements) != len(path):
            raise InputError(f"a list of {len(path)} funcfl files needs one element name per file, got {elements!r}")
        return EmbeddedAtom(_scalebridge.eam_load_funcfl([(str(e), os.fspath(p)) for e, p in zip(elements, path)]))
    return EmbeddedAtom(_scalebridge.eam_load(os.fspath(path), None if elements is None else [str(e) for e in elements]))


class Zhou2004(EmbeddedAtom):
    """Zhou–Johnson–Wadley analytic EAM (Phys. Rev. B 69, 144113 (2004)) for any of Cu, Ag, Au,
    Ni, Pd, Pt, Al, Pb, Fe, Mo, Ta, W, Mg, Co, Ti, Zr, Cr, with the alloy cross pair term.

    The potential is a setfl tabulation in the layout of Zhou's ``create.f`` (2000 points in r
    up to ``½(√5 + 4/√3)·max r_e ≈ 2.27 r_e``, 2000 in ρ), identical to LAMMPS ``eam/alloy``
    reading the file :meth:`write_setfl` writes. The cutoff lies between neighbour shells (not on
    the fifth fcc shell at ``√5 r_e`` as in ``create.f``), so strained crystals stay smooth.

    Example:
        >>> pot = Zhou2004(["Cu", "Ta"])
        >>> pot.write_setfl("CuTa_zhou.eam.alloy")
    """

    def __init__(self, elements: Sequence[str]) -> None:
        self.elements = [str(e) for e in elements]
        super().__init__(_scalebridge.zhou2004(self.elements))

    def write_setfl(self, path: str | os.PathLike[str]) -> None:
        """Write the tabulation as a setfl (``.eam.alloy``) file."""
        _scalebridge.zhou2004_write_setfl(self.elements, os.fspath(path))


# --- LAMMPS input lines and ASE calculators as potentials -----------------------------------------

__all__ += ["from_lammps", "as_potential", "CalculatorPotential"]


class LammpsPotential(Potential):
    """A potential read from LAMMPS input lines (see :func:`from_lammps`)."""

    def __init__(self, handle: _scalebridge.Potential, elements: list[str], charges: list[float] | None) -> None:
        self._inner = handle
        self.elements = elements
        #: Per-type charges, e, in type order (used by the Coulomb styles).
        self.charges = charges


def from_lammps(
    commands: str | Sequence[str],
    elements: Sequence[str],
    charges: Sequence[float] | Mapping[str, float] | None = None,
    *,
    directory: str | os.PathLike[str] | None = None,
    neutralize: bool | None = None,
    topology: Any = None,
) -> Potential:
    """A potential from LAMMPS input lines, as a LAMMPS user already holds it.

    Args:
        commands: LAMMPS lines (a list, or one string with newlines): ``pair_style``,
            ``pair_coeff``, ``pair_modify`` (``mix geometric|arithmetic``, ``shift yes|no``);
            comments, blank lines, ``&`` continuations, ``units metal``, ``mass``, ``neighbor``
            and ``neigh_modify`` are accepted. Styles: ``lj/cut``, ``eam`` (funcfl, ``pair_coeff
            i i file``), ``eam/alloy`` and ``eam/fs`` (``pair_coeff * * file El1 El2 ...``, NULL
            allowed), the ionic styles ``buck``, ``born``, ``pedone``, ``coul/cut``,
            ``coul/wolf``, ``coul/dsf``, ``coul/long`` (with ``kspace_style ewald|pppm``) and
            ``hybrid/overlay`` over them (see docs/ionic.md, docs/kspace.md), ``tersoff``
            (optional ``shift δ``) and ``sw`` (``pair_coeff * * file El1 El2 ...``; see
            docs/covalent.md). Any other style or command is an :class:`InputError` naming it
            and its line.
        elements: ``elements[i]`` is LAMMPS atom type ``i + 1`` (structures use these names).
        charges: charges per element (``{"Sr": 1.2, "O": -1.2}``) or a list in type order, e;
            required by the Coulomb styles (a missing one is an :class:`InputError` naming it).
        directory: where to look for relative potential file names after the current directory.
        neutralize: allow a cell with a net charge (uniform neutralising background); by
            default a non-neutral cell is an :class:`InputError` giving the net charge.
        topology: a :class:`scalebridge.molecular.MolecularSystem` (a data file read with
            :func:`scalebridge.molecular.read_lammps_data`): then the lines may also hold
            ``bond_style``/``bond_coeff``, ``angle_*``, ``dihedral_*``, ``improper_*`` and
            ``special_bonds`` (docs/polymers.md) and ``elements`` is not used (the system's type
            labels name the types). Bonded lines without a topology are an :class:`InputError`.

    Raises:
        InputError: an unsupported style or command, a malformed line (its number is named), an
            element that does not match the file. FileNotFoundError: a potential file.

    Example:
        >>> pot = from_lammps(["pair_style eam/alloy", "pair_coeff * * Cu_mishin1.eam.alloy Cu"], ["Cu"])
    """
    lines = commands.splitlines() if isinstance(commands, str) else [str(c) for c in commands]
    bonded = [ln for ln in lines if ln.split("#")[0].split() and _scalebridge.is_molecular_command(ln.split("#")[0].split()[0])]
    if topology is not None or bonded:
        # molecular systems: pair + bond/angle/dihedral/improper styles + special_bonds over a
        # topology (scalebridge.molecular.read_lammps_data / build_polymer)
        if topology is None:
            raise InputError(f"'{bonded[0].strip()}' needs the topology: pass topology=<MolecularSystem> "
                             "(scalebridge.molecular.read_lammps_data or build_polymer)")
        from .molecular import molecular_potential

        return molecular_potential(lines, topology, directory=directory)
    els = [str(e) for e in elements]
    q: list[float] | None = None
    if charges is not None:
        if isinstance(charges, Mapping):
            missing = [e for e in els if e not in charges]
            if missing:
                raise InputError(f"charges: no charge for {missing}")
            q = [float(charges[e]) for e in els]
        else:
            q = [float(c) for c in charges]
    search = [os.getcwd()] + ([os.fspath(directory)] if directory is not None else [])
    handle = _scalebridge.potential_from_lammps(lines, els, search, q, None if neutralize is None else bool(neutralize))
    return LammpsPotential(handle, els, q)


__all__ += ["from_spec"]


class SpecPotential(Potential):
    """A potential built from a JSON specification (see :func:`from_spec`)."""

    def __init__(self, handle: _scalebridge.Potential) -> None:
        self._inner = handle


def from_spec(spec: str | Mapping[str, Any]) -> SpecPotential:
    """A potential from its specification keyed by the LAMMPS style (a dict or a JSON string),
    e.g. ``{"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 10.0, "charges": {"Mg": 2, "O": -2}}``,
    ``{"pair_style": "hybrid/overlay", "styles": [...], "charges": {...}}`` or
    ``{"generator": "pedone2006", "elements": ["Ca", "O"], "cutoff": 15.0, "coulomb": {...}}``
    (see docs/ionic.md).

    Raises:
        InputError: an unknown style or key, missing charges, impossible parameters.
    """
    import json

    text = spec if isinstance(spec, str) else json.dumps(dict(spec))
    return SpecPotential(_scalebridge.Potential.from_spec(text))


class _CalculatorAdapter:
    """Hands configurations from the engine to an ASE calculator and its results back (ASE
    units: eV, eV/Å, eV/Å³; conversion to the engine's virial happens in Rust)."""

    def __init__(self, calc: Any) -> None:
        props = set(getattr(calc, "implemented_properties", None) or ())
        self.calc = calc
        self.has_energies = "energies" in props
        self.has_stresses = "stresses" in props
        self.atoms: Any = None
        self.symbols: list[str] | None = None

    def __call__(self, cell: Any, positions: Any, symbols: list[str], per_atom: bool) -> tuple:
        from ase import Atoms

        if self.atoms is None or self.symbols != symbols:
            self.atoms = Atoms(symbols=symbols, positions=positions, cell=cell, pbc=True)
            self.atoms.calc = self.calc
            self.symbols = list(symbols)
        else:
            self.atoms.set_cell(cell, scale_atoms=False)
            self.atoms.set_positions(positions)
        a = self.atoms
        f64 = lambda x: np.ascontiguousarray(x, dtype=np.float64)  # noqa: E731
        energies = f64(a.get_potential_energies()) if per_atom and self.has_energies else None
        stresses = f64(a.get_stresses(voigt=True)) if per_atom and self.has_stresses else None
        return (float(a.get_potential_energy()), f64(a.get_forces()), f64(a.get_stress(voigt=True)), energies, stresses)


class CalculatorPotential(Potential):
    """An ASE calculator used as a scalebridge potential (a callback from the Rust engine).

    The calculator must implement ``energy``, ``forces`` and ``stress``. The Green–Kubo thermal
    conductivity also needs per-atom energies and virials, i.e. the ASE properties ``energies``
    and ``stresses``: scalebridge's :class:`~scalebridge.calculator.ScaleBridgeCalculator` and
    ASE's ``LennardJones`` implement both; ``EMT`` and ``LAMMPSlib`` implement ``energies`` only,
    and most machine-learned calculators neither — with those, that protocol raises an
    :class:`InputError` naming the missing property (NEMD conductivity, elastic constants,
    diffusivity and melting need none of them). Exceptions raised by the calculator reach the
    caller unchanged.
    """

    def __init__(self, calc: Any) -> None:
        name = type(calc).__name__
        try:
            params = repr(calc.todict()) if hasattr(calc, "todict") else ""
        except Exception:  # a calculator whose todict fails is still usable
            params = ""
        fingerprint = f"{type(calc).__module__}.{type(calc).__qualname__}:{params}:{id(calc)}"
        self.calculator = calc
        self._inner = _scalebridge.callback_potential(_CalculatorAdapter(calc), name, fingerprint)


def as_potential(obj: Any) -> Potential:
    """``obj`` as a scalebridge potential: potentials unchanged, an ASE calculator wrapped in a
    :class:`CalculatorPotential`; anything else is a ``TypeError``."""
    if isinstance(obj, Potential):
        return obj
    if callable(getattr(obj, "get_potential_energy", None)) and callable(getattr(obj, "get_forces", None)):
        return CalculatorPotential(obj)
    raise TypeError(f"expected a scalebridge potential or an ASE calculator, got {type(obj).__name__}")
