//! Short-range pair styles of ionic solids: `buck` (Buckingham), `born` (Born–Mayer–Huggins)
//! and `pedone` (Morse + C/r¹², Pedone et al. 2006), evaluated as LAMMPS does.
//!
//! Every unlike (and like) pair must be given explicitly: these styles define no mixing rule
//! (LAMMPS stops with "All pair coeffs are not set"), so a missing pair is an error naming it —
//! except inside `hybrid/overlay`, where a pair without parameters simply has no short-range
//! term (as in LAMMPS, where a sub-style acts only on the pairs assigned to it). Each pair has
//! its own cutoff (default: the style's global cutoff); `shift` (LAMMPS `pair_modify shift yes`)
//! subtracts each pair's energy at its cutoff. Units: eV, Å.

pub mod born;
pub mod buck;
pub mod library;
pub mod pedone;

pub use born::Born;
pub use buck::Buck;
pub use pedone::Pedone;

use super::pairwise::compute_pairs;
use super::kspace::CoulLong;
use super::{Configuration, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The functional form of one pair style: its parameters in LAMMPS `pair_coeff` order.
pub trait PairForm: Clone + std::fmt::Debug + Send + Sync + Serialize + 'static {
    /// LAMMPS style name.
    const STYLE: &'static str;
    /// Parameter names in `pair_coeff` order (the JSON keys of a pair).
    const KEYS: &'static [&'static str];
    /// Build from values in `KEYS` order (validated; `pair` names the pair in errors).
    fn from_values(v: &[f64], pair: &str) -> Result<Self>;
    /// Values in `KEYS` order.
    fn values(&self) -> Vec<f64>;
    /// Pair energy (no shift) and `F/r = −(dE/dr)/r` at distance² `r2`, as LAMMPS computes them.
    fn eval(&self, r2: f64) -> (f64, f64);
    /// Energy at the cutoff `rc`, as LAMMPS's `init_one` computes the offset.
    fn offset(&self, rc: f64) -> f64;
    /// The per-pair constants of the fused kernel (LAMMPS's `init_one` products, e.g. 1/ρ, A/ρ).
    type Kernel: Copy + Send + Sync + std::fmt::Debug;
    /// Precompute [`PairForm::Kernel`]; `None` when energy, force and offset all vanish
    /// identically (buck with A = C = 0).
    fn kernel(&self) -> Option<Self::Kernel>;
    /// [`PairForm::eval`] from the kernel constants, given `r = √r2` and `1/r2` as the fused
    /// pair loop has them (the same operations, so the same numbers).
    fn eval_kernel(k: &Self::Kernel, r2: f64, r: f64, r2inv: f64) -> (f64, f64);
}

/// One pair's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairEntry<F> {
    pub a: String,
    pub b: String,
    pub params: F,
    /// Pair cutoff, Å (the global cutoff when `None`).
    pub cutoff: Option<f64>,
}

/// A short-range pair potential of form `F` over explicit pairs.
#[derive(Clone, Debug, Serialize)]
pub struct ShortRange<F: PairForm> {
    /// Species described.
    pub species: Vec<String>,
    /// Global cutoff, Å.
    pub cutoff: f64,
    /// Shift each pair energy to zero at its cutoff.
    pub shift: bool,
    /// Explicit pairs (later entries override earlier ones).
    pub pairs: Vec<PairEntry<F>>,
}

pub fn check_values(style: &str, pair: &str, keys: &[&str], v: &[f64]) -> Result<()> {
    if v.len() != keys.len() {
        return Err(Error::invalid(
            &format!("{style} parameters of pair {pair}"),
            format!("{v:?}"),
            &format!("expected {} values ({})", keys.len(), keys.join(" ")),
        ));
    }
    for (k, x) in keys.iter().zip(v) {
        if !x.is_finite() {
            return Err(Error::invalid(&format!("{style} {k} of pair {pair}"), x, "must be finite"));
        }
    }
    Ok(())
}

