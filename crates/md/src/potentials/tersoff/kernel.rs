//! The Tersoff force kernel over a full list (see the module docs of [`super`]).

use super::{Param, Tersoff};
use crate::error::Result;
use crate::neighbors::ListKind;
use crate::potentials::manybody::{add_force, lammps_takes_pair, tally3, tally_pair};
use crate::potentials::{pair_loop, Configuration, Output, Potential, Request, Scratch};
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// Cutoff function f_C and its derivative.
#[inline(always)]
fn fc(p: &Param, r: f64) -> (f64, f64) {
    if r < p.bigr - p.bigd {
        (1.0, 0.0)
    } else if r > p.bigr + p.bigd {
        (0.0, 0.0)
    } else {
        let x = FRAC_PI_2 * (r - p.bigr) / p.bigd;
        (0.5 * (1.0 - x.sin()), -(FRAC_PI_4 / p.bigd) * x.cos())
    }
}

/// Bond order b(ζ) with LAMMPS's asymptotic branches.
#[inline(always)]
fn bij(p: &Param, zeta: f64) -> f64 {
    let t = p.beta * zeta;
    if t > p.t1 {
        1.0 / t.sqrt()
    } else if t > p.t2 {
        (1.0 - t.powf(-p.n) / (2.0 * p.n)) / t.sqrt()
    } else if t < p.t4 {
        1.0
    } else if t < p.t3 {
        1.0 - t.powf(p.n) / (2.0 * p.n)
    } else {
        (1.0 + t.powf(p.n)).powf(-1.0 / (2.0 * p.n))
    }
}

/// db/dζ with the same branches.
#[inline(always)]
fn bij_d(p: &Param, zeta: f64) -> f64 {
    let t = p.beta * zeta;
    if t > p.t1 {
        p.beta * -0.5 * t.powf(-1.5)
    } else if t > p.t2 {
        p.beta * (-0.5 * t.powf(-1.5) * (1.0 - (1.0 + 1.0 / (2.0 * p.n)) * t.powf(-p.n)))
    } else if t < p.t4 {
        0.0
    } else if t < p.t3 {
        -0.5 * p.beta * t.powf(p.n - 1.0)
    } else {
        let tn = t.powf(p.n);
        -0.5 * (1.0 + tn).powf(-1.0 - 1.0 / (2.0 * p.n)) * tn / zeta
    }
}

/// exp of the radial ζ argument, clamped as LAMMPS does, and its derivative in (r_ij − r_ik).
#[inline(always)]
fn ex_delr(p: &Param, dr: f64) -> (f64, f64) {
    let arg = if p.cube { (p.lam3 * dr).powi(3) } else { p.lam3 * dr };
    let ex = if arg > 69.0776 {
        1.0e30
    } else if arg < -69.0776 {
        0.0
    } else {
        arg.exp()
    };
    let d = if p.cube { 3.0 * p.lam3.powi(3) * dr * dr * ex } else { p.lam3 * ex };
    (ex, d)
}

/// A neighbour of the current centre within the largest cutoff.
#[derive(Clone, Copy, Default)]
struct Nb {
    /// Extended index.
    e: u32,
    /// Potential's element index.
    t: u32,
    /// x_j − x_i.
    d: [f64; 3],
    /// Unit vector of `d`.
    u: [f64; 3],
    /// Real distance.
    r: f64,
    /// Shifted distance (the functions' argument).
    rs: f64,
}

/// Cached per-k pieces of ζ_ij.
#[derive(Clone, Copy, Default)]
struct ZTerm {
    on: bool,
    cos: f64,
    fc: f64,
    dfc: f64,
    g: f64,
    dg: f64,
    ex: f64,
    dex: f64,
}

