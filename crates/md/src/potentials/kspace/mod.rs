//! Long-range Coulomb: LAMMPS `pair_style coul/long` with `kspace_style ewald` or `pppm`.
//!
//! The Coulomb energy of point charges in a periodic cell is split (Ewald) into
//! - a real-space sum over pairs within the cutoff `r_c`, `qqrd2e · q_i q_j erfc(g r)/r`
//!   ([`real_space`], LAMMPS `pair_style coul/long`),
//! - a reciprocal-space sum ([`ewald`]: explicit k-vectors, LAMMPS `kspace_style ewald`;
//!   [`pppm`]: particle–particle particle–mesh with FFTs, LAMMPS `kspace_style pppm`),
//! - the self energy `−qqrd2e · g Σ q_i² / √π` and, for a non-neutral cell, the energy of a
//!   uniform neutralising background `−qqrd2e · π Q² / (2 g² V)` (`Q = Σ q_i`).
//!
//! `g` (LAMMPS `g_ewald`), the Ewald k-vector limits and the PPPM mesh are chosen from the
//! requested relative force accuracy exactly as LAMMPS chooses them (see docs/kspace.md) unless
//! pinned (`kspace_modify gewald`, `mesh`, `order`, `kmax/ewald`). They are chosen for every
//! configuration the potential is given; MD binds [`super::Potential::pinned_for_run`] at the
//! start of a run (g and the PPPM mesh fixed as LAMMPS's `KSpace::init`, the Ewald limits and
//! the influence function recomputed per box as its `KSpace::setup`); pin everything for smooth
//! energy–volume curves ([`super::Potential::pinned_for`] fixes them at the values chosen for
//! one configuration; the elastic protocol does so on its reference cell).
//!
//! Units: metal (charges in e, energies in eV); `qqrd2e = 14.399645` eV·Å/e² (LAMMPS metal).
//! A non-neutral cell (|Q| > 1e-5 e, LAMMPS's threshold) is an error unless `neutralize` is set.

pub mod ewald;
pub mod pppm;
mod pppm_setup;
pub mod real_space;
#[cfg(test)]
mod tests;

use super::{Configuration, Needs, Output, Potential, Request, Scratch};
use crate::cell::{cross, dot, norm, Cell, Mat3};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// Coulomb constant in LAMMPS metal units (`force->qqr2e`), eV·Å/e².
pub const QQRD2E_METAL: f64 = 14.399645;
/// LAMMPS's neutrality threshold (`SMALL` in kspace.cpp), e.
pub const NEUTRAL_TOLERANCE: f64 = 1e-5;
/// The largest mesh (points per direction) or number of k-vectors per direction accepted before
/// the accuracy is declared impossible in the given box.
pub const MAX_MESH_PER_DIM: usize = 2048;
/// The largest total number of PPPM mesh points accepted.
pub const MAX_MESH_POINTS: usize = 1 << 27;
/// The largest Ewald k-vector index per direction accepted.
pub const MAX_KMAX: usize = 1000;
/// The largest number of Ewald k-vector candidates (`4 kx ky kz`) accepted.
pub const MAX_KVECTORS: usize = 20_000_000;

/// The reciprocal-space solver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KSpaceStyle {
    /// Explicit Ewald sum (LAMMPS `kspace_style ewald`).
    Ewald,
    /// Particle–particle particle–mesh, ik differentiation (LAMMPS `kspace_style pppm`).
    Pppm,
}

impl KSpaceStyle {
    /// The LAMMPS name.
    pub fn name(&self) -> &'static str {
        match self {
            KSpaceStyle::Ewald => "ewald",
            KSpaceStyle::Pppm => "pppm",
        }
    }
}

fn default_order() -> usize {
    5
}

