//! The MD engine's side of the core's provenance: a [`Structure`] hashes its content and a
//! [`Potential`] gives its style, fingerprint and software version, so protocol results can
//! record `scalebridge_core::Provenance` of what ran.

use crate::potentials::Potential;
use crate::structure::Structure;
use scalebridge_core::provenance::{ContentHash, ModelFingerprint};

impl ContentHash for Structure {
    fn content_hash(&self) -> String {
        self.hash()
    }
}

impl ModelFingerprint for dyn Potential + '_ {
    fn style(&self) -> String {
        self.pair_style().to_string()
    }
    fn fingerprint(&self) -> String {
        Potential::fingerprint(self)
    }
    fn software(&self) -> (String, String) {
        ("scalebridge-md".to_string(), env!("CARGO_PKG_VERSION").to_string())
    }
}
