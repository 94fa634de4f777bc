//! The 6×6 stiffness toolbox of the elastic protocols: inverse, eigenvalues, derived moduli with
//! propagated errors.

use super::*;
use scalebridge_core::voigt;

/// Inverse of a 6×6 matrix (the core's Voigt toolbox); `None` if singular.
pub fn invert6(c: &[[f64; 6]; 6]) -> Option<[[f64; 6]; 6]> {
    voigt::invert(c)
}

/// Eigenvalues of a symmetric 6×6 matrix (the core's Voigt toolbox), ascending.
pub fn eigenvalues6(c: &[[f64; 6]; 6]) -> Vec<f64> {
    voigt::eigenvalues6(c)
}

/// The derived moduli of one stiffness matrix (GPa); `density` g/cm³, `number_density` 1/Å³.
fn moduli_values(c: &[[f64; 6]; 6], density: f64, number_density: f64) -> Option<BTreeMap<&'static str, f64>> {
    let vrh = voigt::Vrh::of(c)?;
    let (young, poisson) = vrh.young_poisson();
    let mut m = BTreeMap::new();
    m.insert("bulk_modulus_voigt", vrh.bulk_voigt);
    m.insert("bulk_modulus_reuss", vrh.bulk_reuss);
    m.insert("bulk_modulus_hill", vrh.bulk_hill);
    m.insert("shear_modulus_voigt", vrh.shear_voigt);
    m.insert("shear_modulus_reuss", vrh.shear_reuss);
    m.insert("shear_modulus_hill", vrh.shear_hill);
    m.insert("youngs_modulus", young);
    m.insert("poisson_ratio", poisson);
    m.insert("pugh_ratio", vrh.pugh_ratio());
    m.insert("zener_anisotropy", voigt::zener_anisotropy(c));
    m.insert("universal_anisotropy", vrh.universal_anisotropy());
    // sound velocities (m/s) and Debye temperature from Hill moduli
    if let Some(v) = voigt::SoundVelocities::of(vrh.bulk_hill, vrh.shear_hill, density) {
        m.insert("longitudinal_sound_velocity", v.longitudinal);
        m.insert("transverse_sound_velocity", v.transverse);
        m.insert("mean_sound_velocity", v.mean);
        m.insert("debye_temperature", v.debye_temperature(number_density));
    }
    Some(m)
}

fn unit_of(name: &str) -> &'static str {
    match name {
        "poisson_ratio" | "pugh_ratio" | "zener_anisotropy" | "universal_anisotropy" => "1",
        "debye_temperature" => "K",
        n if n.ends_with("velocity") => "m/s",
        _ => "GPa",
    }
}

/// Derived moduli of `c` (GPa) with standard errors propagated from `err` by sampling.
pub fn derived_moduli(c: &[[f64; 6]; 6], err: Option<&[[f64; 6]; 6]>, density: f64, number_density: f64) -> Result<Moduli> {
    let eig = eigenvalues6(c);
    let born_stable = eig.iter().all(|&e| e > 0.0);
    let base = moduli_values(c, density, number_density)
        .ok_or_else(|| Error::invalid("elastic constants", "C", "are singular; no compliance or moduli"))?;
    let mut sd: BTreeMap<&str, f64> = BTreeMap::new();
    if let Some(e) = err {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12345);
        let normal = Normal::new(0.0, 1.0).map_err(|x| Error::invalid("normal", 1, &x.to_string()))?;
        let draws = 400;
        let mut acc: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
        for _ in 0..draws {
            let mut cc = *c;
            for i in 0..6 {
                for j in i..6 {
                    let d = e[i][j] * normal.sample(&mut rng);
                    cc[i][j] += d;
                    if i != j {
                        cc[j][i] += d;
                    }
                }
            }
            if let Some(m) = moduli_values(&cc, density, number_density) {
                for (k, v) in m {
                    if v.is_finite() {
                        let a = acc.entry(k).or_insert((0.0, 0.0, 0));
                        a.0 += v;
                        a.1 += v * v;
                        a.2 += 1;
                    }
                }
            }
        }
        for (k, (s1, s2, n)) in acc {
            if n > 1 {
                let m = s1 / n as f64;
                sd.insert(k, ((s2 / n as f64 - m * m).max(0.0) * n as f64 / (n - 1) as f64).sqrt());
            }
        }
    }
    let quantities = base
        .into_iter()
        .map(|(k, v)| {
            let q = match (err, sd.get(k)) {
                (Some(_), Some(&s)) => Quantity::with_err(v, s, unit_of(k)),
                _ => Quantity::exact(v, unit_of(k)),
            };
            (k.to_string(), q)
        })
        .collect();
    Ok(Moduli { quantities, eigenvalues_gpa: eig, born_stable })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cubic(c11: f64, c12: f64, c44: f64) -> [[f64; 6]; 6] {
        let mut c = [[0.0; 6]; 6];
        for i in 0..3 {
            for j in 0..3 {
                c[i][j] = if i == j { c11 } else { c12 };
            }
            c[i + 3][i + 3] = c44;
        }
        c
    }

    #[test]
    fn cubic_moduli_have_closed_forms() {
        // Mishin Cu published constants
        let (c11, c12, c44) = (169.9, 122.6, 76.2);
        let m = derived_moduli(&cubic(c11, c12, c44), None, 8.93, 4.0 / 3.615f64.powi(3)).unwrap();
        let q = |k: &str| m.quantities[k].value;
        assert!((q("bulk_modulus_voigt") - (c11 + 2.0 * c12) / 3.0).abs() < 1e-9);
        assert!((q("bulk_modulus_reuss") - (c11 + 2.0 * c12) / 3.0).abs() < 1e-9);
        assert!((q("shear_modulus_voigt") - (c11 - c12 + 3.0 * c44) / 5.0).abs() < 1e-9);
        let gr = 5.0 * (c11 - c12) * c44 / (4.0 * c44 + 3.0 * (c11 - c12));
        assert!((q("shear_modulus_reuss") - gr).abs() < 1e-9);
        assert!((q("zener_anisotropy") - 2.0 * c44 / (c11 - c12)).abs() < 1e-12);
        assert!(m.born_stable);
        // Debye temperature of copper from elastic constants is ~ 340 K
        assert!((300.0..380.0).contains(&q("debye_temperature")), "{}", q("debye_temperature"));
        let ev = eigenvalues6(&cubic(c11, c12, c44));
        // cubic eigenvalues: C11+2C12, C11−C12 (×2), C44 (×3)
        let mut want = vec![c11 + 2.0 * c12, c11 - c12, c11 - c12, c44, c44, c44];
        want.sort_by(|a, b| a.total_cmp(b));
        for (a, b) in ev.iter().zip(&want) {
            assert!((a - b).abs() < 1e-9, "{ev:?}");
        }
        assert!(!derived_moduli(&cubic(100.0, 120.0, 50.0), None, 1.0, 0.1).unwrap().born_stable);
    }

    #[test]
    fn inverse_of_inverse() {
        let c = cubic(169.9, 122.6, 76.2);
        let s = invert6(&c).unwrap();
        let back = invert6(&s).unwrap();
        for i in 0..6 {
            for j in 0..6 {
                assert!((back[i][j] - c[i][j]).abs() < 1e-9);
            }
        }
        assert!(invert6(&[[0.0; 6]; 6]).is_none());
    }
}
