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
from .potentials import Potential, as_potential
from .structures import to_arrays

__all__ = [
    "PropertyResult",
    "ProtocolWarning",
    "run_protocol",
    "elastic_constants",
    "diffusivity",
    "thermal_expansion",
    "vacancy_formation_energy",
    "lattice_distortion",
    "equation_of_state",
    "rdf",
    "displacements",
    "local_temperature",
    "bond_statistics",
    "thermal_conductivity",
    "heat_flux",
    "melting_temperature",
    "identify_phases",
    "CNA_LABELS",
]


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
    """Run ``protocol`` with ``options`` (the Rust options struct's fields; a ``None`` value is left
    out, so the protocol's own default applies) and wrap the result. Warnings of the protocol are re-issued as :class:`ProtocolWarning`."""
    potential = as_potential(potential)  # an ASE calculator becomes a callback potential
    cell, pos, symbols, masses = to_arrays(structure)
    text = _scalebridge.run_protocol(
        protocol,
        cell,
        pos,
        symbols,
        masses,
        potential._inner,
        json.dumps({k: v for k, v in options.items() if v is not None}),  # None: Rust's default
        None if cache_dir is None else os.fspath(cache_dir),
        progress,
    )
    res = PropertyResult.from_json(text)
    for w in res.warnings:
        warnings.warn(f"{protocol}: {w}", ProtocolWarning, stacklevel=3)
    return res


def elastic_constants(
    structure: Any,
    potential: Potential,
    temperature: float | None = None,
    *,
    strain: float | None = None,
    pressure_gpa: float | None = None,
    relax_cell: bool | None = None,
    fmax: float | None = None,
    timestep: float | None = None,
    npt_steps: int | None = None,
    equilibration_steps: int | None = None,
    production_steps: int | None = None,
    sample_every: int | None = None,
    blocks: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
) -> PropertyResult:
    """Full 6×6 elastic constants ``C_GPa`` (Voigt order xx yy zz yz xz xy, GPa) and derived moduli.

    At ``temperature == 0`` (default): relax atoms and cell to ``pressure_gpa``, then ±δ and ±2δ
    strains with internal relaxation (``strain`` default 1e-3; the ±2δ estimate checks linearity).
    At ``temperature > 0`` (K): NPT equilibration (``npt_steps``), then NVT stress averages at ±δ
    for every component (``strain`` default 1e-2), with block standard errors in ``C_stderr_GPa``.

    Derived (``result["moduli"]["quantities"]``): Voigt/Reuss/Hill bulk and shear moduli, Young's
    modulus, Poisson and Pugh ratios, Zener and universal anisotropy, sound velocities and the
    Debye temperature; ``result["moduli"]["born_stable"]``; cohesive energy at 0 K in
    ``result["state"]``.
    """
    # one protocol, "elastic": temperature 0 selects the static protocol in Rust, which also
    # picks the strain default of each regime (strain=None)
    opts: dict[str, Any] = dict(
        temperature=None if temperature is None else float(temperature),
        strain=strain,
        relax_cell=relax_cell,
        pressure_gpa=pressure_gpa,
        fmax=fmax,
        timestep=timestep,
        npt_steps=npt_steps,
        equilibration_steps=equilibration_steps,
        production_steps=production_steps,
        sample_every=sample_every,
        blocks=blocks,
        seed=seed,
        threads=threads,
    )
    return run_protocol("elastic", structure, potential, opts, cache_dir=cache_dir, progress=progress)


def diffusivity(
    structure: Any,
    potential: Potential,
    temperature: float,
    *,
    timestep: float | None = None,
    equilibration_steps: int | None = None,
    production_steps: int | None = None,
    sample_every: int | None = None,
    max_lag_ps: float | None = None,
    origin_every: int | None = None,
    fit_start: float | None = None,
    fit_end: float | None = None,
    blocks: int | None = None,
    ensemble: str | None = None,
    damping: float | None = None,
    seed: int | None = None,
    threads: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
) -> PropertyResult:
    """Self-diffusivity (Å²/ps; ``diffusivity_si`` in m²/s) from the mean-squared displacement.

    NVT (Nosé–Hoover) equilibration at ``temperature`` (K), then ``ensemble`` production; MSD with
    time origins every ``origin_every`` samples, D = slope/6 fitted over
    ``[fit_start, fit_end] × max_lag``; standard error from ``blocks`` consecutive blocks. The
    fitted window is reported; non-linear MSDs and immobile atoms give warnings.
    """
    opts = dict(
        temperature=temperature,
        timestep=timestep,
        equilibration_steps=equilibration_steps,
        production_steps=production_steps,
        sample_every=sample_every,
        max_lag_ps=max_lag_ps,
        origin_every=origin_every,
        fit_start=fit_start,
        fit_end=fit_end,
        blocks=blocks,
        ensemble=ensemble,
        damping=damping,
        seed=seed,
        threads=threads,
    )
    return run_protocol("diffusion/msd", structure, potential, opts, cache_dir=cache_dir, progress=progress)


