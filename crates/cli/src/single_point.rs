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
    /// LAMMPS atom style of a data file (atomic or charge); default: the Atoms section's
    /// `# style` comment, else atomic.
    #[arg(long)]
    atom_style: Option<String>,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> Result<(), String> {
    let s = |e: scalebridge_md::error::Error| e.to_string();
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
    let parsed = lammps_input::parse(&a.lammps.display().to_string(), &lines, &elements, &search, None).map_err(s)?;
    let pot = parsed.potential.build().map_err(s)?;
    let r = single_point(&file.structure, pot, a.threads).map_err(s)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?);
    } else {
        println!("{} atoms, pair_style {}", r.n_atoms, r.pair_style);
        println!("energy  {:.10} eV", r.energy_eV);
        println!("virial  {:?} eV (xx yy zz yz xz xy)", r.virial_eV);
        println!("stress  {:?} GPa (ASE sign)", r.stress_GPa);
    }
    Ok(())
}
