//! `scalebridge structure`: build a crystal (prototype or metal lattice) from flags or a
//! structure description, print what was built and write it (extended XYZ or LAMMPS data).
//! Parsing and printing only: the prototypes, their defaults and the defects are in
//! `scalebridge_md::crystals`.

use clap::Args as ClapArgs;
use scalebridge_md::crystals::{Elements, Repeat, StructureSpec, Substitution, Vacancy, PROTOTYPES};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Structure description (TOML or JSON by extension, the `StructureSpec` of material files);
    /// the flags below override its fields.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Prototype (perovskite, rocksalt, corundum, spinel, layered, olivine, wurtzite, zincblende,
    /// diamond, fluorite, alpha-quartz) or metal lattice (fcc, bcc, hcp, sc, b2, l12).
    #[arg(long)]
    lattice: Option<String>,
    /// Elements, one per sublattice in the prototype's order (e.g. Sr,Ti,O).
    #[arg(long, value_delimiter = ',')]
    elements: Vec<String>,
    /// Lattice parameters of the conventional cell, Å (default: the prototype's published set).
    #[arg(long)]
    a: Option<f64>,
    #[arg(long)]
    b: Option<f64>,
    #[arg(long)]
    c: Option<f64>,
    /// Free Wyckoff parameters, NAME=VALUE (comma-separated), e.g. u=0.382.
    #[arg(long, value_delimiter = ',')]
    params: Vec<String>,
    /// Supercell repeats (one number or three).
    #[arg(long, value_delimiter = ',')]
    repeat: Vec<usize>,
    /// Hexagonal prototypes: the orthogonal cell (a, a + 2b, c).
    #[arg(long)]
    orthogonal: bool,
    /// Random substitution SITE:EL=F/EL=F..., e.g. B:Co=0.34/Ni=0.33/Mn=0.33 (repeatable).
    #[arg(long)]
    substitute: Vec<String>,
    /// Vacancies SITE=FRACTION (with a decimal point) or SITE=COUNT (repeatable).
    #[arg(long)]
    vacancies: Vec<String>,
    /// Charges per species for the charge report, e.g. Sr=2,Ti=4,O=-2.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    charges: Vec<String>,
    /// Remove atoms of this species to cancel the net charge.
    #[arg(long)]
    compensate: Option<String>,
    /// Seed of the random substitution, vacancies and compensation.
    #[arg(long)]
    seed: Option<u64>,
    /// Write the structure here: extended XYZ (.xyz/.extxyz) or LAMMPS data (.data/.lmp).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the build report as JSON.
    #[arg(long)]
    json: bool,
    /// List the prototypes (space group, sublattices, default compound and source) and exit.
    #[arg(long)]
    list: bool,
}

fn pairs(items: &[String], what: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    for item in items {
        let (k, v) = item.split_once('=').ok_or_else(|| format!("{what}: expected NAME=VALUE, got '{item}'"))?;
        let v: f64 = v.trim().parse().map_err(|_| format!("{what}: '{v}' is not a number (in '{item}')"))?;
        out.insert(k.trim().to_string(), v);
    }
    Ok(out)
}

