//! The one bridge from engine errors to Python exceptions, for every crate.
//!
//! Each crate error enum is listed once in a [`bridge!`] block: one row per variant naming the
//! Python exception class it raises and a sample value of that variant. The macro turns the rows
//! into exhaustive matches (no `_ =>`), so a variant added to an engine crate without a row here
//! fails to compile. The same rows build `_scalebridge._error_table()`, which tests check: a
//! variant name means the same Python exception in every crate.
//!
//! Use from bindings: `engine_call().py()?` (any bridged error), or `to_py(err)`. The older
//! per-crate helpers (`error::md(result)`, ...) are thin aliases of the same conversion.
//!
//! Adding a crate is one line in [`error_table`] plus its `bridge!` block (and its dependency).

use crate::guard::{CalculationFailed, InputError, StorageError};
use pyo3::exceptions::{PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyPermissionError};
use pyo3::prelude::*;
use scalebridge_continuum::ContinuumError;
use scalebridge_core::Error as CoreError;
use scalebridge_md::error::Error as MdError;
use scalebridge_ml::MlError;
use scalebridge_pipeline::PipelineError;
use scalebridge_campaign::CampaignError;
use scalebridge_store::StorageError as StoreError;
use scalebridge_coupling::CouplingError;

/// The Python exception class a Rust error variant raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyKind {
    /// `scalebridge.exceptions.InputError` (also a `ValueError`): bad input, parameter, shape,
    /// file content, unknown species, non-finite input values.
    Input,
    /// `scalebridge.exceptions.CalculationFailed` (also a `RuntimeError`): no convergence,
    /// numerical breakdown.
    Calculation,
    /// `scalebridge.exceptions.StorageError`: storing or loading results.
    Storage,
    /// `KeyboardInterrupt`: the user interrupted a run.
    Interrupted,
    /// `OSError`, or its subclasses `FileNotFoundError` / `PermissionError` by the I/O error kind.
    Io,
}

impl PyKind {
    /// Name of the Python class (for `Io`, the base class; the raised class may be a subclass).
    pub fn name(self) -> &'static str {
        match self {
            PyKind::Input => "InputError",
            PyKind::Calculation => "CalculationFailed",
            PyKind::Storage => "StorageError",
            PyKind::Interrupted => "KeyboardInterrupt",
            PyKind::Io => "OSError",
        }
    }

    /// Build the Python exception with message `msg`; `io` chooses the `OSError` subclass.
    pub fn raise(self, msg: String, io: Option<&std::io::Error>) -> PyErr {
        match self {
            PyKind::Input => InputError::new_err(msg),
            PyKind::Calculation => CalculationFailed::new_err(msg),
            PyKind::Storage => StorageError::new_err(msg),
            PyKind::Interrupted => PyKeyboardInterrupt::new_err(msg),
            PyKind::Io => match io.map(std::io::Error::kind) {
                Some(std::io::ErrorKind::NotFound) => PyFileNotFoundError::new_err(msg),
                Some(std::io::ErrorKind::PermissionDenied) => PyPermissionError::new_err(msg),
                _ => PyOSError::new_err(msg),
            },
        }
    }
}

/// A crate error enum with a Python mapping (implemented by [`bridge!`] only).
pub trait Bridged: std::error::Error + Sized {
    /// Short crate name shown in the error table (`md`, `continuum`, `ml`, ...).
    const CRATE: &'static str;
    /// The variant's name.
    fn variant(&self) -> &'static str;
    /// The Python exception class of this variant.
    fn kind(&self) -> PyKind;
    /// One value of every variant, in declaration order of the rows.
    fn samples() -> Vec<Self>;
}

/// Rows `Variant => Kind, sample;` for `Enum`: exhaustive `variant`/`kind` matches and samples.
/// `Enum::Variant { .. }` matches struct, tuple and unit variants alike.
///
/// A variant that wraps another bridged crate's error (`Core(scalebridge_core::Error)`) goes in
/// an optional trailing `wraps { Core }` list: it raises what the wrapped error raises, and its
/// rows in the table are the wrapped crate's own (listed once, under that crate).
macro_rules! bridge {
    ($enum:ty, $crate_name:literal, { $($variant:ident => $kind:ident, $sample:expr;)+ } $(wraps { $($wrap:ident),+ })?) => {
        impl Bridged for $enum {
            const CRATE: &'static str = $crate_name;
            fn variant(&self) -> &'static str {
                type E = $enum;
                match self {
                    $(E::$variant { .. } => stringify!($variant),)+
                    $($(E::$wrap(inner) => inner.variant(),)+)?
                }
            }
            fn kind(&self) -> PyKind {
                type E = $enum;
                match self {
                    $(E::$variant { .. } => PyKind::$kind,)+
                    $($(E::$wrap(inner) => inner.kind(),)+)?
                }
            }
            fn samples() -> Vec<Self> {
                vec![$($sample,)+]
            }
        }
    };
}