impl<F: PairForm> ShortRange<F> {
    /// Validate and build. With `complete`, every pair of `species` must be given (standalone
    /// style); without, missing pairs do not interact (a `hybrid/overlay` member).
    pub fn new(species: Vec<String>, cutoff: f64, shift: bool, pairs: Vec<PairEntry<F>>, complete: bool) -> Result<Self> {
        if species.is_empty() {
            return Err(Error::invalid("elements", "[]", &format!("{} needs at least one species", F::STYLE)));
        }
        for (i, s) in species.iter().enumerate() {
            if species[..i].contains(s) {
                return Err(Error::invalid("elements", s, "listed twice"));
            }
        }
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(Error::invalid(&format!("{} cutoff", F::STYLE), cutoff, "must be positive and finite (Å)"));
        }
        for p in &pairs {
            for s in [&p.a, &p.b] {
                if !species.contains(s) {
                    return Err(Error::UnknownSpecies {
                        species: s.clone(),
                        potential: format!("{} pair {}-{}", F::STYLE, p.a, p.b),
                        known: species.join(", "),
                    });
                }
            }
            if let Some(rc) = p.cutoff {
                if !(rc.is_finite() && rc > 0.0) {
                    return Err(Error::invalid(&format!("{} cutoff of pair {}-{}", F::STYLE, p.a, p.b), rc, "must be positive (Å)"));
                }
            }
        }
        let pot = ShortRange { species, cutoff, shift, pairs };
        if complete {
            for i in 0..pot.species.len() {
                for j in i..pot.species.len() {
                    if pot.pair(i, j).is_none() {
                        return Err(Error::invalid(
                            &format!("{} pairs", F::STYLE),
                            format!("no parameters for {}-{}", pot.species[i], pot.species[j]),
                            &format!("{} has no mixing rule: give every pair explicitly (LAMMPS: All pair coeffs are not set)", F::STYLE),
                        ));
                    }
                }
            }
        }
        Ok(pot)
    }

    /// Parameters and cutoff of the pair of species indices `i`, `j` (None: no interaction).
    pub fn pair(&self, i: usize, j: usize) -> Option<(&F, f64)> {
        let (a, b) = (&self.species[i], &self.species[j]);
        self.pairs
            .iter()
            .rev()
            .find(|p| (&p.a == a && &p.b == b) || (&p.a == b && &p.b == a))
            .map(|p| (&p.params, p.cutoff.unwrap_or(self.cutoff)))
    }

    /// Pair energy and `F/r` at `r2` for species indices `i`, `j` (zero beyond the cutoff or
    /// without parameters), including the shift.
    pub fn energy_force(&self, i: usize, j: usize, r2: f64) -> (f64, f64) {
        match self.pair(i, j) {
            Some((p, rc)) if r2 < rc * rc => {
                let (e, f) = p.eval(r2);
                (e - if self.shift { p.offset(rc) } else { 0.0 }, f)
            }
            _ => (0.0, 0.0),
        }
    }
}

impl<F: PairForm> Potential for ShortRange<F> {
    fn pair_style(&self) -> &str {
        F::STYLE
    }
    fn cutoff(&self) -> f64 {
        self.pairs.iter().filter_map(|p| p.cutoff).fold(self.cutoff, f64::max)
    }
    fn species(&self) -> Vec<String> {
        self.species.clone()
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        self.check_species(config.species)?;
        let table = self.type_table(config);
        let nt = config.species.len();
        let types = config.types;
        compute_pairs(config, req, scratch, out, |i, j, r2| {
            let (p, cutsq, off) = table[types[i] * nt + types[j]].as_ref()?;
            if r2 >= *cutsq {
                return None;
            }
            let (e, f) = p.eval(r2);
            Some((e - off, f))
        })
    }
    /// With `coul/long` (`buck/coul/long`, `hybrid/overlay pedone … coul/long …`): one pass
    /// over the pairs for both, as LAMMPS's combined styles.
    fn compute_fused(&self, other: &dyn Potential, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Option<Result<()>> {
        let coul = other.as_any().downcast_ref::<CoulLong>()?;
        Some((|| {
            self.check_species(config.species)?;
            // (kernel constants, cutoff², offset) per type pair; None: no term (no parameters, or
            // identically zero, e.g. buck Mg–Mg with A = C = 0)
            let table: Vec<Option<(F::Kernel, f64, f64)>> =
                self.type_table(config).into_iter().map(|t| t.and_then(|(p, cutsq, off)| p.kernel().map(|k| (k, cutsq, off)))).collect();
            let nt = config.species.len();
            let types = config.types;
            let rc_short = Potential::cutoff(self);
            coul.compute_with_short(config, req, scratch, out, rc_short, |i, j, r2, r, r2inv| {
                let (k, cutsq, off) = table[types[i] * nt + types[j]].as_ref()?;
                if r2 >= *cutsq {
                    return None;
                }
                let (e, f) = F::eval_kernel(k, r2, r, r2inv);
                Some((e - off, f))
            })
        })())
    }
}

impl<F: PairForm> ShortRange<F> {
    /// (parameters, cutoff², offset) per configuration type pair, `a * n_types + b`.
    fn type_table(&self, config: &Configuration<'_>) -> Vec<Option<(F, f64, f64)>> {
        let map: Vec<usize> = config.species.iter().map(|s| self.species.iter().position(|k| k == s).unwrap_or(0)).collect();
        let nt = map.len();
        let mut table: Vec<Option<(F, f64, f64)>> = Vec::with_capacity(nt * nt);
        for a in 0..nt {
            for b in 0..nt {
                table.push(self.pair(map[a], map[b]).map(|(p, rc)| (p.clone(), rc * rc, if self.shift { p.offset(rc) } else { 0.0 })));
            }
        }
        table
    }
}

#[cfg(test)]
mod tests;
