//! The 3-D force-based (CADD / QC-GFC-like, ghost-force free) coupled model and the fully
//! atomistic reference of the same block.
//!
//! * Atomistic region A: the sites in the box `|x| ≤ a_x p`, `|y| ≤ a_y p`, and `−a_z p ≤ z ≤ 0`
//!   under a free top surface (`free_top`) or `|z| ≤ a_z p` embedded. Its sites on the grid that
//!   lie on A's faces are also mesh nodes (the interface: their displacement is the atom's).
//! * Continuum: linear tetrahedra (six Kuhn tetrahedra per graded hexahedral grid cell) over the
//!   rest of the block, linear elastic with the stiffness of the same potential; nodes in the
//!   outer boundary layer (every face but a free top) carry the applied displacement. For any
//!   interface displacement the continuum is solved exactly (sparse Cholesky, factored once).
//! * Pad: the sites outside A within `pad` Å of it (two cutoffs: EAM densities) follow the
//!   finite-element field (linear interpolation in their tetrahedron).
//! * Forces: atoms of A feel the potential with the pad (and an optional spherical indenter); the
//!   pad's reactions are not fed back. Statics: FIRE on the atoms of A, the continuum re-solved at
//!   every force evaluation.

pub use super::full::FullAtomistic3d;
use super::block::Block3;
use super::mesh::TetMesh;
use super::response::PadResponse;
use super::surface::SurfaceProfile;
use crate::error::{invalid, Result};
use crate::plane::atoms::Atoms;
use crate::plane::fem::Continuum;
use crate::plane::mesh::grid_lines;
use crate::plane::relax::{fire, Fire};
use crate::plane::PatchReport;
use scalebridge_core::units::EV_PER_A3_IN_GPA;
use scalebridge_md::cell::Vec3;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Options of the 3-D models (the one place their defaults live).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolidOptions {
    /// Half-size of the block in pitches (x, y; z: the depth below a free top, else the half-size).
    pub block: [i64; 3],
    /// Half-size of the atomistic region in pitches (same convention).
    pub atomistic: [i64; 3],
    /// The top face `z = 0` is a free surface (the atomistic region touches it).
    pub free_top: bool,
    /// Thickness of the boundary layer that carries the applied displacement, Å (`None`: two cutoffs).
    pub boundary_layer: Option<f64>,
    /// Width of the pad around the atomistic region, Å (`None`: two cutoffs).
    pub pad: Option<f64>,
    /// Element growth factor away from the atomistic region and largest element edge (pitches).
    pub growth: f64,
    pub max_element: i64,
    /// Force tolerance (eV/Å) and iteration cap of the relaxations.
    pub fmax: f64,
    pub max_iter: usize,
    /// Verlet skin, Å, and worker threads (0 = all cores).
    pub skin: f64,
    pub threads: usize,
    /// Under a free top: take the relaxed (001) surface of a periodic slab of the same potential
    /// as the reference of the pad and the continuum (`solid::surface`); false: the bulk lattice.
    pub surface_relaxation: bool,
    /// Condense the continuum onto the interface once (`solid::response`: the pad's nodes as a
    /// precomputed linear function of the interface) instead of a sparse solve per evaluation.
    pub condense: bool,
    /// Relaxation steps compute forces only, and (EAM) densities only where the mobile atoms'
    /// forces need them: the pad's (and the reference's boundary layer's) outer shell is a
    /// neighbour only. Applied to the model and the fully atomistic reference alike.
    pub lean_forces: bool,
    /// Lagged pad (Å; 0: off): during a relaxation the continuum and the pad are re-placed only
    /// when an interface atom has moved by more than this (any component) since the last
    /// placement; when FIRE stops, the pad is re-placed and the relaxation goes on until the
    /// forces with the up-to-date pad are below `fmax` (the same criterion as without the lag).
    pub pad_lag: f64,
}

