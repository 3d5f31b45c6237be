//! In-test servers on 127.0.0.1:0 that record what they receive — an HTTP endpoint with
//! scripted answers (including one that never answers) and a small SMTP server (plain,
//! STARTTLS or TLS) — plus events, settings and a test CA.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use beian_core::finding::Severity;
use beian_notify::{EventKind, NotificationEvent, NotifySettings};
use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The pinned "now" of every test: 2025-01-03 00:00:00 UTC (08:00 in Beijing).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 3, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

pub const NOW_MS: i64 = 1_735_862_400_000;

/// A hijack finding on a filed site.
pub fn event(kind: EventKind) -> NotificationEvent {
    NotificationEvent {
        kind,
        site_name: "示例公司官网".to_owned(),
        site_url: "https://www.example.cn/".to_owned(),
        groups: vec!["客户A".to_owned()],
        domain: "example.cn".to_owned(),
        filing_number: "京ICP备12345678号-1".to_owned(),
        rule_id: "content.hijack".to_owned(),
        rule_title_zh: "页面被植入赌博内容".to_owned(),
        rule_title_en: "Page hijacked with gambling content".to_owned(),
        severity: Severity::Critical,
        explanation_zh: "百度来源访问跳转到博彩站".to_owned(),
        finding_id: 42,
        first_seen: Utc
            .with_ymd_and_hms(2025, 1, 2, 0, 0, 0)
            .single()
            .expect("a valid instant"),
        last_seen: now(),
    }
}

/// `[notify]` settings from TOML text, with `env` standing in for the environment.
pub fn settings_with_env(text: &str, env: &[(&str, &str)]) -> NotifySettings {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    NotifySettings::from_toml_with_env(text, &|name| env.get(name).cloned())
        .unwrap_or_else(|error| panic!("test settings are valid: {error}"))
}

pub fn settings(text: &str) -> NotifySettings {
    settings_with_env(text, &[])
}

// ---- HTTP ----

/// One request an endpoint received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Path and query, e.g. `/robot/send?access_token=…`.
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    /// The query parameters, decoded.
    pub fn query(&self) -> BTreeMap<String, String> {
        let url = url::Url::parse(&format!("http://x{}", self.target)).expect("a request target");
        url.query_pairs().into_owned().collect()
    }
}

