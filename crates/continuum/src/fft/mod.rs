//! FFT homogenisation on periodic voxel grids.
//!
//! Discretisation: Fourier–Galerkin (the Moulinec–Suquet discretisation written as a projection,
//! Zeman et al. 2010, de Geus et al. 2017). The unknown is the compatible strain fluctuation x;
//! the equilibrium equation Γ[C : (E + x)] = 0 is solved with conjugate gradients, A x = Γ[C : x],
//! b = −Γ[C : E], which converges for any finite contrast and for voids (zero-stiffness phases).
//! Fields are real; two components share one complex FFT (Γ is real and even in k).

mod fft3;
mod green;

pub(crate) use fft3::{apply_even_real_op, pack, unpack, Fft3};

use crate::error::Result;
use crate::grid::Grid;
use crate::linalg::{self, MANDEL_W};
use crate::material::Material;
use crate::results::{self, finish_stiffness, FieldStats, LocalFields, ThermalFields, ThermalResult};
use crate::solver::{pcg, SolverOptions};
use crate::ElasticResult;
use crate::IsotropicModuli;
use rayon::prelude::*;
use rustfft::num_complex::Complex64;
use std::time::Instant;

const SOLVER: &str = "fft-galerkin-cg";
const SOLVER_ROT: &str = "fft-rotated-cg";

/// Discretisation of the FFT solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Discretization {
    /// Fourier–Galerkin, or the rotated scheme when a void phase is present (default).
    #[default]
    Auto,
    /// Fourier–Galerkin (trigonometric polynomials; Moulinec–Suquet's discretisation).
    FourierGalerkin,
    /// Willot's rotated staggered grid (finite differences; robust for pores).
    Rotated,
}

impl Discretization {
    /// Resolve `Auto`: the rotated scheme when any voxel is a void (the Fourier–Galerkin CG
    /// converges poorly with voids), Fourier–Galerkin otherwise.
    pub fn resolve(self, grid: &Grid, materials: &[Material], thermal: bool) -> Discretization {
        if self != Discretization::Auto {
            return self;
        }
        let fr = grid.phase_fractions(materials.len());
        let void = materials.iter().zip(&fr).any(|(m, f)| *f > 0.0 && if thermal { m.is_void_thermal() } else { m.is_void_elastic() });
        if void {
            Discretization::Rotated
        } else {
            Discretization::FourierGalerkin
        }
    }

    fn name(self) -> &'static str {
        match self {
            Discretization::FourierGalerkin | Discretization::Auto => SOLVER,
            Discretization::Rotated => SOLVER_ROT,
        }
    }
}

/// Spectral operator for `NC` components per voxel (6: elasticity in Mandel notation, 3: heat).
struct Spectral<'a, const NC: usize> {
    dims: [usize; 3],
    phases: &'a [u16],
    mats: Vec<[[f64; NC]; NC]>,
    fft: Fft3,
    bufs: Vec<Vec<Complex64>>,
    disc: Discretization,
}

impl<'a, const NC: usize> Spectral<'a, NC> {
    fn new(grid: &'a Grid, mats: Vec<[[f64; NC]; NC]>, disc: Discretization) -> Self {
        let n = grid.len();
        let np = NC.div_ceil(2);
        Spectral { dims: grid.dims(), phases: grid.phases(), mats, fft: Fft3::new(grid.dims()), bufs: (0..np).map(|_| vec![Complex64::default(); n]).collect(), disc }
    }

    /// bufs ← pack(C : p), one pass over the voxels.
    fn pack_stress(&mut self, p: &[f64]) {
        let mats = &self.mats;
        let phases = self.phases;
        let stress = |v: usize| -> [f64; NC] {
            let m = &mats[phases[v] as usize];
            let pv = &p[v * NC..v * NC + NC];
            let mut y = [0.0; NC];
            for i in 0..NC {
                let mut acc = 0.0;
                for j in 0..NC {
                    acc += m[i][j] * pv[j];
                }
                y[i] = acc;
            }
            y
        };
        match self.bufs.as_mut_slice() {
            [b0, b1, b2] => {
                b0.par_iter_mut().zip(b1.par_iter_mut()).zip(b2.par_iter_mut()).with_min_len(4096).enumerate().for_each(|(v, ((z0, z1), z2))| {
                    let y = stress(v);
                    *z0 = Complex64::new(y[0], y[1]);
                    *z1 = Complex64::new(y[2], y[3 % NC]);
                    *z2 = Complex64::new(y[4 % NC], y[5 % NC]);
                });
            }
            [b0, b1] => {
                b0.par_iter_mut().zip(b1.par_iter_mut()).with_min_len(4096).enumerate().for_each(|(v, (z0, z1))| {
                    let y = stress(v);
                    *z0 = Complex64::new(y[0], y[1 % NC]);
                    *z1 = Complex64::new(y[2 % NC], 0.0);
                });
            }
            bufs => {
                for (q, buf) in bufs.iter_mut().enumerate() {
                    buf.par_iter_mut().enumerate().for_each(|(v, z)| {
                        let y = stress(v);
                        *z = Complex64::new(y[2 * q], if 2 * q + 1 < NC { y[2 * q + 1] } else { 0.0 });
                    });
                }
            }
        }
    }

