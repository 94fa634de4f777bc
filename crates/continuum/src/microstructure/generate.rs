//! One entry point for every generator, with the defaults stated once: the CLI and the Python
//! package pass only the options the user gave.

use super::{ellipsoids, fibres, laminate, pores, spheres, voronoi, EllipsoidOptions, FibreOptions, SphereOptions, Texture};
use crate::error::{invalid, Result};
use crate::grid::Grid;
use crate::material::{cubic_stiffness, Material};
use serde::{Deserialize, Serialize};

/// Generator names accepted by [`generate`].
pub const KINDS: [&str; 6] = ["laminate", "spheres", "ellipsoids", "fibres", "pores", "voronoi"];
/// Voxels per edge when none is given.
pub const DEFAULT_RESOLUTION: usize = 32;
/// Voronoi grains when none is given.
pub const DEFAULT_GRAINS: usize = 50;
/// Ellipsoid semi-axes relative to `radius` when none are given (prolate along c).
pub const DEFAULT_AXES: [f64; 3] = [1.0, 1.0, 2.0];

/// Options of [`generate`]; `None` takes the default (fraction, seed, gap and radius spread from
/// [`SphereOptions::default`]; radius = shortest edge / 10; fibre length = shortest edge / 2,
/// aligned along z; 50 grains with random orientations; one bilayer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateOptions {
    pub fraction: Option<f64>,
    pub seed: Option<u64>,
    /// Inclusion/pore/fibre radius in voxels.
    pub radius: Option<f64>,
    /// Fibre length in voxels.
    pub length: Option<f64>,
    /// Randomly oriented fibres instead of fibres along z.
    pub random_fibres: Option<bool>,
    pub grains: Option<usize>,
    /// `<001>` fibre texture along z with this spread (degrees); random orientations if `None`.
    pub texture_spread_deg: Option<f64>,
    pub axes: Option<[f64; 3]>,
    pub random_orientation: Option<bool>,
    /// Minimum surface gap between inclusions, voxels.
    pub gap: Option<f64>,
    pub radius_cv: Option<f64>,
    pub n_bilayers: Option<usize>,
}

/// A generated phase grid; Voronoi grids also carry one rotation per grain.
#[derive(Debug, Clone)]
pub struct Generated {
    pub grid: Grid,
    pub rotations: Option<Vec<[[f64; 3]; 3]>>,
}

/// Generate the microstructure `kind` (one of [`KINDS`]) on an `n` voxel grid.
pub fn generate(kind: &str, n: [usize; 3], o: &GenerateOptions) -> Result<Generated> {
    let d = SphereOptions::default();
    let nmin = *n.iter().min().unwrap_or(&1) as f64;
    let fraction = o.fraction.unwrap_or(d.fraction);
    let seed = o.seed.unwrap_or(d.seed);
    let gap = o.gap.unwrap_or(d.gap);
    let radius = o.radius.unwrap_or(nmin / 10.0);
    let only = |name: &str, given: bool, kinds: &[&str]| -> Result<()> {
        if given && !kinds.contains(&kind) {
            return Err(invalid(name, kind, &format!("is not an option of the '{kind}' generator (only {})", kinds.join(", "))));
        }
        Ok(())
    };
    only("radius", o.radius.is_some(), &["spheres", "ellipsoids", "fibres", "pores"])?;
    only("length", o.length.is_some(), &["fibres"])?;
    only("random_fibres", o.random_fibres.is_some(), &["fibres"])?;
    only("grains", o.grains.is_some(), &["voronoi"])?;
    only("texture_spread_deg", o.texture_spread_deg.is_some(), &["voronoi"])?;
    only("axes", o.axes.is_some(), &["ellipsoids"])?;
    only("random_orientation", o.random_orientation.is_some(), &["ellipsoids"])?;
    only("radius_cv", o.radius_cv.is_some(), &["spheres"])?;
    only("n_bilayers", o.n_bilayers.is_some(), &["laminate"])?;
    let plain = |grid| Generated { grid, rotations: None };
    Ok(match kind {
        "laminate" => plain(laminate(n, fraction, o.n_bilayers.unwrap_or(1))?),
        "spheres" => plain(spheres(n, &SphereOptions { fraction, radius, radius_cv: o.radius_cv.unwrap_or(d.radius_cv), gap, seed })?),
        "ellipsoids" => plain(ellipsoids(
            n,
            &EllipsoidOptions { fraction, radius, axes: o.axes.unwrap_or(DEFAULT_AXES), random_orientation: o.random_orientation.unwrap_or(true), gap, seed },
        )?),
        "fibres" => {
            let aligned = if o.random_fibres.unwrap_or(false) { None } else { Some([0.0, 0.0, 1.0]) };
            plain(fibres(n, &FibreOptions { fraction, radius, length: o.length.unwrap_or(nmin / 2.0), aligned, gap, seed })?)
        }
        "pores" => plain(pores(n, fraction, radius, seed)?),
        "voronoi" => {
            let tex = match o.texture_spread_deg {
                Some(s) => Texture::Fibre { axis: [0.0, 0.0, 1.0], spread_deg: s },
                None => Texture::Random,
            };
            let (grid, rots) = voronoi(n, o.grains.unwrap_or(DEFAULT_GRAINS), tex, seed)?;
            Generated { grid, rotations: Some(rots) }
        }
        other => return Err(invalid("microstructure", other, &format!("unknown generator (use one of {})", KINDS.join(", ")))),
    })
}

/// The grain crystal of a Voronoi polycrystal when the user gives none: copper, single-crystal
/// C11, C12, C44 = 168.4, 121.4, 75.4 GPa (Simmons & Wang, *Single Crystal Elastic Constants*,
/// MIT Press 1971) and κ = 400 W/(m K).
pub fn default_grain_crystal() -> Material {
    Material { name: "Cu".into(), stiffness_gpa: cubic_stiffness(168.4, 121.4, 75.4), conductivity_w_mk: [[400.0, 0.0, 0.0], [0.0, 400.0, 0.0], [0.0, 0.0, 400.0]], heat_capacity_j_m3k: 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_generators_and_misplaced_options_are_named() {
        let n = [20, 20, 20];
        let g = generate("spheres", n, &GenerateOptions::default()).unwrap();
        let direct = spheres(n, &SphereOptions { radius: 2.0, ..SphereOptions::default() }).unwrap();
        assert_eq!(g.grid.phases(), direct.phases());
        let v = generate("voronoi", n, &GenerateOptions { grains: Some(7), ..Default::default() }).unwrap();
        assert_eq!(v.rotations.unwrap().len(), 7);
        let e = generate("spheres", n, &GenerateOptions { grains: Some(3), ..Default::default() }).unwrap_err().to_string();
        assert!(e.contains("grains"), "{e}");
        let e = generate("foam", n, &GenerateOptions::default()).unwrap_err().to_string();
        assert!(e.contains("foam") && e.contains("voronoi"), "{e}");
    }
}
