//! Failures as results. A stage that fails **deterministically** for its inputs (the same input
//! hash gives the same failure: a stiffness that is not positive definite, a minimiser that does
//! not converge in its iteration cap, an impossible parameter) is stored as a [`StageFailure`]
//! record under the stage's key (`<key>.failed` in the `StageStore`, written atomically like a
//! stage). A later run that meets the record does not compute the stage again: it returns the
//! same error (same variant, so callers that tolerate it — e.g. a melting stage that did not
//! converge becomes a warning — behave exactly as the first time, and the same message) unless
//! it is asked to retry ([`crate::DescribeOptions::retry_failed`]).
//!
//! What is **not** recorded, because a rerun may well succeed: interruptions (Ctrl-C, a progress
//! callback that asks to stop; also any error of a stage during which the progress callback said
//! stop), I/O and storage errors, (de)serialisation errors, parse errors of input files (a file's
//! content is not always part of the stage inputs), a thread pool that could not be built (the
//! thread count is not a stage input), and panics (they unwind through the stage before anything
//! is stored). [`RecordedError::capture`] is the one list of what is recorded.

use crate::error::PipelineError;
use scalebridge_continuum::ContinuumError;
use scalebridge_core::Error as CoreError;
use scalebridge_md::error::Error as MdError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A deterministic stage error in a form that can be stored and turned back into the same
/// [`PipelineError`] (same variant, same fields, hence the same message and the same Python
/// exception class).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedError {
    /// The wrapping variants from the pipeline error down to the one holding the error, e.g.
    /// `["md"]` for `PipelineError::Md(..)`, `["md", "core"]` for `PipelineError::Md(Core(..))`,
    /// `[]` for a pipeline variant itself.
    pub via: Vec<String>,
    /// The variant's name, e.g. `"NotConverged"`.
    pub variant: String,
    /// The variant's fields (an object; `{"0": ..}` for a tuple variant).
    pub fields: Value,
}

fn rec(via: &[&str], variant: &str, fields: Value) -> Option<RecordedError> {
    Some(RecordedError { via: via.iter().map(|s| s.to_string()).collect(), variant: variant.to_string(), fields })
}

fn core_leaf(e: &CoreError, via: &[&str]) -> Option<RecordedError> {
    match e {
        CoreError::InvalidParameter { name, value, reason } => rec(via, "InvalidParameter", json!({"name": name, "value": value, "reason": reason})),
        CoreError::NonFinite { what, index } => rec(via, "NonFinite", json!({"what": what, "index": index})),
        CoreError::Singular { what, reason } => rec(via, "Singular", json!({"what": what, "reason": reason})),
        // a stopped run, a record that did not (de)serialise, a file: not a property of the inputs
        CoreError::Interrupted { .. } | CoreError::Serialization { .. } | CoreError::Io { .. } => None,
    }
}

