//! Particle–particle particle–mesh Ewald (LAMMPS `kspace_style pppm`, ik differentiation).
//!
//! Charges are spread onto a periodic mesh in fractional coordinates with the order-P
//! charge-assignment function of Hockney & Eastwood (LAMMPS `rho_coeff`), Fourier transformed
//! (rustfft, 1D transforms along each axis), multiplied by the optimal influence function
//! (Hockney–Eastwood Green's function with aliasing sums, LAMMPS `compute_gf_ik`), and the field
//! `−ik φ(k)` of each Cartesian direction transformed back and interpolated with the same
//! assignment function. Energy `½ V Σ_k G(k) |ρ(k)|²/N²`, virial with the Ewald factors
//! `δ_ab − 2(1/k² + 1/4g²) k_a k_b`, per-atom energies and virials from four to seven extra
//! back transforms (as LAMMPS `poisson_peratom`). Orthogonal and triclinic cells share one path
//! (mesh in fractional coordinates, LAMMPS's triclinic formulation, which reduces to its
//! orthogonal one).

use super::pppm_setup::select;
use super::{kvector, virial_factor, ChargeSums, KSpaceSettings, LammpsBox, Resolved, SolverKey, QQRD2E_METAL};
use crate::cell::{dot, Cell};
use crate::error::Result;
use crate::potentials::{Configuration, Output, Request};
use rayon::prelude::*;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::f64::consts::PI;
use std::sync::Arc;

/// LAMMPS `EPS_HOC`: aliasing sums extend until the Gaussian falls below this.
const EPS_HOC: f64 = 1.0e-7;
/// 4π as LAMMPS writes it in the ik influence function (`compute_gf_ik`: 12.5663706); the
/// 1e-9 relative difference to 4π is far below PPPM's accuracy, and keeping it makes the
/// numbers equal LAMMPS's to rounding.
const GF_4PI: f64 = 12.5663706;

type C64 = Complex<f64>;

/// Charge spreading runs over blocks of this many atoms (at most [`MAX_SPREAD_BLOCKS`]), each
/// onto its own mesh, in parallel; the meshes are then summed in block order.
const SPREAD_BLOCK_ATOMS: usize = 1024;
const MAX_SPREAD_BLOCKS: usize = 16;

/// A prepared mesh, Green's function and FFT plans for one cell.
pub struct PppmSolver {
    pub(crate) key: SolverKey,
    pub(crate) resolved: Resolved,
    g: f64,
    order: usize,
    mesh: [usize; 3],
    volume: f64,
    /// Influence function per mesh point (x fastest, z slowest).
    greens: Vec<f64>,
    /// k-vector per mesh point, 1/Å.
    fk: Vec<[f64; 3]>,
    /// Charge-assignment polynomial coefficients, `rho_coeff[l][k]` flattened `l * order + k`.
    rho_coeff: Vec<f64>,
    forward: [Arc<dyn Fft<f64>>; 3],
    inverse: [Arc<dyn Fft<f64>>; 3],
}

