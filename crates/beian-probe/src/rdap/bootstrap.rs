//! The IANA RDAP bootstrap registry for DNS (RFC 9224): which RDAP servers answer for a TLD.
//!
//! The copy in `data/rdap/iana-dns-bootstrap.json` (publication 2026-02-13) is embedded; a newer
//! file can be loaded with [`RdapBootstrap::from_json`]. It has no entry for `cn` or `中国`
//! (`xn--fiqs8s`): those names are checked over WHOIS.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use url::Url;

use crate::whois::tld_of;

const BUNDLED_JSON: &[u8] = include_bytes!("../../../../data/rdap/iana-dns-bootstrap.json");

/// Why a bootstrap file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RdapBootstrapError {
    #[error(
        "RDAP 引导文件不是 RFC 9224 格式 / the RDAP bootstrap file is not RFC 9224 JSON ({0}); download https://data.iana.org/rdap/dns.json again"
    )]
    Format(#[from] serde_json::Error),
    #[error(
        "RDAP 引导文件没有任何服务 / the RDAP bootstrap file lists no usable service; download https://data.iana.org/rdap/dns.json again"
    )]
    Empty,
}

#[derive(Deserialize)]
struct BootstrapFile {
    #[serde(default)]
    publication: Option<String>,
    services: Vec<(Vec<String>, Vec<String>)>,
}

/// TLD → RDAP base URLs (HTTPS first, each ending in `/` so `domain/<name>` joins under it).
#[derive(Debug, Clone)]
pub struct RdapBootstrap {
    publication: Option<String>,
    services: HashMap<String, Vec<Url>>,
}

impl RdapBootstrap {
    /// The embedded IANA file, parsed once.
    pub fn bundled() -> &'static RdapBootstrap {
        static BUNDLED: OnceLock<RdapBootstrap> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            RdapBootstrap::from_json(BUNDLED_JSON)
                .expect("the embedded IANA bootstrap is valid: a unit test parses it")
        })
    }

    /// Parses an RFC 9224 DNS bootstrap file. Unusable URLs are skipped; a file with no usable
    /// service at all is an error.
    pub fn from_json(bytes: &[u8]) -> Result<RdapBootstrap, RdapBootstrapError> {
        let file: BootstrapFile = serde_json::from_slice(bytes)?;
        let mut services: HashMap<String, Vec<Url>> = HashMap::new();
        for (entries, urls) in file.services {
            let mut parsed: Vec<Url> = urls.iter().filter_map(|raw| base_url(raw)).collect();
            parsed.sort_by_key(|url| url.scheme() != "https");
            if parsed.is_empty() {
                continue;
            }
            for entry in entries {
                let key = entry.trim().trim_matches('.').to_lowercase();
                if !key.is_empty() {
                    services
                        .entry(key)
                        .or_default()
                        .extend(parsed.iter().cloned());
                }
            }
        }
        if services.is_empty() {
            return Err(RdapBootstrapError::Empty);
        }
        Ok(RdapBootstrap {
            publication: file.publication,
            services,
        })
    }

    /// The file's `publication` timestamp, as written.
    pub fn publication(&self) -> Option<&str> {
        self.publication.as_deref()
    }

    /// Number of DNS labels (TLDs) the file covers.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Base URLs for a TLD (`com`, `.COM`, `xn--fiqs8s` or `中国`); None when the registry
    /// publishes no RDAP service (e.g. `cn`, `中国`).
    pub fn base_urls_for(&self, tld: &str) -> Option<&[Url]> {
        let key = tld_of(tld)?;
        self.services
            .get(&key)
            .map(Vec::as_slice)
            .filter(|urls| !urls.is_empty())
    }

    /// Base URLs for a full domain name, by its longest listed suffix (RFC 9224 §4).
    pub fn base_urls_for_domain(&self, domain: &str) -> Option<&[Url]> {
        let name = domain.trim().trim_end_matches('.').to_lowercase();
        let mut rest = name.as_str();
        loop {
            if let Some(urls) = self.services.get(rest) {
                return Some(urls.as_slice());
            }
            let (_, tail) = rest.split_once('.')?;
            if tail.is_empty() {
                return None;
            }
            if !tail.contains('.') {
                return self.base_urls_for(tail);
            }
            rest = tail;
        }
    }
}

fn base_url(raw: &str) -> Option<Url> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_file_parses_and_lacks_cn() {
        let bootstrap = RdapBootstrap::bundled();
        assert!(bootstrap.len() > 1000, "covers {} labels", bootstrap.len());
        assert_eq!(bootstrap.publication(), Some("2026-02-13T23:00:01Z"));
        assert!(bootstrap.base_urls_for("cn").is_none());
        assert!(bootstrap.base_urls_for("xn--fiqs8s").is_none());
        assert!(bootstrap.base_urls_for("中国").is_none());
        let com = bootstrap.base_urls_for(".COM").expect("com has RDAP");
        assert!(com[0].as_str().starts_with("https://"));
        assert!(com[0].as_str().ends_with('/'));
        assert_eq!(bootstrap.base_urls_for_domain("www.google.com"), Some(com));
        assert!(bootstrap.base_urls_for_domain("example.com.cn").is_none());
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(matches!(
            RdapBootstrap::from_json(b"{}"),
            Err(RdapBootstrapError::Format(_))
        ));
        assert!(matches!(
            RdapBootstrap::from_json(br#"{"services":[[["x"],["ftp://a/"]]]}"#),
            Err(RdapBootstrapError::Empty)
        ));
        let custom =
            RdapBootstrap::from_json(br#"{"services":[[["Lab"],["http://127.0.0.1:8080/rdap"]]]}"#)
                .expect("a minimal file");
        let urls = custom.base_urls_for("lab").expect("listed");
        assert_eq!(urls[0].as_str(), "http://127.0.0.1:8080/rdap/");
    }
}
