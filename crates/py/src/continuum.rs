//! Bindings of the continuum engine: microstructure generation, FFT/FE homogenisation, local
//! fields, bounds, component checks and VTK export. Conversions and error mapping only; results
//! cross as JSON text (serde) or numpy arrays, and the Python module builds typed objects.

use crate::guard::{no_panic, CalculationFailed, InputError};
use numpy::ndarray::{Array2, Array3};
use numpy::{IntoPyArray, PyArray2, PyArray3, PyReadonlyArray2, PyReadonlyArray3, PyUntypedArrayMethods};
use pyo3::prelude::*;
use scalebridge_continuum as sc;
use scalebridge_continuum::{Grid, Material, SolverOptions};

use crate::error::continuum as cont;

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| CalculationFailed::new_err(e.to_string()))
}

fn materials_from(json: &str) -> PyResult<Vec<Material>> {
    serde_json::from_str(json).map_err(|e| InputError::new_err(format!("bad phase table: {e}")))
}

fn grid_from(phases: &PyReadonlyArray3<'_, u16>, voxel_size_m: Option<f64>) -> PyResult<Grid> {
    let shape = phases.shape();
    let dims = [shape[0], shape[1], shape[2]];
    let data = phases.as_slice().map_err(|_| InputError::new_err("phase grid must be C-contiguous"))?.to_vec();
    let g = cont(Grid::new(dims, data))?;
    match voxel_size_m {
        Some(h) => cont(g.with_voxel_size(h)),
        None => Ok(g),
    }
}

/// Solver options: what the caller gave, the engine's defaults for the rest.
fn options(tol: Option<f64>, max_iter: Option<usize>) -> SolverOptions {
    let d = SolverOptions::default();
    SolverOptions { tol: tol.unwrap_or(d.tol), max_iter: max_iter.unwrap_or(d.max_iter), ..d }
}

fn grid_array<'py>(py: Python<'py>, g: &Grid) -> PyResult<Bound<'py, PyArray3<u16>>> {
    let d = g.dims();
    let a = Array3::from_shape_vec((d[0], d[1], d[2]), g.phases().to_vec()).map_err(|e| InputError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

/// Generate a microstructure; returns (phases uint16 (nx,ny,nz), rotations (ngrains,3,3) or None).
#[pyfunction]
/// Every argument but `kind` and `resolution` is optional (Python passes `None` for what the user
/// did not give); the defaults live in `scalebridge_continuum::microstructure::generate`.
#[pyo3(signature = (kind, resolution, fraction=None, seed=None, radius=None, length=None, random_fibres=None, grains=None, texture_spread_deg=None, axes=None, random_orientation=None, gap=None, radius_cv=None, n_bilayers=None))]
#[allow(clippy::too_many_arguments)]
fn continuum_generate<'py>(
    py: Python<'py>,
    kind: &str,
    resolution: [usize; 3],
    fraction: Option<f64>,
    seed: Option<u64>,
    radius: Option<f64>,
    length: Option<f64>,
    random_fibres: Option<bool>,
    grains: Option<usize>,
    texture_spread_deg: Option<f64>,
    axes: Option<[f64; 3]>,
    random_orientation: Option<bool>,
    gap: Option<f64>,
    radius_cv: Option<f64>,
    n_bilayers: Option<usize>,
) -> PyResult<(Bound<'py, PyArray3<u16>>, Option<Bound<'py, PyArray3<f64>>>)> {
    use sc::microstructure as ms;
    let o = ms::GenerateOptions { fraction, seed, radius, length, random_fibres, grains, texture_spread_deg, axes, random_orientation, gap, radius_cv, n_bilayers };
    let kind = kind.to_string();
    let gen = py.detach(|| no_panic("generate", || cont(ms::generate(&kind, resolution, &o))))?;
    let (g, rots) = (gen.grid, gen.rotations);
    let rot_arr = match rots {
        Some(r) => {
            let flat: Vec<f64> = r.iter().flat_map(|m| m.iter().flat_map(|row| row.iter().copied())).collect();
            Some(Array3::from_shape_vec((r.len(), 3, 3), flat).map_err(|e| InputError::new_err(e.to_string()))?.into_pyarray(py))
        }
        None => None,
    };
    Ok((grid_array(py, &g)?, rot_arr))
}