impl PppmSolver {
    /// Choose g and the mesh as LAMMPS does and precompute the influence function.
    /// `previous`: the solver of the last cell, whose FFT plans and assignment coefficients are
    /// reused when the mesh and order are the same (a box change under `fix npt` recomputes only
    /// the geometry: k-vectors and influence function, as LAMMPS's `PPPM::setup`).
    pub(crate) fn new(key: SolverKey, cell: &Cell, sums: &ChargeSums, cutoff: f64, accuracy: f64, s: &KSpaceSettings, previous: Option<&PppmSolver>) -> Result<Self> {
        let b = LammpsBox::of(cell);
        let p = select(&b, sums, cutoff, accuracy, s)?;
        let (g, mesh, order) = (p.g, p.mesh, s.order);
        let inv = cell.inverse();
        let [nx, ny, nz] = mesh;
        let gf_b = gf_denominator_coeffs(order);
        let c = g / PI * (-EPS_HOC.ln()).powf(0.25);
        let nb = b.lamda2x_t([c / nx as f64, c / ny as f64, c / nz as f64]).map(|v| v as i64);
        let per = |i: usize, n: usize| -> i64 { i as i64 - n as i64 * ((2 * i / n) as i64) };
        let plane = nx * ny;
        let mut greens = vec![0.0; plane * nz];
        let mut fk = vec![[0.0; 3]; plane * nz];
        greens.par_chunks_mut(plane).zip(fk.par_chunks_mut(plane)).enumerate().for_each(|(m, (gz, fz))| {
            let mper = per(m, nz);
            let snz = (PI * mper as f64 / nz as f64).sin().powi(2);
            for l in 0..ny {
                let lper = per(l, ny);
                let sny = (PI * lper as f64 / ny as f64).sin().powi(2);
                for k in 0..nx {
                    let kper = per(k, nx);
                    let snx = (PI * kper as f64 / nx as f64).sin().powi(2);
                    let kv = kvector(inv, [kper as f64, lper as f64, mper as f64]);
                    let idx = l * nx + k;
                    fz[idx] = kv;
                    let sqk = dot(&kv, &kv);
                    if sqk == 0.0 {
                        gz[idx] = 0.0;
                        continue;
                    }
                    let numerator = GF_4PI / sqk;
                    let denominator = gf_denom(&gf_b, snx, sny, snz);
                    let mut sum1 = 0.0;
                    for ax in -nb[0]..=nb[0] {
                        let wx = powsinxx(PI * kper as f64 / nx as f64 + PI * ax as f64, 2 * order);
                        for ay in -nb[1]..=nb[1] {
                            let wy = powsinxx(PI * lper as f64 / ny as f64 + PI * ay as f64, 2 * order);
                            for az in -nb[2]..=nb[2] {
                                let wz = powsinxx(PI * mper as f64 / nz as f64 + PI * az as f64, 2 * order);
                                let q = kvector(
                                    inv,
                                    [(kper + nx as i64 * ax) as f64, (lper + ny as i64 * ay) as f64, (mper + nz as i64 * az) as f64],
                                );
                                let dot2 = dot(&q, &q);
                                let dot1 = dot(&kv, &q);
                                sum1 += (dot1 / dot2) * (-0.25 * dot2 / (g * g)).exp() * wx * wy * wz;
                            }
                        }
                    }
                    gz[idx] = numerator * sum1 / denominator;
                }
            }
        });
        let (forward, inverse, rho_coeff) = match previous.filter(|p| p.mesh == mesh && p.order == order) {
            Some(p) => (p.forward.clone(), p.inverse.clone(), p.rho_coeff.clone()),
            None => {
                let mut planner = FftPlanner::new();
                (
                    [planner.plan_fft_forward(nx), planner.plan_fft_forward(ny), planner.plan_fft_forward(nz)],
                    [planner.plan_fft_inverse(nx), planner.plan_fft_inverse(ny), planner.plan_fft_inverse(nz)],
                    rho_coefficients(order),
                )
            }
        };
        Ok(PppmSolver {
            key,
            resolved: Resolved { g_ewald: g, grid: mesh, order, count: plane * nz, estimated_accuracy: p.estimated_accuracy },
            g,
            order,
            mesh,
            volume: cell.volume(),
            greens,
            fk,
            rho_coeff,
            forward,
            inverse,
        })
    }

    /// Mesh stencil of one atom: the lower-left grid index per direction and the weights.
    fn stencil(&self, s: &[f64; 3]) -> ([i64; 3], [[f64; 8]; 3]) {
        let order = self.order;
        let odd = order % 2 == 1;
        let lo = (1 - order as i64) / 2;
        let mut base = [0i64; 3];
        let mut w = [[0.0; 8]; 3];
        for a in 0..3 {
            let u = s[a] * self.mesh[a] as f64;
            let nidx = if odd { (u + 0.5).floor() } else { u.floor() };
            let d = nidx + if odd { 0.0 } else { 0.5 } - u;
            base[a] = nidx as i64;
            for (t, k) in (lo..=order as i64 / 2).enumerate() {
                let col = (k - lo) as usize;
                let mut r = 0.0;
                for l in (0..order).rev() {
                    r = self.rho_coeff[l * order + col] + r * d;
                }
                w[a][t] = r;
            }
        }
        (base, w)
    }

