//! The equilibrium lattice constant of a crystal at 0 K, so that a newcomer's first command
//! needs no `--a`: a starting value from the potential file's header (setfl and funcfl element
//! lines carry `Z mass a0 lattice`) or, without one, from a scan of the energy per atom over the
//! nearest-neighbour distance; then the zero of the static pressure `P(a) = tr(W)/(3V)` by
//! bracketing and bisection (the lattice's internal coordinates are fixed by symmetry, hcp keeps
//! the ideal c/a).

use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::lattice::{bulk, BulkSpec, Lattice};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::path::Path;
use std::sync::Arc;

/// Relative precision of the returned lattice constant.
pub const TOLERANCE: f64 = 1e-10;

/// EAM file formats, by file name as LAMMPS users name them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Funcfl,
    Alloy,
    FinnisSinclair,
}

/// The `a0` of [`header_lattice_constant`] when the header's lattice is `lattice` (a start for
/// [`equilibrium_lattice_constant`]); `None` otherwise.
pub fn header_start(path: &Path, element: &str, lattice: Lattice) -> Result<Option<f64>> {
    Ok(header_lattice_constant(path, element)?.filter(|(_, l)| l.parse::<Lattice>().is_ok_and(|h| h == lattice)).map(|(a, _)| a))
}

/// `(a0, lattice)` written on `element`'s line of an EAM file (`Z mass a0 lattice`): the one
/// element of a funcfl (`.eam`) file, or the named element of a setfl (`.eam.alloy`) or
/// Finnis–Sinclair (`.eam.fs`) file. `None` when the file has no such element, no usable value
/// (a0 ≤ 0), or is not an EAM file.
pub fn header_lattice_constant(path: &Path, element: &str) -> Result<Option<(f64, String)>> {
    let name = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let style = if name.ends_with(".fs") {
        Style::FinnisSinclair
    } else if name.ends_with(".alloy") || name.ends_with(".setfl") {
        Style::Alloy
    } else if name.ends_with(".eam") || name.ends_with(".funcfl") {
        Style::Funcfl
    } else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
    let lines: Vec<&str> = text.lines().collect();
    let parse_line = |l: &str| -> Option<(f64, String)> {
        let w: Vec<&str> = l.split_whitespace().collect();
        let a: f64 = w.get(2)?.parse().ok()?;
        (a.is_finite() && a > 0.0).then(|| (a, w.get(3).map_or(String::new(), |s| s.to_ascii_lowercase())))
    };
    match style {
        Style::Funcfl => Ok(lines.get(1).and_then(|l| parse_line(l))),
        Style::Alloy | Style::FinnisSinclair => {
            let (Some(names), Some(grid)) = (lines.get(3), lines.get(4)) else { return Ok(None) };
            let names: Vec<&str> = names.split_whitespace().skip(1).collect();
            let Some(k) = names.iter().position(|n| *n == element) else { return Ok(None) };
            let g: Vec<&str> = grid.split_whitespace().collect();
            let (Some(Ok(nrho)), Some(Ok(nr))) = (g.first().map(|s| s.parse::<usize>()), g.get(2).map(|s| s.parse::<usize>())) else {
                return Ok(None);
            };
            // numbers after each element line: F(ρ), then ρ(r) (one table, or one per element)
            let per_element = nrho + if style == Style::FinnisSinclair { names.len() * nr } else { nr };
            let mut line = 5;
            for _ in 0..k {
                line += 1;
                let mut seen = 0;
                while seen < per_element {
                    let Some(l) = lines.get(line) else { return Ok(None) };
                    seen += l.split_whitespace().count();
                    line += 1;
                }
            }
            Ok(lines.get(line).and_then(|l| parse_line(l)))
        }
    }
}

/// Nearest-neighbour distance of `lattice` with cubic (or basal) lattice constant `a`.
fn nn_over_a(lattice: Lattice) -> f64 {
    match lattice {
        Lattice::Fcc | Lattice::L12 => 1.0 / 2f64.sqrt(),
        Lattice::Bcc | Lattice::B2 => 3f64.sqrt() / 2.0,
        Lattice::SimpleCubic | Lattice::Hcp => 1.0,
        Lattice::Diamond => 3f64.sqrt() / 4.0,
    }
}

/// Energy per atom (eV) and static pressure (eV/Å³, compression positive) at lattice constant `a`.
fn energy_pressure(potential: &Arc<dyn Potential>, lattice: Lattice, species: &[String], a: f64) -> Result<(f64, f64)> {
    let n = ((2.0 * (potential.cutoff() + DEFAULT_SKIN)) / a).ceil().clamp(1.0, 8.0) as usize;
    let s: Structure =
        bulk(&BulkSpec { lattice, species: species.to_vec(), a, c: None, orientation: None, repeat: [n, n, n], orthogonal: true, masses: None })?;
    let mut ev = Evaluator::new(potential.clone(), DEFAULT_SKIN, 1)?;
    let out = ev.compute_all(&s)?;
    let v = s.cell.volume();
    Ok((out.energy / s.len() as f64, (out.virial[0] + out.virial[1] + out.virial[2]) / (3.0 * v)))
}

