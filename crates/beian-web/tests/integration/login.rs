//! Signing in: wrong passwords and unknown names answer alike; five failures a minute
//! for one address and name lock that pair out with 429, even for the right password.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::support::{App, PASSWORD, request};

fn login(name: &str, password: &str) -> serde_json::Value {
    json!({ "name": name, "password": password })
}

#[tokio::test]
async fn failures_are_rate_limited_per_address_and_name() {
    let app = App::new().await;
    for attempt in 1..=5 {
        let reply = app
            .send(request(Method::POST, "/api/v1/session").json(login("viewer", "guess")))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(reply.error_code(), "bad_credentials");
        assert!(reply.headers.get(header::SET_COOKIE).is_none());
    }
    // Locked out, the right password included, so guessing cannot continue unseen.
    let locked = app
        .send(request(Method::POST, "/api/v1/session").json(login("viewer", PASSWORD)))
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.json
    );
    assert_eq!(locked.error_code(), "rate_limited");
    let retry_after: u64 = locked.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // Another address, or another name from this one, is not affected.
    let elsewhere = app
        .send(
            request(Method::POST, "/api/v1/session")
                .sent_from([127, 0, 0, 2])
                .json(login("viewer", PASSWORD)),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    let other_name = app
        .send(request(Method::POST, "/api/v1/session").json(login("operator", PASSWORD)))
        .await;
    assert_eq!(other_name.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_names_and_bad_bodies_are_refused_plainly() {
    let app = App::new().await;
    let unknown = app
        .send(request(Method::POST, "/api/v1/session").json(login("nobody", PASSWORD)))
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (StatusCode::UNAUTHORIZED, "bad_credentials")
    );
    let not_json = app
        .send(request(Method::POST, "/api/v1/session").empty())
        .await;
    assert_eq!(
        (not_json.status, not_json.error_code()),
        (StatusCode::BAD_REQUEST, "invalid_input")
    );
    let extra = app
        .send(
            request(Method::POST, "/api/v1/session")
                .json(json!({ "name": "viewer", "password": PASSWORD, "admin": true })),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);

    let ok = app
        .send(request(Method::POST, "/api/v1/session").json(login("viewer", PASSWORD)))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json["user"]["name"], "viewer");
    assert_eq!(ok.json["role"], "viewer");
    assert!(ok.json.get("password_hash").is_none() && !ok.json.to_string().contains("argon2"));
    let cookie = ok.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(
        !cookie.contains("Secure"),
        "tests run without Secure: {cookie}"
    );
}
