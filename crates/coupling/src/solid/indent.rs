//! The 3-D nanoindentation case (`bench coupling --case crack`'s 3-D EAM problem): a spherical
//! indenter (LAMMPS `fix indent sphere`) pressed in quasi-static steps into the free (001) surface
//! of an fcc block, the atomistic region under the indenter inside a graded tetrahedral mesh; the
//! coupled model against the fully atomistic block by the same engine and potential. Reports the
//! virial stress of the atomistic region's atoms, the load, displacement errors, F_sim and F_DOF.

use super::model::{FullAtomistic3d, ForceBased3d, Indenter, SolidOptions};
use crate::error::{invalid, Result};
use crate::plane::stiffness::relaxed_unit_and_stiffness;
use crate::plane::PatchReport;
use scalebridge_core::units::EV_PER_A3_IN_GPA;
use scalebridge_md::cell::Cell;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

/// Options of the indentation case (the one place their defaults live: the quick size).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndentOptions {
    /// Geometry (pitches of the cubic cell), mesh and relaxation options; `free_top` must be true.
    pub model: SolidOptions,
    /// Indenter radius (Å), force constant K (eV/Å³), final depth below the unrelaxed surface (Å)
    /// and number of equal quasi-static depth steps.
    pub radius: f64,
    pub k: f64,
    pub depth: f64,
    pub steps: usize,
    /// Initial guess of the fcc lattice constant (relaxed by the elastic protocol), Å.
    pub lattice_constant: f64,
    /// Displacement gradient of the 3-D patch test (on an embedded model without the surface).
    pub patch_gradient: [[f64; 3]; 3],
    /// Also run the fully atomistic reference (needed for the errors and F_sim).
    pub exact: bool,
    /// Start every depth step after the second from the linear extrapolation of the last two
    /// relaxed states (`x_k + (x_k − x_{k−1})`), in the model and the reference alike; false:
    /// from the last relaxed state.
    pub predictor: bool,
    /// Half-size (pitches, the `atomistic` convention) of the box whose atoms the stress and
    /// displacement errors are taken over (`None`: the whole atomistic region), so that models
    /// with different atomistic regions can be compared on the same atoms; inside the region.
    pub stress_region: Option<[i64; 3]>,
    /// Time the model twice, before and after the reference (model, reference, model), and take
    /// the mean of its two wall times for F_sim, so that a load change on a shared machine during
    /// the invocation favours neither side; false: once, before the reference.
    pub timing_repeat: bool,
}

impl Default for IndentOptions {
    fn default() -> Self {
        IndentOptions {
            model: SolidOptions::default(),
            radius: 8.0,
            k: 10.0,
            depth: 1.5,
            steps: 3,
            lattice_constant: 3.615,
            patch_gradient: [[0.01, 0.003, 0.0], [0.0, -0.004, 0.002], [0.001, 0.0, 0.006]],
            exact: true,
            predictor: false,
            stress_region: None,
            timing_repeat: false,
        }
    }
}

impl IndentOptions {
    /// Check the options (before any computation).
    pub fn validate(&self) -> Result<()> {
        if !self.model.free_top {
                return Err(invalid("model.free_top", false, "the indentation case needs the free top surface"));
        }
        for (name, v) in [("radius", self.radius), ("k", self.k), ("depth", self.depth), ("lattice_constant", self.lattice_constant)] {
                if !(v > 0.0 && v.is_finite()) {
                        return Err(invalid(name, v, "must be positive and finite"));
                }
        }
        if self.depth >= self.radius {
                return Err(invalid("depth", self.depth, "the depth must be smaller than the indenter radius"));
        }
        if self.steps == 0 {
                return Err(invalid("steps", 0, "need at least one depth step"));
        }
        if self.patch_gradient.iter().flatten().any(|v| !v.is_finite() || v.abs() > 0.2) {
                return Err(invalid("patch_gradient", format!("{:?}", self.patch_gradient), "every component must be finite and at most 0.2 in magnitude"));
        }
        if let Some(r) = self.stress_region {
            if (0..3).any(|d| r[d] < 0 || r[d] > self.model.atomistic[d]) {
                return Err(invalid("stress_region", format!("{r:?}"), "must lie inside the atomistic region (half-sizes between 0 and `model.atomistic`)"));
            }
        }
        self.model.fire()?;
        Ok(())
    }
}

