"""Time the fast Green–Kubo run of the test suite (500-atom LJ fluid, frequent rebuilds, per-atom
sampling every 5 steps) on the kernel named by `SCALEBRIDGE_MD_KERNEL` (unset: the default):

    SCALEBRIDGE_MD_KERNEL=legacy .venv/bin/python benchmarks/lj_gk_kernels.py
    .venv/bin/python benchmarks/lj_gk_kernels.py

Prints the wall time and κ (W/(m·K)); paths that are bit-identical (avx2, avx512) give the same κ.
"""
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from test_thermal_conductivity import FAST_GK, run_gk  # noqa: E402

warnings.simplefilter("ignore")
t = time.perf_counter()
r = run_gk(**FAST_GK)
dt = time.perf_counter() - t
print(f"kernel {os.environ.get('SCALEBRIDGE_MD_KERNEL', 'default')}: {dt:.2f} s, kappa {r['kappa']['value']:.6f} +- {r['kappa']['stderr']:.6f} W/(m K)")
