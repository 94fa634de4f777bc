//! Continuum columns: effective moduli and elastic anisotropy of a stiffness (GPa, Voigt order
//! xx yy zz yz xz xy), and statistics of von Mises stress/strain fields (e.g. the voxel fields
//! of a homogenisation load case).

use crate::error::{FeatureError, Result};
use crate::table::{Feature, Scale};
use scalebridge_core::voigt::{Stiffness, Vrh};

/// Voigt, Reuss and Hill bulk and shear moduli, Hill Young's modulus and Poisson ratio, and the
/// universal anisotropy index A^U = 5 G_V/G_R + K_V/K_R − 6 of `c` (GPa), named `{prefix}K_V_GPa`,
/// ..., `{prefix}anisotropy_AU`, scale continuum. Error if `c` is not finite or singular.
pub fn stiffness_features(c: &Stiffness, prefix: &str) -> Result<Vec<Feature>> {
    if c.iter().flatten().any(|x| !x.is_finite()) {
        return Err(FeatureError::param("C_GPa", format!("{c:?}"), "has non-finite entries"));
    }
    let v = Vrh::of(c).ok_or_else(|| FeatureError::param("C_GPa", format!("{c:?}"), "is singular (no compliance)"))?;
    let (e, nu) = v.young_poisson();
    let f = |n: &str, x: f64, u: &str| Feature::new(format!("{prefix}{n}"), x, u, Scale::Continuum);
    Ok(vec![
        f("K_V_GPa", v.bulk_voigt, "GPa"),
        f("K_R_GPa", v.bulk_reuss, "GPa"),
        f("K_H_GPa", v.bulk_hill, "GPa"),
        f("G_V_GPa", v.shear_voigt, "GPa"),
        f("G_R_GPa", v.shear_reuss, "GPa"),
        f("G_H_GPa", v.shear_hill, "GPa"),
        f("E_H_GPa", e, "GPa"),
        f("nu_H", nu, "1"),
        f("anisotropy_AU", v.universal_anisotropy(), "1"),
    ])
}

/// von Mises equivalent stress of a Voigt stress (xx yy zz yz xz xy).
pub fn von_mises_stress(s: &[f64; 6]) -> f64 {
    let [xx, yy, zz, yz, xz, xy] = *s;
    (0.5 * ((xx - yy).powi(2) + (yy - zz).powi(2) + (zz - xx).powi(2)) + 3.0 * (yz * yz + xz * xz + xy * xy)).sqrt()
}

/// von Mises equivalent strain sqrt(2/3 e':e') of a Voigt strain with engineering shears
/// (γ = 2ε), xx yy zz yz xz xy.
pub fn von_mises_strain(e: &[f64; 6]) -> f64 {
    let tr = (e[0] + e[1] + e[2]) / 3.0;
    let d = [e[0] - tr, e[1] - tr, e[2] - tr];
    let dd = d.iter().map(|x| x * x).sum::<f64>() + 2.0 * (e[3] * e[3] + e[4] * e[4] + e[5] * e[5]) / 4.0;
    (2.0 / 3.0 * dd).sqrt()
}

/// Mean, population standard deviation, maximum and 95th percentile (linear interpolation
/// between order statistics) of a field, named `{name}_mean`, `_std`, `_max`, `_p95`.
pub fn field_statistics(name: &str, unit: &str, scale: Scale, values: &[f64]) -> Result<Vec<Feature>> {
    if values.is_empty() {
        return Err(FeatureError::param("field", name, "is empty"));
    }
    if let Some(i) = values.iter().position(|x| !x.is_finite()) {
        return Err(FeatureError::param("field", name, &format!("value {i} is {} (not finite)", values[i])));
    }
    crate::table::check_unit(name, unit)?;
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = 0.95 * (n - 1.0);
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    let p95 = s[lo] + frac * (s[(lo + 1).min(s.len() - 1)] - s[lo]);
    let f = |suffix: &str, x: f64| Feature::new(format!("{name}_{suffix}"), x, unit, scale);
    Ok(vec![f("mean", mean), f("std", sd), f("max", s[s.len() - 1]), f("p95", p95)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_core::voigt::{cubic, isotropic};

    fn get(v: &[Feature], n: &str) -> f64 {
        v.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}")).value
    }

    #[test]
    fn isotropic_and_cubic_moduli_by_hand() {
        // isotropic K = 100, G = 50: all averages coincide, E = 9KG/(3K+G) = 128.57.., ν = 0.2857..
        let v = stiffness_features(&isotropic(100.0, 50.0), "eff_").unwrap();
        for n in ["eff_K_V_GPa", "eff_K_R_GPa", "eff_K_H_GPa"] {
            assert!((get(&v, n) - 100.0).abs() < 1e-9);
        }
        assert!((get(&v, "eff_G_R_GPa") - 50.0).abs() < 1e-9);
        assert!((get(&v, "eff_E_H_GPa") - 9.0 * 100.0 * 50.0 / 350.0).abs() < 1e-9);
        assert!((get(&v, "eff_nu_H") - (300.0 - 100.0) / (2.0 * 350.0)).abs() < 1e-12);
        assert!(get(&v, "eff_anisotropy_AU").abs() < 1e-12);
        // cubic Cu (C11 168.4, C12 121.4, C44 75.4): G_V = (C11−C12+3C44)/5, G_R = 5/(4/(C11−C12)+3/C44)
        let v = stiffness_features(&cubic(168.4, 121.4, 75.4), "").unwrap();
        let gv = (47.0 + 3.0 * 75.4) / 5.0;
        let gr = 5.0 / (4.0 / 47.0 + 3.0 / 75.4);
        assert!((get(&v, "G_V_GPa") - gv).abs() < 1e-9 && (get(&v, "G_R_GPa") - gr).abs() < 1e-9);
        assert!((get(&v, "K_H_GPa") - (168.4 + 2.0 * 121.4) / 3.0).abs() < 1e-9);
        assert!((get(&v, "anisotropy_AU") - (5.0 * gv / gr - 5.0)).abs() < 1e-9);
        assert!(v.iter().all(|f| f.scale == Scale::Continuum));
        assert!(stiffness_features(&[[0.0; 6]; 6], "").is_err());
    }

    #[test]
    fn von_mises_by_hand() {
        assert!((von_mises_stress(&[2.0, 0.0, 0.0, 0.0, 0.0, 0.0]) - 2.0).abs() < 1e-12);
        assert!((von_mises_stress(&[0.0, 0.0, 0.0, 0.0, 0.0, 1.5]) - 3f64.sqrt() * 1.5).abs() < 1e-12);
        assert!(von_mises_stress(&[-4.0, -4.0, -4.0, 0.0, 0.0, 0.0]).abs() < 1e-12);
        // incompressible uniaxial strain (e, −e/2, −e/2) has equivalent strain e
        assert!((von_mises_strain(&[0.01, -0.005, -0.005, 0.0, 0.0, 0.0]) - 0.01).abs() < 1e-12);
        // simple shear γ: equivalent strain γ/√3
        assert!((von_mises_strain(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.03]) - 0.03 / 3f64.sqrt()).abs() < 1e-12);
        let v = field_statistics("vm", "GPa", Scale::Continuum, &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(get(&v, "vm_mean"), 3.0);
        assert!((get(&v, "vm_std") - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(get(&v, "vm_max"), 5.0);
        assert!((get(&v, "vm_p95") - 4.8).abs() < 1e-12);
        assert!(field_statistics("vm", "GPa", Scale::Continuum, &[]).is_err());
        assert!(field_statistics("vm", "GPa", Scale::Continuum, &[f64::NAN]).is_err());
    }
}
