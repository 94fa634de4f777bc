//! The 6×6 stiffness toolbox of the elastic protocols: inverse, eigenvalues, derived moduli with
//! propagated errors.

use super::*;

/// Inverse of a 6×6 matrix by Gauss–Jordan with partial pivoting; `None` if singular.
pub fn invert6(c: &[[f64; 6]; 6]) -> Option<[[f64; 6]; 6]> {
    let mut a = *c;
    let mut inv = [[0.0; 6]; 6];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let scale = c.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..6 {
        let piv = (col..6).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, piv);
        inv.swap(col, piv);
        let d = a[col][col];
        for k in 0..6 {
            a[col][k] /= d;
            inv[col][k] /= d;
        }
        for r in 0..6 {
            if r != col {
                let f = a[r][col];
                for k in 0..6 {
                    a[r][k] -= f * a[col][k];
                    inv[r][k] -= f * inv[col][k];
                }
            }
        }
    }
    Some(inv)
}

/// Eigenvalues of a symmetric 6×6 matrix (cyclic Jacobi), ascending.
pub fn eigenvalues6(c: &[[f64; 6]; 6]) -> Vec<f64> {
    let mut a = *c;
    for _sweep in 0..100 {
        let off: f64 = (0..6).flat_map(|i| (0..6).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i][j] * a[i][j]).sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..6 {
            for q in p + 1..6 {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cs = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * cs;
                for k in 0..6 {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = cs * akp - sn * akq;
                    a[k][q] = sn * akp + cs * akq;
                }
                for k in 0..6 {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = cs * apk - sn * aqk;
                    a[q][k] = sn * apk + cs * aqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..6).map(|i| a[i][i]).collect();
    ev.sort_by(|x, y| x.total_cmp(y));
    ev
}

/// The derived moduli of one stiffness matrix (GPa); `density` g/cm³, `number_density` 1/Å³.
fn moduli_values(c: &[[f64; 6]; 6], density: f64, number_density: f64) -> Option<BTreeMap<&'static str, f64>> {
    let s = invert6(c)?;
    let bv = ((c[0][0] + c[1][1] + c[2][2]) + 2.0 * (c[0][1] + c[1][2] + c[0][2])) / 9.0;
    let gv = ((c[0][0] + c[1][1] + c[2][2]) - (c[0][1] + c[1][2] + c[0][2]) + 3.0 * (c[3][3] + c[4][4] + c[5][5])) / 15.0;
    let br = 1.0 / ((s[0][0] + s[1][1] + s[2][2]) + 2.0 * (s[0][1] + s[1][2] + s[0][2]));
    let gr = 15.0 / (4.0 * (s[0][0] + s[1][1] + s[2][2]) - 4.0 * (s[0][1] + s[1][2] + s[0][2]) + 3.0 * (s[3][3] + s[4][4] + s[5][5]));
    let (b, g) = (0.5 * (bv + br), 0.5 * (gv + gr));
    let young = 9.0 * b * g / (3.0 * b + g);
    let poisson = (3.0 * b - 2.0 * g) / (2.0 * (3.0 * b + g));
    let mut m = BTreeMap::new();
    m.insert("bulk_modulus_voigt", bv);
    m.insert("bulk_modulus_reuss", br);
    m.insert("bulk_modulus_hill", b);
    m.insert("shear_modulus_voigt", gv);
    m.insert("shear_modulus_reuss", gr);
    m.insert("shear_modulus_hill", g);
    m.insert("youngs_modulus", young);
    m.insert("poisson_ratio", poisson);
    m.insert("pugh_ratio", g / b);
    m.insert("zener_anisotropy", 2.0 * c[3][3] / (c[0][0] - c[0][1]));
    m.insert("universal_anisotropy", 5.0 * gv / gr + bv / br - 6.0);
    // sound velocities (m/s) from Hill moduli: GPa / (g/cm³) = 1e6 m²/s²
    if b > 0.0 && g > 0.0 && density > 0.0 {
        let vl = ((b + 4.0 * g / 3.0) / density * 1e6).sqrt();
        let vt = (g / density * 1e6).sqrt();
        let vm = (3.0 / (2.0 / vt.powi(3) + 1.0 / vl.powi(3))).cbrt();
        const H: f64 = 6.626_070_15e-34;
        const KB: f64 = 1.380_649e-23;
        let n = number_density * 1e30; // 1/m³
        m.insert("longitudinal_sound_velocity", vl);
        m.insert("transverse_sound_velocity", vt);
        m.insert("mean_sound_velocity", vm);
        m.insert("debye_temperature", H / KB * (3.0 * n / (4.0 * std::f64::consts::PI)).cbrt() * vm);
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
