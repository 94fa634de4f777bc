"""The scale- and unit-tagged feature table: Parquet written by Rust, read by pandas/pyarrow with
its metadata, and trained on by the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from scalebridge.exceptions import InputError
from scalebridge.features import columns_of_scale, read_table
from conftest import scalebridge_cli

ROOT = Path(__file__).resolve().parents[1]


needs_cli = pytest.mark.skipif(scalebridge_cli() is None, reason="scalebridge CLI not installed")


def _csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    elems = ["Fe", "Ni", "Cu", "Al", "Co", "Cr", "Ti", "Mg"]
    rows = []
    for i in range(200):
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
    cmd = [scalebridge_cli(), "dataset", "from-csv", str(data), "--out", str(out), "--target", "E=GPa", "--column", "a=atomistic:Å", "--class", "kind"]
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
    assert len(df) == 201
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
    r = subprocess.run([scalebridge_cli(), "train", str(out), "--target", "E", "--model", "gbm", "--out", str(model)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([scalebridge_cli(), "evaluate", str(out), "--target", "E", "--cv", "3", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["cv"]["mae_mean"] < rep["dummy_mae"]
    per = {c["class"]: c["metrics"]["n"] for c in rep["per_class"]}
    assert per == {"alloy": 100, "metal": 100, "oxide": 1}
    # ablation by scale: only the atomistic column (the lattice parameter tracks the target)
    r = subprocess.run([scalebridge_cli(), "evaluate", str(out), "--target", "E", "--cv", "3", "--json", "--scales", "atomistic"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cv"]["mae_mean"] < rep["dummy_mae"]
    r = subprocess.run([scalebridge_cli(), "evaluate", str(out), "--target", "E", "--scales", "physics"], capture_output=True, text=True)
    assert r.returncode != 0 and "no numeric feature columns" in r.stderr
    pred = tmp_path / "pred.csv"
    r = subprocess.run([scalebridge_cli(), "predict", str(model), str(out), "--out", str(pred)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(pred)
    assert len(p) == 201 and p["prediction"].notna().all()


def test_read_table_refuses_a_file_without_metadata(tmp_path):
    p = tmp_path / "plain.parquet"
    pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(p)
    with pytest.raises(InputError, match="'x'.*'scale'"):
        read_table(p)
    with pytest.raises(InputError):
        read_table(tmp_path / "missing.parquet")


@needs_cli
def test_dataset_build_from_tiny_materials_and_train(tmp_path):
    """`dataset build` over a list (one description file) and a [space] (Cu, Ni, CuNi with the
    Zhou 2004 generator), static 0 K properties (temperature_K = 0, --quick): one row per
    material, scale/unit metadata from Rust, resumable from the stage cache."""
    (tmp_path / "ni.toml").write_text(
        'name = "Ni-file"\nclass = "metal"\ntemperature_K = 0\n[[phase]]\nname = "Ni"\n'
        'structure = { lattice = "fcc", elements = { Ni = 1.0 } }\npotential = { generator = "zhou2004" }\n'
        'fraction = 1.0\n[microstructure]\nkind = "single-crystal"\nresolution = 8\n'
    )
    (tmp_path / "design.toml").write_text(
        'name = "tiny"\nmaterials = ["ni.toml"]\n[space]\nelements = ["Cu", "Ni"]\ncomponents = [1, 2]\nstep = 0.5\n'
        'lattice = "fcc"\ntemperature_K = 0\nmicrostructure = { kind = "polycrystal", grains = 4, resolution = 8 }\n'
        'potential = { generator = "zhou2004" }\n'
    )
    out = tmp_path / "table.parquet"
    cache = tmp_path / "cache"
    cmd = [scalebridge_cli(), "dataset", "build", str(tmp_path / "design.toml"), "--out", str(out), "--quick", "--cache", str(cache)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "[4/4]" in r.stderr
    df = read_table(out)
    assert list(df["material"]) == ["Ni-file", "Cu-fcc", "Ni-fcc", "Cu0.5Ni0.5-fcc"]
    assert list(df["class"]) == ["metal", "metal", "metal", "alloy"]
    assert list(df["state"]) == ["0K"] * 4
    assert list(df["formula"]) == ["Ni", "Cu", "Ni", "Cu0.5Ni0.5"]
    for c in df.columns:
        assert df.attrs["scale"][c] in ("id", "composition", "atomistic", "mesoscale", "continuum", "physics", "target", "uncertainty")
        assert df.attrs["unit"][c]
    assert df.attrs["scale"]["E_GPa"] == "target" and df.attrs["unit"]["E_GPa"] == "GPa"
    assert df.attrs["scale"]["c0_K_H_GPa"] == "continuum"
    assert df.attrs["scale"]["pugh_G_over_B"] == "physics" and df.attrs["unit"]["pugh_G_over_B"] == "1"
    assert df.attrs["scale"]["mean_MeltingT"] == "composition"
    # the same Ni (file and space point) gives the same 0 K stiffness columns
    assert df["c0_K_H_GPa"].iloc[0] == pytest.approx(df["c0_K_H_GPa"].iloc[2], rel=1e-9)
    # Pugh ratio of the 0 K MD moduli, consistent with its inputs
    g = df["shear_modulus_hill_0K"] / df["bulk_modulus_hill_0K"]
    np.testing.assert_allclose(df["pugh_G_over_B"], g, rtol=1e-12)
    # E from the description is a target column only (no input named E_GPa)
    assert (df["E_GPa"] > 50).all()
    # a second build is served from the stage cache and gives identical values
    first = out.read_bytes()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    df2 = read_table(out)
    pd.testing.assert_frame_equal(df.drop(columns=[]), df2)
    assert len(first) > 0
    # a GBM trains on the table (tiny: a smoke test of the path, not of accuracy)
    model = tmp_path / "model"
    r = subprocess.run([scalebridge_cli(), "train", str(out), "--target", "E_GPa", "--model", "gbm", "--out", str(model),
                        "--scales", "composition,atomistic"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (model / "model.json").exists()
