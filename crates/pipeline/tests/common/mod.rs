//! Helpers shared by the material-description tests (material.rs, crystal_material.rs).

use scalebridge_pipeline::{Material, PipelineError};
use std::path::Path;

/// Parse a description given as TOML text (relative paths against the working directory).
pub fn parse(text: &str) -> Result<Material, PipelineError> {
    Material::from_toml_str(text, "m.toml", Path::new("."))
}

/// The (line, key, message) of the parse error `text` must give.
pub fn parse_err(text: &str) -> (usize, String, String) {
    match parse(text) {
        Err(PipelineError::Parse { line, key, msg, .. }) => (line, key, msg),
        other => panic!("expected a parse error, got {other:?}"),
    }
}
