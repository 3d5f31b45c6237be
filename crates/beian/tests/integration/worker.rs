//! `beian worker`: the scheduler without the web server, sharing the queue in the database
//! with `beian serve` and other workers. Two lab sites are made due; a worker and a server
//! race for them, and each site is scanned exactly once and its one problem announced in
//! exactly one webhook message; the server's `/metrics` shows its scheduler and the queue.
//! Then two workers at once send the daily digest once.

use std::time::{Duration, Instant};

use beian_lab::ScenarioKind;
use serde_json::Value;

use crate::Workspace;
use crate::notify::Recorder;
use crate::scan::{ScanLab, run, text};
use crate::serve::Server;

/// Long before and long after every test: runs set to these are due now, or never.
const PAST: &str = "2000-01-01T00:00:00.000000Z";
const FUTURE: &str = "2999-01-01T00:00:00.000000Z";

/// Runs `sql` statements on the workspace's SQLite database behind beian's back.
fn sql(workspace: &Workspace, statements: &[(&str, Vec<String>)]) -> Vec<Vec<String>> {
    use sqlx::{Connection, Row};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for sqlx");
    runtime.block_on(async {
        let url = format!("sqlite://{}", workspace.database_path().display());
        let mut connection = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("open the test database");
        let mut out = Vec::new();
        for (statement, binds) in statements {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(*statement));
            for bind in binds {
                query = query.bind(bind.as_str());
            }
            let rows = query
                .fetch_all(&mut connection)
                .await
                .expect("the statement runs");
            out.push(
                rows.iter()
                    .map(|row| {
                        row.try_get::<String, _>(0)
                            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
                            .unwrap_or_default()
                    })
                    .collect(),
            );
        }
        connection.close().await.expect("close");
        out
    })
}

