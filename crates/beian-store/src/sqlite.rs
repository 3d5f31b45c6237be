//! The SQLite backend: one file, WAL journal, foreign keys on, writers serialised by
//! SQLite's own lock (so two `beian` processes on one file take turns).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor, Row};

use crate::OpenMode;
use crate::engine::{Dialect, Engine};
use crate::error::{HINT_RUN_INIT, StoreError, from_sqlx};
use crate::location::{SqliteAccess, sqlite_url};
use crate::migrate;

/// How long a writer waits for another process's write lock before giving up with
/// [`StoreError::Locked`].
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How to open a SQLite database; [`crate::open`] uses [`SqliteOptions::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    pub path: PathBuf,
    pub mode: OpenMode,
    /// Open without write access (reports, verification, a database on read-only media).
    pub read_only: bool,
    pub busy_timeout: Duration,
}

impl SqliteOptions {
    pub fn new(path: impl Into<PathBuf>, mode: OpenMode) -> SqliteOptions {
        SqliteOptions {
            path: path.into(),
            mode,
            read_only: false,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

/// A store in a SQLite file.
pub struct SqliteStore {
    pub(crate) engine: Engine,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (or with [`OpenMode::CreateIfMissing`], creates) the file and brings its
    /// schema up to date. The directory must exist: creating it is the caller's choice.
    pub async fn open(options: &SqliteOptions) -> Result<SqliteStore, StoreError> {
        let path = options.path.clone();
        let target = path.display().to_string();
        let cannot_open = |reason: String, hint: &'static str| StoreError::CannotOpen {
            target: target.clone(),
            reason,
            hint: hint.into(),
        };
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(cannot_open(
                    "这是一个目录 / it is a directory".into(),
                    "请指定数据库文件，如 beian.db / name a database file such as beian.db",
                ));
            }
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::NotFound => {
                if options.mode == OpenMode::MustExist || options.read_only {
                    return Err(cannot_open(
                        "文件不存在 / the file does not exist".into(),
                        HINT_RUN_INIT,
                    ));
                }
            }
            Err(error) => return Err(cannot_open(error.to_string(), HINT_RUN_INIT)),
        }
        let access = match (options.read_only, options.mode) {
            (true, _) => SqliteAccess::ReadOnly,
            (false, OpenMode::CreateIfMissing) => SqliteAccess::CreateIfMissing,
            (false, OpenMode::MustExist) => SqliteAccess::MustExist,
        };
        let url = sqlite_url(&path, access).map_err(|reason| cannot_open(reason, HINT_RUN_INIT))?;
        sqlx::any::install_default_drivers();

        let pragmas = format!(
            "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            options.busy_timeout.as_millis()
        );
        // One connection first, outside the pool: the pool retries failed connections
        // until its timeout, which would turn "not a database" into a long wait.
        let mut first = AnyConnection::connect(&url)
            .await
            .map_err(|error| diagnose(&path, "opening the database", error))?;
        first
            .execute(AssertSqlSafe(pragmas.as_str()))
            .await
            .map_err(|error| diagnose(&path, "configuring the connection", error))?;
        if !options.read_only {
            ensure_wal(&mut first)
                .await
                .map_err(|error| diagnose(&path, "switching to WAL", error))?;
        }
        first
            .close()
            .await
            .map_err(|error| diagnose(&path, "opening the database", error))?;

        let pool = AnyPoolOptions::new()
            .max_connections(4)
            // Waiting for a pooled connection is bounded by the busy timeout plus slack,
            // so a stuck writer surfaces as `Locked` rather than an endless wait.
            .acquire_timeout(options.busy_timeout + Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let pragmas = pragmas.clone();
                Box::pin(async move {
                    conn.execute(AssertSqlSafe(pragmas)).await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|error| diagnose(&path, "opening the database", error))?;
        migrate::run(&pool, migrate::SQLITE, &target)
            .await
            .map_err(|error| match error {
                StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. } => {
                    writability_problem(&path).unwrap_or(error)
                }
                other => other,
            })?;
        Ok(SqliteStore {
            engine: Engine {
                pool,
                dialect: Dialect::Sqlite,
                target,
            },
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// WAL lets readers work while one process writes. The mode is stored in the file, so
/// it is switched once; re-issuing the PRAGMA on every connection would need an
/// exclusive lock that the busy timeout does not wait for.
async fn ensure_wal(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?;
    let mode: String = row.try_get(0)?;
    if !mode.eq_ignore_ascii_case("wal") {
        sqlx::query("PRAGMA journal_mode = WAL")
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok(())
}

/// SQLite says "unable to open database file" for a missing directory and for one it
/// may not write to alike; look at the file system to say which.
fn diagnose(path: &Path, context: &'static str, error: sqlx::Error) -> StoreError {
    let named = from_sqlx(&path.display().to_string(), context, error);
    match named {
        StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. } => {
            writability_problem(path).unwrap_or(named)
        }
        other => other,
    }
}

fn writability_problem(path: &Path) -> Option<StoreError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Some(StoreError::CannotOpen {
            target: path.display().to_string(),
            reason: format!("目录 {} 不存在 / directory {} does not exist", dir.display(), dir.display()),
            hint: "先创建该目录，或运行 `beian init` / create the directory first, or run `beian init`"
                .into(),
        });
    }
    let refused = |error: &std::io::Error| {
        matches!(
            error.kind(),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
        )
    };
    if path.exists()
        && let Err(error) = std::fs::OpenOptions::new().append(true).open(path)
        && refused(&error)
    {
        return Some(StoreError::ReadOnly {
            target: path.display().to_string(),
            detail: error.to_string(),
        });
    }
    // SQLite also needs to create the -wal and -shm files beside the database.
    let probe = dir.join(format!(".beian-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(error) if refused(&error) => Some(StoreError::ReadOnly {
            target: dir.display().to_string(),
            detail: error.to_string(),
        }),
        Err(_) => None,
    }
}
