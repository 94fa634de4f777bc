//! Time integrators. An [`Integrator`] advances an [`MdState`] by one step using an
//! [`Evaluator`] for forces. On entry `eval.output.forces` holds the forces of `state`; on exit
//! they hold the forces of the new state.

pub mod berendsen;
pub mod factory;
pub mod langevin;
pub mod nose_hoover;
pub mod npt;
pub mod velocity_verlet;

pub use berendsen::{Berendsen, BerendsenBarostat};
pub use langevin::Langevin;
pub use nose_hoover::NoseHoover;
pub use npt::{Coupling, Npt};
pub use velocity_verlet::VelocityVerlet;

use crate::cell::Vec3;
use crate::error::Result;
use crate::evaluator::Evaluator;
use crate::structure::Structure;
use serde::{Deserialize, Serialize};

/// Everything that changes during a run (positions live in `structure`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MdState {
    pub structure: Structure,
    /// Velocities, Å/ps.
    pub velocities: Vec<Vec3>,
    /// Step counter.
    pub step: u64,
    /// Simulated time, ps.
    pub time: f64,
}

/// A time-stepping algorithm.
pub trait Integrator: Send + Sync + std::fmt::Debug {
    /// Name (LAMMPS fix style where one exists, e.g. `"nve"`).
    fn name(&self) -> &str;
    /// Advance `state` by `dt` (ps).
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()>;
    /// Internal state (thermostat variables, random-number stream) for checkpoints.
    fn save_state(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    /// Restore what `save_state` returned.
    fn load_state(&mut self, _state: &serde_json::Value) -> Result<()> {
        Ok(())
    }
}

/// `save_state`/`load_state` for integrators whose whole value is their state.
macro_rules! serde_state {
    () => {
        fn save_state(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
        fn load_state(&mut self, state: &serde_json::Value) -> crate::error::Result<()> {
            *self = serde_json::from_value(state.clone())
                .map_err(|e| crate::error::Error::invalid("checkpoint", "integrator state", &e.to_string()))?;
            Ok(())
        }
    };
}
pub(crate) use serde_state;
