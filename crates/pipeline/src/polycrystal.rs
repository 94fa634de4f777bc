//! The polycrystal bridge residual (b): an atomistic polycrystal with the grain geometry and
//! orientations of a voxel Voronoi microstructure, strained in MD, against the FFT homogenisation
//! of that same microstructure.
//!
//! The voxel microstructure (`voronoi(resolution³, grains, texture, seed)`) is laid over a cubic
//! box of `box_cells` conventional cells; every grain is filled with the crystal rotated by its
//! orientation (`r_sample = R r_crystal`), keeping the lattice sites whose voxel belongs to that
//! grain, so atoms and voxels share one geometry. Atoms closer than 0.75 d_nn to an atom of
//! another grain are removed (the later one), the box and atoms are relaxed to zero stress
//! (the minimiser), and the relaxed polycrystal is strained homogeneously (atoms relaxed at fixed
//! cell). `L = ‖⟨σ_atom⟩ − C_FFT ε‖ / ‖C_FFT ε‖` with `C_FFT` the homogenised 0 K single-crystal
//! C on the same grid. The gap is what the grain boundaries (their softer, disordered atoms and
//! excess volume) add to the continuum picture, which knows only perfect grains.

use crate::bridge::Residual;
use crate::error::{invalid, Result};
use scalebridge_continuum::microstructure::{voronoi, Texture};
use scalebridge_continuum::{fft, Material as CPhase, SolverOptions};
use scalebridge_core::voigt::Stiffness;
use scalebridge_md::cell::Cell;
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{relax_keep_last, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::neighbors::NeighborList;
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Size of the atomistic polycrystal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolycrystalBox {
    /// Conventional cells per box edge.
    pub box_cells: usize,
    pub grains: usize,
    /// Voxels per edge of the matching voxel microstructure.
    pub resolution: usize,
    pub seed: u64,
    /// Strain amplitude of the comparison.
    pub strain: f64,
    /// Iteration cap of the box relaxation (half of it for each strained relaxation).
    pub max_iter: usize,
}

/// What the atomistic polycrystal was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolycrystalInfo {
    pub n_atoms: usize,
    pub removed_at_boundaries: usize,
    #[serde(rename = "box_A")]
    pub box_a: f64,
    /// Mean grain diameter (box / grains^⅓), Å.
    #[serde(rename = "grain_size_A")]
    pub grain_size_a: f64,
    /// Potential energy per atom above the perfect crystal's, eV (the grain-boundary energy spread over all atoms).
    #[serde(rename = "excess_energy_eV_per_atom")]
    pub excess_energy_ev_per_atom: f64,
    #[serde(rename = "C_FFT_GPa")]
    pub c_fft_gpa: Stiffness,
    /// Relaxations stopped at their iteration cap (residual force left), if any.
    pub relax_notes: Vec<String>,
}

/// Relax; a relaxation that stops at its iteration cap keeps its last state and leaves a note.
/// (Before, the capped relaxation returned `NotConverged` and left the structure as it was
/// built: the "relaxed" polycrystal was the unrelaxed one, with its boundary overlaps.)
fn relax_capped(s: &mut Structure, eval: &mut Evaluator, o: &MinimizeOptions, what: &str, notes: &mut Vec<String>) -> Result<()> {
    let (r, converged) = relax_keep_last(s, eval, o)?;
    if !converged {
        notes.push(format!(
            "{what}: stopped after {} evaluations at max force {:.2e} eV/Å, stress residual {:.2e} GPa",
            r.evaluations,
            r.fmax,
            r.stress_residual * EV_PER_A3_IN_GPA
        ));
    }
    Ok(())
}

fn stress(eval: &mut Evaluator, s: &Structure) -> Result<([f64; 6], f64)> {
    eval.request = Request::global();
    let out = eval.compute(s)?;
    let v = s.cell.volume();
    Ok((out.virial.map(|w| -w / v * EV_PER_A3_IN_GPA), out.energy))
}

