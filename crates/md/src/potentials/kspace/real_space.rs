//! Real-space part of the Ewald split (LAMMPS `pair_style coul/long` with `pair_modify table 0`).
//!
//! `E_ij = qqrd2e q_i q_j erfc(g r)/r` for `r < r_c`, with erfc evaluated as LAMMPS evaluates it
//! without tables: the rational approximation of Abramowitz & Stegun 7.1.26
//! (`erfc(x) ≈ t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^{−x²}`, `t = 1/(1 + p x)`, absolute
//! error < 1.5e-7) and `2/√π` written as LAMMPS writes it (1.12837917), so that energies and
//! forces equal LAMMPS's to rounding. The force is `−dE/dr` of the exact erfc with the
//! approximate erfc inserted (`(erfc(gr) + 2/√π g r e^{−g²r²}) / r²` times the prefactor), as
//! LAMMPS does; the energy and force therefore differ from an exact erfc by ~1e-7 relative.

use crate::error::Result;
use crate::neighbors::ListKind;
use crate::potentials::{pair_loop, Configuration, Output, Request, Scratch};

/// Abramowitz & Stegun 7.1.26 constants (LAMMPS `EWALD_P`, `A1`..`A5`).
pub const EWALD_P: f64 = 0.3275911;
pub const A1: f64 = 0.254829592;
pub const A2: f64 = -0.284496736;
pub const A3: f64 = 1.421413741;
pub const A4: f64 = -1.453152027;
pub const A5: f64 = 1.061405429;
/// 2/√π as LAMMPS writes it (`EWALD_F`).
pub const EWALD_F: f64 = 1.12837917;

/// `(erfc(g r), erfc(g r) + 2/√π g r e^{−g²r²})` with the A&S erfc.
#[inline(always)]
pub fn erfc_terms(grij: f64) -> (f64, f64) {
    let expm2 = (-grij * grij).exp();
    let t = 1.0 / (1.0 + EWALD_P * grij);
    let erfc = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * expm2;
    (erfc, erfc + EWALD_F * grij * expm2)
}

/// Add the real-space energy, forces and virials of charges `q` (per atom) with splitting
/// parameter `g` (1/Å) and cutoff `rc` (Å) into `out`.
pub fn compute(config: &Configuration<'_>, q: &[f64], g: f64, rc: f64, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
    compute_fused(config, q, g, rc, req, scratch, out, 0.0, |_, _, _, _, _| None)
}

/// [`compute`] plus a short-range pair term `short(i, j, r², r, 1/r²) -> Some((E, F/r))` of owner
/// atoms `i`, `j` (cutoff at most `short_rc`, Å) in the same pass over the pairs, as LAMMPS's
/// `buck/coul/long` kernel: one distance, one square root, one reciprocal, one neighbour
/// traversal and one force write per pair.
#[allow(clippy::too_many_arguments)]
pub fn compute_fused<S>(config: &Configuration<'_>, q: &[f64], g: f64, rc: f64, req: Request, scratch: &mut Scratch, out: &mut Output, short_rc: f64, short: S) -> Result<()>
where
    S: Fn(usize, usize, f64, f64, f64) -> Option<(f64, f64)> + Sync,
{
    let nl = config.neighbors(ListKind::Half)?;
    let pos = &nl.ext_pos;
    let owner = &nl.ext_owner;
    let cutsq = rc * rc;
    let fused = short_rc > 0.0;
    let maxsq = cutsq.max(short_rc * short_rc);
    let qqrd2e = super::QQRD2E_METAL;
    pair_loop(nl, req, scratch, out, |range, buf| {
        let mut energy = 0.0;
        let mut virial = [0.0; 6];
        for c in range {
            let i = nl.centers[c] as usize;
            let oi = owner[i] as usize;
            let qi = q[oi];
            if qi == 0.0 && !fused {
                continue;
            }
            let xi = pos[i];
            let mut fi = [0.0; 3];
            for &j in nl.neighbors_of(c) {
                let j = j as usize;
                let xj = pos[j];
                let d = [xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]];
                let rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if rsq >= maxsq {
                    continue;
                }
                let oj = owner[j] as usize;
                let (mut e, mut fpair) = (0.0, 0.0);
                let r = rsq.sqrt();
                let r2inv = 1.0 / rsq;
                if rsq < cutsq {
                    let qj = q[oj];
                    let (erfc, fterm) = erfc_terms(g * r);
                    let prefactor = qqrd2e * qi * qj / r;
                    fpair = prefactor * fterm * r2inv;
                    e = prefactor * erfc;
                }
                if fused {
                    if let Some((es, fs)) = short(oi, oj, rsq, r, r2inv) {
                        e += es;
                        fpair += fs;
                    }
                }
                fi[0] += d[0] * fpair;
                fi[1] += d[1] * fpair;
                fi[2] += d[2] * fpair;
                let fj = &mut buf.forces[j];
                fj[0] -= d[0] * fpair;
                fj[1] -= d[1] * fpair;
                fj[2] -= d[2] * fpair;
                if req.energy || req.virial || req.per_atom_energy || req.per_atom_virial {
                    let v = [d[0] * d[0] * fpair, d[1] * d[1] * fpair, d[2] * d[2] * fpair, d[1] * d[2] * fpair, d[0] * d[2] * fpair, d[0] * d[1] * fpair];
                    energy += e;
                    for k in 0..6 {
                        virial[k] += v[k];
                    }
                    if req.per_atom_energy {
                        buf.per_atom_energy[i] += 0.5 * e;
                        buf.per_atom_energy[j] += 0.5 * e;
                    }
                    if req.per_atom_virial {
                        for k in 0..6 {
                            buf.per_atom_virial[i][k] += 0.5 * v[k];
                            buf.per_atom_virial[j][k] += 0.5 * v[k];
                        }
                    }
                }
            }
            let f = &mut buf.forces[i];
            f[0] += fi[0];
            f[1] += fi[1];
            f[2] += fi[2];
        }
        buf.energy += energy;
        for k in 0..6 {
            buf.virial[k] += virial[k];
        }
        Ok(())
    })
}
