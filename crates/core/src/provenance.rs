//! Where a result came from: the hash of its inputs, the seeds and the software versions.
//!
//! One type, [`Provenance`], for every engine: the input hash is common, and what ran is a
//! record `R` flattened next to it — a property protocol on an atomistic structure
//! ([`ProtocolRun`], the md protocols) or an iterative solve ([`SolverRun`], the continuum
//! homogenisation). Both serialise with the keys they always had, so stored results and the
//! documentation stay valid; [`Run`] gives the engine-independent view (seeds, versions) that a
//! results store indexes. `Provenance<R>` dereferences to its record (`prov.wall_seconds`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let out = Sha256::digest(bytes);
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// Engine-independent view of a run record.
pub trait Run {
    /// Random seeds the result depends on (empty when deterministic).
    fn seeds(&self) -> Vec<u64>;
    /// Software name → version that produced the result.
    fn versions(&self) -> BTreeMap<String, String>;
}

/// Something whose content is hashed into a provenance record (a structure, a grid).
pub trait ContentHash {
    /// Deterministic hex SHA-256 of the content.
    fn content_hash(&self) -> String;
}

/// A model that a protocol evaluates (an interatomic potential): its style name, a stable
/// description of its parameters (hashed), and the software (name, version) implementing it.
pub trait ModelFingerprint {
    fn style(&self) -> String;
    fn fingerprint(&self) -> String;
    fn software(&self) -> (String, String);
}

/// Where a result came from: the input hash and the record `R` of what ran (flattened).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance<R = ProtocolRun> {
    /// Deterministic in every input (seeds included): it names the task, so a rerun with the
    /// same inputs has the same id and resumes from its stage store.
    pub input_hash: String,
    #[serde(flatten)]
    pub run: R,
}

impl<R> Deref for Provenance<R> {
    type Target = R;
    fn deref(&self) -> &R {
        &self.run
    }
}

impl<R> DerefMut for Provenance<R> {
    fn deref_mut(&mut self) -> &mut R {
        &mut self.run
    }
}

impl<R: Run> Provenance<R> {
    /// Seeds of the run.
    pub fn seeds(&self) -> Vec<u64> {
        self.run.seeds()
    }
    /// Software versions of the run.
    pub fn versions(&self) -> BTreeMap<String, String> {
        self.run.versions()
    }
}

/// A property protocol run on a structure with a potential.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtocolRun {
    /// Protocol name, e.g. `"elastic/static"`.
    pub protocol: String,
    pub structure_hash: String,
    pub potential_style: String,
    /// SHA-256 of the potential's fingerprint (its parameters or tabulated file content).
    pub potential_hash: String,
    pub parameters: serde_json::Value,
    pub seeds: Vec<u64>,
    pub software: BTreeMap<String, String>,
    /// Wall time of the calculation, s (0 until it finishes).
    pub wall_seconds: f64,
}

impl Run for ProtocolRun {
    fn seeds(&self) -> Vec<u64> {
        self.seeds.clone()
    }
    fn versions(&self) -> BTreeMap<String, String> {
        self.software.clone()
    }
}

impl Provenance<ProtocolRun> {
    /// Provenance of `protocol` run on `structure` with `potential`, `parameters` and `seeds`.
    /// The input hash covers all of them.
    pub fn new<S, P>(protocol: &str, structure: &S, potential: &P, parameters: &impl Serialize, seeds: &[u64]) -> Result<Self>
    where
        S: ContentHash + ?Sized,
        P: ModelFingerprint + ?Sized,
    {
        let parameters = serde_json::to_value(parameters).map_err(|e| Error::invalid("parameters", protocol, &e.to_string()))?;
        let structure_hash = structure.content_hash();
        let potential_hash = sha256_hex(potential.fingerprint().as_bytes());
        let input_hash =
            sha256_hex(format!("{protocol}\n{structure_hash}\n{potential_hash}\n{parameters}\n{seeds:?}").as_bytes());
        let mut software = BTreeMap::new();
        let (name, version) = potential.software();
        software.insert(name, version);
        Ok(Provenance {
            input_hash,
            run: ProtocolRun {
                protocol: protocol.to_string(),
                structure_hash,
                potential_style: potential.style(),
                potential_hash,
                parameters,
                seeds: seeds.to_vec(),
                software,
                wall_seconds: 0.0,
            },
        })
    }
}

/// An iterative solve (homogenisation) of a discretised microstructure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolverRun {
    /// Seed of the microstructure generator, when known.
    pub seed: Option<u64>,
    /// Version of the engine that solved.
    pub version: String,
    /// Solver name (`fft-galerkin-cg`, `fem-hex8-pcg`).
    pub solver: String,
    /// Relative residual tolerance of the iterative solver.
    pub tol: f64,
}

impl Run for SolverRun {
    fn seeds(&self) -> Vec<u64> {
        self.seed.into_iter().collect()
    }
    fn versions(&self) -> BTreeMap<String, String> {
        BTreeMap::from([("scalebridge-continuum".to_string(), self.version.clone())])
    }
}

impl Provenance<SolverRun> {
    /// Provenance of `solver` (tolerance `tol`) run by `version` on inputs hashing to `input_hash`.
    pub fn solver(input_hash: String, solver: &str, tol: f64, version: &str) -> Self {
        Provenance { input_hash, run: SolverRun { seed: None, version: version.to_string(), solver: solver.to_string(), tol } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Text(&'static str);
    impl ContentHash for Text {
        fn content_hash(&self) -> String {
            sha256_hex(self.0.as_bytes())
        }
    }
    struct Model;
    impl ModelFingerprint for Model {
        fn style(&self) -> String {
            "lj/cut".into()
        }
        fn fingerprint(&self) -> String {
            "eps=1 sigma=1".into()
        }
        fn software(&self) -> (String, String) {
            ("scalebridge-md".into(), "0.1.0".into())
        }
    }

    #[test]
    fn sha256_of_known_input() {
        // FIPS 180-2 test vector
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn protocol_record_keeps_its_keys_and_hash_depends_on_every_input() {
        let p = Provenance::new("elastic/static", &Text("x"), &Model, &serde_json::json!({"a": 1}), &[]).unwrap();
        let v = serde_json::to_value(&p).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["input_hash", "parameters", "potential_hash", "potential_style", "protocol", "seeds", "software", "structure_hash", "wall_seconds"]
        );
        assert_eq!(v["seeds"], serde_json::json!([]));
        let back: Provenance = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
        let q = Provenance::new("elastic/static", &Text("x"), &Model, &serde_json::json!({"a": 1}), &[7]).unwrap();
        let r = Provenance::new("elastic/static", &Text("y"), &Model, &serde_json::json!({"a": 1}), &[]).unwrap();
        assert_ne!(p.input_hash, q.input_hash);
        assert_ne!(p.input_hash, r.input_hash);
        assert_eq!(q.seeds(), vec![7]);
        assert_eq!(p.versions()["scalebridge-md"], "0.1.0");
    }

    #[test]
    fn solver_record_keeps_its_keys() {
        let mut p = Provenance::solver("abc".into(), "fft-galerkin-cg", 1e-6, "0.1.0");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v, serde_json::json!({"input_hash": "abc", "seed": null, "version": "0.1.0", "solver": "fft-galerkin-cg", "tol": 1e-6}));
        let back: Provenance<SolverRun> = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
        assert!(p.seeds().is_empty());
        p.seed = Some(3);
        assert_eq!(p.seeds(), vec![3]);
    }
}
