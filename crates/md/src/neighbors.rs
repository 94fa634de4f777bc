//! Verlet neighbour lists built from cell lists over periodic images.
//!
//! Every atom is represented by all of its periodic images that lie within `cutoff + skin` of the
//! cell (the *extended* set, like LAMMPS ghost atoms). Images are binned in fractional
//! coordinates on a grid commensurate with the cell (a whole number of bins per cell length,
//! each at least `(cutoff + skin)/2` wide perpendicular to its faces where the cell allows), and
//! the whole extended set is stored in bin order (spatial sorting for cache locality). The zero
//! image of each atom is a *centre*; each centre lists the images within `cutoff + skin` that
//! pass the half-list rule below, so every physical pair (i, j, lattice translation T) is stored
//! exactly once and Newton's third law applies the force to both atoms.
//!
//! Half-list rule (LAMMPS's half stencil, `half/bin/newton`): an image's bin is its atom's bin
//! in the cell shifted by whole cells, so the bin offset of image `j + T` seen from centre `i` is
//! exactly minus that of `i − T` seen from `j`. Centre `i` keeps the images whose bin offset is
//! lexicographically positive in (x, y, z), and, in its own bin, image `j + T` if `j > i`, or if
//! `j == i` and `T` is lexicographically positive (the pair with its own image). Only half of
//! the surrounding bins are searched.
//!
//! A *full* list ([`ListKind::Full`], for bond-order potentials such as Tersoff or
//! Stillinger–Weber) keeps every image within `cutoff + skin` of each centre except the centre
//! itself, so every pair is stored from both sides.
//!
//! Because images are generated explicitly, cells narrower than twice the cutoff (even narrower
//! than the cutoff) are handled exactly: an atom simply meets several images of the same
//! neighbour, as the minimum-image convention would get wrong.
//!
//! The list is rebuilt when any atom has moved more than half the skin since the last build
//! (`check`), or unconditionally every `every` steps when the check is off (LAMMPS
//! `neigh_modify every N check no`). When the cell changes (NPT, deformation) the list is kept
//! as long as it provably still holds every pair within the cutoff: see
//! `NeighborList::rebuild_due_deformed` (LAMMPS's rule — half the skin less the two largest
//! box-corner displacements, [`box_corner_allowance`] — or, whichever keeps the list longer,
//! the non-affine displacement of the atoms plus the strain of the cell times
//! `cutoff + skin` within the skin). `NeighborList::builds` counts the builds.

use crate::cell::{Cell, Mat3, Vec3};
use crate::error::{Error, Result};
use rayon::prelude::*;

/// When the list is rebuilt (mirrors LAMMPS `neigh_modify every N delay 0 check yes|no`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RebuildPolicy {
    /// Consider a rebuild every `every` steps.
    pub every: usize,
    /// If true, rebuild only when an atom moved more than `skin/2`; if false, always rebuild.
    pub check: bool,
}

impl Default for RebuildPolicy {
    fn default() -> Self {
        RebuildPolicy { every: 1, check: true }
    }
}

/// Which pairs a list stores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListKind {
    /// No list at all (potentials that read the whole configuration).
    None,
    /// Every pair once (the half-list rule of the module docs).
    #[default]
    Half,
    /// Every pair from both sides.
    Full,
}

/// Make room for `n` elements in `v` with 1/8 headroom when it must grow (instead of `Vec`'s
/// doubling), so that sizes fluctuating between builds (NPT cells, per-image buffers) stop
/// allocating once warm and the slack stays small. Never shrinks.
pub fn reserve_headroom<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        let target = n + n / 8;
        v.reserve_exact(target - v.len());
    }
}

/// Maximum number of periodic images we are willing to generate per atom.
const MAX_IMAGES_PER_ATOM: usize = 20_000;

/// Work arrays of a build, kept between builds so that rebuilding allocates nothing. Only
/// arrays in the final (bin) order are kept per image: the images are enumerated twice (count,
/// then scatter) rather than stored in enumeration order and permuted.
#[derive(Clone, Debug, Default)]
struct BuildScratch {
    bin_start: Vec<u32>,
    fill: Vec<u32>,
    /// Half-list key of every image (`2·owner + [image lexicographically positive]`).
    ext_key: Vec<u32>,
    /// Bin of the zero image of every atom.
    center_bin: Vec<u32>,
    parts: Vec<(Vec<u32>, Vec<u32>)>,
}

/// The periodic images of a build: how many per cell direction, the extended fractional
/// region `[-d, 1 + d)` and its bins.
struct ImageGrid {
    nmax: [i32; 3],
    d: Vec3,
    /// Bins per cell length along each cell direction (bins are commensurate with the cell).
    nbc: [usize; 3],
    /// Extra bins on each side of the cell (`ceil(d·nbc)`): also the search reach in bins.
    extra: [usize; 3],
    nb: [usize; 3],
}