/// `kspace_style` and `kspace_modify` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KSpaceSettings {
    /// Solver.
    pub style: KSpaceStyle,
    /// Requested relative RMS force accuracy (LAMMPS `kspace_style ewald 1e-6`): the absolute
    /// accuracy is this times the force between two unit charges 1 Å apart (14.399645 eV/Å).
    pub accuracy: f64,
    /// Splitting parameter g, 1/Å (`kspace_modify gewald`); chosen from the accuracy when absent.
    #[serde(default)]
    pub gewald: Option<f64>,
    /// PPPM mesh points per direction (`kspace_modify mesh`); chosen when absent.
    #[serde(default)]
    pub mesh: Option<[usize; 3]>,
    /// PPPM charge-assignment order 2..=7 (`kspace_modify order`, default 5).
    #[serde(default = "default_order")]
    pub order: usize,
    /// Ewald k-vector limits (`kspace_modify kmax/ewald`); chosen when absent.
    #[serde(default)]
    pub kmax_ewald: Option<[usize; 3]>,
    /// Accept a non-neutral cell and add the neutralising-background energy (LAMMPS warns and
    /// adds it); without it a net charge is an error.
    #[serde(default)]
    pub neutralize: bool,
}

impl KSpaceSettings {
    /// Settings of a style at a relative accuracy, everything else LAMMPS's default.
    pub fn new(style: KSpaceStyle, accuracy: f64) -> Self {
        KSpaceSettings { style, accuracy, gewald: None, mesh: None, order: 5, kmax_ewald: None, neutralize: false }
    }

    /// Validate the numbers (errors name the setting).
    pub fn validate(&self) -> Result<()> {
        if !(self.accuracy.is_finite() && self.accuracy > 0.0) {
            return Err(Error::invalid("kspace accuracy", self.accuracy, "must be positive and finite (relative force accuracy, e.g. 1e-5)"));
        }
        if let Some(g) = self.gewald {
            if !(g.is_finite() && g > 0.0) {
                return Err(Error::invalid("kspace_modify gewald", g, "must be positive and finite (1/Å)"));
            }
        }
        if !(2..=7).contains(&self.order) {
            return Err(Error::invalid("kspace_modify order", self.order, "PPPM order must be 2..7"));
        }
        if let Some(m) = self.mesh {
            if m.iter().any(|&n| n == 0 || n > MAX_MESH_PER_DIM) {
                return Err(Error::invalid("kspace_modify mesh", format!("{m:?}"), &format!("each must be 1..{MAX_MESH_PER_DIM}")));
            }
        }
        if let Some(k) = self.kmax_ewald {
            if k.iter().any(|&n| n == 0 || n > MAX_KMAX) {
                return Err(Error::invalid("kspace_modify kmax/ewald", format!("{k:?}"), &format!("each must be 1..{MAX_KMAX}")));
            }
        }
        Ok(())
    }
}

/// LAMMPS's view of a cell: the edge lengths and tilts of the equivalent upper-triangular box
/// (a along x, b in the xy plane), computed from rotation invariants so that any orientation of
/// the same lattice gives the same numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LammpsBox {
    pub lx: f64,
    pub ly: f64,
    pub lz: f64,
    pub xy: f64,
    pub xz: f64,
    pub yz: f64,
    /// Any tilt nonzero (LAMMPS `triclinic`; an orthogonal box uses LAMMPS's orthogonal paths).
    pub triclinic: bool,
}

