//! Crystal builders: sc, bcc, fcc, hcp, diamond (and zincblende), B2 and L1₂, with lattice
//! constant, crystallographic orientation (cubic lattices, as LAMMPS `lattice ... orient`) and
//! supercell repeats; and random solid solutions. The ionic and covalent prototypes (perovskite,
//! spinel, olivine, ...) and the serialisable `StructureSpec` covering both are in
//! [`crate::crystals`].

use crate::cell::{Cell, Vec3};
use crate::elements::atomic_mass;
use crate::error::{Error, Result};
use crate::structure::Structure;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;

/// Supported lattices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lattice {
    SimpleCubic,
    Bcc,
    Fcc,
    Hcp,
    Diamond,
    B2,
    L12,
}

impl std::str::FromStr for Lattice {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "sc" | "simplecubic" => Lattice::SimpleCubic,
            "bcc" => Lattice::Bcc,
            "fcc" => Lattice::Fcc,
            "hcp" => Lattice::Hcp,
            "diamond" | "zincblende" => Lattice::Diamond,
            "b2" | "cscl" => Lattice::B2,
            "l12" | "cu3au" => Lattice::L12,
            _ => return Err(Error::invalid("lattice", s, "expected one of sc, bcc, fcc, hcp, diamond, b2, l12")),
        })
    }
}

impl Lattice {
    /// Number of distinct species the lattice takes (minimum, maximum).
    fn species_count(self) -> (usize, usize) {
        match self {
            Lattice::B2 | Lattice::L12 => (2, 2),
            Lattice::Diamond => (1, 2),
            _ => (1, 1),
        }
    }
}

/// Options of [`bulk`].
#[derive(Clone, Debug)]
pub struct BulkSpec {
    pub lattice: Lattice,
    /// Species: one, or two for B2 (A at corner, B at centre), L1₂ (A₃B: A on faces, B at corners)
    /// and zincblende.
    pub species: Vec<String>,
    /// Lattice constant a, Å.
    pub a: f64,
    /// c for hcp, Å (default ideal √(8/3)·a).
    pub c: Option<f64>,
    /// Crystal directions along x, y, z (cubic lattices only), e.g. [[1,-1,0],[1,1,-2],[1,1,1]].
    pub orientation: Option<[[i32; 3]; 3]>,
    /// Supercell repeats along the three cell vectors.
    pub repeat: [usize; 3],
    /// hcp only: use the orthorhombic 4-atom cell instead of the primitive hexagonal one.
    pub orthogonal: bool,
    /// Masses per species (amu); default standard atomic masses.
    pub masses: Option<Vec<f64>>,
}

