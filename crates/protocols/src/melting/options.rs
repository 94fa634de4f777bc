//! Options of the melting protocol and their validation.

use super::*;
use crate::md_run::{DenyUnknownKeys, MdRunOptions, WithMdRun};

/// Which box lengths the barostat adjusts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxCoupling {
    /// x, y and z independently (the solid's lateral stress relaxes to the target).
    Aniso,
    /// z only (x and y stay at the solid's equilibrium lengths at the guess temperature).
    Z,
}

/// Options of [`melting_temperature`]. Durations are in MD steps (the time step adapts to the
/// system), so the same defaults fit argon and copper. The shared MD block ([`MdRunOptions`]:
/// `timestep` (alias `timestep_ps`; 0 chooses `Δt = 0.0035 d_nn / √(k T₀/m)`, ≈ 2 fs for Cu,
/// 10 fs for Ar), `seed`, `threads`, `skin`, `equilibration_steps` (alias `equilibrate_steps`:
/// steps of the NPT equilibration of the crystal)) is flattened into the same JSON object; the
/// thermostat and barostat are set in steps (`thermostat_steps`, `barostat_steps`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct MeltingOptions {
    /// Guess of the melting temperature `T₀`, K. Without one (`None`, the default) the
    /// protocol finds its own from a short heating/cooling hysteresis run
    /// ([`super::bracket`]); a guess only saves that time.
    pub guess_k: Option<f64>,
    /// Steps of each ramp of the hysteresis run that finds the guess (used without `guess_k`).
    pub search_steps: u64,
    /// Target pressure, GPa (compression positive).
    pub pressure_gpa: f64,
    /// Thermostat (stochastic velocity rescaling) time constant in steps.
    pub thermostat_steps: f64,
    /// Berendsen barostat time constant in steps.
    pub barostat_steps: f64,
    /// The barostat rescales the box every this many steps (with an effective time step
    /// `barostat_every·Δt`): every change of the cell rebuilds the neighbour list, so rescaling
    /// every step would cost a rebuild per step.
    pub barostat_every: u64,
    /// Barostat coupling.
    pub coupling: BoxCoupling,
    /// Steps of melting the upper half at `melt_factor·T₀` (plus ¼ as many to cool it back and
    /// ½ as many to relax the two-phase box under the barostat).
    pub melt_steps: u64,
    /// Melting temperature of the upper half relative to `T₀`.
    pub melt_factor: f64,
    /// Steps of each NPT bracketing run.
    pub trial_steps: u64,
    /// Relative half-width of the first bracket: trials at `T₀(1 ± bracket)`.
    pub bracket: f64,
    /// Bisection runs after the bracket is found (and, before them, those that bring a bracket
    /// widened by a long move back to `2·bracket·T₀`).
    pub bisections: usize,
    /// Times the bracket may be moved before giving up (moves of 2, 4, 8 … × `bracket·T₀`).
    pub max_expansions: usize,
    /// Steps of the NPH coexistence run (0 skips it).
    pub nph_steps: u64,
    /// Steps of each hysteresis ramp (0 skips both).
    pub ramp_steps: u64,
    /// Heating ramp of the crystal: from `T₀·ramp_heat[0]` to `T₀·ramp_heat[1]`.
    pub ramp_heat: [f64; 2],
    /// Cooling ramp of the liquid: from `T₀·ramp_cool[0]` to `T₀·ramp_cool[1]`.
    pub ramp_cool: [f64; 2],
    /// Phase identification of solid atoms.
    pub phase: PhaseMethod,
    /// Phase labels are computed every this many steps.
    pub sample_every: u64,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// The melting protocol's defaults of the shared MD block (its own thermostat and barostat,
/// set in steps; time step 0 = automatic).
pub const MELTING_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.0),
    thermostat: None,
    thermostat_damping: None,
    pressure_damping: None,
    skin: Some(DEFAULT_SKIN),
    seed: Some(1),
    threads: Some(0),
    equilibration_steps: Some(3000),
};
crate::with_md_run!(MeltingOptions, MELTING_MD);

impl Default for MeltingOptions {
    fn default() -> Self {
        MeltingOptions {
            guess_k: None,
            search_steps: 20000,
            pressure_gpa: 0.0,
            thermostat_steps: 100.0,
            barostat_steps: 500.0,
            barostat_every: 20,
            coupling: BoxCoupling::Aniso,
            melt_steps: 3000,
            melt_factor: 2.5,
            trial_steps: 8000,
            bracket: 0.04,
            bisections: 1,
            max_expansions: 3,
            nph_steps: 16000,
            ramp_steps: 8000,
            ramp_heat: [0.9, 1.6],
            ramp_cool: [1.2, 0.3],
            phase: PhaseMethod::default(),
            sample_every: 200,
            md: MELTING_MD,
            unknown: DenyUnknownKeys,
        }
    }
}


