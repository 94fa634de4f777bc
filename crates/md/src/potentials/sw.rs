//! `pair_style sw` (Stillinger & Weber, Phys. Rev. B 31, 5262 (1985)) with LAMMPS's functional
//! form, file format and conventions (`pair_coeff * * Si.sw Si`, `GaN.sw Ga N`).
//!
//! E = Σ_{i<j} φ₂(r_ij) + Σ_i Σ_{j<k} φ₃(r_ij, r_ik, θ_ijk), with
//! φ₂ = A ε [B (σ/r)^p − (σ/r)^q] exp(σ/(r − aσ)) (entry `i j j`) and
//! φ₃ = λ ε (cos θ − cos θ₀)² exp(γσ/(r_ij − aσ)) exp(γσ/(r_ik − aσ)) (λ, ε, cos θ₀ from the entry
//! `i j k`; γ, σ, a of r_ij from `i j j`, of r_ik from `i k k`). Entry order (LAMMPS): ε, σ, a, λ,
//! γ, cos θ₀, A, B, p, q, tol; a positive `tol` shortens the cutoff as LAMMPS does.
//! Per-atom energies and virials follow LAMMPS's tallies (see [`super::manybody`]).

use super::manybody::{add_force, check_elements, file_elements, lammps_takes_pair, read_triplets, tally3, tally_pair};
use super::{pair_loop, Configuration, Needs, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use crate::neighbors::ListKind;
use serde::Serialize;
use std::path::Path;

/// Parameters per entry after the three element names.
pub const NVALUES: usize = 11;

/// One Stillinger–Weber entry as written in the file (LAMMPS order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SwEntry {
    pub epsilon: f64,
    pub sigma: f64,
    pub a: f64,
    pub lambda: f64,
    pub gamma: f64,
    pub costheta0: f64,
    pub big_a: f64,
    pub big_b: f64,
    pub p: f64,
    pub q: f64,
    pub tol: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Param {
    sigma: f64,
    cut: f64,
    cutsq: f64,
    sigma_gamma: f64,
    lambda_epsilon: f64,
    costheta0: f64,
    p: f64,
    q: f64,
    /// A ε B σ^p and A ε σ^q.
    c5: f64,
    c6: f64,
}

impl Param {
    fn new(e: &SwEntry) -> Self {
        let cut = e.sigma * e.a;
        let mut rc = cut;
        if e.tol > 0.0 {
            let tol = e.tol.min(0.01);
            rc += if e.gamma < 1.0 { e.gamma * e.sigma / tol.ln() } else { e.sigma / tol.ln() };
        }
        Param {
            sigma: e.sigma,
            cut,
            cutsq: rc * rc,
            sigma_gamma: e.sigma * e.gamma,
            lambda_epsilon: e.lambda * e.epsilon,
            costheta0: e.costheta0,
            p: e.p,
            q: e.q,
            c5: e.big_a * e.epsilon * e.big_b * e.sigma.powf(e.p),
            c6: e.big_a * e.epsilon * e.sigma.powf(e.q),
        }
    }
}

/// `pair_style sw`: the entries for every ordered triplet of its elements.
#[derive(Clone, Debug, Serialize)]
pub struct StillingerWeber {
    elements: Vec<String>,
    entries: Vec<SwEntry>,
    #[serde(skip)]
    params: Vec<Param>,
    #[serde(skip)]
    cutmax: f64,
}

impl StillingerWeber {
    /// Read `path` for `elements` (the file's elements in order of first appearance when `None`).
    pub fn from_file(path: &Path, elements: Option<&[String]>) -> Result<Self> {
        let elements = match elements {
            Some(e) => e.to_vec(),
            None => file_elements(path, NVALUES, "sw")?,
        };
        check_elements(&elements, "sw")?;
        let triplets = read_triplets(path, &elements, NVALUES, "sw")?;
        let mut entries = Vec::with_capacity(triplets.len());
        for t in &triplets {
            let v = &t.values;
            let e = SwEntry { epsilon: v[0], sigma: v[1], a: v[2], lambda: v[3], gamma: v[4], costheta0: v[5], big_a: v[6], big_b: v[7], p: v[8], q: v[9], tol: v[10] };
            let neg = [("epsilon", e.epsilon), ("sigma", e.sigma), ("a", e.a), ("lambda", e.lambda), ("gamma", e.gamma), ("A", e.big_a), ("B", e.big_b), ("p", e.p), ("q", e.q), ("tol", e.tol)]
                .into_iter()
                .find(|(_, x)| *x < 0.0);
            if let Some((name, x)) = neg {
                return Err(Error::Parse {
                    path: path.display().to_string(),
                    line: t.line,
                    msg: format!("illegal Stillinger-Weber parameter in {} {} {}: {name} = {x} must not be negative", t.elements[0], t.elements[1], t.elements[2]),
                });
            }
            entries.push(e);
        }
        Self::new(elements, entries)
    }

    /// From entries given directly (`entries[(i * n + j) * n + k]` for the triplet i j k).
    pub fn new(elements: Vec<String>, entries: Vec<SwEntry>) -> Result<Self> {
        let n = elements.len();
        if entries.len() != n * n * n {
            return Err(Error::Shape(format!("{} Stillinger-Weber entries for {n} elements (need {})", entries.len(), n * n * n)));
        }
        let params: Vec<Param> = entries.iter().map(Param::new).collect();
        let cutmax = params.iter().map(|p| p.cutsq.sqrt()).fold(0.0, f64::max);
        if !(cutmax > 0.0) {
            return Err(Error::invalid("sw cutoff", cutmax, "every a·σ is zero"));
        }
        Ok(StillingerWeber { elements, entries, params, cutmax })
    }

    /// The entry of the triplet `i j k` (element names).
    pub fn entry(&self, i: &str, j: &str, k: &str) -> Option<&SwEntry> {
        let n = self.elements.len();
        let ix = |s: &str| self.elements.iter().position(|e| e == s);
        Some(&self.entries[(ix(i)? * n + ix(j)?) * n + ix(k)?])
    }
}

/// A neighbour of the current centre within the largest cutoff.
#[derive(Clone, Copy, Default)]
struct Nb {
    e: u32,
    t: u32,
    /// x_j − x_i.
    d: [f64; 3],
    r: f64,
    rsq: f64,
}

impl Potential for StillingerWeber {
    fn pair_style(&self) -> &str {
        "sw"
    }
    fn cutoff(&self) -> f64 {
        self.cutmax
    }
    fn needs(&self) -> Needs {
        Needs::full(self.cutmax)
    }
    fn species(&self) -> Vec<String> {
        self.elements.clone()
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let nl = config.neighbors(ListKind::Full)?;
        self.check_species(config.species)?;
        let map: Vec<u32> = config.species.iter().map(|s| self.elements.iter().position(|e| e == s).unwrap_or(0) as u32).collect();
        let ne = self.elements.len();
        let params = &self.params;
        let cutsq_short = self.cutmax * self.cutmax;
        let (pos, owner, typ) = (&nl.ext_pos, &nl.ext_owner, &nl.ext_type);
        pair_loop(nl, req, scratch, out, |range, buf| {
            let mut nbs: Vec<Nb> = Vec::with_capacity(64);
            for c in range {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let oi = owner[i] as usize;
                let ti = map[typ[i] as usize] as usize;
                nbs.clear();
                for &j in nl.neighbors_of(c) {
                    let xj = pos[j as usize];
                    let d = [xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]];
                    let rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if rsq < cutsq_short {
                        nbs.push(Nb { e: j, t: map[typ[j as usize] as usize], d, r: rsq.sqrt(), rsq });
                    }
                }
                // two-body terms, each pair once (LAMMPS's rule)
                for b in &nbs {
                    let j = b.e as usize;
                    if !lammps_takes_pair(oi, owner[j] as usize, &xi, &pos[j]) {
                        continue;
                    }
                    let p = &params[(ti * ne + b.t as usize) * ne + b.t as usize];
                    if b.rsq >= p.cutsq {
                        continue;
                    }
                    let (r, rinv) = (b.r, 1.0 / b.r);
                    let rp = r.powf(-p.p);
                    let rq = r.powf(-p.q);
                    let rainv = 1.0 / (r - p.cut);
                    let ex = (p.sigma * rainv).exp();
                    let e = (p.c5 * rp - p.c6 * rq) * ex;
                    // dE/dr
                    let de = (-p.p * p.c5 * rp + p.q * p.c6 * rq) * rinv * ex - e * p.sigma * rainv * rainv;
                    let s = de * rinv; // force on i = s · d
                    add_force(buf, i, [s * b.d[0], s * b.d[1], s * b.d[2]]);
                    add_force(buf, j, [-s * b.d[0], -s * b.d[1], -s * b.d[2]]);
                    tally_pair(buf, req, i, j, e, -s, b.d);
                }
                // three-body terms over unordered neighbour pairs j < k
                for (jj, bj) in nbs.iter().enumerate() {
                    let tj = bj.t as usize;
                    let pij = &params[(ti * ne + tj) * ne + tj];
                    if bj.rsq >= pij.cutsq {
                        continue;
                    }
                    let rainv1 = 1.0 / (bj.r - pij.cut);
                    let gs1 = pij.sigma_gamma * rainv1;
                    let ex1 = gs1.exp();
                    let drad1 = gs1 * rainv1 / bj.r; // −(d ln exp₁/dr₁)/r₁
                    for bk in &nbs[jj + 1..] {
                        let tk = bk.t as usize;
                        let pik = &params[(ti * ne + tk) * ne + tk];
                        if bk.rsq >= pik.cutsq {
                            continue;
                        }
                        let pijk = &params[(ti * ne + tj) * ne + tk];
                        let rainv2 = 1.0 / (bk.r - pik.cut);
                        let gs2 = pik.sigma_gamma * rainv2;
                        let ex2 = gs2.exp();
                        let drad2 = gs2 * rainv2 / bk.r;
                        let rinv12 = 1.0 / (bj.r * bk.r);
                        let cs = (bj.d[0] * bk.d[0] + bj.d[1] * bk.d[1] + bj.d[2] * bk.d[2]) * rinv12;
                        let delcs = cs - pijk.costheta0;
                        let facexp = ex1 * ex2;
                        let e = pijk.lambda_epsilon * facexp * delcs * delcs;
                        let facang = 2.0 * pijk.lambda_epsilon * facexp * delcs; // dE/dcos
                        let facang12 = rinv12 * facang;
                        let csfacang = cs * facang;
                        let a1 = e * drad1 + csfacang / bj.rsq;
                        let a2 = e * drad2 + csfacang / bk.rsq;
                        let mut fj = [0.0; 3];
                        let mut fk = [0.0; 3];
                        for q in 0..3 {
                            fj[q] = bj.d[q] * a1 - bk.d[q] * facang12;
                            fk[q] = bk.d[q] * a2 - bj.d[q] * facang12;
                        }
                        let (j, k) = (bj.e as usize, bk.e as usize);
                        add_force(buf, i, [-fj[0] - fk[0], -fj[1] - fk[1], -fj[2] - fk[2]]);
                        add_force(buf, j, fj);
                        add_force(buf, k, fk);
                        tally3(buf, req, [i, j, k], e, bj.d, fj, bk.d, fk);
                    }
                }
            }
            Ok(())
        })
    }
}

