//! The potential interface, version 2: the evaluator honours what a potential needs (a full list,
//! no list at all), and the per-atom computes that replaced `Output` fields (EAM host density,
//! coordination) equal brute-force sums over periodic images.

use scalebridge_md::cell::Vec3;
use scalebridge_md::error::Result;
use scalebridge_md::neighbors::ListKind;
use scalebridge_md::computes::per_atom::{coordination, eam_density};
use scalebridge_md::potentials::{Configuration, Needs, Scratch, Zhou2004};
use scalebridge_md::prelude::*;
use std::sync::Arc;

fn alloy(species: &[&str], a: f64, seed: u64) -> Structure {
    let spec = BulkSpec { lattice: Lattice::Fcc, species: vec![species[0].to_string()], a, c: None, orientation: None, repeat: [3, 3, 3], orthogonal: false, masses: None };
    let mut s = bulk(&spec).unwrap();
    if species.len() > 1 {
        let comp: Vec<(String, f64)> = species.iter().map(|e| (e.to_string(), 1.0)).collect();
        s = random_solid_solution(&s, &comp, seed, None).unwrap();
    }
    let mut x = seed as f64 * 0.123 + 0.1;
    for p in s.positions.iter_mut() {
        for c in p.iter_mut() {
            x = (x * 9.73 + 0.31f64).fract();
            *c += 0.3 * (x - 0.5);
        }
    }
    s
}

