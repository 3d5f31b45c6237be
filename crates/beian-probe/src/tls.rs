//! TLS certificate facts (DESIGN §3.2): who issued the certificate, until when it is valid,
//! whether it names the host and whether the chain verifies — recorded even when it does not,
//! because an expired or foreign certificate is exactly the evidence wanted.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::{Deserialize, Serialize};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::settings::HttpSettings;
use crate::setup::ProbeSetupError;

/// What the standard (webpki) verification said about the presented chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsVerdict {
    Valid,
    Expired,
    NotYetValid,
    SelfSigned,
    UnknownIssuer,
    NameMismatch,
    Other(String),
}

/// Facts about the certificate a server presented for `host`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsEvidence {
    pub host: String,
    pub addr: SocketAddr,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// Whole days from now until not_after; negative once expired.
    pub days_left: i64,
    pub issuer: String,
    pub subject: String,
    pub san: Vec<String>,
    /// Whether a subjectAltName covers `host` (wildcards match exactly one label).
    pub san_matches: bool,
    pub chain_len: usize,
    pub verdict: TlsVerdict,
    pub protocol: String,
    pub cipher: String,
}

/// The ring crypto provider (no aws-lc-rs C build; DESIGN §4).
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// webpki-roots plus the configured extra roots (e.g. the lab's test CA).
pub(crate) fn root_store(extra_roots_pem: &[String]) -> Result<RootCertStore, ProbeSetupError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (index, pem) in extra_roots_pem.iter().enumerate() {
        let mut found = 0;
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let certificate = certificate.map_err(|error| extra_root_error(index, &error))?;
            roots
                .add(certificate)
                .map_err(|error| extra_root_error(index, &error))?;
            found += 1;
        }
        if found == 0 {
            return Err(extra_root_error(index, &"no CERTIFICATE block"));
        }
    }
    Ok(roots)
}

fn extra_root_error(index: usize, error: &dyn std::fmt::Display) -> ProbeSetupError {
    ProbeSetupError::RootCertificate {
        detail: format!("http.extra_roots_pem[{index}]: {error}"),
    }
}

/// The standard verifier over [`root_store`].
pub(crate) fn webpki_verifier(
    settings: &HttpSettings,
) -> Result<Arc<WebPkiServerVerifier>, ProbeSetupError> {
    let roots = Arc::new(root_store(&settings.extra_roots_pem)?);
    WebPkiServerVerifier::builder_with_provider(roots, crypto_provider())
        .build()
        .map_err(|error| ProbeSetupError::HttpClient {
            purpose: "TLS",
            detail: error.to_string(),
        })
}

/// The chain a server presented and the standard verifier's verdict on it.
#[derive(Debug, Default)]
struct Presented {
    chain: Vec<CertificateDer<'static>>,
    verdict: Option<Result<(), rustls::Error>>,
}

/// Runs the real verifier, records its verdict, and accepts anyway so the handshake completes
/// and the certificate can be described. Used only for fact finding, never to fetch content.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    presented: Mutex<Presented>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        let mut presented = self
            .presented
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        presented.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        presented.verdict = Some(verdict);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Connects to `addr`, handshakes as `host` (SNI) and describes the certificate presented.
/// Connect and handshake together are bounded by `settings.timeout` (connect alone by
/// `settings.connect_timeout`).
pub async fn tls_facts(
    host: &str,
    addr: SocketAddr,
    settings: &HttpSettings,
) -> Timed<TlsEvidence> {
    Timed::measure(async {
        let timeout_ms = u64::try_from(settings.timeout.as_millis()).unwrap_or(u64::MAX);
        match tokio::time::timeout(settings.timeout, handshake_facts(host, addr, settings)).await {
            Ok(Ok(evidence)) => Outcome::Ok(evidence),
            Ok(Err(failure)) => Outcome::Failed(failure),
            Err(_) => Outcome::Failed(ProbeFailure::Timeout {
                after_ms: timeout_ms,
            }),
        }
    })
    .await
}

