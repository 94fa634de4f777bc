//! United-atom polyethylene with the TraPPE-UA force field (M. G. Martin and J. I. Siepmann,
//! "Transferable potentials for phase equilibria. 1. United-atom description of n-alkanes",
//! J. Phys. Chem. B 102, 2569–2577 (1998)), flexible-bond variant, in metal units:
//!
//! | term | TraPPE-UA | LAMMPS line |
//! |---|---|---|
//! | CH₃ (type 1, 15.035 amu) | ε/k_B = 98 K, σ = 3.75 Å | `pair_coeff 1 1 0.0084450 3.75` |
//! | CH₂ (type 2, 14.027 amu) | ε/k_B = 46 K, σ = 3.95 Å | `pair_coeff 2 2 0.0039640 3.95` |
//! | unlike pairs | Lorentz–Berthelot | `pair_modify mix arithmetic` |
//! | LJ cutoff | 14 Å (TraPPE) | `pair_style lj/cut 14` (`cutoff_a`) |
//! | intramolecular LJ | only beyond three bonds | `special_bonds lj 0 0 0` |
//! | bond | fixed 1.54 Å in TraPPE; flexible here | `bond_style harmonic`, `bond_coeff 1 11.6216 1.54` |
//! | angle | θ₀ = 114°, k_θ/k_B = 62500 K/rad² (U = k_θ/2 (θ−θ₀)²) | `angle_coeff 1 2.6929 114` |
//! | torsion | c₁, c₂, c₃ / k_B = 355.03, −68.19, 791.32 K | `dihedral_style opls`, K_n = 2 c_n |
//!
//! The flexible bond replaces TraPPE's rigid one with the harmonic C–C stretch of OPLS-AA
//! (CT–CT, K = 268 kcal/mol/Å², LAMMPS convention E = K (r − r₀)²; W. L. Jorgensen, D. S.
//! Maxwell and J. Tirado-Rives, J. Am. Chem. Soc. 118, 11225 (1996)) around TraPPE's
//! r₀ = 1.54 Å. Energies use k_B = 8.617343e-5 eV/K and 1 kcal/mol = 4.184/96.485332 eV.
//!
//! Chains of `length` united atoms (CH₃–(CH₂)ₙ₋₂–CH₃) are grown with the TraPPE bond length and
//! angle and torsions drawn trans (`trans_fraction`) or gauche±, then pushed apart until no two
//! atoms more than three bonds apart are closer than `min_distance_a`.

use super::pushoff::{exclusions, push_off, PushOff};
use super::walk::{grow, Geometry, Walk};
use super::{at_least, positive, Parts, PolymerSystem};
use crate::error::{Error, Result};
use crate::topology::Term;
use crate::units::BOLTZMANN;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

/// CH₃ and CH₂ masses, amu.
pub const MASSES: [f64; 2] = [15.035, 14.027];
/// ε/k_B of CH₃ and CH₂, K.
pub const EPSILON_K: [f64; 2] = [98.0, 46.0];
/// σ of CH₃ and CH₂, Å.
pub const SIGMA_A: [f64; 2] = [3.75, 3.95];
/// Bond length, Å.
pub const BOND_A: f64 = 1.54;
/// Bond angle, degrees.
pub const ANGLE_DEG: f64 = 114.0;
/// k_θ/k_B, K/rad² (U = k_θ/2 (θ − θ₀)²).
pub const ANGLE_K: f64 = 62500.0;
/// Torsion c₁, c₂, c₃ / k_B, K.
pub const TORSION_K: [f64; 3] = [355.03, -68.19, 791.32];
/// OPLS-AA CT–CT bond constant, kcal/mol/Å² (E = K (r − r₀)²).
pub const BOND_K_KCAL: f64 = 268.0;
/// 1 kcal/mol in eV.
pub const KCAL_MOL_EV: f64 = 4.184 / 96.485_332;

/// United-atom polyethylene options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Polyethylene {
    pub chains: usize,
    /// United atoms per chain (≥ 2).
    pub length: usize,
    /// g/cm³.
    pub density_g_cm3: f64,
    /// LJ cutoff, Å (TraPPE: 14).
    pub cutoff_a: f64,
    /// Probability of a trans torsion during growth.
    pub trans_fraction: f64,
    /// Smallest distance between atoms more than three bonds apart after the push-off, Å.
    pub min_distance_a: f64,
    pub seed: u64,
}

impl Default for Polyethylene {
    fn default() -> Self {
        Polyethylene { chains: 10, length: 50, density_g_cm3: 0.75, cutoff_a: 14.0, trans_fraction: 0.6, min_distance_a: 3.0, seed: 1 }
    }
}

/// The TraPPE-UA lines (metal units) with LJ cutoff `rc` Å.
pub fn trappe_lammps(rc: f64) -> Vec<String> {
    let k = BOLTZMANN;
    vec![
        format!("pair_style lj/cut {rc}"),
        format!("pair_coeff 1 1 {} {}", EPSILON_K[0] * k, SIGMA_A[0]),
        format!("pair_coeff 2 2 {} {}", EPSILON_K[1] * k, SIGMA_A[1]),
        "pair_modify mix arithmetic".into(),
        "bond_style harmonic".into(),
        format!("bond_coeff 1 {} {BOND_A}", BOND_K_KCAL * KCAL_MOL_EV),
        "angle_style harmonic".into(),
        format!("angle_coeff 1 {} {ANGLE_DEG}", 0.5 * ANGLE_K * k),
        "dihedral_style opls".into(),
        format!("dihedral_coeff 1 {} {} {} 0.0", 2.0 * TORSION_K[0] * k, 2.0 * TORSION_K[1] * k, 2.0 * TORSION_K[2] * k),
        "special_bonds lj 0.0 0.0 0.0".into(),
    ]
}