impl LammpsBox {
    /// The box of a cell.
    pub fn of(cell: &Cell) -> Self {
        let h = cell.matrix();
        let (a, b, c) = (&h[0], &h[1], &h[2]);
        let lx = norm(a);
        let xy = dot(b, a) / lx;
        let ly = norm(&cross(a, b)) / lx;
        let xz = dot(c, a) / lx;
        let yz = (dot(b, c) - xy * xz) / ly;
        let lz = cell.volume() / (lx * ly);
        let triclinic = xy != 0.0 || xz != 0.0 || yz != 0.0;
        LammpsBox { lx, ly, lz, xy, xz, yz, triclinic }
    }
    /// Volume, Å³.
    pub fn volume(&self) -> f64 {
        self.lx * self.ly * self.lz
    }
    /// LAMMPS `lamda2xT` (with absolute tilts, as kspace.cpp): `Hᵀ v` of the box matrix.
    pub fn lamda2x_t(&self, v: [f64; 3]) -> [f64; 3] {
        [self.lx * v[0], self.xy.abs() * v[0] + self.ly * v[1], self.xz.abs() * v[0] + self.yz.abs() * v[1] + self.lz * v[2]]
    }
    /// LAMMPS `x2lamdaT`: `H⁻ᵀ v`.
    pub fn x2lamda_t(&self, v: [f64; 3]) -> [f64; 3] {
        let hi = [
            1.0 / self.lx,
            1.0 / self.ly,
            1.0 / self.lz,
            -self.yz / (self.ly * self.lz),
            (self.yz * self.xy - self.ly * self.xz) / (self.lx * self.ly * self.lz),
            -self.xy / (self.lx * self.ly),
        ];
        [hi[0] * v[0], hi[5] * v[0] + hi[1] * v[1], hi[4] * v[0] + hi[3] * v[1] + hi[2] * v[2]]
    }
}

/// Reciprocal vector `2π Σ_a n_a b_a` of integer indices `n` (b_a: reciprocal basis, the columns
/// of the inverse cell matrix), Cartesian, 1/Å.
#[inline]
pub(crate) fn kvector(inv: &Mat3, n: [f64; 3]) -> [f64; 3] {
    let tp = 2.0 * std::f64::consts::PI;
    [
        tp * (inv[0][0] * n[0] + inv[0][1] * n[1] + inv[0][2] * n[2]),
        tp * (inv[1][0] * n[0] + inv[1][1] * n[1] + inv[1][2] * n[2]),
        tp * (inv[2][0] * n[0] + inv[2][1] * n[1] + inv[2][2] * n[2]),
    ]
}

/// Virial factors of one k-vector in Voigt order (xx yy zz yz xz xy):
/// `δ_ab − 2 (1/k² + 1/(4g²)) k_a k_b`.
#[inline]
pub(crate) fn virial_factor(k: &[f64; 3], g: f64) -> [f64; 6] {
    let sqk = dot(k, k);
    let vterm = -2.0 * (1.0 / sqk + 0.25 / (g * g));
    [1.0 + vterm * k[0] * k[0], 1.0 + vterm * k[1] * k[1], 1.0 + vterm * k[2] * k[2], vterm * k[1] * k[2], vterm * k[0] * k[2], vterm * k[0] * k[1]]
}

/// The charge sums of a configuration (LAMMPS `qsum_qsq`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChargeSums {
    /// Σ q_i, e.
    pub qsum: f64,
    /// Σ q_i², e².
    pub qsqsum: f64,
    /// `qsqsum · qqrd2e` (LAMMPS `q2`).
    pub q2: f64,
    /// Number of atoms.
    pub natoms: usize,
}

/// LAMMPS's initial estimate of g from the accuracy (absolute, eV/Å) and the real-space cutoff.
pub fn estimate_gewald(accuracy: f64, cutoff: f64, b: &LammpsBox, sums: &ChargeSums) -> Result<f64> {
    if sums.q2 == 0.0 {
        return Err(Error::invalid("charges", "all zero", "an uncharged system needs kspace_modify gewald"));
    }
    let g = accuracy * (sums.natoms as f64 * cutoff * b.lx * b.ly * b.lz).sqrt() / (2.0 * sums.q2);
    Ok(if g >= 1.0 { (1.35 - 0.15 * accuracy.ln()) / cutoff } else { (-g.ln()).sqrt() / cutoff })
}

