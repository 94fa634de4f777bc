#!/usr/bin/env python3
"""Check that scripts/install.sh and scripts/test.sh compile every crate once.

install.sh runs two cargo invocations (maturin's `cargo rustc` for crates/py, then
`cargo build -p scalebridge-cli`) and test.sh a third (`cargo test --workspace`). Cargo unifies
features per invocation, so a crate they share is compiled once only if it has the same features,
profile and dependencies (recursively) in all of them; otherwise every crate above it is compiled
again (docs/DEVELOPING-build.md). This script asks cargo for the unit graphs (nothing is
compiled; `--unit-graph` is unstable, RUSTC_BOOTSTRAP=1 unlocks it for this read-only query) and
lists the units that a later invocation would compile again. Exit status 1 if there are any.

    python3 scripts/check_build_sharing.py [--features dnn]   # default: SCALEBRIDGE_FEATURES or dnn
"""
import json
import os
import subprocess
import sys


def unit_graph(args, features):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    env.setdefault("RUSTFLAGS", os.environ.get("SCALEBRIDGE_RUSTFLAGS", "-C target-cpu=native"))
    cmd = ["cargo", *args, *features, "--unit-graph", "-Z", "unstable-options"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout)["units"]


def identities(units):
    """Unit index -> identity: the unit's own settings and, recursively, its dependencies'."""
    memo = {}

    def ident(i):
        if i not in memo:
            u = units[i]
            deps = tuple(sorted(ident(d["index"]) for d in u["dependencies"]))
            memo[i] = hash((u["pkg_id"], u["target"]["name"], u["mode"], tuple(u["features"]),
                            json.dumps(u["profile"], sort_keys=True), u.get("platform"), deps))
        return memo[i]

    return {ident(i): units[i] for i in range(len(units))}


def slot(u):
    return (u["pkg_id"], u["target"]["name"], u["mode"], u["profile"]["name"],
            u["profile"]["opt_level"], u.get("platform"))


def recompiled(before, after):
    a, b = identities(before), identities(after)
    slots = {slot(u) for u in a.values()}
    return sorted({u["pkg_id"].split("#")[-1] + " " + u["target"]["name"]
                   for k, u in b.items() if k not in a and slot(u) in slots})


def main():
    feats = os.environ.get("SCALEBRIDGE_FEATURES", "dnn")
    if len(sys.argv) > 2 and sys.argv[1] == "--features":
        feats = sys.argv[2]
    f = ["--features", feats] if feats else []
    tf = [x for feat in feats.split(",") if feat
          for x in ("--features", f"scalebridge-ml/{feat}", "--features", f"scalebridge-cli/{feat}")]
    try:
        ext = unit_graph(["rustc", "--profile", "release", "--manifest-path", "crates/py/Cargo.toml",
                          "--lib"], f)
        cli = unit_graph(["build", "--release", "-p", "scalebridge-cli"], f)
        test = unit_graph(["test", "--release", "--workspace", "--exclude", "scalebridge-py",
                           "--no-run"], tf)
    except RuntimeError as e:  # e.g. a cargo without --unit-graph: skip, do not fail the tests
        print(f"[check_build_sharing] skipped: {e}")
        return 0
    bad = 0
    for name, a, b in (("CLI after the extension", ext, cli), ("cargo test after the CLI", cli, test)):
        r = recompiled(a, b)
        print(f"[check_build_sharing] {name} (features: {feats or 'none'}): "
              f"{len(r)} crates compiled again" + (": " + ", ".join(r) if r else ""))
        bad += len(r)
    return 1 if bad else 0


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    sys.exit(main())
