//! The force-based (CADD / QC-GFC-like, ghost-force free) plane-strain coupling and the fully
//! atomistic reference of the same block.
//!
//! * Atomistic region A: the sites with `|x| ≤ a_x p_x`, `|y| ≤ a_y p_y`. Its outermost sites on
//!   the grid are also mesh nodes (the interface); their in-plane displacement is the atom's.
//! * Continuum: linear triangles over the rest of the block, linear elastic with the stiffness of
//!   the same potential; the nodes in the outer boundary layer carry the applied displacement
//!   `u = H X`. For any interface displacement the continuum is solved exactly (sparse Cholesky,
//!   factored once).
//! * Pad: the sites outside A within `pad` Å of it (2 cutoffs: EAM densities) follow the
//!   finite-element field (linear interpolation, `u_z = 0`).
//! * Forces: atoms of A feel the potential with the pad; the pad's reactions are not fed back
//!   (force-based: no ghost forces). Statics: FIRE on the atoms of A, the continuum re-solved at
//!   every force evaluation.
//!
//! Under a uniform strain every atom of a Bravais lattice sits at a centre of inversion of its
//! (affine) neighbourhood, and linear elements reproduce a linear field exactly: all residuals
//! vanish to round-off (the patch test).

use super::atoms::Atoms;
use super::block::Block;
use super::cauchy_born::{CauchyBorn, Expansion};
use super::fem::{plane_strain_d, shape_gradients, Continuum};
use super::mesh::{grid_lines, TriMesh};
use super::relax::{fire, Fire};
use crate::error::{invalid, Result};
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;
use scalebridge_core::units::EV_PER_A3_IN_GPA;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The constitutive law of the continuum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContinuumLaw {
    /// Linear elastic with the 0 K stiffness of the potential (elastic protocol); the continuum is
    /// solved exactly for every interface displacement.
    Linear,
    /// Cauchy–Born: the potential's own crystal under each element's deformation, expanded to
    /// third order about the boundary's homogeneous gradient ([`super::cauchy_born`]); the
    /// nonlinear continuum is iterated (modified Newton with the tangent at that gradient) at
    /// every force evaluation and converged after each relaxation.
    CauchyBorn,
}

/// How the pad atoms follow the continuum field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PadInterpolation {
    /// Linear interpolation in the pad atom's triangle.
    Linear,
    /// Linear interpolation plus half the recovered-gradient correction
    /// `½ Σ_c w_c G_c·(X − X_c)`, with `G_c` the area-weighted mean of the element gradients
    /// around corner `c`: exact for quadratic fields where the recovered gradients are (1-D: the
    /// linear interpolant's error `x(h − x)u''/2` and the gradient blend's are equal and opposite).
    Recovered,
}

/// Options of the 2-D models (the one place their defaults live).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaneOptions {
    /// Half-size of the block in node pitches (the unit cell's in-plane edges).
    pub block: [i64; 2],
    /// Half-size of the atomistic region in node pitches.
    pub atomistic: [i64; 2],
    /// Thickness of the outer boundary layer that carries the applied displacement, Å
    /// (`None`: two cutoffs).
    pub boundary_layer: Option<f64>,
    /// Width of the pad around the atomistic region, Å (`None`: two cutoffs).
    pub pad: Option<f64>,
    /// Element growth factor away from the atomistic region.
    pub growth: f64,
    /// Largest element edge, node pitches.
    pub max_element: i64,
    /// Sites within this in-plane radius of the origin are left out (a hole; 0 = none), Å.
    pub hole_radius: f64,
    /// Force tolerance of the relaxations, eV/Å.
    pub fmax: f64,
    /// Iteration cap of the relaxations.
    pub max_iter: usize,
    /// Verlet skin, Å.
    pub skin: f64,
    /// Worker threads of the force evaluation (0 = all cores).
    pub threads: usize,
    /// Constitutive law of the continuum.
    pub continuum: ContinuumLaw,
    /// How the pad atoms follow the continuum.
    pub pad_interpolation: PadInterpolation,
}

impl Default for PlaneOptions {
    fn default() -> Self {
        PlaneOptions {
            block: [24, 24],
            atomistic: [6, 6],
            boundary_layer: None,
            pad: None,
            growth: 1.25,
            max_element: 6,
            hole_radius: 0.0,
            fmax: 1e-4,
            max_iter: 50_000,
            skin: 1.0,
            threads: 1,
            continuum: ContinuumLaw::Linear,
            pad_interpolation: PadInterpolation::Linear,
        }
    }
}