impl Default for SolidOptions {
    fn default() -> Self {
        SolidOptions {
            block: [9, 9, 9],
            atomistic: [3, 3, 3],
            free_top: true,
            boundary_layer: None,
            pad: None,
            growth: 1.3,
            max_element: 4,
            fmax: 1e-3,
            max_iter: 100_000,
            skin: 1.0,
            threads: 1,
            surface_relaxation: true,
            condense: true,
            lean_forces: true,
            pad_lag: 0.0,
        }
    }
}

impl SolidOptions {
    pub(crate) fn fire(&self) -> Result<Fire> {
        if !(self.fmax > 0.0 && self.fmax.is_finite()) {
            return Err(invalid("fmax", self.fmax, "the force tolerance must be positive"));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", 0, "need at least one iteration"));
        }
        if !(self.pad_lag >= 0.0 && self.pad_lag.is_finite()) {
            return Err(invalid("pad_lag", self.pad_lag, "must be zero (off) or a positive distance (Å)"));
        }
        Ok(Fire { fmax: self.fmax, max_iter: self.max_iter, dt: 0.002, dt_max: 0.01 })
    }

    fn top(&self, half: i64) -> i64 {
        if self.free_top {
            0
        } else {
            half
        }
    }

    /// The block's and the atomistic region's boxes (pitches).
    pub fn boxes(&self) -> ([i64; 3], [i64; 3], [i64; 3], [i64; 3]) {
        let (b, a) = (self.block, self.atomistic);
        ([-b[0], -b[1], -b[2]], [b[0], b[1], self.top(b[2])], [-a[0], -a[1], -a[2]], [a[0], a[1], self.top(a[2])])
    }

    /// Where the boundary layer starts (pitches from the centre; z: below the top when free).
    pub(crate) fn layer_start(&self, pitch: [f64; 3], cutoff: f64) -> Result<[i64; 3]> {
        let w = self.boundary_layer.unwrap_or(2.0 * cutoff);
        if !(w > 0.0 && w.is_finite()) {
            return Err(invalid("boundary_layer", w, "must be positive (Å)"));
        }
        let mut s = [0; 3];
        for d in 0..3 {
            s[d] = self.block[d] - (w / pitch[d]).ceil() as i64;
            if s[d] <= self.atomistic[d] {
                return Err(invalid("block", format!("{:?}", self.block), "the block is too small for the atomistic region plus the boundary layer"));
            }
        }
        Ok(s)
    }

    /// Whether the point `r` (Å) lies in the boundary layer starting at `s` pitches.
    pub(crate) fn in_layer(&self, r: Vec3, s: [i64; 3], pitch: [f64; 3]) -> bool {
        let t = 1e-6;
        let lateral = (0..2).any(|d| r[d].abs() >= s[d] as f64 * pitch[d] - t);
        let bottom = r[2] <= -(s[2] as f64) * pitch[2] + t;
        let top = !self.free_top && r[2] >= s[2] as f64 * pitch[2] - t;
        lateral || bottom || top
    }
}

/// A LAMMPS `fix indent ... sphere` indenter: `F(r) = −K (r − R)²` (repulsive) for `r < R`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Indenter {
    pub center: Vec3,
    pub radius: f64,
    /// Force constant K, eV/Å³.
    pub k: f64,
}

impl Indenter {
    /// Add the indenter forces on the atoms at `positions` to `f` (3 per atom); returns the total
    /// force it exerts (on the atoms, eV/Å) and its energy (eV).
    pub fn apply(&self, positions: &[Vec3], f: &mut [f64]) -> (Vec3, f64) {
        let mut total = [0.0; 3];
        let mut e = 0.0;
        for (i, p) in positions.iter().enumerate() {
            let d = [p[0] - self.center[0], p[1] - self.center[1], p[2] - self.center[2]];
            let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            if r < self.radius && r > 0.0 {
                let mag = self.k * (self.radius - r) * (self.radius - r);
                for c in 0..3 {
                    f[3 * i + c] += mag * d[c] / r;
                    total[c] += mag * d[c] / r;
                }
                e += self.k / 3.0 * (self.radius - r).powi(3);
            }
        }
        (total, e)
    }
}