fn s(x: &str) -> String {
    x.to_string()
}

fn io_sample() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "sample")
}

bridge!(CoreError, "core", {
    InvalidParameter => Input, CoreError::invalid("n", 0, "sample");
    NonFinite => Input, CoreError::NonFinite { what: s("x"), index: 0 };
    Singular => Input, CoreError::Singular { what: s("C"), reason: s("sample") };
    Interrupted => Interrupted, CoreError::Interrupted { what: s("sample"), done: 0 };
    Serialization => Storage, CoreError::Serialization { what: s("x"), reason: s("sample") };
    Io => Io, CoreError::Io { path: s("f"), source: io_sample() };
});

bridge!(MdError, "md", {
    InvalidParameter => Input, MdError::invalid("n", 0, "sample");
    UnknownSpecies => Input, MdError::UnknownSpecies { species: s("X"), potential: s("p"), known: s("Cu") };
    NonFinite => Input, MdError::NonFinite { what: s("positions"), index: 0 };
    Overlap => Input, MdError::Overlap { i: 0, j: 1, r: 0.1, min: 0.5 };
    DegenerateCell => Input, MdError::DegenerateCell { volume: 0.0, reason: s("sample") };
    Shape => Input, MdError::Shape(s("sample"));
    Parse => Input, MdError::Parse { path: s("f"), line: 1, msg: s("sample") };
    NotConverged => Calculation, MdError::NotConverged { what: s("sample"), iters: 1, residual: 1.0 };
    Interrupted => Interrupted, MdError::Interrupted { what: s("sample"), done: 0 };
    Io => Io, MdError::Io { path: s("f"), source: io_sample() };
} wraps { Core });

bridge!(ContinuumError, "continuum", {
    InvalidParameter => Input, ContinuumError::InvalidParameter { name: s("n"), value: s("0"), reason: s("sample") };
    InvalidMaterial => Input, ContinuumError::InvalidMaterial { phase: 0, reason: s("sample") };
    EmptyPhaseTable => Input, ContinuumError::EmptyPhaseTable;
    InvalidGrid => Input, ContinuumError::InvalidGrid { reason: s("sample") };
    NoMatrixPhase => Input, ContinuumError::NoMatrixPhase { reason: s("sample") };
    NotConverged => Calculation, ContinuumError::NotConverged { solver: s("cg"), iters: 1, residual: 1.0, tol: 1e-6 };
    NonFinite => Input, ContinuumError::NonFinite { what: s("sample"), index: 0 };
    Parse => Input, ContinuumError::Parse { path: s("f"), line: 1, msg: s("sample") };
    Io => Io, ContinuumError::Io { path: s("f"), source: io_sample() };
} wraps { Core });

bridge!(MlError, "ml", {
    FormulaParse => Input, MlError::FormulaParse { formula: s("X"), position: 0, reason: s("sample") };
    UnknownElement => Input, MlError::UnknownElement { symbol: s("Xx"), formula: s("Xx") };
    InvalidParameter => Input, MlError::InvalidParameter { name: s("n"), value: s("0"), reason: s("sample") };
    NonFinite => Input, MlError::NonFinite { what: s("x"), index: 0 };
    ShapeMismatch => Input, MlError::ShapeMismatch { what: s("x"), expected: s("1"), got: s("2") };
    NotEnoughData => Input, MlError::NotEnoughData { what: s("x"), needed: 2, have: 1 };
    Numerical => Calculation, MlError::Numerical { what: s("x"), reason: s("sample") };
    Parse => Input, MlError::Parse { path: s("f"), line: 1, msg: s("sample") };
    Serde => Input, MlError::Serde(serde_json::Error::io(io_sample()));
    Io => Io, MlError::Io { path: s("f"), source: io_sample() };
});

bridge!(PipelineError, "pipeline", {
    Parse => Input, PipelineError::Parse { path: s("m.toml"), line: 1, key: s("k"), msg: s("sample") };
    InvalidParameter => Input, PipelineError::InvalidParameter { name: s("n"), value: s("0"), reason: s("sample") };
    Io => Io, PipelineError::Io { path: s("f"), source: io_sample() };
} wraps { Md, Continuum, Core });