impl Polyethylene {
    /// Build the melt.
    pub fn build(&self) -> Result<PolymerSystem> {
        at_least("chains", self.chains, 1)?;
        at_least("length", self.length, 2)?;
        positive("density_g_cm3", self.density_g_cm3)?;
        if self.density_g_cm3 > 1.1 {
            return Err(Error::invalid("density_g_cm3", self.density_g_cm3, "above crystalline polyethylene (≈ 1.0 g/cm³): cannot be packed"));
        }
        positive("cutoff_a", self.cutoff_a)?;
        positive("min_distance_a", self.min_distance_a)?;
        if self.min_distance_a >= 3.5 {
            return Err(Error::invalid("min_distance_a", self.min_distance_a, "must be below 3.5 Å (the liquid's closest non-bonded contacts)"));
        }
        if !(0.0..=1.0).contains(&self.trans_fraction) {
            return Err(Error::invalid("trans_fraction", self.trans_fraction, "is a probability in [0, 1]"));
        }
        let (m, len) = (self.chains, self.length);
        let n = m * len;
        let types: Vec<usize> = (0..n).map(|i| if i % len == 0 || i % len == len - 1 { 0 } else { 1 }).collect();
        let mass: f64 = types.iter().map(|&t| MASSES[t]).sum();
        let l = (mass * crate::units::AMU_PER_A3_IN_G_PER_CM3 / self.density_g_cm3).cbrt();
        if l <= 2.0 * self.cutoff_a {
            return Err(Error::invalid("cutoff_a", self.cutoff_a, &format!("the box of {n} united atoms is {l:.2} Å, not wider than twice the cutoff: build more atoms or lower cutoff_a")));
        }
        let mut bonds = Vec::new();
        let mut angles = Vec::new();
        let mut dihedrals = Vec::new();
        for c in 0..m {
            let o = c * len;
            for k in 1..len {
                bonds.push((o + k - 1, o + k));
            }
            for k in 2..len {
                angles.push(Term { kind: 0, atoms: [o + k - 2, o + k - 1, o + k] });
            }
            for k in 3..len {
                dihedrals.push(Term { kind: 0, atoms: [o + k - 3, o + k - 2, o + k - 1, o + k] });
            }
        }
        let mut rng = ChaCha12Rng::seed_from_u64(self.seed);
        let walk = Walk {
            geometry: Geometry::Rotational { bond: BOND_A, angle_deg: ANGLE_DEG, trans: self.trans_fraction },
            exclusion: self.min_distance_a,
            skip: 3,
            tries: 200,
        };
        let grown = grow(&vec![len; m], l, &walk, &mut rng);
        let mut pos = grown.positions;
        let r13 = 2.0 * BOND_A * (0.5 * ANGLE_DEG.to_radians()).sin();
        let mut springs: Vec<(usize, usize, f64)> = bonds.iter().map(|&(i, j)| (i, j, BOND_A)).collect();
        springs.extend(angles.iter().map(|a| (a.atoms[0], a.atoms[2], r13)));
        let p = PushOff {
            cutoff: self.min_distance_a + 0.4,
            target: self.min_distance_a,
            springs,
            spring_tolerance: 0.03,
            excluded: exclusions(n, &bonds, 3),
            max_steps: 20_000,
        };
        let rep = push_off(&mut pos, l, &p)?;
        let mut bond_terms: Vec<Term<2>> = bonds.iter().map(|&(i, j)| Term { kind: 0, atoms: [i, j] }).collect();
        bond_terms.shrink_to_fit();
        Parts {
            builder: "polyethylene",
            seed: self.seed,
            l,
            positions: pos,
            atom_types: types,
            type_masses: MASSES.to_vec(),
            molecule: (0..n).map(|i| (i / len + 1) as i64).collect(),
            n_term_types: [1, usize::from(!angles.is_empty()), usize::from(!dihedrals.is_empty()), 0],
            bonds: bond_terms,
            angles,
            dihedrals,
            lammps: trappe_lammps(self.cutoff_a)
                .into_iter()
                .filter(|x| (len > 2 || !x.starts_with("angle_")) && (len > 3 || !x.starts_with("dihedral_")))
                .collect(),
            chains: (0..m).map(|c| (c * len, len)).collect(),
            forced: grown.forced,
            push_off: rep,
            exclusion_depth: 3,
            lj_units: None,
            force_field: "TraPPE-UA (M. G. Martin and J. I. Siepmann, J. Phys. Chem. B 102, 2569 (1998)), flexible C-C bond K = 268 kcal/mol/A^2 (OPLS-AA CT-CT, Jorgensen et al., J. Am. Chem. Soc. 118, 11225 (1996))".into(),
        }
        .finish()
    }
}