/// The coupled model.
#[derive(Debug)]
pub struct ForceBased3d {
    pub block: Block3,
    pub mesh: TetMesh,
    continuum: Continuum,
    pub(crate) atoms: Atoms,
    pad: Vec<(usize, [f64; 4])>,
    interface: Vec<(usize, usize)>,
    layer: Vec<bool>,
    /// Nodal displacements (3 per node) and displacements of the atoms of A (3 per atom), Å.
    pub u: Vec<f64>,
    pub x: Vec<f64>,
    pub indenter: Option<Indenter>,
    /// Total indenter force on the atoms at the last evaluation, eV/Å.
    pub indenter_force: Vec3,
    /// The relaxed free surface (empty when embedded or `surface_relaxation` is off) and its z
    /// displacement at every atom of A and every pad atom, Å.
    pub surface: SurfaceProfile,
    surf_mobile: Vec<f64>,
    surf_pad: Vec<f64>,
    /// Cost counters: force evaluations, seconds in the potential and in the continuum solves
    /// (with placing the pad), seconds of the construction (mesh, factorisation, surface slab)
    /// and of condensing the continuum onto the interface.
    pub evaluations: usize,
    pub seconds_forces: f64,
    pub seconds_solve: f64,
    pub seconds_setup: f64,
    pub seconds_condense: f64,
    response: Option<PadResponse>,
    /// The interface displacements at the last pad placement (the lagged pad), the number of
    /// placements, and the consistency restarts of FIRE (the lag's final checks that failed).
    placed_at: Option<Vec<f64>>,
    last_fmax: f64,
    last_placed: bool,
    pub pad_placements: usize,
    pub lag_restarts: usize,
    opts: SolidOptions,
}

pub(crate) fn mobile_positions(atoms: &Atoms, x: &[f64]) -> Vec<Vec3> {
    (0..atoms.n_mobile).map(|k| atoms.reference_of(k)).enumerate().map(|(k, r)| [r[0] + x[3 * k], r[1] + x[3 * k + 1], r[2] + x[3 * k + 2]]).collect()
}

/// Build the evaluator of the given block sites (mobile first) in a vacuum-padded box.
pub(crate) fn atoms_of(block: &Block3, mobile: &[usize], driven: &[usize], potential: Arc<dyn Potential>, o: &SolidOptions) -> Result<Atoms> {
    let sites: Vec<usize> = mobile.iter().chain(driven).copied().collect();
    let margin = 2.0 * (potential.needs().cutoff + o.skin) + 20.0;
    let mut lengths = [0.0; 3];
    let mut shift = [0.0; 3];
    for d in 0..3 {
        let (lo, hi) = (block.lo[d] as f64 * block.pitch[d], block.hi[d] as f64 * block.pitch[d]);
        lengths[d] = hi - lo + margin;
        shift[d] = 0.5 * margin - lo;
    }
    let reference: Vec<Vec3> = sites.iter().map(|&s| block.sites[s]).collect();
    let symbols: Vec<String> = sites.iter().map(|&s| block.symbols[s].clone()).collect();
    let masses: Vec<f64> = sites.iter().map(|&s| block.masses[s]).collect();
    let mut a = Atoms::with_reference(sites, mobile.len(), reference, &symbols, masses, lengths, shift, potential, o.skin, o.threads)?;
    a.eval.request.per_atom_virial = true;
    Ok(a)
}