impl ImageGrid {
    /// Call `f(atom, image, wrap, bin)` for every image of every atom inside the extended
    /// region, always in the same order (atoms in order, images lexicographically): `image` is
    /// the lattice translation from the wrapped position, `wrap` the translation that wraps the
    /// stored position into the cell. An image's bin is its atom's bin in the cell shifted by
    /// `image·nbc` bins (integer arithmetic), so the bin offset between two images is the exact
    /// opposite of the offset between the images seen from the other side.
    #[inline(always)]
    fn for_each_image(&self, cell: &Cell, positions: &[Vec3], mut f: impl FnMut(usize, [i32; 3], [i32; 3], usize)) {
        let ImageGrid { nmax, d, nbc, extra, nb } = *self;
        for (i, r) in positions.iter().enumerate() {
            let s = cell.fractional(r);
            let mut wrap = [0i32; 3];
            let mut s0 = [0.0; 3];
            let mut b0 = [0i64; 3];
            for k in 0..3 {
                let f = s[k].floor();
                wrap[k] = f as i32;
                s0[k] = s[k] - f;
                if s0[k] >= 1.0 {
                    s0[k] -= 1.0;
                    wrap[k] += 1;
                }
                b0[k] = ((s0[k] * nbc[k] as f64) as i64).min(nbc[k] as i64 - 1) + extra[k] as i64;
            }
            let bin = |k: usize, a: i32| (b0[k] + a as i64 * nbc[k] as i64).clamp(0, nb[k] as i64 - 1) as usize;
            for a in -nmax[0]..=nmax[0] {
                let sa = s0[0] + a as f64;
                if sa < -d[0] || sa >= 1.0 + d[0] {
                    continue;
                }
                for b in -nmax[1]..=nmax[1] {
                    let sb = s0[1] + b as f64;
                    if sb < -d[1] || sb >= 1.0 + d[1] {
                        continue;
                    }
                    for c in -nmax[2]..=nmax[2] {
                        let sc = s0[2] + c as f64;
                        if sc < -d[2] || sc >= 1.0 + d[2] {
                            continue;
                        }
                        f(i, [a, b, c], wrap, (bin(0, a) * nb[1] + bin(1, b)) * nb[2] + bin(2, c));
                    }
                }
            }
        }
    }
}

/// A half (or full) neighbour list with Verlet skin over explicit periodic images.
#[derive(Clone, Debug, Default)]
pub struct NeighborList {
    /// Half or full.
    pub kind: ListKind,
    /// Interaction cutoff (Å), the largest cutoff of the potential.
    pub cutoff: f64,
    /// Verlet skin (Å).
    pub skin: f64,
    /// Rebuild policy.
    pub policy: RebuildPolicy,
    /// Owner atom of every extended image.
    pub ext_owner: Vec<u32>,
    /// Species index of every extended image (copied from the owner for locality; 16 bits:
    /// a structure has at most 65,536 species).
    pub ext_type: Vec<u16>,
    /// Lattice translation (in cell vectors) from the owner's stored position to this image
    /// (16 bits per direction: an atom more than 32,767 cells from the cell is an error).
    pub ext_translation: Vec<[i16; 3]>,
    /// Current Cartesian position of every extended image, Å.
    pub ext_pos: Vec<Vec3>,
    /// Extended index of the zero image of each centre, in processing (bin) order.
    pub centers: Vec<u32>,
    /// Extended index of the zero image of atom `i` (indexed by atom).
    pub center_of: Vec<u32>,
    /// CSR offsets into `image_list` per atom: the extended indices of all images of atom `i`
    /// are `image_list[image_offsets[i]..image_offsets[i + 1]]` ([`Self::images_of`]).
    pub image_offsets: Vec<u32>,
    /// Extended indices grouped by owner atom.
    pub image_list: Vec<u32>,
    /// CSR offsets into `neighbors`, one per centre plus one ([`Self::neighbors_of`]; 32 bits:
    /// a list holds fewer than 2³² pairs).
    pub offsets: Vec<u32>,
    /// Extended indices of the neighbours of each centre.
    pub neighbors: Vec<u32>,
    /// Build the extended image set only, without the pair list (`offsets` and `neighbors` stay
    /// empty): for a potential whose cluster kernels search their own cluster pairs
    /// ([`crate::potentials::Potential::reads_pairs`]). Set by the evaluator.
    pub images_only: bool,
    ref_positions: Vec<Vec3>,
    ref_cell: Option<Mat3>,
    ref_inverse: Mat3,
    /// Largest |translation| per cell direction among the images of the last build.
    ref_tmax: [i32; 3],
    scratch: BuildScratch,
    steps_since_build: usize,
    /// Number of builds so far.
    pub builds: usize,
    /// Process-wide unique number of the last build (0: never built), so that data derived
    /// from a build (the cluster layout of `crate::nbnxm`) knows when it is stale.
    pub generation: u64,
}

