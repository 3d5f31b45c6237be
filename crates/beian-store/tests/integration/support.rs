//! Test databases on each backend, record fixtures, and raw access for tampering.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, Record, RecordKind, RecordStatus, Subject,
    SubjectKind, Website,
};
use beian_store::{AnyStore, ListQuery, OpenMode, Store, StoreLocation};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::migrate::MigrateDatabase;
use sqlx::{AssertSqlSafe, Connection, Executor};

/// Names the PostgreSQL server for tests, e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
pub const DATABASE_URL_VAR: &str = "BEIAN_TEST_DATABASE_URL";

/// Runs each named `async fn(&TestDb)` scenario as `<scenario>::sqlite` and
/// `<scenario>::postgres`.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = crate::support::TestDb::sqlite().await;
                super::$scenario(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = crate::support::TestDb::postgres().await else { return };
                super::$scenario(&db).await;
                db.finish().await;
            }
        }
    )*};
}

pub enum Backend {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        database: TemporaryPgDatabase,
    },
}

/// A fresh, empty store plus what a test needs to reach behind its back.
pub struct TestDb {
    pub store: AnyStore,
    pub backend: Backend,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("beian.db");
        let store = beian_store::open(
            &StoreLocation::Sqlite(path.clone()),
            OpenMode::CreateIfMissing,
        )
        .await
        .expect("open a new SQLite store");
        TestDb {
            store,
            backend: Backend::Sqlite { _dir: dir, path },
        }
    }

    /// `None` when no server is configured; a configured server that cannot be used
    /// fails the test.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(DATABASE_URL_VAR) else {
            eprintln!("{DATABASE_URL_VAR} is not set: PostgreSQL half of this test not run");
            return None;
        };
        let database = TemporaryPgDatabase::create(&admin_url).await;
        let store = beian_store::open(
            &StoreLocation::Postgres(database.url.clone()),
            OpenMode::MustExist,
        )
        .await
        .unwrap_or_else(|e| panic!("open PostgreSQL store {}: {e}", database.name));
        Some(TestDb {
            store,
            backend: Backend::Postgres { database },
        })
    }

    /// A second, independent handle on the same database (another "process").
    pub async fn open_again(&self) -> AnyStore {
        beian_store::open(&self.location(), OpenMode::MustExist)
            .await
            .expect("reopen the store")
    }

    pub fn location(&self) -> StoreLocation {
        match &self.backend {
            Backend::Sqlite { path, .. } => StoreLocation::Sqlite(path.clone()),
            Backend::Postgres { database } => StoreLocation::Postgres(database.url.clone()),
        }
    }

    /// Runs SQL on a connection of its own, outside the store, as an intruder would.
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
                let done = conn.execute(sql).await?.rows_affected();
                conn.close().await?;
                Ok(done)
            }
            Backend::Postgres { database } => {
                let mut conn = sqlx::PgConnection::connect(&database.url).await?;
                let done = conn.execute(sql).await?.rows_affected();
                conn.close().await?;
                Ok(done)
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Backend::Postgres { database } = self.backend {
            database.drop_now().await;
        }
    }
}

/// A database created for one test on the configured server and dropped afterwards
/// (also when the test panics).
pub struct TemporaryPgDatabase {
    pub name: String,
    pub url: String,
    dropped: bool,
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

impl TemporaryPgDatabase {
    async fn create(admin_url: &str) -> TemporaryPgDatabase {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "beian_test_{}_{}_{}",
            std::process::id(),
            nanos,
            SERIAL.fetch_add(1, Ordering::Relaxed)
        );
        let mut url = url::Url::parse(admin_url)
            .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR} is not a URL: {e}"));
        url.set_path(&name);
        let url = url.to_string();
        sqlx::Postgres::create_database(&url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{DATABASE_URL_VAR} is set but creating test database {name} failed: {e} \
                 (is PostgreSQL running at {}?)",
                    beian_store::redact_url(admin_url)
                )
            });
        TemporaryPgDatabase {
            name,
            url,
            dropped: false,
        }
    }

    async fn drop_now(mut self) {
        drop_database(&self.url).await;
        self.dropped = true;
    }
}

async fn drop_database(url: &str) {
    if let Err(e) = sqlx::Postgres::force_drop_database(url).await {
        eprintln!("could not drop test database {url}: {e}");
    }
}

impl Drop for TemporaryPgDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A panicking test never reached drop_now: drop the database on a runtime of
        // our own, since Drop cannot await.
        let url = self.url.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&url));
            }
        })
        .join();
    }
}

pub fn at() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

