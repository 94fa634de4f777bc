"""Green–Kubo κ of mixtures: the species-centred heat current (the protocol's default).

LAMMPS's ``compute heat/flux`` current of a mixture carries each species' mean energy times that
species' particle current; in a solid those terms integrate to zero only in the infinite-time
limit, so a finite Green–Kubo run's κ depends on the species' reference energies. The
species-centred current takes them out (``md::computes::heat_flux``). Checks:

- **Invariance** (fast): shifting one element's embedding function F(ρ) by a constant changes
  no force, so it cannot change κ. With the species-centred current κ is unchanged; with the
  LAMMPS current it moves by far more than its error bar.
- **One species** (fast): the default current is LAMMPS's current to the bit, so a pure metal's
  Green–Kubo κ is the same with either setting.
- **Against NEMD** (slow): Müller-Plathe reverse NEMD measures the heat a swap actually carries,
  with no choice of energy reference; on Al₀.₆Pt₀.₄ (Zhou 2004) the species-centred Green–Kubo κ
  agrees with it, the LAMMPS current's is an order of magnitude higher.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from scalebridge import potentials
from scalebridge.dynamics import minimize
from scalebridge.properties import thermal_conductivity
from scalebridge.structures import random_solid_solution

# short runs: the checks compare settings on the same trajectories, not κ with a reference
pytestmark = pytest.mark.filterwarnings("ignore::scalebridge.properties.ProtocolWarning")
GK = dict(seeds=[1, 2], equilibration_steps=1000, production_steps=5000, correlation_time=0.5, threads=1)


def shifted_setfl(src, dst, element_index: int, shift_ev: float) -> None:
    """Copy a one-line-per-header setfl file, adding `shift_ev` to F(ρ) of one element."""
    with open(src) as fh:
        lines = fh.read().splitlines()
    head, body = lines[:5], lines[5:]
    n_el = int(head[3].split()[0])
    nrho, _, nr = int(head[4].split()[0]), float(head[4].split()[1]), int(head[4].split()[2])
    out, i = list(head), 0
    for e in range(n_el):
        out.append(body[i])  # Z mass a0 lattice
        i += 1
        vals = []
        while len(vals) < nrho + nr:
            vals.extend(body[i].split())
            i += 1
        assert len(vals) == nrho + nr, "the setfl writer puts F and rho on their own lines"
        f = [float(x) + (shift_ev if e == element_index else 0.0) for x in vals[:nrho]]
        out.extend(" ".join(repr(x) for x in f[k : k + 5]) for k in range(0, nrho, 5))
        out.extend(" ".join(vals[nrho + k : nrho + k + 5]) for k in range(0, nr, 5))
    out.extend(body[i:])
    with open(dst, "w") as fh:
        fh.write("\n".join(out) + "\n")


def alloy(repeat=(3, 3, 3)):
    pot = potentials.Zhou2004(["Al", "Pt"])
    s = random_solid_solution(bulk("Al", "fcc", a=3.98, cubic=True).repeat(repeat), {"Al": 0.6, "Pt": 0.4}, seed=1)
    s, _ = minimize(s, pot, relax_cell="aniso", fmax=1e-3)
    return s


def kappa(r):
    return r["kappa"]["value"], r["kappa"]["stderr"]


def test_species_centred_kappa_is_blind_to_a_species_reference_energy(tmp_path):
    base, shifted = tmp_path / "AlPt.eam.alloy", tmp_path / "AlPt_shifted.eam.alloy"
    potentials.Zhou2004(["Al", "Pt"]).write_setfl(base)
    shifted_setfl(base, shifted, element_index=1, shift_ev=2.0)
    p0, p1 = potentials.load(str(base), ["Al", "Pt"]), potentials.load(str(shifted), ["Al", "Pt"])
    s = alloy()
    n_pt = sum(1 for x in s.get_chemical_symbols() if x == "Pt")
    # the shift is in the energy only: +2 eV per Pt atom, no force moves
    from scalebridge.calculator import ScaleBridgeCalculator

    e = []
    for p in (p0, p1):
        a = s.copy()
        a.calc = ScaleBridgeCalculator(p)
        e.append((a.get_potential_energy(), a.get_forces()))
    assert abs(e[1][0] - e[0][0] - 2.0 * n_pt) < 1e-6 * n_pt
    assert np.abs(e[1][1] - e[0][1]).max() < 1e-9

    c0, c1 = kappa(thermal_conductivity(s, p0, 300, **GK)), kappa(thermal_conductivity(s, p1, 300, **GK))
    l0, l1 = (kappa(thermal_conductivity(s, p, 300, heat_current="lammps", **GK)) for p in (p0, p1))
    print(f"species-centred {c0} -> {c1}; lammps {l0} -> {l1}")
    assert abs(c1[0] - c0[0]) < 1e-3 * c0[0] + 1e-6
    assert abs(l1[0] - l0[0]) > 3 * np.hypot(l0[1], l1[1])
    # and the LAMMPS current's κ is the larger, by the spurious species-current terms
    assert l0[0] > 3 * c0[0]


def test_one_species_kappa_is_the_lammps_currents(tmp_path):
    pot = potentials.Zhou2004(["Cu"])
    s = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((3, 3, 3))
    a = kappa(thermal_conductivity(s, pot, 300, **GK))
    b = kappa(thermal_conductivity(s, pot, 300, heat_current="lammps", **GK))
    assert a == b


def test_unknown_heat_current_is_named():
    s = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((2, 2, 2))
    with pytest.raises(Exception, match="heat_current|species_centred"):
        thermal_conductivity(s, potentials.Zhou2004(["Cu"]), 300, heat_current="centered", **GK)


@pytest.mark.slow
def test_species_centred_green_kubo_agrees_with_nemd_on_an_alloy():
    pot = potentials.Zhou2004(["Al", "Pt"])
    gk_s = alloy((5, 5, 5))
    gk = dict(seeds=[1, 2, 3, 4], equilibration_steps=5000, production_steps=40000, correlation_time=2.0, threads=1)
    c = kappa(thermal_conductivity(gk_s, pot, 300, **gk))
    lm = kappa(thermal_conductivity(gk_s, pot, 300, heat_current="lammps", **gk))
    mp_s = alloy((4, 4, 16))
    mp = kappa(thermal_conductivity(mp_s, pot, 300, method="nemd", production_steps=100000, discard_steps=20000, swap_every=500, threads=1))
    print(f"GK species-centred {c}, GK lammps {lm}, NEMD {mp}")
    # NEMD's finite length can only lower κ; the disordered alloy's mean free paths are short
    assert abs(c[0] - mp[0]) < 3 * np.hypot(c[1], mp[1]) + 0.1 * mp[0]
    assert lm[0] > 5 * mp[0]


def test_cli_heat_current_flag_reaches_the_protocol():
    import json
    import subprocess

    from conftest import scalebridge_cli

    r = subprocess.run([scalebridge_cli(), "conductivity", "--print-options"], capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["heat_current"] == "species_centred"  # the protocol's default
    r = subprocess.run([scalebridge_cli(), "conductivity", "--heat-current", "lammps", "--print-options"], capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["heat_current"] == "lammps"
    r = subprocess.run([scalebridge_cli(), "conductivity", "--method", "nemd", "--heat-current", "lammps", "--print-options"], capture_output=True, text=True)
    assert r.returncode != 0 and "heat_current" in r.stderr
