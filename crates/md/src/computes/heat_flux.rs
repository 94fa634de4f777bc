//! Microscopic heat current, as LAMMPS `compute heat/flux` fed by `compute ke/atom`,
//! `compute pe/atom` and `compute centroid/stress/atom NULL virial`:
//!
//! `J = Σ_i e_i v_i + Σ_i W_i · v_i`, in eV·Å/ps (not divided by the volume, as LAMMPS),
//!
//! where `e_i = ½ m_i v_i² + u_i` is the per-atom kinetic plus potential energy (eV), `v_i` the
//! velocity (Å/ps) and `W_i` the per-atom virial as a full 3×3 tensor (eV, LAMMPS sign: positive
//! for repulsion; LAMMPS's per-atom "stress" is `−W_i`, and the compute subtracts `stress·v`).
//! The first sum is the convective part `J_conv`. For pair potentials and EAM every force is a
//! central pair force, so the centroid per-atom virial equals the symmetric per-atom virial
//! (half of every pair's `r_ij ⊗ f_ij` on each atom) that [`crate::potentials::Output`] holds.
//!
//! The heat current of a single-species system is used as is (no partial-enthalpy correction);
//! for mixtures it is the LAMMPS definition, which differs from the energy current relevant to
//! thermal conductivity by the species' diffusive enthalpy flux.

use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::potentials::Request;
use crate::structure::Structure;
use crate::units::MVV2E;
use serde::{Deserialize, Serialize};

/// Heat current of one configuration, eV·Å/ps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeatCurrent {
    /// `J = Σ e_i v_i + Σ W_i·v_i` (LAMMPS `c_flux[1..3]`).
    pub total: Vec3,
    /// `J_conv = Σ e_i v_i` (LAMMPS `c_flux[4..6]`).
    pub convective: Vec3,
}

/// Heat current from per-atom data: masses (amu), velocities (Å/ps), potential energies (eV)
/// and virials (eV, Voigt xx yy zz yz xz xy). All slices must have the same length.
pub fn heat_current(masses: &[f64], velocities: &[Vec3], per_atom_energy: &[f64], per_atom_virial: &[[f64; 6]]) -> Result<HeatCurrent> {
    let n = masses.len();
    if velocities.len() != n || per_atom_energy.len() != n || per_atom_virial.len() != n {
        return Err(Error::Shape(format!(
            "heat current needs one mass, velocity, energy and virial per atom: {n} masses, {} velocities, {} energies, {} virials \
             (evaluate with per-atom energies and virials requested)",
            velocities.len(),
            per_atom_energy.len(),
            per_atom_virial.len()
        )));
    }
    let mut conv = [0.0; 3];
    let mut vir = [0.0; 3];
    for (((m, v), u), w) in masses.iter().zip(velocities).zip(per_atom_energy).zip(per_atom_virial) {
        let e = 0.5 * MVV2E * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) + u;
        conv[0] += e * v[0];
        conv[1] += e * v[1];
        conv[2] += e * v[2];
        // W·v with W symmetric: rows (xx xy xz), (xy yy yz), (xz yz zz)
        vir[0] += w[0] * v[0] + w[5] * v[1] + w[4] * v[2];
        vir[1] += w[5] * v[0] + w[1] * v[1] + w[3] * v[2];
        vir[2] += w[4] * v[0] + w[3] * v[1] + w[2] * v[2];
    }
    Ok(HeatCurrent { total: [conv[0] + vir[0], conv[1] + vir[1], conv[2] + vir[2]], convective: conv })
}

/// Heat current of the last evaluation of `eval` (which must have had per-atom energies and
/// virials requested) for `structure` moving with `velocities`.
pub fn heat_current_of(eval: &Evaluator, structure: &Structure, velocities: &[Vec3]) -> Result<HeatCurrent> {
    let o = &eval.output;
    if o.per_atom_energy.len() != structure.len() || o.per_atom_virial.len() != structure.len() {
        return Err(Error::invalid(
            "potential",
            eval.potential().pair_style(),
            "provides no per-atom energies and virials, which the heat flux (Green–Kubo conductivity) needs; an ASE \
             calculator must implement the 'energies' and 'stresses' properties (scalebridge's ScaleBridgeCalculator and \
             ASE's LennardJones do; EMT and LAMMPSlib have 'energies' only)",
        ));
    }
    heat_current(&structure.masses, velocities, &o.per_atom_energy, &o.per_atom_virial)
}

/// Evaluate `structure` (per-atom energies and virials) and return its heat current for the
/// given velocities (Å/ps). Validates the structure and rebuilds the neighbour list.
pub fn compute_heat_current(eval: &mut Evaluator, structure: &Structure, velocities: &[Vec3]) -> Result<HeatCurrent> {
    for (i, v) in velocities.iter().enumerate() {
        if !v.iter().all(|c| c.is_finite()) {
            return Err(Error::NonFinite { what: "velocity".into(), index: i });
        }
    }
    eval.compute_all(structure)?;
    heat_current_of(eval, structure, velocities)
}

/// The request that a heat-current sample needs (forces, per-atom energies and virials).
pub fn sample_request() -> Request {
    Request { energy: true, virial: false, per_atom_energy: true, per_atom_virial: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_atom_by_hand() {
        // m = 2 amu, v = (1, 2, 3) Å/ps, u = -1 eV, W = diag(1,2,3) + off-diagonals
        let m = [2.0];
        let v = [[1.0, 2.0, 3.0]];
        let u = [-1.0];
        let w = [[1.0, 2.0, 3.0, 0.5, 0.25, 0.125]];
        let j = heat_current(&m, &v, &u, &w).unwrap();
        let e = 0.5 * MVV2E * 2.0 * 14.0 - 1.0;
        assert!((j.convective[0] - e).abs() < 1e-15 && (j.convective[2] - 3.0 * e).abs() < 1e-15);
        // W·v: x = 1*1 + 0.125*2 + 0.25*3, y = 0.125*1 + 2*2 + 0.5*3, z = 0.25*1 + 0.5*2 + 3*3
        let wv = [1.0 + 0.25 + 0.75, 0.125 + 4.0 + 1.5, 0.25 + 1.0 + 9.0];
        for k in 0..3 {
            assert!((j.total[k] - j.convective[k] - wv[k]).abs() < 1e-14);
        }
        assert!(heat_current(&m, &v, &[], &w).is_err());
    }
}
