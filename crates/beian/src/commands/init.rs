//! `beian init [DIR]`: a commented `beian.toml` and an empty database beside it.

use std::path::{Path, PathBuf};

use beian_store::{OpenMode, Store, StoreLocation};

use crate::cli::{GlobalArgs, InitArgs};
use crate::commands::open_store;
use crate::config::{self, CONFIG_FILE_NAME, CONFIG_TEMPLATE, DEFAULT_DATABASE_FILE};
use crate::error::{Exit, UserError, input_error};
use crate::output;

pub async fn run(args: &InitArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let config_file = match (&args.dir, &global.config) {
        (Some(dir), _) => dir.join(CONFIG_FILE_NAME),
        (None, Some(path)) => path.clone(),
        (None, None) => PathBuf::from(CONFIG_FILE_NAME),
    };
    let dir = config::directory_of(&config_file);
    check_directory(&dir)?;
    if config_file.exists() && !args.force {
        return input_error(
            format!(
                "{} 已存在，未覆盖 / {} already exists; not overwritten",
                config_file.display(),
                config_file.display()
            ),
            "加 --force 覆盖，或换一个目录 / pass --force to overwrite it, or choose another directory",
        );
    }
    let location = match &global.database {
        Some(text) => StoreLocation::parse(text),
        None => StoreLocation::Sqlite(dir.join(DEFAULT_DATABASE_FILE)),
    };
    // The database first: if it cannot be created, no config is left pointing at nothing.
    open_store(&location, OpenMode::CreateIfMissing)
        .await?
        .close()
        .await;
    std::fs::write(
        &config_file,
        config_text(global.database.is_some().then_some(&location)),
    )
    .map_err(|err| {
        UserError::input(format!(
            "无法写入 {} / cannot write {}: {err}",
            config_file.display(),
            config_file.display()
        ))
        .with_fix("选择一个可写的目录 / choose a directory you can write to")
    })?;
    output::print_text(&format!(
        "已写入配置 / wrote {}\n数据库就绪 / database ready: {}\n",
        config_file.display(),
        location.display_name()
    ))?;
    Ok(Exit::Success)
}

/// The template, with the database named on the command line written into it so that
/// later commands find the same database without the flag.
fn config_text(named_database: Option<&StoreLocation>) -> String {
    let key = match named_database {
        None => return CONFIG_TEMPLATE.to_owned(),
        Some(StoreLocation::Postgres(url)) => format!("url = {}", toml_string(url)),
        Some(StoreLocation::Sqlite(path)) => {
            // Relative to the working directory on the command line, but relative to the
            // config file in the file: write it absolute so both mean the same file.
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            format!("path = {}", toml_string(&path.display().to_string()))
        }
    };
    CONFIG_TEMPLATE.replacen("[database]\n", &format!("[database]\n{key}\n"), 1)
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The directory must be usable; a missing one is created, as `git init DIR` does.
fn check_directory(dir: &Path) -> Result<(), UserError> {
    if !dir.exists() && !dir.as_os_str().is_empty() {
        // Failure here (e.g. a path under a regular file) is reported by the match below.
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            if meta.permissions().readonly() {
                Err(read_only(dir))
            } else {
                Ok(())
            }
        }
        Ok(_) => Err(UserError::input(format!(
            "{} 不是目录 / {} is not a directory",
            dir.display(),
            dir.display()
        ))
        .with_fix("给出一个目录 / name a directory")),
        Err(err) => Err(UserError::input(format!(
            "目录 {} 不可用 / directory {} is not usable: {err}",
            dir.display(),
            dir.display()
        ))
        .with_fix(
            "换一个可以创建或写入的目录 / choose a directory that can be created and written",
        )),
    }
}

fn read_only(dir: &Path) -> UserError {
    UserError::input(format!(
        "目录 {} 只读 / directory {} is read-only",
        dir.display(),
        dir.display()
    ))
    .with_fix("选择一个可写的目录 / choose a writable directory")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::parse_config_text;

    #[test]
    fn named_database_is_written_into_the_config() {
        let text = config_text(Some(&StoreLocation::Postgres("postgres://u@h/db".into())));
        let parsed = parse_config_text(&text).expect("config with url parses");
        assert_eq!(parsed.database.url.as_deref(), Some("postgres://u@h/db"));

        let text = config_text(Some(&StoreLocation::Sqlite(PathBuf::from(
            "/srv/a \"b\".db",
        ))));
        let parsed = parse_config_text(&text).expect("config with path parses");
        assert_eq!(parsed.database.path, Some(PathBuf::from("/srv/a \"b\".db")));

        assert_eq!(config_text(None), CONFIG_TEMPLATE);
    }
}
