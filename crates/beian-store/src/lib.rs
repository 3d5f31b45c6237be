//! Beian Guard store: the inventory and the audit log, on SQLite (default, embedded)
//! or PostgreSQL (teams, several workers).
//!
//! PUBLIC API CONTRACT (the CLI codes against it; the implementation fills it in):
//!
//! ```ignore
//! pub enum StoreLocation { Sqlite(PathBuf), Postgres(String) }
//! impl StoreLocation { pub fn parse(text: &str) -> StoreLocation }   // postgres://… or a path / sqlite://path
//! pub async fn open(location: &StoreLocation, mode: OpenMode) -> Result<AnyStore, StoreError>;
//! pub enum OpenMode { CreateIfMissing, MustExist }
//!
//! pub trait Store {
//!     /// All changes in one transaction, one audit entry per change; returns the
//!     /// stored records in order (ids assigned). Any failure rolls everything back.
//!     async fn apply(&self, actor: &str, changes: &[Change]) -> Result<Vec<Record>, StoreError>;
//!     async fn get(&self, kind: RecordKind, id: RecordId) -> Result<Option<Record>, StoreError>;
//!     /// By natural key: subject id_number, website home_url, domain name (ASCII),
//!     /// filing number, access provider name. (Persons have no natural key: None.)
//!     async fn find(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, StoreError>;
//!     async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;
//!     async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;
//!     async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError>;
//! }
//! ```