impl ForceBased3d {
    /// Build the model of `unit` (orthorhombic, a site at its origin) with `potential` and the
    /// Voigt stiffness `c_gpa` (GPa) of the same potential in the block's axes.
    pub fn new(unit: &Structure, potential: Arc<dyn Potential>, c_gpa: &[[f64; 6]; 6], o: &SolidOptions) -> Result<ForceBased3d> {
        let t0 = std::time::Instant::now();
        o.fire()?;
        if c_gpa.iter().flatten().any(|v| !v.is_finite()) {
            return Err(invalid("stiffness", "non-finite", "every C_ij must be finite"));
        }
        let (blo, bhi, alo, ahi) = o.boxes();
        let block = Block3::new(unit, blo, bhi)?;
        let cutoff = potential.needs().cutoff;
        let s = o.layer_start(block.pitch, cutoff)?;
        let mut lines: [Vec<i64>; 3] = Default::default();
        for d in 0..3 {
            lines[d] = grid_lines(o.atomistic[d], s[d], o.block[d], o.growth, o.max_element)?;
        }
        if o.free_top {
            lines[2].retain(|&v| v <= 0);
        }
        let mesh = TetMesh::new(lines, block.pitch, alo, ahi)?;
        let pad_w = o.pad.unwrap_or(2.0 * cutoff);
        if !(pad_w > 0.0 && pad_w.is_finite()) {
            return Err(invalid("pad", pad_w, "must be positive (Å)"));
        }
        let mobile: Vec<usize> = (0..block.sites.len()).filter(|&k| block.in_box(k, alo, ahi)).collect();
        let mut driven: Vec<usize> = (0..block.sites.len()).filter(|&k| !block.in_box(k, alo, ahi) && block.dist_to_box(k, alo, ahi) <= pad_w).collect();
        // the pad atoms within a cutoff (and skin) of A first: only their densities are needed
        driven.sort_by(|&a, &b| block.dist_to_box(a, alo, ahi).total_cmp(&block.dist_to_box(b, alo, ahi)));
        let n_inner = driven.iter().filter(|&&k| block.dist_to_box(k, alo, ahi) <= cutoff + o.skin).count();
        let mut pad = Vec::with_capacity(driven.len());
        for &k in &driven {
            pad.push(mesh.locate(block.sites[k]).ok_or_else(|| invalid("pad", pad_w, "a pad atom lies outside the mesh (make the block larger)"))?);
        }
        let mut mobile_of = std::collections::HashMap::new();
        for (k, &site) in mobile.iter().enumerate() {
            mobile_of.insert(site, k);
        }
        let mut interface = Vec::new();
        let mut layer = vec![false; mesh.nodes.len()];
        let mut fixed = vec![false; 3 * mesh.nodes.len()];
        for (n, g) in mesh.node_ijk.iter().enumerate() {
            if o.in_layer(mesh.nodes[n], s, block.pitch) {
                layer[n] = true;
            } else if (0..3).all(|d| g[d] >= alo[d] && g[d] <= ahi[d]) {
                let k = block.grid_site.get(g).and_then(|site| mobile_of.get(site).copied()).ok_or_else(|| invalid("interface", format!("node {g:?}"), "an interface node has no atom"))?;
                interface.push((n, k));
            } else {
                continue;
            }
            fixed[3 * n..3 * n + 3].iter_mut().for_each(|f| *f = true);
        }
        let mut c = [[0.0; 6]; 6];
        for p in 0..6 {
            for q in 0..6 {
                c[p][q] = c_gpa[p][q] / EV_PER_A3_IN_GPA;
            }
        }
        let elements: Vec<(Vec<usize>, Vec<f64>)> = (0..mesh.tets.len()).map(|t| (mesh.tets[t].iter().flat_map(|&n| [3 * n, 3 * n + 1, 3 * n + 2]).collect(), mesh.element_stiffness(t, &c))).collect();
        let continuum = Continuum::from_elements(3 * mesh.nodes.len(), &elements, &fixed)?;
        let mut atoms = atoms_of(&block, &mobile, &driven, potential, o)?;
        if o.lean_forces {
            atoms.set_density_subset(mobile.len() + n_inner)?;
        }
        let surface = if o.free_top && o.surface_relaxation {
            let held = o.boundary_layer.unwrap_or(2.0 * cutoff);
            // the smallest period the neighbour list allows, three cutoffs relaxed above the held
            // bottom; relaxed tightly (a few hundred atoms: its slow mode is the whole slab's z)
            let lateral = (2.0 * (cutoff + o.skin) / block.pitch[0].min(block.pitch[1])).ceil() as i64;
            let depth = ((held + 3.0 * cutoff) / block.pitch[2]).ceil() as i64;
            let fire = Fire { fmax: o.fmax.min(1e-5), ..o.fire()? };
            SurfaceProfile::relax(unit, atoms.eval.potential().clone(), lateral, depth, held, &fire, o.skin, o.threads)?
        } else {
            SurfaceProfile::default()
        };
        let surf_mobile: Vec<f64> = mobile.iter().map(|&k| surface.at(block.sites[k][2])).collect();
        let surf_pad: Vec<f64> = driven.iter().map(|&k| surface.at(block.sites[k][2])).collect();
        let u = vec![0.0; 3 * mesh.nodes.len()];
        let mut x = vec![0.0; 3 * mobile.len()];
        for (k, dz) in surf_mobile.iter().enumerate() {
            x[3 * k + 2] = *dz;
        }
        let seconds_setup = t0.elapsed().as_secs_f64();
        Ok(ForceBased3d {
            block,
            mesh,
            continuum,
            atoms,
            pad,
            interface,
            layer,
            u,
            x,
            indenter: None,
            indenter_force: [0.0; 3],
            surface,
            surf_mobile,
            surf_pad,
            evaluations: 0,
            seconds_forces: 0.0,
            seconds_solve: 0.0,
            seconds_setup,
            seconds_condense: 0.0,
            response: None,
            placed_at: None,
            last_fmax: f64::INFINITY,
            last_placed: false,
            pad_placements: 0,
            lag_restarts: 0,
            opts: o.clone(),
        })
    }

