//! Embedded-atom method (LAMMPS `pair_style eam`, `eam/alloy`, `eam/fs`), tabulated.
//!
//! `E = Σ_i F_i(ρ_i) + ½ Σ_{i≠j} φ_ij(r_ij)`, `ρ_i = Σ_{j≠i} ρ_{j→i}(r_ij)`, where
//! `ρ_{a→b}(r)` is the density an atom of element `a` contributes at an atom of element `b`
//! (it depends on `a` only for funcfl and setfl files, on both for Finnis–Sinclair files).
//!
//! The tables and their interpolation are LAMMPS's (`pair_eam.cpp`), reproduced operation by
//! operation so that energies, forces and virials agree to round-off:
//! - funcfl (`.eam`, DYNAMO single-element) files are brought onto one common grid by
//!   four-point Lagrange interpolation (`file2array`): `dr = max dr_f`, `drho = max drho_f`,
//!   `nr = ⌊max_f (nr_f − 1)·dr_f / dr + ½⌋`, likewise `nrho`; the pair term is tabulated as
//!   `r·φ_ab = 27.2 · 0.529 · Z_a(r) · Z_b(r)` (Hartree·Bohr → eV·Å, LAMMPS's constants);
//! - setfl (`.eam.alloy`) and Finnis–Sinclair (`.eam.fs`) tables are used as read
//!   ([`super::eam_alloy`], [`super::eam_fs`]);
//! - every table becomes a cubic spline with 7 coefficients per knot (`interpolate`);
//!   lookups use `p = r/dr + 1`, `m = min(⌊p⌋, nr−1)`, `p = min(p − m, 1)`;
//! - a density beyond the table, `ρ > ρ_max = (nrho−1)·drho`, adds `F'(ρ_max)(ρ − ρ_max)` to
//!   the energy (linear extrapolation, as LAMMPS).
//!
//! Energies in eV, distances in Å, densities in the file's own unit.
//!
//! The per-atom virial splits each pair's `r_ij ⊗ f_ij` equally between the two atoms; EAM forces
//! are central pairwise forces, so this *is* the centroid form (LAMMPS
//! `compute centroid/stress/atom` equals `stress/atom` for EAM).

use super::{pair_loop, Output, Potential, Request, Scratch, ThreadBuffer};
use crate::error::{Error, Result};
use crate::neighbors::NeighborList;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The file format (LAMMPS pair style) an [`EmbeddedAtom`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EamStyle {
    /// DYNAMO funcfl files, LAMMPS `pair_style eam`.
    Funcfl,
    /// DYNAMO setfl files, LAMMPS `pair_style eam/alloy`.
    Alloy,
    /// Finnis–Sinclair setfl variant, LAMMPS `pair_style eam/fs`.
    FinnisSinclair,
}

impl EamStyle {
    /// LAMMPS pair style name.
    pub fn pair_style(self) -> &'static str {
        match self {
            EamStyle::Funcfl => "eam",
            EamStyle::Alloy => "eam/alloy",
            EamStyle::FinnisSinclair => "eam/fs",
        }
    }
}

/// Raw tables of an EAM potential on one common grid (LAMMPS `frho`, `rhor`, `z2r` after
/// `file2array`). Grid point `k` (0-based) sits at `ρ = k·drho` and `r = k·dr`.
#[derive(Clone, Debug, PartialEq)]
pub struct EamTables {
    /// Element names (the species names structures must use).
    pub elements: Vec<String>,
    /// Atomic numbers from the file.
    pub numbers: Vec<u32>,
    /// Masses from the file, amu.
    pub masses: Vec<f64>,
    pub nrho: usize,
    /// ρ spacing.
    pub drho: f64,
    pub nr: usize,
    /// r spacing, Å.
    pub dr: f64,
    /// Cutoff, Å.
    pub cut: f64,
    /// Largest tabulated density (energies beyond it are extrapolated linearly).
    pub rhomax: f64,
    /// `F_a(ρ)` per element, eV (nrho values each).
    pub frho: Vec<Vec<f64>>,
    /// `ρ_{a→b}(r)` at index `a·n + b` (nr values each).
    pub rhor: Vec<Vec<f64>>,
    /// `r·φ_ab(r)` (eV·Å) at the lower-triangular index of (max(a,b), min(a,b)) (nr values each).
    pub z2r: Vec<Vec<f64>>,
}

/// LAMMPS's 7-coefficient cubic spline knot: `[3c/Δ, 2b/Δ, a/Δ, c, b, a, f]` so that
/// value = `((k3 p + k4) p + k5) p + k6` and derivative = `(k0 p + k1) p + k2`.
type Knot = [f64; 7];

/// Knot data of one ordered type pair (i, j) for the density pass: values of `ρ_{j→i}` and `ρ_{i→j}`.
type DensityKnot = [f64; 8];
/// Knot data of one ordered type pair (i, j) for the force pass:
/// `ρ'_{i→j}` (3), `ρ'_{j→i}` (3), `(rφ)'` (3), `rφ` (4).
type ForceKnot = [f64; 13];

