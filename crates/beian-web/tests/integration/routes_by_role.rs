//! Every route, called with no session, as a viewer, an operator and an admin of the
//! default organisation, and as an admin of another organisation: the status of each.
//! The table must cover every route the router declares.

use axum::http::{Method, StatusCode};
use beian_core::case::{CaseKind, checklist_for};
use beian_core::model::SubjectKind;
use beian_web::routes::routes;
use serde_json::{Value, json};

use crate::support::{App, Caller, PASSWORD, Seed, next_week, request};

/// Who calls, in the order of each row's expected statuses.
const WHO: [&str; 5] = ["anonymous", "viewer", "operator", "admin", "outsider"];

struct Row {
    method: Method,
    /// The path as declared (`{id}` and all), to check coverage.
    template: &'static str,
    /// The concrete path called.
    path: String,
    /// The body for caller `who`, if the route takes one.
    body: Option<fn(&str, &Seed) -> Value>,
    /// Send a small CSV sheet as the body instead (the import).
    csv: bool,
    expected: [u16; 5],
}

fn row(method: Method, template: &'static str, path: String, expected: [u16; 5]) -> Row {
    Row {
        method,
        template,
        path,
        body: None,
        csv: false,
        expected,
    }
}

/// The first checklist item of the seeded case (a website cancellation of a company).
fn first_item() -> String {
    checklist_for(CaseKind::IcpCancelWebsite, SubjectKind::Company)
        .first()
        .map(|item| item.id.clone())
        .unwrap_or_default()
}

