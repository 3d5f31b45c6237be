//! The PostgreSQL backend, for teams and several workers sharing one inventory.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::MigrateDatabase;
use sqlx::{AnyConnection, Connection};

use crate::OpenMode;
use crate::engine::{Dialect, Engine};
use crate::error::{BackendFault, HINT_POSTGRES_REACH, StoreError, classify, from_sqlx};
use crate::location::redact_url;
use crate::migrate;

/// A store in a PostgreSQL database.
pub struct PostgresStore {
    pub(crate) engine: Engine,
}

impl PostgresStore {
    /// Connects and brings the schema up to date. With [`OpenMode::CreateIfMissing`] a
    /// missing database is created first (the server must allow it for this user).
    pub async fn open(url: &str, mode: OpenMode) -> Result<PostgresStore, StoreError> {
        let target = redact_url(url);
        sqlx::any::install_default_drivers();
        // One connection first, outside the pool: the pool retries failed connections
        // until its timeout, which would hide "connection refused" behind a long wait.
        match AnyConnection::connect(url).await {
            Ok(conn) => conn
                .close()
                .await
                .map_err(|error| from_sqlx(&target, "connecting", error))?,
            Err(error) if mode == OpenMode::CreateIfMissing && is_missing_database(&error) => {
                sqlx::Any::create_database(url)
                    .await
                    .map_err(|error| from_sqlx(&target, "creating the database", error))?;
            }
            Err(error) => {
                return Err(match classify(&error) {
                    BackendFault::Other => StoreError::CannotOpen {
                        target: target.clone(),
                        reason: error.to_string(),
                        hint: HINT_POSTGRES_REACH.into(),
                    },
                    _ => from_sqlx(&target, "connecting", error),
                });
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(|error| from_sqlx(&target, "connecting", error))?;
        migrate::run(&pool, migrate::POSTGRES, &target).await?;
        Ok(PostgresStore {
            engine: Engine {
                pool,
                dialect: Dialect::Postgres,
                target,
            },
        })
    }

    /// The server URL with its password masked.
    pub fn display_url(&self) -> &str {
        &self.engine.target
    }
}

/// SQLSTATE 3D000, invalid_catalog_name: the database named in the URL does not exist.
fn is_missing_database(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000"))
}