/// A tabulated EAM potential (funcfl, setfl or Finnis–Sinclair).
#[derive(Clone, Debug)]
pub struct EmbeddedAtom {
    style: EamStyle,
    tables: EamTables,
    /// Where the tables came from (path or generator), for provenance.
    source: String,
    rdr: f64,
    rdrho: f64,
    frho_spline: Vec<Vec<Knot>>,
    /// Per ordered element pair (a, b) at `a·n + b`.
    density_knots: Vec<Vec<DensityKnot>>,
    force_knots: Vec<Vec<ForceKnot>>,
    fingerprint: String,
}

/// Lower-triangular index of an element pair (LAMMPS `type2z2r`).
pub fn z2r_index(a: usize, b: usize) -> usize {
    let (row, col) = if a >= b { (a, b) } else { (b, a) };
    row * (row + 1) / 2 + col
}

/// LAMMPS `PairEAM::interpolate`: spline coefficients of `f` (n values, spacing `delta`).
fn interpolate(f: &[f64], delta: f64) -> Vec<Knot> {
    let n = f.len();
    let mut s = vec![[0.0; 7]; n];
    for m in 0..n {
        s[m][6] = f[m];
    }
    // 1-based LAMMPS indices m ↦ m-1 here.
    s[0][5] = s[1][6] - s[0][6];
    s[1][5] = 0.5 * (s[2][6] - s[0][6]);
    s[n - 2][5] = 0.5 * (s[n - 1][6] - s[n - 3][6]);
    s[n - 1][5] = s[n - 1][6] - s[n - 2][6];
    for m in 2..n - 2 {
        s[m][5] = ((s[m - 2][6] - s[m + 2][6]) + 8.0 * (s[m + 1][6] - s[m - 1][6])) / 12.0;
    }
    for m in 0..n - 1 {
        s[m][4] = 3.0 * (s[m + 1][6] - s[m][6]) - 2.0 * s[m][5] - s[m + 1][5];
        s[m][3] = s[m][5] + s[m + 1][5] - 2.0 * (s[m + 1][6] - s[m][6]);
    }
    s[n - 1][4] = 0.0;
    s[n - 1][3] = 0.0;
    for k in s.iter_mut() {
        k[2] = k[5] / delta;
        k[1] = 2.0 * k[4] / delta;
        k[0] = 3.0 * k[3] / delta;
    }
    s
}

