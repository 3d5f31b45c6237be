//! The dashboard pages: sign-in with the form's CSRF token, redirects for visitors,
//! organisation scoping, escaping of attacker-controlled text, the language switch, and
//! the finding forms.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use beian_core::case::{CaseDraft, CaseKind, checklist_for};
use beian_core::facts::{SignalFact, SiteObservation, WebFacts};
use beian_core::finding::FindingState;
use beian_core::model::{Change, Domain, Links, Record, RecordRef, SubjectKind};
use beian_store::Store;
use chrono::Utc;
use tower::ServiceExt;

use crate::support::{App, Caller, PASSWORD};

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookie(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

pub async fn send(app: &App, request: Request<Body>) -> Page {
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("the router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 4 << 20)
        .await
        .expect("read body");
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn cookie_of(caller: &Caller) -> (&str, &str) {
    match caller {
        Caller::Session { cookie, csrf } => (cookie, csrf),
        _ => panic!("a session caller"),
    }
}

pub async fn get(app: &App, path: &str, cookies: &str) -> Page {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies);
    }
    send(app, request.body(Body::empty()).expect("request")).await
}

pub async fn post_form(app: &App, path: &str, cookies: &str, form: &str) -> Page {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    send(app, request).await
}

/// The value of `name="csrf" value="…"` in a page.
pub fn form_csrf(body: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker).expect("a CSRF field in the form") + marker.len();
    body[start..]
        .split('"')
        .next()
        .expect("closing quote")
        .to_owned()
}

#[tokio::test]
async fn visitors_are_sent_to_the_login_form_and_can_sign_in_with_it() {
    let app = App::new().await;
    let home = get(&app, "/", "").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/login");

    let form = get(&app, "/login", "").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("登录"), "Chinese by default");
    let csrf = form_csrf(&form.body);
    assert_eq!(csrf.len(), 64);
    let login_cookie = form
        .set_cookie()
        .into_iter()
        .find(|c| c.starts_with("beian_login_csrf="))
        .expect("login CSRF cookie");
    assert!(login_cookie.contains("HttpOnly") && login_cookie.contains("SameSite=Strict"));
    let login_cookie = login_cookie
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();

    // Without the cookie's twin in the form: refused, no session.
    let forged = post_form(
        &app,
        "/login",
        &login_cookie,
        &format!("name=viewer&password={PASSWORD}&csrf={}", "0".repeat(64)),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        !forged
            .set_cookie()
            .iter()
            .any(|c| c.starts_with("beian_session="))
    );

    let wrong = post_form(
        &app,
        "/login",
        &login_cookie,
        &format!("name=viewer&password=nope&csrf={csrf}"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码错误"));
    assert!(wrong.body.contains("value=\"viewer\""), "the name is kept");

    let password = PASSWORD.replace(' ', "+");
    let signed_in = post_form(
        &app,
        "/login",
        &login_cookie,
        &format!("name=viewer&password={password}&csrf={csrf}"),
    )
    .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), "/");
    let session = signed_in
        .set_cookie()
        .into_iter()
        .find(|c| c.starts_with("beian_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let session = session.split(';').next().expect("name=value").to_owned();

    let overview = get(&app, "/", &session).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("概览"));

    // Logging out needs the session's CSRF token too.
    let token = form_csrf(&overview.body);
    let refused = post_form(&app, "/logout", &session, "csrf=wrong").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let out = post_form(&app, "/logout", &session, &format!("csrf={token}")).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    assert_eq!(get(&app, "/", &session).await.location(), "/login");
}