/// The k-space parameters actually used for a configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// Splitting parameter g, 1/Å.
    pub g_ewald: f64,
    /// Ewald: kxmax kymax kzmax; PPPM: mesh points per direction.
    pub grid: [usize; 3],
    /// PPPM order (0 for Ewald).
    pub order: usize,
    /// Number of k-vectors (Ewald) or mesh points (PPPM).
    pub count: usize,
    /// LAMMPS's estimate of the absolute RMS force accuracy (real + reciprocal), eV/Å.
    pub estimated_accuracy: f64,
}

/// `pair_style coul/long` with a k-space solver: per-species charges, real-space cutoff.
#[derive(Serialize, Deserialize)]
pub struct CoulLong {
    /// Species names.
    pub species: Vec<String>,
    /// Charge per species, e.
    pub charges: Vec<f64>,
    /// Real-space Coulomb cutoff, Å.
    pub cutoff: f64,
    /// Reciprocal-space settings.
    pub kspace: KSpaceSettings,
    /// Per-atom charges, e, replacing the per-species ones (a molecular data file's `atom_style
    /// full` charges; the configuration must have exactly this many atoms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atom_q: Option<Vec<f64>>,
    /// Solver state of the last cell (Green's function, k-vectors), reused while the cell, the
    /// charges and the atom count are unchanged.
    #[serde(skip)]
    cache: Mutex<Option<Solver>>,
}

impl std::fmt::Debug for CoulLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoulLong")
            .field("species", &self.species)
            .field("charges", &self.charges)
            .field("cutoff", &self.cutoff)
            .field("kspace", &self.kspace)
            .finish()
    }
}

impl Clone for CoulLong {
    fn clone(&self) -> Self {
        CoulLong {
            species: self.species.clone(),
            charges: self.charges.clone(),
            cutoff: self.cutoff,
            kspace: self.kspace.clone(),
            atom_q: self.atom_q.clone(),
            cache: Mutex::new(None),
        }
    }
}

/// A prepared reciprocal-space solver with the key it was prepared for.
enum Solver {
    Ewald(ewald::EwaldSolver),
    Pppm(pppm::PppmSolver),
}

impl Solver {
    fn key(&self) -> &SolverKey {
        match self {
            Solver::Ewald(s) => &s.key,
            Solver::Pppm(s) => &s.key,
        }
    }
}

/// What a prepared solver depends on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SolverKey {
    pub cell: Mat3,
    pub natoms: usize,
    pub qsum: f64,
    pub qsqsum: f64,
}

