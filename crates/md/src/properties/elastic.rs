//! Elastic constants: the full 6×6 stiffness `C_pq` (Voigt order xx yy zz yz xz xy, GPa) of any
//! crystal, at 0 K and at finite temperature, and the moduli derived from it.
//!
//! **0 K** ([`static_constants`]): relax the structure (atoms and cell to the target pressure),
//! then for every Voigt component `q` apply the symmetric strains `±δ` and `±2δ`
//! (`F = I + ε`, shear components as engineering strains), relax the atoms at fixed cell (internal
//! relaxation, needed for hcp and any basis) and take the static stress `σ = −W/V` (tension
//! positive). The central difference
//! `C_pq = [σ_p(+δ) − σ_p(−δ)] / 2δ`
//! is LAMMPS `examples/ELASTIC`'s protocol. The `±2δ` estimate checks linearity: when the two
//! differ by more than `linearity_tol` the result carries a warning (strains above 5 % are
//! refused outright).
//!
//! **Finite temperature** ([`thermal_constants`]): NPT (MTK, triclinic coupling) equilibration
//! at `T` and `P`, the time-averaged cell as reference, then for every `q` and sign an NVT
//! (Nosé–Hoover) run at the strained cell that averages the full stress tensor, kinetic part
//! included. The `+δ` and `−δ` runs start from the same velocities, so much of their noise
//! cancels in the difference. Standard errors come from block averages and propagate to `C`.
//!
//! **Derived** ([`Moduli`]): Voigt, Reuss and Hill bulk and shear moduli, Young's modulus and
//! Poisson ratio (Hill), Pugh ratio G/B, Zener anisotropy `2C44/(C11−C12)`, the universal
//! anisotropy index `5G_V/G_R + B_V/B_R − 6`, the Born stability check (C positive definite) and
//! the Debye temperature from the mean sound velocity,
//! `Θ_D = (h/k_B) (3n/4π)^{1/3} v_m`, `3/v_m³ = 2/v_t³ + 1/v_l³`, `v_l² = (B + 4G/3)/ρ`,
//! `v_t² = G/ρ`. Standard errors of the derived moduli are propagated by sampling `C` within its
//! errors (fixed seed, deterministic).

use crate::cell::{voigt_deformation, Mat3};
use crate::error::{Error, Result};
use crate::evaluator::{Evaluator, DEFAULT_SKIN};
use crate::integrators::{Coupling, NoseHoover, Npt};
use crate::minimize::{CellDof, CellRelax, MinimizeOptions};
use crate::properties::relax;
use crate::potentials::{Potential, Request};
use crate::properties::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use crate::properties::stats::block_mean_stderr;
use crate::simulation::Simulation;
use crate::structure::Structure;
use crate::units::EV_PER_A3_IN_GPA;
use scalebridge_core::voigt;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Voigt labels.
pub const VOIGT_LABELS: [&str; 6] = ["xx", "yy", "zz", "yz", "xz", "xy"];

/// Options of the 0 K protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaticOptions {
    /// Strain amplitude δ (dimensionless; shear as engineering strain).
    pub strain: f64,
    /// Relax atoms and cell (all six components) to `pressure_gpa` before straining.
    pub relax_cell: bool,
    /// Target pressure of the reference state, GPa (compression positive).
    pub pressure_gpa: f64,
    /// Force tolerance of every relaxation, eV/Å.
    pub fmax: f64,
    /// Largest relative difference between the ±δ and ±2δ estimates of a diagonal or large
    /// constant before the result warns that the strain is outside the linear range.
    pub linearity_tol: f64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

impl Default for StaticOptions {
    fn default() -> Self {
        StaticOptions { strain: 1e-3, relax_cell: true, pressure_gpa: 0.0, fmax: 1e-6, linearity_tol: 0.01, threads: 0 }
    }
}

