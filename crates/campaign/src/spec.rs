//! The campaign file (TOML): the design space, the targets, the search and the output. Every
//! value is validated here; errors name the key and the line (`toml` spans).

use crate::error::{io, CampaignError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A validated campaign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Campaign {
    pub name: String,
    pub space: Space,
    pub targets: Vec<Target>,
    pub search: Search,
    pub output: Output,
    /// Directory of the campaign file (relative paths resolve against it).
    pub base: PathBuf,
    /// The campaign file's text (copied next to the results so `status DB` finds it).
    pub source_text: String,
}

/// The design space.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Space {
    pub elements: Vec<String>,
    /// Allowed numbers of principal elements (each a list entry, e.g. `[3, 5]`: ternaries and quinaries).
    pub components: Vec<usize>,
    pub step: f64,
    pub lattice: Vec<String>,
    #[serde(rename = "temperature_K")]
    pub temperatures_k: Vec<f64>,
    /// Microstructure alternatives (tables of the material file's `[microstructure]`, plus an
    /// optional `inclusion` continuum phase that makes the candidate a composite).
    pub microstructures: Vec<toml::Table>,
    /// The potential table of the material file (e.g. `{ generator = "zhou2004" }`).
    pub potential: toml::Table,
    /// Further material description files, each one candidate (other classes).
    pub materials: Vec<PathBuf>,
}

/// One target property and its goal.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Target {
    /// A property of the description (`E_GPa`, `nu`, `K_GPa`, `G_GPa`, `kappa_W_mK`,
    /// `T_transition_K`) or the name of one of its features.
    pub property: String,
    pub goal: Goal,
}

/// What a target asks for.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    Max,
    Min,
    AtLeast(f64),
    AtMost(f64),
}

impl Goal {
    /// Parse `max`, `min`, `">= x"`, `"<= x"`.
    pub fn parse(s: &str) -> std::result::Result<Goal, String> {
        let t = s.trim();
        let num = |r: &str| r.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{s}`: the bound is not a finite number"));
        match t {
            "max" => Ok(Goal::Max),
            "min" => Ok(Goal::Min),
            _ if t.starts_with(">=") => Ok(Goal::AtLeast(num(&t[2..])?)),
            _ if t.starts_with("<=") => Ok(Goal::AtMost(num(&t[2..])?)),
            _ => Err(format!("`{s}`: expected max, min, \">= x\" or \"<= x\"")),
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Goal::Max => "max".into(),
            Goal::Min => "min".into(),
            Goal::AtLeast(x) => format!(">= {x}"),
            Goal::AtMost(x) => format!("<= {x}"),
        }
    }
}

/// Surrogate models.
pub const MODELS: &[&str] = &["gp", "gbm", "dnn"];
/// Acquisition functions.
pub const ACQUISITIONS: &[&str] = &["ucb", "ei", "variance", "random"];

/// The search.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Search {
    /// Simulations (describe calls, failures included).
    pub budget: usize,
    pub batch: usize,
    pub model: String,
    pub acquisition: String,
    /// Random simulations before the surrogate takes over.
    pub initial: usize,
    pub seed: u64,
    /// `quick` (default) or `full` describe preset.
    pub preset: String,
}

/// Where results go.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Output {
    pub directory: PathBuf,
    /// `sqlite:///path`, `postgresql://...`; relative sqlite paths resolve against the campaign file.
    pub database: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Spanned<String>,
    space: Spanned<RawSpace>,
    target: Spanned<Vec<Spanned<RawTarget>>>,
    search: Option<Spanned<RawSearch>>,
    output: Option<Spanned<RawOutput>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}
impl<T> OneOrMany<T> {
    fn list(self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpace {
    elements: Option<Spanned<Vec<String>>>,
    components: Option<Spanned<OneOrMany<i64>>>,
    step: Option<Spanned<f64>>,
    lattice: Option<Spanned<OneOrMany<String>>>,
    #[serde(rename = "temperature_K")]
    temperature_k: Spanned<OneOrMany<f64>>,
    microstructure: Option<Spanned<OneOrMany<toml::Table>>>,
    potential: Option<Spanned<toml::Table>>,
    materials: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    property: Spanned<String>,
    goal: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    budget: Spanned<i64>,
    batch: Option<Spanned<i64>>,
    model: Option<Spanned<String>>,
    acquisition: Option<Spanned<String>>,
    initial: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    preset: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    directory: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}

struct Ctx<'a> {
    text: &'a str,
    path: &'a str,
}

impl Ctx<'_> {
    fn err<T>(&self, span: std::ops::Range<usize>, key: &str, msg: impl Into<String>) -> CampaignError {
        CampaignError::Parse { path: self.path.to_string(), line: line_of(self.text, span.start), key: key.to_string(), msg: msg.into() }
    }
    fn positive(&self, v: &Spanned<i64>, key: &str, min: i64) -> Result<usize> {
        if *v.get_ref() < min {
            return Err(self.err::<()>(v.span(), key, format!("{} is below {min}", v.get_ref())));
        }
        Ok(*v.get_ref() as usize)
    }
}

/// Known description properties (others must be feature names, checked after the first result).
pub const PROPERTIES: &[&str] = &["E_GPa", "nu", "K_GPa", "G_GPa", "kappa_W_mK", "T_transition_K"];

const ELEMENT_LIMIT: usize = 16;
const PROTOTYPE_LATTICES: &[&str] = &["fcc", "bcc", "hcp", "sc"];

impl Campaign {
    /// Read and validate a campaign file.
    pub fn from_file(path: &Path) -> Result<Campaign> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_toml_str(&text, &path.display().to_string(), &base)
    }

