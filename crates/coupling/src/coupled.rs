//! The 1-D force-based (CADD / QC-GFC-like) coupled model: an atomistic chain on the left, a
//! graded finite-element bar on the right, one shared interface degree of freedom.
//!
//! - Atoms `0..n` sit at `X = i a`; atom `n−1` is also mesh node 0 (the interface).
//! - Pad atom: the chain's bond to the right of the interface ends at a pad atom at `X + a`
//!   whose displacement is the finite-element field there (fields → atoms).
//! - Forces are taken per region, never from a blended energy: atoms get the atomistic forces
//!   (with the pad), nodes the element forces; the pad's reaction is not fed back. Under any
//!   uniform strain all residuals vanish (patch test): no ghost forces by construction. With
//!   Cauchy–Born elements and a first element of one spacing the pad bond *is* element 0, so the
//!   scheme also derives from one total energy and conserves it in NVE.
//! - Masses are lumped; the interface carries half an atom plus its element share.
//! - Optional fine-scale ("stadium") damping in a band of atoms before the interface:
//!   `f = −G (I − K) G v`, `G = diag √(γ m)`, `K` a triangular moving average of half-width `w`
//!   atoms. It removes only motion the kernel does not see as smooth (wavelengths below the
//!   mesh's cutoff), and is dissipative (positive semi-definite); its work is tallied as absorbed
//!   energy.

use crate::chain::{Continuum, PairChain};
use crate::error::{invalid, CouplingError, Result};
use scalebridge_md::units::FTM2V;
use serde::Serialize;

/// Fine-scale damping band.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DampingBand {
    /// First atom of the band.
    pub start: usize,
    /// One past the last atom of the band.
    pub end: usize,
    /// Largest damping rate (mid-band; the profile is γ sin²(π s)), 1/ps.
    pub gamma: f64,
    /// Kernel half-width, atoms (≥ 1).
    pub half_width: usize,
}

/// Energies of the three zones (eV): left of `x_left`, between, right of `x_right`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct EnergySplit {
    pub left: f64,
    pub middle: f64,
    pub right: f64,
}

impl EnergySplit {
    pub fn total(&self) -> f64 {
        self.left + self.middle + self.right
    }
}

/// A 1-D force-based coupled chain + bar.
#[derive(Clone, Debug)]
pub struct ForceBased1d {
    pub chain: PairChain,
    pub model: Continuum,
    /// Displacements and velocities of the atoms (Å, Å/ps); the last atom is the interface.
    pub ua: Vec<f64>,
    pub va: Vec<f64>,
    /// Node reference positions (node 0 = interface), displacements and velocities.
    pub xn: Vec<f64>,
    pub un: Vec<f64>,
    pub vn: Vec<f64>,
    /// Lumped masses, amu.
    ma: Vec<f64>,
    mn: Vec<f64>,
    fa: Vec<f64>,
    fnode: Vec<f64>,
    /// Hold the left-most atom / right-most node in place.
    pub fix_left: bool,
    pub fix_right: bool,
    pub damping: Option<DampingBand>,
    /// Energy removed by damping so far, eV.
    pub absorbed: f64,
    pub dt: f64,
    pub time: f64,
}

