//! `scalebridge dataset ...`: build scale- and unit-tagged feature tables (Parquet).
//!
//! - `dataset build DESIGN.toml --out TABLE.parquet [--quick] [--cache DIR] [--threads N]`: runs
//!   the pipeline's `describe` over the design's materials (a list of description files and/or a
//!   `[space]`), one row per material and temperature. Resumable: described stages come from the
//!   stage cache; the table is rewritten (atomically) after every material, so an interrupted
//!   build leaves the rows finished so far. A material that fails is reported and skipped
//!   (`--fail-fast` stops instead); a deterministic failure is recorded in the store, and a rerun
//!   replays it from the record (same message, counted) unless `--retry-failed`.
//! - `dataset from-csv DATA.csv --out TABLE.parquet --target NAME=UNIT [--column NAME=SCALE:UNIT]
//!   [--class COLUMN] [--exclude NAME]`: composition columns of the `formula` column plus the
//!   declared columns (every other column must be declared or excluded: no column without a unit).

use scalebridge_features::{Scale, TableBuilder};
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::tagged::{rows_from_csv, CsvSpec};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Describe every material of a design file and write one row per material and state.
    Build(Build),
    /// Feature table from a CSV file with a `formula` column (composition columns + declared columns).
    FromCsv(FromCsv),
}

