//! `pair_style tersoff` (Tersoff, Phys. Rev. B 37, 6991 (1988); 39, 5566 (1989)) with LAMMPS's
//! functional form, file format and conventions (`pair_style tersoff [shift δ]`,
//! `pair_coeff * * SiC.tersoff Si C`).
//!
//! E = ½ Σ_i Σ_{j≠i} f_C(r_ij) [f_R(r_ij) + b_ij f_A(r_ij)], with f_R = A e^{−λ₁r},
//! f_A = −B e^{−λ₂r}, f_C the sine cutoff between R−D and R+D,
//! b_ij = (1 + β^n ζ_ij^n)^{−1/2n}, ζ_ij = Σ_{k≠i,j} f_C(r_ik) g(θ_ijk) e^{[λ₃(r_ij−r_ik)]^m},
//! g(θ) = γ_ijk (1 + c²/d² − c²/(d² + (h − cos θ)²)).
//! Two-body parameters (n, β, λ₂, B, λ₁, A, and R, D of r_ij) come from the entry `i j j`, the
//! three-body ones (m, γ, λ₃, c, d, h, and R, D of r_ik) from `i j k`. As in LAMMPS, b_ij uses the
//! asymptotic forms for very large and very small βζ. With `shift δ` every distance r is replaced
//! by r + δ in all functions (the directions stay those of the real bonds).
//!
//! The kernel runs over a full neighbour list, one centre at a time: each bond i–j gets its ζ_ij
//! (the per-k terms cached), then its energy and forces on i, j and every k. Per-atom energies
//! and virials follow LAMMPS's tallies (see [`super::manybody`]).

mod kernel;

use super::manybody::{check_elements, file_elements, read_triplets, TripletEntry};
use super::{Configuration, Needs, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// Parameters per entry after the three element names.
pub const NVALUES: usize = 14;

/// One Tersoff entry as written in the file (LAMMPS order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TersoffEntry {
    pub m: f64,
    pub gamma: f64,
    pub lambda3: f64,
    pub c: f64,
    pub d: f64,
    /// cos θ₀ (LAMMPS `costheta0`, Tersoff's h).
    pub h: f64,
    pub n: f64,
    pub beta: f64,
    pub lambda2: f64,
    pub b: f64,
    pub r: f64,
    pub d_cut: f64,
    pub lambda1: f64,
    pub a: f64,
}

impl TersoffEntry {
    fn from_values(v: &[f64]) -> Self {
        TersoffEntry {
            m: v[0],
            gamma: v[1],
            lambda3: v[2],
            c: v[3],
            d: v[4],
            h: v[5],
            n: v[6],
            beta: v[7],
            lambda2: v[8],
            b: v[9],
            r: v[10],
            d_cut: v[11],
            lambda1: v[12],
            a: v[13],
        }
    }

    /// LAMMPS's checks of an entry.
    fn check(&self, e: &TripletEntry, path: &str) -> Result<()> {
        let bad = |what: &str| Error::Parse {
            path: path.to_string(),
            line: e.line,
            msg: format!("illegal Tersoff parameter in {} {} {}: {what}", e.elements[0], e.elements[1], e.elements[2]),
        };
        let nonneg = [("c", self.c), ("d", self.d), ("n", self.n), ("beta", self.beta), ("lambda2", self.lambda2), ("B", self.b), ("R", self.r), ("D", self.d_cut), ("lambda1", self.lambda1), ("A", self.a), ("gamma", self.gamma)];
        for (name, v) in nonneg {
            if v < 0.0 {
                return Err(bad(&format!("{name} = {v} must not be negative")));
            }
        }
        if self.d_cut > self.r {
            return Err(bad(&format!("D = {} must not exceed R = {}", self.d_cut, self.r)));
        }
        if self.m != 1.0 && self.m != 3.0 {
            return Err(bad(&format!("m = {} must be 1 or 3", self.m)));
        }
        if self.d == 0.0 && self.gamma != 0.0 && self.c != 0.0 {
            return Err(bad("d = 0 with c ≠ 0 makes g(θ) infinite"));
        }
        Ok(())
    }
}

/// An entry with its derived constants, as the kernel reads it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Param {
    pub cube: bool,
    pub gamma: f64,
    pub lam3: f64,
    pub c2: f64,
    pub d2: f64,
    pub h: f64,
    pub n: f64,
    pub beta: f64,
    pub lam2: f64,
    pub bigb: f64,
    pub bigr: f64,
    pub bigd: f64,
    pub lam1: f64,
    pub biga: f64,
    pub cutsq: f64,
    /// Thresholds of βζ between the forms of b_ij (LAMMPS c1..c4).
    pub t1: f64,
    pub t2: f64,
    pub t3: f64,
    pub t4: f64,
}

