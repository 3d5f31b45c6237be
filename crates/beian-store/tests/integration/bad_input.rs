//! A database that cannot be used gets an error naming it and the fix, and is left as it was.

use std::path::Path;
use std::time::Duration;

use beian_core::model::{Change, Links};
use beian_store::{OpenMode, SqliteOptions, SqliteStore, Store, StoreError, StoreLocation};
use sqlx::{Connection, Executor};

use crate::support::subject;

fn one_insert(id_number: &str) -> Vec<Change> {
    vec![Change::Insert {
        record: subject("某公司", id_number),
        links: Links::default(),
    }]
}

async fn open_sqlite(path: &Path, mode: OpenMode) -> Result<beian_store::AnyStore, StoreError> {
    beian_store::open(&StoreLocation::Sqlite(path.to_path_buf()), mode).await
}

#[tokio::test]
async fn missing_database_suggests_beian_init() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beian.db");
    let Err(error) = open_sqlite(&path, OpenMode::MustExist).await else {
        panic!("a missing file must not be opened");
    };
    assert!(matches!(error, StoreError::CannotOpen { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("beian init") && message.contains(&path.display().to_string()),
        "{message}"
    );
    assert!(!path.exists(), "MustExist creates nothing");
}

#[tokio::test]
async fn missing_directory_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-dir").join("beian.db");
    let Err(error) = open_sqlite(&path, OpenMode::CreateIfMissing).await else {
        panic!("the directory does not exist");
    };
    assert!(matches!(error, StoreError::CannotOpen { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-dir"), "{error}");
}

#[tokio::test]
async fn random_bytes_are_not_a_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beian.db");
    // Deterministic noise (xorshift), 8 KiB: no SQLite header anywhere.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(&path, &noise).expect("write noise");
    let Err(error) = open_sqlite(&path, OpenMode::MustExist).await else {
        panic!("random bytes opened as a database");
    };
    assert!(
        matches!(
            error,
            StoreError::NotADatabase { .. } | StoreError::Corrupt { .. }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("backup"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&path).expect("read back"),
        noise,
        "the file is left as it was"
    );
}

/// Whether this process can write into a directory its mode says is read-only; root
/// can (CAP_DAC_OVERRIDE), so chmod cannot make a read-only directory for it.
fn writes_ignore_permissions(dir: &Path) -> bool {
    std::fs::write(dir.join("probe"), b"x").is_ok()
}

#[cfg(unix)]
#[tokio::test]
async fn read_only_database_is_reported_and_left_unchanged() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beian.db");
    let store = open_sqlite(&path, OpenMode::CreateIfMissing)
        .await
        .expect("create");
    store
        .apply("cli:alice", &one_insert("ID-1"))
        .await
        .expect("seed");
    store.close().await;

    // A read-only open is the one way to deny writes that also holds for root.
    let read_only = SqliteStore::open(&SqliteOptions {
        read_only: true,
        ..SqliteOptions::new(&path, OpenMode::MustExist)
    })
    .await
    .expect("a read-only open succeeds");
    let error = read_only
        .apply("cli:alice", &one_insert("ID-2"))
        .await
        .expect_err("write refused");
    assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    read_only.close().await;

    // A read-only directory: only observable when permissions bind this user (tests
    // often run as root in containers, where chmod 555 does not stop writes).
    let locked_dir = dir.path().join("readonly");
    std::fs::create_dir(&locked_dir).expect("mkdir");
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if writes_ignore_permissions(&locked_dir) {
        eprintln!(
            "running with permission override (root): read-only directory case covered by the read-only open above"
        );
    } else {
        let Err(error) = open_sqlite(&locked_dir.join("beian.db"), OpenMode::CreateIfMissing).await
        else {
            panic!("created a database in a read-only directory");
        };
        assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");
        assert!(error.to_string().contains("readonly"), "{error}");
    }
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755))
        .expect("chmod back");

    let store = open_sqlite(&path, OpenMode::MustExist)
        .await
        .expect("reopen");
    let page = store
        .list(&beian_store::ListQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total, 1, "nothing was written by the refused attempt");
}

#[tokio::test]
async fn locked_database_is_reported_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beian.db");
    open_sqlite(&path, OpenMode::CreateIfMissing)
        .await
        .expect("create")
        .close()
        .await;

    let options = SqliteOptions {
        busy_timeout: Duration::from_millis(200),
        ..SqliteOptions::new(&path, OpenMode::MustExist)
    };
    let store = SqliteStore::open(&options)
        .await
        .expect("open with a short busy timeout");

    // Another process holds the write lock.
    let mut other = sqlx::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(&path),
    )
    .await
    .expect("second connection");
    other
        .execute("BEGIN EXCLUSIVE")
        .await
        .expect("take the lock");

    let error = store
        .apply("cli:alice", &one_insert("ID-1"))
        .await
        .expect_err("locked");
    assert!(matches!(error, StoreError::Locked { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("beian"),
        "{message}"
    );

    other.execute("COMMIT").await.expect("release the lock");
    other.close().await.expect("close");
    assert_eq!(
        store
            .list(&beian_store::ListQuery::default())
            .await
            .expect("list")
            .total,
        0
    );
    store
        .apply("cli:alice", &one_insert("ID-1"))
        .await
        .expect("works once the lock is gone");
}

#[tokio::test]
async fn unreachable_postgres_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let location = StoreLocation::parse("postgres://beian:s3cret-pw@127.0.0.1:1/beian");
    let Err(error) = beian_store::open(&location, OpenMode::MustExist).await else {
        panic!("nothing listens on port 1");
    };
    assert!(matches!(error, StoreError::CannotOpen { .. }), "{error:?}");
    let message = format!("{error} {error:?}");
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("s3cret-pw"), "password leaked: {message}");
}
