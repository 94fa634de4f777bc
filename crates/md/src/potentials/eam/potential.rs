//! [`EmbeddedAtom`]: validated EAM tables turned into the knot arrays the kernel reads, the
//! LAMMPS evaluation of single functions, and the [`Potential`] implementation (whose passes are
//! in [`super::kernel`]).

use super::spline::{interpolate, Knot};
use super::tables::{z2r_index, EamStyle, EamTables};
use crate::error::{Error, Result};
use crate::potentials::{Configuration, Needs, Output, Potential, Request, Scratch};
use sha2::{Digest, Sha256};

/// Knot data of one ordered type pair (i, j) for the density pass: values of `ρ_{j→i}` and `ρ_{i→j}`.
pub(super) type DensityKnot = [f64; 8];
/// Knot data of one ordered type pair (i, j) for the force pass:
/// `ρ'_{i→j}` (3), `ρ'_{j→i}` (3), `(rφ)'` (3), `rφ` (4).
pub(super) type ForceKnot = [f64; 13];

/// One force knot evaluated at the fraction `p` of its interval, with `recip` = 1/r:
/// (ρ_i′(r), ρ_j′(r), φ(r), φ′(r)) where φ = z²/r (LAMMPS `pair_eam` spline layout). Every EAM
/// force kernel (per-atom, cluster, subset) evaluates the knots through this one function.
#[inline(always)]
pub(crate) fn force_knot_eval(k: &[f64; 13], p: f64, recip: f64) -> (f64, f64, f64, f64) {
    let rhoip = (k[0] * p + k[1]) * p + k[2];
    let rhojp = (k[3] * p + k[4]) * p + k[5];
    let z2p = (k[6] * p + k[7]) * p + k[8];
    let z2 = ((k[9] * p + k[10]) * p + k[11]) * p + k[12];
    let phi = z2 * recip;
    (rhoip, rhojp, phi, z2p * recip - phi * recip)
}

/// A tabulated EAM potential (funcfl, setfl or Finnis–Sinclair).
#[derive(Clone, Debug)]
pub struct EmbeddedAtom {
    pub(super) style: EamStyle,
    pub(super) tables: EamTables,
    /// Where the tables came from (path or generator), for provenance.
    pub(super) source: String,
    pub(super) rdr: f64,
    pub(super) rdrho: f64,
    pub(super) frho_spline: Vec<Vec<Knot>>,
    /// Per ordered element pair (a, b) at `a·n + b`.
    pub(super) density_knots: Vec<Vec<DensityKnot>>,
    pub(super) force_knots: Vec<Vec<ForceKnot>>,
    /// Per ordered element pair: `ρ_{j→i}` and `ρ_{i→j}` are the same spline (every knot's
    /// two halves equal, always so for a pure metal), so the kernels evaluate it once per pair
    /// (the same arithmetic, bit-identical results).
    pub(super) symmetric: Vec<bool>,
    pub(super) fingerprint: String,
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
        let mut symmetric = Vec::with_capacity(ne * ne);
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
                symmetric.push(dk.iter().all(|k| k[..4] == k[4..]) && fk.iter().all(|k| k[..3] == k[3..6]));
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
            symmetric,
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

    pub(super) fn element_index(&self, name: &str) -> Option<usize> {
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

    pub(super) fn type_map(&self, species: &[String]) -> Result<Vec<usize>> {
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
    fn needs(&self) -> Needs {
        Needs::half(self.tables.cut)
    }

    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        self.compute_passes(config, req, scratch, out)
    }
}
