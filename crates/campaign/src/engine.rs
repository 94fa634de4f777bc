//! The campaign loop: read what the store holds, pick the next batch (random initial batch,
//! then surrogate + acquisition), evaluate each candidate with `describe` (quick preset, stages
//! in the store's stage store), store its result or failure, until the budget is spent. Every
//! step is a pure function of the store's content, so a killed run resumes where it stopped and
//! another driver (Dask, see `python/scalebridge/campaign.py`) gets the same batches.

use crate::error::{invalid, Result};
use crate::space::{enumerate, Candidate};
use crate::spec::Campaign;
use crate::store::{Claim, TaskStore};
use crate::surrogate::{acquisition, features, scales, utility, Surrogate};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use scalebridge_pipeline::{describe, DescribeOptions};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The campaign with its space and what the store holds.
pub struct State {
    pub campaign: Campaign,
    pub candidates: Vec<Candidate>,
    /// Finished results by candidate index.
    pub done: BTreeMap<usize, Value>,
    /// Failures by candidate index.
    pub failed: BTreeMap<usize, String>,
    /// Claimed by a worker that has not finished (possibly a killed run).
    pub running: BTreeMap<usize, String>,
    /// Stored rows whose candidate is not in the space (another version of the file).
    pub foreign: usize,
}

fn key(c: &Candidate) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

impl State {
    /// Load the campaign's space and the store's tasks.
    pub fn load(campaign: Campaign, store: &dyn TaskStore) -> Result<State> {
        let candidates = enumerate(&campaign)?;
        let index: HashMap<String, usize> = candidates.iter().enumerate().map(|(i, c)| (key(c), i)).collect();
        let (mut done, mut failed, mut running, mut foreign) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), 0);
        for t in store.tasks(&campaign.name)? {
            let Some(&i) = serde_json::from_value::<Candidate>(t.candidate.clone()).ok().and_then(|c| index.get(&key(&c))) else {
                foreign += 1;
                continue;
            };
            match t.status.as_str() {
                "done" => {
                    if let Some(r) = t.result {
                        done.insert(i, r);
                    }
                }
                "failed" => {
                    failed.insert(i, t.error.unwrap_or_default());
                }
                "running" => {
                    running.insert(i, t.hash);
                }
                _ => {}
            }
        }
        Ok(State { campaign, candidates, done, failed, running, foreign })
    }

    /// Simulations spent: finished plus failed.
    pub fn spent(&self) -> usize {
        self.done.len() + self.failed.len()
    }

    /// Target values of a finished result (NaN where missing), in target order.
    pub fn values(&self, result: &Value) -> Vec<f64> {
        self.campaign.targets.iter().map(|t| result["values"][&t.property].as_f64().unwrap_or(f64::NAN)).collect()
    }

    /// Simulated rows and their target values `y[target][row]`.
    pub fn training(&self) -> (Vec<usize>, Vec<Vec<f64>>) {
        let rows: Vec<usize> = self.done.keys().copied().collect();
        let mut y = vec![Vec::new(); self.campaign.targets.len()];
        for r in &rows {
            for (t, v) in self.values(&self.done[r]).into_iter().enumerate() {
                y[t].push(v);
            }
        }
        (rows, y)
    }

    /// The random order of the space (seeded): the initial batch and random search take from it.
    pub fn permutation(&self) -> Vec<usize> {
        let mut p: Vec<usize> = (0..self.candidates.len()).collect();
        p.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(self.campaign.search.seed));
        p
    }

    /// The next batch of candidate indices (empty when the budget is spent or the space exhausted).
    /// Candidates left `running` by a killed run come first (they are already chosen).
    pub fn next_batch(&self) -> Result<Vec<usize>> {
        let s = &self.campaign.search;
        let spent = self.spent();
        if spent >= s.budget {
            return Ok(Vec::new());
        }
        let n = s.batch.min(s.budget - spent);
        let taken = |i: &usize| self.done.contains_key(i) || self.failed.contains_key(i);
        let mut batch: Vec<usize> = self.running.keys().copied().filter(|i| !taken(i)).take(n).collect();
        if batch.len() >= n {
            return Ok(batch);
        }
        let busy = |i: &usize| taken(i) || batch.contains(i);
        if spent + batch.len() < s.initial || s.acquisition == "random" || self.done.len() < 3 {
            let want = if s.acquisition == "random" || self.done.len() < 3 { n } else { n.min(s.initial - spent) };
            let extra: Vec<usize> = self.permutation().into_iter().filter(|i| !busy(i)).take(want.saturating_sub(batch.len())).collect();
            batch.extend(extra);
            return Ok(batch);
        }
        let (rows, y) = self.training();
        let all: Vec<usize> = (0..self.candidates.len()).collect();
        let x_train = features(&self.campaign, &self.candidates, &rows);
        let model = Surrogate::fit(&self.campaign, &x_train, &y)?;
        let pool: Vec<usize> = all.into_iter().filter(|i| !busy(i)).collect();
        let pred = model.predict(&features(&self.campaign, &self.candidates, &pool))?;
        let sc = scales(&y);
        let best = (0..rows.len()).map(|r| utility(&self.campaign.targets, &sc, &y.iter().map(|v| v[r]).collect::<Vec<_>>(), &[]).0).fold(f64::NEG_INFINITY, f64::max);
        let mut scored: Vec<(f64, usize)> = pool
            .iter()
            .enumerate()
            .map(|(j, &i)| {
                let mu: Vec<f64> = pred.mu.iter().map(|m| m[j]).collect();
                let sd: Vec<f64> = pred.sd.iter().map(|m| m[j]).collect();
                let (u, su) = utility(&self.campaign.targets, &sc, &mu, &sd);
                let a = acquisition(&s.acquisition, u, su, best);
                (if a.is_finite() { a } else { f64::NEG_INFINITY }, i)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        batch.extend(scored.into_iter().take(n - batch.len()).map(|x| x.1));
        Ok(batch)
    }
}

/// What evaluating one candidate gave.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Computed now: the stored result.
    Computed(Value),
    /// Already stored (by an earlier run or another worker): nothing computed.
    Stored(Value),
    /// Another worker holds it.
    Busy,
    /// The evaluation failed (recorded with `mark_failed`).
    Failed(String),
}

