//! Scenarios: each one a small declarative description of one domain — its registration,
//! its DNS, its certificate and its pages — plus what a correct probe should observe.
//!
//! Dates are offsets in days from the lab's `today`, so "expires in 5 days" stays true
//! whenever the lab runs. Names may be Unicode (`国货老店.中国`); the lab serves them as
//! A-labels.

mod bulk;
mod catalogue;
mod hijack;
mod hostile;
pub(crate) mod infra;
mod lifecycle;
mod markup;
pub(crate) mod pages;

use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::NaiveDate;
use serde::Serialize;

pub(crate) use bulk::{bulk_domain, bulk_filing, bulk_healthy_site};
pub use catalogue::Catalogue;
pub(crate) use hostile::{HUGE_BODY_BYTES, RATE_LIMIT_RETRY_AFTER_SECS, TRICKLE_BYTES};
pub(crate) use markup::{IMG_ONERROR_MARKUP, SCRIPT_TITLE_MARKUP};

/// Every scenario the catalogue knows, by a stable snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    Healthy,
    ExpiringSoon,
    ExpiredFilingActive,
    Redemption,
    PendingDelete,
    Dropped,
    ReRegistered,
    GamblingHijack,
    SpiderCloaking,
    BaiduReferrerRedirect,
    IframeOverlay,
    HiddenLinkFarm,
    ParasitePages,
    Parked,
    DanglingOssCname,
    NxDomain,
    GbkPage,
    HostileHang,
    HostileTrickle,
    HostileHugeBody,
    HostileGzipBomb,
    HostileRedirectLoop,
    HostileMalformedDns,
    HostileSilentDns,
    HostileHugeWhois,
    HostileRateLimited,
    MarkupInjection,
    BulkHealthy,
}

