//! `describe`: a material description → atomistic protocols per phase (through the protocols
//! registry) → continuum homogenisation of the microstructure → one [`Description`] with units,
//! standard errors, the bridge residual, features and provenance. Every stage is cached
//! ([`crate::stages`]).

use crate::bridge;
use crate::description::*;
use crate::error::{invalid, PipelineError, Result};
use crate::homogenise::{homogenise, Effective, PhaseInput};
use crate::material::{build_structure_from, coexistence_source, cubic_unit_cell, lattice_starts, LatticeStarts, Material, PhaseKind, StructureSource, CRYSTAL_REPEAT_LENGTH};
use crate::polycrystal::{polycrystal_residual, PolycrystalBox, PolycrystalInfo};
use crate::preset::{with, Preset};
use crate::stages::Stages;
use scalebridge_core::progress::Progress;
use scalebridge_core::provenance::sha256_hex;
use scalebridge_core::voigt::{self, IsotropicModuli, Stiffness};
use scalebridge_core::{StageCache, StageStore};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_protocols::{registry, Context};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How to run a description (front ends pass `None`/`false` for what the user did not give).
#[derive(Clone, Default)]
pub struct DescribeOptions {
    /// The quick preset (small cells, short runs); otherwise the protocols' defaults.
    pub quick: bool,
    /// Write each description as JSON under this directory (`description_<T>K.json`); the stage
    /// cache then defaults to `<out>/cache`.
    pub out: Option<PathBuf>,
    /// Root of the on-disk stage cache (default `<out>/cache`, else `.scalebridge-cache`).
    pub cache_dir: Option<PathBuf>,
    /// A stage store to use instead of the on-disk cache (e.g. a results database).
    pub store: Option<Arc<dyn StageStore>>,
    /// Worker threads of the MD (0 = all cores; `None`: the protocols' default).
    pub threads: Option<usize>,
    /// A preset to use instead of the quick/full one (studies that cut or grow cells and runs;
    /// its `name` goes into the provenance).
    pub preset: Option<Preset>,
    /// Compute stages whose deterministic failure an earlier run recorded, instead of replaying
    /// the failure (`--retry-failed`; docs/store.md).
    pub retry_failed: bool,
    /// Where the failures recorded or replayed by these describes are logged (shared by clones;
    /// front ends read it to tell and count replayed failures).
    pub failures: crate::failure::FailureLog,
}

impl DescribeOptions {
    /// Root of the on-disk caches: `cache_dir`, else `<out>/cache`, else `.scalebridge-cache`
    /// (the protocols' own stage caches live here; front ends put the results database of the
    /// stages here by default).
    pub fn cache_root(&self) -> PathBuf {
        match (&self.cache_dir, &self.out) {
            (Some(d), _) => d.clone(),
            (None, Some(o)) => o.join("cache"),
            (None, None) => PathBuf::from(".scalebridge-cache"),
        }
    }
}

/// Progress of one stage, reported with its label in front; a stop asked by the callback is
/// noted in `interrupted` (the stage's failure is then not recorded).
struct Labelled<'p> {
    inner: &'p mut dyn Progress,
    label: &'p str,
    interrupted: &'p AtomicBool,
}

impl Progress for Labelled<'_> {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        let go = self.inner.update(done, total, &format!("{}: {stage}", self.label));
        if !go {
            self.interrupted.store(true, Ordering::SeqCst);
        }
        go
    }
}

struct Runner<'a> {
    stages: Stages<'a>,
    progress: &'a mut dyn Progress,
    cache_root: PathBuf,
    threads: Option<usize>,
}

impl Runner<'_> {
    /// Run the registry protocol `name` as the cached stage `label`.
    fn protocol(&mut self, label: &str, name: &str, s: &Structure, pot: &Arc<dyn Potential>, options: &Value) -> Result<Value> {
        let inputs = json!({"protocol": name, "structure": s.hash(), "potential": pot.fingerprint(), "options": options});
        let (progress, root, threads, stop) = (&mut *self.progress, self.cache_root.clone(), self.threads, self.stages.interrupted.clone());
        let v = self.stages.run(label, true, &inputs, || {
            let mut lp = Labelled { inner: progress, label, interrupted: &stop };
            let mut ctx = Context::new(&mut lp).with_cache_dir(Some(root)).with_threads(threads);
            Ok(registry::run(name, s, pot.clone(), options, &mut ctx)?)
        })?;
        if let Some(r) = self.stages.records.last_mut() {
            r.structure = Some(s.hash());
        }
        Ok(v)
    }
}

fn matrix(v: &Value) -> Option<Stiffness> {
    serde_json::from_value(v.clone()).ok()
}