impl NeighborList {
    /// New, empty half list for a potential with `cutoff` and a Verlet `skin` (both Å).
    pub fn new(cutoff: f64, skin: f64) -> Result<Self> {
        Self::with_kind(ListKind::Half, cutoff, skin)
    }

    /// An empty list of kind [`ListKind::None`] (the placeholder of a potential that needs no
    /// list; never built).
    pub fn none() -> Self {
        NeighborList { kind: ListKind::None, ..Default::default() }
    }

    /// New, empty list of `kind` (half or full) with `cutoff` and a Verlet `skin` (both Å).
    pub fn with_kind(kind: ListKind, cutoff: f64, skin: f64) -> Result<Self> {
        if kind == ListKind::None {
            return Err(Error::invalid("neighbour list kind", "None", "build a half or a full list"));
        }
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(Error::invalid("cutoff", cutoff, "must be positive and finite"));
        }
        if !(skin.is_finite() && skin >= 0.0) {
            return Err(Error::invalid("skin", skin, "must be non-negative and finite"));
        }
        Ok(NeighborList { kind, cutoff, skin, ..Default::default() })
    }

    /// Number of extended images.
    pub fn n_ext(&self) -> usize {
        self.ext_owner.len()
    }

    /// Force a rebuild at the next `update` (e.g. at a checkpoint, so that a resumed run and
    /// the uninterrupted one rebuild at the same step and stay bit-identical).
    pub fn invalidate(&mut self) {
        self.ref_cell = None;
    }

    /// Number of stored pairs.
    pub fn n_pairs(&self) -> usize {
        self.neighbors.len()
    }

    /// Heap bytes held by the list (allocated capacity), by array, for memory reports:
    /// `(name, bytes)` with the build's work arrays last.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let sc = &self.scratch;
        let parts: usize = sc.parts.iter().map(|(c, l)| b(c) + b(l)).sum::<usize>() + b(&sc.parts);
        vec![
            ("neighbors (u32 per listed pair)", b(&self.neighbors)),
            ("offsets (per centre)", b(&self.offsets)),
            ("ext_pos (image positions)", b(&self.ext_pos)),
            ("ext_owner", b(&self.ext_owner)),
            ("ext_type", b(&self.ext_type)),
            ("ext_translation", b(&self.ext_translation)),
            ("image_list + image_offsets", b(&self.image_list) + b(&self.image_offsets)),
            ("centers + center_of", b(&self.centers) + b(&self.center_of)),
            ("ref_positions (rebuild check)", b(&self.ref_positions)),
            ("build: bins", b(&sc.bin_start) + b(&sc.fill)),
            ("build: ext_key + center_bin", b(&sc.ext_key) + b(&sc.center_bin)),
            ("build: per-chunk search output", parts),
        ]
    }

    /// Bring the list up to date for new positions: rebuild if the policy requires it,
    /// otherwise only move the images. Returns true if the list was rebuilt.
    pub fn update(&mut self, cell: &Cell, positions: &[Vec3], types: &[usize]) -> Result<bool> {
        let need = self.ref_positions.len() != positions.len()
            || match self.ref_cell {
                None => true,
                Some(ref h0) if h0 == cell.matrix() => self.rebuild_due(positions),
                Some(_) => self.rebuild_due_deformed(cell, positions),
            };
        if need {
            self.build(cell, positions, types)?;
            Ok(true)
        } else {
            self.steps_since_build += 1;
            self.refresh_positions(cell, positions);
            Ok(false)
        }
    }

    fn rebuild_due(&self, positions: &[Vec3]) -> bool {
        let next = self.steps_since_build + 1;
        if next % self.policy.every.max(1) != 0 {
            return false;
        }
        if !self.policy.check {
            return true;
        }
        let lim = 0.25 * self.skin * self.skin;
        positions.par_iter().zip(self.ref_positions.par_iter()).any(|(p, q)| {
            let d = [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
            d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > lim
        })
    }

    /// Rebuild decision after the cell changed since the last build (NPT, deformation).
    ///
    /// The list is kept when either of two sufficient conditions proves that every pair now
    /// within `cutoff` was within `cutoff + skin` at the build (so the rebuild count never
    /// exceeds LAMMPS's on the same trajectory):
    ///
    /// 1. LAMMPS's rule (`Neighbor::check_distance` with a changing box), see
    ///    [`box_corner_allowance`]: every atom moved at most half of the skin less the two
    ///    largest displacements of the cell's corners, measured in LAMMPS's frame (`fix npt`
    ///    dilates about the box centre; ours about the origin, which differs by a uniform
    ///    shift of −½Δdiag(h) and changes no distance).
    /// 2. The affine bound: write the cell as rows `h = h0 · M` and each atom's position as the
    ///    affine image of its build position plus a non-affine part, `r = r0 · M + u`. A pair
    ///    vector that was `p0` (any periodic image) is now `p0 · M + u_i − u_j`, so
    ///    `|p| ≥ |p0| (1 − ε) − 2 max|u|` with `ε = ‖M − I‖_F` (a bound of its spectral norm):
    ///    the list holds while `2 max|u| + ε (cutoff + skin) ≤ skin`. Independent of the cell
    ///    size, so it keeps lists in large cells much longer than rule 1.
    ///
    /// With `check` off, the list is also rebuilt every `every` steps, as without a cell change.
    fn rebuild_due_deformed(&self, cell: &Cell, positions: &[Vec3]) -> bool {
        let next = self.steps_since_build + 1;
        if !self.policy.check && next % self.policy.every.max(1) == 0 {
            return true;
        }
        let Some(h0) = self.ref_cell else { return true };
        let h = *cell.matrix();
        let m = crate::cell::matmul(&self.ref_inverse, &h);
        let mut eps2 = 0.0;
        for a in 0..3 {
            for b in 0..3 {
                let d = m[a][b] - if a == b { 1.0 } else { 0.0 };
                eps2 += d * d;
            }
        }
        let lim_affine = 0.5 * (self.skin - eps2.sqrt() * (self.cutoff + self.skin));
        let lim_box = box_corner_allowance(&h0, &h, self.skin, self.ref_tmax);
        let shift = [0, 1, 2].map(|k| 0.5 * (h[k][k] - h0[k][k]));
        let lim2_affine = if lim_affine > 0.0 { lim_affine * lim_affine } else { -1.0 };
        let lim2_box = if lim_box > 0.0 { lim_box * lim_box } else { -1.0 };
        if lim2_affine < 0.0 && lim2_box < 0.0 {
            return true;
        }
        // (rule 1 violated by some atom, rule 2 violated by some atom)
        let (box_bad, affine_bad) = positions
            .par_iter()
            .zip(self.ref_positions.par_iter())
            .with_min_len(1024)
            .fold(
                || (false, false),
                |(bb, ab), (p, q)| {
                    let d = [p[0] - q[0] - shift[0], p[1] - q[1] - shift[1], p[2] - q[2] - shift[2]];
                    let u = [
                        p[0] - (q[0] * m[0][0] + q[1] * m[1][0] + q[2] * m[2][0]),
                        p[1] - (q[0] * m[0][1] + q[1] * m[1][1] + q[2] * m[2][1]),
                        p[2] - (q[0] * m[0][2] + q[1] * m[1][2] + q[2] * m[2][2]),
                    ];
                    (
                        bb || d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > lim2_box,
                        ab || u[0] * u[0] + u[1] * u[1] + u[2] * u[2] > lim2_affine,
                    )
                },
            )
            .reduce(|| (false, false), |a, b| (a.0 || b.0, a.1 || b.1));
        box_bad && affine_bad
    }

    /// Move every image with its owner (no rebuild).
    pub fn refresh_positions(&mut self, cell: &Cell, positions: &[Vec3]) {
        let h = *cell.matrix();
        self.ext_pos
            .par_iter_mut()
            .zip(self.ext_owner.par_iter().zip(self.ext_translation.par_iter()))
            .with_min_len(1024)
            .for_each(|(p, (&o, t))| {
                let r = &positions[o as usize];
                let (a, b, c) = (t[0] as f64, t[1] as f64, t[2] as f64);
                *p = [
                    r[0] + a * h[0][0] + b * h[1][0] + c * h[2][0],
                    r[1] + a * h[0][1] + b * h[1][1] + c * h[2][1],
                    r[2] + a * h[0][2] + b * h[1][2] + c * h[2][2],
                ];
            });
    }

    /// Build the list from scratch.
    pub fn build(&mut self, cell: &Cell, positions: &[Vec3], types: &[usize]) -> Result<()> {
        let n = positions.len();
        if types.len() != n {
            return Err(Error::Shape(format!("{} types for {} positions", types.len(), n)));
        }
        if n >= u32::MAX as usize / 2 {
            return Err(Error::invalid("number of atoms", n, "too many atoms for 32-bit neighbour indices"));
        }
        let rcs = self.cutoff + self.skin;
        let w = cell.widths();
        let d: Vec3 = [rcs / w[0], rcs / w[1], rcs / w[2]];
        let nmax = [d[0].ceil() as i32, d[1].ceil() as i32, d[2].ceil() as i32];
        let images_per_atom = (2 * nmax[0] + 1) as usize * (2 * nmax[1] + 1) as usize * (2 * nmax[2] + 1) as usize;
        if images_per_atom > MAX_IMAGES_PER_ATOM {
            return Err(Error::invalid(
                "cell",
                format!("widths {:.3} {:.3} {:.3} Å", w[0], w[1], w[2]),
                &format!("far too small for cutoff+skin {rcs:.3} Å ({images_per_atom} images per atom); replicate the cell"),
            ));
        }
        // Bins commensurate with the cell: `nbc` per cell length along each cell direction, each
        // at least rcs/2 wide where the cell allows (one bin per cell length otherwise), and
        // `extra = ceil(d·nbc)` more on each side for the images in [-d, 1+d): every neighbour of
        // an atom lies within ±extra bins (±2 unless the cell is narrower than rcs/2).
        let nbc: [usize; 3] = [0, 1, 2].map(|k| ((w[k] / (0.5 * rcs)).floor() as usize).clamp(1, 1 << 10));
        let extra: [usize; 3] = [0, 1, 2].map(|k| ((d[k] * nbc[k] as f64).ceil() as usize).max(1));
        let nb: [usize; 3] = [0, 1, 2].map(|k| nbc[k] + 2 * extra[k]);
        let nbins = nb[0] * nb[1] * nb[2];

        // 1. count the images per bin (every image of every atom within the extended region),
        //    2. scatter them straight into bin order (a counting sort that enumerates the images
        //    a second time instead of storing them in enumeration order: the same order, with
        //    no per-image work arrays but the sorted ones)
        let mut sc = std::mem::take(&mut self.scratch);
        let BuildScratch { bin_start, fill, ext_key, center_bin, parts } = &mut sc;
        let grid = ImageGrid { nmax, d, nbc, extra, nb };
        bin_start.clear();
        reserve_headroom(bin_start, nbins + 1);
        reserve_headroom(fill, (nbins + 1).max(n));
        bin_start.resize(nbins + 1, 0);
        grid.for_each_image(cell, positions, |_, _, _, b| bin_start[b + 1] += 1);
        for b in 0..nbins {
            bin_start[b + 1] += bin_start[b];
        }
        let n_ext = bin_start[nbins] as usize;
        fill.clear();
        fill.extend_from_slice(&bin_start[..nbins]);
        for v in [&mut self.ext_owner, &mut self.image_list, &mut *ext_key] {
            v.clear();
            reserve_headroom(v, n_ext);
        }
        self.ext_type.clear();
        reserve_headroom(&mut self.ext_type, n_ext);
        self.ext_translation.clear();
        reserve_headroom(&mut self.ext_translation, n_ext);
        self.ext_pos.clear();
        reserve_headroom(&mut self.ext_pos, n_ext);
        self.ext_owner.resize(n_ext, 0);
        self.ext_translation.resize(n_ext, [0; 3]);
        ext_key.resize(n_ext, 0);
        self.center_of.clear();
        self.center_of.resize(n, u32::MAX);
        center_bin.clear();
        center_bin.resize(n, 0);
        let mut far = None;
        {
            let (ext_owner, ext_translation, center_of) = (&mut self.ext_owner, &mut self.ext_translation, &mut self.center_of);
            let (ext_key, center_bin) = (&mut *ext_key, &mut *center_bin);
            grid.for_each_image(cell, positions, |i, img, wrap, b| {
                let s = fill[b] as usize;
                fill[b] += 1;
                ext_owner[s] = i as u32;
                let t = [img[0] - wrap[0], img[1] - wrap[1], img[2] - wrap[2]];
                ext_translation[s] = t.map(|v| v as i16);
                if t.iter().any(|&v| i16::try_from(v).is_err()) {
                    far = Some(i);
                }
                // half-list key: image j is a neighbour of centre i iff key_j > 2·owner_i, i.e.
                // owner_j > owner_i, or owner_j == owner_i with a lexicographically positive image
                ext_key[s] = 2 * i as u32 + (img > [0, 0, 0]) as u32;
                if img == [0, 0, 0] {
                    center_of[i] = s as u32;
                    center_bin[i] = b as u32;
                }
            });
        }
        if let Some(i) = far {
            self.scratch = sc;
            self.invalidate();
            return Err(Error::invalid(
                "atom position",
                format!("atom {i} at {:?}", positions[i]),
                "lies more than 32,767 cell lengths outside the cell; wrap the positions into the cell",
            ));
        }
        if types.iter().any(|&t| t > u16::MAX as usize) {
            self.scratch = sc;
            self.invalidate();
            return Err(Error::invalid("species index", types.iter().max().copied().unwrap_or(0), "a structure has at most 65,536 species"));
        }
        self.ext_type.extend(self.ext_owner.iter().map(|&o| types[o as usize] as u16));
        self.ext_pos.resize(n_ext, [0.0; 3]);
        self.refresh_positions(cell, positions);

        // 3. centres in bin order
        self.centers.clear();
        for (e, &o) in self.ext_owner.iter().enumerate() {
            if self.center_of[o as usize] == e as u32 {
                self.centers.push(e as u32);
            }
        }
        // images grouped by owner (for the parallel fold of image forces onto atoms)
        self.image_offsets.clear();
        self.image_offsets.resize(n + 1, 0);
        for &o in &self.ext_owner {
            self.image_offsets[o as usize + 1] += 1;
        }
        for i in 0..n {
            self.image_offsets[i + 1] += self.image_offsets[i];
        }
        fill.clear();
        fill.extend_from_slice(&self.image_offsets[..n]);
        self.image_list.resize(n_ext, 0);
        for (e, &o) in self.ext_owner.iter().enumerate() {
            self.image_list[fill[o as usize] as usize] = e as u32;
            fill[o as usize] += 1;
        }
        if self.centers.len() != n {
            let found = self.centers.len();
            self.scratch = sc;
            return Err(Error::Shape(format!("neighbour list found {found} centres for {n} atoms")));
        }

        // 4. neighbour search over the 5x5x5 surrounding bins (z-runs are contiguous in the
        //    sorted order), in parallel chunks.
        let rcs2 = rcs * rcs;
        let (bin_start, center_bin) = (&*bin_start, &*center_bin);
        let ext_pos = &self.ext_pos;
        let ext_owner = &self.ext_owner;
        let ext_key = &*ext_key;
        // Waves of chunks are searched in parallel and appended in order, so the list is never
        // held twice in memory.
        self.offsets.clear();
        self.offsets.reserve(n + 1);
        self.offsets.push(0);
        // Keep the storage between builds (no allocation while the pair count stays within
        // it); trim it only when it is far above the last count, and grow it to the projected
        // final count plus 1/16 rather than doubling, so the slack stays small.
        let last = self.neighbors.len();
        self.neighbors.clear();
        if self.neighbors.capacity() > last + last / 4 {
            self.neighbors.shrink_to(last + last / 16);
        }
        let n_centres = if self.images_only { 0 } else { self.centers.len() };
        if self.images_only {
            self.neighbors = Vec::new();
        }
        let mut acc = 0usize;
        // (a wave holds 2,048 centres' neighbours at once: small beside the list itself)
        const CHUNK: usize = 256;
        const WAVE: usize = 8;
        parts.resize_with(WAVE, Default::default);
        for wave in self.centers[..n_centres].chunks(WAVE * CHUNK) {
            let nparts = wave.len().div_ceil(CHUNK);
            let grid = SearchGrid { nb, reach: extra, bin_start, center_bin, ext_key, ext_pos, ext_owner, rcs2 };
            let full = self.kind == ListKind::Full;
            parts[..nparts].par_iter_mut().zip(wave.par_chunks(CHUNK)).for_each(|((counts, list), chunk)| {
                if full {
                    grid.search::<true>(chunk, counts, list)
                } else {
                    grid.search::<false>(chunk, counts, list)
                }
            });
            for (counts, list) in parts[..nparts].iter() {
                for &c in counts {
                    acc += c as usize;
                    self.offsets.push(acc as u32);
                }
                if acc > u32::MAX as usize {
                    self.scratch = sc;
                    self.invalidate();
                    return Err(Error::invalid("neighbour list", format!("more than {acc} pairs"), "a list holds fewer than 2^32 pairs; use a shorter cutoff or skin, or fewer atoms"));
                }
                let need = self.neighbors.len() + list.len();
                if need > self.neighbors.capacity() {
                    let done = (self.offsets.len() - 1).max(1);
                    let projected = (need as u128 * n_centres as u128 / done as u128) as usize;
                    let target = projected.max(need) + projected / 16;
                    self.neighbors.reserve_exact(target - self.neighbors.len());
                }
                self.neighbors.extend_from_slice(list);
            }
        }
        self.scratch = sc;
        self.ref_positions.clear();
        self.ref_positions.extend_from_slice(positions);
        self.ref_cell = Some(*cell.matrix());
        self.ref_inverse = *cell.inverse();
        self.ref_tmax = self.ext_translation.iter().fold([0; 3], |m, t| [0, 1, 2].map(|k| m[k].max((t[k] as i32).abs())));
        self.steps_since_build = 0;
        self.builds += 1;
        static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.generation = GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
    /// The listed neighbours (extended indices) of centre `c` (`centers[c]`).
    #[inline]
    pub fn neighbors_of(&self, c: usize) -> &[u32] {
        &self.neighbors[self.offsets[c] as usize..self.offsets[c + 1] as usize]
    }

    /// Offset of centre `c`'s neighbours in [`Self::neighbors`] (`c` may be one past the last
    /// centre: the number of listed pairs).
    #[inline]
    pub fn pair_offset(&self, c: usize) -> usize {
        self.offsets[c] as usize
    }

    /// The extended indices of all images of atom `i`, ascending.
    #[inline]
    pub fn images_of(&self, i: usize) -> &[u32] {
        &self.image_list[self.image_offsets[i] as usize..self.image_offsets[i + 1] as usize]
    }

    /// Visit every listed pair `(i, j, r)` with `r < cutoff` (Å; at most the list's cutoff +
    /// skin), `i` and `j` the owner atoms of the centre and the neighbour (periodic images
    /// visited separately; each pair once on a half list, twice on a full one).
    pub fn for_each_pair_within(&self, cutoff: f64, mut f: impl FnMut(usize, usize, f64)) {
        assert!(!self.images_only, "for_each_pair_within on a list built with images_only (no pairs): build it with images_only = false");
        let cutsq = cutoff * cutoff;
        for (c, &i) in self.centers.iter().enumerate() {
            let xi = self.ext_pos[i as usize];
            let oi = self.ext_owner[i as usize] as usize;
            for &j in self.neighbors_of(c) {
                let xj = self.ext_pos[j as usize];
                let d = [xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]];
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if r2 < cutsq {
                    f(oi, self.ext_owner[j as usize] as usize, r2.sqrt());
                }
            }
        }
    }


    /// Split the centres into `parts` contiguous ranges with about equal numbers of pairs.
    pub fn balanced_ranges(&self, parts: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::with_capacity(parts.max(1));
        self.balanced_ranges_into(parts, &mut out);
        out
    }

    /// [`Self::balanced_ranges`] into `out` (cleared first; allocation-free once `out` has the
    /// capacity), for the per-step kernels.
    pub fn balanced_ranges_into(&self, parts: usize, out: &mut Vec<std::ops::Range<usize>>) {
        out.clear();
        let nc = self.centers.len();
        let parts = parts.max(1).min(nc.max(1));
        let total = self.neighbors.len() + nc;
        let mut start = 0;
        for p in 1..=parts {
            let target = total * p / parts;
            let mut end = start;
            if p == parts {
                end = nc;
            } else {
                while end < nc && self.offsets[end] as usize + end < target {
                    end += 1;
                }
            }
            out.push(start..end);
            start = end;
        }
    }
}