/// Options of the finite-temperature protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThermalOptions {
    /// Temperature, K.
    pub temperature: f64,
    /// Pressure of the reference state, GPa.
    pub pressure_gpa: f64,
    /// Strain amplitude δ (a few 10⁻³ to 10⁻²: large enough to beat the stress noise).
    pub strain: f64,
    /// Time step, ps.
    pub timestep: f64,
    /// NPT equilibration steps; the cell is averaged over the second half.
    pub npt_steps: u64,
    /// NVT equilibration steps at every strain (discarded).
    pub equilibration_steps: u64,
    /// NVT production steps at every strain.
    pub production_steps: u64,
    /// Stress sampling interval, steps.
    pub sample_every: u64,
    /// Blocks for the standard errors.
    pub blocks: usize,
    /// Thermostat damping, ps (Nosé–Hoover τ).
    pub damping: f64,
    /// Barostat damping, ps.
    pub pressure_damping: f64,
    /// Seed of the initial velocities.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

impl Default for ThermalOptions {
    fn default() -> Self {
        ThermalOptions {
            temperature: 300.0,
            pressure_gpa: 0.0,
            strain: 0.01,
            timestep: 0.002,
            npt_steps: 5000,
            equilibration_steps: 500,
            production_steps: 3000,
            sample_every: 5,
            blocks: 10,
            damping: 0.1,
            pressure_damping: 1.0,
            seed: 1,
            threads: 0,
        }
    }
}

/// Moduli derived from a stiffness matrix (values in GPa unless noted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moduli {
    pub quantities: BTreeMap<String, Quantity>,
    /// Eigenvalues of C (GPa); all positive ⇔ Born-stable.
    pub eigenvalues_gpa: Vec<f64>,
    pub born_stable: bool,
}

/// Result of an elastic-constant protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElasticResult {
    /// Stiffness, GPa, Voigt order, symmetrised.
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    /// Standard error of every C_pq, GPa (finite temperature only).
    #[serde(rename = "C_stderr_GPa")]
    pub c_stderr_gpa: Option<[[f64; 6]; 6]>,
    /// Compliance S = C⁻¹, 1/GPa.
    #[serde(rename = "S_per_GPa")]
    pub s_per_gpa: Option<[[f64; 6]; 6]>,
    /// Derived moduli and checks.
    pub moduli: Moduli,
    /// Temperature (K), volume per atom (Å³), density (g/cm³), cohesive energy (eV/atom, 0 K).
    pub state: BTreeMap<String, Quantity>,
    /// Reference cell (rows, Å).
    pub cell: Mat3,
    /// Largest |C_pq − C_qp| before symmetrisation, GPa.
    pub asymmetry_gpa: f64,
    pub warnings: Vec<String>,
    /// Stress–strain curves σ_q(ε_q), GPa.
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

fn gpa(p: f64) -> f64 {
    p * EV_PER_A3_IN_GPA
}

/// Static stress σ = −W/V in GPa (tension positive) of the last evaluation.
fn static_stress(virial: &[f64; 6], volume: f64) -> [f64; 6] {
    let mut s = [0.0; 6];
    for k in 0..6 {
        s[k] = -gpa(virial[k] / volume);
    }
    s
}

/// Energy of one isolated atom of every species of `s` (eV, in `s.species` order): a single atom
/// (with that species' mass in `s`) in a cubic box wider than twice the cutoff.
pub fn isolated_atom_energies(potential: &Arc<dyn Potential>, s: &Structure) -> Result<Vec<f64>> {
    let l = 2.0 * potential.cutoff() + 2.0 * DEFAULT_SKIN + 1.0;
    let mut ev = Evaluator::new(potential.clone(), DEFAULT_SKIN, 1)?;
    s.species
        .iter()
        .zip(species_masses(s))
        .map(|(sp, m)| {
            let one = Structure::from_symbols(crate::cell::Cell::orthorhombic(l, l, l)?, vec![[0.0; 3]], std::slice::from_ref(sp), Some(vec![m]))?;
            Ok(ev.compute_all(&one)?.energy)
        })
        .collect()
}