/// `beian worker --once` started in the background (assert_cmd only runs to the end).
fn worker(lab: &ScanLab, workspace: &Workspace) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .current_dir(workspace.path())
        .env_remove("BEIAN_CONFIG")
        .env_remove("BEIAN_DATABASE")
        .env_remove("BEIAN_LANG")
        .env_remove("RUST_LOG")
        .env("USER", "tester")
        .env("BEIAN_TODAY", lab.today())
        .args(["worker", "--once"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start beian worker")
}

fn finish(child: std::process::Child) {
    let output = child.wait_with_output().expect("the worker ends");
    assert!(output.status.success(), "worker: {}", text(&output.stderr));
}

fn webhook(name: &str, port: u16, mode: &str) -> String {
    format!(
        "\n[[notify.channels]]\nname = \"{name}\"\nkind = \"webhook\"\n\
         url = \"http://127.0.0.1:{port}/hook\"\nmode = \"{mode}\"\n"
    )
}

#[test]
fn a_worker_and_the_server_share_the_queue_and_announce_each_problem_once() {
    let lab = ScanLab::start();
    let workspace = lab.workspace(4);
    let ops = Recorder::start();
    let base = std::fs::read_to_string(workspace.config_path()).expect("read the config");
    let notify =
        "\n[notify]\nbase_url = \"http://127.0.0.1:8080/\"\ntimeout_ms = 5000\nattempts = 1\n";
    std::fs::write(
        workspace.config_path(),
        format!("{base}{notify}{}", webhook("ops", ops.port, "immediate")),
    )
    .expect("write the config");

    // A first round gives every imported site its first runs (spread ahead: nothing due).
    let first = run(&lab, &workspace, &["worker", "--once"]);
    assert!(first.status.success(), "worker: {}", text(&first.stderr));
    assert!(ops.bodies().is_empty(), "nothing was due");
    let scheduled = sql(
        &workspace,
        &[
            (
                "SELECT COUNT(*) FROM websites WHERE status = 'active'",
                vec![],
            ),
            ("SELECT COUNT(*) FROM check_schedule", vec![]),
        ],
    );
    let sites: usize = scheduled[0][0].parse().expect("a count");
    assert_eq!(
        scheduled[1][0],
        (sites * 4).to_string(),
        "four checks per site"
    );

    // Only two sites due now: 明远贸易 (one `domain.expiring` finding) and a healthy one.
    let expiring = lab
        .lab()
        .site(ScenarioKind::ExpiringSoon)
        .expect("scenario");
    let healthy = lab.lab().site(ScenarioKind::Healthy).expect("scenario");
    let mut ids = Vec::new();
    for site in [expiring, healthy] {
        let found = sql(
            &workspace,
            &[(
                "SELECT id FROM websites WHERE home_url = ?",
                vec![site.url.to_string()],
            )],
        );
        ids.push(found[0].first().cloned().expect("the site was imported"));
    }
    let mut statements = vec![
        (
            "UPDATE check_schedule SET next_run_at = ?",
            vec![FUTURE.to_owned()],
        ),
        (
            "UPDATE site_schedule SET next_run_at = ?",
            vec![FUTURE.to_owned()],
        ),
    ];
    for id in &ids {
        statements.push((
            "UPDATE check_schedule SET next_run_at = ? WHERE site_id = CAST(? AS INTEGER)",
            vec![PAST.to_owned(), id.clone()],
        ));
        statements.push((
            "UPDATE site_schedule SET next_run_at = ? WHERE site_id = CAST(? AS INTEGER)",
            vec![PAST.to_owned(), id.clone()],
        ));
    }
    sql(&workspace, &statements);

    // The server (its scheduler on) and a worker race for the two due sites.
    let config = workspace.config_path();
    let config = config.to_str().expect("a UTF-8 temp path");
    let today = lab.today();
    let server = Server::spawn_with_env(
        &workspace,
        &["--config", config, "serve", "--bind", "127.0.0.1:0"],
        &[("BEIAN_TODAY", today.as_str())],
    );
    finish(worker(&lab, &workspace));
    let deadline = Instant::now() + Duration::from_secs(60);
    let scanned = |workspace: &Workspace| {
        ids.iter()
            .map(|id| {
                sql(
                    workspace,
                    &[(
                        "SELECT COUNT(*) FROM observations WHERE site_id = CAST(? AS INTEGER)",
                        vec![id.clone()],
                    )],
                )[0][0]
                    .clone()
            })
            .collect::<Vec<_>>()
    };
    while scanned(&workspace) != ["1", "1"] || ops.bodies().is_empty() {
        assert!(
            Instant::now() < deadline,
            "not scanned in time: {:?}, {} messages",
            scanned(&workspace),
            ops.bodies().len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Give a wrongly doubled scan or message time to show before counting.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(scanned(&workspace), ["1", "1"], "each site scanned once");
    let bodies = ops.bodies();
    assert_eq!(bodies.len(), 1, "one message for one problem: {bodies:#?}");
    let message: Value = serde_json::from_str(&bodies[0]).expect("the webhook body is JSON");
    let events = message["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{message:#}");
    assert_eq!(events[0]["site_name"], "明远贸易", "{message:#}");
    assert_eq!(events[0]["rule_id"], "domain.expiring", "{message:#}");
    // Each check ran once and is next due on its own interval, not now.
    let pending = sql(
        &workspace,
        &[(
            "SELECT COUNT(*) FROM check_schedule WHERE next_run_at <= ? OR lease_until IS NOT NULL",
            vec![chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)],
        )],
    );
    assert_eq!(pending[0][0], "0", "every check of the due sites ran");
    // The server's /metrics shows its scheduler and the (now empty) queue.
    let (status, _, metrics) = server.request("GET", "/metrics", &[], None);
    assert_eq!(status, 200, "{metrics}");
    for line in [
        r#"beian_checks_due{check="dns"} 0"#,
        r#"beian_checks_due{check="registration"} 0"#,
        r#"beian_scans_total{outcome="failed"} 0"#,
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in\n{metrics}"
        );
    }
    assert!(
        metrics.lines().any(|l| {
            l.strip_prefix("beian_scheduler_last_tick_timestamp_seconds ")
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|at| at > 1.0e9)
        }),
        "the server's scheduler ran a round: {metrics}"
    );
    drop(server);

    // The daily digest: two workers at once, one digest.
    let daily = Recorder::start();
    std::fs::write(
        workspace.config_path(),
        format!(
            "{base}{notify}{}{}",
            webhook("ops", ops.port, "immediate"),
            webhook("daily", daily.port, "digest")
        ),
    )
    .expect("write the config");
    let workers = [worker(&lab, &workspace), worker(&lab, &workspace)];
    for child in workers {
        finish(child);
    }
    finish(worker(&lab, &workspace));
    let digests = daily.bodies();
    assert_eq!(digests.len(), 1, "one digest a day: {digests:#?}");
    assert!(digests[0].contains("明远贸易"), "{}", digests[0]);
    assert_eq!(
        ops.bodies().len(),
        1,
        "nothing new for the immediate channel"
    );
}