impl ForceBased1d {
    /// `n_atoms` atoms (the last is the interface) and a mesh whose nodes are `xn` (node 0 must be
    /// at `(n_atoms − 1) a` and the first element must be one lattice spacing long).
    pub fn new(chain: PairChain, model: Continuum, n_atoms: usize, xn: Vec<f64>, dt: f64) -> Result<Self> {
        chain.validate()?;
        let a = chain.spacing();
        if n_atoms < 2 {
            return Err(invalid("n_atoms", n_atoms, "need at least two atoms"));
        }
        if xn.len() < 2 {
            return Err(invalid("mesh", xn.len(), "need at least one element"));
        }
        let xi = (n_atoms - 1) as f64 * a;
        if (xn[0] - xi).abs() > 1e-9 * a || (xn[1] - xn[0] - a).abs() > 1e-9 * a {
            return Err(invalid("mesh", format!("x0 {}, first element {}", xn[0], xn[1] - xn[0]), "node 0 must be the interface atom and the first element one spacing long"));
        }
        if xn.windows(2).any(|w| !(w[1] - w[0] >= a * (1.0 - 1e-9))) {
            return Err(invalid("mesh", "element", "elements must be at least one spacing long"));
        }
        if !(dt > 0.0 && dt.is_finite() && dt * chain.max_frequency() < 1.0) {
            return Err(invalid("dt", dt, &format!("need 0 < dt < 1/ω_max = {:.4} ps for a stable Verlet step", 1.0 / chain.max_frequency())));
        }
        let m = chain.mass;
        let mut ma = vec![m; n_atoms];
        let mut mn = vec![0.0; xn.len()];
        for (e, w) in xn.windows(2).enumerate() {
            let half = 0.5 * m * (w[1] - w[0]) / a;
            mn[e] += half;
            mn[e + 1] += half;
        }
        ma[n_atoms - 1] = 0.5 * m + mn[0];
        let nn = xn.len();
        let mut s = ForceBased1d {
            chain,
            model,
            ua: vec![0.0; n_atoms],
            va: vec![0.0; n_atoms],
            xn,
            un: vec![0.0; nn],
            vn: vec![0.0; nn],
            ma,
            mn,
            fa: vec![0.0; n_atoms],
            fnode: vec![0.0; nn],
            fix_left: false,
            fix_right: true,
            damping: None,
            absorbed: 0.0,
            dt,
            time: 0.0,
        };
        s.compute_forces();
        Ok(s)
    }

    pub fn n_atoms(&self) -> usize {
        self.ua.len()
    }
    fn a(&self) -> f64 {
        self.chain.spacing()
    }

    /// Finite-element displacement at reference position `x` (linear interpolation).
    pub fn field(&self, x: f64, u: &[f64]) -> f64 {
        let k = self.xn.partition_point(|&p| p <= x).clamp(1, self.xn.len() - 1);
        let (x0, x1) = (self.xn[k - 1], self.xn[k]);
        let t = (x - x0) / (x1 - x0);
        (1.0 - t) * u[k - 1] + t * u[k]
    }

    /// Conservative forces (atomistic with the pad; element forces), without damping.
    pub fn compute_forces(&mut self) {
        let a = self.a();
        let n = self.n_atoms();
        self.fa.iter_mut().for_each(|f| *f = 0.0);
        self.fnode.iter_mut().for_each(|f| *f = 0.0);
        for i in 0..n - 1 {
            let t = self.chain.dphi(a + self.ua[i + 1] - self.ua[i]);
            self.fa[i] += t;
            self.fa[i + 1] -= t;
        }
        let upad = self.field(self.xn[0] + a, &self.un);
        self.fa[n - 1] += self.chain.dphi(a + upad - self.ua[n - 1]);
        for e in 0..self.xn.len() - 1 {
            let len = self.xn[e + 1] - self.xn[e];
            let (_, t) = self.chain.element(self.model, len, (self.un[e + 1] - self.un[e]) / len);
            self.fnode[e] += t;
            self.fnode[e + 1] -= t;
        }
        self.fnode[0] = 0.0;
        if self.fix_left {
            self.fa[0] = 0.0;
        }
        if self.fix_right {
            let l = self.fnode.len() - 1;
            self.fnode[l] = 0.0;
        }
    }

    /// Largest force on any degree of freedom that is not held, eV/Å.
    pub fn max_residual(&self) -> f64 {
        let fa = self.fa.iter().enumerate().filter(|(i, _)| !(self.fix_left && *i == 0)).map(|(_, f)| f.abs());
        let fnode = self.fnode.iter().enumerate().skip(1).filter(|(j, _)| !(self.fix_right && *j == self.fnode.len() - 1)).map(|(_, f)| f.abs());
        fa.chain(fnode).fold(0.0, f64::max)
    }

    /// Atom forces and node forces of the last evaluation (eV/Å; node 0 reported as zero: it is
    /// the interface atom).
    pub fn forces(&self) -> (&[f64], &[f64]) {
        (&self.fa, &self.fnode)
    }

    /// Impose `u = eps · X` everywhere (atoms and nodes) and evaluate the forces.
    pub fn set_uniform_strain(&mut self, eps: f64) {
        let a = self.a();
        for (i, u) in self.ua.iter_mut().enumerate() {
            *u = eps * i as f64 * a;
        }
        for (j, u) in self.un.iter_mut().enumerate() {
            *u = eps * self.xn[j];
        }
        self.compute_forces();
    }

