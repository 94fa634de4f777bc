//! Explicit Ewald sum over k-vectors (LAMMPS `kspace_style ewald`).
//!
//! `E_k = qqrd2e Σ_{k in half space} (4π/V) e^{−k²/4g²}/k² |S(k)|²`, `S(k) = Σ_i q_i e^{i k·r_i}`,
//! forces `F_i = qqrd2e q_i Σ_k 2k (4π/V) e^{−k²/4g²}/k² Im(e^{i k·r_i} S(k)*)`, virial
//! `W_ab = Σ_k u_k |S|² (δ_ab − 2(1/k² + 1/4g²) k_a k_b)`. The k-vector set and its limits are
//! LAMMPS's: per-direction limits from its RMS error estimate, a sphere `k² ≤ 1.00001 k_max²`,
//! its orthogonal and triclinic enumerations.

use super::{estimate_gewald, kvector, virial_factor, ChargeSums, KSpaceSettings, LammpsBox, Resolved, SolverKey, MAX_KMAX, MAX_KVECTORS, QQRD2E_METAL};
use crate::cell::{dot, Cell};
use crate::error::{Error, Result};
use crate::potentials::{Configuration, Output, Request};
use rayon::prelude::*;
use std::f64::consts::PI;

/// LAMMPS `Ewald::rms`: RMS force error of `km` vectors along a box length `prd`.
fn rms(km: usize, prd: f64, natoms: usize, q2: f64, g: f64) -> f64 {
    let n = natoms.max(1) as f64;
    let km = km as f64;
    2.0 * q2 * g / prd * (1.0 / (PI * km * n)).sqrt() * (-PI * PI * km * km / (g * g * prd * prd)).exp()
}

/// Prepared k-vectors and coefficients for one cell.
pub struct EwaldSolver {
    pub(crate) key: SolverKey,
    pub(crate) resolved: Resolved,
    g: f64,
    volume: f64,
    /// Integer indices of each k-vector.
    n: Vec<[i32; 3]>,
    /// `2 k u_k` (LAMMPS `eg`).
    eg: Vec<[f64; 3]>,
    /// `u_k = (4π/V) e^{−k²/4g²}/k²` (LAMMPS `ug`).
    ug: Vec<f64>,
    /// Virial factors, Voigt order.
    vg: Vec<[f64; 6]>,
    /// Largest |index| per direction among the vectors.
    nmax: [usize; 3],
}

