"""The scale- and unit-tagged feature table (``scalebridge dataset build`` writes it from Rust).

``read_table(path)`` reads a Parquet feature table into a ``pandas.DataFrame`` whose ``attrs``
hold, per column, the Parquet field metadata written by Rust:

- ``df.attrs["scale"]``: ``{column: scale}`` (``composition``, ``atomistic``, ``mesoscale``,
  ``continuum``, ``physics`` for features; ``id`` for identifiers such as ``material`` and
  ``class``; ``target`` for properties; ``uncertainty`` for their standard errors);
- ``df.attrs["unit"]``: ``{column: unit}`` (``"1"`` for dimensionless);
- ``df.attrs["scalebridge_version"]``: the writer's version, when recorded.

``columns_of_scale(df, scale)`` lists the columns of one scale. See docs/features.md.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from .exceptions import InputError

__all__ = ["read_table", "columns_of_scale", "SCALES"]

#: Every value of the ``scale`` metadata key.
SCALES = ("id", "composition", "atomistic", "mesoscale", "continuum", "physics", "target", "uncertainty")


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a feature table; ``attrs["scale"]`` and ``attrs["unit"]`` map each column to its
    metadata. A column without ``scale`` or ``unit`` metadata raises ``InputError`` naming it."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(os.fspath(path))
    except (OSError, ValueError) as e:  # pyarrow.ArrowInvalid is a ValueError
        raise InputError(f"cannot read feature table {os.fspath(path)!r}: {e}") from e
    scale: dict[str, str] = {}
    unit: dict[str, str] = {}
    for field in table.schema:
        md = {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}
        for key in ("scale", "unit"):
            if key not in md:
                raise InputError(f"column {field.name!r} of {os.fspath(path)!r} has no {key!r} metadata")
        if md["scale"] not in SCALES:
            raise InputError(f"column {field.name!r} has unknown scale {md['scale']!r}; expected one of {SCALES}")
        if not md["unit"].strip():
            raise InputError(f"column {field.name!r} has an empty unit (use '1' for dimensionless)")
        scale[field.name] = md["scale"]
        unit[field.name] = md["unit"]
    df = table.to_pandas()
    attrs: dict[str, Any] = {"scale": scale, "unit": unit}
    file_md = table.schema.metadata or {}
    if b"scalebridge_version" in file_md:
        attrs["scalebridge_version"] = file_md[b"scalebridge_version"].decode()
    df.attrs.update(attrs)
    return df


def columns_of_scale(df: pd.DataFrame, scale: str) -> list[str]:
    """Columns of ``df`` (from ``read_table``) whose scale is ``scale``."""
    if scale not in SCALES:
        raise InputError(f"unknown scale {scale!r}; expected one of {SCALES}")
    return [c for c in df.columns if df.attrs.get("scale", {}).get(c) == scale]
