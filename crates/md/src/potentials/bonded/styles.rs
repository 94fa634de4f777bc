//! The bonded styles, their coefficients (LAMMPS `*_coeff` lines or the data file's `* Coeffs`
//! sections) and their energy as a function of one coordinate.
//!
//! - `bond_style harmonic`: `K r0`, E = K (r − r0)²;
//! - `bond_style fene`: `K R0 ε σ`, E = −½ K R0² ln(1 − (r/R0)²) + 4ε[(σ/r)¹² − (σ/r)⁶] + ε for
//!   r < 2^(1/6) σ (the WCA term, as in LAMMPS); as in LAMMPS, 1 − (r/R0)² is raised to 0.1 when
//!   it falls below (LAMMPS warns), and a bond at or beyond R0 is an error;
//! - `angle_style harmonic`: `K θ0` (degrees), E = K (θ − θ0)²;
//! - `angle_style cosine/squared`: `K θ0` (degrees), E = K (cos θ − cos θ0)²;
//! - `dihedral_style opls`: `K1 K2 K3 K4`, E = ½K1(1 + cos φ) + ½K2(1 − cos 2φ) + ½K3(1 + cos 3φ)
//!   + ½K4(1 − cos 4φ);
//! - `dihedral_style multi/harmonic`: `A1 … A5`, E = Σₙ Aₙ cosⁿ⁻¹ φ;
//! - `dihedral_style harmonic`: `K d n` (d = ±1, n ≥ 0 integer), E = K [1 + d cos(nφ)];
//! - `zero` for every kind: no energy or forces (LAMMPS's placeholder style);
//! - `improper_style harmonic`: `K χ0` (degrees), E = K (χ − χ0)², χ ∈ [0, π] the angle between
//!   the planes (i, j, k) and (j, k, l).

use crate::error::{Error, Result};
use crate::topology::{Topology, TERM_KINDS};

/// One style of one kind of term with per-type coefficients (`coeffs[type]`, 0-based).
#[derive(Clone, Debug, PartialEq)]
pub struct StyleCoeffs {
    pub style: String,
    pub coeffs: Vec<Vec<f64>>,
}

/// Styles this crate computes, per kind (bond, angle, dihedral, improper), with their numbers
/// of coefficients.
pub const SUPPORTED: [&[(&str, usize)]; 4] = [
    &[("harmonic", 2), ("fene", 4), ("zero", 0)],
    &[("harmonic", 2), ("cosine/squared", 2), ("zero", 0)],
    &[("opls", 4), ("multi/harmonic", 5), ("harmonic", 3), ("zero", 0)],
    &[("harmonic", 2), ("zero", 0)],
];

fn invalid(what: &str, value: impl std::fmt::Display, reason: &str) -> Error {
    Error::invalid(what, value, reason)
}

/// Parse a LAMMPS type range (`3`, `*`, `2*`, `*4`, `1*3`) over `1..=n` into 0-based indices.
pub fn type_range(w: &str, n: usize, what: &str) -> Result<std::ops::Range<usize>> {
    let bad = || invalid(&format!("{what} type"), w, &format!("expected a type in 1..{n} or a range like * or 1*3"));
    let (lo, hi) = match w.split_once('*') {
        None => {
            let t: usize = w.parse().map_err(|_| bad())?;
            (t, t)
        }
        Some((a, b)) => (
            if a.is_empty() { 1 } else { a.parse().map_err(|_| bad())? },
            if b.is_empty() { n } else { b.parse().map_err(|_| bad())? },
        ),
    };
    if lo < 1 || hi > n || lo > hi {
        return Err(bad());
    }
    Ok(lo - 1..hi)
}

impl StyleCoeffs {
    /// An empty table for `kind` (0 bond … 3 improper) and `style` with `ntypes` types.
    pub fn new(kind: usize, style: &str, ntypes: usize) -> Result<Self> {
        let style = style.trim_end_matches("/omp").trim_end_matches("/opt").trim_end_matches("/kk");
        if !SUPPORTED[kind].iter().any(|(s, _)| *s == style) {
            let known: Vec<&str> = SUPPORTED[kind].iter().map(|(s, _)| *s).collect();
            return Err(invalid(&format!("{}_style", TERM_KINDS[kind]), style, &format!("not supported (known: {})", known.join(", "))));
        }
        Ok(StyleCoeffs { style: style.to_string(), coeffs: vec![Vec::new(); ntypes] })
    }

