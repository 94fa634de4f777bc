"""The results store from Python and the CLI (SQLite always, PostgreSQL when
SCALEBRIDGE_TEST_POSTGRES_URL is set, as .ci/run does), its exports (Parquet feature table, ASE
database) and the property-table importers (`scalebridge import`)."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pytest

import scalebridge.store as sbstore
from scalebridge.exceptions import InputError, StorageError
from scalebridge.features import read_table

ROOT = Path(__file__).resolve().parents[1]


def _cli():
    exe = ROOT / ".venv" / "bin" / "scalebridge"
    return str(exe) if exe.exists() else shutil.which("scalebridge")


needs_cli = pytest.mark.skipif(_cli() is None, reason="scalebridge CLI not installed")

RESULT_A = {"E_GPa": {"value": 200.0, "stderr": 2.0, "unit": "GPa"}, "kappa_W_mK": 12.5,
            "provenance": {"input_hash": "a", "seeds": [1]},
            "structure": {"symbols": ["Cu", "Cu"], "positions": [[0, 0, 0], [1.8, 1.8, 0]], "cell": [[3.6, 0, 0], [0, 3.6, 0], [0, 0, 3.6]], "pbc": True}}


def _contract(store, campaign):
    assert store.add_pending(campaign, [("p", {"x": 1}), ("q", "{}")]) == 2
    assert store.counts(campaign)["pending"] == 2
    assert store.claim(campaign, "a", {"composition": {"Cu": 1.0}, "lattice": "fcc"}, "w1") == ("new", None)
    assert store.claim(campaign, "a", {}, "w2") == ("running", None)
    assert store.put_result(campaign, "a", RESULT_A) is True
    assert store.put_result(campaign, "a", {"E_GPa": 1.0}) is False  # idempotent
    assert store.claim(campaign, "a", {}, "w2") == ("done", RESULT_A)
    assert store.claim(campaign, "b", {"composition": {"Ni": 1.0}, "lattice": "fcc"}, "w1")[0] == "new"
    store.mark_failed(campaign, "b", "diverged")
    c = store.counts(campaign)
    assert c == {"done": 1, "failed": 1, "pending": 2, "running": 0, "duplicates": 0}
    tasks = {t["task_hash"]: t for t in store.tasks(campaign)}
    assert tasks["a"]["result"] == RESULT_A and tasks["a"]["status"] == "done"
    assert tasks["b"]["status"] == "failed" and tasks["b"]["error"] == "diverged" and tasks["b"]["attempts"] == 1
    assert campaign in store.campaigns()
    with pytest.raises(InputError):
        store.put_result(campaign, "c", "{not json")
    # blobs by hash
    data = np.arange(1000, dtype=np.float64).tobytes()
    h = store.put_blob(data)
    assert store.blob_path(h).read_bytes() == data
    # picklable (Dask ships it to workers by URL)
    again = pickle.loads(pickle.dumps(store))
    assert again.counts(campaign) == c


def test_sqlite_store_from_python(tmp_path):
    store = sbstore.open(f"sqlite://{tmp_path / 'r.db'}")
    assert store.url == f"sqlite://{tmp_path / 'r.db'}"
    _contract(store, "c1")


def test_postgres_store_from_python():
    url = os.environ.get("SCALEBRIDGE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SCALEBRIDGE_TEST_POSTGRES_URL is not set (scripts/postgres.sh start; .ci/run sets it)")
    store = sbstore.open(url)
    _contract(store, f"py-{uuid.uuid4().hex}")


def test_storage_errors_are_python_exceptions(tmp_path):
    with pytest.raises(InputError, match="unsupported scheme"):
        sbstore.open("mysql://x/y")
    db = tmp_path / "ro.db"
    sbstore.open(str(db)).put_result("c", "a", {"x": 1})
    ro = sbstore.open(f"sqlite://{db}?mode=ro")
    with pytest.raises(StorageError, match="read-only"):
        ro.put_result("c", "b", {"x": 2})
    assert ro.counts("c")["done"] == 1
    bad = tmp_path / "bad.db"
    bad.write_text("not a database " * 400)
    with pytest.raises(StorageError, match="corrupt"):
        sbstore.open(str(bad))


def test_results_export_to_parquet_and_ase_db(tmp_path):
    import ase.db
    import ase.io
    from ase.build import bulk

    store = sbstore.open(str(tmp_path / "r.db"))
    store.claim("c", "a", {"composition": {"Cu": 1.0}, "lattice": "fcc", "temperature_K": 300}, "w")
    store.put_result("c", "a", RESULT_A)
    # a structure stored as an extxyz blob beside the database
    ni = bulk("Ni", "fcc", a=3.52, cubic=True)
    buf = io.StringIO()
    ase.io.write(buf, ni, format="extxyz")
    h = store.put_blob(buf.getvalue().encode())
    store.claim("c", "b", {"composition": {"Ni": 1.0}, "lattice": "fcc", "temperature_K": 600}, "w")
    store.put_result("c", "b", {"E_GPa": {"value": 230.0, "stderr": 3.0, "unit": "GPa"}, "structure_blob": h})
    store.claim("c", "pending", {}, "w")

    out = store.export_parquet("c", tmp_path / "results.parquet")
    df = read_table(out)
    assert list(df["material"]) == ["a", "b"]
    assert df.attrs["unit"]["E_GPa"] == "GPa" and df.attrs["scale"]["E_GPa"] == "target"
    assert df.attrs["scale"]["E_GPa_stderr"] == "uncertainty"
    assert df.attrs["unit"]["temperature_K"] == "K"
    assert list(df["x_Ni"]) == [0.0, 1.0]
    assert list(df["E_GPa"]) == [200.0, 230.0]

    n = store.export_ase_db("c", tmp_path / "structures.db")
    assert n == 2
    db = ase.db.connect(str(tmp_path / "structures.db"))
    rows = {r.task_hash: r for r in db.select()}
    assert set(rows) == {"a", "b"}
    assert rows["a"].E_GPa == 200.0 and rows["a"].campaign == "c"
    np.testing.assert_allclose(rows["a"].toatoms().positions, RESULT_A["structure"]["positions"])
    np.testing.assert_allclose(rows["b"].toatoms().positions, ni.positions)
    assert rows["b"].toatoms().get_chemical_symbols() == ["Ni"] * 4
    assert rows["b"].data["result"]["structure_blob"] == h
    with pytest.raises(InputError, match="no finished results"):
        store.export_parquet("empty", tmp_path / "x.parquet")


MP_DOCS = {"data": [
    {"material_id": "mp-149", "formula_pretty": "Si", "composition": {"Si": 2.0}, "band_gap": 0.85,
     "bulk_modulus": {"voigt": 88.6, "reuss": 88.6, "vrh": 88.6}, "shear_modulus": {"voigt": 64.8, "reuss": 60.8, "vrh": 62.8}},
    {"material_id": "mp-1143", "formula_pretty": "Al2O3", "composition": {"Al": 4.0, "O": 6.0}, "band_gap": 5.85,
     "bulk_modulus": {"vrh": 231.0}, "shear_modulus": {"vrh": 147.0}},
]}


@needs_cli
def test_cli_import_writes_a_unit_tagged_table(tmp_path):
    src = tmp_path / "mp.json"
    src.write_text(json.dumps(MP_DOCS))
    out = tmp_path / "mp.parquet"
    p = subprocess.run([_cli(), "import", "mp", str(src), "--out", str(out), "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["rows"] == 2 and summary["source"] == "mp"
    df = read_table(out)
    assert list(df["material"]) == ["mp-149", "mp-1143"]
    assert list(df["bulk_modulus_vrh"]) == [88.6, 231.0]
    assert df.attrs["unit"]["bulk_modulus_vrh"] == "GPa" and df.attrs["scale"]["x_Al"] == "composition"
    assert list(df["x_O"]) == [0.0, 0.6]
    # a malformed record: the error names the record and the field
    src.write_text(json.dumps([{"material_id": "mp-9", "formula_pretty": "Fe", "band_gap": "wide"}]))
    p = subprocess.run([_cli(), "import", "mp", str(src), "--out", str(tmp_path / "bad.parquet")], capture_output=True, text=True)
    assert p.returncode != 0
    assert "mp-9" in p.stderr and "band_gap" in p.stderr and "wide" in p.stderr
    assert not (tmp_path / "bad.parquet").exists()
    # Matbench CSV with an explicit unit
    csv = tmp_path / "mb.csv"
    csv.write_text("formula,target\nFe2O3,1.5\nNiAl,0.0\n")
    p = subprocess.run([_cli(), "import", "matbench", str(csv), "--out", str(tmp_path / "mb.parquet"), "--unit", "eV"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert read_table(tmp_path / "mb.parquet").attrs["unit"]["target"] == "eV"


def test_python_import_table_jarvis(tmp_path):
    src = tmp_path / "dft_3d.json"
    src.write_text(json.dumps([
        {"jid": "JVASP-1002", "formula": "Si", "atoms": {"elements": ["Si", "Si"]}, "bulk_modulus_kv": 87.3, "shear_modulus_gv": 63.9, "mbj_bandgap": "na"},
    ]))
    df = sbstore.import_table("jarvis", src)
    assert df["bulk_modulus_voigt"][0] == 87.3 and df.attrs["unit"]["shear_modulus_voigt"] == "GPa"
    assert np.isnan(df["band_gap_mbj"][0])
    with pytest.raises(InputError, match="expected mp, jarvis"):
        sbstore.import_table("nomad", src)


@needs_cli
def test_cli_store_status_and_export(tmp_path):
    db = tmp_path / "r.db"
    store = sbstore.open(str(db))
    store.claim("c", "a", {"lattice": "fcc"}, "w")
    store.put_result("c", "a", {"E_GPa": {"value": 200.0, "unit": "GPa"}})
    p = subprocess.run([_cli(), "store", "status", str(db), "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["campaigns"]["c"] == {"done": 1, "failed": 0, "pending": 0, "running": 0, "duplicates": 0}
    assert doc["database"] == f"sqlite://{db}"
    p = subprocess.run([_cli(), "store", "export", str(db), "--campaign", "c", "--out", str(tmp_path / "c.parquet")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert list(read_table(tmp_path / "c.parquet")["E_GPa"]) == [200.0]