/// LAMMPS's trigger distance after a box change (`Neighbor::check_distance`, box check on):
/// half of the skin less the sum of the two largest displacements of the cell's eight
/// corners between the build cell `h0` and the current `h` (rows), measured in the frame that
/// keeps the box centre's diagonal coordinates fixed (LAMMPS's `fix npt` fixed point), which
/// is where LAMMPS measures its atoms' displacements. An atom and a neighbour image `j + T`
/// with every `|T_k| ≤ 1` then approach by at most twice the trigger plus `|T·Δh|`, a
/// difference of two corner displacements, so no pair is missed. `tmax` is the largest
/// `|T_k|` of the build's images (translations relative to the stored, unwrapped positions):
/// where it exceeds 1 (cells narrower than cutoff + skin, or atoms that left the cell, which
/// LAMMPS would have wrapped back), `Σ_k tmax_k |Δh_k|` replaces the corner sum when larger,
/// keeping the rule rigorous. Unlike LAMMPS's triclinic branch this takes the
/// true two largest corner displacements (LAMMPS can underestimate the second one) and
/// returns a non-positive value (rebuild) when the box moved more than the skin.
pub fn box_corner_allowance(h0: &Mat3, h: &Mat3, skin: f64, tmax: [i32; 3]) -> f64 {
    let dh: Mat3 = std::array::from_fn(|r| std::array::from_fn(|k| h[r][k] - h0[r][k]));
    let shift = [0, 1, 2].map(|k| -0.5 * dh[k][k]);
    let (mut d1, mut d2) = (0.0f64, 0.0f64);
    for corner in 0..8 {
        let lam = [corner & 1, (corner >> 1) & 1, (corner >> 2) & 1].map(|b| b as f64);
        let mut d = shift;
        for r in 0..3 {
            for k in 0..3 {
                d[k] += lam[r] * dh[r][k];
            }
        }
        let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        if len > d1 {
            d2 = d1;
            d1 = len;
        } else if len > d2 {
            d2 = len;
        }
    }
    let mut reduce = d1 + d2;
    if tmax.iter().any(|&n| n > 1) {
        let far: f64 = (0..3).map(|r| tmax[r] as f64 * (dh[r][0] * dh[r][0] + dh[r][1] * dh[r][1] + dh[r][2] * dh[r][2]).sqrt()).sum();
        reduce = reduce.max(far);
    }
    0.5 * (skin - reduce)
}

