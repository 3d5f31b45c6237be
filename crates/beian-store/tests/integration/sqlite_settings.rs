//! The SQLite file is set up as DESIGN asks: WAL journal, so readers work while a
//! writer holds the lock.

use beian_core::model::{Change, Links};
use beian_store::{OpenMode, Store, StoreLocation};
use sqlx::{Connection, Row};

use crate::support::subject;

#[tokio::test]
async fn database_file_uses_wal_and_readers_are_not_blocked_by_a_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beian.db");
    let store = beian_store::open(
        &StoreLocation::Sqlite(path.clone()),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("create");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
    let mut raw = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("raw connection");
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .expect("journal mode")
        .get(0);
    assert_eq!(mode, "wal");

    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut raw)
        .await
        .expect("hold the write lock");
    let page = store
        .list(&beian_store::ListQuery::default())
        .await
        .expect("read while locked");
    assert_eq!(page.total, 0);
    sqlx::query("ROLLBACK")
        .execute(&mut raw)
        .await
        .expect("release");
    raw.close().await.expect("close");
    store
        .apply(
            "t",
            &[Change::Insert {
                record: subject("公司", "ID-1"),
                links: Links::default(),
            }],
        )
        .await
        .expect("write after release");
}