fn measured(v: &Value, unit: &str, scale: &str, source: &str) -> Option<Property> {
    Some(Property { value: v.get("value")?.as_f64()?, stderr: v.get("stderr").and_then(Value::as_f64), unit: unit.into(), scale: scale.into(), source: source.into() })
}

fn warnings_of(v: &Value, label: &str) -> Vec<String> {
    v.get("warnings").and_then(Value::as_array).map_or(Vec::new(), |a| a.iter().filter_map(Value::as_str).map(|w| format!("{label}: {w}")).collect())
}

/// What the atomistic stages give for one phase.
struct AtomisticPhase {
    desc: PhaseDescription,
    input: PhaseInput,
    static_result: Value,
    parts: Vec<bridge::ResidualPart>,
    poly: std::result::Result<(bridge::Residual, PolycrystalInfo), String>,
    /// The finite-temperature stage results whose MD time series are coarse-grained.
    md_results: Vec<Value>,
}

/// `base` (an object) with the keys of `extra` (an object, or null for none) put over it.
fn merge(base: &Value, extra: &Value) -> Value {
    let mut v = base.clone();
    if let (Value::Object(m), Value::Object(x)) = (&mut v, extra) {
        for (k, e) in x {
            m.insert(k.clone(), e.clone());
        }
    }
    v
}

fn bounds_of(c: &Stiffness) -> Option<Bounds> {
    let v = voigt::Vrh::of(c)?;
    let cubic = (c[0][0] - c[1][1]).abs() < 1e-3 * c[0][0].abs() && (c[0][1] - c[1][2]).abs() < 1e-3 * c[0][0].abs() && (c[3][3] - c[5][5]).abs() < 1e-3 * c[0][0].abs();
    let sc = if cubic { scalebridge_continuum::bounds::self_consistent_cubic(c[0][0], c[0][1], c[3][3]).ok() } else { None };
    Some(Bounds {
        voigt: IsotropicModuli::from_k_g(v.bulk_voigt, v.shear_voigt),
        reuss: IsotropicModuli::from_k_g(v.bulk_reuss, v.shear_reuss),
        hill: IsotropicModuli::from_k_g(v.bulk_hill, v.shear_hill),
        self_consistent: sc,
    })
}

/// Residual forces (eV/Å) at which the static elastic stage of an amorphous phase is tried, in
/// turn, when the relaxation at the protocol's own (or the preset's) residual stalls: a
/// 1,024-bead cross-linked network stopped at 1.9e-4 eV/Å after 20,000 FIRE iterations against
/// the default 1e-6. A looser residual makes the 0 K constants (features of the phase, not its
/// targets, which come from the finite-temperature stages) less accurate; the warning names the
/// residual used.
pub const GLASSY_STALLED_FMAX: [f64; 2] = [1e-4, 1e-3];

/// `first`, a 0 K stage of an amorphous phase run at the residual force `strict` (eV/Å), or, if
/// its relaxation stalled (`NotConverged`), the same stage at each residual of
/// [`GLASSY_STALLED_FMAX`] above `strict` in turn (`again(fmax)`: each a stage of its own, so
/// the stalled one's failure record stays and is replayed), a warning naming each retry. Returns
/// the last result and the residual it was obtained at. Any other error is returned at once.
fn at_looser_residuals<T>(first: Result<T>, strict: f64, stage: &str, warnings: &mut Vec<String>, mut again: impl FnMut(f64) -> Result<T>) -> (Result<T>, f64) {
    let (mut result, mut used) = (first, strict);
    for loose in GLASSY_STALLED_FMAX.into_iter().filter(|&f| f > strict) {
        let Err(PipelineError::Md(e @ scalebridge_md::error::Error::NotConverged { .. })) = &result else { break };
        warnings.push(format!("{stage}: the 0 K relaxation of the amorphous cell stalled ({e}); retried at a residual force of {loose:e} eV/Å"));
        (result, used) = (again(loose), loose);
    }
    (result, used)
}

