//! One serialisable description of a potential, keyed by the LAMMPS `pair_style` string, and the
//! one constructor ([`PotentialSpec::build`]) that the CLI, the Python bindings and
//! [`super::load`] use.
//!
//! JSON forms:
//! - `{"pair_style": "eam/alloy", "files": ["Cu_mishin1.eam.alloy"], "elements": ["Cu"]}`
//!   (also `"eam/fs"`): one setfl / Finnis–Sinclair file; `elements` selects and orders the
//!   file's elements (all when absent);
//! - `{"pair_style": "eam", "files": ["Cu_u3.eam", "Ni_u3.eam"], "elements": ["Cu", "Ni"]}`:
//!   DYNAMO funcfl files, one per element (LAMMPS `pair_coeff i i file`); with one file the
//!   element name may be left out (taken from the atomic number in the file);
//! - `{"pair_style": "lj/cut", "elements": ["Ar"], "epsilon": [0.0104], "sigma": [3.4],
//!   "cutoff": 8.5, "shift": false, "mixing": "arithmetic", "pairs": [{"a": "Ar", "b": "Kr",
//!   "epsilon": 0.012, "sigma": 3.5, "cutoff": null}]}`: `shift` (default false), `mixing`
//!   (`"arithmetic"` = Lorentz–Berthelot, the default, or `"geometric"`) and `pairs` (explicit
//!   pair parameters overriding the mixing rule) are optional. Units: ε in eV, σ and cutoffs in Å;
//! - `{"generator": "zhou2004", "elements": ["Cu", "Ta"]}`: the Zhou–Johnson–Wadley 2004 EAM,
//!   tabulated as its published setfl files;
//! - `{"pair_style": "tersoff", "files": ["SiC.tersoff"], "elements": ["Si", "C"], "shift": 0.0}`:
//!   one LAMMPS Tersoff file; `elements` selects and orders its elements (all when absent), `shift`
//!   (Å, optional) is LAMMPS's `pair_style tersoff shift δ`;
//! - `{"pair_style": "sw", "files": ["GaN.sw"], "elements": ["Ga", "N"]}`: one LAMMPS
//!   Stillinger–Weber file (`elements` as for tersoff).
//!
//! - the ionic styles `buck`, `born`, `pedone`, `coul/cut`, `coul/wolf`, `coul/dsf` and
//!   `hybrid/overlay` (with `charges` and `neutralize`): see [`super::spec_ionic`];
//! - `{"generator": "pedone2006", "elements": ["Mg", "O"], "coulomb": {...}}` and
//!   `{"generator": "buckingham", "set": "srtio3_...", ...}`: published parameter sets, see
//!   [`super::ionic::library`].
//!
//! An unknown style is an error that names it and lists the known ones ([`KNOWN_PAIR_STYLES`],
//! [`KNOWN_GENERATORS`]).

use super::eam::{load_as, load_funcfl, EamStyle, EmbeddedAtom};
use super::lj_cut::{LennardJones, Mixing, PairParams};
use super::zhou2004::Zhou2004;
use super::charges::Charges;
use super::spec_ionic::{CoulStyle, CoulombSpec, IonicStyle, ShortRangeSpec};
use super::{StillingerWeber, Tersoff};
use super::Potential;
use crate::error::{Error, Result};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The `pair_style` strings a [`PotentialSpec`] accepts.
pub const KNOWN_PAIR_STYLES: &[&str] = &[
    "eam",
    "eam/alloy",
    "eam/fs",
    "lj/cut",
    "buck",
    "born",
    "pedone",
    "coul/cut",
    "coul/wolf",
    "coul/dsf",
    "hybrid/overlay",
    "coul/long",
    "tersoff",
    "sw",
];
/// The `generator` names a [`PotentialSpec`] accepts.
pub const KNOWN_GENERATORS: &[&str] = &[
    "zhou2004",
    "pedone2006",
    "buckingham",
];

