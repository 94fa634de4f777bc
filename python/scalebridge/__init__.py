"""scalebridge: multiscale materials property prediction.

LAMMPS-exact molecular dynamics in Rust (``scalebridge.md``, ``scalebridge.potentials``,
``scalebridge.structures``), an ASE calculator (``scalebridge.calculator``), and the continuum and
machine-learning layers. Units are LAMMPS *metal* units throughout: eV, Å, ps, amu, K; stresses
are reported in GPa (ASE-facing stresses in eV/Å³ as ASE expects).
"""

from __future__ import annotations

from . import _scalebridge
from .exceptions import CalculationFailed, InputError, ScalebridgeError, StorageError

__version__: str = _scalebridge.__version__

__all__ = [
    "__version__",
    "ScalebridgeError",
    "InputError",
    "CalculationFailed",
    "StorageError",
]