bridge!(CampaignError, "campaign", {
    Parse => Input, CampaignError::Parse { path: s("c.toml"), line: 1, key: s("k"), msg: s("sample") };
    InvalidParameter => Input, CampaignError::InvalidParameter { name: s("n"), value: s("0"), reason: s("sample") };
    Io => Io, CampaignError::Io { path: s("f"), source: io_sample() };
    Storage => Storage, CampaignError::Storage(s("sample"));
    Interrupted => Interrupted, CampaignError::Interrupted(s("sample"));
} wraps { Pipeline, Ml });
bridge!(StoreError, "store", {
    BadUrl => Input, StoreError::BadUrl { url: s("x://"), reason: s("sample") };
    Open => Storage, StoreError::Open { url: s("sqlite://x.db"), reason: s("sample") };
    ReadOnly => Storage, StoreError::ReadOnly { path: s("x.db"), reason: s("sample") };
    DiskFull => Storage, StoreError::DiskFull { path: s("x.db"), reason: s("sample") };
    Corrupt => Storage, StoreError::Corrupt { path: s("x.db"), reason: s("sample") };
    SchemaVersion => Storage, StoreError::SchemaVersion { path: s("x.db"), found: 2, supported: 1 };
    Invalid => Input, StoreError::Invalid { what: s("result"), reason: s("sample") };
    Backend => Storage, StoreError::Backend { url: s("postgresql://h/db"), reason: s("sample") };
    Io => Io, StoreError::Io { path: s("f"), reason: s("sample") };
});

bridge!(CouplingError, "coupling", {
    InvalidParameter => Input, CouplingError::InvalidParameter { name: s("n"), value: s("0"), reason: s("sample") };
    NonFinite => Input, CouplingError::NonFinite { what: s("energy"), step: 0 };
    NotConverged => Calculation, CouplingError::NotConverged { solver: s("fire"), iters: 1, residual: 1.0, tol: 1e-6 };
    NotImplemented => Calculation, CouplingError::NotImplemented { what: s("sample") };
} wraps { Md });

/// Convert any bridged engine error into its Python exception.
pub fn to_py<E: Bridged>(e: E) -> PyErr {
    let msg = e.to_string();
    // An exception raised inside a Python callback (an ASE calculator) is raised as itself.
    if let Some(original) = crate::callback::take_pending(&msg) {
        return original;
    }
    // the first I/O error in the source chain chooses the OSError subclass
    let mut src = std::error::Error::source(&e);
    let mut io = None;
    while let Some(s) = src {
        if let Some(x) = s.downcast_ref::<std::io::Error>() {
            io = Some(x);
            break;
        }
        src = s.source();
    }
    e.kind().raise(msg, io)
}

/// `result.py()?` in bindings: an engine result as a Python result.
pub trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T, E: Bridged> IntoPyResult<T> for Result<T, E> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Newtype so that `?` converts an engine error inside a function returning `Result<_, Bridge<E>>`.
pub struct Bridge<E>(pub E);

impl<E: Bridged> From<E> for Bridge<E> {
    fn from(e: E) -> Self {
        Bridge(e)
    }
}

impl<E: Bridged> From<Bridge<E>> for PyErr {
    fn from(e: Bridge<E>) -> PyErr {
        to_py(e.0)
    }
}

/// Convert an MD engine result (alias of `.py()`).
pub fn md<T>(r: Result<T, MdError>) -> PyResult<T> {
    r.py()
}

/// Convert a continuum engine result (alias of `.py()`).
pub fn continuum<T>(r: Result<T, ContinuumError>) -> PyResult<T> {
    r.py()
}

/// Convert an ML result (alias of `.py()`).
pub fn ml<T>(r: Result<T, MlError>) -> PyResult<T> {
    r.py()
}

fn rows<E: Bridged>() -> Vec<(&'static str, &'static str, &'static str)> {
    E::samples().iter().map(|e| (E::CRATE, e.variant(), e.kind().name())).collect()
}

/// `(crate, variant, python exception)` for every variant of every bridged crate error enum,
/// built from the same rows as the conversion.
#[pyfunction]
#[pyo3(name = "_error_table")]
pub fn error_table() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut t = Vec::new();
    t.extend(rows::<CoreError>());
    t.extend(rows::<MdError>());
    t.extend(rows::<ContinuumError>());
    t.extend(rows::<MlError>());
    t.extend(rows::<PipelineError>());
    t.extend(rows::<CampaignError>());
    t.extend(rows::<StoreError>());
    t.extend(rows::<CouplingError>());
    t
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(error_table, m)?)?;
    Ok(())
}