/// Every (atom j, image) within `rc` of atom `i` (not `i` itself): (j, distance).
fn brute_neighbors(s: &Structure, i: usize, rc: f64) -> Vec<(usize, f64)> {
    let h = s.cell.matrix();
    let m = 3;
    let mut out = Vec::new();
    for (j, pj) in s.positions.iter().enumerate() {
        for a in -m..=m {
            for b in -m..=m {
                for c in -m..=m {
                    if i == j && (a, b, c) == (0, 0, 0) {
                        continue;
                    }
                    let t = [a as f64, b as f64, c as f64];
                    let d: Vec<f64> = (0..3).map(|k| pj[k] + t[0] * h[0][k] + t[1] * h[1][k] + t[2] * h[2][k] - s.positions[i][k]).collect();
                    let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                    if r < rc {
                        out.push((j, r));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn coordination_and_eam_density_equal_brute_force() {
    let z = Zhou2004::new(&["Cu".into(), "Ag".into()]).unwrap();
    let eam = z.potential().unwrap();
    let s = alloy(&["Cu", "Ag"], 3.8, 5);
    let rc = eam.cutoff();
    let elem: Vec<usize> = s.types.iter().map(|&t| eam.elements().iter().position(|e| *e == s.species[t]).unwrap()).collect();
    for threads in [1, 2] {
        let rho = eam_density(&eam, &s, threads).unwrap();
        let cn = coordination(&s, rc).unwrap();
        let cn_short = coordination(&s, 3.0).unwrap();
        for i in 0..s.len() {
            let nb = brute_neighbors(&s, i, rc);
            assert_eq!(cn[i], nb.len() as f64);
            assert_eq!(cn_short[i], nb.iter().filter(|(_, r)| *r < 3.0).count() as f64);
            // ρ_i = Σ_j ρ_{e_j → e_i}(r_ij), the tabulated (spline) density
            let want: f64 = nb.iter().map(|&(j, r)| eam.pair_functions(elem[j], elem[i], r).0).sum();
            assert!((rho[i] - want).abs() <= 1e-12 * want.abs(), "atom {i}: {} vs {want}", rho[i]);
        }
    }
    // not an EAM potential: a clear error
    let lj = LennardJones::new(vec!["Cu".into(), "Ag".into()], vec![0.4, 0.3], vec![2.3, 2.6], 5.0, false, Mixing::LorentzBerthelot, vec![]).unwrap();
    let e = eam_density(&lj, &s, 1).unwrap_err().to_string();
    assert!(e.contains("lj/cut") && e.contains("no embedding density"), "{e}");
    // through the shared handle too
    let shared: Arc<dyn Potential> = Arc::new(eam);
    assert_eq!(eam_density(shared.as_ref(), &s, 1).unwrap().len(), s.len());
}

/// Lennard-Jones written over a *full* list (each pair seen twice, half the energy each time):
/// the shape of a bond-order potential's loop.
#[derive(Debug)]
struct FullListLj {
    lj: LennardJones,
}

impl Potential for FullListLj {
    fn pair_style(&self) -> &str {
        "test/lj-full"
    }
    fn cutoff(&self) -> f64 {
        self.lj.cutoff
    }
    fn needs(&self) -> Needs {
        Needs::full(self.lj.cutoff)
    }
    fn species(&self) -> Vec<String> {
        self.lj.species.clone()
    }
    fn fingerprint(&self) -> String {
        "test".into()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, _: &mut Scratch, out: &mut Output) -> Result<()> {
        let nl = config.neighbors(ListKind::Full)?;
        let map: Vec<usize> = config.species.iter().map(|s| self.lj.species.iter().position(|k| k == s).unwrap()).collect();
        for (c, &ci) in nl.centers.iter().enumerate() {
            let (ci, oi) = (ci as usize, nl.ext_owner[ci as usize] as usize);
            for &e in nl.neighbors_of(c) {
                let e = e as usize;
                let d: Vec3 = [0, 1, 2].map(|k| nl.ext_pos[ci][k] - nl.ext_pos[e][k]);
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                let (en, fpair) = self.lj.energy_force(map[nl.ext_type[ci] as usize], map[nl.ext_type[e] as usize], r2);
                if req.energy {
                    out.energy += 0.5 * en;
                }
                // the force on i only: j gets its share as a centre itself
                for k in 0..3 {
                    out.forces[oi][k] += d[k] * fpair;
                }
            }
        }
        Ok(())
    }
}

#[test]
fn a_full_list_potential_gets_a_full_list() {
    let lj = LennardJones::new(vec!["Ar".into(), "Kr".into()], vec![0.0104, 0.014], vec![3.40, 3.65], 8.5, false, Mixing::LorentzBerthelot, vec![]).unwrap();
    let s = alloy(&["Ar", "Kr"], 5.5, 2);
    let want = Evaluator::new(Arc::new(lj.clone()), 1.0, 1).unwrap().compute_all(&s).unwrap().clone();
    let mut ev = Evaluator::new(Arc::new(FullListLj { lj }), 1.0, 1).unwrap();
    assert_eq!(ev.neighbor_list().kind, ListKind::Full);
    let got = ev.compute_all(&s).unwrap();
    assert!((got.energy - want.energy).abs() < 1e-12 * want.energy.abs());
    for (a, b) in got.forces.iter().zip(&want.forces) {
        for k in 0..3 {
            assert!((a[k] - b[k]).abs() < 1e-12 * (1.0 + b[k].abs()), "{a:?} vs {b:?}");
        }
    }
}

/// A whole-configuration potential without a list: every atom tied to the cell centre by a
/// spring (the shape of a user's callback or a long-range solver: cell and all positions).
#[derive(Debug)]
struct Tether {
    k: f64,
}

impl Potential for Tether {
    fn pair_style(&self) -> &str {
        "test/tether"
    }
    fn cutoff(&self) -> f64 {
        0.0
    }
    fn needs(&self) -> Needs {
        Needs::whole_configuration()
    }
    fn species(&self) -> Vec<String> {
        vec!["Ar".into()]
    }
    fn fingerprint(&self) -> String {
        "tether".into()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, _: &mut Scratch, out: &mut Output) -> Result<()> {
        assert!(config.list.is_none());
        assert!(config.neighbors(ListKind::Half).is_err());
        let h = config.cell.matrix();
        let centre: Vec3 = [0, 1, 2].map(|k| 0.5 * (h[0][k] + h[1][k] + h[2][k]));
        for (i, p) in config.positions.iter().enumerate() {
            let d: Vec3 = [0, 1, 2].map(|k| p[k] - centre[k]);
            if req.energy {
                out.energy += 0.5 * self.k * (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            }
            out.forces[i] = d.map(|x| -self.k * x);
        }
        Ok(())
    }
}

#[test]
fn a_whole_configuration_potential_gets_no_list() {
    let s = alloy(&["Ar"], 5.3, 1);
    let mut ev = Evaluator::new(Arc::new(Tether { k: 0.5 }), 1.0, 1).unwrap();
    let out = ev.compute_all(&s).unwrap().clone();
    assert!(out.energy > 0.0);
    assert_eq!(ev.neighbor_list().kind, ListKind::None);
    assert_eq!(ev.neighbor_list().builds, 0);
    // MD steps work too (the list is never built)
    let out2 = ev.compute(&s).unwrap();
    assert_eq!(out2.energy, out.energy);
    assert_eq!(ev.neighbor_list().builds, 0);
}
