"""Local lattice distortion of a random solid solution (`protocols::distortion`) against LAMMPS.

LAMMPS relaxes the same random Cu₀.₅Pd₀.₅ supercell (Zhou 2004 setfl written by scalebridge,
`fix box/relax tri 0.0` + `minimize`); the static displacements computed from its relaxed
positions and cell the same way (fractional differences in the relaxed cell, mean removed) must
equal the protocol's, and the released energy must equal LAMMPS's E(ideal sites in the relaxed
cell) − E(relaxed). A pure crystal has none.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from scalebridge import potentials
from scalebridge.properties import lattice_distortion
from scalebridge.structures import random_solid_solution

from conftest import load_into_lammps


def _displacements(cell, pos, cell0, pos0):
    f = np.linalg.solve(cell.T, pos.T).T - np.linalg.solve(cell0.T, pos0.T).T
    f -= np.round(f)
    u = f @ cell
    return np.linalg.norm(u - u.mean(0), axis=1)


@pytest.mark.oracle
def test_static_displacements_equal_lammps_relaxation(tmp_path):
    from scalebridge.oracle import open_lammps

    setfl = tmp_path / "CuPd.eam.alloy"
    potentials.Zhou2004(["Cu", "Pd"]).write_setfl(setfl)
    pot = potentials.load(str(setfl), ["Cu", "Pd"])
    s = random_solid_solution(bulk("Cu", "fcc", a=3.75, cubic=True).repeat((3, 3, 3)), {"Cu": 0.5, "Pd": 0.5}, seed=3)
    r = lattice_distortion(s, pot, threads=1)
    st = r["state"]

    lmp = open_lammps()
    load_into_lammps(lmp, s, ["Cu", "Pd"])
    for c in [f"pair_style eam/alloy", f"pair_coeff * * {setfl} Cu Pd", "thermo_style custom pe",
              "fix r all box/relax tri 0.0 vmax 0.001", "min_modify line quadratic", "minimize 0 1e-12 20000 200000",
              "unfix r", "minimize 0 1e-12 20000 200000"]:
        lmp.command(c)
    e_relaxed = lmp.get_thermo("pe")
    boxlo, boxhi, xy, yz, xz, _, _ = lmp.extract_box()
    cell = np.array([[boxhi[0] - boxlo[0], 0, 0], [xy, boxhi[1] - boxlo[1], 0], [xz, yz, boxhi[2] - boxlo[2]]])
    pos = np.array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3) - np.array(boxlo)
    # the ideal sites carried into the relaxed cell: E(ideal) − E(relaxed)
    frac0 = np.linalg.solve(s.cell.array.T, s.positions.T).T
    x = lmp.extract_atom("x")
    for i, p in enumerate(frac0 @ cell + np.array(boxlo)):
        x[i][0], x[i][1], x[i][2] = p
    lmp.command("run 0")
    e_ideal = lmp.get_thermo("pe")
    lmp.close()

    d = _displacements(cell, pos, s.cell.array, s.positions)
    rms, mx = np.sqrt((d ** 2).mean()), d.max()
    n = len(s)
    print(f"rms {st['static_displacement_rms']['value']:.6f} vs LAMMPS {rms:.6f} Å; max {st['static_displacement_max']['value']:.6f} vs {mx:.6f}")
    assert 0.02 < rms < 0.3  # a real distortion, not a perfect lattice
    assert st["static_displacement_rms"]["value"] == pytest.approx(rms, rel=1e-4)
    assert st["static_displacement_max"]["value"] == pytest.approx(mx, rel=1e-3)
    assert st["distortion_energy"]["value"] == pytest.approx((e_ideal - e_relaxed) / n, rel=1e-4, abs=1e-7)
    assert st["static_displacement_rms_relative"]["value"] == pytest.approx(rms / (abs(np.linalg.det(cell)) / n) ** (1 / 3), rel=1e-4)
    assert set(r["per_species_rms"]) == {"Cu", "Pd"}


def test_a_pure_crystal_has_no_static_displacements():
    s = bulk("Cu", "fcc", a=3.63, cubic=True).repeat((2, 2, 2))
    st = lattice_distortion(s, potentials.Zhou2004(["Cu"]), threads=1)["state"]
    assert st["static_displacement_rms"]["value"] < 1e-8
    assert abs(st["distortion_energy"]["value"]) < 1e-10


def test_bad_options_are_named():
    s = bulk("Cu", "fcc", a=3.63, cubic=True).repeat((2, 2, 2))
    with pytest.raises(Exception, match="fmax"):
        lattice_distortion(s, potentials.Zhou2004(["Cu"]), fmax=-1.0)
