//! Physics-informed dimensionless features. Each is a pure function of its inputs; [`physics_features`]
//! gives every one whose inputs are known, named as below, scale physics, unit "1":
//!
//! | column | definition |
//! |---|---|
//! | `dH_over_kT` | ΔH / (k_B T), ΔH an activation/formation enthalpy in eV (vacancy formation by default) |
//! | `E_over_Ecoh` | E Ω / \|E_coh\|: Young's modulus times atomic volume over the cohesive energy |
//! | `pugh_G_over_B` | G / B (Pugh ratio; above ≈ 0.57 brittle) |
//! | `zener_A` | 2 C44 / (C11 − C12) (cubic Zener anisotropy; 1 isotropic) |
//! | `debye_theta_over_T` | Θ_D / T, Θ_D from the elastic moduli by Anderson's formula |
//! | `T_over_Tm` | T / T_m (homologous temperature) |
//!
//! Anderson (1963): Θ_D = (h/k_B) (3n/4π)^(1/3) v_m with n the number density of atoms,
//! v_m = [(2/v_t³ + 1/v_l³)/3]^(−1/3), v_t = √(G/ρ), v_l = √((B + 4G/3)/ρ) (Hill moduli).

use crate::error::{FeatureError, Result};
use crate::table::{Feature, Scale};
use scalebridge_core::units;
use scalebridge_core::voigt::SoundVelocities;
use serde::{Deserialize, Serialize};

fn positive(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(FeatureError::param(name, v, "must be positive and finite"))
    }
}

/// ΔH / (k_B T).
pub fn enthalpy_over_kt(dh_ev: f64, t_k: f64) -> Result<f64> {
    if !dh_ev.is_finite() {
        return Err(FeatureError::param("dH_eV", dh_ev, "must be finite"));
    }
    Ok(dh_ev / (units::BOLTZMANN * positive("temperature_K", t_k)?))
}

/// E Ω / |E_coh| (E in GPa, Ω in Å³/atom, E_coh in eV/atom).
pub fn modulus_over_cohesive(e_gpa: f64, volume_a3: f64, e_coh_ev: f64) -> Result<f64> {
    let e = positive("E_GPa", e_gpa)? / units::EV_PER_A3_IN_GPA;
    let c = e_coh_ev.abs();
    Ok(e * positive("volume_A3", volume_a3)? / positive("|E_coh_eV|", c)?)
}

/// Pugh ratio G / B.
pub fn pugh_ratio(g_gpa: f64, b_gpa: f64) -> Result<f64> {
    Ok(positive("G_GPa", g_gpa)? / positive("K_GPa", b_gpa)?)
}

/// Zener anisotropy 2 C44 / (C11 − C12).
pub fn zener(c11: f64, c12: f64, c44: f64) -> Result<f64> {
    Ok(2.0 * positive("C44", c44)? / positive("C11 - C12", c11 - c12)?)
}

/// Debye temperature (K) by Anderson's formula from the bulk and shear moduli (GPa), the
/// volume per atom (Å³) and the mean mass per atom (amu).
pub fn debye_temperature(b_gpa: f64, g_gpa: f64, volume_a3: f64, mass_amu: f64) -> Result<f64> {
    let vol = positive("volume_A3", volume_a3)?;
    let rho = positive("mass_amu", mass_amu)? / vol * units::AMU_PER_A3_IN_G_PER_CM3;
    let v = SoundVelocities::of(positive("K_GPa", b_gpa)?, positive("G_GPa", g_gpa)?, rho)
        .ok_or_else(|| FeatureError::param("moduli", format!("K {b_gpa}, G {g_gpa}"), "give no sound velocity"))?;
    Ok(v.debye_temperature(1.0 / vol))
}

/// What [`physics_features`] may use; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhysicsInputs {
    pub temperature_k: Option<f64>,
    /// Enthalpy for ΔH/k_BT (e.g. vacancy formation), eV.
    pub dh_ev: Option<f64>,
    pub e_gpa: Option<f64>,
    pub k_gpa: Option<f64>,
    pub g_gpa: Option<f64>,
    /// Cubic C11, C12, C44 (GPa) for the Zener ratio.
    pub c11_c12_c44: Option<[f64; 3]>,
    pub e_coh_ev: Option<f64>,
    pub volume_a3: Option<f64>,
    pub mass_amu: Option<f64>,
    pub t_melt_k: Option<f64>,
}