fn spec_from(a: &Args) -> Result<StructureSpec, String> {
    let mut spec = match &a.spec {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
                toml::from_str::<StructureSpec>(&text).map_err(|e| format!("{}: {e}", p.display()))?
            } else {
                serde_json::from_str::<StructureSpec>(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
        }
        None => StructureSpec::new(a.lattice.as_deref().ok_or("give --lattice (or --spec FILE, or --list)")?),
    };
    if let Some(l) = &a.lattice {
        spec.lattice = l.clone();
    }
    if !a.elements.is_empty() {
        spec.elements = Some(Elements::List(a.elements.clone()));
    }
    spec.a = a.a.or(spec.a);
    spec.b = a.b.or(spec.b);
    spec.c = a.c.or(spec.c);
    spec.params.extend(pairs(&a.params, "--params")?);
    match a.repeat.as_slice() {
        [] => {}
        [n] => spec.supercell = Some(Repeat::One(*n)),
        [x, y, z] => spec.supercell = Some(Repeat::Three([*x, *y, *z])),
        other => return Err(format!("--repeat takes one or three numbers, got {other:?}")),
    }
    spec.orthogonal |= a.orthogonal;
    for sub in &a.substitute {
        let (site, rest) = sub.split_once(':').ok_or_else(|| format!("--substitute: expected SITE:EL=F/EL=F, got '{sub}'"))?;
        let items: Vec<String> = rest.split('/').map(str::to_string).collect();
        spec.substitutions.push(Substitution { site: site.to_string(), fractions: pairs(&items, "--substitute")? });
    }
    for v in &a.vacancies {
        let (site, n) = v.split_once('=').ok_or_else(|| format!("--vacancies: expected SITE=FRACTION or SITE=COUNT, got '{v}'"))?;
        let vac = if n.contains('.') || n.contains('e') {
            Vacancy { site: site.to_string(), fraction: Some(n.parse().map_err(|_| format!("--vacancies: '{n}' is not a number"))?), count: None }
        } else {
            Vacancy { site: site.to_string(), fraction: None, count: Some(n.parse().map_err(|_| format!("--vacancies: '{n}' is not a count"))?) }
        };
        spec.vacancies.push(vac);
    }
    spec.charges.extend(pairs(&a.charges, "--charges")?);
    if a.compensate.is_some() {
        spec.compensate = a.compensate.clone();
    }
    if let Some(s) = a.seed {
        spec.seed = s;
    }
    Ok(spec)
}

pub fn run(a: Args) -> Result<(), String> {
    if a.list {
        for p in PROTOTYPES {
            println!("{:<11} {:<7} No. {:<3} sublattices {:<10} default {} — {}", p.name, p.symbol, p.space_group, p.roles.join(","), p.default_compound, p.citation);
        }
        return Ok(());
    }
    let spec = spec_from(&a)?;
    let (s, report) = spec.build_with_report().map_err(|e| e.to_string())?;
    if let Some(path) = &a.out {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let tmp = path.with_extension(format!("{ext}.partial"));
        let tmp_s = tmp.display().to_string();
        match ext.as_str() {
            "data" | "lmp" => scalebridge_md::lammps_data::write_lammps_data(&tmp, &s, None).map_err(|e| e.to_string())?,
            "xyz" | "extxyz" => {
                let zero = vec![[0.0; 3]; s.len()];
                let mut w = scalebridge_md::trajectory::TrajectoryWriter::new(&tmp_s, 1, false).map_err(|e| e.to_string())?;
                w.write_frame(&s, &zero, &zero, 0.0, 0, 0.0).map_err(|e| e.to_string())?;
                drop(w);
            }
            _ => return Err(format!("--out {}: use .xyz/.extxyz or .data/.lmp", path.display())),
        }
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        let comp: Vec<String> = report.composition.iter().map(|(k, v)| format!("{k}{v}")).collect();
        println!("{} ({}): {} atoms {}, a = {:.6} b = {:.6} c = {:.6} Å, {:.4} g/cm³", report.lattice, report.symbol.as_deref().unwrap_or("-"), report.n_atoms, comp.join(" "), report.a, report.b, report.c, report.density_g_cm3);
        if let Some(c) = &report.citation {
            println!("parameters: {c}");
        }
        if let Some(q) = &report.charge {
            println!("net charge: pristine {:+.6} e, after defects {:+.6} e, final {:+.6} e{}", q.net_charge_pristine, q.net_charge_defective, q.net_charge_final, if q.neutral { "" } else { "  (NOT neutral)" });
            if let Some(c) = &q.compensation {
                println!("compensation: removed {} {} ({:.3} needed)", c.removed, c.species, c.exact_count);
            }
        }
        for n in &report.notes {
            println!("note: {n}");
        }
    }
    Ok(())
}