/// How an endpoint answers its n-th request (0-based).
#[derive(Debug, Clone)]
pub enum Answer {
    Reply(u16, &'static str),
    /// Accept the request and never answer.
    Hang,
}

/// An HTTP endpoint answering by script; the last answer repeats.
pub struct Endpoint {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Recorded>>>,
}

impl Endpoint {
    pub async fn start(script: Vec<Answer>) -> Endpoint {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind a test port");
        let addr = listener.local_addr().expect("bound socket has an address");
        let received: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let log = Arc::clone(&received);
        let script = Arc::new(script);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let log = Arc::clone(&log);
                        let script = Arc::clone(&script);
                        async move { Ok::<_, Infallible>(answer(request, &log, &script).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Endpoint { addr, received }
    }

    /// Answers every request with `{"errcode":0,"errmsg":"ok","code":0}`.
    pub async fn ok() -> Endpoint {
        Endpoint::start(vec![Answer::Reply(
            200,
            r#"{"errcode":0,"errmsg":"ok","code":0}"#,
        )])
        .await
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.received.lock().expect("not poisoned").clone()
    }

    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "exactly one request: {requests:#?}");
        requests.into_iter().next().expect("one request")
    }
}

async fn answer(
    request: Request<Incoming>,
    log: &Mutex<Vec<Recorded>>,
    script: &[Answer],
) -> Response<Full<Bytes>> {
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let index = {
        let mut log = log.lock().expect("not poisoned");
        log.push(Recorded {
            target,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        log.len() - 1
    };
    match script.get(index).or(script.last()) {
        Some(Answer::Reply(status, body)) => Response::builder()
            .status(*status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .expect("a valid response"),
        Some(Answer::Hang) | None => {
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
    }
}

// ---- SMTP ----

/// How the test SMTP server protects the connection.
#[derive(Clone)]
pub enum SmtpMode {
    Plain,
    StartTls(tokio_rustls::TlsAcceptor),
    Tls(tokio_rustls::TlsAcceptor),
}

/// One mail the server accepted.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// Whether the mail travelled over TLS.
    pub tls: bool,
    /// The decoded `AUTH PLAIN` credentials, `user\0password`.
    pub auth: Option<String>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The value of a header (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpServer {
    pub async fn start(mode: SmtpMode) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind a test port");
        let addr = listener.local_addr().expect("bound socket has an address");
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = Arc::clone(&mails);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = Arc::clone(&store);
                let mode = mode.clone();
                tokio::spawn(async move {
                    if let Some(mail) = smtp_connection(stream, mode).await {
                        store.lock().expect("not poisoned").push(mail);
                    }
                });
            }
        });
        SmtpServer { addr, mails }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("not poisoned").clone()
    }
}

async fn smtp_connection(stream: TcpStream, mode: SmtpMode) -> Option<Mail> {
    match mode {
        SmtpMode::Plain => dialogue(stream, false, false).await.ok().and_then(done),
        SmtpMode::Tls(acceptor) => {
            let stream = acceptor.accept(stream).await.ok()?;
            dialogue(stream, false, true).await.ok().and_then(done)
        }
        SmtpMode::StartTls(acceptor) => match dialogue(stream, true, false).await.ok()? {
            Step::Upgrade(stream) => {
                let stream = acceptor.accept(stream).await.ok()?;
                // After STARTTLS the client starts again without a greeting.
                dialogue_after_upgrade(stream).await.ok().and_then(done)
            }
            Step::Done(mail) => Some(mail),
        },
    }
}

fn done<S>(step: Step<S>) -> Option<Mail> {
    match step {
        Step::Done(mail) => Some(mail),
        Step::Upgrade(_) => None,
    }
}

enum Step<S> {
    Done(Mail),
    Upgrade(S),
}

async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    offer_starttls: bool,
    tls: bool,
) -> std::io::Result<Step<S>> {
    stream.write_all(b"220 test.smtp ESMTP ready\r\n").await?;
    converse(stream, offer_starttls, tls).await
}

async fn dialogue_after_upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
) -> std::io::Result<Step<S>> {
    converse(stream, false, true).await
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    offer_starttls: bool,
    tls: bool,
) -> std::io::Result<Step<S>> {
    let mut reader = BufReader::new(stream);
    let mut mail = Mail {
        tls,
        ..Mail::default()
    };
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(Step::Done(mail));
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let starttls = if offer_starttls {
                "250-STARTTLS\r\n"
            } else {
                ""
            };
            format!("250-test.smtp\r\n{starttls}250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
        } else if upper == "STARTTLS" {
            reader.get_mut().write_all(b"220 go ahead\r\n").await?;
            return Ok(Step::Upgrade(reader.into_inner()));
        } else if upper.starts_with("AUTH PLAIN ") {
            let encoded = &command["AUTH PLAIN ".len()..];
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&decoded);
            mail.auth = Some(text.trim_start_matches('\0').to_owned());
            "235 2.7.0 accepted\r\n".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            mail.mail_from = command["MAIL FROM:".len()..].trim().to_owned();
            "250 ok\r\n".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            mail.rcpt_to
                .push(command["RCPT TO:".len()..].trim().to_owned());
            "250 ok\r\n".to_owned()
        } else if upper == "DATA" {
            reader
                .get_mut()
                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    return Ok(Step::Done(mail));
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            mail.data = data;
            "250 queued\r\n".to_owned()
        } else if upper == "QUIT" {
            reader.get_mut().write_all(b"221 bye\r\n").await?;
            return Ok(Step::Done(mail));
        } else {
            "250 ok\r\n".to_owned()
        };
        reader.get_mut().write_all(reply.as_bytes()).await?;
    }
}

/// Decodes the RFC 2047 `=?utf-8?b?…?=` words of a header value.
pub fn decode_header(value: &str) -> String {
    use base64::Engine;
    value
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
                let inner = &word[10..word.len() - 2];
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("")
}

/// The base64 body of a mail, decoded.
pub fn decode_body(mail: &Mail) -> String {
    use base64::Engine;
    let body = mail.data.split("\r\n\r\n").nth(1).unwrap_or_default();
    let joined: String = body.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(joined)
        .expect("the body is base64");
    String::from_utf8(bytes).expect("the body is UTF-8")
}

// ---- TLS ----

/// A test CA and a server certificate for 127.0.0.1 it signed.
pub struct TestTls {
    pub ca_pem: String,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

impl TestTls {
    pub fn new() -> TestTls {
        let mut ca_params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("empty SAN list is valid");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Beian Notify Test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("key generation works");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA self-signs");
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let leaf_params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("valid names");
        let leaf_key = rcgen::KeyPair::generate().expect("key generation works");
        let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("CA signs");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca_cert.der().clone()], key)
        .expect("generated key matches its certificate");
        TestTls {
            ca_pem: ca_cert.pem(),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        }
    }
}