    /// out ← Γ[bufs] (bufs hold a packed real field on entry).
    fn project_into(&mut self, out: &mut [f64]) {
        self.transform_project();
        let scale = 1.0 / self.phases.len() as f64;
        unpack(&self.bufs, NC, scale, out);
    }

    /// Forward FFT, Green projection, inverse FFT of the packed buffers (unnormalised).
    fn transform_project(&mut self) {
        for b in self.bufs.iter_mut() {
            self.fft.forward(b);
        }
        let dims = self.dims;
        let wave = match self.disc {
            Discretization::FourierGalerkin | Discretization::Auto => green::unit_wave,
            Discretization::Rotated => green::unit_wave_rotated,
        };
        if NC == 6 {
            apply_even_real_op(&mut self.bufs, NC, dims, |idx, m| match wave(idx, dims) {
                Some(n) => green::project_strain(&n, m),
                None => m.iter_mut().for_each(|z| *z = Complex64::default()),
            });
        } else {
            apply_even_real_op(&mut self.bufs, NC, dims, |idx, g| match wave(idx, dims) {
                Some(n) => green::project_gradient(&n, g),
                None => g.iter_mut().for_each(|z| *z = Complex64::default()),
            });
        }
        for b in self.bufs.iter_mut() {
            self.fft.inverse(b);
        }
    }

    /// out ← Γ[bufs] as [`Self::project_into`], returning ⟨out, p⟩ from the same pass.
    fn project_into_dot(&mut self, out: &mut [f64], p: &[f64]) -> f64 {
        self.transform_project();
        let scale = 1.0 / self.phases.len() as f64;
        let bufs = &self.bufs;
        out.par_chunks_mut(NC)
            .zip(p.par_chunks(NC))
            .with_min_len(1024)
            .enumerate()
            .map(|(v, (o, pv))| {
                let mut d = 0.0;
                for (q, buf) in bufs.iter().enumerate() {
                    let z = buf[v];
                    o[2 * q] = z.re * scale;
                    d += o[2 * q] * pv[2 * q];
                    if 2 * q + 1 < NC {
                        o[2 * q + 1] = z.im * scale;
                        d += o[2 * q + 1] * pv[2 * q + 1];
                    }
                }
                d
            })
            .sum()
    }

    /// Solve for the fluctuation x under macroscopic load `e` (in the solver's basis).
    fn solve(&mut self, e: [f64; NC], opts: &SolverOptions, load: usize, nloads: usize) -> Result<(Vec<f64>, usize, f64)> {
        let n = self.phases.len();
        let mut ce = vec![0.0; n * NC];
        ce.par_chunks_mut(NC).with_min_len(1024).enumerate().for_each(|(v, o)| {
            let m = &self.mats[self.phases[v] as usize];
            for i in 0..NC {
                o[i] = (0..NC).map(|j| m[i][j] * e[j]).sum();
            }
        });
        let bscale = crate::solver::dot(&ce, &ce).sqrt();
        pack(&ce, NC, &mut self.bufs);
        let mut b = ce;
        self.project_into(&mut b);
        b.par_iter_mut().for_each(|v| *v = -*v);
        let mut x = vec![0.0; n * NC];
        let name = self.disc.name();
        let (it, res) = {
            let this = &mut *self;
            pcg(
                b,
                &mut x,
                |p, ap| {
                    this.pack_stress(p);
                    Some(this.project_into_dot(ap, p))
                },
                None,
                bscale,
                opts.tol,
                opts.max_iter,
                name,
                |it, r| opts.report(load, nloads, it, r),
            )?
        };
        Ok((x, it, res))
    }

