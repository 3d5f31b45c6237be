//! Hostile HTTP servers (issue 3 point 5): each costs bounded time (the configured timeout plus
//! a small margin) and bounded memory (the body cap), and yields evidence instead of a panic.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use beian_probe::http::HttpEvidence;
use beian_probe::settings::{Persona, PersonaKind};
use beian_probe::{Outcome, ProbeFailure, Timed};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use url::Url;

use crate::support::{http_probe, http_settings, raw_server, static_resolver};

const SPIDER: Persona = Persona {
    kind: PersonaKind::Baiduspider,
    baidu_referer: false,
};
/// Scheduling slack allowed on top of the configured timeout.
const MARGIN: Duration = Duration::from_secs(1);

async fn fetch(addr: SocketAddr, max_body_bytes: usize) -> (Timed<HttpEvidence>, Duration) {
    let mut settings = http_settings();
    settings.max_body_bytes = max_body_bytes;
    let probe = http_probe(&settings, true, static_resolver(&[]));
    let url = Url::parse(&format!("http://{addr}/")).expect("valid test URL");
    let started = Instant::now();
    let timed = probe.fetch(&url, SPIDER).await;
    (timed, started.elapsed())
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let addr = raw_server(|stream| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    })
    .await;
    let (timed, took) = fetch(addr, 1024 * 1024).await;
    assert!(took < http_settings().timeout + MARGIN, "took {took:?}");
    assert_eq!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::Timeout { after_ms: 2000 })
    );
}

#[tokio::test]
async fn a_trickling_server_is_cut_at_the_total_timeout() {
    let addr = raw_server(|mut stream| async move {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..100 {
            if stream.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let (timed, took) = fetch(addr, 1024 * 1024).await;
    assert!(took < http_settings().timeout + MARGIN, "took {took:?}");
    let Outcome::Ok(page) = &timed.outcome else {
        panic!("the status line arrived, so there is evidence: {timed:?}");
    };
    assert_eq!(page.status, 200);
    assert_eq!(page.error, Some(ProbeFailure::Timeout { after_ms: 2000 }));
    assert!(page.truncated);
    assert!(
        (1..=3).contains(&page.body_bytes),
        "{} bytes",
        page.body_bytes
    );
}

#[tokio::test]
async fn a_100_mb_body_is_truncated_at_the_cap() {
    const BODY: u64 = 100 * 1024 * 1024;
    let addr = raw_server(|mut stream| async move {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {BODY}\r\n\r\n"
        );
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0u64;
        while sent < BODY && stream.write_all(&chunk).await.is_ok() {
            sent += chunk.len() as u64;
        }
    })
    .await;
    let cap = 512 * 1024;
    let (timed, took) = fetch(addr, cap).await;
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let Outcome::Ok(page) = &timed.outcome else {
        panic!("expected evidence: {timed:?}");
    };
    assert!(page.truncated);
    assert_eq!(page.body_bytes, cap as u64);
    assert_eq!(page.body.len(), cap);
    assert_eq!(page.error, None);
}

/// A gzip stream that inflates to `chunks` MiB of zeros, produced lazily: after a sync flush
/// the compressor's state is all zeros again, so every further MiB compresses to the same bytes.
fn gzip_bomb_parts() -> (Vec<u8>, Vec<u8>) {
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let next_part = |encoder: &mut flate2::write::GzEncoder<Vec<u8>>| {
        encoder.write_all(&zeros).expect("writing to memory works");
        encoder.flush().expect("flushing to memory works");
        std::mem::take(encoder.get_mut())
    };
    let first = next_part(&mut encoder);
    let repeated = next_part(&mut encoder);
    assert_eq!(
        repeated,
        next_part(&mut encoder),
        "the repeated MiB is stable"
    );
    (first, repeated)
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_cap() {
    const MIB_OF_ZEROS: usize = 1024;
    let (first, repeated) = gzip_bomb_parts();
    let compressed = first.len() + repeated.len() * (MIB_OF_ZEROS - 1);
    assert!(
        compressed < 2 * 1024 * 1024,
        "1 GiB compresses to {compressed} bytes"
    );
    let addr = raw_server(move |mut stream| {
        let (first, repeated) = (first.clone(), repeated.clone());
        async move {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(&first).await.is_err()
            {
                return;
            }
            for _ in 1..MIB_OF_ZEROS {
                if stream.write_all(&repeated).await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    let cap = 1024 * 1024;
    let (timed, took) = fetch(addr, cap).await;
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let Outcome::Ok(page) = &timed.outcome else {
        panic!("expected evidence: {timed:?}");
    };
    assert!(page.truncated, "{:?}", page.error);
    assert_eq!(page.body_bytes, cap as u64);
}

#[tokio::test]
async fn a_refused_connection_is_reported() {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a test port");
    let addr = listener.local_addr().expect("bound socket has an address");
    drop(listener);
    let (timed, took) = fetch(addr, 1024).await;
    assert!(took < Duration::from_secs(1));
    match timed.outcome {
        Outcome::Failed(ProbeFailure::Refused { peer }) => {
            assert_eq!(peer, addr.to_string());
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}