/// Parameters of `pair_style lj/cut` (see [`LennardJones`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LjCutSpec {
    /// Species names, parallel to `epsilon` and `sigma`.
    pub elements: Vec<String>,
    /// ε per species, eV.
    pub epsilon: Vec<f64>,
    /// σ per species, Å.
    pub sigma: Vec<f64>,
    /// Global cutoff, Å.
    pub cutoff: f64,
    /// Shift pair energies to zero at the cutoff (LAMMPS `pair_modify shift yes`).
    #[serde(default)]
    pub shift: bool,
    /// Mixing rule for unlike pairs without explicit parameters.
    #[serde(default = "default_mixing", with = "mixing_name")]
    pub mixing: Mixing,
    /// Explicit pair parameters (override mixing).
    #[serde(default)]
    pub pairs: Vec<PairParams>,
}

fn default_mixing() -> Mixing {
    Mixing::LorentzBerthelot
}

/// Mixing rules by their LAMMPS `pair_modify mix` names.
mod mixing_name {
    use super::Mixing;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &Mixing, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match m {
            Mixing::LorentzBerthelot => "arithmetic",
            Mixing::Geometric => "geometric",
        })
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Mixing, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_mixing(&s).map_err(serde::de::Error::custom)
    }
}

/// A mixing rule by name: `"arithmetic"` (alias `"lorentz-berthelot"`) or `"geometric"`.
pub fn parse_mixing(name: &str) -> Result<Mixing> {
    match name {
        "arithmetic" | "lorentz-berthelot" => Ok(Mixing::LorentzBerthelot),
        "geometric" => Ok(Mixing::Geometric),
        other => Err(Error::invalid("mixing", other, "unknown mixing rule (arithmetic or geometric)")),
    }
}

/// A potential, described by its LAMMPS style and parameters (or by a generator).
#[derive(Clone, Debug, PartialEq)]
pub enum PotentialSpec {
    /// Tabulated EAM: `eam` (funcfl files, one per element), `eam/alloy` or `eam/fs` (one file).
    Eam {
        style: EamStyle,
        files: Vec<PathBuf>,
        /// setfl/fs: elements to take from the file (all when `None`); funcfl: one name per file.
        elements: Option<Vec<String>>,
    },
    /// `lj/cut`.
    LjCut(LjCutSpec),
    /// The Zhou 2004 analytic EAM generator.
    Zhou2004 { elements: Vec<String> },
    /// A short-range ionic style (`buck`, `born`, `pedone`).
    ShortRange(ShortRangeSpec),
    /// A cutoff Coulomb style (`coul/cut`, `coul/wolf`, `coul/dsf`).
    Coulomb(CoulombSpec),
    /// `hybrid/overlay`: members summed; `charges` apply to Coulomb members without their own.
    Hybrid { styles: Vec<PotentialSpec>, charges: Option<Charges> },
    /// `tersoff`: one file, its elements (all when `None`) and the distance shift (Å).
    Tersoff { file: PathBuf, elements: Option<Vec<String>>, shift: Option<f64> },
    /// `sw`: one file and its elements (all when `None`).
    Sw { file: PathBuf, elements: Option<Vec<String>> },
    /// A polymer builder's system with its force field (pair + bonded + special_bonds):
    /// `{"molecular": {"builder": ...}, "lines": [...]}` (see [`super::spec_molecular`]).
    Molecular(Box<super::spec_molecular::MolecularSpec>),
}

/// JSON body of the one-file many-body styles (`tersoff`, `sw`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManybodyFiles {
    files: Vec<PathBuf>,
    #[serde(default)]
    elements: Option<Vec<String>>,
    #[serde(default)]
    shift: Option<f64>,
}

impl ManybodyFiles {
    fn one_file(self, style: &str) -> Result<(PathBuf, Option<Vec<String>>, Option<f64>)> {
        match <[PathBuf; 1]>::try_from(self.files) {
            Ok([f]) => Ok((f, self.elements, self.shift)),
            Err(v) => Err(Error::invalid("files", format!("{v:?}"), &format!("pair_style {style} reads exactly one file"))),
        }
    }
}

fn unknown_style(key: &str, name: &str) -> Error {
    Error::invalid(
        key,
        name,
        &format!(
            "not a potential style scalebridge has (pair styles: {}; generators: {})",
            KNOWN_PAIR_STYLES.join(", "),
            KNOWN_GENERATORS.join(", ")
        ),
    )
}