#[derive(clap::Args, Debug)]
pub struct FromCsv {
    pub data_csv: PathBuf,
    /// Output Parquet file (written atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Target column and its unit, NAME=UNIT (`1` for dimensionless); repeatable.
    #[arg(long, value_name = "NAME=UNIT")]
    pub target: Vec<String>,
    /// Further feature column, NAME=SCALE:UNIT (scale: composition, atomistic, mesoscale,
    /// continuum or physics); repeatable.
    #[arg(long, value_name = "NAME=SCALE:UNIT")]
    pub column: Vec<String>,
    /// Column with the material class (default: the chemical class of the formula).
    #[arg(long)]
    pub class: Option<String>,
    /// Columns to leave out; repeatable.
    #[arg(long)]
    pub exclude: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct Build {
    /// Design file (TOML): `materials = [...]` (paths relative to it) and/or a `[space]` table.
    pub design: PathBuf,
    /// Output Parquet file (written atomically, after every material).
    #[arg(long)]
    pub out: PathBuf,
    /// Small cells and short runs (screening).
    #[arg(long)]
    pub quick: bool,
    /// Root of the stage cache (default: the pipeline's, `.scalebridge-cache`).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// MD worker threads (0 = all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Stop at the first material that fails instead of skipping it.
    #[arg(long)]
    pub fail_fast: bool,
    /// Run lengths from a JSON file instead of the quick/full preset (fields of the pipeline's
    /// `Preset`; the rest from the quick one, or the full one with `"base": "full"`).
    #[arg(long)]
    pub preset: Option<PathBuf>,
    /// Results database of the stages (sqlite:///path.db, a file path, or
    /// postgresql://user@host/db; default: the SQLite file results.db in the cache root).
    #[arg(long)]
    pub database: Option<String>,
    /// Describe again the materials whose deterministic failure an earlier run recorded (by
    /// default the failure is replayed from its record: reported and counted, nothing computed).
    #[arg(long)]
    pub retry_failed: bool,
}

/// A line on stderr about a describe's error `e`: where the failing stage's record came from
/// (replayed: recorded by an earlier run, not computed now; or recorded now). Returns whether it
/// was replayed.
pub fn note_failure(log: &scalebridge_pipeline::FailureLog, e: &str, label: Option<&str>) -> bool {
    let Some(ev) = log.event_for(e) else { return false };
    let f = &ev.failure;
    let who = label.map_or(String::new(), |l| format!("{l}: "));
    let cpu = f.cpu_s.map_or(String::new(), |c| format!(", {c:.1} CPU-s"));
    if ev.replayed {
        eprintln!("note: {who}stage {} failed in an earlier run (recorded {} on {}{cpu}); replayed from its failure record, nothing computed (--retry-failed computes it again)", f.stage, crate::dataset::utc(f.provenance.recorded_unix_ms), f.provenance.host);
    } else {
        eprintln!("note: {who}stage {} failed deterministically after {:.1} s{cpu}; the failure is recorded and a rerun replays it (--retry-failed computes it again)", f.stage, f.wall_s);
    }
    ev.replayed
}

/// `YYYY-MM-DD HH:MM:SS UTC` of a Unix time in milliseconds.
pub fn utc(ms: i64) -> String {
    let s = ms.div_euclid(1000);
    let (days, rem) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    // civil from days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn build(a: Build) -> Result<(), String> {
    use scalebridge_features::design::{Design, MaterialSource};
    use scalebridge_features::producers::row::{describe_formula, describe_row};
    use scalebridge_pipeline::{describe_all, DescribeOptions, Material};
    let design = Design::from_file(&a.design).map_err(|e| e.to_string())?;
    let n = design.materials.len();
    let mut opts = DescribeOptions {
        quick: a.quick,
        out: None,
        cache_dir: a.cache.clone(),
        store: None,
        threads: a.threads,
        preset: a.preset.as_deref().map(scalebridge_pipeline::preset::Preset::from_json_file).transpose().map_err(|e| e.to_string())?,
        retry_failed: a.retry_failed,
        failures: Default::default(),
    };
    let (store, url) = scalebridge_campaign::store::describe_stages(a.database.as_deref(), &opts.cache_root()).map_err(|e| e.to_string())?;
    opts.store = Some(store);
    eprintln!("stages: {url}");
    let featurizer = Featurizer::new();
    let mut rows = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    // failed materials whose failure was replayed from a stored record (nothing computed)
    let mut replayed = 0usize;
    let t0 = std::time::Instant::now();
    eprintln!("dataset {:?}: {n} material(s)", design.name);
    for (i, src) in design.materials.iter().enumerate() {
        let (label, material) = match src {
            MaterialSource::File(p) => (p.display().to_string(), Material::from_file(p)),
            MaterialSource::Dict { name, value } => (name.clone(), Material::from_json(value, &design.base)),
        };
        let mut bar = crate::system::Bar::new(&label);
        opts.failures.clear();
        let described = material.and_then(|m| describe_all(&m, &opts, &mut bar)).map_err(|e| e.to_string());
        bar.finish();
        // CPU seconds of this material's describes (all states; stages from the store count 0)
        let cpu: f64 = described.as_ref().map(|ds| ds.iter().filter_map(|d| d.provenance.cpu_time_s).sum()).unwrap_or(0.0);
        let result = described.and_then(|descs| {
            descs
                .iter()
                .map(|d| {
                    let doc = serde_json::to_value(d).map_err(|e| e.to_string())?;
                    let comp = match describe_formula(&doc) {
                        Some(f) => scalebridge_ml::tagged::composition_columns(&featurizer, &f).map_err(|e| e.to_string())?,
                        None => Vec::new(),
                    };
                    describe_row(&doc, comp).map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, String>>()
        });
        match result {
            Ok(r) => {
                rows.extend(r);
                let ft = TableBuilder { rows: rows.clone() }.build().map_err(|e| e.to_string())?;
                scalebridge_features::write_parquet(&ft, &a.out).map_err(|e| e.to_string())?;
            }
            Err(e) if a.fail_fast => {
                note_failure(&opts.failures, &e, Some(&label));
                return Err(format!("{label}: {e}"));
            }
            Err(e) => {
                eprintln!("warning: {label}: {e} (skipped)");
                if note_failure(&opts.failures, &e, Some(&label)) {
                    replayed += 1;
                }
                failed.push((label.clone(), e));
            }
        }
        eprintln!("[{}/{n}] {label} done ({:.1} s elapsed, {cpu:.1} CPU-s)", i + 1, t0.elapsed().as_secs_f64());
    }
    let from_records = if replayed > 0 { format!("; {replayed} of them replayed from stored failure records, not computed (--retry-failed computes them again)") } else { String::new() };
    if rows.is_empty() {
        return Err(format!("no material of {} could be described ({} failed{from_records})", a.design.display(), failed.len()));
    }
    let cols = TableBuilder { rows: rows.clone() }.build().map_err(|e| e.to_string())?.columns.len();
    println!("wrote {} rows x {cols} columns to {} ({} material(s) failed{from_records})", rows.len(), a.out.display(), failed.len());
    for (m, e) in &failed {
        println!("  failed: {m}: {e}");
    }
    Ok(())
}

fn split_once<'a>(s: &'a str, sep: char, what: &str) -> Result<(&'a str, &'a str), String> {
    s.split_once(sep).map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| format!("{what} {s:?}: expected {}", if sep == '=' { "NAME=..." } else { "SCALE:UNIT" }))
}

fn from_csv(a: FromCsv) -> Result<(), String> {
    let table = scalebridge_ml::data::Table::read_csv(&a.data_csv).map_err(|e| e.to_string())?;
    let targets = a
        .target
        .iter()
        .map(|t| split_once(t, '=', "--target").map(|(n, u)| (n.to_string(), u.to_string())))
        .collect::<Result<_, _>>()?;
    let columns = a
        .column
        .iter()
        .map(|c| {
            let (n, rest) = split_once(c, '=', "--column")?;
            let (s, u) = split_once(rest, ':', "--column")?;
            let scale = Scale::parse(s).map_err(|e| e.to_string())?;
            if !scale.is_feature() {
                return Err(format!("--column {c:?}: {scale} is not a feature scale (use --target for targets)"));
            }
            Ok((n.to_string(), scale, u.to_string()))
        })
        .collect::<Result<_, String>>()?;
    let spec = CsvSpec { targets, columns, class_column: a.class, exclude: a.exclude };
    let (rows, skipped) = rows_from_csv(&table, &spec, &Featurizer::new()).map_err(|e| e.to_string())?;
    crate::train::report_skipped(&skipped);
    if rows.is_empty() {
        return Err(format!("no usable rows in {}", a.data_csv.display()));
    }
    let ft = TableBuilder { rows }.build().map_err(|e| e.to_string())?;
    scalebridge_features::write_parquet(&ft, &a.out).map_err(|e| e.to_string())?;
    println!("wrote {} rows x {} columns to {} ({} skipped)", ft.n_rows(), ft.columns.len(), a.out.display(), skipped.len());
    Ok(())
}

pub fn run(args: Args) -> Result<(), String> {
    match args.command {
        Sub::Build(a) => build(a),
        Sub::FromCsv(a) => from_csv(a),
    }
}
