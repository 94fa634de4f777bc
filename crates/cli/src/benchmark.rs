//! `scalebridge benchmark five-class`: the accuracy benchmark of `scalebridge-evaluation`
//! (parses flags and prints; the benchmark, its defaults and its report are the crate's).

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Describe (or reuse from the store) the five classes' datasets, cross-validate
    /// composition-only and fused-feature models, write DIR/report.json and DIR/report.html.
    FiveClass(FiveClass),
}

#[derive(clap::Args, Debug)]
pub struct FiveClass {
    /// Output directory (report.json, report.html, and the results database results.db).
    #[arg(long)]
    pub out: PathBuf,
    /// Quick describe preset and at most the benchmark file's `quick_max_materials` per class.
    #[arg(long)]
    pub quick: bool,
    /// Comma-separated classes (alloy, cathode, perovskite, polymer, ceramic); default all.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
    /// At most N materials per class (a seeded random subset of each design).
    #[arg(long, value_name = "N")]
    pub max_materials: Option<usize>,
    /// The benchmark file (default: examples/benchmark/five-class.toml in the working directory,
    /// else that of the checkout the binary was built from).
    #[arg(long)]
    pub benchmark: Option<PathBuf>,
    /// Results database URL (default sqlite://DIR/results.db).
    #[arg(long)]
    pub database: Option<String>,
    /// Measured HEA Young's moduli (CSV, e.g. shared/datasets/experimental/hea_youngs_modulus.csv)
    /// for the experimental anchor.
    #[arg(long)]
    pub experimental: Option<PathBuf>,
    /// MD worker threads of each describe (0 = all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Materials described at the same time (each describe on its own thread; default one
    /// after the other).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Describe again the materials whose deterministic failure an earlier run recorded (by
    /// default the recorded failure is reported again and counted, nothing computed).
    #[arg(long)]
    pub retry_failed: bool,
    /// Describe every material again even when its description is stored (after the pipeline
    /// changed): stages whose inputs did not change are taken from the store, the others are
    /// computed, and the new descriptions replace the stored ones.
    #[arg(long)]
    pub refresh: bool,
}

pub fn run(args: Args) -> Result<(), String> {
    match args.command {
        Sub::FiveClass(a) => {
            let benchmark = a.benchmark.unwrap_or_else(|| {
                let here = PathBuf::from("examples/benchmark/five-class.toml");
                if here.is_file() { here } else { PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/benchmark/five-class.toml")) }
            });
            let opts = scalebridge_evaluation::RunOptions { benchmark, out: a.out.clone(), quick: a.quick, classes: a.classes, max_materials: a.max_materials, threads: a.threads, database: a.database, experimental: a.experimental, jobs: a.jobs.unwrap_or_default(), retry_failed: a.retry_failed, refresh: a.refresh };
            let report = scalebridge_evaluation::run(&opts, &mut |l: &str| eprintln!("{l}")).map_err(|e| e.to_string())?;
            for (class, c) in report["per_class"].as_object().into_iter().flatten() {
                match c.get("skipped").and_then(|s| s.as_str()) {
                    Some(why) => println!("{class}: skipped: {why}"),
                    None => {
                        for (t, models) in c.as_object().into_iter().flatten() {
                            let cells: Vec<String> = models.as_object().into_iter().flatten().map(|(m, v)| match v.get("mae").and_then(|x| x.as_f64()) {
                                Some(mae) => format!("{m} MAE {mae:.4} R² {:.3}", v["r2"].as_f64().unwrap_or(f64::NAN)),
                                None => format!("{m} skipped"),
                            }).collect();
                            println!("{class} {t}: {}", cells.join(", "));
                        }
                    }
                }
            }
            println!("wrote {} and {}", a.out.join("report.json").display(), a.out.join("report.html").display());
            Ok(())
        }
    }
}