def thermal_expansion(
    structure: Any,
    potential: Potential,
    temperature: float,
    *,
    delta_t: float | None = None,
    points_per_side: int | None = None,
    pressure_gpa: float | None = None,
    timestep: float | None = None,
    equilibration_steps: int | None = None,
    production_steps: int | None = None,
    sample_every: int | None = None,
    blocks: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
) -> PropertyResult:
    """Thermal expansion (α_V, α_L in 1/K) and heat capacity C_P (eV/K/atom and J/(mol K)) from
    NPT runs at ``temperature ± k·delta_t`` (K), plus the enthalpy-fluctuation C_P."""
    opts = dict(
        temperature=temperature,
        delta_t=delta_t,
        points_per_side=points_per_side,
        pressure_gpa=pressure_gpa,
        timestep=timestep,
        equilibration_steps=equilibration_steps,
        production_steps=production_steps,
        sample_every=sample_every,
        blocks=blocks,
        seed=seed,
        threads=threads,
    )
    return run_protocol("thermal/expansion", structure, potential, opts, cache_dir=cache_dir, progress=progress)


def vacancy_formation_energy(
    structure: Any,
    potential: Potential,
    *,
    site: int | None = None,
    relax_cell: bool | None = None,
    relax_reference: bool | None = None,
    fmax: float | None = None,
    threads: int | None = None,
) -> PropertyResult:
    """Vacancy formation energy E_f = E(N−1) − (N−1)/N·E(N) (eV), relaxed and unrelaxed."""
    opts = dict(site=site, relax_cell=relax_cell, relax_reference=relax_reference, fmax=fmax, threads=threads)
    return run_protocol("defects/vacancy", structure, potential, opts)


def lattice_distortion(
    structure: Any,
    potential: Potential,
    *,
    fmax: float | None = None,
    relax_cell: bool | None = None,
    threads: int | None = None,
) -> PropertyResult:
    """Local lattice distortion of a solid solution at 0 K (Rust ``protocols::distortion``).

    ``structure`` holds the ideal lattice sites (e.g. :func:`scalebridge.structures.random_solid_solution`);
    it is relaxed (atoms, and the cell to zero stress unless ``relax_cell=False``; ``fmax``
    default 1e-6 eV/Å) and the displacements off the sites, with the cell change and a rigid
    shift taken out, are reported in ``result["state"]``: ``static_displacement_rms`` and
    ``static_displacement_max`` (Å), ``static_displacement_rms_relative`` (rms / (V/N)^⅓) and
    ``distortion_energy`` (eV/atom released by the atomic relaxation); per species in
    ``result["per_species_rms"]``.
    """
    opts = dict(fmax=fmax, relax_cell=relax_cell, threads=threads)
    return run_protocol("lattice_distortion", structure, potential, opts)


def equation_of_state(
    structure: Any,
    potential: Potential,
    *,
    volume_strains: list[float] | None = None,
    fmax: float | None = None,
    threads: int | None = None,
) -> PropertyResult:
    """0 K equation of state (Rust ``protocols::eos``): the structure is relaxed with its cell,
    scaled isotropically to ``V (1 + e)`` for each ``e`` of ``volume_strains`` (default −4, −2,
    0, 2, 4 %) with the atoms relaxed at each volume (``fmax`` default 1e-6 eV/Å), and E(V) is
    fitted by third-order Birch–Murnaghan. ``result["state"]``: ``eos_volume`` (Å³/atom),
    ``eos_bulk_modulus`` (GPa), ``eos_bulk_modulus_derivative`` and ``gruneisen_slater``
    (B₀′/2 − 1/6); ``result["volumes"]``/``["energies"]`` the samples (per atom), and
    ``result["fit_rms_ev"]``.
    """
    opts = dict(volume_strains=None if volume_strains is None else [float(e) for e in volume_strains], fmax=fmax, threads=threads)
    return run_protocol("equation_of_state", structure, potential, opts)


