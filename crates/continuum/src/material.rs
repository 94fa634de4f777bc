//! Phase materials: elastic stiffness (GPa, Voigt 6×6 acting on engineering strains), thermal
//! conductivity (W/m/K, 3×3) and volumetric heat capacity (J/m³/K, only for transient heat).

use crate::error::{ContinuumError, Result};
use crate::linalg::{self, rotate_tensor2};
use scalebridge_core::voigt;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One phase of a microstructure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Name used in reports.
    pub name: String,
    /// Stiffness in GPa, Voigt order xx yy zz yz xz xy (engineering shear strains).
    pub stiffness_gpa: [[f64; 6]; 6],
    /// Thermal conductivity in W/m/K.
    pub conductivity_w_mk: [[f64; 3]; 3],
    /// Volumetric heat capacity ρ·c_p in J/m³/K (transient heat only; 0 = not given).
    pub heat_capacity_j_m3k: f64,
}

/// Isotropic Voigt stiffness from Young's modulus and Poisson's ratio.
pub fn isotropic_stiffness(e_gpa: f64, nu: f64) -> [[f64; 6]; 6] {
    let lam = e_gpa * nu / ((1.0 + nu) * (1.0 - 2.0 * nu));
    let mu = e_gpa / (2.0 * (1.0 + nu));
    let mut c = [[0.0; 6]; 6];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = lam;
        }
        c[i][i] = lam + 2.0 * mu;
        c[i + 3][i + 3] = mu;
    }
    c
}

/// Cubic Voigt stiffness from C11, C12, C44 (GPa).
pub fn cubic_stiffness(c11: f64, c12: f64, c44: f64) -> [[f64; 6]; 6] {
    let mut c = [[0.0; 6]; 6];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = if i == j { c11 } else { c12 };
        }
        c[i + 3][i + 3] = c44;
    }
    c
}

fn diag3(k: f64) -> [[f64; 3]; 3] {
    [[k, 0.0, 0.0], [0.0, k, 0.0], [0.0, 0.0, k]]
}

impl Material {
    /// Isotropic phase: Young's modulus `e_gpa` (GPa, 0 for a void), Poisson's ratio `nu`,
    /// conductivity `k_w_mk` (W/m/K). Validation happens in [`Material::validate`].
    pub fn isotropic(e_gpa: f64, nu: f64, k_w_mk: f64) -> Self {
        Material {
            name: format!("E={e_gpa}GPa,nu={nu}"),
            stiffness_gpa: isotropic_stiffness(e_gpa, nu),
            conductivity_w_mk: diag3(k_w_mk),
            heat_capacity_j_m3k: 0.0,
        }
    }

    /// A void (pore): zero stiffness and zero conductivity.
    pub fn void() -> Self {
        Material {
            name: "void".into(),
            stiffness_gpa: [[0.0; 6]; 6],
            conductivity_w_mk: [[0.0; 3]; 3],
            heat_capacity_j_m3k: 0.0,
        }
    }

    /// Conductivity of a phase given without one (W/m/K): it does not conduct heat.
    pub const DEFAULT_CONDUCTIVITY_W_MK: f64 = 0.0;

    /// Cubic single crystal in its crystal axes.
    pub fn cubic(c11: f64, c12: f64, c44: f64, k_w_mk: f64) -> Self {
        Material {
            name: format!("cubic C11={c11},C12={c12},C44={c44}"),
            stiffness_gpa: cubic_stiffness(c11, c12, c44),
            conductivity_w_mk: diag3(k_w_mk),
            heat_capacity_j_m3k: 0.0,
        }
    }

    /// General anisotropic phase.
    pub fn anisotropic(stiffness_gpa: [[f64; 6]; 6], conductivity_w_mk: [[f64; 3]; 3]) -> Self {
        Material { name: "anisotropic".into(), stiffness_gpa, conductivity_w_mk, heat_capacity_j_m3k: 0.0 }
    }

    /// Set the volumetric heat capacity (J/m³/K).
    pub fn with_heat_capacity(mut self, rho_cp: f64) -> Self {
        self.heat_capacity_j_m3k = rho_cp;
        self
    }

    /// Set the name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// True for a phase with no stiffness (a pore).
    pub fn is_void_elastic(&self) -> bool {
        self.stiffness_gpa.iter().flatten().all(|v| *v == 0.0)
    }

    /// True for a phase with no conductivity.
    pub fn is_void_thermal(&self) -> bool {
        self.conductivity_w_mk.iter().flatten().all(|v| *v == 0.0)
    }