impl EmbeddedAtom {
    /// Build a potential from tables on a common grid, validating them.
    pub fn from_tables(style: EamStyle, tables: EamTables, source: &str) -> Result<Self> {
        let t = &tables;
        let ne = t.elements.len();
        if ne == 0 {
            return Err(Error::invalid("elements", "[]", "an EAM potential needs at least one element"));
        }
        for (i, e) in t.elements.iter().enumerate() {
            if t.elements[..i].contains(e) {
                return Err(Error::invalid("elements", e, "listed twice"));
            }
        }
        if t.numbers.len() != ne || t.masses.len() != ne || t.frho.len() != ne {
            return Err(Error::Shape(format!(
                "{} elements, {} atomic numbers, {} masses, {} embedding functions",
                ne,
                t.numbers.len(),
                t.masses.len(),
                t.frho.len()
            )));
        }
        if t.rhor.len() != ne * ne || t.z2r.len() != ne * (ne + 1) / 2 {
            return Err(Error::Shape(format!(
                "{} density and {} pair tables for {} elements (need {} and {})",
                t.rhor.len(),
                t.z2r.len(),
                ne,
                ne * ne,
                ne * (ne + 1) / 2
            )));
        }
        if t.nrho < 5 || t.nr < 5 {
            return Err(Error::invalid("grid size", format!("nrho = {}, nr = {}", t.nrho, t.nr), "need at least 5 points each"));
        }
        if !(t.drho.is_finite() && t.drho > 0.0) {
            return Err(Error::invalid("drho", t.drho, "must be positive and finite"));
        }
        if !(t.dr.is_finite() && t.dr > 0.0) {
            return Err(Error::invalid("dr", t.dr, "must be positive and finite (Å)"));
        }
        if !(t.cut.is_finite() && t.cut > 0.0) {
            return Err(Error::invalid("cutoff", t.cut, "must be positive and finite (Å)"));
        }
        // Tables hold r = 0, dr, ..., (nr-1)·dr; generators commonly use dr = cut/nr, and
        // LAMMPS's funcfl regridding drops one more point, so a grid ending up to two steps short
        // of the cutoff is accepted (LAMMPS clamps there), anything shorter is not.
        if t.cut > (t.nr + 1) as f64 * t.dr * (1.0 + 1e-9) {
            return Err(Error::invalid(
                "cutoff",
                format!("{} Å", t.cut),
                &format!("the r grid ends at {:.6} Å ({} points × {} Å): it does not cover the cutoff", (t.nr - 1) as f64 * t.dr, t.nr, t.dr),
            ));
        }
        for (what, arrays, len) in [("F(rho)", &t.frho, t.nrho), ("rho(r)", &t.rhor, t.nr), ("r*phi(r)", &t.z2r, t.nr)] {
            for (k, a) in arrays.iter().enumerate() {
                if a.len() != len {
                    return Err(Error::Shape(format!("{what} table {k} has {} values, expected {len}", a.len())));
                }
                if let Some(i) = a.iter().position(|x| !x.is_finite()) {
                    return Err(Error::NonFinite { what: format!("{what} table {k} value"), index: i });
                }
            }
        }
        let frho_spline: Vec<Vec<Knot>> = t.frho.iter().map(|f| interpolate(f, t.drho)).collect();
        let rhor_spline: Vec<Vec<Knot>> = t.rhor.iter().map(|f| interpolate(f, t.dr)).collect();
        let z2r_spline: Vec<Vec<Knot>> = t.z2r.iter().map(|f| interpolate(f, t.dr)).collect();
        let mut density_knots = Vec::with_capacity(ne * ne);
        let mut force_knots = Vec::with_capacity(ne * ne);
        for a in 0..ne {
            for b in 0..ne {
                // i of element a, j of element b
                let ji = &rhor_spline[b * ne + a]; // ρ_{j→i}
                let ij = &rhor_spline[a * ne + b]; // ρ_{i→j}
                let z = &z2r_spline[z2r_index(a, b)];
                let dk: Vec<DensityKnot> =
                    (0..t.nr).map(|m| [ji[m][3], ji[m][4], ji[m][5], ji[m][6], ij[m][3], ij[m][4], ij[m][5], ij[m][6]]).collect();
                let fk: Vec<ForceKnot> = (0..t.nr)
                    .map(|m| {
                        [
                            ij[m][0], ij[m][1], ij[m][2], ji[m][0], ji[m][1], ji[m][2], z[m][0], z[m][1], z[m][2], z[m][3], z[m][4],
                            z[m][5], z[m][6],
                        ]
                    })
                    .collect();
                density_knots.push(dk);
                force_knots.push(fk);
            }
        }
        let mut h = Sha256::new();
        h.update(style.pair_style().as_bytes());
        for e in &t.elements {
            h.update(e.as_bytes());
            h.update([0u8]);
        }
        for v in [t.drho, t.dr, t.cut, t.rhomax] {
            h.update(v.to_le_bytes());
        }
        for arr in t.frho.iter().chain(t.rhor.iter()).chain(t.z2r.iter()) {
            for v in arr {
                h.update(v.to_le_bytes());
            }
        }
        let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let fingerprint = format!("{} [{}] sha256:{}", style.pair_style(), t.elements.join(" "), digest);
        Ok(EmbeddedAtom {
            style,
            rdr: 1.0 / t.dr,
            rdrho: 1.0 / t.drho,
            tables,
            source: source.to_string(),
            frho_spline,
            density_knots,
            force_knots,
            fingerprint,
        })
    }

    /// The file format / LAMMPS style.
    pub fn style(&self) -> EamStyle {
        self.style
    }
    /// The tables on the common grid.
    pub fn tables(&self) -> &EamTables {
        &self.tables
    }
    /// Element names in table order.
    pub fn elements(&self) -> &[String] {
        &self.tables.elements
    }
    /// Masses from the file, amu.
    pub fn masses(&self) -> &[f64] {
        &self.tables.masses
    }
    /// Where the potential came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn element_index(&self, name: &str) -> Option<usize> {
        self.tables.elements.iter().position(|e| e == name)
    }

    /// Embedding energy `F_a(ρ)` (eV) and its derivative, exactly as LAMMPS evaluates them
    /// (including the linear extrapolation beyond the table).
    pub fn embedding(&self, a: usize, rho: f64) -> (f64, f64) {
        let nrho = self.tables.nrho;
        let p = rho * self.rdrho + 1.0;
        let m = (p as usize).clamp(1, nrho - 1);
        let p = (p - m as f64).min(1.0);
        let k = &self.frho_spline[a][m - 1];
        let fp = (k[0] * p + k[1]) * p + k[2];
        let mut phi = ((k[3] * p + k[4]) * p + k[5]) * p + k[6];
        if rho > self.tables.rhomax {
            phi += fp * (rho - self.tables.rhomax);
        }
        (phi, fp)
    }

    /// Density `ρ_{a→b}(r)`, pair energy `φ_ab(r)` (eV) and their r-derivatives, as LAMMPS.
    pub fn pair_functions(&self, a: usize, b: usize, r: f64) -> (f64, f64, f64, f64) {
        let (m, p) = self.locate(r);
        let ne = self.tables.elements.len();
        let d = &self.density_knots[b * ne + a][m - 1]; // i = b, j = a: entry 0..4 is ρ_{a→b}
        let rho = ((d[0] * p + d[1]) * p + d[2]) * p + d[3];
        let f = &self.force_knots[b * ne + a][m - 1];
        let drho = (f[3] * p + f[4]) * p + f[5];
        let z2p = (f[6] * p + f[7]) * p + f[8];
        let z2 = ((f[9] * p + f[10]) * p + f[11]) * p + f[12];
        let phi = z2 / r;
        let dphi = z2p / r - phi / r;
        (rho, drho, phi, dphi)
    }

    #[inline]
    fn locate(&self, r: f64) -> (usize, f64) {
        let p = r * self.rdr + 1.0;
        let m = (p as usize).clamp(1, self.tables.nr - 1);
        (m, (p - m as f64).min(1.0))
    }

    fn type_map(&self, species: &[String]) -> Result<Vec<usize>> {
        species
            .iter()
            .map(|s| {
                self.element_index(s).ok_or_else(|| Error::UnknownSpecies {
                    species: s.clone(),
                    potential: format!("{} ({})", self.style.pair_style(), self.source),
                    known: self.tables.elements.join(", "),
                })
            })
            .collect()
    }
}

