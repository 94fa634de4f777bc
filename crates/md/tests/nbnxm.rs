//! The cluster-pair kernels (`scalebridge_md::nbnxm`) against the legacy per-atom kernels, and
//! the portable, AVX2 and AVX-512 paths against each other: `lj/cut` (one and two species) and
//! EAM (Zhou setfl with three elements, a Finnis–Sinclair file, funcfl), orthogonal and triclinic
//! cells, cells so small that an atom meets many images of each neighbour, 1 and 2 threads,
//! and positions moved without a list rebuild. (Agreement with LAMMPS itself:
//! tests/test_*oracle*.py, which run the default path.)

use rand::{Rng, SeedableRng};
use scalebridge_md::nbnxm::KernelPath;
use scalebridge_md::potentials::eam::load_funcfl;
use scalebridge_md::potentials::{load, Configuration, Scratch, Zhou2004};
use scalebridge_md::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn potentials_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials");
    d.exists().then_some(d)
}

/// `species` randomly on an `n`³ supercell of `lat`, positions jittered by `jitter` (fraction of
/// a), optionally sheared into a triclinic cell.
fn crystal(species: &[&str], lat: Lattice, a: f64, n: usize, jitter: f64, triclinic: bool, seed: u64) -> Structure {
    let mut s = bulk(&BulkSpec {
        lattice: lat,
        species: vec![species[0].to_string()],
        a,
        c: None,
        orientation: None,
        repeat: [n, n, n],
        orthogonal: true,
        masses: None,
    })
    .unwrap();
    if species.len() > 1 {
        let comp: Vec<(String, f64)> = species.iter().map(|e| (e.to_string(), 1.0)).collect();
        s = random_solid_solution(&s, &comp, seed, None).unwrap();
    }
    let h = *s.cell.matrix();
    let mut frac: Vec<Vec3> = s.positions.iter().map(|r| s.cell.fractional(r)).collect();
    if triclinic {
        let shear = [[1.0, 0.0, 0.0], [0.13, 1.0, 0.0], [-0.08, 0.11, 1.0]];
        s.cell = Cell::new(scalebridge_md::cell::matmul(&shear, &h)).unwrap();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for f in frac.iter_mut() {
        for c in f.iter_mut() {
            *c += rng.random_range(-jitter..jitter) / n as f64;
        }
    }
    s.positions = frac.iter().map(|f| s.cell.cartesian(f)).collect();
    s
}

fn cluster_paths() -> Vec<KernelPath> {
    [KernelPath::Portable, KernelPath::Avx2, KernelPath::Avx512].into_iter().filter(|p| p.available()).collect()
}

/// Everything (energy, forces, virial, per-atom energy and virial) with `path` on `threads`.
fn evaluate(pot: &Arc<dyn Potential>, s: &Structure, skin: f64, path: KernelPath, threads: usize) -> Output {
    evaluate_req(pot, s, skin, path, threads, Request::all())
}

/// What `req` asks for with `path` on `threads`.
fn evaluate_req(pot: &Arc<dyn Potential>, s: &Structure, skin: f64, path: KernelPath, threads: usize, req: Request) -> Output {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut nl = NeighborList::new(pot.cutoff(), skin).unwrap();
        nl.build(&s.cell, &s.positions, &s.types).unwrap();
        let mut scratch = Scratch::default();
        scratch.nbnxm.path = Some(path);
        let mut out = Output::default();
        out.reset(s.len(), req);
        pot.compute(&Configuration::new(s, Some(&nl)), req, &mut scratch, &mut out).unwrap();
        out
    })
}

/// The forces of `b` equal those of `a` to `tol` relative to the largest component.
fn assert_forces_close(a: &Output, b: &Output, tol: f64, what: &str) {
    assert_eq!(a.forces.len(), b.forces.len());
    let fmax = a.forces.iter().flat_map(|f| f.iter()).fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, (fa, fb)) in a.forces.iter().zip(&b.forces).enumerate() {
        for k in 0..3 {
            assert!((fa[k] - fb[k]).abs() <= tol * fmax, "{what}: force {i}[{k}] {} vs {}", fa[k], fb[k]);
        }
    }
}

