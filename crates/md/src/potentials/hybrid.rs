//! `pair_style hybrid/overlay`: several potentials summed on the same atoms (LAMMPS
//! `hybrid/overlay`, e.g. `pedone 12.0 coul/dsf 0.2 12.0`, `buck 10.0 coul/long 10.0`).
//!
//! The overlay asks for one neighbour list with the largest cutoff of its members; each member
//! filters its own cutoffs (every style does: lists carry a skin anyway) and adds into the same
//! [`Output`]. Needs merge as LAMMPS's own lists do: the common list kind (half for the pair
//! styles), the largest cutoff, and the whole configuration if any member reads it (long-range
//! electrostatics). A member acts on the pairs its parameters describe (a short-range ionic
//! member without parameters for a pair leaves it to the others, as a LAMMPS sub-style does for
//! type pairs not assigned to it).

use super::{Configuration, Needs, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use crate::neighbors::ListKind;
use std::sync::Arc;

/// Potentials overlaid on the same atoms.
#[derive(Debug, Clone)]
pub struct Hybrid {
    members: Vec<Arc<dyn Potential>>,
    needs: Needs,
    /// Fused short-range + coul/long pass: `None` follows [`fused_enabled`].
    fused: Option<bool>,
}

impl Hybrid {
    /// Overlay `members` (at least one); an error if they need different neighbour-list kinds.
    pub fn new(members: Vec<Arc<dyn Potential>>) -> Result<Self> {
        if members.is_empty() {
            return Err(Error::invalid("hybrid/overlay", "no styles", "needs at least one sub-style"));
        }
        let mut kind = ListKind::None;
        let mut cutoff = 0.0f64;
        let mut whole = false;
        for m in &members {
            let n = m.needs();
            whole |= n.whole_configuration;
            if n.list == ListKind::None {
                continue;
            }
            if kind != ListKind::None && kind != n.list {
                return Err(Error::invalid(
                    "hybrid/overlay",
                    members.iter().map(|m| format!("{} ({:?} list)", m.pair_style(), m.needs().list)).collect::<Vec<_>>().join(", "),
                    "members that need half and full neighbour lists cannot be overlaid yet",
                ));
            }
            kind = n.list;
            cutoff = cutoff.max(n.cutoff);
        }
        Ok(Hybrid { members, needs: Needs { list: kind, cutoff, whole_configuration: whole }, fused: None })
    }

    /// The same overlay with the fused short-range + coul/long pair pass forced on or off
    /// (`None`: the default, [`fused_enabled`]); for tests and benchmarks of the two paths.
    pub fn with_fused(mut self, fused: Option<bool>) -> Self {
        self.fused = fused;
        self
    }

    /// The overlaid potentials, in order.
    pub fn members(&self) -> &[Arc<dyn Potential>] {
        &self.members
    }
}

impl Potential for Hybrid {
    fn pair_style(&self) -> &str {
        "hybrid/overlay"
    }
    fn cutoff(&self) -> f64 {
        self.needs.cutoff
    }
    fn needs(&self) -> Needs {
        self.needs
    }
    /// Species every member describes.
    fn species(&self) -> Vec<String> {
        let mut out = self.members[0].species();
        for m in &self.members[1..] {
            let s = m.species();
            out.retain(|x| s.contains(x));
        }
        out
    }
    fn check_species(&self, species: &[String]) -> Result<()> {
        self.members.iter().try_for_each(|m| m.check_species(species))
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        // The fused pass (Potential::compute_fused: short-range + coul/long in one pass over the
        // pairs), on by default (SCALEBRIDGE_FUSED_PAIRS=0 turns it off). It equals the separate
        // passes to rounding (crates/md/tests/fused_pairs.rs); the FIRE stalls once blamed on it
        // came from coul/long re-choosing g for every trial cell (now pinned by the minimiser).
        if let (true, [a, b]) = (self.fused.unwrap_or_else(fused_enabled), &self.members[..]) {
            // e.g. buck + coul/long: one pass over the pairs (Potential::compute_fused)
            if let Some(r) = a.compute_fused(b.as_ref(), config, req, scratch, out) {
                return r;
            }
            if let Some(r) = b.compute_fused(a.as_ref(), config, req, scratch, out) {
                return r;
            }
        }
        for m in &self.members {
            m.compute(config, req, scratch, out)?;
        }
        Ok(())
    }
    /// Every member pinned ([`Potential::pinned_for`]); `None` when no member changes.
    fn pinned_for(&self, config: &Configuration<'_>) -> Result<Option<Arc<dyn Potential>>> {
        self.pinned_members(|m| m.pinned_for(config))
    }
    /// Every member pinned for a run ([`Potential::pinned_for_run`]); `None` when no member changes.
    fn pinned_for_run(&self, config: &Configuration<'_>) -> Result<Option<Arc<dyn Potential>>> {
        self.pinned_members(|m| m.pinned_for_run(config))
    }
    fn fingerprint(&self) -> String {
        let parts: Vec<String> = self.members.iter().map(|m| format!("{}:{}", m.pair_style(), m.fingerprint())).collect();
        format!("hybrid/overlay[{}]", parts.join(";"))
    }
}

impl Hybrid {
    /// The overlay with each member replaced by `pin(member)` where that gives `Some`.
    fn pinned_members(&self, pin: impl Fn(&Arc<dyn Potential>) -> Result<Option<Arc<dyn Potential>>>) -> Result<Option<Arc<dyn Potential>>> {
        let mut changed = false;
        let mut members = Vec::with_capacity(self.members.len());
        for m in &self.members {
            match pin(m)? {
                Some(p) => {
                    changed = true;
                    members.push(p);
                }
                None => members.push(m.clone()),
            }
        }
        Ok(if changed { Some(Arc::new(Hybrid::new(members)?.with_fused(self.fused))) } else { None })
    }
}

/// Whether [`Hybrid`] uses the fused short-range + Coulomb pass: yes unless the environment sets
/// `SCALEBRIDGE_FUSED_PAIRS=0` (read once per process).
pub fn fused_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("SCALEBRIDGE_FUSED_PAIRS").map(|v| v.trim() != "0").unwrap_or(true))
}
