//! The field maps of the JSON sources: which field (first found) becomes which column, in
//! which unit. Column names are shared between sources where the quantity is the same, so
//! tables from several databases line up.

use super::{composition, composition_features, kind, lookup, malformed, number, Source};
use crate::error::Result;
use crate::table::{Feature, Row, Scale};
use serde_json::Value;

/// One output column: its name, unit and the fields it is read from (dotted paths, keys compared
/// without case; the first present wins).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub unit: &'static str,
    pub fields: &'static [&'static str],
}

/// How one database's records map to a row.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub source: Source,
    /// The `class` column of every row.
    pub class: &'static str,
    /// Identifier fields, first present wins.
    pub id: &'static [&'static str],
    /// Formula fields (text), first present wins.
    pub formula: &'static [&'static str],
    pub columns: &'static [Col],
}

const fn col(name: &'static str, unit: &'static str, fields: &'static [&'static str]) -> Col {
    Col { name, unit, fields }
}

/// Materials Project summary (`bulk_modulus`/`shear_modulus` as `{voigt, reuss, vrh}`) and
/// elasticity documents (new API: the same keys; legacy: `elasticity.K_VRH`, `G_VRH`, ...).
pub const MP: Spec = Spec {
    source: Source::MaterialsProject,
    class: "materials_project",
    id: &["material_id", "task_id", "mp_id"],
    formula: &["formula_pretty", "pretty_formula", "formula"],
    columns: &[
        col("formation_energy_per_atom", "eV/atom", &["formation_energy_per_atom"]),
        col("energy_above_hull", "eV/atom", &["energy_above_hull", "e_above_hull"]),
        col("band_gap", "eV", &["band_gap"]),
        col("density", "g/cm^3", &["density"]),
        col("bulk_modulus_vrh", "GPa", &["bulk_modulus.vrh", "k_vrh", "elasticity.k_vrh", "elasticity.bulk_modulus.vrh"]),
        col("bulk_modulus_voigt", "GPa", &["bulk_modulus.voigt", "k_voigt", "elasticity.k_voigt", "elasticity.bulk_modulus.voigt"]),
        col("bulk_modulus_reuss", "GPa", &["bulk_modulus.reuss", "k_reuss", "elasticity.k_reuss", "elasticity.bulk_modulus.reuss"]),
        col("shear_modulus_vrh", "GPa", &["shear_modulus.vrh", "g_vrh", "elasticity.g_vrh", "elasticity.shear_modulus.vrh"]),
        col("shear_modulus_voigt", "GPa", &["shear_modulus.voigt", "g_voigt", "elasticity.g_voigt", "elasticity.shear_modulus.voigt"]),
        col("shear_modulus_reuss", "GPa", &["shear_modulus.reuss", "g_reuss", "elasticity.g_reuss", "elasticity.shear_modulus.reuss"]),
        col("poisson_ratio", "1", &["homogeneous_poisson", "elasticity.homogeneous_poisson", "elasticity.poisson_ratio"]),
        col("universal_anisotropy", "1", &["universal_anisotropy", "elasticity.universal_anisotropy", "elasticity.elastic_anisotropy"]),
    ],
};

/// JARVIS-DFT `dft_3d` (OptB88vdW; `bulk_modulus_kv`/`shear_modulus_gv` are Voigt averages).
pub const JARVIS: Spec = Spec {
    source: Source::Jarvis,
    class: "jarvis_dft_3d",
    id: &["jid"],
    formula: &["formula"],
    columns: &[
        col("formation_energy_per_atom", "eV/atom", &["formation_energy_peratom"]),
        col("energy_above_hull", "eV/atom", &["ehull"]),
        col("band_gap_optb88vdw", "eV", &["optb88vdw_bandgap"]),
        col("band_gap_mbj", "eV", &["mbj_bandgap"]),
        col("bulk_modulus_voigt", "GPa", &["bulk_modulus_kv"]),
        col("shear_modulus_voigt", "GPa", &["shear_modulus_gv"]),
        col("density", "g/cm^3", &["density"]),
    ],
};

/// AFLOW (AFLUX keywords; AEL elastic and AGL thermal properties).
pub const AFLOW: Spec = Spec {
    source: Source::Aflow,
    class: "aflow",
    id: &["auid", "aurl"],
    formula: &["compound"],
    columns: &[
        col("formation_energy_per_atom", "eV/atom", &["enthalpy_formation_atom"]),
        col("band_gap", "eV", &["Egap"]),
        col("density", "g/cm^3", &["density"]),
        col("bulk_modulus_vrh", "GPa", &["ael_bulk_modulus_vrh"]),
        col("shear_modulus_vrh", "GPa", &["ael_shear_modulus_vrh"]),
        col("poisson_ratio", "1", &["ael_poisson_ratio"]),
        col("debye_temperature", "K", &["agl_debye"]),
        col("thermal_conductivity_300K", "W/(m K)", &["agl_thermal_conductivity_300K"]),
    ],
};

