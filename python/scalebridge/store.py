"""The results database (written from Rust): SQLite by default, PostgreSQL for teams.

``open(url)`` returns a :class:`Store`; ``url`` is ``sqlite:///abs/path.db``,
``sqlite://relative.db``, a file path, or ``postgresql://user@host:port/db``. Every write is one
transaction in Rust (results are idempotent: a second ``put_result`` of a task returns ``False``
and changes nothing); failures raise :class:`scalebridge.StorageError` (read-only database, full
disk, damaged file) or :class:`scalebridge.InputError` (bad URL, a result that is not JSON).

Exports: :meth:`Store.results_table` / :meth:`Store.export_parquet` (the finished results as a
unit-tagged feature table) and :meth:`Store.export_ase_db` (structures into an ASE database).
``import_table(source, path)`` reads Materials Project, JARVIS, AFLOW, OQMD or Matbench files
into a feature table. See docs/store.md.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from . import _scalebridge
from .exceptions import InputError

__all__ = ["open", "Store", "import_table", "table_to_frame", "write_table"]


def _frame(table_json: str):
    """A feature table (Rust's JSON) as a pandas DataFrame with ``attrs["scale"]`` and ``attrs["unit"]``."""
    import pandas as pd

    t = json.loads(table_json)
    data: dict[str, Any] = {}
    scale: dict[str, str] = {}
    unit: dict[str, str] = {}
    for c in t["columns"]:
        (kind, values), = c["data"].items()
        data[c["name"]] = [float("nan") if v is None else v for v in values] if kind == "Float" else values
        scale[c["name"]] = c["scale"]
        unit[c["name"]] = c["unit"]
    df = pd.DataFrame(data)
    df.attrs.update({"scale": scale, "unit": unit})
    return df


def table_to_frame(table_json: str):
    """Public alias of the JSON → DataFrame conversion (for feature tables from Rust)."""
    return _frame(table_json)


def write_table(df, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame with ``attrs["scale"]``/``attrs["unit"]`` as a Parquet feature table
    (every field carries ``scale`` and ``unit`` metadata, as Rust writes them; atomic: a
    temporary file renamed into place). ``scalebridge.features.read_table`` reads it back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    scale, unit = df.attrs.get("scale", {}), df.attrs.get("unit", {})
    fields, arrays = [], []
    for name in df.columns:
        if name not in scale or name not in unit:
            raise InputError(f"column {name!r} has no scale/unit in attrs")
        arr = pa.array(df[name].tolist(), type=pa.float64() if df[name].dtype.kind == "f" else pa.string())
        fields.append(pa.field(name, arr.type, metadata={"scale": scale[name], "unit": unit[name]}))
        arrays.append(arr)
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"scalebridge_version": _scalebridge.__version__}))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def import_table(source: str, path: str | os.PathLike[str], target_unit: str | None = None):
    """A property file exported from ``mp``, ``jarvis``, ``aflow``, ``oqmd`` or ``matbench`` as a
    feature table (DataFrame with ``attrs``); ``target_unit`` for a Matbench target that is not a
    known dataset. Malformed records raise ``InputError`` naming the record and field."""
    return _frame(_scalebridge.import_table_json(source, os.fspath(path), target_unit))


_KEY = re.compile(r"[^A-Za-z0-9_]")


def _ase_key(name: str) -> str:
    key = _KEY.sub("_", name)
    return key if key and (key[0].isalpha() or key[0] == "_") else f"k_{key}"


