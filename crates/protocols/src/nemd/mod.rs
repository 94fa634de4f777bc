//! Thermal conductivity by reverse non-equilibrium MD (Müller-Plathe, J. Chem. Phys. 106, 6082
//! (1997); LAMMPS `fix thermal/conductivity N z Nbin`).
//!
//! For every seed: Maxwell–Boltzmann velocities, NVT equilibration (as in
//! [`crate::green_kubo`]), then NVE with the cell cut into `slabs` (even, ≥ 4) equal slabs along
//! the third cell vector (along z for LAMMPS-style cells). Every `swap_every` steps the hottest
//! atom (largest `½ m v²`) of the cold slab 0 and the coldest atom of the hot slab `N/2`
//! exchange kinetic energy by an elastic collision (`v' = 2 v_cm − v`; for equal masses the
//! velocities are swapped), conserving energy and momentum. The energy moved into the hot
//! slab is summed (LAMMPS `f_ID`). After `discard_steps` of this driven NVE run (steady state),
//! the slab temperatures `T_j = Σ ½ m v² / (3/2 k_B n_j)` are averaged over `production_steps`
//! (sampled every `sample_every` steps) in `blocks` consecutive blocks.
//!
//! `κ = Q / (2 A t ⟨dT/dz⟩)`
//!
//! with `Q` the energy exchanged during production (eV), `t` its duration (ps), `A = V / L_z` the
//! cross-section (Å²), the factor 2 because heat flows both ways in the periodic cell, and the
//! gradient from a least-squares fit of both halves of the profile folded onto the distance
//! from the cold slab (one common slope, one intercept per half), excluding the source and sink
//! slabs and (for `N ≥ 12`) their neighbours. The standard error is the block-average standard error of the slope,
//! propagated to κ; with several seeds κ is their mean and the error is `√(Σ σ_s²)/n`.
//!
//! Warnings: a profile that is not linear (reduced χ² of the fit above 3 with the slab
//! temperatures' pooled block variance, or the two halves' slopes differ by more
//! than three standard errors and 20 %), a temperature difference between the hot and cold
//! slabs above 30 % of the mean temperature, temperature jumps at the source and sink larger
//! than twice the drop across the fitted region, a gradient not resolved from its noise, and a
//! mean temperature more than 10 % from the target.

