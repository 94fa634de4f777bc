//! The Miller–Tadmor (2009) Lomer-dipole benchmark in fcc Al: block axes x = [110], y = [001],
//! z = [1-10] (periodic, a/√2), a dipole of edge dislocations b = ±a/2[110] on the (001) plane
//! `y = a/4` with cores at x = ∓d (signs such that the applied shear drives them apart), the
//! boundary layer displaced by the dipole's (isotropic) field
//! plus the shear `u_x = γ y` in equal quasi-static steps, each relaxed; the coupled model against
//! the fully atomistic solution of the same block by the same engine and potential.

use super::model::{compare, ContinuumLaw, ForceBased2d, FullAtomistic2d, PadInterpolation, PlaneOptions};
use super::stiffness::relaxed_unit_and_stiffness;
use crate::error::{invalid, Result};
use scalebridge_md::cell::Cell;
use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::sync::Arc;
use std::time::Instant;

/// Options of the Lomer case (the one place their defaults live).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LomerOptions {
    /// Atomistic region: `|x| ≤ d + model`, `|y| ≤ model`, Å (10, 20 or 30 in the paper).
    pub model: f64,
    /// Half-size of the square block, Å.
    pub half_size: f64,
    /// Initial half-distance of the two cores, Å.
    pub core_half_distance: f64,
    /// Final shear and number of quasi-static steps.
    pub gamma_max: f64,
    pub steps: usize,
    /// Shear at which the energy error is reported.
    pub energy_gamma: f64,
    /// Initial guess of the lattice constant (relaxed by the elastic protocol), Å.
    pub lattice_constant: f64,
    /// Mesh grading and largest element (node pitches).
    pub growth: f64,
    pub max_element: i64,
    /// Force tolerance of every relaxation, eV/Å.
    pub fmax: f64,
    pub max_iter: usize,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Also run the fully atomistic reference (needed for the errors and F_sim).
    pub exact: bool,
    /// Constitutive law of the continuum (`"linear"` or `"cauchy-born"`).
    pub continuum: ContinuumLaw,
    /// How the pad atoms follow the continuum (`"linear"` or `"recovered"`).
    pub pad_interpolation: PadInterpolation,
}

impl Default for LomerOptions {
    fn default() -> Self {
        LomerOptions {
            model: 30.0,
            half_size: 200.0,
            core_half_distance: 20.0,
            gamma_max: 0.06,
            steps: 24,
            energy_gamma: 0.03,
            lattice_constant: 4.05,
            growth: 1.25,
            max_element: 8,
            fmax: 1e-3,
            max_iter: 100_000,
            threads: 1,
            exact: true,
            continuum: ContinuumLaw::Linear,
            pad_interpolation: PadInterpolation::Linear,
        }
    }
}

/// One load step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LomerStep {
    pub gamma: f64,
    /// Core positions (x, Å) of the model and of the exact solution.
    pub cores_model: Option<[f64; 2]>,
    pub cores_exact: Option<[f64; 2]>,
    /// Displacement error e % of the step (Miller–Tadmor: ‖u − u_exact‖ / N_A / 0.05755 Å).
    pub e_percent: Option<f64>,
    /// Energies of the atomistic region's atoms relative to the perfect crystal, eV.
    pub energy_model_ev: f64,
    pub energy_exact_ev: Option<f64>,
}

/// Result of the Lomer case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LomerReport {
    /// Displacement error (mean over the load steps), %.
    pub e_percent: Option<f64>,
    /// |E_A − E_A,exact| / |E_A,exact| at `energy_gamma` (energies relative to the perfect crystal), %.
    pub energy_error_percent: Option<f64>,
    #[serde(rename = "F_sim")]
    pub f_sim: Option<f64>,
    #[serde(rename = "F_DOF")]
    pub f_dof: f64,
    pub n_atoms_exact: usize,
    pub n_atoms_model: usize,
    pub n_nodes: usize,
    pub n_pad: usize,
    pub seconds_model: f64,
    pub seconds_exact: Option<f64>,
    pub lattice_constant: f64,
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    /// Cauchy–Born continuum at the last load step: the largest relative error of the expansion's
    /// stress against the exact Cauchy–Born stress over the 50 elements deformed furthest from
    /// the expansion point, and their largest deviation |D| (displacement-gradient component).
    pub cauchy_born_stress_error: Option<f64>,
    pub cauchy_born_max_deviation: Option<f64>,
    pub steps: Vec<LomerStep>,
    pub options: LomerOptions,
    pub version: String,
}

