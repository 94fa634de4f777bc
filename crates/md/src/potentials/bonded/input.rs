//! LAMMPS input lines for a molecular system: the pair style (read by
//! [`crate::potentials::lammps_input`]), `bond_style`/`bond_coeff`, `angle_*`, `dihedral_*`,
//! `improper_*` ([`Bonded`]) and `special_bonds` ([`SpecialFactors`]), combined into one
//! potential over a [`Topology`]: the pair term, the bonded terms and the special-bonds
//! correction overlaid ([`crate::potentials::hybrid::Hybrid`]).

use super::special::{SpecialBonds, SpecialFactors};
use super::{Bonded, COMMANDS};
use crate::error::{Error, Result};
use crate::potentials::hybrid::Hybrid;
use crate::potentials::lj_cut::LennardJones;
use crate::potentials::Potential;
use crate::topology::Topology;
use std::path::PathBuf;
use std::sync::Arc;

/// Is `cmd` one of the commands this module reads?
pub fn is_molecular_command(cmd: &str) -> bool {
    cmd == "special_bonds" || COMMANDS.iter().any(|c| c.contains(&cmd))
}

/// The parts of a molecular LAMMPS input.
#[derive(Debug, Clone)]
pub struct MolecularPotential {
    /// The pair term (none without `pair_style` lines).
    pub pair: Option<Arc<dyn Potential>>,
    pub bonded: Arc<Bonded>,
    pub special: SpecialFactors,
    /// The special-bonds correction (present with an `lj/cut` pair term and factors below 1).
    pub special_correction: Option<Arc<SpecialBonds>>,
}

impl MolecularPotential {
    /// All terms overlaid as one potential.
    pub fn combined(&self) -> Result<Arc<dyn Potential>> {
        let mut m: Vec<Arc<dyn Potential>> = Vec::new();
        if let Some(p) = &self.pair {
            m.push(p.clone());
        }
        m.push(self.bonded.clone());
        if let Some(s) = &self.special_correction {
            m.push(s.clone());
        }
        Ok(Arc::new(Hybrid::new(m)?))
    }
}

/// Read `lines` for `topology`; `labels[t]` names atom type `t + 1` (the structure's species),
/// `symbols` are the per-atom species of the structure; `search` is where potential files are
/// looked for.
pub fn parse(source: &str, lines: &[String], topology: Arc<Topology>, labels: &[String], symbols: &[String], search: &[PathBuf]) -> Result<MolecularPotential> {
    let (mut mol, mut pair) = (Vec::new(), Vec::new());
    let mut special = SpecialFactors::default();
    for (k, line) in lines.iter().enumerate() {
        let w: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        match w.first() {
            Some(&"special_bonds") => {
                special = SpecialFactors::parse(&w[1..]).map_err(|e| Error::Parse { path: source.to_string(), line: k + 1, msg: e.to_string() })?;
                mol.push(String::new());
                pair.push(String::new());
            }
            Some(c) if is_molecular_command(c) => {
                mol.push(line.clone());
                pair.push(String::new());
            }
            _ => {
                mol.push(String::new());
                pair.push(line.clone());
            }
        }
    }
    let bonded = Arc::new(Bonded::from_lammps(&mol, topology.clone(), labels.to_vec()).map_err(|e| Error::Parse { path: source.to_string(), line: 0, msg: e.to_string() })?);
    let first = |l: &str| l.split('#').next().unwrap_or("").split_whitespace().map(String::from).collect::<Vec<String>>();
    // `pair_style zero` (LAMMPS's placeholder that only builds a neighbour list) contributes nothing.
    if pair.iter().any(|l| first(l).iter().take(2).map(String::as_str).eq(["pair_style", "zero"])) {
        if let Some(l) = pair.iter().find(|l| !first(l).is_empty() && !["pair_style", "pair_coeff"].contains(&first(l)[0].as_str())) {
            return Err(Error::invalid("LAMMPS input line", l.trim(), "with pair_style zero only pair_coeff lines may follow"));
        }
        pair.clear();
    }
    let has_pair = pair.iter().any(|l| first(l).first().map(String::as_str) == Some("pair_style"));
    if !has_pair {
        return Ok(MolecularPotential { pair: None, bonded, special, special_correction: None });
    }
    let input = crate::potentials::lammps_input::parse(source, &pair, labels, search, None)?;
    let pot = input.build()?;
    let has_special = !topology.special_pairs().is_empty() && special.lj.iter().any(|f| *f != 1.0);
    let special_correction = match pot.as_any().downcast_ref::<LennardJones>() {
        Some(lj) if has_special => Some(Arc::new(SpecialBonds::new(&topology, special, Arc::new(lj.clone()), symbols)?)),
        Some(_) => None,
        None if has_special => {
            return Err(Error::invalid(
                "special_bonds",
                format!("lj {:?}", special.lj),
                &format!("special-bond scaling is supported for pair_style lj/cut only, not {} (give special_bonds lj/coul 1 1 1 to switch it off)", pot.pair_style()),
            ))
        }
        None => None,
    };
    Ok(MolecularPotential { pair: Some(pot), bonded, special, special_correction })
}
