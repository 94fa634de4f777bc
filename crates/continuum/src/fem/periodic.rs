//! Periodic homogenisation with voxel hex8 elements: nodal displacement (temperature) fluctuations
//! on a periodic mesh, K u = −Σ_e V B̄ᵀ C E, solved by matrix-free CG preconditioned with the exact
//! inverse of the same hex8 operator for a homogeneous reference medium (diagonal in Fourier space,
//! as in FANS, Leuschner & Fritzen 2018) or with Jacobi.

use super::element::{self, NE_EL, NE_TH};
use super::mesh::{element_loop, element_loop_ext, kmul, VoxelMesh};
use crate::error::Result;
use crate::fft::{apply_even_real_op, pack, unpack, Fft3};
use crate::grid::Grid;
use crate::linalg::{self, invert};
use crate::material::Material;
use crate::results::{self, finish_stiffness, IsotropicModuli, LocalFields, ThermalResult};
use crate::solver::{pcg, SolverOptions};
use crate::ElasticResult;
use rayon::prelude::*;
use rustfft::num_complex::Complex64;
use std::time::Instant;

const SOLVER: &str = "fem-hex8-pcg";

/// Preconditioner of the periodic FE solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preconditioner {
    /// Inverse of the reference-medium hex8 operator by FFT (default; iteration count independent
    /// of the resolution).
    Fourier,
    /// Diagonal scaling.
    Jacobi,
}

/// 1-D symbols of the linear-element mass and stiffness matrices and sin θ, per axis.
struct Symbols {
    m: [Vec<f64>; 3],
    k: [Vec<f64>; 3],
    s: [Vec<f64>; 3],
}

impl Symbols {
    fn new(n: [usize; 3], h: f64) -> Self {
        let mk = |d: usize, f: &dyn Fn(f64) -> f64| (0..n[d]).map(|a| f(std::f64::consts::TAU * a as f64 / n[d] as f64)).collect::<Vec<_>>();
        Symbols {
            m: [0, 1, 2].map(|d| mk(d, &|t| h * (4.0 + 2.0 * t.cos()) / 6.0)),
            k: [0, 1, 2].map(|d| mk(d, &|t| (2.0 - 2.0 * t.cos()) / h)),
            s: [0, 1, 2].map(|d| mk(d, &|t| t.sin())),
        }
    }
    /// T_cd = ∫∂_cφ ∂_dφ symbol at frequency index idx.
    fn t(&self, idx: [usize; 3]) -> [[f64; 3]; 3] {
        let m = [self.m[0][idx[0]], self.m[1][idx[1]], self.m[2][idx[2]]];
        let k = [self.k[0][idx[0]], self.k[1][idx[1]], self.k[2][idx[2]]];
        let s = [self.s[0][idx[0]], self.s[1][idx[1]], self.s[2][idx[2]]];
        let mut t = [[0.0; 3]; 3];
        for c in 0..3 {
            for d in 0..3 {
                let e = 3 - c - d;
                t[c][d] = if c == d { k[c] * m[(c + 1) % 3] * m[(c + 2) % 3] } else { s[c] * s[d] * m[e] };
            }
        }
        t
    }
}

/// Reference isotropic moduli (λ0, μ0) and conductivity κ0: geometric means of the extreme
/// non-void phase values.
fn reference(materials: &[Material], used: &[bool]) -> (f64, f64, f64) {
    let (mut kmin, mut kmax, mut gmin, mut gmax, mut cmin, mut cmax) = (f64::MAX, 0.0f64, f64::MAX, 0.0f64, f64::MAX, 0.0f64);
    for (m, _) in materials.iter().zip(used).filter(|(_, u)| **u) {
        if !m.is_void_elastic() {
            let iso = IsotropicModuli::project(&m.stiffness_gpa);
            kmin = kmin.min(iso.k_gpa);
            kmax = kmax.max(iso.k_gpa);
            gmin = gmin.min(iso.g_gpa);
            gmax = gmax.max(iso.g_gpa);
        }
        if !m.is_void_thermal() {
            let c = (m.conductivity_w_mk[0][0] + m.conductivity_w_mk[1][1] + m.conductivity_w_mk[2][2]) / 3.0;
            cmin = cmin.min(c);
            cmax = cmax.max(c);
        }
    }
    let gm = |a: f64, b: f64| if a <= b { (a * b).sqrt() } else { 1.0 };
    let k0 = gm(kmin, kmax);
    let g0 = gm(gmin, gmax);
    (k0 - 2.0 / 3.0 * g0, g0, gm(cmin, cmax))
}