/// The binned extended set of one build, searched for the neighbours of chunks of centres.
struct SearchGrid<'a> {
    nb: [usize; 3],
    /// Search reach in bins along each direction.
    reach: [usize; 3],
    bin_start: &'a [u32],
    center_bin: &'a [u32],
    ext_key: &'a [u32],
    ext_pos: &'a [Vec3],
    ext_owner: &'a [u32],
    rcs2: f64,
}

/// Images tested together in the branch-free distance test.
const RUN: usize = 32;

/// Which images of a contiguous run a centre keeps (besides the distance test).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Every image (bins in the upper half of a half stencil).
    All,
    /// Images whose half-list key exceeds the centre's (the centre's own bin).
    AboveKey,
    /// Every image but the centre itself (full lists).
    NotCentre,
}

impl SearchGrid<'_> {
    /// Neighbours of the centres `chunk`: their number per centre into `counts`, the images
    /// into `list`. `FULL`: every image but the centre itself over the whole stencil of
    /// ±reach bins; otherwise the half-list rule over half of it (see the module docs). Each
    /// (x, y) bin row of the stencil is a contiguous run of images in the sorted order.
    #[inline(always)]
    fn search<const FULL: bool>(&self, chunk: &[u32], counts: &mut Vec<u32>, list: &mut Vec<u32>) {
        let SearchGrid { nb, reach, bin_start, center_bin, ext_owner, .. } = *self;
        counts.clear();
        let prev = list.len();
        list.clear();
        reserve_headroom(list, prev);
        for &ci in chunk {
            let ci = ci as usize;
            let before = list.len();
            let b = center_bin[ext_owner[ci] as usize] as usize;
            let (bx, by, bz) = (b / (nb[1] * nb[2]), (b / nb[2]) % nb[1], b % nb[2]);
            let ki = 2 * ext_owner[ci];
            let (zlo, zhi) = (bz.saturating_sub(reach[2]), (bz + reach[2]).min(nb[2] - 1));
            let x0 = if FULL { bx.saturating_sub(reach[0]) } else { bx };
            for x in x0..=(bx + reach[0]).min(nb[0] - 1) {
                let y0 = if FULL || x > bx { by.saturating_sub(reach[1]) } else { by };
                for y in y0..=(by + reach[1]).min(nb[1] - 1) {
                    let row = (x * nb[1] + y) * nb[2];
                    if FULL {
                        self.scan(ci, ki, Keep::NotCentre, bin_start[row + zlo] as usize, bin_start[row + zhi + 1] as usize, list);
                    } else if x == bx && y == by {
                        // the centre's own bin by key, the bins above it in z all
                        self.scan(ci, ki, Keep::AboveKey, bin_start[b] as usize, bin_start[b + 1] as usize, list);
                        self.scan(ci, ki, Keep::All, bin_start[b + 1] as usize, bin_start[row + zhi + 1] as usize, list);
                    } else {
                        self.scan(ci, ki, Keep::All, bin_start[row + zlo] as usize, bin_start[row + zhi + 1] as usize, list);
                    }
                }
            }
            counts.push((list.len() - before) as u32);
        }
    }

    /// The images `j0..j1` within `cutoff + skin` of centre `ci` (key `ki`) that `keep`
    /// admits, appended to `list`: a branch-free distance test over runs of [`RUN`] images
    /// (vectorised) and a branch-free compaction of the hits.
    #[inline(always)]
    fn scan(&self, ci: usize, ki: u32, keep: Keep, j0: usize, j1: usize, list: &mut Vec<u32>) {
        let (ext_pos, ext_key, rcs2) = (self.ext_pos, self.ext_key, self.rcs2);
        let xi = ext_pos[ci];
        let mut start = j0;
        while start < j1 {
            let end = (start + RUN).min(j1);
            let (ps, ks) = (&ext_pos[start..end], &ext_key[start..end]);
            let mut hit = [false; RUN];
            for q in 0..ps.len() {
                let dx = xi[0] - ps[q][0];
                let dy = xi[1] - ps[q][1];
                let dz = xi[2] - ps[q][2];
                let admit = match keep {
                    Keep::All => true,
                    Keep::AboveKey => ks[q] > ki,
                    Keep::NotCentre => start + q != ci,
                };
                hit[q] = (dx * dx + dy * dy + dz * dz < rcs2) & admit;
            }
            let mut found = [0u32; RUN];
            let mut cnt = 0usize;
            for q in 0..ps.len() {
                found[cnt] = (start + q) as u32;
                cnt += hit[q] as usize;
            }
            list.extend_from_slice(&found[..cnt]);
            start = end;
        }
    }
}

#[cfg(test)]
#[path = "neighbors_tests.rs"]
mod tests;
