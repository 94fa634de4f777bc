//! `scalebridge store ...`: look into a results database (SQLite file or PostgreSQL URL).
//!
//! - `store status DB [--campaign NAME] [--json]`: task counts per campaign (done, failed,
//!   pending, running, duplicates), the stage records per task hash (finished stages and failure
//!   records, e.g. `describe-stages`) and the URL (without password);
//! - `store export DB --campaign NAME --out TABLE.parquet`: the finished results as a feature
//!   table (docs/store.md: how result JSON becomes columns).

use scalebridge_store::Store;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Task counts per campaign.
    Status(Status),
    /// A campaign's finished results as a Parquet feature table.
    Export(Export),
}

#[derive(clap::Args, Debug)]
pub struct Status {
    /// sqlite:///path.db, a file path, or postgresql://user@host:port/db
    pub database: String,
    /// Only this campaign.
    #[arg(long)]
    pub campaign: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct Export {
    pub database: String,
    #[arg(long)]
    pub campaign: String,
    /// Output Parquet file (written atomically).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(a: Args) -> Result<(), String> {
    match a.command {
        Sub::Status(s) => {
            let store = Store::open(&s.database).map_err(|e| e.to_string())?;
            let names = match s.campaign {
                Some(c) => vec![c],
                None => store.campaigns().map_err(|e| e.to_string())?,
            };
            let mut campaigns = serde_json::Map::new();
            for n in &names {
                let c = store.counts(n).map_err(|e| e.to_string())?;
                campaigns.insert(n.clone(), serde_json::to_value(c).map_err(|e| e.to_string())?);
            }
            let stages = store.stage_counts().map_err(|e| e.to_string())?;
            if s.json {
                let doc = serde_json::json!({"database": store.url(), "campaigns": campaigns, "stages": stages});
                println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
            } else {
                println!("{}", store.url());
                for (n, c) in &campaigns {
                    println!("  {n}: {c}");
                }
                for c in &stages {
                    println!("  stages {}: {} finished, {} failure records", c.task_hash, c.finished, c.failure_records);
                }
            }
            Ok(())
        }
        Sub::Export(x) => {
            let store = Store::open(&x.database).map_err(|e| e.to_string())?;
            let table = store.results_table(&x.campaign).map_err(|e| e.to_string())?;
            if table.n_rows() == 0 {
                return Err(format!("campaign {:?} in {} has no finished results", x.campaign, store.url()));
            }
            scalebridge_features::write_parquet(&table, &x.out).map_err(|e| e.to_string())?;
            println!("{} rows, {} columns -> {}", table.n_rows(), table.columns.len(), x.out.display());
            Ok(())
        }
    }
}