impl EwaldSolver {
    /// Choose g and the k-vectors as LAMMPS does (`Ewald::init`, `setup`, `coeffs`).
    pub(crate) fn new(key: SolverKey, cell: &Cell, sums: &ChargeSums, cutoff: f64, accuracy: f64, s: &KSpaceSettings) -> Result<Self> {
        let b = LammpsBox::of(cell);
        let natoms = sums.natoms;
        let g = match s.gewald {
            Some(g) => g,
            None => estimate_gewald(accuracy, cutoff, &b, sums)?,
        };
        let prd = [b.lx, b.ly, b.lz];
        let unitk = prd.map(|p| 2.0 * PI / p);
        let (kx, kmax_orig) = match s.kmax_ewald {
            Some(k) => (k, k),
            None => {
                let mut k = [1usize; 3];
                for a in 0..3 {
                    while rms(k[a], prd[a], natoms, sums.q2, g) > accuracy {
                        k[a] += 1;
                        if k[a] > MAX_KMAX {
                            return Err(Error::invalid(
                                "kspace accuracy",
                                s.accuracy,
                                &format!(
                                    "cannot be met by ewald in this cell: more than {MAX_KMAX} k-vectors along direction {a} (g = {g:.4} 1/Å); relax the accuracy, raise the cutoff or use pppm"
                                ),
                            ));
                        }
                    }
                }
                let orig = k;
                if b.triclinic {
                    let t = b.lamda2x_t([k[0] as f64 / b.lx, k[1] as f64 / b.ly, k[2] as f64 / b.lz]);
                    k = t.map(|v| (v as i64).max(1) as usize);
                }
                (k, orig)
            }
        };
        // gsqmx from the unscaled limits (LAMMPS computes it before the triclinic scaling)
        let base = kmax_orig;
        let mut gsqmx = 0.0f64;
        for a in 0..3 {
            gsqmx = gsqmx.max((unitk[a] * base[a] as f64).powi(2));
        }
        gsqmx *= 1.00001;
        let kmax = kx[0].max(kx[1]).max(kx[2]);
        if 4 * kx[0] * kx[1] * kx[2] > MAX_KVECTORS {
            return Err(Error::invalid(
                "kspace accuracy",
                s.accuracy,
                &format!("cannot be met by ewald in this cell: k-vector limits {kx:?} (g = {g:.4} 1/Å) exceed {MAX_KVECTORS} candidates; relax the accuracy or use pppm"),
            ));
        }
        let vecs = enumerate(kx, kmax, b.triclinic);
        let inv = cell.inverse();
        let volume = cell.volume();
        let preu = 4.0 * PI / volume;
        let mut out = EwaldSolver {
            key,
            resolved: Resolved { g_ewald: g, grid: kx, order: 0, count: 0, estimated_accuracy: 0.0 },
            g,
            volume,
            n: Vec::new(),
            eg: Vec::new(),
            ug: Vec::new(),
            vg: Vec::new(),
            nmax: [0; 3],
        };
        for n in vecs {
            let k = kvector(inv, [n[0] as f64, n[1] as f64, n[2] as f64]);
            let sqk = dot(&k, &k);
            if sqk > gsqmx {
                continue;
            }
            let ug = preu * (-0.25 * sqk / (g * g)).exp() / sqk;
            out.n.push(n);
            out.ug.push(ug);
            out.eg.push([2.0 * k[0] * ug, 2.0 * k[1] * ug, 2.0 * k[2] * ug]);
            out.vg.push(virial_factor(&k, g));
            for a in 0..3 {
                out.nmax[a] = out.nmax[a].max(n[a].unsigned_abs() as usize);
            }
        }
        let lpr = (0..3).map(|a| rms(kmax_orig[a], prd[a], natoms, sums.q2, g).powi(2)).sum::<f64>().sqrt() / 3f64.sqrt();
        let spr = 2.0 * sums.q2 / (natoms as f64 * cutoff * b.volume()).sqrt() * (-g * g * cutoff * cutoff).exp();
        out.resolved.count = out.n.len();
        out.resolved.estimated_accuracy = (lpr * lpr + spr * spr).sqrt();
        Ok(out)
    }

