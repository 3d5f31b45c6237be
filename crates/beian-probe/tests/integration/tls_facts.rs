//! TLS certificate facts for valid, expired, self-signed and wrong-name certificates, and an
//! HTTPS fetch trusting the lab CA through `http.extra_roots_pem`.

use std::net::SocketAddr;
use std::sync::Arc;

use beian_probe::settings::{HttpSettings, Persona, PersonaKind};
use beian_probe::tls::{TlsEvidence, TlsVerdict, tls_facts};
use beian_probe::{Outcome, ProbeFailure};
use chrono::{TimeZone, Utc};
use url::Url;

use crate::support::{
    Handler, Leaf, TestPki, http_probe, http_settings, respond, serve_https, static_resolver,
};

fn settings_trusting(pki: &TestPki) -> HttpSettings {
    HttpSettings {
        extra_roots_pem: vec![pki.ca_pem.clone()],
        ..http_settings()
    }
}

async fn serve(leaf: &Leaf) -> SocketAddr {
    let handler: Handler =
        Arc::new(|_| respond(200, &[("content-type", "text/html; charset=utf-8")], "安全"));
    serve_https("127.0.0.1", leaf.server_config(), handler).await
}

async fn facts(host: &str, addr: SocketAddr, settings: &HttpSettings) -> TlsEvidence {
    match tls_facts(host, addr, settings).await.outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => panic!("expected facts for {host}, got {failure:?}"),
    }
}

#[tokio::test]
async fn a_valid_certificate_from_the_lab_ca() {
    let pki = TestPki::new();
    let addr = serve(&pki.leaf(
        &["good.example", "*.good.example"],
        (2024, 1, 1),
        (2099, 1, 1),
        true,
    ))
    .await;
    let settings = settings_trusting(&pki);
    let evidence = facts("www.good.example", addr, &settings).await;
    assert_eq!(evidence.verdict, TlsVerdict::Valid);
    assert!(evidence.san_matches);
    assert_eq!(evidence.san, ["good.example", "*.good.example"]);
    assert_eq!(evidence.chain_len, 2);
    let not_after = Utc
        .with_ymd_and_hms(2099, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    assert_eq!(evidence.not_after, not_after);
    assert_eq!(evidence.days_left, (not_after - Utc::now()).num_days());
    assert!(
        evidence.issuer.contains("Beian Lab Test CA"),
        "{}",
        evidence.issuer
    );
    assert!(evidence.subject.contains("good.example"));
    assert!(
        evidence.protocol.starts_with("TLSv1"),
        "{}",
        evidence.protocol
    );
    assert!(!evidence.cipher.is_empty());

    // Without the lab CA the same chain has an unknown issuer.
    let untrusting = facts("good.example", addr, &http_settings()).await;
    assert_eq!(untrusting.verdict, TlsVerdict::UnknownIssuer);
}

#[tokio::test]
async fn an_expired_certificate_still_gives_its_dates() {
    let pki = TestPki::new();
    let addr = serve(&pki.leaf(&["old.example"], (2020, 1, 1), (2021, 3, 15), true)).await;
    let evidence = facts("old.example", addr, &settings_trusting(&pki)).await;
    assert_eq!(evidence.verdict, TlsVerdict::Expired);
    assert_eq!(
        evidence.not_after,
        Utc.with_ymd_and_hms(2021, 3, 15, 0, 0, 0)
            .single()
            .expect("valid date")
    );
    assert_eq!(
        evidence.not_before,
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
            .single()
            .expect("valid date")
    );
    assert!(evidence.days_left < -365);
    assert!(evidence.san_matches);
}

#[tokio::test]
async fn a_self_signed_certificate_is_named_so() {
    let pki = TestPki::new();
    let addr = serve(&pki.leaf(&["self.example"], (2024, 1, 1), (2099, 1, 1), false)).await;
    let evidence = facts("self.example", addr, &settings_trusting(&pki)).await;
    assert_eq!(evidence.verdict, TlsVerdict::SelfSigned);
    assert_eq!(evidence.chain_len, 1);
    assert_eq!(evidence.issuer, evidence.subject);
    assert!(evidence.san_matches);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_mismatch() {
    let pki = TestPki::new();
    let addr = serve(&pki.leaf(&["other.example"], (2024, 1, 1), (2099, 1, 1), true)).await;
    let evidence = facts("wrong.example", addr, &settings_trusting(&pki)).await;
    assert_eq!(evidence.verdict, TlsVerdict::NameMismatch);
    assert!(!evidence.san_matches);
    assert_eq!(evidence.san, ["other.example"]);
}

#[tokio::test]
async fn tls_failures_are_outcomes() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let silent = listener.local_addr().expect("bound");
    let settings = http_settings();
    let started = std::time::Instant::now();
    let hung = tls_facts("silent.example", silent, &settings).await;
    assert!(started.elapsed() < settings.timeout + std::time::Duration::from_secs(1));
    assert!(matches!(
        hung.outcome,
        Outcome::Failed(ProbeFailure::Timeout { .. })
    ));
    drop(listener);
    let refused = tls_facts("silent.example", silent, &settings).await;
    assert!(matches!(
        refused.outcome,
        Outcome::Failed(ProbeFailure::Refused { .. })
    ));
}

#[tokio::test]
async fn https_fetch_trusts_the_lab_ca_and_maps_the_port() {
    let pki = TestPki::new();
    let addr = serve(&pki.leaf(&["secure.example"], (2024, 1, 1), (2099, 1, 1), true)).await;
    let mut settings = settings_trusting(&pki);
    settings.https_port = addr.port();
    let probe = http_probe(
        &settings,
        true,
        static_resolver(&[("secure.example", "127.0.0.1")]),
    );
    let persona = Persona {
        kind: PersonaKind::MobileWechat,
        baidu_referer: true,
    };
    let url = Url::parse("https://secure.example/").expect("valid URL");
    let timed = probe.fetch(&url, persona).await;
    let Outcome::Ok(page) = &timed.outcome else {
        panic!("expected evidence: {timed:?}");
    };
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "安全");
    assert_eq!(page.hops[0].remote_addr, Some(addr));

    // Not trusting the lab CA, the fetch fails as a TLS failure (facts come from tls_facts).
    let strict = http_probe(
        &HttpSettings {
            extra_roots_pem: Vec::new(),
            ..settings
        },
        true,
        static_resolver(&[("secure.example", "127.0.0.1")]),
    );
    let timed = strict.fetch(&url, persona).await;
    assert!(
        matches!(timed.outcome, Outcome::Failed(ProbeFailure::Tls { .. })),
        "{timed:?}"
    );
}