struct FourierPrecond {
    dims: [usize; 3],
    fft: Fft3,
    bufs: Vec<Vec<Complex64>>,
    sym: Symbols,
    lam: f64,
    mu: f64,
    kappa: f64,
}

impl FourierPrecond {
    fn new(dims: [usize; 3], h: f64, d: usize, lam: f64, mu: f64, kappa: f64) -> Self {
        let n = dims[0] * dims[1] * dims[2];
        FourierPrecond { dims, fft: Fft3::new(dims), bufs: (0..d.div_ceil(2)).map(|_| vec![Complex64::default(); n]).collect(), sym: Symbols::new(dims, h), lam, mu, kappa }
    }
    fn apply(&mut self, d: usize, r: &[f64], z: &mut [f64]) {
        let (lam, mu, kap) = (self.lam, self.mu, self.kappa);
        self.apply_symbol(d, r, z, lam, mu, kap, true);
    }

    /// z = K̂(λ, μ | κ)⁻¹ r (`inverse`) or z = K̂ r: the hex8 operator of a homogeneous medium,
    /// diagonal in Fourier space.
    #[allow(clippy::too_many_arguments)]
    fn apply_symbol(&mut self, d: usize, r: &[f64], z: &mut [f64], lam: f64, mu: f64, kap: f64, inverse: bool) {
        pack(r, d, &mut self.bufs);
        for b in self.bufs.iter_mut() {
            self.fft.forward(b);
        }
        let sym = &self.sym;
        apply_even_real_op(&mut self.bufs, d, self.dims, |idx, v| {
            if idx == [0, 0, 0] {
                v.iter_mut().for_each(|x| *x = Complex64::default());
                return;
            }
            let t = sym.t(idx);
            if d == 3 {
                let tr = t[0][0] + t[1][1] + t[2][2];
                let mut k = [[0.0; 3]; 3];
                for a in 0..3 {
                    for b in 0..3 {
                        k[a][b] = (lam + mu) * t[a][b] + if a == b { mu * tr } else { 0.0 };
                    }
                }
                let kinv = if inverse { invert(&k) } else { Some(k) };
                match kinv {
                    Some(ki) => {
                        let w = [v[0], v[1], v[2]];
                        for a in 0..3 {
                            v[a] = w[0] * ki[a][0] + w[1] * ki[a][1] + w[2] * ki[a][2];
                        }
                    }
                    None => v.iter_mut().for_each(|x| *x = Complex64::default()),
                }
            } else {
                let tr = kap * (t[0][0] + t[1][1] + t[2][2]);
                v[0] = if !inverse {
                    v[0] * tr
                } else if tr > 0.0 {
                    v[0] / tr
                } else {
                    Complex64::default()
                };
            }
        });
        for b in self.bufs.iter_mut() {
            self.fft.inverse(b);
        }
        let n = r.len() / d;
        unpack(&self.bufs, d, 1.0 / n as f64, z);
    }
}

/// Reference phase for the fast operator: the most frequent isotropic phase, applied exactly by
/// FFT; other elements add (K_e − K_ref).
pub(crate) struct FastRef<const NE: usize> {
    phase: usize,
    lam: f64,
    mu: f64,
    kappa: f64,
    dk: Vec<[[f64; NE]; NE]>,
}