impl PlaneOptions {
    fn fire(&self) -> Result<Fire> {
        if !(self.fmax > 0.0 && self.fmax.is_finite()) {
            return Err(invalid("fmax", self.fmax, "the force tolerance must be positive"));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", 0, "need at least one iteration"));
        }
        Ok(Fire { fmax: self.fmax, max_iter: self.max_iter, dt: 0.002, dt_max: 0.01 })
    }

    /// The boundary-layer start in pitches per direction.
    fn layer_start(&self, block: &Block, cutoff: f64) -> Result<[i64; 2]> {
        let w = self.boundary_layer.unwrap_or(2.0 * cutoff);
        if !(w > 0.0 && w.is_finite()) {
            return Err(invalid("boundary_layer", w, "must be positive (Å)"));
        }
        let mut b = [0; 2];
        for d in 0..2 {
            b[d] = block.half[d] - (w / block.pitch[d]).ceil() as i64;
            if b[d] <= self.atomistic[d] {
                return Err(invalid("block", format!("{:?}", self.block), "the block is too small for the atomistic region plus the boundary layer"));
            }
        }
        Ok(b)
    }
}

/// Ghost-force (patch) test: the largest residuals under a uniform strain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PatchReport {
    /// Largest force component on an atom of the atomistic region, eV/Å.
    pub max_atom_force: f64,
    /// Largest force component on a free continuum node, eV/Å.
    pub max_node_force: f64,
    /// Force scale of the strain: the largest force on an atom when the pad is left undeformed.
    pub reference_force: f64,
}

/// The Cauchy–Born state of the continuum: the crystal's response and the expansion in use.
#[derive(Debug)]
struct CbState {
    cb: CauchyBorn,
    exp: Expansion,
}

/// Recovered-gradient pad placement: per node the triangles around it (nodes of pad triangles
/// only) and per pad atom its reference position.
#[derive(Debug)]
struct PadRecovery {
    node_tris: Vec<Vec<usize>>,
    xs: Vec<[f64; 2]>,
}

/// The force-based coupled model.
#[derive(Debug)]
pub struct ForceBased2d {
    pub block: Block,
    pub mesh: TriMesh,
    continuum: Continuum,
    /// `Some` for the Cauchy–Born continuum.
    cb: Option<CbState>,
    fixed: Vec<bool>,
    /// Nodal displacements after the last relaxation or `set_field` (the predictor's start).
    u_settled: Vec<f64>,
    /// `Some` for the recovered-gradient pad placement.
    recovery: Option<PadRecovery>,
    /// Per triangle its shape-function gradients and area (only where the Cauchy–Born continuum
    /// or the recovered pad needs them; empty otherwise).
    elements: Vec<([[f64; 2]; 3], f64)>,
    atoms: Atoms,
    /// Per pad atom (in order after the mobile atoms): its triangle and weights.
    pad: Vec<(usize, [f64; 3])>,
    /// (node, mobile atom) pairs of the interface.
    interface: Vec<(usize, usize)>,
    layer: Vec<bool>,
    /// Nodal displacements (x, y per node), Å.
    pub u: Vec<f64>,
    /// Displacements of the atoms of A (3 per atom), Å.
    pub x: Vec<f64>,
    opts: PlaneOptions,
}

