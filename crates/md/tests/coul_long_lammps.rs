//! coul/long + ewald/pppm against LAMMPS `run 0` references (tests/reference/lammps/
//! coul_long_{ewald,pppm}.json, written by scripts/make_lammps_references.py with
//! `pair_modify table 0`): the parameters LAMMPS chose (g_ewald, k-vector limits, mesh), energy,
//! forces, global and per-atom virials and per-atom energies. The potentials are read from the
//! reference LAMMPS inputs by the LAMMPS input reader (coul/long, buck/coul/long,
//! hybrid/overlay pedone + coul/long; kspace_style, kspace_modify).

use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::io::{read_structure, AtomStyle, Format};
use scalebridge_md::potentials::hybrid::Hybrid;
use scalebridge_md::potentials::kspace::CoulLong;
use scalebridge_md::potentials::{lammps_input, Configuration, Potential};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/lammps")
}

/// The potential of a reference input read by the LAMMPS input reader (the `from_lammps` and
/// `single-point --lammps` path) with the case's per-type charges.
fn potential(input: &str, elements: &[String], charges: &[f64]) -> Arc<dyn Potential> {
    let text = std::fs::read_to_string(dir().join(input)).unwrap();
    let lines: Vec<String> = text.lines().map(String::from).collect();
    lammps_input::parse(input, &lines, elements, &[], Some(charges.to_vec())).unwrap().build().unwrap()
}

/// The coul/long inside a potential (itself or a hybrid/overlay member).
fn coul_long(p: &Arc<dyn Potential>) -> &CoulLong {
    if let Some(c) = p.as_any().downcast_ref::<CoulLong>() {
        return c;
    }
    let h = p.as_any().downcast_ref::<Hybrid>().expect("coul/long or hybrid/overlay");
    h.members().iter().find_map(|m| m.as_any().downcast_ref::<CoulLong>()).expect("a coul/long member")
}

fn rel(a: f64, b: f64, scale: f64) -> f64 {
    (a - b).abs() / scale.max(1e-300)
}