impl PotentialSpec {
    /// An EAM file read in the format `detect` finds (extension or content, see
    /// [`super::eam::detect_style`]), as [`super::load`] does.
    pub fn eam_file(path: &Path, elements: Option<&[String]>) -> Result<Self> {
        let style = super::eam::detect_style(path)?;
        Ok(PotentialSpec::Eam { style, files: vec![path.to_path_buf()], elements: elements.map(|e| e.to_vec()) })
    }

    /// The LAMMPS style string (`"eam/alloy"`, `"lj/cut"`, ...; `"zhou2004"` for the generator).
    pub fn style(&self) -> &str {
        match self {
            PotentialSpec::Eam { style, .. } => style.pair_style(),
            PotentialSpec::LjCut(_) => "lj/cut",
            PotentialSpec::Zhou2004 { .. } => "zhou2004",
            PotentialSpec::ShortRange(s) => s.style.name(),
            PotentialSpec::Coulomb(c) => c.style.name(),
            PotentialSpec::Hybrid { .. } => "hybrid/overlay",
            PotentialSpec::Tersoff { .. } => "tersoff",
            PotentialSpec::Sw { .. } => "sw",
            PotentialSpec::Molecular(_) => "molecular",
        }
    }

    /// The per-species charges slot of a Coulomb style (`None` for styles without charges), so
    /// that charges given outside (an enclosing `hybrid/overlay`, `from_lammps`, `--charges`)
    /// reach it. A new Coulomb style adds its arm here.
    pub fn charges_slot(&mut self) -> Option<&mut Option<Charges>> {
        match self {
            PotentialSpec::Coulomb(c) => Some(&mut c.charges),
            PotentialSpec::Hybrid { charges, .. } => Some(charges),
            _ => None,
        }
    }

    /// Give `charges` to every Coulomb style of this specification that has none (members of a
    /// `hybrid/overlay` included).
    pub fn inherit_charges(&mut self, charges: &Option<Charges>) {
        if let Some(slot) = self.charges_slot() {
            super::spec_ionic::inherit_charges(slot, charges);
        }
    }

    /// Parse a JSON specification (see the module docs); errors name the problem.
    pub fn from_json(text: &str) -> Result<Self> {
        let v: Value = serde_json::from_str(text).map_err(|e| Error::invalid("potential specification", "JSON", &e.to_string()))?;
        Self::from_value(v)
    }

