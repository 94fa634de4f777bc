//! The protocol registry: one entry point, [`run`], that the CLI and the Python bindings call
//! with a protocol name and JSON options, so defaults and branches live in the protocols.
//!
//! | name | protocol | options |
//! |---|---|---|
//! | `elastic` | 0 K or finite-T elastic constants (by `temperature`) | [`ElasticOptions`] |
//! | `elastic/static` | 0 K elastic constants | [`StaticOptions`] |
//! | `elastic/thermal` | finite-temperature elastic constants | [`ThermalOptions`] |
//! | `diffusion/msd` | self-diffusivity (Einstein) | [`DiffusionOptions`] |
//! | `thermal/expansion` | thermal expansion, heat capacity | [`ExpansionOptions`] |
//! | `defects/vacancy` | vacancy formation energy | [`VacancyOptions`] |
//! | `lattice_distortion` | static displacements of a solid solution at 0 K | [`DistortionOptions`] |
//! | `equation_of_state` | 0 K E(V), Birch–Murnaghan B₀, B₀′, Slater Grüneisen γ | [`EosOptions`] |
//! | `thermal_conductivity/green_kubo` | κ by Green–Kubo | [`GreenKuboOptions`] |
//! | `thermal_conductivity/muller_plathe` | κ by reverse NEMD | [`NemdOptions`] |
//! | `melting/coexistence` (alias `melting`) | melting temperature | [`MeltingOptions`] |
//! | `glass/melt_quench` | amorphous solid by melt–quench | [`MeltQuenchOptions`] |
//! | `glass/transition` (alias `glass-transition`) | glass-transition temperature | [`GlassOptions`] |

use crate::defects::{vacancy_formation, VacancyOptions, VacancyResult};
use crate::diffusion::{diffusivity, DiffusionOptions, DiffusionResult};
use crate::distortion::{lattice_distortion, DistortionOptions, DistortionResult};
use crate::eos::{equation_of_state, EosOptions, EosResult};
use crate::glass::{glass_transition, melt_quench, GlassOptions, GlassResult, MeltQuenchOptions, MeltQuenchResult};
use crate::elastic::{static_constants, thermal_constants, ElasticOptions, ElasticResult, StaticOptions, ThermalOptions};
use crate::green_kubo::{green_kubo, GreenKuboOptions, GreenKuboResult};
use crate::melting::{melting_temperature, MeltingOptions, MeltingResult};
use crate::nemd::{muller_plathe, NemdOptions, NemdResult};
use crate::protocol::{Context, Protocol};
use crate::thermal::{thermal_expansion, ExpansionOptions, ExpansionResult};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::sync::Arc;

/// Registry names accepted by [`run`] (plus the alias `melting`).
pub const PROTOCOLS: &[&str] = &[
    "elastic",
    "elastic/static",
    "elastic/thermal",
    "diffusion/msd",
    "thermal/expansion",
    "defects/vacancy",
    "lattice_distortion",
    "equation_of_state",
    "thermal_conductivity/green_kubo",
    "thermal_conductivity/muller_plathe",
    "melting/coexistence",
    "glass/melt_quench",
    "glass/transition",
];

