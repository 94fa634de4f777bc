//! Glass formers ready to quench: the Kob–Andersen binary Lennard-Jones mixture and random
//! solid solutions (e.g. Cu₆₄Zr₃₆ for the Mendelev `CuZr_mm.eam.fs` potential), built with the
//! crystal builder (`scalebridge_md::crystals::StructureSpec`, random substitution by seed).
//!
//! Kob–Andersen (W. Kob and H. C. Andersen, Phys. Rev. E 51, 4626 (1995)): A₈₀B₂₀, equal
//! masses, ε_AA = 1, σ_AA = 1, ε_AB = 1.5, σ_AB = 0.8, ε_BB = 0.5, σ_BB = 0.88, each pair cut at
//! 2.5 σ_αβ and shifted to zero there. Reduced units are mapped to metal units through argon:
//! ε = 119.8 K·k_B = 0.010323 eV, σ = 3.405 Å, m = 39.948 amu, so that T* = 1 is 119.8 K,
//! τ = σ√(m/ε) = 2.156 ps, P* = 1 is ε/σ³ = 0.04190 GPa and ρ* = 1.2 is 0.03040 Å⁻³. The two
//! species carry the labels `Ni` (A) and `P` (B), the metalloid glass the model was built after
//! (Weber–Stillinger Ni₈₀P₂₀), with the model's equal masses (not the elements').

use scalebridge_md::crystals::{Elements, Repeat, StructureSpec, Substitution};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::lj_cut::PairParams;
use scalebridge_md::potentials::spec::LjCutSpec;
use scalebridge_md::potentials::PotentialSpec;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::BOLTZMANN;
use std::collections::BTreeMap;

/// Argon's ε/k_B, K: the Kob–Andersen energy unit.
pub const KA_EPSILON_K: f64 = 119.8;
/// Argon's σ, Å: the Kob–Andersen length unit.
pub const KA_SIGMA_A: f64 = 3.405;
/// Argon's mass, amu: the Kob–Andersen mass (both species).
pub const KA_MASS: f64 = 39.948;
/// The species labels of A and B.
pub const KA_SPECIES: [&str; 2] = ["Ni", "P"];

/// ε of the Kob–Andersen unit, eV.
pub fn ka_epsilon_ev() -> f64 {
    KA_EPSILON_K * BOLTZMANN
}

/// The Kob–Andersen potential in metal units (see the module documentation).
pub fn kob_andersen() -> PotentialSpec {
    let (e, s) = (ka_epsilon_ev(), KA_SIGMA_A);
    let [a, b] = KA_SPECIES.map(String::from);
    let pair = |x: &str, y: &str, eps: f64, sig: f64| PairParams { a: x.into(), b: y.into(), epsilon: eps * e, sigma: sig * s, cutoff: Some(2.5 * sig * s) };
    PotentialSpec::LjCut(LjCutSpec {
        elements: vec![a.clone(), b.clone()],
        epsilon: vec![e, 0.5 * e],
        sigma: vec![s, 0.88 * s],
        cutoff: 2.5 * s,
        shift: true,
        mixing: scalebridge_md::potentials::lj_cut::Mixing::LorentzBerthelot,
        pairs: vec![pair(&a, &a, 1.0, 1.0), pair(&a, &b, 1.5, 0.8), pair(&b, &b, 0.5, 0.88)],
    })
}

/// The same potential as LAMMPS input lines (metal units; types 1 = A, 2 = B).
pub fn kob_andersen_lammps() -> Vec<String> {
    let (e, s) = (ka_epsilon_ev(), KA_SIGMA_A);
    vec![
        format!("pair_style lj/cut {}", 2.5 * s),
        format!("pair_coeff 1 1 {} {} {}", e, s, 2.5 * s),
        format!("pair_coeff 1 2 {} {} {}", 1.5 * e, 0.8 * s, 2.5 * 0.8 * s),
        format!("pair_coeff 2 2 {} {} {}", 0.5 * e, 0.88 * s, 2.5 * 0.88 * s),
        "pair_modify shift yes".into(),
    ]
}

/// A random solid solution: `lattice` (`fcc`, `bcc`, ...) of lattice constant `a` Å repeated
/// `repeat` times, its sites occupied at random (seeded) by `fractions` (element → fraction,
/// summing to 1); `masses` overrides element masses (amu).
pub fn random_solid_solution(lattice: &str, a: f64, repeat: [usize; 3], fractions: &BTreeMap<String, f64>, masses: &BTreeMap<String, f64>, seed: u64) -> Result<Structure> {
    let first = fractions.keys().next().ok_or_else(|| Error::invalid("fractions", "{}", "give at least one element"))?;
    let mut spec = StructureSpec::new(lattice);
    spec.elements = Some(Elements::One(first.clone()));
    spec.a = Some(a);
    spec.supercell = Some(Repeat::Three(repeat));
    spec.substitutions = vec![Substitution { site: first.clone(), fractions: fractions.clone() }];
    spec.seed = seed;
    spec.masses = masses.clone();
    spec.build()
}

/// A Kob–Andersen A₈₀B₂₀ start: fcc at the model's reduced density ρ* = 1.2 (repeat³ × 4 atoms;
/// 5 gives 500), B placed at random; quench it after melting at T* ≳ 1.
pub fn kob_andersen_start(repeat: usize, seed: u64) -> Result<Structure> {
    let n = 1.2 / KA_SIGMA_A.powi(3);
    let a = (4.0 / n).cbrt();
    let [x, y] = KA_SPECIES.map(String::from);
    let fractions = BTreeMap::from([(x.clone(), 0.8), (y.clone(), 0.2)]);
    let masses = BTreeMap::from([(x, KA_MASS), (y, KA_MASS)]);
    random_solid_solution("fcc", a, [repeat; 3], &fractions, &masses, seed)
}

/// A Cu₆₄Zr₃₆ random solid solution on fcc with the alloy's volume per atom (≈ 16.0 Å³, a =
/// 4.0 Å; the melt sets the density), repeat³ × 4 atoms, to be melted and quenched.
pub fn cuzr_start(repeat: usize, seed: u64) -> Result<Structure> {
    let fractions = BTreeMap::from([("Cu".to_string(), 0.64), ("Zr".to_string(), 0.36)]);
    random_solid_solution("fcc", 4.0, [repeat; 3], &fractions, &BTreeMap::new(), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kob_andersen_pairs_are_the_published_ones() {
        let p = kob_andersen().build().expect("ka");
        assert_eq!(p.species(), vec!["Ni".to_string(), "P".to_string()]);
        let s = kob_andersen_start(3, 1).expect("start");
        let b = s.species.iter().position(|x| x == "P").expect("B species");
        let nb = s.types.iter().filter(|&&t| t == b).count();
        assert!(s.len() == 108 && (21..=22).contains(&nb), "{} atoms, {nb} B: 20 % of 108 sites", s.len());
        assert!(s.masses.iter().all(|&m| m == KA_MASS));
        let text = kob_andersen_lammps().join("\n");
        assert!(text.contains("pair_modify shift yes") && text.contains("pair_coeff 1 2"));
    }
}
