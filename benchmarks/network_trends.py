"""Cross-linked bead-spring network: Young's modulus and T_g against cross-link density.

The three epoxy-like networks of the five-class benchmark (examples/benchmark/polymer/
network-c30/c60/c90.toml: 64 resin trimers + 32 hardener dimers, Kremer–Grest beads with the
attractive 2.5 σ LJ cutoff, cured by the distance criterion to conversion 0.30 / 0.60 / 0.90;
illustrative unit mapping σ = 5 Å, ε/k_B = 1000 K, one bead = 104.15 amu) go through
`scalebridge describe` at 300 K (below T_g in this mapping): the glass-transition stage
(NPT ladder on cooling, bilinear T_g with its bootstrap error) and then the elastic constants at
300 K on the quenched glass (E with its standard error). Each network is built with
`--seeds` different builder seeds; per conversion the seed mean and its standard error
(spread of the seeds / sqrt(n), combined with the per-run errors when only one seed) are reported.

Checks (exit status 1 if one fails): the seed-mean T_g and E both rise with conversion
(0.30 < 0.60 < 0.90); the report also says by how many combined standard errors each step rises.

Usage (about 2–4 min per network and seed on one core of the shared 2-core machine):
    nice -n 10 .venv/bin/python benchmarks/network_trends.py --seeds 1 --out /tmp/network_trends.json
Prints one JSON report.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import emit  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples", "benchmark", "polymer")
CONVERSIONS = {"0.30": "network-c30.toml", "0.60": "network-c60.toml", "0.90": "network-c90.toml"}


def cli_path(given: str | None) -> str:
    for c in (given, os.path.join(ROOT, ".venv", "bin", "scalebridge"), shutil.which("scalebridge")):
        if c and os.path.exists(c):
            return c
    sys.exit("scalebridge CLI not found (install it with scripts/install.sh or pass --cli)")


def description(conv_file: str, seed: int, temperature_k: float, scale: int = 1,
                cooling_rate: float | None = None) -> str:
    """The example description at one temperature and builder seed, with `scale` times as many
    resin and hardener molecules and, when given, another cooling rate of the glass-transition
    ladder (K/ps; everything else unchanged)."""
    with open(os.path.join(EXAMPLES, conv_file)) as f:
        text = f.read()
    text = re.sub(r"(?m)^temperature_K\s*=.*$", f"temperature_K = {temperature_k}", text)
    text, n = re.subn(r"seed\s*=\s*\d+", f"seed = {seed}", text)
    if n != 1:
        sys.exit(f"{conv_file}: expected one builder seed, found {n}")
    for key in ("resins", "hardeners"):
        text, n = re.subn(rf"\b{key}\s*=\s*(\d+)", lambda m: f"{key} = {int(m.group(1)) * scale}", text)
        if n != 1:
            sys.exit(f"{conv_file}: expected one `{key} =`, found {n}")
    if cooling_rate is not None:
        text, n = re.subn(r"cooling_rate_k_per_ps\s*=\s*[0-9.eE+-]+", f"cooling_rate_k_per_ps = {cooling_rate}", text)
        if n != 1:
            sys.exit(f"{conv_file}: expected one `cooling_rate_k_per_ps =`, found {n}")
    return text


def run_one(cli: str, conv_file: str, seed: int, temperature_k: float, threads: int, workdir: str,
            scale: int = 1, cooling_rate: float | None = None) -> dict:
    rate = "" if cooling_rate is None else f"-r{cooling_rate:g}"
    path = os.path.join(workdir, f"{conv_file[:-5]}-x{scale}{rate}-s{seed}.toml")
    with open(path, "w") as f:
        f.write(description(conv_file, seed, temperature_k, scale, cooling_rate))
    t0 = time.time()
    out = subprocess.run([cli, "describe", path, "--quick", "--json", "--threads", str(threads),
                          "--cache", os.path.join(workdir, "cache")],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"describe {path} failed ({out.returncode}): {out.stderr[-2000:]}")
    d = json.loads(out.stdout)
    d = d[0] if isinstance(d, list) else d
    props = d.get("properties", d)
    tg, e = props["T_transition_K"], props["E_GPa"]
    return {"seed": seed, "beads": (d.get("phases") or [{}])[0].get("n_atoms"), "T_g_K": tg["value"], "T_g_stderr_K": tg.get("stderr"),
            "E_GPa": e["value"], "E_stderr_GPa": e.get("stderr"), "wall_s": round(time.time() - t0, 1)}


def mean_err(values: list[float], errors: list[float | None]) -> tuple[float, float]:
    n = len(values)
    m = sum(values) / n
    if n > 1:
        s = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) / math.sqrt(n)
    else:
        s = errors[0] if errors[0] is not None else float("nan")
    return m, s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1", help="builder seeds, comma separated")
    ap.add_argument("--temperature", type=float, default=300.0, help="K (elastic stage; below T_g)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cli", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--scale", type=int, default=1,
                    help="build each network with this many times the example's molecules (1: 256 beads)")
    ap.add_argument("--workdir", default=None,
                    help="keep descriptions and the stage cache here (a rerun resumes); default: a temporary folder")
    ap.add_argument("--cooling-rate", type=float, default=None,
                    help="cooling rate of the glass-transition ladder, K/ps (default: the examples' 10)")
    ap.add_argument("--jobs", type=int, default=1, help="describes run at the same time")
    a = ap.parse_args()
    if a.scale < 1:
        sys.exit("--scale must be a positive integer")
    cli = cli_path(a.cli)
    seeds = [int(s) for s in a.seeds.split(",")]
    rows = {}
    with (contextlib.nullcontext(a.workdir) if a.workdir else tempfile.TemporaryDirectory(prefix="network_trends_")) as work:
        os.makedirs(work, exist_ok=True)
        def task(conv_seed):
            conv, s = conv_seed
            try:
                r = run_one(cli, CONVERSIONS[conv], s, a.temperature, a.threads, work, a.scale, a.cooling_rate)
            except RuntimeError as e:
                print(f"conversion {conv}, seed {s}: {e}", file=sys.stderr, flush=True)
                return {"seed": s, "error": str(e)[-600:]}
            print(json.dumps({"conversion": conv, **r}), file=sys.stderr, flush=True)
            return r

        todo = [(conv, s) for conv in CONVERSIONS for s in seeds]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            done = dict(zip(todo, pool.map(task, todo)))
        for conv in CONVERSIONS:
            outcomes = [done[(conv, s)] for s in seeds]
            runs = [r for r in outcomes if "error" not in r]
            failed = [r for r in outcomes if "error" in r]
            if not runs:
                rows[conv] = {"runs": [], "failed": failed}
                continue
            tg, tg_e = mean_err([r["T_g_K"] for r in runs], [r["T_g_stderr_K"] for r in runs])
            e, e_e = mean_err([r["E_GPa"] for r in runs], [r["E_stderr_GPa"] for r in runs])
            rows[conv] = {"runs": runs, "failed": failed, "T_g_K": tg, "T_g_stderr_K": tg_e, "E_GPa": e, "E_stderr_GPa": e_e}
            print(json.dumps({conv: rows[conv]}), file=sys.stderr, flush=True)
    keys = [k for k in rows if rows[k]["runs"]]
    steps = []
    for lo, hi in zip(keys, keys[1:]):
        st = {"from": lo, "to": hi}
        for q, qe in (("T_g_K", "T_g_stderr_K"), ("E_GPa", "E_stderr_GPa")):
            d = rows[hi][q] - rows[lo][q]
            s = math.hypot(rows[hi][qe], rows[lo][qe])
            st[q] = {"rise": d, "sigma": s, "rise_over_sigma": d / s if s > 0 else None}
        steps.append(st)
    complete = len(keys) == len(CONVERSIONS)
    checks = {
        "T_g_rises": complete and all(s["T_g_K"]["rise"] > 0 for s in steps),
        "E_rises": complete and all(s["E_GPa"]["rise"] > 0 for s in steps),
    }
    report = {"case": "epoxy-like bead-spring network vs conversion", "temperature_K": a.temperature,
              "scale": a.scale, "cooling_rate_K_per_ps": a.cooling_rate,
              "seeds": seeds, "conversions": rows, "steps": steps, "checks": checks,
              "passed": all(checks.values())}
    emit(report, a.out)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
