//! Flags shared by the MD protocol subcommands (`conductivity`, `diffusion`, `elastic`,
//! `melting`): the run lengths and time step, and `--print-options`. A flag not given is left
//! out of the options JSON, so the protocol's Rust default applies.

use clap::Args as ClapArgs;
use serde::Serialize;
use serde_json::{json, Value};

/// Time step and run lengths (each optional: the protocol's default otherwise).
#[derive(ClapArgs)]
pub struct RunFlags {
    /// Time step, ps (default: the protocol's).
    #[arg(long)]
    pub timestep: Option<f64>,
    /// Equilibration steps (default: the protocol's).
    #[arg(long)]
    pub equilibration_steps: Option<u64>,
    /// Production steps (default: the protocol's).
    #[arg(long)]
    pub steps: Option<u64>,
}

impl RunFlags {
    /// The given flags as options JSON (`null` = not given).
    pub fn json(&self) -> Value {
        json!({ "timestep": self.timestep, "equilibration_steps": self.equilibration_steps, "production_steps": self.steps })
    }
}

/// `--print-options`.
#[derive(ClapArgs)]
pub struct PrintFlag {
    /// Print the options the protocol would run with (JSON, every default filled in) and exit.
    #[arg(long)]
    pub print_options: bool,
}

impl PrintFlag {
    /// With `--print-options`, print `options` and return `true` (the command stops there).
    pub fn printed(&self, options: &impl Serialize) -> Result<bool, String> {
        if self.print_options {
            println!("{}", serde_json::to_string_pretty(options).map_err(|e| e.to_string())?);
        }
        Ok(self.print_options)
    }
}

/// `base` with the keys of `more` added (both JSON objects).
pub fn merged(mut base: Value, more: Value) -> Value {
    if let (Some(b), Value::Object(m)) = (base.as_object_mut(), more) {
        b.extend(m);
    }
    base
}
