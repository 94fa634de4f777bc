//! Property protocols: automated, one-call calculations of material properties from MD, each
//! returning a typed result with units, standard errors, warnings and provenance
//! ([`report`]). Statistics shared by the protocols live in [`stats`].
//!
//! | module | property |
//! |---|---|
//! | [`elastic`] | 6×6 elastic constants at 0 K and finite temperature, derived moduli |
//! | [`descriptors`] | RDF, coordination, bond energy per bond, displacements, local temperature |
//! | [`diffusion`] | self-diffusivity from the mean-squared displacement (Einstein) |
//! | [`thermal`] | thermal expansion and heat capacity from NPT runs |
//! | [`melting`] | melting temperature by solid–liquid coexistence, hysteresis bounds |
//! | [`phase_id`] | per-atom phase identification: (adaptive) CNA, Steinhardt Q6 |
//! | [`defects`] | vacancy formation energy |
//! | [`plot`] | SVG plots of the recorded series |
//! | [`heat_flux`] | microscopic heat current (LAMMPS `compute heat/flux`) |
//! | [`green_kubo`] | thermal conductivity from heat-current fluctuations (Green–Kubo) |
//! | [`nemd`] | thermal conductivity by reverse NEMD (Müller-Plathe, `fix thermal/conductivity`) |
//!
//! Every protocol takes a [`report::Progress`] that is told how far it is and can interrupt it
//! ([`crate::error::Error::Interrupted`]); protocols made of independent stages (seeds, strains,
//! temperatures) store each finished stage in a [`report::StageCache`] so an interrupted run
//! resumes where it stopped.

pub mod defects;
pub mod descriptors;
pub mod diffusion;
pub mod elastic;
pub mod plot;
pub mod green_kubo;
pub mod heat_flux;
pub mod melting;
pub mod nemd;
pub mod phase_id;
pub mod report;
pub mod stats;
pub mod thermal;

use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::minimize::{minimize, MinimizeOptions, MinimizeReport};
use crate::structure::Structure;

/// Relax `s`: conjugate gradients for at most 500 iterations, then FIRE from where CG stopped
/// if it has not converged (CG line searches can stall on tabulated potentials with kinks in
/// F(ρ); FIRE is slower but robust).
pub fn relax(s: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<MinimizeReport> {
    let quick = MinimizeOptions { max_iter: opts.max_iter.min(500), ..opts.clone() };
    match minimize(s, eval, "cg", &quick) {
        Err(Error::NotConverged { .. }) => minimize(s, eval, "fire", opts),
        r => r,
    }
}
