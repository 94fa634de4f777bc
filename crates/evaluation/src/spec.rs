//! The benchmark file: which classes, each with its dataset design (a `scalebridge dataset build`
//! design file of `scalebridge-features`: description files and/or a `[space]`).
//!
//! ```toml
//! name = "five-class"
//! [[class]]
//! name = "alloy"                 # the class label of the report
//! design = "alloy.toml"          # relative to this file
//! quick_max_materials = 12       # --quick describes at most this many (a seeded random subset)
//! min_materials = 6              # fewer described materials: the class is reported as skipped
//! ```
//! A top-level `element_data = "pure_elements.csv"` (relative to this file) names the measured
//! pure elements the alloy class is also compared with ([`crate::elements`]).
//! Every design must describe each material at 0 K (the cheap descriptors: composition, 0 K
//! statics, homogenised 0 K stiffness) and at one temperature above 0 K (the targets E, κ and
//! the transition temperature from the expensive finite-temperature protocols).

use crate::error::{io, invalid, Result};
use scalebridge_features::design::Design;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The five classes of the benchmark, in report order.
pub const CLASSES: [&str; 5] = ["alloy", "cathode", "perovskite", "polymer", "ceramic"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    element_data: Option<PathBuf>,
    class: Vec<ClassFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    name: String,
    design: PathBuf,
    #[serde(default)]
    quick_max_materials: Option<usize>,
    #[serde(default)]
    min_materials: Option<usize>,
}

/// One class of the benchmark.
#[derive(Debug, Clone)]
pub struct ClassSpec {
    pub name: String,
    /// The design file (absolute or relative to the working directory).
    pub design_path: PathBuf,
    pub quick_max_materials: usize,
    pub min_materials: usize,
}

impl ClassSpec {
    /// Parse the class's design (errors name the key and line).
    pub fn design(&self) -> Result<Design> {
        Ok(Design::from_file(&self.design_path)?)
    }
}

/// The benchmark file.
#[derive(Debug, Clone)]
pub struct BenchmarkSpec {
    pub name: String,
    pub path: PathBuf,
    /// Seed of the material subsets, the folds, the splits and the models.
    pub seed: u64,
    pub classes: Vec<ClassSpec>,
    /// Measured properties of the pure elements (`element_data`, relative to this file): the
    /// pure-element anchor of the alloy class ([`crate::elements`]).
    pub element_data: Option<PathBuf>,
}

/// Default cap of `--quick` per class.
pub const QUICK_MAX_MATERIALS: usize = 12;
/// Default least number of described materials a class needs to be evaluated.
pub const MIN_MATERIALS: usize = 6;

impl BenchmarkSpec {
    pub fn from_file(path: &Path) -> Result<BenchmarkSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let f: File = toml::from_str(&text).map_err(|e| invalid("benchmark file", path.display(), &e.to_string()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut classes = Vec::new();
        for c in f.class {
            if !CLASSES.contains(&c.name.as_str()) {
                return Err(invalid("class.name", &c.name, &format!("expected one of {}", CLASSES.join(", "))));
            }
            if classes.iter().any(|x: &ClassSpec| x.name == c.name) {
                return Err(invalid("class.name", &c.name, "is listed twice"));
            }
            let min = c.min_materials.unwrap_or(MIN_MATERIALS);
            if min < 4 {
                return Err(invalid("class.min_materials", min, "must be at least 4 (k-fold cross-validation and a 70/15/15 split need it)"));
            }
            classes.push(ClassSpec { name: c.name, design_path: base.join(c.design), quick_max_materials: c.quick_max_materials.unwrap_or(QUICK_MAX_MATERIALS).max(1), min_materials: min });
        }
        Ok(BenchmarkSpec { name: f.name.unwrap_or_else(|| "five-class".into()), path: path.to_path_buf(), seed: f.seed.unwrap_or(1), classes, element_data: f.element_data.map(|p| base.join(p)) })
    }

    /// Keep the classes named in `only` (all when `None`), in the file's order; an unknown
    /// name is an error naming it.
    pub fn select(&mut self, only: Option<&[String]>) -> Result<()> {
        if let Some(only) = only {
            for n in only {
                if !CLASSES.contains(&n.as_str()) {
                    return Err(invalid("--classes", n, &format!("expected one of {}", CLASSES.join(", "))));
                }
            }
            self.classes.retain(|c| only.iter().any(|n| n == &c.name));
        }
        Ok(())
    }
}
