//! Energy minimisation: FIRE ([`fire`]) and Polak–Ribière conjugate gradients ([`cg`]), with
//! optional relaxation of the cell to a target pressure tensor.
//!
//! Generalised coordinates (as ASE's `UnitCellFilter`): the cell is `H = H₀·F` (rows are lattice
//! vectors) and atoms sit at `r_i = u_i·F`. The minimised function is the enthalpy-like
//! `G(u, F) = E + P_h·V(F) + V₀ (P_t − P_h I) : (F − I)` with `P_h = tr(P_t)/3`, which is the
//! enthalpy `E + PV` for a hydrostatic target and its small-strain generalisation otherwise.
//! Its gradient uses the virial: `∂E/∂F = −F⁻ᵀ W` (W = Σ r⊗f, LAMMPS sign). Cell degrees of
//! freedom are `iso` (F = λI), `aniso` (diagonal) or `tri` (lower triangular: the six
//! components that keep a LAMMPS-style cell, no rotations), scaled by `cell_factor` (default N).
//!
//! Convergence: the largest atomic force `max_i |f_i|` below `fmax` (eV/Å) and, with cell
//! relaxation, every relaxed component of the static pressure tensor `W/V` within `stress_tol`
//! (eV/Å³) of the target. Otherwise [`Error::NotConverged`] reports the iterations and the
//! residual. Units: eV, Å; the target pressure tensor is in eV/Å³ (compression positive, Voigt
//! xx yy zz yz xz xy).

pub mod cg;
pub mod fire;

use crate::cell::{Cell, Mat3};
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::potentials::Request;
use crate::structure::Structure;
use serde::{Deserialize, Serialize};

/// Which cell components relax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellDof {
    /// Uniform scaling (hydrostatic; uses the mean of the target's diagonal).
    Iso,
    /// The three lengths independently (orthogonal cells stay orthogonal).
    Aniso,
    /// All six strain components of a lower-triangular cell.
    Tri,
}

impl std::str::FromStr for CellDof {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "iso" => Ok(CellDof::Iso),
            "aniso" => Ok(CellDof::Aniso),
            "tri" | "full" => Ok(CellDof::Tri),
            other => Err(Error::invalid("cell relaxation", other, "expected iso, aniso or tri")),
        }
    }
}

/// Cell relaxation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRelax {
    pub dof: CellDof,
    /// Target pressure tensor, eV/Å³, compression positive, Voigt order.
    pub target: [f64; 6],
    /// Scale of the cell coordinates (default: number of atoms).
    pub cell_factor: Option<f64>,
}

/// Minimiser options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinimizeOptions {
    /// Force tolerance, eV/Å.
    pub fmax: f64,
    /// Pressure tensor tolerance, eV/Å³ (cell relaxation only).
    pub stress_tol: f64,
    /// Maximum number of iterations (force evaluations for FIRE).
    pub max_iter: usize,
    /// Largest displacement of any coordinate per step, Å.
    pub max_step: f64,
    pub cell: Option<CellRelax>,
}

impl Default for MinimizeOptions {
    fn default() -> Self {
        MinimizeOptions { fmax: 1e-4, stress_tol: 1e-7, max_iter: 5000, max_step: 0.2, cell: None }
    }
}

/// Outcome of a converged minimisation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MinimizeReport {
    pub algorithm: String,
    pub iterations: usize,
    pub evaluations: usize,
    /// Potential energy, eV.
    pub energy: f64,
    /// Largest atomic force, eV/Å.
    pub fmax: f64,
    /// Largest deviation of a relaxed pressure component from its target, eV/Å³ (0 without cell).
    pub stress_residual: f64,
    /// Static pressure tensor W/V, eV/Å³, Voigt.
    pub pressure: [f64; 6],
    pub volume: f64,
    pub version: String,
}

const VOIGT: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)];

fn inv3(m: &Mat3) -> Mat3 {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let mut r = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let (a, b) = ((j + 1) % 3, (j + 2) % 3);
            let (c, d) = ((i + 1) % 3, (i + 2) % 3);
            r[i][j] = (m[a][c] * m[b][d] - m[a][d] * m[b][c]) / det;
        }
    }
    r
}

