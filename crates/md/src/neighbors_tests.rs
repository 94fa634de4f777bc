//! Tests of the neighbour lists against brute force over periodic images.

use super::*;

/// Uniform numbers in [-0.5, 0.5) from a 64-bit LCG (reproducible test configurations).
fn centred_uniform(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }
}

fn brute_pairs(cell: &Cell, pos: &[Vec3], rc: f64) -> usize {
    // count (i<=j, translations) pairs with 0 < r < rc by brute force over a wide image range
    let h = cell.matrix();
    let mut count = 0;
    let m = 4;
    for i in 0..pos.len() {
        for j in i..pos.len() {
            for a in -m..=m {
                for b in -m..=m {
                    for c in -m..=m {
                        if i == j && [a, b, c] <= [0, 0, 0] {
                            continue;
                        }
                        let t = [a as f64, b as f64, c as f64];
                        let mut d = [0.0; 3];
                        for k in 0..3 {
                            d[k] = pos[j][k] + t[0] * h[0][k] + t[1] * h[1][k] + t[2] * h[2][k] - pos[i][k];
                        }
                        if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rc * rc {
                            count += 1;
                        }
                    }
                }
            }
        }
    }
    count
}

#[test]
fn matches_brute_force_in_small_triclinic_cell() {
    let cell = Cell::new([[3.1, 0.0, 0.0], [1.4, 2.9, 0.0], [-0.8, 1.1, 3.3]]).unwrap();
    let pos = vec![[0.1, 0.2, 0.3], [1.5, 1.1, 0.9], [2.9, 2.5, 3.0], [-0.4, 5.0, 1.0]];
    let types = vec![0; 4];
    let rc = 4.2;
    let mut nl = NeighborList::new(rc, 0.0).unwrap();
    nl.build(&cell, &pos, &types).unwrap();
    // with zero skin, stored pairs = pairs within rc
    assert_eq!(nl.n_pairs(), brute_pairs(&cell, &pos, rc));
}