/// `b` equals `a` to round-off (relative to the largest magnitude of each quantity).
fn assert_close(a: &Output, b: &Output, tol: f64, what: &str) {
    let rel = |x: f64, y: f64, scale: f64| (x - y).abs() <= tol * scale.max(1e-300);
    assert!(rel(a.energy, b.energy, a.energy.abs()), "{what}: energy {} vs {}", a.energy, b.energy);
    let fmax = a.forces.iter().flat_map(|f| f.iter()).fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, (fa, fb)) in a.forces.iter().zip(&b.forces).enumerate() {
        for k in 0..3 {
            assert!(rel(fa[k], fb[k], fmax), "{what}: force {i}[{k}] {} vs {}", fa[k], fb[k]);
        }
    }
    let vmax = a.virial.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for k in 0..6 {
        assert!(rel(a.virial[k], b.virial[k], vmax), "{what}: virial[{k}] {} vs {}", a.virial[k], b.virial[k]);
    }
    let emax = a.per_atom_energy.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.per_atom_energy.iter().zip(&b.per_atom_energy) {
        assert!(rel(*x, *y, emax), "{what}: per-atom energy {x} vs {y}");
    }
    let pvmax = a.per_atom_virial.iter().flat_map(|v| v.iter()).fold(0.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.per_atom_virial.iter().zip(&b.per_atom_virial) {
        for k in 0..6 {
            assert!(rel(x[k], y[k], pvmax), "{what}: per-atom virial {} vs {}", x[k], y[k]);
        }
    }
    assert_eq!(a.forces.len(), b.forces.len());
}

/// Every cluster path against the legacy kernel (round-off) and against the portable path
/// (bit-identical: the same source, no FMA contraction), at 1 and 2 threads.
fn check_all_paths(pot: Arc<dyn Potential>, s: &Structure, skin: f64, what: &str) {
    let legacy = evaluate(&pot, s, skin, KernelPath::Legacy, 1);
    assert!(legacy.energy.abs() > 0.0 && legacy.forces.iter().any(|f| f[0] != 0.0), "{what}: trivial case");
    for threads in [1, 2] {
        let portable = evaluate(&pot, s, skin, KernelPath::Portable, threads);
        assert_close(&legacy, &portable, 1e-11, &format!("{what}, portable vs legacy, {threads} threads"));
        for path in cluster_paths() {
            let o = evaluate(&pot, s, skin, path, threads);
            assert_eq!(o.energy.to_bits(), portable.energy.to_bits(), "{what}: {path:?} energy not bit-identical to portable");
            assert_close(&portable, &o, 0.0, &format!("{what}, {path:?} vs portable, {threads} threads"));
        }
        // forces only (the steps between thermo output take their own kernels)
        let forces = Request::default();
        let fl = evaluate_req(&pot, s, skin, KernelPath::Legacy, threads, forces);
        let fp = evaluate_req(&pot, s, skin, KernelPath::Portable, threads, forces);
        assert_forces_close(&legacy, &fl, 1e-12, &format!("{what}, legacy forces only vs everything, {threads} threads"));
        assert_forces_close(&legacy, &fp, 1e-11, &format!("{what}, portable forces only vs legacy, {threads} threads"));
        for path in cluster_paths() {
            let o = evaluate_req(&pot, s, skin, path, threads, forces);
            assert_forces_close(&fp, &o, 0.0, &format!("{what}, {path:?} forces only vs portable, {threads} threads"));
        }
        // energy and virial without per-atom terms (thermo steps, every NPT step)
        let global = Request::global();
        let gp = evaluate_req(&pot, s, skin, KernelPath::Portable, threads, global);
        assert_forces_close(&legacy, &gp, 1e-11, &format!("{what}, portable global vs legacy, {threads} threads"));
        assert!((gp.energy - legacy.energy).abs() <= 1e-11 * legacy.energy.abs(), "{what}: global energy {} vs {}", gp.energy, legacy.energy);
        let vmax = legacy.virial.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for k in 0..6 {
            assert!((gp.virial[k] - legacy.virial[k]).abs() <= 1e-11 * vmax, "{what}: global virial[{k}] {} vs {}", gp.virial[k], legacy.virial[k]);
        }
        for path in cluster_paths() {
            let o = evaluate_req(&pot, s, skin, path, threads, global);
            assert_forces_close(&gp, &o, 0.0, &format!("{what}, {path:?} global vs portable, {threads} threads"));
            assert_eq!(o.energy.to_bits(), gp.energy.to_bits(), "{what}: {path:?} global energy not bit-identical");
            assert_eq!(o.virial.map(f64::to_bits), gp.virial.map(f64::to_bits), "{what}: {path:?} global virial not bit-identical");
        }
    }
}

