//! The `scalebridge` command. Each subcommand lives in its own module; this file only wires them.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod bench;
mod card;
mod conductivity;
mod dataset;
mod demo;
mod diffusion;
mod elastic;
mod evaluate;
mod homogenize;
mod md_flags;
mod melting;
mod predict;
mod single_point;
mod structure;
mod system;
mod tables;
mod train;
mod describe;
mod campaign;
mod importer;
mod store;
mod glass;
mod polymer;
mod benchmark;
#[cfg(feature = "dnn")]
mod multitask;

#[derive(Parser)]
#[command(name = "scalebridge", version, about = "Multiscale materials property prediction")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Short end-to-end MD demo (the main job for now).
    Demo(demo::Args),
    /// Benchmarks against peers (LAMMPS, scikit-fem, ...) run in the same invocation.
    Bench(bench::Args),
    /// Train a surrogate model (gbm, gp) on a CSV file and save it.
    Train(train::Args),
    /// Predict with a saved model; adds `prediction` and `std` columns.
    Predict(predict::Args),
    /// Cross-validate (or test) a model on a CSV file.
    Evaluate(evaluate::Args),
    /// Elastic constants (6×6 `C_GPa`) and derived moduli at 0 K or finite temperature.
    Elastic(elastic::Args),
    /// Thermal conductivity (Green–Kubo or Müller-Plathe NEMD), W/(m·K).
    Conductivity(conductivity::Args),
    /// Property card of one metal: C_ij at 0 K and T, κ and T_m in one JSON document.
    Card(card::Args),
    /// Melting temperature by solid–liquid coexistence.
    Melting(melting::Args),
    /// Self-diffusivity from the mean-squared displacement.
    Diffusion(diffusion::Args),
    /// Effective stiffness / conductivity of a voxel microstructure (FFT or FE homogenisation).
    Homogenize(homogenize::Args),
    /// Energy, forces, virial and stress of one structure with a potential given as LAMMPS
    /// input lines (`run 0`).
    SinglePoint(single_point::Args),
    /// Build a crystal (ionic/covalent prototypes or metal lattices) and write it.
    Structure(structure::Args),
    /// Build scale- and unit-tagged feature tables (Parquet) for `train` / `evaluate`.
    Dataset(dataset::Args),
    /// Describe a material across the scales (MD → continuum) from a description file.
    Describe(describe::Args),
    /// Design campaigns: active-learning screening of a design space (run, status, report).
    Campaign(campaign::Args),
    /// Import a property table (Materials Project, JARVIS, AFLOW, OQMD, Matbench) into a
    /// feature table (Parquet).
    Import(importer::Args),
    /// Look into a results database: task counts, export of finished results (Parquet).
    Store(store::Args),
    /// Glass-transition temperature T_g from the volume on cooling (melt–quench, bilinear fit).
    GlassTransition(glass::Args),
    /// Amorphous solid by melt–quench through an NPT temperature ladder.
    MeltQuench(glass::QuenchOnly),
    /// Build a molecular system (Kremer–Grest melt, TraPPE-UA polyethylene, cross-linked
    /// bead-spring network) and write its LAMMPS data file and force-field lines.
    Polymer(polymer::Args),
    /// The accuracy benchmarks (`benchmark five-class`): simulated datasets, composition-only vs
    /// fused-feature models, report.json and report.html.
    Benchmark(benchmark::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Train(a) => train::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Homogenize(a) => homogenize::run(a),
        Command::Elastic(a) => elastic::run(a),
        Command::Diffusion(a) => diffusion::run(a),
        Command::Conductivity(a) => conductivity::run(a),
        Command::Melting(a) => melting::run(a),
        Command::Card(a) => card::run(a),
        Command::SinglePoint(a) => single_point::run(a),
        Command::Structure(a) => structure::run(a),
        Command::Dataset(a) => dataset::run(a),
        Command::Describe(a) => describe::run(a),
        Command::Campaign(a) => campaign::run(a),
        Command::Import(a) => importer::run(a),
        Command::Store(a) => store::run(a),
        Command::GlassTransition(a) => glass::run(a),
        Command::MeltQuench(a) => glass::run_quench(a),
        Command::Polymer(a) => polymer::run(a),
        Command::Benchmark(a) => benchmark::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