def rdf(structure: Any, r_max: float, bins: int | None = None) -> pd.DataFrame:
    """Radial distribution function (LAMMPS ``compute rdf`` normalisation) up to ``r_max`` (Å):
    a table with ``r`` (bin centres, Å), the total ``g`` and running coordination ``coord``, and
    ``g_A_B`` / ``coord_A_B`` per species pair when there are several species."""
    cell, pos, symbols, _ = to_arrays(structure)
    r, pairs = _scalebridge.rdf(cell, pos, symbols, float(r_max), None if bins is None else int(bins))
    table: dict[str, Any] = {"r": np.asarray(r)}
    for a, b, g, cn in pairs:
        suffix = "" if a == "*" else f"_{a}_{b}"
        table[f"g{suffix}"] = np.asarray(g)
        table[f"coord{suffix}"] = np.asarray(cn)
    return pd.DataFrame(table)


def displacements(structure: Any, reference: Any) -> np.ndarray:
    """Minimum-image displacement (Å, shape (N, 3)) of every atom from ``reference``."""
    cell, pos, symbols, _ = to_arrays(structure)
    _, ref, ref_symbols, _ = to_arrays(reference)
    if list(ref_symbols) != list(symbols):
        raise InputError("structure and reference must hold the same atoms in the same order")
    return _scalebridge.displacements(cell, pos, ref, symbols)


def local_temperature(structure: Any, velocities: np.ndarray, radius: float) -> np.ndarray:
    """Local temperature (K) of every atom: kinetic temperature of the atom and its neighbours
    within ``radius`` (Å); ``velocities`` in Å/ps."""
    cell, pos, symbols, masses = to_arrays(structure)
    v = np.ascontiguousarray(velocities, dtype=float)
    return np.asarray(_scalebridge.local_temperature(cell, pos, symbols, masses, v, float(radius)))


