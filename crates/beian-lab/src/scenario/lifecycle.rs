//! Domain lifecycle and takeover scenarios: healthy, expiring, expired, redemption, pending
//! delete, dropped, re-registered, unresolvable, parked, dangling CNAME.

use super::catalogue::{
    Filing, HEALTHY_FILING, aliyun, aliyun_ns, company_web, expect, hosted_dns, registration,
    stranger_registrar, tencent, xinnet,
};
use super::infra::{ALIYUN_PARKING_HOST, OSS_BUCKET_HOST};
use super::pages::{self, Footer, HomePage};
use super::{
    DnsHint, DnsRecord, DnsSetup, PhaseHint, RecordData, RegistryBehaviour, Reply, Scenario,
    ScenarioKind, Signal, TlsKind, Web,
};

const EXPIRING_FILING: Filing = Filing {
    company: "上海明远贸易有限公司",
    icp: "沪ICP备2023018472号-1",
    psb: "沪公网安备31010402009281号",
};

/// The previous owner's filing, still shown by the stranger's page.
const OLD_OWNER_FILING: Filing = Filing {
    company: "杭州禾木文化传播有限公司",
    icp: "浙ICP备2019027415号-1",
    psb: "浙公网安备33010602011348号",
};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        healthy(),
        expiring_soon(),
        expired_filing_active(),
        gone(
            ScenarioKind::Redemption,
            "redemption-period.net",
            (-2000, -50),
            &["redemptionPeriod", "pendingDelete"],
            PhaseHint::Redemption,
        ),
        gone(
            ScenarioKind::PendingDelete,
            "pending-delete.com",
            (-1800, -72),
            &["pendingDelete"],
            PhaseHint::PendingDelete,
        ),
        dropped(),
        re_registered(),
        nx_domain(),
        parked(),
        dangling_oss_cname(),
    ]
}

fn healthy() -> Scenario {
    let mut web = company_web("青禾网络 - 企业信息化服务", &HEALTHY_FILING);
    if let Some(web) = web.as_mut() {
        web.rules.push(super::PageRule {
            path: super::PathMatch::Exact("/about.html".to_owned()),
            audience: super::Audience::Anyone,
            reply: Reply::html(
                200,
                super::catalogue::company_home("关于我们", &HEALTHY_FILING),
            ),
        });
    }
    Scenario {
        kind: ScenarioKind::Healthy,
        domain: "healthy-shop.com".to_owned(),
        site_label: None,
        registration: registration(
            -1200,
            300,
            &["clientDeleteProhibited", "clientTransferProhibited"],
            aliyun(),
            HEALTHY_FILING.company,
            aliyun_ns(),
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(vec![
            DnsRecord::new(
                "ipv6",
                RecordData::Aaaa(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10)),
            ),
            DnsRecord::new("assets", RecordData::Cname("assets-cdn".to_owned())),
            DnsRecord::new("assets-cdn", RecordData::Cname("@".to_owned())),
        ]),
        tls: TlsKind::Valid,
        web,
        expect: expect(
            PhaseHint::Active,
            DnsHint::NoError,
            Some(200),
            &[Signal::FooterCorrect],
        ),
    }
}