    /// Add the reciprocal-space energy (with self and background terms), forces and virials.
    pub(crate) fn compute(&self, config: &Configuration<'_>, q: &[f64], sums: &ChargeSums, req: Request, out: &mut Output) {
        let nat = q.len();
        if sums.qsqsum == 0.0 || nat == 0 {
            return;
        }
        let [nx, ny, nz] = self.mesh;
        let ntot = nx * ny * nz;
        let order = self.order as i64;
        let lo = (1 - order) / 2;
        let wrap = |i: i64, n: usize| -> usize { i.rem_euclid(n as i64) as usize };
        let npts = (order / 2 - lo + 1) as usize;
        // per atom: the wrapped mesh offsets of its stencil (x, y·nx, z·nx·ny) and the weights,
        // so that the spreading and interpolation loops do no index arithmetic
        let stencils: Vec<([[usize; 8]; 3], [[f64; 8]; 3])> = config
            .positions
            .par_iter()
            .map(|r| {
                let s = config.cell.fractional(r);
                let (base, w) = self.stencil(&[s[0] - s[0].floor(), s[1] - s[1].floor(), s[2] - s[2].floor()]);
                let mut idx = [[0usize; 8]; 3];
                for (t, k) in (lo..=order / 2).enumerate() {
                    idx[0][t] = wrap(base[0] + k, nx);
                    idx[1][t] = wrap(base[1] + k, ny) * nx;
                    idx[2][t] = wrap(base[2] + k, nz) * nx * ny;
                }
                (idx, w)
            })
            .collect();
        // charge density on the mesh: blocks of atoms spread in parallel onto their own grids,
        // summed in block order (the block count depends on the atom count only, so the result
        // does not depend on the number of threads)
        let delvolinv = ntot as f64 / self.volume;
        let spread = |grid: &mut [f64], range: std::ops::Range<usize>| {
            for i in range {
                if q[i] == 0.0 {
                    continue;
                }
                let (idx, w) = &stencils[i];
                let z0 = delvolinv * q[i];
                for tn in 0..npts {
                    let y0 = z0 * w[2][tn];
                    for tm in 0..npts {
                        let x0 = y0 * w[1][tm];
                        let row = idx[2][tn] + idx[1][tm];
                        for tl in 0..npts {
                            grid[row + idx[0][tl]] += x0 * w[0][tl];
                        }
                    }
                }
            }
        };
        let blocks = (nat / SPREAD_BLOCK_ATOMS).clamp(1, MAX_SPREAD_BLOCKS);
        let per_block = nat.div_ceil(blocks);
        let mut density: Vec<C64> = if blocks == 1 {
            let mut grid = vec![0.0; ntot];
            spread(&mut grid, 0..nat);
            grid.into_iter().map(|x| C64::new(x, 0.0)).collect()
        } else {
            let grids: Vec<Vec<f64>> = (0..blocks)
                .into_par_iter()
                .map(|b| {
                    let mut grid = vec![0.0; ntot];
                    spread(&mut grid, b * per_block..((b + 1) * per_block).min(nat));
                    grid
                })
                .collect();
            (0..ntot)
                .into_par_iter()
                .with_min_len(4096)
                .map(|k| {
                    let mut acc = 0.0;
                    for g in &grids {
                        acc += g[k];
                    }
                    C64::new(acc, 0.0)
                })
                .collect()
        };
        fft3d(&mut density, self.mesh, &self.forward);
        let scaleinv = 1.0 / ntot as f64;
        let qscale = QQRD2E_METAL;
        let g = self.g;
        if req.energy || req.virial {
            let s2 = scaleinv * scaleinv;
            let (energy, virial) = density
                .par_iter()
                .enumerate()
                .with_min_len(4096)
                .map(|(i, d)| {
                    let eng = s2 * self.greens[i] * d.norm_sqr();
                    let mut v = [0.0; 6];
                    if eng != 0.0 {
                        let vg = virial_factor(&self.fk[i], g);
                        for c in 0..6 {
                            v[c] = eng * vg[c];
                        }
                    }
                    (eng, v)
                })
                .reduce(
                    || (0.0, [0.0; 6]),
                    |a, b| {
                        let mut v = a.1;
                        for c in 0..6 {
                            v[c] += b.1[c];
                        }
                        (a.0 + b.0, v)
                    },
                );
            let e = 0.5 * self.volume * energy - (g * sums.qsqsum / PI.sqrt() + PI / 2.0 * sums.qsum * sums.qsum / (g * g * self.volume));
            out.energy += qscale * e;
            for c in 0..6 {
                out.virial[c] += 0.5 * qscale * self.volume * virial[c];
            }
        }
        // potential in k-space
        let work1: Vec<C64> = density.par_iter().zip(self.greens.par_iter()).map(|(d, gk)| d * (scaleinv * gk)).collect();
        // field components E_a = −∇_a φ: back transforms of −i k_a φ(k)
        let field: Vec<Vec<f64>> = (0..3)
            .map(|a| {
                let mut w: Vec<C64> = work1.par_iter().zip(self.fk.par_iter()).map(|(v, k)| C64::new(k[a] * v.im, -k[a] * v.re)).collect();
                fft3d(&mut w, self.mesh, &self.inverse);
                w.into_par_iter().map(|c| c.re).collect()
            })
            .collect();
        let interpolate = |grid: &[f64], idx: &[[usize; 8]; 3], w: &[[f64; 8]; 3]| -> f64 {
            let mut acc = 0.0;
            for tn in 0..npts {
                for tm in 0..npts {
                    let y0 = w[2][tn] * w[1][tm];
                    let row = idx[2][tn] + idx[1][tm];
                    for tl in 0..npts {
                        acc += y0 * w[0][tl] * grid[row + idx[0][tl]];
                    }
                }
            }
            acc
        };
        // the three field components in one pass over each stencil (same summation order per
        // component as three separate interpolations)
        let (ex, ey, ez) = (&field[0], &field[1], &field[2]);
        out.forces.par_iter_mut().zip(stencils.par_iter()).enumerate().for_each(|(i, (f, (idx, w)))| {
            if q[i] == 0.0 {
                return;
            }
            let qf = qscale * q[i];
            let mut acc = [0.0; 3];
            for tn in 0..npts {
                for tm in 0..npts {
                    let y0 = w[2][tn] * w[1][tm];
                    let row = idx[2][tn] + idx[1][tm];
                    for tl in 0..npts {
                        let wt = y0 * w[0][tl];
                        let k = row + idx[0][tl];
                        acc[0] += wt * ex[k];
                        acc[1] += wt * ey[k];
                        acc[2] += wt * ez[k];
                    }
                }
            }
            for a in 0..3 {
                f[a] += qf * acc[a];
            }
        });
        if req.per_atom_energy {
            let mut u = work1.clone();
            fft3d(&mut u, self.mesh, &self.inverse);
            let u: Vec<f64> = u.into_par_iter().map(|c| c.re).collect();
            let background = PI / 2.0 / (g * g * self.volume);
            out.per_atom_energy.par_iter_mut().zip(stencils.par_iter()).enumerate().for_each(|(i, (e, (base, w)))| {
                let ei = 0.5 * q[i] * interpolate(&u, base, w) - (g * q[i] * q[i] / PI.sqrt() + background * q[i] * sums.qsum);
                *e += qscale * ei;
            });
        }
        if req.per_atom_virial {
            for c in 0..6 {
                let mut v: Vec<C64> = work1
                    .par_iter()
                    .zip(self.fk.par_iter())
                    .map(|(x, k)| if dot(k, k) == 0.0 { C64::new(0.0, 0.0) } else { x * virial_factor(k, g)[c] })
                    .collect();
                fft3d(&mut v, self.mesh, &self.inverse);
                let v: Vec<f64> = v.into_par_iter().map(|z| z.re).collect();
                out.per_atom_virial.par_iter_mut().zip(stencils.par_iter()).enumerate().for_each(|(i, (pv, (base, w)))| {
                    pv[c] += 0.5 * qscale * q[i] * interpolate(&v, base, w);
                });
            }
        }
    }
}

