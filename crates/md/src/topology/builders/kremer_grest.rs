//! The Kremer–Grest bead-spring melt (K. Kremer and G. S. Grest, J. Chem. Phys. 92, 5057
//! (1990)): `chains` linear chains of `length` beads of mass m at number density `density` σ⁻³,
//! every pair interacting through the WCA potential (Lennard-Jones ε, σ cut at 2^{1/6}σ and
//! shifted; `pair_cutoff` = 2.5 gives the attractive variant used for glass-transition studies),
//! bonded neighbours through FENE, K = 30 ε/σ², R₀ = 1.5 σ, plus the WCA term of the FENE bond
//! (LAMMPS `bond_style fene` with `special_bonds fene`: bonded pairs excluded from the pair
//! term). The standard melt is N = 50 at ρ = 0.85 σ⁻³, T = 1.0 ε/k_B (mean bond length ≈ 0.97 σ).
//! Built by random-walk growth (bond 0.97 σ, overlap exclusion `exclusion` σ, default 0.85)
//! and a soft push-off to at least `min_distance` σ (default 0.8) between non-bonded beads.
//! Lengths, energies and masses are mapped to metal units by [`LjUnits`].

use super::pushoff::{exclusions, push_off, PushOff};
use super::walk::{grow, Geometry, Walk};
use super::{at_least, positive, LjUnits, Parts, PolymerSystem};
use crate::error::{Error, Result};
use crate::topology::Term;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

/// 2^{1/6}: the WCA cutoff in σ.
pub const WCA_CUTOFF: f64 = 1.122_462_048_309_373;
/// FENE spring constant K, ε/σ².
pub const FENE_K: f64 = 30.0;
/// FENE maximum extension R₀, σ.
pub const FENE_R0: f64 = 1.5;
/// Bond length the growth uses, σ (the melt's mean bond length).
pub const BOND_LENGTH: f64 = 0.97;

/// Kremer–Grest melt options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KremerGrest {
    pub chains: usize,
    /// Beads per chain.
    pub length: usize,
    /// Beads per σ³.
    pub density: f64,
    /// Pair cutoff, σ (2^{1/6}: WCA, purely repulsive).
    pub pair_cutoff: f64,
    /// Smallest distance between a new bead and earlier ones during growth, σ.
    pub exclusion: f64,
    /// Smallest non-bonded distance after the push-off, σ.
    pub min_distance: f64,
    pub seed: u64,
    pub units: LjUnits,
}

impl Default for KremerGrest {
    fn default() -> Self {
        KremerGrest { chains: 20, length: 20, density: 0.85, pair_cutoff: WCA_CUTOFF, exclusion: 0.85, min_distance: 0.8, seed: 1, units: LjUnits::default() }
    }
}

/// Force-field lines of a one-type bead-spring model in metal units.
pub(crate) fn bead_spring_lammps(u: &LjUnits, pair_cutoff: f64, bond_types: usize, atom_types: usize) -> Vec<String> {
    let (s, e) = (u.sigma_a, u.epsilon_ev);
    let mut v = vec![format!("pair_style lj/cut {}", pair_cutoff * s)];
    v.push(format!("pair_coeff * * {e} {s}"));
    let _ = atom_types;
    v.push("pair_modify shift yes".into());
    v.push("bond_style fene".into());
    for t in 1..=bond_types {
        v.push(format!("bond_coeff {t} {} {} {e} {s}", FENE_K * e / (s * s), FENE_R0 * s));
    }
    v.push("special_bonds fene".into());
    v
}

pub(crate) fn check_bead_spring(u: &LjUnits, density: f64, pair_cutoff: f64, exclusion: f64, min_distance: f64) -> Result<()> {
    u.check()?;
    positive("density", density)?;
    if density > 1.2 {
        return Err(Error::invalid("density", density, "beads per σ³ above 1.2 cannot be packed without overlaps (the KG melt is 0.85)"));
    }
    positive("pair_cutoff", pair_cutoff)?;
    if pair_cutoff < WCA_CUTOFF - 1e-12 {
        return Err(Error::invalid("pair_cutoff", pair_cutoff, "must be at least 2^(1/6) σ (the WCA cutoff)"));
    }
    positive("exclusion", exclusion)?;
    positive("min_distance", min_distance)?;
    if min_distance >= 1.0 || exclusion >= 1.0 {
        return Err(Error::invalid("min_distance", min_distance, "the growth exclusion and the push-off target must be below 1 σ"));
    }
    Ok(())
}

