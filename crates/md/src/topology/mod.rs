//! Molecular topology: bonds, angles, dihedrals and impropers with their LAMMPS types, molecule
//! ids, per-atom charges and LAMMPS atom types, as read from and written to LAMMPS data files with
//! `atom_style full` (`id mol type q x y z`) or `molecular` (`id mol type x y z`)
//! ([`data_file`]).
//!
//! Atoms are indexed 0..N in the data file's `Atoms` order (the same order as the
//! [`crate::structure::Structure`] read with it); term types are 0-based (LAMMPS type − 1).
//! The force-field sections of the file (`Pair Coeffs`, `Bond Coeffs`, ...) are kept verbatim so
//! that the bonded styles ([`crate::potentials::bonded`]) can take their coefficients from them
//! and a written file carries them again.

pub mod analysis;
pub mod builders;
pub mod data_file;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One bonded term: its type (0-based) and its atoms (0-based indices, LAMMPS order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term<const N: usize> {
    pub kind: usize,
    #[serde(with = "serde_arrays")]
    pub atoms: [usize; N],
}

mod serde_arrays {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer, const N: usize>(a: &[usize; N], s: S) -> Result<S::Ok, S::Error> {
        a.as_slice().serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[usize; N], D::Error> {
        let v = Vec::<usize>::deserialize(d)?;
        v.try_into().map_err(|v: Vec<usize>| serde::de::Error::custom(format!("expected {N} atoms, found {}", v.len())))
    }
}

/// The molecular atom styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MolecularStyle {
    /// `id mol type q x y z [ix iy iz]`.
    Full,
    /// `id mol type x y z [ix iy iz]`.
    Molecular,
}

impl MolecularStyle {
    /// The LAMMPS name.
    pub fn name(&self) -> &'static str {
        match self {
            MolecularStyle::Full => "full",
            MolecularStyle::Molecular => "molecular",
        }
    }
}

impl std::str::FromStr for MolecularStyle {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "full" => Ok(MolecularStyle::Full),
            "molecular" => Ok(MolecularStyle::Molecular),
            other => Err(Error::invalid("atom style", other, "molecular styles are full and molecular")),
        }
    }
}

/// A force-field section of a data file (`Bond Coeffs`, ...), kept verbatim: the style named
/// in its `# style` comment (if any) and one row of words per type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CoeffSection {
    pub style: Option<String>,
    /// `(type (1-based), words after the type)`, in file order.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Bonds, angles, dihedrals, impropers and per-atom molecular data of a structure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub style: MolecularStyle,
    /// LAMMPS atom type − 1 of every atom.
    pub atom_types: Vec<usize>,
    /// Mass of every atom type, amu (the `Masses` section).
    pub type_masses: Vec<f64>,
    /// Molecule id of every atom.
    pub molecule: Vec<i64>,
    /// Charge of every atom, e (`full` only).
    pub charges: Option<Vec<f64>>,
    pub bonds: Vec<Term<2>>,
    pub angles: Vec<Term<3>>,
    pub dihedrals: Vec<Term<4>>,
    pub impropers: Vec<Term<4>>,
    /// Numbers of bond, angle, dihedral and improper types (header lines).
    pub n_term_types: [usize; 4],
    /// Force-field sections by name (`"Pair Coeffs"`, `"Bond Coeffs"`, ...), in file order.
    pub coeffs: Vec<(String, CoeffSection)>,
}

/// The four kinds of bonded term, in data-file order.
pub const TERM_KINDS: [&str; 4] = ["bond", "angle", "dihedral", "improper"];

impl Topology {
    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.atom_types.len()
    }
    /// True without atoms.
    pub fn is_empty(&self) -> bool {
        self.atom_types.is_empty()
    }
    /// Numbers of bonds, angles, dihedrals and impropers.
    pub fn counts(&self) -> [usize; 4] {
        [self.bonds.len(), self.angles.len(), self.dihedrals.len(), self.impropers.len()]
    }
    /// A force-field section by name.
    pub fn coeff_section(&self, name: &str) -> Option<&CoeffSection> {
        self.coeffs.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// Check indices and types (every atom index < N, every term type < its count, no atom twice
    /// in one term, per-atom arrays of length N).
    pub fn validate(&self) -> Result<()> {
        let n = self.len();
        if self.molecule.len() != n {
            return Err(Error::Shape(format!("{} molecule ids for {n} atoms", self.molecule.len())));
        }
        if let Some(q) = &self.charges {
            if q.len() != n {
                return Err(Error::Shape(format!("{} charges for {n} atoms", q.len())));
            }
            if let Some(i) = q.iter().position(|x| !x.is_finite()) {
                return Err(Error::NonFinite { what: "charge".into(), index: i });
            }
        }
        if let Some((i, t)) = self.atom_types.iter().enumerate().find(|(_, t)| **t >= self.type_masses.len()) {
            return Err(Error::invalid("atom type", t + 1, &format!("atom {i} has a type beyond the {} atom types", self.type_masses.len())));
        }
        fn check<const N: usize>(what: &str, terms: &[Term<N>], n: usize, ntypes: usize) -> Result<()> {
            for (k, t) in terms.iter().enumerate() {
                if t.kind >= ntypes {
                    return Err(Error::invalid(&format!("{what} type"), t.kind + 1, &format!("{what} {k} has a type beyond the {ntypes} {what} types")));
                }
                for (a, &i) in t.atoms.iter().enumerate() {
                    if i >= n {
                        return Err(Error::invalid(&format!("{what} atom"), i, &format!("{what} {k} names an atom beyond the {n} atoms")));
                    }
                    if t.atoms[..a].contains(&i) {
                        return Err(Error::invalid(&format!("{what} atoms"), format!("{:?}", t.atoms), &format!("{what} {k} names atom {i} twice")));
                    }
                }
            }
            Ok(())
        }
        check("bond", &self.bonds, n, self.n_term_types[0])?;
        check("angle", &self.angles, n, self.n_term_types[1])?;
        check("dihedral", &self.dihedrals, n, self.n_term_types[2])?;
        check("improper", &self.impropers, n, self.n_term_types[3])
    }

    /// Bond-graph neighbours of every atom (sorted).
    pub fn bonded_neighbours(&self) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); self.len()];
        for b in &self.bonds {
            let [i, j] = b.atoms;
            adj[i].push(j);
            adj[j].push(i);
        }
        for a in &mut adj {
            a.sort_unstable();
            a.dedup();
        }
        adj
    }

    /// Special pairs `(i, j, order)` with `i < j` and order 1 (1-2), 2 (1-3) or 3 (1-4), from the
    /// bond graph as LAMMPS's `special_bonds` builds them: each pair once, with its lowest order
    /// (a pair that is both 1-3 and 1-4, e.g. in a ring, is 1-3), a pair of an atom with itself
    /// never. Sorted by `(i, j)`.
    pub fn special_pairs(&self) -> Vec<(usize, usize, u8)> {
        let adj = self.bonded_neighbours();
        let mut out = Vec::new();
        let mut order: std::collections::BTreeMap<usize, u8> = std::collections::BTreeMap::new();
        for i in 0..self.len() {
            order.clear();
            let mut frontier = vec![i];
            for o in 1..=3u8 {
                let mut next = Vec::new();
                for &a in &frontier {
                    for &b in &adj[a] {
                        if b != i && !order.contains_key(&b) {
                            order.insert(b, o);
                            next.push(b);
                        }
                    }
                }
                frontier = next;
            }
            out.extend(order.iter().filter(|(&j, _)| j > i).map(|(&j, &o)| (i, j, o)));
        }
        out
    }
}

#[cfg(test)]
mod tests;
