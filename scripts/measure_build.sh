#!/usr/bin/env bash
# Measure a COLD build of what scripts/install.sh compiles, phase by phase, in CPU time (so that the
# numbers mean something on a loaded machine): phase "extension" = the maturin build of crates/py,
# phase "cli" = `cargo build -p scalebridge-cli`, both with install.sh's features and RUSTFLAGS.
#
#   bash scripts/measure_build.sh /var/tmp/sb-cold        # must not exist yet; deleted at the end
#
# Per phase: user+sys CPU seconds (/usr/bin/time), cargo's --timings HTML report (copied to
# OUT_DIR/, default /tmp/sb-build-measure), the CPU seconds of every rustc invocation (a
# RUSTC_WRAPPER logs them) with the 25 most expensive units, and the crates compiled more than once.
# Build scripts' own work (e.g. the bundled SQLite's C compile) is in the phase totals only.
# KEEP=1 keeps the target directory. SCALEBRIDGE_FEATURES / SCALEBRIDGE_RUSTFLAGS as in install.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${1:?usage: measure_build.sh EMPTY_TARGET_DIR}"
if [ -e "$TARGET" ]; then echo "measure_build: $TARGET exists; give a new directory (a cold build)" >&2; exit 2; fi
OUT_DIR="${OUT_DIR:-/tmp/sb-build-measure}"
mkdir -p "$OUT_DIR" "$TARGET"
export CARGO_TARGET_DIR="$TARGET"
export RUSTFLAGS="${SCALEBRIDGE_RUSTFLAGS:--C target-cpu=native}"
FEATURES="${SCALEBRIDGE_FEATURES-dnn}"
FEATURE_ARGS=()
if [ -n "$FEATURES" ]; then FEATURE_ARGS=(--features "$FEATURES"); fi
WRAP="$TARGET/rustc-cpu-wrapper.sh"
cat >"$WRAP" <<'EOF'
#!/usr/bin/env bash
name=query; prev=; extra=
for a in "$@"; do
  case "$prev" in --crate-name) name="$a";; -C) case "$a" in extra-filename=*) extra="${a#extra-filename=}";; esac;; esac
  prev="$a"
done
exec /usr/bin/time -f "$name$extra %U %S %e" -a -o "$RUSTC_CPU_LOG" "$@"
EOF
chmod +x "$WRAP"
export RUSTC_WRAPPER="$WRAP"
phase() {
  local name="$1"; shift
  export RUSTC_CPU_LOG="$OUT_DIR/$name.rustc.log"
  : >"$RUSTC_CPU_LOG"
  echo "[measure] phase $name: $*"
  /usr/bin/time -f "%U %S %e" -o "$OUT_DIR/$name.time" "$@" >"$OUT_DIR/$name.log" 2>&1 \
    || { tail -30 "$OUT_DIR/$name.log"; exit 1; }
  local html
  html="$(ls -t "$TARGET"/cargo-timings/cargo-timing-2*.html 2>/dev/null | head -1 || true)"
  if [ -n "$html" ]; then cp "$html" "$OUT_DIR/$name.timings.html"; fi
}
# maturin build runs the same `cargo rustc --profile release --lib` as `maturin develop`
# (install.sh) without needing a virtual environment; the wheel is thrown away.
phase extension maturin build --release "${FEATURE_ARGS[@]}" --timings -o "$TARGET/wheels"
phase cli cargo build --release -p scalebridge-cli "${FEATURE_ARGS[@]}" --timings
python3 - "$OUT_DIR" <<'EOF'
import sys, collections
out = sys.argv[1]
total = 0.0
seen = collections.defaultdict(set)
for ph in ("extension", "cli"):
    u, s, e = open(f"{out}/{ph}.time").read().split()[-3:]
    cpu = float(u) + float(s)
    total += cpu
    rows = []
    for line in open(f"{out}/{ph}.rustc.log"):
        p = line.split()
        if len(p) != 4 or p[0].startswith("query"):
            continue
        rows.append((float(p[1]) + float(p[2]), p[0]))
        name, _, h = p[0].partition("-")
        if name.startswith("build_script"):
            continue
        seen[name].add(h)
    rows.sort(reverse=True)
    rustc = sum(r[0] for r in rows)
    print(f"{ph}: {cpu/60:.1f} CPU-min (rustc {rustc/60:.1f}, {len(rows)} units), wall {float(e)/60:.1f} min")
    for c, n in rows[:25]:
        print(f"    {c:7.1f} s  {n}")
print(f"total: {total/60:.1f} CPU-min (lower bound of the wall time on 2 idle cores: {total/120:.1f} min)")
dups = {k: len(v) for k, v in seen.items() if len(v) > 1}
print("compiled more than once:", ", ".join(f"{k} x{n}" for k, n in sorted(dups.items())) or "none")
EOF
if [ -z "${KEEP:-}" ]; then rm -rf "$TARGET"; fi
