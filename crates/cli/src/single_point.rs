//! `scalebridge single-point`: energy, forces, virial and stress of one structure with a
//! potential given as LAMMPS input lines (what LAMMPS users do with `run 0`).

use clap::Args as ClapArgs;
use scalebridge_md::io::{read_structure, AtomStyle, Format};
use scalebridge_md::potentials::lammps_input;
use scalebridge_md::single_point::single_point;
use std::path::PathBuf;

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Structure file: extended XYZ, POSCAR/CONTCAR, CIF or a LAMMPS data file.
    #[arg(long)]
    structure: PathBuf,
    /// Format of the structure file (extxyz, poscar, cif, lammps-data); default: from its name.
    #[arg(long)]
    format: Option<String>,
    /// LAMMPS input file with the potential (pair_style, pair_coeff, pair_modify lines); relative
    /// potential file names are looked up in the current directory, then next to this file.
    #[arg(long)]
    lammps: PathBuf,
    /// Comma-separated element of each LAMMPS atom type (type i+1 is the i-th); default: the
    /// structure's species in order of appearance (needed for data files).
    #[arg(long, value_delimiter = ',')]
    elements: Vec<String>,
    /// LAMMPS atom style of a data file (atomic, charge, or full/molecular with topology:
    /// docs/polymers.md); default: the Atoms section's
    /// `# style` comment, else atomic.
    #[arg(long)]
    atom_style: Option<String>,
    /// Charges per element for the Coulomb styles, e: `Sr=1.2,Ti=2.4,O=-1.2` (default: the
    /// per-atom charges of an `atom_style charge` data file when they are the same for every
    /// atom of an element).
    #[arg(long, value_delimiter = ',')]
    charges: Vec<String>,
    /// Allow a cell with a net charge (uniform neutralising background) instead of an error.
    #[arg(long)]
    neutralize: bool,
    /// Also print per-atom energies (eV) and virials (eV, Voigt) in the JSON output.
    #[arg(long)]
    per_atom: bool,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> Result<(), String> {
    let s = |e: scalebridge_md::error::Error| e.to_string();
    if let Some(mol) = a.atom_style.as_deref().and_then(|x| x.parse::<scalebridge_md::topology::MolecularStyle>().ok()) {
        return run_molecular(&a, mol);
    }
    let format = a.format.as_deref().map(str::parse::<Format>).transpose().map_err(s)?;
    let style = a.atom_style.as_deref().map(str::parse::<AtomStyle>).transpose().map_err(s)?;
    let file = read_structure(&a.structure, format, &a.elements, style).map_err(s)?;
    let elements = if a.elements.is_empty() { file.structure.species.clone() } else { a.elements.clone() };
    let text = std::fs::read_to_string(&a.lammps).map_err(|e| format!("{}: {e}", a.lammps.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut search = vec![std::env::current_dir().map_err(|e| e.to_string())?];
    if let Some(dir) = a.lammps.parent() {
        search.push(if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.to_path_buf() });
    }
    let charges = type_charges(&a.charges, &elements, &file)?;
    let mut parsed = lammps_input::parse(&a.lammps.display().to_string(), &lines, &elements, &search, charges).map_err(s)?;
    parsed.neutralize = a.neutralize;
    let pot = parsed.build().map_err(s)?;
    let r = single_point(&file.structure, pot, a.threads).map_err(s)?;
    if a.json {
        let mut v = serde_json::to_value(&r).map_err(|e| e.to_string())?;
        if !a.per_atom {
            if let serde_json::Value::Object(m) = &mut v {
                m.remove("energies_eV");
                m.remove("virials_eV");
            }
        }
        println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    } else {
        println!("{} atoms, pair_style {}", r.n_atoms, r.pair_style);
        println!("energy  {:.10} eV", r.energy_eV);
        println!("virial  {:?} eV (xx yy zz yz xz xy)", r.virial_eV);
        println!("stress  {:?} GPa (ASE sign)", r.stress_GPa);
    }
    Ok(())
}

/// A data file with topology (`--atom-style full|molecular`): masses (and charges) from the file,
/// the LAMMPS input read with its bonded styles and special_bonds (docs/polymers.md).
fn run_molecular(a: &Args, style: scalebridge_md::topology::MolecularStyle) -> Result<(), String> {
    let s = |e: scalebridge_md::error::Error| e.to_string();
    if !a.charges.is_empty() {
        return Err("--charges: a full/molecular data file carries its own per-atom charges".into());
    }
    let file = scalebridge_md::topology::data_file::read(&a.structure, style, &a.elements).map_err(s)?;
    let labels: Vec<String> =
        if a.elements.is_empty() { (1..=file.topology.type_masses.len()).map(|t| t.to_string()).collect() } else { a.elements.clone() };
    let text = std::fs::read_to_string(&a.lammps).map_err(|e| format!("{}: {e}", a.lammps.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut search = vec![std::env::current_dir().map_err(|e| e.to_string())?];
    if let Some(dir) = a.lammps.parent() {
        search.push(if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.to_path_buf() });
    }
    let topo = std::sync::Arc::new(file.topology.clone());
    let mol = scalebridge_md::potentials::bonded::input::parse(&a.lammps.display().to_string(), &lines, topo, &labels, &file.structure.symbols(), &search)
        .map_err(s)?;
    let r = single_point(&file.structure, mol.combined().map_err(s)?, a.threads).map_err(s)?;
    let mut v = serde_json::to_value(&r).map_err(|e| e.to_string())?;
    if !a.per_atom {
        if let serde_json::Value::Object(m) = &mut v {
            m.remove("energies_eV");
            m.remove("virials_eV");
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    } else {
        println!("{} atoms, {:?} bonds/angles/dihedrals/impropers", r.n_atoms, file.topology.counts());
        println!("energy  {:.10} eV", r.energy_eV);
        println!("virial  {:?} eV (xx yy zz yz xz xy)", r.virial_eV);
        println!("stress  {:?} GPa (ASE sign)", r.stress_GPa);
    }
    Ok(())
}

/// Per-type charges: from `--charges El=q,...` (every element of a type must be named), else
/// from a data file's per-atom charges when each element has one value; `None` without either.
fn type_charges(given: &[String], elements: &[String], file: &scalebridge_md::io::StructureFile) -> Result<Option<Vec<f64>>, String> {
    if !given.is_empty() {
        let mut map = std::collections::BTreeMap::new();
        for item in given {
            let (el, q) = item.split_once('=').ok_or_else(|| format!("--charges: '{item}' is not El=q (e.g. --charges Sr=1.2,Ti=2.4,O=-1.2)"))?;
            let q: f64 = q.trim().parse().map_err(|_| format!("--charges: charge '{q}' of {el} is not a number"))?;
            if !q.is_finite() {
                return Err(format!("--charges: charge of {el} is not finite"));
            }
            if map.insert(el.trim().to_string(), q).is_some() {
                return Err(format!("--charges: {el} given twice"));
            }
        }
        for k in map.keys() {
            if !elements.contains(k) {
                return Err(format!("--charges: '{k}' is not one of the elements ({})", elements.join(", ")));
            }
        }
        let missing: Vec<&String> = elements.iter().filter(|e| !map.contains_key(*e)).collect();
        if !missing.is_empty() {
            return Err(format!(
                "--charges: no charge for {} (give one per element: {})",
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                elements.join(", ")
            ));
        }
        return Ok(Some(elements.iter().map(|e| map[e]).collect()));
    }
    let Some(q) = &file.charges else { return Ok(None) };
    let st = &file.structure;
    let mut per: Vec<Option<f64>> = vec![None; elements.len()];
    for (i, &t) in st.types.iter().enumerate() {
        let name = &st.species[t];
        let Some(k) = elements.iter().position(|e| e == name) else { continue };
        match per[k] {
            None => per[k] = Some(q[i]),
            Some(v) if v == q[i] => {}
            Some(v) => {
                return Err(format!(
                    "{}: atoms of {name} carry different charges ({v} and {}); per-atom charges are not supported yet, give --charges",
                    "data file", q[i]
                ))
            }
        }
    }
    if per.iter().all(Option::is_none) {
        return Ok(None);
    }
    Ok(Some(per.into_iter().map(|x| x.unwrap_or(0.0)).collect()))
}
