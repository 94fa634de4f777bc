//! The MD-run option block every MD protocol shares ([`MdRunOptions`]) and its resolution
//! against a protocol's own defaults ([`MdRun`]).
//!
//! The block is flattened into each protocol's options, so its keys stay top-level JSON keys
//! (`{"timestep": 0.002, "damping": 0.1}`), with the historical aliases (`timestep_ps`,
//! `damping`, `equilibrate_steps`). Every field is optional: `None` takes the protocol's
//! default, which the protocol states once as an [`MdRunOptions`] whose `None` fields mark the
//! keys it does not use; giving such a key is an error naming it ([`MdRunOptions::resolve`]).
//! Serde's `deny_unknown_fields` does not work next to `flatten`, so the options structs end
//! with a flattened [`DenyUnknownKeys`] that refuses any key no field took.

use super::Thermostat;
use scalebridge_md::error::{Error, Result};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// The MD-run options shared by the MD protocols (every field optional; `None` = the
/// protocol's default). Keys: `timestep` (ps; alias `timestep_ps`), `thermostat`
/// (`nose-hoover` or `langevin`), `thermostat_damping` (ps; alias `damping`),
/// `pressure_damping` (ps), `skin` (Å), `seed`, `threads` (0 = all cores),
/// `equilibration_steps` (alias `equilibrate_steps`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MdRunOptions {
    /// Time step, ps.
    #[serde(alias = "timestep_ps", skip_serializing_if = "Option::is_none")]
    pub timestep: Option<f64>,
    /// Thermostat of the NVT stages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thermostat: Option<Thermostat>,
    /// Thermostat damping time, ps (Nosé–Hoover `Tdamp`, Langevin 1/γ).
    #[serde(alias = "damping", skip_serializing_if = "Option::is_none")]
    pub thermostat_damping: Option<f64>,
    /// Barostat damping time, ps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pressure_damping: Option<f64>,
    /// Neighbour-list skin, Å.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skin: Option<f64>,
    /// Seed of the initial velocities (and of the thermostat noise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Equilibration steps before production.
    #[serde(alias = "equilibrate_steps", skip_serializing_if = "Option::is_none")]
    pub equilibration_steps: Option<u64>,
}

/// The shared block resolved against a protocol's defaults: what the protocol runs with.
/// Fields the protocol does not use hold neutral values it never reads.
#[derive(Clone, Debug, PartialEq)]
pub struct MdRun {
    pub timestep: f64,
    pub thermostat: Thermostat,
    pub thermostat_damping: f64,
    pub pressure_damping: f64,
    pub skin: f64,
    pub seed: u64,
    pub threads: usize,
    pub equilibration_steps: u64,
}

fn pick<T: Clone + std::fmt::Debug>(key: &str, given: &Option<T>, default: &Option<T>) -> Result<Option<T>> {
    match (given, default) {
        (Some(v), None) => Err(Error::invalid(key, format!("{v:?}"), "unknown option: this protocol does not use it")),
        (g, d) => Ok(g.clone().or_else(|| d.clone())),
    }
}

impl MdRunOptions {
    /// These options with every key the protocol uses filled from `defaults` (whose `None`
    /// fields are the keys it does not use: giving one is an error naming it).
    pub fn resolve(&self, defaults: &MdRunOptions) -> Result<MdRunOptions> {
        Ok(MdRunOptions {
            timestep: pick("timestep", &self.timestep, &defaults.timestep)?,
            thermostat: pick("thermostat", &self.thermostat, &defaults.thermostat)?,
            thermostat_damping: pick("thermostat_damping", &self.thermostat_damping, &defaults.thermostat_damping)?,
            pressure_damping: pick("pressure_damping", &self.pressure_damping, &defaults.pressure_damping)?,
            skin: pick("skin", &self.skin, &defaults.skin)?,
            seed: pick("seed", &self.seed, &defaults.seed)?,
            threads: pick("threads", &self.threads, &defaults.threads)?,
            equilibration_steps: pick("equilibration_steps", &self.equilibration_steps, &defaults.equilibration_steps)?,
        })
    }

