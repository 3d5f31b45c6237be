//! `beian serve` and `beian user`: the real binary serves the API on a port the system
//! picks; the test reads the bound address (and the first-run password) from stderr, signs
//! in through `/api/v1/session` and lists the sites with the session cookie.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::Workspace;
use crate::inventory::seed;

/// The tests of the API keep the scheduler off: it must not probe the seeded sites.
const NO_SCHEDULER: &[&str] = &["--no-scheduler"];

/// How long the server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `beian serve`, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    /// Every stderr line up to and including the "listening" one.
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `beian serve --bind 127.0.0.1:0 EXTRA…`.
    fn start(workspace: &Workspace, extra: &[&str]) -> Server {
        let config = workspace.config_path();
        let config = config.to_str().expect("a UTF-8 temp path");
        let mut args = vec!["--config", config, "serve", "--bind", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        Server::spawn(workspace, &args)
    }

    /// `beian ARGS…`, for any command that ends up serving (`serve`, `demo`).
    pub(crate) fn spawn(workspace: &Workspace, args: &[&str]) -> Server {
        Server::spawn_with_env(workspace, args, &[])
    }

    /// [`Server::spawn`] with extra environment variables (`BEIAN_TODAY` for the lab).
    pub(crate) fn spawn_with_env(
        workspace: &Workspace,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Server {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .current_dir(workspace.path())
            .envs(envs.iter().copied())
            .env_remove("BEIAN_CONFIG")
            .env_remove("BEIAN_DATABASE")
            .env_remove("BEIAN_LANG")
            .env_remove("RUST_LOG")
            .env("USER", "tester")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start beian serve");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (lines, received) = mpsc::channel();
        // Reads stderr to its end so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let address = loop {
            let line = received
                .recv_timeout(START_TIMEOUT)
                .unwrap_or_else(|_| panic!("beian {args:?} did not start listening: {banner:?}"));
            banner.push(line.clone());
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("an address follows")
                    .to_owned();
            }
        };
        Server {
            child,
            address,
            banner,
        }
    }

    /// The password the first run printed, if it printed one.
    pub(crate) fn generated_password(&self) -> Option<String> {
        self.banner.iter().find_map(|line| {
            line.split("(shown only this once): ")
                .nth(1)
                .map(|password| password.trim().to_owned())
        })
    }

    /// One HTTP/1.0 request (no chunked answers); status, headers (lower-case names), body.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Vec<(String, String)>, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect to beian serve");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("set a read timeout");
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        if !body.is_empty() {
            request.push_str("Content-Type: application/json\r\n");
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream
            .write_all(request.as_bytes())
            .expect("send the request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"));
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        (status, headers, body.to_owned())
    }

    /// Signs in; the `name=value` of the session cookie, or the status when refused.
    fn login(&self, name: &str, password: &str) -> Result<String, u16> {
        let (status, headers, _) = self.request(
            "POST",
            "/api/v1/session",
            &[],
            Some(&serde_json::json!({ "name": name, "password": password })),
        );
        if status != 200 {
            return Err(status);
        }
        Ok(headers
            .iter()
            .filter(|(name, _)| name == "set-cookie")
            .find_map(|(_, value)| {
                value
                    .split(';')
                    .next()
                    .filter(|pair| pair.starts_with("beian_session="))
                    .map(str::to_owned)
            })
            .expect("a session cookie"))
    }

    fn sites(&self, cookie: &str) -> Value {
        let (status, _, body) = self.request("GET", "/api/v1/sites", &[("Cookie", cookie)], None);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("sites as JSON")
    }
}

#[test]
fn first_run_creates_an_admin_who_signs_in_and_lists_sites() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let server = Server::start(&workspace, NO_SCHEDULER);
    let password = server
        .generated_password()
        .unwrap_or_else(|| panic!("no first-run password in {:?}", server.banner));
    assert!(password.len() >= 12, "{password}");

    let (status, _, body) = server.request("GET", "/healthz", &[], None);
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = server.request("GET", "/api/v1/sites", &[], None);
    assert_eq!(status, 401, "no session, no sites");
    assert_eq!(server.login("admin", "not the password"), Err(401));

    let cookie = server
        .login("admin", &password)
        .expect("the admin signs in");
    let sites = server.sites(&cookie);
    assert_eq!(sites["total"], 1, "{sites}");
    assert_eq!(
        sites["items"][0]["home_url"], "https://www.example.com/",
        "{sites}"
    );
    drop(server);

    // The second start finds a user and creates none; the first password still works.
    let again = Server::start(&workspace, NO_SCHEDULER);
    assert_eq!(again.generated_password(), None, "{:?}", again.banner);
    assert!(again.login("admin", &password).is_ok());
    let users = workspace.json(&["user", "list"]);
    assert_eq!(users.as_array().map(Vec::len), Some(1), "{users}");
}

