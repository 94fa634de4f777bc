//! The crystal block of the 3-D problems: a cubic (orthorhombic) unit cell replicated over the
//! box `[lo_d p_d, hi_d p_d]` (whole pitches `p` = the unit's edges) with a lattice site at the
//! origin, so that every grid point `(i p_x, j p_y, k p_z)` is a site.

use crate::error::{invalid, Result};
use scalebridge_md::cell::Vec3;
use scalebridge_md::structure::Structure;
use std::collections::HashMap;

/// The sites of the block.
#[derive(Clone, Debug)]
pub struct Block3 {
    /// Reference positions, Å (a site at the origin).
    pub sites: Vec<Vec3>,
    pub masses: Vec<f64>,
    pub symbols: Vec<String>,
    /// Pitch (the unit's edges), Å.
    pub pitch: [f64; 3],
    /// Box in pitches: `lo[d] ≤ i_d ≤ hi[d]`.
    pub lo: [i64; 3],
    pub hi: [i64; 3],
    /// Grid point → site index.
    pub grid_site: HashMap<[i64; 3], usize>,
}

impl Block3 {
    /// Replicate `unit` (orthorhombic) over the box `lo..=hi` (pitches).
    pub fn new(unit: &Structure, lo: [i64; 3], hi: [i64; 3]) -> Result<Block3> {
        unit.validate()?;
        let h = unit.cell.matrix();
        for a in 0..3 {
            for b in 0..3 {
                if a != b && h[a][b].abs() > 1e-9 {
                    return Err(invalid("unit cell", format!("{h:?}"), "the unit cell of a 3-D block must be orthorhombic"));
                }
            }
        }
        if unit.is_empty() {
            return Err(invalid("unit cell", 0, "the unit cell has no atoms"));
        }
        for d in 0..3 {
            if hi[d] - lo[d] < 2 {
                return Err(invalid("block", format!("{lo:?}..{hi:?}"), "the block needs at least 2 pitches per direction"));
            }
        }
        let pitch = [h[0][0], h[1][1], h[2][2]];
        let origin = unit.positions[0];
        let basis: Vec<Vec3> = unit
            .positions
            .iter()
            .map(|r| {
                let mut f = [0.0; 3];
                for d in 0..3 {
                    let mut x = (r[d] - origin[d]) / pitch[d];
                    x -= x.floor();
                    if x > 1.0 - 1e-9 {
                        x = 0.0;
                    }
                    f[d] = x * pitch[d];
                }
                f
            })
            .collect();
        let symbols = unit.symbols();
        let tol = 1e-6;
        let mut b = Block3 { sites: Vec::new(), masses: Vec::new(), symbols: Vec::new(), pitch, lo, hi, grid_site: HashMap::new() };
        for i in lo[0]..=hi[0] {
            for j in lo[1]..=hi[1] {
                for k in lo[2]..=hi[2] {
                    for (m, s) in basis.iter().enumerate() {
                        let g = [i, j, k];
                        let r = [g[0] as f64 * pitch[0] + s[0], g[1] as f64 * pitch[1] + s[1], g[2] as f64 * pitch[2] + s[2]];
                        if (0..3).any(|d| r[d] > hi[d] as f64 * pitch[d] + tol) {
                            continue;
                        }
                        if m == 0 {
                            b.grid_site.insert(g, b.sites.len());
                        }
                        b.sites.push(r);
                        b.masses.push(unit.masses[m]);
                        b.symbols.push(symbols[m].clone());
                    }
                }
            }
        }
        Ok(b)
    }

    /// Whether site `s` lies in the box `lo..hi` (pitches, closed).
    pub fn in_box(&self, s: usize, lo: [i64; 3], hi: [i64; 3]) -> bool {
        let r = self.sites[s];
        (0..3).all(|d| r[d] >= lo[d] as f64 * self.pitch[d] - 1e-6 && r[d] <= hi[d] as f64 * self.pitch[d] + 1e-6)
    }

    /// Distance from site `s` to the box `lo..hi` (pitches; 0 inside), Å.
    pub fn dist_to_box(&self, s: usize, lo: [i64; 3], hi: [i64; 3]) -> f64 {
        let r = self.sites[s];
        let mut d2 = 0.0;
        for d in 0..3 {
            let e = (lo[d] as f64 * self.pitch[d] - r[d]).max(r[d] - hi[d] as f64 * self.pitch[d]).max(0.0);
            d2 += e * e;
        }
        d2.sqrt()
    }
}