impl ForceBased2d {
    /// Build the model of `unit` replicated into the block, with `potential` and the Voigt
    /// stiffness `c_gpa` (GPa) of the same potential in the block's axes.
    pub fn new(unit: &Structure, potential: Arc<dyn Potential>, c_gpa: &[[f64; 6]; 6], opts: &PlaneOptions) -> Result<ForceBased2d> {
        opts.fire()?;
        if c_gpa.iter().flatten().any(|v| !v.is_finite()) {
            return Err(invalid("stiffness", "non-finite", "every C_ij must be finite"));
        }
        let block = Block::new(unit, opts.block, opts.hole_radius)?;
        let cutoff = potential.needs().cutoff;
        let b = opts.layer_start(&block, cutoff)?;
        let a = opts.atomistic;
        let gx = grid_lines(a[0], b[0], block.half[0], opts.growth, opts.max_element)?;
        let gy = grid_lines(a[1], b[1], block.half[1], opts.growth, opts.max_element)?;
        let mesh = TriMesh::new(gx, gy, block.pitch, a)?;
        let pad_w = opts.pad.unwrap_or(2.0 * cutoff);
        if !(pad_w > 0.0 && pad_w.is_finite()) {
            return Err(invalid("pad", pad_w, "must be positive (Å)"));
        }
        let mobile: Vec<usize> = (0..block.sites.len()).filter(|&s| block.in_rect(s, a)).collect();
        let driven: Vec<usize> = (0..block.sites.len()).filter(|&s| !block.in_rect(s, a) && block.dist_to_rect(s, a) <= pad_w).collect();
        let mut pad = Vec::with_capacity(driven.len());
        for &s in &driven {
            let r = block.sites[s];
            let loc = mesh.locate([r[0], r[1]]).ok_or_else(|| invalid("pad", pad_w, "a pad atom lies outside the mesh (make the block larger)"))?;
            pad.push(loc);
        }
        let mut mobile_of = std::collections::HashMap::new();
        for (k, &s) in mobile.iter().enumerate() {
            mobile_of.insert(s, k);
        }
        let mut interface = Vec::new();
        let mut layer = vec![false; mesh.nodes.len()];
        let mut fixed = vec![false; mesh.nodes.len()];
        for (n, ij) in mesh.node_ij.iter().enumerate() {
            if ij[0].abs() >= b[0] || ij[1].abs() >= b[1] {
                layer[n] = true;
                fixed[n] = true;
            } else if ij[0].abs() <= a[0] && ij[1].abs() <= a[1] {
                let site = block.grid_site.get(&(ij[0], ij[1])).copied();
                let k = site.and_then(|s| mobile_of.get(&s).copied()).ok_or_else(|| invalid("interface", format!("node {ij:?}"), "an interface node has no atom (is the hole too close to the interface?)"))?;
                interface.push((n, k));
                fixed[n] = true;
            }
        }
        let c_ev: Vec<[f64; 6]> = c_gpa.iter().map(|r| r.map(|v| v / EV_PER_A3_IN_GPA)).collect();
        let c_ev: [[f64; 6]; 6] = [c_ev[0], c_ev[1], c_ev[2], c_ev[3], c_ev[4], c_ev[5]];
        let (continuum, cb) = match opts.continuum {
            ContinuumLaw::Linear => (Continuum::new(&mesh, &plane_strain_d(&c_ev), block.thickness, &fixed)?, None),
            ContinuumLaw::CauchyBorn => {
                let mut cb = CauchyBorn::new(unit, potential.clone())?;
                let exp = cb.expansion(&[[0.0; 2]; 2])?;
                (Continuum::with_tangent(&mesh, exp.tangent(), block.thickness, &fixed)?, Some(CbState { cb, exp }))
            }
        };
        let atoms = Atoms::new(&block, &mobile, &driven, potential, opts.skin, opts.threads)?;
        let u = vec![0.0; 2 * mesh.nodes.len()];
        let x = vec![0.0; 3 * mobile.len()];
        let u_settled = u.clone();
        let recovery = match opts.pad_interpolation {
            PadInterpolation::Linear => None,
            PadInterpolation::Recovered => {
                let mut wanted = vec![false; mesh.nodes.len()];
                for (t, _) in &pad {
                    for &n in &mesh.tris[*t] {
                        wanted[n] = true;
                    }
                }
                let mut node_tris = vec![Vec::new(); mesh.nodes.len()];
                for (t, tri) in mesh.tris.iter().enumerate() {
                    for &n in tri {
                        if wanted[n] {
                            node_tris[n].push(t);
                        }
                    }
                }
                let xs = driven.iter().map(|&s| [block.sites[s][0], block.sites[s][1]]).collect();
                Some(PadRecovery { node_tris, xs })
            }
        };
        let elements = if cb.is_some() || recovery.is_some() { (0..mesh.tris.len()).map(|t| shape_gradients(&mesh, t)).collect() } else { Vec::new() };
        Ok(ForceBased2d { block, mesh, continuum, cb, fixed, u_settled, recovery, elements, atoms, pad, interface, layer, u, x, opts: opts.clone() })
    }

