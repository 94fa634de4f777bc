"""The bridge between the scales: describe a material (MD → continuum) from its description.

A description is a TOML file or the same dictionary (keys in ``docs/pipeline.md``): phases (a
crystal with its potential, or measured ``E_GPa``/``nu``/``kappa_W_mK``), a microstructure and the
temperature(s). :func:`describe` runs the atomistic protocols of every phase, homogenises the
microstructure and returns the description document as a dict (a list of dicts, one per
temperature, when ``temperature_K`` is a list). Everything runs in Rust with the GIL released;
every stage is cached, so a second call with the same description computes nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Mapping

from . import _scalebridge

__all__ = ["describe"]


def describe(
    material: str | os.PathLike[str] | Mapping[str, Any],
    quick: bool | None = None,
    out: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], bool | None] | None = None,
    database: str | None = None,
    retry_failed: bool | None = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Describe ``material`` (a TOML file path or a description dictionary).

    ``quick``: small cells and short runs; ``out``: also write ``description_<T>K.json`` there
    (and keep the stage cache in ``out/cache``); ``cache_dir``: where finished stages are kept
    (default ``.scalebridge-cache``); ``database``: the results database the finished stages
    are stored in (a URL or path as for :class:`scalebridge.store.Store`; default
    ``results.db`` in the cache root; the rows are shared with campaigns on the same database);
    ``threads``: MD worker threads (0 = all cores);
    ``base_dir``: where relative files of a dictionary are looked for (default: the current
    directory); ``progress(done, total, stage)``: returning ``False`` interrupts. What is left at
    ``None`` takes the Rust default. Bad descriptions raise :class:`scalebridge.InputError` naming
    the key and the line.

    A stage that failed deterministically in an earlier call (same inputs: e.g. a stiffness that
    is not positive definite, a relaxation that did not converge) is not computed again: its
    stored failure record raises the same exception with the same message. ``retry_failed=True``
    computes such stages again (``--retry-failed`` on the command line). Interruptions, I/O errors
    and panics are never recorded.
    """
    kw: dict[str, Any] = dict(
        quick=quick,
        out=None if out is None else os.fspath(out),
        cache_dir=None if cache_dir is None else os.fspath(cache_dir),
        threads=threads,
        progress=progress,
        database=database,
        retry_failed=retry_failed,
    )
    if isinstance(material, Mapping):
        text = _scalebridge.describe(
            material_json=json.dumps(dict(material)),
            base_dir=os.fspath(base_dir) if base_dir is not None else os.getcwd(),
            **kw,
        )
    else:
        text = _scalebridge.describe(path=os.fspath(material), **kw)
    return json.loads(text)
