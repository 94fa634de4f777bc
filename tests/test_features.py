"""The scale- and unit-tagged feature table: Parquet written by Rust, read by pandas/pyarrow with
its metadata, and trained on by the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from scalebridge.exceptions import InputError
from scalebridge.features import columns_of_scale, read_table

ROOT = Path(__file__).resolve().parents[1]


def _cli():
    exe = ROOT / ".venv" / "bin" / "scalebridge"
    return str(exe) if exe.exists() else shutil.which("scalebridge")


needs_cli = pytest.mark.skipif(_cli() is None, reason="scalebridge CLI not installed")


def _csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    elems = ["Fe", "Ni", "Cu", "Al", "Co", "Cr", "Ti", "Mg"]
    rows = []
    for i in range(60):
        a, b = rng.choice(elems, 2, replace=False)
        n = int(rng.integers(1, 4))
        kind = "alloy" if i % 2 else "metal"
        a_lat = 3.0 + 0.1 * n + rng.normal(scale=0.01)
        rows.append((f"{a}{n}{b}", 100.0 + 20.0 * n + rng.normal(scale=1.0), a_lat, kind, "x"))
    rows.append(("Fe2O3", 250.0, 5.0, "oxide", "y"))
    p = tmp_path / "data.csv"
    pd.DataFrame(rows, columns=["formula", "E", "a", "kind", "note"]).to_csv(p, index=False)
    return p


@needs_cli
def test_rust_written_table_reads_in_pandas_with_metadata(tmp_path):
    data = _csv(tmp_path)
    out = tmp_path / "sub" / "table.parquet"
    cmd = [_cli(), "dataset", "from-csv", str(data), "--out", str(out), "--target", "E=GPa", "--column", "a=atomistic:Å", "--class", "kind"]
    # an undeclared column (no unit) is refused, naming it
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode != 0 and '"note"' in r.stderr and "unit" in r.stderr
    assert not out.exists()
    r = subprocess.run(cmd + ["--exclude", "note"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not [p for p in out.parent.iterdir() if p.name != "table.parquet"]  # no temporary file left

    # pyarrow: every field has exactly the keys `scale` and `unit`
    schema = pq.read_schema(out)
    for field in schema:
        assert set(field.metadata) == {b"scale", b"unit"}, field.name
    assert schema.field("material").metadata[b"scale"] == b"id"

    df = read_table(out)
    assert len(df) == 61
    assert list(df.columns[:3]) == ["material", "class", "formula"]
    assert df.attrs["scale"]["E"] == "target" and df.attrs["unit"]["E"] == "GPa"
    assert df.attrs["scale"]["a"] == "atomistic" and df.attrs["unit"]["a"] == "Å"
    assert df.attrs["unit"]["mean_MeltingT"] == "K" and df.attrs["scale"]["mean_MeltingT"] == "composition"
    assert df.attrs["unit"]["norm_2"] == "1" and df.attrs["unit"]["class"] == "1"
    assert set(df.attrs["scale"]) == set(df.columns) == set(df.attrs["unit"])
    assert "scalebridge_version" in df.attrs
    src = pd.read_csv(data)
    np.testing.assert_array_equal(df["E"].to_numpy(), src["E"].to_numpy())
    assert list(df["class"]) == list(src["kind"])
    ox = df[df["formula"] == "Fe2O3"].iloc[0]
    assert ox["mean_Number"] == pytest.approx(0.4 * 26 + 0.6 * 8)
    assert len(columns_of_scale(df, "composition")) > 100
    assert columns_of_scale(df, "atomistic") == ["a"]

    # the CLI trains on the table (scales from metadata) and reports per-class metrics
    model = tmp_path / "model"
    r = subprocess.run([_cli(), "train", str(out), "--target", "E", "--model", "gbm", "--out", str(model)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([_cli(), "evaluate", str(out), "--target", "E", "--cv", "3", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["cv"]["mae_mean"] < rep["dummy_mae"]
    per = {c["class"]: c["metrics"]["n"] for c in rep["per_class"]}
    assert per == {"alloy": 30, "metal": 30, "oxide": 1}
    # ablation by scale: only the atomistic column (the lattice parameter tracks the target)
    r = subprocess.run([_cli(), "evaluate", str(out), "--target", "E", "--cv", "3", "--json", "--scales", "atomistic"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cv"]["mae_mean"] < rep["dummy_mae"]
    r = subprocess.run([_cli(), "evaluate", str(out), "--target", "E", "--scales", "physics"], capture_output=True, text=True)
    assert r.returncode != 0 and "no numeric feature columns" in r.stderr
    pred = tmp_path / "pred.csv"
    r = subprocess.run([_cli(), "predict", str(model), str(out), "--out", str(pred)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(pred)
    assert len(p) == 61 and p["prediction"].notna().all()


def test_read_table_refuses_a_file_without_metadata(tmp_path):
    p = tmp_path / "plain.parquet"
    pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(p)
    with pytest.raises(InputError, match="'x'.*'scale'"):
        read_table(p)
    with pytest.raises(InputError):
        read_table(tmp_path / "missing.parquet")
