//! Transient heat conduction on a bounded voxel mesh: hex8 conductance, lumped heat capacity,
//! backward-Euler (implicit, unconditionally stable) time stepping, Jacobi-preconditioned CG per
//! step. Units: voxel edge h in m, κ in W/m/K, ρc_p in J/m³/K, time in s, temperature in K.

use super::component::Face;
use super::element::{self, NE_TH};
use super::mesh::{element_loop, kmul, VoxelMesh};
use crate::error::{invalid, ContinuumError, Result};
use crate::grid::Grid;
use crate::material::Material;
use crate::solver::{pcg, SolverOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Transient heat problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatProblem {
    /// Initial temperature everywhere (K).
    pub initial_k: f64,
    /// Faces held at a fixed temperature (K) from t = 0 on; other faces are insulated.
    pub fixed_faces: Vec<(Face, f64)>,
    /// Time step (s).
    pub dt_s: f64,
    /// Number of steps.
    pub steps: usize,
    /// Store the nodal temperature every this many steps (0: only the last).
    pub record_every: usize,
}

/// Temperature history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatResult {
    /// Node dimensions (nx+1, ny+1, nz+1).
    pub node_dims: [usize; 3],
    /// Times of the snapshots (s).
    pub times_s: Vec<f64>,
    /// Nodal temperatures (K) at those times, C order.
    pub temperatures_k: Vec<Vec<f64>>,
    /// Total CG iterations.
    pub iterations: usize,
}

/// Run the transient heat problem.
pub fn transient(grid: &Grid, materials: &[Material], p: &HeatProblem, opts: &SolverOptions) -> Result<HeatResult> {
    grid.check(materials, true)?;
    opts.validate()?;
    if !(p.dt_s > 0.0 && p.dt_s.is_finite()) || p.steps == 0 || !p.initial_k.is_finite() {
        return Err(invalid("dt_s/steps", format!("{}/{}", p.dt_s, p.steps), "need dt > 0 and at least one step"));
    }
    for (i, m) in materials.iter().enumerate() {
        if !m.is_void_thermal() && m.heat_capacity_j_m3k <= 0.0 {
            return Err(ContinuumError::InvalidMaterial { phase: i, reason: "transient heat needs a positive volumetric heat capacity rho_cp (J/m³/K)".into() });
        }
    }
    let h = grid.voxel_size_m;
    let mesh = VoxelMesh::new(grid.dims(), false);
    let nn = mesh.n_nodes();
    let kmats: Vec<[[f64; NE_TH]; NE_TH]> = materials.iter().map(|m| element::thermal_stiffness(&m.conductivity_w_mk, h)).collect();
    let void: Vec<bool> = materials.iter().map(|m| m.is_void_thermal()).collect();
    let phases = grid.phases();
    let mut cap = vec![0.0; nn];
    let mut diag = vec![0.0; nn];
    for i in 0..mesh.ne[0] {
        for j in 0..mesh.ne[1] {
            for k in 0..mesh.ne[2] {
                let ph = phases[mesh.elem_index(i, j, k)] as usize;
                if void[ph] {
                    continue;
                }
                let nodes = mesh.element_nodes(i, j, k);
                for a in 0..8 {
                    cap[nodes[a]] += materials[ph].heat_capacity_j_m3k * h * h * h / 8.0;
                    diag[nodes[a]] += kmats[ph][a][a];
                }
            }
        }
    }
    let mut fixed: Vec<bool> = cap.iter().map(|c| *c <= 0.0).collect();
    let mut t = vec![p.initial_k; nn];
    for &(face, temp) in &p.fixed_faces {
        if !temp.is_finite() {
            return Err(invalid("face temperature", temp, "must be finite"));
        }
        let (ax, hi) = match face {
            Face::XMin => (0, false),
            Face::XMax => (0, true),
            Face::YMin => (1, false),
            Face::YMax => (1, true),
            Face::ZMin => (2, false),
            Face::ZMax => (2, true),
        };
        let layer = if hi { mesh.nn[ax] - 1 } else { 0 };
        for i in 0..mesh.nn[0] {
            for j in 0..mesh.nn[1] {
                for k in 0..mesh.nn[2] {
                    if [i, j, k][ax] == layer {
                        let n = mesh.node(i, j, k);
                        fixed[n] = true;
                        t[n] = temp;
                    }
                }
            }
        }
    }
    let kapply = |x: &[f64], y: &mut [f64]| {
        element_loop::<1, NE_TH, _>(&mesh, x, y, |e, ue| {
            let ph = phases[e] as usize;
            if void[ph] {
                None
            } else {
                Some(kmul(&kmats[ph], ue))
            }
        })
    };
    let inv_dt = 1.0 / p.dt_s;
    let mut times = Vec::new();
    let mut snaps = Vec::new();
    let mut total = 0;
    let mut kt = vec![0.0; nn];
    let mut dt_vec = vec![0.0; nn];
    for step in 1..=p.steps {
        // (C/dt + K) ΔT = −K T, ΔT = 0 on fixed nodes.
        kapply(&t, &mut kt);
        let b: Vec<f64> = kt.iter().zip(&fixed).map(|(v, f)| if *f { 0.0 } else { -v }).collect();
        let apply = |x: &[f64], y: &mut [f64]| {
            kapply(x, y);
            y.par_iter_mut().zip(x.par_iter()).zip(cap.par_iter().zip(fixed.par_iter())).for_each(|((yi, xi), (ci, fx))| *yi = if *fx { 0.0 } else { *yi + ci * inv_dt * xi });
            None
        };
        let mut pc = |r: &[f64], z: &mut [f64]| {
            z.par_iter_mut().zip(r.par_iter()).zip(diag.par_iter().zip(cap.par_iter()).zip(fixed.par_iter())).for_each(|((zi, ri), ((di, ci), fx))| *zi = if *fx { 0.0 } else { ri / (di + ci * inv_dt) });
        };
        let mut o = opts.clone();
        o.tol = opts.tol.min(1e-8);
        let bscale = kt.iter().map(|v| v * v).sum::<f64>().sqrt();
        let (it, _) = pcg(b, &mut dt_vec, apply, Some(&mut pc), bscale, o.tol, o.max_iter, "heat-backward-euler-pcg", |_, _| {})?;
        opts.report(step - 1, p.steps, it, 0.0);
        total += it;
        t.iter_mut().zip(&dt_vec).for_each(|(ti, di)| *ti += di);
        if (p.record_every > 0 && step % p.record_every == 0) || step == p.steps {
            times.push(step as f64 * p.dt_s);
            snaps.push(t.clone());
        }
    }
    Ok(HeatResult { node_dims: mesh.nn, times_s: times, temperatures_k: snaps, iterations: total })
}