/// The 2-atom orthorhombic unit of fcc with x = [110], y = [001], z = [1-10].
pub fn lomer_unit(a: f64, symbol: &str, mass: Option<f64>) -> Result<Structure> {
    let s = a / 2f64.sqrt();
    let cell = Cell::orthorhombic(s, a, s)?;
    let pos = vec![[0.0, 0.0, 0.0], [0.5 * s, 0.5 * a, 0.5 * s]];
    Ok(Structure::from_symbols(cell, pos, &[symbol.to_string(), symbol.to_string()], mass.map(|m| vec![m; 2]))?)
}

/// Isotropic displacement of an edge dislocation with Burgers vector `b` along x at the origin
/// (Hirth & Lothe), Poisson ratio `nu`.
pub fn edge_displacement(b: f64, nu: f64, x: f64, y: f64) -> [f64; 2] {
    let r2 = (x * x + y * y).max(1e-12);
    let ux = b / (2.0 * PI) * (y.atan2(x) + x * y / (2.0 * (1.0 - nu) * r2));
    let uy = -b / (2.0 * PI) * ((1.0 - 2.0 * nu) / (4.0 * (1.0 - nu)) * r2.ln() + (x * x - y * y) / (4.0 * (1.0 - nu) * r2));
    [ux, uy]
}

/// Core positions: where the relative slip across the glide plane `y0` crosses half the Burgers
/// vector (after removing the applied shear), the outermost crossing on each side of x = 0.
fn cores(sites: &[[f64; 3]], u: &dyn Fn(usize) -> Option<[f64; 3]>, y0: f64, dy: f64, b: f64, gamma: f64) -> Option<[f64; 2]> {
    let mut above: Vec<(f64, f64)> = Vec::new();
    let mut below: Vec<(f64, f64)> = Vec::new();
    for (s, r) in sites.iter().enumerate() {
        let Some(v) = u(s) else { continue };
        if (r[1] - (y0 + 0.5 * dy)).abs() < 1e-3 {
            above.push((r[0], v[0] - gamma * r[1]));
        } else if (r[1] - (y0 - 0.5 * dy)).abs() < 1e-3 {
            below.push((r[0], v[0] - gamma * r[1]));
        }
    }
    above.sort_by(|a, b| a.0.total_cmp(&b.0));
    below.sort_by(|a, b| a.0.total_cmp(&b.0));
    if below.len() < 2 || above.is_empty() {
        return None;
    }
    let interp = |x: f64| -> Option<f64> {
        let k = below.partition_point(|p| p.0 <= x);
        if k == 0 || k >= below.len() {
            return None;
        }
        let (p, q) = (below[k - 1], below[k]);
        Some(p.1 + (q.1 - p.1) * (x - p.0) / (q.0 - p.0))
    };
    let slip: Vec<(f64, f64)> = above.iter().filter_map(|&(x, ua)| interp(x).map(|ub| (x, (ua - ub).abs()))).collect();
    let mut left = None;
    let mut right = None;
    for w in slip.windows(2) {
        let ((x0, s0), (x1, s1)) = (w[0], w[1]);
        let crosses = (s0 - 0.5 * b) * (s1 - 0.5 * b) <= 0.0 && s0 != s1;
        if !crosses {
            continue;
        }
        let xc = x0 + (0.5 * b - s0) * (x1 - x0) / (s1 - s0);
        if xc < 0.0 && left.is_none() {
            left = Some(xc);
        }
        if xc > 0.0 {
            right = Some(xc);
        }
    }
    Some([left?, right?])
}