/// Build a crystal.
pub fn bulk(spec: &BulkSpec) -> Result<Structure> {
    let a = spec.a;
    if !(a.is_finite() && a > 0.0) {
        return Err(Error::invalid("lattice constant", a, "must be positive (Å)"));
    }
    let (smin, smax) = spec.lattice.species_count();
    if spec.species.len() < smin || spec.species.len() > smax {
        return Err(Error::invalid(
            "species",
            spec.species.join(","),
            &format!("{:?} takes {smin}..={smax} species", spec.lattice),
        ));
    }
    if spec.repeat.iter().any(|&r| r == 0) {
        return Err(Error::invalid("repeat", format!("{:?}", spec.repeat), "repeats must be >= 1"));
    }
    let sp = |k: usize| spec.species.get(k).unwrap_or(&spec.species[0]).clone();
    // conventional cell (rows) and fractional basis with species index
    let (cell, basis): ([[f64; 3]; 3], Vec<(Vec3, usize)>) = match spec.lattice {
        Lattice::SimpleCubic => (cubic(a), vec![([0.0, 0.0, 0.0], 0)]),
        Lattice::Bcc => (cubic(a), vec![([0.0, 0.0, 0.0], 0), ([0.5, 0.5, 0.5], 0)]),
        Lattice::B2 => (cubic(a), vec![([0.0, 0.0, 0.0], 0), ([0.5, 0.5, 0.5], 1)]),
        Lattice::Fcc => (cubic(a), fcc_basis(0, 0)),
        Lattice::L12 => (cubic(a), vec![([0.0, 0.0, 0.0], 1), ([0.5, 0.5, 0.0], 0), ([0.5, 0.0, 0.5], 0), ([0.0, 0.5, 0.5], 0)]),
        Lattice::Diamond => {
            let second = if spec.species.len() == 2 { 1 } else { 0 };
            let mut b = fcc_basis(0, 0);
            b.extend(fcc_basis(second, 0).into_iter().map(|(p, s)| ([p[0] + 0.25, p[1] + 0.25, p[2] + 0.25], s)));
            (cubic(a), b)
        }
        Lattice::Hcp => {
            let c = spec.c.unwrap_or((8.0f64 / 3.0).sqrt() * a);
            if !(c.is_finite() && c > 0.0) {
                return Err(Error::invalid("c", c, "must be positive (Å)"));
            }
            if spec.orthogonal {
                (
                    [[a, 0.0, 0.0], [0.0, 3f64.sqrt() * a, 0.0], [0.0, 0.0, c]],
                    vec![
                        ([0.0, 0.0, 0.0], 0),
                        ([0.5, 0.5, 0.0], 0),
                        ([0.5, 1.0 / 6.0, 0.5], 0),
                        ([0.0, 2.0 / 3.0, 0.5], 0),
                    ],
                )
            } else {
                (
                    [[a, 0.0, 0.0], [-0.5 * a, 0.5 * 3f64.sqrt() * a, 0.0], [0.0, 0.0, c]],
                    vec![([0.0, 0.0, 0.0], 0), ([1.0 / 3.0, 2.0 / 3.0, 0.5], 0)],
                )
            }
        }
    };
    let (cell, mut frac_basis) = match spec.orientation {
        None => (cell, basis),
        Some(o) => {
            if spec.lattice == Lattice::Hcp {
                return Err(Error::invalid("orientation", format!("{o:?}"), "only cubic lattices can be oriented"));
            }
            oriented(a, &basis, o)?
        }
    };
    // supercell
    let [nx, ny, nz] = spec.repeat;
    let mut positions = Vec::new();
    let mut symbols = Vec::new();
    frac_basis.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    let scell = [
        [cell[0][0] * nx as f64, cell[0][1] * nx as f64, cell[0][2] * nx as f64],
        [cell[1][0] * ny as f64, cell[1][1] * ny as f64, cell[1][2] * ny as f64],
        [cell[2][0] * nz as f64, cell[2][1] * nz as f64, cell[2][2] * nz as f64],
    ];
    let super_cell = Cell::new(scell)?;
    for i in 0..nx {
        for j in 0..ny {
            for k in 0..nz {
                for (f, s) in &frac_basis {
                    let fr = [(f[0] + i as f64) / nx as f64, (f[1] + j as f64) / ny as f64, (f[2] + k as f64) / nz as f64];
                    positions.push(super_cell.cartesian(&fr));
                    symbols.push(sp(*s));
                }
            }
        }
    }
    let masses = match &spec.masses {
        None => None,
        Some(m) => {
            if m.len() != spec.species.len() {
                return Err(Error::Shape(format!("{} masses for {} species", m.len(), spec.species.len())));
            }
            Some(symbols.iter().map(|s| m[spec.species.iter().position(|x| x == s).unwrap_or(0)]).collect())
        }
    };
    Structure::from_symbols(super_cell, positions, &symbols, masses)
}

fn cubic(a: f64) -> [[f64; 3]; 3] {
    [[a, 0.0, 0.0], [0.0, a, 0.0], [0.0, 0.0, a]]
}

fn fcc_basis(s: usize, _t: usize) -> Vec<(Vec3, usize)> {
    vec![([0.0, 0.0, 0.0], s), ([0.5, 0.5, 0.0], s), ([0.5, 0.0, 0.5], s), ([0.0, 0.5, 0.5], s)]
}

