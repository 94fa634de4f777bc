//! The 1-D bridging-domain (Arlequin) coupling (Xiao & Belytschko 2004).
//!
//! Atoms cover `[0, X₂)`, the mesh covers `[X₁, ∞)`; in the overlap `[X₁, X₂]` the weight
//! `w(X)` falls linearly from 1 to 0. The energy is `E = Σ_b w(X_b) φ_b + Σ_e (1 − w(X_e)) W_e`
//! (bonds and elements at their midpoints), masses are weighted the same way (atoms `w m`,
//! element shares `(1 − w) m L/(2a)`). Every atom in the overlap is tied to the field:
//! `v_i = Σ_I N_I(X_i) v_I`. After each unconstrained velocity-Verlet step the multipliers solve
//! `(M_a⁻¹ + N M_n⁻¹ Nᵀ) μ = v_a − N v_n` exactly (conjugate gradients), then
//! `v_a −= M_a⁻¹ μ`, `v_n += M_n⁻¹ Nᵀ μ`. This is the mass-weighted projection onto the
//! constraint, so it only ever removes kinetic energy: that loss is tallied as absorbed.

use crate::chain::{Continuum, PairChain};
use crate::coupled::EnergySplit;
use crate::error::{invalid, CouplingError, Result};
use scalebridge_md::units::FTM2V;

/// A 1-D bridging-domain model.
#[derive(Clone, Debug)]
pub struct Bridging1d {
    pub chain: PairChain,
    pub model: Continuum,
    pub ua: Vec<f64>,
    pub va: Vec<f64>,
    pub xn: Vec<f64>,
    pub un: Vec<f64>,
    pub vn: Vec<f64>,
    /// Overlap [x1, x2], Å.
    pub x1: f64,
    pub x2: f64,
    ma: Vec<f64>,
    mn: Vec<f64>,
    wb: Vec<f64>,
    we: Vec<f64>,
    fa: Vec<f64>,
    fnode: Vec<f64>,
    /// Constrained atoms: (atom, element, shape value of the element's left node).
    ties: Vec<(usize, usize, f64)>,
    pub fix_right: bool,
    /// Kinetic energy removed by the constraint so far, eV.
    pub absorbed: f64,
    pub dt: f64,
}

impl Bridging1d {
    /// Atoms `0..n_atoms` at `i a`; mesh nodes `xn` (the first at the overlap start `x1`);
    /// overlap `[x1, x2]` with `x2` a node, the last atom below `x2`.
    pub fn new(chain: PairChain, model: Continuum, n_atoms: usize, xn: Vec<f64>, x2: f64, dt: f64) -> Result<Self> {
        chain.validate()?;
        let a = chain.spacing();
        if xn.len() < 2 || n_atoms < 2 {
            return Err(invalid("mesh", xn.len(), "need atoms and at least one element"));
        }
        let x1 = xn[0];
        let xl = (n_atoms - 1) as f64 * a;
        if !(x2 > x1 + a && xl < x2 && xl >= x1) {
            return Err(invalid("overlap", format!("[{x1}, {x2}], last atom {xl}"), "the overlap must hold atoms and end beyond the last atom"));
        }
        if !(dt > 0.0 && dt * chain.max_frequency() < 1.0) {
            return Err(invalid("dt", dt, "unstable time step"));
        }
        let w = |x: f64| -> f64 { ((x2 - x) / (x2 - x1)).clamp(0.0, 1.0) };
        let m = chain.mass;
        let ma: Vec<f64> = (0..n_atoms).map(|i| w(i as f64 * a) * m).collect();
        let wb: Vec<f64> = (0..n_atoms - 1).map(|i| w((i as f64 + 0.5) * a)).collect();
        let mut mn = vec![0.0; xn.len()];
        let mut we = Vec::with_capacity(xn.len() - 1);
        for (e, p) in xn.windows(2).enumerate() {
            let c = 1.0 - w(0.5 * (p[0] + p[1]));
            we.push(c);
            let half = 0.5 * c * m * (p[1] - p[0]) / a;
            mn[e] += half;
            mn[e + 1] += half;
        }
        if mn.iter().any(|&x| !(x > 0.0)) {
            return Err(invalid("mesh", "node mass", "a node has no mass (element entirely at w = 1)"));
        }
        let mut ties = Vec::new();
        for i in 0..n_atoms {
            let x = i as f64 * a;
            if x >= x1 - 1e-9 * a {
                let k = xn.partition_point(|&p| p <= x).clamp(1, xn.len() - 1);
                let t = (x - xn[k - 1]) / (xn[k] - xn[k - 1]);
                ties.push((i, k - 1, 1.0 - t));
            }
        }
        let nn = xn.len();
        let mut s = Bridging1d {
            chain, model, ua: vec![0.0; n_atoms], va: vec![0.0; n_atoms], xn, un: vec![0.0; nn], vn: vec![0.0; nn],
            x1, x2, ma, mn, wb, we, fa: vec![0.0; n_atoms], fnode: vec![0.0; nn], ties, fix_right: true, absorbed: 0.0, dt,
        };
        s.compute_forces();
        Ok(s)
    }

