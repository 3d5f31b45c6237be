//! Cookie sessions need the CSRF header on unsafe methods; bearer tokens do not, act with
//! their own role, and stop working once revoked.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{App, Caller, request};

#[tokio::test]
async fn unsafe_methods_need_the_sessions_csrf_token() {
    let app = App::new().await;
    let operator = app.login("operator").await;
    let path = format!("/api/v1/findings/{}/acknowledge", app.seed.finding);

    let missing = app
        .send(
            request(Method::POST, &path)
                .caller(&operator, false)
                .empty(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(missing.error_code(), "csrf");

    let wrong = app
        .send(
            request(Method::POST, &path)
                .caller(&operator, false)
                .header("x-csrf-token", &"0".repeat(64))
                .empty(),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.error_code()),
        (StatusCode::FORBIDDEN, "csrf")
    );

    // Another session's token does not do either.
    let Caller::Session { csrf: foreign, .. } = app.login("admin").await else {
        panic!("login gives a session")
    };
    let crossed = app
        .send(
            request(Method::POST, &path)
                .caller(&operator, false)
                .header("x-csrf-token", &foreign)
                .empty(),
        )
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);

    // Safe methods need none.
    let read = app
        .send(
            request(
                Method::GET,
                &format!("/api/v1/findings/{}", app.seed.finding),
            )
            .caller(&operator, false)
            .empty(),
        )
        .await;
    assert_eq!(
        (read.status, read.json["state"].as_str()),
        (StatusCode::OK, Some("open"))
    );

    let done = app
        .send(request(Method::POST, &path).caller(&operator, true).empty())
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["state"], "acknowledged");

    // Logging out needs it too, and ends the session.
    let logout = app
        .send(
            request(Method::DELETE, "/api/v1/session")
                .caller(&operator, false)
                .empty(),
        )
        .await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    let logout = app
        .send(
            request(Method::DELETE, "/api/v1/session")
                .caller(&operator, true)
                .empty(),
        )
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let after = app
        .send(
            request(Method::GET, "/api/v1/session")
                .caller(&operator, false)
                .empty(),
        )
        .await;
    assert_eq!(
        (after.status, after.error_code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
}

#[tokio::test]
async fn bearer_tokens_act_with_their_role_until_revoked() {
    let app = App::new().await;
    let bot = Caller::Bearer(app.seed.operator_token.clone());
    let suppress = format!("/api/v1/findings/{}/suppress", app.seed.finding);
    let body = json!({ "reason": "维护窗口 / maintenance", "until": crate::support::next_week() });

    // No CSRF header: a bearer token is not sent by browsers on their own.
    let done = app
        .send(
            request(Method::POST, &suppress)
                .caller(&bot, false)
                .json(body.clone()),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["state"], "suppressed");
    assert_eq!(done.json["suppression"]["by"], "token:operator/bot");

    let refused = app
        .send(
            request(Method::POST, &suppress)
                .caller(&bot, false)
                .json(json!({ "reason": " ", "until": crate::support::next_week() })),
        )
        .await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::BAD_REQUEST, "invalid_input")
    );

    // The admin creates a viewer token: it reads but may not act.
    let admin = app.login("admin").await;
    let created = app
        .send(
            request(Method::POST, "/api/v1/tokens")
                .caller(&admin, true)
                .json(json!({ "name": "dashboard", "role": "viewer" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let secret = created.json["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    let token_id = created.json["id"].as_i64().expect("id");
    let reader = Caller::Bearer(secret);
    let listed = app
        .send(
            request(Method::GET, "/api/v1/sites")
                .caller(&reader, false)
                .empty(),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let act = app
        .send(
            request(
                Method::POST,
                &format!("/api/v1/findings/{}/acknowledge", app.seed.finding),
            )
            .caller(&reader, false)
            .empty(),
        )
        .await;
    assert_eq!(
        (act.status, act.error_code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );

    // The listing never shows secrets.
    let tokens = app
        .send(
            request(Method::GET, "/api/v1/tokens")
                .caller(&admin, false)
                .empty(),
        )
        .await;
    assert!(
        !tokens.json.to_string().contains("secret"),
        "{}",
        tokens.json
    );

    let revoked = app
        .send(
            request(Method::DELETE, &format!("/api/v1/tokens/{token_id}"))
                .caller(&admin, true)
                .empty(),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let after = app
        .send(
            request(Method::GET, "/api/v1/sites")
                .caller(&reader, false)
                .empty(),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let garbage = app
        .send(
            request(Method::GET, "/api/v1/sites")
                .caller(&Caller::Bearer("nope".into()), false)
                .empty(),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}
