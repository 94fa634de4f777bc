//! `scalebridge homogenize`: effective stiffness or conductivity of a generated (or imported) voxel
//! microstructure with the FFT or the FE solver. No physics here: it calls scalebridge-continuum.

use clap::{Args as ClapArgs, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use scalebridge_continuum::io::{read_grid_npy, write_grid_npy, write_vtk, CellField};
use scalebridge_continuum::material::{parse_phase_spec, read_phase_file};
use scalebridge_continuum::microstructure as ms;
use scalebridge_continuum::{fem, fft, Grid, Material, SolverOptions};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Micro {
    Laminate,
    Spheres,
    Fibres,
    Pores,
    Voronoi,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Property {
    Elastic,
    Thermal,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Solver {
    Fft,
    Fem,
}

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Microstructure generator (phase 0 = matrix, phase 1 = inclusions/pores; voronoi: grains).
    #[arg(long, value_enum, required_unless_present = "input")]
    pub microstructure: Option<Micro>,
    /// Read the phase grid from a 3-D integer .npy file instead of generating one.
    #[arg(long, conflicts_with = "microstructure")]
    pub input: Option<PathBuf>,
    /// Volume fraction of phase 1 (laminate: layer fraction, normal along z; pores: porosity);
    /// default 0.2.
    #[arg(long)]
    pub fraction: Option<f64>,
    /// Isotropic phase `E=<GPa>,nu=<->[,k=<W/m/K>]` or `void`; repeat, matrix first.
    #[arg(long = "phase")]
    pub phases: Vec<String>,
    /// TOML phase file (anisotropic phases: C_GPa 6×6, cubic = [C11, C12, C44], kappa_W_mK).
    /// Its phases come after the --phase ones; for voronoi the first phase is the grain crystal.
    #[arg(long)]
    pub phase_file: Option<PathBuf>,
    /// Voxels per edge (default 32).
    #[arg(long)]
    pub resolution: Option<usize>,
    #[arg(long, value_enum, default_value_t = Property::Elastic)]
    pub property: Property,
    #[arg(long, value_enum, default_value_t = Solver::Fft)]
    pub solver: Solver,
    /// Random seed of the generator (default 1).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Inclusion radius in voxels (spheres, fibres, pores); default resolution/10.
    #[arg(long)]
    pub radius: Option<f64>,
    /// Fibre length in voxels (default resolution/2), aligned along z unless --random-fibres.
    #[arg(long)]
    pub length: Option<f64>,
    #[arg(long)]
    pub random_fibres: bool,
    /// Number of Voronoi grains (default 50).
    #[arg(long)]
    pub grains: Option<usize>,
    /// Grain orientations: random, or a <001> fibre texture along z with this spread in degrees.
    #[arg(long)]
    pub fibre_texture_deg: Option<f64>,
    /// Relative residual tolerance of the CG solver (default 1e-6).
    #[arg(long)]
    pub tol: Option<f64>,
    /// Most CG iterations per load case (default 2000).
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// Save the phase grid as .npy.
    #[arg(long)]
    pub save_grid: Option<PathBuf>,
    /// Save a VTK image (phases, and von Mises stress under a unit xx strain for elastic).
    #[arg(long)]
    pub vtk: Option<PathBuf>,
    /// Print JSON (C_GPa, E_GPa, nu, K_GPa, G_GPa or kappa_W_mK, plus provenance).
    #[arg(long)]
    pub json: bool,
}

fn materials(a: &Args) -> Result<Vec<Material>, String> {
    let mut mats = Vec::new();
    for (i, s) in a.phases.iter().enumerate() {
        mats.push(parse_phase_spec(s).map_err(|e| format!("--phase {} ({s}): {e}", i + 1))?);
    }
    if let Some(p) = &a.phase_file {
        mats.extend(read_phase_file(p).map_err(|e| e.to_string())?);
    }
    Ok(mats)
}

fn resolution(a: &Args) -> usize {
    a.resolution.unwrap_or(ms::generate::DEFAULT_RESOLUTION)
}

fn build(a: &Args, mats: &mut Vec<Material>) -> Result<Grid, String> {
    let e = |e: scalebridge_continuum::ContinuumError| e.to_string();
    if let Some(p) = &a.input {
        return read_grid_npy(p).map_err(e);
    }
    let Some(m) = a.microstructure else {
        return Err("give --microstructure or --input".into());
    };
    let kind = format!("{m:?}").to_lowercase();
    let o = ms::GenerateOptions {
        fraction: a.fraction,
        seed: a.seed,
        radius: a.radius,
        length: a.length,
        random_fibres: a.random_fibres.then_some(true),
        grains: a.grains,
        texture_spread_deg: a.fibre_texture_deg,
        ..Default::default()
    };
    let generated = ms::generate(&kind, [resolution(a); 3], &o).map_err(e)?;
    match m {
        Micro::Pores if mats.len() == 1 => mats.push(Material::void()),
        Micro::Voronoi => {
            let crystal = mats.first().cloned().unwrap_or_else(ms::default_grain_crystal);
            *mats = ms::polycrystal_materials(&crystal, generated.rotations.as_deref().unwrap_or(&[]));
        }
        _ => {}
    }
    Ok(generated.grid)
}

/// The generator seed that ran (the user's, or the generators' default).
fn o_seed(a: &Args) -> u64 {
    a.seed.unwrap_or(ms::SphereOptions::default().seed)
}

pub fn run(a: Args) -> Result<(), String> {
    let mut mats = materials(&a)?;
    if mats.is_empty() && !matches!(a.microstructure, Some(Micro::Voronoi)) {
        return Err("no phases: give --phase E=..,nu=..[,k=..] (matrix first) or --phase-file".into());
    }
    let grid = build(&a, &mut mats)?;
    if let Some(p) = &a.save_grid {
        write_grid_npy(&grid, p).map_err(|e| e.to_string())?;
    }
    let pb = ProgressBar::new(0);
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    pb.set_style(ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    let pbc = pb.clone();
    let d = SolverOptions::default();
    let (tol, max_iter) = (a.tol.unwrap_or(d.tol), a.max_iter.unwrap_or(d.max_iter));
    let opts = SolverOptions {
        tol,
        max_iter,
        progress: Some(Arc::new(move |load, nloads, it, res| {
            pbc.set_message(format!("load {}/{nloads}, CG iteration {it}, residual {res:.2e}", load + 1));
            pbc.tick();
        })),
    };
    let mut out = match (a.property, a.solver) {
        (Property::Elastic, Solver::Fft) => serde_json::to_value(fft::homogenize_elastic(&grid, &mats, &opts).map_err(|e| e.to_string())?),
        (Property::Elastic, Solver::Fem) => serde_json::to_value(fem::homogenize_elastic(&grid, &mats, &opts).map_err(|e| e.to_string())?),
        (Property::Thermal, Solver::Fft) => serde_json::to_value(fft::homogenize_thermal(&grid, &mats, &opts).map_err(|e| e.to_string())?),
        (Property::Thermal, Solver::Fem) => serde_json::to_value(fem::homogenize_thermal(&grid, &mats, &opts).map_err(|e| e.to_string())?),
    }
    .map_err(|e| e.to_string())?;
    pb.finish_and_clear();
    if let Some(p) = &a.vtk {
        let mut fields_vm = Vec::new();
        if a.property == Property::Elastic {
            let f = fft::local_fields_elastic(&grid, &mats, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0], &SolverOptions { tol, max_iter, progress: None }).map_err(|e| e.to_string())?;
            fields_vm = f.von_mises_gpa;
        }
        let cf: Vec<CellField<'_>> = if fields_vm.is_empty() { vec![] } else { vec![CellField { name: "von_mises_GPa_per_unit_strain_xx", nc: 1, data: &fields_vm }] };
        write_vtk(&grid, &cf, p).map_err(|e| e.to_string())?;
    }
    if let Some(obj) = out.as_object_mut() {
        obj.insert("microstructure".into(), serde_json::json!(a.microstructure.map(|m| format!("{m:?}").to_lowercase()).unwrap_or_else(|| "input".into())));
        obj.insert("property".into(), serde_json::json!(format!("{:?}", a.property).to_lowercase()));
        obj.insert("n_phases".into(), serde_json::json!(mats.len()));
        if let Some(p) = obj.get_mut("provenance").and_then(|p| p.as_object_mut()) {
            p.insert("seed".into(), serde_json::json!(o_seed(&a)));
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let fr = out["phase_fractions"].as_array().map(|v| v.iter().filter_map(|x| x.as_f64()).map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(" ")).unwrap_or_default();
    println!("microstructure {} at {}³, phase fractions {fr}", out["microstructure"], resolution(&a));
    println!("solver {} (tol {:e}), {:.2} s, iterations {}", out["provenance"]["solver"], tol, out["wall_time_s"].as_f64().unwrap_or(0.0), out["iterations"]);
    if a.property == Property::Elastic {
        println!("C_GPa (Voigt xx yy zz yz xz xy):");
        if let Some(rows) = out["C_GPa"].as_array() {
            for r in rows {
                let v: Vec<String> = r.as_array().map(|r| r.iter().map(|x| format!("{:10.4}", x.as_f64().unwrap_or(f64::NAN))).collect()).unwrap_or_default();
                println!("  {}", v.join(" "));
            }
        }
        println!("isotropic projection: E = {:.4} GPa, nu = {:.4}, K = {:.4} GPa, G = {:.4} GPa", out["E_GPa"].as_f64().unwrap_or(f64::NAN), out["nu"].as_f64().unwrap_or(f64::NAN), out["K_GPa"].as_f64().unwrap_or(f64::NAN), out["G_GPa"].as_f64().unwrap_or(f64::NAN));
    } else {
        println!("kappa_W_mK:");
        if let Some(rows) = out["kappa_W_mK"].as_array() {
            for r in rows {
                let v: Vec<String> = r.as_array().map(|r| r.iter().map(|x| format!("{:10.4}", x.as_f64().unwrap_or(f64::NAN))).collect()).unwrap_or_default();
                println!("  {}", v.join(" "));
            }
        }
    }
    Ok(())
}
