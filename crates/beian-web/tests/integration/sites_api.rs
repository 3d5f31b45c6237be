//! `GET /api/v1/sites` with the dashboard's filters (subject, provider, worst severity,
//! tag) and `POST /api/v1/sites/bulk` (add and remove a tag, check now; refusals).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{App, Caller, Reply, request};

async fn listed(app: &App, caller: &Caller, query: &str) -> Reply {
    app.send(
        request(Method::GET, &format!("/api/v1/sites?{query}"))
            .caller(caller, false)
            .empty(),
    )
    .await
}

fn names(reply: &Reply) -> Vec<String> {
    reply.json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn bulk(app: &App, caller: &Caller, body: Value) -> Reply {
    app.send(
        request(Method::POST, "/api/v1/sites/bulk")
            .caller(caller, true)
            .json(body),
    )
    .await
}

#[tokio::test]
async fn the_site_list_api_filters_like_the_page_and_bulk_tags() {
    let app = App::new().await;
    let operator = app.login("operator").await;
    let site = app.seed.site;

    let high = listed(&app, &operator, "min_severity=high").await;
    assert_eq!(high.status, StatusCode::OK, "{}", high.json);
    assert_eq!(names(&high), vec!["主站".to_owned()]);
    let critical = listed(&app, &operator, "min_severity=critical").await;
    assert!(names(&critical).is_empty(), "{}", critical.json);
    let bogus = listed(&app, &operator, "min_severity=urgent").await;
    assert_eq!(
        (bogus.status, bogus.error_code()),
        (StatusCode::BAD_REQUEST, "invalid_input")
    );
    let nobody = listed(&app, &operator, "subject=no-such-subject").await;
    assert!(names(&nobody).is_empty());
    let no_provider = listed(&app, &operator, "provider=%E9%98%BF%E9%87%8C%E4%BA%91").await;
    assert!(names(&no_provider).is_empty(), "{}", no_provider.json);

    let added = bulk(
        &app,
        &operator,
        json!({ "site_ids": [site, site], "action": "add_tag", "tag": " 客户A " }),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.json);
    assert_eq!(
        added.json,
        json!({ "selected": 1, "changed": 1, "unchanged": 0 })
    );
    let again = bulk(
        &app,
        &operator,
        json!({ "site_ids": [site], "action": "add_tag", "tag": "客户A" }),
    )
    .await;
    assert_eq!(
        again.json,
        json!({ "selected": 1, "changed": 0, "unchanged": 1 })
    );
    let tagged = listed(&app, &operator, "tag=%E5%AE%A2%E6%88%B7A").await;
    assert_eq!(names(&tagged), vec!["主站".to_owned()]);
    assert_eq!(tagged.json["items"][0]["tags"], json!(["客户A"]));

    for (body, what) in [
        (
            json!({ "site_ids": [site], "action": "delete" }),
            "unknown action",
        ),
        (json!({ "site_ids": [site], "action": "add_tag" }), "no tag"),
        (json!({ "site_ids": [], "action": "check_now" }), "no site"),
        (
            json!({ "site_ids": (1..=1001).collect::<Vec<i64>>(), "action": "check_now" }),
            "too many sites",
        ),
    ] {
        let refused = bulk(&app, &operator, body).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (StatusCode::BAD_REQUEST, "invalid_input"),
            "{what}: {}",
            refused.json
        );
    }

    let removed = bulk(
        &app,
        &operator,
        json!({ "site_ids": [site], "action": "remove_tag", "tag": "客户A" }),
    )
    .await;
    assert_eq!(removed.json["changed"], json!(1));
    let untagged = listed(&app, &operator, "tag=%E5%AE%A2%E6%88%B7A").await;
    assert!(names(&untagged).is_empty());
}
