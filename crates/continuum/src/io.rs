//! Import and export: numpy `.npy` (phase grids and fields), legacy VTK image data
//! (STRUCTURED_POINTS, binary, readable by ParaView and pyvista) and PPM slice images.

use crate::error::{ContinuumError, Result};
use crate::grid::Grid;
use std::io::Write;
use std::path::Path;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ContinuumError + '_ {
    move |source| ContinuumError::Io { path: path.display().to_string(), source }
}

fn npy_header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape_s = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_s}, }}");
    let total = 10 + h.len() + 1;
    let pad = (64 - total % 64) % 64;
    h.push_str(&" ".repeat(pad));
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out
}

/// Write the phase grid as a `uint16` array of shape (nx, ny, nz).
pub fn write_grid_npy(grid: &Grid, path: &Path) -> Result<()> {
    let d = grid.dims();
    let mut buf = npy_header("<u2", &d);
    for &p in grid.phases() {
        buf.extend_from_slice(&p.to_le_bytes());
    }
    std::fs::write(path, buf).map_err(io_err(path))
}

/// Write a float field with `nc` components per voxel as `float64` of shape (nx, ny, nz[, nc]).
pub fn write_field_npy(dims: [usize; 3], nc: usize, data: &[f64], path: &Path) -> Result<()> {
    if data.len() != dims.iter().product::<usize>() * nc {
        return Err(crate::error::invalid("field", data.len(), "length does not match the grid"));
    }
    let shape: Vec<usize> = if nc == 1 { dims.to_vec() } else { vec![dims[0], dims[1], dims[2], nc] };
    let mut buf = npy_header("<f8", &shape);
    for v in data {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, buf).map_err(io_err(path))
}

/// Read a 3-D integer `.npy` array (u1, u2, u4, u8, i1, i2, i4, i8; C order) as a phase grid.
pub fn read_grid_npy(path: &Path) -> Result<Grid> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    let p = path.display().to_string();
    let perr = |msg: &str| ContinuumError::Parse { path: p.clone(), line: 0, msg: msg.to_string() };
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(perr("not a .npy file (bad magic)"));
    }
    let (hlen, hstart) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        _ => return Err(perr("unsupported .npy version")),
    };
    let header = bytes.get(hstart..hstart + hlen).ok_or_else(|| perr("truncated header"))?;
    let header = std::str::from_utf8(header).map_err(|_| perr("header is not text"))?;
    let field = |key: &str| -> Option<&str> {
        let i = header.find(&format!("'{key}'"))?;
        Some(header[i + key.len() + 2..].trim_start().trim_start_matches(':').trim_start())
    };
    let descr = field("descr").and_then(|s| s.strip_prefix('\'')).and_then(|s| s.split('\'').next()).ok_or_else(|| perr("no descr"))?;
    if field("fortran_order").is_some_and(|s| s.starts_with("True")) {
        return Err(perr("Fortran-ordered arrays are not supported; save with np.ascontiguousarray"));
    }
    let shape_s = field("shape").and_then(|s| s.strip_prefix('(')).and_then(|s| s.split(')').next()).ok_or_else(|| perr("no shape"))?;
    let shape: Vec<usize> = shape_s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse::<usize>()).collect::<std::result::Result<_, _>>().map_err(|_| perr("bad shape"))?;
    if shape.len() != 3 {
        return Err(perr(&format!("expected a 3-D array, got shape {shape:?}")));
    }
    let (size, signed, le) = match descr.as_bytes() {
        [e, t, s] if (*t == b'u' || *t == b'i') && (*e == b'<' || *e == b'|' || *e == b'>') => {
            let sz = (*s as char).to_digit(10).unwrap_or(0) as usize;
            (sz, *t == b'i', *e != b'>')
        }
        _ => return Err(perr(&format!("dtype {descr} is not an integer type"))),
    };
    if ![1, 2, 4, 8].contains(&size) {
        return Err(perr(&format!("dtype {descr} has an unsupported size")));
    }
    let n: usize = shape.iter().product();
    let data = bytes.get(hstart + hlen..).ok_or_else(|| perr("truncated data"))?;
    if data.len() < n * size {
        return Err(perr(&format!("data has {} bytes, expected {}", data.len(), n * size)));
    }
    let mut phases = Vec::with_capacity(n);
    for (idx, c) in data.chunks_exact(size).take(n).enumerate() {
        let mut b = [0u8; 8];
        if le {
            b[..size].copy_from_slice(c);
        } else {
            for (q, v) in c.iter().rev().enumerate() {
                b[q] = *v;
            }
        }
        let raw = u64::from_le_bytes(b);
        let v: i128 = if signed {
            let shift = 64 - 8 * size as u32;
            (((raw << shift) as i64) >> shift) as i128
        } else {
            raw as i128
        };
        if !(0..=u16::MAX as i128).contains(&v) {
            return Err(ContinuumError::InvalidGrid { reason: format!("phase index {v} at voxel {idx} is outside 0..=65535") });
        }
        phases.push(v as u16);
    }
    Grid::new([shape[0], shape[1], shape[2]], phases)
}

