//! Bonded interactions of a molecular topology: bonds, angles, dihedrals and impropers (LAMMPS
//! `bond_style`, `angle_style`, `dihedral_style`, `improper_style`; see [`styles`]).
//!
//! [`Bonded`] is a [`Potential`] that owns its [`Topology`] (atom indices are those of the
//! structure read with it) and needs no neighbour list: it reads the positions of the atoms of
//! each term and takes every bond vector as the minimum image (terms must be shorter than half
//! the narrowest cell width, as LAMMPS's closest-image rule gives the same then). Overlay it on a
//! pair style with [`super::hybrid::Hybrid`].
//!
//! Conventions are LAMMPS's: the virial of a term is Σₐ (xₐ − x_ref) ⊗ fₐ over its atoms
//! (unwrapped around one of them); per-atom energies and virials are split equally among the
//! term's atoms (½ for bonds, ⅓ for angles, ¼ for dihedrals and impropers). Terms are evaluated
//! in parallel but summed in topology order ([`parallel`]), so results do not depend on the
//! thread count (bit for bit).

pub mod input;
pub mod parallel;
pub mod special;
pub mod styles;

use super::{Configuration, Needs, Output, Potential, Request, Scratch};
use crate::cell::{Cell, Vec3};
use crate::error::{Error, Result};
use crate::topology::{Topology, TERM_KINDS};
pub use styles::StyleCoeffs;
use std::sync::Arc;

/// Bonded terms of one topology with their styles.
#[derive(Clone, Debug)]
pub struct Bonded {
    topology: Arc<Topology>,
    /// Style and coefficients per kind (bond, angle, dihedral, improper); `None` for a kind
    /// the topology does not have.
    styles: [Option<StyleCoeffs>; 4],
    species: Vec<String>,
    /// Atom → force slot of the active terms (bonds, angles, dihedrals, impropers in topology
    /// order, 2/3/4/4 slots each).
    incidence: parallel::Incidence,
}

/// The LAMMPS commands this module reads.
pub const COMMANDS: [[&str; 2]; 4] =
    [["bond_style", "bond_coeff"], ["angle_style", "angle_coeff"], ["dihedral_style", "dihedral_coeff"], ["improper_style", "improper_coeff"]];

impl Bonded {
    /// Bonded terms of `topology` with `styles`; every kind the topology has needs a style and
    /// every type of it coefficients. `species` are the structure's species (any structure of the
    /// topology's size is accepted; the species only serve `check_species`).
    pub fn new(topology: Arc<Topology>, styles: [Option<StyleCoeffs>; 4], species: Vec<String>) -> Result<Self> {
        topology.validate()?;
        let counts = topology.counts();
        for k in 0..4 {
            match &styles[k] {
                None if counts[k] > 0 => {
                    return Err(Error::invalid(
                        COMMANDS[k][0],
                        "(none)",
                        &format!("the topology has {} {}s: give a {} line", counts[k], TERM_KINDS[k], COMMANDS[k][0]),
                    ))
                }
                Some(s) => s.check_complete(k, topology.n_term_types[k])?,
                None => {}
            }
        }
        let active = |k: usize| active_style(&styles[k]).is_some();
        let mut atom_of_slot = Vec::new();
        if active(0) {
            atom_of_slot.extend(topology.bonds.iter().flat_map(|t| t.atoms));
        }
        if active(1) {
            atom_of_slot.extend(topology.angles.iter().flat_map(|t| t.atoms));
        }
        if active(2) {
            atom_of_slot.extend(topology.dihedrals.iter().flat_map(|t| t.atoms));
        }
        if active(3) {
            atom_of_slot.extend(topology.impropers.iter().flat_map(|t| t.atoms));
        }
        let incidence = parallel::Incidence::new(topology.len(), &atom_of_slot);
        Ok(Bonded { topology, styles, species, incidence })
    }

