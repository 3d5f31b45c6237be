//! Where the database lives, and how to name it without leaking a password.

use std::fmt;
use std::path::{Path, PathBuf};

/// A SQLite file or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, possibly with a password in it.
    Postgres(String),
}

impl StoreLocation {
    /// `postgres://…` and `postgresql://…` name a server; `sqlite://path`, `sqlite:path`
    /// and anything else name a SQLite file.
    pub fn parse(text: &str) -> StoreLocation {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return StoreLocation::Postgres(text.to_owned());
        }
        let path = ["sqlite://", "sqlite:"]
            .iter()
            .find(|prefix| lower.starts_with(*prefix))
            .map_or(text, |prefix| &text[prefix.len()..]);
        StoreLocation::Sqlite(PathBuf::from(path))
    }

    /// How messages name this database: the path, or the URL with its password masked.
    pub fn display_name(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(url) => redact_url(url),
        }
    }
}

impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_name())
    }
}

/// Debug output ends up in logs and test failures: mask the password there too.
impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            StoreLocation::Postgres(url) => {
                f.debug_tuple("Postgres").field(&redact_url(url)).finish()
            }
        }
    }
}

const MASK: &str = "***";

/// The URL with the password (in the user-info part or a `password=` parameter) replaced
/// by `***`. A URL that does not parse is cut at its scheme, since we cannot tell
/// where a password in it would be.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        let scheme = url.split("://").next().unwrap_or_default();
        return format!("{scheme}://<无法解析的 URL / unparseable URL>");
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have credentials, which this one has.
        let _ = parsed.set_password(Some(MASK));
    }
    if parsed
        .query_pairs()
        .any(|(key, _)| key.eq_ignore_ascii_case("password"))
    {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if key.eq_ignore_ascii_case("password") {
                    MASK.to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// How SQLite should open the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqliteAccess {
    CreateIfMissing,
    MustExist,
    ReadOnly,
}

/// Builds the `sqlite://` URL sqlx parses back into a file name: absolute (so the URL
/// has no host part and no `..` for the URL parser to fold), every byte outside a safe
/// set percent-encoded (sqlx decodes the path, so `?`, `#` and `%` survive).
pub(crate) fn sqlite_url(path: &Path, access: SqliteAccess) -> Result<String, String> {
    let absolute = absolute_without_dot_dot(path)?;
    let Some(text) = absolute.to_str() else {
        return Err("路径不是有效的 UTF-8 / the path is not valid UTF-8".to_owned());
    };
    let mut url = String::with_capacity(text.len() + 24);
    url.push_str("sqlite://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url.push_str(match access {
        SqliteAccess::CreateIfMissing => "?mode=rwc",
        SqliteAccess::MustExist => "?mode=rw",
        SqliteAccess::ReadOnly => "?mode=ro",
    });
    Ok(url)
}

fn absolute_without_dot_dot(path: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(path).map_err(|error| error.to_string())?;
    // Resolve the directory through the file system so `..` means what it means there;
    // the file itself may not exist yet.
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => match dir.canonicalize() {
            Ok(dir) => Ok(dir.join(name)),
            Err(_) => Ok(absolute),
        },
        _ => Ok(absolute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_recognised_in_either_spelling() {
        for text in [
            "postgres://u@h/db",
            "postgresql://u@h/db",
            "POSTGRES://u@h/db",
        ] {
            assert!(
                matches!(StoreLocation::parse(text), StoreLocation::Postgres(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn sqlite_prefixes_and_plain_paths_name_files() {
        assert_eq!(
            StoreLocation::parse("sqlite:///var/lib/beian.db"),
            StoreLocation::Sqlite(PathBuf::from("/var/lib/beian.db"))
        );
        assert_eq!(
            StoreLocation::parse("sqlite:x.db"),
            StoreLocation::Sqlite("x.db".into())
        );
        assert_eq!(
            StoreLocation::parse("data/beian.db"),
            StoreLocation::Sqlite("data/beian.db".into())
        );
    }

    #[test]
    fn passwords_never_reach_display_or_debug() {
        let location =
            StoreLocation::parse("postgres://alice:s3cret@db.example:5432/beian?password=s3cret");
        let shown = format!("{location} {location:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("alice") && shown.contains("db.example"),
            "{shown}"
        );
        assert!(!redact_url("postgres://a:s3cret@[bad").contains("s3cret"));
    }

    #[test]
    fn sqlite_url_escapes_what_sqlx_would_misread() {
        let dir = std::env::temp_dir();
        let url = sqlite_url(&dir.join("a b?#%.db"), SqliteAccess::MustExist)
            .expect("temp dir path is UTF-8");
        assert!(url.starts_with("sqlite:///"), "{url}");
        assert!(url.ends_with("a%20b%3F%23%25.db?mode=rw"), "{url}");
    }
}