#[tokio::test]
async fn pages_carry_the_csp_and_escape_attacker_text() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);

    // The seeded findings explain themselves with a <script> title.
    let overview = get(&app, "/", session).await;
    assert_eq!(overview.status, StatusCode::OK);
    let csp = overview
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .expect("CSP on pages");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(overview.body.contains("&#60;script&#62;") || overview.body.contains("&lt;script&gt;"));
    assert!(
        !overview.body.contains("<script>alert(1)"),
        "{}",
        overview.body
    );
    assert!(overview.body.contains("<svg"), "the severity chart");

    let hostile = "<script>alert(1)</script>";
    let observation = SiteObservation {
        observed_at: Utc::now(),
        domains: Vec::new(),
        web: Some(WebFacts {
            url: "https://www.example.cn/\"><script>alert(2)</script>".to_owned(),
            verdict: "hijacked".to_owned(),
            reachable: true,
            title: Some(hostile.to_owned()),
            signals: vec![SignalFact {
                technique: "title_replacement".to_owned(),
                kind: "gambling_terms".to_owned(),
                confidence: 0.9,
                explanation: "标题被替换".to_owned(),
                snippets: vec![format!("desktop https://www.example.cn/: {hostile}")],
            }],
            footer: Vec::new(),
            tls: None,
        }),
    };
    let store = app.state.store();
    let scan = store.begin_scan("test", "all").await.expect("scan");
    store
        .record_site_judgement(
            "test",
            scan.id,
            app.seed.site,
            Some(&serde_json::to_string(&observation).expect("json")),
            &[],
            Utc::now(),
        )
        .await
        .expect("judge");

    let site = get(&app, &format!("/sites/{}", app.seed.site), session).await;
    assert_eq!(site.status, StatusCode::OK);
    assert!(site.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert!(!site.body.contains("<script>"), "{}", site.body);
    let escaped = site
        .body
        .matches("&#60;script&#62;alert(1)&#60;/script&#62;")
        .count()
        + site
            .body
            .matches("&lt;script&gt;alert(1)&lt;/script&gt;")
            .count();
    assert!(escaped >= 2, "title and snippet, escaped: {}", site.body);
    assert!(site.body.contains("hijacked"));
    assert!(site.body.contains("title_replacement"));
}

#[tokio::test]
async fn sites_of_other_organisations_are_not_found() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);

    let list = get(&app, "/sites", session).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("主站"));
    assert!(!list.body.contains("客户站"), "another organisation's site");

    let other = get(&app, &format!("/sites/{}", app.seed.other_site), session).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(other.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert_eq!(
        get(&app, "/sites/abc", session).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = get(&app, &format!("/sites/{}", app.seed.site), session).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("注销网站备案"), "the site's case");
    for action in ["insert", "finding.open", "case.open"] {
        assert!(
            mine.body.contains(&format!("<code>{action}</code>")),
            "timeline: {action}"
        );
    }

    let outsider = app.login("outsider").await;
    let (outsider, _) = cookie_of(&outsider);
    let theirs = get(&app, "/sites", outsider).await;
    assert!(theirs.body.contains("客户站") && !theirs.body.contains("主站"));
}

#[tokio::test]
async fn the_sites_list_searches_and_filters_by_severity() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);

    let found = get(&app, "/sites?q=www.example", session).await;
    assert!(found.body.contains("主站"), "{}", found.body);
    let missed = get(&app, "/sites?q=nothing-like-it", session).await;
    assert!(!missed.body.contains("主站"));

    // The seeded findings are high.
    let high = get(&app, "/sites?severity=high", session).await;
    assert!(high.body.contains("主站"));
    assert!(
        high.body
            .contains("<span class=\"badge sev-high\">高</span> 2"),
        "worst severity and count: {}",
        high.body
    );
    let critical = get(&app, "/sites?severity=critical", session).await;
    assert!(!critical.body.contains(">主站<"), "{}", critical.body);
    let bad = get(&app, "/sites?page=x", session).await;
    assert_eq!(
        bad.status,
        StatusCode::OK,
        "a bad query shows the first page"
    );
}

