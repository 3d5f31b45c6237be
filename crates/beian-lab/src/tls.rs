//! The lab's test CA and a certificate resolver that mints each virtual host's certificate
//! on its first SNI (valid, expired, self-signed or for another name) and caches it, so
//! thousands of HTTPS hosts cost nothing at start.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SigningKey};

use crate::LabError;
use crate::scenario::{TlsKind, offset_date};
use crate::world::World;

/// The name a wrong-name certificate is issued for.
pub(crate) const WRONG_NAME: &str = "wrong-name.lab-hosting.net";

fn tls_error(what: &str) -> impl FnOnce(rcgen::Error) -> LabError {
    let what = what.to_owned();
    move |source| LabError::Certificate {
        what,
        detail: source.to_string(),
    }
}

fn set_validity(params: &mut CertificateParams, from: NaiveDate, to: NaiveDate) {
    let ymd = |date: NaiveDate| {
        let month = u8::try_from(date.month()).unwrap_or(1);
        let day = u8::try_from(date.day()).unwrap_or(1);
        rcgen::date_time_ymd(date.year(), month, day)
    };
    params.not_before = ymd(from);
    params.not_after = ymd(to);
}

pub(crate) struct CertificateMint {
    /// Certificates must hold for the lab's `today` and for the wall clock TLS clients check
    /// against, so validity windows span both.
    today: NaiveDate,
    now: NaiveDate,
    issuer: Issuer<'static, KeyPair>,
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    /// One key for every leaf: signing a certificate is cheap, generating keys is not free.
    leaf_key: KeyPair,
    leaf_signer: Arc<dyn SigningKey>,
    world: Arc<World>,
    cache: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl fmt::Debug for CertificateMint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateMint")
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

impl CertificateMint {
    pub(crate) fn new(world: Arc<World>) -> Result<CertificateMint, LabError> {
        let today = world.today;
        let now = chrono::Utc::now().date_naive();
        let ca_key = KeyPair::generate().map_err(tls_error("the lab CA key"))?;
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(tls_error("the lab CA"))?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "Beian Guard Lab CA (test only)");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Beian Guard Lab");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(
            &mut params,
            offset_date(today.min(now), -400),
            offset_date(today.max(now), 3650),
        );
        let ca = params
            .self_signed(&ca_key)
            .map_err(tls_error("the lab CA"))?;
        let leaf_key = KeyPair::generate().map_err(tls_error("the leaf key"))?;
        let leaf_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let leaf_signer =
            rustls::crypto::ring::sign::any_supported_type(&leaf_der).map_err(|error| {
                LabError::Certificate {
                    what: "the leaf key".to_owned(),
                    detail: error.to_string(),
                }
            })?;
        Ok(CertificateMint {
            today,
            now,
            ca_der: ca.der().clone(),
            ca_pem: ca.pem(),
            issuer: Issuer::new(params, ca_key),
            leaf_key,
            leaf_signer,
            world,
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The certificate for `host` of the given kind (`None` for hosts without HTTPS).
    pub(crate) fn certificate_for(
        &self,
        host: &str,
        kind: TlsKind,
    ) -> Result<Option<CertifiedKey>, LabError> {
        let (names, not_before, not_after) = match kind {
            TlsKind::None => return Ok(None),
            TlsKind::Valid | TlsKind::SelfSigned => (vec![host.to_owned()], -30, 60),
            TlsKind::Expired => (vec![host.to_owned()], -400, -10),
            TlsKind::WrongName => (vec![WRONG_NAME.to_owned()], -30, 60),
        };
        let what = format!("the certificate for {host}");
        let mut params = CertificateParams::new(names.clone()).map_err(tls_error(&what))?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = kind != TlsKind::SelfSigned;
        let (earlier, later) = (self.today.min(self.now), self.today.max(self.now));
        let not_after = if kind == TlsKind::Expired {
            offset_date(earlier, not_after)
        } else {
            offset_date(later, not_after)
        };
        set_validity(&mut params, offset_date(earlier, not_before), not_after);
        let chain = if kind == TlsKind::SelfSigned {
            let cert = params
                .self_signed(&self.leaf_key)
                .map_err(tls_error(&what))?;
            vec![cert.der().clone()]
        } else {
            let cert = params
                .signed_by(&self.leaf_key, &self.issuer)
                .map_err(tls_error(&what))?;
            vec![cert.der().clone(), self.ca_der.clone()]
        };
        Ok(Some(CertifiedKey::new(
            chain,
            Arc::clone(&self.leaf_signer),
        )))
    }
}

impl ResolvesServerCert for CertificateMint {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let host = client_hello
            .server_name()?
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if let Ok(cache) = self.cache.lock()
            && let Some(key) = cache.get(&host)
        {
            return Some(Arc::clone(key));
        }
        let kind = self.world.vhost(&host)?.tls;
        let key = Arc::new(self.certificate_for(&host, kind).ok()??);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(host, Arc::clone(&key));
        }
        Some(key)
    }
}

/// A rustls server configuration (ring, HTTP/1.1) that picks certificates per SNI.
pub(crate) fn server_config(mint: Arc<CertificateMint>) -> Result<rustls::ServerConfig, LabError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| LabError::Certificate {
            what: "the TLS server configuration".to_owned(),
            detail: error.to_string(),
        })?
        .with_no_client_auth()
        .with_cert_resolver(mint);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
