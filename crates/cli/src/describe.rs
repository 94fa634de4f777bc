//! `scalebridge describe MATERIAL.toml`: the material's properties across the scales (MD →
//! continuum), the bridge residual, features and provenance as one JSON document (a list of
//! documents when the description gives a list of temperatures). No defaults here: what is not
//! given is `None` and the pipeline decides.

use crate::system::Bar;
use clap::Args as ClapArgs;
use scalebridge_pipeline::{describe_json, DescribeOptions, Material};
use std::path::PathBuf;

#[derive(ClapArgs)]
pub struct Args {
    /// Material description (TOML; see docs/pipeline.md).
    material: PathBuf,
    /// Print the full result as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Small cells and short runs (screening).
    #[arg(long)]
    quick: bool,
    /// Write each description to DIR/description_<T>K.json (stage cache in DIR/cache unless --cache).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Root of the stage cache (default: DIR/cache with --out, else .scalebridge-cache).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// MD worker threads (0 = all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run lengths from a JSON file instead of the quick/full preset (fields of the pipeline's
    /// `Preset`; the rest from the quick one, or the full one with `"base": "full"`).
    #[arg(long)]
    preset: Option<PathBuf>,
    /// Results database of the stages (sqlite:///path.db, a file path, or
    /// postgresql://user@host/db; default: the SQLite file results.db in the cache root).
    #[arg(long)]
    database: Option<String>,
    /// Compute the stages whose deterministic failure an earlier run recorded (by default such a
    /// failure is replayed from its record, nothing is computed; docs/store.md).
    #[arg(long)]
    retry_failed: bool,
}

fn summary(d: &serde_json::Value) -> String {
    let mut out = format!("{} at {} K\n", d["name"].as_str().unwrap_or("?"), d["temperature_K"]);
    if let Some(p) = d["properties"].as_object() {
        for (k, v) in p {
            if k == "C_GPa" {
                continue;
            }
            let err = v["stderr"].as_f64().map_or(String::new(), |e| format!(" ± {e:.4}"));
            out.push_str(&format!("  {k:16} {:12.4}{err} {}   [{}]\n", v["value"].as_f64().unwrap_or(f64::NAN), v["unit"].as_str().unwrap_or(""), v["source"].as_str().unwrap_or("")));
        }
    }
    if let Some(l) = d["bridge"]["L_bridge_single_crystal"]["value"].as_f64() {
        out.push_str(&format!("  L_bridge_single_crystal {l:.4}\n"));
    }
    out.push_str(&format!("  atomistic stages run: {}", d["provenance"]["atomistic_stages_run"]));
    out
}

pub fn run(a: Args) -> Result<(), String> {
    let material = Material::from_file(&a.material).map_err(|e| e.to_string())?;
    let mut opts = DescribeOptions {
        quick: a.quick,
        out: a.out,
        cache_dir: a.cache,
        store: None,
        threads: a.threads,
        preset: a.preset.as_deref().map(scalebridge_pipeline::preset::Preset::from_json_file).transpose().map_err(|e| e.to_string())?,
        retry_failed: a.retry_failed,
        failures: Default::default(),
    };
    let (store, url) = scalebridge_campaign::store::describe_stages(a.database.as_deref(), &opts.cache_root()).map_err(|e| e.to_string())?;
    opts.store = Some(store);
    eprintln!("stages: {url}");
    let mut bar = Bar::new("describe");
    let r = describe_json(&material, &opts, &mut bar).map_err(|e| e.to_string());
    bar.finish();
    if let Err(e) = &r {
        crate::dataset::note_failure(&opts.failures, e, None);
    }
    let v = r?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    } else {
        match &v {
            serde_json::Value::Array(all) => println!("{}", all.iter().map(summary).collect::<Vec<_>>().join("\n")),
            one => println!("{}", summary(one)),
        }
    }
    Ok(())
}
