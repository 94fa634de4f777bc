#!/usr/bin/env python3
"""5-fold CV ablation on a describe-built dataset: composition-only vs fused features (GBM).

    nice -n 19 .venv/bin/python benchmarks/pipeline_ablation.py --out /var/tmp/ablation [--n 220] [--cli .venv/bin/scalebridge]

1. writes a design (a `[space]` of Zhou-generator fcc alloys, one to five components on a 0.2
   composition grid, pure metals included, a seeded random subset of `--n` materials, 300 K,
   8-grain polycrystals) and a study preset (`--preset`: the quick preset's cells, shorter runs);
2. `scalebridge dataset build` (resumable: the stage cache under OUT/cache and the table
   rewritten after every material, so rerunning the same command continues where it stopped);
3. `scalebridge evaluate --cv 5 --json` per target (E_GPa, kappa_W_mK, T_transition_K) and per
   scale set (composition; composition + atomistic; + continuum; + physics), the other targets
   excluded from the inputs;
4. writes OUT/ablation.json and OUT/ablation.md (the table for docs/pipeline.md).
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ELEMENTS = ["Cu", "Ni", "Al", "Ag", "Au", "Pd", "Pt", "Co"]
TARGETS = ["E_GPa", "kappa_W_mK", "T_transition_K"]
# every property column of a description is a target, never an input of another target
PROPERTY_COLUMNS = ["E_GPa", "nu", "K_GPa", "G_GPa", "kappa_W_mK", "T_transition_K"]
SCALE_SETS = [
    ("composition", "composition"),
    ("+ atomistic (0 K)", "composition,atomistic"),
    ("+ continuum", "composition,atomistic,continuum"),
    ("all (+ physics)", "composition,atomistic,continuum,physics"),
]
# the study preset: the quick preset's cells with shorter finite-T runs (stated in the docs)
STUDY_PRESET = {
    "name": "ablation-study",
    "elastic_thermal": {"npt_steps": 600, "equilibration_steps": 100, "production_steps": 600, "blocks": 5},
    "green_kubo": {"seeds": [1], "equilibration_steps": 500, "production_steps": 6000, "correlation_time": 1.5},
    "draws": 4,
}


def design_text(n: int) -> str:
    return f"""[space]
elements = {json.dumps(ELEMENTS)}
components = [1, 5]
step = 0.2
lattice = ["fcc"]
temperature_K = [300]
microstructure = {{ kind = "polycrystal", grains = 8, resolution = 16 }}
potential = {{ generator = "zhou2004" }}
max_materials = {n}
seed = 1
"""


def run(cmd):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, capture_output=True, text=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=220)
    ap.add_argument("--cli", default=str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "scalebridge"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-build", action="store_true", help="evaluate the table already built")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    design, preset, table = a.out / "design.toml", a.out / "preset.json", a.out / "table.parquet"
    design.write_text(design_text(a.n))
    preset.write_text(json.dumps(STUDY_PRESET, indent=1))
    if not a.skip_build:
        r = run([a.cli, "dataset", "build", str(design), "--out", str(table), "--preset", str(preset),
                 "--cache", str(a.out / "cache"), "--threads", str(a.threads)])
        (a.out / "build.log").write_text(r.stdout + r.stderr)
        if r.returncode != 0 and not table.exists():
            print(r.stderr, file=sys.stderr)
            return 1
    results = []
    for target in TARGETS:
        exclude = [c for c in PROPERTY_COLUMNS if c != target]
        for label, scales in SCALE_SETS:
            cmd = [a.cli, "evaluate", str(table), "--target", target, "--model", "gbm", "--cv", "5", "--json", "--scales", scales]
            for c in exclude:
                cmd += ["--exclude", c]
            r = run(cmd)
            if r.returncode != 0:
                results.append({"target": target, "features": label, "scales": scales, "error": r.stderr.strip()[-400:]})
                continue
            rep = json.loads(r.stdout)
            cv = rep.get("cv") or {}
            results.append({"target": target, "features": label, "scales": scales, "n_rows": rep.get("n_rows"),
                            "mae": cv.get("mae_mean"), "mae_std": cv.get("mae_std"), "r2": cv.get("r2_mean")})
    (a.out / "ablation.json").write_text(json.dumps({"design": design_text(a.n), "preset": STUDY_PRESET, "results": results}, indent=1))
    lines = ["| target | features | rows | MAE (5-fold) | R² |", "|---|---|---|---|---|"]
    for x in results:
        if "error" in x:
            lines.append(f"| {x['target']} | {x['features']} | – | error: {x['error'][:80]} | – |")
        else:
            fmt = lambda v, p: "–" if v is None else f"{v:.{p}f}"
            lines.append(f"| {x['target']} | {x['features']} | {x['n_rows']} | {fmt(x['mae'], 3)} ± {fmt(x['mae_std'], 3)} | {fmt(x['r2'], 3)} |")
    (a.out / "ablation.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