    /// Check that the data are physical. `phase` only labels the error.
    pub fn validate(&self, phase: usize) -> Result<()> {
        let bad = |reason: String| Err(ContinuumError::InvalidMaterial { phase, reason });
        if self.stiffness_gpa.iter().flatten().chain(self.conductivity_w_mk.iter().flatten()).any(|v| !v.is_finite())
            || !self.heat_capacity_j_m3k.is_finite()
        {
            return bad(format!("{}: non-finite stiffness, conductivity or heat capacity", self.name));
        }
        if self.heat_capacity_j_m3k < 0.0 {
            return bad(format!("negative heat capacity {} J/m³/K", self.heat_capacity_j_m3k));
        }
        if !self.is_void_elastic() {
            for i in 0..6 {
                if self.stiffness_gpa[i][i] <= 0.0 {
                    return bad(format!(
                        "{}: diagonal stiffness C{}{} = {} GPa is not positive (negative modulus?)",
                        self.name,
                        i + 1,
                        i + 1,
                        self.stiffness_gpa[i][i]
                    ));
                }
            }
            if linalg::max_asymmetry(&self.stiffness_gpa) > 1e-9 {
                return bad(format!("{}: stiffness matrix is not symmetric", self.name));
            }
            if !linalg::is_positive_definite(&self.stiffness_gpa) {
                return bad(format!("{}: stiffness matrix is not positive definite", self.name));
            }
        }
        if !self.is_void_thermal() {
            if linalg::max_asymmetry(&self.conductivity_w_mk) > 1e-9 {
                return bad(format!("{}: conductivity tensor is not symmetric", self.name));
            }
            if !linalg::is_positive_definite(&self.conductivity_w_mk) {
                return bad(format!("{}: conductivity tensor is not positive definite (negative conductivity?)", self.name));
            }
        }
        Ok(())
    }

    /// The phase rotated by the rotation matrix `r` (crystal → sample frame): C' = R⊗R⊗R⊗R : C.
    pub fn rotated(&self, r: &[[f64; 3]; 3]) -> Material {
        let c = voigt::rotate(&self.stiffness_gpa, r);
        let mut m = self.clone();
        m.stiffness_gpa = c;
        linalg::symmetrize(&mut m.stiffness_gpa);
        m.conductivity_w_mk = rotate_tensor2(&self.conductivity_w_mk, r);
        m
    }

    /// Stiffness in Mandel notation (orthonormal basis, shear ×√2).
    pub(crate) fn mandel(&self) -> [[f64; 6]; 6] {
        linalg::voigt_to_mandel(&self.stiffness_gpa)
    }
}

/// Validate a phase table: non-empty, each phase physical.
pub fn validate_table(materials: &[Material]) -> Result<()> {
    if materials.is_empty() {
        return Err(ContinuumError::EmptyPhaseTable);
    }
    for (i, m) in materials.iter().enumerate() {
        m.validate(i)?;
    }
    Ok(())
}

/// Parse an isotropic phase spec `E=..,nu=..[,k=..][,rho_cp=..]` (E in GPa, k in W/m/K) or `void`.
pub fn parse_phase_spec(spec: &str) -> Result<Material> {
    let s = spec.trim();
    if s.eq_ignore_ascii_case("void") || s.eq_ignore_ascii_case("pore") {
        return Ok(Material::void());
    }
    let (mut e, mut nu, mut k, mut rc) = (None, None, None, 0.0);
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let (key, val) = part.split_once('=').ok_or_else(|| crate::error::invalid("phase", spec, "expected key=value pairs such as E=70,nu=0.3,k=150"))?;
        let v: f64 = val.trim().parse().map_err(|_| crate::error::invalid("phase", spec, &format!("value of {} is not a number", key.trim())))?;
        match key.trim().to_ascii_lowercase().as_str() {
            "e" | "e_gpa" => e = Some(v),
            "nu" => nu = Some(v),
            "k" | "kappa" | "k_w_mk" => k = Some(v),
            "rho_cp" => rc = v,
            other => return Err(crate::error::invalid("phase", spec, &format!("unknown key '{other}' (use E, nu, k, rho_cp)"))),
        }
    }
    let e = e.ok_or_else(|| crate::error::invalid("phase", spec, "gives no Young's modulus E (GPa); write e.g. E=70,nu=0.3"))?;
    let nu = nu.ok_or_else(|| crate::error::invalid("phase", spec, "gives no Poisson's ratio nu; write e.g. E=70,nu=0.3"))?;
    let k = k.unwrap_or(Material::DEFAULT_CONDUCTIVITY_W_MK);
    if e.is_nan() || e < 0.0 {
        return Err(ContinuumError::InvalidMaterial { phase: 0, reason: format!("Young's modulus E = {e} GPa must be ≥ 0 (spec '{spec}')") });
    }
    if nu.is_nan() || nu <= -1.0 || nu >= 0.5 {
        return Err(ContinuumError::InvalidMaterial { phase: 0, reason: format!("Poisson's ratio nu = {nu} must lie in (-1, 0.5) (spec '{spec}')") });
    }
    if k.is_nan() || k < 0.0 {
        return Err(ContinuumError::InvalidMaterial { phase: 0, reason: format!("conductivity k = {k} W/m/K must be ≥ 0 (spec '{spec}')") });
    }
    let mut m = Material::isotropic(e, nu, k).with_heat_capacity(rc);
    m.name = s.to_string();
    Ok(m)
}