    /// Per element of the Cauchy–Born continuum: its displacement gradient minus the expansion
    /// point, `[xx, xy, yx, yy]`.
    fn element_deviation(&self, cb: &CbState, t: usize) -> [f64; 4] {
        let tri = self.mesh.tris[t];
        let (g, _) = &self.elements[t];
        let mut d = [-cb.exp.h[0], -cb.exp.h[1], -cb.exp.h[2], -cb.exp.h[3]];
        for (a, &n) in tri.iter().enumerate() {
            for i in 0..2 {
                for j in 0..2 {
                    d[2 * i + j] += self.u[2 * n + i] * g[a][j];
                }
            }
        }
        d
    }

    /// Internal nodal forces `∫ Bᵀ P` of the Cauchy–Born continuum (2 per node, eV/Å).
    fn cb_residual(&self, cb: &CbState) -> Vec<f64> {
        let mut r = vec![0.0; self.u.len()];
        for (t, tri) in self.mesh.tris.iter().enumerate() {
            let p = cb.exp.stress(self.element_deviation(cb, t));
            let (g, area) = &self.elements[t];
            let vol = area * self.block.thickness;
            for (a, &n) in tri.iter().enumerate() {
                for i in 0..2 {
                    r[2 * n + i] += vol * (p[2 * i] * g[a][0] + p[2 * i + 1] * g[a][1]);
                }
            }
        }
        r
    }

    /// The continuum in equilibrium for the current fixed dofs: one exact solve (linear), or one
    /// modified-Newton step (Cauchy–Born); the largest change of a free dof, Å.
    fn continuum_step(&mut self) -> f64 {
        match &self.cb {
            None => {
                self.continuum.solve(&mut self.u);
                0.0
            }
            Some(cb) => {
                let r = self.cb_residual(cb);
                self.continuum.newton_step(&mut self.u, &r)
            }
        }
    }

    /// Cauchy–Born: expand about the homogeneous part of the boundary layer's displacement (its
    /// least-squares linear fit `u ≈ c + H X`) and refactor the tangent when H changed.
    ///
    /// Then the predictor: the free nodes take the linear (tangent) response to the change of the
    /// boundary layer since the last relaxation, the interface held, so that the elements next to
    /// the moved layer do not leave the expansion's fitted range before the Newton steps.
    fn refresh_expansion(&mut self) -> Result<()> {
        if self.cb.is_none() {
            return Ok(());
        }
        self.refit_expansion()?;
        let mut du = vec![0.0; self.u.len()];
        for (n, &l) in self.layer.iter().enumerate() {
            if l {
                for c in 0..2 {
                    du[2 * n + c] = self.u[2 * n + c] - self.u_settled[2 * n + c];
                }
            }
        }
        if du.iter().any(|v| *v != 0.0) {
            self.continuum.solve(&mut du);
            for &d in &self.continuum.free {
                self.u[d] += du[d];
            }
        }
        Ok(())
    }

    /// Refit the expansion when the boundary layer's homogeneous gradient changed.
    fn refit_expansion(&mut self) -> Result<()> {
        let Some(cb) = &mut self.cb else { return Ok(()) };
        // least squares (faer QR) over the layer nodes: u_c ≈ c_c + H_c · X
        let layer: Vec<usize> = (0..self.mesh.nodes.len()).filter(|&n| self.layer[n]).collect();
        let nodes = &self.mesh.nodes;
        let a = Mat::<f64>::from_fn(layer.len(), 3, |r, k| if k == 0 { 1.0 } else { nodes[layer[r]][k - 1] });
        let b = Mat::<f64>::from_fn(layer.len(), 2, |r, c| self.u[2 * layer[r] + c]);
        let sol = a.qr().solve_lstsq(&b);
        let h = [[sol[(1, 0)], sol[(2, 0)]], [sol[(1, 1)], sol[(2, 1)]]];
        if !h.iter().flatten().all(|v| v.is_finite()) {
            return Err(invalid("boundary layer", format!("{h:?}"), "cannot fit a linear field to it"));
        }
        let h4 = [h[0][0], h[0][1], h[1][0], h[1][1]];
        if h4.iter().zip(&cb.exp.h).all(|(a, b)| (a - b).abs() <= 1e-14) {
            return Ok(());
        }
        cb.exp = cb.cb.expansion(&h)?;
        self.continuum = Continuum::with_tangent(&self.mesh, cb.exp.tangent(), self.block.thickness, &self.fixed)?;
        Ok(())
    }