/// The fully atomistic block's sizes for the published-scale run (`--full`).
pub fn full_size() -> IndentOptions {
    IndentOptions {
        // a flat region (wider than deep: the error came from the near-surface material beside
        // it) and the lagged pad (docs/coupling_3d.md, "This round")
        model: SolidOptions { block: [16, 16, 18], atomistic: [6, 6, 4], pad_lag: 1e-3, ..SolidOptions::default() },
        radius: 10.0,
        depth: 2.0,
        steps: 4,
        timing_repeat: true,
        ..IndentOptions::default()
    }
}

/// One depth step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndentStep {
    pub depth: f64,
    /// Indenter load (the force it exerts along −z), eV/Å.
    pub load_model: f64,
    pub load_exact: Option<f64>,
    /// Mean virial stress of the atomistic region's atoms (GPa, xx yy zz yz xz xy, tension positive).
    #[serde(rename = "stress_model_GPa")]
    pub stress_model: [f64; 6],
    #[serde(rename = "stress_exact_GPa")]
    pub stress_exact: Option<[f64; 6]>,
    /// ‖σ_model − σ_exact‖ / ‖σ_exact‖ of the region means, %; the same over the per-atom stresses, %.
    pub stress_error_percent: Option<f64>,
    pub atom_stress_error_percent: Option<f64>,
    /// The same for the indentation-induced region-mean stress σ̄(depth) − σ̄(0) (the free
    /// surface's own stress, which the pad does not relax, taken out), %.
    pub indent_stress_error_percent: Option<f64>,
    /// Largest and rms |u − u_exact| over the atoms of the region, Å.
    pub max_deviation: Option<f64>,
    pub rms_deviation: Option<f64>,
    pub iterations_model: usize,
    pub iterations_exact: Option<usize>,
}

/// Result of the indentation case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndentReport {
    pub problem: String,
    /// Errors at the final depth (see [`IndentStep`]).
    pub stress_error_percent: Option<f64>,
    pub atom_stress_error_percent: Option<f64>,
    pub indent_stress_error_percent: Option<f64>,
    pub load_error_percent: Option<f64>,
    #[serde(rename = "F_sim")]
    pub f_sim: Option<f64>,
    #[serde(rename = "F_DOF")]
    pub f_dof: Option<f64>,
    pub n_atoms_exact: usize,
    pub n_atoms_model: usize,
    pub n_pad: usize,
    pub n_nodes: usize,
    pub n_elements: usize,
    pub seconds_model: f64,
    pub seconds_exact: Option<f64>,
    /// The model's cost: force evaluations, seconds in the potential and in the continuum solves
    /// (with placing the pad).
    pub model_evaluations: usize,
    pub model_seconds_forces: f64,
    pub model_seconds_solve: f64,
    /// The rest of the model's profile: construction (mesh, factorisation, surface slab), the
    /// one-time condensation of the continuum onto the interface, neighbour-list builds, lean
    /// evaluations that fell back to a full one; the reference's force evaluations and builds.
    pub model_seconds_setup: f64,
    pub model_seconds_condense: f64,
    pub model_list_builds: usize,
    pub model_lean_fallbacks: usize,
    /// Pad placements (continuum solves) of the model and FIRE restarts after a lagged-pad check
    /// failed (`model.pad_lag`); the model's wall time of each run (two with `timing_repeat`) and
    /// the 1-min load average (`/proc/loadavg`, `None` where unreadable) at the start of the
    /// model, of the reference, of the repeated model and at the end.
    pub model_pad_placements: usize,
    pub model_lag_restarts: usize,
    pub seconds_model_runs: Vec<f64>,
    pub load_average: Vec<Option<f64>>,
    /// The same ratio in process CPU seconds (`getrusage`, user + system; the model's the mean of
    /// its runs), which a loaded machine's time slicing does not enter (cache and memory
    /// contention still do); and the two CPU times, s.
    #[serde(rename = "F_sim_cpu")]
    pub f_sim_cpu: Option<f64>,
    pub cpu_seconds_model: Option<f64>,
    pub cpu_seconds_exact: Option<f64>,
    pub exact_evaluations: Option<usize>,
    pub exact_list_builds: Option<usize>,
    /// Region-mean stress before indentation (the relaxed free surface), model and exact, GPa, and
    /// their difference as a percentage of the exact one.
    #[serde(rename = "surface_stress_model_GPa")]
    pub surface_stress_model: [f64; 6],
    #[serde(rename = "surface_stress_exact_GPa")]
    pub surface_stress_exact: Option<[f64; 6]>,
    pub surface_stress_error_percent: Option<f64>,
    /// 3-D patch test (embedded model, uniform strain `patch_gradient`), eV/Å.
    pub patch: PatchReport,
    pub lattice_constant: f64,
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    pub steps: Vec<IndentStep>,
    pub options: IndentOptions,
    pub version: String,
}

