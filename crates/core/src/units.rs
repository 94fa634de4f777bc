//! Units. Everything inside scalebridge is in LAMMPS *metal* units:
//!
//! | quantity | unit |
//! |---|---|
//! | length | Å |
//! | energy | eV |
//! | time | ps |
//! | mass | amu (g/mol) |
//! | temperature | K |
//! | force | eV/Å |
//! | velocity | Å/ps |
//! | stress (internal) | eV/Å³ |
//!
//! Reported stresses and moduli are in GPa. The constants are LAMMPS's own (`update.cpp`,
//! `force->boltz`, `force->mvv2e`, ...) so that results agree with LAMMPS to round-off. This
//! module is the one source of these numbers: the Python package reads them from the extension
//! (`scalebridge._scalebridge.units`), never from its own literals.

/// Boltzmann constant, eV/K (LAMMPS metal `boltz`).
pub const BOLTZMANN: f64 = 8.617343e-5;
/// amu·Å²/ps² → eV (LAMMPS metal `mvv2e`).
pub const MVV2E: f64 = 1.0364269e-4;
/// (eV/Å)/amu → Å/ps² (LAMMPS metal `ftm2v`).
pub const FTM2V: f64 = 1.0 / 1.0364269e-4;
/// eV/Å³ → bar (LAMMPS metal `nktv2p`).
pub const EV_PER_A3_IN_BAR: f64 = 1.6021765e6;
/// eV/Å³ → GPa (1 GPa = 1e4 bar).
pub const EV_PER_A3_IN_GPA: f64 = 1.6021765e6 / 1.0e4;
/// Default MD time step for metals, ps (LAMMPS metal default 0.001 ps = 1 fs).
pub const DEFAULT_TIMESTEP: f64 = 0.001;
/// Thermal conductivity eV/(ps·Å·K) → W/(m·K) (1.6021765e-19 J / (1e-12 s · 1e-10 m)).
pub const EV_PER_PS_A_K_IN_W_PER_M_K: f64 = 1.6021765e3;
/// Mass density amu/Å³ → g/cm³ (1 amu = 1.66053906660e-24 g, 1 Å³ = 1e-24 cm³; CODATA 2018).
pub const AMU_PER_A3_IN_G_PER_CM3: f64 = 1.660_539_066_60;
/// Planck constant, J·s (SI, exact).
pub const PLANCK_J_S: f64 = 6.626_070_15e-34;
/// Boltzmann constant, J/K (SI, exact).
pub const BOLTZMANN_J_PER_K: f64 = 1.380_649e-23;
/// Modulus over mass density GPa/(g/cm³) → m²/s² (a squared sound velocity).
pub const GPA_PER_G_CM3_IN_M2_PER_S2: f64 = 1e6;
/// Number density 1/Å³ → 1/m³.
pub const PER_A3_IN_PER_M3: f64 = 1e30;

/// Every constant above by its name, for the bindings (Python reads this table).
pub const ALL: &[(&str, f64)] = &[
    ("BOLTZMANN", BOLTZMANN),
    ("MVV2E", MVV2E),
    ("FTM2V", FTM2V),
    ("EV_PER_A3_IN_BAR", EV_PER_A3_IN_BAR),
    ("EV_PER_A3_IN_GPA", EV_PER_A3_IN_GPA),
    ("DEFAULT_TIMESTEP", DEFAULT_TIMESTEP),
    ("EV_PER_PS_A_K_IN_W_PER_M_K", EV_PER_PS_A_K_IN_W_PER_M_K),
    ("AMU_PER_A3_IN_G_PER_CM3", AMU_PER_A3_IN_G_PER_CM3),
    ("PLANCK_J_S", PLANCK_J_S),
    ("BOLTZMANN_J_PER_K", BOLTZMANN_J_PER_K),
    ("GPA_PER_G_CM3_IN_M2_PER_S2", GPA_PER_G_CM3_IN_M2_PER_S2),
    ("PER_A3_IN_PER_M3", PER_A3_IN_PER_M3),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metal_constants_are_consistent_with_si() {
        // 1 eV/Å³ = e·1e30 Pa with e = 1.6021765e-19 C (LAMMPS's value): 160.21765 GPa.
        assert!((EV_PER_A3_IN_GPA - 160.21765).abs() < 1e-9);
        // mvv2e = amu·Å²/ps² in eV = 1.66053886e-27 kg · 1e4 m²/s² / 1.6021765e-19 J.
        assert!((MVV2E - 1.66053886e-27 * 1e4 / 1.6021765e-19).abs() / MVV2E < 1e-7);
        assert!((FTM2V * MVV2E - 1.0).abs() < 1e-15);
        // k_B in eV/K from the SI value (LAMMPS keeps its older 8.617343e-5: within 2e-6).
        assert!((BOLTZMANN - BOLTZMANN_J_PER_K / 1.602176634e-19).abs() / BOLTZMANN < 2e-6);
        // W/(m·K) factor = e / (1e-12 s · 1e-10 m)
        assert!((EV_PER_PS_A_K_IN_W_PER_M_K - 1.6021765e-19 / 1e-22).abs() < 1e-9);
    }

    #[test]
    fn table_lists_every_constant_once() {
        let mut names: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(ALL.len(), 12);
    }
}