    fn damping_forces(&self, out: &mut [f64]) -> f64 {
        out.iter_mut().for_each(|f| *f = 0.0);
        let Some(b) = self.damping else { return 0.0 };
        let w = b.half_width.max(1) as isize;
        let n = self.n_atoms() as isize;
        let g = |i: isize| -> f64 {
            if i < b.start as isize || i >= b.end as isize || i < 0 || i >= n {
                return 0.0;
            }
            // smooth bump γ sin²(π s): no step at either end of the band
            let s = (i - b.start as isize) as f64 / (b.end - b.start) as f64;
            let p = (std::f64::consts::PI * s).sin();
            (b.gamma * p * p * self.ma[i as usize] / FTM2V).sqrt()
        };
        // y = G v;  z = (I − K) y;  f = −G z   (forces in eV/Å; γ m / FTM2V has eV ps/Å²)
        let lo = (b.start as isize - w).max(0);
        let hi = (b.end as isize + w).min(n);
        let y: Vec<f64> = (lo..hi).map(|i| g(i) * self.va[i as usize]).collect();
        let mut power = 0.0;
        for i in b.start as isize..(b.end as isize).min(n) {
            let gi = g(i);
            let mut avg = 0.0;
            for d in -(w - 1)..w {
                let j = i + d;
                if j >= lo && j < hi {
                    avg += (w - d.abs()) as f64 * y[(j - lo) as usize];
                }
            }
            avg /= (w * w) as f64;
            let f = -gi * (y[(i - lo) as usize] - avg);
            out[i as usize] = f;
            power += f * self.va[i as usize];
        }
        power
    }

    /// One velocity-Verlet step (damping forces from the half-step velocities).
    pub fn step(&mut self) -> Result<()> {
        let dt = self.dt;
        let n = self.n_atoms();
        // damping force from the current velocities v(t) for the first half kick
        let mut fd = vec![0.0; n];
        let _ = self.damping_forces(&mut fd);
        self.kick(&fd, 0.5 * dt);
        for i in 0..n {
            if !(self.fix_left && i == 0) {
                self.ua[i] += dt * self.va[i];
            }
        }
        let last = self.un.len() - 1;
        for j in 1..self.un.len() {
            if !(self.fix_right && j == last) {
                self.un[j] += dt * self.vn[j];
            }
        }
        self.un[0] = self.ua[n - 1];
        self.compute_forces();
        let power = self.damping_forces(&mut fd);
        self.absorbed -= power * dt;
        self.kick(&fd, 0.5 * dt);
        self.vn[0] = self.va[n - 1];
        self.time += dt;
        if !self.ua[n - 1].is_finite() || !self.va[n - 1].is_finite() {
            return Err(CouplingError::NonFinite { what: "interface displacement".into(), step: (self.time / dt) as usize });
        }
        Ok(())
    }

    fn kick(&mut self, fd: &[f64], h: f64) {
        let n = self.n_atoms();
        for i in 0..n {
            if self.fix_left && i == 0 {
                continue;
            }
            self.va[i] += h * FTM2V * (self.fa[i] + fd[i]) / self.ma[i];
        }
        let last = self.vn.len() - 1;
        for j in 1..self.vn.len() {
            if self.fix_right && j == last {
                continue;
            }
            self.vn[j] += h * FTM2V * self.fnode[j] / self.mn[j];
        }
    }

    /// Kinetic + potential energy split at reference positions `x_left` < `x_right` (eV,
    /// relative to the unstrained chain). Bonds and elements count at their midpoints.
    pub fn energy_split(&self, x_left: f64, x_right: f64) -> EnergySplit {
        let a = self.a();
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
        let n = self.n_atoms();
        let e0 = self.chain.phi(a);
        for i in 0..n {
            add(i as f64 * a, 0.5 * self.ma[i] * self.va[i] * self.va[i] / FTM2V);
        }
        for i in 0..n - 1 {
            add((i as f64 + 0.5) * a, self.chain.phi(a + self.ua[i + 1] - self.ua[i]) - e0);
        }
        for j in 1..self.xn.len() {
            add(self.xn[j], 0.5 * self.mn[j] * self.vn[j] * self.vn[j] / FTM2V);
        }
        for e in 0..self.xn.len() - 1 {
            let len = self.xn[e + 1] - self.xn[e];
            let (w, _) = self.chain.element(self.model, len, (self.un[e + 1] - self.un[e]) / len);
            add(0.5 * (self.xn[e] + self.xn[e + 1]), w);
        }
        s
    }