fn fast_ref<const NE: usize>(grid: &Grid, materials: &[Material], kmats: &[[[f64; NE]; NE]], thermal: bool) -> Option<FastRef<NE>> {
    let fr = grid.phase_fractions(materials.len());
    let (phase, _) = fr.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    let m = &materials[phase];
    let (lam, mu, kappa) = if thermal {
        let k = m.conductivity_w_mk;
        let iso = (0..3).all(|i| (0..3).all(|j| if i == j { k[i][j] == k[0][0] } else { k[i][j] == 0.0 }));
        if !iso || k[0][0] <= 0.0 {
            return None;
        }
        (0.0, 0.0, k[0][0])
    } else {
        let c = m.stiffness_gpa;
        let (lam, mu) = (c[0][1], c[3][3]);
        let scale = c[0][0].abs().max(1e-300);
        let ok = (0..6).all(|i| {
            (0..6).all(|j| {
                let want = if i < 3 && j < 3 { lam + if i == j { 2.0 * mu } else { 0.0 } } else if i == j { mu } else { 0.0 };
                (c[i][j] - want).abs() <= 1e-12 * scale
            })
        });
        if !ok || mu <= 0.0 {
            return None;
        }
        (lam, mu, 0.0)
    };
    let kr = kmats[phase];
    let dk = kmats
        .iter()
        .map(|k| {
            let mut d = *k;
            for (dr, rr) in d.iter_mut().zip(kr.iter()) {
                for (x, y) in dr.iter_mut().zip(rr.iter()) {
                    *x -= y;
                }
            }
            d
        })
        .collect();
    Some(FastRef { phase, lam, mu, kappa, dk })
}

fn jacobi_diag<const D: usize, const NE: usize>(mesh: &VoxelMesh, phases: &[u16], k: &[[[f64; NE]; NE]]) -> Vec<f64> {
    let mut diag = vec![0.0; mesh.n_nodes() * D];
    for i in 0..mesh.ne[0] {
        for j in 0..mesh.ne[1] {
            for kk in 0..mesh.ne[2] {
                let nodes = mesh.element_nodes(i, j, kk);
                let km = &k[phases[mesh.elem_index(i, j, kk)] as usize];
                for a in 0..8 {
                    for d in 0..D {
                        diag[nodes[a] * D + d] += km[D * a + d][D * a + d];
                    }
                }
            }
        }
    }
    diag
}

/// Solve one periodic load case; returns (u, iterations, residual).
#[allow(clippy::too_many_arguments)]
fn solve_case<const D: usize, const NE: usize>(
    mesh: &VoxelMesh,
    phases: &[u16],
    kmats: &[[[f64; NE]; NE]],
    void: &[bool],
    rhs_e: &[[f64; NE]],
    pc: &mut Option<FourierPrecond>,
    jac: &Option<Vec<f64>>,
    fast: Option<&FastRef<NE>>,
    opts: &SolverOptions,
    load: usize,
    nloads: usize,
) -> Result<(Vec<f64>, usize, f64)> {
    let n = mesh.n_nodes() * D;
    let mut b = vec![0.0; n];
    let zero = vec![0.0; n];
    element_loop::<D, NE, _>(mesh, &zero, &mut b, |e, _| {
        let p = phases[e] as usize;
        if void[p] {
            None
        } else {
            Some(rhs_e[p])
        }
    });
    drop(zero);
    // Scale of the load without cancellation, and removal of the mean (rigid translation) so the
    // periodic system is consistent to rounding.
    let mut counts = vec![0usize; kmats.len()];
    for &p in phases {
        counts[p as usize] += 1;
    }
    let bscale = counts.iter().zip(rhs_e).map(|(c, r)| *c as f64 * r.iter().map(|v| v * v).sum::<f64>()).sum::<f64>().sqrt();
    for d in 0..D {
        let mean = b.iter().skip(d).step_by(D).sum::<f64>() / mesh.n_nodes() as f64;
        b.iter_mut().skip(d).step_by(D).for_each(|v| *v -= mean);
    }
    let mut x = vec![0.0; n];
    // SCALEBRIDGE_FEM_NO_FFT_OPERATOR=1 disables the FFT reference operator (A/B timing only).
    let fast = if pc.is_some() && std::env::var_os("SCALEBRIDGE_FEM_NO_FFT_OPERATOR").is_none() { fast } else { None };
    let cell = std::cell::RefCell::new(pc.take());
    let apply = |p: &[f64], y: &mut [f64]| {
        match (fast, cell.borrow_mut().as_mut()) {
            (Some(fr), Some(f)) => {
                // K p = K_ref p (exact, by FFT) + Σ_{e ∉ ref} (K_e − K_ref) p_e.
                f.apply_symbol(D, p, y, fr.lam, fr.mu, fr.kappa, false);
                element_loop_ext::<D, NE, _, _>(mesh, p, y, true, |e| phases[e] as usize == fr.phase, |e, ue| Some(kmul(&fr.dk[phases[e] as usize], ue)));
            }
            _ => element_loop::<D, NE, _>(mesh, p, y, |e, ue| {
                let ph = phases[e] as usize;
                if void[ph] {
                    None
                } else {
                    Some(kmul(&kmats[ph], ue))
                }
            }),
        }
        None
    };
    let has_pc = cell.borrow().is_some();
    let result = match (has_pc, jac) {
        (true, _) => {
            let mut pfun = |r: &[f64], z: &mut [f64]| {
                if let Some(f) = cell.borrow_mut().as_mut() {
                    f.apply(D, r, z)
                }
            };
            pcg(b, &mut x, apply, Some(&mut pfun), bscale, opts.tol, opts.max_iter, SOLVER, |it, r| opts.report(load, nloads, it, r))
        }
        (false, Some(diag)) => {
            let mut pfun = |r: &[f64], z: &mut [f64]| {
                z.par_iter_mut().zip(r.par_iter()).zip(diag.par_iter()).for_each(|((zi, ri), di)| *zi = if *di > 0.0 { ri / di } else { 0.0 });
            };
            pcg(b, &mut x, apply, Some(&mut pfun), bscale, opts.tol, opts.max_iter, SOLVER, |it, r| opts.report(load, nloads, it, r))
        }
        (false, None) => pcg(b, &mut x, apply, None, bscale, opts.tol, opts.max_iter, SOLVER, |it, r| opts.report(load, nloads, it, r)),
    };
    *pc = cell.into_inner();
    let (it, res) = result?;
    Ok((x, it, res))
}

