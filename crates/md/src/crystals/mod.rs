//! Crystal prototypes of ionic and covalent materials (perovskite, rock salt, corundum, spinel,
//! layered α-NaFeO₂, olivine, wurtzite, zincblende, diamond, fluorite, α-quartz) from their space group and
//! Wyckoff positions with a default published parameter set each, plus supercells (including the
//! orthogonal cell of hexagonal lattices), seeded random substitution and vacancies, and a
//! charge report with optional compensation.
//!
//! [`StructureSpec`] is the one serialisable description used by the CLI, Python and material
//! files; it also covers the metal lattices of [`crate::lattice`] (fcc, bcc, hcp, ...):
//!
//! ```
//! use scalebridge_md::crystals::StructureSpec;
//! let spec: StructureSpec = serde_json::from_str(
//!     r#"{"lattice": "perovskite", "elements": {"A": "Ba", "B": "Zr"}, "a": 4.19, "supercell": [2, 2, 2]}"#,
//! ).unwrap();
//! let s = spec.build().unwrap();
//! assert_eq!(s.len(), 40);
//! ```

pub mod build;
pub mod defects;
pub mod prototypes;
pub mod symmetry;

pub use defects::{ChargeReport, CompensationDone, Substitution, SubstitutionDone, Vacancy, VacancyDone};
pub use prototypes::{find, names, CellKind, Prototype, PROTOTYPES};

use crate::cell::Cell;
use crate::error::{Error, Result};
use crate::lattice::{bulk, BulkSpec, Lattice};
use crate::structure::Structure;
use build::{Motif, ORTHOHEXAGONAL};
use defects::Work;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Smallest allowed interatomic distance (Å) unless the spec says otherwise: closer atoms are
/// reported as overlapping.
pub const DEFAULT_MIN_DISTANCE: f64 = 0.5;

/// Elements of the sublattices: a list in the prototype's role order, a map role → element
/// (roles left out keep their default), or one element.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Elements {
    One(String),
    List(Vec<String>),
    Map(BTreeMap<String, String>),
}

/// Supercell: one repeat, three repeats, or an integer matrix (rows: new vectors in units of
/// the conventional ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Repeat {
    One(usize),
    Three([usize; 3]),
    Matrix([[i32; 3]; 3]),
}

/// A crystal to build: a prototype (or a metal lattice of [`crate::lattice`]) with elements,
/// lattice parameters, supercell and point defects. Every field but `lattice` is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureSpec {
    /// Prototype (`perovskite`, `rocksalt`, `corundum`, `spinel`, `layered`, `olivine`,
    /// `wurtzite`, `zincblende`, `diamond`, `fluorite`, `alpha-quartz`) or metal lattice (`fcc`, `bcc`, `hcp`,
    /// `sc`, `b2`, `l12`).
    pub lattice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements: Option<Elements>,
    /// Lattice parameters of the conventional cell, Å (default: the prototype's published set,
    /// only for its default compound: other elements need `a`; given a alone, the default b/a
    /// and c/a are kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<f64>,
    /// Free Wyckoff parameters by name (`u`, `x_X`, `z_A`, ...), default the published ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// Supercell of the conventional cell (`repeat` is accepted as a synonym, as in the CLI).
    #[serde(default, alias = "repeat", skip_serializing_if = "Option::is_none")]
    pub supercell: Option<Repeat>,
    /// Hexagonal lattices: use the orthogonal cell (a, a + 2b, c) before repeating.
    #[serde(default)]
    pub orthogonal: bool,
    /// Cubic metal lattices only: crystal directions along x, y, z.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<[[i32; 3]; 3]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutions: Vec<Substitution>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vacancies: Vec<Vacancy>,
    /// Formal or model charges per species (e), for the charge report.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub charges: BTreeMap<String, f64>,
    /// Remove atoms of this species (the counter-ion) to cancel the net charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensate: Option<String>,
    /// Seed of the random substitution, vacancies and compensation.
    #[serde(default)]
    pub seed: u64,
    /// Masses per species (amu), default standard atomic masses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub masses: BTreeMap<String, f64>,
    /// Overlap threshold, Å (default [`DEFAULT_MIN_DISTANCE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_distance: Option<f64>,
}