    /// Read `bond_style`/`bond_coeff`, ... lines (other lines are ignored: the caller reads the
    /// pair style), taking coefficients from the topology's `* Coeffs` sections where the
    /// lines give none. `none` as a style leaves that kind out (only allowed without terms).
    pub fn from_lammps(lines: &[String], topology: Arc<Topology>, species: Vec<String>) -> Result<Self> {
        let mut styles: [Option<StyleCoeffs>; 4] = Default::default();
        for (ln, line) in lines.iter().enumerate() {
            let w: Vec<String> = line.split('#').next().unwrap_or("").split_whitespace().map(String::from).collect();
            let Some(cmd) = w.first() else { continue };
            let at = |e: Error| Error::invalid("LAMMPS input line", ln + 1, &format!("'{}': {e}", line.trim()));
            if let Some(k) = COMMANDS.iter().position(|c| c[0] == cmd) {
                if w.len() != 2 {
                    return Err(at(Error::invalid(cmd, w[1..].join(" "), "expected one style name (hybrid styles are not supported)")));
                }
                if w[1] == "none" {
                    styles[k] = None;
                    continue;
                }
                let mut s = StyleCoeffs::new(k, &w[1], topology.n_term_types[k]).map_err(at)?;
                s.from_topology(k, &topology).map_err(at)?;
                styles[k] = Some(s);
            } else if let Some(k) = COMMANDS.iter().position(|c| c[1] == cmd) {
                let s = styles[k].as_mut().ok_or_else(|| at(Error::invalid(cmd, "", &format!("comes before {}", COMMANDS[k][0]))))?;
                let t = w.get(1).ok_or_else(|| at(Error::invalid(cmd, "", "needs a type")))?;
                let r = styles::type_range(t, topology.n_term_types[k], TERM_KINDS[k]).map_err(at)?;
                s.set(k, r, &w[2..]).map_err(at)?;
            }
        }
        Bonded::new(topology, styles, species)
    }

    /// The topology.
    pub fn topology(&self) -> &Arc<Topology> {
        &self.topology
    }
    /// Style and coefficients per kind.
    pub fn styles(&self) -> &[Option<StyleCoeffs>; 4] {
        &self.styles
    }
}