fn lj1(rc: f64) -> Arc<dyn Potential> {
    Arc::new(LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.4], rc, false, Mixing::LorentzBerthelot, vec![]).unwrap())
}

#[test]
fn lj_orthogonal_and_triclinic() {
    for tri in [false, true] {
        let s = crystal(&["Ar"], Lattice::Fcc, 5.26, 4, 0.04, tri, 1);
        check_all_paths(lj1(8.5), &s, 1.0, &format!("lj triclinic={tri}"));
    }
}

#[test]
fn lj_two_species_mixed_and_explicit_pairs_shifted() {
    let pair = PairParams { a: "Ar".into(), b: "Kr".into(), epsilon: 0.012, sigma: 3.5, cutoff: Some(7.0) };
    let pot: Arc<dyn Potential> =
        Arc::new(LennardJones::new(vec!["Ar".into(), "Kr".into()], vec![0.0104, 0.014], vec![3.4, 3.65], 8.0, true, Mixing::Geometric, vec![pair]).unwrap());
    let s = crystal(&["Ar", "Kr"], Lattice::Fcc, 5.5, 4, 0.05, true, 2);
    check_all_paths(pot, &s, 0.5, "lj two species");
}

#[test]
fn lj_small_cells_with_many_images() {
    // cutoff close to half the box, and a cell narrower than the cutoff
    let s = crystal(&["Ar"], Lattice::Fcc, 5.26, 2, 0.05, false, 3);
    check_all_paths(lj1(5.2), &s, 0.3, "lj 2x2x2 rc ~ L/2");
    let s = crystal(&["Ar"], Lattice::Fcc, 5.26, 1, 0.05, true, 4);
    check_all_paths(lj1(12.0), &s, 1.0, "lj one triclinic unit cell, rc > 2L");
}

#[test]
fn eam_zhou_three_elements_triclinic_and_orthogonal() {
    let z = Zhou2004::new(&["Cu".into(), "Ni".into(), "Ag".into()]).unwrap();
    let pot: Arc<dyn Potential> = Arc::new(z.potential().unwrap());
    for tri in [false, true] {
        let s = crystal(&["Cu", "Ni", "Ag"], Lattice::Fcc, 3.6, 4, 0.04, tri, 5);
        check_all_paths(pot.clone(), &s, 1.0, &format!("eam zhou CuNiAg triclinic={tri}"));
    }
    let s = crystal(&["Cu", "Ni"], Lattice::Fcc, 3.6, 2, 0.05, true, 6);
    check_all_paths(pot, &s, 1.0, "eam zhou 2x2x2 triclinic (many images)");
}

#[test]
fn eam_single_element_bcc_small_cell() {
    let z = Zhou2004::new(&["Fe".into()]).unwrap();
    let pot: Arc<dyn Potential> = Arc::new(z.potential().unwrap());
    let s = crystal(&["Fe"], Lattice::Bcc, 2.87, 3, 0.04, false, 7);
    check_all_paths(pot, &s, 1.0, "eam zhou Fe bcc 3x3x3");
}

