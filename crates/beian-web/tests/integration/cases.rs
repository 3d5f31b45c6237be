//! Case steps, notes and documents, through the case page and the API: allowed steps
//! are taken, refused ones name the allowed states, viewers may only download, and the
//! cancellation PDF is a real PDF sent as an attachment.

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use beian_core::case::CaseState;
use beian_store::Store;
use serde_json::json;
use tower::ServiceExt;

use crate::pages::{cookie_of, get, post_form};
use crate::support::{App, request};

async fn stored_state(app: &App) -> CaseState {
    app.state
        .store()
        .get_case(app.seed.case)
        .await
        .expect("read")
        .expect("case")
        .state
}

#[tokio::test]
async fn operators_advance_cases_on_the_page_along_the_state_machine() {
    let app = App::new().await;
    let path = format!("/cases/{}", app.seed.case);
    let operator = app.login("operator").await;
    let (session, csrf) = cookie_of(&operator);

    let page = get(&app, &path, session).await;
    assert_eq!(page.status, StatusCode::OK);
    // A draft may go to preparing or be withdrawn: one button each, nothing else.
    assert!(
        page.body.contains("name=\"to\" value=\"preparing\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"to\" value=\"withdrawn\""));
    assert!(!page.body.contains("name=\"to\" value=\"approved\""));
    assert!(page.body.contains(&format!("action=\"{path}/note\"")));

    let advance = format!("{path}/advance");
    let forged = post_form(&app, &advance, session, "csrf=x&to=preparing").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_state(&app).await, CaseState::Draft);

    let refused = post_form(&app, &advance, session, &format!("csrf={csrf}&to=approved")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("preparing") && refused.body.contains("withdrawn"));
    assert_eq!(stored_state(&app).await, CaseState::Draft);

    let moved = post_form(
        &app,
        &advance,
        session,
        &format!("csrf={csrf}&to=preparing&note=%E5%BC%80%E5%A7%8B"),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(moved.location(), path);
    assert_eq!(stored_state(&app).await, CaseState::Preparing);

    let noted = post_form(
        &app,
        &format!("{path}/note"),
        session,
        &format!("csrf={csrf}&text=%3Cb%3Ecalled%3C%2Fb%3E"),
    )
    .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.body);
    let again = get(&app, &path, session).await;
    assert!(again.body.contains("<code>advance</code>"));
    assert!(again.body.contains("开始"));
    assert!(!again.body.contains("<b>called</b>"), "notes are escaped");
    // Deadlines, when the new state has any, count working days.
    let stored = app
        .state
        .store()
        .get_case(app.seed.case)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(
        again.body.contains("个工作日") || again.body.contains("已逾期"),
        !stored.deadlines.is_empty(),
        "{:?}",
        stored.deadlines
    );

    let empty = post_form(
        &app,
        &format!("{path}/note"),
        session,
        &format!("csrf={csrf}&text=+"),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn viewers_download_but_cannot_advance_or_note() {
    let app = App::new().await;
    let path = format!("/cases/{}", app.seed.case);
    let viewer = app.login("viewer").await;
    let (session, csrf) = cookie_of(&viewer);
    let page = get(&app, &path, session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("/advance\""),
        "no step buttons for viewers"
    );
    assert!(
        page.body
            .contains(&format!("href=\"{path}/documents/cancellation.pdf\""))
    );
    assert!(page.body.contains("下载注销申请 (PDF)"));

    let step = post_form(
        &app,
        &format!("{path}/advance"),
        session,
        &format!("csrf={csrf}&to=preparing"),
    )
    .await;
    assert_eq!(step.status, StatusCode::FORBIDDEN);
    let note = post_form(
        &app,
        &format!("{path}/note"),
        session,
        &format!("csrf={csrf}&text=hi"),
    )
    .await;
    assert_eq!(note.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_state(&app).await, CaseState::Draft);

    let english = get(&app, &path, &format!("{session}; lang=en")).await;
    assert!(
        english
            .body
            .contains("Download cancellation application (PDF)")
    );

    // The PDF, as an attachment (the machine has a CJK font installed).
    let response = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .method(Method::GET)
                .uri(format!("{path}/documents/cancellation.pdf"))
                .header(header::COOKIE, session)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("the router never fails");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("cancellation.pdf"), "{disposition}");
    let bytes = to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(bytes.len() > 1000);

    let unknown = get(&app, &format!("{path}/documents/secrets.txt"), session).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let outsider = app.login("outsider").await;
    let (outsider, _) = cookie_of(&outsider);
    let hidden = get(
        &app,
        &format!("{path}/documents/cancellation.pdf"),
        outsider,
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_advances_notes_ticks_and_serves_documents() {
    let app = App::new().await;
    let case = app.seed.case;
    let operator = app.login("operator").await;

    let refused = app
        .send(
            request(Method::POST, &format!("/api/v1/cases/{case}/advance"))
                .caller(&operator, true)
                .json(json!({ "to": "closed" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "conflict");
    let message = refused.json["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("preparing, withdrawn"), "{message}");

    let unknown = app
        .send(
            request(Method::POST, &format!("/api/v1/cases/{case}/advance"))
                .caller(&operator, true)
                .json(json!({ "to": "flying" })),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("preparing")
    );

    let moved = app
        .send(
            request(Method::POST, &format!("/api/v1/cases/{case}/advance"))
                .caller(&operator, true)
                .json(json!({ "to": "preparing", "note": "start" })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["state"], "preparing");
    assert!(moved.json["events"].as_array().is_some_and(|events| {
        events
            .iter()
            .any(|e| e["action"] == "advance" && e["note"] == "start")
    }));

    let item = moved.json["checklist"][0]["id"]
        .as_str()
        .expect("an item")
        .to_owned();
    let ticked = app
        .send(
            request(
                Method::POST,
                &format!("/api/v1/cases/{case}/checklist/{item}"),
            )
            .caller(&operator, true)
            .empty(),
        )
        .await;
    assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.json);
    assert_eq!(ticked.json["checklist"][0]["done"], true);
    let untick = app
        .send(
            request(
                Method::POST,
                &format!("/api/v1/cases/{case}/checklist/{item}?done=false"),
            )
            .caller(&operator, true)
            .empty(),
        )
        .await;
    assert_eq!(untick.json["checklist"][0]["done"], false);
    let no_item = app
        .send(
            request(
                Method::POST,
                &format!("/api/v1/cases/{case}/checklist/nope"),
            )
            .caller(&operator, true)
            .empty(),
        )
        .await;
    assert_eq!(no_item.status, StatusCode::BAD_REQUEST);

    let noted = app
        .send(
            request(Method::POST, &format!("/api/v1/cases/{case}/notes"))
                .caller(&operator, true)
                .json(json!({ "text": "called the provider" })),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK);
    assert_eq!(
        noted.json["state"], "preparing",
        "a note does not move the case"
    );

    let pdf = app
        .send(
            request(
                Method::GET,
                &format!("/api/v1/cases/{case}/documents/evidence.pdf"),
            )
            .caller(&operator, false)
            .empty(),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    let bad = app
        .send(
            request(
                Method::GET,
                &format!("/api/v1/cases/{case}/documents/x.exe"),
            )
            .caller(&operator, false)
            .empty(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("cancellation.pdf")
    );
}

#[tokio::test]
async fn reports_cover_only_the_callers_organisations() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let outsider = app.login("outsider").await;
    let html_of = async |caller| {
        let response = app
            .router
            .clone()
            .oneshot(
                request(Method::GET, "/api/v1/reports/portfolio.html")
                    .caller(caller, false)
                    .empty(),
            )
            .await
            .expect("the router never fails");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .is_ok_and(|d| d.starts_with("attachment"))
        );
        let bytes = to_bytes(response.into_body(), 16 << 20)
            .await
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let mine = html_of(&viewer).await;
    assert!(mine.contains("https://www.example.cn/"));
    assert!(!mine.contains("https://client.example.com/"));
    let theirs = html_of(&outsider).await;
    assert!(theirs.contains("https://client.example.com/"));
    assert!(!theirs.contains("https://www.example.cn/"));

    let xlsx = app
        .router
        .clone()
        .oneshot(
            request(Method::GET, "/api/v1/reports/findings.xlsx")
                .caller(&viewer, false)
                .empty(),
        )
        .await
        .expect("the router never fails");
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = to_bytes(xlsx.into_body(), 16 << 20).await.expect("body");
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
}