async fn handshake_facts(
    host: &str,
    addr: SocketAddr,
    settings: &HttpSettings,
) -> Result<TlsEvidence, ProbeFailure> {
    let server_name =
        ServerName::try_from(host.to_owned()).map_err(|_| ProbeFailure::Malformed {
            detail: format!(
                "{host:?} 不是有效的 TLS 主机名 / {host:?} is not a valid TLS server name"
            ),
        })?;
    let verifier = Arc::new(RecordingVerifier {
        inner: webpki_verifier(settings).map_err(|error| ProbeFailure::Tls {
            detail: error.to_string(),
        })?,
        presented: Mutex::new(Presented::default()),
    });
    let config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| ProbeFailure::Tls {
            detail: error.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));

    let tcp = match tokio::time::timeout(
        settings.connect_timeout,
        tokio::net::TcpStream::connect(addr),
    )
    .await
    {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(error)) => return Err(crate::http::io_failure(&error, &addr.to_string())),
        Err(_) => {
            return Err(ProbeFailure::Timeout {
                after_ms: u64::try_from(settings.connect_timeout.as_millis()).unwrap_or(u64::MAX),
            });
        }
    };
    let stream = connector
        .connect(server_name, tcp)
        .await
        .map_err(|error| ProbeFailure::Tls {
            detail: format!(
                "与 {host} ({addr}) 握手失败 / handshake with {host} ({addr}) failed: {error}"
            ),
        })?;
    let connection = stream.get_ref().1;
    let protocol = connection
        .protocol_version()
        .and_then(|version| version.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let cipher = connection
        .negotiated_cipher_suite()
        .and_then(|suite| suite.suite().as_str())
        .unwrap_or("unknown")
        .to_owned();

    let presented = std::mem::take(
        &mut *verifier
            .presented
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    describe(host, addr, &presented, protocol, cipher)
}

fn describe(
    host: &str,
    addr: SocketAddr,
    presented: &Presented,
    protocol: String,
    cipher: String,
) -> Result<TlsEvidence, ProbeFailure> {
    let leaf_der = presented.chain.first().ok_or_else(|| ProbeFailure::Tls {
        detail: format!("{host} ({addr}) 未出示证书 / presented no certificate"),
    })?;
    let (_, leaf) =
        X509Certificate::from_der(leaf_der).map_err(|error| ProbeFailure::Malformed {
            detail: format!(
                "{host} 的证书无法解析 / certificate of {host} does not parse: {error}"
            ),
        })?;
    let validity = leaf.validity();
    let not_before = timestamp(validity.not_before.timestamp());
    let not_after = timestamp(validity.not_after.timestamp());
    let san: Vec<String> = match leaf.subject_alternative_name() {
        Ok(Some(extension)) => extension
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let self_signed = leaf.issuer().as_raw() == leaf.subject().as_raw();
    let verdict = match &presented.verdict {
        Some(Ok(())) => TlsVerdict::Valid,
        Some(Err(error)) => classify(error, self_signed),
        None => TlsVerdict::Other("verifier was not consulted".to_owned()),
    };
    Ok(TlsEvidence {
        host: host.to_owned(),
        addr,
        not_before,
        not_after,
        days_left: (not_after - Utc::now()).num_days(),
        issuer: leaf.issuer().to_string(),
        subject: leaf.subject().to_string(),
        san_matches: san_matches(host, &san),
        san,
        chain_len: presented.chain.len(),
        verdict,
        protocol,
        cipher,
    })
}

fn timestamp(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

fn classify(error: &rustls::Error, self_signed: bool) -> TlsVerdict {
    match error {
        rustls::Error::InvalidCertificate(certificate_error) => match certificate_error {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsVerdict::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsVerdict::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsVerdict::NameMismatch
            }
            // A self-signed leaf fails path building (unknown issuer, or "CA used as end
            // entity" when it is marked as a CA); the interesting fact is that it signed itself.
            _ if self_signed => TlsVerdict::SelfSigned,
            CertificateError::UnknownIssuer => TlsVerdict::UnknownIssuer,
            other => TlsVerdict::Other(format!("{other:?}")),
        },
        other if self_signed => {
            let _ = other;
            TlsVerdict::SelfSigned
        }
        other => TlsVerdict::Other(other.to_string()),
    }
}

/// Whether one of `san` names `host`: exact (case-insensitive) or a leftmost `*` label standing
/// for exactly one label of a name with at least three labels (`*.example.com`, never `*.com`).
pub fn san_matches(host: &str, san: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = host
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return san.iter().any(|name| name.parse::<IpAddr>() == Ok(ip));
    }
    san.iter().any(|name| {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match name.strip_prefix("*.") {
            Some(suffix) => {
                suffix.contains('.')
                    && host
                        .split_once('.')
                        .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
            }
            None => name == host,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label_only() {
        let san = vec!["*.example.com".to_owned(), "example.org".to_owned()];
        assert!(san_matches("www.example.com", &san));
        assert!(san_matches("WWW.Example.COM.", &san));
        assert!(!san_matches("a.b.example.com", &san));
        assert!(!san_matches("example.com", &san));
        assert!(san_matches("example.org", &san));
        assert!(!san_matches("www.example.org", &san));
        assert!(!san_matches("x.com", &["*.com".to_owned()]));
        assert!(san_matches("127.0.0.1", &["127.0.0.1".to_owned()]));
    }

    #[test]
    fn a_bad_extra_root_names_its_index() {
        let error = root_store(&["not a pem".to_owned()]).expect_err("garbage is refused");
        assert!(error.to_string().contains('0'));
    }
}