impl Potential for EmbeddedAtom {
    fn pair_style(&self) -> &str {
        self.style.pair_style()
    }
    fn cutoff(&self) -> f64 {
        self.tables.cut
    }
    fn species(&self) -> Vec<String> {
        self.tables.elements.clone()
    }
    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    fn compute(&self, species: &[String], nl: &NeighborList, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let map = self.type_map(species)?;
        let nt = species.len();
        let ne = self.tables.elements.len();
        // per structure-type pair: index into the knot tables
        let mut pair_of = vec![0usize; nt * nt];
        for a in 0..nt {
            for b in 0..nt {
                pair_of[a * nt + b] = map[a] * ne + map[b];
            }
        }
        let n = out.forces.len();
        let n_ext = nl.n_ext();
        let cutsq = self.tables.cut * self.tables.cut;
        let rdr = self.rdr;
        let nr1 = self.tables.nr - 1;
        let pos = &nl.ext_pos;
        let typ = &nl.ext_type;

        // ---- pass 1: densities into per-thread image buffers ----
        let nthreads = rayon::current_num_threads().max(1);
        let ranges = nl.balanced_ranges(nthreads);
        scratch.buffers.resize_with(ranges.len(), Default::default);
        let dknots = &self.density_knots;
        // one element pair only (pure metals): skip the per-pair type lookup
        let uniform = pair_of.iter().all(|&x| x == pair_of[0]);
        let d0: &[DensityKnot] = &dknots[pair_of[0]];
        scratch.buffers.par_iter_mut().zip(ranges.into_par_iter()).for_each(|(buf, range)| {
            let ThreadBuffer { scalar: rho, pair_index, pair_dist, pair_count, .. } = buf;
            rho.clear();
            rho.resize(n_ext, 0.0);
            pair_index.clear();
            pair_dist.clear();
            pair_count.clear();
            // expected share of list pairs inside the cutoff (uniform density), with a margin
            let total = nl.offsets[range.end] - nl.offsets[range.start];
            let share = ((nl.cutoff / (nl.cutoff + nl.skin)).powi(3) * 1.15).min(1.0);
            let want = (total as f64 * share) as usize + 64;
            pair_index.reserve(want.saturating_sub(pair_index.len()));
            pair_dist.reserve(want.saturating_sub(pair_dist.len()));
            let mut tj: Vec<u32> = Vec::new();
            let mut tr: Vec<f64> = Vec::new();
            for c in range {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let ti = typ[i] as usize;
                let nbrs = &nl.neighbors[nl.offsets[c]..nl.offsets[c + 1]];
                // branch-free compaction of the pairs within the cutoff
                if tj.len() < nbrs.len() {
                    tj.resize(nbrs.len(), 0);
                    tr.resize(nbrs.len(), 0.0);
                }
                let mut k = 0usize;
                for &j in nbrs {
                    let xj = pos[j as usize];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let rsq = dx * dx + dy * dy + dz * dz;
                    tj[k] = j;
                    tr[k] = rsq;
                    k += (rsq < cutsq) as usize;
                }
                let (tj, tr) = (&tj[..k], &mut tr[..k]);
                for r in tr.iter_mut() {
                    *r = r.sqrt();
                }
                let mut rho_i = 0.0;
                for (&j, &r) in tj.iter().zip(tr.iter()) {
                    let j = j as usize;
                    let p = r * rdr + 1.0;
                    let m = (p as usize).min(nr1);
                    let p = (p - m as f64).min(1.0);
                    let tab: &[DensityKnot] = if uniform { d0 } else { &dknots[pair_of[ti * nt + typ[j] as usize]] };
                    let kn = &tab[m - 1];
                    rho_i += ((kn[0] * p + kn[1]) * p + kn[2]) * p + kn[3];
                    rho[j] += ((kn[4] * p + kn[5]) * p + kn[6]) * p + kn[7];
                }
                rho[i] += rho_i;
                pair_index.extend_from_slice(tj);
                pair_dist.extend_from_slice(tr);
                pair_count.push(k as u32);
            }
        });
        // fold onto owners
        let mut rho_atom = std::mem::take(&mut scratch.atom_scalar);
        rho_atom.clear();
        rho_atom.resize(n, 0.0);
        for buf in &scratch.buffers {
            for (e, v) in buf.scalar.iter().enumerate() {
                rho_atom[nl.ext_owner[e] as usize] += v;
            }
        }
        // embedding energies and F'(ρ)
        let mut atom_types = vec![0usize; n];
        for &c in &nl.centers {
            atom_types[nl.ext_owner[c as usize] as usize] = typ[c as usize] as usize;
        }
        let mut fp_atom = vec![0.0; n];
        let mut e_embed = 0.0;
        for i in 0..n {
            let (phi, fp) = self.embedding(map[atom_types[i]], rho_atom[i]);
            fp_atom[i] = fp;
            e_embed += phi;
            if req.per_atom_energy {
                out.per_atom_energy[i] += phi;
            }
        }
        if req.energy {
            out.energy += e_embed;
        }
        if req.per_atom_energy {
            out.density = rho_atom.clone();
        }
        let mut fp_vec = std::mem::take(&mut scratch.image_scalar);
        fp_vec.clear();
        fp_vec.extend(nl.ext_owner.iter().map(|&o| fp_atom[o as usize]));
        let fp_ext: &[f64] = &fp_vec;

        // ---- pass 2: forces ----
        let fknots = &self.force_knots;
        let f0: &[ForceKnot] = &fknots[pair_of[0]];
        let want_e = req.energy || req.per_atom_energy;
        let result = pair_loop(nl, req, scratch, out, |range, buf| {
            let mut energy = 0.0;
            let mut virial = [0.0; 6];
            let ThreadBuffer { forces, per_atom_energy, per_atom_virial, pair_index, pair_dist, pair_count, .. } = buf;
            let mut off = 0usize;
            for (c, &cnt) in range.zip(pair_count.iter()) {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let ti = typ[i] as usize;
                let fpi = fp_ext[i];
                let mut fi = [0.0; 3];
                let end = off + cnt as usize;
                for (&j, &r) in pair_index[off..end].iter().zip(&pair_dist[off..end]) {
                    let j = j as usize;
                    let xj = pos[j];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let p = r * rdr + 1.0;
                    let m = (p as usize).min(nr1);
                    let p = (p - m as f64).min(1.0);
                    let tab: &[ForceKnot] = if uniform { f0 } else { &fknots[pair_of[ti * nt + typ[j] as usize]] };
                    let k = &tab[m - 1];
                    let rhoip = (k[0] * p + k[1]) * p + k[2];
                    let rhojp = (k[3] * p + k[4]) * p + k[5];
                    let z2p = (k[6] * p + k[7]) * p + k[8];
                    let z2 = ((k[9] * p + k[10]) * p + k[11]) * p + k[12];
                    let recip = 1.0 / r;
                    let phi = z2 * recip;
                    let phip = z2p * recip - phi * recip;
                    let psip = fpi * rhojp + fp_ext[j] * rhoip + phip;
                    let fpair = -psip * recip;
                    fi[0] += dx * fpair;
                    fi[1] += dy * fpair;
                    fi[2] += dz * fpair;
                    let fj = &mut forces[j];
                    fj[0] -= dx * fpair;
                    fj[1] -= dy * fpair;
                    fj[2] -= dz * fpair;
                    if want_e {
                        energy += phi;
                        if req.per_atom_energy {
                            per_atom_energy[i] += 0.5 * phi;
                            per_atom_energy[j] += 0.5 * phi;
                        }
                    }
                    if req.virial || req.per_atom_virial {
                        let v = [dx * dx * fpair, dy * dy * fpair, dz * dz * fpair, dy * dz * fpair, dx * dz * fpair, dx * dy * fpair];
                        for q in 0..6 {
                            virial[q] += v[q];
                        }
                        if req.per_atom_virial {
                            for q in 0..6 {
                                per_atom_virial[i][q] += 0.5 * v[q];
                                per_atom_virial[j][q] += 0.5 * v[q];
                            }
                        }
                    }
                }
                off = end;
                let f = &mut forces[i];
                f[0] += fi[0];
                f[1] += fi[1];
                f[2] += fi[2];
            }
            if req.energy {
                buf.energy += energy;
            }
            if req.virial {
                for q in 0..6 {
                    buf.virial[q] += virial[q];
                }
            }
            Ok(())
        });
        scratch.image_scalar = fp_vec;
        scratch.atom_scalar = rho_atom;
        result?;
        if req.per_atom_energy {
            out.coordination = coordination_numbers(nl, self.tables.cut, n);
        }
        Ok(())
    }
}