/// `(sin x / x)^n` (1 at x = 0).
fn powsinxx(x: f64, n: usize) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        (x.sin() / x).powi(n as i32)
    }
}

/// Coefficients of the denominator of the influence function, the Fourier sums of the squared
/// assignment function as a polynomial in sin²(k h/2) (Hockney & Eastwood; LAMMPS
/// `compute_gf_denom`).
fn gf_denominator_coeffs(order: usize) -> Vec<f64> {
    let mut b = vec![0.0; order];
    b[0] = 1.0;
    for m in 1..order {
        let mf = m as f64;
        for l in (1..=m).rev() {
            let lf = l as f64;
            b[l] = 4.0 * (b[l] * (lf - mf) * (lf - mf - 0.5) - b[l - 1] * (lf - mf - 1.0) * (lf - mf - 1.0));
        }
        b[0] = 4.0 * (b[0] * (-mf) * (-mf - 0.5));
    }
    let ifact: f64 = (1..2 * order).map(|k| k as f64).product();
    b.iter().map(|v| v / ifact).collect()
}

fn gf_denom(b: &[f64], x: f64, y: f64, z: f64) -> f64 {
    let (mut sx, mut sy, mut sz) = (0.0, 0.0, 0.0);
    for l in (0..b.len()).rev() {
        sx = b[l] + sx * x;
        sy = b[l] + sy * y;
        sz = b[l] + sz * z;
    }
    let s = sx * sy * sz;
    s * s
}

