"""Failures as results, through the command line and Python: `describe` and `dataset build` of a
material that fails deterministically (Lennard-Jones argon in the bcc lattice: mechanically
unstable at 0 K, so the homogenisation refuses its stiffness after the structure and the 0 K
elastic stage did their work). The failure is recorded in the results database; a rerun reports
the identical failure without computing (the store's record and the stage rows are untouched:
not one row is written), `--retry-failed` computes the failing stage again (its record is
rewritten), and the table build counts the replayed failure.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
import subprocess

import pytest

from conftest import scalebridge_cli

BCC_AR = """
name = "Ar-bcc"
class = "noble-gas"
temperature_K = 0
[[phase]]
name = "Ar"
structure = { lattice = "bcc", elements = { Ar = 1.0 }, a = 4.2 }
potential = { lammps = ["pair_style lj/cut 8.5", "pair_coeff * * 0.0104 3.40"], elements = ["Ar"] }
[microstructure]
kind = "polycrystal"
grains = 4
resolution = 8
seed = 3
"""

PRESET = {"name": "tiny-failure-test", "bulk_repeat": [3, 3, 3], "draws": 2, "bridge_single_crystal": False}


def rows(db: pathlib.Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db) as c:
        return sorted(c.execute("SELECT stage, json, created_at FROM stages").fetchall())


def failure_rows(db: pathlib.Path) -> list[tuple[str, str, int]]:
    return [r for r in rows(db) if r[0].endswith(".failed")]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "ar-bcc.toml").write_text(BCC_AR)
    (tmp_path / "ar-fcc.toml").write_text(BCC_AR.replace('"Ar-bcc"', '"Ar-fcc"').replace('lattice = "bcc", elements = { Ar = 1.0 }, a = 4.2', 'lattice = "fcc", elements = { Ar = 1.0 }, a = 5.26'))
    (tmp_path / "preset.json").write_text(json.dumps(PRESET))
    (tmp_path / "design.toml").write_text('name = "argon-lattices"\nmaterials = ["ar-fcc.toml", "ar-bcc.toml"]\n')
    return tmp_path


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([scalebridge_cli(), *args], capture_output=True, text=True, timeout=600)


def test_describe_replays_a_recorded_failure_and_retries_on_request(files):
    db = files / "results.db"
    cmd = ["describe", str(files / "ar-bcc.toml"), "--json", "--threads", "1", "--preset", str(files / "preset.json"), "--database", f"sqlite://{db}", "--cache", str(files / "cache")]
    first = run(cmd)
    assert first.returncode != 0
    assert "not positive definite" in first.stderr, first.stderr
    assert "failed deterministically" in first.stderr and "recorded" in first.stderr
    rec = failure_rows(db)
    assert len(rec) == 1, rec
    record = json.loads(rec[0][1])
    assert record["stage"] == "homogenisation"
    assert record["error"] in first.stderr
    assert record["cpu_s"] >= 0 and record["provenance"]["input_hash"] and record["provenance"]["version"]
    before = rows(db)
    assert len(before) >= 3  # the structure and the 0 K elastic stage were computed and stored
    # `store status` counts the finished stages and the failure record
    st = run(["store", "status", str(db), "--json"])
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout)["stages"] == [{"task_hash": "describe-stages", "finished": len(before) - 1, "failure_records": 1}]
    assert "1 failure records" in run(["store", "status", str(db)]).stdout

    second = run(cmd)
    assert second.returncode != 0

    def err(p: subprocess.CompletedProcess) -> list[str]:
        return [line for line in p.stderr.splitlines() if "not positive definite" in line and not line.startswith("note:")]

    assert err(second) == err(first), (first.stderr, second.stderr)
    assert "replayed from its failure record, nothing computed" in second.stderr
    assert rows(db) == before, "the rerun wrote to the store (a stage was computed)"

    third = run(cmd + ["--retry-failed"])
    assert third.returncode != 0 and err(third) == err(first)
    assert "replayed" not in third.stderr
    after = failure_rows(db)
    assert len(after) == 1 and after[0][2] > rec[0][2], "--retry-failed did not compute the stage again"
    assert json.loads(after[0][1])["provenance"]["recorded_unix_ms"] > record["provenance"]["recorded_unix_ms"]
    # the successful stages were not touched
    assert [r for r in rows(db) if not r[0].endswith(".failed")] == [r for r in before if not r[0].endswith(".failed")]


def test_dataset_build_counts_replayed_failures(files):
    db = files / "results.db"
    cmd = ["dataset", "build", str(files / "design.toml"), "--out", str(files / "t.parquet"), "--threads", "1", "--preset", str(files / "preset.json"), "--database", f"sqlite://{db}", "--cache", str(files / "cache")]
    first = run(cmd)
    assert first.returncode == 0, first.stderr
    failed = [line for line in first.stdout.splitlines() if line.strip().startswith("failed:")]
    assert len(failed) == 1 and "ar-bcc.toml" in failed[0] and "not positive definite" in failed[0], first.stdout
    assert "(1 material(s) failed)" in first.stdout
    before = rows(db)
    second = run(cmd)
    assert second.returncode == 0, second.stderr
    assert [line for line in second.stdout.splitlines() if line.strip().startswith("failed:")] == failed
    assert "1 material(s) failed; 1 of them replayed from stored failure records" in second.stdout, second.stdout
    assert rows(db) == before
    third = run(cmd + ["--retry-failed"])
    assert third.returncode == 0 and "replayed" not in third.stdout
    assert failure_rows(db)[0][2] > [r for r in before if r[0].endswith(".failed")][0][2]


def test_python_describe_raises_the_same_error_and_retries(files):
    import scalebridge
    from scalebridge import pipeline

    db = files / "results.db"
    kw = dict(threads=1, cache_dir=files / "cache", database=f"sqlite://{db}")
    # the preset file is a CLI option; the Python call uses the quick preset (a different stage key)
    with pytest.raises(scalebridge.InputError) as first:
        pipeline.describe(files / "ar-bcc.toml", quick=True, **kw)
    assert "not positive definite" in str(first.value)
    before = rows(db)
    assert len(failure_rows(db)) == 1
    with pytest.raises(type(first.value)) as second:
        pipeline.describe(files / "ar-bcc.toml", quick=True, **kw)
    assert str(second.value) == str(first.value)
    assert rows(db) == before
    with pytest.raises(type(first.value)) as third:
        pipeline.describe(files / "ar-bcc.toml", quick=True, retry_failed=True, **kw)
    assert str(third.value) == str(first.value)
    assert failure_rows(db)[0][2] > [r for r in before if r[0].endswith(".failed")][0][2], "retry_failed did not compute the stage again"


def test_python_interruption_records_no_failure(files):
    from scalebridge import pipeline

    db = files / "results.db"
    kw = dict(threads=1, cache_dir=files / "cache", database=f"sqlite://{db}")
    asked = []

    def stop_in_elastic(done, total, stage):
        asked.append(stage)
        return "elastic" not in stage and stage != "homogenisation"

    with pytest.raises(KeyboardInterrupt):
        pipeline.describe(files / "ar-bcc.toml", quick=True, progress=stop_in_elastic, **kw)
    assert any("elastic" in s or s == "homogenisation" for s in asked), asked
    assert failure_rows(db) == [], "an interruption was recorded as a failure"
    # the next call is not fooled: it computes the stage and records the real failure
    with pytest.raises(Exception, match="not positive definite"):
        pipeline.describe(files / "ar-bcc.toml", quick=True, **kw)
    assert len(failure_rows(db)) == 1


def test_a_tolerated_stage_failure_is_replayed_as_the_same_warning(files):
    """Argon at 40 K with a melting stage that cannot find its bracket (no expansion allowed:
    the crystal does not melt on the short heating run, a deterministic failure after a few
    seconds of MD). The pipeline turns it into a warning; the rerun replays the record (the
    melting stage is not run, nothing is written) and gives the identical warnings and
    properties."""
    db = files / "results.db"
    (files / "ar40.toml").write_text((files / "ar-fcc.toml").read_text().replace("temperature_K = 0", "temperature_K = 40"))
    preset = dict(PRESET, name="tiny-melt-failure-test", melt_repeat=[3, 3, 12],
                  elastic_thermal={"npt_steps": 640, "equilibration_steps": 50, "production_steps": 250, "blocks": 5},
                  green_kubo={"seeds": [1], "equilibration_steps": 200, "production_steps": 2000, "correlation_time": 0.5},
                  melting={"search_steps": 1000, "equilibrate_steps": 500, "melt_steps": 500, "trial_steps": 1000, "bisections": 0,
                           "nph_steps": 0, "ramp_steps": 0, "sample_every": 100, "max_expansions": 0})
    (files / "p40.json").write_text(json.dumps(preset))
    cmd = ["describe", str(files / "ar40.toml"), "--json", "--threads", "1", "--preset", str(files / "p40.json"), "--database", f"sqlite://{db}", "--cache", str(files / "cache")]
    first = run(cmd)
    assert first.returncode == 0, first.stderr
    d1 = json.loads(first.stdout)
    melt = [w for w in d1["warnings"] if "T_transition_K not available" in w]
    assert len(melt) == 1 and "T_transition_K" not in d1["properties"], d1["warnings"]
    rec = failure_rows(db)
    assert len(rec) == 1 and json.loads(rec[0][1])["stage"] == "Ar/melting"
    assert json.loads(rec[0][1])["error"] in melt[0]
    before = rows(db)
    second = run(cmd)
    assert second.returncode == 0, second.stderr
    d2 = json.loads(second.stdout)
    assert d2["warnings"] == d1["warnings"] and d2["properties"] == d1["properties"]
    assert d2["provenance"]["atomistic_stages_run"] == 0
    assert rows(db) == before, "the melting stage was run again"
