//! One half-list pair driver shared by the pair styles whose energy depends only on the pair
//! distance (the ionic short-range styles and the cutoff Coulomb styles): the style supplies
//! `f(i, j, r²) -> Some((E, F/r))` for owner atoms `i`, `j` (None beyond its cutoff) and the
//! driver accumulates forces, energy, the virial and the per-atom energy and virial exactly as
//! LAMMPS's `ev_tally` does (half of each pair term to each atom).

use super::{pair_loop, Configuration, Output, Request, Scratch};
use crate::error::Result;
use crate::neighbors::ListKind;

/// Evaluate `f` over every pair of the half list of `config`, adding into `out`.
pub fn compute_pairs<F>(config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output, f: F) -> Result<()>
where
    F: Fn(usize, usize, f64) -> Option<(f64, f64)> + Sync,
{
    let nl = config.neighbors(ListKind::Half)?;
    let pos = &nl.ext_pos;
    let own = &nl.ext_owner;
    let want_e = req.energy || req.per_atom_energy;
    let want_v = req.virial || req.per_atom_virial;
    pair_loop(nl, req, scratch, out, |range, buf| {
        let mut energy = 0.0;
        let mut virial = [0.0; 6];
        for c in range {
            let i = nl.centers[c] as usize;
            let xi = pos[i];
            let oi = own[i] as usize;
            let mut fi = [0.0; 3];
            for &j in nl.neighbors_of(c) {
                let j = j as usize;
                let xj = pos[j];
                let d = [xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]];
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                let Some((e, fp)) = f(oi, own[j] as usize, r2) else { continue };
                let fv = [d[0] * fp, d[1] * fp, d[2] * fp];
                fi[0] += fv[0];
                fi[1] += fv[1];
                fi[2] += fv[2];
                let fj = &mut buf.forces[j];
                fj[0] -= fv[0];
                fj[1] -= fv[1];
                fj[2] -= fv[2];
                if want_e {
                    energy += e;
                    if req.per_atom_energy {
                        buf.per_atom_energy[i] += 0.5 * e;
                        buf.per_atom_energy[j] += 0.5 * e;
                    }
                }
                if want_v {
                    let v = [d[0] * fv[0], d[1] * fv[1], d[2] * fv[2], d[1] * fv[2], d[0] * fv[2], d[0] * fv[1]];
                    for k in 0..6 {
                        virial[k] += v[k];
                    }
                    if req.per_atom_virial {
                        for k in 0..6 {
                            buf.per_atom_virial[i][k] += 0.5 * v[k];
                            buf.per_atom_virial[j][k] += 0.5 * v[k];
                        }
                    }
                }
            }
            let f = &mut buf.forces[i];
            f[0] += fi[0];
            f[1] += fi[1];
            f[2] += fi[2];
        }
        buf.energy += energy;
        for k in 0..6 {
            buf.virial[k] += virial[k];
        }
        Ok(())
    })
}

/// Add a per-atom energy term (e.g. a Coulomb self energy) to the total and, if requested, to
/// the per-atom energies.
pub fn add_self_energy(req: Request, out: &mut Output, e: impl Fn(usize) -> f64, n: usize) {
    let mut total = 0.0;
    for i in 0..n {
        let ei = e(i);
        total += ei;
        if req.per_atom_energy {
            out.per_atom_energy[i] += ei;
        }
    }
    out.energy += total;
}