fn mat_vec_row(r: &[f64; 3], m: &Mat3) -> [f64; 3] {
    [
        r[0] * m[0][0] + r[1] * m[1][0] + r[2] * m[2][0],
        r[0] * m[0][1] + r[1] * m[1][1] + r[2] * m[2][1],
        r[0] * m[0][2] + r[1] * m[1][2] + r[2] * m[2][2],
    ]
}

impl MinimizeReport {
    /// Combined residual: the largest force, or with cell relaxation the larger of it and the
    /// stress residual scaled by `fmax / stress_tol` (below `fmax` when converged).
    pub fn residual(&self, opts: &MinimizeOptions) -> f64 {
        if opts.cell.is_some() {
            self.fmax.max(self.stress_residual * opts.fmax / opts.stress_tol)
        } else {
            self.fmax
        }
    }
}

/// The minimisation problem in generalised coordinates `x = [u (3N), cell dofs]`.
pub(crate) struct Problem<'a> {
    pub eval: &'a mut Evaluator,
    pub s: Structure,
    h0: Mat3,
    v0: f64,
    cell: Option<CellRelax>,
    factor: f64,
    pub evaluations: usize,
    /// Last evaluation: energy, forces, virial.
    pub energy: f64,
    pub forces: Vec<[f64; 3]>,
    pub virial: [f64; 6],
    /// The evaluator's own potential while a pinned copy is bound (cell relaxation), restored
    /// on drop.
    unpinned: Option<std::sync::Arc<dyn crate::potentials::Potential>>,
}

impl Drop for Problem<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.unpinned.take() {
            // same needs by construction (the pinned copy of this potential)
            let _ = self.eval.replace_potential(p);
        }
    }
}