#[test]
fn user_add_takes_the_password_from_stdin_and_serve_keeps_it() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace
        .beian()
        .args([
            "user",
            "add",
            "alice",
            "--role",
            "operator",
            "--password-stdin",
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .success();
    let short = workspace
        .beian()
        .args(["user", "add", "bob", "--password-stdin"])
        .write_stdin("short\n")
        .output()
        .expect("run beian");
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("12"));
    let duplicate = workspace
        .beian()
        .args(["user", "add", "alice", "--password-stdin"])
        .write_stdin("another long password\n")
        .output()
        .expect("run beian");
    assert_eq!(duplicate.status.code(), Some(2));
    // Without --password-stdin a password is generated and shown once, on stderr only.
    let generated = workspace
        .beian()
        .args(["user", "add", "carol", "--role", "viewer"])
        .output()
        .expect("run beian");
    assert!(generated.status.success());
    assert!(String::from_utf8_lossy(&generated.stderr).contains("shown only this once"));
    assert!(generated.stdout.is_empty());

    let users = workspace.json(&["user", "list"]);
    let roles: Vec<(&str, &str)> = users
        .as_array()
        .expect("a list of users")
        .iter()
        .map(|user| {
            (
                user["name"].as_str().unwrap_or_default(),
                user["role"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(roles, [("alice", "operator"), ("carol", "viewer")]);

    let server = Server::start(&workspace, NO_SCHEDULER);
    assert_eq!(
        server.generated_password(),
        None,
        "users exist: no bootstrap"
    );
    let cookie = server
        .login("alice", "correct horse battery")
        .expect("alice signs in");
    assert_eq!(server.sites(&cookie)["total"], 1);
}

#[test]
fn serve_refuses_an_address_it_cannot_bind() {
    let workspace = Workspace::initialised();
    let stderr = workspace.fails(2, &["serve", "--bind", "not-an-address"]);
    assert!(stderr.contains("not-an-address"), "{stderr}");
}

#[test]
fn the_scheduler_gives_each_check_its_first_run_within_its_interval() {
    use beian_engine::ScheduledCheck;
    let workspace = Workspace::initialised();
    seed(&workspace);
    std::fs::write(
        workspace.config_path(),
        "[schedule]\nregistration_interval = \"1d\"\ndns_interval = \"2h\"\n\
         http_interval = \"3h\"\ntls_interval = \"1d\"\n",
    )
    .expect("write the config");
    let intervals = [
        (ScheduledCheck::Registration, chrono::Duration::days(1)),
        (ScheduledCheck::Dns, chrono::Duration::hours(2)),
        (ScheduledCheck::Http, chrono::Duration::hours(3)),
        (ScheduledCheck::Tls, chrono::Duration::days(1)),
    ];
    // The seeded site is id 1; each check's first run is its jitter after the start, far
    // enough ahead that this test never probes it.
    for (check, interval) in intervals {
        let offset = beian_engine::scheduler::jitter(1, check, interval);
        assert!(offset > chrono::Duration::minutes(5), "{check}: {offset}");
    }
    let before = chrono::Utc::now();
    let _server = Server::start(&workspace, &[]);
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    for (check, interval) in intervals {
        let offset = beian_engine::scheduler::jitter(1, check, interval);
        let next_run = loop {
            if let Some(next_run) = first_run_of(&workspace, 1, check.as_str()) {
                break next_run;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no first run was scheduled"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let after = chrono::Utc::now();
        assert!(
            next_run >= before + offset - chrono::Duration::milliseconds(1)
                && next_run <= after + offset,
            "{check}: {next_run} not {offset} after the start"
        );
    }
}

/// The stored `next_run_at` of a site's check, read behind the server's back.
fn first_run_of(
    workspace: &Workspace,
    site_id: i64,
    check: &str,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use sqlx::{Connection, Row};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for sqlx");
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=ro", workspace.database_path().display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await.ok()?;
        let row = sqlx::query(
            "SELECT next_run_at FROM check_schedule WHERE site_id = ? AND check_kind = ?",
        )
        .bind(site_id)
        .bind(check)
        .fetch_optional(&mut connection)
        .await
        .ok()??;
        let text: String = row.try_get("next_run_at").ok()?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|at| at.with_timezone(&chrono::Utc))
    })
}

/// `beian demo`: the lab, the portfolio of every scenario, the first scan and the dashboard
/// in one command; the printed password signs in and the API shows the scanned portfolio.
#[test]
fn demo_seeds_scans_and_serves_the_lab_portfolio() {
    let workspace = Workspace::empty();
    let dir = workspace.path().join("demo");
    let dir = dir.to_str().expect("a UTF-8 temp path");
    let server = Server::spawn(&workspace, &["demo", "--bind", "127.0.0.1:0", "--dir", dir]);
    let password = server
        .generated_password()
        .unwrap_or_else(|| panic!("no demo password in {:?}", server.banner));
    let cookie = server
        .login("admin", &password)
        .expect("the demo admin signs in");
    let sites = server.sites(&cookie);
    // Every lab scenario, topped up with the lab's healthy bulk sites to fifty.
    assert!(beian_lab::portfolio_rows().len() < 50);
    assert_eq!(sites["total"], 50, "{sites}");
    assert!(
        server
            .banner
            .iter()
            .any(|line| line.contains("demo ready: 50 个网站 sites")),
        "no timing line in {:?}",
        server.banner
    );

    // The portfolio's two groups arrive as tags through the import.
    let (status, _, body) = server.request(
        "GET",
        "/api/v1/sites?tag=%E5%B8%B8%E8%A7%84%E7%AB%99%E7%82%B9&per_page=1",
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(status, 200, "{body}");
    let bulk: Value = serde_json::from_str(&body).expect("sites as JSON");
    assert_eq!(
        bulk["total"].as_u64(),
        Some(50 - beian_lab::portfolio_rows().len() as u64),
        "{bulk}"
    );
    assert_eq!(bulk["items"][0]["tags"], serde_json::json!(["常规站点"]));

    let (status, _, body) = server.request(
        "GET",
        "/api/v1/findings?per_page=200",
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(status, 200, "{body}");
    let findings: Value = serde_json::from_str(&body).expect("findings as JSON");
    let rules: Vec<&str> = findings["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|finding| finding["rule_id"].as_str())
        .collect();
    for rule in [
        "domain.lapsed_filing_active",
        "content.hijack",
        "dns.takeover_risk",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    let (status, _, body) = server.request("GET", "/", &[("Cookie", &cookie)], None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("备案卫士"), "{body}");
}
