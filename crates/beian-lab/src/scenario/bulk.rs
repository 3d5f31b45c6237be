//! Bulk healthy sites for benchmarks: cheap to generate, each with DNS, a registration
//! (RDAP for .com/.net, CNNIC WHOIS for .cn/.com.cn), an HTTP and for half an HTTPS host.

use super::catalogue::{aliyun, aliyun_ns, expect, hosted_dns, registration, xinnet};
use super::pages::{self, Footer, HomePage};
use super::{DnsHint, PhaseHint, RegistryBehaviour, Scenario, ScenarioKind, Signal, TlsKind, Web};

const TLDS: [&str; 4] = ["com", "net", "cn", "com.cn"];

/// The filing of the `index`-th bulk site's subject: numbers that pass beian-core's validators.
pub(crate) struct BulkFiling {
    pub company: String,
    pub icp: String,
    pub psb: String,
}

pub(crate) fn bulk_filing(index: usize) -> BulkFiling {
    // A serial that never looks like a placeholder: a leading 3 and a spread of digits.
    let serial = 300_000 + (index * 7_919) % 600_000;
    BulkFiling {
        company: format!("北京批量样本{index}号科技有限公司"),
        icp: format!("京ICP备2024{serial:06}号-1"),
        psb: format!("京公网安备11010502{serial:06}号"),
    }
}

/// The `index`-th bulk site's domain.
pub(crate) fn bulk_domain(index: usize) -> String {
    format!("bulk-site-{index:05}.{}", TLDS[index % TLDS.len()])
}

/// The `index`-th bulk site (0-based).
pub(crate) fn bulk_healthy_site(index: usize) -> Scenario {
    let tld = TLDS[index % TLDS.len()];
    let domain = bulk_domain(index);
    let BulkFiling { company, icp, psb } = bulk_filing(index);
    let title = format!("批量样本站点 {index}");
    let body = pages::home(&HomePage {
        title: &title,
        keywords: "批量,样本",
        description: "用于基准测试的正常网站。",
        main: "<p>正常的企业网站内容。</p>",
        footer: Footer {
            icp: Some(&icp),
            psb: Some(&psb),
            company: &company,
        },
        ..HomePage::default()
    });
    let offset = i64::try_from(index % 700).unwrap_or(0);
    let cn = tld.ends_with("cn");
    let (registrar, statuses, nameservers) = if cn {
        (
            xinnet(),
            &["ok"][..],
            vec!["ns1.xincache.com".to_owned(), "ns2.xincache.com".to_owned()],
        )
    } else {
        (aliyun(), &["clientTransferProhibited"][..], aliyun_ns())
    };
    Scenario {
        kind: ScenarioKind::BulkHealthy,
        domain,
        site_label: None,
        registration: registration(
            -400 - offset,
            100 + offset,
            statuses,
            registrar,
            &company,
            nameservers,
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: if index.is_multiple_of(2) {
            TlsKind::Valid
        } else {
            TlsKind::None
        },
        web: Some(Web::home(body)),
        expect: expect(
            PhaseHint::Active,
            DnsHint::NoError,
            Some(200),
            &[Signal::FooterCorrect],
        ),
    }
}
