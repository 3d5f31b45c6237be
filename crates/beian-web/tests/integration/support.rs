//! A seeded store behind the router, signed-in callers, and request helpers.

use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use beian_core::case::{CaseDraft, CaseKind, checklist_for};
use beian_core::finding::{FindingDraft, Severity};
use beian_core::model::{
    Change, Links, Record, RecordRef, RecordStatus, Subject, SubjectKind, Website,
};
use beian_store::{
    DEFAULT_ORGANISATION, NewApiToken, NewUser, OpenMode, Role, Store, StoreLocation,
};
use beian_web::{AppState, PasswordCost, WebConfig};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// Cheap hashes: tests sign in many times; production keeps the OWASP cost.
pub fn config() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        password_cost: PasswordCost {
            memory_kib: 64,
            iterations: 1,
        },
        ..WebConfig::default()
    }
}

/// What the seeded store holds, by id.
pub struct Seed {
    /// In the default organisation, with the viewer, operator and admin.
    pub site: i64,
    /// In the other organisation, with the outsider.
    pub other_site: i64,
    pub finding: i64,
    pub second_finding: i64,
    pub other_finding: i64,
    pub case: i64,
    pub other_organisation: i64,
    /// An API token of the admin (id), to revoke.
    pub admin_token_id: i64,
    /// An operator API token's secret.
    pub operator_token: String,
    /// The operator's user id.
    pub operator: i64,
}

pub struct App {
    pub router: Router,
    pub state: AppState,
    pub seed: Seed,
    _dir: tempfile::TempDir,
}

fn website(name: &str, url: &str) -> Record {
    let at = DateTime::UNIX_EPOCH;
    Record::Website(Website {
        id: 0,
        subject_id: 0,
        name: name.to_owned(),
        home_url: url.to_owned(),
        access_providers: Vec::new(),
        tags: Vec::new(),
        server_ips: Vec::new(),
        go_live_on: None,
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: at,
        updated_at: at,
    })
}

fn draft(site_id: i64, rule_id: &str) -> FindingDraft {
    FindingDraft {
        rule_id: rule_id.to_owned(),
        site_id,
        key: String::new(),
        severity: Severity::High,
        explanation_zh: "<script>alert(1)</script> 标题被篡改".to_owned(),
        explanation_en: "title replaced".to_owned(),
        evidence: serde_json::json!({ "title": "<script>alert(1)</script>" }),
    }
}

async fn user(store: &impl Store, name: &str, role: Role, organisation: i64, hash: &str) -> i64 {
    store
        .create_user(
            "test",
            &NewUser {
                name,
                password_hash: hash,
                role,
                organisations: &[organisation],
            },
        )
        .await
        .expect("create user")
        .id
}

impl App {
    pub async fn new() -> App {
        App::with_config(config()).await
    }

