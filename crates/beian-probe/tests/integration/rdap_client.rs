//! The RDAP client against a local HTTP server: a real answer, 404, 429 with Retry-After,
//! redirects (followed and looping), a huge streamed body and a hanging server; and the
//! registration probe's choice between RDAP and WHOIS.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use beian_probe::rdap::client::{RdapClient, RdapEvidence};
use beian_probe::registration_probe::RegistrationProbe;
use beian_probe::settings::{ProbeSettings, RdapSettings};
use beian_probe::whois::client::WhoisClient;
use beian_probe::{Outcome, ProbeFailure, RecordSource};
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use url::Url;

/// A body of `remaining` bytes sent in 64 KiB chunks without a Content-Length.
struct Endless {
    remaining: usize,
}

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let size = self.remaining.min(64 * 1024);
        self.remaining -= size;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b' '; size])))))
    }
}

enum Reply {
    Fixed(u16, Vec<(&'static str, String)>, Bytes),
    Endless(usize),
}

fn route(path: &str) -> Reply {
    let fixture = std::fs::read(crate::fixtures("rdap").join("icann-lemonde.fr.json"))
        .expect("the RDAP fixture is present");
    match path {
        "/rdap/domain/found.test" | "/registrar/domain/moved.test" => Reply::Fixed(
            200,
            vec![("content-type", "application/rdap+json".to_owned())],
            fixture.into(),
        ),
        "/rdap/domain/moved.test" => Reply::Fixed(
            302,
            vec![("location", "/registrar/domain/moved.test".to_owned())],
            Bytes::new(),
        ),
        "/rdap/domain/loop.test" => Reply::Fixed(
            301,
            vec![("location", "/rdap/domain/loop.test".to_owned())],
            Bytes::new(),
        ),
        "/rdap/domain/busy.test" => {
            Reply::Fixed(429, vec![("retry-after", "120".to_owned())], Bytes::new())
        }
        "/rdap/domain/broken.test" => {
            Reply::Fixed(200, Vec::new(), Bytes::from_static(b"<html>oops"))
        }
        "/rdap/domain/huge.test" => Reply::Endless(10 * 1024 * 1024),
        _ => Reply::Fixed(404, Vec::new(), Bytes::from_static(br#"{"errorCode":404}"#)),
    }
}

type BoxedBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn handle(request: Request<Incoming>) -> Result<Response<BoxedBody>, Infallible> {
    use http_body_util::BodyExt;
    let response = match route(request.uri().path()) {
        Reply::Fixed(status, headers, body) => {
            let mut builder = Response::builder().status(status);
            for (name, value) in headers {
                builder = builder.header(name, value);
            }
            builder.body(http_body_util::Full::new(body).boxed())
        }
        Reply::Endless(size) => Response::builder()
            .status(200)
            .body(Endless { remaining: size }.boxed()),
    };
    Ok(response.expect("test responses are well-formed"))
}

async fn start_rdap() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let address = listener.local_addr().expect("bound socket has an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(
                http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(handle)),
            );
        }
    });
    address
}

/// Accepts connections and never answers.
async fn start_silent() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let address = listener.local_addr().expect("bound socket has an address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    address
}

fn settings(base: &str) -> RdapSettings {
    RdapSettings {
        bootstrap_json: None,
        servers: BTreeMap::from([("test".to_owned(), Url::parse(base).expect("a test URL"))]),
        timeout: Duration::from_secs(1),
        per_server_per_minute: 0,
        max_answer_bytes: 256 * 1024,
    }
}

async fn client() -> RdapClient {
    let server = start_rdap().await;
    RdapClient::with_default_http(&settings(&format!("http://{server}/rdap")), &[])
        .expect("test settings build a client")
}

fn evidence(outcome: Outcome<RdapEvidence>) -> RdapEvidence {
    match outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => panic!("expected evidence, got {failure:?}"),
    }
}

#[tokio::test]
async fn registered_domain_is_parsed() {
    let client = client().await;
    let found = evidence(client.lookup("found.test").await.outcome);
    assert_eq!(found.status, 200);
    assert!(found.registered);
    let record = found.record.expect("a domain object");
    assert_eq!(
        record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-06-09T22:08:09+00:00")
    );
    assert!(found.url.ends_with("/rdap/domain/found.test"));
}

