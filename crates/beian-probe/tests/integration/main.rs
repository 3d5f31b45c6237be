//! Integration tests of beian-probe: the registration-data parsers against real answers.

mod rdap_fixtures;
mod robustness;
mod whois_fixtures;

use std::path::PathBuf;

/// `tests/fixtures/<sub>` of this crate.
pub fn fixtures(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}