impl ScenarioKind {
    pub fn as_str(self) -> &'static str {
        self.describe().0
    }

    /// (snake_case name, 中文说明, English description).
    pub fn describe(self) -> (&'static str, &'static str, &'static str) {
        use ScenarioKind::*;
        match self {
            Healthy => (
                "healthy",
                "正常网站，页脚备案号与公安备案号正确并链接",
                "healthy site with a correct, linked footer",
            ),
            ExpiringSoon => (
                "expiring_soon",
                "域名 5 天后到期",
                "domain expires in 5 days",
            ),
            ExpiredFilingActive => (
                "expired_filing_active",
                "域名已过期 10 天，备案仍在，解析指向注册商停放页",
                "expired 10 days ago, filing still active, DNS on registrar parking",
            ),
            Redemption => (
                "redemption",
                "域名处于赎回期",
                "domain in the redemption period",
            ),
            PendingDelete => (
                "pending_delete",
                "域名处于待删除期",
                "domain pending delete",
            ),
            Dropped => (
                "dropped",
                "域名已删除，可被任何人注册",
                "domain dropped: anyone can register it",
            ),
            ReRegistered => (
                "re_registered",
                "域名被他人重新注册，赌博页仍显示旧备案号",
                "re-registered by a stranger; gambling page still shows the old filing number",
            ),
            GamblingHijack => (
                "gambling_hijack",
                "标题、关键词与正文被植入赌博内容",
                "title, meta and body carry gambling terms",
            ),
            SpiderCloaking => (
                "spider_cloaking",
                "蜘蛛劫持：百度蜘蛛看到赌博标题，浏览器看到正常页面",
                "spider cloaking: Baiduspider sees a gambling title, browsers the normal page",
            ),
            BaiduReferrerRedirect => (
                "baidu_referrer_redirect",
                "来路劫持：百度来路访客被混淆脚本跳转到赌博站",
                "Baidu-referrer visitors redirected off-site by obfuscated JS",
            ),
            IframeOverlay => (
                "iframe_overlay",
                "全屏 iframe 覆盖赌博站",
                "full-screen iframe overlay to a gambling site",
            ),
            HiddenLinkFarm => (
                "hidden_link_farm",
                "隐藏的赌博暗链",
                "hidden link farm of gambling links",
            ),
            ParasitePages => (
                "parasite_pages",
                "寄生虫泛目录：任意路径返回 200 和堆砌标题",
                "parasite pages: any path answers 200 with a stuffed title",
            ),
            Parked => ("parked", "域名停放待售页面", "parked domain for sale"),
            DanglingOssCname => (
                "dangling_oss_cname",
                "CNAME 指向未认领的阿里云 OSS 存储桶",
                "CNAME to an unclaimed Aliyun OSS bucket",
            ),
            NxDomain => (
                "nx_domain",
                "域名已注册但无法解析（NXDOMAIN）",
                "registered but does not resolve (NXDOMAIN)",
            ),
            GbkPage => (
                "gbk_page",
                "GBK 编码的中文页面与 GBK 编码的 WHOIS 应答",
                "GBK-encoded Chinese page and GBK WHOIS answer",
            ),
            HostileHang => (
                "hostile_hang",
                "敌意服务器：接受连接但永不应答",
                "hostile: accepts, never answers",
            ),
            HostileTrickle => (
                "hostile_trickle",
                "敌意服务器：每秒只发一个字节",
                "hostile: trickles one byte a second",
            ),
            HostileHugeBody => (
                "hostile_huge_body",
                "敌意服务器：100 MB 响应体",
                "hostile: 100 MB body",
            ),
            HostileGzipBomb => (
                "hostile_gzip_bomb",
                "敌意服务器：gzip 压缩炸弹（约 1 GB）",
                "hostile: gzip bomb (~1 GB)",
            ),
            HostileRedirectLoop => (
                "hostile_redirect_loop",
                "敌意服务器：重定向循环",
                "hostile: redirect loop",
            ),
            HostileMalformedDns => (
                "hostile_malformed_dns",
                "敌意 DNS：畸形应答",
                "hostile DNS: malformed answers",
            ),
            HostileSilentDns => (
                "hostile_silent_dns",
                "敌意 DNS：永不应答",
                "hostile DNS: never answers",
            ),
            HostileHugeWhois => (
                "hostile_huge_whois",
                "敌意 WHOIS：10 MB 应答",
                "hostile WHOIS: 10 MB answer",
            ),
            HostileRateLimited => (
                "hostile_rate_limited",
                "注册局限流：RDAP 429 与 WHOIS 限流应答",
                "registry rate limit: RDAP 429 and a WHOIS rate-limit answer",
            ),
            MarkupInjection => (
                "markup_injection",
                "标题是脚本，WHOIS 注册人与注册商、跳转目标带 HTML 标记（转义测试）",
                "script as the title, markup in the WHOIS registrant, registrar and redirect target (escaping test)",
            ),
            BulkHealthy => (
                "bulk_healthy",
                "批量正常网站（基准测试用）",
                "bulk healthy site (benchmarks)",
            ),
        }
    }
}

/// One scenario: a domain and everything the lab serves about it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub kind: ScenarioKind,
    /// The registrable domain (Unicode or ASCII).
    pub domain: String,
    /// The website's host label under the domain (`Some("static")` → static.<domain>);
    /// `None` serves the site on the domain itself.
    pub site_label: Option<String>,
    /// `None`: not registered (RDAP 404, WHOIS "no match").
    pub registration: Option<Registration>,
    pub registry: RegistryBehaviour,
    pub dns: DnsSetup,
    pub tls: TlsKind,
    /// `None`: no virtual host for the site.
    pub web: Option<Web>,
    pub expect: Expectation,
}

