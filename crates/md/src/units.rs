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
//! `force->boltz`, `force->mvv2e`, ...) so that results agree with LAMMPS to round-off.

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
