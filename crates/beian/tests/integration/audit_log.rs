//! `beian audit-log`: intact after ordinary writes; an edit behind the store's back
//! is found and named (exit 1).

use sqlx::Connection;

use crate::Workspace;
use crate::inventory::{USCC, seed};

#[test]
fn chain_is_intact_after_writes() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace.ok(&["subject", "edit", USCC, "--principal", "李四"]);
    let verdict = workspace.json(&["audit-log", "verify"]);
    assert_eq!(verdict["status"], "intact");
    // subject + site + 2 domains + edit
    assert_eq!(verdict["entries"], 5);
    let stdout = workspace.ok(&["audit-log", "verify"]);
    assert!(
        stdout.contains("intact") && stdout.contains('5'),
        "{stdout}"
    );

    let entries = workspace.json(&["audit-log", "list", "--entity", "subject"]);
    let entries = entries.as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert!(
        entries.iter().all(|e| e["actor"] == "cli:tester"),
        "{entries:?}"
    );
    assert_eq!(entries[1]["action"], "update");
    workspace.fails(2, &["audit-log", "list", "--entity", "planet"]);
}

#[tokio::test]
async fn edited_entry_is_named_with_exit_1() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let url = format!("sqlite://{}", workspace.database_path().display());
    let mut connection = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect to the test database");
    // Someone with file access drops the append-only trigger and rewrites history.
    sqlx::raw_sql(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2;",
    )
    .execute(&mut connection)
    .await
    .expect("tamper with the audit log");
    connection.close().await.expect("close");

    let stderr = workspace.fails(1, &["audit-log", "verify"]);
    assert!(stderr.contains("seq 2"), "{stderr}");
    let output = workspace
        .beian()
        .args(["audit-log", "verify", "--json"])
        .output()
        .expect("run beian");
    assert_eq!(output.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON verdict");
    assert_eq!(verdict["status"], "broken");
    assert_eq!(verdict["seq"], 2);
    assert_eq!(verdict["reason"], "hash_mismatch");
}
