//! The probe sections of `beian.toml` — `[dns]`, `[whois]`, `[rdap]`, `[http]`, `[limits]`,
//! `[network]` — and how they, then the probe flags and their `BEIAN_*` variables, become the
//! validated [`ProbeSettings`] the probes run with. Every key is optional: an absent key keeps
//! the polite default of [`ProbeSettings::default`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use beian_probe::settings::ProbeSettings;
use beian_probe::{Persona, PersonaKind};
use serde::Deserialize;
use url::Url;

use crate::cli::ProbeArgs;
use crate::error::UserError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DnsSection {
    /// Resolvers as `ip:port`; absent or empty: the system's.
    pub nameservers: Option<Vec<String>>,
    pub timeout_ms: Option<u64>,
    pub attempts: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhoisSection {
    pub iana_server: Option<String>,
    pub timeout_ms: Option<u64>,
    pub max_answer_bytes: Option<usize>,
    pub per_server_per_minute: Option<u32>,
    pub cache_ttl_s: Option<u64>,
    pub follow_referrals: Option<bool>,
    /// TLD (`cn`, `中国`, `com.cn` is not a TLD) → `host:port` or `host`.
    pub servers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RdapSection {
    /// A newer IANA `dns.json`, relative to the config file.
    pub bootstrap: Option<PathBuf>,
    pub timeout_ms: Option<u64>,
    pub per_server_per_minute: Option<u32>,
    pub max_answer_bytes: Option<usize>,
    /// TLD → base URL, taking precedence over the bootstrap.
    pub servers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSection {
    /// host → `ip:port`, checked before DNS.
    pub resolve: BTreeMap<String, String>,
    pub http_port: Option<u16>,
    pub https_port: Option<u16>,
    /// `desktop_browser`, `baiduspider+baidu_referer`, … (see [`parse_persona`]).
    pub personas: Option<Vec<String>>,
    pub timeout_ms: Option<u64>,
    pub connect_timeout_ms: Option<u64>,
    pub max_body_bytes: Option<usize>,
    pub max_redirects: Option<u32>,
    /// PEM files of extra trusted roots, relative to the config file.
    pub extra_roots: Vec<PathBuf>,
    /// PEM text of extra trusted roots, inline (what `beian lab` writes).
    pub extra_roots_pem: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    pub global_concurrency: Option<usize>,
    pub per_host_concurrency: Option<usize>,
    pub per_ip_concurrency: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSection {
    pub allow_private: Option<bool>,
}

/// The probe sections of one config file, borrowed from [`super::ConfigFile`].
#[derive(Debug, Clone, Copy)]
pub struct ProbeSections<'a> {
    pub dns: &'a DnsSection,
    pub whois: &'a WhoisSection,
    pub rdap: &'a RdapSection,
    pub http: &'a HttpSection,
    pub limits: &'a LimitsSection,
    pub network: &'a NetworkSection,
}

/// Where the values came from, for messages: the config file's name and the directory its
/// relative paths are taken from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub file: &'a str,
    pub base_dir: &'a Path,
}

/// An invalid value, naming the file, the key and what it should look like.
fn invalid(origin: &Origin<'_>, key: &str, value: &str, expected: &str) -> UserError {
    UserError::input(format!(
        "{}: {key} = {value:?} 无效 / {key} = {value:?} is invalid",
        origin.file
    ))
    .with_fix(format!("{key} 应为 / {key} should be: {expected}"))
}

fn millis(origin: &Origin<'_>, key: &str, value: u64) -> Result<Duration, UserError> {
    if value == 0 {
        return Err(invalid(
            origin,
            key,
            "0",
            "大于 0 的毫秒数 / a number of milliseconds above 0",
        ));
    }
    Ok(Duration::from_millis(value))
}

fn positive<T: Copy + PartialOrd + Default + ToString>(
    origin: &Origin<'_>,
    key: &str,
    value: T,
) -> Result<T, UserError> {
    if value <= T::default() {
        return Err(invalid(
            origin,
            key,
            &value.to_string(),
            "大于 0 的整数 / a whole number above 0",
        ));
    }
    Ok(value)
}

fn port(origin: &Origin<'_>, key: &str, value: u16) -> Result<u16, UserError> {
    positive(origin, key, value)
}

fn socket_address(origin: &Origin<'_>, key: &str, value: &str) -> Result<SocketAddr, UserError> {
    value.trim().parse().map_err(|_| {
        invalid(
            origin,
            key,
            value,
            "ip:port，如 127.0.0.1:53 或 [::1]:53 / ip:port, e.g. 127.0.0.1:53 or [::1]:53",
        )
    })
}

/// A TLD key as the probes want it: ASCII (A-label), no dots around it.
fn tld_key(origin: &Origin<'_>, key: &str, tld: &str) -> Result<String, UserError> {
    let trimmed = tld.trim().trim_matches('.');
    match idna::domain_to_ascii(trimmed) {
        Ok(ascii) if !ascii.is_empty() && !ascii.contains('.') => Ok(ascii),
        _ => Err(invalid(
            origin,
            key,
            tld,
            "一个顶级域，如 cn、com、中国 / a single TLD such as cn, com or 中国",
        )),
    }
}

/// `host:port` or `host` (port 43 then), as the WHOIS client dials it.
fn whois_server(origin: &Origin<'_>, key: &str, value: &str) -> Result<String, UserError> {
    let text = value.trim();
    let expected = "主机名或 host:port，如 whois.cnnic.cn 或 127.0.0.5:43 / a host or host:port, e.g. whois.cnnic.cn or 127.0.0.5:43";
    let (host, port_text) = match text.rsplit_once(':') {
        // An IPv6 literal without brackets has colons too; only bracketed ones carry a port.
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => (host, Some(port)),
        _ => (text, None),
    };
    if host.is_empty() || host.chars().any(char::is_whitespace) {
        return Err(invalid(origin, key, value, expected));
    }
    if let Some(port_text) = port_text {
        match port_text.parse::<u16>() {
            Ok(port) if port > 0 => {}
            _ => return Err(invalid(origin, key, value, expected)),
        }
    }
    Ok(text.to_owned())
}

fn http_url(origin: &Origin<'_>, key: &str, value: &str) -> Result<Url, UserError> {
    match Url::parse(value.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(invalid(
            origin,
            key,
            value,
            "http:// 或 https:// 开头的 URL，如 https://rdap.verisign.com/com/v1/ / an http(s) URL",
        )),
    }
}

/// `desktop_browser`, `mobile_wechat`, `baiduspider`, `sogou_spider`, `spider_360`, each
/// optionally followed by `+baidu_referer` (arriving from a Baidu result page).
pub fn parse_persona(text: &str) -> Option<Persona> {
    let text = text.trim();
    let (kind, baidu_referer) = match text.split_once('+') {
        Some((kind, "baidu_referer")) => (kind, true),
        Some(_) => return None,
        None => (text, false),
    };
    PersonaKind::parse(kind).map(|kind| Persona {
        kind,
        baidu_referer,
    })
}

/// The config form of a persona, inverse of [`parse_persona`].
pub fn persona_label(persona: Persona) -> String {
    if persona.baidu_referer {
        format!("{}+baidu_referer", persona.kind.as_str())
    } else {
        persona.kind.as_str().to_owned()
    }
}

fn personas(origin: &Origin<'_>, key: &str, values: &[String]) -> Result<Vec<Persona>, UserError> {
    let expected = || {
        let kinds: Vec<&str> = PersonaKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "{}，可加 +baidu_referer / one of these, optionally with +baidu_referer",
            kinds.join(", ")
        )
    };
    if values.is_empty() {
        return Err(invalid(origin, key, "[]", &expected()));
    }
    let mut chosen: Vec<Persona> = Vec::with_capacity(values.len());
    for value in values {
        let persona =
            parse_persona(value).ok_or_else(|| invalid(origin, key, value, &expected()))?;
        if !chosen.contains(&persona) {
            chosen.push(persona);
        }
    }
    Ok(chosen)
}

fn read_text(origin: &Origin<'_>, key: &str, path: &Path) -> Result<String, UserError> {
    let full = origin.base_dir.join(path);
    std::fs::read_to_string(&full).map_err(|err| {
        UserError::input(format!(
            "{}: {key} 指向的文件 {} 无法读取 / cannot read {} named by {key}: {err}",
            origin.file,
            full.display(),
            full.display()
        ))
        .with_fix(format!(
            "改正 {key}（相对于配置文件所在目录）/ fix {key} (relative to the config file's directory)"
        ))
    })
}

/// The sections mapped onto the defaults and validated.
pub fn probe_settings(
    sections: ProbeSections<'_>,
    origin: &Origin<'_>,
) -> Result<ProbeSettings, UserError> {
    let mut settings = ProbeSettings::default();
    apply_dns(&mut settings, sections.dns, origin)?;
    apply_whois(&mut settings, sections.whois, origin)?;
    apply_rdap(&mut settings, sections.rdap, origin)?;
    apply_http(&mut settings, sections.http, origin)?;
    let limits = sections.limits;
    if let Some(value) = limits.global_concurrency {
        settings.limits.global_concurrency = positive(origin, "limits.global_concurrency", value)?;
    }
    if let Some(value) = limits.per_host_concurrency {
        settings.limits.per_host_concurrency =
            positive(origin, "limits.per_host_concurrency", value)?;
    }
    if let Some(value) = limits.per_ip_concurrency {
        settings.limits.per_ip_concurrency = positive(origin, "limits.per_ip_concurrency", value)?;
    }
    if let Some(allow) = sections.network.allow_private {
        settings.network.allow_private = allow;
    }
    Ok(settings)
}

fn apply_dns(
    settings: &mut ProbeSettings,
    dns: &DnsSection,
    origin: &Origin<'_>,
) -> Result<(), UserError> {
    if let Some(servers) = &dns.nameservers {
        settings.dns.nameservers = servers
            .iter()
            .map(|server| socket_address(origin, "dns.nameservers", server))
            .collect::<Result<_, _>>()?;
    }
    if let Some(ms) = dns.timeout_ms {
        settings.dns.timeout = millis(origin, "dns.timeout_ms", ms)?;
    }
    if let Some(attempts) = dns.attempts {
        settings.dns.attempts = positive(origin, "dns.attempts", attempts)?;
    }
    Ok(())
}

fn apply_whois(
    settings: &mut ProbeSettings,
    whois: &WhoisSection,
    origin: &Origin<'_>,
) -> Result<(), UserError> {
    if let Some(server) = &whois.iana_server {
        settings.whois.iana_server = whois_server(origin, "whois.iana_server", server)?;
    }
    if let Some(ms) = whois.timeout_ms {
        settings.whois.timeout = millis(origin, "whois.timeout_ms", ms)?;
    }
    if let Some(bytes) = whois.max_answer_bytes {
        settings.whois.max_answer_bytes = positive(origin, "whois.max_answer_bytes", bytes)?;
    }
    if let Some(rate) = whois.per_server_per_minute {
        settings.whois.per_server_per_minute =
            positive(origin, "whois.per_server_per_minute", rate)?;
    }
    if let Some(seconds) = whois.cache_ttl_s {
        settings.whois.cache_ttl = Duration::from_secs(seconds);
    }
    if let Some(follow) = whois.follow_referrals {
        settings.whois.follow_referrals = follow;
    }
    for (tld, server) in &whois.servers {
        let key = format!("whois.servers.{tld}");
        let tld = tld_key(origin, &key, tld)?;
        let server = whois_server(origin, &key, server)?;
        settings.whois.servers.insert(tld, server);
    }
    Ok(())
}

fn apply_rdap(
    settings: &mut ProbeSettings,
    rdap: &RdapSection,
    origin: &Origin<'_>,
) -> Result<(), UserError> {
    if let Some(path) = &rdap.bootstrap {
        let text = read_text(origin, "rdap.bootstrap", path)?;
        if let Err(err) = beian_probe::RdapBootstrap::from_json(text.as_bytes()) {
            return Err(UserError::input(format!(
                "{}: rdap.bootstrap 文件 {} 不是 IANA RDAP 引导文件 / {} is not an IANA RDAP bootstrap file: {err}",
                origin.file,
                path.display(),
                path.display()
            ))
            .with_fix("给出从 https://data.iana.org/rdap/dns.json 下载的文件，或删除该键使用内置文件 / name a copy of IANA's dns.json, or remove the key to use the bundled one"));
        }
        settings.rdap.bootstrap_json = Some(text);
    }
    if let Some(ms) = rdap.timeout_ms {
        settings.rdap.timeout = millis(origin, "rdap.timeout_ms", ms)?;
    }
    if let Some(rate) = rdap.per_server_per_minute {
        settings.rdap.per_server_per_minute = positive(origin, "rdap.per_server_per_minute", rate)?;
    }
    if let Some(bytes) = rdap.max_answer_bytes {
        settings.rdap.max_answer_bytes = positive(origin, "rdap.max_answer_bytes", bytes)?;
    }
    for (tld, url) in &rdap.servers {
        let key = format!("rdap.servers.{tld}");
        let tld = tld_key(origin, &key, tld)?;
        let url = http_url(origin, &key, url)?;
        settings.rdap.servers.insert(tld, url);
    }
    Ok(())
}

fn apply_http(
    settings: &mut ProbeSettings,
    http: &HttpSection,
    origin: &Origin<'_>,
) -> Result<(), UserError> {
    for (host, address) in &http.resolve {
        let key = format!("http.resolve.\"{host}\"");
        let ascii = match idna::domain_to_ascii(host.trim().trim_end_matches('.')) {
            Ok(ascii) if !ascii.is_empty() => ascii,
            _ => {
                return Err(invalid(
                    origin,
                    &key,
                    host,
                    "主机名，如 www.example.com / a host name such as www.example.com",
                ));
            }
        };
        let address = socket_address(origin, &key, address)?;
        settings.http.resolve.insert(ascii, address);
    }
    if let Some(value) = http.http_port {
        settings.http.http_port = port(origin, "http.http_port", value)?;
    }
    if let Some(value) = http.https_port {
        settings.http.https_port = port(origin, "http.https_port", value)?;
    }
    if let Some(values) = &http.personas {
        settings.http.personas = personas(origin, "http.personas", values)?;
    }
    if let Some(ms) = http.timeout_ms {
        settings.http.timeout = millis(origin, "http.timeout_ms", ms)?;
    }
    if let Some(ms) = http.connect_timeout_ms {
        settings.http.connect_timeout = millis(origin, "http.connect_timeout_ms", ms)?;
    }
    if let Some(bytes) = http.max_body_bytes {
        settings.http.max_body_bytes = positive(origin, "http.max_body_bytes", bytes)?;
    }
    if let Some(redirects) = http.max_redirects {
        settings.http.max_redirects = redirects;
    }
    for path in &http.extra_roots {
        let pem = read_text(origin, "http.extra_roots", path)?;
        settings.http.extra_roots_pem.push(certificate_pem(
            origin,
            "http.extra_roots",
            &path.display().to_string(),
            pem,
        )?);
    }
    for pem in &http.extra_roots_pem {
        settings.http.extra_roots_pem.push(certificate_pem(
            origin,
            "http.extra_roots_pem",
            "…",
            pem.clone(),
        )?);
    }
    Ok(())
}

fn certificate_pem(
    origin: &Origin<'_>,
    key: &str,
    shown: &str,
    pem: String,
) -> Result<String, UserError> {
    if pem.contains("-----BEGIN CERTIFICATE-----") {
        Ok(pem)
    } else {
        Err(invalid(
            origin,
            key,
            shown,
            "PEM 证书（-----BEGIN CERTIFICATE----- 开头）/ a PEM certificate (-----BEGIN CERTIFICATE-----)",
        ))
    }
}

/// Parses a `--timeout` value: `5`, `1.5` (seconds), `500ms` or `2s`.
pub fn parse_timeout_flag(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    let seconds = number.trim().parse::<f64>().ok()? * scale;
    (seconds.is_finite() && seconds > 0.0 && seconds < 86_400.0)
        .then(|| Duration::from_secs_f64(seconds))
}

/// The probe flags (and their `BEIAN_*` variables, which clap has already read) on top of the
/// file's settings.
pub fn apply_probe_args(settings: &mut ProbeSettings, args: &ProbeArgs) -> Result<(), UserError> {
    let origin = Origin {
        file: "命令行 / command line",
        base_dir: Path::new("."),
    };
    if !args.nameservers.is_empty() {
        settings.dns.nameservers = args
            .nameservers
            .iter()
            .map(|server| socket_address(&origin, "--nameserver (BEIAN_DNS_NAMESERVERS)", server))
            .collect::<Result<_, _>>()?;
    }
    if let Some(text) = &args.timeout {
        let timeout = parse_timeout_flag(text).ok_or_else(|| {
            invalid(
                &origin,
                "--timeout (BEIAN_TIMEOUT)",
                text,
                "秒数或带单位的时长，如 5、1.5、500ms、2s / seconds or a duration such as 5, 1.5, 500ms, 2s",
            )
        })?;
        settings.dns.timeout = timeout;
        settings.whois.timeout = timeout;
        settings.rdap.timeout = timeout;
        settings.http.timeout = timeout;
        settings.http.connect_timeout = settings.http.connect_timeout.min(timeout);
    }
    if !args.personas.is_empty() {
        settings.http.personas =
            personas(&origin, "--persona (BEIAN_HTTP_PERSONAS)", &args.personas)?;
    }
    if args.allow_private {
        settings.network.allow_private = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::parse_config_text;

    fn settings_of(text: &str) -> Result<ProbeSettings, UserError> {
        let file = parse_config_text(text).expect("test config parses");
        probe_settings(
            file.probe_sections(),
            &Origin {
                file: "test.toml",
                base_dir: Path::new("."),
            },
        )
    }

    #[test]
    fn every_section_maps_onto_the_settings() {
        let settings = settings_of(
            r#"
[dns]
nameservers = ["127.0.0.1:5353", "[::1]:53"]
timeout_ms = 1500
attempts = 3

[whois]
iana_server = "127.0.0.1:4343"
timeout_ms = 2000
max_answer_bytes = 4096
per_server_per_minute = 5
cache_ttl_s = 60
follow_referrals = false

[whois.servers]
".CN" = "127.0.0.5:43"
"中国" = "whois.cnnic.cn"

[rdap]
timeout_ms = 2500
per_server_per_minute = 7
max_answer_bytes = 8192

[rdap.servers]
com = "http://127.0.0.1:8080/rdap/"

[http]
resolve = { "WWW.例子.中国" = "127.0.0.9:8443" }
http_port = 8080
https_port = 8443
personas = ["desktop_browser", "baiduspider+baidu_referer", "desktop_browser"]
timeout_ms = 3000
connect_timeout_ms = 700
max_body_bytes = 65536
max_redirects = 4
extra_roots_pem = ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]

[limits]
global_concurrency = 9
per_host_concurrency = 1
per_ip_concurrency = 3

[network]
allow_private = true
"#,
        )
        .expect("valid config");
        assert_eq!(
            settings.dns.nameservers,
            vec![
                "127.0.0.1:5353".parse::<SocketAddr>().expect("literal"),
                "[::1]:53".parse().expect("literal")
            ]
        );
        assert_eq!(settings.dns.timeout, Duration::from_millis(1500));
        assert_eq!(settings.dns.attempts, 3);
        assert_eq!(settings.whois.iana_server, "127.0.0.1:4343");
        assert_eq!(settings.whois.timeout, Duration::from_secs(2));
        assert_eq!(settings.whois.max_answer_bytes, 4096);
        assert_eq!(settings.whois.per_server_per_minute, 5);
        assert_eq!(settings.whois.cache_ttl, Duration::from_secs(60));
        assert!(!settings.whois.follow_referrals);
        assert_eq!(
            settings.whois.servers,
            BTreeMap::from([
                ("cn".to_owned(), "127.0.0.5:43".to_owned()),
                ("xn--fiqs8s".to_owned(), "whois.cnnic.cn".to_owned()),
            ])
        );
        assert_eq!(settings.rdap.timeout, Duration::from_millis(2500));
        assert_eq!(settings.rdap.per_server_per_minute, 7);
        assert_eq!(settings.rdap.max_answer_bytes, 8192);
        assert_eq!(
            settings.rdap.servers.get("com").map(Url::as_str),
            Some("http://127.0.0.1:8080/rdap/")
        );
        assert_eq!(
            settings.http.resolve.get("www.xn--fsqu00a.xn--fiqs8s"),
            Some(&"127.0.0.9:8443".parse().expect("literal"))
        );
        assert_eq!(
            (settings.http.http_port, settings.http.https_port),
            (8080, 8443)
        );
        assert_eq!(
            settings.http.personas,
            vec![
                Persona {
                    kind: PersonaKind::DesktopBrowser,
                    baidu_referer: false
                },
                Persona {
                    kind: PersonaKind::Baiduspider,
                    baidu_referer: true
                },
            ]
        );
        assert_eq!(settings.http.timeout, Duration::from_secs(3));
        assert_eq!(settings.http.connect_timeout, Duration::from_millis(700));
        assert_eq!(settings.http.max_body_bytes, 65536);
        assert_eq!(settings.http.max_redirects, 4);
        assert_eq!(settings.http.extra_roots_pem.len(), 1);
        assert_eq!(settings.limits.global_concurrency, 9);
        assert_eq!(settings.limits.per_host_concurrency, 1);
        assert_eq!(settings.limits.per_ip_concurrency, 3);
        assert!(settings.network.allow_private);
    }

    #[test]
    fn an_empty_file_keeps_the_polite_defaults() {
        assert_eq!(
            settings_of("").expect("empty is valid"),
            ProbeSettings::default()
        );
        assert_eq!(
            ProbeSettings::default().http.max_body_bytes,
            2 * 1024 * 1024
        );
    }

    #[test]
    fn invalid_values_name_the_key_and_the_file() {
        for (text, key) in [
            ("[dns]\nnameservers = [\"8.8.8.8\"]\n", "dns.nameservers"),
            ("[dns]\ntimeout_ms = 0\n", "dns.timeout_ms"),
            ("[http]\nhttps_port = 0\n", "http.https_port"),
            ("[http]\npersonas = [\"googlebot\"]\n", "http.personas"),
            (
                "[http]\npersonas = [\"baiduspider+google\"]\n",
                "http.personas",
            ),
            (
                "[http]\nresolve = { \"a.com\" = \"nowhere\" }\n",
                "http.resolve",
            ),
            (
                "[http]\nextra_roots_pem = [\"not pem\"]\n",
                "http.extra_roots_pem",
            ),
            ("[rdap.servers]\ncom = \"ftp://x/\"\n", "rdap.servers.com"),
            (
                "[whois.servers]\n\"com.cn\" = \"a:43\"\n",
                "whois.servers.com.cn",
            ),
            ("[whois.servers]\ncn = \"host:99999\"\n", "whois.servers.cn"),
            (
                "[limits]\nper_ip_concurrency = 0\n",
                "limits.per_ip_concurrency",
            ),
            (
                "[rdap]\nbootstrap = \"/nonexistent/dns.json\"\n",
                "rdap.bootstrap",
            ),
        ] {
            let error = settings_of(text).expect_err(text);
            let shown = format!("{} {}", error.message, error.fix.unwrap_or_default());
            assert!(shown.contains(key), "{text}: {shown}");
            assert!(error.message.contains("test.toml"), "{text}: {shown}");
        }
    }

    #[test]
    fn flags_go_on_top_of_the_file() {
        let mut settings = settings_of("[dns]\nnameservers = [\"127.0.0.1:53\"]\n").expect("valid");
        let args = ProbeArgs {
            nameservers: vec!["127.0.0.2:5353".to_owned()],
            timeout: Some("500ms".to_owned()),
            personas: vec!["spider_360".to_owned()],
            allow_private: true,
        };
        apply_probe_args(&mut settings, &args).expect("valid flags");
        assert_eq!(
            settings.dns.nameservers,
            vec!["127.0.0.2:5353".parse::<SocketAddr>().expect("literal")]
        );
        assert_eq!(settings.http.timeout, Duration::from_millis(500));
        assert_eq!(settings.http.connect_timeout, Duration::from_millis(500));
        assert_eq!(settings.whois.timeout, Duration::from_millis(500));
        assert_eq!(settings.http.personas.len(), 1);
        assert!(settings.network.allow_private);
        let bad = ProbeArgs {
            timeout: Some("soon".to_owned()),
            ..ProbeArgs::default()
        };
        assert!(apply_probe_args(&mut settings, &bad).is_err());
    }

    #[test]
    fn timeout_flag_forms() {
        assert_eq!(parse_timeout_flag("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout_flag("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_timeout_flag("250ms"),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse_timeout_flag("2s"), Some(Duration::from_secs(2)));
        for bad in ["0", "-1", "NaN", "inf", "", "5m"] {
            assert_eq!(parse_timeout_flag(bad), None, "{bad}");
        }
    }

    #[test]
    fn persona_labels_round_trip() {
        for kind in PersonaKind::ALL {
            for baidu_referer in [false, true] {
                let persona = Persona {
                    kind,
                    baidu_referer,
                };
                assert_eq!(parse_persona(&persona_label(persona)), Some(persona));
            }
        }
    }
}
