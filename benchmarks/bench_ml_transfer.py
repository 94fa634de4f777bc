"""Transfer of the ML surrogates to unseen chemistry and unseen databases.

* leave-one-class-out: AFLOW bulk modulus, each chemical class (oxide, halide, chalcogenide,
  pnictide, carbide, boride, hydride, intermetallic, other) held out in turn;
* leave-one-dataset-out: bulk and shear moduli from AFLOW and Materials Project pooled with a
  `dataset` column, each database held out in turn (the same property computed by two
  workflows: a model must carry over the other database's systematic differences).

Runs `scalebridge evaluate --group-by ...` (the Rust implementation) and prints a table.

    python benchmarks/bench_ml_transfer.py [--scalebridge PATH] [--json] [--max-rows 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SCALEBRIDGE_DATASETS", os.path.join(HERE, "..", "..", "shared", "datasets"))


def evaluate(exe: str, csv: str, group: str, extra: list[str]) -> dict:
    cmd = [exe, "evaluate", csv, "--target", "target", "--group-by", group, "--min-group", "50", "--json", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scalebridge", default=shutil.which("scalebridge") or os.path.join(os.path.dirname(sys.executable), "scalebridge"))
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--max-rows", type=int, default=4000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = pd.read_csv(os.path.join(a.data, "aflow_ael_bulk_modulus_vrh", "train.csv"))
        p = os.path.join(tmp, "aflow_bulk.csv")
        d.sample(min(len(d), a.max_rows), random_state=0).to_csv(p, index=False)
        out["leave_one_class_out/aflow_bulk_modulus"] = evaluate(a.scalebridge, p, "class", [])["groups"]
        for prop, (aflow, mp) in {"bulk_modulus": ("aflow_ael_bulk_modulus_vrh", "mp_bulk_modulus"), "shear_modulus": ("aflow_ael_shear_modulus_vrh", "mp_shear_modulus")}.items():
            frames = []
            for name in (aflow, mp):
                f = pd.read_csv(os.path.join(a.data, name, "train.csv"))
                f = f.sample(min(len(f), a.max_rows), random_state=0)
                f["dataset"] = name.split("_")[0]
                frames.append(f)
            p = os.path.join(tmp, f"{prop}.csv")
            pd.concat(frames).to_csv(p, index=False)
            out[f"leave_one_dataset_out/{prop}"] = evaluate(a.scalebridge, p, "dataset", [])["groups"]
    if a.json:
        print(json.dumps(out, indent=1))
        return
    for study, folds in out.items():
        print(study)
        for f in folds:
            m = f["metrics"]
            print(f"  {f['group']:15s} n={m['n']:5d}  MAE {m['mae']:8.3f}  dummy {f['dummy_mae']:8.3f}  R² {m['r2']:6.3f}  cov(±1σ) {m['coverage_1sigma']:.2f}")


if __name__ == "__main__":
    main()
