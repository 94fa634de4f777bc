"""The shipped demo campaign (examples/campaigns/stiff-alloys.toml, run by scripts/demo.sh): it
parses (the Rust loader expands its space and reads every material file it names), spans at least
three material classes including an ionic one, and every ionic candidate is charge-neutral with
its generator's charges. No MD runs here (a second or two)."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from scalebridge import campaign, potentials, structures

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "campaigns" / "stiff-alloys.toml"


def spec() -> dict:
    return tomllib.loads(DEMO.read_text())


def materials() -> list[tuple[pathlib.Path, dict]]:
    return [(DEMO.parent / m, tomllib.loads((DEMO.parent / m).read_text())) for m in spec()["space"]["materials"]]


def classes() -> set[str]:
    space = spec()["space"]
    ms = space.get("microstructure", [])
    ms = ms if isinstance(ms, list) else [ms]
    out = {"composite" if "inclusion" in m else "alloy" for m in ms} if space.get("elements") else set()
    return out | {m["class"] for _, m in materials()}


def test_demo_spans_three_classes_with_an_ionic_one():
    c = classes()
    assert len(c) >= 3, c
    assert "ionic" in c, c


def test_rust_loader_accepts_the_demo_campaign(tmp_path):
    # a copy whose output goes to tmp_path (the shipped one writes under out/)
    d = tmp_path / "campaigns"
    d.mkdir()
    for p, _ in materials():
        shutil.copy(p, d / p.name)
    text = DEMO.read_text().replace('directory = "../../out/campaign-stiff-alloys"', f'directory = "{tmp_path / "out"}"')
    text = text.replace('database = "sqlite:///../../out/campaign-stiff-alloys/results.db"', f'database = "sqlite:///{tmp_path / "out" / "results.db"}"')
    assert str(tmp_path / "out") in text, "the demo's [output] keys changed: update this test"
    f = d / DEMO.name
    f.write_text(text)
    st = campaign.status(str(f))
    assert st["budget"] == spec()["search"]["budget"]
    assert st["done"] == 0 and st["failed"] == 0 and st["duplicates"] == 0
    # the first batch is drawn from the whole space (alloys, composites and the material files)
    batch = campaign.next_batch(str(f))
    assert len(batch) == spec()["search"]["batch"], batch


def ionic_materials() -> list[tuple[pathlib.Path, dict]]:
    return [(p, m) for p, m in materials() if m["class"] == "ionic"]


@pytest.mark.parametrize("path", [p for p, _ in ionic_materials()], ids=lambda p: p.stem)
def test_ionic_candidate_is_neutral_with_its_generator_charges(path):
    m = tomllib.loads(path.read_text())
    (phase,) = m["phase"]
    st = phase["structure"]
    pot = phase["potential"]
    assert pot["generator"] == "pedone2006"
    atoms = structures.crystal(st["lattice"], st["elements"], a=st.get("a"))
    els = sorted(set(atoms.get_chemical_symbols()))
    assert "O" in els and len(els) >= 2, els
    q = pedone_charges()
    assert all(e in q and q[e] != 0 for e in els), (els, q)
    net = sum(q[s] for s in atoms.get_chemical_symbols())
    assert abs(net) < 1e-9, (path.name, net)
    # the Rust side agrees: the potential builds with these elements and charges
    potentials.from_spec({"generator": "pedone2006", "elements": els, "cutoff": 10.0, "coulomb": {"pair_style": "coul/long", "cutoff": 10.0, "kspace": {"style": "pppm", "accuracy": 1e-5}}})


def pedone_charges() -> dict[str, float]:
    """The charges of the shipped Pedone 2006 set (`charge El q` lines of its data file)."""
    text = (ROOT / "crates/md/src/potentials/ionic/data/pedone2006.lammps").read_text()
    rows = [ln.split("#")[0].split() for ln in text.splitlines() if ln.startswith("charge ")]
    return {r[1]: float(r[2]) for r in rows}
