//! `beian bench detect [--corpus DIR]`: runs the labelled corpus through the detectors and
//! prints precision, recall and false-positive rate overall and per technique, the misses by
//! case name, and page-analysis throughput (MB/s on one core) as JSON.
//!
//! The throughput is the median of several warm passes over every corpus page, timed by the
//! measuring thread's CPU time (see `beian_detect::corpus::measure_throughput`); loading
//! the corpus and printing are outside the clock.

use std::path::{Path, PathBuf};

use beian_detect::DetectContext;
use beian_detect::corpus::{self, Corpus};
use serde_json::json;

use crate::error::{Exit, UserError};
use crate::output;

/// Where the corpus lives in a checkout of the repository.
const CORPUS_IN_REPOSITORY: &str = "crates/beian-detect/corpus";

pub fn run(corpus_dir: Option<&Path>) -> anyhow::Result<Exit> {
    let dir = match corpus_dir {
        Some(dir) => dir.to_path_buf(),
        None => default_corpus().ok_or_else(|| {
            UserError::input(format!(
                "找不到语料目录 {CORPUS_IN_REPOSITORY} / cannot find the corpus folder {CORPUS_IN_REPOSITORY}"
            ))
            .with_fix("在仓库根目录运行，或用 --corpus DIR 指明 / run from the repository root or pass --corpus DIR")
        })?,
    };
    let corpus = Corpus::load(&dir).map_err(|error| {
        UserError::input(error.to_string())
            .with_fix("用 --corpus 指向含 manifest.toml 的目录 / point --corpus at the folder holding manifest.toml")
    })?;
    let ctx = DetectContext::bundled(crate::config::today_in_china());
    let report = corpus::evaluate(&corpus, &ctx);
    let misses: Vec<_> = report
        .misses()
        .map(|result| {
            json!({
                "path": result.path,
                "technique": result.technique,
                "outcome": result.outcome,
                "expected": result.expected,
                "verdict": result.verdict,
                "signals": result.signals,
            })
        })
        .collect();
    output::print_json(&json!({
        "corpus": dir.display().to_string(),
        "cases": report.cases,
        "precision": report.overall.precision,
        "recall": report.overall.recall,
        "false_positive_rate": report.overall.false_positive_rate,
        "verdict_agreement": report.verdict_agreement,
        "overall": report.overall,
        "per_technique": report.per_technique,
        "mb_per_second_per_core": report.mb_per_second_per_core,
        "throughput": report.throughput,
        "bytes_analysed": report.bytes_analysed,
        "evaluation_seconds": report.seconds,
        "misses": misses,
    }))?;
    Ok(Exit::Success)
}

/// The corpus in the current checkout, else beside the sources this binary was built from.
fn default_corpus() -> Option<PathBuf> {
    let from_cwd = PathBuf::from(CORPUS_IN_REPOSITORY);
    if from_cwd.join(corpus::MANIFEST).is_file() {
        return Some(from_cwd);
    }
    let from_build = Path::new(env!("CARGO_MANIFEST_DIR")).join("../beian-detect/corpus");
    from_build
        .join(corpus::MANIFEST)
        .is_file()
        .then_some(from_build)
}