    /// Forces from the blended energy.
    pub fn compute_forces(&mut self) {
        let a = self.chain.spacing();
        self.fa.iter_mut().for_each(|f| *f = 0.0);
        self.fnode.iter_mut().for_each(|f| *f = 0.0);
        for i in 0..self.ua.len() - 1 {
            let t = self.wb[i] * self.chain.dphi(a + self.ua[i + 1] - self.ua[i]);
            self.fa[i] += t;
            self.fa[i + 1] -= t;
        }
        for e in 0..self.xn.len() - 1 {
            let len = self.xn[e + 1] - self.xn[e];
            let (_, t) = self.chain.element(self.model, len, (self.un[e + 1] - self.un[e]) / len);
            self.fnode[e] += self.we[e] * t;
            self.fnode[e + 1] -= self.we[e] * t;
        }
        if self.fix_right {
            let l = self.fnode.len() - 1;
            self.fnode[l] = 0.0;
        }
    }

    /// Ghost forces under uniform strain `eps`: the largest raw force on an atom or node, and the
    /// largest force on the constrained system's degrees of freedom (atom forces in the overlap
    /// carried to the nodes through the constraint, `f_n + Nᵀ f_a`), eV/Å.
    pub fn ghost_forces(&mut self, eps: f64) -> (f64, f64) {
        let a = self.chain.spacing();
        for (i, u) in self.ua.iter_mut().enumerate() {
            *u = eps * i as f64 * a;
        }
        for (j, u) in self.un.iter_mut().enumerate() {
            *u = eps * self.xn[j];
        }
        let fix = self.fix_right;
        self.fix_right = false;
        self.compute_forces();
        self.fix_right = fix;
        let nn = self.xn.len();
        // exclude the far end node (it carries the applied traction)
        let raw = self.fa[1..].iter().chain(&self.fnode[..nn - 1]).fold(0.0f64, |m, f| m.max(f.abs()));
        let mut eff = self.fnode.clone();
        let mut tied = vec![false; self.ua.len()];
        for &(i, e, n0) in &self.ties {
            eff[e] += n0 * self.fa[i];
            eff[e + 1] += (1.0 - n0) * self.fa[i];
            tied[i] = true;
        }
        let free = self.fa.iter().enumerate().skip(1).filter(|(i, _)| !tied[*i]).fold(0.0f64, |m, (_, f)| m.max(f.abs()));
        let eff_max = eff[..nn - 1].iter().fold(free, |m, f| m.max(f.abs()));
        (raw, eff_max)
    }

    fn kinetic(&self) -> f64 {
        (self.va.iter().zip(&self.ma).map(|(v, m)| m * v * v).sum::<f64>() + self.vn.iter().zip(&self.mn).map(|(v, m)| m * v * v).sum::<f64>()) * 0.5 / FTM2V
    }