/// The worker name of this process.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into());
    format!("{host}:campaign")
}

/// Evaluate candidate `c` (pure: the result depends only on the candidate and the preset):
/// claim its task, run `describe`, store the result (or the failure).
pub fn evaluate(campaign: &Campaign, store: &dyn TaskStore, c: &Candidate, worker: &str, log: Option<&Log>) -> Result<Outcome> {
    let hash = c.task_hash(campaign)?;
    let cjson = serde_json::to_string(c).map_err(|e| invalid("candidate", c.label(campaign), &e.to_string()))?;
    match store.claim(&campaign.name, &hash, &cjson, worker)? {
        Claim::Done(r) => return Ok(Outcome::Stored(serde_json::from_str(&r).unwrap_or(Value::Null))),
        Claim::Running => return Ok(Outcome::Busy),
        Claim::New => {}
    }
    if let Some(l) = log {
        l.line(&format!("evaluate {hash} {}", c.label(campaign)));
    }
    let t0 = std::time::Instant::now();
    let r = (|| -> Result<Value> {
        let material = c.material(campaign)?;
        let opts = DescribeOptions {
            quick: campaign.search.preset == "quick",
            out: Some(campaign.output.directory.join("candidates").join(&hash[..16])),
            cache_dir: None,
            store: Some(store.stage_store(&hash)?),
            threads: Some(1),
            preset: None,
            // a candidate whose evaluation failed is `failed` and not chosen again by this
            // campaign; a stage failure recorded by any describe on the same store is replayed
            retry_failed: false,
            failures: Default::default(),
        };
        let d = describe(&material, &opts, &mut scalebridge_core::progress::Silent)?;
        let dj = serde_json::to_value(&d).map_err(|e| invalid("description", c.label(campaign), &e.to_string()))?;
        let mut values = serde_json::Map::new();
        let mut stderr = serde_json::Map::new();
        for t in &campaign.targets {
            let (v, e) = target_value(&dj, &t.property);
            values.insert(t.property.clone(), json!(v));
            stderr.insert(t.property.clone(), json!(e));
            if v.is_none() {
                return Err(invalid("target property", &t.property, &format!("not in the description of {} (properties: E_GPa, nu, K_GPa, G_GPa, kappa_W_mK, T_transition_K above 0 K, or a feature name)", c.label(campaign))));
            }
        }
        let finished = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        Ok(json!({"hash": hash, "label": c.label(campaign), "candidate": c, "values": values, "stderr": stderr,
                  "wall_s": t0.elapsed().as_secs_f64(), "finished_unix": finished, "worker": worker, "description": dj}))
    })();
    match r {
        Ok(v) => {
            store.put_result(&campaign.name, &hash, &v.to_string())?;
            if let Some(l) = log {
                l.line(&format!("done {hash} {:.1} s", t0.elapsed().as_secs_f64()));
            }
            Ok(Outcome::Computed(v))
        }
        Err(e) => {
            let msg = e.to_string();
            store.mark_failed(&campaign.name, &hash, &msg)?;
            if let Some(l) = log {
                l.line(&format!("failed {hash} {msg}"));
            }
            Ok(Outcome::Failed(msg))
        }
    }
}

/// Value and standard error of `property` in a description: a property, else a feature.
pub fn target_value(d: &Value, property: &str) -> (Option<f64>, Option<f64>) {
    let p = &d["properties"][property];
    if let Some(v) = p["value"].as_f64() {
        return (Some(v), p["stderr"].as_f64());
    }
    let f = d["features"].as_array().and_then(|a| a.iter().find(|f| f["name"] == property)).and_then(|f| f["value"].as_f64());
    (f, None)
}

/// The campaign log (`<output>/campaign.log`), one timestamped line per event.
pub struct Log {
    file: Mutex<std::fs::File>,
    echo: bool,
}

