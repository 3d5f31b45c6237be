//! Measures WHOIS parsing throughput over the bundled fixtures:
//! `cargo run --release -p beian-probe --example bench_whois [ITERATIONS]`.

fn main() {
    let iterations = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(200);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/whois");
    match beian_probe::bench::bench_whois_parse(&fixtures, iterations) {
        Ok(report) => println!("{report:#}"),
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(1);
        }
    }
}