/// The sites list's bulk form: tick sites, add or remove a tag, check now; the tag filter
/// and the tag drop-down follow; viewers, forged tokens, bad tags and other organisations'
/// sites are refused.
#[tokio::test]
async fn operators_tag_and_check_ticked_sites_in_bulk() {
    let app = App::new().await;
    let operator = app.login("operator").await;
    let (session, csrf) = cookie_of(&operator);
    let site = app.seed.site;
    let list = get(&app, "/sites", session).await;
    assert!(
        list.body
            .contains(&format!("name=\"site\" value=\"{site}\"")),
        "a checkbox per row for operators: {}",
        list.body
    );
    let back = "%2Fsites%3Fpage%3D1";
    let add = |tag: &str| format!("csrf={csrf}&back={back}&action=add_tag&tag={tag}&site={site}");
    let added = post_form(&app, "/sites/bulk", session, &add("%E5%AE%A2%E6%88%B7A")).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), "/sites?page=1");
    let filtered = get(&app, "/sites?tag=%E5%AE%A2%E6%88%B7A", session).await;
    assert!(filtered.body.contains("主站"), "{}", filtered.body);
    assert!(filtered.body.contains("<span class=\"tag\">客户A</span>"));
    assert!(
        filtered.body.contains("客户A (1)"),
        "the drop-down offers the tag with its count: {}",
        filtered.body
    );
    let other_tag = get(&app, "/sites?tag=nobody", session).await;
    assert!(!other_tag.body.contains(">主站<"), "{}", other_tag.body);

    let forged = post_form(
        &app,
        "/sites/bulk",
        session,
        &format!("csrf=x&action=check_now&site={site}"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let bad_tag = post_form(&app, "/sites/bulk", session, &add("a%3Bb")).await;
    assert_eq!(bad_tag.status, StatusCode::BAD_REQUEST, "{}", bad_tag.body);
    assert!(bad_tag.body.contains("分隔符"), "{}", bad_tag.body);
    let nothing = post_form(
        &app,
        "/sites/bulk",
        session,
        &format!("csrf={csrf}&action=check_now"),
    )
    .await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    let theirs = post_form(
        &app,
        "/sites/bulk",
        session,
        &format!(
            "csrf={csrf}&action=check_now&site={site}&site={}",
            app.seed.other_site
        ),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);

    let checked = post_form(
        &app,
        "/sites/bulk",
        session,
        &format!("csrf={csrf}&action=check_now&site={site}"),
    )
    .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let removed = post_form(
        &app,
        "/sites/bulk",
        session,
        &format!("csrf={csrf}&action=remove_tag&tag=%E5%AE%A2%E6%88%B7A&site={site}"),
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let untagged = get(&app, "/sites?tag=%E5%AE%A2%E6%88%B7A", session).await;
    assert!(!untagged.body.contains(">主站<"), "{}", untagged.body);

    let viewer = app.login("viewer").await;
    let (viewer_session, viewer_csrf) = cookie_of(&viewer);
    let viewer_list = get(&app, "/sites", viewer_session).await;
    assert!(!viewer_list.body.contains("name=\"site\""));
    let refused = post_form(
        &app,
        "/sites/bulk",
        viewer_session,
        &format!("csrf={viewer_csrf}&action=check_now&site={site}"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn operators_suppress_findings_with_a_reason_and_a_date() {
    let app = App::new().await;
    let operator = app.login("operator").await;
    let (session, csrf) = cookie_of(&operator);
    let findings = get(&app, "/findings", session).await;
    assert_eq!(findings.status, StatusCode::OK);
    assert!(
        findings
            .body
            .contains(&format!("/findings/{}/suppress", app.seed.finding))
    );

    let path = format!("/findings/{}/suppress", app.seed.finding);
    let until = (Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let forged = post_form(
        &app,
        &path,
        session,
        &format!("csrf=x&reason=ok&until={until}"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_reason = post_form(
        &app,
        &path,
        session,
        &format!("csrf={csrf}&reason=+&until={until}"),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let bad_date = post_form(
        &app,
        &path,
        session,
        &format!("csrf={csrf}&reason=ok&until=soon"),
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(bad_date.body.contains("YYYY-MM-DD"));

    let done = post_form(
        &app,
        &path,
        session,
        &format!("csrf={csrf}&reason=%E6%B5%8B%E8%AF%95%E7%AB%99&until={until}&back=/findings"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/findings");
    let stored = app
        .state
        .store()
        .get_finding(app.seed.finding)
        .await
        .expect("read")
        .expect("finding");
    assert_eq!(stored.state, FindingState::Suppressed);
    assert_eq!(stored.suppression.expect("suppression").reason, "测试站");

    let ack = format!("/findings/{}/acknowledge", app.seed.second_finding);
    let acked = post_form(
        &app,
        &ack,
        session,
        &format!("csrf={csrf}&back=//evil.example/"),
    )
    .await;
    assert_eq!(acked.status, StatusCode::SEE_OTHER);
    assert_eq!(acked.location(), "/findings", "no redirect off the site");

    let theirs = format!("/findings/{}/acknowledge", app.seed.other_finding);
    let hidden = post_form(&app, &theirs, session, &format!("csrf={csrf}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    let viewer = app.login("viewer").await;
    let (viewer_session, viewer_csrf) = cookie_of(&viewer);
    let page = get(&app, "/findings", viewer_session).await;
    assert!(!page.body.contains("/acknowledge"), "viewers see no forms");
    let refused = post_form(&app, &ack, viewer_session, &format!("csrf={viewer_csrf}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_case_board_the_language_switch_and_the_stylesheet() {
    let app = App::new().await;
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);
    let board = get(&app, "/cases", session).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("注销网站备案") && board.body.contains("草稿"));

    let switch = get(&app, "/lang?set=en&back=/cases", session).await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/cases");
    assert!(
        switch
            .set_cookie()
            .iter()
            .any(|c| c.starts_with("lang=en;"))
    );
    let english = get(&app, "/cases", &format!("{session}; lang=en")).await;
    assert!(english.body.contains("Case board") && english.body.contains("draft"));
    assert!(english.body.contains("lang=\"en\""));
    let away = get(&app, "/lang?set=zh&back=https://evil.example/", session).await;
    assert_eq!(away.location(), "/");

    let css = get(&app, "/static/app.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/css; charset=utf-8")
    );
    assert!(css.body.contains(".badge"));
}

#[tokio::test]
async fn operators_tick_case_checklist_items() {
    let app = App::new().await;
    let checklist = checklist_for(CaseKind::PsbCancel, SubjectKind::Company);
    let item = checklist
        .first()
        .expect("a PSB cancellation has materials")
        .id
        .clone();
    let case = app
        .state
        .store()
        .open_case(
            "test",
            &CaseDraft {
                kind: CaseKind::PsbCancel,
                subject_id: None,
                site_id: Some(app.seed.site),
                filing_id: None,
                finding_id: None,
                title: "注销公安备案 <b>x</b>".to_owned(),
                checklist,
                deadlines: Vec::new(),
                reference_date: None,
            },
        )
        .await
        .expect("open case");
    let operator = app.login("operator").await;
    let (session, csrf) = cookie_of(&operator);
    let path = format!("/cases/{}", case.id);
    let page = get(&app, &path, session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("注销公安备案 &#60;b&#62;x&#60;/b&#62;")
            || page.body.contains("&lt;b&gt;")
    );
    assert!(
        page.body.contains(&format!("value=\"{item}\"")),
        "a tick form per item"
    );

    let tick = format!("{path}/tick");
    let forged = post_form(&app, &tick, session, &format!("csrf=x&item={item}&done=1")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = post_form(
        &app,
        &tick,
        session,
        &format!("csrf={csrf}&item=nope&done=1"),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let ticked = post_form(
        &app,
        &tick,
        session,
        &format!("csrf={csrf}&item={item}&done=1"),
    )
    .await;
    assert_eq!(ticked.status, StatusCode::SEE_OTHER, "{}", ticked.body);
    assert_eq!(ticked.location(), path);
    let stored = app
        .state
        .store()
        .get_case(case.id)
        .await
        .expect("read")
        .expect("case");
    assert!(stored.checklist.iter().any(|i| i.id == item && i.done));
    let again = get(&app, &path, session).await;
    assert!(
        again.body.contains("<code>tick</code>"),
        "history shows the tick"
    );

    let outsider = app.login("outsider").await;
    let (outsider, _) = cookie_of(&outsider);
    assert_eq!(
        get(&app, &path, outsider).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_overview_lists_domains_expiring_within_90_days_of_visible_sites() {
    let app = App::new().await;
    let today = Utc::now().date_naive();
    let domain = |name: &str, days: i64| Change::Insert {
        record: Record::Domain(Domain {
            id: 0,
            name: name.to_owned(),
            unicode_name: name.to_owned(),
            website_id: None,
            registrar: String::new(),
            holder: String::new(),
            expires_on: Some(today + chrono::Duration::days(days)),
            expiry_source: None,
            notes: String::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }),
        links: Links::default(),
    };
    let on = |site: i64, change: Change| match change {
        Change::Insert { record, .. } => Change::Insert {
            record,
            links: Links {
                website: Some(RecordRef::Stored(site)),
                ..Links::default()
            },
        },
        other => other,
    };
    app.state
        .store()
        .apply(
            "test",
            &[
                on(app.seed.site, domain("soon.example.cn", 20)),
                on(app.seed.site, domain("later.example.cn", 200)),
                on(app.seed.other_site, domain("theirs.example.com", 10)),
            ],
        )
        .await
        .expect("domains");
    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);
    let overview = get(&app, "/", session).await;
    assert!(
        overview.body.contains("soon.example.cn"),
        "{}",
        overview.body
    );
    assert!(
        !overview.body.contains("later.example.cn"),
        "beyond 90 days"
    );
    assert!(
        !overview.body.contains("theirs.example.com"),
        "another organisation's"
    );
    assert!(overview.body.contains("高 2"), "the chart's high bar");
}