def bond_statistics(structure: Any, potential: Potential, bond_cutoff: float) -> dict[str, float]:
    """Bonds within ``bond_cutoff`` (Å): count, mean coordination, mean length (Å) and mean bond
    energy (cohesive energy per bond, eV)."""
    cell, pos, symbols, masses = to_arrays(structure)
    return json.loads(_scalebridge.bond_statistics(cell, pos, symbols, masses, potential._inner, float(bond_cutoff)))


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
      sampled every ``sample_every`` steps (default 5) and autocorrelated on the fly; for
      mixtures it is the species-centred current (``heat_current="species_centred"``, default:
      each species' mean energy and virial times its particle current taken out, which a finite
      run of LAMMPS's current does not average away); ``heat_current="lammps"`` uses LAMMPS's
      current as it is (the same for one species);
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


def heat_flux(structure: Any, potential: Potential, velocities: Any, *, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
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
    j, jc = _scalebridge.heat_flux(cell, pos, symbols, masses, v, potential._inner, None if threads is None else int(threads))
    return np.asarray(j), np.asarray(jc)


#: LAMMPS ``compute cna/atom`` codes of the CNA structure types.
CNA_LABELS = {1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "other"}


def identify_phases(
    structure: Any,
    method: str = "cna",
    *,
    cutoff: float | None = None,
    neighbors: int | None = None,
    threshold: float | None = None,
) -> np.ndarray:
    """Per-atom phase identification.

    Args:
        structure: ``ase.Atoms`` or pymatgen ``Structure`` (periodic).
        method: ``"cna"``: adaptive common-neighbour analysis (Stukowski 2012), or the
            conventional CNA of LAMMPS ``compute cna/atom`` when ``cutoff`` (Å) is given
            (e.g. 0.854·a for fcc, 1.207·a for bcc). Returns labels ``"fcc"``, ``"hcp"``,
            ``"bcc"``, ``"ico"``, ``"other"`` (array of str).
            ``"q6"``: Lechner–Dellago averaged Steinhardt q̄6 over the ``neighbors`` nearest
            neighbours (default 12); returns ``"solid"`` where q̄6 > ``threshold`` (default 0.3,
            dimensionless; perfect fcc 0.575, liquids ≈ 0.1–0.2), else ``"liquid"`` (the
            melting protocol's classifier and defaults).
            ``"q6-values"`` / ``"q6-raw-values"``: the averaged / plain q6 values (float array).
    """
    cell, pos, symbols, _ = to_arrays(structure)
    if method == "cna":
        kind = "cna" if cutoff is None else "cna-fixed"
        codes = _scalebridge.phase_labels(cell, pos, symbols, kind, cutoff, neighbors)
        return np.array([CNA_LABELS[int(c)] for c in codes])
    n = None if neighbors is None else int(neighbors)
    if method == "q6":
        t = None if threshold is None else float(threshold)
        solid = np.asarray(_scalebridge.phase_labels(cell, pos, symbols, "q6-solid", None, n, t))
        return np.where(solid > 0.5, "solid", "liquid")
    if method in ("q6-values", "q6-raw-values"):
        kind = "q6" if method == "q6-raw-values" else "q6-averaged"
        return np.asarray(_scalebridge.phase_labels(cell, pos, symbols, kind, None, n))
    raise InputError(f"unknown method {method!r} (cna, q6, q6-values, q6-raw-values)")


def melting_temperature(
    structure: Any,
    potential: Potential,
    *,
    guess_K: float | None = None,
    element: str | None = None,
    lattice: str = "fcc",
    a: float | None = None,
    repeat: tuple[int, int, int] = (6, 6, 16),
    pressure_gpa: float | None = None,
    seed: int | None = None,
    phase: str | Mapping[str, Any] | None = None,
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
            repeated ``repeat`` times (conventional cubic cells). Without ``a`` the potential's
            zero-pressure lattice constant at 0 K is found first (as the CLI does without
            ``--a``).
        potential: a scalebridge potential.
        guess_K: guess of T_m, K (must be positive and below the vaporisation range). Optional:
            without it a short heating/cooling hysteresis run finds the guess (result key
            ``bracket_search``); a guess only saves that time.
        pressure_gpa: target pressure, GPa.
        seed: random seed (velocities, thermostat).
        phase: solid/liquid classifier: ``"q6"`` (averaged Steinhardt, threshold 0.3) or
            ``"cna"`` (adaptive CNA; fcc/hcp/bcc atoms are solid), or a dict of the Rust
            ``PhaseMethod`` (``{"method": "q6", "neighbors": 16, "threshold": 0.15}``). Left out,
            the protocol picks the q6 classifier for the crystal (diamond: 16 neighbours, 0.15).
        cache_dir: finished stages are stored here; a rerun resumes.
        progress: ``progress(done_steps, total_steps, stage)``; return ``False`` to stop.
        **options: further fields of the Rust ``MeltingOptions`` (durations in MD steps:
            ``equilibration_steps`` (alias ``equilibrate_steps``), ``melt_steps``,
            ``trial_steps``, ``nph_steps``, ``ramp_steps``, ``sample_every``; ``timestep``
            (alias ``timestep_ps``; 0 = automatic), ``bracket``, ``bisections``, ``coupling``
            (``"aniso"``/``"z"``), ``threads``, ...).

    Returns:
        :class:`PropertyResult` with ``melting_temperature`` (K, with standard error),
        ``estimator``, ``bracket_k``, ``t_m_nph``, ``t_m_interpolated``, ``superheating_k``,
        ``supercooling_k``, per-run records ``runs`` (temperature, solid-fraction slope in 1/ps,
        outcome), series (solid fraction vs time, NPH temperature, ramps), warnings and
        provenance.
    """
    if structure is None:
        if element is None:
            raise InputError("without a structure, give element= (and optionally the lattice constant a=, Å)")
        from .structures import bulk

        if a is None:
            a = _scalebridge.equilibrium_lattice_constant(as_potential(potential)._inner, lattice, [element])
        structure = bulk(element, lattice, float(a), repeat=[int(r) for r in repeat], orthogonal=lattice == "hcp")
    if isinstance(phase, Mapping):
        phase_opt: dict[str, Any] | None = dict(phase)  # e.g. {"method": "q6", "neighbors": 16, "threshold": 0.15}
    elif phase is None or phase in ("q6", "cna"):
        phase_opt = None if phase is None else {"method": phase}  # Rust fills the classifier's defaults
    else:
        raise InputError(f"unknown phase classifier {phase!r} (q6, cna, or a dict of the Rust PhaseMethod)")
    opts: dict[str, Any] = {
        "pressure_gpa": pressure_gpa,
        "seed": seed,
        "phase": phase_opt,
    }
    if guess_K is not None:
        opts["guess_k"] = float(guess_K)
    opts.update(options)
    return run_protocol("melting/coexistence", structure, potential, opts, cache_dir=cache_dir, progress=progress)


def glass_transition(structure: Any, potential: Potential, **kwargs: Any) -> PropertyResult:
    """Glass-transition temperature (``T_g_K``, ``T_g_stderr_K``); see :func:`scalebridge.glass.glass_transition`."""
    from .glass import glass_transition as _gt

    return _gt(structure, potential, **kwargs)


__all__ += ["glass_transition"]
