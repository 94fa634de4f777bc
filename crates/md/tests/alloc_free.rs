//! MD steps allocate nothing once the run is warm: a counting global allocator (this test
//! binary only) counts heap allocations during NVE and NPT runs of EAM copper (Zhou 2004) and
//! `lj/cut` argon, neighbour-list rebuilds included, at one and two threads. Also: NPT keeps
//! its neighbour list across cell changes (far fewer builds than steps).

use scalebridge_md::integrators::{Coupling, Integrator, Npt};
use scalebridge_md::nbnxm::KernelPath;
use scalebridge_md::potentials::lj_cut::Mixing;
use scalebridge_md::potentials::{LennardJones, Potential, Zhou2004};
use scalebridge_md::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// One measurement at a time (the counter is process-wide; cargo runs tests in threads).
static SERIAL: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// EAM copper (Zhou 2004) at 900 K, or LJ argon (`lj/cut`, 8.5 Å) at 60 K: 500 atoms.
fn sim(integ: Box<dyn Integrator>, threads: usize, lj: bool) -> Simulation {
    let (el, a, t) = if lj { ("Ar", 5.26, 60.0) } else { ("Cu", 3.63, 900.0) };
    let spec = BulkSpec { lattice: Lattice::Fcc, species: vec![el.into()], a, c: None, orientation: None, repeat: [5, 5, 5], orthogonal: true, masses: None };
    let s = bulk(&spec).unwrap();
    let pot: Arc<dyn Potential> = if lj {
        Arc::new(LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.4], 8.5, false, Mixing::Geometric, vec![]).unwrap())
    } else {
        Arc::new(Zhou2004::new(&["Cu".into()]).unwrap().potential().unwrap())
    };
    let mut sim = Simulation::new(s, pot, integ, 0.002, 1.0, threads).unwrap();
    sim.create_velocities(t, 11).unwrap();
    sim
}

/// Heap allocations during `steps` steps after a warm-up, and the builds during them.
fn allocations(integ: Box<dyn Integrator>, threads: usize, lj: bool, steps: u64) -> (usize, usize) {
    allocations_on(integ, threads, lj, steps, None)
}

/// [`allocations`] on the kernel `path` (`None`: the default).
fn allocations_on(integ: Box<dyn Integrator>, threads: usize, lj: bool, steps: u64, path: Option<KernelPath>) -> (usize, usize) {
    // the whole run under the lock: another test's set-up and warm-up would be counted too
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut s = sim(integ, threads, lj);
    s.evaluator.set_kernel_path(path);
    s.run(300, |_| true).unwrap();
    let b0 = s.evaluator.neighbor_list().builds;
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    s.run(steps, |_| true).unwrap();
    COUNTING.store(false, Ordering::SeqCst);
    (ALLOCS.load(Ordering::SeqCst), s.evaluator.neighbor_list().builds - b0)
}

/// Met since 2026-12-06 (before: ≈10 heap allocations per step, 3,880 in 400 NVE steps at
/// one thread). Both force paths that the benchmarks run (EAM, `lj/cut`), NVE and NPT, 1 and 2
/// threads.
#[test]
fn steps_allocate_nothing_once_warm() {
    for lj in [false, true] {
        let t = if lj { 60.0 } else { 900.0 };
        for threads in [1, 2] {
            let (nve, nve_builds) = allocations(Box::new(VelocityVerlet), threads, lj, 400);
            let npt = Npt::new(t, 0.1, [0.0; 6], 0.5, Coupling::Iso).unwrap();
            let (npt_allocs, npt_builds) = allocations(Box::new(npt), threads, lj, 400);
            let what = if lj { "lj/cut" } else { "EAM" };
            assert!(nve_builds > 0 && npt_builds > 0, "{what}: rebuilds must be exercised: {nve_builds} NVE, {npt_builds} NPT");
            assert!(npt_builds < 400 / 5, "{what}: NPT rebuilt its list {npt_builds} times in 400 steps");
            assert_eq!(nve, 0, "{what} NVE at {threads} threads: {nve} heap allocations in 400 steps ({nve_builds} rebuilds)");
            assert_eq!(npt_allocs, 0, "{what} NPT at {threads} threads: {npt_allocs} heap allocations in 400 steps ({npt_builds} rebuilds)");
        }
    }
}

/// The cluster-pair (nbnxm) kernels too (since 2026-12-06; before: a vector of thread ranges
/// and of partial energy sums per step, the `lj/cut` table per step, and the layout's work
/// arrays at every rebuild): EAM NPT (rebuilds with cell changes), 1 and 2 threads, on the
/// fastest cluster path this CPU runs; `lj/cut` too since 2026-12-07 (its cluster-pair lists
/// grew a few times after this warm-up before the search output was held one wave at a time
/// and the lists grew with `reserve_headroom`: 4 allocations in 400 NPT steps with 7 rebuilds).
#[test]
fn cluster_kernel_steps_allocate_nothing_once_warm() {
    let path = KernelPath::best();
    for lj in [false, true] {
        let t = if lj { 60.0 } else { 900.0 };
        for threads in [1, 2] {
            let npt = Npt::new(t, 0.1, [0.0; 6], 0.5, Coupling::Iso).unwrap();
            let (allocs, builds) = allocations_on(Box::new(npt), threads, lj, 400, Some(path));
            let what = if lj { "lj/cut" } else { "EAM" };
            assert!(builds > 0, "{what} ({}): rebuilds must be exercised", path.name());
            assert_eq!(allocs, 0, "{what} NPT on {} at {threads} threads: {allocs} heap allocations in 400 steps ({builds} rebuilds)", path.name());
        }
    }
}