macro_rules! protocol {
    ($(#[$doc:meta])* $ty:ident, $name:expr, $opts:ty, $out:ty, |$s:ident, $p:ident, $o:ident, $cache:ident, $prog:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $ty;
        impl Protocol for $ty {
            const NAME: &'static str = $name;
            type Options = $opts;
            type Output = $out;
            fn run($s: &Structure, $p: Arc<dyn Potential>, $o: &$opts, ctx: &mut Context<'_>) -> Result<$out> {
                let $cache = ctx.stage_cache(Self::NAME, $s, $p.as_ref(), $o);
                let $prog = &mut *ctx.progress;
                $body
            }
        }
    };
}

protocol!(
    /// Elastic constants; `temperature == 0` (default) selects the 0 K protocol.
    Elastic, "elastic", ElasticOptions, ElasticResult, |s, p, o, cache, prog| {
        if o.is_static() {
            static_constants(s, p, &o.static_options(), &cache, prog)
        } else {
            thermal_constants(s, p, &o.thermal_options(), &cache, prog)
        }
    }
);
protocol!(
    /// Elastic constants at 0 K.
    ElasticStatic, "elastic/static", StaticOptions, ElasticResult, |s, p, o, cache, prog| static_constants(s, p, o, &cache, prog)
);
protocol!(
    /// Elastic constants at finite temperature.
    ElasticThermal, "elastic/thermal", ThermalOptions, ElasticResult, |s, p, o, cache, prog| thermal_constants(s, p, o, &cache, prog)
);
protocol!(
    /// Self-diffusivity from the mean-squared displacement.
    Diffusion, "diffusion/msd", DiffusionOptions, DiffusionResult, |s, p, o, cache, prog| diffusivity(s, p, o, &cache, prog)
);
protocol!(
    /// Thermal expansion and heat capacity.
    ThermalExpansion, "thermal/expansion", ExpansionOptions, ExpansionResult, |s, p, o, cache, prog| thermal_expansion(s, p, o, &cache, prog)
);
protocol!(
    /// Vacancy formation energy (no stages to cache).
    Vacancy, "defects/vacancy", VacancyOptions, VacancyResult, |s, p, o, _cache, prog| vacancy_formation(s, p, o, prog)
);
protocol!(
    /// Local lattice distortion of a solid solution at 0 K (no stages to cache).
    LatticeDistortion, "lattice_distortion", DistortionOptions, DistortionResult, |s, p, o, _cache, prog| lattice_distortion(s, p, o, prog)
);
protocol!(
    /// 0 K equation of state: Birch–Murnaghan B₀, B₀′ and the Slater Grüneisen parameter (no
    /// stages to cache).
    EquationOfState, "equation_of_state", EosOptions, EosResult, |s, p, o, _cache, prog| equation_of_state(s, p, o, prog)
);
protocol!(
    /// Thermal conductivity by Green–Kubo.
    GreenKubo, "thermal_conductivity/green_kubo", GreenKuboOptions, GreenKuboResult, |s, p, o, cache, prog| green_kubo(s, p, o, &cache, prog)
);
protocol!(
    /// Thermal conductivity by reverse NEMD (Müller-Plathe).
    MullerPlathe, "thermal_conductivity/muller_plathe", NemdOptions, NemdResult, |s, p, o, cache, prog| muller_plathe(s, p, o, &cache, prog)
);
protocol!(
    /// Melting temperature by solid–liquid coexistence.
    Melting, "melting/coexistence", MeltingOptions, MeltingResult, |s, p, o, cache, prog| melting_temperature(s, p, o, &cache, prog)
);

protocol!(
    /// Amorphous solid by melt–quench through an NPT temperature ladder.
    MeltQuench, "glass/melt_quench", MeltQuenchOptions, MeltQuenchResult, |s, p, o, cache, prog| melt_quench(s, p, o, &cache, prog)
);
protocol!(
    /// Glass-transition temperature from the volume on cooling (bilinear fit, bootstrap).
    GlassTransition, "glass/transition", GlassOptions, GlassResult, |s, p, o, cache, prog| glass_transition(s, p, o, &cache, prog)
);

/// Parse `options` for `P`, run it and serialise its result.
pub fn run_json<P: Protocol>(structure: &Structure, potential: Arc<dyn Potential>, options: &serde_json::Value, ctx: &mut Context<'_>) -> Result<serde_json::Value> {
    let o = P::options(options, ctx)?;
    let out = P::run(structure, potential, &o, ctx)?;
    serde_json::to_value(&out).map_err(|e| Error::invalid("result", P::NAME, &format!("cannot be serialised: {e}")))
}

/// Something done with a protocol chosen by name ([`dispatch`]).
pub trait Visit {
    type Out;
    fn visit<P: Protocol>(self) -> Result<Self::Out>;
}

/// Call `v` with the protocol registered as `name` (an unknown name is an error listing the
/// known ones).
pub fn dispatch<V: Visit>(name: &str, v: V) -> Result<V::Out> {
    match name {
        "elastic" => v.visit::<Elastic>(),
        "elastic/static" => v.visit::<ElasticStatic>(),
        "elastic/thermal" => v.visit::<ElasticThermal>(),
        "diffusion/msd" => v.visit::<Diffusion>(),
        "thermal/expansion" => v.visit::<ThermalExpansion>(),
        "defects/vacancy" => v.visit::<Vacancy>(),
        "lattice_distortion" => v.visit::<LatticeDistortion>(),
        "equation_of_state" => v.visit::<EquationOfState>(),
        "thermal_conductivity/green_kubo" => v.visit::<GreenKubo>(),
        "thermal_conductivity/muller_plathe" => v.visit::<MullerPlathe>(),
        "melting/coexistence" | "melting" => v.visit::<Melting>(),
        "glass/melt_quench" => v.visit::<MeltQuench>(),
        "glass/transition" | "glass-transition" => v.visit::<GlassTransition>(),
        other => Err(Error::invalid("protocol", other, &format!("unknown protocol (known: {})", PROTOCOLS.join(", ")))),
    }
}

struct RunJson<'s, 'c, 'p> {
    structure: &'s Structure,
    potential: Arc<dyn Potential>,
    options: &'s serde_json::Value,
    ctx: &'c mut Context<'p>,
}

impl Visit for RunJson<'_, '_, '_> {
    type Out = serde_json::Value;
    fn visit<P: Protocol>(self) -> Result<serde_json::Value> {
        run_json::<P>(self.structure, self.potential, self.options, self.ctx)
    }
}

/// Run the protocol `name` on `structure` with `potential` and JSON `options` (an object whose
/// missing fields take the protocol's defaults) and return its result as JSON.
pub fn run(name: &str, structure: &Structure, potential: Arc<dyn Potential>, options: &serde_json::Value, ctx: &mut Context<'_>) -> Result<serde_json::Value> {
    dispatch(name, RunJson { structure, potential, options, ctx })
}

struct ResolveJson<'a>(&'a serde_json::Value);

