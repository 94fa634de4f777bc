//! The continuum's stiffness from the same potential: the 0 K elastic protocol
//! (`protocols::elastic::static_constants`, cell and atoms relaxed, central differences of the
//! stress) on the periodic unit cell of the block, which also gives the relaxed unit cell.

use crate::error::{invalid, Result};
use scalebridge_core::progress::Silent;
use scalebridge_md::cell::Cell;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_protocols::elastic::{static_constants, StaticOptions};
use scalebridge_protocols::report::StageCache;
use std::sync::Arc;

/// The relaxed unit cell (orthorhombic, atoms scaled with the cell) and its Voigt stiffness (GPa).
pub fn relaxed_unit_and_stiffness(unit: &Structure, potential: Arc<dyn Potential>, threads: usize) -> Result<(Structure, [[f64; 6]; 6])> {
    let opts = StaticOptions { fmax: 1e-8, threads, ..StaticOptions::default() };
    let r = static_constants(unit, potential, &opts, &StageCache::default(), &mut Silent)?;
    let h0 = unit.cell.matrix();
    let h = r.cell;
    let mut m = [[0.0; 3]; 3];
    for d in 0..3 {
        for e in 0..3 {
            if d != e && h[d][e].abs() > 1e-6 * h[d][d].abs() {
                return Err(invalid("unit cell", format!("{h:?}"), "the relaxed unit cell is not orthorhombic"));
            }
        }
        m[d][d] = h[d][d];
    }
    let mut s = unit.clone();
    for p in s.positions.iter_mut() {
        for d in 0..3 {
            p[d] *= m[d][d] / h0[d][d];
        }
    }
    s.cell = Cell::new(m)?;
    Ok((s, r.c_gpa))
}
