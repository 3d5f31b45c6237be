//! What can go wrong in the store, each with the input it concerns and what to do about it.

use std::borrow::Cow;

use beian_core::case::CaseKind;
use beian_core::model::{RecordId, RecordKind, RelationError};

/// What the store keeps besides the inventory records, for messages about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Scan,
    Finding,
    Case,
}

impl Entity {
    /// The name audit entries use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Scan => "scan",
            Entity::Finding => "finding",
            Entity::Case => "case",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Entity::Scan => "扫描",
            Entity::Finding => "发现",
            Entity::Case => "工单",
        }
    }
}

/// Every failure of the store. Messages are Chinese first, then English, and name the
/// database (file path, or PostgreSQL URL without its password) and the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error(
        "数据库正被另一个进程占用：{target} / database {target} is locked by another process; \
         wait a moment and retry, or stop the other `beian` process using it"
    )]
    Locked { target: String },

    #[error(
        "不是备案卫士数据库：{target}（{detail}）/ {target} is not a database; restore it from a \
         backup, or run `beian init` in another directory to start a new one"
    )]
    NotADatabase { target: String, detail: String },

    #[error(
        "数据库已损坏：{target}（{detail}）/ database {target} is corrupt; restore it from a \
         backup, or run `beian init` in another directory to start a new one"
    )]
    Corrupt { target: String, detail: String },

    #[error(
        "数据库只读，无法写入：{target}（{detail}）/ cannot write to {target}: the file or its \
         directory is read-only; make both writable for this user, or point the database \
         setting at a writable location"
    )]
    ReadOnly { target: String, detail: String },

    #[error(
        "无法打开数据库：{target}（{reason}）/ cannot open database {target}: {reason}; {hint}"
    )]
    CannotOpen {
        target: String,
        reason: String,
        hint: Cow<'static, str>,
    },

    #[error(
        "数据库结构升级失败：{target} / migrating the schema of {target} failed: {source}; \
         restore the database from a backup or report this as a bug"
    )]
    Migration {
        target: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    #[error(
        "{label}已存在：{key} / a {kind} with key {key} already exists; edit the existing one \
         or use another key",
        label = kind.label_zh(), kind = kind.as_str()
    )]
    Duplicate { kind: RecordKind, key: String },

    #[error(
        "{label}不存在：id {id} / no {kind} with id {id}; list them to find the right id",
        label = kind.label_zh(), kind = kind.as_str()
    )]
    NotFound { kind: RecordKind, id: RecordId },

    #[error(
        "无法删除{label} {key}：仍有 {count} 个{by_label}引用它（如 id {first_referrer}）/ cannot \
         delete {kind} {key}: {count} {by}(s) still refer to it (first: id {first_referrer}); \
         delete or re-link those first",
        label = kind.label_zh(), kind = kind.as_str(),
        by_label = referenced_by.label_zh(), by = referenced_by.as_str()
    )]
    StillReferenced {
        kind: RecordKind,
        id: RecordId,
        key: String,
        referenced_by: RecordKind,
        count: u64,
        first_referrer: RecordId,
    },

    #[error("备案关系不成立 / filing relation check failed: {0}; fix the parent filing or website")]
    Relation(#[from] RelationError),

    #[error(
        "第 {position} 项变更（{kind}）无效：{reason} / change #{position} ({kind}) is invalid: \
         {reason}",
        position = index + 1, kind = kind.as_str()
    )]
    InvalidChange {
        index: usize,
        kind: RecordKind,
        reason: String,
    },

    #[error(
        "查询条件不适用：{filter} 不能用于{label} / filter `{filter}` does not apply to {kind} \
         records; drop it from the query",
        label = kind.label_zh(), kind = kind.as_str()
    )]
    UnsupportedFilter {
        kind: RecordKind,
        filter: &'static str,
    },

    #[error(
        "查询条件 {filter} 的值无效：{value} / `{filter}` cannot be {value:?}; use one of: {expected}"
    )]
    InvalidFilterValue {
        filter: &'static str,
        value: String,
        expected: &'static str,
    },

    #[error(
        "{label}不存在：id {id} / no {entity} with id {id}; list them to find the right id",
        label = entity.label_zh(), entity = entity.as_str()
    )]
    Missing { entity: Entity, id: RecordId },

    #[error(
        "{label} {id} 当前为“{actual}”，不是“{expected}” / {entity} {id} is {actual}, not \
         {expected}; {hint}",
        label = entity.label_zh(), entity = entity.as_str()
    )]
    StateConflict {
        entity: Entity,
        id: RecordId,
        expected: String,
        actual: String,
        /// What to do about it, Chinese then English.
        hint: &'static str,
    },

    #[error(
        "{on_zh}已有工单 {existing}（{kind}）/ {on_en} already has case {existing} ({kind}); \
         continue that case, or close or withdraw it before opening another",
        kind = kind.as_str()
    )]
    CaseAlreadyOpen {
        existing: RecordId,
        kind: CaseKind,
        on_zh: String,
        on_en: String,
    },

    #[error("{field} 无效：{zh} / invalid {field}: {en}")]
    Invalid {
        field: &'static str,
        zh: String,
        /// The problem and its fix.
        en: String,
    },

    #[error(
        "数据库中的值无法读取：{target} 表 {table} 列 {column}：{detail} / unreadable value in \
         {target}, table {table}, column {column}: {detail}; the row was written by something \
         other than beian — correct it or restore from a backup"
    )]
    UnreadableValue {
        target: String,
        table: &'static str,
        column: &'static str,
        detail: String,
    },

    #[error(
        "数据库操作失败：{target}，{context} / database {target}: {context} failed: {source}; \
         retry, and if it keeps failing check the database server or disk"
    )]
    Backend {
        target: String,
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// Hints for [`StoreError::CannotOpen`].
pub(crate) const HINT_RUN_INIT: &str =
    "运行 `beian init` 创建数据库，或检查路径 / run `beian init` to create it, or check the path";
pub(crate) const HINT_POSTGRES_REACH: &str = "确认 PostgreSQL 已启动、地址端口正确 / check that \
     PostgreSQL is running and that host and port are right";
pub(crate) const HINT_POSTGRES_LOGIN: &str = "检查用户名、密码与 pg_hba.conf / check the user \
     name, the password and pg_hba.conf";
pub(crate) const HINT_POSTGRES_DATABASE: &str = "先创建该数据库（createdb）/ create the database \
     first (createdb), or fix its name in the URL";
pub(crate) const HINT_CHECK_LOCATION: &str =
    "检查数据库设置 / check the database setting (a file path or a postgres:// URL)";

/// How a backend error reads once its driver-specific code is understood.
pub(crate) enum BackendFault {
    Busy,
    ReadOnly,
    NotADatabase,
    Corrupt,
    CannotOpen(Cow<'static, str>),
    UniqueViolation,
    ForeignKeyViolation,
    Other,
}

/// Classifies a sqlx error by the SQLite extended result code or the PostgreSQL SQLSTATE
/// it carries; `sqlx::Any` passes the driver's own error through, so the codes survive.
pub(crate) fn classify(error: &sqlx::Error) -> BackendFault {
    match error {
        sqlx::Error::Database(db) => {
            if db.is_unique_violation() {
                return BackendFault::UniqueViolation;
            }
            if db.is_foreign_key_violation() {
                return BackendFault::ForeignKeyViolation;
            }
            let code = db.code().unwrap_or_default();
            if let Ok(extended) = code.parse::<i32>() {
                return classify_sqlite(extended & 0xff);
            }
            classify_postgres(&code)
        }
        sqlx::Error::Io(io) => BackendFault::CannotOpen(Cow::Owned(format!(
            "{io}; {}",
            match io.kind() {
                std::io::ErrorKind::PermissionDenied => "检查文件权限 / check file permissions",
                _ => HINT_POSTGRES_REACH,
            }
        ))),
        sqlx::Error::Tls(_) => BackendFault::CannotOpen(Cow::Borrowed(
            "TLS 握手失败，检查 sslmode / TLS handshake failed; check sslmode in the URL",
        )),
        sqlx::Error::Configuration(_) => {
            BackendFault::CannotOpen(Cow::Borrowed(HINT_CHECK_LOCATION))
        }
        sqlx::Error::PoolTimedOut => BackendFault::Busy,
        _ => BackendFault::Other,
    }
}

fn classify_sqlite(primary: i32) -> BackendFault {
    // https://www.sqlite.org/rescode.html — primary result codes.
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const READONLY: i32 = 8;
    const CORRUPT: i32 = 11;
    const CANTOPEN: i32 = 14;
    const NOTADB: i32 = 26;
    match primary {
        BUSY | LOCKED => BackendFault::Busy,
        READONLY => BackendFault::ReadOnly,
        CORRUPT => BackendFault::Corrupt,
        NOTADB => BackendFault::NotADatabase,
        CANTOPEN => BackendFault::CannotOpen(Cow::Borrowed(
            "文件或目录不存在或无权访问 / the file or its directory is missing or not accessible; \
             run `beian init` or check the path and its permissions",
        )),
        _ => BackendFault::Other,
    }
}

fn classify_postgres(sqlstate: &str) -> BackendFault {
    match sqlstate {
        // lock_not_available, deadlock_detected, serialization_failure
        "55P03" | "40P01" | "40001" => BackendFault::Busy,
        // read_only_sql_transaction, insufficient_privilege
        "25006" | "42501" => BackendFault::ReadOnly,
        "XX001" | "XX002" => BackendFault::Corrupt,
        "3D000" => BackendFault::CannotOpen(Cow::Borrowed(HINT_POSTGRES_DATABASE)),
        "28P01" | "28000" => BackendFault::CannotOpen(Cow::Borrowed(HINT_POSTGRES_LOGIN)),
        code if code.starts_with("08") || code.starts_with("57P") || code.starts_with("53") => {
            BackendFault::CannotOpen(Cow::Borrowed(HINT_POSTGRES_REACH))
        }
        _ => BackendFault::Other,
    }
}

/// Turns a sqlx error into the store error a person can act on.
pub(crate) fn from_sqlx(target: &str, context: &'static str, error: sqlx::Error) -> StoreError {
    let target = target.to_owned();
    match classify(&error) {
        BackendFault::Busy => StoreError::Locked { target },
        BackendFault::ReadOnly => StoreError::ReadOnly {
            target,
            detail: error.to_string(),
        },
        BackendFault::NotADatabase => StoreError::NotADatabase {
            target,
            detail: error.to_string(),
        },
        BackendFault::Corrupt => StoreError::Corrupt {
            target,
            detail: error.to_string(),
        },
        BackendFault::CannotOpen(hint) => StoreError::CannotOpen {
            target,
            reason: error.to_string(),
            hint,
        },
        BackendFault::UniqueViolation | BackendFault::ForeignKeyViolation | BackendFault::Other => {
            StoreError::Backend {
                target,
                context,
                source: error,
            }
        }
    }
}

/// Migration errors wrap the database error that stopped them; give that one its proper
/// name (a locked or read-only file is not a broken migration).
pub(crate) fn from_migrate(target: &str, error: sqlx::migrate::MigrateError) -> StoreError {
    use sqlx::migrate::MigrateError;
    let (inner, rewrap): (sqlx::Error, Box<dyn FnOnce(sqlx::Error) -> MigrateError>) = match error {
        MigrateError::Execute(inner) => (inner, Box::new(MigrateError::Execute)),
        MigrateError::ExecuteMigration(inner, version) => (
            inner,
            Box::new(move |source| MigrateError::ExecuteMigration(source, version)),
        ),
        other => {
            return StoreError::Migration {
                target: target.to_owned(),
                source: other,
            };
        }
    };
    match from_sqlx(target, "running migrations", inner) {
        StoreError::Backend { source, .. } => StoreError::Migration {
            target: target.to_owned(),
            source: rewrap(source),
        },
        named => named,
    }
}
