use super::{check_dims, check_fraction};
use crate::error::Result;
use crate::grid::Grid;

/// Periodic laminate with layer normal along z: `n_bilayers` repeats of phase 1 (thickness
/// fraction `fraction`, rounded to whole voxels) on phase 0. Returns the grid; its phase
/// fractions give the fraction actually realised.
pub fn laminate(n: [usize; 3], fraction: f64, n_bilayers: usize) -> Result<Grid> {
    check_dims(n)?;
    check_fraction(fraction, 1.0)?;
    let nb = n_bilayers.max(1);
    if n[2] % nb != 0 {
        return Err(crate::error::invalid("n_bilayers", nb, &format!("must divide the z resolution {}", n[2])));
    }
    let period = n[2] / nb;
    let t = (fraction * period as f64).round() as usize;
    let mut g = Grid::uniform(n, 0)?;
    let (ny, nz) = (n[1], n[2]);
    for (idx, p) in g.phases_mut().iter_mut().enumerate() {
        let k = idx % nz;
        let _ = ny;
        if k % period < t {
            *p = 1;
        }
    }
    Ok(g)
}