    /// Parse and validate campaign text; `source` names it in errors, `base` resolves relative paths.
    pub fn from_toml_str(text: &str, source: &str, base: &Path) -> Result<Campaign> {
        let cx = Ctx { text, path: source };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let msg = e.message().to_string();
            let key = msg.split('`').nth(1).unwrap_or("(file)").to_string();
            CampaignError::Parse { path: source.to_string(), line, key, msg }
        })?;
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || name.contains(['/', '\\']) {
            return Err(cx.err::<()>(raw.name.span(), "name", "must be a non-empty name without slashes"));
        }
        let space = parse_space(&cx, raw.space, base)?;
        let mut targets = Vec::new();
        if raw.target.get_ref().is_empty() {
            return Err(cx.err::<()>(raw.target.span(), "target", "at least one [[target]] is needed"));
        }
        for t in raw.target.into_inner() {
            let t = t.into_inner();
            let goal = Goal::parse(t.goal.get_ref()).map_err(|m| cx.err::<()>(t.goal.span(), "goal", m))?;
            let p = t.property.get_ref().trim().to_string();
            if p.is_empty() || targets.iter().any(|x: &Target| x.property == p) {
                return Err(cx.err::<()>(t.property.span(), "property", format!("`{p}` is empty or named twice")));
            }
            if p == "kappa_W_mK" || p == "T_transition_K" {
                if let Some(t0) = space.temperatures_k.iter().find(|&&t| t <= 0.0) {
                    return Err(cx.err::<()>(t.property.span(), "property", format!("`{p}` is not computed at {t0} K (temperature_K); use temperatures above 0 K")));
                }
            }
            targets.push(Target { property: p, goal });
        }
        let search = match raw.search {
            None => return Err(CampaignError::Parse { path: source.into(), line: 1, key: "search".into(), msg: "the [search] table (at least `budget`) is required".into() }),
            Some(s) => {
                let s = s.into_inner();
                let budget = cx.positive(&s.budget, "budget", 1)?;
                let batch = s.batch.as_ref().map(|b| cx.positive(b, "batch", 1)).transpose()?.unwrap_or(4);
                let initial = s.initial.as_ref().map(|b| cx.positive(b, "initial", 1)).transpose()?.unwrap_or_else(|| batch.max(2).min(budget));
                let seed = s.seed.as_ref().map(|b| cx.positive(b, "seed", 0)).transpose()?.unwrap_or(1) as u64;
                let pick = |v: &Option<Spanned<String>>, key: &str, allowed: &[&str], default: &str| -> Result<String> {
                    match v {
                        None => Ok(default.to_string()),
                        Some(v) if allowed.contains(&v.get_ref().as_str()) => Ok(v.get_ref().clone()),
                        Some(v) => Err(cx.err::<()>(v.span(), key, format!("`{}`: expected one of {}", v.get_ref(), allowed.join(", ")))),
                    }
                };
                let model = pick(&s.model, "model", MODELS, "gp")?;
                if model == "dnn" && !cfg!(feature = "dnn") {
                    let sp = s.model.as_ref().map_or(0..0, |m| m.span());
                    return Err(cx.err::<()>(sp, "model", "`dnn`: this build has no DNN (build with the `dnn` feature: SCALEBRIDGE_FEATURES=dnn bash scripts/install.sh); use gp or gbm"));
                }
                let acquisition = pick(&s.acquisition, "acquisition", ACQUISITIONS, "ucb")?;
                let preset = pick(&s.preset, "preset", &["quick", "full"], "quick")?;
                if initial > budget {
                    let sp = s.initial.as_ref().map_or(0..0, |m| m.span());
                    return Err(cx.err::<()>(sp, "initial", format!("{initial} is above the budget {budget}")));
                }
                Search { budget, batch, model, acquisition, initial, seed, preset }
            }
        };
        let (directory, database) = match raw.output {
            None => (PathBuf::from(format!("{name}-out")), None),
            Some(o) => {
                let o = o.into_inner();
                (o.directory.map_or_else(|| PathBuf::from(format!("{name}-out")), |d| PathBuf::from(d.into_inner())), o.database.map(|d| d.into_inner()))
            }
        };
        let directory = normalize(&if directory.is_absolute() { directory } else { base.join(directory) });
        let database = match database {
            None => format!("sqlite://{}", directory.join("results.db").display()),
            Some(d) => resolve_database(&d, base),
        };
        Ok(Campaign { name, space, targets, search, output: Output { directory, database }, base: base.to_path_buf(), source_text: text.to_string() })
    }
}