    /// Atoms of the atomistic region, pad atoms, mesh nodes, tetrahedra.
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        (self.atoms.n_mobile, self.pad.len(), self.mesh.nodes.len(), self.mesh.tets.len())
    }

    /// Block sites of the atoms of A (in the order of `x`).
    pub fn atom_sites(&self) -> &[usize] {
        &self.atoms.sites[..self.atoms.n_mobile]
    }

    /// Put every atom and node on the field `u(X)`.
    pub fn set_field(&mut self, f: &dyn Fn(Vec3) -> Vec3) {
        if let Some(r) = self.response.as_mut() {
            r.invalidate_base();
        }
        for (n, p) in self.mesh.nodes.iter().enumerate() {
            self.u[3 * n..3 * n + 3].copy_from_slice(&f(*p));
        }
        for k in 0..self.atoms.n_mobile {
            let v = f(self.block.sites[self.atoms.sites[k]]);
            self.x[3 * k..3 * k + 3].copy_from_slice(&v);
        }
    }

    /// Set the applied displacement `u(X)` on the boundary layer only.
    pub fn set_boundary_field(&mut self, f: &dyn Fn(Vec3) -> Vec3) {
        if let Some(r) = self.response.as_mut() {
            r.invalidate_base();
        }
        for (n, p) in self.mesh.nodes.iter().enumerate() {
            if self.layer[n] {
                self.u[3 * n..3 * n + 3].copy_from_slice(&f(*p));
            }
        }
    }

    fn place_pad(&mut self) {
        for (j, (t, w)) in self.pad.iter().enumerate() {
            let tet = self.mesh.tets[*t];
            let mut v = [0.0, 0.0, self.surf_pad.get(j).copied().unwrap_or(0.0)];
            for (c, &n) in tet.iter().enumerate() {
                for d in 0..3 {
                    v[d] += w[c] * self.u[3 * n + d];
                }
            }
            self.atoms.displace(self.atoms.n_mobile + j, v);
        }
    }

    /// Condense the continuum onto the interface (once; `condense`).
    fn condensed(&mut self) -> Result<()> {
        if self.response.is_some() || !self.opts.condense {
            return Ok(());
        }
        let t0 = std::time::Instant::now();
        let inputs: Vec<usize> = self.interface.iter().flat_map(|&(n, _)| [3 * n, 3 * n + 1, 3 * n + 2]).collect();
        let mut read = vec![false; 3 * self.mesh.nodes.len()];
        for (t, _) in &self.pad {
            for &n in &self.mesh.tets[*t] {
                read[3 * n..3 * n + 3].iter_mut().for_each(|r| *r = true);
            }
        }
        let outputs: Vec<usize> = self.continuum.free.iter().copied().filter(|&d| read[d]).collect();
        self.response = Some(PadResponse::new(&self.continuum, inputs, outputs)?);
        self.seconds_condense += t0.elapsed().as_secs_f64();
        Ok(())
    }

    /// Forces on the atoms of A at displacements `x` (the continuum in equilibrium with them);
    /// `detail`: a full evaluation (energies, per-atom virials) rather than a lean one; `fresh`:
    /// re-place the pad even if the interface moved less than `pad_lag`.
    fn forces_at(&mut self, x: &[f64], detail: bool, fresh: bool) -> Result<Vec<f64>> {
        self.condensed()?;
        let t0 = std::time::Instant::now();
        let lag = self.opts.pad_lag;
        // near convergence (the last forces within 3 fmax) the pad is always re-placed, so that
        // FIRE's stopping test sees up-to-date forces
        let stale = detail
            || fresh
            || lag <= 0.0
            || self.last_fmax < 3.0 * self.opts.fmax
            || match &self.placed_at {
                None => true,
                Some(p) => self.interface.iter().enumerate().any(|(j, &(_, k))| (0..3).any(|c| (x[3 * k + c] - p[3 * j + c]).abs() > lag)),
            };
        if stale {
            for &(n, k) in &self.interface {
                self.u[3 * n..3 * n + 3].copy_from_slice(&x[3 * k..3 * k + 3]);
                self.u[3 * n + 2] -= self.surf_mobile.get(k).copied().unwrap_or(0.0);
            }
            match self.response.as_mut() {
                // the whole mesh only for the final state (the report's nodal field)
                Some(r) if !detail => r.apply(&self.continuum, &mut self.u),
                _ => self.continuum.solve(&mut self.u),
            }
            self.place_pad();
            if lag > 0.0 {
                self.placed_at = Some(self.interface.iter().flat_map(|&(_, k)| [x[3 * k], x[3 * k + 1], x[3 * k + 2]]).collect());
            }
            self.pad_placements += 1;
        }
        self.last_placed = stale;
        let t1 = std::time::Instant::now();
        self.atoms.set_mobile(x);
        let mut f = if detail || !self.opts.lean_forces { self.atoms.mobile_forces()? } else { self.atoms.mobile_forces_lean()? };
        self.seconds_solve += (t1 - t0).as_secs_f64();
        self.seconds_forces += t1.elapsed().as_secs_f64();
        self.evaluations += 1;
        if let Some(ind) = self.indenter {
            self.indenter_force = ind.apply(&mobile_positions(&self.atoms, x), &mut f).0;
        }
        self.last_fmax = f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Ok(f)
    }

    /// Forces on the atoms of A at their current displacements `x`, the continuum in equilibrium
    /// with the interface: `detail` false is what a relaxation step sees (the condensed continuum,
    /// the lean evaluation), true the full sparse solve and a full evaluation (the final state).
    pub fn forces(&mut self, detail: bool) -> Result<Vec<f64>> {
        let x = self.x.clone();
        self.forces_at(&x, detail, true)
    }

    /// Relax the atoms of A (the continuum in equilibrium at every step); FIRE's (iterations,
    /// final largest force component).
    pub fn relax(&mut self) -> Result<(usize, f64)> {
        let f = self.opts.fire()?;
        let masses = self.atoms.mobile_masses();
        let mut x = self.x.clone();
        if let Some(ind) = self.indenter {
            check_indenter_inside(&ind, &self.atoms, &self.x)?;
        }
        self.last_fmax = f64::INFINITY;
        let mut r = fire(&mut x, &masses, &f, |x| self.forces_at(x, false, false))?;
        if self.opts.pad_lag > 0.0 {
            // FIRE stopped on forces from a possibly lagged pad: check with the pad re-placed, and
            // go on (from rest) until the up-to-date forces are below fmax as well
            // (no check needed when FIRE's last evaluation placed the pad itself)
            while !self.last_placed {
                let fmax = self.forces_at(&x, false, true)?.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                if fmax < f.fmax {
                    r.1 = fmax;
                    break;
                }
                self.lag_restarts += 1;
                let left = Fire { max_iter: f.max_iter.saturating_sub(r.0).max(1), ..f };
                let more = fire(&mut x, &masses, &left, |x| self.forces_at(x, false, false))?;
                r.0 += more.0;
            }
        }
        self.forces_at(&x, true, true)?;
        self.x = x;
        Ok(r)
    }

    /// Energy of the atoms of A at the last evaluation (potential only), eV.
    pub fn atomistic_energy(&self) -> f64 {
        self.atoms.mobile_energy()
    }

    /// The patch test: every atom and node on `u = H X`, no relaxation; the residual forces on
    /// the atoms of A and the free nodes.
    pub fn patch_test(&mut self, h: &[[f64; 3]; 3]) -> Result<PatchReport> {
        let h = *h;
        let affine = move |p: Vec3| -> Vec3 { [0usize, 1, 2].map(|a| h[a][0] * p[0] + h[a][1] * p[1] + h[a][2] * p[2]) };
        self.set_field(&|_| [0.0; 3]);
        self.place_pad();
        self.set_field(&affine);
        let x = self.x.clone();
        self.atoms.set_mobile(&x);
        let reference_force = self.atoms.mobile_forces()?.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let (max_atom_force, max_node_force) = self.residuals()?;
        Ok(PatchReport { max_atom_force, max_node_force, reference_force })
    }

    /// Largest force component on an atom of A and on a free node for the current atom and node
    /// displacements (the pad placed from the nodes; nothing solved or relaxed), eV/Å.
    pub fn residuals(&mut self) -> Result<(f64, f64)> {
        let x = self.x.clone();
        self.atoms.set_mobile(&x);
        self.place_pad();
        let fa = self.atoms.mobile_forces()?;
        let fnod = self.continuum.forces(&self.u);
        let max_node_force = self.continuum.free.iter().map(|&d| fnod[d].abs()).fold(0.0, f64::max);
        Ok((fa.iter().fold(0.0f64, |m, v| m.max(v.abs())), max_node_force))
    }
}

pub(crate) fn check_indenter_inside(ind: &Indenter, atoms: &Atoms, x: &[f64]) -> Result<()> {
    // a driven (pad or boundary) atom inside the indenter would be pushed by nothing
    for k in atoms.n_mobile..atoms.sites.len() {
        let r = atoms.current_of(k);
        let d2: f64 = (0..3).map(|c| (r[c] - ind.center[c]).powi(2)).sum();
        if d2 < ind.radius * ind.radius {
            return Err(invalid("indenter", format!("radius {} Å at {:?}", ind.radius, ind.center), "the indenter reaches atoms outside the atomistic region (make the region larger or the indent shallower)"));
        }
    }
    let _ = x;
    Ok(())
}