class Store:
    """A results store (see the module documentation). Thread-safe; picklable by URL."""

    def __init__(self, url: str):
        self._url = os.fspath(url)  # the full URL (a password included) for pickling to workers
        self._s = _scalebridge.Store(self._url)

    def __reduce__(self):
        return (Store, (self._url,))

    def __repr__(self) -> str:
        return f"scalebridge.store.Store({self._s.url!r})"

    @property
    def url(self) -> str:
        """The URL without password."""
        return self._s.url

    def set_lease(self, seconds: float) -> None:
        """How long a claim stays live (another worker may take the task over after it)."""
        self._s.set_lease(seconds)

    def claim(self, campaign: str, task_hash: str, candidate: Any, worker: str) -> tuple[str, Any]:
        """``("new", None)`` (yours to run), ``("running", None)`` (another live claim) or
        ``("done", result)``. ``candidate`` is JSON text or a JSON-serialisable object."""
        cand = candidate if isinstance(candidate, str) else json.dumps(candidate)
        state, result = self._s.claim(campaign, task_hash, cand, worker)
        return state, (json.loads(result) if result is not None else None)

    def add_pending(self, campaign: str, tasks: list[tuple[str, Any]]) -> int:
        """Register ``(task_hash, candidate)`` pairs as pending; returns how many were new."""
        return self._s.add_pending(campaign, [(h, c if isinstance(c, str) else json.dumps(c)) for h, c in tasks])

    def renew(self, campaign: str, task_hash: str, worker: str) -> bool:
        return self._s.renew(campaign, task_hash, worker)

    def put_result(self, campaign: str, task_hash: str, result: Any) -> bool:
        """Store a result (JSON text or object); ``False`` if one was already stored."""
        return self._s.put_result(campaign, task_hash, result if isinstance(result, str) else json.dumps(result))

    def mark_failed(self, campaign: str, task_hash: str, error: str) -> None:
        self._s.mark_failed(campaign, task_hash, str(error))

    def result(self, campaign: str, task_hash: str) -> Any:
        r = self._s.result(campaign, task_hash)
        return json.loads(r) if r is not None else None

    def counts(self, campaign: str) -> dict[str, int]:
        """``{"done", "failed", "pending", "running", "duplicates"}`` of one campaign."""
        return json.loads(self._s.counts_json(campaign))

    def tasks(self, campaign: str) -> list[dict[str, Any]]:
        """Every task: ``task_hash``, ``candidate`` and ``result`` (parsed), ``status``, ``error``,
        ``attempts``, ``updated`` (Unix ms), ``worker``."""
        out = []
        for t in json.loads(self._s.tasks_json(campaign)):
            t["candidate"] = json.loads(t.pop("candidate_json"))
            r = t.pop("result_json")
            t["result"] = json.loads(r) if r is not None else None
            out.append(t)
        return out

    def campaigns(self) -> list[str]:
        return self._s.campaigns()

    def put_campaign(self, name: str, description: Any) -> None:
        self._s.put_campaign(name, description if isinstance(description, str) else json.dumps(description))

    def campaign(self, name: str) -> Any:
        d = self._s.campaign(name)
        return json.loads(d) if d is not None else None

    def stages(self, task_hash: str) -> dict[str, Any]:
        """The stored stages of a task: ``{stage: value}``."""
        return {k: json.loads(v) for k, v in self._s.stages(task_hash)}

    def put_blob(self, data: bytes) -> str:
        """Store bytes; returns their SHA-256 (hex), the key rows refer to."""
        return self._s.put_blob(bytes(data))

    def blob_path(self, hash: str) -> Path:
        return Path(self._s.blob_path(hash))

    def results_table(self, campaign: str):
        """The finished results as a feature table (DataFrame with ``attrs["scale"]``/``["unit"]``)."""
        return _frame(self._s.results_table_json(campaign))

    def export_parquet(self, campaign: str, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`results_table` as a Parquet feature table."""
        df = self.results_table(campaign)
        if len(df) == 0:
            raise InputError(f"campaign {campaign!r} in {self.url} has no finished results")
        return write_table(df, path)

    def _structure(self, doc: Any):
        """An ``ase.Atoms`` from a result/candidate: ``structure`` as a dict (``numbers`` or
        ``symbols``, ``positions``, ``cell``, ``pbc``) or ``structure_blob`` (extxyz bytes)."""
        import ase
        import ase.io

        if not isinstance(doc, dict):
            return None
        s = doc.get("structure")
        if isinstance(s, dict) and "positions" in s:
            kw = {"positions": s["positions"], "cell": s.get("cell"), "pbc": s.get("pbc", s.get("cell") is not None)}
            if "numbers" in s:
                kw["numbers"] = s["numbers"]
            elif "symbols" in s:
                kw["symbols"] = s["symbols"]
            else:
                raise InputError("structure has neither 'numbers' nor 'symbols'")
            return ase.Atoms(**kw)
        h = doc.get("structure_blob")
        if isinstance(h, str):
            return ase.io.read(self.blob_path(h), format="extxyz")
        return None

    def export_ase_db(self, campaign: str, path: str | os.PathLike[str]) -> int:
        """Write the structures of the finished tasks (from the result or the candidate) into an
        ASE database (``ase.db.connect(path)``; ``.db`` SQLite or ``.json``), with the task hash,
        the campaign and the numeric results as key-value pairs and the full result as ``data``.
        Returns the number of rows written; a campaign without structures raises ``InputError``."""
        import ase.db
        from ase.db.core import reserved_keys

        table = self.results_table(campaign)
        numeric = {c for c in table.columns if table.attrs["scale"].get(c) in ("target", "uncertainty", "physics", "composition")}
        by_task = {row["material"]: row for row in table.to_dict("records")} if len(table) else {}
        n = 0
        with ase.db.connect(os.fspath(path)) as db:
            for t in self.tasks(campaign):
                if t["result"] is None:
                    continue
                atoms = self._structure(t["result"]) or self._structure(t["candidate"])
                if atoms is None:
                    continue
                kv: dict[str, Any] = {"task_hash": t["task_hash"], "campaign": campaign}
                for c, v in by_task.get(t["task_hash"], {}).items():
                    if c in numeric and isinstance(v, float) and v == v:
                        key = _ase_key(c)
                        kv[f"r_{key}" if key in reserved_keys else key] = v
                db.write(atoms, key_value_pairs=kv, data={"result": t["result"], "candidate": t["candidate"]})
                n += 1
        if n == 0:
            raise InputError(f"campaign {campaign!r} has no finished task with a structure ('structure' or 'structure_blob' in its result or candidate)")
        return n


def open(url: str | os.PathLike[str]) -> Store:  # noqa: A001 - the documented name
    """Open (creating if needed) the store at ``url``."""
    return Store(url)