/// Number of neighbours of every atom within `cutoff` (Å, at most the list's cutoff + skin),
/// counting periodic images separately.
pub fn coordination_numbers(nl: &NeighborList, cutoff: f64, n: usize) -> Vec<f64> {
    let cutsq = cutoff * cutoff;
    let mut cn = vec![0.0; n];
    for (c, &i) in nl.centers.iter().enumerate() {
        let xi = nl.ext_pos[i as usize];
        let oi = nl.ext_owner[i as usize] as usize;
        for &j in &nl.neighbors[nl.offsets[c]..nl.offsets[c + 1]] {
            let xj = nl.ext_pos[j as usize];
            let d = [xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]];
            if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < cutsq {
                cn[oi] += 1.0;
                cn[nl.ext_owner[j as usize] as usize] += 1.0;
            }
        }
    }
    cn
}

// ---------------------------------------------------------------------------------------------
// Reading files
// ---------------------------------------------------------------------------------------------

/// Token reader over a potential file with LAMMPS `PotentialFileReader` semantics: `#` starts a
/// comment, blank lines are skipped when reading values, a value list may span lines and the
/// rest of its last line is ignored.
pub(crate) struct Reader<'a> {
    path: String,
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(path: &str, text: &'a str) -> Self {
        Reader { path: path.to_string(), lines: text.lines().collect(), next: 0 }
    }
    pub(crate) fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::Parse { path: self.path.clone(), line, msg: msg.into() }
    }
    pub(crate) fn skip_line(&mut self, what: &str) -> Result<()> {
        if self.next >= self.lines.len() {
            return Err(self.err(self.next + 1, format!("file ends before {what}")));
        }
        self.next += 1;
        Ok(())
    }
    /// Next non-empty line (comments stripped) as words; at least `min` of them.
    pub(crate) fn next_words(&mut self, min: usize, what: &str) -> Result<(usize, Vec<&'a str>)> {
        while self.next < self.lines.len() {
            let raw = self.lines[self.next];
            self.next += 1;
            let body = raw.split('#').next().unwrap_or("");
            let words: Vec<&str> = body.split_whitespace().collect();
            if words.is_empty() {
                continue;
            }
            if words.len() < min {
                return Err(self.err(self.next, format!("{what}: expected at least {min} values, found {}", words.len())));
            }
            return Ok((self.next, words));
        }
        Err(self.err(self.next + 1, format!("file ends before {what}")))
    }
    /// `n` floating-point values spanning as many lines as needed.
    pub(crate) fn next_values(&mut self, n: usize, what: &str) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.next >= self.lines.len() {
                return Err(self.err(
                    self.next,
                    format!("file is truncated: expected {n} values of {what}, found {} before the end", out.len()),
                ));
            }
            let raw = self.lines[self.next];
            self.next += 1;
            let body = raw.split('#').next().unwrap_or("");
            for w in body.split_whitespace() {
                if out.len() == n {
                    break;
                }
                let v = parse_f64(w).ok_or_else(|| self.err(self.next, format!("{what}: '{w}' is not a number")))?;
                out.push(v);
            }
        }
        Ok(out)
    }
}