    /// Set coefficients from words (after the type) for the types in `types` (validated).
    pub fn set(&mut self, kind: usize, types: std::ops::Range<usize>, words: &[String]) -> Result<()> {
        let what = format!("{}_coeff {}", TERM_KINDS[kind], self.style);
        let want = SUPPORTED[kind].iter().find(|(s, _)| *s == self.style).map(|x| x.1).unwrap_or(0);
        if self.style == "zero" && words.len() <= 1 {
            // LAMMPS's zero styles take an optional equilibrium value, which changes nothing
            for t in types {
                self.coeffs[t] = vec![0.0];
            }
            return Ok(());
        }
        if words.len() != want {
            return Err(invalid(&what, words.join(" "), &format!("expected {want} coefficients, found {}", words.len())));
        }
        let v = words
            .iter()
            .map(|w| w.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| invalid(&what, w, "is not a finite number")))
            .collect::<Result<Vec<f64>>>()?;
        self.check(kind, &v, &what)?;
        for t in types {
            self.coeffs[t] = v.clone();
        }
        Ok(())
    }

    fn check(&self, kind: usize, v: &[f64], what: &str) -> Result<()> {
        let s = (kind, self.style.as_str());
        match s {
            (0, "harmonic") if v[1] < 0.0 => Err(invalid(what, v[1], "r0 must be ≥ 0")),
            (0, "fene") if v[1] <= 0.0 || v[3] < 0.0 => Err(invalid(what, format!("R0 {} σ {}", v[1], v[3]), "R0 must be > 0 and σ ≥ 0")),
            (2, "harmonic") => {
                if v[1] != 1.0 && v[1] != -1.0 {
                    return Err(invalid(what, v[1], "d must be +1 or -1"));
                }
                if v[2] < 0.0 || v[2].fract() != 0.0 {
                    return Err(invalid(what, v[2], "n must be an integer ≥ 0"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Every type that `topo` uses has coefficients (an error naming the first that has none).
    pub fn check_complete(&self, kind: usize, ntypes: usize) -> Result<()> {
        if self.style == "zero" {
            return Ok(());
        }
        if let Some(t) = self.coeffs.iter().take(ntypes).position(|c| c.is_empty()) {
            return Err(invalid(
                &format!("{} type", TERM_KINDS[kind]),
                t + 1,
                &format!("has no coefficients ({}_coeff line or {} Coeffs section) for {}_style {}", TERM_KINDS[kind], capital(TERM_KINDS[kind]), TERM_KINDS[kind], self.style),
            ));
        }
        Ok(())
    }

    /// Take the coefficients of a data file's `<Kind> Coeffs` section (when it has one whose
    /// style comment, if any, is this style).
    pub fn from_topology(&mut self, kind: usize, topo: &Topology) -> Result<()> {
        let name = format!("{} Coeffs", capital(TERM_KINDS[kind]));
        if let Some(sec) = topo.coeff_section(&name) {
            if let Some(st) = &sec.style {
                if st != &self.style {
                    return Err(invalid(&name, st, &format!("the data file's coefficients are for style {st}, the input asks for {}", self.style)));
                }
            }
            for (t, w) in &sec.rows {
                self.set(kind, t - 1..*t, w)?;
            }
        }
        Ok(())
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

const SMALL: f64 = 0.001;

/// Bond energy and `fbond` (force on the first atom is `fbond · (x_i − x_j)`), LAMMPS formulas.
pub fn bond(style: &str, c: &[f64], rsq: f64) -> Result<(f64, f64)> {
    match style {
        "harmonic" => {
            let r = rsq.sqrt();
            let dr = r - c[1];
            let rk = c[0] * dr;
            let fbond = if r > 0.0 { -2.0 * rk / r } else { 0.0 };
            Ok((rk * dr, fbond))
        }
        _ => {
            // fene: K R0 eps sigma
            let (k, r0, eps, sig) = (c[0], c[1], c[2], c[3]);
            let r0sq = r0 * r0;
            let mut rlogarg = 1.0 - rsq / r0sq;
            if rlogarg <= 0.0 {
                return Err(invalid("fene bond length", rsq.sqrt(), &format!("is at or beyond R0 = {r0} (bad FENE bond)")));
            }
            if rlogarg < 0.1 {
                rlogarg = 0.1;
            }
            let mut fbond = -k / rlogarg;
            let mut e = -0.5 * k * r0sq * rlogarg.ln();
            let cut = 2f64.cbrt() * sig * sig;
            if rsq < cut {
                let sr2 = sig * sig / rsq;
                let sr6 = sr2 * sr2 * sr2;
                fbond += 48.0 * eps * sr6 * (sr6 - 0.5) / rsq;
                e += 4.0 * eps * sr6 * (sr6 - 1.0) + eps;
            }
            Ok((e, fbond))
        }
    }
}

/// Angle energy and dE/d(cos θ).
pub fn angle(style: &str, c: &[f64], cos: f64) -> (f64, f64) {
    let theta0 = c[1].to_radians();
    match style {
        "harmonic" => {
            let s = (1.0 - cos * cos).sqrt().max(SMALL);
            let d = cos.acos() - theta0;
            (c[0] * d * d, -2.0 * c[0] * d / s)
        }
        _ => {
            let d = cos - theta0.cos();
            (c[0] * d * d, 2.0 * c[0] * d)
        }
    }
}

/// Dihedral energy and dE/dφ from cos φ and sin φ, for the styles that are cosine series of
/// φ (`opls`, `multi/harmonic`, `harmonic` with an integer multiplicity): the multiple-angle
/// terms by their Chebyshev forms, the same values as [`dihedral`] to round-off without a
/// trigonometric call. `None` for the other styles.
pub fn dihedral_cos_sin(style: &str, c: &[f64], cos: f64, sin: f64) -> Option<(f64, f64)> {
    match style {
        "opls" => {
            let c2 = cos * cos;
            let cos2 = 2.0 * c2 - 1.0;
            let cos3 = (4.0 * c2 - 3.0) * cos;
            let cos4 = 8.0 * c2 * (c2 - 1.0) + 1.0;
            let sin2 = 2.0 * sin * cos;
            let sin3 = sin * (4.0 * c2 - 1.0);
            let sin4 = 2.0 * sin2 * cos2;
            let e = 0.5 * (c[0] * (1.0 + cos) + c[1] * (1.0 - cos2) + c[2] * (1.0 + cos3) + c[3] * (1.0 - cos4));
            let de = 0.5 * (-c[0] * sin + 2.0 * c[1] * sin2 - 3.0 * c[2] * sin3 + 4.0 * c[3] * sin4);
            Some((e, de))
        }
        "multi/harmonic" => {
            let (mut e, mut dedx, mut p) = (0.0, 0.0, 1.0);
            for (n, a) in c.iter().enumerate() {
                e += a * p;
                if n + 1 < c.len() {
                    dedx += (n + 1) as f64 * c[n + 1] * p;
                }
                p *= cos;
            }
            Some((e, -dedx * sin))
        }
        "harmonic" if c[2] >= 0.0 && c[2].fract() == 0.0 && c[2] <= 16.0 => {
            let (k, d, n) = (c[0], c[1], c[2]);
            // cos nφ, sin nφ by n rotations of (1, 0) through φ
            let (mut cn, mut sn) = (1.0, 0.0);
            for _ in 0..n as usize {
                (cn, sn) = (cn * cos - sn * sin, sn * cos + cn * sin);
            }
            Some((k * (1.0 + d * cn), -k * d * n * sn))
        }
        _ => None,
    }
}

/// Dihedral (and improper) energy and dE/dφ for the signed dihedral angle φ: the cosine-series
/// styles through [`dihedral_cos_sin`], the improper and a non-integer harmonic multiplicity by φ.
pub fn dihedral(kind: usize, style: &str, c: &[f64], phi: f64) -> (f64, f64) {
    if kind == 3 {
        // improper harmonic: χ = |φ|
        let chi = phi.abs();
        let d = chi - c[1].to_radians();
        return (c[0] * d * d, 2.0 * c[0] * d * phi.signum());
    }
    if let Some(v) = dihedral_cos_sin(style, c, phi.cos(), phi.sin()) {
        return v;
    }
    let (k, d, n) = (c[0], c[1], c[2]);
    (k * (1.0 + d * (n * phi).cos()), -k * d * n * (n * phi).sin())
}
