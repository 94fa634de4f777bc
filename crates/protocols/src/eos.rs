//! The 0 K equation of state and the anharmonicity it carries: E(V) of a crystal with its atoms
//! relaxed at every volume, fitted by the third-order Birch–Murnaghan form, gives the
//! equilibrium volume V₀, the bulk modulus B₀ and its pressure derivative B₀′, and from B₀′ the
//! Slater estimate of the acoustic Grüneisen parameter.
//!
//! - Reference: the input relaxed with its cell (all six components, to zero stress), as the
//!   0 K elastic protocol relaxes its reference.
//! - Volumes: the relaxed cell scaled isotropically to `V_ref (1 + e)` for every `e` of
//!   `volume_strains` (default ±2 %, ±4 % and 0), fractional coordinates kept, atoms relaxed at
//!   fixed cell (a random alloy's atoms move under compression too).
//! - Fit: third-order Birch–Murnaghan is exactly a cubic in `x = (V_ref/V)^{2/3}`, so the fit is
//!   linear least squares of E on `1, (x−1), (x−1)², (x−1)³` (faer's QR); V₀ is the root of
//!   `dE/dV` nearest `V_ref`, `B₀ = V₀ E″(V₀)` and `B₀′ = −1 − V₀ E‴(V₀)/E″(V₀)`.
//! - Grüneisen: `γ_Slater = B₀′/2 − 1/6` (J. C. Slater, Introduction to Chemical Physics,
//!   1939); Dugdale–MacDonald's `B₀′/2 − 1/2` differs by a constant and carries the same
//!   information. It is the anharmonicity that sets, with the Debye temperature and the mean
//!   mass, the Slack estimate of the lattice thermal conductivity (κ ∝ M̄ θ_D³ δ / (γ² T)).
//!
//! Reported in `state` (per atom): `eos_volume` (Å³/atom), `eos_bulk_modulus` (GPa),
//! `eos_bulk_modulus_derivative` (1), `gruneisen_slater` (1); and the fit's rms residual.

use crate::report::{Progress, Provenance, Quantity};
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{relax, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options of [`equation_of_state`]. Defaults: volume strains −4, −2, 0, +2, +4 %, force
/// tolerance 1e-6 eV/Å (the 0 K elastic protocol's), all cores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EosOptions {
    /// Relative volume changes from the relaxed reference (at least four distinct values, each
    /// in (−0.3, 0.3)).
    pub volume_strains: Vec<f64>,
    /// Force tolerance of the relaxations, eV/Å.
    pub fmax: f64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// No MD: nothing to resolve.
impl crate::md_run::Resolve for EosOptions {}

impl Default for EosOptions {
    fn default() -> Self {
        EosOptions { volume_strains: vec![-0.04, -0.02, 0.0, 0.02, 0.04], fmax: 1e-6, threads: 0 }
    }
}

/// Result of [`equation_of_state`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EosResult {
    /// `eos_volume` (Å³/atom), `eos_bulk_modulus` (GPa), `eos_bulk_modulus_derivative` (1),
    /// `gruneisen_slater` (1).
    pub state: BTreeMap<String, Quantity>,
    /// The sampled volumes (Å³/atom) and relaxed energies (eV/atom).
    pub volumes: Vec<f64>,
    pub energies: Vec<f64>,
    /// rms residual of the Birch–Murnaghan fit, eV/atom.
    pub fit_rms_ev: f64,
    pub atoms: usize,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// Birch–Murnaghan (third order) parameters of E(V) samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BirchMurnaghan {
    /// Equilibrium volume (the samples' unit), minimum energy, bulk modulus (energy / volume)
    /// and its pressure derivative.
    pub v0: f64,
    pub e0: f64,
    pub b0: f64,
    pub b0_prime: f64,
    /// rms residual of the fit (energy unit).
    pub rms: f64,
}

