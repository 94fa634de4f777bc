//! Structural and energetic descriptors of one configuration — what the continuum and ML layers
//! consume: radial distribution function, coordination numbers, mean bond energy per bond,
//! atomic displacements from a reference and local (neighbourhood-averaged) temperature.
//!
//! RDF normalisation is LAMMPS `compute rdf`'s: for the pair of species (a, b),
//! `g_ab(r) = n_ab(r) / (N_a ρ_b 4π/3 (r_hi³ − r_lo³))` with `ρ_b = N_b / V` (`(N_b − 1)/V` for
//! like pairs: an atom is not its own neighbour), and the running
//! coordination `N_ab(r) = Σ_{r' ≤ r} ρ_b g_ab(r') 4π/3 (r_hi³ − r_lo³)`.

use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::neighbors::NeighborList;
use crate::potentials::{Potential, Request};
use scalebridge_core::Series;
use crate::structure::Structure;
use crate::units::{BOLTZMANN, MVV2E};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Radial distribution functions of all species pairs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rdf {
    /// Bin centres, Å.
    pub r: Vec<f64>,
    /// `(species a, species b, g_ab(r), running coordination N_ab(r))`; the first entry is the
    /// total (`"*"`, `"*"`).
    pub pairs: Vec<(String, String, Vec<f64>, Vec<f64>)>,
}

impl Rdf {
    /// The total g(r) as a plot series.
    pub fn series(&self) -> Series {
        Series {
            name: "rdf".into(),
            x_label: "r".into(),
            x_unit: "Å".into(),
            y_label: "g(r)".into(),
            y_unit: "1".into(),
            x: self.r.clone(),
            y: self.pairs.first().map(|p| p.2.clone()).unwrap_or_default(),
            y_err: None,
        }
    }
}

fn pair_list(s: &Structure, cutoff: f64) -> Result<NeighborList> {
    s.validate()?;
    let mut nl = NeighborList::new(cutoff, 0.0)?;
    nl.build(&s.cell, &s.positions, &s.types)?;
    Ok(nl)
}

/// RDF bins when none are given (LAMMPS `compute rdf` takes the number explicitly; 200 bins
/// resolve the first peak of a metal at r_max ≈ 8 Å to 0.04 Å).
pub const DEFAULT_RDF_BINS: usize = 200;

/// RDF up to `r_max` (Å) with `bins` bins, total and per species pair.
pub fn rdf(s: &Structure, r_max: f64, bins: usize) -> Result<Rdf> {
    if bins == 0 || bins > 100_000 {
        return Err(Error::invalid("bins", bins, "must be between 1 and 100000"));
    }
    if !(r_max.is_finite() && r_max > 0.0) {
        return Err(Error::invalid("r_max", r_max, "must be positive (Å)"));
    }
    let nl = pair_list(s, r_max)?;
    let ns = s.species.len();
    let dr = r_max / bins as f64;
    // hist[a][b] counts ordered pairs (a centre, b neighbour)
    let mut hist = vec![vec![0.0f64; bins]; ns * ns + 1];
    nl.for_each_pair_within(r_max, |i, j, r| {
        let k = ((r / dr) as usize).min(bins - 1);
        let (a, b) = (s.types[i], s.types[j]);
        hist[a * ns + b][k] += 1.0;
        hist[b * ns + a][k] += 1.0;
        hist[ns * ns][k] += 2.0;
    });
    let v = s.cell.volume();
    let count: Vec<f64> = (0..ns).map(|t| s.types.iter().filter(|&&x| x == t).count() as f64).collect();
    let n = s.len() as f64;
    let shell = |k: usize| 4.0 / 3.0 * std::f64::consts::PI * (((k + 1) as f64 * dr).powi(3) - (k as f64 * dr).powi(3));
    let norm = |h: &[f64], na: f64, nb: f64| -> (Vec<f64>, Vec<f64>) {
        let rho = nb / v;
        let g: Vec<f64> = (0..bins).map(|k| if na > 0.0 && rho > 0.0 { h[k] / (na * rho * shell(k)) } else { 0.0 }).collect();
        let mut acc = 0.0;
        let cn = (0..bins)
            .map(|k| {
                acc += rho * g[k] * shell(k);
                acc
            })
            .collect();
        (g, cn)
    };
    let mut pairs = Vec::new();
    // like LAMMPS, an atom is not its own neighbour: ρ_b = (N_b − 1)/V for like pairs
    let (g, cn) = norm(&hist[ns * ns], n, n - 1.0);
    pairs.push(("*".to_string(), "*".to_string(), g, cn));
    if ns > 1 {
        for a in 0..ns {
            for b in 0..ns {
                let nb = if a == b { count[b] - 1.0 } else { count[b] };
                let (g, cn) = norm(&hist[a * ns + b], count[a], nb);
                pairs.push((s.species[a].clone(), s.species[b].clone(), g, cn));
            }
        }
    }
    Ok(Rdf { r: (0..bins).map(|k| (k as f64 + 0.5) * dr).collect(), pairs })
}

/// Position of the first minimum of g(r) after its first maximum (Å): the conventional
/// first-shell cutoff for coordination numbers and bond counting.
pub fn first_shell_cutoff(rdf: &Rdf) -> Option<f64> {
    let g = &rdf.pairs.first()?.2;
    let kmax = (0..g.len()).max_by(|&a, &b| g[a].total_cmp(&g[b]))?;
    let mut kmin = kmax;
    for k in kmax + 1..g.len() {
        if g[k] < g[kmin] {
            kmin = k;
        } else if g[k] > g[kmin] + 0.5 && g[kmin] < 0.5 * g[kmax] {
            break;
        }
    }
    (kmin > kmax).then(|| rdf.r[kmin])
}

