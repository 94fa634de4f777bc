"""The 0 K elastic protocol on ionic and covalent crystals against LAMMPS running the same strain
protocol (examples/ELASTIC: box/relax, ±1e-3 strains with internal relaxation): SrTiO3 (Buckingham
with formal charges + Ewald, and + PPPM with g, mesh and order pinned), layered LiCoO2 (Pedone 2006
pairs, q(Co) = 1.8, + Ewald), olivine LiFePO4 (Pedone 2006 + Ewald) and beta-SiC (Tersoff 1989).
References: tests/reference/elastic/<case>.json, written by scripts/make_elastic_references.py;
the slow oracle test regenerates one case with a fresh LAMMPS run."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from ase.io import read

from scalebridge import potentials
from scalebridge.oracle import potentials_dir
from scalebridge.properties import ProtocolWarning, elastic_constants

REF = os.path.join(os.path.dirname(__file__), "reference", "elastic")
CASES = ["srtio3_buck_ewald", "srtio3_buck_pppm", "licoo2_pedone_ewald", "lifepo4_pedone_ewald", "sic_tersoff"]
# the cathode cases relax internal coordinates at every strain (O z in LiCoO2, every site of the
# olivine) with Ewald on 112-144 atoms: over 20 s, slow-marked (run with `-m slow`)
SLOW: set[str] = {"licoo2_pedone_ewald", "lifepo4_pedone_ewald"}


def _load(name: str, which: str = "relaxed_xyz"):
    with open(os.path.join(REF, f"{name}.json")) as f:
        doc = json.load(f)
    atoms = read(os.path.join(REF, doc[which]))
    pot_dir = potentials_dir()
    if any("{potdir}" in ln for ln in doc["lammps_lines"]) and pot_dir is None:
        pytest.skip("LAMMPS potential files not available")
    lines = [ln.format(potdir=pot_dir) for ln in doc["lammps_lines"]]
    pot = potentials.from_lammps(lines, doc["elements"], charges=doc["charges"])
    return doc, atoms, pot


def _elastic(doc, atoms, pot, **kw):
    """Our protocol; with Coulomb styles the cohesive energy (isolated ions) is left out with a warning."""
    if doc["charges"]:
        with pytest.warns(ProtocolWarning, match="cohesive energy left out"):
            return elastic_constants(atoms, pot, **kw)
    return elastic_constants(atoms, pot, **kw)


def _compare(doc, r):
    ours = np.asarray(r["C_GPa"])
    ref = np.asarray(doc["C_GPa"])
    scale = np.max(np.abs(ref))
    msg = f"\nours\n{ours.round(3)}\nLAMMPS\n{ref.round(3)}"
    print(f"{doc['structure_xyz']}: max |ours - LAMMPS| / max|C| = {np.max(np.abs(ours - ref)) / scale:.2e}")
    # every entry within 0.5 % of the largest, every diagonal entry within 0.5 %
    assert np.max(np.abs(ours - ref)) < 0.005 * scale, msg
    for i in range(6):
        assert ours[i, i] == pytest.approx(ref[i, i], rel=0.005), msg
    return ours, ref


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES]
)
def test_static_constants_match_lammps_protocol(name):
    """The strain stage of the protocol from LAMMPS's relaxed reference (relax_cell=False): the
    same ±1e-3 deformations, internal coordinates relaxed at every strain."""
    doc, atoms, pot = _load(name)
    r = _elastic(doc, atoms, pot, relax_cell=False)
    ours, ref = _compare(doc, r)
    assert np.all(np.linalg.eigvalsh(ref) > 0) and r["moduli"]["born_stable"]


@pytest.mark.parametrize("name", [pytest.param("srtio3_buck_ewald", marks=pytest.mark.slow), "sic_tersoff"])
def test_full_protocol_from_the_prototype_matches_lammps(name):
    """The whole 0 K protocol from the published prototype (cell relaxed to zero stress first):
    LAMMPS's relaxed cell, cohesive state and C."""
    doc, atoms, pot = _load(name, "structure_xyz")
    r = _elastic(doc, atoms, pot)
    _compare(doc, r)
    assert r.value("state.energy_per_atom") == pytest.approx(doc["energy_per_atom_eV"], abs=1e-7)
    lx, ly, lz = doc["cell_lammps"][:3]
    assert np.allclose(np.diag(np.asarray(r["cell"])), [lx, ly, lz], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.oracle
def test_reference_equals_a_fresh_lammps_run(tmp_path):
    """The stored SrTiO3 reference is what the generator gives now (regeneration is deterministic)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "scripts", "make_elastic_references.py")
    spec = importlib.util.spec_from_file_location("_sb_mer", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    fresh = mod.make("sic_tersoff", out=str(tmp_path))
    with open(os.path.join(REF, "sic_tersoff.json")) as f:
        stored = json.load(f)
    assert np.allclose(fresh["C_GPa"], stored["C_GPa"], rtol=1e-8, atol=1e-6)


@pytest.mark.parametrize("name", ["si_tersoff", "si_tersoff_1989"])
def test_describe_gives_lammps_c44_for_tersoff_si(name, tmp_path):
    """`describe` of diamond Si (crystal form, relaxed from the prototype) gives LAMMPS's 0 K C
    for the same file: Si.tersoff (Tersoff 1988a, PRB 37, 6991) has C44 of about 10 GPa — that
    set's known weakness, not a protocol error — and the Tersoff 1989 Si rows (SiCGe.tersoff)
    about 69 GPa (relaxed)."""
    from scalebridge import pipeline

    with open(os.path.join(REF, f"{name}.json")) as f:
        doc = json.load(f)
    pot_dir = potentials_dir()
    if pot_dir is None:
        pytest.skip("LAMMPS potential files not available")
    lines = [ln.format(potdir=pot_dir) for ln in doc["lammps_lines"]]
    material = {
        "name": "Si", "class": "covalent", "temperature_K": 0,
        "phase": [{"name": "Si", "structure": {"lattice": "diamond", "elements": "Si"},
                   "potential": {"lammps": lines, "elements": ["Si"]}}],
    }
    d = pipeline.describe(material, quick=True, cache_dir=str(tmp_path / "cache"), base_dir=str(tmp_path))
    ours = np.asarray(d["phases"][0]["C0_GPa"])
    ref = np.asarray(doc["C_GPa"])
    assert ours[3, 3] == pytest.approx(ref[3, 3], rel=0.005), f"C44 ours {ours[3, 3]:.3f} LAMMPS {ref[3, 3]:.3f}"
    assert ours[0, 0] == pytest.approx(ref[0, 0], rel=0.005) and ours[0, 1] == pytest.approx(ref[0, 1], rel=0.005)
