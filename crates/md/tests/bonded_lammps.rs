//! Bonded styles against LAMMPS: tests/reference/lammps/<style>.json (written by
//! scripts/make_lammps_references.py from LAMMPS `run 0` on an `atom_style full` data file with
//! bonds, angles, dihedrals and impropers, orthogonal and triclinic cells). Energy, forces,
//! virial, per-atom energies and virials agree to 1e-9 relative; results are the same for 1 and
//! 2 threads. The special_* files add `pair_style lj/cut` and `special_bonds` variants.
//! Forces, energy and virial without per-atom requests (the parallel term evaluation of
//! `bonded::parallel`) equal those of the serial pass that per-atom requests take, bit for bit.

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
    let mut ev = Evaluator::new(pot.clone(), 1.0, threads).unwrap();
    let out = ev.compute_all(&f.structure).unwrap().clone();
    let e_ref = case["energy_eV"].as_f64().unwrap();
    let tag = format!("{style}/{}", case["cell"]);
    // without per-atom requests on the default path: the lj/cut cluster kernel takes other code
    // (fused multiply-adds) than for per-atom requests, so round-off
    ev.request = scalebridge_md::potentials::Request::global();
    let global = ev.compute(&f.structure).unwrap().clone();
    let fmax = out.forces.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    let vmax = out.virial.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!((global.energy - out.energy).abs() <= 1e-11 * out.energy.abs().max(1.0), "{tag}: energy {} vs {}", global.energy, out.energy);
    for k in 0..6 {
        assert!((global.virial[k] - out.virial[k]).abs() <= 1e-11 * vmax, "{tag}: virial[{k}] {} vs {}", global.virial[k], out.virial[k]);
    }
    assert!(global.forces.iter().flatten().zip(out.forces.iter().flatten()).all(|(a, b)| (a - b).abs() <= 1e-11 * fmax), "{tag}: forces");
    // the same configuration without per-atom requests on the legacy pair kernel (one code path
    // for both requests): bonded terms and special pairs go through the parallel path, which
    // must give the serial sums bit for bit (k-space styles may order their per-atom work
    // differently: 1e-13 there)
    let mut lev = Evaluator::new(pot, 1.0, threads).unwrap();
    lev.set_kernel_path(Some(scalebridge_md::nbnxm::KernelPath::Legacy));
    let lout = lev.compute_all(&f.structure).unwrap().clone();
    lev.request = scalebridge_md::potentials::Request::global();
    let fast = lev.compute(&f.structure).unwrap().clone();
    let exact = !style.contains("coul_long");
    let same = |a: f64, b: f64| if exact { a.to_bits() == b.to_bits() || a == b } else { (a - b).abs() <= 1e-13 * a.abs().max(b.abs()).max(1.0) };
    assert!(same(fast.energy, lout.energy), "{tag}: energy {} (parallel) vs {} (serial)", fast.energy, lout.energy);
    for k in 0..6 {
        assert!(same(fast.virial[k], lout.virial[k]), "{tag}: virial[{k}] {} vs {}", fast.virial[k], lout.virial[k]);
    }
    for i in 0..lout.forces.len() {
        for c in 0..3 {
            assert!(same(fast.forces[i][c], lout.forces[i][c]), "{tag}: force[{i}][{c}] {} vs {}", fast.forces[i][c], lout.forces[i][c]);
        }
    }
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

/// A TraPPE-UA polyethylene melt wider than twice the cutoff (so the special-pair correction
/// takes the parallel path too, which the small reference cells above do not): forces, energy
/// and virial without per-atom requests equal the serial pass's bit for bit, at 1 and 2 threads
/// (the pair style's own sums depend on the thread count, as documented for `pair_loop`).
#[test]
fn parallel_terms_equal_the_serial_pass_on_a_polymer_melt() {
    use scalebridge_md::potentials::Request;
    use scalebridge_md::topology::builders::Polyethylene;
    let spec = Polyethylene { chains: 24, length: 60, density_g_cm3: 0.75, cutoff_a: 10.0, seed: 7, ..Polyethylene::default() };
    let sys = spec.build().unwrap();
    let w = sys.structure.cell.widths();
    assert!(w.iter().all(|&x| x > 20.0), "cell widths {w:?}: the special pairs would not take the parallel path");
    for threads in [1, 2] {
        let mut ev = Evaluator::new(sys.potential().unwrap(), 2.0, threads).unwrap();
        // the legacy pair kernel: one code path for requests with and without per-atom terms
        ev.set_kernel_path(Some(scalebridge_md::nbnxm::KernelPath::Legacy));
        let serial = ev.compute_all(&sys.structure).unwrap().clone();
        ev.request = Request::global();
        let fast = ev.compute(&sys.structure).unwrap().clone();
        assert_eq!(fast.energy.to_bits(), serial.energy.to_bits(), "{threads} thread(s): energy");
        assert_eq!(fast.virial.map(f64::to_bits), serial.virial.map(f64::to_bits), "{threads} thread(s): virial");
        assert!(fast.forces.iter().zip(&serial.forces).all(|(a, b)| a.map(f64::to_bits) == b.map(f64::to_bits)), "{threads} thread(s): forces");
    }
}
