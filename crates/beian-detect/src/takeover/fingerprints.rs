//! The bundled takeover fingerprints: can-i-take-over-xyz (CC-BY-4.0) and our own entries
//! for Chinese clouds, read into one shape.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use thiserror::Error;

const CAN_I_TAKE_OVER_XYZ: &str =
    include_str!("../../../../data/takeover/can-i-take-over-xyz-fingerprints.json");
const CHINESE_CLOUDS: &str = include_str!("../../../../data/takeover/chinese-clouds.json");

/// How sure the source is that a dangling name of this service can be claimed by others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum TakeoverStatus {
    Vulnerable,
    #[serde(rename = "Edge case")]
    EdgeCase,
    #[serde(rename = "Not vulnerable")]
    NotVulnerable,
}

impl TakeoverStatus {
    /// Signal confidence when the fingerprint matches.
    pub fn confidence(self) -> f32 {
        match self {
            TakeoverStatus::Vulnerable => 0.9,
            TakeoverStatus::EdgeCase => 0.6,
            TakeoverStatus::NotVulnerable => 0.0,
        }
    }
}

/// One service's fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub service: String,
    pub status: TakeoverStatus,
    /// Host globs (`*` matches any characters) a CNAME target must match.
    pub cname_patterns: Vec<String>,
    /// Body markers: any alternative matches when all its parts occur (in order).
    pub body_markers: Vec<Vec<String>>,
    pub nxdomain: bool,
    pub http_status: Option<u16>,
    /// `Server` header value typical of the service (supporting evidence only).
    pub server_header: Option<String>,
}

