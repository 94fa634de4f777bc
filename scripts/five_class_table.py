#!/usr/bin/env python3
"""Markdown tables of a five-class benchmark report (report.json), as in docs/benchmark_five_class.md.

    python scripts/five_class_table.py DIR/report.json

Per class and target: the k-fold out-of-fold MAE and R² of each model (`per_class`), the
stratified 70/15/15 test MAE mean ± std over three seeds (`details[..].split_70_15_15`), and the
paired comparison fused − composition on the same materials (`details[..].paired_abs_error`:
MAE reduction ± standard error, paired-t p, share of materials where fused is closer).
"""
import json
import sys


def f(x, d=3):
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{d}g}"


def main(path):
    r = json.load(open(path))
    print(f"preset {r['preset']}, seed {r['seed']}, max_materials {r['max_materials']}, wall {r.get('wall_time_s', 0):.0f} s\n")
    for cls, c in r["per_class"].items():
        if "skipped" in c:
            print(f"**{cls}**: skipped: {c['skipped']}\n")
            continue
        ds = r["datasets"].get(cls, {})
        print(f"**{cls}**: {ds.get('described')} described of {ds.get('requested')} requested, {len(ds.get('failed', []))} failed\n")
        print("| target | model | n | CV MAE | CV R² | 70/15/15 test MAE (mean ± std, 3 seeds) |")
        print("|---|---|---|---|---|---|")
        for target, models in c.items():
            if "skipped" in models:
                print(f"| {target} | – | – | skipped: {models['skipped']} | | |")
                continue
            det = r["details"][cls][target]
            for m, v in models.items():
                if "skipped" in v:
                    print(f"| {target} | {m} | – | skipped | | |")
                    continue
                sp = det.get(m, {}).get("split_70_15_15", {})
                split = "skipped" if "skipped" in sp else f"{f(sp.get('mae_mean'))} ± {f(sp.get('mae_std'))}"
                print(f"| {target} ({det['unit']}) | {m} | {v['n']} | {f(v['mae'])} | {f(v['r2'], 2)} | {split} |")
        print()
        print("| target | fused − composition (GBM) | MAE reduction ± s.e. | paired t p | fused closer on |")
        print("|---|---|---|---|---|")
        for target in c:
            det = r["details"].get(cls, {}).get(target, {})
            for k, p in det.get("paired_abs_error", {}).items():
                print(f"| {target} | {k} | {f(p['mae_reduction'])} ± {f(p['stderr'])} | {f(p['p_two_sided'], 2)} | {p['fraction_better'] * 100:.0f} % of {p['n']} |")
        print()
        co = r.get("cost", {}).get(cls, {})
        if co:
            print(f"cost per material (s, wall): {json.dumps(co.get('simulation_s_per_material'))}; CPU s: {json.dumps(co.get('simulation_cpu_s_per_material'))}\n")


if __name__ == "__main__":
    main(sys.argv[1])
