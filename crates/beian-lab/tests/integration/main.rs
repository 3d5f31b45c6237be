//! Integration tests of the lab: every server observed from the outside with raw clients.

mod dns;
mod hostile;
mod lab_probes;
mod probes_faults;
mod probes_vs_lab;
mod registry;
mod start;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use beian_lab::{Lab, LabOptions, LabSite, ScenarioKind};
use chrono::NaiveDate;
use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RecordType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("a valid date")
}

pub async fn start_lab() -> Lab {
    Lab::start(LabOptions {
        today: today(),
        ip_range: 4,
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts")
}

pub fn site(lab: &Lab, kind: ScenarioKind) -> &LabSite {
    lab.site(kind)
        .unwrap_or_else(|| panic!("the standard catalogue has {kind:?}"))
}

pub fn host(site: &LabSite) -> String {
    site.url
        .host_str()
        .expect("site URLs have a host")
        .to_owned()
}

/// One DNS question over UDP; `Err(bytes)` when the answer does not parse, `None` on silence.
pub async fn dns_udp(
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    wait: Duration,
) -> Option<Result<Message, Vec<u8>>> {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("a client socket");
    let mut query = Message::query();
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(
        Name::from_ascii(format!("{name}.")).expect("a valid name"),
        qtype,
    ));
    let bytes = query.to_vec().expect("the query encodes");
    socket
        .send_to(&bytes, server)
        .await
        .expect("the query is sent");
    let mut buffer = vec![0_u8; 4096];
    let (length, _) = tokio::time::timeout(wait, socket.recv_from(&mut buffer))
        .await
        .ok()?
        .ok()?;
    let answer = buffer[..length].to_vec();
    Some(Message::from_vec(&answer).map_err(|_| answer))
}

/// A WHOIS query; the whole answer (up to `limit` bytes).
pub async fn whois(server: SocketAddr, query: &str, limit: usize) -> Vec<u8> {
    let mut stream = TcpStream::connect(server)
        .await
        .expect("the WHOIS server accepts");
    stream
        .write_all(format!("{query}\r\n").as_bytes())
        .await
        .expect("the query is sent");
    let mut answer = Vec::new();
    tokio::time::timeout(
        IO_TIMEOUT,
        (&mut stream).take(limit as u64).read_to_end(&mut answer),
    )
    .await
    .expect("the WHOIS answer ends in time")
    .expect("the WHOIS answer reads");
    answer
}

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The path (query dropped) a redirect sends the client to on the same host; `None` for
    /// any other answer. `markup_injection` sends `/` on with markup in the query, which is
    /// not a valid request target as it stands.
    pub fn same_host_redirect(&self) -> Option<&str> {
        if !(300..400).contains(&self.status) {
            return None;
        }
        let location = self.header("location")?;
        let path = location.split('?').next()?;
        path.starts_with('/').then_some(path)
    }
}

pub fn request_bytes(host: &str, path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in extra {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.into_bytes()
}

/// Splits a raw HTTP/1.1 answer read to EOF (bodies here are Content-Length delimited).
pub fn parse_response(raw: &[u8]) -> RawResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, request: &[u8]) -> RawResponse {
    stream
        .write_all(request)
        .await
        .expect("the request is sent");
    let mut raw = Vec::new();
    tokio::time::timeout(IO_TIMEOUT, stream.read_to_end(&mut raw))
        .await
        .expect("the answer ends in time")
        .expect("the answer reads");
    parse_response(&raw)
}

pub async fn http_get(
    lab: &Lab,
    address: std::net::Ipv4Addr,
    host: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> RawResponse {
    let stream = TcpStream::connect((address, lab.endpoints().http_port))
        .await
        .expect("the HTTP port accepts");
    exchange(stream, &request_bytes(host, path, extra)).await
}

pub async fn rdap_get(lab: &Lab, path: &str) -> RawResponse {
    let base = &lab.endpoints().rdap_base;
    let port = base.port().expect("the RDAP base names its port");
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("RDAP accepts");
    exchange(
        stream,
        &request_bytes(&format!("127.0.0.1:{port}"), path, &[]),
    )
    .await
}

/// An HTTPS GET verified against the lab CA only; `Err` carries the TLS failure.
pub async fn https_get(
    lab: &Lab,
    address: std::net::Ipv4Addr,
    sni: &str,
    path: &str,
) -> Result<RawResponse, String> {
    let mut roots = rustls::RootCertStore::empty();
    let ca =
        CertificateDer::from_pem_slice(lab.endpoints().ca_pem.as_bytes()).expect("the CA is PEM");
    roots.add(ca).expect("the CA is a usable root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect((address, lab.endpoints().https_port))
        .await
        .expect("the HTTPS port accepts");
    let name = ServerName::try_from(sni.to_owned()).expect("a valid SNI");
    let tls = connector
        .connect(name, tcp)
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(exchange(tls, &request_bytes(sni, path, &[])).await)
}