impl RecordedError {
    /// The storable form of `e` when it is a deterministic failure of the stage's inputs, else
    /// `None` (nothing is recorded; see the module documentation for the list).
    pub fn capture(e: &PipelineError) -> Option<RecordedError> {
        let r = match e {
            PipelineError::InvalidParameter { name, value, reason } => rec(&[], "InvalidParameter", json!({"name": name, "value": value, "reason": reason})),
            PipelineError::Parse { .. } | PipelineError::Io { .. } => None,
            PipelineError::Core(c) => core_leaf(c, &["core"]),
            PipelineError::Md(m) => match m {
                MdError::InvalidParameter { name, value, reason } => rec(&["md"], "InvalidParameter", json!({"name": name, "value": value, "reason": reason})),
                MdError::UnknownSpecies { species, potential, known } => rec(&["md"], "UnknownSpecies", json!({"species": species, "potential": potential, "known": known})),
                MdError::NonFinite { what, index } => rec(&["md"], "NonFinite", json!({"what": what, "index": index})),
                MdError::Overlap { i, j, r, min } => rec(&["md"], "Overlap", json!({"i": i, "j": j, "r": r, "min": min})),
                MdError::DegenerateCell { volume, reason } => rec(&["md"], "DegenerateCell", json!({"volume": volume, "reason": reason})),
                MdError::Shape(s) => rec(&["md"], "Shape", json!({"0": s})),
                MdError::NotConverged { what, iters, residual } => rec(&["md"], "NotConverged", json!({"what": what, "iters": iters, "residual": residual})),
                MdError::Core(c) => core_leaf(c, &["md", "core"]),
                MdError::Parse { .. } | MdError::Interrupted { .. } | MdError::Io { .. } => None,
            },
            PipelineError::Continuum(c) => match c {
                ContinuumError::InvalidParameter { name, value, reason } => rec(&["continuum"], "InvalidParameter", json!({"name": name, "value": value, "reason": reason})),
                ContinuumError::InvalidMaterial { phase, reason } => rec(&["continuum"], "InvalidMaterial", json!({"phase": phase, "reason": reason})),
                ContinuumError::EmptyPhaseTable => rec(&["continuum"], "EmptyPhaseTable", json!({})),
                ContinuumError::InvalidGrid { reason } => rec(&["continuum"], "InvalidGrid", json!({"reason": reason})),
                ContinuumError::NoMatrixPhase { reason } => rec(&["continuum"], "NoMatrixPhase", json!({"reason": reason})),
                ContinuumError::NotConverged { solver, iters, residual, tol } => rec(&["continuum"], "NotConverged", json!({"solver": solver, "iters": iters, "residual": residual, "tol": tol})),
                ContinuumError::NonFinite { what, index } => rec(&["continuum"], "NonFinite", json!({"what": what, "index": index})),
                ContinuumError::Core(c) => core_leaf(c, &["continuum", "core"]),
                ContinuumError::Parse { .. } | ContinuumError::Io { .. } => None,
            },
        }?;
        // the MD thread pool could not be built: the machine, not the inputs (the thread count
        // is no stage input)
        if r.variant == "InvalidParameter" && r.fields["name"] == "threads" {
            return None;
        }
        Some(r)
    }

    /// The error again (`None` for a record this version cannot rebuild: the stage is then
    /// computed, as without a record).
    pub fn to_error(&self) -> Option<PipelineError> {
        let f = &self.fields;
        let s = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
        let u = |k: &str| f.get(k).and_then(Value::as_u64).and_then(|x| usize::try_from(x).ok());
        let x = |k: &str| f.get(k).and_then(Value::as_f64);
        let v = self.variant.as_str();
        let core = || -> Option<CoreError> {
            Some(match v {
                "InvalidParameter" => CoreError::InvalidParameter { name: s("name")?, value: s("value")?, reason: s("reason")? },
                "NonFinite" => CoreError::NonFinite { what: s("what")?, index: u("index")? },
                "Singular" => CoreError::Singular { what: s("what")?, reason: s("reason")? },
                _ => return None,
            })
        };
        let via: Vec<&str> = self.via.iter().map(String::as_str).collect();
        Some(match via.as_slice() {
            [] => match v {
                "InvalidParameter" => PipelineError::InvalidParameter { name: s("name")?, value: s("value")?, reason: s("reason")? },
                _ => return None,
            },
            ["core"] => PipelineError::Core(core()?),
            ["md", "core"] => PipelineError::Md(MdError::Core(core()?)),
            ["continuum", "core"] => PipelineError::Continuum(ContinuumError::Core(core()?)),
            ["md"] => PipelineError::Md(match v {
                "InvalidParameter" => MdError::InvalidParameter { name: s("name")?, value: s("value")?, reason: s("reason")? },
                "UnknownSpecies" => MdError::UnknownSpecies { species: s("species")?, potential: s("potential")?, known: s("known")? },
                "NonFinite" => MdError::NonFinite { what: s("what")?, index: u("index")? },
                "Overlap" => MdError::Overlap { i: u("i")?, j: u("j")?, r: x("r")?, min: x("min")? },
                "DegenerateCell" => MdError::DegenerateCell { volume: x("volume")?, reason: s("reason")? },
                "Shape" => MdError::Shape(s("0")?),
                "NotConverged" => MdError::NotConverged { what: s("what")?, iters: u("iters")?, residual: x("residual")? },
                _ => return None,
            }),
            ["continuum"] => PipelineError::Continuum(match v {
                "InvalidParameter" => ContinuumError::InvalidParameter { name: s("name")?, value: s("value")?, reason: s("reason")? },
                "InvalidMaterial" => ContinuumError::InvalidMaterial { phase: u("phase")?, reason: s("reason")? },
                "EmptyPhaseTable" => ContinuumError::EmptyPhaseTable,
                "InvalidGrid" => ContinuumError::InvalidGrid { reason: s("reason")? },
                "NoMatrixPhase" => ContinuumError::NoMatrixPhase { reason: s("reason")? },
                "NotConverged" => ContinuumError::NotConverged { solver: s("solver")?, iters: u("iters")?, residual: x("residual")?, tol: x("tol")? },
                "NonFinite" => ContinuumError::NonFinite { what: s("what")?, index: u("index")? },
                _ => return None,
            }),
            _ => return None,
        })
    }
}