impl CoulLong {
    /// Build and validate. `species` and `charges` are parallel lists.
    pub fn new(species: Vec<String>, charges: Vec<f64>, cutoff: f64, kspace: KSpaceSettings) -> Result<Self> {
        if species.is_empty() {
            return Err(Error::invalid("species", "[]", "coul/long needs at least one species with a charge"));
        }
        if charges.len() != species.len() {
            return Err(Error::Shape(format!("{} species but {} charges", species.len(), charges.len())));
        }
        for (i, s) in species.iter().enumerate() {
            if species[..i].contains(s) {
                return Err(Error::invalid("species", s, "listed twice"));
            }
            if !charges[i].is_finite() {
                return Err(Error::invalid(&format!("charge of {s}"), charges[i], "must be finite (e)"));
            }
        }
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(Error::invalid("coul/long cutoff", cutoff, "must be positive and finite (Å)"));
        }
        kspace.validate()?;
        Ok(CoulLong { species, charges, cutoff, kspace, atom_q: None, cache: Mutex::new(None) })
    }

    /// The same potential with per-atom charges `q` (e) instead of the per-species ones (a
    /// molecular data file's charges): it then applies only to configurations of `q.len()` atoms.
    pub fn with_atom_charges(&self, q: Vec<f64>) -> Result<Self> {
        if let Some(i) = q.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite { what: "charge".into(), index: i });
        }
        let mut c = self.clone();
        c.atom_q = Some(q);
        Ok(c)
    }

    /// Per-atom charges of a configuration, e.
    pub fn atom_charges(&self, config: &Configuration<'_>) -> Result<Vec<f64>> {
        if let Some(q) = &self.atom_q {
            if q.len() != config.len() {
                return Err(Error::Shape(format!("coul/long has {} per-atom charges for a configuration of {} atoms", q.len(), config.len())));
            }
            return Ok(q.clone());
        }
        self.check_species(config.species)?;
        let per_type: Vec<f64> = config
            .species
            .iter()
            .map(|s| self.species.iter().position(|k| k == s).map(|k| self.charges[k]).unwrap_or(0.0))
            .collect();
        config
            .types
            .iter()
            .enumerate()
            .map(|(i, &t)| per_type.get(t).copied().ok_or_else(|| Error::invalid("type", t, &format!("of atom {i} has no species"))))
            .collect()
    }

    /// Charge sums, with the neutrality check.
    pub fn charge_sums(&self, q: &[f64]) -> Result<ChargeSums> {
        let qsum: f64 = q.iter().sum();
        let qsqsum: f64 = q.iter().map(|x| x * x).sum();
        if qsum.abs() > NEUTRAL_TOLERANCE && !self.kspace.neutralize {
            return Err(Error::invalid(
                "net charge",
                format!("{qsum:.8} e"),
                "the cell is not charge neutral; fix the charges or composition, or ask for a neutralising background (neutralize / kspace_modify neutralize yes)",
            ));
        }
        Ok(ChargeSums { qsum, qsqsum, q2: qsqsum * QQRD2E_METAL, natoms: q.len() })
    }

    /// The parameters (g, k-vector limits or mesh, accuracy estimate) this potential uses for a
    /// configuration.
    pub fn resolve(&self, config: &Configuration<'_>) -> Result<Resolved> {
        let q = self.atom_charges(config)?;
        let sums = self.charge_sums(&q)?;
        let solver = self.prepare(config.cell, &sums, None)?;
        Ok(match &solver {
            Solver::Ewald(s) => s.resolved.clone(),
            Solver::Pppm(s) => s.resolved.clone(),
        })
    }

    fn prepare(&self, cell: &Cell, sums: &ChargeSums, previous: Option<&Solver>) -> Result<Solver> {
        let key = SolverKey { cell: *cell.matrix(), natoms: sums.natoms, qsum: sums.qsum, qsqsum: sums.qsqsum };
        let accuracy = self.kspace.accuracy * QQRD2E_METAL;
        Ok(match self.kspace.style {
            KSpaceStyle::Ewald => Solver::Ewald(ewald::EwaldSolver::new(key, cell, sums, self.cutoff, accuracy, &self.kspace)?),
            KSpaceStyle::Pppm => {
                let previous = match previous {
                    Some(Solver::Pppm(p)) => Some(p),
                    _ => None,
                };
                Solver::Pppm(pppm::PppmSolver::new(key, cell, sums, self.cutoff, accuracy, &self.kspace, previous)?)
            }
        })
    }
}

impl Potential for CoulLong {
    fn pair_style(&self) -> &str {
        "coul/long"
    }
    fn cutoff(&self) -> f64 {
        self.cutoff
    }
    fn needs(&self) -> Needs {
        Needs { whole_configuration: true, ..Needs::half(self.cutoff) }
    }
    fn species(&self) -> Vec<String> {
        self.species.clone()
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        self.compute_with_short(config, req, scratch, out, 0.0, |_, _, _, _, _| None)
    }

    /// The same potential with g, the PPPM mesh or the Ewald k-vector limits fixed at the values
    /// chosen for `config` (`kspace_modify gewald … mesh …` / `kmax/ewald …`); `None` when all
    /// are already given.
    fn pinned_for(&self, config: &Configuration<'_>) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        self.pin_on(config, true)
    }