/// Rotate a cubic conventional cell so that crystal directions `o` lie along x, y, z; return the
/// orthorhombic cell and fractional basis of the smallest periodic box |o_k|·a.
fn oriented(a: f64, basis: &[(Vec3, usize)], o: [[i32; 3]; 3]) -> Result<([[f64; 3]; 3], Vec<(Vec3, usize)>)> {
    let of: Vec<Vec3> = o.iter().map(|r| [r[0] as f64, r[1] as f64, r[2] as f64]).collect();
    let dotf = |x: &Vec3, y: &Vec3| x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        if dotf(&of[i], &of[j]).abs() > 1e-12 {
            return Err(Error::invalid("orientation", format!("{o:?}"), "directions must be mutually orthogonal"));
        }
    }
    let det = dotf(&of[0], &crate::cell::cross(&of[1], &of[2]));
    if det <= 0.0 {
        return Err(Error::invalid("orientation", format!("{o:?}"), "directions must be non-zero and right-handed"));
    }
    let len: Vec<f64> = of.iter().map(|v| dotf(v, v).sqrt()).collect();
    let unit: Vec<Vec3> = (0..3).map(|k| [of[k][0] / len[k], of[k][1] / len[k], of[k][2] / len[k]]).collect();
    let box_len = [len[0] * a, len[1] * a, len[2] * a];
    // bounding range of conventional cells
    let reach = (len[0] + len[1] + len[2]).ceil() as i32 + 1;
    let mut out = Vec::new();
    let tol = 1e-8;
    for i in -reach..=reach {
        for j in -reach..=reach {
            for k in -reach..=reach {
                for (b, s) in basis {
                    let p = [(i as f64 + b[0]) * a, (j as f64 + b[1]) * a, (k as f64 + b[2]) * a];
                    let f = [dotf(&unit[0], &p) / box_len[0], dotf(&unit[1], &p) / box_len[1], dotf(&unit[2], &p) / box_len[2]];
                    if f.iter().all(|&x| x >= -tol && x < 1.0 - tol) {
                        out.push(([f[0].max(0.0), f[1].max(0.0), f[2].max(0.0)], *s));
                    }
                }
            }
        }
    }
    let expected = basis.len() as f64 * det;
    if (out.len() as f64 - expected).abs() > 0.5 {
        return Err(Error::invalid(
            "orientation",
            format!("{o:?}"),
            &format!("box is not periodic for this lattice ({} atoms found, {expected} expected)", out.len()),
        ));
    }
    Ok(([[box_len[0], 0.0, 0.0], [0.0, box_len[1], 0.0], [0.0, 0.0, box_len[2]]], out))
}