#[inline(always)]
fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(super) fn compute(pot: &Tersoff, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
    let nl = config.neighbors(ListKind::Full)?;
    pot.check_species(config.species)?;
    // structure species -> potential element
    let map: Vec<u32> = config.species.iter().map(|s| pot.elements.iter().position(|e| e == s).unwrap_or(0) as u32).collect();
    let ne = pot.elements.len();
    let params = &pot.params;
    let shift = pot.shift;
    let cutsq_short = pot.cutmax * pot.cutmax;
    let pos = &nl.ext_pos;
    let owner = &nl.ext_owner;
    let typ = &nl.ext_type;
    pair_loop(nl, req, scratch, out, |range, buf| {
        let mut nbs: Vec<Nb> = Vec::with_capacity(64);
        let mut zt: Vec<ZTerm> = Vec::with_capacity(64);
        for c in range {
            let i = nl.centers[c] as usize;
            let xi = pos[i];
            let oi = owner[i] as usize;
            let ti = map[typ[i] as usize] as usize;
            nbs.clear();
            for &j in nl.neighbors_of(c) {
                let xj = pos[j as usize];
                let d = [xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]];
                let r = dot(&d, &d).sqrt();
                let rs = r + shift;
                if rs * rs >= cutsq_short || rs <= 0.0 {
                    continue;
                }
                let inv = 1.0 / r;
                nbs.push(Nb { e: j, t: map[typ[j as usize] as usize], d, u: [d[0] * inv, d[1] * inv, d[2] * inv], r, rs });
            }
            // repulsive pair terms, each pair once (LAMMPS's rule)
            for b in &nbs {
                let j = b.e as usize;
                if !lammps_takes_pair(oi, owner[j] as usize, &xi, &pos[j]) {
                    continue;
                }
                let p = &params[(ti * ne + b.t as usize) * ne + b.t as usize];
                if b.rs * b.rs >= p.cutsq {
                    continue;
                }
                let (f, df) = fc(p, b.rs);
                let ex = (-p.lam1 * b.rs).exp();
                let e = f * p.biga * ex;
                let de = p.biga * ex * (df - p.lam1 * f); // dE/dr
                let s = de / b.r; // force on i = s · d
                add_force(buf, i, [s * b.d[0], s * b.d[1], s * b.d[2]]);
                add_force(buf, j, [-s * b.d[0], -s * b.d[1], -s * b.d[2]]);
                tally_pair(buf, req, i, j, e, -s, b.d);
            }
            // bond-order (attractive) terms of every bond i-j
            zt.clear();
            zt.resize(nbs.len(), ZTerm::default());
            for (jj, bj) in nbs.iter().enumerate() {
                let tj = bj.t as usize;
                let pij = &params[(ti * ne + tj) * ne + tj];
                if bj.rs * bj.rs >= pij.cutsq {
                    continue;
                }
                let mut zeta = 0.0;
                for (kk, bk) in nbs.iter().enumerate() {
                    let z = &mut zt[kk];
                    z.on = false;
                    if kk == jj {
                        continue;
                    }
                    let p = &params[(ti * ne + tj) * ne + bk.t as usize];
                    if bk.rs * bk.rs >= p.cutsq {
                        continue;
                    }
                    let cos = dot(&bj.u, &bk.u);
                    let (f, df) = fc(p, bk.rs);
                    let hc = p.h - cos;
                    let den = 1.0 / (p.d2 + hc * hc);
                    let g = p.gamma * (1.0 + p.c2 / p.d2 - p.c2 * den);
                    let dg = p.gamma * (-2.0 * p.c2 * hc) * den * den;
                    let (ex, dex) = ex_delr(p, bj.rs - bk.rs);
                    zeta += f * g * ex;
                    *z = ZTerm { on: true, cos, fc: f, dfc: df, g, dg, ex, dex };
                }
                let (f, df) = fc(pij, bj.rs);
                let eb = (-pij.lam2 * bj.rs).exp();
                let fa = -pij.bigb * eb * f;
                let fa_d = pij.bigb * eb * (pij.lam2 * f - df); // dfa/dr
                let b = bij(pij, zeta);
                let e = 0.5 * b * fa;
                let s = 0.5 * b * fa_d / bj.r; // force on i = s · d
                let j = bj.e as usize;
                add_force(buf, i, [s * bj.d[0], s * bj.d[1], s * bj.d[2]]);
                add_force(buf, j, [-s * bj.d[0], -s * bj.d[1], -s * bj.d[2]]);
                tally_pair(buf, req, i, j, e, -s, bj.d);
                let pref = -0.5 * fa * bij_d(pij, zeta); // −dE/dζ
                let rij_inv = 1.0 / bj.r;
                for (kk, bk) in nbs.iter().enumerate() {
                    let z = zt[kk];
                    if !z.on {
                        continue;
                    }
                    let rik_inv = 1.0 / bk.r;
                    let mut fj = [0.0; 3];
                    let mut fk = [0.0; 3];
                    let a = z.fc * z.dg * z.ex;
                    let bterm = z.fc * z.g * z.dex;
                    let ck = z.dfc * z.g * z.ex - bterm;
                    for q in 0..3 {
                        let dcos_j = (bk.u[q] - z.cos * bj.u[q]) * rij_inv;
                        let dcos_k = (bj.u[q] - z.cos * bk.u[q]) * rik_inv;
                        fj[q] = pref * (a * dcos_j + bterm * bj.u[q]);
                        fk[q] = pref * (ck * bk.u[q] + a * dcos_k);
                    }
                    let k = bk.e as usize;
                    add_force(buf, i, [-fj[0] - fk[0], -fj[1] - fk[1], -fj[2] - fk[2]]);
                    add_force(buf, j, fj);
                    add_force(buf, k, fk);
                    tally3(buf, req, [i, j, k], 0.0, bj.d, fj, bk.d, fk);
                }
            }
        }
        Ok(())
    })
}
