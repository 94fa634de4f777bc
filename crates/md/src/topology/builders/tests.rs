use super::*;
use crate::evaluator::Evaluator;

fn kg(chains: usize, length: usize, seed: u64) -> KremerGrest {
    KremerGrest { chains, length, seed, ..KremerGrest::default() }
}

#[test]
fn kremer_grest_melt_is_sane_and_reproducible() {
    let s = kg(16, 25, 7).build().expect("kg");
    let r = &s.report;
    assert_eq!(r.n_atoms, 400);
    assert_eq!(r.n_bonds, 16 * 24);
    assert!((r.number_density - 0.85).abs() < 1e-12, "{}", r.number_density);
    assert!(r.bond_length_min > 0.85 && r.bond_length_max < 1.1, "{r:?}");
    assert!(r.min_nonbonded_distance >= 0.8 - 1e-12, "{}", r.min_nonbonded_distance);
    // same seed: same system; another seed: another one
    let again = kg(16, 25, 7).build().expect("kg");
    assert_eq!(again.structure.positions, s.structure.positions);
    let other = kg(16, 25, 8).build().expect("kg");
    assert_ne!(other.structure.positions, s.structure.positions);
    // the force field evaluates (FENE bonds below R0) and is repulsive-only WCA: E > 0
    let pot = s.potential().expect("potential");
    let mut ev = Evaluator::new(pot, 0.3, 1).expect("evaluator");
    let out = ev.compute_all(&s.structure).expect("energy");
    assert!(out.energy.is_finite() && out.energy > 0.0, "{}", out.energy);
    assert!(s.lammps.iter().any(|l| l == "special_bonds fene"));
}

#[test]
fn lj_units_scale_lengths_and_energies() {
    let units = LjUnits { sigma_a: 3.0, epsilon_ev: 0.01, mass_amu: 28.0 };
    let s = KremerGrest { units, ..kg(10, 20, 3) }.build().expect("kg");
    let base = kg(10, 20, 3).build().expect("kg");
    assert!((s.report.box_length - 3.0 * base.report.box_length).abs() < 1e-9);
    assert!(s.structure.masses.iter().all(|&m| m == 28.0));
    let e = |sys: &PolymerSystem| Evaluator::new(sys.potential().unwrap(), 0.3, 1).unwrap().compute_all(&sys.structure).unwrap().energy;
    assert!((e(&s) - 0.01 * e(&base)).abs() < 1e-9 * e(&s).abs(), "{} vs {}", e(&s), e(&base));
    assert!((units.tau_ps() - 3.0 * (28.0 * crate::units::MVV2E / 0.01f64).sqrt()).abs() < 1e-12);
}

#[test]
fn polyethylene_has_trappe_geometry() {
    let p = Polyethylene { chains: 8, length: 40, cutoff_a: 10.0, seed: 2, ..Polyethylene::default() };
    let s = p.build().expect("pe");
    let r = &s.report;
    assert!((r.density_g_cm3 - 0.75).abs() < 1e-9, "{}", r.density_g_cm3);
    assert!((r.bond_length_mean - 1.54).abs() < 0.05 && r.bond_length_max < 1.54 * 1.031, "{r:?}");
    assert!(r.min_nonbonded_distance >= 3.0 - 1e-12);
    assert_eq!((r.n_bonds, r.n_angles, r.n_dihedrals), (8 * 39, 8 * 38, 8 * 37));
    let x = &s.structure.positions;
    for a in &s.topology.angles {
        let t = walk::angle_deg(&x[a.atoms[0]], &x[a.atoms[1]], &x[a.atoms[2]]);
        assert!((t - 114.0).abs() < 8.0, "angle {t}");
    }
    // ends CH3 (type 1), inside CH2
    assert_eq!(s.topology.atom_types[0], 0);
    assert_eq!(s.topology.atom_types[1], 1);
    let e = Evaluator::new(s.potential().expect("pot"), 1.0, 1).unwrap().compute_all(&s.structure).unwrap().energy;
    assert!(e.is_finite());
}

#[test]
fn network_reaches_its_conversion_and_refuses_impossible_targets() {
    let base = EpoxyNetwork { resins: 120, hardeners: 60, conversion: 0.7, seed: 5, ..EpoxyNetwork::default() };
    let s = base.build().expect("network");
    let r = &s.report;
    assert_eq!(r.crosslinks, Some(168)); // 0.7 × 240 epoxide ends
    assert!((r.conversion.unwrap() - 0.7).abs() < 1e-12);
    assert!(r.bond_length_max < 1.1 && r.min_nonbonded_distance >= 0.8 - 1e-12, "{r:?}");
    // every epoxide end reacted at most once, every amine end at most twice
    let mut uses = vec![0usize; r.n_atoms];
    for b in s.topology.bonds.iter().filter(|b| b.kind == 1) {
        let [e, a] = b.atoms;
        assert_eq!((s.topology.atom_types[e], s.topology.atom_types[a]), (1, 2));
        uses[e] += 1;
        uses[a] += 1;
    }
    for (i, u) in uses.iter().enumerate() {
        assert!(*u <= if s.topology.atom_types[i] == 1 { 1 } else { 2 });
    }
    assert_eq!(base.build().expect("again").structure.positions, s.structure.positions);
    // impossible targets are named
    let few = EpoxyNetwork { hardeners: 20, conversion: 0.9, ..base.clone() }.build().unwrap_err().to_string();
    assert!(few.contains("highest conversion") && few.contains("0.333"), "{few}");
    let bad = EpoxyNetwork { conversion: 1.5, ..base.clone() }.build().unwrap_err().to_string();
    assert!(bad.contains("conversion"), "{bad}");
    let stuck = EpoxyNetwork { conversion: 1.0, max_capture_radius: 1.3, ..base.clone() }.build().unwrap_err().to_string();
    assert!(stuck.contains("capture radius"), "{stuck}");
}

#[test]
fn bad_builder_input_is_named() {
    let e = KremerGrest { density: 2.0, ..kg(10, 10, 1) }.build().unwrap_err().to_string();
    assert!(e.contains("density"), "{e}");
    let e = kg(1, 5, 1).build().unwrap_err().to_string();
    assert!(e.contains("box"), "{e}");
    let e = PolymerSpec::from_json(r#"{"builder": "nylon"}"#).unwrap_err().to_string();
    assert!(e.contains("kremer-grest"), "{e}");
    let e = PolymerSpec::from_json(r#"{"builder": "kremer-grest", "chain": 3}"#).unwrap_err().to_string();
    assert!(e.contains("chain"), "{e}");
    let ok = PolymerSpec::from_json(r#"{"builder": "kremer-grest", "chains": 10, "length": 10}"#).unwrap();
    assert_eq!(ok.name(), "kremer-grest");
}
