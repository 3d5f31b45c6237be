//! The labelled detection corpus (`crates/beian-detect/corpus`): loading, evaluation and the
//! figures `beian bench detect` prints.
//!
//! Layout: `corpus/manifest.toml` lists every case (`[[case]]` with `path`, `technique`,
//! `expected`, `owner_domain`, `url`, `description`, and optionally `persona`, `charset`,
//! `expected_icp`, `expected_psb`). A case path ending in `.html` is one page; any other path
//! is a folder of persona captures of one site (see [`load_site_dir`]).
//!
//! Scoring policy (strict on purpose):
//! * a **positive** case counts as detected only when the verdict is at least `suspicious`
//!   *and* a signal of the case's own technique is present — a hijack flagged for the wrong
//!   reason is a miss for that technique;
//! * a **negative** case with any verdict at least `suspicious` is a false positive (a person
//!   would be asked to look at a healthy site); per technique, it counts against every
//!   technique that contributed a signal to it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use beian_probe::dns::{CnameLink, DnsEvidence};
use beian_probe::{Persona, PersonaKind};
use serde::{Deserialize, Serialize};

mod analysis;
mod evaluate;
mod throughput;

use crate::{Technique, Verdict};
pub use analysis::{
    CaseInput, PageCaseInput, SiteCaseInput, all_signals, analyse_page_case, analyse_site_case,
};
pub use evaluate::{CaseResult, CorpusReport, Metrics, Outcome, evaluate};
pub use throughput::{MIN_PASSES, Throughput, ThroughputClock, corpus_pages, measure_throughput};

/// The label of a negative case in the manifest.
pub const NEGATIVE: &str = "negative";
/// The file that lists every case, at the corpus root.
pub const MANIFEST: &str = "manifest.toml";
/// The per-site description inside a site-capture folder.
pub const CAPTURE_FILE: &str = "capture.toml";
/// How long the throughput measurement runs at least (and at least `MIN_PASSES` passes).
pub const MIN_THROUGHPUT_RUN: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error(
        "无法读取 {path} / cannot read {path}: {source}（检查路径与权限 / check the path and permissions）"
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} 格式错误 / {path} is malformed: {message}（按 corpus/README.md 修正 / fix it as corpus/README.md describes）"
    )]
    Malformed { path: PathBuf, message: String },
}

impl CorpusError {
    fn malformed(path: &Path, message: impl Into<String>) -> CorpusError {
        CorpusError::Malformed {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// What a case is labelled as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Positive(Technique),
    Negative,
}

impl Label {
    pub fn name(self) -> &'static str {
        match self {
            Label::Positive(technique) => technique.as_str(),
            Label::Negative => NEGATIVE,
        }
    }
}

/// One labelled case, its content loaded.
#[derive(Debug, Clone)]
pub struct Case {
    /// Relative to the corpus root, as in the manifest.
    pub path: String,
    pub label: Label,
    pub expected: Verdict,
    pub owner_domain: String,
    pub url: String,
    pub persona: Persona,
    pub expected_icp: Option<String>,
    pub expected_psb: Option<String>,
    pub description: String,
    pub content: CaseContent,
}

#[derive(Debug, Clone)]
pub enum CaseContent {
    Page { html: String },
    Site(Box<SiteCapture>),
}

/// A folder of persona captures of one site.
#[derive(Debug, Clone, Default)]
pub struct SiteCapture {
    pub host: String,
    pub captures: Vec<CapturedPage>,
    pub random_paths: Vec<CapturedPage>,
    pub baseline: Option<BaselineSpec>,
    pub dns: Option<DnsEvidence>,
    pub ns_domains_unregistered: Vec<String>,
}

impl SiteCapture {
    fn html_bytes(&self) -> usize {
        self.captures
            .iter()
            .chain(&self.random_paths)
            .map(|page| page.html.len())
            .sum()
    }
}

#[derive(Debug, Clone)]
pub struct CapturedPage {
    pub file: String,
    pub persona: Persona,
    pub requested_url: String,
    pub final_url: String,
    pub status: u16,
    pub hops: Vec<String>,
    /// The `Server` response header, when it was saved (cloud error pages name themselves).
    pub server_header: Option<String>,
    pub html: String,
}

/// The owner-approved title and meta of the site (`[baseline]` in capture.toml).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineSpec {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub keywords: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Hosts of the scripts the approved page loaded.
    #[serde(default)]
    pub script_hosts: Vec<String>,
    /// Hosts the approved page linked to.
    #[serde(default)]
    pub outbound_hosts: Vec<String>,
}