pub fn subject(name: &str, id_number: &str) -> Record {
    Record::Subject(Subject {
        id: 0,
        name: name.to_owned(),
        kind: SubjectKind::Company,
        id_number: id_number.to_owned(),
        principal: "张三".to_owned(),
        province: Some("11".to_owned()),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: at(),
        updated_at: at(),
    })
}

pub fn website(name: &str, home_url: &str) -> Record {
    Record::Website(Website {
        id: 0,
        subject_id: 0,
        name: name.to_owned(),
        home_url: home_url.to_owned(),
        access_providers: vec!["阿里云".to_owned()],
        tags: Vec::new(),
        server_ips: vec!["203.0.113.7".to_owned(), "2001:db8::7".to_owned()],
        go_live_on: Some(date("2021-03-01")),
        status: RecordStatus::Active,
        closed_on: None,
        notes: "主站".to_owned(),
        created_at: at(),
        updated_at: at(),
    })
}

pub fn domain(name: &str, expires_on: Option<&str>) -> Record {
    Record::Domain(Domain {
        id: 0,
        name: name.to_owned(),
        unicode_name: name.to_owned(),
        website_id: None,
        registrar: "阿里云计算有限公司".to_owned(),
        holder: "示例科技有限公司".to_owned(),
        expires_on: expires_on.map(date),
        expiry_source: Some(beian_core::model::Provenance::Manual),
        notes: String::new(),
        created_at: at(),
        updated_at: at(),
    })
}

pub fn filing(kind: FilingKind, number: &str) -> Record {
    Record::Filing(Filing {
        id: 0,
        kind,
        number: number.to_owned(),
        status: FilingStatus::Active,
        subject_id: 0,
        website_id: None,
        parent_id: None,
        filed_on: Some(date("2020-05-06")),
        cancelled_on: None,
        notes: String::new(),
        created_at: at(),
        updated_at: at(),
    })
}

/// How many records of each kind the store holds.
pub async fn counts(store: &AnyStore) -> Vec<u64> {
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
        let page = store
            .list(&ListQuery {
                limit: 1,
                ..ListQuery::of(kind)
            })
            .await
            .expect("count records");
        out.push(page.total);
    }
    out
}

/// One subject with `count` websites; their ids.
pub async fn seed_sites(store: &AnyStore, count: usize) -> Vec<beian_core::model::RecordId> {
    use beian_core::model::{Change, Links, RecordRef};
    let mut changes = vec![Change::Insert {
        record: subject("示例科技有限公司", "91110108MA01ABCD2X"),
        links: Links::default(),
    }];
    for n in 0..count {
        changes.push(Change::Insert {
            record: website(&format!("站点{n}"), &format!("https://s{n}.example.cn/")),
            links: Links {
                subject: Some(RecordRef::New(0)),
                ..Links::default()
            },
        });
    }
    let stored = store
        .apply("test:seed", &changes)
        .await
        .expect("seed sites");
    stored[1..].iter().map(Record::id).collect()
}

/// A finding draft with explanations and evidence derived from its identity.
pub fn draft(
    site_id: beian_core::model::RecordId,
    rule_id: &str,
    key: &str,
    severity: beian_core::finding::Severity,
) -> beian_core::finding::FindingDraft {
    beian_core::finding::FindingDraft {
        rule_id: rule_id.to_owned(),
        site_id,
        key: key.to_owned(),
        severity,
        explanation_zh: format!("{rule_id} 命中 {key}"),
        explanation_en: format!("{rule_id} fired for {key:?}"),
        evidence: serde_json::json!({ "rule": rule_id, "key": key, "days_left": 12.5 }),
    }
}

/// `hours` after 2030-01-01T00:00Z: fixed judgement times, later than any test's clock.
pub fn hour(hours: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000 + hours * 3600, 0).expect("valid test instant")
}

/// Every audit action, in chain order.
pub async fn audit_actions(store: &AnyStore) -> Vec<String> {
    let query = beian_store::AuditQuery {
        limit: 0,
        ..beian_store::AuditQuery::default()
    };
    store
        .audit_entries(&query)
        .await
        .expect("read the audit log")
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

/// How often `action` occurs in the audit log.
pub async fn audit_count(store: &AnyStore, action: &str) -> usize {
    audit_actions(store)
        .await
        .iter()
        .filter(|a| *a == action)
        .count()
}

pub async fn assert_chain_intact(store: &AnyStore) {
    let verdict = store.verify_audit_chain().await.expect("verify the chain");
    assert!(
        matches!(verdict, beian_core::audit::ChainVerdict::Intact { .. }),
        "{verdict:?}"
    );
}
