"""Continuum homogenisation: voxel microstructures, FFT and finite-element solvers.

A thin layer over the Rust engine (``scalebridge._scalebridge``); no physics happens here.

Units: elastic moduli and stresses in GPa, thermal conductivity in W/m/K, strains dimensionless,
lengths in voxels (generators) or metres (``voxel_size_m``). Six-component tensors use Voigt order
xx yy zz yz xz xy; stiffness matrices act on engineering shear strains (gamma = 2 epsilon).

Example::

    from scalebridge import continuum as sc
    grid = sc.generate("spheres", 32, fraction=0.2, seed=1)
    phases = [sc.Phase.isotropic(3.0, 0.35, 0.2), sc.Phase.isotropic(72.0, 0.22, 1.4)]
    r = sc.homogenize(grid.phases, phases, property="elastic", solver="fft")
    print(r.E_GPa, r.C_GPa[0, 0])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal, Sequence, Union

import numpy as np

from . import _scalebridge as _sb

Property = Literal["elastic", "thermal"]
SolverName = Literal["fft", "fem"]

__all__ = [
    "Phase",
    "Microstructure",
    "ElasticResult",
    "ThermalResult",
    "LocalFields",
    "generate",
    "polycrystal_phases",
    "read_phase_file",
    "homogenize",
    "local_fields",
    "hashin_shtrikman",
    "hashin_shtrikman_conductivity",
    "self_consistent_cubic",
    "voigt_reuss",
    "plate_with_hole",
    "write_vtk",
]


@dataclass(frozen=True)
class Phase:
    """One phase: stiffness (GPa, Voigt 6x6), conductivity (W/m/K, 3x3), rho*c_p (J/m^3/K)."""

    name: str
    stiffness_gpa: np.ndarray
    conductivity_w_mk: np.ndarray
    heat_capacity_j_m3k: float = 0.0

    @classmethod
    def isotropic(cls, E_GPa: float, nu: float, k_W_mK: float | None = None) -> "Phase":
        """Isotropic phase from Young's modulus (GPa), Poisson's ratio and conductivity (W/m/K;
        a phase given none does not conduct heat)."""
        k = "" if k_W_mK is None else f",k={float(k_W_mK)!r}"
        return cls._from_json(_sb.continuum_phase_from_spec(f"E={float(E_GPa)!r},nu={float(nu)!r}{k}"))

    @classmethod
    def from_spec(cls, spec: str) -> "Phase":
        """Parse ``"E=<GPa>,nu=<->[,k=<W/m/K>]"`` or ``"void"``."""
        return cls._from_json(_sb.continuum_phase_from_spec(spec))

    @classmethod
    def void(cls) -> "Phase":
        """A pore: zero stiffness and conductivity."""
        return cls._from_json(_sb.continuum_phase_from_spec("void"))

    @classmethod
    def cubic(cls, C11: float, C12: float, C44: float, k_W_mK: float | None = None, name: str = "cubic") -> "Phase":
        """Cubic crystal in its crystal axes (GPa); validated when used."""
        return cls._from_json(_sb.continuum_cubic_phase(float(C11), float(C12), float(C44), _opt(k_W_mK, float), name))

    @classmethod
    def anisotropic(cls, C_GPa: Any, kappa_W_mK: Any = None, name: str = "anisotropic") -> "Phase":
        """General phase from a 6x6 Voigt stiffness (GPa) and a 3x3 (or scalar) conductivity."""
        k = np.zeros((3, 3)) if kappa_W_mK is None else np.asarray(kappa_W_mK, dtype=float)
        if k.ndim == 0:
            k = np.eye(3) * float(k)
        return cls(name, np.asarray(C_GPa, dtype=float).reshape(6, 6), k.reshape(3, 3))

    def with_heat_capacity(self, rho_cp_J_m3K: float) -> "Phase":
        """Copy with a volumetric heat capacity (J/m^3/K)."""
        return Phase(self.name, self.stiffness_gpa, self.conductivity_w_mk, float(rho_cp_J_m3K))

    def rotated(self, rotation: Any) -> "Phase":
        """The phase rotated by a 3x3 rotation matrix (crystal -> sample frame)."""
        r = np.ascontiguousarray(np.asarray(rotation, dtype=float).reshape(1, 3, 3))
        return [Phase._from_dict(d) for d in json.loads(_sb.continuum_rotate(json.dumps(self._to_dict()), r))][0]

    def _to_dict(self) -> dict:
        return {
            "name": self.name,
            "stiffness_gpa": np.asarray(self.stiffness_gpa, dtype=float).tolist(),
            "conductivity_w_mk": np.asarray(self.conductivity_w_mk, dtype=float).tolist(),
            "heat_capacity_j_m3k": float(self.heat_capacity_j_m3k),
        }

    @classmethod
    def _from_dict(cls, d: dict) -> "Phase":
        return cls(d["name"], np.array(d["stiffness_gpa"]), np.array(d["conductivity_w_mk"]), float(d["heat_capacity_j_m3k"]))

    @classmethod
    def _from_json(cls, s: str) -> "Phase":
        return cls._from_dict(json.loads(s))


def _table(phases: Sequence[Phase]) -> str:
    return json.dumps([p._to_dict() for p in phases])


def _opt(v: Any, conv: Any) -> Any:
    """``None`` stays ``None`` (the engine's default applies); anything else is converted."""
    return None if v is None else conv(v)


def _grid(phases: Any) -> np.ndarray:
    a = np.asarray(phases)
    if a.ndim != 3:
        from .exceptions import InputError

        raise InputError(f"phase grid must be 3-D, got shape {a.shape}")
    if a.size and (a.min() < 0 or a.max() > 65535 or not np.issubdtype(a.dtype, np.integer)):
        from .exceptions import InputError

        raise InputError("phase grid must hold integer phase indices in 0..65535")
    return np.ascontiguousarray(a, dtype=np.uint16)


@dataclass
class Microstructure:
    """A voxel grid of phase indices; ``rotations`` (n_grains, 3, 3) for Voronoi polycrystals."""

    phases: np.ndarray
    rotations: np.ndarray | None = None

    def fractions(self) -> np.ndarray:
        """Volume fraction of each phase index."""
        return np.bincount(self.phases.ravel()) / self.phases.size


def generate(
    kind: Literal["laminate", "spheres", "ellipsoids", "fibres", "pores", "voronoi"],
    resolution: Union[int, Sequence[int]],
    fraction: float | None = None,
    seed: int | None = None,
    *,
    radius: float | None = None,
    length: float | None = None,
    random_fibres: bool | None = None,
    grains: int | None = None,
    texture_spread_deg: float | None = None,
    axes: Sequence[float] | None = None,
    random_orientation: bool | None = None,
    gap: float | None = None,
    radius_cv: float | None = None,
    n_bilayers: int | None = None,
) -> Microstructure:
    """Generate a periodic microstructure (sizes in voxels; laminate normal along z).

    Phase 0 is the matrix and phase 1 the inclusions/pores; for ``voronoi`` the phase is the grain
    index and ``rotations`` holds one orientation per grain (random, or a <001> fibre texture along
    z with ``texture_spread_deg``).

    Arguments left as ``None`` take the Rust generators' defaults: ``fraction`` 0.2, ``seed`` 1,
    ``gap`` 1 voxel, ``radius_cv`` 0, ``radius`` a tenth and a fibre's ``length`` half of the
    smallest grid dimension, aligned fibres (``random_fibres`` False), 50 ``grains``, randomly
    oriented ellipsoids (``random_orientation`` True) with ``axes`` 1 : 1 : 2, one laminate
    bilayer (``n_bilayers``).
    """
    res = [int(resolution)] * 3 if np.isscalar(resolution) else [int(x) for x in resolution]  # type: ignore[arg-type]
    ph, rot = _sb.continuum_generate(
        kind, res, _opt(fraction, float), _opt(seed, int), _opt(radius, float), _opt(length, float), _opt(random_fibres, bool),
        _opt(grains, int), _opt(texture_spread_deg, float), None if axes is None else [float(a) for a in axes],
        _opt(random_orientation, bool), _opt(gap, float), _opt(radius_cv, float), _opt(n_bilayers, int),
    )
    return Microstructure(ph, rot)


def polycrystal_phases(crystal: Phase, rotations: np.ndarray) -> list[Phase]:
    """One rotated copy of ``crystal`` per grain orientation (the phase table of a Voronoi grid)."""
    r = np.ascontiguousarray(np.asarray(rotations, dtype=float).reshape(-1, 3, 3))
    return [Phase._from_dict(d) for d in json.loads(_sb.continuum_rotate(json.dumps(crystal._to_dict()), r))]


def read_phase_file(path: Union[str, PathLike]) -> list[Phase]:
    """Read a TOML phase file (``[[phase]]`` tables with E_GPa+nu, cubic or C_GPa, kappa_W_mK)."""
    return [Phase._from_dict(d) for d in json.loads(_sb.continuum_read_phase_file(str(path)))]


@dataclass
class ElasticResult:
    """Effective stiffness: ``C_GPa`` (6x6 Voigt) and its isotropic projection (GPa)."""

    C_GPa: np.ndarray
    E_GPa: float
    nu: float
    K_GPa: float
    G_GPa: float
    iterations: list[int]
    residuals: list[float]
    asymmetry: float
    phase_fractions: list[float]
    wall_time_s: float
    provenance: dict = field(default_factory=dict)


@dataclass
class ThermalResult:
    """Effective conductivity ``kappa_W_mK`` (3x3, W/m/K)."""

    kappa_W_mK: np.ndarray
    kappa_iso_W_mK: float
    iterations: list[int]
    residuals: list[float]
    phase_fractions: list[float]
    wall_time_s: float
    provenance: dict = field(default_factory=dict)


def homogenize(
    phases: Any,
    materials: Sequence[Phase],
    property: Property = "elastic",
    solver: SolverName = "fft",
    tol: float | None = None,
    max_iter: int | None = None,
) -> Union[ElasticResult, ThermalResult]:
    """Effective properties of a periodic voxel grid under all unit loads (6 strains or 3 gradients).

    ``solver="fft"``: Fourier-Galerkin CG (rotated scheme when voids are present);
    ``solver="fem"``: matrix-free trilinear hexahedra with Fourier-preconditioned CG.
    ``tol``/``max_iter``: ``None`` uses the engine's defaults (relative residual 1e-6, 2000).
    """
    d = json.loads(_sb.continuum_homogenize(_grid(phases), _table(materials), property, solver, _opt(tol, float), _opt(max_iter, int)))
    if property == "elastic":
        return ElasticResult(np.array(d["C_GPa"]), d["E_GPa"], d["nu"], d["K_GPa"], d["G_GPa"], d["iterations"], d["residuals"], d["asymmetry"], d["phase_fractions"], d["wall_time_s"], d["provenance"])
    return ThermalResult(np.array(d["kappa_W_mK"]), d["kappa_iso_W_mK"], d["iterations"], d["residuals"], d["phase_fractions"], d["wall_time_s"], d["provenance"])


@dataclass
class LocalFields:
    """Local fields of one load: arrays shaped (nx, ny, nz[, 6]); stresses in GPa."""

    strain: np.ndarray
    stress_GPa: np.ndarray
    von_mises_GPa: np.ndarray
    von_mises_stats_GPa: dict
    mean_stress_GPa: np.ndarray
    iterations: int


def local_fields(phases: Any, materials: Sequence[Phase], strain: Sequence[float], solver: SolverName = "fft", tol: float | None = None, max_iter: int | None = None) -> LocalFields:
    """Strain, stress and von Mises fields under a macroscopic strain (Voigt, engineering shears);
    ``tol``/``max_iter`` ``None``: the engine's defaults."""
    g = _grid(phases)
    e, s, vm, summary = _sb.continuum_local_fields(g, _table(materials), [float(x) for x in strain], solver, _opt(tol, float), _opt(max_iter, int))
    d = json.loads(summary)
    shape = g.shape
    return LocalFields(e.reshape(*shape, 6), s.reshape(*shape, 6), vm.reshape(shape), d["von_mises_stats_GPa"], np.array(d["mean_stress_GPa"]), d["iterations"])


def hashin_shtrikman(kg_GPa: Sequence[tuple[float, float]], fractions: Sequence[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """HS bounds ((K_lo, G_lo), (K_hi, G_hi)) in GPa for isotropic phases given as (K, G)."""
    return _sb.continuum_hashin_shtrikman([tuple(map(float, p)) for p in kg_GPa], [float(f) for f in fractions])


def hashin_shtrikman_conductivity(k_W_mK: Sequence[float], fractions: Sequence[float]) -> tuple[float, float]:
    """HS conductivity bounds (lower, upper) in W/m/K."""
    return _sb.continuum_hashin_shtrikman_conductivity([float(k) for k in k_W_mK], [float(f) for f in fractions])


def self_consistent_cubic(C11: float, C12: float, C44: float) -> tuple[float, float]:
    """Self-consistent (Hershey-Kroner) (K, G) of a random cubic polycrystal, GPa."""
    return _sb.continuum_self_consistent_cubic(float(C11), float(C12), float(C44))


def voigt_reuss(C_GPa: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    """Voigt and Reuss (K, G) of a random polycrystal of a crystal with stiffness C (GPa)."""
    return _sb.continuum_voigt_reuss(np.asarray(C_GPa, dtype=float).reshape(6, 6).tolist())


def plate_with_hole(
    half_width: int,
    radius: float,
    E_GPa: float,
    nu: float,
    tension_GPa: float | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
) -> dict:
    """Stress concentration at a circular hole in a plate under tension (quarter model, voxels).

    Returns ``kt`` (Kirsch-form fit at the hole edge), ``kt_element`` and ``kt_heywood``. Left as
    ``None``, ``tension_GPa`` (0.1), ``tol`` (1e-8) and ``max_iter`` (50 000) take the Rust
    defaults.
    """
    return json.loads(
        _sb.continuum_plate_with_hole(
            int(half_width), float(radius), float(E_GPa), float(nu), _opt(tension_GPa, float), _opt(tol, float), _opt(max_iter, int)
        )
    )


def write_vtk(path: Union[str, PathLike], phases: Any, fields: dict[str, np.ndarray] | None = None, voxel_size_m: float | None = None) -> None:
    """Write legacy VTK image data (ParaView, pyvista): phase ids plus cell fields.

    Each field has shape (nx, ny, nz) (scalar), (nx, ny, nz, 3) (vector) or (nx, ny, nz, 6)
    (symmetric tensor, Voigt order).
    """
    g = _grid(phases)
    names, arrays = [], []
    for name, a in (fields or {}).items():
        a = np.asarray(a, dtype=float)
        nc = 1 if a.ndim == 3 else a.shape[-1]
        names.append(str(name))
        arrays.append(np.ascontiguousarray(a.reshape(g.size, nc)))
    _sb.continuum_write_vtk(str(path), g, names, arrays, _opt(voxel_size_m, float))