/// Replace the species of all atoms by a random solid solution with the given composition
/// (species, fraction; fractions are normalised) using `seed`. Atom counts are rounded by the
/// largest-remainder method so they sum to N; masses become the standard atomic masses unless
/// `masses` gives them per species.
pub fn random_solid_solution(
    structure: &Structure,
    composition: &[(String, f64)],
    seed: u64,
    masses: Option<&[f64]>,
) -> Result<Structure> {
    if composition.is_empty() {
        return Err(Error::invalid("composition", "{}", "give at least one species"));
    }
    let total: f64 = composition.iter().map(|c| c.1).sum();
    for (s, f) in composition {
        if !(f.is_finite() && *f >= 0.0) {
            return Err(Error::invalid("composition fraction", format!("{s}: {f}"), "must be non-negative"));
        }
    }
    if !(total > 0.0) {
        return Err(Error::invalid("composition", "all zero", "fractions must sum to a positive number"));
    }
    let n = structure.len();
    let exact: Vec<f64> = composition.iter().map(|c| c.1 / total * n as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut rem: Vec<(usize, f64)> = exact.iter().enumerate().map(|(i, x)| (i, x - x.floor())).collect();
    rem.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal).then(a.0.cmp(&b.0)));
    let missing = n - counts.iter().sum::<usize>();
    for r in rem.iter().take(missing) {
        counts[r.0] += 1;
    }
    let mut symbols: Vec<String> = Vec::with_capacity(n);
    for (c, (s, _)) in counts.iter().zip(composition) {
        symbols.extend(std::iter::repeat_n(s.clone(), *c));
    }
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    symbols.shuffle(&mut rng);
    let m = match masses {
        Some(m) => {
            if m.len() != composition.len() {
                return Err(Error::Shape(format!("{} masses for {} species", m.len(), composition.len())));
            }
            Some(symbols.iter().map(|s| m[composition.iter().position(|c| &c.0 == s).unwrap_or(0)]).collect())
        }
        None => {
            for (s, _) in composition {
                if atomic_mass(s).is_none() {
                    return Err(Error::invalid("species", s, "not an element symbol; give masses"));
                }
            }
            None
        }
    };
    Structure::from_symbols(structure.cell.clone(), structure.positions.clone(), &symbols, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(l: Lattice, sp: &[&str], a: f64) -> BulkSpec {
        BulkSpec {
            lattice: l,
            species: sp.iter().map(|s| s.to_string()).collect(),
            a,
            c: None,
            orientation: None,
            repeat: [1, 1, 1],
            orthogonal: false,
            masses: None,
        }
    }

    fn min_dist(s: &Structure) -> f64 {
        let mut nl = crate::neighbors::NeighborList::new(6.0, 0.0).unwrap();
        nl.build(&s.cell, &s.positions, &s.types).unwrap();
        let mut m = f64::MAX;
        for c in 0..nl.centers.len() {
            let i = nl.centers[c] as usize;
            for &j in nl.neighbors_of(c) {
                let (a, b) = (nl.ext_pos[i], nl.ext_pos[j as usize]);
                let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
                m = m.min(d);
            }
        }
        m
    }

    #[test]
    fn nearest_neighbour_distances() {
        let a = 3.6;
        assert!((min_dist(&bulk(&spec(Lattice::Fcc, &["Cu"], a)).unwrap()) - a / 2f64.sqrt()).abs() < 1e-12);
        assert!((min_dist(&bulk(&spec(Lattice::Bcc, &["Fe"], a)).unwrap()) - a * 3f64.sqrt() / 2.0).abs() < 1e-12);
        assert!((min_dist(&bulk(&spec(Lattice::Diamond, &["Si"], 5.43)).unwrap()) - 5.43 * 3f64.sqrt() / 4.0).abs() < 1e-12);
        assert!((min_dist(&bulk(&spec(Lattice::Hcp, &["Mg"], 3.2)).unwrap()) - 3.2).abs() < 1e-12);
        let mut o = spec(Lattice::Hcp, &["Mg"], 3.2);
        o.orthogonal = true;
        let s = bulk(&o).unwrap();
        assert_eq!(s.len(), 4);
        assert!((min_dist(&s) - 3.2).abs() < 1e-12);
        let l12 = bulk(&spec(Lattice::L12, &["Ni", "Al"], 3.57)).unwrap();
        assert_eq!(l12.symbols().iter().filter(|s| *s == "Ni").count(), 3);
    }

    #[test]
    fn oriented_fcc_has_right_count_and_spacing() {
        let mut sp = spec(Lattice::Fcc, &["Cu"], 3.615);
        sp.orientation = Some([[1, -1, 0], [1, 1, -2], [1, 1, 1]]);
        let s = bulk(&sp).unwrap();
        // det = 2*6*3 / (sqrt2 sqrt6 sqrt3) -> volume |o1||o2||o3| = sqrt(2*6*3)=6 conventional cells
        assert_eq!(s.len(), 24);
        assert!((min_dist(&s) - 3.615 / 2f64.sqrt()).abs() < 1e-9);
        sp.orientation = Some([[1, 0, 0], [0, 1, 0], [1, 0, 1]]);
        assert!(bulk(&sp).is_err());
    }

    #[test]
    fn random_solid_solution_counts() {
        let mut sp = spec(Lattice::Fcc, &["Cu"], 3.6);
        sp.repeat = [3, 3, 3];
        let s = bulk(&sp).unwrap();
        let r = random_solid_solution(&s, &[("Cu".into(), 0.7), ("Ni".into(), 0.3)], 7, None).unwrap();
        let ni = r.symbols().iter().filter(|x| *x == "Ni").count();
        assert_eq!(ni, (0.3f64 * 108.0).round() as usize);
        let r2 = random_solid_solution(&s, &[("Cu".into(), 0.7), ("Ni".into(), 0.3)], 7, None).unwrap();
        assert_eq!(r.types, r2.types);
    }
}