/// Parse a number as C's `strtod` would for well-formed input (also Fortran `D` exponents).
pub(crate) fn parse_f64(w: &str) -> Option<f64> {
    match w.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) => w.replace(['D', 'd'], "e").parse::<f64>().ok(),
    }
}

pub(crate) fn parse_usize(reader: &Reader, line: usize, w: &str, what: &str) -> Result<usize> {
    w.parse::<usize>().map_err(|_| reader.err(line, format!("{what}: '{w}' is not a non-negative integer")))
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })
}

/// One DYNAMO funcfl file as read (1 element), before regridding.
#[derive(Clone, Debug)]
pub struct Funcfl {
    pub number: u32,
    pub mass: f64,
    pub nrho: usize,
    pub drho: f64,
    pub nr: usize,
    pub dr: f64,
    pub cut: f64,
    pub frho: Vec<f64>,
    /// Effective charge Z(r) (sqrt(Hartree·Bohr)).
    pub zr: Vec<f64>,
    pub rhor: Vec<f64>,
}

/// Read a funcfl file (LAMMPS `PairEAM::read_file`).
pub fn read_funcfl(path: &Path) -> Result<Funcfl> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let mut r = Reader::new(&name, &text);
    r.skip_line("the comment line")?;
    let (l2, w) = r.next_words(2, "atomic number and mass (line 2)")?;
    let number = parse_usize(&r, l2, w[0], "atomic number")? as u32;
    let mass = parse_f64(w[1]).ok_or_else(|| r.err(l2, format!("mass '{}' is not a number", w[1])))?;
    let (l3, w) = r.next_words(5, "grid line 'nrho drho nr dr cutoff'")?;
    let nrho = parse_usize(&r, l3, w[0], "nrho")?;
    let nr = parse_usize(&r, l3, w[2], "nr")?;
    let mut g = [0.0; 3];
    for (k, idx) in [1usize, 3, 4].iter().enumerate() {
        g[k] = parse_f64(w[*idx]).ok_or_else(|| r.err(l3, format!("'{}' is not a number", w[*idx])))?;
    }
    let (drho, dr, cut) = (g[0], g[1], g[2]);
    check_grid(&r, l3, nrho, drho, nr, dr, cut)?;
    let frho = r.next_values(nrho, "F(rho)")?;
    let zr = r.next_values(nr, "Z(r)")?;
    let rhor = r.next_values(nr, "rho(r)")?;
    Ok(Funcfl { number, mass, nrho, drho, nr, dr, cut, frho, zr, rhor })
}