    /// Total energy, eV.
    pub fn total_energy(&self) -> f64 {
        self.energy_split(f64::NEG_INFINITY, f64::INFINITY).total()
    }

    /// Static equilibrium with the ends held at their current displacements: Newton's method on
    /// the (tridiagonal) force-based system. Returns the iterations used.
    pub fn relax(&mut self, tol: f64, max_iter: usize) -> Result<usize> {
        let a = self.a();
        let n = self.n_atoms();
        let nn = self.xn.len();
        // unknowns: atoms 1..n (atom n−1 = node 0), nodes 1..nn−1 (ends held)
        let dof = (n - 1) + (nn - 2);
        for it in 0..max_iter {
            self.compute_forces();
            let r = self.max_residual_interior();
            if r <= tol {
                return Ok(it);
            }
            // Jacobian J = ∂f/∂u (tridiagonal); solve J δ = −f.
            let mut lo = vec![0.0; dof];
            let mut di = vec![0.0; dof];
            let mut up = vec![0.0; dof];
            let mut rhs = vec![0.0; dof];
            // bond between global sites s and s+1 (site 0 = atom 0 held, sites 1..n−1 atoms,
            // then nodes 1..nn−1); stiffness of each link:
            let mut links = Vec::with_capacity(n + nn);
            for i in 0..n - 1 {
                links.push(self.chain.d2phi(a + self.ua[i + 1] - self.ua[i]));
            }
            for e in 0..nn - 1 {
                let len = self.xn[e + 1] - self.xn[e];
                links.push(self.chain.element_tangent(self.model, len, (self.un[e + 1] - self.un[e]) / len));
            }
            // site s ∈ 0..=dof+1; unknown index k = s − 1 for s in 1..=dof.
            for (l, &kl) in links.iter().enumerate() {
                let (s0, s1) = (l, l + 1);
                for (sa, sb) in [(s0, s1), (s1, s0)] {
                    if sa >= 1 && sa <= dof {
                        di[sa - 1] += kl;
                        if sb >= 1 && sb <= dof {
                            if sb > sa {
                                up[sa - 1] -= kl;
                            } else {
                                lo[sa - 1] -= kl;
                            }
                        }
                    }
                }
            }
            for k in 0..dof {
                rhs[k] = if k < n - 1 { self.fa[k + 1] } else { self.fnode[k - (n - 1) + 1] };
            }
            let delta = thomas(&lo, &di, &up, &rhs).ok_or_else(|| invalid("relax", "Jacobian", "singular tangent (unstable chain)"))?;
            for k in 0..dof {
                if k < n - 1 {
                    self.ua[k + 1] += delta[k];
                } else {
                    self.un[k - (n - 1) + 1] += delta[k];
                }
            }
            self.un[0] = self.ua[n - 1];
        }
        self.compute_forces();
        Err(CouplingError::NotConverged { solver: "Newton (force-based statics)".into(), iters: max_iter, residual: self.max_residual_interior(), tol })
    }

    fn max_residual_interior(&self) -> f64 {
        let nn = self.fnode.len();
        self.fa[1..].iter().chain(&self.fnode[1..nn - 1]).fold(0.0, |m: f64, f| m.max(f.abs()))
    }
}

/// Solve a tridiagonal system (sub-diagonal `lo`, diagonal `di`, super-diagonal `up`).
fn thomas(lo: &[f64], di: &[f64], up: &[f64], rhs: &[f64]) -> Option<Vec<f64>> {
    let n = di.len();
    let mut c = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut piv = di.first().copied()?;
    if piv.abs() < 1e-300 {
        return None;
    }
    c[0] = up[0] / piv;
    d[0] = rhs[0] / piv;
    for i in 1..n {
        piv = di[i] - lo[i] * c[i - 1];
        if piv.abs() < 1e-300 {
            return None;
        }
        c[i] = up[i] / piv;
        d[i] = (rhs[i] - lo[i] * d[i - 1]) / piv;
    }
    let mut x = d;
    for i in (0..n - 1).rev() {
        x[i] -= c[i] * x[i + 1];
    }
    Some(x)
}
