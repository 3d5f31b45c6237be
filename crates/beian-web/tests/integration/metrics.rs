//! Prometheus `/metrics`: route counters with templates as labels, the store's gauges,
//! the switches in `WebConfig`, and its absence from the OpenAPI document.

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use beian_core::finding::{FindingDraft, Severity};
use beian_store::Store;
use beian_web::WebConfig;
use beian_web::routes::routes;
use chrono::Utc;
use tower::ServiceExt;

use crate::support::{App, Caller, config, request};

/// Status, content type and body text of `GET /metrics` from `ip`.
async fn scrape(app: &App, ip: [u8; 4]) -> (StatusCode, String, String) {
    let response = app
        .router
        .clone()
        .oneshot(request(Method::GET, "/metrics").sent_from(ip).empty())
        .await
        .expect("the router never fails");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("read body");
    let text = String::from_utf8(bytes.to_vec()).expect("the exposition is UTF-8");
    (status, content_type, text)
}

fn assert_line(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
}

#[tokio::test]
async fn counts_requests_by_route_template_and_reads_the_store() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    for _ in 0..2 {
        let reply = app
            .send(
                request(Method::GET, &format!("/api/v1/sites/{}", app.seed.site))
                    .caller(&viewer, false)
                    .empty(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = app
        .send(
            request(Method::GET, "/api/v1/sites/1")
                .caller(&Caller::Anonymous, false)
                .empty(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = app
        .send(request(Method::GET, "/wp-admin/login.php").empty())
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // What a scheduler in this process reports (beian serve wires it to this registry).
    let scheduler = app.state.scheduler_metrics();
    scheduler.scan_finished("completed");
    scheduler.scan_finished("failed");
    scheduler.scan_finished("completed");
    scheduler.probe_latency("registration", std::time::Duration::from_millis(700));
    scheduler.tick(1_800_000_000_000_000);

    let (status, content_type, text) = scrape(&app, [127, 0, 0, 1]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    for line in [
        r#"beian_http_requests_total{route="/api/v1/session",method="POST",status="200"} 1"#,
        r#"beian_http_requests_total{route="/api/v1/sites/{id}",method="GET",status="200"} 2"#,
        r#"beian_http_requests_total{route="/api/v1/sites/{id}",method="GET",status="401"} 1"#,
        r#"beian_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        r#"beian_http_request_duration_seconds_count{route="/api/v1/sites/{id}",method="GET"} 3"#,
        "# TYPE beian_http_request_duration_seconds histogram",
        // The seed: three unresolved high findings over two active sites.
        r#"beian_findings{severity="high"} 3"#,
        r#"beian_findings{severity="critical"} 0"#,
        r#"beian_findings{severity="info"} 0"#,
        r#"beian_sites{status="active"} 2"#,
        r#"beian_sites{status="closed"} 0"#,
        "beian_metrics_store_up 1",
        // The scheduler's series; the seed's sites were never scheduled, so none is due.
        r#"beian_scans_total{outcome="completed"} 2"#,
        r#"beian_scans_total{outcome="failed"} 1"#,
        "# TYPE beian_probe_duration_seconds histogram",
        r#"beian_probe_duration_seconds_bucket{probe="registration",le="0.5"} 0"#,
        r#"beian_probe_duration_seconds_bucket{probe="registration",le="1"} 1"#,
        r#"beian_probe_duration_seconds_count{probe="registration"} 1"#,
        r#"beian_probe_duration_seconds_count{probe="tls"} 0"#,
        "beian_scheduler_last_tick_timestamp_seconds 1800000000",
        r#"beian_checks_due{check="registration"} 0"#,
        r#"beian_checks_due{check="dns"} 0"#,
        r#"beian_checks_due{check="http"} 0"#,
        r#"beian_checks_due{check="tls"} 0"#,
        &format!(
            r#"beian_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert_line(&text, line);
    }
    // Raw paths never become labels: a scanner cannot mint series.
    assert!(!text.contains("wp-admin"), "{text}");
    assert!(
        !text.contains(&format!("/api/v1/sites/{}\"", app.seed.site)),
        "{text}"
    );

    // The scrape itself is counted, by the next scrape.
    let (_, _, again) = scrape(&app, [127, 0, 0, 1]).await;
    assert_line(
        &again,
        r#"beian_http_requests_total{route="/metrics",method="GET",status="200"} 1"#,
    );
}

#[tokio::test]
async fn the_gauges_follow_the_store_at_each_scrape() {
    let app = App::new().await;
    let operator = app.login("operator").await;
    // Acknowledged findings are still unresolved: the gauge does not move.
    let reply = app
        .send(
            request(
                Method::POST,
                &format!("/api/v1/findings/{}/acknowledge", app.seed.finding),
            )
            .caller(&operator, true)
            .empty(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    let (_, _, text) = scrape(&app, [127, 0, 0, 1]).await;
    assert_line(&text, r#"beian_findings{severity="high"} 3"#);
    assert_line(
        &text,
        r#"beian_http_requests_total{route="/api/v1/findings/{id}/acknowledge",method="POST",status="200"} 1"#,
    );

    // A scan that sees the site clean resolves its two findings; one critical elsewhere.
    let store = app.state.store();
    let scan = store.begin_scan("test", "all").await.expect("scan");
    store
        .record_site_judgement("test", scan.id, app.seed.site, None, &[], Utc::now())
        .await
        .expect("judge clean");
    let critical = FindingDraft {
        rule_id: "hijack.redirect".to_owned(),
        site_id: app.seed.other_site,
        key: String::new(),
        severity: Severity::Critical,
        explanation_zh: "跳转到博彩站".to_owned(),
        explanation_en: "redirects to a gambling site".to_owned(),
        evidence: serde_json::json!({}),
    };
    store
        .record_site_judgement(
            "test",
            scan.id,
            app.seed.other_site,
            None,
            &[critical],
            Utc::now(),
        )
        .await
        .expect("judge critical");
    let (_, _, text) = scrape(&app, [127, 0, 0, 1]).await;
    assert_line(&text, r#"beian_findings{severity="high"} 0"#);
    assert_line(&text, r#"beian_findings{severity="critical"} 1"#);
}

#[tokio::test]
async fn can_be_switched_off_or_kept_to_loopback() {
    let off = App::with_config(WebConfig {
        metrics: false,
        ..config()
    })
    .await;
    let (status, _, _) = scrape(&off, [127, 0, 0, 1]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let loopback = App::with_config(WebConfig {
        metrics_loopback_only: true,
        ..config()
    })
    .await;
    let (status, _, text) = scrape(&loopback, [10, 0, 0, 7]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!text.contains("beian_"), "{text}");
    let (status, _, _) = scrape(&loopback, [127, 0, 0, 1]).await;
    assert_eq!(status, StatusCode::OK);

    // Open by default, to any address, without a session.
    let open = App::new().await;
    let (status, _, text) = scrape(&open, [192, 0, 2, 1]).await;
    assert_eq!(status, StatusCode::OK);
    assert_line(&text, "beian_metrics_store_up 1");
}

#[tokio::test]
async fn is_not_an_api_route() {
    assert!(routes().iter().all(|route| route.path != "/metrics"));
    let app = App::new().await;
    let reply = app
        .send(request(Method::GET, "/api/v1/openapi.json").empty())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let paths = reply.json["paths"].as_object().expect("paths object");
    assert!(!paths.contains_key("/metrics"), "{paths:?}");
    // Yet it answers, with the security headers every response carries.
    let response = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/metrics")
                .body(Body::empty())
                .expect("valid request"),
        )
        .await
        .expect("the router never fails");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    );
}
