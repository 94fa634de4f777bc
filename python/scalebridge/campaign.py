"""Design campaigns: active-learning screening of a design space (see ``docs/campaigns.md``).

The engine is Rust (``scalebridge-campaign``); this module is the thin driver. Locally,
:func:`run` calls the Rust loop (all cores, nothing to start). With ``scheduler=`` it runs the
same loop on a Dask cluster: the Rust engine picks each batch from what the results database
holds (:func:`next_batch`), the batch's candidates are mapped over the Dask workers (each worker
calls the Rust engine through this package: claim, ``describe``, store), and failed tasks are
retried (``retries``); a task whose worker is lost is rescheduled by Dask. Tasks are pure
functions of their hashed inputs, so the results equal those of a local run.

Command line: ``python -m scalebridge.campaign run FILE --scheduler tcp://HOST:PORT [--json]``
(what ``scalebridge campaign run FILE --scheduler ...`` calls).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from . import _scalebridge

__all__ = ["run", "status", "report", "next_batch", "evaluate"]


def _path(p: str | os.PathLike[str]) -> str:
    return os.path.abspath(os.fspath(p))


def next_batch(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The next batch of candidates (empty when the budget is spent)."""
    return json.loads(_scalebridge.campaign_next_batch(_path(path)))


def evaluate(path: str, candidate: dict[str, Any] | str, worker: str | None = None) -> dict[str, Any]:
    """Evaluate one candidate (pure: claim its task, ``describe`` it, store the result)."""
    cj = candidate if isinstance(candidate, str) else json.dumps(candidate)
    return json.loads(_scalebridge.campaign_evaluate(_path(path), cj, worker))


def status(path: str | os.PathLike[str], top: int | None = None) -> dict[str, Any]:
    """The status document (``budget``, ``done``, ``failed``, ``pending``, ``duplicates``,
    ``recommendations``, ``database``, ...) of a campaign file or its database/output directory."""
    return json.loads(_scalebridge.campaign_status(_path(path) if os.path.exists(os.fspath(path)) else os.fspath(path), top))


def report(path: str | os.PathLike[str]) -> str:
    """Write the HTML report; returns its path."""
    return _scalebridge.campaign_report(_path(path))


def _dask_evaluate(path: str, candidate_json: str, worker: str) -> dict[str, Any]:
    from scalebridge import _scalebridge as sb  # imported on the Dask worker

    return json.loads(sb.campaign_evaluate(path, candidate_json, worker))


def run(
    path: str | os.PathLike[str],
    scheduler: str | None = None,
    threads: int | None = None,
    retries: int = 3,
    client: Any = None,
) -> dict[str, Any]:
    """Run the campaign until its budget is spent; returns the status document.

    ``scheduler``: a Dask scheduler address (``tcp://HOST:PORT``) or ``client`` an existing
    ``distributed.Client``; neither: in this process on ``threads`` cores (``None``: all).
    """
    p = _path(path)
    if scheduler is None and client is None:
        _scalebridge.campaign_run(p, threads)
        return status(p)
    from distributed import Client

    own = client is None
    if own:
        client = Client(scheduler)
    try:
        info = json.loads(_scalebridge.campaign_prepare(p))
        worker = _scalebridge.campaign_worker_name()
        t0 = time.time()
        while True:
            batch = next_batch(p)
            if not batch:
                break
            args = [json.dumps(c, sort_keys=True) for c in batch]
            futures = client.map(_dask_evaluate, [p] * len(args), args, [worker] * len(args), pure=False, retries=retries)
            outs = client.gather(futures)
            if all(o["status"] == "busy" for o in outs):
                time.sleep(2.0)
            st = json.loads(_scalebridge.campaign_status(p, 0))
            print(
                f"[campaign {info['name']}] done {st['done']} / {st['budget']}, failed {st['failed']}, "
                f"{time.time() - t0:.0f} s (dask {scheduler or client.scheduler.address})",
                file=sys.stderr,
            )
        return status(p)
    finally:
        if own:
            client.close()


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scalebridge.campaign")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("file")
    r.add_argument("--scheduler")
    r.add_argument("--threads", type=int)
    r.add_argument("--json", action="store_true")
    s = sub.add_parser("status")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    rp = sub.add_parser("report")
    rp.add_argument("file")
    a = ap.parse_args(argv)
    if a.cmd == "run":
        st = run(a.file, scheduler=a.scheduler, threads=a.threads)
    elif a.cmd == "status":
        st = status(a.file)
    else:
        print(report(a.file))
        return 0
    if getattr(a, "json", False):
        print(json.dumps(st, indent=2))
    else:
        for k in ("budget", "done", "failed", "pending", "duplicates", "database"):
            print(f"{k}: {st[k]}")
        for i, rec in enumerate(st["recommendations"], 1):
            vals = ", ".join(f"{k} = {v:.4g} ± {(rec['std'].get(k) or 0):.2g}" for k, v in rec["predicted"].items() if v is not None)
            print(f"{i:2d}. {rec['candidate']} [{'simulated' if rec['simulated'] else 'predicted'}] {vals}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
