//! Elastic constants at finite temperature: NPT reference cell, then NVT stress averages at ±δ (see [`super`]).

use super::*;

/// Averaged full stress tensor (σ = −P, tension positive, GPa, Voigt) of an NVT run with
/// block standard errors.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StressAverage {
    mean: [f64; 6],
    stderr: [f64; 6],
}

fn sample_stress(sim: &mut Simulation, equilibration: u64, opts: &StressSampling, progress: &mut dyn Progress, base: u64, total: u64, stage: &str) -> Result<StressAverage> {
    run_steps(sim, equilibration, progress, base, total, stage)?;
    let nsamples = (opts.production_steps / opts.sample_every.max(1)) as usize;
    let mut series: Vec<Vec<f64>> = vec![Vec::with_capacity(nsamples); 6];
    for k in 0..nsamples {
        run_steps(sim, opts.sample_every, progress, base + equilibration + k as u64 * opts.sample_every, total, stage)?;
        let p = crate::md_run::pressure_tensor(sim);
        for c in 0..6 {
            series[c].push(-gpa(p[c]));
        }
    }
    let mut mean = [0.0; 6];
    let mut stderr = [0.0; 6];
    for c in 0..6 {
        let (m, e) = block_mean_stderr(&series[c], opts.blocks)?;
        mean[c] = m;
        stderr[c] = e;
    }
    Ok(StressAverage { mean, stderr })
}

