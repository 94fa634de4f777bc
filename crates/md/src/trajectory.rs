//! Extended XYZ trajectory writer (readable by `ase.io.read(..., index=":")` and OVITO).
//!
//! Per frame: species, positions (Å), velocities `vel` (Å/ps), forces (eV/Å); the comment line
//! carries `Lattice`, `pbc`, `energy` (eV), `step` and `time` (ps).

use crate::error::{Error, Result};
use crate::structure::Structure;
use std::io::Write;

/// Appends frames to an extxyz file every `stride` steps.
pub struct TrajectoryWriter {
    path: String,
    out: std::io::BufWriter<std::fs::File>,
    /// Write a frame every `stride` steps.
    pub stride: u64,
}

impl std::fmt::Debug for TrajectoryWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrajectoryWriter({}, stride {})", self.path, self.stride)
    }
}

impl TrajectoryWriter {
    /// Create (truncate) or append to `path`.
    pub fn new(path: &str, stride: u64, append: bool) -> Result<Self> {
        if stride == 0 {
            return Err(Error::invalid("stride", 0, "must be >= 1"));
        }
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(|e| Error::Io { path: path.to_string(), source: e })?;
        Ok(TrajectoryWriter { path: path.to_string(), out: std::io::BufWriter::new(f), stride })
    }

    /// Write one frame.
    pub fn write_frame(&mut self, s: &Structure, v: &[[f64; 3]], f: &[[f64; 3]], energy: f64, step: u64, time: f64) -> Result<()> {
        let io = |e| Error::Io { path: self.path.clone(), source: e };
        let h = s.cell.matrix();
        let mut text = String::with_capacity(100 * s.len() + 256);
        text.push_str(&format!("{}\n", s.len()));
        text.push_str(&format!(
            "Lattice=\"{} {} {} {} {} {} {} {} {}\" Properties=species:S:1:pos:R:3:vel:R:3:forces:R:3 energy={} step={} time={} pbc=\"T T T\"\n",
            h[0][0], h[0][1], h[0][2], h[1][0], h[1][1], h[1][2], h[2][0], h[2][1], h[2][2], energy, step, time
        ));
        for i in 0..s.len() {
            let (p, vi, fi) = (s.positions[i], v[i], f[i]);
            text.push_str(&format!(
                "{} {:.10} {:.10} {:.10} {:.10e} {:.10e} {:.10e} {:.10e} {:.10e} {:.10e}\n",
                s.species[s.types[i]], p[0], p[1], p[2], vi[0], vi[1], vi[2], fi[0], fi[1], fi[2]
            ));
        }
        self.out.write_all(text.as_bytes()).map_err(io)?;
        self.out.flush().map_err(|e| Error::Io { path: self.path.clone(), source: e })
    }
}
