#!/usr/bin/env python3
"""Continuum homogenisation benchmark: scalebridge FFT and voxel FEM against scikit-fem.

One invocation homogenises the same periodic two-phase composite (random spheres, contrast 10,
elastic, 6 unit strains, CG relative tolerance 1e-6 by default) with

* ``scalebridge homogenize --solver fft``  (Fourier–Galerkin CG),
* ``scalebridge homogenize --solver fem``  (matrix-free hex8, Fourier-preconditioned CG),
* scikit-fem: assembled trilinear hexahedra (ElementHex1, 2×2×2 Gauss), periodic constraints by a
  node-identification matrix, pyamg smoothed-aggregation-preconditioned CG (scipy) — the same
  trilinear FE discretisation as our FEM, so their C_ij agree to solver tolerance,

and prints wall times, peak memory per voxel, C11/C12/C44 and the ratios peer/ours. Each solver runs
in its own process (os.wait4 gives its own peak RSS). Moduli in GPa.

Usage: python benchmarks/bench_fem.py [--resolution 64] [--tol 1e-6] [--json] [--skip-peer]
       [--scalebridge PATH]   (called by `scalebridge bench fem`)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

PHASES = ["E=10,nu=0.3,k=1", "E=100,nu=0.3,k=10"]


def lame(e: float, nu: float) -> tuple[float, float]:
    return e * nu / ((1 + nu) * (1 - 2 * nu)), e / (2 * (1 + nu))


def run_child_rss(cmd: list[str]) -> tuple[dict, float, float]:
    """Like run_child but with the child's own peak RSS from os.wait4 (Linux: ru_maxrss in KiB)."""
    with tempfile.TemporaryFile(mode="w+") as fo, tempfile.TemporaryFile(mode="w+") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {err.strip()[-2000:]}")
    return json.loads(out), wall, ru.ru_maxrss * 1024.0