#[inline]
fn sub(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
#[inline]
fn dot(a: &Vec3, b: &Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
#[inline]
fn cross(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// Minimum image of a difference vector (fractional rounding: exact below half the narrowest
/// width).
pub fn minimum_image(cell: &Cell, d: Vec3) -> Vec3 {
    let f = cell.fractional(&d);
    cell.cartesian(&[f[0] - f[0].round(), f[1] - f[1].round(), f[2] - f[2].round()])
}

/// Add one term's forces `f` on atoms `idx` (positions `rel` relative to a reference atom) with
/// energy `e` into `out`.
fn tally<const N: usize>(out: &mut Output, req: Request, idx: &[usize; N], rel: &[Vec3; N], f: &[Vec3; N], e: f64) {
    out.energy += e;
    for a in 0..N {
        for c in 0..3 {
            out.forces[idx[a]][c] += f[a][c];
        }
    }
    let v = parallel::term_virial(rel, f);
    if req.virial || req.per_atom_virial {
        for k in 0..6 {
            out.virial[k] += v[k];
        }
    }
    let share = 1.0 / N as f64;
    if req.per_atom_energy {
        for &i in idx {
            out.per_atom_energy[i] += share * e;
        }
    }
    if req.per_atom_virial {
        for &i in idx {
            for k in 0..6 {
                out.per_atom_virial[i][k] += share * v[k];
            }
        }
    }
}

/// The style of a kind that contributes (`zero` styles and absent kinds do not).
fn active_style(s: &Option<StyleCoeffs>) -> Option<&StyleCoeffs> {
    s.as_ref().filter(|s| s.style != "zero")
}

/// One term's atoms, positions relative to its reference atom, forces and energy.
type TermOut<const N: usize> = ([usize; N], [Vec3; N], [Vec3; N], f64);

impl Bonded {
    fn bond(s: &StyleCoeffs, cfg: &Configuration<'_>, b: &crate::topology::Term<2>) -> Result<TermOut<2>> {
        let [i, j] = b.atoms;
        let d = minimum_image(cfg.cell, sub(&cfg.positions[i], &cfg.positions[j]));
        let (e, fb) = styles::bond(&s.style, &s.coeffs[b.kind], dot(&d, &d)).map_err(|e| Error::invalid("bond", format!("atoms {i}-{j} (0-based)"), &e.to_string()))?;
        let f = [d[0] * fb, d[1] * fb, d[2] * fb];
        Ok(([i, j], [d, [0.0; 3]], [f, [-f[0], -f[1], -f[2]]], e))
    }

    fn angle(s: &StyleCoeffs, cfg: &Configuration<'_>, a: &crate::topology::Term<3>) -> TermOut<3> {
        let [i1, i2, i3] = a.atoms;
        let d1 = minimum_image(cfg.cell, sub(&cfg.positions[i1], &cfg.positions[i2]));
        let d2 = minimum_image(cfg.cell, sub(&cfg.positions[i3], &cfg.positions[i2]));
        let (rsq1, rsq2) = (dot(&d1, &d1), dot(&d2, &d2));
        let (r1, r2) = (rsq1.sqrt(), rsq2.sqrt());
        let c = (dot(&d1, &d2) / (r1 * r2)).clamp(-1.0, 1.0);
        let (e, dedc) = styles::angle(&s.style, &s.coeffs[a.kind], c);
        let (a11, a12, a22) = (dedc * c / rsq1, -dedc / (r1 * r2), dedc * c / rsq2);
        let f1 = [0, 1, 2].map(|k| a11 * d1[k] + a12 * d2[k]);
        let f3 = [0, 1, 2].map(|k| a22 * d2[k] + a12 * d1[k]);
        let f2 = [0, 1, 2].map(|k| -f1[k] - f3[k]);
        (a.atoms, [d1, [0.0; 3], d2], [f1, f2, f3], e)
    }

    fn dihedral(kind: usize, s: &StyleCoeffs, cfg: &Configuration<'_>, t: &crate::topology::Term<4>) -> TermOut<4> {
        let [i1, i2, i3, i4] = t.atoms;
        // Blondel & Karplus, J. Comput. Chem. 17, 1132 (1996): F = r1 − r2, G = r2 − r3, H = r4 − r3.
        let f = minimum_image(cfg.cell, sub(&cfg.positions[i1], &cfg.positions[i2]));
        let g = minimum_image(cfg.cell, sub(&cfg.positions[i2], &cfg.positions[i3]));
        let h = minimum_image(cfg.cell, sub(&cfg.positions[i4], &cfg.positions[i3]));
        let a = cross(&f, &g);
        let b = cross(&h, &g);
        let (asq, bsq) = (dot(&a, &a), dot(&b, &b));
        let gn = dot(&g, &g).sqrt();
        let cosp = dot(&a, &b);
        let sinp = dot(&cross(&b, &a), &g) / gn;
        // cos φ and sin φ from the two projections: the cosine-series styles need no angle (no
        // atan2 and no sin/cos of multiples of φ); the others take φ itself
        let norm = (cosp * cosp + sinp * sinp).sqrt();
        let (cphi, sphi) = if norm > 0.0 { (cosp / norm, sinp / norm) } else { (1.0, 0.0) };
        let coeffs = &s.coeffs[t.kind];
        let (e, dedphi) = match (kind == 2).then(|| styles::dihedral_cos_sin(&s.style, coeffs, cphi, sphi)).flatten() {
            Some(v) => v,
            None => styles::dihedral(kind, &s.style, coeffs, sinp.atan2(cosp)),
        };
        let (fg, hg) = (dot(&f, &g), dot(&h, &g));
        let dp1 = [0, 1, 2].map(|k| -gn / asq * a[k]);
        let dp4 = [0, 1, 2].map(|k| gn / bsq * b[k]);
        let dp2 = [0, 1, 2].map(|k| gn / asq * a[k] + fg / (asq * gn) * a[k] - hg / (bsq * gn) * b[k]);
        let dp3 = [0, 1, 2].map(|k| hg / (bsq * gn) * b[k] - fg / (asq * gn) * a[k] - gn / bsq * b[k]);
        let force = |d: [f64; 3]| d.map(|x| -dedphi * x);
        // positions relative to atom 2: x1 − x2 = F, x3 − x2 = −G, x4 − x2 = H − G.
        let rel = [f, [0.0; 3], [-g[0], -g[1], -g[2]], sub(&h, &g)];
        (t.atoms, rel, [force(dp1), force(dp2), force(dp3), force(dp4)], e)
    }

    fn active(&self, k: usize) -> Option<&StyleCoeffs> {
        active_style(&self.styles[k])
    }

    /// The terms one after the other into `out` (the reference order; used when per-atom
    /// energies or virials are wanted, and to name the first failing bond).
    fn compute_serial(&self, cfg: &Configuration<'_>, req: Request, out: &mut Output) -> Result<()> {
        let t = &self.topology;
        if let Some(s) = self.active(0) {
            for b in &t.bonds {
                let (idx, rel, f, e) = Self::bond(s, cfg, b)?;
                tally(out, req, &idx, &rel, &f, e);
            }
        }
        if let Some(s) = self.active(1) {
            for a in &t.angles {
                let (idx, rel, f, e) = Self::angle(s, cfg, a);
                tally(out, req, &idx, &rel, &f, e);
            }
        }
        for k in 2..4 {
            if let Some(s) = self.active(k) {
                for d in if k == 2 { &t.dihedrals } else { &t.impropers } {
                    let (idx, rel, f, e) = Self::dihedral(k, s, cfg, d);
                    tally(out, req, &idx, &rel, &f, e);
                }
            }
        }
        Ok(())
    }

    /// Forces, energy and virial with the terms evaluated in parallel ([`parallel`]): the same
    /// sums as [`Self::compute_serial`], bit for bit. `Ok(false)`: a bond failed (the serial
    /// pass then names it).
    fn compute_parallel(&self, cfg: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<bool> {
        use rayon::prelude::*;
        fn run<const N: usize, T: Sync>(
            terms: &[T],
            slots: &mut [Vec3],
            records: &mut [(f64, [f64; 6])],
            eval: impl Fn(&T) -> Option<TermOut<N>> + Sync,
        ) -> bool {
            slots.par_chunks_mut(N).zip(records.par_iter_mut()).zip(terms.par_iter()).with_min_len(256).all(|((sl, rec), t)| match eval(t) {
                Some((_, rel, f, e)) => {
                    sl.copy_from_slice(&f);
                    *rec = (e, parallel::term_virial(&rel, &f));
                    true
                }
                None => false,
            })
        }
        let t = &self.topology;
        let kinds: [(usize, usize); 4] = [(2, t.bonds.len()), (3, t.angles.len()), (4, t.dihedrals.len()), (4, t.impropers.len())];
        let n_terms: usize = (0..4).filter(|&k| self.active(k).is_some()).map(|k| kinds[k].1).sum();
        let Scratch { term_forces, term_records, .. } = scratch;
        term_forces.resize(self.incidence.n_slots(), [0.0; 3]);
        term_records.resize(n_terms, (0.0, [0.0; 6]));
        let (mut slots, mut records) = (&mut term_forces[..], &mut term_records[..]);
        let mut ok = true;
        for k in 0..4 {
            let Some(s) = self.active(k) else { continue };
            let (n_per, n) = kinds[k];
            let (sl, rest) = std::mem::take(&mut slots).split_at_mut(n_per * n);
            let (rec, rest_r) = std::mem::take(&mut records).split_at_mut(n);
            (slots, records) = (rest, rest_r);
            ok &= match k {
                0 => run(&t.bonds, sl, rec, |b| Self::bond(s, cfg, b).ok()),
                1 => run(&t.angles, sl, rec, |a| Some(Self::angle(s, cfg, a))),
                _ => run(if k == 2 { &t.dihedrals } else { &t.impropers }, sl, rec, |d| Some(Self::dihedral(k, s, cfg, d))),
            };
        }
        if !ok {
            return Ok(false);
        }
        parallel::sum_in_order(&scratch.term_records, req.virial, &mut out.energy, &mut out.virial);
        self.incidence.gather(&scratch.term_forces, &mut out.forces);
        Ok(true)
    }
}

impl Potential for Bonded {
    fn pair_style(&self) -> &str {
        "bonded"
    }
    fn cutoff(&self) -> f64 {
        0.0
    }
    fn needs(&self) -> Needs {
        Needs { list: crate::neighbors::ListKind::None, cutoff: 0.0, whole_configuration: true }
    }
    fn species(&self) -> Vec<String> {
        self.species.clone()
    }
    fn check_species(&self, species: &[String]) -> Result<()> {
        let _ = species;
        Ok(())
    }
    fn compute(&self, cfg: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        if cfg.len() != self.topology.len() {
            return Err(Error::Shape(format!("a topology of {} atoms for a structure of {}", self.topology.len(), cfg.len())));
        }
        if !(req.per_atom_energy || req.per_atom_virial) && self.compute_parallel(cfg, req, scratch, out)? {
            return Ok(());
        }
        self.compute_serial(cfg, req, out)
    }
    fn fingerprint(&self) -> String {
        let st: Vec<String> = self.styles.iter().enumerate().filter_map(|(k, s)| s.as_ref().map(|s| format!("{}:{}:{:?}", TERM_KINDS[k], s.style, s.coeffs))).collect();
        let c = self.topology.counts();
        format!("bonded[{}; terms {:?}; {}]", st.join(";"), c, topology_hash(&self.topology))
    }
}

/// A stable hash of the terms (type and atoms of every term), for provenance.
fn topology_hash(t: &Topology) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut put = |kind: usize, atoms: &[usize]| {
        h.update((kind as u64).to_le_bytes());
        for a in atoms {
            h.update((*a as u64).to_le_bytes());
        }
    };
    for b in &t.bonds {
        put(b.kind, &b.atoms);
    }
    for b in &t.angles {
        put(b.kind, &b.atoms);
    }
    for b in t.dihedrals.iter().chain(&t.impropers) {
        put(b.kind, &b.atoms);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