impl Visit for ResolveJson<'_> {
    type Out = serde_json::Value;
    fn visit<P: Protocol>(self) -> Result<serde_json::Value> {
        let o = P::parse_options(self.0, None)?;
        serde_json::to_value(&o).map_err(|e| Error::invalid("options", P::NAME, &format!("cannot be serialised: {e}")))
    }
}

/// The options the protocol `name` runs with when given the JSON `options` (missing fields
/// filled with its defaults; an unknown key is an error naming it), as JSON: what a run records
/// in its provenance (`parameters`) for the protocol it runs.
pub fn resolved_options(name: &str, options: &serde_json::Value) -> Result<serde_json::Value> {
    dispatch(name, ResolveJson(options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::silent;
    use scalebridge_md::lattice::{bulk, BulkSpec, Lattice};
    use scalebridge_md::potentials::lj_cut::Mixing;
    use scalebridge_md::potentials::LennardJones;

    fn argon() -> (Structure, Arc<dyn Potential>) {
        let s = bulk(&BulkSpec { lattice: Lattice::Fcc, species: vec!["Ar".into()], a: 5.26, c: None, orientation: None, repeat: [3, 3, 3], orthogonal: true, masses: None })
            .expect("fcc");
        let lj = LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.40], 8.5, false, Mixing::LorentzBerthelot, vec![]).expect("lj");
        (s, Arc::new(lj))
    }

    #[test]
    fn unknown_names_and_options_are_clear_errors() {
        let (s, p) = argon();
        let e = silent(|ctx| run("elastic/bogus", &s, p.clone(), &serde_json::json!({}), ctx)).expect_err("unknown").to_string();
        assert!(e.contains("unknown protocol") && e.contains("elastic/static"), "{e}");
        let e = silent(|ctx| run("elastic", &s, p, &serde_json::json!({"strainn": 1e-3}), ctx)).expect_err("bad field").to_string();
        assert!(e.contains("strainn"), "{e}");
    }

    #[test]
    fn elastic_at_zero_kelvin_is_the_static_protocol() {
        let (s, p) = argon();
        let a = silent(|ctx| run("elastic", &s, p.clone(), &serde_json::Value::Null, ctx)).expect("elastic");
        let b = silent(|ctx| run("elastic/static", &s, p, &serde_json::json!({}), ctx)).expect("static");
        assert_eq!(a["C_GPa"], b["C_GPa"]);
        assert_eq!(a["provenance"]["protocol"], "elastic/static");
        let c11 = a["C_GPa"][0][0].as_f64().expect("C11");
        assert!(c11 > 1.0, "{c11}");
    }

    #[test]
    fn defaults_resolve_and_unknown_keys_are_named() {
        for name in PROTOCOLS {
            let d = resolved_options(name, &serde_json::json!({})).expect("defaults");
            assert_eq!(resolved_options(name, &serde_json::Value::Null).expect("null"), d, "{name}");
            // the resolved options read back unchanged (they are what a run records)
            assert_eq!(resolved_options(name, &d).expect("round trip"), d, "{name}");
            let e = resolved_options(name, &serde_json::json!({"no_such_key": 1})).expect_err("unknown").to_string();
            assert!(e.contains("no_such_key"), "{name}: {e}");
        }
        // the shared block's keys and aliases reach every MD protocol, with its own defaults
        for (name, dt) in [("thermal_conductivity/green_kubo", 0.001), ("diffusion/msd", 0.002), ("melting", 0.0), ("elastic/thermal", 0.002)] {
            let d = resolved_options(name, &serde_json::json!({})).expect("defaults");
            assert_eq!(d["timestep"], serde_json::json!(dt), "{name}");
            let o = resolved_options(name, &serde_json::json!({"timestep_ps": 0.004, "equilibrate_steps": 700})).expect("aliases");
            assert_eq!((o["timestep"].as_f64(), o["equilibration_steps"].as_u64()), (Some(0.004), Some(700)), "{name}");
        }
        let o = resolved_options("elastic/thermal", &serde_json::json!({"damping": 0.3})).expect("damping");
        assert_eq!(o["thermostat_damping"], serde_json::json!(0.3));
        // a shared key the protocol does not use is refused by name
        let e = resolved_options("thermal_conductivity/green_kubo", &serde_json::json!({"seed": 4})).expect_err("seed").to_string();
        assert!(e.contains("seed"), "{e}");
        let e = resolved_options("melting", &serde_json::json!({"thermostat_damping": 0.1})).expect_err("damping").to_string();
        assert!(e.contains("thermostat_damping"), "{e}");
        // bad values of the shared block are named too
        let e = resolved_options("diffusion/msd", &serde_json::json!({"timestep": -1.0})).expect_err("dt").to_string();
        assert!(e.contains("timestep"), "{e}");
    }

    #[test]
    fn context_threads_fill_missing_threads_only() {
        let mut s = crate::report::Silent;
        let ctx = Context::new(&mut s).with_threads(Some(3));
        let o = Elastic::options(&serde_json::json!({}), &ctx).expect("opts");
        assert_eq!(o.md.threads, Some(3));
        let o = Elastic::options(&serde_json::json!({"threads": 1}), &ctx).expect("opts");
        assert_eq!(o.md.threads, Some(1));
    }
}
