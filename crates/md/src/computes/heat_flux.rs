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
//! **Mixtures.** For two or more species the LAMMPS current carries, besides the heat, each
//! species' mean per-atom energy and virial times that species' particle current
//! `J_s = Σ_{i∈s} v_i`: `J = J_q + Σ_s (ē_s I + W̄_s)·J_s`. In a solid the species do not diffuse,
//! so these terms integrate to zero only in the infinite-time limit; in any finite Green–Kubo
//! run they add a spurious part that grows with the spread of the species' energies (cohesive
//! energies of an alloy, Madelung energies of an ionic crystal) and that changes when a species'
//! reference energy is shifted. [`species_centred_heat_current`] removes them (the
//! partial-enthalpy correction with the species' instantaneous means as `h_s`):
//!
//! `J_q = Σ_i (e_i − ē_{s(i)}) v_i + Σ_i (W_i − W̄_{s(i)})·v_i`,
//!
//! which is invariant under a constant per-species energy shift and equals `J` when there is one
//! species (the subtraction is then `ē Σ_i v_i` and is left out, so the single-species current is
//! LAMMPS's to the bit). [`HeatCurrentKind`] picks one of the two for the Green–Kubo protocol.

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

/// Which heat current a Green–Kubo run correlates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatCurrentKind {
    /// [`species_centred_heat_current`]: LAMMPS's current for one species, the
    /// partial-enthalpy-corrected current for mixtures (the default).
    #[default]
    SpeciesCentred,
    /// LAMMPS `compute heat/flux` as it is, also for mixtures ([`heat_current`]).
    Lammps,
}

fn check_lengths(n: usize, velocities: usize, energies: usize, virials: usize) -> Result<()> {
    if velocities != n || energies != n || virials != n {
        return Err(Error::Shape(format!(
            "heat current needs one mass, velocity, energy and virial per atom: {n} masses, {velocities} velocities, {energies} energies, {virials} virials \
             (evaluate with per-atom energies and virials requested)"
        )));
    }
    Ok(())
}

/// Per-atom kinetic plus potential energy, eV.
fn atom_energy(m: f64, v: &Vec3, u: f64) -> f64 {
    0.5 * MVV2E * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) + u
}

/// `W·v` with `W` symmetric in Voigt order (xx yy zz yz xz xy).
fn virial_dot(w: &[f64; 6], v: &Vec3) -> Vec3 {
    [w[0] * v[0] + w[5] * v[1] + w[4] * v[2], w[5] * v[0] + w[1] * v[1] + w[3] * v[2], w[4] * v[0] + w[3] * v[1] + w[2] * v[2]]
}

/// The species-centred heat current (module docs): each atom's energy and virial less its
/// species' means over the configuration. `types[i]` is atom `i`'s species index. With one
/// species present this is [`heat_current`] itself.
pub fn species_centred_heat_current(
    masses: &[f64],
    types: &[usize],
    velocities: &[Vec3],
    per_atom_energy: &[f64],
    per_atom_virial: &[[f64; 6]],
) -> Result<HeatCurrent> {
    let n = masses.len();
    check_lengths(n, velocities.len(), per_atom_energy.len(), per_atom_virial.len())?;
    if types.len() != n {
        return Err(Error::Shape(format!("heat current needs one species index per atom: {n} masses, {} types", types.len())));
    }
    let ns = types.iter().copied().max().map_or(0, |t| t + 1);
    let mut count = vec![0usize; ns];
    for &t in types {
        count[t] += 1;
    }
    if count.iter().filter(|&&c| c > 0).count() < 2 {
        return heat_current(masses, velocities, per_atom_energy, per_atom_virial);
    }
    let mut e_mean = vec![0.0; ns];
    let mut w_mean = vec![[0.0; 6]; ns];
    for i in 0..n {
        let t = types[i];
        e_mean[t] += atom_energy(masses[i], &velocities[i], per_atom_energy[i]);
        for k in 0..6 {
            w_mean[t][k] += per_atom_virial[i][k];
        }
    }
    for t in 0..ns {
        if count[t] > 0 {
            let c = count[t] as f64;
            e_mean[t] /= c;
            for w in &mut w_mean[t] {
                *w /= c;
            }
        }
    }
    let mut conv = [0.0; 3];
    let mut vir = [0.0; 3];
    for i in 0..n {
        let (t, v) = (types[i], &velocities[i]);
        let e = atom_energy(masses[i], v, per_atom_energy[i]) - e_mean[t];
        let mut w = per_atom_virial[i];
        for k in 0..6 {
            w[k] -= w_mean[t][k];
        }
        let wv = virial_dot(&w, v);
        for k in 0..3 {
            conv[k] += e * v[k];
            vir[k] += wv[k];
        }
    }
    Ok(HeatCurrent { total: [conv[0] + vir[0], conv[1] + vir[1], conv[2] + vir[2]], convective: conv })
}

/// Heat current from per-atom data: masses (amu), velocities (Å/ps), potential energies (eV)
/// and virials (eV, Voigt xx yy zz yz xz xy). All slices must have the same length.
pub fn heat_current(masses: &[f64], velocities: &[Vec3], per_atom_energy: &[f64], per_atom_virial: &[[f64; 6]]) -> Result<HeatCurrent> {
    check_lengths(masses.len(), velocities.len(), per_atom_energy.len(), per_atom_virial.len())?;
    let mut conv = [0.0; 3];
    let mut vir = [0.0; 3];
    for (((m, v), u), w) in masses.iter().zip(velocities).zip(per_atom_energy).zip(per_atom_virial) {
        let e = atom_energy(*m, v, *u);
        let wv = virial_dot(w, v);
        for k in 0..3 {
            conv[k] += e * v[k];
            vir[k] += wv[k];
        }
    }
    Ok(HeatCurrent { total: [conv[0] + vir[0], conv[1] + vir[1], conv[2] + vir[2]], convective: conv })
}

