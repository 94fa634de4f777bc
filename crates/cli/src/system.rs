//! Shared options of the property commands: which potential, which structure, how to report.

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use scalebridge_md::lattice::{bulk, BulkSpec, Lattice};
use scalebridge_md::potentials::{Potential, PotentialSpec};
use scalebridge_protocols::report::{Progress, Series};
use scalebridge_protocols::{lattice_constant, Context, Protocol};
use scalebridge_md::structure::Structure;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The system: a potential (file or built-in Zhou 2004 element) and a structure (file or
/// lattice).
#[derive(ClapArgs, Debug, Clone)]
pub struct SystemArgs {
    /// Potential file (LAMMPS eam, eam/alloy or eam/fs); without it, the built-in Zhou 2004 EAM
    /// of `--element`/`--elements` is used.
    #[arg(long)]
    pub potential: Option<PathBuf>,
    /// Element (with a built-in potential, or the species to take from a multi-element file).
    #[arg(long, conflicts_with = "elements")]
    pub element: Option<String>,
    /// Comma-separated elements (alloy potentials).
    #[arg(long, value_delimiter = ',')]
    pub elements: Vec<String>,
    /// Crystal lattice (fcc, bcc, hcp, sc, diamond, b2, l12) or prototype (perovskite, rocksalt,
    /// corundum, spinel, layered, olivine, wurtzite, zincblende, fluorite, alpha-quartz: `--elements` one per
    /// sublattice, default lattice parameters from the prototype table); default: the element's
    /// own lattice for built-in elements.
    #[arg(long)]
    pub lattice: Option<String>,
    /// Lattice constant a, Å (default for built-in elements: from the potential's r_e; with
    /// --potential: the 0 K zero-pressure value, relaxed from the file header's a0 or a scan).
    #[arg(long)]
    pub a: Option<f64>,
    /// Supercell repeats (one number or three, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub repeat: Vec<usize>,
    /// Structure file instead of a lattice: extended XYZ (last frame), POSCAR/CONTCAR/.vasp or
    /// CIF (format from the name; POSCAR files without species names take `--elements`).
    #[arg(long, conflicts_with_all = ["lattice", "a"])]
    pub structure: Option<PathBuf>,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Keep finished stages here so an interrupted run resumes (keyed by the task's input hash).
    #[arg(long, default_value = ".scalebridge-cache")]
    pub cache: PathBuf,
    /// Do not keep or reuse finished stages.
    #[arg(long)]
    pub no_cache: bool,
    /// Print the full result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write the result JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Plot the result's curves to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

impl SystemArgs {
    fn element_list(&self) -> Vec<String> {
        match &self.element {
            Some(e) => vec![e.clone()],
            None => self.elements.clone(),
        }
    }

    /// The potential's specification: the file of `--potential` (format detected), or the
    /// built-in Zhou 2004 EAM of the elements.
    pub fn potential_spec(&self) -> Result<PotentialSpec, String> {
        let elements = self.element_list();
        match &self.potential {
            Some(p) => PotentialSpec::eam_file(p, (!elements.is_empty()).then_some(elements.as_slice())).map_err(|e| e.to_string()),
            None => {
                if elements.is_empty() {
                    return Err("give --potential FILE or a built-in element with --element (Zhou 2004 EAM)".into());
                }
                Ok(PotentialSpec::Zhou2004 { elements })
            }
        }
    }

    /// The potential.
    pub fn potential(&self) -> Result<Arc<dyn Potential>, String> {
        self.potential_spec()?.build().map_err(|e| e.to_string())
    }

    /// The structure: from `--structure`, or a `repeat`ed crystal of the first element.
    pub fn structure(&self, pot: &Arc<dyn Potential>, default_repeat: [usize; 3]) -> Result<Structure, String> {
        if let Some(p) = &self.structure {
            let elements = self.element_list();
            return scalebridge_md::io::read_structure(p, None, &elements, None).map(|f| f.structure).map_err(|e| e.to_string());
        }
        let mut elements = self.element_list();
        if elements.is_empty() {
            elements = pot.species();
        }
        if let Some(s) = self.prototype_structure(default_repeat)? {
            return Ok(s);
        }
        let first = elements.first().ok_or("give --element (or --elements) to build a crystal, or --structure FILE")?;
        let zhou = scalebridge_md::potentials::zhou2004::parameter_table()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|p| &p.element == first);
        let lattice = match (&self.lattice, &zhou) {
            (Some(l), _) => l.clone(),
            (None, Some(z)) => z.lattice().to_string(),
            (None, None) => return Err(format!("give --lattice for {first}")),
        };
        let lat: Lattice = lattice
            .parse()
            .map_err(|e: scalebridge_md::error::Error| format!("{e}; or a prototype: {}", scalebridge_md::crystals::names().join(", ")))?;
        let species = if matches!(lat, Lattice::B2 | Lattice::L12) { elements.clone() } else { vec![first.clone()] };
        let a = match (self.a, &zhou, lat, &self.potential) {
            (Some(a), _, _, _) => a,
            (None, Some(z), Lattice::Fcc, None) => z.re * 2f64.sqrt(),
            (None, Some(z), Lattice::Bcc, None) => z.re * 2.0 / 3f64.sqrt(),
            (None, Some(z), Lattice::Hcp, None) => z.re,
            // a potential file: start from the lattice constant in its header (when it is for
            // this lattice) or from a scan, then relax to zero pressure at 0 K
            (None, _, _, Some(path)) => {
                let start = lattice_constant::header_start(path, first, lat).map_err(|e| e.to_string())?;
                lattice_constant::equilibrium_lattice_constant(pot, lat, &species, start)
                    .map_err(|e| format!("no --a given and the lattice constant of {lattice} {first} could not be found: {e}"))?
            }
            _ => return Err(format!("give the lattice constant --a (Å) for {lattice} {first}")),
        };
        let repeat = self.repeats(default_repeat)?;
        bulk(&BulkSpec { lattice: lat, species, a, c: None, orientation: None, repeat, orthogonal: true, masses: None })
            .map_err(|e| e.to_string())
    }

    fn repeats(&self, default_repeat: [usize; 3]) -> Result<[usize; 3], String> {
        match self.repeat.as_slice() {
            [] => Ok(default_repeat),
            [n] => Ok([*n, *n, *n]),
            [a, b, c] => Ok([*a, *b, *c]),
            other => Err(format!("--repeat takes one or three numbers, got {other:?}")),
        }
    }

    /// A crystal prototype of `scalebridge_md::crystals` (perovskite, spinel, ...) when
    /// `--lattice` names one that is not one of the metal lattices above (those keep their
    /// own path); hexagonal prototypes use their orthogonal cell, as hcp does.
    fn prototype_structure(&self, default_repeat: [usize; 3]) -> Result<Option<Structure>, String> {
        use scalebridge_md::crystals::{find, Elements, Repeat, StructureSpec};
        let Some(name) = &self.lattice else { return Ok(None) };
        if name.parse::<Lattice>().is_ok() || find(name).is_none() {
            return Ok(None);
        }
        let elements = self.element_list();
        let mut spec = StructureSpec::new(name);
        spec.elements = (!elements.is_empty()).then(|| Elements::List(elements.to_vec()));
        spec.a = self.a;
        spec.supercell = Some(Repeat::Three(self.repeats(default_repeat)?));
        spec.orthogonal = true;
        spec.build().map(Some).map_err(|e| e.to_string())
    }

    /// Run the protocol `P` (through the protocols' registry types) with the stage cache of
    /// `--cache` (unless `--no-cache`) and a progress bar named `label`; the bar is cleared
    /// whether or not the protocol succeeds.
    pub fn run_protocol<P: Protocol>(&self, label: &str, s: &Structure, pot: &Arc<dyn Potential>, options: &P::Options) -> Result<P::Output, String> {
        let mut bar = Bar::new(label);
        let cache_dir = (!self.no_cache).then(|| self.cache.clone());
        let r = {
            let mut ctx = Context::new(&mut bar).with_cache_dir(cache_dir);
            P::run(s, pot.clone(), options, &mut ctx).map_err(|e| e.to_string())
        };
        bar.finish();
        r
    }

    /// Print / write / plot a result.
    pub fn report<R: Serialize>(&self, result: &R, series: &[Series], title: &str, summary: impl FnOnce() -> String) -> Result<(), String> {
        let text = serde_json::to_string_pretty(result).map_err(|e| e.to_string())?;
        if let Some(p) = &self.out {
            let tmp = p.with_extension("json.partial");
            std::fs::write(&tmp, &text).map_err(|e| format!("{}: {e}", tmp.display()))?;
            std::fs::rename(&tmp, p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        if let Some(p) = &self.plot {
            scalebridge_protocols::plot::plot_series(series, p, title).map_err(|e| e.to_string())?;
        }
        if self.json {
            println!("{text}");
        } else {
            println!("{}", summary());
        }
        Ok(())
    }
}

/// Progress bar for a protocol (hidden with `--json` so stdout stays machine-readable; it is
/// drawn on stderr anyway).
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(label: &str) -> Self {
        let bar = ProgressBar::new(1);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {percent}% (eta {eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        Bar(bar)
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        self.0.set_length(total.max(1));
        self.0.set_position(done);
        self.0.set_message(stage.to_string());
        true
    }
}

/// Print warnings on stderr.
pub fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
