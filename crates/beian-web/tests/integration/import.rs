//! Importing a portfolio sheet through the API and the `/import` page: a dry run lists
//! every row error and writes nothing, applying creates the records, and viewers (and
//! members of other organisations) cannot import.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use beian_core::model::RecordKind;
use beian_store::{ListQuery, Store};

use crate::pages::{cookie_of, form_csrf, get, post_form, send};
use crate::support::{App, request};

/// The bundled example portfolio (12 websites of 6 subjects).
const EXAMPLE: &str = include_str!("../../../../data/examples/portfolio.csv");

/// The example's header and first row, with a broken USCC and home URL.
fn broken() -> String {
    let mut lines = EXAMPLE.lines();
    let header = lines.next().unwrap_or_default();
    let row = lines
        .next()
        .unwrap_or_default()
        .replace("91110108MA01K7QX1U", "91110108MA01K7QX1X")
        .replace("https://www.yunshan-tech.com/", "not a url");
    format!("{header}\n{row}\n")
}

async fn websites(app: &App) -> u64 {
    app.state
        .store()
        .list(&ListQuery {
            kind: RecordKind::Website,
            ..ListQuery::default()
        })
        .await
        .expect("list")
        .total
}

#[tokio::test]
async fn the_api_dry_run_lists_row_errors_and_writes_nothing() {
    let app = App::new().await;
    let before = websites(&app).await;
    let operator = app.login("operator").await;
    let reply = app
        .send(
            request(Method::POST, "/api/v1/import?dry_run=false")
                .caller(&operator, true)
                .raw("text/csv", broken()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["applied"], false);
    let errors = reply.json["errors"].as_array().expect("errors");
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e["row"] == 2 && !e["fix"].as_str().unwrap_or("").is_empty())
    );
    assert_eq!(websites(&app).await, before, "nothing written");

    let dry = app
        .send(
            request(Method::POST, "/api/v1/import?dry_run=true")
                .caller(&operator, true)
                .raw("text/csv", EXAMPLE.to_owned()),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.json);
    assert_eq!(dry.json["applied"], false);
    assert_eq!(dry.json["summary"]["website"]["insert"], 12);
    assert_eq!(websites(&app).await, before, "a dry run writes nothing");

    let applied = app
        .send(
            request(Method::POST, "/api/v1/import?dry_run=false")
                .caller(&operator, true)
                .raw("text/csv", EXAMPLE.to_owned()),
        )
        .await;
    assert_eq!(applied.json["applied"], true, "{}", applied.json);
    assert_eq!(websites(&app).await, before + 12);

    let wrong_type = app
        .send(
            request(Method::POST, "/api/v1/import")
                .caller(&operator, true)
                .raw("application/json", "{}".to_owned()),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong_type.json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("text/csv")
    );

    let too_big = app
        .send(
            request(Method::POST, "/api/v1/import")
                .caller(&operator, true)
                .raw("text/csv", "a".repeat(20 * 1024 * 1024 + 1)),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    assert!(
        too_big.json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("20 MB")
    );
}

#[tokio::test]
async fn viewers_and_other_organisations_cannot_import() {
    let app = App::new().await;
    for name in ["viewer", "outsider"] {
        let caller = app.login(name).await;
        let reply = app
            .send(
                request(Method::POST, "/api/v1/import?dry_run=false")
                    .caller(&caller, true)
                    .raw("text/csv", EXAMPLE.to_owned()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}");
        let (session, _) = cookie_of(&caller);
        assert_eq!(
            get(&app, "/import", session).await.status,
            StatusCode::FORBIDDEN,
            "{name}"
        );
    }
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);
    let overview = get(&app, "/", session).await;
    assert!(
        !overview.body.contains("href=\"/import\""),
        "no import link for viewers"
    );
}

fn multipart(session: &str, csrf: &str, file: &str, content: &str) -> Request<Body> {
    let boundary = "----beian-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    Request::builder()
        .method(Method::POST)
        .uri("/import")
        .header(header::COOKIE, session)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn the_import_page_previews_then_applies() {
    let app = App::new().await;
    let before = websites(&app).await;
    let operator = app.login("operator").await;
    let (session, _) = cookie_of(&operator);
    let form = get(&app, "/import", session).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let csrf = form_csrf(&form.body);

    let forged = send(&app, multipart(session, "nope", "p.csv", EXAMPLE)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let bad = send(&app, multipart(session, &csrf, "bad.csv", &broken())).await;
    assert_eq!(bad.status, StatusCode::OK, "{}", bad.body);
    assert!(
        bad.body.contains("<table class=\"errors\">"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("<td>2</td>"), "the row number");
    assert!(bad.body.contains("not a url"), "the value");
    assert!(
        !bad.body.contains("action=\"/import/apply\""),
        "no apply with errors"
    );
    assert_eq!(websites(&app).await, before);

    let good = send(&app, multipart(session, &csrf, "portfolio.csv", EXAMPLE)).await;
    assert_eq!(good.status, StatusCode::OK);
    assert!(
        good.body.contains("action=\"/import/apply\""),
        "{}",
        good.body
    );
    assert!(good.body.contains("<td>12</td>"), "12 websites to create");
    assert_eq!(websites(&app).await, before, "the preview writes nothing");
    let marker = "name=\"token\" value=\"";
    let start = good.body.find(marker).expect("token") + marker.len();
    let token: String = good.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();

    let other = app.login("admin").await;
    let (other_session, other_csrf) = cookie_of(&other);
    let stolen = post_form(
        &app,
        "/import/apply",
        other_session,
        &format!("csrf={other_csrf}&token={token}"),
    )
    .await;
    assert_eq!(
        stolen.status,
        StatusCode::BAD_REQUEST,
        "tokens are per user"
    );

    let applied = post_form(
        &app,
        "/import/apply",
        session,
        &format!("csrf={csrf}&token={token}"),
    )
    .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert!(applied.body.contains("已导入"));
    assert_eq!(websites(&app).await, before + 12);
    let again = post_form(
        &app,
        "/import/apply",
        session,
        &format!("csrf={csrf}&token={token}"),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a preview applies once"
    );
}