    /// The seeded store behind a router with `config`, and the state for serving it.
    pub async fn with_config(config: WebConfig) -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = beian_store::open(
            &StoreLocation::Sqlite(dir.path().join("beian.db")),
            OpenMode::CreateIfMissing,
        )
        .await
        .expect("open store");
        let subject = Record::Subject(Subject {
            id: 0,
            name: "示例科技有限公司".to_owned(),
            kind: SubjectKind::Company,
            id_number: "91110108MA01ABCD2X".to_owned(),
            principal: "张三".to_owned(),
            province: None,
            status: RecordStatus::Active,
            closed_on: None,
            notes: String::new(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        });
        let linked = Links {
            subject: Some(RecordRef::New(0)),
            ..Links::default()
        };
        let stored = store
            .apply(
                "test",
                &[
                    Change::Insert {
                        record: subject,
                        links: Links::default(),
                    },
                    Change::Insert {
                        record: website("主站", "https://www.example.cn/"),
                        links: linked,
                    },
                    Change::Insert {
                        record: website("客户站", "https://client.example.com/"),
                        links: linked,
                    },
                ],
            )
            .await
            .expect("seed sites");
        let (site, other_site) = (stored[1].id(), stored[2].id());
        let other = store
            .create_organisation("test", "客户乙", &[])
            .await
            .expect("organisation");
        store
            .set_site_organisation("test", other_site, other.id)
            .await
            .expect("move site");

        let scan = store.begin_scan("test", "all").await.expect("scan");
        let now = Utc::now();
        let mine = store
            .record_site_judgement(
                "test",
                scan.id,
                site,
                None,
                &[draft(site, "hijack.title"), draft(site, "psb.missing")],
                now,
            )
            .await
            .expect("judge");
        let theirs = store
            .record_site_judgement(
                "test",
                scan.id,
                other_site,
                None,
                &[draft(other_site, "psb.missing")],
                now,
            )
            .await
            .expect("judge");
        let case = store
            .open_case(
                "test",
                &CaseDraft {
                    kind: CaseKind::IcpCancelWebsite,
                    subject_id: None,
                    site_id: Some(site),
                    filing_id: None,
                    finding_id: None,
                    title: "注销网站备案".to_owned(),
                    checklist: checklist_for(CaseKind::IcpCancelWebsite, SubjectKind::Company),
                    deadlines: Vec::new(),
                    reference_date: None,
                },
            )
            .await
            .expect("open case");

        let hash = beian_web::auth::hash_password(PASSWORD.to_owned(), config.password_cost)
            .await
            .expect("hash");
        user(&store, "viewer", Role::Viewer, DEFAULT_ORGANISATION, &hash).await;
        let operator = user(
            &store,
            "operator",
            Role::Operator,
            DEFAULT_ORGANISATION,
            &hash,
        )
        .await;
        let admin = user(&store, "admin", Role::Admin, DEFAULT_ORGANISATION, &hash).await;
        user(&store, "outsider", Role::Admin, other.id, &hash).await;
        let admin_token = store
            .create_api_token(
                "test",
                &NewApiToken {
                    user_id: admin,
                    name: "ci",
                    role: Role::Viewer,
                    token: &"a".repeat(64),
                },
            )
            .await
            .expect("token");
        let operator_token = "o".repeat(64);
        store
            .create_api_token(
                "test",
                &NewApiToken {
                    user_id: operator,
                    name: "bot",
                    role: Role::Operator,
                    token: &operator_token,
                },
            )
            .await
            .expect("token");

        let state = AppState::new(store, config).await;
        App {
            router: beian_web::router(state.clone()),
            state,
            seed: Seed {
                site,
                other_site,
                finding: mine.opened[0].id,
                second_finding: mine.opened[1].id,
                other_finding: theirs.opened[0].id,
                case: case.id,
                other_organisation: other.id,
                admin_token_id: admin_token.id,
                operator_token,
                operator,
            },
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
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
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
        }
    }

    /// Signs in through the API; the session cookie and CSRF token.
    pub async fn login(&self, name: &str) -> Caller {
        let reply = self
            .send(
                request(Method::POST, "/api/v1/session")
                    .json(serde_json::json!({ "name": name, "password": PASSWORD })),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {name}: {:?}",
            reply.json
        );
        let set_cookie = reply
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("session cookie set")
            .to_owned();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{set_cookie}");
        }
        let cookie = set_cookie
            .split(';')
            .next()
            .expect("name=value first")
            .to_owned();
        let csrf = reply.json["csrf_token"]
            .as_str()
            .expect("csrf token in the answer")
            .to_owned();
        Caller::Session { cookie, csrf }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

/// Who sends a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Session { cookie: String, csrf: String },
    Bearer(String),
}

/// A request under construction.
pub struct RequestBuilder {
    builder: axum::http::request::Builder,
}

pub fn request(method: Method, path: &str) -> RequestBuilder {
    let mut builder = Request::builder().method(method).uri(path);
    // As `into_make_service_with_connect_info` would add it.
    builder = builder.extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    RequestBuilder { builder }
}

impl RequestBuilder {
    pub fn sent_from(mut self, ip: [u8; 4]) -> Self {
        self.builder = self
            .builder
            .extension(ConnectInfo(SocketAddr::from((ip, 40000))));
        self
    }

    /// Credentials of `caller`; with a session, the CSRF header only when `csrf` is set.
    pub fn caller(mut self, caller: &Caller, csrf: bool) -> Self {
        match caller {
            Caller::Anonymous => {}
            Caller::Session {
                cookie,
                csrf: token,
            } => {
                self.builder = self.builder.header(header::COOKIE, cookie);
                if csrf {
                    self.builder = self.builder.header("x-csrf-token", token);
                }
            }
            Caller::Bearer(token) => {
                self.builder = self
                    .builder
                    .header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
        }
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn json(self, body: Value) -> Request<Body> {
        self.builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("valid request")
    }

    /// A raw body of `content_type` (an uploaded file).
    pub fn raw(self, content_type: &str, body: String) -> Request<Body> {
        self.builder
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("valid request")
    }

    pub fn empty(self) -> Request<Body> {
        self.builder.body(Body::empty()).expect("valid request")
    }
}

/// A time a suppression may run until.
pub fn next_week() -> String {
    (Utc::now() + Duration::days(7)).to_rfc3339()
}
