//! Point-defect energies. Vacancy formation energy (LAMMPS-style protocol):
//! `E_f = E(N−1) − (N−1)/N · E(N)`, both relaxed (atoms; optionally the cell too, to the
//! reference's pressure), reported relaxed and unrelaxed, eV.

use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::minimize::relax;
use scalebridge_md::potentials::{Potential, Request};
use crate::report::{Progress, Provenance, Quantity};
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Options of [`vacancy_formation`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VacancyOptions {
    /// Index of the atom to remove.
    pub site: usize,
    /// Relax the cell of the defective structure as well (constant pressure); otherwise
    /// constant volume.
    pub relax_cell: bool,
    /// Relax the perfect structure (atoms and cell to zero pressure) first.
    pub relax_reference: bool,
    /// Force tolerance, eV/Å.
    pub fmax: f64,
    pub threads: usize,
}

/// No MD: nothing to resolve.
impl crate::md_run::Resolve for VacancyOptions {}

impl Default for VacancyOptions {
    fn default() -> Self {
        VacancyOptions { site: 0, relax_cell: false, relax_reference: true, fmax: 1e-6, threads: 0 }
    }
}

/// Result of [`vacancy_formation`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VacancyResult {
    pub formation_energy: Quantity,
    pub unrelaxed_formation_energy: Quantity,
    /// Relaxation volume of the vacancy in units of the atomic volume (constant-pressure only).
    pub relaxation_volume: Option<Quantity>,
    pub atoms: usize,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// Vacancy formation energy of `structure` (a perfect crystal supercell).
pub fn vacancy_formation(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &VacancyOptions,
    progress: &mut dyn Progress,
) -> Result<VacancyResult> {
    let t0 = std::time::Instant::now();
    structure.validate()?;
    potential.check_species(&structure.species)?;
    if opts.site >= structure.len() {
        return Err(Error::invalid("site", opts.site, &format!("no such atom ({} atoms)", structure.len())));
    }
    if structure.len() < 8 {
        return Err(Error::invalid("atoms", structure.len(), "too few for an isolated vacancy; use a supercell"));
    }
    let mut prov = Provenance::new("defects/vacancy", structure, potential.as_ref(), opts, &[])?;
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, opts.threads)?;
    let with_cell = MinimizeOptions {
        fmax: opts.fmax,
        stress_tol: 1e-6,
        max_iter: 20000,
        cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..MinimizeOptions::default()
    };
    let atoms_only = MinimizeOptions { fmax: opts.fmax, max_iter: 20000, cell: None, ..MinimizeOptions::default() };
    let mut perfect = structure.clone();
    let e_n = if opts.relax_reference {
        relax(&mut perfect, &mut eval, &with_cell)?.energy
    } else {
        relax(&mut perfect, &mut eval, &atoms_only)?.energy
    };
    if !progress.update(1, 3, "perfect crystal") {
        return Err(Error::Interrupted { what: "defects/vacancy".into(), done: 1 });
    }
    let mut defect = perfect.clone();
    defect.positions.remove(opts.site);
    defect.types.remove(opts.site);
    defect.masses.remove(opts.site);
    eval.invalidate();
    eval.request = Request::global();
    let e_unrelaxed = eval.compute_all(&defect)?.energy;
    let opts_d = if opts.relax_cell { &with_cell } else { &atoms_only };
    let rep = relax(&mut defect, &mut eval, opts_d)?;
    let n = perfect.len() as f64;
    let ef = rep.energy - (n - 1.0) / n * e_n;
    let relaxation_volume = opts.relax_cell.then(|| {
        let omega = perfect.cell.volume() / n;
        Quantity::exact((defect.cell.volume() - (n - 1.0) * omega) / omega, "atomic volumes")
    });
    let mut warnings = Vec::new();
    if ef <= 0.0 {
        warnings.push(format!("vacancy formation energy {ef:.4} eV is not positive: is the reference a relaxed ground state?"));
    }
    if perfect.len() < 100 {
        warnings.push(format!("only {} atoms: the vacancy interacts with its periodic images; use ≥ 100 atoms", perfect.len()));
    }
    progress.update(3, 3, "vacancy");
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(VacancyResult {
        formation_energy: Quantity::exact(ef, "eV"),
        unrelaxed_formation_energy: Quantity::exact(e_unrelaxed - (n - 1.0) / n * e_n, "eV"),
        relaxation_volume,
        atoms: perfect.len(),
        warnings,
        provenance: prov,
    })
}
