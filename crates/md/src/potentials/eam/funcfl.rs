//! DYNAMO funcfl files (LAMMPS `pair_style eam`): reader and the regridding of several files
//! onto one common grid (LAMMPS `file2array`).

use super::potential::EmbeddedAtom;
use super::reader::{check_grid, parse_f64, parse_usize, read_text, Reader};
use super::spline::lagrange;
use super::tables::{EamStyle, EamTables};
use crate::error::{Error, Result};
use std::path::Path;

/// One DYNAMO funcfl file as read (1 element), before regridding.
#[derive(Clone, Debug)]
pub struct Funcfl {
    pub number: u32,
    pub mass: f64,
    pub nrho: usize,
    pub drho: f64,
    pub nr: usize,
    pub dr: f64,
    pub cut: f64,
    pub frho: Vec<f64>,
    /// Effective charge Z(r) (sqrt(Hartree·Bohr)).
    pub zr: Vec<f64>,
    pub rhor: Vec<f64>,
}

/// Read a funcfl file (LAMMPS `PairEAM::read_file`).
pub fn read_funcfl(path: &Path) -> Result<Funcfl> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let mut r = Reader::new(&name, &text);
    r.skip_line("the comment line")?;
    let (l2, w) = r.next_words(2, "atomic number and mass (line 2)")?;
    let number = parse_usize(&r, l2, w[0], "atomic number")? as u32;
    let mass = parse_f64(w[1]).ok_or_else(|| r.err(l2, format!("mass '{}' is not a number", w[1])))?;
    let (l3, w) = r.next_words(5, "grid line 'nrho drho nr dr cutoff'")?;
    let nrho = parse_usize(&r, l3, w[0], "nrho")?;
    let nr = parse_usize(&r, l3, w[2], "nr")?;
    let mut g = [0.0; 3];
    for (k, idx) in [1usize, 3, 4].iter().enumerate() {
        g[k] = parse_f64(w[*idx]).ok_or_else(|| r.err(l3, format!("'{}' is not a number", w[*idx])))?;
    }
    let (drho, dr, cut) = (g[0], g[1], g[2]);
    check_grid(&r, l3, nrho, drho, nr, dr, cut)?;
    let frho = r.next_values(nrho, "F(rho)")?;
    let zr = r.next_values(nr, "Z(r)")?;
    let rhor = r.next_values(nr, "rho(r)")?;
    Ok(Funcfl { number, mass, nrho, drho, nr, dr, cut, frho, zr, rhor })
}

/// Combine funcfl files (one element each, named by `names`) onto one grid as LAMMPS does.
pub fn funcfl_tables(files: &[Funcfl], names: &[String]) -> Result<EamTables> {
    if files.is_empty() || files.len() != names.len() {
        return Err(Error::Shape(format!("{} funcfl files for {} element names", files.len(), names.len())));
    }
    let (mut dr, mut drho, mut rmax, mut rhomax) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut cut = 0.0f64;
    for f in files {
        dr = dr.max(f.dr);
        drho = drho.max(f.drho);
        rmax = rmax.max((f.nr - 1) as f64 * f.dr);
        rhomax = rhomax.max((f.nrho - 1) as f64 * f.drho);
        cut = cut.max(f.cut);
    }
    let nr = (rmax / dr + 0.5) as usize;
    let nrho = (rhomax / drho + 0.5) as usize;
    let frho: Vec<Vec<f64>> =
        files.iter().map(|f| (1..=nrho).map(|m| lagrange(&f.frho, f.drho, (m - 1) as f64 * drho)).collect()).collect();
    let rho1: Vec<Vec<f64>> =
        files.iter().map(|f| (1..=nr).map(|m| lagrange(&f.rhor, f.dr, (m - 1) as f64 * dr)).collect()).collect();
    let ne = files.len();
    let mut rhor = Vec::with_capacity(ne * ne);
    for a in 0..ne {
        for _b in 0..ne {
            rhor.push(rho1[a].clone());
        }
    }
    let mut z2r = Vec::with_capacity(ne * (ne + 1) / 2);
    for i in 0..ne {
        for j in 0..=i {
            let (fi, fj) = (&files[i], &files[j]);
            z2r.push(
                (1..=nr)
                    .map(|m| {
                        let r = (m - 1) as f64 * dr;
                        let zri = lagrange(&fi.zr, fi.dr, r);
                        let zrj = lagrange(&fj.zr, fj.dr, r);
                        27.2 * 0.529 * zri * zrj
                    })
                    .collect(),
            );
        }
    }
    Ok(EamTables {
        elements: names.to_vec(),
        numbers: files.iter().map(|f| f.number).collect(),
        masses: files.iter().map(|f| f.mass).collect(),
        nrho,
        drho,
        nr,
        dr,
        cut,
        rhomax,
        frho,
        rhor,
        z2r,
    })
}

/// Element symbol of an atomic number (for naming funcfl elements).
pub(super) fn symbol_of(z: u32) -> Option<String> {
    // The element table is ordered by atomic number.
    let k = (z as usize).checked_sub(1)?;
    crate::elements::ATOMIC_MASSES.get(k).map(|(s, _)| s.to_string())
}

/// Load several funcfl files as one multi-element `eam` potential (LAMMPS
/// `pair_coeff i i file_i`): `files` pairs each element name with its file.
pub fn load_funcfl(files: &[(String, &Path)]) -> Result<EmbeddedAtom> {
    let mut fl = Vec::with_capacity(files.len());
    let mut names = Vec::with_capacity(files.len());
    for (name, p) in files {
        fl.push(read_funcfl(p)?);
        names.push(name.clone());
    }
    let t = funcfl_tables(&fl, &names)?;
    let src: Vec<String> = files.iter().map(|(n, p)| format!("{n}={}", p.display())).collect();
    EmbeddedAtom::from_tables(EamStyle::Funcfl, t, &src.join(","))
}
