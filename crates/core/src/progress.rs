//! Progress reporting and interruption of long calculations.

use crate::error::{Error, Result};

/// Progress of a long calculation: `update(done, total, stage)` is called as work finishes
/// (units of work are calculation-defined, usually MD steps); returning `false` interrupts it,
/// which then returns an interruption error after saving finished stages.
pub trait Progress: Send {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool;
}

impl<F: FnMut(u64, u64, &str) -> bool + Send> Progress for F {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        self(done, total, stage)
    }
}

/// Progress that never interrupts and reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn update(&mut self, _done: u64, _total: u64, _stage: &str) -> bool {
        true
    }
}

/// Report `done` of `total` in `stage`; an interruption becomes [`Error::Interrupted`].
pub fn report(progress: &mut dyn Progress, done: u64, total: u64, stage: &str) -> Result<()> {
    if progress.update(done, total, stage) {
        Ok(())
    } else {
        Err(Error::Interrupted { what: stage.to_string(), done })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_progress_interrupts_with_the_stage_and_count() {
        let mut seen = Vec::new();
        let mut p = |d: u64, _t: u64, _s: &str| {
            seen.push(d);
            d < 20
        };
        assert!(report(&mut p, 10, 30, "run").is_ok());
        match report(&mut p, 20, 30, "run") {
            Err(Error::Interrupted { what, done }) => assert_eq!((what.as_str(), done), ("run", 20)),
            other => panic!("expected an interruption, got {other:?}"),
        }
        assert_eq!(seen, [10, 20]);
        assert!(report(&mut Silent, 1, 1, "x").is_ok());
    }
}