def skfem_peer(grid_path: str, tol: float) -> dict:
    """Periodic homogenisation with scikit-fem + pyamg. Returns C (Voigt, GPa) and timings."""
    import numpy as np
    import pyamg
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    from skfem import Basis, BilinearForm, ElementHex1, ElementVector, LinearForm, MeshHex, asm
    from skfem.helpers import ddot, sym_grad, trace

    t_start = time.perf_counter()
    phases = np.load(grid_path)
    n = phases.shape[0]
    x = np.linspace(0.0, 1.0, n + 1)
    mesh = MeshHex.init_tensor(x, x, x)
    basis = Basis(mesh, ElementVector(ElementHex1()), intorder=2)
    cent = mesh.p[:, mesh.t].mean(axis=1)
    ijk = np.minimum((cent * n).astype(int), n - 1)
    ph = phases[ijk[0], ijk[1], ijk[2]]
    mats = [lame(10.0, 0.3), lame(100.0, 0.3)]
    lam_e = np.array([mats[p][0] for p in ph])
    mu_e = np.array([mats[p][1] for p in ph])
    nqp = basis.X.shape[1]
    lam = np.repeat(lam_e[:, None], nqp, axis=1)
    mu = np.repeat(mu_e[:, None], nqp, axis=1)

    @BilinearForm
    def stiffness(u, v, w):
        eu, ev = sym_grad(u), sym_grad(v)
        return 2.0 * w.mu * ddot(eu, ev) + w.lam * trace(eu) * trace(ev)

    K = asm(stiffness, basis, lam=lam, mu=mu).tocsr()
    # Periodic identification: node -> representative on the n^3 periodic lattice.
    ip = np.rint(mesh.p * n).astype(int) % n
    rep = (ip[0] * n + ip[1]) * n + ip[2]
    nd = basis.nodal_dofs  # (3, nnodes)
    rows = nd.T.ravel()
    cols = (rep[:, None] * 3 + np.arange(3)[None, :]).ravel()
    P = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(basis.N, 3 * n**3))
    Kp = (P.T @ K @ P).tocsr()
    # Remove rigid translations: pin the three dofs of lattice node 0.
    keep = np.arange(3, 3 * n**3)
    Kr = Kp[keep][:, keep].tocsr()
    t_asm = time.perf_counter() - t_start
    ml = pyamg.smoothed_aggregation_solver(Kr, symmetry="symmetric", max_coarse=500)
    M = ml.aspreconditioner(cycle="V")
    t_setup = time.perf_counter() - t_start - t_asm

    # Unit engineering strains in Voigt order xx yy zz yz xz xy. With f_E = -∫ ε(v):C:E the load
    # vector of strain E, ∫ (C:ε(u)):E' dV = -f_E'·u, so the volume-averaged stress needs no
    # further assembly: <σ>_i = <C:E_j>_i - f_i·u_j (unit cube, V = 1).
    pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
    strains = []
    for a, b in pairs:
        E = np.zeros((3, 3))
        if a == b:
            E[a, a] = 1.0
        else:
            E[a, b] = E[b, a] = 0.5
        strains.append(E)

    def load_vector(E):
        @LinearForm
        def load(v, w):
            ev = sym_grad(v)
            sig = 2.0 * w.mu[None, None] * E[:, :, None, None] + (w.lam * np.trace(E))[None, None] * np.eye(3)[:, :, None, None]
            return -ddot(sig, ev)

        return asm(load, basis, lam=lam, mu=mu)

    loads = [load_vector(E) for E in strains]
    lam_avg, mu_avg = lam_e.mean(), mu_e.mean()
    C = np.zeros((6, 6))
    iters = []
    t_solve = 0.0
    for j, E in enumerate(strains):
        fr = (P.T @ loads[j])[keep]
        count = [0]

        def cb(_xk, c=count):
            c[0] += 1

        t1 = time.perf_counter()
        try:
            ur, info = spla.cg(Kr, fr, rtol=tol, atol=0.0, M=M, callback=cb, maxiter=5000)
        except TypeError:  # scipy < 1.12
            ur, info = spla.cg(Kr, fr, tol=tol, atol=0.0, M=M, callback=cb, maxiter=5000)
        t_solve += time.perf_counter() - t1
        if info != 0:
            raise RuntimeError(f"scikit-fem CG did not converge (info {info})")
        iters.append(count[0])
        up = np.zeros(3 * n**3)
        up[keep] = ur
        u = P @ up
        for i, (p, q) in enumerate(pairs):
            s0 = 2.0 * mu_avg * E[p, q] + (lam_avg * np.trace(E) if p == q else 0.0)
            C[i, j] = s0 - loads[i] @ u
    total = time.perf_counter() - t_start
    return {
        "C_GPa": C.tolist(),
        "iterations": iters,
        "assembly_s": t_asm,
        "amg_setup_s": t_setup,
        "cg_s": t_solve,
        "total_s": total,
        "dofs": int(Kr.shape[0]),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resolution", type=int, default=64)
    ap.add_argument("--fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--skip-peer", action="store_true", help="only time scalebridge")
    ap.add_argument("--scalebridge", default=shutil.which("scalebridge") or "scalebridge")
    ap.add_argument("--peer-only", metavar="GRID_NPY", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer_only:
        print(json.dumps(skfem_peer(a.peer_only, a.tol)))
        return 0

    n = a.resolution
    work = tempfile.mkdtemp(prefix="sb-bench-fem-")
    grid = os.path.join(work, "grid.npy")
    common = ["--phase", PHASES[0], "--phase", PHASES[1], "--tol", str(a.tol), "--json"]
    res: dict = {"case": f"{n}^3 random spheres f={a.fraction}, E 10/100 GPa (contrast 10), nu 0.3, 6 loads, tol {a.tol}"}
    try:
        fft, t_fft, m_fft = run_child_rss([a.scalebridge, "homogenize", "--microstructure", "spheres", "--fraction", str(a.fraction), "--resolution", str(n), "--radius", str(max(3.0, n / 10)), "--seed", str(a.seed), "--solver", "fft", "--save-grid", grid] + common)
        fem, t_fem, m_fem = run_child_rss([a.scalebridge, "homogenize", "--input", grid, "--solver", "fem"] + common)
        vox = float(n**3)
        res["scalebridge_fft"] = {"wall_s": t_fft, "solve_s": fft["wall_time_s"], "peak_rss_B_per_voxel": m_fft / vox, "iterations": fft["iterations"], "C_GPa": fft["C_GPa"]}
        res["scalebridge_fem"] = {"wall_s": t_fem, "solve_s": fem["wall_time_s"], "peak_rss_B_per_voxel": m_fem / vox, "iterations": fem["iterations"], "C_GPa": fem["C_GPa"]}
        res["phase_fractions"] = fft["phase_fractions"]
        if not a.skip_peer:
            peer, t_peer, m_peer = run_child_rss([sys.executable, os.path.abspath(__file__), "--peer-only", grid, "--tol", str(a.tol)])
            res["scikit_fem"] = {"wall_s": t_peer, "solve_s": peer["total_s"], "assembly_s": peer["assembly_s"], "amg_setup_s": peer["amg_setup_s"], "cg_s": peer["cg_s"], "peak_rss_B_per_voxel": m_peer / vox, "iterations": peer["iterations"], "C_GPa": peer["C_GPa"], "dofs": peer["dofs"]}
            res["ratio_scikit_fem_over_fft"] = t_peer / t_fft
            res["ratio_scikit_fem_over_fem"] = t_peer / t_fem
            cs, ce = peer["C_GPa"], fem["C_GPa"]
            res["fem_vs_scikit_fem_max_rel_diff"] = max(abs(ce[i][j] - cs[i][j]) / abs(cs[0][0]) for i in range(6) for j in range(6))
        cf, ce = fft["C_GPa"], fem["C_GPa"]
        res["fft_vs_fem_C11_rel_diff"] = abs(cf[0][0] - ce[0][0]) / ce[0][0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    print(res["case"])
    rows = [("scalebridge fft", "scalebridge_fft"), ("scalebridge fem", "scalebridge_fem"), ("scikit-fem+pyamg", "scikit_fem")]
    print(f"{'solver':18s} {'wall s':>9s} {'solve s':>9s} {'B/voxel':>9s} {'C11':>9s} {'C12':>9s} {'C44':>9s}  iterations")
    for name, key in rows:
        if key in res:
            r = res[key]
            c = r["C_GPa"]
            print(f"{name:18s} {r['wall_s']:9.2f} {r['solve_s']:9.2f} {r['peak_rss_B_per_voxel']:9.0f} {c[0][0]:9.4f} {c[0][1]:9.4f} {c[3][3]:9.4f}  {r['iterations']}")
    if "ratio_scikit_fem_over_fft" in res:
        print(f"scikit-fem / fft = {res['ratio_scikit_fem_over_fft']:.1f}x, scikit-fem / fem = {res['ratio_scikit_fem_over_fem']:.1f}x, "
              f"fem vs scikit-fem max |dC|/C11 = {res['fem_vs_scikit_fem_max_rel_diff']:.1e}")
    print(f"FFT (Fourier-Galerkin) vs FEM (hex8) C11 differ by {100 * res['fft_vs_fem_C11_rel_diff']:.2f} % (different discretisations; see tests/fft_vs_fem.rs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