/// Lattice constant minimising the energy per atom on a grid of nearest-neighbour distances
/// from 1.5 Å to 95 % of the cutoff (0.02 Å steps): the estimate used when the potential gives
/// no starting value.
pub fn estimate_lattice_constant(potential: &Arc<dyn Potential>, lattice: Lattice, species: &[String]) -> Result<f64> {
    let f = nn_over_a(lattice);
    let mut best: Option<(f64, f64)> = None;
    let mut d = 1.5;
    while d < 0.95 * potential.cutoff() {
        if let Ok((e, _)) = energy_pressure(potential, lattice, species, d / f) {
            if e.is_finite() && best.is_none_or(|(_, be)| e < be) {
                best = Some((d / f, e));
            }
        }
        d += 0.02;
    }
    best.map(|(a, _)| a).ok_or_else(|| Error::invalid("lattice constant", "none", "no finite energy on the scan of nearest-neighbour distances; give --a"))
}

/// Equilibrium (zero-pressure) lattice constant at 0 K of `lattice` made of `species`, starting
/// from `start` (a header value) or from [`estimate_lattice_constant`].
pub fn equilibrium_lattice_constant(potential: &Arc<dyn Potential>, lattice: Lattice, species: &[String], start: Option<f64>) -> Result<f64> {
    potential.check_species(species)?;
    let a0 = match start {
        Some(a) if a.is_finite() && a > 0.0 => a,
        _ => estimate_lattice_constant(potential, lattice, species)?,
    };
    let p = |a: f64| energy_pressure(potential, lattice, species, a).map(|(_, p)| p);
    // bracket the zero: P > 0 (compressed) at lo, P < 0 (stretched) at hi
    let (mut lo, mut hi) = (a0, a0);
    let p0 = p(a0)?;
    let (mut plo, mut phi) = (p0, p0);
    for _ in 0..60 {
        if plo > 0.0 && phi < 0.0 {
            break;
        }
        if plo <= 0.0 {
            lo *= 0.99;
            plo = p(lo)?;
        }
        if phi >= 0.0 {
            hi *= 1.01;
            phi = p(hi)?;
        }
    }
    if !(plo > 0.0 && phi < 0.0) {
        return Err(Error::invalid("lattice constant", a0, "no zero of the pressure within ±45 % of the start; give --a"));
    }
    // Illinois (regula falsi) to the relative tolerance
    let mut side = 0;
    for _ in 0..200 {
        let a = (lo * phi - hi * plo) / (phi - plo);
        let pa = p(a)?;
        if pa > 0.0 {
            lo = a;
            plo = pa;
            if side == 1 {
                phi *= 0.5;
            }
            side = 1;
        } else {
            hi = a;
            phi = pa;
            if side == -1 {
                plo *= 0.5;
            }
            side = -1;
        }
        if (hi - lo) < TOLERANCE * a || pa == 0.0 {
            return Ok(a);
        }
    }
    Ok(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_md::potentials::lj_cut::Mixing;
    use scalebridge_md::potentials::LennardJones;

    #[test]
    fn lj_fcc_lattice_constant_from_a_scan_matches_the_lattice_sum() {
        // LJ fcc with a long cutoff: a = 2^{1/6} σ √2 · (A12/A6)^{1/6} with lattice sums
        // A12 = 12.13188, A6 = 14.45392 → a ≈ 1.5422 σ (Kittel); a 3σ cutoff (shifted-free)
        // moves it by well under 1 %.
        let sigma = 3.405;
        let lj: Arc<dyn Potential> =
            Arc::new(LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![sigma], 3.0 * sigma, false, Mixing::LorentzBerthelot, vec![]).expect("lj"));
        let sp = vec!["Ar".to_string()];
        let a = equilibrium_lattice_constant(&lj, Lattice::Fcc, &sp, None).expect("a");
        assert!((a / sigma - 1.5422).abs() < 0.01, "{}", a / sigma);
        // the same zero from a start on either side
        for start in [0.97 * a, 1.04 * a] {
            let b = equilibrium_lattice_constant(&lj, Lattice::Fcc, &sp, Some(start)).expect("b");
            assert!((b - a).abs() < 1e-8 * a, "{a} {b}");
        }
        let (_, p) = energy_pressure(&lj, Lattice::Fcc, &sp, a).expect("p");
        assert!(p.abs() < 1e-9, "{p}");
    }

    #[test]
    fn headers_of_setfl_and_funcfl_files() {
        let dir = std::env::temp_dir().join(format!("sb-header-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let funcfl = dir.join("X.eam");
        std::fs::write(&funcfl, "comment\n 79 196.97 4.0800 FCC\n 2 0.1 2 0.1 1.0\n").expect("write");
        assert_eq!(header_lattice_constant(&funcfl, "Au").expect("read"), Some((4.08, "fcc".into())));
        // two elements, nrho = 2, nr = 3: element line, 2 + 3 numbers, element line, ...
        let setfl = dir.join("AB.eam.alloy");
        std::fs::write(
            &setfl,
            "c1\nc2\nc3\n2 Cu Ni\n2 0.1 3 0.1 1.0\n29 63.5 3.615 fcc\n1 2\n3 4 5\n28 58.7 3.52 fcc\n1 2 3 4 5\n0 0 0 0 0 0 0 0 0\n",
        )
        .expect("write");
        assert_eq!(header_lattice_constant(&setfl, "Cu").expect("read"), Some((3.615, "fcc".into())));
        assert_eq!(header_lattice_constant(&setfl, "Ni").expect("read"), Some((3.52, "fcc".into())));
        assert_eq!(header_lattice_constant(&setfl, "Al").expect("read"), None);
        std::fs::remove_dir_all(&dir).ok();
    }
}