    /// Enforce the velocity constraint exactly; returns the kinetic energy removed.
    fn constrain(&mut self) -> Result<f64> {
        let k0 = self.kinetic();
        let nt = self.ties.len();
        let apply = |s: &Self, mu: &[f64]| -> Vec<f64> {
            // A μ = M_a⁻¹ μ + N M_n⁻¹ Nᵀ μ
            let mut g = vec![0.0; s.xn.len()];
            for (k, &(_, e, n0)) in s.ties.iter().enumerate() {
                g[e] += n0 * mu[k];
                g[e + 1] += (1.0 - n0) * mu[k];
            }
            for (gj, m) in g.iter_mut().zip(&s.mn) {
                *gj /= m;
            }
            s.ties.iter().enumerate().map(|(k, &(i, e, n0))| mu[k] / s.ma[i] + n0 * g[e] + (1.0 - n0) * g[e + 1]).collect()
        };
        let r0: Vec<f64> = self.ties.iter().map(|&(i, e, n0)| self.va[i] - (n0 * self.vn[e] + (1.0 - n0) * self.vn[e + 1])).collect();
        let norm0 = r0.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut mu = vec![0.0; nt];
        if norm0 > 0.0 {
            let mut r = r0.clone();
            let mut p = r.clone();
            let mut rr = r.iter().map(|x| x * x).sum::<f64>();
            for _ in 0..10 * nt + 100 {
                let ap = apply(self, &p);
                let alpha = rr / p.iter().zip(&ap).map(|(x, y)| x * y).sum::<f64>();
                for k in 0..nt {
                    mu[k] += alpha * p[k];
                    r[k] -= alpha * ap[k];
                }
                let rr2 = r.iter().map(|x| x * x).sum::<f64>();
                if rr2.sqrt() <= 1e-13 * norm0 {
                    break;
                }
                let beta = rr2 / rr;
                for k in 0..nt {
                    p[k] = r[k] + beta * p[k];
                }
                rr = rr2;
            }
        }
        for (k, &(i, e, n0)) in self.ties.iter().enumerate() {
            self.va[i] -= mu[k] / self.ma[i];
            self.vn[e] += n0 * mu[k] / self.mn[e];
            self.vn[e + 1] += (1.0 - n0) * mu[k] / self.mn[e + 1];
        }
        let loss = k0 - self.kinetic();
        if !loss.is_finite() {
            return Err(CouplingError::NonFinite { what: "constraint multipliers".into(), step: 0 });
        }
        Ok(loss)
    }

    /// One constrained velocity-Verlet step.
    pub fn step(&mut self) -> Result<()> {
        let dt = self.dt;
        let last = self.xn.len() - 1;
        for h in [true, false] {
            for i in 0..self.ua.len() {
                self.va[i] += 0.5 * dt * FTM2V * self.fa[i] / self.ma[i];
            }
            for j in 0..self.xn.len() {
                if !(self.fix_right && j == last) {
                    self.vn[j] += 0.5 * dt * FTM2V * self.fnode[j] / self.mn[j];
                }
            }
            if h {
                for i in 0..self.ua.len() {
                    self.ua[i] += dt * self.va[i];
                }
                for j in 0..self.xn.len() {
                    self.un[j] += dt * self.vn[j];
                }
                self.compute_forces();
            }
        }
        self.absorbed += self.constrain()?;
        Ok(())
    }

    /// Energy split at `x_left` < `x_right` (eV, relative to the unstrained state).
    pub fn energy_split(&self, x_left: f64, x_right: f64) -> EnergySplit {
        let a = self.chain.spacing();
        let mut s = EnergySplit::default();
        let mut add = |x: f64, e: f64| {
            if x < x_left {
                s.left += e
            } else if x > x_right {
                s.right += e
            } else {
                s.middle += e
            }
        };
        let e0 = self.chain.phi(a);
        for i in 0..self.ua.len() {
            add(i as f64 * a, 0.5 * self.ma[i] * self.va[i] * self.va[i] / FTM2V);
        }
        for i in 0..self.ua.len() - 1 {
            add((i as f64 + 0.5) * a, self.wb[i] * (self.chain.phi(a + self.ua[i + 1] - self.ua[i]) - e0));
        }
        for j in 0..self.xn.len() {
            add(self.xn[j], 0.5 * self.mn[j] * self.vn[j] * self.vn[j] / FTM2V);
        }
        for e in 0..self.xn.len() - 1 {
            let len = self.xn[e + 1] - self.xn[e];
            let (w, _) = self.chain.element(self.model, len, (self.un[e + 1] - self.un[e]) / len);
            add(0.5 * (self.xn[e] + self.xn[e + 1]), self.we[e] * w);
        }
        s
    }
}