#[allow(clippy::too_many_arguments)]
fn atomistic_phase(run: &mut Runner<'_>, material: &Material, name: &str, fraction: f64, kind: &PhaseKind, phase_opts: (&Value, &Value), t: f64, preset: &Preset) -> Result<AtomisticPhase> {
    let PhaseKind::Atomistic { structure, potential } = kind else { return Err(invalid("phase", name, "is not atomistic")) };
    // the phase's `md` options, each given to the protocols that take it (an option no
    // protocol of the phase takes is an error naming it)
    let known = |proto: &str| registry::resolved_options(proto, &json!({})).ok().and_then(|v| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>())).unwrap_or_default();
    let protos = ["glass/transition", "elastic", "thermal_conductivity/green_kubo"];
    if let Some(k) = phase_opts.0.as_object().and_then(|m| m.keys().find(|k| !protos.iter().any(|p| known(p).contains(k)))) {
        return Err(invalid("md", k, "is not an option of the MD protocols (docs/protocol_options.md)"));
    }
    // long-range Coulomb phases: the preset's lighter k-space accuracy and runs, stated
    let crate::long_range::PhaseRuns { potential, options: [elastic_thermal, green_kubo, melting], static_fmax, notes: mut warnings } = crate::long_range::for_phase(preset, potential);
    let pot = potential.build()?;
    let w = preset.min_width(pot.cutoff());
    // the potential files' own lattice constants start the equilibrium searches (a stage input
    // only where there are any, so that other materials keep their stage keys)
    let starts = match structure {
        StructureSource::Lattice { lattice, elements, a: None, .. } => lattice_starts(&potential, lattice, elements),
        _ => LatticeStarts::new(),
    };
    let with_starts = |mut v: Value| {
        if !starts.is_empty() {
            v["lattice_starts"] = json!(starts);
        }
        // crystal prototypes count repeats in lengths (2026-12-07): their cells changed, so
        // their structure stages get a new key; every other source keeps its key
        if matches!(structure, StructureSource::Crystal { .. }) {
            v["repeat_length_A"] = json!(CRYSTAL_REPEAT_LENGTH);
        }
        v
    };
    let bulk_inputs = with_starts(json!({"source": structure, "potential": pot.fingerprint(), "min_width": w, "repeat": preset.bulk_repeat}));
    let s: Structure = run.stages.run(&format!("{name}/structure"), true, &bulk_inputs, || build_structure_from(structure, &pot, [w; 3], preset.bulk_repeat, &starts))?;
    // the 0 K stages (static elastic, bridge residual) with a long-range preset's residual force
    // (a stage input only where it is set, so that other phases keep their keys)
    let glassy = matches!(material.class.as_str(), "glass" | "polymer");
    let with_fmax = |mut v: Value, fmax: Option<f64>| {
        if let Some(f) = fmax {
            v["fmax"] = json!(f);
        }
        v
    };
    let static_stage = format!("{name}/elastic/static");
    let static_at = |run: &mut Runner<'_>, fmax: Option<f64>| run.protocol(&static_stage, "elastic", &s, &pot, &with_fmax(json!({"temperature": 0.0}), fmax));
    let first = static_at(run, static_fmax);
    let strict = static_fmax.unwrap_or(scalebridge_protocols::elastic::STATIC_FMAX);
    let (stat, used) = if glassy { at_looser_residuals(first, strict, &static_stage, &mut warnings, |f| static_at(run, Some(f))) } else { (first, strict) };
    let static_fmax = if used > strict { Some(used) } else { static_fmax };
    let mut stat = stat?;
    warnings.extend(warnings_of(&stat, &static_stage));
    // the local lattice distortion and the 0 K equation of state (B₀′ and the Slater Grüneisen
    // parameter: the anharmonicity, which no other 0 K column carries) join the 0 K state the
    // features read (their own stages, so the elastic stage keeps its key); lattice phases only
    let distortion = distortion_state(run, name, structure, &s, &pot, &mut warnings)?;
    let eos = match structure {
        StructureSource::Lattice { .. } => optional_state(run, name, "equation_of_state", "the 0 K equation of state failed", "equation-of-state", &s, &pot, &mut warnings, true)?,
        _ => None,
    };
    if let Some(Value::Object(m)) = stat.get_mut("state") {
        for state in [distortion, eos].into_iter().flatten() {
            m.extend(state);
        }
    }
    let c0 = matrix(&stat["C_GPa"]).ok_or_else(|| invalid("elastic result", name, "has no C_GPa"))?;
    let parts = if preset.bridge_single_crystal {
        let bridge_stage = format!("{name}/bridge/single_crystal");
        let bridge_at = |run: &mut Runner<'_>, fmax: Option<f64>| {
            let inputs = with_fmax(json!({"structure": s.hash(), "potential": pot.fingerprint(), "C_GPa": c0, "strains": bridge::strains(), "method": "central"}), fmax);
            run.stages.run(&bridge_stage, true, &inputs, || bridge::single_crystal_parts(name, &s, pot.clone(), &c0, run.threads.unwrap_or(0), fmax.unwrap_or(bridge::FMAX)))
        };
        let first = bridge_at(run, static_fmax);
        let base = static_fmax.unwrap_or(bridge::FMAX);
        let (mut result, _) = if glassy { at_looser_residuals(first, base, &bridge_stage, &mut warnings, |f| bridge_at(run, Some(f))) } else { (first, base) };
        // an amorphous phase whose strained relaxations never converge: the residual is left out
        // (a warning, not a failed material)
        if let (true, Err(PipelineError::Md(e @ scalebridge_md::error::Error::NotConverged { .. }))) = (glassy, &result) {
            warnings.push(format!("{bridge_stage}: the bridge residual (a) is left out: its strained relaxations did not converge ({e})"));
            result = Ok(Vec::new());
        }
        result?
    } else {
        Vec::new()
    };
    let poly = polycrystal_stage(run, material, name, structure, &pot, &s, &stat, &c0, preset)?;
    let (mut c, mut c_err, mut kappa, mut t_melt) = (c0, None, None, None);
    let mut md_results = Vec::new();
    if t > 0.0 {
        let md = |proto: &str, base: &Value| {
            let keys = known(proto);
            let only = phase_opts.0.as_object().map(|m| Value::Object(m.iter().filter(|(k, _)| keys.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()));
            merge(base, &only.unwrap_or(Value::Null))
        };
        // glasses and polymers: T_transition_K is the glass-transition temperature T_g (volume on
        // cooling through an NPT ladder, hinge fit; protocols::glass); it runs first, and the
        // finite-temperature elastic and conductivity stages run on the quenched glass it leaves
        // (the starting cell of an amorphous phase is not an equilibrated solid)
        let mut s_t = s.clone();
        if glassy {
            let gopts = merge(&md("glass/transition", &preset.glass_transition), &phase_opts.1);
            match run.protocol(&format!("{name}/glass_transition"), "glass/transition", &s, &pot, &gopts) {
                Ok(g) => {
                    warnings.extend(warnings_of(&g, &format!("{name}/glass_transition")));
                    t_melt = measured(&g["glass_transition_temperature"], "K", "atomistic", "md:glass/transition (T_g, bilinear volume fit on cooling)");
                    match serde_json::from_value::<Structure>(g["structure"].clone()) {
                        Ok(q) => s_t = q,
                        Err(e) => warnings.push(format!("{name}: the glass-transition stage gave no quenched structure ({e}); the elastic and conductivity stages run on the starting cell")),
                    }
                }
                Err(PipelineError::Md(e @ scalebridge_md::error::Error::NotConverged { .. })) => {
                    warnings.push(format!("{name}: the glass-transition fit did not converge ({e}); T_transition_K is left out and the elastic and conductivity stages run on the starting cell"));
                }
                Err(e) => return Err(e),
            }
        }
        let th = run.protocol(&format!("{name}/elastic/{t}K"), "elastic", &s_t, &pot, &with(&md("elastic", &elastic_thermal), "temperature", json!(t)))?;
        warnings.extend(warnings_of(&th, &format!("{name}/elastic/{t}K")));
        c = matrix(&th["C_GPa"]).ok_or_else(|| invalid("elastic result", name, "has no C_GPa"))?;
        c_err = matrix(&th["C_stderr_GPa"]);
        md_results.push(th);
        // the heat current is named in the stage's inputs, so that stages stored before the
        // protocol's default became the species-centred current are not served for it
        let mut gk_opts = with(&md("thermal_conductivity/green_kubo", &green_kubo), "temperature", json!(t));
        if gk_opts.get("heat_current").map_or(true, Value::is_null) {
            gk_opts["heat_current"] = json!(scalebridge_md::computes::heat_flux::HeatCurrentKind::default());
        }
        match run.protocol(&format!("{name}/green_kubo/{t}K"), "thermal_conductivity/green_kubo", &s_t, &pot, &gk_opts) {
            Ok(gk) => {
                warnings.extend(warnings_of(&gk, &format!("{name}/green_kubo/{t}K")));
                kappa = measured(&gk["kappa"], "W/m/K", "atomistic", "md:thermal_conductivity/green_kubo (lattice/phonon part only)");
                md_results.push(gk);
            }
            // a molecular phase whose heat current the protocol cannot form: the other
            // properties stand, kappa_W_mK is left out with the reason
            Err(PipelineError::Md(e)) if glassy && !matches!(e, scalebridge_md::error::Error::Interrupted { .. }) => {
                warnings.push(format!("{name}: kappa_W_mK not available: the Green–Kubo protocol could not run on this phase ({e})"));
            }
            Err(e) => return Err(e),
        }
        if !glassy {
            let melt_source = coexistence_source(structure);
            let melt_inputs = with_starts(json!({"source": melt_source, "potential": pot.fingerprint(), "min_width": w, "repeat": preset.melt_repeat}));
            let built = run.stages.run(&format!("{name}/melt_structure"), true, &melt_inputs, || build_structure_from(&melt_source, &pot, [w; 3], preset.melt_repeat, &starts));
            // a coexistence cell that cannot be built or relaxed (the quick LiFePO₄ cell's 0 K
            // relaxation stalled) costs T_transition_K only, as a melting run that fails
            let melted = match built {
                Ok(ms) => run.protocol(&format!("{name}/melting"), "melting/coexistence", &ms, &pot, &melting),
                Err(PipelineError::Md(e)) if !matches!(e, scalebridge_md::error::Error::Interrupted { .. }) => {
                    Err(PipelineError::Md(scalebridge_md::error::Error::invalid("melting cell", name, &format!("the coexistence cell could not be built and relaxed: {e}"))))
                }
                Err(e) => Err(e),
            };
            match melted {
                Ok(m) => {
                    warnings.extend(warnings_of(&m, &format!("{name}/melting")));
                    t_melt = measured(&m["melting_temperature"], "K", "atomistic", "md:melting/coexistence");
                }
                // small cells (the quick preset) can fail to bracket T_m: the other properties
                // stand, T_transition_K is left out with the reason, as for a missing protocol
                Err(PipelineError::Md(e @ scalebridge_md::error::Error::NotConverged { .. })) => {
                    warnings.push(format!("{name}: the coexistence melting run did not converge ({e}); T_transition_K is left out (a larger cell, without --quick, brackets it more reliably)"));
                }
                // a phase the protocol cannot melt by coexistence (e.g. its order parameter does
                // not see the crystal, or the guess is far off): the other properties stand
                Err(PipelineError::Md(e)) if !matches!(e, scalebridge_md::error::Error::Interrupted { .. }) => {
                    warnings.push(format!("{name}: T_transition_K not available: the coexistence melting protocol could not run on this phase ({e})"));
                }
                Err(e) => return Err(e),
            }
        }
    }
    let input = PhaseInput {
        name: name.to_string(),
        fraction,
        c_gpa: c,
        c_stderr_gpa: c_err,
        kappa_w_mk: kappa.as_ref().map(|k| k.value),
        kappa_stderr_w_mk: kappa.as_ref().and_then(|k| k.stderr),
        amorphous: glassy,
    };
    let desc = PhaseDescription {
        name: name.to_string(),
        fraction,
        source: "md".into(),
        c_gpa: MatrixValue { value: c, stderr: c_err },
        c0_gpa: Some(c0),
        bounds: bounds_of(&c),
        kappa_w_mk: kappa,
        t_melt_k: t_melt,
        n_atoms: Some(s.len()),
        warnings,
    };
    Ok(AtomisticPhase { desc, input, static_result: stat, parts, poly, md_results })
}

