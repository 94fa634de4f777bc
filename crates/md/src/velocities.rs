//! Velocities: Maxwell–Boltzmann initialisation, kinetic energy, temperature, momentum.
//!
//! `KE = ½ Σ m v² · mvv2e` (eV); `T = 2 KE / (N_dof k_B)` with `N_dof = 3N − 3` (the centre of
//! mass is fixed, as LAMMPS's default `compute temp`).

use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::units::{BOLTZMANN, MVV2E};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, StandardNormal};

/// Kinetic energy, eV.
pub fn kinetic_energy(masses: &[f64], v: &[Vec3]) -> f64 {
    0.5 * MVV2E * masses.iter().zip(v).map(|(m, v)| m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2])).sum::<f64>()
}

/// Kinetic tensor `Σ m v⊗v · mvv2e`, eV, Voigt order.
pub fn kinetic_tensor(masses: &[f64], v: &[Vec3]) -> [f64; 6] {
    let mut t = [0.0; 6];
    for (m, v) in masses.iter().zip(v) {
        let mm = m * MVV2E;
        t[0] += mm * v[0] * v[0];
        t[1] += mm * v[1] * v[1];
        t[2] += mm * v[2] * v[2];
        t[3] += mm * v[1] * v[2];
        t[4] += mm * v[0] * v[2];
        t[5] += mm * v[0] * v[1];
    }
    t
}

/// Degrees of freedom with fixed centre of mass.
pub fn degrees_of_freedom(n: usize) -> f64 {
    (3 * n).saturating_sub(3).max(1) as f64
}

/// Temperature, K.
pub fn temperature(masses: &[f64], v: &[Vec3]) -> f64 {
    2.0 * kinetic_energy(masses, v) / (degrees_of_freedom(masses.len()) * BOLTZMANN)
}

/// Total momentum, amu·Å/ps.
pub fn momentum(masses: &[f64], v: &[Vec3]) -> Vec3 {
    let mut p = [0.0; 3];
    for (m, v) in masses.iter().zip(v) {
        for k in 0..3 {
            p[k] += m * v[k];
        }
    }
    p
}

/// Remove the centre-of-mass velocity.
pub fn zero_momentum(masses: &[f64], v: &mut [Vec3]) {
    let p = momentum(masses, v);
    let mtot: f64 = masses.iter().sum();
    if mtot > 0.0 {
        for vi in v.iter_mut() {
            for k in 0..3 {
                vi[k] -= p[k] / mtot;
            }
        }
    }
}

/// Maxwell–Boltzmann velocities at `temperature` (K) from `seed`, with zero total momentum and
/// rescaled to exactly `temperature` (as LAMMPS `velocity create`). Å/ps.
pub fn maxwell_boltzmann(masses: &[f64], temperature_k: f64, seed: u64) -> Result<Vec<Vec3>> {
    if !(temperature_k.is_finite() && temperature_k >= 0.0) {
        return Err(Error::invalid("temperature", temperature_k, "must be non-negative and finite (K)"));
    }
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    let mut v: Vec<Vec3> = masses
        .iter()
        .map(|&m| {
            let s = (BOLTZMANN * temperature_k / (m * MVV2E)).sqrt();
            let mut x = [0.0; 3];
            for c in x.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut rng);
                *c = s * z;
            }
            x
        })
        .collect();
    zero_momentum(masses, &mut v);
    if masses.len() > 1 && temperature_k > 0.0 {
        let t = temperature(masses, &v);
        if t > 0.0 {
            let f = (temperature_k / t).sqrt();
            v.iter_mut().for_each(|x| x.iter_mut().for_each(|c| *c *= f));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn exact_temperature_and_zero_momentum() {
        let m = vec![39.948; 500];
        let v = maxwell_boltzmann(&m, 300.0, 42).unwrap();
        assert!((temperature(&m, &v) - 300.0).abs() < 1e-9);
        let p = momentum(&m, &v);
        assert!(p.iter().all(|x| x.abs() < 1e-9));
        // reproducible
        assert_eq!(v, maxwell_boltzmann(&m, 300.0, 42).unwrap());
        assert_ne!(v, maxwell_boltzmann(&m, 300.0, 43).unwrap());
    }
}
