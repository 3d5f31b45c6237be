//! Integration tests of beian-probe: the registration-data parsers against real answers.

mod dns_client;
mod dns_server;
mod http_fetch;
mod http_hostile;
mod politeness;
mod rdap_client;
mod rdap_fixtures;
mod robustness;
mod support;
mod tls_facts;
mod whois_client;
mod whois_fixtures;

use std::path::PathBuf;

/// `tests/fixtures/<sub>` of this crate.
pub fn fixtures(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}