    /// Volume average of C : (e + x).
    fn mean_flux(&self, e: &[f64; NC], x: &[f64]) -> [f64; NC] {
        let s = x
            .par_chunks(NC)
            .with_min_len(1024)
            .enumerate()
            .fold(
                || [0.0; NC],
                |mut acc, (v, xv)| {
                    let m = &self.mats[self.phases[v] as usize];
                    for i in 0..NC {
                        let mut t = 0.0;
                        for j in 0..NC {
                            t += m[i][j] * (e[j] + xv[j]);
                        }
                        acc[i] += t;
                    }
                    acc
                },
            )
            .reduce(
                || [0.0; NC],
                |mut a, b| {
                    for i in 0..NC {
                        a[i] += b[i];
                    }
                    a
                },
            );
        let nv = self.phases.len() as f64;
        let mut out = [0.0; NC];
        for i in 0..NC {
            out[i] = s[i] / nv;
        }
        out
    }
}

fn unit_mandel_strain(j: usize) -> [f64; 6] {
    // Unit engineering strain component j in Voigt → Mandel: shear γ → γ/√2.
    let mut e = [0.0; 6];
    e[j] = 1.0 / MANDEL_W[j];
    e
}

/// Effective stiffness (GPa) of a periodic voxel microstructure under the six unit strains.
pub fn homogenize_elastic(grid: &Grid, materials: &[Material], opts: &SolverOptions) -> Result<ElasticResult> {
    homogenize_elastic_with(grid, materials, opts, Discretization::default())
}

/// As [`homogenize_elastic`] with a chosen discretisation.
pub fn homogenize_elastic_with(grid: &Grid, materials: &[Material], opts: &SolverOptions, disc: Discretization) -> Result<ElasticResult> {
    grid.check(materials, false)?;
    opts.validate()?;
    let disc = disc.resolve(grid, materials, false);
    let t0 = Instant::now();
    let mats: Vec<[[f64; 6]; 6]> = materials.iter().map(|m| m.mandel()).collect();
    let mut sp = Spectral::<6>::new(grid, mats, disc);
    let mut cm = [[0.0; 6]; 6];
    let (mut iters, mut ress) = (Vec::new(), Vec::new());
    for j in 0..6 {
        let e = unit_mandel_strain(j);
        let (x, it, res) = sp.solve(e, opts, j, 6)?;
        let s = sp.mean_flux(&e, &x);
        for i in 0..6 {
            // Mandel stress → Voigt stress; column j of the Voigt stiffness.
            cm[i][j] = s[i] / MANDEL_W[i];
        }
        iters.push(it);
        ress.push(res);
    }
    let (c, asym) = finish_stiffness(cm);
    Ok(ElasticResult {
        c_gpa: c,
        isotropic: IsotropicModuli::project(&c),
        asymmetry: asym,
        iterations: iters,
        residuals: ress,
        resolution: grid.dims(),
        phase_fractions: grid.phase_fractions(materials.len()),
        wall_time_s: t0.elapsed().as_secs_f64(),
        provenance: results::provenance(grid, materials, disc.name(), opts.tol),
    })
}

/// Effective conductivity (W/m/K) under the three unit temperature gradients.
pub fn homogenize_thermal(grid: &Grid, materials: &[Material], opts: &SolverOptions) -> Result<ThermalResult> {
    homogenize_thermal_with(grid, materials, opts, Discretization::default())
}

/// As [`homogenize_thermal`] with a chosen discretisation.
pub fn homogenize_thermal_with(grid: &Grid, materials: &[Material], opts: &SolverOptions, disc: Discretization) -> Result<ThermalResult> {
    grid.check(materials, true)?;
    opts.validate()?;
    let disc = disc.resolve(grid, materials, true);
    let t0 = Instant::now();
    let mats: Vec<[[f64; 3]; 3]> = materials.iter().map(|m| m.conductivity_w_mk).collect();
    let mut sp = Spectral::<3>::new(grid, mats, disc);
    let mut k = [[0.0; 3]; 3];
    let (mut iters, mut ress) = (Vec::new(), Vec::new());
    for j in 0..3 {
        let mut e = [0.0; 3];
        e[j] = 1.0;
        let (x, it, res) = sp.solve(e, opts, j, 3)?;
        let q = sp.mean_flux(&e, &x);
        for i in 0..3 {
            k[i][j] = q[i];
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
        phase_fractions: grid.phase_fractions(materials.len()),
        wall_time_s: t0.elapsed().as_secs_f64(),
        provenance: results::provenance(grid, materials, disc.name(), opts.tol),
    })
}

/// Local strain, stress and von Mises fields under a macroscopic strain (Voigt, engineering shears).
pub fn local_fields_elastic(grid: &Grid, materials: &[Material], strain_voigt: [f64; 6], opts: &SolverOptions) -> Result<LocalFields> {
    local_fields_elastic_with(grid, materials, strain_voigt, opts, Discretization::default())
}

