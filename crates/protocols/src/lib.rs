//! # scalebridge-protocols
//!
//! Property protocols: automated, one-call calculations of material properties from MD, each
//! returning a typed result with units, standard errors, warnings and provenance
//! ([`report`]). Computes they are built on (heat flux, RDF, CNA/Q6) live in
//! `scalebridge_md::computes`, statistics in `scalebridge_core::stats`.
//!
//! | module | property |
//! |---|---|
//! | [`elastic`] | 6×6 elastic constants at 0 K and finite temperature, derived moduli |
//! | [`diffusion`] | self-diffusivity from the mean-squared displacement (Einstein) |
//! | [`thermal`] | thermal expansion and heat capacity from NPT runs |
//! | [`melting`] | melting temperature by solid–liquid coexistence, hysteresis bounds |
//! | [`defects`] | vacancy formation energy |
//! | [`glass`] | amorphous solids by melt–quench, glass-transition temperature |
//! | [`plot`] | SVG plots of the recorded series |
//! | [`green_kubo`] | thermal conductivity from heat-current fluctuations (Green–Kubo) |
//! | [`nemd`] | thermal conductivity by reverse NEMD (Müller-Plathe, `fix thermal/conductivity`) |
//!
//! Every protocol implements [`Protocol`] (name, options with defaults, typed output, `run`);
//! [`run`] is the one registry that the CLI and the Python bindings call by name with JSON
//! options ([`registry`]). The shared MD-run driver is [`md_run`].
//!
//! Every protocol takes a [`report::Progress`] that is told how far it is and can interrupt it
//! (`scalebridge_md::error::Error::Interrupted`); protocols made of independent stages (seeds,
//! strains, temperatures) store each finished stage in a [`report::StageCache`] so an
//! interrupted run resumes where it stopped.

pub mod defects;
pub mod diffusion;
pub mod distortion;
pub mod eos;
pub mod elastic;
pub mod glass;
pub mod green_kubo;
pub mod lattice_constant;
pub mod md_run;
pub mod melting;
pub mod nemd;
pub mod plot;
pub mod protocol;
pub mod registry;
pub mod report;
pub mod thermal;

/// Re-exported for the protocols' users: relaxation lives in the engine.
pub use scalebridge_md::minimize::relax;
pub use protocol::{Context, Protocol};
pub use registry::{resolved_options, run, run_json, PROTOCOLS};