    /// LAMMPS's semantics for one `run`: g (and for PPPM the mesh; the order is a setting) fixed
    /// at the values chosen for `config` (`KSpace::init`), while everything that depends on the
    /// box is recomputed for each new cell at that g (`KSpace::setup`, which `fix npt` calls
    /// after every box change): the Ewald k-vector limits (from the accuracy at fixed g) and
    /// k-vectors, the PPPM mesh spacing, k-vectors and influence function. `None` when g and
    /// (PPPM) the mesh are already given.
    fn pinned_for_run(&self, config: &Configuration<'_>) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        self.pin_on(config, false)
    }
}

impl CoulLong {
    /// g, the PPPM mesh and (`ewald_kmax`) the Ewald k limits fixed at the values chosen for
    /// `config`; `None` when every one of them is already given.
    fn pin_on(&self, config: &Configuration<'_>, ewald_kmax: bool) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        let pinned_grid = match self.kspace.style {
            KSpaceStyle::Ewald => !ewald_kmax || self.kspace.kmax_ewald.is_some(),
            KSpaceStyle::Pppm => self.kspace.mesh.is_some(),
        };
        if self.kspace.gewald.is_some() && pinned_grid {
            return Ok(None);
        }
        let r = self.resolve(config)?;
        let mut ks = self.kspace.clone();
        ks.gewald = Some(r.g_ewald);
        match ks.style {
            KSpaceStyle::Ewald if ewald_kmax => ks.kmax_ewald = Some(r.grid),
            KSpaceStyle::Ewald => {}
            KSpaceStyle::Pppm => ks.mesh = Some(r.grid),
        }
        self.with_kspace(ks)
    }

    /// The same charges and cutoff with other k-space settings (a fresh solver cache).
    fn with_kspace(&self, ks: KSpaceSettings) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        let mut pinned = CoulLong::new(self.species.clone(), self.charges.clone(), self.cutoff, ks)?;
        pinned.atom_q = self.atom_q.clone();
        Ok(Some(std::sync::Arc::new(pinned)))
    }
}

impl CoulLong {
    /// [`Potential::compute`] with a short-range pair term `short(i, j, r², r, 1/r²) ->
    /// Some((E, F/r))` (owner atoms `i`, `j`; `None` beyond its own cutoff, at most `short_cutoff` Å) added in
    /// the same pass over the pairs (LAMMPS `buck/coul/long`: one loop for both terms).
    pub fn compute_with_short<S>(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output, short_cutoff: f64, short: S) -> Result<()>
    where
        S: Fn(usize, usize, f64, f64, f64) -> Option<(f64, f64)> + Sync,
    {
        let q = self.atom_charges(config)?;
        let sums = self.charge_sums(&q)?;
        for (i, r) in config.positions.iter().enumerate() {
            if !(r[0].is_finite() && r[1].is_finite() && r[2].is_finite()) {
                return Err(Error::NonFinite { what: "position".into(), index: i });
            }
        }
        let mut guard = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let key = SolverKey { cell: *config.cell.matrix(), natoms: sums.natoms, qsum: sums.qsum, qsqsum: sums.qsqsum };
        if guard.as_ref().map(|s| s.key() != &key).unwrap_or(true) {
            let next = self.prepare(config.cell, &sums, guard.as_ref())?;
            *guard = Some(next);
        }
        let Some(solver) = guard.as_ref() else {
            return Err(Error::invalid("kspace", "unprepared", "internal: solver missing"));
        };
        let g = match solver {
            Solver::Ewald(s) => s.resolved.g_ewald,
            Solver::Pppm(s) => s.resolved.g_ewald,
        };
        real_space::compute_fused(config, &q, g, self.cutoff, req, scratch, out, short_cutoff, short)?;
        match solver {
            Solver::Ewald(s) => s.compute(config, &q, &sums, req, out),
            Solver::Pppm(s) => s.compute(config, &q, &sums, req, out),
        }
        Ok(())
    }
}