    /// Cauchy–Born: against the exact Cauchy–Born stress, the largest relative error of the
    /// expansion's stress over the `n` elements deformed furthest from the expansion point, and
    /// that largest deviation |D|. `None` for the linear continuum.
    pub fn cauchy_born_check(&mut self, n: usize) -> Result<Option<(f64, f64)>> {
        let Some(cb) = &self.cb else { return Ok(None) };
        let mut devs: Vec<([f64; 4], f64)> = (0..self.mesh.tris.len())
            .map(|t| {
                let d = self.element_deviation(cb, t);
                (d, d.iter().fold(0.0f64, |m, v| m.max(v.abs())))
            })
            .collect();
        devs.sort_by(|a, b| b.1.total_cmp(&a.1));
        let h = cb.exp.h;
        let gs: Vec<[f64; 4]> = devs.iter().take(n.max(1)).map(|(d, _)| [h[0] + d[0], h[1] + d[1], h[2] + d[2], h[3] + d[3]]).collect();
        let largest = devs.first().map(|x| x.1).unwrap_or(0.0);
        let CbState { cb, exp } = self.cb.as_mut().expect("checked above");
        let (rel, _) = cb.check(exp, &gs)?;
        Ok(Some((rel, largest)))
    }

    /// Atoms in the atomistic region, pad atoms, mesh nodes.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.atoms.n_mobile, self.pad.len(), self.mesh.nodes.len())
    }

    /// Block sites of the atoms of the atomistic region (in the order of `x`).
    pub fn atom_sites(&self) -> &[usize] {
        &self.atoms.sites[..self.atoms.n_mobile]
    }

    /// Put every atom and node on the affine field `u = H X`.
    pub fn set_affine(&mut self, h: &[[f64; 2]; 2]) {
        let h = *h;
        self.set_field(&move |p| Block::affine(&h, p));
    }

    /// Put every atom and node on the in-plane field `u(X)` (`u_z = 0`).
    pub fn set_field(&mut self, f: &dyn Fn([f64; 2]) -> [f64; 2]) {
        for (n, p) in self.mesh.nodes.iter().enumerate() {
            let v = f(*p);
            self.u[2 * n] = v[0];
            self.u[2 * n + 1] = v[1];
        }
        for k in 0..self.atoms.n_mobile {
            let r = self.block.sites[self.atoms.sites[k]];
            let v = f([r[0], r[1]]);
            self.x[3 * k] = v[0];
            self.x[3 * k + 1] = v[1];
            self.x[3 * k + 2] = 0.0;
        }
        self.u_settled = self.u.clone();
    }

    /// Set the applied displacement `u = H X` on the boundary layer only.
    pub fn set_boundary(&mut self, h: &[[f64; 2]; 2]) {
        let h = *h;
        self.set_boundary_field(&move |p| Block::affine(&h, p));
    }

    /// Set the applied displacement `u(X)` on the boundary layer only.
    pub fn set_boundary_field(&mut self, f: &dyn Fn([f64; 2]) -> [f64; 2]) {
        for (n, p) in self.mesh.nodes.iter().enumerate() {
            if self.layer[n] {
                let v = f(*p);
                self.u[2 * n] = v[0];
                self.u[2 * n + 1] = v[1];
            }
        }
    }

    fn place_pad(&mut self) {
        // recovered nodal gradients (area-weighted means of the element gradients around a node)
        let node_grad = |n: usize| -> [[f64; 2]; 2] {
            let Some(rec) = &self.recovery else { return [[0.0; 2]; 2] };
            let (mut g, mut area) = ([[0.0; 2]; 2], 0.0);
            for &t in &rec.node_tris[n] {
                let (sg, a) = &self.elements[t];
                for (k, &m) in self.mesh.tris[t].iter().enumerate() {
                    for i in 0..2 {
                        for jj in 0..2 {
                            g[i][jj] += a * self.u[2 * m + i] * sg[k][jj];
                        }
                    }
                }
                area += a;
            }
            g.map(|r| r.map(|v| v / area))
        };
        for (j, (t, w)) in self.pad.iter().enumerate() {
            let tri = self.mesh.tris[*t];
            let mut v = [0.0; 3];
            for c in 0..3 {
                v[0] += w[c] * self.u[2 * tri[c]];
                v[1] += w[c] * self.u[2 * tri[c] + 1];
            }
            if let Some(PadRecovery { xs, .. }) = &self.recovery {
                for c in 0..3 {
                    let g = node_grad(tri[c]);
                    let p = self.mesh.nodes[tri[c]];
                    let d = [xs[j][0] - p[0], xs[j][1] - p[1]];
                    for i in 0..2 {
                        v[i] += 0.5 * w[c] * (g[i][0] * d[0] + g[i][1] * d[1]);
                    }
                }
            }
            self.atoms.displace(self.atoms.n_mobile + j, v);
        }
    }

    /// Forces on the atoms of A for the atom displacements `x`: interface nodes follow the atoms,
    /// the continuum is solved, the pad follows the continuum.
    fn forces_at(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        self.set_interface(x);
        self.continuum_step();
        self.atom_forces(x)
    }

    /// The interface nodes follow the atoms at `x`.
    fn set_interface(&mut self, x: &[f64]) {
        for &(n, k) in &self.interface {
            self.u[2 * n] = x[3 * k];
            self.u[2 * n + 1] = x[3 * k + 1];
        }
    }

    /// The pad on the continuum as it is, the atoms of A at `x`: their forces.
    fn atom_forces(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        self.place_pad();
        self.atoms.set_mobile(x);
        self.atoms.mobile_forces()
    }

    /// Relax the atoms (the continuum in equilibrium at every step) under the current boundary
    /// displacement; returns FIRE's (iterations, final largest force component).
    ///
    /// With the Cauchy–Born continuum the continuum takes one Newton step per force evaluation;
    /// after FIRE converges, the continuum is converged for the final interface (changes below
    /// 1e-10 Å) and FIRE runs again if the atoms' forces then exceed the tolerance (iterations
    /// summed over the rounds).
    pub fn relax(&mut self) -> Result<(usize, f64)> {
        let f = self.opts.fire()?;
        self.refresh_expansion()?;
        let masses = self.atoms.mobile_masses();
        let mut x = self.x.clone();
        let mut iters = 0;
        for _round in 0..20 {
            let (it, _) = fire(&mut x, &masses, &f, |x| self.forces_at(x))?;
            iters += it;
            let forces = if self.cb.is_some() {
                self.set_interface(&x);
                self.settle_continuum()?;
                self.atom_forces(&x)?
            } else {
                self.forces_at(&x)?
            };
            let fmax = forces.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if fmax < f.fmax {
                self.x = x;
                self.u_settled = self.u.clone();
                return Ok((iters, fmax));
            }
        }
        Err(crate::error::CouplingError::NotConverged { solver: "coupled relaxation (FIRE rounds with the Cauchy-Born continuum)".into(), iters, residual: f64::NAN, tol: f.fmax })
    }

    /// Converge the continuum for the current interface (Cauchy–Born: Newton steps until the
    /// largest change is below 1e-10 Å).
    fn settle_continuum(&mut self) -> Result<()> {
        let mut last = f64::INFINITY;
        for _ in 0..200 {
            last = self.continuum_step();
            if last < 1e-10 {
                return Ok(());
            }
        }
        Err(crate::error::CouplingError::NotConverged { solver: "Cauchy-Born continuum (modified Newton)".into(), iters: 200, residual: last, tol: 1e-10 })
    }

    /// Energy of the atoms of the atomistic region at the last evaluation, eV.
    pub fn atomistic_energy(&self) -> f64 {
        self.atoms.mobile_energy()
    }

    /// Per-atom energies of the atoms of the atomistic region at the last evaluation (order of
    /// [`Self::atom_sites`]), eV.
    pub fn atom_energies(&self) -> &[f64] {
        &self.atoms.eval.output.per_atom_energy[..self.atoms.n_mobile]
    }

    /// A diagnosis of the pad: move every pad atom to `disp(site, current displacement, on a grid
    /// node)` (e.g. the fully atomistic run's displacement of that site), relax the atoms of the
    /// atomistic region with the pad held there (no continuum), and return their energy (eV).
    /// The model's own state (`x`, the continuum) is left as it was; the pad keeps the new places
    /// until the next force evaluation. `examples/lomer_pad.rs` uses it.
    pub fn relax_region_with_pad(&mut self, disp: &dyn Fn(usize, [f64; 3], bool) -> Option<[f64; 3]>) -> Result<f64> {
        let n = self.atoms.n_mobile;
        let sites: Vec<usize> = self.atoms.sites[n..].to_vec();
        let grid: std::collections::HashSet<usize> = self.block.grid_site.values().copied().collect();
        for (j, s) in sites.iter().enumerate() {
            let cur = self.atoms.current_of(n + j);
            let rf = self.atoms.reference_of(n + j);
            let model = [cur[0] - rf[0], cur[1] - rf[1], cur[2] - rf[2]];
            let v = disp(*s, model, grid.contains(s)).ok_or_else(|| invalid("pad site", s, "no displacement given for this pad site"))?;
            self.atoms.displace(n + j, v);
        }
        let f = self.opts.fire()?;
        let mut x = self.x.clone();
        self.atoms.relax_mobile(&mut x, &f)?;
        Ok(self.atoms.mobile_energy())
    }

    /// Strain energy of the continuum, eV.
    pub fn continuum_energy(&self) -> f64 {
        match &self.cb {
            None => self.continuum.energy(&self.u),
            Some(cb) => (0..self.mesh.tris.len()).map(|t| self.elements[t].1 * self.block.thickness * cb.exp.energy(self.element_deviation(cb, t))).sum(),
        }
    }

    /// The patch test: everything on `u = H X`, no relaxation; the residual forces on atoms and
    /// free nodes.
    pub fn patch_test(&mut self, h: &[[f64; 2]; 2]) -> Result<PatchReport> {
        // force scale: the strained atoms against an undeformed pad
        self.set_affine(&[[0.0; 2]; 2]);
        self.place_pad();
        self.set_affine(h);
        let x = self.x.clone();
        self.atoms.set_mobile(&x);
        let reference_force = self.atoms.mobile_forces()?.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        self.place_pad();
        let fa = self.atoms.mobile_forces()?;
        self.refresh_expansion()?;
        let fnod = match &self.cb {
            None => self.continuum.forces(&self.u),
            Some(cb) => self.cb_residual(cb).iter().map(|r| -r).collect(),
        };
        let max_node_force = self.continuum.free.iter().map(|&d| fnod[d].abs()).fold(0.0, f64::max);
        Ok(PatchReport { max_atom_force: fa.iter().fold(0.0f64, |m, v| m.max(v.abs())), max_node_force, reference_force })
    }
}

