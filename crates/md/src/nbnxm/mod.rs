//! Cluster-pair ("nbnxm", after GROMACS) kernels for `lj/cut` and both EAM passes.
//!
//! At every neighbour-list rebuild the extended set of the list (every atom and its periodic
//! images, [`crate::neighbors::NeighborList`]) is sorted into a private spatial layout: columns of
//! a Cartesian x–y grid, atoms sorted by z within a column and cut into clusters of
//! [`CLUSTER`] slots (padded). The engine's atom order never changes: the layout keeps its own
//! permutation (`slot → image → owner atom`) and a structure-of-arrays copy of the positions,
//! gathered from the list's image positions every step. Cluster pairs are found with a
//! bounding-box test against `cutoff + skin`; each pair carries a 16-bit mask of the atom pairs it
//! owns (the half-list rule, no self pairs, no padding, and no atom pairs already farther than
//! `cutoff + skin` at the build), and the kernels apply the cutoff per atom pair at run time.
//! Every physical pair is therefore evaluated exactly once, as by the legacy half list.
//!
//! Kernel paths ([`KernelPath`]), chosen with `SCALEBRIDGE_MD_KERNEL=legacy|portable|avx2|avx512`
//! (default: see [`KernelPath::default_for`]): `portable` is the reference, compiled for the build's
//! target; `avx2` (AVX2+FMA) and `avx512` (AVX-512F) are the same source compiled with those
//! target features and selected only when `is_x86_feature_detected!` finds them (no FMA
//! contraction is allowed in Rust, so the three paths give bit-identical results);
//! `legacy` is the per-atom list kernel of `lj_cut.rs` / `eam/kernel.rs`.
//! `SCALEBRIDGE_NO_AVX512` (as in the ml crate) rules out the AVX-512 path.

pub mod eam;
pub mod layout;
pub mod lj;
mod simd;
mod tally;

use crate::error::{Error, Result};
use std::sync::OnceLock;

/// Atoms per cluster (the SIMD width in f64 lanes of AVX2).
pub const CLUSTER: usize = 4;

/// Which force kernel evaluates `lj/cut` and EAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelPath {
    /// The per-atom neighbour-list kernels (the pre-cluster implementation).
    Legacy,
    /// Cluster-pair kernels compiled for the build target (the reference).
    Portable,
    /// Cluster-pair kernels compiled with AVX2 and FMA enabled.
    Avx2,
    /// Cluster-pair kernels compiled with AVX-512F enabled.
    Avx512,
}

/// The potentials with cluster kernels (their defaults differ: [`KernelPath::default_for`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    LjCut,
    Eam,
}

