//! `scalebridge polymer`: build a molecular system (Kremer–Grest melt, TraPPE-UA polyethylene,
//! cross-linked bead-spring network) and write its LAMMPS data file (`atom_style molecular`) and
//! force-field lines. Parsing and printing only: the builders and their defaults are in
//! `scalebridge_md::topology::builders`.

use clap::Args as ClapArgs;
use scalebridge_md::topology::builders::{PolymerSpec, BUILDERS};
use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Builder: kremer-grest, polyethylene (alias trappe-ua), epoxy-network (alias epoxy).
    #[arg(long)]
    builder: Option<String>,
    /// Builder description (TOML or JSON by extension, with a `builder` key); flags override it.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Number of chains (kremer-grest, polyethylene).
    #[arg(long)]
    chains: Option<usize>,
    /// Beads (united atoms) per chain.
    #[arg(long)]
    length: Option<usize>,
    /// Beads per σ³ (bead-spring builders).
    #[arg(long)]
    density: Option<f64>,
    /// Mass density, g/cm³ (polyethylene).
    #[arg(long)]
    density_g_cm3: Option<f64>,
    /// Network: resin and hardener molecules and the target conversion.
    #[arg(long)]
    resins: Option<usize>,
    #[arg(long)]
    hardeners: Option<usize>,
    #[arg(long)]
    conversion: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    /// Any other builder option, KEY=VALUE (repeatable; dotted keys for nested tables, e.g.
    /// units.sigma_a=3.4).
    #[arg(long = "set")]
    set: Vec<String>,
    /// Write the LAMMPS data file (atom_style molecular) here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the force-field lines (pair_style ... special_bonds) here.
    #[arg(long)]
    lammps_out: Option<PathBuf>,
    /// Print the build report as JSON.
    #[arg(long)]
    json: bool,
}

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn insert(map: &mut Map<String, Value>, key: &str, v: Value) -> Result<(), String> {
    match key.split_once('.') {
        None => {
            map.insert(key.to_string(), v);
            Ok(())
        }
        Some((head, rest)) => {
            let e = map.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            match e {
                Value::Object(m) => insert(m, rest, v),
                _ => Err(format!("--set {key}: '{head}' is not a table")),
            }
        }
    }
}

fn spec_from(a: &Args) -> Result<PolymerSpec, String> {
    let mut map = match &a.spec {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let v: Value = if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
                toml::from_str::<Value>(&text).map_err(|e| format!("{}: {e}", p.display()))?
            } else {
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            };
            match v {
                Value::Object(m) => m,
                _ => return Err(format!("{}: expected a table with a `builder` key", p.display())),
            }
        }
        None => Map::new(),
    };
    if let Some(b) = &a.builder {
        map.insert("builder".into(), Value::String(b.clone()));
    }
    if !map.contains_key("builder") {
        return Err(format!("give --builder ({}) or --spec FILE", BUILDERS.join(", ")));
    }
    let flags: [(&str, Option<Value>); 8] = [
        ("chains", a.chains.map(Value::from)),
        ("length", a.length.map(Value::from)),
        ("density", a.density.map(Value::from)),
        ("density_g_cm3", a.density_g_cm3.map(Value::from)),
        ("resins", a.resins.map(Value::from)),
        ("hardeners", a.hardeners.map(Value::from)),
        ("conversion", a.conversion.map(Value::from)),
        ("seed", a.seed.map(Value::from)),
    ];
    for (k, v) in flags {
        if let Some(v) = v {
            map.insert(k.into(), v);
        }
    }
    for item in &a.set {
        let (k, v) = item.split_once('=').ok_or_else(|| format!("--set: expected KEY=VALUE, got '{item}'"))?;
        insert(&mut map, k.trim(), value(v.trim()))?;
    }
    PolymerSpec::from_json(&Value::Object(map).to_string()).map_err(|e| e.to_string())
}

pub fn run(a: Args) -> Result<(), String> {
    let spec = spec_from(&a)?;
    let sys = spec.build().map_err(|e| e.to_string())?;
    if let Some(p) = &a.out {
        sys.write_data(p).map_err(|e| e.to_string())?;
    }
    if let Some(p) = &a.lammps_out {
        sys.write_lammps(p).map_err(|e| e.to_string())?;
    }
    if a.json {
        let doc = serde_json::json!({ "spec": spec, "report": sys.report, "lammps": sys.lammps });
        println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
    } else {
        let r = &sys.report;
        println!("{}: {} atoms in {} molecules, {} bonds, {} angles, {} dihedrals", r.builder, r.n_atoms, r.n_molecules, r.n_bonds, r.n_angles, r.n_dihedrals);
        println!("box {:.4} Å, {:.6} atoms/Å³, {:.4} g/cm³", r.box_length, r.number_density, r.density_g_cm3);
        println!("bonds {:.4}–{:.4} Å (mean {:.4}), closest non-bonded pair {:.4} Å", r.bond_length_min, r.bond_length_max, r.bond_length_mean, r.min_nonbonded_distance);
        if let (Some(c), Some(x)) = (r.conversion, r.crosslinks) {
            println!("conversion {c:.4} ({x} cross-links)");
        }
        println!("force field: {}", r.force_field);
    }
    Ok(())
}
