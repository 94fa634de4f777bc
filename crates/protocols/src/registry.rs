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
//! | `thermal_conductivity/green_kubo` | κ by Green–Kubo | [`GreenKuboOptions`] |
//! | `thermal_conductivity/muller_plathe` | κ by reverse NEMD | [`NemdOptions`] |
//! | `melting/coexistence` (alias `melting`) | melting temperature | [`MeltingOptions`] |

use crate::defects::{vacancy_formation, VacancyOptions, VacancyResult};
use crate::diffusion::{diffusivity, DiffusionOptions, DiffusionResult};
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
    "thermal_conductivity/green_kubo",
    "thermal_conductivity/muller_plathe",
    "melting/coexistence",
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

/// Parse `options` for `P`, run it and serialise its result.
pub fn run_json<P: Protocol>(structure: &Structure, potential: Arc<dyn Potential>, options: &serde_json::Value, ctx: &mut Context<'_>) -> Result<serde_json::Value> {
    let o = P::options(options, ctx)?;
    let out = P::run(structure, potential, &o, ctx)?;
    serde_json::to_value(&out).map_err(|e| Error::invalid("result", P::NAME, &format!("cannot be serialised: {e}")))
}

/// Run the protocol `name` on `structure` with `potential` and JSON `options` (an object whose
/// missing fields take the protocol's defaults) and return its result as JSON.
pub fn run(name: &str, structure: &Structure, potential: Arc<dyn Potential>, options: &serde_json::Value, ctx: &mut Context<'_>) -> Result<serde_json::Value> {
    match name {
        "elastic" => run_json::<Elastic>(structure, potential, options, ctx),
        "elastic/static" => run_json::<ElasticStatic>(structure, potential, options, ctx),
        "elastic/thermal" => run_json::<ElasticThermal>(structure, potential, options, ctx),
        "diffusion/msd" => run_json::<Diffusion>(structure, potential, options, ctx),
        "thermal/expansion" => run_json::<ThermalExpansion>(structure, potential, options, ctx),
        "defects/vacancy" => run_json::<Vacancy>(structure, potential, options, ctx),
        "thermal_conductivity/green_kubo" => run_json::<GreenKubo>(structure, potential, options, ctx),
        "thermal_conductivity/muller_plathe" => run_json::<MullerPlathe>(structure, potential, options, ctx),
        "melting/coexistence" | "melting" => run_json::<Melting>(structure, potential, options, ctx),
        other => Err(Error::invalid("protocol", other, &format!("unknown protocol (known: {})", PROTOCOLS.join(", ")))),
    }
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
    fn context_threads_fill_missing_threads_only() {
        let mut s = crate::report::Silent;
        let ctx = Context::new(&mut s).with_threads(Some(3));
        let o = Elastic::options(&serde_json::json!({}), &ctx).expect("opts");
        assert_eq!(o.md.threads, Some(3));
        let o = Elastic::options(&serde_json::json!({"threads": 1}), &ctx).expect("opts");
        assert_eq!(o.md.threads, Some(1));
    }
}
