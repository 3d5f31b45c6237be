//! Beian Guard detection (备案卫士 分析): turns evidence into signals and verdicts.
//! Pure functions over evidence — no network — so they are fast and testable.

pub mod analyse_page;
pub mod corpus;
pub mod footer;
pub mod js;
pub mod lexicon;
pub mod page;
pub mod parking;
mod script_sources;
pub mod signal;
pub mod site;
pub mod takeover;

pub use analyse_page::{DetectContext, PageAnalysis, PageInput, analyse_page};
pub use footer::{ExpectedFooter, FooterRecord};
pub use signal::{Evidence, Region, Signal, Technique, Verdict, clip_snippet};