/// Per-element mean of (flux) D_phase u_e summed over elements: Σ_e Dmat u_e, with `NF` flux comps.
fn sum_element_flux<const D: usize, const NE: usize, const NF: usize>(mesh: &VoxelMesh, phases: &[u16], dmats: &[[[f64; NE]; NF]], u: &[f64]) -> [f64; NF] {
    (0..mesh.ne[0])
        .into_par_iter()
        .map(|i| {
            let mut acc = [0.0; NF];
            for j in 0..mesh.ne[1] {
                for k in 0..mesh.ne[2] {
                    let nodes = mesh.element_nodes(i, j, k);
                    let dm = &dmats[phases[mesh.elem_index(i, j, k)] as usize];
                    for a in 0..8 {
                        for d in 0..D {
                            let uv = u[nodes[a] * D + d];
                            for f in 0..NF {
                                acc[f] += dm[f][D * a + d] * uv;
                            }
                        }
                    }
                }
            }
            acc
        })
        .reduce(|| [0.0; NF], |mut a, b| {
            for f in 0..NF {
                a[f] += b[f];
            }
            a
        })
}

fn used_phases(grid: &Grid, n: usize) -> Vec<bool> {
    let mut used = vec![false; n];
    for &p in grid.phases() {
        used[p as usize] = true;
    }
    used
}

struct ElasticSetup {
    kmats: Vec<[[f64; NE_EL]; NE_EL]>,
    dmats: Vec<[[f64; NE_EL]; 6]>,
    void: Vec<bool>,
    mesh: VoxelMesh,
}

fn elastic_setup(grid: &Grid, materials: &[Material]) -> ElasticSetup {
    let h = 1.0;
    let bbar = element::elastic_bbar(h);
    let kmats = materials.iter().map(|m| element::elastic_stiffness(&m.stiffness_gpa, h)).collect();
    let dmats = materials
        .iter()
        .map(|m| {
            let mut d = [[0.0; NE_EL]; 6];
            for i in 0..6 {
                for j in 0..NE_EL {
                    d[i][j] = (0..6).map(|q| m.stiffness_gpa[i][q] * bbar[q][j]).sum();
                }
            }
            d
        })
        .collect();
    ElasticSetup { kmats, dmats, void: materials.iter().map(|m| m.is_void_elastic()).collect(), mesh: VoxelMesh::new(grid.dims(), true) }
}

fn make_pc(grid: &Grid, materials: &[Material], pre: Preconditioner, d: usize) -> Option<FourierPrecond> {
    match pre {
        Preconditioner::Fourier => {
            let (lam, mu, kap) = reference(materials, &used_phases(grid, materials.len()));
            Some(FourierPrecond::new(grid.dims(), 1.0, d, lam, mu, kap))
        }
        Preconditioner::Jacobi => None,
    }
}

