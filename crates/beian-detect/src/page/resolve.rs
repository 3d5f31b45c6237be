//! Resolving the URLs of a page (links, scripts, iframes, forms, meta refresh) to a host, a
//! registrable domain and an off-site flag: once per URL, so it must be cheap. Most links
//! of a page are relative or point at a handful of hosts, so relative URLs skip the URL
//! parser and registrable domains are memoised per host.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use url::Url;

use super::{Target, caps, clip_bytes, decode_entities, shared_registrable_domain};

/// Hosts whose registrable domain is remembered per page, by each memo (a link farm to
/// 100,000 hosts computes the rest each time rather than growing the memos).
const MAX_MEMOISED_HOSTS: usize = 1024;

#[derive(Debug, Default)]
pub(super) struct Resolver {
    base: Option<Url>,
    /// Host and registrable domain of `base` when it is http(s): what a relative URL gets.
    base_host: Option<(Arc<str>, Arc<str>)>,
    /// Whether `base_host`'s domain is off-site: worked out once, as most links are relative.
    base_off_site: bool,
    /// The site's registrable domain (what is off-site is relative to it).
    site: Option<String>,
    /// Lower-case host → registrable domain.
    domains: FxHashMap<Arc<str>, Arc<str>>,
    /// Host as written in a plain absolute URL → (lower-case host, registrable domain).
    hosts: FxHashMap<Box<str>, (Arc<str>, Arc<str>)>,
}

impl Resolver {
    pub(super) fn new(base: Option<Url>, site: Option<String>) -> Resolver {
        let mut resolver = Resolver {
            site,
            ..Resolver::default()
        };
        resolver.set_base(base);
        resolver
    }

    /// `<base href>`: relative URLs resolve against `href` from now on (when it parses).
    pub(super) fn rebase(&mut self, href: &str) {
        let decoded = decode_entities(href);
        let joined = match &self.base {
            Some(base) => base.join(&decoded).ok(),
            None => Url::parse(&decoded).ok(),
        };
        if joined.is_some() {
            self.set_base(joined);
        }
    }

    fn set_base(&mut self, base: Option<Url>) {
        self.base_host = base
            .as_ref()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(Url::host_str)
            .map(|host| {
                let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
                let domain = shared_registrable_domain(&host);
                (Arc::from(host), domain)
            });
        self.base_off_site = self
            .base_host
            .as_ref()
            .is_some_and(|(_, domain)| self.is_off_site(domain));
        self.base = base;
    }

    /// Whether `domain` differs from the site's registrable domain (as `is_off_site` says
    /// of a target with that domain).
    fn is_off_site(&self, domain: &str) -> bool {
        self.site.as_deref().is_some_and(|site| domain != site)
    }

    fn domain_of(&mut self, host: &Arc<str>) -> Arc<str> {
        if let Some(domain) = self.domains.get(host) {
            return Arc::clone(domain);
        }
        let domain = shared_registrable_domain(host);
        if self.domains.len() < MAX_MEMOISED_HOSTS {
            self.domains.insert(Arc::clone(host), Arc::clone(&domain));
        }
        domain
    }

    pub(super) fn target(&mut self, raw: &str) -> Target {
        let href = match decode_entities(raw.trim()) {
            // Decoding already made an owned copy: kept when it needs no clipping.
            std::borrow::Cow::Owned(decoded) if decoded.len() <= caps::URL_BYTES => decoded,
            decoded => clip_bytes(&decoded, caps::URL_BYTES).to_string(),
        };
        if is_plain_relative(&href) && self.base.is_some() {
            // Most links of a page: the base's host, domain and off-site flag as they are.
            return match &self.base_host {
                Some((host, domain)) => Target {
                    href,
                    host: Some(Arc::clone(host)),
                    domain: Some(Arc::clone(domain)),
                    off_site: self.base_off_site,
                },
                None => Target {
                    href,
                    ..Target::default()
                },
            };
        }
        let (host, domain) = match self.plain_absolute(&href) {
            Some((host, domain)) => (Some(host), Some(domain)),
            None => {
                let host = self.parsed_host(&href).map(Arc::<str>::from);
                let domain = host.as_ref().map(|h| self.domain_of(h));
                (host, domain)
            }
        };
        let off_site = domain.as_deref().is_some_and(|d| self.is_off_site(d));
        Target {
            href,
            host,
            domain,
            off_site,
        }
    }

    /// Host and domain of an absolute `http(s)://host/…` URL with a plain host: from the memo
    /// when the page named the host before (menus and link farms repeat hosts), without
    /// allocating.
    fn plain_absolute(&mut self, href: &str) -> Option<(Arc<str>, Arc<str>)> {
        let written = plain_http_host(href)?;
        if let Some((host, domain)) = self.hosts.get(written) {
            return Some((Arc::clone(host), Arc::clone(domain)));
        }
        let host: Arc<str> = Arc::from(written.to_ascii_lowercase());
        let domain = self.domain_of(&host);
        if self.hosts.len() < MAX_MEMOISED_HOSTS {
            self.hosts
                .insert(Box::from(written), (Arc::clone(&host), Arc::clone(&domain)));
        }
        Some((host, domain))
    }

