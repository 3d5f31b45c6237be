//! Hosts the scenarios point at but do not own: the registrar's parking host, the Aliyun
//! OSS endpoint of an unclaimed bucket, the gambling landing site, the registrar's WHOIS.

use super::pages;
use super::{Reply, TlsKind, Web};

pub(crate) const ALIYUN_PARKING_HOST: &str = "overdue.aliyun.com";
pub(crate) const OSS_BUCKET: &str = "lab-orphan-bucket";
pub(crate) const OSS_BUCKET_HOST: &str = "lab-orphan-bucket.oss-cn-hangzhou.aliyuncs.com";
/// The registrar WHOIS host named in registry referrals; the lab DNS resolves it to 127.0.0.1.
pub(crate) const REGISTRAR_WHOIS_HOST: &str = "whois.lab-registrar.net";

/// Where an infrastructure host's A record points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InfraAddress {
    /// A 127.0.0.x address serving virtual hosts.
    VirtualHost,
    /// 127.0.0.1, where the lab's WHOIS and RDAP listen.
    Loopback,
}

#[derive(Debug, Clone)]
pub(crate) struct InfraHost {
    pub host: &'static str,
    pub address: InfraAddress,
    pub web: Option<Web>,
    pub tls: TlsKind,
}

pub(crate) fn infrastructure() -> Vec<InfraHost> {
    vec![
        InfraHost {
            host: ALIYUN_PARKING_HOST,
            address: InfraAddress::VirtualHost,
            web: Some(Web::everywhere(Reply::html(200, pages::aliyun_expired()))),
            tls: TlsKind::None,
        },
        InfraHost {
            host: OSS_BUCKET_HOST,
            address: InfraAddress::VirtualHost,
            web: Some(Web::everywhere(pages::oss_no_such_bucket())),
            tls: TlsKind::Valid,
        },
        InfraHost {
            host: pages::GAMBLING_HOST,
            address: InfraAddress::VirtualHost,
            web: Some(Web::everywhere(Reply::html(200, pages::gambling_landing()))),
            tls: TlsKind::Valid,
        },
        InfraHost {
            host: REGISTRAR_WHOIS_HOST,
            address: InfraAddress::Loopback,
            web: None,
            tls: TlsKind::None,
        },
    ]
}