fn check_strain(strain: f64) -> Result<()> {
    if !(strain.is_finite() && strain > 0.0) {
        return Err(Error::invalid("strain", strain, "must be a positive number"));
    }
    if strain > 0.05 {
        return Err(Error::invalid("strain", strain, "is too large for linear elasticity (use ≤ 0.05, typically 1e-3 at 0 K, 1e-2 at finite T)"));
    }
    Ok(())
}

/// Elastic constants at 0 K of `structure` with `potential`.
pub fn static_constants(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &StaticOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<ElasticResult> {
    let t0 = std::time::Instant::now();
    check_strain(opts.strain)?;
    if !(opts.fmax.is_finite() && opts.fmax > 0.0) {
        return Err(Error::invalid("fmax", opts.fmax, "must be positive (eV/Å)"));
    }
    if !opts.pressure_gpa.is_finite() {
        return Err(Error::invalid("pressure", opts.pressure_gpa, "must be finite (GPa)"));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("elastic/static", structure, potential.as_ref(), opts, &[])?;
    let mut eval = Evaluator::new(potential.clone(), DEFAULT_SKIN, opts.threads)?;
    let total = 25;
    let mut reference = structure.clone();
    let p = opts.pressure_gpa / EV_PER_A3_IN_GPA;
    if opts.relax_cell {
        let ropts = MinimizeOptions {
            fmax: opts.fmax,
            stress_tol: 1e-5 / EV_PER_A3_IN_GPA,
            max_iter: 20000,
            cell: Some(CellRelax { dof: CellDof::Tri, target: [p, p, p, 0.0, 0.0, 0.0], cell_factor: None }),
            ..MinimizeOptions::default()
        };
        reference = cache.get_or_run("reference", || {
            let mut s = structure.clone();
            relax(&mut s, &mut eval, &ropts)?;
            Ok(s)
        })?;
    }
    if !progress.update(1, total, "relax reference") {
        return Err(Error::Interrupted { what: "elastic/static".into(), done: 1 });
    }
    let fixed = MinimizeOptions { fmax: opts.fmax, max_iter: 20000, cell: None, ..MinimizeOptions::default() };
    // σ(ε) for ε ∈ {−2δ, −δ, +δ, +2δ} along every q
    let factors = [-2.0, -1.0, 1.0, 2.0];
    let mut sig = [[[0.0; 6]; 4]; 6];
    for q in 0..6 {
        for (k, f) in factors.iter().enumerate() {
            let e = f * opts.strain;
            let stage = format!("strain_{q}_{k}");
            sig[q][k] = cache.get_or_run(&stage, || {
                let mut s = reference.deformed(&voigt_deformation(q, e))?;
                relax(&mut s, &mut eval, &fixed)?;
                eval.request = Request::global();
                let out = eval.compute(&s)?;
                Ok(static_stress(&out.virial, s.cell.volume()))
            })?;
            if !progress.update(2 + (4 * q + k) as u64, total, "strain") {
                return Err(Error::Interrupted { what: "elastic/static".into(), done: (2 + 4 * q + k) as u64 });
            }
        }
    }
    eval.request = Request::global();
    let e0 = eval.compute_all(&reference)?.energy;
    let sig0 = static_stress(&eval.output.virial, reference.cell.volume());
    let mut c = [[0.0; 6]; 6];
    let mut c2 = [[0.0; 6]; 6];
    for q in 0..6 {
        for pp in 0..6 {
            c[pp][q] = (sig[q][2][pp] - sig[q][1][pp]) / (2.0 * opts.strain);
            c2[pp][q] = (sig[q][3][pp] - sig[q][0][pp]) / (4.0 * opts.strain);
        }
    }
    let mut warnings = Vec::new();
    let cmax = c.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut worst = 0.0f64;
    for pp in 0..6 {
        for q in 0..6 {
            if c[pp][q].abs() > 0.05 * cmax {
                worst = worst.max(((c2[pp][q] - c[pp][q]) / c[pp][q]).abs());
            }
        }
    }
    if worst > opts.linearity_tol {
        warnings.push(format!(
            "strain {} is outside the linear range: the ±δ and ±2δ estimates of C differ by {:.2} % (> {:.2} %); use a smaller strain",
            opts.strain,
            100.0 * worst,
            100.0 * opts.linearity_tol
        ));
    }
    let series = (0..6)
        .map(|q| {
            let mut x: Vec<f64> = factors.iter().map(|f| f * opts.strain).collect();
            let mut y: Vec<f64> = (0..4).map(|k| sig[q][k][q]).collect();
            x.insert(2, 0.0);
            y.insert(2, sig0[q]);
            Series {
                name: format!("stress_strain_{}", VOIGT_LABELS[q]),
                x_label: format!("strain ε_{}", VOIGT_LABELS[q]),
                x_unit: "1".into(),
                y_label: format!("stress σ_{}", VOIGT_LABELS[q]),
                y_unit: "GPa".into(),
                x,
                y,
                y_err: None,
            }
        })
        .collect();
    let n = reference.len() as f64;
    let iso = isolated_atom_energies(&potential, &reference)?;
    let e_free: f64 = reference.types.iter().map(|&t| iso[t]).sum();
    let mut state = BTreeMap::new();
    state.insert("temperature".into(), Quantity::exact(0.0, "K"));
    state.insert("cohesive_energy".into(), Quantity::exact((e_free - e0) / n, "eV/atom"));
    let mut res = finish(c, None, &reference, state, warnings, series, prov.clone())?;
    res.state.insert("residual_stress_max".into(), Quantity::exact(sig0.iter().fold(0.0f64, |m, v| m.max(v.abs())), "GPa"));
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    res.provenance = prov;
    Ok(res)
}

/// Mass of the first atom of every species (amu), in `s.species` order.
fn species_masses(s: &Structure) -> Vec<f64> {
    (0..s.species.len()).map(|t| s.types.iter().position(|&x| x == t).map_or(1.0, |i| s.masses[i])).collect()
}

/// Symmetrise, derive moduli and assemble the result.
fn finish(
    c: [[f64; 6]; 6],
    err: Option<[[f64; 6]; 6]>,
    reference: &Structure,
    mut state: BTreeMap<String, Quantity>,
    mut warnings: Vec<String>,
    series: Vec<Series>,
    provenance: Provenance,
) -> Result<ElasticResult> {
    let mut cs = [[0.0; 6]; 6];
    let mut asym = 0.0f64;
    let scale = c.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    // asymmetry beyond statistics: 4 combined standard errors plus 1 % of the largest constant
    // (finite T: residual pre-stress), or 0.1 % at 0 K
    let mut excess = 0.0f64;
    for i in 0..6 {
        for j in 0..6 {
            cs[i][j] = 0.5 * (c[i][j] + c[j][i]);
            let d = (c[i][j] - c[j][i]).abs();
            asym = asym.max(d);
            let tol = match &err {
                Some(e) => 4.0 * (e[i][j].powi(2) + e[j][i].powi(2)).sqrt() + 0.01 * scale,
                None => 1e-3 * scale.max(1.0),
            };
            excess = excess.max(d - tol);
        }
    }
    let es = err.map(|e| {
        let mut o = [[0.0; 6]; 6];
        for i in 0..6 {
            for j in 0..6 {
                o[i][j] = 0.5 * (e[i][j].powi(2) + e[j][i].powi(2)).sqrt();
            }
        }
        o
    });
    if excess > 0.0 {
        warnings.push(format!("C is not symmetric: max |C_pq − C_qp| = {asym:.3} GPa (residual stress or unconverged relaxation?)"));
    }
    let n = reference.len() as f64;
    let volume = reference.cell.volume();
    let mass: f64 = reference.masses.iter().sum();
    // amu/Å³ → g/cm³
    let density = mass / volume * crate::units::AMU_PER_A3_IN_G_PER_CM3;
    state.insert("volume_per_atom".into(), Quantity::exact(volume / n, "Å^3/atom"));
    state.insert("density".into(), Quantity::exact(density, "g/cm^3"));
    let moduli = derived_moduli(&cs, es.as_ref(), density, n / volume)?;
    if !moduli.born_stable {
        warnings.push(format!("Born stability violated: C has non-positive eigenvalues {:?} GPa", moduli.eigenvalues_gpa));
    }
    let s = invert6(&cs);
    Ok(ElasticResult {
        c_gpa: cs,
        c_stderr_gpa: es,
        s_per_gpa: s,
        moduli,
        state,
        cell: *reference.cell.matrix(),
        asymmetry_gpa: asym,
        warnings,
        series,
        provenance,
    })
}

/// Inverse of a 6×6 matrix (the core's Voigt toolbox); `None` if singular.
pub fn invert6(c: &[[f64; 6]; 6]) -> Option<[[f64; 6]; 6]> {
    voigt::invert(c)
}

/// Eigenvalues of a symmetric 6×6 matrix (the core's Voigt toolbox), ascending.
pub fn eigenvalues6(c: &[[f64; 6]; 6]) -> Vec<f64> {
    voigt::eigenvalues6(c)
}

/// The derived moduli of one stiffness matrix (GPa); `density` g/cm³, `number_density` 1/Å³.
fn moduli_values(c: &[[f64; 6]; 6], density: f64, number_density: f64) -> Option<BTreeMap<&'static str, f64>> {
    let vrh = voigt::Vrh::of(c)?;
    let (young, poisson) = vrh.young_poisson();
    let mut m = BTreeMap::new();
    m.insert("bulk_modulus_voigt", vrh.bulk_voigt);
    m.insert("bulk_modulus_reuss", vrh.bulk_reuss);
    m.insert("bulk_modulus_hill", vrh.bulk_hill);
    m.insert("shear_modulus_voigt", vrh.shear_voigt);
    m.insert("shear_modulus_reuss", vrh.shear_reuss);
    m.insert("shear_modulus_hill", vrh.shear_hill);
    m.insert("youngs_modulus", young);
    m.insert("poisson_ratio", poisson);
    m.insert("pugh_ratio", vrh.pugh_ratio());
    m.insert("zener_anisotropy", voigt::zener_anisotropy(c));
    m.insert("universal_anisotropy", vrh.universal_anisotropy());
    // sound velocities (m/s) and Debye temperature from Hill moduli
    if let Some(v) = voigt::SoundVelocities::of(vrh.bulk_hill, vrh.shear_hill, density) {
        m.insert("longitudinal_sound_velocity", v.longitudinal);
        m.insert("transverse_sound_velocity", v.transverse);
        m.insert("mean_sound_velocity", v.mean);
        m.insert("debye_temperature", v.debye_temperature(number_density));
    }
    Some(m)
}

fn unit_of(name: &str) -> &'static str {
    match name {
        "poisson_ratio" | "pugh_ratio" | "zener_anisotropy" | "universal_anisotropy" => "1",
        "debye_temperature" => "K",
        n if n.ends_with("velocity") => "m/s",
        _ => "GPa",
    }
}

