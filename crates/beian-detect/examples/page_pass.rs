//! Tools for working on the page pass without building the whole `beian` binary.
//!
//! * `cargo run --release -p beian-detect --example page_pass -- throughput [SECONDS] [CORPUS]`
//!   measures page-analysis throughput over the corpus (the figure `beian bench detect`
//!   reports), e.g. under `perf record`.
//! * `cargo run --release -p beian-detect --example page_pass -- passes N [CORPUS]` analyses
//!   every page N times, untimed: under `valgrind --tool=cachegrind`, the difference between
//!   two N gives the instructions of one pass, a figure that does not move with the load of a
//!   shared machine (whose clock-based figures here spread by ±30 %).
//! * `cargo run --release -p beian-detect --example page_pass -- dump [CORPUS] > facts.jsonl`
//!   prints the analysis of every corpus page and the page facts of cut and re-cased variants
//!   of each, one JSON line each: run it on two builds and `diff` the outputs to check that a
//!   change to the page pass keeps its behaviour (the variants reach the tokenizer's edge
//!   cases: tags and comments cut at end of input, upper-case names).

use std::path::PathBuf;
use std::time::Duration;

use beian_detect::DetectContext;
use beian_detect::corpus::{Corpus, analyse_page_case, corpus_pages, measure_throughput};

/// The allocator of the `beian` binary, so the figures here are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where a page is cut for its truncated variants (fractions of its length, in 1/8ths).
const CUTS: [usize; 3] = [2, 5, 7];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(m, r)| (m.as_str(), r));
    let corpus_arg = |at: usize| rest.get(at).map(PathBuf::from);
    match mode {
        "throughput" => {
            let seconds = rest.first().and_then(|s| s.parse().ok()).unwrap_or(3);
            throughput(&load(corpus_arg(1)), seconds);
        }
        "dump" => dump(&load(corpus_arg(0))),
        "passes" => {
            let count = rest.first().and_then(|s| s.parse().ok()).unwrap_or(1);
            passes(&load(corpus_arg(1)), count);
        }
        _ => {
            eprintln!(
                "usage: page_pass throughput [SECONDS] [CORPUS] | page_pass dump [CORPUS] | page_pass passes N [CORPUS]"
            );
            std::process::exit(2);
        }
    }
}

fn load(dir: Option<PathBuf>) -> Corpus {
    let dir = dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    Corpus::load(&dir).unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(2);
    })
}

fn context() -> DetectContext {
    DetectContext::bundled(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid calendar date"),
    )
}

fn throughput(corpus: &Corpus, seconds: u64) {
    let throughput = measure_throughput(corpus, &context(), Duration::from_secs(seconds));
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

fn passes(corpus: &Corpus, count: usize) {
    let ctx = context();
    let pages = corpus_pages(corpus);
    for _ in 0..count {
        for page in &pages {
            std::hint::black_box(analyse_page_case(page, &ctx));
        }
    }
    let bytes: usize = pages.iter().map(|page| page.html.len()).sum();
    println!(
        "{} pages, {bytes} bytes per pass, {count} passes",
        pages.len()
    );
}

fn dump(corpus: &Corpus) {
    let ctx = context();
    for (index, page) in corpus_pages(corpus).iter().enumerate() {
        let key = format!("{index}:{}:{:?}", page.url, page.persona);
        print_line(&key, "page", &analyse_page_case(page, &ctx));
        let parsed = url::Url::parse(page.url).ok();
        for (name, variant) in variants(page.html) {
            let facts = beian_detect::page::extract(&variant, parsed.as_ref());
            print_line(&key, &name, &facts);
        }
    }
}

fn variants(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for eighths in CUTS {
        let mut cut = html.len() * eighths / 8;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push((format!("cut{eighths}"), html[..cut].to_string()));
    }
    out.push(("upper".to_string(), html.to_ascii_uppercase()));
    out
}

fn print_line(key: &str, variant: &str, value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(json) => println!("{key}/{variant}\t{json}"),
        Err(error) => eprintln!("{key}/{variant}: {error}"),
    }
}
