//! `scalebridge bench fem`: runs benchmarks/bench_fem.py, which homogenises one 64³ two-phase
//! composite with our FFT solver, our voxel FEM (both through this very executable) and
//! scikit-fem + pyamg, and prints times, memory and ratios.

use std::process::Command;

const SCRIPT: &str = include_str!("../../../benchmarks/bench_fem.py");

/// Run the FEM/FFT benchmark. `extra` is passed to the script (e.g. `--resolution 32`,
/// `--tol 1e-6`, `--skip-peer`).
pub fn run_fem(json: bool, extra: &[String]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("scalebridge-bench-fem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let script = dir.join("bench_fem.py");
    std::fs::write(&script, SCRIPT).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the scalebridge executable: {e}"))?;
    let mut cmd = Command::new(crate::bench::python_interpreter(None));
    cmd.arg(&script).arg("--scalebridge").arg(&exe).args(extra);
    if json {
        cmd.arg("--json");
    }
    let status = cmd.status().map_err(|e| format!("cannot start Python for the scikit-fem peer: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let status = status?;
    if !status.success() {
        return Err(format!("bench fem failed ({status})"));
    }
    Ok(())
}
