//! LAMMPS data files (`atom_style atomic`), for handing configurations to LAMMPS.
//!
//! LAMMPS needs a cell with a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz) (rows); other cells
//! are rejected with a clear error (rotate them first, as `ase.io.write(format="lammps-data")`
//! does).

use crate::error::{Error, Result};
use crate::structure::Structure;
use std::io::Write;

/// Write `s` (and optionally velocities, Å/ps) as a LAMMPS data file. Types are numbered in
/// `s.species` order starting at 1; a `Masses` section uses each type's first atom's mass.
pub fn write_lammps_data(path: &std::path::Path, s: &Structure, velocities: Option<&[[f64; 3]]>) -> Result<()> {
    let h = s.cell.matrix();
    let tol = 1e-12 * (h[0][0].abs() + h[1][1].abs() + h[2][2].abs());
    if h[0][1].abs() > tol || h[0][2].abs() > tol || h[1][2].abs() > tol {
        return Err(Error::invalid("cell", format!("{h:?}"), "LAMMPS needs a lower-triangular cell (a along x, b in the xy plane)"));
    }
    let io = |e| Error::Io { path: path.display().to_string(), source: e };
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    let mut t = String::new();
    let flush = |f: &mut std::io::BufWriter<std::fs::File>, t: &mut String| -> Result<()> {
        f.write_all(t.as_bytes()).map_err(io)?;
        t.clear();
        Ok(())
    };
    t.push_str("LAMMPS data file written by scalebridge\n\n");
    t.push_str(&format!("{} atoms\n{} atom types\n\n", s.len(), s.species.len()));
    t.push_str(&format!("0.0 {:.17e} xlo xhi\n0.0 {:.17e} ylo yhi\n0.0 {:.17e} zlo zhi\n", h[0][0], h[1][1], h[2][2]));
    if h[1][0] != 0.0 || h[2][0] != 0.0 || h[2][1] != 0.0 {
        t.push_str(&format!("{:.17e} {:.17e} {:.17e} xy xz yz\n", h[1][0], h[2][0], h[2][1]));
    }
    t.push_str("\nMasses\n\n");
    for (k, _) in s.species.iter().enumerate() {
        let m = s.types.iter().position(|&x| x == k).map(|i| s.masses[i]).unwrap_or(1.0);
        t.push_str(&format!("{} {:.17e}\n", k + 1, m));
    }
    t.push_str("\nAtoms # atomic\n\n");
    for (i, p) in s.positions.iter().enumerate() {
        t.push_str(&format!("{} {} {:.17e} {:.17e} {:.17e}\n", i + 1, s.types[i] + 1, p[0], p[1], p[2]));
        if t.len() > 1 << 16 {
            flush(&mut f, &mut t)?;
        }
    }
    if let Some(v) = velocities {
        t.push_str("\nVelocities\n\n");
        for (i, x) in v.iter().enumerate() {
            t.push_str(&format!("{} {:.17e} {:.17e} {:.17e}\n", i + 1, x[0], x[1], x[2]));
            if t.len() > 1 << 16 {
                flush(&mut f, &mut t)?;
            }
        }
    }
    flush(&mut f, &mut t)?;
    f.flush().map_err(io)
}