impl Log {
    pub fn open(campaign: &Campaign, echo: bool) -> Result<Log> {
        let dir = &campaign.output.directory;
        std::fs::create_dir_all(dir).map_err(|e| crate::error::io(dir, e))?;
        let p = dir.join("campaign.log");
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&p).map_err(|e| crate::error::io(&p, e))?;
        Ok(Log { file: Mutex::new(file), echo })
    }
    pub fn line(&self, s: &str) {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if let Ok(mut f) = self.file.lock() {
            let _ = writeln!(f, "{t} {s}");
        }
        if self.echo {
            eprintln!("[campaign] {s}");
        }
    }
}

/// Summary of a run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunSummary {
    pub computed: usize,
    pub reused: usize,
    pub failed: usize,
    pub done: usize,
    pub budget: usize,
    pub wall_s: f64,
}

/// Copy the campaign file next to the results (so `status DB` finds the campaign).
pub fn save_campaign_copy(campaign: &Campaign) -> Result<()> {
    let dir = &campaign.output.directory;
    std::fs::create_dir_all(dir).map_err(|e| crate::error::io(dir, e))?;
    let p = dir.join("campaign.toml");
    let text = format!("# copy of the campaign file (base directory {})\n{}", campaign.base.display(), campaign.source_text);
    let tmp = p.with_extension("toml.partial");
    std::fs::write(&tmp, text).map_err(|e| crate::error::io(&tmp, e))?;
    std::fs::rename(&tmp, &p).map_err(|e| crate::error::io(&p, e))
}

/// Run the campaign in this process on `threads` workers (0 = all cores) until the budget is
/// spent; `progress(done, running, failed, eta_s)` after every finished evaluation.
pub fn run_local(campaign: &Campaign, store: Arc<dyn TaskStore>, threads: usize, echo: bool, progress: &(dyn Fn(usize, usize, usize, Option<f64>) + Sync)) -> Result<RunSummary> {
    save_campaign_copy(campaign)?;
    let log = Log::open(campaign, echo)?;
    let worker = worker_name();
    let t0 = std::time::Instant::now();
    let n_threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    log.line(&format!("start campaign {} budget {} on {n_threads} threads, database {}", campaign.name, campaign.search.budget, store.url()));
    let (mut computed, mut reused) = (0usize, 0usize);
    let mut walls: Vec<f64> = Vec::new();
    loop {
        let state = State::load(campaign.clone(), store.as_ref())?;
        let batch = state.next_batch()?;
        if batch.is_empty() {
            break;
        }
        let base = (state.done.len(), state.failed.len());
        let counter = Mutex::new((0usize, 0usize, batch.len()));
        // one OS thread per worker pulling candidates from the batch (not a rayon pool: the MD
        // inside `describe` uses rayon, and a blocked rayon worker would steal a second candidate)
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Result<Outcome>>>> = batch.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|sc| {
            for _ in 0..n_threads.min(batch.len()) {
                sc.spawn(|| loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(&i) = batch.get(k) else { break };
                    let o = evaluate(campaign, store.as_ref(), &state.candidates[i], &worker, Some(&log));
                    if let Ok(mut c) = counter.lock() {
                        match &o {
                            Ok(Outcome::Failed(_)) => c.1 += 1,
                            _ => c.0 += 1,
                        }
                        c.2 -= 1;
                        progress(base.0 + c.0, c.2, base.1 + c.1, None);
                    }
                    if let Some(slot) = slots.get(k) {
                        if let Ok(mut g) = slot.lock() {
                            *g = Some(o);
                        }
                    }
                });
            }
        });
        let outcomes: Vec<Result<Outcome>> = slots.into_iter().filter_map(|m| m.into_inner().ok().flatten()).collect();
        let mut any = false;
        for o in outcomes {
            match o? {
                Outcome::Computed(v) => {
                    computed += 1;
                    any = true;
                    walls.push(v["wall_s"].as_f64().unwrap_or(0.0));
                }
                Outcome::Stored(_) => {
                    reused += 1;
                    any = true;
                }
                Outcome::Failed(_) => any = true,
                Outcome::Busy => {}
            }
        }
        let after = State::load(campaign.clone(), store.as_ref())?;
        let left = campaign.search.budget.saturating_sub(after.spent());
        let eta = (!walls.is_empty()).then(|| walls.iter().sum::<f64>() / walls.len() as f64 * left as f64 / n_threads as f64);
        progress(after.done.len(), 0, after.failed.len(), eta);
        log.line(&format!("progress done {} failed {} of budget {} eta {}", after.done.len(), after.failed.len(), campaign.search.budget, eta.map_or("-".into(), |e| format!("{e:.0} s"))));
        if !any {
            // every candidate of the batch is held by another worker: wait for it
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
    }
    let state = State::load(campaign.clone(), store.as_ref())?;
    let s = RunSummary { computed, reused, failed: state.failed.len(), done: state.done.len(), budget: campaign.search.budget, wall_s: t0.elapsed().as_secs_f64() };
    log.line(&format!("finished: {} done, {} failed, {computed} computed now, {reused} reused, {:.1} s", s.done, s.failed, s.wall_s));
    Ok(s)
}