/// A registration as the registry (RDAP, WHOIS) reports it; days relative to today.
#[derive(Debug, Clone)]
pub struct Registration {
    pub created_days: i64,
    pub expires_days: i64,
    pub updated_days: i64,
    /// EPP status names (`clientHold`, `redemptionPeriod`, `ok` …).
    pub statuses: Vec<String>,
    pub registrar: Registrar,
    pub registrant: String,
    pub nameservers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Registrar {
    /// The name registries use (English for gTLDs).
    pub name: String,
    /// The name CNNIC shows (Chinese).
    pub name_zh: String,
    pub iana_id: u32,
    pub url: String,
}

/// How the registry's RDAP and WHOIS servers treat queries for this domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryBehaviour {
    Normal,
    /// The CNNIC-style WHOIS answer is encoded in GBK (the lab's GB18030-compatible choice).
    GbkWhois,
    /// RDAP answers 429 with Retry-After, WHOIS answers a rate-limit notice.
    RateLimited {
        retry_after_secs: u32,
    },
    /// The WHOIS answer is padded to about 10 MB.
    OversizedWhois,
}

/// The domain's zone.
#[derive(Debug, Clone)]
pub enum DnsSetup {
    Records(Vec<DnsRecord>),
    /// The name is not in the zone (NXDOMAIN for it and everything below).
    NxDomain,
    /// Every query under the domain gets truncated garbage.
    Malformed,
    /// Queries under the domain are never answered.
    Silent,
}

/// A record, its owner relative to the domain (`@`, `www`, `static`).
#[derive(Debug, Clone)]
pub struct DnsRecord {
    pub owner: String,
    pub data: RecordData,
}

#[derive(Debug, Clone)]
pub enum RecordData {
    /// The 127.0.0.x address the lab gives this scenario's virtual host.
    SiteAddress,
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Ns(String),
    Mx(u16, String),
    Txt(String),
}

impl DnsRecord {
    pub fn new(owner: &str, data: RecordData) -> DnsRecord {
        DnsRecord {
            owner: owner.to_owned(),
            data,
        }
    }
}

/// The certificate the HTTPS virtual host presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsKind {
    /// Issued by the lab CA for the host, valid today.
    Valid,
    /// Issued by the lab CA, expired 10 days ago.
    Expired,
    /// Self-signed for the host.
    SelfSigned,
    /// Issued by the lab CA for another name.
    WrongName,
    /// No HTTPS virtual host.
    None,
}

/// A site's pages: the first rule whose path and audience match answers.
#[derive(Debug, Clone)]
pub struct Web {
    pub rules: Vec<PageRule>,
    /// Answer when no rule matches.
    pub fallback: Reply,
}

#[derive(Debug, Clone)]
pub struct PageRule {
    pub path: PathMatch,
    pub audience: Audience,
    pub reply: Reply,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatch {
    Exact(String),
    /// `/<dir>/<digits>.html` — the 泛目录 doorway pattern.
    DoorwayPattern,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Anyone,
    /// User-Agent names a crawler (spider, bot).
    Spiders,
    /// Everyone who is not a crawler.
    Browsers,
    /// Referer is a Baidu page.
    BaiduReferer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Gbk,
}

#[derive(Debug, Clone)]
pub enum Reply {
    Document {
        status: u16,
        content_type: String,
        charset: Charset,
        headers: Vec<(String, String)>,
        body: String,
    },
    Redirect {
        status: u16,
        location: String,
    },
    /// A page stuffed with gambling terms whose title is derived from the path: stable per
    /// URL, different between URLs (how 泛目录 programs cache their output).
    Doorway,
    /// Read the request, never answer.
    Hang,
    /// `bytes` of HTML, one byte a second.
    Trickle {
        bytes: u64,
    },
    /// A streamed body of `bytes` (Content-Length set), never held in memory.
    Huge {
        bytes: u64,
    },
    /// `Content-Encoding: gzip`, about 1 MB on the wire expanding to about 1 GiB.
    GzipBomb,
}

impl Reply {
    pub fn html(status: u16, body: String) -> Reply {
        Reply::Document {
            status,
            content_type: "text/html".to_owned(),
            charset: Charset::Utf8,
            headers: Vec::new(),
            body,
        }
    }
}

impl Web {
    /// One page at `/`, a plain 404 elsewhere.
    pub fn home(body: String) -> Web {
        Web {
            rules: vec![PageRule {
                path: PathMatch::Exact("/".to_owned()),
                audience: Audience::Anyone,
                reply: Reply::html(200, body),
            }],
            fallback: Reply::html(404, pages::not_found()),
        }
    }

