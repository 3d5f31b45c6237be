//! Hostile servers (DESIGN §5 reliability): each one costs a careless client time or memory.

use super::catalogue::{aliyun, aliyun_ns, expect, hosted_dns, registration, xinnet};
use super::pages;
use super::{
    Audience, DnsHint, DnsSetup, PageRule, PathMatch, PhaseHint, RegistryBehaviour, Reply,
    Scenario, ScenarioKind, Signal, TlsKind, Web,
};

/// 100 MiB, streamed.
pub(crate) const HUGE_BODY_BYTES: u64 = 100 * 1024 * 1024;
/// How long the trickled page is (one byte a second: ten minutes).
pub(crate) const TRICKLE_BYTES: u64 = 600;
/// Retry-After of the rate-limited registry.
pub(crate) const RATE_LIMIT_RETRY_AFTER_SECS: u32 = 30;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        http(
            ScenarioKind::HostileHang,
            "hang-forever.com",
            Web::everywhere(Reply::Hang),
            None,
            Signal::HttpHang,
        ),
        http(
            ScenarioKind::HostileTrickle,
            "slow-drip.net",
            Web::everywhere(Reply::Trickle {
                bytes: TRICKLE_BYTES,
            }),
            Some(200),
            Signal::SlowBody,
        ),
        http(
            ScenarioKind::HostileHugeBody,
            "huge-body.com",
            Web::everywhere(Reply::Huge {
                bytes: HUGE_BODY_BYTES,
            }),
            Some(200),
            Signal::OversizedBody,
        ),
        http(
            ScenarioKind::HostileGzipBomb,
            "gzip-bomb.net",
            Web::everywhere(Reply::GzipBomb),
            Some(200),
            Signal::CompressionBomb,
        ),
        http(
            ScenarioKind::HostileRedirectLoop,
            "redirect-loop.com",
            redirect_loop(),
            Some(302),
            Signal::RedirectLoop,
        ),
        dns(
            ScenarioKind::HostileMalformedDns,
            "malformed-dns.com",
            DnsSetup::Malformed,
            DnsHint::Malformed,
            Signal::MalformedDns,
        ),
        dns(
            ScenarioKind::HostileSilentDns,
            "silent-dns.net",
            DnsSetup::Silent,
            DnsHint::NoAnswer,
            Signal::SilentDns,
        ),
        registry(
            ScenarioKind::HostileHugeWhois,
            "huge-whois.cn",
            RegistryBehaviour::OversizedWhois,
            Signal::OversizedWhois,
        ),
        registry(
            ScenarioKind::HostileRateLimited,
            "rate-limited.com",
            RegistryBehaviour::RateLimited {
                retry_after_secs: RATE_LIMIT_RETRY_AFTER_SECS,
            },
            Signal::RegistryRateLimited,
        ),
    ]
}

fn base(kind: ScenarioKind, domain: &str, signal: Signal) -> Scenario {
    Scenario {
        kind,
        domain: domain.to_owned(),
        site_label: None,
        registration: registration(
            -600,
            200,
            &["clientTransferProhibited"],
            aliyun(),
            "敌意测试有限公司",
            aliyun_ns(),
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::None,
        web: None,
        expect: expect(PhaseHint::Active, DnsHint::NoError, None, &[signal]),
    }
}

fn http(
    kind: ScenarioKind,
    domain: &str,
    web: Web,
    status: Option<u16>,
    signal: Signal,
) -> Scenario {
    let mut scenario = base(kind, domain, signal);
    scenario.web = Some(web);
    scenario.expect.http_final_status = status;
    scenario
}

fn dns(
    kind: ScenarioKind,
    domain: &str,
    setup: DnsSetup,
    hint: DnsHint,
    signal: Signal,
) -> Scenario {
    let mut scenario = base(kind, domain, signal);
    scenario.dns = setup;
    scenario.expect.dns = hint;
    scenario
}

fn registry(
    kind: ScenarioKind,
    domain: &str,
    behaviour: RegistryBehaviour,
    signal: Signal,
) -> Scenario {
    let mut scenario = base(kind, domain, signal);
    scenario.registry = behaviour;
    scenario.web = Some(Web::home(
        pages::not_found().replace("404 Not Found", "Registry test"),
    ));
    scenario.expect.http_final_status = Some(200);
    if domain.ends_with(".cn") {
        scenario.registration = registration(
            -600,
            200,
            &["ok"],
            xinnet(),
            "敌意测试有限公司",
            vec!["ns1.xincache.com".to_owned(), "ns2.xincache.com".to_owned()],
        );
    }
    scenario
}

/// `/` → `/a` → `/b` → `/a` …: a loop no client may follow for ever.
fn redirect_loop() -> Web {
    let hop = |from: &str, to: &str| PageRule {
        path: PathMatch::Exact(from.to_owned()),
        audience: Audience::Anyone,
        reply: Reply::Redirect {
            status: 302,
            location: to.to_owned(),
        },
    };
    Web {
        rules: vec![
            hop("/", "/loop/a"),
            hop("/loop/a", "/loop/b"),
            hop("/loop/b", "/loop/a"),
        ],
        fallback: Reply::Redirect {
            status: 302,
            location: "/".to_owned(),
        },
    }
}
