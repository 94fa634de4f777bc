//! The `scalebridge` command. Each subcommand lives in its own module; this file only wires them.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod bench;
mod demo;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Bench(a) => bench::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
