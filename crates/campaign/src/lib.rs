//! `scalebridge-campaign`: design campaigns. A campaign file names a design space (alloy
//! compositions on a grid × lattices × microstructures × temperatures, plus material files of
//! other classes), targets and a simulation budget; [`engine::run_local`] screens the space by
//! active learning (random initial batch, then a surrogate from `scalebridge-ml` and an
//! acquisition function pick batches), evaluating each candidate with the pipeline's `describe`
//! (quick preset) and keeping every result in the results database, so an interrupted run
//! resumes without recomputing or duplicating anything. [`status`] ranks the candidates and
//! [`report`] writes one self-contained HTML page.
//!
//! | module | holds |
//! |---|---|
//! | [`spec`] | the campaign file and its validation (errors name key and line) |
//! | [`space`] | design-space enumeration, candidate → material → task hash |
//! | [`store`] | the thin view of the results database the engine uses |
//! | [`surrogate`] | features, per-target models, utility, acquisition, cross-validated accuracy |
//! | [`engine`] | next batch, evaluate, the local run loop, the log |
//! | [`status`] | ranking and the status document |
//! | [`report`] | the HTML report |

pub mod engine;
pub mod error;
pub mod report;
pub mod space;
pub mod spec;
pub mod status;
pub mod store;
pub mod surrogate;

pub use engine::{evaluate, run_local, Outcome, RunSummary, State};
pub use error::{CampaignError, Result};
pub use spec::Campaign;
pub use status::status;

/// Open the campaign's database.
pub fn open_store(campaign: &Campaign) -> Result<std::sync::Arc<dyn store::TaskStore>> {
    store::open(&campaign.output.database)
}

/// Load a campaign from a campaign file, or from a database/output directory that holds the
/// copy `campaign.toml` written by `run` (`status DB`).
pub fn load(path_or_db: &str) -> Result<Campaign> {
    let p = std::path::Path::new(path_or_db);
    if p.is_file() && p.extension().is_some_and(|e| e == "toml") {
        return Campaign::from_file(p);
    }
    let local = path_or_db.strip_prefix("sqlite://").unwrap_or(path_or_db);
    let lp = std::path::Path::new(local);
    let dir = if lp.is_dir() { lp.to_path_buf() } else { lp.parent().map(std::path::Path::to_path_buf).unwrap_or_default() };
    let copy = dir.join("campaign.toml");
    if !copy.is_file() {
        return Err(error::CampaignError::InvalidParameter { name: "campaign".into(), value: path_or_db.into(), reason: format!("is neither a campaign file nor a database with the copy {} written by `campaign run`", copy.display()) });
    }
    let text = std::fs::read_to_string(&copy).map_err(|e| error::CampaignError::Io { path: copy.display().to_string(), source: e })?;
    let base = text.lines().next().and_then(|l| l.strip_prefix("# copy of the campaign file (base directory ")).and_then(|l| l.strip_suffix(')')).map(std::path::PathBuf::from).unwrap_or(dir);
    Campaign::from_toml_str(&text, &copy.display().to_string(), &base)
}