fn table(app: &App) -> Vec<Row> {
    let s = &app.seed;
    let site = s.site;
    let finding = s.finding;
    vec![
        row(Method::GET, "/healthz", "/healthz".into(), [200; 5]),
        row(
            Method::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            [200; 5],
        ),
        Row {
            body: Some(|_, _| json!({ "name": "viewer", "password": PASSWORD })),
            ..row(
                Method::POST,
                "/api/v1/session",
                "/api/v1/session".into(),
                [200; 5],
            )
        },
        row(
            Method::GET,
            "/api/v1/session",
            "/api/v1/session".into(),
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/sites",
            "/api/v1/sites".into(),
            [401, 200, 200, 200, 200],
        ),
        Row {
            body: Some(|_, seed| json!({ "site_ids": [seed.site], "action": "check_now" })),
            ..row(
                Method::POST,
                "/api/v1/sites/bulk",
                "/api/v1/sites/bulk".into(),
                [401, 403, 200, 200, 404],
            )
        },
        row(
            Method::GET,
            "/api/v1/sites/{id}",
            format!("/api/v1/sites/{site}"),
            [401, 200, 200, 200, 404],
        ),
        row(
            Method::GET,
            "/api/v1/findings",
            "/api/v1/findings".into(),
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/findings/{id}",
            format!("/api/v1/findings/{finding}"),
            [401, 200, 200, 200, 404],
        ),
        row(
            Method::POST,
            "/api/v1/findings/{id}/acknowledge",
            format!("/api/v1/findings/{finding}/acknowledge"),
            [401, 403, 200, 200, 404],
        ),
        Row {
            body: Some(|_, _| json!({ "reason": "迁移中 / migrating", "until": next_week() })),
            ..row(
                Method::POST,
                "/api/v1/findings/{id}/suppress",
                format!("/api/v1/findings/{}/suppress", s.second_finding),
                [401, 403, 200, 200, 404],
            )
        },
        row(
            Method::GET,
            "/api/v1/cases",
            "/api/v1/cases".into(),
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/cases/{id}",
            format!("/api/v1/cases/{}", s.case),
            [401, 200, 200, 200, 404],
        ),
        row(
            Method::GET,
            "/api/v1/users",
            "/api/v1/users".into(),
            [401, 403, 403, 200, 200],
        ),
        Row {
            // The outsider may not add users to an organisation it is not in.
            body: Some(|who, _| {
                json!({
                    "name": format!("new-{who}"), "password": "a long enough password",
                    "role": "viewer", "organisations": [1]
                })
            }),
            ..row(
                Method::POST,
                "/api/v1/users",
                "/api/v1/users".into(),
                [401, 403, 403, 201, 400],
            )
        },
        Row {
            // The outsider's organisation does not hold the operator: not found.
            body: Some(|_, _| json!({ "role": "operator" })),
            ..row(
                Method::PUT,
                "/api/v1/users/{id}/role",
                format!("/api/v1/users/{}/role", s.operator),
                [401, 403, 403, 200, 404],
            )
        },
        row(
            Method::GET,
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            [401, 403, 403, 200, 200],
        ),
        Row {
            body: Some(|who, _| json!({ "name": format!("token-{who}"), "role": "viewer" })),
            ..row(
                Method::POST,
                "/api/v1/tokens",
                "/api/v1/tokens".into(),
                [401, 403, 403, 201, 201],
            )
        },
        row(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            format!("/api/v1/tokens/{}", s.admin_token_id),
            [401, 403, 403, 200, 404],
        ),
        row(
            Method::GET,
            "/api/v1/organisations",
            "/api/v1/organisations".into(),
            [401, 200, 200, 200, 200],
        ),
        Row {
            body: Some(|who, _| json!({ "name": format!("客户-{who}") })),
            ..row(
                Method::POST,
                "/api/v1/organisations",
                "/api/v1/organisations".into(),
                [401, 403, 403, 201, 201],
            )
        },
        Row {
            body: Some(|_, _| json!({ "organisation_id": 1 })),
            ..row(
                Method::PUT,
                "/api/v1/sites/{id}/organisation",
                format!("/api/v1/sites/{site}/organisation"),
                [401, 403, 403, 200, 404],
            )
        },
        Row {
            // Each successful caller takes the next step, so each step is allowed.
            body: Some(|who, _| {
                let to = if who == "admin" {
                    "submitted_to_provider"
                } else {
                    "preparing"
                };
                json!({ "to": to, "note": format!("by {who}") })
            }),
            ..row(
                Method::POST,
                "/api/v1/cases/{id}/advance",
                format!("/api/v1/cases/{}/advance", s.case),
                [401, 403, 200, 200, 404],
            )
        },
        Row {
            body: Some(|who, _| json!({ "text": format!("note by {who}") })),
            ..row(
                Method::POST,
                "/api/v1/cases/{id}/notes",
                format!("/api/v1/cases/{}/notes", s.case),
                [401, 403, 200, 200, 404],
            )
        },
        row(
            Method::POST,
            "/api/v1/cases/{id}/checklist/{item}",
            format!("/api/v1/cases/{}/checklist/{}", s.case, first_item()),
            [401, 403, 200, 200, 404],
        ),
        row(
            Method::GET,
            "/api/v1/cases/{id}/documents/{name}",
            format!("/api/v1/cases/{}/documents/cancellation.docx", s.case),
            [401, 200, 200, 200, 404],
        ),
        row(
            Method::GET,
            "/api/v1/reports/findings.xlsx",
            "/api/v1/reports/findings.xlsx".into(),
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/reports/portfolio.html",
            "/api/v1/reports/portfolio.html".into(),
            [401, 200, 200, 200, 200],
        ),
        Row {
            // Members of other organisations may not write the shared inventory.
            csv: true,
            ..row(
                Method::POST,
                "/api/v1/import",
                "/api/v1/import?dry_run=true".into(),
                [401, 403, 200, 200, 403],
            )
        },
        // Last: it ends the session the rows above used.
        row(
            Method::DELETE,
            "/api/v1/session",
            "/api/v1/session".into(),
            [401, 204, 204, 204, 204],
        ),
    ]
}

