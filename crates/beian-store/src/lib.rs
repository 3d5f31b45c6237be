//! Beian Guard store: the inventory and the audit log, on SQLite (default, embedded)
//! or PostgreSQL (teams, several workers).
//!
//! Both backends implement [`Store`] through one shared code path over sqlx's `Any`
//! driver; each has its own connect options, its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) and its own way of serialising writers.
//! Every change appends a hash-chained [`AuditEntry`] in the same transaction.
//!
//! ```no_run
//! # async fn demo() -> Result<(), beian_store::StoreError> {
//! use beian_store::{ListQuery, OpenMode, Store, StoreLocation};
//! use beian_core::model::RecordKind;
//! let store = beian_store::open(&StoreLocation::parse("beian.db"), OpenMode::CreateIfMissing).await?;
//! let page = store.list(&ListQuery::of(RecordKind::Website)).await?;
//! println!("{} websites", page.total);
//! # Ok(()) }
//! ```

mod audit_log;
mod bulk;
mod engine;
mod error;
mod list;
mod location;
mod migrate;
mod postgres;
mod records;
mod sqlite;

use beian_core::audit::{AuditEntry, ChainVerdict};
use beian_core::model::{Change, Record, RecordId, RecordKind};

pub use audit_log::AuditQuery;
pub use error::StoreError;
pub use list::{ListQuery, Page};
pub use location::{StoreLocation, redact_url};
pub use postgres::PostgresStore;
pub use sqlite::{DEFAULT_BUSY_TIMEOUT, SqliteOptions, SqliteStore};

/// Whether opening may create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `beian init`: create the SQLite file (or PostgreSQL database) if it is missing.
    CreateIfMissing,
    /// Every other command: a missing database is an error that suggests `beian init`.
    MustExist,
}

/// Opens the store at `location` and brings its schema up to date.
pub async fn open(location: &StoreLocation, mode: OpenMode) -> Result<AnyStore, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => SqliteStore::open(&SqliteOptions::new(path, mode))
            .await
            .map(AnyStore::Sqlite),
        StoreLocation::Postgres(url) => {
            PostgresStore::open(url, mode).await.map(AnyStore::Postgres)
        }
    }
}

/// The inventory and its audit log.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// All changes in one transaction, one audit entry per change; returns the stored
    /// records in the order of `changes` (ids assigned; a deleted record as it was).
    /// Any failure rolls everything back.
    async fn apply(&self, actor: &str, changes: &[Change]) -> Result<Vec<Record>, StoreError>;

    async fn get(&self, kind: RecordKind, id: RecordId) -> Result<Option<Record>, StoreError>;

    /// By natural key: subject id_number, website home_url, domain name (ASCII), filing
    /// number, access provider name. Persons have no natural key: always `None`.
    async fn find(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, StoreError>;

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Audit entries in `seq` order.
    async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Walks the whole chain; a broken verdict names the first entry that does not match.
    async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError>;

    /// Records an event that is not an inventory change (an import summary, a scan, a
    /// case step) on the same chain. `before`/`after` are JSON text.
    async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<AuditEntry, StoreError>;

    /// Closes the connections (lets SQLite checkpoint its WAL). Further calls fail.
    async fn close(&self);
}

mod sealed {
    /// Every store is the shared engine plus backend-specific opening.
    pub trait HasEngine {
        fn engine(&self) -> &crate::engine::Engine;
    }
}

impl sealed::HasEngine for SqliteStore {
    fn engine(&self) -> &engine::Engine {
        &self.engine
    }
}

impl sealed::HasEngine for PostgresStore {
    fn engine(&self) -> &engine::Engine {
        &self.engine
    }
}

/// A store on whichever backend the configuration names.
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "sqlite",
            AnyStore::Postgres(_) => "postgres",
        }
    }

    /// How messages name the database: the file path, or the URL without password.
    pub fn display_name(&self) -> &str {
        &sealed::HasEngine::engine(self).target
    }
}

impl std::fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyStore")
            .field("backend", &self.backend_name())
            .field("database", &self.display_name())
            .finish()
    }
}

impl sealed::HasEngine for AnyStore {
    fn engine(&self) -> &engine::Engine {
        match self {
            AnyStore::Sqlite(store) => &store.engine,
            AnyStore::Postgres(store) => &store.engine,
        }
    }
}

impl<T: sealed::HasEngine> Store for T {
    async fn apply(&self, actor: &str, changes: &[Change]) -> Result<Vec<Record>, StoreError> {
        self.engine().apply(actor, changes).await
    }

    async fn get(&self, kind: RecordKind, id: RecordId) -> Result<Option<Record>, StoreError> {
        self.engine().get(kind, id).await
    }

    async fn find(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, StoreError> {
        self.engine().find(kind, key).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        self.engine().list(query).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.engine().audit_entries(query).await
    }

    async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError> {
        self.engine().verify_audit_chain().await
    }

    async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<AuditEntry, StoreError> {
        self.engine()
            .append_audit(actor, action, entity, entity_id, before, after)
            .await
    }

    async fn close(&self) {
        self.engine().pool.close().await;
    }
}