/// SQLAlchemy's convention: `sqlite:///rel/path.db` is relative (to the campaign file's
/// directory), `sqlite:////abs/path.db` absolute. The answer is `sqlite://` + the absolute path
/// (`..` components removed); other URLs are returned unchanged.
pub fn resolve_database(url: &str, base: &Path) -> String {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let p = rest.strip_prefix('/').unwrap_or(rest);
        let path = if p.starts_with('/') { PathBuf::from(p) } else { base.join(p) };
        return format!("sqlite://{}", normalize(&path).display());
    }
    url.to_string()
}

/// `path` made absolute (against the current directory) without `.`/`..` components.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn parse_space(cx: &Ctx<'_>, raw: Spanned<RawSpace>, base: &Path) -> Result<Space> {
    let span = raw.span();
    let r = raw.into_inner();
    let materials: Vec<PathBuf> = match &r.materials {
        None => Vec::new(),
        Some(m) => m.get_ref().iter().map(|p| normalize(&if Path::new(p).is_absolute() { PathBuf::from(p) } else { base.join(p) })).collect(),
    };
    if let Some(m) = &r.materials {
        for p in &materials {
            if !p.is_file() {
                return Err(cx.err::<()>(m.span(), "materials", format!("{} is not a file", p.display())));
            }
        }
    }
    let temps = r.temperature_k.get_ref();
    let temperatures_k = match temps {
        OneOrMany::One(t) => vec![*t],
        OneOrMany::Many(v) => v.clone(),
    };
    if temperatures_k.is_empty() || temperatures_k.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(cx.err::<()>(r.temperature_k.span(), "temperature_K", "needs one or more temperatures ≥ 0 K"));
    }
    let Some(elements) = r.elements else {
        if materials.is_empty() {
            return Err(cx.err::<()>(span, "space", "needs `elements` (an alloy space) or `materials` (description files)"));
        }
        return Ok(Space { elements: Vec::new(), components: Vec::new(), step: 1.0, lattice: Vec::new(), temperatures_k, microstructures: Vec::new(), potential: toml::Table::new(), materials });
    };
    let es = elements.get_ref().clone();
    let mut seen = std::collections::BTreeSet::new();
    if es.is_empty() || es.len() > ELEMENT_LIMIT || es.iter().any(|e| !seen.insert(e.clone()) || scalebridge_ml::elements::ElementTable::get().index_of(e).is_none()) {
        return Err(cx.err::<()>(elements.span(), "elements", format!("needs 1 to {ELEMENT_LIMIT} distinct chemical element symbols, got {es:?}")));
    }
    let comp = r.components.ok_or_else(|| cx.err::<()>(span.clone(), "components", "is required with `elements` (numbers of principal elements, e.g. [3, 5])"))?;
    let cspan = comp.span();
    let mut components: Vec<usize> = Vec::new();
    for c in comp.into_inner().list() {
        if c < 1 || c as usize > es.len() {
            return Err(cx.err::<()>(cspan, "components", format!("{c} principal elements: must be between 1 and the {} elements", es.len())));
        }
        components.push(c as usize);
    }
    components.sort_unstable();
    components.dedup();
    let step = r.step.ok_or_else(|| cx.err::<()>(span.clone(), "step", "is required with `elements` (composition grid, e.g. 0.05)"))?;
    let s = *step.get_ref();
    let n = (1.0 / s).round();
    if !(s > 0.0 && s <= 1.0) || (n * s - 1.0).abs() > 1e-9 {
        return Err(cx.err::<()>(step.span(), "step", format!("{s}: must divide 1 (e.g. 0.05, 0.1, 0.25)")));
    }
    if components.iter().any(|&k| k as f64 > n) {
        return Err(cx.err::<()>(step.span(), "step", format!("{s} is too coarse for {} principal elements", components.iter().max().unwrap_or(&0))));
    }
    let lattice = match r.lattice {
        None => vec!["fcc".to_string()],
        Some(l) => {
            let ls = l.span();
            let v = l.into_inner().list();
            if let Some(bad) = v.iter().find(|x| !PROTOTYPE_LATTICES.contains(&x.as_str())) {
                return Err(cx.err::<()>(ls, "lattice", format!("`{bad}`: a solid-solution lattice is one of {}", PROTOTYPE_LATTICES.join(", "))));
            }
            v
        }
    };
    let microstructures = match r.microstructure {
        None => vec![toml::Table::from_iter([("kind".to_string(), toml::Value::String("single-crystal".into()))])],
        Some(m) => {
            let ms = m.span();
            let v = m.into_inner().list();
            for t in &v {
                if !t.contains_key("kind") {
                    return Err(cx.err::<()>(ms.clone(), "microstructure", "each microstructure needs a `kind`"));
                }
                if let Some(inc) = t.get("inclusion") {
                    let ok = inc.as_table().is_some_and(|i| i.contains_key("E_GPa") && i.contains_key("nu") && i.contains_key("fraction"));
                    if !ok {
                        return Err(cx.err::<()>(ms.clone(), "inclusion", "needs `E_GPa`, `nu` and `fraction` (and optionally `name`, `kappa_W_mK`)"));
                    }
                }
            }
            v
        }
    };
    let potential = r.potential.map_or_else(|| toml::Table::from_iter([("generator".to_string(), toml::Value::String("zhou2004".into()))]), |p| p.into_inner());
    Ok(Space { elements: es, components, step: s, lattice, temperatures_k, microstructures, potential, materials })
}