#[tokio::test]
async fn every_route_answers_each_role_as_declared() {
    let app = App::new().await;
    let mut callers = vec![Caller::Anonymous];
    for name in &WHO[1..] {
        callers.push(app.login(name).await);
    }
    let rows = table(&app);

    // The table covers every declared route, once.
    let mut declared: Vec<(String, &str)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let mut covered: Vec<(String, &str)> = rows
        .iter()
        .map(|r| (r.method.to_string(), r.template))
        .collect();
    declared.sort();
    covered.sort();
    assert_eq!(
        covered, declared,
        "the table must list every route exactly once"
    );

    let mut failures = Vec::new();
    for row in &rows {
        for (index, caller) in callers.iter().enumerate() {
            let who = WHO[index];
            let builder = request(row.method.clone(), &row.path).caller(caller, true);
            let request = match row.body {
                Some(body) => builder.json(body(who, &app.seed)),
                None if row.csv => builder.raw("text/csv", "a,b\n1,2\n".to_owned()),
                None => builder.empty(),
            };
            let reply = app.send(request).await;
            let expected = StatusCode::from_u16(row.expected[index]).expect("valid status");
            if reply.status != expected {
                failures.push(format!(
                    "{} {} as {who}: {} (expected {expected}) {}",
                    row.method, row.path, reply.status, reply.json
                ));
            }
            // Every answer, errors included, carries the security headers.
            let csp = reply
                .headers
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{} {}: CSP {csp:?}",
                row.method,
                row.path
            );
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(reply.headers["x-content-type-options"], "nosniff");
            assert!(reply.headers.contains_key("referrer-policy"));
            if !reply.status.is_success() {
                assert!(
                    !reply.error_code().is_empty(),
                    "{} {} as {who}: error without a JSON code: {}",
                    row.method,
                    row.path,
                    reply.json
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn listings_hold_only_the_callers_organisations() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let outsider = app.login("outsider").await;
    let s = &app.seed;

    let get = |caller: &Caller, path: &str| {
        let request = request(Method::GET, path).caller(caller, false).empty();
        app.send(request)
    };
    let sites = get(&viewer, "/api/v1/sites").await.json;
    assert_eq!(sites["total"], 1);
    assert_eq!(sites["items"][0]["id"], s.site);
    let theirs = get(&outsider, "/api/v1/sites").await.json;
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["id"], s.other_site);
    let detail = get(&outsider, &format!("/api/v1/sites/{}", s.other_site))
        .await
        .json;
    assert_eq!(detail["organisation_id"], s.other_organisation);

    let findings = get(&viewer, "/api/v1/findings").await.json;
    assert_eq!(findings["total"], 2);
    let theirs = get(&outsider, "/api/v1/findings").await.json;
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["id"], s.other_finding);
    // Attacker-controlled text comes back as JSON data, never as markup.
    let reply = get(&outsider, &format!("/api/v1/findings/{}", s.other_finding)).await;
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.json["evidence"]["title"], "<script>alert(1)</script>");

    assert_eq!(get(&viewer, "/api/v1/cases").await.json["total"], 1);
    assert_eq!(get(&outsider, "/api/v1/cases").await.json["total"], 0);

    let paged = get(&viewer, "/api/v1/findings?per_page=1&page=2")
        .await
        .json;
    assert_eq!(
        (
            paged["total"].as_u64(),
            paged["items"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );
    for bad in [
        "/api/v1/findings?per_page=0",
        "/api/v1/findings?page=0",
        "/api/v1/findings?state=gone",
        "/api/v1/findings?min_severity=huge",
        "/api/v1/sites?colour=red",
        "/api/v1/sites?status=gone",
        "/api/v1/sites/not-a-number",
    ] {
        let reply = get(&viewer, bad).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.json
        );
        assert_eq!(reply.error_code(), "invalid_input", "{bad}");
    }
    let missing = get(&viewer, "/api/v1/nothing-here").await;
    assert_eq!(
        (missing.status, missing.error_code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let wrong_method = app
        .send(
            request(Method::PUT, "/api/v1/sites")
                .caller(&viewer, true)
                .empty(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error_code(), "method_not_allowed");

    // An admin opens a new client organisation and moves the site there: the viewer of
    // the default organisation no longer sees it, the admin still does.
    let admin = app.login("admin").await;
    let created = app
        .send(
            request(Method::POST, "/api/v1/organisations")
                .caller(&admin, true)
                .json(json!({ "name": "新客户" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let organisation = created.json["id"].as_i64().expect("id");
    let site_path = format!("/api/v1/sites/{}", s.site);
    let not_mine = app
        .send(
            request(Method::PUT, &format!("{site_path}/organisation"))
                .caller(&admin, true)
                .json(json!({ "organisation_id": s.other_organisation })),
        )
        .await;
    assert_eq!(
        not_mine.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_mine.json
    );
    let moved = app
        .send(
            request(Method::PUT, &format!("{site_path}/organisation"))
                .caller(&admin, true)
                .json(json!({ "organisation_id": organisation })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(get(&viewer, &site_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&viewer, "/api/v1/findings").await.json["total"], 0);
    let seen = get(&admin, &site_path).await;
    assert_eq!(seen.json["organisation_id"], organisation);
}
