//! Bad input of every kind: a clear message naming the input and the fix, exit 2, and
//! the database exactly as it was (same audit log length, same records).

use sqlx::Connection;

use crate::Workspace;
use crate::inventory::{USCC, seed};

#[test]
fn invalid_identifier_on_entry_names_the_field() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let before = workspace.audit_len();
    let stderr = workspace.fails(
        2,
        &[
            "subject",
            "add",
            "--name",
            "坏公司",
            "--id-number",
            "91110108MA01ABCD1X",
        ],
    );
    assert!(
        stderr.contains("91110108MA01ABCD1X") && stderr.contains("id_number"),
        "{stderr}"
    );
    assert!(stderr.contains("修复 / fix"), "{stderr}");
    let stderr = workspace.fails(
        2,
        &["filing", "add", "京ICP备00000000号", "--subject", USCC],
    );
    assert!(stderr.contains("京ICP备00000000号"), "{stderr}");
    let stderr = workspace.fails(
        2,
        &[
            "site",
            "add",
            "--subject",
            USCC,
            "--name",
            "x",
            "--url",
            "https://x.example/",
            "--domain",
            "bad domain",
        ],
    );
    assert!(stderr.contains("bad domain"), "{stderr}");
    assert_eq!(workspace.audit_len(), before);
    assert_eq!(
        workspace.json(&["site", "list"])["total"],
        1,
        "no half-added site"
    );
}

#[test]
fn duplicate_record_is_refused() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let before = workspace.audit_len();
    let stderr = workspace.fails(
        2,
        &["subject", "add", "--name", "又一个", "--id-number", USCC],
    );
    assert!(stderr.contains(USCC), "{stderr}");
    assert_eq!(workspace.audit_len(), before);
}

#[test]
fn unknown_record_is_named_with_the_command_to_find_it() {
    let workspace = Workspace::initialised();
    let stderr = workspace.fails(2, &["site", "show", "https://nowhere.example/"]);
    assert!(
        stderr.contains("nowhere.example") && stderr.contains("beian site list"),
        "{stderr}"
    );
    workspace.fails(2, &["subject", "show", "42"]);
}

#[test]
fn bad_date_flag_is_an_input_error() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let stderr = workspace.fails(
        2,
        &["domain", "add", "example.org", "--expires", "2027-02-30"],
    );
    assert!(stderr.contains("2027-02-30"), "{stderr}");
}

#[test]
fn corrupt_database_names_the_file_and_the_fix() {
    let workspace = Workspace::initialised();
    let garbage =
        b"this is not a SQLite database, just some bytes that got here by mistake\n".repeat(100);
    std::fs::write(workspace.database_path(), &garbage).expect("corrupt the database");
    let stderr = workspace.fails(2, &["subject", "list"]);
    assert!(stderr.contains("beian.db"), "{stderr}");
    assert!(
        stderr.contains("backup") || stderr.contains("备份"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(workspace.database_path()).expect("read back"),
        garbage,
        "left as it was"
    );
}

#[test]
fn missing_database_says_run_init() {
    let workspace = Workspace::initialised();
    std::fs::remove_file(workspace.database_path()).expect("remove the database");
    let stderr = workspace.fails(2, &["subject", "list"]);
    assert!(
        stderr.contains("beian.db") && stderr.contains("beian init"),
        "{stderr}"
    );
    assert!(
        !workspace.database_path().exists(),
        "MustExist does not create it"
    );
}

/// Another process holds the write lock (here: this test, through sqlx): the write
/// waits out the busy timeout, then fails with exit 2 and nothing written.
#[tokio::test]
async fn locked_database_fails_cleanly() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let before = workspace.audit_len();
    let url = format!("sqlite://{}", workspace.database_path().display());
    let mut holder = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect to the test database");
    sqlx::raw_sql("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .expect("take the write lock");

    let stderr = workspace.fails(
        2,
        &[
            "subject",
            "add",
            "--name",
            "另一家",
            "--id-number",
            crate::inventory::OTHER_USCC,
        ],
    );
    assert!(
        stderr.contains("locked") || stderr.contains("占用"),
        "{stderr}"
    );

    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("release the lock");
    holder.close().await.expect("close");
    assert_eq!(workspace.audit_len(), before);
    assert_eq!(workspace.json(&["subject", "list"])["total"], 1);
}

#[test]
fn unknown_subcommand_and_flag_are_usage_errors() {
    let workspace = Workspace::initialised();
    workspace.fails(2, &["subject", "frobnicate"]);
    workspace.fails(2, &["subject", "list", "--colour"]);
    workspace.fails(2, &["subject", "list", "--page", "0"]);
}