#[test]
fn eam_files_fs_and_funcfl() {
    let Some(d) = potentials_dir() else { return };
    let fs: Arc<dyn Potential> = Arc::new(load(&d.join("CuZr_mm.eam.fs"), None).unwrap());
    check_all_paths(fs, &crystal(&["Cu", "Zr"], Lattice::Fcc, 3.9, 3, 0.04, true, 8), 1.0, "eam/fs CuZr");
    let fl: Arc<dyn Potential> = Arc::new(load_funcfl(&[("Cu".into(), &d.join("Cu_u3.eam")), ("Ni".into(), &d.join("Ni_u3.eam"))]).unwrap());
    check_all_paths(fl, &crystal(&["Cu", "Ni"], Lattice::Fcc, 3.58, 3, 0.04, false, 9), 1.0, "eam funcfl CuNi");
}

#[test]
fn moved_atoms_without_rebuild_match_legacy() {
    // the layout is kept between builds and only re-gathers positions
    let z = Zhou2004::new(&["Cu".into(), "Ni".into()]).unwrap();
    let pot: Arc<dyn Potential> = Arc::new(z.potential().unwrap());
    let s0 = crystal(&["Cu", "Ni"], Lattice::Fcc, 3.6, 3, 0.03, true, 10);
    let mut s1 = s0.clone();
    for (i, p) in s1.positions.iter_mut().enumerate() {
        p[i % 3] += 0.2 * ((i as f64 * 0.37).sin());
    }
    let mut outs = Vec::new();
    for path in [KernelPath::Legacy, KernelPath::Portable] {
        let mut nl = NeighborList::new(pot.cutoff(), 1.0).unwrap();
        let mut scratch = Scratch::default();
        scratch.nbnxm.path = Some(path);
        let mut out = Output::default();
        for s in [&s0, &s1] {
            let rebuilt = nl.update(&s.cell, &s.positions, &s.types).unwrap();
            assert_eq!(rebuilt, std::ptr::eq(s, &s0), "list must be kept for the small move");
            out.reset(s.len(), Request::all());
            pot.compute(&Configuration::new(s, Some(&nl)), Request::all(), &mut scratch, &mut out).unwrap();
        }
        outs.push(out);
    }
    assert_close(&outs[0], &outs[1], 1e-11, "moved atoms");
}