/// Every dimensionless feature whose inputs are present (inputs present but impossible, e.g. a
/// negative volume, are an error naming the input).
pub fn physics_features(p: &PhysicsInputs) -> Result<Vec<Feature>> {
    let mut out = Vec::new();
    let mut push = |n: &str, v: f64| out.push(Feature::new(n, v, "1", Scale::Physics));
    if let (Some(dh), Some(t)) = (p.dh_ev, p.temperature_k) {
        push("dH_over_kT", enthalpy_over_kt(dh, t)?);
    }
    if let (Some(e), Some(v), Some(c)) = (p.e_gpa, p.volume_a3, p.e_coh_ev) {
        push("E_over_Ecoh", modulus_over_cohesive(e, v, c)?);
    }
    if let (Some(g), Some(k)) = (p.g_gpa, p.k_gpa) {
        push("pugh_G_over_B", pugh_ratio(g, k)?);
    }
    if let Some([c11, c12, c44]) = p.c11_c12_c44 {
        push("zener_A", zener(c11, c12, c44)?);
    }
    if let (Some(k), Some(g), Some(v), Some(m), Some(t)) = (p.k_gpa, p.g_gpa, p.volume_a3, p.mass_amu, p.temperature_k) {
        push("debye_theta_over_T", debye_temperature(k, g, v, m)? / positive("temperature_K", t)?);
    }
    if let (Some(t), Some(tm)) = (p.temperature_k, p.t_melt_k) {
        push("T_over_Tm", positive("temperature_K", t)? / positive("T_melt_K", tm)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_values() {
        // Cu vacancy formation 1.28 eV at 1000 K: 1.28 / (8.617343e-5 · 1000) = 14.853766...
        assert!((enthalpy_over_kt(1.28, 1000.0).unwrap() - 14.853_766).abs() < 1e-5);
        // E 130 GPa = 130/160.21765 eV/Å³ = 0.811396 eV/Å³; × 11.81 Å³ / 3.49 eV = 2.74573
        assert!((modulus_over_cohesive(130.0, 11.81, -3.49).unwrap() - 2.745_73).abs() < 1e-4);
        assert!((pugh_ratio(48.0, 140.0).unwrap() - 0.342_857_142_857).abs() < 1e-12);
        assert!((zener(168.4, 121.4, 75.4).unwrap() - 150.8 / 47.0).abs() < 1e-12);
        assert!(zener(100.0, 100.0, 50.0).is_err());
        assert!(enthalpy_over_kt(1.0, 0.0).is_err());
        assert!(modulus_over_cohesive(130.0, -1.0, 3.0).is_err());
    }

    #[test]
    fn debye_temperature_by_hand_and_for_copper() {
        // by hand, SI: K = 100 GPa, G = 50 GPa, Ω = 10 Å³, m = 50 amu
        // ρ = 50·1.66053906660e-27 kg / 1e-29 m³ = 8302.6953330 kg/m³
        let rho: f64 = 50.0 * 1.660_539_066_60e-27 / 10e-30;
        let vt = (50e9 / rho).sqrt();
        let vl = ((100e9 + 4.0 / 3.0 * 50e9) / rho).sqrt();
        let vm = (3.0 / (2.0 / vt.powi(3) + 1.0 / vl.powi(3))).cbrt();
        let n = 1.0 / 10e-30;
        let theta = 6.626_070_15e-34 / 1.380_649e-23 * (3.0 * n / (4.0 * std::f64::consts::PI)).cbrt() * vm;
        let got = debye_temperature(100.0, 50.0, 10.0, 50.0).unwrap();
        assert!((got / theta - 1.0).abs() < 1e-12, "{got} vs {theta}");
        // copper from its room-temperature elastic constants (C11 168.4, C12 121.4, C44 75.4 GPa:
        // Hill B 137.1, G 47.3), Ω = 11.81 Å³, m = 63.546 amu: Θ_D ≈ 343 K (the elastic Debye
        // temperature tabulated by Anderson 1963 and in Kittel, ch. 5, for Cu)
        let gv = (47.0 + 3.0 * 75.4) / 5.0;
        let gr = 5.0 / (4.0 / 47.0 + 3.0 / 75.4);
        let th = debye_temperature((168.4 + 2.0 * 121.4) / 3.0, 0.5 * (gv + gr), 11.81, 63.546).unwrap();
        assert!((th - 343.0).abs() < 0.03 * 343.0, "{th}");
    }

    #[test]
    fn features_present_only_when_inputs_are() {
        let p = PhysicsInputs { temperature_k: Some(300.0), t_melt_k: Some(1358.0), g_gpa: Some(48.0), k_gpa: Some(140.0), ..Default::default() };
        let v = physics_features(&p).unwrap();
        let names: Vec<&str> = v.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["pugh_G_over_B", "T_over_Tm"]);
        assert!((v[1].value - 300.0 / 1358.0).abs() < 1e-12);
        assert!(v.iter().all(|f| f.unit == "1" && f.scale == Scale::Physics));
        let full = PhysicsInputs {
            dh_ev: Some(1.28),
            e_gpa: Some(130.0),
            e_coh_ev: Some(-3.49),
            volume_a3: Some(11.81),
            mass_amu: Some(63.546),
            c11_c12_c44: Some([168.4, 121.4, 75.4]),
            ..p
        };
        let v = physics_features(&full).unwrap();
        assert_eq!(v.len(), 6);
        let th = v.iter().find(|f| f.name == "debye_theta_over_T").unwrap().value;
        assert!((th * 300.0 - debye_temperature(140.0, 48.0, 11.81, 63.546).unwrap()).abs() < 1e-9);
        assert!(physics_features(&PhysicsInputs { t_melt_k: Some(-1.0), ..p }).is_err());
    }
}