#[tokio::test]
async fn not_found_is_not_registered() {
    let client = client().await;
    let found = evidence(client.lookup("free.test").await.outcome);
    assert_eq!(
        (found.status, found.registered, found.record),
        (404, false, None)
    );
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let client = client().await;
    let timed = client.lookup("busy.test").await;
    assert!(
        matches!(
            &timed.outcome,
            Outcome::Failed(ProbeFailure::RateLimited {
                retry_after_s: Some(120),
                ..
            })
        ),
        "{:?}",
        timed.outcome
    );
}

#[tokio::test]
async fn redirects_are_followed_and_recorded_but_not_forever() {
    let client = client().await;
    let found = evidence(client.lookup("moved.test").await.outcome);
    assert!(found.registered);
    assert_eq!(found.redirects.len(), 1);
    assert!(found.url.ends_with("/registrar/domain/moved.test"));
    let timed = client.lookup("loop.test").await;
    assert_eq!(
        timed.outcome.failure(),
        Some(&ProbeFailure::TooManyRedirects { limit: 5 })
    );
}

#[tokio::test]
async fn huge_or_broken_bodies_are_typed_failures() {
    let client = client().await;
    let timed = client.lookup("huge.test").await;
    assert_eq!(
        timed.outcome.failure(),
        Some(&ProbeFailure::TooLarge {
            limit_bytes: 256 * 1024
        })
    );
    let timed = client.lookup("broken.test").await;
    assert!(matches!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::Malformed { .. })
    ));
}

#[tokio::test]
async fn hanging_server_times_out_in_bounded_time() {
    let silent = start_silent().await;
    let client = RdapClient::with_default_http(&settings(&format!("http://{silent}/")), &[])
        .expect("test settings build a client");
    let clock = Instant::now();
    let timed = client.lookup("slow.test").await;
    assert!(
        clock.elapsed() < Duration::from_millis(1800),
        "{:?}",
        clock.elapsed()
    );
    assert!(matches!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::Timeout { .. })
    ));
}

#[tokio::test]
async fn tld_without_rdap_is_no_server() {
    let client = client().await;
    let timed = client.lookup("example.cn").await;
    assert!(matches!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::NoServer { .. })
    ));
}

#[tokio::test]
async fn registration_probe_prefers_rdap_and_falls_back_to_whois() {
    let rdap = Arc::new(client().await);
    let mut whois_settings = ProbeSettings::default().whois;
    // No WHOIS server answers here: a fallback shows up as a refused WHOIS attempt.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let dead = closed
        .local_addr()
        .expect("bound socket has an address")
        .to_string();
    drop(closed);
    whois_settings
        .servers
        .insert("test".to_owned(), dead.clone());
    whois_settings.servers.insert("cn".to_owned(), dead);
    whois_settings.timeout = Duration::from_secs(1);
    let probe = RegistrationProbe::new(rdap, Arc::new(WhoisClient::new(&whois_settings)));

    let found = probe.lookup("found.test").await;
    assert_eq!(found.source, RecordSource::Rdap);
    assert!(
        found
            .record
            .as_ref()
            .is_some_and(|record| record.registered)
    );
    assert!(found.whois.is_none());

    let free = probe.lookup("free.test").await;
    assert_eq!(free.source, RecordSource::Rdap);
    assert!(
        free.record
            .as_ref()
            .is_some_and(|record| !record.registered)
    );

    let busy = probe.lookup("busy.test").await;
    assert_eq!(
        busy.source,
        RecordSource::Whois,
        "RDAP 429 falls back to WHOIS"
    );
    assert!(busy.rdap.is_some() && busy.whois.is_some());
    assert_eq!(busy.record, None);

    let cn = probe.lookup("example.cn").await;
    assert_eq!(cn.source, RecordSource::Whois);
    assert!(cn.rdap.is_none(), ".cn never asks RDAP");
    let json = serde_json::to_value(&cn).expect("evidence serialises");
    assert_eq!(json["source"], "whois");
}