/// A pair within one rounding of the overlap limit: the SIMD kernel forms r² with fused
/// multiply-adds, so it may see the overlap where LAMMPS's plain r² does not; the cluster paths
/// must then still name the pair (they reported an internal error before).
#[test]
fn overlap_at_the_rounding_boundary_is_named() {
    let (sigma, rc) = (3.4, 8.5);
    let min = 0.1 * sigma; // the overlap limit of lj/cut (LennardJones::new)
    let minsq = min * min;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let p0 = [7.0f64, 7.0, 7.0];
    let p1 = (0..10_000_000)
        .find_map(|_| {
            let u = [rng.random_range(-1.0..1.0f64), rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            let n = (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt();
            let p1 = [p0[0] + u[0] / n * min, p0[1] + u[1] / n * min, p0[2] + u[2] / n * min];
            let d = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
            let plain = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let fused = d[2].mul_add(d[2], d[1].mul_add(d[1], d[0] * d[0]));
            (fused < minsq && !(plain < minsq)).then_some(p1)
        })
        .expect("a pair whose fused r² is below the limit and plain r² is not");
    let mut s = crystal(&["Ar"], Lattice::Fcc, 5.26, 3, 0.001, false, 1);
    s.positions[0] = p0;
    s.positions[5] = p1;
    for path in cluster_paths() {
        let mut ev = Evaluator::new(lj1(rc), 1.0, 1).unwrap();
        ev.set_kernel_path(Some(path));
        match ev.compute(&s) {
            Err(Error::Overlap { .. }) | Ok(_) => {}
            Err(e) => panic!("{path:?}: {e}"),
        }
    }
}

/// An evaluator forced onto the legacy kernel for lj/cut gets its pair list back (the list is
/// built with images only when the process-wide choice is a cluster path), and the reverse.
#[test]
fn evaluator_kernel_path_switches_the_pair_list() {
    let s = crystal(&["Ar"], Lattice::Fcc, 5.26, 4, 0.04, true, 5);
    let mut ev = Evaluator::new(lj1(8.5), 1.0, 1).unwrap();
    let default = ev.compute_all(&s).unwrap().clone();
    let mut paths = vec![KernelPath::Legacy];
    paths.extend(cluster_paths());
    paths.push(KernelPath::Legacy);
    for path in paths {
        ev.set_kernel_path(Some(path));
        let o = ev.compute(&s).unwrap_or_else(|e| panic!("{path:?}: {e}")).clone();
        assert_eq!(ev.neighbor_list().images_only, path != KernelPath::Legacy, "{path:?}");
        assert_close(&default, &o, 1e-11, &format!("evaluator forced to {path:?}"));
    }
}

#[test]
fn overlap_is_reported_by_cluster_paths() {
    let mut s = crystal(&["Ar"], Lattice::Fcc, 5.26, 2, 0.01, false, 11);
    s.positions[1] = [s.positions[0][0] + 0.05, s.positions[0][1], s.positions[0][2]];
    let pot = lj1(8.0);
    for path in cluster_paths() {
        let mut nl = NeighborList::new(pot.cutoff(), 0.5).unwrap();
        nl.build(&s.cell, &s.positions, &s.types).unwrap();
        let mut scratch = Scratch::default();
        scratch.nbnxm.path = Some(path);
        let mut out = Output::default();
        out.reset(s.len(), Request::global());
        let e = pot.compute(&Configuration::new(&s, Some(&nl)), Request::global(), &mut scratch, &mut out).unwrap_err();
        assert!(matches!(e, Error::Overlap { .. }), "{path:?}: {e}");
    }
}

#[test]
fn kernel_names_parse_and_unknown_names_are_rejected() {
    for p in [KernelPath::Legacy, KernelPath::Portable, KernelPath::Avx2, KernelPath::Avx512] {
        assert_eq!(KernelPath::parse(p.name()).unwrap(), p);
    }
    let e = KernelPath::parse("sse9").unwrap_err().to_string();
    assert!(e.contains("sse9") && e.contains("avx512"), "{e}");
}

/// Force-evaluation throughput, legacy against the best cluster path, interleaved (a report, not
/// a check: `cargo test --release -p scalebridge-md --test nbnxm -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput_report() {
    let lj: Arc<dyn Potential> = Arc::new(LennardJones::new(vec!["Ar".into()], vec![1.0], vec![1.0], 2.5, false, Mixing::LorentzBerthelot, vec![]).unwrap());
    let s_lj = crystal(&["Ar"], Lattice::Fcc, (4.0f64 / 0.8442).cbrt(), 20, 0.01, false, 12);
    let z = Zhou2004::new(&["Cu".into()]).unwrap();
    let eam: Arc<dyn Potential> = Arc::new(z.potential().unwrap());
    let s_eam = crystal(&["Cu"], Lattice::Fcc, 3.615, 20, 0.01, false, 13);
    for (name, pot, s, skin) in [("lj", lj, s_lj, 0.3), ("eam", eam, s_eam, 1.0)] {
        for threads in [1, 2] {
            let mut rate = std::collections::BTreeMap::<&str, Vec<f64>>::new();
            for _rep in 0..3 {
                for path in [KernelPath::Legacy, KernelPath::best()] {
                    let mut ev = Evaluator::new(pot.clone(), skin, threads).unwrap();
                    ev.set_kernel_path(Some(path));
                    ev.compute(&s).unwrap();
                    let t0 = std::time::Instant::now();
                    let steps = 20;
                    for _ in 0..steps {
                        ev.compute(&s).unwrap();
                    }
                    let r = s.len() as f64 * steps as f64 / t0.elapsed().as_secs_f64() / 1e6;
                    rate.entry(path.name()).or_default().push(r);
                }
            }
            println!("{name} threads={threads} force evaluations, Matom-evals/s: {rate:?}");
        }
    }
}