/// The fully atomistic reference: every site of the same block, the boundary layer on `u = H X`.
#[derive(Debug)]
pub struct FullAtomistic2d {
    pub block: Block,
    atoms: Atoms,
    /// Displacements of the mobile atoms (3 per atom), Å.
    pub x: Vec<f64>,
    opts: PlaneOptions,
}

impl FullAtomistic2d {
    pub fn new(unit: &Structure, potential: Arc<dyn Potential>, opts: &PlaneOptions) -> Result<FullAtomistic2d> {
        opts.fire()?;
        let block = Block::new(unit, opts.block, opts.hole_radius)?;
        let b = opts.layer_start(&block, potential.needs().cutoff)?;
        let inner = |s: usize| {
            let r = block.sites[s];
            r[0].abs() < b[0] as f64 * block.pitch[0] - 1e-6 && r[1].abs() < b[1] as f64 * block.pitch[1] - 1e-6
        };
        let mobile: Vec<usize> = (0..block.sites.len()).filter(|&s| inner(s)).collect();
        let driven: Vec<usize> = (0..block.sites.len()).filter(|&s| !inner(s)).collect();
        let atoms = Atoms::new(&block, &mobile, &driven, potential, opts.skin, opts.threads)?;
        let x = vec![0.0; 3 * mobile.len()];
        Ok(FullAtomistic2d { block, atoms, x, opts: opts.clone() })
    }