/// Where a failure record came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailureProvenance {
    /// scalebridge version that computed the stage (also part of the stage key).
    pub version: String,
    /// SHA-256 of the stage's inputs (the JSON text hashed into the key with the stage name and
    /// the version).
    pub input_hash: String,
    /// When the failure was recorded, Unix time in milliseconds.
    pub recorded_unix_ms: i64,
    /// The machine it was computed on (`/etc/hostname`; `localhost` when unknown).
    pub host: String,
}

/// The stored record of a stage that failed deterministically for its inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageFailure {
    /// The stage, e.g. `"HEA/elastic/static"` or `"homogenisation"`.
    pub stage: String,
    /// The stage key (SHA-256 of the stage name, its inputs and the version) the record is
    /// stored under (as `<key>.failed`).
    pub key: String,
    /// The error message, exactly as the failing run reported it.
    pub error: String,
    /// The error in a form that rebuilds it ([`RecordedError::to_error`]).
    pub recorded: RecordedError,
    /// CPU time (user + system, whole process) spent in the stage before it failed, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_s: Option<f64>,
    /// Wall time spent in the stage before it failed, s.
    pub wall_s: f64,
    pub provenance: FailureProvenance,
}

/// A failure a describe met: recorded now (`replayed = false`) or replayed from an earlier
/// record (`replayed = true`, the stage was not computed).
#[derive(Clone, Debug, PartialEq)]
pub struct FailureEvent {
    pub replayed: bool,
    pub failure: StageFailure,
}

/// The failures the describes of one [`crate::DescribeOptions`] met, in order (shared by clones;
/// front ends give each material a fresh log to tell a failure replayed from the store from one
/// computed now, and count them).
#[derive(Clone, Debug, Default)]
pub struct FailureLog(Arc<Mutex<Vec<FailureEvent>>>);

impl FailureLog {
    pub fn new() -> Self {
        FailureLog::default()
    }

    pub(crate) fn push(&self, e: FailureEvent) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(e);
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<FailureEvent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forget the events (the log is shared by clones).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The event whose error message is `message` (the last one), e.g. to tell whether a
    /// describe's error was replayed from a record: `log.event_for(&e.to_string())`.
    pub fn event_for(&self, message: &str) -> Option<FailureEvent> {
        self.events().into_iter().rev().find(|e| e.failure.error == message)
    }
}

