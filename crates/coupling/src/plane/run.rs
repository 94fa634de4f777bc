//! One serialisable entry point for the 2-D statics (the CLI, Python and examples call it): the
//! stiffness from the elastic protocol, the coupled model's patch test, its relaxation under an
//! applied displacement gradient and, optionally, the fully atomistic reference of the same block.

use super::model::{compare, Comparison, ForceBased2d, FullAtomistic2d, PatchReport, PlaneOptions};
use super::stiffness::relaxed_unit_and_stiffness;
use crate::error::{invalid, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What to run (the defaults live here).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaneStatics {
    /// Model geometry, mesh and relaxation options.
    pub model: PlaneOptions,
    /// Applied in-plane displacement gradient H (u = H X on the boundary layer), rows x, y.
    pub gradient: [[f64; 2]; 2],
    /// Also relax the fully atomistic block and compare.
    pub reference: bool,
}

impl Default for PlaneStatics {
    fn default() -> Self {
        PlaneStatics { model: PlaneOptions::default(), gradient: [[0.0, 0.02], [0.0, 0.0]], reference: true }
    }
}

/// Result of [`plane_statics`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlaneStaticsReport {
    /// Voigt stiffness of the potential in the block's axes (elastic protocol, 0 K), GPa.
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    /// Relaxed unit-cell edges, Å.
    pub unit_edges: [f64; 3],
    /// Atoms of the atomistic region, pad atoms, mesh nodes, triangles.
    pub n_atoms_model: usize,
    pub n_pad: usize,
    pub n_nodes: usize,
    pub n_elements: usize,
    /// Patch test (ghost forces) under the applied gradient, eV/Å (on the same model without
    /// the hole).
    pub patch: PatchReport,
    /// FIRE iterations and final largest force of the coupled relaxation, eV/Å.
    pub iterations: usize,
    pub max_force: f64,
    /// Energies of the atomistic region's atoms and of the continuum, eV.
    pub atomistic_energy_ev: f64,
    pub continuum_energy_ev: f64,
    /// Displacements of the atomistic region's atoms (3 per atom, block order), Å.
    pub displacements: Vec<[f64; 3]>,
    /// Reference positions of the same atoms, Å.
    pub sites: Vec<[f64; 3]>,
    /// Atoms of the fully atomistic block and the comparison (when `reference`).
    pub n_atoms_exact: Option<usize>,
    pub comparison: Option<Comparison>,
    pub options: PlaneStatics,
    pub version: String,
}

/// Run the 2-D statics of `unit` (orthorhombic; x, y in the plane, z periodic) with `potential`.
pub fn plane_statics(unit: &Structure, potential: Arc<dyn Potential>, case: &PlaneStatics) -> Result<PlaneStaticsReport> {
    if case.gradient.iter().flatten().any(|v| !v.is_finite() || v.abs() > 0.2) {
        return Err(invalid("gradient", format!("{:?}", case.gradient), "every component must be finite and at most 0.2 in magnitude"));
    }
    let (unit, c) = relaxed_unit_and_stiffness(unit, potential.clone(), case.model.threads)?;
    // the patch test is a property of the defect-free coupling: a hole's surface is not in
    // equilibrium under a uniform strain
    let patch = if case.model.hole_radius > 0.0 {
        let perfect = PlaneOptions { hole_radius: 0.0, ..case.model.clone() };
        ForceBased2d::new(&unit, potential.clone(), &c, &perfect)?.patch_test(&case.gradient)?
    } else {
        ForceBased2d::new(&unit, potential.clone(), &c, &case.model)?.patch_test(&case.gradient)?
    };
    let mut m = ForceBased2d::new(&unit, potential.clone(), &c, &case.model)?;
    m.set_affine(&case.gradient);
    let (iterations, max_force) = m.relax()?;
    let (na, npad, nn) = m.sizes();
    let (n_atoms_exact, comparison) = if case.reference {
        let mut exact = FullAtomistic2d::new(&unit, potential, &case.model)?;
        exact.set_load(&case.gradient, true);
        exact.relax()?;
        (Some(exact.sizes().0), Some(compare(&m, &exact, &case.gradient)?))
    } else {
        (None, None)
    };
    let h = unit.cell.matrix();
    Ok(PlaneStaticsReport {
        c_gpa: c,
        unit_edges: [h[0][0], h[1][1], h[2][2]],
        n_atoms_model: na,
        n_pad: npad,
        n_nodes: nn,
        n_elements: m.mesh.tris.len(),
        patch,
        iterations,
        max_force,
        atomistic_energy_ev: m.atomistic_energy(),
        continuum_energy_ev: m.continuum_energy(),
        displacements: m.x.chunks(3).map(|c| [c[0], c[1], c[2]]).collect(),
        sites: m.atom_sites().iter().map(|&s| m.block.sites[s]).collect(),
        n_atoms_exact,
        comparison,
        options: case.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}
