//! Benchmarks that live in Python scripts (their peers are Python packages): the script is
//! embedded in the executable, written to a temporary folder and run with the Python next to
//! this binary.
//!
//! * `bench fem`: benchmarks/bench_fem.py homogenises one 64³ two-phase composite with our FFT
//!   solver, our voxel FEM (both through this very executable) and scikit-fem + pyamg.
//! * `bench protocols`: benchmarks/bench_protocols.py times the property protocols against the
//!   same protocols scripted in LAMMPS; `bench conductivity` (Green–Kubo) and `bench melting`
//!   (coexistence) likewise, from their own scripts.

use std::process::Command;

const FEM: &str = include_str!("../../../benchmarks/bench_fem.py");
const PROTOCOLS: &str = include_str!("../../../benchmarks/bench_protocols.py");
const CONDUCTIVITY: &str = include_str!("../../../benchmarks/bench_thermal_conductivity.py");
const MELTING: &str = include_str!("../../../benchmarks/bench_melting.py");
const ML: [(&str, &str); 3] = [
    ("bench_ml.py", include_str!("../../../benchmarks/bench_ml.py")),
    ("bench_ml_transfer.py", include_str!("../../../benchmarks/bench_ml_transfer.py")),
    ("bench_active_learning.py", include_str!("../../../benchmarks/bench_active_learning.py")),
];

/// Run an embedded benchmark script with `extra` arguments (and `--json`); `pass_exe` adds
/// `--scalebridge <this executable>`.
fn run_script(name: &str, text: &str, pass_exe: bool, json: bool, extra: &[String]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("scalebridge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let script = dir.join(name);
    std::fs::write(&script, text).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(crate::locate::python_interpreter(None));
    cmd.arg(&script);
    if pass_exe {
        let exe = std::env::current_exe().map_err(|e| format!("cannot locate the scalebridge executable: {e}"))?;
        cmd.arg("--scalebridge").arg(&exe);
    }
    cmd.args(extra);
    if json {
        cmd.arg("--json");
    }
    let status = cmd.status().map_err(|e| format!("cannot start Python for {name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let status = status?;
    if !status.success() {
        return Err(format!("{name} failed ({status})"));
    }
    Ok(())
}

/// `bench fem` (`extra`: e.g. `--resolution 32`, `--tol 1e-6`, `--skip-peer`).
pub fn run_fem(json: bool, extra: &[String]) -> Result<(), String> {
    run_script("bench_fem.py", FEM, true, json, extra)
}

/// `bench protocols` (`extra`: e.g. `--repeat 10 --threads 1 --quick --only elastic0,msd`).
pub fn run_protocols(json: bool, extra: &[String]) -> Result<(), String> {
    run_script("bench_protocols.py", PROTOCOLS, false, json, extra)
}

/// `bench conductivity`: benchmarks/bench_thermal_conductivity.py (its own options, e.g.
/// `--repeat 8 --seeds 2 --prod 20000 --json out.json`).
pub fn run_conductivity(extra: &[String]) -> Result<(), String> {
    run_script("bench_thermal_conductivity.py", CONDUCTIVITY, false, false, extra)
}

/// `bench melting`: benchmarks/bench_melting.py (e.g. `--scale 0.5 --threads 1`).
pub fn run_melting(extra: &[String]) -> Result<(), String> {
    run_script("bench_melting.py", MELTING, false, false, extra)
}

/// `bench ml | ml-transfer | active-learning`: the ML benchmark scripts. They read the datasets
/// from `$SCALEBRIDGE_DATASETS` (default: `shared/datasets` beside the working directory's
/// repository, as in this checkout's layout).
pub fn run_ml(name: &str, extra: &[String]) -> Result<(), String> {
    let (_, text) = ML.iter().find(|(n, _)| *n == name).ok_or_else(|| format!("no benchmark {name}"))?;
    if std::env::var_os("SCALEBRIDGE_DATASETS").is_none() {
        let guess = std::env::current_dir().map_err(|e| e.to_string())?.join("../shared/datasets");
        if guess.is_dir() {
            std::env::set_var("SCALEBRIDGE_DATASETS", guess.canonicalize().unwrap_or(guess));
        }
    }
    run_script(name, text, name == "bench_ml_transfer.py", false, extra)
}
