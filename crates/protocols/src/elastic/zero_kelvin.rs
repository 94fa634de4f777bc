//! Elastic constants at 0 K: central differences of the relaxed static stress (see the module docs of [`super`]).

use super::*;

/// Elastic constants at 0 K of `structure` with `potential`.
pub fn static_constants(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &StaticOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<ElasticResult> {
    let t0 = std::time::Instant::now();
    check_strain(opts.strain)?;
    if !(opts.fmax.is_finite() && opts.fmax > 0.0) {
        return Err(Error::invalid("fmax", opts.fmax, "must be positive (eV/Å)"));
    }
    if !opts.pressure_gpa.is_finite() {
        return Err(Error::invalid("pressure", opts.pressure_gpa, "must be finite (GPa)"));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("elastic/static", structure, potential.as_ref(), opts, &[])?;
    let mut eval = Evaluator::new(potential.clone(), DEFAULT_SKIN, opts.threads)?;
    let total = 25;
    let mut reference = structure.clone();
    let p = opts.pressure_gpa / EV_PER_A3_IN_GPA;
    if opts.relax_cell {
        let ropts = MinimizeOptions {
            fmax: opts.fmax,
            stress_tol: static_stress_tol_gpa(opts.fmax) / EV_PER_A3_IN_GPA,
            max_iter: 20000,
            cell: Some(CellRelax { dof: CellDof::Tri, target: [p, p, p, 0.0, 0.0, 0.0], cell_factor: None }),
            ..MinimizeOptions::default()
        };
        reference = cache.get_or_run("reference", || {
            let mut s = structure.clone();
            relax(&mut s, &mut eval, &ropts)?;
            Ok(s)
        })?;
    }
    if !progress.update(1, total, "relax reference") {
        return Err(Error::Interrupted { what: "elastic/static".into(), done: 1 });
    }
    // k-space parameters (g, PPPM mesh, Ewald k-vectors) chosen once on the reference cell and
    // kept for every strained cell, as LAMMPS's ELASTIC protocol runs with them fixed by
    // kspace_modify: re-choosing them per strain puts steps into σ(ε)
    let mut eval = Evaluator::new(scalebridge_md::potentials::pinned_for(&potential, &reference)?, DEFAULT_SKIN, opts.threads)?;
    let fixed = MinimizeOptions { fmax: opts.fmax, max_iter: 20000, cell: None, ..MinimizeOptions::default() };
    // σ(ε) for ε ∈ {−2δ, −δ, +δ, +2δ} along every q
    let factors = [-2.0, -1.0, 1.0, 2.0];
    let mut sig = [[[0.0; 6]; 4]; 6];
    for q in 0..6 {
        for (k, f) in factors.iter().enumerate() {
            let e = f * opts.strain;
            let stage = format!("strain_{q}_{k}");
            sig[q][k] = cache.get_or_run(&stage, || {
                let mut s = reference.deformed(&voigt_deformation(q, e))?;
                relax(&mut s, &mut eval, &fixed)?;
                eval.request = Request::global();
                let out = eval.compute(&s)?;
                Ok(static_stress(&out.virial, s.cell.volume()))
            })?;
            if !progress.update(2 + (4 * q + k) as u64, total, "strain") {
                return Err(Error::Interrupted { what: "elastic/static".into(), done: (2 + 4 * q + k) as u64 });
            }
        }
    }
    eval.request = Request::global();
    let e0 = eval.compute_all(&reference)?.energy;
    let sig0 = static_stress(&eval.output.virial, reference.cell.volume());
    let mut c = [[0.0; 6]; 6];
    let mut c2 = [[0.0; 6]; 6];
    for q in 0..6 {
        for pp in 0..6 {
            c[pp][q] = (sig[q][2][pp] - sig[q][1][pp]) / (2.0 * opts.strain);
            c2[pp][q] = (sig[q][3][pp] - sig[q][0][pp]) / (4.0 * opts.strain);
        }
    }
    let mut warnings = Vec::new();
    let cmax = c.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut worst = 0.0f64;
    for pp in 0..6 {
        for q in 0..6 {
            if c[pp][q].abs() > 0.05 * cmax {
                worst = worst.max(((c2[pp][q] - c[pp][q]) / c[pp][q]).abs());
            }
        }
    }
    if worst > opts.linearity_tol {
        warnings.push(format!(
            "strain {} is outside the linear range: the ±δ and ±2δ estimates of C differ by {:.2} % (> {:.2} %); use a smaller strain",
            opts.strain,
            100.0 * worst,
            100.0 * opts.linearity_tol
        ));
    }
    let series = (0..6)
        .map(|q| {
            let mut x: Vec<f64> = factors.iter().map(|f| f * opts.strain).collect();
            let mut y: Vec<f64> = (0..4).map(|k| sig[q][k][q]).collect();
            x.insert(2, 0.0);
            y.insert(2, sig0[q]);
            Series {
                name: format!("stress_strain_{}", VOIGT_LABELS[q]),
                x_label: format!("strain ε_{}", VOIGT_LABELS[q]),
                x_unit: "1".into(),
                y_label: format!("stress σ_{}", VOIGT_LABELS[q]),
                y_unit: "GPa".into(),
                x,
                y,
                y_err: None,
            }
        })
        .collect();
    let n = reference.len() as f64;
    let mut state = BTreeMap::new();
    state.insert("temperature".into(), Quantity::exact(0.0, "K"));
    // an isolated ion is a non-neutral cell for the Coulomb styles: the cohesive energy relative
    // to free atoms is then not defined by the potential and is left out (with a warning);
    // the energy per atom is always reported
    match isolated_atom_energies(&potential, &reference) {
        Ok(iso) => {
            let e_free: f64 = reference.types.iter().map(|&t| iso[t]).sum();
            state.insert("cohesive_energy".into(), Quantity::exact((e_free - e0) / n, "eV/atom"));
        }
        Err(e) => warnings.push(format!("cohesive energy left out: the energy of an isolated atom is not defined for this potential ({e})")),
    }
    state.insert("energy_per_atom".into(), Quantity::exact(e0 / n, "eV/atom"));
    let mut res = finish(c, None, &reference, state, warnings, series, prov.clone())?;
    res.state.insert("residual_stress_max".into(), Quantity::exact(sig0.iter().fold(0.0f64, |m, v| m.max(v.abs())), "GPa"));
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    res.provenance = prov;
    Ok(res)
}