/// Polynomial pieces of the order-P charge-assignment function: `W(x) = Σ_l c[l][k] x^l` on the
/// k-th unit interval of its support; flattened `l * order + k`, k counted from the left.
fn rho_coefficients(order: usize) -> Vec<f64> {
    let o = order as i64;
    let width = (2 * o + 1) as usize;
    let idx = |k: i64| (k + o) as usize;
    let mut a = vec![vec![0.0; width]; order];
    a[0][idx(0)] = 1.0;
    for j in 1..o {
        let mut k = -j;
        while k <= j {
            let mut s = 0.0;
            for l in 0..j as usize {
                a[l + 1][idx(k)] = (a[l][idx(k + 1)] - a[l][idx(k - 1)]) / (l as f64 + 1.0);
                let sign = if l % 2 == 0 { 1.0 } else { -1.0 };
                s += 0.5f64.powi(l as i32 + 1) * (a[l][idx(k - 1)] + sign * a[l][idx(k + 1)]) / (l as f64 + 1.0);
            }
            a[0][idx(k)] = s;
            k += 2;
        }
    }
    let mut c = vec![0.0; order * order];
    let mut col = 0;
    let mut k = -(o - 1);
    while k < o {
        for l in 0..order {
            c[l * order + col] = a[l][idx(k)];
        }
        col += 1;
        k += 2;
    }
    c
}

/// In-place 3D FFT (x fastest) with the given 1D plans, one axis at a time.
fn fft3d(data: &mut [C64], n: [usize; 3], plans: &[Arc<dyn Fft<f64>>; 3]) {
    let [nx, ny, nz] = n;
    let plane = nx * ny;
    data.par_chunks_mut(plane).for_each(|p| plans[0].process(p));
    if ny > 1 {
        data.par_chunks_mut(plane).for_each(|p| {
            let mut t = vec![C64::new(0.0, 0.0); plane];
            for j in 0..ny {
                for i in 0..nx {
                    t[i * ny + j] = p[j * nx + i];
                }
            }
            plans[1].process(&mut t);
            for j in 0..ny {
                for i in 0..nx {
                    p[j * nx + i] = t[i * ny + j];
                }
            }
        });
    }
    if nz > 1 {
        let src: &[C64] = data;
        let mut t = vec![C64::new(0.0, 0.0); plane * nz];
        t.par_chunks_mut(nz).enumerate().for_each(|(line, o)| {
            for k in 0..nz {
                o[k] = src[k * plane + line];
            }
        });
        let lines_per_task = (4096 / nz).max(1);
        t.par_chunks_mut(nz * lines_per_task).for_each(|chunk| plans[2].process(chunk));
        data.par_chunks_mut(plane).enumerate().for_each(|(k, p)| {
            for (line, v) in p.iter_mut().enumerate() {
                *v = t[line * nz + k];
            }
        });
    }
}