fn expiring_soon() -> Scenario {
    Scenario {
        kind: ScenarioKind::ExpiringSoon,
        domain: "expiring-soon.cn".to_owned(),
        site_label: None,
        registration: registration(
            -700,
            5,
            &["ok"],
            xinnet(),
            EXPIRING_FILING.company,
            vec!["ns1.xincache.com".to_owned(), "ns2.xincache.com".to_owned()],
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::Valid,
        web: company_web("明远贸易 - 进出口代理", &EXPIRING_FILING),
        expect: expect(
            PhaseHint::ExpiringSoon,
            DnsHint::NoError,
            Some(200),
            &[Signal::FooterCorrect],
        ),
    }
}

fn expired_filing_active() -> Scenario {
    let parking = format!("{ALIYUN_PARKING_HOST}.");
    Scenario {
        kind: ScenarioKind::ExpiredFilingActive,
        domain: "expired-filing.com".to_owned(),
        site_label: None,
        registration: registration(
            -1500,
            -10,
            &["clientHold", "autoRenewPeriod"],
            aliyun(),
            "北京远山教育咨询有限公司",
            aliyun_ns(),
        ),
        registry: RegistryBehaviour::Normal,
        dns: DnsSetup::Records(vec![
            DnsRecord::new("@", RecordData::Cname(parking.clone())),
            DnsRecord::new("www", RecordData::Cname(parking)),
        ]),
        tls: TlsKind::None,
        web: Some(Web::everywhere(Reply::html(200, pages::aliyun_expired()))),
        expect: expect(
            PhaseHint::ExpiredGrace,
            DnsHint::NoError,
            Some(200),
            &[Signal::RegistrarParking],
        ),
    }
}

/// A name past expiry that the registry has pulled from the zone.
fn gone(
    kind: ScenarioKind,
    domain: &str,
    (created, expires): (i64, i64),
    statuses: &[&str],
    phase: PhaseHint,
) -> Scenario {
    Scenario {
        kind,
        domain: domain.to_owned(),
        site_label: None,
        registration: registration(
            created,
            expires,
            statuses,
            tencent(),
            "深圳市海川电子有限公司",
            vec![
                "f1g1ns1.dnspod.net".to_owned(),
                "f1g1ns2.dnspod.net".to_owned(),
            ],
        ),
        registry: RegistryBehaviour::Normal,
        dns: DnsSetup::NxDomain,
        tls: TlsKind::None,
        web: None,
        expect: expect(phase, DnsHint::NxDomain, None, &[]),
    }
}

fn dropped() -> Scenario {
    Scenario {
        kind: ScenarioKind::Dropped,
        domain: "dropped-domain.com".to_owned(),
        site_label: None,
        registration: None,
        registry: RegistryBehaviour::Normal,
        dns: DnsSetup::NxDomain,
        tls: TlsKind::None,
        web: None,
        expect: expect(PhaseHint::Dropped, DnsHint::NxDomain, None, &[]),
    }
}

fn re_registered() -> Scenario {
    let page = pages::home(&HomePage {
        title: "澳门新葡京 - 真人视讯 体育投注",
        keywords: "澳门新葡京,真人视讯,体育投注",
        description: "澳门新葡京娱乐城，百家乐、体育投注、电子游艺。",
        main: "<p>新用户注册即送彩金，真人视讯、滚球、电子游艺应有尽有。</p>",
        footer: Footer {
            icp: Some(OLD_OWNER_FILING.icp),
            psb: Some(OLD_OWNER_FILING.psb),
            company: OLD_OWNER_FILING.company,
        },
        ..HomePage::default()
    });
    Scenario {
        kind: ScenarioKind::ReRegistered,
        domain: "reregistered-brand.com".to_owned(),
        site_label: None,
        registration: registration(
            -20,
            345,
            &["clientTransferProhibited"],
            stranger_registrar(),
            "Lucky Star Trading Limited",
            vec![
                "ns1.gname-dns.com".to_owned(),
                "ns2.gname-dns.com".to_owned(),
            ],
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::Valid,
        web: Some(Web::home(page)),
        expect: expect(
            PhaseHint::ReRegistered,
            DnsHint::NoError,
            Some(200),
            &[Signal::GamblingContent, Signal::StaleFilingFooter],
        ),
    }
}

fn nx_domain() -> Scenario {
    Scenario {
        kind: ScenarioKind::NxDomain,
        domain: "unresolvable.com.cn".to_owned(),
        site_label: None,
        registration: registration(
            -900,
            200,
            &["serverHold"],
            tencent(),
            "成都云栖软件有限公司",
            vec![
                "f1g1ns1.dnspod.net".to_owned(),
                "f1g1ns2.dnspod.net".to_owned(),
            ],
        ),
        registry: RegistryBehaviour::Normal,
        dns: DnsSetup::NxDomain,
        tls: TlsKind::None,
        web: None,
        expect: expect(PhaseHint::Active, DnsHint::NxDomain, None, &[]),
    }
}

fn parked() -> Scenario {
    let sedo = vec![
        "ns1.sedoparking.com".to_owned(),
        "ns2.sedoparking.com".to_owned(),
    ];
    Scenario {
        kind: ScenarioKind::Parked,
        domain: "parked-for-sale.net".to_owned(),
        site_label: None,
        registration: registration(
            -400,
            330,
            &["clientTransferProhibited"],
            stranger_registrar(),
            "Domain Investments Ltd",
            sedo,
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::SelfSigned,
        web: Some(Web::everywhere(Reply::html(
            200,
            pages::parking("parked-for-sale.net"),
        ))),
        expect: expect(
            PhaseHint::Active,
            DnsHint::NoError,
            Some(200),
            &[Signal::Parked],
        ),
    }
}

fn dangling_oss_cname() -> Scenario {
    Scenario {
        kind: ScenarioKind::DanglingOssCname,
        domain: "dangling-oss.com".to_owned(),
        site_label: Some("static".to_owned()),
        registration: registration(
            -1000,
            400,
            &["clientTransferProhibited"],
            aliyun(),
            "广州星河传媒有限公司",
            aliyun_ns(),
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(vec![DnsRecord::new(
            "static",
            RecordData::Cname(format!("{OSS_BUCKET_HOST}.")),
        )]),
        tls: TlsKind::WrongName,
        web: Some(Web::everywhere(pages::oss_no_such_bucket())),
        expect: expect(
            PhaseHint::Active,
            DnsHint::NoError,
            Some(404),
            &[Signal::DanglingCname],
        ),
    }
}