    /// The JSON form (see the module docs).
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// Parse from a JSON value.
    pub fn from_value(v: Value) -> Result<Self> {
        let Value::Object(mut map) = v else {
            return Err(Error::invalid("potential specification", v, "must be a JSON object with \"pair_style\" or \"generator\""));
        };
        if map.contains_key("molecular") {
            return Ok(PotentialSpec::Molecular(Box::new(super::spec_molecular::MolecularSpec::from_map(map)?)));
        }
        let style = map.remove("pair_style");
        let generator = map.remove("generator");
        let bad = |e: serde_json::Error, what: &str| Error::invalid(what, "specification", &e.to_string());
        match (style, generator) {
            (Some(_), Some(_)) => Err(Error::invalid("potential specification", "pair_style and generator", "give one of them, not both")),
            (None, None) => Err(Error::invalid(
                "potential specification",
                Value::Object(map),
                &format!("needs \"pair_style\" ({}) or \"generator\" ({})", KNOWN_PAIR_STYLES.join(", "), KNOWN_GENERATORS.join(", ")),
            )),
            (Some(s), None) => {
                let name = s.as_str().ok_or_else(|| Error::invalid("pair_style", &s, "must be a string"))?.to_string();
                match name.as_str() {
                    "eam" | "eam/alloy" | "eam/fs" => {
                        let style = match name.as_str() {
                            "eam" => EamStyle::Funcfl,
                            "eam/alloy" => EamStyle::Alloy,
                            _ => EamStyle::FinnisSinclair,
                        };
                        #[derive(Deserialize)]
                        #[serde(deny_unknown_fields)]
                        struct Files {
                            files: Vec<PathBuf>,
                            #[serde(default)]
                            elements: Option<Vec<String>>,
                        }
                        let f: Files = serde_json::from_value(Value::Object(map)).map_err(|e| bad(e, &name))?;
                        Ok(PotentialSpec::Eam { style, files: f.files, elements: f.elements })
                    }
                    "lj/cut" => Ok(PotentialSpec::LjCut(serde_json::from_value(Value::Object(map)).map_err(|e| bad(e, "lj/cut"))?)),
                    "buck" | "born" | "pedone" => {
                        let style = IonicStyle::from_name(&name).ok_or_else(|| unknown_style("pair_style", &name))?;
                        Ok(PotentialSpec::ShortRange(ShortRangeSpec::from_map(style, map)?))
                    }
                    "coul/cut" | "coul/wolf" | "coul/dsf" | "coul/long" => {
                        let style = CoulStyle::from_name(&name).ok_or_else(|| unknown_style("pair_style", &name))?;
                        Ok(PotentialSpec::Coulomb(CoulombSpec::from_map(style, map)?))
                    }
                    "hybrid/overlay" => {
                        let charges = super::spec_ionic::take_charges(&mut map, "hybrid/overlay")?;
                        let styles = match map.remove("styles") {
                            Some(Value::Array(list)) => list.into_iter().map(Self::from_value).collect::<Result<Vec<_>>>()?,
                            other => return Err(Error::invalid("hybrid/overlay styles", format!("{other:?}"), "must be a list of potential specifications")),
                        };
                        if let Some(k) = map.keys().next() {
                            return Err(Error::invalid("hybrid/overlay", format!("unknown key '{k}'"), "allowed keys: styles, charges, neutralize"));
                        }
                        Ok(PotentialSpec::Hybrid { styles, charges })
                    }
                    "tersoff" => {
                        let f: ManybodyFiles = serde_json::from_value(Value::Object(map)).map_err(|e| bad(e, "tersoff"))?;
                        let (file, elements, shift) = f.one_file("tersoff")?;
                        Ok(PotentialSpec::Tersoff { file, elements, shift })
                    }
                    "sw" => {
                        let f: ManybodyFiles = serde_json::from_value(Value::Object(map)).map_err(|e| bad(e, "sw"))?;
                        if f.shift.is_some() {
                            return Err(Error::invalid("shift", "sw", "only pair_style tersoff has a shift"));
                        }
                        let (file, elements, _) = f.one_file("sw")?;
                        Ok(PotentialSpec::Sw { file, elements })
                    }
                    other => Err(unknown_style("pair_style", other)),
                }
            }
            (None, Some(g)) => {
                let name = g.as_str().ok_or_else(|| Error::invalid("generator", &g, "must be a string"))?.to_string();
                match name.as_str() {
                    "zhou2004" => {
                        #[derive(Deserialize)]
                        #[serde(deny_unknown_fields)]
                        struct Elements {
                            elements: Vec<String>,
                        }
                        let e: Elements = serde_json::from_value(Value::Object(map)).map_err(|e| bad(e, "zhou2004"))?;
                        Ok(PotentialSpec::Zhou2004 { elements: e.elements })
                    }
                    "pedone2006" | "buckingham" => super::ionic::library::spec_from_generator(&name, map),
                    other => Err(unknown_style("generator", other)),
                }
            }
        }
    }

