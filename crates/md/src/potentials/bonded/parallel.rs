//! Deterministic parallel evaluation of a fixed list of terms (bonded terms, special-bond
//! pairs). Each term writes its forces into its own slots and its energy and virial into its
//! own record, in parallel; then every atom adds its slots in term order (parallel over atoms)
//! and the energies and virials are summed in term order. These are the floating-point
//! operations of the serial loop in the same order, so the results equal it bit for bit and do
//! not depend on the thread count.

use crate::cell::Vec3;
use rayon::prelude::*;

/// Atom → force-slot incidence (CSR) of a fixed term list whose slots are numbered in term
/// order; each atom's slots are listed in ascending order.
#[derive(Clone, Debug, Default)]
pub struct Incidence {
    offsets: Vec<u32>,
    slots: Vec<u32>,
}

impl Incidence {
    /// `atom_of_slot[s]`: the atom that force slot `s` acts on (`< n_atoms`).
    pub fn new(n_atoms: usize, atom_of_slot: &[usize]) -> Self {
        let mut offsets = vec![0u32; n_atoms + 1];
        for &a in atom_of_slot {
            offsets[a + 1] += 1;
        }
        for i in 0..n_atoms {
            offsets[i + 1] += offsets[i];
        }
        let mut fill: Vec<u32> = offsets[..n_atoms].to_vec();
        let mut slots = vec![0u32; atom_of_slot.len()];
        for (s, &a) in atom_of_slot.iter().enumerate() {
            slots[fill[a] as usize] = s as u32;
            fill[a] += 1;
        }
        Incidence { offsets, slots }
    }

    /// Number of force slots.
    pub fn n_slots(&self) -> usize {
        self.slots.len()
    }

    /// `forces[i] += slot_forces[s]` for every slot `s` of atom `i`, in slot order.
    pub fn gather(&self, slot_forces: &[Vec3], forces: &mut [Vec3]) {
        forces.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, f)| {
            for &s in &self.slots[self.offsets[i] as usize..self.offsets[i + 1] as usize] {
                let g = &slot_forces[s as usize];
                for c in 0..3 {
                    f[c] += g[c];
                }
            }
        });
    }
}

/// The virial of one term, Σₐ relₐ ⊗ fₐ in LAMMPS's order (xx yy zz yz xz xy), summed over the
/// term's atoms in order.
#[inline]
pub fn term_virial<const N: usize>(rel: &[Vec3; N], f: &[Vec3; N]) -> [f64; 6] {
    let mut v = [0.0; 6];
    for a in 0..N {
        v[0] += rel[a][0] * f[a][0];
        v[1] += rel[a][1] * f[a][1];
        v[2] += rel[a][2] * f[a][2];
        v[3] += rel[a][1] * f[a][2];
        v[4] += rel[a][0] * f[a][2];
        v[5] += rel[a][0] * f[a][1];
    }
    v
}

/// Add the terms' energies (always, as the serial loop does) and, when `virial`, their
/// virials into `energy`/`total`, in term order.
pub fn sum_in_order(records: &[(f64, [f64; 6])], virial: bool, energy: &mut f64, total: &mut [f64; 6]) {
    for (e, _) in records {
        *energy += e;
    }
    if virial {
        for (_, v) in records {
            for k in 0..6 {
                total[k] += v[k];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_adds_each_atoms_slots_in_slot_order() {
        // slots 0..5 on atoms 2, 0, 2, 1, 0: atom 2 gets slots 0 then 2, atom 0 slots 1 then 4
        let inc = Incidence::new(3, &[2, 0, 2, 1, 0]);
        assert_eq!(inc.n_slots(), 5);
        let big = 1e16;
        let slot_forces = [[big, 0.0, 0.0], [1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [4.0, 5.0, 6.0], [-1.0, 0.0, 1.0]];
        let mut forces = vec![[0.0; 3]; 3];
        inc.gather(&slot_forces, &mut forces);
        // the reference: the serial sum in slot order
        let mut serial = vec![[0.0; 3]; 3];
        for (s, &a) in [2usize, 0, 2, 1, 0].iter().enumerate() {
            for c in 0..3 {
                serial[a][c] += slot_forces[s][c];
            }
        }
        assert_eq!(forces, serial);
        assert_eq!(forces[0], [0.0, 2.0, 4.0]);
        assert_eq!(forces[1], [4.0, 5.0, 6.0]);
    }
}
