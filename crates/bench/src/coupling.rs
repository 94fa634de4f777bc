//! `scalebridge bench coupling`: the atomistic–continuum coupling benchmarks (docs/coupling.md).
//!
//! * `pulse1d`: a long-wavelength and a short (above the mesh cutoff) pulse through the 1-D
//!   force-based interface; the whole energy budget (reflected, transmitted, absorbed, drift).
//! * `lomer`, `crack`: not implemented yet; they answer with a clear error, never a number.

use scalebridge_coupling::pulse::{pulse1d, PulseOptions};

/// Options of `bench coupling`.
#[derive(Clone, Debug)]
pub struct CouplingOptions {
    /// `pulse1d`, `lomer` or `crack`.
    pub case: String,
    /// Lomer model half-width, Å (10, 20 or 30).
    pub model: Option<u32>,
    /// Options of the pulse case as JSON (the `PulseOptions` fields; missing ones keep their defaults).
    pub options_json: Option<String>,
}

/// Run the case and return its report as JSON.
pub fn run_coupling(o: &CouplingOptions) -> Result<serde_json::Value, String> {
    match o.case.as_str() {
        "pulse1d" => {
            let opts: PulseOptions = match &o.options_json {
                Some(t) => serde_json::from_str(t).map_err(|e| format!("pulse1d options: {e}"))?,
                None => PulseOptions::default(),
            };
            let r = pulse1d(&opts).map_err(|e| e.to_string())?;
            serde_json::to_value(r).map_err(|e| e.to_string())
        }
        "lomer" => {
            if let Some(m) = o.model {
                if ![10, 20, 30].contains(&m) {
                    return Err(format!("--model {m}: the Lomer models are 10, 20 or 30 (Å half-width of the atomistic region)"));
                }
            }
            Err("bench coupling --case lomer: not implemented yet (the 2-D plane-strain coupled solver and the Miller–Tadmor Lomer dipole are still to be written; see docs/coupling.md)".into())
        }
        "crack" => Err("bench coupling --case crack: not implemented yet (see docs/coupling.md)".into()),
        other => Err(format!("unknown coupling case {other:?}: use pulse1d, lomer or crack")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(case: &str, model: Option<u32>, json: Option<&str>) -> CouplingOptions {
        CouplingOptions { case: case.into(), model, options_json: json.map(|s| s.to_string()) }
    }

    #[test]
    fn unfinished_and_bad_cases_answer_with_errors() {
        assert!(run_coupling(&opts("lomer", Some(30), None)).unwrap_err().contains("not implemented"));
        assert!(run_coupling(&opts("lomer", Some(25), None)).unwrap_err().contains("10, 20 or 30"));
        assert!(run_coupling(&opts("crack", None, None)).unwrap_err().contains("not implemented"));
        assert!(run_coupling(&opts("shock", None, None)).unwrap_err().contains("unknown coupling case"));
        let e = run_coupling(&opts("pulse1d", None, Some(r#"{"gama": 1.0}"#))).unwrap_err();
        assert!(e.contains("gama"), "{e}");
        let e = run_coupling(&opts("pulse1d", None, Some(r#"{"strain": 0.5}"#))).unwrap_err();
        assert!(e.contains("strain"), "{e}");
    }
}
