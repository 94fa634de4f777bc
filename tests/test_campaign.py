"""Design campaigns (`scalebridge campaign run|status|report`, scalebridge.campaign).

A tiny space (Cu–Ni on a 0.25 grid: Cu, Ni and three alloys, fcc, 0 K, Zhou 2004 EAM, single
crystal) keeps every evaluation to a few seconds. The kill-and-resume test SIGKILLs a real
`scalebridge campaign run` after its first stored result and re-runs it: nothing lost, nothing
duplicated, nothing recomputed (counted from the log's `evaluate` lines, one per describe call).
The Dask test runs the same campaign on a 2-worker `dask.distributed` LocalCluster (separate
processes, a real scheduler address) and compares with the local run. The report test renders
the HTML page in headless Chromium. Each takes tens of seconds on 2 cores: marked slow
(`pytest -m slow tests/test_campaign.py`).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

from scalebridge import campaign

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = pathlib.Path(sys.executable).parent / "scalebridge"

STATUS_KEYS = {"budget", "done", "failed", "pending", "duplicates", "recommendations", "database"}


def write_campaign(d: pathlib.Path, name: str, budget: int = 4) -> pathlib.Path:
    d.mkdir(parents=True, exist_ok=True)
    f = d / f"{name}.toml"
    f.write_text(
        f"""name = "{name}"
[space]
elements = ["Cu", "Ni"]
components = [1, 2]
step = 0.25
lattice = ["fcc"]
temperature_K = [0]
potential = {{ generator = "zhou2004" }}
[[target]]
property = "E_GPa"
goal = "max"
[[target]]
property = "nu"
goal = ">= 0.3"
[search]
budget = {budget}
batch = 2
initial = 2
seed = 3
[output]
directory = "out-{name}"
database = "sqlite:///out-{name}/results.db"
"""
    )
    return f


def evaluations(f: pathlib.Path, name: str) -> list[str]:
    log = f.parent / f"out-{name}" / "campaign.log"
    return [ln.split()[2] for ln in log.read_text().splitlines() if ln.split()[1:2] == ["evaluate"]]


def test_bad_campaign_file_names_key_and_line(tmp_path):
    f = write_campaign(tmp_path, "bad")
    f.write_text(f.read_text().replace('goal = "max"', 'goal = "largest"'))
    r = subprocess.run([str(CLI), "campaign", "run", str(f)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "line 11" in r.stderr and "goal" in r.stderr, r.stderr
    with pytest.raises(scalebridge_input_error()):
        campaign.status(str(f))


def scalebridge_input_error():
    from scalebridge import InputError

    return InputError


@pytest.mark.slow
def test_kill_and_resume_loses_nothing_and_recomputes_nothing(tmp_path):
    f = write_campaign(tmp_path, "kill", budget=5)
    log = tmp_path / "out-kill" / "campaign.log"
    p = subprocess.Popen([str(CLI), "campaign", "run", str(f), "--threads", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        if log.is_file() and any(" done " in ln for ln in log.read_text().splitlines()):
            break
        time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.wait()
    before = campaign.status(str(f))
    assert before["done"] >= 1 and before["done"] < 5
    first = evaluations(f, "kill")
    done_before = {ln.split()[2] for ln in log.read_text().splitlines() if ln.split()[1:2] == ["done"]}
    r = subprocess.run([str(CLI), "campaign", "run", str(f), "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    after = json.loads(r.stdout)
    assert set(after) >= STATUS_KEYS
    assert after["done"] + after["failed"] == 5
    assert after["duplicates"] == 0
    second = evaluations(f, "kill")[len(first):]
    # nothing stored before the kill was computed again; each task computed at most once after
    assert not (set(second) & done_before), (second, done_before)
    assert len(second) == len(set(second))
    # a third run computes nothing
    r = subprocess.run([str(CLI), "campaign", "run", str(f)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert len(evaluations(f, "kill")) == len(first) + len(second)


@pytest.mark.slow
def test_status_keys_and_dask_cluster_matches_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    fl = write_campaign(tmp_path / "local", "same")
    fd = write_campaign(tmp_path / "dask", "same")
    r = subprocess.run([str(CLI), "campaign", "run", str(fl), "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    local = json.loads(r.stdout)
    assert STATUS_KEYS <= set(local)
    st = json.loads(subprocess.run([str(CLI), "campaign", "status", str(fl), "--json"], capture_output=True, text=True).stdout)
    assert STATUS_KEYS <= set(st) and st["duplicates"] == 0
    for rec in st["recommendations"]:
        assert set(rec) >= {"candidate", "predicted", "std", "simulated"}
        assert set(rec["predicted"]) == {"E_GPa", "nu"}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        dask = campaign.run(fd, scheduler=cluster.scheduler_address)
    assert dask["done"] == local["done"] and dask["failed"] == local["failed"] and dask["duplicates"] == 0

    def simulated(s):
        return {r["candidate"]: r["predicted"] for r in s["recommendations"] if r["simulated"]}

    a, b = simulated(campaign.status(fl, 100)), simulated(campaign.status(fd, 100))
    assert a.keys() == b.keys() and len(a) == local["done"]
    for k in a:
        for prop in a[k]:
            assert b[k][prop] == pytest.approx(a[k][prop], rel=1e-9, abs=1e-12), (k, prop)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no chromium (the CI installs Debian's package)")
    f = write_campaign(tmp_path, "rep")
    r = subprocess.run([str(CLI), "campaign", "run", str(f)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    html = pathlib.Path(subprocess.run([str(CLI), "campaign", "report", str(f)], capture_output=True, text=True, check=True).stdout.strip())
    assert html.is_file()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120).stdout
    import re

    svgs = re.findall(r"<svg.*?</svg>", dom, flags=re.S)
    # Pareto front, parity (one per target), active-learning curve, property map
    assert len(svgs) >= 5, len(svgs)
    for s in svgs:
        assert len(re.findall(r"<(circle|polyline|path|line|rect)", s)) > 3, s[:200]
    png = tmp_path / "shot.png"
    subprocess.run([browser, *flags, f"--screenshot={png}", "--window-size=1280,2400", html.as_uri()], capture_output=True, timeout=120)
    assert png.is_file() and png.stat().st_size > 20_000
    data = png.read_bytes()
    # not a blank page: many distinct byte values in the compressed image
    assert len(set(data[1000:20000])) > 200
