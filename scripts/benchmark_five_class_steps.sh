#!/usr/bin/env bash
# The quick five-class benchmark in growing steps of --max-materials, one results database for all
# steps: the seeded subsets are nested (the first N of one seeded permutation of the design), so
# each step describes only the materials the previous step did not have, reuses the rest from the
# store, and writes a complete report. Stopping the script (Ctrl-C, a deadline) leaves the last
# finished step's report, whose numbers reproduce with that step's one command:
#
#   scalebridge benchmark five-class --quick --classes CLASS --max-materials N --out DIR
#
# (the seed is the benchmark file's `seed`, 1 in examples/benchmark/five-class.toml; --jobs and
# --threads do not change the numbers, only the time).
#
#   scripts/benchmark_five_class_steps.sh OUT_ROOT CLASS "6 8 10 12" [extra benchmark flags...]
#
# Environment: SCALEBRIDGE (the CLI, default .venv/bin/scalebridge), JOBS (default 2),
# THREADS (default 1). Each step: OUT_ROOT/CLASS-nN/{report.json,report.html,time.txt,log.txt};
# the database is OUT_ROOT/results.db. Run it niced (nice -n 10) on a shared machine.
set -euo pipefail
root=${1:?OUT_ROOT}
class=${2:?CLASS}
steps=${3:?"steps, e.g. \"6 8 10 12\""}
shift 3
sb=${SCALEBRIDGE:-.venv/bin/scalebridge}
mkdir -p "$root"
for n in $steps; do
    out="$root/$class-n$n"
    mkdir -p "$out"
    echo "$(date -u +%FT%TZ) step $class n=$n (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$root/steps.log"
    /usr/bin/time -v -o "$out/time.txt" "$sb" benchmark five-class --quick --classes "$class" --max-materials "$n" \
        --jobs "${JOBS:-2}" --threads "${THREADS:-1}" --database "sqlite://$root/results.db" --out "$out" "$@" \
        >"$out/summary.txt" 2>"$out/log.txt" || echo "step n=$n failed: see $out/log.txt" | tee -a "$root/steps.log"
    echo "$(date -u +%FT%TZ) done $class n=$n: $(grep -E 'Elapsed|User time|System time' "$out/time.txt" | tr -s ' ' | tr '\n' ';')" | tee -a "$root/steps.log"
    cat "$out/summary.txt" | tee -a "$root/steps.log"
done
