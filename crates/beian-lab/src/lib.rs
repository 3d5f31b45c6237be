//! Beian Guard lab (备案卫士 实验室): a simulated internet that starts in-process in well under
//! a second, for tests, `beian lab`, the demo and the benchmarks (DESIGN §3.9).
//!
//! It serves, all on loopback:
//!
//! * authoritative DNS (UDP and TCP, one port on 127.0.0.1) for `.com`, `.net`, `.cn`,
//!   `.com.cn` and `.中国` names: NXDOMAIN for unknown names under those TLDs, REFUSED elsewhere;
//! * RDAP (`http://127.0.0.1:PORT/rdap/`) for `.com` and `.net`;
//! * WHOIS: a thin gTLD registry that refers to a registrar server (the referral names
//!   `whois.lab-registrar.net:PORT`, which the lab DNS resolves to 127.0.0.1), and CNNIC for
//!   `.cn` / `.中国` (Beijing time, Chinese registrar names, GBK for some answers);
//! * HTTP and HTTPS virtual hosts on 127.0.0.2 … 127.0.0.(1+N), the same two ports on every
//!   address, certificates minted per SNI by the lab's test CA.
//!
//! What is served comes from [`Scenario`]s ([`Catalogue::standard`] has one of each kind;
//! [`LabOptions::bulk_healthy_sites`] adds cheap healthy sites for benchmarks).
//! [`Lab::beian_toml`] prints the configuration that points the probes at the lab.

mod dns;
mod http;
mod lab;
mod net;
mod portfolio;
mod rdap;
mod scenario;
mod tls;
mod whois;
mod world;

pub use lab::{Lab, LabEndpoints, LabError, LabOptions};
pub use portfolio::{PortfolioRow, portfolio_csv, portfolio_rows};
pub use scenario::{
    Audience, Catalogue, Charset, DnsHint, DnsRecord, DnsSetup, Expectation, ExpectedEvidence,
    PageRule, PathMatch, PhaseHint, RecordData, Registrar, Registration, RegistryBehaviour, Reply,
    Scenario, ScenarioKind, Signal, TlsKind, Web,
};
pub use world::LabSite;

/// Sizes of the hostile answers, for tests and reports.
pub mod hostile {
    /// The streamed body of `hostile_huge_body`.
    pub const HUGE_BODY_BYTES: u64 = crate::scenario::HUGE_BODY_BYTES;
    /// The page `hostile_trickle` sends one byte a second.
    pub const TRICKLE_BYTES: u64 = crate::scenario::TRICKLE_BYTES;
    /// The WHOIS answer of `hostile_huge_whois`.
    pub const OVERSIZED_WHOIS_BYTES: usize = crate::whois::OVERSIZED_ANSWER_BYTES;
    /// Retry-After of `hostile_rate_limited`.
    pub const RATE_LIMIT_RETRY_AFTER_SECS: u32 = crate::scenario::RATE_LIMIT_RETRY_AFTER_SECS;
    /// The name a `wrong_name` certificate is issued for.
    pub const WRONG_CERTIFICATE_NAME: &str = crate::tls::WRONG_NAME;
}

/// The markup the `markup_injection` scenario puts where a dashboard shows evidence.
pub mod markup {
    /// The start of the site's `<title>`.
    pub const SCRIPT_TITLE: &str = crate::scenario::SCRIPT_TITLE_MARKUP;
    /// What its WHOIS registrant and registrar names and its redirect target carry.
    pub const IMG_ONERROR: &str = crate::scenario::IMG_ONERROR_MARKUP;
}