/// The 0 K static-displacement state of a lattice phase (`protocols::distortion`): computed for
/// a random solid solution of two or more elements, zero for one element (a perfect Bravais
/// crystal), left out for other structure sources. A relaxation that does not converge leaves it
/// out with a warning.
fn distortion_state(
    run: &mut Runner<'_>,
    name: &str,
    source: &StructureSource,
    s: &Structure,
    pot: &Arc<dyn Potential>,
    warnings: &mut Vec<String>,
) -> Result<Option<serde_json::Map<String, Value>>> {
    let StructureSource::Lattice { elements, .. } = source else { return Ok(None) };
    if elements.len() < 2 {
        let state = serde_json::to_value(scalebridge_protocols::distortion::perfect_lattice_state()).map_err(|e| invalid("distortion state", name, &e.to_string()))?;
        return Ok(state.as_object().cloned());
    }
    optional_state(run, name, "lattice_distortion", "the lattice-distortion relaxation did not converge", "static-displacement", s, pot, warnings, false)
}

/// The `state` of 0 K protocol `protocol` (stage `<name>/<protocol>`) as extra columns: its
/// warnings kept; a relaxation that does not converge (and, with `invalid_too`, a deterministic
/// invalid result such as a fit without a minimum) leaves the columns out with a warning.
#[allow(clippy::too_many_arguments)]
fn optional_state(
    run: &mut Runner<'_>,
    name: &str,
    protocol: &str,
    failed: &str,
    columns: &str,
    s: &Structure,
    pot: &Arc<dyn Potential>,
    warnings: &mut Vec<String>,
    invalid_too: bool,
) -> Result<Option<serde_json::Map<String, Value>>> {
    use scalebridge_md::error::Error as MdError;
    let stage = format!("{name}/{protocol}");
    match run.protocol(&stage, protocol, s, pot, &json!({})) {
        Ok(d) => {
            warnings.extend(warnings_of(&d, &stage));
            Ok(d["state"].as_object().cloned())
        }
        Err(PipelineError::Md(e)) if matches!(e, MdError::NotConverged { .. }) || (invalid_too && matches!(e, MdError::InvalidParameter { .. })) => {
            warnings.push(format!("{name}: {failed} ({e}); its {columns} columns are left out"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The polycrystal residual (b) of a one-phase polycrystal of a cubic single-species (or
/// ordered) crystal; otherwise the reason it is not computed.
#[allow(clippy::too_many_arguments)]
fn polycrystal_stage(
    run: &mut Runner<'_>,
    material: &Material,
    name: &str,
    source: &crate::material::StructureSource,
    pot: &Arc<dyn Potential>,
    s: &Structure,
    stat: &Value,
    c0: &Stiffness,
    preset: &Preset,
) -> Result<std::result::Result<(bridge::Residual, PolycrystalInfo), String>> {
    let m = &material.microstructure;
    if preset.poly_box_cells == 0 {
        return Ok(Err(format!("not computed in the {} preset: the atomistic polycrystal takes minutes (run without --quick)", preset.name)));
    }
    if m.kind != "polycrystal" || material.phases.len() != 1 {
        return Ok(Err(format!("not computed: the atomistic twin is built for one-phase polycrystals (this is a {} of {} phase(s))", m.kind, material.phases.len())));
    }
    let (Some(relaxed), Some(unit1)) = (stat["cell"][0][0].as_f64(), cubic_unit_cell(source, 1.0)?) else {
        return Ok(Err("not computed: the atomistic twin needs a cubic single-species or ordered lattice (not a file, a random solid solution or hcp)".into()));
    };
    // the bulk cell is r×r×r conventional cells
    let reps = (s.len() as f64 / unit1.len() as f64).cbrt().round().max(1.0);
    let a = relaxed / reps;
    let Some(unit) = cubic_unit_cell(source, a)? else { return Ok(Err("not computed: no cubic unit cell".into())) };
    let b = PolycrystalBox { box_cells: preset.poly_box_cells, grains: preset.poly_grains, resolution: m.resolution, seed: m.seed, strain: bridge::SMALL_STRAIN, max_iter: preset.poly_max_iter };
    let inputs = json!({"unit": unit.hash(), "potential": pot.fingerprint(), "C_GPa": c0, "box": b});
    let threads = run.threads.unwrap_or(0);
    let r = run.stages.run(&format!("{name}/bridge/polycrystal"), true, &inputs, || polycrystal_residual(name, &unit, pot.clone(), c0, &b, threads))?;
    Ok(Ok(r))
}


fn prop(value: f64, stderr: Option<f64>, unit: &str, scale: &str, source: &str) -> Property {
    Property { value, stderr, unit: unit.into(), scale: scale.into(), source: source.into() }
}

/// Describe `material` at its one temperature (a material with a list of temperatures: use
/// [`describe_all`] or [`Material::at_temperature`]).
pub fn describe(material: &Material, opts: &DescribeOptions, progress: &mut dyn Progress) -> Result<Description> {
    let [t] = material.temperatures_k.as_slice() else {
        return Err(invalid("temperature_K", format!("{:?}", material.temperatures_k), "describe takes one temperature; describe_all describes a list"));
    };
    let t = *t;
    let t0 = std::time::Instant::now();
    let cpu0 = crate::stages::process_cpu_s();
    let preset = opts.preset.clone().unwrap_or_else(|| Preset::of(opts.quick));
    let cache_root = opts.cache_root();
    let default_store;
    let store: &dyn StageStore = match &opts.store {
        Some(s) => s.as_ref(),
        None => {
            default_store = StageCache::new(Some(cache_root.clone()), "describe");
            &default_store
        }
    };
    let mut stages = Stages::new(store);
    stages.retry_failed = opts.retry_failed;
    stages.failures = opts.failures.clone();
    let mut run = Runner { stages, progress, cache_root, threads: opts.threads };
    let mut warnings = Vec::new();
    if t == 0.0 {
        warnings.push("kappa_W_mK and T_transition_K: not available at 0 K (Green–Kubo conductivity and melting need temperature_K > 0); E, nu, K, G are the static 0 K values".to_string());
    }
    let mut phases = Vec::new();
    let mut inputs = Vec::new();
    let mut parts = Vec::new();
    let mut statics = Vec::new();
    let mut md_results: Vec<(f64, Value)> = Vec::new();
    let mut poly: std::result::Result<(bridge::Residual, PolycrystalInfo), String> = Err("not computed: no atomistic phase".into());
    let n_ph = material.phases.len() as u64;
    for (i, p) in material.phases.iter().enumerate() {
        if !run.progress.update(i as u64, n_ph + 1, &format!("phase {}", p.name)) {
            run.stages.interrupted.store(true, Ordering::SeqCst);
            return Err(scalebridge_core::Error::Interrupted { what: "describe".into(), done: i as u64 }.into());
        }
        match &p.kind {
            PhaseKind::Atomistic { .. } => {
                let a = atomistic_phase(&mut run, material, &p.name, p.fraction, &p.kind, (&p.md, &p.glass_transition), t, &preset)?;
                warnings.extend(a.desc.warnings.iter().cloned());
                phases.push(a.desc);
                inputs.push(a.input);
                parts.extend(a.parts);
                poly = a.poly;
                statics.push((p.name.clone(), p.fraction, a.static_result));
                md_results.extend(a.md_results.into_iter().map(|r| (p.fraction, r)));
            }
            PhaseKind::Continuum { e_gpa, nu, kappa_w_mk } => {
                let c = scalebridge_continuum::material::isotropic_stiffness(*e_gpa, *nu);
                let kappa = if t > 0.0 { *kappa_w_mk } else { None };
                inputs.push(PhaseInput { name: p.name.clone(), fraction: p.fraction, c_gpa: c, c_stderr_gpa: None, kappa_w_mk: kappa, kappa_stderr_w_mk: None, amorphous: false });
                phases.push(PhaseDescription {
                    name: p.name.clone(),
                    fraction: p.fraction,
                    source: "measured".into(),
                    c_gpa: MatrixValue { value: c, stderr: None },
                    c0_gpa: None,
                    bounds: bounds_of(&c),
                    kappa_w_mk: kappa.map(|k| prop(k, None, "W/m/K", "continuum", "measured (description file)")),
                    t_melt_k: None,
                    n_atoms: None,
                    warnings: Vec::new(),
                });
            }
        }
    }
    if !run.progress.update(n_ph, n_ph + 1, "homogenisation") {
        return Err(scalebridge_core::Error::Interrupted { what: "describe".into(), done: n_ph }.into());
    }
    let eff: Effective = run.stages.run("homogenisation", false, &json!({"microstructure": material.microstructure, "phases": inputs, "draws": preset.draws}), || {
        homogenise(&material.microstructure, &inputs, preset.draws)
    })?;
    let src = format!("continuum:{} homogenisation ({}) of the phases' single-crystal C", eff.method, material.microstructure.kind);
    let me = eff.moduli_stderr;
    let mut properties = Properties {
        e_gpa: prop(eff.moduli.e_gpa, me.map(|m| m.e_gpa), "GPa", "continuum", &src),
        nu: prop(eff.moduli.nu, me.map(|m| m.nu), "1", "continuum", &src),
        k_gpa: prop(eff.moduli.k_gpa, me.map(|m| m.k_gpa), "GPa", "continuum", &src),
        g_gpa: prop(eff.moduli.g_gpa, me.map(|m| m.g_gpa), "GPa", "continuum", &src),
        kappa_w_mk: None,
        t_transition_k: None,
        c_gpa: MatrixProperty { value: eff.c_gpa, stderr: eff.c_stderr_gpa, unit: "GPa".into(), scale: "continuum".into(), source: src.clone() },
    };
    if t > 0.0 {
        properties.kappa_w_mk = eff.kappa_w_mk.map(|k| prop(k, eff.kappa_stderr_w_mk, "W/m/K", "continuum", &format!("{src}; MD κ is the lattice (phonon) part only")));
        properties.t_transition_k = phases
            .iter()
            .filter_map(|p| p.t_melt_k.as_ref().map(|m| (p.name.clone(), m.clone())))
            .min_by(|a, b| a.1.value.total_cmp(&b.1.value))
            .map(|(n, m)| Property { source: format!("{} of phase {n} (lowest of the phases)", m.source), ..m });
    }
    let bridge = Bridge {
        l_single_crystal: (!parts.is_empty()).then(|| bridge::single_crystal_residual(parts)),
        l_polycrystal: poly.as_ref().ok().map(|p| p.0.clone()),
        polycrystal: poly.as_ref().ok().map(|p| p.1.clone()),
        l_polycrystal_reason: poly.as_ref().err().cloned(),
    };
    let mut features = crate::features::features(material, t, &properties, &eff, &statics);
    // von Mises field statistics under the homogenisation loads, and the MD time series
    // coarse-grained (crate::fields)
    let vm: Vec<Feature> = run.stages.run("fields/von_mises", false, &json!({"microstructure": material.microstructure, "phases": inputs, "loads": crate::fields::loads()}), || {
        crate::fields::von_mises_features(&material.microstructure, &inputs)
    })?;
    features.extend(vm);
    features.extend(crate::fields::temporal_features(&md_results.iter().map(|(w, r)| (*w, r)).collect::<Vec<_>>())?);
    let material_hash = sha256_hex(serde_json::to_string(&material.at_temperature(t)).unwrap_or_default().as_bytes());
    let atomistic_stages_run = run.stages.atomistic_runs();
    let desc = Description {
        name: material.name.clone(),
        class: material.class.clone(),
        temperature_k: t,
        properties,
        phases,
        bridge,
        features,
        warnings,
        provenance: DescriptionProvenance {
            version: env!("CARGO_PKG_VERSION").into(),
            material_hash,
            preset: preset.name.clone(),
            uncertainty: format!(
                "sampling: {} draws of every phase's C (and κ) perturbed by normal noise with the MD standard errors (independent components, seeded), homogenised on the same grid; stderr = standard deviation over the draws (null: the inputs have no standard error, e.g. 0 K static constants)",
                eff.draws
            ),
            homogenisation: eff,
            stages: run.stages.records.clone(),
            atomistic_stages_run,
            wall_time_s: t0.elapsed().as_secs_f64(),
            cpu_time_s: crate::stages::cpu_since(cpu0),
        },
    };
    run.progress.update(n_ph + 1, n_ph + 1, "done");
    if let Some(dir) = &opts.out {
        std::fs::create_dir_all(dir).map_err(|e| crate::error::io(dir, e))?;
        let path = dir.join(format!("description_{t}K.json"));
        let tmp = path.with_extension("json.partial");
        let text = serde_json::to_string_pretty(&desc).map_err(|e| invalid("description", "JSON", &e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| crate::error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| crate::error::io(&path, e))?;
    }
    Ok(desc)
}

/// Describe `material` at each of its temperatures, in order.
pub fn describe_all(material: &Material, opts: &DescribeOptions, progress: &mut dyn Progress) -> Result<Vec<Description>> {
    material.temperatures_k.iter().map(|&t| describe(&material.at_temperature(t), opts, progress)).collect()
}

/// The JSON answer of the front ends: one document for a single temperature, a list of
/// documents (one per temperature, in order) when the description gave a list.
pub fn describe_json(material: &Material, opts: &DescribeOptions, progress: &mut dyn Progress) -> Result<Value> {
    let all = describe_all(material, opts, progress)?;
    let v = match (material.temperature_list, all.first()) {
        (false, Some(one)) => serde_json::to_value(one),
        _ => serde_json::to_value(&all),
    };
    v.map_err(|e| invalid("description", "JSON", &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_md::error::Error as MdError;

    /// A stage whose relaxation converges only at a residual of at least `reaches` eV/Å.
    fn stage(reaches: f64) -> impl FnMut(f64) -> Result<f64> {
        move |f| if f >= reaches { Ok(f) } else { Err(MdError::NotConverged { what: "FIRE".into(), iters: 20000, residual: reaches }.into()) }
    }

    #[test]
    fn a_stalled_amorphous_relaxation_is_retried_at_the_looser_residuals_in_turn() {
        let mut w = Vec::new();
        // converges at 1e-6: no retry
        let (r, used) = at_looser_residuals(stage(1e-6)(1e-6), 1e-6, "s", &mut w, stage(1e-6));
        assert_eq!((r.unwrap(), used, w.len()), (1e-6, 1e-6, 0));
        // stalls at 1.9e-4: 1e-4 fails too, 1e-3 converges; two warnings naming the residuals
        let mut calls = Vec::new();
        let mut st = stage(1.9e-4);
        let (r, used) = at_looser_residuals(st(1e-6), 1e-6, "net/elastic/static", &mut w, |f| {
            calls.push(f);
            st(f)
        });
        assert_eq!((r.unwrap(), used, calls), (1e-3, 1e-3, vec![1e-4, 1e-3]));
        assert!(w.len() == 2 && w[0].contains("net/elastic/static") && w[0].contains("1e-4") && w[1].contains("1e-3"), "{w:?}");
        // never converges: the last error comes back
        let (r, used) = at_looser_residuals(stage(1.0)(1e-6), 1e-6, "s", &mut Vec::new(), stage(1.0));
        assert!(matches!(r, Err(PipelineError::Md(MdError::NotConverged { .. }))) && used == 1e-3);
        // starts at 1e-4 (a long-range preset): only 1e-3 is looser
        let mut calls = Vec::new();
        let (_, used) = at_looser_residuals(stage(5e-4)(1e-4), 1e-4, "s", &mut Vec::new(), |f| {
            calls.push(f);
            stage(5e-4)(f)
        });
        assert_eq!((used, calls), (1e-3, vec![1e-3]));
        // another error is not retried
        let mut calls = 0;
        let bad: Result<f64> = Err(MdError::invalid("x", 1, "y").into());
        let (r, _) = at_looser_residuals(bad, 1e-6, "s", &mut Vec::new(), |f| {
            calls += 1;
            Ok(f)
        });
        assert!(r.is_err() && calls == 0);
    }
}