/// Read a TOML phase file: a list of `[[phase]]` tables, each with `name` and either
/// `E_GPa` + `nu`, `cubic = [C11, C12, C44]` or `C_GPa` (6×6), and optionally `kappa_W_mK`
/// (scalar or 3×3) and `rho_cp` (J/m³/K).
pub fn read_phase_file(path: &Path) -> Result<Vec<Material>> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ContinuumError::Io { path: p.clone(), source })?;
    parse_phase_toml(&text, &p)
}

/// Parse the TOML text of a phase file (see [`read_phase_file`]).
pub fn parse_phase_toml(text: &str, path: &str) -> Result<Vec<Material>> {
    let perr = |msg: String| ContinuumError::Parse { path: path.to_string(), line: 0, msg };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count()).unwrap_or(0);
        ContinuumError::Parse { path: path.to_string(), line, msg: e.message().to_string() }
    })?;
    let phases = match table.get("phase") {
        Some(toml::Value::Array(a)) => a,
        _ => return Err(ContinuumError::EmptyPhaseTable),
    };
    if phases.is_empty() {
        return Err(ContinuumError::EmptyPhaseTable);
    }
    let num = |v: &toml::Value, what: &str| -> Result<f64> {
        match v {
            toml::Value::Float(f) => Ok(*f),
            toml::Value::Integer(i) => Ok(*i as f64),
            _ => Err(perr(format!("{what} must be a number"))),
        }
    };
    let mut out = Vec::new();
    for (idx, ph) in phases.iter().enumerate() {
        let t = ph.as_table().ok_or_else(|| perr(format!("phase {idx} is not a table")))?;
        let name = t.get("name").and_then(|v| v.as_str()).unwrap_or("phase").to_string();
        let mut c = None;
        if let Some(v) = t.get("C_GPa") {
            let rows = v.as_array().ok_or_else(|| perr(format!("phase {name}: C_GPa must be a 6×6 array")))?;
            if rows.len() != 6 {
                return Err(perr(format!("phase {name}: C_GPa has {} rows, expected 6", rows.len())));
            }
            let mut m = [[0.0; 6]; 6];
            for (i, r) in rows.iter().enumerate() {
                let r = r.as_array().filter(|r| r.len() == 6).ok_or_else(|| perr(format!("phase {name}: C_GPa row {i} must have 6 numbers")))?;
                for (j, x) in r.iter().enumerate() {
                    m[i][j] = num(x, "C_GPa entry")?;
                }
            }
            c = Some(m);
        } else if let Some(v) = t.get("cubic") {
            let a = v.as_array().filter(|a| a.len() == 3).ok_or_else(|| perr(format!("phase {name}: cubic must be [C11, C12, C44]")))?;
            c = Some(cubic_stiffness(num(&a[0], "C11")?, num(&a[1], "C12")?, num(&a[2], "C44")?));
        } else if let Some(v) = t.get("E_GPa") {
            let e = num(v, "E_GPa")?;
            let nu = num(t.get("nu").ok_or_else(|| perr(format!("phase {name}: E_GPa needs nu")))?, "nu")?;
            if e < 0.0 || nu <= -1.0 || nu >= 0.5 {
                return Err(ContinuumError::InvalidMaterial { phase: idx, reason: format!("{name}: E = {e} GPa, nu = {nu} are not physical") });
            }
            c = Some(isotropic_stiffness(e, nu));
        } else if t.get("void").and_then(|v| v.as_bool()) == Some(true) {
            c = Some([[0.0; 6]; 6]);
        }
        let c = c.ok_or_else(|| perr(format!("phase {name}: give C_GPa, cubic, E_GPa+nu or void = true")))?;
        let kappa = match t.get("kappa_W_mK") {
            None => [[0.0; 3]; 3],
            Some(toml::Value::Array(rows)) => {
                if rows.len() != 3 {
                    return Err(perr(format!("phase {name}: kappa_W_mK must be a number or 3×3")));
                }
                let mut k = [[0.0; 3]; 3];
                for (i, r) in rows.iter().enumerate() {
                    let r = r.as_array().filter(|r| r.len() == 3).ok_or_else(|| perr(format!("phase {name}: kappa_W_mK row {i} must have 3 numbers")))?;
                    for (j, x) in r.iter().enumerate() {
                        k[i][j] = num(x, "kappa entry")?;
                    }
                }
                k
            }
            Some(v) => diag3(num(v, "kappa_W_mK")?),
        };
        let rc = match t.get("rho_cp") {
            Some(v) => num(v, "rho_cp")?,
            None => 0.0,
        };
        let m = Material { name, stiffness_gpa: c, conductivity_w_mk: kappa, heat_capacity_j_m3k: rc };
        m.validate(idx)?;
        out.push(m);
    }
    Ok(out)
}