/// DNS facts of the site (`[dns]` in capture.toml); absent fields mean "not observed".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DnsSpec {
    #[serde(default)]
    a: Vec<String>,
    /// `[from, to]` pairs in order.
    #[serde(default)]
    cname_chain: Vec<[String; 2]>,
    #[serde(default)]
    ns: Vec<String>,
    /// Response code of the host's A query.
    #[serde(default)]
    rcode: Option<String>,
    #[serde(default)]
    cname_target_rcode: Option<String>,
}

impl DnsSpec {
    fn into_evidence(self, host: &str, source: &Path) -> Result<DnsEvidence, CorpusError> {
        let a = self
            .a
            .iter()
            .map(|text| {
                text.parse::<Ipv4Addr>().map_err(|_| {
                    CorpusError::malformed(
                        source,
                        format!("[dns] a: 不是 IPv4 地址 / not an IPv4 address: {text:?}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut rcodes = BTreeMap::new();
        rcodes.insert(
            "A".to_string(),
            self.rcode.unwrap_or_else(|| "NOERROR".to_string()),
        );
        Ok(DnsEvidence {
            name: host.to_string(),
            a,
            aaaa: Vec::new(),
            cname_chain: self
                .cname_chain
                .into_iter()
                .map(|[from, to]| CnameLink { from, to })
                .collect(),
            cname_target_rcode: self.cname_target_rcode,
            cname_chain_cut: false,
            ns: self.ns,
            soa: None,
            mx: Vec::new(),
            txt: Vec::new(),
            rcodes,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Corpus {
    pub root: PathBuf,
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    #[serde(rename = "case", default)]
    cases: Vec<ManifestCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestCase {
    path: String,
    technique: String,
    expected: String,
    owner_domain: String,
    url: String,
    description: String,
    #[serde(default)]
    persona: Option<String>,
    #[serde(default)]
    charset: Option<String>,
    #[serde(default)]
    expected_icp: Option<String>,
    #[serde(default)]
    expected_psb: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureFile {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    ns_domains_unregistered: Vec<String>,
    #[serde(default)]
    baseline: Option<BaselineSpec>,
    #[serde(default)]
    dns: Option<DnsSpec>,
    #[serde(default)]
    capture: Vec<CaptureEntry>,
    #[serde(default)]
    random_path: Vec<CaptureEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureEntry {
    file: String,
    persona: String,
    #[serde(default)]
    requested_url: Option<String>,
    #[serde(default)]
    final_url: Option<String>,
    #[serde(default = "ok_status")]
    status: u16,
    #[serde(default)]
    hops: Vec<String>,
    #[serde(default)]
    server: Option<String>,
    #[serde(default)]
    charset: Option<String>,
}

fn ok_status() -> u16 {
    200
}

/// `desktop_browser`, `baiduspider+baidu_referer`, … — the persona names `beian.toml` uses.
pub fn parse_persona(text: &str) -> Option<Persona> {
    let (kind, baidu_referer) = match text.strip_suffix("+baidu_referer") {
        Some(kind) => (kind, true),
        None => (text, false),
    };
    Some(Persona {
        kind: PersonaKind::parse(kind)?,
        baidu_referer,
    })
}

pub fn persona_name(persona: Persona) -> String {
    if persona.baidu_referer {
        format!("{}+baidu_referer", persona.kind.as_str())
    } else {
        persona.kind.as_str().to_string()
    }
}

const DESKTOP: Persona = Persona {
    kind: PersonaKind::DesktopBrowser,
    baidu_referer: false,
};

fn read_bytes(path: &Path) -> Result<Vec<u8>, CorpusError> {
    std::fs::read(path).map_err(|source| CorpusError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Decodes saved page bytes: an explicit charset label wins, then UTF-8 (with its BOM), then a
/// `charset=` declared in the first 1 KiB, then GBK — the usual order for Chinese pages.
pub fn decode_html(bytes: &[u8], charset: Option<&str>) -> String {
    let declared = charset.or_else(|| sniff_charset(bytes));
    let encoding = declared
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    if encoding == encoding_rs::UTF_8 && std::str::from_utf8(bytes).is_err() && declared.is_none() {
        return encoding_rs::GBK.decode(bytes).0.into_owned();
    }
    encoding.decode(bytes).0.into_owned()
}

fn sniff_charset(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(1024)];
    let text = std::str::from_utf8(head).ok().or_else(|| {
        std::str::from_utf8(&head[..head.iter().take_while(|b| b.is_ascii()).count()]).ok()
    })?;
    let start = text.to_ascii_lowercase().find("charset=")? + "charset=".len();
    let rest = text.get(start..)?.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|label| !label.is_empty())
}

impl Corpus {
    /// Reads `dir/manifest.toml` and every case it lists.
    pub fn load(dir: &Path) -> Result<Corpus, CorpusError> {
        let manifest_path = dir.join(MANIFEST);
        let text = String::from_utf8(read_bytes(&manifest_path)?)
            .map_err(|_| CorpusError::malformed(&manifest_path, "不是 UTF-8 / not UTF-8"))?;
        let manifest: ManifestFile = toml::from_str(&text)
            .map_err(|error| CorpusError::malformed(&manifest_path, error.to_string()))?;
        let mut seen = BTreeSet::new();
        let mut cases = Vec::with_capacity(manifest.cases.len());
        for entry in manifest.cases {
            if !seen.insert(entry.path.clone()) {
                return Err(CorpusError::malformed(
                    &manifest_path,
                    format!("重复的用例 / duplicate case {}", entry.path),
                ));
            }
            cases.push(load_case(dir, &manifest_path, entry)?);
        }
        Ok(Corpus {
            root: dir.to_path_buf(),
            cases,
        })
    }

    /// Files under the root that no case accounts for (the generator's `tools/` and
    /// README files excepted): a case written but never labelled.
    pub fn unlisted_files(&self) -> Result<Vec<PathBuf>, CorpusError> {
        let mut listed = BTreeSet::new();
        for case in &self.cases {
            match &case.content {
                CaseContent::Page { .. } => {
                    listed.insert(self.root.join(&case.path));
                }
                CaseContent::Site(site) => {
                    let folder = self.root.join(&case.path);
                    listed.insert(folder.join(CAPTURE_FILE));
                    for page in site.captures.iter().chain(&site.random_paths) {
                        listed.insert(folder.join(&page.file));
                    }
                }
            }
        }
        let mut unlisted = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| CorpusError::Read {
                path: dir.clone(),
                source,
            })?;
            for entry in entries {
                let path = entry
                    .map_err(|source| CorpusError::Read {
                        path: dir.clone(),
                        source,
                    })?
                    .path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if path.is_dir() {
                    if !(dir == self.root && name == "tools") {
                        stack.push(path);
                    }
                } else if !(dir == self.root && (name == MANIFEST || name == "README.md"))
                    && !listed.contains(&path)
                {
                    unlisted.push(path);
                }
            }
        }
        unlisted.sort();
        Ok(unlisted)
    }

    pub fn html_bytes(&self) -> usize {
        self.cases
            .iter()
            .map(|case| match &case.content {
                CaseContent::Page { html } => html.len(),
                CaseContent::Site(site) => site.html_bytes(),
            })
            .sum()
    }
}

fn load_case(dir: &Path, manifest: &Path, entry: ManifestCase) -> Result<Case, CorpusError> {
    let label = if entry.technique == NEGATIVE {
        Label::Negative
    } else {
        Label::Positive(Technique::parse(&entry.technique).ok_or_else(|| {
            CorpusError::malformed(
                manifest,
                format!(
                    "{}: 未知技术 / unknown technique {:?}",
                    entry.path, entry.technique
                ),
            )
        })?)
    };
    let expected = parse_verdict(&entry.expected).ok_or_else(|| {
        CorpusError::malformed(
            manifest,
            format!(
                "{}: expected 须为 clean|suspicious|hijacked / must be clean|suspicious|hijacked, got {:?}",
                entry.path, entry.expected
            ),
        )
    })?;
    let persona = match entry.persona.as_deref() {
        Some(text) => parse_persona(text).ok_or_else(|| {
            CorpusError::malformed(
                manifest,
                format!("{}: 未知访问身份 / unknown persona {text:?}", entry.path),
            )
        })?,
        None => DESKTOP,
    };
    if entry.path.contains("..") || Path::new(&entry.path).is_absolute() {
        return Err(CorpusError::malformed(
            manifest,
            format!(
                "{}: 路径须在语料目录内 / path must stay inside the corpus",
                entry.path
            ),
        ));
    }
    let full = dir.join(&entry.path);
    let content = if entry.path.ends_with(".html") {
        CaseContent::Page {
            html: decode_html(&read_bytes(&full)?, entry.charset.as_deref()),
        }
    } else {
        CaseContent::Site(Box::new(load_site_dir(&full)?))
    };
    Ok(Case {
        path: entry.path,
        label,
        expected,
        owner_domain: entry.owner_domain,
        url: entry.url,
        persona,
        expected_icp: entry.expected_icp,
        expected_psb: entry.expected_psb,
        description: entry.description,
        content,
    })
}

pub fn parse_verdict(text: &str) -> Option<Verdict> {
    match text {
        "clean" => Some(Verdict::Clean),
        "suspicious" => Some(Verdict::Suspicious),
        "hijacked" => Some(Verdict::Hijacked),
        _ => None,
    }
}

/// Loads a folder of persona captures. With a `capture.toml` it says everything; without one,
/// every `<persona>.html` is a capture of `/` and every `random-N.html` a random-path capture
/// as the desktop browser, so a person can drop saved pages in a folder and analyse them.
pub fn load_site_dir(dir: &Path) -> Result<SiteCapture, CorpusError> {
    let description = dir.join(CAPTURE_FILE);
    if description.is_file() {
        let text = String::from_utf8(read_bytes(&description)?)
            .map_err(|_| CorpusError::malformed(&description, "不是 UTF-8 / not UTF-8"))?;
        let file: CaptureFile = toml::from_str(&text)
            .map_err(|error| CorpusError::malformed(&description, error.to_string()))?;
        let host = file.host.unwrap_or_default();
        let load = |entries: Vec<CaptureEntry>| -> Result<Vec<CapturedPage>, CorpusError> {
            entries
                .into_iter()
                .map(|entry| captured_page(dir, &description, &host, entry))
                .collect()
        };
        let captures = load(file.capture)?;
        let random_paths = load(file.random_path)?;
        let dns = file
            .dns
            .map(|spec| spec.into_evidence(&host, &description))
            .transpose()?;
        return Ok(SiteCapture {
            host,
            captures,
            random_paths,
            baseline: file.baseline,
            dns,
            ns_domains_unregistered: file.ns_domains_unregistered,
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| CorpusError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| CorpusError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        if let Some(name) = entry.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    names.sort();
    let mut site = SiteCapture::default();
    for name in names {
        let Some(stem) = name.strip_suffix(".html") else {
            continue;
        };
        let entry = CaptureEntry {
            file: name.clone(),
            persona: if stem.starts_with("random-") {
                persona_name(DESKTOP)
            } else {
                stem.to_string()
            },
            requested_url: None,
            final_url: None,
            status: 200,
            hops: Vec::new(),
            server: None,
            charset: None,
        };
        if parse_persona(&entry.persona).is_none() {
            return Err(CorpusError::malformed(
                &dir.join(&name),
                "文件名须为访问身份名或 random-N.html（或提供 capture.toml）/ name files after a persona or random-N.html (or add capture.toml)",
            ));
        }
        let page = captured_page(dir, &description, "", entry)?;
        if stem.starts_with("random-") {
            site.random_paths.push(page);
        } else {
            site.captures.push(page);
        }
    }
    if site.captures.is_empty() && site.random_paths.is_empty() {
        return Err(CorpusError::malformed(
            dir,
            "没有 .html 抓取文件 / no .html captures in the folder",
        ));
    }
    Ok(site)
}

fn captured_page(
    dir: &Path,
    description: &Path,
    host: &str,
    entry: CaptureEntry,
) -> Result<CapturedPage, CorpusError> {
    let persona = parse_persona(&entry.persona).ok_or_else(|| {
        CorpusError::malformed(
            description,
            format!(
                "{}: 未知访问身份 / unknown persona {:?}",
                entry.file, entry.persona
            ),
        )
    })?;
    if entry.file.contains("..") || entry.file.contains('/') {
        return Err(CorpusError::malformed(
            description,
            format!(
                "{}: 文件须在同一目录 / the file must be in the same folder",
                entry.file
            ),
        ));
    }
    let html = decode_html(
        &read_bytes(&dir.join(&entry.file))?,
        entry.charset.as_deref(),
    );
    let fallback = if host.is_empty() {
        String::new()
    } else {
        format!("https://{host}/")
    };
    let requested_url = entry.requested_url.unwrap_or(fallback);
    let final_url = entry.final_url.unwrap_or_else(|| requested_url.clone());
    Ok(CapturedPage {
        file: entry.file,
        persona,
        requested_url,
        final_url,
        status: entry.status,
        hops: entry.hops,
        server_header: entry.server,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personas_round_trip() {
        for text in ["desktop_browser", "baiduspider+baidu_referer", "spider_360"] {
            let persona = parse_persona(text).expect("a known persona name");
            assert_eq!(persona_name(persona), text);
        }
        assert!(parse_persona("googlebot").is_none());
        assert!(parse_persona("desktop_browser+").is_none());
    }

    #[test]
    fn gbk_is_decoded_by_label_declaration_or_fallback() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<title>北京市海运职业学校</title>");
        assert_eq!(
            decode_html(&bytes, Some("gbk")),
            "<title>北京市海运职业学校</title>"
        );
        assert!(decode_html(&bytes, None).contains("海运职业学校"));
        let mut declared = b"<meta charset=\"gbk\">".to_vec();
        declared.extend_from_slice(&bytes);
        assert!(decode_html(&declared, None).contains("海运职业学校"));
    }
}
