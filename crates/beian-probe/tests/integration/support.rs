//! Small in-test servers and settings shared by the network-probe tests. Servers bind
//! 127.0.0.x:0 and live as long as the test's runtime.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use beian_probe::http::{HttpProbe, StaticResolver};
use beian_probe::settings::{HttpSettings, NetworkSettings};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

// ---- HTTP(S) probe tests ----

/// HTTP settings with short limits so hostile cases stay fast.
pub fn http_settings() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        max_body_bytes: 1024 * 1024,
        ..beian_probe::ProbeSettings::default().http
    }
}

pub fn network(allow_private: bool) -> NetworkSettings {
    NetworkSettings { allow_private }
}

/// A resolver answering `names` (host → one address).
pub fn static_resolver(names: &[(&str, &str)]) -> Arc<StaticResolver> {
    let table: BTreeMap<String, Vec<IpAddr>> = names
        .iter()
        .map(|(host, ip)| {
            let ip: IpAddr = ip.parse().expect("test addresses are literals");
            ((*host).to_owned(), vec![ip])
        })
        .collect();
    Arc::new(StaticResolver(table))
}

pub fn http_probe(
    settings: &HttpSettings,
    allow_private: bool,
    resolver: Arc<StaticResolver>,
) -> HttpProbe {
    HttpProbe::new(settings, &network(allow_private), resolver, None)
        .expect("test settings build a probe")
}

/// What a test HTTP handler returns.
pub type Handler = Arc<dyn Fn(&Request<Incoming>) -> Response<Full<Bytes>> + Send + Sync>;

/// A response with `status`, extra headers and a body.
pub fn respond(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Full::new(body.into()))
        .expect("test responses are well-formed")
}

/// Serves `handler` over HTTP/1.1 on `ip`:0; returns the bound address.
pub async fn serve_http(ip: &str, handler: Handler) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).await.expect("bind a test port");
    let addr = listener.local_addr().expect("bound socket has an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = Arc::clone(&handler);
            tokio::spawn(serve_connection(TokioIo::new(stream), handler));
        }
    });
    addr
}

async fn serve_connection<I>(io: I, handler: Handler)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let response = handler(&request);
        async move { Ok::<_, Infallible>(response) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
}

/// Serves `handler` over HTTPS (HTTP/1.1) on `ip`:0 with `config`; returns the bound address.
pub async fn serve_https(
    ip: &str,
    config: Arc<rustls::ServerConfig>,
    handler: Handler,
) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).await.expect("bind a test port");
    let addr = listener.local_addr().expect("bound socket has an address");
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = Arc::clone(&handler);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    serve_connection(TokioIo::new(tls), handler).await;
                }
            });
        }
    });
    addr
}

/// A raw TCP server that reads the request head and then runs `behaviour` on the socket.
pub async fn raw_server<F, Fut>(behaviour: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a test port");
    let addr = listener.local_addr().expect("bound socket has an address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            tokio::spawn(behaviour(stream));
        }
    });
    addr
}

/// A test certificate authority and leaves it (or nobody) signs.
pub struct TestPki {
    ca_params: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
    pub ca_pem: String,
}

/// A certificate chain and its key, ready for a rustls server.
pub struct Leaf {
    pub chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub key_der: Vec<u8>,
}

impl TestPki {
    pub fn new() -> TestPki {
        let mut ca_params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("empty SAN list is valid");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Beian Lab Test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("key generation works");
        let ca_pem = ca_params.self_signed(&ca_key).expect("CA self-signs").pem();
        TestPki {
            ca_params,
            ca_key,
            ca_pem,
        }
    }

    /// A leaf for `names`, valid between the two (year, month, day) dates, signed by the CA
    /// (chain: leaf, CA) or by itself (chain: leaf).
    pub fn leaf(
        &self,
        names: &[&str],
        not_before: (i32, u8, u8),
        not_after: (i32, u8, u8),
        signed_by_ca: bool,
    ) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names.clone()).expect("valid test names");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let key = rcgen::KeyPair::generate().expect("key generation works");
        let mut chain = Vec::new();
        if signed_by_ca {
            let issuer = rcgen::Issuer::from_params(&self.ca_params, &self.ca_key);
            chain.push(
                params
                    .signed_by(&key, &issuer)
                    .expect("CA signs")
                    .der()
                    .clone(),
            );
            chain.push(
                self.ca_params
                    .self_signed(&self.ca_key)
                    .expect("CA self-signs")
                    .der()
                    .clone(),
            );
        } else {
            chain.push(
                params
                    .self_signed(&key)
                    .expect("leaf self-signs")
                    .der()
                    .clone(),
            );
        }
        Leaf {
            chain,
            key_der: key.serialize_der(),
        }
    }
}

impl Leaf {
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(self.chain.clone(), key)
        .expect("generated key matches its certificate");
        Arc::new(config)
    }
}
