//! LAMMPS input lines for a molecular system: the pair style (read by
//! [`crate::potentials::lammps_input`]), `bond_style`/`bond_coeff`, `angle_*`, `dihedral_*`,
//! `improper_*` ([`Bonded`]) and `special_bonds` ([`SpecialFactors`]), combined into one
//! potential over a [`Topology`]: the pair term, the bonded terms and the special-bonds
//! correction overlaid ([`crate::potentials::hybrid::Hybrid`]).

use super::special::{CoulCorrection, SpecialBonds, SpecialFactors};
use super::{Bonded, COMMANDS};
use crate::error::{Error, Result};
use crate::potentials::hybrid::Hybrid;
use crate::potentials::kspace::CoulLong;
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
    // per-type charges for the reader (the first atom of each type; the Coulomb styles need one
    // per species), then the data file's per-atom charges given to coul/long
    let type_q: Option<Vec<f64>> = topology.charges.as_ref().map(|q| {
        (0..labels.len()).map(|t| topology.atom_types.iter().position(|&a| a == t).map(|i| q[i]).unwrap_or(0.0)).collect()
    });
    let input = crate::potentials::lammps_input::parse(source, &pair, labels, search, type_q)?;
    let pot = with_atom_charges(input.build()?, topology.charges.as_deref())?;
    let members: Vec<Arc<dyn Potential>> = match pot.as_any().downcast_ref::<Hybrid>() {
        Some(h) => h.members().to_vec(),
        None => vec![pot.clone()],
    };
    let lj = members.iter().find_map(|m| m.as_any().downcast_ref::<LennardJones>().cloned());
    let coul = members.iter().find_map(|m| m.as_any().downcast_ref::<CoulLong>().cloned());
    let other_coul = members.iter().find(|m| m.pair_style().contains("coul") && m.as_any().downcast_ref::<CoulLong>().is_none());
    let uniform = |q: &[f64]| (0..labels.len()).all(|t| {
        let mut v = topology.atom_types.iter().zip(q).filter(|(a, _)| **a == t).map(|(_, x)| *x);
        let first = v.next();
        v.all(|x| Some(x) == first)
    });
    if let (Some(m), Some(q)) = (other_coul, topology.charges.as_deref()) {
        if !uniform(q) {
            return Err(Error::invalid(
                "charges",
                "per-atom charges that differ within an atom type",
                &format!("{} takes one charge per atom type; per-atom charges are supported with coul/long (lj/cut/coul/long)", m.pair_style()),
            ));
        }
    }
    let special_pairs = !topology.special_pairs().is_empty();
    let lj_special = special_pairs && lj.is_some() && special.lj.iter().any(|f| *f != 1.0);
    let coul_special = special_pairs && coul.is_some() && special.coul.iter().any(|f| *f != 1.0);
    if special_pairs {
        let unsupported_lj = lj.is_none() && special.lj.iter().any(|f| *f != 1.0);
        let unsupported_coul = (other_coul.is_some() || coul.is_none() && topology.charges.is_some() && members.iter().any(|m| m.pair_style().contains("coul")))
            && special.coul.iter().any(|f| *f != 1.0);
        let pair_names: Vec<&str> = members.iter().map(|m| m.pair_style()).collect();
        let has_lj_like = members.iter().any(|m| !m.pair_style().contains("coul"));
        if (unsupported_lj && has_lj_like) || unsupported_coul {
            return Err(Error::invalid(
                "special_bonds",
                format!("lj {:?} coul {:?}", special.lj, special.coul),
                &format!(
                    "special-bond scaling is supported for lj/cut and coul/long (lj/cut/coul/long) only, not {} (give special_bonds lj/coul 1 1 1 to switch it off)",
                    pair_names.join(" + ")
                ),
            ));
        }
    }
    let special_correction = if lj_special || coul_special {
        let coul_corr = match (&coul, coul_special) {
            (Some(c), true) => {
                let q = c.atom_q.clone().ok_or_else(|| Error::invalid("charges", "none", "coul/long in a molecular system needs the per-atom charges of an atom_style full data file"))?;
                Some(CoulCorrection { q, cutoff: c.cutoff })
            }
            _ => None,
        };
        Some(Arc::new(SpecialBonds::new(&topology, special, if lj_special { lj.map(Arc::new) } else { None }, coul_corr, symbols)?))
    } else {
        None
    };
    Ok(MolecularPotential { pair: Some(pot), bonded, special, special_correction })
}

/// Give per-atom charges `q` to the `coul/long` of `pot` (itself or a `hybrid/overlay` member);
/// other potentials are returned unchanged.
fn with_atom_charges(pot: Arc<dyn Potential>, q: Option<&[f64]>) -> Result<Arc<dyn Potential>> {
    let Some(q) = q else { return Ok(pot) };
    if let Some(c) = pot.as_any().downcast_ref::<CoulLong>() {
        return Ok(Arc::new(c.with_atom_charges(q.to_vec())?));
    }
    if let Some(h) = pot.as_any().downcast_ref::<Hybrid>() {
        if h.members().iter().any(|m| m.as_any().downcast_ref::<CoulLong>().is_some()) {
            let members = h
                .members()
                .iter()
                .map(|m| match m.as_any().downcast_ref::<CoulLong>() {
                    Some(c) => Ok(Arc::new(c.with_atom_charges(q.to_vec())?) as Arc<dyn Potential>),
                    None => Ok(m.clone()),
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(Arc::new(Hybrid::new(members)?));
        }
    }
    Ok(pot)
}
