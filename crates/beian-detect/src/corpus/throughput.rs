//! Page-analysis throughput over the corpus: the figure `beian bench detect` reports as
//! `mb_per_second_per_core`.
//!
//! What it measures, so the number means what it says:
//! * **only analysis**: the pages are loaded and decoded before the clock starts, and
//!   nothing is printed inside the timed loop;
//! * **warm**: one untimed pass first (lazy regexes, allocator, caches);
//! * **per core**: one thread, timed by its own CPU time (`/proc/thread-self/schedstat`) so
//!   other processes sharing the machine do not lower the figure; wall-clock time where the
//!   thread clock is not available (reported as `clock`);
//! * **median** of at least [`MIN_PASSES`] samples, each of whole passes over every page of
//!   the corpus (MB = 10⁶ bytes of HTML as saved, after charset decoding);
//! * **long samples**: Linux updates a thread's schedstat CPU time only at scheduler ticks
//!   (every 4 ms here), so one sample runs whole passes until [`MIN_SAMPLE`] of wall time has
//!   passed: a pass over the corpus takes only a few milliseconds when analysis is fast, and
//!   timing it alone would read 0, 4 or 8 ms — a figure off by up to 2×.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{CaseContent, Corpus, PageCaseInput, analysis};
use crate::DetectContext;

/// Timed samples at least, however short `min_run` is.
pub const MIN_PASSES: usize = 5;
/// Timed samples at most (bounds the run on a tiny corpus).
const MAX_PASSES: usize = 10_000;
/// Wall time one sample runs at least: 25 scheduler ticks, so the tick granularity of the
/// thread clock is at most a 4 % error on each sample (and unbiased).
const MIN_SAMPLE: Duration = Duration::from_millis(100);

/// Which clock timed the passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThroughputClock {
    /// CPU time of the measuring thread.
    ThreadCpu,
    /// Wall-clock time (the thread clock was not readable).
    Wall,
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// HTML bytes analysed in the timed passes.
    pub bytes: u64,
    /// Time of the timed passes, by `clock`.
    pub seconds: f64,
    /// Median over the samples of (bytes of the sample / time of the sample), in 10⁶ bytes/s.
    pub mb_per_second_per_core: f64,
    /// Slowest and fastest sample, same unit: the spread tells how steady the machine was.
    pub min_mb_per_second: f64,
    pub max_mb_per_second: f64,
    /// Timed passes over the corpus (all samples together).
    pub passes: usize,
    /// Timed samples (each of one or more whole passes, see [`MIN_SAMPLE`]).
    pub samples: usize,
    /// Pages in one pass (single pages and every capture of the site cases).
    pub pages: usize,
    pub clock: ThroughputClock,
}

/// CPU time the calling thread has used, where Linux tells it (in nanoseconds, but advanced
/// only at scheduler ticks and context switches: see [`MIN_SAMPLE`]).
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs page analysis (the per-byte hot path) over every page of the corpus on this thread:
/// one warm-up pass, then samples of whole passes (each at least [`MIN_SAMPLE`] long) until
/// `min_run` of wall time has passed and at least [`MIN_PASSES`] samples were timed.
pub fn measure_throughput(corpus: &Corpus, ctx: &DetectContext, min_run: Duration) -> Throughput {
    let pages = corpus_pages(corpus);
    let round_bytes: u64 = pages.iter().map(|page| page.html.len() as u64).sum();
    let run_pass = || {
        for page in &pages {
            std::hint::black_box(analysis::analyse_page_case(page, ctx));
        }
    };
    run_pass();
    let clock = if thread_cpu_time().is_some() {
        ThroughputClock::ThreadCpu
    } else {
        ThroughputClock::Wall
    };
    let started = Instant::now();
    let mut rates: Vec<f64> = Vec::new();
    let mut seconds = 0.0;
    let mut passes = 0;
    while rates.len() < MAX_PASSES
        && round_bytes > 0
        && (rates.len() < MIN_PASSES || started.elapsed() < min_run)
    {
        let wall = Instant::now();
        let cpu = thread_cpu_time();
        let mut sample_passes = 0_u64;
        while sample_passes == 0 || wall.elapsed() < MIN_SAMPLE {
            run_pass();
            sample_passes += 1;
        }
        let elapsed = match (clock, cpu, thread_cpu_time()) {
            (ThroughputClock::ThreadCpu, Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall.elapsed(),
        }
        .as_secs_f64();
        // A sample spans many ticks, so a zero reading means the clock did not move at all
        // (not a fast sample): it is left out rather than counted as infinitely fast.
        if elapsed > 0.0 {
            passes += sample_passes as usize;
            seconds += elapsed;
            rates.push((round_bytes * sample_passes) as f64 / 1e6 / elapsed);
        }
    }
    rates.sort_by(f64::total_cmp);
    let median = match rates.len() {
        0 => 0.0,
        n if n % 2 == 1 => rates[n / 2],
        n => (rates[n / 2 - 1] + rates[n / 2]) / 2.0,
    };
    Throughput {
        bytes: round_bytes * passes as u64,
        seconds,
        mb_per_second_per_core: median,
        min_mb_per_second: rates.first().copied().unwrap_or(0.0),
        max_mb_per_second: rates.last().copied().unwrap_or(0.0),
        passes,
        samples: rates.len(),
        pages: pages.len(),
        clock,
    }
}

/// Every page of the corpus as a page-analysis input: single pages, and each persona and
/// random-path capture of the site cases.
pub fn corpus_pages(corpus: &Corpus) -> Vec<PageCaseInput<'_>> {
    let mut pages = Vec::new();
    for case in &corpus.cases {
        let input = |url, persona, html| PageCaseInput {
            url,
            persona,
            html,
            owner_domain: &case.owner_domain,
            expected_icp: case.expected_icp.as_deref(),
            expected_psb: case.expected_psb.as_deref(),
        };
        match &case.content {
            CaseContent::Page { html } => pages.push(input(&case.url, case.persona, html)),
            CaseContent::Site(site) => {
                for capture in site.captures.iter().chain(&site.random_paths) {
                    pages.push(input(&capture.final_url, capture.persona, &capture.html));
                }
            }
        }
    }
    pages
}
