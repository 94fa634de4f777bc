//! Chain statistics of a molecular configuration: bond lengths, mean squared end-to-end distance
//! ⟨R²⟩, mean squared radius of gyration ⟨R_g²⟩ and the internal distances ⟨R²(n)⟩/n of the
//! linear chains (Kremer and Grest, J. Chem. Phys. 92, 5057 (1990); Auhl et al., J. Chem. Phys.
//! 119, 12718 (2003)).
//!
//! Chains are the connected components of the bond graph; a component is a *linear chain* when
//! it has at least two atoms, every atom at most two bonds and exactly two ends. Other components
//! (branched molecules, networks, rings, single atoms) are counted and left out of the chain
//! averages. Each chain is unwrapped by walking its bonds from the end with the lower index and
//! adding minimum-image bond vectors, so positions may be wrapped into the cell (a bond must be
//! shorter than half the narrowest cell width, checked). R_g² is the unweighted (bead) average.
//! Standard errors are the spread over chains / sqrt(chains) of this one configuration (or over
//! bonds for the bond length); time correlation between configurations is the caller's to handle.

use super::Topology;
use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::potentials::bonded::minimum_image;
use crate::structure::Structure;
use scalebridge_core::stats::mean_stderr;
use serde::Serialize;

/// Chain statistics of one configuration (lengths in Å, squared lengths in Å²).
#[derive(Clone, Debug, Serialize)]
pub struct ChainStatistics {
    /// Bonds of the whole topology (every component) and their lengths.
    pub n_bonds: usize,
    pub bond_length_mean: f64,
    pub bond_length_stderr: f64,
    /// sqrt(⟨b²⟩).
    pub bond_length_rms: f64,
    /// Linear chains found and the components left out (branched, cyclic, single atoms).
    pub n_chains: usize,
    pub n_other_components: usize,
    /// Mean number of atoms per linear chain.
    pub chain_length_mean: f64,
    /// ⟨R²⟩ over the linear chains and its standard error.
    pub mean_sq_end_to_end: f64,
    pub mean_sq_end_to_end_stderr: f64,
    /// ⟨R²⟩ / (N − 1) averaged chain by chain (N atoms of each chain).
    pub mean_sq_end_to_end_per_bond: f64,
    /// ⟨R_g²⟩ over the linear chains and its standard error.
    pub mean_sq_radius_of_gyration: f64,
    pub mean_sq_radius_of_gyration_stderr: f64,
    /// ⟨R²(n)⟩ / n for n = 1, 2, ... (index n − 1): the mean squared distance between atoms n bonds
    /// apart along a chain, over every such pair of every linear chain, divided by n.
    pub internal_distances: Vec<f64>,
}

fn norm2(v: &Vec3) -> f64 {
    v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
}

/// The linear chains of the bond graph as ordered atom lists, and the number of other components.
pub fn linear_chains(topology: &Topology) -> (Vec<Vec<usize>>, usize) {
    let adj = topology.bonded_neighbours();
    let n = adj.len();
    let mut seen = vec![false; n];
    let mut chains = Vec::new();
    let mut other = 0;
    for start in 0..n {
        if seen[start] {
            continue;
        }
        // the component of `start`
        let mut comp = vec![start];
        seen[start] = true;
        let mut k = 0;
        while k < comp.len() {
            for &j in &adj[comp[k]] {
                if !seen[j] {
                    seen[j] = true;
                    comp.push(j);
                }
            }
            k += 1;
        }
        let ends: Vec<usize> = comp.iter().copied().filter(|&i| adj[i].len() == 1).collect();
        let linear = comp.len() >= 2 && ends.len() == 2 && comp.iter().all(|&i| adj[i].len() <= 2);
        if !linear {
            other += 1;
            continue;
        }
        let mut order = Vec::with_capacity(comp.len());
        let (mut prev, mut cur) = (usize::MAX, ends[0].min(ends[1]));
        loop {
            order.push(cur);
            match adj[cur].iter().copied().find(|&j| j != prev) {
                Some(next) if order.len() < comp.len() => {
                    prev = cur;
                    cur = next;
                }
                _ => break,
            }
        }
        chains.push(order);
    }
    (chains, other)
}

