//! The crystal block of the 2-D problems: an orthorhombic unit cell (x, y in the plane, z the
//! periodic thickness) replicated over `[-N_x p_x, N_x p_x] × [-N_y p_y, N_y p_y]` with a lattice
//! site at the origin, so that every grid point `(i p_x, j p_y)` (the pitch `p` = the unit's
//! in-plane edges) is a site.

use crate::error::{invalid, Result};
use scalebridge_md::cell::Vec3;
use scalebridge_md::structure::Structure;
use std::collections::HashMap;

/// The sites of the block.
#[derive(Clone, Debug)]
pub struct Block {
    /// Reference positions, Å (centred: a site at the origin).
    pub sites: Vec<Vec3>,
    /// Mass per site, amu, and species symbol per site.
    pub masses: Vec<f64>,
    pub symbols: Vec<String>,
    /// In-plane pitch (the unit's x and y edges) and thickness (its z edge), Å.
    pub pitch: [f64; 2],
    pub thickness: f64,
    /// Half-size in pitches.
    pub half: [i64; 2],
    /// Grid point (i, j) → site index.
    pub grid_site: HashMap<(i64, i64), usize>,
}

impl Block {
    /// Replicate `unit` (an orthorhombic cell) over the half-size `half` (whole pitches), leaving
    /// out the sites within `hole_radius` Å of the origin (in the plane; 0 = none).
    pub fn new(unit: &Structure, half: [i64; 2], hole_radius: f64) -> Result<Block> {
        unit.validate()?;
        let h = unit.cell.matrix();
        for a in 0..3 {
            for b in 0..3 {
                if a != b && h[a][b].abs() > 1e-9 {
                    return Err(invalid("unit cell", format!("{h:?}"), "the unit cell of a 2-D block must be orthorhombic (x, y in the plane, z the periodic thickness)"));
                }
            }
        }
        if unit.is_empty() {
            return Err(invalid("unit cell", 0, "the unit cell has no atoms"));
        }
        if half[0] < 2 || half[1] < 2 {
            return Err(invalid("block", format!("{half:?}"), "the block needs a half-size of at least 2 pitches"));
        }
        if !(hole_radius >= 0.0 && hole_radius.is_finite()) {
            return Err(invalid("hole_radius", hole_radius, "must be ≥ 0 and finite"));
        }
        let pitch = [h[0][0], h[1][1]];
        let thickness = h[2][2];
        let origin = unit.positions[0];
        let basis: Vec<[f64; 3]> = unit
            .positions
            .iter()
            .map(|r| {
                let mut f = [0.0; 3];
                for d in 0..3 {
                    let l = h[d][d];
                    let mut x = (r[d] - origin[d]) / l;
                    x -= x.floor();
                    if x > 1.0 - 1e-9 {
                        x = 0.0;
                    }
                    f[d] = x * l;
                }
                f
            })
            .collect();
        let symbols = unit.symbols();
        let tol = 1e-6;
        let mut b = Block { sites: Vec::new(), masses: Vec::new(), symbols: Vec::new(), pitch, thickness, half, grid_site: HashMap::new() };
        for i in -half[0]..=half[0] {
            for j in -half[1]..=half[1] {
                for (k, s) in basis.iter().enumerate() {
                    let r = [i as f64 * pitch[0] + s[0], j as f64 * pitch[1] + s[1], s[2]];
                    if r[0] > half[0] as f64 * pitch[0] + tol || r[1] > half[1] as f64 * pitch[1] + tol {
                        continue;
                    }
                    if hole_radius > 0.0 && r[0] * r[0] + r[1] * r[1] < hole_radius * hole_radius {
                        continue;
                    }
                    if k == 0 {
                        b.grid_site.insert((i, j), b.sites.len());
                    }
                    b.sites.push(r);
                    b.masses.push(unit.masses[k]);
                    b.symbols.push(symbols[k].clone());
                }
            }
        }
        Ok(b)
    }

    /// Whether site `s` lies in the rectangle `|x| ≤ a_x p_x`, `|y| ≤ a_y p_y` (whole pitches).
    pub fn in_rect(&self, s: usize, a: [i64; 2]) -> bool {
        let r = self.sites[s];
        r[0].abs() <= a[0] as f64 * self.pitch[0] + 1e-6 && r[1].abs() <= a[1] as f64 * self.pitch[1] + 1e-6
    }

    /// Distance (in the plane) from site `s` to the rectangle of half-size `a` pitches (0 inside).
    pub fn dist_to_rect(&self, s: usize, a: [i64; 2]) -> f64 {
        let r = self.sites[s];
        let dx = (r[0].abs() - a[0] as f64 * self.pitch[0]).max(0.0);
        let dy = (r[1].abs() - a[1] as f64 * self.pitch[1]).max(0.0);
        (dx * dx + dy * dy).sqrt()
    }

    /// The affine displacement `u = H X` of the in-plane gradient `H` (2×2).
    pub fn affine(h: &[[f64; 2]; 2], r: [f64; 2]) -> [f64; 2] {
        [h[0][0] * r[0] + h[0][1] * r[1], h[1][0] * r[0] + h[1][1] * r[1]]
    }
}