pub(crate) fn check_grid(r: &Reader, line: usize, nrho: usize, drho: f64, nr: usize, dr: f64, cut: f64) -> Result<()> {
    if nrho < 5 || nr < 5 {
        return Err(r.err(line, format!("grid sizes nrho = {nrho}, nr = {nr}: need at least 5 points")));
    }
    if nrho > 10_000_000 || nr > 10_000_000 {
        return Err(r.err(line, format!("grid sizes nrho = {nrho}, nr = {nr} are implausibly large")));
    }
    if !(drho.is_finite() && drho > 0.0 && dr.is_finite() && dr > 0.0) {
        return Err(r.err(line, format!("grid spacings drho = {drho}, dr = {dr} must be positive")));
    }
    if !(cut.is_finite() && cut > 0.0) {
        return Err(r.err(line, format!("cutoff {cut} must be positive")));
    }
    if cut > nr as f64 * dr * (1.0 + 1e-9) {
        return Err(r.err(
            line,
            format!("the r grid ({nr} points × {dr} Å, up to {:.6} Å) does not cover the cutoff {cut} Å", (nr - 1) as f64 * dr),
        ));
    }
    Ok(())
}

/// Four-point Lagrange interpolation of a 1-based table `f` (index 1..=n, spacing `df`) at `x`,
/// exactly as LAMMPS `file2array`.
fn lagrange(f: &[f64], df: f64, x: f64) -> f64 {
    let sixth = 1.0 / 6.0;
    let n = f.len() as i64; // f is 0-based here: f[k-1] is LAMMPS f[k]
    let mut p = x / df + 1.0;
    let mut k = p as i64;
    k = k.min(n - 2);
    k = k.max(2);
    p -= k as f64;
    p = p.min(2.0);
    let cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
    let cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    let cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    let cof4 = sixth * p * (p * p - 1.0);
    let k = k as usize;
    cof1 * f[k - 2] + cof2 * f[k - 1] + cof3 * f[k] + cof4 * f[k + 1]
}

/// Combine funcfl files (one element each, named by `names`) onto one grid as LAMMPS does.
pub fn funcfl_tables(files: &[Funcfl], names: &[String]) -> Result<EamTables> {
    if files.is_empty() || files.len() != names.len() {
        return Err(Error::Shape(format!("{} funcfl files for {} element names", files.len(), names.len())));
    }
    let (mut dr, mut drho, mut rmax, mut rhomax) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut cut = 0.0f64;
    for f in files {
        dr = dr.max(f.dr);
        drho = drho.max(f.drho);
        rmax = rmax.max((f.nr - 1) as f64 * f.dr);
        rhomax = rhomax.max((f.nrho - 1) as f64 * f.drho);
        cut = cut.max(f.cut);
    }
    let nr = (rmax / dr + 0.5) as usize;
    let nrho = (rhomax / drho + 0.5) as usize;
    let frho: Vec<Vec<f64>> =
        files.iter().map(|f| (1..=nrho).map(|m| lagrange(&f.frho, f.drho, (m - 1) as f64 * drho)).collect()).collect();
    let rho1: Vec<Vec<f64>> =
        files.iter().map(|f| (1..=nr).map(|m| lagrange(&f.rhor, f.dr, (m - 1) as f64 * dr)).collect()).collect();
    let ne = files.len();
    let mut rhor = Vec::with_capacity(ne * ne);
    for a in 0..ne {
        for _b in 0..ne {
            rhor.push(rho1[a].clone());
        }
    }
    let mut z2r = Vec::with_capacity(ne * (ne + 1) / 2);
    for i in 0..ne {
        for j in 0..=i {
            let (fi, fj) = (&files[i], &files[j]);
            z2r.push(
                (1..=nr)
                    .map(|m| {
                        let r = (m - 1) as f64 * dr;
                        let zri = lagrange(&fi.zr, fi.dr, r);
                        let zrj = lagrange(&fj.zr, fj.dr, r);
                        27.2 * 0.529 * zri * zrj
                    })
                    .collect(),
            );
        }
    }
    Ok(EamTables {
        elements: names.to_vec(),
        numbers: files.iter().map(|f| f.number).collect(),
        masses: files.iter().map(|f| f.mass).collect(),
        nrho,
        drho,
        nr,
        dr,
        cut,
        rhomax,
        frho,
        rhor,
        z2r,
    })
}

/// Element symbol of an atomic number (for naming funcfl elements).
fn symbol_of(z: u32) -> Option<String> {
    // The element table is ordered by atomic number.
    let k = (z as usize).checked_sub(1)?;
    crate::elements::ATOMIC_MASSES.get(k).map(|(s, _)| s.to_string())
}

/// Load several funcfl files as one multi-element `eam` potential (LAMMPS
/// `pair_coeff i i file_i`): `files` pairs each element name with its file.
pub fn load_funcfl(files: &[(String, &Path)]) -> Result<EmbeddedAtom> {
    let mut fl = Vec::with_capacity(files.len());
    let mut names = Vec::with_capacity(files.len());
    for (name, p) in files {
        fl.push(read_funcfl(p)?);
        names.push(name.clone());
    }
    let t = funcfl_tables(&fl, &names)?;
    let src: Vec<String> = files.iter().map(|(n, p)| format!("{n}={}", p.display())).collect();
    EmbeddedAtom::from_tables(EamStyle::Funcfl, t, &src.join(","))
}

