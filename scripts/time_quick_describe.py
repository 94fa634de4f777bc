#!/usr/bin/env python3
"""Time one `scalebridge describe` (quick preset by default) on a shared machine.

Runs the CLI as a child process and records, for every progress line it prints, the elapsed wall
time, the child's CPU time so far (user + system of every thread, from /proc/<pid>/stat) and the
1-minute load average; at the end the child's total CPU time (os.wait4's rusage, like
/usr/bin/time) and the per-stage wall and CPU seconds of the descriptions' stage records
(`provenance.stages[].wall_s`, `cpu_s`). On a loaded machine the CPU seconds are the number to
compare; wall seconds depend on what else runs. (The CLI's progress bar is hidden when stderr is
not a terminal, so `events` holds only the lines the CLI prints outright; the per-stage split is
in `stages`, from the descriptions, once the describe has finished.)

    python scripts/time_quick_describe.py MATERIAL.toml --out DIR [--threads 1] [--full]
        [--scalebridge .venv/bin/scalebridge] [--log FILE]

Writes DIR/timing.json: {"material", "command", "wall_s", "cpu_s", "max_rss_kb", "load_start",
"load_end", "events": [[wall_s, cpu_s, load1, line]...], "stages": [{temperature_K, stage,
cached, wall_s, cpu_s}...], "rc"}. Exits with the child's status.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def load1():
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


def child_cpu(pid):
    """utime + stime of every thread of `pid`, s (None when /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("material")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--full", action="store_true", help="the full preset instead of --quick")
    ap.add_argument("--scalebridge", default=str(Path(sys.executable).parent / "scalebridge"))
    ap.add_argument("--log", help="also append the events to this file as they come")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    cmd = [a.scalebridge, "describe", a.material, "--out", str(out), "--threads", str(a.threads)]
    if not a.full:
        cmd.insert(3, "--quick")
    log = open(a.log, "a") if a.log else None
    t0, l0 = time.time(), load1()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    events, last = [], None
    for line in p.stdout:
        # the progress bar redraws in place: one event per new text
        for part in line.replace("\r", "\n").split("\n"):
            part = part.strip()
            if not part or part == last:
                continue
            last = part
            ev = [round(time.time() - t0, 1), child_cpu(p.pid), load1(), part]
            events.append(ev)
            if log:
                log.write(json.dumps(ev) + "\n")
                log.flush()
    _, status, ru = os.wait4(p.pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    stages = []
    for d in sorted(out.glob("description_*K.json")):
        doc = json.loads(d.read_text())
        for s in doc["provenance"]["stages"]:
            stages.append({"temperature_K": doc["temperature_K"], "stage": s["stage"], "cached": s["cached"], "wall_s": s["wall_s"], "cpu_s": s.get("cpu_s")})
    res = {
        "material": a.material,
        "command": " ".join(cmd),
        "rc": rc,
        "wall_s": round(time.time() - t0, 1),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 1),
        "max_rss_kb": ru.ru_maxrss,
        "load_start": l0,
        "load_end": load1(),
        "events": events,
        "stages": stages,
    }
    (out / "timing.json").write_text(json.dumps(res, indent=1))
    print(f"{a.material}: rc {rc}, wall {res['wall_s']:.0f} s, CPU {res['cpu_s']:.0f} s, load {l0} → {res['load_end']}")
    for s in stages:
        if not s["cached"]:
            cpu = "?" if s["cpu_s"] is None else f"{s['cpu_s']:.1f}"
            print(f"  {s['temperature_K']:>5} K  {s['stage']:40} wall {s['wall_s']:8.1f} s  CPU {cpu} s")
    sys.exit(rc)


if __name__ == "__main__":
    main()
