//! The real server on 127.0.0.1:0: plain HTTP/1.1 over a socket, so the connection's
//! address reaches the login limit and the headers survive the trip.

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use beian_web::WebConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{App, PASSWORD, config, request};

/// One request, `Connection: close`; the raw response.
async fn exchange(addr: std::net::SocketAddr, raw: String) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(raw.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("answer within 10 s")
        .expect("read");
    String::from_utf8_lossy(&response).into_owned()
}

fn login(name: &str, password: &str) -> String {
    let body = json!({ "name": name, "password": password }).to_string();
    format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn served_on_a_socket_with_the_peer_address() {
    let app = App::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(beian_web::serve(listener, app.state.clone()));

    let health = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_owned(),
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let lower = health.to_lowercase();
    assert!(
        lower.contains("content-security-policy: default-src 'self'"),
        "{health}"
    );
    assert!(
        lower.contains("x-content-type-options: nosniff"),
        "{health}"
    );

    for _ in 0..5 {
        let reply = exchange(addr, login("admin", "guess")).await;
        assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    }
    let locked = exchange(addr, login("admin", PASSWORD)).await;
    assert!(locked.starts_with("HTTP/1.1 429"), "{locked}");
    assert!(locked.to_lowercase().contains("retry-after:"), "{locked}");
    server.abort();
}

#[tokio::test]
async fn cookies_are_secure_by_default_and_new_users_can_sign_in() {
    let app = App::with_config(WebConfig {
        secure_cookies: true,
        ..config()
    })
    .await;
    let admin = app.login("admin").await;
    let created = app
        .send(
            request(Method::POST, "/api/v1/users")
                .caller(&admin, true)
                .json(json!({
                    "name": "新同事", "password": "another long password",
                    "role": "operator", "organisations": [1]
                })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert!(
        !created.json.to_string().contains("argon2"),
        "{}",
        created.json
    );
    let short = app
        .send(
            request(Method::POST, "/api/v1/users")
                .caller(&admin, true)
                .json(json!({
                    "name": "short", "password": "short", "role": "viewer", "organisations": [1]
                })),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);

    let reply = app
        .send(request(Method::POST, "/api/v1/session").json(json!({
            "name": "新同事", "password": "another long password"
        })))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["role"], "operator");
    let cookie = reply.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}