    /// The values to run with: [`Self::resolve`] against `defaults`, then checked.
    pub fn run(&self, defaults: &MdRunOptions) -> Result<MdRun> {
        let r = self.resolve(defaults)?;
        let run = MdRun {
            timestep: r.timestep.unwrap_or(0.001),
            thermostat: r.thermostat.unwrap_or_default(),
            thermostat_damping: r.thermostat_damping.unwrap_or(0.1),
            pressure_damping: r.pressure_damping.unwrap_or(1.0),
            skin: r.skin.unwrap_or(scalebridge_md::evaluator::DEFAULT_SKIN),
            seed: r.seed.unwrap_or(1),
            threads: r.threads.unwrap_or(0),
            equilibration_steps: r.equilibration_steps.unwrap_or(0),
        };
        // a protocol whose default time step is 0 chooses its own (melting)
        let auto_dt = defaults.timestep == Some(0.0);
        if !(run.timestep.is_finite() && (run.timestep > 0.0 || (auto_dt && run.timestep == 0.0))) {
            let why = if auto_dt { "must be positive (ps), or 0 for automatic" } else { "must be positive (ps)" };
            return Err(Error::invalid("timestep", run.timestep, why));
        }
        for (key, v) in [("thermostat_damping", run.thermostat_damping), ("pressure_damping", run.pressure_damping)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(key, v, "must be positive (ps)"));
            }
        }
        if !(run.skin.is_finite() && run.skin >= 0.0) {
            return Err(Error::invalid("skin", run.skin, "must be non-negative (Å)"));
        }
        Ok(run)
    }
}

/// Options with the shared MD block: the protocol's defaults for it and access to it.
pub trait WithMdRun {
    /// The protocol's defaults of the shared block (`None`: a key it does not use).
    const MD_DEFAULTS: MdRunOptions;
    fn md_block(&self) -> &MdRunOptions;
    fn md_block_mut(&mut self) -> &mut MdRunOptions;
    /// The shared block resolved and checked.
    fn md(&self) -> Result<MdRun> {
        self.md_block().run(&Self::MD_DEFAULTS)
    }
}

/// Options that fill what was not given from their defaults before a run, so that the options
/// recorded in a result's provenance are the ones it ran with.
pub trait Resolve: Sized {
    /// Fill unset fields; an option the protocol does not use is an error naming it.
    fn resolve(&mut self) -> Result<()> {
        Ok(())
    }
}

impl<T: WithMdRun> Resolve for T {
    fn resolve(&mut self) -> Result<()> {
        self.md()?;
        let r = self.md_block().resolve(&Self::MD_DEFAULTS)?;
        *self.md_block_mut() = r;
        Ok(())
    }
}

/// A copy of `options` resolved ([`Resolve`]).
pub fn resolved<T: Resolve + Clone>(options: &T) -> Result<T> {
    let mut o = options.clone();
    o.resolve()?;
    Ok(o)
}

/// Flattened last into an options struct: refuses every key that no field took, with serde's
/// `unknown field` message naming it (the stand-in for `deny_unknown_fields`, which serde does
/// not support together with `flatten`). Serialises to nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DenyUnknownKeys;

impl Serialize for DenyUnknownKeys {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for DenyUnknownKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DenyUnknownKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("no further keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                match map.next_key::<String>()? {
                    Some(k) => Err(serde::de::Error::custom(format!("unknown field `{k}`"))),
                    None => Ok(DenyUnknownKeys),
                }
            }
        }
        d.deserialize_map(V)
    }
}

/// Implements [`WithMdRun`] for an options struct with fields `md: MdRunOptions` and the
/// defaults `$defaults`.
#[macro_export]
macro_rules! with_md_run {
    ($ty:ty, $defaults:expr) => {
        impl $crate::md_run::WithMdRun for $ty {
            const MD_DEFAULTS: $crate::md_run::MdRunOptions = $defaults;
            fn md_block(&self) -> &$crate::md_run::MdRunOptions {
                &self.md
            }
            fn md_block_mut(&mut self) -> &mut $crate::md_run::MdRunOptions {
                &mut self.md
            }
        }
    };
}