/// Derived moduli of `c` (GPa) with standard errors propagated from `err` by sampling.
pub fn derived_moduli(c: &[[f64; 6]; 6], err: Option<&[[f64; 6]; 6]>, density: f64, number_density: f64) -> Result<Moduli> {
    let eig = eigenvalues6(c);
    let born_stable = eig.iter().all(|&e| e > 0.0);
    let base = moduli_values(c, density, number_density)
        .ok_or_else(|| Error::invalid("elastic constants", "C", "are singular; no compliance or moduli"))?;
    let mut sd: BTreeMap<&str, f64> = BTreeMap::new();
    if let Some(e) = err {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12345);
        let normal = Normal::new(0.0, 1.0).map_err(|x| Error::invalid("normal", 1, &x.to_string()))?;
        let draws = 400;
        let mut acc: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
        for _ in 0..draws {
            let mut cc = *c;
            for i in 0..6 {
                for j in i..6 {
                    let d = e[i][j] * normal.sample(&mut rng);
                    cc[i][j] += d;
                    if i != j {
                        cc[j][i] += d;
                    }
                }
            }
            if let Some(m) = moduli_values(&cc, density, number_density) {
                for (k, v) in m {
                    if v.is_finite() {
                        let a = acc.entry(k).or_insert((0.0, 0.0, 0));
                        a.0 += v;
                        a.1 += v * v;
                        a.2 += 1;
                    }
                }
            }
        }
        for (k, (s1, s2, n)) in acc {
            if n > 1 {
                let m = s1 / n as f64;
                sd.insert(k, ((s2 / n as f64 - m * m).max(0.0) * n as f64 / (n - 1) as f64).sqrt());
            }
        }
    }
    let quantities = base
        .into_iter()
        .map(|(k, v)| {
            let q = match (err, sd.get(k)) {
                (Some(_), Some(&s)) => Quantity::with_err(v, s, unit_of(k)),
                _ => Quantity::exact(v, unit_of(k)),
            };
            (k.to_string(), q)
        })
        .collect();
    Ok(Moduli { quantities, eigenvalues_gpa: eig, born_stable })
}

