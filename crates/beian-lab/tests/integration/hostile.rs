//! Hostile servers seen by a raw client: hang, trickle, 100 MB, gzip bomb, redirect loop.

use std::io::Read;
use std::time::{Duration, Instant};

use beian_lab::{ScenarioKind, hostile};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{http_get, parse_response, request_bytes, site, start_lab};

async fn connect(lab: &beian_lab::Lab, kind: ScenarioKind) -> TcpStream {
    let site = site(lab, kind);
    let mut stream = TcpStream::connect((site.address, lab.endpoints().http_port))
        .await
        .expect("accepts");
    stream
        .write_all(&request_bytes(&site.domain, "/", &[]))
        .await
        .expect("the request is sent");
    stream
}

/// Reads the response head (up to the blank line).
async fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("the head arrives")
            .expect("reads");
        assert_eq!(read, 1, "the connection closed inside the head");
        head.push(byte[0]);
    }
    head
}

#[tokio::test]
async fn hang_never_answers() {
    let lab = start_lab().await;
    let mut stream = connect(&lab, ScenarioKind::HostileHang).await;
    let mut buffer = [0_u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer)).await;
    assert!(read.is_err(), "the hanging server sent something: {read:?}");
}

#[tokio::test]
async fn trickle_sends_a_byte_a_second() {
    let lab = start_lab().await;
    let mut stream = connect(&lab, ScenarioKind::HostileTrickle).await;
    let head = parse_response(&read_head(&mut stream).await);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(hostile::TRICKLE_BYTES.to_string().as_str())
    );
    let started = Instant::now();
    let mut body = Vec::new();
    let mut buffer = [0_u8; 64];
    while started.elapsed() < Duration::from_millis(2500) {
        if let Ok(Ok(read)) =
            tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await
        {
            body.extend_from_slice(&buffer[..read]);
        }
    }
    assert!(
        (1..=4).contains(&body.len()),
        "{} bytes in 2.5 s",
        body.len()
    );
}

#[tokio::test]
async fn huge_body_is_streamed_with_its_length() {
    let lab = start_lab().await;
    let mut stream = connect(&lab, ScenarioKind::HostileHugeBody).await;
    let head = parse_response(&read_head(&mut stream).await);
    assert_eq!(
        head.header("content-length"),
        Some(hostile::HUGE_BODY_BYTES.to_string().as_str())
    );
    let mut total = 0_u64;
    let mut buffer = vec![0_u8; 256 * 1024];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .expect("the body keeps coming")
            .expect("reads");
        if read == 0 {
            break;
        }
        total += read as u64;
    }
    assert_eq!(total, hostile::HUGE_BODY_BYTES);
}

#[tokio::test]
async fn gzip_bomb_is_small_and_inflates_hugely() {
    let lab = start_lab().await;
    let bomb = site(&lab, ScenarioKind::HostileGzipBomb);
    let response = http_get(&lab, bomb.address, &bomb.domain, "/", &[]).await;
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert!(
        response.body.len() < 2 * 1024 * 1024,
        "{} bytes on the wire",
        response.body.len()
    );
    // Inflate only the first 16 MiB: already 8× the compressed size, and all zeros.
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&response.body[..])
        .take(16 * 1024 * 1024)
        .read_to_end(&mut inflated)
        .expect("valid gzip");
    assert_eq!(inflated.len(), 16 * 1024 * 1024);
    assert!(inflated.iter().all(|b| *b == 0));
}

#[tokio::test]
async fn redirect_loop_never_ends() {
    let lab = start_lab().await;
    let looping = site(&lab, ScenarioKind::HostileRedirectLoop);
    let mut path = "/".to_owned();
    let mut seen = Vec::new();
    for _ in 0..6 {
        let response = http_get(&lab, looping.address, &looping.domain, &path, &[]).await;
        assert_eq!(response.status, 302);
        path = response.header("location").expect("a Location").to_owned();
        seen.push(path.clone());
    }
    assert_eq!(
        seen,
        [
            "/loop/a", "/loop/b", "/loop/a", "/loop/b", "/loop/a", "/loop/b"
        ]
    );
}