/// Conventional cubic fcc cell of `symbol` with lattice constant `a` (masses from the element table).
pub fn fcc_cube(a: f64, symbol: &str) -> Result<Structure> {
    let pos = vec![[0.0, 0.0, 0.0], [0.0, 0.5 * a, 0.5 * a], [0.5 * a, 0.0, 0.5 * a], [0.5 * a, 0.5 * a, 0.0]];
    Ok(Structure::from_symbols(Cell::orthorhombic(a, a, a)?, pos, &vec![symbol.to_string(); 4], None)?)
}

fn norm2(s: &[f64; 6]) -> f64 {
    s[0] * s[0] + s[1] * s[1] + s[2] * s[2] + 2.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])
}

/// Per-atom virial stresses (GPa) of the given atom indices.
fn atom_stress(virials: &[[f64; 6]], idx: &[usize], volume: f64) -> Vec<[f64; 6]> {
    idx.iter().map(|&k| virials[k].map(|w| -w / volume * EV_PER_A3_IN_GPA)).collect()
}

fn mean(s: &[[f64; 6]]) -> [f64; 6] {
    let mut m = [0.0; 6];
    for v in s {
        for c in 0..6 {
            m[c] += v[c] / s.len() as f64;
        }
    }
    m
}

/// The start of the next depth step: `x + (x − previous)` with the predictor, else `x`.
fn predict(x: &mut [f64], previous: Option<&Vec<f64>>, on: bool) {
    if let (true, Some(p)) = (on, previous) {
        for (a, b) in x.iter_mut().zip(p) {
            *a += *a - *b;
        }
    }
}

/// CPU time (user + system, every thread) this process has used so far, s (`getrusage`).
fn cpu_now() -> Option<f64> {
    // SAFETY: getrusage writes into the zeroed struct it is given and reads nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Some(s(u.ru_utime) + s(u.ru_stime))
}

fn cpu_since(start: Option<f64>) -> Option<f64> {
    Some(cpu_now()? - start?)
}

/// The 1-min load average of the machine (`/proc/loadavg`), if readable.
fn load_now() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The coupled model through the relaxed surface and every depth step: the model, the indices
/// of the atoms the errors are taken over, their mean stress before indentation and the steps.
fn run_model(unit: &Structure, potential: &Arc<dyn Potential>, c: &[[f64; 6]; 6], o: &IndentOptions, depths: &[f64], indenter: &dyn Fn(f64) -> Indenter, volume: f64) -> Result<(ForceBased3d, Vec<usize>, [f64; 6], Vec<Snapshot>)> {
    let mut model = ForceBased3d::new(unit, potential.clone(), c, &o.model)?;
    model.relax()?; // the free surface relaxes first
    let idx: Vec<usize> = match o.stress_region {
        None => (0..model.atom_sites().len()).collect(),
        Some(r) => {
            let (lo, hi) = ([-r[0], -r[1], -r[2]], [r[0], r[1], 0]);
            model.atom_sites().iter().enumerate().filter(|&(_, &s)| model.block.in_box(s, lo, hi)).map(|(k, _)| k).collect()
        }
    };
    let model0 = mean(&atom_stress(&model.atoms.eval.output.per_atom_virial, &idx, volume));
    let mut snaps = Vec::new();
    let mut previous: Option<Vec<f64>> = None;
    for &d in depths {
        model.indenter = Some(indenter(d));
        let current = model.x.clone();
        predict(&mut model.x, previous.as_ref(), o.predictor);
        previous = Some(current);
        let (iters, _) = model.relax()?;
        let stress = atom_stress(&model.atoms.eval.output.per_atom_virial, &idx, volume);
        snaps.push(Snapshot { load: -model.indenter_force[2], x: model.x.clone(), stress, iters });
    }
    Ok((model, idx, model0, snaps))
}

