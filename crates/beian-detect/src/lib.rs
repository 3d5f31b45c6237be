//! Beian Guard detection (备案卫士 分析): turns evidence into signals and verdicts.
//! Pure functions over evidence — no network — so they are fast and testable.

pub mod signal;

pub use signal::{Evidence, Region, Signal, Technique, Verdict, clip_snippet};
