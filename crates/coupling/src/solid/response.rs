//! The continuum condensed onto the interface: the pad's nodal displacements as a precomputed
//! linear function of the interface displacements (docs/coupling_3d.md, "Cost").
//!
//! The continuum is linear elastic and its boundary layer is held, so the free nodes that the pad
//! atoms interpolate from move as `u_out = G u_if + u_base`, with `G = S_out K_ff⁻¹ (−K_f,if)`
//! (one solve per interface dof with the one sparse Cholesky factorisation, blocks of right-hand
//! sides at a time) and `u_base` the solution with the interface at zero and the boundary layer on
//! its field. A force evaluation then costs one dense matrix–vector product instead of a sparse
//! forward/backward solve of the whole mesh; the result is the same exact solution (round-off).

use crate::error::Result;
use crate::plane::fem::Continuum;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

/// `G`, `u_base` and the dofs they connect.
#[derive(Debug)]
pub(crate) struct PadResponse {
    /// Interface dofs (inputs; 3 per interface node in the model's interface order).
    pub inputs: Vec<usize>,
    /// Free dofs of the nodes that pad atoms read (outputs).
    pub outputs: Vec<usize>,
    g: Mat<f64>,
    base: Vec<f64>,
    base_valid: bool,
    u_in: Mat<f64>,
    u_out: Mat<f64>,
}

impl PadResponse {
    /// Condense `continuum` onto `inputs` (fixed dofs) for the free dofs `outputs`.
    pub fn new(continuum: &Continuum, inputs: Vec<usize>, outputs: Vec<usize>) -> Result<PadResponse> {
        let g = continuum.response(&inputs, &outputs, 64)?;
        let (ni, no) = (inputs.len(), outputs.len());
        Ok(PadResponse { inputs, outputs, g, base: vec![0.0; no], base_valid: false, u_in: Mat::zeros(ni, 1), u_out: Mat::zeros(no, 1) })
    }

    /// The boundary layer's field changed: recompute `u_base` at the next [`PadResponse::apply`].
    pub fn invalidate_base(&mut self) {
        self.base_valid = false;
    }

    /// Given `u` with the interface dofs and the boundary layer set, write the outputs' exact
    /// equilibrium displacements into `u` (the other free dofs are left as they are).
    pub fn apply(&mut self, continuum: &Continuum, u: &mut [f64]) {
        if !self.base_valid {
            let mut w = u.to_vec();
            for &d in &self.inputs {
                w[d] = 0.0;
            }
            continuum.solve(&mut w);
            for (b, &d) in self.base.iter_mut().zip(&self.outputs) {
                *b = w[d];
            }
            self.base_valid = true;
        }
        for (k, &d) in self.inputs.iter().enumerate() {
            self.u_in[(k, 0)] = u[d];
        }
        matmul(self.u_out.as_mut(), Accum::Replace, self.g.as_ref(), self.u_in.as_ref(), 1.0, Par::Seq);
        for (k, &d) in self.outputs.iter().enumerate() {
            u[d] = self.u_out[(k, 0)] + self.base[k];
        }
    }
}
