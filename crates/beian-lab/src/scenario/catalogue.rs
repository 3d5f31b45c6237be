//! The standard catalogue and the small builders the scenario families share.

use super::pages::{self, Footer, HomePage};
use super::{
    DnsHint, DnsRecord, DnsSetup, Expectation, PhaseHint, RecordData, Registrar, Registration,
    Scenario, Signal, Web, hijack, hostile, lifecycle, markup,
};

/// The scenario catalogue.
pub struct Catalogue;

impl Catalogue {
    /// Every scenario once.
    pub fn standard() -> Vec<Scenario> {
        let mut all = lifecycle::scenarios();
        all.extend(hijack::scenarios());
        all.extend(hostile::scenarios());
        all.extend(markup::scenarios());
        all
    }
}

pub(crate) fn aliyun() -> Registrar {
    Registrar {
        name: "Alibaba Cloud Computing (Beijing) Co., Ltd.".to_owned(),
        name_zh: "阿里云计算有限公司（万网）".to_owned(),
        iana_id: 420,
        url: "http://www.net.cn".to_owned(),
    }
}

pub(crate) fn tencent() -> Registrar {
    Registrar {
        name: "DNSPod, Inc.".to_owned(),
        name_zh: "腾讯云计算（北京）有限责任公司".to_owned(),
        iana_id: 1697,
        url: "https://dnspod.cloud.tencent.com".to_owned(),
    }
}

pub(crate) fn xinnet() -> Registrar {
    Registrar {
        name: "Xin Net Technology Corporation".to_owned(),
        name_zh: "北京新网数码信息技术有限公司".to_owned(),
        iana_id: 120,
        url: "http://www.xinnet.com".to_owned(),
    }
}

/// The drop-catcher that re-registers lapsed names.
pub(crate) fn stranger_registrar() -> Registrar {
    Registrar {
        name: "Gname.com Pte. Ltd.".to_owned(),
        name_zh: "Gname.com Pte. Ltd.".to_owned(),
        iana_id: 1923,
        url: "https://www.gname.com".to_owned(),
    }
}

/// Aliyun's authoritative servers, used by most healthy scenarios.
pub(crate) fn aliyun_ns() -> Vec<String> {
    vec!["dns1.hichina.com".to_owned(), "dns2.hichina.com".to_owned()]
}

pub(crate) fn registration(
    created_days: i64,
    expires_days: i64,
    statuses: &[&str],
    registrar: Registrar,
    registrant: &str,
    nameservers: Vec<String>,
) -> Option<Registration> {
    Some(Registration {
        created_days,
        expires_days,
        updated_days: created_days.max(expires_days - 365).min(0),
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        registrar,
        registrant: registrant.to_owned(),
        nameservers,
    })
}

/// A hosted zone: apex on the lab address, www as a CNAME to the apex, mail and SPF.
pub(crate) fn hosted_dns(extra: Vec<DnsRecord>) -> DnsSetup {
    let mut records = vec![
        DnsRecord::new("@", RecordData::SiteAddress),
        DnsRecord::new("www", RecordData::Cname("@".to_owned())),
        DnsRecord::new("@", RecordData::Mx(10, "mxbiz1.qq.com".to_owned())),
        DnsRecord::new(
            "@",
            RecordData::Txt("v=spf1 include:spf.mail.qq.com ~all".to_owned()),
        ),
    ];
    records.extend(extra);
    DnsSetup::Records(records)
}

/// The filing numbers of a healthy Beijing company (valid per beian-core's rules).
pub(crate) struct Filing {
    pub company: &'static str,
    pub icp: &'static str,
    pub psb: &'static str,
}

pub(crate) const HEALTHY_FILING: Filing = Filing {
    company: "北京青禾网络科技有限公司",
    icp: "京ICP备2024031876号-1",
    psb: "京公网安备11010502031876号",
};

/// The footer a filing's site must show.
pub(crate) fn filing_footer(filing: &Filing) -> Footer<'static> {
    Footer {
        icp: Some(filing.icp),
        psb: Some(filing.psb),
        company: filing.company,
    }
}

/// An ordinary company home page with a correct footer.
pub(crate) fn company_home(name: &str, filing: &Filing) -> String {
    pages::home(&HomePage {
        title: name,
        keywords: "企业官网,产品,服务",
        description: "公司简介、产品与服务、联系方式。",
        main: "<p>我们专注于企业信息化服务，欢迎咨询合作。</p>",
        footer: filing_footer(filing),
        ..HomePage::default()
    })
}

pub(crate) fn expect(
    phase: PhaseHint,
    dns: DnsHint,
    http_final_status: Option<u16>,
    signals: &[Signal],
) -> Expectation {
    Expectation {
        phase,
        dns,
        http_final_status,
        signals: signals.to_vec(),
    }
}

/// A healthy home page at `/` and a plain 404 elsewhere.
pub(crate) fn company_web(name: &str, filing: &Filing) -> Option<Web> {
    Some(Web::home(company_home(name, filing)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn standard_catalogue_has_each_kind_once_and_unique_domains() {
        let all = Catalogue::standard();
        let kinds: BTreeSet<_> = all.iter().map(|s| s.kind).collect();
        assert_eq!(kinds.len(), all.len(), "a kind appears twice");
        let domains: BTreeSet<_> = all.iter().map(|s| s.domain.as_str()).collect();
        assert_eq!(domains.len(), all.len(), "a domain appears twice");
        // Every kind but the bulk one is in the standard catalogue.
        assert_eq!(all.len(), 27);
    }
}