/// Effective stiffness (GPa) by periodic voxel FE (Fourier-preconditioned CG).
pub fn homogenize_elastic(grid: &Grid, materials: &[Material], opts: &SolverOptions) -> Result<ElasticResult> {
    homogenize_elastic_with(grid, materials, opts, Preconditioner::Fourier)
}

/// As [`homogenize_elastic`] with a chosen preconditioner.
pub fn homogenize_elastic_with(grid: &Grid, materials: &[Material], opts: &SolverOptions, pre: Preconditioner) -> Result<ElasticResult> {
    grid.check(materials, false)?;
    opts.validate()?;
    let t0 = Instant::now();
    let s = elastic_setup(grid, materials);
    let mut pc = make_pc(grid, materials, pre, 3);
    let jac = if pc.is_none() { Some(jacobi_diag::<3, NE_EL>(&s.mesh, grid.phases(), &s.kmats)) } else { None };
    let fast = fast_ref::<NE_EL>(grid, materials, &s.kmats, false);
    let nel = grid.len() as f64;
    let fr = grid.phase_fractions(materials.len());
    let mut cavg = [[0.0; 6]; 6];
    for (m, f) in materials.iter().zip(&fr) {
        for i in 0..6 {
            for j in 0..6 {
                cavg[i][j] += f * m.stiffness_gpa[i][j];
            }
        }
    }
    let mut c = [[0.0; 6]; 6];
    let (mut iters, mut ress) = (Vec::new(), Vec::new());
    for j in 0..6 {
        // rhs_e = −V B̄ᵀ C e_j = −(D_phase)ᵀ e_j (V = 1)
        let rhs: Vec<[f64; NE_EL]> = s.dmats.iter().map(|d| {
            let mut r = [0.0; NE_EL];
            for q in 0..NE_EL {
                r[q] = -d[j][q];
            }
            r
        }).collect();
        let (u, it, res) = solve_case::<3, NE_EL>(&s.mesh, grid.phases(), &s.kmats, &s.void, &rhs, &mut pc, &jac, fast.as_ref(), opts, j, 6)?;
        let fl = sum_element_flux::<3, NE_EL, 6>(&s.mesh, grid.phases(), &s.dmats, &u);
        for i in 0..6 {
            c[i][j] = cavg[i][j] + fl[i] / nel;
        }
        iters.push(it);
        ress.push(res);
    }
    let (c, asym) = finish_stiffness(c);
    Ok(ElasticResult {
        c_gpa: c,
        isotropic: IsotropicModuli::project(&c),
        asymmetry: asym,
        iterations: iters,
        residuals: ress,
        resolution: grid.dims(),
        phase_fractions: fr,
        wall_time_s: t0.elapsed().as_secs_f64(),
        provenance: results::provenance(grid, materials, SOLVER, opts.tol),
    })
}

/// Effective conductivity (W/m/K) by periodic voxel FE.
pub fn homogenize_thermal(grid: &Grid, materials: &[Material], opts: &SolverOptions) -> Result<ThermalResult> {
    homogenize_thermal_with(grid, materials, opts, Preconditioner::Fourier)
}