use crate::green_kubo::KAPPA_UNIT;
use crate::md_run::{drive, equilibrated, validate_common, DenyUnknownKeys, MdRun, MdRunOptions, Stage, WithMdRun};
use crate::report::{Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::integrators::MdState;
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::{BOLTZMANN, EV_PER_PS_A_K_IN_W_PER_M_K, MVV2E};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod exchange;
mod fit;
use exchange::*;
use fit::*;

/// Options of [`muller_plathe`]. Defaults: 300 K, seed 1, 1 fs, Nosé–Hoover 0.1 ps,
/// 10 000 NVT steps, 20 000 discarded and 100 000 averaged NVE steps, a swap every 100 steps,
/// 20 slabs, profile sampled every 10 steps in 5 blocks, all cores. The shared MD block
/// ([`MdRunOptions`]: `timestep`, `thermostat`, `thermostat_damping`, `skin`, `threads`,
/// `equilibration_steps`) is flattened into the same JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NemdOptions {
    /// Target temperature, K.
    pub temperature: f64,
    /// One independent run per seed.
    pub seeds: Vec<u64>,
    /// NVE steps with swaps before averaging (approach to the steady state).
    pub discard_steps: u64,
    /// NVE steps with swaps over which the profile and the exchanged energy are averaged.
    pub production_steps: u64,
    /// Steps between swaps (LAMMPS `N`).
    pub swap_every: u64,
    /// Number of slabs along z (even, ≥ 4; LAMMPS `Nbin`).
    pub slabs: usize,
    /// Steps between temperature-profile samples.
    pub sample_every: u64,
    /// Blocks of the production for the standard error of the gradient.
    pub blocks: usize,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// NEMD's defaults of the shared MD block: those of Green–Kubo.
pub const NEMD_MD: MdRunOptions = crate::green_kubo::GREEN_KUBO_MD;
crate::with_md_run!(NemdOptions, NEMD_MD);

impl Default for NemdOptions {
    fn default() -> Self {
        NemdOptions {
            temperature: 300.0,
            seeds: vec![1],
            discard_steps: 20_000,
            production_steps: 100_000,
            swap_every: 100,
            slabs: 20,
            sample_every: 10,
            blocks: 5,
            md: NEMD_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

impl NemdOptions {
    /// Check the options (and that `natoms` atoms fill the slabs).
    pub fn validate(&self, natoms: usize) -> Result<()> {
        validate_common(self.temperature, &self.seeds)?;
        self.md()?;
        if self.slabs < 4 || !self.slabs.is_multiple_of(2) {
            return Err(Error::invalid("slabs", self.slabs, "must be even and at least 4 (cold slab 0, hot slab N/2)"));
        }
        if natoms < 2 * self.slabs {
            return Err(Error::invalid("slabs", self.slabs, &format!("too many for {natoms} atoms (need at least 2 atoms per slab)")));
        }
        if self.swap_every == 0 {
            return Err(Error::invalid("swap_every", 0, "must be at least 1 step"));
        }
        if self.sample_every == 0 {
            return Err(Error::invalid("sample_every", 0, "must be at least 1 step"));
        }
        if self.blocks < 2 {
            return Err(Error::invalid("blocks", self.blocks, "need at least 2 blocks for a standard error"));
        }
        if self.production_steps < self.blocks as u64 * self.sample_every.max(self.swap_every) {
            return Err(Error::invalid(
                "production_steps",
                self.production_steps,
                &format!(
                    "too short: every one of the {} blocks needs at least one swap and one profile sample ({} steps)",
                    self.blocks,
                    self.blocks as u64 * self.sample_every.max(self.swap_every)
                ),
            ));
        }
        Ok(())
    }
}

/// One seed's NEMD values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NemdSeed {
    pub seed: u64,
    /// Thermal conductivity and its block standard error, W/(m·K).
    pub kappa: f64,
    pub kappa_stderr: f64,
    /// Temperature gradient and its block standard error, K/Å.
    pub gradient: f64,
    pub gradient_stderr: f64,
    /// Imposed heat flux `Q / (2 A t)`, eV/(ps·Å²).
    pub heat_flux: f64,
    /// Kinetic energy moved into the hot slab during production, eV.
    pub energy_exchanged: f64,
    /// Swaps during production.
    pub swaps: u64,
    /// Mean temperature of the profile, K.
    pub temperature: f64,
}

/// Result of [`muller_plathe`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NemdResult {
    /// Thermal conductivity, W/(m·K).
    pub kappa: Quantity,
    /// Temperature gradient (folded profile), K/Å.
    pub gradient: Quantity,
    /// Imposed heat flux, eV/(ps·Å²).
    pub heat_flux: Quantity,
    /// Mean temperature of the profile, K.
    pub temperature: Quantity,
    /// Hot-slab minus cold-slab temperature, K.
    pub temperature_difference: Quantity,
    /// Number of slabs, their thickness (Å) and the cross-section `A` (Å²).
    pub slabs: usize,
    pub slab_thickness: f64,
    pub area: f64,
    /// Slabs whose temperatures enter the gradient fit.
    pub fit_slabs: Vec<usize>,
    pub per_seed: Vec<NemdSeed>,
    /// `temperature_profile`: slab temperature (K, seed mean ± block stderr) against the slab
    /// centre z (Å).
    pub series: Vec<Series>,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// Kinetic-energy sums of one block.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Block {
    /// Σ ½ m v² per slab over the samples, eV.
    ke: Vec<f64>,
    /// Atom-samples per slab.
    counts: Vec<u64>,
    /// Energy moved into the hot slab, eV.
    energy: f64,
    swaps: u64,
}

impl Block {
    fn profile(&self) -> Vec<f64> {
        self.ke.iter().zip(&self.counts).map(|(k, &c)| if c > 0 { k / (1.5 * BOLTZMANN * c as f64) } else { f64::NAN }).collect()
    }
}

/// What one seed leaves in the stage cache.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SeedRun {
    seed: u64,
    blocks: Vec<Block>,
}

#[allow(clippy::too_many_arguments)]
fn run_seed(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    o: &NemdOptions,
    md: &MdRun,
    seed: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
) -> Result<SeedRun> {
    let stage = format!("seed {seed}: NVT equilibration");
    let mut sim = equilibrated(structure, potential, md, o.temperature, seed, progress, Stage { base, total, name: &stage })?;
    let n = o.slabs;
    let hot = n / 2;
    let mut slab = Vec::with_capacity(structure.len());
    let stage = format!("seed {seed}: NVE with swaps (discarded)");
    drive(&mut sim, o.discard_steps, 0, Request::default(), progress, base + md.equilibration_steps, total, &stage, |sim, step| {
        if step % o.swap_every == 0 {
            slab_of(&sim.state, n, &mut slab);
            swap(&mut sim.state, &slab, hot);
        }
        Ok(())
    })?;
    let mut blocks: Vec<Block> = (0..o.blocks).map(|_| Block { ke: vec![0.0; n], counts: vec![0; n], energy: 0.0, swaps: 0 }).collect();
    let stage = format!("seed {seed}: NVE with swaps (averaged)");
    let nb = o.blocks as u64;
    let prod = o.production_steps;
    drive(&mut sim, prod, 0, Request::default(), progress, base + md.equilibration_steps + o.discard_steps, total, &stage, |sim, step| {
        let b = (((step - 1) * nb / prod) as usize).min(o.blocks - 1);
        let swap_now = step % o.swap_every == 0;
        let sample_now = step % o.sample_every == 0;
        if swap_now || sample_now {
            slab_of(&sim.state, n, &mut slab);
        }
        if sample_now {
            let blk = &mut blocks[b];
            for (i, &s) in slab.iter().enumerate() {
                blk.ke[s] += kinetic(sim.state.structure.masses[i], &sim.state.velocities[i]);
                blk.counts[s] += 1;
            }
        }
        if swap_now {
            if let Some(e) = swap(&mut sim.state, &slab, hot) {
                blocks[b].energy += e;
                blocks[b].swaps += 1;
            }
        }
        Ok(())
    })?;
    Ok(SeedRun { seed, blocks })
}

struct SeedAnalysis {
    out: NemdSeed,
    profile: Vec<f64>,
    profile_err: Vec<f64>,
    intercept: f64,
    halves: Option<(f64, f64, f64)>,
}

fn analyse(run: &SeedRun, o: &NemdOptions, lz: f64, area: f64, slabs: &[usize], dist: &[f64]) -> Result<SeedAnalysis> {
    let n = o.slabs;
    let width = lz / n as f64;
    let mut total = Block { ke: vec![0.0; n], counts: vec![0; n], energy: 0.0, swaps: 0 };
    for b in &run.blocks {
        for j in 0..n {
            total.ke[j] += b.ke.get(j).copied().unwrap_or(0.0);
            total.counts[j] += b.counts.get(j).copied().unwrap_or(0);
        }
        total.energy += b.energy;
        total.swaps += b.swaps;
    }
    let profile = total.profile();
    let (a, g, _, _) = fold_fit(&profile, slabs, dist, n)?;
    let block_profiles: Vec<Vec<f64>> = run.blocks.iter().map(Block::profile).collect();
    let mut gb = Vec::with_capacity(run.blocks.len());
    let mut diffs = Vec::new();
    for p in &block_profiles {
        gb.push(fold_fit(p, slabs, dist, n)?.1);
        if let (Some(g1), Some(g2)) = (half_slope(p, slabs, n, true), half_slope(p, slabs, n, false)) {
            diffs.push(g1 + g2);
        }
    }
    let g_err = (stats::variance(&gb) / gb.len() as f64).sqrt();
    let halves = match (half_slope(&profile, slabs, n, true), half_slope(&profile, slabs, n, false)) {
        (Some(g1), Some(g2)) if diffs.len() >= 2 => Some((g1, -g2, (stats::variance(&diffs) / diffs.len() as f64).sqrt())),
        _ => None,
    };
    let profile_err: Vec<f64> = (0..n)
        .map(|j| {
            let v: Vec<f64> = block_profiles.iter().map(|p| p[j]).collect();
            (stats::variance(&v) / v.len() as f64).sqrt()
        })
        .collect();
    let t = o.production_steps as f64 * o.md()?.timestep;
    let flux = total.energy / (2.0 * area * t);
    let gradient = g / width;
    let gradient_err = g_err / width;
    let kappa = flux / gradient * EV_PER_PS_A_K_IN_W_PER_M_K;
    let katoms: u64 = total.counts.iter().sum();
    let mean_t = total.ke.iter().sum::<f64>() / (1.5 * BOLTZMANN * katoms.max(1) as f64);
    Ok(SeedAnalysis {
        out: NemdSeed {
            seed: run.seed,
            kappa,
            kappa_stderr: (kappa * gradient_err / gradient).abs(),
            gradient,
            gradient_stderr: gradient_err,
            heat_flux: flux,
            energy_exchanged: total.energy,
            swaps: total.swaps,
            temperature: mean_t,
        },
        profile,
        profile_err,
        intercept: a,
        halves,
    })
}

/// Müller-Plathe reverse-NEMD thermal conductivity of `structure` with `potential` along z
/// (see the module docs). One finished seed is one cached stage.
pub fn muller_plathe(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    options: &NemdOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<NemdResult> {
    let started = std::time::Instant::now();
    let o = &crate::md_run::resolved(options)?;
    o.validate(structure.len())?;
    let md = o.md()?;
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut provenance = Provenance::new("thermal_conductivity/muller_plathe", structure, potential.as_ref(), o, &o.seeds)?;
    let n = o.slabs;
    let volume = structure.cell.volume();
    let lz = structure.cell.widths()[2];
    let area = volume / lz;
    let width = lz / n as f64;
    let per_seed_steps = md.equilibration_steps + o.discard_steps + o.production_steps;
    let total = per_seed_steps * o.seeds.len() as u64;
    let (slabs, dist) = fit_points(n);

    let mut analyses = Vec::with_capacity(o.seeds.len());
    for (i, &seed) in o.seeds.iter().enumerate() {
        let base = i as u64 * per_seed_steps;
        let run = cache.get_or_run(&format!("seed-{seed}"), || run_seed(structure, &potential, o, &md, seed, progress, base, total))?;
        if run.blocks.len() != o.blocks || run.blocks.iter().any(|b| b.ke.len() != n || b.counts.len() != n) {
            return Err(Error::invalid("cached stage", format!("seed-{seed}"), "does not match the options (delete the cache)"));
        }
        analyses.push(analyse(&run, o, lz, area, &slabs, &dist)?);
    }

    let ns = analyses.len() as f64;
    let mean_of = |f: &dyn Fn(&SeedAnalysis) -> f64| analyses.iter().map(f).sum::<f64>() / ns;
    let err_of = |f: &dyn Fn(&SeedAnalysis) -> f64| analyses.iter().map(|a| f(a).powi(2)).sum::<f64>().sqrt() / ns;
    let kappa = mean_of(&|a| a.out.kappa);
    let kappa_err = err_of(&|a| a.out.kappa_stderr);
    let gradient = mean_of(&|a| a.out.gradient);
    let gradient_err = err_of(&|a| a.out.gradient_stderr);
    let flux = mean_of(&|a| a.out.heat_flux);
    let profile: Vec<f64> = (0..n).map(|j| mean_of(&|a| a.profile[j])).collect();
    let profile_err: Vec<f64> = (0..n).map(|j| err_of(&|a| a.profile_err[j])).collect();
    let t_mean = mean_of(&|a| a.out.temperature);
    let dt_hot_cold = profile[n / 2] - profile[0];
    let dt_err = (profile_err[n / 2].powi(2) + profile_err[0].powi(2)).sqrt();

    let mut warnings = Vec::new();
    if n == 4 {
        warnings.push("only 4 slabs: the gradient fit includes the source and sink slabs; use at least 12 slabs".to_string());
    }
    if gradient.is_nan() || gradient <= 3.0 * gradient_err {
        warnings.push(format!(
            "temperature gradient {gradient:.4e} ± {gradient_err:.2e} K/Å is not resolved from its noise: run longer or swap more often"
        ));
    }
    // linearity: reduced χ² of the fit through the seed-mean profile, with the slab
    // temperatures' block variance pooled over the fitted slabs
    let (_, _, rss, dof) = fold_fit(&profile, &slabs, &dist, n)?;
    let pooled = slabs.iter().map(|&j| profile_err[j].powi(2)).sum::<f64>() / slabs.len() as f64;
    let chi2 = rss / pooled.max(1e-300) / dof.max(1) as f64;
    if n > 4 && dof >= 2 && chi2 > 3.0 {
        warnings.push(format!(
            "temperature profile is not linear: reduced χ² = {chi2:.1} of the gradient fit against the slab temperatures' \
             block errors; check the profile, lengthen the cell along z or swap less often"
        ));
    }
    for a in &analyses {
        if let Some((g1, g2, e)) = a.halves {
            if (g1 - g2).abs() > 3.0 * e && (g1 - g2).abs() > 0.2 * 0.5 * (g1 + g2).abs() {
                warnings.push(format!(
                    "seed {}: the two halves of the temperature profile have different slopes ({:.4e} and {:.4e} K/Å): not a steady linear profile; \
                     increase discard_steps or the run length",
                    a.out.seed,
                    g1 / width,
                    g2 / width
                ));
            }
        }
    }
    if dt_hot_cold > 0.3 * t_mean {
        warnings.push(format!(
            "temperature difference between the hot and cold slabs ({dt_hot_cold:.1} K) exceeds 30 % of the mean temperature ({t_mean:.1} K): \
             the imposed flux is too large for linear response; increase swap_every"
        ));
    }
    let intercept = mean_of(&|a| a.intercept);
    let g_slab = gradient * width;
    let jumps = (profile[n / 2] - (intercept + g_slab * (n / 2) as f64)) + (intercept - profile[0]);
    let d_min = dist.iter().copied().fold(f64::INFINITY, f64::min);
    let d_max = dist.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let drop = g_slab * (d_max - d_min);
    if n > 4 && jumps > 2.0 * drop.abs() {
        warnings.push(format!(
            "temperature jumps at the source and sink slabs ({jumps:.1} K) exceed twice the drop across the fitted region ({drop:.1} K): \
             the system is too short along z or the swaps too frequent"
        ));
    }
    if (t_mean - o.temperature).abs() > 0.1 * o.temperature {
        warnings.push(format!("mean temperature {t_mean:.1} K differs from the target {:.1} K by more than 10 %", o.temperature));
    }

    let centres: Vec<f64> = (0..n).map(|j| (j as f64 + 0.5) * width).collect();
    let series = vec![Series {
        name: "temperature_profile".into(),
        x_label: "slab centre z".into(),
        x_unit: "Å".into(),
        y_label: "temperature".into(),
        y_unit: "K".into(),
        x: centres,
        y: profile,
        y_err: Some(profile_err),
    }];
    provenance.wall_seconds = started.elapsed().as_secs_f64();
    Ok(NemdResult {
        kappa: Quantity::with_err(kappa, kappa_err, KAPPA_UNIT),
        gradient: Quantity::with_err(gradient, gradient_err, "K/Å"),
        heat_flux: Quantity::exact(flux, "eV/(ps·Å²)"),
        temperature: Quantity::exact(t_mean, "K"),
        temperature_difference: Quantity::with_err(dt_hot_cold, dt_err, "K"),
        slabs: n,
        slab_thickness: width,
        area,
        fit_slabs: slabs,
        per_seed: analyses.into_iter().map(|a| a.out).collect(),
        series,
        warnings,
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_slabs_exclude_source_sink_and_neighbours() {
        let (s, d) = fit_points(20);
        assert_eq!(s, vec![2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 18]);
        assert_eq!(d, vec![2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]);
        let (s, _) = fit_points(8);
        assert_eq!(s, vec![1, 2, 3, 5, 6, 7]);
        // a folded linear profile is fitted exactly
        let prof: Vec<f64> = (0..20).map(|j: usize| 300.0 + 2.0 * (if j <= 10 { j } else { 20 - j }) as f64).collect();
        let (s, d) = fit_points(20);
        let (a, b, rss, dof) = fold_fit(&prof, &s, &d, 20).unwrap();
        assert!((a - 300.0).abs() < 1e-9 && (b - 2.0).abs() < 1e-12 && rss < 1e-18 && dof == 11);
        // an offset between the halves leaves the slope unchanged
        let shifted: Vec<f64> = prof.iter().enumerate().map(|(j, t)| if j > 10 { t + 5.0 } else { *t }).collect();
        let (a, b, rss, _) = fold_fit(&shifted, &s, &d, 20).unwrap();
        assert!((a - 302.5).abs() < 1e-9 && (b - 2.0).abs() < 1e-12 && rss < 1e-18);
        // 4 slabs: one line through all four
        let (s4, d4) = fit_points(4);
        let (_, b, _, dof) = fold_fit(&[300.0, 301.0, 302.0, 301.0], &s4, &d4, 4).unwrap();
        assert!((b - 1.0).abs() < 1e-12 && dof == 2);
        assert!((half_slope(&prof, &s, 20, true).unwrap() - 2.0).abs() < 1e-12);
        assert!((half_slope(&prof, &s, 20, false).unwrap() + 2.0).abs() < 1e-12);
    }

    #[test]
    fn options_validation() {
        let ok = NemdOptions::default();
        assert!(ok.validate(1000).is_ok());
        for bad in [2usize, 5, 21] {
            let e = NemdOptions { slabs: bad, ..ok.clone() }.validate(1000).unwrap_err().to_string();
            assert!(e.contains("slabs"), "{e}");
        }
        assert!(ok.validate(30).is_err());
        assert!(NemdOptions { temperature: -5.0, ..ok.clone() }.validate(1000).is_err());
        assert!(NemdOptions { seeds: vec![], ..ok.clone() }.validate(1000).is_err());
        assert!(NemdOptions { production_steps: 10, ..ok.clone() }.validate(1000).is_err());
        assert!(NemdOptions { swap_every: 0, ..ok }.validate(1000).is_err());
    }
}