fn check(style: &str, tol: f64) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir().join(format!("{style}.json"))).unwrap()).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let name = format!("{}/{}", case["case"].as_str().unwrap(), case["cell"].as_str().unwrap());
        let elements: Vec<String> = case["elements"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let charges: Vec<f64> = elements.iter().map(|e| case["charges"][e].as_f64().unwrap()).collect();
        let file = read_structure(&dir().join(case["structure_data"].as_str().unwrap()), Some(Format::LammpsData), &elements, Some(AtomStyle::Charge)).unwrap();
        let s = file.structure;
        let pot = potential(case["lammps_input"].as_str().unwrap(), &elements, &charges);
        // the parameters LAMMPS chose (its log prints 8 significant digits)
        let r = coul_long(&pot).resolve(&Configuration::new(&s, None)).unwrap();
        let kp = &case["kspace"];
        assert!(rel(r.g_ewald, kp["g_ewald"].as_f64().unwrap(), r.g_ewald) < 1e-7, "{name}: g_ewald {} vs LAMMPS {}", r.g_ewald, kp["g_ewald"]);
        if let Some(m) = kp.get("mesh") {
            let m: Vec<usize> = m.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            assert_eq!(r.grid.to_vec(), m, "{name}: mesh");
        }
        if let Some(k) = kp.get("kmax") {
            let k: Vec<usize> = k.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            assert_eq!(r.grid.to_vec(), k, "{name}: kxmax kymax kzmax");
            assert_eq!(r.count as u64, kp["kcount"].as_u64().unwrap(), "{name}: number of k-vectors");
        }
        let mut ev = Evaluator::new(pot, 1.0, 0).unwrap();
        let out = ev.compute_all(&s).unwrap();
        let e_ref = case["energy_eV"].as_f64().unwrap();
        let n = s.len() as f64;
        // energy scale: |E| or the per-atom energy scale, whichever is larger (an ordered sum can be ~0)
        let pe_ref: Vec<f64> = case["energies_eV"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let escale = e_ref.abs().max(pe_ref.iter().map(|x| x.abs()).sum::<f64>());
        assert!(rel(out.energy, e_ref, escale) < tol, "{name}: energy {} vs {} ({:.2e})", out.energy, e_ref, rel(out.energy, e_ref, escale));
        let f_ref: Vec<Vec<f64>> = serde_json::from_value(case["forces_eV_A"].clone()).unwrap();
        let fscale = (f_ref.iter().flatten().map(|x| x * x).sum::<f64>() / (3.0 * n)).sqrt();
        let mut worst: f64 = 0.0;
        for (a, b) in out.forces.iter().zip(&f_ref) {
            for k in 0..3 {
                worst = worst.max(rel(a[k], b[k], fscale));
            }
        }
        assert!(worst < tol, "{name}: force deviation {worst:.2e} of the RMS force");
        let w_ref: Vec<f64> = serde_json::from_value(case["virial_eV"].clone()).unwrap();
        let wscale = w_ref.iter().map(|x| x.abs()).fold(0.0, f64::max);
        for c in 0..6 {
            assert!(rel(out.virial[c], w_ref[c], wscale) < tol, "{name}: virial {c} {} vs {}", out.virial[c], w_ref[c]);
        }
        let pescale = pe_ref.iter().map(|x| x.abs()).fold(0.0, f64::max);
        for (i, (a, b)) in out.per_atom_energy.iter().zip(&pe_ref).enumerate() {
            assert!(rel(*a, *b, pescale) < tol, "{name}: per-atom energy {i} {a} vs {b}");
        }
        let pv_ref: Vec<Vec<f64>> = serde_json::from_value(case["virials_eV"].clone()).unwrap();
        let pvscale = pv_ref.iter().flatten().map(|x| x.abs()).fold(0.0, f64::max);
        for (i, (a, b)) in out.per_atom_virial.iter().zip(&pv_ref).enumerate() {
            for c in 0..6 {
                assert!(rel(a[c], b[c], pvscale) < tol, "{name}: per-atom virial {i} {c}: {} vs {}", a[c], b[c]);
            }
        }
        eprintln!("{name}: N={} E={:.10} rel {:.1e}, worst force {:.1e}", s.len(), out.energy, rel(out.energy, e_ref, escale), worst);
    }
}

#[test]
fn ewald_equals_lammps() {
    check("coul_long_ewald", 1e-9);
}

#[test]
fn pppm_equals_lammps_at_the_same_settings() {
    check("coul_long_pppm", 1e-9);
}

#[test]
fn lammps_reader_errors_name_the_problem() {
    let el: Vec<String> = vec!["Mg".into(), "O".into()];
    let parse = |lines: &[&str]| {
        let l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        lammps_input::parse("test.in", &l, &el, &[], Some(vec![1.0, -1.0])).and_then(|p| p.build()).map(|_| ()).unwrap_err().to_string()
    };
    let e = parse(&["pair_style coul/long 8.0", "pair_coeff * *"]);
    assert!(e.contains("kspace_style"), "{e}");
    let e = parse(&["pair_style coul/cut 8.0", "pair_coeff * *", "kspace_style pppm 1e-5"]);
    assert!(e.contains("coul/long"), "{e}");
    let e = parse(&["pair_style coul/long 8.0", "pair_coeff * *", "kspace_style pppm/disp 1e-5"]);
    assert!(e.contains("pppm/disp"), "{e}");
    let e = parse(&["pair_style coul/long 8.0", "pair_coeff * *", "kspace_style pppm 1e-5", "kspace_modify slab 3.0"]);
    assert!(e.contains("slab"), "{e}");
    let e = parse(&["pair_style coul/long 8.0", "pair_coeff * *", "kspace_style pppm 1e-5", "kspace_modify order 9"]);
    assert!(e.contains("order"), "{e}");
    let e = parse(&["pair_style coul/long 8.0", "pair_coeff * *", "kspace_modify order 4"]);
    assert!(e.contains("before kspace_style"), "{e}");
    let e = parse(&["pair_style buck/coul/long 6.0 8.0", "pair_coeff * * 1.0 0.3 0.0 5.0 6.0", "kspace_style ewald 1e-5"]);
    assert!(e.contains("cut_lj"), "{e}");
}