/// Heat current of the last evaluation of `eval` (which must have had per-atom energies and
/// virials requested) for `structure` moving with `velocities` (LAMMPS's definition).
pub fn heat_current_of(eval: &Evaluator, structure: &Structure, velocities: &[Vec3]) -> Result<HeatCurrent> {
    heat_current_of_kind(eval, structure, velocities, HeatCurrentKind::Lammps)
}

/// [`heat_current_of`] with the definition `kind`.
pub fn heat_current_of_kind(eval: &Evaluator, structure: &Structure, velocities: &[Vec3], kind: HeatCurrentKind) -> Result<HeatCurrent> {
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
    match kind {
        HeatCurrentKind::Lammps => heat_current(&structure.masses, velocities, &o.per_atom_energy, &o.per_atom_virial),
        HeatCurrentKind::SpeciesCentred => {
            species_centred_heat_current(&structure.masses, &structure.types, velocities, &o.per_atom_energy, &o.per_atom_virial)
        }
    }
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

    /// A small random "alloy": masses, species, velocities, energies and virials.
    fn mixture(n: usize, species: usize) -> (Vec<f64>, Vec<usize>, Vec<Vec3>, Vec<f64>, Vec<[f64; 6]>) {
        let mut x = 0.3_f64;
        let mut r = || {
            x = (x * 9301.0 + 0.49297).fract();
            x - 0.5
        };
        let types: Vec<usize> = (0..n).map(|i| i % species).collect();
        let masses: Vec<f64> = types.iter().map(|&t| 10.0 + 40.0 * t as f64).collect();
        let v: Vec<Vec3> = (0..n).map(|_| [r(), r(), r()]).collect();
        let u: Vec<f64> = types.iter().map(|&t| -3.0 - 2.0 * t as f64 + 0.1 * r()).collect();
        let w: Vec<[f64; 6]> = (0..n).map(|_| [r(), r(), r(), r(), r(), r()]).collect();
        (masses, types, v, u, w)
    }

    #[test]
    fn one_species_is_the_lammps_current_to_the_bit() {
        let (m, _, v, u, w) = mixture(17, 1);
        let t = vec![0; 17];
        assert_eq!(species_centred_heat_current(&m, &t, &v, &u, &w).unwrap(), heat_current(&m, &v, &u, &w).unwrap());
    }

    #[test]
    fn centred_current_is_blind_to_per_species_energy_and_virial_offsets() {
        let (m, t, v, u, w) = mixture(40, 3);
        let j0 = species_centred_heat_current(&m, &t, &v, &u, &w).unwrap();
        let l0 = heat_current(&m, &v, &u, &w).unwrap();
        // shift species 1's energy by 2.5 eV and species 2's virial by a constant tensor
        let u2: Vec<f64> = u.iter().zip(&t).map(|(e, &s)| if s == 1 { e + 2.5 } else { *e }).collect();
        let dw = [0.3, -0.2, 0.1, 0.05, -0.07, 0.02];
        let w2: Vec<[f64; 6]> = w.iter().zip(&t).map(|(x, &s)| if s == 2 { std::array::from_fn(|k| x[k] + dw[k]) } else { *x }).collect();
        let j1 = species_centred_heat_current(&m, &t, &v, &u2, &w2).unwrap();
        let l1 = heat_current(&m, &v, &u2, &w2).unwrap();
        // LAMMPS's current moves by 2.5·J_1 + W_2·J_2 (J_s = Σ_{i∈s} v_i)
        let js = |s: usize| -> Vec3 { std::array::from_fn(|k| v.iter().zip(&t).filter(|(_, &ti)| ti == s).map(|(vi, _)| vi[k]).sum()) };
        let shift: Vec3 = std::array::from_fn(|k| 2.5 * js(1)[k] + virial_dot(&dw, &js(2))[k]);
        for k in 0..3 {
            assert!((j1.total[k] - j0.total[k]).abs() < 1e-12, "{k}: {} vs {}", j1.total[k], j0.total[k]);
            assert!((l1.total[k] - l0.total[k] - shift[k]).abs() < 1e-12);
            assert!(shift[k].abs() > 1e-3);
        }
    }

    #[test]
    fn centred_current_by_hand_for_two_atoms_of_two_species() {
        // one atom per species: every atom equals its species' mean, so J_q = 0
        let (m, v, u, w) = ([1.0, 2.0], [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]], [-1.0, -4.0], [[1.0; 6], [2.0; 6]]);
        let j = species_centred_heat_current(&m, &[0, 1], &v, &u, &w).unwrap();
        assert_eq!(j.total, [0.0; 3]);
        // two atoms of species 0 with energies e ± d, one of species 1: J_q = d (v_a − v_b)
        let (m, v) = ([1.0, 1.0, 5.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.3, 0.3]]);
        let u = [-1.0 + 0.25 - 0.5 * MVV2E, -1.0 - 0.25 - 0.5 * MVV2E, -7.0];
        let j = species_centred_heat_current(&m, &[0, 0, 1], &v, &u, &[[0.0; 6]; 3]).unwrap();
        let want = [0.25, -0.25, 0.0];
        for k in 0..3 {
            assert!((j.total[k] - want[k]).abs() < 1e-14, "{:?}", j.total);
        }
        assert!(species_centred_heat_current(&m, &[0, 1], &v, &u, &[[0.0; 6]; 3]).is_err());
    }
}
