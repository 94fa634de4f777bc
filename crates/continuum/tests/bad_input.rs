//! Bad input gets a clear error, never a panic.
use scalebridge_continuum::material::{parse_phase_spec, parse_phase_toml};
use scalebridge_continuum::microstructure::{laminate, spheres, SphereOptions};
use scalebridge_continuum::{fem, fft, ContinuumError, Grid, Material, SolverOptions};

#[test]
fn negative_modulus_is_rejected() {
    let e = parse_phase_spec("E=-70,nu=0.3").unwrap_err();
    assert!(matches!(e, ContinuumError::InvalidMaterial { .. }), "{e}");
    assert!(e.to_string().contains("-70"), "{e}");
    assert!(parse_phase_spec("E=70,nu=0.5").is_err());
    assert!(parse_phase_spec("E=70,nu=0.3,k=-1").is_err());
    assert!(parse_phase_spec("E=70,nu=abc").is_err());
    assert!(parse_phase_spec("E=70,foo=1").is_err());
    let g = Grid::uniform([4, 4, 4], 0).unwrap();
    let e = fft::homogenize_elastic(&g, &[Material::isotropic(-5.0, 0.3, 1.0)], &SolverOptions::default()).unwrap_err();
    assert!(matches!(e, ContinuumError::InvalidMaterial { phase: 0, .. }), "{e}");
}

#[test]
fn non_positive_definite_stiffness_is_rejected() {
    // C12 > C11: positive diagonal but not positive definite.
    let m = Material::cubic(100.0, 150.0, 50.0, 1.0);
    let g = Grid::uniform([4, 4, 4], 0).unwrap();
    let e = fft::homogenize_elastic(&g, &[m.clone()], &SolverOptions::default()).unwrap_err();
    assert!(e.to_string().contains("not positive definite"), "{e}");
    let e = fem::homogenize_elastic(&g, &[m], &SolverOptions::default()).unwrap_err();
    assert!(matches!(e, ContinuumError::InvalidMaterial { .. }));
    let toml = "[[phase]]\nname = \"bad\"\nC_GPa = [[100,150,150,0,0,0],[150,100,150,0,0,0],[150,150,100,0,0,0],[0,0,0,50,0,0],[0,0,0,0,50,0],[0,0,0,0,0,50]]\n";
    assert!(matches!(parse_phase_toml(toml, "bad.toml").unwrap_err(), ContinuumError::InvalidMaterial { .. }));
    let mut asym = Material::isotropic(100.0, 0.3, 1.0);
    asym.stiffness_gpa[0][1] += 10.0;
    assert!(asym.validate(0).unwrap_err().to_string().contains("symmetric"));
}

#[test]
fn grid_with_no_matrix_phase_is_rejected() {
    let g = Grid::uniform([4, 4, 4], 0).unwrap();
    let e = fft::homogenize_elastic(&g, &[Material::void()], &SolverOptions::default()).unwrap_err();
    assert!(matches!(e, ContinuumError::NoMatrixPhase { .. }), "{e}");
    let e = laminate([4, 4, 4], 1.0, 1).unwrap_err();
    assert!(e.to_string().contains("no matrix"), "{e}");
    let e = spheres([16; 3], &SphereOptions { fraction: 1.2, ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("no matrix"), "{e}");
    let e = spheres([16; 3], &SphereOptions { fraction: 0.44, radius: 3.0, gap: 2.0, ..Default::default() }).unwrap_err();
    assert!(matches!(e, ContinuumError::InvalidParameter { .. }), "{e}");
}

#[test]
fn empty_phase_tables_are_rejected() {
    let g = Grid::uniform([4, 4, 4], 0).unwrap();
    assert!(matches!(fft::homogenize_elastic(&g, &[], &SolverOptions::default()).unwrap_err(), ContinuumError::EmptyPhaseTable));
    assert!(matches!(fem::homogenize_thermal(&g, &[], &SolverOptions::default()).unwrap_err(), ContinuumError::EmptyPhaseTable));
    assert!(matches!(parse_phase_toml("", "empty.toml").unwrap_err(), ContinuumError::EmptyPhaseTable));
    assert!(matches!(parse_phase_toml("phase = []", "empty.toml").unwrap_err(), ContinuumError::EmptyPhaseTable));
    let e = parse_phase_toml("[[phase]]\nname = 1 2", "broken.toml").unwrap_err();
    assert!(matches!(e, ContinuumError::Parse { line: 2, .. }), "{e:?}");
}

#[test]
fn malformed_grids_and_options_are_rejected() {
    assert!(Grid::new([0, 4, 4], vec![]).is_err());
    assert!(Grid::new([2, 2, 2], vec![0; 7]).is_err());
    let g = Grid::new([2, 2, 2], vec![0, 1, 0, 1, 0, 1, 0, 3]).unwrap();
    let e = fft::homogenize_elastic(&g, &[Material::isotropic(1.0, 0.3, 1.0), Material::isotropic(2.0, 0.3, 1.0)], &SolverOptions::default()).unwrap_err();
    assert!(matches!(e, ContinuumError::InvalidGrid { .. }), "{e}");
    let g = Grid::uniform([4, 4, 4], 0).unwrap();
    let bad = SolverOptions { tol: 0.0, ..Default::default() };
    assert!(fft::homogenize_elastic(&g, &[Material::isotropic(1.0, 0.3, 1.0)], &bad).is_err());
    let mut nan = Material::isotropic(1.0, 0.3, 1.0);
    nan.stiffness_gpa[2][2] = f64::NAN;
    assert!(nan.validate(0).is_err());
}

#[test]
fn iteration_cap_reports_not_converged() {
    let g = laminate([4, 4, 8], 0.5, 1).unwrap();
    let m = vec![Material::isotropic(1.0, 0.3, 1.0), Material::isotropic(1000.0, 0.3, 1.0)];
    let o = SolverOptions { tol: 1e-12, max_iter: 1, ..Default::default() };
    let e = fem::homogenize_elastic_with(&g, &m, &o, fem::Preconditioner::Jacobi).unwrap_err();
    assert!(matches!(e, ContinuumError::NotConverged { iters: 1, .. }), "{e}");
}