    /// The host of an absolute URL that is not plain (see [`plain_http_host`]), by the URL
    /// parser.
    fn parsed_host(&self, href: &str) -> Option<String> {
        let url = match &self.base {
            Some(base) => base.join(href).ok(),
            None => Url::parse(href).ok(),
        }
        .or_else(|| {
            // Protocol-relative links without a base: `//evil.example/x`.
            href.starts_with("//")
                .then(|| Url::parse(&format!("http:{href}")).ok())
                .flatten()
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        url.host_str()
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
    }
}

/// Whether some byte of `bytes` is one `wanted` says: without stopping early, so the
/// compiler turns the loop into SIMD (a URL is checked whole anyway; it has none of them).
#[inline]
fn any_byte(bytes: &[u8], wanted: impl Fn(u8) -> bool) -> bool {
    bytes.iter().fold(false, |found, b| found | wanted(*b))
}

/// The host of an absolute `http(s)://host/…` URL whose host the URL parser would only
/// lower-case: letters, digits, `-` and non-empty `.`-separated labels, no `xn--` label (the
/// parser decodes Punycode), a last label that starts with a letter (so not an IPv4
/// address), no userinfo or port. Anything else (`None`) goes to the parser: parsing every
/// absolute link was the costliest step of resolving a page's links.
fn plain_http_host(href: &str) -> Option<&str> {
    let bytes = href.as_bytes();
    // The parser strips or reinterprets these anywhere in the URL.
    if any_byte(bytes, |b| b <= b' ' || b == b'\\') {
        return None;
    }
    let scheme_end = bytes.iter().position(|b| *b == b':')?;
    let scheme = &bytes[..scheme_end];
    if !(scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https")) {
        return None;
    }
    let authority = bytes.get(scheme_end + 1..)?.strip_prefix(b"//")?;
    let end = authority
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(authority.len());
    let host = &authority[..end];
    let plain_labels = host.split(|b| *b == b'.').all(|label| {
        !label.is_empty()
            && label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && !(label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--"))
    });
    let last_label_is_a_name = host
        .rsplit(|b| *b == b'.')
        .next()
        .and_then(|label| label.first())
        .is_some_and(u8::is_ascii_alphabetic);
    if !plain_labels || !last_label_is_a_name {
        return None;
    }
    // Only ASCII bytes passed the checks, so this is a slice of `href` at char boundaries.
    href.get(href.len() - authority.len()..href.len() - authority.len() + end)
}

/// A URL that the URL parser would resolve to the base's host without looking further: no
/// scheme, not protocol-relative, and nothing the parser strips or reinterprets (tabs and
/// newlines are removed, so `/\t/evil.example` is protocol-relative; `\` counts as `/`).
fn is_plain_relative(href: &str) -> bool {
    let bytes = href.as_bytes();
    if bytes.starts_with(b"//") || any_byte(bytes, |b| b < 0x20 || b == b'\\') {
        return false;
    }
    // A ':' before any '/', '?' or '#' may end a scheme (`javascript:`, `https:`): leave
    // those to the parser.
    bytes
        .iter()
        .find(|b| matches!(b, b':' | b'/' | b'?' | b'#'))
        .is_none_or(|b| *b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> Resolver {
        Resolver::new(
            Some(Url::parse("https://www.example.com.cn/a/b.html").expect("a valid URL")),
            Some("example.com.cn".to_string()),
        )
    }

    #[test]
    fn relative_links_share_the_base_host() {
        let mut r = resolver();
        for href in ["/x", "c.html", "?q=1", "#top", "", "./d/../e"] {
            let t = r.target(href);
            assert_eq!(t.host.as_deref(), Some("www.example.com.cn"), "{href:?}");
            assert_eq!(t.domain.as_deref(), Some("example.com.cn"));
            assert!(!t.off_site);
        }
    }

    /// The fast path gives the parser's host wherever it answers, and leaves the rest.
    #[test]
    fn plain_hosts_match_the_url_parser() {
        let parser_host = |href: &str| {
            Url::parse(href)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        };
        for href in [
            "https://www.Example.COM.cn/a?b#c",
            "HTTP://a-b.example",
            "http://x.example?y",
            "https://abc.example#/x",
            "https://-a-.example/",
        ] {
            let fast = plain_http_host(href).map(str::to_ascii_lowercase);
            assert!(fast.is_some(), "{href}");
            assert_eq!(fast, parser_host(href), "{href}");
        }
        for href in [
            "https://127.0.0.1/",
            "http://0x7f.1/",
            "https://a..b/",
            "https://a.example./",
            "https://xn--fiqs8s.example/",
            "https://user@a.example/",
            "https://a.example:8080/",
            "https://%61.example/",
            "https://例子.example/",
            "https:///a.example/",
            "https:a.example",
            "ftp://a.example/",
            "https://a.example/\tx",
            "https://a.example\\x",
            "https://[::1]/",
        ] {
            assert_eq!(plain_http_host(href), None, "{href}");
        }
    }

    #[test]
    fn tricky_relative_forms_go_through_the_parser() {
        let mut r = resolver();
        for href in [
            "//evil.example/x",
            "\\\\evil.example/x",
            "/\t/evil.example/x",
            "https://evil.example/",
            "HTTPS://Evil.Example/",
        ] {
            let t = r.target(href);
            assert_eq!(t.host.as_deref(), Some("evil.example"), "{href:?}");
            assert!(t.off_site, "{href:?}");
        }
        for href in ["javascript:void(0)", "mailto:a@example.com", "tel:123"] {
            assert_eq!(r.target(href).host, None, "{href:?}");
        }
        let t = r.target("https://www.evil.com.cn/&#x61;");
        assert_eq!(t.href, "https://www.evil.com.cn/a");
        assert_eq!(t.domain.as_deref(), Some("evil.com.cn"));
    }
}