/// Bond statistics of a configuration with a potential: bonds are pairs closer than
/// `bond_cutoff` (Å); the mean bond energy is the cohesive energy per bond,
/// `E_bond = (Σ_i E_free,i − E) / N_bonds` (eV), with `E_free` the isolated-atom energies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BondStats {
    pub bonds: usize,
    pub mean_coordination: f64,
    pub mean_bond_length: f64,
    pub mean_bond_energy: f64,
}

/// [`BondStats`] of `s`; `isolated` is the energy of one free atom per species (eV).
pub fn bond_stats(s: &Structure, potential: Arc<dyn Potential>, bond_cutoff: f64, isolated: &[f64]) -> Result<BondStats> {
    let nl = pair_list(s, bond_cutoff)?;
    let mut bonds = 0usize;
    let mut len = 0.0;
    nl.for_each_pair_within(bond_cutoff, |_, _, r| {
        bonds += 1;
        len += r;
    });
    if bonds == 0 {
        return Err(Error::invalid("bond cutoff", bond_cutoff, "no pairs are this close; no bonds to average over"));
    }
    let mut ev = Evaluator::new(potential, 1.0, 0)?;
    ev.request = Request::global();
    let e = ev.compute_all(s)?.energy;
    let e_free: f64 = s.types.iter().map(|&t| isolated.get(t).copied().unwrap_or(0.0)).sum();
    Ok(BondStats {
        bonds,
        mean_coordination: 2.0 * bonds as f64 / s.len() as f64,
        mean_bond_length: len / bonds as f64,
        mean_bond_energy: (e_free - e) / bonds as f64,
    })
}

/// Displacement of every atom from `reference` (same atoms, same order), Å, by the minimum
/// image of the fractional difference in the current cell.
pub fn displacements(s: &Structure, reference: &Structure) -> Result<Vec<Vec3>> {
    if s.len() != reference.len() {
        return Err(Error::Shape(format!("{} atoms vs {} in the reference", s.len(), reference.len())));
    }
    Ok(s.positions
        .iter()
        .zip(&reference.positions)
        .map(|(r, r0)| {
            let mut f = s.cell.fractional(&[r[0] - r0[0], r[1] - r0[1], r[2] - r0[2]]);
            for x in f.iter_mut() {
                *x -= x.round();
            }
            s.cell.cartesian(&f)
        })
        .collect())
}

/// Local temperature of every atom, K: the kinetic temperature of the atom and its neighbours
/// within `radius` (Å), `T_i = Σ_{j∈N(i)∪{i}} m_j v_j² / (3 k_B |N(i)∪{i}|)` (no centre-of-mass
/// correction; metal units, `m v²` converted by `mvv2e`).
pub fn local_temperature(s: &Structure, velocities: &[Vec3], radius: f64) -> Result<Vec<f64>> {
    if velocities.len() != s.len() {
        return Err(Error::Shape(format!("{} velocities for {} atoms", velocities.len(), s.len())));
    }
    let nl = pair_list(s, radius)?;
    let mv2: Vec<f64> = s.masses.iter().zip(velocities).map(|(m, v)| m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) * MVV2E).collect();
    let mut sum = mv2.clone();
    let mut count = vec![1.0; s.len()];
    nl.for_each_pair_within(radius, |i, j, _| {
        sum[i] += mv2[j];
        sum[j] += mv2[i];
        count[i] += 1.0;
        count[j] += 1.0;
    });
    Ok(sum.iter().zip(&count).map(|(e, c)| e / (3.0 * BOLTZMANN * c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{bulk, BulkSpec, Lattice};

    fn fcc(a: f64, n: usize) -> Structure {
        bulk(&BulkSpec {
            lattice: Lattice::Fcc,
            species: vec!["Cu".into()],
            a,
            c: None,
            orientation: None,
            repeat: [n, n, n],
            orthogonal: false,
            masses: None,
        })
        .unwrap()
    }

    #[test]
    fn fcc_shells_have_12_then_6_neighbours() {
        let a = 3.6;
        let s = fcc(a, 4);
        let g = rdf(&s, 1.1 * a, 110).unwrap();
        let cn = &g.pairs[0].3;
        // running coordination: 12 within the first shell (a/√2), 18 after the second (a)
        let at = |r: f64| cn[(r / (1.1 * a / 110.0)) as usize];
        assert!((at(0.9 * a) - 12.0).abs() < 1e-9, "{}", at(0.9 * a));
        assert!((at(1.05 * a) - 18.0).abs() < 1e-9);
        let rc = first_shell_cutoff(&g).unwrap();
        assert!(rc > a / 2f64.sqrt() && rc < a, "{rc}");
    }

    #[test]
    fn displacements_use_minimum_image() {
        let s0 = fcc(3.6, 2);
        let mut s = s0.clone();
        s.positions[0][0] += 7.2 - 0.1; // one box length minus 0.1 Å
        let d = displacements(&s, &s0).unwrap();
        assert!((d[0][0] + 0.1).abs() < 1e-12 && d[1] == [0.0, 0.0, 0.0]);
    }
}
