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

/// Read the last frame of an extended XYZ file (as written by ASE or [`TrajectoryWriter`]):
/// `Lattice="ax ay az bx by bz cx cy cz"` and `Properties=` with `species:S:1` and `pos:R:3`
/// columns (an optional `masses:R:1` column gives masses; otherwise standard atomic masses).
pub fn read_extxyz(path: &std::path::Path) -> Result<Structure> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: name.clone(), source: e })?;
    let lines: Vec<&str> = text.lines().collect();
    let perr = |line: usize, msg: String| Error::Parse { path: name.clone(), line, msg };
    let mut start = 0;
    let mut last = None;
    while start < lines.len() {
        if lines[start].trim().is_empty() {
            start += 1;
            continue;
        }
        let n: usize = lines[start].trim().parse().map_err(|_| perr(start + 1, format!("expected an atom count, found '{}'", lines[start].trim())))?;
        if start + 2 + n > lines.len() {
            return Err(perr(start + 1, format!("frame announces {n} atoms but the file ends early")));
        }
        last = Some(start);
        start += 2 + n;
    }
    let start = last.ok_or_else(|| perr(1, "empty file".into()))?;
    let n: usize = lines[start].trim().parse().map_err(|_| perr(start + 1, "bad atom count".into()))?;
    let comment = lines[start + 1];
    let key_value = |key: &str| -> Option<String> {
        let i = comment.find(&format!("{key}="))? + key.len() + 1;
        let rest = &comment[i..];
        if let Some(r) = rest.strip_prefix('"') {
            r.find('"').map(|j| r[..j].to_string())
        } else {
            Some(rest.split_whitespace().next().unwrap_or("").to_string())
        }
    };
    let lat = key_value("Lattice").ok_or_else(|| perr(start + 2, "no Lattice=\"...\": only periodic structures are supported".into()))?;
    let v: Vec<f64> = lat.split_whitespace().map(|t| t.parse::<f64>()).collect::<std::result::Result<_, _>>().map_err(|_| perr(start + 2, format!("bad Lattice '{lat}'")))?;
    if v.len() != 9 {
        return Err(perr(start + 2, format!("Lattice needs 9 numbers, found {}", v.len())));
    }
    if let Some(pbc) = key_value("pbc") {
        if pbc.split_whitespace().any(|t| !matches!(t, "T" | "True" | "1")) {
            return Err(perr(start + 2, format!("pbc=\"{pbc}\": only fully periodic structures are supported")));
        }
    }
    let props = key_value("Properties").unwrap_or_else(|| "species:S:1:pos:R:3".into());
    let f: Vec<&str> = props.split(':').collect();
    let (mut col, mut species_col, mut pos_col, mut mass_col) = (0usize, None, None, None);
    for chunk in f.chunks(3) {
        if chunk.len() < 3 {
            return Err(perr(start + 2, format!("malformed Properties '{props}'")));
        }
        let width: usize = chunk[2].parse().map_err(|_| perr(start + 2, format!("malformed Properties '{props}'")))?;
        match chunk[0] {
            "species" => species_col = Some(col),
            "pos" => pos_col = Some(col),
            "masses" | "mass" => mass_col = Some(col),
            _ => {}
        }
        col += width;
    }
    let (sc, pc) = match (species_col, pos_col) {
        (Some(s), Some(p)) => (s, p),
        _ => return Err(perr(start + 2, "Properties needs species and pos columns".into())),
    };
    let mut symbols = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    let mut masses = Vec::with_capacity(n);
    for k in 0..n {
        let ln = start + 3 + k;
        let t: Vec<&str> = lines[ln - 1].split_whitespace().collect();
        if t.len() < col {
            return Err(perr(ln, format!("expected {col} columns, found {}", t.len())));
        }
        let num = |i: usize| t[i].parse::<f64>().map_err(|_| perr(ln, format!("'{}' is not a number", t[i])));
        symbols.push(t[sc].to_string());
        positions.push([num(pc)?, num(pc + 1)?, num(pc + 2)?]);
        if let Some(mc) = mass_col {
            masses.push(num(mc)?);
        }
    }
    let cell = crate::cell::Cell::new([[v[0], v[1], v[2]], [v[3], v[4], v[5]], [v[6], v[7], v[8]]])?;
    Structure::from_symbols(cell, positions, &symbols, mass_col.map(|_| masses))
}