/// Grow linear bead-spring chains and push them apart (reduced units); returns the positions
/// and the push-off/forced counts.
pub(crate) fn grow_bead_spring(lengths: &[usize], l: f64, bonds: &[(usize, usize)], exclusion: f64, min_distance: f64, rng: &mut ChaCha12Rng) -> Result<(Vec<crate::cell::Vec3>, usize, super::pushoff::PushOffReport)> {
    let walk = Walk { geometry: Geometry::FreelyJointed { bond: BOND_LENGTH }, exclusion, skip: 1, tries: 200 };
    let grown = grow(lengths, l, &walk, rng);
    let mut pos = grown.positions;
    let n = pos.len();
    let p = PushOff {
        cutoff: 1.0,
        target: min_distance,
        springs: bonds.iter().map(|&(i, j)| (i, j, BOND_LENGTH)).collect(),
        spring_tolerance: 0.1,
        excluded: exclusions(n, bonds, 1),
        max_steps: 20_000,
    };
    let rep = push_off(&mut pos, l, &p)?;
    Ok((pos, grown.forced, rep))
}

impl KremerGrest {
    /// Build the melt.
    pub fn build(&self) -> Result<PolymerSystem> {
        at_least("chains", self.chains, 1)?;
        at_least("length", self.length, 2)?;
        check_bead_spring(&self.units, self.density, self.pair_cutoff, self.exclusion, self.min_distance)?;
        let n = self.chains * self.length;
        let l = (n as f64 / self.density).cbrt();
        if l < 2.0 * (self.pair_cutoff + 0.3) {
            return Err(Error::invalid("chains", self.chains, &format!("{n} beads make a box of {l:.2} σ, narrower than twice the pair cutoff plus skin ({:.2} σ): build more beads", 2.0 * (self.pair_cutoff + 0.3))));
        }
        let mut rng = ChaCha12Rng::seed_from_u64(self.seed);
        let mut bonds = Vec::with_capacity(n);
        for c in 0..self.chains {
            for k in 1..self.length {
                bonds.push((c * self.length + k - 1, c * self.length + k));
            }
        }
        let (pos, forced, rep) = grow_bead_spring(&vec![self.length; self.chains], l, &bonds, self.exclusion, self.min_distance, &mut rng)?;
        let s = self.units.sigma_a;
        Parts {
            builder: "kremer-grest",
            seed: self.seed,
            l: l * s,
            positions: pos.iter().map(|p| p.map(|x| x * s)).collect(),
            atom_types: vec![0; n],
            type_masses: vec![self.units.mass_amu],
            molecule: (0..n).map(|i| (i / self.length + 1) as i64).collect(),
            bonds: bonds.iter().map(|&(i, j)| Term { kind: 0, atoms: [i, j] }).collect(),
            angles: Vec::new(),
            dihedrals: Vec::new(),
            n_term_types: [1, 0, 0, 0],
            lammps: bead_spring_lammps(&self.units, self.pair_cutoff, 1, 1),
            chains: (0..self.chains).map(|c| (c * self.length, self.length)).collect(),
            forced,
            push_off: super::pushoff::PushOffReport { min_distance: rep.min_distance * s, ..rep },
            exclusion_depth: 1,
            lj_units: Some(self.units),
            force_field: "Kremer-Grest FENE (K = 30 eps/sigma^2, R0 = 1.5 sigma) + LJ/WCA, special_bonds fene; K. Kremer and G. S. Grest, J. Chem. Phys. 92, 5057 (1990)".into(),
        }
        .finish()
    }
}