/// Build, relax and strain the atomistic polycrystal of `unit` (one relaxed cubic conventional
/// cell) and compare with the FFT homogenisation of `c` on the same grains.
pub fn polycrystal_residual(phase: &str, unit: &Structure, potential: Arc<dyn Potential>, c: &Stiffness, b: &PolycrystalBox, threads: usize) -> Result<(Residual, PolycrystalInfo)> {
    let h = unit.cell.matrix();
    let a = h[0][0];
    let off = h[0][1].abs() + h[0][2].abs() + h[1][0].abs() + h[1][2].abs() + h[2][0].abs() + h[2][1].abs();
    if off > 1e-6 * a || (h[1][1] - a).abs() > 1e-6 * a || (h[2][2] - a).abs() > 1e-6 * a {
        return Err(invalid("structure", phase, "the atomistic polycrystal needs a cubic conventional cell"));
    }
    let l = b.box_cells as f64 * a;
    let n = b.resolution;
    let (grid, rots) = voronoi([n; 3], b.grains, Texture::Random, b.seed)?;
    let owner = |p: [f64; 3]| -> usize {
        let idx: [usize; 3] = std::array::from_fn(|k| (((p[k] / l) * n as f64).floor() as isize).rem_euclid(n as isize) as usize);
        grid.phases()[grid.index(idx[0], idx[1], idx[2])] as usize
    };
    let symbols = unit.symbols();
    let m = ((3f64.sqrt() * l / a) / 2.0).ceil() as i64 + 1;
    let centre = 0.5 * l;
    let (mut pos, mut sym, mut mass) = (Vec::new(), Vec::new(), Vec::new());
    for (g, r) in rots.iter().enumerate() {
        for i in -m..=m {
            for j in -m..=m {
                for k in -m..=m {
                    for (s, p0) in unit.positions.iter().enumerate() {
                        let pc = [i as f64 * a + p0[0], j as f64 * a + p0[1], k as f64 * a + p0[2]];
                        let ps: [f64; 3] = std::array::from_fn(|q| centre + r[q][0] * pc[0] + r[q][1] * pc[1] + r[q][2] * pc[2]);
                        if ps.iter().any(|x| *x < 0.0 || *x >= l) || owner(ps) != g {
                            continue;
                        }
                        pos.push(ps);
                        sym.push(symbols[s].clone());
                        mass.push(unit.masses[s]);
                    }
                }
            }
        }
    }
    // remove atoms too close to an atom of another grain
    let dnn = (unit.cell.volume() / unit.len() as f64 * 2f64.sqrt()).cbrt();
    let rmin = 0.75 * dnn;
    let cell = Cell::orthorhombic(l, l, l)?;
    let types: Vec<usize> = vec![0; pos.len()];
    let mut nl = NeighborList::new(rmin, 0.0)?;
    nl.build(&cell, &pos, &types)?;
    let mut alive = vec![true; pos.len()];
    let mut pairs = Vec::new();
    nl.for_each_pair_within(rmin, |i, j, _| pairs.push((i.min(j), i.max(j))));
    pairs.sort_unstable();
    for (i, j) in pairs {
        if i != j && alive[i] && alive[j] {
            alive[j] = false;
        }
    }
    let removed = alive.iter().filter(|x| !**x).count();
    fn keep<T>(v: Vec<T>, alive: &[bool]) -> Vec<T> {
        v.into_iter().zip(alive).filter(|(_, k)| **k).map(|(x, _)| x).collect()
    }
    let (pos, sym, mass) = (keep(pos, &alive), keep(sym, &alive), keep(mass, &alive));
    let mut s = Structure::from_symbols(cell, pos, &sym, Some(mass))?;
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, threads)?;
    let (_, e_unit) = stress(&mut eval, unit)?;
    let e_crystal = e_unit / unit.len() as f64;
    let mut notes = Vec::new();
    // atoms first at the built cell (the boundary overlaps carry forces of several eV/Å; with the
    // cell free as well every evaluation rebuilds the neighbour list), then box and atoms
    let atoms_only = MinimizeOptions { fmax: 2e-2, max_iter: b.max_iter / 2, cell: None, ..MinimizeOptions::default() };
    relax_capped(&mut s, &mut eval, &atoms_only, "atoms at the built box", &mut notes)?;
    // the stress tolerance: 10 MPa, 1 % of the stresses of the 0.5 % strains compared (the
    // relaxed box's residual stress s0 is subtracted from the strained ones as well)
    let cell_relax = MinimizeOptions {
        fmax: 2e-3,
        stress_tol: 1e-2 / EV_PER_A3_IN_GPA,
        max_iter: b.max_iter,
        cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..MinimizeOptions::default()
    };
    relax_capped(&mut s, &mut eval, &cell_relax, "box and atoms", &mut notes)?;
    let (s0, e0) = stress(&mut eval, &s)?;
    // the continuum twin: the same grid and orientations, the single-crystal C rotated per grain
    let crystal = CPhase::anisotropic(*c, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
    let mats: Vec<CPhase> = rots.iter().map(|r| crystal.rotated(r)).collect();
    let c_fft = fft::homogenize_elastic(&grid, &mats, &SolverOptions::default())?.c_gpa;
    let fixed = MinimizeOptions { fmax: 2e-3, max_iter: b.max_iter / 2, cell: None, ..MinimizeOptions::default() };
    let e = b.strain;
    let mut parts = Vec::new();
    for strain in [[e, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, e], [e, e, e, 0.0, 0.0, 0.0]] {
        let f = [[1.0 + strain[0], 0.5 * strain[5], 0.5 * strain[4]], [0.5 * strain[5], 1.0 + strain[1], 0.5 * strain[3]], [0.5 * strain[4], 0.5 * strain[3], 1.0 + strain[2]]];
        let mut t = s.deformed(&f)?;
        relax_capped(&mut t, &mut eval, &fixed, &format!("strain {strain:?}"), &mut notes)?;
        let (sig, _) = stress(&mut eval, &t)?;
        let md: [f64; 6] = std::array::from_fn(|k| sig[k] - s0[k]);
        parts.push(crate::bridge::part(phase, strain, md, None, &c_fft));
    }
    let value = parts.iter().fold(0.0f64, |m, p| m.max(p.l));
    let info = PolycrystalInfo {
        n_atoms: s.len(),
        removed_at_boundaries: removed,
        box_a: s.cell.volume().cbrt(),
        grain_size_a: l / (b.grains as f64).cbrt(),
        excess_energy_ev_per_atom: e0 / s.len() as f64 - e_crystal,
        c_fft_gpa: c_fft,
        relax_notes: notes,
    };
    let residual = Residual {
        value,
        unit: "1".into(),
        definition: format!(
            "max over strains of ‖⟨σ_atom⟩ − C_FFT ε‖/‖C_FFT ε‖: atomistic polycrystal ({} grains, {:.1} Å box, relaxed) vs FFT homogenisation of the same grains with the 0 K single-crystal C",
            b.grains,
            l
        ),
        floor: None,
        nonlinear: None,
        parts,
    };
    Ok((residual, info))
}