impl Param {
    fn new(e: &TersoffEntry) -> Self {
        let cut = e.r + e.d_cut;
        let (t1, t2) = if e.n > 0.0 { ((2.0 * e.n * 1.0e-16).powf(-1.0 / e.n), (2.0 * e.n * 1.0e-8).powf(-1.0 / e.n)) } else { (0.0, 0.0) };
        let (t3, t4) = if e.n > 0.0 { (1.0 / t2, 1.0 / t1) } else { (0.0, 0.0) };
        Param {
            cube: e.m == 3.0,
            gamma: e.gamma,
            lam3: e.lambda3,
            c2: e.c * e.c,
            d2: e.d * e.d,
            h: e.h,
            n: e.n,
            beta: e.beta,
            lam2: e.lambda2,
            bigb: e.b,
            bigr: e.r,
            bigd: e.d_cut,
            lam1: e.lambda1,
            biga: e.a,
            cutsq: cut * cut,
            t1,
            t2,
            t3,
            t4,
        }
    }
}

/// `pair_style tersoff`: the entries for every ordered triplet of its elements.
#[derive(Clone, Debug, Serialize)]
pub struct Tersoff {
    elements: Vec<String>,
    /// Entry of the triplet (i, j, k) at `(i * n + j) * n + k`.
    entries: Vec<TersoffEntry>,
    /// Distance shift δ, Å (LAMMPS `pair_style tersoff shift δ`; 0 without).
    shift: f64,
    #[serde(skip)]
    params: Vec<Param>,
    #[serde(skip)]
    cutmax: f64,
}

impl Tersoff {
    /// Read `path` for `elements` (the file's elements in order of first appearance when
    /// `None`), with the distance `shift` (Å, 0 for none).
    pub fn from_file(path: &Path, elements: Option<&[String]>, shift: f64) -> Result<Self> {
        let elements = match elements {
            Some(e) => e.to_vec(),
            None => file_elements(path, NVALUES, "tersoff")?,
        };
        check_elements(&elements, "tersoff")?;
        let triplets = read_triplets(path, &elements, NVALUES, "tersoff")?;
        let name = path.display().to_string();
        let mut entries = Vec::with_capacity(triplets.len());
        for t in &triplets {
            let e = TersoffEntry::from_values(&t.values);
            e.check(t, &name)?;
            entries.push(e);
        }
        Self::new(elements, entries, shift)
    }

    /// From entries given directly (`entries[(i * n + j) * n + k]` for the triplet i j k).
    pub fn new(elements: Vec<String>, entries: Vec<TersoffEntry>, shift: f64) -> Result<Self> {
        let n = elements.len();
        if entries.len() != n * n * n {
            return Err(Error::Shape(format!("{} Tersoff entries for {n} elements (need {})", entries.len(), n * n * n)));
        }
        if !shift.is_finite() {
            return Err(Error::invalid("tersoff shift", shift, "must be finite (Å)"));
        }
        let params: Vec<Param> = entries.iter().map(Param::new).collect();
        let cutmax = entries.iter().map(|e| e.r + e.d_cut).fold(0.0, f64::max);
        if !(cutmax > 0.0) {
            return Err(Error::invalid("tersoff cutoff", cutmax, "every R + D is zero"));
        }
        Ok(Tersoff { elements, entries, shift, params, cutmax })
    }

    /// The entry of the triplet `i j k` (element names).
    pub fn entry(&self, i: &str, j: &str, k: &str) -> Option<&TersoffEntry> {
        let n = self.elements.len();
        let ix = |s: &str| self.elements.iter().position(|e| e == s);
        Some(&self.entries[(ix(i)? * n + ix(j)?) * n + ix(k)?])
    }

    /// The distance shift δ, Å.
    pub fn shift(&self) -> f64 {
        self.shift
    }
}

impl Potential for Tersoff {
    fn pair_style(&self) -> &str {
        "tersoff"
    }
    /// Largest R + D (plus |δ| for a negative shift, which reaches further).
    fn cutoff(&self) -> f64 {
        self.cutmax + (-self.shift).max(0.0)
    }
    fn needs(&self) -> Needs {
        Needs::full(self.cutoff())
    }
    fn species(&self) -> Vec<String> {
        self.elements.clone()
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        kernel::compute(self, config, req, scratch, out)
    }
}

