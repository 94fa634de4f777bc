//! PPPM parameter selection as LAMMPS makes it (`PPPM::set_grid_global`, `adjust_gewald`,
//! `final_accuracy`): the mesh from the ik-differentiation error estimate of Deserno & Holm
//! (J. Chem. Phys. 109, 7694 (1998)), boosted to sizes with factors 2, 3, 5, then g refined by
//! Newton–Raphson so that the real-space and k-space error estimates are equal.

use super::{estimate_gewald, ChargeSums, KSpaceSettings, LammpsBox, MAX_MESH_PER_DIM, MAX_MESH_POINTS};
use crate::error::{Error, Result};
use std::f64::consts::PI;

/// Coefficients of the ik error estimate per order (Deserno & Holm 1998, Table/Eq. 33).
fn acons(order: usize, m: usize) -> f64 {
    const A: [[f64; 7]; 8] = [
        [0.0; 7],
        [2.0 / 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 50.0, 5.0 / 294.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 588.0, 7.0 / 1440.0, 21.0 / 3872.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 4320.0, 3.0 / 1936.0, 7601.0 / 2271360.0, 143.0 / 28800.0, 0.0, 0.0, 0.0],
        [1.0 / 23232.0, 7601.0 / 13628160.0, 143.0 / 69120.0, 517231.0 / 106536960.0, 106640677.0 / 11737571328.0, 0.0, 0.0],
        [
            691.0 / 68140800.0,
            13.0 / 57600.0,
            47021.0 / 35512320.0,
            9694607.0 / 2095994880.0,
            733191589.0 / 59609088000.0,
            326190917.0 / 11700633600.0,
            0.0,
        ],
        [
            1.0 / 345600.0,
            3617.0 / 35512320.0,
            745739.0 / 838397952.0,
            56399353.0 / 12773376000.0,
            25091609.0 / 1560084480.0,
            1755948832039.0 / 36229939200000.0,
            4887769399.0 / 37838389248.0,
        ],
    ];
    A[order][m]
}

/// The chosen parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct PppmParams {
    pub g: f64,
    pub mesh: [usize; 3],
    pub estimated_accuracy: f64,
}

struct Ctx<'a> {
    b: &'a LammpsBox,
    sums: &'a ChargeSums,
    cutoff: f64,
    order: usize,
}

impl Ctx<'_> {
    /// LAMMPS `estimate_ik_error`.
    fn ik_error(&self, h: f64, prd: f64, g: f64) -> f64 {
        let hg = h * g;
        let sum: f64 = (0..self.order).map(|m| acons(self.order, m) * hg.powf(2.0 * m as f64)).sum();
        self.sums.q2 * hg.powf(self.order as f64) * (g * prd * (2.0 * PI).sqrt() * sum / self.sums.natoms as f64).sqrt() / (prd * prd)
    }
    fn df_kspace(&self, h: [f64; 3], g: f64) -> f64 {
        let prd = [self.b.lx, self.b.ly, self.b.lz];
        (0..3).map(|a| self.ik_error(h[a], prd[a], g).powi(2)).sum::<f64>().sqrt() / 3f64.sqrt()
    }
    fn df_rspace(&self, g: f64) -> f64 {
        2.0 * self.sums.q2 * (-g * g * self.cutoff * self.cutoff).exp() / (self.sums.natoms as f64 * self.cutoff * self.b.volume()).sqrt()
    }
    fn newton_f(&self, h: [f64; 3], g: f64) -> f64 {
        self.df_rspace(g) - self.df_kspace(h, g)
    }
}

fn factorable(mut n: usize) -> bool {
    while n > 1 {
        if n % 2 == 0 {
            n /= 2;
        } else if n % 3 == 0 {
            n /= 3;
        } else if n % 5 == 0 {
            n /= 5;
        } else {
            return false;
        }
    }
    true
}

fn too_large(s: &KSpaceSettings, what: String) -> Error {
    Error::invalid(
        "kspace accuracy",
        s.accuracy,
        &format!("cannot be met by pppm in this cell: {what} (limits {MAX_MESH_PER_DIM} per direction, {MAX_MESH_POINTS} in all); relax the accuracy or raise the cutoff"),
    )
}

/// Choose g and the mesh for absolute accuracy `accuracy` (eV/Å).
pub fn select(b: &LammpsBox, sums: &ChargeSums, cutoff: f64, accuracy: f64, s: &KSpaceSettings) -> Result<PppmParams> {
    let ctx = Ctx { b, sums, cutoff, order: s.order };
    let prd = [b.lx, b.ly, b.lz];
    let mut g = match s.gewald {
        Some(g) => g,
        None => estimate_gewald(accuracy, cutoff, b, sums)?,
    };
    let mut mesh = match s.mesh {
        Some(m) => m,
        None => {
            let mut n = [0usize; 3];
            for a in 0..3 {
                let mut h = 1.0 / g;
                n[a] = (prd[a] / h) as usize + 1;
                let mut err = ctx.ik_error(h, prd[a], g);
                while err > accuracy {
                    err = ctx.ik_error(h, prd[a], g);
                    n[a] += 1;
                    h = prd[a] / n[a] as f64;
                    if n[a] > MAX_MESH_PER_DIM {
                        return Err(too_large(s, format!("more than {MAX_MESH_PER_DIM} mesh points along direction {a}")));
                    }
                }
            }
            if b.triclinic {
                let t = b.lamda2x_t([n[0] as f64 / b.lx, n[1] as f64 / b.ly, n[2] as f64 / b.lz]);
                n = t.map(|v| v as usize + 1);
            }
            n
        }
    };
    for m in mesh.iter_mut() {
        while !factorable(*m) {
            *m += 1;
        }
    }
    if mesh.iter().any(|&m| m > MAX_MESH_PER_DIM) || mesh.iter().product::<usize>() > MAX_MESH_POINTS {
        return Err(too_large(s, format!("mesh {}x{}x{}", mesh[0], mesh[1], mesh[2])));
    }
    let h = if b.triclinic {
        let t = b.x2lamda_t([mesh[0] as f64, mesh[1] as f64, mesh[2] as f64]);
        [1.0 / t[0], 1.0 / t[1], 1.0 / t[2]]
    } else {
        [b.lx / mesh[0] as f64, b.ly / mesh[1] as f64, b.lz / mesh[2] as f64]
    };
    if s.gewald.is_none() {
        let mut converged = false;
        for _ in 0..10000 {
            let f1 = ctx.newton_f(h, g);
            let dh = 0.000001;
            let df = (ctx.newton_f(h, g + dh) - f1) / dh;
            g -= f1 / df;
            if !g.is_finite() {
                break;
            }
            if ctx.newton_f(h, g).abs() < 0.00001 {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(Error::NotConverged { what: "PPPM g_ewald (LAMMPS adjust_gewald)".into(), iters: 10000, residual: ctx.newton_f(h, g).abs() });
        }
    }
    let dk = ctx.df_kspace(h, g);
    let dr = ctx.df_rspace(g);
    Ok(PppmParams { g, mesh, estimated_accuracy: (dk * dk + dr * dr).sqrt() })
}
