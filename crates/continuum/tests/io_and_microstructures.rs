//! Import/export round trips and microstructure generators.
use scalebridge_continuum::io::{read_grid_npy, write_field_npy, write_grid_npy, write_slice_ppm, write_vtk, CellField};
use scalebridge_continuum::material::parse_phase_toml;
use scalebridge_continuum::microstructure::{ellipsoids, fibres, laminate, pores, spheres, voronoi, EllipsoidOptions, FibreOptions, SphereOptions, Texture};
use scalebridge_continuum::{fft, Material, SolverOptions};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sb-continuum-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn npy_round_trip_and_vtk_header() {
    let g = spheres([12, 10, 8], &SphereOptions { fraction: 0.1, radius: 2.0, gap: 0.5, radius_cv: 0.0, seed: 2 }).unwrap();
    let p = tmp("g.npy");
    write_grid_npy(&g, &p).unwrap();
    let back = read_grid_npy(&p).unwrap();
    assert_eq!(back.dims(), [12, 10, 8]);
    assert_eq!(back.phases(), g.phases());
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!((10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize) % 64, 0, "header padded to 64 bytes");
    let f = fft::local_fields_elastic(&g, &[Material::isotropic(10.0, 0.3, 1.0), Material::isotropic(50.0, 0.2, 1.0)], [0.01, 0.0, 0.0, 0.0, 0.0, 0.0], &SolverOptions::default()).unwrap();
    let flat: Vec<f64> = f.stress_gpa.iter().flatten().copied().collect();
    write_field_npy(g.dims(), 6, &flat, &tmp("s.npy")).unwrap();
    let v = tmp("g.vtk");
    write_vtk(&g, &[CellField { name: "von_mises_GPa", nc: 1, data: &f.von_mises_gpa }, CellField { name: "stress_GPa", nc: 6, data: &flat }], &v).unwrap();
    let text = std::fs::read(&v).unwrap();
    let head = String::from_utf8_lossy(&text[..200]);
    assert!(head.contains("DATASET STRUCTURED_POINTS") && head.contains("DIMENSIONS 13 11 9") && head.contains("CELL_DATA 960"));
    assert!(f.von_mises_stats.max >= f.von_mises_stats.p99 && f.von_mises_stats.p99 >= f.von_mises_stats.p50);
    write_slice_ppm(g.dims(), &f.von_mises_gpa, 2, 4, &tmp("s.ppm")).unwrap();
    assert!(read_grid_npy(&tmp("nope.npy")).is_err());
    std::fs::write(tmp("bad.npy"), b"hello").unwrap();
    assert!(read_grid_npy(&tmp("bad.npy")).is_err());
}

#[test]
fn generators_hit_their_targets_and_are_reproducible() {
    let l = laminate([4, 4, 20], 0.3, 2).unwrap();
    assert!((l.phase_fractions(2)[1] - 0.3).abs() < 1e-12);
    let a = spheres([32; 3], &SphereOptions { fraction: 0.2, radius: 4.0, ..Default::default() }).unwrap();
    let b = spheres([32; 3], &SphereOptions { fraction: 0.2, radius: 4.0, ..Default::default() }).unwrap();
    assert_eq!(a, b, "same seed, same grid");
    assert!((a.phase_fractions(2)[1] - 0.2).abs() < 0.03);
    let p = pores([24; 3], 0.3, 2.5, 4).unwrap();
    assert!((p.phase_fractions(2)[1] - 0.3).abs() < 1e-3);
    let f = fibres([32; 3], &FibreOptions { fraction: 0.1, ..Default::default() }).unwrap();
    assert!((f.phase_fractions(2)[1] - 0.1).abs() < 0.03, "{}", f.phase_fractions(2)[1]);
    let fr = fibres([32; 3], &FibreOptions { fraction: 0.08, aligned: None, length: 12.0, radius: 1.5, ..Default::default() }).unwrap();
    assert!(fr.phase_fractions(2)[1] > 0.05);
    let e = ellipsoids([32; 3], &EllipsoidOptions { fraction: 0.05, radius: 3.0, axes: [1.0, 1.0, 2.0], random_orientation: true, gap: 1.0, seed: 1 }).unwrap();
    assert!((e.phase_fractions(2)[1] - 0.05).abs() < 0.02);
    let (v, rots) = voronoi([16; 3], 10, Texture::Random, 1).unwrap();
    assert_eq!(v.n_phases(), 10);
    for r in &rots {
        let det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
        assert!((det - 1.0).abs() < 1e-12);
    }
}

#[test]
fn aligned_fibres_are_stiffer_along_the_fibres() {
    let g = fibres([32; 3], &FibreOptions { fraction: 0.15, radius: 2.0, length: 24.0, ..Default::default() }).unwrap();
    let r = fft::homogenize_elastic(&g, &[Material::isotropic(3.0, 0.35, 0.2), Material::isotropic(230.0, 0.2, 10.0)], &SolverOptions::default()).unwrap();
    assert!(r.c_gpa[2][2] > 1.5 * r.c_gpa[0][0], "C33 {} vs C11 {}", r.c_gpa[2][2], r.c_gpa[0][0]);
}

#[test]
fn rotation_of_stiffness_and_phase_file() {
    // Rotating a cubic crystal 45° about z: C11' = (C11 + C12)/2 + C44.
    let cu = Material::cubic(168.4, 121.4, 75.4, 400.0);
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let r = cu.rotated(&[[s, -s, 0.0], [s, s, 0.0], [0.0, 0.0, 1.0]]);
    assert!((r.stiffness_gpa[0][0] - ((168.4 + 121.4) / 2.0 + 75.4)).abs() < 1e-9);
    assert!((r.stiffness_gpa[5][5] - (168.4 - 121.4) / 2.0).abs() < 1e-9);
    let toml = "[[phase]]\nname = \"Cu\"\ncubic = [168.4, 121.4, 75.4]\nkappa_W_mK = 400\n\n[[phase]]\nname = \"Al\"\nE_GPa = 70\nnu = 0.33\nkappa_W_mK = [[237,0,0],[0,237,0],[0,0,237]]\n";
    let ph = parse_phase_toml(toml, "p.toml").unwrap();
    assert_eq!(ph.len(), 2);
    assert_eq!(ph[0].stiffness_gpa[3][3], 75.4);
    assert_eq!(ph[1].conductivity_w_mk[2][2], 237.0);
}
