//! `scalebridge campaign run|status|report`: design campaigns (docs/campaigns.md). Thin: parses
//! flags, calls `scalebridge-campaign`, prints.

use clap::{Args as ClapArgs, Subcommand};
use scalebridge_campaign as camp;
use std::path::PathBuf;

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Screen the design space by active learning until the budget is spent (resumes).
    Run {
        /// Campaign file (TOML).
        file: PathBuf,
        /// Run the tasks on a Dask cluster (tcp://HOST:PORT) through the Python package.
        #[arg(long)]
        scheduler: Option<String>,
        /// Print the final status as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Worker threads (0 = all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Counts, duplicates, ranked recommendations and the database of a campaign.
    Status {
        /// Campaign file, or its database / output directory.
        file: String,
        #[arg(long)]
        json: bool,
        /// Number of recommendations.
        #[arg(long)]
        top: Option<usize>,
    },
    /// Write the HTML report (one self-contained page) into the output directory.
    Report {
        file: String,
        /// Open it in the browser.
        #[arg(long)]
        open: bool,
    },
}

fn python_command(file: &std::path::Path, scheduler: &str, json: bool) -> (String, Vec<String>) {
    let py = std::env::var("SCALEBRIDGE_PYTHON").ok().or_else(|| {
        let exe = std::env::current_exe().ok()?;
        let p = exe.parent()?.join("python");
        p.is_file().then(|| p.display().to_string())
    });
    let mut args = vec!["-m".to_string(), "scalebridge.campaign".into(), "run".into(), file.display().to_string(), "--scheduler".into(), scheduler.to_string()];
    if json {
        args.push("--json".into());
    }
    (py.unwrap_or_else(|| "python".into()), args)
}

pub fn run(a: Args) -> Result<(), String> {
    let e = |e: camp::CampaignError| e.to_string();
    match a.command {
        Cmd::Run { file, scheduler, json, threads } => {
            let c = camp::Campaign::from_file(&file).map_err(e)?;
            if let Some(s) = scheduler {
                let (py, args) = python_command(&file, &s, json);
                let status = std::process::Command::new(&py).args(&args).status().map_err(|err| format!("could not start Python for the Dask scheduler ({err}); run:\n  {py} {}", args.join(" ")))?;
                return if status.success() { Ok(()) } else { Err(format!("`{py} {}` failed ({status})", args.join(" "))) };
            }
            let store = camp::open_store(&c).map_err(e)?;
            let progress = |done: usize, running: usize, failed: usize, eta: Option<f64>| {
                let eta = eta.map_or(String::new(), |s| format!(", ETA {:.0} min {:.0} s", (s / 60.0).floor(), s % 60.0));
                eprintln!("[campaign {}] done {done} / {}, running {running}, failed {failed}{eta}", c.name, c.search.budget);
            };
            let s = camp::run_local(&c, store.clone(), threads.unwrap_or(0), false, &progress).map_err(e)?;
            eprintln!("[campaign {}] finished: {} done, {} failed ({} computed now, {} reused) in {:.1} s; log {}", c.name, s.done, s.failed, s.computed, s.reused, s.wall_s, c.output.directory.join("campaign.log").display());
            let st = camp::status(&c, store.as_ref(), 10).map_err(e)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&st).map_err(|x| x.to_string())?);
            } else {
                println!("{}", camp::status::status_text(&st));
            }
            Ok(())
        }
        Cmd::Status { file, json, top } => {
            let c = camp::load(&file).map_err(e)?;
            let store = camp::open_store(&c).map_err(e)?;
            let st = camp::status(&c, store.as_ref(), top.unwrap_or(10)).map_err(e)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&st).map_err(|x| x.to_string())?);
            } else {
                println!("{}", camp::status::status_text(&st));
            }
            Ok(())
        }
        Cmd::Report { file, open } => {
            let c = camp::load(&file).map_err(e)?;
            let store = camp::open_store(&c).map_err(e)?;
            let path = camp::report::write_report(&c, store.as_ref()).map_err(e)?;
            println!("{}", path.display());
            if open {
                let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
                if let Err(err) = std::process::Command::new(opener).arg(&path).spawn() {
                    eprintln!("could not open the browser ({opener}: {err}); open {} yourself", path.display());
                }
            }
            Ok(())
        }
    }
}