/// Checks of the input that need no MD. Returns warnings.
pub(super) fn validate(s: &Structure, pot: &dyn Potential, o: &MeltingOptions) -> Result<Vec<String>> {
    let mut warn = Vec::new();
    if let Some(g) = o.guess_k {
        check_guess(g)?;
    }
    if !o.pressure_gpa.is_finite() {
        return Err(Error::invalid("pressure_gpa", o.pressure_gpa, "must be finite (GPa)"));
    }
    let md = o.md()?;
    for (name, v, lo) in [("melt_factor", o.melt_factor, 1.05), ("thermostat_steps", o.thermostat_steps, 1.0), ("barostat_steps", o.barostat_steps, 10.0)] {
        if !(v.is_finite() && v >= lo) {
            return Err(Error::invalid(name, v, &format!("must be at least {lo}")));
        }
    }
    if !(o.bracket.is_finite() && o.bracket > 0.0 && o.bracket < 0.5) {
        return Err(Error::invalid("bracket", o.bracket, "relative bracket half-width must lie in (0, 0.5)"));
    }
    if o.barostat_every == 0 || o.barostat_every as f64 > 0.1 * o.barostat_steps {
        return Err(Error::invalid("barostat_every", o.barostat_every, "must be at least 1 and at most a tenth of barostat_steps"));
    }
    if o.sample_every == 0 {
        return Err(Error::invalid("sample_every", 0, "must be at least 1 step"));
    }
    for (name, v) in [("trial_steps", o.trial_steps), ("equilibration_steps", md.equilibration_steps), ("melt_steps", o.melt_steps)] {
        if v < 500 {
            return Err(Error::invalid(name, v, "run too short: at least 500 steps are needed"));
        }
    }
    if o.trial_steps / o.sample_every < 10 {
        return Err(Error::invalid("trial_steps", o.trial_steps, &format!("too short for a solid-fraction slope: fewer than 10 samples at sample_every = {}", o.sample_every)));
    }
    if o.nph_steps > 0 && o.nph_steps < 2000 {
        return Err(Error::invalid("nph_steps", o.nph_steps, "an NPH coexistence run needs at least 2000 steps (or 0 to skip it)"));
    }
    if o.ramp_steps > 0 && o.ramp_steps / o.sample_every < 10 {
        return Err(Error::invalid("ramp_steps", o.ramp_steps, "too short: fewer than 10 samples along the ramp (or 0 to skip)"));
    }
    if o.trial_steps < 4000 {
        warn.push(format!("trial runs of {} steps are short: the interface may not move measurably near T_m", o.trial_steps));
    }
    // geometry: orthorhombic, elongated along z, two phases fit
    let h = s.cell.matrix();
    let off = h[0][1].abs() + h[0][2].abs() + h[1][0].abs() + h[1][2].abs() + h[2][0].abs() + h[2][1].abs();
    if off > 1e-9 * (h[0][0] + h[1][1] + h[2][2]) {
        return Err(Error::invalid("cell", "triclinic", "the coexistence box must be orthorhombic (interfaces normal to z)"));
    }
    let n = s.len();
    if n < 200 {
        return Err(Error::invalid("structure", format!("{n} atoms"), "box too small for two phases (need ≥ 200 atoms, ≥ 2000 recommended)"));
    }
    if n < 2000 {
        warn.push(format!("{n} atoms is small for a coexistence run: finite-size errors of a few % are possible (≥ 2000 recommended)"));
    }
    let (lx, ly, lz) = (h[0][0], h[1][1], h[2][2]);
    let dnn = 1.12 * (s.cell.volume() / n as f64).cbrt();
    if lz < 12.0 * dnn || lx.min(ly) < 3.0 * dnn {
        return Err(Error::invalid(
            "structure",
            format!("box {lx:.1} × {ly:.1} × {lz:.1} Å"),
            &format!("box too small for two phases: need L_z ≥ 12 d_nn = {:.1} Å and L_x, L_y ≥ 3 d_nn = {:.1} Å", 12.0 * dnn, 3.0 * dnn),
        ));
    }
    if lz < 1.8 * lx.max(ly) {
        warn.push(format!("aspect ratio L_z/L_x = {:.2} < 2: the interfaces are close; elongate the box along z", lz / lx.max(ly)));
    }
    let _ = pot;
    Ok(warn)
}

/// A given guess of `T_m` must be a positive temperature.
pub(super) fn check_guess(guess_k: f64) -> Result<()> {
    if !(guess_k.is_finite() && guess_k > 0.0) {
        return Err(Error::invalid("guess_k", guess_k, "the melting-temperature guess must be positive (K)"));
    }
    Ok(())
}