/// What was built and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    pub lattice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prototype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_group: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// Source of the default parameters (when any default was used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Role → element.
    pub elements: BTreeMap<String, String>,
    /// Conventional a, b, c (Å) and the free Wyckoff parameters used.
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub params: BTreeMap<String, f64>,
    /// Supercell matrix applied to the conventional cell (orthogonal transform included).
    pub supercell: [[i32; 3]; 3],
    pub n_atoms: usize,
    pub composition: BTreeMap<String, usize>,
    pub volume_a3: f64,
    pub density_g_cm3: f64,
    pub substitutions: Vec<SubstitutionDone>,
    pub vacancies: Vec<VacancyDone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge: Option<ChargeReport>,
    pub notes: Vec<String>,
}

/// amu/Å³ → g/cm³.
const AMU_PER_A3_TO_G_PER_CM3: f64 = 1.660_539_066_60;

impl StructureSpec {
    /// A spec of `lattice` with everything else default.
    pub fn new(lattice: &str) -> Self {
        StructureSpec { lattice: lattice.to_string(), ..Default::default() }
    }

    /// Build the structure.
    pub fn build(&self) -> Result<Structure> {
        Ok(self.build_with_report()?.0)
    }

    /// Build the structure and say what was done (parameters, citation, defects, charges).
    pub fn build_with_report(&self) -> Result<(Structure, BuildReport)> {
        let (motif, role_names, role_elements, mut report) = match find(&self.lattice) {
            Some(p) => self.prototype_motif(p)?,
            None => self.metal_motif()?,
        };
        // supercell
        let mut matrix = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
        let mut motif = motif;
        if self.orthogonal {
            match find(&self.lattice).map(|p| p.cell) {
                Some(CellKind::Hexagonal) => {
                    motif = build::supercell(&motif, ORTHOHEXAGONAL)?;
                    matrix = ORTHOHEXAGONAL;
                }
                Some(_) => report.notes.push("orthogonal: the conventional cell is already orthogonal".into()),
                None => {}
            }
        }
        let p = match &self.supercell {
            None => build::diagonal([1, 1, 1])?,
            Some(Repeat::One(n)) => build::diagonal([*n, *n, *n])?,
            Some(Repeat::Three(n)) => build::diagonal(*n)?,
            Some(Repeat::Matrix(m)) => *m,
        };
        if p != [[1, 0, 0], [0, 1, 0], [0, 0, 1]] {
            motif = build::supercell(&motif, p)?;
            matrix = std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| p[i][k] * matrix[k][j]).sum()));
        }
        report.supercell = matrix;
        let mut w = Work {
            cell: motif.cell,
            frac: motif.atoms.iter().map(|a| a.0).collect(),
            roles: motif.atoms.iter().map(|a| role_names[a.1].clone()).collect(),
            species: motif.atoms.iter().map(|a| role_elements[a.1].clone()).collect(),
            role_names: role_names.clone(),
        };
        self.defects(&mut w, &mut report)?;
        let cell = Cell::new(w.cell)?;
        let positions: Vec<_> = w.frac.iter().map(|f| cell.cartesian(f)).collect();
        let masses = if self.masses.is_empty() {
            None
        } else {
            Some(
                w.species
                    .iter()
                    .map(|s| match self.masses.get(s) {
                        Some(m) if m.is_finite() && *m > 0.0 => Ok(*m),
                        Some(m) => Err(Error::invalid("mass", format!("{s} = {m}"), "must be positive (amu)")),
                        None => crate::elements::atomic_mass(s).ok_or_else(|| Error::invalid("mass", s, "not an element symbol; give its mass in masses")),
                    })
                    .collect::<Result<Vec<f64>>>()?,
            )
        };
        let s = Structure::from_symbols(cell, positions, &w.species, masses)?;
        let r_min = self.min_distance.unwrap_or(DEFAULT_MIN_DISTANCE);
        if !(r_min.is_finite() && r_min >= 0.0) {
            return Err(Error::invalid("min_distance", r_min, "must be a non-negative length (Å)"));
        }
        if r_min > 0.0 && !s.is_empty() {
            crate::io::check_separation(&s, r_min)?;
        }
        report.n_atoms = s.len();
        report.composition = BTreeMap::new();
        for sp in &w.species {
            *report.composition.entry(sp.clone()).or_insert(0) += 1;
        }
        report.volume_a3 = s.cell.volume();
        report.density_g_cm3 = s.masses.iter().sum::<f64>() * AMU_PER_A3_TO_G_PER_CM3 / report.volume_a3;
        Ok((s, report))
    }

    fn role_elements(&self, p: &Prototype) -> Result<Vec<String>> {
        let mut el: Vec<String> = p.default_elements.iter().map(|s| s.to_string()).collect();
        match &self.elements {
            None => {}
            Some(Elements::One(e)) if p.roles.len() == 1 => el[0] = e.clone(),
            Some(Elements::One(e)) => {
                return Err(Error::invalid("elements", e, &format!("{} takes {} elements ({})", p.name, p.roles.len(), p.roles.join(", "))))
            }
            Some(Elements::List(list)) => {
                if list.len() != p.roles.len() {
                    return Err(Error::invalid(
                        "elements",
                        list.join(","),
                        &format!("{} takes {} elements, one per sublattice {} (e.g. {})", p.name, p.roles.len(), p.roles.join(", "), p.default_elements.join(",")),
                    ));
                }
                el = list.clone();
            }
            Some(Elements::Map(m)) => {
                for (role, e) in m {
                    match p.roles.iter().position(|r| r == role) {
                        Some(k) => el[k] = e.clone(),
                        None => return Err(Error::invalid("elements", role, &format!("{} has sublattices {}", p.name, p.roles.join(", ")))),
                    }
                }
            }
        }
        if let Some(e) = el.iter().find(|e| e.trim().is_empty()) {
            return Err(Error::invalid("elements", format!("'{e}'"), "empty element name"));
        }
        Ok(el)
    }

    fn prototype_motif(&self, p: &'static Prototype) -> Result<(Motif, Vec<String>, Vec<String>, BuildReport)> {
        if self.orientation.is_some() {
            return Err(Error::invalid("orientation", format!("{:?}", self.orientation), "only the cubic metal lattices (fcc, bcc, ...) can be oriented; use a supercell matrix"));
        }
        let el = self.role_elements(p)?;
        let other_compound = el.iter().zip(p.default_elements).any(|(e, d)| e != d);
        if other_compound && self.a.is_none() {
            return Err(Error::invalid(
                "a",
                "none",
                &format!(
                    "the default lattice parameters of {} are those of {}; give a (Å) for {}",
                    p.name,
                    p.default_compound,
                    el.join(",")
                ),
            ));
        }
        let mut r = build::resolve(p, self.a, self.b, self.c, &self.params)?;
        let defaulted: Vec<&str> = p.params.iter().map(|x| x.0).filter(|k| !self.params.contains_key(*k)).collect();
        if other_compound && !defaulted.is_empty() {
            r.notes.push(format!("free parameters {} are those of {}", defaulted.join(", "), p.default_compound));
        }
        let motif = build::conventional(p, &r)?;
        let roles: Vec<String> = p.roles.iter().map(|s| s.to_string()).collect();
        let report = BuildReport {
            lattice: self.lattice.clone(),
            prototype: Some(p.name.to_string()),
            space_group: Some(p.space_group),
            symbol: Some(p.symbol.to_string()),
            setting: Some(p.setting.to_string()),
            citation: Some(format!("{} (default set of {})", p.citation, p.default_compound)),
            elements: roles.iter().cloned().zip(el.iter().cloned()).collect(),
            a: r.a,
            b: r.b,
            c: r.c,
            params: r.params.clone(),
            supercell: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            n_atoms: 0,
            composition: BTreeMap::new(),
            volume_a3: 0.0,
            density_g_cm3: 0.0,
            substitutions: vec![],
            vacancies: vec![],
            charge: None,
            notes: r.notes,
        };
        Ok((motif, roles, el, report))
    }

    /// The metal lattices of [`crate::lattice::bulk`] (one conventional cell; repeats are applied
    /// by the caller so that supercell matrices work too).
    fn metal_motif(&self) -> Result<(Motif, Vec<String>, Vec<String>, BuildReport)> {
        let lat: Lattice = self.lattice.parse().map_err(|_| {
            Error::invalid(
                "lattice",
                &self.lattice,
                &format!("unknown; known prototypes: {}; metal lattices: sc, bcc, fcc, hcp, b2, l12", names().join(", ")),
            )
        })?;
        let species: Vec<String> = match &self.elements {
            None => return Err(Error::invalid("elements", "none", &format!("give the element(s) of the {} lattice", self.lattice))),
            Some(Elements::One(e)) => vec![e.clone()],
            Some(Elements::List(l)) => l.clone(),
            Some(Elements::Map(m)) => {
                let mut v = Vec::new();
                for role in ["A", "B"] {
                    if let Some(e) = m.get(role) {
                        v.push(e.clone());
                    }
                }
                if v.len() != m.len() {
                    return Err(Error::invalid("elements", format!("{m:?}"), "metal lattices take roles A (and B for b2, l12)"));
                }
                v
            }
        };
        let a = self.a.ok_or_else(|| Error::invalid("a", "none", &format!("give the lattice constant a (Å) of the {} lattice", self.lattice)))?;
        if self.b.is_some() || !self.params.is_empty() {
            return Err(Error::invalid("lattice", &self.lattice, "metal lattices take a (and c for hcp), no b or Wyckoff params"));
        }
        let s = bulk(&BulkSpec {
            lattice: lat,
            species: species.clone(),
            a,
            c: self.c,
            orientation: self.orientation,
            repeat: [1, 1, 1],
            orthogonal: self.orthogonal,
            masses: None,
        })?;
        let role_names = s.species.clone();
        let cell = *s.cell.matrix();
        let atoms = s.positions.iter().zip(&s.types).map(|(p, t)| (s.cell.fractional(p).map(symmetry::wrap), *t)).collect();
        let report = BuildReport {
            lattice: self.lattice.clone(),
            prototype: None,
            space_group: None,
            symbol: None,
            setting: None,
            citation: None,
            elements: ["A", "B"].iter().map(|r| r.to_string()).zip(species.iter().cloned()).collect(),
            a,
            b: a,
            c: self.c.unwrap_or(a),
            params: BTreeMap::new(),
            supercell: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            n_atoms: 0,
            composition: BTreeMap::new(),
            volume_a3: 0.0,
            density_g_cm3: 0.0,
            substitutions: vec![],
            vacancies: vec![],
            charge: None,
            notes: vec![],
        };
        Ok((Motif { cell, atoms }, role_names.clone(), role_names, report))
    }

    fn defects(&self, w: &mut Work, report: &mut BuildReport) -> Result<()> {
        let mut rng = ChaCha12Rng::seed_from_u64(self.seed);
        let track = !self.charges.is_empty();
        if self.compensate.is_some() && !track {
            return Err(Error::invalid("compensate", self.compensate.as_deref().unwrap_or(""), "needs charges per species"));
        }
        for (s, q) in &self.charges {
            if !q.is_finite() {
                return Err(Error::invalid("charge", format!("{s} = {q}"), "must be finite (e)"));
            }
        }
        let pristine = if track { Some(w.net_charge(&self.charges)?) } else { None };
        for sub in &self.substitutions {
            report.substitutions.push(defects::substitute(w, sub, &mut rng)?);
        }
        for v in &self.vacancies {
            report.vacancies.push(defects::vacate(w, v, &mut rng)?);
        }
        if let Some(q0) = pristine {
            let q1 = w.net_charge(&self.charges)?;
            let comp = match &self.compensate {
                Some(sp) => Some(defects::compensate(w, sp, &self.charges, &mut rng)?),
                None => None,
            };
            let q2 = w.net_charge(&self.charges)?;
            let neutral = q2.abs() < defects::NEUTRAL_TOLERANCE;
            if !neutral {
                report.notes.push(format!("the cell is NOT neutral: net charge {q2:+.6} e"));
            }
            report.charge = Some(ChargeReport {
                charges: self.charges.clone(),
                net_charge_pristine: q0,
                net_charge_defective: q1,
                compensation: comp,
                net_charge_final: q2,
                neutral,
            });
        }
        Ok(())
    }
}

/// Build a prototype with its default parameters and elements (`supercell` repeats).
pub fn prototype(name: &str, supercell: [usize; 3]) -> Result<Structure> {
    let mut spec = StructureSpec::new(name);
    if find(name).is_none() {
        return Err(Error::invalid("prototype", name, &format!("known prototypes: {}", names().join(", "))));
    }
    spec.supercell = Some(Repeat::Three(supercell));
    spec.build()
}

#[cfg(test)]
mod tests;
