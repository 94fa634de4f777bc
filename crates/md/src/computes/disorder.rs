//! Structural descriptors of disorder (amorphous solids, liquids, damaged crystals), Voronoi-free:
//!
//! - non-crystalline fraction: atoms that adaptive CNA (Stukowski 2012) does not label fcc, hcp
//!   or bcc, and atoms whose Lechner–Dellago averaged q̄6 (12 neighbours) is at or below 0.3 (the
//!   melting protocol's solid/liquid threshold; perfect fcc 0.575, liquids and glasses ≈ 0.1–0.25);
//! - icosahedral fraction (CNA `ico`: the short-range order of metallic glasses);
//! - coordination statistics with the cutoff at the first minimum of the total g(r) after its
//!   first peak ([`first_shell_cutoff`]): mean, standard deviation, histogram, per species;
//! - partial RDFs (every species pair, LAMMPS `compute rdf` normalisation, [`rdf`]);
//! - `defect_density`: the fraction of atoms whose CNA environment is neither crystalline (fcc,
//!   hcp, bcc) nor icosahedral — 0 for a perfect crystal (and for ideal icosahedral order), the
//!   vacancy/dislocation/grain-boundary neighbourhoods of a damaged crystal, and the
//!   "geometrically unfavoured" atoms of a glass, ≈ 1 for a simple liquid. One dimensionless
//!   scalar the feature table can use across material classes.

use super::descriptors::{first_shell_cutoff, rdf, Rdf};
use super::per_atom::coordination;
use super::phase_id::{common_neighbor_analysis, steinhardt_q6, CnaCutoff, Phase};
use crate::error::{Error, Result};
use crate::structure::Structure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The q̄6 threshold below which (or at which) an atom counts as non-crystalline.
pub const Q6_CRYSTAL_THRESHOLD: f64 = 0.3;

/// Coordination statistics within one cutoff.
#[allow(non_snake_case)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoordinationStats {
    /// The cutoff, Å (first minimum of the total g(r)).
    pub cutoff_A: f64,
    /// Mean coordination number (all atoms).
    pub mean: f64,
    /// Standard deviation of the coordination number over atoms.
    pub std: f64,
    /// Number of atoms with each coordination number.
    pub histogram: BTreeMap<u32, usize>,
    /// Mean coordination number of the atoms of each species.
    pub per_species: BTreeMap<String, f64>,
}

/// Descriptors of disorder of one configuration (see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disorder {
    pub n_atoms: usize,
    /// Fraction of atoms not fcc/hcp/bcc by adaptive CNA.
    pub non_crystalline_fraction_cna: f64,
    /// Fraction of atoms with averaged q̄6 ≤ [`Q6_CRYSTAL_THRESHOLD`].
    pub non_crystalline_fraction_q6: f64,
    /// Fraction of atoms in each CNA class (`fcc`, `hcp`, `bcc`, `ico`, `other`).
    pub cna_fractions: BTreeMap<String, f64>,
    /// Fraction of icosahedral atoms (CNA).
    pub icosahedral_fraction: f64,
    /// Mean averaged q̄6.
    pub mean_q6: f64,
    /// Fraction of atoms neither crystalline nor icosahedral (CNA `other`), dimensionless.
    pub defect_density: f64,
    pub coordination: CoordinationStats,
    /// Total and partial g(r).
    pub rdf: Rdf,
}

/// Disorder descriptors of `s`; the RDF runs to `r_max` Å (default: the smaller of 10 Å and
/// 0.49 of the cell's smallest perpendicular width) with `bins` bins (default 200).
pub fn disorder(s: &Structure, r_max: Option<f64>, bins: Option<usize>) -> Result<Disorder> {
    s.validate()?;
    let n = s.len();
    if n < 2 {
        return Err(Error::invalid("structure", n, "disorder descriptors need at least 2 atoms"));
    }
    let w = s.cell.widths();
    let r_max = r_max.unwrap_or_else(|| (0.49 * w[0].min(w[1]).min(w[2])).min(10.0));
    let g = rdf(s, r_max, bins.unwrap_or(200))?;
    let cutoff = first_shell_cutoff(&g).ok_or_else(|| {
        Error::invalid("rdf", format!("r_max = {r_max:.3} Å"), "g(r) has no first minimum below r_max: use a larger cell or r_max")
    })?;
    let cn = coordination(s, cutoff)?;
    let mean = cn.iter().sum::<f64>() / n as f64;
    let std = (cn.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mut histogram = BTreeMap::new();
    for c in &cn {
        *histogram.entry(c.round().max(0.0) as u32).or_insert(0) += 1;
    }
    let mut per_species = BTreeMap::new();
    for (t, sp) in s.species.iter().enumerate() {
        let v: Vec<f64> = cn.iter().zip(&s.types).filter(|(_, &ty)| ty == t).map(|(c, _)| *c).collect();
        if !v.is_empty() {
            per_species.insert(sp.clone(), v.iter().sum::<f64>() / v.len() as f64);
        }
    }
    let cna = common_neighbor_analysis(s, CnaCutoff::Adaptive)?;
    let frac = |p: Phase| cna.iter().filter(|&&x| x == p).count() as f64 / n as f64;
    let cna_fractions: BTreeMap<String, f64> =
        [Phase::Fcc, Phase::Hcp, Phase::Bcc, Phase::Ico, Phase::Other].iter().map(|&p| (p.name().to_string(), frac(p))).collect();
    let q6 = steinhardt_q6(s, 12, true)?;
    Ok(Disorder {
        n_atoms: n,
        non_crystalline_fraction_cna: cna.iter().filter(|p| !p.is_crystalline()).count() as f64 / n as f64,
        non_crystalline_fraction_q6: q6.iter().filter(|&&q| q <= Q6_CRYSTAL_THRESHOLD).count() as f64 / n as f64,
        icosahedral_fraction: frac(Phase::Ico),
        defect_density: frac(Phase::Other),
        cna_fractions,
        mean_q6: q6.iter().sum::<f64>() / n as f64,
        coordination: CoordinationStats { cutoff_A: cutoff, mean, std, histogram, per_species },
        rdf: g,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{bulk, BulkSpec, Lattice};

    #[test]
    fn perfect_fcc_is_crystalline_with_twelve_neighbours() {
        let s = bulk(&BulkSpec { lattice: Lattice::Fcc, species: vec!["Cu".into()], a: 3.615, c: None, orientation: None, repeat: [4, 4, 4], orthogonal: true, masses: None })
            .expect("fcc");
        let d = disorder(&s, None, None).expect("disorder");
        assert_eq!(d.non_crystalline_fraction_cna, 0.0);
        assert_eq!(d.non_crystalline_fraction_q6, 0.0);
        assert_eq!(d.defect_density, 0.0);
        // first minimum between the first (a/√2) and second (a) shells: exactly 12 neighbours
        assert!(d.coordination.cutoff_A > 3.615 / 2f64.sqrt() && d.coordination.cutoff_A < 3.615, "{}", d.coordination.cutoff_A);
        assert!((d.coordination.mean - 12.0).abs() < 1e-12 && d.coordination.std < 1e-12);
        assert_eq!(d.coordination.histogram.get(&12), Some(&s.len()));
    }
}