    /// Add the reciprocal-space energy (with self and background terms), forces and virials.
    pub(crate) fn compute(&self, config: &Configuration<'_>, q: &[f64], sums: &ChargeSums, req: Request, out: &mut Output) {
        let nat = q.len();
        if sums.qsqsum == 0.0 || nat == 0 {
            return;
        }
        let qscale = QQRD2E_METAL;
        // e^{i 2π m s_a} for m = 0..=nmax[a], per direction, atom-fastest
        let frac: Vec<[f64; 3]> = config.positions.par_iter().map(|r| config.cell.fractional(r)).collect();
        let tables: Vec<Vec<(f64, f64)>> = (0..3)
            .map(|a| {
                let m = self.nmax[a] + 1;
                let mut t = vec![(1.0, 0.0); m * nat];
                t.par_chunks_mut(m).zip(frac.par_iter()).for_each(|(row, s)| {
                    let th = 2.0 * PI * s[a];
                    let e1 = (th.cos(), th.sin());
                    for j in 1..m {
                        let p = row[j - 1];
                        row[j] = (p.0 * e1.0 - p.1 * e1.1, p.1 * e1.0 + p.0 * e1.1);
                    }
                });
                t
            })
            .collect();
        let strides = [self.nmax[0] + 1, self.nmax[1] + 1, self.nmax[2] + 1];
        let phase = |i: usize, n: &[i32; 3]| -> (f64, f64) {
            let mut acc = (1.0, 0.0);
            for a in 0..3 {
                let e = tables[a][i * strides[a] + n[a].unsigned_abs() as usize];
                let e = if n[a] < 0 { (e.0, -e.1) } else { e };
                acc = (acc.0 * e.0 - acc.1 * e.1, acc.0 * e.1 + acc.1 * e.0);
            }
            acc
        };
        // structure factors
        let sfac: Vec<(f64, f64)> = self
            .n
            .par_iter()
            .map(|n| {
                let mut s = (0.0, 0.0);
                for i in 0..nat {
                    if q[i] != 0.0 {
                        let e = phase(i, n);
                        s.0 += q[i] * e.0;
                        s.1 += q[i] * e.1;
                    }
                }
                s
            })
            .collect();
        // forces and per-atom terms
        let per_atom = req.per_atom_energy || req.per_atom_virial;
        let results: Vec<([f64; 3], f64, [f64; 6])> = (0..nat)
            .into_par_iter()
            .map(|i| {
                let mut ek = [0.0; 3];
                let mut e = 0.0;
                let mut v = [0.0; 6];
                if q[i] == 0.0 {
                    return (ek, e, v);
                }
                for (k, n) in self.n.iter().enumerate() {
                    let (re, im) = phase(i, n);
                    let (sr, si) = sfac[k];
                    let partial = im * sr - re * si;
                    let eg = &self.eg[k];
                    ek[0] += partial * eg[0];
                    ek[1] += partial * eg[1];
                    ek[2] += partial * eg[2];
                    if per_atom {
                        let pa = re * sr + im * si;
                        e += self.ug[k] * pa;
                        for c in 0..6 {
                            v[c] += self.ug[k] * self.vg[k][c] * pa;
                        }
                    }
                }
                (ek, e, v)
            })
            .collect();
        let g = self.g;
        let background = PI / 2.0 / (g * g * self.volume);
        for (i, (ek, e, v)) in results.iter().enumerate() {
            let f = qscale * q[i];
            out.forces[i][0] += f * ek[0];
            out.forces[i][1] += f * ek[1];
            out.forces[i][2] += f * ek[2];
            if req.per_atom_energy {
                out.per_atom_energy[i] += qscale * (q[i] * e - (g * q[i] * q[i] / PI.sqrt() + background * q[i] * sums.qsum));
            }
            if req.per_atom_virial {
                for c in 0..6 {
                    out.per_atom_virial[i][c] += qscale * q[i] * v[c];
                }
            }
        }
        if req.energy || req.virial {
            let mut energy = 0.0;
            let mut virial = [0.0; 6];
            for (k, (sr, si)) in sfac.iter().enumerate() {
                let uk = self.ug[k] * (sr * sr + si * si);
                energy += uk;
                for c in 0..6 {
                    virial[c] += uk * self.vg[k][c];
                }
            }
            energy -= g * sums.qsqsum / PI.sqrt() + background * sums.qsum * sums.qsum;
            out.energy += qscale * energy;
            for c in 0..6 {
                out.virial[c] += qscale * virial[c];
            }
        }
    }
}

/// LAMMPS's k-vector index sets (one of each ±k pair): orthogonal (`Ewald::coeffs`) or
/// triclinic (`coeffs_triclinic`); the caller keeps those inside the sphere.
fn enumerate(k: [usize; 3], kmax: usize, triclinic: bool) -> Vec<[i32; 3]> {
    let (kx, ky, kz, km) = (k[0] as i32, k[1] as i32, k[2] as i32, kmax as i32);
    let mut v = Vec::new();
    if !triclinic {
        for m in 1..=km {
            v.push([m, 0, 0]);
            v.push([0, m, 0]);
            v.push([0, 0, m]);
        }
        for a in 1..=kx {
            for b in 1..=ky {
                v.push([a, b, 0]);
                v.push([a, -b, 0]);
            }
        }
        for b in 1..=ky {
            for c in 1..=kz {
                v.push([0, b, c]);
                v.push([0, b, -c]);
            }
        }
        for a in 1..=kx {
            for c in 1..=kz {
                v.push([a, 0, c]);
                v.push([a, 0, -c]);
            }
        }
        for a in 1..=kx {
            for b in 1..=ky {
                for c in 1..=kz {
                    v.push([a, b, c]);
                    v.push([a, -b, c]);
                    v.push([a, b, -c]);
                    v.push([a, -b, -c]);
                }
            }
        }
    } else {
        for a in 1..=kx {
            for b in -ky..=ky {
                for c in -kz..=kz {
                    v.push([a, b, c]);
                }
            }
        }
        for b in 1..=ky {
            for c in -kz..=kz {
                v.push([0, b, c]);
            }
        }
        for c in 1..=km {
            v.push([0, 0, c]);
        }
    }
    v
}
