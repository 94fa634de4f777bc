//! Dataset design files (`scalebridge dataset build DESIGN.toml`): which materials to describe.
//!
//! ```toml
//! materials = ["cu.toml", "ni.toml"]     # description files, relative to the design file
//! [space]                                 # and/or a design space (the campaign file's table)
//! elements = ["Cu", "Ni", "Al"]
//! components = [1, 2]                     # numbers of principal elements: [min, max] inclusive (or one integer)
//! step = 0.25                             # composition grid (every fraction a multiple, >= step)
//! lattice = ["fcc"]                       # one or several
//! temperature_K = [0, 300]                # one or several; every material is described at each
//! microstructure = { kind = "polycrystal", grains = 8, resolution = 16 }
//! potential = { generator = "zhou2004" }
//! max_materials = 50                      # optional: a seeded random subset of the expanded space
//! seed = 1
//! ```
//! Unknown keys, wrong types and impossible values are errors naming the key (and the TOML line).
//! The space expands to one material description (as a JSON dictionary with the keys of a
//! description file) per composition × lattice, named like `Cu0.5Ni0.5-fcc`, class `metal`
//! (one element) or `alloy`, one phase with fraction 1.

use crate::error::{FeatureError, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DesignFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    materials: Vec<PathBuf>,
    #[serde(default)]
    space: Option<SpaceFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpaceFile {
    elements: Vec<String>,
    components: OneOrMany<usize>,
    step: f64,
    lattice: OneOrMany<String>,
    #[serde(rename = "temperature_K")]
    temperature_k: OneOrMany<f64>,
    #[serde(default)]
    microstructure: Option<toml::Table>,
    potential: toml::Table,
    #[serde(default)]
    max_materials: Option<usize>,
    #[serde(default)]
    seed: u64,
}

/// One material of a design: a description file or an expanded dictionary.
#[derive(Debug, Clone, PartialEq)]
pub enum MaterialSource {
    File(PathBuf),
    Dict { name: String, value: Value },
}

/// A parsed design: its materials in order, and the directory relative paths resolve against.
#[derive(Debug, Clone)]
pub struct Design {
    pub name: String,
    pub base: PathBuf,
    pub materials: Vec<MaterialSource>,
}

fn bad(key: &str, value: impl std::fmt::Display, reason: &str) -> FeatureError {
    FeatureError::param(&format!("design key `{key}`"), value, reason)
}

/// Every composition of `k` elements (fractions multiples of `step`, each ≥ `step`, summing to 1),
/// as integer grid counts (`n` = 1/step), in lexicographic order of the counts.
pub fn compositions(k: usize, n: usize) -> Vec<Vec<usize>> {
    fn rec(k: usize, left: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k == 1 {
            if left >= 1 {
                cur.push(left);
                out.push(cur.clone());
                cur.pop();
            }
            return;
        }
        for c in 1..left {
            cur.push(c);
            rec(k - 1, left - c, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(k, n, &mut Vec::new(), &mut out);
    out
}

/// Every `k`-element subset of `0..n`, in lexicographic order.
pub fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn rec(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            rec(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(0, n, k, &mut Vec::new(), &mut out);
    out
}

/// Format a fraction compactly (0.5, 0.25, 0.333333).
fn frac(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A formula from element fractions, e.g. `Cu0.5Ni0.5` (pure element: `Cu`).
pub fn formula(fractions: &[(String, f64)]) -> String {
    if fractions.len() == 1 {
        return fractions[0].0.clone();
    }
    fractions.iter().map(|(e, x)| format!("{e}{}", frac(*x))).collect()
}

fn toml_to_json(t: &toml::Table) -> Result<Value> {
    serde_json::to_value(t).map_err(|e| FeatureError::param("design", "table", &e.to_string()))
}

fn expand(space: &SpaceFile) -> Result<Vec<MaterialSource>> {
    let els = &space.elements;
    if els.is_empty() {
        return Err(bad("space.elements", "[]", "needs at least one element"));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(e) = els.iter().find(|e| !seen.insert(e.as_str())) {
        return Err(bad("space.elements", e, "is listed twice"));
    }
    let comps = space.components.to_vec();
    let (kmin, kmax) = match comps.as_slice() {
        [k] => (*k, *k),
        [a, b] => (*a, *b),
        other => return Err(bad("space.components", format!("{other:?}"), "must be one integer or [min, max]")),
    };
    if kmin == 0 || kmin > kmax || kmax > els.len() {
        return Err(bad("space.components", format!("[{kmin}, {kmax}]"), &format!("need 1 <= min <= max <= the number of elements ({})", els.len())));
    }
    let n = (1.0 / space.step).round();
    if !(space.step > 0.0 && space.step <= 1.0) || ((n * space.step) - 1.0).abs() > 1e-9 {
        return Err(bad("space.step", space.step, "must divide 1 (0.5, 0.25, 0.1, 0.05, ...)"));
    }
    let n = n as usize;
    if kmax > n {
        return Err(bad("space.step", space.step, &format!("is too coarse for {kmax} components (each fraction is at least one step)")));
    }
    let lattices = space.lattice.to_vec();
    if lattices.is_empty() {
        return Err(bad("space.lattice", "[]", "needs at least one lattice"));
    }
    let temps = space.temperature_k.to_vec();
    if temps.is_empty() || temps.iter().any(|t| !(t.is_finite() && *t >= 0.0)) {
        return Err(bad("space.temperature_K", format!("{temps:?}"), "needs one or more temperatures >= 0"));
    }
    let potential = toml_to_json(&space.potential)?;
    let micro = match &space.microstructure {
        Some(m) => Some(toml_to_json(m)?),
        None => None,
    };
    let mut out = Vec::new();
    for k in kmin..=kmax {
        for sub in subsets(els.len(), k) {
            for counts in compositions(k, n) {
                let fr: Vec<(String, f64)> = sub.iter().zip(&counts).map(|(&i, &c)| (els[i].clone(), c as f64 / n as f64)).collect();
                for lat in &lattices {
                    let name = format!("{}-{lat}", formula(&fr));
                    let elements: serde_json::Map<String, Value> = fr.iter().map(|(e, x)| (e.clone(), json!(x))).collect();
                    let mut v = json!({
                        "name": name,
                        "class": if k == 1 { "metal" } else { "alloy" },
                        "temperature_K": temps,
                        "phase": [{
                            "name": formula(&fr),
                            "structure": {"lattice": lat, "elements": elements},
                            "potential": potential,
                            "fraction": 1.0
                        }]
                    });
                    if let (Some(m), Some(obj)) = (&micro, v.as_object_mut()) {
                        obj.insert("microstructure".into(), m.clone());
                    }
                    out.push(MaterialSource::Dict { name, value: v });
                }
            }
        }
    }
    if let Some(m) = space.max_materials {
        if m == 0 {
            return Err(bad("space.max_materials", 0, "must be at least 1"));
        }
        if m < out.len() {
            // seeded partial Fisher–Yates (SplitMix64), keeping the expansion order of the chosen
            let mut state = space.seed ^ 0x9e37_79b9_7f4a_7c15;
            let mut next = || {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            };
            let mut idx: Vec<usize> = (0..out.len()).collect();
            for i in 0..m {
                let j = i + (next() % (idx.len() - i) as u64) as usize;
                idx.swap(i, j);
            }
            let mut keep = idx[..m].to_vec();
            keep.sort_unstable();
            out = keep.into_iter().map(|i| out[i].clone()).collect();
        }
    }
    Ok(out)
}

impl Design {
    pub fn from_file(path: &Path) -> Result<Design> {
        let text = std::fs::read_to_string(path).map_err(|e| FeatureError::io(path, e))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_toml_str(&text, &path.display().to_string(), &base)
    }

    pub fn from_toml_str(text: &str, source: &str, base: &Path) -> Result<Design> {
        let f: DesignFile = toml::from_str(text).map_err(|e| FeatureError::param("design file", source, &e.to_string()))?;
        let mut materials: Vec<MaterialSource> = f.materials.iter().map(|p| MaterialSource::File(base.join(p))).collect();
        if let Some(s) = &f.space {
            materials.extend(expand(s)?);
        }
        if materials.is_empty() {
            return Err(bad("materials", source, "the design names no materials (give `materials = [...]` or a `[space]` table)"));
        }
        let name = f.name.unwrap_or_else(|| Path::new(source).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        Ok(Design { name, base: base.to_path_buf(), materials })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_expands_to_the_composition_grid() {
        let text = r#"
            materials = ["cu.toml"]
            [space]
            elements = ["Cu", "Ni", "Al"]
            components = [1, 2]
            step = 0.25
            lattice = ["fcc", "bcc"]
            temperature_K = 300
            microstructure = { kind = "polycrystal", grains = 4, resolution = 8 }
            potential = { generator = "zhou2004" }
        "#;
        let d = Design::from_toml_str(text, "d.toml", Path::new("/x")).unwrap();
        // 3 pure + 3 pairs × 3 compositions (0.25/0.75, 0.5/0.5, 0.75/0.25) = 12, × 2 lattices, + the file
        assert_eq!(d.materials.len(), 1 + 24);
        assert_eq!(d.materials[0], MaterialSource::File(PathBuf::from("/x/cu.toml")));
        let MaterialSource::Dict { name, value } = &d.materials[1] else { panic!() };
        assert_eq!(name, "Cu-fcc");
        assert_eq!(value["class"], "metal");
        assert_eq!(value["temperature_K"], json!([300.0]));
        assert_eq!(value["microstructure"]["grains"], 4);
        assert_eq!(value["phase"][0]["potential"]["generator"], "zhou2004");
        let names: Vec<String> = d.materials.iter().filter_map(|m| if let MaterialSource::Dict { name, .. } = m { Some(name.clone()) } else { None }).collect();
        assert!(names.contains(&"Cu0.25Ni0.75-bcc".to_string()) && names.contains(&"Ni0.5Al0.5-fcc".to_string()));
        let MaterialSource::Dict { value, .. } = d.materials.iter().find(|m| matches!(m, MaterialSource::Dict { name, .. } if name == "Cu0.25Ni0.75-fcc")).unwrap() else { panic!() };
        assert_eq!(value["class"], "alloy");
        assert_eq!(value["phase"][0]["structure"]["elements"]["Ni"], 0.75);
        // 5 components of 6 on a 0.05 grid: C(6,5) · C(19,4) compositions
        assert_eq!(compositions(5, 20).len(), 3876);
        assert_eq!(subsets(6, 5).len(), 6);
    }

    #[test]
    fn subset_is_seeded_and_errors_name_the_key() {
        let base = r#"[space]
elements = ["Cu", "Ni", "Al", "Fe"]
components = [2, 3]
step = 0.1
lattice = "fcc"
temperature_K = [0, 300]
potential = { generator = "zhou2004" }
"#;
        let all = Design::from_toml_str(base, "d", Path::new(".")).unwrap().materials.len();
        let sub = format!("{base}max_materials = 10\nseed = 3\n");
        let a = Design::from_toml_str(&sub, "d", Path::new(".")).unwrap();
        let b = Design::from_toml_str(&sub, "d", Path::new(".")).unwrap();
        assert_eq!(a.materials.len(), 10);
        assert_eq!(a.materials, b.materials);
        assert!(all > 10);
        let c = Design::from_toml_str(&sub.replace("seed = 3", "seed = 4"), "d", Path::new(".")).unwrap();
        assert_ne!(a.materials, c.materials);
        for (bad_text, key) in [
            (base.replace("step = 0.1", "step = 0.3"), "space.step"),
            (base.replace("[2, 3]", "[3, 9]"), "space.components"),
            (base.replace("elements = [\"Cu\", \"Ni\", \"Al\", \"Fe\"]", "elements = [\"Cu\", \"Cu\"]"), "space.elements"),
            (format!("{base}colour = 1\n"), "colour"),
            (base.replace("temperature_K = [0, 300]", "temperature_K = [-5]"), "temperature_K"),
            ("name = \"x\"\n".to_string(), "materials"),
        ] {
            let msg = Design::from_toml_str(&bad_text, "d", Path::new(".")).unwrap_err().to_string();
            assert!(msg.contains(key), "{key}: {msg}");
        }
        // a TOML type error names the line
        let msg = Design::from_toml_str(&base.replace("step = 0.1", "step = \"a\""), "d", Path::new(".")).unwrap_err().to_string();
        assert!(msg.contains("line 4") || msg.contains("step"), "{msg}");
        assert_eq!(formula(&[("Cu".into(), 1.0)]), "Cu");
        assert_eq!(formula(&[("Cu".into(), 0.5), ("Ni".into(), 0.5)]), "Cu0.5Ni0.5");
    }
}
