//! Page-analysis throughput over the corpus, for profiling (`perf record`) without building
//! the whole `beian` binary: `cargo run --release -p beian-detect --example page_throughput`.

use std::path::PathBuf;
use std::time::Duration;

use beian_detect::DetectContext;
use beian_detect::corpus::{Corpus, measure_throughput};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let seconds: u64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let corpus = match Corpus::load(&dir) {
        Ok(corpus) => corpus,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let ctx = DetectContext::bundled(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid calendar date"),
    );
    let throughput = measure_throughput(&corpus, &ctx, Duration::from_secs(seconds));
    println!(
        "{} pages, {} passes in {} samples, {} bytes in {:.3} s ({:?}): median {:.1} MB/s per core (min {:.1}, max {:.1})",
        throughput.pages,
        throughput.passes,
        throughput.samples,
        throughput.bytes,
        throughput.seconds,
        throughput.clock,
        throughput.mb_per_second_per_core,
        throughput.min_mb_per_second,
        throughput.max_mb_per_second
    );
}
