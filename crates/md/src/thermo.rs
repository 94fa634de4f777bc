//! Thermodynamic output (LAMMPS `thermo`): one row per output step, written as CSV.
//!
//! Pressure follows LAMMPS: `P = (2 KE + tr W) / (3V)` and the pressure tensor
//! `P_ab = (Σ m v_a v_b + W_ab) / V` (compression positive), reported in GPa.

use crate::error::{Error, Result};
use crate::units::EV_PER_A3_IN_GPA;
use crate::velocities::{degrees_of_freedom, kinetic_tensor};
use crate::units::BOLTZMANN;
use serde::{Deserialize, Serialize};
use std::io::Write;

/// One thermo row. Column names carry their units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct ThermoRow {
    pub step: u64,
    pub time_ps: f64,
    pub temperature_K: f64,
    pub pe_eV: f64,
    pub ke_eV: f64,
    pub etotal_eV: f64,
    pub pressure_GPa: f64,
    pub pxx_GPa: f64,
    pub pyy_GPa: f64,
    pub pzz_GPa: f64,
    pub pyz_GPa: f64,
    pub pxz_GPa: f64,
    pub pxy_GPa: f64,
    pub volume_A3: f64,
}

/// CSV header matching [`ThermoRow`].
pub const THERMO_COLUMNS: [&str; 14] = [
    "step", "time_ps", "temperature_K", "pe_eV", "ke_eV", "etotal_eV", "pressure_GPa", "pxx_GPa", "pyy_GPa", "pzz_GPa",
    "pyz_GPa", "pxz_GPa", "pxy_GPa", "volume_A3",
];

impl ThermoRow {
    /// Compute a row from the state: masses (amu), velocities (Å/ps), potential energy (eV),
    /// virial (eV, Voigt) and volume (Å³).
    pub fn new(step: u64, time: f64, masses: &[f64], v: &[[f64; 3]], pe: f64, virial: &[f64; 6], volume: f64) -> Self {
        let kt = kinetic_tensor(masses, v);
        let ke = 0.5 * (kt[0] + kt[1] + kt[2]);
        let p = |k: usize| (kt[k] + virial[k]) / volume * EV_PER_A3_IN_GPA;
        ThermoRow {
            step,
            time_ps: time,
            temperature_K: 2.0 * ke / (degrees_of_freedom(masses.len()) * BOLTZMANN),
            pe_eV: pe,
            ke_eV: ke,
            etotal_eV: pe + ke,
            pressure_GPa: (kt[0] + kt[1] + kt[2] + virial[0] + virial[1] + virial[2]) / (3.0 * volume) * EV_PER_A3_IN_GPA,
            pxx_GPa: p(0),
            pyy_GPa: p(1),
            pzz_GPa: p(2),
            pyz_GPa: p(3),
            pxz_GPa: p(4),
            pxy_GPa: p(5),
            volume_A3: volume,
        }
    }

    /// Values in [`THERMO_COLUMNS`] order.
    pub fn values(&self) -> [f64; 14] {
        [
            self.step as f64,
            self.time_ps,
            self.temperature_K,
            self.pe_eV,
            self.ke_eV,
            self.etotal_eV,
            self.pressure_GPa,
            self.pxx_GPa,
            self.pyy_GPa,
            self.pzz_GPa,
            self.pyz_GPa,
            self.pxz_GPa,
            self.pxy_GPa,
            self.volume_A3,
        ]
    }
}

/// Write rows as CSV (full precision).
pub fn write_csv(path: &std::path::Path, rows: &[ThermoRow]) -> Result<()> {
    let io = |e| Error::Io { path: path.display().to_string(), source: e };
    let tmp = path.with_extension("csv.partial");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
        writeln!(f, "{}", THERMO_COLUMNS.join(",")).map_err(io)?;
        for r in rows {
            let v = r.values();
            let mut line = format!("{}", r.step);
            for x in &v[1..] {
                line.push_str(&format!(",{x:.17e}"));
            }
            writeln!(f, "{line}").map_err(io)?;
        }
        f.flush().map_err(io)?;
    }
    // atomic replace: an interrupted write never leaves a half-written file behind
    std::fs::rename(&tmp, path).map_err(io)
}