/// OQMD REST `formationenergy` (`delta_e` formation energy, `stability` the distance from the hull).
pub const OQMD: Spec = Spec {
    source: Source::Oqmd,
    class: "oqmd",
    id: &["entry_id", "id", "calculation_id"],
    formula: &["name"],
    columns: &[
        col("formation_energy_per_atom", "eV/atom", &["delta_e"]),
        col("energy_above_hull", "eV/atom", &["stability"]),
        col("band_gap", "eV", &["band_gap"]),
    ],
};

pub(crate) fn spec(source: Source) -> &'static Spec {
    match source {
        Source::MaterialsProject => &MP,
        Source::Jarvis => &JARVIS,
        Source::Aflow => &AFLOW,
        Source::Oqmd | Source::Matbench => &OQMD,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list given as a JSON list or as comma-separated text (AFLUX writes both).
fn list(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) => Some(a.clone()),
        Value::String(s) => Some(s.split(',').map(|x| Value::String(x.trim().to_string())).collect()),
        _ => None,
    }
}

/// The composition of a record as (symbol, amount) pairs, and the field it came from.
/// (symbol, amount) pairs and the field they came from, or the failing field and why.
type CompositionResult = std::result::Result<(Vec<(String, f64)>, &'static str), (&'static str, String)>;

fn composition_of(spec: &Spec, rec: &Value) -> CompositionResult {
    // an element → amount map
    for f in ["composition", "composition_reduced"] {
        if let Some(Value::Object(m)) = lookup(rec, f) {
            let mut pairs = Vec::new();
            for (el, a) in m {
                pairs.push((el.clone(), number(a).map_err(|e| (f, format!("amount of {el}: {e}")))?));
            }
            return Ok((pairs, f));
        }
    }
    match spec.source {
        Source::Jarvis => {
            if let Some(v) = lookup(rec, "atoms.elements") {
                let els = v.as_array().ok_or(("atoms.elements", format!("expected a list of element symbols, got {}", kind(v))))?;
                let pairs = els.iter().map(|e| e.as_str().map(|s| (s.to_string(), 1.0)).ok_or(("atoms.elements", format!("expected element symbols, got {}", kind(e))))).collect::<std::result::Result<Vec<_>, _>>()?;
                return Ok((pairs, "atoms.elements"));
            }
        }
        Source::Aflow => {
            if let (Some(sp), Some(co)) = (lookup(rec, "species"), lookup(rec, "composition")) {
                let sp = list(sp).ok_or(("species", format!("expected a list of element symbols, got {}", kind(sp))))?;
                let co = list(co).ok_or(("composition", format!("expected a list of counts, got {}", kind(co))))?;
                if sp.len() != co.len() {
                    return Err(("composition", format!("{} counts for {} species", co.len(), sp.len())));
                }
                let mut pairs = Vec::new();
                for (s, c) in sp.iter().zip(&co) {
                    let el = s.as_str().ok_or(("species", format!("expected element symbols, got {}", kind(s))))?.to_string();
                    pairs.push((el, number(c).map_err(|e| ("composition", e))?));
                }
                return Ok((pairs, "species"));
            }
        }
        _ => {}
    }
    // a formula text (OQMD's composition "Al2 O3" is one too)
    for f in std::iter::once(&"composition").chain(spec.formula.iter()) {
        if let Some(v) = lookup(rec, f) {
            let Some(s) = v.as_str() else {
                if *f == "composition" {
                    continue;
                }
                return Err((f, format!("expected a formula, got {}", kind(v))));
            };
            return composition::parse_formula(s).map(|p| (p, *f)).map_err(|e| (*f, e));
        }
    }
    Err((spec.formula.first().copied().unwrap_or("formula"), "no composition or formula in the record".into()))
}

/// One record → one row.
pub(crate) fn row(spec: &Spec, index: usize, rec: &Value, file: &str) -> Result<Row> {
    let id = spec.id.iter().find_map(|f| lookup(rec, f).and_then(text));
    let label = match &id {
        Some(id) => format!("#{index} ({id})"),
        None => format!("#{index}"),
    };
    let bad = |field: &str, reason: &str| malformed(spec.source, file, &label, field, reason);
    let (pairs, from) = composition_of(spec, rec).map_err(|(f, e)| bad(f, &e))?;
    let fr = composition::fractions(&pairs).map_err(|e| bad(from, &e))?;
    let formula = spec.formula.iter().find_map(|f| lookup(rec, f).and_then(Value::as_str).map(str::to_string)).unwrap_or_else(|| crate::design::formula(&fr));
    let mut features: Vec<Feature> = composition_features(&fr);
    for c in spec.columns {
        if let Some((field, v)) = c.fields.iter().find_map(|f| lookup(rec, f).map(|v| (*f, v))) {
            let x = number(v).map_err(|e| bad(field, &e))?;
            features.push(Feature::new(c.name, x, c.unit, Scale::Target));
        }
    }
    Ok(Row {
        material: id.unwrap_or_else(|| format!("{}-{index}", spec.source.as_str())),
        class: spec.class.to_string(),
        ids: vec![("formula".to_string(), formula), ("source".to_string(), spec.source.as_str().to_string())],
        features,
    })
}