/// Effective properties as JSON text (ElasticResult or ThermalResult).
#[pyfunction]
#[pyo3(signature = (phases, materials_json, property="elastic", solver="fft", tol=None, max_iter=None))]
fn continuum_homogenize(py: Python<'_>, phases: PyReadonlyArray3<'_, u16>, materials_json: &str, property: &str, solver: &str, tol: Option<f64>, max_iter: Option<usize>) -> PyResult<String> {
    let g = grid_from(&phases, None)?;
    let mats = materials_from(materials_json)?;
    let o = options(tol, max_iter);
    let (property, solver) = (property.to_string(), solver.to_string());
    py.detach(|| {
        no_panic("homogenize", || match (property.as_str(), solver.as_str()) {
            ("elastic", "fft") => to_json(&cont(sc::fft::homogenize_elastic(&g, &mats, &o))?),
            ("elastic", "fem") => to_json(&cont(sc::fem::homogenize_elastic(&g, &mats, &o))?),
            ("thermal", "fft") => to_json(&cont(sc::fft::homogenize_thermal(&g, &mats, &o))?),
            ("thermal", "fem") => to_json(&cont(sc::fem::homogenize_thermal(&g, &mats, &o))?),
            (p, s) => Err(InputError::new_err(format!("property '{p}' / solver '{s}': use elastic|thermal and fft|fem"))),
        })
    })
}

/// Local elastic fields under a macroscopic strain (Voigt, engineering shears):
/// (strain (n,6), stress_GPa (n,6), von_mises_GPa (n,), summary JSON).
#[pyfunction]
#[pyo3(signature = (phases, materials_json, strain, solver="fft", tol=None, max_iter=None))]
#[allow(clippy::type_complexity)]
fn continuum_local_fields<'py>(
    py: Python<'py>,
    phases: PyReadonlyArray3<'py, u16>,
    materials_json: &str,
    strain: [f64; 6],
    solver: &str,
    tol: Option<f64>,
    max_iter: Option<usize>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>, Bound<'py, numpy::PyArray1<f64>>, String)> {
    let g = grid_from(&phases, None)?;
    let mats = materials_from(materials_json)?;
    let o = options(tol, max_iter);
    let solver = solver.to_string();
    let f = py.detach(|| {
        no_panic("local_fields", || match solver.as_str() {
            "fft" => cont(sc::fft::local_fields_elastic(&g, &mats, strain, &o)),
            "fem" => cont(sc::fem::local_fields_elastic(&g, &mats, strain, &o)),
            s => Err(InputError::new_err(format!("solver '{s}': use fft or fem"))),
        })
    })?;
    let n = f.strain.len();
    let e = Array2::from_shape_vec((n, 6), f.strain.iter().flatten().copied().collect()).map_err(|e| InputError::new_err(e.to_string()))?;
    let s = Array2::from_shape_vec((n, 6), f.stress_gpa.iter().flatten().copied().collect()).map_err(|e| InputError::new_err(e.to_string()))?;
    let summary = serde_json::json!({"von_mises_stats_GPa": f.von_mises_stats, "mean_stress_GPa": f.mean_stress_gpa, "iterations": f.iterations, "dims": f.dims});
    Ok((e.into_pyarray(py), s.into_pyarray(py), f.von_mises_gpa.clone().into_pyarray(py), summary.to_string()))
}

/// Parse `E=..,nu=..[,k=..]` or `void` into a phase (JSON).
#[pyfunction]
fn continuum_phase_from_spec(spec: &str) -> PyResult<String> {
    to_json(&cont(sc::material::parse_phase_spec(spec))?)
}

/// Read a TOML phase file into a JSON phase table.
#[pyfunction]
fn continuum_read_phase_file(path: &str) -> PyResult<String> {
    to_json(&cont(sc::material::read_phase_file(std::path::Path::new(path)))?)
}

/// Check a JSON phase table (raises InputError); returns it normalised.
#[pyfunction]
fn continuum_validate_phases(materials_json: &str) -> PyResult<String> {
    let m = materials_from(materials_json)?;
    cont(sc::material::validate_table(&m))?;
    to_json(&m)
}

/// Rotate each phase of a JSON table by the matching rotation matrix (crystal → sample).
#[pyfunction]
fn continuum_rotate(material_json: &str, rotations: PyReadonlyArray3<'_, f64>) -> PyResult<String> {
    let m: Material = serde_json::from_str(material_json).map_err(|e| InputError::new_err(format!("bad phase: {e}")))?;
    let shape = rotations.shape();
    if shape[1] != 3 || shape[2] != 3 {
        return Err(InputError::new_err("rotations must have shape (n, 3, 3)"));
    }
    let flat = rotations.as_slice().map_err(|_| InputError::new_err("rotations must be C-contiguous"))?;
    if flat.iter().any(|v| !v.is_finite()) {
        return Err(InputError::new_err("rotations contain NaN or infinity"));
    }
    let rots: Vec<[[f64; 3]; 3]> = flat.chunks_exact(9).map(|c| [[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]]]).collect();
    to_json(&sc::microstructure::polycrystal_materials(&m, &rots))
}

/// Hashin–Shtrikman bounds ((K_lo, G_lo), (K_hi, G_hi)) for isotropic phases (K, G) in GPa.
#[pyfunction]
fn continuum_hashin_shtrikman(kg: Vec<(f64, f64)>, fractions: Vec<f64>) -> PyResult<((f64, f64), (f64, f64))> {
    no_panic("hashin_shtrikman", || cont(sc::bounds::hashin_shtrikman_elastic(&kg, &fractions)))
}