/// A named cell field for VTK output: `nc` = 1 (scalars) or 6 (symmetric tensor, Voigt order).
pub struct CellField<'a> {
    pub name: &'a str,
    pub nc: usize,
    pub data: &'a [f64],
}

/// Write legacy binary VTK STRUCTURED_POINTS with the phase index and optional cell fields.
pub fn write_vtk(grid: &Grid, fields: &[CellField<'_>], path: &Path) -> Result<()> {
    let [nx, ny, nz] = grid.dims();
    let n = grid.len();
    for f in fields {
        if !(f.nc == 1 || f.nc == 3 || f.nc == 6) || f.data.len() != n * f.nc {
            return Err(crate::error::invalid("vtk field", f.name, "needs 1, 3 or 6 components per voxel"));
        }
    }
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut w = std::io::BufWriter::new(file);
    let h = grid.voxel_size_m;
    let mut go = || -> std::io::Result<()> {
        write!(w, "# vtk DataFile Version 3.0\nscalebridge voxel grid\nBINARY\nDATASET STRUCTURED_POINTS\n")?;
        write!(w, "DIMENSIONS {} {} {}\nORIGIN 0 0 0\nSPACING {h} {h} {h}\nCELL_DATA {n}\n", nx + 1, ny + 1, nz + 1)?;
        write!(w, "SCALARS phase int 1\nLOOKUP_TABLE default\n")?;
        // VTK cells are x-fastest; our grid is z-fastest.
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    w.write_all(&(grid.phases()[grid.index(i, j, k)] as i32).to_be_bytes())?;
                }
            }
        }
        writeln!(w)?;
        for f in fields {
            match f.nc {
                1 => write!(w, "SCALARS {} double 1\nLOOKUP_TABLE default\n", f.name)?,
                3 => writeln!(w, "VECTORS {} double", f.name)?,
                _ => writeln!(w, "TENSORS {} double", f.name)?,
            }
            for k in 0..nz {
                for j in 0..ny {
                    for i in 0..nx {
                        let v = &f.data[grid.index(i, j, k) * f.nc..][..f.nc];
                        let vals: Vec<f64> = if f.nc == 6 { vec![v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]] } else { v.to_vec() };
                        for x in vals {
                            w.write_all(&x.to_be_bytes())?;
                        }
                    }
                }
            }
            writeln!(w)?;
        }
        w.flush()
    };
    go().map_err(io_err(path))
}

/// Write a slice (normal `axis`, index `index`) of a scalar voxel field as a colour PPM image
/// (blue → red, linear between the slice minimum and maximum).
pub fn write_slice_ppm(dims: [usize; 3], field: &[f64], axis: usize, index: usize, path: &Path) -> Result<()> {
    if axis > 2 || index >= dims[axis] || field.len() != dims.iter().product::<usize>() {
        return Err(crate::error::invalid("slice", format!("axis {axis} index {index}"), "outside the grid or field length mismatch"));
    }
    let (a, b) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let at = |u: usize, v: usize| {
        let mut ijk = [0; 3];
        ijk[axis] = index;
        ijk[a] = u;
        ijk[b] = v;
        field[(ijk[0] * dims[1] + ijk[1]) * dims[2] + ijk[2]]
    };
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for u in 0..dims[a] {
        for v in 0..dims[b] {
            lo = lo.min(at(u, v));
            hi = hi.max(at(u, v));
        }
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut out = format!("P6\n{} {}\n255\n", dims[b], dims[a]).into_bytes();
    for u in 0..dims[a] {
        for v in 0..dims[b] {
            let t = ((at(u, v) - lo) / span).clamp(0.0, 1.0);
            let r = (255.0 * t) as u8;
            let g = (255.0 * (1.0 - (2.0 * t - 1.0).abs())) as u8;
            let bl = (255.0 * (1.0 - t)) as u8;
            out.extend_from_slice(&[r, g, bl]);
        }
    }
    std::fs::write(path, out).map_err(io_err(path))
}