/// Averaged full stress tensor (σ = −P, tension positive, GPa, Voigt) of an NVT run with
/// block standard errors.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StressAverage {
    mean: [f64; 6],
    stderr: [f64; 6],
}

fn sample_stress(sim: &mut Simulation, opts: &ThermalOptions, progress: &mut dyn Progress, base: u64, total: u64, stage: &str) -> Result<StressAverage> {
    run_steps(sim, opts.equilibration_steps, progress, base, total, stage)?;
    let nsamples = (opts.production_steps / opts.sample_every.max(1)) as usize;
    let mut series: Vec<Vec<f64>> = vec![Vec::with_capacity(nsamples); 6];
    for k in 0..nsamples {
        run_steps(sim, opts.sample_every, progress, base + opts.equilibration_steps + k as u64 * opts.sample_every, total, stage)?;
        let row = sim.current_thermo();
        let p = [row.pxx_GPa, row.pyy_GPa, row.pzz_GPa, row.pyz_GPa, row.pxz_GPa, row.pxy_GPa];
        for c in 0..6 {
            series[c].push(-p[c]);
        }
    }
    let mut mean = [0.0; 6];
    let mut stderr = [0.0; 6];
    for c in 0..6 {
        let (m, e) = block_mean_stderr(&series[c], opts.blocks)?;
        mean[c] = m;
        stderr[c] = e;
    }
    Ok(StressAverage { mean, stderr })
}