/// Hashin–Shtrikman conductivity bounds (lower, upper), W/m/K.
#[pyfunction]
fn continuum_hashin_shtrikman_conductivity(k: Vec<f64>, fractions: Vec<f64>) -> PyResult<(f64, f64)> {
    no_panic("hashin_shtrikman_conductivity", || cont(sc::bounds::hashin_shtrikman_conductivity(&k, &fractions)))
}

/// Self-consistent (K, G) of a random cubic polycrystal, GPa.
#[pyfunction]
fn continuum_self_consistent_cubic(c11: f64, c12: f64, c44: f64) -> PyResult<(f64, f64)> {
    let m = no_panic("self_consistent_cubic", || cont(sc::bounds::self_consistent_cubic(c11, c12, c44)))?;
    Ok((m.k_gpa, m.g_gpa))
}

/// Voigt and Reuss (K, G) of a random polycrystal of one crystal (6×6 Voigt stiffness, GPa).
#[pyfunction]
fn continuum_voigt_reuss(c: [[f64; 6]; 6]) -> PyResult<((f64, f64), (f64, f64))> {
    let (v, r) = no_panic("voigt_reuss", || cont(sc::bounds::voigt_reuss_polycrystal(&c)))?;
    Ok(((v.k_gpa, v.g_gpa), (r.k_gpa, r.g_gpa)))
}

/// Defaults of `plate_with_hole`: a small tension (linear elasticity: Kt does not depend on it)
/// and a tight solve (the stress concentration converges slowly at the hole edge).
const PLATE_TENSION_GPA: f64 = 0.1;
const PLATE_TOL: f64 = 1e-8;
const PLATE_MAX_ITER: usize = 50_000;

/// Plate with a hole under tension (JSON PlateWithHole).
#[pyfunction]
#[pyo3(signature = (half_width, radius, e_gpa, nu, tension_gpa=None, tol=None, max_iter=None))]
#[allow(clippy::too_many_arguments)]
fn continuum_plate_with_hole(py: Python<'_>, half_width: usize, radius: f64, e_gpa: f64, nu: f64, tension_gpa: Option<f64>, tol: Option<f64>, max_iter: Option<usize>) -> PyResult<String> {
    let spec = format!("E={e_gpa},nu={nu}");
    let m = cont(sc::material::parse_phase_spec(&spec))?;
    let tension_gpa = tension_gpa.unwrap_or(PLATE_TENSION_GPA);
    let o = SolverOptions { tol: tol.unwrap_or(PLATE_TOL), max_iter: max_iter.unwrap_or(PLATE_MAX_ITER), progress: None };
    py.detach(|| no_panic("plate_with_hole", || to_json(&cont(sc::fem::component::plate_with_hole(half_width, radius, &m, tension_gpa, &o))?)))
}

/// A cubic single crystal in its crystal axes (JSON phase); validated when used.
#[pyfunction]
#[pyo3(signature = (c11, c12, c44, k_w_mk=None, name=None))]
fn continuum_cubic_phase(c11: f64, c12: f64, c44: f64, k_w_mk: Option<f64>, name: Option<&str>) -> PyResult<String> {
    let m = Material::cubic(c11, c12, c44, k_w_mk.unwrap_or(Material::DEFAULT_CONDUCTIVITY_W_MK));
    to_json(&match name {
        Some(n) => m.named(n),
        None => m,
    })
}

/// Write legacy VTK image data with the phase grid and named cell fields (n, 1|3|6).
#[pyfunction]
#[pyo3(signature = (path, phases, names, fields, voxel_size_m=None))]
fn continuum_write_vtk(path: &str, phases: PyReadonlyArray3<'_, u16>, names: Vec<String>, fields: Vec<PyReadonlyArray2<'_, f64>>, voxel_size_m: Option<f64>) -> PyResult<()> {
    let g = grid_from(&phases, voxel_size_m)?;
    if names.len() != fields.len() {
        return Err(InputError::new_err("one name per field"));
    }
    let data: Vec<(usize, Vec<f64>)> = fields
        .iter()
        .map(|f| Ok((f.shape()[1], f.as_slice().map_err(|_| InputError::new_err("fields must be C-contiguous"))?.to_vec())))
        .collect::<PyResult<_>>()?;
    let cf: Vec<sc::io::CellField<'_>> = names.iter().zip(&data).map(|(n, (nc, d))| sc::io::CellField { name: n, nc: *nc, data: d }).collect();
    no_panic("write_vtk", || cont(sc::io::write_vtk(&g, &cf, std::path::Path::new(path))))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(continuum_generate, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_homogenize, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_local_fields, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_phase_from_spec, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_cubic_phase, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_read_phase_file, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_validate_phases, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_rotate, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_hashin_shtrikman, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_hashin_shtrikman_conductivity, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_self_consistent_cubic, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_voigt_reuss, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_plate_with_hole, m)?)?;
    m.add_function(wrap_pyfunction!(continuum_write_vtk, m)?)?;
    Ok(())
}
