//! The audit chain names the first entry someone edited or removed behind the store's back.

use beian_core::audit::{ChainBreak, ChainVerdict};
use beian_core::model::{Change, Links};
use beian_store::Store;

use crate::support::{TestDb, subject};

on_every_backend!(edited_and_removed_entries_are_named);

async fn edited_and_removed_entries_are_named(db: &TestDb) {
    let changes: Vec<Change> = ["甲公司", "乙公司", "丙公司"]
        .iter()
        .enumerate()
        .map(|(n, name)| Change::Insert {
            record: subject(name, &format!("9111000000000000{n}X")),
            links: Links::default(),
        })
        .collect();
    db.store
        .apply("cli:alice", &changes)
        .await
        .expect("three inserts");
    assert!(matches!(
        db.store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Intact { entries: 3, .. }
    ));

    // The database itself refuses edits of the log ...
    let update =
        r#"UPDATE audit_log SET "after" = replace("after", '乙公司', '丁公司') WHERE seq = 2"#;
    assert!(
        db.raw_execute(update).await.is_err(),
        "append-only trigger refuses UPDATE"
    );
    assert!(
        db.raw_execute("DELETE FROM audit_log WHERE seq = 2")
            .await
            .is_err(),
        "and DELETE"
    );

    // ... and once someone with enough rights removes that guard, the chain tells.
    let disable_guard = if db.is_postgres() {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
    } else {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    };
    db.raw_execute(disable_guard).await.expect("drop the guard");
    assert_eq!(db.raw_execute(update).await.expect("edit entry 2"), 1);
    assert_eq!(
        db.store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Broken {
            entries_checked: 1,
            seq: 2,
            reason: ChainBreak::HashMismatch
        }
    );

    assert_eq!(
        db.raw_execute("DELETE FROM audit_log WHERE seq = 2")
            .await
            .expect("delete entry 2"),
        1
    );
    assert_eq!(
        db.store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Broken {
            entries_checked: 1,
            seq: 3,
            reason: ChainBreak::SeqGap
        }
    );
}