/// Fit the third-order Birch–Murnaghan form to `(v, e)` samples (module docs). Errors when
/// fewer than four distinct volumes are given or when the fitted E(V) has no minimum with a
/// positive curvature near the samples.
pub fn birch_murnaghan_fit(v: &[f64], e: &[f64]) -> Result<BirchMurnaghan> {
    if v.len() != e.len() {
        return Err(Error::Shape(format!("{} volumes and {} energies", v.len(), e.len())));
    }
    let mut distinct: Vec<f64> = v.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 4 || v.iter().chain(e).any(|x| !x.is_finite()) || v.iter().any(|&x| x <= 0.0) {
        return Err(Error::invalid("equation-of-state samples", format!("{} volumes", distinct.len()), "need at least four distinct positive volumes and finite energies"));
    }
    let vref = v.iter().sum::<f64>() / v.len() as f64;
    let t = |vol: f64| (vref / vol).powf(2.0 / 3.0) - 1.0;
    let a = Mat::<f64>::from_fn(v.len(), 4, |i, k| t(v[i]).powi(k as i32));
    let b = Mat::<f64>::from_fn(e.len(), 1, |i, _| e[i]);
    let c = a.qr().solve_lstsq(&b);
    let c: [f64; 4] = std::array::from_fn(|k| c[(k, 0)]);
    let rms = (v.iter().zip(e).map(|(&vi, &ei)| (poly(&c, t(vi)) - ei).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    // derivatives in V through x = (vref/V)^{2/3}: dt/dV = −(2/3)(t+1)/V, d²t/dV² = (10/9)(t+1)/V²,
    // d³t/dV³ = −(80/27)(t+1)/V³
    let derivs = |vol: f64| {
        let tt = t(vol);
        let (p1, p2, p3) = (c[1] + 2.0 * c[2] * tt + 3.0 * c[3] * tt * tt, 2.0 * c[2] + 6.0 * c[3] * tt, 6.0 * c[3]);
        let x = tt + 1.0;
        let (t1, t2, t3) = (-2.0 / 3.0 * x / vol, 10.0 / 9.0 * x / (vol * vol), -80.0 / 27.0 * x / (vol * vol * vol));
        let e1 = p1 * t1;
        let e2 = p2 * t1 * t1 + p1 * t2;
        let e3 = p3 * t1 * t1 * t1 + 3.0 * p2 * t1 * t2 + p1 * t3;
        (e1, e2, e3)
    };
    // V₀: Newton on dE/dV from the sample of lowest energy
    let imin = (0..e.len()).min_by(|&i, &j| e[i].total_cmp(&e[j])).unwrap_or(0);
    let mut v0 = v[imin];
    let (lo, hi) = (distinct[0], distinct[distinct.len() - 1]);
    let span = hi - lo;
    for _ in 0..100 {
        let (e1, e2, _) = derivs(v0);
        if e2 <= 0.0 {
            return Err(Error::invalid("equation-of-state fit", format!("E''(V) = {e2:.3e} at V = {v0:.4}"), "the fitted E(V) is not convex near the samples"));
        }
        let step = e1 / e2;
        v0 -= step;
        if step.abs() < 1e-13 * v0 {
            break;
        }
    }
    if !(v0 > lo - span && v0 < hi + span) {
        return Err(Error::invalid("equation-of-state fit", format!("V₀ = {v0:.4}"), "the minimum lies far outside the sampled volumes"));
    }
    let (_, e2, e3) = derivs(v0);
    Ok(BirchMurnaghan { v0, e0: poly(&c, t(v0)), b0: v0 * e2, b0_prime: -1.0 - v0 * e3 / e2, rms })
}

fn poly(c: &[f64; 4], t: f64) -> f64 {
    ((c[3] * t + c[2]) * t + c[1]) * t + c[0]
}

/// The 0 K equation of state of `structure` with `potential` (module docs).
pub fn equation_of_state(structure: &Structure, potential: Arc<dyn Potential>, opts: &EosOptions, progress: &mut dyn Progress) -> Result<EosResult> {
    let t0 = std::time::Instant::now();
    if !(opts.fmax.is_finite() && opts.fmax > 0.0) {
        return Err(Error::invalid("fmax", opts.fmax, "must be positive (eV/Å)"));
    }
    if let Some(e) = opts.volume_strains.iter().find(|e| !(e.is_finite() && e.abs() < 0.3)) {
        return Err(Error::invalid("volume_strains", e, "each must lie in (−0.3, 0.3)"));
    }
    let mut distinct = opts.volume_strains.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(Error::invalid("volume_strains", format!("{:?}", opts.volume_strains), "need at least four distinct values for the four Birch–Murnaghan parameters"));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("equation_of_state", structure, potential.as_ref(), opts, &[])?;
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, opts.threads)?;
    let base = MinimizeOptions { fmax: opts.fmax, max_iter: 20000, ..MinimizeOptions::default() };
    let cell_opts = MinimizeOptions {
        stress_tol: 1e-5 / EV_PER_A3_IN_GPA,
        cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..base.clone()
    };
    let total = opts.volume_strains.len() as u64 + 1;
    let mut reference = structure.clone();
    relax(&mut reference, &mut eval, &cell_opts)?;
    if !progress.update(1, total, "reference") {
        return Err(Error::Interrupted { what: "equation_of_state".into(), done: 1 });
    }
    let n = structure.len() as f64;
    let (mut volumes, mut energies) = (Vec::new(), Vec::new());
    for (k, &ev) in opts.volume_strains.iter().enumerate() {
        let scale = (1.0 + ev).cbrt();
        let mut s = reference.deformed(&[[scale, 0.0, 0.0], [0.0, scale, 0.0], [0.0, 0.0, scale]])?;
        eval.invalidate();
        let rep = relax(&mut s, &mut eval, &base)?;
        volumes.push(s.cell.volume() / n);
        energies.push(rep.energy / n);
        if !progress.update(k as u64 + 2, total, "volume") {
            return Err(Error::Interrupted { what: "equation_of_state".into(), done: (k + 2) as u64 });
        }
    }
    let fit = birch_murnaghan_fit(&volumes, &energies)?;
    let gamma = fit.b0_prime / 2.0 - 1.0 / 6.0;
    let mut state = BTreeMap::new();
    state.insert("eos_volume".into(), Quantity::exact(fit.v0, "Å^3/atom"));
    state.insert("eos_bulk_modulus".into(), Quantity::exact(fit.b0 * EV_PER_A3_IN_GPA, "GPa"));
    state.insert("eos_bulk_modulus_derivative".into(), Quantity::exact(fit.b0_prime, "1"));
    state.insert("gruneisen_slater".into(), Quantity::exact(gamma, "1"));
    let mut warnings = Vec::new();
    if !(1.0..=10.0).contains(&fit.b0_prime) {
        warnings.push(format!("B0' = {:.2} is outside the 1-10 of ordinary solids: the E(V) samples may span a phase change or an unstable state", fit.b0_prime));
    }
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(EosResult { state, volumes, energies, fit_rms_ev: fit.rms, atoms: structure.len(), warnings, provenance: prov })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E(V) of the third-order Birch–Murnaghan form itself (energy, volume units arbitrary).
    fn bm(v: f64, v0: f64, e0: f64, b0: f64, bp: f64) -> f64 {
        let x = (v0 / v).powf(2.0 / 3.0) - 1.0;
        e0 + 9.0 * v0 * b0 / 16.0 * (x.powi(3) * bp + x.powi(2) * (6.0 - 4.0 * (v0 / v).powf(2.0 / 3.0)))
    }

    #[test]
    fn fit_recovers_birch_murnaghan_parameters_exactly() {
        let (v0, e0, b0, bp) = (11.8, -3.54, 0.86, 4.7);
        let v: Vec<f64> = [-0.05, -0.03, -0.01, 0.0, 0.02, 0.04, 0.06].iter().map(|e| v0 * 1.01 * (1.0 + e)).collect();
        let e: Vec<f64> = v.iter().map(|&x| bm(x, v0, e0, b0, bp)).collect();
        let f = birch_murnaghan_fit(&v, &e).unwrap();
        assert!((f.v0 - v0).abs() < 1e-9 * v0, "{f:?}");
        assert!((f.e0 - e0).abs() < 1e-12, "{f:?}");
        assert!((f.b0 - b0).abs() < 1e-9 * b0, "{f:?}");
        assert!((f.b0_prime - bp).abs() < 1e-8, "{f:?}");
        assert!(f.rms < 1e-13);
    }

    #[test]
    fn fit_refuses_too_few_volumes_and_concave_data() {
        assert!(birch_murnaghan_fit(&[1.0, 1.1, 1.2], &[0.0, -0.1, 0.0]).unwrap_err().to_string().contains("four distinct"));
        let v = [1.0, 1.1, 1.2, 1.3, 1.4];
        let e: Vec<f64> = v.iter().map(|x: &f64| -(x - 1.2).powi(2)).collect();
        assert!(birch_murnaghan_fit(&v, &e).is_err());
    }
}