impl<'a> Problem<'a> {
    pub fn new(eval: &'a mut Evaluator, s: &Structure, opts: &MinimizeOptions) -> Result<Self> {
        s.validate()?;
        eval.potential().check_species(&s.species)?;
        for (name, v) in [("fmax", opts.fmax), ("max_step", opts.max_step)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, v, "must be positive"));
            }
        }
        if let Some(c) = &opts.cell {
            if !c.target.iter().all(|x| x.is_finite()) {
                return Err(Error::invalid("target pressure", format!("{:?}", c.target), "must be finite"));
            }
            if !(opts.stress_tol.is_finite() && opts.stress_tol > 0.0) {
                return Err(Error::invalid("stress_tol", opts.stress_tol, "must be positive (eV/Å³)"));
            }
        }
        let factor = opts.cell.as_ref().and_then(|c| c.cell_factor).unwrap_or(s.len().max(1) as f64);
        // With a relaxing cell, keep coul/long's g, mesh and k-vector limits at their values for
        // the starting cell (LAMMPS chooses them once per `minimize`): re-chosen for every trial
        // cell, the energy surface changes under the minimiser, the virial (at fixed g) is not the
        // strain derivative of the energy it sees, and the stress converges only to the noise of
        // those changes (Pedone corundum stalled at 4e-7 eV/Å³ or converged, by rounding).
        let unpinned = if opts.cell.is_some() { eval.pin_for(s)? } else { None };
        Ok(Problem {
            h0: *s.cell.matrix(),
            v0: s.cell.volume(),
            s: s.clone(),
            eval,
            cell: opts.cell.clone(),
            factor,
            evaluations: 0,
            energy: 0.0,
            forces: Vec::new(),
            virial: [0.0; 6],
            unpinned,
        })
    }

    fn ncell(&self) -> usize {
        match self.cell.as_ref().map(|c| c.dof) {
            None => 0,
            Some(CellDof::Iso) => 1,
            Some(CellDof::Aniso) => 3,
            Some(CellDof::Tri) => 6,
        }
    }

    pub fn dim(&self) -> usize {
        3 * self.s.len() + self.ncell()
    }

    fn cell_slots(&self) -> &'static [(usize, usize)] {
        match self.cell.as_ref().map(|c| c.dof) {
            None => &[],
            Some(CellDof::Iso) => &[(0, 0)],
            Some(CellDof::Aniso) => &[(0, 0), (1, 1), (2, 2)],
            Some(CellDof::Tri) => &[(0, 0), (1, 1), (2, 2), (1, 0), (2, 0), (2, 1)],
        }
    }

    /// Deformation gradient of the current cell relative to the initial one.
    fn deformation(&self) -> Mat3 {
        crate::cell::matmul(&inv3(&self.h0), self.s.cell.matrix())
    }

    /// Current generalised coordinates.
    pub fn x(&self) -> Vec<f64> {
        let f = self.deformation();
        let finv = inv3(&f);
        let mut x = Vec::with_capacity(self.dim());
        for r in &self.s.positions {
            x.extend_from_slice(&mat_vec_row(r, &finv));
        }
        let iso = matches!(self.cell.as_ref().map(|c| c.dof), Some(CellDof::Iso));
        for &(a, b) in self.cell_slots() {
            let v = if iso { (f[0][0] + f[1][1] + f[2][2]) / 3.0 } else { f[a][b] };
            x.push(self.factor * v);
        }
        x
    }

    /// Set the structure from generalised coordinates.
    pub fn set_x(&mut self, x: &[f64]) -> Result<()> {
        let n = self.s.len();
        let mut f = self.deformation();
        if self.cell.is_some() {
            let iso = matches!(self.cell.as_ref().map(|c| c.dof), Some(CellDof::Iso));
            let slots = self.cell_slots();
            if iso {
                let l = x[3 * n] / self.factor;
                f = [[l, 0.0, 0.0], [0.0, l, 0.0], [0.0, 0.0, l]];
            } else {
                for (k, &(a, b)) in slots.iter().enumerate() {
                    f[a][b] = x[3 * n + k] / self.factor;
                }
            }
            self.s.cell = Cell::new(crate::cell::matmul(&self.h0, &f))?;
        }
        for i in 0..n {
            let u = [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
            self.s.positions[i] = mat_vec_row(&u, &f);
        }
        Ok(())
    }

    /// Evaluate at the current structure: returns the objective and its gradient.
    pub fn evaluate(&mut self) -> Result<(f64, Vec<f64>)> {
        self.eval.request = Request::global();
        if self.cell.is_some() {
            // line searches move the cell in large trial steps: rebuild at every evaluation
            // (as before the list learned to survive the small cell changes of NPT), so the
            // objective is summed the same way along a search
            self.eval.invalidate();
        }
        let out = self.eval.compute(&self.s)?;
        self.evaluations += 1;
        self.energy = out.energy;
        self.forces.clear();
        self.forces.extend_from_slice(&out.forces);
        self.virial = out.virial;
        if !self.energy.is_finite() {
            return Err(Error::NonFinite { what: "energy during minimisation".into(), index: self.evaluations });
        }
        let f = self.deformation();
        let n = self.s.len();
        let mut g = Vec::with_capacity(self.dim());
        // dG/du_i = -f_i F^T
        for fi in &self.forces {
            for a in 0..3 {
                g.push(-(fi[0] * f[a][0] + fi[1] * f[a][1] + fi[2] * f[a][2]));
            }
        }
        let mut obj = self.energy;
        if let Some(c) = &self.cell {
            let v = self.s.cell.volume();
            let ph = (c.target[0] + c.target[1] + c.target[2]) / 3.0;
            let mut w = [[0.0; 3]; 3];
            let mut pt = [[0.0; 3]; 3];
            for (q, &(a, b)) in VOIGT.iter().enumerate() {
                w[a][b] = self.virial[q];
                w[b][a] = self.virial[q];
                pt[a][b] = c.target[q];
                pt[b][a] = c.target[q];
            }
            let finv_t = {
                let fi = inv3(&f);
                [[fi[0][0], fi[1][0], fi[2][0]], [fi[0][1], fi[1][1], fi[2][1]], [fi[0][2], fi[1][2], fi[2][2]]]
            };
            // dG/dF = -F^{-T} W + P_h V F^{-T} + V0 (P_t - P_h I)
            let mut gf = [[0.0; 3]; 3];
            for a in 0..3 {
                for b in 0..3 {
                    let mut s = 0.0;
                    for k in 0..3 {
                        s += finv_t[a][k] * (-w[k][b]);
                    }
                    let dev = pt[a][b] - if a == b { ph } else { 0.0 };
                    gf[a][b] = s + ph * v * finv_t[a][b] + self.v0 * dev;
                }
            }
            obj += ph * v;
            for a in 0..3 {
                for b in 0..3 {
                    let dev = pt[a][b] - if a == b { ph } else { 0.0 };
                    obj += self.v0 * dev * (f[a][b] - if a == b { 1.0 } else { 0.0 });
                }
            }
            if c.dof == CellDof::Iso {
                g.push((gf[0][0] + gf[1][1] + gf[2][2]) / self.factor);
            } else {
                for &(a, b) in self.cell_slots() {
                    g.push(gf[a][b] / self.factor);
                }
            }
        }
        debug_assert_eq!(g.len(), 3 * n + self.ncell());
        Ok((obj, g))
    }

    /// Largest atomic force (eV/Å).
    pub fn max_force(&self) -> f64 {
        self.forces.iter().map(|f| (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt()).fold(0.0, f64::max)
    }

    /// Static pressure tensor W/V (eV/Å³, Voigt).
    pub fn pressure(&self) -> [f64; 6] {
        let v = self.s.cell.volume();
        self.virial.map(|w| w / v)
    }

    /// Largest deviation of a relaxed pressure component from the target.
    pub fn stress_residual(&self) -> f64 {
        let Some(c) = &self.cell else { return 0.0 };
        let p = self.pressure();
        match c.dof {
            CellDof::Iso => ((p[0] + p[1] + p[2]) / 3.0 - (c.target[0] + c.target[1] + c.target[2]) / 3.0).abs(),
            CellDof::Aniso => (0..3).map(|k| (p[k] - c.target[k]).abs()).fold(0.0, f64::max),
            CellDof::Tri => (0..6).map(|k| (p[k] - c.target[k]).abs()).fold(0.0, f64::max),
        }
    }

    pub fn converged(&self, opts: &MinimizeOptions) -> bool {
        self.max_force() < opts.fmax && (self.cell.is_none() || self.stress_residual() < opts.stress_tol)
    }

    pub fn report(&self, algorithm: &str, iterations: usize) -> MinimizeReport {
        MinimizeReport {
            algorithm: algorithm.into(),
            iterations,
            evaluations: self.evaluations,
            energy: self.energy,
            fmax: self.max_force(),
            stress_residual: self.stress_residual(),
            pressure: self.pressure(),
            volume: self.s.cell.volume(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Minimise `structure` in place with `algorithm` (`"fire"` or `"cg"`).
pub fn minimize(structure: &mut Structure, eval: &mut Evaluator, algorithm: &str, opts: &MinimizeOptions) -> Result<MinimizeReport> {
    match algorithm {
        "fire" => fire::fire(structure, eval, opts),
        "cg" => cg::cg(structure, eval, opts),
        other => Err(Error::invalid("algorithm", other, "expected fire or cg")),
    }
}

/// Relax `s`: conjugate gradients for at most 500 iterations; if they have not converged, FIRE
/// for `max_iter` iterations **from the input structure** (a failed CG run leaves `s` as it
/// was; CG line searches can stall on tabulated potentials with kinks in F(ρ); FIRE is slower
/// but robust). [`relax_keep_last`] continues from where CG stopped instead. The two paths can
/// end in different local minima of a random alloy (docs/pipeline.md: CoCrFeNi's 0 K C44 78.9
/// against 110.1 GPa), so the choice is part of the result; this one is kept for reproducibility.
pub fn relax(s: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<MinimizeReport> {
    let quick = MinimizeOptions { max_iter: opts.max_iter.min(500), ..opts.clone() };
    match minimize(s, eval, "cg", &quick) {
        Err(Error::NotConverged { .. }) => minimize(s, eval, "fire", opts),
        r => r,
    }
}

/// [`relax`] that keeps its last state: conjugate gradients for at most 500 iterations, then FIRE
/// continuing from where CG stopped (not from the start, as [`relax`] does), for `max_iter`
/// iterations. `structure` always holds the last state; the flag says whether it converged.
/// For callers that can use a nearly relaxed structure and note the residual (the atomistic
/// polycrystal of the pipeline); a CG line search that cannot descend leaves its start point.
pub fn relax_keep_last(s: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<(MinimizeReport, bool)> {
    let quick = MinimizeOptions { max_iter: opts.max_iter.min(500), ..opts.clone() };
    let (r, ok) = cg::cg_keep_last(s, eval, &quick)?;
    if ok {
        return Ok((r, true));
    }
    fire::fire_keep_last(s, eval, opts)
}