/// (owner, translation relative to the owner's stored position) of every image within
/// `rc` of atom `i`, except `i` itself, by brute force over a wide image range.
fn brute_full(cell: &Cell, pos: &[Vec3], i: usize, rc: f64) -> Vec<(usize, [i32; 3])> {
    let h = cell.matrix();
    let m = 8;
    let mut out = Vec::new();
    for j in 0..pos.len() {
        for a in -m..=m {
            for b in -m..=m {
                for c in -m..=m {
                    if i == j && [a, b, c] == [0, 0, 0] {
                        continue;
                    }
                    let t = [a as f64, b as f64, c as f64];
                    let mut d = [0.0; 3];
                    for k in 0..3 {
                        d[k] = pos[j][k] + t[0] * h[0][k] + t[1] * h[1][k] + t[2] * h[2][k] - pos[i][k];
                    }
                    if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rc * rc {
                        out.push((j, [a, b, c]));
                    }
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn full_list_matches_brute_force_and_doubles_the_half_list() {
    // a triclinic cell narrower than the cutoff, atoms outside the cell (wrapped by the list)
    let cell = Cell::new([[3.1, 0.0, 0.0], [1.4, 2.9, 0.0], [-0.8, 1.1, 3.3]]).unwrap();
    let pos = vec![[0.1, 0.2, 0.3], [1.5, 1.1, 0.9], [2.9, 2.5, 3.0], [-0.4, 5.0, 1.0], [7.0, -3.2, 0.4]];
    let types = vec![0, 1, 0, 1, 0];
    let rc = 4.2;
    let mut full = NeighborList::with_kind(ListKind::Full, rc, 0.0).unwrap();
    full.build(&cell, &pos, &types).unwrap();
    let mut half = NeighborList::new(rc, 0.0).unwrap();
    half.build(&cell, &pos, &types).unwrap();
    assert_eq!(full.kind, ListKind::Full);
    assert_eq!(full.n_pairs(), 2 * half.n_pairs());
    for (c, &ci) in full.centers.iter().enumerate() {
        let i = full.ext_owner[ci as usize] as usize;
        let ti = full.ext_translation[ci as usize];
        // image translations relative to the centre's own image
        let mut got: Vec<(usize, [i32; 3])> = full.neighbors_of(c)
            .iter()
            .map(|&e| {
                let t = full.ext_translation[e as usize];
                (full.ext_owner[e as usize] as usize, [0, 1, 2].map(|k| t[k] as i32 - ti[k] as i32))
            })
            .collect();
        got.sort();
        assert_eq!(got, brute_full(&cell, &pos, i, rc), "neighbours of atom {i}");
    }
    // with a skin, the list holds everything within cutoff + skin
    let mut skinned = NeighborList::with_kind(ListKind::Full, 3.0, 1.2).unwrap();
    skinned.build(&cell, &pos, &types).unwrap();
    assert_eq!(skinned.n_pairs(), full.n_pairs());
    assert!(NeighborList::with_kind(ListKind::None, rc, 0.0).is_err());
}

/// Every pair of the half list mirrored (i, j, T) ↦ (j, i, −T) and added to it gives the full
/// list exactly, each entry once: the half stencil neither misses nor doubles a pair. Cells
/// with many bins per length (the half stencil proper), with one or two, and narrower than
/// half the cutoff (a wider reach), orthogonal and triclinic, atoms outside the cell.
#[test]
fn half_list_holds_every_pair_of_the_full_list_exactly_once() {
    let mut rnd = centred_uniform(2025);
    let cells = [
        [[17.3, 0.0, 0.0], [0.0, 15.1, 0.0], [0.0, 0.0, 19.7]],
        [[16.0, 0.0, 0.0], [4.1, 14.2, 0.0], [-3.3, 2.7, 15.5]],
        [[7.9, 0.0, 0.0], [2.0, 6.1, 0.0], [1.0, -1.5, 8.4]],
        [[1.7, 0.0, 0.0], [0.4, 1.9, 0.0], [0.3, 0.2, 2.1]],
    ];
    for (ic, h) in cells.iter().enumerate() {
        let cell = Cell::new(*h).unwrap();
        let n = if ic == 3 { 3 } else { 120 };
        let pos: Vec<Vec3> = (0..n)
            .map(|_| {
                let f = [rnd() * 1.4 + 0.5, rnd() * 1.4 + 0.5, rnd() * 1.4 + 0.5]; // fractional coordinates in [-0.2, 1.2)
                [0, 1, 2].map(|k| f[0] * h[0][k] + f[1] * h[1][k] + f[2] * h[2][k])
            })
            .collect();
        let types = vec![0; n];
        let (rc, skin) = (3.6, 0.7);
        let mut half = NeighborList::new(rc, skin).unwrap();
        half.build(&cell, &pos, &types).unwrap();
        let mut full = NeighborList::with_kind(ListKind::Full, rc, skin).unwrap();
        full.build(&cell, &pos, &types).unwrap();
        let entries = |nl: &NeighborList, mirror: bool| {
            let mut out = Vec::new();
            for (c, &ci) in nl.centers.iter().enumerate() {
                let i = nl.ext_owner[ci as usize] as usize;
                let ti = nl.ext_translation[ci as usize];
                for &e in nl.neighbors_of(c) {
                    let t = nl.ext_translation[e as usize];
                    let rel = [0, 1, 2].map(|k| t[k] as i32 - ti[k] as i32);
                    let j = nl.ext_owner[e as usize] as usize;
                    out.push((i, j, rel));
                    if mirror {
                        out.push((j, i, rel.map(|v| -v)));
                    }
                }
            }
            out.sort();
            out
        };
        let mirrored = entries(&half, true);
        let all = entries(&full, false);
        assert!(!all.is_empty(), "cell {ic}: no pairs");
        assert_eq!(mirrored.len(), all.len(), "cell {ic}: {} half-list pairs ×2 vs {} full-list entries", mirrored.len(), all.len());
        assert_eq!(mirrored, all, "cell {ic}");
    }
}

/// A list that survives cell changes (NPT) must still hold every pair within the cutoff: the
/// cell is strained a little every step (tilt included) and the atoms move affinely with it
/// plus a small random displacement; at every step the pairs within the cutoff equal brute
/// force, and the list was rebuilt far fewer times than there were steps.
#[test]
fn survives_cell_changes_and_stays_complete() {
    let mut cell = Cell::new([[7.2, 0.0, 0.0], [0.6, 6.9, 0.0], [-0.4, 0.5, 7.4]]).unwrap();
    let mut rnd = centred_uniform(12345);
    let mut pos: Vec<Vec3> = (0..24).map(|_| [7.0 * (rnd() + 0.5), 7.0 * (rnd() + 0.5), 7.0 * (rnd() + 0.5)]).collect();
    let types = vec![0; pos.len()];
    let rc = 3.3;
    let mut nl = NeighborList::new(rc, 0.6).unwrap();
    let steps = 200;
    for step in 0..steps {
        nl.update(&cell, &pos, &types).unwrap();
        let mut got = 0;
        nl.for_each_pair_within(rc, |_, _, _| got += 1);
        assert_eq!(got, brute_pairs(&cell, &pos, rc), "step {step}");
        // strain of up to 8e-3 per component and step, atoms carried affinely, plus jitter
        let mut f = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        for (a, row) in f.iter_mut().enumerate() {
            for (b, x) in row.iter_mut().enumerate() {
                if b <= a {
                    *x += 1.6e-2 * rnd();
                }
            }
        }
        let new = cell.deformed(&f).unwrap();
        for r in pos.iter_mut() {
            let s = cell.fractional(r);
            *r = new.cartesian(&s);
            for x in r.iter_mut() {
                *x += 0.08 * rnd();
            }
        }
        cell = new;
    }
    assert!(nl.builds > 1 && nl.builds < steps / 4, "{} builds in {steps} steps", nl.builds);
}

/// LAMMPS's box rule: for an orthogonal box dilated about its centre, the two largest corner
/// displacements are both ½|Δdiag|, so the trigger is ½(skin − |Δdiag|), as
/// `Neighbor::check_distance`'s orthogonal branch (|Δboxlo| + |Δboxhi|) gives; farther images
/// (|T| = 2) reduce it further; a box that moved more than the skin forces a rebuild.
#[test]
fn box_corner_allowance_follows_lammps_check_distance() {
    let h0 = [[10.0, 0.0, 0.0], [0.0, 11.0, 0.0], [0.0, 0.0, 12.0]];
    let h = [[10.02, 0.0, 0.0], [0.0, 11.03, 0.0], [0.0, 0.0, 11.99]];
    let dd = (0.02f64.powi(2) + 0.03f64.powi(2) + 0.01f64.powi(2)).sqrt();
    let got = box_corner_allowance(&h0, &h, 1.0, [1, 1, 1]);
    assert!((got - 0.5 * (1.0 - dd)).abs() < 1e-12, "{got}");
    let far = box_corner_allowance(&h0, &h, 1.0, [2, 1, 1]);
    assert!((far - 0.5 * (1.0 - (0.04 + 0.03 + 0.01))).abs() < 1e-12, "{far}");
    let big = [[10.8, 0.0, 0.0], [0.0, 11.8, 0.0], [0.0, 0.0, 12.0]];
    assert!(box_corner_allowance(&h0, &big, 1.0, [1, 1, 1]) <= 0.0);
    // a tilt change moves the corners unequally: the two largest count
    let t = [[10.0, 0.0, 0.0], [0.05, 11.0, 0.0], [0.0, 0.0, 12.0]];
    let got = box_corner_allowance(&h0, &t, 1.0, [1, 1, 1]);
    assert!((got - 0.5 * (1.0 - 0.1)).abs() < 1e-12, "{got}");
}

/// The list kept across cell changes stays complete also when the atoms do not follow the
/// cell affinely and drift across the cell faces (unwrapped positions, translations beyond
/// ±1), in a cell narrower than twice cutoff + skin.
#[test]
fn survives_non_affine_motion_and_drift_across_faces() {
    let mut cell = Cell::new([[6.0, 0.0, 0.0], [0.3, 6.2, 0.0], [0.2, -0.3, 5.9]]).unwrap();
    let mut rnd = centred_uniform(98765);
    let mut pos: Vec<Vec3> = (0..20).map(|_| [6.0 * (rnd() + 0.5), 6.0 * (rnd() + 0.5), 6.0 * (rnd() + 0.5)]).collect();
    let vel: Vec<Vec3> = (0..20).map(|_| [0.06 * rnd(), 0.06 * rnd(), 0.06 * rnd()]).collect();
    let types = vec![0; pos.len()];
    let rc = 3.1;
    let mut nl = NeighborList::new(rc, 0.8).unwrap();
    let steps = 300;
    for step in 0..steps {
        nl.update(&cell, &pos, &types).unwrap();
        let mut got = 0;
        nl.for_each_pair_within(rc, |_, _, _| got += 1);
        assert_eq!(got, brute_pairs(&cell, &pos, rc), "step {step}");
        let s = 1.0 + 4e-3 * rnd();
        let f = [[s, 0.0, 0.0], [2e-3 * rnd(), s, 0.0], [2e-3 * rnd(), 2e-3 * rnd(), s]];
        cell = cell.deformed(&f).unwrap();
        for (r, v) in pos.iter_mut().zip(&vel) {
            for k in 0..3 {
                r[k] += v[k] + 0.01 * rnd();
            }
        }
    }
    assert!(nl.builds > 1 && nl.builds < steps / 2, "{} builds in {steps} steps", nl.builds);
}

#[test]
fn atoms_far_outside_the_cell_are_an_error_not_a_wrong_list() {
    // image translations are stored in 16 bits: an atom 40,000 cell lengths away cannot be
    // represented and must be refused (naming the atom), while 30,000 cells away still works
    let cell = Cell::new([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 4.0]]).unwrap();
    let types = vec![0; 2];
    let mut nl = NeighborList::new(3.0, 0.5).unwrap();
    let near = vec![[0.5, 0.5, 0.5], [2.0 + 4.0 * 30_000.0, 2.0, 2.0]];
    nl.build(&cell, &near, &types).unwrap();
    let wrapped = vec![[0.5, 0.5, 0.5], [2.0, 2.0, 2.0]];
    let mut reference = NeighborList::new(3.0, 0.5).unwrap();
    reference.build(&cell, &wrapped, &types).unwrap();
    assert_eq!(nl.n_pairs(), reference.n_pairs());
    let far = vec![[0.5, 0.5, 0.5], [2.0 + 4.0 * 40_000.0, 2.0, 2.0]];
    let err = nl.build(&cell, &far, &types).unwrap_err().to_string();
    assert!(err.contains("atom 1") && err.contains("32,767"), "{err}");
}