/// Detect the format of an EAM file: by extension (`.eam`, `.eam.alloy`/`.setfl`, `.eam.fs`),
/// otherwise from its content.
pub fn detect_style(path: &Path) -> Result<EamStyle> {
    let name = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".he") || name.ends_with(".cdeam") || name.ends_with(".poly") {
        return Err(Error::invalid(
            "EAM file",
            path.display(),
            "eam/he, eam/cd and eam/alloy polynomial formats are not supported (funcfl .eam, setfl .eam.alloy and .eam.fs are)",
        ));
    }
    if name.ends_with(".eam.fs") || name.ends_with(".fs") {
        return Ok(EamStyle::FinnisSinclair);
    }
    if name.ends_with(".eam.alloy") || name.ends_with(".setfl") || name.ends_with(".alloy") {
        return Ok(EamStyle::Alloy);
    }
    if name.ends_with(".eam") || name.ends_with(".funcfl") {
        return Ok(EamStyle::Funcfl);
    }
    // Content: setfl-family files have "N El1 ... ElN" on their 4th line.
    let text = read_text(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let p = path.display().to_string();
    let l4: Vec<&str> = lines.get(3).map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let is_setfl = l4.len() >= 2
        && l4[0].parse::<usize>().map(|n| n + 1 == l4.len()).unwrap_or(false)
        && l4[1..].iter().all(|w| parse_f64(w).is_none());
    if !is_setfl {
        return Ok(EamStyle::Funcfl);
    }
    // setfl vs Finnis–Sinclair: count the numbers after the grid line.
    let ne = l4.len() - 1;
    let g: Vec<&str> = lines.get(4).map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let (nrho, nr) = match (g.first().and_then(|w| w.parse::<usize>().ok()), g.get(2).and_then(|w| w.parse::<usize>().ok())) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::Parse { path: p, line: 5, msg: "expected 'nrho drho nr dr cutoff'".into() }),
    };
    let count: usize = lines[5..].iter().map(|l| l.split('#').next().unwrap_or("").split_whitespace().count()).sum();
    let pairs = ne * (ne + 1) / 2 * nr;
    let alloy = ne * (4 + nrho + nr) + pairs;
    let fs = ne * (4 + nrho + ne * nr) + pairs;
    Ok(if count.abs_diff(fs) < count.abs_diff(alloy) { EamStyle::FinnisSinclair } else { EamStyle::Alloy })
}

/// Load an EAM potential file, choosing the reader from the file (see [`detect_style`]).
///
/// `elements`: for setfl and Finnis–Sinclair files, the file's elements to use (all when
/// `None`); every name must be in the file. For a funcfl file, the one name to give its element
/// (default: the symbol of the atomic number in the file).
pub fn load(path: &Path, elements: Option<&[String]>) -> Result<EmbeddedAtom> {
    match detect_style(path)? {
        EamStyle::Funcfl => {
            let f = read_funcfl(path)?;
            let name = match elements {
                None => symbol_of(f.number).ok_or_else(|| {
                    Error::invalid("elements", "None", &format!("atomic number {} in {} is not an element; name it", f.number, path.display()))
                })?,
                Some([one]) => one.clone(),
                Some(other) => {
                    return Err(Error::invalid(
                        "elements",
                        format!("{other:?}"),
                        "a funcfl (.eam) file describes exactly one element; give one name, or combine files with load_funcfl",
                    ))
                }
            };
            let t = funcfl_tables(&[f], &[name])?;
            EmbeddedAtom::from_tables(EamStyle::Funcfl, t, &path.display().to_string())
        }
        EamStyle::Alloy => {
            let t = super::eam_alloy::read_setfl(path, elements)?;
            EmbeddedAtom::from_tables(EamStyle::Alloy, t, &path.display().to_string())
        }
        EamStyle::FinnisSinclair => {
            let t = super::eam_fs::read_fs(path, elements)?;
            EmbeddedAtom::from_tables(EamStyle::FinnisSinclair, t, &path.display().to_string())
        }
    }
}

/// Select `wanted` elements (by name) from a file's element list: returns their indices.
pub(crate) fn select_elements(path: &str, file_elements: &[String], wanted: Option<&[String]>) -> Result<Vec<usize>> {
    match wanted {
        None => Ok((0..file_elements.len()).collect()),
        Some(w) => {
            if w.is_empty() {
                return Err(Error::invalid("elements", "[]", "give at least one element"));
            }
            let mut idx = Vec::with_capacity(w.len());
            for (k, e) in w.iter().enumerate() {
                if w[..k].contains(e) {
                    return Err(Error::invalid("elements", e, "listed twice"));
                }
                match file_elements.iter().position(|f| f == e) {
                    Some(i) => idx.push(i),
                    None => {
                        return Err(Error::UnknownSpecies {
                            species: e.clone(),
                            potential: path.to_string(),
                            known: file_elements.join(", "),
                        })
                    }
                }
            }
            Ok(idx)
        }
    }
}
