//! The relaxation profile of a free (001) surface, from a laterally periodic slab of the same
//! potential (docs/coupling_3d.md, "The free surface").
//!
//! Far from the indenter the free surface of the block is the flat, relaxed surface: every layer
//! moves along z by an amount `δ_m` that decays with the depth. The continuum (a bulk stiffness)
//! cannot produce it, so the pad atoms under a free top would sit on unrelaxed positions and the
//! region's atoms next to them would feel the wrong neighbours (the surface stress, σ_xx ≈ σ_yy ≈
//! 1 GPa in the top layers, is then not carried across the interface). The coupled model takes
//! the relaxed slab as its reference configuration instead: a pad atom sits at `X + δ(X_z) +
//! u_FE(X)`, an interface node carries the atom's displacement less `δ`. The slab is the exact
//! solution of the same potential for a flat surface with the bulk lattice in plane (which the
//! block's held lateral boundary layer imposes), so the correction adds no fitted parameter.

use super::block::Block3;
use crate::error::{invalid, Result};
use crate::plane::atoms::Atoms;
use crate::plane::relax::{fire, Fire};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Layer-resolved z relaxation of the free top surface `z = 0` (layers a half pitch apart).
#[derive(Clone, Debug, Default)]
pub struct SurfaceProfile {
    /// Half pitch along z, Å (the (001) layer spacing of fcc).
    pub spacing: f64,
    /// Layer index m (the layer at `z = −m · spacing`) → its z displacement, Å.
    pub dz: BTreeMap<i64, f64>,
}

impl SurfaceProfile {
    /// The z displacement of the relaxed surface at reference depth `z` (Å, ≤ 0); zero below the
    /// slab's relaxed layers or for an empty profile.
    pub fn at(&self, z: f64) -> f64 {
        if self.spacing <= 0.0 {
            return 0.0;
        }
        let m = (-z / self.spacing).round() as i64;
        self.dz.get(&m).copied().unwrap_or(0.0)
    }

    /// Relax a slab of `unit` (orthorhombic, cubic fcc-like, a site at the origin): `lateral`
    /// pitches periodic in x and y, `depth` pitches deep with the bottom `held` Å fixed at the bulk
    /// lattice, the top `z = 0` free; FIRE to `fire.fmax`.
    pub fn relax(unit: &Structure, potential: Arc<dyn Potential>, lateral: i64, depth: i64, held: f64, fire_opts: &Fire, skin: f64, threads: usize) -> Result<SurfaceProfile> {
        let block = Block3::new(unit, [0, 0, -depth], [lateral, lateral, 0])?;
        let p = block.pitch;
        let cutoff = potential.needs().cutoff;
        if (lateral as f64) * p[0].min(p[1]) < 2.0 * (cutoff + skin) {
            return Err(invalid("surface slab", lateral, "the periodic slab is narrower than twice the cutoff plus skin"));
        }
        if (depth as f64) * p[2] <= held + 2.0 * cutoff {
            return Err(invalid("surface slab", depth, "the slab is too thin for its held bottom layer"));
        }
        let tol = 1e-6;
        let inside: Vec<usize> = (0..block.sites.len()).filter(|&k| (0..2).all(|d| block.sites[k][d] < lateral as f64 * p[d] - tol)).collect();
        let bottom = -(depth as f64) * p[2] + held;
        let mobile: Vec<usize> = inside.iter().copied().filter(|&k| block.sites[k][2] > bottom + tol).collect();
        let driven: Vec<usize> = inside.iter().copied().filter(|&k| block.sites[k][2] <= bottom + tol).collect();
        let sites: Vec<usize> = mobile.iter().chain(&driven).copied().collect();
        let reference = sites.iter().map(|&s| block.sites[s]).collect();
        let symbols: Vec<String> = sites.iter().map(|&s| block.symbols[s].clone()).collect();
        let masses = sites.iter().map(|&s| block.masses[s]).collect();
        let margin = 2.0 * (cutoff + skin) + 20.0;
        let lz = depth as f64 * p[2] + margin;
        let lengths = [lateral as f64 * p[0], lateral as f64 * p[1], lz];
        let mut atoms = Atoms::with_reference(sites, mobile.len(), reference, &symbols, masses, lengths, [0.0, 0.0, depth as f64 * p[2] + 0.5 * margin], potential, skin, threads)?;
        let m = atoms.mobile_masses();
        let mut x = vec![0.0; 3 * mobile.len()];
        fire(&mut x, &m, fire_opts, |x| {
            atoms.set_mobile(x);
            atoms.mobile_forces()
        })?;
        let spacing = 0.5 * p[2];
        let mut sum: BTreeMap<i64, (f64, usize)> = BTreeMap::new();
        for (k, &s) in mobile.iter().enumerate() {
            let layer = (-block.sites[s][2] / spacing).round() as i64;
            let e = sum.entry(layer).or_insert((0.0, 0));
            e.0 += x[3 * k + 2];
            e.1 += 1;
        }
        Ok(SurfaceProfile { spacing, dz: sum.into_iter().map(|(l, (s, n))| (l, s / n as f64)).collect() })
    }
}
