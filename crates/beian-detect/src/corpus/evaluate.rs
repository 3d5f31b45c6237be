//! Scoring the corpus by the policy in the `corpus` module documentation: per case, per
//! technique and overall, plus the throughput figure.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::Serialize;

use super::{
    Case, CaseContent, CaseInput, Corpus, Label, MIN_THROUGHPUT_RUN, PageCaseInput, SiteCaseInput,
    Throughput, analysis, measure_throughput,
};
use crate::{DetectContext, Signal, Technique, Verdict};

/// Precision, recall and false-positive rate of one slice of the corpus.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub positives: usize,
    pub negatives: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub false_positive_rate: f64,
}

impl Metrics {
    fn finish(mut self) -> Metrics {
        self.false_negatives = self.positives - self.true_positives;
        self.precision = ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        );
        self.recall = ratio(self.true_positives, self.positives);
        self.false_positive_rate = if self.negatives == 0 {
            0.0
        } else {
            self.false_positives as f64 / self.negatives as f64
        };
        self
    }
}

/// An empty denominator means nothing was claimed or nothing could be found: perfect.
fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    TruePositive,
    FalseNegative,
    TrueNegative,
    FalsePositive,
}

/// How one case fared.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub path: String,
    pub technique: &'static str,
    pub expected: Verdict,
    pub verdict: Verdict,
    pub outcome: Outcome,
    /// `technique/kind` of every signal, strongest first.
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorpusReport {
    pub cases: usize,
    pub overall: Metrics,
    pub per_technique: BTreeMap<String, Metrics>,
    /// Cases whose verdict equals the labelled one exactly (stricter than detection).
    pub verdict_agreement: f64,
    pub case_results: Vec<CaseResult>,
    /// HTML bytes analysed by the evaluation pass.
    pub bytes_analysed: u64,
    /// Time of the evaluation pass.
    pub seconds: f64,
    /// Page analysis alone: the median pass of [`measure_throughput`] (MB = 10⁶ bytes).
    pub mb_per_second_per_core: f64,
    /// How that figure was measured (passes, clock, spread).
    pub throughput: Throughput,
}

impl CorpusReport {
    pub fn misses(&self) -> impl Iterator<Item = &CaseResult> {
        self.case_results.iter().filter(|result| {
            matches!(
                result.outcome,
                Outcome::FalseNegative | Outcome::FalsePositive
            )
        })
    }
}

/// Analyses every case, scores it by the policy in the module documentation, and measures
/// page-analysis throughput.
pub fn evaluate(corpus: &Corpus, ctx: &DetectContext) -> CorpusReport {
    let clock = Instant::now();
    let mut overall = Metrics::default();
    let mut per_technique: BTreeMap<Technique, Metrics> = Technique::ALL
        .into_iter()
        .map(|t| (t, Metrics::default()))
        .collect();
    let mut case_results = Vec::with_capacity(corpus.cases.len());
    let mut agreeing = 0usize;
    for case in &corpus.cases {
        let (verdict, mut signals) = analysis::analyse_case(&case_input(case), ctx);
        signals.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let flagged = verdict >= Verdict::Suspicious;
        let techniques: BTreeSet<Technique> = signals.iter().map(|s| s.technique).collect();
        let outcome = match case.label {
            Label::Positive(technique) => {
                overall.positives += 1;
                let metrics = per_technique.entry(technique).or_default();
                metrics.positives += 1;
                if flagged && techniques.contains(&technique) {
                    metrics.true_positives += 1;
                    overall.true_positives += 1;
                    Outcome::TruePositive
                } else {
                    Outcome::FalseNegative
                }
            }
            Label::Negative => {
                overall.negatives += 1;
                for metrics in per_technique.values_mut() {
                    metrics.negatives += 1;
                }
                if flagged {
                    overall.false_positives += 1;
                    for technique in &techniques {
                        per_technique.entry(*technique).or_default().false_positives += 1;
                    }
                    Outcome::FalsePositive
                } else {
                    Outcome::TrueNegative
                }
            }
        };
        if verdict == case.expected {
            agreeing += 1;
        }
        case_results.push(CaseResult {
            path: case.path.clone(),
            technique: case.label.name(),
            expected: case.expected,
            verdict,
            outcome,
            signals: signals.iter().map(signal_name).collect(),
        });
    }
    let seconds = clock.elapsed().as_secs_f64();
    let throughput = measure_throughput(corpus, ctx, MIN_THROUGHPUT_RUN);
    CorpusReport {
        cases: corpus.cases.len(),
        overall: overall.finish(),
        per_technique: per_technique
            .into_iter()
            .map(|(technique, metrics)| (technique.as_str().to_string(), metrics.finish()))
            .collect(),
        verdict_agreement: ratio(agreeing, corpus.cases.len()),
        case_results,
        bytes_analysed: corpus.html_bytes() as u64,
        seconds,
        mb_per_second_per_core: throughput.mb_per_second_per_core,
        throughput,
    }
}

fn signal_name(signal: &Signal) -> String {
    format!("{}/{}", signal.technique.as_str(), signal.kind)
}

fn case_input(case: &Case) -> CaseInput<'_> {
    match &case.content {
        CaseContent::Page { html } => CaseInput::Page(PageCaseInput {
            url: &case.url,
            persona: case.persona,
            html,
            owner_domain: &case.owner_domain,
            expected_icp: case.expected_icp.as_deref(),
            expected_psb: case.expected_psb.as_deref(),
        }),
        CaseContent::Site(site) => CaseInput::Site(SiteCaseInput {
            site,
            url: &case.url,
            owner_domain: &case.owner_domain,
            expected_icp: case.expected_icp.as_deref(),
            expected_psb: case.expected_psb.as_deref(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_strict_about_empty_slices() {
        let metrics = Metrics {
            positives: 4,
            negatives: 10,
            true_positives: 3,
            false_positives: 1,
            ..Metrics::default()
        }
        .finish();
        assert_eq!(metrics.false_negatives, 1);
        assert!((metrics.recall - 0.75).abs() < 1e-9);
        assert!((metrics.precision - 0.75).abs() < 1e-9);
        assert!((metrics.false_positive_rate - 0.1).abs() < 1e-9);
    }
}
