"""Exception hierarchy of scalebridge.

Every error raised by the Rust engine arrives as one of these classes. Input problems are also
``ValueError`` so that generic code catches them; failed calculations are also ``RuntimeError``.
"""

from __future__ import annotations


class ScalebridgeError(Exception):
    """Base class of every scalebridge error."""


class InputError(ScalebridgeError, ValueError):
    """Bad input: malformed files, unknown elements, NaN, overlapping atoms, impossible parameters."""


class CalculationFailed(ScalebridgeError, RuntimeError):
    """A calculation did not succeed (no convergence, internal error)."""


class StorageError(ScalebridgeError):
    """A result store could not be read or written."""


__all__ = ["ScalebridgeError", "InputError", "CalculationFailed", "StorageError"]