    /// Number of atoms (all, mobile).
    pub fn sizes(&self) -> (usize, usize) {
        (self.atoms.sites.len(), self.atoms.n_mobile)
    }

    /// Block sites of the mobile atoms (in the order of `x`).
    pub fn mobile_sites(&self) -> &[usize] {
        &self.atoms.sites[..self.atoms.n_mobile]
    }

    /// Boundary layer on `u = H X`; with `affine_start`, the mobile atoms too.
    pub fn set_load(&mut self, h: &[[f64; 2]; 2], affine_start: bool) {
        let h = *h;
        self.set_field(&move |p| Block::affine(&h, p), affine_start);
    }

    /// Boundary layer on the in-plane field `u(X)` (`u_z = 0`); with `mobile_too`, the mobile atoms too.
    pub fn set_field(&mut self, f: &dyn Fn([f64; 2]) -> [f64; 2], mobile_too: bool) {
        for k in 0..self.atoms.sites.len() {
            let r = self.block.sites[self.atoms.sites[k]];
            let v = f([r[0], r[1]]);
            if k >= self.atoms.n_mobile {
                self.atoms.displace(k, [v[0], v[1], 0.0]);
            } else if mobile_too {
                self.x[3 * k] = v[0];
                self.x[3 * k + 1] = v[1];
                self.x[3 * k + 2] = 0.0;
            }
        }
    }

