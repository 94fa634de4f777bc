//! The melting protocol's own first guess, for users who have none: a short hysteresis run
//! (Luo, Strachan & Swift, J. Chem. Phys. 120, 11640 (2004)).
//!
//! The temperature scale is the cohesive energy, `T_s = E_coh / (25 k_B)` (melting points of
//! metals and Lennard-Jones solids lie within a factor 2.5 of it). The crystal is heated at
//! constant pressure from `0.3 T_s` to `4 T_s` over `search_steps` steps until its solid fraction
//! drops below ½ (the superheating limit `T₊`); the melt is held at `1.25 T₊` and cooled to
//! `0.2 T₊` until the solid fraction exceeds ½ again (the supercooling limit `T₋`). The guess is
//! the hysteresis estimate `T_m ≈ T₊ + T₋ − √(T₊ T₋)`; when the liquid does not crystallise
//! within the ramp, `T₊ / 1.25` (the typical superheating of a periodic crystal). The coexistence
//! stages then correct the guess where it is off (a crystal that melts at it, a two-phase box that
//! melts or freezes) and bracket `T_m` from it as from a user's.

use super::*;

/// What the hysteresis run found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BracketSearch {
    /// The guess handed to the coexistence stages, K.
    pub guess_k: f64,
    /// How it was obtained: `"hysteresis"` (`T₊ + T₋ − √(T₊T₋)`) or `"superheating"` (`T₊/1.25`).
    pub method: String,
    /// Temperature scale `E_coh / (25 k_B)`, K.
    pub scale_k: f64,
    pub heating_ramp: RampResult,
    pub cooling_ramp: Option<RampResult>,
}

/// Run the hysteresis search on `structure` (stages `search_heating`, `search_cooling` in the
/// cache).
pub(super) fn search(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    opts: &MeltingOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<BracketSearch> {
    if opts.search_steps < 1000 {
        return Err(Error::invalid("search_steps", opts.search_steps, "run too short: at least 1000 steps are needed"));
    }
    let n = structure.len();
    let (e0, bulk) = static_energy_and_bulk_modulus(structure, potential, opts)?;
    if !(e0.is_finite() && e0 < 0.0) {
        return Err(Error::invalid(
            "guess_k",
            "none",
            &format!("without a guess the temperature scale comes from the cohesive energy, but the crystal's energy is {e0:.4} eV/atom (not bound): give guess_k"),
        ));
    }
    let scale = -e0 / (25.0 * BOLTZMANN);
    let ctx0 = Ctx::new(structure, potential, opts, scale, bulk.unwrap_or(0.5))?;
    let ctx = Ctx { f_ref: ctx0.solid_fraction_of(structure)?.max(1e-3), ..ctx0 };
    let steps = opts.search_steps;
    let mut prog = Steps { progress, done: 0, total: 2 * steps + steps / 10 };
    let seed = ctx.md.seed ^ 0xb7ac;
    let (t_lo, t_hi) = (0.3 * scale, 4.0 * scale);
    let (heating, liquid): (RampResult, MdState) = cache.get_or_run("search_heating", || {
        let mut d = ctx.driver(MdState { structure: structure.clone(), velocities: vec![[0.0; 3]; n], step: 0, time: 0.0 }, seed)?;
        d.thermalise(t_lo, seed)?;
        let r = ramp_driver(&ctx, &mut d, t_lo, t_hi, steps, true, &mut prog)?;
        Ok((r, d.state))
    })?;
    let t_plus = heating.crossing_k.ok_or_else(|| {
        Error::invalid(
            "guess_k",
            "none",
            &format!("the crystal did not melt while heated to {t_hi:.0} K: is it a stable crystal of this potential? Give guess_k"),
        )
    })?;
    let cooling: RampResult = cache.get_or_run("search_cooling", || {
        let mut d = ctx.driver(liquid.clone(), seed ^ 1)?;
        let hot = 1.25 * t_plus;
        d.rescale_to(hot);
        segment(&mut d, steps / 10, |_| Control { temperature: Some(hot), barostat: true }, opts.sample_every, &mut prog, "search: melting", |d, _| {
            ctx.check_density(d, hot)?;
            Ok(true)
        })?;
        ramp_driver(&ctx, &mut d, hot, 0.2 * t_plus, steps, false, &mut prog)
    })?;
    let (guess_k, method) = match cooling.crossing_k {
        Some(t_minus) if t_minus < t_plus => (t_plus + t_minus - (t_plus * t_minus).sqrt(), "hysteresis"),
        _ => (t_plus / 1.25, "superheating"),
    };
    Ok(BracketSearch { guess_k, method: method.into(), scale_k: scale, heating_ramp: heating, cooling_ramp: Some(cooling) })
}
