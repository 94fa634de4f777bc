//! `kspace_style` and `kspace_modify` of the LAMMPS input reader (a child of [`super`]), for
//! `coul/long` (alone, in `buck/coul/long`, or as a `hybrid/overlay` member).
//!
//! - `kspace_style ewald ACC` / `kspace_style pppm ACC` (accelerator suffixes accepted);
//! - `kspace_modify gewald G`, `mesh NX NY NZ` (0 0 0 = automatic), `order P`,
//!   `kmax/ewald KX KY KZ` (0 0 0 = automatic); any other keyword is an error naming it.
//!
//! A `coul/long` style without a `kspace_style`, or a `kspace_style` without `coul/long`, is an
//! error (as in LAMMPS).

use super::{base_style, Line, LammpsPotential};
use crate::error::{Error, Result};
use crate::potentials::kspace::{KSpaceSettings, KSpaceStyle};
use crate::potentials::spec::PotentialSpec;
use crate::potentials::spec_ionic::CoulStyle;

/// `kspace_style NAME ACC`.
pub(super) fn style(line: &Line) -> Result<KSpaceSettings> {
    let w = &line.words;
    let whole = w.join(" ");
    let name = w.get(1).map(|s| base_style(s)).unwrap_or("");
    let style = match name {
        "ewald" => KSpaceStyle::Ewald,
        "pppm" => KSpaceStyle::Pppm,
        "none" => return Err(line.err(format!("{whole}: kspace_style none with coul/long is not a complete Coulomb interaction"))),
        other => return Err(line.err(format!("{whole}: kspace_style '{other}' is not supported (ewald, pppm)"))),
    };
    if w.len() != 3 {
        return Err(line.err(format!("{whole}: expected kspace_style {name} ACCURACY")));
    }
    let acc = line.number(2, "accuracy")?.abs();
    let k = KSpaceSettings::new(style, acc);
    k.validate().map_err(|e| line.err(format!("{whole}: {e}")))?;
    Ok(k)
}

/// `kspace_modify key values ...` applied to `k`.
pub(super) fn modify(line: &Line, k: &mut Option<KSpaceSettings>) -> Result<()> {
    let w = &line.words;
    let whole = w.join(" ");
    let Some(k) = k.as_mut() else {
        return Err(line.err(format!("{whole}: kspace_modify before kspace_style")));
    };
    let int = |i: usize, what: &str| -> Result<usize> {
        let v = line.number(i, what)?;
        if v < 0.0 || v.fract() != 0.0 {
            return Err(line.err(format!("{whole}: {what} must be a non-negative integer")));
        }
        Ok(v as usize)
    };
    let mut i = 1;
    while i < w.len() {
        match w[i].as_str() {
            "gewald" => {
                let g = line.number(i + 1, "gewald")?;
                k.gewald = if g == 0.0 { None } else { Some(g) };
                i += 2;
            }
            "order" => {
                k.order = int(i + 1, "order")?;
                i += 2;
            }
            "mesh" => {
                let m = [int(i + 1, "mesh x")?, int(i + 2, "mesh y")?, int(i + 3, "mesh z")?];
                k.mesh = match m {
                    [0, 0, 0] => None,
                    m if m.contains(&0) => return Err(line.err(format!("{whole}: mesh parameters must be all zero or all positive"))),
                    m => Some(m),
                };
                i += 4;
            }
            "kmax/ewald" => {
                let m = [int(i + 1, "kx")?, int(i + 2, "ky")?, int(i + 3, "kz")?];
                k.kmax_ewald = if m.contains(&0) { None } else { Some(m) };
                i += 4;
            }
            other => {
                return Err(line.err(format!("{whole}: kspace_modify keyword '{other}' is not supported (gewald, mesh, order, kmax/ewald)")))
            }
        }
    }
    k.validate().map_err(|e| line.err(format!("{whole}: {e}")))
}

/// Give the k-space settings to every `coul/long` of the potential; an error if one has none
/// or if settings were given without a `coul/long`.
/// `line` is the number of the `kspace_style` line (0 when there is none), named in errors.
pub(super) fn attach(source: &str, line: usize, potential: &mut LammpsPotential, k: Option<KSpaceSettings>) -> Result<()> {
    fn walk(spec: &mut PotentialSpec, k: &Option<KSpaceSettings>, found: &mut bool) -> Result<()> {
        match spec {
            PotentialSpec::Coulomb(c) if c.style == CoulStyle::Long => {
                *found = true;
                c.kspace = k.clone();
                if c.kspace.is_none() {
                    return Err(Error::invalid("coul/long", "no kspace_style", "coul/long needs a k-space solver: add kspace_style ewald|pppm ACCURACY"));
                }
                Ok(())
            }
            PotentialSpec::Hybrid { styles, .. } => styles.iter_mut().try_for_each(|s| walk(s, k, found)),
            _ => Ok(()),
        }
    }
    let mut found = false;
    if let LammpsPotential::Spec(spec) = potential {
        walk(spec, &k, &mut found).map_err(|e| Error::Parse { path: source.to_string(), line, msg: e.to_string() })?;
    }
    if k.is_some() && !found {
        return Err(Error::Parse {
            path: source.to_string(),
            line,
            msg: "kspace_style needs a pair style with long-range Coulomb (coul/long, buck/coul/long, or coul/long in hybrid/overlay)".into(),
        });
    }
    Ok(())
}
