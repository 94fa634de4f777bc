"""Type stubs of the compiled module (MD part; other layers add theirs below)."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str
# Unit conversion constants of scalebridge_core::units (name -> value), read-only.
units: Mapping[str, float]

class Potential:
    @staticmethod
    def lennard_jones(
        species: list[str],
        epsilon: list[float],
        sigma: list[float],
        cutoff: float,
        shift: bool = False,
        mixing: str = "arithmetic",
        pairs: list[tuple[str, str, float, float, float | None]] = ...,
    ) -> Potential: ...
    @staticmethod
    def from_spec(spec: str) -> Potential: ...
    @property
    def pair_style(self) -> str: ...
    @property
    def cutoff(self) -> float: ...
    @property
    def species(self) -> list[str]: ...
    def fingerprint(self) -> str: ...

def potential_from_spec(spec: str) -> Potential:
    """The potential of a JSON specification keyed by the LAMMPS style, e.g.
    ``{"pair_style": "eam/alloy", "files": [...], "elements": [...]}``, ``{"pair_style": "lj/cut",
    ...}`` or ``{"generator": "zhou2004", "elements": [...]}``."""
    ...

class Evaluator:
    def __init__(self, potential: Potential, skin: float = 1.0, threads: int = 0) -> None: ...
    def compute(
        self,
        cell: npt.NDArray[np.float64],
        positions: npt.NDArray[np.float64],
        symbols: list[str],
        masses: list[float] | None = None,
    ) -> dict[str, Any]: ...
    @property
    def threads(self) -> int: ...

class Simulation:
    thermo_every: int
    def __init__(
        self,
        cell: npt.NDArray[np.float64],
        positions: npt.NDArray[np.float64],
        symbols: list[str],
        masses: list[float] | None,
        potential: Potential,
        timestep: float,
        skin: float = 1.0,
        threads: int = 0,
        ensemble: str = "nve",
        temperature: float | None = None,
        damping: float | None = None,
        seed: int = 0,
        pressure: list[float] | None = None,
        pressure_damping: float = 1.0,
        coupling: str = "iso",
        bulk_modulus: float | None = None,
    ) -> None: ...
    def create_velocities(self, temperature: float, seed: int) -> None: ...
    def set_velocities(self, v: npt.NDArray[np.float64]) -> None: ...
    def set_rebuild_policy(self, every: int, check: bool) -> None: ...
    def set_trajectory(self, path: str | None, stride: int = 1, append: bool = False) -> None: ...
    def run(self, steps: int, check_every: int = 200) -> int: ...
    def setup(self) -> None: ...
    positions: npt.NDArray[np.float64]
    velocities: npt.NDArray[np.float64]
    forces: npt.NDArray[np.float64]
    cell: list[list[float]]
    symbols: list[str]
    masses: list[float]
    step: int
    time: float
    timestep: float
    def current_thermo(self) -> dict[str, float]: ...
    def thermo_columns(self) -> dict[str, list[float]]: ...
    def write_thermo_csv(self, path: str) -> None: ...
    def checkpoint(self) -> str: ...
    def restore(self, text: str) -> None: ...

def build_bulk(
    lattice: str,
    species: list[str],
    a: float,
    c: float | None = None,
    orientation: list[list[int]] | None = None,
    repeat: tuple[int, int, int] = (1, 1, 1),
    orthogonal: bool = False,
    masses: list[float] | None = None,
) -> tuple[list[list[float]], npt.NDArray[np.float64], list[str], list[float]]: ...
def build_structure(
    spec_json: str,
) -> tuple[list[list[float]], npt.NDArray[np.float64], list[str], list[float], str]: ...
def structure_prototypes() -> str: ...
def random_solid_solution(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    composition: list[tuple[str, float]],
    seed: int,
    masses: list[float] | None = None,
) -> tuple[list[str], list[float]]: ...
def maxwell_boltzmann(masses: list[float], temperature: float, seed: int) -> npt.NDArray[np.float64]: ...

# Names added by the continuum, ML and EAM bindings are typed in their Python wrappers.
def __getattr__(name: str) -> Any: ...

# --- EAM (crates/py/src/eam.rs) ---
def eam_load(path: str, elements: list[str] | None = None) -> Potential: ...
def potential_from_lammps(lines: list[str], elements: list[str], search: list[str], charges: list[float] | None = None) -> Potential: ...
def callback_potential(adapter: Any, name: str, fingerprint: str) -> Potential: ...
def eam_load_funcfl(files: list[tuple[str, str]]) -> Potential: ...
def zhou2004(elements: list[str]) -> Potential: ...
def zhou2004_write_setfl(elements: list[str], path: str) -> None: ...

# --- minimisation and ensembles (crates/py/src/dynamics.rs); pressures in eV/Å³ ---
def minimize(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float] | None,
    potential: Potential,
    algorithm: str = "fire",
    fmax: float = 1e-4,
    stress_tol: float = 1e-7,
    max_iter: int = 5000,
    max_step: float = 0.2,
    relax_cell: str | None = None,
    pressure: list[float] | None = None,
    skin: float = 1.0,
    threads: int = 0,
) -> dict[str, Any]: ...

def coordination_numbers(
    cell: npt.NDArray[np.float64], positions: npt.NDArray[np.float64], symbols: list[str], masses: list[float] | None, cutoff: float
) -> list[float]: ...
def embedding_density(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float] | None,
    potential: Potential,
    threads: int = 0,
) -> tuple[list[float], list[float]]: ...

# --- property protocols (crates/py/src/properties.rs) ---
def heat_flux(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float] | None,
    velocities: npt.NDArray[np.float64],
    potential: Potential,
    threads: int = 1,
) -> tuple[list[float], list[float]]: ...

# property protocols (crates/py/src/properties.rs)
def run_protocol(
    protocol: str,
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float] | None,
    potential: Potential,
    options: str,
    cache_dir: str | None = None,
    progress: Any = None,
) -> str: ...
def plot_series(series: str, path: str, title: str) -> None: ...
def rdf(
    cell: npt.NDArray[np.float64], positions: npt.NDArray[np.float64], symbols: list[str], r_max: float, bins: int = 200
) -> tuple[list[float], list[tuple[str, str, list[float], list[float]]]]: ...
def displacements(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    reference_positions: npt.NDArray[np.float64],
    symbols: list[str],
) -> npt.NDArray[np.float64]: ...
def local_temperature(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float],
    velocities: npt.NDArray[np.float64],
    radius: float,
) -> list[float]: ...
def bond_statistics(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    masses: list[float] | None,
    potential: Potential,
    bond_cutoff: float,
) -> str: ...
def phase_labels(
    cell: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    symbols: list[str],
    method: str,
    cutoff: float | None = None,
    neighbors: int = 12,
) -> list[float]: ...

# --- error bridge (crates/py/src/error.rs) ---
def _error_table() -> list[tuple[str, str, str]]:
    """(crate, variant, Python exception name) for every variant of every bridged Rust error enum."""
    ...

def describe(
    path: str | None = None,
    material_json: str | None = None,
    base_dir: str | None = None,
    quick: bool | None = None,
    out: str | None = None,
    cache_dir: str | None = None,
    threads: int | None = None,
    progress: Any = None,
    database: str | None = None,
    retry_failed: bool | None = None,
) -> str: ...

# campaigns (scalebridge.campaign)
def campaign_next_batch(path: str) -> str: ...
def campaign_evaluate(path: str, candidate_json: str, worker: str | None) -> str: ...
def campaign_worker_name() -> str: ...
def campaign_run(path: str, threads: int | None = None) -> str: ...
def campaign_prepare(path: str) -> str: ...
def campaign_status(path: str, top: int | None = None) -> str: ...
def campaign_report(path: str) -> str: ...

# --- results store (crates/py/src/store.rs) ---
class Store:
    def __init__(self, url: str) -> None: ...
    @property
    def url(self) -> str: ...
    def set_lease(self, seconds: float) -> None: ...
    def claim(self, campaign: str, task_hash: str, candidate_json: str, worker: str) -> tuple[str, str | None]: ...
    def add_pending(self, campaign: str, tasks: list[tuple[str, str]]) -> int: ...
    def renew(self, campaign: str, task_hash: str, worker: str) -> bool: ...
    def put_result(self, campaign: str, task_hash: str, result_json: str) -> bool: ...
    def mark_failed(self, campaign: str, task_hash: str, error: str) -> None: ...
    def result(self, campaign: str, task_hash: str) -> str | None: ...
    def tasks_json(self, campaign: str) -> str: ...
    def counts_json(self, campaign: str) -> str: ...
    def campaigns(self) -> list[str]: ...
    def put_campaign(self, name: str, json: str) -> None: ...
    def campaign(self, name: str) -> str | None: ...
    def stages(self, task_hash: str) -> list[tuple[str, str]]: ...
    def put_blob(self, data: bytes) -> str: ...
    def blob_path(self, hash: str) -> str: ...
    def results_table_json(self, campaign: str) -> str: ...

def import_table_json(source: str, path: str, target_unit: str | None = None) -> str: ...

# molecular systems (crates/py/src/polymer.rs; python/scalebridge/molecular.py)
def build_polymer(spec: str, data_path: str | None = ...) -> str: ...
def read_molecular_data(path: str, atom_style: str, elements: list[str] | None = ...) -> str: ...
def write_molecular_data(path: str, cell: Any, positions: Any, symbols: list[str], masses: list[float], topology: str) -> None: ...
def potential_from_lammps_molecular(lines: list[str], labels: list[str], symbols: list[str], topology: str, search: list[str]) -> Potential: ...
def is_molecular_command(cmd: str) -> bool: ...
def chain_statistics(cell: Any, positions: Any, topology: str) -> str: ...