#[derive(Debug, Error)]
pub enum FingerprintError {
    #[error(
        "接管指纹文件 {file} 无法解析：{source}；请检查 JSON 格式 / takeover fingerprint file {file} does not parse: {source}; check its JSON"
    )]
    Json {
        file: &'static str,
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct XyzEntry {
    service: String,
    status: TakeoverStatus,
    #[serde(default)]
    cname: Vec<String>,
    #[serde(default)]
    fingerprint: String,
    http_status: Option<u16>,
    #[serde(default)]
    nxdomain: bool,
}

#[derive(Deserialize)]
struct OurFile {
    services: Vec<OurEntry>,
    /// CNAME suffixes for can-i-take-over-xyz services whose `cname` list is empty.
    #[serde(default)]
    cname_supplements: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct OurEntry {
    service: String,
    status: TakeoverStatus,
    cname: Vec<String>,
    fingerprint: Vec<String>,
    server_header: Option<String>,
    nxdomain: bool,
}

/// can-i-take-over-xyz writes a few fingerprints as regexes (`Tunnel .*.ngrok.io not
/// found`), alternatives (`a&#124;b`, "`a` `b`"): read them as literal parts.
fn body_alternatives(fingerprint: &str) -> Vec<Vec<String>> {
    if fingerprint.is_empty()
        || fingerprint == "NXDOMAIN"
        || fingerprint.starts_with("HTTP_STATUS=")
    {
        return Vec::new();
    }
    fingerprint
        .split("&#124;")
        .flat_map(|alt| alt.split("` `"))
        .map(|alt| {
            alt.trim_matches('`')
                .replace('\\', "")
                .split(".*")
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|parts| !parts.is_empty())
        .collect()
}

/// A can-i-take-over-xyz CNAME entry is a domain suffix; some are IPs or URLs (skipped).
fn suffix_patterns(cname: &str) -> Vec<String> {
    let host = cname
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return Vec::new();
    }
    vec![host.clone(), format!("*.{host}")]
}

pub fn parse_bundled() -> Result<Vec<Fingerprint>, FingerprintError> {
    let xyz: Vec<XyzEntry> =
        serde_json::from_str(CAN_I_TAKE_OVER_XYZ).map_err(|source| FingerprintError::Json {
            file: "data/takeover/can-i-take-over-xyz-fingerprints.json",
            source,
        })?;
    let ours: OurFile =
        serde_json::from_str(CHINESE_CLOUDS).map_err(|source| FingerprintError::Json {
            file: "data/takeover/chinese-clouds.json",
            source,
        })?;
    let mut all: Vec<Fingerprint> = xyz
        .into_iter()
        .map(|e| {
            let cnames = match ours.cname_supplements.get(&e.service) {
                Some(extra) if e.cname.is_empty() => extra.clone(),
                _ => e.cname,
            };
            Fingerprint {
                body_markers: body_alternatives(&e.fingerprint),
                cname_patterns: cnames.iter().flat_map(|c| suffix_patterns(c)).collect(),
                service: e.service,
                status: e.status,
                nxdomain: e.nxdomain,
                http_status: e.http_status,
                server_header: None,
            }
        })
        .filter(|f| !f.cname_patterns.is_empty())
        .collect();
    all.extend(ours.services.into_iter().map(|e| Fingerprint {
        service: e.service,
        status: e.status,
        cname_patterns: e.cname.iter().map(|c| c.to_ascii_lowercase()).collect(),
        body_markers: e.fingerprint.into_iter().map(|f| vec![f]).collect(),
        nxdomain: e.nxdomain,
        http_status: None,
        server_header: e.server_header,
    }));
    Ok(all)
}

/// The bundled fingerprints, parsed once.
pub static BUNDLED: LazyLock<Vec<Fingerprint>> = LazyLock::new(|| {
    parse_bundled().expect("the bundled takeover fingerprints parse (checked by a unit test)")
});

/// `*` matches any run of characters (dots included); everything else literally.
pub fn glob_matches(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.as_bytes(), host.as_bytes());
    let (mut pi, mut hi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while hi < h.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, hi));
            pi += 1;
        } else if pi < p.len() && p[pi] == h[hi] {
            pi += 1;
            hi += 1;
        } else if let Some((star_pi, star_hi)) = star {
            pi = star_pi + 1;
            hi = star_hi + 1;
            star = Some((star_pi, star_hi + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|b| *b == b'*')
}

impl Fingerprint {
    pub fn matches_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.cname_patterns.iter().any(|p| glob_matches(p, &host))
    }

    /// The body marker found in `body`, if any.
    pub fn body_match(&self, body: &str) -> Option<String> {
        self.body_markers.iter().find_map(|parts| {
            let mut rest = body;
            for part in parts {
                let at = rest.find(part.as_str())?;
                rest = &rest[at + part.len()..];
            }
            Some(parts.join(" … "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_parse() {
        let all = parse_bundled().expect("bundled fingerprints parse");
        assert!(
            all.iter()
                .any(|f| f.service == "AWS/S3" && f.status == TakeoverStatus::Vulnerable)
        );
        assert!(
            all.iter()
                .any(|f| f.service.contains("Aliyun OSS") && f.status == TakeoverStatus::EdgeCase)
        );
    }

    #[test]
    fn globs() {
        assert!(glob_matches(
            "*.oss-*.aliyuncs.com",
            "x.oss-cn-hangzhou.aliyuncs.com"
        ));
        assert!(!glob_matches("*.oss-*.aliyuncs.com", "x.aliyuncs.com"));
        assert!(glob_matches("*.kunlun*.com", "a.w.kunlunsl.com"));
        assert!(glob_matches(
            "*.s3.amazonaws.com",
            "bucket.s3.amazonaws.com"
        ));
        assert!(!glob_matches(
            "*.s3.amazonaws.com",
            "s3.amazonaws.com.evil.cn"
        ));
    }

    #[test]
    fn regex_fingerprints_become_parts() {
        assert_eq!(
            body_alternatives("Tunnel .*.ngrok.io not found"),
            vec![vec![
                "Tunnel".to_string(),
                ".ngrok.io not found".to_string()
            ]]
        );
        assert!(body_alternatives("NXDOMAIN").is_empty());
    }
}
