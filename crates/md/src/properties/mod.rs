//! Property protocols: automated, one-call calculations of material properties from MD, each
//! returning a typed result with units, standard errors, warnings and provenance
//! ([`report`]). Statistics shared by the protocols live in [`stats`].
//!
//! | module | property |
//! |---|---|
//! | [`elastic`] | 6×6 elastic constants at 0 K and finite temperature, derived moduli |
//! | [`descriptors`] | RDF, coordination, bond energy, displacements, vacancy formation energy |
//! | [`diffusion`] | self-diffusivity from the mean-squared displacement (Einstein) |
//! | [`thermal`] | thermal expansion and heat capacity from NPT runs |
//! | [`melting`] | melting temperature by solid–liquid coexistence, hysteresis bounds |
//! | [`phase_id`] | per-atom phase identification: (adaptive) CNA, Steinhardt Q6 |
//!
//! Every protocol takes a [`report::Progress`] that is told how far it is and can interrupt it
//! ([`crate::error::Error::Interrupted`]); protocols made of independent stages (seeds, strains,
//! temperatures) store each finished stage in a [`report::StageCache`] so an interrupted run
//! resumes where it stopped.

pub mod melting;
pub mod phase_id;
pub mod report;
pub mod stats;