/// Chain statistics of `structure` with `topology` (see the module documentation).
pub fn chain_statistics(structure: &Structure, topology: &Topology) -> Result<ChainStatistics> {
    let n = structure.positions.len();
    if topology.len() != n {
        return Err(Error::Shape(format!("topology of {} atoms for a structure of {n} atoms", topology.len())));
    }
    topology.validate()?;
    let cell = &structure.cell;
    let half = cell.widths().iter().copied().fold(f64::INFINITY, f64::min) / 2.0;
    let pos = &structure.positions;
    let bond_vec = |i: usize, j: usize| -> Result<Vec3> {
        let p = pos[j];
        let q = pos[i];
        let d = minimum_image(cell, [p[0] - q[0], p[1] - q[1], p[2] - q[2]]);
        let r = norm2(&d).sqrt();
        if !r.is_finite() {
            return Err(Error::invalid("positions", "non-finite", &format!("bond {i}-{j} has a non-finite length")));
        }
        if r >= half {
            return Err(Error::invalid("bond length", format!("{r:.4} Å"), &format!("bond {i}-{j} is not shorter than half the narrowest cell width ({half:.4} Å): chains cannot be unwrapped")));
        }
        Ok(d)
    };
    let mut lengths = Vec::with_capacity(topology.bonds.len());
    for b in &topology.bonds {
        lengths.push(norm2(&bond_vec(b.atoms[0], b.atoms[1])?).sqrt());
    }
    if lengths.is_empty() {
        return Err(Error::invalid("topology", "no bonds", "chain statistics need bonded chains"));
    }
    let (bl, bl_se) = mean_stderr(&lengths);
    let b_rms = (lengths.iter().map(|x| x * x).sum::<f64>() / lengths.len() as f64).sqrt();
    let (chains, other) = linear_chains(topology);
    if chains.is_empty() {
        return Err(Error::invalid("topology", "no linear chain", &format!("all {other} bonded components are branched, cyclic or single atoms")));
    }
    let max_len = chains.iter().map(Vec::len).max().unwrap_or(0);
    let (mut r2, mut r2b, mut rg2) = (Vec::new(), Vec::new(), Vec::new());
    let mut sum_n = vec![0.0; max_len.saturating_sub(1)];
    let mut cnt_n = vec![0usize; max_len.saturating_sub(1)];
    for c in &chains {
        let mut u: Vec<Vec3> = Vec::with_capacity(c.len());
        u.push(pos[c[0]]);
        for w in c.windows(2) {
            let d = bond_vec(w[0], w[1])?;
            let p = u[u.len() - 1];
            u.push([p[0] + d[0], p[1] + d[1], p[2] + d[2]]);
        }
        let m = c.len();
        let e = u[m - 1];
        let s = u[0];
        let ree = norm2(&[e[0] - s[0], e[1] - s[1], e[2] - s[2]]);
        r2.push(ree);
        r2b.push(ree / (m - 1) as f64);
        let mut com = [0.0; 3];
        for p in &u {
            for k in 0..3 {
                com[k] += p[k] / m as f64;
            }
        }
        rg2.push(u.iter().map(|p| norm2(&[p[0] - com[0], p[1] - com[1], p[2] - com[2]])).sum::<f64>() / m as f64);
        for i in 0..m {
            for j in i + 1..m {
                let d = [u[j][0] - u[i][0], u[j][1] - u[i][1], u[j][2] - u[i][2]];
                sum_n[j - i - 1] += norm2(&d);
                cnt_n[j - i - 1] += 1;
            }
        }
    }
    let (r2m, r2s) = mean_stderr(&r2);
    let (rgm, rgs) = mean_stderr(&rg2);
    Ok(ChainStatistics {
        n_bonds: lengths.len(),
        bond_length_mean: bl,
        bond_length_stderr: bl_se,
        bond_length_rms: b_rms,
        n_chains: chains.len(),
        n_other_components: other,
        chain_length_mean: chains.iter().map(Vec::len).sum::<usize>() as f64 / chains.len() as f64,
        mean_sq_end_to_end: r2m,
        mean_sq_end_to_end_stderr: r2s,
        mean_sq_end_to_end_per_bond: r2b.iter().sum::<f64>() / r2b.len() as f64,
        mean_sq_radius_of_gyration: rgm,
        mean_sq_radius_of_gyration_stderr: rgs,
        internal_distances: sum_n.iter().zip(&cnt_n).enumerate().map(|(k, (s, &c))| s / c as f64 / (k + 1) as f64).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::Cell;
    use crate::topology::{MolecularStyle, Term};

    /// A straight 5-atom chain along x (bond 1 Å) crossing the periodic boundary, a 4-atom
    /// star (branched, left out) and a single atom, in a 10 Å cube.
    fn system(shift: f64) -> (Structure, Topology) {
        let l = 10.0;
        let mut positions: Vec<Vec3> = (0..5).map(|k| [((8.0 + k as f64 + shift) % l + l) % l, 1.0, 1.0]).collect();
        positions.extend([[5.0, 5.0, 5.0], [6.0, 5.0, 5.0], [5.0, 6.0, 5.0], [5.0, 5.0, 6.0], [2.0, 7.0, 7.0]]);
        let n = positions.len();
        // chain bonds listed out of order and reversed, to check the walk
        let bonds = [(3, 4), (1, 0), (2, 3), (1, 2), (5, 6), (5, 7), (5, 8)];
        let s = Structure { cell: Cell::orthorhombic(l, l, l).unwrap(), positions, species: vec!["1".into()], types: vec![0; n], masses: vec![1.0; n] };
        let t = Topology {
            style: MolecularStyle::Molecular,
            atom_types: vec![0; n],
            type_masses: vec![1.0],
            molecule: vec![1, 1, 1, 1, 1, 2, 2, 2, 2, 3],
            charges: None,
            bonds: bonds.iter().map(|&(i, j)| Term { kind: 0, atoms: [i, j] }).collect(),
            angles: vec![],
            dihedrals: vec![],
            impropers: vec![],
            n_term_types: [1, 0, 0, 0],
            coeffs: vec![],
        };
        (s, t)
    }

    #[test]
    fn straight_chain_across_the_boundary() {
        for shift in [0.0, 0.3, 2.5] {
            let (s, t) = system(shift);
            let c = chain_statistics(&s, &t).unwrap();
            assert_eq!((c.n_chains, c.n_other_components, c.n_bonds), (1, 2, 7));
            assert!((c.bond_length_mean - 1.0).abs() < 1e-12 && (c.bond_length_rms - 1.0).abs() < 1e-12);
            assert!((c.chain_length_mean - 5.0).abs() < 1e-12);
            assert!((c.mean_sq_end_to_end - 16.0).abs() < 1e-9, "{}", c.mean_sq_end_to_end);
            assert!((c.mean_sq_end_to_end_per_bond - 4.0).abs() < 1e-9);
            // (4 + 1 + 0 + 1 + 4) / 5
            assert!((c.mean_sq_radius_of_gyration - 2.0).abs() < 1e-9);
            // straight: R²(n)/n = n
            assert_eq!(c.internal_distances.len(), 4);
            for (k, v) in c.internal_distances.iter().enumerate() {
                assert!((v - (k + 1) as f64).abs() < 1e-9, "{k}: {v}");
            }
            assert!(c.mean_sq_end_to_end_stderr.is_nan(), "one chain has no spread");
        }
    }

    #[test]
    fn random_walks_average_to_the_bond_length_squared_per_bond() {
        // ideal freely jointed chains (unit bonds, random directions): <R²>/(N−1) = 1
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(7);
        let (chains, len, l) = (400, 20, 1000.0);
        let mut positions = Vec::new();
        let mut bonds = Vec::new();
        for c in 0..chains {
            let mut p = [500.0, 500.0, 500.0];
            for k in 0..len {
                if k > 0 {
                    let z: f64 = rng.random_range(-1.0..1.0);
                    let phi: f64 = rng.random_range(0.0..std::f64::consts::TAU);
                    let r = (1.0 - z * z).sqrt();
                    p = [p[0] + r * phi.cos(), p[1] + r * phi.sin(), p[2] + z];
                    bonds.push(Term { kind: 0, atoms: [c * len + k - 1, c * len + k] });
                }
                positions.push([p[0].rem_euclid(l), p[1].rem_euclid(l), p[2].rem_euclid(l)]);
            }
        }
        let n = positions.len();
        let s = Structure { cell: Cell::orthorhombic(l, l, l).unwrap(), positions, species: vec!["1".into()], types: vec![0; n], masses: vec![1.0; n] };
        let t = Topology { style: MolecularStyle::Molecular, atom_types: vec![0; n], type_masses: vec![1.0], molecule: (0..n).map(|i| (i / len) as i64).collect(), charges: None, bonds, angles: vec![], dihedrals: vec![], impropers: vec![], n_term_types: [1, 0, 0, 0], coeffs: vec![] };
        let c = chain_statistics(&s, &t).unwrap();
        assert_eq!(c.n_chains, chains);
        let per_bond = c.mean_sq_end_to_end / (len - 1) as f64;
        assert!((per_bond - 1.0).abs() < 4.0 * c.mean_sq_end_to_end_stderr / (len - 1) as f64, "{per_bond} ± {}", c.mean_sq_end_to_end_stderr);
        // ideal chain: Rg² = (N + 1) b² / 6 · (N − 1)/N … exactly (N² − 1)/(6N) for unit bonds
        let rg_ideal = ((len * len - 1) as f64) / (6.0 * len as f64);
        assert!((c.mean_sq_radius_of_gyration - rg_ideal).abs() < 4.0 * c.mean_sq_radius_of_gyration_stderr);
    }

    #[test]
    fn bad_input_is_named() {
        let (s, mut t) = system(0.0);
        t.bonds.push(Term { kind: 0, atoms: [0, 9] });
        // atom 9 at (2,7,7), atom 0 at (8,1,1): 6 Å > 5 Å half width
        let e = chain_statistics(&s, &t).unwrap_err().to_string();
        assert!(e.contains("half the narrowest cell width"), "{e}");
        let (s, mut t) = system(0.0);
        t.bonds.clear();
        assert!(chain_statistics(&s, &t).unwrap_err().to_string().contains("need bonded chains"));
        let (s, mut t) = system(0.0);
        t.bonds = vec![Term { kind: 0, atoms: [5, 6] }, Term { kind: 0, atoms: [5, 7] }, Term { kind: 0, atoms: [5, 8] }];
        assert!(chain_statistics(&s, &t).unwrap_err().to_string().contains("no linear chain"));
        let (mut s, t) = system(0.0);
        s.positions.pop();
        assert!(chain_statistics(&s, &t).is_err());
    }
}