/// As [`local_fields_elastic`] with a chosen discretisation.
pub fn local_fields_elastic_with(grid: &Grid, materials: &[Material], strain_voigt: [f64; 6], opts: &SolverOptions, disc: Discretization) -> Result<LocalFields> {
    grid.check(materials, false)?;
    opts.validate()?;
    let disc = disc.resolve(grid, materials, false);
    if strain_voigt.iter().any(|v| !v.is_finite()) {
        return Err(crate::error::invalid("strain", format!("{strain_voigt:?}"), "must be finite"));
    }
    let mats: Vec<[[f64; 6]; 6]> = materials.iter().map(|m| m.mandel()).collect();
    let mut sp = Spectral::<6>::new(grid, mats, disc);
    let mut e = [0.0; 6];
    for j in 0..6 {
        e[j] = strain_voigt[j] / MANDEL_W[j];
    }
    let (x, it, _) = sp.solve(e, opts, 0, 1)?;
    let n = grid.len();
    let mut strain = vec![[0.0; 6]; n];
    let mut stress = vec![[0.0; 6]; n];
    strain.par_iter_mut().zip(stress.par_iter_mut()).enumerate().for_each(|(v, (st, sg))| {
        let m = &sp.mats[grid.phases()[v] as usize];
        let mut eps = [0.0; 6];
        for j in 0..6 {
            eps[j] = e[j] + x[v * 6 + j];
        }
        let s = linalg::matvec(m, &eps);
        for j in 0..6 {
            st[j] = eps[j] / MANDEL_W[j];
            sg[j] = s[j] / MANDEL_W[j];
        }
    });
    let solid: Vec<bool> = grid.phases().iter().map(|&p| !materials[p as usize].is_void_elastic()).collect();
    Ok(LocalFields::from_fields(grid.dims(), strain, stress, &solid, it))
}

/// Local temperature-gradient and heat-flux fields under a macroscopic gradient (K/m).
pub fn local_fields_thermal(grid: &Grid, materials: &[Material], gradient: [f64; 3], opts: &SolverOptions) -> Result<ThermalFields> {
    local_fields_thermal_with(grid, materials, gradient, opts, Discretization::default())
}

/// As [`local_fields_thermal`] with a chosen discretisation.
pub fn local_fields_thermal_with(grid: &Grid, materials: &[Material], gradient: [f64; 3], opts: &SolverOptions, disc: Discretization) -> Result<ThermalFields> {
    grid.check(materials, true)?;
    opts.validate()?;
    let disc = disc.resolve(grid, materials, true);
    let mats: Vec<[[f64; 3]; 3]> = materials.iter().map(|m| m.conductivity_w_mk).collect();
    let mut sp = Spectral::<3>::new(grid, mats, disc);
    let (x, it, _) = sp.solve(gradient, opts, 0, 1)?;
    let n = grid.len();
    let mut g = vec![[0.0; 3]; n];
    let mut q = vec![[0.0; 3]; n];
    g.par_iter_mut().zip(q.par_iter_mut()).enumerate().for_each(|(v, (gv, qv))| {
        let m = &sp.mats[grid.phases()[v] as usize];
        for j in 0..3 {
            gv[j] = gradient[j] + x[v * 3 + j];
        }
        let f = linalg::matvec(m, gv);
        for j in 0..3 {
            qv[j] = -f[j];
        }
    });
    let mag: Vec<f64> = q.iter().map(|v| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()).collect();
    Ok(ThermalFields { dims: grid.dims(), gradient_k_m: g, flux_w_m2: q, flux_magnitude_stats: FieldStats::of(&mag), iterations: it })
}

/// Development hooks for timing the pieces (not a stable API).
#[doc(hidden)]
pub mod bench_support {
    use super::*;
    pub struct Fft3Handle(Fft3);
    impl Fft3Handle {
        pub fn new(n: [usize; 3]) -> Self {
            Fft3Handle(Fft3::new(n))
        }
        pub fn forward(&self, d: &mut [Complex64]) {
            self.0.forward(d)
        }
        pub fn inverse(&self, d: &mut [Complex64]) {
            self.0.inverse(d)
        }
    }
    pub fn project(bufs: &mut [Vec<Complex64>], dims: [usize; 3]) {
        apply_even_real_op(bufs, 6, dims, |idx, m| match green::unit_wave(idx, dims) {
            Some(n) => green::project_strain(&n, m),
            None => m.iter_mut().for_each(|z| *z = Complex64::default()),
        });
    }
    pub fn dot(a: &[f64], b: &[f64]) -> f64 {
        crate::solver::dot(a, b)
    }
}