impl KernelPath {
    /// Parse `legacy|portable|avx2|avx512` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "legacy" => Ok(KernelPath::Legacy),
            "portable" => Ok(KernelPath::Portable),
            "avx2" => Ok(KernelPath::Avx2),
            "avx512" => Ok(KernelPath::Avx512),
            other => Err(Error::invalid("SCALEBRIDGE_MD_KERNEL", other, "must be one of legacy, portable, avx2, avx512")),
        }
    }

    /// Name as accepted by [`KernelPath::parse`].
    pub fn name(self) -> &'static str {
        match self {
            KernelPath::Legacy => "legacy",
            KernelPath::Portable => "portable",
            KernelPath::Avx2 => "avx2",
            KernelPath::Avx512 => "avx512",
        }
    }

    /// Whether this machine can run the path.
    pub fn available(self) -> bool {
        match self {
            KernelPath::Legacy | KernelPath::Portable => true,
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => {
                // every feature the AVX-512 variants are compiled with (`nbnxm/lj.rs`, `eam.rs`)
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::env::var_os("SCALEBRIDGE_NO_AVX512").is_none()
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The fastest cluster path this machine runs.
    pub fn best() -> Self {
        [KernelPath::Avx512, KernelPath::Avx2].into_iter().find(|p| p.available()).unwrap_or(KernelPath::Portable)
    }

    /// The path used for `style` when `SCALEBRIDGE_MD_KERNEL` is unset. `lj/cut`: the AVX-512
    /// or AVX2 cluster kernel where the CPU has it (faster than the legacy kernel there:
    /// `bench md --case lj`), else the legacy kernel (the portable cluster path is the
    /// reference, not a fast path). EAM: the legacy kernel (its cluster kernels are correct but
    /// slower: scalar table lookups per lane).
    pub fn default_for(style: Style) -> Self {
        match style {
            Style::LjCut => match KernelPath::best() {
                p @ (KernelPath::Avx512 | KernelPath::Avx2) => p,
                _ => KernelPath::Legacy,
            },
            Style::Eam => KernelPath::Legacy,
        }
    }

    /// The path for `style`: `SCALEBRIDGE_MD_KERNEL` (read once per process) if set, else
    /// [`KernelPath::default_for`].
    pub fn selected_for(style: Style) -> Result<Self> {
        Ok(KernelPath::forced()?.unwrap_or_else(|| KernelPath::default_for(style)))
    }

    /// The path forced by `SCALEBRIDGE_MD_KERNEL` (read once per process), `None` when unset.
    pub fn forced() -> Result<Option<Self>> {
        static SEL: OnceLock<std::result::Result<Option<KernelPath>, String>> = OnceLock::new();
        SEL.get_or_init(|| match std::env::var("SCALEBRIDGE_MD_KERNEL") {
            Ok(v) if !v.trim().is_empty() => {
                let p = KernelPath::parse(&v).map_err(|e| e.to_string())?;
                if p.available() {
                    Ok(Some(p))
                } else {
                    Err(format!("SCALEBRIDGE_MD_KERNEL={v}: this CPU lacks the instructions of that kernel path"))
                }
            }
            _ => Ok(None),
        })
        .clone()
        .map_err(|e| Error::invalid("SCALEBRIDGE_MD_KERNEL", e, "choose an available kernel path"))
    }
}

/// Per-evaluator state of the cluster kernels (lives in [`crate::potentials::Scratch`]).
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Force a kernel path for this scratch (tests, A/B runs); `None` = [`KernelPath::selected_for`].
    pub path: Option<KernelPath>,
    pub(crate) layout: layout::Layout,
    pub(crate) buffers: Vec<SlotBuffer>,
    pub(crate) atom_a: Vec<f64>,
    pub(crate) atom_b: Vec<f64>,
    pub(crate) slot_scalar: Vec<f64>,
    /// Per-thread cluster ranges of the last evaluation (kept: no allocation per step).
    pub(crate) ranges: Vec<std::ops::Range<usize>>,
    /// Partial sums of fixed chunks (deterministic parallel sums).
    pub(crate) chunk_sums: Vec<f64>,
    /// The `lj/cut` coefficient table of the last evaluation (kept: no allocation per step).
    pub(crate) lj_table: lj::LjTable,
}

impl State {
    /// The cluster path to run for `style`, or `None` for the legacy kernel.
    pub fn cluster_path(&self, style: Style) -> Result<Option<KernelPath>> {
        let p = match self.path {
            Some(p) => p,
            None => KernelPath::selected_for(style)?,
        };
        if p != KernelPath::Legacy && !p.available() {
            return Err(Error::invalid("kernel path", p.name(), "this CPU lacks its instructions"));
        }
        Ok((p != KernelPath::Legacy).then_some(p))
    }
}

impl State {
    /// Heap bytes held by the cluster kernels' layout and buffers (allocated capacity).
    pub fn heap_bytes(&self) -> usize {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let bufs: usize = self.buffers.iter().map(|t| b(&t.f) + b(&t.scalar) + b(&t.pe) + b(&t.pv)).sum();
        self.layout.heap_bytes() + bufs + b(&self.atom_a) + b(&self.atom_b) + b(&self.slot_scalar)
    }
}

/// Index of component `k` (0 = x, 1 = y, 2 = z) of slot `s` in [`SlotBuffer::f`].
#[inline(always)]
pub fn force_index(s: usize, k: usize) -> usize {
    (s / CLUSTER) * 3 * CLUSTER + k * CLUSTER + s % CLUSTER
}

/// Per-thread accumulators over the layout's slots.
#[derive(Clone, Debug, Default)]
pub struct SlotBuffer {
    /// Forces, cluster by cluster: x of its [`CLUSTER`] slots, then y, then z ([`force_index`]).
    /// One array rather than three: three page-aligned arrays put a slot's x, y and z at the
    /// same address modulo 4 KiB, and the kernels' read-modify-writes of the three then stall
    /// on false store-to-load dependencies.
    pub f: Vec<f64>,
    /// Free per-slot scalar (EAM density).
    pub scalar: Vec<f64>,
    pub pe: Vec<f64>,
    pub pv: Vec<[f64; 6]>,
    pub energy: f64,
    pub virial: [f64; 6],
    pub flag: bool,
}

impl SlotBuffer {
    pub fn reset(&mut self, n: usize, forces: bool, scalar: bool, pe: bool, pv: bool) {
        let z = |v: &mut Vec<f64>, on: bool| {
            v.clear();
            if on {
                crate::neighbors::reserve_headroom(v, n);
                v.resize(n, 0.0);
            }
        };
        self.f.clear();
        if forces {
            crate::neighbors::reserve_headroom(&mut self.f, 3 * n);
            self.f.resize(3 * n, 0.0);
        }
        z(&mut self.scalar, scalar);
        z(&mut self.pe, pe);
        self.pv.clear();
        if pv {
            crate::neighbors::reserve_headroom(&mut self.pv, n);
            self.pv.resize(n, [0.0; 6]);
        }
        self.energy = 0.0;
        self.virial = [0.0; 6];
        self.flag = false;
    }
}
