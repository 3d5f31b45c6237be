//! `kill -9` in the middle of `beian scan --all`, then a rerun: the same unresolved findings
//! as an uninterrupted scan of the same portfolio on a second database, none twice, and the
//! auto-opened cases once.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;

use crate::Workspace;
use crate::scan::{SCAN_ALL, ScanLab, run, text};

/// Kills the scan however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `beian scan --all` as a child process, as a user would start it.
fn spawn_scan(lab: &ScanLab, workspace: &Workspace) -> Running {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .current_dir(workspace.path())
        .env_remove("BEIAN_CONFIG")
        .env_remove("BEIAN_DATABASE")
        .env_remove("BEIAN_LANG")
        .env_remove("BEIAN_DNS_NAMESERVERS")
        .env_remove("BEIAN_TIMEOUT")
        .env_remove("BEIAN_HTTP_PERSONAS")
        .env_remove("BEIAN_ALLOW_PRIVATE")
        .env_remove("RUST_LOG")
        .env("BEIAN_TODAY", lab.today())
        .arg("--config")
        .arg(workspace.config_path())
        .args(SCAN_ALL)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start beian scan");
    Running(child)
}

/// Runs one SQL query returning rows of text on the workspace's database.
fn query(database: &Path, sql: &str) -> Vec<Vec<String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for sqlx");
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=ro", database.display());
        let mut connection = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("open the database read-only");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(&mut connection)
            .await
            .expect("query the database");
        let out = rows
            .iter()
            .map(|row| {
                use sqlx::Row;
                (0..row.len())
                    .map(|i| {
                        row.try_get::<String, _>(i)
                            .or_else(|_| row.try_get::<i64, _>(i).map(|n| n.to_string()))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let _ = connection.close().await;
        out
    })
}

fn count(database: &Path, sql: &str) -> usize {
    query(database, sql)
        .first()
        .and_then(|row| row.first())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// (home URL, rule, key) of every unresolved finding; panics on a duplicate.
fn unresolved(lab: &ScanLab, workspace: &Workspace) -> BTreeSet<(String, String, String)> {
    let output = run(
        lab,
        workspace,
        &["findings", "list", "--json", "--limit", "0"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let listed: Value = serde_json::from_slice(&output.stdout).expect("findings JSON");
    let urls: std::collections::BTreeMap<String, String> = query(
        &workspace.database_path(),
        "SELECT CAST(id AS TEXT), home_url FROM websites",
    )
    .into_iter()
    .map(|row| (row[0].clone(), row[1].clone()))
    .collect();
    let items = listed["items"].as_array().expect("items");
    let set: BTreeSet<(String, String, String)> = items
        .iter()
        .map(|f| {
            let site = f["site_id"].as_i64().expect("site").to_string();
            (
                urls.get(&site).cloned().unwrap_or(site),
                f["rule_id"].as_str().expect("rule").to_owned(),
                f["key"].as_str().expect("key").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        set.len(),
        items.len(),
        "a finding is listed twice: {listed:#}"
    );
    set
}

/// (home URL, case kind, rule of the finding that opened it) of every case.
fn cases(workspace: &Workspace) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = query(
        &workspace.database_path(),
        "SELECT w.home_url, c.kind, f.rule_id FROM cases c \
         JOIN websites w ON w.id = c.site_id JOIN findings f ON f.id = c.finding_id",
    )
    .into_iter()
    .map(|row| (row[0].clone(), row[1].clone(), row[2].clone()))
    .collect();
    rows.sort();
    rows
}

#[test]
fn kill_nine_then_rerun_equals_an_uninterrupted_scan() {
    let lab = ScanLab::start();

    // Two sites at a time, so the kill lands with most of the portfolio still to do.
    let killed = lab.workspace(2);
    let database = killed.database_path();
    let sites = count(&database, "SELECT COUNT(*) FROM websites");
    let scan = spawn_scan(&lab, &killed);
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(&database, "SELECT COUNT(*) FROM observations") < 4 {
        assert!(
            Instant::now() < deadline,
            "the scan recorded no site in time"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(scan); // SIGKILL, then reap.
    let done = count(&database, "SELECT COUNT(*) FROM observations");
    assert!(
        done < sites,
        "the scan finished before the kill ({done} of {sites})"
    );
    assert_eq!(
        count(
            &database,
            "SELECT COUNT(*) FROM scans WHERE finished_at IS NULL"
        ),
        1,
        "the killed scan stays unfinished"
    );
    let cases_before = cases(&killed).len();

    let rerun = run(&lab, &killed, &SCAN_ALL);
    assert!(rerun.status.success(), "rerun: {}", text(&rerun.stderr));

    let clean = lab.workspace(16);
    let whole = run(&lab, &clean, &SCAN_ALL);
    assert!(whole.status.success(), "scan: {}", text(&whole.stderr));

    let after_kill = unresolved(&lab, &killed);
    let uninterrupted = unresolved(&lab, &clean);
    assert!(!uninterrupted.is_empty());
    assert_eq!(
        after_kill,
        uninterrupted,
        "missing after the kill: {:?}\nextra after the kill: {:?}",
        uninterrupted.difference(&after_kill).collect::<Vec<_>>(),
        after_kill.difference(&uninterrupted).collect::<Vec<_>>()
    );
    // Each case once, whichever run opened it.
    let opened = cases(&killed);
    assert_eq!(
        opened,
        cases(&clean),
        "cases opened ({cases_before} before the rerun)"
    );
    let distinct: BTreeSet<_> = opened.iter().map(|(url, kind, _)| (url, kind)).collect();
    assert_eq!(
        distinct.len(),
        opened.len(),
        "a case was opened twice: {opened:?}"
    );

    // The chain survived the kill.
    let verify = run(&lab, &killed, &["audit-log", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}