    /// The JSON value (see the module docs).
    pub fn to_value(&self) -> Value {
        match self {
            PotentialSpec::Eam { style, files, elements } => {
                let mut m = Map::new();
                m.insert("pair_style".into(), json!(style.pair_style()));
                m.insert("files".into(), json!(files));
                if let Some(e) = elements {
                    m.insert("elements".into(), json!(e));
                }
                Value::Object(m)
            }
            PotentialSpec::LjCut(lj) => {
                let mut v = serde_json::to_value(lj).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("pair_style".into(), json!("lj/cut"));
                }
                v
            }
            PotentialSpec::Zhou2004 { elements } => json!({"generator": "zhou2004", "elements": elements}),
            PotentialSpec::ShortRange(s) => s.to_value(),
            PotentialSpec::Coulomb(c) => c.to_value(),
            PotentialSpec::Hybrid { styles, charges } => {
                let mut v = json!({"pair_style": "hybrid/overlay", "styles": styles.iter().map(|s| s.to_value()).collect::<Vec<_>>()});
                super::spec_ionic::insert_charges(&mut v, charges);
                v
            }
            PotentialSpec::Tersoff { file, elements, shift } => {
                let mut m = Map::new();
                m.insert("pair_style".into(), json!("tersoff"));
                m.insert("files".into(), json!([file]));
                if let Some(e) = elements {
                    m.insert("elements".into(), json!(e));
                }
                if let Some(d) = shift {
                    m.insert("shift".into(), json!(d));
                }
                Value::Object(m)
            }
            PotentialSpec::Sw { file, elements } => {
                let mut m = Map::new();
                m.insert("pair_style".into(), json!("sw"));
                m.insert("files".into(), json!([file]));
                if let Some(e) = elements {
                    m.insert("elements".into(), json!(e));
                }
                Value::Object(m)
            }
            PotentialSpec::Molecular(m) => m.to_value(),
        }
    }

    /// Build the potential: the one constructor of every potential scalebridge has.
    pub fn build(&self) -> Result<Arc<dyn Potential>> {
        Ok(match self {
            PotentialSpec::Eam { .. } | PotentialSpec::Zhou2004 { .. } => Arc::new(self.build_eam()?),
            PotentialSpec::LjCut(lj) => Arc::new(LennardJones::new(
                lj.elements.clone(),
                lj.epsilon.clone(),
                lj.sigma.clone(),
                lj.cutoff,
                lj.shift,
                lj.mixing,
                lj.pairs.clone(),
            )?),
            PotentialSpec::ShortRange(s) => s.build(true)?,
            PotentialSpec::Coulomb(c) => c.build()?,
            PotentialSpec::Hybrid { styles, charges } => {
                let mut members = Vec::with_capacity(styles.len());
                for m in styles {
                    let mut m = m.clone();
                    m.inherit_charges(charges);
                    members.push(match &m {
                        // a hybrid member acts only on the pairs it is given (LAMMPS sub-styles)
                        PotentialSpec::ShortRange(s) => s.build(false)?,
                        other => other.build()?,
                    });
                }
                Arc::new(super::hybrid::Hybrid::new(members)?)
            }
            PotentialSpec::Tersoff { file, elements, shift } => {
                Arc::new(Tersoff::from_file(file, elements.as_deref(), shift.unwrap_or(0.0))?)
            }
            PotentialSpec::Sw { file, elements } => Arc::new(StillingerWeber::from_file(file, elements.as_deref())?),
            PotentialSpec::Molecular(m) => m.build()?,
        })
    }

    /// Build an EAM specification (files or the Zhou generator) as the concrete type (for
    /// callers that need its tables or masses); an error for other styles.
    pub fn build_eam(&self) -> Result<EmbeddedAtom> {
        match self {
            PotentialSpec::Eam { style: EamStyle::Funcfl, files, elements } => match (files.as_slice(), elements.as_deref()) {
                ([], _) => Err(Error::invalid("files", "[]", "pair_style eam needs at least one funcfl file")),
                ([one], e) => load_as(EamStyle::Funcfl, one, e),
                (many, Some(names)) if names.len() == many.len() => {
                    let pairs: Vec<(String, &Path)> = names.iter().cloned().zip(many.iter().map(|p| p.as_path())).collect();
                    load_funcfl(&pairs)
                }
                (many, e) => Err(Error::invalid(
                    "elements",
                    format!("{e:?}"),
                    &format!("{} funcfl files need one element name per file", many.len()),
                )),
            },
            PotentialSpec::Eam { style, files, elements } => match files.as_slice() {
                [one] => load_as(*style, one, elements.as_deref()),
                other => Err(Error::invalid(
                    "files",
                    format!("{other:?}"),
                    &format!("pair_style {} reads exactly one file", style.pair_style()),
                )),
            },
            PotentialSpec::Zhou2004 { elements } => Zhou2004::new(elements)?.potential(),
            other => Err(Error::invalid("pair_style", other.style(), "is not an EAM potential")),
        }
    }
}

/// Load an EAM potential file, choosing the reader from the file (see
/// [`super::eam::detect_style`]): [`PotentialSpec::eam_file`] built.
///
/// `elements`: for setfl and Finnis–Sinclair files, the file's elements to use (all when
/// `None`); every name must be in the file. For a funcfl file, the one name to give its element
/// (default: the symbol of the atomic number in the file).
pub fn load(path: &Path, elements: Option<&[String]>) -> Result<EmbeddedAtom> {
    PotentialSpec::eam_file(path, elements)?.build_eam()
}

impl Serialize for PotentialSpec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for PotentialSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        PotentialSpec::from_value(v).map_err(D::Error::custom)
    }
}
