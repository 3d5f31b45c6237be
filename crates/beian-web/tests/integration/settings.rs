//! `/settings`: administrators see the channels with secrets as `***`, the schedule and
//! the users, add users and change roles; nobody else gets the page.

use axum::http::{Method, StatusCode};
use beian_engine::scheduler::ScheduleSettings;
use beian_notify::NotifySettings;
use beian_store::{Role, Store};
use beian_web::SettingsView;
use serde_json::json;

use crate::pages::{cookie_of, get, post_form};
use crate::support::{App, config, request};

const TOKEN: &str = "tok-9f8e7d6c5b4a";
const SIGNING: &str = "SEC0123456789abcdef";
const SMTP_PASSWORD: &str = "smtp-pass-31415";

async fn app() -> App {
    let notify = NotifySettings::from_toml(&format!(
        r#"
        [[channels]]
        name = "运维钉钉群"
        kind = "dingtalk"
        url = "https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
        secret = "{SIGNING}"
        severities = ["critical", "high"]
        thresholds = [30, 7]

        [[channels]]
        name = "mail"
        kind = "email"
        smtp_host = "smtp.example.cn"
        username = "alerts"
        password = "{SMTP_PASSWORD}"
        from = "alerts@example.cn"
        to = ["ops@example.cn"]
        "#
    ))
    .expect("valid notify settings");
    App::with_config(beian_web::WebConfig {
        settings: SettingsView::new(Some(&notify), &ScheduleSettings::default()),
        ..config()
    })
    .await
}

#[tokio::test]
async fn administrators_see_channels_without_secrets_and_the_schedule() {
    let app = app().await;
    let admin = app.login("admin").await;
    let (session, _) = cookie_of(&admin);
    let page = get(&app, "/settings", session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("运维钉钉群"));
    assert!(page.body.contains("https://oapi.dingtalk.com/***"));
    assert!(
        page.body.contains("smtp.example.cn:587 → ops@example.cn"),
        "{}",
        page.body
    );
    assert!(page.body.contains("30 / 7"), "thresholds");
    assert!(page.body.contains("15m"), "the DNS interval");
    for secret in [TOKEN, SIGNING, SMTP_PASSWORD, "access_token"] {
        assert!(!page.body.contains(secret), "{secret} shown");
    }
    assert!(page.body.contains("<td>viewer</td>") || page.body.contains(">viewer<"));

    for name in ["viewer", "operator"] {
        let caller = app.login(name).await;
        let (session, _) = cookie_of(&caller);
        assert_eq!(
            get(&app, "/settings", session).await.status,
            StatusCode::FORBIDDEN
        );
        let home = get(&app, "/", session).await;
        assert!(
            !home.body.contains("href=\"/settings\""),
            "no settings link for {name}"
        );
    }
}

#[tokio::test]
async fn administrators_add_users_and_change_roles() {
    let app = app().await;
    let admin = app.login("admin").await;
    let (session, csrf) = cookie_of(&admin);

    let forged = post_form(
        &app,
        "/settings/users",
        session,
        "csrf=x&name=carol&password=a+long+password+1&role=operator&organisation=1",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let short = post_form(
        &app,
        "/settings/users",
        session,
        &format!("csrf={csrf}&name=carol&password=short&role=operator&organisation=1"),
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let foreign = post_form(
        &app,
        "/settings/users",
        session,
        &format!(
            "csrf={csrf}&name=carol&password=a+long+password+1&role=operator&organisation={}",
            app.seed.other_organisation
        ),
    )
    .await;
    assert_eq!(
        foreign.status,
        StatusCode::BAD_REQUEST,
        "not the admin's organisation"
    );
    let added = post_form(
        &app,
        "/settings/users",
        session,
        &format!("csrf={csrf}&name=carol&password=a+long+password+1&role=operator&organisation=1"),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let users = app.state.store().list_users().await.expect("users");
    let carol = users
        .iter()
        .find(|u| u.name == "carol")
        .expect("carol added");
    assert_eq!(carol.role, Role::Operator);

    let changed = post_form(
        &app,
        &format!("/settings/users/{}/role", carol.id),
        session,
        &format!("csrf={csrf}&role=viewer"),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let carol = app
        .state
        .store()
        .get_user(carol.id)
        .await
        .expect("read")
        .expect("carol");
    assert_eq!(carol.role, Role::Viewer);

    // Not one's own role, and not a user of another organisation.
    let me = app.state.store().list_users().await.expect("users");
    let admin_id = me.iter().find(|u| u.name == "admin").expect("admin").id;
    let own = post_form(
        &app,
        &format!("/settings/users/{admin_id}/role"),
        session,
        &format!("csrf={csrf}&role=viewer"),
    )
    .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    let outsider_id = me
        .iter()
        .find(|u| u.name == "outsider")
        .expect("outsider")
        .id;
    let foreign = app
        .send(
            request(Method::PUT, &format!("/api/v1/users/{outsider_id}/role"))
                .caller(&admin, true)
                .json(json!({ "role": "viewer" })),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // The list shows the new user; the administrator's own row has no role form.
    let page = get(&app, "/settings", session).await;
    assert!(page.body.contains("carol"));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/settings/users/{admin_id}/role\""))
    );
}
