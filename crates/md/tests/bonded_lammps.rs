//! Bonded styles against LAMMPS: tests/reference/lammps/<style>.json (written by
//! scripts/make_lammps_references.py from LAMMPS `run 0` on an `atom_style full` data file with
//! bonds, angles, dihedrals and impropers, orthogonal and triclinic cells). Energy, forces,
//! virial, per-atom energies and virials agree to 1e-9 relative; results are the same for 1 and
//! 2 threads. The special_* files add `pair_style lj/cut` and `special_bonds` variants.

use scalebridge_md::potentials::bonded::input;
use scalebridge_md::potentials::Potential;
use scalebridge_md::prelude::*;
use scalebridge_md::topology::data_file;
use scalebridge_md::topology::MolecularStyle;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

const STYLES: &[&str] = &[
    "bond_harmonic",
    "bond_fene",
    "angle_harmonic",
    "angle_cosine_squared",
    "dihedral_opls",
    "dihedral_multi_harmonic",
    "dihedral_harmonic",
    "improper_harmonic",
    "bonded_all",
    "special_lj_default",
    "special_lj_custom",
    "special_amber",
    "special_fene",
    "special_dreiding",
    "special_lj_coul",
    "lj_coul_long_special_ewald",
    "lj_coul_long_special_pppm",
];

fn refdir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/lammps")
}

fn close(a: f64, b: f64, scale: f64, what: &str) {
    assert!((a - b).abs() <= 1e-9 * scale.max(1e-12), "{what}: {a} vs LAMMPS {b} (scale {scale})");
}

fn check_case(style: &str, case: &Value, threads: usize) {
    let dir = refdir();
    let data = dir.join(case["structure_data"].as_str().unwrap());
    let input = std::fs::read_to_string(dir.join(case["lammps_input"].as_str().unwrap())).unwrap();
    let lines: Vec<String> = input.lines().map(String::from).collect();
    let f = data_file::read(&data, MolecularStyle::Full, &[]).unwrap();
    let labels: Vec<String> = (1..=f.topology.type_masses.len()).map(|t| t.to_string()).collect();
    let mol = input::parse("test", &lines, Arc::new(f.topology.clone()), &labels, &f.structure.symbols(), &[]).unwrap();
    let pot: Arc<dyn Potential> = mol.combined().unwrap();
    let mut ev = Evaluator::new(pot, 1.0, threads).unwrap();
    let out = ev.compute_all(&f.structure).unwrap().clone();
    let e_ref = case["energy_eV"].as_f64().unwrap();
    let tag = format!("{style}/{}", case["cell"]);
    let forces: Vec<Vec<f64>> = serde_json::from_value(case["forces_eV_A"].clone()).unwrap();
    let fscale = forces.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    let escale = e_ref.abs().max(1e-3);
    close(out.energy, e_ref, escale, &format!("{tag} energy"));
    let w: Vec<f64> = serde_json::from_value(case["virial_eV"].clone()).unwrap();
    let wscale = w.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for k in 0..6 {
        close(out.virial[k], w[k], wscale, &format!("{tag} virial[{k}]"));
    }
    for (i, fr) in forces.iter().enumerate() {
        for c in 0..3 {
            close(out.forces[i][c], fr[c], fscale, &format!("{tag} force[{i}][{c}]"));
        }
    }
    let pe: Vec<f64> = serde_json::from_value(case["energies_eV"].clone()).unwrap();
    let pv: Vec<Vec<f64>> = serde_json::from_value(case["virials_eV"].clone()).unwrap();
    let pescale = pe.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let pvscale = pv.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    for i in 0..pe.len() {
        close(out.per_atom_energy[i], pe[i], pescale, &format!("{tag} energy[{i}]"));
        for k in 0..6 {
            close(out.per_atom_virial[i][k], pv[i][k], pvscale, &format!("{tag} virial[{i}][{k}]"));
        }
    }
}

#[test]
fn bonded_styles_equal_lammps() {
    for style in STYLES {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(refdir().join(format!("{style}.json"))).unwrap()).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 2, "{style}: orthogonal and triclinic");
        for case in cases {
            assert!(case["energy_eV"].as_f64().unwrap().abs() > 1e-3, "{style}: a reference with no energy cannot fail");
            for threads in [1, 2] {
                check_case(style, case, threads);
            }
        }
    }
}