/// Elastic constants at temperature `opts.temperature` (strain–stress averaging).
pub fn thermal_constants(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &ThermalOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<ElasticResult> {
    let t0 = std::time::Instant::now();
    check_strain(opts.strain)?;
    if !(opts.temperature.is_finite() && opts.temperature > 0.0) {
        return Err(Error::invalid("temperature", opts.temperature, "must be positive (K); use the static protocol at 0 K"));
    }
    if opts.blocks < 2 || opts.production_steps / opts.sample_every.max(1) < 5 * opts.blocks as u64 {
        return Err(Error::invalid(
            "production_steps",
            opts.production_steps,
            &format!("too short for {} blocks of at least 5 samples every {} steps", opts.blocks, opts.sample_every),
        ));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("elastic/thermal", structure, potential.as_ref(), opts, &[opts.seed])?;
    let per_run = opts.equilibration_steps + opts.production_steps;
    let total = opts.npt_steps + 12 * per_run;
    let p = opts.pressure_gpa / EV_PER_A3_IN_GPA;
    // 1. NPT: reference cell = average over the second half
    #[derive(Serialize, Deserialize)]
    struct Reference {
        structure: Structure,
        velocities: Vec<[f64; 3]>,
        cell_stderr_max: f64,
    }
    let reference: Reference = cache.get_or_run("npt", || {
        let npt = Npt::new(opts.temperature, opts.damping, [p, p, p, 0.0, 0.0, 0.0], opts.pressure_damping, Coupling::Tri)?;
        let mut sim = Simulation::new(structure.clone(), potential.clone(), Box::new(npt), opts.timestep, DEFAULT_SKIN, opts.threads)?;
        sim.create_velocities(opts.temperature, opts.seed)?;
        let half = opts.npt_steps / 2;
        run_steps(&mut sim, half, progress, 0, total, "npt equilibration")?;
        let mut hs: Vec<Vec<f64>> = vec![Vec::new(); 9];
        let every = 10;
        let mut done = half;
        while done < opts.npt_steps {
            let n = every.min(opts.npt_steps - done);
            run_steps(&mut sim, n, progress, done, total, "npt averaging")?;
            done += n;
            let m = sim.state.structure.cell.matrix();
            for (k, h) in hs.iter_mut().enumerate() {
                h.push(m[k / 3][k % 3]);
            }
        }
        let blocks = 5.min(hs[0].len());
        let mut avg = [[0.0; 3]; 3];
        let mut emax = 0.0f64;
        for k in 0..9 {
            let (m, e) = block_mean_stderr(&hs[k], blocks.max(2))?;
            avg[k / 3][k % 3] = m;
            emax = emax.max(e);
        }
        // map the last snapshot into the averaged cell (same fractional coordinates)
        let s = &sim.state.structure;
        let cell = crate::cell::Cell::new(avg)?;
        let mut t = s.clone();
        for (r, x) in t.positions.iter_mut().zip(&s.positions) {
            *r = cell.cartesian(&s.cell.fractional(x));
        }
        t.cell = cell;
        Ok(Reference { structure: t, velocities: sim.state.velocities.clone(), cell_stderr_max: emax })
    })?;
    // 2. ±δ along every Voigt component, same starting velocities for both signs
    let mut c = [[0.0; 6]; 6];
    let mut e = [[0.0; 6]; 6];
    let mut series = Vec::new();
    for q in 0..6 {
        let mut avg = Vec::new();
        for (k, sign) in [-1.0, 1.0].into_iter().enumerate() {
            let base = opts.npt_steps + (2 * q + k) as u64 * per_run;
            let a: StressAverage = cache.get_or_run(&format!("strain_{q}_{k}"), || {
                let s = reference.structure.deformed(&voigt_deformation(q, sign * opts.strain))?;
                let nh = NoseHoover::new(opts.temperature, opts.damping)?;
                let mut sim = Simulation::new(s, potential.clone(), Box::new(nh), opts.timestep, DEFAULT_SKIN, opts.threads)?;
                sim.set_velocities(reference.velocities.clone())?;
                sample_stress(&mut sim, opts, progress, base, total, &format!("strain {} {}", VOIGT_LABELS[q], if sign > 0.0 { "+" } else { "-" }))
            })?;
            avg.push(a);
        }
        for pp in 0..6 {
            c[pp][q] = (avg[1].mean[pp] - avg[0].mean[pp]) / (2.0 * opts.strain);
            e[pp][q] = (avg[1].stderr[pp].powi(2) + avg[0].stderr[pp].powi(2)).sqrt() / (2.0 * opts.strain);
        }
        series.push(Series {
            name: format!("stress_strain_{}", VOIGT_LABELS[q]),
            x_label: format!("strain ε_{}", VOIGT_LABELS[q]),
            x_unit: "1".into(),
            y_label: format!("stress σ_{}", VOIGT_LABELS[q]),
            y_unit: "GPa".into(),
            x: vec![-opts.strain, opts.strain],
            y: vec![avg[0].mean[q], avg[1].mean[q]],
            y_err: Some(vec![avg[0].stderr[q], avg[1].stderr[q]]),
        });
    }
    let mut warnings = Vec::new();
    for i in 0..6 {
        if c[i][i] > 0.0 && e[i][i] > 0.1 * c[i][i] {
            warnings.push(format!(
                "C{}{} = {:.1} ± {:.1} GPa: statistical error above 10 %; run longer or use a larger strain",
                i + 1,
                i + 1,
                c[i][i],
                e[i][i]
            ));
        }
    }
    let mut state = BTreeMap::new();
    state.insert("temperature".into(), Quantity::exact(opts.temperature, "K"));
    state.insert("pressure".into(), Quantity::exact(opts.pressure_gpa, "GPa"));
    let mut res = finish(c, Some(e), &reference.structure, state, warnings, series, prov.clone())?;
    res.state.insert(
        "volume_per_atom".into(),
        Quantity::with_err(
            reference.structure.cell.volume() / reference.structure.len() as f64,
            3.0 * reference.cell_stderr_max / reference.structure.cell.widths().iter().fold(f64::INFINITY, |m, w| m.min(*w))
                * reference.structure.cell.volume()
                / reference.structure.len() as f64,
            "Å^3/atom",
        ),
    );
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    res.provenance = prov;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cubic(c11: f64, c12: f64, c44: f64) -> [[f64; 6]; 6] {
        let mut c = [[0.0; 6]; 6];
        for i in 0..3 {
            for j in 0..3 {
                c[i][j] = if i == j { c11 } else { c12 };
            }
            c[i + 3][i + 3] = c44;
        }
        c
    }

    #[test]
    fn cubic_moduli_have_closed_forms() {
        // Mishin Cu published constants
        let (c11, c12, c44) = (169.9, 122.6, 76.2);
        let m = derived_moduli(&cubic(c11, c12, c44), None, 8.93, 4.0 / 3.615f64.powi(3)).unwrap();
        let q = |k: &str| m.quantities[k].value;
        assert!((q("bulk_modulus_voigt") - (c11 + 2.0 * c12) / 3.0).abs() < 1e-9);
        assert!((q("bulk_modulus_reuss") - (c11 + 2.0 * c12) / 3.0).abs() < 1e-9);
        assert!((q("shear_modulus_voigt") - (c11 - c12 + 3.0 * c44) / 5.0).abs() < 1e-9);
        let gr = 5.0 * (c11 - c12) * c44 / (4.0 * c44 + 3.0 * (c11 - c12));
        assert!((q("shear_modulus_reuss") - gr).abs() < 1e-9);
        assert!((q("zener_anisotropy") - 2.0 * c44 / (c11 - c12)).abs() < 1e-12);
        assert!(m.born_stable);
        // Debye temperature of copper from elastic constants is ~ 340 K
        assert!((300.0..380.0).contains(&q("debye_temperature")), "{}", q("debye_temperature"));
        let ev = eigenvalues6(&cubic(c11, c12, c44));
        // cubic eigenvalues: C11+2C12, C11−C12 (×2), C44 (×3)
        let mut want = vec![c11 + 2.0 * c12, c11 - c12, c11 - c12, c44, c44, c44];
        want.sort_by(|a, b| a.total_cmp(b));
        for (a, b) in ev.iter().zip(&want) {
            assert!((a - b).abs() < 1e-9, "{ev:?}");
        }
        assert!(!derived_moduli(&cubic(100.0, 120.0, 50.0), None, 1.0, 0.1).unwrap().born_stable);
    }

    #[test]
    fn inverse_of_inverse() {
        let c = cubic(169.9, 122.6, 76.2);
        let s = invert6(&c).unwrap();
        let back = invert6(&s).unwrap();
        for i in 0..6 {
            for j in 0..6 {
                assert!((back[i][j] - c[i][j]).abs() < 1e-9);
            }
        }
        assert!(invert6(&[[0.0; 6]; 6]).is_none());
    }
}