struct Snapshot {
    load: f64,
    x: Vec<f64>,
    stress: Vec<[f64; 6]>,
    iters: usize,
}

/// Run the indentation case with `potential` for the fcc element `symbol`.
pub fn indent3d(potential: Arc<dyn Potential>, symbol: &str, o: &IndentOptions) -> Result<IndentReport> {
    o.validate()?;
    let (unit, c) = relaxed_unit_and_stiffness(&fcc_cube(o.lattice_constant, symbol)?, potential.clone(), o.model.threads)?;
    let a = unit.cell.matrix()[0][0];
    let volume = a * a * a / unit.len() as f64;
    // the patch test: an embedded region (a free surface is not in equilibrium under uniform strain)
    let embedded = SolidOptions { block: [8, 8, 8], atomistic: [2, 2, 2], free_top: false, ..o.model.clone() };
    let patch = ForceBased3d::new(&unit, potential.clone(), &c, &embedded)?.patch_test(&o.patch_gradient)?;

    let depths: Vec<f64> = (1..=o.steps).map(|k| o.depth * k as f64 / o.steps as f64).collect();
    let indenter = |d: f64| Indenter { center: [0.0, 0.0, o.radius - d], radius: o.radius, k: o.k };

    let mut load_average = vec![load_now()];
    let t0 = Instant::now();
    let c0 = cpu_now();
    let (model, idx, model0, snaps) = run_model(&unit, &potential, &c, o, &depths, &indenter, volume)?;
    let mut seconds_model_runs = vec![t0.elapsed().as_secs_f64()];
    let mut cpu_model_runs = vec![cpu_since(c0)];
    let mut cpu_exact = None;
    let mut exact0 = [0.0; 6];
    let (na, npad, nn, ne) = model.sizes();
    let sites: Vec<usize> = idx.iter().map(|&k| model.atom_sites()[k]).collect();

    let (mut exact_snaps, mut seconds_exact, mut n_atoms_exact, mut exact_idx) = (Vec::new(), None, 0, Vec::new());
    let (mut exact_evaluations, mut exact_list_builds) = (None, None);
    if o.exact {
        load_average.push(load_now());
        let t1 = Instant::now();
        let c1 = cpu_now();
        let mut exact = FullAtomistic3d::new(&unit, potential.clone(), &o.model)?;
        exact.warm_start_surface(&model.surface);
        exact.relax()?;
        let index = exact.mobile_index();
        exact_idx = sites.iter().map(|s| index.get(s).copied().ok_or_else(|| invalid("comparison", s, "an atom of the model is not mobile in the reference"))).collect::<Result<Vec<_>>>()?;
        exact0 = mean(&atom_stress(&exact.atoms.eval.output.per_atom_virial, &exact_idx, volume));
        let mut previous: Option<Vec<f64>> = None;
        for &d in &depths {
            exact.indenter = Some(indenter(d));
            let current = exact.x.clone();
            predict(&mut exact.x, previous.as_ref(), o.predictor);
            previous = Some(current);
            let (iters, _) = exact.relax()?;
            let stress = atom_stress(&exact.atoms.eval.output.per_atom_virial, &exact_idx, volume);
            exact_snaps.push(Snapshot { load: -exact.indenter_force[2], x: exact.x.clone(), stress, iters });
        }
        seconds_exact = Some(t1.elapsed().as_secs_f64());
        cpu_exact = cpu_since(c1);
        n_atoms_exact = exact.sizes().0;
        exact_evaluations = Some(exact.evaluations);
        exact_list_builds = Some(exact.atoms.list_builds());
        if o.timing_repeat {
            // the same model again after the reference (deterministic: same result, timed only)
            load_average.push(load_now());
            let t2 = Instant::now();
            let c2 = cpu_now();
            run_model(&unit, &potential, &c, o, &depths, &indenter, volume)?;
            seconds_model_runs.push(t2.elapsed().as_secs_f64());
            cpu_model_runs.push(cpu_since(c2));
        }
    }
    load_average.push(load_now());
    let seconds_model = seconds_model_runs.iter().sum::<f64>() / seconds_model_runs.len() as f64;
    let cpu_model = cpu_model_runs.iter().copied().collect::<Option<Vec<f64>>>().map(|v| v.iter().sum::<f64>() / v.len() as f64);

    let mut steps = Vec::new();
    for (s, &d) in depths.iter().enumerate() {
        let m = &snaps[s];
        let sm = mean(&m.stress);
        let mut st = IndentStep { depth: d, load_model: m.load, load_exact: None, stress_model: sm, stress_exact: None, stress_error_percent: None, atom_stress_error_percent: None, indent_stress_error_percent: None, max_deviation: None, rms_deviation: None, iterations_model: m.iters, iterations_exact: None };
        if let Some(e) = exact_snaps.get(s) {
            let se = mean(&e.stress);
            let diff: [f64; 6] = std::array::from_fn(|c| sm[c] - se[c]);
            st.stress_exact = Some(se);
            st.stress_error_percent = Some(100.0 * (norm2(&diff) / norm2(&se)).sqrt());
            let de: [f64; 6] = std::array::from_fn(|c| se[c] - exact0[c]);
            let dd: [f64; 6] = std::array::from_fn(|c| (sm[c] - model0[c]) - de[c]);
            st.indent_stress_error_percent = Some(100.0 * (norm2(&dd) / norm2(&de)).sqrt());
            let (mut num, mut den) = (0.0, 0.0);
            for (p, q) in m.stress.iter().zip(&e.stress) {
                num += norm2(&std::array::from_fn(|c| p[c] - q[c]));
                den += norm2(q);
            }
            st.atom_stress_error_percent = Some(100.0 * (num / den).sqrt());
            let (mut maxd, mut sum2) = (0.0f64, 0.0);
            for (k, &j) in exact_idx.iter().enumerate() {
                let d2: f64 = (0..3).map(|c| (m.x[3 * idx[k] + c] - e.x[3 * j + c]).powi(2)).sum();
                maxd = maxd.max(d2.sqrt());
                sum2 += d2;
            }
            st.max_deviation = Some(maxd);
            st.rms_deviation = Some((sum2 / exact_idx.len() as f64).sqrt());
            st.load_exact = Some(e.load);
            st.iterations_exact = Some(e.iters);
        }
        steps.push(st);
    }
    let last = steps.last().cloned();
    let load_error_percent = last.as_ref().and_then(|l| l.load_exact.map(|e| 100.0 * (l.load_model - e).abs() / e.abs().max(1e-300)));
    Ok(IndentReport {
        problem: format!("spherical indenter (R = {} Å, K = {} eV/Å³) into fcc {symbol}(001), depth {} Å in {} steps", o.radius, o.k, o.depth, o.steps),
        stress_error_percent: last.as_ref().and_then(|l| l.stress_error_percent),
        atom_stress_error_percent: last.as_ref().and_then(|l| l.atom_stress_error_percent),
        indent_stress_error_percent: last.as_ref().and_then(|l| l.indent_stress_error_percent),
        load_error_percent,
        f_sim: seconds_exact.map(|t| t / seconds_model.max(1e-9)),
        f_dof: if o.exact { Some(n_atoms_exact as f64 / (na + nn) as f64) } else { None },
        n_atoms_exact,
        n_atoms_model: na,
        n_pad: npad,
        n_nodes: nn,
        n_elements: ne,
        seconds_model,
        seconds_exact,
        model_evaluations: model.evaluations,
        model_seconds_forces: model.seconds_forces,
        model_seconds_solve: model.seconds_solve,
        model_seconds_setup: model.seconds_setup,
        model_seconds_condense: model.seconds_condense,
        model_list_builds: model.atoms.list_builds(),
        model_lean_fallbacks: model.atoms.fallbacks,
        model_pad_placements: model.pad_placements,
        model_lag_restarts: model.lag_restarts,
        seconds_model_runs,
        load_average,
        f_sim_cpu: match (cpu_exact, cpu_model) {
            (Some(e), Some(m)) => Some(e / m.max(1e-9)),
            _ => None,
        },
        cpu_seconds_model: cpu_model,
        cpu_seconds_exact: cpu_exact,
        exact_evaluations,
        exact_list_builds,
        surface_stress_model: model0,
        surface_stress_exact: if o.exact { Some(exact0) } else { None },
        surface_stress_error_percent: if o.exact { Some(100.0 * (norm2(&std::array::from_fn(|c| model0[c] - exact0[c])) / norm2(&exact0)).sqrt()) } else { None },
        patch,
        lattice_constant: a,
        c_gpa: c,
        steps,
        options: o.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}