    /// The same answer for every path and audience.
    pub fn everywhere(reply: Reply) -> Web {
        Web {
            rules: Vec::new(),
            fallback: reply,
        }
    }
}

/// What the scenario is built to show, declared by the scenario.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub phase: PhaseHint,
    pub dns: DnsHint,
    /// Final status of a desktop-browser fetch of the site URL (None: no answer expected).
    pub http_final_status: Option<u16>,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseHint {
    Active,
    ExpiringSoon,
    ExpiredGrace,
    Redemption,
    PendingDelete,
    Dropped,
    ReRegistered,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsHint {
    NoError,
    NxDomain,
    Malformed,
    NoAnswer,
}

/// Evidence a detector should derive from what the probes see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    FooterCorrect,
    StaleFilingFooter,
    GamblingContent,
    SpiderCloaking,
    ReferrerRedirect,
    ObfuscatedScript,
    IframeOverlay,
    HiddenLinks,
    ParasitePages,
    Parked,
    RegistrarParking,
    DanglingCname,
    GbkCharset,
    GbkWhois,
    HttpHang,
    SlowBody,
    OversizedBody,
    CompressionBomb,
    RedirectLoop,
    MalformedDns,
    SilentDns,
    OversizedWhois,
    RegistryRateLimited,
}

/// What a correct probe should see, with the relative dates resolved against `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedEvidence {
    pub registered: bool,
    pub created_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub statuses: Vec<String>,
    pub registrar: Option<String>,
    pub nameservers: Vec<String>,
    pub phase: PhaseHint,
    pub dns: DnsHint,
    /// The first CNAME target of the site host, if it has one.
    pub cname_target: Option<String>,
    pub http_final_status: Option<u16>,
    pub tls: TlsKind,
    pub signals: Vec<Signal>,
}

/// Adds (possibly negative) days to a date, saturating at chrono's range.
pub(crate) fn offset_date(today: NaiveDate, days: i64) -> NaiveDate {
    let delta = chrono::TimeDelta::try_days(days).unwrap_or(chrono::TimeDelta::zero());
    today.checked_add_signed(delta).unwrap_or(today)
}

impl Scenario {
    /// The website host (A-label form is made by the world builder).
    pub fn site_host(&self) -> String {
        match &self.site_label {
            Some(label) => format!("{label}.{}", self.domain),
            None => self.domain.clone(),
        }
    }

    pub fn expected(&self, today: NaiveDate) -> ExpectedEvidence {
        let registration = self.registration.as_ref();
        let cname_target = match &self.dns {
            DnsSetup::Records(records) => {
                let owner = self.site_label.as_deref().unwrap_or("@");
                records.iter().find_map(|record| match &record.data {
                    RecordData::Cname(target) if record.owner == owner => Some(target.clone()),
                    _ => None,
                })
            }
            _ => None,
        };
        ExpectedEvidence {
            registered: registration.is_some(),
            created_on: registration.map(|r| offset_date(today, r.created_days)),
            expires_on: registration.map(|r| offset_date(today, r.expires_days)),
            statuses: registration.map(|r| r.statuses.clone()).unwrap_or_default(),
            registrar: registration.map(|r| r.registrar.name.clone()),
            nameservers: registration
                .map(|r| r.nameservers.clone())
                .unwrap_or_default(),
            phase: self.expect.phase,
            dns: self.expect.dns,
            cname_target,
            http_final_status: self.expect.http_final_status,
            tls: self.tls,
            signals: self.expect.signals.clone(),
        }
    }
}
