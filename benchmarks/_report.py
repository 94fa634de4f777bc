"""Shared by the benchmark scripts: print a JSON report and, when asked, write it atomically."""

from __future__ import annotations

import json
import os


def emit(report: dict, out: str | None) -> None:
    """Print `report` as JSON; with `out`, also write it there (temporary file, then rename)."""
    text = json.dumps(report, indent=1)
    print(text)
    if out:
        tmp = out + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(text)
        os.replace(tmp, out)