/// Elastic constants at temperature `opts.temperature` (strain–stress averaging).
pub fn thermal_constants(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &ThermalOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<ElasticResult> {
    let t0 = std::time::Instant::now();
    let opts = &crate::md_run::resolved(opts)?;
    let md = opts.md()?;
    let sampling = &opts.sampling;
    check_strain(opts.strain)?;
    if !(opts.temperature.is_finite() && opts.temperature > 0.0) {
        return Err(Error::invalid("temperature", opts.temperature, "must be positive (K); use the static protocol at 0 K"));
    }
    if sampling.blocks < 2 || sampling.production_steps / sampling.sample_every.max(1) < 5 * sampling.blocks as u64 {
        return Err(Error::invalid(
            "production_steps",
            sampling.production_steps,
            &format!("too short for {} blocks of at least 5 samples every {} steps", sampling.blocks, sampling.sample_every),
        ));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("elastic/thermal", structure, potential.as_ref(), opts, &[md.seed])?;
    let per_run = md.equilibration_steps + sampling.production_steps;
    let npt_steps = sampling.npt_steps;
    let total = npt_steps + 12 * per_run;
    let p = opts.pressure_gpa / EV_PER_A3_IN_GPA;
    // 1. NPT: reference cell = average over the second half
    #[derive(Serialize, Deserialize)]
    struct Reference {
        structure: Structure,
        velocities: Vec<[f64; 3]>,
        cell_stderr_max: f64,
        /// The averaging half of the NPT run, one sample every 10 steps: time (ps), pressure
        /// (GPa), σ_xy (GPa, tension positive), potential energy (eV/atom), volume (Å³/atom).
        /// Empty in references cached before it was recorded.
        #[serde(default)]
        samples: Vec<[f64; 5]>,
    }
    // k-space parameters fixed for a whole run, as LAMMPS chooses them once per run: g and the
    // PPPM mesh on the starting cell for the NPT run, the box-dependent parts (Ewald k-vector
    // limits, influence function) following the cell as `fix npt` makes LAMMPS recompute them
    // (`pinned_for_run`; `Simulation::setup` would do the same); everything, including the Ewald
    // limits, on the reference cell for the strained runs (one smooth energy surface)
    let npt_potential = scalebridge_md::potentials::pinned_for_run(&potential, structure)?;
    let reference: Reference = cache.get_or_run("npt", || {
        let mut sim = md.simulation(structure.clone(), &npt_potential, md.npt(opts.temperature, p, "tri")?)?;
        sim.create_velocities(opts.temperature, md.seed)?;
        let half = npt_steps / 2;
        run_steps(&mut sim, half, progress, 0, total, "npt equilibration")?;
        let mut hs: Vec<Vec<f64>> = vec![Vec::new(); 9];
        let every = 10;
        let mut done = half;
        let mut samples = Vec::new();
        while done < npt_steps {
            let n = every.min(npt_steps - done);
            run_steps(&mut sim, n, progress, done, total, "npt averaging")?;
            done += n;
            let th = sim.current_thermo();
            let na = sim.state.structure.len() as f64;
            samples.push([done as f64 * sim.timestep, th.pressure_GPa, -th.pxy_GPa, th.pe_eV / na, th.volume_A3 / na]);
            let m = sim.state.structure.cell.matrix();
            for (k, h) in hs.iter_mut().enumerate() {
                h.push(m[k / 3][k % 3]);
            }
        }
        let blocks = 5.min(hs[0].len());
        let mut avg = [[0.0; 3]; 3];
        let mut emax = 0.0f64;
        for k in 0..9 {
            let (m, e) = block_mean_stderr(&hs[k], blocks.max(2))?;
            avg[k / 3][k % 3] = m;
            emax = emax.max(e);
        }
        // map the last snapshot into the averaged cell (same fractional coordinates)
        let s = &sim.state.structure;
        let cell = scalebridge_md::cell::Cell::new(avg)?;
        let mut t = s.clone();
        for (r, x) in t.positions.iter_mut().zip(&s.positions) {
            *r = cell.cartesian(&s.cell.fractional(x));
        }
        t.cell = cell;
        Ok(Reference { structure: t, velocities: sim.state.velocities.clone(), cell_stderr_max: emax, samples })
    })?;
    // 2. ±δ along every Voigt component, same starting velocities for both signs
    let potential = scalebridge_md::potentials::pinned_for(&potential, &reference.structure)?;
    let mut c = [[0.0; 6]; 6];
    let mut e = [[0.0; 6]; 6];
    let mut series = Vec::new();
    for q in 0..6 {
        let mut avg = Vec::new();
        for (k, sign) in [-1.0, 1.0].into_iter().enumerate() {
            let base = npt_steps + (2 * q + k) as u64 * per_run;
            let a: StressAverage = cache.get_or_run(&format!("strain_{q}_{k}"), || {
                let s = reference.structure.deformed(&voigt_deformation(q, sign * opts.strain))?;
                let mut sim = md.simulation(s, &potential, md.nvt(opts.temperature, md.seed)?)?;
                sim.set_velocities(reference.velocities.clone())?;
                sample_stress(&mut sim, md.equilibration_steps, sampling, progress, base, total, &format!("strain {} {}", VOIGT_LABELS[q], if sign > 0.0 { "+" } else { "-" }))
            })?;
            avg.push(a);
        }
        for pp in 0..6 {
            c[pp][q] = (avg[1].mean[pp] - avg[0].mean[pp]) / (2.0 * opts.strain);
            e[pp][q] = (avg[1].stderr[pp].powi(2) + avg[0].stderr[pp].powi(2)).sqrt() / (2.0 * opts.strain);
        }
        series.push(Series {
            name: format!("stress_strain_{}", VOIGT_LABELS[q]),
            x_label: format!("strain ε_{}", VOIGT_LABELS[q]),
            x_unit: "1".into(),
            y_label: format!("stress σ_{}", VOIGT_LABELS[q]),
            y_unit: "GPa".into(),
            x: vec![-opts.strain, opts.strain],
            y: vec![avg[0].mean[q], avg[1].mean[q]],
            y_err: Some(vec![avg[0].stderr[q], avg[1].stderr[q]]),
        });
    }
    // time series of the NPT averaging run (for temporal coarse-graining downstream)
    if reference.samples.len() >= 2 {
        let x: Vec<f64> = reference.samples.iter().map(|r| r[0]).collect();
        for (k, name, label, unit) in [
            (1, "npt_pressure", "pressure P", "GPa"),
            (2, "npt_stress_xy", "stress σ_xy", "GPa"),
            (3, "npt_potential_energy", "potential energy per atom", "eV/atom"),
            (4, "npt_volume", "volume per atom", "Å^3/atom"),
        ] {
            series.push(Series {
                name: name.into(),
                x_label: "time".into(),
                x_unit: "ps".into(),
                y_label: label.into(),
                y_unit: unit.into(),
                x: x.clone(),
                y: reference.samples.iter().map(|r| r[k]).collect(),
                y_err: None,
            });
        }
    }
    let mut warnings = Vec::new();
    for i in 0..6 {
        if c[i][i] > 0.0 && e[i][i] > 0.1 * c[i][i] {
            warnings.push(format!(
                "C{}{} = {:.1} ± {:.1} GPa: statistical error above 10 %; run longer or use a larger strain",
                i + 1,
                i + 1,
                c[i][i],
                e[i][i]
            ));
        }
    }
    let mut state = BTreeMap::new();
    state.insert("temperature".into(), Quantity::exact(opts.temperature, "K"));
    state.insert("pressure".into(), Quantity::exact(opts.pressure_gpa, "GPa"));
    let mut res = finish(c, Some(e), &reference.structure, state, warnings, series, prov.clone())?;
    res.state.insert(
        "volume_per_atom".into(),
        Quantity::with_err(
            reference.structure.cell.volume() / reference.structure.len() as f64,
            3.0 * reference.cell_stderr_max / reference.structure.cell.widths().iter().fold(f64::INFINITY, |m, w| m.min(*w))
                * reference.structure.cell.volume()
                / reference.structure.len() as f64,
            "Å^3/atom",
        ),
    );
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    res.provenance = prov;
    Ok(res)
}
