//! Schema migrations, embedded in the binary (one folder per backend, sqlx file names),
//! so an installed `beian` needs no files beside it and no `DATABASE_URL` at build time.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, AssertSqlSafe, SqlSafeStr};

use crate::error::{StoreError, from_migrate};

/// One migration file compiled in: `migrations/<backend>/<version>_<description>.sql`
/// (spaces in the description are underscores in the file name).
pub(crate) struct EmbeddedMigration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

/// Both backends' migration lists from one list of (version, description, file stem): each
/// backend has its own SQL, but never a migration the other lacks.
macro_rules! embedded_migrations {
    ($(($version:literal, $description:literal, $stem:literal)),+ $(,)?) => {
        pub(crate) const SQLITE: &[EmbeddedMigration] = &[$(EmbeddedMigration {
            version: $version,
            description: $description,
            sql: include_str!(concat!("../migrations/sqlite/", $stem, ".sql")),
        }),+];

        pub(crate) const POSTGRES: &[EmbeddedMigration] = &[$(EmbeddedMigration {
            version: $version,
            description: $description,
            sql: include_str!(concat!("../migrations/postgres/", $stem, ".sql")),
        }),+];
    };
}

embedded_migrations![
    (1, "inventory and audit log", "0001_inventory_and_audit_log"),
    (2, "findings and cases", "0002_findings_and_cases"),
    (3, "users and sessions", "0003_users_and_sessions"),
    (4, "site schedule", "0004_site_schedule"),
    (5, "notification log", "0005_notification_log"),
    (6, "check schedule", "0006_check_schedule"),
    (7, "finding counts", "0007_finding_counts"),
    (8, "site tags", "0008_site_tags"),
    (9, "site counts", "0009_site_counts"),
];

/// Brings the schema up to date; each migration runs in its own transaction.
pub(crate) async fn run(
    pool: &AnyPool,
    migrations: &[EmbeddedMigration],
    target: &str,
) -> Result<(), StoreError> {
    let migrator = Migrator::with_migrations(
        migrations
            .iter()
            .map(|m| {
                Migration::new(
                    m.version,
                    Cow::Borrowed(m.description),
                    MigrationType::Simple,
                    AssertSqlSafe(m.sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    );
    migrator
        .run(pool)
        .await
        .map_err(|error| from_migrate(target, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file added to a migrations folder but not to the list above would never run.
    #[test]
    fn every_migration_file_is_embedded_in_order() {
        for (folder, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(folder);
            let mut files: Vec<String> = std::fs::read_dir(&dir)
                .expect("migrations folder exists in the source tree")
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".sql"))
                .collect();
            files.sort();
            let listed: Vec<String> = embedded
                .iter()
                .map(|m| format!("{:04}_{}.sql", m.version, m.description.replace(' ', "_")))
                .collect();
            assert_eq!(files, listed, "{folder}");
            for (position, migration) in embedded.iter().enumerate() {
                assert_eq!(migration.version, position as i64 + 1, "{folder}");
                let on_disk = std::fs::read_to_string(dir.join(&listed[position]))
                    .expect("listed migration file exists");
                assert_eq!(on_disk, migration.sql, "{folder}: embedded text is stale");
            }
        }
    }
}
