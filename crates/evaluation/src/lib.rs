//! `scalebridge-evaluation`: the accuracy benchmark (`scalebridge benchmark five-class`).
//! The speed benchmarks are `scalebridge-bench`'s.
//!
//! A benchmark file (`examples/benchmark/five-class.toml`) names a dataset design per material
//! class; [`dataset`] describes every material through the pipeline (0 K for the cheap
//! descriptors, a finite temperature for the targets), keeping each result in the results
//! database so reruns reuse it; [`models`] turns the descriptions into composition-only and
//! fused feature matrices; [`evaluate`] cross-validates composition/fused GBM and DNN per class
//! and target; [`report`] writes `report.json` and `report.html`.
//!
//! | module | holds |
//! |---|---|
//! | [`spec`] | the benchmark file and its classes |
//! | [`dataset`] | the resumable dataset builder over the store |
//! | [`models`] | class tables, feature sets, model kinds, out-of-fold predictions |
//! | [`metrics`] | correlation tests with p-values, screening, disorder descriptors |
//! | [`evaluate`] | per-class CV, stratified splits, screening, correlations, ablations |
//! | [`cost`] | simulation seconds per property vs surrogate predictions per second |
//! | `fusion_ablation` | (feature `dnn`) fused_dnn with one fusion module removed or added |
//! | [`transfer`] | leave one class out: train on the others, test on it |
//! | [`anchor`] | the measured HEA moduli |
//! | [`elements`] | the measured pure elements (E, T_m, κ) and simulated → measured transfer |
//! | [`report`], [`html`] | the run and its report files |

pub mod anchor;
pub mod cost;
pub mod dataset;
pub mod elements;
pub mod error;
pub mod evaluate;
#[cfg(feature = "dnn")]
pub mod fusion_ablation;
pub mod html;
pub mod metrics;
pub mod models;
pub mod report;
pub mod spec;
pub mod transfer;
#[cfg(test)]
mod testing;

pub use error::{EvaluationError, Result};
pub use report::{run, RunOptions};