/// As [`homogenize_thermal`] with a chosen preconditioner.
pub fn homogenize_thermal_with(grid: &Grid, materials: &[Material], opts: &SolverOptions, pre: Preconditioner) -> Result<ThermalResult> {
    grid.check(materials, true)?;
    opts.validate()?;
    let t0 = Instant::now();
    let h = 1.0;
    let gbar = element::thermal_gbar(h);
    let kmats: Vec<[[f64; NE_TH]; NE_TH]> = materials.iter().map(|m| element::thermal_stiffness(&m.conductivity_w_mk, h)).collect();
    let dmats: Vec<[[f64; NE_TH]; 3]> = materials
        .iter()
        .map(|m| {
            let mut d = [[0.0; NE_TH]; 3];
            for i in 0..3 {
                for j in 0..NE_TH {
                    d[i][j] = (0..3).map(|q| m.conductivity_w_mk[i][q] * gbar[q][j]).sum();
                }
            }
            d
        })
        .collect();
    let void: Vec<bool> = materials.iter().map(|m| m.is_void_thermal()).collect();
    let mesh = VoxelMesh::new(grid.dims(), true);
    let mut pc = make_pc(grid, materials, pre, 1);
    let jac = if pc.is_none() { Some(jacobi_diag::<1, NE_TH>(&mesh, grid.phases(), &kmats)) } else { None };
    let fast = fast_ref::<NE_TH>(grid, materials, &kmats, true);
    let fr = grid.phase_fractions(materials.len());
    let mut kavg = [[0.0; 3]; 3];
    for (m, f) in materials.iter().zip(&fr) {
        for i in 0..3 {
            for j in 0..3 {
                kavg[i][j] += f * m.conductivity_w_mk[i][j];
            }
        }
    }
    let nel = grid.len() as f64;
    let mut k = [[0.0; 3]; 3];
    let (mut iters, mut ress) = (Vec::new(), Vec::new());
    for j in 0..3 {
        let rhs: Vec<[f64; NE_TH]> = dmats.iter().map(|d| {
            let mut r = [0.0; NE_TH];
            for q in 0..NE_TH {
                r[q] = -d[j][q];
            }
            r
        }).collect();
        let (u, it, res) = solve_case::<1, NE_TH>(&mesh, grid.phases(), &kmats, &void, &rhs, &mut pc, &jac, fast.as_ref(), opts, j, 3)?;
        let fl = sum_element_flux::<1, NE_TH, 3>(&mesh, grid.phases(), &dmats, &u);
        for i in 0..3 {
            k[i][j] = kavg[i][j] + fl[i] / nel;
        }
        iters.push(it);
        ress.push(res);
    }
    linalg::symmetrize(&mut k);
    Ok(ThermalResult {
        kappa_w_mk: k,
        kappa_iso_w_mk: (k[0][0] + k[1][1] + k[2][2]) / 3.0,
        iterations: iters,
        residuals: ress,
        resolution: grid.dims(),
        phase_fractions: fr,
        wall_time_s: t0.elapsed().as_secs_f64(),
        provenance: results::provenance(grid, materials, SOLVER, opts.tol),
    })
}

/// Element-averaged strain, stress and von Mises fields under a macroscopic strain (Voigt,
/// engineering shears) by periodic FE.
pub fn local_fields_elastic(grid: &Grid, materials: &[Material], strain_voigt: [f64; 6], opts: &SolverOptions) -> Result<LocalFields> {
    grid.check(materials, false)?;
    opts.validate()?;
    let s = elastic_setup(grid, materials);
    let mut pc = make_pc(grid, materials, Preconditioner::Fourier, 3);
    let rhs: Vec<[f64; NE_EL]> = s
        .dmats
        .iter()
        .map(|d| {
            let mut r = [0.0; NE_EL];
            for q in 0..NE_EL {
                r[q] = -(0..6).map(|i| d[i][q] * strain_voigt[i]).sum::<f64>();
            }
            r
        })
        .collect();
    let fast = fast_ref::<NE_EL>(grid, materials, &s.kmats, false);
    let (u, it, _) = solve_case::<3, NE_EL>(&s.mesh, grid.phases(), &s.kmats, &s.void, &rhs, &mut pc, &None, fast.as_ref(), opts, 0, 1)?;
    let bbar = element::elastic_bbar(1.0);
    let n = grid.len();
    let mut strain = vec![[0.0; 6]; n];
    let mut stress = vec![[0.0; 6]; n];
    let mesh = s.mesh;
    strain.par_iter_mut().zip(stress.par_iter_mut()).enumerate().for_each(|(e, (st, sg))| {
        let k = e % mesh.ne[2];
        let j = (e / mesh.ne[2]) % mesh.ne[1];
        let i = e / (mesh.ne[1] * mesh.ne[2]);
        let nodes = mesh.element_nodes(i, j, k);
        let mut eps = strain_voigt;
        for r in 0..6 {
            for a in 0..8 {
                for d in 0..3 {
                    eps[r] += bbar[r][3 * a + d] * u[nodes[a] * 3 + d];
                }
            }
        }
        let c = &materials[grid.phases()[e] as usize].stiffness_gpa;
        *sg = linalg::matvec(c, &eps);
        for r in 0..6 {
            st[r] = if r < 3 { eps[r] } else { 0.5 * eps[r] };
        }
    });
    let solid: Vec<bool> = grid.phases().iter().map(|&p| !s.void[p as usize]).collect();
    Ok(LocalFields::from_fields(grid.dims(), strain, stress, &solid, it))
}