/// The host name for the provenance of a failure record.
pub(crate) fn host() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "localhost".into())
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn round_trip(e: PipelineError) -> PipelineError {
        let r = RecordedError::capture(&e).unwrap_or_else(|| panic!("{e} is not captured"));
        let text = serde_json::to_string(&r).unwrap();
        let back: RecordedError = serde_json::from_str(&text).unwrap();
        let e2 = back.to_error().unwrap_or_else(|| panic!("{text} does not rebuild"));
        assert_eq!(e.to_string(), e2.to_string(), "{text}");
        e2
    }

    #[test]
    fn deterministic_errors_come_back_as_the_same_variant_and_message() {
        let e = round_trip(MdError::NotConverged { what: "FIRE relaxation".into(), iters: 20000, residual: 8.4123456789e-5 }.into());
        assert!(matches!(e, PipelineError::Md(MdError::NotConverged { iters: 20000, .. })), "{e:?}");
        let e = round_trip(ContinuumError::InvalidMaterial { phase: 0, reason: "HEA: stiffness matrix is not positive definite".into() }.into());
        assert!(matches!(e, PipelineError::Continuum(ContinuumError::InvalidMaterial { phase: 0, .. })));
        let e = round_trip(PipelineError::Md(MdError::Core(CoreError::Singular { what: "C".into(), reason: "det 0".into() })));
        assert!(matches!(e, PipelineError::Md(MdError::Core(CoreError::Singular { .. }))));
        round_trip(PipelineError::Core(CoreError::NonFinite { what: "stress".into(), index: 3 }));
        round_trip(PipelineError::Continuum(ContinuumError::Core(CoreError::invalid("x", 1, "r"))));
        round_trip(PipelineError::InvalidParameter { name: "phase".into(), value: "A".into(), reason: "r".into() });
        round_trip(MdError::Overlap { i: 1, j: 2, r: 0.123456, min: 0.5 }.into());
        round_trip(MdError::DegenerateCell { volume: -1.5e-3, reason: "left-handed".into() }.into());
        round_trip(MdError::Shape("3 vs 4".into()).into());
        round_trip(MdError::UnknownSpecies { species: "X".into(), potential: "p".into(), known: "Cu".into() }.into());
        round_trip(MdError::invalid("strain", 2, "too large").into());
        round_trip(ContinuumError::NotConverged { solver: "cg".into(), iters: 9, residual: 1.5e-3, tol: 1e-6 }.into());
        round_trip(ContinuumError::EmptyPhaseTable.into());
    }

    #[test]
    fn interruptions_io_parse_and_thread_pools_are_not_recorded() {
        let io = || std::io::Error::other("disk");
        let not: Vec<PipelineError> = vec![
            MdError::Interrupted { what: "melting".into(), done: 3 }.into(),
            CoreError::Interrupted { what: "describe".into(), done: 0 }.into(),
            PipelineError::Md(MdError::Core(CoreError::Interrupted { what: "x".into(), done: 1 })),
            MdError::Io { path: "f".into(), source: io() }.into(),
            CoreError::Io { path: "results.db".into(), source: io() }.into(),
            CoreError::Serialization { what: "stage".into(), reason: "r".into() }.into(),
            PipelineError::Io { path: "f".into(), source: io() },
            PipelineError::Parse { path: "m.toml".into(), line: 1, key: "k".into(), msg: "m".into() },
            MdError::Parse { path: "x.extxyz".into(), line: 1, msg: "m".into() }.into(),
            ContinuumError::Io { path: "f".into(), source: io() }.into(),
            MdError::invalid("threads", 4, "could not spawn").into(),
        ];
        for e in &not {
            assert!(RecordedError::capture(e).is_none(), "{e} must not be recorded");
        }
    }

    #[test]
    fn an_unknown_record_is_not_replayed() {
        let r = RecordedError { via: vec!["md".into()], variant: "FromTheFuture".into(), fields: json!({}) };
        assert!(r.to_error().is_none());
        let r = RecordedError { via: vec!["md".into()], variant: "NotConverged".into(), fields: json!({"what": "x"}) };
        assert!(r.to_error().is_none(), "missing fields");
    }
}
