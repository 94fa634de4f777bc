//! `scalebridge card`: the property card of one metal — elastic constants at 0 K and at
//! `--temperature`, Green–Kubo thermal conductivity and the melting temperature — as one JSON
//! document with every protocol's full result (units, errors, provenance). Each protocol keeps
//! its stages in the cache, so an interrupted card resumes.

use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::elastic::{StaticOptions, ThermalOptions};
use scalebridge_protocols::green_kubo::GreenKuboOptions;
use scalebridge_protocols::melting::MeltingOptions;
use scalebridge_protocols::registry::{ElasticStatic, ElasticThermal, GreenKubo, Melting};
use serde_json::json;
use std::time::Instant;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature of the finite-temperature elastic constants and of κ, K.
    #[arg(long, default_value_t = 300.0)]
    temperature: f64,
    /// First guess of the melting temperature, K (optional: without it a short hysteresis run
    /// finds one).
    #[arg(long)]
    melting_guess: Option<f64>,
    /// Seed of all stochastic stages.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Green–Kubo production steps per seed (3 seeds, 1 fs steps).
    #[arg(long, default_value_t = 50_000)]
    gk_steps: u64,
}

pub fn run(a: Args) -> Result<(), String> {
    let pot = a.system.potential()?;
    let bulk = a.system.structure(&pot, [8, 8, 8])?;
    let started = Instant::now();
    let mut times = serde_json::Map::new();
    let mut warnings = Vec::new();

    let t = Instant::now();
    let o = StaticOptions { threads: a.system.threads, ..StaticOptions::default() };
    let c0 = a.system.run_protocol::<ElasticStatic>("C_ij at 0 K", &bulk, &pot, &o)?;
    warnings.extend(c0.warnings.iter().map(|w| format!("elastic 0 K: {w}")));
    times.insert("elastic_0K".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut o = ThermalOptions { temperature: a.temperature, ..ThermalOptions::default() };
    (o.md.seed, o.md.threads) = (Some(a.seed), Some(a.system.threads));
    let ct = a.system.run_protocol::<ElasticThermal>("C_ij at T", &bulk, &pot, &o)?;
    warnings.extend(ct.warnings.iter().map(|w| format!("elastic {} K: {w}", a.temperature)));
    times.insert("elastic_T".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let o = GreenKuboOptions {
        temperature: a.temperature,
        seeds: (a.seed..a.seed + 3).collect(),
        production_steps: a.gk_steps,
        ..GreenKuboOptions::default()
    };
    let mut o = o;
    o.md.threads = Some(a.system.threads);
    let kappa = a.system.run_protocol::<GreenKubo>("κ (Green–Kubo)", &bulk, &pot, &o)?;
    warnings.extend(kappa.warnings.iter().map(|w| format!("κ: {w}")));
    times.insert("conductivity".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let long = a.system.structure(&pot, [6, 6, 16])?;
    let mut o = MeltingOptions { guess_k: a.melting_guess, ..MeltingOptions::default() };
    (o.md.seed, o.md.threads) = (Some(a.seed), Some(a.system.threads));
    let tm = a.system.run_protocol::<Melting>("T_m", &long, &pot, &o)?;
    warnings.extend(tm.warnings.iter().map(|w| format!("melting: {w}")));
    times.insert("melting".into(), json!(t.elapsed().as_secs_f64()));
    times.insert("total".into(), json!(started.elapsed().as_secs_f64()));

    warn_all(&warnings);
    let card = json!({
        "C_GPa": c0.c_gpa,
        "C_T_GPa": ct.c_gpa,
        "C_T_stderr_GPa": ct.c_stderr_gpa,
        "kappa": kappa.kappa,
        "melting_temperature": tm.melting_temperature,
        "wall_seconds": times,
        "warnings": warnings,
        "elastic_0K": c0,
        "elastic_T": ct,
        "conductivity": kappa,
        "melting": tm,
    });
    a.system.report(&card, &[], "card", || {
        let q = |v: &scalebridge_protocols::report::Quantity| format!("{:.2} ± {:.2} {}", v.value, v.stderr.unwrap_or(0.0), v.unit);
        format!(
            "C11 C12 C44 at 0 K: {:.1} {:.1} {:.1} GPa\nC11 C12 C44 at {} K: {:.1} {:.1} {:.1} GPa\nκ({} K) = {}\nT_m = {}\nwall time {:.0} s",
            c0.c_gpa[0][0], c0.c_gpa[0][1], c0.c_gpa[3][3], a.temperature, ct.c_gpa[0][0], ct.c_gpa[0][1], ct.c_gpa[3][3],
            a.temperature, q(&kappa.kappa), q(&tm.melting_temperature), started.elapsed().as_secs_f64()
        )
    })
}
