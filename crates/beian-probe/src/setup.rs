//! Errors that stop a probe from being built at all (bad local configuration), as opposed to
//! [`crate::ProbeFailure`], which is evidence about a remote party.

use crate::rdap::RdapBootstrapError;

/// Why a probe client could not be constructed. Every message names the setting to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeSetupError {
    #[error(
        "DNS 解析器无法创建 / cannot set up the DNS resolver ({detail}); set dns.nameservers to ip:port entries or fix /etc/resolv.conf"
    )]
    Resolver { detail: String },
    #[error(
        "额外根证书无效 / an extra root certificate is not usable ({detail}); give PEM text starting with -----BEGIN CERTIFICATE-----"
    )]
    RootCertificate { detail: String },
    #[error(
        "{purpose} 的 HTTP 客户端无法创建 / cannot build the HTTP client for {purpose} ({detail}); check the TLS settings and extra root certificates"
    )]
    HttpClient {
        purpose: &'static str,
        detail: String,
    },
    #[error(transparent)]
    RdapBootstrap(#[from] RdapBootstrapError),
}