    /// Relax the mobile atoms; FIRE's (iterations, final largest force component).
    pub fn relax(&mut self) -> Result<(usize, f64)> {
        let f = self.opts.fire()?;
        let mut x = self.x.clone();
        let r = self.atoms.relax_mobile(&mut x, &f)?;
        self.x = x;
        Ok(r)
    }

    /// Put the mobile atoms at `x` and evaluate (per-atom energies for [`Self::energy_of`]).
    pub fn set_mobile_and_evaluate(&mut self) -> Result<()> {
        let x = self.x.clone();
        self.atoms.set_mobile(&x);
        self.atoms.mobile_forces()?;
        Ok(())
    }

    /// Sum of the per-atom energies of the given block sites (mobile atoms only), eV.
    pub fn energy_of(&self, sites: &[usize]) -> f64 {
        let want: std::collections::HashSet<usize> = sites.iter().copied().collect();
        (0..self.atoms.n_mobile).filter(|&k| want.contains(&self.atoms.sites[k])).map(|k| self.atoms.eval.output.per_atom_energy[k]).sum()
    }

    /// Displacement (3) of block site `s` if it is mobile.
    pub fn displacement_of(&self, s: usize) -> Option<[f64; 3]> {
        self.atoms.sites[..self.atoms.n_mobile].iter().position(|&t| t == s).map(|k| [self.x[3 * k], self.x[3 * k + 1], self.x[3 * k + 2]])
    }
}

/// Displacement error of the coupled model's atoms against the full atomistic solution.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// Atoms compared (those of the atomistic region).
    pub n_atoms: usize,
    /// Miller–Tadmor e = ‖u − u_exact‖₂ / N_A, Å.
    pub e_angstrom: f64,
    /// Largest and root-mean-square |u − u_exact| over the atoms, Å.
    pub max_deviation: f64,
    pub rms_deviation: f64,
    /// Largest |u_exact − H X| over the same atoms (the size of the non-affine field), Å.
    pub max_nonaffine: f64,
    /// Energies of the atoms of the atomistic region, eV.
    pub energy_model: f64,
    pub energy_exact: f64,
}

/// Compare the coupled model with the full atomistic reference (both relaxed under `h`).
pub fn compare(model: &ForceBased2d, exact: &FullAtomistic2d, h: &[[f64; 2]; 2]) -> Result<Comparison> {
    let mut exact_k = std::collections::HashMap::new();
    for (k, &s) in exact.mobile_sites().iter().enumerate() {
        exact_k.insert(s, k);
    }
    let (mut sum2, mut maxd, mut maxna) = (0.0f64, 0.0f64, 0.0f64);
    for (k, &s) in model.atom_sites().iter().enumerate() {
        let j = *exact_k.get(&s).ok_or_else(|| invalid("comparison", s, "an atom of the model is not mobile in the reference"))?;
        let r = model.block.sites[s];
        let aff = Block::affine(h, [r[0], r[1]]);
        let mut d2 = 0.0;
        let mut n2 = 0.0;
        for c in 0..3 {
            let d = model.x[3 * k + c] - exact.x[3 * j + c];
            d2 += d * d;
            let na = exact.x[3 * j + c] - if c < 2 { aff[c] } else { 0.0 };
            n2 += na * na;
        }
        sum2 += d2;
        maxd = maxd.max(d2.sqrt());
        maxna = maxna.max(n2.sqrt());
    }
    let n = model.atom_sites().len();
    Ok(Comparison {
        n_atoms: n,
        e_angstrom: sum2.sqrt() / n as f64,
        max_deviation: maxd,
        rms_deviation: (sum2 / n as f64).sqrt(),
        max_nonaffine: maxna,
        energy_model: model.atomistic_energy(),
        energy_exact: exact.energy_of(model.atom_sites()),
    })
}
