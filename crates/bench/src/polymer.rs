//! `bench md --case polymer`: a united-atom polyethylene melt (TraPPE-UA with flexible bonds,
//! `scalebridge_md::topology::builders::polyethylene`): 300 chains of 100 united atoms (30,000
//! atoms with bonds, angles and dihedrals) per unit of `scale`, 0.75 g/cm³, LJ cutoff 14 Å,
//! `special_bonds lj 0 0 0`, NVE at 450 K, Δt = 1 fs, skin 2 Å, `neigh_modify every 1 delay 0
//! check yes`. LAMMPS reads the same data file (`atom_style molecular`, with the velocities).

use crate::md::MdCase;
use scalebridge_md::cell::Vec3;
use scalebridge_md::prelude::*;
use scalebridge_md::topology::builders::Polyethylene;
use std::io::Write;

pub fn polymer_case(scale: usize) -> Result<MdCase, String> {
    let spec = Polyethylene { chains: 300 * scale, length: 100, density_g_cm3: 0.75, cutoff_a: 14.0, seed: 30_000, ..Polyethylene::default() };
    let sys = spec.build().map_err(|e| e.to_string())?;
    let potential = sys.potential().map_err(|e| e.to_string())?;
    let mut commands = sys.lammps.clone();
    commands.extend(["neighbor 2.0 bin", "neigh_modify every 1 delay 0 check yes", "timestep 0.001", "fix 1 all nve"].map(String::from));
    Ok(MdCase {
        structure: sys.structure,
        potential,
        timestep: 0.001,
        skin: 2.0,
        policy: RebuildPolicy { every: 1, check: true },
        temperature: 450.0,
        seed: 45_001,
        npt: None,
        lammps_commands: commands,
        lammps_pre_commands: vec!["atom_style molecular".into()],
        data_charges: None,
        topology: Some(sys.topology),
    })
}

/// The molecular data file of `case` with the velocities `v0` (Å/ps) appended.
pub fn write_molecular_data(path: &std::path::Path, case: &MdCase, v0: &[Vec3]) -> Result<(), String> {
    let topo = case.topology.as_ref().ok_or("the case has no topology")?;
    scalebridge_md::topology::data_file::write(path, &case.structure, topo).map_err(|e| e.to_string())?;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| e.to_string())?;
    let mut t = String::from("\nVelocities\n\n");
    for (i, v) in v0.iter().enumerate() {
        t.push_str(&format!("{} {:.17e} {:.17e} {:.17e}\n", i + 1, v[0], v[1], v[2]));
    }
    f.write_all(t.as_bytes()).map_err(|e| e.to_string())
}