/// Run the Lomer case.
pub fn lomer(potential: Arc<dyn Potential>, symbol: &str, o: &LomerOptions) -> Result<LomerReport> {
    if ![o.model, o.half_size, o.core_half_distance, o.gamma_max, o.lattice_constant].iter().all(|v| v.is_finite() && *v > 0.0) {
        return Err(invalid("lomer options", format!("{o:?}"), "model, half_size, core_half_distance, gamma_max and lattice_constant must be positive"));
    }
    if o.steps == 0 || !(o.energy_gamma >= 0.0 && o.energy_gamma <= o.gamma_max) {
        return Err(invalid("steps / energy_gamma", format!("{} / {}", o.steps, o.energy_gamma), "need at least one step and 0 ≤ energy_gamma ≤ gamma_max"));
    }
    let (unit, c) = relaxed_unit_and_stiffness(&lomer_unit(o.lattice_constant, symbol, None)?, potential.clone(), o.threads)?;
    let h = *unit.cell.matrix();
    let (px, py) = (h[0][0], h[1][1]);
    let a = py;
    let b = px; // |a/2 [110]|
    // isotropic Poisson ratio of the in-plane response (Voigt average)
    let (kv, gv) = scalebridge_core::voigt::voigt_bulk_shear(&c);
    let nu = (3.0 * kv - 2.0 * gv) / (2.0 * (3.0 * kv + gv));
    let d = o.core_half_distance;
    let y0 = 0.25 * a;
    let dipole = move |p: [f64; 2]| -> [f64; 2] {
        // −b at x = −d, +b at x = +d: the positive shear u_x = γ y drives the cores apart
        // (with the opposite signs it drives them together and they annihilate)
        let u1 = edge_displacement(-b, nu, p[0] + d, p[1] - y0);
        let u2 = edge_displacement(b, nu, p[0] - d, p[1] - y0);
        [u1[0] + u2[0], u1[1] + u2[1]]
    };
    let half = [(o.half_size / px).round() as i64, (o.half_size / py).round() as i64];
    let atomistic = [((d + o.model) / px).ceil() as i64, (o.model / py).ceil() as i64];
    let popts = PlaneOptions {
        block: half,
        atomistic,
        growth: o.growth,
        max_element: o.max_element,
        fmax: o.fmax,
        max_iter: o.max_iter,
        threads: o.threads,
        continuum: o.continuum,
        pad_interpolation: o.pad_interpolation,
        ..PlaneOptions::default()
    };
    // perfect-crystal energy per atom
    let mut ev = Evaluator::new(potential.clone(), 1.0, 1)?;
    let e_coh = ev.compute_all(&unit)?.energy / unit.len() as f64;

    let gammas: Vec<f64> = (0..=o.steps).map(|k| o.gamma_max * k as f64 / o.steps as f64).collect();
    let field = |g: f64| move |p: [f64; 2]| -> [f64; 2] {
        let u = dipole(p);
        [u[0] + g * p[1], u[1]]
    };

    let t0 = Instant::now();
    let mut model = ForceBased2d::new(&unit, potential.clone(), &c, &popts)?;
    model.set_field(&field(0.0));
    let mut model_steps = Vec::new();
    for &g in &gammas {
        model.set_boundary_field(&field(g));
        model.relax()?;
        let n_a = model.atom_sites().len() as f64;
        let xs = model.x.clone();
        let pos: std::collections::HashMap<usize, usize> = model.atom_sites().iter().enumerate().map(|(k, &s)| (s, k)).collect();
        let cm = cores(&model.block.sites, &|s| pos.get(&s).map(|&k| [xs[3 * k], xs[3 * k + 1], xs[3 * k + 2]]), y0, 0.5 * a, b, g);
        model_steps.push((g, xs, cm, model.atomistic_energy() - n_a * e_coh));
    }
    let seconds_model = t0.elapsed().as_secs_f64();
    let (na, npad, nn) = model.sizes();
    let cb_check = model.cauchy_born_check(50)?;

    let mut steps = Vec::new();
    let mut seconds_exact = None;
    let mut n_atoms_exact = model.block.sites.len();
    if o.exact {
        let t1 = Instant::now();
        let mut exact = FullAtomistic2d::new(&unit, potential, &popts)?;
        n_atoms_exact = exact.sizes().0;
        exact.set_field(&field(0.0), true);
        let mut exact_steps = Vec::new();
        for &g in &gammas {
            exact.set_field(&field(g), false);
            exact.relax()?;
            exact_steps.push(exact.x.clone());
        }
        seconds_exact = Some(t1.elapsed().as_secs_f64());
        // replay the stored states for the comparison
        for ((g, xs, cm, em), xe) in model_steps.into_iter().zip(exact_steps) {
            model.x = xs;
            exact.x = xe;
            exact.set_mobile_and_evaluate()?;
            let hgrad = [[0.0, g], [0.0, 0.0]];
            let cmp = compare(&model, &exact, &hgrad)?;
            let pos: std::collections::HashMap<usize, usize> = exact.mobile_sites().iter().enumerate().map(|(k, &s)| (s, k)).collect();
            let xe = exact.x.clone();
            let ce = cores(&exact.block.sites, &|s| pos.get(&s).map(|&k| [xe[3 * k], xe[3 * k + 1], xe[3 * k + 2]]), y0, 0.5 * a, b, g);
            let e_exact = cmp.energy_exact - na as f64 * e_coh;
            steps.push(LomerStep { gamma: g, cores_model: cm, cores_exact: ce, e_percent: Some(100.0 * cmp.e_angstrom / 0.05755), energy_model_ev: em, energy_exact_ev: Some(e_exact) });
        }
    } else {
        for (g, _, cm, em) in model_steps {
            steps.push(LomerStep { gamma: g, cores_model: cm, cores_exact: None, e_percent: None, energy_model_ev: em, energy_exact_ev: None });
        }
    }
    let e_percent = if o.exact { Some(steps.iter().filter_map(|s| s.e_percent).sum::<f64>() / steps.len() as f64) } else { None };
    let energy_error_percent = steps
        .iter()
        .min_by(|p, q| (p.gamma - o.energy_gamma).abs().total_cmp(&(q.gamma - o.energy_gamma).abs()))
        .and_then(|s| s.energy_exact_ev.map(|ex| 100.0 * (s.energy_model_ev - ex).abs() / ex.abs().max(1e-300)));
    Ok(LomerReport {
        e_percent,
        energy_error_percent,
        f_sim: seconds_exact.map(|t| t / seconds_model.max(1e-9)),
        f_dof: n_atoms_exact as f64 / (na + nn) as f64,
        n_atoms_exact,
        n_atoms_model: na,
        n_nodes: nn,
        n_pad: npad,
        seconds_model,
        seconds_exact,
        lattice_constant: a,
        c_gpa: c,
        cauchy_born_stress_error: cb_check.map(|c| c.0),
        cauchy_born_max_deviation: cb_check.map(|c| c.1),
        steps,
        options: o.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dipole_field_has_the_burgers_jump_between_the_cores_only() {
        let (b, nu, d) = (2.86, 0.35, 20.0);
        let u = |x: f64, y: f64| {
            let a = edge_displacement(b, nu, x + d, y);
            let c = edge_displacement(-b, nu, x - d, y);
            [a[0] + c[0], a[1] + c[1]]
        };
        let jump = |x: f64| u(x, 1e-6)[0] - u(x, -1e-6)[0];
        assert!((jump(0.0).abs() - b).abs() < 1e-6, "{}", jump(0.0));
        assert!(jump(-30.0).abs() < 1e-6 && jump(30.0).abs() < 1e-6);
        // the dipole's field decays
        assert!(u(400.0, 400.0)[0].abs() < 0.05 && u(0.0, 400.0)[1].abs() < 0.05);
    }
}
